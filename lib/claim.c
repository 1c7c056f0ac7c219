/*
 * claim.c -- claims (рекламации) on shipped goods: drafts, lines, the
 * claimable quantity, submission to 1C, line statuses and their history.
 *
 *	claims		number "C000001"	-> rec fx_claim
 *	claim_lines	number \0 line "0001"	-> rec fx_cline
 *	claim_events	number \0 seq "000001"	-> rec fx_cevent
 *	claim_files	number \0 seq "0001"	-> rec fx_cfile (attach.c)
 *	meta "claim_seq"	the last claim number given out
 *
 * A claim is made as a draft on an order: lines are added one by one,
 * found in the order's composition (fx_claim_lines), and the claim is
 * then submitted, which hands it to 1C.  The draft is what a person
 * expects of a form filled in over several steps (photos taken, lines
 * looked up); 1C sees a claim once it is whole.
 *
 * Only what was shipped can be claimed: the claimable quantity of an
 * order line is what 1C reported shipped (order1c.c) less what claim
 * lines that are not rejected already hold, drafts included -- a draft
 * line holds its quantity, or two drafts could claim the same unit and
 * one submission would then have to fail.  The check runs in the write
 * transaction that adds the line, and LMDB runs one write transaction at
 * a time: of two people claiming the last unit at once, the second sees
 * the first one's line and is told so, with the figures.
 *
 * A line's status moves new -> in_review -> accepted (replacement,
 * refund or repair) or rejected, by staff or by 1C (claim1c.c); a new
 * line may be decided without a review; a decided line is final.  Every
 * move is an event of the claim's history, audited, and adds one notice
 * to the outbox (notify.c) in the same transaction: the change and its
 * notice commit together or not at all, so a notice is never lost and
 * never made twice.  The same status again is no move: nothing is
 * recorded and nobody is told (1C may send a file twice).
 *
 * Submission, and every later move staff make, writes the claim as
 * formix XML (formix-xml(5)) to the spool's 1c/out as claim-NUMBER.xml
 * by the durable file protocol, before the change commits -- the order
 * request.c argues for: a crash between the two leaves a file for a
 * change that did not commit, which the next attempt rewrites, never a
 * committed change 1C is not told of.  1C must take the claim number as
 * the key and the latest file as the claim's state.
 *
 * Visibility is the entity's: whoever sees the order's entity sees its
 * claims, so a head sees its subsidiaries' claims, and a blocked
 * author's claims stay visible to, and workable by, the others allowed
 * to claim for the entity.  Another dealer's order or claim is "unknown".
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fx-int.h"

#define QSZ		96
#define TEXT_MAX	1000
#define SPOOL_OUT	"1c/out"
#define FOLD_MAX	1024

#define F(t, s, m)	{ t, offsetof(struct s, m), 0 }
#define FEND		{ FX_FT_END, 0, 0 }

/* The order first: claimed_of reads it in place (fx_rec_str_at). */
static const struct fx_field claim_f[] = {
	F(FX_FT_STR, fx_claim, order),
	F(FX_FT_STR, fx_claim, number), F(FX_FT_STR, fx_claim, status),
	F(FX_FT_STR, fx_claim, entity),
	F(FX_FT_STR, fx_claim, dealer), F(FX_FT_STR, fx_claim, created),
	F(FX_FT_STR, fx_claim, created_by), F(FX_FT_STR, fx_claim, submitted),
	F(FX_FT_STR, fx_claim, submitted_by), F(FX_FT_STR, fx_claim, comment),
	F(FX_FT_STR, fx_claim, doc), F(FX_FT_STR, fx_claim, updated),
	F(FX_FT_I32, fx_claim, nlines), F(FX_FT_I32, fx_claim, nfiles),
	F(FX_FT_I32, fx_claim, nevents), F(FX_FT_I64, fx_claim, size),
	FEND
};
const struct fx_rectype fx_rt_claim = { "claim", 1, claim_f };

static const struct fx_field cline_f[] = {
	F(FX_FT_I32, fx_cline, line), F(FX_FT_I32, fx_cline, order_line),
	F(FX_FT_STR, fx_cline, product), F(FX_FT_STR, fx_cline, article),
	F(FX_FT_STR, fx_cline, name), F(FX_FT_I64, fx_cline, qty),
	F(FX_FT_STR, fx_cline, reason), F(FX_FT_STR, fx_cline, comment),
	F(FX_FT_STR, fx_cline, status), F(FX_FT_STR, fx_cline, resolution),
	F(FX_FT_STR, fx_cline, status_comment),
	F(FX_FT_STR, fx_cline, updated),
	FEND
};
const struct fx_rectype fx_rt_cline = { "claim_line", 1, cline_f };

static const struct fx_field cevent_f[] = {
	F(FX_FT_I32, fx_cevent, line), F(FX_FT_STR, fx_cevent, at),
	F(FX_FT_STR, fx_cevent, by), F(FX_FT_STR, fx_cevent, from),
	F(FX_FT_STR, fx_cevent, to), F(FX_FT_STR, fx_cevent, resolution),
	F(FX_FT_STR, fx_cevent, comment), F(FX_FT_STR, fx_cevent, notice),
	FEND
};
const struct fx_rectype fx_rt_cevent = { "claim_event", 1, cevent_f };

static const struct fx_field cfile_f[] = {
	F(FX_FT_I32, fx_cfile, seq), F(FX_FT_I32, fx_cfile, line),
	F(FX_FT_STR, fx_cfile, name), F(FX_FT_STR, fx_cfile, sha256),
	F(FX_FT_STR, fx_cfile, type), F(FX_FT_I64, fx_cfile, size),
	F(FX_FT_STR, fx_cfile, at), F(FX_FT_STR, fx_cfile, by),
	FEND
};
const struct fx_rectype fx_rt_cfile = { "claim_file", 1, cfile_f };

static const char *const line_statuses[] = {
	"new", "in_review", "accepted", "rejected",
};
static const char *const resolutions[] = {
	"replacement", "refund", "repair",
};

void
fx_claim_release(struct fx_claim *c)
{
	if (c != NULL)
		fx_rec_release(&fx_rt_claim, c);
}

void
fx_claims_free(struct fx_claim *v, size_t n)
{
	fx_rec_vfree(&fx_rt_claim, v, n, sizeof(*v));
}

void
fx_cline_release(struct fx_cline *l)
{
	if (l != NULL)
		fx_rec_release(&fx_rt_cline, l);
}

void
fx_cfiles_free(struct fx_cfile *v, size_t n)
{
	fx_rec_vfree(&fx_rt_cfile, v, n, sizeof(*v));
}

void
fx_claim_full_release(struct fx_claim_full *f)
{
	if (f == NULL)
		return;
	fx_claim_release(&f->c);
	fx_rec_vfree(&fx_rt_cline, f->lines, f->nlines, sizeof(*f->lines));
	fx_cfiles_free(f->files, f->nfiles);
	fx_rec_vfree(&fx_rt_cevent, f->events, f->nevents,
	    sizeof(*f->events));
	memset(f, 0, sizeof(*f));
}

void
fx_claimables_free(struct fx_claimable *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].product);
		free(v[i].article);
		free(v[i].name);
	}
	free(v);
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

static void
set_str(char **p, const char *v)
{
	free(*p);
	*p = fx_strdup(nz(v));
}

static int
in_list(const char *s, const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, v[i]) == 0)
			return 1;
	return 0;
}

/* Text a person typed: bounded, valid UTF-8, one line. */
static int
text_ok(const char *what, const char *s, struct fx_err *err)
{
	const unsigned char *p;
	char tmp[8];

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

/*
 * Is reason one of claims.reasons ("a;b;c", spaces around each part
 * ignored)?  Refused with the list otherwise.
 */
int
fx_claim_reason_check(const struct fx_conf *conf, const char *reason,
    struct fx_err *err)
{
	const char *p = nz(conf->claims_reasons), *e, *b;
	size_t n = strlen(nz(reason));
	char q[QSZ];

	for (;;) {
		e = strchr(p, ';');
		if (e == NULL)
			e = p + strlen(p);
		b = e;
		while (p < b && *p == ' ')
			p++;
		while (b > p && b[-1] == ' ')
			b--;
		if (n > 0 && (size_t)(b - p) == n && memcmp(p, reason, n) == 0)
			return 0;
		if (*e == '\0')
			break;
		p = e + 1;
	}
	return fx_err_set(err, FX_EUSAGE, "unknown reason \"%s\" (claims."
	    "reasons: %s)", fx_quote(q, sizeof(q), nz(reason)),
	    nz(conf->claims_reasons));
}

/* "C000001" -> key parts. */
static void
line_key(struct fx_buf *k, const char *claim, int line)
{
	char ln[16];

	(void)snprintf(ln, sizeof(ln), "%04d", line);
	fx_buf_reset(k);
	fx_buf_key(k, claim, ln, (char *)NULL);
}

/* Every record of claim in kind, decoded in key order; *v returned new. */
static int
read_all(struct fx_txn *t, enum fx_kind kind, const struct fx_rectype *rt,
    size_t sz, const char *claim, void **vp, size_t *np, struct fx_err *err)
{
	return fx_db_read_owned(t, kind, claim, rt, sz, vp, np, err);
}

int
fx_claim_lines_read(struct fx_txn *t, const char *claim, struct fx_cline **v,
    size_t *n, struct fx_err *err)
{
	return read_all(t, FX_K_CLINE, &fx_rt_cline, sizeof(**v), claim,
	    (void **)v, n, err);
}

int
fx_claim_files_read(struct fx_txn *t, const char *claim, struct fx_cfile **v,
    size_t *n, struct fx_err *err)
{
	return read_all(t, FX_K_CFILE, &fx_rt_cfile, sizeof(**v), claim,
	    (void **)v, n, err);
}

/*
 * What claim lines hold of each line of order: claimed[i] for the order's
 * line i + 1 (nl lines), summed over lines not rejected of every claim
 * on the order.  Claims are few next to order lines: a scan of their
 * headers, then each one's lines.
 */
static int
claimed_of(struct fx_txn *t, const char *order, int64_t *claimed, size_t nl,
    struct fx_err *err)
{
	struct fx_cur cur;
	struct fx_cline *l;
	MDB_val k, v;
	const char *p;
	size_t plen, n, i;
	char *num;
	int r;

	memset(claimed, 0, nl * sizeof(*claimed));
	if (fx_cur_open(t, FX_K_CLAIM, &cur, err) == -1)
		return -1;
	for (r = fx_cur_first(&cur, &k, &v, err); r == 0;
	    r = fx_cur_next(&cur, &k, &v, err)) {
		/* The order is the first field: read it in place. */
		if (fx_rec_str_at(v.mv_data, v.mv_size, &fx_rt_claim, 0, &p,
		    &plen) == -1) {
			r = fx_err_set(err, FX_ESOFTWARE, "claim record "
			    "\"%.*s\" is damaged", (int)k.mv_size,
			    (const char *)k.mv_data);
			break;
		}
		if (plen != strlen(order) || memcmp(p, order, plen) != 0)
			continue;
		num = fx_strndup(k.mv_data, k.mv_size);
		r = fx_claim_lines_read(t, num, &l, &n, err);
		free(num);
		if (r == -1)
			break;
		for (i = 0; i < n; i++)
			if (l[i].order_line >= 1 && (size_t)l[i].order_line <=
			    nl && strcmp(l[i].status, "rejected") != 0)
				claimed[l[i].order_line - 1] += l[i].qty;
		fx_rec_vfree(&fx_rt_cline, l, n, sizeof(*l));
	}
	fx_cur_close(&cur);
	return r == -1 ? -1 : 0;
}

/* The order's lines in place of its line numbers: line i is v[i - 1]. */
static int
order_lines(struct fx_txn *t, const char *order, struct fx_oline **v,
    size_t *n, struct fx_err *err)
{
	return read_all(t, FX_K_OLINE, &fx_rt_oline, sizeof(**v), order,
	    (void **)v, n, err);
}

/* The oline numbered line, or NULL. */
static struct fx_oline *
oline_at(struct fx_oline *v, size_t n, int line)
{
	size_t i;

	if (line >= 1 && (size_t)line <= n && v[line - 1].line == line)
		return &v[line - 1];
	for (i = 0; i < n; i++)
		if (v[i].line == line)
			return &v[i];
	return NULL;
}

/*
 * The order, if the actor sees its entity: 0, or -1 with FX_ENOTFOUND
 * "unknown order" whether it is absent or not visible.  *me and *e are
 * returned new.
 */
static int
order_seen(struct fx_ctx *ctx, struct fx_txn *t, const char *number,
    struct fx_order *o, struct fx_user *me, struct fx_entity *e,
    struct fx_err *err)
{
	char q[QSZ];
	int found;

	memset(o, 0, sizeof(*o));
	memset(me, 0, sizeof(*me));
	memset(e, 0, sizeof(*e));
	if (fx_acl_actor(ctx, t, me, err) == -1)
		return -1;
	if ((found = fx_db_getrec(t, FX_K_ORDER, number, strlen(number),
	    &fx_rt_order, o, err)) == -1)
		return -1;
	if (found == 1 || fx_entity_find(ctx, t, me, o->entity, e, err) == -1) {
		if (found == 1 || err->code == FX_ENOTFOUND)
			fx_err_set(err, FX_ENOTFOUND, "unknown order \"%s\"",
			    fx_quote(q, sizeof(q), number));
		fx_order_release(o);
		return -1;
	}
	return 0;
}

/*
 * The claim, if the actor sees its entity (FX_ENOTFOUND "unknown claim"
 * otherwise).  *c returned new.
 */
int
fx_claim_seen(struct fx_ctx *ctx, struct fx_txn *t, const char *number,
    struct fx_claim *c, struct fx_err *err)
{
	struct fx_user me;
	struct fx_entity e;
	char q[QSZ];
	int found, rc = -1;

	memset(c, 0, sizeof(*c));
	memset(&e, 0, sizeof(e));
	if (fx_acl_actor(ctx, t, &me, err) == -1)
		return -1;
	if ((found = fx_db_getrec(t, FX_K_CLAIM, number, strlen(number),
	    &fx_rt_claim, c, err)) == -1)
		goto out;
	if (found == 1 || fx_entity_find(ctx, t, &me, c->entity, &e,
	    err) == -1) {
		if (found == 1 || err->code == FX_ENOTFOUND)
			fx_err_set(err, FX_ENOTFOUND, "unknown claim \"%s\"",
			    fx_quote(q, sizeof(q), number));
		fx_claim_release(c);
		goto out;
	}
	rc = 0;
out:
	fx_entity_release(&e);
	fx_user_release(&me);
	return rc;
}

/* -- a new draft ------------------------------------------------------ */

struct newarg {
	struct fx_ctx	*ctx;
	const char	*order;
	const char	*comment;
	struct fx_claim	*c;
};

static int
new_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct newarg *a = arg;
	struct fx_ctx *ctx = a->ctx;
	struct fx_order o;
	struct fx_user me;
	struct fx_entity e;
	struct fx_oline *l = NULL;
	struct fx_claim c;
	struct fx_buf rec = { NULL, 0, 0 };
	char seq[32], num[16], now[32], who[128], *end;
	unsigned long long n;
	size_t nl = 0, i;
	int found, shipped = 0, rc = -1;

	memset(&c, 0, sizeof(c));
	if (order_seen(ctx, t, a->order, &o, &me, &e, err) == -1)
		goto out;
	if (fx_acl_check_txn(ctx, t, FX_ACT_CLAIM, e.id, NULL, err) == -1)
		goto out;
	if (strcmp(o.status, "cancelled") == 0) {
		fx_err_set(err, FX_ENEGATIVE, "order %s is cancelled: nothing "
		    "was shipped to claim", o.number);
		goto out;
	}
	if (order_lines(t, o.number, &l, &nl, err) == -1)
		goto out;
	for (i = 0; i < nl; i++)
		if (l[i].shipped > 0)
			shipped = 1;
	if (!shipped) {
		fx_err_set(err, FX_ENEGATIVE, "order %s has nothing shipped "
		    "(status %s): only shipped goods can be claimed", o.number,
		    o.status);
		goto out;
	}

	if ((found = fx_meta_get(t, "claim_seq", seq, sizeof(seq),
	    err)) == -1)
		goto out;
	n = found == 1 ? 0 : strtoull(seq, &end, 10);
	if (found == 0 && (*end != '\0' || seq[0] == '\0'))
		FX_BUG("meta claim_seq \"%s\" is not a number", seq);
	(void)snprintf(num, sizeof(num), "C%06llu", n + 1);
	(void)snprintf(seq, sizeof(seq), "%llu", n + 1);
	if ((found = fx_db_get(t, FX_K_CLAIM, num, strlen(num), NULL, NULL,
	    err)) == -1)
		goto out;
	if (found == 0) {
		fx_err_set(err, FX_ESOFTWARE, "claim %s exists though meta "
		    "claim_seq is %llu: the store is damaged", num, n);
		goto out;
	}
	if (fx_meta_put(t, "claim_seq", seq, err) == -1)
		goto out;

	fx_now_iso(now, sizeof(now));
	c.number = num;
	c.status = (char *)"draft";
	c.order = o.number;
	c.entity = o.entity;
	c.dealer = o.dealer;
	c.created = now;
	c.created_by = (char *)fx_actor_name(ctx, who, sizeof(who));
	c.submitted = (char *)"";
	c.submitted_by = (char *)"";
	c.comment = (char *)nz(a->comment);
	c.doc = (char *)"";
	c.updated = now;
	if (fx_db_putrec(t, FX_K_CLAIM, num, strlen(num), &fx_rt_claim, &c,
	    &rec, err) == -1)
		goto out;
	if (fx_audit_add(ctx, t, "claim.new", num, "order", "", o.number,
	    err) == -1)
		goto out;
	/* The copy returned: decoded back, so that it owns its strings. */
	fx_claim_release(a->c);
	if (fx_rec_decode(rec.p, rec.len, &fx_rt_claim, a->c, err) == -1)
		goto out;
	rc = 0;
out:
	fx_rec_vfree(&fx_rt_oline, l, nl, sizeof(*l));
	fx_order_release(&o);
	fx_entity_release(&e);
	fx_user_release(&me);
	fx_buf_release(&rec);
	return rc;
}

int
fx_claim_new(struct fx_ctx *ctx, const char *order, const char *comment,
    struct fx_claim *c, struct fx_err *err)
{
	struct newarg a;

	memset(c, 0, sizeof(*c));
	if (order == NULL || order[0] == '\0')
		return fx_err_set(err, FX_EUSAGE, "which order: a number such "
		    "as 000001 is required");
	if (text_ok("comment", comment, err) == -1)
		return -1;
	a.ctx = ctx;
	a.order = order;
	a.comment = comment;
	a.c = c;
	if (fx_db_write(ctx->db, new_txn, &a, err) != 0) {
		fx_claim_release(c);
		return -1;
	}
	return 0;
}

/* -- searching an order ----------------------------------------------- */

/* Word characters: letters and digits of any script (bytes >= 0x80). */
static int
wordc(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/* Is w (len wl) a prefix of a word of s (folded)? */
static int
word_prefix(const char *s, const char *w, size_t wl)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		while (*p != '\0' && !wordc(*p))
			p++;
		if (*p == '\0')
			break;
		if (strncmp((const char *)p, w, wl) == 0)
			return 1;
		while (*p != '\0' && wordc(*p))
			p++;
	}
	return 0;
}

/* The query, folded and cut into words. */
struct query {
	char	 art[FOLD_MAX];		/* normalised as an article */
	char	 fold[FOLD_MAX];
	size_t	 wo[64], wl[64];	/* words of fold */
	size_t	 nw;
};

static int
query_make(struct query *q, const char *s, struct fx_err *err)
{
	const unsigned char *p;
	char qq[QSZ];
	size_t i = 0;

	memset(q, 0, sizeof(*q));
	if (fx_article_norm(s, q->art, sizeof(q->art)) == -1 ||
	    fx_fold(s, q->fold, sizeof(q->fold)) == -1)
		return fx_err_set(err, FX_EUSAGE, "query \"%s\" is not valid "
		    "UTF-8", fx_quote(qq, sizeof(qq), s));
	p = (const unsigned char *)q->fold;
	while (p[i] != '\0' && q->nw < nitems(q->wo)) {
		while (p[i] != '\0' && !wordc(p[i]))
			i++;
		if (p[i] == '\0')
			break;
		q->wo[q->nw] = i;
		while (p[i] != '\0' && wordc(p[i]))
			i++;
		q->wl[q->nw] = i - q->wo[q->nw];
		q->nw++;
	}
	return 0;
}

static int
query_match(const struct query *q, const struct fx_oline *l)
{
	char a[FOLD_MAX], n[FOLD_MAX];
	size_t i;

	if (q->art[0] == '\0')
		return 1;
	if (fx_article_norm(l->article, a, sizeof(a)) == 0 &&
	    strncmp(a, q->art, strlen(q->art)) == 0)
		return 1;
	if (q->nw == 0 || fx_fold(l->name, n, sizeof(n)) == -1)
		return 0;
	for (i = 0; i < q->nw; i++)
		if (!word_prefix(n, q->fold + q->wo[i], q->wl[i]))
			return 0;
	return 1;
}

int
fx_claim_lines(struct fx_ctx *ctx, const char *order, const char *query,
    struct fx_claimable **vp, size_t *np, struct fx_err *err)
{
	struct fx_txn t;
	struct fx_order o;
	struct fx_user me;
	struct fx_entity e;
	struct fx_oline l;
	struct fx_claimable *v = NULL;
	struct fx_cur cur;
	struct fx_buf k = { NULL, 0, 0 };
	struct query *q;
	MDB_val key, val;
	int64_t *claimed = NULL, cl;
	size_t nl, n = 0, cap = 0, plen;
	void *blk;
	int r, curopen = 0, rc = -1;

	*vp = NULL;
	*np = 0;
	q = fx_malloc(sizeof(*q));
	if (query_make(q, nz(query), err) == -1) {
		free(q);
		return -1;
	}
	if (fx_db_begin(ctx->db, 0, &t, err) == -1) {
		free(q);
		return -1;
	}
	if (order_seen(ctx, &t, order, &o, &me, &e, err) == -1)
		goto out;
	/*
	 * What claims hold, by line number: lines are numbered 1..nlines
	 * (a line numbered past that is given nothing claimed).
	 */
	nl = o.nlines > 0 ? (size_t)o.nlines : 0;
	claimed = fx_calloc(nl + 1, sizeof(*claimed));
	if (claimed_of(&t, o.number, claimed, nl, err) == -1)
		goto out;
	/*
	 * The lines read in place, each in one allocation: an order of
	 * thousands of lines is searched without a malloc per field.
	 */
	fx_buf_key(&k, o.number, "", (char *)NULL);
	plen = k.len;
	if (fx_cur_open(&t, FX_K_OLINE, &cur, err) == -1)
		goto out;
	curopen = 1;
	for (r = fx_cur_seek(&cur, k.p, plen, &key, &val, err); r == 0;
	    r = fx_cur_next(&cur, &key, &val, err)) {
		struct fx_claimable *c;

		if (key.mv_size < plen || memcmp(key.mv_data, k.p, plen) != 0)
			break;
		if (fx_rec_decode_packed(val.mv_data, val.mv_size,
		    &fx_rt_oline, &l, &blk, err) == -1) {
			r = -1;
			break;
		}
		if (!query_match(q, &l)) {
			free(blk);
			continue;
		}
		v = fx_grow(v, &cap, n + 1, sizeof(*v));
		c = &v[n++];
		cl = l.line >= 1 && (size_t)l.line <= nl ?
		    claimed[l.line - 1] : 0;
		c->line = l.line;
		c->product = fx_strdup(l.product);
		c->article = fx_strdup(l.article);
		c->name = fx_strdup(l.name);
		c->qty = l.qty;
		c->shipped = l.shipped;
		c->claimed = cl;
		c->claimable = l.shipped > cl ? l.shipped - cl : 0;
		free(blk);
	}
	if (r == -1)
		goto out;
	*vp = v;
	*np = n;
	v = NULL;
	n = 0;
	rc = 0;
out:
	if (curopen)
		fx_cur_close(&cur);
	fx_db_abort(&t);
	fx_claimables_free(v, n);
	fx_buf_release(&k);
	free(claimed);
	free(q);
	fx_order_release(&o);
	fx_entity_release(&e);
	fx_user_release(&me);
	return rc;
}

/* -- adding a line ---------------------------------------------------- */

/* The highest line number of a claim, 0 if none, -1 on error. */
static int
last_line(struct fx_txn *t, const char *claim, struct fx_err *err)
{
	struct fx_cline *l;
	size_t n, i;
	int max = 0;

	if (fx_claim_lines_read(t, claim, &l, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (l[i].line > max)
			max = l[i].line;
	fx_rec_vfree(&fx_rt_cline, l, n, sizeof(*l));
	return max;
}

struct addarg {
	struct fx_ctx	*ctx;
	const char	*claim;
	const char	*oline;
	int64_t		 qty;
	const char	*reason;
	const char	*comment;
	struct fx_cline	*l;
};

/* The order line named by s: a line number or an article of one line. */
static struct fx_oline *
oline_find(struct fx_oline *v, size_t n, const char *order, const char *s,
    struct fx_err *err)
{
	struct fx_oline *hit = NULL;
	char a[FOLD_MAX], b[FOLD_MAX], q[QSZ];
	const char *p;
	size_t i, nhit = 0;

	for (p = s; *p >= '0' && *p <= '9'; p++)
		;
	if (*p == '\0' && p != s && p - s <= 6) {
		if ((hit = oline_at(v, n, (int)strtol(s, NULL, 10))) == NULL)
			fx_err_set(err, FX_ENOTFOUND, "order %s has no line "
			    "%s (it has %zu)", order, s, n);
		return hit;
	}
	if (fx_article_norm(s, a, sizeof(a)) == -1 || a[0] == '\0') {
		fx_err_set(err, FX_EUSAGE, "\"%s\" is neither a line number "
		    "nor an article", fx_quote(q, sizeof(q), s));
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (fx_article_norm(v[i].article, b, sizeof(b)) == 0 &&
		    strcmp(a, b) == 0) {
			if (hit == NULL)
				hit = &v[i];
			nhit++;
		}
	if (nhit == 0)
		fx_err_set(err, FX_ENOTFOUND, "order %s has no line with "
		    "article \"%s\"", order, fx_quote(q, sizeof(q), s));
	else if (nhit > 1) {
		fx_err_set(err, FX_EUSAGE, "article \"%s\" is on %zu lines of "
		    "order %s: give the line number", fx_quote(q, sizeof(q), s),
		    nhit, order);
		hit = NULL;
	}
	return hit;
}

static int
add_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct addarg *a = arg;
	struct fx_ctx *ctx = a->ctx;
	struct fx_claim c;
	struct fx_oline *ol = NULL, *hit;
	struct fx_cline l;
	struct fx_buf rec = { NULL, 0, 0 }, k = { NULL, 0, 0 };
	int64_t *claimed = NULL, left, cl;
	char now[32], obj[64], q1[32], q2[32], q3[32], q4[32];
	size_t nol = 0;
	int rc = -1;

	memset(&l, 0, sizeof(l));
	fx_cline_release(a->l);		/* a rerun after the map grew */
	if (fx_claim_seen(ctx, t, a->claim, &c, err) == -1)
		return -1;
	if (fx_acl_check_txn(ctx, t, FX_ACT_CLAIM, c.entity, NULL, err) == -1)
		goto out;
	if (strcmp(c.status, "draft") != 0) {
		fx_err_set(err, FX_ENEGATIVE, "claim %s is %s: lines are added "
		    "to a draft only (file a new claim)", c.number, c.status);
		goto out;
	}
	if (order_lines(t, c.order, &ol, &nol, err) == -1)
		goto out;
	if ((hit = oline_find(ol, nol, c.order, a->oline, err)) == NULL)
		goto out;
	if (hit->shipped <= 0) {
		fx_err_set(err, FX_ENEGATIVE, "order %s line %d (%s) was not "
		    "shipped: only shipped goods can be claimed", c.order,
		    (int)hit->line, hit->article);
		goto out;
	}
	claimed = fx_calloc(nol + 1, sizeof(*claimed));
	if (claimed_of(t, c.order, claimed, nol, err) == -1)
		goto out;
	cl = hit->line >= 1 && (size_t)hit->line <= nol ?
	    claimed[hit->line - 1] : 0;
	left = hit->shipped > cl ? hit->shipped - cl : 0;
	if (a->qty > left) {
		fx_err_set(err, FX_ENEGATIVE, "order %s line %d (%s): only %s "
		    "of %s left to claim (shipped %s, claimed %s)", c.order,
		    (int)hit->line, hit->article, fx_qty_fmt(q1, sizeof(q1),
		    left), fx_qty_fmt(q2, sizeof(q2), a->qty),
		    fx_qty_fmt(q3, sizeof(q3), hit->shipped),
		    fx_qty_fmt(q4, sizeof(q4), cl));
		goto out;
	}

	fx_now_iso(now, sizeof(now));
	/* After the last line: a line removed leaves its number unused. */
	if ((l.line = last_line(t, c.number, err)) == -1)
		goto out;
	l.line++;
	l.order_line = hit->line;
	l.product = hit->product;
	l.article = hit->article;
	l.name = hit->name;
	l.qty = a->qty;
	l.reason = (char *)a->reason;
	l.comment = (char *)nz(a->comment);
	l.status = (char *)"new";
	l.resolution = (char *)"";
	l.status_comment = (char *)"";
	l.updated = now;
	line_key(&k, c.number, l.line);
	if (fx_db_putrec(t, FX_K_CLINE, k.p, k.len, &fx_rt_cline, &l, &rec,
	    err) == -1)
		goto out;
	if (fx_rec_decode(rec.p, rec.len, &fx_rt_cline, a->l, err) == -1)
		goto out;
	c.nlines++;
	set_str(&c.updated, now);
	if (fx_db_putrec(t, FX_K_CLAIM, c.number, strlen(c.number),
	    &fx_rt_claim, &c, &rec, err) == -1)
		goto out;
	(void)snprintf(obj, sizeof(obj), "%s/%d", c.number, (int)l.line);
	(void)snprintf(q1, sizeof(q1), "%d", (int)hit->line);
	if (fx_audit_add(ctx, t, "claim.add", obj, "order_line", "", q1,
	    err) == -1 ||
	    fx_audit_add(ctx, t, "claim.add", obj, "qty", "",
	    fx_qty_fmt(q2, sizeof(q2), a->qty), err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		fx_cline_release(a->l);
	fx_rec_vfree(&fx_rt_oline, ol, nol, sizeof(*ol));
	free(claimed);
	fx_claim_release(&c);
	fx_buf_release(&rec);
	fx_buf_release(&k);
	return rc;
}

int
fx_claim_add(struct fx_ctx *ctx, const char *claim, const char *oline,
    int64_t qty, const char *reason, const char *comment,
    struct fx_cline *l, struct fx_err *err)
{
	struct addarg a;

	memset(l, 0, sizeof(*l));
	if (claim == NULL || claim[0] == '\0' || oline == NULL ||
	    oline[0] == '\0')
		return fx_err_set(err, FX_EUSAGE, "a claim and an order line "
		    "are required");
	if (qty <= 0)
		return fx_err_set(err, FX_EUSAGE, "the quantity claimed must "
		    "be above zero");
	if (fx_claim_reason_check(&ctx->conf, reason, err) == -1 ||
	    text_ok("comment", comment, err) == -1)
		return -1;
	a.ctx = ctx;
	a.claim = claim;
	a.oline = oline;
	a.qty = qty;
	a.reason = reason;
	a.comment = comment;
	a.l = l;
	return fx_db_write(ctx->db, add_txn, &a, err) == 0 ? 0 : -1;
}

/* -- removing a line of a draft --------------------------------------- */

struct rmarg {
	struct fx_ctx	*ctx;
	const char	*claim;
	int		 line;
};

static int
remove_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct rmarg *a = arg;
	struct fx_ctx *ctx = a->ctx;
	struct fx_claim c;
	struct fx_cfile *f = NULL;
	struct fx_buf k = { NULL, 0, 0 }, rec = { NULL, 0, 0 };
	char now[32], obj[64], ln[16], q[32];
	size_t nf = 0, i;
	int found, rc = -1;

	if (fx_claim_seen(ctx, t, a->claim, &c, err) == -1)
		return -1;
	if (fx_acl_check_txn(ctx, t, FX_ACT_CLAIM, c.entity, NULL, err) == -1)
		goto out;
	if (strcmp(c.status, "draft") != 0) {
		fx_err_set(err, FX_ENEGATIVE, "claim %s is %s: lines are "
		    "removed from a draft only", c.number, c.status);
		goto out;
	}
	line_key(&k, c.number, a->line);
	if ((found = fx_db_get(t, FX_K_CLINE, k.p, k.len, NULL, NULL,
	    err)) == -1)
		goto out;
	if (found == 1) {
		fx_err_set(err, FX_ENOTFOUND, "claim %s has no line %d",
		    c.number, a->line);
		goto out;
	}
	if (fx_db_del(t, FX_K_CLINE, k.p, k.len, NULL, 0, err) == -1)
		goto out;
	/* Its attachments go with it (the stored files stay: shared). */
	if (fx_claim_files_read(t, c.number, &f, &nf, err) == -1)
		goto out;
	for (i = 0; i < nf; i++) {
		if (f[i].line != a->line)
			continue;
		(void)snprintf(ln, sizeof(ln), "%04d", (int)f[i].seq);
		fx_buf_reset(&k);
		fx_buf_key(&k, c.number, ln, (char *)NULL);
		if (fx_db_del(t, FX_K_CFILE, k.p, k.len, NULL, 0, err) == -1)
			goto out;
		c.nfiles--;
		c.size -= f[i].size;
	}
	c.nlines--;
	fx_now_iso(now, sizeof(now));
	set_str(&c.updated, now);
	if (fx_db_putrec(t, FX_K_CLAIM, c.number, strlen(c.number),
	    &fx_rt_claim, &c, &rec, err) == -1)
		goto out;
	(void)snprintf(obj, sizeof(obj), "%s/%d", c.number, a->line);
	(void)snprintf(q, sizeof(q), "%d", a->line);
	if (fx_audit_add(ctx, t, "claim.remove", obj, "line", q, "", err) == -1)
		goto out;
	rc = 0;
out:
	fx_cfiles_free(f, nf);
	fx_claim_release(&c);
	fx_buf_release(&k);
	fx_buf_release(&rec);
	return rc;
}

int
fx_claim_remove(struct fx_ctx *ctx, const char *claim, int line,
    struct fx_err *err)
{
	struct rmarg a;

	if (claim == NULL || claim[0] == '\0' || line <= 0)
		return fx_err_set(err, FX_EUSAGE, "a claim and a line number "
		    "are required");
	a.ctx = ctx;
	a.claim = claim;
	a.line = line;
	return fx_db_write(ctx->db, remove_txn, &a, err) == 0 ? 0 : -1;
}

/* -- the file for 1C -------------------------------------------------- */

/*
 * " name=\"s\"".  What a person typed was checked when it came in; should
 * a value still be no XML (*bad unset so far), *bad names its attribute.
 */
static void
xml_attr(struct fx_buf *b, const char **bad, const char *name, const char *s)
{
	fx_buf_addf(b, " %s=\"", name);
	if (fx_xml_attr_value(b, nz(s)) == -1 && *bad == NULL)
		*bad = name;
	fx_buf_addc(b, '"');
}

/* The claim as formix XML for 1C: <formix-claims>. */
static int
claim_xml(struct fx_txn *t, struct fx_buf *b, const struct fx_claim *c,
    const struct fx_cline *ov, int ovline, const char *at,
    struct fx_err *err)
{
	struct fx_entity e;
	struct fx_order o;
	struct fx_cline *l = NULL;
	struct fx_cfile *f = NULL;
	size_t nl = 0, nf = 0, i;
	const char *bad = NULL;
	char q[32];
	int rc = -1;

	memset(&e, 0, sizeof(e));
	memset(&o, 0, sizeof(o));
	if (fx_db_getrec(t, FX_K_ENTITY, c->entity, strlen(c->entity),
	    &fx_rt_entity, &e, err) == -1 ||
	    fx_db_getrec(t, FX_K_ORDER, c->order, strlen(c->order),
	    &fx_rt_order, &o, err) == -1 ||
	    fx_claim_lines_read(t, c->number, &l, &nl, err) == -1 ||
	    fx_claim_files_read(t, c->number, &f, &nf, err) == -1)
		goto out;
	fx_buf_reset(b);
	fx_buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<formix-claims version=\"1\"");
	xml_attr(b, &bad, "generated", at);
	fx_buf_adds(b, ">\n  <claim");
	xml_attr(b, &bad, "id", c->number);
	xml_attr(b, &bad, "order", c->order);
	xml_attr(b, &bad, "order-1c", o.number_1c);
	xml_attr(b, &bad, "dealer", c->dealer);
	xml_attr(b, &bad, "entity", c->entity);
	xml_attr(b, &bad, "inn", e.inn);
	xml_attr(b, &bad, "kpp", e.kpp);
	xml_attr(b, &bad, "author", c->created_by);
	xml_attr(b, &bad, "created", c->created);
	xml_attr(b, &bad, "submitted", c->submitted);
	xml_attr(b, &bad, "comment", c->comment);
	fx_buf_adds(b, ">\n");
	for (i = 0; i < nl; i++) {
		const struct fx_cline *x = ov != NULL && l[i].line == ovline ?
		    ov : &l[i];

		fx_buf_adds(b, "    <line");
		(void)snprintf(q, sizeof(q), "%d", (int)x->line);
		xml_attr(b, &bad, "n", q);
		(void)snprintf(q, sizeof(q), "%d", (int)x->order_line);
		xml_attr(b, &bad, "order-line", q);
		xml_attr(b, &bad, "product", x->product);
		xml_attr(b, &bad, "article", x->article);
		xml_attr(b, &bad, "name", x->name);
		xml_attr(b, &bad, "qty", fx_qty_fmt(q, sizeof(q), x->qty));
		xml_attr(b, &bad, "reason", x->reason);
		xml_attr(b, &bad, "comment", x->comment);
		xml_attr(b, &bad, "status", x->status);
		xml_attr(b, &bad, "resolution", x->resolution);
		xml_attr(b, &bad, "status-comment", x->status_comment);
		fx_buf_adds(b, "/>\n");
	}
	for (i = 0; i < nf; i++) {
		fx_buf_adds(b, "    <file");
		(void)snprintf(q, sizeof(q), "%d", (int)f[i].line);
		xml_attr(b, &bad, "line", q);
		xml_attr(b, &bad, "name", f[i].name);
		xml_attr(b, &bad, "type", f[i].type);
		(void)snprintf(q, sizeof(q), "%lld", (long long)f[i].size);
		xml_attr(b, &bad, "size", q);
		xml_attr(b, &bad, "sha256", f[i].sha256);
		fx_buf_adds(b, " path=\"attachments/");
		fx_buf_add(b, f[i].sha256, 2);
		fx_buf_addf(b, "/%s\"/>\n", f[i].sha256);
	}
	fx_buf_adds(b, "  </claim>\n</formix-claims>\n");
	if (bad != NULL) {
		fx_err_set(err, FX_EDATA, "claim %s: its %s is not valid UTF-8 "
		    "or holds control characters: it cannot go to 1C",
		    c->number, bad);
		goto out;
	}
	rc = 0;
out:
	fx_entity_release(&e);
	fx_order_release(&o);
	fx_rec_vfree(&fx_rt_cline, l, nl, sizeof(*l));
	fx_cfiles_free(f, nf);
	return rc;
}

/* Write the claim's file for 1C (the durable protocol); *name filled. */
static int
claim_out(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_claim *c,
    const struct fx_cline *ov, int ovline, char *name, size_t namesz,
    struct fx_err *err)
{
	struct fx_buf b = { NULL, 0, 0 };
	char now[32];
	int rc;

	fx_now_iso(now, sizeof(now));
	(void)snprintf(name, namesz, "claim-%s.xml", c->number);
	rc = claim_xml(t, &b, c, ov, ovline, now, err);
	if (rc == 0)
		rc = fx_spool_write(ctx, SPOOL_OUT, name, b.p, b.len, err);
	fx_buf_release(&b);
	return rc;
}

int
fx_claim_out(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_claim *c,
    struct fx_err *err)
{
	char name[64];

	return claim_out(ctx, t, c, NULL, 0, name, sizeof(name), err);
}

/* -- notices ---------------------------------------------------------- */

static void
to_add(char ***to, size_t *n, const char *addr)
{
	size_t i;

	if (addr == NULL || addr[0] == '\0')
		return;
	for (i = 0; i < *n; i++)
		if (strcasecmp((*to)[i], addr) == 0)
			return;
	*to = fx_realloc(*to, (*n + 1) * sizeof(**to));
	(*to)[(*n)++] = fx_strdup(addr);
}

static void
to_free(char **to, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(to[i]);
	free(to);
}

/*
 * Who hears of a claim: its author and the dealer's superusers, as they
 * are now; a blocked user is left out (a blocked account is someone who
 * left or must not act: the others are told).  Addresses once each.
 */
static int
recipients(struct fx_txn *t, const struct fx_claim *c, char ***to, size_t *n,
    struct fx_err *err)
{
	struct fx_cur cur;
	struct fx_user u;
	MDB_val k, v;
	size_t i;
	int r;

	*to = NULL;
	*n = 0;
	if (strncmp(c->created_by, "staff:", 6) != 0) {
		r = fx_db_getrec(t, FX_K_USER, c->created_by,
		    strlen(c->created_by), &fx_rt_user, &u, err);
		if (r == -1)
			return -1;
		if (r == 0) {
			if (!u.blocked)
				for (i = 0; i < u.nemails; i++)
					to_add(to, n, u.emails[i]);
			fx_user_release(&u);
		}
	}
	if (fx_cur_open(t, FX_K_USER, &cur, err) == -1)
		goto fail;
	for (r = fx_cur_first(&cur, &k, &v, err); r == 0;
	    r = fx_cur_next(&cur, &k, &v, err)) {
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_user, &u,
		    err) == -1) {
			r = -1;
			break;
		}
		if (u.superuser && !u.blocked && strcmp(u.dealer,
		    c->dealer) == 0)
			for (i = 0; i < u.nemails; i++)
				to_add(to, n, u.emails[i]);
		fx_user_release(&u);
	}
	fx_cur_close(&cur);
	if (r != -1)
		return 0;
fail:
	to_free(*to, *n);
	*to = NULL;
	*n = 0;
	return -1;
}

/* One notice about claim c; seq (21 bytes) gets its number. */
static int
notice(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_claim *c,
    const char *subject, const char *body, char *seq, struct fx_err *err)
{
	struct fx_notice n;
	char **to;
	size_t nto;
	int rc;

	if (recipients(t, c, &to, &nto, err) == -1)
		return -1;
	memset(&n, 0, sizeof(n));
	n.kind = (char *)"claim";
	n.object = c->number;
	n.dealer = c->dealer;
	n.entity = c->entity;
	n.to = to;
	n.nto = nto;
	n.subject = (char *)subject;
	n.body = (char *)body;
	rc = fx_notify_add(ctx, t, &n, seq, err);
	to_free(to, nto);
	return rc;
}

/* -- submission ------------------------------------------------------- */

struct subarg {
	struct fx_ctx	*ctx;
	const char	*claim;
	struct fx_claim	*c;
};

static int
submit_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct subarg *a = arg;
	struct fx_ctx *ctx = a->ctx;
	struct fx_claim c;
	struct fx_buf rec = { NULL, 0, 0 }, body = { NULL, 0, 0 };
	struct fx_cline *l = NULL;
	char now[32], who[128], name[64], subj[256], seq[32], q[32];
	size_t nl = 0, i;
	int rc = -1;

	if (fx_claim_seen(ctx, t, a->claim, &c, err) == -1)
		return -1;
	if (fx_acl_check_txn(ctx, t, FX_ACT_CLAIM, c.entity, NULL, err) == -1)
		goto out;
	if (strcmp(c.status, "draft") != 0) {
		fx_err_set(err, FX_ENEGATIVE, "claim %s is %s already",
		    c.number, c.status);
		goto out;
	}
	if (c.nlines == 0) {
		fx_err_set(err, FX_ENEGATIVE, "claim %s has no lines: add what "
		    "is claimed first", c.number);
		goto out;
	}
	fx_now_iso(now, sizeof(now));
	set_str(&c.status, "submitted");
	set_str(&c.submitted, now);
	set_str(&c.submitted_by, fx_actor_name(ctx, who, sizeof(who)));
	set_str(&c.updated, now);
	/* The file first, the status after (see the top of the file). */
	if (claim_out(ctx, t, &c, NULL, 0, name, sizeof(name), err) == -1)
		goto out;
	(void)snprintf(subj, sizeof(subj), "%s/%s", SPOOL_OUT, name);
	set_str(&c.doc, subj);
	if (fx_db_putrec(t, FX_K_CLAIM, c.number, strlen(c.number),
	    &fx_rt_claim, &c, &rec, err) == -1)
		goto out;
	if (fx_audit_add(ctx, t, "claim.submit", c.number, "status", "draft",
	    "submitted", err) == -1)
		goto out;

	/* The dealer hears that the claim was filed, with what it holds. */
	if (fx_claim_lines_read(t, c.number, &l, &nl, err) == -1)
		goto out;
	(void)snprintf(subj, sizeof(subj), "Claim %s on order %s filed: %zu "
	    "line%s", c.number, c.order, nl, nl == 1 ? "" : "s");
	fx_buf_addf(&body, "Claim %s on order %s was filed by %s on %s.\n\n",
	    c.number, c.order, c.submitted_by, now);
	for (i = 0; i < nl; i++)
		fx_buf_addf(&body, "Line %d: %s %s, %s, %s: new\n",
		    (int)l[i].line, l[i].article, l[i].name,
		    fx_qty_fmt(q, sizeof(q), l[i].qty), l[i].reason);
	if (notice(ctx, t, &c, subj, fx_buf_str(&body), seq, err) == -1)
		goto out;
	fx_claim_release(a->c);
	if (fx_rec_decode(rec.p, rec.len, &fx_rt_claim, a->c, err) == -1)
		goto out;
	fx_crash_at("claim-before-commit");
	rc = 0;
out:
	fx_rec_vfree(&fx_rt_cline, l, nl, sizeof(*l));
	fx_claim_release(&c);
	fx_buf_release(&rec);
	fx_buf_release(&body);
	return rc;
}

int
fx_claim_submit(struct fx_ctx *ctx, const char *claim, struct fx_claim *c,
    struct fx_err *err)
{
	struct subarg a;

	memset(c, 0, sizeof(*c));
	if (claim == NULL || claim[0] == '\0')
		return fx_err_set(err, FX_EUSAGE, "which claim: a number such "
		    "as C000001 is required");
	a.ctx = ctx;
	a.claim = claim;
	a.c = c;
	if (fx_db_write(ctx->db, submit_txn, &a, err) != 0) {
		fx_claim_release(c);
		return -1;
	}
	fx_crash_at("claim-after-commit");
	return 0;
}

/* -- line statuses ---------------------------------------------------- */

/* May a line go from one status to another? */
static int
move_ok(const char *from, const char *to)
{
	if (strcmp(from, "new") == 0)
		return strcmp(to, "new") != 0;
	if (strcmp(from, "in_review") == 0)
		return strcmp(to, "accepted") == 0 ||
		    strcmp(to, "rejected") == 0;
	return 0;
}

int
fx_claim_status_check(const char *status, const char *resolution,
    const char *comment, struct fx_err *err)
{
	char q[QSZ];

	if (!in_list(nz(status), line_statuses, nitems(line_statuses)))
		return fx_err_set(err, FX_EUSAGE, "unknown status \"%s\" (new, "
		    "in_review, accepted or rejected)",
		    fx_quote(q, sizeof(q), nz(status)));
	if (strcmp(status, "accepted") == 0) {
		if (resolution == NULL || resolution[0] == '\0')
			return fx_err_set(err, FX_EUSAGE, "accepted needs a "
			    "resolution: replacement, refund or repair");
		if (!in_list(resolution, resolutions, nitems(resolutions)))
			return fx_err_set(err, FX_EUSAGE, "unknown resolution "
			    "\"%s\" (replacement, refund or repair)",
			    fx_quote(q, sizeof(q), resolution));
	} else if (resolution != NULL && resolution[0] != '\0')
		return fx_err_set(err, FX_EUSAGE, "a resolution goes with "
		    "accepted only");
	if (strcmp(status, "rejected") == 0 && (comment == NULL ||
	    comment[0] == '\0'))
		return fx_err_set(err, FX_EUSAGE, "rejected needs a comment "
		    "saying why");
	return 0;
}

/* "accepted (refund)" or "in_review". */
static void
status_text(char *buf, size_t sz, const char *status, const char *res)
{
	if (res != NULL && res[0] != '\0')
		(void)snprintf(buf, sz, "%s (%s)", status, res);
	else
		(void)snprintf(buf, sz, "%s", status);
}

int
fx_claim_set_txn(struct fx_ctx *ctx, struct fx_txn *t, const char *claim,
    int line, const char *status, const char *resolution,
    const char *comment, const char *by, int write_1c, struct fx_cline *out,
    struct fx_err *err)
{
	struct fx_claim c;
	struct fx_cline l;
	struct fx_cevent ev;
	struct fx_buf k = { NULL, 0, 0 }, rec = { NULL, 0, 0 };
	struct fx_buf body = { NULL, 0, 0 };
	char now[32], obj[64], name[64], seq[32], subj[256], was[64], is[64];
	char ln[16], q[32], from[32];
	int found, rc = -1;

	memset(&c, 0, sizeof(c));
	memset(&l, 0, sizeof(l));
	if ((found = fx_db_getrec(t, FX_K_CLAIM, claim, strlen(claim),
	    &fx_rt_claim, &c, err)) == -1)
		return -1;
	if (found == 1)
		return fx_err_set(err, FX_ENOTFOUND, "unknown claim \"%s\"",
		    fx_quote(subj, sizeof(subj), claim));
	if (strcmp(c.status, "draft") == 0) {
		fx_err_set(err, FX_ENEGATIVE, "claim %s is a draft: its lines "
		    "get statuses once it is submitted", c.number);
		goto out;
	}
	line_key(&k, c.number, line);
	if ((found = fx_db_getrec(t, FX_K_CLINE, k.p, k.len, &fx_rt_cline, &l,
	    err)) == -1)
		goto out;
	if (found == 1) {
		fx_err_set(err, FX_ENOTFOUND, "claim %s has no line %d (it has "
		    "%d)", c.number, line, (int)c.nlines);
		goto out;
	}
	status_text(was, sizeof(was), l.status, l.resolution);
	status_text(is, sizeof(is), status, resolution);
	if (strcmp(l.status, status) == 0 && strcmp(l.resolution,
	    nz(resolution)) == 0) {
		/* No move: nothing recorded, nobody told. */
		rc = 1;
		goto out;
	}
	if (!move_ok(l.status, status)) {
		fx_err_set(err, FX_ENEGATIVE, "claim %s line %d is %s: it "
		    "cannot become %s%s", c.number, line, was, is,
		    strcmp(l.status, "accepted") == 0 ||
		    strcmp(l.status, "rejected") == 0 ?
		    " (a decided line is final)" : "");
		goto out;
	}
	(void)fx_strlcpy(from, l.status, sizeof(from));
	fx_now_iso(now, sizeof(now));
	(void)snprintf(obj, sizeof(obj), "%s/%d", c.number, line);
	(void)snprintf(subj, sizeof(subj), "Claim %s line %d: %s", c.number,
	    line, is);
	fx_buf_addf(&body, "Claim %s on order %s, line %d: %s %s, %s, %s.\n"
	    "Status: %s -> %s.\n", c.number, c.order, line, l.article, l.name,
	    fx_qty_fmt(q, sizeof(q), l.qty), l.reason, was, is);
	if (comment != NULL && comment[0] != '\0')
		fx_buf_addf(&body, "Comment: %s\n", comment);
	fx_buf_addf(&body, "Changed by %s on %s.\n", by, now);

	set_str(&l.status, status);
	set_str(&l.resolution, resolution);
	set_str(&l.status_comment, comment);
	set_str(&l.updated, now);
	set_str(&c.updated, now);
	c.nevents++;

	/* The file first, the change after (see the top of the file). */
	if (write_1c && claim_out(ctx, t, &c, &l, line, name, sizeof(name),
	    err) == -1)
		goto out;
	if (notice(ctx, t, &c, subj, fx_buf_str(&body), seq, err) == -1)
		goto out;
	if (fx_db_putrec(t, FX_K_CLINE, k.p, k.len, &fx_rt_cline, &l, &rec,
	    err) == -1)
		goto out;
	memset(&ev, 0, sizeof(ev));
	ev.line = line;
	ev.at = now;
	ev.by = (char *)by;
	ev.from = from;
	ev.to = (char *)status;
	ev.resolution = (char *)nz(resolution);
	ev.comment = (char *)nz(comment);
	ev.notice = seq;
	(void)snprintf(ln, sizeof(ln), "%06d", (int)c.nevents);
	fx_buf_reset(&k);
	fx_buf_key(&k, c.number, ln, (char *)NULL);
	if (fx_db_putrec(t, FX_K_CEVENT, k.p, k.len, &fx_rt_cevent, &ev, &rec,
	    err) == -1)
		goto out;
	if (fx_db_putrec(t, FX_K_CLAIM, c.number, strlen(c.number),
	    &fx_rt_claim, &c, &rec, err) == -1)
		goto out;
	if (fx_audit_add(ctx, t, "claim.status", obj, "status", from, is,
	    err) == -1)
		goto out;
	rc = 0;
out:
	if (rc != -1 && out != NULL) {
		*out = l;
		memset(&l, 0, sizeof(l));
	}
	fx_claim_release(&c);
	fx_cline_release(&l);
	fx_buf_release(&k);
	fx_buf_release(&rec);
	fx_buf_release(&body);
	return rc;
}

struct setarg {
	struct fx_ctx	*ctx;
	const char	*claim;
	int		 line;
	const char	*status, *resolution, *comment;
	struct fx_cline	*l;
	int		 same;
};

static int
set_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct setarg *a = arg;
	struct fx_claim c;
	char who[128];
	int rc;

	if (fx_acl_check_txn(a->ctx, t, FX_ACT_STAFF, NULL, NULL, err) == -1)
		return -1;
	/* Staff see every claim; the check names it "unknown" if absent. */
	if (fx_claim_seen(a->ctx, t, a->claim, &c, err) == -1)
		return -1;
	fx_claim_release(&c);
	fx_cline_release(a->l);
	rc = fx_claim_set_txn(a->ctx, t, a->claim, a->line, a->status,
	    a->resolution, a->comment, fx_actor_name(a->ctx, who, sizeof(who)),
	    1, a->l, err);
	if (rc == -1)
		return -1;
	a->same = rc == 1;
	if (!a->same)
		fx_crash_at("claim-before-commit");
	/* Nothing changed: abort rather than commit an empty transaction. */
	return a->same ? 1 : 0;
}

int
fx_claim_set(struct fx_ctx *ctx, const char *claim, int line,
    const char *status, const char *resolution, const char *comment,
    struct fx_cline *l, struct fx_err *err)
{
	struct setarg a;
	int rc;

	memset(l, 0, sizeof(*l));
	if (claim == NULL || claim[0] == '\0' || line <= 0)
		return fx_err_set(err, FX_EUSAGE, "a claim and a line number "
		    "are required");
	if (fx_claim_status_check(status, resolution, comment, err) == -1 ||
	    text_ok("comment", comment, err) == -1)
		return -1;
	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	a.claim = claim;
	a.line = line;
	a.status = status;
	a.resolution = resolution;
	a.comment = comment;
	a.l = l;
	rc = fx_db_write(ctx->db, set_txn, &a, err);
	if (rc == -1) {
		fx_cline_release(l);
		return -1;
	}
	if (!a.same)
		fx_crash_at("claim-after-commit");
	return a.same ? 1 : 0;
}

/* -- reading ---------------------------------------------------------- */

int
fx_claim_get(struct fx_ctx *ctx, const char *claim, struct fx_claim_full *f,
    struct fx_err *err)
{
	struct fx_txn t;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_claim_seen(ctx, &t, claim, &f->c, err) == -1)
		goto out;
	if (fx_claim_lines_read(&t, f->c.number, &f->lines, &f->nlines,
	    err) == -1 ||
	    fx_claim_files_read(&t, f->c.number, &f->files, &f->nfiles,
	    err) == -1 ||
	    read_all(&t, FX_K_CEVENT, &fx_rt_cevent, sizeof(*f->events),
	    f->c.number, (void **)&f->events, &f->nevents, err) == -1)
		goto out;
	rc = 0;
out:
	fx_db_abort(&t);
	if (rc == -1)
		fx_claim_full_release(f);
	return rc;
}

/* Does the claim pass the filter's line conditions (status, article)? */
static int
lines_pass(struct fx_txn *t, const struct fx_claim *c,
    const struct fx_claim_filter *f, const char *art, int *pass,
    struct fx_err *err)
{
	struct fx_cline *l;
	char b[FOLD_MAX];
	size_t n, i;
	int st, ar;

	*pass = 1;
	st = f->status != NULL && f->status[0] != '\0' &&
	    strcmp(f->status, c->status) != 0;
	ar = art != NULL;
	if (!st && !ar)
		return 0;
	if (fx_claim_lines_read(t, c->number, &l, &n, err) == -1)
		return -1;
	for (i = 0; i < n && (st || ar); i++) {
		if (st && strcmp(l[i].status, f->status) == 0)
			st = 0;
		if (ar && fx_article_norm(l[i].article, b, sizeof(b)) == 0 &&
		    strcmp(b, art) == 0)
			ar = 0;
	}
	fx_rec_vfree(&fx_rt_cline, l, n, sizeof(*l));
	*pass = !st && !ar;
	return 0;
}

int
fx_claim_list(struct fx_ctx *ctx, const struct fx_claim_filter *f,
    struct fx_claim **out, size_t *nout, struct fx_err *err)
{
	static const struct fx_claim_filter none;
	struct fx_txn t;
	struct fx_cur cur;
	struct fx_user me;
	struct fx_entity e, want;
	struct fx_map vis;
	struct fx_claim *v = NULL, c;
	MDB_val k, val;
	char art[FOLD_MAX], q[QSZ];
	size_t n = 0, cap = 0, i;
	int r, pass, curopen = 0, rc = -1;

	*out = NULL;
	*nout = 0;
	if (f == NULL)
		f = &none;
	memset(&me, 0, sizeof(me));
	memset(&want, 0, sizeof(want));
	memset(&vis, 0, sizeof(vis));
	if (f->status != NULL && f->status[0] != '\0' &&
	    strcmp(f->status, "draft") != 0 &&
	    strcmp(f->status, "submitted") != 0 &&
	    !in_list(f->status, line_statuses, nitems(line_statuses)))
		return fx_err_set(err, FX_EUSAGE, "unknown status \"%s\" "
		    "(draft, submitted, new, in_review, accepted or rejected)",
		    fx_quote(q, sizeof(q), f->status));
	if (f->article != NULL && fx_article_norm(f->article, art,
	    sizeof(art)) == -1)
		return fx_err_set(err, FX_EUSAGE, "article \"%s\" is not valid "
		    "UTF-8", fx_quote(q, sizeof(q), f->article));
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_acl_actor(ctx, &t, &me, err) == -1)
		goto out;
	if (f->entity != NULL &&
	    fx_entity_find(ctx, &t, &me, f->entity, &want, err) == -1)
		goto out;
	if (fx_cur_open(&t, FX_K_CLAIM, &cur, err) == -1)
		goto out;
	curopen = 1;
	for (r = fx_cur_first(&cur, &k, &val, err); r == 0;
	    r = fx_cur_next(&cur, &k, &val, err)) {
		void **slot;

		if (fx_rec_decode(val.mv_data, val.mv_size, &fx_rt_claim, &c,
		    err) == -1) {
			r = -1;
			break;
		}
		slot = fx_map_put(&vis, c.entity);
		if (*slot == NULL) {
			memset(&e, 0, sizeof(e));
			if (fx_entity_find(ctx, &t, &me, c.entity, &e,
			    err) == 0) {
				*slot = (void *)2;
				fx_entity_release(&e);
			} else if (err->code == FX_ENOTFOUND) {
				*slot = (void *)1;
				fx_err_clear(err);
			} else {
				fx_claim_release(&c);
				r = -1;
				break;
			}
		}
		pass = *slot == (void *)2 &&
		    (want.id == NULL || strcmp(want.id, c.entity) == 0) &&
		    (f->order == NULL || strcmp(f->order, c.order) == 0) &&
		    (f->from == NULL || strncmp(c.created, f->from, 10) >= 0) &&
		    (f->to == NULL || strncmp(c.created, f->to, 10) <= 0);
		if (pass && lines_pass(&t, &c, f, f->article != NULL ? art :
		    NULL, &pass, err) == -1) {
			fx_claim_release(&c);
			r = -1;
			break;
		}
		if (!pass) {
			fx_claim_release(&c);
			continue;
		}
		v = fx_grow(v, &cap, n + 1, sizeof(*v));
		v[n++] = c;
	}
	if (r == -1)
		goto out;
	for (i = 0; i < n / 2; i++) {
		c = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = c;
	}
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
	rc = 0;
out:
	if (curopen)
		fx_cur_close(&cur);
	fx_db_abort(&t);
	fx_claims_free(v, n);
	fx_map_release(&vis, NULL);
	fx_entity_release(&want);
	fx_user_release(&me);
	return rc;
}
