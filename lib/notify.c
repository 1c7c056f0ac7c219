/*
 * notify.c -- the notification outbox.
 *
 * A notice is added in the transaction of the change it tells of
 * (fx_notify_add), so a committed change always has its notice and an
 * aborted one never does.  Delivery is the daemon's: it asks for the
 * notices pending on a channel, delivers each, and records the outcome
 * (fx_notify_done) in a transaction of its own.  Delivery therefore
 * happens at least once; it is made to count once by being idempotent
 * (the out/ file's name and the mail's Message-ID come from the notice's
 * sequence number), which is the only exactly-once a file or a mail can
 * have across a crash.
 *
 *	notifications	sequence, 20 digits	-> rec fx_notice
 *	meta "notify_seq"			the last number given out
 *	meta "notify_low_out", "notify_low_mail"
 *						no notice below this one is
 *						pending on that channel
 *
 * The low marks keep the pending scans short however long the outbox
 * grows: notices are never deleted (they are the dealer's history of
 * what was sent).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fx-int.h"

#define SEQLEN		20

static const char *const low_key[] = {
	[FX_NOTIFY_OUT] = "notify_low_out",
	[FX_NOTIFY_MAIL] = "notify_low_mail",
};

void
fx_notice_release(struct fx_notice *n)
{
	fx_rec_release(&fx_rt_notice, n);
}

void
fx_notices_free(struct fx_notice *v, size_t n)
{
	fx_rec_vfree(&fx_rt_notice, v, n, sizeof(*v));
}

static int32_t *
state_of(struct fx_notice *n, enum fx_notify_chan ch)
{
	return ch == FX_NOTIFY_OUT ? &n->out_state : &n->mail_state;
}

/* "YYYY-MM-DDTHH:MM:SSZ" secs from now. */
static void
iso_after(char *buf, size_t sz, long secs)
{
	time_t t = time(NULL) + secs;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
fx_notify_add(struct fx_ctx *ctx, struct fx_txn *txn,
    const struct fx_notice *in, char *seqout, struct fx_err *err)
{
	struct fx_notice n;
	struct fx_buf rec = { 0 };
	char seq[32], now[32], *end;
	unsigned long long last;
	int found, rc = -1;

	(void)ctx;
	if ((found = fx_meta_get(txn, "notify_seq", seq, sizeof(seq),
	    err)) == -1)
		return -1;
	last = found == 1 ? 0 : strtoull(seq, &end, 10);
	if (found == 0 && (*end != '\0' || seq[0] == '\0'))
		FX_BUG("meta notify_seq \"%s\" is not a number", seq);
	snprintf(seq, sizeof(seq), "%llu", last + 1);
	if (fx_meta_put(txn, "notify_seq", seq, err) == -1)
		return -1;
	snprintf(seq, sizeof(seq), "%0*llu", SEQLEN, last + 1);
	fx_now_iso(now, sizeof(now));

	n = *in;
	n.seq = seq;
	n.at = now;
#define NZ(f)	do { if (n.f == NULL) n.f = (char *)""; } while (0)
	NZ(kind); NZ(object); NZ(dealer); NZ(entity); NZ(subject); NZ(body);
#undef NZ
	n.out_state = n.dealer[0] != '\0' ? FX_NS_PENDING : FX_NS_NONE;
	n.mail_state = n.nto > 0 ? FX_NS_PENDING : FX_NS_NONE;
	n.mail_tries = 0;
	n.mail_next = (char *)"";
	n.mail_error = (char *)"";
	n.out_name = (char *)"";
	if (fx_db_putrec(txn, FX_K_NOTIFY, seq, SEQLEN, &fx_rt_notice, &n,
	    &rec, err) == -1)
		goto out;
	if (seqout != NULL)
		memcpy(seqout, seq, SEQLEN + 1);
	rc = 0;
out:
	fx_buf_release(&rec);
	return rc;
}

struct pending {
	enum fx_notify_chan ch;
	size_t		 max;
	const char	*now;
	struct fx_notice *v;
	size_t		 n, cap;
};

static int
pending_txn(struct fx_txn *txn, struct pending *p, struct fx_err *err)
{
	struct fx_cur cur;
	struct fx_notice nt;
	MDB_val k, v;
	char low[32];
	int r, found;

	if ((found = fx_meta_get(txn, low_key[p->ch], low, sizeof(low),
	    err)) == -1)
		return -1;
	if (found == 1)
		low[0] = '\0';
	if (fx_cur_open(txn, FX_K_NOTIFY, &cur, err) == -1)
		return -1;
	for (r = fx_cur_seek(&cur, low, strlen(low), &k, &v, err); r == 0;
	    r = fx_cur_next(&cur, &k, &v, err)) {
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_notice, &nt,
		    err) == -1) {
			r = -1;
			break;
		}
		if (*state_of(&nt, p->ch) != FX_NS_PENDING ||
		    (p->ch == FX_NOTIFY_MAIL && nt.mail_next[0] != '\0' &&
		    strcmp(nt.mail_next, p->now) > 0)) {
			fx_notice_release(&nt);
			continue;
		}
		p->v = fx_grow(p->v, &p->cap, p->n + 1, sizeof(*p->v));
		p->v[p->n++] = nt;
		if (p->max > 0 && p->n == p->max)
			break;
	}
	fx_cur_close(&cur);
	return r == -1 ? -1 : 0;
}

int
fx_notify_pending(struct fx_ctx *ctx, enum fx_notify_chan ch, size_t max,
    const char *now, struct fx_notice **v, size_t *n, struct fx_err *err)
{
	struct pending p;
	struct fx_txn txn;
	char clock[32];
	int rc;

	*v = NULL;
	*n = 0;
	if (now == NULL) {
		fx_now_iso(clock, sizeof(clock));
		now = clock;
	}
	memset(&p, 0, sizeof(p));
	p.ch = ch;
	p.max = max;
	p.now = now;
	if (fx_db_begin(ctx->db, 0, &txn, err) == -1)
		return -1;
	rc = pending_txn(&txn, &p, err);
	fx_db_abort(&txn);
	if (rc == -1) {
		fx_notices_free(p.v, p.n);
		return -1;
	}
	*v = p.v;
	*n = p.n;
	return 0;
}

struct done {
	const char	*seq;
	enum fx_notify_chan ch;
	int		 ok;
	const char	*name;
	const char	*error;
	long		 retry_after;
};

/* Move the channel's low mark past the notices no longer pending on it. */
static int
advance_low(struct fx_txn *txn, enum fx_notify_chan ch, struct fx_err *err)
{
	struct fx_cur cur;
	struct fx_notice nt;
	MDB_val k, v;
	char low[32];
	int r, found, moved = 0;

	if ((found = fx_meta_get(txn, low_key[ch], low, sizeof(low),
	    err)) == -1)
		return -1;
	if (found == 1)
		low[0] = '\0';
	if (fx_cur_open(txn, FX_K_NOTIFY, &cur, err) == -1)
		return -1;
	for (r = fx_cur_seek(&cur, low, strlen(low), &k, &v, err); r == 0;
	    r = fx_cur_next(&cur, &k, &v, err)) {
		if (fx_rec_decode(v.mv_data, v.mv_size, &fx_rt_notice, &nt,
		    err) == -1) {
			r = -1;
			break;
		}
		found = *state_of(&nt, ch) == FX_NS_PENDING;
		if (!found) {
			/*
			 * Just past this one: its last digit plus one
			 * (':' after '9') sorts below every later key.
			 */
			fx_strlcpy(low, nt.seq, sizeof(low));
			low[SEQLEN - 1]++;
			moved = 1;
		}
		fx_notice_release(&nt);
		if (found)
			break;
	}
	fx_cur_close(&cur);
	if (r == -1)
		return -1;
	if (moved && fx_meta_put(txn, low_key[ch], low, err) == -1)
		return -1;
	return 0;
}

static int
done_txn(struct fx_txn *txn, void *arg, struct fx_err *err)
{
	struct done *d = arg;
	struct fx_notice nt;
	struct fx_buf rec = { 0 };
	char next[32];
	int32_t *st;
	int r, rc = -1;

	if ((r = fx_db_getrec(txn, FX_K_NOTIFY, d->seq, strlen(d->seq),
	    &fx_rt_notice, &nt, err)) == -1)
		return -1;
	if (r == 1)
		return fx_err_set(err, FX_ENOTFOUND, "no notice %s", d->seq);
	st = state_of(&nt, d->ch);
	if (*st != FX_NS_PENDING) {
		fx_notice_release(&nt);
		return 1;	/* done before: nothing to write */
	}
	if (d->ok) {
		*st = FX_NS_DONE;
		if (d->ch == FX_NOTIFY_OUT && d->name != NULL) {
			free(nt.out_name);
			nt.out_name = fx_strdup(d->name);
		}
		if (d->ch == FX_NOTIFY_MAIL) {
			free(nt.mail_error);
			nt.mail_error = fx_strdup("");
		}
	} else if (d->ch == FX_NOTIFY_MAIL) {
		nt.mail_tries++;
		iso_after(next, sizeof(next), d->retry_after);
		free(nt.mail_next);
		nt.mail_next = fx_strdup(next);
		free(nt.mail_error);
		nt.mail_error = fx_strdup(d->error != NULL ? d->error : "");
	} else {
		/* A file in out/ that could not be written: nothing to
		 * count, the next round tries again. */
		fx_notice_release(&nt);
		return 1;
	}
	if (fx_db_putrec(txn, FX_K_NOTIFY, nt.seq, strlen(nt.seq),
	    &fx_rt_notice, &nt, &rec, err) == -1)
		goto out;
	if (d->ok && advance_low(txn, d->ch, err) == -1)
		goto out;
	rc = 0;
out:
	fx_buf_release(&rec);
	fx_notice_release(&nt);
	return rc;
}

int
fx_notify_done(struct fx_ctx *ctx, const char *seq, enum fx_notify_chan ch,
    int ok, const char *name, const char *error, long retry_after,
    struct fx_err *err)
{
	struct done d;

	d.seq = seq;
	d.ch = ch;
	d.ok = ok;
	d.name = name;
	d.error = error;
	d.retry_after = retry_after;
	return fx_db_write(ctx->db, done_txn, &d, err) == -1 ? -1 : 0;
}

int
fx_notify_get(struct fx_ctx *ctx, const char *seq, struct fx_notice *n,
    struct fx_err *err)
{
	struct fx_txn txn;
	int r;

	memset(n, 0, sizeof(*n));
	if (fx_db_begin(ctx->db, 0, &txn, err) == -1)
		return -1;
	r = fx_db_getrec(&txn, FX_K_NOTIFY, seq, strlen(seq), &fx_rt_notice,
	    n, err);
	fx_db_abort(&txn);
	if (r == 1)
		return fx_err_set(err, FX_ENOTFOUND, "no notice %s", seq);
	return r;
}
