/*
 * formix.h -- the public API of libformix.
 *
 * libformix owns every rule of the product: the store, the 1C exchange
 * formats, prices, stock and the queries.  The tools in cmd/ and the daemon
 * only parse options, call one function here and print the result.
 *
 * Contract, for every function below unless it says otherwise:
 *  - returns 0 on success and -1 on failure, with *err filled in;
 *  - never prints, never exits, keeps no global state (everything hangs
 *    off a struct fx_ctx);
 *  - pointer arguments are borrowed; "returned new" results are owned by
 *    the caller and released with the matching _free/_release, which
 *    accept NULL.
 *
 * Money is integer kopecks (int64_t), quantities are integer thousandths
 * (int64_t), percents are hundredths of a percent (int32_t).  Strings are
 * UTF-8.
 */
#ifndef FORMIX_H
#define FORMIX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define FX_VERSION	"0.1"

/* Errors. */

enum fx_code {
	FX_OK = 0,
	FX_ENEGATIVE,		/* a clean "no" (blocked, not found) */
	FX_EUSAGE,		/* bad arguments */
	FX_EDATA,		/* bad input file */
	FX_ENOINPUT,		/* input missing or unreadable */
	FX_ENOTFOUND,		/* a named record does not exist */
	FX_EUNAVAIL,		/* a service or store is unavailable */
	FX_ESOFTWARE,		/* internal error */
	FX_ECANTCREAT,		/* cannot create an output */
	FX_EIO,			/* I/O error */
	FX_ETEMP,		/* temporary failure: retry later */
	FX_EPERM,		/* permission denied */
	FX_ECONFIG,		/* configuration error */
};

struct fx_err {
	enum fx_code	 code;
	int		 sys_errno;	/* saved errno, or 0 */
	char		 file[256];	/* input file the error is about, or "" */
	long		 line;		/* 1-based line or row, or 0 */
	long		 col;		/* 1-based column, or 0 */
	char		 msg[256];	/* lowercase, no period, says what first */
};

void	 fx_err_clear(struct fx_err *);
/* Set code and message; always returns -1 so callers can "return fx_err_set(...)". */
int	 fx_err_set(struct fx_err *, enum fx_code, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* The same with a file position (line and col may be 0). */
int	 fx_err_setloc(struct fx_err *, enum fx_code, const char *, long, long,
	    const char *, ...) __attribute__((format(printf, 6, 7)));
/* The same, recording errno; the formatter appends strerror. */
int	 fx_err_sys(struct fx_err *, enum fx_code, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Format "file:line:col: msg[: strerror]" into buf. */
void	 fx_err_format(const struct fx_err *, char *, size_t);
/*
 * Quote an untrusted value for a message: control characters, backslashes
 * and quotes escaped, cut (with "...") to fit bufsz.  Returns buf.
 */
char	*fx_quote(char *, size_t, const char *);

/* Warnings: the library reports non-fatal findings through a callback. */
typedef void fx_warn_fn(void *, const struct fx_err *);

/* Configuration (conf.c).  Defaults are compiled in. */

enum fx_negstock {
	FX_NEGSTOCK_CLAMP = 0,	/* store 0 and warn (1C allows negative) */
	FX_NEGSTOCK_KEEP,	/* store as sent */
	FX_NEGSTOCK_REJECT,	/* refuse the file */
};

struct fx_conf {
	char		*path;		/* file read, or NULL for defaults */
	char		*root;		/* instance directory */
	/* store: */
	char		*db_path;	/* absolute */
	uint64_t	 map_size;	/* initial map size, bytes */
	uint64_t	 map_max;	/* the map never grows past this */
	/* spool: */
	char		*spool_path;	/* absolute */
	/* catalog: */
	char		*retail_price_type;	/* name or Ид */
	char		*base_price_type;	/* name or Ид */
	int		 require_article;	/* refuse goods without Артикул */
	int		 unknown_offers_skip;	/* skip offers of unknown goods */
	enum fx_negstock negative_stock;
	/* stock: */
	int		 deliveries_shown;	/* next deliveries per product */
	/* access: */
	char		*staff_group;
	/* limits: */
	uint64_t	 max_import_size;	/* bytes per import file */
};

/*
 * Read the configuration.  path NULL means defaults only.  root is the
 * instance directory; relative paths in the file are taken relative to it.
 * Unknown keys and wrong types fail with file:line:col.
 */
int	 fx_conf_load(struct fx_conf *, const char *path, const char *root,
	    struct fx_err *);
void	 fx_conf_release(struct fx_conf *);
/* Write the effective values as YAML. */
int	 fx_conf_dump(const struct fx_conf *, FILE *, struct fx_err *);

/* The handle. */

struct fx_ctx;

enum fx_open_flags {
	FX_OPEN_RDONLY	= 1 << 0,	/* read-only store */
	FX_OPEN_CREATE	= 1 << 1,	/* create the store if missing */
};

/*
 * Find the instance and open it.  root: the -D argument or NULL (then
 * $FORMIX_ROOT, then FX_ROOTDIR).  conf: the -c argument or NULL (then
 * $FORMIX_CONF, then ROOT/formix.yaml).
 */
int	 fx_ctx_open(struct fx_ctx **, const char *root, const char *conf,
	    int flags, struct fx_err *);
void	 fx_ctx_free(struct fx_ctx *);
const struct fx_conf *fx_ctx_conf(const struct fx_ctx *);
void	 fx_ctx_set_warn(struct fx_ctx *, fx_warn_fn *, void *);
/* Resolve the instance directory the way fx_ctx_open does. */
const char *fx_root_default(const char *root);

/* Create an instance: directory, formix.yaml, store, spool tree. */
int	 fx_instance_init(const char *root, struct fx_err *);

/* Store statistics. */

enum fx_kind {
	FX_K_META = 0,
	FX_K_GROUP,
	FX_K_PRODUCT,
	FX_K_PRICETYPE,
	FX_K_PRICE,		/* counted in offers, no DB of its own */
	FX_K_WAREHOUSE,
	FX_K_STOCK,		/* counted in offers, no DB of its own */
	FX_K_DELIVERY,
	FX_K_DEALER,
	FX_K_ENTITY,
	FX_K_DISCOUNT,
	FX_K_PROPERTY,
	FX_K_OFFER,		/* product -> prices, stock, total */
	FX_K_DLINE,		/* product+date+delivery -> delivery line */
	FX_K_IDX_ARTICLE,	/* normalised article -> product id (dup) */
	FX_K_IDX_INN,		/* INN[/KPP] -> entity id */
	FX_K_APPLIED,		/* content hash -> applied-file record */
	FX_K_USER,		/* login -> user */
	FX_K_IDX_EMAIL,		/* folded e-mail address -> login */
	FX_K_IDX_UNIX,		/* Unix login -> login */
	FX_K_REQUEST,		/* request id -> entity request */
	FX_K_AUDIT,		/* 20-digit sequence -> audit entry */
	FX_K_NKINDS
};

/* Name of a kind as shown by db stat ("groups", "products", ...). */
const char *fx_kind_name(enum fx_kind);

struct fx_stat {
	uint64_t	 count[FX_K_NKINDS];
	uint64_t	 map_size;
	uint64_t	 map_used;	/* bytes of the map in use */
	char		 catalog_asof[32];	/* ISO 8601, or "" */
	char		 offers_asof[32];
	char		 conditions_asof[32];
	char		 deliveries_asof[32];
};

/* Kinds db stat lists, in order. */
extern const enum fx_kind fx_stat_kinds[];
extern const size_t fx_stat_nkinds;

int	 fx_db_stat(struct fx_ctx *, struct fx_stat *, struct fx_err *);
/*
 * Write every record as text, one per line, sorted: a dump two runs can be
 * compared with.  Used by tests to prove a refused input changed nothing.
 */
int	 fx_db_dump(struct fx_ctx *, FILE *, struct fx_err *);

/* Import (cml.c, cond.c). */

struct fx_import_stats {
	uint64_t	 groups, products, deleted, properties;
	uint64_t	 pricetypes, prices, warehouses, stock, totals;
	uint64_t	 dealers, entities, discounts;
	uint64_t	 users;		/* employees in conditions files */
	uint64_t	 deliveries, dlines;
	uint64_t	 warnings;
	int		 files;
	int		 already_applied;	/* every file was applied before */
	char		 applied_at[32];	/* when, if so */
};

enum fx_import_flags {
	FX_IMPORT_FORCE	= 1 << 0,	/* re-apply files applied before */
	FX_IMPORT_DRYRUN = 1 << 1,	/* parse and check, commit nothing */
};

/*
 * Import 1C files: CommerceML import*, offers*, prices*, rests* and the
 * formix XML formats (conditions, deliveries), recognised by content.  All
 * files together are one package and one write transaction: either every
 * one is applied or nothing changes.  Catalog files are applied before
 * offer files whatever the order given.
 */
int	 fx_import(struct fx_ctx *, const char *const *files, size_t nfiles,
	    int flags, struct fx_import_stats *, struct fx_err *);

/* Records. */

struct fx_group {
	char		*id;
	char		*name;
	char		*parent;	/* "" at the top */
	int		 deleted;
};

struct fx_prop {
	char		*name;
	char		*value;
};

struct fx_product {
	char		*id;
	char		*article;	/* as 1C sent it, may be "" */
	char		*name;
	char		*unit;		/* short name, "шт" */
	char		*unit_code;	/* OKEI, trimmed */
	char		*group;		/* first group Ид, or "" */
	char		*barcode;
	int		 deleted;
	uint32_t	 gen;		/* import generation that last saw it */
	struct fx_prop	*props;
	size_t		 nprops;
};

struct fx_pricetype {
	char		*id;
	char		*name;
	char		*currency;
};

struct fx_warehouse {
	char		*id;
	char		*name;
};

struct fx_dealer {
	char		*id;
	char		*name;
	int		 blocked;
};

struct fx_entity {
	char		*id;
	char		*dealer;
	char		*name;
	char		*full_name;
	char		*inn;
	char		*kpp;		/* "" for sole traders */
	char		*address;
	char		*head;		/* head entity id, "" if it is a head */
	char		*contract;
	char		*contract_expires;	/* YYYY-MM-DD or "" */
	int64_t		 credit_limit;		/* kopecks */
	int64_t		 overdue_limit;		/* kopecks */
	int64_t		 debt;			/* kopecks, from 1C */
	int64_t		 overdue;		/* kopecks, from 1C */
	int32_t		 payment_days;
	char		*price_type;		/* own price type Ид, or "" */
	int32_t		 default_discount;	/* hundredths of a percent */
	int		 blocked;
};

void	 fx_product_release(struct fx_product *);
void	 fx_entity_release(struct fx_entity *);
void	 fx_dealer_release(struct fx_dealer *);

/* Identity and access (auth.c). */

enum fx_perm {
	FX_PERM_ORDER	= 1 << 0,	/* place orders */
	FX_PERM_CLAIM	= 1 << 1,	/* file claims */
	FX_PERM_AR	= 1 << 2,	/* see receivables */
	FX_PERM_USERS	= 1 << 3,	/* manage the dealer's users */
	FX_PERM_ALL	= (1 << 4) - 1,
};

/* Parse "order,claim,ar,users" (or "all", or "" for none). */
int	 fx_perm_parse(const char *, uint32_t *, struct fx_err *);
/* Format as "order,claim", "" for none. */
char	*fx_perm_fmt(char *, size_t, uint32_t);

enum fx_action {
	FX_ACT_VIEW,		/* see an entity: conditions, prices, orders */
	FX_ACT_ORDER,		/* order for an entity */
	FX_ACT_CLAIM,		/* file a claim for an entity */
	FX_ACT_AR,		/* see an entity's receivables */
	FX_ACT_USERS,		/* manage users of a dealer */
	FX_ACT_REQUEST,		/* ask for a new legal entity of a dealer */
	FX_ACT_STAFF,		/* staff only: imports, approvals, the log */
};

/* Who is acting, resolved once per process (or daemon job). */
struct fx_actor {
	int		 resolved;
	int		 staff;		/* staff, not acting --as anyone */
	char		 unix_login[64];	/* who ran the tool, or "" */
	char		 login[65];	/* formix user (1-64), "" for staff */
	char		 dealer[256];	/* the user's dealer Ид */
	char		 dealer_name[256];
	int		 superuser;
	uint32_t	 perms;
};

/*
 * Resolve who is acting: root and members of access.staff_group act as
 * staff, or, with as != NULL, exactly as that formix user; any other Unix
 * user acts as the formix user registered with its Unix login.  Refused
 * (FX_EPERM) for an unregistered Unix user, a blocked user, --as by a
 * non-staff user; FX_ENOTFOUND for an unknown --as login.
 */
int	 fx_auth(struct fx_ctx *, const char *as, struct fx_err *);
/* The daemon: act as this formix user, whom the channel identified. */
int	 fx_auth_user(struct fx_ctx *, const char *login, struct fx_err *);
const struct fx_actor *fx_ctx_actor(const struct fx_ctx *);

/*
 * The one access check, used by every tool and the daemon.  entity: an
 * entity Ид for entity actions; dealer: a dealer Ид for FX_ACT_USERS and
 * FX_ACT_REQUEST (NULL otherwise).  0 if allowed; -1 with FX_EPERM and a
 * message that names the user and what was refused, or FX_ENOTFOUND for
 * an entity the actor may not even see (its existence is not revealed).
 * An actor not yet resolved is refused.
 */
int	 fx_acl_check(struct fx_ctx *, enum fx_action, const char *entity,
	    const char *dealer, struct fx_err *);

/*
 * Users (user.c).  Every change is audited in the same transaction.  Who
 * may change a user: staff, or a superuser or holder of FX_PERM_USERS of
 * the user's dealer (FX_EPERM otherwise).  Besides, only staff and
 * superusers make superusers or change a superuser's account, a holder
 * of FX_PERM_USERS grants only permissions it holds and attaches only
 * entities it sees, and only staff set Unix logins.
 */

struct fx_user {
	char		*login;
	char		*name;		/* full name */
	char		**emails;
	size_t		 nemails;
	char		*phone;
	char		*dealer;	/* dealer Ид */
	char		**entities;	/* attached entity Ид */
	size_t		 nentities;
	uint32_t	 perms;		/* enum fx_perm */
	int		 superuser;
	int		 blocked;
	char		*blocked_reason;
	char		*unix_login;	/* "" if none */
	char		*source;	/* "formix" or "1c" */
	char		*created;	/* ISO 8601 UTC */
	char		*updated;
};
void	 fx_user_release(struct fx_user *);

/*
 * Add a user.  Checked: login syntax ([a-z0-9._-], 1-64), not taken;
 * dealer exists; e-mails well-formed and not used by a user of another
 * dealer; entities belong to the dealer; Unix login not taken.
 */
int	 fx_user_add(struct fx_ctx *, const struct fx_user *, struct fx_err *);
/* A user the actor may see (FX_ENOTFOUND otherwise). */
int	 fx_user_get(struct fx_ctx *, const char *login, struct fx_user *,
	    struct fx_err *);
/* Users the actor may see, of one dealer or (NULL) all; sorted by login. */
int	 fx_user_list(struct fx_ctx *, const char *dealer, struct fx_user **,
	    size_t *, struct fx_err *);
void	 fx_users_free(struct fx_user *, size_t);

/* What fx_user_set changes: NULL or -1 leaves a field as it is. */
struct fx_user_change {
	const char	*name;
	const char *const *emails;	/* replaces all; with set_emails */
	size_t		 nemails;
	int		 set_emails;
	const char	*phone;
	int64_t		 perms;		/* -1: unchanged */
	int		 superuser;	/* -1: unchanged */
	const char	*unix_login;	/* "" clears */
};
int	 fx_user_set(struct fx_ctx *, const char *login,
	    const struct fx_user_change *, struct fx_err *);
/* Attach (detach 0) or detach entities; they must be the user's dealer's. */
int	 fx_user_attach(struct fx_ctx *, const char *login,
	    const char *const *entities, size_t n, int detach, struct fx_err *);
/*
 * Block (with a reason) or unblock.  The last unblocked superuser of a
 * dealer cannot be blocked or lose the flag.
 */
int	 fx_user_block(struct fx_ctx *, const char *login, int block,
	    const char *reason, struct fx_err *);

/* Dealers and legal entities as the actor may see them (entity.c). */

int	 fx_dealer_list(struct fx_ctx *, struct fx_dealer **, size_t *,
	    struct fx_err *);
int	 fx_dealer_get(struct fx_ctx *, const char *id, struct fx_dealer *,
	    struct fx_err *);
void	 fx_dealers_free(struct fx_dealer *, size_t);
/* Visible entities of a dealer, or (NULL) every visible one. */
int	 fx_entity_list(struct fx_ctx *, const char *dealer,
	    struct fx_entity **, size_t *, struct fx_err *);
/* By Ид, INN or INN/KPP; FX_ENOTFOUND if absent or not visible. */
int	 fx_entity_get(struct fx_ctx *, const char *ref, struct fx_entity *,
	    struct fx_err *);
void	 fx_entities_free(struct fx_entity *, size_t);

/* Requests for new legal entities (request.c). */

struct fx_request {
	char		*id;		/* "R000001" */
	char		*dealer;
	char		*name;
	char		*inn;
	char		*kpp;
	char		*address;
	char		*bank;		/* bank details, all optional */
	char		*bik;
	char		*account;
	char		*corr_account;
	char		*status;	/* pending approved rejected registered */
	char		*reason;	/* of a rejection */
	char		*requested_by;	/* login, or "staff:UNIX" */
	char		*created;
	char		*updated;
	char		*entity;	/* the entity 1C registered, or "" */
	char		**history;	/* "when|who|status|comment" */
	size_t		 nhistory;
};
void	 fx_request_release(struct fx_request *);
/*
 * File a request (r->id is filled in).  Checked: INN and KPP format and
 * check digits, not an INN/KPP already registered, not already pending.
 */
int	 fx_request_add(struct fx_ctx *, struct fx_request *, struct fx_err *);
/* Requests the actor may see, optionally of one status. */
int	 fx_request_list(struct fx_ctx *, const char *status,
	    struct fx_request **, size_t *, struct fx_err *);
void	 fx_requests_free(struct fx_request *, size_t);
/*
 * Staff decision.  Approving writes the request for 1C as formix XML
 * (formix-xml(5)) into the spool's 1c/out by the durable file protocol;
 * rejecting needs a reason.  Only pending requests can be decided.
 */
int	 fx_request_decide(struct fx_ctx *, const char *id, int approve,
	    const char *reason, struct fx_err *);

/* The audit log (audit.c). */

struct fx_audit {
	char		*seq;
	char		*at;
	char		*actor;		/* login, or "staff:UNIX", or "1c" */
	char		*action;	/* "user.add", "user.block"... */
	char		*object;	/* login, request id, entity Ид */
	char		*field;
	char		*old_value;
	char		*new_value;
};
struct fx_audit_filter {
	const char	*since;		/* ISO date or time, inclusive */
	const char	*actor;
	const char	*object;
	size_t		 limit;		/* newest N; 0: all */
};
int	 fx_audit_list(struct fx_ctx *, const struct fx_audit_filter *,
	    struct fx_audit **, size_t *, struct fx_err *);
void	 fx_audits_free(struct fx_audit *, size_t);

/* Validation (inn.c). */

/* 0 if a 10- or 12-digit INN has valid check digits, else -1 with a reason. */
int	 fx_inn_check(const char *, struct fx_err *);
/* 0 if a KPP is 9 characters: 4 digits, 2 digits or capital letters, 3 digits. */
int	 fx_kpp_check(const char *, struct fx_err *);

/* Prices (price.c). */

/*
 * Unit net price: base * (10000 - pct) / 10000, rounded half up to a whole
 * kopeck.  pct is in hundredths of a percent, 0..10000.
 */
int64_t	 fx_price_discount(int64_t base, int32_t pct);
/* Parse a decimal "1468.03" / "99,9" into kopecks; -1 on bad syntax. */
int	 fx_money_parse(const char *, int64_t *);
/* Parse a decimal quantity into thousandths; -1 on bad syntax. */
int	 fx_qty_parse(const char *, int64_t *);
/* Parse a percent with up to two decimals into hundredths; -1 if bad. */
int	 fx_pct_parse(const char *, int32_t *);
/* Format kopecks as "1468.03" (sep 0) or "1 468.03" (sep ' '). */
char	*fx_money_fmt(char *, size_t, int64_t, int sep);
/* Format thousandths as "12", "12.5", "0.125". */
char	*fx_qty_fmt(char *, size_t, int64_t);
char	*fx_pct_fmt(char *, size_t, int32_t);

/* Text (text.c). */

/*
 * Normalise an article for lookup: NBSP and other spaces to ' ', trimmed,
 * runs of spaces to one, every dash and hyphen to '-', Unicode case folded.
 * Returns 0, or -1 if the input is not valid UTF-8.
 */
int	 fx_article_norm(const char *, char *, size_t);
/* Case-fold a UTF-8 string into buf (truncated at a character boundary). */
int	 fx_fold(const char *, char *, size_t);
/* Display width of a UTF-8 string in terminal columns. */
size_t	 fx_width(const char *);

/* Catalog queries (catalog.c). */

struct fx_stock_line {
	char		*warehouse;	/* Ид */
	char		*warehouse_name;
	int64_t		 qty;		/* thousandths */
};

struct fx_arrival {
	char		*delivery;	/* delivery Ид */
	char		*date;		/* YYYY-MM-DD */
	char		*warehouse;
	char		*warehouse_name;
	int64_t		 qty;
};

struct fx_item {
	struct fx_product p;
	char		*group_name;
	int64_t		 retail;	/* kopecks, -1 if no price */
	int64_t		 base;		/* kopecks, -1 if no price */
	int64_t		 net;		/* kopecks, -1 if no price or no entity */
	int32_t		 discount;	/* hundredths of a percent applied */
	int		 own_price;	/* net came from the entity's price type */
	int64_t		 total;		/* thousandths, sum over warehouses */
	struct fx_stock_line *stock;
	size_t		 nstock;
	struct fx_arrival *arrivals;
	size_t		 narrivals;
};

struct fx_items {
	struct fx_item	*v;
	size_t		 n, cap;
	char		 catalog_asof[32];
	char		 offers_asof[32];
	char		 conditions_asof[32];
	char		 deliveries_asof[32];
};

enum fx_query_flags {
	FX_Q_INSTOCK	= 1 << 0,	/* only goods with stock > 0 */
	FX_Q_INCOMING	= 1 << 1,	/* only goods with deliveries due */
	FX_Q_DELETED	= 1 << 2,	/* include goods deleted in 1C */
};

struct fx_query {
	const char	*article;	/* exact lookup by normalised article */
	const char	*id;		/* exact lookup by Ид */
	const char	*text;		/* name words and article prefix */
	const char	*group;		/* Ид or name, with its subtree */
	const char	*warehouse;	/* Ид or name: show and filter by it */
	const char	*entity;	/* INN[/KPP] or entity Ид: dealer price */
	int		 flags;
	size_t		 limit;		/* 0: no limit */
};

/*
 * Run a query.  An article that matches several goods is not an error: all
 * of them are returned and the caller reports the ambiguity.  An unknown
 * entity or group fails with FX_ENOTFOUND.
 */
int	 fx_catalog_query(struct fx_ctx *, const struct fx_query *,
	    struct fx_items *, struct fx_err *);
void	 fx_items_release(struct fx_items *);

/*
 * Many lookups with the same filters (an order's articles, a dealer's
 * list): open resolves the entity, group, warehouse and flags of filters
 * once and holds one read transaction, so keep it short and close it;
 * find uses only the id, article, text and limit of q.
 */
struct fx_catalog;
int	 fx_catalog_open(struct fx_ctx *, const struct fx_query *filters,
	    struct fx_catalog **, struct fx_err *);
int	 fx_catalog_find(struct fx_catalog *, const struct fx_query *,
	    struct fx_items *, struct fx_err *);
void	 fx_catalog_close(struct fx_catalog *);

/* Planned arrivals between two dates (YYYY-MM-DD or NULL). */
struct fx_arrival_row {
	struct fx_arrival a;
	char		*product;
	char		*article;
	char		*name;
};
struct fx_arrivals {
	struct fx_arrival_row *v;
	size_t		 n, cap;
	char		 deliveries_asof[32];
};
int	 fx_catalog_arrivals(struct fx_ctx *, const char *from, const char *to,
	    struct fx_arrivals *, struct fx_err *);
void	 fx_arrivals_release(struct fx_arrivals *);

/* The dealer's price list as XLSX (pricelist.c). */
int	 fx_pricelist_xlsx(struct fx_ctx *, const char *entity,
	    const char *path, size_t *rows, struct fx_err *);

#endif /* FORMIX_H */
