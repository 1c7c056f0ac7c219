/*
 * price.c -- money, quantities, percents and the one rounding rule.
 *
 * Money is int64 kopecks, quantities int64 thousandths, percents int32
 * hundredths of a percent; no floating point touches a stored figure.
 *
 * The rounding rule, written down once: a dealer's unit net price is
 *	net = base * (100 - percent) / 100
 * computed exactly in integers and rounded half up (away from zero) to a
 * whole kopeck; a line sum is the unit net price times the quantity.
 */
#include <string.h>

#include "fx-int.h"

int64_t
fx_price_discount(int64_t base, int32_t pct)
{
	__int128 num = (__int128)base * (10000 - pct);

	if (num >= 0)
		return (int64_t)((num + 5000) / 10000);
	return (int64_t)-((-num + 5000) / 10000);
}

/*
 * Parse [-]digits[(.|,)digits] into an integer scaled by 10^scale.
 * Digits past the scale must be zeros ("1.2500" is 1.25, "1.255" is an
 * error): a figure is never silently rounded.
 */
static int
parse_scaled(const char *s, int scale, int64_t *out)
{
	int neg = 0, frac = 0, digits = 0, seen_point = 0;
	__int128 v = 0;

	while (*s == ' ')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9') {
			if (seen_point && frac >= scale) {
				if (*s != '0')
					return -1;
				continue;
			}
			v = v * 10 + (*s - '0');
			if (v > INT64_MAX)
				return -1;
			digits++;
			if (seen_point)
				frac++;
		} else if ((*s == '.' || *s == ',') && !seen_point)
			seen_point = 1;
		else if (*s == ' ') {
			while (*s == ' ')
				s++;
			if (*s != '\0')
				return -1;
			break;
		} else
			return -1;
	}
	if (digits == 0)
		return -1;
	for (; frac < scale; frac++) {
		v *= 10;
		if (v > INT64_MAX)
			return -1;
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int
fx_money_parse(const char *s, int64_t *out)
{
	return parse_scaled(s, 2, out);
}

int
fx_qty_parse(const char *s, int64_t *out)
{
	return parse_scaled(s, 3, out);
}

int
fx_pct_parse(const char *s, int32_t *out)
{
	int64_t v;

	if (parse_scaled(s, 2, &v) == -1 || v < 0 || v > 10000)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/*
 * Format v / 10^scale with at most scale decimals (trailing zeros cut
 * when trim), optional thousands separator.  Digits by hand, right to
 * left into the end of a buffer: thousands of amounts per order check,
 * and snprintf was a fifth of its instructions.
 */
static char *
fmt_scaled(char *buf, size_t sz, int64_t v, int scale, int trim, int sep)
{
	char tmp[48], fd[8], *e = tmp + sizeof(tmp), *p = e;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t div = 1, f;
	size_t n;
	int i, l, k;

	for (i = 0; i < scale; i++)
		div *= 10;
	f = u % div;
	u /= div;
	if (scale > 0 && !(trim && f == 0)) {
		for (i = scale - 1; i >= 0; i--) {
			fd[i] = (char)('0' + f % 10);
			f /= 10;
		}
		l = scale;
		if (trim)
			while (l > 0 && fd[l - 1] == '0')
				l--;
		p -= l;
		memcpy(p, fd, (size_t)l);
		*--p = '.';
	}
	k = 0;
	do {
		if (sep && k == 3) {
			*--p = (char)sep;
			k = 0;
		}
		*--p = (char)('0' + u % 10);
		u /= 10;
		k++;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	if (sz == 0)
		return buf;
	n = (size_t)(e - p);
	if (n >= sz)
		n = sz - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

char *
fx_money_fmt(char *buf, size_t sz, int64_t v, int sep)
{
	return fmt_scaled(buf, sz, v, 2, 0, sep);
}

char *
fx_qty_fmt(char *buf, size_t sz, int64_t v)
{
	return fmt_scaled(buf, sz, v, 3, 1, 0);
}

char *
fx_pct_fmt(char *buf, size_t sz, int32_t v)
{
	return fmt_scaled(buf, sz, v, 2, 1, 0);
}

/*
 * Why a decimal did not parse: more significant decimals than scale (the
 * parsers refuse to round; trailing zeros are harmless) rather than not a
 * number at all.  Lets a message say which.
 */
int
fx_decimals_over(const char *s, int scale)
{
	const char *p;
	int n = 0, digits = 0;

	while (*s == ' ')
		s++;
	if (*s == '-' || *s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		digits++;
	if (*s != '.' && *s != ',')
		return 0;
	for (p = ++s; *p >= '0' && *p <= '9'; p++)
		n++;
	while (*p == ' ')
		p++;
	if (*p != '\0' || (digits == 0 && n == 0))
		return 0;
	while (n > 0 && s[n - 1] == '0')
		n--;
	return n > scale;
}
