/*
 * watch.h -- inotify on the channels' in/ directories: hints for the
 * queue, never the truth.
 */
#ifndef FORMIXD_WATCH_H
#define FORMIXD_WATCH_H

#include "formix.h"

struct watch {
	int		 fd;		/* the inotify descriptor, -1 if none */
	struct fx_queue	*q;
	int		*wd;		/* per channel, -1 if not watched */
	size_t		 n;
	int		 lost;		/* a watch went away: add it again */
};

/* Watch every channel's in/.  -1 (errno set) if inotify is unusable. */
int	 watch_init(struct watch *, struct fx_queue *);
/*
 * Read the events there are and hand them to the queue.  Sets *rescan
 * when events were lost (IN_Q_OVERFLOW) or a watch went away.
 */
void	 watch_read(struct watch *, int *rescan);
void	 watch_release(struct watch *);

#endif /* FORMIXD_WATCH_H */
