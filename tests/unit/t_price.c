/* t_price.c -- money, quantities, percents and the rounding rule. */
#include <stdint.h>

#include "formix.h"
#include "tap.h"

int
main(void)
{
	char b[64];
	int64_t v;
	int32_t p;

	/* The rule: base * (100 - pct) / 100, half up to a kopeck. */
	is_int(fx_price_discount(100000, 0), 100000, "no discount");
	is_int(fx_price_discount(100000, 10000), 0, "100%% off");
	is_int(fx_price_discount(100005, 700), 93005, "1000.05 less 7%% = 930.0465 -> 930.05");
	is_int(fx_price_discount(99, 5000), 50, "0.99 less 50%% = 0.495 -> 0.50 (half up)");
	is_int(fx_price_discount(101, 5000), 51, "1.01 less 50%% = 0.505 -> 0.51");
	is_int(fx_price_discount(100, 3333), 67, "1.00 less 33.33%% = 0.6667 -> 0.67");
	is_int(fx_price_discount(123456, 1250), 108024, "1234.56 less 12.5%% = 1080.24");
	is_int(fx_price_discount(INT64_MAX / 2, 5000), INT64_MAX / 4 + 1,
	    "no overflow on huge prices");

	ok(fx_money_parse("1468.03", &v) == 0 && v == 146803, "1468.03");
	ok(fx_money_parse("99.9", &v) == 0 && v == 9990, "99.9");
	ok(fx_money_parse("1250", &v) == 0 && v == 125000, "1250");
	ok(fx_money_parse("1,5", &v) == 0 && v == 150, "decimal comma");
	ok(fx_money_parse("10.500", &v) == 0 && v == 1050, "trailing zeros");
	ok(fx_money_parse("-3", &v) == 0 && v == -300, "negative");
	ok(fx_money_parse("10.123", &v) == -1, "3 decimals refused");
	ok(fx_money_parse("", &v) == -1, "empty refused");
	ok(fx_money_parse(".", &v) == -1, "point alone refused");
	ok(fx_money_parse("1.2.3", &v) == -1, "two points refused");
	ok(fx_money_parse("12a", &v) == -1, "letters refused");
	ok(fx_money_parse("99999999999999999999", &v) == -1, "overflow refused");

	ok(fx_qty_parse("1.0000", &v) == 0 && v == 1000, "1C's 1.0000");
	ok(fx_qty_parse("0.125", &v) == 0 && v == 125, "thousandths");
	ok(fx_qty_parse("0.1255", &v) == -1, "4 significant decimals refused");

	ok(fx_pct_parse("4.5", &p) == 0 && p == 450, "4.5%%");
	ok(fx_pct_parse("100", &p) == 0 && p == 10000, "100%%");
	ok(fx_pct_parse("100.01", &p) == -1, "over 100 refused");
	ok(fx_pct_parse("-1", &p) == -1, "negative refused");
	ok(fx_pct_parse("1.234", &p) == -1, "3 decimals refused");

	is_str(fx_money_fmt(b, sizeof(b), 146803, 0), "1468.03", "money plain");
	is_str(fx_money_fmt(b, sizeof(b), 146803, ' '), "1 468.03", "money with separator");
	is_str(fx_money_fmt(b, sizeof(b), 123456789012, ' '), "1 234 567 890.12", "millions");
	is_str(fx_money_fmt(b, sizeof(b), -5, 0), "-0.05", "negative kopecks");
	is_str(fx_money_fmt(b, sizeof(b), 0, 0), "0.00", "zero");
	is_str(fx_qty_fmt(b, sizeof(b), 12000), "12", "whole quantity");
	is_str(fx_qty_fmt(b, sizeof(b), 12500), "12.5", "half");
	is_str(fx_qty_fmt(b, sizeof(b), -2000), "-2", "negative quantity");
	is_str(fx_pct_fmt(b, sizeof(b), 450), "4.5", "percent");
	is_str(fx_pct_fmt(b, sizeof(b), 0), "0", "zero percent");
	is_str(fx_money_fmt(b, sizeof(b), INT64_MIN, ' '),
	    "-92 233 720 368 547 758.08", "money at INT64_MIN");
	is_str(fx_qty_fmt(b, sizeof(b), 1020), "1.02", "inner zero kept");
	is_str(fx_qty_fmt(b, sizeof(b), 7), "0.007", "leading zeros kept");
	is_str(fx_money_fmt(b, sizeof(b), 123456, 0), "1234.56", "truncated");
	is_str(fx_money_fmt(b, 5, 123456, 0), "1234", "truncated to the buffer");
	return done_testing();
}
