/*
 * queue.c -- the exchange queue formixd runs: files dropped into a
 * channel's in/ directory are taken when complete, applied exactly once,
 * and answered with an acknowledgement in the channel's out/.
 *
 * The layout (formix-spool(7)) is Postfix's queue directories with a
 * directory per entry, so that a file keeps its own name (1C's names say
 * which part of an exchange a file is, and the applied mark records
 * them):
 *
 *	spool/1c/in/NAME			dropped by 1C (or its cron)
 *	spool/queue/incoming/ID.CHAN/NAME...	taken, waiting
 *	spool/queue/active/ID.CHAN/		being applied
 *	spool/queue/done/ID.CHAN/		applied (or applied before)
 *	spool/queue/corrupt/ID.CHAN/NAME.err	refused, with the reason
 *	spool/queue/deferred/ID.CHAN/.retry	failed for now; the directory's
 *						mtime is the next attempt
 *	spool/1c/out/NAME.ID.ack		what became of it
 *
 * ID is time based and unique (Postfix's long queue ids): 8 hex digits of
 * seconds and 5 of microseconds, made strictly increasing, so that the
 * entries of a channel sort in the order they arrived.  CHAN names the
 * channel, and so the identity the entry is applied with: identity comes
 * from where a file was dropped, never from what it says.
 *
 * Every state change is one rename (RENAME_NOREPLACE: nothing is ever
 * replaced) followed by an fsync of both directories; a file is in
 * exactly one place at any moment.  Intake is the rename of the dropped
 * file into a fresh entry directory; later changes rename the entry.
 * The import and the file's applied mark (its SHA-256) commit in one
 * LMDB transaction, and only then is the entry renamed to done/: a crash
 * between the two leaves it in active/, which startup recovery renames
 * back to incoming/, and the second run finds it "already applied".
 * Nothing is deleted, except directories a crash left empty.
 *
 * When is a file complete?  A file renamed into in/ (inotify's
 * IN_MOVED_TO) is, and is taken at once.  A file merely closed after
 * writing is no proof (an SFTP upload killed midway is closed too): it
 * is taken only when it has not changed for spool.settle seconds and its
 * format says it is whole (XML ends with its root's closing tag).  One
 * that still looks cut short after spool.incomplete_after is taken
 * anyway, to be refused with a report.  Files found by a scan are judged
 * as closed ones: a scan cannot know how they arrived.  Dot-files,
 * *.part, *.filepart and *.tmp are uploads in progress: never taken.
 * Anything not a regular file with one link (symbolic links, hard links,
 * FIFOs, directories) is moved, never opened or followed, to corrupt/;
 * if even that cannot be done safely it is left alone, with a log line.
 *
 * Packages: 1C writes the parts of one exchange (import, offers, prices,
 * rests, or import0_1... ) as separate files that must be applied
 * together, in one transaction.  A CommerceML part (import*, offers*,
 * prices*, rests* .xml) joins the channel's newest entry if that is a
 * package of parts still open: its last part arrived less than
 * spool.package_window seconds ago and it has no file of that name.  A
 * package runs once the window has passed without a new part; any other
 * file is a package of its own and runs at once.  The window is the
 * entry directory's mtime, which every part renamed in moves, so it
 * survives a restart.  The 1C channel is first in, first out: a package
 * waits for the ones before it, deferred ones included, since an older
 * catalog applied after a newer one would undo it.
 *
 * Failures: bad input (FX_EDATA and the like) goes to corrupt/ with a
 * NAME.err beside each file; a temporary failure (FX_ETEMP: the map full
 * at its maximum; FX_EIO: the disk) goes to deferred/ to be retried
 * after spool.min_backoff, doubling up to spool.max_backoff, with one
 * alert after spool.alert_after failures.  Intake stops while the spool's
 * filesystem has less than spool.min_free free.
 *
 * inotify is a hint (fx_queue_hint); fx_queue_intake with full set reads
 * the directories, which are the truth.  In memory the queue keeps only
 * what makes it fast: the entries of incoming/ and deferred/ in id order,
 * and the dropped files it is waiting for.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "fx-int.h"

#define QID_LEN		13		/* 8 hex seconds, 5 hex microseconds */
#define STALE_TMP	(36LL * 3600)	/* seconds: spool/tmp leftovers */
#define MAX_JOB_WARNS	20		/* logged per package, then counted */
#define SEC		1000000LL	/* microseconds */

enum qstate { Q_INCOMING, Q_ACTIVE, Q_DEFERRED, Q_DONE, Q_CORRUPT, Q_N };

static const char *const qnames[Q_N] = {
	"incoming", "active", "deferred", "done", "corrupt"
};

struct fx_queue;
struct job;

/*
 * The channels.  1C's is fixed; a dealer's is one a folder,
 * spool/dealers/DIR, found by its channel file (DIR/channel: "user
 * LOGIN", "mode auto|check|draft", read by fx_channel_read in channel.c),
 * written by staff (formix-admin folder) in a folder the dealer cannot
 * write (the chroot of its SFTP account).  A dealer
 * channel's tag is "d-DIR"; it is not FIFO, and its files act as the
 * channel's user (fx_auth_user): identity from the folder, never from
 * the file.  Channels are found at open and at every full scan, and
 * only ever added (their indexes are kept in entries and hints).
 */
struct chandef {
	int		 fifo;		/* packages run in arrival order */
	const char	*ext;		/* of the acknowledgement in out/ */
	int		(*handle)(struct fx_queue *, struct job *,
			    struct fx_err *);
};

static int	 handle_1c(struct fx_queue *, struct job *, struct fx_err *);
static int	 handle_dealer(struct fx_queue *, struct job *,
		    struct fx_err *);
static int	 handle_mail(struct fx_queue *, struct job *, struct fx_err *);

static const struct chandef def_1c = { 1, "ack", handle_1c };
static const struct chandef def_dealer = { 0, "txt", handle_dealer };
/* The e-mail channel: a Maildir's new/ (mail.maildir); see handle_mail. */
static const struct chandef def_mail = { 0, "txt", handle_mail };

/* What a dealer's dropped order becomes (its channel file's mode). */
enum dmode {
	DM_AUTO,	/* submit if every row is ok, else a draft */
	DM_CHECK,	/* only the check */
	DM_DRAFT,	/* a draft, never submitted */
};

#define DEALER_DIR_MAX	64	/* [A-Za-z0-9_-] */

struct chan {
	const struct chandef *def;
	char		 tag[DEALER_DIR_MAX + 3];	/* ID.TAG */
	char		*inrel;		/* spool-relative: "1c/in" */
	char		*outrel;
	char		*in;		/* absolute */
	int		 staff;		/* acts as staff (else as login) */
	char		 login[65];
	enum dmode	 mode;
	char		 mail[256];	/* folded secret drop address, or "" */
};

/* An entry of incoming/ or deferred/. */
struct entry {
	char		 name[96];	/* ID.TAG */
	size_t		 chan;
	enum qstate	 state;		/* Q_INCOMING or Q_DEFERRED */
	int		 open;		/* a package of parts: may gain more */
	int		 gone;		/* done or corrupt: skipped */
	int		 attempts;	/* failures so far */
	int64_t		 ready;		/* microseconds: may run from then */
};

/* A file seen in a channel's in/, not taken yet. */
struct pend {
	size_t		 chan;
	char		*name;
	int		 moved;		/* renamed in: complete */
	int		 incomplete;	/* looked cut short: waits long */
	int		 stuck;		/* cannot be taken: said so once */
	int64_t		 check;		/* look again from then */
	struct timespec	 said_mtime;	/* what the last line was about */
	off_t		 said_size;
	unsigned	 gen;		/* full scan that saw it */
};

struct fx_queue {
	struct fx_ctx	*ctx;
	fx_queue_log_fn	*log;
	void		*log_arg;
	char		*spool;
	char		*tmp;
	char		*dir[Q_N];
	struct chan	*chans;
	size_t		 nchans, chancap;
	struct fx_actor	 staff;
	struct entry	*ents;
	size_t		 nents, entcap, head, ngone;
	struct fx_map	 pend;		/* "CHAN/NAME" -> struct pend * */
	size_t		 npend;
	unsigned	 gen;
	int64_t		 last_id;	/* microseconds of the last id */
	int		 low_space;
	/* Directories to fsync before an intake pass ends. */
	char		**dirty;
	size_t		 ndirty, dirtycap;
	/* Entries applied and answered, to move to done/ together. */
	struct fin	*fin;
	size_t		 nfin, fincap;
	struct fx_queue_stats st;
	int		 said_nosmtp;	/* mail waits: mail.smtp_url unset */
	int		 mail_now;	/* SIGUSR1: every mail pending is due */
};

/*
 * An entry applied and answered, waiting in active/ to be moved to done/
 * with the others finished since the last flush (flush_fin): the
 * directory fsyncs of the answers in out/, of active/ and of done/ are
 * then one each, not one each per file.  What it needs for the log line.
 */
struct fin {
	char		 name[96];	/* ID.TAG, as struct entry's */
	char		*dir;		/* in active/ */
	char		**names;
	size_t		 n;
	char		 msg[640];	/* what the log line says */
	int		 already;
};

/* Finished entries moved to done/ at once, at most. */
#define FIN_BATCH	16

static int	 flush_fin(struct fx_queue *, struct fx_err *);

/* A package being applied. */
struct job {
	struct entry	 e;
	struct chan	*c;
	char		 id[QID_LEN + 1];
	char		*dir;		/* the entry's directory now */
	char		**names;	/* its files, sorted */
	char		**paths;
	size_t		 n;
	struct fx_import_stats st;
	size_t		 nwarns;
	/* A dealer's file: what became of it, for the summary in out/. */
	char		 status[32];
	struct fx_buf	 report;	/* "key: value" lines */
};

/* Time. */

static int64_t
ts_us(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * SEC + ts->tv_nsec / 1000;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts_us(&ts);
}

static int
conf_int(const struct fx_queue *q, size_t off)
{
	return *(const int *)((const char *)&q->ctx->conf + off);
}

#define CONF(q, m)	conf_int((q), offsetof(struct fx_conf, m))

/* Logging: "id=ID chan=TAG file="a" file="b": message". */

static void __attribute__((format(printf, 6, 7)))
qlog(struct fx_queue *q, enum fx_qlog lvl, const char *entry,
    char *const *files, size_t nfiles, const char *fmt, ...)
{
	struct fx_buf b = { 0 };
	char qn[512], msg[1024];
	const char *dot;
	va_list ap;
	size_t i;

	if (q->log == NULL)
		return;
	if (entry != NULL) {
		dot = strchr(entry, '.');
		if (dot != NULL)
			fx_buf_addf(&b, "id=%.*s chan=%s", (int)(dot - entry),
			    entry, dot + 1);
		else
			fx_buf_addf(&b, "id=%s", entry);
	}
	for (i = 0; i < nfiles; i++)
		fx_buf_addf(&b, "%sfile=\"%s\"", b.len > 0 ? " " : "",
		    fx_quote(qn, sizeof(qn), files[i]));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (b.len > 0)
		fx_buf_adds(&b, ": ");
	fx_buf_adds(&b, msg);
	q->log(q->log_arg, lvl, fx_buf_str(&b));
	fx_buf_release(&b);
}

/*
 * The one-line form of an error: the file named by its base name (not
 * the queue's path), and nothing that could start a second line.
 */
static void
errline(const struct fx_err *err, char *buf, size_t sz)
{
	struct fx_err e = *err;
	const char *s = strrchr(e.file, '/');
	char *p;

	if (s != NULL)
		memmove(e.file, s + 1, strlen(s + 1) + 1);
	fx_err_format(&e, buf, sz);
	for (p = buf; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

/* Paths. */

static char *
entry_path(const struct fx_queue *q, enum qstate s, const char *name)
{
	return fx_path_join(q->dir[s], name);
}

/* The id of a new entry: strictly increasing microseconds. */
static void
new_id(struct fx_queue *q, char id[QID_LEN + 1])
{
	int64_t us = now_us();

	if (us <= q->last_id)
		us = q->last_id + 1;
	q->last_id = us;
	snprintf(id, QID_LEN + 1, "%08llX%05lX",
	    (unsigned long long)(us / SEC) & 0xffffffffULL,
	    (unsigned long)(us % SEC));
}

/* Microseconds of an id, or -1 if name does not start with one. */
static int64_t
id_us(const char *name)
{
	unsigned long long sec = 0, usec = 0;
	size_t i;
	int c, v;

	for (i = 0; i < QID_LEN; i++) {
		c = (unsigned char)name[i];
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return -1;
		if (i < 8)
			sec = sec * 16 + (unsigned)v;
		else
			usec = usec * 16 + (unsigned)v;
	}
	if (name[QID_LEN] != '.' || usec >= (unsigned long long)SEC)
		return -1;
	return (int64_t)sec * SEC + (int64_t)usec;
}

/* The channel of an entry name "ID.TAG", or -1. */
static ssize_t
entry_chan(const struct fx_queue *q, const char *name)
{
	size_t i;

	if (id_us(name) == -1)
		return -1;
	for (i = 0; i < q->nchans; i++)
		if (strcmp(name + QID_LEN + 1, q->chans[i].tag) == 0)
			return (ssize_t)i;
	return -1;
}

/* Durability of intake: directories to fsync before the pass ends. */

static void
dirty(struct fx_queue *q, const char *dir)
{
	size_t i;

	/* The channels' and the queue's own directories come first and
	 * often; entry directories once each (a few duplicates are only a
	 * second fsync). */
	for (i = 0; i < q->ndirty && i < 8; i++)
		if (strcmp(q->dirty[i], dir) == 0)
			return;
	q->dirty = fx_grow(q->dirty, &q->dirtycap, q->ndirty + 1,
	    sizeof(*q->dirty));
	q->dirty[q->ndirty++] = fx_strdup(dir);
}

/*
 * Make the renames of an intake pass durable: fsync each directory
 * touched.  Not syncfs(2), which would also write out every other
 * process's dirty data on a shared disk; and on a journalling filesystem
 * the first fsync commits the renames of all the others, which then cost
 * a system call each.
 */
static int
flush_dirty(struct fx_queue *q, struct fx_err *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < q->ndirty; i++)
		if (fx_spool_fsync_dir(q->dirty[i], err) == -1)
			rc = -1;
	for (i = 0; i < q->ndirty; i++)
		free(q->dirty[i]);
	q->ndirty = 0;
	return rc;
}

/* Entries in memory. */

static struct entry *
add_entry(struct fx_queue *q, const char *name, size_t chan,
    enum qstate state)
{
	struct entry *e;
	size_t i;

	q->ents = fx_grow(q->ents, &q->entcap, q->nents + 1, sizeof(*q->ents));
	/* Ids mostly arrive in order: insert from the end. */
	for (i = q->nents; i > q->head &&
	    strcmp(q->ents[i - 1].name, name) > 0; i--)
		;
	memmove(&q->ents[i + 1], &q->ents[i], (q->nents - i) *
	    sizeof(*q->ents));
	q->nents++;
	e = &q->ents[i];
	memset(e, 0, sizeof(*e));
	fx_strlcpy(e->name, name, sizeof(e->name));
	e->chan = chan;
	e->state = state;
	return e;
}

static void
drop_entry(struct fx_queue *q, struct entry *e)
{
	size_t i, o;

	e->gone = 1;
	q->ngone++;
	while (q->head < q->nents && q->ents[q->head].gone)
		q->head++;
	if (q->ngone < 1024 || q->ngone * 2 < q->nents)
		return;
	for (i = o = 0; i < q->nents; i++)
		if (!q->ents[i].gone)
			q->ents[o++] = q->ents[i];
	q->nents = o;
	q->head = 0;
	q->ngone = 0;
}

/* The channel's newest entry, if any. */
static struct entry *
last_entry(struct fx_queue *q, size_t chan)
{
	size_t i;

	for (i = q->nents; i > q->head; i--)
		if (!q->ents[i - 1].gone && q->ents[i - 1].chan == chan)
			return &q->ents[i - 1];
	return NULL;
}

/* The files of an entry directory. */

/*
 * The payload of an entry: every name but dot-files (the queue's notes)
 * and the NAME.err reports of files that are there.  Sorted.
 */
static int
list_entry(const char *dir, char ***namesp, size_t *np, struct fx_err *err)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0, i, j, len;

	*namesp = NULL;
	*np = 0;
	if ((d = opendir(dir)) == NULL)
		return fx_err_sys(err, errno == ENOENT ? FX_ENOINPUT : FX_EIO,
		    "open directory %s", dir);
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		v = fx_grow(v, &cap, n + 1, sizeof(*v));
		v[n++] = fx_strdup(de->d_name);
	}
	if (errno != 0) {
		fx_err_sys(err, FX_EIO, "read directory %s", dir);
		closedir(d);
		fx_strv_free(v, n);
		return -1;
	}
	closedir(d);
	fx_strv_sort(v, n);
	for (i = j = 0; i < n; i++) {
		len = strlen(v[i]);
		if (len > 4 && strcmp(v[i] + len - 4, ".err") == 0) {
			char *stem = fx_strndup(v[i], len - 4);
			char *const *hit = bsearch(&stem, v, n, sizeof(*v),
			    fx_strv_cmp);

			free(stem);
			if (hit != NULL) {
				free(v[i]);
				continue;
			}
		}
		v[j++] = v[i];
	}
	*namesp = v;
	*np = j;
	return 0;
}

static void
job_release(struct job *j)
{
	fx_strv_free(j->names, j->n);
	fx_strv_free(j->paths, j->n);
	free(j->dir);
	fx_buf_release(&j->report);
	memset(j, 0, sizeof(*j));
}

/* Opening and closing. */

static int mkdir_ok(const char *, struct fx_err *);

static struct chan *
add_chan(struct fx_queue *q, const struct chandef *def, const char *tag,
    const char *inrel, const char *outrel)
{
	struct chan *c;

	q->chans = fx_grow(q->chans, &q->chancap, q->nchans + 1,
	    sizeof(*q->chans));
	c = &q->chans[q->nchans++];
	memset(c, 0, sizeof(*c));
	c->def = def;
	fx_strlcpy(c->tag, tag, sizeof(c->tag));
	c->inrel = fx_strdup(inrel);
	c->outrel = fx_strdup(outrel);
	c->in = fx_path_join(q->spool, inrel);
	return c;
}

/* The queue's name for a channel file's mode. */
static enum dmode
dmode_of(enum fx_chmode m)
{
	return m == FX_CHMODE_CHECK ? DM_CHECK : m == FX_CHMODE_DRAFT ?
	    DM_DRAFT : DM_AUTO;
}

/*
 * Find the dealer folders with a channel file; add the new ones (making
 * their in/ and out/), update the others' user and mode.  A bad channel
 * file is said at every full scan and changes nothing.
 */
static void
dealer_chans(struct fx_queue *q)
{
	char *top, *dir, *cf, *pin, *pout, why[256];
	char tag[DEALER_DIR_MAX + 3];
	char rin[DEALER_DIR_MAX + 32], rout[DEALER_DIR_MAX + 32];
	struct fx_channel ch;
	struct dirent *de;
	struct fx_err err;
	struct stat st;
	struct chan *c;
	size_t i;
	DIR *d;

	top = fx_path_join(q->spool, "dealers");
	if ((d = opendir(top)) == NULL) {
		free(top);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!fx_channel_dir_ok(de->d_name))
			continue;
		dir = fx_path_join(top, de->d_name);
		cf = fx_path_join(dir, "channel");
		memset(&ch, 0, sizeof(ch));
		if (lstat(dir, &st) == -1 || !S_ISDIR(st.st_mode) ||
		    lstat(cf, &st) == -1)
			goto next;
		if (fx_channel_read(cf, &ch, why, sizeof(why)) == -1) {
			qlog(q, FX_QLOG_WARN, NULL, NULL, 0, "%s: %s: dealer "
			    "channel not served", cf, why);
			goto next;
		}
		snprintf(tag, sizeof(tag), "d-%.64s", de->d_name);
		for (i = 0; i < q->nchans; i++)
			if (strcmp(q->chans[i].tag, tag) == 0)
				break;
		if (i < q->nchans)
			c = &q->chans[i];
		else {
			snprintf(rin, sizeof(rin), "dealers/%.64s/in",
			    de->d_name);
			snprintf(rout, sizeof(rout), "dealers/%.64s/out",
			    de->d_name);
			pin = fx_path_join(q->spool, rin);
			pout = fx_path_join(q->spool, rout);
			i = mkdir_ok(pin, &err) == 0 &&
			    mkdir_ok(pout, &err) == 0;
			free(pin);
			free(pout);
			if (!i) {
				qlog(q, FX_QLOG_WARN, NULL, NULL, 0, "%s: "
				    "dealer channel not served: %s", dir,
				    err.msg);
				goto next;
			}
			c = add_chan(q, &def_dealer, tag, rin, rout);
			qlog(q, FX_QLOG_INFO, NULL, NULL, 0, "dealer channel "
			    "%s: %s, acting as user \"%s\"", tag, c->inrel,
			    ch.login);
		}
		fx_strlcpy(c->login, ch.login, sizeof(c->login));
		c->mode = dmode_of(ch.mode);
		fx_strlcpy(c->mail, ch.mail, sizeof(c->mail));
next:
		fx_channel_release(&ch);
		free(dir);
		free(cf);
	}
	closedir(d);
	free(top);
}

static int
mkdir_ok(const char *path, struct fx_err *err)
{
	struct stat st;

	if (mkdir(path, 0750) == 0 || errno == EEXIST) {
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		return fx_err_set(err, FX_ECANTCREAT, "%s is not a directory",
		    path);
	}
	return fx_err_sys(err, FX_ECANTCREAT, "mkdir %s", path);
}

/*
 * The e-mail channel, if mail.maildir is set: the Maildir (relative to
 * the spool) where the MTA delivers, whose new/ is the channel's in/.
 * It must be on the spool's filesystem: intake is a rename.
 */
static int
mail_chan(struct fx_queue *q, struct fx_err *err)
{
	const char *md = q->ctx->conf.mail_maildir;
	char *top, *sub, *p;
	static const char *const subs[] = { "tmp", "new", "cur" };
	const char *url = q->ctx->conf.mail_smtp_url;
	size_t i;

	/* curl would take any of its protocols: only SMTP is meant. */
	if (url[0] != '\0' && strncasecmp(url, "smtp://", 7) != 0 &&
	    strncasecmp(url, "smtps://", 8) != 0)
		return fx_err_set(err, FX_ECONFIG, "mail.smtp_url \"%s\": "
		    "expected smtp://HOST[:PORT] or smtps://HOST[:PORT]", url);
	if (md == NULL || md[0] == '\0')
		return 0;
	p = fx_path_join(q->spool, "mail");
	sub = fx_path_join(p, "out");
	top = fx_path_join(q->spool, md);
	if (mkdir_ok(p, err) == -1 || mkdir_ok(sub, err) == -1 ||
	    mkdir_ok(top, err) == -1) {
		free(p);
		free(sub);
		free(top);
		return -1;
	}
	free(p);
	free(sub);
	for (i = 0; i < nitems(subs); i++) {
		p = fx_path_join(top, subs[i]);
		if (mkdir_ok(p, err) == -1) {
			free(p);
			free(top);
			return -1;
		}
		free(p);
	}
	free(top);
	p = fx_path_join(md, "new");
	(void)add_chan(q, &def_mail, "mail", p, "mail/out");
	qlog(q, FX_QLOG_INFO, NULL, NULL, 0, "mail channel: %s, senders "
	    "vouched for by %s%s%s", p, q->ctx->conf.mail_authserv_id[0] !=
	    '\0' ? "authserv-id \"" : "", q->ctx->conf.mail_authserv_id,
	    q->ctx->conf.mail_authserv_id[0] != '\0' ? "\" or the dealers' "
	    "drop addresses" : "the dealers' drop addresses only");
	free(p);
	return 0;
}

int
fx_queue_open(struct fx_queue **qp, struct fx_ctx *ctx, fx_queue_log_fn *log,
    void *arg, struct fx_err *err)
{
	struct fx_queue *q;
	char *p;
	size_t i;

	*qp = NULL;
	/*
	 * Every library a queued file may need, now: a daemon missing one
	 * fails at its start, not at the first XLSX a dealer drops.
	 */
	if (fx_lazy_load(FX_LAZY_ALL, err) == -1)
		return -1;
	q = fx_calloc(1, sizeof(*q));
	q->ctx = ctx;
	q->log = log;
	q->log_arg = arg;
	q->spool = fx_strdup(ctx->conf.spool_path);
	q->tmp = fx_path_join(q->spool, "tmp");
	p = fx_path_join(q->spool, "queue");
	if (mkdir_ok(q->spool, err) == -1 || mkdir_ok(q->tmp, err) == -1 ||
	    mkdir_ok(p, err) == -1) {
		free(p);
		goto fail;
	}
	for (i = 0; i < Q_N; i++) {
		q->dir[i] = fx_path_join(p, qnames[i]);
		if (mkdir_ok(q->dir[i], err) == -1) {
			free(p);
			goto fail;
		}
	}
	free(p);

	/*
	 * 1C's files act as staff: the daemon runs as the formix system
	 * user, whose group is access.staff_group.
	 */
	if (fx_auth(ctx, NULL, err) == -1)
		goto fail;
	if (!ctx->actor.staff) {
		fx_err_set(err, FX_EPERM, "permission denied: formixd applies "
		    "1C's files as staff: run it as root or a member of the "
		    "group \"%s\" (access.staff_group)", ctx->conf.staff_group);
		goto fail;
	}
	q->staff = ctx->actor;

	{
		struct chan *c;
		char *out;

		c = add_chan(q, &def_1c, "1c", "1c/in", "1c/out");
		c->staff = 1;
		out = fx_path_join(q->spool, c->outrel);
		p = fx_path_join(q->spool, "1c");
		if (mkdir_ok(p, err) == -1 || mkdir_ok(c->in, err) == -1 ||
		    mkdir_ok(out, err) == -1) {
			free(p);
			free(out);
			goto fail;
		}
		free(p);
		free(out);
	}
	if (mail_chan(q, err) == -1)
		goto fail;
	dealer_chans(q);
	*qp = q;
	return 0;
fail:
	fx_queue_free(q);
	return -1;
}

static void
pend_free(void *v)
{
	struct pend *p = v;

	if (p == NULL)
		return;
	free(p->name);
	free(p);
}

void
fx_queue_free(struct fx_queue *q)
{
	struct fx_err err;
	char msg[512];
	size_t i;

	if (q == NULL)
		return;
	/* What finished goes to done/ before we go (SIGTERM, --once). */
	if (flush_fin(q, &err) == -1) {
		errline(&err, msg, sizeof(msg));
		qlog(q, FX_QLOG_ALERT, NULL, NULL, 0, "finished entries not "
		    "moved to done: %s", msg);
	}
	free(q->fin);
	for (i = 0; i < q->nchans; i++) {
		free(q->chans[i].in);
		free(q->chans[i].inrel);
		free(q->chans[i].outrel);
	}
	free(q->chans);
	for (i = 0; i < Q_N; i++)
		free(q->dir[i]);
	for (i = 0; i < q->ndirty; i++)
		free(q->dirty[i]);
	free(q->dirty);
	fx_map_release(&q->pend, pend_free);
	free(q->ents);
	free(q->spool);
	free(q->tmp);
	free(q);
}

size_t
fx_queue_nchan(const struct fx_queue *q)
{
	return q->nchans;
}

const char *
fx_queue_chan_dir(const struct fx_queue *q, size_t i)
{
	return i < q->nchans ? q->chans[i].in : NULL;
}

void
fx_queue_stats(const struct fx_queue *q, struct fx_queue_stats *st)
{
	size_t i;

	*st = q->st;
	st->waiting = st->queued = 0;
	st->intake_stopped = q->low_space;
	for (i = q->head; i < q->nents; i++) {
		if (q->ents[i].gone)
			continue;
		if (q->ents[i].state == Q_DEFERRED)
			st->waiting++;
		else
			st->queued++;
	}
}

void
fx_queue_flush(struct fx_queue *q)
{
	struct entry *e;
	char *path;
	size_t i;

	/* On disk too (the mtime is the next attempt), as "touch" would. */
	for (i = q->head; i < q->nents; i++) {
		e = &q->ents[i];
		if (e->gone || e->state != Q_DEFERRED)
			continue;
		path = entry_path(q, Q_DEFERRED, e->name);
		(void)utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW);
		free(path);
		e->ready = 0;
	}
	q->mail_now = 1;
}

/* Reading the queue directories. */

/* Failures so far of a deferred entry, from its .retry note. */
static int
read_attempts(const char *dir)
{
	char *path = fx_path_join(dir, ".retry"), buf[64];
	ssize_t r;
	int fd, n = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (fd == -1)
		return 0;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r > 0) {
		buf[r] = '\0';
		if (strncmp(buf, "attempts ", 9) == 0)
			n = (int)strtol(buf + 9, NULL, 10);
	}
	return n < 0 ? 0 : n;
}

/* Is the entry a package of CommerceML parts (its first file one)? */
static int
is_package(const char *dir)
{
	char **names;
	size_t n;
	int r;
	struct fx_err e;

	if (list_entry(dir, &names, &n, &e) == -1)
		return 0;
	r = n > 0 && fx_spool_name_kind(names[0]) == FX_NAME_PART;
	fx_strv_free(names, n);
	return r;
}

/*
 * Read incoming/ and deferred/ into memory: the truth, after recovery
 * and on every full scan (staff may have moved entries by hand).
 */
static int
read_queue(struct fx_queue *q, struct fx_err *err)
{
	static const enum qstate states[] = { Q_INCOMING, Q_DEFERRED };
	int64_t now = now_us(), window;
	struct entry *e;
	struct dirent *de;
	struct stat st;
	char *path;
	ssize_t c;
	size_t i;
	DIR *d;

	window = (int64_t)CONF(q, spool_package_window) * SEC;
	q->nents = q->head = q->ngone = 0;
	for (i = 0; i < nitems(states); i++) {
		if ((d = opendir(q->dir[states[i]])) == NULL)
			return fx_err_sys(err, FX_EIO, "open directory %s",
			    q->dir[states[i]]);
		while ((errno = 0, de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			path = entry_path(q, states[i], de->d_name);
			if ((c = entry_chan(q, de->d_name)) == -1 ||
			    lstat(path, &st) == -1 || !S_ISDIR(st.st_mode)) {
				/* Not ours: said at every full scan. */
				qlog(q, FX_QLOG_WARN, NULL, NULL, 0,
				    "%s: not a queue entry: left alone", path);
				free(path);
				continue;
			}
			if (id_us(de->d_name) > q->last_id)
				q->last_id = id_us(de->d_name);
			e = add_entry(q, de->d_name, (size_t)c, states[i]);
			/* A deferred entry recovered from active/ keeps its
			 * count of failures. */
			e->attempts = read_attempts(path);
			if (states[i] == Q_DEFERRED)
				e->ready = ts_us(&st.st_mtim);
			else if (window > 0 &&
			    ts_us(&st.st_mtim) + window > now &&
			    is_package(path)) {
				e->open = 1;
				e->ready = ts_us(&st.st_mtim) + window;
			}
			free(path);
		}
		if (errno != 0) {
			fx_err_sys(err, FX_EIO, "read directory %s",
			    q->dir[states[i]]);
			closedir(d);
			return -1;
		}
		closedir(d);
	}
	return 0;
}

/* Recovery. */

/*
 * A new entry name ID.TAG.  Ids only grow while the daemon runs; after a
 * restart with the clock set back one could meet an old entry, which a
 * rename would then refuse forever: step past any that exists.
 */
static void
fresh_entry(struct fx_queue *q, const char *tag, char *buf, size_t sz)
{
	char id[QID_LEN + 1], *p;
	struct stat st;
	int s, taken;

	for (;;) {
		new_id(q, id);
		snprintf(buf, sz, "%s.%s", id, tag);
		for (s = taken = 0; s < Q_N && !taken; s++) {
			p = entry_path(q, (enum qstate)s, buf);
			taken = lstat(p, &st) == 0;
			free(p);
		}
		if (!taken)
			return;
	}
}

/* Move a stale spool/tmp file to corrupt/, with its report. */
static void
quarantine_tmp(struct fx_queue *q, const char *name)
{
	char ename[96], msg[512], rname[300];
	char *from, *edir, *to, *names[1];
	struct fx_err err;

	fresh_entry(q, "tmp", ename, sizeof(ename));
	edir = entry_path(q, Q_CORRUPT, ename);
	from = fx_path_join(q->tmp, name);
	to = fx_path_join(edir, name);
	names[0] = (char *)name;
	if (mkdir(edir, 0750) == -1) {
		qlog(q, FX_QLOG_WARN, NULL, names, 1, "stale in spool/tmp: "
		    "cannot quarantine: mkdir %s: %s", edir, strerror(errno));
		goto out;
	}
	if (fx_spool_move(from, to, &err) == -1) {
		errline(&err, msg, sizeof(msg));
		qlog(q, FX_QLOG_WARN, NULL, names, 1, "stale in spool/tmp: "
		    "left alone: %s", msg);
		rmdir(edir);
		goto out;
	}
	fx_spool_fsync_dir(q->dir[Q_CORRUPT], &err);
	snprintf(msg, sizeof(msg), "%s: stale: left in spool/tmp for over 36 "
	    "hours by a write that never finished\n", name);
	snprintf(rname, sizeof(rname), "%s.err", name);
	if (fx_spool_write_at(q->ctx, edir, rname, msg, strlen(msg),
	    &err) == -1) {
		errline(&err, msg, sizeof(msg));
		qlog(q, FX_QLOG_WARN, ename, names, 1, "report not written: "
		    "%s", msg);
	}
	qlog(q, FX_QLOG_WARN, ename, names, 1, "spool/tmp -> corrupt: stale "
	    "temporary file (over 36 hours old)");
	q->st.corrupt++;
out:
	free(from);
	free(edir);
	free(to);
}

int
fx_queue_recover(struct fx_queue *q, struct fx_err *err)
{
	struct dirent *de;
	struct stat st;
	char *from, *to, **names;
	char msg[512];
	size_t n;
	int64_t now = now_us();
	DIR *d;

	/* 1. Whatever was in flight runs again (Postfix: active/ is
	 * emptied at startup).  A package that had committed is found
	 * "already applied" by its hashes. */
	if ((d = opendir(q->dir[Q_ACTIVE])) == NULL)
		return fx_err_sys(err, FX_EIO, "open directory %s",
		    q->dir[Q_ACTIVE]);
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		from = entry_path(q, Q_ACTIVE, de->d_name);
		to = entry_path(q, Q_INCOMING, de->d_name);
		if (entry_chan(q, de->d_name) == -1) {
			qlog(q, FX_QLOG_WARN, NULL, NULL, 0, "%s: not a queue "
			    "entry: left alone", from);
		} else if (fx_spool_rename(from, to, err) == -1) {
			errline(err, msg, sizeof(msg));
			qlog(q, FX_QLOG_WARN, de->d_name, NULL, 0, "recovery: "
			    "left in active: %s", msg);
		} else {
			names = NULL;
			n = 0;
			(void)list_entry(to, &names, &n, err);
			qlog(q, FX_QLOG_INFO, de->d_name, names, n, "active -> "
			    "incoming: recovered after a stop in flight");
			fx_strv_free(names, n);
			fx_crash_at("recover");
		}
		free(from);
		free(to);
	}
	closedir(d);
	if (fx_spool_fsync_dir(q->dir[Q_INCOMING], err) == -1 ||
	    fx_spool_fsync_dir(q->dir[Q_ACTIVE], err) == -1)
		return -1;

	/* 2. Entries a crash left empty, between mkdir and the rename of
	 * the file into them.  rmdir removes nothing else. */
	if ((d = opendir(q->dir[Q_INCOMING])) == NULL)
		return fx_err_sys(err, FX_EIO, "open directory %s",
		    q->dir[Q_INCOMING]);
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || entry_chan(q, de->d_name) == -1)
			continue;
		from = entry_path(q, Q_INCOMING, de->d_name);
		if (rmdir(from) == 0)
			qlog(q, FX_QLOG_DEBUG, de->d_name, NULL, 0, "empty "
			    "entry removed (a stop during intake)");
		free(from);
	}
	closedir(d);

	/* 3. Leftovers of writes that never finished (OpenSMTPD clears its
	 * unfinished intake at startup; a CLI may be writing right now, so
	 * only what is older than 36 hours). */
	if ((d = opendir(q->tmp)) == NULL)
		return fx_err_sys(err, FX_EIO, "open directory %s", q->tmp);
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		from = fx_path_join(q->tmp, de->d_name);
		if (lstat(from, &st) == 0 &&
		    ts_us(&st.st_mtim) + STALE_TMP * SEC < now)
			quarantine_tmp(q, de->d_name);
		free(from);
	}
	closedir(d);
	return read_queue(q, err);
}

/* Acknowledgements. */

/*
 * Tell the channel what became of a package: spool/CHAN/out/NAME.ID.ack,
 * written by the durable file protocol.  A re-run that finds the package
 * already applied keeps an acknowledgement of this id that is still
 * there: it tells more than "already applied".
 */
static void
ack(struct fx_queue *q, struct chan *c, const char *entry, char *const *names,
    size_t n, const char *status, const char *detail, const char *value,
    const struct fx_buf *extra, int sync)
{
	struct fx_buf b = { 0 };
	struct fx_err err;
	struct stat st;
	char fname[320], now[32], msg[512], *out, *path;
	const char *first = n > 0 ? names[0] : "package";
	size_t i;

	snprintf(fname, sizeof(fname), "%.200s.%.*s.%s", first, QID_LEN,
	    entry, c->def->ext);
	if (fname[0] == '.')
		fname[0] = '_';
	if (strcmp(status, "already applied") == 0) {
		out = fx_path_join(q->spool, c->outrel);
		path = fx_path_join(out, fname);
		i = lstat(path, &st) == 0;
		free(out);
		free(path);
		if (i)
			return;
	}
	fx_now_iso(now, sizeof(now));
	fx_buf_addf(&b, "id: %.*s\nchannel: %s\n", QID_LEN, entry,
	    c->tag);
	for (i = 0; i < n; i++)
		fx_buf_addf(&b, "file: %s\n", names[i]);
	fx_buf_addf(&b, "status: %s\ntime: %s\n", status, now);
	if (detail != NULL)
		fx_buf_addf(&b, "%s: %s\n", detail, value);
	if (extra != NULL && extra->len > 0)
		fx_buf_addf(&b, "%.*s", (int)extra->len, extra->p);
	out = fx_path_join(q->spool, c->outrel);
	if ((sync ? fx_spool_write_at(q->ctx, out, fname, b.p, b.len, &err) :
	    fx_spool_write_unsynced(q->ctx, out, fname, b.p, b.len,
	    &err)) == -1) {
		errline(&err, msg, sizeof(msg));
		qlog(q, FX_QLOG_WARN, entry, names, n, "acknowledgement not "
		    "written: %s", msg);
	} else if (!sync)
		dirty(q, out);
	free(out);
	fx_buf_release(&b);
}

/* Intake. */

static struct pend *
pend_get(struct fx_queue *q, size_t chan, const char *name, int create)
{
	struct fx_buf k = { 0 };
	struct pend *p;
	void **slot;

	fx_buf_addf(&k, "%zu/%s", chan, name);
	if (create) {
		slot = fx_map_put(&q->pend, fx_buf_str(&k));
		if (*slot == NULL) {
			p = fx_calloc(1, sizeof(*p));
			p->chan = chan;
			p->name = fx_strdup(name);
			*slot = p;
			q->npend++;
		}
	} else
		slot = fx_map_get(&q->pend, fx_buf_str(&k));
	fx_buf_release(&k);
	return slot != NULL ? *slot : NULL;
}

static void
pend_done(struct fx_queue *q, struct pend *p)
{
	struct fx_buf k = { 0 };
	void **slot;

	fx_buf_addf(&k, "%zu/%s", p->chan, p->name);
	slot = fx_map_get(&q->pend, fx_buf_str(&k));
	fx_buf_release(&k);
	if (slot != NULL && *slot == p) {
		*slot = NULL;
		q->npend--;
	}
	pend_free(p);
}

/* Say once per state of the file (its mtime and size) why it waits. */
static int
say_once(struct pend *p, const struct stat *st)
{
	if (p->said_size == st->st_size &&
	    p->said_mtime.tv_sec == st->st_mtim.tv_sec &&
	    p->said_mtime.tv_nsec == st->st_mtim.tv_nsec)
		return 0;
	p->said_size = st->st_size;
	p->said_mtime = st->st_mtim;
	return 1;
}

/*
 * Refuse a drop that is not a regular file with one link, or whose name
 * has control characters: move it, unopened, to a corrupt/ entry of its
 * own with a report.  If even that fails it stays where it is.
 */
static void
refuse_drop(struct fx_queue *q, struct pend *p, const struct stat *st,
    const char *why)
{
	struct chan *c = &q->chans[p->chan];
	char ename[96], msg[512], qn[512], *safe, *s;
	char *from, *edir = NULL, *to = NULL, *names[1];
	struct fx_err err;

	/* A hostile name is kept in the report, not on disk. */
	safe = fx_strdup(p->name);
	for (s = safe; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '_';
	names[0] = p->name;
	from = fx_path_join(c->in, p->name);
	fresh_entry(q, c->tag, ename, sizeof(ename));
	edir = entry_path(q, Q_CORRUPT, ename);
	to = fx_path_join(edir, safe);
	if (mkdir(edir, 0750) == -1) {
		if (say_once(p, st))
			qlog(q, FX_QLOG_WARN, NULL, names, 1, "%s: %s: left "
			    "alone: cannot move it: mkdir %s: %s",
			    c->inrel, why, edir, strerror(errno));
		p->stuck = 1;
		goto out;
	}
	/* rename moves the link itself: nothing is opened or followed. */
	if (fx_spool_rename(from, to, &err) == -1) {
		rmdir(edir);
		if (err.code == FX_ENOINPUT) {
			pend_done(q, p);
			goto out;
		}
		if (say_once(p, st)) {
			errline(&err, msg, sizeof(msg));
			qlog(q, FX_QLOG_WARN, NULL, names, 1, "%s: %s: left "
			    "alone: cannot be moved safely: %s", c->inrel,
			    why, msg);
		}
		p->stuck = 1;
		goto out;
	}
	dirty(q, c->in);
	dirty(q, q->dir[Q_CORRUPT]);
	if (flush_dirty(q, &err) == -1) {
		errline(&err, msg, sizeof(msg));
		qlog(q, FX_QLOG_WARN, ename, names, 1, "%s", msg);
	}
	snprintf(msg, sizeof(msg), "\"%s\": %s\n",
	    fx_quote(qn, sizeof(qn), p->name), why);
	snprintf(qn, sizeof(qn), "%s.err", safe);
	if (fx_spool_write_at(q->ctx, edir, qn, msg, strlen(msg),
	    &err) == -1) {
		errline(&err, qn, sizeof(qn));
		qlog(q, FX_QLOG_WARN, ename, names, 1, "report not written: "
		    "%s", qn);
	}
	msg[strlen(msg) - 1] = '\0';
	qlog(q, FX_QLOG_WARN, ename, names, 1, "%s -> corrupt: %s",
	    c->inrel, why);
	names[0] = safe;
	ack(q, c, ename, names, 1, "refused", "error", msg, NULL, 1);
	q->st.corrupt++;
	pend_done(q, p);
out:
	free(safe);
	free(from);
	free(edir);
	free(to);
}

/* Is there room for more?  Said once when intake stops and resumes. */
static int
space_ok(struct fx_queue *q)
{
	uint64_t min = q->ctx->conf.spool_min_free, avail;
	struct statvfs vfs;

	if (min == 0 || statvfs(q->spool, &vfs) == -1)
		return 1;
	avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	if (avail >= min) {
		if (q->low_space)
			qlog(q, FX_QLOG_INFO, NULL, NULL, 0, "intake resumed: "
			    "%llu MiB free on the spool",
			    (unsigned long long)(avail >> 20));
		q->low_space = 0;
		return 1;
	}
	if (!q->low_space)
		qlog(q, FX_QLOG_ALERT, NULL, NULL, 0, "intake stopped: %llu "
		    "MiB free on the spool, below spool.min_free (%llu MiB); "
		    "files wait in the channels' in/",
		    (unsigned long long)(avail >> 20),
		    (unsigned long long)(min >> 20));
	q->low_space = 1;
	return 0;
}

/* Take a complete file: rename it into a new entry, or into the open
 * package it belongs to. */
static void
take(struct fx_queue *q, struct pend *p, const struct stat *st, int64_t now)
{
	struct chan *c = &q->chans[p->chan];
	struct entry *e = NULL;
	char ename[96], msg[512];
	char *from, *edir = NULL, *to = NULL, *names[1];
	int64_t window = (int64_t)CONF(q, spool_package_window) * SEC;
	int part = fx_spool_name_kind(p->name) == FX_NAME_PART, join = 0;

	/* Only 1C sends packages of parts. */
	if (!c->def->fifo)
		part = 0;
	struct stat tst;
	struct fx_err err;

	names[0] = p->name;
	from = fx_path_join(c->in, p->name);
	if (part && window > 0 && (e = last_entry(q, p->chan)) != NULL &&
	    e->state == Q_INCOMING && e->open && now < e->ready) {
		edir = entry_path(q, Q_INCOMING, e->name);
		to = fx_path_join(edir, p->name);
		join = lstat(to, &tst) == -1 && errno == ENOENT;
		if (!join) {
			free(edir);
			free(to);
		}
	}
	if (!join) {
		fresh_entry(q, c->tag, ename, sizeof(ename));
		edir = entry_path(q, Q_INCOMING, ename);
		to = fx_path_join(edir, p->name);
		if (mkdir(edir, 0750) == -1) {
			if (say_once(p, st))
				qlog(q, FX_QLOG_WARN, NULL, names, 1, "%s: not "
				    "taken: mkdir %s: %s", c->inrel, edir,
				    strerror(errno));
			p->check = now + (int64_t)CONF(q,
			    spool_scan_interval) * SEC;
			goto out;
		}
		fx_crash_at("intake-mkdir");
	}
	if (fx_spool_rename(from, to, &err) == -1) {
		if (!join)
			rmdir(edir);
		if (err.code == FX_ENOINPUT)
			pend_done(q, p);	/* gone meanwhile */
		else {
			if (say_once(p, st)) {
				errline(&err, msg, sizeof(msg));
				qlog(q, FX_QLOG_WARN, NULL, names, 1, "%s: not "
				    "taken: %s", c->inrel, msg);
			}
			p->check = now + (int64_t)CONF(q,
			    spool_scan_interval) * SEC;
		}
		goto out;
	}
	dirty(q, c->in);
	dirty(q, edir);
	if (join) {
		e->ready = now + window;
		qlog(q, FX_QLOG_INFO, e->name, names, 1, "%s -> incoming: "
		    "%lld bytes, joins the package", c->inrel,
		    (long long)st->st_size);
	} else {
		dirty(q, q->dir[Q_INCOMING]);
		e = add_entry(q, ename, p->chan, Q_INCOMING);
		e->open = part && window > 0;
		e->ready = e->open ? now + window : 0;
		qlog(q, FX_QLOG_INFO, ename, names, 1, "%s -> incoming: %lld "
		    "bytes%s", c->inrel, (long long)st->st_size,
		    e->open ? ", a package open for more parts" : "");
	}
	q->st.taken++;
	pend_done(q, p);
	fx_crash_at("intake");
out:
	free(from);
	free(edir);
	free(to);
}

/*
 * Look at one dropped name: refuse it, take it, or note when to look
 * again.  Returns 1 if it needs intake to stop (no space).
 */
static int
consider(struct fx_queue *q, struct pend *p, int64_t now, int *space)
{
	struct chan *c = &q->chans[p->chan];
	char *path, *names[1], why[128];
	int64_t settle = (int64_t)CONF(q, spool_settle) * SEC, mt;
	int64_t late = (int64_t)CONF(q, spool_incomplete_after) * SEC;
	struct stat st, fst;
	int fd, r, kind;

	names[0] = p->name;
	kind = fx_spool_name_kind(p->name);
	if (kind == FX_NAME_SKIP) {
		pend_done(q, p);
		return 0;
	}
	path = fx_path_join(c->in, p->name);
	if (lstat(path, &st) == -1) {
		free(path);
		pend_done(q, p);	/* taken away: not ours */
		return 0;
	}
	free(path);
	if (p->stuck && !say_once(p, &st)) {
		/* Could not be moved before and has not changed since. */
		p->check = now + (int64_t)CONF(q, spool_scan_interval) * SEC;
		p->said_size = st.st_size;
		p->said_mtime = st.st_mtim;
		return 0;
	}
	if (p->stuck) {
		/* Changed: try again, and say so again if need be. */
		p->stuck = 0;
		p->said_size = -1;
	}
	if (kind == FX_NAME_BAD || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		if (kind == FX_NAME_BAD)
			snprintf(why, sizeof(why), "file name with control "
			    "characters");
		else if (S_ISLNK(st.st_mode))
			snprintf(why, sizeof(why), "a symbolic link, not a "
			    "file: never followed");
		else if (S_ISDIR(st.st_mode))
			snprintf(why, sizeof(why), "a directory, not a file");
		else if (S_ISFIFO(st.st_mode))
			snprintf(why, sizeof(why), "a FIFO, not a file");
		else if (!S_ISREG(st.st_mode))
			snprintf(why, sizeof(why), "a socket or device, not a "
			    "file");
		else
			snprintf(why, sizeof(why), "a file with %lu hard "
			    "links: only a file of its own is taken",
			    (unsigned long)st.st_nlink);
		if (*space == 0)
			*space = space_ok(q) ? 1 : -1;
		if (*space < 0)
			return 1;
		refuse_drop(q, p, &st, why);
		return 0;
	}

	mt = ts_us(&st.st_mtim);
	p->incomplete = 0;
	if (!p->moved) {
		if (now < mt + settle) {
			p->check = mt + settle;
			return 0;
		}
		/*
		 * Closed is not complete: ask the format.  Opened without
		 * following links and without blocking (the name may have
		 * become a FIFO since the lstat).
		 */
		path = fx_path_join(c->in, p->name);
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_NOCTTY | O_CLOEXEC);
		free(path);
		if (fd == -1 || fstat(fd, &fst) == -1) {
			if (fd != -1)
				close(fd);
			p->check = now + SEC;	/* it changed: look again */
			return 0;
		}
		r = 0;
		if (S_ISREG(fst.st_mode) && fst.st_ino == st.st_ino &&
		    fst.st_dev == st.st_dev)
			r = fx_spool_complete(fd, &fst);
		close(fd);
		if (r != 1) {
			if (now < mt + late) {
				if (say_once(p, &st))
					qlog(q, FX_QLOG_INFO, NULL, names, 1,
					    "%s: %s: waits for the rest (taken "
					    "as it is after %d s without "
					    "change)", c->inrel, st.st_size ?
					    "looks cut short" : "empty",
					    CONF(q, spool_incomplete_after));
				p->incomplete = 1;
				p->check = mt + late;
				return 0;
			}
			qlog(q, FX_QLOG_INFO, NULL, names, 1, "%s: still looks "
			    "incomplete after %d s without change: taken as "
			    "it is", c->inrel,
			    CONF(q, spool_incomplete_after));
		}
	}
	if (*space == 0)
		*space = space_ok(q) ? 1 : -1;
	if (*space < 0)
		return 1;
	take(q, p, &st, now);
	return 0;
}

void
fx_queue_hint(struct fx_queue *q, size_t chan, const char *name,
    enum fx_qhint hint)
{
	struct pend *p;

	if (chan >= q->nchans || fx_spool_name_kind(name) == FX_NAME_SKIP)
		return;
	p = pend_get(q, chan, name, 1);
	if (hint == FX_QHINT_MOVED)
		p->moved = 1;
	p->check = 0;
}

/* Drop the tombstones of the pending map when they outnumber the rest. */
static void
pend_compact(struct fx_queue *q)
{
	struct fx_map old = q->pend, nm = { 0 };
	struct fx_buf k = { 0 };
	struct pend *p;
	size_t i;

	if (old.n < 256 || old.n < 4 * q->npend)
		return;
	for (i = 0; i < old.cap; i++) {
		if (old.v[i].key == NULL || (p = old.v[i].val) == NULL)
			continue;
		fx_buf_reset(&k);
		fx_buf_addf(&k, "%zu/%s", p->chan, p->name);
		*fx_map_put(&nm, fx_buf_str(&k)) = p;
	}
	fx_buf_release(&k);
	fx_map_release(&old, NULL);
	q->pend = nm;
}

struct due {
	struct pend	*p;
	int64_t		 ctime;
};

static int
cmp_due(const void *a, const void *b)
{
	const struct due *x = a, *y = b;

	if (x->ctime != y->ctime)
		return x->ctime < y->ctime ? -1 : 1;
	if (x->p->chan != y->p->chan)
		return x->p->chan < y->p->chan ? -1 : 1;
	return strcmp(x->p->name, y->p->name);
}

int
fx_queue_intake(struct fx_queue *q, int full, struct fx_err *err)
{
	struct dirent *de;
	struct pend *p;
	struct due *due = NULL;
	struct stat st;
	size_t ndue = 0, duecap = 0;
	char msg[512], *path;
	int64_t now = now_us();
	size_t i;
	int space = 0, rc = 0;
	DIR *d;

	if (full) {
		dealer_chans(q);
		if (read_queue(q, err) == -1)
			return -1;
		q->gen++;
		for (i = 0; i < q->nchans; i++) {
			if ((d = opendir(q->chans[i].in)) == NULL) {
				rc = fx_err_sys(err, FX_EIO, "open directory "
				    "%s", q->chans[i].in);
				continue;
			}
			while ((errno = 0, de = readdir(d)) != NULL) {
				if (fx_spool_name_kind(de->d_name) ==
				    FX_NAME_SKIP)
					continue;
				p = pend_get(q, i, de->d_name, 1);
				p->gen = q->gen;
				p->check = 0;
			}
			closedir(d);
		}
	}
	/*
	 * Every name whose time has come, in the order the files arrived:
	 * the ids given here are the order a FIFO channel applies them in.
	 * Arrival is the inode's change time (a rename sets it; hash order
	 * and readdir order mean nothing), then the name, which puts 1C's
	 * import before offers, prices and rests of one instant.
	 */
	for (i = 0; i < q->pend.cap; i++) {
		if (q->pend.v[i].key == NULL ||
		    (p = q->pend.v[i].val) == NULL)
			continue;
		if (full && p->gen != q->gen) {
			pend_done(q, p);
			continue;
		}
		if (p->check > now)
			continue;
		due = fx_grow(due, &duecap, ndue + 1, sizeof(*due));
		path = fx_path_join(q->chans[p->chan].in, p->name);
		due[ndue].p = p;
		due[ndue].ctime = lstat(path, &st) == 0 ?
		    ts_us(&st.st_ctim) : 0;
		ndue++;
		free(path);
	}
	if (ndue > 1)
		qsort(due, ndue, sizeof(*due), cmp_due);
	for (i = 0; i < ndue && space >= 0; i++)
		(void)consider(q, due[i].p, now, &space);
	free(due);
	pend_compact(q);
	if (flush_dirty(q, err) == -1) {
		errline(err, msg, sizeof(msg));
		qlog(q, FX_QLOG_WARN, NULL, NULL, 0, "intake: %s", msg);
		rc = -1;
	}
	if (space < 0) {
		/* Look again at the next scan. */
		for (i = 0; i < q->pend.cap; i++)
			if (q->pend.v[i].key != NULL &&
			    (p = q->pend.v[i].val) != NULL && p->check <= now)
				p->check = now + (int64_t)CONF(q,
				    spool_scan_interval) * SEC;
	}
	return rc;
}

long
fx_queue_wait(const struct fx_queue *q, int once)
{
	const struct entry *e;
	const struct pend *p;
	unsigned char *seen;
	int64_t now = now_us(), next = INT64_MAX;
	size_t i;

	for (i = 0; i < q->pend.cap; i++) {
		if (q->pend.v[i].key == NULL ||
		    (p = q->pend.v[i].val) == NULL)
			continue;
		if (once && (p->incomplete || p->stuck))
			continue;
		if (q->low_space && once)
			continue;
		if (p->check < next)
			next = p->check;
	}
	seen = fx_calloc(q->nchans, 1);
	for (i = q->head; i < q->nents; i++) {
		e = &q->ents[i];
		if (e->gone || seen[e->chan])
			continue;
		if (q->chans[e->chan].def->fifo)
			seen[e->chan] = 1;
		if (once && e->state == Q_DEFERRED)
			continue;
		if (e->ready < next)
			next = e->ready;
	}
	free(seen);
	if (next == INT64_MAX)
		return -1;
	if (next <= now)
		return 0;
	return (long)((next - now + 999) / 1000);
}

/* Processing. */

/* The package's warnings, logged with its id (and capped). */
static void
job_warn(void *arg, const struct fx_err *w)
{
	struct job *j = ((void **)arg)[0];
	struct fx_queue *q = ((void **)arg)[1];
	char msg[512];

	if (j->nwarns++ >= MAX_JOB_WARNS)
		return;
	errline(w, msg, sizeof(msg));
	qlog(q, FX_QLOG_INFO, j->e.name, j->names, j->n, "warning: %s", msg);
}

/* 1C's files: one fx_import, as staff. */
static int
handle_1c(struct fx_queue *q, struct job *j, struct fx_err *err)
{
	if (fx_acl_check(q->ctx, FX_ACT_STAFF, NULL, NULL, err) == -1)
		return -1;
	return fx_import(q->ctx, (const char *const *)j->paths, j->n, 0,
	    &j->st, err);
}

/*
 * The legal entity a dealer's file is for: its name may begin with the
 * entity's INN, or INN and KPP ("7701123451_770101001 заказ.xlsx");
 * otherwise the user's only attached entity.  Only ever looked up as the
 * channel's user, who must see it: a file naming another dealer's entity
 * is refused by the check itself.
 */
static int
dealer_entity(struct fx_queue *q, const char *name, char *buf, size_t sz,
    struct fx_err *err)
{
	struct fx_user u;
	size_t n = strspn(name, "0123456789"), k;

	if ((n == 10 || n == 12) && (name[n] == '\0' ||
	    strchr("_-. ", name[n]) != NULL)) {
		k = name[n] == '\0' ? 0 : strspn(name + n + 1,
		    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
		if ((name[n] == '_' || name[n] == '-') && k == 9 &&
		    strchr("_-. ", name[n + 1 + k]) != NULL)
			snprintf(buf, sz, "%.*s/%.9s", (int)n, name,
			    name + n + 1);
		else
			snprintf(buf, sz, "%.*s", (int)n, name);
		return 0;
	}
	if (fx_user_get(q->ctx, q->ctx->actor.login, &u, err) == -1)
		return -1;
	if (u.nentities != 1) {
		fx_user_release(&u);
		return fx_err_set(err, FX_EDATA, "%s: which legal entity? "
		    "begin the file name with its INN, e.g. "
		    "\"7701123451_order.xlsx\"", name);
	}
	fx_strlcpy(buf, u.entities[0], sz);
	fx_user_release(&u);
	return 0;
}

static const char *
money(char *buf, size_t sz, int64_t k)
{
	snprintf(buf, sz, "%s%lld.%02lld", k < 0 ? "-" : "",
	    (long long)(k < 0 ? -k : k) / 100, (long long)(k < 0 ? -k : k) % 100);
	return buf;
}

/*
 * The result workbook into the channel's out/ as NAME.ID.result.xlsx, by
 * the spool's writer.  A re-run after a crash finds it there and keeps it.
 */
static int
dealer_result(struct fx_queue *q, struct job *j, const struct fx_ocheck *c,
    struct fx_err *err)
{
	char rname[320], *out, *to;
	struct fx_buf b;
	struct stat st;
	int rc = 0;

	snprintf(rname, sizeof(rname), "%.200s.%.*s.result.xlsx",
	    j->names[0][0] == '.' ? "_" : j->names[0], QID_LEN, j->e.name);
	out = fx_path_join(q->spool, j->c->outrel);
	to = fx_path_join(out, rname);
	memset(&b, 0, sizeof(b));
	/*
	 * Made again after a crash only if it never reached out/.  out/ is
	 * synced by the summary that follows whatever happens to the entry
	 * (to_done, to_corrupt); an entry deferred instead comes back here.
	 */
	if (lstat(to, &st) == -1 &&
	    (fx_ocheck_xlsx_buf(c, &b, err) == -1 ||
	    fx_spool_write_unsynced(q->ctx, out, rname, b.p, b.len,
	    err) == -1))
		rc = -1;
	if (rc == 0)
		fx_buf_addf(&j->report, "result: %s\n", rname);
	fx_buf_release(&b);
	free(out);
	free(to);
	return rc;
}

/*
 * A dealer's order file, as the channel's user: the check (its workbook
 * goes to out/ whatever follows), then per the channel's mode a draft,
 * submitted if every row is ok.  The same file again is "already
 * applied" (fx_order_new keeps its hash in the order's transaction).
 * A crash between the draft and its submission leaves the draft, and
 * the entry goes round again: the file is then "already applied" as a
 * draft of this channel's user, which auto mode submits now, as it
 * would have then.
 */
static int
handle_dealer(struct fx_queue *q, struct job *j, struct fx_err *err)
{
	struct fx_ocheck c;
	struct fx_order o;
	struct fx_err serr, lerr;
	char ent[300], m[32], line[1024], num[32];
	int rc = -1, lazy = 0;

	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	fx_buf_addf(&j->report, "user: %s\n", j->c->login);
	if (j->n != 1) {
		fx_err_set(err, FX_EDATA, "one order file per entry");
		goto out;
	}
	if (dealer_entity(q, j->names[0], ent, sizeof(ent), err) == -1 ||
	    fx_order_check(q->ctx, j->paths[0], j->names[0], ent, &c,
	    err) == -1)
		goto out;
	fx_buf_addf(&j->report, "entity: %s (%s)\nrows: %zu\naccepted: %zu\n"
	    "refused: %zu\nlines: %zu\nnet: %s\n", c.entity_name, c.entity,
	    c.n, c.naccepted, c.nrefused, c.nlines,
	    money(m, sizeof(m), c.total_net));
	if (dealer_result(q, j, &c, err) == -1)
		goto out;
	if (j->c->mode == DM_CHECK) {
		fx_strlcpy(j->status, "checked", sizeof(j->status));
		rc = 0;
		goto out;
	}
	/*
	 * The draft and its submission commit lazily: the entry reaches
	 * done/ only through flush_fin, which syncs the store first, and a
	 * crash before that runs the file again (already applied, or made
	 * again under the same number, the store having lost it).
	 */
	if (fx_db_lazy(q->ctx->db, 1, err) == -1)
		goto out;
	lazy = 1;
	if (fx_order_new(q->ctx, &c, j->paths[0], NULL, NULL, &o,
	    err) == -1) {
		/* fx_order_new's own words; the hash index says it. */
		if (err->code != FX_ENEGATIVE || o.number == NULL)
			goto out;
		if (j->c->mode == DM_AUTO && c.nrefused == 0 &&
		    strcmp(o.status, "draft") == 0 &&
		    strcmp(o.created_by, j->c->login) == 0) {
			fx_buf_addf(&j->report, "order: %s\nnote: the draft "
			    "made of this file was not submitted: "
			    "submitting it now\n", o.number);
			fx_err_clear(err);
			goto submit;
		}
		errline(err, line, sizeof(line));
		fx_strlcpy(j->status, "already applied", sizeof(j->status));
		fx_buf_addf(&j->report, "order: %s\nnote: %s\n", o.number,
		    line);
		j->st.already_applied = 1;
		rc = 0;
		goto out;
	}
	fx_crash_at("draft");
	fx_buf_addf(&j->report, "order: %s\n", o.number);
	fx_strlcpy(j->status, "draft", sizeof(j->status));
	if (j->c->mode == DM_DRAFT) {
		rc = 0;
		goto out;
	}
	if (c.nrefused > 0) {
		fx_buf_addf(&j->report, "note: %zu of %zu rows refused (see "
		    "the result): saved as draft %s, not submitted\n",
		    c.nrefused, c.n, o.number);
		rc = 0;
		goto out;
	}
submit:
	fx_strlcpy(j->status, "draft", sizeof(j->status));
	fx_strlcpy(num, o.number, sizeof(num));
	fx_order_release(&o);
	memset(&o, 0, sizeof(o));
	fx_err_clear(&serr);
	if (fx_order_submit(q->ctx, num, &o, NULL, NULL, &serr) == -1) {
		errline(&serr, line, sizeof(line));
		fx_buf_addf(&j->report, "note: saved as a draft, not "
		    "submitted: %s\n", line);
	} else
		fx_strlcpy(j->status, "submitted", sizeof(j->status));
	rc = 0;
out:
	if (lazy && fx_db_lazy(q->ctx->db, 0, &lerr) == -1) {
		errline(&lerr, line, sizeof(line));
		qlog(q, FX_QLOG_WARN, j->e.name, j->names, j->n, "%s", line);
	}
	fx_order_release(&o);
	fx_ocheck_release(&c);
	return rc;
}

/* May the package simply be tried again later? */
static int
temporary(const struct fx_err *err)
{
	switch (err->code) {
	case FX_ETEMP:		/* the map full at its maximum, readers full */
	case FX_EIO:		/* the disk */
	case FX_EUNAVAIL:	/* the store */
	case FX_ECANTCREAT:
	case FX_EPERM:		/* an identity that may come back */
	case FX_ECONFIG:	/* fixed by a reload */
		return 1;
	default:
		return err->sys_errno == ENOSPC || err->sys_errno == EDQUOT ||
		    err->sys_errno == ENOMEM;
	}
}

/*
 * E-mail.  A message the MTA delivered into mail.maildir's new/ is taken
 * like any dropped file; here it is read, and acts as the registered user
 * whose address is its one From: mailbox, but only if something vouches
 * for that From: (it is forgeable): the first Authentication-Results
 * header, which our own MTA adds (and strips from incoming mail), naming
 * mail.authserv_id and a DMARC pass (or a DKIM pass for the From:
 * domain); or the message came to the secret drop address of the
 * sender's dealer folder (its channel file's "mail ADDRESS").  Anything
 * else is refused: kept in corrupt/ with its report, an alert in the log
 * and a notice to mail.staff_address; never processed.
 *
 * Each order file attached is handled as if dropped into the sender's
 * dealer folder (its mode; results in its out/), then one reply goes to
 * the sender's registered address (never Reply-To:) through the outbox,
 * with the result workbooks attached.  The reply and the message's mark
 * ("mail:SHA-256" in meta) commit in one transaction, so a message is
 * answered once however often it is run.  NEEDSWORK: the order's own
 * transaction is not that one; a crash between the two answers "already
 * applied as order N" instead of "submitted".
 */

struct mail_ans {
	struct fx_queue	*q;
	const char	*hash;
	const char	*entry;
	const char	*status;	/* "accepted", "refused" */
	const char	*from;
	struct fx_notice n;		/* to send, if n.nto > 0 */
	int		 already;
	char		 seq[32];
};

static int
mail_ans_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct mail_ans *a = arg;
	char key[80], val[64];
	int r;

	snprintf(key, sizeof(key), "mail:%s", a->hash);
	if ((r = fx_meta_get(t, key, val, sizeof(val), err)) == -1)
		return -1;
	if (r == 0) {
		a->already = 1;
		return 1;	/* answered before: nothing to write */
	}
	a->seq[0] = '\0';
	if (a->n.nto > 0 && fx_notify_add(a->q->ctx, t, &a->n, a->seq,
	    err) == -1)
		return -1;
	snprintf(val, sizeof(val), "%s %s", a->status, a->seq[0] != '\0' ?
	    a->seq : "-");
	if (fx_meta_put(t, key, val, err) == -1)
		return -1;
	return fx_audit_add(a->q->ctx, t, strcmp(a->status, "accepted") ==
	    0 ? "mail.accept" : "mail.refuse", a->entry, "from", NULL,
	    a->from, err);
}

/* Refuse a message: the mark, the staff notice, the alert; FX_EDATA. */
static int
mail_refuse(struct fx_queue *q, struct job *j, const struct fx_mail *m,
    const char *hash, const char *why, struct fx_err *err)
{
	struct mail_ans a;
	struct fx_buf body = { 0 };
	struct fx_err e2;
	char subj[400], qf[300], msg[512];
	char *to[1];

	fx_quote(qf, sizeof(qf), m->from);
	memset(&a, 0, sizeof(a));
	a.q = q;
	a.hash = hash;
	a.entry = j->e.name;
	a.status = "refused";
	a.from = m->from;
	/* Not for a machine's message (a bounce of our own mail): no loop. */
	if (q->ctx->conf.mail_staff_address[0] != '\0' && !m->auto_submitted) {
		to[0] = q->ctx->conf.mail_staff_address;
		snprintf(subj, sizeof(subj), "formix: mail refused from "
		    "\"%.200s\"", qf);
		fx_buf_addf(&body, "A message was refused and not "
		    "processed.\n\nqueue id: %.*s\nfrom: %s\nsubject: %s\n"
		    "reason: %s\n\nIt is kept in the spool's "
		    "queue/corrupt/%s.\n", QID_LEN, j->e.name, qf,
		    m->subject != NULL ? m->subject : "", why, j->e.name);
		a.n.kind = (char *)"mail-refused";
		a.n.object = j->e.name;
		a.n.to = to;
		a.n.nto = 1;
		a.n.subject = subj;
		a.n.body = (char *)fx_buf_str(&body);
	}
	q->ctx->actor = q->staff;
	if (fx_db_write(q->ctx->db, mail_ans_txn, &a, &e2) == -1) {
		fx_buf_release(&body);
		*err = e2;
		return -1;	/* temporary: tried again */
	}
	fx_buf_release(&body);
	qlog(q, FX_QLOG_ALERT, j->e.name, j->names, j->n, "mail from \"%s\" "
	    "refused, not processed: %s%s", qf, why, m->auto_submitted ?
	    " (a machine's message: staff not mailed)" : "");
	fx_buf_addf(&j->report, "from: %s\n", qf);
	snprintf(msg, sizeof(msg), "mail refused: %s", why);
	return fx_err_set(err, FX_EDATA, "%s", msg);
}

/* The dealer Ид of a user, into buf ("" if none or not found). */
static void
user_dealer(struct fx_queue *q, const char *login, char *buf, size_t sz)
{
	struct fx_user u;
	struct fx_err e;

	buf[0] = '\0';
	if (fx_user_get(q->ctx, login, &u, &e) == -1)
		return;
	fx_strlcpy(buf, u.dealer != NULL ? u.dealer : "", sz);
	fx_user_release(&u);
}

/* The login of a folded address, or -1 (1: unknown). */
static int
email_login(struct fx_queue *q, const char *folded, char *login, size_t sz,
    struct fx_err *err)
{
	struct fx_txn t;
	const void *v;
	size_t vl;
	int r;

	if (fx_db_begin(q->ctx->db, 0, &t, err) == -1)
		return -1;
	r = fx_db_get(&t, FX_K_IDX_EMAIL, folded, strlen(folded), &v, &vl,
	    err);
	if (r == 0) {
		if (vl >= sz)
			vl = sz - 1;
		memcpy(login, v, vl);
		login[vl] = '\0';
	}
	fx_db_abort(&t);
	return r;
}

/* An attachment name not among used[0..upto) ("a-2.xlsx"). */
static char *
unique_name(char *const *used, size_t upto, const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i, k;
	char *s;

	for (k = 1;; k++) {
		if (k == 1)
			s = fx_strdup(name);
		else {
			size_t stem = dot != NULL ? (size_t)(dot - name) :
			    strlen(name);
			struct fx_buf b = { 0 };

			fx_buf_addf(&b, "%.*s-%zu%s", (int)stem, name, k,
			    dot != NULL ? dot : "");
			s = fx_strdup(fx_buf_str(&b));
			fx_buf_release(&b);
		}
		for (i = 0; i < upto; i++)
			if (strcmp(used[i], s) == 0)
				break;
		if (i == upto)
			return s;
		free(s);
	}
}

static int
handle_mail(struct fx_queue *q, struct job *j, struct fx_err *err)
{
	const struct fx_conf *cf = &q->ctx->conf;
	struct fx_mail m;
	struct fx_mail_limits lim;
	struct fx_user u;
	struct fx_err e2;
	struct mail_ans a;
	struct chan dc, *folder = NULL, *c;
	struct fx_buf body = { 0 }, subj = { 0 };
	char hash[65], login[65], folded[256], ud[128], cd[128], qf[300];
	char line[1024], rname[400], *data = NULL, **names = NULL, **files = NULL;
	char *to[1], *apath, *aname, *p, *cur;
	size_t len, i, k, natt, nfiles = 0, filecap = 0;
	int r, auth = 0, secret = 0, rc = -1;

	memset(&m, 0, sizeof(m));
	memset(&u, 0, sizeof(u));
	natt = 0;
	if (j->n != 1)
		return fx_err_set(err, FX_EDATA, "one message per entry");
	if (fx_sha256_file(j->paths[0], hash, err) == -1)
		return -1;
	if (fx_mail_read(j->paths[0], cf->mail_max_message_size, &data, &len,
	    &e2) == -1) {
		if (e2.code != FX_EDATA) {
			*err = e2;
			return -1;
		}
		snprintf(line, sizeof(line), "over mail.max_message_size "
		    "(%llu bytes)",
		    (unsigned long long)cf->mail_max_message_size);
		m.from = fx_strdup("");
		rc = mail_refuse(q, j, &m, hash, line, err);
		goto out;
	}
	lim.max_attachments = cf->mail_max_attachments;
	lim.max_attachment_size = cf->mail_max_attachment_size;
	r = fx_mail_parse(data, len, &lim, &m, &e2);
	free(data);
	if (r == -1) {
		fx_err_format(&e2, line, sizeof(line));
		memset(&m, 0, sizeof(m));
		m.from = fx_strdup("");
		rc = mail_refuse(q, j, &m, hash, line, err);
		goto out;
	}

	/* Who sent it: a registered, unblocked user... */
	fx_quote(qf, sizeof(qf), m.from);
	if (m.from[0] == '\0') {
		rc = mail_refuse(q, j, &m, hash, "no single From: address",
		    err);
		goto out;
	}
	if (fx_fold(m.from, folded, sizeof(folded)) == -1 ||
	    (r = email_login(q, folded, login, sizeof(login), err)) == 1) {
		snprintf(line, sizeof(line), "From: \"%s\" is not a registered "
		    "address", qf);
		rc = mail_refuse(q, j, &m, hash, line, err);
		goto out;
	}
	if (r == -1)
		goto out;
	if (fx_user_get(q->ctx, login, &u, err) == -1)
		goto out;
	if (u.blocked) {
		snprintf(line, sizeof(line), "From: \"%s\" is user \"%s\", "
		    "who is blocked", qf, login);
		rc = mail_refuse(q, j, &m, hash, line, err);
		goto out;
	}
	user_dealer(q, login, ud, sizeof(ud));

	/* ... vouched for by our MTA, or by the secret drop address. */
	auth = fx_mail_auth_pass(m.auth, cf->mail_authserv_id, m.from);
	for (i = 0; i < q->nchans && folder == NULL; i++) {
		c = &q->chans[i];
		if (c->def != &def_dealer || c->mail[0] == '\0')
			continue;
		for (k = 0; k < m.nrcpt; k++) {
			char fr[256];

			if (fx_fold(m.rcpt[k], fr, sizeof(fr)) == 0 &&
			    strcmp(fr, c->mail) == 0)
				break;
		}
		if (k == m.nrcpt)
			continue;
		user_dealer(q, c->login, cd, sizeof(cd));
		if (strcmp(c->login, login) == 0 || (cd[0] != '\0' &&
		    strcmp(cd, ud) == 0)) {
			folder = c;
			secret = 1;
		}
	}
	if (!auth && !secret) {
		snprintf(line, sizeof(line), "From: \"%s\" not vouched for: no "
		    "Authentication-Results of ours (authserv-id \"%s\") with "
		    "a pass, nor sent to the dealer's drop address", qf,
		    cf->mail_authserv_id);
		rc = mail_refuse(q, j, &m, hash, line, err);
		goto out;
	}
	/* The folder: the user's own, else one of the user's dealer
	 * (looked up as staff, before acting as the user). */
	for (i = 0; i < q->nchans && folder == NULL; i++)
		if (q->chans[i].def == &def_dealer &&
		    strcmp(q->chans[i].login, login) == 0)
			folder = &q->chans[i];
	for (i = 0; i < q->nchans && folder == NULL && ud[0] != '\0'; i++) {
		if (q->chans[i].def != &def_dealer)
			continue;
		user_dealer(q, q->chans[i].login, cd, sizeof(cd));
		if (strcmp(cd, ud) == 0)
			folder = &q->chans[i];
	}
	if (fx_auth_user(q->ctx, login, &e2) == -1) {
		fx_err_format(&e2, line, sizeof(line));
		if (e2.code == FX_EPERM)
			rc = mail_refuse(q, j, &m, hash, line, err);
		else
			*err = e2;
		goto out;
	}
	/* No folder: checked only, the results kept in mail/out. */
	if (folder != NULL)
		dc = *folder;
	else {
		dc = *j->c;
		dc.def = &def_dealer;
		dc.mode = DM_CHECK;
	}
	fx_strlcpy(dc.login, login, sizeof(dc.login));

	fx_buf_addf(&body, "Formix received your message");
	if (m.subject[0] != '\0')
		fx_buf_addf(&body, " \"%s\"", m.subject);
	fx_buf_addf(&body, ".\n\n");
	natt = m.too_many > 0 ? 0 : m.natt;
	if (m.too_many > 0) {
		fx_buf_addf(&body, "Refused: %zu order files attached, at most "
		    "%d a message. Nothing was done; send them in several "
		    "messages.\n", m.natt + m.too_many,
		    cf->mail_max_attachments);
		fx_strlcpy(j->status, "refused: too many files",
		    sizeof(j->status));
	} else if (m.natt == 0)
		fx_buf_addf(&body, "No order file (.xlsx, .xls or .csv) was "
		    "attached: nothing was done.\n");

	/* Each order file, as if dropped into the folder. */
	names = fx_calloc(natt + 1, sizeof(*names));
	for (i = 0; i < natt; i++) {
		struct job sub;
		struct fx_err aerr;
		struct stat st;

		names[i] = unique_name(names, i, m.att[i].name);
		snprintf(rname, sizeof(rname), ".att-%zu", i + 1);
		if (fx_spool_write_at(q->ctx, j->dir, rname, m.att[i].data,
		    m.att[i].len, err) == -1)
			goto out;
		apath = fx_path_join(j->dir, rname);
		aname = names[i];
		memset(&sub, 0, sizeof(sub));
		sub.e = j->e;
		sub.c = &dc;
		sub.names = &aname;
		sub.paths = &apath;
		sub.n = 1;
		fx_err_clear(&aerr);
		r = handle_dealer(q, &sub, &aerr);
		free(apath);
		if (r == -1 && temporary(&aerr) && aerr.code != FX_EPERM) {
			*err = aerr;
			fx_buf_release(&sub.report);
			goto out;	/* deferred: all of it again */
		}
		if (r == -1) {
			errline(&aerr, line, sizeof(line));
			fx_strlcpy(sub.status, "refused", sizeof(sub.status));
			ack(q, &dc, j->e.name, &aname, 1, "refused", "error",
			    line, &sub.report, 1);
		} else
			ack(q, &dc, j->e.name, &aname, 1, sub.status, NULL,
			    NULL, &sub.report, 1);
		fx_buf_addf(&body, "file: %s\nstatus: %s\n", aname,
		    sub.status);
		if (r == -1)
			fx_buf_addf(&body, "error: %s\n", line);
		/* The report less its user line, which says who we know. */
		for (cur = (char *)fx_buf_str(&sub.report); *cur != '\0';
		    cur = p) {
			p = cur + strcspn(cur, "\n");
			if (*p == '\n')
				p++;
			if (strncmp(cur, "user: ", 6) != 0 &&
			    strncmp(cur, "result: ", 8) != 0)
				fx_buf_add(&body, cur, (size_t)(p - cur));
		}
		fx_buf_adds(&body, "\n");
		fx_buf_release(&sub.report);
		snprintf(rname, sizeof(rname), "%s/%.200s.%.*s.result.xlsx",
		    dc.outrel, aname[0] == '.' ? "_" : aname, QID_LEN,
		    j->e.name);
		apath = fx_path_join(q->spool, rname);
		if (lstat(apath, &st) == 0) {
			files = fx_grow(files, &filecap, nfiles + 1,
			    sizeof(*files));
			files[nfiles++] = fx_strdup(rname);
		}
		free(apath);
		if (j->status[0] == '\0' || strcmp(j->status,
		    sub.status) == 0)
			fx_strlcpy(j->status, sub.status, sizeof(j->status));
		else
			fx_strlcpy(j->status, "answered", sizeof(j->status));
	}
	if (m.notes.len > 0)
		fx_buf_addf(&body, "Not processed:\n%s", fx_buf_str(&m.notes));
	if (nfiles > 0)
		fx_buf_addf(&body, "\nThe results are attached%s.\n",
		    folder != NULL ? " and in your folder's out/" : "");
	if (j->status[0] == '\0')
		fx_strlcpy(j->status, "answered", sizeof(j->status));

	/* The reply: to the address as registered, never Reply-To:. */
	to[0] = m.from;
	for (i = 0; i < u.nemails; i++) {
		char fe[256];

		if (fx_fold(u.emails[i], fe, sizeof(fe)) == 0 &&
		    strcmp(fe, folded) == 0)
			to[0] = u.emails[i];
	}
	fx_buf_addf(&subj, "Re: %s", m.subject[0] != '\0' ? m.subject :
	    "your order");
	memset(&a, 0, sizeof(a));
	a.q = q;
	a.hash = hash;
	a.entry = j->e.name;
	a.status = "accepted";
	a.from = m.from;
	a.n.kind = (char *)"reply";
	a.n.object = j->e.name;
	/* Its text in the folder's out/ too: what was mailed, and when. */
	a.n.dealer = folder != NULL ? ud : (char *)"";
	a.n.to = to;
	a.n.nto = 1;
	if (m.auto_submitted && natt == 0 && m.too_many == 0) {
		/* RFC 3834: a machine's message without an order file (an
		 * autoresponder, a bounce) is not answered. */
		a.n.nto = 0;
		fx_strlcpy(j->status, "not answered", sizeof(j->status));
	}
	a.n.subject = (char *)fx_buf_str(&subj);
	a.n.body = (char *)fx_buf_str(&body);
	a.n.files = files;
	a.n.nfiles = nfiles;
	if (fx_db_write(q->ctx->db, mail_ans_txn, &a, err) == -1)
		goto out;
	fx_buf_addf(&j->report, "from: %s\nuser: %s\nfolder: %s\n", qf,
	    login, folder != NULL ? folder->outrel : "none (checked only)");
	if (a.already) {
		fx_buf_addf(&j->report, "note: answered before\n");
		j->st.already_applied = 1;
	} else if (a.n.nto == 0)
		fx_buf_addf(&j->report, "note: a machine's message without an "
		    "order file: not answered\n");
	else
		fx_buf_addf(&j->report, "reply: notice %s to %s\n", a.seq,
		    to[0]);
	rc = 0;
out:
	for (i = 0; names != NULL && i < natt; i++)
		free(names[i]);
	free(names);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	fx_buf_release(&body);
	fx_buf_release(&subj);
	fx_user_release(&u);
	fx_mail_release(&m);
	return rc;
}

static void
summary(char *buf, size_t sz, const struct fx_import_stats *s)
{
	snprintf(buf, sz, "files=%d groups=%llu products=%llu deleted=%llu "
	    "price_types=%llu prices=%llu warehouses=%llu stock=%llu "
	    "dealers=%llu entities=%llu discounts=%llu users=%llu "
	    "deliveries=%llu ledger=%llu warnings=%llu", s->files,
	    (unsigned long long)s->groups, (unsigned long long)s->products,
	    (unsigned long long)s->deleted,
	    (unsigned long long)s->pricetypes, (unsigned long long)s->prices,
	    (unsigned long long)s->warehouses, (unsigned long long)s->stock,
	    (unsigned long long)s->dealers, (unsigned long long)s->entities,
	    (unsigned long long)s->discounts, (unsigned long long)s->users,
	    (unsigned long long)s->deliveries, (unsigned long long)s->ledger,
	    (unsigned long long)s->warnings);
	/* 1C's order documents (order1c.c), when there were any. */
	if (s->orders > 0) {
		size_t len = strlen(buf);

		if (len < sz)
			snprintf(buf + len, sz - len, " orders=%llu "
			    "orders_keyed_in_1c=%llu order_events=%llu",
			    (unsigned long long)s->orders,
			    (unsigned long long)s->orders_new,
			    (unsigned long long)s->order_events);
	}
	/* 1C's files for orders (orderdoc.c). */
	if (s->order_docs > 0) {
		size_t len = strlen(buf);

		if (len < sz)
			snprintf(buf + len, sz - len, " order_docs=%llu",
			    (unsigned long long)s->order_docs);
	}
	/* 1C's claim statuses (claim1c.c), when there were any. */
	if (s->claim_lines > 0) {
		size_t len = strlen(buf);

		if (len < sz)
			snprintf(buf + len, sz - len, " claim_lines=%llu "
			    "claim_changes=%llu",
			    (unsigned long long)s->claim_lines,
			    (unsigned long long)s->claim_changes);
	}
}

/*
 * A move of the entry failed under us (the disk, hands on the spool):
 * try to put it back in incoming/ for a later attempt; if even that
 * fails it stays where it is until the next start recovers it.
 */
static void
stranded(struct fx_queue *q, struct job *j, struct entry *e, const char *msg)
{
	struct fx_err err;
	char *to = entry_path(q, Q_INCOMING, j->e.name);

	if (fx_spool_move(j->dir, to, &err) == 0) {
		qlog(q, FX_QLOG_WARN, j->e.name, j->names, j->n, "active -> "
		    "incoming: %s; tried again in %d s", msg,
		    CONF(q, spool_scan_interval));
		e->state = Q_INCOMING;
		e->open = 0;
		e->ready = now_us() + (int64_t)CONF(q, spool_scan_interval) *
		    SEC;
	} else {
		qlog(q, FX_QLOG_ALERT, j->e.name, j->names, j->n, "%s; left "
		    "in active until formixd restarts", msg);
		drop_entry(q, e);
	}
	free(to);
}

/*
 * Applied: the answer in out/, then the entry waits in active/ for
 * flush_fin, which makes the answers durable and moves it to done/.  A
 * crash before that leaves it in active/, and startup runs it again: it
 * is then "already applied", and its answer stays as it was.
 */
static int
to_done(struct fx_queue *q, struct job *j, struct entry *e,
    struct fx_err *err)
{
	struct fin *f;
	char sum[512];
	int already = j->st.already_applied;

	(void)err;
	fx_crash_at("after-commit");
	q->fin = fx_grow(q->fin, &q->fincap, q->nfin + 1, sizeof(*q->fin));
	f = &q->fin[q->nfin++];
	memset(f, 0, sizeof(*f));
	fx_strlcpy(f->name, j->e.name, sizeof(f->name));
	f->already = already;
	if (!j->c->staff) {
		ack(q, j->c, j->e.name, j->names, j->n, j->status, NULL, NULL,
		    &j->report, 0);
		snprintf(f->msg, sizeof(f->msg), "active -> done: %s (user "
		    "%s)", j->status, j->c->login[0] != '\0' ? j->c->login :
		    q->ctx->actor.login);
	} else if (already) {
		ack(q, j->c, j->e.name, j->names, j->n, "already applied",
		    "applied_at", j->st.applied_at, NULL, 0);
		snprintf(f->msg, sizeof(f->msg), "active -> done: already "
		    "applied on %s: nothing to do", j->st.applied_at);
	} else {
		summary(sum, sizeof(sum), &j->st);
		ack(q, j->c, j->e.name, j->names, j->n, "applied", "applied",
		    sum, NULL, 0);
		snprintf(f->msg, sizeof(f->msg), "active -> done: applied: %s",
		    sum);
	}
	fx_crash_at("ack");
	/* The job's directory and names go with it. */
	f->dir = j->dir;
	f->names = j->names;
	f->n = j->n;
	fx_strv_free(j->paths, j->n);
	j->dir = NULL;
	j->names = j->paths = NULL;
	j->n = 0;
	drop_entry(q, e);
	return 0;
}

/*
 * Move the finished entries to done/: first the answers' directories
 * synced (an entry must never be done/ while its answer could still be
 * lost), then the moves, then active/ and done/ synced once for all.  A
 * move that fails leaves the entry in active/: applied, so the next start
 * finds it "already applied".
 */
static int
flush_fin(struct fx_queue *q, struct fx_err *err)
{
	struct fin *f;
	struct fx_err e2;
	char msg[512], *to;
	size_t i;
	int rc = 0;

	if (q->nfin == 0)
		return 0;
	/* The dealers' orders were committed lazily (handle_dealer). */
	if (fx_db_sync(q->ctx->db, err) == -1 || flush_dirty(q, err) == -1)
		rc = -1;
	fx_crash_at("fin");
	for (i = 0; i < q->nfin; i++) {
		f = &q->fin[i];
		to = entry_path(q, Q_DONE, f->name);
		if (rc == 0 && fx_spool_rename(f->dir, to, &e2) == 0) {
			if (f->already)
				q->st.already++;
			else
				q->st.applied++;
			qlog(q, FX_QLOG_INFO, f->name, f->names, f->n, "%s",
			    f->msg);
		} else {
			if (rc == 0)
				errline(&e2, msg, sizeof(msg));
			else
				errline(err, msg, sizeof(msg));
			qlog(q, FX_QLOG_ALERT, f->name, f->names, f->n, "%s; "
			    "left in active until formixd restarts", msg);
		}
		free(to);
		free(f->dir);
		fx_strv_free(f->names, f->n);
	}
	q->nfin = 0;
	if (fx_spool_fsync_dir(q->dir[Q_ACTIVE], &e2) == -1 ||
	    fx_spool_fsync_dir(q->dir[Q_DONE], &e2) == -1) {
		if (rc == 0)
			*err = e2;
		rc = -1;
	}
	return rc;
}

static int
to_corrupt(struct fx_queue *q, struct job *j, struct entry *e,
    const char *msg, struct fx_err *err)
{
	char line[1024], ename[320], m2[512], *to;
	struct fx_err werr;
	size_t i;

	/* The report beside each file, before the move: a crash in between
	 * refuses it again and writes the same report. */
	snprintf(line, sizeof(line), "%s\n", msg);
	for (i = 0; i < j->n; i++) {
		snprintf(ename, sizeof(ename), "%s.err", j->names[i]);
		if (fx_spool_write_at(q->ctx, j->dir, ename, line,
		    strlen(line), &werr) == -1) {
			errline(&werr, m2, sizeof(m2));
			qlog(q, FX_QLOG_WARN, j->e.name, j->names, j->n,
			    "report not written: %s", m2);
		}
	}
	fx_crash_at("corrupt");
	to = entry_path(q, Q_CORRUPT, j->e.name);
	if (fx_spool_move(j->dir, to, err) == -1) {
		free(to);
		errline(err, m2, sizeof(m2));
		stranded(q, j, e, m2);
		return -1;
	}
	free(to);
	free(j->dir);
	j->dir = entry_path(q, Q_CORRUPT, j->e.name);
	qlog(q, FX_QLOG_WARN, j->e.name, j->names, j->n, "active -> corrupt: "
	    "%s", msg);
	ack(q, j->c, j->e.name, j->names, j->n, "refused", "error", msg,
	    &j->report, 1);
	q->st.corrupt++;
	drop_entry(q, e);
	return 0;
}

/* Seconds to wait after the nth failure: doubling from min_backoff. */
static int64_t
backoff(const struct fx_queue *q, int n)
{
	int64_t d = CONF(q, spool_min_backoff), max;

	max = CONF(q, spool_max_backoff);
	if (max < d)
		max = d;
	while (--n > 0 && d < max)
		d *= 2;
	return d > max ? max : d;
}

static int
to_deferred(struct fx_queue *q, struct job *j, struct entry *e,
    const char *msg, struct fx_err *err)
{
	struct timespec ts[2];
	struct fx_err werr;
	char note[768], now[32], m2[512], *to;
	int attempts = e->attempts + 1;
	int64_t wait = backoff(q, attempts), due;

	fx_now_iso(now, sizeof(now));
	snprintf(note, sizeof(note), "attempts %d\nlast %s\nerror %s\n",
	    attempts, now, msg);
	if (fx_spool_write_at(q->ctx, j->dir, ".retry", note, strlen(note),
	    &werr) == -1) {
		errline(&werr, m2, sizeof(m2));
		qlog(q, FX_QLOG_WARN, j->e.name, j->names, j->n, "retry note "
		    "not written: %s", m2);
	}
	fx_crash_at("deferred");
	to = entry_path(q, Q_DEFERRED, j->e.name);
	if (fx_spool_move(j->dir, to, err) == -1) {
		free(to);
		errline(err, m2, sizeof(m2));
		stranded(q, j, e, m2);
		return -1;
	}
	/* The next attempt is the directory's mtime (Postfix: the queue
	 * file's), so that it survives a restart. */
	due = now_us() + wait * SEC;
	ts[0].tv_sec = (time_t)(due / SEC);
	ts[0].tv_nsec = 0;
	ts[1] = ts[0];
	if (utimensat(AT_FDCWD, to, ts, AT_SYMLINK_NOFOLLOW) == -1 ||
	    fx_spool_fsync_dir(to, &werr) == -1)
		qlog(q, FX_QLOG_WARN, j->e.name, j->names, j->n, "next "
		    "attempt time not kept: %s", strerror(errno));
	free(to);
	e->state = Q_DEFERRED;
	e->open = 0;
	e->attempts = attempts;
	e->ready = (int64_t)ts[1].tv_sec * SEC;
	q->st.deferred++;
	qlog(q, FX_QLOG_WARN, j->e.name, j->names, j->n, "active -> deferred: "
	    "%s; attempt %d failed, next in %lld s", msg, attempts,
	    (long long)wait);
	if (attempts == CONF(q, spool_alert_after))
		qlog(q, FX_QLOG_ALERT, j->e.name, j->names, j->n, "failed %d "
		    "times, still retrying (up to every %d s): %s", attempts,
		    CONF(q, spool_max_backoff), msg);
	return 0;
}

/* Check a queued file again, in the queue's own directory, before it is
 * read: only a regular file with one link (Postfix's mail_open_ok). */
static int
file_ok(const char *path, char *why, size_t sz)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (fd == -1) {
		snprintf(why, sz, "%s", errno == ELOOP ?
		    "a symbolic link, not a file: never followed" :
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_nlink != 1) {
		snprintf(why, sz, "%s", !S_ISREG(st.st_mode) ?
		    "not a regular file" : "a file with more than one link");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
process(struct fx_queue *q, size_t ei, struct fx_err *err)
{
	struct entry *e = &q->ents[ei];
	struct job j;
	struct fx_err jerr;
	fx_warn_fn *owarn;
	void *owarg, *warg[2];
	char msg[1024], why[256], *from;
	size_t i;
	int r;

	memset(&j, 0, sizeof(j));
	j.e = *e;
	j.c = &q->chans[e->chan];
	from = entry_path(q, e->state, e->name);
	j.dir = entry_path(q, Q_ACTIVE, e->name);
	/*
	 * No fsync for this move: a crash that loses it leaves the entry
	 * where startup recovery would have put it anyway (active/ goes
	 * back to incoming/), so it would buy nothing but two waits on the
	 * disk per package.  The moves out of active/ are fsynced.
	 */
	if (fx_spool_rename(from, j.dir, err) == -1) {
		free(from);
		errline(err, msg, sizeof(msg));
		if (err->code == FX_ENOINPUT) {
			/* Taken away by hand: the scan will tell. */
			qlog(q, FX_QLOG_WARN, e->name, NULL, 0, "%s -> active: "
			    "%s", qnames[e->state], msg);
			drop_entry(q, e);
			job_release(&j);
			return 1;
		}
		qlog(q, FX_QLOG_WARN, e->name, NULL, 0, "%s -> active: %s; "
		    "tried again in %d s", qnames[e->state], msg,
		    CONF(q, spool_scan_interval));
		e->ready = now_us() + (int64_t)CONF(q, spool_scan_interval) *
		    SEC;
		job_release(&j);
		return -1;
	}
	free(from);
	if (list_entry(j.dir, &j.names, &j.n, &jerr) == -1) {
		errline(&jerr, msg, sizeof(msg));
		stranded(q, &j, e, msg);
		job_release(&j);
		return -1;
	}
	if (e->state == Q_DEFERRED)
		qlog(q, FX_QLOG_INFO, e->name, j.names, j.n, "deferred -> "
		    "active: attempt %d", e->attempts + 1);
	else
		qlog(q, FX_QLOG_INFO, e->name, j.names, j.n, "incoming -> "
		    "active");
	fx_crash_at("active");

	j.paths = fx_calloc(j.n ? j.n : 1, sizeof(*j.paths));
	for (i = 0; i < j.n; i++)
		j.paths[i] = fx_path_join(j.dir, j.names[i]);
	if (j.n == 0) {
		r = to_corrupt(q, &j, e, "an entry without files", err);
		goto out;
	}
	for (i = 0; i < j.n; i++) {
		if (file_ok(j.paths[i], why, sizeof(why)) == -1) {
			snprintf(msg, sizeof(msg), "%s: %s", j.names[i], why);
			r = to_corrupt(q, &j, e, msg, err);
			goto out;
		}
	}

	/* Identity from the channel, never from the file. */
	fx_err_clear(&jerr);
	if (j.c->staff || j.c->def == &def_mail)
		q->ctx->actor = q->staff;	/* mail: until its sender */
	else if (fx_auth_user(q->ctx, j.c->login, &jerr) == -1) {
		/* A blocked user is refused (and told so); an unknown one
		 * is the channel file's mistake, which staff will fix. */
		errline(&jerr, msg, sizeof(msg));
		if (jerr.code == FX_EPERM)
			r = to_corrupt(q, &j, e, msg, err);
		else
			r = to_deferred(q, &j, e, msg, err);
		goto out;
	}
	owarn = q->ctx->warn;
	owarg = q->ctx->warn_arg;
	warg[0] = &j;
	warg[1] = q;
	fx_ctx_set_warn(q->ctx, job_warn, warg);
	r = j.c->def->handle(q, &j, &jerr);
	fx_ctx_set_warn(q->ctx, owarn, owarg);
	if (j.nwarns > MAX_JOB_WARNS)
		qlog(q, FX_QLOG_INFO, e->name, NULL, 0, "%zu more warnings",
		    j.nwarns - MAX_JOB_WARNS);
	if (r == 0)
		r = to_done(q, &j, e, err);
	else {
		errline(&jerr, msg, sizeof(msg));
		/* A dealer's refusal is an answer, not a failure. */
		if (temporary(&jerr) && (j.c->staff || jerr.code != FX_EPERM))
			r = to_deferred(q, &j, e, msg, err);
		else
			r = to_corrupt(q, &j, e, msg, err);
	}
out:
	job_release(&j);
	return r == -1 ? -1 : 1;
}

int
fx_queue_run(struct fx_queue *q, struct fx_err *err)
{
	unsigned char *seen;
	struct entry *e;
	int64_t now = now_us();
	size_t i;
	ssize_t pick = -1;

	/* The first ready entry in id order; a FIFO channel's first entry
	 * holds back the rest of that channel. */
	seen = fx_calloc(q->nchans, 1);
	for (i = q->head; i < q->nents; i++) {
		e = &q->ents[i];
		if (e->gone || seen[e->chan])
			continue;
		if (q->chans[e->chan].def->fifo)
			seen[e->chan] = 1;
		if (e->ready <= now) {
			pick = (ssize_t)i;
			break;
		}
	}
	free(seen);
	/* Nothing more to do now, or a batch full: move what finished. */
	if ((pick == -1 || q->nfin >= FIN_BATCH) &&
	    flush_fin(q, err) == -1)
		return -1;
	if (pick == -1)
		return 0;
	return process(q, (size_t)pick, err);
}


/*
 * Delivery of the notification outbox (notify.c).  out/: a notice for a
 * dealer becomes notice-SEQ.txt in the out/ of the dealer folder whose
 * channel user belongs to that dealer, written by the durable protocol
 * (the same name and content when done again), then marked done.  A
 * dealer with no folder cannot have the file: the notice is marked done
 * with no file and a log line (it stays in the store, and its mail, if
 * any, is sent).  mail: each notice due is built by GMime (Message-ID
 * <formix-notice-SEQ@HOST>, so that a redelivery after a crash is the
 * same mail) and sent over SMTP by libcurl; a failure is counted with
 * its next attempt after the spool's backoff, one alert after
 * spool.alert_after failures, and it is never dropped.
 */

#define DELIVER_BATCH	20	/* mails a round: the queue is not kept waiting */

static int
deliver_out(struct fx_queue *q)
{
	struct fx_notice *v = NULL;
	struct fx_buf b = { 0 };
	struct fx_err err;
	char **dealers, name[64], msg[512], *path;
	struct chan *folder;
	size_t n = 0, i, k, nd = 0;
	int done = 0;

	if (fx_notify_pending(q->ctx, FX_NOTIFY_OUT, DELIVER_BATCH, NULL, &v,
	    &n, &err) == -1) {
		errline(&err, msg, sizeof(msg));
		qlog(q, FX_QLOG_WARN, NULL, NULL, 0, "outbox: %s", msg);
		return 0;
	}
	if (n == 0)
		return 0;
	/* The dealer of each folder's user. */
	dealers = fx_calloc(q->nchans, sizeof(*dealers));
	for (i = 0; i < q->nchans; i++) {
		char d[128];

		if (q->chans[i].def != &def_dealer)
			continue;
		user_dealer(q, q->chans[i].login, d, sizeof(d));
		dealers[i] = fx_strdup(d);
		nd++;
	}
	for (k = 0; k < n; k++) {
		folder = NULL;
		for (i = 0; i < q->nchans && folder == NULL; i++)
			if (dealers[i] != NULL && dealers[i][0] != '\0' &&
			    strcmp(dealers[i], v[k].dealer) == 0)
				folder = &q->chans[i];
		if (folder == NULL) {
			qlog(q, FX_QLOG_INFO, NULL, NULL, 0, "notice %s (%s "
			    "%s): dealer %s has no folder: no file in out/",
			    v[k].seq, v[k].kind, v[k].object, v[k].dealer);
			if (fx_notify_done(q->ctx, v[k].seq, FX_NOTIFY_OUT,
			    1, "", NULL, 0, &err) == 0)
				done++;
			continue;
		}
		snprintf(name, sizeof(name), "notice-%s.txt", v[k].seq);
		fx_buf_reset(&b);
		fx_buf_addf(&b, "notice: %s\ntime: %s\nkind: %s\nobject: %s\n",
		    v[k].seq, v[k].at, v[k].kind, v[k].object);
		if (v[k].entity[0] != '\0')
			fx_buf_addf(&b, "entity: %s\n", v[k].entity);
		fx_buf_addf(&b, "subject: %s\n\n%s", v[k].subject,
		    v[k].body);
		if (b.len > 0 && b.p[b.len - 1] != '\n')
			fx_buf_adds(&b, "\n");
		if (fx_spool_write(q->ctx, folder->outrel, name, b.p, b.len,
		    &err) == -1) {
			errline(&err, msg, sizeof(msg));
			qlog(q, FX_QLOG_WARN, NULL, NULL, 0, "notice %s: %s/%s "
			    "not written: %s", v[k].seq, folder->outrel, name,
			    msg);
			continue;
		}
		fx_crash_at("notice-written");
		if (fx_notify_done(q->ctx, v[k].seq, FX_NOTIFY_OUT, 1, name,
		    NULL, 0, &err) == -1) {
			errline(&err, msg, sizeof(msg));
			qlog(q, FX_QLOG_WARN, NULL, NULL, 0, "notice %s: %s",
			    v[k].seq, msg);
			continue;
		}
		path = fx_path_join(folder->outrel, name);
		qlog(q, FX_QLOG_INFO, NULL, NULL, 0, "notice %s -> %s",
		    v[k].seq, path);
		free(path);
		done++;
	}
	for (i = 0; i < q->nchans; i++)
		free(dealers[i]);
	free(dealers);
	fx_buf_release(&b);
	fx_notices_free(v, n);
	(void)nd;
	return done;
}

/* The first line of mail.smtp_password_file, or NULL. */
static char *
smtp_password(struct fx_queue *q)
{
	const char *f = q->ctx->conf.mail_smtp_password_file;
	struct fx_err err;
	char *data, *path, msg[512];
	size_t len;

	if (f == NULL || f[0] == '\0')
		return NULL;
	path = fx_path_join(q->ctx->conf.root, f);
	if (fx_mail_read(path, 4096, &data, &len, &err) == -1) {
		errline(&err, msg, sizeof(msg));
		qlog(q, FX_QLOG_WARN, NULL, NULL, 0, "mail.smtp_password_file: "
		    "%s", msg);
		free(path);
		return NULL;
	}
	free(path);
	data[strcspn(data, "\r\n")] = '\0';
	return data;
}

static void
deliver_mail(struct fx_queue *q, long *wait)
{
	const struct fx_conf *cf = &q->ctx->conf;
	struct fx_notice *v = NULL;
	struct fx_mail_smtp smtp;
	struct fx_err err;
	char msg[512], *text, *pw = NULL, now[32];
	const char *host;
	size_t n = 0, k, len;
	long after;
	int tries;
	time_t t, nt;
	struct tm tm;

	if (cf->mail_smtp_url[0] == '\0') {
		if (!q->said_nosmtp && fx_notify_pending(q->ctx,
		    FX_NOTIFY_MAIL, 1, NULL, &v, &n, &err) == 0 && n > 0) {
			qlog(q, FX_QLOG_WARN, NULL, NULL, 0, "outbox: mail "
			    "notices wait: mail.smtp_url is not set");
			q->said_nosmtp = 1;
		}
		fx_notices_free(v, n);
		return;
	}
	q->said_nosmtp = 0;
	if (fx_notify_pending(q->ctx, FX_NOTIFY_MAIL, DELIVER_BATCH,
	    q->mail_now ? "9999-12-31T23:59:59Z" : NULL, &v, &n, &err) == -1) {
		errline(&err, msg, sizeof(msg));
		qlog(q, FX_QLOG_WARN, NULL, NULL, 0, "outbox: %s", msg);
		return;
	}
	host = strrchr(cf->mail_from, '@');
	host = host != NULL ? host + 1 : "localhost";
	if (n > 0)
		pw = smtp_password(q);
	smtp.url = cf->mail_smtp_url;
	smtp.from = cf->mail_from;
	smtp.user = cf->mail_smtp_user;
	smtp.password = pw;
	smtp.timeout = 30;
	for (k = 0; k < n; k++) {
		text = NULL;
		if (fx_mail_build(&v[k], cf->mail_from, host, q->spool, &text,
		    &len, &err) == 0 && fx_mail_send(&smtp, v[k].to,
		    v[k].nto, text, len, &err) == 0) {
			free(text);
			fx_crash_at("mail-sent");
			if (fx_notify_done(q->ctx, v[k].seq, FX_NOTIFY_MAIL, 1,
			    NULL, NULL, 0, &err) == -1) {
				errline(&err, msg, sizeof(msg));
				qlog(q, FX_QLOG_WARN, NULL, NULL, 0, "notice "
				    "%s: %s", v[k].seq, msg);
			} else
				qlog(q, FX_QLOG_INFO, NULL, NULL, 0, "notice "
				    "%s -> mail to %s%s", v[k].seq,
				    v[k].to[0], v[k].nto > 1 ? " and more" :
				    "");
			continue;
		}
		free(text);
		errline(&err, msg, sizeof(msg));
		tries = v[k].mail_tries + 1;
		after = (long)backoff(q, tries);
		(void)fx_notify_done(q->ctx, v[k].seq, FX_NOTIFY_MAIL, 0, NULL,
		    msg, after, &err);
		qlog(q, FX_QLOG_WARN, NULL, NULL, 0, "notice %s: mail to %s "
		    "failed: %s; attempt %d, next in %ld s", v[k].seq,
		    v[k].nto > 0 ? v[k].to[0] : "", msg, tries, after);
		if (tries == CONF(q, spool_alert_after))
			qlog(q, FX_QLOG_ALERT, NULL, NULL, 0, "notice %s: mail "
			    "failed %d times, still retrying (up to every "
			    "%d s): %s", v[k].seq, tries,
			    CONF(q, spool_max_backoff), msg);
		/*
		 * The server is likely down: the others are tried one a
		 * round (each then waits its own backoff), so that a server
		 * that hangs never holds the queue for more than one
		 * timeout.
		 */
		break;
	}
	free(pw);
	if (n < DELIVER_BATCH || k < n)
		q->mail_now = 0;	/* all tried, or the server is down */
	fx_notices_free(v, n);
	v = NULL;
	n = 0;

	/* When the next one is due: the earliest of those pending. */
	if (fx_notify_pending(q->ctx, FX_NOTIFY_MAIL, 0,
	    "9999-12-31T23:59:59Z", &v, &n, &err) == -1)
		return;
	t = time(NULL);
	fx_now_iso(now, sizeof(now));
	for (k = 0; k < n; k++) {
		if (v[k].mail_next[0] == '\0' ||
		    strcmp(v[k].mail_next, now) <= 0) {
			nt = t;
		} else {
			memset(&tm, 0, sizeof(tm));
			if (sscanf(v[k].mail_next, "%4d-%2d-%2dT%2d:%2d:%2dZ",
			    &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
			    &tm.tm_min, &tm.tm_sec) != 6)
				continue;
			tm.tm_year -= 1900;
			tm.tm_mon--;
			nt = timegm(&tm);
		}
		after = nt > t ? (long)(nt - t) * 1000 : 0;
		if (*wait < 0 || after < *wait)
			*wait = after;
	}
	fx_notices_free(v, n);
}

long
fx_queue_deliver(struct fx_queue *q)
{
	long wait = -1;

	/* Staff's work, whoever the last package acted as. */
	q->ctx->actor = q->staff;
	while (deliver_out(q) == DELIVER_BATCH)
		;
	deliver_mail(q, &wait);
	return wait;
}
