/*
 * watch.c -- inotify on the channels' in/ directories.
 *
 * Events are hints (RELIABILITY.md, inotify(7)): the queue takes a file
 * renamed in (IN_MOVED_TO) at once and looks at a file closed after
 * writing (IN_CLOSE_WRITE) after its settle time; a directory scan is
 * the truth, and one is asked for whenever events may have been lost:
 * the kernel's queue overflowed (IN_Q_OVERFLOW), or a watched directory
 * went away or was unmounted (IN_IGNORED, IN_UNMOUNT), in which case the
 * watch is added again.  The watches are added before the first scan,
 * so that nothing dropped in between is missed.
 */
#include <sys/inotify.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "watch.h"

#define WATCH_MASK	(IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF | \
	IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW)

static void
add(struct watch *w, size_t i)
{
	const char *dir = fx_queue_chan_dir(w->q, i);

	w->wd[i] = inotify_add_watch(w->fd, dir, WATCH_MASK);
	if (w->wd[i] == -1) {
		log_warn("inotify: cannot watch %s (scanned every "
		    "spool.scan_interval instead)", dir);
		w->lost = 1;
	}
}

int
watch_init(struct watch *w, struct fx_queue *q)
{
	size_t i;

	memset(w, 0, sizeof(*w));
	w->q = q;
	w->n = fx_queue_nchan(q);
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd == -1)
		return -1;
	w->wd = calloc(w->n, sizeof(*w->wd));
	if (w->wd == NULL)
		fatal("calloc");
	for (i = 0; i < w->n; i++)
		add(w, i);
	return 0;
}

void
watch_read(struct watch *w, int *rescan)
{
	char buf[64 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	size_t i;
	char *p;

	if (w->fd == -1)
		return;
	if (fx_queue_nchan(w->q) > w->n) {
		/* Channels found by a scan (dealer folders): watched from
		 * now, and scanned again for what came in between. */
		i = w->n;
		w->n = fx_queue_nchan(w->q);
		w->wd = reallocarray(w->wd, w->n, sizeof(*w->wd));
		if (w->wd == NULL)
			fatal("reallocarray");
		for (; i < w->n; i++)
			add(w, i);
		*rescan = 1;
	}
	for (;;) {
		n = read(w->fd, buf, sizeof(buf));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_warn("inotify: read");
			break;
		}
		for (p = buf; p < buf + n;
		    p += sizeof(struct inotify_event) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				log_info("inotify: events lost (queue "
				    "overflow): scanning");
				*rescan = 1;
				continue;
			}
			for (i = 0; i < w->n; i++)
				if (w->wd[i] == ev->wd)
					break;
			if (i == w->n)
				continue;
			if (ev->mask & (IN_IGNORED | IN_UNMOUNT |
			    IN_DELETE_SELF | IN_MOVE_SELF)) {
				if (ev->mask & IN_IGNORED) {
					w->wd[i] = -1;
					w->lost = 1;
				}
				*rescan = 1;
				continue;
			}
			if (ev->len == 0 || ev->name[0] == '\0')
				continue;
			if (ev->mask & IN_MOVED_TO)
				fx_queue_hint(w->q, i, ev->name,
				    FX_QHINT_MOVED);
			else if (ev->mask & IN_CLOSE_WRITE)
				fx_queue_hint(w->q, i, ev->name,
				    FX_QHINT_CLOSED);
		}
	}
	if (w->lost) {
		/* The directory was replaced or remounted: watch it again. */
		w->lost = 0;
		for (i = 0; i < w->n; i++)
			if (w->wd[i] == -1)
				add(w, i);
	}
}

void
watch_release(struct watch *w)
{
	if (w->fd != -1)
		close(w->fd);
	free(w->wd);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}
