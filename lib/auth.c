/*
 * auth.c -- who is acting, and the one access check.
 *
 * Identity is resolved once per process (fx_auth) or per daemon job
 * (fx_auth_user) and kept in ctx->actor.  It says only *who* acts: every
 * decision reads that user's record again, in the transaction of the
 * action, so that a block or a change of permissions takes effect at
 * once, even for a daemon that resolved the user hours ago.  Nothing is
 * cached across transactions.
 *
 * Rules (DESIGN.md, "Who may do what"):
 *  - staff (root, or the Unix group access.staff_group) may do anything,
 *    or act --as a formix user and then see exactly what that user sees;
 *  - a superuser sees every legal entity of the dealer; an employee sees
 *    the entities attached to them and, for an attached head company,
 *    its subsidiaries; a subsidiary sees only itself;
 *  - an entity the actor may not see is reported as unknown, never as
 *    forbidden: its existence is not revealed;
 *  - a blocked user can do nothing.
 *
 * Staff membership is decided from the real uid and the real and
 * supplementary groups, never the effective ones: a tool installed
 * setgid to reach the store must not make everyone staff.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "fx-int.h"

static const struct {
	const char	*name;
	uint32_t	 bit;
} perm_names[] = {
	{ "order", FX_PERM_ORDER },
	{ "claim", FX_PERM_CLAIM },
	{ "ar", FX_PERM_AR },
	{ "users", FX_PERM_USERS },
};

int
fx_perm_parse(const char *s, uint32_t *out, struct fx_err *err)
{
	const char *p, *end;
	char word[32], q[64];
	uint32_t v = 0;
	size_t i, len;

	*out = 0;
	if (s == NULL)
		return 0;
	while (*s == ' ')
		s++;
	if (*s == '\0')
		return 0;
	for (p = s;; p = end + 1) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && *p == ' ')
			p++;
		len = (size_t)(end - p);
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len < sizeof(word)) {
			memcpy(word, p, len);
			word[len] = '\0';
		} else
			word[0] = '\0';
		for (i = 0; i < nitems(perm_names); i++)
			if (len < sizeof(word) &&
			    strcmp(word, perm_names[i].name) == 0)
				break;
		if (i < nitems(perm_names))
			v |= perm_names[i].bit;
		else if (len < sizeof(word) && strcmp(word, "all") == 0)
			v |= FX_PERM_ALL;
		else {
			char *w = fx_strndup(p, len);

			fx_quote(q, sizeof(q), w);
			free(w);
			return fx_err_set(err, FX_EUSAGE, "unknown permission "
			    "\"%s\" (order, claim, ar, users)", q);
		}
		if (*end == '\0')
			break;
	}
	*out = v;
	return 0;
}

char *
fx_perm_fmt(char *buf, size_t sz, uint32_t perms)
{
	size_t i, o = 0, n;

	if (sz == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < nitems(perm_names); i++) {
		if (!(perms & perm_names[i].bit))
			continue;
		n = strlen(perm_names[i].name);
		if (o + (o > 0) + n >= sz)
			break;
		if (o > 0)
			buf[o++] = ',';
		memcpy(buf + o, perm_names[i].name, n + 1);
		o += n;
	}
	return buf;
}

const struct fx_actor *
fx_ctx_actor(const struct fx_ctx *ctx)
{
	return &ctx->actor;
}

/*
 * Audit entries name the login, or "staff:UNIX" for staff acting as
 * themselves.  The only writer that runs without an identity is the
 * exchange with 1C (imports, which may carry employees): "1c".
 */
const char *
fx_actor_name(const struct fx_ctx *ctx, char *buf, size_t sz)
{
	if (ctx == NULL || !ctx->actor.resolved)
		fx_strlcpy(buf, "1c", sz);
	else if (ctx->actor.staff)
		fx_snprintf(buf, sz, "staff:%s", ctx->actor.unix_login);
	else
		fx_strlcpy(buf, ctx->actor.login, sz);
	return buf;
}

/* Buffer size for the getpw*_r / getgr*_r calls, grown on ERANGE. */
static size_t
nss_bufsz(int name)
{
	long n = sysconf(name);

	return n > 0 ? (size_t)n : 16384;
}

/* Is the calling process's real user a member of group? */
static int
in_group(const char *group, gid_t pw_gid, int *member, struct fx_err *err)
{
	struct group gr, *res = NULL;
	size_t sz = nss_bufsz(_SC_GETGR_R_SIZE_MAX);
	gid_t *list;
	char *buf, q[128];
	int rc, n, i;

	*member = 0;
	if (group == NULL || group[0] == '\0')
		return 0;
	for (;;) {
		buf = fx_malloc(sz);
		rc = getgrnam_r(group, &gr, buf, sz, &res);
		if (rc != ERANGE || sz > (1u << 24))
			break;
		free(buf);
		sz *= 2;
	}
	if (rc != 0 && rc != ENOENT && rc != ESRCH && rc != EBADF &&
	    rc != EPERM) {
		free(buf);
		errno = rc;
		return fx_err_sys(err, FX_EUNAVAIL, "cannot look up group "
		    "\"%s\"", fx_quote(q, sizeof(q), group));
	}
	if (res == NULL) {
		/* No such group: then only root is staff. */
		free(buf);
		return 0;
	}
	if (getgid() == gr.gr_gid || pw_gid == gr.gr_gid) {
		free(buf);
		*member = 1;
		return 0;
	}
	n = getgroups(0, NULL);
	if (n > 0) {
		list = fx_calloc((size_t)n, sizeof(*list));
		n = getgroups(n, list);
		for (i = 0; i < n; i++)
			if (list[i] == gr.gr_gid)
				*member = 1;
		free(list);
	}
	free(buf);
	return 0;
}

/*
 * Act as the formix user login: refused if unknown or blocked.  unix_login
 * is who ran the tool; mapped says the login came from the Unix-login
 * index, so that a stale entry reads as "not registered".
 */
static int
act_as(struct fx_ctx *ctx, const char *login, const char *unix_login,
    int mapped, struct fx_err *err)
{
	struct fx_actor *a = &ctx->actor;
	struct fx_txn t;
	struct fx_user u;
	struct fx_dealer d;
	char q[128], q2[256];
	int r, rc = -1;

	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	r = fx_db_getrec(&t, FX_K_USER, login, strlen(login), &fx_rt_user,
	    &u, err);
	if (r == -1)
		goto out;
	fx_quote(q, sizeof(q), login);
	if (r == 1) {
		if (mapped)
			fx_err_set(err, FX_EPERM, "permission denied: Unix "
			    "user \"%s\" is not registered with formix",
			    fx_quote(q2, sizeof(q2), unix_login));
		else
			fx_err_set(err, FX_ENOTFOUND, "unknown user \"%s\"", q);
		goto out;
	}
	if (u.blocked) {
		fx_err_set(err, FX_EPERM, "user \"%s\" is blocked: %s", q,
		    fx_quote(q2, sizeof(q2), u.blocked_reason));
		goto release;
	}
	memset(a, 0, sizeof(*a));
	fx_strlcpy(a->unix_login, unix_login, sizeof(a->unix_login));
	if (fx_strlcpy(a->login, u.login, sizeof(a->login)) == -1 ||
	    fx_strlcpy(a->dealer, u.dealer, sizeof(a->dealer)) == -1) {
		memset(a, 0, sizeof(*a));
		fx_err_set(err, FX_ESOFTWARE, "user \"%s\": login or dealer "
		    "too long", q);
		goto release;
	}
	r = fx_db_getrec(&t, FX_K_DEALER, u.dealer, strlen(u.dealer),
	    &fx_rt_dealer, &d, err);
	if (r == -1) {
		memset(a, 0, sizeof(*a));
		goto release;
	}
	if (r == 0) {
		fx_strlcpy(a->dealer_name, d.name, sizeof(a->dealer_name));
		fx_dealer_release(&d);
	} else
		fx_strlcpy(a->dealer_name, u.dealer, sizeof(a->dealer_name));
	a->superuser = u.superuser;
	a->perms = u.perms;
	a->resolved = 1;
	rc = 0;
release:
	fx_user_release(&u);
out:
	fx_db_abort(&t);
	return rc;
}

int
fx_auth(struct fx_ctx *ctx, const char *as, struct fx_err *err)
{
	struct passwd pw, *res = NULL;
	struct fx_txn t;
	const void *v;
	size_t sz = nss_bufsz(_SC_GETPW_R_SIZE_MAX), vl;
	char *buf, unix_login[64], login[128];
	uid_t uid = getuid();
	gid_t pw_gid = (gid_t)-1;
	int rc, staff = 0, r;

	memset(&ctx->actor, 0, sizeof(ctx->actor));
	/*
	 * Root is staff whatever the user database says, and is called
	 * "root" without asking it: no NSS lookup (nscd socket, passwd
	 * file) happens where none is needed.
	 */
	if (uid == 0) {
		fx_strlcpy(unix_login, "root", sizeof(unix_login));
		staff = 1;
	} else {
		for (;;) {
			buf = fx_malloc(sz);
			rc = getpwuid_r(uid, &pw, buf, sz, &res);
			if (rc != ERANGE || sz > (1u << 24))
				break;
			free(buf);
			sz *= 2;
		}
		r = -1;
		if (res != NULL) {
			r = fx_strlcpy(unix_login, pw.pw_name,
			    sizeof(unix_login));
			pw_gid = pw.pw_gid;
		}
		free(buf);
		if (r == -1)
			return fx_err_set(err, FX_EPERM, "permission denied: "
			    "uid %ld has no usable user name", (long)uid);
		if (in_group(ctx->conf.staff_group, pw_gid, &staff,
		    err) == -1)
			return -1;
	}

	if (staff) {
		if (as != NULL)
			return act_as(ctx, as, unix_login, 0, err);
		ctx->actor.resolved = 1;
		ctx->actor.staff = 1;
		fx_strlcpy(ctx->actor.unix_login, unix_login,
		    sizeof(ctx->actor.unix_login));
		return 0;
	}
	if (as != NULL)
		return fx_err_set(err, FX_EPERM, "permission denied: only "
		    "staff may act --as another user");

	/* Any other Unix user is the formix user registered with it. */
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	r = fx_db_get(&t, FX_K_IDX_UNIX, unix_login, strlen(unix_login), &v,
	    &vl, err);
	if (r == 0 && vl < sizeof(login)) {
		memcpy(login, v, vl);
		login[vl] = '\0';
	} else if (r == 0)
		r = 1;
	fx_db_abort(&t);
	if (r == -1)
		return -1;
	if (r == 1) {
		char q[128];

		return fx_err_set(err, FX_EPERM, "permission denied: Unix user "
		    "\"%s\" is not registered with formix",
		    fx_quote(q, sizeof(q), unix_login));
	}
	return act_as(ctx, login, unix_login, 1, err);
}

int
fx_auth_user(struct fx_ctx *ctx, const char *login, struct fx_err *err)
{
	memset(&ctx->actor, 0, sizeof(ctx->actor));
	return act_as(ctx, login, "", 0, err);
}

/* Access. */

int
fx_acl_actor(struct fx_ctx *ctx, struct fx_txn *t, struct fx_user *me,
    struct fx_err *err)
{
	const char *login = ctx->actor.login;
	char q[128], q2[256];
	int r;

	memset(me, 0, sizeof(*me));
	if (!ctx->actor.resolved)
		return fx_err_set(err, FX_EPERM, "permission denied: identity "
		    "not resolved");
	if (ctx->actor.staff)
		return 0;
	r = fx_db_getrec(t, FX_K_USER, login, strlen(login), &fx_rt_user, me,
	    err);
	if (r == -1) {
		memset(me, 0, sizeof(*me));
		return -1;
	}
	fx_quote(q, sizeof(q), login);
	if (r == 1) {
		memset(me, 0, sizeof(*me));
		return fx_err_set(err, FX_EPERM, "permission denied: user "
		    "\"%s\" no longer exists", q);
	}
	if (me->blocked) {
		fx_quote(q2, sizeof(q2), me->blocked_reason);
		fx_user_release(me);
		return fx_err_set(err, FX_EPERM, "user \"%s\" is blocked: %s",
		    q, q2);
	}
	return 0;
}

int
fx_acl_sees(const struct fx_ctx *ctx, const struct fx_user *me,
    const struct fx_entity *e)
{
	size_t i;

	if (!ctx->actor.resolved)
		return 0;
	if (ctx->actor.staff)
		return 1;
	if (me->login == NULL || me->blocked || me->dealer == NULL ||
	    strcmp(e->dealer, me->dealer) != 0)
		return 0;
	if (me->superuser)
		return 1;
	/* Heads are one level deep: an attached subsidiary heads nothing. */
	for (i = 0; i < me->nentities; i++)
		if (strcmp(me->entities[i], e->id) == 0 ||
		    (e->head[0] != '\0' &&
		    strcmp(me->entities[i], e->head) == 0))
			return 1;
	return 0;
}

int
fx_acl_visible(struct fx_ctx *ctx, struct fx_txn *t, const char *entity,
    int *visible, struct fx_err *err)
{
	struct fx_entity e;
	struct fx_user me;
	const char *login = ctx->actor.login;
	int r;

	*visible = 0;
	if (!ctx->actor.resolved || entity == NULL)
		return 0;
	r = fx_db_getrec(t, FX_K_ENTITY, entity, strlen(entity),
	    &fx_rt_entity, &e, err);
	if (r != 0)
		return r == -1 ? -1 : 0;
	memset(&me, 0, sizeof(me));
	if (!ctx->actor.staff) {
		r = fx_db_getrec(t, FX_K_USER, login, strlen(login),
		    &fx_rt_user, &me, err);
		if (r != 0) {
			fx_entity_release(&e);
			return r == -1 ? -1 : 0;
		}
	}
	*visible = fx_acl_sees(ctx, &me, &e);
	fx_user_release(&me);
	fx_entity_release(&e);
	return 0;
}

/* The dealer's name for a refusal; its Ид if it has none or is unknown. */
static int
dealer_label(struct fx_txn *t, const char *id, char *buf, size_t sz,
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

/*
 * What 1C says about an entity stops its orders, whoever places them:
 * blocked, a contract past its expiry, a blocked dealer.  (Receivables
 * limits are the receivables module's rule, called at submission.)
 */
static int
order_block(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_entity *e,
    struct fx_err *err)
{
	struct fx_dealer d;
	char q[256], q2[128];
	int r;

	fx_quote(q, sizeof(q), e->name[0] != '\0' ? e->name : e->id);
	if (e->blocked)
		return fx_err_set(err, FX_ENEGATIVE, "ordering blocked: legal "
		    "entity \"%s\" is blocked by 1C", q);
	if (e->contract_expires[0] != '\0' &&
	    strcmp(e->contract_expires, ctx->today) < 0)
		return fx_err_set(err, FX_ENEGATIVE, "ordering blocked: "
		    "contract \"%s\" of \"%s\" expired on %s",
		    fx_quote(q2, sizeof(q2), e->contract), q,
		    e->contract_expires);
	r = fx_db_getrec(t, FX_K_DEALER, e->dealer, strlen(e->dealer),
	    &fx_rt_dealer, &d, err);
	if (r == -1)
		return -1;
	if (r == 0) {
		int blocked = d.blocked;

		fx_quote(q2, sizeof(q2), d.name);
		fx_dealer_release(&d);
		if (blocked)
			return fx_err_set(err, FX_ENEGATIVE, "ordering blocked: "
			    "dealer \"%s\" is blocked by 1C", q2);
	}
	return 0;
}

static int
check_entity(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_user *me,
    enum fx_action action, const char *entity, struct fx_err *err)
{
	static const struct {
		uint32_t	 perm;
		const char	*what;
	} need[] = {
		[FX_ACT_ORDER] = { FX_PERM_ORDER, "order for" },
		[FX_ACT_CLAIM] = { FX_PERM_CLAIM, "file claims for" },
		[FX_ACT_AR] = { FX_PERM_AR, "see receivables of" },
	};
	struct fx_entity e;
	char q[128], q2[256];
	int r, rc = -1;

	if (entity == NULL)
		return fx_err_set(err, FX_ESOFTWARE, "access check without a "
		    "legal entity");
	fx_quote(q, sizeof(q), entity);
	r = fx_db_getrec(t, FX_K_ENTITY, entity, strlen(entity),
	    &fx_rt_entity, &e, err);
	if (r == -1)
		return -1;
	if (r == 1)
		return fx_err_set(err, FX_ENOTFOUND, "unknown legal entity "
		    "\"%s\"", q);
	if (!fx_acl_sees(ctx, me, &e)) {
		fx_err_set(err, FX_ENOTFOUND, "unknown legal entity \"%s\"", q);
		goto out;
	}
	if (ctx->actor.staff || action == FX_ACT_VIEW || me->superuser ||
	    (me->perms & need[action].perm) != 0) {
		rc = action == FX_ACT_ORDER ? order_block(ctx, t, &e, err) : 0;
		goto out;
	}
	fx_quote(q, sizeof(q), me->login);
	fx_quote(q2, sizeof(q2), e.name[0] != '\0' ? e.name : e.id);
	fx_err_set(err, FX_EPERM, "permission denied: user \"%s\" may not %s "
	    "\"%s\"", q, need[action].what, q2);
out:
	fx_entity_release(&e);
	return rc;
}

static int
check_dealer(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_user *me,
    enum fx_action action, const char *dealer, struct fx_err *err)
{
	char q[128], q2[256];

	if (ctx->actor.staff)
		return 0;
	if (dealer == NULL)
		dealer = me->dealer;
	if (strcmp(dealer, me->dealer) == 0 &&
	    (me->superuser || (me->perms & FX_PERM_USERS) != 0))
		return 0;
	if (dealer_label(t, dealer, q2, sizeof(q2), err) == -1)
		return -1;
	fx_quote(q, sizeof(q), me->login);
	return fx_err_set(err, FX_EPERM, "permission denied: user \"%s\" may "
	    "not %s dealer \"%s\"", q, action == FX_ACT_USERS ?
	    "manage users of" : action == FX_ACT_CODES ?
	    "manage the codes of" : "request legal entities for", q2);
}

int
fx_acl_check_txn(struct fx_ctx *ctx, struct fx_txn *t, enum fx_action action,
    const char *entity, const char *dealer, struct fx_err *err)
{
	struct fx_user me;
	char q[128];
	int rc;

	if (fx_acl_actor(ctx, t, &me, err) == -1)
		return -1;
	switch (action) {
	case FX_ACT_VIEW:
	case FX_ACT_ORDER:
	case FX_ACT_CLAIM:
	case FX_ACT_AR:
		rc = check_entity(ctx, t, &me, action, entity, err);
		break;
	case FX_ACT_USERS:
	case FX_ACT_REQUEST:
	case FX_ACT_CODES:
		rc = check_dealer(ctx, t, &me, action, dealer, err);
		break;
	case FX_ACT_STAFF:
		rc = 0;
		if (!ctx->actor.staff)
			rc = fx_err_set(err, FX_EPERM, "permission denied: "
			    "user \"%s\" may not do this: staff only",
			    fx_quote(q, sizeof(q), me.login));
		break;
	default:
		rc = fx_err_set(err, FX_ESOFTWARE, "unknown access action %d",
		    (int)action);
		break;
	}
	fx_user_release(&me);
	return rc;
}

int
fx_acl_check(struct fx_ctx *ctx, enum fx_action action, const char *entity,
    const char *dealer, struct fx_err *err)
{
	struct fx_txn t;
	int rc;

	if (!ctx->actor.resolved)
		return fx_err_set(err, FX_EPERM, "permission denied: identity "
		    "not resolved");
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	rc = fx_acl_check_txn(ctx, &t, action, entity, dealer, err);
	fx_db_abort(&t);
	return rc;
}
