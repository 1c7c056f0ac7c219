/*
 * report.c -- reports over orders: goods a dealer does not buy that
 * dealers like it do (not-purchased), and an entity's demand against the
 * deliveries it waits for (demand).
 *
 * not-purchased must stay fast at reference scale (1,000 dealers, 35,000
 * goods, many orders): one read transaction, one pass over the entities
 * (who is "like" the dealer), one over the order headers (which orders
 * count), and the lines of only the orders that count, read dealer by
 * dealer so that "how many dealers ordered it" is a comparison with the
 * last dealer that ordered it instead of a set per product.  No product
 * is looked at twice, no order scan is repeated per product; prices and
 * stock are then looked up for the few goods that pass, in one batch.
 *
 * Both reports are read-only; their files are written like the order
 * check's result: CSV, or XLSX built in memory (xlsxw.c), each by
 * fx_file_write.
 */
#include <errno.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fx-int.h"

#define NP_MONTHS	6	/* the window by default */
#define NP_SHARE	2000	/* 20.00 %: the share by default */
#define MAX_MONTHS	120

/* -- Dates ------------------------------------------------------------- */

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The day n months before a valid date, clamped to the month's end. */
static void
months_back(const char *day, int n, char out[11])
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, last;

	y = (day[0] - '0') * 1000 + (day[1] - '0') * 100 +
	    (day[2] - '0') * 10 + (day[3] - '0');
	m = (day[5] - '0') * 10 + (day[6] - '0');
	d = (day[8] - '0') * 10 + (day[9] - '0');
	m -= n;
	while (m < 1) {
		m += 12;
		y--;
	}
	last = mdays[m - 1] + (m == 2 && leap(y));
	if (d > last)
		d = last;
	(void)snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000,
	    (unsigned)m % 100, (unsigned)d % 100);
}

/*
 * The day an order was placed: 1C's own date for an order keyed in 1C
 * (the store learnt of it later), else when it was submitted here.  ""
 * if the record has no usable date.
 */
static void
order_day(const struct fx_order *o, char out[11])
{
	const char *s = NULL;

	out[0] = '\0';
	if (strcmp(o->source, "1c") == 0 && strlen(o->date_1c) >= 10)
		s = o->date_1c;
	else if (strlen(o->submitted) >= 10)
		s = o->submitted;
	else if (strlen(o->created) >= 10)
		s = o->created;
	if (s == NULL)
		return;
	memcpy(out, s, 10);
	out[10] = '\0';
	if (fx_date_check(out) != 0)
		out[0] = '\0';
}

/* Ordered: neither a draft nor cancelled (any status 1C gives counts). */
static int
ordered(const struct fx_order *o)
{
	return o->status[0] != '\0' && strcmp(o->status, "draft") != 0 &&
	    strcmp(o->status, "cancelled") != 0;
}

/* -- Files ------------------------------------------------------------- */

enum ck {
	CK_TEXT, CK_INT, CK_QTY, CK_MONEY, CK_PCT,
};

struct col {
	const char	*title;
	enum ck		 kind;
	double		 width;		/* XLSX column width, 0: default */
};

/* One cell: text, or a number in the column's unit; blank if neither. */
struct cellv {
	const char	*s;
	int64_t		 v;
	int		 blank;
};

/* Cell j of row i (i == n: the totals row, when the report has one). */
typedef void	 cell_fn(const void *rep, size_t i, size_t j, struct cellv *);

static const char *
cell_text(const struct col *c, const struct cellv *cv, char *buf, size_t sz)
{
	buf[0] = '\0';
	if (cv->blank)
		return buf;
	switch (c->kind) {
	case CK_TEXT:
		return cv->s != NULL ? cv->s : "";
	case CK_INT:
		(void)snprintf(buf, sz, "%lld", (long long)cv->v);
		return buf;
	case CK_QTY:
		return fx_qty_fmt(buf, sz, cv->v);
	case CK_MONEY:
		return fx_money_fmt(buf, sz, cv->v, 0);
	case CK_PCT:
		return fx_pct_fmt(buf, sz, (int32_t)cv->v);
	}
	return buf;
}

static void
csv_field(struct fx_buf *b, const char *v)
{
	const char *p;

	if (strpbrk(v, ";\"\r\n") == NULL) {
		fx_buf_adds(b, v);
		return;
	}
	fx_buf_addc(b, '"');
	for (p = v; *p != '\0'; p++) {
		if (*p == '"')
			fx_buf_addc(b, '"');
		fx_buf_addc(b, *p);
	}
	fx_buf_addc(b, '"');
}

/* CSV as the order check writes it: UTF-8 with a BOM, ";", CRLF. */
static int
table_csv(const char *path, const struct col *cols, size_t ncols,
    const void *rep, size_t nrows, cell_fn *cell, struct fx_err *err)
{
	struct fx_buf b;
	struct cellv cv;
	char buf[64];
	size_t i, j;
	int rc;

	memset(&b, 0, sizeof(b));
	fx_buf_adds(&b, "\xef\xbb\xbf");
	for (j = 0; j < ncols; j++) {
		csv_field(&b, cols[j].title);
		fx_buf_adds(&b, j + 1 < ncols ? ";" : "\r\n");
	}
	for (i = 0; i < nrows; i++)
		for (j = 0; j < ncols; j++) {
			memset(&cv, 0, sizeof(cv));
			cell(rep, i, j, &cv);
			csv_field(&b, cell_text(&cols[j], &cv, buf,
			    sizeof(buf)));
			fx_buf_adds(&b, j + 1 < ncols ? ";" : "\r\n");
		}
	rc = fx_file_write(path, b.p, b.len, err);
	fx_buf_release(&b);
	return rc;
}

/* The same table as a workbook: the header frozen, a filter over it. */
static int
table_xlsx(const char *path, const char *sheet, const struct col *cols,
    size_t ncols, const void *rep, size_t nrows, cell_fn *cell,
    struct fx_err *err)
{
	struct fx_xw *w = fx_xw_new(sheet);
	struct cellv cv;
	size_t i, j;
	int rc;

	for (j = 0; j < ncols; j++)
		if (cols[j].width > 0)
			fx_xw_width(w, (unsigned)j, cols[j].width);
	fx_xw_freeze(w, 1, 1);
	fx_xw_row(w);
	for (j = 0; j < ncols; j++)
		fx_xw_str(w, FX_XW_BOLD, cols[j].title);
	for (i = 0; i < nrows; i++) {
		fx_xw_row(w);
		for (j = 0; j < ncols; j++) {
			memset(&cv, 0, sizeof(cv));
			cell(rep, i, j, &cv);
			if (cv.blank) {
				fx_xw_skip(w);
				continue;
			}
			switch (cols[j].kind) {
			case CK_TEXT:
				fx_xw_str(w, FX_XW_PLAIN, cv.s);
				break;
			case CK_INT:
				fx_xw_scaled(w, FX_XW_PLAIN, cv.v, 0);
				break;
			case CK_QTY:
				fx_xw_scaled(w, FX_XW_QTY, cv.v, 3);
				break;
			case CK_MONEY:
				fx_xw_scaled(w, FX_XW_MONEY, cv.v, 2);
				break;
			case CK_PCT:
			default:
				fx_xw_scaled(w, FX_XW_PLAIN, cv.v, 2);
				break;
			}
		}
	}
	rc = fx_xw_write(w, path, err);
	fx_xw_free(w);
	return rc;
}

/* By the name: .xlsx, else .csv; anything else is the caller's mistake. */
static int
table_write(const char *path, const char *sheet, const struct col *cols,
    size_t ncols, const void *rep, size_t nrows, cell_fn *cell,
    struct fx_err *err)
{
	size_t len = strlen(path);

	if (len > 5 && strcasecmp(path + len - 5, ".xlsx") == 0)
		return table_xlsx(path, sheet, cols, ncols, rep, nrows, cell,
		    err);
	if (len > 4 && strcasecmp(path + len - 4, ".csv") == 0)
		return table_csv(path, cols, ncols, rep, nrows, cell, err);
	return fx_err_set(err, FX_EUSAGE, "%s: the name must end in .xlsx or "
	    ".csv", path);
}

/* -- Not purchased ----------------------------------------------------- */

/* An order that counts: whose it is (-1: the dealer's own) and its key. */
struct counted {
	int32_t		 dealer;
	char		*number;
};

/* What the orders that count hold of one product. */
struct pagg {
	int32_t		 last;		/* the last dealer seen, -2 none */
	int32_t		 dealers;	/* similar dealers that ordered it */
	int64_t		 qty;
	int		 own;		/* the dealer ordered it */
};

static int
counted_cmp(const void *a, const void *b)
{
	const struct counted *x = a, *y = b;

	if (x->dealer != y->dealer)
		return x->dealer < y->dealer ? -1 : 1;
	return strcmp(x->number, y->number);
}

static int
np_cmp(const void *a, const void *b)
{
	const struct fx_np_row *x = a, *y = b;
	int c;

	if (x->share != y->share)
		return x->share > y->share ? -1 : 1;
	if (x->qty != y->qty)
		return x->qty > y->qty ? -1 : 1;
	if ((c = strcmp(x->article, y->article)) != 0)
		return c;
	return strcmp(x->product, y->product);
}

void
fx_np_report_release(struct fx_np_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->v[i].product);
		free(r->v[i].article);
		free(r->v[i].name);
		free(r->v[i].group_name);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/*
 * Who counts: the entities of the dealer the actor sees (scope), and the
 * other dealers with an entity on the same price type (peers: dealer Ид
 * -> index + 1).
 */
static int
np_entities(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_user *me,
    const struct fx_entity *x, struct fx_map *scope, struct fx_map *peers,
    int32_t *npeers, struct fx_err *err)
{
	struct fx_cur cur;
	struct fx_entity e;
	MDB_val k, v;
	void *blk, **slot;
	int r;

	*npeers = 0;
	if (fx_cur_open(t, FX_K_ENTITY, &cur, err) == -1)
		return -1;
	for (r = fx_cur_first(&cur, &k, &v, err); r == 0;
	    r = fx_cur_next(&cur, &k, &v, err)) {
		if (fx_rec_decode_packed(v.mv_data, v.mv_size, &fx_rt_entity,
		    &e, &blk, err) == -1) {
			r = -1;
			break;
		}
		if (strcmp(e.dealer, x->dealer) == 0) {
			if (fx_acl_sees(ctx, me, &e))
				*fx_map_put(scope, e.id) = (void *)1;
		} else if (strcmp(e.price_type, x->price_type) == 0) {
			slot = fx_map_put(peers, e.dealer);
			if (*slot == NULL)
				*slot = (void *)(uintptr_t)++*npeers;
		}
		free(blk);
	}
	fx_cur_close(&cur);
	return r == -1 ? -1 : 0;
}

/* The orders that count, in the window, the dealer's own first. */
static int
np_orders(struct fx_txn *t, const char *from, const char *to,
    struct fx_map *scope, struct fx_map *peers, struct counted **out,
    size_t *nout, struct fx_err *err)
{
	struct fx_cur cur;
	struct fx_order o;
	struct counted *v = NULL;
	MDB_val k, val;
	size_t n = 0, cap = 0;
	char day[11];
	void *blk, **slot;
	int32_t who;
	int r;

	if (fx_cur_open(t, FX_K_ORDER, &cur, err) == -1)
		return -1;
	for (r = fx_cur_first(&cur, &k, &val, err); r == 0;
	    r = fx_cur_next(&cur, &k, &val, err)) {
		if (fx_rec_decode_packed(val.mv_data, val.mv_size,
		    &fx_rt_order, &o, &blk, err) == -1) {
			r = -1;
			break;
		}
		order_day(&o, day);
		who = -2;
		if (ordered(&o) && day[0] != '\0' && strcmp(day, from) >= 0 &&
		    strcmp(day, to) <= 0) {
			if (fx_map_get(scope, o.entity) != NULL)
				who = -1;
			else if ((slot = fx_map_get(peers, o.dealer)) != NULL)
				who = (int32_t)(uintptr_t)*slot - 1;
		}
		if (who != -2) {
			v = fx_grow(v, &cap, n + 1, sizeof(*v));
			v[n].dealer = who;
			v[n].number = fx_strdup(o.number);
			n++;
		}
		free(blk);
	}
	fx_cur_close(&cur);
	if (n > 1)
		qsort(v, n, sizeof(*v), counted_cmp);
	*out = v;
	*nout = n;
	return r == -1 ? -1 : 0;
}

/* Add the lines of the counted orders to the products' figures. */
static int
np_lines(struct fx_txn *t, const struct counted *v, size_t n,
    struct fx_map *prods, struct fx_err *err)
{
	struct fx_cur cur;
	struct fx_buf key = { NULL, 0, 0 };
	struct fx_oline l;
	struct pagg *a;
	MDB_val k, val;
	void *blk, **slot;
	size_t i;
	int r = 0;

	if (fx_cur_open(t, FX_K_OLINE, &cur, err) == -1)
		return -1;
	for (i = 0; i < n && r != -1; i++) {
		fx_buf_reset(&key);
		fx_buf_key(&key, v[i].number, "", (char *)NULL);
		for (r = fx_cur_seek(&cur, key.p, key.len, &k, &val, err);
		    r == 0; r = fx_cur_next(&cur, &k, &val, err)) {
			if (k.mv_size < key.len ||
			    memcmp(k.mv_data, key.p, key.len) != 0)
				break;
			if (fx_rec_decode_packed(val.mv_data, val.mv_size,
			    &fx_rt_oline, &l, &blk, err) == -1) {
				r = -1;
				break;
			}
			slot = fx_map_put(prods, l.product);
			if ((a = *slot) == NULL) {
				a = *slot = fx_calloc(1, sizeof(*a));
				a->last = -2;
			}
			if (v[i].dealer == -1)
				a->own = 1;
			else {
				if (a->last != v[i].dealer) {
					a->last = v[i].dealer;
					a->dealers++;
				}
				a->qty += l.qty;
			}
			free(blk);
		}
	}
	fx_cur_close(&cur);
	fx_buf_release(&key);
	return r == -1 ? -1 : 0;
}

/* Prices and stock for the entity; goods deleted or without a price go. */
static int
np_price(struct fx_ctx *ctx, struct fx_np_report *rep, struct fx_err *err)
{
	struct fx_query filt, *qs;
	struct fx_catalog *cat;
	struct fx_items *out;
	size_t i, n = 0, asked = rep->n;
	int rc = -1;

	if (rep->n == 0)
		return 0;
	memset(&filt, 0, sizeof(filt));
	filt.entity = rep->entity;
	if (fx_catalog_open(ctx, &filt, &cat, err) == -1)
		return -1;
	qs = fx_calloc(rep->n, sizeof(*qs));
	out = fx_calloc(rep->n, sizeof(*out));
	for (i = 0; i < rep->n; i++)
		qs[i].id = rep->v[i].product;
	if (fx_catalog_find_many(cat, qs, rep->n, out, err) == -1)
		goto out;
	for (i = 0; i < rep->n; i++) {
		struct fx_np_row *r = &rep->v[i];
		const struct fx_item *it = out[i].n == 1 ? &out[i].v[0] : NULL;

		if (it == NULL || it->p.deleted || it->net < 0 ||
		    it->retail < 0) {
			free(r->product);
			continue;
		}
		r->article = fx_strdup(it->p.article);
		r->name = fx_strdup(it->p.name);
		r->group_name = fx_strdup(it->group_name != NULL ?
		    it->group_name : "");
		r->retail = it->retail;
		r->net = it->net;
		r->stock = it->total > 0 ? it->total : 0;
		rep->v[n++] = *r;
	}
	rep->n = n;
	rc = 0;
out:
	if (rc == -1) {
		for (i = 0; i < rep->n; i++)
			free(rep->v[i].product);
		rep->n = 0;
	} else
		for (i = 0; i < asked; i++)
			fx_items_release(&out[i]);
	free(out);
	free(qs);
	fx_catalog_close(cat);
	return rc;
}

int
fx_report_not_purchased(struct fx_ctx *ctx, const struct fx_np_query *q,
    struct fx_np_report *rep, struct fx_err *err)
{
	struct fx_txn t;
	struct fx_user me;
	struct fx_entity x;
	struct fx_map scope, peers, prods;
	struct counted *cv = NULL;
	size_t ncv = 0, i, cap = 0;
	int32_t share = q->min_share < 0 ? NP_SHARE : q->min_share;
	int months = q->months == 0 ? NP_MONTHS : q->months;
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	if (months < 1 || months > MAX_MONTHS)
		return fx_err_set(err, FX_EUSAGE, "the window must be 1 to %d "
		    "months, not %d", MAX_MONTHS, months);
	if (share > 10000)
		return fx_err_set(err, FX_EUSAGE, "the share must be 0 to 100 "
		    "%%");
	memset(&me, 0, sizeof(me));
	memset(&x, 0, sizeof(x));
	memset(&scope, 0, sizeof(scope));
	memset(&peers, 0, sizeof(peers));
	memset(&prods, 0, sizeof(prods));
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_acl_actor(ctx, &t, &me, err) == -1 ||
	    fx_entity_find(ctx, &t, &me, q->entity, &x, err) == -1)
		goto out;
	(void)fx_strlcpy(rep->entity, x.id, sizeof(rep->entity));
	(void)fx_strlcpy(rep->entity_name, x.name, sizeof(rep->entity_name));
	(void)fx_strlcpy(rep->dealer, x.dealer, sizeof(rep->dealer));
	(void)fx_strlcpy(rep->price_type, x.price_type,
	    sizeof(rep->price_type));
	(void)fx_strlcpy(rep->to, ctx->today, sizeof(rep->to));
	months_back(ctx->today, months, rep->from);
	if (np_entities(ctx, &t, &me, &x, &scope, &peers, &rep->peers,
	    err) == -1)
		goto out;
	rep->scope = (int32_t)scope.n;
	if (rep->peers > 0 && (np_orders(&t, rep->from, rep->to, &scope,
	    &peers, &cv, &ncv, err) == -1 ||
	    np_lines(&t, cv, ncv, &prods, err) == -1))
		goto out;
	fx_db_abort(&t);
	t.t = NULL;

	/* The products that pass: not the dealer's, a share high enough. */
	for (i = 0; i < prods.cap; i++) {
		const struct pagg *a = prods.v[i].val;

		if (prods.v[i].key == NULL || a->own || a->dealers == 0 ||
		    (int64_t)a->dealers * 10000 < (int64_t)share * rep->peers)
			continue;
		rep->v = fx_grow(rep->v, &cap, rep->n + 1, sizeof(*rep->v));
		memset(&rep->v[rep->n], 0, sizeof(rep->v[rep->n]));
		rep->v[rep->n].product = fx_strdup(prods.v[i].key);
		rep->v[rep->n].dealers = a->dealers;
		/* Rounded for the eye; the threshold above is exact. */
		rep->v[rep->n].share = (int32_t)(((int64_t)a->dealers * 20000 +
		    rep->peers) / (2 * (int64_t)rep->peers));
		rep->v[rep->n].qty = a->qty;
		rep->n++;
	}
	if (np_price(ctx, rep, err) == -1)
		goto out;
	if (rep->n > 1)
		qsort(rep->v, rep->n, sizeof(*rep->v), np_cmp);
	if (q->limit > 0 && rep->n > q->limit) {
		for (i = q->limit; i < rep->n; i++) {
			free(rep->v[i].product);
			free(rep->v[i].article);
			free(rep->v[i].name);
			free(rep->v[i].group_name);
		}
		rep->n = q->limit;
	}
	rc = 0;
out:
	if (t.t != NULL)
		fx_db_abort(&t);
	if (rc == -1)
		fx_np_report_release(rep);
	for (i = 0; i < ncv; i++)
		free(cv[i].number);
	free(cv);
	fx_map_release(&scope, NULL);
	fx_map_release(&peers, NULL);
	fx_map_release(&prods, free);
	fx_entity_release(&x);
	fx_user_release(&me);
	return rc;
}

static const struct col np_cols[] = {
	{ "Артикул", CK_TEXT, 16 }, { "Наименование", CK_TEXT, 40 },
	{ "Группа", CK_TEXT, 24 }, { "Доля дилеров, %", CK_PCT, 0 },
	{ "Дилеров", CK_INT, 0 }, { "Количество", CK_QTY, 0 },
	{ "Розничная цена", CK_MONEY, 0 }, { "Цена", CK_MONEY, 0 },
	{ "Остаток", CK_QTY, 0 },
};

static void
np_cell(const void *p, size_t i, size_t j, struct cellv *c)
{
	const struct fx_np_row *r = &((const struct fx_np_report *)p)->v[i];

	switch (j) {
	case 0: c->s = r->article; break;
	case 1: c->s = r->name; break;
	case 2: c->s = r->group_name; break;
	case 3: c->v = r->share; break;
	case 4: c->v = r->dealers; break;
	case 5: c->v = r->qty; break;
	case 6: c->v = r->retail; break;
	case 7: c->v = r->net; break;
	case 8: c->v = r->stock; break;
	}
}

int
fx_np_report_write(struct fx_ctx *ctx, const struct fx_np_report *rep,
    const char *path, struct fx_err *err)
{
	(void)ctx;
	return table_write(path, "Не покупает", np_cols, nitems(np_cols), rep,
	    rep->n, np_cell, err);
}

/* -- Demand against arrivals ------------------------------------------ */

void
fx_dr_report_release(struct fx_dr_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->v[i].order);
		free(r->v[i].date);
		free(r->v[i].product);
		free(r->v[i].article);
		free(r->v[i].name);
		free(r->v[i].delivery);
		free(r->v[i].delivery_date);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* One line with demand into the report. */
static int
dr_line(struct fx_txn *t, struct fx_dr_report *rep, const char *today,
    const struct fx_order *o, const char *day, const struct fx_oline *l,
    size_t *cap, struct fx_err *err)
{
	struct fx_dr_row *r;
	struct fx_delivery d;
	const char *dv;
	int64_t left;
	int found;

	rep->v = fx_grow(rep->v, cap, rep->n + 1, sizeof(*rep->v));
	r = &rep->v[rep->n];
	memset(r, 0, sizeof(*r));
	r->order = fx_strdup(o->number);
	r->date = fx_strdup(day);
	r->line = l->line;
	r->product = fx_strdup(l->product);
	r->article = fx_strdup(l->article);
	r->name = fx_strdup(l->name);
	rep->n++;
	r->qty = l->qty;
	r->demand = l->qty - l->in_stock;
	r->shipped = l->shipped;
	r->cancelled = l->cancelled;
	/* The stock part ships first; whatever is left is owed of demand. */
	left = l->qty - l->shipped - l->cancelled;
	r->owed = left < 0 ? 0 : left < r->demand ? left : r->demand;
	dv = l->reserved[0] != '\0' ? l->reserved : l->delivery;
	r->delivery = fx_strdup(dv);
	if (l->reserved[0] != '\0')
		r->reserved = l->reserved_qty;
	r->arrival = "none";
	if (dv[0] != '\0') {
		memset(&d, 0, sizeof(d));
		if ((found = fx_db_getrec(t, FX_K_DELIVERY, dv, strlen(dv),
		    &fx_rt_delivery, &d, err)) == -1)
			return -1;
		if (found == 0) {
			r->delivery_date = fx_strdup(d.date);
			r->arrival = strcmp(d.date, today) < 0 ? "late" :
			    "due";
			fx_rec_release(&fx_rt_delivery, &d);
		} else
			r->arrival = "gone";
	}
	if (r->delivery_date == NULL)
		r->delivery_date = fx_strdup(dv[0] != '\0' ?
		    l->delivery_date : "");
	if (fx_stock_promised(t, l->product, &r->stock, err) == -1)
		return -1;
	rep->demand += r->demand;
	rep->reserved += r->reserved;
	rep->shipped += r->shipped;
	rep->owed += r->owed;
	return 0;
}

int
fx_report_demand(struct fx_ctx *ctx, const struct fx_dr_query *q,
    struct fx_dr_report *rep, struct fx_err *err)
{
	struct fx_txn t;
	struct fx_user me;
	struct fx_entity x;
	struct fx_cur cur, lc;
	struct fx_buf key = { NULL, 0, 0 };
	struct fx_order o;
	struct fx_oline l;
	MDB_val k, v, lk, lv;
	const char *p;
	char day[11];
	size_t plen, cap = 0;
	void *blk, *lblk;
	int r, lr, rc = -1, curs = 0;

	memset(rep, 0, sizeof(*rep));
	if (q->from != NULL && fx_date_check(q->from) != 0)
		return fx_err_set(err, FX_EUSAGE, "the first day is not a "
		    "date (YYYY-MM-DD)");
	if (q->to != NULL && fx_date_check(q->to) != 0)
		return fx_err_set(err, FX_EUSAGE, "the last day is not a date "
		    "(YYYY-MM-DD)");
	if (q->from != NULL && q->to != NULL && strcmp(q->from, q->to) > 0)
		return fx_err_set(err, FX_EUSAGE, "the first day %s is after "
		    "the last %s", q->from, q->to);
	memset(&me, 0, sizeof(me));
	memset(&x, 0, sizeof(x));
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_acl_actor(ctx, &t, &me, err) == -1 ||
	    fx_entity_find(ctx, &t, &me, q->entity, &x, err) == -1)
		goto out;
	(void)fx_strlcpy(rep->entity, x.id, sizeof(rep->entity));
	(void)fx_strlcpy(rep->entity_name, x.name, sizeof(rep->entity_name));
	(void)fx_strlcpy(rep->from, q->from != NULL ? q->from : "",
	    sizeof(rep->from));
	(void)fx_strlcpy(rep->to, q->to != NULL ? q->to : "",
	    sizeof(rep->to));
	(void)fx_strlcpy(rep->today, ctx->today, sizeof(rep->today));
	if (fx_cur_open(&t, FX_K_ORDER, &cur, err) == -1)
		goto out;
	if (fx_cur_open(&t, FX_K_OLINE, &lc, err) == -1) {
		fx_cur_close(&cur);
		goto out;
	}
	curs = 1;
	for (r = fx_cur_first(&cur, &k, &v, err); r == 0;
	    r = fx_cur_next(&cur, &k, &v, err)) {
		/* The entity in place first: most orders are others'. */
		if (fx_rec_str_at(v.mv_data, v.mv_size, &fx_rt_order, 2, &p,
		    &plen) == 0 && (plen != strlen(x.id) ||
		    memcmp(p, x.id, plen) != 0))
			continue;
		if (fx_rec_decode_packed(v.mv_data, v.mv_size, &fx_rt_order,
		    &o, &blk, err) == -1) {
			r = -1;
			break;
		}
		order_day(&o, day);
		if (strcmp(o.entity, x.id) != 0 || !ordered(&o) ||
		    (q->from != NULL && strcmp(day, q->from) < 0) ||
		    (q->to != NULL && strcmp(day, q->to) > 0)) {
			free(blk);
			continue;
		}
		fx_buf_reset(&key);
		fx_buf_key(&key, o.number, "", (char *)NULL);
		for (lr = fx_cur_seek(&lc, key.p, key.len, &lk, &lv, err);
		    lr == 0; lr = fx_cur_next(&lc, &lk, &lv, err)) {
			if (lk.mv_size < key.len ||
			    memcmp(lk.mv_data, key.p, key.len) != 0)
				break;
			if (fx_rec_decode_packed(lv.mv_data, lv.mv_size,
			    &fx_rt_oline, &l, &lblk, err) == -1) {
				lr = -1;
				break;
			}
			if (l.qty > l.in_stock && dr_line(&t, rep, ctx->today,
			    &o, day, &l, &cap, err) == -1)
				lr = -1;
			free(lblk);
			if (lr == -1)
				break;
		}
		free(blk);
		if (lr == -1) {
			r = -1;
			break;
		}
	}
	if (r == -1)
		goto out;
	rc = 0;
out:
	if (curs) {
		fx_cur_close(&lc);
		fx_cur_close(&cur);
	}
	fx_db_abort(&t);
	if (rc == -1)
		fx_dr_report_release(rep);
	fx_buf_release(&key);
	fx_entity_release(&x);
	fx_user_release(&me);
	return rc;
}

static const struct col dr_cols[] = {
	{ "Заказ", CK_TEXT, 0 }, { "Дата", CK_TEXT, 11 },
	{ "Строка", CK_INT, 0 }, { "Артикул", CK_TEXT, 16 },
	{ "Наименование", CK_TEXT, 40 }, { "Количество", CK_QTY, 0 },
	{ "Под заказ", CK_QTY, 0 }, { "Поставка", CK_TEXT, 12 },
	{ "Дата поставки", CK_TEXT, 11 }, { "Поступление", CK_TEXT, 0 },
	{ "Резерв", CK_QTY, 0 }, { "Отгружено", CK_QTY, 0 },
	{ "Отменено", CK_QTY, 0 }, { "Осталось", CK_QTY, 0 },
	{ "Остаток", CK_QTY, 0 },
};

static void
dr_cell(const void *p, size_t i, size_t j, struct cellv *c)
{
	const struct fx_dr_report *rep = p;
	const struct fx_dr_row *r;

	if (i == rep->n) {
		/* The totals. */
		c->blank = 1;
		switch (j) {
		case 0: c->blank = 0; c->s = "Итого"; break;
		case 6: c->blank = 0; c->v = rep->demand; break;
		case 10: c->blank = 0; c->v = rep->reserved; break;
		case 11: c->blank = 0; c->v = rep->shipped; break;
		case 13: c->blank = 0; c->v = rep->owed; break;
		}
		return;
	}
	r = &rep->v[i];
	switch (j) {
	case 0: c->s = r->order; break;
	case 1: c->s = r->date; break;
	case 2: c->v = r->line; break;
	case 3: c->s = r->article; break;
	case 4: c->s = r->name; break;
	case 5: c->v = r->qty; break;
	case 6: c->v = r->demand; break;
	case 7: c->s = r->delivery; break;
	case 8: c->s = r->delivery_date; break;
	case 9: c->s = r->arrival; break;
	case 10: c->v = r->reserved; c->blank = r->reserved == 0; break;
	case 11: c->v = r->shipped; break;
	case 12: c->v = r->cancelled; break;
	case 13: c->v = r->owed; break;
	case 14: c->v = r->stock; break;
	}
}

int
fx_dr_report_write(struct fx_ctx *ctx, const struct fx_dr_report *rep,
    const char *path, struct fx_err *err)
{
	(void)ctx;
	return table_write(path, "Под заказ", dr_cols, nitems(dr_cols), rep,
	    rep->n + 1, dr_cell, err);
}
