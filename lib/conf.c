/*
 * conf.c -- the configuration file, formix.yaml.
 *
 * Owns struct fx_conf: the compiled-in defaults, reading the file with
 * libyaml's event API in one pass, and writing the effective values back
 * as YAML for "formix-admin config".  The file is a mapping of sections,
 * each a mapping of keys to scalars.  The keys[] table below is the whole
 * schema: a new key is one new row (plus its member in formix.h, its entry
 * in conf/formix.yaml.sample and in formix.yaml(5)).
 *
 * Contract: fx_conf_load overwrites *conf without releasing what was in
 * it, so a reload (SIGHUP) parses into a fresh struct and swaps it in only
 * on success.  Defaults are applied first, through the same converters as
 * the file's values, so a default can never be a value the file could not
 * hold.  Path keys are resolved against the instance directory, which is
 * itself made absolute, so every path in the struct is absolute.
 *
 * Failure modes: a missing or unreadable file is FX_ENOINPUT (with errno).
 * Everything about the contents -- YAML syntax, an unknown section or key,
 * a wrong type, a value out of range, a duplicate, anchors, aliases or
 * tags, more than one document, a file over 1MiB -- is FX_ECONFIG with
 * file:line:col (1-based, columns in characters), and fatal: a typo in a
 * key name must not silently leave a default in force.  On any failure
 * the struct is released and left zeroed.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>

#include "fx-int.h"

#define CONF_MAX_FILE	(1024 * 1024)	/* bigger is not a config file */
#define KiB		1024LL
#define MiB		(1024 * KiB)

enum ctype {
	CT_STR,			/* char *, non-empty, no control characters */
	CT_PATH,		/* CT_STR taken relative to the root */
	CT_BOOL,		/* int: true/false, yes/no */
	CT_INT,			/* int within [min, max] */
	CT_SIZE,		/* uint64_t bytes, at least min */
	CT_ENUM,		/* enum stored as int: the index in names */
	CT_DAYS,		/* struct fx_days: "7,30,60", ascending */
};

struct ckey {
	const char		*sec;
	const char		*key;
	enum ctype		 type;
	size_t			 off;	/* offsetof the member in fx_conf */
	const char		*def;	/* the default, written as in a file */
	long long		 min, max;	/* CT_INT; CT_SIZE uses min */
	const char *const	*names;	/* CT_ENUM, NULL-terminated */
	int			 empty;	/* CT_STR: "" (or nothing) allowed */
};

/* Indexed by enum fx_negstock. */
static const char *const negstock_names[] = {
	"clamp", "keep", "reject", NULL
};

/* catalog.unknown_offers: 0 refuses the file, 1 skips with a warning. */
static const char *const unknown_offers_names[] = {
	"reject", "skip", NULL
};

/* sftp.taken: 0 deletes a pulled remote file, 1 moves it to done/. */
static const char *const sftp_taken_names[] = {
	"delete", "move", NULL
};

/* CT_ENUM members are written through an int *. */
_Static_assert(sizeof(enum fx_negstock) == sizeof(int),
    "enum fx_negstock is not int-sized");

#define OFF(m)	offsetof(struct fx_conf, m)

/*
 * The schema.  Rows of one section must be adjacent: fx_conf_dump writes a
 * section header whenever the section changes.
 */
static const struct ckey keys[] = {
	{ .sec = "store", .key = "path", .type = CT_PATH,
	    .off = OFF(db_path), .def = "db" },
	{ .sec = "store", .key = "map_size", .type = CT_SIZE,
	    .off = OFF(map_size), .def = "256MiB", .min = MiB },
	{ .sec = "store", .key = "map_max", .type = CT_SIZE,
	    .off = OFF(map_max), .def = "64GiB", .min = MiB },
	{ .sec = "spool", .key = "path", .type = CT_PATH,
	    .off = OFF(spool_path), .def = "spool" },
	{ .sec = "spool", .key = "scratch", .type = CT_PATH,
	    .off = OFF(scratch), .def = "/dev/shm" },
	/* Spool and daemon (formixd): */
	{ .sec = "spool", .key = "min_free", .type = CT_SIZE,
	    .off = OFF(spool_min_free), .def = "64MiB", .min = 0 },
	{ .sec = "spool", .key = "settle", .type = CT_INT,
	    .off = OFF(spool_settle), .def = "5", .min = 0, .max = 3600 },
	{ .sec = "spool", .key = "incomplete_after", .type = CT_INT,
	    .off = OFF(spool_incomplete_after), .def = "3600", .min = 0,
	    .max = 604800 },
	{ .sec = "spool", .key = "package_window", .type = CT_INT,
	    .off = OFF(spool_package_window), .def = "5", .min = 0,
	    .max = 600 },
	{ .sec = "spool", .key = "scan_interval", .type = CT_INT,
	    .off = OFF(spool_scan_interval), .def = "60", .min = 1,
	    .max = 3600 },
	{ .sec = "spool", .key = "min_backoff", .type = CT_INT,
	    .off = OFF(spool_min_backoff), .def = "60", .min = 1,
	    .max = 86400 },
	{ .sec = "spool", .key = "max_backoff", .type = CT_INT,
	    .off = OFF(spool_max_backoff), .def = "3600", .min = 1,
	    .max = 604800 },
	{ .sec = "spool", .key = "alert_after", .type = CT_INT,
	    .off = OFF(spool_alert_after), .def = "5", .min = 1,
	    .max = 1000 },
	/* E-mail (formixd): */
	{ .sec = "mail", .key = "maildir", .type = CT_STR,
	    .off = OFF(mail_maildir), .def = "",
	    .empty = 1 },
	{ .sec = "mail", .key = "authserv_id", .type = CT_STR,
	    .off = OFF(mail_authserv_id), .def = "",
	    .empty = 1 },
	{ .sec = "mail", .key = "max_attachments", .type = CT_INT,
	    .off = OFF(mail_max_attachments), .def = "5", .min = 1,
	    .max = 100 },
	{ .sec = "mail", .key = "max_attachment_size", .type = CT_SIZE,
	    .off = OFF(mail_max_attachment_size), .def = "10MiB", .min = 1 },
	{ .sec = "mail", .key = "max_message_size", .type = CT_SIZE,
	    .off = OFF(mail_max_message_size), .def = "40MiB", .min = 1 },
	{ .sec = "mail", .key = "smtp_url", .type = CT_STR,
	    .off = OFF(mail_smtp_url), .def = "",
	    .empty = 1 },
	{ .sec = "mail", .key = "from", .type = CT_STR,
	    .off = OFF(mail_from), .def = "formix@localhost" },
	{ .sec = "mail", .key = "smtp_user", .type = CT_STR,
	    .off = OFF(mail_smtp_user), .def = "",
	    .empty = 1 },
	{ .sec = "mail", .key = "smtp_password_file", .type = CT_STR,
	    .off = OFF(mail_smtp_password_file), .def = "",
	    .empty = 1 },
	{ .sec = "mail", .key = "staff_address", .type = CT_STR,
	    .off = OFF(mail_staff_address), .def = "",
	    .empty = 1 },
	{ .sec = "catalog", .key = "retail_price_type", .type = CT_STR,
	    .off = OFF(retail_price_type), .def = "Розничная" },
	{ .sec = "catalog", .key = "base_price_type", .type = CT_STR,
	    .off = OFF(base_price_type), .def = "Оптовая" },
	{ .sec = "catalog", .key = "require_article", .type = CT_BOOL,
	    .off = OFF(require_article), .def = "true" },
	{ .sec = "catalog", .key = "negative_stock", .type = CT_ENUM,
	    .off = OFF(negative_stock), .def = "clamp",
	    .names = negstock_names },
	{ .sec = "catalog", .key = "unknown_offers", .type = CT_ENUM,
	    .off = OFF(unknown_offers_skip), .def = "reject",
	    .names = unknown_offers_names },
	{ .sec = "stock", .key = "deliveries_shown", .type = CT_INT,
	    .off = OFF(deliveries_shown), .def = "3", .min = 0, .max = 100 },
	{ .sec = "access", .key = "staff_group", .type = CT_STR,
	    .off = OFF(staff_group), .def = "formix" },
	{ .sec = "limits", .key = "max_import_size", .type = CT_SIZE,
	    .off = OFF(max_import_size), .def = "2GiB", .min = 1 },
	{ .sec = "limits", .key = "max_order_rows", .type = CT_INT,
	    .off = OFF(max_order_rows), .def = "100000", .min = 1,
	    .max = 1000000 },
	{ .sec = "limits", .key = "max_order_size", .type = CT_SIZE,
	    .off = OFF(max_order_size), .def = "32MiB", .min = 1 },
	{ .sec = "ar", .key = "buckets", .type = CT_DAYS,
	    .off = OFF(ar_buckets), .def = "7,30,60", .min = 1, .max = 3650 },
	/* Orders: */
	{ .sec = "orders", .key = "min_sum", .type = CT_INT,
	    .off = OFF(orders_min_sum), .def = "0", .min = 0,
	    .max = 1000000000 },
	{ .sec = "orders", .key = "status_map", .type = CT_STR,
	    .off = OFF(orders_status_map), .def = "Новый=submitted;"
	    "Принят=accepted;В работе=in_progress;Собран=in_progress;"
	    "Отгружен=shipped;Закрыт=closed;Отменен=cancelled;"
	    "Отменён=cancelled" },
	/* Orders, pack multiples (Dealer codes): */
	{ .sec = "orders", .key = "pack_property", .type = CT_STR,
	    .off = OFF(orders_pack_property), .def = "Кратность" },
	{ .sec = "orders", .key = "round_to_pack", .type = CT_BOOL,
	    .off = OFF(orders_round_to_pack), .def = "false" },
	/* Order documents (orderdoc.c): */
	{ .sec = "documents", .key = "supplier", .type = CT_STR,
	    .off = OFF(doc_supplier), .def = "—" },
	{ .sec = "documents", .key = "supplier_bank", .type = CT_STR,
	    .off = OFF(doc_supplier_bank), .def = "—" },
	{ .sec = "documents", .key = "vat_rate", .type = CT_INT,
	    .off = OFF(doc_vat_rate), .def = "20", .min = 0, .max = 100 },
	{ .sec = "documents", .key = "max_size", .type = CT_SIZE,
	    .off = OFF(doc_max_size), .def = "50MiB", .min = 1 },
	/* Claims: */
	{ .sec = "claims", .key = "reasons", .type = CT_STR,
	    .off = OFF(claims_reasons), .def = "defect;shortage;wrong_item;"
	    "damaged_in_transit;other" },
	{ .sec = "claims", .key = "max_file_size", .type = CT_SIZE,
	    .off = OFF(claims_max_file_size), .def = "25MiB", .min = 1 },
	{ .sec = "claims", .key = "max_claim_size", .type = CT_SIZE,
	    .off = OFF(claims_max_claim_size), .def = "100MiB", .min = 1 },
	/* SFTP (sftp.c): 1C's remote folders; "none" is no remote. */
	{ .sec = "sftp", .key = "pull", .type = CT_STR,
	    .off = OFF(sftp_pull), .def = "none" },
	{ .sec = "sftp", .key = "push", .type = CT_STR,
	    .off = OFF(sftp_push), .def = "none" },
	{ .sec = "sftp", .key = "key", .type = CT_PATH,
	    .off = OFF(sftp_key), .def = "ssh/id_ed25519" },
	{ .sec = "sftp", .key = "known_hosts", .type = CT_PATH,
	    .off = OFF(sftp_known_hosts), .def = "ssh/known_hosts" },
	{ .sec = "sftp", .key = "interval", .type = CT_INT,
	    .off = OFF(sftp_interval), .def = "60", .min = 1, .max = 86400 },
	{ .sec = "sftp", .key = "taken", .type = CT_ENUM,
	    .off = OFF(sftp_taken_move), .def = "delete",
	    .names = sftp_taken_names },
	{ .sec = "sftp", .key = "timeout", .type = CT_INT,
	    .off = OFF(sftp_timeout), .def = "60", .min = 1, .max = 3600 },
	{ .sec = "sftp", .key = "max_rate", .type = CT_SIZE,
	    .off = OFF(sftp_max_rate), .def = "0", .min = 0 },
};

#define NKEYS	nitems(keys)

/* The reader's state: one libyaml parser and the event last read. */
struct rd {
	struct fx_conf	*conf;
	struct fx_err	*err;
	const char	*file;		/* as given, for messages */
	const char	*buf;		/* the whole file */
	size_t		 len;
	yaml_parser_t	 parser;
	yaml_event_t	 ev;
	int		 have_ev;
	/* Per row: set by the file, and where (for cross-key checks). */
	unsigned char	 seen[NKEYS];
	yaml_mark_t	 mark[NKEYS];
	/* Per section, indexed by its first row. */
	unsigned char	 secseen[NKEYS];
};

static void	*member(struct fx_conf *, const struct ckey *);
static const void *cmember(const struct fx_conf *, const struct ckey *);
static int	 is_null(const yaml_event_t *);
static void	 what(const struct ckey *, char *, size_t);
static void	 got(const yaml_event_t *, char *, size_t);
static int	 parse_size(const char *, uint64_t *);
static int	 parse_days(const char *, const struct ckey *,
		    struct fx_days *);
static void	 fmt_days(char *, size_t, const struct fx_days *);
static void	 fmt_size(char *, size_t, uint64_t);
static int	 convert(struct fx_conf *, const struct ckey *, const char *,
		    size_t, int, char *, size_t);
static int	 bad(struct rd *, const yaml_mark_t *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	 yaml_fail(struct rd *);
static int	 next(struct rd *);
static int	 parse_section(struct rd *, size_t);
static int	 parse_root(struct rd *);
static int	 parse(struct rd *);
static int	 check(struct rd *);
static int	 read_file(const char *, char **, size_t *, struct fx_err *);
static char	*abs_root(const char *, struct fx_err *);
static int	 plain_ok(const char *);
static void	 put_str(FILE *, const char *);

static void *
member(struct fx_conf *c, const struct ckey *k)
{
	return (char *)c + k->off;
}

static const void *
cmember(const struct fx_conf *c, const struct ckey *k)
{
	return (const char *)c + k->off;
}

/* A plain scalar YAML reads as null: "", "~", "null". */
static int
is_null(const yaml_event_t *ev)
{
	const char *v;

	if (ev->type != YAML_SCALAR_EVENT ||
	    ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)ev->data.scalar.value;
	return strcmp(v, "") == 0 || strcmp(v, "~") == 0 ||
	    strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	    strcmp(v, "NULL") == 0;
}

/* What a key expects, for "expected ..." messages. */
static void
what(const struct ckey *k, char *buf, size_t sz)
{
	size_t i, n;

	switch (k->type) {
	case CT_STR:
	case CT_PATH:
		fx_strlcpy(buf, "a string", sz);
		break;
	case CT_BOOL:
		fx_strlcpy(buf, "true or false", sz);
		break;
	case CT_INT:
		(void)fx_snprintf(buf, sz, "an integer from %lld to %lld",
		    k->min, k->max);
		break;
	case CT_SIZE:
		fx_strlcpy(buf, "a size such as 512MiB", sz);
		break;
	case CT_DAYS:
		(void)fx_snprintf(buf, sz, "1 to %d whole numbers of days from "
		    "%lld to %lld, ascending, separated by commas",
		    FX_DAYS_MAX, k->min, k->max);
		break;
	case CT_ENUM:
		fx_strlcpy(buf, "one of ", sz);
		for (i = 0; k->names[i] != NULL; i++) {
			n = strlen(buf);
			(void)fx_snprintf(buf + n, sz - n, "%s%s",
			    i > 0 ? ", " : "", k->names[i]);
		}
		break;
	}
}

/* What the file holds instead, for "got ..." messages. */
static void
got(const yaml_event_t *ev, char *buf, size_t sz)
{
	char q[96];

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (is_null(ev) || ev->data.scalar.length == 0)
			fx_strlcpy(buf, "nothing", sz);
		else
			(void)fx_snprintf(buf, sz, "\"%s\"", fx_quote(q,
			    sizeof(q), (const char *)ev->data.scalar.value));
		break;
	case YAML_SEQUENCE_START_EVENT:
		fx_strlcpy(buf, "a sequence", sz);
		break;
	case YAML_MAPPING_START_EVENT:
		fx_strlcpy(buf, "a mapping", sz);
		break;
	default:
		fx_strlcpy(buf, "something else", sz);
		break;
	}
}

/*
 * Bytes, with an optional binary suffix.  KB, MB... mean KiB, MiB...:
 * nobody sizing a memory map means powers of ten, and accepting both
 * spellings with one meaning beats refusing the common one.
 */
static int
parse_size(const char *s, uint64_t *out)
{
	static const struct {
		const char	*sfx;
		unsigned	 shift;
	} sfx[] = {
		{ "", 0 },
		{ "KiB", 10 }, { "KB", 10 },
		{ "MiB", 20 }, { "MB", 20 },
		{ "GiB", 30 }, { "GB", 30 },
		{ "TiB", 40 }, { "TB", 40 },
	};
	const char *p = s;
	uint64_t n = 0;
	unsigned d;
	size_t i;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		d = (unsigned)(*p - '0');
		if (n > (UINT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	if (*p == ' ' && p[1] != '\0')
		p++;
	for (i = 0; i < nitems(sfx); i++) {
		if (strcasecmp(p, sfx[i].sfx) != 0)
			continue;
		if (n > (UINT64_MAX >> sfx[i].shift))
			return -1;
		*out = n << sfx[i].shift;
		return 0;
	}
	return -1;
}

/* The exact inverse of parse_size: the largest exact binary unit. */
static void
fmt_size(char *buf, size_t sz, uint64_t v)
{
	static const struct {
		const char	*sfx;
		unsigned	 shift;
	} u[] = {
		{ "TiB", 40 }, { "GiB", 30 }, { "MiB", 20 }, { "KiB", 10 },
	};
	size_t i;

	for (i = 0; v != 0 && i < nitems(u); i++) {
		if ((v & ((UINT64_C(1) << u[i].shift) - 1)) == 0) {
			(void)fx_snprintf(buf, sz, "%llu%s",
			    (unsigned long long)(v >> u[i].shift), u[i].sfx);
			return;
		}
	}
	(void)fx_snprintf(buf, sz, "%llu", (unsigned long long)v);
}

/*
 * "7,30,60": up to FX_DAYS_MAX day counts within [min, max], each above
 * the one before; spaces around the numbers are allowed.
 */
static int
parse_days(const char *s, const struct ckey *k, struct fx_days *out)
{
	struct fx_days d;
	long long v;

	memset(&d, 0, sizeof(d));
	for (;;) {
		while (*s == ' ')
			s++;
		if (*s < '0' || *s > '9')
			return -1;
		for (v = 0; *s >= '0' && *s <= '9'; s++) {
			v = v * 10 + (*s - '0');
			if (v > k->max)
				return -1;
		}
		while (*s == ' ')
			s++;
		if (v < k->min || d.n == FX_DAYS_MAX ||
		    (d.n > 0 && v <= d.v[d.n - 1]))
			return -1;
		d.v[d.n++] = (int32_t)v;
		if (*s == '\0')
			break;
		if (*s++ != ',')
			return -1;
	}
	*out = d;
	return 0;
}

static void
fmt_days(char *buf, size_t sz, const struct fx_days *d)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < d->n && n < sz; i++)
		n += (size_t)snprintf(buf + n, sz - n, "%s%d", i > 0 ? "," : "",
		    (int)d->v[i]);
}

/*
 * Store value v (len bytes; null if YAML reads it as null) into the member
 * for k.  On failure put the reason into why, after "section.key: ".
 */
static int
convert(struct fx_conf *c, const struct ckey *k, const char *v, size_t len,
    int null, char *why, size_t whysz)
{
	char w[128], q[96], m[32];
	const unsigned char *p;
	long long ll;
	uint64_t u;
	char *end, **sp;
	size_t i;

	what(k, w, sizeof(w));
	if (k->empty && k->type == CT_STR && (null || len == 0)) {
		sp = member(c, k);
		free(*sp);
		*sp = fx_strdup("");
		return 0;
	}
	if (null || len == 0) {
		(void)fx_snprintf(why, whysz, "expected %s, got nothing", w);
		return -1;
	}
	fx_quote(q, sizeof(q), v);
	switch (k->type) {
	case CT_STR:
	case CT_PATH:
		/* C0, DEL and C1 (U+0080..U+009F, UTF-8 C2 80..C2 9F). */
		for (p = (const unsigned char *)v; *p != '\0'; p++) {
			if (*p < 0x20 || *p == 0x7f ||
			    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
				(void)fx_snprintf(why, whysz, "expected %s "
				    "without control characters, got \"%s\"",
				    w, q);
				return -1;
			}
		}
		sp = member(c, k);
		free(*sp);
		if (k->type == CT_PATH)
			*sp = fx_path_join(c->root, v);
		else
			*sp = fx_strdup(v);
		return 0;
	case CT_BOOL:
		if (strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0)
			*(int *)member(c, k) = 1;
		else if (strcasecmp(v, "false") == 0 ||
		    strcasecmp(v, "no") == 0)
			*(int *)member(c, k) = 0;
		else
			break;
		return 0;
	case CT_INT:
		if (!(v[0] == '-' || v[0] == '+' ||
		    (v[0] >= '0' && v[0] <= '9')))
			break;
		errno = 0;
		ll = strtoll(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' ||
		    ll < k->min || ll > k->max)
			break;
		*(int *)member(c, k) = (int)ll;
		return 0;
	case CT_SIZE:
		if (parse_size(v, &u) == -1)
			break;
		if (u < (uint64_t)k->min) {
			fmt_size(m, sizeof(m), (uint64_t)k->min);
			(void)fx_snprintf(why, whysz, "expected a size of at "
			    "least %s, got \"%s\"", m, q);
			return -1;
		}
		*(uint64_t *)member(c, k) = u;
		return 0;
	case CT_DAYS:
		if (parse_days(v, k, member(c, k)) == -1)
			break;
		return 0;
	case CT_ENUM:
		for (i = 0; k->names[i] != NULL; i++) {
			if (strcmp(v, k->names[i]) == 0) {
				*(int *)member(c, k) = (int)i;
				return 0;
			}
		}
		break;
	}
	(void)fx_snprintf(why, whysz, "expected %s, got \"%s\"", w, q);
	return -1;
}

static int
bad(struct rd *r, const yaml_mark_t *mk, const char *fmt, ...)
{
	char msg[sizeof(r->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fx_err_setloc(r->err, FX_ECONFIG, r->file,
	    mk ? (long)mk->line + 1 : 0, mk ? (long)mk->column + 1 : 0,
	    "%s", msg);
}

/* Normalise a libyaml failure (its 1/0 plus problem and mark). */
static int
yaml_fail(struct rd *r)
{
	const yaml_parser_t *yp = &r->parser;
	const char *problem = yp->problem ? yp->problem : "cannot parse";
	yaml_mark_t mk;
	size_t i, off;

	switch (yp->error) {
	case YAML_MEMORY_ERROR:
		FX_BUG("out of memory in libyaml");
	case YAML_READER_ERROR:
		/*
		 * The reader reports a byte offset, not a mark: count lines
		 * and characters (UTF-8 lead bytes) up to it ourselves.
		 */
		memset(&mk, 0, sizeof(mk));
		off = yp->problem_offset < r->len ? yp->problem_offset : r->len;
		for (i = 0; i < off; i++) {
			if (r->buf[i] == '\n') {
				mk.line++;
				mk.column = 0;
			} else if (((unsigned char)r->buf[i] & 0xc0) != 0x80)
				mk.column++;
		}
		if (yp->problem_value != -1)
			return bad(r, &mk, "%s (byte 0x%02x)", problem,
			    (unsigned)yp->problem_value & 0xff);
		return bad(r, &mk, "%s", problem);
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
		return bad(r, &yp->problem_mark, "%s", problem);
	default:
		return bad(r, NULL, "%s", problem);
	}
}

/*
 * Read the next event into r->ev, freeing the last one.  Everything that
 * is refused wherever it appears is refused here: anchors and aliases
 * (a config file has no use for them, and they make "where was this set"
 * ambiguous), tags, and NUL characters in scalars.
 */
static int
next(struct rd *r)
{
	const yaml_event_t *ev = &r->ev;
	const yaml_char_t *anchor = NULL, *tag = NULL;

	if (r->have_ev) {
		yaml_event_delete(&r->ev);
		r->have_ev = 0;
	}
	if (!yaml_parser_parse(&r->parser, &r->ev))
		return yaml_fail(r);
	r->have_ev = 1;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return bad(r, &ev->start_mark,
		    "aliases and anchors are not allowed");
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		if (strlen((const char *)ev->data.scalar.value) !=
		    ev->data.scalar.length)
			return bad(r, &ev->start_mark,
			    "NUL characters are not allowed");
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	default:
		break;
	}
	if (anchor != NULL)
		return bad(r, &ev->start_mark,
		    "aliases and anchors are not allowed");
	if (tag != NULL)
		return bad(r, &ev->start_mark, "tags are not allowed");
	return 0;
}

/* The keys of section sec (its first row); r->ev is its MAPPING_START. */
static int
parse_section(struct rd *r, size_t sec)
{
	const char *name, *sname = keys[sec].sec;
	char g[128], q[96], w[128], why[sizeof(r->err->msg)];
	yaml_mark_t mk;
	size_t k;

	for (;;) {
		if (next(r) == -1)
			return -1;
		if (r->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (r->ev.type != YAML_SCALAR_EVENT) {
			got(&r->ev, g, sizeof(g));
			return bad(r, &r->ev.start_mark, "expected a key name "
			    "in section \"%s\", got %s", sname, g);
		}
		name = (const char *)r->ev.data.scalar.value;
		for (k = sec; k < NKEYS && strcmp(keys[k].sec, sname) == 0;
		    k++)
			if (strcmp(keys[k].key, name) == 0)
				break;
		if (k == NKEYS || strcmp(keys[k].sec, sname) != 0)
			return bad(r, &r->ev.start_mark, "unknown key \"%s\" "
			    "in section \"%s\"", fx_quote(q, sizeof(q), name),
			    sname);
		if (r->seen[k])
			return bad(r, &r->ev.start_mark, "duplicate key \"%s\" "
			    "in section \"%s\"", keys[k].key, sname);
		r->seen[k] = 1;

		if (next(r) == -1)
			return -1;
		mk = r->ev.start_mark;
		r->mark[k] = mk;
		if (r->ev.type != YAML_SCALAR_EVENT) {
			what(&keys[k], w, sizeof(w));
			got(&r->ev, g, sizeof(g));
			return bad(r, &mk, "%s.%s: expected %s, got %s",
			    sname, keys[k].key, w, g);
		}
		if (convert(r->conf, &keys[k],
		    (const char *)r->ev.data.scalar.value,
		    r->ev.data.scalar.length, is_null(&r->ev), why,
		    sizeof(why)) == -1)
			return bad(r, &mk, "%s.%s: %s", sname, keys[k].key,
			    why);
	}
}

/* The sections; r->ev is the document's MAPPING_START. */
static int
parse_root(struct rd *r)
{
	const char *name;
	char g[128], q[96];
	size_t s;

	for (;;) {
		if (next(r) == -1)
			return -1;
		if (r->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (r->ev.type != YAML_SCALAR_EVENT) {
			got(&r->ev, g, sizeof(g));
			return bad(r, &r->ev.start_mark,
			    "expected a section name, got %s", g);
		}
		name = (const char *)r->ev.data.scalar.value;
		for (s = 0; s < NKEYS; s++)
			if (strcmp(keys[s].sec, name) == 0)
				break;
		if (s == NKEYS)
			return bad(r, &r->ev.start_mark,
			    "unknown section \"%s\"",
			    fx_quote(q, sizeof(q), name));
		if (r->secseen[s])
			return bad(r, &r->ev.start_mark,
			    "duplicate section \"%s\"", keys[s].sec);
		r->secseen[s] = 1;

		if (next(r) == -1)
			return -1;
		/* "store:" with every key commented out is an empty section. */
		if (is_null(&r->ev))
			continue;
		if (r->ev.type != YAML_MAPPING_START_EVENT) {
			got(&r->ev, g, sizeof(g));
			return bad(r, &r->ev.start_mark,
			    "%s: expected a mapping of keys, got %s",
			    keys[s].sec, g);
		}
		if (parse_section(r, s) == -1)
			return -1;
	}
}

/* The stream: nothing at all, or one document that is a mapping or null. */
static int
parse(struct rd *r)
{
	char g[128];

	if (next(r) == -1)
		return -1;
	if (r->ev.type != YAML_STREAM_START_EVENT)
		FX_BUG("libyaml: no stream start");
	if (next(r) == -1)
		return -1;
	if (r->ev.type == YAML_STREAM_END_EVENT)
		return 0;
	if (next(r) == -1)
		return -1;
	if (r->ev.type == YAML_MAPPING_START_EVENT) {
		if (parse_root(r) == -1)
			return -1;
	} else if (!is_null(&r->ev)) {
		got(&r->ev, g, sizeof(g));
		return bad(r, &r->ev.start_mark,
		    "expected a mapping of sections, got %s", g);
	}
	if (next(r) == -1)		/* DOCUMENT_END */
		return -1;
	if (next(r) == -1)
		return -1;
	if (r->ev.type == YAML_DOCUMENT_START_EVENT)
		return bad(r, &r->ev.start_mark,
		    "only one document is allowed");
	return 0;
}

/* Rules between keys. */
static int
check(struct rd *r)
{
	const struct fx_conf *c = r->conf;
	char a[32], b[32];
	size_t i, at = NKEYS;

	if (c->map_max < c->map_size) {
		/* Point at whichever of the two the file set, max first. */
		for (i = 0; i < NKEYS; i++) {
			if (keys[i].off == OFF(map_max) && r->seen[i])
				at = i;
			if (keys[i].off == OFF(map_size) && r->seen[i] &&
			    at == NKEYS)
				at = i;
		}
		fmt_size(a, sizeof(a), c->map_max);
		fmt_size(b, sizeof(b), c->map_size);
		return bad(r, at < NKEYS ? &r->mark[at] : NULL,
		    "store.map_max (%s) is less than store.map_size (%s)",
		    a, b);
	}
	return 0;
}

/*
 * Read the whole file, at most CONF_MAX_FILE bytes.  libyaml then parses
 * from memory, and reader errors can be placed by their byte offset.
 */
static int
read_file(const char *path, char **bufp, size_t *lenp, struct fx_err *err)
{
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	*bufp = NULL;
	*lenp = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		fx_err_sys(err, FX_ENOINPUT, "cannot open");
		if (err != NULL)
			fx_strlcpy(err->file, path, sizeof(err->file));
		return -1;
	}
	buf = fx_malloc(CONF_MAX_FILE + 1);
	for (;;) {
		n = read(fd, buf + len, CONF_MAX_FILE + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fx_err_sys(err, errno == EISDIR ? FX_ENOINPUT : FX_EIO,
			    "cannot read");
			if (err != NULL)
				fx_strlcpy(err->file, path, sizeof(err->file));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CONF_MAX_FILE) {
			fx_err_setloc(err, FX_ECONFIG, path, 0, 0,
			    "file is larger than 1MiB");
			goto fail;
		}
	}
	close(fd);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
 fail:
	free(buf);
	close(fd);
	return -1;
}

/*
 * The instance directory, made absolute so that every path in the struct
 * is: a daemon that changes directory after reading the configuration
 * must still find the same store.
 */
static char *
abs_root(const char *root, struct fx_err *err)
{
	char *cwd = NULL, *p;
	size_t cap = 0;

	if (root == NULL)
		root = FX_ROOTDIR;
	if (root[0] == '\0') {
		fx_err_set(err, FX_EUSAGE, "the instance directory is empty");
		return NULL;
	}
	if (root[0] == '/')
		return fx_strdup(root);
	for (;;) {
		cwd = fx_grow(cwd, &cap, cap + 256, 1);
		if (getcwd(cwd, cap) != NULL)
			break;
		if (errno != ERANGE) {
			fx_err_sys(err, FX_ENOINPUT,
			    "cannot find the current directory");
			free(cwd);
			return NULL;
		}
	}
	p = strcmp(root, ".") == 0 ? fx_strdup(cwd) : fx_path_join(cwd, root);
	free(cwd);
	return p;
}

int
fx_conf_load(struct fx_conf *conf, const char *path, const char *root,
    struct fx_err *err)
{
	struct rd *r;
	char why[sizeof(err->msg)];
	char *buf = NULL;
	size_t i, len;
	int rc = -1;

	memset(conf, 0, sizeof(*conf));
	if ((conf->root = abs_root(root, err)) == NULL)
		return -1;
	for (i = 0; i < NKEYS; i++)
		if (convert(conf, &keys[i], keys[i].def, strlen(keys[i].def),
		    0, why, sizeof(why)) == -1)
			FX_BUG("default of %s.%s: %s", keys[i].sec,
			    keys[i].key, why);
	if (conf->map_max < conf->map_size)
		FX_BUG("default store.map_max is less than store.map_size");
	if (path == NULL)
		return 0;

	conf->path = fx_strdup(path);
	if (read_file(path, &buf, &len, err) == -1)
		goto done;
	r = fx_calloc(1, sizeof(*r));
	r->conf = conf;
	r->err = err;
	r->file = path;
	r->buf = buf;
	r->len = len;
	if (!yaml_parser_initialize(&r->parser))
		FX_BUG("out of memory in libyaml");
	/* The house is UTF-8; a UTF-16 file fails as invalid UTF-8. */
	yaml_parser_set_encoding(&r->parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&r->parser, (const unsigned char *)buf,
	    len);
	if (parse(r) == 0 && check(r) == 0)
		rc = 0;
	if (r->have_ev)
		yaml_event_delete(&r->ev);
	yaml_parser_delete(&r->parser);
	free(r);
 done:
	free(buf);
	if (rc == -1)
		fx_conf_release(conf);
	return rc;
}

void
fx_conf_release(struct fx_conf *conf)
{
	size_t i;

	if (conf == NULL)
		return;
	for (i = 0; i < NKEYS; i++)
		if (keys[i].type == CT_STR || keys[i].type == CT_PATH)
			free(*(char **)member(conf, &keys[i]));
	free(conf->path);
	free(conf->root);
	memset(conf, 0, sizeof(*conf));
}

/*
 * Whether s can be written as a plain scalar and read back as the same
 * string by any YAML reader: letters, digits, "_./-", inner spaces and
 * non-ASCII text, not starting like a number or an indicator, and not a
 * word YAML 1.1 would read as a bool or null.  Everything else is quoted.
 */
static int
plain_ok(const char *s)
{
	static const char *const words[] = {
		"true", "false", "yes", "no", "on", "off", "y", "n", "null",
	};
	const unsigned char *p = (const unsigned char *)s;
	size_t i, len = strlen(s);

	if (len == 0 || s[0] == ' ' || s[len - 1] == ' ')
		return 0;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    *p == '/' || *p == '_' || *p >= 0x80))
		return 0;
	for (i = 0; i < nitems(words); i++)
		if (strcasecmp(s, words[i]) == 0)
			return 0;
	for (; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
		    *p == '/' || *p == '-' || *p == ' ')
			continue;
		if (*p < 0x80)
			return 0;
		/*
		 * Non-ASCII is fine in a plain scalar except what libyaml
		 * takes as a break, a BOM or a non-character, or a C1
		 * control: NEL and C1 (C2 80..9F), LS and PS (E2 80 A8/A9),
		 * U+FEFF (EF BB BF), U+FFFE/F (EF BF BE/BF).
		 */
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
		if (p[0] == 0xe2 && p[1] == 0x80 &&
		    (p[2] == 0xa8 || p[2] == 0xa9))
			return 0;
		if (p[0] == 0xef && ((p[1] == 0xbb && p[2] == 0xbf) ||
		    (p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))))
			return 0;
	}
	return 1;
}

/* Write s as a YAML scalar, double-quoted with escapes unless plain_ok. */
static void
put_str(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (plain_ok(s)) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* \N is NEL; \xNN is the code point U+00NN. */
			if (p[1] == 0x85)
				fputs("\\N", fp);
			else
				fprintf(fp, "\\x%02x", p[1]);
			p++;
		} else if (p[0] == 0xe2 && p[1] == 0x80 &&
		    (p[2] == 0xa8 || p[2] == 0xa9)) {
			fputs(p[2] == 0xa8 ? "\\L" : "\\P", fp);
			p += 2;
		} else if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
			fputs("\\uFEFF", fp);
			p += 2;
		} else if (p[0] == 0xef && p[1] == 0xbf &&
		    (p[2] == 0xbe || p[2] == 0xbf)) {
			fputs(p[2] == 0xbe ? "\\uFFFE" : "\\uFFFF", fp);
			p += 2;
		} else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

int
fx_conf_dump(const struct fx_conf *c, FILE *fp, struct fx_err *err)
{
	const char *sec = NULL;
	const struct ckey *k;
	const void *m;
	char buf[64];
	size_t i, n;
	int v;

	/* Check everything before writing anything. */
	for (i = 0; i < NKEYS; i++) {
		k = &keys[i];
		m = cmember(c, k);
		if ((k->type == CT_STR || k->type == CT_PATH) &&
		    *(char *const *)m == NULL)
			return fx_err_set(err, FX_ESOFTWARE,
			    "%s.%s has no value", k->sec, k->key);
		if (k->type == CT_ENUM) {
			for (n = 0; k->names[n] != NULL; n++)
				continue;
			v = *(const int *)m;
			if (v < 0 || (size_t)v >= n)
				return fx_err_set(err, FX_ESOFTWARE,
				    "%s.%s has no name for %d", k->sec, k->key,
				    v);
		}
	}

	for (i = 0; i < NKEYS; i++) {
		k = &keys[i];
		m = cmember(c, k);
		if (sec == NULL || strcmp(sec, k->sec) != 0) {
			fprintf(fp, "%s:\n", k->sec);
			sec = k->sec;
		}
		fprintf(fp, "  %s: ", k->key);
		switch (k->type) {
		case CT_STR:
		case CT_PATH:
			put_str(fp, *(char *const *)m);
			break;
		case CT_BOOL:
			fputs(*(const int *)m ? "true" : "false", fp);
			break;
		case CT_INT:
			fprintf(fp, "%d", *(const int *)m);
			break;
		case CT_SIZE:
			fmt_size(buf, sizeof(buf), *(const uint64_t *)m);
			fputs(buf, fp);
			break;
		case CT_ENUM:
			fputs(k->names[*(const int *)m], fp);
			break;
		case CT_DAYS:
			fmt_days(buf, sizeof(buf), m);
			put_str(fp, buf);
			break;
		}
		fputc('\n', fp);
	}
	if (fflush(fp) == EOF || ferror(fp))
		return fx_err_sys(err, FX_EIO,
		    "cannot write the configuration");
	return 0;
}
