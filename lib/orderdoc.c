/*
 * orderdoc.c -- an order's documents: the invoice, waybill and list of
 * cancelled lines made here as XLSX from the order as stored, and the
 * files 1C sends for an order (a PDF invoice, a scanned waybill), kept
 * content-addressed under the spool.
 *
 * Generated documents are laid out as arxlsx.c lays out its workbooks:
 * strings and numbers only, never formulas; money in roubles with a
 * rouble format, quantities with as many decimals as they have.  The
 * invoice bills what was ordered and not cancelled by 1C; the waybill
 * what 1C reported shipped; the cancelled list what 1C cancelled.  A
 * document that has nothing to list is refused (FX_ENOTFOUND), not
 * written empty.
 *
 * 1C's files arrive as "orderdoc-NUMBER-NAME" in spool/1c/in (formixd,
 * or formix-admin import) or through "formix-order docs --add" (staff).
 * The bytes go to spool/documents/XX/SHA256 by the durable protocol
 * before the transaction that records them commits, so a record never
 * names a file that is not on disk; a crash in between leaves at most a
 * content file no record names, which the retry finds in place.  The
 * record is order_docs "NUMBER \0 NAME": the same name again with other
 * bytes replaces the record (1C sent a new version; the old bytes stay
 * on disk), with the same bytes it is "already applied".  NAME is shown,
 * never used as a path: a copy written out gets a name made of safe
 * characters only.  Content files no record names (a package refused
 * after its document was stored, bytes a new version replaced) are swept
 * by fx_spool_gc (attach.c) once an hour old.
 *
 * NEEDSWORK: 1C's files name the Formix order number; 1C's own number
 * (number_1c) has no index yet.  A document is read whole into memory (documents.max_size bounds it).
 * The applied mark of a 1C file is its name and bytes: version 1 sent
 * again after version 2 replaced it is "already applied", and stays
 * replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "fx-xlsx.h"

#define ODOC_PREFIX	"orderdoc-"
#define NAME_MAX_	200	/* bytes of a document's name */
#define DOCS_DIR	"documents"

/* -- The record ------------------------------------------------------ */

#define F(t, s, m)	{ t, offsetof(struct s, m), 0 }
static const struct fx_field odoc_f[] = {
	F(FX_FT_STR, fx_odoc, order), F(FX_FT_STR, fx_odoc, name),
	F(FX_FT_STR, fx_odoc, sha256), F(FX_FT_I64, fx_odoc, size),
	F(FX_FT_STR, fx_odoc, received), F(FX_FT_STR, fx_odoc, kind),
	F(FX_FT_STR, fx_odoc, source),
	{ FX_FT_END, 0, 0 }
};
#undef F
const struct fx_rectype fx_rt_odoc = { "order_doc", 1, odoc_f };

void
fx_odoc_release(struct fx_odoc *d)
{
	if (d != NULL)
		fx_rec_release(&fx_rt_odoc, d);
}

void
fx_odocs_free(struct fx_odoc *v, size_t n)
{
	fx_rec_vfree(&fx_rt_odoc, v, n, sizeof(*v));
}

/* -- Names ------------------------------------------------------------ */

int
fx_odoc_name_check(const char *name, char *why, size_t whysz)
{
	const unsigned char *p;
	char tmp[8];

	if (name == NULL || *name == '\0') {
		(void)snprintf(why, whysz, "an empty document name");
		return -1;
	}
	if (strlen(name) > NAME_MAX_) {
		(void)snprintf(why, whysz, "a document name longer than %d "
		    "bytes", NAME_MAX_);
		return -1;
	}
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			(void)snprintf(why, whysz, "a document name with a "
			    "control character");
			return -1;
		}
	if (strchr(name, '/') != NULL || strchr(name, '\\') != NULL) {
		(void)snprintf(why, whysz, "a document name with a slash");
		return -1;
	}
	if (name[0] == '.') {
		(void)snprintf(why, whysz, "a document name starting with "
		    "'.'");
		return -1;
	}
	if (fx_fold(name, tmp, sizeof(tmp)) == -1) {
		(void)snprintf(why, whysz, "a document name that is not "
		    "valid UTF-8");
		return -1;
	}
	return 0;
}

int
fx_odoc_file_name(const char *base, char *number, size_t numsz,
    const char **name)
{
	const char *p, *dash;
	size_t n;

	if (strncmp(base, ODOC_PREFIX, strlen(ODOC_PREFIX)) != 0)
		return 0;
	p = base + strlen(ODOC_PREFIX);
	if ((dash = strchr(p, '-')) == NULL)
		dash = p + strlen(p);
	n = (size_t)(dash - p);
	if (n >= numsz)
		n = numsz - 1;
	memcpy(number, p, n);
	number[n] = '\0';
	*name = *dash == '-' ? dash + 1 : dash;
	return 1;
}

/* The order's number as given: 1 to 16 digits. */
static int
number_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return i > 0 && i <= 16;
}

/* What the bytes are, by their start. */
static const char *
sniff(const unsigned char *p, size_t n)
{
	if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return "pdf";
	if (n >= 4 && memcmp(p, "PK\003\004", 4) == 0)
		return "zip";
	if (n >= 8 && memcmp(p, "\320\317\021\340\241\261\032\341", 8) == 0)
		return "ole";
	if (n >= 3 && memcmp(p, "\377\330\377", 3) == 0)
		return "jpeg";
	if (n >= 8 && memcmp(p, "\211PNG\r\n\032\n", 8) == 0)
		return "png";
	if (n >= 4 && (memcmp(p, "II*\0", 4) == 0 ||
	    memcmp(p, "MM\0*", 4) == 0))
		return "tiff";
	if (n >= 5 && memcmp(p, "<?xml", 5) == 0)
		return "xml";
	return "other";
}

int
fx_odoc_applied_key(const char *base, const char *sha, char out[65],
    struct fx_err *err)
{
	struct fx_buf b = { NULL, 0, 0 };
	int rc;

	fx_buf_adds(&b, "orderdoc");
	fx_buf_addc(&b, '\0');
	fx_buf_adds(&b, base);
	fx_buf_addc(&b, '\0');
	fx_buf_adds(&b, sha);
	rc = fx_sha256_buf(b.p, b.len, out, err);
	fx_buf_release(&b);
	return rc;
}

/*
 * Read a whole document (a regular file, not followed if a link) of at
 * most documents.max_size bytes.  *data returned new.  label names the
 * file in messages.
 */
static int
read_doc(struct fx_ctx *ctx, const char *path, const char *label,
    char **data, size_t *len, struct fx_err *err)
{
	struct stat st;
	size_t off = 0;
	ssize_t r;
	int fd;

	*data = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ELOOP)
			return fx_err_setloc(err, FX_EDATA, label, 0, 0,
			    "a symbolic link, not a file");
		fx_err_sys(err, FX_ENOINPUT, "cannot open");
		fx_strlcpy(err->file, label, sizeof(err->file));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		close(fd);
		fx_err_sys(err, FX_EIO, "stat");
		fx_strlcpy(err->file, label, sizeof(err->file));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fx_err_setloc(err, FX_EDATA, label, 0, 0,
		    "not a regular file");
	}
	if ((uint64_t)st.st_size > ctx->conf.doc_max_size) {
		close(fd);
		return fx_err_setloc(err, FX_EDATA, label, 0, 0, "document of "
		    "%llu bytes is over documents.max_size (%llu)",
		    (unsigned long long)st.st_size,
		    (unsigned long long)ctx->conf.doc_max_size);
	}
	if (st.st_size == 0) {
		close(fd);
		return fx_err_setloc(err, FX_EDATA, label, 0, 0,
		    "empty file");
	}
	*data = fx_malloc((size_t)st.st_size);
	while (off < (size_t)st.st_size) {
		r = read(fd, *data + off, (size_t)st.st_size - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;	/* shrank under us */
			fx_err_sys(err, FX_EIO, "read");
			fx_strlcpy(err->file, label, sizeof(err->file));
			close(fd);
			free(*data);
			*data = NULL;
			return -1;
		}
		off += (size_t)r;
	}
	close(fd);
	*len = off;
	return 0;
}

/* spool/documents/XX (absolute), created if missing; returned new. */
static char *
content_dir(struct fx_ctx *ctx, const char *sha, struct fx_err *err)
{
	char sub[8], *top, *dir;

	top = fx_path_join(ctx->conf.spool_path, DOCS_DIR);
	(void)snprintf(sub, sizeof(sub), "%.2s", sha);
	dir = fx_path_join(top, sub);
	if ((mkdir(top, 0750) == -1 && errno != EEXIST) ||
	    (mkdir(dir, 0750) == -1 && errno != EEXIST)) {
		fx_err_sys(err, FX_ECANTCREAT, "mkdir %s", dir);
		free(top);
		free(dir);
		return NULL;
	}
	/* A directory made here must itself survive a crash. */
	if (fx_spool_fsync_dir(ctx->conf.spool_path, err) == -1 ||
	    fx_spool_fsync_dir(top, err) == -1) {
		free(top);
		free(dir);
		return NULL;
	}
	free(top);
	return dir;
}

/*
 * Put the bytes in place under their hash, by the durable protocol.  A
 * file already there of the right size is the same bytes (it got there
 * by a rename, whole): nothing to write.
 */
static int
content_put(struct fx_ctx *ctx, const char *sha, const char *data,
    size_t len, struct fx_err *err)
{
	struct stat st;
	char *dir, *path;
	int rc;

	if ((dir = content_dir(ctx, sha, err)) == NULL)
		return -1;
	path = fx_path_join(dir, sha);
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size == (uint64_t)len)
		rc = 0;
	else
		rc = fx_spool_write_at(ctx, dir, sha, data, len, err);
	free(path);
	free(dir);
	return rc;
}

/* -- Recording a document ------------------------------------------- */

struct putarg {
	struct fx_ctx	*ctx;
	const char	*number;
	const char	*name;
	const char	*label;		/* the file in messages */
	const char	*data;
	size_t		 len;
	const char	*sha;
	const char	*source;
	int		 dryrun;
	int		 staff;		/* the same bytes again: refused */
	struct fx_odoc	*out;		/* may be NULL */
	int		 changed;	/* a record was written */
};

static int
put_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct putarg *a = arg;
	struct fx_buf k = { NULL, 0, 0 }, rec = { NULL, 0, 0 };
	struct fx_odoc d, old;
	char now[32], q[128], obj[64];
	int found, rc = -1;

	memset(&old, 0, sizeof(old));
	a->changed = 0;
	if ((found = fx_db_get(t, FX_K_ORDER, a->number, strlen(a->number),
	    NULL, NULL, err)) == -1)
		return -1;
	if (found == 1) {
		fx_quote(q, sizeof(q), a->number);
		if (a->staff)
			return fx_err_set(err, FX_ENOTFOUND, "unknown order "
			    "\"%s\"", q);
		return fx_err_setloc(err, FX_EDATA, a->label, 0, 0,
		    "unknown order \"%s\"", q);
	}
	fx_buf_key(&k, a->number, a->name, (char *)NULL);
	if ((found = fx_db_getrec(t, FX_K_ODOC, k.p, k.len, &fx_rt_odoc, &old,
	    err)) == -1)
		goto out;
	if (found == 0 && strcmp(old.sha256, a->sha) == 0) {
		if (a->staff) {
			fx_err_set(err, FX_ENEGATIVE, "%s: already applied as "
			    "document \"%s\" of order %s on %.10s", a->label,
			    fx_quote(q, sizeof(q), a->name), a->number,
			    old.received);
			goto out;
		}
		/* 1C sent the same bytes under the same name: no change. */
		if (a->out != NULL) {
			*a->out = old;
			memset(&old, 0, sizeof(old));
		}
		rc = 0;
		goto out;
	}
	/* The bytes are on disk before the record that names them. */
	if (!a->dryrun && content_put(a->ctx, a->sha, a->data, a->len,
	    err) == -1)
		goto out;
	fx_now_iso(now, sizeof(now));
	d.order = (char *)a->number;
	d.name = (char *)a->name;
	d.sha256 = (char *)a->sha;
	d.size = (int64_t)a->len;
	d.received = now;
	d.kind = (char *)sniff((const unsigned char *)a->data, a->len);
	d.source = (char *)a->source;
	(void)snprintf(obj, sizeof(obj), "%s", a->number);
	if (fx_db_putrec(t, FX_K_ODOC, k.p, k.len, &fx_rt_odoc, &d, &rec,
	    err) == -1 ||
	    fx_audit_add(a->ctx, t, "order.doc", obj, a->name,
	    found == 0 ? old.sha256 : "", a->sha, err) == -1)
		goto out;
	a->changed = 1;
	if (a->out != NULL) {
		a->out->order = fx_strdup(d.order);
		a->out->name = fx_strdup(d.name);
		a->out->sha256 = fx_strdup(d.sha256);
		a->out->size = d.size;
		a->out->received = fx_strdup(d.received);
		a->out->kind = fx_strdup(d.kind);
		a->out->source = fx_strdup(d.source);
	}
	rc = 0;
out:
	fx_odoc_release(&old);
	fx_buf_release(&k);
	fx_buf_release(&rec);
	return rc;
}

int
fx_odoc_import(struct fx_ctx *ctx, struct fx_txn *t, const char *path,
    int dryrun, struct fx_import_stats *st, struct fx_err *err)
{
	struct putarg a;
	const char *base = strrchr(path, '/') != NULL ?
	    strrchr(path, '/') + 1 : path;
	const char *name;
	char number[32], why[128], sha[65], q[64];
	char *data = NULL;
	size_t len;
	int rc;

	if (!fx_odoc_file_name(base, number, sizeof(number), &name))
		FX_BUG("not an order document: %s", base);
	if (!number_ok(number))
		return fx_err_setloc(err, FX_EDATA, path, 0, 0, "not an order "
		    "number: \"%s\" (orderdoc-NUMBER-NAME)",
		    fx_quote(q, sizeof(q), number));
	if (fx_odoc_name_check(name, why, sizeof(why)) == -1)
		return fx_err_setloc(err, FX_EDATA, path, 0, 0, "%s "
		    "(orderdoc-NUMBER-NAME)", why);
	if (read_doc(ctx, path, path, &data, &len, err) == -1)
		return -1;
	if (fx_sha256_buf(data, len, sha, err) == -1) {
		free(data);
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	a.number = number;
	a.name = name;
	a.label = path;
	a.data = data;
	a.len = len;
	a.sha = sha;
	a.source = "1c";
	a.dryrun = dryrun;
	rc = put_txn(t, &a, err);
	if (rc == 0 && a.changed)
		st->order_docs++;
	free(data);
	return rc;
}

int
fx_odoc_add(struct fx_ctx *ctx, const char *number, const char *path,
    const char *name, struct fx_odoc *d, struct fx_err *err)
{
	struct putarg a;
	const char *label, *slash;
	char why[128], sha[65], who[128];
	char *data = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	if (fx_acl_check(ctx, FX_ACT_STAFF, NULL, NULL, err) == -1)
		return -1;
	slash = strrchr(path, '/');
	label = path;
	if (name == NULL)
		name = slash != NULL ? slash + 1 : path;
	if (fx_odoc_name_check(name, why, sizeof(why)) == -1)
		return fx_err_set(err, FX_EUSAGE, "%s", why);
	memset(&a, 0, sizeof(a));
	if (read_doc(ctx, path, label, &data, &a.len, err) == -1)
		return -1;
	if (fx_sha256_buf(data, a.len, sha, err) == -1) {
		free(data);
		return -1;
	}
	a.ctx = ctx;
	a.number = number;
	a.name = name;
	a.label = label;
	a.data = data;
	a.sha = sha;
	a.source = fx_actor_name(ctx, who, sizeof(who));
	a.staff = 1;
	a.out = d;
	rc = fx_db_write(ctx->db, put_txn, &a, err) == -1 ? -1 : 0;
	free(data);
	if (rc == -1)
		fx_odoc_release(d);
	return rc;
}

int
fx_odoc_list(struct fx_ctx *ctx, const char *number, struct fx_odoc **v,
    size_t *n, struct fx_err *err)
{
	struct fx_order o;
	struct fx_txn t;
	int r;

	*v = NULL;
	*n = 0;
	/* The access check is fx_order_get's. */
	if (fx_order_get(ctx, number, &o, NULL, NULL, err) == -1)
		return -1;
	fx_order_release(&o);
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		return -1;
	r = fx_db_read_owned(&t, FX_K_ODOC, number, &fx_rt_odoc, sizeof(**v),
	    (void **)v, n, err);
	fx_db_abort(&t);
	return r;
}

/* -- Writing out ------------------------------------------------------ */

/* A file name of safe characters only: NAME is never trusted as a path. */
static void
safe_name(char *out, size_t sz, const char *name)
{
	const unsigned char *p;
	size_t o = 0;

	for (p = (const unsigned char *)name; *p != '\0' && o + 1 < sz; p++) {
		unsigned char c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '_' || c == '+' || c >= 0x80)
			out[o++] = (char)c;
		else
			out[o++] = '_';
	}
	/* Names are checked to NAME_MAX_ bytes: callers' sz holds them. */
	out[o] = '\0';
}

int
fx_odoc_out_name(const struct fx_odoc *d, char *out, size_t sz)
{
	char s[NAME_MAX_ + 1];

	safe_name(s, sizeof(s), d->name);
	return fx_snprintf(out, sz, "doc-%s-%s", d->order, s);
}

int
fx_odoc_copy(struct fx_ctx *ctx, const struct fx_odoc *d, const char *dir,
    char *path, size_t pathsz, struct fx_err *err)
{
	char name[NAME_MAX_ + 64], sha[65], *cdir = NULL, *src = NULL;
	char *data = NULL;
	struct stat st;
	size_t off = 0;
	ssize_t r;
	int fd = -1, rc = -1;

	if (fx_odoc_out_name(d, name, sizeof(name)) == -1 ||
	    fx_snprintf(path, pathsz, "%s/%s", dir, name) == -1)
		return fx_err_set(err, FX_ECANTCREAT, "%s: path too long",
		    dir);
	cdir = fx_path_join(ctx->conf.spool_path, DOCS_DIR);
	(void)snprintf(sha, sizeof(sha), "%.2s", d->sha256);
	src = fx_path_join(cdir, sha);
	free(cdir);
	cdir = src;
	src = fx_path_join(cdir, d->sha256);

	/* Read it whole and check it against its name: a damaged store
	 * must not hand out other bytes. */
	if ((fd = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		fx_err_sys(err, FX_EIO, "document \"%s\" of order %s: %s",
		    d->name, d->order, src);
		goto out;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (int64_t)st.st_size != d->size) {
		fx_err_set(err, FX_EIO, "document \"%s\" of order %s: %s is "
		    "not the stored file", d->name, d->order, src);
		goto out;
	}
	data = fx_malloc(d->size > 0 ? (size_t)d->size : 1);
	while (off < (size_t)d->size) {
		r = read(fd, data + off, (size_t)d->size - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			fx_err_sys(err, FX_EIO, "read %s", src);
			goto out;
		}
		off += (size_t)r;
	}
	close(fd);
	fd = -1;
	if (fx_sha256_buf(data, off, sha, err) == -1)
		goto out;
	if (strcmp(sha, d->sha256) != 0) {
		fx_err_set(err, FX_EIO, "document \"%s\" of order %s: %s is "
		    "damaged (SHA-256 differs)", d->name, d->order, src);
		goto out;
	}

	/* Beside the target under a hidden name, then renamed over it. */
	if (fx_file_write(path, data, (size_t)d->size, err) == -1)
		goto out;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	free(data);
	free(src);
	free(cdir);
	return rc;
}

/* -- Generated documents --------------------------------------------- */

static const char *const gen_names[] = {
	[FX_ODOC_INVOICE] = "invoice",
	[FX_ODOC_WAYBILL] = "waybill",
	[FX_ODOC_CANCELLED] = "cancelled",
};

const char *
fx_odoc_gen_name(enum fx_odoc_gen g)
{
	if ((size_t)g >= nitems(gen_names) || gen_names[g] == NULL)
		return "?";
	return gen_names[g];
}

int
fx_odoc_gen_parse(const char *s, enum fx_odoc_gen *g)
{
	size_t i;

	for (i = 0; i < nitems(gen_names); i++)
		if (gen_names[i] != NULL && strcmp(s, gen_names[i]) == 0) {
			*g = (enum fx_odoc_gen)i;
			return 0;
		}
	return -1;
}

/* The quantity a document lists of a line. */
static int64_t
line_qty(enum fx_odoc_gen g, const struct fx_oline *l)
{
	int64_t q;

	switch (g) {
	case FX_ODOC_INVOICE:
		q = l->qty - (l->cancelled > 0 ? l->cancelled : 0);
		break;
	case FX_ODOC_WAYBILL:
		q = l->shipped;
		break;
	case FX_ODOC_CANCELLED:
		q = l->cancelled;
		break;
	default:
		FX_BUG("document %d", g);
	}
	return q > 0 ? q : 0;
}

/* The one rounding rule of the order (order.c): half up, per line. */
static int64_t
line_sum(enum fx_odoc_gen g, const struct fx_oline *l, int64_t q)
{
	if (g == FX_ODOC_INVOICE && q == l->qty && l->sum >= 0)
		return l->sum;	/* as the order was made: totals agree */
	return (l->price * q + 500) / 1000;
}

int
fx_order_doc_applies(const struct fx_oline *l, size_t n, enum fx_odoc_gen g)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (line_qty(g, &l[i]) > 0)
			return 1;
	return 0;
}

/* OKEI codes the catalog carries, as a document prints them. */
static const char *
unit_name(const char *code)
{
	static const struct {
		const char *code, *name;
	} units[] = {
		{ "796", "шт" }, { "166", "кг" }, { "163", "г" },
		{ "006", "м" }, { "055", "м2" }, { "113", "м3" },
		{ "112", "л" }, { "715", "пар" }, { "704", "набор" },
		{ "736", "рул" }, { "778", "упак" }, { "839", "компл" },
	};
	size_t i;

	for (i = 0; code != NULL && i < nitems(units); i++)
		if (strcmp(code, units[i].code) == 0)
			return units[i].name;
	return code != NULL && *code != '\0' ? code : "шт";
}

struct book {
	struct fx_xlsx	 x;
	lxw_worksheet	*ws;
	lxw_format	*title, *head, *bold, *money, *moneyb;
	lxw_format	*qty[4];	/* 0, 1, 2, 3 decimals */
	lxw_row_t	 row;
	uint64_t	 rows;
};

#define RUB	"#,##0.00\\ \"₽\""

static int
fmt_init(struct book *b)
{
	lxw_workbook *wb = b->x.wb;
	static const char *const qf[] = { "0", "0.0", "0.00", "0.000" };
	size_t i;

	if ((b->title = workbook_add_format(wb)) == NULL ||
	    (b->head = workbook_add_format(wb)) == NULL ||
	    (b->bold = workbook_add_format(wb)) == NULL ||
	    (b->money = workbook_add_format(wb)) == NULL ||
	    (b->moneyb = workbook_add_format(wb)) == NULL)
		return -1;
	format_set_bold(b->title);
	format_set_font_size(b->title, 14);
	format_set_bold(b->head);
	format_set_text_wrap(b->head);
	format_set_border(b->head, LXW_BORDER_THIN);
	format_set_bg_color(b->head, 0xDDEBF7);
	format_set_bold(b->bold);
	format_set_num_format(b->money, RUB);
	format_set_num_format(b->moneyb, RUB);
	format_set_bold(b->moneyb);
	for (i = 0; i < nitems(qf); i++) {
		if ((b->qty[i] = workbook_add_format(wb)) == NULL)
			return -1;
		format_set_num_format(b->qty[i], qf[i]);
	}
	return 0;
}

static void
str(struct book *b, lxw_col_t c, const char *s, lxw_format *f)
{
	if (s != NULL && *s != '\0')
		FX_XW(&b->x, worksheet_write_string(b->ws, b->row, c, s, f));
}

static void
money(struct book *b, lxw_col_t c, int64_t v, lxw_format *f)
{
	FX_XW(&b->x, worksheet_write_number(b->ws, b->row, c,
	    (double)v / 100.0, f != NULL ? f : b->money));
}

static void
qty(struct book *b, lxw_col_t c, int64_t q)
{
	int d = q % 1000 == 0 ? 0 : q % 100 == 0 ? 1 : q % 10 == 0 ? 2 : 3;

	FX_XW(&b->x, worksheet_write_number(b->ws, b->row, c,
	    (double)q / 1000.0, b->qty[d]));
}

static void
num(struct book *b, lxw_col_t c, double v)
{
	FX_XW(&b->x, worksheet_write_number(b->ws, b->row, c, v, b->qty[0]));
}

static void
endrow(struct book *b)
{
	b->row++;
	b->rows++;
}

/* "2026-11-27..." as "27.11.2026". */
static const char *
ru_date(char *buf, size_t sz, const char *iso)
{
	if (iso != NULL && strlen(iso) >= 10)
		(void)snprintf(buf, sz, "%.2s.%.2s.%.4s", iso + 8, iso + 5,
		    iso);
	else
		(void)snprintf(buf, sz, "—");
	return buf;
}

static void
party(char *buf, size_t sz, const struct fx_entity *e)
{
	const char *name = e->full_name[0] != '\0' ? e->full_name : e->name;
	size_t n;

	n = (size_t)snprintf(buf, sz, "%s, ИНН %s", name, e->inn);
	if (e->kpp[0] != '\0' && n < sz)
		n += (size_t)snprintf(buf + n, sz - n, ", КПП %s", e->kpp);
	if (e->address[0] != '\0' && n < sz)
		(void)snprintf(buf + n, sz - n, ", %s", e->address);
}

int
fx_order_doc_xlsx(struct fx_ctx *ctx, const char *number, enum fx_odoc_gen g,
    const char *dir, char *path, size_t pathsz, struct fx_err *err)
{
	static const char *const hinv[] = {
		"№", "Артикул", "Товар", "Ед.", "Количество", "Цена", "Сумма",
	};
	static const char *const hway[] = {
		"№", "Артикул", "Товар", "Ед.", "Заказано", "Отгружено",
		"Цена", "Сумма",
	};
	static const char *const hcan[] = {
		"№", "Артикул", "Товар", "Ед.", "Заказано", "Отменено", "Цена",
		"Сумма",
	};
	static const double winv[] = { 5, 16, 50, 7, 12, 14, 16 };
	static const double wway[] = { 5, 16, 50, 7, 12, 12, 14, 16 };
	struct fx_order o;
	struct fx_oline *l = NULL;
	struct fx_entity e;
	struct book b;
	const char *const *head;
	const double *widths;
	size_t n = 0, i, nh, nitem = 0;
	int64_t total = 0, vat, q, s;
	int rate = ctx->conf.doc_vat_rate, rc = -1;
	char buf[1024], p[900], d1[16], m[64];
	lxw_col_t c, cq;

	memset(&e, 0, sizeof(e));
	memset(&b, 0, sizeof(b));
	if (fx_order_get(ctx, number, &o, &l, &n, err) == -1)
		return -1;
	if (!fx_order_doc_applies(l, n, g)) {
		fx_err_set(err, FX_ENOTFOUND, "order %s: %s", o.number,
		    g == FX_ODOC_WAYBILL ? "nothing shipped yet: no waybill" :
		    g == FX_ODOC_CANCELLED ? "no line cancelled: no list of "
		    "cancelled lines" : "every line cancelled: no invoice");
		goto out;
	}
	if (fx_entity_get(ctx, o.entity, &e, err) == -1)
		goto out;
	if (fx_snprintf(path, pathsz, "%s/%s-%s.xlsx", dir,
	    fx_odoc_gen_name(g), o.number) == -1) {
		fx_err_set(err, FX_ECANTCREAT, "%s: path too long", dir);
		goto out;
	}
	if (fx_xlsx_open(&b.x, ctx, path, 0, err) == -1)
		goto out;
	if (fmt_init(&b) == -1 || (b.ws = workbook_add_worksheet(b.x.wb,
	    g == FX_ODOC_INVOICE ? "Счёт" : g == FX_ODOC_WAYBILL ?
	    "Накладная" : "Отменено")) == NULL) {
		fx_xlsx_abort(&b.x);
		fx_err_set(err, FX_ECANTCREAT, "%s: cannot make a sheet", path);
		goto out;
	}
	head = g == FX_ODOC_INVOICE ? hinv : g == FX_ODOC_WAYBILL ? hway :
	    hcan;
	nh = g == FX_ODOC_INVOICE ? nitems(hinv) : nitems(hway);
	widths = g == FX_ODOC_INVOICE ? winv : wway;
	for (c = 0; c < nh; c++)
		FX_XW(&b.x, worksheet_set_column(b.ws, c, c, widths[c], NULL));

	ru_date(d1, sizeof(d1), o.created);
	switch (g) {
	case FX_ODOC_INVOICE:
		(void)snprintf(buf, sizeof(buf), "Счёт на оплату № %s от %s",
		    o.number, d1);
		break;
	case FX_ODOC_WAYBILL:
		(void)snprintf(buf, sizeof(buf), "Товарная накладная по заказу "
		    "№ %s от %s", o.number, d1);
		break;
	default:
		(void)snprintf(buf, sizeof(buf), "Отменённые строки заказа "
		    "№ %s от %s", o.number, d1);
		break;
	}
	str(&b, 0, buf, b.title);
	endrow(&b);
	b.row++;
	(void)snprintf(buf, sizeof(buf), "Поставщик: %s",
	    ctx->conf.doc_supplier);
	str(&b, 0, buf, NULL);
	endrow(&b);
	if (g == FX_ODOC_INVOICE) {
		(void)snprintf(buf, sizeof(buf), "Банковские реквизиты: %s",
		    ctx->conf.doc_supplier_bank);
		str(&b, 0, buf, NULL);
		endrow(&b);
	}
	party(p, sizeof(p), &e);
	(void)snprintf(buf, sizeof(buf), "%s%s", g == FX_ODOC_WAYBILL ?
	    "Грузополучатель и плательщик: " : "Покупатель: ", p);
	str(&b, 0, buf, NULL);
	endrow(&b);
	if (e.contract[0] != '\0')
		(void)snprintf(buf, sizeof(buf), "Основание: договор %s, заказ "
		    "№ %s", e.contract, o.number);
	else
		(void)snprintf(buf, sizeof(buf), "Основание: заказ № %s",
		    o.number);
	str(&b, 0, buf, NULL);
	endrow(&b);
	if (o.number_1c[0] != '\0') {
		(void)snprintf(buf, sizeof(buf), "Номер заказа в 1С: %s%s%s",
		    o.number_1c, o.date_1c[0] != '\0' ? " от " : "",
		    o.date_1c[0] != '\0' ? ru_date(d1, sizeof(d1), o.date_1c) :
		    "");
		str(&b, 0, buf, NULL);
		endrow(&b);
	}
	b.row++;
	for (c = 0; c < nh; c++)
		str(&b, c, head[c], b.head);
	endrow(&b);

	cq = g == FX_ODOC_INVOICE ? 4 : 5;
	for (i = 0; i < n; i++) {
		if ((q = line_qty(g, &l[i])) == 0)
			continue;
		s = line_sum(g, &l[i], q);
		total += s;
		num(&b, 0, (double)++nitem);
		str(&b, 1, l[i].article, NULL);
		str(&b, 2, l[i].name, NULL);
		str(&b, 3, unit_name(l[i].unit_code), NULL);
		if (g != FX_ODOC_INVOICE)
			qty(&b, 4, l[i].qty);
		qty(&b, cq, q);
		money(&b, cq + 1, l[i].price, NULL);
		money(&b, cq + 2, s, NULL);
		endrow(&b);
	}
	str(&b, cq + 1, g == FX_ODOC_CANCELLED ? "Итого отменено:" : "Итого:",
	    b.bold);
	money(&b, cq + 2, total, b.moneyb);
	endrow(&b);
	if (g != FX_ODOC_CANCELLED) {
		vat = rate > 0 ? (total * rate * 2 + 100 + rate) /
		    (2 * (100 + rate)) : 0;
		if (rate > 0) {
			(void)snprintf(buf, sizeof(buf), "В том числе НДС %d%%:",
			    rate);
			str(&b, cq + 1, buf, b.bold);
			money(&b, cq + 2, vat, b.moneyb);
		} else
			str(&b, cq + 1, "Без НДС", b.bold);
		endrow(&b);
		str(&b, cq + 1, g == FX_ODOC_INVOICE ? "Всего к оплате:" :
		    "Всего отгружено:", b.bold);
		money(&b, cq + 2, total, b.moneyb);
		endrow(&b);
	}
	b.row++;
	(void)snprintf(buf, sizeof(buf), "Всего наименований %zu, на сумму "
	    "%s руб.", nitem, fx_money_fmt(m, sizeof(m), total, ' '));
	str(&b, 0, buf, NULL);
	endrow(&b);
	if (g == FX_ODOC_WAYBILL) {
		str(&b, 0, "Количество — отгруженное по данным 1С.", NULL);
		endrow(&b);
	}
	if (b.x.e != LXW_NO_ERROR) {
		fx_err_set(err, FX_ECANTCREAT, "%s: %s", path,
		    lxw_strerror(b.x.e));
		fx_xlsx_abort(&b.x);
		goto out;
	}
	rc = fx_xlsx_finish(&b.x, &b.rows, 1, err);
out:
	fx_order_release(&o);
	fx_olines_free(l, n);
	fx_entity_release(&e);
	return rc;
}
