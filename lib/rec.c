/*
 * rec.c -- the record encoding of the store.
 *
 * A record is a version byte and then its fields in table order: strings
 * as a varint length and bytes, integers as zigzag varints, vectors as a
 * count and their elements.  Decoding stops quietly at the end of the
 * bytes, so fields appended in a later version read as zero from older
 * records; a version byte above the table's is refused, so an older
 * binary never misreads a newer store.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

#define F(t, s, m)	{ t, offsetof(struct s, m), 0 }
#define FV(t, s, m, n)	{ t, offsetof(struct s, m), offsetof(struct s, n) }
#define FEND		{ FX_FT_END, 0, 0 }

static const struct fx_field group_f[] = {
	F(FX_FT_STR, fx_group, id), F(FX_FT_STR, fx_group, name),
	F(FX_FT_STR, fx_group, parent), F(FX_FT_BOOL, fx_group, deleted),
	FEND
};
const struct fx_rectype fx_rt_group = { "group", 1, group_f };

static const struct fx_field product_f[] = {
	F(FX_FT_STR, fx_product, id), F(FX_FT_STR, fx_product, article),
	F(FX_FT_STR, fx_product, name), F(FX_FT_STR, fx_product, unit),
	F(FX_FT_STR, fx_product, unit_code), F(FX_FT_STR, fx_product, group),
	F(FX_FT_STR, fx_product, barcode), F(FX_FT_BOOL, fx_product, deleted),
	F(FX_FT_U32, fx_product, gen),
	FV(FX_FT_PROPS, fx_product, props, nprops),
	F(FX_FT_I64, fx_product, pack),		/* cml.c: pack_pick */
	FEND
};
const struct fx_rectype fx_rt_product = { "product", 1, product_f };

/* The leading fields of a product, for scans that need no properties. */
static const struct fx_field product_head_f[] = {
	F(FX_FT_STR, fx_product, id), F(FX_FT_STR, fx_product, article),
	F(FX_FT_STR, fx_product, name), F(FX_FT_STR, fx_product, unit),
	F(FX_FT_STR, fx_product, unit_code), F(FX_FT_STR, fx_product, group),
	F(FX_FT_STR, fx_product, barcode), F(FX_FT_BOOL, fx_product, deleted),
	F(FX_FT_U32, fx_product, gen),
	FEND
};
const struct fx_rectype fx_rt_product_head = { "product", 1,
    product_head_f };

static const struct fx_field pricetype_f[] = {
	F(FX_FT_STR, fx_pricetype, id), F(FX_FT_STR, fx_pricetype, name),
	F(FX_FT_STR, fx_pricetype, currency), FEND
};
const struct fx_rectype fx_rt_pricetype = { "price_type", 1, pricetype_f };

static const struct fx_field warehouse_f[] = {
	F(FX_FT_STR, fx_warehouse, id), F(FX_FT_STR, fx_warehouse, name), FEND
};
const struct fx_rectype fx_rt_warehouse = { "warehouse", 1, warehouse_f };

static const struct fx_field dealer_f[] = {
	F(FX_FT_STR, fx_dealer, id), F(FX_FT_STR, fx_dealer, name),
	F(FX_FT_BOOL, fx_dealer, blocked), FEND
};
const struct fx_rectype fx_rt_dealer = { "dealer", 1, dealer_f };

static const struct fx_field entity_f[] = {
	F(FX_FT_STR, fx_entity, id), F(FX_FT_STR, fx_entity, dealer),
	F(FX_FT_STR, fx_entity, name), F(FX_FT_STR, fx_entity, full_name),
	F(FX_FT_STR, fx_entity, inn), F(FX_FT_STR, fx_entity, kpp),
	F(FX_FT_STR, fx_entity, address), F(FX_FT_STR, fx_entity, head),
	F(FX_FT_STR, fx_entity, contract),
	F(FX_FT_STR, fx_entity, contract_expires),
	F(FX_FT_I64, fx_entity, credit_limit),
	F(FX_FT_I64, fx_entity, overdue_limit),
	F(FX_FT_I64, fx_entity, debt), F(FX_FT_I64, fx_entity, overdue),
	F(FX_FT_I32, fx_entity, payment_days),
	F(FX_FT_STR, fx_entity, price_type),
	F(FX_FT_I32, fx_entity, default_discount),
	F(FX_FT_BOOL, fx_entity, blocked), FEND
};
const struct fx_rectype fx_rt_entity = { "entity", 1, entity_f };

static const struct fx_field amount_f[] = {
	F(FX_FT_I64, fx_amount, v), FEND
};
const struct fx_rectype fx_rt_amount = { "amount", 1, amount_f };

static const struct fx_field delivery_f[] = {
	F(FX_FT_STR, fx_delivery, id), F(FX_FT_STR, fx_delivery, date),
	F(FX_FT_STR, fx_delivery, warehouse), F(FX_FT_STR, fx_delivery, comment),
	FV(FX_FT_STRV, fx_delivery, products, nproducts), FEND
};
const struct fx_rectype fx_rt_delivery = { "delivery", 1, delivery_f };

static const struct fx_field dline_f[] = {
	F(FX_FT_I64, fx_dline, qty), F(FX_FT_STR, fx_dline, warehouse), FEND
};
const struct fx_rectype fx_rt_dline = { "dline", 1, dline_f };

static const struct fx_field property_f[] = {
	F(FX_FT_STR, fx_property, id), F(FX_FT_STR, fx_property, name),
	FV(FX_FT_STRV, fx_property, values, nvalues), FEND
};
const struct fx_rectype fx_rt_property = { "property", 1, property_f };

static const struct fx_field offer_f[] = {
	FV(FX_FT_QV, fx_offer, prices, nprices),
	FV(FX_FT_QV, fx_offer, stock, nstock),
	F(FX_FT_I64, fx_offer, total), F(FX_FT_BOOL, fx_offer, has_total),
	F(FX_FT_U32, fx_offer, prices_gen), F(FX_FT_U32, fx_offer, stock_gen),
	FEND
};
const struct fx_rectype fx_rt_offer = { "offer", 1, offer_f };

static const struct fx_field user_f[] = {
	F(FX_FT_STR, fx_user, login), F(FX_FT_STR, fx_user, name),
	FV(FX_FT_STRV, fx_user, emails, nemails), F(FX_FT_STR, fx_user, phone),
	F(FX_FT_STR, fx_user, dealer),
	FV(FX_FT_STRV, fx_user, entities, nentities),
	F(FX_FT_U32, fx_user, perms), F(FX_FT_BOOL, fx_user, superuser),
	F(FX_FT_BOOL, fx_user, blocked), F(FX_FT_STR, fx_user, blocked_reason),
	F(FX_FT_STR, fx_user, unix_login), F(FX_FT_STR, fx_user, source),
	F(FX_FT_STR, fx_user, created), F(FX_FT_STR, fx_user, updated),
	FEND
};
const struct fx_rectype fx_rt_user = { "user", 1, user_f };

static const struct fx_field request_f[] = {
	F(FX_FT_STR, fx_request, id), F(FX_FT_STR, fx_request, dealer),
	F(FX_FT_STR, fx_request, name), F(FX_FT_STR, fx_request, inn),
	F(FX_FT_STR, fx_request, kpp), F(FX_FT_STR, fx_request, address),
	F(FX_FT_STR, fx_request, bank), F(FX_FT_STR, fx_request, bik),
	F(FX_FT_STR, fx_request, account),
	F(FX_FT_STR, fx_request, corr_account),
	F(FX_FT_STR, fx_request, status), F(FX_FT_STR, fx_request, reason),
	F(FX_FT_STR, fx_request, requested_by),
	F(FX_FT_STR, fx_request, created), F(FX_FT_STR, fx_request, updated),
	F(FX_FT_STR, fx_request, entity),
	FV(FX_FT_STRV, fx_request, history, nhistory),
	FEND
};
const struct fx_rectype fx_rt_request = { "request", 1, request_f };

static const struct fx_field audit_f[] = {
	F(FX_FT_STR, fx_audit, seq), F(FX_FT_STR, fx_audit, at),
	F(FX_FT_STR, fx_audit, actor), F(FX_FT_STR, fx_audit, action),
	F(FX_FT_STR, fx_audit, object), F(FX_FT_STR, fx_audit, field),
	F(FX_FT_STR, fx_audit, old_value), F(FX_FT_STR, fx_audit, new_value),
	FEND
};
const struct fx_rectype fx_rt_audit = { "audit", 1, audit_f };

static const struct fx_field applied_f[] = {
	F(FX_FT_STR, fx_applied, name), F(FX_FT_STR, fx_applied, kind),
	F(FX_FT_STR, fx_applied, at), F(FX_FT_STR, fx_applied, summary), FEND
};
const struct fx_rectype fx_rt_applied = { "applied", 1, applied_f };

static const struct fx_field ledger_f[] = {
	F(FX_FT_I32, fx_ledger, kind), F(FX_FT_STR, fx_ledger, date),
	F(FX_FT_STR, fx_ledger, due), F(FX_FT_I64, fx_ledger, amount),
	F(FX_FT_STR, fx_ledger, order), F(FX_FT_STR, fx_ledger, doc),
	FV(FX_FT_QV, fx_ledger, alloc, nalloc), F(FX_FT_U32, fx_ledger, gen),
	FEND
};
const struct fx_rectype fx_rt_ledger = { "ledger", 1, ledger_f };

static const struct fx_field ar_override_f[] = {
	F(FX_FT_STR, fx_ar_override, entity), F(FX_FT_STR, fx_ar_override, by),
	F(FX_FT_STR, fx_ar_override, at), F(FX_FT_STR, fx_ar_override, until),
	F(FX_FT_STR, fx_ar_override, reason), FEND
};
const struct fx_rectype fx_rt_ar_override = { "ar_override", 1,
    ar_override_f };

/* Orders. */
static const struct fx_field order_f[] = {
	F(FX_FT_STR, fx_order, number), F(FX_FT_STR, fx_order, status),
	F(FX_FT_STR, fx_order, entity), F(FX_FT_STR, fx_order, dealer),
	F(FX_FT_STR, fx_order, file), F(FX_FT_STR, fx_order, hash),
	F(FX_FT_STR, fx_order, created), F(FX_FT_STR, fx_order, created_by),
	F(FX_FT_STR, fx_order, submitted),
	F(FX_FT_STR, fx_order, submitted_by),
	F(FX_FT_STR, fx_order, delivery), F(FX_FT_STR, fx_order, comment),
	F(FX_FT_I64, fx_order, total), F(FX_FT_I64, fx_order, demand),
	F(FX_FT_I32, fx_order, nlines), F(FX_FT_STR, fx_order, doc),
	F(FX_FT_STR, fx_order, source), F(FX_FT_STR, fx_order, number_1c),
	F(FX_FT_STR, fx_order, date_1c), F(FX_FT_STR, fx_order, status_1c),
	FEND
};
const struct fx_rectype fx_rt_order = { "order", 1, order_f };

static const struct fx_field oline_f[] = {
	F(FX_FT_I32, fx_oline, line), F(FX_FT_STR, fx_oline, product),
	F(FX_FT_STR, fx_oline, article), F(FX_FT_STR, fx_oline, name),
	F(FX_FT_STR, fx_oline, unit_code), F(FX_FT_I64, fx_oline, qty),
	F(FX_FT_I64, fx_oline, in_stock), F(FX_FT_I64, fx_oline, price),
	F(FX_FT_I64, fx_oline, retail), F(FX_FT_I64, fx_oline, sum),
	F(FX_FT_STR, fx_oline, rows), F(FX_FT_STR, fx_oline, delivery),
	F(FX_FT_STR, fx_oline, delivery_date),
	F(FX_FT_STR, fx_oline, reserved), F(FX_FT_I64, fx_oline, reserved_qty),
	F(FX_FT_I64, fx_oline, shipped), F(FX_FT_I64, fx_oline, cancelled),
	F(FX_FT_I64, fx_oline, reserved_1c), F(FX_FT_I64, fx_oline, ready),
	/* Dealer codes: re-priced at submission. */
	F(FX_FT_BOOL, fx_oline, repriced), F(FX_FT_I64, fx_oline, price_draft),
	FEND
};
const struct fx_rectype fx_rt_oline = { "order_line", 1, oline_f };

static const struct fx_field oevent_f[] = {
	F(FX_FT_I32, fx_oevent, line), F(FX_FT_STR, fx_oevent, at),
	F(FX_FT_STR, fx_oevent, kind), F(FX_FT_I64, fx_oevent, qty),
	F(FX_FT_STR, fx_oevent, value), F(FX_FT_STR, fx_oevent, note),
	F(FX_FT_STR, fx_oevent, source), F(FX_FT_STR, fx_oevent, doc),
	FEND
};
const struct fx_rectype fx_rt_oevent = { "order_event", 1, oevent_f };

static const struct fx_field notice_f[] = {
	F(FX_FT_STR, fx_notice, seq), F(FX_FT_STR, fx_notice, at),
	F(FX_FT_STR, fx_notice, kind), F(FX_FT_STR, fx_notice, object),
	F(FX_FT_STR, fx_notice, dealer), F(FX_FT_STR, fx_notice, entity),
	FV(FX_FT_STRV, fx_notice, to, nto), F(FX_FT_STR, fx_notice, subject),
	F(FX_FT_STR, fx_notice, body), F(FX_FT_I32, fx_notice, out_state),
	F(FX_FT_I32, fx_notice, mail_state),
	F(FX_FT_I32, fx_notice, mail_tries),
	F(FX_FT_STR, fx_notice, mail_next),
	F(FX_FT_STR, fx_notice, mail_error),
	F(FX_FT_STR, fx_notice, out_name),
	FV(FX_FT_STRV, fx_notice, files, nfiles),
	FEND
};
const struct fx_rectype fx_rt_notice = { "notice", 1, notice_f };

#define M(s, off, T)	((T *)(void *)((char *)(s) + (off)))
#define CM(s, off, T)	((const T *)(const void *)((const char *)(s) + (off)))

static void
put_uv(struct fx_buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	while (v >= 0x80) {
		tmp[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	tmp[n++] = (unsigned char)v;
	fx_buf_add(b, tmp, n);
}

static void
put_sv(struct fx_buf *b, int64_t v)
{
	put_uv(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void
put_str(struct fx_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	put_uv(b, n);
	if (n)
		fx_buf_add(b, s, n);
}

void
fx_rec_encode(struct fx_buf *b, const struct fx_rectype *rt, const void *s)
{
	const struct fx_field *f;
	size_t i, n;

	fx_buf_reset(b);
	fx_buf_addc(b, rt->version);
	for (f = rt->fields; f->type != FX_FT_END; f++) {
		switch (f->type) {
		case FX_FT_STR:
			put_str(b, *CM(s, f->off, char *));
			break;
		case FX_FT_I64:
			put_sv(b, *CM(s, f->off, int64_t));
			break;
		case FX_FT_I32:
			put_sv(b, *CM(s, f->off, int32_t));
			break;
		case FX_FT_U32:
			put_uv(b, *CM(s, f->off, uint32_t));
			break;
		case FX_FT_BOOL:
			put_uv(b, *CM(s, f->off, int) != 0);
			break;
		case FX_FT_PROPS: {
			const struct fx_prop *pv = *CM(s, f->off,
			    struct fx_prop *);

			n = *CM(s, f->noff, size_t);
			put_uv(b, n);
			for (i = 0; i < n; i++) {
				put_str(b, pv[i].name);
				put_str(b, pv[i].value);
			}
			break;
		}
		case FX_FT_STRV: {
			char *const *sv = *(char **const *)(const void *)
			    ((const char *)s + f->off);

			n = *CM(s, f->noff, size_t);
			put_uv(b, n);
			for (i = 0; i < n; i++)
				put_str(b, sv[i]);
			break;
		}
		case FX_FT_QV: {
			const struct fx_qv *qv = *CM(s, f->off,
			    struct fx_qv *);

			n = *CM(s, f->noff, size_t);
			put_uv(b, n);
			for (i = 0; i < n; i++) {
				put_str(b, qv[i].id);
				put_sv(b, qv[i].v);
			}
			break;
		}
		default:
			FX_BUG("bad field type %d", f->type);
		}
	}
}

struct rd {
	const unsigned char *p, *end;
	int bad;
};

static inline uint64_t
get_uv(struct rd *r)
{
	uint64_t v = 0;
	int shift = 0;

	/* One byte, most lengths and counts: no loop. */
	if (r->p < r->end && *r->p < 0x80)
		return *r->p++;
	while (r->p < r->end) {
		unsigned char c = *r->p++;

		if (shift > 63) {
			r->bad = 1;
			return 0;
		}
		v |= (uint64_t)(c & 0x7f) << shift;
		if ((c & 0x80) == 0)
			return v;
		shift += 7;
	}
	r->bad = 1;
	return 0;
}

static inline int64_t
get_sv(struct rd *r)
{
	uint64_t u = get_uv(r);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static char *
get_str(struct rd *r)
{
	uint64_t n = get_uv(r);

	if (r->bad || n > (uint64_t)(r->end - r->p)) {
		r->bad = 1;
		return fx_strdup("");
	}
	r->p += n;
	return fx_strndup((const char *)r->p - n, (size_t)n);
}

int
fx_rec_decode(const void *data, size_t len, const struct fx_rectype *rt,
    void *s, struct fx_err *err)
{
	const struct fx_field *f;
	struct rd r;
	size_t i, n;
	unsigned ver;

	r.p = data;
	r.end = r.p + len;
	r.bad = 0;
	if (len < 1)
		return fx_err_set(err, FX_ESOFTWARE, "empty %s record in store",
		    rt->name);
	ver = *r.p++;
	if (ver > rt->version || ver == 0)
		return fx_err_set(err, FX_ESOFTWARE, "%s record of format %u "
		    "is newer than this formix (%u): upgrade formix",
		    rt->name, ver, rt->version);
	for (f = rt->fields; f->type != FX_FT_END; f++) {
		int present = r.p < r.end;

		switch (f->type) {
		case FX_FT_STR:
			*M(s, f->off, char *) = present ? get_str(&r) :
			    fx_strdup("");
			break;
		case FX_FT_I64:
			*M(s, f->off, int64_t) = present ? get_sv(&r) : 0;
			break;
		case FX_FT_I32:
			*M(s, f->off, int32_t) = present ?
			    (int32_t)get_sv(&r) : 0;
			break;
		case FX_FT_U32:
			*M(s, f->off, uint32_t) = present ?
			    (uint32_t)get_uv(&r) : 0;
			break;
		case FX_FT_BOOL:
			*M(s, f->off, int) = present ? (int)get_uv(&r) : 0;
			break;
		case FX_FT_PROPS: {
			struct fx_prop *pv = NULL;

			n = present ? (size_t)get_uv(&r) : 0;
			if (n > len) {
				r.bad = 1;
				n = 0;
			}
			if (n > 0) {
				pv = fx_calloc(n, sizeof(*pv));
				for (i = 0; i < n; i++) {
					pv[i].name = get_str(&r);
					pv[i].value = get_str(&r);
				}
			}
			*M(s, f->off, struct fx_prop *) = pv;
			*M(s, f->noff, size_t) = n;
			break;
		}
		case FX_FT_STRV: {
			char **sv = NULL;

			n = present ? (size_t)get_uv(&r) : 0;
			if (n > len) {
				r.bad = 1;
				n = 0;
			}
			if (n > 0) {
				sv = fx_calloc(n, sizeof(*sv));
				for (i = 0; i < n; i++)
					sv[i] = get_str(&r);
			}
			*M(s, f->off, char **) = sv;
			*M(s, f->noff, size_t) = n;
			break;
		}
		case FX_FT_QV: {
			struct fx_qv *qv = NULL;

			n = present ? (size_t)get_uv(&r) : 0;
			if (n > len) {
				r.bad = 1;
				n = 0;
			}
			if (n > 0) {
				qv = fx_calloc(n, sizeof(*qv));
				for (i = 0; i < n; i++) {
					qv[i].id = get_str(&r);
					qv[i].v = get_sv(&r);
				}
			}
			*M(s, f->off, struct fx_qv *) = qv;
			*M(s, f->noff, size_t) = n;
			break;
		}
		default:
			FX_BUG("bad field type %d", f->type);
		}
	}
	if (r.bad) {
		fx_rec_release(rt, s);
		return fx_err_set(err, FX_ESOFTWARE, "damaged %s record in "
		    "store", rt->name);
	}
	return 0;
}

void
fx_rec_release(const struct fx_rectype *rt, void *s)
{
	const struct fx_field *f;
	size_t i, n;

	if (s == NULL)
		return;
	for (f = rt->fields; f->type != FX_FT_END; f++) {
		switch (f->type) {
		case FX_FT_STR:
			free(*M(s, f->off, char *));
			*M(s, f->off, char *) = NULL;
			break;
		case FX_FT_PROPS: {
			struct fx_prop *pv = *M(s, f->off, struct fx_prop *);

			n = *M(s, f->noff, size_t);
			for (i = 0; i < n; i++) {
				free(pv[i].name);
				free(pv[i].value);
			}
			free(pv);
			*M(s, f->off, struct fx_prop *) = NULL;
			*M(s, f->noff, size_t) = 0;
			break;
		}
		case FX_FT_STRV: {
			char **sv = *M(s, f->off, char **);

			n = *M(s, f->noff, size_t);
			for (i = 0; i < n; i++)
				free(sv[i]);
			free(sv);
			*M(s, f->off, char **) = NULL;
			*M(s, f->noff, size_t) = 0;
			break;
		}
		case FX_FT_QV: {
			struct fx_qv *qv = *M(s, f->off, struct fx_qv *);

			n = *M(s, f->noff, size_t);
			for (i = 0; i < n; i++)
				free(qv[i].id);
			free(qv);
			*M(s, f->off, struct fx_qv *) = NULL;
			*M(s, f->noff, size_t) = 0;
			break;
		}
		default:
			break;
		}
	}
}

static void
text_str(struct fx_buf *b, const char *s)
{
	char q[512];

	fx_buf_addc(b, '"');
	fx_buf_adds(b, fx_quote(q, sizeof(q), s ? s : ""));
	fx_buf_addc(b, '"');
}

void
fx_rec_text(struct fx_buf *b, const struct fx_rectype *rt, const void *s)
{
	const struct fx_field *f;
	size_t i, n;
	int k = 0;

	for (f = rt->fields; f->type != FX_FT_END; f++, k++) {
		if (k > 0)
			fx_buf_addc(b, ' ');
		fx_buf_addf(b, "%d=", k);
		switch (f->type) {
		case FX_FT_STR:
			text_str(b, *CM(s, f->off, char *));
			break;
		case FX_FT_I64:
			fx_buf_addf(b, "%lld",
			    (long long)*CM(s, f->off, int64_t));
			break;
		case FX_FT_I32:
			fx_buf_addf(b, "%d", (int)*CM(s, f->off, int32_t));
			break;
		case FX_FT_U32:
			/* Generations change on every import: not content. */
			fx_buf_adds(b, "-");
			break;
		case FX_FT_BOOL:
			fx_buf_addf(b, "%d", *CM(s, f->off, int));
			break;
		case FX_FT_PROPS: {
			const struct fx_prop *pv = *CM(s, f->off,
			    struct fx_prop *);

			n = *CM(s, f->noff, size_t);
			fx_buf_addc(b, '[');
			for (i = 0; i < n; i++) {
				text_str(b, pv[i].name);
				fx_buf_addc(b, ':');
				text_str(b, pv[i].value);
				fx_buf_addc(b, i + 1 < n ? ',' : ']');
			}
			if (n == 0)
				fx_buf_addc(b, ']');
			break;
		}
		case FX_FT_STRV: {
			char *const *sv = *(char **const *)(const void *)
			    ((const char *)s + f->off);

			n = *CM(s, f->noff, size_t);
			fx_buf_addc(b, '[');
			for (i = 0; i < n; i++) {
				text_str(b, sv[i]);
				if (i + 1 < n)
					fx_buf_addc(b, ',');
			}
			fx_buf_addc(b, ']');
			break;
		}
		case FX_FT_QV: {
			const struct fx_qv *qv = *CM(s, f->off,
			    struct fx_qv *);

			n = *CM(s, f->noff, size_t);
			fx_buf_addc(b, '[');
			for (i = 0; i < n; i++) {
				text_str(b, qv[i].id);
				fx_buf_addf(b, ":%lld%s", (long long)qv[i].v,
				    i + 1 < n ? "," : "");
			}
			fx_buf_addc(b, ']');
			break;
		}
		default:
			FX_BUG("bad field type %d", f->type);
		}
	}
}

void
fx_rec_vfree(const struct fx_rectype *rt, void *v, size_t n, size_t sz)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		fx_rec_release(rt, (char *)v + i * sz);
	free(v);
}

void
fx_product_release(struct fx_product *p)
{
	fx_rec_release(&fx_rt_product, p);
}

void
fx_entity_release(struct fx_entity *e)
{
	fx_rec_release(&fx_rt_entity, e);
}

void
fx_dealer_release(struct fx_dealer *d)
{
	fx_rec_release(&fx_rt_dealer, d);
}

void
fx_user_release(struct fx_user *u)
{
	fx_rec_release(&fx_rt_user, u);
}

void
fx_request_release(struct fx_request *r)
{
	fx_rec_release(&fx_rt_request, r);
}

int
fx_rec_str_at(const void *data, size_t len, const struct fx_rectype *rt,
    size_t field, const char **p, size_t *n)
{
	const struct fx_field *f;
	struct rd r;
	uint64_t l;
	size_t i;

	*p = "";
	*n = 0;
	r.p = data;
	r.end = r.p + len;
	r.bad = 0;
	if (len < 1 || *r.p > rt->version || *r.p == 0)
		return -1;
	r.p++;
	for (i = 0, f = rt->fields; f->type != FX_FT_END; f++, i++) {
		if (r.p >= r.end)
			return i == field && f->type == FX_FT_STR ? 0 : -1;
		switch (f->type) {
		case FX_FT_STR:
			l = get_uv(&r);
			if (r.bad || l > (uint64_t)(r.end - r.p))
				return -1;
			if (i == field) {
				*p = (const char *)r.p;
				*n = (size_t)l;
				return 0;
			}
			r.p += l;
			break;
		case FX_FT_I64:
		case FX_FT_I32:
		case FX_FT_U32:
		case FX_FT_BOOL:
			(void)get_uv(&r);
			break;
		default:
			return -1;	/* vectors: not needed yet */
		}
		if (r.bad || i == field)
			return -1;
	}
	return -1;
}

/* Step over a string in place. */
static void
skip_str(struct rd *r)
{
	uint64_t l = get_uv(r);

	if (r->bad || l > (uint64_t)(r->end - r->p))
		r->bad = 1;
	else
		r->p += l;
}

int
fx_rec_i64_at(const void *data, size_t len, const struct fx_rectype *rt,
    size_t field, int64_t *v)
{
	const struct fx_field *f;
	struct rd r;
	uint64_t n, k;
	size_t i;

	*v = 0;
	r.p = data;
	r.end = r.p + len;
	r.bad = 0;
	if (len < 1 || *r.p > rt->version || *r.p == 0)
		return -1;
	r.p++;
	for (i = 0, f = rt->fields; f->type != FX_FT_END && !r.bad;
	    f++, i++) {
		if (r.p >= r.end)
			return 0;	/* written before the field existed */
		switch (f->type) {
		case FX_FT_STR:
			skip_str(&r);
			break;
		case FX_FT_I64:
		case FX_FT_I32:
			if (i == field) {
				*v = get_sv(&r);
				return r.bad ? -1 : 0;
			}
			(void)get_uv(&r);
			break;
		case FX_FT_U32:
		case FX_FT_BOOL:
			(void)get_uv(&r);
			break;
		case FX_FT_PROPS:
		case FX_FT_STRV:
		case FX_FT_QV:
			n = get_uv(&r);
			for (k = 0; k < n && !r.bad; k++) {
				skip_str(&r);
				if (f->type == FX_FT_PROPS)
					skip_str(&r);
				else if (f->type == FX_FT_QV)
					(void)get_uv(&r);
			}
			break;
		default:
			return -1;
		}
		if (i == field)
			return -1;	/* not an integer field */
	}
	return -1;
}

/*
 * Offers records.  Format 1 is fx_rt_offer's table, the ids as strings;
 * format 2 has the same fields with each id a varint number in refs.
 */
#define OFFER_V2	2

/* The id of entry number num in a format 2 record; -1 if refs lack it. */
static int
ref_id(const struct fx_refs *refs, uint64_t num, const char **id,
    size_t *len)
{
	if (num >= refs->n)
		return -1;
	*id = refs->id[num];
	*len = refs->len[num];
	return 0;
}

int
fx_offer_encode(struct fx_buf *b, struct fx_refs *refs,
    const struct fx_offer *o, struct fx_err *err)
{
	const struct fx_qv *qv[2] = { o->prices, o->stock };
	size_t nqv[2] = { o->nprices, o->nstock }, i, j;
	uint32_t num;

	fx_buf_reset(b);
	fx_buf_addc(b, OFFER_V2);
	for (j = 0; j < 2; j++) {
		put_uv(b, nqv[j]);
		for (i = 0; i < nqv[j]; i++) {
			if (fx_refs_num(refs, qv[j][i].id, &num, err) == -1)
				return -1;
			put_uv(b, num);
			put_sv(b, qv[j][i].v);
		}
	}
	put_sv(b, o->total);
	put_uv(b, o->has_total != 0);
	put_uv(b, o->prices_gen);
	put_uv(b, o->stock_gen);
	return 0;
}

int
fx_offer_decode(const void *data, size_t len, const struct fx_refs *refs,
    struct fx_offer *o, struct fx_err *err)
{
	struct fx_qv **qv[2] = { &o->prices, &o->stock };
	size_t *nqv[2] = { &o->nprices, &o->nstock }, i, j, idlen;
	const char *id;
	uint64_t n;
	struct rd r;

	memset(o, 0, sizeof(*o));
	if (len >= 1 && *(const unsigned char *)data > OFFER_V2)
		return fx_err_set(err, FX_ESOFTWARE, "offer record of format "
		    "%u is newer than this formix (%u): upgrade formix",
		    *(const unsigned char *)data, OFFER_V2);
	if (len < 1 || *(const unsigned char *)data != OFFER_V2)
		return fx_rec_decode(data, len, &fx_rt_offer, o, err);
	r.p = (const unsigned char *)data + 1;
	r.end = (const unsigned char *)data + len;
	r.bad = 0;
	for (j = 0; j < 2 && !r.bad; j++) {
		n = r.p < r.end ? get_uv(&r) : 0;
		if (n > len) {
			r.bad = 1;
			break;
		}
		if (n > 0)
			*qv[j] = fx_calloc((size_t)n, sizeof(**qv[j]));
		*nqv[j] = (size_t)n;
		for (i = 0; i < n; i++) {
			if (ref_id(refs, get_uv(&r), &id, &idlen) == -1)
				r.bad = 1;
			(*qv[j])[i].id = r.bad ? fx_strdup("") :
			    fx_strndup(id, idlen);
			(*qv[j])[i].v = get_sv(&r);
		}
	}
	if (r.p < r.end)
		o->total = get_sv(&r);
	if (r.p < r.end)
		o->has_total = get_uv(&r) != 0;
	if (r.p < r.end)
		o->prices_gen = (uint32_t)get_uv(&r);
	if (r.p < r.end)
		o->stock_gen = (uint32_t)get_uv(&r);
	if (r.bad) {
		fx_rec_release(&fx_rt_offer, o);
		return fx_err_set(err, FX_ESOFTWARE, "damaged offer record in "
		    "store");
	}
	return 0;
}

/*
 * Read n (id, amount) pairs in place; -1 if they do not fit or are cut.
 * refs: a format 2 record, whose ids are numbers (NULL: leave them NULL).
 */
static int
view_qv(struct rd *r, struct fx_qv_view *v, size_t cap, size_t *np,
    int v2, const struct fx_refs *refs)
{
	uint64_t n, i, len;

	*np = 0;
	if (r->p >= r->end)
		return 0;
	n = get_uv(r);
	if (r->bad || n > cap)
		return -1;
	for (i = 0; i < n; i++) {
		if (v2) {
			uint64_t num = get_uv(r);

			v[i].id = NULL;
			v[i].len = 0;
			if (refs != NULL && ref_id(refs, num, &v[i].id,
			    &v[i].len) == -1)
				return -1;
		} else {
			len = get_uv(r);
			if (r->bad || len > (uint64_t)(r->end - r->p))
				return -1;
			v[i].id = (const char *)r->p;
			v[i].len = (size_t)len;
			r->p += len;
		}
		v[i].v = get_sv(r);
		if (r->bad)
			return -1;
	}
	*np = (size_t)n;
	return 0;
}

int
fx_offer_view(const void *data, size_t len, const struct fx_refs *refs,
    struct fx_offer_view *o, struct fx_err *err)
{
	struct rd r;
	unsigned ver;

	r.p = data;
	r.end = r.p + len;
	r.bad = 0;
	o->nprices = o->nstock = 0;
	o->total = 0;
	o->has_total = 0;
	o->prices_gen = o->stock_gen = 0;
	if (len < 1)
		return fx_err_set(err, FX_ESOFTWARE, "empty offer record in "
		    "store");
	ver = *r.p++;
	if (ver > OFFER_V2 || ver == 0)
		return fx_err_set(err, FX_ESOFTWARE, "offer record of format "
		    "%u is newer than this formix (%u): upgrade formix", ver,
		    OFFER_V2);
	/* The field order of offer_f: prices, stock, total, has_total. */
	if (view_qv(&r, o->prices, FX_VIEW_PRICES, &o->nprices,
	    ver == OFFER_V2, refs) == -1 ||
	    view_qv(&r, o->stock, FX_VIEW_STOCK, &o->nstock,
	    ver == OFFER_V2, refs) == -1)
		return fx_err_set(err, FX_ESOFTWARE, "damaged offer record in "
		    "store");
	if (r.p < r.end)
		o->total = get_sv(&r);
	if (r.p < r.end)
		o->has_total = get_uv(&r) != 0;
	o->prices_gen = r.p < r.end ? (uint32_t)get_uv(&r) : 0;
	o->stock_gen = r.p < r.end ? (uint32_t)get_uv(&r) : 0;
	if (r.bad)
		return fx_err_set(err, FX_ESOFTWARE, "damaged offer record in "
		    "store");
	return 0;
}

/*
 * Decode into one allocation: the strings and vectors of the record share
 * a single block, returned in *block and freed with free(*block) (not
 * fx_rec_release).  For the hot paths that decode thousands of records
 * and free them together.
 */
/*
 * fx_rec_decode_packed for a table of strings and numbers only (a product's
 * head, thousands per order check): one pass into a stack buffer, then the
 * block at its exact size; the two-pass walk cost twice the parse.  The
 * strings need no alignment here (no arrays follow them).  Returns 1 if
 * the table or the record does not suit, for the general path.
 */
static int
decode_packed_flat(const void *data, size_t len, const struct fx_rectype *rt,
    void *s, void **block, struct fx_err *err)
{
	char tmp[4096], *blk;
	size_t soff[32], nf = 0, off = 0, i;
	const struct fx_field *f;
	struct rd r;

	for (f = rt->fields; f->type != FX_FT_END; f++, nf++)
		if (nf == nitems(soff) || f->type == FX_FT_PROPS ||
		    f->type == FX_FT_STRV || f->type == FX_FT_QV)
			return 1;
	/* Each string takes at most its bytes in the record and a NUL. */
	if (len + nf > sizeof(tmp))
		return 1;
	r.p = (const unsigned char *)data + 1;
	r.end = (const unsigned char *)data + len;
	r.bad = 0;
	for (f = rt->fields, i = 0; f->type != FX_FT_END; f++, i++) {
		int present = r.p < r.end;

		switch (f->type) {
		case FX_FT_STR: {
			uint64_t l = present ? get_uv(&r) : 0;

			if (r.bad || l > (uint64_t)(r.end - r.p)) {
				r.bad = 1;
				l = 0;
			}
			memcpy(tmp + off, r.p, (size_t)l);
			tmp[off + l] = '\0';
			soff[i] = off;
			off += (size_t)l + 1;
			r.p += l;
			break;
		}
		case FX_FT_I64:
			*M(s, f->off, int64_t) = present ? get_sv(&r) : 0;
			break;
		case FX_FT_I32:
			*M(s, f->off, int32_t) = present ?
			    (int32_t)get_sv(&r) : 0;
			break;
		case FX_FT_U32:
			*M(s, f->off, uint32_t) = present ?
			    (uint32_t)get_uv(&r) : 0;
			break;
		case FX_FT_BOOL:
			*M(s, f->off, int) = present ? (int)get_uv(&r) : 0;
			break;
		default:
			FX_BUG("bad field type %d", f->type);
		}
	}
	if (r.bad)
		return fx_err_set(err, FX_ESOFTWARE, "damaged %s record in "
		    "store", rt->name);
	blk = fx_malloc(off + 8);
	memcpy(blk, tmp, off);
	for (f = rt->fields, i = 0; f->type != FX_FT_END; f++, i++)
		if (f->type == FX_FT_STR)
			*M(s, f->off, char *) = blk + soff[i];
	*block = blk;
	return 0;
}

int
fx_rec_decode_packed(const void *data, size_t len, const struct fx_rectype *rt,
    void *s, void **block, struct fx_err *err)
{
	const struct fx_field *f;
	struct rd r;
	size_t need = 0, i, n, off;
	unsigned ver;
	char *blk;
	int pass;

	*block = NULL;
	if (len < 1)
		return fx_err_set(err, FX_ESOFTWARE, "empty %s record in store",
		    rt->name);
	ver = *(const unsigned char *)data;
	if (ver > rt->version || ver == 0)
		return fx_err_set(err, FX_ESOFTWARE, "%s record of format %u "
		    "is newer than this formix (%u): upgrade formix",
		    rt->name, ver, rt->version);
	switch (decode_packed_flat(data, len, rt, s, block, err)) {
	case 0:
		return 0;
	case -1:
		return -1;
	}
	blk = NULL;
	/* Pass 0 sizes the block, pass 1 fills it. */
	for (pass = 0; pass < 2; pass++) {
		r.p = (const unsigned char *)data + 1;
		r.end = (const unsigned char *)data + len;
		r.bad = 0;
		off = 0;
#define TAKE(sz)	(off = (off + 7) & ~(size_t)7, off += (sz), \
			    blk + off - (sz))
#define STR()		do {						\
			uint64_t l_ = r.p < r.end ? get_uv(&r) : 0;	\
			char *d_;					\
									\
			if (r.bad || l_ > (uint64_t)(r.end - r.p)) {	\
				r.bad = 1;				\
				l_ = 0;					\
			}						\
			d_ = TAKE((size_t)l_ + 1);			\
			if (pass == 1) {				\
				memcpy(d_, r.p, (size_t)l_);		\
				d_[l_] = '\0';				\
				sp = d_;				\
			}						\
			r.p += l_;					\
		} while (0)
		for (f = rt->fields; f->type != FX_FT_END; f++) {
			int present = r.p < r.end;
			char *sp = NULL;

			switch (f->type) {
			case FX_FT_STR:
				STR();
				if (pass == 1)
					*M(s, f->off, char *) = sp;
				break;
			case FX_FT_I64:
				if (pass == 1)
					*M(s, f->off, int64_t) = present ?
					    get_sv(&r) : 0;
				else if (present)
					(void)get_sv(&r);
				break;
			case FX_FT_I32:
				if (pass == 1)
					*M(s, f->off, int32_t) = present ?
					    (int32_t)get_sv(&r) : 0;
				else if (present)
					(void)get_sv(&r);
				break;
			case FX_FT_U32:
				if (pass == 1)
					*M(s, f->off, uint32_t) = present ?
					    (uint32_t)get_uv(&r) : 0;
				else if (present)
					(void)get_uv(&r);
				break;
			case FX_FT_BOOL:
				if (pass == 1)
					*M(s, f->off, int) = present ?
					    (int)get_uv(&r) : 0;
				else if (present)
					(void)get_uv(&r);
				break;
			case FX_FT_PROPS: {
				struct fx_prop *pv;

				n = present ? (size_t)get_uv(&r) : 0;
				if (n > len)
					r.bad = 1, n = 0;
				pv = (struct fx_prop *)(void *)TAKE(n *
				    sizeof(*pv));
				for (i = 0; i < n; i++) {
					STR();
					if (pass == 1)
						pv[i].name = sp;
					STR();
					if (pass == 1)
						pv[i].value = sp;
				}
				if (pass == 1) {
					*M(s, f->off, struct fx_prop *) = n ?
					    pv : NULL;
					*M(s, f->noff, size_t) = n;
				}
				break;
			}
			case FX_FT_STRV: {
				char **sv;

				n = present ? (size_t)get_uv(&r) : 0;
				if (n > len)
					r.bad = 1, n = 0;
				sv = (char **)(void *)TAKE(n * sizeof(*sv));
				for (i = 0; i < n; i++) {
					STR();
					if (pass == 1)
						sv[i] = sp;
				}
				if (pass == 1) {
					*M(s, f->off, char **) = n ? sv : NULL;
					*M(s, f->noff, size_t) = n;
				}
				break;
			}
			case FX_FT_QV: {
				struct fx_qv *qv;

				n = present ? (size_t)get_uv(&r) : 0;
				if (n > len)
					r.bad = 1, n = 0;
				qv = (struct fx_qv *)(void *)TAKE(n *
				    sizeof(*qv));
				for (i = 0; i < n; i++) {
					STR();
					if (pass == 1) {
						qv[i].id = sp;
						qv[i].v = get_sv(&r);
					} else
						(void)get_sv(&r);
				}
				if (pass == 1) {
					*M(s, f->off, struct fx_qv *) = n ?
					    qv : NULL;
					*M(s, f->noff, size_t) = n;
				}
				break;
			}
			default:
				FX_BUG("bad field type %d", f->type);
			}
		}
#undef STR
#undef TAKE
		if (r.bad) {
			free(blk);
			return fx_err_set(err, FX_ESOFTWARE, "damaged %s record "
			    "in store", rt->name);
		}
		if (pass == 0) {
			need = off;
			blk = fx_malloc(need + 8);
		}
	}
	*block = blk;
	return 0;
}
