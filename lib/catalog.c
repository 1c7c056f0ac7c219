/*
 * catalog.c -- catalog queries: goods by article, by Ид or by words, with
 * their retail and dealer prices, stock per warehouse and next deliveries.
 *
 * Each query is one read transaction: everything the caller gets is copied
 * out of the map before it ends, so results stay valid after the store
 * changes.  The transaction carries a small cache (struct cq) for what
 * many goods share: the two configured price types, the warehouses, the
 * groups met so far and the legal entity with its discount rules.  None of
 * it outlives the query: the library keeps no state between calls.
 *
 * Rules (DESIGN.md):
 *  - an article may be carried by several goods; an exact lookup returns
 *    all of them and the caller reports the ambiguity, never guesses;
 *  - goods deleted in 1C are left out of listings and searches unless
 *    asked for, but an exact lookup by article or Ид shows them, marked;
 *  - the dealer's net price is the entity's own price type if 1C assigned
 *    one and the product has that price, else the base price less the
 *    discount of the nearest group, going up from the product's own, with
 *    a rule for the entity, else less the entity's default discount.
 *
 * Speed: a lookup by article is an index read and one seek each into the
 * products, prices, stock and delivery lines; a product's prices, stock
 * and deliveries are neighbours under "product \0", so one seek finds all
 * of them.  Listings and searches scan the products once, decoding only
 * the leading fields of each record (rec.c appends new fields at the end,
 * so a prefix of the field table reads any record), never the properties.
 * cq_start/cq_find/cq_close split a query so that many lookups can share
 * one transaction and its caches; fx_catalog_query runs one.
 *
 * Deliveries count from ctx->today: FORMIX_TODAY=YYYY-MM-DD pins it
 * (tests, a past day's report), else the local date.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fx-int.h"

#define MAXDEPTH	64	/* group tree depth; deeper means a cycle */

/* The product record up to gen: everything but the properties. */
static const struct fx_field prod_head_f[] = {
	{ FX_FT_STR, offsetof(struct fx_product, id), 0 },
	{ FX_FT_STR, offsetof(struct fx_product, article), 0 },
	{ FX_FT_STR, offsetof(struct fx_product, name), 0 },
	{ FX_FT_STR, offsetof(struct fx_product, unit), 0 },
	{ FX_FT_STR, offsetof(struct fx_product, unit_code), 0 },
	{ FX_FT_STR, offsetof(struct fx_product, group), 0 },
	{ FX_FT_STR, offsetof(struct fx_product, barcode), 0 },
	{ FX_FT_BOOL, offsetof(struct fx_product, deleted), 0 },
	{ FX_FT_U32, offsetof(struct fx_product, gen), 0 },
	{ FX_FT_END, 0, 0 }
};
#define PROD_HEAD_N	9
#define PROD_NAME_N	3	/* id, article, name: enough to match words */

struct rule {
	char		*group;
	int32_t		 pct;
};

/*
 * What stock_fill needs of a warehouse, worked out once per query rather
 * than per stock line: the lengths, and the rank of the name among the
 * names (equal names, equal ranks; "" ranks 0, as a warehouse 1C never
 * described), so that lines sort by an integer before their Ид.
 */
struct whx {
	size_t		 idlen, namelen;
	size_t		 rank;
	uint64_t	 pfx;		/* id_pfx of the Ид */
	const char	*sid, *sname;	/* in whs */
};

/*
 * The Ид and names of the warehouses, once for every item's stock lines
 * (a 6,000-line check copied them 24,000 times: 3 MB).  The query holds
 * a reference and so does every item pointing in; the last frees it.
 */
struct whs {
	size_t		 refs;
	char		 s[];
};

static void
whs_unref(struct whs *w)
{
	if (w != NULL && --w->refs == 0)
		free(w);
}

/*
 * group_get's answers by Ид, most recent per slot: a product's group and
 * its parents are asked for once or twice per item, and hashing the
 * whole Ид for the map cost more than the rest of the lookup.
 */
#define GMEMO_BITS	10
#define GMEMO_N		(1 << GMEMO_BITS)
struct gmemo {
	const struct fx_group	*g;	/* NULL if free */
};

/* One query: its transaction and what it caches. */
struct cq {
	struct fx_ctx		*ctx;
	struct fx_err		*err;
	struct fx_txn		 t;
	struct fx_rectype	 head;		/* product, no properties */
	char			 today[16];
	char			*retail_pt;	/* resolved Ид, or NULL */
	char			*base_pt;
	size_t			 retail_len, base_len;
	/* groups by Ид; a missing one is kept as a NULL value */
	struct fx_map		 groups;
	int			 groups_all;
	struct gmemo		*gmemo;		/* GMEMO_N, on first use */
	struct fx_warehouse	*wh;
	size_t			 nwh;
	struct whx		*whx;		/* beside wh: for stock_fill */
	struct whs		*whs;		/* their strings, shared */
	/* wh_by_ptr's memory: stock lines' Ид pointers, their warehouse */
	struct {
		const char			*id;
		const struct fx_warehouse	*w;
	}			 whm[8];
	size_t			 nwhm;
	int			 wh_loaded;
	/* filters */
	int			 flags;
	const struct fx_warehouse *wh_sel;
	char			**gsel;
	size_t			 ngsel;
	/* dealer */
	struct fx_entity	 ent;
	int			 have_ent;
	struct rule		*rules;
	size_t			 nrules;
	/* cursors, opened on first use */
	struct fx_cur		 cdline, cidx, cprod, coffer;
	int			 cdline_open, cidx_open, cprod_open,
				 coffer_open;
	/*
	 * Where a delivery line seek left the cursor (dl_k, or the end if
	 * dl_end), for product dl_pid: no key lies between its seek key and
	 * there but dl_pid's own.  Most goods have no delivery lines, and
	 * lookups come in Ид order: a later product whose seek key is not
	 * past dl_k has none either, without a descent (arrivals_fill).
	 */
	MDB_val			 dl_k;
	int			 dl_valid, dl_end;
	char			 dl_pid[512];
	/* the offers record of the product at hand, and its ids' table */
	struct fx_offer_view	 offer;
	struct fx_refs		 refs;
	char			 offer_pid[512];	/* whose offer it is */
	char			 asof[4][32];
	struct fx_buf		 kb;
	int			 borrowed;	/* t is the caller's */
};

static void
group_free(void *p)
{
	fx_rec_release(&fx_rt_group, p);
	free(p);
}

/* Small helpers. */

static int
has_prefix(const MDB_val *k, const struct fx_buf *pfx)
{
	return k->mv_size >= pfx->len &&
	    memcmp(k->mv_data, pfx->p, pfx->len) == 0;
}

static int
fold_eq(const char *a, const char *b)
{
	char fa[512], fb[512];

	if (fx_fold(a, fa, sizeof(fa)) == -1 ||
	    fx_fold(b, fb, sizeof(fb)) == -1)
		return 0;
	return strcmp(fa, fb) == 0;
}

/*
 * The product field table's leading entries must be ours for the prefix
 * decode to be right; if rec.c ever changes them, decode everything.
 */
static void
head_init(struct cq *cq)
{
	const struct fx_field *f = fx_rt_product.fields;
	size_t i;

	cq->head.name = fx_rt_product.name;
	cq->head.version = fx_rt_product.version;
	cq->head.fields = prod_head_f;
	for (i = 0; i < PROD_HEAD_N; i++)
		if (f[i].type != prod_head_f[i].type ||
		    f[i].off != prod_head_f[i].off) {
			cq->head.fields = fx_rt_product.fields;
			break;
		}
}

/* Decode a product without its properties, or only id, article, name. */
static int
prod_decode(struct cq *cq, const void *v, size_t vl, struct fx_product *p,
    int names_only)
{
	static const struct fx_field name_f[PROD_NAME_N + 1] = {
		{ FX_FT_STR, offsetof(struct fx_product, id), 0 },
		{ FX_FT_STR, offsetof(struct fx_product, article), 0 },
		{ FX_FT_STR, offsetof(struct fx_product, name), 0 },
		{ FX_FT_END, 0, 0 }
	};
	struct fx_rectype rt = cq->head;

	memset(p, 0, sizeof(*p));
	if (names_only && cq->head.fields == prod_head_f)
		rt.fields = name_f;
	return fx_rec_decode(v, vl, &rt, p, cq->err);
}

/* The session. */

/* borrow: the caller's open transaction, or NULL for a read of our own. */
static int
cq_open(struct cq *cq, struct fx_ctx *ctx, struct fx_txn *borrow,
    struct fx_err *err)
{
	memset(cq, 0, sizeof(*cq));
	if (borrow != NULL) {
		cq->t = *borrow;
		cq->borrowed = 1;
	}
	cq->ctx = ctx;
	cq->err = err;
	head_init(cq);
	if (ctx == NULL || ctx->db == NULL)
		return fx_err_set(err, FX_ESOFTWARE, "catalog query without "
		    "an open store");
	fx_strlcpy(cq->today, ctx->today, sizeof(cq->today));
	if (cq->borrowed)
		return 0;
	return fx_db_begin(ctx->db, 0, &cq->t, err);
}

static void
cq_close(struct cq *cq)
{
	size_t i;

	if (cq->cdline_open)
		fx_cur_close(&cq->cdline);
	if (cq->cprod_open)
		fx_cur_close(&cq->cprod);
	if (cq->coffer_open)
		fx_cur_close(&cq->coffer);
	if (cq->cidx_open)
		fx_cur_close(&cq->cidx);
	if (!cq->borrowed)
		fx_db_abort(&cq->t);
	free(cq->retail_pt);
	free(cq->base_pt);
	fx_refs_release(&cq->refs);
	fx_map_release(&cq->groups, group_free);
	free(cq->gmemo);
	for (i = 0; i < cq->nwh; i++)
		fx_rec_release(&fx_rt_warehouse, &cq->wh[i]);
	free(cq->wh);
	free(cq->whx);
	whs_unref(cq->whs);
	for (i = 0; i < cq->ngsel; i++)
		free(cq->gsel[i]);
	free(cq->gsel);
	if (cq->have_ent)
		fx_entity_release(&cq->ent);
	for (i = 0; i < cq->nrules; i++)
		free(cq->rules[i].group);
	free(cq->rules);
	fx_buf_release(&cq->kb);
}

/* Point cq->kb at the composite key of the parts (NULL-terminated). */
#define KEY(cq, ...)	(fx_buf_reset(&(cq)->kb), \
	fx_buf_key(&(cq)->kb, __VA_ARGS__, (const char *)NULL))

/*
 * Get by key through a cursor kept open for the query: LMDB searches only
 * the current leaf page when the key falls inside it, so lookups in key
 * order (fx_catalog_find_many sorts them) skip most of the descent.
 */
static int
cur_get(struct cq *cq, struct fx_cur *c, int *open, enum fx_kind kind,
    const char *key, const void **v, size_t *vl)
{
	MDB_val k, d;
	int r;

	if (!*open) {
		if (fx_cur_open(&cq->t, kind, c, cq->err) == -1)
			return -1;
		*open = 1;
	}
	r = fx_cur_dup_first(c, key, strlen(key), &k, &d, cq->err);
	if (r == 0) {
		*v = d.mv_data;
		*vl = d.mv_size;
	}
	return r;
}

/*
 * The product's offers record (prices, stock, total), read in place once
 * for both prices_fill and stock_fill: its ids point into the store.
 */
static int	offer_set(struct cq *, const char *, int, const void *, size_t);

static int
offer_load(struct cq *cq, const char *pid)
{
	const void *v;
	size_t vl;
	int r;

	if (strcmp(cq->offer_pid, pid) == 0 && pid[0] != '\0')
		return 0;
	cq->offer_pid[0] = '\0';
	r = cur_get(cq, &cq->coffer, &cq->coffer_open, FX_K_OFFER, pid, &v,
	    &vl);
	return offer_set(cq, pid, r, v, vl);
}

/* Make the view pid's offers record: found (r 0) at v, or none (r 1). */
static int
offer_set(struct cq *cq, const char *pid, int r, const void *v, size_t vl)
{
	cq->offer_pid[0] = '\0';
	if (r == -1)
		return -1;
	if (r == 1) {
		cq->offer.nprices = cq->offer.nstock = 0;
		cq->offer.has_total = 0;
	} else if (fx_offer_view(v, vl, &cq->refs, &cq->offer,
	    cq->err) == -1)
		return -1;
	fx_strlcpy(cq->offer_pid, pid, sizeof(cq->offer_pid));
	return 0;
}

/* Is the view's id s (of length len)? */
static int
id_is(const struct fx_qv_view *q, const char *s, size_t len)
{
	return s != NULL && len == q->len && memcmp(q->id, s, len) == 0;
}

/* The retail, base and (the entity's own price type) own prices, -1 where
 * absent. */
static int
prices_fill(struct cq *cq, struct fx_item *it, int64_t *own)
{
	const char *ownpt = cq->have_ent && cq->ent.price_type[0] != '\0' ?
	    cq->ent.price_type : NULL;
	size_t i, ownlen = ownpt != NULL ? strlen(ownpt) : 0;

	it->retail = it->base = *own = -1;
	if (offer_load(cq, it->p.id) == -1)
		return -1;
	for (i = 0; i < cq->offer.nprices; i++) {
		const struct fx_qv_view *p = &cq->offer.prices[i];

		if (id_is(p, cq->retail_pt, cq->retail_len))
			it->retail = p->v;
		if (id_is(p, cq->base_pt, cq->base_len))
			it->base = p->v;
		if (id_is(p, ownpt, ownlen))
			*own = p->v;
	}
	return 0;
}

/* Find a price type by Ид, else by name: the configuration allows both. */
static int
pt_resolve(struct cq *cq, const char *want, char **out)
{
	struct fx_pricetype pt;
	struct fx_cur c;
	MDB_val k, v;
	char *byfold = NULL;
	int r;

	*out = NULL;
	if (want == NULL || *want == '\0')
		return 0;
	r = fx_db_get(&cq->t, FX_K_PRICETYPE, want, strlen(want), NULL, NULL,
	    cq->err);
	if (r == -1)
		return -1;
	if (r == 0) {
		*out = fx_strdup(want);
		return 0;
	}
	if (fx_cur_open(&cq->t, FX_K_PRICETYPE, &c, cq->err) == -1)
		return -1;
	for (r = fx_cur_first(&c, &k, &v, cq->err); r == 0;
	    r = fx_cur_next(&c, &k, &v, cq->err)) {
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_pricetype, &pt,
		    cq->err) == -1) {
			r = -1;
			break;
		}
		if (strcmp(pt.name, want) == 0) {
			*out = fx_strdup(pt.id);
			fx_rec_release(&fx_rt_pricetype, &pt);
			break;
		}
		if (byfold == NULL && fold_eq(pt.name, want))
			byfold = fx_strdup(pt.id);
		fx_rec_release(&fx_rt_pricetype, &pt);
	}
	fx_cur_close(&c);
	if (r == -1) {
		free(byfold);
		return -1;
	}
	if (*out == NULL)
		*out = byfold;
	else
		free(byfold);
	return 0;
}

static int
prices_init(struct cq *cq)
{
	const struct fx_conf *conf = &cq->ctx->conf;

	if (pt_resolve(cq, conf->retail_price_type, &cq->retail_pt) == -1 ||
	    pt_resolve(cq, conf->base_price_type, &cq->base_pt) == -1)
		return -1;
	cq->retail_len = cq->retail_pt != NULL ? strlen(cq->retail_pt) : 0;
	cq->base_len = cq->base_pt != NULL ? strlen(cq->base_pt) : 0;
	return 0;
}

/* The first 8 bytes of an id (zero-padded), to compare as one word. */
static uint64_t
id_pfx(const char *id, size_t len)
{
	uint64_t v = 0;

	memcpy(&v, id, len < 8 ? len : 8);
	return v;
}

/* Warehouses: a handful, loaded once per query when first needed. */
static int
wh_load(struct cq *cq)
{
	struct fx_cur c;
	MDB_val k, v;
	size_t cap = 0, i, j, m, sz;
	char *sp;
	int r, empty = 0;

	if (cq->wh_loaded)
		return 0;
	cq->wh_loaded = 1;
	if (fx_cur_open(&cq->t, FX_K_WAREHOUSE, &c, cq->err) == -1)
		return -1;
	for (r = fx_cur_first(&c, &k, &v, cq->err); r == 0;
	    r = fx_cur_next(&c, &k, &v, cq->err)) {
		cq->wh = fx_grow(cq->wh, &cap, cq->nwh + 1, sizeof(*cq->wh));
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_warehouse,
		    &cq->wh[cq->nwh], cq->err) == -1) {
			r = -1;
			break;
		}
		cq->nwh++;
	}
	fx_cur_close(&c);
	if (r == -1)
		return -1;
	cq->whx = fx_calloc(cq->nwh + 1, sizeof(*cq->whx));
	sz = 0;
	for (i = 0; i < cq->nwh; i++) {
		cq->whx[i].idlen = strlen(cq->wh[i].id);
		cq->whx[i].pfx = id_pfx(cq->wh[i].id, cq->whx[i].idlen);
		cq->whx[i].namelen = strlen(cq->wh[i].name);
		if (cq->whx[i].namelen == 0)
			empty = 1;
		sz += cq->whx[i].idlen + cq->whx[i].namelen + 2;
	}
	cq->whs = fx_malloc(sizeof(*cq->whs) + sz);
	cq->whs->refs = 1;
	sp = cq->whs->s;
	for (i = 0; i < cq->nwh; i++) {
		cq->whx[i].sid = sp;
		memcpy(sp, cq->wh[i].id, cq->whx[i].idlen + 1);
		sp += cq->whx[i].idlen + 1;
		/* A warehouse without a name shows its Ид. */
		cq->whx[i].sname = cq->whx[i].namelen ? sp : cq->whx[i].sid;
		memcpy(sp, cq->wh[i].name, cq->whx[i].namelen + 1);
		sp += cq->whx[i].namelen + 1;
	}
	/*
	 * A handful of warehouses: a name's rank is the number of distinct
	 * names below it, "" included even when no warehouse has it (the
	 * name of one 1C never described).
	 */
	for (i = 0; i < cq->nwh; i++) {
		if (cq->whx[i].namelen == 0)
			continue;
		cq->whx[i].rank = !empty;
		for (j = 0; j < cq->nwh; j++) {
			if (strcmp(cq->wh[j].name, cq->wh[i].name) >= 0)
				continue;
			for (m = 0; m < j; m++)
				if (strcmp(cq->wh[m].name,
				    cq->wh[j].name) == 0)
					break;
			if (m == j)
				cq->whx[i].rank++;
		}
	}
	return 0;
}

static const struct fx_warehouse *
wh_find(struct cq *cq, const char *id, size_t len)
{
	uint64_t pfx = id_pfx(id, len);
	size_t i;

	for (i = 0; i < cq->nwh; i++)
		if (cq->whx != NULL ? cq->whx[i].idlen == len &&
		    cq->whx[i].pfx == pfx &&
		    memcmp(cq->wh[i].id, id, len) == 0 :
		    strlen(cq->wh[i].id) == len &&
		    memcmp(cq->wh[i].id, id, len) == 0)
			return &cq->wh[i];
	return NULL;
}

/*
 * wh_find for the Ид of a stock line.  In a format 2 offers record it is
 * a pointer into refs, the same for every record naming the warehouse;
 * in format 1, into the store, where the same pointer is the same bytes
 * for a read transaction.  So a pointer seen before needs no comparing.
 * A borrowed transaction may be a write, whose pages can be reused: not
 * there.
 */
static const struct fx_warehouse *
wh_by_ptr(struct cq *cq, const char *id, size_t len)
{
	const struct fx_warehouse *w;
	size_t i;

	if (cq->borrowed)
		return wh_find(cq, id, len);
	for (i = 0; i < cq->nwhm; i++)
		if (cq->whm[i].id == id)
			return cq->whm[i].w;
	w = wh_find(cq, id, len);
	if (cq->nwhm < nitems(cq->whm)) {
		cq->whm[cq->nwhm].id = id;
		cq->whm[cq->nwhm++].w = w;
	}
	return w;
}

static int
wh_select(struct cq *cq, const char *want)
{
	char q[128];
	size_t i;

	if (wh_load(cq) == -1)
		return -1;
	if ((cq->wh_sel = wh_find(cq, want, strlen(want))) != NULL)
		return 0;
	for (i = 0; i < cq->nwh; i++)
		if (strcmp(cq->wh[i].name, want) == 0)
			return (cq->wh_sel = &cq->wh[i]), 0;
	for (i = 0; i < cq->nwh; i++)
		if (fold_eq(cq->wh[i].name, want))
			return (cq->wh_sel = &cq->wh[i]), 0;
	return fx_err_set(cq->err, FX_ENOTFOUND, "unknown warehouse \"%s\"",
	    fx_quote(q, sizeof(q), want));
}

/* Groups. */

static int
group_get(struct cq *cq, const char *id, const struct fx_group **gp)
{
	struct gmemo *m;
	struct fx_group *g;
	void **val;
	size_t len;
	int r;

	*gp = NULL;
	if (id == NULL || *id == '\0')
		return 0;
	if (cq->gmemo == NULL)
		cq->gmemo = fx_calloc(GMEMO_N, sizeof(*cq->gmemo));
	len = strlen(id);
	m = &cq->gmemo[(id_pfx(id, len) * 0x9e3779b97f4a7c15ull) >>
	    (64 - GMEMO_BITS)];
	if (m->g != NULL && strcmp(m->g->id, id) == 0) {
		*gp = m->g;
		return 0;
	}
	if ((val = fx_map_get(&cq->groups, id)) != NULL) {
		*gp = *val;
		goto memo;
	}
	if (cq->groups_all)
		return 0;
	g = fx_calloc(1, sizeof(*g));
	r = fx_db_getrec(&cq->t, FX_K_GROUP, id, len, &fx_rt_group, g,
	    cq->err);
	if (r == -1) {
		free(g);
		return -1;
	}
	if (r == 1) {
		free(g);
		g = NULL;
	}
	*fx_map_put(&cq->groups, id) = g;
	*gp = g;
memo:
	if (*gp != NULL && strcmp((*gp)->id, id) == 0)
		m->g = *gp;
	return 0;
}

/* Load the whole tree (~200 groups) for name lookups and listings. */
static int
groups_load(struct cq *cq)
{
	struct fx_group *g;
	struct fx_cur c;
	MDB_val k, v;
	void **slot;
	int r;

	if (cq->groups_all)
		return 0;
	if (fx_cur_open(&cq->t, FX_K_GROUP, &c, cq->err) == -1)
		return -1;
	for (r = fx_cur_first(&c, &k, &v, cq->err); r == 0;
	    r = fx_cur_next(&c, &k, &v, cq->err)) {
		g = fx_calloc(1, sizeof(*g));
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_group, g,
		    cq->err) == -1) {
			free(g);
			r = -1;
			break;
		}
		slot = fx_map_put(&cq->groups, g->id);
		if (*slot != NULL) {
			group_free(g);
			continue;
		}
		*slot = g;
	}
	fx_cur_close(&c);
	if (r == -1)
		return -1;
	cq->groups_all = 1;
	return 0;
}

static int
group_select(struct cq *cq, const char *want)
{
	const struct fx_group *g;
	char q[128];
	size_t i, cap = 0;

	if (group_get(cq, want, &g) == -1)
		return -1;
	if (g != NULL) {
		cq->gsel = fx_grow(cq->gsel, &cap, 1, sizeof(*cq->gsel));
		cq->gsel[cq->ngsel++] = fx_strdup(g->id);
		return 0;
	}
	/* By name: every group of that name, with its subtree. */
	if (groups_load(cq) == -1)
		return -1;
	for (i = 0; i < cq->groups.cap; i++) {
		g = cq->groups.v[i].val;
		if (cq->groups.v[i].key == NULL || g == NULL)
			continue;
		if (!fold_eq(g->name, want))
			continue;
		cq->gsel = fx_grow(cq->gsel, &cap, cq->ngsel + 1,
		    sizeof(*cq->gsel));
		cq->gsel[cq->ngsel++] = fx_strdup(g->id);
	}
	if (cq->ngsel == 0)
		return fx_err_set(cq->err, FX_ENOTFOUND, "unknown group \"%s\"",
		    fx_quote(q, sizeof(q), want));
	return 0;
}

/* Is group id (or one of its ancestors) selected? */
static int
group_in(struct cq *cq, const char *id, int *in)
{
	const struct fx_group *g;
	size_t i;
	int d;

	*in = 0;
	for (d = 0; d < MAXDEPTH && id != NULL && *id != '\0'; d++) {
		for (i = 0; i < cq->ngsel; i++)
			if (strcmp(cq->gsel[i], id) == 0) {
				*in = 1;
				return 0;
			}
		if (group_get(cq, id, &g) == -1)
			return -1;
		if (g == NULL)
			break;
		id = g->parent;
	}
	return 0;
}

/* The legal entity: INN, INN/KPP or Ид. */

static int
entity_load(struct cq *cq, const void *id, size_t len, struct fx_entity *e)
{
	int r;

	r = fx_db_getrec(&cq->t, FX_K_ENTITY, id, len, &fx_rt_entity, e,
	    cq->err);
	if (r == 1)
		memset(e, 0, sizeof(*e));
	return r;
}

/*
 * Entities under one key of the INN index.  kpp, when not NULL, keeps
 * only the entities with that KPP.  The first match goes to *e, the
 * number of matches to *n.
 */
static int
entity_by_inn(struct cq *cq, const char *key, const char *kpp,
    struct fx_entity *e, size_t *n)
{
	struct fx_entity x;
	struct fx_cur c;
	MDB_val k, v;
	int r, rr;

	*n = 0;
	if (fx_cur_open(&cq->t, FX_K_IDX_INN, &c, cq->err) == -1)
		return -1;
	for (r = fx_cur_dup_first(&c, key, strlen(key), &k, &v, cq->err);
	    r == 0; r = fx_cur_dup_next(&c, &k, &v, cq->err)) {
		rr = entity_load(cq, v.mv_data, v.mv_size, &x);
		if (rr == -1) {
			r = -1;
			break;
		}
		if (rr == 1)
			continue;	/* a stale index entry */
		if (kpp != NULL && strcmp(x.kpp, kpp) != 0) {
			fx_entity_release(&x);
			continue;
		}
		if ((*n)++ == 0)
			*e = x;
		else
			fx_entity_release(&x);
	}
	fx_cur_close(&c);
	if (r == -1 && *n > 0)
		fx_entity_release(e);
	return r == -1 ? -1 : 0;
}

static int
entity_resolve(struct cq *cq, const char *want)
{
	char q[128], inn[64];
	const char *slash, *kpp = NULL;
	size_t n = 0;
	int r;

	fx_quote(q, sizeof(q), want);
	slash = strchr(want, '/');
	if (slash != NULL && (size_t)(slash - want) < sizeof(inn)) {
		memcpy(inn, want, (size_t)(slash - want));
		inn[slash - want] = '\0';
		kpp = slash + 1;
	} else if (fx_strlcpy(inn, want, sizeof(inn)) == -1)
		inn[0] = '\0';
	/* The index may hold "INN/KPP" keys as well as bare INNs. */
	if (slash != NULL && entity_by_inn(cq, want, NULL, &cq->ent, &n) == -1)
		return -1;
	if (n == 0 && inn[0] != '\0' &&
	    entity_by_inn(cq, inn, kpp, &cq->ent, &n) == -1)
		return -1;
	if (n > 1) {
		fx_entity_release(&cq->ent);
		if (kpp != NULL)
			return fx_err_set(cq->err, FX_EDATA, "INN/KPP \"%s\" "
			    "matches %zu legal entities: give the entity Ид",
			    q, n);
		return fx_err_set(cq->err, FX_EDATA, "INN \"%s\" matches %zu "
		    "legal entities: give INN/KPP", q, n);
	}
	if (n == 0) {
		r = entity_load(cq, want, strlen(want), &cq->ent);
		if (r == -1)
			return -1;
		if (r == 1)
			return fx_err_set(cq->err, FX_ENOTFOUND,
			    "unknown legal entity \"%s\"", q);
	}
	/* A dealer's user sees only its own: the rest do not exist. */
	if (fx_acl_check_txn(cq->ctx, &cq->t, FX_ACT_VIEW, cq->ent.id, NULL,
	    cq->err) == -1) {
		fx_entity_release(&cq->ent);
		if (cq->err->code == FX_ENOTFOUND)
			fx_err_set(cq->err, FX_ENOTFOUND, "unknown legal entity "
			    "\"%s\"", q);
		return -1;
	}
	cq->have_ent = 1;
	return 0;
}

/*
 * A dealer's user who names no entity gets the prices of the one entity
 * it may see, if there is exactly one.
 */
static int
entity_default(struct cq *cq)
{
	struct fx_cur c;
	MDB_val k, v;
	char only[256];
	int r, vis, n = 0;

	if (fx_cur_open(&cq->t, FX_K_ENTITY, &c, cq->err) == -1)
		return -1;
	only[0] = '\0';
	for (r = fx_cur_first(&c, &k, &v, cq->err); r == 0 && n < 2;
	    r = fx_cur_next(&c, &k, &v, cq->err)) {
		char id[256];

		if (k.mv_size >= sizeof(id))
			continue;
		memcpy(id, k.mv_data, k.mv_size);
		id[k.mv_size] = '\0';
		if (fx_acl_visible(cq->ctx, &cq->t, id, &vis, cq->err) == -1) {
			r = -1;
			break;
		}
		if (vis && n++ == 0)
			fx_strlcpy(only, id, sizeof(only));
	}
	fx_cur_close(&c);
	if (r == -1)
		return -1;
	if (n != 1)
		return 0;
	r = entity_load(cq, only, strlen(only), &cq->ent);
	if (r != 0)
		return r == 1 ? 0 : -1;
	cq->have_ent = 1;
	return 0;
}

/* The entity's discount rules: entity \0 group -> hundredths of %. */
static int
rules_load(struct cq *cq)
{
	struct fx_amount a;
	struct fx_cur c;
	MDB_val k, v;
	size_t cap = 0;
	int r;

	KEY(cq, cq->ent.id, "");
	if (fx_cur_open(&cq->t, FX_K_DISCOUNT, &c, cq->err) == -1)
		return -1;
	for (r = fx_cur_seek(&c, cq->kb.p, cq->kb.len, &k, &v, cq->err);
	    r == 0 && has_prefix(&k, &cq->kb);
	    r = fx_cur_next(&c, &k, &v, cq->err)) {
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_amount, &a,
		    cq->err) == -1) {
			r = -1;
			break;
		}
		cq->rules = fx_grow(cq->rules, &cap, cq->nrules + 1,
		    sizeof(*cq->rules));
		cq->rules[cq->nrules].group = fx_strndup(
		    (const char *)k.mv_data + cq->kb.len,
		    k.mv_size - cq->kb.len);
		cq->rules[cq->nrules++].pct = (int32_t)a.v;
	}
	fx_cur_close(&c);
	return r == -1 ? -1 : 0;
}

/* The discount of the nearest group with a rule, else the default. */
static int
discount_of(struct cq *cq, const char *group, int32_t *pct)
{
	const struct fx_group *g;
	size_t i;
	int d;

	*pct = cq->ent.default_discount;
	if (cq->nrules == 0)
		return 0;
	for (d = 0; d < MAXDEPTH && group != NULL && *group != '\0'; d++) {
		for (i = 0; i < cq->nrules; i++)
			if (strcmp(cq->rules[i].group, group) == 0) {
				*pct = cq->rules[i].pct;
				return 0;
			}
		if (group_get(cq, group, &g) == -1)
			return -1;
		if (g == NULL)
			break;
		group = g->parent;
	}
	return 0;
}

static int
is_base_type(struct cq *cq, const char *pt)
{
	const char *conf = cq->ctx->conf.base_price_type;

	return (cq->base_pt != NULL && strcmp(pt, cq->base_pt) == 0) ||
	    (conf != NULL && strcmp(pt, conf) == 0);
}

static int
net_price(struct cq *cq, struct fx_item *it, int64_t own)
{
	it->net = -1;
	it->discount = 0;
	it->own_price = 0;
	if (!cq->have_ent)
		return 0;
	if (cq->ent.price_type[0] != '\0' &&
	    !is_base_type(cq, cq->ent.price_type) && own >= 0) {
		it->net = own;
		it->own_price = 1;
		return 0;
	}
	if (discount_of(cq, it->p.group, &it->discount) == -1)
		return -1;
	if (it->base >= 0)
		it->net = fx_price_discount(it->base, it->discount);
	return 0;
}

/* Stock. */

struct sline {
	const char			*wid;	/* in the map */
	size_t				 wlen;
	const struct whx		*x;	/* the known warehouse */
	size_t				 rank;	/* of its name: struct whx */
	int64_t				 qty;
};

/* By warehouse name (its rank stands for it), then Ид. */
static int
sline_cmp(const void *a, const void *b)
{
	const struct sline *x = a, *y = b;
	size_t n = x->wlen < y->wlen ? x->wlen : y->wlen;
	int c;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if ((c = memcmp(x->wid, y->wid, n)) != 0)
		return c;
	return x->wlen < y->wlen ? -1 : x->wlen > y->wlen;
}

/*
 * Stock per warehouse, sorted by warehouse name, in one allocation (the
 * array, then its strings, then gname as it->group_name: one malloc less
 * per item) that fx_items_release frees at once.  *here is
 * the quantity at the selected warehouse (or the total without one).
 */
static int
stock_fill(struct cq *cq, struct fx_item *it, const char *gname,
    int64_t *here)
{
	struct sline lines[32], *ln = lines;
	struct fx_stock_line *out;
	const struct fx_warehouse *w;
	size_t n = 0, cap = nitems(lines), keep, sz, gl, i;
	char *sp;

	it->total = 0;
	*here = 0;
	if (wh_load(cq) == -1 || offer_load(cq, it->p.id) == -1)
		return -1;
	for (i = 0; i < cq->offer.nstock; i++) {
		const struct fx_qv_view *q = &cq->offer.stock[i];

		if (n == cap) {
			cap *= 2;
			if (ln == lines) {
				ln = fx_malloc(cap * sizeof(*ln));
				memcpy(ln, lines, sizeof(lines));
			} else
				ln = fx_realloc(ln, cap * sizeof(*ln));
		}
		ln[n].wid = q->id;
		ln[n].wlen = q->len;
		w = wh_by_ptr(cq, ln[n].wid, ln[n].wlen);
		if (w != NULL) {
			ln[n].x = &cq->whx[w - cq->wh];
			ln[n].rank = ln[n].x->rank;
		} else {
			ln[n].x = NULL;
			ln[n].rank = 0;
		}
		ln[n].qty = q->v;
		it->total += q->v;
		n++;
	}
	if (n == 0) {
		/* No warehouse records: the total as 1C sent it. */
		it->total = cq->offer.has_total ? cq->offer.total : 0;
		if (cq->wh_sel == NULL)
			*here = it->total;
		goto fill;
	}
	if (cq->wh_sel == NULL)
		*here = it->total;
	/* Show the selected warehouse only. */
	for (i = keep = 0; i < n; i++) {
		if (cq->wh_sel != NULL) {
			if (strlen(cq->wh_sel->id) != ln[i].wlen ||
			    memcmp(cq->wh_sel->id, ln[i].wid, ln[i].wlen) != 0)
				continue;
			*here = ln[i].qty;
		}
		ln[keep++] = ln[i];
	}
	n = keep;
	/* A handful of warehouses: insertion sort beats qsort's set-up. */
	for (i = 1; i < n; i++) {
		struct sline t = ln[i];
		size_t j = i;

		while (j > 0 && sline_cmp(&ln[j - 1], &t) > 0) {
			ln[j] = ln[j - 1];
			j--;
		}
		ln[j] = t;
	}
fill:
	/*
	 * The group's name goes in the same block, stock or none, and so
	 * does the Ид of a warehouse 1C never described (shown for its
	 * name); the others point into the shared strings.
	 */
	sz = n * sizeof(*out);
	for (i = 0; i < n; i++)
		if (ln[i].x == NULL)
			sz += ln[i].wlen + 1;
	gl = strlen(gname);
	out = fx_malloc(sz + gl + 1);
	sp = (char *)(out + n);
	for (i = 0; i < n; i++) {
		if (ln[i].x != NULL) {
			out[i].warehouse = ln[i].x->sid;
			out[i].warehouse_name = ln[i].x->sname;
			if (it->whs == NULL) {
				it->whs = cq->whs;
				cq->whs->refs++;
			}
		} else {
			out[i].warehouse = out[i].warehouse_name = sp;
			memcpy(sp, ln[i].wid, ln[i].wlen);
			sp[ln[i].wlen] = '\0';
			sp += ln[i].wlen + 1;
		}
		out[i].qty = ln[i].qty;
	}
	memcpy(sp, gname, gl + 1);
	it->group_name = sp;
	it->stock = out;
	it->nstock = n;
	if (ln != lines)
		free(ln);
	return 0;
}

/* Deliveries. */

struct aline {
	const char	*date, *deliv;	/* in the map */
	size_t		 dlen, devlen;
	char		*wid;		/* new */
	const char	*wname;
	int64_t		 qty;
};

/* A delivery line's warehouse: the delivery's, when the line has none. */
static int
dline_warehouse(struct cq *cq, const char *deliv, size_t len, char **wid)
{
	struct fx_delivery d;
	int r;

	r = fx_db_getrec(&cq->t, FX_K_DELIVERY, deliv, len, &fx_rt_delivery,
	    &d, cq->err);
	if (r == -1)
		return -1;
	if (r == 1)
		return 0;
	free(*wid);
	*wid = fx_strdup(d.warehouse);
	fx_rec_release(&fx_rt_delivery, &d);
	return 0;
}

/* Split "product \0 date \0 delivery" after the product prefix. */
static int
dline_key(const MDB_val *k, size_t plen, const char **date, size_t *dlen,
    const char **deliv, size_t *devlen)
{
	const char *p = (const char *)k->mv_data + plen;
	const char *end = (const char *)k->mv_data + k->mv_size;
	const char *z = memchr(p, '\0', (size_t)(end - p));

	if (z == NULL)
		return -1;
	*date = p;
	*dlen = (size_t)(z - p);
	*deliv = z + 1;
	*devlen = (size_t)(end - (z + 1));
	return 0;
}

/*
 * Would the seek for cq->kb (pid \0 today) find no line of pid?  Yes if
 * an earlier seek, for a smaller Ид, left the cursor at the end or at a
 * key not below cq->kb and not pid's: that is where this seek would land.
 */
static int
dl_none(struct cq *cq, const char *pid)
{
	const MDB_val *k = &cq->dl_k;
	size_t n, plen = strlen(pid) + 1;
	int c;

	/* A borrowed transaction may write between lookups: seek. */
	if (!cq->dl_valid || cq->borrowed || strcmp(pid, cq->dl_pid) <= 0)
		return 0;
	if (cq->dl_end)
		goto none;
	n = k->mv_size < cq->kb.len ? k->mv_size : cq->kb.len;
	c = memcmp(cq->kb.p, k->mv_data, n);
	if (c > 0 || (c == 0 && cq->kb.len > k->mv_size))
		return 0;	/* past it: seek */
	if (k->mv_size >= plen && memcmp(k->mv_data, pid, plen) == 0)
		return 0;	/* pid's own line: read it */
none:
	memcpy(cq->dl_pid, pid, plen);
	return 1;
}

/*
 * The next conf.deliveries_shown delivery lines dated today or later, and
 * whether there is any (*due).  Keys sort by date, so one seek finds them.
 */
static int
arrivals_fill(struct cq *cq, struct fx_item *it, int *due)
{
	struct aline al[100];	/* formix.yaml caps deliveries_shown at 100 */
	struct fx_arrival *out;
	const struct fx_warehouse *w;
	struct fx_dline dl;
	MDB_val k, v;
	size_t plen, n = 0, want, sz, i;
	char *sp;
	int r;

	*due = 0;
	if (!cq->cdline_open) {
		if (fx_cur_open(&cq->t, FX_K_DLINE, &cq->cdline, cq->err) == -1)
			return -1;
		cq->cdline_open = 1;
	}
	want = cq->ctx->conf.deliveries_shown > 0 ?
	    (size_t)cq->ctx->conf.deliveries_shown : 0;
	if (want > nitems(al))
		want = nitems(al);
	/* KEY(cq, it->p.id, "") and today, without the variadic walk. */
	plen = strlen(it->p.id) + 1;
	fx_buf_reset(&cq->kb);
	fx_buf_add(&cq->kb, it->p.id, plen);
	fx_buf_adds(&cq->kb, cq->today);
	if (dl_none(cq, it->p.id))
		return 0;
	cq->dl_valid = 0;
	if (cq->kb.len > 511 || plen > sizeof(cq->dl_pid))
		r = 1;		/* no such key: the cursor stays */
	else {
		r = fx_cur_seek(&cq->cdline, cq->kb.p, cq->kb.len, &k, &v,
		    cq->err);
		cq->dl_valid = 1;
		memcpy(cq->dl_pid, it->p.id, plen);
	}
	cq->kb.len = plen;
	for (; r == 0 && has_prefix(&k, &cq->kb);
	    r = fx_cur_next(&cq->cdline, &k, &v, cq->err)) {
		*due = 1;
		if (n == want) {
			cq->dl_valid = 0;	/* left inside the lines */
			break;
		}
		if (dline_key(&k, plen, &al[n].date, &al[n].dlen, &al[n].deliv,
		    &al[n].devlen) == -1)
			continue;
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_dline, &dl,
		    cq->err) == -1) {
			r = -1;
			break;
		}
		al[n].qty = dl.qty;
		al[n].wid = dl.warehouse;
		dl.warehouse = NULL;
		fx_rec_release(&fx_rt_dline, &dl);
		n++;
	}
	if (r == -1) {
		cq->dl_valid = 0;
		goto fail;
	}
	cq->dl_end = r == 1;
	cq->dl_k = k;
	if (n == 0)
		return 0;
	if (wh_load(cq) == -1)
		goto fail;
	sz = n * sizeof(*out);
	for (i = 0; i < n; i++) {
		if (al[i].wid[0] == '\0' && dline_warehouse(cq, al[i].deliv,
		    al[i].devlen, &al[i].wid) == -1)
			goto fail;
		w = wh_find(cq, al[i].wid, strlen(al[i].wid));
		al[i].wname = w != NULL ? w->name : al[i].wid;
		sz += al[i].dlen + al[i].devlen + strlen(al[i].wid) +
		    strlen(al[i].wname) + 4;
	}
	out = fx_malloc(sz);
	sp = (char *)(out + n);
#define PUT(dst, s, len)	do { (dst) = sp; memcpy(sp, (s), (len)); \
	sp[len] = '\0'; sp += (len) + 1; } while (0)
	for (i = 0; i < n; i++) {
		PUT(out[i].delivery, al[i].deliv, al[i].devlen);
		PUT(out[i].date, al[i].date, al[i].dlen);
		PUT(out[i].warehouse_name, al[i].wname, strlen(al[i].wname));
		PUT(out[i].warehouse, al[i].wid, strlen(al[i].wid));
		out[i].qty = al[i].qty;
		free(al[i].wid);
	}
#undef PUT
	it->arrivals = out;
	it->narrivals = n;
	return 0;
fail:
	for (i = 0; i < n; i++)
		free(al[i].wid);
	return -1;
}

/* Items. */

static void
item_release(struct fx_item *it)
{
	if (it->blk != NULL)
		free(it->blk);		/* packed: one block */
	else
		fx_product_release(&it->p);
	free(it->stock);		/* and group_name, in it */
	free(it->arrivals);
	whs_unref(it->whs);
	memset(it, 0, sizeof(*it));
}

/*
 * Fill in everything about product p (taken) and apply the filters.
 * Returns 0 with *keep set, or -1; a rejected item is released.
 */
static int
item_fill(struct cq *cq, struct fx_product *p, void *blk, struct fx_item *it,
    int *keep)
{
	const struct fx_group *g;
	int64_t here, own;
	int due, in;

	memset(it, 0, sizeof(*it));
	it->p = *p;
	it->blk = blk;
	memset(p, 0, sizeof(*p));
	*keep = 0;
	if (cq->ngsel > 0) {
		if (group_in(cq, it->p.group, &in) == -1)
			goto fail;
		if (!in)
			goto drop;
	}
	if (group_get(cq, it->p.group, &g) == -1 ||
	    stock_fill(cq, it, g != NULL ? g->name : "", &here) == -1)
		goto fail;
	if ((cq->flags & FX_Q_INSTOCK) && here <= 0)
		goto drop;
	if (arrivals_fill(cq, it, &due) == -1)
		goto fail;
	if ((cq->flags & FX_Q_INCOMING) && !due)
		goto drop;
	if (prices_fill(cq, it, &own) == -1 || net_price(cq, it, own) == -1)
		goto fail;
	*keep = 1;
	return 0;
drop:
	item_release(it);
	return 0;
fail:
	item_release(it);
	return -1;
}

static void
items_add(struct fx_items *items, struct fx_item *it)
{
	/* Most lookups find one product: start with room for just one. */
	if (items->cap == 0) {
		items->v = fx_malloc(sizeof(*items->v));
		items->cap = 1;
	}
	items->v = fx_grow(items->v, &items->cap, items->n + 1,
	    sizeof(*items->v));
	items->v[items->n++] = *it;
}

static int
add_product(struct cq *cq, struct fx_items *items, struct fx_product *p,
    void *blk)
{
	struct fx_item it;
	int keep;

	if (item_fill(cq, p, blk, &it, &keep) == -1)
		return -1;
	if (keep)
		items_add(items, &it);
	return 0;
}

/* The product whose record is v. */
static int
by_val(struct cq *cq, const void *v, size_t vl, struct fx_items *items)
{
	struct fx_product p;
	void *blk;

	/* One allocation for the product's strings: thousands of lookups. */
	if (fx_rec_decode_packed(v, vl, &cq->head, &p, &blk, cq->err) == -1)
		return -1;
	return add_product(cq, items, &p, blk);
}

static int
by_id(struct cq *cq, const char *id, struct fx_items *items)
{
	const void *v;
	size_t vl;
	int r;

	r = cur_get(cq, &cq->cprod, &cq->cprod_open, FX_K_PRODUCT, id, &v,
	    &vl);
	if (r != 0)
		return r == 1 ? 0 : -1;
	return by_val(cq, v, vl, items);
}

static int
by_article(struct cq *cq, const char *article, struct fx_items *items)
{
	char norm[512];
	char (*ids)[512] = NULL;
	MDB_val k, v;
	size_t n = 0, cap = 0, i;
	int r;

	if (fx_article_norm(article, norm, sizeof(norm)) == -1 ||
	    norm[0] == '\0')
		return 0;	/* not UTF-8 or blank: no product has it */
	if (!cq->cidx_open) {
		if (fx_cur_open(&cq->t, FX_K_IDX_ARTICLE, &cq->cidx,
		    cq->err) == -1)
			return -1;
		cq->cidx_open = 1;
	}
	/* Copy the ids out first: values live only until the next read. */
	for (r = fx_cur_dup_first(&cq->cidx, norm, strlen(norm), &k, &v,
	    cq->err); r == 0; r = fx_cur_dup_next(&cq->cidx, &k, &v, cq->err)) {
		if (v.mv_size >= sizeof(*ids))
			continue;
		ids = fx_grow(ids, &cap, n + 1, sizeof(*ids));
		memcpy(ids[n], v.mv_data, v.mv_size);
		ids[n++][v.mv_size] = '\0';
	}
	for (i = 0; r != -1 && i < n; i++)
		if (by_id(cq, ids[i], items) == -1)
			r = -1;
	free(ids);
	return r == -1 ? -1 : 0;
}

/* Words of a search, case-folded. */
struct words {
	char		**w;
	size_t		 n;
	char		 norm[512];	/* the whole query as an article */
	struct fx_map	 art;		/* ids whose article starts with it */
};

static void
words_release(struct words *ws)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		free(ws->w[i]);
	free(ws->w);
	fx_map_release(&ws->art, NULL);
}

static int
words_init(struct cq *cq, const char *text, struct words *ws)
{
	const char *p = text, *s;
	char word[512], folded[512];
	struct fx_cur c;
	MDB_val k, v;
	size_t cap = 0, len;
	int r;

	memset(ws, 0, sizeof(*ws));
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		for (s = p; *p != '\0' && *p != ' ' && *p != '\t' &&
		    *p != '\n' && *p != '\r'; p++)
			;
		len = (size_t)(p - s);
		if (len >= sizeof(word))
			len = sizeof(word) - 1;
		memcpy(word, s, len);
		word[len] = '\0';
		if (fx_fold(word, folded, sizeof(folded)) == -1)
			return fx_err_set(cq->err, FX_EUSAGE, "search text is "
			    "not UTF-8");
		ws->w = fx_grow(ws->w, &cap, ws->n + 1, sizeof(*ws->w));
		ws->w[ws->n++] = fx_strdup(folded);
	}
	if (ws->n == 0)
		return 0;
	/* The article index is sorted: prefix matches are one range. */
	if (fx_article_norm(text, ws->norm, sizeof(ws->norm)) == -1 ||
	    ws->norm[0] == '\0')
		return 0;
	if (fx_cur_open(&cq->t, FX_K_IDX_ARTICLE, &c, cq->err) == -1)
		return -1;
	len = strlen(ws->norm);
	for (r = fx_cur_seek(&c, ws->norm, len, &k, &v, cq->err);
	    r == 0 && k.mv_size >= len && memcmp(k.mv_data, ws->norm, len) == 0;
	    r = fx_cur_next(&c, &k, &v, cq->err)) {
		char id[512];

		if (v.mv_size >= sizeof(id))
			continue;
		memcpy(id, v.mv_data, v.mv_size);
		id[v.mv_size] = '\0';
		fx_map_put(&ws->art, id);
	}
	fx_cur_close(&c);
	return r == -1 ? -1 : 0;
}

static int
words_match(struct words *ws, const struct fx_product *p)
{
	char folded[1024];
	size_t i;

	if (ws->n == 0)
		return 1;
	if (ws->art.n > 0 && fx_map_get(&ws->art, p->id) != NULL)
		return 1;
	if (fx_fold(p->name, folded, sizeof(folded)) == -1)
		return 0;
	for (i = 0; i < ws->n; i++)
		if (strstr(folded, ws->w[i]) == NULL)
			return 0;
	return 1;
}

/* Listing and search: one pass over the products. */
static int
scan(struct cq *cq, const char *text, struct fx_items *items)
{
	struct fx_product p;
	struct words ws;
	struct fx_cur c;
	MDB_val k, v;
	int r, keep;

	if (words_init(cq, text != NULL ? text : "", &ws) == -1) {
		words_release(&ws);
		return -1;
	}
	if (cq->ngsel > 0 && groups_load(cq) == -1) {
		words_release(&ws);
		return -1;
	}
	if (fx_cur_open(&cq->t, FX_K_PRODUCT, &c, cq->err) == -1) {
		words_release(&ws);
		return -1;
	}
	for (r = fx_cur_first(&c, &k, &v, cq->err); r == 0;
	    r = fx_cur_next(&c, &k, &v, cq->err)) {
		if (ws.n > 0) {
			/* Most records fail the words: decode little first. */
			if (prod_decode(cq, v.mv_data, v.mv_size, &p,
			    1) == -1) {
				r = -1;
				break;
			}
			keep = words_match(&ws, &p);
			fx_product_release(&p);
			if (!keep)
				continue;
		}
		if (prod_decode(cq, v.mv_data, v.mv_size, &p, 0) == -1) {
			r = -1;
			break;
		}
		if (p.deleted && !(cq->flags & FX_Q_DELETED)) {
			fx_product_release(&p);
			continue;
		}
		if (add_product(cq, items, &p, NULL) == -1) {
			r = -1;
			break;
		}
	}
	fx_cur_close(&c);
	words_release(&ws);
	return r == -1 ? -1 : 0;
}

static int
item_cmp(const void *a, const void *b)
{
	const struct fx_item *x = a, *y = b;
	int c;

	if ((c = strcmp(x->p.article, y->p.article)) != 0)
		return c;
	if ((c = strcmp(x->p.name, y->p.name)) != 0)
		return c;
	return strcmp(x->p.id, y->p.id);
}

static int
asof_get(struct cq *cq, const char *name, char *buf, size_t sz)
{
	return fx_meta_get(&cq->t, name, buf, sz, cq->err) == -1 ? -1 : 0;
}

/*
 * Open a query: the transaction, the as-of times, the price types and the
 * filters of q (entity, group, warehouse, flags), resolved once.  Several
 * lookups may then share it (cq_find): the caches stay warm and LMDB
 * looks each named DB up once per transaction, not once per lookup.
 */
static int
cq_start(struct cq *cq, struct fx_ctx *ctx, const struct fx_query *q,
    struct fx_txn *borrow, struct fx_err *err)
{
	static const char *const names[4] = {
		"catalog_asof", "offers_asof", "conditions_asof",
		"deliveries_asof"
	};
	size_t i;

	if (cq_open(cq, ctx, borrow, err) == -1 ||
	    fx_refs_load(&cq->t, 0, &cq->refs, err) == -1)
		return -1;
	cq->flags = q->flags;
	for (i = 0; i < 4; i++)
		if (asof_get(cq, names[i], cq->asof[i],
		    sizeof(cq->asof[i])) == -1)
			return -1;
	if (prices_init(cq) == -1)
		return -1;
	if (q->entity != NULL && (entity_resolve(cq, q->entity) == -1 ||
	    rules_load(cq) == -1))
		return -1;
	if (q->entity == NULL && !fx_ctx_actor(ctx)->staff &&
	    fx_ctx_actor(ctx)->resolved && (entity_default(cq) == -1 ||
	    (cq->have_ent && rules_load(cq) == -1)))
		return -1;
	if (q->group != NULL && group_select(cq, q->group) == -1)
		return -1;
	if (q->warehouse != NULL && wh_select(cq, q->warehouse) == -1)
		return -1;
	return 0;
}

/* One lookup in an open query: q's id, article or text, and its limit. */
static int
cq_find(struct cq *cq, const struct fx_query *q, struct fx_items *items)
{
	size_t i;
	int r;

	memset(items, 0, sizeof(*items));
	memcpy(items->catalog_asof, cq->asof[0], sizeof(items->catalog_asof));
	memcpy(items->offers_asof, cq->asof[1], sizeof(items->offers_asof));
	memcpy(items->conditions_asof, cq->asof[2],
	    sizeof(items->conditions_asof));
	memcpy(items->deliveries_asof, cq->asof[3],
	    sizeof(items->deliveries_asof));
	if (q->id != NULL)
		r = by_id(cq, q->id, items);
	else if (q->article != NULL)
		r = by_article(cq, q->article, items);
	else
		r = scan(cq, q->text, items);
	if (r == -1) {
		fx_items_release(items);
		return -1;
	}
	if (items->n > 1)
		qsort(items->v, items->n, sizeof(*items->v), item_cmp);
	if (q->limit > 0 && items->n > q->limit) {
		for (i = q->limit; i < items->n; i++)
			item_release(&items->v[i]);
		items->n = q->limit;
	}
	return 0;
}

struct fx_catalog {
	struct cq	 cq;
};

int
fx_catalog_open(struct fx_ctx *ctx, const struct fx_query *filters,
    struct fx_catalog **catp, struct fx_err *err)
{
	struct fx_catalog *cat = fx_calloc(1, sizeof(*cat));

	*catp = NULL;
	if (cq_start(&cat->cq, ctx, filters, NULL, err) == -1) {
		cq_close(&cat->cq);
		free(cat);
		return -1;
	}
	*catp = cat;
	return 0;
}

int
fx_catalog_open_txn(struct fx_ctx *ctx, struct fx_txn *t,
    const struct fx_query *filters, struct fx_catalog **catp,
    struct fx_err *err)
{
	struct fx_catalog *cat = fx_calloc(1, sizeof(*cat));

	*catp = NULL;
	if (cq_start(&cat->cq, ctx, filters, t, err) == -1) {
		cq_close(&cat->cq);
		free(cat);
		return -1;
	}
	*catp = cat;
	return 0;
}

static int64_t
offer_stock(const struct fx_offer_view *o)
{
	int64_t q = 0;
	size_t i;

	if (o->has_total)
		q = o->total;
	else
		for (i = 0; i < o->nstock; i++)
			q += o->stock[i].v > 0 ? o->stock[i].v : 0;
	return q > 0 ? q : 0;
}

int
fx_stock_promised(struct fx_txn *t, const char *product, int64_t *qty,
    struct fx_err *err)
{
	struct fx_offer_view o;
	const void *v;
	size_t vl;
	int r;

	*qty = 0;
	if ((r = fx_db_get(t, FX_K_OFFER, product, strlen(product), &v, &vl,
	    err)) != 0)
		return r == -1 ? -1 : 0;
	if (fx_offer_view(v, vl, NULL, &o, err) == -1)
		return -1;
	*qty = offer_stock(&o);
	return 0;
}

int
fx_catalog_prices(struct fx_catalog *cat, const char *const *ids, size_t n,
    int64_t *net, int64_t *retail, int64_t *stock, int *gone,
    struct fx_err *err)
{
	struct cq *cq = &cat->cq;
	struct fx_item it;
	const void *v;
	void *blk;
	size_t vl, i;
	int64_t own;
	int r;

	cq->err = err;
	for (i = 0; i < n; i++) {
		net[i] = retail[i] = -1;
		if (stock != NULL)
			stock[i] = 0;
		gone[i] = 1;
		r = cur_get(cq, &cq->cprod, &cq->cprod_open, FX_K_PRODUCT,
		    ids[i], &v, &vl);
		if (r == -1)
			return -1;
		if (r == 1)
			continue;
		memset(&it, 0, sizeof(it));
		if (fx_rec_decode_packed(v, vl, &cq->head, &it.p, &blk,
		    err) == -1)
			return -1;
		gone[i] = it.p.deleted;
		r = prices_fill(cq, &it, &own) == -1 ||
		    net_price(cq, &it, own) == -1 ? -1 : 0;
		net[i] = it.net;
		retail[i] = it.retail;
		free(blk);
		if (r == -1)
			return -1;
		if (stock != NULL)
			stock[i] = offer_stock(&cq->offer);
	}
	return 0;
}

struct fx_txn *
fx_catalog_txn(struct fx_catalog *cat)
{
	return &cat->cq.t;
}

int
fx_catalog_find(struct fx_catalog *cat, const struct fx_query *q,
    struct fx_items *items, struct fx_err *err)
{
	cat->cq.err = err;
	return cq_find(&cat->cq, q, items);
}

/*
 * One product to fetch for query qi of a batch.  The keys live in one
 * buffer (struct wants): thousands of lookups, no allocation each.  pfx
 * holds the key's first 8 bytes big-endian, so that most comparisons are
 * of two integers, and a radix sort on it does most of the sorting.
 */
struct want {
	uint64_t	 pfx;
	size_t		 off;		/* of the key in the buffer */
	size_t		 qi;
};

struct wants {
	struct want	*v, *tmp;
	size_t		 n, cap;
	struct fx_buf	 keys;		/* NUL-terminated, one after another */
};

static const char *
want_key(const struct wants *w, const struct want *x)
{
	return w->keys.p + x->off;
}

static int
want_cmp(const struct wants *w, const struct want *x, const struct want *y)
{
	int c;

	if (x->pfx != y->pfx)
		return x->pfx < y->pfx ? -1 : 1;
	if ((c = strcmp(want_key(w, x), want_key(w, y))) != 0)
		return c;
	return x->qi < y->qi ? -1 : x->qi > y->qi;
}

static void
want_add(struct wants *w, const char *key, size_t len, size_t qi)
{
	unsigned char b[8] = { 0 };
	struct want *x;

	w->v = fx_grow(w->v, &w->cap, w->n + 1, sizeof(*w->v));
	x = &w->v[w->n++];
	x->off = w->keys.len;
	x->qi = qi;
	memcpy(b, key, len < 8 ? len : 8);
	x->pfx = (uint64_t)b[0] << 56 | (uint64_t)b[1] << 48 |
	    (uint64_t)b[2] << 40 | (uint64_t)b[3] << 32 |
	    (uint64_t)b[4] << 24 | (uint64_t)b[5] << 16 |
	    (uint64_t)b[6] << 8 | b[7];
	/* fx_buf_add and a NUL, with one check for room. */
	fx_buf_reserve(&w->keys, len + 1);
	memcpy(w->keys.p + w->keys.len, key, len);
	w->keys.len += len + 1;
	w->keys.p[w->keys.len - 1] = '\0';
	w->keys.p[w->keys.len] = '\0';
}

/*
 * Sort by key, then query: LSD radix on the prefix (stable), then the
 * runs of equal prefixes by the whole comparison.  qsort's calls of a
 * comparator doing strcmp cost more than the lookups' leaf searches.
 */
static void
wants_sort(struct wants *w)
{
	size_t cnts[8][256], *cnt, i, j, b, sum;
	struct want *src, *dst, *t;

	if (w->n < 2)
		return;
	w->tmp = fx_realloc(w->tmp, w->n * sizeof(*w->tmp));
	src = w->v;
	dst = w->tmp;
	/* The counts of all eight bytes in one pass over the keys. */
	memset(cnts, 0, sizeof(cnts));
	for (i = 0; i < w->n; i++) {
		uint64_t p = src[i].pfx;

		cnts[0][p & 0xff]++;
		cnts[1][p >> 8 & 0xff]++;
		cnts[2][p >> 16 & 0xff]++;
		cnts[3][p >> 24 & 0xff]++;
		cnts[4][p >> 32 & 0xff]++;
		cnts[5][p >> 40 & 0xff]++;
		cnts[6][p >> 48 & 0xff]++;
		cnts[7][p >> 56]++;
	}
	for (b = 0; b < 8; b++) {
		int shift = (int)(8 * b);

		cnt = cnts[b];
		if (cnt[(src[0].pfx >> shift) & 0xff] == w->n)
			continue;	/* all alike in this byte */
		for (i = sum = 0; i < 256; i++) {
			size_t c = cnt[i];

			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < w->n; i++)
			dst[cnt[(src[i].pfx >> shift) & 0xff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != w->v)
		memcpy(w->v, src, w->n * sizeof(*w->v));
	/* Equal prefixes: few and short runs; insertion sort them. */
	for (i = 1; i < w->n; i++) {
		struct want x;

		if (w->v[i].pfx != w->v[i - 1].pfx)
			continue;
		x = w->v[i];
		for (j = i; j > 0 && want_cmp(w, &w->v[j - 1], &x) > 0; j--)
			w->v[j] = w->v[j - 1];
		w->v[j] = x;
	}
}

static void
wants_release(struct wants *w)
{
	free(w->v);
	free(w->tmp);
	fx_buf_release(&w->keys);
}

static void
items_init(struct cq *cq, struct fx_items *items)
{
	memset(items, 0, sizeof(*items));
	memcpy(items->catalog_asof, cq->asof[0], sizeof(items->catalog_asof));
	memcpy(items->offers_asof, cq->asof[1], sizeof(items->offers_asof));
	memcpy(items->conditions_asof, cq->asof[2],
	    sizeof(items->conditions_asof));
	memcpy(items->deliveries_asof, cq->asof[3],
	    sizeof(items->deliveries_asof));
}

/*
 * The records of a batch's goods, found first for all of them (the
 * cursors walk the trees in key order), then read: while one item is
 * filled in, the records of the next few are already on their way to the
 * cache.  Read one after the other, each would stall on memory first.
 */
#define PRE_AHEAD	4
#define PRE_LINES	6	/* cache lines of each record asked for */

struct pre {
	const void	*pv, *ov;	/* product, offers records */
	size_t		 pvl, ovl;
	int		 rp, ro;	/* cur_get's 0 or 1 */
};

static void
pre_fetch(const void *v, size_t vl)
{
#ifdef __GNUC__
	size_t i;

	for (i = 0; i < PRE_LINES && i * 64 < vl; i++)
		__builtin_prefetch((const char *)v + i * 64);
#else
	(void)v;
	(void)vl;
#endif
}

static int
goods_get(struct cq *cq, const struct wants *ids, struct fx_items *out)
{
	struct pre *pre;
	const char *key;
	size_t j;
	int r = 0;

	if (ids->n == 0)
		return 0;
	pre = fx_calloc(ids->n, sizeof(*pre));
	for (j = 0; r == 0 && j < ids->n; j++) {
		key = want_key(ids, &ids->v[j]);
		pre[j].rp = cur_get(cq, &cq->cprod, &cq->cprod_open,
		    FX_K_PRODUCT, key, &pre[j].pv, &pre[j].pvl);
		if (pre[j].rp == 0)
			pre[j].ro = cur_get(cq, &cq->coffer,
			    &cq->coffer_open, FX_K_OFFER, key, &pre[j].ov,
			    &pre[j].ovl);
		if (pre[j].rp == -1 || pre[j].ro == -1)
			r = -1;
	}
	for (j = 0; r == 0 && j < ids->n; j++) {
		if (j + PRE_AHEAD < ids->n && pre[j + PRE_AHEAD].rp == 0) {
			pre_fetch(pre[j + PRE_AHEAD].pv, pre[j + PRE_AHEAD].pvl);
			if (pre[j + PRE_AHEAD].ro == 0)
				pre_fetch(pre[j + PRE_AHEAD].ov,
				    pre[j + PRE_AHEAD].ovl);
		}
		if (pre[j].rp != 0)
			continue;
		key = want_key(ids, &ids->v[j]);
		if (offer_set(cq, key, pre[j].ro, pre[j].ov,
		    pre[j].ovl) == -1 || by_val(cq, pre[j].pv, pre[j].pvl,
		    &out[ids->v[j].qi]) == -1)
			r = -1;
	}
	free(pre);
	return r;
}

int
fx_catalog_find_many(struct fx_catalog *cat, const struct fx_query *qs,
    size_t n, struct fx_items *out, struct fx_err *err)
{
	struct cq *cq = &cat->cq;
	struct wants arts, ids;
	size_t i, j;
	char norm[512];
	MDB_val k, v;
	int r = 0;

	memset(&arts, 0, sizeof(arts));
	memset(&ids, 0, sizeof(ids));
	cq->err = err;
	for (i = 0; i < n; i++)
		items_init(cq, &out[i]);
	/* Articles first, in index order. */
	for (i = 0; i < n && r == 0; i++) {
		if (qs[i].id != NULL)
			want_add(&ids, qs[i].id, strlen(qs[i].id), i);
		else if (qs[i].article != NULL) {
			if (fx_article_norm(qs[i].article, norm,
			    sizeof(norm)) == 0 && norm[0] != '\0')
				want_add(&arts, norm, strlen(norm), i);
		} else if (cq_find(cq, &qs[i], &out[i]) == -1)
			r = -1;
	}
	wants_sort(&arts);
	if (r == 0 && arts.n > 0 && !cq->cidx_open) {
		if (fx_cur_open(&cq->t, FX_K_IDX_ARTICLE, &cq->cidx,
		    err) == -1)
			r = -1;
		else
			cq->cidx_open = 1;
	}
	for (j = 0; r == 0 && j < arts.n; j++) {
		const char *key = want_key(&arts, &arts.v[j]);

		for (r = fx_cur_dup_first(&cq->cidx, key, strlen(key), &k, &v,
		    err); r == 0; r = fx_cur_dup_next(&cq->cidx, &k, &v, err))
			if (memchr(v.mv_data, '\0', v.mv_size) == NULL)
				want_add(&ids, v.mv_data, v.mv_size,
				    arts.v[j].qi);
		r = r == -1 ? -1 : 0;
	}
	/* Then the goods, in key order: products and offers alike. */
	wants_sort(&ids);
	r = r == 0 ? goods_get(cq, &ids, out) : r;
	for (i = 0; r == 0 && i < n; i++) {
		if (qs[i].text != NULL)
			continue;	/* cq_find sorted and limited it */
		if (out[i].n > 1)
			qsort(out[i].v, out[i].n, sizeof(*out[i].v),
			    item_cmp);
		if (qs[i].limit > 0 && out[i].n > qs[i].limit) {
			for (j = qs[i].limit; j < out[i].n; j++)
				item_release(&out[i].v[j]);
			out[i].n = qs[i].limit;
		}
	}
	wants_release(&arts);
	wants_release(&ids);
	if (r == -1)
		for (i = 0; i < n; i++)
			fx_items_release(&out[i]);
	return r;
}

void
fx_catalog_close(struct fx_catalog *cat)
{
	if (cat == NULL)
		return;
	cq_close(&cat->cq);
	free(cat);
}

int
fx_catalog_query(struct fx_ctx *ctx, const struct fx_query *q,
    struct fx_items *items, struct fx_err *err)
{
	struct cq cq;
	int r;

	memset(items, 0, sizeof(*items));
	r = cq_start(&cq, ctx, q, NULL, err);
	if (r == 0)
		r = cq_find(&cq, q, items);
	cq_close(&cq);
	return r;
}

void
fx_items_release(struct fx_items *items)
{
	size_t i;

	if (items == NULL)
		return;
	for (i = 0; i < items->n; i++)
		item_release(&items->v[i]);
	free(items->v);
	memset(items, 0, sizeof(*items));
}

/* Planned arrivals. */

static int
row_cmp(const void *a, const void *b)
{
	const struct fx_arrival_row *x = a, *y = b;
	int c;

	if ((c = strcmp(x->a.date, y->a.date)) != 0)
		return c;
	if ((c = strcmp(x->article, y->article)) != 0)
		return c;
	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	if ((c = strcmp(x->product, y->product)) != 0)
		return c;
	return strcmp(x->a.delivery, y->a.delivery);
}

int
fx_catalog_arrivals(struct fx_ctx *ctx, const char *from, const char *to,
    struct fx_arrivals *out, struct fx_err *err)
{
	struct fx_product p;
	struct fx_arrival_row *row;
	const struct fx_warehouse *w;
	struct fx_dline dl;
	struct fx_cur c;
	struct cq cq;
	MDB_val k, v;
	const char *date, *deliv, *z;
	size_t plen, dlen, devlen;
	char q[64], d[16];
	int r, cur_open = 0, have_p = 0;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	if (from != NULL && fx_date_check(from) != 0)
		return fx_err_set(err, FX_EUSAGE, "bad date \"%s\": use "
		    "YYYY-MM-DD", fx_quote(q, sizeof(q), from));
	if (to != NULL && fx_date_check(to) != 0)
		return fx_err_set(err, FX_EUSAGE, "bad date \"%s\": use "
		    "YYYY-MM-DD", fx_quote(q, sizeof(q), to));
	if (cq_open(&cq, ctx, NULL, err) == -1)
		goto fail;
	if (asof_get(&cq, "deliveries_asof", out->deliveries_asof,
	    sizeof(out->deliveries_asof)) == -1 || wh_load(&cq) == -1)
		goto fail;
	if (fx_cur_open(&cq.t, FX_K_DLINE, &c, err) == -1)
		goto fail;
	cur_open = 1;
	for (r = fx_cur_first(&c, &k, &v, err); r == 0;
	    r = fx_cur_next(&c, &k, &v, err)) {
		z = memchr(k.mv_data, '\0', k.mv_size);
		if (z == NULL)
			continue;
		plen = (size_t)(z - (const char *)k.mv_data) + 1;
		if (dline_key(&k, plen, &date, &dlen, &deliv, &devlen) == -1 ||
		    dlen >= sizeof(d))
			continue;
		memcpy(d, date, dlen);
		d[dlen] = '\0';
		if ((from != NULL && strcmp(d, from) < 0) ||
		    (to != NULL && strcmp(d, to) > 0))
			continue;
		/* Lines of one product are adjacent: decode it once. */
		if (!have_p || strcmp(p.id, k.mv_data) != 0) {
			const void *pv;
			size_t pl;

			fx_product_release(&p);
			have_p = 1;
			r = fx_db_get(&cq.t, FX_K_PRODUCT, k.mv_data, plen - 1,
			    &pv, &pl, err);
			if (r == -1)
				break;
			if (r == 0 && prod_decode(&cq, pv, pl, &p, 1) == -1) {
				r = -1;
				break;
			}
			if (r == 1) {
				memset(&p, 0, sizeof(p));
				p.id = fx_strndup(k.mv_data, plen - 1);
				p.article = fx_strdup("");
				p.name = fx_strdup("");
			}
		}
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_dline, &dl,
		    err) == -1) {
			r = -1;
			break;
		}
		if (dl.warehouse[0] == '\0' && dline_warehouse(&cq, deliv,
		    devlen, &dl.warehouse) == -1) {
			fx_rec_release(&fx_rt_dline, &dl);
			r = -1;
			break;
		}
		out->v = fx_grow(out->v, &out->cap, out->n + 1,
		    sizeof(*out->v));
		row = &out->v[out->n++];
		memset(row, 0, sizeof(*row));
		row->a.delivery = fx_strndup(deliv, devlen);
		row->a.date = fx_strdup(d);
		w = wh_find(&cq, dl.warehouse, strlen(dl.warehouse));
		row->a.warehouse_name = fx_strdup(w != NULL ? w->name :
		    dl.warehouse);
		row->a.warehouse = dl.warehouse;
		dl.warehouse = NULL;
		row->a.qty = dl.qty;
		fx_rec_release(&fx_rt_dline, &dl);
		row->product = fx_strdup(p.id);
		row->article = fx_strdup(p.article);
		row->name = fx_strdup(p.name);
	}
	if (r == -1)
		goto fail;
	fx_cur_close(&c);
	fx_product_release(&p);
	cq_close(&cq);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), row_cmp);
	return 0;
fail:
	if (cur_open)
		fx_cur_close(&c);
	fx_product_release(&p);
	cq_close(&cq);
	fx_arrivals_release(out);
	return -1;
}

void
fx_arrivals_release(struct fx_arrivals *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++) {
		free(a->v[i].a.delivery);
		free(a->v[i].a.date);
		free(a->v[i].a.warehouse);
		free(a->v[i].a.warehouse_name);
		free(a->v[i].product);
		free(a->v[i].article);
		free(a->v[i].name);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}
