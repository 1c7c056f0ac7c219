/*
 * xlsx.c -- writing an XLSX workbook to a temporary name, reading it
 * back and renaming it into place (fx-xlsx.h says why and how).
 *
 * Failure modes: the target's directory unwritable (FX_ECANTCREAT); a
 * write error of libxlsxwriter, a file that does not read back whole, a
 * failed fsync (FX_EIO).  Every error names the target, never the
 * temporary file, which is gone by then.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "fx-xlsx.h"

/* An error about path, with errno e (0 for none). */
static int __attribute__((format(printf, 5, 6)))
perr(struct fx_err *err, enum fx_code code, const char *path, int e,
    const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fx_err_setloc(err, code, path, 0, 0, "%s", msg);
	if (err != NULL)
		err->sys_errno = e;
	return -1;
}

/*
 * A libxlsxwriter error: its text, lowercased and without the final
 * period, and errno when the failure was the file system's.
 */
static void
lxw_err(struct fx_err *err, const char *path, lxw_error le, int e)
{
	char msg[200];
	size_t n;

	snprintf(msg, sizeof(msg), "%s", lxw_strerror(le));
	n = strlen(msg);
	if (n > 0 && msg[n - 1] == '.')
		msg[--n] = '\0';
	if (msg[0] >= 'A' && msg[0] <= 'Z')
		msg[0] = (char)(msg[0] - 'A' + 'a');
	switch (le) {
	case LXW_ERROR_CREATING_XLSX_FILE:
	case LXW_ERROR_CREATING_TMPFILE:
	case LXW_ERROR_ZIP_FILE_OPERATION:
	case LXW_ERROR_ZIP_CLOSE:
		break;
	default:
		e = 0;
	}
	perr(err, le == LXW_ERROR_CREATING_XLSX_FILE ? FX_ECANTCREAT : FX_EIO,
	    path, e, "cannot write: %s", msg);
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint16_t
le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/*
 * Inflate one member, check its size and CRC, and count "<row " in it when
 * rows is not NULL.  0 if sound.
 */
static int
member_check(const unsigned char *data, size_t csize, unsigned method,
    uint32_t crc, uint32_t usize, uint64_t *rows)
{
	static const char pat[] = "<row ";
	unsigned char out[65536 + sizeof(pat)];
	const size_t carry = sizeof(pat) - 2;
	z_stream z;
	uLong c = crc32(0L, Z_NULL, 0);
	uint64_t total = 0;
	size_t keep = 0, have, i;
	int zr;

	if (method == 0) {
		if (csize != usize)
			return -1;
		c = crc32(c, data, (uInt)csize);
		if (rows != NULL)
			for (i = 0; i + carry < csize; i++)
				if (memcmp(data + i, pat, carry + 1) == 0)
					(*rows)++;
		return c == crc ? 0 : -1;
	}
	if (method != 8)
		return -1;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)csize;
	do {
		z.next_out = out + keep;
		z.avail_out = 65536;
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END)
			break;
		have = 65536 - z.avail_out;
		c = crc32(c, out + keep, (uInt)have);
		total += have;
		have += keep;
		if (rows != NULL && have > carry) {
			/* memchr: a byte loop was a tenth of check -o. */
			const unsigned char *q = out, *end = out + have - carry;

			while ((q = memchr(q, '<', (size_t)(end - q))) != NULL) {
				if (memcmp(q, pat, carry + 1) == 0)
					(*rows)++;
				q++;
			}
		}
		if (rows != NULL) {
			/* Keep a tail so a match across chunks is seen. */
			keep = have < carry ? have : carry;
			memmove(out, out + have - keep, keep);
		}
	} while (zr == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
	inflateEnd(&z);
	if (zr != Z_STREAM_END)
		return -1;
	return total == usize && c == crc ? 0 : -1;
}

/* "xl/worksheets/sheetN.xml": its N, or 0. */
static size_t
sheet_no(const unsigned char *name, size_t len)
{
	static const char pre[] = "xl/worksheets/sheet";
	size_t i, n = 0;

	if (len < sizeof(pre) - 1 + 5 ||
	    memcmp(name, pre, sizeof(pre) - 1) != 0 ||
	    memcmp(name + len - 4, ".xml", 4) != 0)
		return 0;
	for (i = sizeof(pre) - 1; i < len - 4; i++) {
		if (name[i] < '0' || name[i] > '9' || n > 100000)
			return 0;
		n = n * 10 + (size_t)(name[i] - '0');
	}
	return n;
}

/*
 * Is the file at tmp a whole XLSX?  Walk the ZIP central directory, check
 * every member, and count the rows of each sheet.  Errors name path, the
 * file the caller asked for.
 */
static int
verify(const char *tmp, const char *path, const uint64_t *want,
    size_t nsheets, struct fx_err *err)
{
	unsigned char *buf = NULL;
	const unsigned char *p, *eocd = NULL;
	struct stat st;
	size_t size, off, i, n, cdoff, cdsize, nl, lo, data, sn, found = 0;
	uint64_t *rows;
	int fd, rc = -1;
	ssize_t r;

	rows = fx_calloc(nsheets ? nsheets : 1, sizeof(*rows));
	if ((fd = open(tmp, O_RDONLY | O_NOFOLLOW)) == -1) {
		free(rows);
		return perr(err, FX_EIO, path, errno, "cannot read back");
	}
	if (fstat(fd, &st) == -1) {
		perr(err, FX_EIO, path, errno, "cannot read back");
		goto out;
	}
	size = (size_t)st.st_size;
	if (size < 22) {
		perr(err, FX_EIO, path, 0, "written file is empty or cut short "
		    "(%zu bytes)", size);
		goto out;
	}
	buf = fx_malloc(size);
	for (off = 0; off < size; off += (size_t)r) {
		r = read(fd, buf + off, size - off);
		if (r == -1 && errno == EINTR) {
			r = 0;
			continue;
		}
		if (r <= 0) {
			perr(err, FX_EIO, path, r == -1 ? errno : 0,
			    "cannot read back");
			goto out;
		}
	}
	/* End of central directory: the last 22 bytes plus any comment. */
	for (i = size - 22;; i--) {
		if (le32(buf + i) == 0x06054b50) {
			eocd = buf + i;
			break;
		}
		if (i == 0 || size - i > 22 + 65535)
			break;
	}
	if (eocd == NULL)
		goto bad;
	n = le16(eocd + 10);
	cdsize = le32(eocd + 12);
	cdoff = le32(eocd + 16);
	if (cdoff > (size_t)(eocd - buf) || cdsize > (size_t)(eocd - buf) -
	    cdoff || n == 0)
		goto bad;
	for (p = buf + cdoff, i = 0; i < n; i++) {
		uint32_t crc, csize, usize;
		unsigned method;

		if ((size_t)(p - buf) + 46 > cdoff + cdsize ||
		    le32(p) != 0x02014b50)
			goto bad;
		method = le16(p + 10);
		crc = le32(p + 16);
		csize = le32(p + 20);
		usize = le32(p + 24);
		nl = le16(p + 28);
		lo = le32(p + 42);
		if ((size_t)(p - buf) + 46 + nl > cdoff + cdsize)
			goto bad;
		if (lo + 30 > cdoff || le32(buf + lo) != 0x04034b50)
			goto bad;
		data = lo + 30 + le16(buf + lo + 26) + le16(buf + lo + 28);
		if (data > cdoff || csize > cdoff - data)
			goto bad;
		sn = sheet_no(p + 46, nl);
		if (sn >= 1 && sn <= nsheets) {
			found++;
			if (member_check(buf + data, csize, method, crc, usize,
			    &rows[sn - 1]) == -1)
				goto bad;
		} else if (member_check(buf + data, csize, method, crc, usize,
		    NULL) == -1)
			goto bad;
		p += 46 + nl + le16(p + 30) + le16(p + 32);
	}
	if (found != nsheets)
		goto bad;
	for (i = 0; i < nsheets; i++)
		if (rows[i] != want[i]) {
			perr(err, FX_EIO, path, 0, "written file is "
			    "incomplete: %llu of %llu rows",
			    (unsigned long long)rows[i],
			    (unsigned long long)want[i]);
			goto out;
		}
	rc = 0;
	goto out;
bad:
	perr(err, FX_EIO, path, 0, "written file is not a complete XLSX");
out:
	free(rows);
	free(buf);
	close(fd);
	return rc;
}

static int
fsync_path(const char *path, int dir)
{
	int fd, r, e;

	fd = open(path, O_RDONLY | (dir ? O_DIRECTORY : O_NOFOLLOW));
	if (fd == -1)
		return -1;
	r = fsync(fd);
	e = errno;
	if (close(fd) == -1 && r == 0)
		return -1;
	errno = e;
	return r;
}

static void
release(struct fx_xlsx *x)
{
	if (x->tmp != NULL) {
		unlink(x->tmp);
		free(x->tmp);
	}
	free(x->dir);
	x->tmp = x->dir = NULL;
	x->wb = NULL;
}

/*
 * Where libxlsxwriter's working files go: spool.scratch when it is a
 * directory we may write, else beside the target.  They are deleted as
 * soon as they are opened and nothing in them outlives the workbook, so
 * a memory filesystem is the right place: a workbook makes ten of them,
 * and on ext4 without a journal every file created and deleted makes the
 * creation of later files slower for minutes.
 */
static const char *
scratch_dir(struct fx_ctx *ctx, const char *beside)
{
	const char *s = ctx != NULL ? fx_ctx_conf(ctx)->scratch : NULL;
	struct stat st;

	if (s != NULL && stat(s, &st) == 0 && S_ISDIR(st.st_mode) &&
	    access(s, W_OK | X_OK) == 0)
		return s;
	return beside;
}

int
fx_xlsx_open(struct fx_xlsx *x, struct fx_ctx *ctx, const char *path,
    int constant_memory, struct fx_err *err)
{
	lxw_workbook_options wo;
	const char *base;
	size_t dlen;
	int fd;

	memset(x, 0, sizeof(*x));
	x->path = path;
	if (path == NULL || *path == '\0')
		return fx_err_set(err, FX_EUSAGE, "no file to write the "
		    "workbook to");
	if (fx_lazy_load(FX_LAZY_XLSXW, err) == -1)
		return -1;
	/* A hidden temporary name in the target's directory. */
	base = strrchr(path, '/');
	dlen = base != NULL ? (size_t)(base - path) + 1 : 0;
	base = base != NULL ? base + 1 : path;
	if (*base == '\0')
		return perr(err, FX_ECANTCREAT, path, EISDIR, "cannot create");
	x->dir = dlen > 0 ? fx_strndup(path, dlen) : fx_strdup(".");
	x->tmp = fx_malloc(dlen + strlen(base) + 16);
	memcpy(x->tmp, path, dlen);
	snprintf(x->tmp + dlen, strlen(base) + 16, ".%s.tmp.XXXXXX", base);
	if ((fd = mkstemp(x->tmp)) == -1) {
		perr(err, FX_ECANTCREAT, path, errno, "cannot create");
		free(x->tmp);
		x->tmp = NULL;
		release(x);
		return -1;
	}
	if (fchmod(fd, 0640) == -1 || close(fd) == -1) {
		perr(err, FX_ECANTCREAT, path, errno, "cannot create");
		release(x);
		return -1;
	}
	memset(&wo, 0, sizeof(wo));
	wo.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
	/* Not written through: libxlsxwriter's member lacks the const. */
	wo.tmpdir = (char *)(uintptr_t)scratch_dir(ctx, x->dir);
	if ((x->wb = workbook_new_opt(x->tmp, &wo)) == NULL) {
		perr(err, FX_ECANTCREAT, path, errno, "cannot create");
		release(x);
		return -1;
	}
	return 0;
}

void
fx_xlsx_abort(struct fx_xlsx *x)
{
	if (x->wb != NULL)
		(void)workbook_close(x->wb);
	release(x);
}

int
fx_xlsx_finish(struct fx_xlsx *x, const uint64_t *rows, size_t nsheets,
    struct fx_err *err)
{
	lxw_error le;
	int e;

	/* workbook_close frees the workbook whatever it returns. */
	errno = 0;
	le = workbook_close(x->wb);
	x->wb = NULL;
	if (x->e != LXW_NO_ERROR || le != LXW_NO_ERROR) {
		e = errno;
		lxw_err(err, x->path, x->e != LXW_NO_ERROR ? x->e : le, e);
		goto fail;
	}
	if (verify(x->tmp, x->path, rows, nsheets, err) == -1)
		goto fail;
	if (fsync_path(x->tmp, 0) == -1) {
		perr(err, FX_EIO, x->path, errno, "cannot write");
		goto fail;
	}
	if (rename(x->tmp, x->path) == -1) {
		perr(err, FX_ECANTCREAT, x->path, errno, "cannot create");
		goto fail;
	}
	free(x->tmp);
	x->tmp = NULL;
	if (fsync_path(x->dir, 1) == -1) {
		perr(err, FX_EIO, x->dir, errno, "cannot sync the directory");
		goto fail;
	}
	release(x);
	return 0;
fail:
	release(x);
	return -1;
}
