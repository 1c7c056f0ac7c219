/*
 * fxbench -- in-process timings for make bench, where a whole process
 * would measure mostly its own start-up.
 *
 *	fxbench -D DIR lookups FILE ENTITY
 *		every article in FILE (one a line) looked up with the
 *		dealer's price, 7 rounds; prints the median in ms, and the
 *		same keys as bare LMDB gets on the article index (the floor)
 *	fxbench -D DIR total FILE ENTITY
 *		FILE has "Ид qty" lines: prints the order's sum at the net,
 *		base and retail price, to compare with bench-data's key
 *	fxbench sheet FILE...
 *		each order spreadsheet read with fx_sheet_read 7 times:
 *		prints its rows and the median in ms (no store needed)

 *	fxbench -D DIR ar FILE
 *		the receivables report (fx_ar_report) of every entity in FILE
 *		(one Ид a line), 7 rounds: prints the median per entity and
 *		the median of each round's slowest entity in ms, and the
 *		floor: the same entities' ledger records read by a bare
 *		cursor scan, per entity
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fx-int.h"

#define ROUNDS	7

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static char **
read_lines(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "r");
	char line[1024], **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (fp == NULL) {
		perror(path);
		exit(66);
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		v = fx_grow(v, &cap, *n + 1, sizeof(*v));
		v[(*n)++] = fx_strdup(line);
	}
	fclose(fp);
	return v;
}

static void
die(const struct fx_err *e)
{
	char buf[512];

	fx_err_format(e, buf, sizeof(buf));
	fprintf(stderr, "fxbench: %s\n", buf);
	exit(1);
}

static int
lookups(struct fx_ctx *ctx, char **arts, size_t n, const char *entity)
{
	double t[ROUNDS], f[ROUNDS], l[ROUNDS], t0;
	struct fx_err err;
	struct fx_txn txn;
	char norm[512];
	size_t i, found = 0, ambiguous = 0;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		/* The floor: normalise and get from the index, nothing else. */
		t0 = now_ms();
		if (fx_db_begin(ctx->db, 0, &txn, &err) == -1)
			die(&err);
		for (i = 0; i < n; i++) {
			fx_article_norm(arts[i], norm, sizeof(norm));
			fx_db_get(&txn, FX_K_IDX_ARTICLE, norm, strlen(norm),
			    NULL, NULL, &err);
		}
		fx_db_abort(&txn);
		f[r] = now_ms() - t0;

		t0 = now_ms();
		found = ambiguous = 0;
		{
			struct fx_catalog *cat;
			struct fx_query q;

			memset(&q, 0, sizeof(q));
			q.entity = entity;
			if (fx_catalog_open(ctx, &q, &cat, &err) == -1)
				die(&err);
			struct fx_query *qs = fx_calloc(n, sizeof(*qs));
			struct fx_items *its = fx_calloc(n, sizeof(*its));

			for (i = 0; i < n; i++)
				qs[i].article = arts[i];
			if (fx_catalog_find_many(cat, qs, n, its, &err) == -1)
				die(&err);
			for (i = 0; i < n; i++) {
				found += its[i].n > 0;
				ambiguous += its[i].n > 1;
				fx_items_release(&its[i]);
			}
			free(qs);
			free(its);
			fx_catalog_close(cat);
		}
		t[r] = now_ms() - t0;

		/* The same one find at a time, for comparison. */
		t0 = now_ms();
		{
			struct fx_catalog *cat;
			struct fx_query q;

			memset(&q, 0, sizeof(q));
			q.entity = entity;
			if (fx_catalog_open(ctx, &q, &cat, &err) == -1)
				die(&err);
			for (i = 0; i < n; i++) {
				struct fx_items it;

				memset(&q, 0, sizeof(q));
				q.article = arts[i];
				if (fx_catalog_find(cat, &q, &it, &err) == -1)
					die(&err);
				fx_items_release(&it);
			}
			fx_catalog_close(cat);
		}
		l[r] = now_ms() - t0;
	}
	qsort(l, ROUNDS, sizeof(double), cmp_d);
	qsort(t, ROUNDS, sizeof(double), cmp_d);
	qsort(f, ROUNDS, sizeof(double), cmp_d);
	printf("lookups %zu found %zu ambiguous %zu median_ms %.2f "
	    "floor_ms %.2f one_at_a_time_ms %.2f\n", n, found, ambiguous,
	    t[ROUNDS / 2], f[ROUNDS / 2], l[ROUNDS / 2]);
	return 0;
}

static int
total(struct fx_ctx *ctx, char **lines, size_t n, const char *entity)
{
	struct fx_err err;
	int64_t net = 0, base = 0, retail = 0;
	char b1[32], b2[32], b3[32];
	size_t i;

	for (i = 0; i < n; i++) {
		struct fx_query q;
		struct fx_items it;
		char id[256];
		long long qty;

		if (sscanf(lines[i], "%255s %lld", id, &qty) != 2)
			continue;
		memset(&q, 0, sizeof(q));
		memset(&it, 0, sizeof(it));
		q.id = id;
		q.entity = entity;
		q.flags = FX_Q_DELETED;
		if (fx_catalog_query(ctx, &q, &it, &err) == -1)
			die(&err);
		if (it.n == 1) {
			net += it.v[0].net * qty;
			base += it.v[0].base * qty;
			retail += it.v[0].retail * qty;
		} else
			fprintf(stderr, "fxbench: %s: %zu products\n", id, it.n);
		fx_items_release(&it);
	}
	printf("total_net %s total_base %s total_retail %s\n",
	    fx_money_fmt(b1, sizeof(b1), net, 0),
	    fx_money_fmt(b2, sizeof(b2), base, 0),
	    fx_money_fmt(b3, sizeof(b3), retail, 0));
	return 0;
}

static int
sheets(int argc, char **argv)
{
	struct fx_sheet sh;
	struct fx_err err;
	double t[ROUNDS], t0;
	size_t rows = 0;
	int i, r;

	for (i = 0; i < argc; i++) {
		for (r = 0; r < ROUNDS; r++) {
			t0 = now_ms();
			if (fx_sheet_read(argv[i], NULL, &sh, &err) == -1)
				die(&err);
			t[r] = now_ms() - t0;
			rows = sh.nrows;
			fx_sheet_release(&sh);
		}
		qsort(t, ROUNDS, sizeof(double), cmp_d);
		printf("sheet %s rows %zu median_ms %.2f\n", argv[i], rows,
		    t[ROUNDS / 2]);
	}
	return 0;
}

/* The floor of a report: one entity's ledger records, read and dropped. */
static size_t
ar_scan(struct fx_ctx *ctx, const char *entity, size_t *bytes,
    struct fx_err *err)
{
	struct fx_txn t;
	struct fx_cur c;
	struct fx_buf k = { NULL, 0, 0 };
	MDB_val kv, vv;
	size_t n = 0;
	int r;

	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		die(err);
	fx_buf_key(&k, entity, "", NULL);
	if (fx_cur_open(&t, FX_K_LEDGER, &c, err) == -1)
		die(err);
	for (r = fx_cur_seek(&c, k.p, k.len, &kv, &vv, err); r == 0;
	    r = fx_cur_next(&c, &kv, &vv, err)) {
		if (kv.mv_size < k.len || memcmp(kv.mv_data, k.p, k.len) != 0)
			break;
		*bytes += vv.mv_size;
		n++;
	}
	fx_cur_close(&c);
	fx_db_abort(&t);
	fx_buf_release(&k);
	return n;
}

static int
ar_reports(const char *dir, const char *file)
{
	double t[ROUNDS], f[ROUNDS], w[ROUNDS], t0, t1;
	struct fx_ar_report rep;
	struct fx_ctx *ctx;
	struct fx_err err;
	char **ids;
	size_t n, i, docs = 0, bytes = 0;
	int r;

	if (fx_ctx_open(&ctx, dir, NULL, FX_OPEN_RDONLY, &err) == -1 ||
	    fx_auth(ctx, NULL, &err) == -1)
		die(&err);
	ids = read_lines(file, &n);
	for (r = 0; r < ROUNDS; r++) {
		t0 = now_ms();
		for (i = 0; i < n; i++)
			docs += ar_scan(ctx, ids[i], &bytes, &err);
		f[r] = (now_ms() - t0) / (double)n;
		t0 = now_ms();
		w[r] = 0;
		for (i = 0; i < n; i++) {
			t1 = now_ms();
			if (fx_ar_report(ctx, ids[i], NULL, &rep, &err) == -1)
				die(&err);
			fx_ar_report_release(&rep);
			t1 = now_ms() - t1;
			if (t1 > w[r])
				w[r] = t1;
		}
		t[r] = (now_ms() - t0) / (double)n;
	}
	qsort(t, ROUNDS, sizeof(double), cmp_d);
	qsort(f, ROUNDS, sizeof(double), cmp_d);
	/* The slowest entity of a typical round, not the cold first one. */
	qsort(w, ROUNDS, sizeof(double), cmp_d);
	printf("ar_reports %zu docs %zu median_ms_per_entity %.3f "
	    "slowest_ms %.3f floor_ms_per_entity %.3f mib %.1f\n", n,
	    docs / ROUNDS, t[ROUNDS / 2], w[ROUNDS / 2], f[ROUNDS / 2],
	    (double)bytes / ROUNDS / 1048576.0);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	fx_ctx_free(ctx);
	return 0;
}

/*
 * Claims (issue 5): searching the lines of an order, as formix-claim
 * lines does, medians over rounds of 50 searches.
 */
static int
claim_lines(const char *dir, const char *order, const char *query)
{
	struct fx_ctx *ctx;
	struct fx_err err;
	struct fx_claimable *v;
	double t[ROUNDS], t0;
	size_t n = 0;
	int r, i;

	if (fx_ctx_open(&ctx, dir, NULL, FX_OPEN_RDONLY, &err) == -1 ||
	    fx_auth(ctx, NULL, &err) == -1)
		die(&err);
	for (r = 0; r < ROUNDS; r++) {
		t0 = now_ms();
		for (i = 0; i < 50; i++) {
			if (fx_claim_lines(ctx, order, query, &v, &n,
			    &err) == -1)
				die(&err);
			fx_claimables_free(v, n);
		}
		t[r] = (now_ms() - t0) / 50;
	}
	qsort(t, ROUNDS, sizeof(double), cmp_d);
	printf("claim_lines query \"%s\" matches %zu median_ms %.3f\n",
	    query, n, t[ROUNDS / 2]);
	fx_ctx_free(ctx);
	return 0;
}

int
main(int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_err err;
	char **lines;
	size_t n;

	if (argc >= 3 && strcmp(argv[1], "sheet") == 0)
		return sheets(argc - 2, argv + 2);
	if (argc == 5 && strcmp(argv[1], "-D") == 0 &&
	    strcmp(argv[3], "ar") == 0)
		return ar_reports(argv[2], argv[4]);
	if (argc == 6 && strcmp(argv[1], "-D") == 0 &&
	    strcmp(argv[3], "claimlines") == 0)
		return claim_lines(argv[2], argv[4], argv[5]);
	if (argc != 6 || strcmp(argv[1], "-D") != 0) {
		fprintf(stderr, "usage: fxbench -D DIR lookups|total FILE "
		    "ENTITY\n");
		return 64;
	}
	if (fx_ctx_open(&ctx, argv[2], NULL, FX_OPEN_RDONLY, &err) == -1 ||
	    fx_auth(ctx, NULL, &err) == -1)
		die(&err);
	lines = read_lines(argv[4], &n);
	if (strcmp(argv[3], "lookups") == 0)
		lookups(ctx, lines, n, argv[5]);
	else
		total(ctx, lines, n, argv[5]);
	fx_ctx_free(ctx);
	return 0;
}
