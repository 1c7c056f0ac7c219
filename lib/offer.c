/*
 * offer.c -- offers records in the store, and the numbers they give price
 * types and warehouses.
 *
 * The refs DB maps a 4-byte big-endian number to an Ид.  Numbers are
 * dense from 0 and given in order by the import that first writes an
 * offer naming the Ид; they are never reused or changed, so a record
 * written once stays readable whatever happens to the price type or
 * warehouse later.  The table is small (the price types and warehouses
 * 1C ever sent) and read whole at the start of a transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

static void
refs_add(struct fx_refs *refs, const char *id, size_t len)
{
	if (refs->n == refs->cap) {
		refs->cap = refs->cap ? 2 * refs->cap : 16;
		refs->id = fx_realloc(refs->id, refs->cap * sizeof(*refs->id));
		refs->len = fx_realloc(refs->len,
		    refs->cap * sizeof(*refs->len));
	}
	refs->id[refs->n] = fx_strndup(id, len);
	refs->len[refs->n] = len;
	refs->n++;
}

static void
num_key(unsigned char k[4], uint32_t n)
{
	k[0] = (unsigned char)(n >> 24);
	k[1] = (unsigned char)(n >> 16);
	k[2] = (unsigned char)(n >> 8);
	k[3] = (unsigned char)n;
}

int
fx_refs_load(struct fx_txn *t, int wtxn, struct fx_refs *refs,
    struct fx_err *err)
{
	struct fx_cur cur;
	unsigned char want[4];
	MDB_val k, v;
	int r;

	memset(refs, 0, sizeof(*refs));
	refs->wtxn = wtxn ? t : NULL;
	if (fx_cur_open(t, FX_K_REF, &cur, err) == -1)
		return -1;
	for (r = fx_cur_first(&cur, &k, &v, err); r == 0;
	    r = fx_cur_next(&cur, &k, &v, err)) {
		/* Dense from 0 and in key order: anything else is damage. */
		num_key(want, (uint32_t)refs->n);
		if (k.mv_size != 4 || memcmp(k.mv_data, want, 4) != 0 ||
		    v.mv_size == 0 || memchr(v.mv_data, '\0',
		    v.mv_size) != NULL) {
			r = fx_err_set(err, FX_ESOFTWARE, "damaged refs table "
			    "in store at number %zu", refs->n);
			break;
		}
		refs_add(refs, v.mv_data, v.mv_size);
	}
	fx_cur_close(&cur);
	if (r == -1) {
		fx_refs_release(refs);
		return -1;
	}
	return 0;
}

int
fx_refs_num(struct fx_refs *refs, const char *id, uint32_t *num,
    struct fx_err *err)
{
	unsigned char key[4];
	void **slot;
	size_t i, len;

	if (!refs->mapped) {
		fx_map_reserve(&refs->num, refs->n);
		for (i = 0; i < refs->n; i++)
			*fx_map_put(&refs->num, refs->id[i]) =
			    (void *)(uintptr_t)(i + 1);
		refs->mapped = 1;
	}
	slot = fx_map_put(&refs->num, id);
	if (*slot != NULL) {
		*num = (uint32_t)((uintptr_t)*slot - 1);
		return 0;
	}
	len = strlen(id);
	if (refs->wtxn == NULL || len == 0 || refs->n >= UINT32_MAX)
		FX_BUG("no number for \"%s\" in a read transaction", id);
	num_key(key, (uint32_t)refs->n);
	if (fx_db_put(refs->wtxn, FX_K_REF, key, sizeof(key), id, len,
	    err) == -1)
		return -1;
	*slot = (void *)(uintptr_t)(refs->n + 1);
	*num = (uint32_t)refs->n;
	refs_add(refs, id, len);
	return 0;
}

void
fx_refs_release(struct fx_refs *refs)
{
	if (refs == NULL)
		return;
	fx_strv_free(refs->id, refs->n);
	free(refs->len);
	fx_map_release(&refs->num, NULL);
	memset(refs, 0, sizeof(*refs));
}

int
fx_offer_get(struct fx_txn *t, struct fx_refs *refs, const void *key,
    size_t klen, struct fx_offer *o, struct fx_err *err)
{
	const void *v = NULL;
	size_t vl = 0;
	int r;

	memset(o, 0, sizeof(*o));
	if ((r = fx_db_get(t, FX_K_OFFER, key, klen, &v, &vl, err)) != 0)
		return r;
	return fx_offer_decode(v, vl, refs, o, err);
}

int
fx_offer_put(struct fx_txn *t, struct fx_refs *refs, const void *key,
    size_t klen, const struct fx_offer *o, struct fx_buf *scratch,
    struct fx_err *err)
{
	if (fx_offer_encode(scratch, refs, o, err) == -1)
		return -1;
	return fx_db_put(t, FX_K_OFFER, key, klen, scratch->p, scratch->len,
	    err);
}
