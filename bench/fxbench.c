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
	double t[ROUNDS], f[ROUNDS], t0;
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
			for (i = 0; i < n; i++) {
				struct fx_items it;

				memset(&q, 0, sizeof(q));
				q.article = arts[i];
				if (fx_catalog_find(cat, &q, &it, &err) == -1)
					die(&err);
				found += it.n > 0;
				ambiguous += it.n > 1;
				fx_items_release(&it);
			}
			fx_catalog_close(cat);
		}
		t[r] = now_ms() - t0;
	}
	qsort(t, ROUNDS, sizeof(double), cmp_d);
	qsort(f, ROUNDS, sizeof(double), cmp_d);
	printf("lookups %zu found %zu ambiguous %zu median_ms %.2f "
	    "floor_ms %.2f\n", n, found, ambiguous, t[ROUNDS / 2],
	    f[ROUNDS / 2]);
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

int
main(int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_err err;
	char **lines;
	size_t n;

	if (argc != 6 || strcmp(argv[1], "-D") != 0) {
		fprintf(stderr, "usage: fxbench -D DIR lookups|total FILE "
		    "ENTITY\n");
		return 64;
	}
	if (fx_ctx_open(&ctx, argv[2], NULL, FX_OPEN_RDONLY, &err) == -1)
		die(&err);
	lines = read_lines(argv[4], &n);
	if (strcmp(argv[3], "lookups") == 0)
		lookups(ctx, lines, n, argv[5]);
	else
		total(ctx, lines, n, argv[5]);
	fx_ctx_free(ctx);
	return 0;
}
