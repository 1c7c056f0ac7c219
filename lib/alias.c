/*
 * alias.c -- dealers' own codes for catalog goods, and barcodes.
 *
 * A dealer orders by its own article numbers, or by ours of years ago;
 * a shop's system sends EAN barcodes.  An order row whose article is not
 * a catalog article is looked up as the dealer's code, then as a barcode
 * (fx_alias_match, called by the order check inside its read
 * transaction).  The store:
 *
 *	aliases		dealer \0 normalised code -> product Ид (sorted dups)
 *	idx_barcode	normalised barcode	-> product Ид (sorted dups,
 *						   kept by cml.c)
 *
 * A code may map to several goods (the dealer's sheet said so): the row
 * is then ambiguous and the candidates are listed, never one chosen.
 * Codes are stored normalised (fx_article_norm) and listed so: the
 * dealer's own spelling is not kept, since lookups never need it.
 *
 * Who: staff manage any dealer's codes, the dealer's superuser and
 * holders of "users" their own dealer's (FX_ACT_CODES: the codes change
 * every employee's orders, like the dealer's users do); every user of the
 * dealer may list them.  Each change is one write transaction with its
 * audit entry; an import is refused as a whole when any row is bad.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

#define BAD_MAX		13	/* bad rows reported, after Postfix */
#define NORM_MAX	512

int
fx_barcode_norm(const char *s, char *buf, size_t sz)
{
	const char *a;
	char *p, *q;

	/* EAN digits, the common case: no Unicode to fold (the import's
	 * speed).  Else the article's rules, then no spaces or dashes. */
	for (a = s; *a >= '0' && *a <= '9'; a++)
		;
	if (*a == '\0' && (size_t)(a - s) < sz) {
		memcpy(buf, s, (size_t)(a - s) + 1);
		return 0;
	}
	if (fx_article_norm(s, buf, sz) == -1)
		return -1;
	/* "4 607001 234567" and "4607001-234567" are one barcode. */
	for (p = q = buf; *p != '\0'; p++)
		if (*p != ' ' && *p != '-')
			*q++ = *p;
	*q = '\0';
	return 0;
}

void
fx_aliases_free(struct fx_alias *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].code);
		free(v[i].product);
		free(v[i].article);
		free(v[i].name);
	}
	free(v);
}

/* The product Ид of every duplicate of key in kind, NUL-separated. */
static int
dups(struct fx_txn *t, enum fx_kind kind, const void *key, size_t klen,
    struct fx_buf *ids, size_t *n, struct fx_err *err)
{
	struct fx_cur cur;
	MDB_val k, v;
	int r;

	if (fx_cur_open(t, kind, &cur, err) == -1)
		return -1;
	for (r = fx_cur_dup_first(&cur, key, klen, &k, &v, err); r == 0;
	    r = fx_cur_dup_next(&cur, &k, &v, err)) {
		if (memchr(v.mv_data, '\0', v.mv_size) != NULL)
			continue;
		fx_buf_add(ids, v.mv_data, v.mv_size);
		fx_buf_addc(ids, '\0');
		(*n)++;
	}
	fx_cur_close(&cur);
	return r == -1 ? -1 : 0;
}

int
fx_alias_match(struct fx_txn *t, const char *dealer, const char *text,
    struct fx_buf *ids, size_t *n, int *how, struct fx_err *err)
{
	struct fx_buf k = { NULL, 0, 0 };
	char norm[NORM_MAX];
	int r = 0;

	fx_buf_reset(ids);
	*n = 0;
	*how = FX_MATCH_ARTICLE;
	if (fx_article_norm(text, norm, sizeof(norm)) == -1 ||
	    norm[0] == '\0')
		return 0;
	if (dealer != NULL && dealer[0] != '\0') {
		fx_buf_key(&k, dealer, norm, (char *)NULL);
		r = dups(t, FX_K_ALIAS, k.p, k.len, ids, n, err);
		fx_buf_release(&k);
		if (r == -1)
			return -1;
		if (*n > 0) {
			*how = FX_MATCH_CODE;
			return 0;
		}
	}
	if (fx_barcode_norm(text, norm, sizeof(norm)) == -1 ||
	    norm[0] == '\0')
		return 0;
	if (dups(t, FX_K_IDX_BARCODE, norm, strlen(norm), ids, n, err) == -1)
		return -1;
	if (*n > 0)
		*how = FX_MATCH_BARCODE;
	return 0;
}

/*
 * The dealer whose codes are meant: want, or the actor's own.  edit:
 * FX_ACT_CODES; else any user of the dealer may read.  Staff must name
 * one.  dealer is filled with the Ид.
 */
static int
which_dealer(struct fx_ctx *ctx, struct fx_txn *t, const char *want, int edit,
    char *dealer, size_t sz, struct fx_err *err)
{
	struct fx_user me;
	char q[128], q2[128];
	int found, rc = -1;

	memset(&me, 0, sizeof(me));
	if (fx_acl_actor(ctx, t, &me, err) == -1)
		return -1;
	if (want == NULL) {
		if (ctx->actor.staff) {
			fx_err_set(err, FX_EUSAGE, "staff: name the dealer "
			    "whose codes are meant (--dealer)");
			goto out;
		}
		want = me.dealer;
	}
	if (fx_strlcpy(dealer, want, sz) == -1) {
		fx_err_set(err, FX_ENOTFOUND, "unknown dealer \"%s\"",
		    fx_quote(q, sizeof(q), want));
		goto out;
	}
	/* A dealer's user never learns whether another dealer exists. */
	if (!ctx->actor.staff && strcmp(dealer, me.dealer) != 0) {
		fx_err_set(err, FX_EPERM, "permission denied: user \"%s\" may "
		    "not %s the codes of dealer \"%s\"",
		    fx_quote(q, sizeof(q), me.login), edit ? "manage" : "see",
		    fx_quote(q2, sizeof(q2), dealer));
		goto out;
	}
	if ((found = fx_db_get(t, FX_K_DEALER, dealer, strlen(dealer), NULL,
	    NULL, err)) == -1)
		goto out;
	if (found == 1) {
		fx_err_set(err, FX_ENOTFOUND, "unknown dealer \"%s\"",
		    fx_quote(q, sizeof(q), dealer));
		goto out;
	}
	if (edit && fx_acl_check_txn(ctx, t, FX_ACT_CODES, NULL, dealer,
	    err) == -1)
		goto out;
	rc = 0;
out:
	fx_user_release(&me);
	return rc;
}

/* The dealer's codes (after pfx), NUL-separated; and its mappings. */
static int
dealer_codes(struct fx_txn *t, const struct fx_buf *pfx, struct fx_buf *codes,
    size_t *npairs, struct fx_err *err)
{
	struct fx_cur cur;
	MDB_val k, v;
	size_t last = (size_t)-1, len;
	int r;

	*npairs = 0;
	if (fx_cur_open(t, FX_K_ALIAS, &cur, err) == -1)
		return -1;
	for (r = fx_cur_seek(&cur, pfx->p, pfx->len, &k, &v, err); r == 0;
	    r = fx_cur_next(&cur, &k, &v, err)) {
		if (k.mv_size < pfx->len ||
		    memcmp(k.mv_data, pfx->p, pfx->len) != 0)
			break;
		(*npairs)++;
		len = k.mv_size - pfx->len;
		if (last != (size_t)-1 && strlen(codes->p + last) == len &&
		    memcmp(codes->p + last, (const char *)k.mv_data +
		    pfx->len, len) == 0)
			continue;
		last = codes->len;
		fx_buf_add(codes, (const char *)k.mv_data + pfx->len, len);
		fx_buf_addc(codes, '\0');
	}
	fx_cur_close(&cur);
	return r == -1 ? -1 : 0;
}

/* The product Ид of the article, or the product of that Ид. */
static int
resolve(struct fx_txn *t, const char *article, char *id, size_t idsz,
    char *why, size_t whysz, struct fx_err *err)
{
	struct fx_buf ids = { NULL, 0, 0 };
	struct fx_product p;
	char norm[NORM_MAX], q[96], *s;
	size_t n = 0, alive = 0, off;
	int found, rc = -1;

	why[0] = '\0';
	id[0] = '\0';
	if (fx_article_norm(article, norm, sizeof(norm)) == -1) {
		(void)snprintf(why, whysz, "the article is not valid UTF-8");
		return 0;
	}
	if (norm[0] != '\0' && dups(t, FX_K_IDX_ARTICLE, norm, strlen(norm),
	    &ids, &n, err) == -1)
		goto out;
	for (off = 0; off < ids.len; off += strlen(s) + 1) {
		s = ids.p + off;
		memset(&p, 0, sizeof(p));
		if ((found = fx_db_getrec(t, FX_K_PRODUCT, s, strlen(s),
		    &fx_rt_product_head, &p, err)) == -1)
			goto out;
		if (found == 0 && !p.deleted) {
			alive++;
			(void)fx_strlcpy(id, s, idsz);
		}
		if (found == 0)
			fx_rec_release(&fx_rt_product_head, &p);
	}
	if (alive > 1) {
		id[0] = '\0';
		(void)snprintf(why, whysz, "%zu products have article \"%s\": "
		    "give the product's Ид instead", alive,
		    fx_quote(q, sizeof(q), article));
	} else if (alive == 0 && n > 0)
		(void)snprintf(why, whysz, "article \"%s\" is of goods deleted "
		    "in 1C", fx_quote(q, sizeof(q), article));
	else if (alive == 0) {
		/* Not an article: perhaps the product's Ид. */
		memset(&p, 0, sizeof(p));
		if ((found = fx_db_getrec(t, FX_K_PRODUCT, article,
		    strlen(article), &fx_rt_product_head, &p, err)) == -1)
			goto out;
		if (found == 1)
			(void)snprintf(why, whysz, "unknown article \"%s\"",
			    fx_quote(q, sizeof(q), article));
		else {
			if (p.deleted)
				(void)snprintf(why, whysz, "product \"%s\" is "
				    "deleted in 1C", fx_quote(q, sizeof(q),
				    article));
			else
				(void)fx_strlcpy(id, p.id, idsz);
			fx_rec_release(&fx_rt_product_head, &p);
		}
	}
	rc = 0;
out:
	fx_buf_release(&ids);
	return rc;
}

/* Is code the catalog article of goods other than product?  Warn then. */
static int
code_check(struct fx_ctx *ctx, struct fx_txn *t, const char *file, long row,
    const char *code, const char *norm, const char *product, size_t *warns,
    struct fx_err *err)
{
	struct fx_buf ids = { NULL, 0, 0 };
	struct fx_err w;
	char q[96];
	size_t n = 0, off;
	int other = 0;

	if (dups(t, FX_K_IDX_ARTICLE, norm, strlen(norm), &ids, &n,
	    err) == -1) {
		fx_buf_release(&ids);
		return -1;
	}
	for (off = 0; off < ids.len; off += strlen(ids.p + off) + 1)
		if (strcmp(ids.p + off, product) != 0)
			other = 1;
	fx_buf_release(&ids);
	if (!other)
		return 0;
	fx_err_clear(&w);
	(void)fx_err_setloc(&w, FX_EDATA, file, row, 0, "code \"%s\" is a "
	    "catalog article of other goods: order rows with it match those, "
	    "not this code", fx_quote(q, sizeof(q), code));
	fx_warn(ctx, &w);
	(*warns)++;
	return 0;
}

/* Count the products a code maps to already. */
static int
count_code(struct fx_txn *t, const struct fx_buf *key, const char *except,
    size_t *n, struct fx_err *err)
{
	struct fx_buf ids = { NULL, 0, 0 };
	size_t off, m = 0;

	*n = 0;
	if (dups(t, FX_K_ALIAS, key->p, key->len, &ids, &m, err) == -1) {
		fx_buf_release(&ids);
		return -1;
	}
	for (off = 0; off < ids.len; off += strlen(ids.p + off) + 1)
		if (except == NULL || strcmp(ids.p + off, except) != 0)
			(*n)++;
	fx_buf_release(&ids);
	return 0;
}

int
fx_alias_list(struct fx_ctx *ctx, const char *want, struct fx_alias **out,
    size_t *nout, struct fx_err *err)
{
	struct fx_txn t;
	struct fx_cur cur;
	struct fx_buf pfx = { NULL, 0, 0 };
	struct fx_alias *v = NULL;
	struct fx_product p;
	char dealer[256];
	MDB_val k, val;
	size_t n = 0, cap = 0, i;
	int r, found, rc = -1;

	*out = NULL;
	*nout = 0;
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	if (which_dealer(ctx, &t, want, 0, dealer, sizeof(dealer), err) == -1)
		goto out;
	fx_buf_key(&pfx, dealer, "", (char *)NULL);
	if (fx_cur_open(&t, FX_K_ALIAS, &cur, err) == -1)
		goto out;
	for (r = fx_cur_seek(&cur, pfx.p, pfx.len, &k, &val, err); r == 0;
	    r = fx_cur_next(&cur, &k, &val, err)) {
		if (k.mv_size < pfx.len || memcmp(k.mv_data, pfx.p,
		    pfx.len) != 0)
			break;
		v = fx_grow(v, &cap, n + 1, sizeof(*v));
		memset(&v[n], 0, sizeof(v[n]));
		v[n].code = fx_strndup((const char *)k.mv_data + pfx.len,
		    k.mv_size - pfx.len);
		v[n].product = fx_strndup(val.mv_data, val.mv_size);
		n++;
	}
	fx_cur_close(&cur);
	if (r == -1)
		goto out;
	/* Then each code's goods, their article and name. */
	for (i = 0; i < n; i++) {
		memset(&p, 0, sizeof(p));
		if ((found = fx_db_getrec(&t, FX_K_PRODUCT, v[i].product,
		    strlen(v[i].product), &fx_rt_product_head, &p,
		    err)) == -1)
			goto out;
		if (found == 1) {
			v[i].article = fx_strdup("");
			v[i].name = fx_strdup("");
			v[i].deleted = 1;
			continue;
		}
		v[i].article = fx_strdup(p.article);
		v[i].name = fx_strdup(p.name);
		v[i].deleted = p.deleted;
		fx_rec_release(&fx_rt_product_head, &p);
	}
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
	rc = 0;
out:
	fx_db_abort(&t);
	fx_buf_release(&pfx);
	fx_aliases_free(v, n);
	return rc;
}

/* -- add, rm ----------------------------------------------------------- */

struct onearg {
	struct fx_ctx	*ctx;
	const char	*dealer;
	const char	*code;
	const char	*article;
};

static int
add_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct onearg *a = arg;
	struct fx_buf k = { NULL, 0, 0 };
	struct fx_err w;
	char dealer[256], norm[NORM_MAX], id[512], why[320], q[96];
	size_t others;
	int rc = -1;

	if (which_dealer(a->ctx, t, a->dealer, 1, dealer, sizeof(dealer),
	    err) == -1)
		return -1;
	if (fx_article_norm(a->code, norm, sizeof(norm)) == -1)
		return fx_err_set(err, FX_EUSAGE, "the code is not valid "
		    "UTF-8");
	if (norm[0] == '\0')
		return fx_err_set(err, FX_EUSAGE, "empty code");
	if (resolve(t, a->article, id, sizeof(id), why, sizeof(why),
	    err) == -1)
		return -1;
	if (id[0] == '\0')
		return fx_err_set(err, why[0] == 'u' ? FX_ENOTFOUND :
		    FX_ENEGATIVE, "%s", why);
	fx_buf_key(&k, dealer, norm, (char *)NULL);
	if (count_code(t, &k, id, &others, err) == -1)
		goto out;
	if (others > 0) {
		fx_err_clear(&w);
		(void)fx_err_set(&w, FX_EDATA, "code \"%s\" now maps to %zu "
		    "products: order rows with it are ambiguous until one is "
		    "removed", fx_quote(q, sizeof(q), a->code), others + 1);
		fx_warn(a->ctx, &w);
	}
	if (fx_db_putdup(t, FX_K_ALIAS, k.p, k.len, id, strlen(id),
	    err) == -1)
		goto out;
	fx_buf_reset(&k);
	fx_buf_addf(&k, "%s/%s", dealer, norm);
	if (fx_audit_add(a->ctx, t, "codes.add", fx_buf_str(&k), "product",
	    "", id, err) == -1)
		goto out;
	rc = 0;
out:
	fx_buf_release(&k);
	return rc;
}

int
fx_alias_add(struct fx_ctx *ctx, const char *dealer, const char *code,
    const char *article, struct fx_err *err)
{
	struct onearg a = { ctx, dealer, code, article };

	return fx_db_write(ctx->db, add_txn, &a, err) == -1 ? -1 : 0;
}

static int
rm_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct onearg *a = arg;
	struct fx_buf k = { NULL, 0, 0 }, ids = { NULL, 0, 0 };
	char dealer[256], norm[NORM_MAX], q[96];
	size_t n = 0, off;
	int rc = -1;

	if (which_dealer(a->ctx, t, a->dealer, 1, dealer, sizeof(dealer),
	    err) == -1)
		return -1;
	if (fx_article_norm(a->code, norm, sizeof(norm)) == -1 ||
	    norm[0] == '\0')
		return fx_err_set(err, FX_ENOTFOUND, "no code \"%s\"",
		    fx_quote(q, sizeof(q), a->code));
	fx_buf_key(&k, dealer, norm, (char *)NULL);
	if (dups(t, FX_K_ALIAS, k.p, k.len, &ids, &n, err) == -1)
		goto out;
	if (n == 0) {
		fx_err_set(err, FX_ENOTFOUND, "no code \"%s\"",
		    fx_quote(q, sizeof(q), a->code));
		goto out;
	}
	if (fx_db_del(t, FX_K_ALIAS, k.p, k.len, NULL, 0, err) == -1)
		goto out;
	/* The old value: the products it mapped to, comma-separated. */
	for (off = 0; off < ids.len; off += strlen(ids.p + off) + 1)
		if (off > 0)
			ids.p[off - 1] = ',';
	fx_buf_reset(&k);
	fx_buf_addf(&k, "%s/%s", dealer, norm);
	if (fx_audit_add(a->ctx, t, "codes.rm", fx_buf_str(&k), "product",
	    fx_buf_str(&ids), "", err) == -1)
		goto out;
	rc = 0;
out:
	fx_buf_release(&k);
	fx_buf_release(&ids);
	return rc;
}

int
fx_alias_rm(struct fx_ctx *ctx, const char *dealer, const char *code,
    struct fx_err *err)
{
	struct onearg a = { ctx, dealer, code, NULL };

	return fx_db_write(ctx->db, rm_txn, &a, err) == -1 ? -1 : 0;
}

/* -- import ------------------------------------------------------------ */

struct imparg {
	struct fx_ctx		*ctx;
	const char		*dealer;
	const char		*file;		/* the name in messages */
	const struct fx_sheet	*sh;
	int			 flags;
	struct fx_alias_stats	*st;
};

/* One mapping of the file: its normalised code and product. */
struct pair {
	char		*norm;
	char		*id;
	long		 row;
};

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c;

	if ((c = strcmp(x->norm, y->norm)) != 0)
		return c;
	if ((c = strcmp(x->id, y->id)) != 0)
		return c;
	return x->row < y->row ? -1 : x->row > y->row;
}

static void
bad(struct imparg *a, struct fx_err *first, size_t *nbad, long row,
    const char *fmt, const char *s)
{
	struct fx_err w;
	char q[96];

	fx_err_clear(&w);
	if (s != NULL)
		(void)fx_err_setloc(&w, FX_EDATA, a->file, row, 0, fmt,
		    fx_quote(q, sizeof(q), s));
	else
		(void)fx_err_setloc(&w, FX_EDATA, a->file, row, 0, "%s", fmt);
	if (*nbad == 0)
		*first = w;
	else if (*nbad < BAD_MAX)
		fx_warn(a->ctx, &w);
	(*nbad)++;
}

static int
import_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct imparg *a = arg;
	struct fx_alias_stats *st = a->st;
	struct fx_buf pfx = { NULL, 0, 0 }, keys = { NULL, 0, 0 };
	struct fx_buf k = { NULL, 0, 0 };
	struct fx_err first, w;
	struct pair *pv = NULL;
	char dealer[256], norm[NORM_MAX], id[512], why[320], q[96], o[32],
	    nw[32];
	size_t i, j, np = 0, nbad = 0, off;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if (which_dealer(a->ctx, t, a->dealer, 1, dealer, sizeof(dealer),
	    err) == -1)
		return -1;
	(void)fx_strlcpy(st->dealer, dealer, sizeof(st->dealer));
	st->rows = a->sh->nrows;
	fx_err_clear(&first);
	pv = fx_calloc(a->sh->nrows ? a->sh->nrows : 1, sizeof(*pv));
	for (i = 0; i < a->sh->nrows; i++) {
		const struct fx_sheet_row *r = &a->sh->rows[i];
		const char *code = r->article, *art = r->qty;

		if (fx_article_norm(code, norm, sizeof(norm)) == -1) {
			bad(a, &first, &nbad, r->row, "the code is not valid "
			    "UTF-8", NULL);
			continue;
		}
		if (norm[0] == '\0') {
			bad(a, &first, &nbad, r->row, "empty code for article "
			    "\"%s\"", art);
			continue;
		}
		if (art[0] == '\0') {
			bad(a, &first, &nbad, r->row, "no article for code "
			    "\"%s\"", code);
			continue;
		}
		if (resolve(t, art, id, sizeof(id), why, sizeof(why),
		    err) == -1)
			goto out;
		if (id[0] == '\0') {
			bad(a, &first, &nbad, r->row, why, NULL);
			continue;
		}
		if (code_check(a->ctx, t, a->file, r->row, code, norm, id,
		    &st->warnings, err) == -1)
			goto out;
		pv[np].norm = fx_strdup(norm);
		pv[np].id = fx_strdup(id);
		pv[np].row = r->row;
		np++;
	}
	if (nbad > 0) {
		*err = first;
		if (nbad > 1)
			(void)snprintf(err->msg + strlen(err->msg),
			    sizeof(err->msg) - strlen(err->msg), " (and %zu "
			    "more bad rows%s): nothing imported", nbad - 1,
			    nbad > BAD_MAX ? ", not all shown" : "");
		else
			(void)snprintf(err->msg + strlen(err->msg),
			    sizeof(err->msg) - strlen(err->msg),
			    ": nothing imported");
		goto out;
	}
	qsort(pv, np, sizeof(*pv), pair_cmp);
	/* One code for several goods: ambiguous, said once per code. */
	for (i = 0; i < np; i = j) {
		size_t ngoods = 1;

		st->codes++;
		for (j = i + 1; j < np && strcmp(pv[j].norm, pv[i].norm) == 0;
		    j++)
			if (strcmp(pv[j].id, pv[j - 1].id) != 0)
				ngoods++;
		if (ngoods > 1) {
			fx_err_clear(&w);
			(void)fx_err_setloc(&w, FX_EDATA, a->file, pv[i].row,
			    0, "code \"%s\" maps to %zu products: order rows "
			    "with it will be ambiguous", fx_quote(q, sizeof(q),
			    pv[i].norm), ngoods);
			fx_warn(a->ctx, &w);
			st->warnings++;
		}
	}

	fx_buf_key(&pfx, dealer, "", (char *)NULL);
	if (dealer_codes(t, &pfx, &keys, &st->before, err) == -1)
		goto out;
	if (a->flags & FX_ALIAS_DRYRUN) {
		st->after = st->before;
		rc = 1;
		goto out;
	}
	/* Replace: every code goes first; else the file's codes only. */
	if (a->flags & FX_ALIAS_REPLACE)
		for (off = 0; off < keys.len; off += strlen(keys.p + off) + 1) {
			fx_buf_reset(&k);
			fx_buf_key(&k, dealer, keys.p + off, (char *)NULL);
			if (fx_db_del(t, FX_K_ALIAS, k.p, k.len, NULL, 0,
			    err) == -1)
				goto out;
		}
	for (i = 0; i < np; i++) {
		fx_buf_reset(&k);
		fx_buf_key(&k, dealer, pv[i].norm, (char *)NULL);
		if ((i == 0 || strcmp(pv[i].norm, pv[i - 1].norm) != 0) &&
		    fx_db_del(t, FX_K_ALIAS, k.p, k.len, NULL, 0, err) == -1)
			goto out;
		if (fx_db_putdup(t, FX_K_ALIAS, k.p, k.len, pv[i].id,
		    strlen(pv[i].id), err) == -1)
			goto out;
	}
	fx_buf_reset(&keys);
	if (dealer_codes(t, &pfx, &keys, &st->after, err) == -1)
		goto out;
	(void)snprintf(o, sizeof(o), "%zu", st->before);
	(void)snprintf(nw, sizeof(nw), "%zu", st->after);
	fx_buf_reset(&k);
	fx_buf_addf(&k, "%s%s", (a->flags & FX_ALIAS_REPLACE) ?
	    "replaced from " : "from ", a->file);
	if (fx_audit_add(a->ctx, t, "codes.import", dealer, "codes", o, nw,
	    err) == -1 ||
	    fx_audit_add(a->ctx, t, "codes.import", dealer, "file", "",
	    fx_buf_str(&k), err) == -1)
		goto out;
	rc = 0;
out:
	for (i = 0; i < np; i++) {
		free(pv[i].norm);
		free(pv[i].id);
	}
	free(pv);
	fx_buf_release(&pfx);
	fx_buf_release(&keys);
	fx_buf_release(&k);
	return rc;
}

int
fx_alias_import(struct fx_ctx *ctx, const char *dealer, const char *path,
    const char *name, int flags, struct fx_alias_stats *st,
    struct fx_err *err)
{
	struct fx_sheet_opts so;
	struct fx_sheet sh;
	struct imparg a;
	int r;

	memset(st, 0, sizeof(*st));
	memset(&so, 0, sizeof(so));
	so.name = name;
	so.max_rows = (size_t)ctx->conf.max_order_rows;
	so.max_size = ctx->conf.max_order_size;
	so.codes = 1;
	/* The file before the write transaction: keep that short. */
	if (fx_sheet_read(path, &so, &sh, err) == -1) {
		fx_sheet_release(&sh);
		return -1;
	}
	a.ctx = ctx;
	a.dealer = dealer;
	a.file = name != NULL ? name : path;
	a.sh = &sh;
	a.flags = flags;
	a.st = st;
	r = fx_db_write(ctx->db, import_txn, &a, err);
	fx_sheet_release(&sh);
	return r == -1 ? -1 : 0;
}
