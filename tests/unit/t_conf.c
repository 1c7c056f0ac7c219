/*
 * t_conf.c -- fx_conf_load, fx_conf_release and fx_conf_dump.
 *
 * Every YAML input is written to a temporary file under $TMPDIR (or /tmp)
 * and removed after loading.  Errors are checked for their exact code,
 * file, line, column and message, and for leaving the struct zeroed.  The
 * shipped sample and man page are found through $FX_SRCDIR; without it
 * those tests are skipped.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fx-int.h"
#include "tap.h"

#define ROOT	"/srv/fx"
/* s starts with the string literal lit. */
#define PREFIX(s, lit)	(strncmp((s), (lit), sizeof(lit) - 1) == 0)

struct result {
	int		 rc;
	struct fx_conf	 c;
	struct fx_err	 e;
	char		 path[4096];
};

static const char *
tmpdir(void)
{
	const char *d = getenv("TMPDIR");

	return d != NULL && d[0] != '\0' ? d : "/tmp";
}

/* Write len bytes to a new temporary file; its name goes to path. */
static void
write_tmp(const void *data, size_t len, char *path, size_t sz)
{
	FILE *fp;
	int fd;

	if (fx_snprintf(path, sz, "%s/t_conf.XXXXXX", tmpdir()) == -1) {
		fprintf(stderr, "t_conf: temporary path too long\n");
		exit(99);
	}
	if ((fd = mkstemp(path)) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		perror("t_conf: mkstemp");
		exit(99);
	}
	if (fwrite(data, 1, len, fp) != len || fclose(fp) == EOF) {
		perror("t_conf: write");
		exit(99);
	}
}

/* Load text (written to a temporary file) with root. */
static void
load_root(struct result *r, const char *text, const char *root)
{
	memset(r, 0, sizeof(*r));
	write_tmp(text, strlen(text), r->path, sizeof(r->path));
	r->rc = fx_conf_load(&r->c, r->path, root, &r->e);
	unlink(r->path);
}

static void
load(struct result *r, const char *text)
{
	load_root(r, text, ROOT);
}

static int
zeroed(const struct fx_conf *c)
{
	static const struct fx_conf zero;

	return memcmp(c, &zero, sizeof(zero)) == 0;
}

/* "line:col: msg" of an error, for one exact comparison. */
static const char *
where(const struct fx_err *e)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%ld:%ld: %s", e->line, e->col, e->msg);
	return buf;
}

/* text must fail with FX_ECONFIG at line:col with exactly msg. */
static void
expect_err(const char *name, const char *text, long line, long col,
    const char *msg)
{
	struct result r;
	char want[512];

	load(&r, text);
	ok(r.rc == -1 && r.e.code == FX_ECONFIG &&
	    strcmp(r.e.file, r.path) == 0 && r.e.sys_errno == 0 &&
	    zeroed(&r.c), "%s: FX_ECONFIG on its file, struct zeroed", name);
	snprintf(want, sizeof(want), "%ld:%ld: %s", line, col, msg);
	is_str(where(&r.e), want, "%s: position and message", name);
	fx_conf_release(&r.c);
}

/* The first member in which a and b differ, or NULL. */
static const char *
conf_diff(const struct fx_conf *a, const struct fx_conf *b)
{
#define STR(m)	if (strcmp(a->m, b->m) != 0) return #m
#define NUM(m)	if (a->m != b->m) return #m
	STR(root);
	STR(db_path);
	NUM(map_size);
	NUM(map_max);
	STR(spool_path);
	STR(retail_price_type);
	STR(base_price_type);
	NUM(require_article);
	NUM(negative_stock);
	NUM(deliveries_shown);
	STR(staff_group);
	NUM(max_import_size);
	NUM(max_order_rows);
	NUM(max_order_size);
	if (memcmp(&a->ar_buckets, &b->ar_buckets, sizeof(a->ar_buckets)))
		return "ar_buckets";
#undef STR
#undef NUM
	return NULL;
}

static int
conf_eq(const struct fx_conf *a, const struct fx_conf *b, const char *name)
{
	const char *d = conf_diff(a, b);

	if (!ok(d == NULL, "%s", name))
		printf("#   differs in %s\n", d);
	return d == NULL;
}

/* The whole of a stdio stream written by fx_conf_dump. */
static char *
dump_str(const struct fx_conf *c, int *rc, struct fx_err *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	if ((fp = open_memstream(&buf, &len)) == NULL) {
		perror("t_conf: open_memstream");
		exit(99);
	}
	*rc = fx_conf_dump(c, fp, e);
	fclose(fp);
	return buf;
}

static char *
slurp(const char *path)
{
	struct fx_buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		fx_buf_add(&b, chunk, n);
	fclose(fp);
	fx_buf_str(&b);
	return b.p;
}

static void
test_defaults(void)
{
	struct fx_conf c;
	struct fx_err e;
	char cwd[4096], want[4200];

	ok(fx_conf_load(&c, NULL, ROOT, &e) == 0, "defaults: NULL path loads");
	ok(c.path == NULL, "defaults: path is NULL");
	is_str(c.root, ROOT, "defaults: root");
	is_str(c.db_path, ROOT "/db", "defaults: store.path under root");
	is_int(c.map_size, 256ULL << 20, "defaults: store.map_size 256MiB");
	is_int(c.map_max, 64ULL << 30, "defaults: store.map_max 64GiB");
	is_str(c.spool_path, ROOT "/spool", "defaults: spool.path under root");
	is_str(c.retail_price_type, "Розничная",
	    "defaults: catalog.retail_price_type");
	is_str(c.base_price_type, "Оптовая",
	    "defaults: catalog.base_price_type");
	is_int(c.require_article, 1, "defaults: catalog.require_article");
	is_int(c.negative_stock, FX_NEGSTOCK_CLAMP,
	    "defaults: catalog.negative_stock");
	is_int(c.deliveries_shown, 3, "defaults: stock.deliveries_shown");
	is_str(c.staff_group, "formix", "defaults: access.staff_group");
	is_int(c.max_import_size, 2ULL << 30,
	    "defaults: limits.max_import_size 2GiB");
	is_int(c.max_order_rows, 100000,
	    "defaults: limits.max_order_rows 100000");
	is_int(c.max_order_size, 32ULL << 20,
	    "defaults: limits.max_order_size 32MiB");
	ok(c.ar_buckets.n == 3 && c.ar_buckets.v[0] == 7 &&
	    c.ar_buckets.v[1] == 30 && c.ar_buckets.v[2] == 60,
	    "defaults: ar.buckets 7,30,60");
	fx_conf_release(&c);
	ok(zeroed(&c), "release zeroes the struct");
	fx_conf_release(&c);		/* twice is harmless */
	fx_conf_release(NULL);

	ok(fx_conf_load(&c, NULL, ROOT "/", &e) == 0 &&
	    strcmp(c.db_path, ROOT "/db") == 0,
	    "root with a trailing slash joins with one slash");
	fx_conf_release(&c);

	ok(fx_conf_load(&c, NULL, NULL, &e) == 0 &&
	    strcmp(c.root, FX_ROOTDIR) == 0 &&
	    strcmp(c.db_path, FX_ROOTDIR "/db") == 0,
	    "root NULL means FX_ROOTDIR");
	fx_conf_release(&c);

	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		perror("t_conf: getcwd");
		exit(99);
	}
	snprintf(want, sizeof(want), "%s/inst/spool", strcmp(cwd, "/") == 0 ?
	    "" : cwd);
	ok(fx_conf_load(&c, NULL, "inst", &e) == 0 &&
	    strcmp(c.spool_path, want) == 0 && c.root[0] == '/',
	    "a relative root is made absolute");
	fx_conf_release(&c);
	ok(fx_conf_load(&c, NULL, ".", &e) == 0 && strcmp(c.root, cwd) == 0,
	    "root \".\" is the current directory");
	fx_conf_release(&c);

	ok(fx_conf_load(&c, NULL, "", &e) == -1 && e.code == FX_EUSAGE &&
	    zeroed(&c), "an empty root is a usage error");
}

static void
test_values(void)
{
	struct result r;

	load(&r,
	    "# every key, none at its default\n"
	    "store:\n"
	    "  path: data/lmdb\n"
	    "  map_size: 1GiB\n"
	    "  map_max: 1TiB\n"
	    "spool:\n"
	    "  path: /var/spool/formix\n"
	    "catalog:\n"
	    "  retail_price_type: \"Цена розничная\"\n"
	    "  base_price_type: 0c1f-ид\n"
	    "  require_article: no\n"
	    "  negative_stock: reject\n"
	    "stock:\n"
	    "  deliveries_shown: 0\n"
	    "access:\n"
	    "  staff_group: wheel\n"
	    "limits:\n"
	    "  max_import_size: 512 MB\n");
	ok(r.rc == 0, "values: loads");
	if (r.rc != 0)
		printf("#   %s\n", where(&r.e));
	is_str(r.c.path ? r.c.path : "(null)", r.path, "values: path kept");
	is_str(r.c.db_path, ROOT "/data/lmdb",
	    "values: relative store.path resolved against root");
	is_int(r.c.map_size, 1ULL << 30, "values: map_size 1GiB");
	is_int(r.c.map_max, 1ULL << 40, "values: map_max 1TiB");
	is_str(r.c.spool_path, "/var/spool/formix",
	    "values: absolute spool.path kept");
	is_str(r.c.retail_price_type, "Цена розничная",
	    "values: quoted string");
	is_str(r.c.base_price_type, "0c1f-ид",
	    "values: plain string starting with a digit");
	is_int(r.c.require_article, 0, "values: bool no");
	is_int(r.c.negative_stock, FX_NEGSTOCK_REJECT, "values: enum reject");
	is_int(r.c.deliveries_shown, 0, "values: int at its minimum");
	is_str(r.c.staff_group, "wheel", "values: staff_group");
	is_int(r.c.max_import_size, 512ULL << 20,
	    "values: \"512 MB\" is 512MiB");
	fx_conf_release(&r.c);

	load_root(&r, "spool:\n  path: q\n", "/other/");
	ok(r.rc == 0 && strcmp(r.c.spool_path, "/other/q") == 0 &&
	    strcmp(r.c.db_path, "/other/db") == 0,
	    "values: paths follow the root given");
	fx_conf_release(&r.c);

	load(&r, "\xef\xbb\xbfstock:\n  deliveries_shown: 100\n");
	ok(r.rc == 0 && r.c.deliveries_shown == 100,
	    "values: UTF-8 BOM accepted, int at its maximum");
	fx_conf_release(&r.c);

	load(&r, "{store: {map_size: 2MiB}, stock: {deliveries_shown: 5}}\n");
	ok(r.rc == 0 && r.c.map_size == 2ULL << 20 &&
	    r.c.deliveries_shown == 5, "values: flow style");
	fx_conf_release(&r.c);

	load(&r, "catalog:\n  negative_stock: keep\n");
	ok(r.rc == 0 && r.c.negative_stock == FX_NEGSTOCK_KEEP,
	    "values: enum keep");
	fx_conf_release(&r.c);

	load(&r, "ar:\n  buckets: 15, 45, 90 ,180\n");
	ok(r.rc == 0 && r.c.ar_buckets.n == 4 && r.c.ar_buckets.v[0] == 15 &&
	    r.c.ar_buckets.v[3] == 180, "values: ar.buckets with spaces");
	fx_conf_release(&r.c);
	load(&r, "ar:\n  buckets: 30\n");
	ok(r.rc == 0 && r.c.ar_buckets.n == 1 && r.c.ar_buckets.v[0] == 30,
	    "values: ar.buckets, one number");
	fx_conf_release(&r.c);
}

static void
test_sizes(void)
{
	static const struct {
		const char	*in;
		uint64_t	 want;	/* 0: must fail */
	} t[] = {
		{ "1", 1 },
		{ "1048577", 1048577 },
		{ "1KiB", 1024 },
		{ "1kb", 1024 },
		{ "3MB", 3ULL << 20 },
		{ "3mib", 3ULL << 20 },
		{ "2 GiB", 2ULL << 30 },
		{ "2GB", 2ULL << 30 },
		{ "1TB", 1ULL << 40 },
		{ "007KiB", 7ULL << 10 },
		{ "16777215TiB", 16777215ULL << 40 },
		{ "18446744073709551615", UINT64_MAX },
		{ "16777216TiB", 0 },
		{ "18446744073709551616", 0 },
		{ "1.5GiB", 0 },
		{ "-1", 0 },
		{ "+1", 0 },
		{ "GiB", 0 },
		{ "1PiB", 0 },
		{ "1K", 0 },
		{ "1B", 0 },
		{ "1  MiB", 0 },
		{ "1GiBs", 0 },
		{ "0x10", 0 },
	};
	struct result r;
	char text[128], msg[256];
	size_t i;

	for (i = 0; i < nitems(t); i++) {
		snprintf(text, sizeof(text),
		    "limits:\n  max_import_size: \"%s\"\n", t[i].in);
		load(&r, text);
		if (t[i].want != 0) {
			ok(r.rc == 0 && r.c.max_import_size == t[i].want,
			    "size \"%s\" is %llu", t[i].in,
			    (unsigned long long)t[i].want);
		} else {
			snprintf(msg, sizeof(msg), "2:20: limits."
			    "max_import_size: expected a size such as 512MiB, "
			    "got \"%s\"", t[i].in);
			ok(r.rc == -1 && strcmp(where(&r.e), msg) == 0,
			    "size \"%s\" refused", t[i].in);
		}
		fx_conf_release(&r.c);
	}
}

static void
test_scalars(void)
{
	static const struct {
		const char	*in;
		int		 want;	/* -1: must fail */
	} b[] = {
		{ "true", 1 }, { "false", 0 }, { "yes", 1 }, { "no", 0 },
		{ "True", 1 }, { "FALSE", 0 }, { "YES", 1 }, { "No", 0 },
		{ "maybe", -1 }, { "1", -1 }, { "on", -1 }, { "\"\"", -1 },
	}, n[] = {
		{ "0", 0 }, { "100", 100 }, { "+5", 5 }, { "-0", 0 },
		{ "007", 7 },
		{ "101", -1 }, { "-1", -1 }, { "3.5", -1 }, { "abc", -1 },
		{ "99999999999999999999", -1 }, { "0x10", -1 },
		{ "\" 3\"", -1 }, { "3 apples", -1 },
	}, en[] = {
		{ "clamp", FX_NEGSTOCK_CLAMP }, { "keep", FX_NEGSTOCK_KEEP },
		{ "reject", FX_NEGSTOCK_REJECT },
		{ "Clamp", -1 }, { "drop", -1 }, { "0", -1 },
	};
	struct result r;
	char text[128];
	size_t i;

	for (i = 0; i < nitems(b); i++) {
		snprintf(text, sizeof(text),
		    "catalog:\n  require_article: %s\n", b[i].in);
		load(&r, text);
		if (b[i].want >= 0)
			ok(r.rc == 0 && r.c.require_article == b[i].want,
			    "bool %s is %d", b[i].in, b[i].want);
		else
			ok(r.rc == -1 && PREFIX(r.e.msg, "catalog."
			    "require_article: expected true or false, got ") &&
			    r.e.line == 2 && r.e.col == 20,
			    "bool %s refused", b[i].in);
		fx_conf_release(&r.c);
	}
	for (i = 0; i < nitems(n); i++) {
		snprintf(text, sizeof(text),
		    "stock:\n  deliveries_shown: %s\n", n[i].in);
		load(&r, text);
		if (n[i].want >= 0)
			ok(r.rc == 0 && r.c.deliveries_shown == n[i].want,
			    "int %s is %d", n[i].in, n[i].want);
		else
			ok(r.rc == -1 && PREFIX(r.e.msg, "stock."
			    "deliveries_shown: expected an integer from 0 to "
			    "100, got ") && r.e.line == 2 && r.e.col == 21,
			    "int %s refused", n[i].in);
		fx_conf_release(&r.c);
	}
	for (i = 0; i < nitems(en); i++) {
		snprintf(text, sizeof(text),
		    "catalog:\n  negative_stock: %s\n", en[i].in);
		load(&r, text);
		if (en[i].want >= 0)
			ok(r.rc == 0 && (int)r.c.negative_stock == en[i].want,
			    "enum %s is %d", en[i].in, en[i].want);
		else
			ok(r.rc == -1 && PREFIX(r.e.msg, "catalog."
			    "negative_stock: expected one of clamp, keep, "
			    "reject, got ") && r.e.line == 2 && r.e.col == 19,
			    "enum %s refused", en[i].in);
		fx_conf_release(&r.c);
	}
}

static void
test_errors(void)
{
	expect_err("unknown section", "stroe:\n  path: x\n", 1, 1,
	    "unknown section \"stroe\"");
	expect_err("unknown key", "store:\n  map_sise: 1MiB\n", 2, 3,
	    "unknown key \"map_sise\" in section \"store\"");
	expect_err("key of another section", "spool:\n  map_size: 1MiB\n",
	    2, 3, "unknown key \"map_size\" in section \"spool\"");
	expect_err("wrong type", "store:\n  map_size: lots\n", 2, 13,
	    "store.map_size: expected a size such as 512MiB, got \"lots\"");
	expect_err("size below minimum", "store:\n  map_size: 512KiB\n", 2,
	    13, "store.map_size: expected a size of at least 1MiB, "
	    "got \"512KiB\"");
	expect_err("zero import size", "limits:\n  max_import_size: 0\n", 2,
	    20, "limits.max_import_size: expected a size of at least 1, "
	    "got \"0\"");
	expect_err("bool", "catalog:\n  require_article: maybe\n", 2, 20,
	    "catalog.require_article: expected true or false, got \"maybe\"");
	expect_err("enum", "catalog:\n  negative_stock: x\n", 2, 19,
	    "catalog.negative_stock: expected one of clamp, keep, reject, "
	    "got \"x\"");
	expect_err("int out of range", "stock:\n  deliveries_shown: 101\n",
	    2, 21, "stock.deliveries_shown: expected an integer from 0 to "
	    "100, got \"101\"");
	expect_err("int negative", "stock:\n  deliveries_shown: -1\n",
	    2, 21, "stock.deliveries_shown: expected an integer from 0 to "
	    "100, got \"-1\"");
	{
		static const char *const bad[] = {
			"30,7", "7,7", "0,30", "7,3651", "7,,30", "7,30,",
			"1,2,3,4,5,6,7,8", "a", "-7",
		};
		char text[128], msg[256];
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(text, sizeof(text), "ar:\n  buckets: \"%s\"\n",
			    bad[i]);
			snprintf(msg, sizeof(msg), "ar.buckets: expected 1 to "
			    "7 whole numbers of days from 1 to 3650, "
			    "ascending, separated by commas, got \"%s\"",
			    bad[i]);
			expect_err("ar.buckets", text, 2, 12, msg);
		}
	}
	expect_err("flow sequence for a scalar", "store:\n  path: [a, b]\n",
	    2, 9, "store.path: expected a string, got a sequence");
	expect_err("block sequence for a scalar",
	    "store:\n  path:\n    - a\n", 3, 5,
	    "store.path: expected a string, got a sequence");
	expect_err("mapping for a scalar",
	    "catalog:\n  require_article:\n    x: 1\n", 3, 5,
	    "catalog.require_article: expected true or false, got a mapping");
	expect_err("duplicate key",
	    "store:\n  path: a\n  map_size: 1GiB\n  path: b\n", 4, 3,
	    "duplicate key \"path\" in section \"store\"");
	expect_err("duplicate section",
	    "store:\n  path: a\nspool:\n  path: s\nstore:\n  map_size: 1GiB\n",
	    5, 1, "duplicate section \"store\"");
	expect_err("duplicate of an empty section", "store:\nstore:\n", 2, 1,
	    "duplicate section \"store\"");
	expect_err("syntax: unterminated quote", "store:\n  path: \"db\n",
	    3, 1, "found unexpected end of stream");
	expect_err("syntax: tab indent", "store:\n\tpath: a\n", 2, 1,
	    "found character that cannot start any token");
	expect_err("syntax: bad indent", "store:\n  path: a\n map_size: 1\n",
	    3, 2, "did not find expected key");
	expect_err("syntax: invalid UTF-8", "store:\n  path: ab\xff" "c\n",
	    2, 11, "invalid leading UTF-8 octet (byte 0xff)");
	expect_err("anchor on a section", "store: &s\n  path: a\n", 1, 8,
	    "aliases and anchors are not allowed");
	expect_err("anchor on a value", "store:\n  path: &p a\n", 2, 9,
	    "aliases and anchors are not allowed");
	expect_err("alias", "store:\n  path: *p\n", 2, 9,
	    "aliases and anchors are not allowed");
	expect_err("merge key with alias",
	    "store:\n  path: a\nspool:\n  <<: *x\n", 4, 3,
	    "unknown key \"<<\" in section \"spool\"");
	expect_err("tag", "store:\n  path: !!str a\n", 2, 9,
	    "tags are not allowed");
	expect_err("document is a sequence", "- store\n", 1, 1,
	    "expected a mapping of sections, got a sequence");
	expect_err("document is a scalar", "store\n", 1, 1,
	    "expected a mapping of sections, got \"store\"");
	expect_err("section is a scalar", "store: db\n", 1, 8,
	    "store: expected a mapping of keys, got \"db\"");
	expect_err("section is a sequence", "store:\n  - path\n", 2, 3,
	    "store: expected a mapping of keys, got a sequence");
	expect_err("section name not a scalar", "? [a]\n: b\n", 1, 3,
	    "expected a section name, got a sequence");
	expect_err("key name not a scalar", "store:\n  ? [a]\n  : b\n", 2, 5,
	    "expected a key name in section \"store\", got a sequence");
	expect_err("two documents",
	    "store:\n  path: a\n---\nspool:\n  path: b\n", 3, 1,
	    "only one document is allowed");
	expect_err("empty value", "store:\n  path:\nspool:\n  path: s\n", 2, 8,
	    "store.path: expected a string, got nothing");
	expect_err("null value", "store:\n  path: ~\n", 2, 9,
	    "store.path: expected a string, got nothing");
	expect_err("empty quoted string", "access:\n  staff_group: \"\"\n",
	    2, 16, "access.staff_group: expected a string, got nothing");
	expect_err("control character", "access:\n  staff_group: \"a\\tb\"\n",
	    2, 16, "access.staff_group: expected a string without control "
	    "characters, got \"a\\tb\"");
	expect_err("C1 control character",
	    "access:\n  staff_group: \"a\\x9bb\"\n", 2, 16,
	    "access.staff_group: expected a string without control "
	    "characters, got \"a\xc2\x9b" "b\"");
	expect_err("NUL in a value", "store:\n  path: \"a\\0b\"\n", 2, 9,
	    "NUL characters are not allowed");
	expect_err("NUL in a key", "store:\n  \"path\\0x\": a\n", 2, 3,
	    "NUL characters are not allowed");
	expect_err("value quoted in the message",
	    "store:\n  map_size: \"a\\\"b\\nc\"\n", 2, 13,
	    "store.map_size: expected a size such as 512MiB, "
	    "got \"a\\\"b\\nc\"");
	expect_err("columns count characters",
	    "{store: {path: \"Ящик\", map_sise: 1}}\n", 1, 24,
	    "unknown key \"map_sise\" in section \"store\"");
	expect_err("map_max below map_size",
	    "store:\n  map_size: 2GiB\n  map_max: 1GiB\n", 3, 12,
	    "store.map_max (1GiB) is less than store.map_size (2GiB)");
	expect_err("map_size above default map_max",
	    "store:\n  map_size: 128GiB\n", 2, 13,
	    "store.map_max (64GiB) is less than store.map_size (128GiB)");
}

static void
test_files(void)
{
	struct result r;
	struct fx_conf c;
	struct fx_err e;
	char path[4096], *big;
	size_t i, n = 1024 * 1024;

	/* Nothing at all, in its several spellings, is the defaults. */
	static const char *const empty[] = {
		"", "# only a comment\n", "---\n", "---\n...\n", "~\n",
		"store:\n", "store:\nspool:\n",
	};
	struct fx_conf def;

	if (fx_conf_load(&def, NULL, ROOT, &e) == -1)
		exit(99);
	for (i = 0; i < nitems(empty); i++) {
		load(&r, empty[i]);
		ok(r.rc == 0 && r.c.path != NULL &&
		    conf_diff(&r.c, &def) == NULL,
		    "empty file #%zu is the defaults", i);
		fx_conf_release(&r.c);
	}
	fx_conf_release(&def);

	/* The size limit: exactly 1MiB of comments is fine, one more not. */
	big = fx_malloc(n + 1);
	memset(big, '#', n + 1);
	for (i = 0; i + 80 < n; i += 80)
		big[i] = '\n';
	write_tmp(big, n, path, sizeof(path));
	ok(fx_conf_load(&c, path, ROOT, &e) == 0, "a file of 1MiB loads");
	fx_conf_release(&c);
	unlink(path);
	write_tmp(big, n + 1, path, sizeof(path));
	ok(fx_conf_load(&c, path, ROOT, &e) == -1 && e.code == FX_ECONFIG &&
	    strcmp(e.msg, "file is larger than 1MiB") == 0 &&
	    strcmp(e.file, path) == 0 && e.line == 0 && zeroed(&c),
	    "a file over 1MiB is refused");
	unlink(path);
	free(big);

	snprintf(path, sizeof(path), "%s/t_conf.missing.%ld", tmpdir(),
	    (long)getpid());
	ok(fx_conf_load(&c, path, ROOT, &e) == -1 && e.code == FX_ENOINPUT &&
	    e.sys_errno == ENOENT && strcmp(e.msg, "cannot open") == 0 &&
	    strcmp(e.file, path) == 0 && zeroed(&c),
	    "a missing file is FX_ENOINPUT with ENOENT");
	ok(fx_conf_load(&c, tmpdir(), ROOT, &e) == -1 &&
	    e.code == FX_ENOINPUT && e.sys_errno == EISDIR && zeroed(&c),
	    "a directory is FX_ENOINPUT with EISDIR");

	/* A long hostile value is cut to fit the message buffer. */
	big = fx_malloc(700);
	memcpy(big, "store:\n  map_size: ", 19);
	memset(big + 19, 'x', 600);
	memcpy(big + 619, "\n", 2);
	load(&r, big);
	ok(r.rc == -1 && strlen(r.e.msg) < sizeof(r.e.msg) - 1 &&
	    strstr(r.e.msg, "...\"") != NULL, "a long value is cut with ...");
	fx_conf_release(&r.c);
	free(big);
}

static const char dump_defaults[] =
	"store:\n"
	"  path: /srv/fx/db\n"
	"  map_size: 256MiB\n"
	"  map_max: 64GiB\n"
	"spool:\n"
	"  path: /srv/fx/spool\n"
	"  scratch: /dev/shm\n"
	/* Spool and daemon: */
	"  min_free: 64MiB\n"
	"  settle: 5\n"
	"  incomplete_after: 3600\n"
	"  package_window: 5\n"
	"  scan_interval: 60\n"
	"  min_backoff: 60\n"
	"  max_backoff: 3600\n"
	"  alert_after: 5\n"
	/* E-mail (formixd): */
	"mail:\n"
	"  maildir: \"\"\n"
	"  authserv_id: \"\"\n"
	"  max_attachments: 5\n"
	"  max_attachment_size: 10MiB\n"
	"  max_message_size: 40MiB\n"
	"  smtp_url: \"\"\n"
	"  from: \"formix@localhost\"\n"
	"  smtp_user: \"\"\n"
	"  smtp_password_file: \"\"\n"
	"  staff_address: \"\"\n"
	"catalog:\n"
	"  retail_price_type: Розничная\n"
	"  base_price_type: Оптовая\n"
	"  require_article: true\n"
	"  negative_stock: clamp\n"
	"  unknown_offers: reject\n"
	"stock:\n"
	"  deliveries_shown: 3\n"
	"access:\n"
	"  staff_group: formix\n"
	"limits:\n"
	"  max_import_size: 2GiB\n"
	"  max_order_rows: 100000\n"
	"  max_order_size: 32MiB\n"
	"ar:\n"
	"  buckets: \"7,30,60\"\n"
	"orders:\n"
	"  min_sum: 0\n"
	"  status_map: \"Новый=submitted;Принят=accepted;В работе=in_progress;"
	"Собран=in_progress;Отгружен=shipped;Закрыт=closed;Отменен=cancelled;"
	"Отменён=cancelled\"\n"
	"  pack_property: Кратность\n"
	"  round_to_pack: false\n"
	"documents:\n"
	"  supplier: —\n"
	"  supplier_bank: —\n"
	"  vat_rate: 20\n"
	"  max_size: 50MiB\n"
	/* Claims: */
	"claims:\n"
	"  reasons: \"defect;shortage;wrong_item;damaged_in_transit;other\"\n"
	"  max_file_size: 25MiB\n"
	"  max_claim_size: 100MiB\n"
	"sftp:\n"
	"  pull: none\n"
	"  push: none\n"
	"  key: /srv/fx/ssh/id_ed25519\n"
	"  known_hosts: /srv/fx/ssh/known_hosts\n"
	"  interval: 60\n"
	"  taken: delete\n"
	"  timeout: 60\n"
	"  max_rate: 0\n";

static void
test_dump(void)
{
	struct result r, back;
	struct fx_conf c;
	struct fx_err e;
	char *out;
	int rc;

	if (fx_conf_load(&c, NULL, ROOT, &e) == -1)
		exit(99);
	out = dump_str(&c, &rc, &e);
	ok(rc == 0, "dump: defaults written");
	is_str(out, dump_defaults, "dump: defaults, exactly");
	free(out);
	fx_conf_release(&c);

	/* Awkward values: each must come back as itself. */
	load(&r,
	    "store:\n"
	    "  path: \"my db\"\n"
	    "  map_size: 1536KiB\n"
	    "  map_max: \"18446744073709551615\"\n"
	    "spool:\n"
	    "  path: \"-spool #1\"\n"
	    "catalog:\n"
	    "  retail_price_type: \"a: b #c\"\n"
	    "  base_price_type: \"yes\"\n"
	    "  require_article: false\n"
	    "  negative_stock: keep\n"
	    "stock:\n"
	    "  deliveries_shown: 42\n"
	    "access:\n"
	    "  staff_group: \"x \\L y\\uFEFF'\\\\\\\"\"\n"
	    "limits:\n"
	    "  max_import_size: 1000000\n");
	ok(r.rc == 0, "dump: awkward values load");
	if (r.rc != 0) {
		printf("#   %s\n", where(&r.e));
		return;
	}
	out = dump_str(&r.c, &rc, &e);
	ok(rc == 0 && strstr(out, "  map_size: 1536KiB\n") != NULL &&
	    strstr(out, "  max_import_size: 1000000\n") != NULL &&
	    strstr(out, "  map_max: 18446744073709551615\n") != NULL,
	    "dump: sizes with an exact suffix or in bytes");
	ok(strstr(out, "  retail_price_type: \"a: b #c\"\n") != NULL &&
	    strstr(out, "  base_price_type: \"yes\"\n") != NULL,
	    "dump: strings YAML would misread are quoted");

	/* Reload under another root: the dumped paths are absolute. */
	load_root(&back, out, "/elsewhere");
	ok(back.rc == 0, "dump: output loads again");
	if (back.rc == 0) {
		is_str(back.c.root, "/elsewhere", "dump: reload has its root");
		free(back.c.root);
		back.c.root = fx_strdup(r.c.root);
		conf_eq(&back.c, &r.c, "dump: reload equals what was dumped");
		is_str(back.c.staff_group, "x \xe2\x80\xa8 y\xef\xbb\xbf'\\\"",
		    "dump: line separator and BOM survive");
		is_str(back.c.db_path, ROOT "/my db",
		    "dump: path with a space survives");
	} else
		printf("#   %s\n#   dump was:\n%s", where(&back.e), out);
	free(out);
	fx_conf_release(&back.c);
	fx_conf_release(&r.c);

	/* A struct that did not come from fx_conf_load is refused. */
	memset(&c, 0, sizeof(c));
	out = dump_str(&c, &rc, &e);
	ok(rc == -1 && e.code == FX_ESOFTWARE && out[0] == '\0',
	    "dump: a zeroed struct is refused before writing");
	free(out);
}

/*
 * Uncomment the settings of the sample: "#key: value" lines, indented or
 * not, lose their "#"; prose ("# text") stays a comment.
 */
static char *
uncomment(const char *s)
{
	struct fx_buf b = { 0 };
	const char *p, *nl;
	size_t ind;

	for (p = s; *p != '\0'; p = nl) {
		nl = strchr(p, '\n');
		nl = nl ? nl + 1 : p + strlen(p);
		ind = strspn(p, " ");
		if (p[ind] == '#' && p[ind + 1] >= 'a' && p[ind + 1] <= 'z') {
			fx_buf_add(&b, p, ind);
			fx_buf_add(&b, p + ind + 1, (size_t)(nl - p) - ind - 1);
		} else
			fx_buf_add(&b, p, (size_t)(nl - p));
	}
	fx_buf_str(&b);
	return b.p;
}

static void
skip(int n, const char *why)
{
	while (n-- > 0)
		printf("ok %d # SKIP %s\n", ++tap_n, why);
}

static void
test_docs(void)
{
	const char *src = getenv("FX_SRCDIR");
	struct result r;
	struct fx_conf def;
	struct fx_err e;
	char path[4096], name[128], *sample, *on, *man, *out, *p, *q;
	const char *sec = "";
	size_t nkeys = 0, nset = 0;
	int rc, missing = 0;

	if (src == NULL || src[0] == '\0') {
		skip(5, "FX_SRCDIR is not set");
		return;
	}
	if (fx_conf_load(&def, NULL, ROOT, &e) == -1)
		exit(99);

	snprintf(path, sizeof(path), "%s/conf/formix.yaml.sample", src);
	if (!ok((sample = slurp(path)) != NULL, "sample: %s readable", path)) {
		skip(4, "no sample");
		fx_conf_release(&def);
		return;
	}
	load(&r, sample);
	ok(r.rc == 0 && conf_diff(&r.c, &def) == NULL,
	    "sample: loads to the defaults");
	fx_conf_release(&r.c);

	/* Uncommented, it sets every key, each to its default. */
	on = uncomment(sample);
	load(&r, on);
	for (p = on; (p = strstr(p, "\n  ")) != NULL; p++)
		if (p[3] >= 'a' && p[3] <= 'z')
			nset++;
	out = dump_str(&def, &rc, &e);
	for (p = out; (p = strstr(p, "\n  ")) != NULL; p++)
		nkeys++;
	ok(r.rc == 0 && conf_diff(&r.c, &def) == NULL && nset == nkeys,
	    "sample: uncommented, sets all %zu keys to the defaults", nkeys);
	if (r.rc != 0)
		printf("#   %s\n", where(&r.e));
	else if (nset != nkeys)
		printf("#   %zu keys set, %zu exist\n", nset, nkeys);
	fx_conf_release(&r.c);
	free(on);
	free(sample);

	/* formix.yaml(5) documents every key the dump writes. */
	snprintf(path, sizeof(path), "%s/man/formix.yaml.5.in", src);
	if (!ok((man = slurp(path)) != NULL, "man: %s readable", path)) {
		skip(1, "no man page");
	} else {
		for (p = out; *p != '\0'; p = q + 1) {
			if ((q = strchr(p, '\n')) == NULL)
				break;
			if (p[0] != ' ') {
				sec = p;	/* "section:" */
				continue;
			}
			snprintf(name, sizeof(name), ".It Ic %.*s.%.*s ",
			    (int)(strchr(sec, ':') - sec), sec,
			    (int)(strchr(p + 2, ':') - (p + 2)), p + 2);
			if (strstr(man, name) == NULL) {
				printf("#   no \"%s\"\n", name);
				missing++;
			}
		}
		ok(missing == 0, "man: every key has its .It entry");
		free(man);
	}
	free(out);
	fx_conf_release(&def);
}

int
main(void)
{
	test_defaults();
	test_values();
	test_sizes();
	test_scalars();
	test_errors();
	test_files();
	test_dump();
	test_docs();
	return done_testing();
}
