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
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
static int
fsync_dir(const char *dir, struct fx_err *err)
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
	char tmpname[512], q[128];
	char *tmpdir = NULL, *tmppath = NULL, *dstdir = NULL, *dstpath = NULL;
	const char *crash;
	int fd = -1, tries, rc = -1;

	/* Callers make these names: a bad one is a bug, not bad input. */
	if (!dir_ok(dir))
		return fx_err_set(err, FX_EUSAGE, "spool directory \"%s\" must "
		    "be relative and stay inside the spool",
		    fx_quote(q, sizeof(q), dir));
	if (!name_ok(name))
		return fx_err_set(err, FX_EUSAGE, "spool file name \"%s\" must "
		    "not be empty, contain '/' or start with '.'",
		    fx_quote(q, sizeof(q), name));

	tmpdir = fx_path_join(ctx->conf.spool_path, "tmp");
	dstdir = fx_path_join(ctx->conf.spool_path, dir);
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

	crash = getenv("FX_CRASH_AT");
	if (crash != NULL && strcmp(crash, "spool-rename") == 0)
		abort();

	/* Atomic: a reader of DIR sees the old file or the new, whole. */
	if (rename(tmppath, dstpath) == -1) {
		fx_err_sys(err, FX_ECANTCREAT, "rename %s to %s", tmppath,
		    dstpath);
		goto out;
	}
	free(tmppath);
	tmppath = NULL;	/* renamed: nothing to clean up any more */

	/* The new name must survive a crash, and the old must not return. */
	if (fsync_dir(dstdir, err) == -1 || fsync_dir(tmpdir, err) == -1)
		goto out;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (tmppath != NULL)
		unlink(tmppath);
	free(tmppath);
	free(tmpdir);
	free(dstdir);
	free(dstpath);
	return rc;
}
