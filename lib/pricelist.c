/*
 * pricelist.c -- a dealer's price list as XLSX, for one legal entity.
 *
 * Contents: every product not deleted in 1C, under a bold header row per
 * group path ("Ручной инструмент / Ключи"), by article within the group;
 * retail price, the entity's net price and discount, stock per warehouse,
 * the total and the next delivery.  Values are strings and numbers only,
 * never formulas, so a product name that starts with "=" stays text
 * (RELIABILITY.md, formula export).
 *
 * The workbook is built in memory by xlsxw.c, its sheet deflated as the
 * rows come (35,000 rows make about 2 MB), and written whole by
 * fx_file_write: a temporary name beside the target, fsync, rename.
 *
 * The file is created mode 0640: prices are per dealer, not for everyone
 * on the host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

#define TITLE_ROWS	4	/* title, INN/KPP, as of, a blank row */
#define NFIXED		6	/* columns before the warehouses */

/* Group paths. */

struct paths {
	struct fx_map	 groups;	/* Ид -> struct fx_group * */
	struct fx_map	 path;		/* Ид -> char * "A / B / C" */
};

static void
group_free(void *p)
{
	fx_rec_release(&fx_rt_group, p);
	free(p);
}

static void
paths_release(struct paths *ps)
{
	fx_map_release(&ps->groups, group_free);
	fx_map_release(&ps->path, free);
}

/* The path of a group, "" when the group is unknown. */
static const char *
path_of(struct paths *ps, const char *id)
{
	const char *chain[64], *p = id;
	struct fx_group *g;
	struct fx_buf b;
	void **slot;
	int n = 0, i;

	if (id == NULL || *id == '\0')
		return "";
	if ((slot = fx_map_get(&ps->path, id)) != NULL)
		return *slot;
	while (n < (int)nitems(chain) && p != NULL && *p != '\0' &&
	    (slot = fx_map_get(&ps->groups, p)) != NULL) {
		g = *slot;
		chain[n++] = g->name;
		p = g->parent;
	}
	memset(&b, 0, sizeof(b));
	for (i = n - 1; i >= 0; i--) {
		fx_buf_adds(&b, chain[i]);
		if (i > 0)
			fx_buf_adds(&b, " / ");
	}
	fx_buf_str(&b);
	*fx_map_put(&ps->path, id) = b.p;
	return b.p;
}

static int
paths_load(struct fx_txn *t, struct paths *ps, struct fx_err *err)
{
	struct fx_group *g;
	struct fx_cur c;
	MDB_val k, v;
	int r;

	if (fx_cur_open(t, FX_K_GROUP, &c, err) == -1)
		return -1;
	for (r = fx_cur_first(&c, &k, &v, err); r == 0;
	    r = fx_cur_next(&c, &k, &v, err)) {
		g = fx_calloc(1, sizeof(*g));
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_group, g,
		    err) == -1) {
			free(g);
			r = -1;
			break;
		}
		*fx_map_put(&ps->groups, g->id) = g;
	}
	fx_cur_close(&c);
	return r == -1 ? -1 : 0;
}

/*
 * The entity for the title.  fx_catalog_query has already refused an
 * unknown or ambiguous one, so the first match is the one.
 */
static int
entity_find(struct fx_txn *t, const char *want, struct fx_entity *e,
    struct fx_err *err)
{
	const char *slash = strchr(want, '/');
	char key[64];
	const char *keys[2];
	struct fx_cur c;
	MDB_val k, v;
	size_t i;
	int r;

	keys[0] = want;
	keys[1] = NULL;
	if (slash != NULL && (size_t)(slash - want) < sizeof(key)) {
		memcpy(key, want, (size_t)(slash - want));
		key[slash - want] = '\0';
		keys[1] = key;
	}
	if (fx_cur_open(t, FX_K_IDX_INN, &c, err) == -1)
		return -1;
	for (i = 0; i < 2 && keys[i] != NULL; i++)
		for (r = fx_cur_dup_first(&c, keys[i], strlen(keys[i]), &k, &v,
		    err); r == 0; r = fx_cur_dup_next(&c, &k, &v, err)) {
			r = fx_db_getrec(t, FX_K_ENTITY, v.mv_data, v.mv_size,
			    &fx_rt_entity, e, err);
			if (r == -1)
				break;
			if (r == 1)
				continue;
			if (i == 1 && strcmp(e->kpp, slash + 1) != 0) {
				fx_entity_release(e);
				continue;
			}
			fx_cur_close(&c);
			return 0;
		}
	fx_cur_close(&c);
	r = fx_db_getrec(t, FX_K_ENTITY, want, strlen(want), &fx_rt_entity, e,
	    err);
	if (r == 1) {
		char q[128];

		return fx_err_set(err, FX_ENOTFOUND, "unknown legal entity "
		    "\"%s\"", fx_quote(q, sizeof(q), want));
	}
	return r;
}

/* The rows in print order. */

struct line {
	const char		*path;
	const struct fx_item	*it;
};

static int
line_cmp(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	int c;

	/* Goods outside any known group come last. */
	if ((x->path[0] == '\0') != (y->path[0] == '\0'))
		return x->path[0] == '\0' ? 1 : -1;
	if ((c = strcmp(x->path, y->path)) != 0)
		return c;
	if ((c = strcmp(x->it->p.article, y->it->p.article)) != 0)
		return c;
	if ((c = strcmp(x->it->p.name, y->it->p.name)) != 0)
		return c;
	return strcmp(x->it->p.id, y->it->p.id);
}

/* Warehouses that hold stock records, in name order. */
struct whcol {
	const char	*id;
	const char	*name;
};

static int
whcol_cmp(const void *a, const void *b)
{
	const struct whcol *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->id, y->id);
}

static size_t
warehouses(const struct fx_items *items, struct whcol **out)
{
	struct whcol *w = NULL;
	struct fx_map seen;
	size_t i, j, n = 0, cap = 0;
	void **slot;

	memset(&seen, 0, sizeof(seen));
	for (i = 0; i < items->n; i++)
		for (j = 0; j < items->v[i].nstock; j++) {
			const struct fx_stock_line *s = &items->v[i].stock[j];

			slot = fx_map_put(&seen, s->warehouse);
			if (*slot != NULL)
				continue;
			*slot = (void *)s->warehouse;
			w = fx_grow(w, &cap, n + 1, sizeof(*w));
			w[n].id = s->warehouse;
			w[n++].name = s->warehouse_name;
		}
	fx_map_release(&seen, NULL);
	if (n > 1)
		qsort(w, n, sizeof(*w), whcol_cmp);
	*out = w;
	return n;
}

/* "2026-11-20T06:00:00" as "20.11.2026 06:00"; other forms as they are. */
static void
human_time(char *buf, size_t sz, const char *iso)
{
	if (strlen(iso) >= 10 && iso[4] == '-' && iso[7] == '-') {
		if (strlen(iso) >= 16 && iso[10] == 'T')
			snprintf(buf, sz, "%.2s.%.2s.%.4s %.5s", iso + 8,
			    iso + 5, iso, iso + 11);
		else
			snprintf(buf, sz, "%.2s.%.2s.%.4s", iso + 8, iso + 5,
			    iso);
	} else
		snprintf(buf, sz, "%s", iso[0] != '\0' ? iso : "—");
}

/* Writing. */

static void
put_str(struct fx_xw *w, unsigned col, const char *s, enum fx_xw_style st)
{
	if (s != NULL && *s != '\0') {
		fx_xw_col(w, col);
		fx_xw_str(w, st, s);
	}
}

static void
put_qty(struct fx_xw *w, unsigned col, int64_t q)
{
	/* Whole units as "0"; a fraction must not round away. */
	fx_xw_col(w, col);
	fx_xw_scaled(w, q % 1000 == 0 ? FX_XW_INT : FX_XW_QTY, q, 3);
}

static void
write_sheet(struct fx_xw *w, const struct fx_entity *ent,
    const struct fx_items *items, const struct line *lines, size_t nlines,
    const struct whcol *wh, size_t nwh)
{
	static const char *const fixed[NFIXED] = {
		"Артикул", "Наименование", "Ед.", "Розничная цена",
		"Цена дилера", "Скидка %"
	};
	static const double widths[NFIXED] = { 14, 56, 7, 14, 14, 9 };
	char buf[512], t1[32], t2[32], t3[32], t4[32], num[32];
	const char *lastpath = NULL;
	unsigned ncols = (unsigned)(NFIXED + nwh + 2), c;
	size_t i, j, k;

	for (c = 0; c < NFIXED; c++)
		fx_xw_width(w, c, widths[c]);
	for (c = NFIXED; c < ncols - 1; c++)
		fx_xw_width(w, c, nwh > 0 ? 12 : 10);
	fx_xw_width(w, ncols - 1, 22);
	/* The title rows and the header stay in view; the filter is on the
	 * header. */
	fx_xw_freeze(w, TITLE_ROWS + 1, 1);

	/* Title. */
	fx_xw_row(w);
	snprintf(buf, sizeof(buf), "Прайс-лист: %s", ent->name);
	put_str(w, 0, buf, FX_XW_TITLE);
	fx_xw_row(w);
	if (ent->kpp[0] != '\0')
		snprintf(buf, sizeof(buf), "ИНН %s, КПП %s", ent->inn,
		    ent->kpp);
	else
		snprintf(buf, sizeof(buf), "ИНН %s", ent->inn);
	put_str(w, 0, buf, FX_XW_PLAIN);
	fx_xw_row(w);
	human_time(t1, sizeof(t1), items->catalog_asof);
	human_time(t2, sizeof(t2), items->offers_asof);
	human_time(t3, sizeof(t3), items->conditions_asof);
	human_time(t4, sizeof(t4), items->deliveries_asof);
	snprintf(buf, sizeof(buf), "Каталог на %s; цены и остатки на %s; "
	    "условия на %s; поставки на %s", t1, t2, t3, t4);
	put_str(w, 0, buf, FX_XW_PLAIN);
	fx_xw_row(w);		/* a blank row, not written */

	/* Header. */
	fx_xw_row(w);
	fx_xw_height(w, 30);
	for (c = 0; c < NFIXED; c++)
		put_str(w, c, fixed[c], FX_XW_HEAD);
	for (j = 0; j < nwh; j++)
		put_str(w, (unsigned)(NFIXED + j), wh[j].name, FX_XW_HEAD);
	put_str(w, (unsigned)(NFIXED + nwh), "Всего", FX_XW_HEAD);
	put_str(w, ncols - 1, "Ближайшая поставка", FX_XW_HEAD);

	for (i = 0; i < nlines; i++) {
		const struct fx_item *it = lines[i].it;

		if (lastpath == NULL || strcmp(lastpath, lines[i].path) != 0) {
			lastpath = lines[i].path;
			fx_xw_row(w);
			put_str(w, 0, lastpath[0] != '\0' ? lastpath :
			    "Без группы", FX_XW_GROUP);
		}
		fx_xw_row(w);
		put_str(w, 0, it->p.article, FX_XW_PLAIN);
		put_str(w, 1, it->p.name, FX_XW_PLAIN);
		put_str(w, 2, it->p.unit, FX_XW_PLAIN);
		if (it->retail >= 0) {
			fx_xw_col(w, 3);
			fx_xw_scaled(w, FX_XW_MONEY, it->retail, 2);
		}
		if (it->net >= 0) {
			fx_xw_col(w, 4);
			fx_xw_scaled(w, FX_XW_MONEY, it->net, 2);
		}
		if (!it->own_price) {
			fx_xw_col(w, 5);
			fx_xw_scaled(w, FX_XW_PCT, it->discount, 2);
		}
		/* Cells go left to right: the warehouses in column order. */
		for (k = 0; k < nwh; k++)
			for (j = 0; j < it->nstock; j++)
				if (strcmp(wh[k].id, it->stock[j].warehouse)
				    == 0) {
					put_qty(w, (unsigned)(NFIXED + k),
					    it->stock[j].qty);
					break;
				}
		put_qty(w, (unsigned)(NFIXED + nwh), it->total);
		if (it->narrivals > 0) {
			const struct fx_arrival *a = &it->arrivals[0];

			human_time(t1, sizeof(t1), a->date);
			snprintf(buf, sizeof(buf), "%s: %s %s", t1,
			    fx_qty_fmt(num, sizeof(num), a->qty), it->p.unit);
			put_str(w, ncols - 1, buf, FX_XW_PLAIN);
		}
	}
}

int
fx_pricelist_xlsx(struct fx_ctx *ctx, const char *entity, const char *path,
    size_t *rows, struct fx_err *err)
{
	struct fx_query q;
	struct fx_items items;
	struct fx_entity ent;
	struct paths ps;
	struct fx_txn t;
	struct fx_xw *w;
	struct line *lines = NULL;
	struct whcol *wh = NULL;
	size_t nwh, i;
	int have_ent = 0, rc = -1;

	if (rows != NULL)
		*rows = 0;
	memset(&items, 0, sizeof(items));
	memset(&ps, 0, sizeof(ps));
	memset(&ent, 0, sizeof(ent));
	if (entity == NULL || *entity == '\0')
		return fx_err_set(err, FX_EUSAGE, "a price list is for one "
		    "legal entity: give its INN");
	if (path == NULL || *path == '\0')
		return fx_err_set(err, FX_EUSAGE, "no file to write the price "
		    "list to");

	/* Everything read first: the entity is checked before any file. */
	memset(&q, 0, sizeof(q));
	q.entity = entity;
	if (fx_catalog_query(ctx, &q, &items, err) == -1)
		return -1;
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		goto out;
	if (entity_find(&t, entity, &ent, err) == -1 ||
	    paths_load(&t, &ps, err) == -1) {
		fx_db_abort(&t);
		goto out;
	}
	have_ent = 1;
	fx_db_abort(&t);

	lines = fx_calloc(items.n ? items.n : 1, sizeof(*lines));
	for (i = 0; i < items.n; i++) {
		lines[i].it = &items.v[i];
		lines[i].path = path_of(&ps, items.v[i].p.group);
	}
	qsort(lines, items.n, sizeof(*lines), line_cmp);
	nwh = warehouses(&items, &wh);

	w = fx_xw_new("Прайс-лист");
	write_sheet(w, &ent, &items, lines, items.n, wh, nwh);
	rc = fx_xw_write(w, path, err);
	fx_xw_free(w);
	if (rc == -1)
		goto out;
	rc = -1;
	if (rows != NULL)
		*rows = items.n;
	rc = 0;
out:
	free(wh);
	free(lines);
	if (have_ent)
		fx_entity_release(&ent);
	paths_release(&ps);
	fx_items_release(&items);
	return rc;
}
