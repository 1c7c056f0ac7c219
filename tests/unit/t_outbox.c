/*
 * t_outbox.c -- formixd's delivery of the notification outbox
 * (fx_queue_deliver in lib/queue.c), the parts an MTA is not needed
 * for: a notice for a dealer without a folder is marked delivered with
 * no file and logged; mail waits while mail.smtp_url is unset (said
 * once); a refused connection counts an attempt, sets the next one after
 * the backoff and is not tried again before it.  The delivery itself is
 * tested against a real MTA in tests/daemon/t0750-formixd-mail.bats.
 *
 * formixd's queue acts as staff: without that (not root, not in the
 * staff group) the test skips.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fx-int.h"
#include "tap.h"

static struct fx_buf logbuf;

static void
logline(void *arg, enum fx_qlog lvl, const char *line)
{
	(void)arg;
	fx_buf_addf(&logbuf, "%d %s\n", (int)lvl, line);
}

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
};

static int
add_txn(struct fx_txn *txn, void *arg, struct fx_err *err)
{
	struct add *a = arg;

	return fx_notify_add(a->ctx, txn, &a->n, a->seq, err) == -1 ? -1 : 0;
}

static void
add(struct fx_ctx *ctx, const char *dealer, char **to, size_t nto,
    char *seq)
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
	a.n.subject = (char *)"status";
	a.n.body = (char *)"accepted\n";
	if (fx_db_write(ctx->db, add_txn, &a, &err) == -1)
		die("add", &err);
	strcpy(seq, a.seq);
}

int
main(void)
{
	char dir[] = "/tmp/t_outbox.XXXXXX", root[600], cmd[700];
	char s1[32], s2[32];
	char *to[] = { (char *)"a@example.ru" };
	struct fx_ctx *ctx;
	struct fx_queue *q;
	struct fx_notice n;
	struct fx_err err;
	long w;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(root, sizeof(root), "%s/inst", dir);
	if (fx_instance_init(root, &err) == -1)
		die("init", &err);
	if (fx_ctx_open(&ctx, root, NULL, 0, &err) == -1)
		die("open", &err);
	if (fx_queue_open(&q, ctx, logline, NULL, &err) == -1) {
		printf("1..0 # SKIP the queue acts as staff: %s\n", err.msg);
		fx_ctx_free(ctx);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		return system(cmd) == 0 ? 0 : 1;
	}

	add(ctx, "D9", NULL, 0, s1);
	add(ctx, "", to, 1, s2);
	w = fx_queue_deliver(q);
	if (fx_notify_get(ctx, s1, &n, &err) == -1)
		die("get", &err);
	ok(n.out_state == FX_NS_DONE && n.out_name[0] == '\0',
	    "a dealer without a folder: delivered, no file");
	fx_notice_release(&n);
	ok(strstr(fx_buf_str(&logbuf), "dealer D9 has no folder") != NULL,
	    "and logged");
	ok(strstr(fx_buf_str(&logbuf), "mail.smtp_url is not set") != NULL,
	    "mail waits without mail.smtp_url, and says so");
	is_int(w, -1, "nothing to wait for then");
	fx_buf_reset(&logbuf);
	(void)fx_queue_deliver(q);
	ok(strstr(fx_buf_str(&logbuf), "smtp_url") == NULL, "said once");
	if (fx_notify_get(ctx, s2, &n, &err) == -1)
		die("get", &err);
	ok(n.mail_state == FX_NS_PENDING && n.mail_tries == 0,
	    "the mail is still pending, untried");
	fx_notice_release(&n);

	/* Port 1 on the loopback: refused at once. */
	free(ctx->conf.mail_smtp_url);
	ctx->conf.mail_smtp_url = fx_strdup("smtp://127.0.0.1:1");
	fx_buf_reset(&logbuf);
	w = fx_queue_deliver(q);
	if (fx_notify_get(ctx, s2, &n, &err) == -1)
		die("get", &err);
	ok(n.mail_state == FX_NS_PENDING && n.mail_tries == 1 &&
	    n.mail_next[0] != '\0' && n.mail_error[0] != '\0',
	    "a refused connection: one attempt, the next later, the error");
	fx_notice_release(&n);
	ok(w > 50000 && w <= 61000, "the next attempt after spool.min_backoff "
	    "(%ld ms)", w);
	ok(strstr(fx_buf_str(&logbuf), "attempt 1, next in 60 s") != NULL,
	    "logged with the attempt");
	(void)fx_queue_deliver(q);
	if (fx_notify_get(ctx, s2, &n, &err) == -1)
		die("get", &err);
	is_int(n.mail_tries, 1, "not tried again before it is due");
	fx_notice_release(&n);
	fx_queue_flush(q);
	(void)fx_queue_deliver(q);
	if (fx_notify_get(ctx, s2, &n, &err) == -1)
		die("get", &err);
	is_int(n.mail_tries, 2, "a flush (SIGUSR1) tries it now");
	fx_notice_release(&n);

	fx_queue_free(q);
	fx_ctx_free(ctx);
	fx_buf_release(&logbuf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
