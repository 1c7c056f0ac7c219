/* t_db.c -- the store: transactions, map growth, cursors, duplicates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fx-int.h"
#include "tap.h"

static int
fill(struct fx_txn *t, void *arg, struct fx_err *err)
{
	int *n = arg, i;
	char k[32], v[512];

	memset(v, 'x', sizeof(v));
	for (i = 0; i < *n; i++) {
		snprintf(k, sizeof(k), "key-%06d", i);
		if (fx_db_put(t, FX_K_PRODUCT, k, strlen(k), v, sizeof(v),
		    err) == -1)
			return -1;
	}
	return 0;
}

static int
fail_late(struct fx_txn *t, void *arg, struct fx_err *err)
{
	if (fx_db_put(t, FX_K_GROUP, "g", 1, "v", 1, err) == -1)
		return -1;
	return fx_err_set(err, FX_EDATA, "refused after a write");
}

int
main(void)
{
	char dir[] = "/tmp/t_db.XXXXXX";
	struct fx_db *db;
	struct fx_txn t;
	struct fx_cur c;
	struct fx_err err;
	MDB_val k, v;
	uint64_t map, used;
	int n = 5000, r, cnt;

	if (mkdtemp(dir) == NULL)
		return 1;
	ok(fx_db_open(&db, dir, 1 << 20, 64 << 20, FX_DB_CREATE, &err) == 0,
	    "open with a 1 MiB map");

	/* 5,000 x 512 bytes cannot fit in 1 MiB: grow and retry whole. */
	ok(fx_db_write(db, fill, &n, &err) == 0, "write grows the map: %s",
	    err.msg);
	fx_db_info(db, &map, &used);
	ok(map > (1 << 20), "map grew to %llu", (unsigned long long)map);
	fx_db_begin(db, 0, &t, &err);
	is_int(fx_db_count(&t, FX_K_PRODUCT), 5000, "all records there");
	fx_db_abort(&t);

	/* A failed action leaves nothing. */
	ok(fx_db_write(db, fail_late, NULL, &err) == -1 &&
	    err.code == FX_EDATA, "failing action reports its error");
	fx_db_begin(db, 0, &t, &err);
	is_int(fx_db_get(&t, FX_K_GROUP, "g", 1, NULL, NULL, &err), 1,
	    "its write is not visible");
	fx_db_abort(&t);

	/* A ceiling on growth is an error, not a loop. */
	n = 20000;
	fx_db_close(db);
	ok(fx_db_open(&db, dir, 1 << 20, 4 << 20, 0, &err) == 0, "reopen");
	ok(fx_db_write(db, fill, &n, &err) == -1 && err.code == FX_ETEMP &&
	    strstr(err.msg, "store.map_max") != NULL, "map_max reached: %s",
	    err.msg);

	/* Duplicates and prefix cursors. */
	fx_db_begin(db, 1, &t, &err);
	fx_db_putdup(&t, FX_K_IDX_ARTICLE, "amb", 3, "p-5", 3, &err);
	fx_db_putdup(&t, FX_K_IDX_ARTICLE, "amb", 3, "p-4", 3, &err);
	ok(fx_db_putdup(&t, FX_K_IDX_ARTICLE, "amb", 3, "p-4", 3, &err) == 0,
	    "an existing pair is not an error");
	ok(fx_db_commit(&t, &err) == 0, "commit");
	fx_db_begin(db, 0, &t, &err);
	fx_cur_open(&t, FX_K_IDX_ARTICLE, &c, &err);
	cnt = 0;
	for (r = fx_cur_dup_first(&c, "amb", 3, &k, &v, &err); r == 0;
	    r = fx_cur_dup_next(&c, &k, &v, &err))
		cnt++;
	is_int(cnt, 2, "two products share the article");
	r = fx_cur_seek(&c, "am", 2, &k, &v, &err);
	ok(r == 0 && k.mv_size == 3 && memcmp(k.mv_data, "amb", 3) == 0,
	    "seek finds the first key at or after a prefix");
	fx_cur_close(&c);
	fx_db_abort(&t);

	/* Read-only open of a missing store. */
	{
		struct fx_db *none;

		ok(fx_db_open(&none, "/nonexistent/formix", 1 << 20, 1 << 20,
		    FX_DB_RDONLY, &err) == -1 && err.code == FX_ENOINPUT &&
		    none == NULL, "missing store: %s", err.msg);
	}

	fx_db_close(db);

	/*
	 * A store made before a kind existed: delete the users DB with LMDB
	 * itself, then open read-only: the kind reads as empty.
	 */
	{
		MDB_env *env;
		MDB_txn *txn;
		MDB_dbi dbi;

		mdb_env_create(&env);
		mdb_env_set_maxdbs(env, 64);
		mdb_env_set_mapsize(env, 64 << 20);
		ok(mdb_env_open(env, dir, 0, 0640) == 0 &&
		    mdb_txn_begin(env, NULL, 0, &txn) == 0 &&
		    mdb_dbi_open(txn, "users", 0, &dbi) == 0 &&
		    mdb_drop(txn, dbi, 1) == 0 && mdb_txn_commit(txn) == 0,
		    "an older store, without the users DB");
		mdb_env_close(env);
		ok(fx_db_open(&db, dir, 1 << 20, 64 << 20, FX_DB_RDONLY,
		    &err) == 0, "opens read-only: %s", err.msg);
		fx_db_begin(db, 0, &t, &err);
		is_int(fx_db_get(&t, FX_K_USER, "x", 1, NULL, NULL, &err), 1,
		    "  its users read as none");
		is_int(fx_db_count(&t, FX_K_USER), 0, "  and count 0");
		fx_cur_open(&t, FX_K_USER, &c, &err);
		is_int(fx_cur_first(&c, &k, &v, &err), 1, "  a cursor ends "
		    "at once");
		fx_cur_close(&c);
		fx_db_abort(&t);
		fx_db_close(db);
		ok(fx_db_open(&db, dir, 1 << 20, 64 << 20, 0, &err) == 0,
		    "a read-write open creates it again");
		fx_db_close(db);
	}
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return done_testing();
}
