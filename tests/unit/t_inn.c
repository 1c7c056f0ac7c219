/*
 * t_inn.c -- INN and KPP validation (lib/inn.c).
 *
 * The valid numbers are real ones (Sberbank, Gazprom...) or computed by
 * hand with the check digit rule; every wrong one differs from a valid
 * one in a single place, so a test fails only for the reason it names.
 */
#include <string.h>

#include "formix.h"
#include "tap.h"

static void
inn_ok(const char *inn, const char *why)
{
	struct fx_err err;

	fx_err_clear(&err);
	is_int(fx_inn_check(inn, &err), 0, "INN %s valid (%s)", inn, why);
	if (err.msg[0] != '\0')
		printf("#   err: %s\n", err.msg);
}

static void
inn_bad(const char *inn, const char *msg)
{
	struct fx_err err;
	char q[64];

	fx_err_clear(&err);
	is_int(fx_inn_check(inn, &err), -1, "INN \"%s\" refused",
	    fx_quote(q, sizeof(q), inn));
	is_int(err.code, FX_EDATA, "  with FX_EDATA");
	is_str(err.msg, msg, "  message");
	is_str(err.file, "", "  and no file position");
}

static void
kpp_ok(const char *kpp)
{
	struct fx_err err;

	fx_err_clear(&err);
	is_int(fx_kpp_check(kpp, &err), 0, "KPP %s valid", kpp);
}

static void
kpp_bad(const char *kpp, const char *msg)
{
	struct fx_err err;

	fx_err_clear(&err);
	is_int(fx_kpp_check(kpp, &err), -1, "KPP \"%s\" refused", kpp);
	is_int(err.code, FX_EDATA, "  with FX_EDATA");
	is_str(err.msg, msg, "  message");
}

int
main(void)
{
	struct fx_err err;
	char buf[32];
	int d, nvalid;

	/* Real organisations (10 digits). */
	inn_ok("7707083893", "Sberbank");
	inn_ok("7736050003", "Gazprom");
	inn_ok("7830002293", "10 digits");
	inn_ok("5422759349", "from bench-data");
	inn_ok("0000000000", "all zero: check digit 0");
	/* Persons (12 digits). */
	inn_ok("500100732259", "12 digits");
	inn_ok("772700130933", "12 digits, zeros inside");

	/* Wrong check digits. */
	inn_bad("7707083894", "INN \"7707083894\" has a wrong check digit");
	inn_bad("7707083895", "INN \"7707083895\" has a wrong check digit");
	inn_bad("500100732250",
	    "INN \"500100732250\" has a wrong check digit");	/* 12th */
	inn_bad("500100732269",
	    "INN \"500100732269\" has a wrong check digit");	/* 11th */
	inn_bad("600100732259",
	    "INN \"600100732259\" has a wrong check digit");	/* body */

	/* Exactly one check digit of ten is right for a 10-digit body. */
	nvalid = 0;
	for (d = 0; d <= 9; d++) {
		snprintf(buf, sizeof(buf), "770708389%d", d);
		nvalid += fx_inn_check(buf, NULL) == 0;
	}
	is_int(nvalid, 1, "one check digit of ten passes");

	/* Lengths, letters, signs, empty. */
	inn_bad("7707083894x",
	    "INN \"7707083894x\" must be 10 or 12 digits");
	inn_bad("770708389", "INN \"770708389\" must be 10 or 12 digits");
	inn_bad("77070838931", "INN \"77070838931\" must be 10 or 12 digits");
	inn_bad("5001007322590",
	    "INN \"5001007322590\" must be 10 or 12 digits");
	inn_bad("77O7083893", "INN \"77O7083893\" must be 10 or 12 digits");
	inn_bad(" 7707083893", "INN \" 7707083893\" must be 10 or 12 digits");
	inn_bad("7707083893 ", "INN \"7707083893 \" must be 10 or 12 digits");
	inn_bad("+707083893", "INN \"+707083893\" must be 10 or 12 digits");
	inn_bad("", "INN \"\" must be 10 or 12 digits");
	/* Untrusted values are quoted and escaped in the message. */
	inn_bad("77\"0\n", "INN \"77\\\"0\\n\" must be 10 or 12 digits");
	/* Cyrillic digits lookalikes are not digits. */
	inn_bad("770708389З", "INN \"770708389З\" must be 10 or 12 digits");

	/* A long value is cut in the message, never overflows it. */
	{
		char big[600];

		memset(big, '7', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		fx_err_clear(&err);
		is_int(fx_inn_check(big, &err), -1, "600-digit INN refused");
		ok(strstr(err.msg, "...\" must be 10 or 12 digits") != NULL,
		    "  message cut with ...: %s", err.msg);
	}
	/* NULL err is allowed. */
	is_int(fx_inn_check("1", NULL), -1, "NULL err: still -1");
	is_int(fx_inn_check(NULL, NULL), -1, "NULL INN refused");

	/* KPP. */
	kpp_ok("773601001");
	kpp_ok("542201001");
	kpp_ok("7736AB001");
	kpp_ok("77360Z001");
	kpp_ok("000000000");
	kpp_bad("12345", "KPP \"12345\" must be 9 characters (NNNNPPNNN)");
	kpp_bad("", "KPP \"\" must be 9 characters (NNNNPPNNN)");
	kpp_bad("7736010011",
	    "KPP \"7736010011\" must be 9 characters (NNNNPPNNN)");
	kpp_bad("7736ab001",
	    "KPP \"7736ab001\" must be 9 characters (NNNNPPNNN)");
	kpp_bad("773A01001",
	    "KPP \"773A01001\" must be 9 characters (NNNNPPNNN)");
	kpp_bad("7736010A1",
	    "KPP \"7736010A1\" must be 9 characters (NNNNPPNNN)");
	kpp_bad("7736 1001",
	    "KPP \"7736 1001\" must be 9 characters (NNNNPPNNN)");
	kpp_bad("7736АБ001",	/* Cyrillic capitals */
	    "KPP \"7736АБ001\" must be 9 characters (NNNNPPNNN)");
	is_int(fx_kpp_check(NULL, NULL), -1, "NULL KPP refused");

	return done_testing();
}
