/*
 * inn.c -- Russian taxpayer numbers: INN and KPP.
 *
 * An INN (ИНН) is 10 digits for an organisation, with one check digit, or
 * 12 digits for a person (a sole trader, ИП), with two.  Each check digit
 * is the weighted sum of the digits before it, mod 11, mod 10.  A KPP
 * (КПП) is 9 characters, NNNNPPNNN: the tax office code, the reason code
 * (digits or, since 2013, capital Latin letters) and a serial number.
 *
 * Both checks are pure: they read a NUL-terminated string and say why it
 * is wrong in err (FX_EDATA, no file position: the caller knows where the
 * value came from and adds it).
 */
#include <string.h>

#include "fx-int.h"

static const int w10[] = { 2, 4, 10, 3, 5, 9, 4, 6, 8 };
static const int w11[] = { 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };
static const int w12[] = { 3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

/* The check digit over the first n digits of s with weights w. */
static int
check_digit(const char *s, const int *w, size_t n)
{
	size_t i;
	int sum = 0;

	for (i = 0; i < n; i++)
		sum += (s[i] - '0') * w[i];
	return sum % 11 % 10;
}

int
fx_inn_check(const char *inn, struct fx_err *err)
{
	char q[64];
	size_t i, n;

	if (inn == NULL)
		inn = "";
	n = strlen(inn);
	for (i = 0; i < n; i++)
		if (!isdig((unsigned char)inn[i]))
			break;
	if (i != n || (n != 10 && n != 12))
		return fx_err_set(err, FX_EDATA, "INN \"%s\" must be 10 or 12 "
		    "digits", fx_quote(q, sizeof(q), inn));
	if (n == 10) {
		if (check_digit(inn, w10, 9) != inn[9] - '0')
			goto bad;
	} else {
		if (check_digit(inn, w11, 10) != inn[10] - '0' ||
		    check_digit(inn, w12, 11) != inn[11] - '0')
			goto bad;
	}
	return 0;
bad:
	return fx_err_set(err, FX_EDATA, "INN \"%s\" has a wrong check digit",
	    fx_quote(q, sizeof(q), inn));
}

int
fx_kpp_check(const char *kpp, struct fx_err *err)
{
	char q[64];
	size_t i;

	if (kpp == NULL)
		kpp = "";
	if (strlen(kpp) != 9)
		goto bad;
	for (i = 0; i < 9; i++) {
		int c = (unsigned char)kpp[i];

		if (i == 4 || i == 5) {
			if (!isdig(c) && !(c >= 'A' && c <= 'Z'))
				goto bad;
		} else if (!isdig(c))
			goto bad;
	}
	return 0;
bad:
	return fx_err_set(err, FX_EDATA, "KPP \"%s\" must be 9 characters "
	    "(NNNNPPNNN)", fx_quote(q, sizeof(q), kpp));
}
