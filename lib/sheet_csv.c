/*
 * sheet_csv.c -- CSV order files.
 *
 * What dealers' CSV looks like: Excel's "CSV" (";" in a Russian locale,
 * windows-1251, no BOM), Excel's "CSV UTF-8" (a BOM), 1C's and LibreOffice
 * exports (",", ";" or TAB), Excel's "Unicode text" (UTF-16 with a BOM,
 * TAB), and files typed by hand.  So:
 *
 * Encoding: a UTF-8 or UTF-16 BOM says so.  Otherwise the bytes are
 * UTF-8 if they are valid UTF-8; if they are not, windows-1251 -- unless
 * they are mostly valid UTF-8 with a few bad bytes, which is a damaged
 * UTF-8 file and refused with the line of the first bad byte: guessing
 * windows-1251 there would turn every Cyrillic letter into mojibake.
 * (Windows-1251 text is almost never valid UTF-8: its letters are bytes
 * 0xC0-0xFF, and two of them in a row are never a valid sequence.)
 * Control characters other than TAB, CR, LF, FF and VT mean binary data.
 *
 * Delimiter: ';', ',' or TAB, outside quotes, the one found on the most
 * lines (ties in that order: a comma is also the decimal separator).  A
 * line that has no such delimiter but another candidate is a file of
 * mixed delimiters, refused: reading it either way loses rows.
 *
 * Fields per RFC 4180: quoted fields may hold the delimiter, newlines and
 * doubled quotes; a quote inside an unquoted field is a character; text
 * after a closing quote is kept (as Excel does).  A row is a record, so a
 * row number is what Excel shows when it opens the file (the same as the
 * line number unless a quoted field spans lines).
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "sheet-int.h"

static const char delims[3] = { ';', '\t', ',' };	/* tie order */

static const char *
dname(char d)
{
	return d == ';' ? "';'" : d == ',' ? "','" : "TAB";
}

static long
line_of(const char *buf, size_t off)
{
	long line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}

/* Convert with iconv into a new buffer; -1 with *bad at the bad byte. */
static int
convert(const char *from, const char *buf, size_t len, char **out,
    size_t *outlen, size_t *bad)
{
	iconv_t cd;
	char *in = (char *)buf, *o;
	size_t inleft = len, cap = len * 3 + 16, oleft;

	if ((cd = iconv_open("UTF-8", from)) == (iconv_t)-1)
		FX_BUG("iconv_open UTF-8 from %s", from);
	*out = o = fx_malloc(cap);
	oleft = cap;
	if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 ||
	    iconv(cd, NULL, NULL, &o, &oleft) == (size_t)-1) {
		*bad = (size_t)(in - buf);
		iconv_close(cd);
		free(*out);
		*out = NULL;
		return -1;
	}
	iconv_close(cd);
	*outlen = cap - oleft;
	return 0;
}

/* Count valid multi-byte sequences and bad bytes; *first: first bad. */
static void
utf8_census(const char *buf, size_t len, size_t *valid, size_t *invalid,
    size_t *first)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0, bad, n;

	*valid = *invalid = 0;
	*first = len;
	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : 2;
		if (n > len - i)
			n = len - i;
		if (fx_utf8_valid(buf + i, n, &bad)) {
			(*valid)++;
			i += n;
		} else {
			if (*invalid == 0)
				*first = i;
			(*invalid)++;
			i++;
		}
	}
}

/*
 * Decode into UTF-8.  *text is buf itself (UTF-8, *owned 0) or a new
 * buffer (*owned 1).
 */
static int
decode(struct fx_srd *r, const char *buf, size_t len, const char **text,
    size_t *tlen, int *owned)
{
	const unsigned char *u = (const unsigned char *)buf;
	const char *enc = "UTF-8";
	char *conv;
	size_t valid, invalid, first, bad, convlen, i;

	*owned = 0;
	if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
		buf += 3;
		len -= 3;
		if (!fx_utf8_valid(buf, len, &bad))
			return fx_srd_err(r, line_of(buf, bad), FX_EDATA,
			    "invalid UTF-8");
	} else if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) ||
	    (u[0] == 0xfe && u[1] == 0xff))) {
		enc = "UTF-16";
		if (convert(u[0] == 0xff ? "UTF-16LE" : "UTF-16BE", buf + 2,
		    len - 2, &conv, &convlen, &bad) == -1)
			return fx_srd_err(r, 0, FX_EDATA, "invalid UTF-16 at "
			    "byte %zu", bad + 2);
		buf = conv;
		len = convlen;
		*owned = 1;
	} else {
		if (memchr(buf, '\0', len) != NULL)
			return fx_srd_err(r, 0, FX_EDATA, "not a spreadsheet "
			    "(XLS, XLSX or CSV)");
		utf8_census(buf, len, &valid, &invalid, &first);
		if (invalid > 0 && valid > 4 * invalid)
			return fx_srd_err(r, line_of(buf, first), FX_EDATA,
			    "invalid UTF-8");
		if (invalid > 0) {
			enc = "windows-1251";
			if (convert("WINDOWS-1251", buf, len, &conv, &convlen,
			    &bad) == -1)
				return fx_srd_err(r, line_of(buf, bad),
				    FX_EDATA, "byte 0x%02x is neither UTF-8 "
				    "nor windows-1251 text",
				    (unsigned char)buf[bad]);
			buf = conv;
			len = convlen;
			*owned = 1;
		}
	}
	fx_strlcpy(r->out->encoding, enc, sizeof(r->out->encoding));
	/* A DOS end-of-file mark is not data. */
	while (len > 0 && buf[len - 1] == 0x1a)
		len--;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
		    c != '\f' && c != '\v') || c == 0x7f || c == 0) {
			if (*owned)
				free((char *)buf);
			*owned = 0;
			return fx_srd_err(r, 0, FX_EDATA, "not a spreadsheet "
			    "(XLS, XLSX or CSV)");
		}
	}
	/* Excel and 1C "XLS" that is really a web page or XML. */
	for (i = 0; i < len && (buf[i] == ' ' || buf[i] == '\t' ||
	    buf[i] == '\r' || buf[i] == '\n'); i++)
		continue;
	if (i < len && buf[i] == '<') {
		if (*owned)
			free((char *)buf);
		*owned = 0;
		return fx_srd_err(r, 0, FX_EDATA, "not a spreadsheet (XLS, "
		    "XLSX or CSV): an HTML or XML file (save it as XLSX)");
	}
	*text = buf;
	*tlen = len;
	return 0;
}

/*
 * Pick the delimiter: note, per record, which candidates it has outside
 * quotes; the one most records have wins, and the first record that has
 * another but not it is a mixture.  A quote opens a quoted field only at
 * the start of a field.  One pass: the file is read once more to parse.
 */
static int
sniff(struct fx_srd *r, const char *s, size_t len, char *delim)
{
	/* The candidate bit of each byte: delims[k] is bit k. */
	static const unsigned char bit[256] = {
		[';'] = 1, ['\t'] = 2, [','] = 4
	};
	size_t lines_with[3] = { 0, 0, 0 }, i, k, nrec = 0, cap = 0;
	long first_with[3] = { 0, 0, 0 }, rec;
	unsigned char *mask = NULL, m = 0;
	int inq = 0, fstart = 1, any = 0, best = 0, rc = 0;
	char c;

	for (i = 0; i <= len; i++) {
		c = i < len ? s[i] : '\n';
		if (inq) {
			if (c == '"') {
				if (i + 1 < len && s[i + 1] == '"')
					i++;
				else
					inq = 0;
			}
			continue;
		}
		if (c == '"' && fstart) {
			inq = 1;
			fstart = 0;
			any = 1;
			continue;
		}
		if (c == '\r' || c == '\n') {
			if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
				i++;
			/* Blank records count for nothing, but keep numbers. */
			mask = fx_grow(mask, &cap, nrec + 1, 1);
			mask[nrec++] = any ? (unsigned char)(m | 8) : 0;
			m = 0;
			any = 0;
			fstart = 1;
			continue;
		}
		fstart = bit[(unsigned char)c] != 0;
		m |= bit[(unsigned char)c];
		if (c != ' ' && c != '\t')
			any = 1;
	}
	for (rec = 1; (size_t)rec <= nrec; rec++)
		for (k = 0; k < 3; k++)
			if (mask[rec - 1] & (1u << k) && lines_with[k]++ == 0)
				first_with[k] = rec;
	for (k = 1; k < 3; k++)
		if (lines_with[k] > lines_with[best])
			best = (int)k;
	for (rec = 1; (size_t)rec <= nrec && (mask[rec - 1] & 8) == 0; rec++)
		;
	if ((size_t)rec > nrec) {
		*delim = ';';		/* "no rows" comes later */
		goto out;
	}
	if (lines_with[best] == 0) {
		rc = fx_srd_err(r, 0, FX_EDATA, "one column only: expected "
		    "the %s separated by ';', ',' or TAB", r->codes ? "code "
		    "and the article" : "article and the quantity");
		goto out;
	}
	*delim = delims[best];
	for (rec = 1; (size_t)rec <= nrec; rec++)
		if ((mask[rec - 1] & 7) != 0 &&
		    (mask[rec - 1] & (1u << best)) == 0) {
			for (k = 0; k < 3; k++)
				if (mask[rec - 1] & (1u << k))
					break;
			rc = fx_srd_err(r, rec, FX_EDATA, "mixed delimiters: "
			    "%s here, %s on line %ld", dname(delims[k]),
			    dname(*delim), first_with[best]);
			break;
		}
out:
	free(mask);
	return rc;
}

static int
emit(struct fx_srd *r, long col, const char *s, size_t len)
{
	if (len == 0)
		return 0;
	return fx_srd_cell(r, col, s, len, 0);
}

static int
parse(struct fx_srd *r, const char *s, size_t len, char delim)
{
	struct fx_buf f = { 0 };
	size_t i = 0, start;
	long rec = 1, line = 1, qline, col;
	int rc = -1;

	while (i < len) {
		if (fx_srd_row(r, rec) == -1)
			goto out;
		col = 1;
		for (;;) {
			/* One field. */
			if (i < len && s[i] == '"') {
				qline = line;
				fx_buf_reset(&f);
				i++;
				for (;;) {
					if (i >= len) {
						fx_srd_err(r, rec, FX_EDATA,
						    "a quoted field opened on "
						    "line %ld is never closed",
						    qline);
						goto out;
					}
					if (s[i] == '"') {
						if (i + 1 < len &&
						    s[i + 1] == '"') {
							fx_buf_addc(&f, '"');
							i += 2;
							continue;
						}
						i++;
						break;
					}
					if (s[i] == '\n')
						line++;
					fx_buf_addc(&f, s[i++]);
				}
				/* Text after the closing quote, as Excel. */
				start = i;
				while (i < len && s[i] != delim &&
				    s[i] != '\r' && s[i] != '\n')
					i++;
				fx_buf_add(&f, s + start, i - start);
				if (emit(r, col, f.p, f.len) == -1)
					goto out;
			} else {
				start = i;
				while (i < len && s[i] != delim &&
				    s[i] != '\r' && s[i] != '\n')
					i++;
				if (emit(r, col, s + start, i - start) == -1)
					goto out;
			}
			if (i < len && s[i] == delim) {
				i++;
				if (++col > SHEET_MAX_COL) {
					fx_srd_err(r, rec, FX_EDATA, "more "
					    "than %d fields", SHEET_MAX_COL);
					goto out;
				}
				continue;
			}
			/* End of the record: CRLF, LF, CR or the end. */
			if (i < len && s[i] == '\r')
				i++;
			if (i < len && s[i] == '\n')
				i++;
			line++;
			break;
		}
		if (fx_srd_end(r) == -1)
			goto out;
		rec++;
	}
	rc = 0;
out:
	fx_buf_release(&f);
	return rc;
}

int
fx_srd_csv(struct fx_srd *r, const char *buf, size_t len)
{
	const char *text = NULL;
	size_t tlen = 0;
	int owned = 0, rc = -1;
	char delim = ';';

	if (decode(r, buf, len, &text, &tlen, &owned) == -1)
		return -1;
	if (sniff(r, text, tlen, &delim) == -1)
		goto out;
	r->out->delim = delim;
	rc = parse(r, text, tlen, delim);
out:
	if (owned)
		free((char *)text);
	return rc;
}
