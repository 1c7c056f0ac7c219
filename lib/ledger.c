/*
 * ledger.c -- the receivables ledger 1C sends (<formix-ledger>): per
 * legal entity, its debits (shipments, adjustments that add to the debt)
 * and credits (payments, returns, adjustments that lower it).
 * formix-xml(5) is the reference; ar.c reads what this module writes.
 *
 * Contract: as cond.c.  The import runs inside the package's write
 * transaction, which import.c opened and owns, after the conditions
 * files of the package (an entity must be known before its ledger).  It
 * streams the file through fx_xml_parse and writes each document as it
 * arrives; the first error stops the parse with file:line in err and the
 * caller aborts the transaction, so a refused file changes nothing.
 * Store errors are handed back unchanged, not dressed as file errors.
 *
 * Keys are "entity \0 document id": a document is found, replaced or
 * deleted by its id, and an entity's ledger is one prefix of the keys.
 *  - full="true" holds the whole ledger: the store's is dropped first;
 *  - full="false" holds changes: a document is added or replaced,
 *    deleted="true" removes one, and <entity replace="true"> drops that
 *    entity's documents before its own are read.
 * Either way a document is never counted twice.  One sent twice in the
 * same package is a slip of the exchange module: the later counts, with a
 * warning.  Records carry the package's generation, so a repeat is told
 * from an update of an earlier import without keeping the ids in memory
 * (a reference ledger is 200,000 documents).
 *
 * A credit may say which debits it pays (<apply>, or applies-to for all
 * of it); those debits must be in the store for the same entity once the
 * file is read, which is checked at the end since a debit may follow the
 * credit that pays it.  ar.c sets the rest of every credit against the
 * oldest debits first.
 *
 * Unknown elements and attributes are ignored, as in cond.c.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

#define ID_MAX		200	/* bytes; keeps "entity \0 id" under 511 */
#define TEXT_MAX	500	/* a document label */
#define AMOUNT_MAX	((int64_t)100000000000000)	/* 1e12 roubles */
#define QSZ		96	/* a quoted value in a message */
#define NOTEXT		((uint64_t)1 << 63)	/* no element's text is read */

enum { L_ROOT, L_ENTITY, L_DEBIT, L_CREDIT, L_APPLY, L_N };
static const char *const lnames[] = {
	"formix-ledger", "entity", "debit", "credit", "apply"
};

enum { RA_VERSION, RA_GENERATED, RA_FULL, RA_N };
static const char *const root_attrs[] = { "version", "generated", "full" };

enum { NA_ID, NA_REPLACE, NA_N };
static const char *const entity_attrs[] = { "id", "replace" };

enum {
	DA_ID, DA_DATE, DA_DUE, DA_AMOUNT, DA_KIND, DA_ORDER, DA_DOC,
	DA_APPLIES, DA_DELETED, DA_N
};
static const char *const doc_attrs[] = {
	"id", "date", "due", "amount", "kind", "order", "doc", "applies-to",
	"deleted"
};

enum { AA_DEBIT, AA_AMOUNT, AA_N };
static const char *const apply_attrs[] = { "debit", "amount" };

#define MAXA	DA_N

/*
 * The wanted attributes of one element, copied NUL-terminated into one
 * reused buffer: no allocation per element in the steady state.
 */
struct attrs {
	const char	*v[MAXA];	/* NULL if absent */
	size_t		 off[MAXA];
	struct fx_buf	 b;
};

/* An explicit allocation, checked once the file is read. */
struct alloc {
	char		*entity;
	char		*credit;
	char		*debit;
	long		 line;
};

struct ledger {
	struct fx_ctx		*ctx;
	struct fx_txn		*txn;
	struct fx_pkg		*pkg;
	const char		*path;
	struct fx_import_stats	*st;
	const char		*today;
	int			 root_seen;
	int			 full;
	char			 generated[32];
	/* The <entity> being read. */
	char			*entity;
	int32_t			 payment_days;
	struct fx_map		 entities;	/* id -> line + 1 */
	/* The <credit> being read, written at its end. */
	int			 in_credit;
	int			 skip;		/* a deleted document */
	long			 credit_line;
	char			*credit_id;
	struct fx_ledger	 cr;
	size_t			 alloccap;
	int			 applies_attr;	/* applies-to was given */
	int64_t			 allocated;
	struct alloc		*allocs;
	size_t			 nallocs, allocscap;
	struct attrs		 a;
	struct fx_cur		 cur;
	int			 cur_open;
	/* A store error, kept apart from the file error (cond.c). */
	int			 dbfail;
	struct fx_err		 dberr;
	struct fx_buf		 key, rec;
};

static int
dbfail(struct fx_xml *x, struct ledger *l)
{
	l->dbfail = 1;
	return fx_xml_err(x, l->dberr.code, "%s", l->dberr.msg);
}

static void
get_attrs(struct attrs *at, const struct fx_xml_attr *a, size_t na,
    const char *const *names, size_t n)
{
	size_t i, j;

	fx_buf_reset(&at->b);
	for (j = 0; j < n; j++)
		at->v[j] = NULL;
	for (i = 0; i < na; i++)
		for (j = 0; j < n; j++)
			if (strcmp(a[i].name, names[j]) == 0) {
				at->off[j] = at->b.len;
				fx_buf_add(&at->b, a[i].value, a[i].len);
				fx_buf_addc(&at->b, '\0');
				at->v[j] = "";	/* set below */
				break;
			}
	/* The buffer may have moved while it grew: point into it last. */
	for (j = 0; j < n; j++)
		if (at->v[j] != NULL)
			at->v[j] = at->b.p + at->off[j];
}

/* An error about the element what (with its id, if known). */
static int __attribute__((format(printf, 4, 5)))
elem_err(struct fx_xml *x, const char *what, const char *id,
    const char *fmt, ...)
{
	char msg[256], q[QSZ];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (id == NULL || *id == '\0')
		return fx_xml_err(x, FX_EDATA, "%s: %s", what, msg);
	return fx_xml_err(x, FX_EDATA, "%s \"%s\": %s", what,
	    fx_quote(q, sizeof(q), id), msg);
}

static int
need(struct fx_xml *x, const char *what, const char *id,
    const struct attrs *at, const char *const *names, size_t i)
{
	if (at->v[i] == NULL || at->v[i][0] == '\0')
		return elem_err(x, what, id, "missing attribute \"%s\"",
		    names[i]);
	return 0;
}

static int
parse_bool(const char *s, int *out)
{
	*out = 0;
	if (s == NULL || *s == '\0' || strcmp(s, "false") == 0 ||
	    strcmp(s, "0") == 0)
		return 0;
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
		*out = 1;
		return 0;
	}
	return -1;
}

static int
bool_attr(struct fx_xml *x, const char *what, const char *id,
    const char *name, const char *s, int *out)
{
	char q[QSZ];

	if (parse_bool(s, out) == -1)
		return elem_err(x, what, id, "%s \"%s\" must be true or false",
		    name, fx_quote(q, sizeof(q), s));
	return 0;
}

static int
len_ok(struct fx_xml *x, const char *what, const char *id, const char *name,
    const char *s, size_t max)
{
	char q[QSZ];

	if (s != NULL && strlen(s) > max)
		return elem_err(x, what, id, "%s \"%s\" is longer than %zu "
		    "bytes", name, fx_quote(q, sizeof(q), s), max);
	return 0;
}

/* An amount of money above zero; name is the attribute, for messages. */
static int
amount_attr(struct fx_xml *x, const char *what, const char *id,
    const char *name, const char *s, int64_t *out)
{
	const char *why;
	char q[QSZ];

	if (fx_money_parse(s, out) == -1)
		why = fx_decimals_over(s, 2) ? "has more than two decimals" :
		    "is not an amount";
	else if (*out <= 0)
		why = "must be greater than zero";
	else if (*out > AMOUNT_MAX)
		why = "is too large";
	else
		return 0;
	return elem_err(x, what, id, "%s \"%s\" %s", name,
	    fx_quote(q, sizeof(q), s), why);
}

static int
date_attr(struct fx_xml *x, const char *what, const char *id,
    const char *name, const char *s)
{
	char q[QSZ];

	if (fx_date_check(s) == -1)
		return elem_err(x, what, id, "%s \"%s\" is not a date "
		    "(YYYY-MM-DD)", name, fx_quote(q, sizeof(q), s));
	return 0;
}

/* The root element: version, generated, full. */
static int
root_start(struct fx_xml *x, struct ledger *l, int tok,
    const struct fx_xml_attr *a, size_t na)
{
	const char *root = lnames[L_ROOT];
	struct attrs *at = &l->a;
	char q[QSZ], old[32];
	int r;

	if (tok != L_ROOT)
		return fx_xml_err(x, FX_EDATA, "root element is not <%s>",
		    root);
	get_attrs(at, a, na, root_attrs, RA_N);
	if (need(x, root, NULL, at, root_attrs, RA_VERSION) == -1)
		return -1;
	if (strcmp(at->v[RA_VERSION], "1") != 0)
		return fx_xml_err(x, FX_EDATA, "%s: unsupported version \"%s\" "
		    "(this formix reads version 1)", root,
		    fx_quote(q, sizeof(q), at->v[RA_VERSION]));
	if (need(x, root, NULL, at, root_attrs, RA_GENERATED) == -1)
		return -1;
	if (fx_datetime_check(at->v[RA_GENERATED]) == -1 ||
	    fx_strlcpy(l->generated, at->v[RA_GENERATED],
	    sizeof(l->generated)) == -1)
		return fx_xml_err(x, FX_EDATA, "%s: generated \"%s\" is not a "
		    "date and time (YYYY-MM-DDTHH:MM:SS)", root,
		    fx_quote(q, sizeof(q), at->v[RA_GENERATED]));
	if (need(x, root, NULL, at, root_attrs, RA_FULL) == -1)
		return -1;
	if (parse_bool(at->v[RA_FULL], &l->full) == -1)
		return fx_xml_err(x, FX_EDATA, "%s: full \"%s\" must be true "
		    "or false", root, fx_quote(q, sizeof(q), at->v[RA_FULL]));
	l->root_seen = 1;

	/* Older data over newer is allowed (a re-run), but said. */
	r = fx_meta_get(l->txn, "ledger_asof", old, sizeof(old), &l->dberr);
	if (r == -1)
		return dbfail(x, l);
	if (r == 0 && strcmp(l->generated, old) < 0) {
		struct fx_err w;

		fx_err_setloc(&w, FX_EDATA, l->path, fx_xml_line(x), 0,
		    "ledger generated %s is older than the one in the store "
		    "(%s): applied all the same", l->generated, old);
		if (l->ctx != NULL)
			fx_warn(l->ctx, &w);
		l->st->warnings++;
	}
	if (l->full && fx_db_clear(l->txn, FX_K_LEDGER, &l->dberr) == -1)
		return dbfail(x, l);
	/* One cursor writes every document, opened after the clear. */
	if (fx_cur_open(l->txn, FX_K_LEDGER, &l->cur, &l->dberr) == -1)
		return dbfail(x, l);
	l->cur_open = 1;
	return 0;
}

/* Drop every document of the entity (replace="true"). */
static int
drop_entity(struct ledger *l, const char *entity)
{
	struct fx_buf keys = { NULL, 0, 0 };
	struct fx_cur c;
	MDB_val k, v;
	size_t plen, off;
	int r;

	fx_buf_reset(&l->key);
	fx_buf_key(&l->key, entity, "", NULL);
	plen = l->key.len;
	if (fx_cur_open(l->txn, FX_K_LEDGER, &c, &l->dberr) == -1)
		return -1;
	/* Keys first, deletes after: no cursor walks a changing tree. */
	for (r = fx_cur_seek(&c, l->key.p, plen, &k, &v, &l->dberr); r == 0;
	    r = fx_cur_next(&c, &k, &v, &l->dberr)) {
		if (k.mv_size < plen || memcmp(k.mv_data, l->key.p, plen) != 0)
			break;
		fx_buf_add(&keys, &k.mv_size, sizeof(k.mv_size));
		fx_buf_add(&keys, k.mv_data, k.mv_size);
	}
	fx_cur_close(&c);
	if (r == -1) {
		fx_buf_release(&keys);
		return -1;
	}
	for (off = 0; off < keys.len;) {
		size_t n;

		memcpy(&n, keys.p + off, sizeof(n));
		off += sizeof(n);
		if (fx_db_del(l->txn, FX_K_LEDGER, keys.p + off, n, NULL, 0,
		    &l->dberr) == -1) {
			fx_buf_release(&keys);
			return -1;
		}
		off += n;
	}
	fx_buf_release(&keys);
	return 0;
}

static int
entity_start(struct fx_xml *x, struct ledger *l, const struct fx_xml_attr *a,
    size_t na)
{
	struct attrs *at = &l->a;
	struct fx_entity e;
	const char *id;
	void **slot;
	int r, replace;

	get_attrs(at, a, na, entity_attrs, NA_N);
	if (need(x, "entity", NULL, at, entity_attrs, NA_ID) == -1 ||
	    len_ok(x, "entity", NULL, "id", at->v[NA_ID], ID_MAX) == -1)
		return -1;
	id = at->v[NA_ID];
	slot = fx_map_put(&l->entities, id);
	if (*slot != NULL)
		return elem_err(x, "entity", id, "listed twice (first at line "
		    "%ld)", (long)(intptr_t)*slot - 1);
	*slot = (void *)(intptr_t)(fx_xml_line(x) + 1);
	if (bool_attr(x, "entity", id, "replace", at->v[NA_REPLACE],
	    &replace) == -1)
		return -1;
	r = fx_db_getrec(l->txn, FX_K_ENTITY, id, strlen(id), &fx_rt_entity,
	    &e, &l->dberr);
	if (r == -1)
		return dbfail(x, l);
	if (r == 1)
		return elem_err(x, "entity", id, "unknown legal entity");
	l->payment_days = e.payment_days;
	fx_entity_release(&e);
	free(l->entity);
	l->entity = fx_strdup(id);
	if (replace && !l->full && drop_entity(l, id) == -1)
		return dbfail(x, l);
	l->st->ledger_entities++;
	return 0;
}

/*
 * Write one document: add, or replace the stored one of the same id, with
 * a warning when this package already wrote it.
 */
static int
put_doc(struct fx_xml *x, struct ledger *l, const char *what, const char *id,
    struct fx_ledger *d)
{
	struct fx_ledger old;
	const void *ov;
	size_t ol;
	int r;

	d->gen = l->pkg != NULL ? l->pkg->gen : 0;
	fx_buf_reset(&l->key);
	fx_buf_key(&l->key, l->entity, id, NULL);
	fx_rec_encode(&l->rec, &fx_rt_ledger, d);
	r = fx_cur_put_new(&l->cur, l->key.p, l->key.len, l->rec.p, l->rec.len,
	    &ov, &ol, &l->dberr);
	if (r == -1)
		return dbfail(x, l);
	if (r == 1) {
		if (fx_rec_decode(ov, ol, &fx_rt_ledger, &old, &l->dberr) == -1)
			return dbfail(x, l);
		if (l->pkg != NULL && old.gen == l->pkg->gen) {
			struct fx_err w;
			char q[QSZ], q2[QSZ];

			fx_err_setloc(&w, FX_EDATA, l->path, fx_xml_line(x), 0,
			    "%s \"%s\" of entity \"%s\" listed twice in this "
			    "import: the later one counts", what,
			    fx_quote(q, sizeof(q), id),
			    fx_quote(q2, sizeof(q2), l->entity));
			if (l->ctx != NULL)
				fx_warn(l->ctx, &w);
			l->st->warnings++;
		}
		fx_rec_release(&fx_rt_ledger, &old);
		if (fx_cur_put(&l->cur, l->key.p, l->key.len, l->rec.p,
		    l->rec.len, 1, &l->dberr) == -1)
			return dbfail(x, l);
	}
	l->st->ledger++;
	return 0;
}

static int
delete_doc(struct fx_xml *x, struct ledger *l, const char *id)
{
	fx_buf_reset(&l->key);
	fx_buf_key(&l->key, l->entity, id, NULL);
	if (fx_db_del(l->txn, FX_K_LEDGER, l->key.p, l->key.len, NULL, 0,
	    &l->dberr) == -1)
		return dbfail(x, l);
	l->st->ledger++;
	return 0;
}

/* What debits and credits share; fills d, or returns -1. */
static int
doc_common(struct fx_xml *x, struct ledger *l, const char *what,
    const char *id, struct fx_ledger *d)
{
	struct attrs *at = &l->a;
	char q[QSZ];

	if (need(x, what, id, at, doc_attrs, DA_DATE) == -1 ||
	    date_attr(x, what, id, "date", at->v[DA_DATE]) == -1)
		return -1;
	if (strcmp(at->v[DA_DATE], l->today) > 0)
		return elem_err(x, what, id, "date \"%s\" is in the future "
		    "(today is %s)", fx_quote(q, sizeof(q), at->v[DA_DATE]),
		    l->today);
	if (need(x, what, id, at, doc_attrs, DA_AMOUNT) == -1 ||
	    amount_attr(x, what, id, "amount", at->v[DA_AMOUNT],
	    &d->amount) == -1)
		return -1;
	if (len_ok(x, what, id, "order", at->v[DA_ORDER], ID_MAX) == -1 ||
	    len_ok(x, what, id, "doc", at->v[DA_DOC], TEXT_MAX) == -1)
		return -1;
	d->date = (char *)at->v[DA_DATE];
	d->order = (char *)(at->v[DA_ORDER] != NULL ? at->v[DA_ORDER] : "");
	d->doc = (char *)(at->v[DA_DOC] != NULL ? at->v[DA_DOC] : "");
	return 0;
}

/* The id and deleted attributes; *gone set for deleted="true". */
static int
doc_id(struct fx_xml *x, struct ledger *l, const char *what, int *gone)
{
	struct attrs *at = &l->a;

	if (need(x, what, NULL, at, doc_attrs, DA_ID) == -1 ||
	    len_ok(x, what, NULL, "id", at->v[DA_ID], ID_MAX) == -1 ||
	    bool_attr(x, what, at->v[DA_ID], "deleted", at->v[DA_DELETED],
	    gone) == -1)
		return -1;
	return 0;
}

static int
debit_start(struct fx_xml *x, struct ledger *l, const struct fx_xml_attr *a,
    size_t na)
{
	struct attrs *at = &l->a;
	struct fx_ledger d;
	const char *id, *k;
	char due[11], q[QSZ], q2[QSZ];
	int gone;

	get_attrs(at, a, na, doc_attrs, DA_N);
	if (doc_id(x, l, "debit", &gone) == -1)
		return -1;
	id = at->v[DA_ID];
	if (gone)
		return l->full ? 0 : delete_doc(x, l, id);
	memset(&d, 0, sizeof(d));
	if (doc_common(x, l, "debit", id, &d) == -1)
		return -1;
	k = at->v[DA_KIND];
	if (k == NULL || *k == '\0' || strcmp(k, "shipment") == 0)
		d.kind = FX_LK_SHIPMENT;
	else if (strcmp(k, "adjustment") == 0)
		d.kind = FX_LK_DEBIT_ADJ;
	else
		return elem_err(x, "debit", id, "kind \"%s\" must be shipment "
		    "or adjustment", fx_quote(q, sizeof(q), k));
	if (at->v[DA_DUE] != NULL && at->v[DA_DUE][0] != '\0') {
		if (date_attr(x, "debit", id, "due", at->v[DA_DUE]) == -1)
			return -1;
		if (strcmp(at->v[DA_DUE], d.date) < 0)
			return elem_err(x, "debit", id, "due \"%s\" is before "
			    "its date \"%s\"", fx_quote(q, sizeof(q),
			    at->v[DA_DUE]), fx_quote(q2, sizeof(q2), d.date));
		memcpy(due, at->v[DA_DUE], 11);
	} else	/* The contract's payment terms, as 1C would count them. */
		fx_date_add(d.date, l->payment_days, due);
	d.due = due;
	if (at->v[DA_APPLIES] != NULL)
		return elem_err(x, "debit", id, "applies-to is for credits");
	return put_doc(x, l, "debit", id, &d);
}

static void
credit_clear(struct ledger *l)
{
	size_t i;

	for (i = 0; i < l->cr.nalloc; i++)
		free(l->cr.alloc[i].id);
	l->cr.nalloc = 0;
	free(l->cr.date);
	free(l->cr.order);
	free(l->cr.doc);
	l->cr.date = l->cr.order = l->cr.doc = NULL;
	free(l->credit_id);
	l->credit_id = NULL;
	l->in_credit = 0;
	l->skip = 0;
	l->applies_attr = 0;
	l->allocated = 0;
}

static void
add_alloc(struct ledger *l, const char *debit, int64_t amount)
{
	struct fx_qv *v;

	l->cr.alloc = fx_grow(l->cr.alloc, &l->alloccap, l->cr.nalloc + 1,
	    sizeof(*l->cr.alloc));
	v = &l->cr.alloc[l->cr.nalloc++];
	v->id = fx_strdup(debit);
	v->v = amount;
	l->allocated += amount;
}

static int
credit_start(struct fx_xml *x, struct ledger *l, const struct fx_xml_attr *a,
    size_t na)
{
	struct attrs *at = &l->a;
	struct fx_ledger d;
	const char *id, *k;
	char q[QSZ];
	int gone;

	credit_clear(l);
	get_attrs(at, a, na, doc_attrs, DA_N);
	if (doc_id(x, l, "credit", &gone) == -1)
		return -1;
	id = at->v[DA_ID];
	l->in_credit = 1;
	l->credit_id = fx_strdup(id);
	l->credit_line = fx_xml_line(x);
	if (gone) {
		l->skip = 1;	/* its <apply> elements are not read */
		return l->full ? 0 : delete_doc(x, l, id);
	}
	memset(&d, 0, sizeof(d));
	if (doc_common(x, l, "credit", id, &d) == -1)
		return -1;
	k = at->v[DA_KIND];
	if (k == NULL || *k == '\0' || strcmp(k, "payment") == 0)
		l->cr.kind = FX_LK_PAYMENT;
	else if (strcmp(k, "return") == 0)
		l->cr.kind = FX_LK_RETURN;
	else if (strcmp(k, "adjustment") == 0)
		l->cr.kind = FX_LK_CREDIT_ADJ;
	else
		return elem_err(x, "credit", id, "kind \"%s\" must be payment, "
		    "return or adjustment", fx_quote(q, sizeof(q), k));
	if (at->v[DA_DUE] != NULL)
		return elem_err(x, "credit", id, "due is for debits");
	l->cr.date = fx_strdup(d.date);
	l->cr.order = fx_strdup(d.order);
	l->cr.doc = fx_strdup(d.doc);
	l->cr.amount = d.amount;
	if (at->v[DA_APPLIES] != NULL && at->v[DA_APPLIES][0] != '\0') {
		if (len_ok(x, "credit", id, "applies-to", at->v[DA_APPLIES],
		    ID_MAX) == -1)
			return -1;
		add_alloc(l, at->v[DA_APPLIES], d.amount);
		l->applies_attr = 1;
	}
	return 0;
}

static int
apply_start(struct fx_xml *x, struct ledger *l, const struct fx_xml_attr *a,
    size_t na)
{
	struct attrs *at = &l->a;
	const char *id = l->credit_id;
	char q[QSZ];
	int64_t amount;
	size_t i;

	if (l->skip)
		return 0;
	if (l->applies_attr)
		return elem_err(x, "credit", id, "has both applies-to and "
		    "<apply>");
	get_attrs(at, a, na, apply_attrs, AA_N);
	if (at->v[AA_DEBIT] == NULL || at->v[AA_DEBIT][0] == '\0')
		return elem_err(x, "credit", id, "<apply>: missing attribute "
		    "\"debit\"");
	if (len_ok(x, "credit", id, "<apply> debit", at->v[AA_DEBIT],
	    ID_MAX) == -1)
		return -1;
	if (at->v[AA_AMOUNT] == NULL || at->v[AA_AMOUNT][0] == '\0')
		return elem_err(x, "credit", id, "<apply>: missing attribute "
		    "\"amount\"");
	if (amount_attr(x, "credit", id, "<apply> amount", at->v[AA_AMOUNT],
	    &amount) == -1)
		return -1;
	for (i = 0; i < l->cr.nalloc; i++)
		if (strcmp(l->cr.alloc[i].id, at->v[AA_DEBIT]) == 0)
			return elem_err(x, "credit", id, "applies to debit "
			    "\"%s\" twice", fx_quote(q, sizeof(q),
			    at->v[AA_DEBIT]));
	add_alloc(l, at->v[AA_DEBIT], amount);
	return 0;
}

static int
credit_end(struct fx_xml *x, struct ledger *l)
{
	char a1[32], a2[32], q[QSZ];
	size_t i;
	int rc = -1;

	if (l->skip) {
		credit_clear(l);
		return 0;
	}
	if (l->allocated > l->cr.amount) {
		fx_xml_err_at(x, l->credit_line, FX_EDATA, "credit \"%s\": "
		    "allocations %s exceed its amount %s",
		    fx_quote(q, sizeof(q), l->credit_id),
		    fx_money_fmt(a1, sizeof(a1), l->allocated, 0),
		    fx_money_fmt(a2, sizeof(a2), l->cr.amount, 0));
		goto out;
	}
	l->cr.due = (char *)"";
	if (put_doc(x, l, "credit", l->credit_id, &l->cr) == -1)
		goto out;
	/* Checked once the whole file is read (a debit may come later). */
	for (i = 0; i < l->cr.nalloc; i++) {
		struct alloc *al;

		l->allocs = fx_grow(l->allocs, &l->allocscap, l->nallocs + 1,
		    sizeof(*l->allocs));
		al = &l->allocs[l->nallocs++];
		al->entity = fx_strdup(l->entity);
		al->credit = fx_strdup(l->credit_id);
		al->debit = fx_strdup(l->cr.alloc[i].id);
		al->line = l->credit_line;
	}
	rc = 0;
out:
	l->cr.due = NULL;
	credit_clear(l);
	return rc;
}

static int
lstart(struct fx_xml *x, void *u, int tok, const struct fx_xml_attr *a,
    size_t na)
{
	struct ledger *l = u;
	int up = fx_xml_up(x, 1);

	if (up == -2)
		return root_start(x, l, tok, a, na);
	switch (tok) {
	case L_ENTITY:
		if (up != L_ROOT)
			return fx_xml_err(x, FX_EDATA, "<entity> outside "
			    "<formix-ledger>");
		return entity_start(x, l, a, na);
	case L_DEBIT:
	case L_CREDIT:
		if (up != L_ENTITY)
			return fx_xml_err(x, FX_EDATA, "<%s> outside <entity>",
			    lnames[tok]);
		return tok == L_DEBIT ? debit_start(x, l, a, na) :
		    credit_start(x, l, a, na);
	case L_APPLY:
		if (up != L_CREDIT)
			return fx_xml_err(x, FX_EDATA, "<apply> outside "
			    "<credit>");
		return apply_start(x, l, a, na);
	default:
		return 0;
	}
}

static int
lend(struct fx_xml *x, void *u, int tok, const char *text, size_t len)
{
	struct ledger *l = u;

	(void)text;
	(void)len;
	if (tok == L_CREDIT && l->in_credit && fx_xml_up(x, 1) == L_ENTITY)
		return credit_end(x, l);
	if (tok == L_ENTITY && fx_xml_up(x, 1) == L_ROOT) {
		free(l->entity);
		l->entity = NULL;
	}
	return 0;
}

/* Every debit a credit names is one of its entity's, now the file is in. */
static int
check_allocs(struct ledger *l, struct fx_err *err)
{
	struct fx_ledger d;
	char q[QSZ], q2[QSZ];
	size_t i;
	int r;

	for (i = 0; i < l->nallocs; i++) {
		struct alloc *al = &l->allocs[i];

		fx_buf_reset(&l->key);
		fx_buf_key(&l->key, al->entity, al->debit, NULL);
		r = fx_db_getrec(l->txn, FX_K_LEDGER, l->key.p, l->key.len,
		    &fx_rt_ledger, &d, err);
		if (r == -1)
			return -1;
		fx_quote(q, sizeof(q), al->credit);
		fx_quote(q2, sizeof(q2), al->debit);
		if (r == 1)
			return fx_err_setloc(err, FX_EDATA, l->path, al->line,
			    0, "credit \"%s\": applies to unknown debit \"%s\"",
			    q, q2);
		r = FX_LK_CREDIT(d.kind);
		fx_rec_release(&fx_rt_ledger, &d);
		if (r)
			return fx_err_setloc(err, FX_EDATA, l->path, al->line,
			    0, "credit \"%s\": applies to \"%s\", which is "
			    "not a debit", q, q2);
	}
	return 0;
}

int
fx_ledger_import(struct fx_ctx *ctx, struct fx_txn *txn, struct fx_pkg *pkg,
    const char *path, struct fx_import_stats *st, struct fx_err *err)
{
	static const struct fx_xml_ops ops = {
		.names = lnames, .nnames = L_N,
		.start = lstart, .end = lend,
		.text_mask = NOTEXT, .skip_unknown = 1,
	};
	struct fx_import_stats dummy;
	struct ledger l;
	char today[11];
	size_t i;
	int rc = -1;

	if (st == NULL) {
		memset(&dummy, 0, sizeof(dummy));
		st = &dummy;
	}
	memset(&l, 0, sizeof(l));
	l.ctx = ctx;
	l.txn = txn;
	l.pkg = pkg;
	l.path = path;
	l.st = st;
	if (ctx != NULL)
		l.today = ctx->today;
	else {
		/* Unit tests without a handle: the clock's date. */
		time_t t = time(NULL);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(today, sizeof(today), "%Y-%m-%d", &tm);
		l.today = today;
	}
	if (fx_xml_parse(path, &ops, &l, err) == -1) {
		if (l.dbfail)
			*err = l.dberr;
		goto out;
	}
	if (l.cur_open)
		fx_cur_close(&l.cur);
	l.cur_open = 0;
	if (!l.root_seen) {
		fx_err_setloc(err, FX_EDATA, path, 0, 0, "root element is not "
		    "<%s>", lnames[L_ROOT]);
		goto out;
	}
	if (check_allocs(&l, err) == -1 ||
	    fx_meta_put(txn, "ledger_asof", l.generated, err) == -1)
		goto out;
	rc = 0;
out:
	if (l.cur_open)
		fx_cur_close(&l.cur);
	credit_clear(&l);
	free(l.cr.alloc);
	free(l.entity);
	for (i = 0; i < l.nallocs; i++) {
		free(l.allocs[i].entity);
		free(l.allocs[i].credit);
		free(l.allocs[i].debit);
	}
	free(l.allocs);
	fx_map_release(&l.entities, NULL);
	fx_buf_release(&l.a.b);
	fx_buf_release(&l.key);
	fx_buf_release(&l.rec);
	return rc;
}
