/*
 * t_orderdoc.c -- an order's documents (lib/orderdoc.c): the names 1C's
 * files carry and the names copies are written under, the applied mark,
 * and which generated documents apply to which lines.
 */
#include <string.h>

#include "fx-int.h"
#include "tap.h"

static void
name_ok(const char *name)
{
	char why[128] = "";

	is_int(fx_odoc_name_check(name, why, sizeof(why)), 0,
	    "name \"%s\" accepted", name);
}

static void
name_bad(const char *name, const char *want, const char *what)
{
	char why[128] = "";

	is_int(fx_odoc_name_check(name, why, sizeof(why)), -1,
	    "name refused: %s", what);
	is_str(why, want, "... saying why");
}

static void
file_name(const char *base, int want, const char *num, const char *name)
{
	char n[32] = "";
	const char *nm = NULL;
	int r;

	r = fx_odoc_file_name(base, n, sizeof(n), &nm);
	is_int(r, want, "\"%s\" %s 1C's file for an order", base,
	    want ? "is" : "is not");
	if (want) {
		is_str(n, num, "... of order %s", num);
		is_str(nm, name, "... named \"%s\"", name);
	}
}

static void
out_name(const char *order, const char *name, const char *want)
{
	struct fx_odoc d;
	char buf[512];

	memset(&d, 0, sizeof(d));
	d.order = (char *)order;
	d.name = (char *)name;
	is_int(fx_odoc_out_name(&d, buf, sizeof(buf)), 0, "out name made");
	is_str(buf, want, "... safe: \"%s\"", want);
}

int
main(void)
{
	struct fx_oline l[3];
	struct fx_err err;
	enum fx_odoc_gen g;
	char big[202], k1[65], k2[65], k3[65];
	const char *sha = "b590a92e2746a726a4e73a79fcab165cb312b4c50cfc9e082e"
	    "5243e99539a573";

	name_ok("Счёт 15 от 27.11.pdf");
	name_ok("invoice.pdf");
	name_ok("a..b");
	name_bad("", "an empty document name", "empty");
	name_bad("../x", "a document name with a slash", "../");
	name_bad("a\\b", "a document name with a slash", "backslash");
	name_bad("..", "a document name starting with '.'", "..");
	name_bad(".hidden", "a document name starting with '.'", "dot-file");
	name_bad("a\tb", "a document name with a control character", "tab");
	name_bad("a\x7f", "a document name with a control character", "DEL");
	name_bad("a\xc2\x85", "a document name with a control character",
	    "C1 (NEL)");
	name_bad("a\xff.pdf", "a document name that is not valid UTF-8",
	    "bad UTF-8");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	name_bad(big, "a document name longer than 200 bytes", "201 bytes");
	big[200] = '\0';
	name_ok(big);

	file_name("orderdoc-000123-Счёт.pdf", 1, "000123", "Счёт.pdf");
	file_name("orderdoc-000123-a-b-c", 1, "000123", "a-b-c");
	file_name("orderdoc-000123", 1, "000123", "");
	file_name("orderdoc-", 1, "", "");
	file_name("order-000123.xml", 0, NULL, NULL);
	file_name("Orderdoc-1-x", 0, NULL, NULL);

	out_name("000123", "Счёт 15 от 27.11.pdf",
	    "doc-000123-Счёт_15_от_27.11.pdf");
	out_name("000001", "a;b$(c)'d\"e", "doc-000001-a_b__c__d_e");

	is_str(fx_odoc_gen_name(FX_ODOC_INVOICE), "invoice", "invoice");
	is_str(fx_odoc_gen_name(FX_ODOC_WAYBILL), "waybill", "waybill");
	is_str(fx_odoc_gen_name(FX_ODOC_CANCELLED), "cancelled", "cancelled");
	is_str(fx_odoc_gen_name((enum fx_odoc_gen)0), "?", "none");
	ok(fx_odoc_gen_parse("waybill", &g) == 0 && g == FX_ODOC_WAYBILL,
	    "parse waybill");
	is_int(fx_odoc_gen_parse("bill", &g), -1, "parse refuses bill");

	memset(l, 0, sizeof(l));
	l[0].qty = 2000;
	l[1].qty = 1500;
	ok(fx_order_doc_applies(l, 2, FX_ODOC_INVOICE), "invoice applies");
	ok(!fx_order_doc_applies(l, 2, FX_ODOC_WAYBILL),
	    "no waybill: nothing shipped");
	ok(!fx_order_doc_applies(l, 2, FX_ODOC_CANCELLED),
	    "no cancelled list: nothing cancelled");
	l[0].cancelled = 2000;
	l[1].cancelled = 1500;
	ok(!fx_order_doc_applies(l, 2, FX_ODOC_INVOICE),
	    "no invoice: every line cancelled");
	ok(fx_order_doc_applies(l, 2, FX_ODOC_CANCELLED),
	    "cancelled list applies");
	l[1].shipped = 1;
	ok(fx_order_doc_applies(l, 2, FX_ODOC_WAYBILL),
	    "waybill applies: a thousandth shipped");
	ok(!fx_order_doc_applies(l, 0, FX_ODOC_INVOICE), "no lines: none");

	fx_err_clear(&err);
	ok(fx_odoc_applied_key("orderdoc-000001-a.pdf", sha, k1, &err) == 0 &&
	    fx_odoc_applied_key("orderdoc-000001-b.pdf", sha, k2, &err) == 0 &&
	    fx_odoc_applied_key("orderdoc-000001-a.pdf", sha, k3, &err) == 0,
	    "applied keys made");
	ok(strcmp(k1, k2) != 0, "another name: another applied key");
	is_str(k1, k3, "the same name and bytes: the same key");
	ok(strcmp(k1, sha) != 0 && strlen(k1) == 64,
	    "the key is not the bytes' hash, 64 hex digits");

	return done_testing();
}
