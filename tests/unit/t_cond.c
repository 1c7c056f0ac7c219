/*
 * t_cond.c -- dealer conditions and incoming deliveries (lib/cond.c).
 *
 * Opens a store in a temporary directory, seeds the catalog the fixtures
 * in tests/data/cond refer to (the Ids of tests/data/cml), then imports
 * the good files and checks the records, and each bad file and checks
 * the exact error: file, line and message.  Small documents written on
 * the fly cover the cases that need a store in a given state.
 *
 * FX_SRCDIR (set by make check) locates the fixtures; TMPDIR the store.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fx-int.h"
#include "tap.h"

struct t {
	struct fx_db	*db;
	char		 dir[512];
	char		 data[512];	/* tests/data/cond */
	int		 nfiles;
};

typedef int importfn(struct fx_ctx *, struct fx_txn *, const char *,
    struct fx_import_stats *, struct fx_err *);

static void
die(const char *what, const struct fx_err *err)
{
	char buf[600];

	fx_err_format(err, buf, sizeof(buf));
	printf("Bail out! %s: %s\n", what, buf);
	exit(1);
}

static void
put_group(struct fx_txn *t, const char *id, const char *name,
    const char *parent, struct fx_buf *b)
{
	struct fx_group g = { (char *)id, (char *)name, (char *)parent, 0 };
	struct fx_err err;

	if (fx_db_putrec(t, FX_K_GROUP, id, strlen(id), &fx_rt_group, &g, b,
	    &err) == -1)
		die("seed group", &err);
}

static void
put_pricetype(struct fx_txn *t, const char *id, const char *name,
    struct fx_buf *b)
{
	struct fx_pricetype p = { (char *)id, (char *)name, (char *)"RUB" };
	struct fx_err err;

	if (fx_db_putrec(t, FX_K_PRICETYPE, id, strlen(id), &fx_rt_pricetype,
	    &p, b, &err) == -1)
		die("seed price type", &err);
}

static void
put_product(struct fx_txn *t, const char *id, const char *article,
    const char *group, struct fx_buf *b)
{
	struct fx_product p;
	struct fx_err err;
	char norm[256];

	memset(&p, 0, sizeof(p));
	p.id = (char *)id;
	p.article = (char *)article;
	p.name = (char *)id;
	p.unit = (char *)"шт";
	p.group = (char *)group;
	if (fx_db_putrec(t, FX_K_PRODUCT, id, strlen(id), &fx_rt_product, &p,
	    b, &err) == -1)
		die("seed product", &err);
	if (fx_article_norm(article, norm, sizeof(norm)) == -1 ||
	    fx_db_putdup(t, FX_K_IDX_ARTICLE, norm, strlen(norm), id,
	    strlen(id), &err) == -1)
		die("seed article", &err);
}

static void
put_warehouse(struct fx_txn *t, const char *id, const char *name,
    struct fx_buf *b)
{
	struct fx_warehouse w = { (char *)id, (char *)name };
	struct fx_err err;

	if (fx_db_putrec(t, FX_K_WAREHOUSE, id, strlen(id), &fx_rt_warehouse,
	    &w, b, &err) == -1)
		die("seed warehouse", &err);
}

/* The catalog of tests/data/cml, as far as the fixtures refer to it. */
static void
seed(struct t *t)
{
	struct fx_txn txn;
	struct fx_err err;
	struct fx_buf b = { NULL, 0, 0 };

	if (fx_db_begin(t->db, 1, &txn, &err) == -1)
		die("begin", &err);
	put_group(&txn, "g-hand", "Ручной инструмент", "", &b);
	put_group(&txn, "g-keys", "Ключи", "g-hand", &b);
	put_group(&txn, "g-power", "Электроинструмент", "", &b);
	put_pricetype(&txn, "pt-retail", "Розничная", &b);
	put_pricetype(&txn, "pt-base", "Оптовая", &b);
	put_pricetype(&txn, "pt-special", "Спец", &b);
	put_product(&txn, "p-1", "27087-10", "g-keys", &b);
	put_product(&txn, "p-2", "MS-00123", "g-hand", &b);
	put_product(&txn, "p-3", "W26110", "g-power", &b);
	put_product(&txn, "p-4", "AMB-1", "g-hand", &b);
	put_product(&txn, "p-5", "AMB-1", "g-power", &b);
	put_warehouse(&txn, "w-msk", "Москва", &b);
	put_warehouse(&txn, "w-spb", "Санкт-Петербург", &b);
	if (fx_db_commit(&txn, &err) == -1)
		die("commit", &err);
	fx_buf_release(&b);
}

/* Import one file in its own transaction; commit on success if asked. */
static int
run(struct t *t, importfn *fn, const char *path, struct fx_import_stats *st,
    struct fx_err *err, int commit)
{
	struct fx_txn txn;
	int r;

	memset(st, 0, sizeof(*st));
	fx_err_clear(err);
	if (fx_db_begin(t->db, 1, &txn, err) == -1)
		die("begin", err);
	r = fn(NULL, &txn, path, st, err);
	if (r == 0 && commit) {
		if (fx_db_commit(&txn, err) == -1)
			die("commit", err);
	} else
		fx_db_abort(&txn);
	return r;
}

static const char *
fixture(struct t *t, const char *name, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/%s", t->data, name);
	return buf;
}

/* Write a document into the temporary directory; returns its path. */
static const char *
doc(struct t *t, const char *text, char *buf, size_t sz)
{
	FILE *f;

	snprintf(buf, sz, "%s/doc%d.xml", t->dir, ++t->nfiles);
	if ((f = fopen(buf, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) == EOF) {
		printf("Bail out! %s: %s\n", buf, strerror(errno));
		exit(1);
	}
	return buf;
}

/* A refused file: the exact file, line and message. */
static void
refused(struct t *t, importfn *fn, const char *path, long line,
    const char *msg)
{
	struct fx_import_stats st;
	struct fx_err err;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	is_int(run(t, fn, path, &st, &err, 0), -1, "%s refused", base);
	is_int(err.code, FX_EDATA, "  FX_EDATA");
	is_str(err.file, path, "  file named");
	is_int(err.line, line, "  at line %ld", line);
	is_str(err.msg, msg, "  message: %s", msg);
}

static void
bad_cond(struct t *t, const char *name, long line, const char *msg)
{
	char p[1024];

	refused(t, fx_cond_import, fixture(t, name, p, sizeof(p)), line, msg);
}

static void
bad_deliv(struct t *t, const char *name, long line, const char *msg)
{
	char p[1024];

	refused(t, fx_deliv_import, fixture(t, name, p, sizeof(p)), line, msg);
}

/* Read a record in a fresh read transaction.  1 if absent. */
static int
get(struct t *t, enum fx_kind k, const char *key, size_t klen,
    const struct fx_rectype *rt, void *s)
{
	struct fx_txn txn;
	struct fx_err err;
	int r;

	if (fx_db_begin(t->db, 0, &txn, &err) == -1)
		die("begin", &err);
	r = fx_db_getrec(&txn, k, key, klen, rt, s, &err);
	fx_db_abort(&txn);
	if (r == -1)
		die("get", &err);
	return r;
}

static int
get_entity(struct t *t, const char *id, struct fx_entity *e)
{
	return get(t, FX_K_ENTITY, id, strlen(id), &fx_rt_entity, e);
}

/* The discount of entity for group, or -1 if none. */
static int64_t
discount(struct t *t, const char *entity, const char *group)
{
	struct fx_buf b = { NULL, 0, 0 };
	struct fx_amount a;
	int r;

	fx_buf_key(&b, entity, group, NULL);
	r = get(t, FX_K_DISCOUNT, b.p, b.len, &fx_rt_amount, &a);
	fx_buf_release(&b);
	return r == 0 ? a.v : -1;
}

/* The delivery line's qty (warehouse into wh), or -1 if none. */
static int64_t
dline(struct t *t, const char *product, const char *date, const char *id,
    char *wh, size_t whsz)
{
	struct fx_buf b = { NULL, 0, 0 };
	struct fx_dline d;
	int64_t q = -1;

	fx_buf_key(&b, product, date, id, NULL);
	if (get(t, FX_K_DLINE, b.p, b.len, &fx_rt_dline, &d) == 0) {
		q = d.qty;
		if (wh != NULL)
			fx_strlcpy(wh, d.warehouse, whsz);
		fx_rec_release(&fx_rt_dline, &d);
	}
	fx_buf_release(&b);
	return q;
}

/* The entity ids indexed under an INN, joined by ",". */
static void
inn_index(struct t *t, const char *inn, char *out, size_t sz)
{
	struct fx_txn txn;
	struct fx_cur c;
	struct fx_err err;
	MDB_val k, v;
	size_t o = 0;
	int r;

	out[0] = '\0';
	if (fx_db_begin(t->db, 0, &txn, &err) == -1 ||
	    fx_cur_open(&txn, FX_K_IDX_INN, &c, &err) == -1)
		die("cursor", &err);
	for (r = fx_cur_dup_first(&c, inn, strlen(inn), &k, &v, &err); r == 0;
	    r = fx_cur_dup_next(&c, &k, &v, &err)) {
		if (o > 0 && o + 1 < sz)
			out[o++] = ',';
		if (o + v.mv_size + 1 < sz) {
			memcpy(out + o, v.mv_data, v.mv_size);
			o += v.mv_size;
		}
		out[o] = '\0';
	}
	fx_cur_close(&c);
	fx_db_abort(&txn);
}

static uint64_t
count(struct t *t, enum fx_kind k)
{
	struct fx_txn txn;
	struct fx_err err;
	uint64_t n;

	if (fx_db_begin(t->db, 0, &txn, &err) == -1)
		die("begin", &err);
	n = fx_db_count(&txn, k);
	fx_db_abort(&txn);
	return n;
}

static void
meta(struct t *t, const char *name, char *buf, size_t sz)
{
	struct fx_txn txn;
	struct fx_err err;

	if (fx_db_begin(t->db, 0, &txn, &err) == -1)
		die("begin", &err);
	fx_meta_get(&txn, name, buf, sz, &err);
	fx_db_abort(&txn);
}

static void
test_conditions(struct t *t)
{
	struct fx_import_stats st;
	struct fx_err err;
	struct fx_entity e;
	char p[1024], buf[256];

	fixture(t, "conditions.xml", p, sizeof(p));
	if (!is_int(run(t, fx_cond_import, p, &st, &err, 1), 0,
	    "conditions.xml imported"))
		fx_err_format(&err, buf, sizeof(buf)), printf("# %s\n", buf);
	is_int(st.dealers, 2, "  2 dealers");
	is_int(st.entities, 4, "  4 entities");
	is_int(st.discounts, 6, "  6 discounts");
	is_int(count(t, FX_K_DEALER), 2, "  2 dealer records");
	is_int(count(t, FX_K_ENTITY), 4, "  4 entity records");
	is_int(count(t, FX_K_DISCOUNT), 6, "  6 discount records");
	is_int(count(t, FX_K_IDX_INN), 4, "  4 INN index entries");
	meta(t, "conditions_asof", buf, sizeof(buf));
	is_str(buf, "2026-03-01T09:00:00", "  conditions_asof");

	if (ok(get_entity(t, "D00001-1", &e) == 0, "head entity stored")) {
		is_str(e.dealer, "D00001", "  dealer");
		is_str(e.name, "ООО \"Промсервис\"", "  name unescaped");
		is_str(e.inn, "7701123451", "  inn");
		is_str(e.kpp, "770101001", "  kpp");
		is_str(e.head, "", "  a head");
		is_str(e.address, "630099, Новосибирск, ул. Ленина, д. 1",
		    "  address");
		is_str(e.contract, "Д-12/2025", "  contract");
		is_str(e.contract_expires, "2027-12-31", "  expiry");
		is_int(e.credit_limit, 50000000, "  credit limit in kopecks");
		is_int(e.overdue_limit, 10000000, "  overdue limit");
		is_int(e.debt, 12500050, "  debt");
		is_int(e.overdue, 0, "  overdue");
		is_int(e.payment_days, 30, "  payment days");
		is_str(e.price_type, "", "  no own price type");
		is_int(e.default_discount, 750, "  default discount 7.5%%");
		is_int(e.blocked, 0, "  not blocked");
		fx_entity_release(&e);
	}
	if (ok(get_entity(t, "D00001-2", &e) == 0, "subsidiary stored")) {
		is_str(e.head, "D00001-1", "  head");
		is_str(e.price_type, "pt-special", "  own price type");
		is_str(e.address,
		    "190000, Санкт-Петербург, Невский пр., д. 100",
		    "  address trimmed");
		is_int(e.credit_limit, 20000000, "  whole roubles");
		fx_entity_release(&e);
	}
	if (ok(get_entity(t, "D00001-3", &e) == 0, "sole trader stored")) {
		is_str(e.inn, "770123456703", "  12-digit INN");
		is_str(e.kpp, "", "  no KPP");
		is_int(e.default_discount, 500, "  default 5%%");
		fx_entity_release(&e);
	}
	{
		struct fx_dealer d;

		if (ok(get(t, FX_K_DEALER, "D00002", 6, &fx_rt_dealer, &d) == 0,
		    "dealer D00002 stored")) {
			is_str(d.name, "Мастерснаб (Воронеж)", "  name");
			is_int(d.blocked, 1, "  blocked");
			fx_rec_release(&fx_rt_dealer, &d);
		}
	}
	is_int(discount(t, "D00001-1", "g-hand"), 450, "discount 4.5%%");
	is_int(discount(t, "D00001-1", "g-keys"), 1225, "discount 12.25%%");
	is_int(discount(t, "D00001-1", "g-power"), -1, "no rule for g-power");
	is_int(discount(t, "D00002-1", "g-power"), 0, "a 0%% rule is a rule");
	inn_index(t, "7701123451", buf, sizeof(buf));
	is_str(buf, "D00001-1", "INN indexed");

	/* Only changes. */
	fixture(t, "conditions-incr.xml", p, sizeof(p));
	if (!is_int(run(t, fx_cond_import, p, &st, &err, 1), 0,
	    "conditions-incr.xml imported"))
		fx_err_format(&err, buf, sizeof(buf)), printf("# %s\n", buf);
	is_int(st.entities, 3, "  3 entities");
	is_int(count(t, FX_K_DEALER), 3, "  a dealer added");
	is_int(count(t, FX_K_ENTITY), 5, "  an entity added");
	is_int(discount(t, "D00001-1", "g-hand"), -1, "  old rule gone");
	is_int(discount(t, "D00001-1", "g-keys"), 1500, "  rule replaced");
	is_int(discount(t, "D00001-2", "g-power"), 600, "  rule added");
	is_int(discount(t, "D00001-3", "g-power"), 300,
	    "  entity not listed keeps its rules");
	inn_index(t, "7810123451", buf, sizeof(buf));
	is_str(buf, "", "  old INN unindexed");
	inn_index(t, "7736050003", buf, sizeof(buf));
	is_str(buf, "D00001-2", "  new INN indexed");
	if (get_entity(t, "D00001-1", &e) == 0) {
		is_int(e.credit_limit, 60000000, "  entity updated");
		is_str(e.address, "", "  address not sent: empty");
		fx_entity_release(&e);
	}
	if (get_entity(t, "D00002-1", &e) == 0) {
		is_int(e.default_discount, 1000, "  other dealer untouched");
		fx_entity_release(&e);
	}
	meta(t, "conditions_asof", buf, sizeof(buf));
	is_str(buf, "2026-03-02T09:00:00", "  conditions_asof moved");

	/* windows-1251 */
	fixture(t, "conditions-cp1251.xml", p, sizeof(p));
	is_int(run(t, fx_cond_import, p, &st, &err, 0), 0,
	    "windows-1251 file read");
}

static void
test_conditions_bad(struct t *t)
{
	struct fx_import_stats st;
	struct fx_err err;
	char p[1024];

	bad_cond(t, "conditions-bad-inn.xml", 4,
	    "entity \"D1-1\": INN \"7707083895\" has a wrong check digit");
	bad_cond(t, "conditions-bad-inn-length.xml", 4,
	    "entity \"D1-1\": INN \"7707083894x\" must be 10 or 12 digits");
	bad_cond(t, "conditions-bad-kpp.xml", 4,
	    "entity \"D1-1\": KPP \"12345\" must be 9 characters (NNNNPPNNN)");
	bad_cond(t, "conditions-no-kpp.xml", 4,
	    "entity \"D1-1\": KPP is required with a 10-digit INN "
	    "\"7707083893\"");
	bad_cond(t, "conditions-no-inn.xml", 4,
	    "entity \"D1-1\": missing attribute \"inn\"");
	bad_cond(t, "conditions-unknown-group.xml", 6,
	    "entity \"D1-1\": unknown group \"g-nope\"");
	bad_cond(t, "conditions-unknown-pricetype.xml", 4,
	    "entity \"D1-1\": unknown price type \"pt-nope\"");
	bad_cond(t, "conditions-dup-entity.xml", 5,
	    "entity \"D1-1\": listed twice (first at line 4)");
	bad_cond(t, "conditions-dup-dealer.xml", 6,
	    "dealer \"D1\": listed twice (first at line 3)");
	bad_cond(t, "conditions-dup-inn-kpp.xml", 5,
	    "entity \"D1-2\": INN \"7707083893\" KPP \"773601001\" is already "
	    "entity \"D1-1\"");
	bad_cond(t, "conditions-head-nowhere.xml", 5,
	    "entity \"D1-2\": unknown head entity \"D9-9\"");
	bad_cond(t, "conditions-head-other-dealer.xml", 7,
	    "entity \"D2-1\": head \"D1-1\" belongs to dealer \"D1\"");
	bad_cond(t, "conditions-head-self.xml", 4,
	    "entity \"D1-1\": head is the entity itself");
	bad_cond(t, "conditions-negative-limit.xml", 4,
	    "entity \"D1-1\": credit-limit \"-1000.00\" must not be negative");
	bad_cond(t, "conditions-three-decimals.xml", 4,
	    "entity \"D1-1\": credit-limit \"1000.005\" has more than two "
	    "decimals");
	bad_cond(t, "conditions-pct-decimals.xml", 5,
	    "entity \"D1-1\": percent \"4.125\" has more than two decimals");
	bad_cond(t, "conditions-pct-range.xml", 4,
	    "entity \"D1-1\": default-discount \"100.01\" must be between 0 "
	    "and 100");
	bad_cond(t, "conditions-bad-expiry.xml", 4,
	    "entity \"D1-1\": contract-expires \"31.12.2027\" is not a date "
	    "(YYYY-MM-DD)");
	bad_cond(t, "conditions-bad-days.xml", 4,
	    "entity \"D1-1\": payment-days \"3651\" must be a whole number "
	    "from 0 to 3650");
	bad_cond(t, "conditions-wrong-root.xml", 2,
	    "root element is not <formix-conditions>");
	bad_cond(t, "conditions-version2.xml", 2,
	    "formix-conditions: unsupported version \"2\" (this formix reads "
	    "version 1)");

	/* The parser's own refusals: position and a non-empty message. */
	fixture(t, "conditions-truncated.xml", p, sizeof(p));
	is_int(run(t, fx_cond_import, p, &st, &err, 0), -1,
	    "truncated file refused");
	is_str(err.file, p, "  file named");
	ok(err.line >= 5 && strncmp(err.msg, "truncated file: it ends inside an element", 41) == 0,
	    "  line %ld: %s", err.line, err.msg);
	fixture(t, "conditions-doctype.xml", p, sizeof(p));
	is_int(run(t, fx_cond_import, p, &st, &err, 0), -1,
	    "DOCTYPE refused");
	ok(err.line > 0 && strstr(err.msg, "DOCTYPE") != NULL,
	    "  line %ld: %s", err.line, err.msg);
}

#define CROOT(full) "<?xml version=\"1.0\"?>\n<formix-conditions " \
	"version=\"1\" generated=\"2026-03-05T10:00:00+03:00\" full=\"" \
	full "\">\n"

/* Cases that need a given store or a document of their own. */
static void
test_conditions_more(struct t *t)
{
	struct fx_import_stats st;
	struct fx_err err;
	struct fx_entity e;
	char p[1024], buf[256];

	/* A subsidiary may come before its head; unknown names ignored. */
	doc(t, CROOT("true")
	    "<note>ignored</note>\n"
	    "<dealer id=\"D1\" name=\"Один &amp; Два &lt;&#1058;&gt;\" "
	    "region=\"x\">\n"
	    "<entity id=\"D1-2\" name=\"Два\" inn=\"7736050003\" "
	    "kpp=\"773601001\" head=\"D1-1\" colour=\"red\">\n"
	    "<discount group=\"g-keys\" percent=\"10,5\"/><extra/>\n"
	    "</entity>\n"
	    "<entity id=\"D1-1\" name=\"Один\" inn=\"7707083893\" "
	    "kpp=\"773601001\"/>\n"
	    "<entity id=\"D1-3\" name=\"Три\" inn=\"7707083893\" "
	    "kpp=\"773643001\" head=\"D1-1\"/>\n"
	    "</dealer>\n</formix-conditions>\n", p, sizeof(p));
	if (!is_int(run(t, fx_cond_import, p, &st, &err, 1), 0,
	    "forward head reference, unknown names ignored"))
		fx_err_format(&err, buf, sizeof(buf)), printf("# %s\n", buf);
	is_int(count(t, FX_K_ENTITY), 3, "  full: the store is the file");
	{
		struct fx_dealer d;

		if (get(t, FX_K_DEALER, "D1", 2, &fx_rt_dealer, &d) == 0) {
			is_str(d.name, "Один & Два <Т>",
			    "  references decoded");
			fx_rec_release(&fx_rt_dealer, &d);
		}
	}
	is_int(discount(t, "D1-2", "g-keys"), 1050, "  decimal comma");
	inn_index(t, "7707083893", buf, sizeof(buf));
	is_str(buf, "D1-1,D1-3", "  one INN, two KPPs");
	meta(t, "conditions_asof", buf, sizeof(buf));
	is_str(buf, "2026-03-05T10:00:00+03:00", "  conditions_asof");

	/* Only changes against that store. */
	refused(t, fx_cond_import, doc(t, CROOT("false")
	    "<dealer id=\"D2\" name=\"Два\">\n"
	    "<entity id=\"D1-1\" name=\"Один\" inn=\"7707083893\" "
	    "kpp=\"773601001\"/>\n"
	    "</dealer>\n</formix-conditions>\n", p, sizeof(p)), 4,
	    "entity \"D1-1\": belongs to dealer \"D1\", not \"D2\"");
	refused(t, fx_cond_import, doc(t, CROOT("false")
	    "<dealer id=\"D1\" name=\"Один\">\n"
	    "<entity id=\"D1-4\" name=\"Четыре\" inn=\"7707083893\" "
	    "kpp=\"773643001\"/>\n"
	    "</dealer>\n</formix-conditions>\n", p, sizeof(p)), 4,
	    "entity \"D1-4\": INN \"7707083893\" KPP \"773643001\" is already "
	    "entity \"D1-3\"");
	refused(t, fx_cond_import, doc(t, CROOT("false")
	    "<dealer id=\"D1\" name=\"Один\">\n\n"
	    "<entity id=\"D1-1\" name=\"Один\" inn=\"7707083893\" "
	    "kpp=\"773601001\" head=\"D1-2\"/>\n"
	    "</dealer>\n</formix-conditions>\n", p, sizeof(p)), 5,
	    "entity \"D1-1\": head \"D1-2\" is itself a subsidiary of "
	    "\"D1-1\"");
	refused(t, fx_cond_import, doc(t, CROOT("false")
	    "<dealer id=\"D1\" name=\"Один\">\n"
	    "<entity id=\"D1-9\" name=\"Девять\" inn=\"7701123451\" "
	    "kpp=\"770101001\"/>\n"
	    "<entity id=\"D1-1\" name=\"Один\" inn=\"7707083893\" "
	    "kpp=\"773601001\" head=\"D1-9\"/>\n"
	    "</dealer>\n</formix-conditions>\n", p, sizeof(p)), 5,
	    "entity \"D1-1\": cannot have a head: entity \"D1-2\" names it as "
	    "its head");
	/* An INN may move from one entity to another in one file. */
	doc(t, CROOT("false")
	    "<dealer id=\"D1\" name=\"Один\">\n"
	    "<entity id=\"D1-4\" name=\"Четыре\" inn=\"7707083893\" "
	    "kpp=\"773643001\" head=\"D1-1\"/>\n"
	    "<entity id=\"D1-3\" name=\"Три\" inn=\"500100732259\" "
	    "head=\"D1-1\"/>\n"
	    "</dealer>\n</formix-conditions>\n", p, sizeof(p));
	if (!is_int(run(t, fx_cond_import, p, &st, &err, 1), 0,
	    "INN+KPP moved to another entity in one file"))
		fx_err_format(&err, buf, sizeof(buf)), printf("# %s\n", buf);
	inn_index(t, "7707083893", buf, sizeof(buf));
	is_str(buf, "D1-1,D1-4", "  index follows");
	if (get_entity(t, "D1-2", &e) == 0) {
		is_str(e.head, "D1-1", "  entity not listed untouched");
		fx_entity_release(&e);
	}

	/* Structure and the root. */
	refused(t, fx_cond_import, doc(t, CROOT("true")
	    "<entity id=\"D1-1\" name=\"Один\" inn=\"7707083893\" "
	    "kpp=\"773601001\"/>\n"
	    "</formix-conditions>\n", p, sizeof(p)), 3,
	    "<entity> outside <dealer>");
	refused(t, fx_cond_import, doc(t, CROOT("true")
	    "<dealer id=\"D1\" name=\"Один\">\n"
	    "<discount group=\"g-hand\" percent=\"1\"/>\n"
	    "</dealer>\n</formix-conditions>\n", p, sizeof(p)), 4,
	    "<discount> outside <entity>");
	refused(t, fx_cond_import, doc(t, CROOT("true")
	    "<dealer name=\"Один\"/>\n</formix-conditions>\n", p, sizeof(p)),
	    3, "dealer: missing attribute \"id\"");
	refused(t, fx_cond_import, doc(t, CROOT("true")
	    "<dealer id=\"D1\" name=\"\"/>\n</formix-conditions>\n", p,
	    sizeof(p)), 3, "dealer \"D1\": missing attribute \"name\"");
	refused(t, fx_cond_import, doc(t, CROOT("true")
	    "<dealer id=\"D1\" name=\"Один\" blocked=\"yes\"/>\n"
	    "</formix-conditions>\n", p, sizeof(p)), 3,
	    "dealer \"D1\": blocked \"yes\" must be true or false");
	refused(t, fx_cond_import, doc(t, CROOT("true")
	    "<dealer id=\"D1\" name=\"Один\">\n"
	    "<entity id=\"D1-1\" name=\"Один\" inn=\"7707083893\" "
	    "kpp=\"773601001\">\n"
	    "<discount group=\"g-hand\" percent=\"1\"/>\n"
	    "<discount group=\"g-hand\" percent=\"2\"/>\n"
	    "</entity></dealer>\n</formix-conditions>\n", p, sizeof(p)), 6,
	    "entity \"D1-1\": discount for group \"g-hand\" listed twice "
	    "(first at line 5)");
	refused(t, fx_cond_import, doc(t, CROOT("true")
	    "<dealer id=\"D1\" name=\"Один\">\n"
	    "<entity id=\"D1-1\" name=\"Один\" inn=\"7707083893\" "
	    "kpp=\"773601001\" debt=\"12 345\"/>\n"
	    "</dealer>\n</formix-conditions>\n", p, sizeof(p)), 4,
	    "entity \"D1-1\": debt \"12 345\" is not an amount");
	refused(t, fx_cond_import, doc(t, CROOT("true")
	    "<dealer id=\"D1\" name=\"Один\">\n"
	    "<entity id=\"D1-1\" name=\"Один\" inn=\"7707083893\" "
	    "kpp=\"773601001\" default-discount=\"-1\"/>\n"
	    "</dealer>\n</formix-conditions>\n", p, sizeof(p)), 4,
	    "entity \"D1-1\": default-discount \"-1\" must be between 0 and "
	    "100");
	refused(t, fx_cond_import, doc(t, CROOT("true")
	    "<dealer id=\"D1\" name=\"Один\">\n"
	    "<entity id=\"D1-1\" name=\"Один\" inn=\"7707083893\" "
	    "kpp=\"773601001\">\n<discount group=\"g-hand\" percent=\"x%\"/>\n"
	    "</entity></dealer>\n</formix-conditions>\n", p, sizeof(p)), 5,
	    "entity \"D1-1\": percent \"x%\" is not a percent");
	refused(t, fx_cond_import, doc(t, "<?xml version=\"1.0\"?>\n"
	    "<formix-conditions version=\"1\" full=\"true\"/>\n", p,
	    sizeof(p)), 2,
	    "formix-conditions: missing attribute \"generated\"");
	refused(t, fx_cond_import, doc(t, "<?xml version=\"1.0\"?>\n"
	    "<formix-conditions version=\"1\" generated=\"2026-03-01\"/>\n",
	    p, sizeof(p)), 2,
	    "formix-conditions: missing attribute \"full\"");
	refused(t, fx_cond_import, doc(t, "<?xml version=\"1.0\"?>\n"
	    "<formix-conditions version=\"1\" generated=\"01.03.2026\" "
	    "full=\"true\"/>\n", p, sizeof(p)), 2,
	    "formix-conditions: generated \"01.03.2026\" is not a date and "
	    "time (YYYY-MM-DDTHH:MM:SS)");
	refused(t, fx_cond_import, doc(t, "<?xml version=\"1.0\"?>\n"
	    "<formix-conditions generated=\"2026-03-01\" full=\"true\"/>\n",
	    p, sizeof(p)), 2,
	    "formix-conditions: missing attribute \"version\"");
	refused(t, fx_cond_import, doc(t, "<?xml version=\"1.0\"?>\n"
	    "<formix-deliveries version=\"1\" generated=\"2026-03-01\" "
	    "full=\"true\"/>\n", p, sizeof(p)), 2,
	    "root element is not <formix-conditions>");
	{
		char big[1024], want[256];

		/* 201 bytes; the message shows the first 91 and "...". */
		snprintf(big, sizeof(big), CROOT("true") "<dealer id=\"%0201d\""
		    " name=\"x\"/>\n</formix-conditions>\n", 7);
		snprintf(want, sizeof(want), "dealer: id \"%091d...\" is "
		    "longer than 200 bytes", 0);
		refused(t, fx_cond_import, doc(t, big, p, sizeof(p)), 3, want);
	}

	/* An empty full file empties the conditions. */
	doc(t, CROOT("true") "</formix-conditions>\n", p, sizeof(p));
	is_int(run(t, fx_cond_import, p, &st, &err, 0), 0,
	    "empty full file accepted");
}

/*
 * A full map is a store error, not a file error: it must reach the caller
 * as fx_db_write sees it (FX_ETEMP, MDB_MAP_FULL), which then grows the
 * map and runs the import again from the start.
 */
struct grow {
	const char	*path;
	int		 runs;
	struct fx_import_stats st;
};

static int
grow_fn(struct fx_txn *txn, void *arg, struct fx_err *err)
{
	struct grow *g = arg;

	g->runs++;
	memset(&g->st, 0, sizeof(g->st));
	return fx_cond_import(NULL, txn, g->path, &g->st, err);
}

static void
test_map_full(struct t *t)
{
	struct fx_db *db;
	struct fx_txn txn;
	struct fx_err err;
	struct fx_import_stats st;
	struct fx_buf b = { NULL, 0, 0 };
	struct grow g;
	char store[600], p[1024], buf[300];
	int i, r;

	/* 20,000 dealers, far more than a 256 KiB map holds. */
	fx_buf_adds(&b, CROOT("true"));
	for (i = 0; i < 20000; i++)
		fx_buf_addf(&b, "<dealer id=\"D%05d\" name=\"Дилер номер "
		    "%d\"/>\n", i, i);
	fx_buf_adds(&b, "</formix-conditions>\n");
	doc(t, b.p, p, sizeof(p));
	fx_buf_release(&b);

	snprintf(store, sizeof(store), "%s/small", t->dir);
	if (fx_db_open(&db, store, 256 << 10, 256 << 10, FX_DB_CREATE,
	    &err) == -1)
		die("open small", &err);
	if (fx_db_begin(db, 1, &txn, &err) == -1)
		die("begin", &err);
	fx_err_clear(&err);
	r = fx_cond_import(NULL, &txn, p, &st, &err);
	fx_db_abort(&txn);
	fx_err_format(&err, buf, sizeof(buf));
	is_int(r, -1, "full map: refused");
	is_int(err.code, FX_ETEMP, "  FX_ETEMP: %s", buf);
	ok(strstr(err.msg, "MDB_MAP_FULL") != NULL, "  LMDB's error kept");
	is_str(err.file, "", "  not blamed on the file");
	fx_db_close(db);

	if (fx_db_open(&db, store, 256 << 10, 64 << 20, 0, &err) == -1)
		die("open small", &err);
	memset(&g, 0, sizeof(g));
	g.path = p;
	r = fx_db_write(db, grow_fn, &g, &err);
	fx_err_format(&err, buf, sizeof(buf));
	is_int(r, 0, "fx_db_write grows the map and runs again: %s",
	    r == 0 ? "ok" : buf);
	ok(g.runs > 1, "  ran %d times", g.runs);
	is_int(g.st.dealers, 20000, "  all dealers, counted once");
	fx_db_close(db);
	snprintf(p, sizeof(p), "%s/data.mdb", store);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", store);
	unlink(p);
	rmdir(store);
}

static void
test_deliveries(struct t *t)
{
	struct fx_import_stats st;
	struct fx_err err;
	struct fx_delivery d;
	char p[1024], buf[256], wh[64];

	fixture(t, "deliveries.xml", p, sizeof(p));
	if (!is_int(run(t, fx_deliv_import, p, &st, &err, 1), 0,
	    "deliveries.xml imported"))
		fx_err_format(&err, buf, sizeof(buf)), printf("# %s\n", buf);
	is_int(st.deliveries, 3, "  3 deliveries");
	is_int(st.dlines, 5, "  5 lines (a product twice is one line)");
	is_int(count(t, FX_K_DELIVERY), 3, "  3 delivery records");
	is_int(count(t, FX_K_DLINE), 5, "  5 delivery line records");
	meta(t, "deliveries_asof", buf, sizeof(buf));
	is_str(buf, "2026-03-01T09:30:00", "  deliveries_asof");
	if (ok(get(t, FX_K_DELIVERY, "IN-0001", 7, &fx_rt_delivery, &d) == 0,
	    "IN-0001 stored")) {
		is_str(d.date, "2026-12-10", "  date");
		is_str(d.warehouse, "w-msk", "  warehouse");
		is_str(d.comment, "Контейнер из Тайваня", "  comment");
		is_int(d.nproducts, 2, "  two products");
		if (d.nproducts == 2) {
			is_str(d.products[0], "p-1", "  in line order");
			is_str(d.products[1], "p-2", "  by article");
		}
		fx_rec_release(&fx_rt_delivery, &d);
	}
	is_int(dline(t, "p-1", "2026-12-10", "IN-0001", wh, sizeof(wh)),
	    15000, "p-1 by Ид and by article (en dash, spaces): summed");
	is_str(wh, "w-msk", "  warehouse on the line");
	is_int(dline(t, "p-2", "2026-12-10", "IN-0001", NULL, 0), 2500,
	    "fractional qty in thousandths");
	is_int(dline(t, "p-3", "2027-01-15", "IN-0003", wh, sizeof(wh)),
	    100000, "article case-folded");
	is_str(wh, "", "  no warehouse");
	is_int(dline(t, "p-2", "2027-01-15", "IN-0003", NULL, 0), 1000,
	    "product Ид wins over a label article");

	fixture(t, "deliveries-incr.xml", p, sizeof(p));
	if (!is_int(run(t, fx_deliv_import, p, &st, &err, 1), 0,
	    "deliveries-incr.xml imported"))
		fx_err_format(&err, buf, sizeof(buf)), printf("# %s\n", buf);
	is_int(st.deliveries, 2, "  2 deliveries written");
	is_int(count(t, FX_K_DELIVERY), 3, "  IN-0002 gone, IN-0004 new");
	is_int(dline(t, "p-1", "2026-12-10", "IN-0001", NULL, 0), -1,
	    "  old date's line gone");
	is_int(dline(t, "p-2", "2026-12-10", "IN-0001", NULL, 0), -1,
	    "  dropped product's line gone");
	is_int(dline(t, "p-1", "2026-12-12", "IN-0001", wh, sizeof(wh)), 7000,
	    "  new line");
	is_str(wh, "w-spb", "  new warehouse");
	is_int(dline(t, "p-3", "2026-12-20", "IN-0002", NULL, 0), -1,
	    "  deleted delivery's line gone");
	is_int(dline(t, "p-3", "2027-01-15", "IN-0003", NULL, 0), 100000,
	    "  delivery not listed untouched");
	is_int(count(t, FX_K_DLINE), 4, "  4 lines in all");

	/* Deleting what is not there is not an error; nor is a re-run. */
	doc(t, "<?xml version=\"1.0\"?>\n<formix-deliveries version=\"1\" "
	    "generated=\"2026-03-03T00:00:00Z\" full=\"false\">\n"
	    "<delivery id=\"IN-9999\" deleted=\"true\"><line qty=\"x\"/>"
	    "</delivery>\n</formix-deliveries>\n", p, sizeof(p));
	is_int(run(t, fx_deliv_import, p, &st, &err, 1), 0,
	    "deleting an unknown delivery: nothing to do");
	fixture(t, "deliveries-incr.xml", p, sizeof(p));
	is_int(run(t, fx_deliv_import, p, &st, &err, 1), 0,
	    "deliveries-incr.xml again");
	is_int(count(t, FX_K_DLINE), 4, "  same 4 lines");

	/* Full replaces everything. */
	fixture(t, "deliveries.xml", p, sizeof(p));
	is_int(run(t, fx_deliv_import, p, &st, &err, 1), 0,
	    "deliveries.xml again");
	is_int(count(t, FX_K_DELIVERY), 3, "  3 delivery records");
	is_int(count(t, FX_K_DLINE), 5, "  5 delivery line records");
	is_int(dline(t, "p-5", "2026-12-31", "IN-0004", NULL, 0), -1,
	    "  delivery absent from a full file is gone");
}

#define DROOT "<?xml version=\"1.0\"?>\n<formix-deliveries version=\"1\" " \
	"generated=\"2026-03-01T09:30:00\" full=\"true\">\n"

static void
test_deliveries_bad(struct t *t)
{
	struct fx_import_stats st;
	struct fx_err err;
	char p[1024];

	bad_deliv(t, "deliveries-bad-unknown-article.xml", 5,
	    "delivery \"IN-1\": unknown article \"27087-11\"");
	bad_deliv(t, "deliveries-bad-ambiguous-article.xml", 4,
	    "delivery \"IN-1\": ambiguous article \"amb-1\": 2 products");
	bad_deliv(t, "deliveries-bad-unknown-product.xml", 4,
	    "delivery \"IN-1\": unknown product \"p-99\"");
	bad_deliv(t, "deliveries-bad-qty-zero.xml", 4,
	    "delivery \"IN-1\": qty \"0\" must be greater than zero");
	bad_deliv(t, "deliveries-bad-date.xml", 3,
	    "delivery \"IN-1\": date \"2026-02-30\" is not a date "
	    "(YYYY-MM-DD)");
	bad_deliv(t, "deliveries-bad-warehouse.xml", 3,
	    "delivery \"IN-1\": unknown warehouse \"w-nope\"");
	bad_deliv(t, "deliveries-bad-dup.xml", 6,
	    "delivery \"IN-1\": listed twice (first at line 3)");
	bad_deliv(t, "deliveries-bad-no-lines.xml", 3,
	    "delivery \"IN-1\": has no lines");
	bad_deliv(t, "deliveries-bad-version2.xml", 2,
	    "formix-deliveries: unsupported version \"2\" (this formix reads "
	    "version 1)");
	fixture(t, "deliveries-bad-truncated.xml", p, sizeof(p));
	is_int(run(t, fx_deliv_import, p, &st, &err, 0), -1,
	    "truncated file refused");
	ok(err.line >= 4 && strncmp(err.msg, "truncated file: it ends inside an element", 41) == 0,
	    "  line %ld: %s", err.line, err.msg);

	refused(t, fx_deliv_import, doc(t, DROOT
	    "<delivery id=\"IN-1\" date=\"2026-12-10\">\n"
	    "<line qty=\"1\"/>\n</delivery>\n</formix-deliveries>\n", p,
	    sizeof(p)), 4,
	    "delivery \"IN-1\": line without a product or an article");
	refused(t, fx_deliv_import, doc(t, DROOT
	    "<delivery id=\"IN-1\" date=\"2026-12-10\">\n"
	    "<line product=\"p-1\"/>\n</delivery>\n</formix-deliveries>\n", p,
	    sizeof(p)), 4,
	    "delivery \"IN-1\": missing attribute \"qty\"");
	refused(t, fx_deliv_import, doc(t, DROOT
	    "<delivery id=\"IN-1\" date=\"2026-12-10\">\n"
	    "<line product=\"p-1\" qty=\"1.0005\"/>\n</delivery>\n"
	    "</formix-deliveries>\n", p, sizeof(p)), 4,
	    "delivery \"IN-1\": qty \"1.0005\" has more than three decimals");
	refused(t, fx_deliv_import, doc(t, DROOT
	    "<delivery id=\"IN-1\" date=\"2026-12-10\">\n"
	    "<line product=\"p-1\" qty=\"-2\"/>\n</delivery>\n"
	    "</formix-deliveries>\n", p, sizeof(p)), 4,
	    "delivery \"IN-1\": qty \"-2\" must be greater than zero");
	refused(t, fx_deliv_import, doc(t, DROOT
	    "<delivery id=\"IN-1\" date=\"2026-12-10\">\n"
	    "<line product=\"p-1\" qty=\"ten\"/>\n</delivery>\n"
	    "</formix-deliveries>\n", p, sizeof(p)), 4,
	    "delivery \"IN-1\": qty \"ten\" is not a number");
	refused(t, fx_deliv_import, doc(t, DROOT
	    "<delivery id=\"IN-1\">\n"
	    "<line product=\"p-1\" qty=\"1\"/>\n</delivery>\n"
	    "</formix-deliveries>\n", p, sizeof(p)), 3,
	    "delivery \"IN-1\": missing attribute \"date\"");
	refused(t, fx_deliv_import, doc(t, DROOT
	    "<line product=\"p-1\" qty=\"1\"/>\n"
	    "</formix-deliveries>\n", p, sizeof(p)), 3,
	    "<line> outside <delivery>");
	refused(t, fx_deliv_import, doc(t, DROOT
	    "<delivery id=\"IN-1\" date=\"2026-12-10\">\n"
	    "<line article=\" \" qty=\"1\"/>\n</delivery>\n"
	    "</formix-deliveries>\n", p, sizeof(p)), 4,
	    "delivery \"IN-1\": unknown article \" \"");
	refused(t, fx_deliv_import, doc(t, DROOT
	    "<delivery id=\"IN-1\" date=\"2026-12-10\">\n"
	    "<line article=\"x&quot;\n\" qty=\"1\"/>\n</delivery>\n"
	    "</formix-deliveries>\n", p, sizeof(p)), 5,
	    "delivery \"IN-1\": unknown article \"x\\\" \"");
}

static void
cleanup(struct t *t)
{
	char p[1024];
	int i;

	for (i = 1; i <= t->nfiles; i++) {
		snprintf(p, sizeof(p), "%s/doc%d.xml", t->dir, i);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/store/data.mdb", t->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/store/lock.mdb", t->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/store", t->dir);
	rmdir(p);
	rmdir(t->dir);
}

int
main(void)
{
	struct t t;
	struct fx_err err;
	const char *src = getenv("FX_SRCDIR"), *tmp = getenv("TMPDIR");
	char store[600];
	int rc;

	memset(&t, 0, sizeof(t));
	snprintf(t.data, sizeof(t.data), "%s/tests/data/cond",
	    src != NULL ? src : ".");
	snprintf(t.dir, sizeof(t.dir), "%s/t_cond.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(t.dir) == NULL) {
		printf("Bail out! mkdtemp %s: %s\n", t.dir, strerror(errno));
		return 1;
	}
	snprintf(store, sizeof(store), "%s/store", t.dir);
	if (fx_db_open(&t.db, store, 16 << 20, 64 << 20, FX_DB_CREATE,
	    &err) == -1)
		die("open", &err);
	seed(&t);

	test_conditions(&t);
	test_conditions_bad(&t);
	test_conditions_more(&t);
	test_map_full(&t);
	test_deliveries(&t);
	test_deliveries_bad(&t);

	fx_db_close(t.db);
	cleanup(&t);
	rc = done_testing();
	return rc;
}
