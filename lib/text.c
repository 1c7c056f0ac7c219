/*
 * text.c -- Unicode text rules: article normalisation, case folding for
 * search, display width.
 *
 * Articles arrive typed by people and pasted from Excel: with NBSP, tabs,
 * en dashes and non-breaking hyphens, in either case.  One normalisation
 * is applied both when the catalog is indexed and when a dealer's article
 * is looked up, so that the two always agree.  Case folding is Unicode's
 * (utf8proc), plus ё -> е, which Russian users type interchangeably.
 */
#include <string.h>

#include <utf8proc.h>

#include "fx-int.h"

static int
is_space(utf8proc_int32_t c)
{
	switch (c) {
	case ' ': case '\t': case '\n': case '\r': case '\v': case '\f':
	case 0x00a0: case 0x1680: case 0x202f: case 0x205f: case 0x3000:
	case 0xfeff:
		return 1;
	}
	return c >= 0x2000 && c <= 0x200b;
}

static int
is_dash(utf8proc_int32_t c)
{
	switch (c) {
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
	case 0x2015: case 0x2212: case 0xfe58: case 0xfe63: case 0xff0d:
	case 0x2043:
		return 1;
	}
	return 0;
}

/* Append the case fold of c to out; returns bytes written or -1. */
static int
put_folded(utf8proc_int32_t c, char *out, size_t room)
{
	utf8proc_int32_t cps[8];
	utf8proc_uint8_t enc[4];
	utf8proc_ssize_t n, i, el;
	int last = 0;
	size_t o = 0;

	if (c < 0x80) {
		if (room < 1)
			return -1;
		out[0] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		return 1;
	}
	/* Fold only: decomposing would split й into и and a breve. */
	n = utf8proc_decompose_char(c, cps, 8, UTF8PROC_CASEFOLD, &last);
	if (n < 0 || n > 8) {
		cps[0] = c;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		if (cps[i] == 0x0451)	/* ё */
			cps[i] = 0x0435;
		el = utf8proc_encode_char(cps[i], enc);
		if ((size_t)el > room - o || room < o)
			return -1;
		memcpy(out + o, enc, (size_t)el);
		o += (size_t)el;
	}
	return (int)o;
}

int
fx_fold(const char *s, char *buf, size_t sz)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	size_t o = 0;
	int w;

	if (sz == 0)
		return -1;
	while (*p != '\0') {
		if (*p < 0x80) {
			if (o + 1 >= sz)
				break;
			buf[o++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 :
			    *p);
			p++;
			continue;
		}
		n = utf8proc_iterate(p, -1, &c);
		if (n < 0) {
			buf[o] = '\0';
			return -1;
		}
		p += n;
		if ((w = put_folded(c, buf + o, sz - 1 - o)) < 0)
			break;
		o += (size_t)w;
	}
	buf[o] = '\0';
	return 0;
}

int
fx_article_norm(const char *s, char *buf, size_t sz)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	size_t o = 0;
	int pending_space = 0, w;

	if (sz == 0)
		return -1;
	while (*p != '\0') {
		/*
		 * ASCII, most articles: what is_space, is_dash and
		 * put_folded would make of it, without the calls.
		 */
		if (*p < 0x80) {
			c = *p++;
			if (c == ' ' || (c >= '\t' && c <= '\r')) {
				pending_space = o > 0;
				continue;
			}
			if (pending_space) {
				if (o + 1 >= sz)
					break;
				buf[o++] = ' ';
				pending_space = 0;
			}
			if (o + 1 >= sz)
				break;
			buf[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			continue;
		}
		if ((n = utf8proc_iterate(p, -1, &c)) < 0) {
			buf[0] = '\0';
			return -1;
		}
		p += n;
		if (c == 0x00ad)	/* soft hyphen: invisible */
			continue;
		if (is_space(c)) {
			pending_space = o > 0;
			continue;
		}
		if (is_dash(c))
			c = '-';
		if (pending_space) {
			if (o + 1 >= sz)
				break;
			buf[o++] = ' ';
			pending_space = 0;
		}
		if ((w = put_folded(c, buf + o, sz - 1 - o)) < 0)
			break;
		o += (size_t)w;
	}
	buf[o] = '\0';
	return 0;
}

size_t
fx_width(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	size_t w = 0;
	int cw;

	while (*p != '\0') {
		if (*p < 0x80) {
			w += *p >= 0x20 && *p != 0x7f;
			p++;
			continue;
		}
		n = utf8proc_iterate(p, -1, &c);
		if (n < 0) {
			/* Shown as one replacement character. */
			w++;
			p++;
			continue;
		}
		p += n;
		cw = utf8proc_charwidth(c);
		if (cw > 0)
			w += (size_t)cw;
	}
	return w;
}
