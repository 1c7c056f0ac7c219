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

/* A list of day counts, ascending (ar.buckets: "7,30,60"). */
#define FX_DAYS_MAX	7
struct fx_days {
	int		 n;
	int32_t		 v[FX_DAYS_MAX];
};

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
	char		*scratch;	/* workbooks' working files, absolute */
	/* spool, formixd (Spool and daemon): */
	uint64_t	 spool_min_free;	/* intake stops below, bytes */
	int		 spool_settle;		/* seconds after a close */
	int		 spool_incomplete_after; /* seconds, then refused */
	int		 spool_package_window;	/* seconds between parts */
	int		 spool_scan_interval;	/* seconds between scans */
	int		 spool_min_backoff;	/* seconds, first retry */
	int		 spool_max_backoff;	/* seconds, longest wait */
	int		 spool_alert_after;	/* failures before an alert */
	/* mail (formixd's e-mail channel and outbox): */
	char		*mail_maildir;		/* "": no mail channel */
	char		*mail_authserv_id;	/* "": no header trusted */
	int		 mail_max_attachments;	/* order files a message */
	uint64_t	 mail_max_attachment_size;	/* bytes */
	uint64_t	 mail_max_message_size;	/* bytes */
	char		*mail_smtp_url;		/* "": no mail sent */
	char		*mail_from;
	char		*mail_smtp_user;
	char		*mail_smtp_password_file;
	char		*mail_staff_address;	/* refusals told there */
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
	int		 max_order_rows;	/* data rows per order file */
	uint64_t	 max_order_size;	/* bytes per order file */
	/* receivables: */
	struct fx_days	 ar_buckets;	/* aging: last day of each bucket */
	/* Orders: */
	int		 orders_min_sum;	/* roubles, net; 0: no minimum */
	char		*orders_status_map;	/* "1C name=status;..." */
	/* Order documents (orderdoc.c): */
	char		*doc_supplier;		/* the invoice's supplier line */
	char		*doc_supplier_bank;	/* its bank details */
	int		 doc_vat_rate;		/* percent, "в том числе НДС" */
	uint64_t	 doc_max_size;		/* bytes per document 1C sends */
	/* Orders, pack multiples (Dealer codes): */
	char		*orders_pack_property;	/* product property, "" none */
	int		 orders_round_to_pack;	/* round up, else refuse */
	/* Claims: */
	char		*claims_reasons;	/* "defect;shortage;..." */
	uint64_t	 claims_max_file_size;	/* bytes per attachment */
	uint64_t	 claims_max_claim_size;	/* bytes per claim */
	/* sftp (sftp.c): */
	char		*sftp_pull;	/* sftp:// folder URL, or "none" */
	char		*sftp_push;	/* sftp:// folder URL, or "none" */
	char		*sftp_key;	/* private key file, absolute */
	char		*sftp_known_hosts;	/* absolute */
	int		 sftp_interval;	/* seconds between polls */
	int		 sftp_taken_move;	/* pulled: 1 moved to done/ */
	int		 sftp_timeout;	/* seconds: connect, stalled */
	uint64_t	 sftp_max_rate;	/* bytes/s per transfer; 0: any */
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
	FX_K_LEDGER,		/* entity+document -> receivables entry */
	FX_K_AR_OVERRIDE,	/* entity -> staff override of the AR block */
	/* Orders (order.c): */
	FX_K_ORDER,		/* order number -> order header */
	FX_K_OLINE,		/* order number \0 line, 4 digits -> order line */
	FX_K_IDX_ORDERFILE,	/* SHA-256 of an order file -> order number */
	FX_K_RESERVE,		/* delivery \0 product \0 order \0 line -> qty */
	FX_K_OEVENT,		/* order number \0 seq, 6 digits -> event */
	FX_K_IDX_ORDER1C,	/* 1C order document Ид -> order number */
	FX_K_ODOC,		/* order number \0 name -> document 1C sent */
	/* Dealer codes (alias.c): */
	FX_K_ALIAS,		/* dealer \0 normalised code -> product (dup) */
	FX_K_IDX_BARCODE,	/* normalised barcode -> product id (dup) */
	/* Claims (claim.c): */
	FX_K_CLAIM,		/* claim number -> claim header */
	FX_K_CLINE,		/* claim number \0 line -> claim line */
	FX_K_CEVENT,		/* claim number \0 seq -> status change */
	FX_K_CFILE,		/* claim number \0 seq -> attachment */
	FX_K_NOTIFY,		/* 20-digit sequence -> notification (outbox) */
	FX_K_REF,		/* 4-byte number -> price type or warehouse Ид */
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
	char		 ledger_asof[32];
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
	uint64_t	 ledger, ledger_entities;	/* receivables */
	uint64_t	 warnings;
	int		 files;
	/* 1C's order documents (order1c.c): */
	uint64_t	 orders, orders_new, order_events;
	uint64_t	 order_docs;	/* 1C's files for orders (orderdoc.c) */
	/* 1C's claim statuses (claim1c.c): lines named, lines moved. */
	uint64_t	 claim_lines, claim_changes;
	int		 already_applied;	/* every file was applied before */
	char		 applied_at[32];	/* when, if so */
};

enum fx_import_flags {
	FX_IMPORT_FORCE	= 1 << 0,	/* re-apply files applied before */
	FX_IMPORT_DRYRUN = 1 << 1,	/* parse and check, commit nothing */
};

/*
 * Import 1C files: CommerceML import*, offers*, prices*, rests* and the
 * formix XML formats (conditions, deliveries, ledger), recognised by
 * content.  All files together are one package and one write transaction:
 * either every one is applied or nothing changes.  Catalog files are
 * applied before offer files, conditions before the ledger, whatever the
 * order given.
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
	int64_t		 pack;		/* multiple to order, thousandths, 0 none */
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
	FX_ACT_CODES,		/* edit a dealer's codes (alias.c) */
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
/* Check a YYYY-MM-DD date (a real one: no February 30); 0 if valid. */
int	 fx_date_check(const char *);
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
	const char	*warehouse;	/* Ид */
	const char	*warehouse_name;
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
	void		*blk;		/* private: p's strings, one block */
	void		*whs;		/* private: shared warehouse strings */
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
/*
 * n lookups at once, out[i] answering qs[i] exactly as fx_catalog_find
 * would; faster for many articles, since the store is then read in key
 * order.  On failure every out[i] is released.
 */
int	 fx_catalog_find_many(struct fx_catalog *, const struct fx_query *qs,
	    size_t n, struct fx_items *out, struct fx_err *);
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

/*
 * Receivables (ar.c, ledger.c, arxlsx.c): the ledger 1C sends per legal
 * entity (formix-xml(5)), what is owed and overdue, aging, and the rule
 * that stops ordering.  Until a ledger file is imported the figures are
 * the debt and overdue of the conditions file, without documents.
 */

enum fx_ar_source {
	FX_AR_LEDGER = 0,	/* documents of the ledger */
	FX_AR_CONDITIONS,	/* debt and overdue of the conditions file */
};

/* How the paid part of a debit was set: enum fx_ar_doc.alloc bits. */
enum fx_ar_alloc {
	FX_AR_BY_FIFO	= 1 << 0,	/* oldest debit first */
	FX_AR_BY_1C	= 1 << 1,	/* 1C named the debit */
};

/* A debit not fully paid on the report's date. */
struct fx_ar_doc {
	char		*id;		/* 1C document id */
	char		*doc;		/* "Реализация 123 от 10.01.2026" */
	char		*order;		/* order reference, or "" */
	char		*kind;		/* "shipment", "adjustment" */
	char		 date[11];
	char		 due[11];
	int64_t		 amount;	/* kopecks */
	int64_t		 paid;
	int64_t		 unpaid;
	int32_t		 days_overdue;	/* 0 if not yet due */
	int		 bucket;	/* aging bucket, -1 if not yet due */
	int		 alloc;		/* enum fx_ar_alloc, 0 if unpaid */
};

#define FX_AR_NBUCKETS	(FX_DAYS_MAX + 1)

/* The state of one entity, or the total of a head and its subsidiaries. */
struct fx_ar_row {
	char		*entity;	/* entity Ид (the head's for a total) */
	char		*dealer;
	char		*name;
	char		*inn;
	char		*kpp;
	char		*head;		/* head Ид, "" for a head */
	int		 total;		/* a head company with subsidiaries */
	enum fx_ar_source source;
	int64_t		 debits;	/* documents up to the date */
	int64_t		 credits;
	int64_t		 balance;	/* debits - credits; < 0: credit */
	int64_t		 advance;	/* credit set against nothing, >= 0 */
	int64_t		 not_due;
	int64_t		 overdue;
	int64_t		 aging[FX_AR_NBUCKETS];	/* overdue per bucket */
	int		 aging_known;	/* 0 from conditions: no documents */
	int		 by_1c;		/* some credit was allocated by 1C */
	int64_t		 credit_limit;	/* 0 in a total: limits are */
	int64_t		 overdue_limit;	/*   an entity's */
	int		 blocked;	/* the block rule stops orders */
	int		 lifted;	/* ... but a staff override lifts it */
	char		 override_until[11];
	struct fx_ar_doc *docs;		/* open debits, by due date */
	size_t		 ndocs;
};

struct fx_ar_report {
	char		 date[11];	/* the day the figures are for */
	char		 asof[32];	/* when 1C wrote them, or "" */
	enum fx_ar_source source;
	struct fx_days	 buckets;	/* ar.buckets: the last day of each */
	struct fx_ar_row *v;		/* heads before their subsidiaries */
	size_t		 n;
};

/*
 * What the actor may see of receivables on date (YYYY-MM-DD, NULL:
 * today): of entity (Ид, INN or INN/KPP) and, for a head, its visible
 * subsidiaries and their total; with entity NULL, of every entity the
 * actor sees.  Needs FX_ACT_AR on each entity named (FX_EPERM, or
 * FX_ENOTFOUND for one the actor may not see); unnamed entities without
 * it are left out.  *r is returned new: fx_ar_report_release it.
 */
int	 fx_ar_report(struct fx_ctx *, const char *entity, const char *date,
	    struct fx_ar_report *r, struct fx_err *);
void	 fx_ar_report_release(struct fx_ar_report *);
/*
 * The report as an XLSX workbook with an aging chart, written to a
 * temporary name beside path, read back and renamed into place.
 */
int	 fx_ar_report_xlsx(struct fx_ctx *, const struct fx_ar_report *,
	    const char *path, struct fx_err *);

/* The ordering block rule. */
struct fx_ar_verdict {
	char		 entity[256];	/* the entity's Ид */
	int		 may_order;	/* 1: not blocked, or lifted */
	int		 blocked;	/* the rule blocks (lifted or not) */
	char		 line[384];	/* the one-line answer */
	char		 asof[32];	/* the data's as-of time, or "" */
	enum fx_ar_source source;
	int64_t		 balance, overdue;
	int64_t		 credit_limit, overdue_limit;
	int		 lifted;	/* an active override lifts the block */
	char		 override_by[128];
	char		 override_until[11];
	char		 override_reason[512];
};
/*
 * May entity (Ид, INN or INN/KPP) order, as far as receivables go?  It
 * may not when its overdue debt exceeds its overdue limit, or its balance
 * (what it owes; nothing else yet) exceeds its credit limit; a limit of 0
 * allows none.  A staff override in force (fx_ar_override_set) lifts the
 * block.  Returns 0 with *v filled either way, -1 on errors.  The actor
 * needs to see the entity and hold FX_PERM_AR or FX_PERM_ORDER.  Blocks
 * by 1C (a blocked entity or dealer, an expired contract) are not this
 * rule's: fx_acl_check(FX_ACT_ORDER) reports those.
 */
int	 fx_ar_check(struct fx_ctx *, const char *entity,
	    struct fx_ar_verdict *v, struct fx_err *);

/* The reconciliation statement (акт сверки). */
struct fx_ar_line {
	char		*id;
	char		*doc;
	char		*order;
	char		*kind;		/* shipment adjustment payment return */
	char		 date[11];
	int64_t		 debit;		/* one of debit and credit is 0 */
	int64_t		 credit;
	int64_t		 balance;	/* after this document */
};
struct fx_ar_statement {
	char		*entity, *name, *inn, *kpp;
	char		 from[11], to[11];
	char		 asof[32];
	int64_t		 opening;	/* balance before from */
	int64_t		 debits, credits;	/* turnover from..to */
	int64_t		 closing;
	struct fx_ar_line *v;		/* by date, debits first, then id */
	size_t		 n;
};
/*
 * Every document of entity dated from..to (inclusive), with the balance
 * before and after.  Needs FX_ACT_AR; FX_ENEGATIVE before the first
 * ledger import.  *s is returned new: fx_ar_statement_release it.
 */
int	 fx_ar_statement(struct fx_ctx *, const char *entity, const char *from,
	    const char *to, struct fx_ar_statement *s, struct fx_err *);
void	 fx_ar_statement_release(struct fx_ar_statement *);
int	 fx_ar_statement_xlsx(struct fx_ctx *, const struct fx_ar_statement *,
	    const char *path, struct fx_err *);

/* Staff overrides of the block rule. */
struct fx_ar_override {
	char		*entity;
	char		*by;		/* "staff:UNIX" */
	char		*at;		/* ISO 8601 UTC */
	char		*until;		/* YYYY-MM-DD, inclusive */
	char		*reason;
	int		 active;	/* in force today (not stored) */
};
/*
 * Lift the block of entity until a date (today or later) for a reason;
 * replaces the entity's override, if any.  Staff only; audited
 * ("ar.override", "ar.override.remove") in the same transaction.
 */
int	 fx_ar_override_set(struct fx_ctx *, const char *entity,
	    const char *until, const char *reason, struct fx_err *);
/* FX_ENOTFOUND if the entity has no override. */
int	 fx_ar_override_remove(struct fx_ctx *, const char *entity,
	    struct fx_err *);
/* Overrides of one entity or all (NULL); expired ones only with all. */
int	 fx_ar_override_list(struct fx_ctx *, const char *entity, int all,
	    struct fx_ar_override **, size_t *, struct fx_err *);
void	 fx_ar_overrides_free(struct fx_ar_override *, size_t);

/*
 * Spreadsheets (sheet.c): a dealer's order file, article and quantity.
 *
 * The format is told by content, never by the name: XLS (OLE2/BIFF,
 * read by freexl in a forked child under CPU and memory limits, so that
 * a crafted file kills only the child), XLSX (our ZIP reader over zlib,
 * and streamed libxml2, read in place, with zip-bomb limits) or CSV (";", "," or TAB,
 * sniffed; UTF-8 with or without a BOM, UTF-16 with a BOM, else
 * windows-1251).
 *
 * The sheet: the one named by opts->sheet (case-insensitive), else the
 * first visible worksheet.  XLSX: hidden and very hidden sheets and
 * chart sheets are passed over.  XLS: the first worksheet (freexl does
 * not report visibility).
 *
 * The columns: if one of the first ten non-blank rows is a header -- a
 * cell reading Артикул, Код, Article or SKU (a few more: see sheet.c)
 * and one reading Количество, Кол-во, Qty or Quantity, in any case,
 * trimmed, with an optional ", шт" or "(шт)" -- those two columns, and
 * the rows above it (a title, the dealer, a date) are not data; a header
 * naming only one of them is refused.  Otherwise the first two columns
 * that hold anything anywhere in the sheet.  Rows with nothing in either
 * column are skipped.
 *
 * Values are text as the dealer sees them: a number cell 1065.0 reads
 * "1065" and 2608577253 reads "2608577253" (integers exactly, other
 * numbers as the shortest decimal that reads back as the same double,
 * never with an exponent); a text cell "01065" stays "01065"; spaces,
 * NBSP and dashes are kept as they are.  A formula reads as its saved
 * value; one without a saved value in the two columns refuses the file.
 * A merged range has its value in its top-left cell only.  NEEDSWORK:
 * number formats are not applied (a number shown as "01065" by a custom
 * format reads "1065"; an XLSX date reads as its serial number).
 *
 * The result is every row or an error, never part of a file.  The rows
 * are at most max_rows; more is refused as soon as row max_rows + 1 is
 * read.  An array, not a callback: the order logic needs all rows before
 * it can merge duplicates, and the row limit bounds the memory.
 *
 * Errors: FX_EDATA with err->file (opts->name or path) and err->line (the
 * row) when there is one: "not a spreadsheet (XLS, XLSX or CSV)",
 * "empty file", "password-protected workbook", "zip bomb: sheet1.xml
 * would expand to 5.2 GB (limit 200 MB)", "damaged or hostile XLS file",
 * "invalid UTF-8" (with the line), "mixed delimiters: ...", "only a
 * header row, no articles", "too many rows: ..."...  FX_ENOINPUT if the
 * file cannot be opened.  FX_ETEMP if the XLS reader cannot be started
 * (fork or pipe failed).
 */
enum fx_sheet_format {
	FX_SHEET_XLS = 1,
	FX_SHEET_XLSX,
	FX_SHEET_CSV,
};

#define FX_SHEET_MAX_ROWS	100000		/* limits.max_order_rows */
#define FX_SHEET_MAX_SIZE	(32ULL << 20)	/* limits.max_order_size */

/*
 * A caller with a handle passes its configuration's limits: max_rows from
 * limits.max_order_rows, max_size from limits.max_order_size.
 */
struct fx_sheet_opts {
	const char	*name;		/* the file in messages; NULL: path */
	const char	*sheet;		/* the sheet to read; NULL: first */
	size_t		 max_rows;	/* data rows; 0: FX_SHEET_MAX_ROWS */
	uint64_t	 max_size;	/* file bytes; 0: FX_SHEET_MAX_SIZE */
	int		 xls_cpu;	/* XLS reader CPU seconds; 0: 5 */
	uint64_t	 xls_mem;	/* XLS reader memory; 0: 256 MiB */
	/*
	 * A dealer's codes sheet (alias.c): the columns are the code and the
	 * article (header: Код, Код дилера, Code... and Артикул, Article,
	 * SKU); the article reads as text into the row's qty.
	 */
	int		 codes;
};

enum fx_sheet_row_flags {
	FX_SHEET_ART_NUM = 1 << 0,	/* the article was a number cell */
	FX_SHEET_QTY_NUM = 1 << 1,	/* the quantity was a number cell */
	FX_SHEET_QTY_OK	 = 1 << 2,	/* qty_milli holds the quantity */
};

struct fx_sheet_row {
	long		 row;		/* 1-based row (CSV: record) */
	const char	*article;	/* as read; never NULL, may be "" */
	const char	*qty;		/* as read; never NULL, may be "" */
	int64_t		 qty_milli;	/* thousandths, if FX_SHEET_QTY_OK */
	unsigned	 flags;		/* enum fx_sheet_row_flags */
};

struct fx_sheet {
	struct fx_sheet_row *rows;	/* data rows, in order */
	size_t		 nrows;
	enum fx_sheet_format format;
	char		 sheet[256];	/* XLS, XLSX: the sheet read */
	char		 encoding[16];	/* CSV: UTF-8, UTF-16, windows-1251 */
	char		 delim;		/* CSV: ';', ',' or '\t' */
	long		 header_row;	/* 0: no header row */
	long		 art_col, qty_col;	/* 1-based columns read */
	char		*priv;		/* the rows' strings */
};

/*
 * Read an order file.  opts may be NULL for the defaults.  *sheet is
 * filled in (returned new: fx_sheet_release it, also after an error,
 * when it is empty); its strings live as long as it does.
 */
int	 fx_sheet_read(const char *path, const struct fx_sheet_opts *opts,
	    struct fx_sheet *sheet, struct fx_err *);
void	 fx_sheet_release(struct fx_sheet *);
/* "xls", "xlsx", "csv". */
const char *fx_sheet_format_name(enum fx_sheet_format);

/* -- Spool and daemon (queue.c): the exchange queue formixd runs ------ */

/*
 * The queue (formix-spool(7)).  A file dropped into a channel's in/ is
 * taken once it is complete, given an id and moved by one rename into
 * queue/incoming/ID.CHANNEL/; the entry then moves, by one rename of its
 * directory per state change, to active/ and on to done/, corrupt/ (with
 * a NAME.err report) or deferred/ (to be retried).  The channel's handler
 * applies it (1C: fx_import, as staff) and an acknowledgement goes to the
 * channel's out/.  A crash at any point is finished exactly once by
 * fx_queue_recover: the applied mark commits with the import.
 *
 * The library never prints: every event is one line ("id=... chan=1c
 * file=\"x\": incoming -> active") handed to the log callback.  One
 * process per instance may use the queue: the caller holds the lock.
 */
struct fx_queue;

enum fx_qlog {
	FX_QLOG_DEBUG = 0,
	FX_QLOG_INFO,
	FX_QLOG_WARN,		/* a file was refused, or a step failed */
	FX_QLOG_ALERT,		/* staff must act: failures repeat, disk low */
};
/* One event; line is borrowed for the call. */
typedef void fx_queue_log_fn(void *, enum fx_qlog, const char *line);

struct fx_queue_stats {
	uint64_t	 taken;		/* files taken from in/ */
	uint64_t	 applied;	/* packages applied */
	uint64_t	 already;	/* packages found already applied */
	uint64_t	 corrupt;	/* packages and drops refused */
	uint64_t	 deferred;	/* temporary failures */
	uint64_t	 waiting;	/* entries in deferred/ now */
	uint64_t	 queued;	/* entries in incoming/ now */
	int		 intake_stopped;	/* below spool.min_free */
};

/*
 * Open the queue of ctx's spool: create missing queue directories and
 * resolve the 1C channel's identity, staff (root or a member of
 * access.staff_group; FX_EPERM otherwise).  log and arg are borrowed.
 */
int	 fx_queue_open(struct fx_queue **, struct fx_ctx *, fx_queue_log_fn *,
	    void *, struct fx_err *);
void	 fx_queue_free(struct fx_queue *);
/*
 * Startup: entries in active/ go back to incoming/, entries a crash left
 * empty are removed, files older than 36 hours in spool/tmp are moved to
 * corrupt/; then the queue directories are read.
 */
int	 fx_queue_recover(struct fx_queue *, struct fx_err *);
/* The channels and their in/ directories (absolute), for inotify. */
size_t	 fx_queue_nchan(const struct fx_queue *);
const char *fx_queue_chan_dir(const struct fx_queue *, size_t);

enum fx_qhint {
	FX_QHINT_MOVED,		/* renamed into in/: complete, take at once */
	FX_QHINT_CLOSED,	/* closed after writing: settle, then check */
};
/* inotify saw name in channel chan's in/ (a hint, never the truth). */
void	 fx_queue_hint(struct fx_queue *, size_t chan, const char *name,
	    enum fx_qhint);
/*
 * Take what is complete.  full: read every in/ directory and the queue
 * (startup, IN_Q_OVERFLOW, the timer); else look at hinted names and at
 * those whose settle time has come.  -1 only if a directory cannot be
 * read (the rest is logged).
 */
int	 fx_queue_intake(struct fx_queue *, int full, struct fx_err *);
/*
 * Process the next ready package: 1 if one was, 0 if none is ready, -1
 * if the spool failed under it (logged; it is retried later).
 */
int	 fx_queue_run(struct fx_queue *, struct fx_err *);
/*
 * Milliseconds until intake or a package may be ready (0: now), -1 if
 * nothing waits.  once: leave out deferred retries and files that look
 * incomplete (formixd --once does not wait for those).
 */
long	 fx_queue_wait(const struct fx_queue *, int once);
/* Retry every deferred package now (SIGUSR1, as postqueue -f). */
void	 fx_queue_flush(struct fx_queue *);
/*
 * Deliver the notification outbox: notices for dealers as out/ files,
 * mails over mail.smtp_url.  Milliseconds until a mail retry is due (0:
 * more now), -1 if none waits.
 */
long	 fx_queue_deliver(struct fx_queue *);
void	 fx_queue_stats(const struct fx_queue *, struct fx_queue_stats *);
/*
 * SIGHUP: read the configuration file again into a new struct and swap
 * it in only if it is valid; store.* and spool.path take a restart
 * (FX_ECONFIG, the old configuration stays).
 */
int	 fx_ctx_reload(struct fx_ctx *, struct fx_err *);

/* -- SFTP (sftp.c): 1C's remote folders, pulled and pushed ----------- */
/*
 * formixd's SFTP client (formix-spool(7)): files of the remote folder
 * sftp.pull are downloaded into spool/1c/in by the durable protocol and
 * only then removed remotely; files of spool/1c/out are uploaded to
 * sftp.push under a temporary name, renamed there, then moved to
 * spool/1c/out/sent/.  Dealer folders likewise, by their channel files.  The remote's host key must be in sftp.known_hosts.
 * A remote that fails waits spool.min_backoff, doubling up to
 * spool.max_backoff, with one alert after spool.alert_after failures.
 *
 * Everything it needs is copied from the configuration at open, so that
 * a thread of its own may run it while the queue goes on (no store
 * access); it logs through the queue's log function.
 */
struct fx_sftp;

/*
 * FX_ECONFIG for a bad sftp.pull or sftp.push (a password in it, not
 * sftp://, no host).  Dealers' remotes are the "pull URL" and "push URL"
 * lines of their folders' channel files, read again at every run.
 */
int	 fx_sftp_open(struct fx_sftp **sp, struct fx_ctx *, fx_queue_log_fn *,
	    void *, struct fx_err *);
/* The same checks of sftp.pull and sftp.push, nothing else (formixd -n). */
int	 fx_sftp_check(struct fx_ctx *, struct fx_err *);
void	 fx_sftp_free(struct fx_sftp *);
#define FX_SFTP_FORCE	0x1	/* every remote, due or not */
#define FX_SFTP_NOPULL	0x2
#define FX_SFTP_NOPUSH	0x4
/*
 * Pull, then push, each remote that is due (flags above).  stop,
 * if not NULL, is read during transfers: non-zero aborts the one in hand
 * (nothing is lost: a partial download is removed, the remote file
 * stays).  The number of remotes that failed this time.
 */
int	 fx_sftp_run(struct fx_sftp *, int flags, const volatile int *stop);
/* Milliseconds until a remote is due (0: now). */
long	 fx_sftp_wait(const struct fx_sftp *);

/* -- end of Spool and daemon ------------------------------------------- */

/* -- Dealer folders (channel.c): spool/dealers/DIR and its channel file -- */
/*
 * A dealer's exchange folder (formix-spool(7)): spool/dealers/DIR with
 * in/, out/ and the channel file staff write: "user LOGIN", "mode
 * auto|check|draft", "mail ADDRESS" (the secret drop address), "pull
 * URL" and "push URL" (SFTP remotes), '#' comments.  The queue and the
 * SFTP client read it with fx_channel_read; formix-admin folder writes it.
 */
#define FX_CHANNEL_MAX		4096	/* a channel file is smaller */
#define FX_CHANNEL_DIR_MAX	64	/* DIR: [A-Za-z0-9_-] */

enum fx_chmode {
	FX_CHMODE_AUTO = 0,	/* submit if every row is ok, else a draft */
	FX_CHMODE_CHECK,	/* only the check */
	FX_CHMODE_DRAFT,	/* a draft, never submitted */
};
const char *fx_channel_mode_name(enum fx_chmode);
/* "auto", "check", "draft": 0, or -1 for anything else. */
int	 fx_channel_mode_parse(const char *, enum fx_chmode *);
/* Is DIR a folder name the queue serves (1-64 of [A-Za-z0-9_-])? */
int	 fx_channel_dir_ok(const char *);

struct fx_channel {
	char		 login[65];
	enum fx_chmode	 mode;		/* FX_CHMODE_AUTO if not given */
	char		 mail[256];	/* folded drop address, or "" */
	char		**pull;		/* sftp:// URLs, as written */
	size_t		 npull;
	char		**push;
	size_t		 npush;
};
/*
 * Read a channel file (O_NOFOLLOW; a regular file under 4 KiB): 0, or -1
 * with why ("line 2: expected ...", "no \"user LOGIN\" line", the
 * errno text) and *ch empty.  URLs are not checked here (the SFTP client
 * does, per remote).  *ch is returned new: fx_channel_release it.
 */
int	 fx_channel_read(const char *path, struct fx_channel *ch, char *why,
	    size_t wsz);
void	 fx_channel_release(struct fx_channel *);
/*
 * Write spool/dealers/DIR/channel in its canonical form (a header
 * comment, then user, mode, mail, pull and push lines) by the durable
 * protocol, making DIR, DIR/in and DIR/out as needed.  No checks of the
 * content: fx_folder_add and fx_folder_set make them.
 */
int	 fx_channel_write(struct fx_ctx *, const char *dir,
	    const struct fx_channel *, struct fx_err *);

/* A folder as formix-admin folder list and show see it (staff only). */
struct fx_folder {
	char		*dir;
	struct fx_channel ch;		/* empty if the file is bad */
	char		*dealer;	/* the user's dealer, "" if unknown */
	char		*problem;	/* why formixd will not serve it, or "" */
	size_t		 nin;		/* files waiting in in/ */
	size_t		 nout;		/* files in out/ (not out/sent/) */
};
void	 fx_folder_release(struct fx_folder *);
void	 fx_folders_free(struct fx_folder *, size_t);
/* Every folder with a channel file, sorted by DIR. */
int	 fx_folder_list(struct fx_ctx *, struct fx_folder **, size_t *,
	    struct fx_err *);
/* FX_ENOTFOUND if spool/dealers/DIR/channel does not exist. */
int	 fx_folder_get(struct fx_ctx *, const char *dir, struct fx_folder *,
	    struct fx_err *);
/*
 * Make a folder (staff only; audited "folder.add" in the write
 * transaction, after the file is written).  Refused: a bad DIR, mode or
 * URL, a malformed mail (FX_EUSAGE); an unknown user (FX_ENOTFOUND); a
 * user of no known dealer, blocked, or with a folder already; a mail that
 * is a registered user's address or another folder's (FX_EDATA); an
 * existing channel file (FX_EDATA: use fx_folder_set).
 */
int	 fx_folder_add(struct fx_ctx *, const char *dir,
	    const struct fx_channel *, struct fx_err *);
/* What fx_folder_set changes: NULL, -1 or 0 leaves a field as it is. */
struct fx_folder_change {
	const char	*login;
	int		 mode;		/* enum fx_chmode, -1: unchanged */
	const char	*mail;		/* "" clears */
	const char *const *pull;	/* replaces all, with set_pull */
	size_t		 npull;
	int		 set_pull;
	const char *const *push;
	size_t		 npush;
	int		 set_push;
};
/* The same checks for what changes; each changed field audited. */
int	 fx_folder_set(struct fx_ctx *, const char *dir,
	    const struct fx_folder_change *, struct fx_err *);
/*
 * Check an SFTP folder URL as formixd will (sftp.c): sftp://, a host,
 * no password, no query; key names it in the message.
 */
int	 fx_sftp_url_check(const char *key, const char *url, struct fx_err *);
/* -- end of Dealer folders --------------------------------------------- */

/* -- Orders (order.c) ------------------------------------------------- */

/*
 * What became of one row of a dealer's order file.  The first five are
 * accepted into the order; the rest are refused.
 */
enum fx_ol_status {
	FX_OL_OK = 0,		/* priced, in stock */
	FX_OL_PARTIAL,		/* part in stock, the rest on demand */
	FX_OL_DEMAND,		/* none in stock: all on demand */
	FX_OL_ROUNDED,		/* rounded up to the pack (not yet used) */
	FX_OL_MERGED,		/* a duplicate, added to an earlier row */
	FX_OL_UNKNOWN,		/* no product has the article */
	FX_OL_AMBIGUOUS,	/* several products have it */
	FX_OL_BADQTY,		/* not a positive quantity (whole for pieces) */
	FX_OL_NOTORDERABLE,	/* deleted in 1C, or no price */
};
#define FX_OL_ACCEPTED(s)	((s) <= FX_OL_MERGED)
/* "ok", "partial", "demand", "rounded", "duplicate_merged", ... */
const char *fx_ol_status_name(enum fx_ol_status);

struct fx_ocheck_row {
	long		 row;		/* the file's row (header = 1) */
	const char	*article;	/* as read */
	const char	*qty;		/* as read */
	enum fx_ol_status status;
	char		 msg[192];
	int64_t		 accepted;	/* thousandths; a first row carries
					   its duplicates; 0 if refused or
					   merged */
	int64_t		 in_stock;	/* of accepted, covered by stock */
	int64_t		 sum;		/* net x accepted, kopecks; -1 none */
	long		 merged_into;	/* FX_OL_MERGED: that row */
	const struct fx_item *item;	/* the product, NULL if none */
	const struct fx_arrival *arrival;	/* shortfall: the nearest
						   delivery, or NULL */
	int		 match;		/* enum fx_match: how it was found */
	int64_t		 pack;		/* the pack multiple, 0 if none */
};

struct fx_ocheck {
	struct fx_ocheck_row *rows;	/* one per data row, in order */
	size_t		 n;
	size_t		 naccepted, nrefused, nlines;
	int64_t		 total_net;	/* kopecks, accepted lines */
	int64_t		 total_retail;
	char		 entity[256];	/* Ид */
	char		 entity_name[256];
	char		 file[256];	/* the name shown */
	struct fx_sheet	 sheet;		/* owns the strings */
	struct fx_items	*items;		/* one per row */
};

/*
 * Check an order file for entity (Ид, INN or INN/KPP) as the actor, who
 * must see it: read it (fx_sheet_read), look every article up, merge
 * duplicates into their first row, price and compare with stock.  Nothing
 * is changed.  name: the file in messages (NULL: path).  *c returned new:
 * fx_ocheck_release it (also after an error).  Errors: those of
 * fx_sheet_read (FX_EDATA: the file is refused), FX_ENOTFOUND,
 * FX_EPERM.
 */
int	 fx_order_check(struct fx_ctx *, const char *path, const char *name,
	    const char *entity, struct fx_ocheck *c, struct fx_err *);
void	 fx_ocheck_release(struct fx_ocheck *);
/* The result as a workbook or a CSV file (";", UTF-8), written safely. */
int	 fx_ocheck_xlsx(struct fx_ctx *, const struct fx_ocheck *,
	    const char *path, struct fx_err *);
int	 fx_ocheck_csv(struct fx_ctx *, const struct fx_ocheck *,
	    const char *path, struct fx_err *);

/*
 * Orders.  A draft is made from a checked file (fx_order_new) and sent to
 * 1C by fx_order_submit, which checks again at that moment.  Numbers come
 * from a sequence ("000001"), dense and never reused.
 */
struct fx_order {
	char		*number;	/* "000001" */
	char		*status;	/* "draft", "submitted" */
	char		*entity;	/* Ид */
	char		*dealer;
	char		*file;		/* the order file's name */
	char		*hash;		/* its SHA-256 */
	char		*created;	/* ISO 8601 UTC */
	char		*created_by;	/* login or "staff:UNIX" */
	char		*submitted;	/* ISO 8601 UTC, or "" */
	char		*submitted_by;
	char		*delivery;	/* delivery method, or "" */
	char		*comment;
	int64_t		 total;		/* net, kopecks */
	int64_t		 demand;	/* net of the demand part, kopecks */
	int32_t		 nlines;
	char		*doc;		/* spool/1c/out name, or "" */
	/* From 1C's order documents (order1c.c): */
	char		*source;	/* "" (made here) or "1c" (keyed in 1C) */
	char		*number_1c;	/* 1C's own number, or "" */
	char		*date_1c;	/* 1C's date, or "" */
	char		*status_1c;	/* the status as 1C named it, or "" */
};

struct fx_oline {
	int32_t		 line;		/* 1-based */
	char		*product;	/* Ид */
	char		*article;	/* the catalog's */
	char		*name;
	char		*unit_code;
	int64_t		 qty;		/* thousandths */
	int64_t		 in_stock;	/* of qty; the rest is demand */
	int64_t		 price;		/* net, kopecks per unit */
	int64_t		 retail;	/* kopecks, -1 if none */
	int64_t		 sum;		/* price x qty */
	char		*rows;		/* the file's rows: "2,5" */
	char		*delivery;	/* demand: the nearest delivery, or "" */
	char		*delivery_date;
	char		*reserved;	/* the delivery reserved for it, or "" */
	int64_t		 reserved_qty;	/* thousandths */
	/* As 1C last reported them (order1c.c), thousandths: */
	int64_t		 shipped;	/* shipped in all */
	int64_t		 cancelled;	/* cancelled in all */
	int64_t		 reserved_1c;	/* reserved in 1C */
	int64_t		 ready;		/* ready to ship */
	/* Re-priced at submission (Dealer codes): the draft's net. */
	int		 repriced;
	int64_t		 price_draft;	/* kopecks, if repriced */
};

void	 fx_order_release(struct fx_order *);
void	 fx_olines_free(struct fx_oline *, size_t);
/* Release one line (not allocated as an array). */
void	 fx_olines_free_one(struct fx_oline *);

/*
 * Make a draft order of the accepted rows of c (from fx_order_check of
 * path), delivery method and comment optional.  Needs FX_ACT_ORDER on the
 * entity.  Refused: a file with no accepted row (FX_EDATA), the same file
 * (by content) made into an order before (FX_ENEGATIVE, "already applied
 * as order N on DATE", with that order in *o: a draft left by a crash
 * before its submission can so be resumed).  One transaction with its
 * audit entry.  *o returned new (release it after an error too).
 */
int	 fx_order_new(struct fx_ctx *, const struct fx_ocheck *c,
	    const char *path, const char *delivery, const char *comment,
	    struct fx_order *o, struct fx_err *);
/*
 * Submit a draft: the access check (user, permission, entity, contract),
 * the receivables block rule and orders.min_sum, each a one-line refusal
 * (FX_ENEGATIVE or FX_EPERM) with the figures; stock read again, what it
 * does not cover becomes demand; prices read again, a line whose net
 * moved goes at today's (repriced, price_draft; audited), goods since
 * deleted or left without a price refuse (FX_ENEGATIVE).  The CommerceML document goes to the
 * spool's 1c/out as order-NUMBER.xml before the status change commits
 * with its audit entry.  *o (and *lines, *nlines if not NULL) returned
 * new.
 */
int	 fx_order_submit(struct fx_ctx *, const char *number,
	    struct fx_order *o, struct fx_oline **lines, size_t *nlines,
	    struct fx_err *);
/* An order the actor may see, with its lines (FX_ENOTFOUND otherwise). */
int	 fx_order_get(struct fx_ctx *, const char *number, struct fx_order *o,
	    struct fx_oline **lines, size_t *nlines, struct fx_err *);
/* Orders the actor may see, newest first; filters may be NULL. */
struct fx_order_filter {
	const char	*entity;	/* Ид, INN or INN/KPP */
	const char	*status;
	const char	*from, *to;	/* YYYY-MM-DD, of creation */
};
int	 fx_order_list(struct fx_ctx *, const struct fx_order_filter *,
	    struct fx_order **, size_t *, struct fx_err *);
void	 fx_orders_free(struct fx_order *, size_t);

/*
 * Staff: reserve the demand of line of a submitted order against a
 * delivery, qty thousandths (0: all it owes); replaces the line's earlier
 * reservation.  Never beyond what the delivery brings of the product
 * across every order (FX_ENEGATIVE, with the figures).  Audited in the
 * same transaction.  *l returned new.
 */
int	 fx_order_reserve(struct fx_ctx *, const char *number, int line,
	    const char *delivery, int64_t qty, struct fx_oline *l,
	    struct fx_err *);

/* Open demand: lines of submitted orders that stock did not cover. */
struct fx_demand {
	struct fx_oline	 l;		/* the line; l.qty - l.in_stock owed */
	char		*order;
	char		*entity;
	char		*submitted;
};
struct fx_demand_filter {
	const char	*entity;	/* Ид, INN or INN/KPP */
	const char	*article;	/* compared normalised */
	const char	*delivery;	/* delivery Ид */
};
/*
 * Demand the actor may see, by expected delivery date (none last), then
 * order and line.  *v returned new: fx_demands_free it.
 */
int	 fx_order_demand(struct fx_ctx *, const struct fx_demand_filter *,
	    struct fx_demand **v, size_t *n, struct fx_err *);
void	 fx_demands_free(struct fx_demand *, size_t);

/*
 * An order's history: status changes (line 0) and line events from 1C's
 * order documents, in the order they were recorded.
 */
struct fx_oevent {
	int32_t		 line;		/* 0: the order itself */
	char		*at;		/* ISO 8601 UTC, when recorded */
	char		*kind;		/* "status", "reserved", "ready",
					   "shipped", "cancelled" */
	int64_t		 qty;		/* thousandths, this event's own */
	char		*value;		/* status: the Formix status */
	char		*note;		/* status: 1C's name */
	char		*source;	/* "1c" */
	char		*doc;		/* 1C's number of the document */
};
/* The events of an order the actor may see; *v returned new. */
int	 fx_order_events(struct fx_ctx *, const char *number,
	    struct fx_oevent **v, size_t *n, struct fx_err *);
void	 fx_oevents_free(struct fx_oevent *, size_t);

/* -- end of Orders ----------------------------------------------------- */

/* -- Claims (claim.c, claim1c.c, attach.c) ------------------------------ */

/*
 * Claims (рекламации) on shipped goods.  A claim is made as a draft on an
 * order (fx_claim_new), gets lines (fx_claim_add) and attachments
 * (fx_claim_attach), and is submitted to 1C (fx_claim_submit).  Each
 * line then moves new -> in_review -> accepted (with a resolution) or
 * rejected, by staff (fx_claim_set) or by 1C (formix-xml(5)); every move
 * is kept and tells the dealer through the notification outbox.
 * Numbers come from a sequence ("C000001"), dense and never reused.
 */
struct fx_claim {
	char		*number;	/* "C000001" */
	char		*status;	/* "draft", "submitted" */
	char		*order;		/* order number */
	char		*entity;	/* Ид */
	char		*dealer;
	char		*created;	/* ISO 8601 UTC */
	char		*created_by;	/* login or "staff:UNIX": the author */
	char		*submitted;	/* ISO 8601 UTC, or "" */
	char		*submitted_by;
	char		*comment;
	char		*doc;		/* spool/1c/out name, or "" */
	char		*updated;
	int32_t		 nlines;
	int32_t		 nfiles;
	int32_t		 nevents;
	int64_t		 size;		/* bytes of its attachments */
};

struct fx_cline {
	int32_t		 line;		/* 1-based */
	int32_t		 order_line;	/* the order's line claimed */
	char		*product;	/* Ид */
	char		*article;
	char		*name;
	int64_t		 qty;		/* thousandths */
	char		*reason;	/* one of claims.reasons */
	char		*comment;
	char		*status;	/* new in_review accepted rejected */
	char		*resolution;	/* accepted: replacement refund repair */
	char		*status_comment;	/* with the last change */
	char		*updated;
};

/* A status change of a line. */
struct fx_cevent {
	int32_t		 line;
	char		*at;		/* ISO 8601 UTC */
	char		*by;		/* login, "staff:UNIX" or "1c" */
	char		*from;		/* the status before */
	char		*to;		/* the status after */
	char		*resolution;
	char		*comment;
	char		*notice;	/* the notice's sequence number */
};

/* An attachment: stored as spool/attachments/XX/SHA256. */
struct fx_cfile {
	int32_t		 seq;		/* 1-based, per claim */
	int32_t		 line;		/* 0: the claim itself */
	char		*name;		/* for display only, never a path */
	char		*sha256;	/* 64 hex */
	char		*type;		/* "image/jpeg"... */
	int64_t		 size;		/* bytes */
	char		*at;
	char		*by;
};

/* A claim with everything it holds. */
struct fx_claim_full {
	struct fx_claim	 c;
	struct fx_cline	*lines;
	size_t		 nlines;
	struct fx_cfile	*files;
	size_t		 nfiles;
	struct fx_cevent *events;
	size_t		 nevents;
};

/* An order line as claims see it (fx_claim_lines). */
struct fx_claimable {
	int32_t		 line;
	char		*product;
	char		*article;
	char		*name;
	int64_t		 qty;		/* ordered, thousandths */
	int64_t		 shipped;	/* 1C's running total */
	int64_t		 claimed;	/* on claim lines not rejected */
	int64_t		 claimable;	/* shipped - claimed, at least 0 */
};

void	 fx_claim_release(struct fx_claim *);
void	 fx_claims_free(struct fx_claim *, size_t);
void	 fx_cline_release(struct fx_cline *);
void	 fx_cfiles_free(struct fx_cfile *, size_t);
void	 fx_claim_full_release(struct fx_claim_full *);
void	 fx_claimables_free(struct fx_claimable *, size_t);

/*
 * A draft claim on order, which the actor must see (FX_ENOTFOUND
 * otherwise, as if it did not exist) with FX_ACT_CLAIM on its entity.
 * Refused (FX_ENEGATIVE): a cancelled order, an order nothing of which
 * was shipped.  *c returned new.
 */
int	 fx_claim_new(struct fx_ctx *, const char *order, const char *comment,
	    struct fx_claim *c, struct fx_err *);
/*
 * The lines of order matching query (NULL or "": all): the query,
 * case-folded, is a prefix of the line's normalised article, or each of
 * its words is a prefix of a word of the name.  *v returned new.
 */
int	 fx_claim_lines(struct fx_ctx *, const char *order, const char *query,
	    struct fx_claimable **v, size_t *n, struct fx_err *);
/*
 * Add a line to a draft claim: the order's line oline (its number, or
 * an article naming one line), qty thousandths, a reason of
 * claims.reasons, a comment (may be NULL).  The claimable quantity is
 * checked in the write transaction: of two claims racing for the last
 * unit one wins, the other is refused (FX_ENEGATIVE) with the figures.
 * *l returned new.
 */
int	 fx_claim_add(struct fx_ctx *, const char *claim, const char *oline,
	    int64_t qty, const char *reason, const char *comment,
	    struct fx_cline *l, struct fx_err *);
/*
 * Remove a line from a draft claim, with its attachments' records: what
 * it held is claimable again.  Line numbers are not reused.
 */
int	 fx_claim_remove(struct fx_ctx *, const char *claim, int line,
	    struct fx_err *);
/*
 * Submit a draft with at least one line: formix XML goes to the spool's
 * 1c/out as claim-NUMBER.xml before the status commits; the dealer is
 * notified.  *c returned new.
 */
int	 fx_claim_submit(struct fx_ctx *, const char *claim, struct fx_claim *c,
	    struct fx_err *);
/*
 * Staff: move line of a submitted claim to status (in_review, accepted,
 * rejected; new -> in_review -> accepted or rejected, new may skip the
 * review), with resolution (accepted: replacement, refund or repair) and
 * comment (required for rejected).  The history keeps the move, one
 * notice tells the dealer, the claim's file for 1C is written again.
 * The same status again changes nothing (returns 1).  *l returned new.
 */
int	 fx_claim_set(struct fx_ctx *, const char *claim, int line,
	    const char *status, const char *resolution, const char *comment,
	    struct fx_cline *l, struct fx_err *);
/* A claim the actor may see (FX_ENOTFOUND otherwise); *f returned new. */
int	 fx_claim_get(struct fx_ctx *, const char *claim,
	    struct fx_claim_full *f, struct fx_err *);
struct fx_claim_filter {
	const char	*entity;	/* Ид, INN or INN/KPP */
	const char	*status;	/* the claim's, or one of a line's */
	const char	*from, *to;	/* YYYY-MM-DD, of creation */
	const char	*article;	/* a line's, compared normalised */
	const char	*order;
};
/* Claims the actor may see, newest first; f may be NULL. */
int	 fx_claim_list(struct fx_ctx *, const struct fx_claim_filter *f,
	    struct fx_claim **, size_t *, struct fx_err *);
/*
 * Attach files to claim (line 0) or one of its lines: each checked (not
 * empty, within claims.max_file_size, a type told from the content), all
 * together within claims.max_claim_size, stored content-addressed by the
 * durable protocol before the records commit.  name: the display name
 * of a single file (NULL: the file's base name).  *v returned new.
 */
int	 fx_claim_attach(struct fx_ctx *, const char *claim, int line,
	    const char *const *paths, size_t n, const char *name,
	    struct fx_cfile **v, size_t *nv, struct fx_err *);

/*
 * What a file is, told from its first bytes (attach.c): 0 with *type a
 * MIME type of the allowed kinds (JPEG, PNG, GIF, WebP, HEIC, MP4, MOV,
 * AVI, PDF, DOCX/XLSX, DOC/XLS, UTF-8 text), or -1 (FX_EDATA) naming what
 * it is instead (an executable, a script) or that it is unrecognised.
 */
int	 fx_attach_sniff(const void *, size_t, const char **type,
	    struct fx_err *);
/* A display name: not empty, UTF-8, no control characters, no '/', not
 * "." or "..": 0, else -1 (FX_EDATA). */
int	 fx_attach_name_check(const char *, struct fx_err *);

/*
 * The sweep (attach.c, staff only): remove the content files under
 * spool/attachments and spool/documents that no claim attachment and no
 * order document names and that are older than min_age seconds (an
 * attach stores its files before the transaction that names them: a
 * file younger than an hour may be one about to be named).  One write
 * transaction, audited ("spool.gc").  dry_run: count, remove nothing.
 */
struct fx_gc_stats {
	uint64_t	 removed;	/* files removed (or to remove) */
	uint64_t	 bytes;		/* their size */
	uint64_t	 referenced;	/* kept: a record names them */
	uint64_t	 young;		/* kept: younger than min_age */
};
#define FX_GC_MIN_AGE	3600
int	 fx_spool_gc(struct fx_ctx *, long min_age, int dry_run,
	    struct fx_gc_stats *, struct fx_err *);

/* -- end of Claims ------------------------------------------------------ */

/* -- Notifications (notify.c) ----------------------------------------- */

/*
 * The notification outbox.  A change a dealer must hear of (a claim's
 * status, a reply to a mailed file) adds a notice in the transaction of
 * the change itself, so that a notice exists if and only if the change
 * committed.  The daemon delivers each notice on two channels, a file in
 * the dealer's out/ folder and an e-mail, and marks each delivered in a
 * transaction of its own.  A crash between delivery and the mark means
 * the delivery is done again: a file of the same name and content, which
 * changes nothing, and a mail whose Message-ID is the notice's own, so
 * that a mail client shows it once.
 */
enum fx_notify_chan {
	FX_NOTIFY_OUT = 0,	/* a file in the dealer's out/ */
	FX_NOTIFY_MAIL,		/* an e-mail to the addresses */
};
enum fx_notify_state {
	FX_NS_PENDING = 0,
	FX_NS_DONE,
	FX_NS_NONE,		/* nothing to deliver on this channel */
};

struct fx_notice {
	char		*seq;		/* "00000000000000000001" */
	char		*at;		/* ISO 8601 UTC, when added */
	char		*kind;		/* "claim", "order", "reply"... */
	char		*object;	/* what it is about: claim, order... */
	char		*dealer;	/* dealer Ид: whose out/ */
	char		*entity;	/* entity Ид, or "" */
	char		**to;		/* e-mail addresses, resolved when added */
	size_t		 nto;
	char		*subject;	/* one line */
	char		*body;		/* text, UTF-8 */
	int32_t		 out_state;	/* enum fx_notify_state */
	int32_t		 mail_state;
	int32_t		 mail_tries;	/* failed attempts so far */
	char		*mail_next;	/* ISO 8601 UTC: not before; "" now */
	char		*mail_error;	/* the last failure, or "" */
	char		*out_name;	/* the out/ file's name once written */
	char		**files;	/* spool-relative files to attach */
	size_t		 nfiles;
};
void	 fx_notice_release(struct fx_notice *);
void	 fx_notices_free(struct fx_notice *, size_t);

/*
 * Notices pending on chan, oldest first, at most max (0: all); for mail,
 * only those whose next attempt is due at now (ISO 8601 UTC; NULL: the
 * clock).  *v returned new.
 */
int	 fx_notify_pending(struct fx_ctx *, enum fx_notify_chan, size_t max,
	    const char *now, struct fx_notice **v, size_t *n, struct fx_err *);
/*
 * Record the outcome of one delivery of notice seq on chan: ok marks it
 * done (out: name is the file written); a failure counts an attempt,
 * keeps error and sets the next attempt retry_after seconds on.  A
 * notice is never dropped.  Done twice is not an error.
 */
int	 fx_notify_done(struct fx_ctx *, const char *seq, enum fx_notify_chan,
	    int ok, const char *name, const char *error, long retry_after,
	    struct fx_err *);
/* One notice by its sequence number (staff); FX_ENOTFOUND if none. */
int	 fx_notify_get(struct fx_ctx *, const char *seq, struct fx_notice *,
	    struct fx_err *);

/* -- end of Notifications ---------------------------------------------- */
/* -- Order reports (report.c) ----------------------------------------- */

/*
 * What a dealer does not buy that dealers like it do.  "Like it": the
 * other dealers with a legal entity on the same price type as the entity
 * asked about (its segment; "" is the base price list).  "Ordered": an
 * order submitted here or keyed in 1C, neither a draft nor cancelled,
 * dated (1C's date for orders keyed in 1C, else the submission) in the
 * last months up to ctx's today.  The dealer asked about counts as a
 * whole: every entity of it the actor sees.
 */
struct fx_np_query {
	const char	*entity;	/* Ид, INN or INN/KPP */
	int		 months;	/* 1..120; 0: 6 */
	int32_t		 min_share;	/* hundredths of a percent; -1: 20% */
	size_t		 limit;		/* 0: every row */
};
struct fx_np_row {
	char		*product, *article, *name, *group_name;
	int32_t		 dealers;	/* similar dealers that ordered it */
	int32_t		 share;		/* of the similar dealers, 0.01 % */
	int64_t		 qty;		/* what they ordered, thousandths */
	int64_t		 retail, net;	/* kopecks, net for the entity */
	int64_t		 stock;		/* thousandths, all warehouses */
};
struct fx_np_report {
	char		 entity[256], entity_name[256], dealer[256];
	char		 price_type[256];	/* the segment's Ид, "" base */
	char		 from[11], to[11];	/* the window, both included */
	int32_t		 peers;		/* similar dealers */
	int32_t		 scope;		/* entities counted as the dealer's */
	struct fx_np_row *v;		/* by share, then quantity, article */
	size_t		 n;
};
/* FX_EUSAGE for bad months or share; FX_ENOTFOUND for an unseen entity. */
int	 fx_report_not_purchased(struct fx_ctx *, const struct fx_np_query *,
	    struct fx_np_report *, struct fx_err *);
void	 fx_np_report_release(struct fx_np_report *);
/* As FILE.xlsx or FILE.csv (by the name), written safely. */
int	 fx_np_report_write(struct fx_ctx *, const struct fx_np_report *,
	    const char *path, struct fx_err *);

/*
 * An entity's demand against arrivals: every line with demand of its
 * ordered orders (as above) dated from..to, with the delivery it waits
 * for (its reservation, else the nearest one when it was ordered), and
 * what 1C shipped and cancelled of it.
 */
struct fx_dr_query {
	const char	*entity;	/* Ид, INN or INN/KPP */
	const char	*from, *to;	/* YYYY-MM-DD or NULL */
};
struct fx_dr_row {
	char		*order, *date;	/* the order's number and day */
	int32_t		 line;
	char		*product, *article, *name;
	int64_t		 qty;		/* the line, thousandths */
	int64_t		 demand;	/* of qty, not covered by stock */
	char		*delivery;	/* the delivery it waits for, or "" */
	char		*delivery_date;	/* as the deliveries file has it now */
	const char	*arrival;	/* "due", "late" (date passed, still
					   listed), "gone" (no longer in the
					   deliveries file: arrived or
					   called off), "none" */
	int64_t		 reserved;	/* reserved on the delivery */
	int64_t		 shipped, cancelled;	/* 1C's totals for the line */
	int64_t		 owed;		/* of the demand, still to ship */
	int64_t		 stock;		/* the product's stock now */
};
struct fx_dr_report {
	char		 entity[256], entity_name[256];
	char		 from[11], to[11], today[11];	/* "" when open */
	struct fx_dr_row *v;		/* by order, then line */
	size_t		 n;
	int64_t		 demand, reserved, shipped, owed;	/* totals */
};
int	 fx_report_demand(struct fx_ctx *, const struct fx_dr_query *,
	    struct fx_dr_report *, struct fx_err *);
void	 fx_dr_report_release(struct fx_dr_report *);
int	 fx_dr_report_write(struct fx_ctx *, const struct fx_dr_report *,
	    const char *path, struct fx_err *);

/* -- end of Order reports ---------------------------------------------- */
/* -- Order documents (orderdoc.c) -------------------------------------- */

/*
 * Documents made here from an order as stored, as XLSX: the invoice
 * (ordered and not cancelled by 1C), the waybill (what 1C reported
 * shipped) and the list of lines 1C cancelled.
 */
enum fx_odoc_gen {
	FX_ODOC_INVOICE = 1,
	FX_ODOC_WAYBILL,
	FX_ODOC_CANCELLED,
};
/* "invoice", "waybill", "cancelled"; parse: 0, or -1 if none. */
const char *fx_odoc_gen_name(enum fx_odoc_gen);
int	 fx_odoc_gen_parse(const char *, enum fx_odoc_gen *);
/* Does the document list anything for these lines? */
int	 fx_order_doc_applies(const struct fx_oline *, size_t,
	    enum fx_odoc_gen);
/*
 * Write document g of an order the actor may see (FX_ENOTFOUND
 * otherwise) into directory dir as KIND-NUMBER.xlsx, atomically
 * (fx-xlsx.h): an existing file of that name is replaced.  The path
 * written is put in path.  FX_ENOTFOUND too when the document has
 * nothing to list (nothing shipped yet, nothing cancelled).
 */
int	 fx_order_doc_xlsx(struct fx_ctx *, const char *number,
	    enum fx_odoc_gen g, const char *dir, char *path, size_t pathsz,
	    struct fx_err *);

/*
 * Files 1C sends for an order (formix-spool(7): "orderdoc-NUMBER-NAME"
 * in spool/1c/in), or staff adds: kept by content under
 * spool/documents/XX/SHA256, recorded per order and name.
 */
struct fx_odoc {
	char		*order;		/* order number */
	char		*name;		/* shown, never used as a path */
	char		*sha256;	/* of the bytes, 64 hex */
	int64_t		 size;		/* bytes */
	char		*received;	/* ISO 8601 UTC */
	char		*kind;		/* by the first bytes: "pdf", "zip",
					   "ole", "jpeg", "png", "tiff",
					   "xml", "other" */
	char		*source;	/* "1c" or "staff:UNIX" */
};
void	 fx_odoc_release(struct fx_odoc *);
void	 fx_odocs_free(struct fx_odoc *, size_t);
/*
 * A document's name: 1 to 200 bytes of UTF-8, no control character, no
 * slash or backslash, not starting with '.'.  0, or -1 with the reason.
 */
int	 fx_odoc_name_check(const char *name, char *why, size_t whysz);
/*
 * Staff: store the file at path as document name (NULL: the file's own
 * name) of an order.  Refused: a bad name (FX_EUSAGE), an empty file or
 * one over documents.max_size (FX_EDATA), an unknown order
 * (FX_ENOTFOUND), the same bytes under the same name (FX_ENEGATIVE,
 * "already applied").  Other bytes under a name already used replace
 * that document.  The bytes are on disk before the record commits with
 * its audit entry.  *d returned new.
 */
int	 fx_odoc_add(struct fx_ctx *, const char *number, const char *path,
	    const char *name, struct fx_odoc *d, struct fx_err *);
/* The stored documents of an order the actor may see; *v returned new. */
int	 fx_odoc_list(struct fx_ctx *, const char *number, struct fx_odoc **v,
	    size_t *n, struct fx_err *);
/* The name a copy is written under: "doc-NUMBER-NAME", safe characters. */
int	 fx_odoc_out_name(const struct fx_odoc *, char *, size_t);
/*
 * Write a copy of a stored document into dir (atomically; replaces a
 * file of the same name), checked against its SHA-256 (FX_EIO if the
 * stored bytes differ).  The path written is put in path.
 */
int	 fx_odoc_copy(struct fx_ctx *, const struct fx_odoc *, const char *dir,
	    char *path, size_t pathsz, struct fx_err *);

/* -- end of Order documents -------------------------------------------- */
/* -- Dealer codes (alias.c) -------------------------------------------- */

/*
 * A dealer's own codes for catalog goods: its article numbers, old
 * articles of ours it still orders by.  An order row whose article is not
 * a catalog article is looked up as the dealer's code, then as a barcode
 * (Штрихкод of the catalog); a code or barcode of several goods is
 * reported ambiguous, never guessed.  Codes are normalised as articles
 * (fx_article_norm), barcodes as well and without spaces and dashes.
 *
 * Access: staff manage any dealer's codes (naming the dealer); the
 * dealer's superuser and holders of the "users" permission manage their
 * own dealer's (FX_ACT_CODES); every user of the dealer lists them.
 */
enum fx_match {
	FX_MATCH_ARTICLE = 0,	/* the catalog's article */
	FX_MATCH_CODE,		/* the dealer's code */
	FX_MATCH_BARCODE,	/* the catalog's barcode */
};

int	 fx_barcode_norm(const char *, char *, size_t);

struct fx_alias {
	char		*code;		/* normalised */
	char		*product;	/* Ид */
	char		*article;	/* the product's article, "" if gone */
	char		*name;
	int		 deleted;	/* deleted in 1C (or gone) */
};
void	 fx_aliases_free(struct fx_alias *, size_t);

/* The dealer's codes, by code; dealer NULL: the actor's. */
int	 fx_alias_list(struct fx_ctx *, const char *dealer,
	    struct fx_alias **, size_t *, struct fx_err *);
/*
 * Map code to the goods with article (or, if no goods have that
 * article, the product of that Ид).  Refused: an empty code, an unknown
 * article, an article of several goods (give the Ид), goods deleted in
 * 1C.  A code that maps to other goods already then maps to both (and
 * orders with it are ambiguous): a warning says so.  Audited.
 */
int	 fx_alias_add(struct fx_ctx *, const char *dealer, const char *code,
	    const char *article, struct fx_err *);
/* Remove a code (every product it maps to); FX_ENOTFOUND if none. */
int	 fx_alias_rm(struct fx_ctx *, const char *dealer, const char *code,
	    struct fx_err *);

struct fx_alias_stats {
	char		 dealer[256];
	size_t		 rows;		/* data rows read */
	size_t		 codes;		/* distinct codes in the file */
	size_t		 before, after;	/* mappings of the dealer */
	size_t		 warnings;
};
enum fx_alias_flags {
	FX_ALIAS_REPLACE = 1 << 0,	/* drop the codes the file lacks */
	FX_ALIAS_DRYRUN	 = 1 << 1,	/* check only */
};
/*
 * Import a two-column sheet (XLS, XLSX or CSV: code, article; see
 * fx_sheet_read with opts.codes) in one transaction with its audit
 * entry.  A code in the file replaces what the store maps it to; with
 * FX_ALIAS_REPLACE codes the file lacks go too.  Every bad row (empty
 * code or article, unknown or ambiguous article, deleted goods) is
 * reported through the warning callback, at most 13, and the file is
 * refused (FX_EDATA, file:row of the first) with nothing changed.
 */
int	 fx_alias_import(struct fx_ctx *, const char *dealer, const char *path,
	    const char *name, int flags, struct fx_alias_stats *,
	    struct fx_err *);

/* -- end of Dealer codes ----------------------------------------------- */

#endif /* FORMIX_H */
