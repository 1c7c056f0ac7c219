/*
 * t_claim.c -- claims through the library: one notice per status change,
 * exactly as the outbox holds it (recipients, subject, body), none for a
 * refused or repeated change; the status rules and claims.reasons.
 *
 * Runs against a real instance in a temporary directory, seeded with the
 * fixtures under $FX_SRCDIR/tests/data: the catalog, the conditions and
 * an order keyed in 1C for D00002-1 (order 000001: line 1 p-2 ordered 4,
 * nothing shipped; line 2 p-3 W26110 ordered 2, shipped 1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static void
be_staff(struct fx_ctx *ctx)
{
	memset(&ctx->actor, 0, sizeof(ctx->actor));
	ctx->actor.resolved = 1;
	ctx->actor.staff = 1;
	fx_strlcpy(ctx->actor.unix_login, "tester",
	    sizeof(ctx->actor.unix_login));
}

static void
seed(struct fx_ctx *ctx)
{
	const char *src = getenv("FX_SRCDIR");
	char p[4][700];
	const char *files[4];
	struct fx_import_stats st;
	struct fx_user u;
	struct fx_err err;
	char *mails[2];
	size_t i;

	if (src == NULL)
		src = ".";
	snprintf(p[0], sizeof(p[0]), "%s/tests/data/cml/import.xml", src);
	snprintf(p[1], sizeof(p[1]), "%s/tests/data/cml/offers.xml", src);
	snprintf(p[2], sizeof(p[2]), "%s/tests/data/cond/conditions.xml", src);
	snprintf(p[3], sizeof(p[3]), "%s/tests/data/orders/1c-keyed.xml", src);
	for (i = 0; i < 4; i++)
		files[i] = p[i];
	if (fx_import(ctx, files, 3, 0, &st, &err) == -1 ||
	    fx_import(ctx, files + 3, 1, 0, &st, &err) == -1)
		die("import", &err);
	memset(&u, 0, sizeof(u));
	u.login = (char *)"boss";
	u.name = (char *)"Boss";
	u.dealer = (char *)"D00002";
	u.superuser = 1;
	mails[0] = (char *)"boss@master.ru";
	u.emails = mails;
	u.nemails = 1;
	if (fx_user_add(ctx, &u, &err) == -1)
		die("user boss", &err);
	u.login = (char *)"boss2";
	mails[0] = (char *)"chief@master.ru";
	if (fx_user_add(ctx, &u, &err) == -1)
		die("user boss2", &err);
	u.login = (char *)"gone";
	mails[0] = (char *)"gone@master.ru";
	if (fx_user_add(ctx, &u, &err) == -1 ||
	    fx_user_block(ctx, "gone", 1, "left", &err) == -1)
		die("user gone", &err);
	u.login = (char *)"other";
	u.dealer = (char *)"D00001";
	mails[0] = (char *)"x@promservis.ru";
	if (fx_user_add(ctx, &u, &err) == -1)
		die("user other", &err);
}

/* The notices pending mail, as "subject|to,to" lines. */
static const char *
outbox(struct fx_ctx *ctx, struct fx_notice **vp, size_t *np)
{
	static char buf[4096];
	struct fx_notice *v;
	struct fx_err err;
	size_t n, i, j, o = 0;

	if (fx_notify_pending(ctx, FX_NOTIFY_MAIL, 0, NULL, &v, &n, &err) == -1)
		die("pending", &err);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s|",
		    i > 0 ? "\n" : "", v[i].subject);
		for (j = 0; j < v[i].nto; j++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
			    j > 0 ? "," : "", v[i].to[j]);
	}
	if (vp != NULL) {
		*vp = v;
		*np = n;
	} else
		fx_notices_free(v, n);
	return buf;
}

static void
test_flow(struct fx_ctx *ctx)
{
	struct fx_claim c;
	struct fx_cline l;
	struct fx_notice *v;
	struct fx_err err;
	const char *want;
	size_t n;
	int r;

	fx_err_clear(&err);
	/* The author is boss, a superuser too: told once. */
	if (fx_auth_user(ctx, "boss", &err) == -1)
		die("as boss", &err);
	if (fx_claim_new(ctx, "000001", NULL, &c, &err) == -1)
		die("new", &err);
	is_str(c.number, "C000001", "the first claim is C000001");
	is_str(c.entity, "D00002-1", "on the order's entity");
	fx_claim_release(&c);
	r = fx_claim_add(ctx, "C000001", "1", 1000, "defect", NULL, &l, &err);
	ok(r == -1 && err.code == FX_ENEGATIVE && strcmp(err.msg, "order "
	    "000001 line 1 (MS-00123) was not shipped: only shipped goods can "
	    "be claimed") == 0, "an unshipped line is refused");
	r = fx_claim_add(ctx, "C000001", "W26110", 2000, "defect", NULL, &l,
	    &err);
	ok(r == -1 && err.code == FX_ENEGATIVE && strcmp(err.msg, "order "
	    "000001 line 2 (W26110): only 1 of 2 left to claim (shipped 1, "
	    "claimed 0)") == 0, "more than was shipped is refused");
	if (fx_claim_add(ctx, "C000001", "W26110", 1000, "defect", "бракован",
	    &l, &err) == -1)
		die("add", &err);
	is_int(l.order_line, 2, "found by article");
	fx_cline_release(&l);
	is_str(outbox(ctx, NULL, NULL), "", "a draft tells nobody");

	if (fx_claim_submit(ctx, "C000001", &c, &err) == -1)
		die("submit", &err);
	is_str(c.doc, "1c/out/claim-C000001.xml", "the file for 1C");
	fx_claim_release(&c);
	is_str(outbox(ctx, NULL, NULL), "Claim C000001 on order 000001 filed: "
	    "1 line|boss@master.ru,chief@master.ru",
	    "the filing: to the author and the superusers, each address "
	    "once, the blocked one and another dealer's left out");
	be_staff(ctx);

	r = fx_claim_set(ctx, "C000001", 1, "in_review", NULL, NULL, &l, &err);
	ok(r == 0, "in_review: a change");
	fx_cline_release(&l);
	r = fx_claim_set(ctx, "C000001", 1, "in_review", NULL, NULL, &l, &err);
	ok(r == 1, "in_review again: no change (1)");
	fx_cline_release(&l);
	r = fx_claim_set(ctx, "C000001", 1, "new", NULL, NULL, &l, &err);
	ok(r == -1 && err.code == FX_ENEGATIVE, "back to new: refused");
	r = fx_claim_set(ctx, "C000001", 1, "accepted", "repair", "починим",
	    &l, &err);
	ok(r == 0, "accepted (repair)");
	fx_cline_release(&l);
	is_str(outbox(ctx, &v, &n), "Claim C000001 on order 000001 filed: 1 "
	    "line|boss@master.ru,chief@master.ru\n"
	    "Claim C000001 line 1: in_review|boss@master.ru,chief@master.ru\n"
	    "Claim C000001 line 1: accepted (repair)|boss@master.ru,"
	    "chief@master.ru",
	    "exactly one notice per change, none for the repeat or the "
	    "refusal");
	if (n == 3) {
		is_str(v[2].kind, "claim", "kind claim");
		is_str(v[2].object, "C000001", "about the claim");
		is_str(v[2].dealer, "D00002", "to the dealer's out/");
		is_str(v[2].entity, "D00002-1", "the entity");
		ok(v[2].out_state == FX_NS_PENDING &&
		    v[2].mail_state == FX_NS_PENDING, "pending on both channels");
		want = "Claim C000001 on order 000001, line 1: W26110 "
		    "Дрель ударная 650 Вт, 1, defect.\n"
		    "Status: in_review -> accepted (repair).\n"
		    "Comment: починим\n"
		    "Changed by staff:tester on ";
		if (!ok(strncmp(v[2].body, want, strlen(want)) == 0,
		    "the body (up to the time)"))
			printf("# %s\n", v[2].body);
	}
	fx_notices_free(v, n);
	r = fx_claim_set(ctx, "C000001", 1, "rejected", NULL, "нет", &l, &err);
	ok(r == -1 && strcmp(err.msg, "claim C000001 line 1 is accepted "
	    "(repair): it cannot become rejected (a decided line is final)") == 0,
	    "a decided line is final");
	if (fx_notify_pending(ctx, FX_NOTIFY_OUT, 0, NULL, &v, &n, &err) == -1)
		die("pending out", &err);
	is_int(n, 3, "three notices for the dealer's out/");
	fx_notices_free(v, n);
}

static void
test_rules(struct fx_ctx *ctx)
{
	struct fx_conf conf;
	struct fx_err err;

	ok(fx_claim_status_check("in_review", NULL, NULL, &err) == 0,
	    "in_review alone");
	ok(fx_claim_status_check("accepted", "refund", NULL, &err) == 0,
	    "accepted with a resolution");
	ok(fx_claim_status_check("accepted", "", NULL, &err) == -1 &&
	    err.code == FX_EUSAGE, "accepted without one");
	ok(fx_claim_status_check("rejected", NULL, "why", &err) == 0,
	    "rejected with a comment");
	ok(fx_claim_status_check("rejected", NULL, "", &err) == -1,
	    "rejected without one");
	ok(fx_claim_status_check("in_review", "refund", NULL, &err) == -1,
	    "a resolution only with accepted");
	ok(fx_claim_status_check("", NULL, NULL, &err) == -1, "empty status");

	memset(&conf, 0, sizeof(conf));
	conf.claims_reasons = (char *)" брак ; недостача;other ";
	ok(fx_claim_reason_check(&conf, "брак", &err) == 0, "a reason, "
	    "spaces around it ignored");
	ok(fx_claim_reason_check(&conf, "недостача", &err) == 0, "another");
	ok(fx_claim_reason_check(&conf, "other", &err) == 0, "the last");
	ok(fx_claim_reason_check(&conf, "бра", &err) == -1 &&
	    strcmp(err.msg, "unknown reason \"бра\" (claims.reasons:  брак ; "
	    "недостача;other )") == 0, "a prefix is not a reason");
	ok(fx_claim_reason_check(&conf, "", &err) == -1, "empty is not one");
	ok(fx_claim_reason_check(&ctx->conf, "damaged_in_transit", &err) == 0,
	    "the default list");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct fx_ctx *ctx;
	struct fx_err err;
	char cmd[700];

	fx_err_clear(&err);
	snprintf(dir, sizeof(dir), "%s/t_claim.XXXXXX", tmp && *tmp ? tmp :
	    "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (fx_strlcpy(dir + strlen(dir), "/inst", sizeof(dir) - strlen(dir))
	    == -1 || fx_instance_init(dir, &err) == -1)
		die("init", &err);
	if (fx_ctx_open(&ctx, dir, NULL, 0, &err) == -1)
		die("open", &err);
	be_staff(ctx);
	seed(ctx);
	test_flow(ctx);
	test_rules(ctx);
	fx_ctx_free(ctx);
	*strrchr(dir, '/') = '\0';
	if (snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) < (int)sizeof(cmd))
		(void)!system(cmd);
	return done_testing();
}
