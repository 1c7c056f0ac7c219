/*
 * t_notify.c -- the notification outbox (lib/notify.c): numbering, the
 * states of each channel, retries with their next attempt, and the low
 * marks that keep the pending scans short.
 *
 * Runs against a real instance in a temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fx-int.h"
#include "tap.h"

static void
die(const char *what, const struct fx_err *err)
{
	char buf[600];

	fx_err_format(err, buf, sizeof(buf));
	printf("Bail out! %s: %s\n", what, buf);
	exit(1);
}

struct add {
	struct fx_ctx	*ctx;
	struct fx_notice n;
	char		 seq[32];
	int		 abort;		/* add, then abort the transaction */
};

static int
add_txn(struct fx_txn *txn, void *arg, struct fx_err *err)
{
	struct add *a = arg;

	if (fx_notify_add(a->ctx, txn, &a->n, a->seq, err) == -1)
		return -1;
	return a->abort ? 1 : 0;
}

static void
add(struct fx_ctx *ctx, const char *dealer, char **to, size_t nto,
    const char *subject, int abort, char *seq)
{
	struct add a;
	struct fx_err err;

	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	a.n.kind = (char *)"claim";
	a.n.object = (char *)"C000001";
	a.n.dealer = (char *)dealer;
	a.n.to = to;
	a.n.nto = nto;
	a.n.subject = (char *)subject;
	a.n.body = (char *)"line one\nline two\n";
	a.abort = abort;
	if (fx_db_write(ctx->db, add_txn, &a, &err) == -1)
		die("add", &err);
	if (seq != NULL)
		strcpy(seq, a.seq);
}

/* The subjects of the notices pending on ch, joined by ','. */
static const char *
pending(struct fx_ctx *ctx, enum fx_notify_chan ch, const char *now,
    size_t max)
{
	static char buf[1024];
	struct fx_notice *v;
	struct fx_err err;
	size_t n, i;

	if (fx_notify_pending(ctx, ch, max, now, &v, &n, &err) == -1)
		die("pending", &err);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(buf, ",");
		strcat(buf, v[i].subject);
	}
	fx_notices_free(v, n);
	return buf;
}

static void
done(struct fx_ctx *ctx, const char *seq, enum fx_notify_chan ch, int okk,
    const char *name, const char *error, long retry)
{
	struct fx_err err;

	if (fx_notify_done(ctx, seq, ch, okk, name, error, retry, &err) == -1)
		die("done", &err);
}

int
main(void)
{
	char dir[] = "/tmp/t_notify.XXXXXX", root[600], cmd[700];
	char s1[32], s2[32], s3[32], s4[32], low[32];
	char *to[] = { "a@example.ru", "b@example.ru" };
	struct fx_ctx *ctx;
	struct fx_notice n;
	struct fx_txn txn;
	struct fx_err err;
	int r;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(root, sizeof(root), "%s/inst", dir);
	if (fx_instance_init(root, &err) == -1)
		die("init", &err);
	if (fx_ctx_open(&ctx, root, NULL, 0, &err) == -1)
		die("open", &err);

	add(ctx, "D1", to, 2, "first", 0, s1);
	is_str(s1, "00000000000000000001", "first notice is number 1");
	add(ctx, "D1", NULL, 0, "aborted", 1, NULL);
	add(ctx, "", to, 1, "mail only", 0, s2);
	is_str(s2, "00000000000000000002",
	    "an aborted add leaves neither a notice nor a gap");
	r = fx_notify_get(ctx, "00000000000000000003", &n, &err);
	ok(r == -1 && err.code == FX_ENOTFOUND, "no notice 3 yet");
	add(ctx, "D2", NULL, 0, "out only", 0, s3);
	add(ctx, "D2", to, 2, "both", 0, s4);

	is_str(pending(ctx, FX_NOTIFY_OUT, NULL, 0), "first,out only,both",
	    "pending in out/: those with a dealer");
	is_str(pending(ctx, FX_NOTIFY_MAIL, NULL, 0), "first,mail only,both",
	    "pending by mail: those with addresses");
	is_str(pending(ctx, FX_NOTIFY_OUT, NULL, 2), "first,out only",
	    "at most max");

	if (fx_notify_get(ctx, s1, &n, &err) == -1)
		die("get", &err);
	is_int(n.nto, 2, "addresses kept");
	is_str(n.body, "line one\nline two\n", "body kept");
	is_int(n.out_state, FX_NS_PENDING, "out pending");
	ok(n.at[0] != '\0', "time recorded");
	fx_notice_release(&n);

	/* Out: done in order, out of order, twice. */
	done(ctx, s3, FX_NOTIFY_OUT, 1, "notice-3.txt", NULL, 0);
	is_str(pending(ctx, FX_NOTIFY_OUT, NULL, 0), "first,both",
	    "done out of order leaves the others");
	done(ctx, s1, FX_NOTIFY_OUT, 1, "notice-1.txt", NULL, 0);
	done(ctx, s1, FX_NOTIFY_OUT, 1, "other.txt", NULL, 0);
	is_str(pending(ctx, FX_NOTIFY_OUT, NULL, 0), "both", "then in order");
	if (fx_notify_get(ctx, s1, &n, &err) == -1)
		die("get", &err);
	is_str(n.out_name, "notice-1.txt", "done twice keeps the first name");
	is_int(n.mail_state, FX_NS_PENDING, "the other channel unchanged");
	fx_notice_release(&n);

	/* The low mark skips what is done and stops at what is pending. */
	if (fx_db_begin(ctx->db, 0, &txn, &err) == -1 ||
	    fx_meta_get(&txn, "notify_low_out", low, sizeof(low), &err) == -1)
		die("meta", &err);
	fx_db_abort(&txn);
	ok(strcmp(low, s3) > 0 && strcmp(low, s4) <= 0,
	    "low mark between the last done and the pending (%s)", low);

	/* Mail: a failure is kept and retried later, never dropped. */
	done(ctx, s1, FX_NOTIFY_MAIL, 0, NULL, "connection refused", 3600);
	is_str(pending(ctx, FX_NOTIFY_MAIL, NULL, 0), "mail only,both",
	    "a failed mail waits for its next attempt");
	is_str(pending(ctx, FX_NOTIFY_MAIL, "2999-01-01T00:00:00Z", 0),
	    "first,mail only,both", "and is due again later");
	if (fx_notify_get(ctx, s1, &n, &err) == -1)
		die("get", &err);
	is_int(n.mail_tries, 1, "one attempt counted");
	is_str(n.mail_error, "connection refused", "the failure kept");
	fx_notice_release(&n);
	done(ctx, s1, FX_NOTIFY_MAIL, 0, NULL, "timeout", 0);
	done(ctx, s1, FX_NOTIFY_MAIL, 1, NULL, NULL, 0);
	if (fx_notify_get(ctx, s1, &n, &err) == -1)
		die("get", &err);
	is_int(n.mail_state, FX_NS_DONE, "then sent");
	is_int(n.mail_tries, 2, "after two failures");
	is_str(n.mail_error, "", "the failure cleared");
	fx_notice_release(&n);
	done(ctx, s2, FX_NOTIFY_MAIL, 1, NULL, NULL, 0);
	done(ctx, s4, FX_NOTIFY_MAIL, 1, NULL, NULL, 0);
	done(ctx, s4, FX_NOTIFY_OUT, 1, "notice-4.txt", NULL, 0);
	is_str(pending(ctx, FX_NOTIFY_MAIL, "2999-01-01T00:00:00Z", 0), "",
	    "nothing pending by mail");
	is_str(pending(ctx, FX_NOTIFY_OUT, NULL, 0), "",
	    "nothing pending in out/");
	r = fx_notify_done(ctx, "00000000000000000009", FX_NOTIFY_OUT, 1, "x",
	    NULL, 0, &err);
	ok(r == -1 && err.code == FX_ENOTFOUND, "done of no notice refused");

	/* Survives a reopen: the outbox is in the store. */
	fx_ctx_free(ctx);
	if (fx_ctx_open(&ctx, root, NULL, 0, &err) == -1)
		die("reopen", &err);
	add(ctx, "D1", NULL, 0, "after reopen", 0, s1);
	is_str(s1, "00000000000000000005", "numbers go on after a reopen");
	is_str(pending(ctx, FX_NOTIFY_OUT, NULL, 0), "after reopen",
	    "the new one pending");
	fx_ctx_free(ctx);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
