/*
 * order1c.c -- order documents 1C sends back: statuses, 1C's numbers and
 * each line's events, and orders keyed in 1C directly.
 *
 * A CommerceML file whose first child is <Документ> (or a <Контейнер> of
 * them) is read whole -- order documents are small -- and then applied in
 * the import transaction, document by document:
 *
 *   - the order is found by the 1C document's Ид seen before, else by
 *     Номер (or Ид "formix-NUMBER") being a Formix order number;
 *   - otherwise the order was keyed in 1C: Контрагент ИНН[/КПП] names the
 *     legal entity, each Товар's Ид a product, and a new order is made
 *     with the next Formix number;
 *   - 1C's own number and date (Номер1С/Дата1С, or the requisites "Номер
 *     по 1С"/"Дата по 1С") are kept beside Formix's;
 *   - the status (requisite "Статус заказа", else "Статуса заказа ИД")
 *     goes through orders.status_map; a name not in the map is stored as
 *     given, with a warning;
 *   - a line's requisites "Зарезервировано", "Готово к отгрузке",
 *     "Отгружено" and "Отменено" are 1C's running totals for the line;
 *     whatever moved since the last document becomes one event of the
 *     line's history with the difference.
 *
 * Events come from differences with what the store holds, so the same
 * document arriving again records nothing (a total that went down, a
 * correction in 1C, is an event with a negative quantity).
 * Any refusal refuses the whole package: nothing of it is applied.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

#define MAXDOCS		10000
#define MAXLINES	100000	/* per document */
#define MAXREQS		16	/* requisites kept per document */
#define MAXLREQS	8	/* requisites kept per line */

enum {
	T_ROOT, T_CONTAINER, T_DOC, T_ID, T_NUM, T_NUM1C, T_DATE, T_DATE1C,
	T_AGENTS, T_AGENT, T_INN, T_KPP, T_GOODS, T_GOOD, T_QTY, T_PRICE,
	T_SUM, T_REQS, T_REQ, T_NAME, T_VALUE, T_ARTICLE,
};

static const char *const names[] = {
	[T_ROOT] = "КоммерческаяИнформация", [T_CONTAINER] = "Контейнер",
	[T_DOC] = "Документ", [T_ID] = "Ид", [T_NUM] = "Номер",
	[T_NUM1C] = "Номер1С", [T_DATE] = "Дата", [T_DATE1C] = "Дата1С",
	[T_AGENTS] = "Контрагенты", [T_AGENT] = "Контрагент",
	[T_INN] = "ИНН", [T_KPP] = "КПП", [T_GOODS] = "Товары",
	[T_GOOD] = "Товар", [T_QTY] = "Количество", [T_PRICE] = "Цена",
	[T_SUM] = "Сумма", [T_REQS] = "ЗначенияРеквизитов",
	[T_REQ] = "ЗначениеРеквизита", [T_NAME] = "Наименование",
	[T_VALUE] = "Значение", [T_ARTICLE] = "Артикул",
};

struct req {
	char		*name, *value;
};

struct dline {
	long		 lineno;
	char		*id, *name, *qty, *price, *sum;
	struct req	 rq[MAXLREQS];
	size_t		 nrq;
};

struct doc {
	long		 lineno;
	char		*id, *number, *number1c, *date, *date1c;
	char		*inn, *kpp, *agent;
	int		 nagents;
	struct req	 rq[MAXREQS];
	size_t		 nrq;
	struct dline	*l;
	size_t		 nl, lcap;
};

struct rd {
	const char	*path;
	struct doc	*d;
	size_t		 n, cap;
	struct req	*cur;		/* the requisite being read */
	int		 cur_line;	/* it is a line's */
};

static const char *const doc_reqs[] = {
	"Статус заказа", "Статуса заказа ИД", "Номер по 1С", "Дата по 1С",
	"Способ доставки",
};
static const char *const line_reqs[] = {
	"Зарезервировано", "Готово к отгрузке", "Отгружено", "Отменено",
};

static int
wanted(const char *name, int line)
{
	const char *const *v = line ? line_reqs : doc_reqs;
	size_t i, n = line ? nitems(line_reqs) : nitems(doc_reqs);

	for (i = 0; name != NULL && i < n; i++)
		if (strcmp(name, v[i]) == 0)
			return 1;
	return 0;
}

static void
set(char **p, const char *text)
{
	if (*p == NULL)
		*p = fx_strdup(text);
}

static const char *
s(const char *p)
{
	return p != NULL ? p : "";
}

static void
reqs_free(struct req *rq, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rq[i].name);
		free(rq[i].value);
	}
}

static void
docs_free(struct rd *r)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		struct doc *d = &r->d[i];

		for (j = 0; j < d->nl; j++) {
			free(d->l[j].id);
			free(d->l[j].name);
			free(d->l[j].qty);
			free(d->l[j].price);
			free(d->l[j].sum);
			reqs_free(d->l[j].rq, d->l[j].nrq);
		}
		free(d->l);
		free(d->id);
		free(d->number);
		free(d->number1c);
		free(d->date);
		free(d->date1c);
		free(d->inn);
		free(d->kpp);
		free(d->agent);
		reqs_free(d->rq, d->nrq);
	}
	free(r->d);
}

static struct doc *
cur_doc(struct rd *r)
{
	return r->n > 0 ? &r->d[r->n - 1] : NULL;
}

static int
rd_start(struct fx_xml *x, void *u, int tok, const struct fx_xml_attr *a,
    size_t na)
{
	struct rd *r = u;
	struct doc *d;
	struct dline *l;
	int up = fx_xml_up(x, 1);

	(void)a;
	(void)na;
	switch (tok) {
	case T_DOC:
		if (up != T_ROOT && up != T_CONTAINER)
			return 0;
		if (r->n >= MAXDOCS)
			return fx_xml_err(x, FX_EDATA, "more than %d order "
			    "documents in one file", MAXDOCS);
		r->d = fx_grow(r->d, &r->cap, r->n + 1, sizeof(*r->d));
		d = &r->d[r->n++];
		memset(d, 0, sizeof(*d));
		d->lineno = fx_xml_line(x);
		return 0;
	case T_GOOD:
		if (up != T_GOODS || fx_xml_up(x, 2) != T_DOC ||
		    (d = cur_doc(r)) == NULL)
			return 0;
		if (d->nl >= MAXLINES)
			return fx_xml_err(x, FX_EDATA, "more than %d lines in "
			    "one order document", MAXLINES);
		d->l = fx_grow(d->l, &d->lcap, d->nl + 1, sizeof(*d->l));
		l = &d->l[d->nl++];
		memset(l, 0, sizeof(*l));
		l->lineno = fx_xml_line(x);
		return 0;
	case T_AGENT:
		if (up == T_AGENTS && fx_xml_up(x, 2) == T_DOC &&
		    (d = cur_doc(r)) != NULL)
			d->nagents++;
		return 0;
	case T_REQ:
		r->cur = NULL;
		if (up != T_REQS || (d = cur_doc(r)) == NULL)
			return 0;
		if (fx_xml_up(x, 2) == T_DOC) {
			if (d->nrq < MAXREQS)
				r->cur = &d->rq[d->nrq++];
			r->cur_line = 0;
		} else if (fx_xml_up(x, 2) == T_GOOD &&
		    fx_xml_up(x, 3) == T_GOODS && d->nl > 0) {
			l = &d->l[d->nl - 1];
			if (l->nrq < MAXLREQS)
				r->cur = &l->rq[l->nrq++];
			r->cur_line = 1;
		}
		if (r->cur != NULL)
			memset(r->cur, 0, sizeof(*r->cur));
		return 0;
	default:
		return 0;
	}
}

static int
rd_end(struct fx_xml *x, void *u, int tok, const char *text, size_t len)
{
	struct rd *r = u;
	struct doc *d = cur_doc(r);
	struct dline *l;
	int up = fx_xml_up(x, 1), up2 = fx_xml_up(x, 2);

	(void)len;
	if (d == NULL)
		return 0;
	if (up == T_REQ && r->cur != NULL) {
		if (tok == T_NAME)
			set(&r->cur->name, text);
		else if (tok == T_VALUE)
			set(&r->cur->value, text);
		return 0;
	}
	if (tok == T_REQ) {
		/* Only the requisites read below are kept. */
		if (r->cur != NULL && !wanted(r->cur->name, r->cur_line)) {
			free(r->cur->name);
			free(r->cur->value);
			if (r->cur_line)
				d->l[d->nl - 1].nrq--;
			else
				d->nrq--;
		}
		r->cur = NULL;
		return 0;
	}
	if (up == T_DOC) {
		switch (tok) {
		case T_ID:	set(&d->id, text); break;
		case T_NUM:	set(&d->number, text); break;
		case T_NUM1C:	set(&d->number1c, text); break;
		case T_DATE:	set(&d->date, text); break;
		case T_DATE1C:	set(&d->date1c, text); break;
		default:	break;
		}
		return 0;
	}
	if (up == T_AGENT && up2 == T_AGENTS && fx_xml_up(x, 3) == T_DOC &&
	    d->nagents == 1) {
		switch (tok) {
		case T_INN:	set(&d->inn, text); break;
		case T_KPP:	set(&d->kpp, text); break;
		case T_NAME:	set(&d->agent, text); break;
		default:	break;
		}
		return 0;
	}
	if (up == T_GOOD && up2 == T_GOODS && fx_xml_up(x, 3) == T_DOC &&
	    d->nl > 0) {
		l = &d->l[d->nl - 1];
		switch (tok) {
		case T_ID:	set(&l->id, text); break;
		case T_NAME:	set(&l->name, text); break;
		case T_QTY:	set(&l->qty, text); break;
		case T_PRICE:	set(&l->price, text); break;
		case T_SUM:	set(&l->sum, text); break;
		default:	break;
		}
	}
	return 0;
}

static const char *
req(const struct req *rq, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rq[i].name != NULL && strcmp(rq[i].name, name) == 0)
			return s(rq[i].value);
	return NULL;
}

/* -- Applying -------------------------------------------------------- */

struct ap {
	struct fx_ctx		*ctx;
	struct fx_txn		*t;
	const char		*path;
	struct fx_import_stats	*st;
	struct fx_buf		 rec;
	char			 now[32];
	uint64_t		 seq;		/* the order's last event */
};

/*
 * Map 1C's status name through orders.status_map ("name=status;...").
 * 0 with *out set; 1 if the name is not in the map; -1 on a bad map.
 */
static int
status_map(const char *map, const char *name, char *out, size_t sz,
    struct fx_err *err)
{
	const char *p = map, *e, *eq;
	size_t nl = strlen(name);

	while (p != NULL && *p != '\0') {
		e = strchr(p, ';');
		if (e == NULL)
			e = p + strlen(p);
		while (p < e && *p == ' ')
			p++;
		if (p < e) {
			eq = memchr(p, '=', (size_t)(e - p));
			if (eq == NULL)
				return fx_err_set(err, FX_ECONFIG,
				    "orders.status_map: \"%.*s\" is not "
				    "\"1C name=status\"", (int)(e - p), p);
			if ((size_t)(eq - p) == nl &&
			    memcmp(p, name, nl) == 0) {
				const char *v = eq + 1;
				size_t vl;

				while (v < e && *v == ' ')
					v++;
				vl = (size_t)(e - v);
				while (vl > 0 && v[vl - 1] == ' ')
					vl--;
				(void)snprintf(out, sz, "%.*s", (int)vl, v);
				return 0;
			}
		}
		p = *e == ';' ? e + 1 : e;
	}
	return 1;
}

static int
event_add(struct ap *a, const char *number, const char *doc, int line,
    const char *kind, int64_t qty, const char *value, const char *note,
    struct fx_err *err)
{
	struct fx_oevent ev;
	struct fx_buf k = { NULL, 0, 0 };
	char sq[16];
	int rc;

	memset(&ev, 0, sizeof(ev));
	ev.line = line;
	ev.at = a->now;
	ev.kind = (char *)kind;
	ev.qty = qty;
	ev.value = (char *)s(value);
	ev.note = (char *)s(note);
	ev.source = "1c";
	ev.doc = (char *)s(doc);
	(void)snprintf(sq, sizeof(sq), "%06llu",
	    (unsigned long long)++a->seq);
	fx_buf_key(&k, number, sq, (char *)NULL);
	rc = fx_db_putrec(a->t, FX_K_OEVENT, k.p, k.len, &fx_rt_oevent, &ev,
	    &a->rec, err);
	fx_buf_release(&k);
	a->st->order_events++;
	return rc;
}

/* The last event number of an order. */
static int
last_seq(struct ap *a, const char *number, struct fx_err *err)
{
	struct fx_cur cur;
	struct fx_buf k = { NULL, 0, 0 };
	MDB_val key, val;
	size_t plen;
	int r;

	a->seq = 0;
	fx_buf_key(&k, number, "", (char *)NULL);
	plen = k.len;
	if (fx_cur_open(a->t, FX_K_OEVENT, &cur, err) == -1) {
		fx_buf_release(&k);
		return -1;
	}
	for (r = fx_cur_seek(&cur, k.p, plen, &key, &val, err); r == 0;
	    r = fx_cur_next(&cur, &key, &val, err)) {
		if (key.mv_size < plen || memcmp(key.mv_data, k.p, plen) != 0)
			break;
		a->seq++;
	}
	fx_cur_close(&cur);
	fx_buf_release(&k);
	return r == -1 ? -1 : 0;
}

static int
refuse(struct ap *a, const struct doc *d, long line, struct fx_err *err,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
refuse(struct ap *a, const struct doc *d, long line, struct fx_err *err,
    const char *fmt, ...)
{
	char msg[512], q[128];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fx_err_setloc(err, FX_EDATA, a->path, line, 0,
	    "order document \"%s\": %s", fx_quote(q, sizeof(q),
	    s(d->number)[0] != '\0' ? d->number : s(d->id)), msg);
}

/* A line's requisite as a quantity: 0 if absent, 1 if set, -1 if bad. */
static int
line_qty(const struct dline *l, const char *name, int64_t whole,
    int64_t *v)
{
	const char *t = req(l->rq, l->nrq, name);

	*v = 0;
	if (t == NULL)
		return 0;
	if (*t == '\0' || strcmp(t, "true") == 0 || strcmp(t, "Да") == 0) {
		*v = whole;
		return 1;
	}
	if (strcmp(t, "false") == 0 || strcmp(t, "Нет") == 0)
		return 1;
	if (fx_qty_parse(t, v) == -1 || *v < 0)
		return -1;
	return 1;
}

static const struct {
	const char	*req;
	const char	*kind;
	size_t		 off;
} line_events[] = {
	{ "Зарезервировано", "reserved", offsetof(struct fx_oline,
	    reserved_1c) },
	{ "Готово к отгрузке", "ready", offsetof(struct fx_oline, ready) },
	{ "Отгружено", "shipped", offsetof(struct fx_oline, shipped) },
	{ "Отменено", "cancelled", offsetof(struct fx_oline, cancelled) },
};

/* Check every requisite quantity of a document line (before changes). */
static int
line_check(struct ap *a, const struct doc *d, const struct dline *l,
    size_t i, struct fx_err *err)
{
	int64_t v;
	size_t j;
	char q[128];

	if (l->qty != NULL && (fx_qty_parse(l->qty, &v) == -1 || v <= 0))
		return refuse(a, d, l->lineno, err, "line %zu: bad quantity "
		    "\"%s\"", i + 1, fx_quote(q, sizeof(q), l->qty));
	for (j = 0; j < nitems(line_events); j++)
		if (line_qty(l, line_events[j].req, 0, &v) == -1)
			return refuse(a, d, l->lineno, err, "line %zu: "
			    "\"%s\" is not a quantity: \"%s\"", i + 1,
			    line_events[j].req, fx_quote(q, sizeof(q),
			    req(l->rq, l->nrq, line_events[j].req)));
	return 0;
}

/* Apply the line events of l to ol; ol written back if anything moved. */
static int
line_apply(struct ap *a, const struct doc *d, const char *number,
    const char *doc, const struct dline *l, struct fx_oline *ol,
    struct fx_err *err)
{
	struct fx_buf k = { NULL, 0, 0 };
	char ln[16], obj[64], o1[32], n1[32];
	int64_t v, *cur;
	size_t j;
	int moved = 0, rc;

	(void)d;
	for (j = 0; j < nitems(line_events); j++) {
		if (line_qty(l, line_events[j].req, ol->qty, &v) != 1)
			continue;
		cur = (int64_t *)(void *)((char *)ol + line_events[j].off);
		if (v == *cur)
			continue;
		if (event_add(a, number, doc, ol->line, line_events[j].kind,
		    v - *cur, "", "", err) == -1)
			return -1;
		(void)snprintf(obj, sizeof(obj), "%.40s/%d", number,
		    (int)ol->line);
		if (fx_audit_add(a->ctx, a->t, "order.1c", obj,
		    line_events[j].kind, fx_qty_fmt(o1, sizeof(o1), *cur),
		    fx_qty_fmt(n1, sizeof(n1), v), err) == -1)
			return -1;
		*cur = v;
		moved = 1;
	}
	if (!moved)
		return 0;
	(void)snprintf(ln, sizeof(ln), "%04d", (int)ol->line);
	fx_buf_key(&k, number, ln, (char *)NULL);
	rc = fx_db_putrec(a->t, FX_K_OLINE, k.p, k.len, &fx_rt_oline, ol,
	    &a->rec, err);
	fx_buf_release(&k);
	return rc;
}

/* Read an order's lines (number \0 line). */
static int
olines_read(struct ap *a, const char *number, struct fx_oline **v,
    size_t *n, struct fx_err *err)
{
	return fx_db_read_owned(a->t, FX_K_OLINE, number, &fx_rt_oline,
	    sizeof(**v), (void **)v, n, err);
}

/* Make the order of a document keyed in 1C; o and its lines returned. */
static int
order_make(struct ap *a, const struct doc *d, struct fx_order *o,
    struct fx_oline **lv, size_t *ln, struct fx_err *err)
{
	struct fx_user me;
	struct fx_entity e;
	struct fx_product p;
	char ref[160], seq[32], num[16], q[128];
	unsigned long long n;
	size_t i;
	int found, rc = -1;

	memset(&me, 0, sizeof(me));
	memset(&e, 0, sizeof(e));
	*lv = NULL;
	*ln = 0;
	if (d->inn == NULL || d->inn[0] == '\0')
		return refuse(a, d, d->lineno, err, "no Formix order has this "
		    "number and the Контрагент has no ИНН to make one for");
	(void)snprintf(ref, sizeof(ref), "%s%s%s", d->inn,
	    d->kpp != NULL && d->kpp[0] != '\0' ? "/" : "", s(d->kpp));
	if (fx_entity_find(a->ctx, a->t, &me, ref, &e, err) == -1) {
		if (err->code == FX_ENOTFOUND)
			return refuse(a, d, d->lineno, err, "no legal entity "
			    "has ИНН/КПП %s", ref);
		return -1;
	}
	if (d->nl == 0) {
		refuse(a, d, d->lineno, err, "an order keyed in 1C with no "
		    "lines");
		goto out;
	}
	*lv = fx_calloc(d->nl, sizeof(**lv));
	for (i = 0; i < d->nl; i++) {
		const struct dline *l = &d->l[i];
		struct fx_oline *ol = &(*lv)[i];
		int64_t price = 0, sum = -1;

		memset(&p, 0, sizeof(p));
		if ((found = fx_db_getrec(a->t, FX_K_PRODUCT, s(l->id),
		    strlen(s(l->id)), &fx_rt_product, &p, err)) == -1)
			goto out;
		if (found == 1) {
			refuse(a, d, l->lineno, err, "line %zu: unknown "
			    "product \"%s\"", i + 1, fx_quote(q, sizeof(q),
			    s(l->id)));
			goto out;
		}
		ol->line = (int32_t)(i + 1);
		ol->product = fx_strdup(p.id);
		ol->article = fx_strdup(p.article);
		ol->name = fx_strdup(p.name);
		ol->unit_code = fx_strdup(p.unit_code);
		fx_rec_release(&fx_rt_product, &p);
		(*ln)++;
		if (l->qty == NULL || fx_qty_parse(l->qty, &ol->qty) == -1 ||
		    ol->qty <= 0) {
			refuse(a, d, l->lineno, err, "line %zu: bad quantity "
			    "\"%s\"", i + 1, fx_quote(q, sizeof(q),
			    s(l->qty)));
			goto out;
		}
		if (l->price != NULL &&
		    fx_money_parse(l->price, &price) == -1) {
			refuse(a, d, l->lineno, err, "line %zu: bad price "
			    "\"%s\"", i + 1, fx_quote(q, sizeof(q), l->price));
			goto out;
		}
		if (l->sum != NULL && fx_money_parse(l->sum, &sum) == -1)
			sum = -1;
		if (sum < 0)
			sum = (price * ol->qty + 500) / 1000;
		ol->in_stock = ol->qty;
		ol->price = price;
		ol->retail = -1;
		ol->sum = sum;
		ol->rows = fx_strdup("");
		ol->delivery = fx_strdup("");
		ol->delivery_date = fx_strdup("");
		ol->reserved = fx_strdup("");
		o->total += sum;
	}

	if ((found = fx_meta_get(a->t, "order_seq", seq, sizeof(seq),
	    err)) == -1)
		goto out;
	n = found == 1 ? 0 : strtoull(seq, NULL, 10);
	(void)snprintf(num, sizeof(num), "%06llu", n + 1);
	(void)snprintf(seq, sizeof(seq), "%llu", n + 1);
	if (fx_meta_put(a->t, "order_seq", seq, err) == -1)
		goto out;
	o->number = fx_strdup(num);
	o->status = fx_strdup("");
	o->entity = fx_strdup(e.id);
	o->dealer = fx_strdup(e.dealer);
	o->file = fx_strdup("");
	o->hash = fx_strdup("");
	o->created = fx_strdup(a->now);
	o->created_by = fx_strdup("1c");
	o->submitted = fx_strdup(a->now);
	o->submitted_by = fx_strdup("1c");
	o->delivery = fx_strdup(s(req(d->rq, d->nrq, "Способ доставки")));
	o->comment = fx_strdup("");
	o->nlines = (int32_t)d->nl;
	o->doc = fx_strdup("");
	o->source = fx_strdup("1c");
	o->number_1c = fx_strdup("");
	o->date_1c = fx_strdup("");
	o->status_1c = fx_strdup("");
	a->st->orders_new++;
	if (fx_audit_add(a->ctx, a->t, "order.1c", num, "source", "", "1c",
	    err) == -1)
		goto out;
	rc = 0;
out:
	fx_entity_release(&e);
	return rc;
}

/* A document for an order names the order's entity, if it names one. */
static int
agent_check(struct ap *a, const struct doc *d, const struct fx_order *o,
    struct fx_err *err)
{
	struct fx_entity e;
	int found, rc = 0;

	if (d->inn == NULL || d->inn[0] == '\0')
		return 0;
	memset(&e, 0, sizeof(e));
	if ((found = fx_db_getrec(a->t, FX_K_ENTITY, o->entity,
	    strlen(o->entity), &fx_rt_entity, &e, err)) == -1)
		return -1;
	if (found == 0 && (strcmp(e.inn, d->inn) != 0 ||
	    (d->kpp != NULL && d->kpp[0] != '\0' &&
	    strcmp(e.kpp, d->kpp) != 0)))
		rc = refuse(a, d, d->lineno, err, "the Контрагент (ИНН/КПП "
		    "%s%s%s) is not the entity of order %s (%s/%s)", d->inn,
		    d->kpp != NULL && d->kpp[0] != '\0' ? "/" : "",
		    s(d->kpp), o->number, e.inn, e.kpp);
	if (found == 0)
		fx_rec_release(&fx_rt_entity, &e);
	return rc;
}

static int
doc_apply(struct ap *a, const struct doc *d, struct fx_err *err)
{
	struct fx_order o;
	struct fx_oline *lv = NULL;
	struct fx_buf k = { NULL, 0, 0 };
	const char *num1c, *date1c, *st1c, *v;
	char number[64], mapped[128], q[128];
	size_t nl = 0, i, j;
	size_t vlen;
	int found, made = 0, rc = -1;
	struct fx_err w;

	memset(&o, 0, sizeof(o));
	number[0] = '\0';
	if (s(d->number)[0] == '\0' && s(d->id)[0] == '\0')
		return refuse(a, d, d->lineno, err, "neither Номер nor Ид");
	for (i = 0; i < d->nl; i++)
		if (line_check(a, d, &d->l[i], i, err) == -1)
			return -1;

	/* A 1C document seen before, or one of Formix's orders. */
	if (s(d->id)[0] != '\0') {
		if ((found = fx_db_get(a->t, FX_K_IDX_ORDER1C, d->id,
		    strlen(d->id), (const void **)&v, &vlen, err)) == -1)
			return -1;
		if (found == 0)
			(void)snprintf(number, sizeof(number), "%.*s",
			    (int)vlen, v);
	}
	if (number[0] == '\0' && strncmp(s(d->id), "formix-", 7) == 0)
		(void)snprintf(number, sizeof(number), "%s", d->id + 7);
	if (number[0] != '\0' || s(d->number)[0] != '\0') {
		if (number[0] == '\0')
			(void)snprintf(number, sizeof(number), "%s",
			    d->number);
		if ((found = fx_db_getrec(a->t, FX_K_ORDER, number,
		    strlen(number), &fx_rt_order, &o, err)) == -1)
			return -1;
		if (found == 1)
			number[0] = '\0';
	}
	if (number[0] == '\0') {
		if (order_make(a, d, &o, &lv, &nl, err) == -1)
			goto out;
		(void)snprintf(number, sizeof(number), "%s", o.number);
		made = 1;
	} else {
		if (agent_check(a, d, &o, err) == -1 ||
		    olines_read(a, number, &lv, &nl, err) == -1)
			goto out;
	}
	if (s(d->id)[0] != '\0' && fx_db_put(a->t, FX_K_IDX_ORDER1C, d->id,
	    strlen(d->id), number, strlen(number), err) == -1)
		goto out;
	if (last_seq(a, number, err) == -1)
		goto out;
	a->st->orders++;

	/* 1C's number and date. */
	num1c = d->number1c != NULL && d->number1c[0] != '\0' ? d->number1c :
	    req(d->rq, d->nrq, "Номер по 1С");
	date1c = d->date1c != NULL && d->date1c[0] != '\0' ? d->date1c :
	    req(d->rq, d->nrq, "Дата по 1С");
	if (num1c != NULL && strcmp(num1c, s(o.number_1c)) != 0) {
		if (fx_audit_add(a->ctx, a->t, "order.1c", number,
		    "number_1c", s(o.number_1c), num1c, err) == -1)
			goto out;
		free(o.number_1c);
		o.number_1c = fx_strdup(num1c);
	}
	if (date1c != NULL && strcmp(date1c, s(o.date_1c)) != 0) {
		free(o.date_1c);
		o.date_1c = fx_strdup(date1c);
	}

	/* The status, mapped. */
	if ((st1c = req(d->rq, d->nrq, "Статус заказа")) == NULL ||
	    *st1c == '\0')
		st1c = req(d->rq, d->nrq, "Статуса заказа ИД");
	if (st1c != NULL && *st1c != '\0' &&
	    strcmp(st1c, s(o.status_1c)) != 0) {
		int m = status_map(a->ctx->conf.orders_status_map, st1c,
		    mapped, sizeof(mapped), err);

		if (m == -1)
			goto out;
		if (m == 1) {
			(void)snprintf(mapped, sizeof(mapped), "%s", st1c);
			fx_err_setloc(&w, FX_EDATA, a->path, d->lineno, 0,
			    "order %s: 1C status \"%s\" is not in "
			    "orders.status_map: stored as given", number,
			    fx_quote(q, sizeof(q), st1c));
			fx_warn(a->ctx, &w);
			a->st->warnings++;
		}
		if (strcmp(mapped, s(o.status)) != 0) {
			if (event_add(a, number, s(num1c), 0, "status", 0,
			    mapped, st1c, err) == -1 ||
			    fx_audit_add(a->ctx, a->t, "order.1c", number,
			    "status", s(o.status), mapped, err) == -1)
				goto out;
			free(o.status);
			o.status = fx_strdup(mapped);
		}
		free(o.status_1c);
		o.status_1c = fx_strdup(st1c);
	}

	/* Line events: each document line against the order's line of the
	 * same product (the n-th occurrence against the n-th). */
	{
		unsigned char *used = fx_calloc(nl ? nl : 1, 1);

		for (i = 0; i < d->nl; i++) {
			const struct dline *l = &d->l[i];

			for (j = 0; j < nl; j++)
				if (!used[j] && strcmp(lv[j].product,
				    s(l->id)) == 0)
					break;
			if (j == nl) {
				refuse(a, d, l->lineno, err, "line %zu: "
				    "product \"%s\" is not in order %s",
				    i + 1, fx_quote(q, sizeof(q), s(l->id)),
				    number);
				free(used);
				goto out;
			}
			used[j] = 1;
			if (made) {
				(void)snprintf(mapped, sizeof(mapped), "%04d",
				    (int)lv[j].line);
				fx_buf_reset(&k);
				fx_buf_key(&k, number, mapped, (char *)NULL);
				if (fx_db_putrec(a->t, FX_K_OLINE, k.p, k.len,
				    &fx_rt_oline, &lv[j], &a->rec,
				    err) == -1) {
					free(used);
					goto out;
				}
			}
			if (line_apply(a, d, number, s(num1c), l, &lv[j],
			    err) == -1) {
				free(used);
				goto out;
			}
		}
		free(used);
	}
	if (o.status == NULL || o.status[0] == '\0') {
		free(o.status);
		o.status = fx_strdup("submitted");
	}
	if (fx_db_putrec(a->t, FX_K_ORDER, number, strlen(number),
	    &fx_rt_order, &o, &a->rec, err) == -1)
		goto out;
	rc = 0;
out:
	fx_buf_release(&k);
	fx_olines_free(lv, nl);
	fx_order_release(&o);
	return rc;
}

int
fx_order1c_import(struct fx_ctx *ctx, struct fx_txn *t, const char *path,
    struct fx_import_stats *st, struct fx_err *err)
{
	struct fx_xml_ops ops;
	struct rd r;
	struct ap a;
	size_t i;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	memset(&ops, 0, sizeof(ops));
	ops.names = names;
	ops.nnames = nitems(names);
	ops.start = rd_start;
	ops.end = rd_end;
	r.path = path;
	if (fx_xml_parse(path, &ops, &r, err) == -1)
		goto out;
	if (r.n == 0) {
		fx_err_setloc(err, FX_EDATA, path, 0, 0, "no order document "
		    "(Документ) in the file");
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	a.t = t;
	a.path = path;
	a.st = st;
	fx_now_iso(a.now, sizeof(a.now));
	for (i = 0; i < r.n; i++)
		if (doc_apply(&a, &r.d[i], err) == -1) {
			fx_buf_release(&a.rec);
			goto out;
		}
	fx_buf_release(&a.rec);
	rc = 0;
out:
	docs_free(&r);
	return rc;
}

/* -- Reading the history ----------------------------------------------- */

void
fx_oevents_free(struct fx_oevent *v, size_t n)
{
	fx_rec_vfree(&fx_rt_oevent, v, n, sizeof(*v));
}

int
fx_order_events(struct fx_ctx *ctx, const char *number, struct fx_oevent **v,
    size_t *n, struct fx_err *err)
{
	struct fx_order o;
	struct fx_txn t;
	int r;

	*v = NULL;
	*n = 0;
	/* The access check is fx_order_get's. */
	if (fx_order_get(ctx, number, &o, NULL, NULL, err) == -1)
		return -1;
	fx_order_release(&o);
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	r = fx_db_read_owned(&t, FX_K_OEVENT, number, &fx_rt_oevent,
	    sizeof(**v), (void **)v, n, err);
	fx_db_abort(&t);
	return r;
}
