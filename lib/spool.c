/*
 * spool.c -- the durable file protocol: every file Formix writes into the
 * spool (answers for dealers, requests for 1C) arrives whole or not at all.
 *
 * The steps are OpenSMTPD's queue_fs and redis' fsyncFileDir:
 *
 *	1. create a file of a name nobody else can have, "time.pid_rand.host",
 *	   in SPOOL/tmp (same filesystem as every target, so step 4 is a
 *	   rename, never a copy), O_EXCL|O_NOFOLLOW so that nothing planted
 *	   there is followed or reused;
 *	2. write it all (short writes and EINTR retried);
 *	3. fsync it and check close: the data is on disk before it has a name
 *	   anyone looks at;
 *	4. rename it to SPOOL/DIR/NAME: atomic, so a reader of DIR sees the
 *	   old file or the new one, never a part;
 *	5. fsync SPOOL/DIR, so the new name survives a crash, and SPOOL/tmp,
 *	   so the old one does not come back.
 *
 * Failure modes: any failure up to the rename unlinks the temporary file
 * and returns -1 (FX_ECANTCREAT when the file cannot be created or put in
 * place, FX_EIO when writing it fails), with the path and errno in err:
 * nothing is left in DIR.  A crash up to the rename leaves at most a file
 * in SPOOL/tmp, which no reader takes and which startup recovery
 * quarantines once stale.  A failure after the rename (the directory
 * fsync) returns -1 with the file in place: whether it survives a power
 * loss is then unknown, so the caller must act as if it was not written
 * and may write it again under the same name.
 *
 * The crash tests set FX_CRASH_AT=spool-rename to abort between steps 3
 * and 4.
 *
 * The rest of the file is what the queue (queue.c) builds on: moving a
 * file or directory between spool directories by one rename that never
 * replaces anything, the directory fsync, the crash points, the rules
 * for which dropped names are taken, and the check that a file dropped
 * without a rename is complete.
 */
#define _GNU_SOURCE		/* renameat2, RENAME_NOREPLACE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fx-int.h"

/* A file name: no directory part, not hidden (readers skip dot-files). */
static int
name_ok(const char *name)
{
	return name != NULL && name[0] != '\0' && name[0] != '.' &&
	    strchr(name, '/') == NULL;
}

/* A spool directory: relative, and never out of the spool. */
static int
dir_ok(const char *dir)
{
	return dir != NULL && dir[0] != '\0' && dir[0] != '/' &&
	    strstr(dir, "..") == NULL;
}

/* n random bytes: getrandom, else /dev/urandom.  -1 with errno set. */
static int
random_bytes(unsigned char *buf, size_t n)
{
	size_t o = 0;
	ssize_t r;
	int fd, saved;

	while (o < n) {
		r = getrandom(buf + o, n - o, GRND_NONBLOCK);
		if (r > 0) {
			o += (size_t)r;
			continue;
		}
		if (r == -1 && errno == EINTR)
			continue;
		/* Not yet seeded (early boot) or no such call: the device. */
		break;
	}
	if (o == n)
		return 0;
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (o < n) {
		r = read(fd, buf + o, n - o);
		if (r > 0)
			o += (size_t)r;
		else if (r == -1 && errno == EINTR)
			continue;
		else {
			saved = r == 0 ? EIO : errno;
			close(fd);
			errno = saved;
			return -1;
		}
	}
	close(fd);
	return 0;
}

/*
 * "time.pid_rand.host", the maildir recipe: the time and pid tell where a
 * stray temporary file came from, the 64 random bits make it unique even
 * across a pid reused within the second or two hosts sharing the spool.
 */
static int
temp_name(char *buf, size_t sz, struct fx_err *err)
{
	unsigned char rnd[8];
	char host[256], hex[sizeof(rnd) * 2 + 1];
	size_t i;

	if (random_bytes(rnd, sizeof(rnd)) == -1)
		return fx_err_sys(err, FX_ECANTCREAT, "random bytes for a "
		    "spool file name");
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
		fx_strlcpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	/* A host name is not ours to trust inside a path. */
	for (i = 0; host[i] != '\0'; i++) {
		char c = host[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.'))
			host[i] = '_';
	}
	if (i > 64)
		host[64] = '\0';
	if (fx_snprintf(buf, sz, "%lld.%ld_%s.%s", (long long)time(NULL),
	    (long)getpid(), hex, host) == -1)
		return fx_err_set(err, FX_ECANTCREAT, "spool file name too "
		    "long");
	return 0;
}

/* Write all of data, through short writes and signals. */
static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t r;

	while (len > 0) {
		r = write(fd, p, len);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0) {
			errno = EIO;
			return -1;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/*
 * Make a directory's entries durable.  As redis does, a system that
 * cannot open or fsync a directory at all (EISDIR, EINVAL, EBADF) is
 * taken to need no such step; any other failure is reported.
 */
int
fx_spool_fsync_dir(const char *dir, struct fx_err *err)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		if (errno == EISDIR)
			return 0;
		return fx_err_sys(err, FX_EIO, "open directory %s", dir);
	}
	if (fsync(fd) == -1 && errno != EINVAL && errno != EBADF) {
		fx_err_sys(err, FX_EIO, "fsync directory %s", dir);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
fx_spool_write(struct fx_ctx *ctx, const char *dir, const char *name,
    const void *data, size_t len, struct fx_err *err)
{
	char q[128];
	char *dstdir;
	int rc;

	/* Callers make these names: a bad one is a bug, not bad input. */
	if (!dir_ok(dir))
		return fx_err_set(err, FX_EUSAGE, "spool directory \"%s\" must "
		    "be relative and stay inside the spool",
		    fx_quote(q, sizeof(q), dir));
	if (!name_ok(name))
		return fx_err_set(err, FX_EUSAGE, "spool file name \"%s\" must "
		    "not be empty, contain '/' or start with '.'",
		    fx_quote(q, sizeof(q), name));
	dstdir = fx_path_join(ctx->conf.spool_path, dir);
	rc = fx_spool_write_at(ctx, dstdir, name, data, len, err);
	free(dstdir);
	return rc;
}

static int
spool_put(struct fx_ctx *ctx, const char *dstdir, const char *name,
    const void *data, size_t len, int syncdir, struct fx_err *err)
{
	char tmpname[512], q[128];
	char *tmpdir = NULL, *tmppath = NULL, *dstpath = NULL;
	int fd = -1, tries, rc = -1;

	/* Dot-names are allowed here: the queue keeps its notes in them. */
	if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return fx_err_set(err, FX_EUSAGE, "spool file name \"%s\" must "
		    "not be empty or contain '/'",
		    fx_quote(q, sizeof(q), name));
	tmpdir = fx_path_join(ctx->conf.spool_path, "tmp");
	dstpath = fx_path_join(dstdir, name);

	/* 64 random bits never collide in practice; EEXIST is retried. */
	for (tries = 0; ; tries++) {
		if (temp_name(tmpname, sizeof(tmpname), err) == -1)
			goto out;
		free(tmppath);
		tmppath = fx_path_join(tmpdir, tmpname);
		fd = open(tmppath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0640);
		if (fd != -1)
			break;
		if (errno != EEXIST || tries == 2) {
			fx_err_sys(err, FX_ECANTCREAT, "create %s", tmppath);
			free(tmppath);
			tmppath = NULL;	/* not ours: never unlinked */
			goto out;
		}
	}

	if (write_all(fd, data, len) == -1) {
		fx_err_sys(err, FX_EIO, "write %s", tmppath);
		goto out;
	}
	/* On disk before it has the name anyone reads. */
	if (fsync(fd) == -1) {
		fx_err_sys(err, FX_EIO, "fsync %s", tmppath);
		goto out;
	}
	/* NFS and quotas report lost writes at close: check it. */
	if (close(fd) == -1) {
		fd = -1;
		fx_err_sys(err, FX_EIO, "close %s", tmppath);
		goto out;
	}
	fd = -1;

	fx_crash_at("spool-rename");

	/* Atomic: a reader of DIR sees the old file or the new, whole. */
	if (rename(tmppath, dstpath) == -1) {
		fx_err_sys(err, FX_ECANTCREAT, "rename %s to %s", tmppath,
		    dstpath);
		goto out;
	}
	free(tmppath);
	tmppath = NULL;	/* renamed: nothing to clean up any more */

	/*
	 * The new name must survive a crash.  The old one is in spool/tmp,
	 * which nothing reads as input: should a crash bring it back, it is
	 * a stale copy that startup quarantines, so spool/tmp is not synced
	 * (one fsync fewer for every file the spool hands out).
	 */
	if (syncdir && fx_spool_fsync_dir(dstdir, err) == -1)
		goto out;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (tmppath != NULL)
		unlink(tmppath);
	free(tmppath);
	free(tmpdir);
	free(dstpath);
	return rc;
}

int
fx_spool_write_at(struct fx_ctx *ctx, const char *dstdir, const char *name,
    const void *data, size_t len, struct fx_err *err)
{
	return spool_put(ctx, dstdir, name, data, len, 1, err);
}

int
fx_spool_write_unsynced(struct fx_ctx *ctx, const char *dstdir,
    const char *name, const void *data, size_t len, struct fx_err *err)
{
	return spool_put(ctx, dstdir, name, data, len, 0, err);
}

/*
 * FX_CRASH_AT=POINT aborts the first time POINT is reached, POINT:N the
 * Nth time.  The count is the library's one piece of global state, and
 * only the crash tests ever set it going.
 */
void
fx_crash_at(const char *point)
{
	static unsigned long seen;
	const char *crash = getenv("FX_CRASH_AT"), *colon;
	size_t len;

	if (crash == NULL)
		return;
	colon = strchr(crash, ':');
	len = colon != NULL ? (size_t)(colon - crash) : strlen(crash);
	if (len != strlen(point) || strncmp(crash, point, len) != 0)
		return;
	if (colon == NULL || ++seen >= strtoul(colon + 1, NULL, 10))
		abort();
}

/*
 * Lock tests: with $FX_PAUSE_AT "point:PATH", make PATH.paused here and
 * wait (at most a minute) for PATH.go, so that a test can act while this
 * process stands at point, e.g. prove that it holds no lock there.
 */
void
fx_pause_at(const char *point)
{
	const char *p = getenv("FX_PAUSE_AT"), *colon;
	char path[4096];
	int fd, i;

	if (p == NULL || (colon = strchr(p, ':')) == NULL ||
	    (size_t)(colon - p) != strlen(point) ||
	    strncmp(p, point, strlen(point)) != 0)
		return;
	(void)snprintf(path, sizeof(path), "%s.paused", colon + 1);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) != -1)
		close(fd);
	(void)snprintf(path, sizeof(path), "%s.go", colon + 1);
	for (i = 0; i < 6000 && access(path, F_OK) == -1; i++)
		(void)usleep(10000);
}

/* The parent directory of path, into buf; "." if it has none. */
static void
parent(const char *path, char *buf, size_t sz)
{
	const char *s = strrchr(path, '/');

	if (s == NULL)
		fx_strlcpy(buf, ".", sz);
	else if (s == path)
		fx_strlcpy(buf, "/", sz);
	else if ((size_t)(s - path) < sz) {
		memcpy(buf, path, (size_t)(s - path));
		buf[s - path] = '\0';
	} else
		fx_strlcpy(buf, ".", sz);	/* never: paths are ours */
}

int
fx_spool_rename(const char *from, const char *to, struct fx_err *err)
{
	struct stat st;

	/*
	 * A state change must never replace what is already there: two
	 * entries of one id would make one of them disappear.  RENAME_NOREPLACE
	 * decides that atomically; a filesystem without it (EINVAL) gets the
	 * check and the rename, which is enough for a spool only formixd
	 * writes to.
	 */
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return fx_err_sys(err, errno == ENOENT ? FX_ENOINPUT : FX_EIO,
		    "rename %s to %s", from, to);
	if (lstat(to, &st) == 0) {
		errno = EEXIST;
		return fx_err_sys(err, FX_EIO, "rename %s to %s", from, to);
	}
	if (rename(from, to) == -1)
		return fx_err_sys(err, errno == ENOENT ? FX_ENOINPUT : FX_EIO,
		    "rename %s to %s", from, to);
	return 0;
}

int
fx_spool_move(const char *from, const char *to, struct fx_err *err)
{
	char a[4096], b[4096];

	if (fx_spool_rename(from, to, err) == -1)
		return -1;
	/* The new name must survive a crash, and the old must not return. */
	parent(from, a, sizeof(a));
	parent(to, b, sizeof(b));
	if (fx_spool_fsync_dir(b, err) == -1)
		return -1;
	if (strcmp(a, b) != 0 && fx_spool_fsync_dir(a, err) == -1)
		return -1;
	return 0;
}

int
fx_spool_name_kind(const char *name)
{
	static const char *const partial[] = { ".part", ".filepart", ".tmp" };
	static const char *const cml[] = { "import", "offers", "prices",
	    "rests" };
	const unsigned char *p;
	size_t i, len = strlen(name), sl;

	/*
	 * Uploads in progress: dot-files (rsync, many SFTP clients) and the
	 * suffixes WinSCP, FileZilla and curl use until the final rename.
	 */
	if (len == 0 || name[0] == '.')
		return FX_NAME_SKIP;
	for (i = 0; i < nitems(partial); i++) {
		sl = strlen(partial[i]);
		if (len > sl && strcasecmp(name + len - sl, partial[i]) == 0)
			return FX_NAME_SKIP;
	}
	/* No sender of ours names a file with control characters. */
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return FX_NAME_BAD;
	/*
	 * The names 1C gives the parts of one CommerceML exchange (import,
	 * import0_1, import___<guid>, offers..., prices..., rests...): they
	 * may be grouped into one package.
	 */
	if (len > 4 && strcasecmp(name + len - 4, ".xml") == 0)
		for (i = 0; i < nitems(cml); i++)
			if (strncasecmp(name, cml[i], strlen(cml[i])) == 0)
				return FX_NAME_PART;
	return FX_NAME_FILE;
}

static int
xml_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
xml_namechar(int c)
{
	return c != '\0' && !xml_space(c) && c != '/' && c != '>' &&
	    c != '<' && c != '=';
}

/* Skip from p (at "<?", "<!" or "<!--") past the construct; NULL if it
 * does not end within [p, end). */
static const char *
skip_decl(const char *p, const char *end)
{
	const char *q;

	if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
		for (q = p + 4; q + 3 <= end; q++)
			if (memcmp(q, "-->", 3) == 0)
				return q + 3;
		return NULL;
	}
	for (q = p; q < end; q++)
		if (*q == '>')
			return q + 1;
	return NULL;
}

int
fx_spool_complete(int fd, const struct stat *st)
{
	char head[4096], tail[4096], root[256];
	const char *p, *end, *q;
	size_t hn, tn, rl;
	ssize_t r;
	off_t off;

	if (st->st_size == 0)
		return 0;
	hn = st->st_size < (off_t)sizeof(head) ? (size_t)st->st_size :
	    sizeof(head);
	if ((r = pread(fd, head, hn, 0)) == -1)
		return -1;
	hn = (size_t)r;
	p = head;
	end = head + hn;
	if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	else if (end - p >= 2 && (memcmp(p, "\xff\xfe", 2) == 0 ||
	    memcmp(p, "\xfe\xff", 2) == 0))
		return 1;	/* UTF-16: the importer decides */
	for (;;) {
		while (p < end && xml_space((unsigned char)*p))
			p++;
		if (p == end)
			return p == head + hn && hn < sizeof(head) ? 0 : 1;
		if (*p != '<')
			return 1;	/* not XML: nothing to check */
		if (p + 1 < end && (p[1] == '?' || p[1] == '!')) {
			if ((p = skip_decl(p, end)) == NULL)
				return hn < sizeof(head) ? 0 : 1;
			continue;
		}
		break;
	}
	/* The root element's name, as bytes (any encoding that is ASCII-
	 * compatible writes it the same at both ends). */
	for (q = ++p; q < end && xml_namechar((unsigned char)*q); q++)
		;
	rl = (size_t)(q - p);
	if (q == end || rl == 0 || rl >= sizeof(root))
		return hn < sizeof(head) ? 0 : 1;
	memcpy(root, p, rl);
	root[rl] = '\0';

	/* The end: "</root>" and nothing but white space after it. */
	tn = st->st_size < (off_t)sizeof(tail) ? (size_t)st->st_size :
	    sizeof(tail);
	off = st->st_size - (off_t)tn;
	if ((r = pread(fd, tail, tn, off)) == -1)
		return -1;
	tn = (size_t)r;
	while (tn > 0 && (xml_space((unsigned char)tail[tn - 1]) ||
	    tail[tn - 1] == '\0'))
		tn--;
	if (tn == 0 || tail[tn - 1] != '>')
		return 0;
	/* A document that is its root alone: "<root .../>". */
	if ((off_t)hn == st->st_size && (p = memchr(q, '>', (size_t)(end -
	    q))) != NULL && p[-1] == '/') {
		for (p++; p < end && xml_space((unsigned char)*p); p++)
			;
		if (p == end)
			return 1;
	}
	for (q = tail + tn - 1; q > tail; q--)
		if (q[-1] == '<' && q[0] == '/')
			break;
	if (q == tail)
		return 0;
	q++;
	return (size_t)(tail + tn - 1 - q) >= rl && memcmp(q, root, rl) == 0 &&
	    (q[rl] == '>' || xml_space((unsigned char)q[rl])) ? 1 : 0;
}

int
fx_file_write(const char *path, const void *data, size_t len,
    struct fx_err *err)
{
	char tmp[4096], *slash;
	size_t off = 0;
	ssize_t w;
	int fd;

	/* A hidden name, so that no one takes the file half-written. */
	if ((slash = strrchr(path, '/')) != NULL) {
		if (fx_snprintf(tmp, sizeof(tmp), "%.*s/.%s.tmp.XXXXXX",
		    (int)(slash - path), path, slash + 1) == -1)
			return fx_err_set(err, FX_ECANTCREAT, "%s: path too "
			    "long", path);
	} else if (fx_snprintf(tmp, sizeof(tmp), ".%s.tmp.XXXXXX",
	    path) == -1)
		return fx_err_set(err, FX_ECANTCREAT, "%s: path too long",
		    path);
	if ((fd = mkstemp(tmp)) == -1)
		return fx_err_sys(err, FX_ECANTCREAT, "%s: cannot create",
		    path);
	while (off < len) {
		if ((w = write(fd, (const char *)data + off, len - off)) ==
		    -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0640) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		(void)fx_err_sys(err, FX_ECANTCREAT, "%s: cannot create",
		    path);
		(void)unlink(tmp);
		return -1;
	}
	/* The rename itself must survive a crash. */
	if ((slash = strrchr(tmp, '/')) != NULL) {
		*slash = '\0';
		return fx_spool_fsync_dir(tmp[0] != '\0' ? tmp : "/", err);
	}
	return fx_spool_fsync_dir(".", err);
fail:
	(void)fx_err_sys(err, FX_EIO, "%s: cannot write", path);
	if (fd != -1)
		(void)close(fd);
	(void)unlink(tmp);
	return -1;
}
