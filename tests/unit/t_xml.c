/* t_xml.c -- the streaming XML driver's safety rules. */
#include <string.h>

#include "fx-int.h"
#include "tap.h"

enum { T_A, T_B };
static const char *const names[] = { "a", "b" };

struct seen {
	int	 starts, ends;
	char	 text[64];
	char	 attr[64];
};

static int
on_start(struct fx_xml *x, void *u, int tok, const struct fx_xml_attr *a,
    size_t n)
{
	struct seen *s = u;

	s->starts++;
	if (tok == T_B && n > 0 && strcmp(a[0].name, "k") == 0 &&
	    a[0].len < sizeof(s->attr)) {
		memcpy(s->attr, a[0].value, a[0].len);
		s->attr[a[0].len] = '\0';
	}
	return 0;
}

static int
on_end(struct fx_xml *x, void *u, int tok, const char *text, size_t len)
{
	struct seen *s = u;

	s->ends++;
	if (tok == T_B && len < sizeof(s->text))
		memcpy(s->text, text, len + 1);
	if (tok == T_B && strcmp(text, "stop") == 0)
		return fx_xml_err(x, FX_EDATA, "handler refused at line %ld",
		    fx_xml_line(x));
	return 0;
}

static int
parse(const char *doc, struct seen *s, struct fx_err *err)
{
	struct fx_xml_ops ops = { .names = names, .nnames = 2,
	    .start = on_start, .end = on_end };

	memset(s, 0, sizeof(*s));
	return fx_xml_parse_mem("t.xml", doc, strlen(doc), &ops, s, err);
}

/* fx_xml_attr_value: what it escapes, what it refuses, and that the
 * value read back by the parser is the one written. */
static void
attr_value(const char *in, int rc, const char *out, const char *what)
{
	struct fx_buf b = { 0 };

	fx_buf_adds(&b, "x=");
	is_int(fx_xml_attr_value(&b, in), rc, "attribute value: %s", what);
	is_str(fx_buf_str(&b), out, "... written as %s", out);
	fx_buf_release(&b);
}

static void
attr_values(void)
{
	struct fx_buf b = { 0 };
	struct fx_err err;
	struct seen s;

	attr_value("ООО \"Ромашка\" & <Ко>", 0,
	    "x=ООО &quot;Ромашка&quot; &amp; &lt;Ко&gt;", "markup");
	attr_value("a\tb\nc\rd", 0, "x=a&#9;b&#10;c&#13;d",
	    "tab, newline, return as references");
	attr_value("a\x7f", 0, "x=a\x7f", "DEL, which XML allows");
	attr_value("a\x01b", -1, "x=", "a control character refused");
	attr_value("ok \xff", -1, "x=", "a byte that is not UTF-8 refused");
	attr_value("\xd0", -1, "x=", "a cut UTF-8 sequence refused");
	attr_value("\xc0\xaf", -1, "x=", "an overlong form refused");
	attr_value("\xef\xbf\xbe", -1, "x=", "U+FFFE refused");
	attr_value("a\xef\xbf\xbf", -1, "x=", "U+FFFF refused");
	attr_value("\xed\xa0\x80", -1, "x=", "a surrogate refused");
	attr_value("\xe2\x82\xac 5 & \xf0\x9f\x94\xa7.", 0,
	    "x=\xe2\x82\xac 5 &amp; \xf0\x9f\x94\xa7.",
	    "runs of three- and four-byte characters kept");
	attr_value("\xef\xbf\xbd", 0, "x=\xef\xbf\xbd", "U+FFFD kept");

	/* What the parser reads back is what went in. */
	fx_buf_adds(&b, "<a><b k=\"");
	ok(fx_xml_attr_value(&b, "\"v&\" < >") == 0, "a value for the parser");
	fx_buf_adds(&b, "\">t</b></a>");
	ok(parse(fx_buf_str(&b), &s, &err) == 0 &&
	    strcmp(s.attr, "\"v&\" < >") == 0, "... reads back as written");
	fx_buf_release(&b);
}

int
main(void)
{
	struct seen s;
	struct fx_err err;
	struct fx_buf big = { 0 };
	int i;

	ok(parse("<?xml version=\"1.0\"?>\n<a xmlns=\"urn:x\"><b k=\"&quot;v&amp;\">"
	    "x &lt; y</b></a>", &s, &err) == 0, "well-formed document");
	is_str(s.text, "x < y", "text with predefined entities");
	is_str(s.attr, "\"v&", "attribute with predefined entities");
	is_int(s.starts, 2, "two starts");

	ok(parse("<a>\n<b>stop</b></a>", &s, &err) == -1, "handler error");
	is_str(err.msg, "handler refused at line 2", "handler message");
	is_int(err.line, 2, "handler line");
	is_str(err.file, "t.xml", "file named");

	ok(parse("<a><b></a>", &s, &err) == -1 && err.code == FX_EDATA,
	    "mismatched tags");
	ok(strncmp(err.msg, "malformed XML: ", 15) == 0, "%s", err.msg);

	ok(parse("<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
	    "<a>&e;</a>", &s, &err) == -1, "internal subset refused");
	ok(strstr(err.msg, "DOCTYPE refused") != NULL, "%s", err.msg);
	ok(parse("<!DOCTYPE a SYSTEM \"http://127.0.0.1:9/x.dtd\"><a/>", &s,
	    &err) == -1, "external DTD refused");
	ok(parse("<a>&undefined;</a>", &s, &err) == -1,
	    "undefined entity refused");

	ok(parse("", &s, &err) == -1, "empty document refused");
	ok(parse("<a><b>", &s, &err) == -1, "truncated document refused");
	ok(s.starts == 2, "...after the handler saw its start");

	ok(parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>\xca\xeb</a>",
	    &s, &err) == -1, "bytes that are not UTF-8");
	ok(strstr(err.msg, "byte offset") != NULL, "%s", err.msg);
	ok(parse("<?xml version=\"1.0\" encoding=\"windows-1251\"?><a><b>"
	    "\xca\xeb\xfe\xf7</b></a>", &s, &err) == 0, "windows-1251");
	is_str(s.text, "Ключ", "decoded to UTF-8");

	/* Nesting deeper than the limit. */
	for (i = 0; i < 300; i++)
		fx_buf_adds(&big, "<a>");
	for (i = 0; i < 300; i++)
		fx_buf_adds(&big, "</a>");
	ok(parse(big.p, &s, &err) == -1 && strstr(err.msg, "nested") != NULL,
	    "deep nesting refused: %s", err.msg);

	/* Text longer than 1 MiB in one element. */
	fx_buf_reset(&big);
	fx_buf_adds(&big, "<a><b>");
	for (i = 0; i < 1100000; i++)
		fx_buf_addc(&big, 'x');
	fx_buf_adds(&big, "</b></a>");
	ok(parse(big.p, &s, &err) == -1 && strstr(err.msg, "longer") != NULL,
	    "huge text refused: %s", err.msg);
	fx_buf_release(&big);
	attr_values();
	return done_testing();
}
