/*
 * import.c -- applying a package of 1C files, and store statistics.
 *
 * A package is the files of one exchange: import.xml + offers.xml, the
 * split import___/offers___/prices___/rests___ files, a conditions or
 * deliveries file.  It is applied in one write transaction together with
 * the record of each file's SHA-256: either everything in it is visible,
 * or nothing is, and the same bytes offered again are recognised.
 *
 * Files are recognised by content (the root element and its first child),
 * the file name deciding only between catalog and offers files whose first
 * child is the classifier.  They are applied catalog first, then offers,
 * conditions, deliveries, the receivables ledger, whatever order they were
 * given in, since each refers to what the one before defines.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fx-int.h"

enum fkind { F_CATALOG, F_OFFERS, F_CONDITIONS, F_DELIVERIES, F_LEDGER,
	F_ORDERS, F_ODOC, F_CLAIMS };

static const char *const fkind_names[] = {
	"catalog", "offers", "conditions", "deliveries", "ledger", "orders",
	"order document", "claims"
};

struct pfile {
	const char	*path;
	enum fkind	 kind;
	char		 hash[65];
	int		 applied;	/* applied before */
	int		 keyed;		/* F_ODOC: hash is the applied key */
	char		 applied_at[32];
};

struct package {
	struct fx_ctx		*ctx;
	struct pfile		*files;
	size_t			 n;
	int			 flags;
	struct fx_import_stats	*st;
	struct fx_import_stats	 zero;
	/* Warnings wait for the outcome: a retry or a package applied
	 * before must not repeat them. */
	struct fx_err		*warns;
	size_t			 nwarns, warnscap, warns_dropped;
	fx_warn_fn		*warn;
	void			*warn_arg;
	int			 warn_swapped;
	pthread_t		 hash_thread;
	int			 hash_started;
	int			 hash_rc;
	struct fx_err		 hash_err;
};

static const char *
base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
classify(struct fx_ctx *ctx, struct pfile *f, struct fx_err *err)
{
	char root[128], child[128], q1[160];
	const char *b = base(f->path);
	struct stat st;

	if (lstat(f->path, &st) == -1) {
		fx_err_sys(err, FX_ENOINPUT, "cannot open");
		fx_strlcpy(err->file, f->path, sizeof(err->file));
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		return fx_err_setloc(err, FX_EDATA, f->path, 0, 0,
		    "not a regular file");
	/* 1C's file for an order (orderdoc.c), by its name: any format. */
	{
		char num[32];
		const char *nm;

		if (fx_odoc_file_name(b, num, sizeof(num), &nm)) {
			f->kind = F_ODOC;
			return 0;
		}
	}
	if ((uint64_t)st.st_size > ctx->conf.max_import_size)
		return fx_err_setloc(err, FX_EDATA, f->path, 0, 0, "file of "
		    "%llu bytes is over limits.max_import_size (%llu)",
		    (unsigned long long)st.st_size,
		    (unsigned long long)ctx->conf.max_import_size);
	if (st.st_size == 0)
		return fx_err_setloc(err, FX_EDATA, f->path, 0, 0,
		    "empty file");
	if (fx_xml_sniff(f->path, root, sizeof(root), child, sizeof(child),
	    err) == -1)
		return -1;
	if (strcmp(root, "КоммерческаяИнформация") == 0) {
		if (strcmp(child, "ПакетПредложений") == 0 ||
		    strcmp(child, "ИзмененияПакетаПредложений") == 0)
			f->kind = F_OFFERS;
		else if (strcmp(child, "Каталог") == 0)
			f->kind = F_CATALOG;
		else if (strcmp(child, "Классификатор") == 0)
			/* Offers files often repeat the classifier first. */
			f->kind = starts(b, "offers") || starts(b, "prices") ||
			    starts(b, "rests") ? F_OFFERS : F_CATALOG;
		else if (strcmp(child, "Документ") == 0 ||
		    strcmp(child, "Контейнер") == 0)
			/* 1C's order documents (order1c.c). */
			f->kind = F_ORDERS;
		else
			return fx_err_setloc(err, FX_EDATA, f->path, 0, 0,
			    "CommerceML file with nothing to import (first "
			    "element \"%s\")", fx_quote(q1, sizeof(q1), child));
	} else if (strcmp(root, "formix-conditions") == 0)
		f->kind = F_CONDITIONS;
	else if (strcmp(root, "formix-deliveries") == 0)
		f->kind = F_DELIVERIES;
	else if (strcmp(root, "formix-ledger") == 0)
		f->kind = F_LEDGER;
	else if (strcmp(root, "formix-claim-statuses") == 0)
		f->kind = F_CLAIMS;	/* claim1c.c */
	else
		return fx_err_setloc(err, FX_EDATA, f->path, 0, 0, "not a 1C "
		    "exchange file: root element \"%s\"",
		    fx_quote(q1, sizeof(q1), root));
	return 0;
}

/*
 * The files' SHA-256 is computed on the other core while the package is
 * parsed: on the reference catalog it is a tenth of a second that the
 * import would otherwise wait for.
 */
static void *
hash_main(void *arg)
{
	struct package *pk = arg;
	size_t i;

	for (i = 0; i < pk->n; i++)
		if (fx_sha256_file(pk->files[i].path, pk->files[i].hash,
		    &pk->hash_err) == -1) {
			pk->hash_rc = -1;
			break;
		}
	return NULL;
}

static int
hashes_join(struct package *pk, struct fx_err *err)
{
	if (pk->hash_started) {
		pthread_join(pk->hash_thread, NULL);
		pk->hash_started = 0;
	}
	if (pk->hash_rc == -1) {
		*err = pk->hash_err;
		return -1;
	}
	return 0;
}

/* Were all files applied before?  Fills applied/applied_at. */
static int
check_applied(struct fx_txn *txn, struct package *pk, size_t *napplied,
    struct fx_err *err)
{
	struct fx_applied ap;
	size_t i;
	int r;

	*napplied = 0;
	for (i = 0; i < pk->n; i++) {
		r = fx_db_getrec(txn, FX_K_APPLIED, pk->files[i].hash, 64,
		    &fx_rt_applied, &ap, err);
		if (r == -1)
			return -1;
		pk->files[i].applied = r == 0;
		if (r == 0) {
			fx_strlcpy(pk->files[i].applied_at, ap.at,
			    sizeof(pk->files[i].applied_at));
			fx_rec_release(&fx_rt_applied, &ap);
			(*napplied)++;
		}
	}
	return 0;
}

static void
summary(char *buf, size_t sz, const struct fx_import_stats *s)
{
	snprintf(buf, sz, "groups=%llu products=%llu price_types=%llu "
	    "prices=%llu warehouses=%llu stock=%llu dealers=%llu "
	    "entities=%llu discounts=%llu deliveries=%llu ledger=%llu",
	    (unsigned long long)s->groups, (unsigned long long)s->products,
	    (unsigned long long)s->pricetypes, (unsigned long long)s->prices,
	    (unsigned long long)s->warehouses, (unsigned long long)s->stock,
	    (unsigned long long)s->dealers, (unsigned long long)s->entities,
	    (unsigned long long)s->discounts,
	    (unsigned long long)s->deliveries,
	    (unsigned long long)s->ledger);
}

/* The property cache of a package owns its records. */
static void
prop_free(void *v)
{
	struct fx_property *p = v;

	if (p == NULL)
		return;
	fx_rec_release(&fx_rt_property, p);
	free(p);
}

#define MAXWARNS	1000

static void
buffer_warn(void *arg, const struct fx_err *w)
{
	struct package *pk = arg;

	if (pk->nwarns >= MAXWARNS) {
		pk->warns_dropped++;
		return;
	}
	pk->warns = fx_grow(pk->warns, &pk->warnscap, pk->nwarns + 1,
	    sizeof(*pk->warns));
	pk->warns[pk->nwarns++] = *w;
}

static void
replay_warns(struct package *pk)
{
	struct fx_err w;
	size_t i;

	if (pk->warn == NULL)
		return;
	for (i = 0; i < pk->nwarns; i++)
		pk->warn(pk->warn_arg, &pk->warns[i]);
	if (pk->warns_dropped > 0) {
		fx_err_set(&w, FX_EDATA, "%zu more warnings not shown",
		    pk->warns_dropped);
		pk->warn(pk->warn_arg, &w);
	}
}

static int
apply(struct fx_txn *txn, void *arg, struct fx_err *err)
{
	struct package *pk = arg;
	struct fx_pkg pkg;
	struct fx_buf rec = { 0 };
	struct fx_applied ap;
	char gen[32], now[32], sum[512];
	size_t i, napplied;
	int rc = -1;

	/* A retry after the map grew starts from zero. */
	*pk->st = pk->zero;
	pk->nwarns = pk->warns_dropped = 0;
	memset(&pkg, 0, sizeof(pkg));
	if (fx_meta_get(txn, "gen", gen, sizeof(gen), err) == -1)
		goto out;
	pkg.gen = (uint32_t)strtoul(gen, NULL, 10) + 1;
	snprintf(gen, sizeof(gen), "%u", pkg.gen);
	if (fx_meta_put(txn, "gen", gen, err) == -1)
		goto out;

	for (i = 0; i < pk->n; i++) {
		struct pfile *f = &pk->files[i];
		int r;

		pkg.catalog_asof[0] = pkg.offers_asof[0] = '\0';
		switch (f->kind) {
		case F_CATALOG:
		case F_OFFERS:
			r = fx_cml_import(pk->ctx, txn, &pkg, f->path, pk->st,
			    err);
			break;
		case F_CONDITIONS:
			r = fx_cond_import(pk->ctx, txn, f->path, pk->st, err);
			break;
		case F_DELIVERIES:
			r = fx_deliv_import(pk->ctx, txn, f->path, pk->st, err);
			break;
		case F_LEDGER:
			r = fx_ledger_import(pk->ctx, txn, &pkg, f->path,
			    pk->st, err);
			break;
		case F_ORDERS:
			r = fx_order1c_import(pk->ctx, txn, f->path, pk->st,
			    err);
			break;
		case F_ODOC:
			r = fx_odoc_import(pk->ctx, txn, f->path,
			    (pk->flags & FX_IMPORT_DRYRUN) != 0, pk->st, err);
			break;
		case F_CLAIMS:
			r = fx_claim1c_import(pk->ctx, txn, f->path, pk->st,
			    err);
			break;
		default:
			FX_BUG("file kind %d", f->kind);
		}
		if (r == -1)
			goto out;
		if (f->kind == F_CATALOG && pkg.catalog_asof[0] != '\0' &&
		    fx_meta_put(txn, "catalog_asof", pkg.catalog_asof,
		    err) == -1)
			goto out;
		if (f->kind == F_OFFERS && pkg.offers_asof[0] != '\0' &&
		    fx_meta_put(txn, "offers_asof", pkg.offers_asof,
		    err) == -1)
			goto out;
		pk->st->files++;
		/* After the last offers file of the package. */
		if (f->kind == F_OFFERS && (i + 1 == pk->n ||
		    pk->files[i + 1].kind != F_OFFERS) &&
		    fx_cml_finish_offers(pk->ctx, txn, &pkg, err) == -1)
			goto out;
		/* After the last catalog file of the package. */
		if (f->kind == F_CATALOG && (i + 1 == pk->n ||
		    pk->files[i + 1].kind != F_CATALOG) &&
		    fx_cml_finish(pk->ctx, txn, &pkg, pk->st, err) == -1)
			goto out;
	}

	/* The same bytes applied before: nothing to do. */
	if (hashes_join(pk, err) == -1)
		goto out;
	for (i = 0; i < pk->n; i++)
		if (pk->files[i].kind == F_ODOC && !pk->files[i].keyed) {
			char key[65];

			if (fx_odoc_applied_key(base(pk->files[i].path),
			    pk->files[i].hash, key, err) == -1)
				goto out;
			memcpy(pk->files[i].hash, key, sizeof(key));
			pk->files[i].keyed = 1;
		}
	if (check_applied(txn, pk, &napplied, err) == -1)
		goto out;
	if (napplied == pk->n && !(pk->flags & FX_IMPORT_FORCE)) {
		pk->st->already_applied = 1;
		fx_strlcpy(pk->st->applied_at, pk->files[0].applied_at,
		    sizeof(pk->st->applied_at));
		rc = 1;
		goto out;
	}
	fx_now_iso(now, sizeof(now));
	summary(sum, sizeof(sum), pk->st);
	for (i = 0; i < pk->n; i++) {
		ap.name = (char *)base(pk->files[i].path);
		ap.kind = (char *)fkind_names[pk->files[i].kind];
		ap.at = now;
		ap.summary = sum;
		if (fx_db_putrec(txn, FX_K_APPLIED, pk->files[i].hash, 64,
		    &fx_rt_applied, &ap, &rec, err) == -1)
			goto out;
	}
	rc = 0;
out:
	fx_map_release(&pkg.props, prop_free);
	fx_buf_release(&rec);
	return rc;
}

int
fx_import(struct fx_ctx *ctx, const char *const *paths, size_t n, int flags,
    struct fx_import_stats *st, struct fx_err *err)
{
	struct package pk;
	struct fx_txn txn;
	size_t i;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if (n == 0)
		return fx_err_set(err, FX_EUSAGE, "no files to import");
	memset(&pk, 0, sizeof(pk));
	pk.ctx = ctx;
	pk.st = st;
	pk.n = n;
	pk.files = fx_calloc(n, sizeof(*pk.files));
	for (i = 0; i < n; i++) {
		pk.files[i].path = paths[i];
		if (classify(ctx, &pk.files[i], err) == -1)
			goto out;
	}
	/* By kind, catalog to ledger; the given order within each. */
	{
		struct pfile *tmp = fx_calloc(n, sizeof(*tmp));
		size_t j, o = 0;
		int k;

		for (k = F_CATALOG; k <= F_CLAIMS; k++)
			for (j = 0; j < n; j++)
				if ((int)pk.files[j].kind == k)
					tmp[o++] = pk.files[j];
		free(pk.files);
		pk.files = tmp;
	}
	pk.flags = flags;
	pk.warn = ctx->warn;
	pk.warn_arg = ctx->warn_arg;
	fx_ctx_set_warn(ctx, buffer_warn, &pk);
	pk.warn_swapped = 1;
	if (pthread_create(&pk.hash_thread, NULL, hash_main, &pk) != 0) {
		/* No thread to be had: hash here, first. */
		hash_main(&pk);
	} else
		pk.hash_started = 1;

	if (flags & FX_IMPORT_DRYRUN) {
		if (fx_db_begin(ctx->db, 1, &txn, err) == -1)
			goto out;
		rc = apply(&txn, &pk, err);
		fx_db_abort(&txn);
		if (rc == 1)
			rc = 0;
		goto out;
	}
	rc = fx_db_write(ctx->db, apply, &pk, err);
	if (rc == 1)
		rc = 0;
out:
	if (pk.hash_started)
		pthread_join(pk.hash_thread, NULL);
	if (pk.warn_swapped) {
		fx_ctx_set_warn(ctx, pk.warn, pk.warn_arg);
		/* Shown with the result they belong to, error or not. */
		if (!st->already_applied)
			replay_warns(&pk);
	}
	free(pk.warns);
	free(pk.files);
	return rc;
}

/* Prices and stock lines live in the offers records: count them there. */
static int
count_offers(struct fx_txn *txn, struct fx_stat *s, struct fx_err *err)
{
	struct fx_cur cur;
	struct fx_offer_view *o;
	MDB_val k, v;
	int r;

	if (fx_cur_open(txn, FX_K_OFFER, &cur, err) == -1)
		return -1;
	o = fx_malloc(sizeof(*o));	/* 8 KiB: not for the stack */
	for (r = fx_cur_first(&cur, &k, &v, err); r == 0;
	    r = fx_cur_next(&cur, &k, &v, err)) {
		if (fx_offer_view(v.mv_data, v.mv_size, NULL, o, err) == -1) {
			r = -1;
			break;
		}
		s->count[FX_K_PRICE] += o->nprices;
		s->count[FX_K_STOCK] += o->nstock;
	}
	fx_cur_close(&cur);
	free(o);
	return r == -1 ? -1 : 0;
}

int
fx_db_stat(struct fx_ctx *ctx, struct fx_stat *s, struct fx_err *err)
{
	struct fx_txn txn;
	int k;

	memset(s, 0, sizeof(*s));
	if (fx_db_begin(ctx->db, 0, &txn, err) == -1)
		return -1;
	for (k = 0; k < FX_K_NKINDS; k++)
		s->count[k] = fx_db_count(&txn, (enum fx_kind)k);
	if (count_offers(&txn, s, err) == -1) {
		fx_db_abort(&txn);
		return -1;
	}
	if (fx_meta_get(&txn, "catalog_asof", s->catalog_asof,
	    sizeof(s->catalog_asof), err) == -1 ||
	    fx_meta_get(&txn, "offers_asof", s->offers_asof,
	    sizeof(s->offers_asof), err) == -1 ||
	    fx_meta_get(&txn, "conditions_asof", s->conditions_asof,
	    sizeof(s->conditions_asof), err) == -1 ||
	    fx_meta_get(&txn, "deliveries_asof", s->deliveries_asof,
	    sizeof(s->deliveries_asof), err) == -1 ||
	    fx_meta_get(&txn, "ledger_asof", s->ledger_asof,
	    sizeof(s->ledger_asof), err) == -1) {
		fx_db_abort(&txn);
		return -1;
	}
	fx_db_abort(&txn);
	fx_db_info(ctx->db, &s->map_size, &s->map_used);
	return 0;
}

static const struct fx_rectype *
rectype(enum fx_kind k)
{
	switch (k) {
	case FX_K_GROUP:	return &fx_rt_group;
	case FX_K_PRODUCT:	return &fx_rt_product;
	case FX_K_PRICETYPE:	return &fx_rt_pricetype;
	case FX_K_WAREHOUSE:	return &fx_rt_warehouse;
	case FX_K_DELIVERY:	return &fx_rt_delivery;
	case FX_K_DEALER:	return &fx_rt_dealer;
	case FX_K_ENTITY:	return &fx_rt_entity;
	case FX_K_PROPERTY:	return &fx_rt_property;
	case FX_K_DLINE:	return &fx_rt_dline;
	case FX_K_APPLIED:	return &fx_rt_applied;
	case FX_K_OFFER:	return &fx_rt_offer;
	case FX_K_DISCOUNT:	return &fx_rt_amount;
	case FX_K_LEDGER:	return &fx_rt_ledger;
	case FX_K_AR_OVERRIDE:	return &fx_rt_ar_override;
	default:		return NULL;
	}
}

static void
raw(struct fx_buf *b, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == 0)
			fx_buf_addc(b, '|');
		else if (s[i] < 0x20 || s[i] == '\\')
			fx_buf_addf(b, "\\x%02x", s[i]);
		else
			fx_buf_addc(b, s[i]);
	}
}

int
fx_db_dump(struct fx_ctx *ctx, FILE *fp, struct fx_err *err)
{
	union {
		struct fx_group g; struct fx_product p; struct fx_entity e;
		struct fx_delivery d; struct fx_property pr;
		struct fx_applied a; struct fx_dline dl; struct fx_amount m;
		struct fx_pricetype pt; struct fx_warehouse w;
		struct fx_dealer de; struct fx_offer o;
		struct fx_ledger l; struct fx_ar_override ao;
	} u;
	struct fx_txn txn;
	struct fx_cur cur;
	struct fx_refs refs;
	struct fx_buf b = { 0 };
	MDB_val k, v;
	int kind, r, rc = -1;

	if (fx_db_begin(ctx->db, 0, &txn, err) == -1)
		return -1;
	if (fx_refs_load(&txn, 0, &refs, err) == -1) {
		fx_db_abort(&txn);
		return -1;
	}
	for (kind = 0; kind < FX_K_NKINDS; kind++) {
		const struct fx_rectype *rt = rectype((enum fx_kind)kind);

		/*
		 * The numbers of refs depend on the order 1C sent things
		 * in, not on what the store holds: offers show the Ид.
		 */
		if (fx_db_virtual((enum fx_kind)kind) || kind == FX_K_REF)
			continue;
		if (fx_cur_open(&txn, (enum fx_kind)kind, &cur, err) == -1)
			goto out;
		for (r = fx_cur_first(&cur, &k, &v, err); r == 0;
		    r = fx_cur_next(&cur, &k, &v, err)) {
			fx_buf_reset(&b);
			fx_buf_addf(&b, "%s ", fx_kind_name(kind));
			raw(&b, k.mv_data, k.mv_size);
			fx_buf_addc(&b, ' ');
			/* The generation counter moves with every import. */
			if (kind == FX_K_META && k.mv_size == 3 &&
			    memcmp(k.mv_data, "gen", 3) == 0)
				fx_buf_adds(&b, "-");
			else if (rt == NULL)
				raw(&b, v.mv_data, v.mv_size);
			else {
				if ((kind == FX_K_OFFER ? fx_offer_decode(
				    v.mv_data, v.mv_size, &refs, &u.o, err) :
				    fx_rec_decode(v.mv_data, v.mv_size, rt, &u,
				    err)) == -1) {
					r = -1;
					break;
				}
				fx_rec_text(&b, rt, &u);
				fx_rec_release(rt, &u);
			}
			fx_buf_addc(&b, '\n');
			if (fwrite(b.p, 1, b.len, fp) != b.len) {
				fx_err_sys(err, FX_EIO, "write");
				r = -1;
				break;
			}
		}
		fx_cur_close(&cur);
		if (r == -1)
			goto out;
	}
	rc = 0;
out:
	fx_refs_release(&refs);
	fx_db_abort(&txn);
	fx_buf_release(&b);
	return rc;
}
