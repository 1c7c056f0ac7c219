/*
 * sftp.c -- formixd's SFTP client: 1C's files pulled from a remote folder
 * into spool/1c/in, the files of spool/1c/out pushed to one (libcurl over
 * libssh2; formix-spool(7)).
 *
 * Pull.  The remote folder is listed (long form, so that the type of each
 * entry is known without following it); only regular files are taken,
 * never directories, symbolic links, dot-files or uploads in progress
 * (*.part, *.filepart, *.tmp: fx_spool_name_kind), nor a name with '/'
 * or control characters.  With spool.settle above 0 a file is taken only
 * when two listings saw it with the same size and date, the last visit's
 * or one settle seconds later (1C's side may write in place).  Each is downloaded to spool/tmp/sftp-*.part,
 * fsynced, renamed into 1c/in without replacing anything (a clash gets
 * "~N" before its extension), and the directory fsynced; only then is
 * the remote file removed (or moved to the remote done/ folder).  A
 * crash in between leaves the remote file, which is downloaded again:
 * the queue's applied mark (the file's SHA-256) makes the second copy
 * "already applied".  The rename into in/ is what the queue waits for
 * (inotify's IN_MOVED_TO): a file is never seen there before it is whole.
 *
 * Push.  A file of 1c/out is first moved to 1c/out/.sending/ (so that a
 * new file of the same name written meanwhile is a new file, not one
 * half-pushed), uploaded as REMOTE/.NAME.part, renamed remotely to NAME,
 * and then moved to 1c/out/sent/.  A crash before the last step pushes it
 * again: the remote rename then replaces the same name with the same
 * content (SFTP v3 rename refuses an existing target, so that case is
 * an rm and a rename).  A name is never visible remotely before it is
 * whole.
 *
 * Trust.  The host key must be in sftp.known_hosts: a key missing or
 * different is refused (our CURLOPT_SSH_KEYFUNCTION accepts only an
 * exact match), nothing is transferred, and the remote counts as
 * failing.  Authentication is by key only (sftp.key); a URL with a
 * password is a configuration error.
 *
 * Failures: anything but a file vanishing under us fails the remote for
 * this pass; it waits spool.min_backoff, doubling up to spool.max_backoff,
 * with one alert after spool.alert_after consecutive failures.  Nothing
 * is lost: the remote file stays until the local copy is durable.
 *
 * No store access, no configuration pointer kept: fx_sftp_open copies
 * what it needs, so formixd may run this in a thread of its own.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "fx-int.h"

#define LIST_MAX	(16 * 1024 * 1024)	/* bytes of one listing */
#define CLASH_MAX	1000			/* "~N" suffixes tried */

/* A remote folder and the channel directory it feeds or empties. */
struct remote {
	int		 push;		/* else pull */
	int		 fixed;		/* 1C's, from the configuration */
	int		 bad;		/* URL refused: said once, not run */
	unsigned	 gen;		/* dealer scan that saw it */
	char		*tag;		/* channel: "1c", "d-DIR" */
	char		*given;		/* the URL as written */
	char		*url;		/* the folder, ending in '/' */
	char		*path;		/* the same for quote commands */
	char		*rel;		/* spool-relative: "1c/in", "1c/out" */
	char		*dir;		/* its absolute path */
	char		*sending, *sent;	/* push: out/.sending, out/sent */
	uint64_t	 max_size;	/* pull: bytes per file */
	int		 failures;	/* in a row */
	int64_t		 due;		/* monotonic ms */
	struct fx_buf	 seen;		/* pull: last listing's keys */
	struct fx_buf	 held;		/* pull: in, not removed there */
};

struct fx_sftp {
	fx_queue_log_fn	*log;
	void		*log_arg;
	char		*key, *known_hosts;
	char		*spool, *tmp, *dealers;
	uint64_t	 max_import, max_order, max_rate;
	int		 timeout, interval, settle, taken_move;
	int		 min_backoff, max_backoff, alert_after;
	int		 no_sftp;	/* libcurl without it */
	int		 global;	/* curl_global_init done */
	struct remote	*r;
	size_t		 nr, rcap;
	unsigned	 gen;
	CURL		*curl;
	const volatile int *stop;
	char		 errbuf[CURL_ERROR_SIZE];
	char		 khwhy[512];
	char		 why[1024];	/* the last failure */
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__((format(printf, 3, 4)))
slog(struct fx_sftp *s, enum fx_qlog lvl, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (s->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->log(s->log_arg, lvl, line);
}

/* The reason of the last failure into s->why; -1. */
static int __attribute__((format(printf, 2, 3)))
failed(struct fx_sftp *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* Why curl failed: the host key check first, then curl's own words. */
static const char *
curl_why(struct fx_sftp *s, CURLcode rc)
{
	if (s->khwhy[0] != '\0')
		return s->khwhy;
	return s->errbuf[0] != '\0' ? s->errbuf : curl_easy_strerror(rc);
}

/*
 * Only a key known_hosts has for this host and port is accepted: missing
 * and changed keys alike are refused (libcurl would ask nobody, but say
 * so here rather than rely on a default).
 */
static int
keyfn(CURL *c, const struct curl_khkey *known, const struct curl_khkey *found,
    enum curl_khmatch match, void *arg)
{
	struct fx_sftp *s = arg;

	(void)c;
	(void)known;
	(void)found;
	if (match == CURLKHMATCH_OK)
		return CURLKHSTAT_FINE;
	snprintf(s->khwhy, sizeof(s->khwhy), "host key %s %s: refused",
	    match == CURLKHMATCH_MISMATCH ? "differs from the one in" :
	    "is not in", s->known_hosts);
	return CURLKHSTAT_REJECT;
}

static int
progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct fx_sftp *s = arg;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return s->stop != NULL && *s->stop;
}

static size_t
discard(char *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return sz * n;
}

/* A fresh request on the handle (its connection is kept). */
static void
setup(struct fx_sftp *s, const char *url)
{
	CURL *c = s->curl;

	curl_easy_reset(c);
	s->errbuf[0] = '\0';
	s->khwhy[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "sftp");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)CURLPROTO_SFTP);
#endif
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(c, CURLOPT_SSH_AUTH_TYPES, (long)CURLSSH_AUTH_PUBLICKEY);
	curl_easy_setopt(c, CURLOPT_SSH_PRIVATE_KEYFILE, s->key);
	/* libssh2 computes the public key from the private one. */
	curl_easy_setopt(c, CURLOPT_SSH_PUBLIC_KEYFILE, "");
	curl_easy_setopt(c, CURLOPT_SSH_KNOWNHOSTS, s->known_hosts);
	curl_easy_setopt(c, CURLOPT_SSH_KEYFUNCTION, keyfn);
	curl_easy_setopt(c, CURLOPT_SSH_KEYDATA, s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)s->timeout);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)s->timeout);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (s->max_rate > 0) {
		curl_easy_setopt(c, CURLOPT_MAX_RECV_SPEED_LARGE,
		    (curl_off_t)s->max_rate);
		curl_easy_setopt(c, CURLOPT_MAX_SEND_SPEED_LARGE,
		    (curl_off_t)s->max_rate);
	}
}

/* Quote a remote path for a libcurl quote command: "..." with \ and ". */
static void
qpath(struct fx_buf *b, const char *dir, const char *name)
{
	const char *p;

	fx_buf_addc(b, '"');
	for (p = dir; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fx_buf_addc(b, '\\');
		fx_buf_addc(b, *p);
	}
	for (p = name; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fx_buf_addc(b, '\\');
		fx_buf_addc(b, *p);
	}
	fx_buf_addc(b, '"');
}

/* The URL of a file of the folder r. */
static char *
file_url(struct fx_sftp *s, const struct remote *r, const char *name)
{
	struct fx_buf b = { 0 };
	char *e;

	e = curl_easy_escape(s->curl, name, 0);
	fx_buf_adds(&b, r->url);
	fx_buf_adds(&b, e != NULL ? e : "");
	curl_free(e);
	(void)fx_buf_str(&b);
	return b.p;
}

/*
 * Run quote commands (one a string, NULL-terminated) on r's server: a
 * listing of the folder is the request they ride on.
 */
static int
quote(struct fx_sftp *s, const struct remote *r, const char *const *cmds)
{
	struct curl_slist *l = NULL, *t;
	CURLcode rc;
	size_t i;

	for (i = 0; cmds[i] != NULL; i++) {
		if ((t = curl_slist_append(l, cmds[i])) == NULL) {
			curl_slist_free_all(l);
			return failed(s, "out of memory");
		}
		l = t;
	}
	setup(s, r->url);
	curl_easy_setopt(s->curl, CURLOPT_QUOTE, l);
	curl_easy_setopt(s->curl, CURLOPT_DIRLISTONLY, 1L);
	rc = curl_easy_perform(s->curl);
	curl_easy_setopt(s->curl, CURLOPT_QUOTE, NULL);
	curl_slist_free_all(l);
	if (rc != CURLE_OK)
		return failed(s, "%s: %s", cmds[0], curl_why(s, rc));
	return 0;
}

/* -- pull ------------------------------------------------------------ */

static size_t
to_buf(char *p, size_t sz, size_t n, void *arg)
{
	struct fx_buf *b = arg;

	if (b->len + sz * n > LIST_MAX)
		return 0;
	fx_buf_add(b, p, sz * n);
	return sz * n;
}

struct dl {
	uint64_t	 max;
	int		 fd;
	uint64_t	 got;
	int		 too_big;
	int		 werr;		/* errno of a failed write */
};

static size_t
to_file(char *p, size_t sz, size_t n, void *arg)
{
	struct dl *d = arg;
	size_t len = sz * n, off = 0;
	ssize_t w;

	if (d->got + len > d->max) {
		d->too_big = 1;
		return 0;
	}
	while (off < len) {
		w = write(d->fd, p + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			d->werr = w == -1 ? errno : EIO;
			return 0;
		}
		off += (size_t)w;
	}
	d->got += len;
	return len;
}

/* A file's listing entry. */
struct lent {
	char		*name;
	uint64_t	 size;
	char		*key;		/* name, size and date: unchanged? */
};

static int
lent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lent *)a)->name,
	    ((const struct lent *)b)->name);
}

/*
 * One line of a long listing (OpenSSH's "ls -l" form: mode, links, owner,
 * group, size, month, day, time or year, one space, the name): the
 * regular files only.  0 if the line is not one to take.
 */
static int
parse_line(char *line, struct lent *e)
{
	char *p = line, *f[8];
	int i;

	if (line[0] != '-')
		return 0;	/* directory, link, device... */
	for (i = 0; i < 8; i++) {
		p += strspn(p, " ");
		if (*p == '\0')
			return 0;
		f[i] = p;
		p += strcspn(p, " ");
		if (*p != ' ')
			return 0;
		*p++ = '\0';
	}
	/* The name follows exactly one space, verbatim. */
	if (*p == '\0' || strchr(p, '/') != NULL || strcmp(p, ".") == 0 ||
	    strcmp(p, "..") == 0)
		return 0;
	switch (fx_spool_name_kind(p)) {
	case FX_NAME_FILE:
	case FX_NAME_PART:
		break;
	default:
		return 0;
	}
	e->name = p;
	e->size = strtoull(f[4], NULL, 10);
	e->key = f[4];
	/* f[4].."f[7]" are size and date, NUL-separated now: rejoin. */
	for (i = 4; i < 7; i++)
		f[i][strlen(f[i])] = ' ';
	return 1;
}

/* Is key (for name) in the previous listing? */
static int
seen_before(const struct remote *r, const char *name, const char *key)
{
	const char *p, *end;
	size_t nl = strlen(name);

	if (r->seen.len == 0)
		return 0;
	for (p = r->seen.p, end = p + r->seen.len; p < end;
	    p += strlen(p) + 1)
		if (strncmp(p, name, nl) == 0 && p[nl] == '\t' &&
		    strcmp(p + nl + 1, key) == 0)
			return 1;
	return 0;
}

/*
 * Files pulled whose removal on the server failed (a folder we may read
 * but not write): not downloaded again while they stay as they were,
 * only their removal retried.  In memory: after a restart such a file
 * comes once more, and is found already applied.  Same form as seen.
 */
static void
held_add(struct remote *r, const struct lent *e)
{
	fx_buf_adds(&r->held, e->name);
	fx_buf_addc(&r->held, '\t');
	fx_buf_adds(&r->held, e->key);
	fx_buf_addc(&r->held, '\0');
}

/* Is e held?  drop: and forget it. */
static int
held(struct remote *r, const struct lent *e, int drop)
{
	char *p, *end;
	size_t nl = strlen(e->name);

	if (r->held.len == 0)
		return 0;
	for (p = r->held.p, end = p + r->held.len; p < end;
	    p += strlen(p) + 1)
		if (strncmp(p, e->name, nl) == 0 && p[nl] == '\t' &&
		    strcmp(p + nl + 1, e->key) == 0) {
			if (drop)
				*p = '\x01';	/* no name starts so */
			return 1;
		}
	return 0;
}

/* Forget the held files dropped, or gone from the last listing. */
static void
held_prune(struct remote *r)
{
	struct fx_buf b = { 0 };
	char *p, *end, *tab;

	if (r->held.len == 0)
		return;
	for (p = r->held.p, end = p + r->held.len; p < end;
	    p += strlen(p) + 1) {
		if (*p == '\x01' || (tab = strchr(p, '\t')) == NULL)
			continue;
		*tab = '\0';
		if (seen_before(r, p, tab + 1)) {
			*tab = '\t';
			fx_buf_add(&b, p, strlen(p) + 1);
		}
	}
	fx_buf_release(&r->held);
	r->held = b;
}

/* name~N.ext (or name~N) into buf. */
static void
clash_name(char *buf, size_t sz, const char *name, int n)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL || dot == name)
		snprintf(buf, sz, "%s~%d", name, n);
	else
		snprintf(buf, sz, "%.*s~%d%s", (int)(dot - name), name, n,
		    dot);
}

/*
 * Rename from into dir under name, never replacing: a clash gets "~N".
 * The chosen name into got.  Both directories fsynced.
 */
static int
place(struct fx_sftp *s, const char *from, const char *dir, const char *name,
    char *got, size_t gotsz)
{
	struct fx_err err;
	char *to, fromdir[4096], *sl;
	int n;

	fx_err_clear(&err);
	for (n = 0; n <= CLASH_MAX; n++) {
		if (n == 0)
			fx_strlcpy(got, name, gotsz);
		else
			clash_name(got, gotsz, name, n);
		to = fx_path_join(dir, got);
		if (fx_spool_rename(from, to, &err) == 0) {
			free(to);
			fx_strlcpy(fromdir, from, sizeof(fromdir));
			if ((sl = strrchr(fromdir, '/')) != NULL)
				*sl = '\0';
			if (fx_spool_fsync_dir(dir, &err) == -1 ||
			    fx_spool_fsync_dir(fromdir, &err) == -1)
				return failed(s, "%s", err.msg);
			return 0;
		}
		free(to);
		if (err.sys_errno != EEXIST)
			return failed(s, "%s", err.msg);
	}
	return failed(s, "%s/%s: %d names taken", dir, name, CLASH_MAX);
}

/* Remove (or move to done/) a pulled file remotely. */
static int
taken(struct fx_sftp *s, const struct remote *r, const char *name)
{
	struct fx_buf a = { 0 }, b = { 0 }, c = { 0 };
	const char *cmds[4];
	int rc;

	if (s->taken_move) {
		fx_buf_adds(&a, "*mkdir ");
		qpath(&a, r->path, "done");
		fx_buf_adds(&b, "rename ");
		qpath(&b, r->path, name);
		fx_buf_addc(&b, ' ');
		fx_buf_adds(&c, "done/");
		fx_buf_adds(&c, name);
		qpath(&b, r->path, fx_buf_str(&c));
		cmds[0] = fx_buf_str(&a);
		cmds[1] = fx_buf_str(&b);
		cmds[2] = NULL;
		rc = quote(s, r, cmds);
		if (rc == 0)
			goto out;
		/* done/NAME exists: it must not come again. */
		slog(s, FX_QLOG_WARN, "sftp %s: file=\"%s\": not moved to done/ "
		    "(%s): removed instead", r->url, name, s->why);
	}
	fx_buf_reset(&a);
	fx_buf_adds(&a, "rm ");
	qpath(&a, r->path, name);
	cmds[0] = fx_buf_str(&a);
	cmds[1] = NULL;
	rc = quote(s, r, cmds);
out:
	fx_buf_release(&a);
	fx_buf_release(&b);
	fx_buf_release(&c);
	return rc;
}

/* Download one file into in/.  1 if it vanished meanwhile. */
static int
download(struct fx_sftp *s, struct remote *r, const struct lent *e)
{
	struct dl d;
	char tmpl[4096], got[1024], q[256];
	char *url;
	CURLcode rc;
	int ret = -1;

	snprintf(tmpl, sizeof(tmpl), "%s/sftp-XXXXXX.part", s->tmp);
	if ((d.fd = mkstemps(tmpl, 5)) == -1)
		return failed(s, "create %s: %s", tmpl, strerror(errno));
	d.max = r->max_size;
	d.got = 0;
	d.too_big = 0;
	d.werr = 0;
	url = file_url(s, r, e->name);
	setup(s, url);
	curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, to_file);
	curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, &d);
	curl_easy_setopt(s->curl, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)r->max_size);
	rc = curl_easy_perform(s->curl);
	free(url);
	fx_quote(q, sizeof(q), e->name);
	if (rc == CURLE_REMOTE_FILE_NOT_FOUND) {
		ret = 1;
		goto out;
	}
	if (d.werr != 0) {
		failed(s, "write %s: %s", tmpl, strerror(d.werr));
		goto out;
	}
	if (rc != CURLE_OK) {
		failed(s, "file=\"%s\": %s", q, curl_why(s, rc));
		goto out;
	}
	/* Whole and on disk before it has a name the queue reads. */
	if (fsync(d.fd) == -1 || close(d.fd) == -1) {
		d.fd = -1;
		failed(s, "fsync %s: %s", tmpl, strerror(errno));
		goto out;
	}
	d.fd = -1;
	if (place(s, tmpl, r->dir, e->name, got, sizeof(got)) == -1)
		goto out;
	tmpl[0] = '\0';
	slog(s, FX_QLOG_INFO, "sftp %s: file=\"%s\": pulled into %s as "
	    "\"%s\": %llu bytes", r->url, q, r->rel, got,
	    (unsigned long long)d.got);
	fx_crash_at("sftp-taken");
	/* Only now: the local copy is durable. */
	if ((ret = taken(s, r, e->name)) == -1)
		held_add(r, e);
out:
	if (d.fd != -1)
		close(d.fd);
	if (tmpl[0] != '\0')
		unlink(tmpl);
	return ret;
}

/* Sleep sec seconds, or less if stopped. */
static void
nap(struct fx_sftp *s, int sec)
{
	struct timespec ts = { 0, 100 * 1000000L };
	int i;

	for (i = 0; i < sec * 10; i++) {
		if (s->stop != NULL && *s->stop)
			return;
		nanosleep(&ts, NULL);
	}
}

static int
pull(struct fx_sftp *s, struct remote *r)
{
	struct fx_buf list = { 0 }, seen = { 0 };
	struct lent *ents = NULL, e;
	size_t n, cap = 0, i, later;
	char *line, *next, q[256];
	CURLcode rc;
	int ret = -1, round;

	/*
	 * With spool.settle, a file is taken once two listings saw it
	 * unchanged: the last visit's, or one made settle seconds later in
	 * this one (formixd --once has no last visit).
	 */
	for (round = 0; ; round++) {
		n = later = 0;
		fx_buf_reset(&list);
		setup(s, r->url);
		curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, to_buf);
		curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, &list);
		rc = curl_easy_perform(s->curl);
		if (rc != CURLE_OK) {
			failed(s, "list: %s", curl_why(s, rc));
			goto out;
		}
		(void)fx_buf_str(&list);
		memset(&seen, 0, sizeof(seen));
		for (line = list.p; line != NULL && *line != '\0';
		    line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			line[strcspn(line, "\r")] = '\0';
			if (!parse_line(line, &e))
				continue;
			fx_buf_adds(&seen, e.name);
			fx_buf_addc(&seen, '\t');
			fx_buf_adds(&seen, e.key);
			fx_buf_addc(&seen, '\0');
			if (s->settle > 0 && !seen_before(r, e.name, e.key)) {
				later++;	/* may still be written */
				continue;
			}
			if (e.size > r->max_size) {
				slog(s, FX_QLOG_WARN, "sftp %s: file=\"%s\": "
				    "%llu bytes, over limits.max_%s_size: left "
				    "there", r->url,
				    fx_quote(q, sizeof(q), e.name),
				    (unsigned long long)e.size,
				    r->fixed ? "import" : "order");
				continue;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				ents = fx_realloc(ents, cap * sizeof(*ents));
			}
			ents[n++] = e;
		}
		fx_buf_release(&r->seen);
		r->seen = seen;
		memset(&seen, 0, sizeof(seen));
		held_prune(r);
		if (later == 0 || round == 1)
			break;
		nap(s, s->settle);
		if (s->stop != NULL && *s->stop)
			goto out;
	}
	/* 1C's exchange parts in a stable order: import before offers. */
	if (n > 1)
		qsort(ents, n, sizeof(*ents), lent_cmp);
	for (i = 0; i < n; i++) {
		if (held(r, &ents[i], 0)) {
			if (taken(s, r, ents[i].name) == -1)
				goto out;
			held(r, &ents[i], 1);
			continue;
		}
		if (download(s, r, &ents[i]) == -1)
			goto out;
	}
	ret = 0;
out:
	free(ents);
	fx_buf_release(&list);
	fx_buf_release(&seen);
	return ret;
}

/* -- push ------------------------------------------------------------ */

struct ul {
	int		 fd;
	int		 rerr;
};

static size_t
from_file(char *p, size_t sz, size_t n, void *arg)
{
	struct ul *u = arg;
	ssize_t r;

	do
		r = read(u->fd, p, sz * n);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		u->rerr = errno;
		return CURL_READFUNC_ABORT;
	}
	return (size_t)r;
}

/* Upload .sending/NAME as REMOTE/.NAME.part, rename it to NAME there. */
static int
upload(struct fx_sftp *s, const struct remote *r, const char *name)
{
	struct fx_buf part = { 0 }, ren = { 0 }, rm = { 0 };
	struct curl_slist *post = NULL;
	struct stat st;
	struct ul u;
	const char *cmds[3];
	char *path, *url, q[256];
	CURLcode rc;
	int ret = -1;

	fx_quote(q, sizeof(q), name);
	path = fx_path_join(r->sending, name);
	u.rerr = 0;
	u.fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (u.fd == -1 || fstat(u.fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		failed(s, "open %s: %s", path, u.fd == -1 ? strerror(errno) :
		    "not a regular file");
		goto out;
	}
	fx_buf_addc(&part, '.');
	fx_buf_adds(&part, name);
	fx_buf_adds(&part, ".part");
	fx_buf_adds(&ren, "rename ");
	qpath(&ren, r->path, fx_buf_str(&part));
	fx_buf_addc(&ren, ' ');
	qpath(&ren, r->path, name);
	post = curl_slist_append(NULL, fx_buf_str(&ren));
	url = file_url(s, r, fx_buf_str(&part));
	setup(s, url);
	free(url);
	curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, from_file);
	curl_easy_setopt(s->curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)st.st_size);
	curl_easy_setopt(s->curl, CURLOPT_POSTQUOTE, post);
	rc = curl_easy_perform(s->curl);
	curl_easy_setopt(s->curl, CURLOPT_POSTQUOTE, NULL);
	if (u.rerr != 0) {
		failed(s, "read %s: %s", path, strerror(u.rerr));
		goto out;
	}
	if (rc == CURLE_QUOTE_ERROR) {
		/* Uploaded, but NAME is there: pushed before a crash (same
		 * content), or a newer file of the same name. */
		fx_buf_adds(&rm, "rm ");
		qpath(&rm, r->path, name);
		cmds[0] = fx_buf_str(&rm);
		cmds[1] = fx_buf_str(&ren);
		cmds[2] = NULL;
		if (quote(s, r, cmds) == -1)
			goto out;
		slog(s, FX_QLOG_INFO, "sftp %s: file=\"%s\": was there "
		    "already: replaced", r->url, q);
	} else if (rc != CURLE_OK) {
		failed(s, "file=\"%s\": %s", q, curl_why(s, rc));
		goto out;
	}
	slog(s, FX_QLOG_INFO, "sftp %s: file=\"%s\": pushed from %s: "
	    "%lld bytes", r->url, q, r->rel, (long long)st.st_size);
	ret = 0;
out:
	if (u.fd != -1)
		close(u.fd);
	curl_slist_free_all(post);
	fx_buf_release(&part);
	fx_buf_release(&ren);
	fx_buf_release(&rm);
	free(path);
	return ret;
}

/* The names of dir's regular files to push, sorted. */
static int
names(struct fx_sftp *s, const char *dir, char ***vp, size_t *np)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int dfd;

	*vp = NULL;
	*np = 0;
	if ((d = opendir(dir)) == NULL)
		return failed(s, "open directory %s: %s", dir, strerror(errno));
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (fx_spool_name_kind(de->d_name) == FX_NAME_SKIP ||
		    fx_spool_name_kind(de->d_name) == FX_NAME_BAD)
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = fx_realloc(v, cap * sizeof(*v));
		}
		v[n++] = fx_strdup(de->d_name);
	}
	closedir(d);
	fx_strv_sort(v, n);
	*vp = v;
	*np = n;
	return 0;
}

static int
push(struct fx_sftp *s, struct remote *r)
{
	char **v;
	char *from, got[1024];
	size_t n, i;
	int ret = -1;

	if ((mkdir(r->sending, 0750) == -1 && errno != EEXIST) ||
	    (mkdir(r->sent, 0750) == -1 && errno != EEXIST))
		return failed(s, "mkdir %s: %s", r->sent, strerror(errno));
	/* out/ -> out/.sending/: what is pushed can no longer change. */
	if (names(s, r->dir, &v, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		from = fx_path_join(r->dir, v[i]);
		if (place(s, from, r->sending, v[i], got, sizeof(got)) == -1) {
			free(from);
			fx_strv_free(v, n);
			return -1;
		}
		free(from);
	}
	fx_strv_free(v, n);

	/* Left by a crash, or just moved: pushed, then out/sent/. */
	if (names(s, r->sending, &v, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (upload(s, r, v[i]) == -1)
			goto out;
		fx_crash_at("sftp-pushed");
		from = fx_path_join(r->sending, v[i]);
		if (place(s, from, r->sent, v[i], got, sizeof(got)) == -1) {
			free(from);
			goto out;
		}
		free(from);
	}
	ret = 0;
out:
	fx_strv_free(v, n);
	return ret;
}

/* -- the remotes ----------------------------------------------------- */

/*
 * Check a folder URL (sftp://, a host, no password) and make its two
 * forms: the URL ending in '/', and the path for quote commands ("/~/"
 * is the home directory, which is where relative paths start).
 */
static int
remote_init(struct remote *r, const char *key, const char *url, int push,
    struct fx_err *err)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *pw = NULL, *path = NULL, q[256];
	struct fx_buf b = { 0 };
	const char *p;
	int rc = -1;

	r->push = push;
	r->given = fx_strdup(url);
	fx_quote(q, sizeof(q), url);
	if ((u = curl_url()) == NULL)
		return fx_err_set(err, FX_ESOFTWARE, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    strcmp(scheme, "sftp") != 0) {
		/* "none" is for the configuration's keys only. */
		fx_err_set(err, FX_ECONFIG, "%s: expected an sftp:// URL%s, "
		    "got \"%s\"", key, strchr(key, '.') != NULL ?
		    " or \"none\"" : "", q);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host[0] == '\0') {
		fx_err_set(err, FX_ECONFIG, "%s: \"%s\" has no host", key, q);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK) {
		fx_err_set(err, FX_ECONFIG, "%s: a password in the URL: use "
		    "a key (sftp.key)", key);
		goto out;
	}
	if (strpbrk(url, "?#") != NULL) {
		fx_err_set(err, FX_ECONFIG, "%s: \"%s\": a query or fragment "
		    "in the URL", key, q);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) !=
	    CURLUE_OK)
		path = NULL;
	p = path != NULL ? path : "/";
	if (strncmp(p, "/~", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
		p += p[2] == '/' ? 3 : 2;
	fx_buf_adds(&b, p);
	if (b.len > 0 && b.p[b.len - 1] != '/')
		fx_buf_addc(&b, '/');
	(void)fx_buf_str(&b);
	r->path = b.p;
	memset(&b, 0, sizeof(b));
	fx_buf_adds(&b, url);
	if (b.p[b.len - 1] != '/')
		fx_buf_addc(&b, '/');
	(void)fx_buf_str(&b);
	r->url = b.p;
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(pw);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

static int
mkdir_p(const char *dir, struct fx_err *err)
{
	if (mkdir(dir, 0750) == -1 && errno != EEXIST)
		return fx_err_sys(err, FX_ECANTCREAT, "mkdir %s", dir);
	return 0;
}

/* Our own leftovers of spool/tmp: a download a crash cut short. */
static void
clean_tmp(struct fx_sftp *s)
{
	struct dirent *de;
	size_t len;
	DIR *d;

	if ((d = opendir(s->tmp)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (strncmp(de->d_name, "sftp-", 5) == 0 && len > 5 &&
		    strcmp(de->d_name + len - 5, ".part") == 0)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

static void
remote_free(struct remote *r)
{
	free(r->tag);
	free(r->given);
	free(r->url);
	free(r->path);
	free(r->rel);
	free(r->dir);
	free(r->sending);
	free(r->sent);
	fx_buf_release(&r->seen);
	fx_buf_release(&r->held);
}

/* A new remote of channel chan ("1c", "dealers/DIR") with tag. */
static struct remote *
remote_add(struct fx_sftp *s, const char *tag, const char *chan, int push)
{
	struct remote *r;
	struct fx_buf b = { 0 };

	if (s->nr == s->rcap) {
		s->rcap = s->rcap ? s->rcap * 2 : 4;
		s->r = fx_realloc(s->r, s->rcap * sizeof(*s->r));
	}
	r = &s->r[s->nr++];
	memset(r, 0, sizeof(*r));
	r->tag = fx_strdup(tag);
	fx_buf_addf(&b, "%s/%s", chan, push ? "out" : "in");
	r->rel = b.p;
	r->dir = fx_path_join(s->spool, r->rel);
	r->sending = fx_path_join(r->dir, ".sending");
	r->sent = fx_path_join(r->dir, "sent");
	return r;
}

void
fx_sftp_free(struct fx_sftp *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nr; i++)
		remote_free(&s->r[i]);
	free(s->r);
	if (s->curl != NULL)
		curl_easy_cleanup(s->curl);
	if (s->global)
		curl_global_cleanup();	/* counted: pairs with the init */
	free(s->key);
	free(s->known_hosts);
	free(s->spool);
	free(s->tmp);
	free(s->dealers);
	free(s);
}

int
fx_sftp_open(struct fx_sftp **sp, struct fx_ctx *ctx, fx_queue_log_fn *log,
    void *log_arg, struct fx_err *err)
{
	const struct fx_conf *c = fx_ctx_conf(ctx);
	const curl_version_info_data *vi;
	const char *const *pr;
	struct fx_sftp *s;
	struct remote *r;

	*sp = NULL;
	s = fx_calloc(1, sizeof(*s));
	s->log = log;
	s->log_arg = log_arg;
	s->key = fx_strdup(c->sftp_key);
	s->known_hosts = fx_strdup(c->sftp_known_hosts);
	s->spool = fx_strdup(c->spool_path);
	s->tmp = fx_path_join(c->spool_path, "tmp");
	s->dealers = fx_path_join(c->spool_path, "dealers");
	s->max_import = c->max_import_size;
	s->max_order = c->max_order_size;
	s->max_rate = c->sftp_max_rate;
	s->timeout = c->sftp_timeout;
	s->interval = c->sftp_interval;
	s->settle = c->spool_settle;
	s->taken_move = c->sftp_taken_move;
	s->min_backoff = c->spool_min_backoff;
	s->max_backoff = c->spool_max_backoff;
	s->alert_after = c->spool_alert_after;
	if (strcmp(c->sftp_pull, "none") != 0) {
		r = remote_add(s, "1c", "1c", 0);
		r->fixed = 1;
		r->max_size = s->max_import;
		if (remote_init(r, "sftp.pull", c->sftp_pull, 0, err) == -1)
			goto fail;
	}
	if (strcmp(c->sftp_push, "none") != 0) {
		r = remote_add(s, "1c", "1c", 1);
		r->fixed = 1;
		if (remote_init(r, "sftp.push", c->sftp_push, 1, err) == -1)
			goto fail;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fx_err_set(err, FX_ESOFTWARE, "libcurl: cannot initialise");
		goto fail;
	}
	s->global = 1;
	vi = curl_version_info(CURLVERSION_NOW);
	s->no_sftp = 1;
	for (pr = vi->protocols; pr != NULL && *pr != NULL; pr++)
		if (strcmp(*pr, "sftp") == 0)
			s->no_sftp = 0;
	if (s->no_sftp && s->nr > 0) {
		fx_err_set(err, FX_EUNAVAIL, "libcurl %s has no SFTP: sftp.pull "
		    "and sftp.push need one built with libssh2", vi->version);
		goto fail;
	}
	if (mkdir_p(s->tmp, err) == -1)
		goto fail;
	if ((s->curl = curl_easy_init()) == NULL) {
		fx_err_set(err, FX_ESOFTWARE, "libcurl: cannot initialise");
		goto fail;
	}
	clean_tmp(s);
	if (s->nr > 0 && access(s->known_hosts, R_OK) == -1)
		slog(s, FX_QLOG_WARN, "sftp: %s: %s: every host key will be "
		    "refused", s->known_hosts, strerror(errno));
	*sp = s;
	return 0;
fail:
	fx_sftp_free(s);
	return -1;
}

int
fx_sftp_check(struct fx_ctx *ctx, struct fx_err *err)
{
	const struct fx_conf *c = fx_ctx_conf(ctx);
	struct remote r;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	if (strcmp(c->sftp_pull, "none") != 0)
		rc = remote_init(&r, "sftp.pull", c->sftp_pull, 0, err);
	remote_free(&r);
	memset(&r, 0, sizeof(r));
	if (rc == 0 && strcmp(c->sftp_push, "none") != 0)
		rc = remote_init(&r, "sftp.push", c->sftp_push, 1, err);
	remote_free(&r);
	return rc;
}

int
fx_sftp_url_check(const char *key, const char *url, struct fx_err *err)
{
	struct remote r;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = remote_init(&r, key, url, 0, err);
	remote_free(&r);
	return rc;
}

/*
 * A dealer folder's remotes: the "pull URL" and "push URL" lines of its
 * channel file (fx_channel_read, the queue's reader).  Only a folder the
 * queue serves (it made in/) is taken.  A channel file that cannot be
 * read keeps the folder's remotes as they were, as the queue keeps its
 * user and mode (the queue says why in the log).
 */
static void
dealer_file(struct fx_sftp *s, const char *dname)
{
	char buf[4096], tag[80], chan[96], why[256], *v;
	struct fx_channel ch;
	struct fx_err err;
	struct remote *r;
	struct stat st;
	size_t i, k;
	int push;

	snprintf(chan, sizeof(chan), "dealers/%s", dname);
	snprintf(buf, sizeof(buf), "%s/%s/in", s->dealers, dname);
	if (lstat(buf, &st) == -1 || !S_ISDIR(st.st_mode))
		return;
	snprintf(tag, sizeof(tag), "d-%s", dname);
	snprintf(buf, sizeof(buf), "%s/%s/channel", s->dealers, dname);
	if (fx_channel_read(buf, &ch, why, sizeof(why)) == -1) {
		for (i = 0; i < s->nr; i++)
			if (!s->r[i].fixed && strcmp(s->r[i].tag, tag) == 0)
				s->r[i].gen = s->gen;
		return;
	}
	for (k = 0; k < ch.npull + ch.npush; k++) {
		push = k >= ch.npull;
		v = push ? ch.push[k - ch.npull] : ch.pull[k];
		for (i = 0; i < s->nr; i++) {
			r = &s->r[i];
			if (!r->fixed && r->push == push &&
			    strcmp(r->tag, tag) == 0 &&
			    strcmp(r->given, v) == 0)
				break;
		}
		if (i < s->nr) {
			s->r[i].gen = s->gen;
			continue;
		}
		r = remote_add(s, tag, chan, push);
		r->gen = s->gen;
		r->max_size = s->max_order;
		fx_err_clear(&err);
		if (remote_init(r, push ? "push" : "pull", v, push,
		    &err) == -1) {
			r->bad = 1;
			slog(s, FX_QLOG_WARN, "sftp: %s/%s/channel: %s: not "
			    "served", s->dealers, dname, err.msg);
		} else
			slog(s, FX_QLOG_INFO, "sftp %s: %s for dealer channel "
			    "%s", r->url, push ? "push" : "pull", tag);
	}
	fx_channel_release(&ch);
}

/* Find the dealers' remotes again; forget those no longer written. */
static void
dealer_remotes(struct fx_sftp *s)
{
	struct dirent *de;
	size_t i, j;
	DIR *d;

	s->gen++;
	if ((d = opendir(s->dealers)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (!fx_channel_dir_ok(de->d_name))
				continue;
			dealer_file(s, de->d_name);
		}
		closedir(d);
	}
	for (i = j = 0; i < s->nr; i++) {
		if (!s->r[i].fixed && s->r[i].gen != s->gen) {
			remote_free(&s->r[i]);
			continue;
		}
		if (i != j)
			s->r[j] = s->r[i];
		j++;
	}
	s->nr = j;
}

int
fx_sftp_run(struct fx_sftp *s, int flags, const volatile int *stop)
{
	struct remote *r;
	int64_t now;
	long delay;
	size_t i;
	int nfail = 0, rc, k;

	s->stop = stop;
	dealer_remotes(s);
	for (i = 0; i < s->nr; i++) {
		if (stop != NULL && *stop)
			break;
		r = &s->r[i];
		if (r->bad)
			continue;
		if ((r->push && (flags & FX_SFTP_NOPUSH)) ||
		    (!r->push && (flags & FX_SFTP_NOPULL)))
			continue;
		if (!(flags & FX_SFTP_FORCE) && mono_ms() < r->due)
			continue;
		s->why[0] = '\0';
		if (s->no_sftp)
			rc = failed(s, "libcurl has no SFTP");
		else
			rc = r->push ? push(s, r) : pull(s, r);
		now = mono_ms();
		if (rc == 0) {
			if (r->failures > 0)
				slog(s, FX_QLOG_INFO, "sftp %s: %s works again "
				    "after %d failures", r->url,
				    r->push ? "push" : "pull", r->failures);
			r->failures = 0;
			r->due = now + (int64_t)s->interval * 1000;
			continue;
		}
		if (stop != NULL && *stop) {
			r->due = now;	/* cut short: not its fault */
			break;
		}
		nfail++;
		r->failures++;
		delay = s->min_backoff;
		for (k = 1; k < r->failures && delay < s->max_backoff; k++)
			delay *= 2;
		if (delay > s->max_backoff)
			delay = s->max_backoff;
		r->due = now + (int64_t)delay * 1000;
		slog(s, FX_QLOG_WARN, "sftp %s: %s failed (%d in a row): %s; "
		    "next attempt in %lds", r->url, r->push ? "push" : "pull",
		    r->failures, s->why, delay);
		if (r->failures == s->alert_after)
			slog(s, FX_QLOG_ALERT, "sftp %s: %s failed %d times in a "
			    "row: files wait, nothing is lost; last: %s",
			    r->url, r->push ? "push" : "pull", r->failures,
			    s->why);
	}
	s->stop = NULL;
	return nfail;
}

long
fx_sftp_wait(const struct fx_sftp *s)
{
	int64_t now = mono_ms(), w = (int64_t)s->interval * 1000;
	size_t i;

	for (i = 0; i < s->nr; i++)
		if (!s->r[i].bad && s->r[i].due - now < w)
			w = s->r[i].due - now;
	return w < 0 ? 0 : (long)w;
}
