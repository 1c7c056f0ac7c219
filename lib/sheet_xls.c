/*
 * sheet_xls.c -- XLS (OLE2/BIFF) order files, read by freexl in a child.
 *
 * freexl 1.0.6 has a history of heap overflows on crafted files and sizes
 * its cell array from what the file declares, so it never runs in our
 * process.  A forked child:
 *  - closes every descriptor but the pipe back (no store handle, no
 *    spool directory, no socket survives into it), asks to be killed if
 *    we die, and may not gain privileges;
 *  - limits its address space to what it has plus xls_mem (256 MiB), its
 *    CPU time to xls_cpu seconds, its file writes and core dumps to none;
 *  - gives freexl a private copy of the bytes we already read (a memfd,
 *    opened by its /proc/self/fd name: freexl takes only a path), so no
 *    one can swap the file between our look at it and freexl's;
 *  - streams the cells back over the pipe, one frame per cell.
 * We parse the frames as hostile too.  If the child dies, overruns a
 * limit, hangs past the wall-clock deadline or breaks the framing, the
 * file is "damaged or hostile"; nothing it sent counts unless its end
 * frame arrived.
 *
 * Under AddressSanitizer the address-space limit is not set: ASan
 * reserves terabytes of shadow memory up front and would fail at once.
 *
 * Not done here: freexl does not report a sheet's visibility, so "the
 * first sheet" of an XLS is the first worksheet even if hidden.
 *
 * Caveat: fork() copies only the calling thread.  Call this while no
 * other thread of the process is inside iconv or malloc-heavy library
 * code that holds a lock (glibc resets malloc's own locks in the child,
 * not iconv's); a child stuck on such a lock is killed at the wall-clock
 * deadline and the file reported damaged.
 *
 * An OLE2 file is also what Excel writes for a password-protected XLSX
 * (streams EncryptionInfo and EncryptedPackage): that is recognised
 * before anything is forked.
 */
#define _GNU_SOURCE		/* memfd_create, close_range */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <freexl.h>

#include "sheet-int.h"

#if defined(__SANITIZE_ADDRESS__)
#define FX_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FX_ASAN	1
#endif
#endif

#define FRAME_HDR	12
#define FRAME_MAX	(SHEET_MAX_CELL + 1)
#define WBUF		65536

/* Frame types, child to parent. */
enum {
	F_NAME = 'N',		/* the sheet read: text */
	F_CELL = 'C',		/* row, col, flags, text */
	F_END = 'E',		/* all cells sent */
	F_PASS = 'P',		/* password-protected */
	F_FAIL = 'F',		/* freexl error: row = -code */
	F_NOSHEET = 'S',	/* no sheet of that name: text = the names */
	F_EMPTY = 'X',		/* no worksheets at all */
};

/* The child's buffered writer; any failure ends the child. */
struct wr {
	int		 fd;
	size_t		 len;
	unsigned char	 buf[WBUF];
};

static void
wr_flush(struct wr *w)
{
	size_t off = 0;
	ssize_t n;

	while (off < w->len) {
		n = write(w->fd, w->buf + off, w->len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1);
		off += (size_t)n;
	}
	w->len = 0;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
frame(struct wr *w, int type, unsigned flags, uint32_t row, unsigned col,
    const char *s, size_t len)
{
	unsigned char h[FRAME_HDR];

	if (len > FRAME_MAX)
		len = FRAME_MAX;	/* the parent refuses it by length */
	h[0] = (unsigned char)type;
	h[1] = (unsigned char)flags;
	h[2] = (unsigned char)col;
	h[3] = (unsigned char)(col >> 8);
	put32(h + 4, row);
	put32(h + 8, (uint32_t)len);
	if (w->len + FRAME_HDR + len > sizeof(w->buf))
		wr_flush(w);
	memcpy(w->buf + w->len, h, FRAME_HDR);
	w->len += FRAME_HDR;
	if (len > sizeof(w->buf) - w->len) {
		wr_flush(w);
		while (len > 0) {
			size_t k = len < sizeof(w->buf) ? len : sizeof(w->buf);

			memcpy(w->buf, s, k);
			w->len = k;
			wr_flush(w);
			s += k;
			len -= k;
		}
		return;
	}
	memcpy(w->buf + w->len, s, len);
	w->len += len;
}

#ifndef FX_ASAN
/* The child's address space now, from /proc/self/statm (pages). */
static uint64_t
vm_size(void)
{
	char buf[128];
	ssize_t n;
	int fd;

	if ((fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoull(buf, NULL, 10) * (uint64_t)sysconf(_SC_PAGESIZE);
}
#endif

static void
limit(int res, uint64_t v)
{
	struct rlimit rl;

	rl.rlim_cur = rl.rlim_max = (rlim_t)v;
	(void)setrlimit(res, &rl);
}

/* Fault injection for the tests: what a crafted file could make freexl do. */
static void
crash_hooks(struct wr *w)
{
	const char *c = getenv("FX_CRASH_AT");
	volatile unsigned long spin = 0;
	char *p;
	int i;

	if (c == NULL || strncmp(c, "xls-child-", 10) != 0)
		return;
	c += 10;
	if (strcmp(c, "abort") == 0)
		abort();
	if (strcmp(c, "balloon") == 0) {
		for (i = 0; i < 4096; i++) {
			if ((p = malloc(1 << 20)) == NULL)
				abort();	/* as freexl would, on NULL */
			memset(p, 1, 1 << 20);
		}
		abort();
	}
	if (strcmp(c, "spin") == 0)
		for (;;)
			spin++;
	if (strcmp(c, "fds") == 0) {
		/* The descriptors it holds, as "sheet names". */
		char list[256];
		size_t o = 0;

		list[0] = '\0';
		for (i = 0; i < 1024; i++)
			if (fcntl(i, F_GETFD) != -1 && o < sizeof(list) - 8) {
				(void)fx_snprintf(list + o, sizeof(list) - o,
				    "%s%d", o ? "\n" : "", i);
				o = strlen(list);
			}
		frame(w, F_NOSHEET, 0, 0, 0, list, o);
		wr_flush(w);
		_exit(0);
	}
	if (strcmp(c, "garbage") == 0) {
		frame(w, F_CELL, 0, 1, 1, "x", 1);
		w->buf[w->len - 2] = 0xff;	/* a length of ~4 GB */
		wr_flush(w);
		_exit(0);
	}
}

static void __attribute__((noreturn))
child(struct fx_srd *r, int wfd, const char *buf, size_t len, pid_t parent)
{
	static struct wr w;
	static const int sigs[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGUSR1,
	    SIGUSR2, SIGALRM, SIGCHLD };
	FreeXL_CellValue cv;
	const void *h = NULL;
	const char *name, *p;
	char path[64], num[SHEET_NUMBUF], names[512], a[256], b[256];
	unsigned int info, ns, rows, row, idx;
	unsigned short cols, col;
	size_t off, i;
	ssize_t n;
	uint64_t vm;
	int mfd, ret, fd;

	for (i = 0; i < nitems(sigs); i++)
		signal(sigs[i], SIG_DFL);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);	/* it died before we asked */
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);

	/*
	 * Nothing of the parent's but the pipe, as fd 3: no store, no
	 * spool, no socket.  Standard input and output become /dev/null,
	 * and so does standard error except under ASan (its reports).
	 */
	if (wfd != 3) {
		if (dup2(wfd, 3) == -1)
			_exit(1);
		wfd = 3;
	}
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		(void)dup2(fd, 0);
		(void)dup2(fd, 1);
#ifndef FX_ASAN
		(void)dup2(fd, 2);
#endif
		if (fd > 3)
			(void)close(fd);
	}
	if (close_range(4, ~0U, 0) == -1) {
		long max = sysconf(_SC_OPEN_MAX);

		for (fd = 4; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
			(void)close(fd);
	}
	w.fd = wfd;

	/* A private copy for freexl to open by name. */
	if ((mfd = memfd_create("formix-xls", 0)) != -1) {
		for (off = 0; off < len; off += (size_t)n) {
			n = write(mfd, buf + off, len - off);
			if (n == -1 && errno == EINTR) {
				n = 0;
				continue;
			}
			if (n <= 0)
				_exit(1);
		}
		(void)fx_snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
		p = path;
	} else
		/* NEEDSWORK: no memfd (old kernel): freexl reopens the name. */
		p = r->path;

	limit(RLIMIT_CORE, 0);
	limit(RLIMIT_CPU, (uint64_t)r->xls_cpu);
	limit(RLIMIT_NOFILE, 32);
#ifndef FX_ASAN
	limit(RLIMIT_FSIZE, 0);
	vm = vm_size();
	limit(RLIMIT_AS, vm + r->xls_mem);
#else
	/*
	 * ASan's shadow memory is terabytes of address space, and its
	 * reports must reach stderr even when that is a file.
	 */
	(void)vm;
#endif
	crash_hooks(&w);

	if ((ret = freexl_open(p, &h)) != FREEXL_OK) {
		frame(&w, F_FAIL, 0, (uint32_t)-ret, 0, "open", 4);
		goto done;
	}
	if (freexl_get_info(h, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK &&
	    info == FREEXL_BIFF_OBFUSCATED) {
		frame(&w, F_PASS, 0, 0, 0, "", 0);
		goto done;
	}
	if ((ret = freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &ns)) !=
	    FREEXL_OK) {
		frame(&w, F_FAIL, 0, (uint32_t)-ret, 0, "info", 4);
		goto done;
	}
	if (ns == 0) {
		frame(&w, F_EMPTY, 0, 0, 0, "", 0);
		goto done;
	}
	idx = 0;
	if (r->want != NULL) {
		if (fx_fold(r->want, a, sizeof(a)) == -1)
			fx_strlcpy(a, r->want, sizeof(a));
		names[0] = '\0';
		for (idx = 0; idx < ns && idx < 65536; idx++) {
			if (freexl_get_worksheet_name(h, (unsigned short)idx,
			    &name) != FREEXL_OK || name == NULL)
				continue;
			if (fx_fold(name, b, sizeof(b)) == 0 &&
			    strcmp(a, b) == 0)
				break;
			i = strlen(names);
			(void)fx_snprintf(names + i, sizeof(names) - i,
			    "%s%s", i ? "\n" : "", name);
		}
		if (idx == ns || idx == 65536) {
			frame(&w, F_NOSHEET, 0, 0, 0, names, strlen(names));
			goto done;
		}
	}
	if (freexl_get_worksheet_name(h, (unsigned short)idx, &name) ==
	    FREEXL_OK && name != NULL)
		frame(&w, F_NAME, 0, 0, 0, name, strlen(name));
	if ((ret = freexl_select_active_worksheet(h, (unsigned short)idx)) !=
	    FREEXL_OK ||
	    (ret = freexl_worksheet_dimensions(h, &rows, &cols)) !=
	    FREEXL_OK) {
		frame(&w, F_FAIL, 0, (uint32_t)-ret, 0, "select", 6);
		goto done;
	}
	for (row = 0; row < rows; row++) {
		for (col = 0; col < cols; col++) {
			ret = freexl_get_cell_value(h, row, col, &cv);
			if (ret != FREEXL_OK) {
				frame(&w, F_FAIL, 0, (uint32_t)-ret, 0, "cell",
				    4);
				goto done;
			}
			switch (cv.type) {
			case FREEXL_CELL_INT:
				fx_srd_itoa(num, cv.value.int_value);
				frame(&w, F_CELL, SRD_NUM, row + 1, col + 1u,
				    num, strlen(num));
				break;
			case FREEXL_CELL_DOUBLE:
				if (fx_srd_num(num, sizeof(num),
				    cv.value.double_value) == -1)
					frame(&w, F_CELL, 0, row + 1, col + 1u,
					    "#NUM!", 5);
				else
					frame(&w, F_CELL, SRD_NUM, row + 1,
					    col + 1u, num, strlen(num));
				break;
			case FREEXL_CELL_TEXT:
			case FREEXL_CELL_SST_TEXT:
			case FREEXL_CELL_DATE:
			case FREEXL_CELL_DATETIME:
			case FREEXL_CELL_TIME:
				if (cv.value.text_value != NULL)
					frame(&w, F_CELL, 0, row + 1, col + 1u,
					    cv.value.text_value,
					    strlen(cv.value.text_value));
				break;
			default:
				break;
			}
		}
	}
	frame(&w, F_END, 0, 0, 0, "", 0);
done:
	wr_flush(&w);
	/*
	 * No freexl_close: the exit hands its memory back anyway, and the
	 * parent reaps us before it goes on (1M instructions, 0.2 ms).
	 */
	_exit(0);
}

/* The parent's side. */

struct rd {
	int		 fd;
	struct timespec	 deadline;
	size_t		 off, len;
	unsigned char	 buf[WBUF + FRAME_HDR + FRAME_MAX];
};

static int
ms_left(const struct timespec *dl)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(dl->tv_sec - now.tv_sec) * 1000 +
	    (dl->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > 1000000 ? 1000000 : (int)ms;
}

/* Have at least n bytes buffered: 1 yes, 0 end of stream, -1 timeout. */
static int
need(struct rd *d, size_t n)
{
	struct pollfd pfd;
	ssize_t k;
	int t;

	if (d->len - d->off >= n)
		return 1;
	memmove(d->buf, d->buf + d->off, d->len - d->off);
	d->len -= d->off;
	d->off = 0;
	while (d->len < n) {
		pfd.fd = d->fd;
		pfd.events = POLLIN;
		t = ms_left(&d->deadline);
		if (t == 0)
			return -1;
		if (poll(&pfd, 1, t) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		k = read(d->fd, d->buf + d->len, sizeof(d->buf) - d->len);
		if (k == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			return 0;
		d->len += (size_t)k;
	}
	return 1;
}

static const char *
freexl_msg(int code)
{
	switch (code) {
	case FREEXL_INSUFFICIENT_MEMORY:
	case FREEXL_CRAFTED_FILE:
		return NULL;	/* hostile */
	case FREEXL_INVALID_CFBF_HEADER:
	case FREEXL_CFBF_INVALID_SIGNATURE:
	case FREEXL_CFBF_INVALID_SECTOR_SIZE:
		return "damaged XLS file (bad OLE2 header)";
	case FREEXL_CFBF_READ_ERROR:
	case FREEXL_CFBF_SEEK_ERROR:
	case FREEXL_CFBF_EMPTY_FAT_CHAIN:
	case FREEXL_CFBF_ILLEGAL_FAT_ENTRY:
	case FREEXL_INVALID_MINI_STREAM:
	case FREEXL_CFBF_ILLEGAL_MINI_FAT_ENTRY:
		return "truncated or damaged XLS file";
	case FREEXL_BIFF_WORKBOOK_NOT_FOUND:
		return "not a spreadsheet (XLS, XLSX or CSV): an OLE2 "
		    "document without a workbook";
	case FREEXL_INVALID_CHARACTER:
		return "damaged XLS file (text not in its code page)";
	case FREEXL_UNSUPPORTED_CHARSET:
		return "XLS file in an unsupported code page";
	default:
		return "damaged XLS file";
	}
}

/*
 * Does an OLE2 file hold an EncryptedPackage stream?  Directory entries
 * are 128 bytes at 128-byte offsets (sectors are 512 or 4096 bytes after
 * a 512-byte header): look at each for the stream's UTF-16LE name, its
 * length field (bytes, with the NUL) and the stream type.  A bounded scan
 * of bytes we hold, no OLE2 parsing in this process.
 */
static int
ole2_encrypted(const char *buf, size_t len)
{
	static const char want[] = "EncryptedPackage";
	const unsigned char *b = (const unsigned char *)buf;
	size_t off, k, n = sizeof(want) - 1;

	for (off = 512; off + 128 <= len; off += 128) {
		if (b[off + 64] != (n + 1) * 2 || b[off + 65] != 0 ||
		    b[off + 66] != 2)
			continue;
		for (k = 0; k < n; k++)
			if (b[off + 2 * k] != (unsigned char)want[k] ||
			    b[off + 2 * k + 1] != 0)
				break;
		if (k == n)
			return 1;
	}
	return 0;
}

static int
hostile(struct fx_srd *r)
{
	return fx_srd_err(r, 0, FX_EDATA, "damaged or hostile XLS file");
}

/* Read the child's frames into the sink.  1: end frame seen. */
static int
receive(struct fx_srd *r, struct rd *d, int *done)
{
	const unsigned char *h;
	const char *s;
	char q[600], w1[64], w2[64], list[200], *t, *save = NULL;
	uint32_t row, len;
	size_t o;
	unsigned col, flags;
	long cur = 0;
	size_t bad;
	int k;

	*done = 0;
	for (;;) {
		if ((k = need(d, FRAME_HDR)) != 1)
			return k == 0 && d->len == d->off ? 0 : hostile(r);
		h = d->buf + d->off;
		flags = h[1];
		col = (unsigned)h[2] | (unsigned)h[3] << 8;
		row = get32(h + 4);
		len = get32(h + 8);
		if (len > FRAME_MAX)
			return hostile(r);
		if (need(d, FRAME_HDR + len) != 1)
			return hostile(r);
		h = d->buf + d->off;
		s = (const char *)h + FRAME_HDR;
		d->off += FRAME_HDR + len;
		if (len > 0 && !fx_utf8_valid(s, len, &bad))
			return fx_srd_err(r, row, FX_EDATA, "damaged XLS file "
			    "(invalid text)");
		switch (h[0]) {
		case F_CELL:
			if (row < 1 || row > SHEET_MAX_ROW || col < 1 ||
			    col > SHEET_MAX_COL || (flags & ~SRD_NUM) != 0)
				return hostile(r);
			if (row != (uint32_t)cur) {
				if (fx_srd_row(r, row) == -1)
					return -1;
				cur = row;
			}
			if (fx_srd_cell(r, col, s, len, flags) == -1)
				return -1;
			break;
		case F_NAME:
			memcpy(q, s, len < sizeof(q) - 1 ? len : sizeof(q) - 1);
			q[len < sizeof(q) - 1 ? len : sizeof(q) - 1] = '\0';
			fx_strlcpy(r->out->sheet, q, sizeof(r->out->sheet));
			break;
		case F_END:
			if (cur != 0 && fx_srd_end(r) == -1)
				return -1;
			*done = 1;
			return 0;
		case F_PASS:
			return fx_srd_err(r, 0, FX_EDATA,
			    "password-protected workbook");
		case F_FAIL:
			if (freexl_msg(-(int)row) == NULL)
				return hostile(r);
			return fx_srd_err(r, 0, FX_EDATA, "%s",
			    freexl_msg(-(int)row));
		case F_NOSHEET:
			memcpy(q, s, len < sizeof(q) - 1 ? len : sizeof(q) - 1);
			q[len < sizeof(q) - 1 ? len : sizeof(q) - 1] = '\0';
			list[0] = '\0';
			for (t = strtok_r(q, "\n", &save); t != NULL;
			    t = strtok_r(NULL, "\n", &save)) {
				o = strlen(list);
				if (fx_snprintf(list + o, sizeof(list) - o,
				    "%s\"%s\"", o ? ", " : "",
				    fx_quote(w2, sizeof(w2), t)) == -1) {
					list[o] = '\0';
					fx_strlcpy(list + o, "...",
					    sizeof(list) - o);
					break;
				}
			}
			return fx_srd_err(r, 0, FX_EDATA, "no sheet named "
			    "\"%s\" (the workbook has %s)",
			    fx_quote(w1, sizeof(w1), r->want), list);
		case F_EMPTY:
			return fx_srd_err(r, 0, FX_EDATA, "no worksheets in "
			    "the workbook");
		default:
			return hostile(r);
		}
	}
}

int
fx_srd_xls(struct fx_srd *r, const char *buf, size_t len)
{
	struct rd *d;
	iconv_t cd;
	pid_t pid, w, self = getpid();
	int p[2], st, done = 0, rc;

	if (ole2_encrypted(buf, len))
		return fx_srd_err(r, 0, FX_EDATA,
		    "password-protected workbook");
	/* In this process: the child must not load a library under limits. */
	if (fx_lazy_load(FX_LAZY_FREEXL, r->err) == -1)
		return -1;
	if (pipe2(p, O_CLOEXEC) == -1) {
		fx_err_sys(r->err, FX_ETEMP, "pipe");
		return -1;
	}
	/*
	 * freexl converts BIFF8 text from UTF-16LE with iconv.  Holding a
	 * converter open across the fork keeps glibc's module loaded, so
	 * the child does not load it again each time (0.5 ms of 3).
	 */
	cd = iconv_open("UTF-8", "UTF-16LE");
	if ((pid = fork()) == -1) {
		fx_err_sys(r->err, FX_ETEMP, "fork");
		close(p[0]);
		close(p[1]);
		if (cd != (iconv_t)-1)
			iconv_close(cd);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		child(r, p[1], buf, len, self);
	}
	close(p[1]);

	d = fx_malloc(sizeof(*d));
	d->fd = p[0];
	d->off = d->len = 0;
	clock_gettime(CLOCK_MONOTONIC, &d->deadline);
	/* CPU seconds bound the work; the wall clock bounds a hang. */
	d->deadline.tv_sec += 2 * r->xls_cpu + 5;
	rc = receive(r, d, &done);
	if (rc == 0 && !done)
		rc = hostile(r);	/* it died before its end frame */
	free(d);
	close(p[0]);
	/*
	 * Done or not, it goes now: a child never outlives the read.  Only
	 * a child not yet reaped is killed -- once reaped (also by a caller
	 * ignoring SIGCHLD) its pid may belong to someone else.
	 */
	while ((w = waitpid(pid, &st, WNOHANG)) == -1 && errno == EINTR)
		continue;
	if (w == 0) {
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			continue;
	}
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	return rc;
}
