/*
 * cli.c -- what the formix tools share: messages, the exit status map,
 * the check of stdout at exit and the three output formats.
 *
 * Diagnostics go to stderr as "prog: file:line: message" through one
 * formatter (fx_err_format); results go to stdout.  A tool that could not
 * write its results must not exit 0: close_stdout, run at exit, flushes
 * and closes stdout and turns any error into exit status 74.
 *
 * Output formats: CLI_TSV and CLI_JSON stream, one line per row as it
 * comes, so a listing of the whole catalog needs no memory for its rows;
 * CLI_TABLE keeps the rows until cli_out_end because every column must be
 * as wide as its widest cell, measured in terminal columns (fx_width), not
 * bytes, so that Cyrillic lines up.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "cli.h"

const char *cli_prog = "formix";

static void
close_stdout(void)
{
	int bad, saved = 0;

	/*
	 * A full disk or a closed pipe shows up here at the latest: stdio
	 * buffers what the tool printed.  Remember the first errno seen.
	 */
	errno = 0;
	bad = fflush(stdout) != 0;
	if (bad)
		saved = errno;
	if (ferror(stdout))
		bad = 1;
	errno = 0;
	if (fclose(stdout) != 0) {
		if (!bad)
			saved = errno;
		bad = 1;
	}
	if (bad) {
		if (saved != 0)
			fprintf(stderr, "%s: write error: %s\n", cli_prog,
			    strerror(saved));
		else
			fprintf(stderr, "%s: write error\n", cli_prog);
		_exit(EX_IOERR_);
	}
	if (fflush(stderr) != 0)
		_exit(EX_IOERR_);
}

/*
 * The heap in 2 MiB pages.  Debian's kernels give transparent huge pages
 * only where madvise asks for them, and a tool's heap is short-lived and
 * dense: checking a 6,000-line order touches 10 MB of it.  In a virtual
 * machine each 4 KiB page costs about 2 us to fault in, a 2 MiB page
 * about a fifth of that per 4 KiB.  So the heap is grown once by
 * HEAP_HUGE, kept (not trimmed), allocations below that size stay in it
 * rather than in mmaps of their own, and its aligned part is advised.
 * Pages never touched cost nothing; where anything is refused (another
 * malloc, as under AddressSanitizer) the heap simply stays as it was.
 */
#define HEAP_HUGE	((size_t)64 << 20)
#define HUGE_PAGE	((uintptr_t)2 << 20)

static void
heap_huge(void)
{
#if defined(M_TOP_PAD) && defined(MADV_HUGEPAGE)
	uintptr_t lo, hi;
	void *p, *end;

	if (mallopt(M_MMAP_THRESHOLD, HEAP_HUGE) != 1 ||
	    mallopt(M_TRIM_THRESHOLD, 2 * HEAP_HUGE) != 1 ||
	    mallopt(M_TOP_PAD, HEAP_HUGE) != 1)
		return;
	/* Bigger than any free chunk: the heap must grow now. */
	if ((p = malloc(HEAP_HUGE / 4)) == NULL)
		return;
	end = sbrk(0);
	lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	hi = (uintptr_t)end & ~(HUGE_PAGE - 1);
	free(p);
	if (end != (void *)-1 && hi > lo && hi - lo <= 2 * HEAP_HUGE)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#endif
}

void
cli_init_daemon(const char *prog)
{
	cli_prog = prog;
	if (atexit(close_stdout) != 0) {
		fprintf(stderr, "%s: cannot register the exit handler\n",
		    prog);
		exit(EX_SOFTWARE_);
	}
}

void
cli_init(const char *prog)
{
	cli_init_daemon(prog);
	heap_huge();
}

int
cli_exit_code(enum fx_code code)
{
	switch (code) {
	case FX_OK:
		return EX_OK_;
	case FX_ENEGATIVE:
	case FX_ENOTFOUND:
		return EX_NEGATIVE;
	case FX_EUSAGE:
		return EX_USAGE_;
	case FX_EDATA:
		return EX_DATAERR_;
	case FX_ENOINPUT:
		return EX_NOINPUT_;
	case FX_EUNAVAIL:
		return EX_UNAVAILABLE_;
	case FX_ESOFTWARE:
		return EX_SOFTWARE_;
	case FX_ECANTCREAT:
		return EX_CANTCREAT_;
	case FX_EIO:
		return EX_IOERR_;
	case FX_ETEMP:
		return EX_TEMPFAIL_;
	case FX_EPERM:
		return EX_NOPERM_;
	case FX_ECONFIG:
		return EX_CONFIG_;
	}
	return EX_SOFTWARE_;
}

int
cli_fail(const struct fx_err *err)
{
	char buf[1024];

	fx_err_format(err, buf, sizeof(buf));
	fprintf(stderr, "%s: %s\n", cli_prog, buf);
	return cli_exit_code(err->code);
}

void
cli_errx(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cli_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry '%s --help'\n", cli_prog);
	exit(EX_USAGE_);
}

void
cli_version(void)
{
	printf("%s (formix) %s\n", cli_prog, FX_VERSION);
	exit(EX_OK_);
}

void
cli_warn(void *arg, const struct fx_err *err)
{
	char buf[1024];

	(void)arg;
	fx_err_format(err, buf, sizeof(buf));
	fprintf(stderr, "%s: warning: %s\n", cli_prog, buf);
}

int
cli_open(struct fx_ctx **ctxp, const char *root, const char *conf, int flags)
{
	struct fx_err err;

	fx_err_clear(&err);
	if (fx_ctx_open(ctxp, root, conf, flags, &err) == -1) {
		*ctxp = NULL;
		return cli_fail(&err);
	}
	fx_ctx_set_warn(*ctxp, cli_warn, NULL);
	return 0;
}

int
cli_open_as(struct fx_ctx **ctxp, const char *root, const char *conf,
    int flags, const char *as)
{
	struct fx_err err;
	int rc;

	if ((rc = cli_open(ctxp, root, conf, flags)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_auth(*ctxp, as, &err) == -1) {
		fx_ctx_free(*ctxp);
		*ctxp = NULL;
		return cli_fail(&err);
	}
	return 0;
}

int
cli_parse_count(const char *s, size_t *out)
{
	size_t v = 0;
	const char *p;

	if (s == NULL || *s == '\0')
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (v > (SIZE_MAX - (size_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (size_t)(*p - '0');
	}
	*out = v;
	return 0;
}

/* Memory. */

static void
oom(void)
{
	fprintf(stderr, "%s: out of memory\n", cli_prog);
	exit(EX_SOFTWARE_);
}

void *
cli_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
cli_xrealloc(void *o, size_t n)
{
	void *p = realloc(o, n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

/*
 * A 6,000-line order check frees 25,000 blocks on its way out, 4 % of
 * its time, for memory the exit hands back anyway.  The handle's bytes
 * go to a list a static points at, so that what hangs off it stays
 * reachable and leak checkers see no leak.
 */
void
cli_keep(const void *p, size_t len)
{
	static struct kept {
		struct kept	*next;
		max_align_t	 data[];
	} *list;
	struct kept *k;

	k = cli_xmalloc(sizeof(*k) + len);
	memcpy(k->data, p, len);
	k->next = list;
	list = k;
}

char *
cli_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(cli_xmalloc(n), s, n);
}

/* Strings. */

void
cli_str_add(struct cli_str *s, const char *p, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		size_t c = s->cap ? s->cap : 64;

		while (c < s->len + n + 1) {
			if (c > SIZE_MAX / 2)
				oom();
			c *= 2;
		}
		s->p = cli_xrealloc(s->p, c);
		s->cap = c;
	}
	memcpy(s->p + s->len, p, n);
	s->len += n;
	s->p[s->len] = '\0';
}

void
cli_str_adds(struct cli_str *s, const char *p)
{
	cli_str_add(s, p, strlen(p));
}

void
cli_str_reset(struct cli_str *s)
{
	s->len = 0;
	if (s->p != NULL)
		s->p[0] = '\0';
}

void
cli_str_release(struct cli_str *s)
{
	free(s->p);
	s->p = NULL;
	s->len = s->cap = 0;
}

const char *
cli_str_get(const struct cli_str *s)
{
	return s->p != NULL ? s->p : "";
}

/*
 * Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 if the bytes there are not one.
 */
static size_t
utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* The JSON string literal of s, handed piecewise to put. */
static void
json_escape(const char *s, void (*put)(void *, const char *, size_t),
    void *arg)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	char tmp[8];
	size_t n;

	put(arg, "\"", 1);
	while (*p != '\0') {
		if (*p >= 0x20 && *p != '"' && *p != '\\' && *p != 0x7f) {
			if ((n = utf8_len(p)) > 0) {
				p += n;
				continue;
			}
		}
		if (p > run)
			put(arg, (const char *)run, (size_t)(p - run));
		switch (*p) {
		case '"':
			put(arg, "\\\"", 2);
			break;
		case '\\':
			put(arg, "\\\\", 2);
			break;
		case '\n':
			put(arg, "\\n", 2);
			break;
		case '\r':
			put(arg, "\\r", 2);
			break;
		case '\t':
			put(arg, "\\t", 2);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(tmp, sizeof(tmp), "\\u%04x", *p);
				put(arg, tmp, 6);
			} else	/* a byte that is not UTF-8 */
				put(arg, "\\ufffd", 6);
		}
		run = ++p;
	}
	if (p > run)
		put(arg, (const char *)run, (size_t)(p - run));
	put(arg, "\"", 1);
}

static void
put_file(void *arg, const char *p, size_t n)
{
	fwrite(p, 1, n, arg);
}

static void
put_str(void *arg, const char *p, size_t n)
{
	cli_str_add(arg, p, n);
}

void
cli_json_str(FILE *fp, const char *s)
{
	json_escape(s, put_file, fp);
}

void
cli_str_json(struct cli_str *s, const char *v)
{
	if (v == NULL)
		cli_str_adds(s, "null");
	else
		json_escape(v, put_str, s);
}

/* The TSV form of s, handed piecewise to put. */
static void
tsv_escape(const char *s, void (*put)(void *, const char *, size_t),
    void *arg)
{
	const char *p, *run;
	const char *e;

	for (p = run = s; *p != '\0'; p++) {
		switch (*p) {
		case '\t':
			e = "\\t";
			break;
		case '\n':
			e = "\\n";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\\':
			e = "\\\\";
			break;
		default:
			continue;
		}
		if (p > run)
			put(arg, run, (size_t)(p - run));
		put(arg, e, 2);
		run = p + 1;
	}
	if (p > run)
		put(arg, run, (size_t)(p - run));
}

void
cli_tsv_str(FILE *fp, const char *s)
{
	tsv_escape(s, put_file, fp);
}

/* Is s a JSON number?  Values that are not are written as strings. */
static int
json_number(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return 0;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/* Output. */

struct cli_out {
	FILE			*fp;
	enum cli_fmt		 fmt;
	int			 header;
	const struct cli_col	*cols;
	size_t			 ncols;
	/* CLI_TABLE: nrows * ncols cells, already escaped. */
	char			**cells;
	size_t			 nrows, cap;
};

struct cli_out *
cli_out_new(FILE *fp, enum cli_fmt fmt, int header, const struct cli_col *cols,
    size_t ncols)
{
	struct cli_out *o;
	size_t i;

	o = cli_xmalloc(sizeof(*o));
	memset(o, 0, sizeof(*o));
	o->fp = fp;
	o->fmt = fmt;
	o->header = header;
	o->cols = cols;
	o->ncols = ncols;
	if (fmt == CLI_TSV && header) {
		for (i = 0; i < ncols; i++) {
			if (i > 0)
				fputc('\t', fp);
			cli_tsv_str(fp, cols[i].name);
		}
		fputc('\n', fp);
	}
	return o;
}

static void
row_json(struct cli_out *o, const char *const *v)
{
	size_t i;

	fputc('{', o->fp);
	for (i = 0; i < o->ncols; i++) {
		if (i > 0)
			fputc(',', o->fp);
		cli_json_str(o->fp, o->cols[i].name);
		fputc(':', o->fp);
		if (v[i] == NULL)
			fputs("null", o->fp);
		else if ((o->cols[i].flags & CLI_RAW) ||
		    ((o->cols[i].flags & CLI_NUM) && json_number(v[i])))
			fputs(v[i], o->fp);
		else if ((o->cols[i].flags & CLI_NUM) && v[i][0] == '\0')
			fputs("null", o->fp);
		else
			cli_json_str(o->fp, v[i]);
	}
	fputs("}\n", o->fp);
}

/*
 * One TSV row, escaped into a buffer and written at once: a stdio call
 * per cell and per tab was a tenth of an order check's instructions.
 */
static void
tsv_row(struct cli_out *o, const char *const *v)
{
	char buf[4096];
	size_t i, n = 0, run;
	const char *p;
	char e;

	for (i = 0; i < o->ncols; i++) {
		if (n + 1 > sizeof(buf)) {
			fwrite(buf, 1, n, o->fp);
			n = 0;
		}
		if (i > 0)
			buf[n++] = '\t';
		if ((p = v[i]) == NULL)
			continue;
		for (;;) {
			/* glibc's strcspn takes 16 bytes a step here. */
			run = strcspn(p, "\t\n\r\\");
			if (n + run + 2 > sizeof(buf)) {
				fwrite(buf, 1, n, o->fp);
				n = 0;
				if (run + 2 > sizeof(buf)) {
					fwrite(p, 1, run, o->fp);
					p += run;
					run = 0;
				}
			}
			memcpy(buf + n, p, run);
			n += run;
			p += run;
			switch (*p) {
			case '\0':
				e = 0;
				break;
			case '\t':
				e = 't';
				break;
			case '\n':
				e = 'n';
				break;
			case '\r':
				e = 'r';
				break;
			default:
				e = '\\';
				break;
			}
			if (e == 0)
				break;
			buf[n++] = '\\';
			buf[n++] = e;
			p++;
		}
	}
	if (n + 1 > sizeof(buf)) {
		fwrite(buf, 1, n, o->fp);
		n = 0;
	}
	buf[n++] = '\n';
	fwrite(buf, 1, n, o->fp);
}

void
cli_out_row(struct cli_out *o, const char *const *v)
{
	struct cli_str s = { NULL, 0, 0 };
	size_t i;

	switch (o->fmt) {
	case CLI_TSV:
		tsv_row(o, v);
		break;
	case CLI_JSON:
		row_json(o, v);
		break;
	case CLI_TABLE:
		if (o->nrows == o->cap) {
			o->cap = o->cap ? o->cap * 2 : 64;
			if (o->cap > SIZE_MAX / sizeof(char *) / (o->ncols + 1))
				oom();
			o->cells = cli_xrealloc(o->cells,
			    o->cap * o->ncols * sizeof(char *));
		}
		/* A newline in a name must not break the table. */
		for (i = 0; i < o->ncols; i++) {
			cli_str_reset(&s);
			if (v[i] != NULL)
				tsv_escape(v[i], put_str, &s);
			o->cells[o->nrows * o->ncols + i] =
			    cli_xstrdup(cli_str_get(&s));
		}
		o->nrows++;
		cli_str_release(&s);
		break;
	}
}

static void
pad(FILE *fp, size_t n)
{
	while (n-- > 0)
		fputc(' ', fp);
}

static void
table_line(struct cli_out *o, const char *const *v, const size_t *w,
    const size_t *cw)
{
	size_t i, last;

	/* Trailing blanks would be noise: stop at the last non-empty cell. */
	for (last = o->ncols; last > 0 && v[last - 1][0] == '\0'; last--)
		;
	for (i = 0; i < last; i++) {
		if (i > 0)
			fputs("  ", o->fp);
		if (o->cols[i].flags & CLI_RIGHT) {
			pad(o->fp, w[i] - cw[i]);
			fputs(v[i], o->fp);
		} else {
			fputs(v[i], o->fp);
			if (i + 1 < last)
				pad(o->fp, w[i] - cw[i]);
		}
	}
	fputc('\n', o->fp);
}

static void
table_print(struct cli_out *o)
{
	size_t *w, *cw, i, r, n = o->ncols;
	const char **hv;

	if (o->nrows == 0 || n == 0)
		return;
	w = cli_xmalloc(2 * n * sizeof(*w));
	cw = w + n;
	hv = cli_xmalloc(n * sizeof(*hv));
	for (i = 0; i < n; i++) {
		hv[i] = o->cols[i].name;
		w[i] = o->header ? fx_width(hv[i]) : 0;
	}
	for (r = 0; r < o->nrows; r++)
		for (i = 0; i < n; i++) {
			size_t x = fx_width(o->cells[r * n + i]);

			if (x > w[i])
				w[i] = x;
		}
	if (o->header) {
		for (i = 0; i < n; i++)
			cw[i] = fx_width(hv[i]);
		table_line(o, hv, w, cw);
	}
	for (r = 0; r < o->nrows; r++) {
		const char *const *v = (const char *const *)o->cells + r * n;

		for (i = 0; i < n; i++)
			cw[i] = fx_width(v[i]);
		table_line(o, v, w, cw);
	}
	free(hv);
	free(w);
}

int
cli_out_end(struct cli_out *o)
{
	size_t i;
	int rc;

	if (o == NULL)
		return 0;
	if (o->fmt == CLI_TABLE)
		table_print(o);
	for (i = 0; i < o->nrows * o->ncols; i++)
		free(o->cells[i]);
	free(o->cells);
	rc = (fflush(o->fp) != 0 || ferror(o->fp)) ? -1 : 0;
	free(o);
	return rc;
}

void
cli_check_date(const char *opt, const char *d)
{
	if (fx_date_check(d) == -1)
		cli_usage("%s wants a date as YYYY-MM-DD, not \"%s\"", opt, d);
}

void
cli_bad_option(int c, char **argv)
{
	if (c == ':')
		cli_usage("option %s needs a value", argv[optind - 1]);
	if (optopt > 0 && optopt < 256)
		cli_usage("unknown option \"-%c\"", optopt);
	cli_usage("unknown option \"%s\"", argv[optind - 1]);
}
