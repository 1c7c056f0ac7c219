/* t_alias.c -- dealer codes: barcode normalisation, the codes sheet. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "formix.h"
#include "tap.h"

static const char *
bnorm(const char *s)
{
	static char b[64];

	if (fx_barcode_norm(s, b, sizeof(b)) == -1)
		return "(invalid)";
	return b;
}

/* Read a CSV of text as a codes sheet; returns the error or "". */
static const char *
codes(const char *text, struct fx_sheet *sh, int mode)
{
	static struct fx_err err;
	static char msg[512];
	char path[] = "/tmp/t_alias.XXXXXX";
	struct fx_sheet_opts so = { 0 };
	FILE *f;
	int fd;

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		return "(cannot make a file)";
	fputs(text, f);
	fclose(f);
	so.codes = mode;
	fx_err_clear(&err);
	msg[0] = '\0';
	if (fx_sheet_read(path, &so, sh, &err) == -1)
		snprintf(msg, sizeof(msg), "%ld: %s", err.line, err.msg);
	unlink(path);
	return msg;
}

int
main(void)
{
	struct fx_sheet sh;

	is_str(bnorm("4600000000011"), "4600000000011", "EAN digits as they are");
	is_str(bnorm(" 4 600000-000011 "), "4600000000011",
	    "spaces and dashes dropped");
	is_str(bnorm("4600000000011\xc2\xa0"), "4600000000011", "NBSP dropped");
	is_str(bnorm("ABC\xe2\x80\x93" "12"), "abc12", "letters folded, en dash dropped");
	is_str(bnorm(""), "", "empty");
	is_str(bnorm("\xff"), "(invalid)", "invalid UTF-8 refused");

	/* A codes sheet: Код before Артикул, which names the article. */
	is_str(codes("Артикул;Код дилера\n27087-10;Z-10\n", &sh, 1), "",
	    "codes header read");
	is_int(sh.nrows, 1, "one row");
	if (sh.nrows == 1) {
		is_str(sh.rows[0].article, "Z-10", "the code first");
		is_str(sh.rows[0].qty, "27087-10", "the article second");
	}
	is_int(sh.art_col, 2, "the code's column from the header");
	fx_sheet_release(&sh);
	is_str(codes("Код;Количество\nA;1\n", &sh, 1),
	    "1: the header names the code (\"Код\" in A) but no article "
	    "column (Артикул, Article, SKU)", "no article column");
	fx_sheet_release(&sh);
	/* An order file is unchanged: Код is still its article. */
	is_str(codes("Код;Количество\nA;1\n", &sh, 0), "", "order header");
	if (sh.nrows == 1)
		is_str(sh.rows[0].article, "A", "order: Код is the article");
	fx_sheet_release(&sh);
	return done_testing();
}
