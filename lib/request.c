/*
 * request.c -- requests for new legal entities: a dealer asks, staff
 * decide, 1C registers.
 *
 * A request is one record in the store (requests: "R000001" -> rec
 * fx_request) whose status moves only forward:
 *
 *	pending --approve--> approved --1C sends the entity--> registered
 *	        --reject---> rejected
 *
 * Each move appends a history entry "when|who|status|comment" (the
 * comment is last and may itself hold '|') and is audited in the same
 * transaction.  Ids come from meta "request_seq" in the transaction that
 * files the request, so they are dense and never reused.
 *
 * Approval hands the request to 1C as formix XML (formix-xml(5)) in the
 * spool's 1c/out, written by the durable file protocol (spool.c), and
 * only then commits the status change.  The order matters for a crash:
 *  - the file is written and the commit fails (or the process dies): the
 *    request is still pending, and approving it again rewrites the same
 *    file name, entity-request-R000001.xml.  1C may so see the same
 *    request id twice, and must treat the id as the key (register it
 *    once);
 *  - the other order could commit "approved" with no file ever written,
 *    and nothing would tell anyone: a request lost.
 * Registration (cond.c) also accepts a pending request, so one whose
 * approval was written but not committed is still closed when 1C sends
 * the entity back.
 *
 * Who may do what is decided by the one access check (fx_acl_check_txn):
 * FX_ACT_REQUEST for filing (staff, or a user of that dealer allowed to),
 * FX_ACT_STAFF for deciding.  Lists show staff everything and a dealer's
 * user the requests of its own dealer, the user read afresh (a user
 * blocked since it was resolved sees nothing).  Another dealer's entity
 * or request is never named in a refusal to a dealer's user.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

#define QSZ		96	/* a quoted value in a message */
#define TEXT_MAX	1000	/* bytes of a name, address, bank, reason */
#define SPOOL_OUT	"1c/out"

static const char *const statuses[] = {
	"pending", "approved", "rejected", "registered"
};

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

static int
status_ok(const char *s)
{
	size_t i;

	for (i = 0; i < nitems(statuses); i++)
		if (strcmp(s, statuses[i]) == 0)
			return 1;
	return 0;
}

/* A new copy of s without white space at either end. */
static char *
trimdup(const char *s)
{
	size_t b = 0, n;

	s = nz(s);
	n = strlen(s);
	while (b < n && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' ||
	    s[b] == '\r'))
		b++;
	while (n > b && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return fx_strndup(s + b, n - b);
}

/*
 * The length of the UTF-8 character at p (shortest form, no surrogates,
 * at most U+10FFFF), or 0 if it is not one.  *cp gets the code point.
 */
static size_t
utf8_char(const unsigned char *p, unsigned long *cp)
{
	unsigned long c;
	size_t n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the NUL */
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

/*
 * Text a person typed, kept and later written for 1C: valid UTF-8,
 * without control characters (one line), at most max bytes.
 */
static int
text_check(const char *what, const char *s, size_t max, struct fx_err *err)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long c;
	size_t n;
	char q[QSZ];

	if (strlen(s) > max)
		return fx_err_set(err, FX_EDATA, "%s is longer than %zu bytes",
		    what, max);
	while (*p != '\0') {
		if ((n = utf8_char(p, &c)) == 0)
			return fx_err_set(err, FX_EDATA, "%s \"%s\" is not "
			    "valid UTF-8", what, fx_quote(q, sizeof(q), s));
		if (c < 0x20 || (c >= 0x7f && c < 0xa0))
			return fx_err_set(err, FX_EDATA, "%s \"%s\" contains a "
			    "control character", what,
			    fx_quote(q, sizeof(q), s));
		p += n;
	}
	return 0;
}

/* Exactly n digits, or empty when optional. */
static int
digits_check(const char *what, const char *s, size_t n, struct fx_err *err)
{
	char q[QSZ];
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isdig((unsigned char)s[i]))
			break;
	if (s[i] != '\0' || i != n)
		return fx_err_set(err, FX_EDATA, "%s \"%s\" must be %zu digits",
		    what, fx_quote(q, sizeof(q), s), n);
	return 0;
}

/* " name=\"value\"" on a line of its own; -1 if value cannot be XML. */
static int
xml_put(struct fx_buf *b, const char *name, const char *value,
    const char *id, struct fx_err *err)
{
	char q[QSZ];

	fx_buf_addf(b, "\n      %s=\"", name);
	if (fx_xml_attr_value(b, nz(value)) == -1)
		return fx_err_set(err, FX_EDATA, "request %s: %s \"%s\" cannot "
		    "be written as XML", id, name,
		    fx_quote(q, sizeof(q), value));
	fx_buf_addc(b, '"');
	return 0;
}

/* The request as formix XML for 1C: <formix-entity-requests>. */
static int
request_xml(struct fx_buf *b, const struct fx_request *r, const char *by,
    const char *at, struct fx_err *err)
{
	const char *id = r->id;

	fx_buf_reset(b);
	fx_buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<formix-entity-requests version=\"1\" generated=\"");
	if (fx_xml_attr_value(b, at) == -1)
		FX_BUG("time \"%s\" is not XML", at);
	fx_buf_adds(b, "\">\n  <request");
	if (xml_put(b, "id", r->id, id, err) == -1 ||
	    xml_put(b, "dealer", r->dealer, id, err) == -1 ||
	    xml_put(b, "name", r->name, id, err) == -1 ||
	    xml_put(b, "inn", r->inn, id, err) == -1 ||
	    xml_put(b, "kpp", r->kpp, id, err) == -1 ||
	    xml_put(b, "address", r->address, id, err) == -1 ||
	    xml_put(b, "bank", r->bank, id, err) == -1 ||
	    xml_put(b, "bik", r->bik, id, err) == -1 ||
	    xml_put(b, "account", r->account, id, err) == -1 ||
	    xml_put(b, "corr-account", r->corr_account, id, err) == -1 ||
	    xml_put(b, "requested-by", r->requested_by, id, err) == -1 ||
	    xml_put(b, "approved-by", by, id, err) == -1 ||
	    xml_put(b, "approved-at", at, id, err) == -1)
		return -1;
	fx_buf_adds(b, "/>\n</formix-entity-requests>\n");
	return 0;
}

/* Append "when|who|status|comment" to the request's history. */
static void
history_add(struct fx_request *r, const char *when, const char *who,
    const char *status, const char *comment)
{
	struct fx_buf b = { NULL, 0, 0 };

	fx_buf_addf(&b, "%s|%s|%s|%s", when, who, status, comment);
	r->history = fx_realloc(r->history, (r->nhistory + 1) *
	    sizeof(*r->history));
	r->history[r->nhistory++] = fx_strdup(fx_buf_str(&b));
	fx_buf_release(&b);
}

/* Replace a decoded string field. */
static void
set_str(char **field, const char *v)
{
	free(*field);
	*field = fx_strdup(v);
}

/*
 * Which requests the actor sees: 1 all (staff), 0 those of *dealer (its
 * own, returned new), -1 none (err set: not resolved, blocked or gone,
 * as fx_acl_actor reads the actor afresh; or a store error).
 */
static int
sees(struct fx_ctx *ctx, struct fx_txn *txn, char **dealer,
    struct fx_err *err)
{
	struct fx_user me;

	*dealer = NULL;
	if (fx_acl_actor(ctx, txn, &me, err) == -1)
		return -1;
	if (ctx->actor.staff)
		return 1;
	*dealer = me.dealer;
	me.dealer = NULL;
	fx_user_release(&me);
	return 0;
}

/*
 * The entity registered with this INN and KPP, if any: 1 found (*entity
 * new), 0 none, -1 store error.  The INN index may hold several entities
 * (one per KPP); an index entry without its entity is stale and skipped.
 */
static int
find_entity(struct fx_txn *txn, const char *inn, const char *kpp,
    char **entity, struct fx_err *err)
{
	struct fx_cur cur;
	struct fx_entity e;
	MDB_val kv, vv;
	int r, found = 0;

	*entity = NULL;
	if (fx_cur_open(txn, FX_K_IDX_INN, &cur, err) == -1)
		return -1;
	for (r = fx_cur_dup_first(&cur, inn, strlen(inn), &kv, &vv, err);
	    r == 0; r = fx_cur_dup_next(&cur, &kv, &vv, err)) {
		r = fx_db_getrec(txn, FX_K_ENTITY, vv.mv_data, vv.mv_size,
		    &fx_rt_entity, &e, err);
		if (r == -1)
			break;
		if (r == 1)
			continue;
		if (strcmp(e.kpp, kpp) == 0) {
			*entity = e.id;
			e.id = NULL;
			found = 1;
		}
		fx_entity_release(&e);
		if (found)
			break;
	}
	fx_cur_close(&cur);
	if (r == -1)
		return -1;
	return found;
}

/*
 * An open request (pending or approved) for this INN and KPP: 1 found
 * (*req filled), 0 none, -1 store error.  Requests are few: a scan.
 */
static int
find_open(struct fx_txn *txn, const char *inn, const char *kpp,
    struct fx_request *req, struct fx_err *err)
{
	struct fx_cur cur;
	MDB_val kv, vv;
	int r;

	if (fx_cur_open(txn, FX_K_REQUEST, &cur, err) == -1)
		return -1;
	for (r = fx_cur_first(&cur, &kv, &vv, err); r == 0;
	    r = fx_cur_next(&cur, &kv, &vv, err)) {
		if (fx_rec_decode(vv.mv_data, vv.mv_size, &fx_rt_request, req,
		    err) == -1) {
			r = -1;
			break;
		}
		if ((strcmp(req->status, "pending") == 0 ||
		    strcmp(req->status, "approved") == 0) &&
		    strcmp(req->inn, inn) == 0 && strcmp(req->kpp, kpp) == 0)
			break;
		fx_request_release(req);
	}
	fx_cur_close(&cur);
	if (r == -1)
		return -1;
	return r == 0;
}

/* INN "X" KPP "Y", or INN "X" for a sole trader, for messages. */
static void
innkpp(char *buf, size_t sz, const char *inn, const char *kpp)
{
	char q[QSZ], q2[QSZ];

	if (kpp[0] == '\0')
		snprintf(buf, sz, "INN \"%s\"", fx_quote(q, sizeof(q), inn));
	else
		snprintf(buf, sz, "INN \"%s\" KPP \"%s\"",
		    fx_quote(q, sizeof(q), inn), fx_quote(q2, sizeof(q2), kpp));
}

/* Filing a request: what fx_db_write runs (and reruns on a full map). */
struct add {
	struct fx_ctx	*ctx;
	char		*dealer, *name, *inn, *kpp, *address;
	char		*bank, *bik, *account, *corr;
	char		 id[16];
};

/* The checks that need no store: forms and check digits. */
static int
add_check(struct add *a, struct fx_err *err)
{
	char q[QSZ];

	if (a->name[0] == '\0')
		return fx_err_set(err, FX_EUSAGE, "the name of the legal "
		    "entity is required");
	if (text_check("name", a->name, TEXT_MAX, err) == -1)
		return -1;
	if (a->inn[0] == '\0')
		return fx_err_set(err, FX_EUSAGE, "the INN is required");
	if (fx_inn_check(a->inn, err) == -1)
		return -1;
	if (strlen(a->inn) == 10) {
		if (a->kpp[0] == '\0')
			return fx_err_set(err, FX_EDATA, "KPP is required with "
			    "a 10-digit INN \"%s\"", a->inn);
		if (fx_kpp_check(a->kpp, err) == -1)
			return -1;
	} else if (a->kpp[0] != '\0')
		return fx_err_set(err, FX_EDATA, "KPP \"%s\" must be empty "
		    "with a 12-digit INN \"%s\" (a sole trader has none)",
		    fx_quote(q, sizeof(q), a->kpp), a->inn);
	if (a->address[0] == '\0')
		return fx_err_set(err, FX_EUSAGE, "the legal address is "
		    "required");
	if (text_check("address", a->address, TEXT_MAX, err) == -1 ||
	    text_check("bank", a->bank, TEXT_MAX, err) == -1)
		return -1;
	if (a->bik[0] != '\0' && digits_check("BIK", a->bik, 9, err) == -1)
		return -1;
	if (a->account[0] != '\0' &&
	    digits_check("account", a->account, 20, err) == -1)
		return -1;
	if (a->corr[0] != '\0' &&
	    digits_check("corr-account", a->corr, 20, err) == -1)
		return -1;
	return 0;
}

static int
add_fn(struct fx_txn *txn, void *arg, struct fx_err *err)
{
	struct add *a = arg;
	struct fx_ctx *ctx = a->ctx;
	struct fx_request r, old;
	struct fx_buf rec = { NULL, 0, 0 };
	char *entity = NULL, *mine = NULL, q[QSZ], what[2 * QSZ + 32];
	char seq[32], now[32], who[128], *end;
	const char *by;
	unsigned long long n;
	int all, vis, found, rc = -1;

	memset(&r, 0, sizeof(r));
	memset(&old, 0, sizeof(old));
	if (fx_acl_check_txn(ctx, txn, FX_ACT_REQUEST, NULL, a->dealer,
	    err) == -1)
		return -1;
	if ((found = fx_db_get(txn, FX_K_DEALER, a->dealer, strlen(a->dealer),
	    NULL, NULL, err)) == -1)
		return -1;
	if (found == 1)
		return fx_err_set(err, FX_ENOTFOUND, "unknown dealer \"%s\"",
		    fx_quote(q, sizeof(q), a->dealer));
	if (add_check(a, err) == -1)
		return -1;
	innkpp(what, sizeof(what), a->inn, a->kpp);

	/*
	 * Already registered, or already asked for.  Another dealer's
	 * entity or request is not named to a dealer's user: it is refused
	 * all the same, without saying whose it is.
	 */
	if ((found = find_entity(txn, a->inn, a->kpp, &entity, err)) == -1)
		return -1;
	if (found) {
		if (fx_acl_visible(ctx, txn, entity, &vis, err) == -1)
			goto out;
		if (vis)
			fx_err_set(err, FX_EDATA, "%s is already registered as "
			    "legal entity \"%s\"", what,
			    fx_quote(q, sizeof(q), entity));
		else
			fx_err_set(err, FX_EDATA, "%s is already registered",
			    what);
		goto out;
	}
	if ((found = find_open(txn, a->inn, a->kpp, &old, err)) == -1)
		goto out;
	if (found) {
		if ((all = sees(ctx, txn, &mine, err)) == -1)
			goto out;
		if (all == 1 || strcmp(old.dealer, mine) == 0)
			fx_err_set(err, FX_EDATA, "%s is already requested "
			    "(%s, %s)", what, old.id, old.status);
		else
			fx_err_set(err, FX_EDATA, "%s is already requested",
			    what);
		goto out;
	}

	/* The next id. */
	if ((found = fx_meta_get(txn, "request_seq", seq, sizeof(seq),
	    err)) == -1)
		goto out;
	n = found == 1 ? 0 : strtoull(seq, &end, 10);
	if (found == 0 && (*end != '\0' || seq[0] == '\0'))
		FX_BUG("meta request_seq \"%s\" is not a number", seq);
	snprintf(a->id, sizeof(a->id), "R%06llu", n + 1);
	snprintf(seq, sizeof(seq), "%llu", n + 1);
	if ((found = fx_db_get(txn, FX_K_REQUEST, a->id, strlen(a->id), NULL,
	    NULL, err)) == -1)
		goto out;
	if (found == 0) {
		fx_err_set(err, FX_ESOFTWARE, "request %s exists though meta "
		    "request_seq is %llu: the store is damaged", a->id, n);
		goto out;
	}
	if (fx_meta_put(txn, "request_seq", seq, err) == -1)
		goto out;

	fx_now_iso(now, sizeof(now));
	by = fx_actor_name(ctx, who, sizeof(who));
	r.id = a->id;
	r.dealer = a->dealer;
	r.name = a->name;
	r.inn = a->inn;
	r.kpp = a->kpp;
	r.address = a->address;
	r.bank = a->bank;
	r.bik = a->bik;
	r.account = a->account;
	r.corr_account = a->corr;
	r.status = (char *)"pending";
	r.reason = (char *)"";
	r.requested_by = (char *)by;
	r.created = now;
	r.updated = now;
	r.entity = (char *)"";
	history_add(&r, now, by, "pending", "");
	if (fx_db_putrec(txn, FX_K_REQUEST, r.id, strlen(r.id), &fx_rt_request,
	    &r, &rec, err) == -1)
		goto out;
	snprintf(what, sizeof(what), "%s%s%s for %s", a->inn,
	    a->kpp[0] != '\0' ? "/" : "", a->kpp, a->dealer);
	if (fx_audit_add(ctx, txn, "entity.request", r.id, "entity", "",
	    what, err) == -1)
		goto out;
	rc = 0;
out:
	if (r.nhistory > 0) {
		free(r.history[0]);
		free(r.history);
	}
	fx_request_release(&old);
	fx_buf_release(&rec);
	free(entity);
	free(mine);
	return rc;
}

int
fx_request_add(struct fx_ctx *ctx, struct fx_request *req,
    struct fx_err *err)
{
	struct add a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	/* A dealer's user asks for its own dealer unless it says otherwise. */
	if (req->dealer != NULL && req->dealer[0] != '\0')
		a.dealer = trimdup(req->dealer);
	else if (ctx->actor.resolved && !ctx->actor.staff &&
	    ctx->actor.dealer[0] != '\0')
		a.dealer = fx_strdup(ctx->actor.dealer);
	else
		a.dealer = fx_strdup("");
	a.name = trimdup(req->name);
	a.inn = trimdup(req->inn);
	a.kpp = trimdup(req->kpp);
	a.address = trimdup(req->address);
	a.bank = trimdup(req->bank);
	a.bik = trimdup(req->bik);
	a.account = trimdup(req->account);
	a.corr = trimdup(req->corr_account);
	if (a.dealer[0] == '\0')
		rc = fx_err_set(err, FX_EUSAGE, "a dealer is required");
	else
		rc = fx_db_write(ctx->db, add_fn, &a, err);
	if (rc == 0)
		req->id = fx_strdup(a.id);
	free(a.dealer);
	free(a.name);
	free(a.inn);
	free(a.kpp);
	free(a.address);
	free(a.bank);
	free(a.bik);
	free(a.account);
	free(a.corr);
	return rc == 0 ? 0 : -1;
}

int
fx_request_list(struct fx_ctx *ctx, const char *status,
    struct fx_request **vp, size_t *np, struct fx_err *err)
{
	struct fx_txn txn;
	struct fx_cur cur;
	struct fx_request *v = NULL;
	MDB_val kv, vv;
	size_t n = 0, cap = 0;
	char q[QSZ], *mine = NULL;
	int all, r, curopen = 0, rc = -1;

	*vp = NULL;
	*np = 0;
	if (status != NULL && status[0] != '\0' && !status_ok(status))
		return fx_err_set(err, FX_EUSAGE, "unknown request status "
		    "\"%s\" (pending, approved, rejected or registered)",
		    fx_quote(q, sizeof(q), status));
	if (fx_db_begin(ctx->db, 0, &txn, err) == -1)
		return -1;
	if ((all = sees(ctx, &txn, &mine, err)) == -1)
		goto out;
	if (fx_cur_open(&txn, FX_K_REQUEST, &cur, err) == -1)
		goto out;
	curopen = 1;
	for (r = fx_cur_first(&cur, &kv, &vv, err); r == 0;
	    r = fx_cur_next(&cur, &kv, &vv, err)) {
		v = fx_grow(v, &cap, n + 1, sizeof(*v));
		if (fx_rec_decode(vv.mv_data, vv.mv_size, &fx_rt_request, &v[n],
		    err) == -1) {
			r = -1;
			break;
		}
		if ((!all && strcmp(v[n].dealer, mine) != 0) ||
		    (status != NULL && status[0] != '\0' &&
		    strcmp(v[n].status, status) != 0)) {
			fx_request_release(&v[n]);
			continue;
		}
		n++;
	}
	if (r == -1)
		goto out;
	rc = 0;
out:
	if (curopen)
		fx_cur_close(&cur);
	fx_db_abort(&txn);
	free(mine);
	if (rc == -1) {
		fx_requests_free(v, n);
		return -1;
	}
	*vp = v;
	*np = n;
	return 0;
}

void
fx_requests_free(struct fx_request *v, size_t n)
{
	fx_rec_vfree(&fx_rt_request, v, n, sizeof(*v));
}

/* A staff decision: what fx_db_write runs (and reruns on a full map). */
struct decide {
	struct fx_ctx	*ctx;
	const char	*id;
	int		 approve;
	char		*reason;
	int		 written;	/* the file for 1C is out */
	char		 file[64];
};

static int
decide_fn(struct fx_txn *txn, void *arg, struct fx_err *err)
{
	struct decide *d = arg;
	struct fx_ctx *ctx = d->ctx;
	struct fx_request r;
	struct fx_buf b = { NULL, 0, 0 };
	const char *status = d->approve ? "approved" : "rejected";
	char q[QSZ], now[32], who[128], comment[96];
	const char *by;
	int found, rc = -1;

	memset(&r, 0, sizeof(r));
	if (fx_acl_check_txn(ctx, txn, FX_ACT_STAFF, NULL, NULL, err) == -1)
		return -1;
	if ((found = fx_db_getrec(txn, FX_K_REQUEST, d->id, strlen(d->id),
	    &fx_rt_request, &r, err)) == -1)
		return -1;
	if (found == 1)
		return fx_err_set(err, FX_ENOTFOUND, "unknown request \"%s\"",
		    fx_quote(q, sizeof(q), d->id));
	if (strcmp(r.status, "pending") != 0) {
		fx_err_set(err, FX_EDATA, "request \"%s\" is %s, not pending: "
		    "only a pending request can be approved or rejected",
		    r.id, r.status);
		goto out;
	}
	if (!d->approve) {
		if (d->reason[0] == '\0') {
			fx_err_set(err, FX_EUSAGE, "rejecting request %s needs "
			    "a reason", r.id);
			goto out;
		}
		if (text_check("reason", d->reason, TEXT_MAX, err) == -1)
			goto out;
	}
	fx_now_iso(now, sizeof(now));
	by = fx_actor_name(ctx, who, sizeof(who));

	/*
	 * The file first, the status after (see the top of the file).  A
	 * rerun after the map grew finds the file out already.
	 */
	if (d->approve && !d->written) {
		snprintf(d->file, sizeof(d->file), "entity-request-%s.xml",
		    r.id);
		if (request_xml(&b, &r, by, now, err) == -1 ||
		    fx_spool_write(ctx, SPOOL_OUT, d->file, b.p, b.len,
		    err) == -1)
			goto out;
		d->written = 1;
	}

	set_str(&r.status, status);
	set_str(&r.updated, now);
	if (d->approve)
		snprintf(comment, sizeof(comment), "%s/%s", SPOOL_OUT,
		    d->file);
	else
		set_str(&r.reason, d->reason);
	history_add(&r, now, by, status, d->approve ? comment : d->reason);
	if (fx_db_putrec(txn, FX_K_REQUEST, r.id, strlen(r.id), &fx_rt_request,
	    &r, &b, err) == -1)
		goto out;
	if (fx_audit_add(ctx, txn, d->approve ? "entity.approve" :
	    "entity.reject", r.id, "status", "pending", status, err) == -1)
		goto out;
	if (!d->approve && fx_audit_add(ctx, txn, "entity.reject", r.id,
	    "reason", "", d->reason, err) == -1)
		goto out;
	rc = 0;
out:
	fx_request_release(&r);
	fx_buf_release(&b);
	return rc;
}

int
fx_request_decide(struct fx_ctx *ctx, const char *id, int approve,
    const char *reason, struct fx_err *err)
{
	struct decide d;
	int rc;

	if (id == NULL || id[0] == '\0')
		return fx_err_set(err, FX_EUSAGE, "which request: an id such "
		    "as R000001 is required");
	memset(&d, 0, sizeof(d));
	d.ctx = ctx;
	d.id = id;
	d.approve = approve != 0;
	d.reason = trimdup(reason);
	rc = fx_db_write(ctx->db, decide_fn, &d, err);
	free(d.reason);
	return rc == 0 ? 0 : -1;
}
