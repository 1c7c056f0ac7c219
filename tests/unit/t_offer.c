/*
 * t_offer.c -- offers records: the refs table, both formats, damage, and
 * a store of the first format read and upgraded by an import.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fx-int.h"
#include "tap.h"

static void
die(const char *what, const struct fx_err *err)
{
	fprintf(stderr, "t_offer: %s: %s\n", what, err->msg);
	exit(1);
}

static struct fx_qv p2[] = { { "pt-retail", 150000 }, { "pt-base", 99 } };
static struct fx_qv s4[] = {
	{ "473716b5-5b78-4905-8237-d12a75c906fa", 12000 },
	{ "3309045c-1b54-4697-958e-f86c32a3b68a", 0 },
	{ "7ec25854-63a5-4519-9813-e68a251b2132", -3000 },
	{ "pt-retail", 1 },	/* the same Ид in both vectors: one number */
};

static void
offer_fill(struct fx_offer *o)
{
	memset(o, 0, sizeof(*o));
	o->prices = p2;
	o->nprices = 2;
	o->stock = s4;
	o->nstock = 4;
	o->total = 9000;
	o->has_total = 1;
	o->prices_gen = 7;
	o->stock_gen = 8;
}

/* The records of one write: a format 2 offer, and the table it made. */
static int
write_v2(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct fx_buf *b = arg;
	struct fx_refs refs;
	struct fx_offer o;
	int r;

	offer_fill(&o);
	if (fx_refs_load(t, 1, &refs, err) == -1)
		return -1;
	r = fx_offer_put(t, &refs, "p-1", 3, &o, b, err);
	fx_refs_release(&refs);
	return r;
}

static void
codec(const char *dir)
{
	struct fx_db *db;
	struct fx_txn t;
	struct fx_err err;
	struct fx_refs refs;
	struct fx_offer o, d;
	struct fx_offer_view *v = malloc(sizeof(*v));
	struct fx_buf b = { 0 }, b1 = { 0 }, t1 = { 0 }, t2 = { 0 };
	const void *val;
	size_t vl;
	uint32_t num;

	if (v == NULL || fx_db_open(&db, dir, 1 << 20, 64 << 20,
	    FX_DB_CREATE, &err) == -1)
		die("open", &err);

	/* Numbers: dense from 0 in the order met, one per Ид, kept. */
	fx_err_clear(&err);
	ok(fx_db_write(db, write_v2, &b, &err) == 0, "write: %s", err.msg);
	is_int(b.p[0], 2, "format 2 written");
	offer_fill(&o);
	fx_rec_encode(&b1, &fx_rt_offer, &o);
	ok(b.len * 3 < b1.len, "format 2 is a third of format 1 or less "
	    "(%zu, %zu bytes)", b.len, b1.len);
	fx_db_begin(db, 0, &t, &err);
	fx_err_clear(&err);
	ok(fx_refs_load(&t, 0, &refs, &err) == 0 && refs.n == 5,
	    "five Ид numbered, not six: %s", err.msg);
	is_str(refs.id[0], "pt-retail", "number 0 is the first met");
	is_str(refs.id[4], "7ec25854-63a5-4519-9813-e68a251b2132",
	    "number 4 the last");
	ok(fx_refs_num(&refs, "pt-base", &num, &err) == 0 && num == 1,
	    "a read transaction finds a number");

	/* View and decode with the table; view without it. */
	is_int(fx_db_get(&t, FX_K_OFFER, "p-1", 3, &val, &vl, &err), 0,
	    "the record is there");
	ok(fx_offer_view(val, vl, &refs, v, &err) == 0 && v->nprices == 2 &&
	    v->nstock == 4 && v->total == 9000 && v->has_total == 1 &&
	    v->prices_gen == 7 && v->stock_gen == 8, "view: counts, total, "
	    "generations");
	ok(v->prices[1].len == 7 && memcmp(v->prices[1].id, "pt-base",
	    7) == 0 && v->prices[1].v == 99, "view: price type by its Ид");
	ok(v->stock[2].len == 36 && memcmp(v->stock[2].id, "7ec25854",
	    8) == 0 && v->stock[2].v == -3000, "view: negative stock");
	ok(fx_offer_view(val, vl, NULL, v, &err) == 0 && v->nstock == 4 &&
	    v->stock[0].id == NULL && v->stock[0].v == 12000,
	    "view without the table: amounts only");
	ok(fx_offer_decode(val, vl, &refs, &d, &err) == 0, "decode");
	offer_fill(&o);
	fx_rec_text(&t1, &fx_rt_offer, &o);
	fx_rec_text(&t2, &fx_rt_offer, &d);
	is_str(fx_buf_str(&t2), fx_buf_str(&t1),
	    "decode gives back what was written");
	fx_rec_release(&fx_rt_offer, &d);

	/* Format 1 still reads, by decode and by view. */
	ok(fx_offer_decode(b1.p, b1.len, &refs, &d, &err) == 0,
	    "format 1 decodes");
	fx_buf_reset(&t2);
	fx_rec_text(&t2, &fx_rt_offer, &d);
	is_str(fx_buf_str(&t2), fx_buf_str(&t1), "  to the same offer");
	fx_rec_release(&fx_rt_offer, &d);
	ok(fx_offer_view(b1.p, b1.len, NULL, v, &err) == 0 &&
	    v->stock[1].len == 36 && v->prices[0].v == 150000,
	    "format 1 views with its Ид in place");

	/* Damage: a number past the table, a cut record, a newer format. */
	ok(fx_offer_view(val, vl, &refs, v, &err) == 0, "intact");
	refs.n = 3;
	ok(fx_offer_view(val, vl, &refs, v, &err) == -1 &&
	    strstr(err.msg, "damaged offer record") != NULL,
	    "view: a number the table lacks: %s", err.msg);
	ok(fx_offer_decode(val, vl, &refs, &d, &err) == -1 &&
	    d.prices == NULL && d.stock == NULL, "decode: refused, nothing "
	    "left allocated");
	refs.n = 5;
	ok(fx_offer_view(val, 4, &refs, v, &err) == -1 ||
	    (v->nprices == 0 && v->nstock == 0), "a cut record is never "
	    "misread");
	{
		unsigned char newer[] = { 3, 0, 0 };

		ok(fx_offer_view(newer, sizeof(newer), &refs, v, &err) ==
		    -1 && strstr(err.msg, "newer than this formix") != NULL,
		    "format 3 refused: %s", err.msg);
		ok(fx_offer_decode(newer, sizeof(newer), &refs, &d, &err) ==
		    -1 && strstr(err.msg, "format 3 is newer than this "
		    "formix (2)") != NULL, "  by decode too: %s", err.msg);
	}
	fx_refs_release(&refs);
	fx_db_abort(&t);

	/* A table with a gap is damage, said once, not a misread record. */
	fx_db_begin(db, 1, &t, &err);
	{
		unsigned char k[4] = { 0, 0, 0, 9 };

		fx_db_put(&t, FX_K_REF, k, 4, "w-x", 3, &err);
	}
	ok(fx_refs_load(&t, 0, &refs, &err) == -1 &&
	    strstr(err.msg, "damaged refs table in store at number 5") !=
	    NULL && refs.n == 0, "a gap in the numbers: %s", err.msg);
	fx_db_abort(&t);
	fx_db_close(db);
	free(v);
	fx_buf_release(&b);
	fx_buf_release(&b1);
	fx_buf_release(&t1);
	fx_buf_release(&t2);
}

/* Rewrite every offers record in format 1 and drop the table. */
static int
downgrade(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct fx_refs refs;
	struct fx_cur c;
	struct fx_buf ids = { 0 }, b = { 0 };
	struct fx_offer o;
	MDB_val k, v;
	size_t off, n = 0;
	int r;

	(void)arg;
	if (fx_refs_load(t, 0, &refs, err) == -1)
		return -1;
	fx_cur_open(t, FX_K_OFFER, &c, err);
	for (r = fx_cur_first(&c, &k, &v, err); r == 0;
	    r = fx_cur_next(&c, &k, &v, err)) {
		fx_buf_add(&ids, k.mv_data, k.mv_size);
		fx_buf_addc(&ids, '\0');
	}
	fx_cur_close(&c);
	for (off = 0; off < ids.len; off += strlen(ids.p + off) + 1) {
		if (fx_offer_get(t, &refs, ids.p + off, strlen(ids.p + off),
		    &o, err) != 0)
			return -1;
		fx_rec_encode(&b, &fx_rt_offer, &o);
		fx_rec_release(&fx_rt_offer, &o);
		if (fx_db_put(t, FX_K_OFFER, ids.p + off, strlen(ids.p + off),
		    b.p, b.len, err) == -1)
			return -1;
		n++;
	}
	fx_refs_release(&refs);
	if (fx_db_clear(t, FX_K_REF, err) == -1)
		return -1;
	fx_buf_release(&ids);
	fx_buf_release(&b);
	return n == 5 ? 0 : fx_err_set(err, FX_ESOFTWARE, "%zu offers", n);
}

/* The first byte of every offers record, as a string: "22222". */
static void
formats(struct fx_ctx *ctx, char *out, size_t sz)
{
	struct fx_txn t;
	struct fx_cur c;
	struct fx_err err;
	MDB_val k, v;
	size_t n = 0;
	int r;

	fx_db_begin(ctx->db, 0, &t, &err);
	fx_cur_open(&t, FX_K_OFFER, &c, &err);
	for (r = fx_cur_first(&c, &k, &v, &err); r == 0 && n + 1 < sz;
	    r = fx_cur_next(&c, &k, &v, &err))
		out[n++] = (char)('0' + *(const unsigned char *)v.mv_data);
	out[n] = '\0';
	fx_cur_close(&c);
	fx_db_abort(&t);
}

/* What a dealer sees of the whole catalog, and the dump of the store. */
static void
seen(struct fx_ctx *ctx, struct fx_buf *out)
{
	struct fx_query q;
	struct fx_items its;
	struct fx_err err;
	char *dump = NULL;
	size_t i, j, dlen = 0;
	FILE *fp;

	memset(&q, 0, sizeof(q));
	q.text = "";
	q.entity = "7701123451/770101001";
	q.flags = FX_Q_DELETED;
	fx_buf_reset(out);
	if (fx_catalog_query(ctx, &q, &its, &err) == -1)
		die("query", &err);
	for (i = 0; i < its.n; i++) {
		const struct fx_item *it = &its.v[i];

		fx_buf_addf(out, "%s r%lld n%lld t%lld", it->p.id,
		    (long long)it->retail, (long long)it->net,
		    (long long)it->total);
		for (j = 0; j < it->nstock; j++)
			fx_buf_addf(out, " %s=%lld", it->stock[j].warehouse,
			    (long long)it->stock[j].qty);
		fx_buf_addc(out, '\n');
	}
	fx_items_release(&its);
	if ((fp = open_memstream(&dump, &dlen)) == NULL ||
	    fx_db_dump(ctx, fp, &err) == -1)
		die("dump", &err);
	fclose(fp);
	/* All but the applied files, whose summary an import rewrites. */
	for (i = 0; i < dlen; i = j + 1) {
		for (j = i; j < dlen && dump[j] != '\n'; j++)
			;
		if (j - i < 8 || memcmp(dump + i, "applied ", 8) != 0)
			fx_buf_add(out, dump + i, j - i + (j < dlen));
	}
	free(dump);
}

static void
upgrade(const char *dir)
{
	char root[600], cml[2][700], cond[700], fmt[16];
	const char *src = getenv("FX_SRCDIR") ? getenv("FX_SRCDIR") : ".";
	const char *files[3];
	struct fx_import_stats st;
	struct fx_ctx *ctx;
	struct fx_err err;
	struct fx_buf before = { 0 }, after = { 0 };

	snprintf(root, sizeof(root), "%s/inst", dir);
	snprintf(cml[0], sizeof(cml[0]), "%s/tests/data/cml/import.xml", src);
	snprintf(cml[1], sizeof(cml[1]), "%s/tests/data/cml/offers.xml", src);
	snprintf(cond, sizeof(cond), "%s/tests/data/cond/conditions.xml", src);
	files[0] = cml[0];
	files[1] = cml[1];
	files[2] = cond;
	if (fx_instance_init(root, &err) == -1 ||
	    fx_ctx_open(&ctx, root, NULL, 0, &err) == -1 ||
	    fx_import(ctx, files, 3, 0, &st, &err) == -1)
		die("instance", &err);
	/* Staff, as a tool run by root is. */
	memset(&ctx->actor, 0, sizeof(ctx->actor));
	ctx->actor.resolved = 1;
	ctx->actor.staff = 1;
	formats(ctx, fmt, sizeof(fmt));
	is_str(fmt, "22222", "the import writes format 2");
	seen(ctx, &before);
	ok(strstr(fx_buf_str(&before), " r") != NULL &&
	    strstr(fx_buf_str(&before), "w-spb=") != NULL,
	    "the catalog shows prices and warehouses");

	/* The store as the previous formix left it. */
	fx_err_clear(&err);
	ok(fx_db_write(ctx->db, downgrade, NULL, &err) == 0,
	    "rewritten in format 1: %s", err.msg);
	formats(ctx, fmt, sizeof(fmt));
	is_str(fmt, "11111", "  every offer");
	seen(ctx, &after);
	is_str(fx_buf_str(&after), fx_buf_str(&before), "format 1 reads the "
	    "same: prices, stock, dump");

	/* An offers import writes format 2 again, numbering anew. */
	if (fx_import(ctx, files + 1, 1, FX_IMPORT_FORCE, &st, &err) == -1)
		die("offers", &err);
	formats(ctx, fmt, sizeof(fmt));
	is_str(fmt, "22222", "the next offers import upgrades them");
	seen(ctx, &after);
	is_str(fx_buf_str(&after), fx_buf_str(&before),
	    "  and reads the same");
	fx_ctx_free(ctx);
	fx_buf_release(&before);
	fx_buf_release(&after);
}

int
main(void)
{
	char dir[] = "/tmp/t_offer.XXXXXX", sub[64], cmd[128];

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(sub, sizeof(sub), "%s/db", dir);
	if (mkdir(sub, 0700) == -1)
		return 1;
	codec(sub);
	upgrade(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
