/*
 * t_sheet.c -- order spreadsheets: every format read to the same rows,
 * values as the dealer sees them, the limits, and hostile files refused
 * with one clear line.  The fixtures are made at test time by
 * tests/data/sheets/mksheets.py; the conformance part reads bench-data's
 * reference order in all five forms and checks it against the answer
 * key (skipped, visibly, without ../shared).
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sheet-int.h"
#include "tap.h"

#if defined(__SANITIZE_ADDRESS__)
#define ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN	1
#endif
#endif

static char dir[512];
static const char *py = "/usr/bin/python3";
static const char *srcdir = ".";

static int
rd(const char *name, struct fx_sheet_opts *o, struct fx_sheet *s,
    struct fx_err *e)
{
	struct fx_sheet_opts def;
	char path[1024];

	if (o == NULL) {
		memset(&def, 0, sizeof(def));
		o = &def;
	}
	o->name = name;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fx_sheet_read(path, o, s, e);
}

static const char *
fmt(const struct fx_err *e)
{
	static char buf[600];

	fx_err_format(e, buf, sizeof(buf));
	return buf;
}

/* Refused with FX_EDATA and exactly (or, prefix set, starting with) want. */
static void
refused_x(const char *name, struct fx_sheet_opts *o, const char *want,
    int prefix)
{
	struct fx_sheet s;
	struct fx_err e;
	int rc;

	rc = rd(name, o, &s, &e);
	if (!ok(rc == -1 && e.code == FX_EDATA && s.rows == NULL &&
	    s.nrows == 0, "%s: refused", name)) {
		printf("#   %s\n", rc == 0 ? "it was read" : fmt(&e));
		fx_sheet_release(&s);
		return;
	}
	if (prefix) {
		if (!ok(strncmp(fmt(&e), want, strlen(want)) == 0,
		    "%s: message", name))
			printf("#   got:  \"%s\"\n#   want: \"%s...\"\n",
			    fmt(&e), want);
	} else
		is_str(fmt(&e), want, "%s: message", name);
	fx_sheet_release(&s);
}

#define refused(n, o, w)	refused_x((n), (o), (w), 0)
#define refused_pfx(n, o, w)	refused_x((n), (o), (w), 1)

/* The reference rows of mksheets.py, as every format must read them. */
struct want {
	long		 row;
	const char	*art, *qty;
	int64_t		 milli;
	int		 qok;
};

static const struct want ref[] = {
	{ 2, "1065", "3", 3000, 1 },
	{ 3, "01065", "2", 2000, 1 },
	{ 4, "2608577253", "1", 1000, 1 },
	{ 5, "  A-1 ", "1.5", 1500, 1 },
	{ 6, "\xd0\x98\xd0\x90\xe2\x80\x93" "12.345", "10", 10000, 1 },
	{ 7, "X\xc2\xa0", "2,5", 2500, 1 },
	{ 9, "W26110", "\xd0\xbc\xd0\xbd\xd0\xbe\xd0\xb3\xd0\xbe", 0, 0 },
	{ 10, "D-17544", "0.1", 100, 1 },
};

static int
rows_are(const struct fx_sheet *s, const struct want *w, size_t n,
    long shift, const char *what)
{
	size_t i;

	if (s->nrows != n) {
		ok(0, "%s: %zu rows", what, n);
		printf("#   got %zu rows\n", s->nrows);
		return 0;
	}
	for (i = 0; i < n; i++) {
		const struct fx_sheet_row *r = &s->rows[i];
		int qok = (r->flags & FX_SHEET_QTY_OK) != 0;

		if (r->row != w[i].row + shift ||
		    strcmp(r->article, w[i].art) != 0 ||
		    strcmp(r->qty, w[i].qty) != 0 || qok != w[i].qok ||
		    (qok && r->qty_milli != w[i].milli)) {
			ok(0, "%s: rows as the dealer sees them", what);
			printf("#   row %ld: \"%s\" \"%s\" %lld %d; want row "
			    "%ld: \"%s\" \"%s\" %lld %d\n", r->row, r->article,
			    r->qty, (long long)r->qty_milli, qok,
			    w[i].row + shift, w[i].art, w[i].qty,
			    (long long)w[i].milli, w[i].qok);
			return 0;
		}
	}
	return ok(1, "%s: rows as the dealer sees them", what);
}

static void
test_numbers(void)
{
	static const struct {
		double		 v;
		const char	*want;
	} t[] = {
		{ 1065.0, "1065" },
		{ 2608577253.0, "2608577253" },
		{ 0.1, "0.1" },
		{ 1.5e-3, "0.0015" },
		{ 0.1 + 0.2, "0.30000000000000004" },
		{ -2.5, "-2.5" },
		{ 123456.789, "123456.789" },
		{ 1e-7, "0.0000001" },
		{ 1e20, "100000000000000000000" },
		{ 1e22, "10000000000000000000000" },
		{ 9007199254740993.0, "9007199254740992" },
		{ -0.0, "0" },
		{ 3.0e15 + 0.5, "3000000000000000.5" },
		{ 1.7976931348623157e308, NULL },
	};
	char buf[SHEET_NUMBUF];
	size_t i;

	for (i = 0; i < nitems(t); i++) {
		if (t[i].want == NULL) {
			ok(fx_srd_num(buf, sizeof(buf), t[i].v) == 0 &&
			    strlen(buf) == 309 && strtod(buf, NULL) == t[i].v,
			    "number: DBL_MAX written out in full");
			continue;
		}
		if (fx_srd_num(buf, sizeof(buf), t[i].v) == -1)
			buf[0] = '\0';
		is_str(buf, t[i].want, "number %.17g reads \"%s\"", t[i].v,
		    t[i].want);
	}
	ok(fx_srd_num(buf, sizeof(buf), NAN) == -1 &&
	    fx_srd_num(buf, sizeof(buf), INFINITY) == -1,
	    "number: NaN and infinity are not numbers");

	is_str(fx_srd_size(buf, sizeof(buf), 5200000000ULL), "5.2 GB",
	    "size: 5.2 GB");
	is_str(fx_srd_size(buf, sizeof(buf), 5299999999ULL), "5.2 GB",
	    "size: truncated, not rounded");
	is_str(fx_srd_size(buf, sizeof(buf), 200000000ULL), "200 MB",
	    "size: 200 MB");
	is_str(fx_srd_size(buf, sizeof(buf), 999), "999 bytes",
	    "size: bytes");
	is_str(fx_srd_colname(buf, sizeof(buf), 16384), "XFD",
	    "column 16384 is XFD");
	is_str(fx_srd_colname(buf, sizeof(buf), 27), "AA", "column 27 is AA");
}

static void
test_formats(void)
{
	static const struct {
		const char	*name;
		enum fx_sheet_format fmt;
		const char	*sheet, *enc;
		char		 delim;
		int		 num;	/* number cells keep the flag */
	} t[] = {
		{ "basic.xlsx", FX_SHEET_XLSX, "Заказ", "", 0, 1 },
		{ "basic.sst.xlsx", FX_SHEET_XLSX, "Лист1", "", 0, 1 },
		{ "basic.xls", FX_SHEET_XLS, "Заказ", "", 0, 1 },
		{ "basic.csv", FX_SHEET_CSV, "", "UTF-8", ';', 0 },
		{ "bom.csv", FX_SHEET_CSV, "", "UTF-8", ';', 0 },
		{ "cp1251.csv", FX_SHEET_CSV, "", "windows-1251", ';', 0 },
		{ "utf16.csv", FX_SHEET_CSV, "", "UTF-16", '\t', 0 },
		{ "comma.csv", FX_SHEET_CSV, "", "UTF-8", ',', 0 },
		{ "tab.csv", FX_SHEET_CSV, "", "UTF-8", '\t', 0 },
	};
	struct fx_sheet s;
	struct fx_err e;
	size_t i;

	for (i = 0; i < nitems(t); i++) {
		if (!ok(rd(t[i].name, NULL, &s, &e) == 0, "%s: read",
		    t[i].name)) {
			printf("#   %s\n", fmt(&e));
			continue;
		}
		rows_are(&s, ref, nitems(ref), 0, t[i].name);
		ok(s.format == t[i].fmt && strcmp(s.sheet, t[i].sheet) == 0 &&
		    strcmp(s.encoding, t[i].enc) == 0 &&
		    s.delim == t[i].delim && s.header_row == 1 &&
		    s.art_col == 1 && s.qty_col == 2,
		    "%s: %s, sheet \"%s\", header row 1, columns A and B",
		    t[i].name, fx_sheet_format_name(t[i].fmt), t[i].sheet);
		if (t[i].num)
			ok((s.rows[0].flags & FX_SHEET_ART_NUM) &&
			    (s.rows[2].flags & FX_SHEET_ART_NUM) &&
			    !(s.rows[1].flags & FX_SHEET_ART_NUM) &&
			    (s.rows[0].flags & FX_SHEET_QTY_NUM) &&
			    !(s.rows[4].flags & FX_SHEET_QTY_NUM),
			    "%s: number cells are flagged", t[i].name);
		fx_sheet_release(&s);
	}
	ok(s.rows == NULL && s.priv == NULL, "release empties the result");
	fx_sheet_release(&s);
	fx_sheet_release(NULL);

	/* No header: the rows start at 1. */
	if (ok(rd("noheader.xlsx", NULL, &s, &e) == 0, "noheader.xlsx: read")) {
		rows_are(&s, ref, nitems(ref), -1, "noheader.xlsx");
		ok(s.header_row == 0 && s.art_col == 1 && s.qty_col == 2,
		    "noheader.xlsx: no header, the first two columns");
	}
	fx_sheet_release(&s);
}

static void one(const char *, struct fx_sheet_opts *,
    const struct want *, size_t, const char *);

/* The ZIP layer: stored parts, and sizes in data descriptors. */
static void
test_zip(void)
{
	static const struct want a1[] = { { 1, "A-1", "1", 1000, 1 } };

	one("stored.xlsx", NULL, a1, nitems(a1), "stored.xlsx");
	one("datadesc.xlsx", NULL, a1, nitems(a1), "datadesc.xlsx");
}

static void
one(const char *name, struct fx_sheet_opts *o, const struct want *w,
    size_t n, const char *what)
{
	struct fx_sheet s;
	struct fx_err e;

	if (!ok(rd(name, o, &s, &e) == 0, "%s: read", what))
		printf("#   %s\n", fmt(&e));
	else
		rows_are(&s, w, n, 0, what);
	fx_sheet_release(&s);
}

static void
test_layouts(void)
{
	static const struct want bc[] = {
		{ 2, "B-1", "7", 7000, 1 }, { 3, "B-2", "8", 8000, 1 },
	};
	static const struct want en[] = {
		{ 2, "E-1", "5", 5000, 1 }, { 3, "E-2", "6", 6000, 1 },
	};
	static const struct want title[] = {
		{ 5, "T-1", "1", 1000, 1 }, { 6, "T-2", "2", 2000, 1 },
	};
	static const struct want merged[] = {
		{ 2, "A-1", "1", 1000, 1 }, { 3, "M-1", "4", 4000, 1 },
		{ 4, "", "5", 5000, 1 },
	};
	static const struct want cells[] = {
		{ 2, "F-1", "2", 2000, 1 },
		{ 3, "F-2", "3", 3000, 1 },
		{ 4, "C-3", "#N/A", 0, 0 },
		{ 5, "TRUE", "0.001", 1, 1 },
		{ 7, "R-7", "150", 150000, 1 },
	};
	static const struct want vis[] = { { 1, "H-1", "1", 1000, 1 } };
	static const struct want decoy[] = { { 1, "DECOY", "99", 99000, 1 } };
	static const struct want z9[] = { { 2, "Z-9", "9", 9000, 1 } };
	static const struct want quoted[] = {
		{ 2, "Q;1", "1,5", 1500, 1 },
		{ 3, "Дюйм 1/2\" с\nпереносом", "2", 2000, 1 },
		{ 4, "Q-3", "3", 3000, 1 },
	};
	struct fx_sheet_opts o;
	struct fx_sheet s;
	struct fx_err e;

	one("cols_bc.xlsx", NULL, bc, nitems(bc),
	    "no header, data in B and C, a note in F");
	if (rd("cols_bc.xlsx", NULL, &s, &e) == 0)
		ok(s.art_col == 2 && s.qty_col == 3, "columns B and C");
	fx_sheet_release(&s);
	one("header_en.xlsx", NULL, en, nitems(en),
	    "English header \" SKU \" and \"Qty, pcs\" in B and D");
	if (rd("header_en.xlsx", NULL, &s, &e) == 0)
		ok(s.art_col == 2 && s.qty_col == 4 && s.header_row == 1,
		    "header columns B and D");
	fx_sheet_release(&s);
	one("title.xlsx", NULL, title, nitems(title),
	    "a title above the header is not data");
	if (rd("title.xlsx", NULL, &s, &e) == 0)
		ok(s.header_row == 4, "the header is row 4");
	fx_sheet_release(&s);
	if (ok(rd("long.csv", NULL, &s, &e) == 0 && s.nrows == 25 &&
	    s.header_row == 0, "25 rows without a header")) {
		ok(s.rows[0].row == 1 &&
		    strcmp(s.rows[0].article, "L-1") == 0 &&
		    s.rows[24].row == 25 && s.rows[24].qty_milli == 25000,
		    "... rows 1 to 25 in order");
	}
	fx_sheet_release(&s);
	one("merged.xlsx", NULL, merged, nitems(merged),
	    "merged cells: the value in the top-left cell only");
	one("cells.xlsx", NULL, cells, nitems(cells), "formulas by their "
	    "saved value, rich text, errors, booleans, no r attributes");
	one("quoted.csv", NULL, quoted, nitems(quoted),
	    "CSV quoted fields: delimiter, newline, doubled quote");

	/* Sheets. */
	one("hidden.xlsx", NULL, ref, nitems(ref),
	    "a hidden first sheet is passed over (openpyxl)");
	one("hidden.sst.xlsx", NULL, vis, nitems(vis),
	    "hidden and very hidden sheets are passed over");
	memset(&o, 0, sizeof(o));
	o.sheet = "скрытый";
	one("hidden.sst.xlsx", &o, decoy, nitems(decoy),
	    "a hidden sheet asked for by name, in another case");
	o.sheet = "Второй";
	one("twosheets.xlsx", &o, z9, nitems(z9), "XLSX: a sheet by name");
	o.sheet = "Нет";
	refused("twosheets.xlsx", &o, "twosheets.xlsx: no sheet named "
	    "\"Нет\" (the workbook has \"Заказ\", \"Второй\")");
	one("twosheets.xls", NULL, z9, nitems(z9), "XLS: the first sheet");
	o.sheet = "заказ";
	one("twosheets.xls", &o, ref, nitems(ref), "XLS: a sheet by name");
	o.sheet = "Нет";
	refused("twosheets.xls", &o, "twosheets.xls: no sheet named \"Нет\" "
	    "(the workbook has \"Первый\", \"Заказ\")");
}

static int
nfds(void)
{
	struct dirent *d;
	DIR *dp;
	int n = 0;

	if ((dp = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((d = readdir(dp)) != NULL)
		n++;
	closedir(dp);
	return n;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
test_refused(void)
{
	struct fx_sheet_opts o;
	struct fx_sheet s;
	struct fx_err e;
	char path[1024], link[1024];
	struct rusage ru;
	double t0;

	refused("empty.csv", NULL, "empty.csv: empty file");
	refused("blank.csv", NULL, "blank.csv: no rows: the file holds only "
	    "blank lines");
	refused("binary.csv", NULL, "binary.csv: not a spreadsheet (XLS, "
	    "XLSX or CSV)");
	refused("onecol.csv", NULL, "onecol.csv: one column only: expected "
	    "the article and the quantity separated by ';', ',' or TAB");
	refused("onecol.xlsx", NULL, "onecol.xlsx: one column only: "
	    "expected two, the article and the quantity");
	refused("only_header.csv", NULL, "only_header.csv: only a header "
	    "row, no articles");
	refused("only_header.xlsx", NULL, "only_header.xlsx: only a header "
	    "row, no articles");
	refused("empty_sheet.xlsx", NULL, "empty_sheet.xlsx: no rows: sheet "
	    "\"Sheet\" is empty");
	refused("header_half.xlsx", NULL, "header_half.xlsx:1: the header "
	    "names the article (\"Артикул\" in A) but no quantity column "
	    "(Количество, Кол-во, Qty, Quantity)");
	refused("formula_nocache.xlsx", NULL, "formula_nocache.xlsx:2: "
	    "formula in B2 has no saved value (open the file in Excel or "
	    "LibreOffice and save it again)");
	refused("mixed.csv", NULL, "mixed.csv:4: mixed delimiters: ',' here, "
	    "';' on line 1");
	refused("unterminated.csv", NULL, "unterminated.csv:3: a quoted "
	    "field opened on line 3 is never closed");
	refused("badutf8.csv", NULL, "badutf8.csv:4: invalid UTF-8");
	refused("not_cp1251.csv", NULL, "not_cp1251.csv:2: byte 0x98 is "
	    "neither UTF-8 nor windows-1251 text");
	refused("html.xls", NULL, "html.xls: not a spreadsheet (XLS, XLSX or "
	    "CSV): an HTML or XML file (save it as XLSX)");
	refused("encrypted.xlsx", NULL, "encrypted.xlsx: password-protected "
	    "workbook");
	refused("zipcrypt.xlsx", NULL, "zipcrypt.xlsx: password-protected "
	    "workbook (encrypted ZIP entries)");
	refused("password.xls", NULL, "password.xls: password-protected "
	    "workbook");
	refused("truncated.xls", NULL, "truncated.xls: truncated or damaged "
	    "XLS file");
	refused("noise.xls", NULL, "noise.xls: damaged XLS file (bad OLE2 "
	    "header)");
	refused("truncated.xlsx", NULL, "truncated.xlsx: truncated or damaged "
	    "XLSX file (no ZIP central directory)");
	refused_pfx("corrupt.xlsx", NULL, "corrupt.xlsx: damaged XLSX file: "
	    "xl/worksheets/sheet1.xml");
	refused("xxe.xlsx", NULL, "xxe.xlsx: damaged XLSX file: "
	    "xl/worksheets/sheet1.xml:2: DOCTYPE refused: exchange files must "
	    "not declare a DTD or entities");
	refused("sst_range.xlsx", NULL, "sst_range.xlsx:1: damaged XLSX "
	    "file: cell A1 refers to shared string 7 of 1");
	refused("notbook.xlsx", NULL, "notbook.xlsx: not a spreadsheet (XLS, "
	    "XLSX or CSV): a ZIP archive without a workbook");
	refused("sheet.ods", NULL, "sheet.ods: an OpenDocument (ODS) "
	    "spreadsheet: save it as XLSX, XLS or CSV");

	/* The ZIP layer (ours): what it must refuse. */
	refused("crc.xlsx", NULL, "crc.xlsx: damaged XLSX file: "
	    "xl/worksheets/sheet1.xml: CRC-32 mismatch");
	refused("crc_tail.xlsx", NULL, "crc_tail.xlsx: damaged XLSX file: "
	    "xl/worksheets/sheet1.xml: CRC-32 mismatch");
	refused("bzip2.xlsx", NULL, "bzip2.xlsx: damaged XLSX file: "
	    "xl/worksheets/sheet1.xml: compressed by method 12, not deflate");
	refused("cut.xlsx", NULL, "cut.xlsx: truncated or damaged XLSX file: "
	    "xl/worksheets/sheet1.xml ends inside its compressed data");
	refused_pfx("short.xlsx", NULL, "short.xlsx: truncated or damaged "
	    "XLSX file: xl/worksheets/sheet1.xml has ");
	refused_pfx("stored_sizes.xlsx", NULL, "stored_sizes.xlsx: damaged "
	    "XLSX file: xl/worksheets/sheet1.xml: stored, yet ");
	refused("lname.xlsx", NULL, "lname.xlsx: damaged XLSX file (a ZIP "
	    "entry's local header does not match the directory)");
	refused("dupname.xlsx", NULL, "dupname.xlsx: damaged XLSX file (two "
	    "ZIP entries named \"xl/worksheets/sheet1.xml\")");

	/* Zip bombs. */
	refused("bomb_declared.xlsx", NULL, "bomb_declared.xlsx: zip bomb: "
	    "sheet1.xml would expand to 5.2 GB (limit 200 MB)");
	refused_pfx("bomb_ratio.xlsx", NULL, "bomb_ratio.xlsx: zip bomb: "
	    "sheet1.xml would expand 1025 times from ");
	refused("bomb_liar.xlsx", NULL, "bomb_liar.xlsx: zip bomb: sheet1.xml "
	    "expands past its declared size of 1.0 KB");
	refused("bomb_overlap.xlsx", NULL, "bomb_overlap.xlsx: zip bomb: ZIP "
	    "entries \"xl/worksheets/sheet1.xml\" and "
	    "\"xl/worksheets/sheet2.xml\" overlap");
	refused("bomb_entries.xlsx", NULL, "bomb_entries.xlsx: zip bomb: "
	    "1007 ZIP entries (limit 1000)");

	/* A million rows: refused at the first row past the limit. */
	t0 = now_ms();
	refused("rows_1m.xlsx", NULL, "rows_1m.xlsx:100001: too many rows: "
	    "the limit is 100000 (limits.max_order_rows)");
	ok(now_ms() - t0 < 5000, "1,000,000 rows refused in %.0f ms",
	    now_ms() - t0);
#ifndef ASAN
	getrusage(RUSAGE_SELF, &ru);
	ok(ru.ru_maxrss < 128 * 1024, "... with a peak RSS of %ld MiB",
	    ru.ru_maxrss / 1024);
#else
	(void)ru;
#endif

	/* The limits from the caller. */
	memset(&o, 0, sizeof(o));
	o.max_rows = 8;
	one("basic.xlsx", &o, ref, nitems(ref), "8 rows with max_rows 8");
	o.max_rows = 7;
	refused("basic.xlsx", &o, "basic.xlsx:10: too many rows: the limit "
	    "is 7 (limits.max_order_rows)");
	memset(&o, 0, sizeof(o));
	o.max_size = 100;
	refused_pfx("basic.xlsx", &o, "basic.xlsx: file too large: ");

	/* Not a file. */
	ok(rd("missing.csv", NULL, &s, &e) == -1 && e.code == FX_ENOINPUT &&
	    e.sys_errno == ENOENT, "a missing file is FX_ENOINPUT");
	fx_sheet_release(&s);
	snprintf(path, sizeof(path), "%s/basic.csv", dir);
	snprintf(link, sizeof(link), "%s/link.csv", dir);
	if (symlink(path, link) == 0)
		refused("link.csv", NULL, "link.csv: refusing a symbolic link: "
		    "Too many levels of symbolic links");
	snprintf(path, sizeof(path), "%s/fifo.csv", dir);
	if (mkfifo(path, 0600) == 0)
		refused("fifo.csv", NULL, "fifo.csv: not a regular file");
	snprintf(path, sizeof(path), "%s/dir.csv", dir);
	if (mkdir(path, 0700) == 0) {
		ok(rd("dir.csv", NULL, &s, &e) == -1 &&
		    e.code == FX_ENOINPUT, "a directory is FX_ENOINPUT");
		fx_sheet_release(&s);
	}

	/* NULL options; the message names the path. */
	snprintf(path, sizeof(path), "%s/empty.csv", dir);
	ok(fx_sheet_read(path, NULL, &s, &e) == -1 &&
	    strcmp(e.file, path) == 0, "NULL options: the path in messages");
	fx_sheet_release(&s);
}

/* The XLS child: whatever freexl does, only the child pays. */
static void
test_xls_child(void)
{
	static const char *const hooks[] = {
		"abort", "garbage", "spin", "balloon",
	};
	struct fx_sheet_opts o;
	char env[64];
	size_t i;
	int fds = nfds();
	double t0;

	for (i = 0; i < nitems(hooks); i++) {
#ifdef ASAN
		if (strcmp(hooks[i], "balloon") == 0) {
			ok(1, "XLS reader ballooning # SKIP no address-space "
			    "limit under AddressSanitizer");
			continue;
		}
#endif
		snprintf(env, sizeof(env), "xls-child-%s", hooks[i]);
		setenv("FX_CRASH_AT", env, 1);
		memset(&o, 0, sizeof(o));
		o.xls_cpu = 1;
		t0 = now_ms();
		refused("basic.xls", &o, "basic.xls: damaged or hostile XLS "
		    "file");
		ok(now_ms() - t0 < 10000, "XLS reader %s: refused in %.0f ms",
		    hooks[i], now_ms() - t0);
		unsetenv("FX_CRASH_AT");
	}
	/* It holds the pipe, stdio and its copy of the file, nothing else. */
	{
		char path[1024];
		int fd, hi;

		snprintf(path, sizeof(path), "%s/basic.csv", dir);
		fd = open(path, O_RDONLY);
		hi = fcntl(fd, F_DUPFD, 100);
		setenv("FX_CRASH_AT", "xls-child-fds", 1);
		memset(&o, 0, sizeof(o));
		o.sheet = "fds";
		refused("basic.xls", &o, "basic.xls: no sheet named \"fds\" "
		    "(the workbook has \"0\", \"1\", \"2\", \"3\", \"4\")");
		unsetenv("FX_CRASH_AT");
		close(fd);
		close(hi);
	}
	ok(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD,
	    "no XLS reader is left behind");
	is_int(nfds(), fds, "no descriptor is left open");
	one("basic.xls", NULL, ref, nitems(ref), "XLS read again afterwards");
}

static int
put_tsv(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\': fputs("\\\\", fp); break;
		case '\t': fputs("\\t", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		default: fputc(*s, fp);
		}
	}
	return 0;
}

/* cp1251 has no U+2011: gen.py writes an en dash there. */
static void
to_cp1251_dash(const char *in, char *out, size_t sz)
{
	size_t o = 0;

	for (; *in != '\0' && o + 4 < sz; in++) {
		if (memcmp(in, "\xe2\x80\x91", 3) == 0) {
			memcpy(out + o, "\xe2\x80\x93", 3);
			o += 3;
			in += 2;
		} else
			out[o++] = *in;
	}
	out[o] = '\0';
}

static void
test_conformance(void)
{
	static const char *const forms[] = {
		"xlsx", "sst.xlsx", "xls", "csv", "cp1251.csv",
	};
	struct fx_sheet s[nitems(forms)];
	struct fx_sheet_opts o;
	struct fx_err e;
	const char *shared = getenv("FX_SHARED");
	char gen[1024], out[1024], cmd[4096], path[2048], a[512];
	size_t i, k, bad;
	FILE *fp;

	snprintf(gen, sizeof(gen), "%s/bench-data/gen.py",
	    shared ? shared : "../shared");
	if (access(gen, R_OK) != 0) {
		ok(1, "conformance # SKIP %s is not here (a fresh clone)",
		    gen);
		return;
	}
	snprintf(out, sizeof(out), "%s/bench", dir);
	snprintf(cmd, sizeof(cmd), "'%s' '%s' --out '%s' --skus 2000 "
	    "--dealers 5 --order-rows 600 >/dev/null", py, gen, out);
	if (!ok(system(cmd) == 0, "gen.py made the reference order"))
		return;
	memset(s, 0, sizeof(s));
	for (i = 0; i < nitems(forms); i++) {
		snprintf(path, sizeof(path), "%s/order-600.%s", out, forms[i]);
		memset(&o, 0, sizeof(o));
		if (!ok(fx_sheet_read(path, &o, &s[i], &e) == 0 &&
		    s[i].nrows == 600 && s[i].header_row == 1,
		    "order-600.%s: 600 rows under a header", forms[i]))
			printf("#   %s (%zu rows)\n", fmt(&e), s[i].nrows);
	}
	/* The same rows from every form. */
	for (i = 1; i < nitems(forms); i++) {
		for (k = 0, bad = 0; k < s[0].nrows && k < s[i].nrows; k++) {
			const struct fx_sheet_row *x = &s[0].rows[k];
			const struct fx_sheet_row *y = &s[i].rows[k];

			if (strcmp(forms[i], "cp1251.csv") == 0)
				to_cp1251_dash(x->article, a, sizeof(a));
			else
				fx_strlcpy(a, x->article, sizeof(a));
			if (x->row != y->row || strcmp(a, y->article) != 0 ||
			    strcmp(x->qty, y->qty) != 0 ||
			    x->qty_milli != y->qty_milli ||
			    (x->flags & FX_SHEET_QTY_OK) !=
			    (y->flags & FX_SHEET_QTY_OK)) {
				if (bad++ == 0)
					printf("#   row %ld: \"%s\" \"%s\" vs "
					    "\"%s\" \"%s\"\n", x->row,
					    x->article, x->qty, y->article,
					    y->qty);
			}
		}
		ok(bad == 0 && s[0].nrows == s[i].nrows,
		    "order-600.%s reads as order-600.xlsx", forms[i]);
	}
	/* Against the answer key, each form. */
	for (i = 0; i < nitems(forms); i++) {
		snprintf(path, sizeof(path), "%s/rows.%s.tsv", out, forms[i]);
		if ((fp = fopen(path, "w")) == NULL)
			continue;
		for (k = 0; k < s[i].nrows; k++) {
			fprintf(fp, "%ld\t", s[i].rows[k].row);
			put_tsv(fp, s[i].rows[k].article);
			fputc('\t', fp);
			put_tsv(fp, s[i].rows[k].qty);
			fprintf(fp, "\t%lld\t%u\n",
			    (long long)s[i].rows[k].qty_milli,
			    s[i].rows[k].flags);
		}
		fclose(fp);
		snprintf(cmd, sizeof(cmd), "'%s' '%s/tests/data/sheets/"
		    "checkkey.py' '%s/order-600.expected.json' '%s' | "
		    "sed 's/^/#   /'", py, srcdir, out, path);
		ok(system(cmd) == 0, "order-600.%s agrees with the answer key",
		    forms[i]);
	}
	for (i = 0; i < nitems(forms); i++)
		fx_sheet_release(&s[i]);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[2048];

	if (getenv("PYTHON3") != NULL && getenv("PYTHON3")[0] != '\0')
		py = getenv("PYTHON3");
	if (getenv("FX_SRCDIR") != NULL)
		srcdir = getenv("FX_SRCDIR");
	snprintf(dir, sizeof(dir), "%s/t_sheet.XXXXXX", tmp && *tmp ? tmp :
	    "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}

	test_numbers();
	snprintf(cmd, sizeof(cmd), "'%s' '%s/tests/data/sheets/mksheets.py' "
	    "'%s'", py, srcdir, dir);
	if (ok(system(cmd) == 0, "mksheets.py made the fixtures")) {
		test_formats();
		test_layouts();
		test_refused();
		test_zip();
		test_xls_child();
	}
	test_conformance();

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "t_sheet: could not remove %s\n", dir);
	return done_testing();
}
