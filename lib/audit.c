/*
 * audit.c -- the audit log: who changed what, when, from what to what.
 *
 * An entry is written in the transaction of the change it records
 * (fx_audit_add), so the log and the store cannot disagree: a refused or
 * aborted change leaves no entry, a committed one always has its entries.
 * Entries are numbered from meta "audit_seq", incremented in that same
 * transaction, and keyed by the number as 20 zero-padded digits so that
 * LMDB's byte order is the order of the log.  Entries are never changed
 * or deleted.
 *
 * Reading the log is for staff only.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

int
fx_audit_add(struct fx_ctx *ctx, struct fx_txn *t, const char *action,
    const char *object, const char *field, const char *old_value,
    const char *new_value, struct fx_err *err)
{
	struct fx_audit a;
	struct fx_buf b = { NULL, 0, 0 };
	char cur[32], seq[32], key[32], at[32], who[128], *end;
	unsigned long long n = 0;
	int r;

	r = fx_meta_get(t, "audit_seq", cur, sizeof(cur), err);
	if (r == -1)
		return -1;
	if (r == 0) {
		errno = 0;
		n = strtoull(cur, &end, 10);
		if (cur[0] < '0' || cur[0] > '9' || *end != '\0' ||
		    errno != 0 || n == ULLONG_MAX)
			return fx_err_set(err, FX_ESOFTWARE, "damaged "
			    "audit_seq \"%.32s\" in store", cur);
	}
	n++;
	fx_snprintf(seq, sizeof(seq), "%llu", n);
	fx_snprintf(key, sizeof(key), "%020llu", n);
	fx_now_iso(at, sizeof(at));
	memset(&a, 0, sizeof(a));
	a.seq = seq;
	a.at = at;
	a.actor = (char *)fx_actor_name(ctx, who, sizeof(who));
	a.action = (char *)(action ? action : "");
	a.object = (char *)(object ? object : "");
	a.field = (char *)(field ? field : "");
	a.old_value = (char *)(old_value ? old_value : "");
	a.new_value = (char *)(new_value ? new_value : "");
	r = fx_db_putrec(t, FX_K_AUDIT, key, strlen(key), &fx_rt_audit, &a,
	    &b, err);
	fx_buf_release(&b);
	if (r == -1)
		return -1;
	return fx_meta_put(t, "audit_seq", seq, err);
}

/* since: YYYY-MM-DD, optionally followed by a time. */
static int
since_ok(const char *s)
{
	char date[11];

	if (strlen(s) < 10)
		return -1;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (fx_date_check(date) == -1)
		return -1;
	return s[10] == '\0' || s[10] == 'T' || s[10] == ' ' ? 0 : -1;
}

static int
match(const struct fx_audit *a, const struct fx_audit_filter *f,
    const char *since)
{
	if (f == NULL)
		return 1;
	if (since[0] != '\0' && strcmp(a->at, since) < 0)
		return 0;
	if (f->actor != NULL && strcmp(a->actor, f->actor) != 0)
		return 0;
	if (f->object != NULL && strcmp(a->object, f->object) != 0)
		return 0;
	return 1;
}

int
fx_audit_list(struct fx_ctx *ctx, const struct fx_audit_filter *f,
    struct fx_audit **vp, size_t *np, struct fx_err *err)
{
	struct fx_audit *v = NULL, a;
	struct fx_txn t;
	struct fx_cur c;
	MDB_val k, val;
	size_t n = 0, cap = 0, limit = f != NULL ? f->limit : 0, head = 0, i;
	char q[64], since[64] = "";
	int r, rc = -1;

	*vp = NULL;
	*np = 0;
	if (f != NULL && f->since != NULL) {
		if (since_ok(f->since) == -1 || fx_strlcpy(since, f->since,
		    sizeof(since)) == -1)
			return fx_err_set(err, FX_EUSAGE, "bad time \"%s\": "
			    "use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS",
			    fx_quote(q, sizeof(q), f->since));
		/* Entries are stamped "YYYY-MM-DDTHH:MM:SSZ". */
		if (since[10] == ' ')
			since[10] = 'T';
	}
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_acl_check_txn(ctx, &t, FX_ACT_STAFF, NULL, NULL, err) == -1)
		goto out;
	if (fx_cur_open(&t, FX_K_AUDIT, &c, err) == -1)
		goto out;
	/*
	 * The newest `limit` entries: a ring of that many, the oldest
	 * overwritten, so a long log costs no more memory than the answer.
	 */
	for (r = fx_cur_first(&c, &k, &val, err); r == 0;
	    r = fx_cur_next(&c, &k, &val, err)) {
		if (fx_rec_decode(val.mv_data, val.mv_size, &fx_rt_audit, &a,
		    err) == -1) {
			r = -1;
			break;
		}
		if (!match(&a, f, since)) {
			fx_rec_release(&fx_rt_audit, &a);
			continue;
		}
		if (limit > 0 && n == limit) {
			fx_rec_release(&fx_rt_audit, &v[head]);
			v[head] = a;
			head = (head + 1) % limit;
			continue;
		}
		v = fx_grow(v, &cap, n + 1, sizeof(*v));
		v[n++] = a;
	}
	fx_cur_close(&c);
	if (r == -1) {
		fx_audits_free(v, n);
		goto out;
	}
	if (head > 0) {
		/* Unroll the ring: oldest first. */
		struct fx_audit *w = fx_calloc(n, sizeof(*w));

		for (i = 0; i < n; i++)
			w[i] = v[(head + i) % n];
		free(v);
		v = w;
	}
	*vp = v;
	*np = n;
	rc = 0;
out:
	fx_db_abort(&t);
	return rc;
}

void
fx_audits_free(struct fx_audit *v, size_t n)
{
	fx_rec_vfree(&fx_rt_audit, v, n, sizeof(*v));
}
