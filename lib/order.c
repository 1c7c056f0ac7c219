/*
 * order.c -- dealers' orders: checking an order file, drafts, submission
 * to 1C, history.
 *
 * fx_order_check turns a spreadsheet of articles and quantities into one
 * verdict per row, priced for a legal entity, without changing anything:
 * it is what a dealer sees before ordering and what the daemon sends back.
 *
 * The order of the tests on a row follows the answer key of bench-data:
 * the article first (unknown, ambiguous, deleted), then the quantity, then
 * the merge with an earlier row of the same product.  Merged quantities
 * are compared with stock as one line: what stock does not cover is
 * demand, shown with the nearest incoming delivery.
 *
 * A row whose article is no catalog article is looked up as the dealer's
 * code, then as a barcode (alias.c), in the catalog's read transaction,
 * and its message says how it matched.  Pack multiples are the product
 * record's pack, which the catalog import takes from the property or the
 * requisite named orders.pack_property ("Кратность") or else the base
 * unit's Пересчет to a package (cml.c: pack_pick): a line's quantity,
 * its duplicates added first, that is not a multiple is rounded up
 * (status "rounded") with orders.round_to_pack, else refused.
 *
 * Submission prices the lines again at that moment: a line whose net
 * price moved since the draft is sent at today's price, keeps the draft's
 * (price_draft) and is audited ("order.reprice"); goods since deleted or
 * left without a price refuse the submission.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fx-int.h"

static const char *const status_names[] = {
	[FX_OL_OK] =		"ok",
	[FX_OL_PARTIAL] =	"partial",
	[FX_OL_DEMAND] =	"demand",
	[FX_OL_ROUNDED] =	"rounded",
	[FX_OL_MERGED] =	"duplicate_merged",
	[FX_OL_UNKNOWN] =	"unknown_article",
	[FX_OL_AMBIGUOUS] =	"ambiguous",
	[FX_OL_BADQTY] =	"bad_quantity",
	[FX_OL_NOTORDERABLE] =	"not_orderable",
};

const char *
fx_ol_status_name(enum fx_ol_status s)
{
	if ((size_t)s >= nitems(status_names))
		return "?";
	return status_names[s];
}

void
fx_ocheck_release(struct fx_ocheck *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->items != NULL)
		for (i = 0; i < c->n; i++)
			fx_items_release(&c->items[i]);
	free(c->items);
	free(c->rows);
	fx_sheet_release(&c->sheet);
	memset(c, 0, sizeof(*c));
}

/* Piece goods (OKEI 796) are ordered in whole pieces. */
static int
is_piece(const struct fx_item *it)
{
	return it->p.unit_code != NULL && strcmp(it->p.unit_code, "796") == 0;
}

/* The product's first row in this check: product Ид -> row index + 1. */
static struct fx_ocheck_row *
first_row(struct fx_map *seen, struct fx_ocheck *c, size_t i)
{
	void **slot;

	slot = fx_map_put(seen, c->rows[i].item->p.id);
	if (*slot != NULL)
		return &c->rows[(uintptr_t)*slot - 1];
	*slot = (void *)(uintptr_t)(i + 1);
	return NULL;
}

/* Stock, demand and the sum of a line once its quantity is final. */
static void
settle(struct fx_ocheck_row *r)
{
	const struct fx_item *it = r->item;
	char q[32], s[32], d[32];
	int64_t stock = it->total > 0 ? it->total : 0;

	r->sum = it->net < 0 ? -1 : (it->net * r->accepted + 500) / 1000;
	r->arrival = NULL;
	if (stock >= r->accepted) {
		r->in_stock = r->accepted;
		r->status = FX_OL_OK;
		r->msg[0] = '\0';
		return;
	}
	r->in_stock = stock;
	r->status = stock > 0 ? FX_OL_PARTIAL : FX_OL_DEMAND;
	if (it->narrivals > 0)
		r->arrival = &it->arrivals[0];
	fx_qty_fmt(q, sizeof(q), r->accepted - stock);
	fx_qty_fmt(s, sizeof(s), stock);
	if (r->arrival != NULL) {
		fx_qty_fmt(d, sizeof(d), r->arrival->qty);
		(void)snprintf(r->msg, sizeof(r->msg),
		    "%s in stock, %s on demand; delivery %s of %s due %s", s,
		    q, r->arrival->delivery, d, r->arrival->date);
	} else
		(void)snprintf(r->msg, sizeof(r->msg),
		    "%s in stock, %s on demand; no delivery planned", s, q);
}

/*
 * Rows that no catalog article names: the dealer's code, then a barcode,
 * in the catalog's transaction.  The goods found are added to the row's
 * items, several of them meaning an ambiguous row.
 */
static int
alias_pass(struct fx_catalog *cat, const char *dealer, struct fx_ocheck *c,
    struct fx_err *err)
{
	struct fx_txn *t = fx_catalog_txn(cat);
	struct fx_buf ids = { NULL, 0, 0 };
	struct fx_query *qs = NULL;
	struct fx_items *out = NULL;
	size_t *rowof = NULL, nq = 0, qcap = 0, rcap = 0, n, off, i, j, k;
	int how, rc = -1;

	for (i = 0; i < c->n; i++) {
		if (c->items[i].n != 0 || c->sheet.rows[i].article[0] == '\0')
			continue;
		if (fx_alias_match(t, dealer, c->sheet.rows[i].article, &ids,
		    &n, &how, err) == -1)
			goto out;
		if (n == 0)
			continue;
		c->rows[i].match = how;
		for (off = 0; off < ids.len; off += strlen(ids.p + off) + 1) {
			qs = fx_grow(qs, &qcap, nq + 1, sizeof(*qs));
			rowof = fx_grow(rowof, &rcap, nq + 1, sizeof(*rowof));
			memset(&qs[nq], 0, sizeof(qs[nq]));
			qs[nq].id = fx_strdup(ids.p + off);
			rowof[nq++] = i;
		}
	}
	if (nq == 0) {
		rc = 0;
		goto out;
	}
	out = fx_calloc(nq, sizeof(*out));
	if (fx_catalog_find_many(cat, qs, nq, out, err) == -1)
		goto out;
	for (j = 0; j < nq; j++) {
		struct fx_items *dst = &c->items[rowof[j]];

		for (k = 0; k < out[j].n; k++) {
			dst->v = fx_grow(dst->v, &dst->cap, dst->n + 1,
			    sizeof(*dst->v));
			dst->v[dst->n++] = out[j].v[k];
		}
		free(out[j].v);
	}
	rc = 0;
out:
	for (j = 0; j < nq; j++)
		free((char *)qs[j].id);
	free(qs);
	free(rowof);
	free(out);
	fx_buf_release(&ids);
	return rc;
}

/* The index of pack in fx_rt_product's field table (rec.c). */
static size_t
pack_field(void)
{
	const struct fx_field *f = fx_rt_product.fields;
	size_t i;

	for (i = 0; f[i].type != FX_FT_END; i++)
		if (f[i].off == offsetof(struct fx_product, pack))
			return i;
	FX_BUG("product records have no pack");
}

/*
 * The pack multiple of a product, thousandths, as the catalog import
 * stored it (cml.c: pack_pick, from a property, a requisite or the base
 * unit's conversion); 0 if none, or not whole for piece goods, which
 * stay whole.  Read in place: no properties are decoded.
 */
static int
pack_of(struct fx_txn *t, size_t field, const struct fx_item *it,
    int64_t *pack, struct fx_err *err)
{
	const void *v;
	size_t vl;
	int r;

	*pack = 0;
	if ((r = fx_db_get(t, FX_K_PRODUCT, it->p.id, strlen(it->p.id), &v,
	    &vl, err)) != 0)
		return r == 1 ? 0 : -1;
	if (fx_rec_i64_at(v, vl, &fx_rt_product, field, pack) == -1)
		return fx_err_set(err, FX_ESOFTWARE, "damaged product record "
		    "in store");
	if (*pack < 0 || (is_piece(it) && *pack % 1000 != 0))
		*pack = 0;
	return 0;
}

/*
 * Has any good a pack?  Most catalogs have none: then no product need
 * be read again (6,000 lines stay fast).  The import keeps the answer.
 */
static int
pack_known(struct fx_txn *t, int *known, struct fx_err *err)
{
	char v[8];

	if (fx_meta_get(t, "packs", v, sizeof(v), err) == -1)
		return -1;
	*known = strcmp(v, "1") == 0;
	return 0;
}

/* Put pre before a row's message, "; " between, cut to fit. */
static void
msg_prefix(char *msg, size_t sz, const char *pre)
{
	size_t pl = strlen(pre), ml = strlen(msg);

	if (pl + 3 >= sz)
		pl = sz - 4;
	if (ml > 0) {
		if (pl + 2 + ml >= sz)
			ml = sz - pl - 3;
		/* Never half a UTF-8 character at the end. */
		while (ml > 0 && ((unsigned char)msg[ml] & 0xc0) == 0x80)
			ml--;
		memmove(msg + pl + 2, msg, ml);
		msg[pl + 2 + ml] = '\0';
		memcpy(msg + pl, "; ", 2);
	} else
		msg[pl] = '\0';
	memcpy(msg, pre, pl);
}

/*
 * Pack multiples, once duplicates are merged: a line's quantity that is
 * not a multiple is rounded up (orders.round_to_pack) or refused, and so
 * are the rows merged into it.
 */
static int
pack_pass(struct fx_ctx *ctx, struct fx_catalog *cat, struct fx_ocheck *c,
    struct fx_err *err)
{
	char q1[32], q2[32], q3[32], pre[128];
	int64_t want;
	size_t i, j, field;
	int known;

	if (pack_known(fx_catalog_txn(cat), &known, err) == -1)
		return -1;
	field = known ? pack_field() : 0;
	for (i = 0; known && i < c->n; i++) {
		struct fx_ocheck_row *r = &c->rows[i];

		if (!FX_OL_ACCEPTED(r->status) || r->status == FX_OL_MERGED)
			continue;
		if (pack_of(fx_catalog_txn(cat), field, r->item, &r->pack,
		    err) == -1)
			return -1;
		if (r->pack <= 0 || r->accepted % r->pack == 0)
			continue;
		fx_qty_fmt(q1, sizeof(q1), r->accepted);
		fx_qty_fmt(q3, sizeof(q3), r->pack);
		if (ctx->conf.orders_round_to_pack) {
			want = (r->accepted / r->pack + 1) * r->pack;
			r->accepted = want;
			settle(r);
			(void)snprintf(pre, sizeof(pre), "rounded up from %s "
			    "to %s (pack of %s)", q1, fx_qty_fmt(q2, sizeof(q2),
			    want), q3);
			msg_prefix(r->msg, sizeof(r->msg), pre);
			r->status = FX_OL_ROUNDED;
			continue;
		}
		r->status = FX_OL_BADQTY;
		r->accepted = r->in_stock = 0;
		r->sum = -1;
		r->arrival = NULL;
		(void)snprintf(r->msg, sizeof(r->msg), "%s is not a multiple "
		    "of the pack of %s", q1, q3);
		for (j = i + 1; j < c->n; j++) {
			struct fx_ocheck_row *m = &c->rows[j];

			if (m->status != FX_OL_MERGED ||
			    m->merged_into != r->row)
				continue;
			m->status = FX_OL_BADQTY;
			(void)snprintf(m->msg, sizeof(m->msg), "merged into row "
			    "%ld: %s is not a multiple of the pack of %s",
			    r->row, q1, q3);
		}
	}
	return 0;
}

/* Say how a row matched when it was not by the catalog's article. */
static void
match_note(struct fx_ocheck_row *r)
{
	char pre[160], q[64], a[64];

	if (r->match == FX_MATCH_ARTICLE || r->item == NULL)
		return;
	(void)snprintf(pre, sizeof(pre), "%s \"%s\" = article \"%s\"",
	    r->match == FX_MATCH_CODE ? "dealer code" : "barcode",
	    fx_quote(q, sizeof(q), r->article),
	    fx_quote(a, sizeof(a), r->item->p.article));
	msg_prefix(r->msg, sizeof(r->msg), pre);
}

int
fx_order_check(struct fx_ctx *ctx, const char *path, const char *name,
    const char *entity, struct fx_ocheck *c, struct fx_err *err)
{
	struct fx_sheet_opts so;
	struct fx_query filt, *qs = NULL;
	struct fx_catalog *cat = NULL;
	struct fx_entity e;
	struct fx_map seen;
	char qb[64];
	size_t i;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	memset(&e, 0, sizeof(e));
	memset(&seen, 0, sizeof(seen));
	if (fx_entity_get(ctx, entity, &e, err) == -1)
		return -1;
	(void)fx_strlcpy(c->entity, e.id, sizeof(c->entity));
	(void)fx_strlcpy(c->entity_name, e.name, sizeof(c->entity_name));
	(void)fx_strlcpy(c->file, name != NULL ? name : path, sizeof(c->file));

	/* The file before the catalog's read transaction: keep that short. */
	memset(&so, 0, sizeof(so));
	so.name = name;
	so.max_rows = (size_t)ctx->conf.max_order_rows;
	so.max_size = ctx->conf.max_order_size;
	if (fx_sheet_read(path, &so, &c->sheet, err) == -1)
		goto out;

	/* Deleted goods too: they are reported, not taken for unknown. */
	memset(&filt, 0, sizeof(filt));
	filt.entity = e.id;
	filt.flags = FX_Q_DELETED;
	if (fx_catalog_open(ctx, &filt, &cat, err) == -1)
		goto out;

	c->n = c->sheet.nrows;
	c->rows = fx_calloc(c->n ? c->n : 1, sizeof(*c->rows));
	c->items = fx_calloc(c->n ? c->n : 1, sizeof(*c->items));
	qs = fx_calloc(c->n ? c->n : 1, sizeof(*qs));
	for (i = 0; i < c->n; i++)
		qs[i].article = c->sheet.rows[i].article;
	if (fx_catalog_find_many(cat, qs, c->n, c->items, err) == -1) {
		free(c->items);
		c->items = NULL;
		goto out;
	}
	if (alias_pass(cat, e.dealer, c, err) == -1)
		goto out;

	/* Keyed by the items' own Ид, which outlive it. */
	seen.borrowed = 1;
	fx_map_reserve(&seen, c->n);	/* one product a row, at most */
	for (i = 0; i < c->n; i++) {
		const struct fx_sheet_row *sr = &c->sheet.rows[i];
		struct fx_ocheck_row *r = &c->rows[i], *f;
		const struct fx_items *its = &c->items[i];

		r->row = sr->row;
		r->article = sr->article;
		r->qty = sr->qty;
		r->sum = -1;
		if (its->n == 0) {
			r->status = FX_OL_UNKNOWN;
			(void)snprintf(r->msg, sizeof(r->msg),
			    "no product has this article");
			continue;
		}
		if (its->n > 1) {
			size_t j, len;

			r->status = FX_OL_AMBIGUOUS;
			if (r->match == FX_MATCH_ARTICLE)
				len = (size_t)snprintf(r->msg, sizeof(r->msg),
				    "%zu products have this article:", its->n);
			else
				len = (size_t)snprintf(r->msg, sizeof(r->msg),
				    "%s maps to %zu products:", r->match ==
				    FX_MATCH_CODE ? "dealer code" : "barcode",
				    its->n);
			for (j = 0; j < its->n && len < sizeof(r->msg); j++)
				if (r->match == FX_MATCH_ARTICLE)
					len += (size_t)snprintf(r->msg + len,
					    sizeof(r->msg) - len, " %s%s",
					    its->v[j].p.id,
					    j + 1 < its->n ? "," : "");
				else
					len += (size_t)snprintf(r->msg + len,
					    sizeof(r->msg) - len, " %s (%s)%s",
					    its->v[j].p.article,
					    its->v[j].p.id,
					    j + 1 < its->n ? "," : "");
			continue;
		}
		r->item = &its->v[0];
		if (r->item->p.deleted) {
			r->status = FX_OL_NOTORDERABLE;
			(void)snprintf(r->msg, sizeof(r->msg),
			    "deleted in 1C: not orderable");
			continue;
		}
		if (!(sr->flags & FX_SHEET_QTY_OK)) {
			r->status = FX_OL_BADQTY;
			(void)snprintf(r->msg, sizeof(r->msg),
			    "quantity is not a number");
			continue;
		}
		if (sr->qty_milli <= 0) {
			r->status = FX_OL_BADQTY;
			(void)snprintf(r->msg, sizeof(r->msg),
			    "quantity must be above zero");
			continue;
		}
		if (is_piece(r->item) && sr->qty_milli % 1000 != 0) {
			r->status = FX_OL_BADQTY;
			(void)snprintf(r->msg, sizeof(r->msg),
			    "piece goods are ordered in whole pieces");
			continue;
		}
		if (r->item->net < 0) {
			r->status = FX_OL_NOTORDERABLE;
			(void)snprintf(r->msg, sizeof(r->msg),
			    "no price for this legal entity");
			continue;
		}
		if ((f = first_row(&seen, c, i)) != NULL) {
			r->status = FX_OL_MERGED;
			r->merged_into = f->row;
			f->accepted += sr->qty_milli;
			(void)snprintf(r->msg, sizeof(r->msg),
			    "merged into row %ld (now %s)", f->row,
			    fx_qty_fmt(qb, sizeof(qb), f->accepted));
			settle(f);
			continue;
		}
		r->accepted = sr->qty_milli;
		settle(r);
	}
	if (pack_pass(ctx, cat, c, err) == -1)
		goto out;
	for (i = 0; i < c->n; i++)
		match_note(&c->rows[i]);
	for (i = 0; i < c->n; i++) {
		const struct fx_ocheck_row *r = &c->rows[i];

		if (!FX_OL_ACCEPTED(r->status)) {
			c->nrefused++;
			continue;
		}
		c->naccepted++;
		if (r->status == FX_OL_MERGED)
			continue;
		c->nlines++;
		c->total_net += r->sum;
		c->total_retail += r->item->retail < 0 ? 0 :
		    r->item->retail * r->accepted / 1000;
	}
	rc = 0;
out:
	free(qs);
	fx_map_release(&seen, NULL);
	fx_catalog_close(cat);
	fx_entity_release(&e);
	return rc;
}

/* The columns of a result file. */
static const char *const ocols[] = {
	"Строка", "Артикул", "Количество", "Статус", "Сообщение",
	"Принято", "Наименование", "Розничная цена", "Цена", "Сумма",
	"Остаток", "Поставка", "Дата поставки",
};

/* Cell i of row r as text (for CSV); "" for nothing. */
static const char *
cell(const struct fx_ocheck_row *r, size_t i, char *buf, size_t sz)
{
	const struct fx_item *it = r->item;

	buf[0] = '\0';
	switch (i) {
	case 0:
		(void)snprintf(buf, sz, "%ld", r->row);
		return buf;
	case 1:
		return r->article;
	case 2:
		return r->qty;
	case 3:
		return fx_ol_status_name(r->status);
	case 4:
		return r->msg;
	case 5:
		if (FX_OL_ACCEPTED(r->status) && r->status != FX_OL_MERGED)
			fx_qty_fmt(buf, sz, r->accepted);
		return buf;
	case 6:
		return it != NULL ? it->p.name : "";
	case 7:
		if (it != NULL && it->retail >= 0)
			fx_money_fmt(buf, sz, it->retail, 0);
		return buf;
	case 8:
		if (it != NULL && it->net >= 0)
			fx_money_fmt(buf, sz, it->net, 0);
		return buf;
	case 9:
		if (r->sum >= 0 && r->status != FX_OL_MERGED &&
		    FX_OL_ACCEPTED(r->status))
			fx_money_fmt(buf, sz, r->sum, 0);
		return buf;
	case 10:
		if (it != NULL)
			fx_qty_fmt(buf, sz, it->total > 0 ? it->total : 0);
		return buf;
	case 11:
		return r->arrival != NULL ? r->arrival->delivery : "";
	case 12:
		return r->arrival != NULL ? r->arrival->date : "";
	}
	return buf;
}

int
fx_ocheck_csv(struct fx_ctx *ctx, const struct fx_ocheck *c,
    const char *path, struct fx_err *err)
{
	struct fx_buf b;
	char buf[64];
	size_t i, j;
	const char *v, *p;
	int rc;

	(void)ctx;
	memset(&b, 0, sizeof(b));
	fx_buf_adds(&b, "\xef\xbb\xbf");	/* Excel wants the BOM */
	for (j = 0; j < nitems(ocols); j++) {
		fx_buf_adds(&b, ocols[j]);
		fx_buf_adds(&b, j + 1 < nitems(ocols) ? ";" : "\r\n");
	}
	for (i = 0; i < c->n; i++)
		for (j = 0; j < nitems(ocols); j++) {
			v = cell(&c->rows[i], j, buf, sizeof(buf));
			if (strpbrk(v, ";\"\r\n") != NULL) {
				fx_buf_addc(&b, '"');
				for (p = v; *p != '\0'; p++) {
					if (*p == '"')
						fx_buf_addc(&b, '"');
					fx_buf_addc(&b, *p);
				}
				fx_buf_addc(&b, '"');
			} else
				fx_buf_adds(&b, v);
			fx_buf_adds(&b, j + 1 < nitems(ocols) ? ";" : "\r\n");
		}
	rc = fx_file_write(path, b.p, b.len, err);
	fx_buf_release(&b);
	return rc;
}

/* The result workbook: formixd writes one for every order file. */
static struct fx_xw *
result_xw(const struct fx_ocheck *c)
{
	struct fx_xw *w;
	char buf[64];
	size_t i, j;

	w = fx_xw_new("Результат");
	fx_xw_width(w, 1, 16);
	fx_xw_width(w, 3, 16);
	fx_xw_width(w, 4, 40);
	fx_xw_width(w, 6, 40);
	fx_xw_freeze(w, 1, 1);
	fx_xw_row(w);
	for (j = 0; j < nitems(ocols); j++)
		fx_xw_str(w, FX_XW_BOLD, ocols[j]);
	for (i = 0; i < c->n; i++) {
		const struct fx_ocheck_row *r = &c->rows[i];
		const struct fx_item *it = r->item;
		int acc = FX_OL_ACCEPTED(r->status) &&
		    r->status != FX_OL_MERGED;

		fx_xw_row(w);
		fx_xw_scaled(w, FX_XW_PLAIN, (int64_t)r->row, 0);
		for (j = 1; j < nitems(ocols); j++) {
			switch (j) {
			case 5:
				if (acc)
					fx_xw_scaled(w, FX_XW_QTY, r->accepted,
					    3);
				else
					fx_xw_skip(w);
				break;
			case 7:
			case 8:
				if (it != NULL && (j == 7 ? it->retail :
				    it->net) >= 0)
					fx_xw_scaled(w, FX_XW_MONEY, j == 7 ?
					    it->retail : it->net, 2);
				else
					fx_xw_skip(w);
				break;
			case 9:
				if (acc && r->sum >= 0)
					fx_xw_scaled(w, FX_XW_MONEY, r->sum, 2);
				else
					fx_xw_skip(w);
				break;
			case 10:
				if (it != NULL)
					fx_xw_scaled(w, FX_XW_QTY,
					    it->total > 0 ? it->total : 0, 3);
				else
					fx_xw_skip(w);
				break;
			default:
				fx_xw_str(w, FX_XW_PLAIN,
				    cell(r, j, buf, sizeof(buf)));
				break;
			}
		}
	}
	return w;
}

int
fx_ocheck_xlsx(struct fx_ctx *ctx, const struct fx_ocheck *c,
    const char *path, struct fx_err *err)
{
	struct fx_xw *w = result_xw(c);
	int rc;

	(void)ctx;
	rc = fx_xw_write(w, path, err);
	fx_xw_free(w);
	return rc;
}

int
fx_ocheck_xlsx_buf(const struct fx_ocheck *c, struct fx_buf *out,
    struct fx_err *err)
{
	struct fx_xw *w = result_xw(c);
	int rc;

	rc = fx_xw_finish(w, out, err);
	fx_xw_free(w);
	return rc;
}

/* -- Drafts, submission, history -------------------------------------- */

#define SPOOL_OUT	"1c/out"
#define TEXT_MAX	1024	/* delivery method, comment */

void
fx_order_release(struct fx_order *o)
{
	if (o != NULL)
		fx_rec_release(&fx_rt_order, o);
}

void
fx_olines_free(struct fx_oline *v, size_t n)
{
	fx_rec_vfree(&fx_rt_oline, v, n, sizeof(*v));
}

void
fx_olines_free_one(struct fx_oline *l)
{
	if (l != NULL)
		fx_rec_release(&fx_rt_oline, l);
}

void
fx_orders_free(struct fx_order *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		fx_order_release(&v[i]);
	free(v);
}

static void
set_str(char **p, const char *v)
{
	free(*p);
	*p = fx_strdup(v != NULL ? v : "");
}

/* An order's lines, in order; *v returned new. */
static int
lines_read(struct fx_txn *t, const char *number, struct fx_oline **v,
    size_t *n, struct fx_err *err)
{
	return fx_db_read_owned(t, FX_K_OLINE, number, &fx_rt_oline,
	    sizeof(**v), (void **)v, n, err);
}

static int
line_put(struct fx_txn *t, const char *number, const struct fx_oline *l,
    struct fx_buf *rec, struct fx_err *err)
{
	struct fx_buf k = { NULL, 0, 0 };
	char ln[16];
	int rc;

	(void)snprintf(ln, sizeof(ln), "%04d", (int)l->line);
	fx_buf_key(&k, number, ln, (char *)NULL);
	rc = fx_db_putrec(t, FX_K_OLINE, k.p, k.len, &fx_rt_oline, l, rec,
	    err);
	fx_buf_release(&k);
	return rc;
}

/* Text the dealer gives: bounded, valid UTF-8, no control characters. */
static int
text_ok(const char *what, const char *s, struct fx_err *err)
{
	char tmp[8];
	const unsigned char *p;

	if (s == NULL)
		return 0;
	if (strlen(s) > TEXT_MAX)
		return fx_err_set(err, FX_EUSAGE, "%s is longer than %d bytes",
		    what, TEXT_MAX);
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return fx_err_set(err, FX_EUSAGE, "%s holds a control "
			    "character", what);
	if (fx_fold(s, tmp, sizeof(tmp)) == -1)
		return fx_err_set(err, FX_EUSAGE, "%s is not valid UTF-8",
		    what);
	return 0;
}

struct newarg {
	struct fx_ctx		*ctx;
	const struct fx_ocheck	*c;
	const char		*file;
	const char		*hash;
	const char		*delivery;
	const char		*comment;
	struct fx_order		*o;
};

static int
new_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct newarg *a = arg;
	const struct fx_ocheck *c = a->c;
	struct fx_order *o = a->o;
	struct fx_entity e;
	struct fx_user me;
	struct fx_buf rec = { NULL, 0, 0 };
	struct fx_oline l;
	char seq[32], num[16], now[32], who[128], rows[512];
	const void *v;
	size_t vlen, i, j;
	unsigned long long n;
	int found, keep = 0, rc = -1;

	memset(&e, 0, sizeof(e));
	memset(&me, 0, sizeof(me));
	fx_order_release(o);
	if (fx_acl_check_txn(a->ctx, t, FX_ACT_ORDER, c->entity, NULL,
	    err) == -1)
		return -1;
	if (fx_acl_actor(a->ctx, t, &me, err) == -1 ||
	    fx_entity_find(a->ctx, t, &me, c->entity, &e, err) == -1)
		goto out;

	/* The same file twice is one order. */
	if ((found = fx_db_get(t, FX_K_IDX_ORDERFILE, a->hash,
	    strlen(a->hash), &v, &vlen, err)) == -1)
		goto out;
	if (found == 0) {
		struct fx_order prev;
		char pn[16];

		(void)snprintf(pn, sizeof(pn), "%.*s", (int)vlen,
		    (const char *)v);
		memset(&prev, 0, sizeof(prev));
		if (fx_db_getrec(t, FX_K_ORDER, pn, strlen(pn), &fx_rt_order,
		    &prev, err) == -1)
			goto out;
		fx_err_set(err, FX_ENEGATIVE, "%s: already applied as order "
		    "%s on %.10s", c->file, pn, prev.created != NULL ?
		    prev.created : "?");
		*o = prev;	/* the caller may resume it (queue.c) */
		keep = 1;
		goto out;
	}

	if ((found = fx_meta_get(t, "order_seq", seq, sizeof(seq),
	    err)) == -1)
		goto out;
	n = found == 1 ? 0 : strtoull(seq, NULL, 10);
	(void)snprintf(num, sizeof(num), "%06llu", n + 1);
	(void)snprintf(seq, sizeof(seq), "%llu", n + 1);
	if ((found = fx_db_get(t, FX_K_ORDER, num, strlen(num), NULL, NULL,
	    err)) == -1)
		goto out;
	if (found == 0) {
		fx_err_set(err, FX_ESOFTWARE, "order %s exists though meta "
		    "order_seq is %llu: the store is damaged", num, n);
		goto out;
	}
	if (fx_meta_put(t, "order_seq", seq, err) == -1)
		goto out;

	fx_now_iso(now, sizeof(now));
	memset(o, 0, sizeof(*o));
	o->number = fx_strdup(num);
	o->status = fx_strdup("draft");
	o->entity = fx_strdup(e.id);
	o->dealer = fx_strdup(e.dealer);
	o->file = fx_strdup(c->file);
	o->hash = fx_strdup(a->hash);
	o->created = fx_strdup(now);
	o->created_by = fx_strdup(fx_actor_name(a->ctx, who, sizeof(who)));
	o->submitted = fx_strdup("");
	o->submitted_by = fx_strdup("");
	o->delivery = fx_strdup(a->delivery != NULL ? a->delivery : "");
	o->comment = fx_strdup(a->comment != NULL ? a->comment : "");
	o->doc = fx_strdup("");

	for (i = 0; i < c->n; i++) {
		const struct fx_ocheck_row *r = &c->rows[i];
		size_t len;

		if (!FX_OL_ACCEPTED(r->status) || r->status == FX_OL_MERGED)
			continue;
		len = (size_t)snprintf(rows, sizeof(rows), "%ld", r->row);
		for (j = i + 1; j < c->n && len < sizeof(rows); j++)
			if (c->rows[j].status == FX_OL_MERGED &&
			    c->rows[j].merged_into == r->row)
				len += (size_t)snprintf(rows + len,
				    sizeof(rows) - len, ",%ld",
				    c->rows[j].row);
		memset(&l, 0, sizeof(l));
		l.line = ++o->nlines;
		l.product = r->item->p.id;
		l.article = r->item->p.article;
		l.name = r->item->p.name;
		l.unit_code = r->item->p.unit_code;
		l.qty = r->accepted;
		l.in_stock = r->in_stock;
		l.price = r->item->net;
		l.retail = r->item->retail;
		l.sum = r->sum;
		l.rows = rows;
		l.delivery = r->arrival != NULL ? r->arrival->delivery : "";
		l.delivery_date = r->arrival != NULL ? r->arrival->date : "";
		l.reserved = "";
		o->total += r->sum;
		o->demand += (r->item->net * (r->accepted - r->in_stock) +
		    500) / 1000;
		if (line_put(t, num, &l, &rec, err) == -1)
			goto out;
	}
	if (o->nlines == 0) {
		fx_err_set(err, FX_EDATA, "%s: no row accepted: no order made",
		    c->file);
		goto out;
	}
	if (fx_db_putrec(t, FX_K_ORDER, num, strlen(num), &fx_rt_order, o,
	    &rec, err) == -1 ||
	    fx_db_put(t, FX_K_IDX_ORDERFILE, a->hash, strlen(a->hash), num,
	    strlen(num), err) == -1 ||
	    fx_audit_add(a->ctx, t, "order.new", num, "status", "", "draft",
	    err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1 && !keep)
		fx_order_release(o);
	fx_buf_release(&rec);
	fx_entity_release(&e);
	fx_user_release(&me);
	return rc;
}

int
fx_order_new(struct fx_ctx *ctx, const struct fx_ocheck *c, const char *path,
    const char *delivery, const char *comment, struct fx_order *o,
    struct fx_err *err)
{
	struct newarg a;
	char hash[65];

	memset(o, 0, sizeof(*o));
	if (text_ok("the delivery method", delivery, err) == -1 ||
	    text_ok("the comment", comment, err) == -1)
		return -1;
	if (fx_sha256_file(path, hash, err) == -1)
		return -1;
	a.ctx = ctx;
	a.c = c;
	a.file = c->file;
	a.hash = hash;
	a.delivery = delivery;
	a.comment = comment;
	a.o = o;
	return fx_db_write(ctx->db, new_txn, &a, err) == -1 ? -1 : 0;
}

/*
 * An element of the order document.  Its text must be one XML can carry
 * (fx_xml_attr_value): the first element whose text is not goes in
 * *bad, for the error, and the document is not written.
 */
static void
xml_el(struct fx_buf *b, int depth, const char *name, const char *text,
    const char **bad)
{
	static const char tabs[] = "\t\t\t\t\t\t\t\t";

	fx_buf_add(b, tabs, (size_t)depth < sizeof(tabs) - 1 ?
	    (size_t)depth : sizeof(tabs) - 1);
	fx_buf_addc(b, '<');
	fx_buf_adds(b, name);
	fx_buf_addc(b, '>');
	if (fx_xml_attr_value(b, text) == -1 && *bad == NULL)
		*bad = name;
	fx_buf_adds(b, "</");
	fx_buf_adds(b, name);
	fx_buf_adds(b, ">\n");
}

static void
xml_req(struct fx_buf *b, int depth, const char *name, const char *value,
    const char **bad)
{
	static const char tabs[] = "\t\t\t\t\t\t\t\t";
	size_t d = (size_t)depth < sizeof(tabs) - 1 ? (size_t)depth :
	    sizeof(tabs) - 1;

	fx_buf_add(b, tabs, d);
	fx_buf_adds(b, "<ЗначениеРеквизита>\n");
	xml_el(b, depth + 1, "Наименование", name, bad);
	xml_el(b, depth + 1, "Значение", value, bad);
	fx_buf_add(b, tabs, d);
	fx_buf_adds(b, "</ЗначениеРеквизита>\n");
}

/*
 * The order as a CommerceML 2.08 document, as the 1C site-exchange module
 * takes orders from a site: the document's Роль is the distributor's
 * (Продавец: it receives the order), the dealer's entity is the
 * Контрагент with Роль Покупатель.  Demand is marked on the lines that
 * have it, in ЗначенияРеквизитов ("Под заказ": the quantity stock did
 * not cover, and "Поставка": the delivery expected to cover it); a line
 * without them is all in stock.
 */
static const char *
order_xml(struct fx_buf *b, const struct fx_order *o,
    const struct fx_entity *e, const struct fx_oline *l, size_t n)
{
	const char *bad = NULL;
	char m[64], q[64], date[11], tm[9];
	size_t i;

	(void)snprintf(date, sizeof(date), "%.10s", o->submitted);
	(void)snprintf(tm, sizeof(tm), "%.8s", strlen(o->submitted) > 11 ?
	    o->submitted + 11 : "00:00:00");
	fx_buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fx_buf_addf(b, "<КоммерческаяИнформация xmlns=\"urn:1C.ru:"
	    "commerceml_2\" ВерсияСхемы=\"2.08\" ДатаФормирования="
	    "\"%sT%s\">\n", date, tm);
	fx_buf_adds(b, "\t<Документ>\n");
	fx_buf_addf(b, "\t\t<Ид>formix-%s</Ид>\n", o->number);
	xml_el(b, 2, "Номер", o->number, &bad);
	xml_el(b, 2, "Дата", date, &bad);
	xml_el(b, 2, "Время", tm, &bad);
	xml_el(b, 2, "ХозОперация", "Заказ товара", &bad);
	xml_el(b, 2, "Роль", "Продавец", &bad);
	xml_el(b, 2, "Валюта", "руб", &bad);
	xml_el(b, 2, "Курс", "1", &bad);
	xml_el(b, 2, "Сумма", fx_money_fmt(m, sizeof(m), o->total, 0),
	    &bad);
	fx_buf_adds(b, "\t\t<Контрагенты>\n\t\t\t<Контрагент>\n");
	xml_el(b, 4, "Ид", e->id, &bad);
	xml_el(b, 4, "Наименование", e->name, &bad);
	xml_el(b, 4, "Роль", "Покупатель", &bad);
	xml_el(b, 4, "ОфициальноеНаименование", e->full_name[0] != '\0' ?
	    e->full_name : e->name, &bad);
	xml_el(b, 4, "ИНН", e->inn, &bad);
	if (e->kpp[0] != '\0')
		xml_el(b, 4, "КПП", e->kpp, &bad);
	fx_buf_adds(b, "\t\t\t</Контрагент>\n\t\t</Контрагенты>\n");
	if (o->comment[0] != '\0')
		xml_el(b, 2, "Комментарий", o->comment, &bad);
	fx_buf_adds(b, "\t\t<Товары>\n");
	for (i = 0; i < n; i++) {
		fx_buf_adds(b, "\t\t\t<Товар>\n");
		xml_el(b, 4, "Ид", l[i].product, &bad);
		xml_el(b, 4, "Артикул", l[i].article, &bad);
		xml_el(b, 4, "Наименование", l[i].name, &bad);
		fx_buf_adds(b, "\t\t\t\t<БазоваяЕдиница Код=\"");
		if (fx_xml_attr_value(b, l[i].unit_code) == -1 && bad == NULL)
			bad = "БазоваяЕдиница";
		fx_buf_adds(b, "\"/>\n");
		xml_el(b, 4, "ЦенаЗаЕдиницу", fx_money_fmt(m, sizeof(m),
		    l[i].price, 0), &bad);
		xml_el(b, 4, "Количество", fx_qty_fmt(q, sizeof(q), l[i].qty),
		    &bad);
		xml_el(b, 4, "Сумма", fx_money_fmt(m, sizeof(m), l[i].sum, 0),
		    &bad);
		/* Only demand lines carry requisites: 6,000 lines stay small. */
		if (l[i].qty > l[i].in_stock) {
			fx_buf_adds(b, "\t\t\t\t<ЗначенияРеквизитов>\n");
			xml_req(b, 5, "Под заказ", fx_qty_fmt(q, sizeof(q),
			    l[i].qty - l[i].in_stock), &bad);
			if (l[i].delivery[0] != '\0') {
				char d[300];

				(void)snprintf(d, sizeof(d), "%s %s",
				    l[i].delivery, l[i].delivery_date);
				xml_req(b, 5, "Поставка", d, &bad);
			}
			fx_buf_adds(b, "\t\t\t\t</ЗначенияРеквизитов>\n");
		}
		fx_buf_adds(b, "\t\t\t</Товар>\n");
	}
	fx_buf_adds(b, "\t\t</Товары>\n\t\t<ЗначенияРеквизитов>\n");
	xml_req(b, 3, "Статус заказа", "Новый", &bad);
	if (o->delivery[0] != '\0')
		xml_req(b, 3, "Способ доставки", o->delivery, &bad);
	xml_req(b, 3, "Сайт", "formix", &bad);
	fx_buf_adds(b, "\t\t</ЗначенияРеквизитов>\n\t</Документ>\n"
	    "</КоммерческаяИнформация>\n");
	return bad;
}

/*
 * Price the lines again, now, in the submission's transaction: a line
 * whose net moved takes today's price (moved[i] set) and the change is
 * audited; goods since deleted, or left without a price, refuse.
 */
/* A line's product, for reading the store in key order. */
struct pline {
	const char	*id;
	size_t		 i;
};

static int
pline_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pline *)a)->id,
	    ((const struct pline *)b)->id);
}

static int
reprice(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_entity *e,
    struct fx_order *o, struct fx_oline *l, size_t n, char *moved,
    int64_t *stock, struct fx_err *err)
{
	struct fx_query filt;
	struct fx_catalog *cat = NULL;
	struct fx_buf obj = { NULL, 0, 0 };
	const char **ids;
	struct pline *ord;
	size_t i, k;
	int64_t *net, *ret, *st;
	int *gone;
	char m1[64], m2[64], q[96];
	int rc = -1;

	memset(&filt, 0, sizeof(filt));
	filt.entity = e->id;
	filt.flags = FX_Q_DELETED;
	if (fx_catalog_open_txn(ctx, t, &filt, &cat, err) == -1)
		return -1;
	ids = fx_calloc(n ? n : 1, sizeof(*ids));
	ord = fx_calloc(n ? n : 1, sizeof(*ord));
	net = fx_calloc(n ? n : 1, sizeof(*net));
	ret = fx_calloc(n ? n : 1, sizeof(*ret));
	st = fx_calloc(n ? n : 1, sizeof(*st));
	gone = fx_calloc(n ? n : 1, sizeof(*gone));
	for (i = 0; i < n; i++) {
		ord[i].id = l[i].product;
		ord[i].i = i;
	}
	qsort(ord, n, sizeof(*ord), pline_cmp);
	for (i = 0; i < n; i++)
		ids[i] = ord[i].id;
	rc = fx_catalog_prices(cat, ids, n, net, ret, st, gone, err);
	/* Its cursors closed before anything is written. */
	fx_catalog_close(cat);
	cat = NULL;
	if (rc == -1)
		goto out;
	rc = -1;
	o->total = 0;
	for (k = 0; k < n; k++) {
		i = ord[k].i;
		if (gone[k] || net[k] < 0) {
			fx_err_set(err, FX_ENEGATIVE, "ordering refused: line "
			    "%d of order %s, article \"%s\", %s now: make a "
			    "new order", (int)l[i].line, o->number,
			    fx_quote(q, sizeof(q), l[i].article), gone[k] ?
			    "is deleted in 1C" : "has no price for this legal "
			    "entity");
			goto out;
		}
		stock[i] = st[k];
		if (net[k] == l[i].price)
			continue;
		if (!l[i].repriced) {
			l[i].repriced = 1;
			l[i].price_draft = l[i].price;
		}
		fx_money_fmt(m1, sizeof(m1), l[i].price, 0);
		fx_money_fmt(m2, sizeof(m2), net[k], 0);
		l[i].price = net[k];
		l[i].retail = ret[k];
		l[i].sum = (net[k] * l[i].qty + 500) / 1000;
		moved[i] = 1;
		fx_buf_reset(&obj);
		fx_buf_addf(&obj, "%s/%d", o->number, (int)l[i].line);
		if (fx_audit_add(ctx, t, "order.reprice", fx_buf_str(&obj),
		    "price", m1, m2, err) == -1)
			goto out;
	}
	for (i = 0; i < n; i++)
		o->total += l[i].sum;
	rc = 0;
out:
	free(ids);
	free(ord);
	free(net);
	free(ret);
	free(st);
	free(gone);
	fx_buf_release(&obj);
	fx_catalog_close(cat);
	return rc;
}

struct subarg {
	struct fx_ctx	*ctx;
	const char	*number;
	struct fx_order	*o;
	struct fx_oline	*l;
	size_t		 n;
	int		 written;
};

static int
submit_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct subarg *a = arg;
	struct fx_order *o = a->o;
	struct fx_entity e;
	struct fx_user me;
	struct fx_ar_verdict v;
	struct fx_buf b = { NULL, 0, 0 };
	char now[32], who[128], file[64], m1[64], m2[64], q[64];
	char *moved = NULL;
	const char *bad;
	int64_t *stock = NULL;
	size_t i;
	int found, rc = -1;

	memset(&e, 0, sizeof(e));
	memset(&me, 0, sizeof(me));
	fx_order_release(o);
	fx_olines_free(a->l, a->n);
	a->l = NULL;
	a->n = 0;
	if ((found = fx_db_getrec(t, FX_K_ORDER, a->number, strlen(a->number),
	    &fx_rt_order, o, err)) == -1)
		return -1;
	if (found == 1)
		return fx_err_set(err, FX_ENOTFOUND, "unknown order \"%s\"",
		    fx_quote(q, sizeof(q), a->number));
	/* Not even the order's existence for one who may not see it. */
	if (fx_acl_actor(a->ctx, t, &me, err) == -1)
		goto out;
	if (fx_entity_find(a->ctx, t, &me, o->entity, &e, err) == -1) {
		if (err->code == FX_ENOTFOUND)
			fx_err_set(err, FX_ENOTFOUND, "unknown order \"%s\"",
			    fx_quote(q, sizeof(q), a->number));
		goto out;
	}
	if (strcmp(o->status, "draft") != 0) {
		fx_err_set(err, FX_ENEGATIVE, "order %s is already %s on "
		    "%.10s", o->number, o->status, o->submitted);
		goto out;
	}
	if (fx_acl_check_txn(a->ctx, t, FX_ACT_ORDER, e.id, NULL, err) == -1)
		goto out;
	if (fx_ar_check_txn(a->ctx, t, &e, &v, err) == -1)
		goto out;
	if (!v.may_order) {
		fx_err_set(err, FX_ENEGATIVE, "%s", v.line);
		goto out;
	}
	if (lines_read(t, o->number, &a->l, &a->n, err) == -1)
		goto out;
	/* Prices and stock now: today's prices; what stock does not cover
	 * is demand. */
	moved = fx_calloc(a->n ? a->n : 1, 1);
	stock = fx_calloc(a->n ? a->n : 1, sizeof(*stock));
	if (reprice(a->ctx, t, &e, o, a->l, a->n, moved, stock, err) == -1)
		goto out;
	o->demand = 0;
	for (i = 0; i < a->n; i++) {
		struct fx_oline *l = &a->l[i];
		int64_t s = stock[i];

		s = s >= l->qty ? l->qty : s;
		o->demand += (l->price * (l->qty - s) + 500) / 1000;
		/* Most lines stand as drafted: write only what moved. */
		if (s == l->in_stock && !moved[i])
			continue;
		l->in_stock = s;
		if (line_put(t, o->number, l, &b, err) == -1)
			goto out;
	}
	if (a->ctx->conf.orders_min_sum > 0 &&
	    o->total < (int64_t)a->ctx->conf.orders_min_sum * 100) {
		fx_err_set(err, FX_ENEGATIVE, "ordering refused: order %s "
		    "sum %s is below the minimum %s (orders.min_sum)",
		    o->number, fx_money_fmt(m1, sizeof(m1), o->total, ' '),
		    fx_money_fmt(m2, sizeof(m2),
		    (int64_t)a->ctx->conf.orders_min_sum * 100, ' '));
		goto out;
	}

	fx_now_iso(now, sizeof(now));
	set_str(&o->status, "submitted");
	set_str(&o->submitted, now);
	set_str(&o->submitted_by, fx_actor_name(a->ctx, who, sizeof(who)));
	(void)snprintf(file, sizeof(file), "order-%s.xml", o->number);
	set_str(&o->doc, file);
	/*
	 * The file first, the status after, as for entity requests: a crash
	 * between leaves a draft whose document 1C may already have, and
	 * submitting again rewrites the same name (1C keys on Ид).
	 */
	fx_buf_reset(&b);
	if ((bad = order_xml(&b, o, &e, a->l, a->n)) != NULL) {
		fx_err_set(err, FX_ESOFTWARE, "order %s: cannot write it for "
		    "1C: the text of <%s> holds a control character or bytes "
		    "that are not UTF-8 (a damaged store record?)", o->number,
		    bad);
		goto out;
	}
	if (fx_spool_write(a->ctx, SPOOL_OUT, file, b.p, b.len, err) == -1)
		goto out;
	a->written = 1;
	if (fx_db_putrec(t, FX_K_ORDER, o->number, strlen(o->number),
	    &fx_rt_order, o, &b, err) == -1 ||
	    fx_audit_add(a->ctx, t, "order.submit", o->number, "status",
	    "draft", "submitted", err) == -1)
		goto out;
	rc = 0;
out:
	free(moved);
	free(stock);
	fx_buf_release(&b);
	fx_entity_release(&e);
	fx_user_release(&me);
	return rc;
}

int
fx_order_submit(struct fx_ctx *ctx, const char *number, struct fx_order *o,
    struct fx_oline **lines, size_t *nlines, struct fx_err *err)
{
	struct subarg a;
	int rc;

	memset(o, 0, sizeof(*o));
	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	a.number = number;
	a.o = o;
	rc = fx_db_write(ctx->db, submit_txn, &a, err) == -1 ? -1 : 0;
	if (rc == 0 && lines != NULL) {
		*lines = a.l;
		*nlines = a.n;
	} else
		fx_olines_free(a.l, a.n);
	if (rc == -1)
		fx_order_release(o);
	return rc;
}

int
fx_order_get(struct fx_ctx *ctx, const char *number, struct fx_order *o,
    struct fx_oline **lines, size_t *nlines, struct fx_err *err)
{
	struct fx_txn t;
	struct fx_user me;
	struct fx_entity e;
	char q[128];
	int found, rc = -1;

	memset(o, 0, sizeof(*o));
	memset(&me, 0, sizeof(me));
	memset(&e, 0, sizeof(e));
	if (lines != NULL) {
		*lines = NULL;
		*nlines = 0;
	}
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if ((found = fx_db_getrec(&t, FX_K_ORDER, number, strlen(number),
	    &fx_rt_order, o, err)) == -1)
		goto out;
	if (found == 1 || fx_acl_actor(ctx, &t, &me, err) == -1 ||
	    fx_entity_find(ctx, &t, &me, o->entity, &e, err) == -1) {
		if (found == 1 || err->code == FX_ENOTFOUND)
			fx_err_set(err, FX_ENOTFOUND, "unknown order \"%s\"",
			    fx_quote(q, sizeof(q), number));
		goto out;
	}
	if (lines != NULL && lines_read(&t, number, lines, nlines, err) == -1)
		goto out;
	rc = 0;
out:
	fx_db_abort(&t);
	if (rc == -1)
		fx_order_release(o);
	fx_entity_release(&e);
	fx_user_release(&me);
	return rc;
}

int
fx_order_list(struct fx_ctx *ctx, const struct fx_order_filter *f,
    struct fx_order **out, size_t *nout, struct fx_err *err)
{
	struct fx_txn t;
	struct fx_cur cur;
	struct fx_user me;
	struct fx_entity e, want;
	struct fx_map vis;
	struct fx_order *v = NULL;
	MDB_val k, val;
	size_t n = 0, cap = 0, i;
	int r, rc = -1;

	*out = NULL;
	*nout = 0;
	memset(&me, 0, sizeof(me));
	memset(&want, 0, sizeof(want));
	memset(&vis, 0, sizeof(vis));
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_acl_actor(ctx, &t, &me, err) == -1)
		goto out;
	if (f != NULL && f->entity != NULL &&
	    fx_entity_find(ctx, &t, &me, f->entity, &want, err) == -1)
		goto out;
	if (fx_cur_open(&t, FX_K_ORDER, &cur, err) == -1)
		goto out;
	for (r = fx_cur_first(&cur, &k, &val, err); r == 0;
	    r = fx_cur_next(&cur, &k, &val, err)) {
		struct fx_order o;
		void **slot;

		if (fx_rec_decode(val.mv_data, val.mv_size, &fx_rt_order, &o,
		    err) == -1) {
			r = -1;
			break;
		}
		/* Visibility, once per entity. */
		slot = fx_map_put(&vis, o.entity);
		if (*slot == NULL) {
			memset(&e, 0, sizeof(e));
			if (fx_entity_find(ctx, &t, &me, o.entity, &e,
			    err) == 0) {
				*slot = (void *)2;
				fx_entity_release(&e);
			} else if (err->code == FX_ENOTFOUND) {
				*slot = (void *)1;
				fx_err_clear(err);
			} else {
				fx_order_release(&o);
				r = -1;
				break;
			}
		}
		if (*slot != (void *)2 ||
		    (want.id != NULL && strcmp(want.id, o.entity) != 0) ||
		    (f != NULL && f->status != NULL &&
		    strcmp(f->status, o.status) != 0) ||
		    (f != NULL && f->from != NULL &&
		    strncmp(o.created, f->from, 10) < 0) ||
		    (f != NULL && f->to != NULL &&
		    strncmp(o.created, f->to, 10) > 0)) {
			fx_order_release(&o);
			continue;
		}
		v = fx_grow(v, &cap, n + 1, sizeof(*v));
		v[n++] = o;
	}
	fx_cur_close(&cur);
	if (r == -1)
		goto out;
	/* Newest first. */
	for (i = 0; i < n / 2; i++) {
		struct fx_order tmp = v[i];

		v[i] = v[n - 1 - i];
		v[n - 1 - i] = tmp;
	}
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
	rc = 0;
out:
	fx_db_abort(&t);
	fx_orders_free(v, n);
	fx_map_release(&vis, NULL);
	fx_entity_release(&want);
	fx_user_release(&me);
	return rc;
}

void
fx_demands_free(struct fx_demand *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		fx_rec_release(&fx_rt_oline, &v[i].l);
		free(v[i].order);
		free(v[i].entity);
		free(v[i].submitted);
	}
	free(v);
}

static int
demand_cmp(const void *a, const void *b)
{
	const struct fx_demand *x = a, *y = b;
	const char *dx = x->l.delivery_date, *dy = y->l.delivery_date;
	int c;

	/* Lines no delivery is planned for come last. */
	if ((dx[0] == '\0') != (dy[0] == '\0'))
		return dx[0] == '\0' ? 1 : -1;
	if ((c = strcmp(dx, dy)) != 0)
		return c;
	if ((c = strcmp(x->order, y->order)) != 0)
		return c;
	return x->l.line < y->l.line ? -1 : x->l.line > y->l.line;
}

int
fx_order_demand(struct fx_ctx *ctx, const struct fx_demand_filter *f,
    struct fx_demand **out, size_t *nout, struct fx_err *err)
{
	struct fx_order_filter of;
	struct fx_order *ov = NULL, o;
	struct fx_oline *l = NULL;
	struct fx_demand *v = NULL;
	char want[512], norm[512];
	size_t on = 0, ln = 0, n = 0, cap = 0, i, j;
	int rc = -1;

	*out = NULL;
	*nout = 0;
	want[0] = '\0';
	if (f != NULL && f->article != NULL &&
	    fx_article_norm(f->article, want, sizeof(want)) == -1)
		return fx_err_set(err, FX_EUSAGE, "the article is not valid "
		    "UTF-8");
	memset(&of, 0, sizeof(of));
	of.entity = f != NULL ? f->entity : NULL;
	of.status = "submitted";
	if (fx_order_list(ctx, &of, &ov, &on, err) == -1)
		return -1;
	for (i = 0; i < on; i++) {
		if (fx_order_get(ctx, ov[i].number, &o, &l, &ln, err) == -1)
			goto out;
		fx_order_release(&o);
		for (j = 0; j < ln; j++) {
			if (l[j].qty <= l[j].in_stock)
				continue;
			if (want[0] != '\0' && (fx_article_norm(l[j].article,
			    norm, sizeof(norm)) == -1 ||
			    strcmp(norm, want) != 0))
				continue;
			if (f != NULL && f->delivery != NULL &&
			    strcmp(f->delivery, l[j].delivery) != 0)
				continue;
			v = fx_grow(v, &cap, n + 1, sizeof(*v));
			v[n].l = l[j];
			memset(&l[j], 0, sizeof(l[j]));
			v[n].order = fx_strdup(ov[i].number);
			v[n].entity = fx_strdup(ov[i].entity);
			v[n].submitted = fx_strdup(ov[i].submitted);
			n++;
		}
		fx_olines_free(l, ln);
		l = NULL;
		ln = 0;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), demand_cmp);
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
	rc = 0;
out:
	fx_olines_free(l, ln);
	fx_demands_free(v, n);
	fx_orders_free(ov, on);
	return rc;
}

struct resarg {
	struct fx_ctx	*ctx;
	const char	*number;
	int		 line;
	const char	*delivery;
	int64_t		 qty;
	struct fx_oline	*l;
};

/* What the other lines hold reserved of product on delivery. */
static int
reserved_by_others(struct fx_txn *t, const char *delivery,
    const char *product, const struct fx_buf *self, int64_t *sum,
    struct fx_err *err)
{
	struct fx_cur cur;
	struct fx_buf k = { NULL, 0, 0 };
	struct fx_amount a;
	MDB_val key, val;
	int r;

	*sum = 0;
	fx_buf_key(&k, delivery, product, "", (char *)NULL);
	if (fx_cur_open(t, FX_K_RESERVE, &cur, err) == -1) {
		fx_buf_release(&k);
		return -1;
	}
	for (r = fx_cur_seek(&cur, k.p, k.len, &key, &val, err); r == 0;
	    r = fx_cur_next(&cur, &key, &val, err)) {
		if (key.mv_size < k.len || memcmp(key.mv_data, k.p, k.len) != 0)
			break;
		if (key.mv_size == self->len &&
		    memcmp(key.mv_data, self->p, self->len) == 0)
			continue;
		if (fx_rec_decode(val.mv_data, val.mv_size, &fx_rt_amount, &a,
		    err) == -1) {
			r = -1;
			break;
		}
		*sum += a.v;
	}
	fx_cur_close(&cur);
	fx_buf_release(&k);
	return r == -1 ? -1 : 0;
}

static int
reserve_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct resarg *a = arg;
	struct fx_oline *l = a->l;
	struct fx_order o;
	struct fx_delivery d;
	struct fx_dline dl;
	struct fx_amount amt;
	struct fx_buf k = { NULL, 0, 0 }, self = { NULL, 0, 0 };
	struct fx_buf rec = { NULL, 0, 0 };
	char ln[16], q[128], b1[32], b2[32], b3[32], b4[32], old[160];
	int64_t owed, want, others;
	int found, rc = -1;

	memset(&o, 0, sizeof(o));
	memset(&d, 0, sizeof(d));
	memset(&dl, 0, sizeof(dl));
	fx_rec_release(&fx_rt_oline, l);
	if (fx_acl_check_txn(a->ctx, t, FX_ACT_STAFF, NULL, NULL, err) == -1)
		return -1;
	if ((found = fx_db_getrec(t, FX_K_ORDER, a->number, strlen(a->number),
	    &fx_rt_order, &o, err)) == -1)
		return -1;
	if (found == 1)
		return fx_err_set(err, FX_ENOTFOUND, "unknown order \"%s\"",
		    fx_quote(q, sizeof(q), a->number));
	if (strcmp(o.status, "submitted") != 0) {
		fx_err_set(err, FX_ENEGATIVE, "order %s is %s: only a "
		    "submitted order's demand can be reserved", o.number,
		    o.status);
		goto out;
	}
	(void)snprintf(ln, sizeof(ln), "%04d", a->line);
	fx_buf_key(&k, o.number, ln, (char *)NULL);
	if ((found = fx_db_getrec(t, FX_K_OLINE, k.p, k.len, &fx_rt_oline, l,
	    err)) == -1)
		goto out;
	if (found == 1) {
		fx_err_set(err, FX_ENOTFOUND, "order %s has no line %d",
		    o.number, a->line);
		goto out;
	}
	owed = l->qty - l->in_stock;
	want = a->qty > 0 ? a->qty : owed;
	if (owed <= 0) {
		fx_err_set(err, FX_ENEGATIVE, "line %d of order %s owes "
		    "nothing: %s ordered, %s from stock", a->line, o.number,
		    fx_qty_fmt(b2, sizeof(b2), l->qty),
		    fx_qty_fmt(b3, sizeof(b3), l->in_stock));
		goto out;
	}
	if (want > owed) {
		fx_err_set(err, FX_ENEGATIVE, "line %d of order %s owes %s: "
		    "%s cannot be reserved", a->line, o.number,
		    fx_qty_fmt(b1, sizeof(b1), owed),
		    fx_qty_fmt(b4, sizeof(b4), want));
		goto out;
	}
	if ((found = fx_db_getrec(t, FX_K_DELIVERY, a->delivery,
	    strlen(a->delivery), &fx_rt_delivery, &d, err)) == -1)
		goto out;
	if (found == 1) {
		fx_err_set(err, FX_ENOTFOUND, "unknown delivery \"%s\"",
		    fx_quote(q, sizeof(q), a->delivery));
		goto out;
	}
	fx_buf_reset(&k);
	fx_buf_key(&k, l->product, d.date, d.id, (char *)NULL);
	if ((found = fx_db_getrec(t, FX_K_DLINE, k.p, k.len, &fx_rt_dline,
	    &dl, err)) == -1)
		goto out;
	if (found == 1) {
		fx_err_set(err, FX_ENEGATIVE, "delivery %s of %s brings no "
		    "\"%s\"", d.id, d.date, fx_quote(q, sizeof(q),
		    l->article));
		goto out;
	}
	fx_buf_key(&self, d.id, l->product, o.number, ln, (char *)NULL);
	if (reserved_by_others(t, d.id, l->product, &self, &others,
	    err) == -1)
		goto out;
	if (others + want > dl.qty) {
		fx_err_set(err, FX_ENEGATIVE, "delivery %s of %s brings %s of "
		    "\"%s\", %s reserved for other lines: %s more would exceed "
		    "it", d.id, d.date, fx_qty_fmt(b1, sizeof(b1), dl.qty),
		    fx_quote(q, sizeof(q), l->article),
		    fx_qty_fmt(b2, sizeof(b2), others),
		    fx_qty_fmt(b3, sizeof(b3), want));
		goto out;
	}
	/* The line's earlier reservation goes. */
	old[0] = '\0';
	if (l->reserved[0] != '\0')
		(void)snprintf(old, sizeof(old), "%s %s", l->reserved,
		    fx_qty_fmt(b1, sizeof(b1), l->reserved_qty));
	if (l->reserved[0] != '\0') {
		fx_buf_reset(&k);
		fx_buf_key(&k, l->reserved, l->product, o.number, ln,
		    (char *)NULL);
		if (fx_db_del(t, FX_K_RESERVE, k.p, k.len, NULL, 0, err) == -1)
			goto out;
	}
	amt.v = want;
	if (fx_db_putrec(t, FX_K_RESERVE, self.p, self.len, &fx_rt_amount,
	    &amt, &rec, err) == -1)
		goto out;
	set_str(&l->reserved, d.id);
	l->reserved_qty = want;
	set_str(&l->delivery, d.id);
	set_str(&l->delivery_date, d.date);
	if (line_put(t, o.number, l, &rec, err) == -1)
		goto out;
	(void)snprintf(q, sizeof(q), "%s %s", d.id,
	    fx_qty_fmt(b1, sizeof(b1), want));
	fx_buf_reset(&k);
	fx_buf_addf(&k, "%s/%d", o.number, a->line);
	if (fx_audit_add(a->ctx, t, "order.reserve", fx_buf_str(&k),
	    "reserved", old, q, err) == -1)
		goto out;
	rc = 0;
out:
	fx_buf_release(&k);
	fx_buf_release(&self);
	fx_buf_release(&rec);
	fx_order_release(&o);
	fx_rec_release(&fx_rt_delivery, &d);
	fx_rec_release(&fx_rt_dline, &dl);
	return rc;
}

int
fx_order_reserve(struct fx_ctx *ctx, const char *number, int line,
    const char *delivery, int64_t qty, struct fx_oline *l,
    struct fx_err *err)
{
	struct resarg a;

	memset(l, 0, sizeof(*l));
	if (qty < 0)
		return fx_err_set(err, FX_EUSAGE, "the quantity to reserve "
		    "must be above zero");
	a.ctx = ctx;
	a.number = number;
	a.line = line;
	a.delivery = delivery;
	a.qty = qty;
	a.l = l;
	if (fx_db_write(ctx->db, reserve_txn, &a, err) == -1) {
		fx_rec_release(&fx_rt_oline, l);
		return -1;
	}
	return 0;
}
