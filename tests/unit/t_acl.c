/*
 * t_acl.c -- who sees what (lib/auth.c, lib/entity.c).
 *
 * A temporary instance is seeded with two dealers: D1 "Автотехника", with
 * a head company H1, its subsidiaries S1 and S2 and an unrelated head E3
 * that shares H1's INN (another KPP), and D2 "Моторс" with X1.  The users
 * are D1's superuser, an employee of the head (attached to H1), an
 * employee of a subsidiary (attached to S1), an employee blocked after
 * they signed in, and D2's superuser.  Every cell of the table -- actor
 * by entity by action, and actor by dealer action -- is asserted with its
 * code and exact message.  Then listing, lookup by INN, dealers, and
 * fx_auth itself: as root the staff path, and in a child that drops to
 * "nobody" the Unix-login mapping and the staff group.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fx-int.h"
#include "tap.h"

static char dir[512];

static void
die(const char *what, const struct fx_err *err)
{
	char buf[600];

	fx_err_format(err, buf, sizeof(buf));
	printf("Bail out! %s: %s\n", what, buf);
	exit(1);
}

static struct fx_ctx *
open_ctx(void)
{
	struct fx_ctx *ctx;
	struct fx_err err;

	fx_err_clear(&err);
	if (fx_ctx_open(&ctx, dir, NULL, 0, &err) == -1)
		die("open", &err);
	return ctx;
}

static void
put_dealer(struct fx_txn *t, const char *id, const char *name)
{
	struct fx_dealer d = { (char *)id, (char *)name, 0 };
	struct fx_buf b = { NULL, 0, 0 };
	struct fx_err err;

	if (fx_db_putrec(t, FX_K_DEALER, id, strlen(id), &fx_rt_dealer, &d, &b,
	    &err) == -1)
		die("seed dealer", &err);
	fx_buf_release(&b);
}

static void
put_entity(struct fx_txn *t, const char *id, const char *dealer,
    const char *name, const char *inn, const char *kpp, const char *head)
{
	struct fx_entity e;
	struct fx_buf b = { NULL, 0, 0 };
	struct fx_err err;

	memset(&e, 0, sizeof(e));
	e.id = (char *)id;
	e.dealer = (char *)dealer;
	e.name = (char *)name;
	e.full_name = (char *)name;
	e.inn = (char *)inn;
	e.kpp = (char *)kpp;
	e.address = (char *)"";
	e.head = (char *)head;
	e.contract = (char *)"";
	e.contract_expires = (char *)"";
	e.price_type = (char *)"";
	if (fx_db_putrec(t, FX_K_ENTITY, id, strlen(id), &fx_rt_entity, &e, &b,
	    &err) == -1 || fx_db_putdup(t, FX_K_IDX_INN, inn, strlen(inn), id,
	    strlen(id), &err) == -1)
		die("seed entity", &err);
	fx_buf_release(&b);
}

static void
put_user(struct fx_txn *t, const char *login, const char *dealer,
    const char *ents, uint32_t perms, int superuser, int blocked,
    const char *unix_login)
{
	struct fx_user u;
	struct fx_buf b = { NULL, 0, 0 };
	struct fx_err err;
	char *list[8], *copy = fx_strdup(ents), *p, *save = NULL;

	memset(&u, 0, sizeof(u));
	for (p = strtok_r(copy, ",", &save); p != NULL && u.nentities < 8;
	    p = strtok_r(NULL, ",", &save))
		list[u.nentities++] = p;
	u.login = (char *)login;
	u.name = (char *)login;
	u.phone = (char *)"";
	u.dealer = (char *)dealer;
	u.entities = list;
	u.perms = perms;
	u.superuser = superuser;
	u.blocked = blocked;
	u.blocked_reason = (char *)(blocked ? "left the company" : "");
	u.unix_login = (char *)unix_login;
	u.source = (char *)"formix";
	u.created = u.updated = (char *)"2026-01-01T00:00:00Z";
	if (fx_db_putrec(t, FX_K_USER, login, strlen(login), &fx_rt_user, &u,
	    &b, &err) == -1)
		die("seed user", &err);
	if (unix_login[0] != '\0' && fx_db_put(t, FX_K_IDX_UNIX, unix_login,
	    strlen(unix_login), login, strlen(login), &err) == -1)
		die("seed unix", &err);
	fx_buf_release(&b);
	free(copy);
}

static void
seed(struct fx_ctx *ctx)
{
	struct fx_txn t;
	struct fx_err err;

	if (fx_db_begin(ctx->db, 1, &t, &err) == -1)
		die("begin", &err);
	put_dealer(&t, "D1", "Автотехника");
	put_dealer(&t, "D2", "Моторс");
	put_entity(&t, "H1", "D1", "ООО \"Ромашка\"", "7701123451",
	    "770101001", "");
	put_entity(&t, "S1", "D1", "ООО Ромашка-Юг", "7810123451",
	    "781043001", "H1");
	put_entity(&t, "S2", "D1", "ИП Иванов", "770123456703", "", "H1");
	put_entity(&t, "E3", "D1", "ООО Лютик", "7701123451", "770201001",
	    "");
	put_entity(&t, "X1", "D2", "АО Чужое", "5047123455", "5047AB001", "");
	put_user(&t, "super", "D1", "", 0, 1, 0, "");
	put_user(&t, "heademp", "D1", "H1", FX_PERM_ORDER, 0, 0, "");
	put_user(&t, "subemp", "D1", "S1", FX_PERM_ORDER | FX_PERM_CLAIM |
	    FX_PERM_AR, 0, 0, "");
	put_user(&t, "gone", "D1", "H1", FX_PERM_ALL, 0, 0, "");
	put_user(&t, "other", "D2", "", 0, 1, 0, "");
	if (fx_db_commit(&t, &err) == -1)
		die("commit", &err);
}

/*
 * What 1C says stops orders for everyone, staff included: a blocked
 * entity, an expired contract, a blocked dealer.  Viewing stays.
 */
static void
test_order_blocks(struct fx_ctx *ctx)
{
	struct fx_txn t;
	struct fx_entity e;
	struct fx_dealer d;
	struct fx_buf b = { NULL, 0, 0 };
	struct fx_err err;

	if (fx_db_begin(ctx->db, 1, &t, &err) == -1)
		die("begin", &err);
	if (fx_db_getrec(&t, FX_K_ENTITY, "S2", 2, &fx_rt_entity, &e,
	    &err) != 0)
		die("get S2", &err);
	free(e.contract);
	free(e.contract_expires);
	e.contract = fx_strdup("Д-14/2025");
	e.contract_expires = fx_strdup("2026-06-30");
	fx_db_putrec(&t, FX_K_ENTITY, "S2", 2, &fx_rt_entity, &e, &b, &err);
	fx_entity_release(&e);
	if (fx_db_getrec(&t, FX_K_ENTITY, "E3", 2, &fx_rt_entity, &e,
	    &err) != 0)
		die("get E3", &err);
	e.blocked = 1;
	fx_db_putrec(&t, FX_K_ENTITY, "E3", 2, &fx_rt_entity, &e, &b, &err);
	fx_entity_release(&e);
	if (fx_db_getrec(&t, FX_K_DEALER, "D2", 2, &fx_rt_dealer, &d,
	    &err) != 0)
		die("get D2", &err);
	d.blocked = 1;
	fx_db_putrec(&t, FX_K_DEALER, "D2", 2, &fx_rt_dealer, &d, &b, &err);
	fx_dealer_release(&d);
	if (fx_db_commit(&t, &err) == -1)
		die("commit", &err);
	fx_buf_release(&b);

	if (fx_auth(ctx, NULL, &err) == -1)
		die("auth", &err);
	fx_strlcpy(ctx->today, "2026-07-01", sizeof(ctx->today));
	ok(fx_acl_check(ctx, FX_ACT_ORDER, "S2", NULL, &err) == -1 &&
	    err.code == FX_ENEGATIVE, "expired contract: no orders");
	is_str(err.msg, "ordering blocked: contract \"Д-14/2025\" of \"ИП "
	    "Иванов\" expired on 2026-06-30", "  says which and when");
	fx_strlcpy(ctx->today, "2026-06-30", sizeof(ctx->today));
	ok(fx_acl_check(ctx, FX_ACT_ORDER, "S2", NULL, &err) == 0,
	    "on its last day the contract still holds");
	ok(fx_acl_check(ctx, FX_ACT_ORDER, "E3", NULL, &err) == -1 &&
	    err.code == FX_ENEGATIVE, "blocked entity: no orders");
	is_str(err.msg, "ordering blocked: legal entity \"ООО Лютик\" is "
	    "blocked by 1C", "  says so");
	ok(fx_acl_check(ctx, FX_ACT_VIEW, "E3", NULL, &err) == 0,
	    "  but it can still be seen");
	ok(fx_acl_check(ctx, FX_ACT_ORDER, "X1", NULL, &err) == -1 &&
	    err.code == FX_ENEGATIVE, "blocked dealer: no orders");
	is_str(err.msg, "ordering blocked: dealer \"Моторс\" is blocked by "
	    "1C", "  says so");
	ok(fx_acl_check(ctx, FX_ACT_ORDER, "H1", NULL, &err) == 0,
	    "the others still order");
}

/* Block "gone" behind the back of a context that already signed in. */
static void
block_gone(struct fx_ctx *ctx)
{
	struct fx_txn t;
	struct fx_err err;

	if (fx_db_begin(ctx->db, 1, &t, &err) == -1)
		die("begin", &err);
	put_user(&t, "gone", "D1", "H1", FX_PERM_ALL, 0, 1, "");
	if (fx_db_commit(&t, &err) == -1)
		die("commit", &err);
}

static void
be_staff(struct fx_ctx *ctx)
{
	struct fx_err err;

	fx_err_clear(&err);
	if (getuid() == 0) {
		if (fx_auth(ctx, NULL, &err) == -1)
			die("fx_auth as root", &err);
		return;
	}
	/* Not root: the staff actor as fx_auth would make it. */
	memset(&ctx->actor, 0, sizeof(ctx->actor));
	ctx->actor.resolved = 1;
	ctx->actor.staff = 1;
	fx_strlcpy(ctx->actor.unix_login, "tester",
	    sizeof(ctx->actor.unix_login));
}

static void
be(struct fx_ctx *ctx, const char *login)
{
	struct fx_err err;

	fx_err_clear(&err);
	if (login == NULL)
		be_staff(ctx);
	else if (fx_auth_user(ctx, login, &err) == -1)
		die(login, &err);
}

/* Check one call's outcome: code and exact message (none if allowed). */
static void
expect(int rc, const struct fx_err *err, enum fx_code code, const char *msg,
    const char *label)
{
	if (code == FX_OK) {
		if (!ok(rc == 0, "%s: allowed", label))
			printf("#   refused: %d %s\n", err->code, err->msg);
		return;
	}
	if (!ok(rc == -1 && err->code == code && strcmp(err->msg, msg) == 0,
	    "%s: %s", label, msg))
		printf("#   got: rc %d code %d \"%s\"\n#   want: code %d\n", rc,
		    rc == -1 ? err->code : 0, rc == -1 ? err->msg : "",
		    code);
}

static const char *const ents[] = { "H1", "S1", "S2", "E3", "X1", "NOPE" };
static const char *const ent_names[] = {
	"ООО \\\"Ромашка\\\"", "ООО Ромашка-Юг", "ИП Иванов", "ООО Лютик",
	"АО Чужое", ""
};
static const enum fx_action acts[] = {
	FX_ACT_VIEW, FX_ACT_ORDER, FX_ACT_CLAIM, FX_ACT_AR
};
static const char *const act_names[] = { "view", "order", "claim", "ar" };
static const char *const act_what[] = {
	"", "order for", "file claims for", "see receivables of"
};

/*
 * The table.  ent: one group per entity (H1 S1 S2 E3 X1 NOPE), one
 * letter per action (view order claim ar): o allowed, n unknown legal
 * entity, d permission denied, b blocked.  dealer: USERS D1, USERS D2,
 * REQUEST D1, REQUEST D2, STAFF.
 */
static const struct row {
	const char	*who;		/* NULL: staff */
	const char	*ent;
	const char	*dealer;
} table[] = {
	{ NULL,      "oooo oooo oooo oooo oooo nnnn", "ooooo" },
	{ "super",   "oooo oooo oooo oooo nnnn nnnn", "ododd" },
	{ "heademp", "oodd oodd oodd nnnn nnnn nnnn", "ddddd" },
	{ "subemp",  "nnnn oooo nnnn nnnn nnnn nnnn", "ddddd" },
	{ "gone",    "bbbb bbbb bbbb bbbb bbbb bbbb", "bbbbb" },
	{ "other",   "nnnn nnnn nnnn nnnn oooo nnnn", "dodod" },
};

static void
cell(struct fx_ctx *ctx, const char *who, char c, enum fx_code *code,
    char *msg, size_t sz, const char *what, const char *obj)
{
	*code = FX_OK;
	msg[0] = '\0';
	switch (c) {
	case 'n':
		*code = FX_ENOTFOUND;
		snprintf(msg, sz, "unknown legal entity \"%s\"", obj);
		break;
	case 'd':
		*code = FX_EPERM;
		snprintf(msg, sz, "permission denied: user \"%s\" may not %s "
		    "\"%s\"", who, what, obj);
		break;
	case 'b':
		*code = FX_EPERM;
		snprintf(msg, sz, "user \"%s\" is blocked: left the company",
		    who);
		break;
	}
	(void)ctx;
}

static void
run_table(struct fx_ctx *ctx)
{
	static const char *const dnames[] = { "Автотехника", "Моторс" };
	struct fx_err err;
	struct fx_txn t;
	enum fx_code code;
	char msg[512], label[128];
	size_t r, e, a;
	int rc, vis;

	for (r = 0; r < nitems(table); r++) {
		const struct row *row = &table[r];
		const char *who = row->who ? row->who : "staff";

		be(ctx, row->who);
		if (row->who != NULL && strcmp(row->who, "gone") == 0)
			block_gone(ctx);
		for (e = 0; e < nitems(ents); e++)
			for (a = 0; a < nitems(acts); a++) {
				char c = row->ent[e * 5 + a];

				cell(ctx, who, c, &code, msg, sizeof(msg),
				    act_what[a], c == 'n' ? ents[e] :
				    ent_names[e]);
				snprintf(label, sizeof(label), "%s %s %s", who,
				    act_names[a], ents[e]);
				fx_err_clear(&err);
				rc = fx_acl_check(ctx, acts[a], ents[e], NULL,
				    &err);
				expect(rc, &err, code, msg, label);
			}
		/* fx_acl_visible agrees with VIEW. */
		if (fx_db_begin(ctx->db, 0, &t, &err) == -1)
			die("begin", &err);
		for (e = 0; e < nitems(ents); e++) {
			if (fx_acl_visible(ctx, &t, ents[e], &vis, &err) == -1)
				die("visible", &err);
			is_int(vis, row->ent[e * 5] == 'o', "%s visible %s",
			    who, ents[e]);
		}
		fx_db_abort(&t);
		for (a = 0; a < 5; a++) {
			enum fx_action act = a < 2 ? FX_ACT_USERS : a < 4 ?
			    FX_ACT_REQUEST : FX_ACT_STAFF;
			const char *d = a == 4 ? NULL : (a % 2 == 0 ? "D1" :
			    "D2");
			const char *what = act == FX_ACT_USERS ?
			    "manage users of dealer" : act == FX_ACT_REQUEST ?
			    "request legal entities for dealer" : "";

			if (act == FX_ACT_STAFF && row->dealer[a] == 'd') {
				code = FX_EPERM;
				snprintf(msg, sizeof(msg), "permission denied: "
				    "user \"%s\" may not do this: staff only",
				    who);
			} else if (row->dealer[a] == 'd') {
				code = FX_EPERM;
				snprintf(msg, sizeof(msg), "permission denied: "
				    "user \"%s\" may not %s \"%s\"", who, what,
				    dnames[a % 2]);
			} else
				cell(ctx, who, row->dealer[a], &code, msg,
				    sizeof(msg), "", "");
			snprintf(label, sizeof(label), "%s %s %s", who,
			    act == FX_ACT_USERS ? "users" : act ==
			    FX_ACT_REQUEST ? "request" : "staff", d ? d : "");
			fx_err_clear(&err);
			rc = fx_acl_check(ctx, act, NULL, d, &err);
			expect(rc, &err, code, msg, label);
		}
		if (row->who != NULL && strcmp(row->who, "gone") == 0) {
			/* And it cannot sign in again. */
			fx_err_clear(&err);
			rc = fx_auth_user(ctx, "gone", &err);
			expect(rc, &err, FX_EPERM, "user \"gone\" is blocked: "
			    "left the company", "gone signs in again");
			is_int(fx_ctx_actor(ctx)->resolved, 0,
			    "a refused sign-in leaves no identity");
			rc = fx_acl_check(ctx, FX_ACT_VIEW, "H1", NULL, &err);
			expect(rc, &err, FX_EPERM, "permission denied: "
			    "identity not resolved", "unresolved view H1");
			if (getuid() == 0) {
				rc = fx_auth(ctx, "gone", &err);
				expect(rc, &err, FX_EPERM, "user \"gone\" is "
				    "blocked: left the company",
				    "root --as blocked");
			}
		}
	}
}

static void
list_is(struct fx_ctx *ctx, const char *who, const char *dealer,
    const char *want)
{
	struct fx_entity *v;
	struct fx_buf b = { NULL, 0, 0 };
	struct fx_err err;
	size_t n, i;

	fx_err_clear(&err);
	be(ctx, who);
	if (fx_entity_list(ctx, dealer, &v, &n, &err) == -1) {
		fx_buf_addf(&b, "error: %s", err.msg);
		n = 0;
		v = NULL;
	}
	for (i = 0; i < n; i++)
		fx_buf_addf(&b, "%s%s", i ? " " : "", v[i].id);
	is_str(fx_buf_str(&b), want, "entity list as %s of %s", who ? who :
	    "staff", dealer ? dealer : "all");
	fx_entities_free(v, n);
	fx_buf_release(&b);
}

static void
get_is(struct fx_ctx *ctx, const char *who, const char *ref, const char *want)
{
	struct fx_entity e;
	struct fx_err err;
	char got[300];

	fx_err_clear(&err);
	be(ctx, who);
	if (fx_entity_get(ctx, ref, &e, &err) == -1)
		snprintf(got, sizeof(got), "%d %s", err.code, err.msg);
	else {
		snprintf(got, sizeof(got), "%s", e.id);
		fx_entity_release(&e);
	}
	is_str(got, want, "entity get %s as %s", ref, who ? who : "staff");
}

static void
dealers_is(struct fx_ctx *ctx, const char *who, const char *want)
{
	struct fx_dealer *v, d;
	struct fx_buf b = { NULL, 0, 0 };
	struct fx_err err;
	size_t n, i;

	be(ctx, who);
	fx_err_clear(&err);
	if (fx_dealer_list(ctx, &v, &n, &err) == -1)
		die("dealer list", &err);
	for (i = 0; i < n; i++)
		fx_buf_addf(&b, "%s%s", i ? " " : "", v[i].id);
	fx_dealers_free(v, n);
	is_str(fx_buf_str(&b), want, "dealer list as %s", who ? who : "staff");
	fx_buf_release(&b);
	/* The other dealer is as unknown as one that does not exist. */
	for (i = 0; i < 3; i++) {
		const char *id = i == 0 ? "D1" : i == 1 ? "D2" : "D9";
		int vis = who == NULL ? i < 2 : strstr(want, id) != NULL;
		char msg[64];
		int rc;

		fx_err_clear(&err);
		rc = fx_dealer_get(ctx, id, &d, &err);
		snprintf(msg, sizeof(msg), "unknown dealer \"%s\"", id);
		expect(rc, &err, vis ? FX_OK : FX_ENOTFOUND, msg, who ? who :
		    "staff");
		if (rc == 0) {
			is_str(d.id, id, "dealer get %s", id);
			fx_dealer_release(&d);
		}
	}
}

static void
test_lists(struct fx_ctx *ctx)
{
	list_is(ctx, NULL, NULL, "E3 H1 S1 S2 X1");
	list_is(ctx, NULL, "D2", "X1");
	list_is(ctx, NULL, "D9", "error: unknown dealer \"D9\"");
	list_is(ctx, "super", NULL, "E3 H1 S1 S2");
	list_is(ctx, "heademp", NULL, "H1 S1 S2");
	list_is(ctx, "heademp", "D1", "H1 S1 S2");
	list_is(ctx, "heademp", "D2", "error: unknown dealer \"D2\"");
	list_is(ctx, "subemp", NULL, "S1");
	list_is(ctx, "other", NULL, "X1");

	/* H1 and E3 share an INN: ambiguous only where both are seen. */
	get_is(ctx, NULL, "7701123451", "3 INN \"7701123451\" matches 2 legal "
	    "entities: give INN/KPP");
	get_is(ctx, "super", "7701123451", "3 INN \"7701123451\" matches 2 "
	    "legal entities: give INN/KPP");
	get_is(ctx, "heademp", "7701123451", "H1");
	get_is(ctx, "subemp", "7701123451", "5 unknown legal entity "
	    "\"7701123451\"");
	get_is(ctx, "other", "7701123451", "5 unknown legal entity "
	    "\"7701123451\"");
	get_is(ctx, "super", "7701123451/770201001", "E3");
	get_is(ctx, "heademp", "7701123451/770201001", "5 unknown legal "
	    "entity \"7701123451/770201001\"");
	get_is(ctx, "heademp", "770123456703", "S2");
	get_is(ctx, "heademp", "S1", "S1");
	get_is(ctx, "subemp", "H1", "5 unknown legal entity \"H1\"");
	get_is(ctx, "other", "X1", "X1");
	get_is(ctx, "other", "5047123455/5047AB001", "X1");
	get_is(ctx, NULL, "nothing", "5 unknown legal entity \"nothing\"");

	dealers_is(ctx, NULL, "D1 D2");
	dealers_is(ctx, "heademp", "D1");
	dealers_is(ctx, "other", "D2");
}

static void
test_perm_fmt(void)
{
	struct fx_err err;
	uint32_t p;
	char buf[64];

	fx_err_clear(&err);
	ok(fx_perm_parse("order,claim", &p, &err) == 0 &&
	    p == (FX_PERM_ORDER | FX_PERM_CLAIM), "perm parse order,claim");
	ok(fx_perm_parse("all", &p, &err) == 0 && p == FX_PERM_ALL,
	    "perm parse all");
	ok(fx_perm_parse("", &p, &err) == 0 && p == 0, "perm parse empty");
	ok(fx_perm_parse(" ar , users ", &p, &err) == 0 &&
	    p == (FX_PERM_AR | FX_PERM_USERS), "perm parse with spaces");
	ok(fx_perm_parse("order,fly", &p, &err) == -1 &&
	    err.code == FX_EUSAGE, "perm parse unknown word");
	is_str(err.msg, "unknown permission \"fly\" (order, claim, ar, users)",
	    "perm parse message");
	ok(fx_perm_parse("order,,claim", &p, &err) == -1, "perm parse empty "
	    "word");
	is_str(fx_perm_fmt(buf, sizeof(buf), FX_PERM_ALL),
	    "order,claim,ar,users", "perm fmt all");
	is_str(fx_perm_fmt(buf, sizeof(buf), FX_PERM_CLAIM | FX_PERM_USERS),
	    "claim,users", "perm fmt two");
	is_str(fx_perm_fmt(buf, sizeof(buf), 0), "", "perm fmt none");
}

/* Root: the staff path of fx_auth. */
static void
test_auth_root(struct fx_ctx *ctx)
{
	const struct fx_actor *a = fx_ctx_actor(ctx);
	struct fx_err err;
	char who[128];
	int rc;

	if (getuid() != 0) {
		printf("ok %d # SKIP fx_auth staff path needs root\n", ++tap_n);
		return;
	}
	fx_err_clear(&err);
	rc = fx_auth(ctx, NULL, &err);
	ok(rc == 0 && a->resolved && a->staff && a->login[0] == '\0',
	    "root is staff");
	is_str(a->unix_login, "root", "staff unix login");
	is_str(fx_actor_name(ctx, who, sizeof(who)), "staff:root",
	    "staff actor name");
	rc = fx_auth(ctx, "heademp", &err);
	ok(rc == 0 && a->resolved && !a->staff, "root --as heademp");
	is_str(a->login, "heademp", "--as login");
	is_str(a->dealer, "D1", "--as dealer");
	is_str(a->dealer_name, "Автотехника", "--as dealer name");
	is_int(a->perms, FX_PERM_ORDER, "--as perms");
	is_str(a->unix_login, "root", "--as keeps who ran the tool");
	is_str(fx_actor_name(ctx, who, sizeof(who)), "heademp",
	    "--as actor name");
	rc = fx_auth(ctx, "nosuch", &err);
	expect(rc, &err, FX_ENOTFOUND, "unknown user \"nosuch\"",
	    "root --as nosuch");
	is_int(a->resolved, 0, "unknown --as leaves no identity");
}

/*
 * In a child dropped to nobody: write "label<TAB>code<TAB>msg<TAB>login"
 * lines to fd for the parent to check.
 */
static void
child_auth(int fd, const char *group)
{
	struct fx_ctx *ctx;
	struct fx_err err;
	FILE *out = fdopen(fd, "w");
	int rc;

	fx_err_clear(&err);
	if (out == NULL)
		_exit(3);
	if (fx_ctx_open(&ctx, dir, NULL, 0, &err) == -1) {
		fprintf(out, "open\t%d\t%s\t\n", err.code, err.msg);
		fclose(out);
		_exit(0);
	}
	if (group != NULL) {
		free(ctx->conf.staff_group);
		ctx->conf.staff_group = fx_strdup(group);
	}
	rc = fx_auth(ctx, NULL, &err);
	fprintf(out, "auth\t%d\t%s\t%s%s\n", rc == 0 ? 0 : err.code,
	    rc == 0 ? "" : err.msg, ctx->actor.staff ? "staff:" : "",
	    ctx->actor.staff ? ctx->actor.unix_login : ctx->actor.login);
	if (rc == 0 && !ctx->actor.staff) {
		rc = fx_acl_check(ctx, FX_ACT_VIEW, "S1", NULL, &err);
		fprintf(out, "view S1\t%d\t%s\t\n", rc == 0 ? 0 : err.code,
		    rc == 0 ? "" : err.msg);
		rc = fx_acl_check(ctx, FX_ACT_VIEW, "H1", NULL, &err);
		fprintf(out, "view H1\t%d\t%s\t\n", rc == 0 ? 0 : err.code,
		    rc == 0 ? "" : err.msg);
	}
	rc = fx_auth(ctx, "heademp", &err);
	fprintf(out, "as\t%d\t%s\t%s\n", rc == 0 ? 0 : err.code,
	    rc == 0 ? "" : err.msg, ctx->actor.login);
	fx_ctx_free(ctx);
	fclose(out);
	_exit(0);
}

/* Run child_auth as nobody with these groups; return its output. */
static char *
as_nobody(const char *group, gid_t extra)
{
	struct passwd *pw = getpwnam("nobody");
	char *buf = fx_calloc(1, 4096);
	size_t n = 0;
	ssize_t r;
	int p[2], st;
	pid_t pid;

	if (pw == NULL || pipe(p) == -1)
		return buf;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		gid_t gs[1] = { extra };

		close(p[0]);
		if (setgroups(extra != (gid_t)-1 ? 1 : 0, gs) == -1 ||
		    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1)
			_exit(2);
		child_auth(p[1], group);
	}
	close(p[1]);
	while (n < 4095 && (r = read(p[0], buf + n, 4095 - n)) > 0)
		n += (size_t)r;
	close(p[0]);
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		snprintf(buf, 4096, "child failed: status %d\n", st);
	return buf;
}

static void
test_auth_unix(struct fx_ctx **ctxp)
{
	struct fx_txn t;
	struct fx_err err;
	struct group *gr;
	char *out;

	if (getuid() != 0 || getpwnam("nobody") == NULL) {
		printf("ok %d # SKIP Unix identities need root and "
		    "\"nobody\"\n", ++tap_n);
		return;
	}
	/* LMDB is never inherited across fork: close, let the child open. */
	fx_ctx_free(*ctxp);
	*ctxp = NULL;

	out = as_nobody(NULL, (gid_t)-1);
	is_str(out, "auth\t11\tpermission denied: Unix user \"nobody\" is not "
	    "registered with formix\t\n"
	    "as\t11\tpermission denied: only staff may act --as another "
	    "user\t\n", "unregistered Unix user; --as refused");
	free(out);

	/* The group the process runs with, then a supplementary one. */
	gr = getgrgid(getpwnam("nobody")->pw_gid);
	if (gr != NULL) {
		char want[256];

		out = as_nobody(gr->gr_name, (gid_t)-1);
		snprintf(want, sizeof(want), "auth\t0\t\tstaff:nobody\n"
		    "as\t0\t\theademp\n");
		is_str(out, want, "primary group %s is the staff group",
		    gr->gr_name);
		free(out);
	}
	if ((gr = getgrnam("daemon")) != NULL) {
		out = as_nobody("daemon", gr->gr_gid);
		is_str(out, "auth\t0\t\tstaff:nobody\nas\t0\t\theademp\n",
		    "supplementary group daemon is the staff group");
		free(out);
	}

	*ctxp = open_ctx();
	if (fx_db_begin((*ctxp)->db, 1, &t, &err) == -1)
		die("begin", &err);
	put_user(&t, "subemp", "D1", "S1", FX_PERM_ORDER, 0, 0, "nobody");
	if (fx_db_commit(&t, &err) == -1)
		die("commit", &err);
	fx_ctx_free(*ctxp);
	*ctxp = NULL;
	out = as_nobody(NULL, (gid_t)-1);
	is_str(out, "auth\t0\t\tsubemp\n"
	    "view S1\t0\t\t\n"
	    "view H1\t5\tunknown legal entity \"H1\"\t\n"
	    "as\t11\tpermission denied: only staff may act --as another "
	    "user\t\n", "registered Unix user acts as its formix user");
	free(out);

	*ctxp = open_ctx();
	if (fx_db_begin((*ctxp)->db, 1, &t, &err) == -1)
		die("begin", &err);
	put_user(&t, "subemp", "D1", "S1", FX_PERM_ORDER, 0, 1, "nobody");
	if (fx_db_commit(&t, &err) == -1)
		die("commit", &err);
	fx_ctx_free(*ctxp);
	*ctxp = NULL;
	out = as_nobody(NULL, (gid_t)-1);
	is_str(out, "auth\t11\tuser \"subemp\" is blocked: left the company\t\n"
	    "as\t11\tpermission denied: only staff may act --as another "
	    "user\t\n", "blocked Unix user refused");
	free(out);
	*ctxp = open_ctx();
}

/* Let nobody reach the instance (the tests' own temporary directory). */
static void
open_up(void)
{
	static const char *const files[] = {
		"", "formix.yaml", "db", "db/data.mdb", "db/lock.mdb"
	};
	char p[1024];
	size_t i;

	for (i = 0; i < nitems(files); i++) {
		struct stat st;

		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		if (stat(p, &st) == 0)
			chmod(p, S_ISDIR(st.st_mode) ? 0777 : 0666);
	}
}

static void
rm_rf(const char *path)
{
	char cmd[1200];

	/* The path is ours (mkdtemp) and has no quote in it. */
	if (strchr(path, '\'') == NULL && fx_snprintf(cmd, sizeof(cmd),
	    "rm -rf '%s'", path) == 0 && system(cmd) != 0)
		printf("# could not remove %s\n", path);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct fx_ctx *ctx;
	struct fx_err err;
	char who[64];

	fx_err_clear(&err);
	snprintf(dir, sizeof(dir), "%s/t_acl.XXXXXX", tmp && *tmp ? tmp :
	    "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp %s: %s\n", dir, strerror(errno));
		return 1;
	}
	chmod(dir, 0755);
	/* fx_instance_init wants a new directory of its own. */
	if (fx_strlcpy(dir + strlen(dir), "/inst", sizeof(dir) - strlen(dir))
	    == -1 || fx_instance_init(dir, &err) == -1)
		die("init", &err);
	ctx = open_ctx();
	seed(ctx);
	open_up();

	is_str(fx_actor_name(ctx, who, sizeof(who)), "1c",
	    "no identity: the 1C exchange");
	test_perm_fmt();
	test_auth_root(ctx);
	test_lists(ctx);
	run_table(ctx);
	/* Last: they change the store. */
	test_auth_unix(&ctx);
	test_order_blocks(ctx);

	fx_ctx_free(ctx);
	*strrchr(dir, '/') = '\0';
	rm_rf(dir);
	return done_testing();
}
