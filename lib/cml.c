/*
 * cml.c -- CommerceML 2.x catalog and offers import.
 *
 * Reads what 1C sends about goods: the classifier (group tree, properties,
 * price types, warehouses), the catalog (goods) and offer packages (prices
 * per price type, stock per warehouse and total), in every layout seen in
 * the wild: one import.xml + offers.xml, portioned import0_1.xml, and the
 * split import___/offers___/prices___/rests___ files of one session, which
 * are linked by Ид through the package transaction they share.
 *
 * Parsing is streaming (xml.c) and records are written into the package's
 * write transaction as each element ends, so memory stays flat whatever the
 * file size.  Elements are matched by local name, namespaces and element
 * order are ignored, unknown elements skipped: real files do not follow
 * the XSDs (COMMERCEML.md).
 *
 * Rules (each failure is one error with file:line and aborts the package):
 *  - goods are keyed by Ид; a duplicate Ид in one package is an error;
 *  - a good without Артикул is refused unless catalog.require_article is
 *    off (a dealer orders by article);
 *  - prices and stock must name known goods, price types and warehouses
 *    (catalog.unknown_offers: skip turns unknown goods into warnings);
 *  - negative stock follows catalog.negative_stock;
 *  - "only changes" packages upsert; a full catalog marks goods it does not
 *    list as deleted, a full offers package replaces all prices (and all
 *    stock) it carries: goods it does not list lose theirs.  Goods are
 *    never hard-deleted: orders name them.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "fx-int.h"

enum {
	T_ROOT, T_CLASSIFIER, T_CATALOG, T_PACKAGE, T_PKGCHANGES, T_DOCUMENT,
	T_GROUPS, T_GROUP, T_CATEGORIES, T_CATEGORY, T_ID, T_NAME, T_DELMARK,
	T_PROPS, T_PROP, T_REFBOOK, T_VALUEID, T_VALUE, T_GOODS, T_GOOD,
	T_ARTICLE, T_BARCODE, T_BARCODE2, T_UNIT, T_PROPVALS, T_PROPVAL,
	T_ONLYCHANGES, T_PRICETYPES, T_PRICETYPE, T_CURRENCY, T_WAREHOUSES,
	T_WAREHOUSE, T_OFFERS, T_OFFER, T_PRICES, T_PRICE, T_PRICETYPEID,
	T_UNITPRICE, T_QTY, T_RESTS, T_REST, T_CONTAINER,
	T_REQVAL, T_RECALC, T_UNITREF, T_COEF
};

static const char *const names[] = {
	[T_ROOT] = "КоммерческаяИнформация",
	[T_CLASSIFIER] = "Классификатор",
	[T_CATALOG] = "Каталог",
	[T_PACKAGE] = "ПакетПредложений",
	[T_PKGCHANGES] = "ИзмененияПакетаПредложений",
	[T_DOCUMENT] = "Документ",
	[T_GROUPS] = "Группы",
	[T_GROUP] = "Группа",
	[T_CATEGORIES] = "Категории",
	[T_CATEGORY] = "Категория",
	[T_ID] = "Ид",
	[T_NAME] = "Наименование",
	[T_DELMARK] = "ПометкаУдаления",
	[T_PROPS] = "Свойства",
	[T_PROP] = "Свойство",
	[T_REFBOOK] = "Справочник",
	[T_VALUEID] = "ИдЗначения",
	[T_VALUE] = "Значение",
	[T_GOODS] = "Товары",
	[T_GOOD] = "Товар",
	[T_ARTICLE] = "Артикул",
	[T_BARCODE] = "Штрихкод",
	[T_BARCODE2] = "ШтрихКод",
	[T_UNIT] = "БазоваяЕдиница",
	[T_PROPVALS] = "ЗначенияСвойств",
	[T_PROPVAL] = "ЗначенияСвойства",
	[T_ONLYCHANGES] = "СодержитТолькоИзменения",
	[T_PRICETYPES] = "ТипыЦен",
	[T_PRICETYPE] = "ТипЦены",
	[T_CURRENCY] = "Валюта",
	[T_WAREHOUSES] = "Склады",
	[T_WAREHOUSE] = "Склад",
	[T_OFFERS] = "Предложения",
	[T_OFFER] = "Предложение",
	[T_PRICES] = "Цены",
	[T_PRICE] = "Цена",
	[T_PRICETYPEID] = "ИдТипаЦены",
	[T_UNITPRICE] = "ЦенаЗаЕдиницу",
	[T_QTY] = "Количество",
	[T_RESTS] = "Остатки",
	[T_REST] = "Остаток",
	[T_CONTAINER] = "Контейнер",
	[T_REQVAL] = "ЗначениеРеквизита",
	[T_RECALC] = "Пересчет",
	[T_UNITREF] = "Единица",
	[T_COEF] = "Коэффициент",
};

static const char *const known_versions[] = {
	"2.03", "2.04", "2.05", "2.06", "2.07", "2.08", "2.09", "2.10",
};

#define TEXT(t)		((uint64_t)1 << (t))	/* tokens whose text we read */
#define MAXGROUPDEPTH	64
#define MAXPRICES	32	/* price types in one offer */
#define MAXSTOCK	256	/* warehouses in one offer */

/*
 * Errors of the store side (see "The pipeline" below) name the line the
 * parser was at: a good's or an offer's first line, else the line where
 * the element ended.
 */
#define GERR(...)	cerr(c, c->good_line, __VA_ARGS__)
#define OERR(...)	cerr(c, c->offer_line, __VA_ARGS__)
#define EERR(...)	cerr(c, c->ev_line, __VA_ARGS__)

enum sect { S_NONE, S_CLASSIFIER, S_CATALOG, S_OFFERS };

struct gframe {
	struct fx_buf	 id, name;
	int		 deleted;
};

struct price {
	struct fx_buf	 type;
	int64_t		 v;
	int		 set;
	int		 empty;		/* ЦенаЗаЕдиницу present but empty */
};

struct stockl {
	struct fx_buf	 wh;
	int64_t		 qty;
	long		 line;
};

struct cml {
	struct fx_ctx		*ctx;
	struct fx_txn		*txn;
	struct fx_pkg		*pkg;
	struct fx_import_stats	*st;
	struct fx_err		*err;
	const char		*path;
	enum sect		 sect;
	int			 only_changes;	/* of the current section */
	uint64_t		 goods_in_catalog;
	struct fx_map		 groups_seen;	/* declared in this file */
	struct fx_map		 groups_known;	/* seen or in the store */
	struct fx_map		 pricetypes;	/* known Ид -> (void *)1 */
	struct fx_map		 warehouses;
	struct fx_buf		 key, rec;	/* scratch */

	/* group frames */
	struct gframe		 g[MAXGROUPDEPTH];
	int			 gdepth;

	/* property */
	struct fx_buf		 prop_id, prop_name, val_id;
	char			**prop_vals;
	size_t			 nprop_vals, prop_vals_cap;

	/* good */
	struct fx_buf		 id, article, name, unit, unit_code, group,
				 barcode;
	int			 deleted;
	long			 good_line;
	struct fx_prop		*pv;
	size_t			 npv, pvcap;
	struct fx_buf		 pv_id;

	/*
	 * Pack multiple (thousandths, 0 none) of a good from its requisite
	 * and from its base unit's Пересчет, read by the parser; the
	 * property's is found by the store side, which picks (pack_pick).
	 */
	int64_t			 req_pack, unit_pack;
	int			 rq_state;	/* 0 no name yet, 1 other, 2 ours */
	int			 rq_val_set;
	struct fx_buf		 rq_val, rc_unit, rc_coef;
	int			 rc_has_coef;
	const char		*pk_name;	/* orders.pack_property */
	size_t			 pk_len;	/* 0: no named pack */
	char			 pk_fold[256];

	/* price type / warehouse declaration */
	struct fx_buf		 d_id, d_name, d_cur;

	/* offer */
	struct price		 prices[MAXPRICES];
	size_t			 nprices;
	struct stockl		 stock[MAXSTOCK];
	size_t			 nstock;
	int64_t			 total;
	int			 has_total;
	struct fx_buf		 r_wh;		/* rests: Склад/Ид */
	int64_t			 r_qty;
	int			 r_has_qty;
	long			 offer_line;
	long			 ev_line;	/* where the element ended */
	struct pipeline		*pl;		/* parser side: the queue */
	struct fx_cur		 ocur;		/* offers, for in-place puts */
	int			 ocur_open;
	struct fx_refs		 refs;		/* their ids' numbers */
	int			 refs_loaded;
	struct fx_cur		 pcur;		/* products, likewise */
	int			 pcur_open;
};

static int __attribute__((format(printf, 3, 4)))
cerr(struct cml *c, long line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fx_err_setloc(c->err, FX_EDATA, c->path, line, 0, "%s", msg);
}

static void
trim(struct fx_buf *b, const char *s, size_t len)
{
	size_t i;

	/* Names arrive with embedded newlines and trailing spaces. */
	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n' ||
	    *s == '\r'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	fx_buf_reset(b);
	fx_buf_add(b, s, len);
	for (i = 0; i < b->len; i++)
		if ((unsigned char)b->p[i] < 0x20)
			b->p[i] = ' ';
}

static int
attr(const struct fx_xml_attr *a, size_t n, const char *name,
    struct fx_buf *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(a[i].name, name) == 0) {
			trim(out, a[i].value, a[i].len);
			return 1;
		}
	return 0;
}

static int
is_true(const char *s)
{
	return strcmp(s, "true") == 0 || strcmp(s, "1") == 0 ||
	    strcmp(s, "истина") == 0;
}

static const char *
q(char *buf, size_t sz, const char *s)
{
	return fx_quote(buf, sz, s);
}

static int
known(struct cml *c, struct fx_map *cache, enum fx_kind kind,
    const char *id)
{
	void **slot;
	int r;

	if ((slot = fx_map_get(cache, id)) != NULL)
		return 1;
	r = fx_db_get(c->txn, kind, id, strlen(id), NULL, NULL, c->err);
	if (r == -1)
		return -1;
	if (r == 0)
		*fx_map_put(cache, id) = (void *)1;
	return r == 0;
}

/*
 * Pack multiples.  A good's pack (the quantity a dealer must order a
 * multiple of, formix-order(1)) comes from, first to last:
 *  1. its property named orders.pack_property (ЗначенияСвойств), as
 *     before requisites were read, so catalogs that had one keep it;
 *  2. its requisite of that name (ЗначенияРеквизитов), where UT 11 and
 *     hand-made exports put item-card fields;
 *  3. its base unit's Пересчет to another unit (a package) with a
 *     Коэффициент above 1: the smallest such package.
 * The explicit, named values win over the unit: a package unit may
 * exist for the warehouse without binding dealers.  A value that is not
 * a positive number, or not whole for piece goods, is a warning and is
 * skipped (the next source counts): the pack is an aid to the dealer,
 * not worth refusing a catalog of thousands of goods for.  The pick is
 * stored in the product record (pack), made at import with the
 * configuration of that moment; formix-order check reads it directly.
 */
static void
pack_name_init(struct cml *c)
{
	const char *n = c->ctx->conf.orders_pack_property;

	c->pk_len = 0;
	if (n == NULL || n[0] == '\0' ||
	    fx_fold(n, c->pk_fold, sizeof(c->pk_fold)) == -1)
		return;
	c->pk_name = n;
	c->pk_len = strlen(n);
}

/*
 * Is s (len bytes, not trimmed) the pack's name, case folded?  Folding
 * keeps the length of Cyrillic and ASCII letters, so names of another
 * length are rejected without folding: this runs for every requisite
 * and property value of the catalog.
 */
static int
is_pack_name(const struct cml *c, const char *s, size_t len)
{
	char tmp[256], f[256];

	if (c->pk_len == 0)
		return 0;
	if (len == c->pk_len && memcmp(s, c->pk_name, len) == 0)
		return 1;
	/* Trimming only shortens, folding keeps the length. */
	if (len < c->pk_len)
		return 0;
	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n' ||
	    *s == '\r'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (c->pk_len == 0 || len != c->pk_len)
		return 0;
	if (memcmp(s, c->pk_name, len) == 0)
		return 1;
	if (len >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return fx_fold(tmp, f, sizeof(f)) == 0 && strcmp(f, c->pk_fold) == 0;
}

static int
ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* is_pack_name's test without a call, for the names that cannot be. */
static inline int
may_be_pack_name(const struct cml *c, const char *s, size_t len)
{
	return c->pk_len != 0 && len >= c->pk_len && (len == c->pk_len ||
	    ws(s[0]) || ws(s[len - 1]));
}

/* "5", "5 шт", "0,5": the number before a unit; -1 if none or not > 0. */
static int
pack_num(const char *s, int64_t *v)
{
	char num[64];
	size_t n = strspn(s, " ");

	(void)snprintf(num, sizeof(num), "%s", s + n);
	num[strcspn(num, " \t")] = '\0';
	if (fx_qty_parse(num, v) == -1 || *v <= 0)
		return -1;
	return 0;
}

/* A warning about the good being stored, at its first line. */
static void __attribute__((format(printf, 2, 3)))
gwarn(struct cml *c, const char *fmt, ...)
{
	struct fx_err w;
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fx_err_setloc(&w, FX_EDATA, c->path, c->good_line, 0, "%s", msg);
	fx_warn(c->ctx, &w);
	c->st->warnings++;
}

/* The store side's pick, property first (see above). */
static int64_t
pack_pick(struct cml *c, int64_t prop_pack)
{
	static const char *const src[] = { "property", "requisite",
	    "unit conversion" };
	int64_t cand[3];
	char b1[128], q3[32];
	int i, piece;

	cand[0] = prop_pack;
	cand[1] = c->req_pack;
	cand[2] = c->unit_pack;
	piece = strcmp(fx_buf_str(&c->unit_code), "796") == 0;
	for (i = 0; i < 3; i++) {
		if (cand[i] <= 0)
			continue;
		if (piece && cand[i] % 1000 != 0) {
			gwarn(c, "product \"%s\": pack multiple %s (%s%s%s%s) "
			    "of piece goods is not whole: ignored",
			    q(b1, sizeof(b1), fx_buf_str(&c->id)),
			    fx_qty_fmt(q3, sizeof(q3), cand[i]), src[i],
			    i < 2 ? " \"" : "", i < 2 ? c->pk_name : "",
			    i < 2 ? "\"" : "");
			continue;
		}
		return cand[i];
	}
	return 0;
}

/* Groups. */

static int
group_end(struct cml *c)
{
	struct gframe *f = &c->g[c->gdepth - 1];
	struct fx_group g;
	char b1[128];
	int rc;

	if (f->id.len == 0)
		return EERR("group without Ид");
	if (fx_map_get(&c->groups_seen, fx_buf_str(&f->id)) != NULL)
		return EERR("duplicate group Ид \"%s\"",
		    q(b1, sizeof(b1), f->id.p));
	*fx_map_put(&c->groups_seen, f->id.p) = (void *)1;
	*fx_map_put(&c->groups_known, f->id.p) = (void *)1;
	g.id = f->id.p;
	g.name = (char *)fx_buf_str(&f->name);
	g.parent = c->gdepth > 1 ? (char *)fx_buf_str(&c->g[c->gdepth - 2].id)
	    : (char *)"";	/* "" at the top */
	g.deleted = f->deleted;
	rc = fx_db_putrec(c->txn, FX_K_GROUP, g.id, f->id.len, &fx_rt_group,
	    &g, &c->rec, c->err);
	if (rc == -1)
		return -1;
	c->st->groups++;
	return 0;
}

/* Properties. */

static void
prop_free(void *v)
{
	struct fx_property *p = v;

	fx_rec_release(&fx_rt_property, p);
	free(p);
}

static int
prop_end(struct cml *c)
{
	struct fx_property p, *cp;
	size_t i;

	if (c->prop_id.len == 0)
		return EERR("property without Ид");
	p.id = c->prop_id.p;
	p.name = (char *)fx_buf_str(&c->prop_name);
	p.values = c->prop_vals;
	p.nvalues = c->nprop_vals;
	if (fx_db_putrec(c->txn, FX_K_PROPERTY, p.id, c->prop_id.len,
	    &fx_rt_property, &p, &c->rec, c->err) == -1)
		return -1;
	/* Keep a copy for resolving the goods' values in this package. */
	cp = fx_calloc(1, sizeof(*cp));
	cp->id = fx_strdup(p.id);
	cp->name = fx_strdup(p.name);
	cp->nvalues = p.nvalues;
	cp->values = fx_calloc(p.nvalues ? p.nvalues : 1, sizeof(char *));
	for (i = 0; i < p.nvalues; i++)
		cp->values[i] = fx_strdup(p.values[i]);
	{
		void **slot = fx_map_put(&c->pkg->props, p.id);

		if (*slot != NULL)
			prop_free(*slot);
		*slot = cp;
	}
	for (i = 0; i < c->nprop_vals; i++)
		free(c->prop_vals[i]);
	c->nprop_vals = 0;
	c->st->properties++;
	return 0;
}

static void
prop_add_val_take(struct cml *c, char *s)
{
	c->prop_vals = fx_grow(c->prop_vals, &c->prop_vals_cap,
	    c->nprop_vals + 1, sizeof(char *));
	c->prop_vals[c->nprop_vals++] = s;
}

static void
prop_add_val(struct cml *c, const char *s)
{
	prop_add_val_take(c, fx_strdup(s));
}

/* The property of a good's value: from this package, else the store. */
static struct fx_property *
prop_lookup(struct cml *c, const char *id)
{
	void **slot = fx_map_get(&c->pkg->props, id);
	struct fx_property *p;
	struct fx_err e;

	if (slot != NULL)
		return *slot;
	p = fx_calloc(1, sizeof(*p));
	if (fx_db_getrec(c->txn, FX_K_PROPERTY, id, strlen(id),
	    &fx_rt_property, p, &e) != 0) {
		free(p);
		p = NULL;
	}
	/* Cache misses too, so unknown properties cost one lookup. */
	*fx_map_put(&c->pkg->props, id) = p;
	return p;
}

/* Goods. */

static void
good_reset(struct cml *c)
{
	size_t i;

	fx_buf_reset(&c->id);
	fx_buf_reset(&c->article);
	fx_buf_reset(&c->name);
	fx_buf_reset(&c->unit);
	fx_buf_reset(&c->unit_code);
	fx_buf_reset(&c->group);
	fx_buf_reset(&c->barcode);
	for (i = 0; i < c->npv; i++) {
		free(c->pv[i].name);
		free(c->pv[i].value);
	}
	c->npv = 0;
	c->deleted = 0;
	c->req_pack = c->unit_pack = 0;
	c->rq_state = 0;
	c->rq_val_set = 0;
}

static int
good_end(struct cml *c)
{
	struct fx_product p, old;
	char b1[128], b2[128], norm[512], onorm[512], bnorm[512], obnorm[512];
	const void *ov;
	size_t i, n, ovl;
	int64_t prop_pack = 0;
	size_t n1;
	int r, same = 0, bsame = 0;

	if (c->id.len == 0)
		return GERR("product without Ид");
	if (c->name.len == 0 && !c->deleted)
		return GERR("product \"%s\" has no "
		    "Наименование", q(b1, sizeof(b1), c->id.p));
	if (c->article.len == 0 && !c->deleted &&
	    c->ctx->conf.require_article)
		return GERR("product \"%s\" (%s) has no "
		    "Артикул", q(b1, sizeof(b1), c->id.p),
		    q(b2, sizeof(b2), fx_buf_str(&c->name)));
	if (c->group.len > 0) {
		r = known(c, &c->groups_known, FX_K_GROUP, c->group.p);
		if (r == -1)
			return -1;
		if (r == 0)
			return GERR("product \"%s\" is in "
			    "unknown group \"%s\"", q(b1, sizeof(b1), c->id.p),
			    q(b2, sizeof(b2), c->group.p));
	}

	/* Resolve property values: reference-list ids become their text. */
	for (i = 0, n = 0; i < c->npv; i++) {
		struct fx_property *pr = prop_lookup(c, c->pv[i].name);
		size_t k;

		if (pr == NULL || c->pv[i].value[0] == '\0') {
			free(c->pv[i].name);
			free(c->pv[i].value);
			continue;
		}
		for (k = 0; k + 1 < pr->nvalues; k += 2)
			if (strcmp(pr->values[k], c->pv[i].value) == 0) {
				free(c->pv[i].value);
				c->pv[i].value = fx_strdup(pr->values[k + 1]);
				break;
			}
		free(c->pv[i].name);
		c->pv[i].name = fx_strdup(pr->name);
		if (prop_pack == 0 && (n1 = strlen(pr->name),
		    may_be_pack_name(c, pr->name, n1)) &&
		    is_pack_name(c, pr->name, n1) &&
		    pack_num(c->pv[i].value, &prop_pack) == -1) {
			gwarn(c, "product \"%s\": pack multiple \"%s\" "
			    "(property \"%s\") is not a positive number: "
			    "ignored", q(b1, sizeof(b1), c->id.p),
			    q(b2, sizeof(b2), c->pv[i].value), pr->name);
			prop_pack = 0;
		}
		c->pv[n++] = c->pv[i];
	}
	c->npv = n;

	p.id = c->id.p;
	p.article = (char *)fx_buf_str(&c->article);
	p.name = (char *)fx_buf_str(&c->name);
	p.unit = (char *)fx_buf_str(&c->unit);
	p.unit_code = (char *)fx_buf_str(&c->unit_code);
	p.group = (char *)fx_buf_str(&c->group);
	p.barcode = (char *)fx_buf_str(&c->barcode);
	p.deleted = c->deleted;
	p.gen = c->pkg->gen;
	p.props = c->pv;
	p.nprops = c->npv;
	p.pack = pack_pick(c, prop_pack);
	if (p.pack > 0 && !c->pkg->packs) {
		/* The order check looks for packs only if a good has one. */
		if (fx_meta_put(c->txn, "packs", "1", c->err) == -1)
			return -1;
		c->pkg->packs = 1;
	}
	if (p.article[0] != '\0' &&
	    fx_article_norm(p.article, norm, sizeof(norm)) == -1)
		return GERR("product \"%s\": article is not valid UTF-8",
		    q(b1, sizeof(b1), p.id));
	if (p.article[0] == '\0')
		norm[0] = '\0';
	/* Deleted goods leave the barcode index: 1C hands barcodes on. */
	bnorm[0] = '\0';
	if (!p.deleted && p.barcode[0] != '\0' &&
	    fx_barcode_norm(p.barcode, bnorm, sizeof(bnorm)) == -1)
		return GERR("product \"%s\": barcode is not valid UTF-8",
		    q(b1, sizeof(b1), p.id));

	/*
	 * Insert unless it exists: one descent either way, and when it
	 * does exist the cursor stays on it for an in-place replace.
	 */
	if (!c->pcur_open) {
		if (fx_cur_open(c->txn, FX_K_PRODUCT, &c->pcur, c->err) == -1)
			return -1;
		c->pcur_open = 1;
	}
	fx_rec_encode(&c->rec, &fx_rt_product, &p);
	r = fx_cur_put_new(&c->pcur, p.id, c->id.len, c->rec.p, c->rec.len,
	    &ov, &ovl, c->err);
	if (r == -1)
		return -1;
	if (r == 1) {
		if (fx_rec_decode(ov, ovl, &fx_rt_product_head, &old,
		    c->err) == -1)
			return -1;
		if (old.gen == c->pkg->gen) {
			fx_rec_release(&fx_rt_product_head, &old);
			return GERR("duplicate product Ид \"%s\"",
			    q(b1, sizeof(b1), c->id.p));
		}
		same = strcmp(old.article, p.article) == 0;
		obnorm[0] = '\0';
		if (!old.deleted && old.barcode[0] != '\0' &&
		    fx_barcode_norm(old.barcode, obnorm, sizeof(obnorm)) == -1)
			obnorm[0] = '\0';
		bsame = strcmp(obnorm, bnorm) == 0;
		if (!bsame && obnorm[0] != '\0' &&
		    fx_db_del(c->txn, FX_K_IDX_BARCODE, obnorm, strlen(obnorm),
		    c->id.p, c->id.len, c->err) == -1) {
			fx_rec_release(&fx_rt_product_head, &old);
			return -1;
		}
		/* Drop the index entry of an article that changed. */
		if (!same && old.article[0] != '\0' &&
		    fx_article_norm(old.article, onorm, sizeof(onorm)) == 0 &&
		    onorm[0] != '\0' &&
		    fx_db_del(c->txn, FX_K_IDX_ARTICLE, onorm, strlen(onorm),
		    c->id.p, c->id.len, c->err) == -1) {
			fx_rec_release(&fx_rt_product_head, &old);
			return -1;
		}
		fx_rec_release(&fx_rt_product_head, &old);
		if (fx_cur_put(&c->pcur, p.id, c->id.len, c->rec.p,
		    c->rec.len, 1, c->err) == -1)
			return -1;
	}
	if (!same && norm[0] != '\0' && fx_db_putdup(c->txn,
	    FX_K_IDX_ARTICLE, norm, strlen(norm), p.id, c->id.len,
	    c->err) == -1)
		return -1;
	if (!bsame && bnorm[0] != '\0' && fx_db_putdup(c->txn,
	    FX_K_IDX_BARCODE, bnorm, strlen(bnorm), p.id, c->id.len,
	    c->err) == -1)
		return -1;
	c->st->products++;
	if (p.deleted)
		c->st->deleted++;
	return 0;
}

/* Price types and warehouses. */

static int
pricetype_end(struct cml *c)
{
	struct fx_pricetype pt;

	if (c->d_id.len == 0)
		return EERR("price type without Ид");
	pt.id = c->d_id.p;
	pt.name = (char *)fx_buf_str(&c->d_name);
	pt.currency = (char *)fx_buf_str(&c->d_cur);
	if (fx_db_putrec(c->txn, FX_K_PRICETYPE, pt.id, c->d_id.len,
	    &fx_rt_pricetype, &pt, &c->rec, c->err) == -1)
		return -1;
	*fx_map_put(&c->pricetypes, pt.id) = (void *)1;
	c->st->pricetypes++;
	return 0;
}

static int
warehouse_end(struct cml *c)
{
	struct fx_warehouse w;

	if (c->d_id.len == 0)
		return EERR("warehouse without Ид");
	w.id = c->d_id.p;
	w.name = (char *)fx_buf_str(&c->d_name);
	if (fx_db_putrec(c->txn, FX_K_WAREHOUSE, w.id, c->d_id.len,
	    &fx_rt_warehouse, &w, &c->rec, c->err) == -1)
		return -1;
	*fx_map_put(&c->warehouses, w.id) = (void *)1;
	c->st->warehouses++;
	return 0;
}

/* Offers. */

static void
offer_reset(struct cml *c)
{
	fx_buf_reset(&c->id);
	fx_buf_reset(&c->name);
	c->nprices = 0;
	c->nstock = 0;
	c->has_total = 0;
	c->total = 0;
}

static int
stock_add(struct fx_xml *x, struct cml *c, const char *wh, size_t whlen,
    const char *qty)
{
	struct stockl *s;
	char b1[64];

	if (c->nstock >= MAXSTOCK)
		return fx_xml_err(x, FX_EDATA, "offer with stock on more than "
		    "%d warehouses", MAXSTOCK);
	s = &c->stock[c->nstock];
	trim(&s->wh, wh, whlen);
	if (s->wh.len == 0)
		return fx_xml_err(x, FX_EDATA, "stock without a warehouse Ид");
	if (fx_qty_parse(qty, &s->qty) == -1)
		return fx_xml_err(x, FX_EDATA, "bad stock quantity \"%s\"",
		    q(b1, sizeof(b1), qty));
	s->line = fx_xml_line(x);
	c->nstock++;
	return 0;
}

/*
 * Which product an offer is about.  "<good>#<characteristic>" offers are
 * variants of a good: the first time one is seen it becomes a product of
 * its own (the good's fields, the offer's name), not indexed by article
 * since it shares the good's.  "<good>#" is the good itself.
 */
static int
offer_product(struct cml *c, const char *name,
    struct fx_buf *pid)
{
	const char *hash;
	struct fx_product p;
	int r;

	fx_buf_reset(pid);
	fx_buf_add(pid, c->id.p, c->id.len);
	hash = strchr(pid->p, '#');
	if (hash != NULL && hash[1] == '\0') {
		pid->len--;
		pid->p[pid->len] = '\0';
		hash = NULL;
	}
	r = fx_db_get(c->txn, FX_K_PRODUCT, pid->p, pid->len, NULL, NULL,
	    c->err);
	if (r != 1 || hash == NULL)
		return r;
	/* A new variant of a known good? */
	r = fx_db_getrec(c->txn, FX_K_PRODUCT, pid->p, (size_t)(hash - pid->p),
	    &fx_rt_product, &p, c->err);
	if (r != 0)
		return r;
	if (name[0] != '\0') {
		free(p.name);
		p.name = fx_strdup(name);
	}
	free(p.id);
	p.id = fx_strdup(pid->p);
	p.gen = c->pkg->gen;
	r = fx_db_putrec(c->txn, FX_K_PRODUCT, pid->p, pid->len,
	    &fx_rt_product, &p, &c->rec, c->err);
	fx_rec_release(&fx_rt_product, &p);
	if (r == -1)
		return -1;
	c->st->products++;
	return 0;
}

/* Set id's amount in a vector (replace or append). */
static void
qv_set(struct fx_qv **v, size_t *n, const char *id, int64_t amount)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i].id, id) == 0) {
			(*v)[i].v = amount;
			return;
		}
	*v = fx_realloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].id = fx_strdup(id);
	(*v)[*n].v = amount;
	(*n)++;
}

static void
qv_clear(struct fx_qv **v, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*v)[i].id);
	free(*v);
	*v = NULL;
	*n = 0;
}

/*
 * Merge the offer into the product's offers record.  Within a package the
 * parts of an offer add up (prices___ and rests___ files); an "only
 * changes" package upserts per price type and warehouse; a full package
 * starts each offer afresh the first time it touches it.
 */
static int
offer_end(struct cml *c, const char *offer_name)
{
	struct fx_buf pid = { 0 };
	struct fx_offer o;
	const struct fx_conf *cf = &c->ctx->conf;
	uint32_t gen = c->pkg->gen;
	char b1[128], b2[128], b3[32];
	size_t i;
	int r, rc = -1, whole, at;

	memset(&o, 0, sizeof(o));
	if (c->id.len == 0)
		return OERR("offer without Ид");
	if (!c->refs_loaded) {
		if (fx_refs_load(c->txn, 1, &c->refs, c->err) == -1)
			return -1;
		c->refs_loaded = 1;
	}
	/*
	 * A full offer with prices and stock replaces the record whole: no
	 * need to read it.  Otherwise read it to merge; an offers record
	 * also proves the product exists (only known goods get one).
	 */
	whole = !c->only_changes && c->nprices > 0 &&
	    (c->nstock > 0 || c->has_total);
	r = 1;
	at = 0;
	if (whole && strchr(c->id.p, '#') == NULL) {
		/* Position the cursor: the put then replaces in place. */
		MDB_val k, v;

		if (!c->ocur_open) {
			if (fx_cur_open(c->txn, FX_K_OFFER, &c->ocur,
			    c->err) == -1)
				goto out;
			c->ocur_open = 1;
		}
		r = fx_cur_dup_first(&c->ocur, c->id.p, c->id.len, &k, &v,
		    c->err);
		if (r == -1)
			goto out;
		if (r == 0) {
			at = 1;
			fx_buf_reset(&pid);
			fx_buf_add(&pid, c->id.p, c->id.len);
		}
	} else if (!whole && strchr(c->id.p, '#') == NULL) {
		r = fx_offer_get(c->txn, &c->refs, c->id.p, c->id.len, &o,
		    c->err);
		if (r == -1)
			goto out;
		if (r == 0) {
			fx_buf_reset(&pid);
			fx_buf_add(&pid, c->id.p, c->id.len);
		}
	}
	if (r == 1)
		r = offer_product(c, offer_name, &pid);
	if (r == -1)
		goto out;
	if (r == 1) {
		const char *what = c->nprices > 0 ? "price" :
		    c->nstock > 0 || c->has_total ? "stock" : "offer";

		if (!cf->unknown_offers_skip) {
			OERR("%s for unknown product \"%s\"", what,
			    q(b1, sizeof(b1), c->id.p));
			goto out;
		}
		{
			struct fx_err w;

			fx_err_setloc(&w, FX_EDATA, c->path, c->offer_line, 0,
			    "%s for unknown product \"%s\" skipped", what,
			    q(b1, sizeof(b1), c->id.p));
			fx_warn(c->ctx, &w);
			c->st->warnings++;
		}
		rc = 0;
		goto out;
	}
	if (c->nprices == 0 && c->nstock == 0 && !c->has_total) {
		rc = 0;		/* names only (offers___ files) */
		goto out;
	}

	if (!whole && o.prices == NULL && o.stock == NULL && !o.has_total &&
	    fx_offer_get(c->txn, &c->refs, pid.p, pid.len, &o, c->err) == -1)
		goto out;

	if (c->nprices > 0) {
		if (!c->only_changes) {
			c->pkg->full_prices = 1;
			if (o.prices_gen != gen)
				qv_clear(&o.prices, &o.nprices);
		}
		o.prices_gen = gen;
	}
	for (i = 0; i < c->nprices; i++) {
		struct price *pr = &c->prices[i];

		r = known(c, &c->pricetypes, FX_K_PRICETYPE, pr->type.p);
		if (r == -1)
			goto out;
		if (r == 0) {
			OERR("price of product \"%s\" has unknown price type "
			    "\"%s\"", q(b1, sizeof(b1), pid.p),
			    q(b2, sizeof(b2), pr->type.p));
			goto out;
		}
		qv_set(&o.prices, &o.nprices, pr->type.p, pr->v);
		c->st->prices++;
	}

	if (c->nstock > 0 || c->has_total) {
		if (!c->only_changes) {
			c->pkg->full_stock = 1;
			if (o.stock_gen != gen) {
				qv_clear(&o.stock, &o.nstock);
				o.has_total = 0;
			}
		}
		o.stock_gen = gen;
	}
	for (i = 0; i < c->nstock; i++) {
		struct stockl *s = &c->stock[i];
		int64_t qty = s->qty;

		r = known(c, &c->warehouses, FX_K_WAREHOUSE, s->wh.p);
		if (r == -1)
			goto out;
		if (r == 0) {
			OERR("stock of product \"%s\" at unknown warehouse "
			    "\"%s\"", q(b1, sizeof(b1), pid.p),
			    q(b2, sizeof(b2), s->wh.p));
			goto out;
		}
		if (qty < 0) {
			struct fx_err w;

			if (cf->negative_stock == FX_NEGSTOCK_REJECT) {
				cerr(c, s->line, "negative "
				    "stock %s of product \"%s\" at warehouse "
				    "\"%s\"", fx_qty_fmt(b3, sizeof(b3), qty),
				    q(b1, sizeof(b1), pid.p),
				    q(b2, sizeof(b2), s->wh.p));
				goto out;
			}
			fx_err_setloc(&w, FX_EDATA, c->path, s->line, 0,
			    "negative stock %s of product \"%s\" at warehouse "
			    "\"%s\" %s", fx_qty_fmt(b3, sizeof(b3), qty),
			    q(b1, sizeof(b1), pid.p), q(b2, sizeof(b2), s->wh.p),
			    cf->negative_stock == FX_NEGSTOCK_CLAMP ?
			    "stored as 0" : "kept");
			fx_warn(c->ctx, &w);
			c->st->warnings++;
			if (cf->negative_stock == FX_NEGSTOCK_CLAMP)
				qty = 0;
		}
		qv_set(&o.stock, &o.nstock, s->wh.p, qty);
		c->st->stock++;
	}
	if (c->has_total) {
		if (c->total < 0 && cf->negative_stock == FX_NEGSTOCK_REJECT) {
			OERR("negative stock %s of product \"%s\"",
			    fx_qty_fmt(b3, sizeof(b3), c->total),
			    q(b1, sizeof(b1), pid.p));
			goto out;
		}
		o.total = c->total < 0 &&
		    cf->negative_stock == FX_NEGSTOCK_CLAMP ? 0 : c->total;
		o.has_total = 1;
		c->st->totals++;
	}
	if (fx_offer_encode(&c->rec, &c->refs, &o, c->err) == -1)
		goto out;
	if (at) {
		if (fx_cur_put(&c->ocur, pid.p, pid.len, c->rec.p, c->rec.len,
		    1, c->err) == -1)
			goto out;
	} else if (fx_db_put(c->txn, FX_K_OFFER, pid.p, pid.len, c->rec.p,
	    c->rec.len, c->err) == -1)
		goto out;
	rc = 0;
out:
	fx_rec_release(&fx_rt_offer, &o);
	fx_buf_release(&pid);
	return rc;
}

/*
 * The pipeline.  Parsing (libxml2 and the callbacks below) takes about as
 * long as everything else together, so it runs in a thread of its own:
 * the parser thread collects each finished group, property, good, price
 * type, warehouse and offer into an event and queues it in batches; the
 * calling thread, which owns the package's write transaction (an LMDB
 * write transaction belongs to one thread), applies the events in file
 * order with the *_end functions above.  Errors keep their sequential
 * meaning: the store side's error on an event wins over a parse error
 * found later in the file; a store error stops the parser.  The queue is
 * bounded, so memory stays flat.
 */
enum ev {
	EV_GROUP = 1, EV_PROP, EV_GOOD, EV_PRICETYPE, EV_WAREHOUSE, EV_OFFER,
	EV_WARN
};

#define BATCH		(128 * 1024)	/* bytes of events a batch */
#define QLEN		4		/* batches in flight */

struct pipeline {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct fx_buf	*q[QLEN];
	size_t		 head, n;
	int		 done;		/* the parser has finished */
	int		 abort;		/* the store side failed: stop */
	struct fx_buf	*cur;		/* the batch being filled */
	/* parser thread */
	struct cml	*c;
	const char	*path;
	struct fx_err	 err;
	int		 rc;
};

static void
put_u32(struct fx_buf *b, uint32_t v)
{
	fx_buf_add(b, &v, sizeof(v));
}

static void
put_i64(struct fx_buf *b, int64_t v)
{
	fx_buf_add(b, &v, sizeof(v));
}

static void
put_s(struct fx_buf *b, const char *s, size_t len)
{
	put_u32(b, (uint32_t)len);
	fx_buf_add(b, s, len);
}

static void
put_b(struct fx_buf *b, struct fx_buf *v)
{
	put_s(b, fx_buf_str(v), v->len);
}

/* Queue the current batch (waiting while the queue is full). */
static void
pl_push(struct pipeline *pl, int last)
{
	pthread_mutex_lock(&pl->mu);
	while (pl->n == QLEN && !pl->abort)
		pthread_cond_wait(&pl->cv, &pl->mu);
	if (pl->cur != NULL && pl->cur->len > 0 && !pl->abort) {
		pl->q[(pl->head + pl->n) % QLEN] = pl->cur;
		pl->n++;
		pl->cur = NULL;
	}
	if (last)
		pl->done = 1;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
}

/* Start an event in the parser's batch; returns the batch. */
static struct fx_buf *
ev_begin(struct fx_xml *x, struct cml *c, enum ev type)
{
	struct pipeline *pl = c->pl;

	if (pl->cur == NULL)
		pl->cur = fx_calloc(1, sizeof(*pl->cur));
	fx_buf_addc(pl->cur, (int)type);
	put_i64(pl->cur, fx_xml_line(x));
	return pl->cur;
}

static int
ev_end(struct cml *c)
{
	struct pipeline *pl = c->pl;

	if (pl->cur->len >= BATCH)
		pl_push(pl, 0);
	return 0;
}

static int
emit_group(struct fx_xml *x, struct cml *c)
{
	struct fx_buf *b = ev_begin(x, c, EV_GROUP);
	struct gframe *f = &c->g[c->gdepth - 1];

	put_b(b, &f->id);
	put_b(b, &f->name);
	put_u32(b, (uint32_t)f->deleted);
	if (c->gdepth > 1)
		put_b(b, &c->g[c->gdepth - 2].id);
	else
		put_s(b, "", 0);
	return ev_end(c);
}

static int
emit_prop(struct fx_xml *x, struct cml *c)
{
	struct fx_buf *b = ev_begin(x, c, EV_PROP);
	size_t i;

	put_b(b, &c->prop_id);
	put_b(b, &c->prop_name);
	put_u32(b, (uint32_t)c->nprop_vals);
	for (i = 0; i < c->nprop_vals; i++) {
		put_s(b, c->prop_vals[i], strlen(c->prop_vals[i]));
		free(c->prop_vals[i]);
	}
	c->nprop_vals = 0;
	return ev_end(c);
}

static int
emit_good(struct fx_xml *x, struct cml *c)
{
	struct fx_buf *b = ev_begin(x, c, EV_GOOD);
	size_t i;

	put_i64(b, c->good_line);
	put_b(b, &c->id);
	put_b(b, &c->article);
	put_b(b, &c->name);
	put_b(b, &c->unit);
	put_b(b, &c->unit_code);
	put_b(b, &c->group);
	put_b(b, &c->barcode);
	put_u32(b, (uint32_t)c->deleted);
	put_u32(b, (uint32_t)c->npv);
	for (i = 0; i < c->npv; i++) {
		put_s(b, c->pv[i].name, strlen(c->pv[i].name));
		put_s(b, c->pv[i].value, strlen(c->pv[i].value));
	}
	put_i64(b, c->req_pack);
	put_i64(b, c->unit_pack);
	c->goods_in_catalog++;
	return ev_end(c);
}

static int
emit_decl(struct fx_xml *x, struct cml *c, enum ev type)
{
	struct fx_buf *b = ev_begin(x, c, type);

	put_b(b, &c->d_id);
	put_b(b, &c->d_name);
	put_b(b, &c->d_cur);
	return ev_end(c);
}

static int
emit_offer(struct fx_xml *x, struct cml *c)
{
	struct fx_buf *b = ev_begin(x, c, EV_OFFER);
	size_t i;

	put_i64(b, c->offer_line);
	put_u32(b, (uint32_t)c->only_changes);
	put_b(b, &c->id);
	put_b(b, &c->name);
	put_u32(b, (uint32_t)c->nprices);
	for (i = 0; i < c->nprices; i++) {
		put_b(b, &c->prices[i].type);
		put_i64(b, c->prices[i].v);
	}
	put_u32(b, (uint32_t)c->nstock);
	for (i = 0; i < c->nstock; i++) {
		put_b(b, &c->stock[i].wh);
		put_i64(b, c->stock[i].qty);
		put_i64(b, c->stock[i].line);
	}
	put_i64(b, c->total);
	put_u32(b, (uint32_t)c->has_total);
	return ev_end(c);
}

static int
emit_warn(struct fx_xml *x, struct cml *c, const char *msg)
{
	struct fx_buf *b = ev_begin(x, c, EV_WARN);

	put_s(b, msg, strlen(msg));
	return ev_end(c);
}

/* Reading events back. */
struct rdr {
	const char	*p, *end;
};

static uint32_t
get_u32(struct rdr *r)
{
	uint32_t v;

	if ((size_t)(r->end - r->p) < sizeof(v))
		FX_BUG("short event");
	memcpy(&v, r->p, sizeof(v));
	r->p += sizeof(v);
	return v;
}

static int64_t
get_i64(struct rdr *r)
{
	int64_t v;

	if ((size_t)(r->end - r->p) < sizeof(v))
		FX_BUG("short event");
	memcpy(&v, r->p, sizeof(v));
	r->p += sizeof(v);
	return v;
}

static void
get_b(struct rdr *r, struct fx_buf *b)
{
	uint32_t n = get_u32(r);

	if ((size_t)(r->end - r->p) < n)
		FX_BUG("short event");
	fx_buf_reset(b);
	fx_buf_add(b, r->p, n);
	fx_buf_str(b);
	r->p += n;
}

static char *
get_dup(struct rdr *r)
{
	uint32_t n = get_u32(r);
	char *s;

	if ((size_t)(r->end - r->p) < n)
		FX_BUG("short event");
	s = fx_strndup(r->p, n);
	r->p += n;
	return s;
}

/* Apply one event with the store side's struct cml. */
static int
apply_event(struct cml *c, struct rdr *r)
{
	enum ev type = (enum ev)(unsigned char)*r->p++;
	size_t i, n;

	c->ev_line = (long)get_i64(r);
	switch (type) {
	case EV_GROUP:
		/* Slot 1 the group, slot 0 its parent (empty at the top). */
		c->gdepth = 2;
		get_b(r, &c->g[1].id);
		get_b(r, &c->g[1].name);
		c->g[1].deleted = (int)get_u32(r);
		get_b(r, &c->g[0].id);
		return group_end(c);
	case EV_PROP:
		get_b(r, &c->prop_id);
		get_b(r, &c->prop_name);
		n = get_u32(r);
		for (i = 0; i < n; i++)
			prop_add_val_take(c, get_dup(r));
		return prop_end(c);
	case EV_GOOD:
		good_reset(c);
		c->good_line = (long)get_i64(r);
		get_b(r, &c->id);
		get_b(r, &c->article);
		get_b(r, &c->name);
		get_b(r, &c->unit);
		get_b(r, &c->unit_code);
		get_b(r, &c->group);
		get_b(r, &c->barcode);
		c->deleted = (int)get_u32(r);
		n = get_u32(r);
		c->pv = fx_grow(c->pv, &c->pvcap, n, sizeof(*c->pv));
		for (i = 0; i < n; i++) {
			c->pv[i].name = get_dup(r);
			c->pv[i].value = get_dup(r);
		}
		c->npv = n;
		c->req_pack = get_i64(r);
		c->unit_pack = get_i64(r);
		return good_end(c);
	case EV_PRICETYPE:
	case EV_WAREHOUSE:
		get_b(r, &c->d_id);
		get_b(r, &c->d_name);
		get_b(r, &c->d_cur);
		return type == EV_PRICETYPE ? pricetype_end(c) :
		    warehouse_end(c);
	case EV_OFFER:
		c->offer_line = (long)get_i64(r);
		c->only_changes = (int)get_u32(r);
		get_b(r, &c->id);
		get_b(r, &c->name);
		c->nprices = get_u32(r);
		for (i = 0; i < c->nprices; i++) {
			get_b(r, &c->prices[i].type);
			c->prices[i].v = get_i64(r);
		}
		c->nstock = get_u32(r);
		for (i = 0; i < c->nstock; i++) {
			get_b(r, &c->stock[i].wh);
			c->stock[i].qty = get_i64(r);
			c->stock[i].line = (long)get_i64(r);
		}
		c->total = get_i64(r);
		c->has_total = (int)get_u32(r);
		return offer_end(c, fx_buf_str(&c->name));
	case EV_WARN: {
		struct fx_err w;
		char *msg = get_dup(r);

		fx_err_setloc(&w, FX_EDATA, c->path, c->ev_line, 0, "%s", msg);
		free(msg);
		fx_warn(c->ctx, &w);
		c->st->warnings++;
		return 0;
	}
	}
	FX_BUG("bad event type %d", (int)type);
}

/*
 * The parser's side of pack multiples (see pack_pick): a requisite named
 * like the pack, and a Пересчет of the base unit to a package.
 */
static int
req_end(struct fx_xml *x, struct cml *c)
{
	char b1[128], b2[64], msg[256];

	if (pack_num(fx_buf_str(&c->rq_val), &c->req_pack) == 0)
		return 0;
	c->req_pack = 0;
	snprintf(msg, sizeof(msg), "product \"%s\": pack multiple \"%s\" "
	    "(requisite \"%s\") is not a positive number: ignored",
	    q(b1, sizeof(b1), fx_buf_str(&c->id)),
	    q(b2, sizeof(b2), fx_buf_str(&c->rq_val)), c->pk_name);
	return emit_warn(x, c, msg);
}

static int
recalc_end(struct fx_xml *x, struct cml *c)
{
	char b1[128], b2[64], b3[32], msg[256];
	int64_t v;

	/* The base unit itself (Коэффициент 1): no package. */
	if (c->rc_unit.len > 0 && c->rc_unit.len == c->unit_code.len &&
	    memcmp(c->rc_unit.p, c->unit_code.p, c->rc_unit.len) == 0)
		return 0;
	if (fx_qty_parse(fx_buf_str(&c->rc_coef), &v) == -1 || v <= 0) {
		snprintf(msg, sizeof(msg), "product \"%s\": Коэффициент \"%s\" "
		    "of unit \"%s\" is not a positive number: no pack taken "
		    "from it", q(b1, sizeof(b1), fx_buf_str(&c->id)),
		    q(b2, sizeof(b2), fx_buf_str(&c->rc_coef)),
		    q(b3, sizeof(b3), fx_buf_str(&c->rc_unit)));
		return emit_warn(x, c, msg);
	}
	/* 1 is the base unit again, below 1 a smaller unit: no pack. */
	if (v > 1000 && (c->unit_pack == 0 || v < c->unit_pack))
		c->unit_pack = v;
	return 0;
}

/* The SAX callbacks. */

static int
on_start(struct fx_xml *x, void *u, int tok, const struct fx_xml_attr *a,
    size_t na)
{
	/* Tokens that have work at their start, below. */
	static const uint64_t start_mask = TEXT(T_ROOT) | TEXT(T_CLASSIFIER) |
	    TEXT(T_CATALOG) | TEXT(T_PACKAGE) | TEXT(T_PKGCHANGES) |
	    TEXT(T_DOCUMENT) | TEXT(T_CONTAINER) | TEXT(T_GROUP) |
	    TEXT(T_CATEGORY) | TEXT(T_PROP) | TEXT(T_GOOD) | TEXT(T_UNIT) |
	    TEXT(T_PROPVAL) | TEXT(T_PRICETYPE) | TEXT(T_WAREHOUSE) |
	    TEXT(T_OFFER) | TEXT(T_PRICE) | TEXT(T_RECALC);
	struct cml *c = u;
	struct fx_buf v = { 0 };
	int up, rc = 0;
	size_t i;

	/*
	 * Most elements (Ид, Наименование, Значение...) have nothing to do
	 * at their start: return before anything, a callback costs.
	 */
	if (tok < 0 || tok >= 64 || (start_mask & TEXT(tok)) == 0)
		return 0;
	up = fx_xml_up(x, 1);
	/* The store side failed: the rest of the file does not matter. */
	if (__atomic_load_n(&c->pl->abort, __ATOMIC_RELAXED)) {
		fx_xml_stop(x);
		return 0;
	}
	switch (tok) {
	case T_ROOT:
		if (fx_xml_depth(x) != 1)
			break;
		if (attr(a, na, "ВерсияСхемы", &v)) {
			for (i = 0; i < nitems(known_versions); i++)
				if (strcmp(v.p, known_versions[i]) == 0)
					break;
			if (i == nitems(known_versions)) {
				char b1[32], msg[128];

				snprintf(msg, sizeof(msg), "unknown CommerceML "
				    "schema version \"%s\": trying anyway",
				    q(b1, sizeof(b1), v.p));
				emit_warn(x, c, msg);
			}
		}
		if (attr(a, na, "ДатаФормирования", &v))
			fx_strlcpy(c->pkg->catalog_asof, v.p,
			    sizeof(c->pkg->catalog_asof));
		break;
	case T_CLASSIFIER:
	case T_CATALOG:
	case T_PACKAGE:
	case T_PKGCHANGES:
		if (up != T_ROOT)
			break;
		c->sect = tok == T_CLASSIFIER ? S_CLASSIFIER :
		    tok == T_CATALOG ? S_CATALOG : S_OFFERS;
		c->only_changes = tok == T_PKGCHANGES;
		if (attr(a, na, "СодержитТолькоИзменения", &v))
			c->only_changes = is_true(v.p);
		if (tok == T_CATALOG)
			c->goods_in_catalog = 0;
		break;
	case T_DOCUMENT:
	case T_CONTAINER:
		if (up == T_ROOT)
			rc = fx_xml_err(x, FX_EDATA, "an order document "
			    "(Документ), not a catalog or offers file");
		break;
	case T_GROUP:
	case T_CATEGORY:
		if (up != T_GROUPS && up != T_CATEGORIES)
			break;
		if (c->sect != S_CLASSIFIER && c->sect != S_CATALOG)
			break;
		if (c->gdepth >= MAXGROUPDEPTH) {
			rc = fx_xml_err(x, FX_EDATA, "groups nested deeper "
			    "than %d levels", MAXGROUPDEPTH);
			break;
		}
		c->gdepth++;
		fx_buf_reset(&c->g[c->gdepth - 1].id);
		fx_buf_reset(&c->g[c->gdepth - 1].name);
		c->g[c->gdepth - 1].deleted = 0;
		break;
	case T_PROP:
		if (up == T_PROPS && fx_xml_up(x, 2) == T_CLASSIFIER) {
			fx_buf_reset(&c->prop_id);
			fx_buf_reset(&c->prop_name);
		}
		break;
	case T_GOOD:
		if (up != T_GOODS || c->sect != S_CATALOG)
			break;
		good_reset(c);
		c->good_line = fx_xml_line(x);
		if (attr(a, na, "Статус", &v) && strcmp(v.p, "Удален") == 0)
			c->deleted = 1;
		break;
	case T_UNIT:
		if (up == T_GOOD && attr(a, na, "Код", &v))
			fx_buf_add(&c->unit_code, v.p, v.len);
		break;
	case T_PROPVAL:
		if (up == T_PROPVALS && fx_xml_up(x, 2) == T_GOOD)
			fx_buf_reset(&c->pv_id);
		break;
	case T_RECALC:
		if (up == T_UNIT && fx_xml_up(x, 2) == T_GOOD) {
			fx_buf_reset(&c->rc_unit);
			fx_buf_reset(&c->rc_coef);
			c->rc_has_coef = 0;
		}
		break;
	case T_PRICETYPE:
		if (up == T_PRICETYPES) {
			fx_buf_reset(&c->d_id);
			fx_buf_reset(&c->d_name);
			fx_buf_reset(&c->d_cur);
		}
		break;
	case T_WAREHOUSE:
		if (up == T_WAREHOUSES) {
			fx_buf_reset(&c->d_id);
			fx_buf_reset(&c->d_name);
		} else if (up == T_OFFER) {
			struct fx_buf wh = { 0 }, qv = { 0 };

			if (attr(a, na, "ИдСклада", &wh)) {
				if (!attr(a, na, "КоличествоНаСкладе", &qv))
					fx_buf_adds(&qv, "0");
				rc = stock_add(x, c, wh.p, wh.len, qv.p);
			}
			fx_buf_release(&wh);
			fx_buf_release(&qv);
		} else if (up == T_REST) {
			fx_buf_reset(&c->r_wh);
			c->r_has_qty = 0;
		}
		break;
	case T_OFFER:
		if (up == T_OFFERS && c->sect == S_OFFERS) {
			offer_reset(c);
			c->offer_line = fx_xml_line(x);
		}
		break;
	case T_PRICE:
		if (up == T_PRICES && fx_xml_up(x, 2) == T_OFFER) {
			if (c->nprices >= MAXPRICES) {
				rc = fx_xml_err(x, FX_EDATA, "offer with more "
				    "than %d prices", MAXPRICES);
				break;
			}
			fx_buf_reset(&c->prices[c->nprices].type);
			c->prices[c->nprices].set = 0;
			c->prices[c->nprices].empty = 0;
			c->nprices++;
		}
		break;
	}
	fx_buf_release(&v);
	return rc;
}

static int
on_end(struct fx_xml *x, void *u, int tok, const char *text, size_t len)
{
	struct cml *c = u;
	int up = fx_xml_up(x, 1), up2 = fx_xml_up(x, 2);
	struct fx_buf *dst = NULL;
	char b1[64];

	switch (tok) {
	case T_ID:
		if ((up == T_GROUP || up == T_CATEGORY) && c->gdepth > 0 &&
		    (up2 == T_GROUPS || up2 == T_CATEGORIES))
			dst = &c->g[c->gdepth - 1].id;
		else if (up == T_PROP && up2 == T_PROPS)
			dst = &c->prop_id;
		else if (up == T_GOOD && c->sect == S_CATALOG)
			dst = &c->id;
		else if (up == T_GROUPS && up2 == T_GOOD) {
			if (c->group.len == 0)
				dst = &c->group;
		} else if (up == T_PRICETYPE || (up == T_WAREHOUSE &&
		    up2 == T_WAREHOUSES))
			dst = &c->d_id;
		else if (up == T_WAREHOUSE && up2 == T_REST)
			dst = &c->r_wh;
		else if (up == T_OFFER && c->sect == S_OFFERS)
			dst = &c->id;
		else if (up == T_PROPVAL && fx_xml_up(x, 3) == T_GOOD)
			dst = &c->pv_id;
		if (dst != NULL)
			trim(dst, text, len);
		break;
	case T_NAME:
		if ((up == T_GROUP || up == T_CATEGORY) && c->gdepth > 0 &&
		    (up2 == T_GROUPS || up2 == T_CATEGORIES))
			trim(&c->g[c->gdepth - 1].name, text, len);
		else if (up == T_PROP && up2 == T_PROPS)
			trim(&c->prop_name, text, len);
		else if (up == T_GOOD && c->sect == S_CATALOG)
			trim(&c->name, text, len);
		else if (up == T_PRICETYPE || (up == T_WAREHOUSE &&
		    up2 == T_WAREHOUSES))
			trim(&c->d_name, text, len);
		else if (up == T_OFFER && c->sect == S_OFFERS)
			trim(&c->name, text, len);
		else if (up == T_REQVAL && c->sect == S_CATALOG)
			c->rq_state = may_be_pack_name(c, text, len) &&
			    is_pack_name(c, text, len) ? 2 : 1;
		break;
	case T_DELMARK:
		if (!is_true(text))
			break;
		if ((up == T_GROUP || up == T_CATEGORY) && c->gdepth > 0)
			c->g[c->gdepth - 1].deleted = 1;
		else if (up == T_GOOD)
			c->deleted = 1;
		break;
	case T_ONLYCHANGES:
		if (up == T_CATALOG || up == T_PACKAGE || up == T_CLASSIFIER)
			c->only_changes = is_true(text);
		break;
	case T_GROUP:
	case T_CATEGORY:
		if ((up == T_GROUPS || up == T_CATEGORIES) && c->gdepth > 0 &&
		    (c->sect == S_CLASSIFIER || c->sect == S_CATALOG)) {
			if (emit_group(x, c) == -1)
				return -1;
			c->gdepth--;
		} else if (tok == T_CATEGORY && up == T_GOOD &&
		    c->group.len == 0)
			trim(&c->group, text, len);
		break;
	case T_VALUEID:
		if (up == T_REFBOOK)
			trim(&c->val_id, text, len);
		break;
	case T_VALUE:
		if (up == T_REFBOOK && c->val_id.len > 0) {
			struct fx_buf t = { 0 };

			trim(&t, text, len);
			prop_add_val(c, c->val_id.p);
			prop_add_val(c, fx_buf_str(&t));
			fx_buf_release(&t);
			fx_buf_reset(&c->val_id);
		} else if (up == T_PROPVAL && fx_xml_up(x, 3) == T_GOOD &&
		    c->pv_id.len > 0) {
			struct fx_buf t = { 0 };

			trim(&t, text, len);
			c->pv = fx_grow(c->pv, &c->pvcap, c->npv + 1,
			    sizeof(*c->pv));
			c->pv[c->npv].name = fx_strdup(c->pv_id.p);
			c->pv[c->npv].value = fx_strdup(fx_buf_str(&t));
			c->npv++;
			fx_buf_release(&t);
		} else if (up == T_REQVAL && c->rq_state != 1 &&
		    c->sect == S_CATALOG) {
			/* Copied only while the name may still be ours. */
			trim(&c->rq_val, text, len);
			c->rq_val_set = 1;
		}
		break;
	case T_REQVAL: {
		/*
		 * ЗначенияРеквизитов is no token (it costs a callback per
		 * good): a requisite of a good is one two levels under it.
		 */
		int ours = c->rq_state == 2 && c->rq_val_set &&
		    c->req_pack == 0 && up < 0 && up2 == T_GOOD &&
		    c->sect == S_CATALOG;

		c->rq_state = 0;
		c->rq_val_set = 0;
		if (ours)
			return req_end(x, c);
		break;
	}
	case T_UNITREF:
		if (up == T_RECALC)
			trim(&c->rc_unit, text, len);
		break;
	case T_COEF:
		if (up == T_RECALC) {
			trim(&c->rc_coef, text, len);
			c->rc_has_coef = 1;
		}
		break;
	case T_RECALC:
		if (up == T_UNIT && up2 == T_GOOD && c->sect == S_CATALOG &&
		    c->rc_has_coef)
			return recalc_end(x, c);
		break;
	case T_PROP:
		if (up == T_PROPS && up2 == T_CLASSIFIER)
			return emit_prop(x, c);
		break;
	case T_GOOD:
		if (up == T_GOODS && c->sect == S_CATALOG)
			return emit_good(x, c);
		break;
	case T_ARTICLE:
		if (up == T_GOOD && c->sect == S_CATALOG)
			trim(&c->article, text, len);
		break;
	case T_BARCODE:
	case T_BARCODE2:
		if (up == T_GOOD && c->sect == S_CATALOG)
			trim(&c->barcode, text, len);
		break;
	case T_UNIT:
		if (up == T_GOOD && c->sect == S_CATALOG)
			trim(&c->unit, text, len);
		break;
	case T_CURRENCY:
		if (up == T_PRICETYPE)
			trim(&c->d_cur, text, len);
		break;
	case T_PRICETYPE:
		if (up == T_PRICETYPES)
			return emit_decl(x, c, EV_PRICETYPE);
		break;
	case T_WAREHOUSE:
		if (up == T_WAREHOUSES)
			return emit_decl(x, c, EV_WAREHOUSE);
		if (up == T_REST && c->sect == S_OFFERS) {
			if (!c->r_has_qty)
				return fx_xml_err(x, FX_EDATA, "stock balance "
				    "without Количество");
			if (stock_add(x, c, c->r_wh.p ? c->r_wh.p : "",
			    c->r_wh.len, "0") == -1)
				return -1;
			c->stock[c->nstock - 1].qty = c->r_qty;
		}
		break;
	case T_PRICETYPEID:
		if (up == T_PRICE && c->nprices > 0)
			trim(&c->prices[c->nprices - 1].type, text, len);
		break;
	case T_UNITPRICE:
		if (up == T_PRICE && c->nprices > 0) {
			struct fx_buf t = { 0 };
			int r;

			trim(&t, text, len);
			/* "Уточните у менеджера": price on request, none here. */
			if (t.len == 0) {
				fx_buf_release(&t);
				c->prices[c->nprices - 1].empty = 1;
				break;
			}
			r = fx_money_parse(fx_buf_str(&t),
			    &c->prices[c->nprices - 1].v);
			fx_buf_release(&t);
			if (r == -1)
				return fx_xml_err(x, FX_EDATA, "bad price \"%s\": "
				    "expected a number with at most 2 decimals",
				    q(b1, sizeof(b1), text));
			c->prices[c->nprices - 1].set = 1;
		}
		break;
	case T_PRICE:
		if (up == T_PRICES && c->nprices > 0) {
			struct price *p = &c->prices[c->nprices - 1];

			if (p->empty) {
				c->nprices--;
				break;
			}
			if (p->type.len == 0 || !p->set)
				return fx_xml_err(x, FX_EDATA, "price without "
				    "ИдТипаЦены or ЦенаЗаЕдиницу");
			if (p->v < 0)
				return fx_xml_err(x, FX_EDATA, "negative price "
				    "\"%s\"", q(b1, sizeof(b1), text));
		}
		break;
	case T_QTY: {
		struct fx_buf t = { 0 };
		int64_t v;
		int r;

		if (up != T_OFFER && !(up == T_WAREHOUSE && up2 == T_REST))
			break;
		trim(&t, text, len);
		r = fx_qty_parse(fx_buf_str(&t), &v);
		fx_buf_release(&t);
		if (r == -1)
			return fx_xml_err(x, FX_EDATA, "bad quantity \"%s\"",
			    q(b1, sizeof(b1), text));
		if (up == T_OFFER) {
			c->total = v;
			c->has_total = 1;
		} else {
			c->r_qty = v;
			c->r_has_qty = 1;
		}
		break;
	}
	case T_OFFER:
		if (up == T_OFFERS && c->sect == S_OFFERS)
			return emit_offer(x, c);
		break;
	case T_CATALOG:
		if (up == T_ROOT && !c->only_changes && c->goods_in_catalog > 0)
			c->pkg->full_catalog = 1;
		c->sect = S_NONE;
		break;
	case T_CLASSIFIER:
	case T_PACKAGE:
	case T_PKGCHANGES:
		if (up == T_ROOT) {
			if (tok != T_CLASSIFIER)
				fx_strlcpy(c->pkg->offers_asof,
				    c->pkg->catalog_asof,
				    sizeof(c->pkg->offers_asof));
			c->sect = S_NONE;
		}
		break;
	}
	return 0;
}

static void
cml_free(struct cml *c)
{
	int i;
	size_t k;

	if (c == NULL)
		return;
	if (c->ocur_open)
		fx_cur_close(&c->ocur);
	fx_refs_release(&c->refs);
	if (c->pcur_open)
		fx_cur_close(&c->pcur);
	good_reset(c);
	for (i = 0; i < MAXGROUPDEPTH; i++) {
		fx_buf_release(&c->g[i].id);
		fx_buf_release(&c->g[i].name);
	}
	for (k = 0; k < MAXPRICES; k++)
		fx_buf_release(&c->prices[k].type);
	for (k = 0; k < MAXSTOCK; k++)
		fx_buf_release(&c->stock[k].wh);
	for (k = 0; k < c->nprop_vals; k++)
		free(c->prop_vals[k]);
	free(c->prop_vals);
	free(c->pv);
	fx_buf_release(&c->prop_id);
	fx_buf_release(&c->prop_name);
	fx_buf_release(&c->val_id);
	fx_buf_release(&c->id);
	fx_buf_release(&c->article);
	fx_buf_release(&c->name);
	fx_buf_release(&c->unit);
	fx_buf_release(&c->unit_code);
	fx_buf_release(&c->group);
	fx_buf_release(&c->barcode);
	fx_buf_release(&c->pv_id);
	fx_buf_release(&c->rq_val);
	fx_buf_release(&c->rc_unit);
	fx_buf_release(&c->rc_coef);
	fx_buf_release(&c->d_id);
	fx_buf_release(&c->d_name);
	fx_buf_release(&c->d_cur);
	fx_buf_release(&c->r_wh);
	fx_buf_release(&c->key);
	fx_buf_release(&c->rec);
	fx_map_release(&c->groups_seen, NULL);
	fx_map_release(&c->groups_known, NULL);
	fx_map_release(&c->pricetypes, NULL);
	fx_map_release(&c->warehouses, NULL);
	free(c);
}

static void *
parse_main(void *arg)
{
	static const struct fx_xml_ops ops = {
		.names = names, .nnames = nitems(names),
		.start = on_start, .end = on_end, .skip_unknown = 1,
		.text_mask = TEXT(T_ID) | TEXT(T_NAME) | TEXT(T_DELMARK) |
		    TEXT(T_VALUEID) | TEXT(T_VALUE) | TEXT(T_ARTICLE) |
		    TEXT(T_BARCODE) | TEXT(T_BARCODE2) | TEXT(T_UNIT) |
		    TEXT(T_ONLYCHANGES) | TEXT(T_CURRENCY) |
		    TEXT(T_PRICETYPEID) | TEXT(T_UNITPRICE) | TEXT(T_QTY) |
		    TEXT(T_CATEGORY) | TEXT(T_UNITREF) | TEXT(T_COEF)
	};
	struct pipeline *pl = arg;

	pl->rc = fx_xml_parse(pl->path, &ops, pl->c, &pl->err);
	pl_push(pl, 1);
	return NULL;
}

int
fx_cml_import(struct fx_ctx *ctx, struct fx_txn *txn, struct fx_pkg *pkg,
    const char *path, struct fx_import_stats *st, struct fx_err *err)
{
	struct pipeline pl;
	struct cml *cp, *cs;
	pthread_t th;
	struct fx_buf *b;
	int failed = 0, rc;

	/* Before the thread: its failure would be ours to report. */
	if (fx_lazy_load(FX_LAZY_XML, err) == -1)
		return -1;
	memset(&pl, 0, sizeof(pl));
	pthread_mutex_init(&pl.mu, NULL);
	pthread_cond_init(&pl.cv, NULL);
	pl.path = path;
	fx_err_clear(&pl.err);

	/* The parser's side: no transaction, no statistics. */
	cp = fx_calloc(1, sizeof(*cp));
	cp->ctx = ctx;
	cp->pkg = pkg;
	cp->err = &pl.err;
	cp->path = path;
	cp->pl = &pl;
	pl.c = cp;
	/* The store's side. */
	cs = fx_calloc(1, sizeof(*cs));
	cs->ctx = ctx;
	cs->txn = txn;
	cs->pkg = pkg;
	cs->st = st;
	cs->err = err;
	cs->path = path;
	cs->pl = &pl;
	pack_name_init(cp);
	pack_name_init(cs);

	xmlInitParser();
	if (pthread_create(&th, NULL, parse_main, &pl) != 0) {
		rc = fx_err_sys(err, FX_ETEMP, "cannot start the parser "
		    "thread");
		goto out;
	}
	for (;;) {
		pthread_mutex_lock(&pl.mu);
		while (pl.n == 0 && !pl.done)
			pthread_cond_wait(&pl.cv, &pl.mu);
		if (pl.n == 0) {
			pthread_mutex_unlock(&pl.mu);
			break;
		}
		b = pl.q[pl.head];
		pl.head = (pl.head + 1) % QLEN;
		pl.n--;
		pthread_cond_broadcast(&pl.cv);
		pthread_mutex_unlock(&pl.mu);
		if (!failed) {
			struct rdr r = { b->p, b->p + b->len };

			while (r.p < r.end)
				if (apply_event(cs, &r) == -1) {
					failed = 1;
					pthread_mutex_lock(&pl.mu);
					__atomic_store_n(&pl.abort, 1,
					    __ATOMIC_RELAXED);
					pthread_cond_broadcast(&pl.cv);
					pthread_mutex_unlock(&pl.mu);
					break;
				}
		}
		fx_buf_release(b);
		free(b);
	}
	pthread_join(th, NULL);
	if (pl.cur != NULL) {
		fx_buf_release(pl.cur);
		free(pl.cur);
	}
	if (failed)
		rc = -1;
	else if (pl.rc == -1) {
		*err = pl.err;
		rc = -1;
	} else
		rc = 0;
out:
	cml_free(cp);
	cml_free(cs);
	pthread_cond_destroy(&pl.cv);
	pthread_mutex_destroy(&pl.mu);
	return rc;
}

/*
 * A full catalog lists every good 1C sells: those it no longer lists are
 * marked deleted (kept, since orders and claims name them).
 */
int
fx_cml_finish(struct fx_ctx *ctx, struct fx_txn *txn, struct fx_pkg *pkg,
    struct fx_import_stats *st, struct fx_err *err)
{
	struct fx_cur cur;
	struct fx_buf rec = { 0 }, ids = { 0 };
	struct fx_product p;
	MDB_val k, v;
	size_t off;
	char bnorm[512];
	int r, rc = -1;

	if (!pkg->full_catalog)
		return 0;
	/* Goods it did not list are deleted: their packs no longer count. */
	if (!pkg->packs) {
		char was[8];

		if (fx_meta_get(txn, "packs", was, sizeof(was), err) == -1 ||
		    (strcmp(was, "1") == 0 &&
		    fx_meta_put(txn, "packs", "0", err) == -1))
			return -1;
	}
	/* Collect first: writing under an open cursor would move it. */
	if (fx_cur_open(txn, FX_K_PRODUCT, &cur, err) == -1)
		return -1;
	for (r = fx_cur_first(&cur, &k, &v, err); r == 0;
	    r = fx_cur_next(&cur, &k, &v, err)) {
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_product_head,
		    &p, err) == -1) {
			r = -1;
			break;
		}
		if (p.gen != pkg->gen && !p.deleted)
			fx_buf_add(&ids, p.id, strlen(p.id) + 1);
		fx_rec_release(&fx_rt_product_head, &p);
	}
	fx_cur_close(&cur);
	if (r == -1)
		goto out;
	for (off = 0; off < ids.len; off += strlen(ids.p + off) + 1) {
		const char *id = ids.p + off;

		if (fx_db_getrec(txn, FX_K_PRODUCT, id, strlen(id),
		    &fx_rt_product, &p, err) != 0)
			goto out;
		p.deleted = 1;
		r = fx_db_putrec(txn, FX_K_PRODUCT, id, strlen(id),
		    &fx_rt_product, &p, &rec, err);
		/* Deleted goods leave the barcode index (see good_end). */
		if (r == 0 && p.barcode[0] != '\0' &&
		    fx_barcode_norm(p.barcode, bnorm, sizeof(bnorm)) == 0 &&
		    bnorm[0] != '\0')
			r = fx_db_del(txn, FX_K_IDX_BARCODE, bnorm,
			    strlen(bnorm), id, strlen(id), err);
		fx_rec_release(&fx_rt_product, &p);
		if (r == -1)
			goto out;
		st->deleted++;
	}
	rc = 0;
out:
	fx_buf_release(&rec);
	fx_buf_release(&ids);
	return rc;
}

/*
 * A full offers package carries every price (or every stock figure) 1C
 * has: offers it did not touch lose theirs.
 */
int
fx_cml_finish_offers(struct fx_ctx *ctx, struct fx_txn *txn,
    struct fx_pkg *pkg, struct fx_err *err)
{
	struct fx_cur cur;
	struct fx_buf rec = { 0 }, ids = { 0 };
	struct fx_refs refs;
	struct fx_offer o;
	struct fx_offer_view *ov;
	MDB_val k, v;
	size_t off;
	int r, rc = -1;

	if (!pkg->full_prices && !pkg->full_stock)
		return 0;
	if (fx_refs_load(txn, 1, &refs, err) == -1)
		return -1;
	ov = fx_malloc(sizeof(*ov));	/* 8 KiB: not for the stack */
	if (fx_cur_open(txn, FX_K_OFFER, &cur, err) == -1) {
		free(ov);
		fx_refs_release(&refs);
		return -1;
	}
	for (r = fx_cur_first(&cur, &k, &v, err); r == 0;
	    r = fx_cur_next(&cur, &k, &v, err)) {
		if (fx_offer_view(v.mv_data, v.mv_size, NULL, ov, err) == -1) {
			r = -1;
			break;
		}
		if ((pkg->full_prices && ov->prices_gen != pkg->gen &&
		    ov->nprices > 0) || (pkg->full_stock &&
		    ov->stock_gen != pkg->gen &&
		    (ov->nstock > 0 || ov->has_total))) {
			fx_buf_add(&ids, k.mv_data, k.mv_size);
			fx_buf_addc(&ids, '\0');
		}
	}
	fx_cur_close(&cur);
	if (r == -1)
		goto out;
	for (off = 0; off < ids.len; off += strlen(ids.p + off) + 1) {
		const char *id = ids.p + off;

		if (fx_offer_get(txn, &refs, id, strlen(id), &o, err) != 0)
			goto out;
		if (pkg->full_prices && o.prices_gen != pkg->gen)
			qv_clear(&o.prices, &o.nprices);
		if (pkg->full_stock && o.stock_gen != pkg->gen) {
			qv_clear(&o.stock, &o.nstock);
			o.has_total = 0;
		}
		r = fx_offer_put(txn, &refs, id, strlen(id), &o, &rec, err);
		fx_rec_release(&fx_rt_offer, &o);
		if (r == -1)
			goto out;
	}
	rc = 0;
out:
	fx_refs_release(&refs);
	free(ov);
	fx_buf_release(&rec);
	fx_buf_release(&ids);
	return rc;
}
