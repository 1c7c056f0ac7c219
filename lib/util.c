/*
 * util.c -- memory, buffers, bounded strings, paths and time.
 *
 * Allocation failure is not an error the library can report usefully in
 * the middle of an import, so the fx_*alloc family aborts (as git's
 * xmalloc); a transaction that dies this way is never committed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fx-int.h"

void *
fx_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		FX_BUG("out of memory (%zu bytes)", n);
	return p;
}

void *
fx_calloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		FX_BUG("out of memory (%zu x %zu bytes)", n, sz);
	return p;
}

void *
fx_realloc(void *o, size_t n)
{
	void *p = realloc(o, n ? n : 1);

	if (p == NULL)
		FX_BUG("out of memory (%zu bytes)", n);
	return p;
}

char *
fx_strdup(const char *s)
{
	return fx_strndup(s, strlen(s));
}

char *
fx_strndup(const char *s, size_t n)
{
	char *p = fx_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *
fx_grow(void *v, size_t *cap, size_t n, size_t sz)
{
	size_t c = *cap;

	if (n <= c)
		return v;
	if (c == 0)
		c = 8;
	while (c < n) {
		if (c > SIZE_MAX / 2 / sz)
			FX_BUG("array too large");
		c *= 2;
	}
	*cap = c;
	return fx_realloc(v, c * sz);
}

int
fx_strlcpy(char *dst, const char *src, size_t sz)
{
	size_t n = strlen(src);

	if (sz == 0)
		return -1;
	if (n >= sz) {
		memcpy(dst, src, sz - 1);
		dst[sz - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int
fx_snprintf(char *buf, size_t sz, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= sz)
		return -1;
	return 0;
}

char *
fx_path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *p;

	if (name[0] == '/')
		return fx_strdup(name);
	p = fx_malloc(dl + nl + 2);
	memcpy(p, dir, dl);
	if (dl > 0 && dir[dl - 1] != '/')
		p[dl++] = '/';
	memcpy(p + dl, name, nl + 1);
	return p;
}

void
fx_buf_reserve(struct fx_buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap)
		b->p = fx_grow(b->p, &b->cap, b->len + n + 1, 1);
}

void
fx_buf_add(struct fx_buf *b, const void *p, size_t n)
{
	fx_buf_reserve(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
fx_buf_addc(struct fx_buf *b, int c)
{
	fx_buf_reserve(b, 1);
	b->p[b->len++] = (char)c;
	b->p[b->len] = '\0';
}

void
fx_buf_adds(struct fx_buf *b, const char *s)
{
	fx_buf_add(b, s, strlen(s));
}

void
fx_buf_addf(struct fx_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (r < 0)
		FX_BUG("bad format");
	fx_buf_reserve(b, (size_t)r);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)r + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)r;
}

void
fx_buf_key(struct fx_buf *b, ...)
{
	va_list ap;
	const char *s;
	int first = 1;

	va_start(ap, b);
	while ((s = va_arg(ap, const char *)) != NULL) {
		if (!first)
			fx_buf_add(b, "", 1);
		fx_buf_adds(b, s);
		first = 0;
	}
	va_end(ap);
}

void
fx_buf_reset(struct fx_buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void
fx_buf_release(struct fx_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

const char *
fx_buf_str(struct fx_buf *b)
{
	if (b->p == NULL)
		fx_buf_reserve(b, 0), b->p[0] = '\0';
	return b->p;
}

void
fx_now_iso(char *buf, size_t sz)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
fx_date_check(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, i;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return -1;
		} else if (s[i] < '0' || s[i] > '9')
			return -1;
	}
	if (s[10] != '\0')
		return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) ||
	    y % 400 == 0))
		return -1;
	return 0;
}

/*
 * Days since 1970-01-01: Howard Hinnant's days_from_civil, exact for the
 * proleptic Gregorian calendar, no time zones involved.
 */
long
fx_date_days(const char *s)
{
	long y, m, d, era, yoe, doy, doe;

	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
fx_date_add(const char *s, long n, char out[11])
{
	long z = fx_date_days(s) + n + 719468, era, doe, yoe, y, doy, mp, d,
	    m;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000,
	    (unsigned)m % 100, (unsigned)d % 100);
}

/*
 * A string-keyed hash map (open addressing, linear probing).  Used for
 * the small per-import sets: groups seen, property names.
 */
static uint32_t
map_hash(const char *s)
{
	/* Eight bytes a step: most keys are 36-byte 1C Ид. */
	size_t n = strlen(s);
	uint64_t h = 0x9e3779b97f4a7c15u ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
	return (uint32_t)(h ^ (h >> 29));
}

static struct fx_map_ent *
map_find(const struct fx_map *m, const char *key)
{
	size_t mask, i;

	if (m->cap == 0)
		return NULL;
	mask = m->cap - 1;
	for (i = map_hash(key) & mask; m->v[i].key != NULL;
	    i = (i + 1) & mask)
		if (strcmp(m->v[i].key, key) == 0)
			return &m->v[i];
	return &m->v[i];
}

void **
fx_map_get(struct fx_map *m, const char *key)
{
	struct fx_map_ent *e = map_find(m, key);

	return e != NULL && e->key != NULL ? &e->val : NULL;
}

/* Move every entry into a table of cap slots (a power of two). */
static void
map_rehash(struct fx_map *m, size_t cap)
{
	struct fx_map old = *m;
	struct fx_map_ent *e;
	size_t i;

	m->cap = cap;
	m->v = fx_calloc(m->cap, sizeof(*m->v));
	m->n = 0;
	for (i = 0; i < old.cap; i++)
		if (old.v[i].key != NULL) {
			e = map_find(m, old.v[i].key);
			*e = old.v[i];
			m->n++;
		}
	free(old.v);
}

void **
fx_map_put(struct fx_map *m, const char *key)
{
	struct fx_map_ent *e;

	if ((m->n + 1) * 2 > m->cap)
		map_rehash(m, m->cap ? m->cap * 2 : 64);
	e = map_find(m, key);
	if (e->key == NULL) {
		e->key = m->borrowed ? (char *)key : fx_strdup(key);
		e->val = NULL;
		m->n++;
	}
	return &e->val;
}

/* Room for n keys without growing: no rehash on the way to n. */
void
fx_map_reserve(struct fx_map *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;

	while ((n + 1) * 2 > cap)
		cap *= 2;
	if (cap != m->cap)
		map_rehash(m, cap);
}

void
fx_map_release(struct fx_map *m, void (*freeval)(void *))
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->v[i].key != NULL) {
			if (freeval != NULL)
				freeval(m->v[i].val);
			if (!m->borrowed)
				free(m->v[i].key);
		}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

int
fx_utf8_valid(const char *s, size_t len, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	unsigned c, n, i, min;

	while (p < end) {
		c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			min = 0x10000;
		} else
			goto fail;
		if ((size_t)(end - p) <= n)
			goto fail;
		c &= 0x3f >> n;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				goto fail;
			c = c << 6 | (p[i] & 0x3f);
		}
		/* Overlong forms, surrogates, past U+10FFFF. */
		if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
			goto fail;
		p += n + 1;
	}
	return 1;
fail:
	if (bad != NULL)
		*bad = (size_t)(p - (const unsigned char *)s);
	return 0;
}

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * A date-time as 1C writes ДатаФормирования and formix XML "generated":
 * YYYY-MM-DD, optionally THH:MM:SS, optional fraction (up to 3 digits),
 * optional Z or +HH:MM.  0 if valid.
 */
int
fx_datetime_check(const char *s)
{
	char d[11];
	size_t i;

	if (strlen(s) < 10)
		return -1;
	memcpy(d, s, 10);
	d[10] = '\0';
	if (fx_date_check(d) == -1)
		return -1;
	s += 10;
	if (*s == '\0')
		return 0;
	if (*s++ != 'T')
		return -1;
	for (i = 0; i < 8; i++)
		if (i == 2 || i == 5 ? s[i] != ':' : !isdig(s[i]))
			return -1;
	if ((s[0] - '0') * 10 + (s[1] - '0') > 23 ||
	    (s[3] - '0') * 10 + (s[4] - '0') > 59 ||
	    (s[6] - '0') * 10 + (s[7] - '0') > 60)
		return -1;
	s += 8;
	if (*s == '.') {
		for (i = 1; isdig(s[i]); i++)
			;
		if (i == 1 || i > 4)
			return -1;
		s += i;
	}
	if (*s == 'Z')
		s++;
	else if (*s == '+' || *s == '-') {
		if (!isdig(s[1]) || !isdig(s[2]) || s[3] != ':' ||
		    !isdig(s[4]) || !isdig(s[5]))
			return -1;
		s += 6;
	}
	return *s == '\0' ? 0 : -1;
}

/* String vectors: the names of a directory, a list of words. */

int
fx_strv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
fx_strv_sort(char **v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), fx_strv_cmp);
}

void
fx_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
