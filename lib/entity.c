/*
 * entity.c -- dealers and legal entities as the actor may see them.
 *
 * The records themselves come from 1C (cond.c writes them); this module
 * only reads, and only what fx_acl_sees allows: staff see everything, a
 * dealer user their own dealer and the entities of it they are entitled
 * to.  An entity or dealer the actor may not see is reported exactly as
 * one that does not exist, and an INN is called ambiguous only among the
 * entities the actor sees, so that no answer reveals another dealer's
 * data.
 */
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

/*
 * Entities under one key of the INN index that the actor sees; kpp, when
 * not NULL, keeps those with that KPP.  The first goes to *e, the count
 * to *n.
 */
static int
by_inn(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_user *me,
    const char *key, const char *kpp, struct fx_entity *e, size_t *n,
    struct fx_err *err)
{
	struct fx_entity x;
	struct fx_cur c;
	MDB_val k, v;
	int r, rr;

	*n = 0;
	if (fx_cur_open(t, FX_K_IDX_INN, &c, err) == -1)
		return -1;
	for (r = fx_cur_dup_first(&c, key, strlen(key), &k, &v, err);
	    r == 0; r = fx_cur_dup_next(&c, &k, &v, err)) {
		rr = fx_db_getrec(t, FX_K_ENTITY, v.mv_data, v.mv_size,
		    &fx_rt_entity, &x, err);
		if (rr == -1) {
			r = -1;
			break;
		}
		if (rr == 1)
			continue;	/* a stale index entry */
		if ((kpp != NULL && strcmp(x.kpp, kpp) != 0) ||
		    !fx_acl_sees(ctx, me, &x)) {
			fx_entity_release(&x);
			continue;
		}
		if ((*n)++ == 0)
			*e = x;
		else
			fx_entity_release(&x);
	}
	fx_cur_close(&c);
	if (r == -1 && *n > 0)
		fx_entity_release(e);
	return r == -1 ? -1 : 0;
}

int
fx_entity_find(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_user *me,
    const char *ref, struct fx_entity *e, struct fx_err *err)
{
	const char *slash, *kpp = NULL;
	char q[128], inn[64];
	size_t n = 0;
	int r;

	memset(e, 0, sizeof(*e));
	fx_quote(q, sizeof(q), ref);
	/* An Ид is unambiguous: try it first. */
	r = fx_db_getrec(t, FX_K_ENTITY, ref, strlen(ref), &fx_rt_entity, e,
	    err);
	if (r == -1)
		return -1;
	if (r == 0) {
		if (fx_acl_sees(ctx, me, e))
			return 0;
		fx_entity_release(e);
	}
	slash = strchr(ref, '/');
	if (slash != NULL && (size_t)(slash - ref) < sizeof(inn)) {
		memcpy(inn, ref, (size_t)(slash - ref));
		inn[slash - ref] = '\0';
		kpp = slash + 1;
	} else if (slash != NULL || fx_strlcpy(inn, ref, sizeof(inn)) == -1)
		inn[0] = '\0';
	/* The index may hold "INN/KPP" keys as well as bare INNs. */
	if (slash != NULL && by_inn(ctx, t, me, ref, NULL, e, &n, err) == -1)
		return -1;
	if (n == 0 && inn[0] != '\0' &&
	    by_inn(ctx, t, me, inn, kpp, e, &n, err) == -1)
		return -1;
	if (n > 1) {
		fx_entity_release(e);
		if (kpp != NULL)
			return fx_err_set(err, FX_EDATA, "INN/KPP \"%s\" "
			    "matches %zu legal entities: give the entity Ид",
			    q, n);
		return fx_err_set(err, FX_EDATA, "INN \"%s\" matches %zu "
		    "legal entities: give INN/KPP", q, n);
	}
	if (n == 0)
		return fx_err_set(err, FX_ENOTFOUND, "unknown legal entity "
		    "\"%s\"", q);
	return 0;
}

int
fx_entity_get(struct fx_ctx *ctx, const char *ref, struct fx_entity *e,
    struct fx_err *err)
{
	struct fx_txn t;
	struct fx_user me;
	int rc = -1;

	memset(e, 0, sizeof(*e));
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_acl_actor(ctx, &t, &me, err) == -1)
		goto out;
	rc = fx_entity_find(ctx, &t, &me, ref, e, err);
	fx_user_release(&me);
out:
	fx_db_abort(&t);
	return rc;
}

/*
 * A dealer the actor may name: staff any that exists, a dealer user only
 * their own.  0 if so, -1 with FX_ENOTFOUND otherwise (or on a store
 * error).  d, when not NULL, receives the record.
 */
static int
dealer_visible(struct fx_ctx *ctx, struct fx_txn *t, const struct fx_user *me,
    const char *id, struct fx_dealer *d, struct fx_err *err)
{
	struct fx_dealer tmp;
	char q[128];
	int r;

	if (d == NULL)
		d = &tmp;
	memset(d, 0, sizeof(*d));
	if (!ctx->actor.staff && strcmp(id, me->dealer) != 0)
		r = 1;
	else
		r = fx_db_getrec(t, FX_K_DEALER, id, strlen(id), &fx_rt_dealer,
		    d, err);
	if (r == -1)
		return -1;
	if (r == 1) {
		memset(d, 0, sizeof(*d));
		return fx_err_set(err, FX_ENOTFOUND, "unknown dealer \"%s\"",
		    fx_quote(q, sizeof(q), id));
	}
	if (d == &tmp)
		fx_dealer_release(&tmp);
	return 0;
}

/*
 * By dealer, then Ид: a stable order for scripts (formix-admin's tests
 * list entities in it).
 */
static int
entity_cmp(const void *a, const void *b)
{
	const struct fx_entity *x = a, *y = b;
	int c;

	if ((c = strcmp(x->dealer, y->dealer)) != 0)
		return c;
	return strcmp(x->id, y->id);
}

int
fx_entity_list(struct fx_ctx *ctx, const char *dealer, struct fx_entity **vp,
    size_t *np, struct fx_err *err)
{
	struct fx_entity *v = NULL, e;
	struct fx_user me;
	struct fx_txn t;
	struct fx_cur c;
	MDB_val k, val;
	size_t n = 0, cap = 0;
	int r, rc = -1;

	*vp = NULL;
	*np = 0;
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_acl_actor(ctx, &t, &me, err) == -1)
		goto out;
	if (dealer != NULL && dealer_visible(ctx, &t, &me, dealer, NULL,
	    err) == -1)
		goto release;
	if (fx_cur_open(&t, FX_K_ENTITY, &c, err) == -1)
		goto release;
	for (r = fx_cur_first(&c, &k, &val, err); r == 0;
	    r = fx_cur_next(&c, &k, &val, err)) {
		if (fx_rec_decode(val.mv_data, val.mv_size, &fx_rt_entity, &e,
		    err) == -1) {
			r = -1;
			break;
		}
		if ((dealer != NULL && strcmp(e.dealer, dealer) != 0) ||
		    !fx_acl_sees(ctx, &me, &e)) {
			fx_entity_release(&e);
			continue;
		}
		v = fx_grow(v, &cap, n + 1, sizeof(*v));
		v[n++] = e;
	}
	fx_cur_close(&c);
	if (r == -1) {
		fx_entities_free(v, n);
		goto release;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), entity_cmp);
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
fx_entities_free(struct fx_entity *v, size_t n)
{
	fx_rec_vfree(&fx_rt_entity, v, n, sizeof(*v));
}

int
fx_dealer_get(struct fx_ctx *ctx, const char *id, struct fx_dealer *d,
    struct fx_err *err)
{
	struct fx_txn t;
	struct fx_user me;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_acl_actor(ctx, &t, &me, err) == -1)
		goto out;
	rc = dealer_visible(ctx, &t, &me, id, d, err);
	fx_user_release(&me);
out:
	fx_db_abort(&t);
	return rc;
}

int
fx_dealer_list(struct fx_ctx *ctx, struct fx_dealer **vp, size_t *np,
    struct fx_err *err)
{
	struct fx_dealer *v = NULL, d;
	struct fx_user me;
	struct fx_txn t;
	struct fx_cur c;
	MDB_val k, val;
	size_t n = 0, cap = 0;
	int r, rc = -1;

	*vp = NULL;
	*np = 0;
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (fx_acl_actor(ctx, &t, &me, err) == -1)
		goto out;
	if (!ctx->actor.staff) {
		/* A dealer user sees one dealer: their own. */
		r = fx_db_getrec(&t, FX_K_DEALER, me.dealer, strlen(me.dealer),
		    &fx_rt_dealer, &d, err);
		if (r == -1)
			goto release;
		if (r == 0) {
			v = fx_calloc(1, sizeof(*v));
			v[n++] = d;
		}
		goto done;
	}
	if (fx_cur_open(&t, FX_K_DEALER, &c, err) == -1)
		goto release;
	/* In Ид order, the order of the keys. */
	for (r = fx_cur_first(&c, &k, &val, err); r == 0;
	    r = fx_cur_next(&c, &k, &val, err)) {
		if (fx_rec_decode(val.mv_data, val.mv_size, &fx_rt_dealer, &d,
		    err) == -1) {
			r = -1;
			break;
		}
		v = fx_grow(v, &cap, n + 1, sizeof(*v));
		v[n++] = d;
	}
	fx_cur_close(&c);
	if (r == -1) {
		fx_dealers_free(v, n);
		goto release;
	}
done:
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
fx_dealers_free(struct fx_dealer *v, size_t n)
{
	fx_rec_vfree(&fx_rt_dealer, v, n, sizeof(*v));
}
