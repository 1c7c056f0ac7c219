/*
 * sheet.c -- reading a dealer's order spreadsheet: article and quantity.
 *
 * Owns fx_sheet_read: the file is opened once (O_NOFOLLOW, a regular
 * file, at most max_size bytes) and read whole into memory, so that the
 * format is told by its first bytes and every reader works on the same
 * bytes, whatever happens to the name meanwhile.  Then one of
 * sheet_xls.c, sheet_xlsx.c or sheet_csv.c turns it into rows of cells
 * and hands them to the row sink below, which decides what the formats
 * share: the header, the two columns, blank rows, the row limit.
 *
 * The sink keeps only what it will return.  Until a header is found it
 * keeps every cell of the first SRD_PREAMBLE non-blank rows (a title may
 * sit above the header); after that at most two cells a row.  With a
 * header those are the header's columns; without one, a row's first two
 * non-empty cells, because the first two non-empty columns of the whole
 * sheet are always among them.  So memory is bounded by the row limit,
 * and a sheet of a million rows is refused at row 100,001 without being
 * read any further.
 *
 * Failure modes: every problem with the file is FX_EDATA with the file's
 * name and, when there is one, the row; the result is then empty.  A
 * missing or unreadable file is FX_ENOINPUT.  Nothing is ever returned
 * for part of a file.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sheet-int.h"

#define HEADER_CELLS	1024	/* cells a row keeps while no header is known */
#define XLS_CPU		5	/* seconds */
#define XLS_MEM		(256ULL << 20)

static const unsigned char ole2_magic[8] = {
	0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1
};

int
fx_srd_err(struct fx_srd *r, long row, enum fx_code code, const char *fmt,
    ...)
{
	char msg[sizeof(r->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fx_err_setloc(r->err, code, r->name, row, 0, "%s", msg);
}

char *
fx_srd_colname(char *buf, size_t sz, long col)
{
	char tmp[8];
	size_t n = 0, i;

	if (col < 1 || sz < 8) {
		fx_strlcpy(buf, "?", sz);
		return buf;
	}
	while (col > 0 && n < sizeof(tmp)) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return buf;
}

char *
fx_srd_size(char *buf, size_t sz, uint64_t v)
{
	static const char *const unit[] = { "bytes", "KB", "MB", "GB", "TB",
	    "PB", "EB" };
	uint64_t div = 1;
	size_t u = 0;

	while (u + 1 < nitems(unit) && v / div >= 1000) {
		div *= 1000;
		u++;
	}
	if (u == 0)
		(void)fx_snprintf(buf, sz, "%llu bytes", (unsigned long long)v);
	else if (v / div < 10)
		/* One decimal, truncated: "5.2 GB" must not read 5.3. */
		(void)fx_snprintf(buf, sz, "%llu.%llu %s",
		    (unsigned long long)(v / div),
		    (unsigned long long)(v % div / (div / 10)), unit[u]);
	else
		(void)fx_snprintf(buf, sz, "%llu %s",
		    (unsigned long long)(v / div), unit[u]);
	return buf;
}

char *
fx_srd_itoa(char *buf, int64_t v)
{
	char tmp[24];
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, o = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		buf[o++] = '-';
	while (n > 0)
		buf[o++] = tmp[--n];
	buf[o] = '\0';
	return buf;
}

/*
 * Numbers as text.  Integers print exactly ("%.0f" prints the exact value
 * of an integral double).  Others: the fewest significant digits that
 * read back as the same double -- what Excel and Python show -- then
 * written out without an exponent, so 0.0015 never reads "1.5e-03".
 */
int
fx_srd_num(char *buf, size_t sz, double v)
{
	char tmp[40], digits[24];
	const char *e;
	size_t nd = 0, o = 0;
	int p, exp10, pos, i;

	if (!isfinite(v) || sz < SHEET_NUMBUF)
		return -1;
	if (v == 0) {
		fx_strlcpy(buf, "0", sz);
		return 0;
	}
	if (v == trunc(v) && fabs(v) < 9007199254740992.0) {
		/* Below 2^53 an integral double is an exact int64. */
		fx_srd_itoa(buf, (int64_t)v);
		return 0;
	}
	if (v == trunc(v) && fabs(v) < 1e21) {
		(void)fx_snprintf(buf, sz, "%.0f", v);
		return 0;
	}
	for (p = 1; p <= 17; p++) {
		(void)fx_snprintf(tmp, sizeof(tmp), "%.*e", p - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	/* tmp is [-]d[.ddd]e[+-]xx */
	if ((e = strchr(tmp, 'e')) == NULL)
		return -1;
	exp10 = (int)strtol(e + 1, NULL, 10);
	for (i = 0; tmp + i < e; i++)
		if (tmp[i] >= '0' && tmp[i] <= '9' && nd < sizeof(digits) - 1)
			digits[nd++] = tmp[i];
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (v < 0)
		buf[o++] = '-';
	pos = exp10 + 1;		/* digits before the point */
	if (pos <= 0) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (i = 0; i < -pos; i++)
			buf[o++] = '0';
		for (i = 0; (size_t)i < nd; i++)
			buf[o++] = digits[i];
	} else if ((size_t)pos >= nd) {
		for (i = 0; (size_t)i < nd; i++)
			buf[o++] = digits[i];
		for (i = 0; i < pos - (int)nd; i++)
			buf[o++] = '0';
	} else {
		for (i = 0; i < pos; i++)
			buf[o++] = digits[i];
		buf[o++] = '.';
		for (; (size_t)i < nd; i++)
			buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return 0;
}

/* The row sink. */

static int
blank(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		else if (end - p >= 2 && p[0] == 0xc2 && p[1] == 0xa0)
			p += 2;		/* NBSP */
		else
			return 0;
	}
	return 1;
}

int
fx_srd_row(struct fx_srd *r, long row)
{
	if (r->in_row && fx_srd_end(r) == -1)
		return -1;
	r->row = row;
	r->in_row = 1;
	r->ncells = 0;
	fx_buf_reset(&r->cbuf);
	return 0;
}

static void
keep(struct fx_srd *r, size_t at, long col, const char *s, size_t len,
    unsigned flags)
{
	struct srd_cell *c;

	if (at == r->ncells) {
		r->cells = fx_grow(r->cells, &r->cellcap, r->ncells + 1,
		    sizeof(*r->cells));
		r->ncells++;
	}
	c = &r->cells[at];
	c->col = col;
	c->off = r->cbuf.len;
	c->len = len;
	c->flags = flags;
	fx_buf_add(&r->cbuf, s, len);
	fx_buf_addc(&r->cbuf, '\0');	/* for fx_quote in messages */
}

int
fx_srd_cell(struct fx_srd *r, long col, const char *s, size_t len,
    unsigned flags)
{
	char cn[8];
	size_t i;

	if (!r->in_row)
		FX_BUG("cell outside a row");
	if (len > SHEET_MAX_CELL)
		return fx_srd_err(r, r->row, FX_EDATA, "cell %s%ld is longer "
		    "than %d bytes", fx_srd_colname(cn, sizeof(cn), col),
		    r->row, SHEET_MAX_CELL);
	if (!(flags & SRD_NOVALUE) && blank(s, len))
		return 0;
	for (i = 0; i < r->ncells; i++)
		if (r->cells[i].col == col)
			return 0;	/* a repeated cell: the first stands */
	switch (r->layout) {
	case SRD_UNKNOWN:
		if (r->ncells < HEADER_CELLS)
			keep(r, r->ncells, col, s, len, flags);
		break;
	case SRD_HEADER:
		if (col == r->acol || col == r->qcol)
			keep(r, r->ncells, col, s, len, flags);
		break;
	case SRD_FIRST2:
		/* Keep the row's two leftmost cells. */
		if (r->ncells < 2)
			keep(r, r->ncells, col, s, len, flags);
		else {
			i = r->cells[0].col > r->cells[1].col ? 0 : 1;
			if (col < r->cells[i].col)
				keep(r, i, col, s, len, flags);
		}
		/* (A replaced cell's text stays in cbuf until the row ends.) */
		break;
	}
	return 0;
}

/* A header label, folded: what the cell says, trimmed, without a unit. */
static int
label(const char *s, size_t len, char *out, size_t outsz)
{
	char tmp[128];
	size_t n;
	char *p, *q;

	if (len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	/* "Количество, шт" and "Кол-во (шт.)" name the quantity too. */
	if ((p = strpbrk(tmp, ",(")) != NULL)
		*p = '\0';
	if (fx_fold(tmp, out, outsz) == -1)
		return -1;
	/* Trim spaces and NBSP, then a trailing ".", ":" or "*". */
	for (p = out; *p == ' ' || *p == '\t' ||
	    ((unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0);)
		p += *p == ' ' || *p == '\t' ? 1 : 2;
	memmove(out, p, strlen(p) + 1);
	n = strlen(out);
	for (;;) {
		if (n > 0 && strchr(" \t.:*", out[n - 1]) != NULL)
			n--;
		else if (n > 1 && (unsigned char)out[n - 2] == 0xc2 &&
		    (unsigned char)out[n - 1] == 0xa0)
			n -= 2;
		else
			break;
	}
	out[n] = '\0';
	/* Inner runs of spaces to one, so "Код  товара" matches. */
	for (p = q = out; *p != '\0'; p++)
		if (!(*p == ' ' && q > out && q[-1] == ' '))
			*q++ = *p;
	*q = '\0';
	return 0;
}

static const char *const art_labels[] = {
	"артикул", "код", "код товара", "артикул товара", "арт",
	"article", "sku", "art", "item", "code", "part number", "part no",
};
static const char *const qty_labels[] = {
	"количество", "кол-во", "кол", "колич", "qty", "quantity",
};

/* A dealer's codes sheet (fx_sheet_opts.codes): its code, our article. */
static const char *const code_labels[] = {
	"код", "код дилера", "код клиента", "ваш код", "наш код", "код товара",
	"старый артикул", "code", "dealer code", "own code", "alias",
};
static const char *const codeart_labels[] = {
	"артикул", "артикул поставщика", "артикул товара", "арт", "article",
	"sku", "art",
};

static int
is_label(const char *l, const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l, v[i]) == 0)
			return 1;
	return 0;
}

/* Is the first non-blank row a header?  1 yes, 0 no, -1 error. */
static int
header(struct fx_srd *r)
{
	char l[256], cn[8], q[64];
	const struct srd_cell *c;
	long acol = 0, qcol = 0;
	size_t i, ai = 0, qi = 0;

	const char *const *al = art_labels, *const *ql = qty_labels;
	size_t nal = nitems(art_labels), nql = nitems(qty_labels);
	const char *an = "article", *qn = "quantity";
	const char *alist = "Артикул, Код, Article, SKU";
	const char *qlist = "Количество, Кол-во, Qty, Quantity";

	/* A codes sheet: the code's column first, the article second. */
	if (r->codes) {
		al = code_labels;
		nal = nitems(code_labels);
		ql = codeart_labels;
		nql = nitems(codeart_labels);
		an = "code";
		qn = "article";
		alist = "Код, Код дилера, Code";
		qlist = "Артикул, Article, SKU";
	}
	for (i = 0; i < r->ncells; i++) {
		c = &r->cells[i];
		if (c->flags != 0 || label(r->cbuf.p + c->off, c->len, l,
		    sizeof(l)) == -1)
			continue;
		/* "Артикул" names the article in both kinds of sheet. */
		if (r->codes && qcol == 0 && is_label(l, ql, nql)) {
			qcol = c->col;
			qi = i;
		} else if (acol == 0 && is_label(l, al, nal)) {
			acol = c->col;
			ai = i;
		} else if (qcol == 0 && is_label(l, ql, nql)) {
			qcol = c->col;
			qi = i;
		}
	}
	if (acol == 0 && qcol == 0)
		return 0;
	/*
	 * One label but not the other: guessing the second column could
	 * order the wrong numbers, so say what is missing instead.
	 */
	if (qcol == 0) {
		c = &r->cells[ai];
		return fx_srd_err(r, r->row, FX_EDATA, "the header names the "
		    "%s (\"%s\" in %s) but no %s column (%s)", an,
		    fx_quote(q, sizeof(q), fx_buf_str(&r->cbuf) + c->off),
		    fx_srd_colname(cn, sizeof(cn), c->col), qn, qlist);
	}
	if (acol == 0) {
		c = &r->cells[qi];
		return fx_srd_err(r, r->row, FX_EDATA, "the header names the "
		    "%s (\"%s\" in %s) but no %s column (%s)", qn,
		    fx_quote(q, sizeof(q), fx_buf_str(&r->cbuf) + c->off),
		    fx_srd_colname(cn, sizeof(cn), c->col), an, alist);
	}
	r->acol = acol;
	r->qcol = qcol;
	return 1;
}

/* Store a data row: its two leftmost cells of those kept. */
static int
store(struct fx_srd *r, long row, struct srd_cell *c, size_t n,
    const char *text)
{
	struct srd_cell t;
	struct srd_row *w;
	size_t i, j;

	for (i = 0; i < n && i < 2; i++)
		for (j = i + 1; j < n; j++)
			if (c[j].col < c[i].col) {
				t = c[i];
				c[i] = c[j];
				c[j] = t;
			}
	if (r->nrows >= r->max_rows)
		return fx_srd_err(r, row, FX_EDATA, "too many rows: the "
		    "limit is %zu (limits.max_order_rows)", r->max_rows);
	r->rows = fx_grow(r->rows, &r->rowcap, r->nrows + 1, sizeof(*r->rows));
	w = &r->rows[r->nrows++];
	memset(w, 0, sizeof(*w));
	w->row = row;
	for (i = 0; i < n && i < 2; i++) {
		w->col[i] = c[i].col;
		w->off[i] = r->arena.len;
		w->len[i] = c[i].len;
		w->flags[i] = c[i].flags;
		fx_buf_add(&r->arena, text + c[i].off, c[i].len);
		fx_buf_addc(&r->arena, '\0');
	}
	return 0;
}

/* Keep the current row while it is not known whether a header follows. */
static void
pend_add(struct fx_srd *r)
{
	struct srd_pend *p = &r->pend[r->npend++];
	struct srd_cell *c;
	size_t i;

	p->row = r->row;
	p->first = r->npcells;
	p->n = r->ncells;
	r->pcells = fx_grow(r->pcells, &r->pcellcap, r->npcells + r->ncells,
	    sizeof(*r->pcells));
	for (i = 0; i < r->ncells; i++) {
		c = &r->pcells[r->npcells++];
		*c = r->cells[i];
		c->off = r->pbuf.len;
		fx_buf_add(&r->pbuf, r->cbuf.p + r->cells[i].off,
		    r->cells[i].len);
		fx_buf_addc(&r->pbuf, '\0');
	}
}

/* No header in sight: the rows kept are data, in the first two columns. */
static int
flush(struct fx_srd *r)
{
	size_t k;

	r->layout = SRD_FIRST2;
	for (k = 0; k < r->npend; k++)
		if (store(r, r->pend[k].row, r->pcells + r->pend[k].first,
		    r->pend[k].n, r->pbuf.p) == -1)
			return -1;
	r->npend = 0;
	return 0;
}

int
fx_srd_end(struct fx_srd *r)
{
	int h;

	if (!r->in_row)
		return 0;
	r->in_row = 0;
	if (r->ncells == 0)
		return 0;	/* blank */
	if (r->layout != SRD_UNKNOWN)
		return store(r, r->row, r->cells, r->ncells, r->cbuf.p);
	/*
	 * A header is looked for in the first SRD_PREAMBLE non-blank rows:
	 * order templates put a title, the dealer or a date above it.  The
	 * rows above a header are that title and are not data.
	 */
	if ((h = header(r)) == -1)
		return -1;
	if (h == 1) {
		r->layout = SRD_HEADER;
		r->out->header_row = r->row;
		r->out->art_col = r->acol;
		r->out->qty_col = r->qcol;
		r->npend = 0;
		return 0;
	}
	pend_add(r);
	if (r->npend < SRD_PREAMBLE)
		return 0;
	return flush(r);
}

/*
 * A quantity as a number: spaces (and NBSP, narrow NBSP) around it or
 * between digit groups dropped, then fx_qty_parse's rules: a point or a
 * comma, at most three decimals, no rounding.
 */
static int
qty_parse(const char *s, int64_t *out)
{
	char buf[64];
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	for (; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t')
			continue;
		if (p[0] == 0xc2 && p[1] == 0xa0) {
			p++;
			continue;
		}
		if (p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0xaf) {
			p += 2;
			continue;
		}
		if (o + 1 >= sizeof(buf))
			return -1;
		buf[o++] = (char)*p;
	}
	buf[o] = '\0';
	if (o == 0)
		return -1;
	return fx_qty_parse(buf, out);
}

static int
finish(struct fx_srd *r)
{
	struct fx_sheet *out = r->out;
	struct fx_sheet_row *v;
	struct srd_row *w;
	long c1 = 0, c2 = 0, c;
	char cn[8], cn2[8];
	size_t i, k, n = 0;
	unsigned f;

	if (r->in_row && fx_srd_end(r) == -1)
		return -1;
	if (r->layout == SRD_UNKNOWN && r->npend > 0 && flush(r) == -1)
		return -1;
	if (r->layout == SRD_UNKNOWN) {
		if (out->format == FX_SHEET_CSV)
			return fx_srd_err(r, 0, FX_EDATA, "no rows: the file "
			    "holds only blank lines");
		return fx_srd_err(r, 0, FX_EDATA, "no rows: sheet \"%s\" is "
		    "empty", out->sheet);
	}
	if (r->nrows == 0)
		return fx_srd_err(r, 0, FX_EDATA, "only a header row, no "
		    "articles");
	if (r->layout == SRD_HEADER) {
		c1 = r->acol;
		c2 = r->qcol;
	} else {
		for (i = 0; i < r->nrows; i++)
			for (k = 0; k < 2; k++) {
				c = r->rows[i].col[k];
				if (c == 0 || c == c1 || c == c2)
					continue;
				if (c1 == 0 || c < c1) {
					c2 = c1;
					c1 = c;
				} else if (c2 == 0 || c < c2)
					c2 = c;
			}
		if (c2 == 0)
			return fx_srd_err(r, 0, FX_EDATA, "one column only: "
			    "expected two, %s", r->codes ? "the code and the "
			    "article" : "the article and the quantity");
		out->art_col = c1;
		out->qty_col = c2;
	}

	out->priv = r->arena.p;		/* the rows point into it */
	r->arena.p = NULL;
	r->arena.len = r->arena.cap = 0;
	v = out->rows = fx_calloc(r->nrows, sizeof(*v));
	for (i = 0; i < r->nrows; i++) {
		w = &r->rows[i];
		v[n].row = w->row;
		v[n].article = v[n].qty = "";
		for (k = 0; k < 2; k++) {
			if (w->col[k] != c1 && w->col[k] != c2)
				continue;
			f = w->flags[k];
			if (f & SRD_NOVALUE) {
				free(out->rows);
				out->rows = NULL;
				return fx_srd_err(r, w->row, FX_EDATA,
				    "formula in %s%ld has no saved value "
				    "(open the file in Excel or LibreOffice "
				    "and save it again)",
				    fx_srd_colname(cn, sizeof(cn), w->col[k]),
				    w->row);
			}
			if (w->col[k] == c1) {
				v[n].article = out->priv + w->off[k];
				if (f & SRD_NUM)
					v[n].flags |= FX_SHEET_ART_NUM;
			} else {
				v[n].qty = out->priv + w->off[k];
				if (f & SRD_NUM)
					v[n].flags |= FX_SHEET_QTY_NUM;
			}
		}
		/* A row with something only in other columns. */
		if (v[n].article[0] == '\0' && v[n].qty[0] == '\0')
			continue;
		if (qty_parse(v[n].qty, &v[n].qty_milli) == 0)
			v[n].flags |= FX_SHEET_QTY_OK;
		n++;
	}
	out->nrows = n;
	if (n == 0) {
		free(out->rows);
		out->rows = NULL;
		return fx_srd_err(r, 0, FX_EDATA, "no articles in columns %s "
		    "and %s", fx_srd_colname(cn, sizeof(cn), c1),
		    fx_srd_colname(cn2, sizeof(cn2), c2));
	}
	return 0;
}

static void
srd_release(struct fx_srd *r)
{
	free(r->cells);
	free(r->rows);
	free(r->pcells);
	fx_buf_release(&r->pbuf);
	fx_buf_release(&r->cbuf);
	fx_buf_release(&r->arena);
}

/* Read the whole file, at most max bytes. */
static int
slurp(struct fx_srd *r, char **bufp, size_t *lenp, uint64_t max)
{
	struct stat st;
	char *buf = NULL, sz1[32], sz2[32];
	size_t len = 0, cap;
	ssize_t n;
	int fd;

	*bufp = NULL;
	*lenp = 0;
	/* O_NONBLOCK: a FIFO put in place of the file must not hang us. */
	fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
	    O_NONBLOCK);
	if (fd == -1) {
		fx_err_sys(r->err, errno == ELOOP ? FX_EDATA : FX_ENOINPUT,
		    errno == ELOOP ? "refusing a symbolic link" :
		    "cannot open");
		fx_strlcpy(r->err->file, r->name, sizeof(r->err->file));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		fx_err_sys(r->err, FX_EIO, "cannot stat");
		fx_strlcpy(r->err->file, r->name, sizeof(r->err->file));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fx_srd_err(r, 0, S_ISDIR(st.st_mode) ? FX_ENOINPUT :
		    FX_EDATA, "not a regular file");
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return fx_srd_err(r, 0, FX_EDATA, "file too large: %s (limit "
		    "%s, limits.max_order_size)", fx_srd_size(sz1, sizeof(sz1),
		    (uint64_t)st.st_size), fx_srd_size(sz2, sizeof(sz2), max));
	}
	cap = (size_t)st.st_size + 1;
	buf = fx_malloc(cap);
	for (;;) {
		if (len == cap) {
			/* It grew while we read: take up to the limit. */
			if (cap > max) {
				close(fd);
				free(buf);
				return fx_srd_err(r, 0, FX_EDATA, "file too "
				    "large (limit %s, limits.max_order_size)",
				    fx_srd_size(sz2, sizeof(sz2), max));
			}
			cap = cap * 2 > max + 1 ? (size_t)max + 1 : cap * 2;
			buf = fx_realloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fx_err_sys(r->err, FX_EIO, "cannot read");
			fx_strlcpy(r->err->file, r->name, sizeof(r->err->file));
			close(fd);
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	*bufp = buf;
	*lenp = len;
	return 0;
}

const char *
fx_sheet_format_name(enum fx_sheet_format f)
{
	switch (f) {
	case FX_SHEET_XLS:
		return "xls";
	case FX_SHEET_XLSX:
		return "xlsx";
	case FX_SHEET_CSV:
		return "csv";
	}
	return "unknown";
}

int
fx_sheet_read(const char *path, const struct fx_sheet_opts *opts,
    struct fx_sheet *out, struct fx_err *err)
{
	static const struct fx_sheet_opts defaults;
	struct fx_srd r;
	locale_t cloc, old = (locale_t)0;
	char *buf = NULL;
	size_t len = 0;
	int rc = -1;

	if (opts == NULL)
		opts = &defaults;
	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.path = path;
	r.name = opts->name != NULL ? opts->name : path;
	r.want = opts->sheet;
	r.codes = opts->codes;
	r.max_rows = opts->max_rows != 0 ? opts->max_rows : FX_SHEET_MAX_ROWS;
	r.xls_cpu = opts->xls_cpu > 0 ? opts->xls_cpu : XLS_CPU;
	r.xls_mem = opts->xls_mem != 0 ? opts->xls_mem : XLS_MEM;
	r.err = err;
	r.out = out;

	/*
	 * Numbers are parsed and printed with strtod and printf, which
	 * follow LC_NUMERIC: switch this thread (only) to the C locale.
	 */
	if ((cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0)) ==
	    (locale_t)0)
		return fx_err_sys(err, FX_ESOFTWARE, "newlocale");
	old = uselocale(cloc);

	if (slurp(&r, &buf, &len, opts->max_size != 0 ? opts->max_size :
	    FX_SHEET_MAX_SIZE) == -1)
		goto out;
	if (len == 0) {
		fx_srd_err(&r, 0, FX_EDATA, "empty file");
		goto out;
	}
	if (len >= 8 && memcmp(buf, ole2_magic, 8) == 0) {
		out->format = FX_SHEET_XLS;
		if (fx_srd_xls(&r, buf, len) == -1)
			goto out;
	} else if (len >= 4 && memcmp(buf, "PK\3\4", 4) == 0) {
		out->format = FX_SHEET_XLSX;
		if (fx_srd_xlsx(&r, buf, len) == -1)
			goto out;
	} else {
		out->format = FX_SHEET_CSV;
		if (fx_srd_csv(&r, buf, len) == -1)
			goto out;
	}
	if (finish(&r) == -1)
		goto out;
	rc = 0;
out:
	uselocale(old);
	freelocale(cloc);
	free(buf);
	srd_release(&r);
	if (rc == -1) {
		fx_sheet_release(out);
		if (err != NULL && err->file[0] == '\0')
			fx_strlcpy(err->file, r.name, sizeof(err->file));
	}
	return rc;
}

void
fx_sheet_release(struct fx_sheet *s)
{
	if (s == NULL)
		return;
	free(s->rows);
	free(s->priv);
	memset(s, 0, sizeof(*s));
}
