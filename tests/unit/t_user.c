/*
 * t_user.c -- users, their rights, and the audit log (lib/user.c,
 * lib/audit.c).
 *
 * A temporary instance with two dealers (D1 "Автотехника": head H1 and
 * subsidiaries S1, S2; D2 "Моторс": X1).  Users are added, read, changed,
 * attached, blocked through the library as staff, as a dealer's
 * superuser, as a holder of the users permission and as a plain
 * employee.  Every refusal -- each bad input of issue 3 among them -- is
 * asserted with its code and exact message and with a dump of the store
 * before and after, which must be equal.  Every accepted change is
 * checked in the record, the e-mail and Unix-login indexes and the audit
 * log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fx-int.h"
#include "tap.h"

static char dir[512];
static struct fx_ctx *ctx;
static char staff_name[128];
static char l64[65], l65[66];	/* logins of 64 and 65 letters */

static void
die(const char *what, const struct fx_err *err)
{
	char buf[600];

	fx_err_format(err, buf, sizeof(buf));
	printf("Bail out! %s: %s\n", what, buf);
	exit(1);
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
	e.address = e.contract = e.contract_expires = e.price_type =
	    (char *)"";
	e.head = (char *)head;
	if (fx_db_putrec(t, FX_K_ENTITY, id, strlen(id), &fx_rt_entity, &e, &b,
	    &err) == -1 || fx_db_putdup(t, FX_K_IDX_INN, inn, strlen(inn), id,
	    strlen(id), &err) == -1)
		die("seed entity", &err);
	fx_buf_release(&b);
}

static void
seed(void)
{
	struct fx_txn t;
	struct fx_err err;

	if (fx_db_begin(ctx->db, 1, &t, &err) == -1)
		die("begin", &err);
	put_dealer(&t, "D1", "Автотехника");
	put_dealer(&t, "D2", "Моторс");
	put_entity(&t, "H1", "D1", "ООО Ромашка", "7701123451", "770101001",
	    "");
	put_entity(&t, "S1", "D1", "ООО Ромашка-Юг", "7810123451",
	    "781043001", "H1");
	put_entity(&t, "S2", "D1", "ИП Иванов", "770123456703", "", "H1");
	put_entity(&t, "X1", "D2", "АО Чужое", "5047123455", "5047AB001", "");
	if (fx_db_commit(&t, &err) == -1)
		die("commit", &err);
}

static void
be(const char *login)
{
	struct fx_err err;

	fx_err_clear(&err);
	if (login != NULL) {
		if (fx_auth_user(ctx, login, &err) == -1)
			die(login, &err);
		return;
	}
	if (getuid() == 0) {
		if (fx_auth(ctx, NULL, &err) == -1)
			die("fx_auth as root", &err);
	} else {
		/* Not root: the staff actor as fx_auth would make it. */
		memset(&ctx->actor, 0, sizeof(ctx->actor));
		ctx->actor.resolved = 1;
		ctx->actor.staff = 1;
		fx_strlcpy(ctx->actor.unix_login, "tester",
		    sizeof(ctx->actor.unix_login));
	}
	fx_actor_name(ctx, staff_name, sizeof(staff_name));
}

static char *
dump(void)
{
	struct fx_err err;
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);

	fx_err_clear(&err);
	if (f == NULL || fx_db_dump(ctx, f, &err) == -1)
		die("dump", &err);
	fclose(f);
	return p;
}

static void
expect(int rc, const struct fx_err *err, enum fx_code code, const char *msg,
    const char *label)
{
	if (code == FX_OK) {
		if (!ok(rc == 0, "%s", label))
			printf("#   refused: %d %s\n", err->code, err->msg);
		return;
	}
	if (!ok(rc == -1 && err->code == code && strcmp(err->msg, msg) == 0,
	    "%s: %s", label, msg))
		printf("#   got: rc %d code %d \"%s\"\n#   want: code %d\n", rc,
		    rc == -1 ? err->code : 0, rc == -1 ? err->msg : "",
		    code);
}

/* A refusal: the exact error, and the store exactly as before. */
#define REFUSED(call, code, msg, label) do {				\
	char *before_ = dump(), *after_;				\
	struct fx_err err_;						\
	int rc_;							\
									\
	fx_err_clear(&err_);						\
	rc_ = (call);							\
	expect(rc_, &err_, (code), (msg), (label));			\
	after_ = dump();						\
	ok(strcmp(before_, after_) == 0, "%s: nothing changed", (label)); \
	free(before_);							\
	free(after_);							\
} while (0)

#define DONE(call, label) do {						\
	struct fx_err err_;						\
	int rc_;							\
									\
	fx_err_clear(&err_);						\
	rc_ = (call);							\
	expect(rc_, &err_, FX_OK, "", (label));				\
} while (0)

static int
add(const char *login, const char *dealer, const char *email,
    const char *entity, uint32_t perms, int superuser, const char *unixl,
    struct fx_err *err)
{
	struct fx_user u;
	char *emails[1] = { (char *)email }, *ents[1] = { (char *)entity };

	memset(&u, 0, sizeof(u));
	u.login = (char *)login;
	u.name = (char *)"Имя Фамилия";
	u.dealer = (char *)dealer;
	u.emails = email ? emails : NULL;
	u.nemails = email ? 1 : 0;
	u.entities = entity ? ents : NULL;
	u.nentities = entity ? 1 : 0;
	u.perms = perms;
	u.superuser = superuser;
	u.unix_login = (char *)unixl;
	return fx_user_add(ctx, &u, err);
}

static struct fx_user_change
nochange(void)
{
	struct fx_user_change c;

	memset(&c, 0, sizeof(c));
	c.perms = -1;
	c.superuser = -1;
	return c;
}

static int
set(const char *login, const struct fx_user_change *c, struct fx_err *err)
{
	return fx_user_set(ctx, login, c, err);
}

static int
attach1(const char *login, const char *ref, int detach, struct fx_err *err)
{
	const char *refs[1] = { ref };

	return fx_user_attach(ctx, login, refs, 1, detach, err);
}

/* The login an index maps key to, or "" if none. */
static const char *
idx(enum fx_kind k, const char *key)
{
	static char buf[128];
	struct fx_txn t;
	struct fx_err err;
	const void *v;
	size_t vl;

	buf[0] = '\0';
	if (fx_db_begin(ctx->db, 0, &t, &err) == -1)
		die("begin", &err);
	if (fx_db_get(&t, k, key, strlen(key), &v, &vl, &err) == 0 &&
	    vl < sizeof(buf)) {
		memcpy(buf, v, vl);
		buf[vl] = '\0';
	}
	fx_db_abort(&t);
	return buf;
}

/* A user's fields, as staff see them, in one line. */
static const char *
show(const char *login)
{
	static char line[1024];
	struct fx_user u;
	struct fx_err err;
	struct fx_buf b = { NULL, 0, 0 };
	struct fx_actor save = ctx->actor;
	char perms[64];
	size_t i;

	be(NULL);
	fx_err_clear(&err);
	if (fx_user_get(ctx, login, &u, &err) == -1) {
		snprintf(line, sizeof(line), "%d %s", err.code, err.msg);
		ctx->actor = save;
		return line;
	}
	ctx->actor = save;
	fx_buf_addf(&b, "%s dealer=%s perms=%s su=%d blocked=%d:%s unix=%s "
	    "src=%s", u.login, u.dealer, fx_perm_fmt(perms, sizeof(perms),
	    u.perms), u.superuser, u.blocked, u.blocked_reason, u.unix_login,
	    u.source);
	fx_buf_adds(&b, " ents=");
	for (i = 0; i < u.nentities; i++)
		fx_buf_addf(&b, "%s%s", i ? "," : "", u.entities[i]);
	fx_buf_adds(&b, " emails=");
	for (i = 0; i < u.nemails; i++)
		fx_buf_addf(&b, "%s%s", i ? "," : "", u.emails[i]);
	snprintf(line, sizeof(line), "%s", fx_buf_str(&b));
	fx_buf_release(&b);
	fx_user_release(&u);
	return line;
}

/* The audit log (as staff), "actor action object field old>new" a line. */
static char *
log_text(const struct fx_audit_filter *f)
{
	struct fx_audit *v;
	struct fx_err err;
	struct fx_buf b = { NULL, 0, 0 };
	struct fx_actor save = ctx->actor;
	size_t n, i;

	be(NULL);
	fx_err_clear(&err);
	if (fx_audit_list(ctx, f, &v, &n, &err) == -1)
		die("audit list", &err);
	ctx->actor = save;
	for (i = 0; i < n; i++)
		fx_buf_addf(&b, "%s %s %s %s %s>%s\n", v[i].actor, v[i].action,
		    v[i].object, v[i].field, v[i].old_value, v[i].new_value);
	fx_audits_free(v, n);
	fx_buf_str(&b);
	return b.p;
}

static size_t
log_count(void)
{
	char *s = log_text(NULL), *p;
	size_t n = 0;

	for (p = s; *p != '\0'; p++)
		n += *p == '\n';
	free(s);
	return n;
}

static const char *
users_seen(const char *who, const char *dealer)
{
	static char buf[512];
	struct fx_user *v;
	struct fx_err err;
	size_t n, i, o = 0;

	be(who);
	fx_err_clear(&err);
	if (fx_user_list(ctx, dealer, &v, &n, &err) == -1) {
		snprintf(buf, sizeof(buf), "%d %s", err.code, err.msg);
		return buf;
	}
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    i ? " " : "", v[i].login);
	fx_users_free(v, n);
	return buf;
}

static void
test_add(void)
{
	struct fx_err err;
	char want[512], *log;

	be(NULL);
	DONE(add("boss", "D1", "Boss@Avto.RU", NULL, 0, 1, "", &err),
	    "staff add boss, D1 superuser");
	is_str(show("boss"), "boss dealer=D1 perms= su=1 blocked=0: unix= "
	    "src=formix ents= emails=boss@avto.ru", "boss as stored");
	is_str(idx(FX_K_IDX_EMAIL, "boss@avto.ru"), "boss",
	    "e-mail index, folded");
	DONE(add("ivanov", "D1", "ivanov@avto.ru", "7701123451/770101001",
	    FX_PERM_ORDER, 0, "ivan", &err), "staff add ivanov");
	is_str(show("ivanov"), "ivanov dealer=D1 perms=order su=0 blocked=0: "
	    "unix=ivan src=formix ents=H1 emails=ivanov@avto.ru",
	    "an entity given by INN/KPP is stored by Ид");
	is_str(idx(FX_K_IDX_UNIX, "ivan"), "ivanov", "Unix-login index");
	DONE(add("other", "D2", "x@motors.ru", "X1", 0, 1, "", &err),
	    "staff add other, D2 superuser");
	log = log_text(NULL);
	snprintf(want, sizeof(want), "%s user.add boss  >dealer=D1 "
	    "superuser=yes perms= entities= emails=boss@avto.ru unix_login= "
	    "phone= name=Имя Фамилия\n", staff_name);
	ok(strncmp(log, want, strlen(want)) == 0, "user.add audited with a "
	    "summary");
	free(log);
	is_int(log_count(), 3, "one entry per add");
	DONE(add(l64, "D1", NULL, NULL, 0, 0, "", &err),
	    "a login of 64 characters");
	be(l64);
	is_str(fx_ctx_actor(ctx)->login, l64, "...signs in whole");
	be(NULL);
	/* A superuser adds to its own dealer; the dealer may be left out. */
	be("boss");
	DONE(add("mgr", NULL, NULL, "S1", FX_PERM_USERS | FX_PERM_ORDER, 0,
	    "", &err), "superuser adds mgr, dealer defaulted");
	is_str(show("mgr"), "mgr dealer=D1 perms=order,users su=0 "
	    "blocked=0: unix= src=formix ents=S1 emails=",
	    "mgr as stored");
	be(NULL);
	DONE(add("emp", "D1", NULL, "S1", FX_PERM_ORDER, 0, "", &err),
	    "staff add emp");
}

static void
test_bad_add(void)
{
	struct fx_err err;
	char msg[256];

	be(NULL);
	REFUSED(add("ivanov", "D1", NULL, NULL, 0, 0, "", &err_), FX_EDATA,
	    "login \"ivanov\" is taken", "duplicate login");
	REFUSED(add("Ivanov", "D1", NULL, NULL, 0, 0, "", &err_), FX_EDATA,
	    "login \"Ivanov\" is not valid: 1 to 64 of a-z, 0-9, '.', '_', "
	    "'-', starting with a letter or digit", "login with a capital");
	REFUSED(add(".x", "D1", NULL, NULL, 0, 0, "", &err_), FX_EDATA,
	    "login \".x\" is not valid: 1 to 64 of a-z, 0-9, '.', '_', "
	    "'-', starting with a letter or digit", "login starting with .");
	REFUSED(add("", "D1", NULL, NULL, 0, 0, "", &err_), FX_EDATA,
	    "login \"\" is not valid: 1 to 64 of a-z, 0-9, '.', '_', "
	    "'-', starting with a letter or digit", "empty login");
	snprintf(msg, sizeof(msg), "login \"%s\" is not valid: 1 to 64 of "
	    "a-z, 0-9, '.', '_', '-', starting with a letter or digit", l65);
	REFUSED(add(l65, "D1", NULL, NULL, 0, 0, "", &err_), FX_EDATA, msg,
	    "login of 65");
	REFUSED(add("y", "D9", NULL, NULL, 0, 0, "", &err_), FX_ENOTFOUND,
	    "unknown dealer \"D9\"", "unknown dealer");
	REFUSED(add("y", NULL, NULL, NULL, 0, 0, "", &err_), FX_EUSAGE,
	    "a dealer is required", "staff must name the dealer");
	REFUSED(add("y", "D1", "X@Motors.ru", NULL, 0, 0, "", &err_),
	    FX_EDATA, "e-mail \"x@motors.ru\" is already used by a user of "
	    "another dealer", "e-mail of another dealer's user");
	REFUSED(add("y", "D1", "boss@avto.ru", NULL, 0, 0, "", &err_),
	    FX_EDATA, "e-mail \"boss@avto.ru\" is already used by user "
	    "\"boss\"", "e-mail of the same dealer's user");
	REFUSED(add("y", "D1", "not-an-address", NULL, 0, 0, "", &err_),
	    FX_EDATA, "e-mail \"not-an-address\" is not a valid address",
	    "e-mail without @");
	REFUSED(add("y", "D1", "a@b", NULL, 0, 0, "", &err_), FX_EDATA,
	    "e-mail \"a@b\" is not a valid address", "e-mail undotted");
	REFUSED(add("y", "D1", "a@@b.ru", NULL, 0, 0, "", &err_), FX_EDATA,
	    "e-mail \"a@@b.ru\" is not a valid address", "e-mail two @");
	REFUSED(add("y", "D1", "@b.ru", NULL, 0, 0, "", &err_), FX_EDATA,
	    "e-mail \"@b.ru\" is not a valid address", "e-mail no local part");
	REFUSED(add("y", "D1", "a@b..ru", NULL, 0, 0, "", &err_), FX_EDATA,
	    "e-mail \"a@b..ru\" is not a valid address", "e-mail empty label");
	REFUSED(add("y", "D1", "a b@c.ru", NULL, 0, 0, "", &err_), FX_EDATA,
	    "e-mail \"a b@c.ru\" is not a valid address", "e-mail with space");
	REFUSED(add("y", "D1", NULL, "X1", 0, 0, "", &err_), FX_EDATA,
	    "legal entity \"X1\" belongs to another dealer",
	    "staff: another dealer's entity");
	REFUSED(add("y", "D1", NULL, "NOPE", 0, 0, "", &err_), FX_ENOTFOUND,
	    "unknown legal entity \"NOPE\"", "unknown entity");
	REFUSED(add("y", "D1", NULL, NULL, 0, 0, "ivan", &err_), FX_EDATA,
	    "Unix login \"ivan\" is already used by user \"ivanov\"",
	    "Unix login taken");
	REFUSED(add("y", "D1", NULL, NULL, 0, 0, "-x", &err_), FX_EDATA,
	    "Unix login \"-x\" is not valid", "bad Unix login");
	REFUSED(add("y", "D1", NULL, NULL, 1u << 7, 0, "", &err_), FX_EUSAGE,
	    "unknown permission bits 0x80", "unknown permission bits");

	be("boss");
	REFUSED(add("y", "D1", NULL, "X1", 0, 0, "", &err_), FX_ENOTFOUND,
	    "unknown legal entity \"X1\"",
	    "superuser: another dealer's entity is unknown");
	REFUSED(add("y", "D2", NULL, NULL, 0, 0, "", &err_), FX_EPERM,
	    "permission denied: user \"boss\" may not manage users of dealer "
	    "\"Моторс\"", "superuser: another dealer");
	REFUSED(add("y", "D1", NULL, NULL, 0, 0, "yy", &err_), FX_EPERM,
	    "permission denied: user \"boss\" may not set Unix logins: staff "
	    "only", "superuser: Unix login");

	be("ivanov");
	REFUSED(add("y", "D1", NULL, NULL, 0, 0, "", &err_), FX_EPERM,
	    "permission denied: user \"ivanov\" may not manage users of "
	    "dealer \"Автотехника\"", "employee without users permission");

	be("mgr");
	REFUSED(add("y", "D1", NULL, NULL, FX_PERM_CLAIM, 0, "", &err_),
	    FX_EPERM, "permission denied: user \"mgr\" may not grant the "
	    "\"claim\" permission: they do not hold it",
	    "users permission: grant only what one holds");
	REFUSED(add("y", "D1", NULL, NULL, 0, 1, "", &err_), FX_EPERM,
	    "permission denied: user \"mgr\" may not make superusers",
	    "users permission: no superusers");
	REFUSED(add("y", "D1", NULL, "H1", 0, 0, "", &err_), FX_ENOTFOUND,
	    "unknown legal entity \"H1\"",
	    "users permission: only entities one sees");
	DONE(add("y", "D1", "y@avto.ru", "S1", FX_PERM_ORDER, 0, "", &err),
	    "users permission: add within one's rights");
	(void)err;
}

static void
test_identity(void)
{
	struct fx_err err;

	REFUSED(fx_auth_user(ctx, "nosuch", &err_), FX_ENOTFOUND,
	    "unknown user \"nosuch\"", "unknown login");
	if (getuid() == 0)
		REFUSED(fx_auth(ctx, "nosuch", &err_), FX_ENOTFOUND,
		    "unknown user \"nosuch\"", "unknown --as login");
	else
		printf("ok %d # SKIP --as needs root\n", ++tap_n);
	REFUSED(add("z", "D1", NULL, NULL, 0, 0, "", &err_), FX_EPERM,
	    "permission denied: identity not resolved", "add unresolved");
	REFUSED(fx_user_get(ctx, "boss", &(struct fx_user){ 0 }, &err_),
	    FX_EPERM, "permission denied: identity not resolved",
	    "get unresolved");
	(void)err;
}

static void
test_read(void)
{
	struct fx_user u;
	struct fx_err err;
	char want[256];

	snprintf(want, sizeof(want), "%s boss emp ivanov mgr other y", l64);
	is_str(users_seen(NULL, NULL), want, "staff see every user, by login");
	is_str(users_seen(NULL, "D2"), "other", "staff, one dealer");
	is_str(users_seen(NULL, "D9"), "5 unknown dealer \"D9\"",
	    "staff, unknown dealer");
	snprintf(want, sizeof(want), "%s boss emp ivanov mgr y", l64);
	is_str(users_seen("boss", NULL), want,
	    "a superuser sees its dealer's users");
	is_str(users_seen("mgr", "D1"), want,
	    "so does a holder of the users permission");
	is_str(users_seen("ivanov", NULL), "ivanov", "an employee sees itself");
	is_str(users_seen("boss", "D2"), "5 unknown dealer \"D2\"",
	    "another dealer is unknown");
	is_str(users_seen("other", NULL), "other", "D2 sees D2");
	be("ivanov");
	fx_err_clear(&err);
	expect(fx_user_get(ctx, "boss", &u, &err), &err, FX_ENOTFOUND,
	    "unknown user \"boss\"", "employee cannot see its superuser");
	expect(fx_user_get(ctx, "ivanov", &u, &err), &err, FX_OK, "",
	    "employee sees itself");
	fx_user_release(&u);
	be("other");
	expect(fx_user_get(ctx, "ivanov", &u, &err), &err, FX_ENOTFOUND,
	    "unknown user \"ivanov\"", "another dealer's user is unknown");
}

static void
test_change(void)
{
	struct fx_user_change c;
	struct fx_audit_filter f;
	const char *two[2] = { "Ivanov@Avto.ru", "i2@avto.ru" };
	char *log, want[2048];
	size_t before;
	struct fx_err err;

	be(NULL);
	c = nochange();
	c.perms = FX_PERM_ORDER | FX_PERM_CLAIM;
	c.phone = "123";
	DONE(set("ivanov", &c, &err), "set perms and phone");
	c = nochange();
	c.emails = two;
	c.nemails = 2;
	c.set_emails = 1;
	c.unix_login = "ivan2";
	DONE(set("ivanov", &c, &err), "set e-mails and Unix login");
	is_str(show("ivanov"), "ivanov dealer=D1 perms=order,claim su=0 "
	    "blocked=0: unix=ivan2 src=formix ents=H1 "
	    "emails=ivanov@avto.ru,i2@avto.ru", "ivanov changed");
	is_str(idx(FX_K_IDX_UNIX, "ivan"), "", "old Unix login freed");
	is_str(idx(FX_K_IDX_UNIX, "ivan2"), "ivanov", "new Unix login");
	is_str(idx(FX_K_IDX_EMAIL, "i2@avto.ru"), "ivanov", "new e-mail");
	c = nochange();
	c.emails = &two[1];
	c.nemails = 1;
	c.set_emails = 1;
	c.unix_login = "";
	DONE(set("ivanov", &c, &err), "drop an e-mail, clear Unix login");
	is_str(idx(FX_K_IDX_EMAIL, "ivanov@avto.ru"), "",
	    "dropped e-mail freed");
	is_str(idx(FX_K_IDX_UNIX, "ivan2"), "", "cleared Unix login freed");
	DONE(add("reuse", "D1", "ivanov@avto.ru", NULL, 0, 0, "ivan", &err),
	    "a freed e-mail and Unix login can be taken");

	/* Nothing to change: no write, no entry. */
	before = log_count();
	c = nochange();
	c.perms = FX_PERM_ORDER | FX_PERM_CLAIM;
	c.phone = "123";
	log = dump();
	DONE(set("ivanov", &c, &err), "a set that changes nothing");
	{
		char *after = dump();

		ok(strcmp(log, after) == 0 && log_count() == before,
		    "...writes nothing");
		free(after);
	}
	free(log);

	DONE(attach1("ivanov", "S2", 0, &err), "attach S2");
	DONE(attach1("ivanov", "S2", 0, &err), "attach S2 again: no change");
	DONE(attach1("ivanov", "7701123451/770101001", 1, &err),
	    "detach H1 by INN/KPP");
	is_str(show("ivanov"), "ivanov dealer=D1 perms=order,claim su=0 "
	    "blocked=0: unix= src=formix ents=S2 emails=i2@avto.ru",
	    "attached entities");

	memset(&f, 0, sizeof(f));
	f.object = "ivanov";
	log = log_text(&f);
	snprintf(want, sizeof(want),
	    "%s user.set ivanov phone >123\n"
	    "%s user.set ivanov perms order>order,claim\n"
	    "%s user.set ivanov emails ivanov@avto.ru>ivanov@avto.ru,"
	    "i2@avto.ru\n"
	    "%s user.set ivanov unix_login ivan>ivan2\n"
	    "%s user.set ivanov emails ivanov@avto.ru,i2@avto.ru>i2@avto.ru\n"
	    "%s user.set ivanov unix_login ivan2>\n"
	    "%s user.attach ivanov entities H1>H1,S2\n"
	    "%s user.detach ivanov entities H1,S2>S2\n",
	    staff_name, staff_name, staff_name, staff_name, staff_name,
	    staff_name, staff_name, staff_name);
	ok(strstr(log, want) != NULL, "every change audited: field, old, new");
	if (strstr(log, want) == NULL)
		printf("# log:\n%s# want:\n%s", log, want);
	free(log);
}

static void
test_bad_change(void)
{
	struct fx_user_change c;
	struct fx_err err;

	be(NULL);
	c = nochange();
	c.superuser = 0;
	REFUSED(set("boss", &c, &err_), FX_EDATA, "\"boss\" is the last "
	    "superuser of dealer \"Автотехника\": make another superuser "
	    "first", "last superuser loses the flag");
	REFUSED(attach1("ivanov", "X1", 0, &err_), FX_EDATA,
	    "legal entity \"X1\" belongs to another dealer",
	    "attach another dealer's entity");
	REFUSED(attach1("ivanov", "H1", 1, &err_), FX_EDATA,
	    "legal entity \"H1\" is not attached to user \"ivanov\"",
	    "detach what is not attached");
	REFUSED(fx_user_block(ctx, "ivanov", 1, " ", &err_), FX_EDATA,
	    "a reason is required to block user \"ivanov\"",
	    "block without a reason");
	REFUSED(fx_user_block(ctx, "nosuch", 1, "x", &err_), FX_ENOTFOUND,
	    "unknown user \"nosuch\"", "block an unknown user");
	c = nochange();
	c.perms = 1 << 9;
	REFUSED(set("ivanov", &c, &err_), FX_EUSAGE,
	    "unknown permission bits 0x200", "set unknown permission bits");
	c = nochange();
	c.emails = (const char *const[]){ "x@motors.ru" };
	c.nemails = 1;
	c.set_emails = 1;
	REFUSED(set("ivanov", &c, &err_), FX_EDATA, "e-mail \"x@motors.ru\" "
	    "is already used by a user of another dealer",
	    "set: e-mail of another dealer's user");
	c = nochange();
	c.unix_login = "ivan";
	REFUSED(set("ivanov", &c, &err_), FX_EDATA, "Unix login \"ivan\" is "
	    "already used by user \"reuse\"", "set: Unix login taken");

	be("boss");
	REFUSED(fx_user_block(ctx, "boss", 1, "ухожу", &err_), FX_EDATA,
	    "\"boss\" is the last superuser of dealer \"Автотехника\": make "
	    "another superuser first", "last superuser blocks itself");
	REFUSED(attach1("ivanov", "X1", 0, &err_), FX_ENOTFOUND,
	    "unknown legal entity \"X1\"", "superuser: attach X1");
	REFUSED(fx_user_block(ctx, "other", 1, "x", &err_), FX_ENOTFOUND,
	    "unknown user \"other\"", "superuser: another dealer's user");
	c = nochange();
	c.unix_login = "boss";
	REFUSED(set("ivanov", &c, &err_), FX_EPERM, "permission denied: user "
	    "\"boss\" may not set Unix logins: staff only",
	    "superuser: set a Unix login");

	be("ivanov");
	REFUSED(fx_user_block(ctx, "boss", 1, "x", &err_), FX_EPERM,
	    "permission denied: user \"ivanov\" may not manage users of "
	    "dealer \"Автотехника\"", "employee blocks its superuser");
	c = nochange();
	c.perms = FX_PERM_ALL;
	REFUSED(set("ivanov", &c, &err_), FX_EPERM, "permission denied: user "
	    "\"ivanov\" may not manage users of dealer \"Автотехника\"",
	    "employee raises its own permissions");

	be("mgr");
	c = nochange();
	c.superuser = 1;
	REFUSED(set("mgr", &c, &err_), FX_EPERM, "permission denied: user "
	    "\"mgr\" may not make superusers", "mgr makes itself superuser");
	c = nochange();
	c.perms = FX_PERM_USERS | FX_PERM_ORDER | FX_PERM_AR;
	REFUSED(set("mgr", &c, &err_), FX_EPERM, "permission denied: user "
	    "\"mgr\" may not grant the \"ar\" permission: they do not hold it",
	    "mgr grants itself ar");
	REFUSED(fx_user_block(ctx, "boss", 1, "x", &err_), FX_EPERM,
	    "permission denied: user \"mgr\" may not change superuser "
	    "\"boss\"", "mgr blocks the superuser");
	REFUSED(attach1("mgr", "H1", 0, &err_), FX_ENOTFOUND,
	    "unknown legal entity \"H1\"", "mgr attaches what it cannot see");
	(void)err;
}

static void
test_block(void)
{
	struct fx_actor ivan;
	struct fx_entity *v;
	struct fx_user_change c;
	struct fx_audit_filter f;
	struct fx_err err;
	size_t n;
	char *log, want[512];

	/*
	 * ivanov signs in (a daemon job, say) and keeps its identity while
	 * the superuser blocks it.
	 */
	fx_err_clear(&err);
	be("ivanov");
	ivan = ctx->actor;
	expect(fx_entity_list(ctx, NULL, &v, &n, &err), &err, FX_OK, "",
	    "ivanov lists entities");
	fx_entities_free(v, n);

	be("boss");
	DONE(fx_user_block(ctx, "ivanov", 1, "уволился", &err),
	    "superuser blocks ivanov");
	DONE(fx_user_block(ctx, "ivanov", 1, "уволился", &err),
	    "blocking again changes nothing");
	ctx->actor = ivan;
	expect(fx_entity_list(ctx, NULL, &v, &n, &err), &err, FX_EPERM,
	    "user \"ivanov\" is blocked: уволился",
	    "the block takes effect at once");
	expect(fx_acl_check(ctx, FX_ACT_VIEW, "S2", NULL, &err), &err,
	    FX_EPERM, "user \"ivanov\" is blocked: уволился",
	    "...for the access check too");
	expect(fx_auth_user(ctx, "ivanov", &err), &err, FX_EPERM,
	    "user \"ivanov\" is blocked: уволился", "...and signing in");
	/* Everyone else entitled to S2 keeps it. */
	be("boss");
	expect(fx_acl_check(ctx, FX_ACT_ORDER, "S2", NULL, &err), &err,
	    FX_OK, "", "the superuser still orders for S2");
	DONE(fx_user_block(ctx, "ivanov", 0, NULL, &err), "unblock ivanov");
	ctx->actor = ivan;
	expect(fx_acl_check(ctx, FX_ACT_VIEW, "S2", NULL, &err), &err,
	    FX_OK, "", "unblocked: works again");

	/* With a second superuser, the first may step down. */
	be(NULL);
	c = nochange();
	c.superuser = 1;
	DONE(set("emp", &c, &err), "staff makes emp a superuser");
	be("boss");
	DONE(fx_user_block(ctx, "boss", 1, "ухожу", &err),
	    "a superuser who is not the last blocks itself");
	expect(fx_user_get(ctx, "boss", &(struct fx_user){ 0 }, &err), &err,
	    FX_EPERM, "user \"boss\" is blocked: ухожу",
	    "...and can do nothing more");

	memset(&f, 0, sizeof(f));
	f.object = "ivanov";
	f.limit = 2;
	log = log_text(&f);
	is_str(log, "boss user.block ivanov blocked no>yes: уволился\n"
	    "boss user.unblock ivanov blocked yes: уволился>no\n",
	    "block and unblock: one entry each, newest 2 oldest first");
	free(log);
	memset(&f, 0, sizeof(f));
	f.actor = "boss";
	log = log_text(&f);
	snprintf(want, sizeof(want), "boss user.add mgr  >dealer=D1 "
	    "superuser=no perms=order,users entities=S1 emails= unix_login= "
	    "phone= name=Имя Фамилия\n");
	ok(strncmp(log, want, strlen(want)) == 0, "filter by actor");
	free(log);
	f.actor = NULL;
	f.since = "2999-01-01";
	log = log_text(&f);
	is_str(log, "", "since the future: nothing");
	free(log);
	f.since = "2000-01-01 00:00:00";
	f.object = "emp";
	log = log_text(&f);
	snprintf(want, sizeof(want), "%s user.set emp superuser no>yes\n",
	    staff_name);
	ok(strstr(log, want) != NULL, "since with a space before the time");
	free(log);
	be(NULL);
	f.since = "yesterday";
	expect(fx_audit_list(ctx, &f, &(struct fx_audit *){ NULL },
	    &(size_t){ 0 }, &err), &err, FX_EUSAGE, "bad time \"yesterday\": "
	    "use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS", "bad since");
	be("emp");
	expect(fx_audit_list(ctx, NULL, &(struct fx_audit *){ NULL },
	    &(size_t){ 0 }, &err), &err, FX_EPERM, "permission denied: user "
	    "\"emp\" may not do this: staff only", "the log is staff-only");
}

static void
rm_rf(const char *path)
{
	char cmd[1200];

	if (strchr(path, '\'') == NULL && fx_snprintf(cmd, sizeof(cmd),
	    "rm -rf '%s'", path) == 0 && system(cmd) != 0)
		printf("# could not remove %s\n", path);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct fx_err err;

	fx_err_clear(&err);
	memset(l64, 'a', 64);
	memset(l65, 'a', 65);
	snprintf(dir, sizeof(dir), "%s/t_user.XXXXXX", tmp && *tmp ? tmp :
	    "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (fx_strlcpy(dir + strlen(dir), "/inst", sizeof(dir) - strlen(dir))
	    == -1 || fx_instance_init(dir, &err) == -1 ||
	    fx_ctx_open(&ctx, dir, NULL, 0, &err) == -1)
		die("init", &err);
	seed();

	test_identity();
	test_add();
	test_bad_add();
	test_read();
	test_change();
	test_bad_change();
	test_block();

	fx_ctx_free(ctx);
	*strrchr(dir, '/') = '\0';
	rm_rf(dir);
	return done_testing();
}
