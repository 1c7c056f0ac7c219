/*
 * channel.c -- dealer folders: spool/dealers/DIR and its channel file.
 *
 * A dealer's exchange folder is spool/dealers/DIR with in/ and out/ and a
 * channel file that staff write (formix-spool(7)): "user LOGIN", "mode
 * auto|check|draft", "mail ADDRESS" (the dealer's secret drop address),
 * "pull URL" and "push URL" (SFTP remotes), '#' comments.  The queue
 * (queue.c) and the SFTP client (sftp.c) both read it through
 * fx_channel_read, so that one file never means two things; formix-admin
 * writes it through fx_folder_add and fx_folder_set.
 *
 * The file lives in a folder the dealer cannot write (the chroot of its
 * SFTP account), but it is still read as if it could be hostile: opened
 * with O_NOFOLLOW, only a regular file under 4 KiB, one bad line refuses
 * the whole file (the queue then keeps what it had: "changes nothing").
 *
 * Staff changes are one write transaction each, like every business
 * action: the access check, the checks against the store (the user, its
 * dealer, registered addresses) and against the other folders (one
 * folder per user, one folder per drop address), the file written by the
 * durable protocol, and the audit entries.  The file is written before
 * the transaction commits, as request.c does with 1C's files; see
 * folder_fn for why that is the order.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fx-int.h"

#define DEALERS		"dealers"

static const char *const mode_names[] = { "auto", "check", "draft" };

const char *
fx_channel_mode_name(enum fx_chmode m)
{
	if ((size_t)m >= nitems(mode_names))
		FX_BUG("channel mode %d", (int)m);
	return mode_names[m];
}

int
fx_channel_mode_parse(const char *s, enum fx_chmode *m)
{
	size_t i;

	for (i = 0; i < nitems(mode_names); i++)
		if (strcmp(s, mode_names[i]) == 0) {
			*m = (enum fx_chmode)i;
			return 0;
		}
	return -1;
}

int
fx_channel_dir_ok(const char *dir)
{
	size_t len = strlen(dir);

	return len > 0 && len <= FX_CHANNEL_DIR_MAX && dir[0] != '.' &&
	    strspn(dir, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_-") == len;
}

static void
sv_add(char ***v, size_t *n, const char *s)
{
	*v = fx_realloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = fx_strdup(s);
}

void
fx_channel_release(struct fx_channel *ch)
{
	if (ch == NULL)
		return;
	fx_strv_free(ch->pull, ch->npull);
	fx_strv_free(ch->push, ch->npush);
	memset(ch, 0, sizeof(*ch));
}

/*
 * The rules are the queue's since the dealer channel first came: a line
 * is a keyword and one value (words after it are ignored), leading
 * blanks and CRs are skipped, the last "user", "mode" or "mail" wins,
 * "pull" and "push" add a remote each.
 */
int
fx_channel_read(const char *path, struct fx_channel *ch, char *why,
    size_t wsz)
{
	char buf[FX_CHANNEL_MAX], *line, *next, *v;
	struct stat st;
	ssize_t r;
	int fd, lno = 0;

	memset(ch, 0, sizeof(*ch));
	ch->mode = FX_CHMODE_AUTO;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (fd == -1) {
		snprintf(why, wsz, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size >= (off_t)sizeof(buf)) {
		close(fd);
		snprintf(why, wsz, "not a regular file under 4 KiB");
		return -1;
	}
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r < 0) {
		snprintf(why, wsz, "%s", strerror(errno));
		return -1;
	}
	buf[r] = '\0';
	for (line = buf; line != NULL; line = next) {
		lno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line += strspn(line, " \t\r");
		if (*line == '\0' || *line == '#')
			continue;
		line[strcspn(line, "\r")] = '\0';
		v = line + strcspn(line, " \t");
		if (*v != '\0')
			*v++ = '\0';
		v += strspn(v, " \t");
		v[strcspn(v, " \t")] = '\0';
		if (strcmp(line, "user") == 0 && *v != '\0' &&
		    strlen(v) < sizeof(ch->login))
			fx_strlcpy(ch->login, v, sizeof(ch->login));
		else if (strcmp(line, "mode") == 0 &&
		    fx_channel_mode_parse(v, &ch->mode) == 0)
			;
		else if (strcmp(line, "pull") == 0 && *v != '\0')
			sv_add(&ch->pull, &ch->npull, v);
		else if (strcmp(line, "push") == 0 && *v != '\0')
			sv_add(&ch->push, &ch->npush, v);
		else if (strcmp(line, "mail") == 0 && strchr(v, '@') != NULL &&
		    fx_fold(v, ch->mail, sizeof(ch->mail)) == 0)
			;	/* the dealer's secret drop address */
		else {
			snprintf(why, wsz, "line %d: expected \"user LOGIN\", "
			    "\"mode auto|check|draft\", \"mail ADDRESS\", "
			    "\"pull URL\" or \"push URL\"", lno);
			fx_channel_release(ch);
			return -1;
		}
	}
	if (ch->login[0] == '\0') {
		snprintf(why, wsz, "no \"user LOGIN\" line");
		fx_channel_release(ch);
		return -1;
	}
	return 0;
}

/* The canonical text of a channel file. */
static void
channel_text(struct fx_buf *b, const char *dir, const struct fx_channel *ch)
{
	size_t i;

	fx_buf_addf(b, "# spool/dealers/%s/channel (formix-spool(7)), written "
	    "by formix-admin.\n# Change it with \"formix-admin folder set "
	    "%s\": formixd reads it again\n# at its next full scan.\n",
	    dir, dir);
	fx_buf_addf(b, "user %s\nmode %s\n", ch->login,
	    fx_channel_mode_name(ch->mode));
	if (ch->mail[0] != '\0')
		fx_buf_addf(b, "mail %s\n", ch->mail);
	for (i = 0; i < ch->npull; i++)
		fx_buf_addf(b, "pull %s\n", ch->pull[i]);
	for (i = 0; i < ch->npush; i++)
		fx_buf_addf(b, "push %s\n", ch->push[i]);
}

/*
 * mkdir that accepts an existing directory; a symbolic link only if
 * follow (spool/dealers may be one, placed by whoever installed the
 * spool; a folder and its in/ and out/ may not).
 */
static int
mkdir_one(const char *path, int follow, struct fx_err *err)
{
	struct stat st;

	if (mkdir(path, 0750) == -1 && errno != EEXIST)
		return fx_err_sys(err, FX_ECANTCREAT, "mkdir %s", path);
	if ((follow ? stat(path, &st) : lstat(path, &st)) == -1)
		return fx_err_sys(err, FX_ECANTCREAT, "%s", path);
	if (!S_ISDIR(st.st_mode))
		return fx_err_set(err, FX_ECANTCREAT, "%s is not a directory",
		    path);
	return 0;
}

int
fx_channel_write(struct fx_ctx *ctx, const char *dir,
    const struct fx_channel *ch, struct fx_err *err)
{
	struct fx_buf b = { NULL, 0, 0 };
	char *top = NULL, *d = NULL, *sub = NULL, rel[FX_CHANNEL_DIR_MAX + 16];
	char q[128];
	int rc = -1;

	if (!fx_channel_dir_ok(dir))
		return fx_err_set(err, FX_EUSAGE, "folder name \"%s\": expected "
		    "1-%d of A-Z a-z 0-9 _ -", fx_quote(q, sizeof(q), dir),
		    FX_CHANNEL_DIR_MAX);
	top = fx_path_join(ctx->conf.spool_path, DEALERS);
	d = fx_path_join(top, dir);
	if (mkdir_one(top, 1, err) == -1 || mkdir_one(d, 0, err) == -1 ||
	    fx_spool_fsync_dir(top, err) == -1)
		goto out;
	/* in/ and out/ first: the queue serves a folder whose channel
	 * file it can read, and makes them itself if they are missing. */
	sub = fx_path_join(d, "in");
	if (mkdir_one(sub, 0, err) == -1)
		goto out;
	free(sub);
	sub = fx_path_join(d, "out");
	if (mkdir_one(sub, 0, err) == -1 || fx_spool_fsync_dir(d, err) == -1)
		goto out;
	channel_text(&b, dir, ch);
	snprintf(rel, sizeof(rel), DEALERS "/%s", dir);
	if (fx_spool_write(ctx, rel, "channel", b.p, b.len, err) == -1)
		goto out;
	rc = 0;
out:
	fx_buf_release(&b);
	free(sub);
	free(d);
	free(top);
	return rc;
}

/* -- staff commands -------------------------------------------------- */

void
fx_folder_release(struct fx_folder *f)
{
	if (f == NULL)
		return;
	free(f->dir);
	free(f->dealer);
	free(f->problem);
	fx_channel_release(&f->ch);
	memset(f, 0, sizeof(*f));
}

void
fx_folders_free(struct fx_folder *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fx_folder_release(&v[i]);
	free(v);
}

/* Entries of a directory that are not dot-files; 0 if it is missing. */
static size_t
count_files(const char *dir, const char *sub)
{
	struct dirent *de;
	size_t n = 0;
	char *p;
	DIR *d;

	p = fx_path_join(dir, sub);
	if ((d = opendir(p)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' && (strcmp(sub, "out") != 0 ||
			    strcmp(de->d_name, "sent") != 0))
				n++;
		closedir(d);
	}
	free(p);
	return n;
}

/* The user's dealer (new string, "" if the user is unknown). */
static char *
user_dealer(struct fx_txn *t, const char *login, int *found, int *blocked,
    struct fx_err *err)
{
	struct fx_user u;
	char *d;
	int r;

	*found = *blocked = 0;
	r = fx_db_getrec(t, FX_K_USER, login, strlen(login), &fx_rt_user, &u,
	    err);
	if (r == -1)
		return NULL;
	if (r == 1)
		return fx_strdup("");
	*found = 1;
	*blocked = u.blocked;
	d = fx_strdup(u.dealer != NULL ? u.dealer : "");
	fx_user_release(&u);
	return d;
}

/* Read one folder (its channel file must exist) into f. */
static int
folder_load(struct fx_ctx *ctx, struct fx_txn *t, const char *dir,
    struct fx_folder *f, struct fx_err *err)
{
	char why[256], *d, *cf;
	int found, blocked;

	memset(f, 0, sizeof(f[0]));
	f->dir = fx_strdup(dir);
	d = fx_path_join(ctx->conf.spool_path, DEALERS);
	cf = fx_path_join(d, dir);
	free(d);
	d = cf;
	cf = fx_path_join(d, "channel");
	f->nin = count_files(d, "in");
	f->nout = count_files(d, "out");
	if (fx_channel_read(cf, &f->ch, why, sizeof(why)) == -1) {
		f->problem = fx_strdup(why);
		f->dealer = fx_strdup("");
	} else if ((f->dealer = user_dealer(t, f->ch.login, &found, &blocked,
	    err)) == NULL) {
		free(d);
		free(cf);
		fx_folder_release(f);
		return -1;
	} else if (!found)
		f->problem = fx_strdup("unknown user");
	else if (blocked)
		f->problem = fx_strdup("user blocked");
	else
		f->problem = fx_strdup("");
	free(d);
	free(cf);
	return 0;
}

static int
folder_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fx_folder *)a)->dir,
	    ((const struct fx_folder *)b)->dir);
}

/* Every folder with a channel file (a lstat of it), sorted by name. */
static int
folders_scan(struct fx_ctx *ctx, struct fx_txn *t, struct fx_folder **vp,
    size_t *np, struct fx_err *err)
{
	struct fx_folder *v = NULL;
	struct dirent *de;
	struct stat st;
	size_t n = 0, cap = 0;
	char *top, *p, *cf;
	DIR *d;
	int ok;

	*vp = NULL;
	*np = 0;
	top = fx_path_join(ctx->conf.spool_path, DEALERS);
	if ((d = opendir(top)) == NULL) {
		ok = errno;
		free(top);
		if (ok == ENOENT)
			return 0;
		errno = ok;
		return fx_err_sys(err, FX_EIO, "opendir %s/%s",
		    ctx->conf.spool_path, DEALERS);
	}
	while ((de = readdir(d)) != NULL) {
		if (!fx_channel_dir_ok(de->d_name))
			continue;
		p = fx_path_join(top, de->d_name);
		cf = fx_path_join(p, "channel");
		ok = lstat(p, &st) == 0 && S_ISDIR(st.st_mode) &&
		    lstat(cf, &st) == 0;
		free(cf);
		free(p);
		if (!ok)
			continue;
		v = fx_grow(v, &cap, n + 1, sizeof(*v));
		if (folder_load(ctx, t, de->d_name, &v[n], err) == -1) {
			closedir(d);
			free(top);
			fx_folders_free(v, n);
			return -1;
		}
		n++;
	}
	closedir(d);
	free(top);
	if (n > 1)
		qsort(v, n, sizeof(*v), folder_cmp);
	*vp = v;
	*np = n;
	return 0;
}

int
fx_folder_list(struct fx_ctx *ctx, struct fx_folder **vp, size_t *np,
    struct fx_err *err)
{
	struct fx_txn t;
	int rc;

	*vp = NULL;
	*np = 0;
	if (fx_acl_check(ctx, FX_ACT_STAFF, NULL, NULL, err) == -1)
		return -1;
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	rc = folders_scan(ctx, &t, vp, np, err);
	fx_db_abort(&t);
	return rc;
}

/* Does spool/dealers/DIR/channel exist (as anything)? */
static int
has_channel(struct fx_ctx *ctx, const char *dir)
{
	struct fx_buf b = { NULL, 0, 0 };
	struct stat st;
	int r;

	fx_buf_addf(&b, "%s/" DEALERS "/%s/channel", ctx->conf.spool_path,
	    dir);
	r = lstat(fx_buf_str(&b), &st) == 0;
	fx_buf_release(&b);
	return r;
}

static int
dir_check(const char *dir, struct fx_err *err)
{
	char q[128];

	if (dir == NULL || !fx_channel_dir_ok(dir))
		return fx_err_set(err, FX_EUSAGE, "folder name \"%s\": expected "
		    "1-%d of A-Z a-z 0-9 _ -", fx_quote(q, sizeof(q),
		    dir != NULL ? dir : ""), FX_CHANNEL_DIR_MAX);
	return 0;
}

int
fx_folder_get(struct fx_ctx *ctx, const char *dir, struct fx_folder *f,
    struct fx_err *err)
{
	struct fx_txn t;
	int rc;

	memset(f, 0, sizeof(*f));
	if (fx_acl_check(ctx, FX_ACT_STAFF, NULL, NULL, err) == -1 ||
	    dir_check(dir, err) == -1)
		return -1;
	if (!has_channel(ctx, dir))
		return fx_err_set(err, FX_ENOTFOUND, "no folder \"%s\": "
		    "spool/dealers/%s/channel does not exist", dir, dir);
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	rc = folder_load(ctx, &t, dir, f, err);
	fx_db_abort(&t);
	return rc;
}

/* What fx_db_write runs for fx_folder_add and fx_folder_set. */
struct folder_op {
	struct fx_ctx	*ctx;
	const char	*dir;
	int		 add;
	const struct fx_channel *ch;		/* add */
	const struct fx_folder_change *chg;	/* set */
	int		 written;	/* the file is out (a rerun skips it) */
	struct fx_channel old;		/* set: the file before */
	struct fx_channel now;		/* what was written */
};

/* Space-separated (URLs have none); returned new. */
static char *
sv_join(char *const *v, size_t n)
{
	struct fx_buf b = { NULL, 0, 0 };
	char *s;
	size_t i;

	for (i = 0; i < n; i++)
		fx_buf_addf(&b, "%s%s", i > 0 ? " " : "", v[i]);
	s = fx_strdup(n > 0 ? fx_buf_str(&b) : "");
	fx_buf_release(&b);
	return s;
}

static void
sv_set(char ***v, size_t *n, const char *const *src, size_t nsrc)
{
	size_t i;

	fx_strv_free(*v, *n);
	*v = NULL;
	*n = 0;
	for (i = 0; i < nsrc; i++)
		sv_add(v, n, src[i]);
}

static void
ch_copy(struct fx_channel *dst, const struct fx_channel *src)
{
	memset(dst, 0, sizeof(*dst));
	fx_strlcpy(dst->login, src->login, sizeof(dst->login));
	dst->mode = src->mode;
	fx_strlcpy(dst->mail, src->mail, sizeof(dst->mail));
	sv_set(&dst->pull, &dst->npull, (const char *const *)src->pull,
	    src->npull);
	sv_set(&dst->push, &dst->npush, (const char *const *)src->push,
	    src->npush);
}

/* Check ch against the store and the other folders. */
static int
folder_check(struct fx_ctx *ctx, struct fx_txn *t, const char *dir,
    const struct fx_channel *ch, int user_changed, int mail_changed,
    struct fx_err *err)
{
	struct fx_folder *v = NULL;
	const void *val;
	char q[300], *dealer;
	size_t n = 0, i, vl;
	int found, blocked, r, rc = -1;

	if (ch->login[0] == '\0')
		return fx_err_set(err, FX_EUSAGE, "a folder needs a user "
		    "(--user LOGIN)");
	if ((size_t)ch->mode >= nitems(mode_names))
		return fx_err_set(err, FX_EUSAGE, "mode %d: expected auto, "
		    "check or draft", (int)ch->mode);
	for (i = 0; i < ch->npull + ch->npush; i++) {
		int push = i >= ch->npull;
		const char *u = push ? ch->push[i - ch->npull] : ch->pull[i];

		/* One word a line: a blank would cut the URL short. */
		if (strpbrk(u, " \t\r\n") != NULL)
			return fx_err_set(err, FX_EUSAGE, "%s \"%s\": a blank "
			    "in the URL (write it %%20)", push ? "--push" :
			    "--pull", fx_quote(q, sizeof(q), u));
		if (fx_sftp_url_check(push ? "--push" : "--pull",
		    push ? ch->push[i - ch->npull] : ch->pull[i], err) == -1) {
			err->code = FX_EUSAGE;
			return -1;
		}
	}
	if (user_changed) {
		fx_quote(q, sizeof(q), ch->login);
		if ((dealer = user_dealer(t, ch->login, &found, &blocked,
		    err)) == NULL)
			return -1;
		r = 1;
		if (found && dealer[0] != '\0' && (r = fx_db_get(t,
		    FX_K_DEALER, dealer, strlen(dealer), &val, &vl,
		    err)) == -1) {
			free(dealer);
			return -1;
		}
		free(dealer);
		if (!found)
			return fx_err_set(err, FX_ENOTFOUND, "unknown user "
			    "\"%s\"", q);
		if (r == 1)
			return fx_err_set(err, FX_EDATA, "user \"%s\" belongs "
			    "to no known dealer: a folder is a dealer's", q);
		if (blocked)
			return fx_err_set(err, FX_EDATA, "user \"%s\" is "
			    "blocked: unblock it first, or name another user",
			    q);
	}
	if (mail_changed && ch->mail[0] != '\0') {
		fx_quote(q, sizeof(q), ch->mail);
		r = fx_db_get(t, FX_K_IDX_EMAIL, ch->mail, strlen(ch->mail),
		    &val, &vl, err);
		if (r == -1)
			return -1;
		if (r == 0)
			return fx_err_set(err, FX_EDATA, "mail \"%s\" is a "
			    "registered user's address: a drop address must "
			    "be a secret one of its own", q);
	}
	if (!user_changed && !mail_changed)
		return 0;
	/* Under the store's write lock: two staff commands cannot both
	 * pass this and write clashing folders. */
	if (folders_scan(ctx, t, &v, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].dir, dir) == 0 || v[i].ch.login[0] == '\0')
			continue;
		if (user_changed && strcmp(v[i].ch.login, ch->login) == 0) {
			fx_err_set(err, FX_EDATA, "user \"%s\" already has "
			    "folder %s: one folder per user (mail finds a "
			    "user's folder by its login)", fx_quote(q,
			    sizeof(q), ch->login), v[i].dir);
			goto out;
		}
		if (mail_changed && ch->mail[0] != '\0' &&
		    strcmp(v[i].ch.mail, ch->mail) == 0) {
			fx_err_set(err, FX_EDATA, "mail \"%s\" is already "
			    "folder %s's drop address", fx_quote(q, sizeof(q),
			    ch->mail), v[i].dir);
			goto out;
		}
	}
	rc = 0;
out:
	fx_folders_free(v, n);
	return rc;
}

static int
audit_field(struct fx_ctx *ctx, struct fx_txn *t, const char *dir,
    const char *field, const char *o, const char *n, struct fx_err *err)
{
	if (strcmp(o, n) == 0)
		return 0;
	return fx_audit_add(ctx, t, "folder.set", dir, field, o, n, err);
}

static int
folder_audit(struct folder_op *op, struct fx_txn *t, struct fx_err *err)
{
	struct fx_ctx *ctx = op->ctx;
	const struct fx_channel *o = &op->old, *n = &op->now;
	char *s1, *s2;
	int rc = -1;

	s1 = sv_join(n->pull, n->npull);
	s2 = sv_join(n->push, n->npush);
	if (op->add) {
		struct fx_buf b = { NULL, 0, 0 };

		fx_buf_addf(&b, "user=%s mode=%s mail=%s pull=%s push=%s",
		    n->login, fx_channel_mode_name(n->mode), n->mail, s1, s2);
		rc = fx_audit_add(ctx, t, "folder.add", op->dir, "", "",
		    fx_buf_str(&b), err);
		fx_buf_release(&b);
		goto out;
	}
	if (audit_field(ctx, t, op->dir, "user", o->login, n->login,
	    err) == -1 ||
	    audit_field(ctx, t, op->dir, "mode", fx_channel_mode_name(o->mode),
	    fx_channel_mode_name(n->mode), err) == -1 ||
	    audit_field(ctx, t, op->dir, "mail", o->mail, n->mail, err) == -1)
		goto out;
	free(s1);
	s1 = sv_join(o->pull, o->npull);
	free(s2);
	s2 = sv_join(n->pull, n->npull);
	if (audit_field(ctx, t, op->dir, "pull", s1, s2, err) == -1)
		goto out;
	free(s1);
	s1 = sv_join(o->push, o->npush);
	free(s2);
	s2 = sv_join(n->push, n->npush);
	if (audit_field(ctx, t, op->dir, "push", s1, s2, err) == -1)
		goto out;
	rc = 0;
out:
	free(s1);
	free(s2);
	return rc;
}

static int
folder_fn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct folder_op *op = arg;
	struct fx_ctx *ctx = op->ctx;
	const struct fx_folder_change *c = op->chg;
	char why[256], q[300], *p, *cf;
	int uch, mch, r;

	if (fx_acl_check_txn(ctx, t, FX_ACT_STAFF, NULL, NULL, err) == -1)
		return -1;
	/* The map grew and fn runs again: the file is out already, only
	 * the audit entries are left to write. */
	if (op->written)
		return folder_audit(op, t, err);

	fx_channel_release(&op->old);
	fx_channel_release(&op->now);
	if (op->add) {
		if (has_channel(ctx, op->dir))
			return fx_err_set(err, FX_EDATA, "folder %s exists "
			    "already: change it with \"folder set\"",
			    op->dir);
		ch_copy(&op->now, op->ch);
		uch = mch = 1;
	} else {
		if (!has_channel(ctx, op->dir))
			return fx_err_set(err, FX_ENOTFOUND, "no folder \"%s\": "
			    "spool/dealers/%s/channel does not exist",
			    op->dir, op->dir);
		p = fx_path_join(ctx->conf.spool_path, DEALERS);
		cf = fx_path_join(p, op->dir);
		free(p);
		p = fx_path_join(cf, "channel");
		free(cf);
		r = fx_channel_read(p, &op->old, why, sizeof(why));
		if (r == -1)
			fx_err_set(err, FX_EDATA, "%s: %s: fix it by hand "
			    "first", p, why);
		free(p);
		if (r == -1)
			return -1;
		ch_copy(&op->now, &op->old);
		if (c->login != NULL)
			fx_strlcpy(op->now.login, c->login,
			    sizeof(op->now.login));
		if (c->mode >= 0)
			op->now.mode = (enum fx_chmode)c->mode;
		if (c->mail != NULL)
			fx_strlcpy(op->now.mail, c->mail,
			    sizeof(op->now.mail));
		if (c->set_pull)
			sv_set(&op->now.pull, &op->now.npull, c->pull,
			    c->npull);
		if (c->set_push)
			sv_set(&op->now.push, &op->now.npush, c->push,
			    c->npush);
		uch = strcmp(op->old.login, op->now.login) != 0;
		mch = strcmp(op->old.mail, op->now.mail) != 0;
	}
	if (op->now.mail[0] != '\0' && mch) {
		char folded[sizeof(op->now.mail)];

		if (fx_email_norm(op->now.mail, folded, sizeof(folded)) == -1)
			return fx_err_set(err, FX_EUSAGE, "mail \"%s\" is not "
			    "a valid address", fx_quote(q, sizeof(q),
			    op->now.mail));
		fx_strlcpy(op->now.mail, folded, sizeof(op->now.mail));
		mch = strcmp(op->old.mail, op->now.mail) != 0;
	}
	if (folder_check(ctx, t, op->dir, &op->now, uch, mch, err) == -1)
		return -1;

	/*
	 * The file first, the audit entries after, in this transaction
	 * (as request.c does with the files for 1C).  The file is what
	 * formixd acts on, and the log must never show a change that did
	 * not happen.  A crash or a failed commit after the rename leaves
	 * the folder changed without its log entry: the smaller harm
	 * ("folder show" says what is in force, and running the command
	 * again writes the same file).  The other order could log a folder
	 * that was never written.
	 */
	if (fx_channel_write(ctx, op->dir, &op->now, err) == -1)
		return -1;
	op->written = 1;
	fx_crash_at("folder-written");
	return folder_audit(op, t, err);
}

static int
folder_run(struct folder_op *op, struct fx_err *err)
{
	int rc;

	if (fx_acl_check(op->ctx, FX_ACT_STAFF, NULL, NULL, err) == -1 ||
	    dir_check(op->dir, err) == -1)
		return -1;
	rc = fx_db_write(op->ctx->db, folder_fn, op, err);
	fx_channel_release(&op->old);
	fx_channel_release(&op->now);
	return rc == 0 ? 0 : -1;
}

int
fx_folder_add(struct fx_ctx *ctx, const char *dir, const struct fx_channel *ch,
    struct fx_err *err)
{
	struct folder_op op;

	memset(&op, 0, sizeof(op));
	op.ctx = ctx;
	op.dir = dir;
	op.add = 1;
	op.ch = ch;
	return folder_run(&op, err);
}

int
fx_folder_set(struct fx_ctx *ctx, const char *dir,
    const struct fx_folder_change *c, struct fx_err *err)
{
	struct folder_op op;

	memset(&op, 0, sizeof(op));
	op.ctx = ctx;
	op.dir = dir;
	op.chg = c;
	return folder_run(&op, err);
}
