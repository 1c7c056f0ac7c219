/*
 * cond.c -- the formix XML formats 1C sends beside CommerceML: dealer
 * conditions (<formix-conditions>) and incoming deliveries
 * (<formix-deliveries>).  formix-xml(5) is their reference.
 *
 * Contract: both imports run inside the package's write transaction,
 * which the caller (import.c) opened and owns.  They stream the file
 * through fx_xml_parse, check each element as it arrives and write it at
 * once; the first error stops the parse and returns -1 with file:line in
 * err, and the caller aborts the transaction, so a refused file, even one
 * refused in its last line, changes nothing.
 *
 * Memory stays flat: only the ids seen in the file are kept (for the
 * duplicate checks and for the head and INN checks, which must wait for
 * the end of the file since a subsidiary may come before its head).
 * Those final checks read the entities back from the store, which by then
 * holds the file's content, inside the same transaction.
 *
 * Store errors (a full map above all) are passed back unchanged, not
 * dressed as a file error: they say nothing about the file, and the
 * caller must tell them from bad input (a full map is cured by growing
 * it and running the import again; a bad file is not).
 *
 * Employees (<employee> in <dealer>) are the dealer's users as 1C knows
 * them: upserted by login with source "1c", their e-mail and Unix-login
 * indexes kept, and, after a full file, the "1c" users it no longer
 * lists blocked, never deleted (their orders and claims stay theirs).
 * Users created in formix are never touched by an import.  Every change
 * to a user is audited in the import's transaction.  The checks that
 * need the whole file (the entities an employee is attached to, an
 * e-mail or Unix login moving between users) run after the parse, as
 * the head checks do.
 *
 * Entities 1C sends back for a request (request.c) close it: an entity
 * written whose INN and KPP an open request asked for marks the request
 * registered, in the same transaction.
 *
 * Unknown elements and attributes are ignored, so that a newer 1C
 * exchange module can add to the format without breaking an older
 * formix; a change that older readers must not misread bumps the
 * version, and a version above 1 is refused.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

#define ID_MAX		200	/* bytes; keeps composite keys under 511 */
#define QSZ		96	/* a quoted value in a message */

/*
 * A set of the ids seen in one file, in file order, with the line each
 * was first seen on: an insertion-ordered array plus an open-addressing
 * table of indexes into it.
 */
struct ident {
	char		*id;
	long		 line;
	size_t		 aux;
};

struct idset {
	struct ident	*v;
	size_t		 n, cap;
	size_t		*tab;		/* index + 1; 0 is empty */
	size_t		 tabsz;		/* a power of two */
};

static size_t
strhash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct ident *
idset_get(const struct idset *s, const char *id)
{
	size_t m, h, i;

	if (s->tabsz == 0)
		return NULL;
	m = s->tabsz - 1;
	for (h = strhash(id) & m; (i = s->tab[h]) != 0; h = (h + 1) & m)
		if (strcmp(s->v[i - 1].id, id) == 0)
			return &s->v[i - 1];
	return NULL;
}

static void
idset_rehash(struct idset *s, size_t tabsz)
{
	size_t i, h, m = tabsz - 1;

	free(s->tab);
	s->tab = fx_calloc(tabsz, sizeof(*s->tab));
	s->tabsz = tabsz;
	for (i = 0; i < s->n; i++) {
		for (h = strhash(s->v[i].id) & m; s->tab[h] != 0;
		    h = (h + 1) & m)
			;
		s->tab[h] = i + 1;
	}
}

/* Add id; returns the new entry, or NULL if id was there (*old set). */
static struct ident *
idset_add(struct idset *s, const char *id, long line, struct ident **old)
{
	struct ident *e;
	size_t m, h;

	if ((e = idset_get(s, id)) != NULL) {
		if (old != NULL)
			*old = e;
		return NULL;
	}
	if ((s->n + 1) * 2 > s->tabsz)
		idset_rehash(s, s->tabsz ? s->tabsz * 2 : 64);
	s->v = fx_grow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	e = &s->v[s->n++];
	e->id = fx_strdup(id);
	e->line = line;
	e->aux = 0;
	m = s->tabsz - 1;
	for (h = strhash(id) & m; s->tab[h] != 0; h = (h + 1) & m)
		;
	s->tab[h] = s->n;
	return e;
}

/* Empty the set, keeping its memory (per-delivery product sets). */
static void
idset_reset(struct idset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].id);
	s->n = 0;
	if (s->tab != NULL)
		memset(s->tab, 0, s->tabsz * sizeof(*s->tab));
}

static void
idset_release(struct idset *s)
{
	idset_reset(s);
	free(s->v);
	free(s->tab);
	memset(s, 0, sizeof(*s));
}

/*
 * Attributes.  get_attrs copies the wanted ones, by the index of their
 * name in names[], as new NUL-terminated strings; absent ones are NULL.
 */
static void
get_attrs(const struct fx_xml_attr *a, size_t na, const char *const *names,
    char **out, size_t nout)
{
	size_t i, j;

	for (j = 0; j < nout; j++)
		out[j] = NULL;
	for (i = 0; i < na; i++)
		for (j = 0; j < nout; j++)
			if (strcmp(a[i].name, names[j]) == 0) {
				free(out[j]);
				out[j] = fx_strndup(a[i].value, a[i].len);
				break;
			}
}

static void
free_attrs(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i]);
		v[i] = NULL;
	}
}

/* Take an attribute's string (or "" if absent) out of the array. */
static char *
take(char **v, size_t i)
{
	char *s = v[i];

	v[i] = NULL;
	return s != NULL ? s : fx_strdup("");
}

static int
parse_bool(const char *s, int *out)
{
	if (s == NULL || *s == '\0') {
		*out = 0;
		return 0;
	}
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}


/* A whole number 0..max; -1 otherwise. */
static int
parse_days(const char *s, int32_t max, int32_t *out)
{
	int32_t v = 0;
	size_t i;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (!isdig(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* Trim ASCII white space at both ends, in place. */
static char *
trim(char *s)
{
	size_t n = strlen(s), b = 0;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	while (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r')
		b++;
	if (b > 0)
		memmove(s, s + b, n - b + 1);
	return s;
}

/* What the two formats share. */
struct imp {
	struct fx_ctx		*ctx;
	struct fx_txn		*txn;
	const char		*path;
	struct fx_import_stats	*st;
	int			 root_seen;
	int			 full;
	char			 generated[32];
	/*
	 * A store error, kept apart from the file error so that it reaches
	 * the caller unchanged (see the top of the file).
	 */
	int			 dbfail;
	struct fx_err		 dberr;
	struct fx_buf		 key, rec, key2;
};

static int
dbfail(struct fx_xml *x, struct imp *m)
{
	m->dbfail = 1;
	return fx_xml_err(x, m->dberr.code, "%s", m->dberr.msg);
}

/* Hand the store error back as it was. */
static int
finish_err(struct imp *m, struct fx_err *err)
{
	if (m->dbfail && err != NULL)
		*err = m->dberr;
	return -1;
}

/* An error about the element called what (with id, if known). */
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

/* Require an attribute: present and not empty. */
static int
need(struct fx_xml *x, const char *what, const char *id, char *const *v,
    const char *const *names, size_t i)
{
	if (v[i] == NULL || v[i][0] == '\0')
		return elem_err(x, what, id, "missing attribute \"%s\"",
		    names[i]);
	return 0;
}

static int
id_ok(struct fx_xml *x, const char *what, const char *attr, const char *s)
{
	char q[QSZ];

	if (strlen(s) > ID_MAX)
		return fx_xml_err(x, FX_EDATA, "%s: %s \"%s\" is longer than "
		    "%d bytes", what, attr, fx_quote(q, sizeof(q), s), ID_MAX);
	return 0;
}

/* Does key exist in kind?  1 yes, 0 no, -1 store error (in m->dberr). */
static int
exists(struct imp *m, enum fx_kind k, const char *key)
{
	int r;

	r = fx_db_get(m->txn, k, key, strlen(key), NULL, NULL, &m->dberr);
	if (r == -1)
		return -1;
	return r == 0;
}

/* The root element: version, generated, full. */
enum { RA_VERSION, RA_GENERATED, RA_FULL, RA_N };
static const char *const root_attrs[] = { "version", "generated", "full" };

static int
root_start(struct fx_xml *x, struct imp *m, const char *root, int tok,
    int roottok, const struct fx_xml_attr *a, size_t na)
{
	char *v[RA_N], q[QSZ];
	int rc = -1;

	if (tok != roottok)
		return fx_xml_err(x, FX_EDATA, "root element is not <%s>",
		    root);
	get_attrs(a, na, root_attrs, v, RA_N);
	if (need(x, root, NULL, v, root_attrs, RA_VERSION) == -1)
		goto out;
	if (strcmp(v[RA_VERSION], "1") != 0) {
		fx_xml_err(x, FX_EDATA, "%s: unsupported version \"%s\" (this "
		    "formix reads version 1)", root,
		    fx_quote(q, sizeof(q), v[RA_VERSION]));
		goto out;
	}
	if (need(x, root, NULL, v, root_attrs, RA_GENERATED) == -1)
		goto out;
	if (fx_datetime_check(v[RA_GENERATED]) == -1 ||
	    fx_strlcpy(m->generated, v[RA_GENERATED],
	    sizeof(m->generated)) == -1) {
		fx_xml_err(x, FX_EDATA, "%s: generated \"%s\" is not a date "
		    "and time (YYYY-MM-DDTHH:MM:SS)", root,
		    fx_quote(q, sizeof(q), v[RA_GENERATED]));
		goto out;
	}
	if (need(x, root, NULL, v, root_attrs, RA_FULL) == -1)
		goto out;
	if (parse_bool(v[RA_FULL], &m->full) == -1) {
		fx_xml_err(x, FX_EDATA, "%s: full \"%s\" must be true or false",
		    root, fx_quote(q, sizeof(q), v[RA_FULL]));
		goto out;
	}
	m->root_seen = 1;
	rc = 0;
out:
	free_attrs(v, RA_N);
	return rc;
}

/*
 * Dealer conditions.
 */

enum { C_ROOT, C_DEALER, C_ENTITY, C_ADDRESS, C_DISCOUNT, C_EMPLOYEE, C_N };
static const char *const cond_names[] = {
	"formix-conditions", "dealer", "entity", "address", "discount",
	"employee"
};

enum { DA_ID, DA_NAME, DA_BLOCKED, DA_N };
static const char *const dealer_attrs[] = { "id", "name", "blocked" };

enum {
	EA_ID, EA_NAME, EA_FULLNAME, EA_INN, EA_KPP, EA_HEAD, EA_CONTRACT,
	EA_EXPIRES, EA_CREDIT, EA_OVERDUELIM, EA_DEBT, EA_OVERDUE, EA_DAYS,
	EA_PRICETYPE, EA_DISCOUNT, EA_BLOCKED, EA_N
};
static const char *const entity_attrs[] = {
	"id", "name", "full-name", "inn", "kpp", "head", "contract",
	"contract-expires", "credit-limit", "overdue-limit", "debt",
	"overdue", "payment-days", "price-type", "default-discount",
	"blocked"
};

enum { GA_GROUP, GA_PERCENT, GA_N };
static const char *const discount_attrs[] = { "group", "percent" };

enum {
	UA_LOGIN, UA_NAME, UA_EMAIL, UA_PHONE, UA_UNIX, UA_ENTITIES,
	UA_PERMS, UA_SUPER, UA_BLOCKED, UA_REASON, UA_N
};
static const char *const employee_attrs[] = {
	"login", "name", "email", "phone", "unix-login", "entities", "perms",
	"superuser", "blocked", "blocked-reason"
};

#define LOGIN_MAX	64	/* a formix login */
#define UNIX_MAX	32	/* a Unix login */
#define EMAIL_MAX	254	/* RFC 5321 path limit less the brackets */
#define TEXT_MAX	500	/* a name, phone or reason */
#define REMOVED		"removed in 1C"
#define BLOCKED		"blocked in 1C"	/* blocked="true" without a reason */

struct disc {
	char		*group;
	int32_t		 pct;
};

struct cond {
	struct imp	 m;
	char		*dealer;	/* the <dealer> being read, or NULL */
	/* The <entity> being read: */
	int		 in_entity;
	struct fx_entity ent;
	char		*old_inn;	/* its INN in the store, or NULL */
	struct disc	*disc;
	size_t		 ndisc, disccap;
	struct idset	 dealers, entities, groups;
	int		 any_head;
	/* Employees: logins, and folded e-mails and Unix logins (aux: the
	 * index of the employee in employees). */
	struct idset	 employees, emails, unixes;
	/* Open requests by "INN/KPP" -> request id, read on first use. */
	struct fx_map	 reqs;
	int		 reqs_loaded;
	char		 now[32];
};

static int
money_attr(struct fx_xml *x, const char *id, const char *name,
    const char *s, int neg_ok, int64_t *out)
{
	char q[QSZ];

	*out = 0;
	if (s == NULL || *s == '\0')
		return 0;
	if (fx_money_parse(s, out) == -1) {
		if (fx_decimals_over(s, 2))
			return elem_err(x, "entity", id, "%s \"%s\" has more "
			    "than two decimals", name,
			    fx_quote(q, sizeof(q), s));
		return elem_err(x, "entity", id, "%s \"%s\" is not an amount",
		    name, fx_quote(q, sizeof(q), s));
	}
	if (*out < 0 && !neg_ok)
		return elem_err(x, "entity", id, "%s \"%s\" must not be "
		    "negative", name, fx_quote(q, sizeof(q), s));
	return 0;
}

static int
pct_attr(struct fx_xml *x, const char *what, const char *id,
    const char *name, const char *s, int32_t *out)
{
	char q[QSZ];
	int64_t v;

	*out = 0;
	if (s == NULL || *s == '\0')
		return 0;
	if (fx_pct_parse(s, out) == 0)
		return 0;
	if (fx_decimals_over(s, 2))
		return elem_err(x, what, id, "%s \"%s\" has more than two "
		    "decimals", name, fx_quote(q, sizeof(q), s));
	if (fx_money_parse(s, &v) == 0)
		return elem_err(x, what, id, "%s \"%s\" must be between 0 and "
		    "100", name, fx_quote(q, sizeof(q), s));
	return elem_err(x, what, id, "%s \"%s\" is not a percent", name,
	    fx_quote(q, sizeof(q), s));
}

static int
dealer_start(struct fx_xml *x, struct cond *c, const struct fx_xml_attr *a,
    size_t na)
{
	struct fx_dealer d;
	struct ident *old;
	char *v[DA_N], q[QSZ];
	int rc = -1;

	memset(&d, 0, sizeof(d));
	get_attrs(a, na, dealer_attrs, v, DA_N);
	if (need(x, "dealer", NULL, v, dealer_attrs, DA_ID) == -1 ||
	    id_ok(x, "dealer", "id", v[DA_ID]) == -1)
		goto out;
	if (idset_add(&c->dealers, v[DA_ID], fx_xml_line(x), &old) == NULL) {
		elem_err(x, "dealer", v[DA_ID], "listed twice (first at line "
		    "%ld)", old->line);
		goto out;
	}
	if (need(x, "dealer", v[DA_ID], v, dealer_attrs, DA_NAME) == -1)
		goto out;
	if (parse_bool(v[DA_BLOCKED], &d.blocked) == -1) {
		elem_err(x, "dealer", v[DA_ID], "blocked \"%s\" must be true "
		    "or false", fx_quote(q, sizeof(q), v[DA_BLOCKED]));
		goto out;
	}
	d.id = v[DA_ID];
	d.name = v[DA_NAME];
	if (fx_db_putrec(c->m.txn, FX_K_DEALER, d.id, strlen(d.id),
	    &fx_rt_dealer, &d, &c->m.rec, &c->m.dberr) == -1) {
		dbfail(x, &c->m);
		goto out;
	}
	c->m.st->dealers++;
	c->dealer = take(v, DA_ID);
	rc = 0;
out:
	free_attrs(v, DA_N);
	return rc;
}

static int
entity_start(struct fx_xml *x, struct cond *c, const struct fx_xml_attr *a,
    size_t na)
{
	struct fx_entity *e = &c->ent, old;
	struct fx_err tmp;
	struct ident *dup;
	char *v[EA_N], q[QSZ], q2[QSZ];
	const char *id;
	int r, rc = -1;

	memset(e, 0, sizeof(*e));
	get_attrs(a, na, entity_attrs, v, EA_N);
	if (need(x, "entity", NULL, v, entity_attrs, EA_ID) == -1 ||
	    id_ok(x, "entity", "id", v[EA_ID]) == -1)
		goto out;
	id = v[EA_ID];
	if (idset_add(&c->entities, id, fx_xml_line(x), &dup) == NULL) {
		elem_err(x, "entity", id, "listed twice (first at line %ld)",
		    dup->line);
		goto out;
	}
	if (need(x, "entity", id, v, entity_attrs, EA_NAME) == -1 ||
	    need(x, "entity", id, v, entity_attrs, EA_INN) == -1)
		goto out;

	fx_err_clear(&tmp);
	if (fx_inn_check(v[EA_INN], &tmp) == -1) {
		elem_err(x, "entity", id, "%s", tmp.msg);
		goto out;
	}
	if (v[EA_KPP] != NULL && v[EA_KPP][0] != '\0') {
		if (fx_kpp_check(v[EA_KPP], &tmp) == -1) {
			elem_err(x, "entity", id, "%s", tmp.msg);
			goto out;
		}
	} else if (strlen(v[EA_INN]) == 10) {
		elem_err(x, "entity", id, "KPP is required with a 10-digit "
		    "INN \"%s\"", fx_quote(q, sizeof(q), v[EA_INN]));
		goto out;
	}

	if (v[EA_HEAD] != NULL && strcmp(v[EA_HEAD], id) == 0) {
		elem_err(x, "entity", id, "head is the entity itself");
		goto out;
	}
	if (v[EA_HEAD] != NULL && id_ok(x, "entity", "head", v[EA_HEAD]) == -1)
		goto out;
	if (v[EA_EXPIRES] != NULL && v[EA_EXPIRES][0] != '\0' &&
	    fx_date_check(v[EA_EXPIRES]) == -1) {
		elem_err(x, "entity", id, "contract-expires \"%s\" is not a "
		    "date (YYYY-MM-DD)", fx_quote(q, sizeof(q),
		    v[EA_EXPIRES]));
		goto out;
	}
	if (money_attr(x, id, "credit-limit", v[EA_CREDIT], 0,
	    &e->credit_limit) == -1 ||
	    money_attr(x, id, "overdue-limit", v[EA_OVERDUELIM], 0,
	    &e->overdue_limit) == -1 ||
	    money_attr(x, id, "debt", v[EA_DEBT], 1, &e->debt) == -1 ||
	    money_attr(x, id, "overdue", v[EA_OVERDUE], 0,
	    &e->overdue) == -1)
		goto out;
	if (v[EA_DAYS] != NULL && v[EA_DAYS][0] != '\0' &&
	    parse_days(v[EA_DAYS], 3650, &e->payment_days) == -1) {
		elem_err(x, "entity", id, "payment-days \"%s\" must be a whole "
		    "number from 0 to 3650", fx_quote(q, sizeof(q),
		    v[EA_DAYS]));
		goto out;
	}
	if (pct_attr(x, "entity", id, "default-discount", v[EA_DISCOUNT],
	    &e->default_discount) == -1)
		goto out;
	if (parse_bool(v[EA_BLOCKED], &e->blocked) == -1) {
		elem_err(x, "entity", id, "blocked \"%s\" must be true or "
		    "false", fx_quote(q, sizeof(q), v[EA_BLOCKED]));
		goto out;
	}
	if (v[EA_PRICETYPE] != NULL && v[EA_PRICETYPE][0] != '\0') {
		r = exists(&c->m, FX_K_PRICETYPE, v[EA_PRICETYPE]);
		if (r == -1) {
			dbfail(x, &c->m);
			goto out;
		}
		if (r == 0) {
			elem_err(x, "entity", id, "unknown price type \"%s\"",
			    fx_quote(q, sizeof(q), v[EA_PRICETYPE]));
			goto out;
		}
	}

	/* An entity never moves between dealers: 1C would not do it. */
	if (!c->m.full) {
		r = fx_db_getrec(c->m.txn, FX_K_ENTITY, id, strlen(id),
		    &fx_rt_entity, &old, &c->m.dberr);
		if (r == -1) {
			dbfail(x, &c->m);
			goto out;
		}
		if (r == 0) {
			if (strcmp(old.dealer, c->dealer) != 0) {
				elem_err(x, "entity", id, "belongs to dealer "
				    "\"%s\", not \"%s\"",
				    fx_quote(q, sizeof(q), old.dealer),
				    fx_quote(q2, sizeof(q2), c->dealer));
				fx_entity_release(&old);
				goto out;
			}
			c->old_inn = old.inn;
			old.inn = NULL;
			fx_entity_release(&old);
		}
	}

	e->id = take(v, EA_ID);
	e->dealer = fx_strdup(c->dealer);
	e->name = take(v, EA_NAME);
	e->full_name = take(v, EA_FULLNAME);
	e->inn = take(v, EA_INN);
	e->kpp = take(v, EA_KPP);
	e->address = fx_strdup("");
	e->head = take(v, EA_HEAD);
	e->contract = take(v, EA_CONTRACT);
	e->contract_expires = take(v, EA_EXPIRES);
	e->price_type = take(v, EA_PRICETYPE);
	c->in_entity = 1;
	c->ndisc = 0;
	idset_reset(&c->groups);
	rc = 0;
out:
	if (rc == -1)
		fx_entity_release(e);
	free_attrs(v, EA_N);
	return rc;
}

static int
discount_start(struct fx_xml *x, struct cond *c, const struct fx_xml_attr *a,
    size_t na)
{
	struct ident *old;
	char *v[GA_N], q[QSZ];
	const char *id = c->ent.id;
	int32_t pct;
	int r, rc = -1;

	get_attrs(a, na, discount_attrs, v, GA_N);
	if (need(x, "entity", id, v, discount_attrs, GA_GROUP) == -1 ||
	    id_ok(x, "discount", "group", v[GA_GROUP]) == -1 ||
	    need(x, "entity", id, v, discount_attrs, GA_PERCENT) == -1)
		goto out;
	if ((r = exists(&c->m, FX_K_GROUP, v[GA_GROUP])) == -1) {
		dbfail(x, &c->m);
		goto out;
	}
	if (r == 0) {
		elem_err(x, "entity", id, "unknown group \"%s\"",
		    fx_quote(q, sizeof(q), v[GA_GROUP]));
		goto out;
	}
	if (idset_add(&c->groups, v[GA_GROUP], fx_xml_line(x), &old) ==
	    NULL) {
		elem_err(x, "entity", id, "discount for group \"%s\" listed "
		    "twice (first at line %ld)", fx_quote(q, sizeof(q),
		    v[GA_GROUP]), old->line);
		goto out;
	}
	if (pct_attr(x, "entity", id, "percent", v[GA_PERCENT], &pct) == -1)
		goto out;
	c->disc = fx_grow(c->disc, &c->disccap, c->ndisc + 1,
	    sizeof(*c->disc));
	c->disc[c->ndisc].group = take(v, GA_GROUP);
	c->disc[c->ndisc].pct = pct;
	c->ndisc++;
	rc = 0;
out:
	free_attrs(v, GA_N);
	return rc;
}

/*
 * Employees.
 */

/*
 * An audit entry in the import's transaction.  The actor is whoever runs
 * the import ("1c" without a handle: fx_actor_name).  Its failure is a
 * store failure, kept in m->dberr.
 */
static int
audit(struct imp *m, const char *action, const char *object,
    const char *field, const char *old, const char *new)
{
	return fx_audit_add(m->ctx, m->txn, action, object, field, old, new,
	    &m->dberr);
}

static const char *
yesno(int b)
{
	return b ? "yes" : "no";
}

/* The rules of fx_user_add (user.c), which the messages also follow. */
static int
login_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || isdig(s[i]) ||
		    (i > 0 && (s[i] == '.' || s[i] == '_' || s[i] == '-'))))
			return 0;
	return i >= 1 && i <= LOGIN_MAX;
}

/* A POSIX portable user name: [A-Za-z0-9._-], no leading '-', 1-32. */
static int
unix_login_ok(const char *s)
{
	size_t i;

	if (s[0] == '-')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || isdig(s[i]) ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return i >= 1 && i <= UNIX_MAX;
}

/*
 * An address as fx_user_add takes it: one '@', a non-empty local part, a
 * dotted domain without empty labels; no spaces, controls or list
 * punctuation.
 */
static int
email_ok(const char *s)
{
	const char *at = strchr(s, '@'), *d;
	size_t n = strlen(s), i;

	if (n == 0 || n > EMAIL_MAX || at == NULL || at == s ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= 0x20 || ch == 0x7f || strchr(",;<>\"()[]\\", ch))
			return 0;
	}
	d = at + 1;
	if (*d == '\0' || *d == '.' || s[n - 1] == '.' ||
	    strchr(d, '.') == NULL || strstr(d, "..") != NULL)
		return 0;
	return 1;
}

/* One line of text: no control characters, at most TEXT_MAX bytes. */
static int
text_attr(struct fx_xml *x, const char *login, const char *name,
    const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	if (strlen(s) > TEXT_MAX)
		return elem_err(x, "employee", login, "%s is longer than %d "
		    "bytes", name, TEXT_MAX);
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return elem_err(x, "employee", login, "%s contains a "
			    "control character", name);
	return 0;
}

/* The words of a space-separated list, as a new vector. */
static char **
words(const char *s, size_t *np)
{
	char **v = NULL;
	size_t n = 0, cap = 0, len;

	*np = 0;
	if (s == NULL)
		return NULL;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (*s == '\0')
			break;
		for (len = 0; s[len] != '\0' && s[len] != ' ' &&
		    s[len] != '\t' && s[len] != '\n' && s[len] != '\r'; len++)
			;
		v = fx_grow(v, &cap, n + 1, sizeof(*v));
		v[n++] = fx_strndup(s, len);
		s += len;
	}
	*np = n;
	return v;
}

/* An e-mail address as users and the index keep it: case-folded. */
static void
email_key(const char *s, char *buf, size_t sz)
{
	if (fx_fold(s, buf, sz) == -1)
		fx_strlcpy(buf, s, sz);
}

/*
 * Drop key from a unique index (e-mail, Unix login) if it names login:
 * an entry that names another user is that user's, and stays.
 */
static int
unindex(struct imp *m, enum fx_kind k, const char *key, const char *login)
{
	const void *val;
	size_t len;
	int r;

	r = fx_db_get(m->txn, k, key, strlen(key), &val, &len, &m->dberr);
	if (r == -1)
		return -1;
	if (r == 1 || len != strlen(login) || memcmp(val, login, len) != 0)
		return 0;
	return fx_db_del(m->txn, k, key, strlen(key), NULL, 0, &m->dberr);
}

static void
join(struct fx_buf *b, char *const *v, size_t n)
{
	size_t i;

	fx_buf_reset(b);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fx_buf_addc(b, ',');
		fx_buf_adds(b, v[i]);
	}
	fx_buf_str(b);
}

/* Audited as fx_user_add and fx_user_set do: one entry per field. */
static int
audit_user(struct imp *m, const struct fx_user *o, const struct fx_user *u)
{
	struct fx_buf b1 = { NULL, 0, 0 }, b2 = { NULL, 0, 0 };
	struct fx_buf sum = { NULL, 0, 0 };
	char p1[64], p2[64];
	int rc = -1;

	if (o == NULL) {
		join(&b1, u->entities, u->nentities);
		join(&b2, u->emails, u->nemails);
		fx_buf_addf(&sum, "dealer=%s superuser=%s perms=%s "
		    "entities=%s emails=%s unix_login=%s phone=%s name=%s "
		    "source=1c", u->dealer, yesno(u->superuser),
		    fx_perm_fmt(p1, sizeof(p1), u->perms), b1.p, b2.p,
		    u->unix_login, u->phone, u->name);
		rc = audit(m, "user.add", u->login, "", "", sum.p);
		if (rc == 0 && u->blocked)
			rc = audit(m, "user.block", u->login, "blocked_reason",
			    "", u->blocked_reason);
		goto out;
	}
#define CHG(f, a, b)	(strcmp((a), (b)) != 0 && \
	audit(m, "user.set", u->login, (f), (a), (b)) == -1)
	if (CHG("name", o->name, u->name) ||
	    CHG("phone", o->phone, u->phone) ||
	    CHG("unix_login", o->unix_login, u->unix_login) ||
	    CHG("source", o->source, u->source))
		goto out;
	join(&b1, o->emails, o->nemails);
	join(&b2, u->emails, u->nemails);
	if (CHG("emails", b1.p, b2.p))
		goto out;
	join(&b1, o->entities, o->nentities);
	join(&b2, u->entities, u->nentities);
	if (CHG("entities", b1.p, b2.p))
		goto out;
	fx_perm_fmt(p1, sizeof(p1), o->perms);
	fx_perm_fmt(p2, sizeof(p2), u->perms);
	if (CHG("perms", p1, p2) ||
	    CHG("superuser", yesno(o->superuser), yesno(u->superuser)))
		goto out;
#undef CHG
	if (o->blocked != u->blocked && audit(m, u->blocked ? "user.block" :
	    "user.unblock", u->login, "blocked", yesno(o->blocked),
	    yesno(u->blocked)) == -1)
		goto out;
	if (strcmp(o->blocked_reason, u->blocked_reason) != 0 &&
	    audit(m, u->blocked ? "user.block" : "user.unblock", u->login,
	    "blocked_reason", o->blocked_reason, u->blocked_reason) == -1)
		goto out;
	rc = 0;
out:
	fx_buf_release(&b1);
	fx_buf_release(&b2);
	fx_buf_release(&sum);
	return rc;
}

static int
employee_start(struct fx_xml *x, struct cond *c, const struct fx_xml_attr *a,
    size_t na)
{
	struct imp *m = &c->m;
	struct fx_user u, old;
	struct fx_err tmp;
	struct ident *dup, *ie;
	char *v[UA_N], **mails = NULL, **ents = NULL, q[QSZ], q2[QSZ];
	char key[EMAIL_MAX * 4 + 1];
	const char *login;
	size_t nmails = 0, nents = 0, i, j, idx;
	long line = fx_xml_line(x);
	int r, had = 0, rc = -1;

	memset(&u, 0, sizeof(u));
	memset(&old, 0, sizeof(old));
	get_attrs(a, na, employee_attrs, v, UA_N);
	if (need(x, "employee", NULL, v, employee_attrs, UA_LOGIN) == -1)
		goto out;
	login = v[UA_LOGIN];
	if (!login_ok(login)) {
		elem_err(x, "employee", NULL, "login \"%s\" is not valid: 1 "
		    "to %d of a-z, 0-9, '.', '_', '-', starting with a letter "
		    "or digit", fx_quote(q, sizeof(q), login), LOGIN_MAX);
		goto out;
	}
	if (idset_add(&c->employees, login, line, &dup) == NULL) {
		elem_err(x, "employee", login, "listed twice (first at line "
		    "%ld)", dup->line);
		goto out;
	}
	idx = c->employees.n - 1;
	if (need(x, "employee", login, v, employee_attrs, UA_NAME) == -1 ||
	    text_attr(x, login, "name", v[UA_NAME]) == -1 ||
	    text_attr(x, login, "phone", v[UA_PHONE]) == -1 ||
	    text_attr(x, login, "blocked-reason", v[UA_REASON]) == -1)
		goto out;

	/* E-mail addresses: well-formed, each given to one employee. */
	mails = words(v[UA_EMAIL], &nmails);
	u.emails = fx_calloc(nmails, sizeof(*u.emails));
	for (i = 0; i < nmails; i++) {
		if (!email_ok(mails[i])) {
			elem_err(x, "employee", login, "e-mail \"%s\" is not a "
			    "valid address", fx_quote(q, sizeof(q), mails[i]));
			goto out;
		}
		email_key(mails[i], key, sizeof(key));
		if ((ie = idset_add(&c->emails, key, line, &dup)) == NULL) {
			if (dup->aux == idx)
				continue;	/* twice in one list */
			elem_err(x, "employee", login, "e-mail \"%s\" is also "
			    "given to employee \"%s\" (line %ld)",
			    fx_quote(q, sizeof(q), mails[i]),
			    fx_quote(q2, sizeof(q2),
			    c->employees.v[dup->aux].id), dup->line);
			goto out;
		}
		ie->aux = idx;
		u.emails[u.nemails++] = fx_strdup(key);
	}

	if (v[UA_UNIX] != NULL && v[UA_UNIX][0] != '\0') {
		if (!unix_login_ok(v[UA_UNIX])) {
			elem_err(x, "employee", login, "Unix login \"%s\" is "
			    "not valid", fx_quote(q, sizeof(q), v[UA_UNIX]));
			goto out;
		}
		if ((ie = idset_add(&c->unixes, v[UA_UNIX], line, &dup)) ==
		    NULL) {
			elem_err(x, "employee", login, "Unix login \"%s\" is "
			    "also given to employee \"%s\" (line %ld)",
			    fx_quote(q, sizeof(q), v[UA_UNIX]),
			    fx_quote(q2, sizeof(q2),
			    c->employees.v[dup->aux].id), dup->line);
			goto out;
		}
		ie->aux = idx;
	}

	/* Entities: checked against the store after the parse. */
	ents = words(v[UA_ENTITIES], &nents);
	u.entities = fx_calloc(nents, sizeof(*u.entities));
	for (i = 0; i < nents; i++) {
		if (id_ok(x, "employee", "entity", ents[i]) == -1)
			goto out;
		for (j = 0; j < u.nentities; j++)
			if (strcmp(u.entities[j], ents[i]) == 0)
				break;
		if (j == u.nentities)
			u.entities[u.nentities++] = fx_strdup(ents[i]);
	}

	if (v[UA_PERMS] != NULL && v[UA_PERMS][0] != '\0') {
		fx_err_clear(&tmp);
		if (fx_perm_parse(v[UA_PERMS], &u.perms, &tmp) == -1) {
			elem_err(x, "employee", login, "%s", tmp.msg);
			goto out;
		}
	}
	if (parse_bool(v[UA_SUPER], &u.superuser) == -1) {
		elem_err(x, "employee", login, "superuser \"%s\" must be true "
		    "or false", fx_quote(q, sizeof(q), v[UA_SUPER]));
		goto out;
	}
	if (parse_bool(v[UA_BLOCKED], &u.blocked) == -1) {
		elem_err(x, "employee", login, "blocked \"%s\" must be true or "
		    "false", fx_quote(q, sizeof(q), v[UA_BLOCKED]));
		goto out;
	}

	/*
	 * A login is one person at one dealer.  A user formix made for this
	 * dealer is taken over: 1C is the system of record for employees.
	 */
	r = fx_db_getrec(m->txn, FX_K_USER, login, strlen(login), &fx_rt_user,
	    &old, &m->dberr);
	if (r == -1) {
		dbfail(x, m);
		goto out;
	}
	had = r == 0;
	if (had && strcmp(old.dealer, c->dealer) != 0) {
		elem_err(x, "employee", login, "login is taken by a user of "
		    "dealer \"%s\"", fx_quote(q, sizeof(q), old.dealer));
		goto out;
	}

	u.login = take(v, UA_LOGIN);
	u.name = take(v, UA_NAME);
	u.phone = take(v, UA_PHONE);
	u.dealer = fx_strdup(c->dealer);
	u.blocked_reason = fx_strdup(!u.blocked ? "" : v[UA_REASON] != NULL &&
	    v[UA_REASON][0] != '\0' ? v[UA_REASON] : BLOCKED);
	u.unix_login = take(v, UA_UNIX);
	u.source = fx_strdup("1c");
	u.created = fx_strdup(had ? old.created : c->now);
	u.updated = fx_strdup(c->now);
	login = u.login;

	/*
	 * The index entries of what the user had and has no more go now;
	 * the new ones are put after the parse, once every employee of the
	 * file has let go of what it gave up (an address may move from one
	 * employee to another in one file).
	 */
	for (i = 0; had && i < old.nemails; i++) {
		email_key(old.emails[i], key, sizeof(key));
		ie = idset_get(&c->emails, key);
		if ((ie == NULL || ie->aux != idx) &&
		    unindex(m, FX_K_IDX_EMAIL, key, login) == -1) {
			dbfail(x, m);
			goto out;
		}
	}
	if (had && old.unix_login[0] != '\0' &&
	    strcmp(old.unix_login, u.unix_login) != 0 &&
	    unindex(m, FX_K_IDX_UNIX, old.unix_login, login) == -1) {
		dbfail(x, m);
		goto out;
	}
	if (fx_db_putrec(m->txn, FX_K_USER, login, strlen(login), &fx_rt_user,
	    &u, &m->rec, &m->dberr) == -1 ||
	    audit_user(m, had ? &old : NULL, &u) == -1) {
		dbfail(x, m);
		goto out;
	}
	m->st->users++;
	rc = 0;
out:
	fx_strv_free(mails, nmails);
	fx_strv_free(ents, nents);
	fx_user_release(&u);
	fx_user_release(&old);
	free_attrs(v, UA_N);
	return rc;
}

/*
 * Requests for new entities (request.c keeps their records): the open
 * ones, pending or approved, by "INN/KPP".  A pending one counts too: its
 * approval may have been written for 1C and not committed (request.c).
 */
static int
reqs_load(struct cond *c)
{
	struct imp *m = &c->m;
	struct fx_cur cur;
	struct fx_request r;
	struct fx_buf key = { NULL, 0, 0 };
	MDB_val kv, vv;
	void **slot;
	int rc;

	if (fx_cur_open(m->txn, FX_K_REQUEST, &cur, &m->dberr) == -1)
		return -1;
	for (rc = fx_cur_first(&cur, &kv, &vv, &m->dberr); rc == 0;
	    rc = fx_cur_next(&cur, &kv, &vv, &m->dberr)) {
		if (fx_rec_decode(vv.mv_data, vv.mv_size, &fx_rt_request, &r,
		    &m->dberr) == -1) {
			rc = -1;
			break;
		}
		if (strcmp(r.status, "pending") == 0 ||
		    strcmp(r.status, "approved") == 0) {
			fx_buf_reset(&key);
			fx_buf_addf(&key, "%s/%s", r.inn, r.kpp);
			slot = fx_map_put(&c->reqs, key.p);
			/* fx_request_add never files two for one INN/KPP. */
			if (*slot == NULL)
				*slot = fx_strdup(r.id);
		}
		fx_request_release(&r);
	}
	fx_cur_close(&cur);
	fx_buf_release(&key);
	return rc == -1 ? -1 : 0;
}

/* The entity just written may be one a request asked for: close it. */
static int
register_entity(struct fx_xml *x, struct cond *c, const struct fx_entity *e)
{
	struct imp *m = &c->m;
	struct fx_request r;
	struct fx_buf b = { NULL, 0, 0 };
	char *status = NULL;
	void **slot;
	int found, rc = -1;

	if (!c->reqs_loaded) {
		if (reqs_load(c) == -1)
			return dbfail(x, m);
		c->reqs_loaded = 1;
	}
	if (c->reqs.n == 0)
		return 0;
	fx_buf_addf(&b, "%s/%s", e->inn, e->kpp);
	slot = fx_map_get(&c->reqs, b.p);
	if (slot == NULL || *slot == NULL) {
		fx_buf_release(&b);
		return 0;
	}
	memset(&r, 0, sizeof(r));
	found = fx_db_getrec(m->txn, FX_K_REQUEST, *slot, strlen(*slot),
	    &fx_rt_request, &r, &m->dberr);
	if (found == -1)
		goto dbfail;
	free(*slot);
	*slot = NULL;
	if (found == 1) {
		rc = 0;
		goto out;
	}
	status = r.status;
	r.status = fx_strdup("registered");
	free(r.entity);
	r.entity = fx_strdup(e->id);
	free(r.updated);
	r.updated = fx_strdup(c->now);
	/* History "when|who|status|comment", as request.c writes it. */
	fx_buf_reset(&b);
	fx_buf_addf(&b, "%s|1c|registered|entity %s", c->now, e->id);
	r.history = fx_realloc(r.history, (r.nhistory + 1) *
	    sizeof(*r.history));
	r.history[r.nhistory++] = fx_strdup(b.p);
	if (fx_db_putrec(m->txn, FX_K_REQUEST, r.id, strlen(r.id),
	    &fx_rt_request, &r, &m->rec, &m->dberr) == -1 ||
	    audit(m, "entity.registered", r.id, "status", status,
	    "registered") == -1 ||
	    audit(m, "entity.registered", r.id, "entity", "", e->id) == -1)
		goto dbfail;
	rc = 0;
	goto out;
dbfail:
	dbfail(x, m);
out:
	free(status);
	fx_request_release(&r);
	fx_buf_release(&b);
	return rc;
}

static void
entity_clear(struct cond *c)
{
	size_t i;

	for (i = 0; i < c->ndisc; i++)
		free(c->disc[i].group);
	c->ndisc = 0;
	free(c->old_inn);
	c->old_inn = NULL;
	fx_entity_release(&c->ent);
	c->in_entity = 0;
}

/* Delete every key of kind k that starts with prefix (len bytes). */
static int
del_prefix(struct imp *m, enum fx_kind k, const char *prefix, size_t len)
{
	struct fx_cur cur;
	MDB_val kv, vv;
	int r;

	if (fx_cur_open(m->txn, k, &cur, &m->dberr) == -1)
		return -1;
	/*
	 * Seek afresh after each delete rather than trust the cursor's
	 * position across a delete: there are a handful of keys at most.
	 */
	for (;;) {
		r = fx_cur_seek(&cur, prefix, len, &kv, &vv, &m->dberr);
		if (r == -1)
			goto fail;
		if (r == 1 || kv.mv_size < len ||
		    memcmp(kv.mv_data, prefix, len) != 0)
			break;
		fx_buf_reset(&m->key2);
		fx_buf_add(&m->key2, kv.mv_data, kv.mv_size);
		if (fx_db_del(m->txn, k, m->key2.p, m->key2.len, NULL, 0,
		    &m->dberr) == -1)
			goto fail;
	}
	fx_cur_close(&cur);
	return 0;
fail:
	fx_cur_close(&cur);
	return -1;
}

static int
entity_end(struct fx_xml *x, struct cond *c)
{
	struct fx_entity *e = &c->ent;
	struct fx_amount amt;
	struct imp *m = &c->m;
	size_t i;

	if (c->old_inn != NULL) {
		/* Replace: the old discounts go, the index follows the INN. */
		if (strcmp(c->old_inn, e->inn) != 0 &&
		    fx_db_del(m->txn, FX_K_IDX_INN, c->old_inn,
		    strlen(c->old_inn), e->id, strlen(e->id), &m->dberr) == -1)
			return dbfail(x, m);
		fx_buf_reset(&m->key);
		fx_buf_key(&m->key, e->id, "", NULL);
		if (del_prefix(m, FX_K_DISCOUNT, m->key.p, m->key.len) == -1)
			return dbfail(x, m);
	}
	if (fx_db_putdup(m->txn, FX_K_IDX_INN, e->inn, strlen(e->inn), e->id,
	    strlen(e->id), &m->dberr) == -1)
		return dbfail(x, m);
	if (fx_db_putrec(m->txn, FX_K_ENTITY, e->id, strlen(e->id),
	    &fx_rt_entity, e, &m->rec, &m->dberr) == -1)
		return dbfail(x, m);
	for (i = 0; i < c->ndisc; i++) {
		fx_buf_reset(&m->key);
		fx_buf_key(&m->key, e->id, c->disc[i].group, NULL);
		amt.v = c->disc[i].pct;
		if (fx_db_putrec(m->txn, FX_K_DISCOUNT, m->key.p, m->key.len,
		    &fx_rt_amount, &amt, &m->rec, &m->dberr) == -1)
			return dbfail(x, m);
	}
	if (register_entity(x, c, e) == -1)
		return -1;
	if (e->head[0] != '\0')
		c->any_head = 1;
	m->st->entities++;
	m->st->discounts += c->ndisc;
	entity_clear(c);
	return 0;
}

static int
cond_start(struct fx_xml *x, void *u, int tok, const struct fx_xml_attr *a,
    size_t na)
{
	struct cond *c = u;
	struct imp *m = &c->m;
	int up = fx_xml_up(x, 1);

	if (up == -2) {
		if (root_start(x, m, cond_names[C_ROOT], tok, C_ROOT, a,
		    na) == -1)
			return -1;
		if (m->full && (fx_db_clear(m->txn, FX_K_DEALER,
		    &m->dberr) == -1 ||
		    fx_db_clear(m->txn, FX_K_ENTITY, &m->dberr) == -1 ||
		    fx_db_clear(m->txn, FX_K_DISCOUNT, &m->dberr) == -1 ||
		    fx_db_clear(m->txn, FX_K_IDX_INN, &m->dberr) == -1))
			return dbfail(x, m);
		return 0;
	}
	switch (tok) {
	case C_DEALER:
		if (up != C_ROOT)
			return fx_xml_err(x, FX_EDATA, "<dealer> outside "
			    "<formix-conditions>");
		return dealer_start(x, c, a, na);
	case C_ENTITY:
		if (up != C_DEALER)
			return fx_xml_err(x, FX_EDATA, "<entity> outside "
			    "<dealer>");
		return entity_start(x, c, a, na);
	case C_DISCOUNT:
		if (up != C_ENTITY)
			return fx_xml_err(x, FX_EDATA, "<discount> outside "
			    "<entity>");
		return discount_start(x, c, a, na);
	case C_EMPLOYEE:
		if (up != C_DEALER)
			return fx_xml_err(x, FX_EDATA, "<employee> outside "
			    "<dealer>");
		return employee_start(x, c, a, na);
	default:
		/* <address> is taken at its end; the rest is ignored. */
		return 0;
	}
}

static int
cond_end(struct fx_xml *x, void *u, int tok, const char *text, size_t len)
{
	struct cond *c = u;

	switch (tok) {
	case C_DEALER:
		if (fx_xml_up(x, 1) == C_ROOT) {
			free(c->dealer);
			c->dealer = NULL;
		}
		return 0;
	case C_ENTITY:
		if (c->in_entity && fx_xml_up(x, 1) == C_DEALER)
			return entity_end(x, c);
		return 0;
	case C_ADDRESS:
		if (c->in_entity && fx_xml_up(x, 1) == C_ENTITY) {
			free(c->ent.address);
			c->ent.address = trim(fx_strndup(text, len));
		}
		return 0;
	default:
		return 0;
	}
}

/* An error found after the parse, at the line of the element it is about. */
static int __attribute__((format(printf, 4, 5)))
late_err(struct imp *m, long line, struct fx_err *err, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fx_err_setloc(err, FX_EDATA, m->path, line, 0, "%s", msg);
}

/*
 * The checks that need the whole file: each head exists, belongs to the
 * same dealer and is a head itself (one level: a head and its
 * subsidiaries); no two entities share an INN and KPP.  The store holds
 * the file's content by now, so the file and the store are checked alike.
 */
static int
cond_final(struct cond *c, struct fx_err *err)
{
	struct imp *m = &c->m;
	struct fx_entity e, h, f;
	struct fx_cur cur;
	struct ident *fi, *hi;
	MDB_val kv, vv;
	char q[QSZ], q2[QSZ], q3[QSZ], *fid;
	size_t i;
	int r, rc = -1, curopen = 0;

	memset(&e, 0, sizeof(e));
	memset(&h, 0, sizeof(h));
	memset(&f, 0, sizeof(f));
	for (i = 0; i < c->entities.n; i++) {
		const char *id = c->entities.v[i].id;
		long line = c->entities.v[i].line;

		r = fx_db_getrec(m->txn, FX_K_ENTITY, id, strlen(id),
		    &fx_rt_entity, &e, &m->dberr);
		if (r == -1)
			goto dbfail;
		if (r == 1)
			FX_BUG("entity %s written but not found", id);
		fx_quote(q, sizeof(q), id);
		if (e.head[0] != '\0') {
			r = fx_db_getrec(m->txn, FX_K_ENTITY, e.head,
			    strlen(e.head), &fx_rt_entity, &h, &m->dberr);
			if (r == -1)
				goto dbfail;
			if (r == 1) {
				late_err(m, line, err, "entity \"%s\": unknown "
				    "head entity \"%s\"", q,
				    fx_quote(q2, sizeof(q2), e.head));
				goto out;
			}
			if (strcmp(h.dealer, e.dealer) != 0) {
				late_err(m, line, err, "entity \"%s\": head "
				    "\"%s\" belongs to dealer \"%s\"", q,
				    fx_quote(q2, sizeof(q2), e.head),
				    fx_quote(q3, sizeof(q3), h.dealer));
				goto out;
			}
			if (h.head[0] != '\0') {
				late_err(m, line, err, "entity \"%s\": head "
				    "\"%s\" is itself a subsidiary of \"%s\"",
				    q, fx_quote(q2, sizeof(q2), e.head),
				    fx_quote(q3, sizeof(q3), h.head));
				goto out;
			}
			fx_entity_release(&h);
		}

		/* Same INN and KPP under another id. */
		if (fx_cur_open(m->txn, FX_K_IDX_INN, &cur, &m->dberr) == -1)
			goto dbfail;
		curopen = 1;
		r = fx_cur_dup_first(&cur, e.inn, strlen(e.inn), &kv, &vv,
		    &m->dberr);
		for (; r == 0; r = fx_cur_dup_next(&cur, &kv, &vv,
		    &m->dberr)) {
			if (vv.mv_size == strlen(id) &&
			    memcmp(vv.mv_data, id, vv.mv_size) == 0)
				continue;
			r = fx_db_getrec(m->txn, FX_K_ENTITY, vv.mv_data,
			    vv.mv_size, &fx_rt_entity, &f, &m->dberr);
			if (r == -1)
				goto dbfail;
			if (r == 1) {
				/* An index entry without an entity: stale. */
				r = 0;
				continue;
			}
			if (strcmp(f.kpp, e.kpp) != 0) {
				fx_entity_release(&f);
				continue;
			}
			/* Both in the file: report the later one. */
			fi = idset_get(&c->entities, f.id);
			if (fi != NULL && fi->line > line) {
				fx_entity_release(&f);
				continue;
			}
			late_err(m, line, err, "entity \"%s\": INN \"%s\" "
			    "KPP \"%s\" is already entity \"%s\"", q,
			    fx_quote(q2, sizeof(q2), e.inn), e.kpp,
			    fx_quote(q3, sizeof(q3), f.id));
			goto out;
		}
		if (r == -1)
			goto dbfail;
		fx_cur_close(&cur);
		curopen = 0;
		fx_entity_release(&e);
	}

	/*
	 * An update may have made a head into a subsidiary while entities
	 * not in the file still name it as their head.
	 */
	if (!m->full && c->any_head) {
		if (fx_cur_open(m->txn, FX_K_ENTITY, &cur, &m->dberr) == -1)
			goto dbfail;
		curopen = 1;
		for (r = fx_cur_first(&cur, &kv, &vv, &m->dberr); r == 0;
		    r = fx_cur_next(&cur, &kv, &vv, &m->dberr)) {
			if (fx_rec_decode(vv.mv_data, vv.mv_size, &fx_rt_entity,
			    &f, &m->dberr) == -1)
				goto dbfail;
			if (f.head[0] == '\0' ||
			    idset_get(&c->entities, f.id) != NULL ||
			    (hi = idset_get(&c->entities, f.head)) == NULL) {
				fx_entity_release(&f);
				continue;
			}
			fid = f.id;
			r = fx_db_getrec(m->txn, FX_K_ENTITY, f.head,
			    strlen(f.head), &fx_rt_entity, &h, &m->dberr);
			if (r == -1)
				goto dbfail;
			if (r == 0 && h.head[0] != '\0') {
				late_err(m, hi->line, err, "entity \"%s\": "
				    "cannot have a head: entity \"%s\" names "
				    "it as its head", fx_quote(q, sizeof(q), h.id),
				    fx_quote(q2, sizeof(q2), fid));
				goto out;
			}
			fx_entity_release(&h);
			fx_entity_release(&f);
		}
		if (r == -1)
			goto dbfail;
	}
	rc = 0;
	goto out;
dbfail:
	m->dbfail = 1;
	*err = m->dberr;
out:
	if (curopen)
		fx_cur_close(&cur);
	fx_entity_release(&e);
	fx_entity_release(&h);
	fx_entity_release(&f);
	return rc;
}

/*
 * Take a value of user o for the file's employee login: drop it from o's
 * record (and audit that), for claim below.
 */
static int
release(struct imp *m, const char *now, struct fx_user *o, enum fx_kind k,
    const char *key)
{
	struct fx_buf b1 = { NULL, 0, 0 }, b2 = { NULL, 0, 0 };
	char k2[EMAIL_MAX * 4 + 1];
	size_t i, n = 0;
	int rc = -1;

	if (k == FX_K_IDX_UNIX) {
		if (audit(m, "user.set", o->login, "unix_login", o->unix_login,
		    "") == -1)
			return -1;
		free(o->unix_login);
		o->unix_login = fx_strdup("");
	} else {
		join(&b1, o->emails, o->nemails);
		for (i = 0; i < o->nemails; i++) {
			email_key(o->emails[i], k2, sizeof(k2));
			if (strcmp(k2, key) == 0)
				free(o->emails[i]);
			else
				o->emails[n++] = o->emails[i];
		}
		o->nemails = n;
		join(&b2, o->emails, o->nemails);
		if (audit(m, "user.set", o->login, "emails", b1.p, b2.p) == -1)
			goto out;
	}
	free(o->updated);
	o->updated = fx_strdup(now);
	rc = fx_db_putrec(m->txn, FX_K_USER, o->login, strlen(o->login),
	    &fx_rt_user, o, &m->rec, &m->dberr);
out:
	fx_buf_release(&b1);
	fx_buf_release(&b2);
	return rc;
}

/*
 * Put login under key in a unique index (e-mail, Unix login) unless
 * another user holds it: 1 if one does (*other, its login, and *odealer
 * returned new), 0 when put, -1 on a store error.  An entry naming a
 * user who is gone or no longer has the value is stale and is replaced.
 * A full file may also give away the value of a "1c" user it leaves out
 * (who is blocked as removed): that user lets go of it.
 */
static int
claim(struct cond *c, enum fx_kind k, const char *key, const char *login,
    char **other, char **odealer)
{
	struct imp *m = &c->m;
	struct fx_user o;
	const void *val;
	char k2[EMAIL_MAX * 4 + 1];
	size_t len, i;
	int r, held = 0;

	*other = *odealer = NULL;
	memset(&o, 0, sizeof(o));
	r = fx_db_get(m->txn, k, key, strlen(key), &val, &len, &m->dberr);
	if (r == -1)
		return -1;
	if (r == 0 && (len != strlen(login) || memcmp(val, login, len) != 0)) {
		*other = fx_strndup(val, len);
		r = fx_db_getrec(m->txn, FX_K_USER, *other, len, &fx_rt_user,
		    &o, &m->dberr);
		if (r == -1)
			goto fail;
		if (r == 0) {
			if (k == FX_K_IDX_UNIX)
				held = strcmp(o.unix_login, key) == 0;
			for (i = 0; k == FX_K_IDX_EMAIL && i < o.nemails &&
			    !held; i++) {
				email_key(o.emails[i], k2, sizeof(k2));
				held = strcmp(k2, key) == 0;
			}
		}
		if (held && m->full && strcmp(o.source, "1c") == 0 &&
		    idset_get(&c->employees, o.login) == NULL) {
			if (release(m, c->now, &o, k, key) == -1)
				goto fail;
			held = 0;
		}
		if (held) {
			*odealer = o.dealer;
			o.dealer = NULL;
			fx_user_release(&o);
			return 1;
		}
		fx_user_release(&o);
		free(*other);
		*other = NULL;
	}
	return fx_db_put(m->txn, k, key, strlen(key), login, strlen(login),
	    &m->dberr);
fail:
	fx_user_release(&o);
	free(*other);
	*other = NULL;
	return -1;
}

/*
 * After the parse: each employee's entities are its dealer's, and its
 * e-mails and Unix login are nobody else's; then they are indexed.  The
 * store holds the whole file by now, so entities listed after the
 * employee, and index entries other employees gave up, are seen.
 */
static int
employees_final(struct cond *c, struct fx_err *err)
{
	struct imp *m = &c->m;
	struct fx_user u;
	struct fx_entity e;
	char key[EMAIL_MAX * 4 + 1], q[QSZ], q2[QSZ], q3[QSZ], q4[QSZ];
	char *other = NULL, *odealer = NULL;
	const char *what = NULL, *shown = NULL;
	size_t i, j;
	long line;
	int r, rc = -1;

	memset(&u, 0, sizeof(u));
	memset(&e, 0, sizeof(e));
	for (i = 0; i < c->employees.n; i++) {
		const char *login = c->employees.v[i].id;

		line = c->employees.v[i].line;
		r = fx_db_getrec(m->txn, FX_K_USER, login, strlen(login),
		    &fx_rt_user, &u, &m->dberr);
		if (r == -1)
			goto dbfail;
		if (r == 1)
			FX_BUG("user %s written but not found", login);
		fx_quote(q, sizeof(q), login);
		for (j = 0; j < u.nentities; j++) {
			fx_quote(q2, sizeof(q2), u.entities[j]);
			r = fx_db_getrec(m->txn, FX_K_ENTITY, u.entities[j],
			    strlen(u.entities[j]), &fx_rt_entity, &e,
			    &m->dberr);
			if (r == -1)
				goto dbfail;
			if (r == 1) {
				late_err(m, line, err, "employee \"%s\": "
				    "unknown entity \"%s\"", q, q2);
				goto out;
			}
			if (strcmp(e.dealer, u.dealer) != 0) {
				late_err(m, line, err, "employee \"%s\": "
				    "entity \"%s\" belongs to dealer \"%s\"", q,
				    q2, fx_quote(q3, sizeof(q3), e.dealer));
				goto out;
			}
			fx_entity_release(&e);
		}
		for (j = 0; j < u.nemails; j++) {
			email_key(u.emails[j], key, sizeof(key));
			if ((r = claim(c, FX_K_IDX_EMAIL, key, login, &other,
			    &odealer)) == -1)
				goto dbfail;
			if (r == 1) {
				what = "e-mail";
				shown = u.emails[j];
				goto taken;
			}
		}
		if (u.unix_login[0] != '\0') {
			if ((r = claim(c, FX_K_IDX_UNIX, u.unix_login, login,
			    &other, &odealer)) == -1)
				goto dbfail;
			if (r == 1) {
				what = "Unix login";
				shown = u.unix_login;
				goto taken;
			}
		}
		fx_user_release(&u);
	}
	rc = 0;
	goto out;
taken:
	fx_quote(q2, sizeof(q2), shown);
	fx_quote(q3, sizeof(q3), other);
	if (strcmp(odealer, u.dealer) != 0)
		late_err(m, line, err, "employee \"%s\": %s \"%s\" is already "
		    "used by user \"%s\" of dealer \"%s\"", q, what, q2, q3,
		    fx_quote(q4, sizeof(q4), odealer));
	else
		late_err(m, line, err, "employee \"%s\": %s \"%s\" is already "
		    "used by user \"%s\"", q, what, q2, q3);
	goto out;
dbfail:
	m->dbfail = 1;
	*err = m->dberr;
out:
	free(other);
	free(odealer);
	fx_user_release(&u);
	fx_entity_release(&e);
	return rc;
}

/*
 * A full file lists every employee 1C has: a "1c" user it leaves out has
 * left, and is blocked, not deleted, so that its orders and claims keep
 * their author.  Users made in formix are not 1C's to block.
 */
static int
employees_block_removed(struct cond *c, struct fx_err *err)
{
	struct imp *m = &c->m;
	struct fx_cur cur;
	struct fx_user u;
	MDB_val kv, vv;
	char **gone = NULL;
	size_t n = 0, cap = 0, i;
	int r, rc = -1;

	memset(&u, 0, sizeof(u));
	if (!m->full)
		return 0;
	if (fx_cur_open(m->txn, FX_K_USER, &cur, &m->dberr) == -1)
		goto dbfail;
	for (r = fx_cur_first(&cur, &kv, &vv, &m->dberr); r == 0;
	    r = fx_cur_next(&cur, &kv, &vv, &m->dberr)) {
		if (fx_rec_decode(vv.mv_data, vv.mv_size, &fx_rt_user, &u,
		    &m->dberr) == -1) {
			r = -1;
			break;
		}
		if (strcmp(u.source, "1c") == 0 && !u.blocked &&
		    idset_get(&c->employees, u.login) == NULL) {
			gone = fx_grow(gone, &cap, n + 1, sizeof(*gone));
			gone[n++] = u.login;
			u.login = NULL;
		}
		fx_user_release(&u);
	}
	fx_cur_close(&cur);
	if (r == -1)
		goto dbfail;
	for (i = 0; i < n; i++) {
		r = fx_db_getrec(m->txn, FX_K_USER, gone[i], strlen(gone[i]),
		    &fx_rt_user, &u, &m->dberr);
		if (r == -1)
			goto dbfail;
		if (r == 1)
			FX_BUG("user %s listed but not found", gone[i]);
		if (audit(m, "user.block", u.login, "blocked", "no",
		    "yes") == -1 ||
		    audit(m, "user.block", u.login, "blocked_reason",
		    u.blocked_reason, REMOVED) == -1)
			goto dbfail;
		u.blocked = 1;
		free(u.blocked_reason);
		u.blocked_reason = fx_strdup(REMOVED);
		free(u.updated);
		u.updated = fx_strdup(c->now);
		if (fx_db_putrec(m->txn, FX_K_USER, u.login, strlen(u.login),
		    &fx_rt_user, &u, &m->rec, &m->dberr) == -1)
			goto dbfail;
		fx_user_release(&u);
	}
	rc = 0;
	goto out;
dbfail:
	m->dbfail = 1;
	*err = m->dberr;
out:
	fx_user_release(&u);
	for (i = 0; i < n; i++)
		free(gone[i]);
	free(gone);
	return rc;
}

static void
imp_init(struct imp *m, struct fx_ctx *ctx, struct fx_txn *txn,
    const char *path, struct fx_import_stats *st)
{
	memset(m, 0, sizeof(*m));
	m->ctx = ctx;
	m->txn = txn;
	m->path = path;
	m->st = st;
}

static void
imp_release(struct imp *m)
{
	fx_buf_release(&m->key);
	fx_buf_release(&m->key2);
	fx_buf_release(&m->rec);
}

/* After a clean parse: the root was there, the as-of time recorded. */
static int
imp_finish(struct imp *m, const char *root, const char *meta,
    struct fx_err *err)
{
	if (!m->root_seen)
		return fx_err_setloc(err, FX_EDATA, m->path, 0, 0, "root "
		    "element is not <%s>", root);
	if (fx_meta_put(m->txn, meta, m->generated, err) == -1)
		return -1;
	return 0;
}

int
fx_cond_import(struct fx_ctx *ctx, struct fx_txn *txn, const char *path,
    struct fx_import_stats *st, struct fx_err *err)
{
	static const struct fx_xml_ops ops = {
		.names = cond_names, .nnames = nitems(cond_names),
		.start = cond_start, .end = cond_end
	};
	struct fx_import_stats dummy;
	struct cond c;
	int rc = -1;

	if (st == NULL) {
		memset(&dummy, 0, sizeof(dummy));
		st = &dummy;
	}
	memset(&c, 0, sizeof(c));
	imp_init(&c.m, ctx, txn, path, st);
	fx_now_iso(c.now, sizeof(c.now));
	if (fx_xml_parse(path, &ops, &c, err) == -1) {
		finish_err(&c.m, err);
		goto out;
	}
	if (cond_final(&c, err) == -1 || employees_final(&c, err) == -1 ||
	    employees_block_removed(&c, err) == -1)
		goto out;
	rc = imp_finish(&c.m, cond_names[C_ROOT], "conditions_asof", err);
out:
	free(c.dealer);
	entity_clear(&c);
	free(c.disc);
	idset_release(&c.dealers);
	idset_release(&c.entities);
	idset_release(&c.groups);
	idset_release(&c.employees);
	idset_release(&c.emails);
	idset_release(&c.unixes);
	fx_map_release(&c.reqs, free);
	imp_release(&c.m);
	return rc;
}

/*
 * Incoming deliveries.
 */

enum { V_ROOT, V_DELIVERY, V_LINE, V_N };
static const char *const deliv_names[] = {
	"formix-deliveries", "delivery", "line"
};

enum { VA_ID, VA_DATE, VA_WAREHOUSE, VA_DELETED, VA_COMMENT, VA_N };
static const char *const delivery_attrs[] = {
	"id", "date", "warehouse", "deleted", "comment"
};

enum { LA_PRODUCT, LA_ARTICLE, LA_QTY, LA_N };
static const char *const line_attrs[] = { "product", "article", "qty" };

struct deliv {
	struct imp	 m;
	int		 in_delivery;
	int		 deleted;
	long		 line;		/* of the <delivery> start tag */
	struct fx_delivery d;
	int64_t		*qty;		/* per product, parallel to lines */
	size_t		 qtycap;
	struct idset	 ids, lines;	/* aux: index into qty */
};

/* Remove a delivery and its lines from the store (nothing if absent). */
static int
deliv_remove(struct deliv *v, const char *id)
{
	struct imp *m = &v->m;
	struct fx_delivery old;
	size_t i;
	int r;

	r = fx_db_getrec(m->txn, FX_K_DELIVERY, id, strlen(id),
	    &fx_rt_delivery, &old, &m->dberr);
	if (r == -1)
		return -1;
	if (r == 1)
		return 0;
	for (i = 0; i < old.nproducts; i++) {
		fx_buf_reset(&m->key);
		fx_buf_key(&m->key, old.products[i], old.date, id, NULL);
		if (fx_db_del(m->txn, FX_K_DLINE, m->key.p, m->key.len, NULL, 0,
		    &m->dberr) == -1) {
			fx_rec_release(&fx_rt_delivery, &old);
			return -1;
		}
	}
	fx_rec_release(&fx_rt_delivery, &old);
	return fx_db_del(m->txn, FX_K_DELIVERY, id, strlen(id), NULL, 0,
	    &m->dberr);
}

static void
delivery_clear(struct deliv *v)
{
	fx_rec_release(&fx_rt_delivery, &v->d);
	idset_reset(&v->lines);
	v->in_delivery = 0;
	v->deleted = 0;
}

static int
delivery_start(struct fx_xml *x, struct deliv *v, const struct fx_xml_attr *a,
    size_t na)
{
	struct ident *old;
	char *s[VA_N], q[QSZ];
	const char *id;
	int r, rc = -1;

	get_attrs(a, na, delivery_attrs, s, VA_N);
	if (need(x, "delivery", NULL, s, delivery_attrs, VA_ID) == -1 ||
	    id_ok(x, "delivery", "id", s[VA_ID]) == -1)
		goto out;
	id = s[VA_ID];
	if (idset_add(&v->ids, id, fx_xml_line(x), &old) == NULL) {
		elem_err(x, "delivery", id, "listed twice (first at line %ld)",
		    old->line);
		goto out;
	}
	if (parse_bool(s[VA_DELETED], &v->deleted) == -1) {
		elem_err(x, "delivery", id, "deleted \"%s\" must be true or "
		    "false", fx_quote(q, sizeof(q), s[VA_DELETED]));
		goto out;
	}
	if (v->deleted) {
		/* Its lines, if any, are not read: the delivery is gone. */
		if (!v->m.full && deliv_remove(v, id) == -1) {
			dbfail(x, &v->m);
			goto out;
		}
		v->in_delivery = 1;
		rc = 0;
		goto out;
	}
	if (need(x, "delivery", id, s, delivery_attrs, VA_DATE) == -1)
		goto out;
	if (fx_date_check(s[VA_DATE]) == -1) {
		elem_err(x, "delivery", id, "date \"%s\" is not a date "
		    "(YYYY-MM-DD)", fx_quote(q, sizeof(q), s[VA_DATE]));
		goto out;
	}
	if (s[VA_WAREHOUSE] != NULL && s[VA_WAREHOUSE][0] != '\0') {
		if (id_ok(x, "delivery", "warehouse", s[VA_WAREHOUSE]) == -1)
			goto out;
		if ((r = exists(&v->m, FX_K_WAREHOUSE, s[VA_WAREHOUSE])) ==
		    -1) {
			dbfail(x, &v->m);
			goto out;
		}
		if (r == 0) {
			elem_err(x, "delivery", id, "unknown warehouse \"%s\"",
			    fx_quote(q, sizeof(q), s[VA_WAREHOUSE]));
			goto out;
		}
	}
	memset(&v->d, 0, sizeof(v->d));
	v->d.id = take(s, VA_ID);
	v->d.date = take(s, VA_DATE);
	v->d.warehouse = take(s, VA_WAREHOUSE);
	v->d.comment = take(s, VA_COMMENT);
	v->in_delivery = 1;
	v->line = fx_xml_line(x);
	idset_reset(&v->lines);
	rc = 0;
out:
	free_attrs(s, VA_N);
	return rc;
}

/* Resolve an article to its one product.  0, or -1 with the error set. */
static int
by_article(struct fx_xml *x, struct deliv *v, const char *art, char **out)
{
	struct fx_cur cur;
	MDB_val kv, vv;
	char norm[512], q[QSZ];
	size_t n = 0;
	int r;

	*out = NULL;
	if (fx_article_norm(art, norm, sizeof(norm)) == -1 || norm[0] == '\0')
		return elem_err(x, "delivery", v->d.id, "unknown article "
		    "\"%s\"", fx_quote(q, sizeof(q), art));
	if (fx_cur_open(v->m.txn, FX_K_IDX_ARTICLE, &cur, &v->m.dberr) == -1)
		return dbfail(x, &v->m);
	for (r = fx_cur_dup_first(&cur, norm, strlen(norm), &kv, &vv,
	    &v->m.dberr); r == 0; r = fx_cur_dup_next(&cur, &kv, &vv,
	    &v->m.dberr)) {
		if (n++ == 0)
			*out = fx_strndup(vv.mv_data, vv.mv_size);
	}
	fx_cur_close(&cur);
	if (r == -1) {
		free(*out);
		*out = NULL;
		return dbfail(x, &v->m);
	}
	if (n == 1)
		return 0;
	free(*out);
	*out = NULL;
	if (n == 0)
		return elem_err(x, "delivery", v->d.id, "unknown article "
		    "\"%s\"", fx_quote(q, sizeof(q), art));
	/* Never guess which one was meant. */
	return elem_err(x, "delivery", v->d.id, "ambiguous article \"%s\": "
	    "%zu products", fx_quote(q, sizeof(q), art), n);
}

static int
line_start(struct fx_xml *x, struct deliv *v, const struct fx_xml_attr *a,
    size_t na)
{
	struct ident *e, *old;
	char *s[LA_N], *product = NULL, q[QSZ];
	const char *id = v->d.id;
	int64_t qty;
	int r, rc = -1;

	if (v->deleted)
		return 0;
	get_attrs(a, na, line_attrs, s, LA_N);
	if (need(x, "delivery", id, s, line_attrs, LA_QTY) == -1)
		goto out;
	if (fx_qty_parse(s[LA_QTY], &qty) == -1) {
		if (fx_decimals_over(s[LA_QTY], 3))
			elem_err(x, "delivery", id, "qty \"%s\" has more "
			    "than three decimals",
			    fx_quote(q, sizeof(q), s[LA_QTY]));
		else
			elem_err(x, "delivery", id, "qty \"%s\" is not a "
			    "number", fx_quote(q, sizeof(q), s[LA_QTY]));
		goto out;
	}
	if (qty <= 0) {
		elem_err(x, "delivery", id, "qty \"%s\" must be greater than "
		    "zero", fx_quote(q, sizeof(q), s[LA_QTY]));
		goto out;
	}
	if (s[LA_PRODUCT] != NULL && s[LA_PRODUCT][0] != '\0') {
		/* By Ид: exact; an article beside it is only a label. */
		if (id_ok(x, "line", "product", s[LA_PRODUCT]) == -1)
			goto out;
		if ((r = exists(&v->m, FX_K_PRODUCT, s[LA_PRODUCT])) == -1) {
			dbfail(x, &v->m);
			goto out;
		}
		if (r == 0) {
			elem_err(x, "delivery", id, "unknown product \"%s\"",
			    fx_quote(q, sizeof(q), s[LA_PRODUCT]));
			goto out;
		}
		product = take(s, LA_PRODUCT);
	} else if (s[LA_ARTICLE] != NULL && s[LA_ARTICLE][0] != '\0') {
		if (by_article(x, v, s[LA_ARTICLE], &product) == -1)
			goto out;
	} else {
		elem_err(x, "delivery", id, "line without a product or an "
		    "article");
		goto out;
	}

	/* The same product twice: one line with the sum. */
	if ((e = idset_add(&v->lines, product, fx_xml_line(x), &old)) ==
	    NULL) {
		if (v->qty[old->aux] > INT64_MAX - qty) {
			elem_err(x, "delivery", id, "qty of product \"%s\" too "
			    "large", fx_quote(q, sizeof(q), product));
			goto out;
		}
		v->qty[old->aux] += qty;
	} else {
		e->aux = v->lines.n - 1;
		v->qty = fx_grow(v->qty, &v->qtycap, v->lines.n,
		    sizeof(*v->qty));
		v->qty[e->aux] = qty;
	}
	rc = 0;
out:
	free(product);
	free_attrs(s, LA_N);
	return rc;
}

static int
delivery_end(struct fx_xml *x, struct deliv *v)
{
	struct imp *m = &v->m;
	struct fx_dline dl;
	char q[QSZ];
	size_t i, n = v->lines.n;
	int rc = -1;

	if (v->deleted) {
		delivery_clear(v);
		return 0;
	}
	if (n == 0) {
		/* Reported where the delivery starts, not where it ends. */
		fx_quote(q, sizeof(q), v->d.id);
		return fx_xml_err_at(x, v->line, FX_EDATA, "delivery \"%s\": "
		    "has no lines", q);
	}
	if (!m->full && deliv_remove(v, v->d.id) == -1)
		return dbfail(x, m);
	v->d.products = fx_calloc(n, sizeof(*v->d.products));
	for (i = 0; i < n; i++)
		v->d.products[i] = fx_strdup(v->lines.v[i].id);
	v->d.nproducts = n;
	if (fx_db_putrec(m->txn, FX_K_DELIVERY, v->d.id, strlen(v->d.id),
	    &fx_rt_delivery, &v->d, &m->rec, &m->dberr) == -1)
		goto dbfail;
	dl.warehouse = v->d.warehouse;
	for (i = 0; i < n; i++) {
		fx_buf_reset(&m->key);
		fx_buf_key(&m->key, v->d.products[i], v->d.date, v->d.id, NULL);
		dl.qty = v->qty[i];
		if (fx_db_putrec(m->txn, FX_K_DLINE, m->key.p, m->key.len,
		    &fx_rt_dline, &dl, &m->rec, &m->dberr) == -1)
			goto dbfail;
	}
	m->st->deliveries++;
	m->st->dlines += n;
	rc = 0;
	goto out;
dbfail:
	dbfail(x, m);
out:
	delivery_clear(v);
	return rc;
}

static int
deliv_start(struct fx_xml *x, void *u, int tok, const struct fx_xml_attr *a,
    size_t na)
{
	struct deliv *v = u;
	struct imp *m = &v->m;
	int up = fx_xml_up(x, 1);

	if (up == -2) {
		if (root_start(x, m, deliv_names[V_ROOT], tok, V_ROOT, a,
		    na) == -1)
			return -1;
		if (m->full && (fx_db_clear(m->txn, FX_K_DELIVERY,
		    &m->dberr) == -1 ||
		    fx_db_clear(m->txn, FX_K_DLINE, &m->dberr) == -1))
			return dbfail(x, m);
		return 0;
	}
	switch (tok) {
	case V_DELIVERY:
		if (up != V_ROOT)
			return fx_xml_err(x, FX_EDATA, "<delivery> outside "
			    "<formix-deliveries>");
		return delivery_start(x, v, a, na);
	case V_LINE:
		if (up != V_DELIVERY)
			return fx_xml_err(x, FX_EDATA, "<line> outside "
			    "<delivery>");
		return line_start(x, v, a, na);
	default:
		return 0;
	}
}

static int
deliv_end(struct fx_xml *x, void *u, int tok, const char *text, size_t len)
{
	struct deliv *v = u;

	(void)text;
	(void)len;
	if (tok == V_DELIVERY && v->in_delivery && fx_xml_up(x, 1) == V_ROOT)
		return delivery_end(x, v);
	return 0;
}

int
fx_deliv_import(struct fx_ctx *ctx, struct fx_txn *txn, const char *path,
    struct fx_import_stats *st, struct fx_err *err)
{
	static const struct fx_xml_ops ops = {
		.names = deliv_names, .nnames = nitems(deliv_names),
		.start = deliv_start, .end = deliv_end
	};
	struct fx_import_stats dummy;
	struct deliv v;
	int rc = -1;

	if (st == NULL) {
		memset(&dummy, 0, sizeof(dummy));
		st = &dummy;
	}
	memset(&v, 0, sizeof(v));
	imp_init(&v.m, ctx, txn, path, st);
	if (fx_xml_parse(path, &ops, &v, err) == -1) {
		finish_err(&v.m, err);
		goto out;
	}
	rc = imp_finish(&v.m, deliv_names[V_ROOT], "deliveries_asof", err);
out:
	delivery_clear(&v);
	free(v.qty);
	idset_release(&v.ids);
	idset_release(&v.lines);
	imp_release(&v.m);
	return rc;
}
