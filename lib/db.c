/*
 * db.c -- the LMDB store.
 *
 * One environment, one named DB per record kind (fx-int.h lists the keys).
 * The store is written only inside fx_db_write, whose one transaction is
 * one business action: an import, a status change.  LMDB commits are
 * atomic and durable with the default sync flags, which we keep, except
 * where formixd asks for fx_db_lazy and syncs before acting on them.
 *
 * Map size: LMDB fails a write with MDB_MAP_FULL when the map is full.  We
 * then abort (nothing of the action is visible), double the map, up to the
 * configured maximum, and run the whole action again; the action re-reads
 * its input, so a full map never leaves half an import behind.
 *
 * Values returned by get and cursors point into the map and stay valid
 * only until the transaction ends.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fx-int.h"

struct fx_db {
	MDB_env		*env;
	MDB_dbi		 dbi[FX_K_NKINDS];
	/*
	 * Kinds a read-only open did not find: a store made by an older
	 * formix, before the kind existed.  They read as empty; the first
	 * read-write open creates them.
	 */
	unsigned char	 missing[FX_K_NKINDS];
	char		*path;
	int		 map_full;	/* a write hit MDB_MAP_FULL */
	uint64_t	 map_size;
	uint64_t	 map_max;
	int		 rdonly;
};

/* Kinds marked VIRTUAL are counted by db stat but have no DB of their own. */
#define VIRTUAL	0x80000000u

static const struct {
	const char	*name;
	unsigned	 flags;
} kinds[FX_K_NKINDS] = {
	[FX_K_META] =		{ "meta", 0 },
	[FX_K_GROUP] =		{ "groups", 0 },
	[FX_K_PRODUCT] =	{ "products", 0 },
	[FX_K_PRICETYPE] =	{ "price_types", 0 },
	[FX_K_PRICE] =		{ "prices", VIRTUAL },
	[FX_K_WAREHOUSE] =	{ "warehouses", 0 },
	[FX_K_STOCK] =		{ "stock", VIRTUAL },
	[FX_K_DELIVERY] =	{ "deliveries", 0 },
	[FX_K_DEALER] =		{ "dealers", 0 },
	[FX_K_ENTITY] =		{ "entities", 0 },
	[FX_K_DISCOUNT] =	{ "discounts", 0 },
	[FX_K_PROPERTY] =	{ "properties", 0 },
	[FX_K_OFFER] =		{ "offers", 0 },
	[FX_K_DLINE] =		{ "delivery_lines", 0 },
	[FX_K_IDX_ARTICLE] =	{ "idx_article", MDB_DUPSORT },
	[FX_K_IDX_INN] =	{ "idx_inn", MDB_DUPSORT },
	[FX_K_APPLIED] =	{ "applied", 0 },
	[FX_K_USER] =		{ "users", 0 },
	[FX_K_IDX_EMAIL] =	{ "idx_email", 0 },
	[FX_K_IDX_UNIX] =	{ "idx_unix", 0 },
	[FX_K_REQUEST] =	{ "requests", 0 },
	[FX_K_AUDIT] =		{ "audit", 0 },
	[FX_K_LEDGER] =		{ "ledger", 0 },
	[FX_K_AR_OVERRIDE] =	{ "ar_overrides", 0 },
	/* Orders: */
	[FX_K_ORDER] =		{ "orders", 0 },
	[FX_K_OLINE] =		{ "order_lines", 0 },
	[FX_K_IDX_ORDERFILE] =	{ "idx_order_file", 0 },
	[FX_K_RESERVE] =	{ "reservations", 0 },
	[FX_K_OEVENT] =		{ "order_events", 0 },
	[FX_K_IDX_ORDER1C] =	{ "idx_order_1c", 0 },
	[FX_K_ODOC] =		{ "order_docs", 0 },
	/* Dealer codes: */
	[FX_K_ALIAS] =		{ "aliases", MDB_DUPSORT },
	[FX_K_IDX_BARCODE] =	{ "idx_barcode", MDB_DUPSORT },
	/* Claims: */
	[FX_K_CLAIM] =		{ "claims", 0 },
	[FX_K_CLINE] =		{ "claim_lines", 0 },
	[FX_K_CEVENT] =		{ "claim_events", 0 },
	[FX_K_CFILE] =		{ "claim_files", 0 },
	[FX_K_NOTIFY] =		{ "notifications", 0 },
	/* The numbers offers records give price types and warehouses: */
	[FX_K_REF] =		{ "refs", 0 },
};

const enum fx_kind fx_stat_kinds[] = {
	FX_K_GROUP, FX_K_PRODUCT, FX_K_PRICETYPE, FX_K_PRICE, FX_K_WAREHOUSE,
	FX_K_STOCK, FX_K_DELIVERY, FX_K_DEALER, FX_K_ENTITY, FX_K_DISCOUNT,
	FX_K_LEDGER,
};
const size_t fx_stat_nkinds = nitems(fx_stat_kinds);

const char *
fx_kind_name(enum fx_kind k)
{
	if ((unsigned)k >= FX_K_NKINDS)
		return "?";
	return kinds[k].name;
}

static int
lmdb_err(struct fx_err *err, int rc, const char *what)
{
	enum fx_code code = FX_EUNAVAIL;

	switch (rc) {
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
	case MDB_READERS_FULL:
	case EAGAIN:
		code = FX_ETEMP;
		break;
	case ENOSPC:
	case EIO:
		code = FX_EIO;
		break;
	case EACCES:
		code = FX_EPERM;
		break;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_BAD_TXN:
		code = FX_ESOFTWARE;
		break;
	}
	fx_err_set(err, code, "store: %s: %s", what, mdb_strerror(rc));
	return -1;
}

/* A write failed: note a full map, which fx_db_write cures by growing. */
static int
write_err(struct fx_db *db, struct fx_err *err, int rc, const char *what)
{
	if (rc == MDB_MAP_FULL)
		db->map_full = 1;
	return lmdb_err(err, rc, what);
}

int
fx_db_open(struct fx_db **dbp, const char *path, uint64_t map_size,
    uint64_t map_max, int flags, struct fx_err *err)
{
	struct fx_db *db;
	MDB_txn *txn = NULL;
	struct stat st;
	MDB_envinfo info;
	int rc, k;
	unsigned envflags = MDB_NOTLS;

	*dbp = NULL;
	if (stat(path, &st) == -1) {
		if (errno != ENOENT || !(flags & FX_DB_CREATE))
			return fx_err_sys(err, errno == ENOENT ? FX_ENOINPUT :
			    FX_EUNAVAIL, "store %s", path);
		if (mkdir(path, 0750) == -1)
			return fx_err_sys(err, FX_ECANTCREAT, "store %s",
			    path);
	} else if (!S_ISDIR(st.st_mode))
		return fx_err_set(err, FX_ECONFIG, "store %s: not a directory",
		    path);

	db = fx_calloc(1, sizeof(*db));
	db->path = fx_strdup(path);
	db->map_size = map_size;
	db->map_max = map_max < map_size ? map_size : map_max;
	db->rdonly = (flags & FX_DB_RDONLY) != 0;
	if (db->rdonly)
		envflags |= MDB_RDONLY;

	if ((rc = mdb_env_create(&db->env)) != 0)
		goto fail;
	if ((rc = mdb_env_set_maxdbs(db->env, FX_K_NKINDS + 4)) != 0)
		goto fail;
	if ((rc = mdb_env_set_maxreaders(db->env, 256)) != 0)
		goto fail;
	if ((rc = mdb_env_set_mapsize(db->env, (size_t)map_size)) != 0)
		goto fail;
	if ((rc = mdb_env_open(db->env, path, envflags, 0640)) != 0)
		goto fail;
	/* A store grown by an earlier run keeps its larger map. */
	if (mdb_env_info(db->env, &info) == 0 && info.me_mapsize > map_size)
		db->map_size = info.me_mapsize;
	/* Readers that died without closing their slot hold pages. */
	mdb_reader_check(db->env, NULL);

	if ((rc = mdb_txn_begin(db->env, NULL, db->rdonly ? MDB_RDONLY : 0,
	    &txn)) != 0)
		goto fail;
	for (k = 0; k < FX_K_NKINDS; k++) {
		unsigned f = kinds[k].flags | (db->rdonly ? 0 : MDB_CREATE);

		if (kinds[k].flags & VIRTUAL)
			continue;
		rc = mdb_dbi_open(txn, kinds[k].name, f, &db->dbi[k]);
		if (rc == MDB_NOTFOUND && db->rdonly) {
			if (k == FX_K_META) {
				mdb_txn_abort(txn);
				fx_db_close(db);
				return fx_err_set(err, FX_ENOINPUT, "store %s is "
				    "not initialised: run formix-admin init",
				    path);
			}
			db->missing[k] = 1;
			continue;
		}
		if (rc != 0)
			goto fail;
	}
	if (!db->rdonly) {
		MDB_val key = { 6, (void *)"format" }, val;
		char fmt[16];

		rc = mdb_get(txn, db->dbi[FX_K_META], &key, &val);
		if (rc == MDB_NOTFOUND) {
			snprintf(fmt, sizeof(fmt), "%d", FX_STORE_FORMAT);
			val.mv_data = fmt;
			val.mv_size = strlen(fmt);
			if ((rc = mdb_put(txn, db->dbi[FX_K_META], &key, &val,
			    0)) != 0)
				goto fail;
		} else if (rc != 0)
			goto fail;
		if ((rc = mdb_txn_commit(txn)) != 0) {
			txn = NULL;
			goto fail;
		}
	} else if ((rc = mdb_txn_commit(txn)) != 0) {
		/* Committed, not aborted: an abort would close the handles. */
		txn = NULL;
		goto fail;
	}
	txn = NULL;

	/* Check the layout version with a fresh read. */
	{
		struct fx_txn t;
		char v[16];
		int r;

		if (fx_db_begin(db, 0, &t, err) == -1) {
			fx_db_close(db);
			return -1;
		}
		r = fx_meta_get(&t, "format", v, sizeof(v), err);
		fx_db_abort(&t);
		if (r == 0 && atol(v) > FX_STORE_FORMAT) {
			fx_db_close(db);
			return fx_err_set(err, FX_ECONFIG, "store %s has format "
			    "%s, newer than this formix (%d): upgrade formix",
			    path, v, FX_STORE_FORMAT);
		}
	}
	*dbp = db;
	return 0;
fail:
	if (txn != NULL)
		mdb_txn_abort(txn);
	lmdb_err(err, rc, path);
	fx_db_close(db);
	return -1;
}

void
fx_db_close(struct fx_db *db)
{
	if (db == NULL)
		return;
	if (db->env != NULL)
		mdb_env_close(db->env);
	free(db->path);
	free(db);
}

int
fx_db_begin(struct fx_db *db, int write, struct fx_txn *t, struct fx_err *err)
{
	int rc;

	t->db = db;
	t->write = write;
	t->t = NULL;
	if (write && db->rdonly)
		return fx_err_set(err, FX_EPERM, "store %s is open read-only",
		    db->path);
	rc = mdb_txn_begin(db->env, NULL, write ? 0 : MDB_RDONLY, &t->t);
	if (rc != 0) {
		t->t = NULL;
		return lmdb_err(err, rc, "begin transaction");
	}
	return 0;
}

int
fx_db_commit(struct fx_txn *t, struct fx_err *err)
{
	int rc;

	if (t->t == NULL)
		return fx_err_set(err, FX_ESOFTWARE, "commit without a "
		    "transaction");
	rc = mdb_txn_commit(t->t);
	t->t = NULL;
	if (rc != 0)
		return write_err(t->db, err, rc, "commit");
	return 0;
}

void
fx_db_abort(struct fx_txn *t)
{
	if (t->t != NULL)
		mdb_txn_abort(t->t);
	t->t = NULL;
}

int
fx_db_write(struct fx_db *db, int (*fn)(struct fx_txn *, void *,
    struct fx_err *), void *arg, struct fx_err *err)
{
	struct fx_txn t;
	const char *crash;
	int rc;

	for (;;) {
		db->map_full = 0;
		if (fx_db_begin(db, 1, &t, err) == -1)
			return -1;
		rc = fn(&t, arg, err);
		if (rc == 1) {
			/* The action found nothing to do. */
			fx_db_abort(&t);
			return 1;
		}
		if (rc == 0) {
			/* Crash tests: die with the action done, uncommitted. */
			crash = getenv("FX_CRASH_AT");
			if (crash != NULL && strcmp(crash, "commit") == 0)
				abort();
			if (fx_db_commit(&t, err) == 0)
				return 0;
		} else
			fx_db_abort(&t);
		if (!db->map_full)
			return -1;
		if (db->map_size >= db->map_max)
			return fx_err_set(err, FX_ETEMP, "store %s: map full at "
			    "its maximum of %llu MiB: raise store.map_max",
			    db->path,
			    (unsigned long long)(db->map_max >> 20));
		db->map_size = db->map_size * 2 > db->map_max ? db->map_max :
		    db->map_size * 2;
		rc = mdb_env_set_mapsize(db->env, (size_t)db->map_size);
		if (rc != 0)
			return lmdb_err(err, rc, "grow map");
	}
}

int
fx_db_get(struct fx_txn *t, enum fx_kind k, const void *key, size_t klen,
    const void **val, size_t *vlen, struct fx_err *err)
{
	MDB_val kv = { klen, (void *)key }, vv;
	int rc;

	if (klen == 0 || klen > 511 || t->db->missing[k])
		return 1;
	rc = mdb_get(t->t, t->db->dbi[k], &kv, &vv);
	if (rc == MDB_NOTFOUND)
		return 1;
	if (rc != 0)
		return lmdb_err(err, rc, kinds[k].name);
	if (val)
		*val = vv.mv_data;
	if (vlen)
		*vlen = vv.mv_size;
	return 0;
}

static int
key_ok(const char *kind, size_t klen, struct fx_err *err)
{
	/* LMDB's default maximum key size. */
	if (klen == 0)
		return fx_err_set(err, FX_EDATA, "empty key for %s", kind);
	if (klen > 511)
		return fx_err_set(err, FX_EDATA, "key for %s longer than 511 "
		    "bytes", kind);
	return 0;
}

int
fx_db_put(struct fx_txn *t, enum fx_kind k, const void *key, size_t klen,
    const void *val, size_t vlen, struct fx_err *err)
{
	MDB_val kv = { klen, (void *)key }, vv = { vlen, (void *)val };
	int rc;

	if (key_ok(kinds[k].name, klen, err) == -1)
		return -1;
	rc = mdb_put(t->t, t->db->dbi[k], &kv, &vv, 0);
	if (rc != 0)
		return write_err(t->db, err, rc, kinds[k].name);
	return 0;
}

int
fx_db_putdup(struct fx_txn *t, enum fx_kind k, const void *key, size_t klen,
    const void *val, size_t vlen, struct fx_err *err)
{
	MDB_val kv = { klen, (void *)key }, vv = { vlen, (void *)val };
	int rc;

	if (key_ok(kinds[k].name, klen, err) == -1)
		return -1;
	if (vlen > 511)
		return fx_err_set(err, FX_EDATA, "index value longer than 511 "
		    "bytes");
	rc = mdb_put(t->t, t->db->dbi[k], &kv, &vv, MDB_NODUPDATA);
	if (rc != 0 && rc != MDB_KEYEXIST)
		return write_err(t->db, err, rc, kinds[k].name);
	return 0;
}

int
fx_db_del(struct fx_txn *t, enum fx_kind k, const void *key, size_t klen,
    const void *val, size_t vlen, struct fx_err *err)
{
	MDB_val kv = { klen, (void *)key }, vv = { vlen, (void *)val };
	int rc;

	if (klen == 0 || klen > 511)
		return 0;
	rc = mdb_del(t->t, t->db->dbi[k], &kv, val ? &vv : NULL);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return write_err(t->db, err, rc, kinds[k].name);
	return 0;
}

int
fx_db_clear(struct fx_txn *t, enum fx_kind k, struct fx_err *err)
{
	int rc = mdb_drop(t->t, t->db->dbi[k], 0);

	if (rc != 0)
		return write_err(t->db, err, rc, kinds[k].name);
	return 0;
}

int
fx_db_virtual(enum fx_kind k)
{
	return (unsigned)k < FX_K_NKINDS && (kinds[k].flags & VIRTUAL) != 0;
}

uint64_t
fx_db_count(struct fx_txn *t, enum fx_kind k)
{
	MDB_stat st;

	if (fx_db_virtual(k) || t->db->missing[k])
		return 0;
	if (mdb_stat(t->t, t->db->dbi[k], &st) != 0)
		return 0;
	return st.ms_entries;
}

int
fx_db_getrec(struct fx_txn *t, enum fx_kind k, const void *key, size_t klen,
    const struct fx_rectype *rt, void *s, struct fx_err *err)
{
	const void *v = NULL;
	size_t vl = 0;
	int r;

	r = fx_db_get(t, k, key, klen, &v, &vl, err);
	if (r != 0)
		return r;
	return fx_rec_decode(v, vl, rt, s, err);
}

int
fx_db_putrec(struct fx_txn *t, enum fx_kind k, const void *key, size_t klen,
    const struct fx_rectype *rt, const void *s, struct fx_buf *scratch,
    struct fx_err *err)
{
	fx_rec_encode(scratch, rt, s);
	return fx_db_put(t, k, key, klen, scratch->p, scratch->len, err);
}

int
fx_cur_open(struct fx_txn *t, enum fx_kind k, struct fx_cur *c,
    struct fx_err *err)
{
	int rc;

	c->kind = k;
	c->db = t->db;
	if (t->db->missing[k]) {
		c->c = NULL;	/* an empty kind: every read ends at once */
		return 0;
	}
	rc = mdb_cursor_open(t->t, t->db->dbi[k], &c->c);
	if (rc != 0) {
		c->c = NULL;
		return lmdb_err(err, rc, kinds[k].name);
	}
	return 0;
}

void
fx_cur_close(struct fx_cur *c)
{
	if (c->c != NULL)
		mdb_cursor_close(c->c);
	c->c = NULL;
}

static int
cur_get(struct fx_cur *c, MDB_val *k, MDB_val *v, MDB_cursor_op op,
    struct fx_err *err)
{
	int rc;

	if (c->c == NULL)
		return 1;
	rc = mdb_cursor_get(c->c, k, v, op);

	if (rc == MDB_NOTFOUND)
		return 1;
	if (rc != 0)
		return lmdb_err(err, rc, kinds[c->kind].name);
	return 0;
}

int
fx_cur_first(struct fx_cur *c, MDB_val *k, MDB_val *v, struct fx_err *err)
{
	return cur_get(c, k, v, MDB_FIRST, err);
}

int
fx_cur_next(struct fx_cur *c, MDB_val *k, MDB_val *v, struct fx_err *err)
{
	return cur_get(c, k, v, MDB_NEXT, err);
}

int
fx_cur_seek(struct fx_cur *c, const void *key, size_t klen, MDB_val *k,
    MDB_val *v, struct fx_err *err)
{
	if (klen == 0)
		return cur_get(c, k, v, MDB_FIRST, err);
	if (klen > 511)
		return 1;
	k->mv_data = (void *)key;
	k->mv_size = klen;
	return cur_get(c, k, v, MDB_SET_RANGE, err);
}

int
fx_cur_dup_first(struct fx_cur *c, const void *key, size_t klen, MDB_val *k,
    MDB_val *v, struct fx_err *err)
{
	if (klen == 0 || klen > 511)
		return 1;
	k->mv_data = (void *)key;
	k->mv_size = klen;
	return cur_get(c, k, v, MDB_SET_KEY, err);
}

int
fx_cur_dup_next(struct fx_cur *c, MDB_val *k, MDB_val *v, struct fx_err *err)
{
	return cur_get(c, k, v, MDB_NEXT_DUP, err);
}

int
fx_cur_put(struct fx_cur *c, const void *key, size_t klen, const void *val,
    size_t vlen, int current, struct fx_err *err)
{
	MDB_val kv = { klen, (void *)key }, vv = { vlen, (void *)val };
	int rc;

	if (key_ok(kinds[c->kind].name, klen, err) == -1)
		return -1;
	rc = mdb_cursor_put(c->c, &kv, &vv, current ? MDB_CURRENT : 0);
	if (rc != 0) {
		if (rc == MDB_MAP_FULL)
			c->db->map_full = 1;
		return lmdb_err(err, rc, kinds[c->kind].name);
	}
	return 0;
}

int
fx_cur_put_new(struct fx_cur *c, const void *key, size_t klen,
    const void *val, size_t vlen, const void **old, size_t *oldlen,
    struct fx_err *err)
{
	MDB_val kv = { klen, (void *)key }, vv = { vlen, (void *)val };
	int rc;

	if (key_ok(kinds[c->kind].name, klen, err) == -1)
		return -1;
	rc = mdb_cursor_put(c->c, &kv, &vv, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		/* vv now holds the existing value, the cursor is on it. */
		*old = vv.mv_data;
		*oldlen = vv.mv_size;
		return 1;
	}
	if (rc != 0) {
		if (rc == MDB_MAP_FULL)
			c->db->map_full = 1;
		return lmdb_err(err, rc, kinds[c->kind].name);
	}
	return 0;
}

int
fx_meta_get(struct fx_txn *t, const char *name, char *buf, size_t sz,
    struct fx_err *err)
{
	const void *v = NULL;
	size_t vl = 0;
	int r;

	if (sz == 0)
		return -1;
	buf[0] = '\0';
	r = fx_db_get(t, FX_K_META, name, strlen(name), &v, &vl, err);
	if (r != 0)
		return r;
	if (vl >= sz)
		vl = sz - 1;
	memcpy(buf, v, vl);
	buf[vl] = '\0';
	return 0;
}

int
fx_meta_put(struct fx_txn *t, const char *name, const char *val,
    struct fx_err *err)
{
	return fx_db_put(t, FX_K_META, name, strlen(name), val, strlen(val),
	    err);
}

int
fx_db_lazy(struct fx_db *db, int on, struct fx_err *err)
{
	int rc;

	if (db->rdonly)
		return 0;
	if ((rc = mdb_env_set_flags(db->env, MDB_NOMETASYNC, on ? 1 : 0)) != 0)
		return lmdb_err(err, rc, "set flags");
	return 0;
}

int
fx_db_sync(struct fx_db *db, struct fx_err *err)
{
	int rc;

	if (db->rdonly)
		return 0;
	if ((rc = mdb_env_sync(db->env, 1)) != 0)
		return lmdb_err(err, rc, "sync");
	return 0;
}

void
fx_db_info(struct fx_db *db, uint64_t *map_size, uint64_t *used)
{
	MDB_envinfo info;
	MDB_stat st;

	*map_size = *used = 0;
	if (mdb_env_info(db->env, &info) != 0 || mdb_env_stat(db->env, &st))
		return;
	*map_size = info.me_mapsize;
	*used = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
}

int
fx_db_read_owned(struct fx_txn *t, enum fx_kind kind, const char *owner,
    const struct fx_rectype *rt, size_t sz, void **vp, size_t *np,
    struct fx_err *err)
{
	struct fx_cur cur;
	struct fx_buf k = { NULL, 0, 0 };
	MDB_val key, val;
	char *v = NULL;
	size_t cap = 0, n = 0, plen;
	int r;

	*vp = NULL;
	*np = 0;
	fx_buf_key(&k, owner, "", (char *)NULL);
	plen = k.len;
	if (fx_cur_open(t, kind, &cur, err) == -1) {
		fx_buf_release(&k);
		return -1;
	}
	for (r = fx_cur_seek(&cur, k.p, plen, &key, &val, err); r == 0;
	    r = fx_cur_next(&cur, &key, &val, err)) {
		if (key.mv_size < plen || memcmp(key.mv_data, k.p, plen) != 0)
			break;
		v = fx_grow(v, &cap, n + 1, sz);
		if (fx_rec_decode(val.mv_data, val.mv_size, rt, v + n * sz,
		    err) == -1) {
			r = -1;
			break;
		}
		n++;
	}
	fx_cur_close(&cur);
	fx_buf_release(&k);
	if (r == -1) {
		fx_rec_vfree(rt, v, n, sz);
		return -1;
	}
	*vp = v;
	*np = n;
	return 0;
}
