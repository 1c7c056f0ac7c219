/*
 * t_ar.c -- the arithmetic of receivables (lib/ar.c fx_ar_compute) and the
 * date helpers it stands on: allocation as 1C says, then first in, first
 * out; what falls back to the pool; credit balances; aging buckets at
 * their edges; documents after the day asked about.  No store needed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"
#include "tap.h"

#define MAXDOC	16

struct book {
	struct fx_ledger l[MAXDOC];
	struct fx_qv	 qv[MAXDOC][4];
	struct fx_ar_entry e[MAXDOC];
	size_t		 n;
};

static void
debit(struct book *b, const char *id, const char *date, const char *due,
    int64_t amount)
{
	struct fx_ledger *l = &b->l[b->n];

	memset(l, 0, sizeof(*l));
	l->kind = FX_LK_SHIPMENT;
	l->date = (char *)date;
	l->due = (char *)due;
	l->amount = amount;
	l->order = (char *)"";
	l->doc = (char *)"";
	b->e[b->n].id = id;
	b->e[b->n].l = l;
	b->n++;
}

/* A credit, with up to two allocations "debit", amount (NULL to stop). */
static void
credit(struct book *b, const char *id, const char *date, int64_t amount,
    const char *d1, int64_t a1, const char *d2, int64_t a2)
{
	struct fx_ledger *l = &b->l[b->n];

	memset(l, 0, sizeof(*l));
	l->kind = FX_LK_PAYMENT;
	l->date = (char *)date;
	l->due = (char *)"";
	l->amount = amount;
	l->order = (char *)"";
	l->doc = (char *)"";
	l->alloc = b->qv[b->n];
	if (d1 != NULL) {
		l->alloc[l->nalloc].id = (char *)d1;
		l->alloc[l->nalloc++].v = a1;
	}
	if (d2 != NULL) {
		l->alloc[l->nalloc].id = (char *)d2;
		l->alloc[l->nalloc++].v = a2;
	}
	b->e[b->n].id = id;
	b->e[b->n].l = l;
	b->n++;
}

static const struct fx_ar_doc *
doc(const struct fx_ar_row *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->ndocs; i++)
		if (strcmp(r->docs[i].id, id) == 0)
			return &r->docs[i];
	return NULL;
}

static struct fx_days
days(int n, ...)
{
	struct fx_days d;
	va_list ap;
	int i;

	memset(&d, 0, sizeof(d));
	va_start(ap, n);
	for (i = 0; i < n; i++)
		d.v[i] = va_arg(ap, int);
	va_end(ap);
	d.n = n;
	return d;
}

static void
test_dates(void)
{
	char out[11];

	is_int(fx_date_days("1970-01-01"), 0, "days: the epoch is 0");
	is_int(fx_date_days("2026-11-27") - fx_date_days("2026-07-01"), 149,
	    "days: 2026-07-01 to 2026-11-27 is 149");
	is_int(fx_date_days("2024-03-01") - fx_date_days("2024-02-28"), 2,
	    "days: a leap year has 29 February");
	is_int(fx_date_days("2100-03-01") - fx_date_days("2100-02-28"), 1,
	    "days: 2100 is not a leap year");
	fx_date_add("2026-11-20", 45, out);
	is_str(out, "2027-01-04", "add: 45 days across a year");
	fx_date_add("2024-02-28", 1, out);
	is_str(out, "2024-02-29", "add: into a leap day");
	fx_date_add("2026-03-01", -1, out);
	is_str(out, "2026-02-28", "add: backwards");
	fx_date_add("2026-11-27", 0, out);
	is_str(out, "2026-11-27", "add: zero days");
}

static void
test_fifo(void)
{
	struct fx_days b = days(3, 7, 30, 60);
	struct fx_ar_row r;
	struct book k;
	const struct fx_ar_doc *d;

	memset(&k, 0, sizeof(k));
	/* Out of order in the input: FIFO goes by date, due, id. */
	debit(&k, "R-3", "2026-03-01", "2026-03-31", 30000);
	debit(&k, "R-1", "2026-01-01", "2026-01-31", 10000);
	debit(&k, "R-2b", "2026-02-01", "2026-03-03", 20000);
	debit(&k, "R-2a", "2026-02-01", "2026-03-03", 5000);
	credit(&k, "P-1", "2026-02-15", 12000, NULL, 0, NULL, 0);
	credit(&k, "P-2", "2026-03-05", 6000, NULL, 0, NULL, 0);
	memset(&r, 0, sizeof(r));
	fx_ar_compute(k.e, k.n, "2026-04-10", &b, &r);
	is_int(r.debits, 65000, "fifo: debits");
	is_int(r.credits, 18000, "fifo: credits");
	is_int(r.balance, 47000, "fifo: balance");
	is_int(r.advance, 0, "fifo: no advance");
	ok(doc(&r, "R-1") == NULL, "fifo: the oldest debit is paid first");
	ok(doc(&r, "R-2a") == NULL,
	    "fifo: same date and due: by id, R-2a paid next");
	d = doc(&r, "R-2b");
	ok(d != NULL && d->paid == 3000 && d->unpaid == 17000 &&
	    d->alloc == FX_AR_BY_FIFO, "fifo: R-2b paid in part, by FIFO");
	is_int(r.ndocs, 2, "fifo: two open debits");
	is_str(r.docs[0].id, "R-2b", "fifo: docs by due date");
	is_str(r.docs[1].id, "R-3", "fifo: the latest due last");
	/* 2026-04-10: R-2b 38 days (31-60), R-3 10 days (8-30). */
	d = doc(&r, "R-3");
	ok(d != NULL && d->days_overdue == 10 && d->bucket == 1,
	    "aging: 10 days in 8-30");
	d = doc(&r, "R-2b");
	ok(d != NULL && d->days_overdue == 38 && d->bucket == 2,
	    "aging: 38 days in 31-60");
	is_int(r.overdue, 47000, "overdue: all of it");
	is_int(r.aging[1], 30000, "aging: 8-30 bucket");
	is_int(r.aging[2], 17000, "aging: 31-60 bucket");
	is_int(r.not_due, 0, "not due: nothing");
	fx_ar_row_release(&r);

	/* On a day before the last documents: they do not count. */
	memset(&r, 0, sizeof(r));
	fx_ar_compute(k.e, k.n, "2026-02-20", &b, &r);
	is_int(r.debits, 35000, "date: debits up to the day only");
	is_int(r.credits, 12000, "date: credits up to the day only");
	is_int(r.overdue, 0, "date: R-1 paid, the rest not yet due");
	is_int(r.not_due, 23000, "date: not yet due");
	fx_ar_row_release(&r);
}

static void
test_buckets(void)
{
	static const struct {
		const char	*day;
		long		 days;
		int		 bucket;
	} t[] = {
		{ "2026-01-31", 0, -1 },	/* due today: not overdue */
		{ "2026-02-01", 1, 0 },
		{ "2026-02-07", 7, 0 },
		{ "2026-02-08", 8, 1 },
		{ "2026-03-02", 30, 1 },
		{ "2026-03-03", 31, 2 },
		{ "2026-04-01", 60, 2 },
		{ "2026-04-02", 61, 3 },
		{ "2027-01-31", 365, 3 },
	};
	struct fx_days b = days(3, 7, 30, 60);
	struct fx_ar_row r;
	struct book k;
	size_t i;

	memset(&k, 0, sizeof(k));
	debit(&k, "R-1", "2026-01-01", "2026-01-31", 100);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&r, 0, sizeof(r));
		fx_ar_compute(k.e, k.n, t[i].day, &b, &r);
		ok(r.ndocs == 1 && r.docs[0].days_overdue == t[i].days &&
		    r.docs[0].bucket == t[i].bucket &&
		    (t[i].bucket < 0 ? r.not_due == 100 :
		    r.aging[t[i].bucket] == 100),
		    "bucket edge: %ld days on %s in bucket %d", t[i].days,
		    t[i].day, t[i].bucket);
		fx_ar_row_release(&r);
	}
	/* One bucket configured: 1-30 and over 30. */
	b = days(1, 30);
	memset(&r, 0, sizeof(r));
	fx_ar_compute(k.e, k.n, "2026-03-03", &b, &r);
	ok(r.docs[0].bucket == 1 && r.aging[1] == 100,
	    "one bound: 31 days is over 30");
	fx_ar_row_release(&r);
}

static void
test_allocations(void)
{
	struct fx_days b = days(3, 7, 30, 60);
	struct fx_ar_row r;
	struct book k;
	const struct fx_ar_doc *d;

	memset(&k, 0, sizeof(k));
	debit(&k, "R-1", "2026-01-01", "2026-01-31", 10000);
	debit(&k, "R-2", "2026-02-01", "2026-03-03", 10000);
	debit(&k, "R-3", "2026-03-01", "2026-03-31", 10000);
	/* 1C: 8,000 to R-3, and 5,000 to a debit that is gone. */
	credit(&k, "P-1", "2026-03-02", 15000, "R-3", 8000, "R-9", 5000);
	memset(&r, 0, sizeof(r));
	fx_ar_compute(k.e, k.n, "2026-04-01", &b, &r);
	ok(r.by_1c, "1c: noted");
	ok(doc(&r, "R-3") != NULL && doc(&r, "R-3")->paid == 8000 &&
	    doc(&r, "R-3")->alloc == FX_AR_BY_1C, "1c: R-3 paid as 1C said");
	ok(doc(&r, "R-1") != NULL && doc(&r, "R-1")->paid == 7000 &&
	    doc(&r, "R-1")->alloc == FX_AR_BY_FIFO,
	    "1c: the rest, for a debit that is gone, falls back to FIFO");
	is_int(r.balance, 15000, "1c: balance");
	fx_ar_row_release(&r);

	/* Over-allocation: 1C gives a debit more than it owes. */
	memset(&k, 0, sizeof(k));
	debit(&k, "R-1", "2026-01-01", "2026-01-31", 10000);
	debit(&k, "R-2", "2026-02-01", "2026-03-03", 10000);
	credit(&k, "P-1", "2026-03-02", 14000, "R-2", 14000, NULL, 0);
	memset(&r, 0, sizeof(r));
	fx_ar_compute(k.e, k.n, "2026-04-01", &b, &r);
	ok(doc(&r, "R-2") == NULL, "over: R-2 paid in full");
	d = doc(&r, "R-1");
	ok(d != NULL && d->paid == 4000 && d->alloc == FX_AR_BY_FIFO,
	    "over: the excess pays the oldest debit");
	fx_ar_row_release(&r);

	/* A debit paid partly each way. */
	memset(&k, 0, sizeof(k));
	debit(&k, "R-1", "2026-01-01", "2026-01-31", 10000);
	credit(&k, "P-1", "2026-01-10", 3000, "R-1", 3000, NULL, 0);
	credit(&k, "P-2", "2026-01-11", 2000, NULL, 0, NULL, 0);
	memset(&r, 0, sizeof(r));
	fx_ar_compute(k.e, k.n, "2026-01-20", &b, &r);
	d = doc(&r, "R-1");
	ok(d != NULL && d->paid == 5000 && d->unpaid == 5000 &&
	    d->alloc == (FX_AR_BY_1C | FX_AR_BY_FIFO), "both: 1c+fifo");
	fx_ar_row_release(&r);
}

static void
test_credit_balance(void)
{
	struct fx_days b = days(3, 7, 30, 60);
	struct fx_ar_row r;
	struct book k;

	memset(&k, 0, sizeof(k));
	debit(&k, "R-1", "2026-01-01", "2026-01-31", 10000);
	credit(&k, "P-1", "2026-01-05", 25000, NULL, 0, NULL, 0);
	debit(&k, "R-2", "2026-02-01", "2026-03-03", 5000);
	memset(&r, 0, sizeof(r));
	fx_ar_compute(k.e, k.n, "2026-04-01", &b, &r);
	is_int(r.balance, -10000, "advance: negative balance");
	is_int(r.advance, 10000, "advance: credit set against nothing");
	is_int(r.ndocs, 0, "advance: a prepayment pays a later debit too");
	is_int(r.overdue + r.not_due, 0, "advance: nothing owed");
	fx_ar_row_release(&r);

	/* Nothing at all. */
	memset(&r, 0, sizeof(r));
	fx_ar_compute(k.e, 0, "2026-04-01", &b, &r);
	ok(r.balance == 0 && r.ndocs == 0 && r.docs == NULL, "empty ledger");
	fx_ar_row_release(&r);
}

static void
test_rec(void)
{
	struct fx_ledger l, back;
	struct fx_qv qv = { (char *)"R-1", 12345 };
	struct fx_buf b = { NULL, 0, 0 };
	struct fx_entity e;
	struct fx_err err;
	const char *p;
	size_t n;

	memset(&l, 0, sizeof(l));
	l.kind = FX_LK_RETURN;
	l.date = (char *)"2026-01-02";
	l.due = (char *)"";
	l.amount = 12345;
	l.order = (char *)"ORD-1";
	l.doc = (char *)"Возврат 1";
	l.alloc = &qv;
	l.nalloc = 1;
	l.gen = 7;
	fx_rec_encode(&b, &fx_rt_ledger, &l);
	ok(fx_rec_decode(b.p, b.len, &fx_rt_ledger, &back, &err) == 0 &&
	    back.kind == FX_LK_RETURN && back.amount == 12345 &&
	    back.nalloc == 1 && back.alloc[0].v == 12345 &&
	    strcmp(back.alloc[0].id, "R-1") == 0 && back.gen == 7 &&
	    strcmp(back.doc, "Возврат 1") == 0, "ledger record round trip");
	fx_rec_release(&fx_rt_ledger, &back);
	is_str(fx_lkind_name(FX_LK_RETURN), "return", "kind name");

	memset(&e, 0, sizeof(e));
	e.id = (char *)"E-1";
	e.dealer = (char *)"D";
	e.name = e.full_name = e.inn = e.kpp = e.address = (char *)"";
	e.head = (char *)"H-1";
	e.contract = e.contract_expires = e.price_type = (char *)"";
	fx_rec_encode(&b, &fx_rt_entity, &e);
	ok(fx_rec_str_at(b.p, b.len, &fx_rt_entity, 7, &p, &n) == 0 &&
	    n == 3 && memcmp(p, "H-1", 3) == 0, "str_at: the head in place");
	ok(fx_rec_str_at(b.p, b.len, &fx_rt_entity, 0, &p, &n) == 0 &&
	    n == 3 && memcmp(p, "E-1", 3) == 0, "str_at: the first field");
	ok(fx_rec_str_at(b.p, b.len, &fx_rt_entity, 10, &p, &n) == -1,
	    "str_at: not a string field");
	ok(fx_rec_str_at(b.p, 3, &fx_rt_entity, 7, &p, &n) == -1,
	    "str_at: a cut record");
	fx_buf_release(&b);
}

int
main(void)
{
	test_dates();
	test_fifo();
	test_buckets();
	test_allocations();
	test_credit_balance();
	test_rec();
	return done_testing();
}
