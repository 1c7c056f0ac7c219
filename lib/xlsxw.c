/*
 * xlsxw.c -- a one-sheet table workbook built in memory and written in
 * one piece: the order check's result (formixd answers every dealer file
 * with one), the price list and the order reports.
 *
 * libxlsxwriter (xlsx.c) makes ten working files a workbook, compresses
 * every part and must be read back to be trusted; for a table of plain
 * strings and numbers that was most of formixd's time per order file,
 * and loading it (with OpenSSL, which it links) half of a formix-stock
 * lookup.  Here the sheet is deflated as its rows come (level 1), the
 * fixed parts are stored, and the whole ZIP goes to fx_file_write, whose
 * errors are exact.  Strings are inline (t="inlineStr"), so no shared
 * string table; nothing is ever written as a formula.
 *
 * Failure modes: none while building (memory aside, which aborts as
 * everywhere in libformix); on writing, those of fx_file_write.  A sheet
 * whose XML would pass 4 GiB, the limit of a ZIP without ZIP64, is
 * refused (FX_ECANTCREAT).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#include <zlib.h>

#include "fx-int.h"

#define CHUNK	65536	/* sheet XML deflated in pieces of about this */

struct fx_xw {
	const char	*name;		/* the sheet's, borrowed */
	struct fx_buf	 xml;		/* sheet XML not yet deflated */
	struct fx_buf	 zip;		/* the deflated sheet so far */
	z_stream	 z;
	uLong		 crc;
	uint64_t	 usize;		/* sheet XML bytes in all */
	double		 width[FX_XW_MAXCOLS];
	unsigned	 ncols;		/* widest row so far */
	unsigned	 freeze;	/* header rows kept in view */
	int		 filter;	/* an autofilter over the table */
	uint32_t	 row;		/* rows begun */
	unsigned	 col;		/* next cell of the row */
	double		 ht;		/* the row's height, 0: default */
	int		 rowopen;	/* its <row> written: it has a cell */
	int		 started;
};

/* Column letters of 0-based c: A, ..., Z, AA, ... */
static void
colname(char *buf, unsigned c)
{
	char t[8];
	size_t n = 0, i;

	do {
		t[n++] = (char)('A' + c % 26);
		c = c / 26;
	} while (c-- > 0 && n < sizeof(t) - 1);
	for (i = 0; i < n; i++)
		buf[i] = t[n - 1 - i];
	buf[n] = '\0';
}

/* Decimal digits of v (printf was a tenth of a result's time). */
static void
add_u(struct fx_buf *b, uint64_t v)
{
	char t[24];
	size_t n = sizeof(t);

	do {
		t[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	fx_buf_add(b, t + n, sizeof(t) - n);
}

static void
pump(struct fx_xw *w, int flush)
{
	unsigned char out[CHUNK];
	int zr;

	w->crc = crc32(w->crc, (const Bytef *)w->xml.p, (uInt)w->xml.len);
	w->usize += w->xml.len;
	w->z.next_in = (Bytef *)w->xml.p;
	w->z.avail_in = (uInt)w->xml.len;
	do {
		w->z.next_out = out;
		w->z.avail_out = sizeof(out);
		zr = deflate(&w->z, flush);
		if (zr == Z_STREAM_ERROR)
			FX_BUG("deflate: stream error");
		fx_buf_add(&w->zip, out, sizeof(out) - w->z.avail_out);
	} while (w->z.avail_out == 0 || (flush == Z_FINISH &&
	    zr != Z_STREAM_END));
	w->xml.len = 0;
}

struct fx_xw *
fx_xw_new(const char *sheet)
{
	struct fx_xw *w = fx_calloc(1, sizeof(*w));

	w->name = sheet;
	w->crc = crc32(0L, Z_NULL, 0);
	/* Level 1, the fastest: the 18 MB sheet of the reference price list
	 * still shrinks to 2.9 MB. */
	if (deflateInit2(&w->z, 1, Z_DEFLATED, -MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		FX_BUG("deflateInit2 failed");
	return w;
}

void
fx_xw_free(struct fx_xw *w)
{
	if (w == NULL)
		return;
	deflateEnd(&w->z);
	fx_buf_release(&w->xml);
	fx_buf_release(&w->zip);
	free(w);
}

void
fx_xw_width(struct fx_xw *w, unsigned col, double width)
{
	if (col < FX_XW_MAXCOLS && !w->started)
		w->width[col] = width;
}

void
fx_xw_freeze(struct fx_xw *w, unsigned rows, int filter)
{
	if (!w->started) {
		w->freeze = rows;
		w->filter = filter;
	}
}

/* The sheet's head: view, column widths, the start of the data. */
static void
start(struct fx_xw *w)
{
	unsigned i;
	int cols = 0;

	w->started = 1;
	fx_buf_adds(&w->xml, "<?xml version=\"1.0\" encoding=\"UTF-8\" "
	    "standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas."
	    "openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://"
	    "schemas.openxmlformats.org/officeDocument/2006/relationships\">"
	    "<sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">");
	if (w->freeze > 0)
		fx_buf_addf(&w->xml, "<pane ySplit=\"%u\" topLeftCell=\"A%u\" "
		    "activePane=\"bottomLeft\" state=\"frozen\"/>"
		    "<selection pane=\"bottomLeft\"/>", w->freeze,
		    w->freeze + 1);
	fx_buf_adds(&w->xml, "</sheetView></sheetViews>"
	    "<sheetFormatPr defaultRowHeight=\"15\"/>");
	for (i = 0; i < FX_XW_MAXCOLS; i++) {
		if (w->width[i] <= 0)
			continue;
		if (!cols++)
			fx_buf_adds(&w->xml, "<cols>");
		fx_buf_addf(&w->xml, "<col min=\"%u\" max=\"%u\" "
		    "width=\"%.2f\" customWidth=\"1\"/>", i + 1, i + 1,
		    w->width[i] + 0.71);
	}
	if (cols)
		fx_buf_adds(&w->xml, "</cols>");
	fx_buf_adds(&w->xml, "<sheetData>");
}

static void
end_row(struct fx_xw *w)
{
	if (w->rowopen) {
		fx_buf_adds(&w->xml, "</row>");
		w->rowopen = 0;
		if (w->xml.len >= CHUNK)
			pump(w, Z_NO_FLUSH);
	}
}

void
fx_xw_row(struct fx_xw *w)
{
	if (!w->started)
		start(w);
	end_row(w);
	w->row++;
	w->col = 0;
	w->ht = 0;
}

void
fx_xw_height(struct fx_xw *w, double ht)
{
	if (w->row == 0)
		fx_xw_row(w);
	if (!w->rowopen)
		w->ht = ht;
}

/* The cell's opening tag, with its reference and style; the row's
 * before the first (a row without cells has no <row>, as in Excel). */
static void
cell_open(struct fx_xw *w, enum fx_xw_style s, const char *type)
{
	char a[8];

	if (w->row == 0)
		fx_xw_row(w);
	if (!w->rowopen) {
		fx_buf_adds(&w->xml, "<row r=\"");
		add_u(&w->xml, w->row);
		if (w->ht > 0)
			fx_buf_addf(&w->xml, "\" ht=\"%.2f\" customHeight=\"1",
			    w->ht);
		fx_buf_adds(&w->xml, "\">");
		w->rowopen = 1;
	}
	colname(a, w->col);
	fx_buf_adds(&w->xml, "<c r=\"");
	fx_buf_adds(&w->xml, a);
	add_u(&w->xml, w->row);
	fx_buf_addc(&w->xml, '"');
	if (s != FX_XW_PLAIN) {
		fx_buf_adds(&w->xml, " s=\"");
		add_u(&w->xml, (uint64_t)s);
		fx_buf_addc(&w->xml, '"');
	}
	if (type != NULL) {
		fx_buf_adds(&w->xml, " t=\"");
		fx_buf_adds(&w->xml, type);
		fx_buf_addc(&w->xml, '"');
	}
	fx_buf_addc(&w->xml, '>');
}

static void
cell_close(struct fx_xw *w)
{
	fx_buf_adds(&w->xml, "</c>");
	if (++w->col > w->ncols)
		w->ncols = w->col;
}

void
fx_xw_skip(struct fx_xw *w)
{
	if (w->row == 0)
		fx_xw_row(w);
	w->col++;
}

void
fx_xw_col(struct fx_xw *w, unsigned col)
{
	while (w->col < col)
		fx_xw_skip(w);
}

/*
 * XML text: markup escaped (and '"' in an attribute, attr set);
 * characters XML 1.0 cannot carry, and bytes that are not UTF-8, as
 * Excel's _xHHHH_ escapes; a literal "_x" followed by four hex digits
 * escaped itself, so that it reads back as written.
 */
static void
text(struct fx_buf *b, const char *s, int attr)
{
	const unsigned char *p = (const unsigned char *)s;
	utf8proc_int32_t c;
	utf8proc_ssize_t n;

	while (*p != '\0') {
		if (*p == '&')
			fx_buf_adds(b, "&amp;");
		else if (*p == '<')
			fx_buf_adds(b, "&lt;");
		else if (*p == '>')
			fx_buf_adds(b, "&gt;");
		else if (*p == '"' && attr)
			fx_buf_adds(b, "&quot;");
		else if (*p == '_' && p[1] == 'x' && strspn((const char *)p + 2,
		    "0123456789abcdefABCDEF") >= 4 && p[6] == '_')
			fx_buf_adds(b, "_x005F_");
		else if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
			fx_buf_addf(b, "_x%04X_", *p);
		else if (*p < 0x80)
			fx_buf_addc(b, *p);
		else if ((n = utf8proc_iterate(p, -1, &c)) > 0 &&
		    c != 0xfffe && c != 0xffff) {
			fx_buf_add(b, p, (size_t)n);
			p += n;
			continue;
		} else
			fx_buf_adds(b, "\xef\xbf\xbd");	/* U+FFFD */
		p++;
	}
}

void
fx_xw_str(struct fx_xw *w, enum fx_xw_style s, const char *v)
{
	size_t n;

	if (v == NULL || *v == '\0') {
		fx_xw_skip(w);
		return;
	}
	cell_open(w, s, "inlineStr");
	n = strlen(v);
	fx_buf_adds(&w->xml, v[0] == ' ' || v[n - 1] == ' ' ||
	    strchr(v, '\n') != NULL ? "<is><t xml:space=\"preserve\">" :
	    "<is><t>");
	text(&w->xml, v, 0);
	fx_buf_adds(&w->xml, "</t></is>");
	cell_close(w);
}

/* Integer units of 1/10^scale: exact, where a double's %g may not be. */
void
fx_xw_scaled(struct fx_xw *w, enum fx_xw_style s, int64_t v, int scale)
{
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, d = 1;
	uint64_t f;
	char frac[24];
	int i, n;

	for (i = 0; i < scale && i < 18; i++)
		d *= 10;
	cell_open(w, s, NULL);
	fx_buf_adds(&w->xml, v < 0 ? "<v>-" : "<v>");
	add_u(&w->xml, u / d);
	if ((f = u % d) != 0) {
		/* The fraction's digits, leading zeros kept, trailing cut. */
		for (n = i; n > 0; f /= 10)
			frac[--n] = (char)('0' + f % 10);
		for (n = i; n > 0 && frac[n - 1] == '0'; n--)
			;
		fx_buf_addc(&w->xml, '.');
		fx_buf_add(&w->xml, frac, (size_t)n);
	}
	fx_buf_adds(&w->xml, "</v>");
	cell_close(w);
}

/* -- The package ------------------------------------------------------- */

static const char content_types[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
	"content-types\"><Default Extension=\"rels\" ContentType=\"application/"
	"vnd.openxmlformats-package.relationships+xml\"/><Default Extension="
	"\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/"
	"workbook.xml\" ContentType=\"application/vnd.openxmlformats-"
	"officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName="
	"\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd."
	"openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
	"<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd."
	"openxmlformats-officedocument.spreadsheetml.styles+xml\"/></Types>";

static const char rels[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
	"relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas."
	"openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
	"Target=\"xl/workbook.xml\"/></Relationships>";

static const char wb_rels[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
	"relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas."
	"openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
	"Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\""
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	"styles\" Target=\"styles.xml\"/></Relationships>";

/*
 * Indexed by enum fx_xw_style: plain, bold, money, quantity, title (bold
 * 14 pt), header (bold, wrapped, centred vertically, a line below, light
 * blue), group (bold, light grey), percent, whole number.
 */
static const char styles[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
	"2006/main\"><numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode="
	"\"# ##0.00\"/><numFmt numFmtId=\"165\" formatCode=\"0.###\"/>"
	"</numFmts><fonts count=\"3\"><font><sz val=\"11\"/><name val=\""
	"Calibri\"/><family val=\"2\"/></font><font><b/><sz val=\"11\"/><name "
	"val=\"Calibri\"/><family val=\"2\"/></font><font><b/><sz val=\"14\"/>"
	"<name val=\"Calibri\"/><family val=\"2\"/></font></fonts>"
	"<fills count=\"4\"><fill><patternFill patternType=\"none\"/></fill>"
	"<fill><patternFill patternType=\"gray125\"/></fill><fill><patternFill "
	"patternType=\"solid\"><fgColor rgb=\"FFDDEBF7\"/><bgColor indexed="
	"\"64\"/></patternFill></fill><fill><patternFill patternType=\"solid\">"
	"<fgColor rgb=\"FFF2F2F2\"/><bgColor indexed=\"64\"/></patternFill>"
	"</fill></fills><borders count=\"2\"><border><left/><right/><top/>"
	"<bottom/><diagonal/></border><border><left/><right/><top/><bottom "
	"style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border>"
	"</borders><cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" "
	"fillId=\"0\" borderId=\"0\"/></cellStyleXfs><cellXfs count=\"9\">"
	"<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId="
	"\"0\"/>"
	"<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId="
	"\"0\" applyFont=\"1\"/>"
	"<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId="
	"\"0\" applyNumberFormat=\"1\"/>"
	"<xf numFmtId=\"165\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId="
	"\"0\" applyNumberFormat=\"1\"/>"
	"<xf numFmtId=\"0\" fontId=\"2\" fillId=\"0\" borderId=\"0\" xfId="
	"\"0\" applyFont=\"1\"/>"
	"<xf numFmtId=\"0\" fontId=\"1\" fillId=\"2\" borderId=\"1\" xfId="
	"\"0\" applyFont=\"1\" applyFill=\"1\" applyBorder=\"1\" "
	"applyAlignment=\"1\"><alignment vertical=\"center\" wrapText=\"1\"/>"
	"</xf>"
	"<xf numFmtId=\"0\" fontId=\"1\" fillId=\"3\" borderId=\"0\" xfId="
	"\"0\" applyFont=\"1\" applyFill=\"1\"/>"
	"<xf numFmtId=\"2\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId="
	"\"0\" applyNumberFormat=\"1\"/>"
	"<xf numFmtId=\"1\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId="
	"\"0\" applyNumberFormat=\"1\"/>"
	"</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId="
	"\"0\" builtinId=\"0\"/></cellStyles></styleSheet>";

struct member {
	const char	*name;
	uint32_t	 crc, csize, usize, off;
	uint16_t	 method;
};

static void
le16(struct fx_buf *b, unsigned v)
{
	unsigned char c[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

	fx_buf_add(b, c, 2);
}

static void
le32(struct fx_buf *b, uint32_t v)
{
	le16(b, v & 0xffff);
	le16(b, v >> 16);
}

/* A local header and the member's data. */
static void
member_add(struct fx_buf *b, struct member *m, const void *data)
{
	m->off = (uint32_t)b->len;
	le32(b, 0x04034b50);
	le16(b, 20);			/* version needed: 2.0 */
	le16(b, 0x0800);		/* names are UTF-8 */
	le16(b, m->method);
	le16(b, 0);			/* time: 00:00:00 */
	le16(b, (1 << 5) | 1);		/* date: 1980-01-01 */
	le32(b, m->crc);
	le32(b, m->csize);
	le32(b, m->usize);
	le16(b, (unsigned)strlen(m->name));
	le16(b, 0);
	fx_buf_adds(b, m->name);
	fx_buf_add(b, data, m->csize);
}

static void
stored(struct fx_buf *b, struct member *m, const char *name, const char *s)
{
	size_t n = strlen(s);

	m->name = name;
	m->method = 0;
	m->crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)s,
	    (uInt)n);
	m->csize = m->usize = (uint32_t)n;
	member_add(b, m, s);
}

int
fx_xw_write(struct fx_xw *w, const char *path, struct fx_err *err)
{
	struct fx_buf b;
	struct fx_err e;
	int rc;

	memset(&b, 0, sizeof(b));
	if (fx_xw_finish(w, &b, &e) == -1)
		rc = fx_err_set(err, e.code, "%s: %s", path, e.msg);
	else
		rc = fx_file_write(path, b.p, b.len, err);
	fx_buf_release(&b);
	return rc;
}

int
fx_xw_finish(struct fx_xw *w, struct fx_buf *out, struct fx_err *err)
{
	struct member m[6];
	struct fx_buf *b, wbx, nm;
	char a[8];
	size_t i, n = 0, cd;
	uint32_t cds;
	unsigned top;

	if (!w->started)
		start(w);
	end_row(w);
	fx_buf_adds(&w->xml, "</sheetData>");
	top = w->freeze > 0 ? w->freeze : 1;
	if (w->filter && w->row >= top && w->ncols > 0) {
		colname(a, w->ncols - 1);
		fx_buf_addf(&w->xml, "<autoFilter ref=\"A%u:%s%u\"/>", top, a,
		    w->row);
	}
	fx_buf_adds(&w->xml, "<pageMargins left=\"0.7\" right=\"0.7\" "
	    "top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>"
	    "</worksheet>");
	pump(w, Z_FINISH);
	if (w->usize > UINT32_MAX || w->zip.len > UINT32_MAX / 2)
		return fx_err_set(err, FX_ECANTCREAT, "the sheet would be "
		    "over 4 GiB");

	memset(&wbx, 0, sizeof(wbx));
	fx_buf_adds(&wbx, "<?xml version=\"1.0\" encoding=\"UTF-8\" "
	    "standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas."
	    "openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://"
	    "schemas.openxmlformats.org/officeDocument/2006/relationships\">"
	    "<bookViews><workbookView/></bookViews><sheets><sheet name=\"");
	text(&wbx, w->name, 1);
	fx_buf_adds(&wbx, "\" sheetId=\"1\" r:id=\"rId1\"/></sheets>");
	if (w->filter && w->row >= top && w->ncols > 0) {
		/* Excel wants the filter's range named as well. */
		colname(a, w->ncols - 1);
		fx_buf_adds(&wbx, "<definedNames><definedName name=\"_xlnm."
		    "_FilterDatabase\" localSheetId=\"0\" hidden=\"1\">'");
		memset(&nm, 0, sizeof(nm));
		for (i = 0; w->name[i] != '\0'; i++) {
			if (w->name[i] == '\'')
				fx_buf_addc(&nm, '\'');
			fx_buf_addc(&nm, w->name[i]);
		}
		text(&wbx, fx_buf_str(&nm), 0);
		fx_buf_release(&nm);
		fx_buf_addf(&wbx, "'!$A$%u:$%s$%u</definedName>"
		    "</definedNames>", top, a, w->row);
	}
	fx_buf_adds(&wbx, "</workbook>");

	b = out;
	fx_buf_reserve(b, w->zip.len + 8192);
	stored(b, &m[n++], "[Content_Types].xml", content_types);
	stored(b, &m[n++], "_rels/.rels", rels);
	stored(b, &m[n++], "xl/workbook.xml", fx_buf_str(&wbx));
	stored(b, &m[n++], "xl/_rels/workbook.xml.rels", wb_rels);
	stored(b, &m[n++], "xl/styles.xml", styles);
	m[n].name = "xl/worksheets/sheet1.xml";
	m[n].method = 8;
	m[n].crc = (uint32_t)w->crc;
	m[n].csize = (uint32_t)w->zip.len;
	m[n].usize = (uint32_t)w->usize;
	member_add(b, &m[n++], w->zip.p);
	fx_buf_release(&wbx);

	cd = b->len;
	for (i = 0; i < n; i++) {
		le32(b, 0x02014b50);
		le16(b, 20);		/* made by: 2.0, MS-DOS attributes */
		le16(b, 20);
		le16(b, 0x0800);
		le16(b, m[i].method);
		le16(b, 0);
		le16(b, (1 << 5) | 1);
		le32(b, m[i].crc);
		le32(b, m[i].csize);
		le32(b, m[i].usize);
		le16(b, (unsigned)strlen(m[i].name));
		le16(b, 0);		/* extra */
		le16(b, 0);		/* comment */
		le16(b, 0);		/* disk */
		le16(b, 0);		/* internal attributes */
		le32(b, 0);		/* external attributes */
		le32(b, m[i].off);
		fx_buf_adds(b, m[i].name);
	}
	cds = (uint32_t)(b->len - cd);
	le32(b, 0x06054b50);
	le16(b, 0);			/* this disk, the directory's */
	le16(b, 0);
	le16(b, (unsigned)n);
	le16(b, (unsigned)n);
	le32(b, cds);
	le32(b, (uint32_t)cd);
	le16(b, 0);			/* comment */
	return 0;
}
