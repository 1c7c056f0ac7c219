/*
 * attach.c -- a claim's attachments: what a file is, told from its
 * content; its display name; storage by content.
 *
 * A dealer sends photos, videos and documents.  The name is the dealer's
 * and proves nothing (an executable renamed photo.jpg is still an
 * executable), so the type comes from the first bytes, and only kinds a
 * claim needs are taken: JPEG, PNG, GIF, WebP, HEIC/HEIF, MP4/MOV and
 * other ISO media files, AVI, PDF, Office files (DOCX/XLSX: ZIP with
 * [Content_Types].xml; DOC/XLS: OLE2) and UTF-8 text.  Executables (ELF,
 * PE/MZ, Mach-O), scripts (#!) and anything unrecognised are refused.
 *
 * The name is kept only to be shown: it is never a path.  A name with a
 * '/', "." or "..", or a control character is refused rather than
 * cleaned, so that what is shown is what the dealer sent.
 *
 * Storage is by content: spool/attachments/XX/SHA256 (XX the first two
 * hex digits, so that no directory grows past 256 x its share), written
 * by the durable protocol (spool.c) before the records that name it
 * commit.  The same content attached twice is one file.
 *
 * The files are written OUTSIDE any write transaction: a 25 MiB video
 * synced under the store's write lock would hold back every other writer
 * (formixd, other users) for as long.  So an attach checks what it can
 * without the store (name, size, type), checks the claim, line and
 * per-claim size in a read transaction, stores the files, and only then
 * opens the write transaction, which checks all again (things may have
 * moved meanwhile) and records them.  A refusal there, or a crash
 * between the file and the commit, leaves a content file no record
 * names: harmless, the retry finds it in place, and fx_spool_gc
 * ("formix-admin gc") removes it once it is an hour old.  The write
 * transaction makes sure each file is still there (a sweep may have
 * taken an old unreferenced copy of the same content meanwhile) and
 * writes it again if not, which is rare enough to be done under the lock.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fx-int.h"

#define QSZ		96
#define NAME_MAX_	255	/* bytes of a display name */
#define ATT_DIR		"attachments"

static int
has(const unsigned char *p, size_t n, size_t off, const char *magic,
    size_t ml)
{
	return n >= off + ml && memcmp(p + off, magic, ml) == 0;
}

/* Does the buffer hold needle anywhere? */
static int
contains(const unsigned char *p, size_t n, const char *needle)
{
	size_t nl = strlen(needle), i;

	if (n < nl)
		return 0;
	for (i = 0; i + nl <= n; i++)
		if (p[i] == (unsigned char)needle[0] &&
		    memcmp(p + i, needle, nl) == 0)
			return 1;
	return 0;
}

/* Valid UTF-8 text: no NUL, no control characters but TAB LF FF CR. */
static int
is_text(const unsigned char *p, size_t n)
{
	size_t i = 0, k, l;
	unsigned long c;

	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n) {
		if (p[i] < 0x80) {
			if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
			    p[i] != '\f' && p[i] != '\r')
				return 0;
			if (p[i] == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf) {
			l = 2;
			c = p[i] & 0x1f;
		} else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			l = 3;
			c = p[i] & 0x0f;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			l = 4;
			c = p[i] & 0x07;
		} else
			return 0;
		if (i + l > n)
			return 0;
		for (k = 1; k < l; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (p[i + k] & 0x3f);
		}
		if ((l == 3 && c < 0x800) || (l == 4 && c < 0x10000) ||
		    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff ||
		    (c >= 0x80 && c < 0xa0))
			return 0;
		i += l;
	}
	return 1;
}

int
fx_attach_sniff(const void *data, size_t n, const char **type,
    struct fx_err *err)
{
	const unsigned char *p = data;

	*type = NULL;
	if (n == 0)
		return fx_err_set(err, FX_EDATA, "empty file");
	/* What is refused by name, so that the message says what it is. */
	if (has(p, n, 0, "\x7f" "ELF", 4))
		return fx_err_set(err, FX_EDATA, "an executable (ELF), not "
		    "a photo, video or document");
	if (has(p, n, 0, "MZ", 2))
		return fx_err_set(err, FX_EDATA, "a Windows executable (MZ), "
		    "not a photo, video or document");
	if (has(p, n, 0, "\xfe\xed\xfa\xce", 4) ||
	    has(p, n, 0, "\xfe\xed\xfa\xcf", 4) ||
	    has(p, n, 0, "\xce\xfa\xed\xfe", 4) ||
	    has(p, n, 0, "\xcf\xfa\xed\xfe", 4) ||
	    has(p, n, 0, "\xca\xfe\xba\xbe", 4))
		return fx_err_set(err, FX_EDATA, "an executable (Mach-O), not "
		    "a photo, video or document");
	if (has(p, n, 0, "#!", 2))
		return fx_err_set(err, FX_EDATA, "a script (#!), not a photo, "
		    "video or document");

	if (has(p, n, 0, "\xff\xd8\xff", 3))
		*type = "image/jpeg";
	else if (has(p, n, 0, "\x89PNG\r\n\x1a\n", 8))
		*type = "image/png";
	else if (has(p, n, 0, "GIF87a", 6) || has(p, n, 0, "GIF89a", 6))
		*type = "image/gif";
	else if (has(p, n, 0, "RIFF", 4) && has(p, n, 8, "WEBP", 4))
		*type = "image/webp";
	else if (has(p, n, 0, "RIFF", 4) && has(p, n, 8, "AVI ", 4))
		*type = "video/x-msvideo";
	else if (has(p, n, 4, "ftyp", 4) && n >= 12) {
		/* ISO base media: the major brand says which. */
		if (has(p, n, 8, "heic", 4) || has(p, n, 8, "heix", 4) ||
		    has(p, n, 8, "hevc", 4) || has(p, n, 8, "heim", 4) ||
		    has(p, n, 8, "heis", 4) || has(p, n, 8, "hevx", 4))
			*type = "image/heic";
		else if (has(p, n, 8, "mif1", 4) || has(p, n, 8, "msf1", 4))
			*type = "image/heif";
		else if (has(p, n, 8, "qt  ", 4))
			*type = "video/quicktime";
		else
			*type = "video/mp4";
	} else if (has(p, n, 0, "%PDF-", 5))
		*type = "application/pdf";
	else if (has(p, n, 0, "PK\x03\x04", 4)) {
		/* A ZIP is taken only as an Office Open XML file. */
		if (!contains(p, n, "[Content_Types].xml"))
			return fx_err_set(err, FX_EDATA, "a ZIP archive, not "
			    "an Office document (DOCX, XLSX)");
		if (contains(p, n, "word/"))
			*type = "application/vnd.openxmlformats-"
			    "officedocument.wordprocessingml.document";
		else if (contains(p, n, "xl/"))
			*type = "application/vnd.openxmlformats-"
			    "officedocument.spreadsheetml.sheet";
		else
			return fx_err_set(err, FX_EDATA, "a ZIP archive, not "
			    "an Office document (DOCX, XLSX)");
	} else if (has(p, n, 0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8))
		*type = "application/x-ole-storage";
	else if (is_text(p, n))
		*type = "text/plain";
	else
		return fx_err_set(err, FX_EDATA, "type not recognised (taken: "
		    "JPEG, PNG, GIF, WebP, HEIC, MP4, MOV, AVI, PDF, DOCX, "
		    "XLSX, DOC, XLS, UTF-8 text)");
	return 0;
}

int
fx_attach_name_check(const char *name, struct fx_err *err)
{
	const unsigned char *p;
	char q[QSZ], tmp[8];

	if (name == NULL || name[0] == '\0')
		return fx_err_set(err, FX_EDATA, "empty file name");
	if (strlen(name) > NAME_MAX_)
		return fx_err_set(err, FX_EDATA, "file name \"%s\" is longer "
		    "than %d bytes", fx_quote(q, sizeof(q), name), NAME_MAX_);
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return fx_err_set(err, FX_EDATA, "file name \"%s\" holds "
			    "a control character", fx_quote(q, sizeof(q),
			    name));
	if (fx_fold(name, tmp, sizeof(tmp)) == -1)
		return fx_err_set(err, FX_EDATA, "file name is not valid "
		    "UTF-8");
	if (strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0 || strstr(name, "..") == name)
		return fx_err_set(err, FX_EDATA, "file name \"%s\" would be a "
		    "path: a name is only shown, never used as a path",
		    fx_quote(q, sizeof(q), name));
	return 0;
}

/* mkdir that fsyncs the parent when it made the directory. */
static int
mkdir_durable(const char *parent, const char *dir, struct fx_err *err)
{
	if (mkdir(dir, 0750) == 0)
		return fx_spool_fsync_dir(parent, err);
	if (errno == EEXIST)
		return 0;
	return fx_err_sys(err, FX_ECANTCREAT, "mkdir %s", dir);
}

int
fx_attach_store(struct fx_ctx *ctx, const void *data, size_t len,
    const char sha256[65], struct fx_err *err)
{
	char sub[3], rel[32];
	char *top, *dir, *path;
	struct stat st;
	int rc = -1;

	memcpy(sub, sha256, 2);
	sub[2] = '\0';
	top = fx_path_join(ctx->conf.spool_path, ATT_DIR);
	dir = fx_path_join(top, sub);
	path = fx_path_join(dir, sha256);
	if (mkdir_durable(ctx->conf.spool_path, top, err) == -1 ||
	    mkdir_durable(top, dir, err) == -1)
		goto out;
	/*
	 * The same content is there already: one file (named by it).  Made
	 * young again, so that the sweep, which spares files younger than an
	 * hour, leaves it to the transaction about to name it.
	 */
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size == (uint64_t)len) {
		(void)utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW);
		rc = 0;
		goto out;
	}
	(void)snprintf(rel, sizeof(rel), "%s/%s", ATT_DIR, sub);
	rc = fx_spool_write(ctx, rel, sha256, data, len, err);
out:
	free(top);
	free(dir);
	free(path);
	return rc;
}

/* -- attaching -------------------------------------------------------- */

struct afile {
	const char	*path;
	const char	*name;		/* display */
	char		*data;
	size_t		 len;
	const char	*type;
	char		 sha[65];
};

/* Read path whole, within max bytes; FX_EDATA names the file. */
static int
read_file(const char *path, uint64_t max, char **data, size_t *len,
    struct fx_err *err)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	ssize_t r;
	int fd;

	*data = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		fx_err_sys(err, FX_ENOINPUT, "cannot open");
		(void)fx_strlcpy(err->file, path, sizeof(err->file));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fx_err_setloc(err, FX_EDATA, path, 0, 0, "not a regular "
		    "file");
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return fx_err_setloc(err, FX_EDATA, path, 0, 0, "file of %llu "
		    "bytes is over claims.max_file_size (%llu)",
		    (unsigned long long)st.st_size, (unsigned long long)max);
	}
	if (st.st_size == 0) {
		close(fd);
		return fx_err_setloc(err, FX_EDATA, path, 0, 0, "empty file");
	}
	buf = fx_malloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size + 1) {
		r = read(fd, buf + got, (size_t)st.st_size + 1 - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			fx_err_sys(err, FX_EIO, "read");
			(void)fx_strlcpy(err->file, path, sizeof(err->file));
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(buf);
		return fx_err_setloc(err, FX_EDATA, path, 0, 0, "file changed "
		    "while being read");
	}
	*data = buf;
	*len = got;
	return 0;
}

struct attarg {
	struct fx_ctx	*ctx;
	const char	*claim;
	int		 line;
	struct afile	*f;
	size_t		 n;
	struct fx_cfile	*out;
};

/*
 * What the store must allow: the claim seen, the actor's right to claim
 * for its entity, the line, the per-claim size.  In the read transaction
 * before the files are stored and again in the write one; *c returned
 * new on success.
 */
static int
attach_check(struct attarg *a, struct fx_txn *t, struct fx_claim *c,
    struct fx_err *err)
{
	struct fx_ctx *ctx = a->ctx;
	struct fx_buf k = { NULL, 0, 0 };
	char ln[16], sz1[32], sz2[32];
	uint64_t total;
	size_t i;
	int found, rc = -1;

	if (fx_claim_seen(ctx, t, a->claim, c, err) == -1)
		return -1;
	if (fx_acl_check_txn(ctx, t, FX_ACT_CLAIM, c->entity, NULL, err) == -1)
		goto out;
	if (a->line != 0) {
		(void)snprintf(ln, sizeof(ln), "%04d", a->line);
		fx_buf_key(&k, c->number, ln, (char *)NULL);
		if ((found = fx_db_get(t, FX_K_CLINE, k.p, k.len, NULL, NULL,
		    err)) == -1)
			goto out;
		if (found == 1) {
			fx_err_set(err, FX_ENOTFOUND, "claim %s has no line %d "
			    "(it has %d)", c->number, a->line, (int)c->nlines);
			goto out;
		}
	}
	total = (uint64_t)c->size;
	for (i = 0; i < a->n; i++)
		total += a->f[i].len;
	if (total > ctx->conf.claims_max_claim_size) {
		(void)snprintf(sz1, sizeof(sz1), "%llu",
		    (unsigned long long)total);
		(void)snprintf(sz2, sizeof(sz2), "%llu",
		    (unsigned long long)ctx->conf.claims_max_claim_size);
		fx_err_set(err, FX_EDATA, "claim %s: attachments would take %s "
		    "bytes, over claims.max_claim_size (%s)", c->number, sz1,
		    sz2);
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		fx_claim_release(c);
	fx_buf_release(&k);
	return rc;
}

/* Is the content file of sha there (a sweep may have taken it)? */
static int
stored(struct fx_ctx *ctx, const char *sha)
{
	char rel[128];
	char *path;
	struct stat st;
	int r;

	(void)snprintf(rel, sizeof(rel), "%s/%.2s/%s", ATT_DIR, sha, sha);
	path = fx_path_join(ctx->conf.spool_path, rel);
	r = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	return r;
}

static int
attach_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct attarg *a = arg;
	struct fx_ctx *ctx = a->ctx;
	struct fx_claim c;
	struct fx_cfile r;
	struct fx_buf k = { NULL, 0, 0 }, rec = { NULL, 0, 0 };
	char now[32], who[128], ln[16], obj[64];
	const char *by;
	size_t i;
	int rc = -1;

	if (attach_check(a, t, &c, err) == -1)
		return -1;
	/* Stored before this transaction (see the top of the file). */
	for (i = 0; i < a->n; i++)
		if (!stored(ctx, a->f[i].sha) && fx_attach_store(ctx,
		    a->f[i].data, a->f[i].len, a->f[i].sha, err) == -1)
			goto out;
	fx_now_iso(now, sizeof(now));
	by = fx_actor_name(ctx, who, sizeof(who));
	fx_cfiles_free(a->out, a->n);
	a->out = fx_calloc(a->n, sizeof(*a->out));
	for (i = 0; i < a->n; i++) {
		memset(&r, 0, sizeof(r));
		r.seq = c.nfiles + 1;
		r.line = a->line;
		r.name = (char *)a->f[i].name;
		r.sha256 = a->f[i].sha;
		r.type = (char *)a->f[i].type;
		r.size = (int64_t)a->f[i].len;
		r.at = now;
		r.by = (char *)by;
		(void)snprintf(ln, sizeof(ln), "%04d", (int)r.seq);
		fx_buf_reset(&k);
		fx_buf_key(&k, c.number, ln, (char *)NULL);
		if (fx_db_putrec(t, FX_K_CFILE, k.p, k.len, &fx_rt_cfile, &r,
		    &rec, err) == -1 ||
		    fx_rec_decode(rec.p, rec.len, &fx_rt_cfile, &a->out[i],
		    err) == -1)
			goto out;
		c.nfiles++;
		c.size += r.size;
		if (a->line != 0)
			(void)snprintf(obj, sizeof(obj), "%s/%d", c.number,
			    a->line);
		else
			(void)fx_strlcpy(obj, c.number, sizeof(obj));
		if (fx_audit_add(ctx, t, "claim.attach", obj, a->f[i].name, "",
		    a->f[i].sha, err) == -1)
			goto out;
	}
	free(c.updated);
	c.updated = fx_strdup(now);
	if (fx_db_putrec(t, FX_K_CLAIM, c.number, strlen(c.number),
	    &fx_rt_claim, &c, &rec, err) == -1)
		goto out;
	/* 1C has the claim already: it gets it again, with the files. */
	if (strcmp(c.status, "draft") != 0 && fx_claim_out(ctx, t, &c,
	    err) == -1)
		goto out;
	fx_crash_at("claim-before-commit");
	rc = 0;
out:
	fx_claim_release(&c);
	fx_buf_release(&k);
	fx_buf_release(&rec);
	return rc;
}

/* The base name of a path, or NULL if there is none ("dir/"). */
static const char *
base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

int
fx_claim_attach(struct fx_ctx *ctx, const char *claim, int line,
    const char *const *paths, size_t n, const char *name,
    struct fx_cfile **vp, size_t *np, struct fx_err *err)
{
	struct attarg a;
	struct afile *f;
	struct fx_txn t;
	struct fx_claim c;
	size_t i;
	int r, rc = -1;

	*vp = NULL;
	*np = 0;
	if (claim == NULL || claim[0] == '\0' || n == 0)
		return fx_err_set(err, FX_EUSAGE, "a claim and a file are "
		    "required");
	if (name != NULL && n != 1)
		return fx_err_set(err, FX_EUSAGE, "a display name goes with one "
		    "file only");
	if (line < 0)
		return fx_err_set(err, FX_EUSAGE, "bad line number");
	f = fx_calloc(n, sizeof(*f));
	/* Every file checked before anything is stored. */
	for (i = 0; i < n; i++) {
		f[i].path = paths[i];
		f[i].name = name != NULL ? name : base(paths[i]);
		if (fx_attach_name_check(f[i].name, err) == -1) {
			(void)fx_strlcpy(err->file, paths[i],
			    sizeof(err->file));
			goto out;
		}
		if (read_file(paths[i], ctx->conf.claims_max_file_size,
		    &f[i].data, &f[i].len, err) == -1)
			goto out;
		if (fx_attach_sniff(f[i].data, f[i].len, &f[i].type,
		    err) == -1) {
			(void)fx_strlcpy(err->file, paths[i],
			    sizeof(err->file));
			goto out;
		}
		if (fx_sha256_buf(f[i].data, f[i].len, f[i].sha, err) == -1)
			goto out;
	}
	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	a.claim = claim;
	a.line = line;
	a.f = f;
	a.n = n;
	/* What the store can refuse now leaves no file behind. */
	if (fx_db_begin(ctx->db, 0, &t, err) == -1)
		goto out;
	r = attach_check(&a, &t, &c, err);
	fx_db_abort(&t);
	if (r == -1)
		goto out;
	fx_claim_release(&c);
	/* The files, outside any write transaction (see the top). */
	for (i = 0; i < n; i++) {
		fx_pause_at("claim-attach-store");
		if (fx_attach_store(ctx, f[i].data, f[i].len, f[i].sha,
		    err) == -1)
			goto out;
	}
	fx_crash_at("claim-attach-stored");
	fx_pause_at("claim-attach-stored");
	if (fx_db_write(ctx->db, attach_txn, &a, err) != 0) {
		fx_cfiles_free(a.out, n);
		goto out;
	}
	*vp = a.out;
	*np = n;
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(f[i].data);
	free(f);
	return rc;
}

/* -- the sweep of unreferenced content files -------------------------- */

struct gcarg {
	struct fx_ctx		*ctx;
	long			 min_age;
	int			 dry_run;
	struct fx_gc_stats	*st;
};

static int
is_sha(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64;
}

/* The SHA-256 strings field of every record of kind, into refs. */
static int
refs_add(struct fx_txn *t, enum fx_kind kind, const struct fx_rectype *rt,
    size_t field, struct fx_map *refs, struct fx_err *err)
{
	struct fx_cur cur;
	MDB_val k, v;
	const char *p;
	char sha[65];
	size_t n;
	int r;

	if (fx_cur_open(t, kind, &cur, err) == -1)
		return -1;
	for (r = fx_cur_first(&cur, &k, &v, err); r == 0;
	    r = fx_cur_next(&cur, &k, &v, err)) {
		if (fx_rec_str_at(v.mv_data, v.mv_size, rt, field, &p,
		    &n) == -1 || n != 64)
			continue;
		memcpy(sha, p, 64);
		sha[64] = '\0';
		*fx_map_put(refs, sha) = (void *)1;
	}
	fx_cur_close(&cur);
	return r == -1 ? -1 : 0;
}

/* One content directory (spool/attachments or spool/documents). */
static int
sweep_dir(struct gcarg *g, const char *top, struct fx_map *refs,
    time_t now, struct fx_err *err)
{
	DIR *d, *sd;
	struct dirent *de, *se;
	struct stat st;
	char *sub;
	int removed, rc = 0;

	if ((d = opendir(top)) == NULL)
		return errno == ENOENT ? 0 :
		    fx_err_sys(err, FX_EIO, "opendir %s", top);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != 2 || !isxdigit((unsigned char)
		    de->d_name[0]) || !isxdigit((unsigned char)de->d_name[1]))
			continue;
		sub = fx_path_join(top, de->d_name);
		if ((sd = opendir(sub)) == NULL) {
			free(sub);
			continue;
		}
		removed = 0;
		while ((se = readdir(sd)) != NULL) {
			/* Temporary files of the durable protocol: not ours. */
			if (!is_sha(se->d_name) ||
			    strncmp(se->d_name, de->d_name, 2) != 0 ||
			    fstatat(dirfd(sd), se->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(st.st_mode))
				continue;
			if (fx_map_get(refs, se->d_name) != NULL) {
				g->st->referenced++;
				continue;
			}
			if (st.st_mtime > now - g->min_age) {
				g->st->young++;
				continue;
			}
			if (!g->dry_run && unlinkat(dirfd(sd), se->d_name,
			    0) == -1) {
				rc = fx_err_sys(err, FX_EIO, "unlink %s/%s",
				    sub, se->d_name);
				break;
			}
			g->st->removed++;
			g->st->bytes += (uint64_t)st.st_size;
			removed = 1;
		}
		closedir(sd);
		if (rc == 0 && removed && !g->dry_run)
			rc = fx_spool_fsync_dir(sub, err);
		free(sub);
	}
	closedir(d);
	return rc;
}

/*
 * In a write transaction, so that no attach or document can commit a
 * reference to a file between the reading of the references and its
 * removal: an attach whose file went meanwhile writes it again in its
 * own transaction (attach_txn), a document's file is written in its.
 */
static int
gc_txn(struct fx_txn *t, void *arg, struct fx_err *err)
{
	struct gcarg *g = arg;
	struct fx_ctx *ctx = g->ctx;
	struct fx_map refs = { NULL, 0, 0, 0 };
	char *top, detail[64];
	time_t now = time(NULL);
	int rc = -1;

	memset(g->st, 0, sizeof(*g->st));
	if (refs_add(t, FX_K_CFILE, &fx_rt_cfile, 3, &refs, err) == -1 ||
	    refs_add(t, FX_K_ODOC, &fx_rt_odoc, 2, &refs, err) == -1)
		goto out;
	top = fx_path_join(ctx->conf.spool_path, ATT_DIR);
	rc = sweep_dir(g, top, &refs, now, err);
	free(top);
	if (rc == -1)
		goto out;
	top = fx_path_join(ctx->conf.spool_path, "documents");
	rc = sweep_dir(g, top, &refs, now, err);
	free(top);
	if (rc == -1)
		goto out;
	rc = -1;
	(void)snprintf(detail, sizeof(detail), "%llu files, %llu bytes",
	    (unsigned long long)g->st->removed,
	    (unsigned long long)g->st->bytes);
	if (!g->dry_run && g->st->removed > 0 && fx_audit_add(ctx, t,
	    "spool.gc", "attachments", "", "", detail, err) == -1)
		goto out;
	rc = 0;
out:
	fx_map_release(&refs, NULL);
	return rc;
}

int
fx_spool_gc(struct fx_ctx *ctx, long min_age, int dry_run,
    struct fx_gc_stats *st, struct fx_err *err)
{
	struct gcarg g;

	memset(st, 0, sizeof(*st));
	if (fx_acl_check(ctx, FX_ACT_STAFF, NULL, NULL, err) == -1)
		return -1;
	g.ctx = ctx;
	g.min_age = min_age < 0 ? 0 : min_age;
	g.dry_run = dry_run;
	g.st = st;
	return fx_db_write(ctx->db, gc_txn, &g, err) != 0 ? -1 : 0;
}
