/*
 * fx-int.h -- libformix internals shared between its modules.
 *
 * Nothing here is used by cmd/ or the daemon: they see formix.h only.
 *
 * The store (db.c) is one LMDB environment with one named DB per record
 * kind.  Keys are raw bytes; composite keys join their parts with a NUL
 * byte so that a prefix scan finds every record of one owner:
 *
 *	meta		name			-> raw value
 *	groups		group Ид		-> rec fx_group
 *	products	product Ид		-> rec fx_product
 *	price_types	price type Ид		-> rec fx_pricetype
 *	warehouses	warehouse Ид		-> rec fx_warehouse
 *	offers		product Ид		-> rec fx_offer: prices per
 *						   price type (kopecks), stock
 *						   per warehouse and total
 *						   (thousandths); format 2
 *						   names them by number:
 *	refs		4-byte big-endian number -> price type or warehouse Ид
 *	deliveries	delivery Ид		-> rec fx_delivery
 *	dlines		product \0 date \0 delivery -> rec fx_dline
 *	dealers		dealer Ид		-> rec fx_dealer
 *	entities	entity Ид		-> rec fx_entity
 *	discounts	entity \0 group		-> rec fx_amount (hundredths %)
 *	properties	property Ид		-> rec fx_property
 *	idx_article	normalised article	-> product Ид (sorted dups)
 *	idx_inn		INN			-> entity Ид (sorted dups)
 *	applied		SHA-256 hex of a file	-> rec fx_applied
 *	users		login			-> rec fx_user
 *	idx_email	folded e-mail		-> login (unique)
 *	idx_unix	Unix login		-> login (unique)
 *	requests	request id "R000001"	-> rec fx_request
 *	audit		sequence, 20 digits	-> rec fx_audit
 *	ledger		entity \0 document id	-> rec fx_ledger
 *	ar_overrides	entity Ид		-> rec fx_ar_override
 *	meta "request_seq", "audit_seq"	the last numbers given out
 *	meta "ledger_asof"	generated of the last ledger file; absent
 *				until one was imported (then receivables
 *				come from the conditions' debt and overdue)
 *
 * A product's prices and stock live in one record, not one per price or
 * warehouse: an offers file then costs one write per offer instead of
 * seven, and a lookup one read instead of three seeks.  db stat still
 * counts "prices" and "stock" (by reading the offers).
 *
 * Every record ("rec") starts with a format version byte; rec.c encodes
 * and decodes structs from field tables, so a newer field appended at the
 * end reads as its zero value from an older record, and a record newer
 * than this binary is refused instead of misread.
 */
#ifndef FX_INT_H
#define FX_INT_H

#include <lmdb.h>

#include "formix.h"

#define FX_STORE_FORMAT	1	/* meta "format": the store layout version */

#ifndef FX_ROOTDIR
#define FX_ROOTDIR	"/var/lib/formix"
#endif

#define FX_BUG(...)	fx_bug(__FILE__, __LINE__, __VA_ARGS__)
void	 fx_bug(const char *, int, const char *, ...)
	    __attribute__((noreturn, format(printf, 3, 4)));

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Memory: these abort on exhaustion (FX_BUG), as git's xmalloc. */
void	*fx_malloc(size_t);
void	*fx_calloc(size_t, size_t);
void	*fx_realloc(void *, size_t);
char	*fx_strdup(const char *);
char	*fx_strndup(const char *, size_t);
/* Grow *v (element size sz) so that it holds at least n elements. */
void	*fx_grow(void *v, size_t *cap, size_t n, size_t sz);
/* strlcpy semantics; returns -1 if truncated. */
int	 fx_strlcpy(char *, const char *, size_t);
/* snprintf that returns -1 on truncation or error. */
int	 fx_snprintf(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Join dir and name into a new string. */
char	*fx_path_join(const char *, const char *);

/* A growable byte buffer. */
struct fx_buf {
	char		*p;
	size_t		 len, cap;
};
void	 fx_buf_reserve(struct fx_buf *, size_t);
void	 fx_buf_add(struct fx_buf *, const void *, size_t);
void	 fx_buf_addc(struct fx_buf *, int);
void	 fx_buf_adds(struct fx_buf *, const char *);
void	 fx_buf_addf(struct fx_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Append parts joined by NUL (for composite keys); NULL ends the list. */
void	 fx_buf_key(struct fx_buf *, ...);
void	 fx_buf_reset(struct fx_buf *);
void	 fx_buf_release(struct fx_buf *);
const char *fx_buf_str(struct fx_buf *);	/* NUL-terminated view */

/*
 * A string-keyed hash map; keys are copied (unless borrowed: then they are
 * the caller's and must outlive the map), values are the caller's.
 */
struct fx_map_ent {
	char		*key;
	void		*val;
};
struct fx_map {
	struct fx_map_ent *v;
	size_t		 n, cap;
	int		 borrowed;	/* set before the first put */
};
/* The value slot of key, or NULL if absent. */
void	**fx_map_get(struct fx_map *, const char *);
/* The value slot of key, created (NULL) if absent. */
void	**fx_map_put(struct fx_map *, const char *);
/* Make room for n keys at once (no rehash while they are put). */
void	 fx_map_reserve(struct fx_map *, size_t);
void	 fx_map_release(struct fx_map *, void (*)(void *));

/*
 * Whether s holds valid UTF-8 (no overlong forms, surrogates or code
 * points past U+10FFFF); if not, *bad (unless NULL) gets the offset of
 * the first bad sequence.
 */
int	 fx_utf8_valid(const char *, size_t, size_t *bad);

/* String vectors (util.c): compare for qsort/bsearch, sort, free all. */
int	 fx_strv_cmp(const void *, const void *);
void	 fx_strv_sort(char **, size_t);
void	 fx_strv_free(char **, size_t);

/* Records (rec.c). */

enum fx_ftype {
	FX_FT_END = 0,
	FX_FT_STR,		/* char *, never NULL after decode */
	FX_FT_I64,		/* int64_t */
	FX_FT_I32,		/* int32_t */
	FX_FT_U32,		/* uint32_t */
	FX_FT_BOOL,		/* int */
	FX_FT_PROPS,		/* struct fx_prop *, with a size_t count after */
	FX_FT_STRV,		/* char **, with a size_t count after */
	FX_FT_QV,		/* struct fx_qv *, with a size_t count after */
};

struct fx_field {
	enum fx_ftype	 type;
	size_t		 off;		/* offsetof the member */
	size_t		 noff;		/* PROPS/STRV: offsetof the count */
};

struct fx_rectype {
	const char		*name;
	uint8_t			 version;	/* written; newer is refused */
	const struct fx_field	*fields;
};

/* Small records. */
struct fx_amount {
	int64_t		 v;
};

/* An id with an amount: a price of a price type, stock at a warehouse. */
struct fx_qv {
	char		*id;
	int64_t		 v;
};

struct fx_offer {
	struct fx_qv	*prices;	/* price type Ид -> kopecks */
	size_t		 nprices;
	struct fx_qv	*stock;		/* warehouse Ид -> thousandths */
	size_t		 nstock;
	int64_t		 total;		/* Количество, thousandths */
	int		 has_total;
	uint32_t	 prices_gen;	/* import generation that set them */
	uint32_t	 stock_gen;
};

struct fx_delivery {
	char		*id;
	char		*date;		/* YYYY-MM-DD */
	char		*warehouse;	/* Ид or "" */
	char		*comment;
	char		**products;	/* lines, to find dlines on replace */
	size_t		 nproducts;
};

struct fx_dline {
	int64_t		 qty;		/* thousandths */
	char		*warehouse;
};

struct fx_property {
	char		*id;
	char		*name;
	char		**values;	/* pairs: value Ид, value text */
	size_t		 nvalues;
};

/* A receivables document (ledger.c writes, ar.c reads). */
enum fx_lkind {
	FX_LK_SHIPMENT = 0,	/* debit: goods shipped (Реализация) */
	FX_LK_DEBIT_ADJ,	/* debit: an adjustment that adds to the debt */
	FX_LK_PAYMENT,		/* credit */
	FX_LK_RETURN,		/* credit: goods returned */
	FX_LK_CREDIT_ADJ,	/* credit: an adjustment that lowers the debt */
};
#define FX_LK_CREDIT(k)	((k) >= FX_LK_PAYMENT)
/* "shipment", "adjustment", "payment", "return", "adjustment". */
const char *fx_lkind_name(int);

struct fx_ledger {
	int32_t		 kind;		/* enum fx_lkind */
	char		*date;		/* YYYY-MM-DD */
	char		*due;		/* debits: YYYY-MM-DD; credits "" */
	int64_t		 amount;	/* kopecks, > 0 */
	char		*order;		/* order reference, or "" */
	char		*doc;		/* document label, or "" */
	struct fx_qv	*alloc;		/* credits: debit id -> kopecks, as */
	size_t		 nalloc;	/*   1C allocated them */
	uint32_t	 gen;		/* import generation that wrote it */
};

struct fx_applied {
	char		*name;		/* file name as given */
	char		*kind;		/* "catalog", "offers", "conditions"... */
	char		*at;		/* ISO 8601 UTC */
	char		*summary;
};

/*
 * The numbers of price types and warehouses in offers records (offer.c).
 * Format 1 of an offers record named each by its Ид: six 36-byte GUIDs
 * made most of a 250-byte record, and 35,000 of them most of the pages a
 * 6,000-line order check touches.  Format 2 gives each Ид a number the
 * first time an import writes it, kept in refs and never reused; the
 * record shrinks to some 40 bytes.  Both formats are read; the import
 * writes format 2.
 */
struct fx_refs {
	char		**id;		/* by number */
	size_t		 *len;
	size_t		 n, cap;
	struct fx_map	 num;		/* Ид -> number + 1, built when asked */
	int		 mapped;
	struct fx_txn	*wtxn;		/* where new numbers go; NULL: none */
};
/* Read the table in t; wtxn: t is a write transaction, numbers may be given. */
int	 fx_refs_load(struct fx_txn *t, int wtxn, struct fx_refs *,
	    struct fx_err *);
/* The number of id, given now (written to wtxn) if it has none yet. */
int	 fx_refs_num(struct fx_refs *, const char *id, uint32_t *,
	    struct fx_err *);
void	 fx_refs_release(struct fx_refs *);

/*
 * Offers records (rec.c), in either format.  encode writes format 2,
 * numbering the ids it meets; decode gives a copy (fx_rec_release with
 * fx_rt_offer frees it); refs is the transaction's table.
 */
int	 fx_offer_encode(struct fx_buf *, struct fx_refs *,
	    const struct fx_offer *, struct fx_err *);
int	 fx_offer_decode(const void *, size_t, const struct fx_refs *,
	    struct fx_offer *, struct fx_err *);
/* The record of a product (0, 1 if none) and its write, as fx_db_getrec. */
int	 fx_offer_get(struct fx_txn *, struct fx_refs *, const void *, size_t,
	    struct fx_offer *, struct fx_err *);
int	 fx_offer_put(struct fx_txn *, struct fx_refs *, const void *, size_t,
	    const struct fx_offer *, struct fx_buf *, struct fx_err *);

/*
 * An offers record read in place, without allocating: the ids point into
 * the store or into refs (not NUL-terminated) and are valid until the
 * transaction ends.  For the hot path of lookups.  With refs NULL the ids
 * of a format 2 record are left NULL: enough for totals and counts.
 */
#define FX_VIEW_PRICES	64
#define FX_VIEW_STOCK	256
struct fx_qv_view {
	const char	*id;
	size_t		 len;
	int64_t		 v;
};
struct fx_offer_view {
	struct fx_qv_view prices[FX_VIEW_PRICES];
	size_t		 nprices;
	struct fx_qv_view stock[FX_VIEW_STOCK];
	size_t		 nstock;
	int64_t		 total;
	int		 has_total;
	uint32_t	 prices_gen, stock_gen;
};
int	 fx_offer_view(const void *, size_t, const struct fx_refs *,
	    struct fx_offer_view *, struct fx_err *);

extern const struct fx_rectype fx_rt_group, fx_rt_product, fx_rt_pricetype,
	fx_rt_warehouse, fx_rt_dealer, fx_rt_entity, fx_rt_amount,
	fx_rt_delivery, fx_rt_dline, fx_rt_property, fx_rt_applied,
	fx_rt_offer, fx_rt_user, fx_rt_request, fx_rt_audit,
	fx_rt_product_head,	/* a product without its properties */
	fx_rt_ledger, fx_rt_ar_override;

/* Encode s into b (b is reset first). */
void	 fx_rec_encode(struct fx_buf *, const struct fx_rectype *, const void *);
/* Decode into s (zeroed first); strings are new.  -1 on a bad record. */
int	 fx_rec_decode(const void *, size_t, const struct fx_rectype *, void *,
	    struct fx_err *);
/*
 * Decode into a single allocation returned in *block: free(*block)
 * releases everything (never fx_rec_release on such a struct).
 */
int	 fx_rec_decode_packed(const void *, size_t, const struct fx_rectype *,
	    void *, void **block, struct fx_err *);
/* Release n records of size sz at v, then free(v); NULL does nothing. */
void	 fx_rec_vfree(const struct fx_rectype *, void *, size_t n, size_t sz);
/* Free what decode allocated and zero s. */
void	 fx_rec_release(const struct fx_rectype *, void *);
/*
 * The string field number field (0-based, in table order) of a record,
 * in place: *p points into data (not NUL-terminated).  Only scalar
 * fields may come before it.  0, or -1 if the record has no such field.
 */
int	 fx_rec_str_at(const void *, size_t, const struct fx_rectype *,
	    size_t field, const char **p, size_t *n);
/*
 * The integer field number field of a record, vectors before it skipped
 * in place: 0 (with *v 0 if the record predates the field), -1 if damaged.
 */
int	 fx_rec_i64_at(const void *, size_t, const struct fx_rectype *,
	    size_t field, int64_t *v);
/* Write a record as "field=value ..." text (for dumps). */
void	 fx_rec_text(struct fx_buf *, const struct fx_rectype *, const void *);

/* The store (db.c). */

struct fx_db;

struct fx_txn {
	MDB_txn		*t;
	struct fx_db	*db;
	int		 write;
};

struct fx_cur {
	MDB_cursor	*c;
	enum fx_kind	 kind;
	struct fx_db	*db;
};

enum fx_db_flags {
	FX_DB_RDONLY	= 1 << 0,
	FX_DB_CREATE	= 1 << 1,
};

int	 fx_db_open(struct fx_db **, const char *path, uint64_t map_size,
	    uint64_t map_max, int flags, struct fx_err *);
void	 fx_db_close(struct fx_db *);
int	 fx_db_begin(struct fx_db *, int write, struct fx_txn *,
	    struct fx_err *);
/* Any failure means "not committed". */
int	 fx_db_commit(struct fx_txn *, struct fx_err *);
void	 fx_db_abort(struct fx_txn *);
/*
 * Lazy commits (MDB_NOMETASYNC): each commit still writes and syncs its
 * pages, but not the page that makes it current, so a system crash may
 * undo the last commit (never leave half of one); a process crash loses
 * nothing.  The caller runs fx_db_sync before anything that depends on
 * the commits is made durable.  formixd's dealer files only.
 */
int	 fx_db_lazy(struct fx_db *, int on, struct fx_err *);
int	 fx_db_sync(struct fx_db *, struct fx_err *);
/*
 * Run fn in one write transaction and commit.  fn returns 0 (commit), -1
 * (abort, err set) or 1 (abort: nothing to do; returned as 1).  When the
 * map fills, the
 * transaction is aborted, the map grown (doubled, up to map_max) and fn
 * run again from the start: fn must be restartable (re-read its input).
 */
int	 fx_db_write(struct fx_db *, int (*fn)(struct fx_txn *, void *,
	    struct fx_err *), void *, struct fx_err *);

/*
 * Values returned by get and the cursor calls point into the map: valid
 * until the transaction ends or the next write, never kept longer.
 * get returns 0 (found), 1 (not found) or -1.
 */
int	 fx_db_get(struct fx_txn *, enum fx_kind, const void *, size_t,
	    const void **, size_t *, struct fx_err *);
int	 fx_db_put(struct fx_txn *, enum fx_kind, const void *, size_t,
	    const void *, size_t, struct fx_err *);
/* Put a duplicate (index kinds); an existing equal pair is not an error. */
int	 fx_db_putdup(struct fx_txn *, enum fx_kind, const void *, size_t,
	    const void *, size_t, struct fx_err *);
/* Delete key (val NULL: every duplicate).  Deleting nothing is not an error. */
int	 fx_db_del(struct fx_txn *, enum fx_kind, const void *, size_t,
	    const void *, size_t, struct fx_err *);
/* Remove every record of a kind. */
int	 fx_db_clear(struct fx_txn *, enum fx_kind, struct fx_err *);
uint64_t fx_db_count(struct fx_txn *, enum fx_kind);
/* A kind db stat counts that has no DB of its own (prices, stock). */
int	 fx_db_virtual(enum fx_kind);
/* The map's size and the bytes of it in use. */
void	 fx_db_info(struct fx_db *, uint64_t *, uint64_t *);

/* Typed helpers over fx_rec_*. */
int	 fx_db_getrec(struct fx_txn *, enum fx_kind, const void *, size_t,
	    const struct fx_rectype *, void *, struct fx_err *);
int	 fx_db_putrec(struct fx_txn *, enum fx_kind, const void *, size_t,
	    const struct fx_rectype *, const void *, struct fx_buf *,
	    struct fx_err *);

/*
 * Cursors.  seek positions at the first key >= key (or, with prefix set,
 * fails with 1 when no key starts with it).  Each call returns 0 with
 * the key and value filled, 1 at the end, -1 on error.
 */
int	 fx_cur_open(struct fx_txn *, enum fx_kind, struct fx_cur *,
	    struct fx_err *);
void	 fx_cur_close(struct fx_cur *);
int	 fx_cur_first(struct fx_cur *, MDB_val *, MDB_val *, struct fx_err *);
int	 fx_cur_next(struct fx_cur *, MDB_val *, MDB_val *, struct fx_err *);
int	 fx_cur_seek(struct fx_cur *, const void *, size_t, MDB_val *,
	    MDB_val *, struct fx_err *);
/*
 * Put through a cursor; with current, replace the value at the cursor's
 * position (found by a seek of the same key): no second tree descent.
 */
int	 fx_cur_put(struct fx_cur *, const void *, size_t, const void *,
	    size_t, int current, struct fx_err *);
/*
 * Insert key unless it exists: 0 inserted; 1 it exists, with its value in
 * *old and the cursor on it (for fx_cur_put current); -1 error.
 */
int	 fx_cur_put_new(struct fx_cur *, const void *, size_t, const void *,
	    size_t, const void **old, size_t *oldlen, struct fx_err *);
/* Duplicates of one key (index kinds). */
int	 fx_cur_dup_first(struct fx_cur *, const void *, size_t, MDB_val *,
	    MDB_val *, struct fx_err *);
int	 fx_cur_dup_next(struct fx_cur *, MDB_val *, MDB_val *,
	    struct fx_err *);

/*
 * Every record of owner in kind (keys "owner \0 ..."), decoded in key
 * order into a new vector of n structs of size sz: an order's lines or
 * events, a claim's lines.  *v is NULL when there are none.
 */
int	 fx_db_read_owned(struct fx_txn *, enum fx_kind, const char *owner,
	    const struct fx_rectype *, size_t sz, void **v, size_t *n,
	    struct fx_err *);

/* Meta values (strings). */
int	 fx_meta_get(struct fx_txn *, const char *, char *, size_t,
	    struct fx_err *);
int	 fx_meta_put(struct fx_txn *, const char *, const char *,
	    struct fx_err *);

/* The handle (ctx.c). */
struct fx_ctx {
	struct fx_conf	 conf;
	struct fx_actor	 actor;		/* fx_auth */
	char		 today[11];	/* YYYY-MM-DD: $FORMIX_TODAY or the clock */
	struct fx_db	*db;
	fx_warn_fn	*warn;
	void		*warn_arg;
};

/* Who is acting, for the audit log: the login, or "staff:UNIXLOGIN". */
const char *fx_actor_name(const struct fx_ctx *, char *, size_t);

/*
 * Append an audit entry in txn (the same transaction as the change it
 * records).  NULL strings are stored as "".
 */
int	 fx_audit_add(struct fx_ctx *, struct fx_txn *, const char *action,
	    const char *object, const char *field, const char *old_value,
	    const char *new_value, struct fx_err *);

/*
 * May the actor see this entity (staff: all; superuser: the dealer's;
 * employee: attached ones and, for an attached head, its subsidiaries)?
 * *visible is set; -1 only on store errors.
 */
int	 fx_acl_visible(struct fx_ctx *, struct fx_txn *, const char *entity,
	    int *visible, struct fx_err *);
/* fx_acl_check inside an open transaction. */
int	 fx_acl_check_txn(struct fx_ctx *, struct fx_txn *, enum fx_action,
	    const char *entity, const char *dealer, struct fx_err *);
/*
 * The acting user's record, read afresh in txn (auth.c): *me is zeroed
 * for staff.  Refused (FX_EPERM) if the actor is not resolved, blocked or
 * gone.  *me is returned new: fx_user_release it.
 */
int	 fx_acl_actor(struct fx_ctx *, struct fx_txn *, struct fx_user *me,
	    struct fx_err *);
/* Does the actor (me from fx_acl_actor) see e?  Reads nothing. */
int	 fx_acl_sees(const struct fx_ctx *, const struct fx_user *me,
	    const struct fx_entity *);
/*
 * A legal entity the actor sees, by Ид, INN or INN/KPP (entity.c): *e
 * returned new; FX_ENOTFOUND if there is none, FX_EDATA if an INN names
 * several that the actor sees.
 */
int	 fx_entity_find(struct fx_ctx *, struct fx_txn *,
	    const struct fx_user *me, const char *ref, struct fx_entity *e,
	    struct fx_err *);

/*
 * The durable file protocol (spool.c): write data as DIR/NAME under the
 * spool (DIR relative to spool.path, e.g. "1c/out"): a unique file in
 * spool/tmp (O_CREAT|O_EXCL|O_NOFOLLOW, 0640), write, fsync, close,
 * rename into DIR, fsync both directories.  An existing DIR/NAME is
 * replaced (the rename is atomic): names are made unique by the caller.
 */
int	 fx_spool_write(struct fx_ctx *, const char *dir, const char *name,
	    const void *data, size_t len, struct fx_err *);

/*
 * Check an e-mail address (one '@', a dotted domain, no spaces or list
 * punctuation) and fold it into out (user.c): 0, or -1 if it is bad.
 */
int	 fx_email_norm(const char *in, char *out, size_t sz);

/*
 * Write data as path, a file the user named (a result, a report, a copy):
 * a hidden temporary beside it (mkstemp, 0640), fsync, rename over path,
 * fsync the directory.  A reader sees the old file or the new, whole.
 */
int	 fx_file_write(const char *path, const void *data, size_t len,
	    struct fx_err *);

/*
 * A one-sheet table workbook built in memory (xlsxw.c): widths and the
 * frozen header first, then rows of cells left to right, then the bytes
 * (fx_xw_finish) or a file (fx_xw_write, by fx_file_write).  Strings are
 * never formulas.
 */
#define FX_XW_MAXCOLS	64
enum fx_xw_style {			/* the s= of a cell */
	FX_XW_PLAIN = 0,
	FX_XW_BOLD,
	FX_XW_MONEY,			/* # ##0.00 */
	FX_XW_QTY,			/* 0.### */
	FX_XW_TITLE,			/* bold, 14 pt */
	FX_XW_HEAD,			/* a table's header: bold, filled */
	FX_XW_GROUP,			/* a group's row: bold, grey */
	FX_XW_PCT,			/* 0.00 */
	FX_XW_INT,			/* 0 */
};
struct fx_xw;
struct fx_xw *fx_xw_new(const char *sheet);
void	 fx_xw_free(struct fx_xw *);
/* Column col (0-based) this many characters wide. */
void	 fx_xw_width(struct fx_xw *, unsigned col, double width);
/*
 * Keep the first rows in view; filter: an autofilter over the table from
 * the last of them (its header) down.
 */
void	 fx_xw_freeze(struct fx_xw *, unsigned rows, int filter);
/* Start the next row; the cells below fill it from column A. */
void	 fx_xw_row(struct fx_xw *);
/* This row's height in points, before its first cell. */
void	 fx_xw_height(struct fx_xw *, double);
/* Leave the cells before column col (0-based) of this row empty. */
void	 fx_xw_col(struct fx_xw *, unsigned col);
void	 fx_xw_str(struct fx_xw *, enum fx_xw_style, const char *);
/* v in units of 1/10^scale (kopecks: 2), written exactly. */
void	 fx_xw_scaled(struct fx_xw *, enum fx_xw_style, int64_t v, int scale);
/* An empty cell. */
void	 fx_xw_skip(struct fx_xw *);
/* The file's bytes, appended to out; the workbook takes no more cells. */
int	 fx_xw_finish(struct fx_xw *, struct fx_buf *out, struct fx_err *);
int	 fx_xw_write(struct fx_xw *, const char *path, struct fx_err *);

/* fx_ocheck_xlsx's workbook as bytes, appended to out (formixd's answer). */
int	 fx_ocheck_xlsx_buf(const struct fx_ocheck *, struct fx_buf *out,
	    struct fx_err *);

/* -- Spool and daemon (spool.c, queue.c) ------------------------------ */

/*
 * fx_spool_write into an absolute directory inside the spool (a queue
 * entry); name may start with '.' (the queue's own notes).
 */
int	 fx_spool_write_at(struct fx_ctx *, const char *absdir,
	    const char *name, const void *data, size_t len, struct fx_err *);
/*
 * The same without the fsync of absdir: for a file that a later
 * fx_spool_write_at into the same directory makes durable with its own
 * (formixd's result workbook, then the summary).  A crash before that may
 * lose the name, never leave a partial file under it.
 */
int	 fx_spool_write_unsynced(struct fx_ctx *, const char *absdir,
	    const char *name, const void *data, size_t len, struct fx_err *);
/* fsync a directory so that its entries survive a crash. */
int	 fx_spool_fsync_dir(const char *dir, struct fx_err *);
/*
 * rename(2) that never replaces an existing target (RENAME_NOREPLACE):
 * FX_ENOINPUT if from is gone, FX_EIO otherwise.  fx_spool_move also
 * fsyncs the directories of both names.
 */
int	 fx_spool_rename(const char *from, const char *to, struct fx_err *);
int	 fx_spool_move(const char *from, const char *to, struct fx_err *);
/* Crash tests: abort() here if $FX_CRASH_AT names this point. */
void	 fx_crash_at(const char *point);
/* Lock tests: wait here for a test if $FX_PAUSE_AT names this point. */
void	 fx_pause_at(const char *point);

/* What a name dropped into a channel's in/ is (fx_spool_name_kind). */
enum fx_name_kind {
	FX_NAME_SKIP,		/* dot-file, *.part, *.filepart, *.tmp */
	FX_NAME_BAD,		/* control characters: refused */
	FX_NAME_FILE,		/* a file of its own */
	FX_NAME_PART,		/* a CommerceML part: import*.xml, offers*... */
};
int	 fx_spool_name_kind(const char *name);
struct stat;
/*
 * Does the open file fd (st its fstat) look complete?  XML must end with
 * the closing tag of its root element; a file that is not XML (or is
 * UTF-16) cannot be judged and counts as complete; an empty one does not.
 * 1 complete, 0 not, -1 read error (errno set).
 */
int	 fx_spool_complete(int fd, const struct stat *st);

/* -- end of Spool and daemon ------------------------------------------ */

/*
 * Add a notice in txn, the transaction of the change it tells of
 * (notify.c).  seq, at and the states are set here: out pending if
 * n->dealer is set, mail pending if n->nto > 0.  The sequence number is
 * copied into seq (21 bytes) if not NULL.
 */
int	 fx_notify_add(struct fx_ctx *, struct fx_txn *, const struct fx_notice *,
	    char *seq, struct fx_err *);
extern const struct fx_rectype fx_rt_notice;

/* Report a warning through the handle's callback. */
void	 fx_warn(struct fx_ctx *, const struct fx_err *);

/* Streaming XML (xml.c): libxml2's SAX2 parser with the house's safety rules. */

struct fx_xml;

struct fx_xml_attr {
	const char	*name;		/* local name, NUL-terminated */
	const char	*value;		/* not NUL-terminated */
	size_t		 len;
};

struct fx_xml_ops {
	/* Element names the handler wants as tokens; others get -1. */
	const char *const *names;
	size_t		 nnames;
	/*
	 * Element start.  tok is the token or -1; attrs are valid during the
	 * call only.  Return -1 (with err set through fx_xml_err) to stop.
	 */
	int		(*start)(struct fx_xml *, void *, int tok,
			    const struct fx_xml_attr *, size_t nattrs);
	/* Element end with its text content (child text included only if
	 * the element had no child elements).  text is NUL-terminated. */
	int		(*end)(struct fx_xml *, void *, int tok, const char *text,
			    size_t len);
	/*
	 * Optional, for speed: tokens (below 64) whose text the handler
	 * reads, as bits; 0 means all.  Text of other elements, and of
	 * elements not in names, is not collected, and with skip_unknown
	 * the callbacks are not called for elements not in names.
	 */
	uint64_t	 text_mask;
	int		 skip_unknown;
};

/*
 * Parse path with ops.  The parser never loads a DTD, never substitutes
 * entities, never touches the network, and refuses any DOCTYPE.  Errors
 * carry path:line.  depth is the element stack the handler may inspect.
 */
int	 fx_xml_parse(const char *path, const struct fx_xml_ops *, void *,
	    struct fx_err *);
/* Parse from memory (tests, fuzzing). */
int	 fx_xml_parse_mem(const char *name, const char *, size_t,
	    const struct fx_xml_ops *, void *, struct fx_err *);
/*
 * Parse from a pull source, chunk by chunk (a ZIP entry read in place):
 * rd puts up to the size asked into the buffer and returns the count, 0
 * at the end, or -1 after filling err itself.
 */
int	 fx_xml_parse_read(const char *name,
	    ssize_t (*rd)(void *, char *, size_t), void *,
	    const struct fx_xml_ops *, void *, struct fx_err *);
/* Inside a callback: the current line, and the token at depth d from the
 * current element (0 = current, 1 = parent...), -2 above the root. */
long	 fx_xml_line(const struct fx_xml *);
int	 fx_xml_up(const struct fx_xml *, int d);
size_t	 fx_xml_depth(const struct fx_xml *);
/* Set an error at the current position; returns -1. */
int	 fx_xml_err(struct fx_xml *, enum fx_code, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* The same at a given line (an element's start, reported at its end). */
int	 fx_xml_err_at(struct fx_xml *, long, enum fx_code, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
/* Stop at the end of the current element without error (sniffing). */
void	 fx_xml_stop(struct fx_xml *);

/*
 * Format sniffing: the local name of the root element and of its first
 * child element ("" if none), read from the start of the file.
 */
int	 fx_xml_sniff(const char *path, char *root, size_t rootsz,
	    char *child, size_t childsz, struct fx_err *);
/*
 * Writing: append s to b as the value of an XML attribute (between double
 * quotes), or as element text: & < > " as entities, tab, newline and
 * carriage return as character references, which a parser must not
 * normalise to spaces.
 * Other control characters cannot appear in XML 1.0 at all, nor can
 * bytes that are not UTF-8: -1 for those, with b left as it was.
 */
int	 fx_xml_attr_value(struct fx_buf *, const char *);

/* Time. */
/* Now as "YYYY-MM-DDTHH:MM:SSZ". */
void	 fx_now_iso(char *, size_t);
/* A date-time YYYY-MM-DD[THH:MM:SS[.fff][Z|+HH:MM]]; 0 if valid. */
int	 fx_datetime_check(const char *);
/* 1 if the decimal s fails only for having more than scale decimals. */
int	 fx_decimals_over(const char *, int scale);


/* Days since 1970-01-01 of a date fx_date_check accepts. */
long	 fx_date_days(const char *);
/* The date n days after (or before) a valid date. */
void	 fx_date_add(const char *, long n, char out[11]);

/*
 * The libraries loaded when first needed (lazy.c).  An entry point that
 * can report an error loads what it will call; an unloadable library is
 * FX_EUNAVAIL, naming it.
 */
enum fx_lazy {
	FX_LAZY_XML	= 1 << 0,	/* libxml2 */
	FX_LAZY_CRYPTO	= 1 << 1,	/* libcrypto */
	FX_LAZY_XLSXW	= 1 << 2,	/* libxlsxwriter */
	FX_LAZY_FREEXL	= 1 << 3,	/* freexl */
	FX_LAZY_ALL	= (1 << 4) - 1,
};
int	 fx_lazy_load(unsigned, struct fx_err *);

/* SHA-256 of a file as 64 hex chars + NUL (hash.c). */
int	 fx_sha256_file(const char *, char out[65], struct fx_err *);
/* The same of a buffer. */
int	 fx_sha256_buf(const void *, size_t, char out[65], struct fx_err *);

/* Imports of each format, inside the package transaction. */

/* What the files of one package share (import.c owns it). */
struct fx_pkg {
	uint32_t	 gen;		/* this import's generation */
	int		 full_catalog;	/* a full catalog with goods was read */
	int		 full_prices;	/* a full offers file carried prices */
	int		 full_stock;	/* ... and stock */
	struct fx_map	 props;		/* property Ид -> struct fx_property * */
	char		 catalog_asof[32], offers_asof[32];
	int		 packs;		/* a good of it has a pack multiple */
};
int	 fx_cml_import(struct fx_ctx *, struct fx_txn *, struct fx_pkg *,
	    const char *path, struct fx_import_stats *, struct fx_err *);
/*
 * After the catalog files of a package: mark goods a full catalog did not
 * list deleted.  After its offers files: drop prices and stock a full
 * offers package did not carry.
 */
int	 fx_cml_finish_offers(struct fx_ctx *, struct fx_txn *, struct fx_pkg *,
	    struct fx_err *);
int	 fx_cml_finish(struct fx_ctx *, struct fx_txn *, struct fx_pkg *,
	    struct fx_import_stats *, struct fx_err *);
int	 fx_cond_import(struct fx_ctx *, struct fx_txn *, const char *path,
	    struct fx_import_stats *, struct fx_err *);
int	 fx_deliv_import(struct fx_ctx *, struct fx_txn *, const char *path,
	    struct fx_import_stats *, struct fx_err *);
/* The receivables ledger (ledger.c); after conditions, which it needs. */
int	 fx_ledger_import(struct fx_ctx *, struct fx_txn *, struct fx_pkg *,
	    const char *path, struct fx_import_stats *, struct fx_err *);

/*
 * Receivables (ar.c).  fx_ar_compute is the arithmetic of one entity,
 * without the store: the documents dated up to date (others are
 * skipped), credits set against debits as 1C allocated them, the rest
 * first in, first out; row's figures and open documents are filled in
 * (docs returned new), its names and limits are left alone.
 */
struct fx_ar_entry {
	const char		*id;
	const struct fx_ledger	*l;
};
void	 fx_ar_compute(const struct fx_ar_entry *, size_t n, const char *date,
	    const struct fx_days *buckets, struct fx_ar_row *row);
void	 fx_ar_row_release(struct fx_ar_row *);
/*
 * The block rule in an open transaction, for an entity the caller has
 * already found and checked access to (the orders module at submission).
 */
int	 fx_ar_check_txn(struct fx_ctx *, struct fx_txn *,
	    const struct fx_entity *, struct fx_ar_verdict *, struct fx_err *);

/* -- Orders (order.c) ------------------------------------------------ */
/*
 *	orders		number "000001"		-> rec fx_order
 *	order_lines	number \0 line "0001"	-> rec fx_oline
 *	idx_order_file	SHA-256 hex of a file	-> order number
 *	reservations	delivery \0 product \0 order \0 line
 *						-> rec fx_amount (thousandths)
 *	meta "order_seq"	the last order number given out
 */
extern const struct fx_rectype fx_rt_order, fx_rt_oline;
/*
 *	order_events	number \0 seq "000001"	-> rec fx_oevent
 *	idx_order_1c	1C document Ид		-> order number
 *
 * 1C's order documents (order1c.c), applied in the import transaction.
 */
extern const struct fx_rectype fx_rt_oevent;
int	 fx_order1c_import(struct fx_ctx *, struct fx_txn *, const char *path,
	    struct fx_import_stats *, struct fx_err *);
/* -- end of Orders ---------------------------------------------------- */

/* -- Order documents (orderdoc.c) ----------------------------------- */
/*
 *	order_docs	number \0 name		-> rec fx_odoc
 *	spool/documents/XX/SHA256		the bytes, XX its first two
 */
extern const struct fx_rectype fx_rt_odoc;
/*
 * Is base (a file name) 1C's file for an order, "orderdoc-NUMBER-NAME"?
 * 1 with NUMBER copied into number and *name pointing into base, else 0.
 */
int	 fx_odoc_file_name(const char *base, char *number, size_t numsz,
	    const char **name);
/*
 * The applied mark of such a file: the SHA-256 of its name and its
 * bytes' SHA-256, so that the same bytes for another order or under
 * another name are a document of their own, and only the same file
 * again is "already applied".
 */
int	 fx_odoc_applied_key(const char *base, const char *sha, char out[65],
	    struct fx_err *);
/* Apply such a file in the import transaction (dryrun: store nothing). */
int	 fx_odoc_import(struct fx_ctx *, struct fx_txn *, const char *path,
	    int dryrun, struct fx_import_stats *, struct fx_err *);
/* -- end of Order documents ------------------------------------------ */
/* -- Dealer codes (alias.c) ------------------------------------------- */
/*
 *	aliases		dealer \0 normalised code -> product Ид (sorted dups)
 *	idx_barcode	normalised barcode	-> product Ид (sorted dups;
 *						   goods deleted in 1C left out)
 */
/*
 * A catalog over the caller's open transaction (a write transaction may
 * read): fx_catalog_close leaves it open.  And the transaction of a
 * catalog, for more lookups in the same snapshot.
 */
int	 fx_catalog_open_txn(struct fx_ctx *, struct fx_txn *,
	    const struct fx_query *filters, struct fx_catalog **,
	    struct fx_err *);
struct fx_txn *fx_catalog_txn(struct fx_catalog *);
/*
 * What a submission needs (no warehouses or deliveries): the filters'
 * entity's net and the retail price of each product Ид, -1 where none;
 * if stock is not NULL, the stock that can be promised (1C's total, else
 * the warehouses' sum, never below 0); gone[i] set for goods deleted in
 * 1C or not in the store.  Ids in key order read fastest.
 */
int	 fx_catalog_prices(struct fx_catalog *, const char *const *ids,
	    size_t n, int64_t *net, int64_t *retail, int64_t *stock,
	    int *gone, struct fx_err *);
/*
 * The stock of one product that can be promised now, by the same rule:
 * 1C's total when it sent one, else the warehouses' sum, never below 0
 * (0 for a product without an offers record).
 */
int	 fx_stock_promised(struct fx_txn *, const char *product, int64_t *,
	    struct fx_err *);
/*
 * An order row's text that is no catalog article: the dealer's code
 * (*how FX_MATCH_CODE), else a barcode (FX_MATCH_BARCODE).  ids gets the
 * product Ид found, NUL-separated, *n of them (0: neither).
 */
int	 fx_alias_match(struct fx_txn *, const char *dealer, const char *text,
	    struct fx_buf *ids, size_t *n, int *how, struct fx_err *);
/* -- end of Dealer codes ---------------------------------------------- */
/* -- Claims (claim.c, claim1c.c, attach.c) ---------------------------- */
/*
 *	claims		number "C000001"	-> rec fx_claim
 *	claim_lines	number \0 line "0001"	-> rec fx_cline
 *	claim_events	number \0 seq "000001"	-> rec fx_cevent
 *	claim_files	number \0 seq "0001"	-> rec fx_cfile
 *	meta "claim_seq"	the last claim number given out
 * Attachments themselves: spool/attachments/XX/SHA256.
 */
extern const struct fx_rectype fx_rt_claim, fx_rt_cline, fx_rt_cevent,
	fx_rt_cfile;
/* Is reason one of conf's claims.reasons?  FX_EUSAGE with the list. */
int	 fx_claim_reason_check(const struct fx_conf *, const char *reason,
	    struct fx_err *);
/* new, in_review, accepted (with a resolution), rejected (a comment). */
int	 fx_claim_status_check(const char *status, const char *resolution,
	    const char *comment, struct fx_err *);
/* A claim the actor sees (FX_ENOTFOUND "unknown claim"); *c new. */
int	 fx_claim_seen(struct fx_ctx *, struct fx_txn *, const char *number,
	    struct fx_claim *c, struct fx_err *);
int	 fx_claim_lines_read(struct fx_txn *, const char *claim,
	    struct fx_cline **, size_t *, struct fx_err *);
int	 fx_claim_files_read(struct fx_txn *, const char *claim,
	    struct fx_cfile **, size_t *, struct fx_err *);
/*
 * Move a line of a submitted claim in txn, by by ("1c" or the actor):
 * the event, its notice and the audit entry; with write_1c the claim's
 * file for 1C is written first.  0 moved, 1 already so (nothing done),
 * -1 refused.  *out (if not NULL) gets the line, new.
 */
int	 fx_claim_set_txn(struct fx_ctx *, struct fx_txn *, const char *claim,
	    int line, const char *status, const char *resolution,
	    const char *comment, const char *by, int write_1c,
	    struct fx_cline *out, struct fx_err *);
/* Write claim c as it stands in txn to 1c/out (before txn commits). */
int	 fx_claim_out(struct fx_ctx *, struct fx_txn *, const struct fx_claim *,
	    struct fx_err *);
/* 1C's claim statuses (claim1c.c), applied in the import transaction. */
int	 fx_claim1c_import(struct fx_ctx *, struct fx_txn *, const char *path,
	    struct fx_import_stats *, struct fx_err *);
/*
 * Store data content-addressed as spool/attachments/XX/SHA256 by the
 * durable protocol (attach.c); the same content twice is one file.
 */
int	 fx_attach_store(struct fx_ctx *, const void *, size_t,
	    const char sha256[65], struct fx_err *);
/* -- end of Claims ---------------------------------------------------- */
/* -- Mail (mail.c) ---------------------------------------------------- */
/*
 * What formixd reads of a message the MTA delivered: the one From:
 * mailbox ("" if there is not exactly one), the first
 * Authentication-Results header (NULL if none), the recipients (the
 * MTA's Delivered-To and X-Original-To first, then To: and Cc:), and the
 * order files attached (.xlsx, .xls, .csv) with sanitised names.  Other
 * attachments and those over the size limit are left out with a line in
 * notes; more order files than max_attachments are counted in too_many
 * (the message is then refused by its reader).
 *	meta "mail:SHA-256"	"accepted SEQ" or "refused SEQ": a message
 *				answered (the notice SEQ, or "-")
 */
struct fx_mail_att {
	char		*name;		/* sanitised: never a path */
	char		*data;
	size_t		 len;
};
struct fx_mail {
	char		*from;
	char		*auth;
	char		**rcpt;
	size_t		 nrcpt;
	char		*subject;
	char		*message_id;
	struct fx_mail_att *att;
	size_t		 natt;
	size_t		 too_many;	/* order files past max_attachments */
	int		 auto_submitted; /* a machine's: Auto-Submitted, a
					 * bounce (RFC 3834: no auto reply) */
	struct fx_buf	 notes;		/* lines: what was left out, why */
};
struct fx_mail_limits {
	int		 max_attachments;
	uint64_t	 max_attachment_size;
};
int	 fx_mail_parse(const void *, size_t, const struct fx_mail_limits *,
	    struct fx_mail *, struct fx_err *);
void	 fx_mail_release(struct fx_mail *);
char	*fx_mail_safe_name(const char *);
int	 fx_mail_order_name(const char *);
/* Our authserv-id and a DMARC (or From:-aligned DKIM) pass: 1, else 0. */
int	 fx_mail_auth_pass(const char *ar, const char *authserv_id,
	    const char *from);
int	 fx_mail_read(const char *path, uint64_t max, char **data, size_t *len,
	    struct fx_err *);
/*
 * A notice as a message (CRLF lines): Message-ID <formix-notice-SEQ@host>
 * and Date the notice's own, so that sending it again sends the same
 * mail; n->files (spool-relative) attached.  *out returned new.
 */
int	 fx_mail_build(const struct fx_notice *, const char *from,
	    const char *host, const char *spool, char **out, size_t *outlen,
	    struct fx_err *);
struct fx_mail_smtp {
	const char	*url;		/* smtp://host:port or smtps:// */
	const char	*from;		/* envelope sender */
	const char	*user;		/* NULL or "": no AUTH */
	const char	*password;
	long		 timeout;	/* seconds */
};
/* Send over SMTP with libcurl; a failure is FX_ETEMP, to be retried. */
int	 fx_mail_send(const struct fx_mail_smtp *, char *const *to, size_t nto,
	    const char *msg, size_t len, struct fx_err *);
/* -- end of Mail ------------------------------------------------------ */
#endif /* FX_INT_H */
