/*
 * user.c -- formix users: dealers' employees, what they may do and see.
 *
 * A user belongs to one dealer, is attached to some of its legal entities
 * and holds permissions (order, claim, ar, users) or the superuser flag,
 * which stands for all of them and for every entity of the dealer.
 *
 * Every change is one write transaction (fx_db_write) that checks the
 * actor's right in the library (fx_acl_check_txn, FX_ACT_USERS: staff, or
 * a superuser or holder of the users permission of that dealer), checks
 * the input, writes the record with its indexes (users, idx_email,
 * idx_unix) and audits each changed field, all or nothing: a refusal
 * changes nothing, and the log never shows a change that did not happen.
 *
 * Beyond the plain right to manage users, three rules keep a delegate
 * from raising their own rights: only staff and superusers make
 * superusers or change a superuser's account, a holder of the users
 * permission grants only permissions they hold, and only staff map Unix
 * logins (they are accounts on the distributor's server, not the dealer's
 * business).  The last unblocked superuser of a dealer can be neither
 * blocked nor demoted, so a dealer never locks itself out.
 *
 * Reading: staff see every user; a superuser or holder of the users
 * permission the users of their dealer; anyone else only themselves.  A
 * user one may not see is reported as unknown.
 */
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

#define LOGIN_MAX	64
#define UNIX_MAX	32
#define EMAIL_MAX	254

static const char *
yesno(int b)
{
	return b ? "yes" : "no";
}

/* [a-z0-9._-]{1,64}, starting with a letter or digit. */
static int
login_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > LOGIN_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (i > 0 && (c == '.' || c == '_' || c == '-'))
			continue;
		return 0;
	}
	return 1;
}

/* A POSIX portable user name: [A-Za-z0-9._-], no leading '-', 1-32. */
static int
unix_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > UNIX_MAX || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-'))
			return 0;
	}
	return 1;
}

/*
 * Check an e-mail address and fold it to the form it is stored and
 * indexed in: one '@', a non-empty local part, a dotted domain with no
 * empty label; no spaces, controls or list punctuation.
 */
static int
email_norm(const char *in, char *out, size_t sz)
{
	const char *at, *dom, *p;
	size_t n = strlen(in);

	if (n == 0 || n > EMAIL_MAX)
		return -1;
	for (p = in; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f ||
		    strchr(",;<>\"()[]\\", *p) != NULL)
			return -1;
	at = strchr(in, '@');
	if (at == NULL || at == in || strchr(at + 1, '@') != NULL)
		return -1;
	dom = at + 1;
	if (dom[0] == '\0' || dom[0] == '.' || in[n - 1] == '.' ||
	    strchr(dom, '.') == NULL || strstr(dom, "..") != NULL)
		return -1;
	/* Folding may grow a character: out is sized for it. */
	if (fx_fold(in, out, sz) == -1)
		return -1;
	return 0;
}

/* email_norm for other modules (channel.c: a folder's drop address). */
int
fx_email_norm(const char *in, char *out, size_t sz)
{
	return email_norm(in, out, sz);
}

/* String vectors (char **, count). */

static int
sv_find(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return (int)i;
	return -1;
}

static void
sv_push(char ***v, size_t *n, size_t *cap, const char *s)
{
	*v = fx_grow(*v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = fx_strdup(s);
}

static int
sv_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

/* "a,b,c": returned new. */
static char *
sv_join(char *const *v, size_t n)
{
	struct fx_buf b = { NULL, 0, 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			fx_buf_addc(&b, ',');
		fx_buf_adds(&b, v[i]);
	}
	fx_buf_str(&b);
	return b.p;
}

static int
audit(struct fx_ctx *ctx, struct fx_txn *t, const char *action,
    const char *login, const char *field, const char *old_value,
    const char *new_value, struct fx_err *err)
{
	return fx_audit_add(ctx, t, action, login, field, old_value,
	    new_value, err);
}

static int
audit_sv(struct fx_ctx *ctx, struct fx_txn *t, const char *action,
    const char *login, const char *field, char *const *old, size_t nold,
    char *const *new, size_t nnew, struct fx_err *err)
{
	char *o = sv_join(old, nold), *n = sv_join(new, nnew);
	int r;

	r = audit(ctx, t, action, login, field, o, n, err);
	free(o);
	free(n);
	return r;
}

/* The dealer's name for a message, quoted; its Ид if it has none. */
static int
dealer_name(struct fx_txn *t, const char *id, char *buf, size_t sz,
    struct fx_err *err)
{
	struct fx_dealer d;
	int r;

	r = fx_db_getrec(t, FX_K_DEALER, id, strlen(id), &fx_rt_dealer, &d,
	    err);
	if (r == -1)
		return -1;
	fx_quote(buf, sz, r == 0 && d.name[0] != '\0' ? d.name : id);
	if (r == 0)
		fx_dealer_release(&d);
	return 0;
}

/* May the actor (me) see user u? */
static int
user_sees(const struct fx_ctx *ctx, const struct fx_user *me,
    const struct fx_user *u)
{
	if (ctx->actor.staff)
		return 1;
	if (strcmp(me->login, u->login) == 0)
		return 1;
	return strcmp(me->dealer, u->dealer) == 0 &&
	    (me->superuser || (me->perms & FX_PERM_USERS) != 0);
}

/*
 * Load a user the actor may see (change: a user of the actor's dealer,
 * whom may_manage then judges, so that an employee without the right is
 * told so); FX_ENOTFOUND otherwise, as if there were no such user.
 */
static int
target_load(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_user *me,
    const char *login, int change, struct fx_user *u, struct fx_err *err)
{
	char q[128];
	int r;

	r = fx_db_getrec(t, FX_K_USER, login, strlen(login), &fx_rt_user, u,
	    err);
	if (r == -1) {
		memset(u, 0, sizeof(*u));
		return -1;
	}
	if (r == 0 && !(change ? ctx->actor.staff ||
	    strcmp(me->dealer, u->dealer) == 0 : user_sees(ctx, me, u))) {
		fx_user_release(u);
		r = 1;
	}
	if (r == 1) {
		memset(u, 0, sizeof(*u));
		return fx_err_set(err, FX_ENOTFOUND, "unknown user \"%s\"",
		    fx_quote(q, sizeof(q), login));
	}
	return 0;
}

/* May the actor change user u at all? */
static int
may_manage(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_user *me,
    const struct fx_user *u, struct fx_err *err)
{
	char q[128], q2[128];

	if (fx_acl_check_txn(ctx, t, FX_ACT_USERS, NULL, u->dealer, err) == -1)
		return -1;
	if (!ctx->actor.staff && !me->superuser && u->superuser)
		return fx_err_set(err, FX_EPERM, "permission denied: user "
		    "\"%s\" may not change superuser \"%s\"",
		    fx_quote(q, sizeof(q), me->login),
		    fx_quote(q2, sizeof(q2), u->login));
	return 0;
}

static int
may_make_superuser(struct fx_ctx *ctx, const struct fx_user *me,
    struct fx_err *err)
{
	char q[128];

	if (ctx->actor.staff || me->superuser)
		return 0;
	return fx_err_set(err, FX_EPERM, "permission denied: user \"%s\" may "
	    "not make superusers", fx_quote(q, sizeof(q), me->login));
}

/* A holder of the users permission grants only what they hold. */
static int
may_grant(struct fx_ctx *ctx, const struct fx_user *me, uint32_t old,
    uint32_t new, struct fx_err *err)
{
	uint32_t missing;
	char q[128], p[64];

	if (ctx->actor.staff || me->superuser)
		return 0;
	missing = new & ~old & ~me->perms;
	if (missing == 0)
		return 0;
	fx_perm_fmt(p, sizeof(p), missing & (~missing + 1));
	return fx_err_set(err, FX_EPERM, "permission denied: user \"%s\" may "
	    "not grant the \"%s\" permission: they do not hold it",
	    fx_quote(q, sizeof(q), me->login), p);
}

static int
may_set_unix(struct fx_ctx *ctx, const struct fx_user *me, struct fx_err *err)
{
	char q[128];

	if (ctx->actor.staff)
		return 0;
	return fx_err_set(err, FX_EPERM, "permission denied: user \"%s\" may "
	    "not set Unix logins: staff only",
	    fx_quote(q, sizeof(q), me->login));
}

/*
 * u, an unblocked superuser, is about to be blocked or demoted: refused
 * if no other unblocked superuser of the dealer is left.
 */
static int
last_superuser(struct fx_txn *t, const struct fx_user *u, struct fx_err *err)
{
	struct fx_user x;
	struct fx_cur c;
	MDB_val k, v;
	char q[128], q2[256];
	int r, found = 0;

	if (fx_cur_open(t, FX_K_USER, &c, err) == -1)
		return -1;
	for (r = fx_cur_first(&c, &k, &v, err); r == 0 && !found;
	    r = fx_cur_next(&c, &k, &v, err)) {
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_user, &x,
		    err) == -1) {
			r = -1;
			break;
		}
		found = x.superuser && !x.blocked &&
		    strcmp(x.dealer, u->dealer) == 0 &&
		    strcmp(x.login, u->login) != 0;
		fx_user_release(&x);
	}
	fx_cur_close(&c);
	if (r == -1)
		return -1;
	if (found)
		return 0;
	if (dealer_name(t, u->dealer, q2, sizeof(q2), err) == -1)
		return -1;
	return fx_err_set(err, FX_EDATA, "\"%s\" is the last superuser of "
	    "dealer \"%s\": make another superuser first",
	    fx_quote(q, sizeof(q), u->login), q2);
}

/*
 * The owner of an index entry other than u, returned new, or NULL if the
 * key is free, u's own, or points to a user who is gone.
 */
static int
idx_owner(struct fx_txn *t, enum fx_kind k, const char *key,
    const struct fx_user *u, struct fx_user *owner, int *taken,
    struct fx_err *err)
{
	const void *v;
	size_t vl;
	char *login;
	int r;

	*taken = 0;
	r = fx_db_get(t, k, key, strlen(key), &v, &vl, err);
	if (r != 0)
		return r == -1 ? -1 : 0;
	login = fx_strndup(v, vl);
	if (strcmp(login, u->login) == 0) {
		free(login);
		return 0;
	}
	r = fx_db_getrec(t, FX_K_USER, login, strlen(login), &fx_rt_user,
	    owner, err);
	free(login);
	if (r == -1)
		return -1;
	*taken = r == 0;
	return 0;
}

static int
email_free(struct fx_txn *t, const struct fx_user *u, const char *addr,
    struct fx_err *err)
{
	struct fx_user o;
	char q[300], q2[128];
	int taken;

	if (idx_owner(t, FX_K_IDX_EMAIL, addr, u, &o, &taken, err) == -1)
		return -1;
	if (!taken)
		return 0;
	fx_quote(q, sizeof(q), addr);
	if (strcmp(o.dealer, u->dealer) != 0)
		fx_err_set(err, FX_EDATA, "e-mail \"%s\" is already used by a "
		    "user of another dealer", q);
	else
		fx_err_set(err, FX_EDATA, "e-mail \"%s\" is already used by "
		    "user \"%s\"", q, fx_quote(q2, sizeof(q2), o.login));
	fx_user_release(&o);
	return -1;
}

static int
unix_free(struct fx_txn *t, const struct fx_user *u, const char *name,
    struct fx_err *err)
{
	struct fx_user o;
	char q[128], q2[128];
	int taken;

	if (idx_owner(t, FX_K_IDX_UNIX, name, u, &o, &taken, err) == -1)
		return -1;
	if (!taken)
		return 0;
	fx_err_set(err, FX_EDATA, "Unix login \"%s\" is already used by user "
	    "\"%s\"", fx_quote(q, sizeof(q), name),
	    fx_quote(q2, sizeof(q2), o.login));
	fx_user_release(&o);
	return -1;
}

/* Delete an index entry if it is login's (the index never lies about u). */
static int
idx_drop(struct fx_txn *t, enum fx_kind k, const char *key, const char *login,
    struct fx_err *err)
{
	const void *v;
	size_t vl;
	int r;

	r = fx_db_get(t, k, key, strlen(key), &v, &vl, err);
	if (r != 0)
		return r == -1 ? -1 : 0;
	if (vl != strlen(login) || memcmp(v, login, vl) != 0)
		return 0;
	return fx_db_del(t, k, key, strlen(key), NULL, 0, err);
}

/* Check, fold and de-duplicate addresses into *out (returned new). */
static int
emails_norm(const char *const *in, size_t n, char ***out, size_t *nout,
    struct fx_err *err)
{
	char buf[EMAIL_MAX * 4 + 1], q[300];
	size_t i, cap = 0;

	*out = NULL;
	*nout = 0;
	for (i = 0; i < n; i++) {
		if (email_norm(in[i], buf, sizeof(buf)) == -1) {
			fx_strv_free(*out, *nout);
			*out = NULL;
			*nout = 0;
			return fx_err_set(err, FX_EDATA, "e-mail \"%s\" is "
			    "not a valid address", fx_quote(q, sizeof(q),
			    in[i]));
		}
		if (sv_find(*out, *nout, buf) == -1)
			sv_push(out, nout, &cap, buf);
	}
	return 0;
}

/*
 * Resolve entity references (Ид, INN, INN/KPP) among those the actor
 * sees and append the Ид of each not yet in *v; each must be dealer's.
 */
static int
entities_add(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_user *me,
    const char *dealer, const char *const *refs, size_t n, char ***v,
    size_t *nv, size_t *cap, struct fx_err *err)
{
	struct fx_entity e;
	char q[128];
	size_t i;

	for (i = 0; i < n; i++) {
		if (fx_entity_find(ctx, t, me, refs[i], &e, err) == -1)
			return -1;
		if (strcmp(e.dealer, dealer) != 0) {
			fx_entity_release(&e);
			return fx_err_set(err, FX_EDATA, "legal entity \"%s\" "
			    "belongs to another dealer",
			    fx_quote(q, sizeof(q), refs[i]));
		}
		if (sv_find(*v, *nv, e.id) == -1)
			sv_push(v, nv, cap, e.id);
		fx_entity_release(&e);
	}
	return 0;
}

static int
user_put(struct fx_txn *t, const struct fx_user *u, struct fx_err *err)
{
	struct fx_buf b = { NULL, 0, 0 };
	int r;

	r = fx_db_putrec(t, FX_K_USER, u->login, strlen(u->login), &fx_rt_user,
	    u, &b, err);
	fx_buf_release(&b);
	return r;
}

static void
replace(char **field, const char *s)
{
	free(*field);
	*field = fx_strdup(s);
}

/* Add. */

struct add_arg {
	struct fx_ctx		*ctx;
	const struct fx_user	*in;
};

static int
add_fn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct add_arg *a = arg;
	struct fx_ctx *ctx = a->ctx;
	const struct fx_user *in = a->in;
	const char *dealer, *login = in->login ? in->login : "";
	const char *unixl = in->unix_login ? in->unix_login : "";
	struct fx_user me, u;
	struct fx_dealer d;
	struct fx_buf sum = { NULL, 0, 0 };
	char q[128], now[32], perms[64], *ents, *mails;
	size_t i, cap = 0;
	int r, rc = -1;

	memset(&u, 0, sizeof(u));
	if (fx_acl_actor(ctx, t, &me, err) == -1)
		return -1;
	if (in->dealer != NULL && in->dealer[0] != '\0')
		dealer = in->dealer;
	else if (!ctx->actor.staff)
		dealer = me.dealer;
	else {
		fx_err_set(err, FX_EUSAGE, "a dealer is required");
		goto out;
	}
	if (fx_acl_check_txn(ctx, t, FX_ACT_USERS, NULL, dealer, err) == -1)
		goto out;
	r = fx_db_getrec(t, FX_K_DEALER, dealer, strlen(dealer),
	    &fx_rt_dealer, &d, err);
	if (r == -1)
		goto out;
	if (r == 1) {
		fx_err_set(err, FX_ENOTFOUND, "unknown dealer \"%s\"",
		    fx_quote(q, sizeof(q), dealer));
		goto out;
	}
	fx_dealer_release(&d);

	fx_quote(q, sizeof(q), login);
	if (!login_ok(login)) {
		fx_err_set(err, FX_EDATA, "login \"%s\" is not valid: 1 to 64 "
		    "of a-z, 0-9, '.', '_', '-', starting with a letter or "
		    "digit", q);
		goto out;
	}
	r = fx_db_get(t, FX_K_USER, login, strlen(login), NULL, NULL, err);
	if (r == -1)
		goto out;
	if (r == 0) {
		fx_err_set(err, FX_EDATA, "login \"%s\" is taken", q);
		goto out;
	}
	if ((in->perms & ~(uint32_t)FX_PERM_ALL) != 0) {
		fx_err_set(err, FX_EUSAGE, "unknown permission bits 0x%x",
		    (unsigned)in->perms);
		goto out;
	}
	if ((in->superuser && may_make_superuser(ctx, &me, err) == -1) ||
	    may_grant(ctx, &me, 0, in->perms, err) == -1)
		goto out;

	u.login = fx_strdup(login);
	u.dealer = fx_strdup(dealer);
	u.name = fx_strdup(in->name ? in->name : "");
	u.phone = fx_strdup(in->phone ? in->phone : "");
	u.perms = in->perms;
	u.superuser = in->superuser != 0;
	u.blocked = 0;
	u.blocked_reason = fx_strdup("");
	u.unix_login = fx_strdup(unixl);
	u.source = fx_strdup("formix");
	fx_now_iso(now, sizeof(now));
	u.created = fx_strdup(now);
	u.updated = fx_strdup(now);

	if (unixl[0] != '\0') {
		if (may_set_unix(ctx, &me, err) == -1)
			goto out;
		if (!unix_ok(unixl)) {
			fx_err_set(err, FX_EDATA, "Unix login \"%s\" is not "
			    "valid", fx_quote(q, sizeof(q), unixl));
			goto out;
		}
		if (unix_free(t, &u, unixl, err) == -1)
			goto out;
	}
	if (emails_norm((const char *const *)in->emails, in->nemails,
	    &u.emails, &u.nemails, err) == -1)
		goto out;
	for (i = 0; i < u.nemails; i++)
		if (email_free(t, &u, u.emails[i], err) == -1)
			goto out;
	if (entities_add(ctx, t, &me, dealer,
	    (const char *const *)in->entities, in->nentities, &u.entities,
	    &u.nentities, &cap, err) == -1)
		goto out;

	if (user_put(t, &u, err) == -1)
		goto out;
	for (i = 0; i < u.nemails; i++)
		if (fx_db_put(t, FX_K_IDX_EMAIL, u.emails[i],
		    strlen(u.emails[i]), u.login, strlen(u.login), err) == -1)
			goto out;
	if (u.unix_login[0] != '\0' && fx_db_put(t, FX_K_IDX_UNIX,
	    u.unix_login, strlen(u.unix_login), u.login, strlen(u.login),
	    err) == -1)
		goto out;

	ents = sv_join(u.entities, u.nentities);
	mails = sv_join(u.emails, u.nemails);
	fx_buf_addf(&sum, "dealer=%s superuser=%s perms=%s entities=%s "
	    "emails=%s unix_login=%s phone=%s name=%s", u.dealer,
	    yesno(u.superuser), fx_perm_fmt(perms, sizeof(perms), u.perms),
	    ents, mails, u.unix_login, u.phone, u.name);
	free(ents);
	free(mails);
	if (audit(ctx, t, "user.add", u.login, "", "", fx_buf_str(&sum),
	    err) == -1)
		goto out;
	rc = 0;
out:
	fx_buf_release(&sum);
	fx_user_release(&u);
	fx_user_release(&me);
	return rc;
}

int
fx_user_add(struct fx_ctx *ctx, const struct fx_user *u, struct fx_err *err)
{
	struct add_arg a = { ctx, u };

	return fx_db_write(ctx->db, add_fn, &a, err) == -1 ? -1 : 0;
}

/* Read. */

int
fx_user_get(struct fx_ctx *ctx, const char *login, struct fx_user *u,
    struct fx_err *err)
{
	struct fx_txn t;
	struct fx_user me;
	int rc = -1;

	memset(u, 0, sizeof(*u));
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_acl_actor(ctx, &t, &me, err) == -1)
		goto out;
	rc = target_load(ctx, &t, &me, login, 0, u, err);
	fx_user_release(&me);
out:
	fx_db_abort(&t);
	return rc;
}

int
fx_user_list(struct fx_ctx *ctx, const char *dealer, struct fx_user **vp,
    size_t *np, struct fx_err *err)
{
	struct fx_user *v = NULL, me, u;
	struct fx_txn t;
	struct fx_cur c;
	MDB_val k, val;
	size_t n = 0, cap = 0;
	char q[128];
	int r, rc = -1;

	*vp = NULL;
	*np = 0;
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_acl_actor(ctx, &t, &me, err) == -1)
		goto out;
	if (dealer != NULL) {
		/* A dealer one may not see is as unknown as one not there. */
		if (ctx->actor.staff)
			r = fx_db_get(&t, FX_K_DEALER, dealer, strlen(dealer),
			    NULL, NULL, err);
		else
			r = strcmp(dealer, me.dealer) == 0 ? 0 : 1;
		if (r == -1)
			goto release;
		if (r == 1) {
			fx_err_set(err, FX_ENOTFOUND, "unknown dealer \"%s\"",
			    fx_quote(q, sizeof(q), dealer));
			goto release;
		}
	}
	if (fx_cur_open(&t, FX_K_USER, &c, err) == -1)
		goto release;
	/* Keys are logins: the cursor's order is the order wanted. */
	for (r = fx_cur_first(&c, &k, &val, err); r == 0;
	    r = fx_cur_next(&c, &k, &val, err)) {
		if (fx_rec_decode(val.mv_data, val.mv_size, &fx_rt_user, &u,
		    err) == -1) {
			r = -1;
			break;
		}
		if ((dealer != NULL && strcmp(u.dealer, dealer) != 0) ||
		    !user_sees(ctx, &me, &u)) {
			fx_user_release(&u);
			continue;
		}
		v = fx_grow(v, &cap, n + 1, sizeof(*v));
		v[n++] = u;
	}
	fx_cur_close(&c);
	if (r == -1) {
		fx_users_free(v, n);
		goto release;
	}
	*vp = v;
	*np = n;
	rc = 0;
release:
	fx_user_release(&me);
out:
	fx_db_abort(&t);
	return rc;
}

void
fx_users_free(struct fx_user *v, size_t n)
{
	fx_rec_vfree(&fx_rt_user, v, n, sizeof(*v));
}

/* Change. */

struct set_arg {
	struct fx_ctx			*ctx;
	const char			*login;
	const struct fx_user_change	*ch;
};

static int
set_fn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct set_arg *a = arg;
	struct fx_ctx *ctx = a->ctx;
	const struct fx_user_change *ch = a->ch;
	struct fx_user me, u;
	char **emails = NULL, q[128], p1[64], p2[64], now[32];
	size_t nemails = 0, i;
	uint32_t perms;
	int changed = 0, su, rc = -1;

	memset(&u, 0, sizeof(u));
	if (fx_acl_actor(ctx, t, &me, err) == -1)
		return -1;
	if (target_load(ctx, t, &me, a->login, 1, &u, err) == -1 ||
	    may_manage(ctx, t, &me, &u, err) == -1)
		goto out;

	if (ch->name != NULL && strcmp(ch->name, u.name) != 0) {
		if (audit(ctx, t, "user.set", u.login, "name", u.name,
		    ch->name, err) == -1)
			goto out;
		replace(&u.name, ch->name);
		changed = 1;
	}
	if (ch->phone != NULL && strcmp(ch->phone, u.phone) != 0) {
		if (audit(ctx, t, "user.set", u.login, "phone", u.phone,
		    ch->phone, err) == -1)
			goto out;
		replace(&u.phone, ch->phone);
		changed = 1;
	}
	if (ch->perms != -1) {
		if (ch->perms < 0 || (ch->perms & ~(int64_t)FX_PERM_ALL) != 0) {
			fx_err_set(err, FX_EUSAGE, "unknown permission bits "
			    "0x%llx", (unsigned long long)ch->perms);
			goto out;
		}
		perms = (uint32_t)ch->perms;
		if (perms != u.perms) {
			if (may_grant(ctx, &me, u.perms, perms, err) == -1 ||
			    audit(ctx, t, "user.set", u.login, "perms",
			    fx_perm_fmt(p1, sizeof(p1), u.perms),
			    fx_perm_fmt(p2, sizeof(p2), perms), err) == -1)
				goto out;
			u.perms = perms;
			changed = 1;
		}
	}
	if (ch->superuser != -1 && (su = ch->superuser != 0) != u.superuser) {
		/* Revoking was refused above unless staff or superuser. */
		if (may_make_superuser(ctx, &me, err) == -1)
			goto out;
		if (!su && !u.blocked && last_superuser(t, &u, err) == -1)
			goto out;
		if (audit(ctx, t, "user.set", u.login, "superuser",
		    yesno(u.superuser), yesno(su), err) == -1)
			goto out;
		u.superuser = su;
		changed = 1;
	}
	if (ch->set_emails) {
		if (emails_norm(ch->emails, ch->nemails, &emails, &nemails,
		    err) == -1)
			goto out;
		if (!sv_equal(u.emails, u.nemails, emails, nemails)) {
			/* Free the dropped addresses, then claim the new. */
			for (i = 0; i < u.nemails; i++)
				if (sv_find(emails, nemails,
				    u.emails[i]) == -1 && idx_drop(t,
				    FX_K_IDX_EMAIL, u.emails[i], u.login,
				    err) == -1)
					goto out;
			for (i = 0; i < nemails; i++) {
				if (sv_find(u.emails, u.nemails,
				    emails[i]) != -1)
					continue;
				if (email_free(t, &u, emails[i], err) == -1 ||
				    fx_db_put(t, FX_K_IDX_EMAIL, emails[i],
				    strlen(emails[i]), u.login,
				    strlen(u.login), err) == -1)
					goto out;
			}
			if (audit_sv(ctx, t, "user.set", u.login, "emails",
			    u.emails, u.nemails, emails, nemails, err) == -1)
				goto out;
			fx_strv_free(u.emails, u.nemails);
			u.emails = emails;
			u.nemails = nemails;
			emails = NULL;
			nemails = 0;
			changed = 1;
		}
	}
	if (ch->unix_login != NULL &&
	    strcmp(ch->unix_login, u.unix_login) != 0) {
		if (may_set_unix(ctx, &me, err) == -1)
			goto out;
		if (ch->unix_login[0] != '\0' && !unix_ok(ch->unix_login)) {
			fx_err_set(err, FX_EDATA, "Unix login \"%s\" is not "
			    "valid", fx_quote(q, sizeof(q), ch->unix_login));
			goto out;
		}
		if (u.unix_login[0] != '\0' && idx_drop(t, FX_K_IDX_UNIX,
		    u.unix_login, u.login, err) == -1)
			goto out;
		if (ch->unix_login[0] != '\0' &&
		    (unix_free(t, &u, ch->unix_login, err) == -1 ||
		    fx_db_put(t, FX_K_IDX_UNIX, ch->unix_login,
		    strlen(ch->unix_login), u.login, strlen(u.login),
		    err) == -1))
			goto out;
		if (audit(ctx, t, "user.set", u.login, "unix_login",
		    u.unix_login, ch->unix_login, err) == -1)
			goto out;
		replace(&u.unix_login, ch->unix_login);
		changed = 1;
	}
	if (!changed) {
		rc = 1;
		goto out;
	}
	fx_now_iso(now, sizeof(now));
	replace(&u.updated, now);
	if (user_put(t, &u, err) == -1)
		goto out;
	rc = 0;
out:
	fx_strv_free(emails, nemails);
	fx_user_release(&u);
	fx_user_release(&me);
	return rc;
}

int
fx_user_set(struct fx_ctx *ctx, const char *login,
    const struct fx_user_change *ch, struct fx_err *err)
{
	struct set_arg a = { ctx, login, ch };

	return fx_db_write(ctx->db, set_fn, &a, err) == -1 ? -1 : 0;
}

struct attach_arg {
	struct fx_ctx		*ctx;
	const char		*login;
	const char *const	*refs;
	size_t			 n;
	int			 detach;
};

static int
attach_fn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct attach_arg *a = arg;
	struct fx_ctx *ctx = a->ctx;
	struct fx_user me, u;
	struct fx_entity e;
	char **v = NULL, now[32], q[128], q2[128];
	size_t nv = 0, cap = 0, i;
	int j, rc = -1;

	memset(&u, 0, sizeof(u));
	if (fx_acl_actor(ctx, t, &me, err) == -1)
		return -1;
	if (target_load(ctx, t, &me, a->login, 1, &u, err) == -1 ||
	    may_manage(ctx, t, &me, &u, err) == -1)
		goto out;
	for (i = 0; i < u.nentities; i++)
		sv_push(&v, &nv, &cap, u.entities[i]);
	for (i = 0; i < a->n; i++) {
		if (!a->detach) {
			if (entities_add(ctx, t, &me, u.dealer, &a->refs[i], 1,
			    &v, &nv, &cap, err) == -1)
				goto out;
			continue;
		}
		/*
		 * An attached Ид detaches as it is, even if 1C has since
		 * dropped the entity; anything else is resolved first.
		 */
		if ((j = sv_find(v, nv, a->refs[i])) == -1) {
			if (fx_entity_find(ctx, t, &me, a->refs[i], &e,
			    err) == -1)
				goto out;
			j = sv_find(v, nv, e.id);
			fx_entity_release(&e);
		}
		if (j == -1) {
			fx_err_set(err, FX_EDATA, "legal entity \"%s\" is not "
			    "attached to user \"%s\"",
			    fx_quote(q, sizeof(q), a->refs[i]),
			    fx_quote(q2, sizeof(q2), u.login));
			goto out;
		}
		free(v[j]);
		memmove(&v[j], &v[j + 1], (nv - (size_t)j - 1) * sizeof(*v));
		nv--;
	}
	if (sv_equal(u.entities, u.nentities, v, nv)) {
		rc = 1;
		goto out;
	}
	if (audit_sv(ctx, t, a->detach ? "user.detach" : "user.attach",
	    u.login, "entities", u.entities, u.nentities, v, nv, err) == -1)
		goto out;
	fx_strv_free(u.entities, u.nentities);
	u.entities = v;
	u.nentities = nv;
	v = NULL;
	nv = 0;
	fx_now_iso(now, sizeof(now));
	replace(&u.updated, now);
	if (user_put(t, &u, err) == -1)
		goto out;
	rc = 0;
out:
	fx_strv_free(v, nv);
	fx_user_release(&u);
	fx_user_release(&me);
	return rc;
}

int
fx_user_attach(struct fx_ctx *ctx, const char *login,
    const char *const *entities, size_t n, int detach, struct fx_err *err)
{
	struct attach_arg a = { ctx, login, entities, n, detach };

	return fx_db_write(ctx->db, attach_fn, &a, err) == -1 ? -1 : 0;
}

struct block_arg {
	struct fx_ctx	*ctx;
	const char	*login;
	int		 block;
	const char	*reason;
};

static int
block_fn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct block_arg *a = arg;
	struct fx_ctx *ctx = a->ctx;
	const char *reason = a->reason ? a->reason : "", *p, *action;
	struct fx_user me, u;
	struct fx_buf o = { NULL, 0, 0 }, n = { NULL, 0, 0 };
	char now[32], q[128];
	int rc = -1;

	memset(&u, 0, sizeof(u));
	if (fx_acl_actor(ctx, t, &me, err) == -1)
		return -1;
	if (target_load(ctx, t, &me, a->login, 1, &u, err) == -1 ||
	    may_manage(ctx, t, &me, &u, err) == -1)
		goto out;
	action = a->block ? "user.block" : "user.unblock";
	if (a->block) {
		for (p = reason; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0') {
			fx_err_set(err, FX_EDATA, "a reason is required to "
			    "block user \"%s\"", fx_quote(q, sizeof(q),
			    u.login));
			goto out;
		}
		if (u.blocked && strcmp(u.blocked_reason, reason) == 0) {
			rc = 1;
			goto out;
		}
		if (!u.blocked && u.superuser &&
		    last_superuser(t, &u, err) == -1)
			goto out;
	} else {
		if (!u.blocked) {
			rc = 1;
			goto out;
		}
		reason = "";
	}
	/* One entry: "no" -> "yes: reason", or back. */
	fx_buf_addf(&o, "%s%s%s", yesno(u.blocked), u.blocked ? ": " : "",
	    u.blocked ? u.blocked_reason : "");
	fx_buf_addf(&n, "%s%s%s", yesno(a->block), a->block ? ": " : "",
	    reason);
	if (audit(ctx, t, action, u.login, "blocked", fx_buf_str(&o),
	    fx_buf_str(&n), err) == -1)
		goto out;
	u.blocked = a->block != 0;
	replace(&u.blocked_reason, reason);
	fx_now_iso(now, sizeof(now));
	replace(&u.updated, now);
	if (user_put(t, &u, err) == -1)
		goto out;
	rc = 0;
out:
	fx_buf_release(&o);
	fx_buf_release(&n);
	fx_user_release(&u);
	fx_user_release(&me);
	return rc;
}

int
fx_user_block(struct fx_ctx *ctx, const char *login, int block,
    const char *reason, struct fx_err *err)
{
	struct block_arg a = { ctx, login, block != 0, reason };

	return fx_db_write(ctx->db, block_fn, &a, err) == -1 ? -1 : 0;
}
