/*
 * ar.c -- receivables: what each legal entity owes, what of it is
 * overdue and since when, the reconciliation statement, and the rule
 * that stops an entity from ordering.
 *
 * The documents are the ledger 1C sends (ledger.c writes them, keyed
 * "entity \0 document id").  Every figure is computed when asked, for a
 * given day, from the documents dated up to that day: nothing derived is
 * stored, so a ledger file never leaves a stale total behind and a past
 * day can be reported again exactly.  A report reads one entity's keys
 * (a prefix scan, some hundreds of documents): well within the budget of
 * a few milliseconds per entity.
 *
 * Allocation.  Credits are set against debits as 1C allocated them (a
 * credit's <apply> list) and the rest of every credit, pooled, against
 * the debits in the order they arose (document date, then due date, then
 * id): first in, first out, as 1C's own settlement does by default.  An
 * allocation to a debit that is gone, or beyond what the debit still
 * owes, falls back to the pool.  What no debit takes is an advance: the
 * entity's credit balance.
 *
 * Before any ledger was imported (meta "ledger_asof" absent) the figures
 * are those of the conditions file: the entity's debt and overdue, with
 * no documents and so no aging.  Once one was, the ledger is the only
 * source, for every entity: one without documents owes nothing.
 *
 * The block rule: an entity may not order when its overdue debt exceeds
 * its overdue limit, or its balance exceeds its credit limit (a limit of
 * 0 allows none).  The orders module calls it at submission through
 * fx_ar_check_txn.  A staff override, until a date, lifts the block; it
 * is kept per entity (ar_overrides), replaced by the next one, and every
 * change is audited.
 *
 * Access: reports and statements need FX_ACT_AR; the block check needs
 * the entity visible and the ar or order permission, since it is part of
 * ordering.  An entity the actor may not see is "unknown", as everywhere.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

#define QSZ	128
#define REASON_MAX	500

const char *
fx_lkind_name(int k)
{
	switch (k) {
	case FX_LK_SHIPMENT:	return "shipment";
	case FX_LK_DEBIT_ADJ:	return "adjustment";
	case FX_LK_PAYMENT:	return "payment";
	case FX_LK_RETURN:	return "return";
	case FX_LK_CREDIT_ADJ:	return "adjustment";
	default:		return "?";
	}
}

/* "412 300.00 ₽". */
static const char *
rub(char *buf, size_t sz, int64_t v)
{
	char n[32];

	fx_money_fmt(n, sizeof(n), v, ' ');
	snprintf(buf, sz, "%s ₽", n);
	return buf;
}

/* "2026-03-03T06:00:00" as "2026-03-03 06:00"; a bare date as it is. */
static const char *
asof_human(char *buf, size_t sz, const char *iso)
{
	if (iso[0] == '\0')
		snprintf(buf, sz, "unknown");
	else if (strlen(iso) >= 16 && iso[10] == 'T')
		snprintf(buf, sz, "%.10s %.5s", iso, iso + 11);
	else
		snprintf(buf, sz, "%.10s", iso);
	return buf;
}

/*
 * The arithmetic.
 */

struct deb {
	const struct fx_ar_entry *e;
	int64_t		 left;
	int		 alloc;
};

static int
deb_fifo_cmp(const void *a, const void *b)
{
	const struct fx_ar_entry *x = ((const struct deb *)a)->e,
	    *y = ((const struct deb *)b)->e;
	int c;

	if ((c = strcmp(x->l->date, y->l->date)) != 0)
		return c;
	if ((c = strcmp(x->l->due, y->l->due)) != 0)
		return c;
	return strcmp(x->id, y->id);
}

static int
deb_ptr_id_cmp(const void *a, const void *b)
{
	const struct deb *x = *(struct deb *const *)a,
	    *y = *(struct deb *const *)b;

	return strcmp(x->e->id, y->e->id);
}

static int
cred_cmp(const void *a, const void *b)
{
	const struct fx_ar_entry *x = *(const struct fx_ar_entry *const *)a,
	    *y = *(const struct fx_ar_entry *const *)b;
	int c;

	if ((c = strcmp(x->l->date, y->l->date)) != 0)
		return c;
	return strcmp(x->id, y->id);
}

static int
doc_due_cmp(const void *a, const void *b)
{
	const struct fx_ar_doc *x = a, *y = b;
	int c;

	if ((c = strcmp(x->due, y->due)) != 0)
		return c;
	if ((c = strcmp(x->date, y->date)) != 0)
		return c;
	return strcmp(x->id, y->id);
}

static struct deb *
deb_find(struct deb **byid, size_t n, const char *id)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(id, byid[mid]->e->id);
		if (c == 0)
			return byid[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int
bucket_of(const struct fx_days *b, long days)
{
	int i;

	for (i = 0; i < b->n; i++)
		if (days <= b->v[i])
			return i;
	return b->n;
}

void
fx_ar_compute(const struct fx_ar_entry *v, size_t n, const char *date,
    const struct fx_days *b, struct fx_ar_row *row)
{
	const struct fx_ar_entry **cr;
	struct deb *d, **byid;
	size_t nd = 0, nc = 0, i, j, k;
	int64_t pool = 0, left, a;
	long today = fx_date_days(date), days;

	row->debits = row->credits = row->balance = row->advance = 0;
	row->not_due = row->overdue = 0;
	memset(row->aging, 0, sizeof(row->aging));
	row->aging_known = 1;
	row->by_1c = 0;
	row->source = FX_AR_LEDGER;
	row->docs = NULL;
	row->ndocs = 0;

	d = fx_calloc(n ? n : 1, sizeof(*d));
	cr = fx_calloc(n ? n : 1, sizeof(*cr));
	byid = fx_calloc(n ? n : 1, sizeof(*byid));
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].l->date, date) > 0)
			continue;	/* after the day asked about */
		if (FX_LK_CREDIT(v[i].l->kind)) {
			cr[nc++] = &v[i];
			row->credits += v[i].l->amount;
		} else {
			d[nd].e = &v[i];
			d[nd].left = v[i].l->amount;
			nd++;
			row->debits += v[i].l->amount;
		}
	}
	qsort(d, nd, sizeof(*d), deb_fifo_cmp);
	for (i = 0; i < nd; i++)
		byid[i] = &d[i];
	qsort(byid, nd, sizeof(*byid), deb_ptr_id_cmp);
	qsort(cr, nc, sizeof(*cr), cred_cmp);

	/* As 1C allocated, then what is left into the pool. */
	for (i = 0; i < nc; i++) {
		const struct fx_ledger *c = cr[i]->l;

		left = c->amount;
		for (j = 0; j < c->nalloc && left > 0; j++) {
			struct deb *t = deb_find(byid, nd, c->alloc[j].id);

			if (t == NULL || t->left == 0)
				continue;
			a = c->alloc[j].v;
			if (a > left)
				a = left;
			if (a > t->left)
				a = t->left;
			t->left -= a;
			t->alloc |= FX_AR_BY_1C;
			left -= a;
			row->by_1c = 1;
		}
		pool += left;
	}
	/* First in, first out. */
	for (i = 0; i < nd && pool > 0; i++) {
		if (d[i].left == 0)
			continue;
		a = d[i].left < pool ? d[i].left : pool;
		d[i].left -= a;
		d[i].alloc |= FX_AR_BY_FIFO;
		pool -= a;
	}
	row->advance = pool;
	row->balance = row->debits - row->credits;

	for (i = 0, k = 0; i < nd; i++)
		k += d[i].left > 0;
	if (k > 0)
		row->docs = fx_calloc(k, sizeof(*row->docs));
	for (i = 0; i < nd; i++) {
		const struct fx_ledger *l = d[i].e->l;
		struct fx_ar_doc *o;

		if (d[i].left == 0)
			continue;
		o = &row->docs[row->ndocs++];
		o->id = fx_strdup(d[i].e->id);
		o->doc = fx_strdup(l->doc);
		o->order = fx_strdup(l->order);
		o->kind = fx_strdup(fx_lkind_name(l->kind));
		fx_strlcpy(o->date, l->date, sizeof(o->date));
		fx_strlcpy(o->due, l->due, sizeof(o->due));
		o->amount = l->amount;
		o->unpaid = d[i].left;
		o->paid = l->amount - d[i].left;
		o->alloc = o->paid > 0 ? d[i].alloc : 0;
		days = fx_date_check(l->due) == 0 ?
		    today - fx_date_days(l->due) : 0;
		if (days > 0) {
			o->days_overdue = (int32_t)days;
			o->bucket = bucket_of(b, days);
			row->overdue += o->unpaid;
			row->aging[o->bucket] += o->unpaid;
		} else {
			o->days_overdue = 0;
			o->bucket = -1;
			row->not_due += o->unpaid;
		}
	}
	if (row->ndocs > 1)
		qsort(row->docs, row->ndocs, sizeof(*row->docs), doc_due_cmp);
	free(byid);
	free(cr);
	free(d);
}

static void
docs_free(struct fx_ar_doc *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].doc);
		free(v[i].order);
		free(v[i].kind);
	}
	free(v);
}

void
fx_ar_row_release(struct fx_ar_row *r)
{
	if (r == NULL)
		return;
	free(r->entity);
	free(r->dealer);
	free(r->name);
	free(r->inn);
	free(r->kpp);
	free(r->head);
	docs_free(r->docs, r->ndocs);
	memset(r, 0, sizeof(*r));
}

/*
 * Reading the store.
 */

/* One entity's documents, decoded; ids from the keys. */
struct docs {
	struct fx_ledger *l;
	char		**id;
	struct fx_ar_entry *e;
	size_t		 n, cap, idcap, ecap;
	struct fx_buf	 key;
};

static void
docs_reset(struct docs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		fx_rec_release(&fx_rt_ledger, &s->l[i]);
		free(s->id[i]);
	}
	s->n = 0;
}

static void
docs_release(struct docs *s)
{
	docs_reset(s);
	free(s->l);
	free(s->id);
	free(s->e);
	fx_buf_release(&s->key);
	memset(s, 0, sizeof(*s));
}

static int
docs_load(struct fx_txn *t, const char *entity, struct docs *s,
    struct fx_err *err)
{
	struct fx_cur c;
	MDB_val k, v;
	size_t plen, i;
	int r;

	docs_reset(s);
	fx_buf_reset(&s->key);
	fx_buf_key(&s->key, entity, "", NULL);
	plen = s->key.len;
	if (fx_cur_open(t, FX_K_LEDGER, &c, err) == -1)
		return -1;
	for (r = fx_cur_seek(&c, s->key.p, plen, &k, &v, err); r == 0;
	    r = fx_cur_next(&c, &k, &v, err)) {
		if (k.mv_size < plen || memcmp(k.mv_data, s->key.p, plen) != 0)
			break;
		s->l = fx_grow(s->l, &s->cap, s->n + 1, sizeof(*s->l));
		s->id = fx_grow(s->id, &s->idcap, s->n + 1, sizeof(*s->id));
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_ledger,
		    &s->l[s->n], err) == -1) {
			r = -1;
			break;
		}
		s->id[s->n] = fx_strndup((const char *)k.mv_data + plen,
		    k.mv_size - plen);
		s->n++;
	}
	fx_cur_close(&c);
	if (r == -1)
		return -1;
	s->e = fx_grow(s->e, &s->ecap, s->n ? s->n : 1, sizeof(*s->e));
	for (i = 0; i < s->n; i++) {
		s->e[i].id = s->id[i];
		s->e[i].l = &s->l[i];
	}
	return 0;
}

/* Where the figures come from, and as of when. */
struct source {
	enum fx_ar_source src;
	char		 asof[32];
};

static int
source_get(struct fx_txn *t, struct source *s, struct fx_err *err)
{
	int r;

	s->src = FX_AR_LEDGER;
	r = fx_meta_get(t, "ledger_asof", s->asof, sizeof(s->asof), err);
	if (r == -1)
		return -1;
	if (r == 0)
		return 0;
	s->src = FX_AR_CONDITIONS;
	return fx_meta_get(t, "conditions_asof", s->asof, sizeof(s->asof),
	    err) == -1 ? -1 : 0;
}

/* The figures of one entity on date; names and limits from e. */
static int
entity_row(struct fx_txn *t, const struct fx_entity *e, const char *date,
    const struct source *src, const struct fx_days *b, struct docs *dc,
    struct fx_ar_row *row, struct fx_err *err)
{
	memset(row, 0, sizeof(*row));
	if (src->src == FX_AR_LEDGER) {
		if (docs_load(t, e->id, dc, err) == -1)
			return -1;
		fx_ar_compute(dc->e, dc->n, date, b, row);
	} else {
		/* 1C's own figures: no documents, no aging. */
		row->source = FX_AR_CONDITIONS;
		row->balance = e->debt;
		row->overdue = e->overdue;
		row->not_due = e->debt > e->overdue ? e->debt - e->overdue : 0;
		row->advance = e->debt < 0 ? -e->debt : 0;
	}
	row->entity = fx_strdup(e->id);
	row->dealer = fx_strdup(e->dealer);
	row->name = fx_strdup(e->name);
	row->inn = fx_strdup(e->inn);
	row->kpp = fx_strdup(e->kpp);
	row->head = fx_strdup(e->head);
	row->credit_limit = e->credit_limit;
	row->overdue_limit = e->overdue_limit;
	return 0;
}

/*
 * The block rule on a row.  line gets "ordering blocked: ..." when it
 * blocks, else "may order: ..." with the figures.
 */
static int
block_rule(const struct fx_ar_row *row, const struct source *src,
    char *line, size_t sz)
{
	char a[48], b[48], c[48], d[48], when[64], t[32];

	fx_snprintf(when, sizeof(when), "receivables as of %s%s",
	    asof_human(t, sizeof(t), src->asof),
	    src->src == FX_AR_CONDITIONS ? ", conditions file" : "");
	if (row->overdue > row->overdue_limit) {
		fx_snprintf(line, sz, "ordering blocked: overdue %s > limit %s "
		    "(%s)", rub(a, sizeof(a), row->overdue),
		    rub(b, sizeof(b), row->overdue_limit), when);
		return 1;
	}
	if (row->balance > row->credit_limit) {
		fx_snprintf(line, sz, "ordering blocked: debt %s > credit "
		    "limit %s (%s)", rub(a, sizeof(a), row->balance),
		    rub(b, sizeof(b), row->credit_limit), when);
		return 1;
	}
	fx_snprintf(line, sz, "may order: overdue %s of limit %s, debt %s of "
	    "credit limit %s (%s)", rub(a, sizeof(a), row->overdue),
	    rub(b, sizeof(b), row->overdue_limit),
	    rub(c, sizeof(c), row->balance > 0 ? row->balance : 0),
	    rub(d, sizeof(d), row->credit_limit), when);
	return 0;
}

/* The entity's override, if one is in force today (1), else 0. */
static int
override_active(struct fx_ctx *ctx, struct fx_txn *t, const char *entity,
    struct fx_ar_override *o, struct fx_err *err)
{
	int r;

	memset(o, 0, sizeof(*o));
	r = fx_db_getrec(t, FX_K_AR_OVERRIDE, entity, strlen(entity),
	    &fx_rt_ar_override, o, err);
	if (r != 0)
		return r == -1 ? -1 : 0;
	if (strcmp(o->until, ctx->today) >= 0)
		return 1;
	fx_rec_release(&fx_rt_ar_override, o);
	return 0;
}

static int
verdict(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_ar_row *row,
    const struct source *src, struct fx_ar_verdict *v, struct fx_err *err)
{
	struct fx_ar_override o;
	char rule[sizeof(v->line)], q[QSZ];
	int r;

	memset(v, 0, sizeof(*v));
	fx_strlcpy(v->entity, row->entity, sizeof(v->entity));
	fx_strlcpy(v->asof, src->asof, sizeof(v->asof));
	v->source = src->src;
	v->balance = row->balance;
	v->overdue = row->overdue;
	v->credit_limit = row->credit_limit;
	v->overdue_limit = row->overdue_limit;
	v->blocked = block_rule(row, src, rule, sizeof(rule));
	v->may_order = !v->blocked;
	fx_strlcpy(v->line, rule, sizeof(v->line));
	if (!v->blocked)
		return 0;
	if ((r = override_active(ctx, t, row->entity, &o, err)) == -1)
		return -1;
	if (r == 0)
		return 0;
	v->lifted = 1;
	v->may_order = 1;
	fx_strlcpy(v->override_by, o.by, sizeof(v->override_by));
	fx_strlcpy(v->override_until, o.until, sizeof(v->override_until));
	fx_strlcpy(v->override_reason, o.reason, sizeof(v->override_reason));
	/* "may order: lifted by staff:root until 2026-12-31 ("..."): ..." */
	fx_snprintf(v->line, sizeof(v->line), "may order: lifted by %s until "
	    "%s (\"%s\"): %s", o.by, o.until, fx_quote(q, sizeof(q), o.reason),
	    rule + strlen("ordering blocked: "));
	fx_rec_release(&fx_rt_ar_override, &o);
	return 0;
}

int
fx_ar_check_txn(struct fx_ctx *ctx, struct fx_txn *t,
    const struct fx_entity *e, struct fx_ar_verdict *v, struct fx_err *err)
{
	struct source src;
	struct fx_ar_row row;
	struct docs dc;
	int rc;

	memset(&dc, 0, sizeof(dc));
	if (source_get(t, &src, err) == -1)
		return -1;
	if (entity_row(t, e, ctx->today, &src, &ctx->conf.ar_buckets, &dc,
	    &row, err) == -1) {
		docs_release(&dc);
		return -1;
	}
	rc = verdict(ctx, t, &row, &src, v, err);
	fx_ar_row_release(&row);
	docs_release(&dc);
	return rc;
}

/* The ar or order permission on a visible entity; *e returned new. */
static int
check_access(struct fx_ctx *ctx, struct fx_txn *t, const char *ref,
    struct fx_entity *e, struct fx_err *err)
{
	struct fx_user me;
	char q[QSZ], q2[QSZ];
	int rc = -1;

	if (fx_acl_actor(ctx, t, &me, err) == -1)
		return -1;
	if (fx_entity_find(ctx, t, &me, ref, e, err) == -1)
		goto out;
	if (ctx->actor.staff || me.superuser ||
	    (me.perms & (FX_PERM_AR | FX_PERM_ORDER)) != 0) {
		rc = 0;
		goto out;
	}
	fx_err_set(err, FX_EPERM, "permission denied: user \"%s\" may not see "
	    "receivables of \"%s\"", fx_quote(q, sizeof(q), me.login),
	    fx_quote(q2, sizeof(q2), e->name[0] != '\0' ? e->name : e->id));
	fx_entity_release(e);
out:
	fx_user_release(&me);
	return rc;
}

int
fx_ar_check(struct fx_ctx *ctx, const char *entity, struct fx_ar_verdict *v,
    struct fx_err *err)
{
	struct fx_entity e;
	struct fx_txn t;
	int rc = -1;

	memset(v, 0, sizeof(*v));
	if (entity == NULL || *entity == '\0')
		return fx_err_set(err, FX_EUSAGE, "no legal entity to check");
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (check_access(ctx, &t, entity, &e, err) == -1)
		goto out;
	rc = fx_ar_check_txn(ctx, &t, &e, v, err);
	fx_entity_release(&e);
out:
	fx_db_abort(&t);
	return rc;
}

/*
 * The report.
 */

/* An entity chosen for the report, with its place in the order. */
struct pick {
	struct fx_entity e;
};

static const char *
group_of(const struct fx_entity *e)
{
	return e->head[0] != '\0' ? e->head : e->id;
}

/* By dealer, then head company with its subsidiaries after it. */
static int
pick_cmp(const void *a, const void *b)
{
	const struct fx_entity *x = &((const struct pick *)a)->e,
	    *y = &((const struct pick *)b)->e;
	int c;

	if ((c = strcmp(x->dealer, y->dealer)) != 0)
		return c;
	if ((c = strcmp(group_of(x), group_of(y))) != 0)
		return c;
	if ((x->head[0] != '\0') != (y->head[0] != '\0'))
		return x->head[0] != '\0' ? 1 : -1;
	return strcmp(x->id, y->id);
}

struct picks {
	struct pick	*v;
	size_t		 n, cap;
};

static void
picks_release(struct picks *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		fx_entity_release(&p->v[i].e);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static void
picks_add(struct picks *p, struct fx_entity *e)
{
	p->v = fx_grow(p->v, &p->cap, p->n + 1, sizeof(*p->v));
	p->v[p->n++].e = *e;
	memset(e, 0, sizeof(*e));
}

/*
 * The subsidiaries of head the actor sees.  The head field is read in
 * place, so the scan of every entity decodes only the few it keeps.
 */
static int
add_subsidiaries(struct fx_ctx *ctx, struct fx_txn *t,
    const struct fx_user *me, const struct fx_entity *head,
    struct picks *p, struct fx_err *err)
{
	struct fx_entity e;
	struct fx_cur c;
	MDB_val k, v;
	const char *h;
	size_t hl, want = strlen(head->id);
	int r;

	if (head->head[0] != '\0')
		return 0;	/* a subsidiary heads nothing */
	if (fx_cur_open(t, FX_K_ENTITY, &c, err) == -1)
		return -1;
	for (r = fx_cur_first(&c, &k, &v, err); r == 0;
	    r = fx_cur_next(&c, &k, &v, err)) {
		/* Field 7 of fx_rt_entity is head. */
		if (fx_rec_str_at(v.mv_data, v.mv_size, &fx_rt_entity, 7, &h,
		    &hl) == -1 || hl != want || memcmp(h, head->id, hl) != 0)
			continue;
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_entity, &e,
		    err) == -1) {
			r = -1;
			break;
		}
		if (fx_acl_sees(ctx, me, &e))
			picks_add(p, &e);
		else
			fx_entity_release(&e);
	}
	fx_cur_close(&c);
	return r == -1 ? -1 : 0;
}

/* Every entity the actor sees (which needs the ar permission). */
static int
add_all(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_user *me,
    struct picks *p, struct fx_err *err)
{
	struct fx_entity e;
	struct fx_cur c;
	MDB_val k, v;
	char q[QSZ];
	int r;

	if (!ctx->actor.staff && !me->superuser &&
	    (me->perms & FX_PERM_AR) == 0)
		return fx_err_set(err, FX_EPERM, "permission denied: user "
		    "\"%s\" may not see receivables",
		    fx_quote(q, sizeof(q), me->login));
	if (fx_cur_open(t, FX_K_ENTITY, &c, err) == -1)
		return -1;
	for (r = fx_cur_first(&c, &k, &v, err); r == 0;
	    r = fx_cur_next(&c, &k, &v, err)) {
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_entity, &e,
		    err) == -1) {
			r = -1;
			break;
		}
		if (fx_acl_sees(ctx, me, &e))
			picks_add(p, &e);
		else
			fx_entity_release(&e);
	}
	fx_cur_close(&c);
	return r == -1 ? -1 : 0;
}

static void
row_add(struct fx_ar_row *tot, const struct fx_ar_row *r)
{
	size_t i;

	tot->debits += r->debits;
	tot->credits += r->credits;
	tot->balance += r->balance;
	tot->advance += r->advance;
	tot->not_due += r->not_due;
	tot->overdue += r->overdue;
	for (i = 0; i < FX_AR_NBUCKETS; i++)
		tot->aging[i] += r->aging[i];
	tot->by_1c |= r->by_1c;
}

static struct fx_ar_row *
rows_grow(struct fx_ar_report *r, size_t *cap)
{
	r->v = fx_grow(r->v, cap, r->n + 1, sizeof(*r->v));
	memset(&r->v[r->n], 0, sizeof(r->v[r->n]));
	return &r->v[r->n++];
}

int
fx_ar_report(struct fx_ctx *ctx, const char *entity, const char *date,
    struct fx_ar_report *r, struct fx_err *err)
{
	struct fx_entity e;
	struct fx_user me;
	struct picks p;
	struct source src;
	struct docs dc;
	struct fx_ar_verdict vd;
	struct fx_txn t;
	char q[QSZ];
	size_t i, j, cap = 0, head_at = 0, nsubs = 0;
	int rc = -1, have_me = 0;

	memset(r, 0, sizeof(*r));
	memset(&p, 0, sizeof(p));
	memset(&dc, 0, sizeof(dc));
	if (date == NULL)
		date = ctx->today;
	if (fx_date_check(date) == -1)
		return fx_err_set(err, FX_EUSAGE, "bad date \"%s\": use "
		    "YYYY-MM-DD", fx_quote(q, sizeof(q), date));
	fx_strlcpy(r->date, date, sizeof(r->date));
	r->buckets = ctx->conf.ar_buckets;
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_acl_actor(ctx, &t, &me, err) == -1)
		goto out;
	have_me = 1;
	if (source_get(&t, &src, err) == -1)
		goto out;
	r->source = src.src;
	fx_strlcpy(r->asof, src.asof, sizeof(r->asof));

	if (entity != NULL) {
		if (fx_entity_find(ctx, &t, &me, entity, &e, err) == -1)
			goto out;
		if (fx_acl_check_txn(ctx, &t, FX_ACT_AR, e.id, NULL,
		    err) == -1) {
			fx_entity_release(&e);
			goto out;
		}
		picks_add(&p, &e);
		if (add_subsidiaries(ctx, &t, &me, &p.v[0].e, &p, err) == -1)
			goto out;
	} else if (add_all(ctx, &t, &me, &p, err) == -1)
		goto out;
	if (p.n > 1)
		qsort(p.v, p.n, sizeof(*p.v), pick_cmp);

	/* Rows in order; after a head and its subsidiaries, their total. */
	for (i = 0; i < p.n; i++) {
		const struct fx_entity *pe = &p.v[i].e;
		struct fx_ar_row *row;

		if (pe->head[0] == '\0') {
			head_at = r->n;
			nsubs = 0;
		}
		row = rows_grow(r, &cap);
		if (entity_row(&t, pe, date, &src, &r->buckets, &dc, row,
		    err) == -1)
			goto out;
		if (verdict(ctx, &t, row, &src, &vd, err) == -1)
			goto out;
		row->blocked = vd.blocked;
		row->lifted = vd.lifted;
		fx_strlcpy(row->override_until, vd.override_until,
		    sizeof(row->override_until));
		if (pe->head[0] != '\0' && r->n > 1 &&
		    strcmp(r->v[head_at].entity, pe->head) == 0 &&
		    r->v[head_at].head[0] == '\0')
			nsubs++;
		/* The group ends here: total it if it has subsidiaries. */
		if (nsubs > 0 && (i + 1 == p.n ||
		    strcmp(group_of(&p.v[i + 1].e), pe->head) != 0 ||
		    strcmp(p.v[i + 1].e.dealer, pe->dealer) != 0)) {
			struct fx_ar_row *tot = rows_grow(r, &cap);
			const struct fx_ar_row *h = &r->v[head_at];

			tot->total = 1;
			tot->source = h->source;
			tot->aging_known = h->aging_known;
			tot->entity = fx_strdup(h->entity);
			tot->dealer = fx_strdup(h->dealer);
			tot->name = fx_strdup(h->name);
			tot->inn = fx_strdup(h->inn);
			tot->kpp = fx_strdup(h->kpp);
			tot->head = fx_strdup("");
			for (j = head_at; j < r->n - 1; j++)
				row_add(tot, &r->v[j]);
			nsubs = 0;
		}
	}
	rc = 0;
out:
	if (have_me)
		fx_user_release(&me);
	fx_db_abort(&t);
	docs_release(&dc);
	picks_release(&p);
	if (rc == -1)
		fx_ar_report_release(r);
	return rc;
}

void
fx_ar_report_release(struct fx_ar_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		fx_ar_row_release(&r->v[i]);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

/*
 * The reconciliation statement.
 */

static int
line_cmp(const void *a, const void *b)
{
	const struct fx_ar_line *x = a, *y = b;
	int c;

	if ((c = strcmp(x->date, y->date)) != 0)
		return c;
	if ((x->debit > 0) != (y->debit > 0))
		return x->debit > 0 ? -1 : 1;
	return strcmp(x->id, y->id);
}

int
fx_ar_statement(struct fx_ctx *ctx, const char *entity, const char *from,
    const char *to, struct fx_ar_statement *s, struct fx_err *err)
{
	struct fx_entity e;
	struct fx_user me;
	struct source src;
	struct docs dc;
	struct fx_txn t;
	char q[QSZ];
	size_t i;
	int rc = -1, have_e = 0;

	memset(s, 0, sizeof(*s));
	memset(&dc, 0, sizeof(dc));
	if (entity == NULL || *entity == '\0')
		return fx_err_set(err, FX_EUSAGE, "a statement is for one "
		    "legal entity");
	if (from == NULL || fx_date_check(from) == -1)
		return fx_err_set(err, FX_EUSAGE, "bad date \"%s\": use "
		    "YYYY-MM-DD", fx_quote(q, sizeof(q), from ? from : ""));
	if (to == NULL || fx_date_check(to) == -1)
		return fx_err_set(err, FX_EUSAGE, "bad date \"%s\": use "
		    "YYYY-MM-DD", fx_quote(q, sizeof(q), to ? to : ""));
	if (strcmp(from, to) > 0)
		return fx_err_set(err, FX_EUSAGE, "the period starts on %s, "
		    "after its end on %s", from, to);
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_acl_actor(ctx, &t, &me, err) == -1)
		goto out;
	rc = fx_entity_find(ctx, &t, &me, entity, &e, err);
	fx_user_release(&me);
	if (rc == -1)
		goto out;
	rc = -1;
	have_e = 1;
	if (fx_acl_check_txn(ctx, &t, FX_ACT_AR, e.id, NULL, err) == -1 ||
	    source_get(&t, &src, err) == -1)
		goto out;
	if (src.src != FX_AR_LEDGER) {
		fx_err_set(err, FX_ENEGATIVE, "no receivables ledger from 1C "
		    "yet: a statement needs its documents");
		goto out;
	}
	if (docs_load(&t, e.id, &dc, err) == -1)
		goto out;
	fx_strlcpy(s->from, from, sizeof(s->from));
	fx_strlcpy(s->to, to, sizeof(s->to));
	fx_strlcpy(s->asof, src.asof, sizeof(s->asof));
	s->entity = fx_strdup(e.id);
	s->name = fx_strdup(e.name);
	s->inn = fx_strdup(e.inn);
	s->kpp = fx_strdup(e.kpp);
	s->v = fx_calloc(dc.n ? dc.n : 1, sizeof(*s->v));
	for (i = 0; i < dc.n; i++) {
		const struct fx_ledger *l = &dc.l[i];
		int64_t sign = FX_LK_CREDIT(l->kind) ? -1 : 1;
		struct fx_ar_line *o;

		if (strcmp(l->date, from) < 0) {
			s->opening += sign * l->amount;
			continue;
		}
		if (strcmp(l->date, to) > 0)
			continue;
		o = &s->v[s->n++];
		o->id = fx_strdup(dc.id[i]);
		o->doc = fx_strdup(l->doc);
		o->order = fx_strdup(l->order);
		o->kind = fx_strdup(fx_lkind_name(l->kind));
		fx_strlcpy(o->date, l->date, sizeof(o->date));
		if (sign > 0) {
			o->debit = l->amount;
			s->debits += l->amount;
		} else {
			o->credit = l->amount;
			s->credits += l->amount;
		}
	}
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), line_cmp);
	s->closing = s->opening;
	for (i = 0; i < s->n; i++) {
		s->closing += s->v[i].debit - s->v[i].credit;
		s->v[i].balance = s->closing;
	}
	rc = 0;
out:
	fx_db_abort(&t);
	if (have_e)
		fx_entity_release(&e);
	docs_release(&dc);
	if (rc == -1)
		fx_ar_statement_release(s);
	return rc;
}

void
fx_ar_statement_release(struct fx_ar_statement *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->v[i].id);
		free(s->v[i].doc);
		free(s->v[i].order);
		free(s->v[i].kind);
	}
	free(s->v);
	free(s->entity);
	free(s->name);
	free(s->inn);
	free(s->kpp);
	memset(s, 0, sizeof(*s));
}

/*
 * Overrides.
 */

struct ov_args {
	struct fx_ctx	*ctx;
	const char	*entity;
	const char	*until;		/* NULL: remove */
	const char	*reason;
};

static int
ov_apply(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct ov_args *a = arg;
	struct fx_ctx *ctx = a->ctx;
	struct fx_ar_override old, o;
	struct fx_entity e;
	struct fx_user me;
	struct fx_buf b = { NULL, 0, 0 };
	char who[128], now[32], q[QSZ];
	int r, rc = -1;

	if (fx_acl_check_txn(ctx, t, FX_ACT_STAFF, NULL, NULL, err) == -1 ||
	    fx_acl_actor(ctx, t, &me, err) == -1)
		return -1;
	r = fx_entity_find(ctx, t, &me, a->entity, &e, err);
	fx_user_release(&me);
	if (r == -1)
		return -1;
	r = fx_db_getrec(t, FX_K_AR_OVERRIDE, e.id, strlen(e.id),
	    &fx_rt_ar_override, &old, err);
	if (r == -1)
		goto out;
	if (r == 1)
		memset(&old, 0, sizeof(old));
	if (a->until == NULL) {
		if (r == 1) {
			fx_err_set(err, FX_ENOTFOUND, "legal entity \"%s\" has "
			    "no override", fx_quote(q, sizeof(q), e.id));
			goto out;
		}
		if (fx_db_del(t, FX_K_AR_OVERRIDE, e.id, strlen(e.id), NULL, 0,
		    err) == -1 ||
		    fx_audit_add(ctx, t, "ar.override.remove", e.id, "until",
		    old.until, "", err) == -1)
			goto out;
		rc = 0;
		goto out;
	}
	fx_now_iso(now, sizeof(now));
	o.entity = e.id;
	o.by = (char *)fx_actor_name(ctx, who, sizeof(who));
	o.at = now;
	o.until = (char *)a->until;
	o.reason = (char *)a->reason;
	if (fx_db_putrec(t, FX_K_AR_OVERRIDE, e.id, strlen(e.id),
	    &fx_rt_ar_override, &o, &b, err) == -1 ||
	    fx_audit_add(ctx, t, "ar.override", e.id, "until", old.until,
	    a->until, err) == -1 ||
	    fx_audit_add(ctx, t, "ar.override", e.id, "reason", old.reason,
	    a->reason, err) == -1)
		goto out;
	rc = 0;
out:
	fx_buf_release(&b);
	fx_rec_release(&fx_rt_ar_override, &old);
	fx_entity_release(&e);
	return rc;
}

int
fx_ar_override_set(struct fx_ctx *ctx, const char *entity, const char *until,
    const char *reason, struct fx_err *err)
{
	struct ov_args a;
	char q[QSZ];
	size_t i;

	if (entity == NULL || *entity == '\0')
		return fx_err_set(err, FX_EUSAGE, "no legal entity given");
	if (until == NULL || fx_date_check(until) == -1)
		return fx_err_set(err, FX_EUSAGE, "bad date \"%s\": use "
		    "YYYY-MM-DD", fx_quote(q, sizeof(q), until ? until : ""));
	if (strcmp(until, ctx->today) < 0)
		return fx_err_set(err, FX_EUSAGE, "override until %s: that day "
		    "is past (today is %s)", until, ctx->today);
	if (reason == NULL || *reason == '\0')
		return fx_err_set(err, FX_EUSAGE, "an override needs a reason");
	if (strlen(reason) > REASON_MAX)
		return fx_err_set(err, FX_EUSAGE, "reason longer than %d bytes",
		    REASON_MAX);
	for (i = 0; reason[i] != '\0'; i++)
		if ((unsigned char)reason[i] < 0x20 || reason[i] == 0x7f)
			return fx_err_set(err, FX_EUSAGE, "reason contains a "
			    "control character");
	a.ctx = ctx;
	a.entity = entity;
	a.until = until;
	a.reason = reason;
	return fx_db_write(ctx->db, ov_apply, &a, err) == -1 ? -1 : 0;
}

int
fx_ar_override_remove(struct fx_ctx *ctx, const char *entity,
    struct fx_err *err)
{
	struct ov_args a;

	if (entity == NULL || *entity == '\0')
		return fx_err_set(err, FX_EUSAGE, "no legal entity given");
	a.ctx = ctx;
	a.entity = entity;
	a.until = NULL;
	a.reason = NULL;
	return fx_db_write(ctx->db, ov_apply, &a, err) == -1 ? -1 : 0;
}

int
fx_ar_override_list(struct fx_ctx *ctx, const char *entity, int all,
    struct fx_ar_override **vp, size_t *np, struct fx_err *err)
{
	struct fx_ar_override *v = NULL, o;
	struct fx_entity e;
	struct fx_user me;
	struct fx_txn t;
	struct fx_cur c;
	MDB_val k, val;
	size_t n = 0, cap = 0;
	char *only = NULL;
	int r, rc = -1;

	*vp = NULL;
	*np = 0;
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_acl_check_txn(ctx, &t, FX_ACT_STAFF, NULL, NULL, err) == -1)
		goto out;
	if (entity != NULL) {
		if (fx_acl_actor(ctx, &t, &me, err) == -1)
			goto out;
		r = fx_entity_find(ctx, &t, &me, entity, &e, err);
		fx_user_release(&me);
		if (r == -1)
			goto out;
		only = fx_strdup(e.id);
		fx_entity_release(&e);
	}
	if (fx_cur_open(&t, FX_K_AR_OVERRIDE, &c, err) == -1)
		goto out;
	for (r = fx_cur_first(&c, &k, &val, err); r == 0;
	    r = fx_cur_next(&c, &k, &val, err)) {
		if (fx_rec_decode(val.mv_data, val.mv_size, &fx_rt_ar_override,
		    &o, err) == -1) {
			r = -1;
			break;
		}
		if ((only != NULL && strcmp(o.entity, only) != 0) ||
		    (!all && strcmp(o.until, ctx->today) < 0)) {
			fx_rec_release(&fx_rt_ar_override, &o);
			continue;
		}
		o.active = strcmp(o.until, ctx->today) >= 0;
		v = fx_grow(v, &cap, n + 1, sizeof(*v));
		v[n++] = o;
	}
	fx_cur_close(&c);
	if (r == -1) {
		fx_ar_overrides_free(v, n);
		goto out;
	}
	*vp = v;
	*np = n;
	rc = 0;
out:
	free(only);
	fx_db_abort(&t);
	return rc;
}

void
fx_ar_overrides_free(struct fx_ar_override *v, size_t n)
{
	fx_rec_vfree(&fx_rt_ar_override, v, n, sizeof(*v));
}
