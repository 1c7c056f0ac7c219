/*
 * sheet_xlsx.c -- XLSX order files: the ZIP read here, with zlib, and its
 * parts streamed through libxml2.
 *
 * The archive is read in place from memory and never extracted, and only
 * four parts are ever decompressed: the package relationships, the
 * workbook (the sheet list), its relationships, the shared strings and
 * the one sheet read.  Each is streamed through the XML driver in xml.c
 * (no DTD, no entities, no network, bounded text and depth).
 *
 * The ZIP layer is ours, not libzip: an XLSX needs only the central
 * directory, stored and deflated entries (ECMA-376 part 2 allows no
 * other method and no encryption), and a CRC check, and we walked the
 * directory ourselves anyway for the limits below; libzip also brought
 * libcrypto and libbz2, 1.6 ms to load for every file read.  The
 * directory is refused if it declares more than ZIP_MAX_ENTRIES entries,
 * if two entries' data overlap (the 42 kB -> 5.5 GB bombs reuse one
 * compressed kernel for every entry), or if an entry's local header does
 * not match it.  A part is refused before it is opened if it is
 * encrypted, compressed by another method, over its size limit or would
 * expand more than RATIO_MAX times; while it is read if it yields more
 * than it declared; and at its end if it yielded less or its CRC-32 is
 * wrong.  The shared strings are the one part held in memory, with their
 * own smaller limit.
 *
 * What is read: shared strings (Excel, 1C) and inline strings (openpyxl),
 * rich text without its phonetic runs, numbers, booleans, errors as their
 * text ("#N/A"), and formulas by their saved value (a formula without
 * one, as openpyxl writes them, is marked and refused if it is in the
 * article or quantity column).  Which sheet: the one asked for by name
 * (hidden or not), else the first visible worksheet: hidden and very
 * hidden sheets (often lookup lists in order templates) and chart sheets
 * are passed over, as the dealer never sees them as "the" sheet.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "sheet-int.h"

#define ZIP_MAX_ENTRIES	1000
#define PART_MAX	(200ULL * 1000 * 1000)	/* a sheet: "limit 200 MB" */
#define SST_MAX		(64ULL * 1000 * 1000)	/* held in memory */
#define SMALL_MAX	(16ULL * 1000 * 1000)	/* rels, workbook */
#define SST_MAX_ITEMS	2000000
#define RATIO_MAX	200
#define RATIO_FLOOR	(1000 * 1000)	/* small parts may compress well */
#define MAX_SHEETS	4096
#define MAX_RELS	10000
#define NAMESZ		512

struct sheet_ent {
	char		*name;
	char		*rid;
	int		 hidden;
};

struct rel {
	char		*id;
	char		*type;
	char		*target;
	int		 external;
};

struct sst_item {
	size_t		 off, len;
};

enum ctype { C_N, C_S, C_STR, C_INLINE, C_B, C_E, C_D };

/* A ZIP entry, from the central directory. */
struct zent {
	uint64_t	 off, end;	/* local header .. end of data */
	uint64_t	 data, csize, usize;
	const unsigned char *name;
	size_t		 namelen;
	uint32_t	 crc;
	unsigned	 method, flags;
};

struct xlsx {
	struct fx_srd	*r;
	const unsigned char *zip;	/* the whole file */
	struct zent	*ents;		/* by offset */
	size_t		 nents;
	int		 own;		/* err was set by this file */

	struct sheet_ent *sheets;
	size_t		 nsheets, sheetcap;
	struct rel	*rels;
	size_t		 nrels, relcap;

	struct sst_item	*sst;
	size_t		 nsst, sstcap;
	struct fx_buf	 sstbuf;
	struct fx_buf	 cur;		/* the si or the cell being read */

	/* The sheet. */
	int		 in_row;
	long		 row, last_row, col, last_col;
	enum ctype	 ctype;
	int		 has_v, has_f, in_c;
};

/* A part being read. */
struct part {
	struct xlsx	*x;
	const struct zent *e;
	const char	*name;
	z_stream	 zs;
	int		 zinit, ended;
	uint64_t	 in;		/* compressed bytes taken */
	uint64_t	 declared, got;
	uint32_t	 crc;
};

static uint16_t
le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static const char *
base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static int
xerr(struct xlsx *x, long row, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
xerr(struct xlsx *x, long row, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->own = 1;
	return fx_srd_err(x->r, row, FX_EDATA, "%s", msg);
}

/* The central directory. */

static int
zent_cmp(const void *a, const void *b)
{
	const struct zent *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* The zip64 extended information of a central directory entry. */
static int
zip64_extra(const unsigned char *e, size_t elen, uint64_t *usize,
    uint64_t *csize, uint64_t *lho)
{
	size_t i = 0, n, o;

	while (i + 4 <= elen) {
		n = le16(e + i + 2);
		if (i + 4 + n > elen)
			return -1;
		if (le16(e + i) == 0x0001) {
			o = i + 4;
			if (*usize == 0xffffffff) {
				if (o + 8 > i + 4 + n)
					return -1;
				*usize = le64(e + o);
				o += 8;
			}
			if (*csize == 0xffffffff) {
				if (o + 8 > i + 4 + n)
					return -1;
				*csize = le64(e + o);
				o += 8;
			}
			if (*lho == 0xffffffff) {
				if (o + 8 > i + 4 + n)
					return -1;
				*lho = le64(e + o);
			}
			return 0;
		}
		i += 4 + n;
	}
	return -1;
}

static int
zip_check(struct xlsx *x, const unsigned char *b, size_t len)
{
	struct zent *v = NULL;
	char q1[96], q2[96];
	size_t i, lo, eocd = 0, p, k;
	uint64_t n, cdsize, cdoff, cdend, usize, csize, lho, data, z;
	int found = 0, mismatch = 0, rc = -1;

	if (len < 22)
		return xerr(x, 0, "truncated or damaged XLSX file (no ZIP "
		    "central directory)");
	lo = len > 65557 ? len - 65557 : 0;
	for (i = len - 22;; i--) {
		if (le32(b + i) == 0x06054b50 &&
		    i + 22 + le16(b + i + 20) <= len) {
			eocd = i;
			found = 1;
			break;
		}
		if (i == lo)
			break;
	}
	if (!found)
		return xerr(x, 0, "truncated or damaged XLSX file (no ZIP "
		    "central directory)");
	if (le16(b + eocd + 4) != 0 || le16(b + eocd + 6) != 0 ||
	    le16(b + eocd + 8) != le16(b + eocd + 10))
		return xerr(x, 0, "damaged XLSX file (a multi-part ZIP "
		    "archive)");
	n = le16(b + eocd + 10);
	cdsize = le32(b + eocd + 12);
	cdoff = le32(b + eocd + 16);
	cdend = eocd;
	if (n == 0xffff || cdsize == 0xffffffff || cdoff == 0xffffffff) {
		/* ZIP64: the locator sits just before the end record. */
		if (eocd < 20 || le32(b + eocd - 20) != 0x07064b50)
			return xerr(x, 0, "damaged XLSX file (bad ZIP64 "
			    "directory)");
		z = le64(b + eocd - 20 + 8);
		if (z > len - 56 || le32(b + z) != 0x06064b50)
			return xerr(x, 0, "damaged XLSX file (bad ZIP64 "
			    "directory)");
		n = le64(b + z + 32);
		cdsize = le64(b + z + 40);
		cdoff = le64(b + z + 48);
		cdend = z;
	}
	if (n > ZIP_MAX_ENTRIES)
		return xerr(x, 0, "zip bomb: %llu ZIP entries (limit %d)",
		    (unsigned long long)n, ZIP_MAX_ENTRIES);
	if (n == 0)
		return xerr(x, 0, "not a spreadsheet (XLS, XLSX or CSV): an "
		    "empty ZIP archive");
	if (cdoff > cdend || cdsize > cdend - cdoff)
		return xerr(x, 0, "truncated or damaged XLSX file (bad ZIP "
		    "central directory)");

	v = fx_calloc((size_t)n, sizeof(*v));
	p = (size_t)cdoff;
	for (k = 0; k < n; k++) {
		size_t nlen, elen, clen;

		if (p + 46 > cdoff + cdsize || le32(b + p) != 0x02014b50) {
			xerr(x, 0, "truncated or damaged XLSX file (bad ZIP "
			    "central directory)");
			goto out;
		}
		v[k].flags = le16(b + p + 8);
		v[k].method = le16(b + p + 10);
		v[k].crc = le32(b + p + 16);
		csize = le32(b + p + 20);
		usize = le32(b + p + 24);
		nlen = le16(b + p + 28);
		elen = le16(b + p + 30);
		clen = le16(b + p + 32);
		lho = le32(b + p + 42);
		if (p + 46 + nlen + elen + clen > cdoff + cdsize) {
			xerr(x, 0, "truncated or damaged XLSX file (bad ZIP "
			    "central directory)");
			goto out;
		}
		if ((csize == 0xffffffff || usize == 0xffffffff ||
		    lho == 0xffffffff) && zip64_extra(b + p + 46 + nlen, elen,
		    &usize, &csize, &lho) == -1) {
			xerr(x, 0, "damaged XLSX file (bad ZIP64 entry)");
			goto out;
		}
		v[k].name = b + p + 46;
		v[k].namelen = nlen;
		/* Where the entry's bytes lie: its local header and data. */
		if (lho > cdoff || cdoff - lho < 30 ||
		    le32(b + lho) != 0x04034b50) {
			xerr(x, 0, "truncated or damaged XLSX file (a ZIP "
			    "entry without its local header)");
			goto out;
		}
		data = lho + 30 + le16(b + lho + 26) + le16(b + lho + 28);
		if (data > cdoff || csize > cdoff - data) {
			xerr(x, 0, "truncated or damaged XLSX file (a ZIP "
			    "entry runs past the end of the data)");
			goto out;
		}
		/* The local header must tell the same story (said below). */
		if (le16(b + lho + 8) != v[k].method ||
		    (le16(b + lho + 6) & 1) != (v[k].flags & 1) ||
		    le16(b + lho + 26) != nlen ||
		    memcmp(b + lho + 30, v[k].name, nlen) != 0)
			mismatch = 1;
		v[k].off = lho;
		v[k].data = data;
		v[k].csize = csize;
		v[k].usize = usize;
		v[k].end = data + csize;
		p += 46 + nlen + elen + clen;
	}
	qsort(v, (size_t)n, sizeof(*v), zent_cmp);
	for (k = 0; k + 1 < n; k++) {
		if (v[k].end > v[k + 1].off) {
			char a[NAMESZ], c[NAMESZ];

			memcpy(a, v[k].name, v[k].namelen < NAMESZ ?
			    v[k].namelen : NAMESZ - 1);
			a[v[k].namelen < NAMESZ ? v[k].namelen : NAMESZ - 1] =
			    '\0';
			memcpy(c, v[k + 1].name, v[k + 1].namelen < NAMESZ ?
			    v[k + 1].namelen : NAMESZ - 1);
			c[v[k + 1].namelen < NAMESZ ? v[k + 1].namelen :
			    NAMESZ - 1] = '\0';
			xerr(x, 0, "zip bomb: ZIP entries \"%s\" and \"%s\" "
			    "overlap", fx_quote(q1, sizeof(q1), a),
			    fx_quote(q2, sizeof(q2), c));
			goto out;
		}
	}
	/* After the overlaps: an overlap makes one, and says more. */
	if (mismatch) {
		xerr(x, 0, "damaged XLSX file (a ZIP entry's local header "
		    "does not match the directory)");
		goto out;
	}
	x->zip = b;
	x->ents = v;
	x->nents = (size_t)n;
	v = NULL;
	rc = 0;
out:
	free(v);
	return rc;
}

/*
 * The entry of that name (ASCII case folded, as Excel does), NULL if
 * none.  Two of the same name are refused: readers differ in which they
 * take.
 */
static int
zip_find(struct xlsx *x, const char *name, const struct zent **ep)
{
	size_t i, len = strlen(name);
	char q[96];

	*ep = NULL;
	for (i = 0; i < x->nents; i++) {
		const struct zent *e = &x->ents[i];

		if (e->namelen != len ||
		    strncasecmp((const char *)e->name, name, len) != 0)
			continue;
		if (*ep != NULL)
			return xerr(x, 0, "damaged XLSX file (two ZIP entries "
			    "named \"%s\")", fx_quote(q, sizeof(q), name));
		*ep = e;
	}
	return 0;
}

/* Parts. */

/* The end of a part: it must be all there, and be what was stored. */
static ssize_t
part_end(struct part *p)
{
	struct xlsx *x = p->x;
	char s1[32], s2[32];

	p->ended = 1;
	if (p->got != p->e->usize)
		return xerr(x, 0, "truncated or damaged XLSX file: %s has %s "
		    "of its %s", p->name, fx_srd_size(s1, sizeof(s1), p->got),
		    fx_srd_size(s2, sizeof(s2), p->e->usize));
	if (p->crc != p->e->crc)
		return xerr(x, 0, "damaged XLSX file: %s: CRC-32 mismatch",
		    p->name);
	return 0;
}

static ssize_t
part_read(void *arg, char *buf, size_t n)
{
	struct part *p = arg;
	struct xlsx *x = p->x;
	const struct zent *e = p->e;
	char s1[32];
	size_t k;
	int zr;

	if (p->ended || n == 0)
		return 0;
	if (n > 1U << 30)
		n = 1U << 30;
	if (e->method == 0) {
		k = e->csize - p->in < n ? (size_t)(e->csize - p->in) : n;
		if (k == 0)
			return part_end(p);
		memcpy(buf, x->zip + e->data + p->in, k);
		p->in += k;
	} else {
		p->zs.next_out = (unsigned char *)buf;
		p->zs.avail_out = (uInt)n;
		do {
			if (p->zs.avail_in == 0 && p->in < e->csize) {
				/* Handed over in pieces zlib can count. */
				k = e->csize - p->in < (1U << 30) ?
				    (size_t)(e->csize - p->in) : 1U << 30;
				p->zs.next_in = (z_const Bytef *)(x->zip +
				    e->data + p->in);
				p->zs.avail_in = (uInt)k;
				p->in += k;
			}
			zr = inflate(&p->zs, Z_NO_FLUSH);
			if (zr == Z_STREAM_END)
				break;
			if (zr == Z_BUF_ERROR && p->zs.avail_in == 0 &&
			    p->in == e->csize)
				return xerr(x, 0, "truncated or damaged XLSX "
				    "file: %s ends inside its compressed data",
				    p->name);
			if (zr != Z_OK)
				return xerr(x, 0, "damaged XLSX file: %s: %s",
				    p->name, p->zs.msg != NULL ? p->zs.msg :
				    "bad compressed data");
		} while (p->zs.avail_out == n);
		k = n - p->zs.avail_out;
		if (zr == Z_STREAM_END && k == 0)
			return part_end(p);
	}
	p->got += k;
	if (p->got > p->declared)
		return xerr(x, 0, "zip bomb: %s expands past its declared "
		    "size of %s", base(p->name), fx_srd_size(s1, sizeof(s1),
		    p->declared));
	p->crc = (uint32_t)crc32(p->crc, (const Bytef *)buf, (uInt)k);
	return (ssize_t)k;
}

static void
part_close(struct part *p)
{
	if (p->zinit)
		inflateEnd(&p->zs);
	p->zinit = 0;
}

/* 1 if there is no such part. */
static int
part_open(struct xlsx *x, const char *name, uint64_t limit, struct part *p)
{
	const struct zent *e;
	char s1[32], s2[32];

	memset(p, 0, sizeof(*p));
	p->x = x;
	p->name = name;
	if (zip_find(x, name, &e) == -1)
		return -1;
	if (e == NULL)
		return 1;
	if (e->flags & 1)
		return xerr(x, 0, "password-protected workbook (encrypted "
		    "ZIP entries)");
	if (e->method != 0 && e->method != 8)
		return xerr(x, 0, "damaged XLSX file: %s: compressed by "
		    "method %u, not deflate", name, e->method);
	if (e->method == 0 && e->csize != e->usize)
		return xerr(x, 0, "damaged XLSX file: %s: stored, yet %llu "
		    "bytes hold %llu", name, (unsigned long long)e->csize,
		    (unsigned long long)e->usize);
	if (e->usize > limit)
		return xerr(x, 0, "zip bomb: %s would expand to %s (limit %s)",
		    base(name), fx_srd_size(s1, sizeof(s1), e->usize),
		    fx_srd_size(s2, sizeof(s2), limit));
	if (e->usize > RATIO_FLOOR && (e->csize == 0 ||
	    e->usize / e->csize > RATIO_MAX))
		return xerr(x, 0, "zip bomb: %s would expand %llu times from "
		    "%s (limit %d)", base(name), e->csize == 0 ? 0ULL :
		    (unsigned long long)(e->usize / e->csize),
		    fx_srd_size(s1, sizeof(s1), e->csize), RATIO_MAX);
	p->e = e;
	p->declared = e->usize;
	p->crc = (uint32_t)crc32(0, Z_NULL, 0);
	if (e->method == 8) {
		/* Raw deflate: a ZIP entry has no zlib header. */
		if (inflateInit2(&p->zs, -MAX_WBITS) != Z_OK)
			return fx_srd_err(x->r, 0, FX_ESOFTWARE, "inflateInit2: "
			    "%s", p->zs.msg != NULL ? p->zs.msg : "failed");
		p->zinit = 1;
	}
	return 0;
}

/*
 * Parse a part.  An error of the XML layer (file = the part's name, line
 * = its XML line) is put in the file's terms.
 */
static int
part_parse(struct xlsx *x, const char *name, uint64_t limit,
    const struct fx_xml_ops *ops, int *missing)
{
	struct fx_err *err = x->r->err;
	struct part p;
	char msg[sizeof(err->msg)];
	long line;
	int rc;

	if (missing != NULL)
		*missing = 0;
	if ((rc = part_open(x, name, limit, &p)) == 1) {
		if (missing != NULL) {
			*missing = 1;
			return 0;
		}
		return xerr(x, 0, "damaged XLSX file: part %s is missing",
		    name);
	}
	if (rc == -1)
		return -1;
	x->own = 0;
	rc = fx_xml_parse_read(name, part_read, &p, ops, x, err);
	/*
	 * A parse that stopped early (the sheet, at </sheetData>) still
	 * answers for the bytes it used: the rest is inflated for the CRC.
	 */
	while (rc == 0 && !p.ended) {
		char tail[16384];
		ssize_t k;

		if ((k = part_read(&p, tail, sizeof(tail))) < 0)
			rc = -1;
		else if (k == 0)
			break;
	}
	part_close(&p);
	if (rc == -1 && !x->own) {
		fx_strlcpy(msg, err->msg, sizeof(msg));
		line = err->line;
		if (line > 0)
			fx_srd_err(x->r, 0, FX_EDATA, "damaged XLSX file: "
			    "%s:%ld: %s", name, line, msg);
		else
			fx_srd_err(x->r, 0, FX_EDATA, "damaged XLSX file: "
			    "%s: %s", name, msg);
	}
	return rc;
}

static char *
attr_dup(const struct fx_xml_attr *a)
{
	return fx_strndup(a->value, a->len);
}

static const struct fx_xml_attr *
attr(const struct fx_xml_attr *a, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(a[i].name, name) == 0)
			return &a[i];
	return NULL;
}

static int
attr_is(const struct fx_xml_attr *a, const char *s)
{
	return a != NULL && a->len == strlen(s) &&
	    memcmp(a->value, s, a->len) == 0;
}

/* Relationships. */

static const char *const rel_names[] = { "Relationship" };

static int
rel_start(struct fx_xml *xp, void *u, int tok, const struct fx_xml_attr *a,
    size_t n)
{
	struct xlsx *x = u;
	const struct fx_xml_attr *id, *type, *target, *mode;
	struct rel *r;

	if (tok != 0)
		return 0;
	id = attr(a, n, "Id");
	type = attr(a, n, "Type");
	target = attr(a, n, "Target");
	if (id == NULL || type == NULL || target == NULL)
		return 0;
	if (x->nrels >= MAX_RELS)
		return xerr(x, 0, "damaged XLSX file: more than %d "
		    "relationships", MAX_RELS);
	mode = attr(a, n, "TargetMode");
	x->rels = fx_grow(x->rels, &x->relcap, x->nrels + 1, sizeof(*x->rels));
	r = &x->rels[x->nrels++];
	r->id = attr_dup(id);
	r->type = attr_dup(type);
	r->target = attr_dup(target);
	r->external = attr_is(mode, "External");
	return 0;
}

static void
rels_clear(struct xlsx *x)
{
	size_t i;

	for (i = 0; i < x->nrels; i++) {
		free(x->rels[i].id);
		free(x->rels[i].type);
		free(x->rels[i].target);
	}
	x->nrels = 0;
}

static int
rels_read(struct xlsx *x, const char *name, int *missing)
{
	struct fx_xml_ops ops = { .names = rel_names,
	    .nnames = nitems(rel_names), .start = rel_start,
	    .text_mask = 1ULL << 63, .skip_unknown = 1 };

	rels_clear(x);
	return part_parse(x, name, SMALL_MAX, &ops, missing);
}

/* A relationship of a type ("/worksheet"): strict and transitional. */
static const struct rel *
rel_find(const struct xlsx *x, const char *id, const char *type_suffix)
{
	size_t i, tl, sl = type_suffix ? strlen(type_suffix) : 0;

	for (i = 0; i < x->nrels; i++) {
		const struct rel *r = &x->rels[i];

		if (r->external)
			continue;
		if (id != NULL && strcmp(r->id, id) != 0)
			continue;
		tl = strlen(r->type);
		if (type_suffix != NULL && (tl < sl ||
		    strcmp(r->type + tl - sl, type_suffix) != 0))
			continue;
		return r;
	}
	return NULL;
}

/* A target relative to the source part's directory, as a part name. */
static void
resolve(char *out, size_t sz, const char *dir, const char *target)
{
	char tmp[NAMESZ * 2];
	char *seg[128], *p, *save = NULL;
	size_t n = 0, i, o = 0;

	if (target[0] == '/')
		(void)fx_snprintf(tmp, sizeof(tmp), "%s", target + 1);
	else
		(void)fx_snprintf(tmp, sizeof(tmp), "%s%s", dir, target);
	for (p = strtok_r(tmp, "/", &save); p != NULL;
	    p = strtok_r(NULL, "/", &save)) {
		if (strcmp(p, ".") == 0)
			continue;
		if (strcmp(p, "..") == 0) {
			if (n > 0)
				n--;
			continue;
		}
		if (n < nitems(seg))
			seg[n++] = p;
	}
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (fx_snprintf(out + o, sz - o, "%s%s", i ? "/" : "",
		    seg[i]) == -1)
			break;
		o = strlen(out);
	}
}

/* The workbook's sheet list. */

enum { W_SHEET, W_SHEETS };
static const char *const wb_names[] = { "sheet", "sheets" };

static int
wb_start(struct fx_xml *xp, void *u, int tok, const struct fx_xml_attr *a,
    size_t n)
{
	struct xlsx *x = u;
	const struct fx_xml_attr *name, *id, *state;
	struct sheet_ent *s;

	if (tok != W_SHEET)
		return 0;
	name = attr(a, n, "name");
	id = attr(a, n, "id");		/* r:id */
	if (name == NULL || id == NULL)
		return 0;
	if (x->nsheets >= MAX_SHEETS)
		return xerr(x, 0, "damaged XLSX file: more than %d sheets",
		    MAX_SHEETS);
	state = attr(a, n, "state");
	x->sheets = fx_grow(x->sheets, &x->sheetcap, x->nsheets + 1,
	    sizeof(*x->sheets));
	s = &x->sheets[x->nsheets++];
	s->name = attr_dup(name);
	s->rid = attr_dup(id);
	s->hidden = attr_is(state, "hidden") || attr_is(state, "veryHidden");
	return 0;
}

static int
wb_end(struct fx_xml *xp, void *u, int tok, const char *text, size_t len)
{
	if (tok == W_SHEETS)
		fx_xml_stop(xp);	/* the rest is not ours */
	return 0;
}

/* Shared strings. */

enum { S_SI, S_T, S_R, S_RPH };
static const char *const sst_names[] = { "si", "t", "r", "rPh" };

static int
sst_start(struct fx_xml *xp, void *u, int tok, const struct fx_xml_attr *a,
    size_t n)
{
	struct xlsx *x = u;

	if (tok == S_SI)
		fx_buf_reset(&x->cur);
	return 0;
}

static int
sst_end(struct fx_xml *xp, void *u, int tok, const char *text, size_t len)
{
	struct xlsx *x = u;
	struct sst_item *it;

	if (tok == S_T) {
		/* <si><t> or <si><r><t>, never <rPh><t> (phonetic hints). */
		if (fx_xml_up(xp, 1) == S_SI || (fx_xml_up(xp, 1) == S_R &&
		    fx_xml_up(xp, 2) == S_SI))
			fx_buf_add(&x->cur, text, len);
		return 0;
	}
	if (tok != S_SI)
		return 0;
	if (x->nsst >= SST_MAX_ITEMS)
		return xerr(x, 0, "damaged XLSX file: more than %d shared "
		    "strings", SST_MAX_ITEMS);
	x->sst = fx_grow(x->sst, &x->sstcap, x->nsst + 1, sizeof(*x->sst));
	it = &x->sst[x->nsst++];
	it->off = x->sstbuf.len;
	it->len = x->cur.len;
	fx_buf_add(&x->sstbuf, x->cur.p, x->cur.len);
	fx_buf_reset(&x->cur);
	return 0;
}

/* The sheet. */

enum { H_SHEETDATA, H_ROW, H_C, H_V, H_T, H_IS, H_F, H_R, H_RPH };
static const char *const sheet_names[] = {
	"sheetData", "row", "c", "v", "t", "is", "f", "r", "rPh"
};

/* A cell reference "B12": its column, or 0 if malformed. */
static long
ref_col(const char *s, size_t len)
{
	long col = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (c < 'A' || c > 'Z')
			break;
		col = col * 26 + (c - 'A' + 1);
		if (col > SHEET_MAX_COL)
			return 0;
	}
	if (i == 0)
		return 0;
	for (; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return col;
}

static long
parse_uint(const char *s, size_t len, long max)
{
	long v = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > max)
			return -1;
	}
	return v;
}

static int
sh_start(struct fx_xml *xp, void *u, int tok, const struct fx_xml_attr *a,
    size_t n)
{
	struct xlsx *x = u;
	const struct fx_xml_attr *ra, *ta;
	long v;

	switch (tok) {
	case H_ROW:
		if ((ra = attr(a, n, "r")) != NULL) {
			v = parse_uint(ra->value, ra->len, SHEET_MAX_ROW);
			if (v < 1)
				return xerr(x, x->last_row + 1, "damaged XLSX "
				    "file: bad row number");
		} else
			v = x->last_row + 1;
		if (v > SHEET_MAX_ROW)
			return xerr(x, 0, "damaged XLSX file: more than %d "
			    "rows", SHEET_MAX_ROW);
		x->row = x->last_row = v;
		x->last_col = 0;
		x->in_row = 1;
		if (fx_srd_row(x->r, v) == -1) {
			x->own = 1;
			return -1;
		}
		break;
	case H_C:
		if (!x->in_row)
			return xerr(x, 0, "damaged XLSX file: a cell outside "
			    "a row");
		if ((ra = attr(a, n, "r")) != NULL) {
			if ((v = ref_col(ra->value, ra->len)) == 0)
				return xerr(x, x->row, "damaged XLSX file: "
				    "bad cell reference");
		} else if ((v = x->last_col + 1) > SHEET_MAX_COL)
			return xerr(x, x->row, "damaged XLSX file: more than "
			    "%d columns", SHEET_MAX_COL);
		x->col = x->last_col = v;
		ta = attr(a, n, "t");
		x->ctype = ta == NULL || attr_is(ta, "n") ? C_N :
		    attr_is(ta, "s") ? C_S : attr_is(ta, "str") ? C_STR :
		    attr_is(ta, "inlineStr") ? C_INLINE : attr_is(ta, "b") ?
		    C_B : attr_is(ta, "e") ? C_E : attr_is(ta, "d") ? C_D : C_N;
		fx_buf_reset(&x->cur);
		x->has_v = x->has_f = 0;
		x->in_c = 1;
		break;
	case H_F:
		x->has_f = 1;
		break;
	}
	return 0;
}

static int
cell_end(struct xlsx *x)
{
	char num[SHEET_NUMBUF], cn[8], q[64];
	const char *s = fx_buf_str(&x->cur);
	size_t len = x->cur.len;
	unsigned flags = 0;
	char *end;
	double d;
	long idx;

	x->in_c = 0;
	switch (x->ctype) {
	case C_S:
		if (len == 0)
			return 0;
		idx = parse_uint(s, len, 0x7fffffffL);
		if (idx < 0 || (size_t)idx >= x->nsst)
			return xerr(x, x->row, "damaged XLSX file: cell %s%ld "
			    "refers to shared string %s of %zu",
			    fx_srd_colname(cn, sizeof(cn), x->col), x->row,
			    fx_quote(q, sizeof(q), s), x->nsst);
		s = x->sstbuf.p + x->sst[idx].off;
		len = x->sst[idx].len;
		break;
	case C_B:
		if (len == 0)
			return 0;
		s = strcmp(s, "0") == 0 ? "FALSE" : "TRUE";
		len = strlen(s);
		break;
	case C_STR:
	case C_INLINE:
	case C_E:
	case C_D:
		break;
	case C_N:
		if (len == 0) {
			if (!x->has_f)
				return 0;	/* styled but empty */
			flags = SRD_NOVALUE;
			break;
		}
		/* Most cells are whole numbers Excel wrote plainly. */
		if (len <= 15 && (idx = parse_uint(s, len, 999999999999999L)) >=
		    0) {
			s = fx_srd_itoa(num, idx);
			len = strlen(num);
			flags = SRD_NUM;
			break;
		}
		d = strtod(s, &end);
		while (*end == ' ')
			end++;
		if (end == s || *end != '\0' || fx_srd_num(num, sizeof(num),
		    d) == -1)
			return xerr(x, x->row, "damaged XLSX file: cell %s%ld "
			    "holds \"%s\", not a number",
			    fx_srd_colname(cn, sizeof(cn), x->col), x->row,
			    fx_quote(q, sizeof(q), s));
		s = num;
		len = strlen(num);
		flags = SRD_NUM;
		break;
	}
	if (fx_srd_cell(x->r, x->col, s, len, flags) == -1) {
		x->own = 1;
		return -1;
	}
	return 0;
}

static int
sh_end(struct fx_xml *xp, void *u, int tok, const char *text, size_t len)
{
	struct xlsx *x = u;
	int up;

	switch (tok) {
	case H_V:
		if (x->in_c) {
			fx_buf_reset(&x->cur);
			fx_buf_add(&x->cur, text, len);
			x->has_v = 1;
		}
		break;
	case H_T:
		/* <is><t> or <is><r><t>, never <rPh><t>. */
		up = fx_xml_up(xp, 1);
		if (x->in_c && (up == H_IS || (up == H_R &&
		    fx_xml_up(xp, 2) == H_IS))) {
			fx_buf_add(&x->cur, text, len);
			x->has_v = 1;
		}
		break;
	case H_C:
		if (x->in_c)
			return cell_end(x);
		break;
	case H_ROW:
		x->in_row = 0;
		if (fx_srd_end(x->r) == -1) {
			x->own = 1;
			return -1;
		}
		break;
	case H_SHEETDATA:
		fx_xml_stop(xp);	/* merged cells...: not ours */
		break;
	}
	return 0;
}

/* A ZIP without a workbook: say what it is if we can. */
static int
not_a_workbook(struct xlsx *x)
{
	const struct zent *e;
	struct part p;
	char mt[128];
	ssize_t k;
	int rc;

	if (zip_find(x, "xl/workbook.bin", &e) == -1)
		return -1;
	if (e != NULL)
		return xerr(x, 0, "an XLSB (binary) workbook: save it as "
		    "XLSX, XLS or CSV");
	if ((rc = part_open(x, "mimetype", SMALL_MAX, &p)) == 0) {
		k = part_read(&p, mt, sizeof(mt) - 1);
		part_close(&p);
		if (k < 0)
			return -1;
		mt[k] = '\0';
		if (strstr(mt, "opendocument.spreadsheet") != NULL)
			return xerr(x, 0, "an OpenDocument (ODS) spreadsheet: "
			    "save it as XLSX, XLS or CSV");
	} else if (rc == -1)
		return -1;
	return xerr(x, 0, "not a spreadsheet (XLS, XLSX or CSV): a ZIP "
	    "archive without a workbook");
}

static int
read_workbook(struct xlsx *x)
{
	struct fx_srd *r = x->r;
	struct fx_xml_ops ops;
	const struct rel *rel;
	const struct sheet_ent *sh = NULL;
	const struct zent *e;
	char wb[NAMESZ], dir[NAMESZ], rels[NAMESZ * 2], part[NAMESZ];
	char sst[NAMESZ], list[200], q[64], wq[96];
	size_t i, o;
	int missing;
	char *slash;

	/* The package relationships name the workbook part. */
	fx_strlcpy(wb, "xl/workbook.xml", sizeof(wb));
	if (rels_read(x, "_rels/.rels", &missing) == -1)
		return -1;
	if (!missing && (rel = rel_find(x, NULL, "/officeDocument")) != NULL)
		resolve(wb, sizeof(wb), "", rel->target);
	if (zip_find(x, wb, &e) == -1)
		return -1;
	if (e == NULL)
		return not_a_workbook(x);

	memset(&ops, 0, sizeof(ops));
	ops.names = wb_names;
	ops.nnames = nitems(wb_names);
	ops.start = wb_start;
	ops.end = wb_end;
	ops.text_mask = 1ULL << 63;
	ops.skip_unknown = 1;
	if (part_parse(x, wb, SMALL_MAX, &ops, NULL) == -1)
		return -1;
	if (x->nsheets == 0)
		return xerr(x, 0, "damaged XLSX file: the workbook lists no "
		    "sheets");

	/* Its relationships: xl/_rels/workbook.xml.rels. */
	fx_strlcpy(dir, wb, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL)
		slash[1] = '\0';
	else
		dir[0] = '\0';
	(void)fx_snprintf(rels, sizeof(rels), "%s_rels/%s.rels", dir, base(wb));
	if (rels_read(x, rels, NULL) == -1)
		return -1;

	if (r->want != NULL) {
		char a[256], b[256];

		if (fx_fold(r->want, wq, sizeof(wq)) == -1)
			fx_strlcpy(wq, r->want, sizeof(wq));
		for (i = 0; i < x->nsheets; i++) {
			if (fx_fold(x->sheets[i].name, a, sizeof(a)) == 0 &&
			    strcmp(a, wq) == 0) {
				sh = &x->sheets[i];
				break;
			}
		}
		if (sh == NULL) {
			list[0] = '\0';
			for (i = 0, o = 0; i < x->nsheets; i++) {
				(void)fx_snprintf(b, sizeof(b), "%s\"%s\"",
				    i ? ", " : "", fx_quote(q, sizeof(q),
				    x->sheets[i].name));
				if (fx_snprintf(list + o, sizeof(list) - o,
				    "%s", b) == -1) {
					fx_strlcpy(list + o, "...",
					    sizeof(list) - o);
					break;
				}
				o = strlen(list);
			}
			return xerr(x, 0, "no sheet named \"%s\" (the workbook "
			    "has %s)", fx_quote(wq, sizeof(wq), r->want), list);
		}
		if (rel_find(x, sh->rid, "/worksheet") == NULL)
			return xerr(x, 0, "sheet \"%s\" is not a worksheet "
			    "(a chart?)", fx_quote(q, sizeof(q), sh->name));
	} else {
		for (i = 0; i < x->nsheets; i++) {
			if (!x->sheets[i].hidden &&
			    rel_find(x, x->sheets[i].rid, "/worksheet") !=
			    NULL) {
				sh = &x->sheets[i];
				break;
			}
		}
		if (sh == NULL)
			return xerr(x, 0, "no visible worksheet in the "
			    "workbook");
	}
	fx_strlcpy(r->out->sheet, sh->name, sizeof(r->out->sheet));
	rel = rel_find(x, sh->rid, "/worksheet");
	resolve(part, sizeof(part), dir, rel->target);

	/* Shared strings, if any. */
	if ((rel = rel_find(x, NULL, "/sharedStrings")) != NULL) {
		resolve(sst, sizeof(sst), dir, rel->target);
		memset(&ops, 0, sizeof(ops));
		ops.names = sst_names;
		ops.nnames = nitems(sst_names);
		ops.start = sst_start;
		ops.end = sst_end;
		ops.text_mask = 1ULL << S_T;
		ops.skip_unknown = 1;
		if (part_parse(x, sst, SST_MAX, &ops, &missing) == -1)
			return -1;
	}

	memset(&ops, 0, sizeof(ops));
	ops.names = sheet_names;
	ops.nnames = nitems(sheet_names);
	ops.start = sh_start;
	ops.end = sh_end;
	ops.text_mask = 1ULL << H_V | 1ULL << H_T;
	ops.skip_unknown = 1;
	if (part_parse(x, part, PART_MAX, &ops, NULL) == -1)
		return -1;
	if (x->in_row && fx_srd_end(r) == -1)
		return -1;
	return 0;
}

int
fx_srd_xlsx(struct fx_srd *r, const char *buf, size_t len)
{
	struct xlsx x;
	size_t i;
	int rc = -1;

	memset(&x, 0, sizeof(x));
	x.r = r;
	if (zip_check(&x, (const unsigned char *)buf, len) == -1)
		return -1;
	if (fx_lazy_load(FX_LAZY_XML, r->err) == -1)
		goto out;
	rc = read_workbook(&x);
out:
	free(x.ents);
	rels_clear(&x);
	free(x.rels);
	for (i = 0; i < x.nsheets; i++) {
		free(x.sheets[i].name);
		free(x.sheets[i].rid);
	}
	free(x.sheets);
	free(x.sst);
	fx_buf_release(&x.sstbuf);
	fx_buf_release(&x.cur);
	return rc;
}
