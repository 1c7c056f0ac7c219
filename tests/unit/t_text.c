/* t_text.c -- article normalisation, folding and display width. */
#include "formix.h"
#include "tap.h"

static const char *
norm(const char *s)
{
	static char b[256];

	if (fx_article_norm(s, b, sizeof(b)) == -1)
		return "(invalid)";
	return b;
}

static const char *
fold(const char *s)
{
	static char b[256];

	if (fx_fold(s, b, sizeof(b)) == -1)
		return "(invalid)";
	return b;
}

int
main(void)
{
	char small[8];

	is_str(norm("27087-10"), "27087-10", "plain article");
	is_str(norm("  27087-10\t"), "27087-10", "trimmed");
	is_str(norm("27087-10\xc2\xa0"), "27087-10", "trailing NBSP");
	is_str(norm("27087\xe2\x80\x93" "10"), "27087-10", "en dash");
	is_str(norm("27087\xe2\x80\x94" "10"), "27087-10", "em dash");
	is_str(norm("27087\xe2\x80\x91" "10"), "27087-10", "non-breaking hyphen");
	is_str(norm("27087\xe2\x88\x92" "10"), "27087-10", "minus sign");
	is_str(norm("ms-00123"), "ms-00123", "lower case kept");
	is_str(norm("MS-00123"), "ms-00123", "upper case folded");
	is_str(norm("ИА-12.345"), "иа-12.345", "Cyrillic folded");
	is_str(norm("A  B\xc2\xa0\xc2\xa0" "C"), "a b c", "inner spaces unified");
	is_str(norm("AB\xc2\xad" "C"), "abc", "soft hyphen dropped");
	is_str(norm(""), "", "empty");
	is_str(norm("\xff\xfe"), "(invalid)", "invalid UTF-8 refused");
	/* ASCII takes a path of its own: cut where the rest cuts. */
	fx_article_norm("ABCDEFGHIJ", small, sizeof(small));
	is_str(small, "abcdefg", "ASCII truncated to the buffer");
	fx_article_norm("ABCDEF GH", small, sizeof(small));
	is_str(small, "abcdef ", "a space kept at the buffer's end");
	fx_article_norm("AB\x0b\x0c" "C-\xd0\x98", small, sizeof(small));
	is_str(small, "ab c-\xd0\xb8", "ASCII and Cyrillic mixed");

	is_str(fold("Ключ КОМБИНИРОВАННЫЙ"), "ключ комбинированный", "Cyrillic fold");
	is_str(fold("Ёлка"), "елка", "ё folds to е");
	is_str(fold("Straße"), "strasse", "full case folding");
	is_str(fold("MiXeD 10 мм"), "mixed 10 мм", "mixed scripts");
	fx_fold("Ключ комбинированный", small, sizeof(small));
	is_str(small, "клю", "truncated at a character boundary");

	is_int(fx_width("abc"), 3, "ASCII width");
	is_int(fx_width("Ключ"), 4, "Cyrillic: one column a letter");
	is_int(fx_width("日本"), 4, "CJK: two columns a character");
	is_int(fx_width("a\tb"), 2, "control characters take no column");
	return done_testing();
}
