/*
 * t_xlsxw.c -- the in-memory table workbook (lib/xlsxw.c): the file is a
 * ZIP libzip reads whole with every CRC right, its parts are well-formed
 * XML libxml2 parses, and every cell reads back as written -- markup,
 * control characters, bytes that are not UTF-8, formula look-alikes
 * (never formulas), exact decimal numbers, skipped cells, the 27th
 * column's letters -- over a table large enough to be deflated in many
 * pieces.  A directory that is not there fails and leaves nothing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include "fx-int.h"
#include "tap.h"

static char dir[256];

/* A member of the ZIP at path, read whole (CRC checked by libzip). */
static char *
member(const char *path, const char *name, size_t *len)
{
	zip_t *z;
	zip_file_t *f;
	zip_stat_t st;
	char *buf = NULL;
	int e;

	if ((z = zip_open(path, ZIP_CHECKCONS | ZIP_RDONLY, &e)) == NULL)
		return NULL;
	if (zip_stat(z, name, 0, &st) == 0 && (f = zip_fopen(z, name,
	    0)) != NULL) {
		buf = malloc(st.size + 1);
		if (zip_fread(f, buf, st.size) != (zip_int64_t)st.size ||
		    zip_fclose(f) != 0) {
			free(buf);
			buf = NULL;
		} else {
			buf[st.size] = '\0';
			*len = st.size;
		}
	}
	zip_close(z);
	return buf;
}

static xmlDoc *
parse(const char *path, const char *name)
{
	size_t len = 0;
	char *x = member(path, name, &len);
	xmlDoc *d;

	if (x == NULL)
		return NULL;
	d = xmlReadMemory(x, (int)len, name, NULL, XML_PARSE_NONET);
	free(x);
	return d;
}

static xmlNode *
child(xmlNode *n, const char *name)
{
	for (n = n != NULL ? n->children : NULL; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, name) == 0)
			return n;
	return NULL;
}

/* The cell at ref in sheetData: its text (the <t> or the <v>). */
struct got {
	char	 text[256];
	char	 type[16];
	char	 style[8];
	int	 found, formula;
};

static struct got
cell(xmlDoc *d, const char *ref)
{
	struct got g;
	xmlNode *sd, *row, *c, *v;
	xmlChar *a;

	memset(&g, 0, sizeof(g));
	sd = child(xmlDocGetRootElement(d), "sheetData");
	for (row = sd != NULL ? sd->children : NULL; row; row = row->next)
		for (c = row->children; c != NULL; c = c->next) {
			a = xmlGetProp(c, (const xmlChar *)"r");
			if (a == NULL || strcmp((char *)a, ref) != 0) {
				xmlFree(a);
				continue;
			}
			xmlFree(a);
			g.found = 1;
			g.formula = child(c, "f") != NULL;
			if ((a = xmlGetProp(c, (const xmlChar *)"t")) != NULL)
				snprintf(g.type, sizeof(g.type), "%s", a);
			xmlFree(a);
			if ((a = xmlGetProp(c, (const xmlChar *)"s")) != NULL)
				snprintf(g.style, sizeof(g.style), "%s", a);
			xmlFree(a);
			v = child(c, "v");
			if (v == NULL)
				v = child(child(c, "is"), "t");
			if (v != NULL && (a = xmlNodeGetContent(v)) != NULL) {
				snprintf(g.text, sizeof(g.text), "%s", a);
				xmlFree(a);
			}
			return g;
		}
	return g;
}

static void
str_is(xmlDoc *d, const char *ref, const char *want, const char *what)
{
	struct got g = cell(d, ref);

	ok(g.found && strcmp(g.type, "inlineStr") == 0 && !g.formula,
	    "%s: %s is an inline string", what, ref);
	is_str(g.text, want, "... reading back as written");
}

static void
num_is(xmlDoc *d, const char *ref, const char *want, const char *style,
    const char *what)
{
	struct got g = cell(d, ref);

	ok(g.found && g.type[0] == '\0' && !g.formula, "%s: %s is a number",
	    what, ref);
	is_str(g.text, want, "... %s exactly", want);
	is_str(g.style, style, "... in style %s", style[0] ? style : "none");
}

static char *
attr(xmlNode *n, const char *name)
{
	static char buf[256];
	xmlChar *a = n != NULL ? xmlGetProp(n, (const xmlChar *)name) : NULL;

	snprintf(buf, sizeof(buf), "%s", a != NULL ? (char *)a : "");
	xmlFree(a);
	return buf;
}

static void
small(void)
{
	struct fx_xw *w = fx_xw_new("Лист 'один' \"2\"");
	struct fx_err e;
	char path[512];
	xmlDoc *d, *wb;
	xmlNode *root, *n;
	int i, rows;

	snprintf(path, sizeof(path), "%s/t.xlsx", dir);
	fx_xw_width(w, 1, 16);
	fx_xw_freeze(w, 1, 1);
	fx_xw_row(w);
	fx_xw_str(w, FX_XW_BOLD, "Артикул");
	fx_xw_str(w, FX_XW_BOLD, "Цена");
	fx_xw_row(w);
	fx_xw_str(w, FX_XW_PLAIN, "a & <b> \"q\"");
	fx_xw_scaled(w, FX_XW_MONEY, 12345, 2);
	fx_xw_str(w, FX_XW_PLAIN, "=HYPERLINK(\"http://x\",\"y\")");
	fx_xw_str(w, FX_XW_PLAIN, " lead");
	fx_xw_str(w, FX_XW_PLAIN, "ctl\001x\ttab");
	fx_xw_str(w, FX_XW_PLAIN, "bad \xff\xfe utf \xd0");
	fx_xw_str(w, FX_XW_PLAIN, "_x0041_");
	fx_xw_skip(w);
	fx_xw_str(w, FX_XW_PLAIN, "");
	fx_xw_scaled(w, FX_XW_QTY, -5, 3);
	fx_xw_row(w);
	fx_xw_scaled(w, FX_XW_PLAIN, 0, 0);
	fx_xw_scaled(w, FX_XW_MONEY, 100, 2);
	fx_xw_scaled(w, FX_XW_PLAIN, 15, 1);
	fx_xw_scaled(w, FX_XW_QTY, 1234567, 3);
	for (i = 4; i < 27; i++)
		fx_xw_skip(w);
	fx_xw_str(w, FX_XW_PLAIN, "AB");
	fx_err_clear(&e);
	ok(fx_xw_write(w, path, &e) == 0, "a workbook is written");
	fx_xw_free(w);

	d = parse(path, "xl/worksheets/sheet1.xml");
	ok(d != NULL, "its sheet is a ZIP member libzip reads with its CRC, "
	    "and well-formed XML");
	if (d == NULL)
		return;
	str_is(d, "A1", "Артикул", "header");
	ok(strcmp(cell(d, "A1").style, "1") == 0, "... in bold (style 1)");
	str_is(d, "A2", "a & <b> \"q\"", "markup");
	num_is(d, "B2", "123.45", "2", "kopecks");
	str_is(d, "C2", "=HYPERLINK(\"http://x\",\"y\")", "formula look-alike");
	str_is(d, "D2", " lead", "leading space kept");
	str_is(d, "E2", "ctl_x0001_x\ttab", "a control character escaped");
	str_is(d, "F2", "bad \xef\xbf\xbd\xef\xbf\xbd utf \xef\xbf\xbd",
	    "bytes not UTF-8 replaced");
	str_is(d, "G2", "_x005F_x0041_", "Excel's escape escaped");
	ok(!cell(d, "H2").found && !cell(d, "I2").found,
	    "skipped and empty cells are not written");
	num_is(d, "J2", "-0.005", "3", "negative thousandths");
	num_is(d, "A3", "0", "", "zero");
	num_is(d, "B3", "1", "2", "whole roubles");
	num_is(d, "C3", "1.5", "", "tenths");
	num_is(d, "D3", "1234.567", "3", "thousandths");
	str_is(d, "AB3", "AB", "the 28th column");

	root = xmlDocGetRootElement(d);
	n = child(child(child(root, "sheetViews"), "sheetView"), "pane");
	ok(n != NULL && strcmp(attr(n, "state"), "frozen") == 0 &&
	    strcmp(attr(n, "ySplit"), "1") == 0, "the header row is frozen");
	is_str(attr(child(root, "autoFilter"), "ref"), "A1:AB3",
	    "the autofilter spans the table");
	n = child(child(root, "cols"), "col");
	ok(n != NULL && strcmp(attr(n, "min"), "2") == 0 &&
	    atof(attr(n, "width")) > 16, "column B is widened");
	for (rows = 0, n = child(root, "sheetData")->children; n; n = n->next)
		rows++;
	is_int(rows, 3, "three rows");
	xmlFreeDoc(d);

	wb = parse(path, "xl/workbook.xml");
	root = wb != NULL ? xmlDocGetRootElement(wb) : NULL;
	is_str(attr(child(child(root, "sheets"), "sheet"), "name"),
	    "Лист 'один' \"2\"", "the sheet's name, quotes and all");
	n = child(child(root, "definedNames"), "definedName");
	ok(n != NULL && strcmp((char *)n->children->content,
	    "'Лист ''один'' \"2\"'!$A$1:$AB$3") == 0,
	    "the filter's range is named, the quote doubled");
	xmlFreeDoc(wb);
	d = parse(path, "xl/styles.xml");
	ok(d != NULL, "styles.xml is well-formed");
	xmlFreeDoc(d);
	d = parse(path, "[Content_Types].xml");
	ok(d != NULL, "[Content_Types].xml is well-formed");
	xmlFreeDoc(d);
	unlink(path);
}

/* Enough rows for many deflate pieces, read back whole. */
static void
large(void)
{
	struct fx_xw *w = fx_xw_new("big");
	struct fx_err e;
	char path[512], ref[32], want[32];
	xmlDoc *d;
	xmlNode *n;
	long i, rows = 0;
	int bad = 0;

	snprintf(path, sizeof(path), "%s/big.xlsx", dir);
	for (i = 1; i <= 20000; i++) {
		fx_xw_row(w);
		fx_xw_scaled(w, FX_XW_PLAIN, i, 0);
		fx_xw_str(w, FX_XW_PLAIN, "Ключ гаечный комбинированный 10 мм");
		fx_xw_scaled(w, FX_XW_MONEY, i * 37, 2);
	}
	fx_err_clear(&e);
	ok(fx_xw_write(w, path, &e) == 0, "20,000 rows are written");
	fx_xw_free(w);
	d = parse(path, "xl/worksheets/sheet1.xml");
	ok(d != NULL, "... and read back whole");
	if (d == NULL)
		return;
	for (n = child(xmlDocGetRootElement(d), "sheetData")->children; n;
	    n = n->next)
		rows++;
	is_int(rows, 20000, "... every row");
	for (i = 1; i <= 20000; i += 997) {
		snprintf(ref, sizeof(ref), "C%ld", i);
		/* Kopecks exactly, trailing zeros dropped: 3.70 is 3.7. */
		snprintf(want, sizeof(want), "%ld.%02ld", i * 37 / 100,
		    i * 37 % 100);
		want[strlen(want) - (i * 37 % 10 == 0)] = '\0';
		if (i * 37 % 100 == 0)
			*strchr(want, '.') = '\0';
		if (strcmp(cell(d, ref).text, want) != 0)
			bad++;
	}
	is_int(bad, 0, "... with its values");
	xmlFreeDoc(d);
	unlink(path);
}

static void
nowhere(void)
{
	struct fx_xw *w = fx_xw_new("x");
	struct fx_err e;
	char path[512];
	DIR *dp;
	struct dirent *de;
	int left = 0;

	snprintf(path, sizeof(path), "%s/missing/t.xlsx", dir);
	fx_xw_row(w);
	fx_xw_str(w, FX_XW_PLAIN, "x");
	fx_err_clear(&e);
	ok(fx_xw_write(w, path, &e) == -1 && e.code != FX_OK,
	    "a directory that is not there: an error");
	fx_xw_free(w);
	if ((dp = opendir(dir)) != NULL) {
		while ((de = readdir(dp)) != NULL)
			if (de->d_name[0] != '.' || (strcmp(de->d_name, ".") &&
			    strcmp(de->d_name, "..")))
				left++;
		closedir(dp);
	}
	is_int(left, 0, "... and nothing left behind");
}

int
main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/t_xlsxw.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("t_xlsxw: mkdtemp");
		return 99;
	}
	small();
	large();
	nowhere();
	rmdir(dir);
	return done_testing();
}
