/*
 * t_request.c -- requests for new legal entities (lib/request.c), the
 * durable spool write (lib/spool.c) and employees in the conditions
 * import (lib/cond.c).
 *
 * Runs against a real instance in a temporary directory (fx_instance_init
 * and fx_ctx_open), acting as staff through fx_auth (so as root: other
 * users skip) and as dealer users through fx_auth_user once the
 * conditions import has made them.  Every refusal is checked for its
 * code and exact message and, where it matters, that it changed nothing
 * (a dump of the store before and after).
 *
 * FX_SRCDIR (set by make check) locates the fixtures; TMPDIR the instance.
 */
#define _GNU_SOURCE	/* nftw */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fx-int.h"
#include "tap.h"

struct t {
	struct fx_ctx	*ctx;
	char		 dir[512];	/* the temporary directory */
	char		 root[600];	/* the instance */
	char		 spool[700];
	char		 data[512];	/* tests/data/cond */
	int		 nfiles;
};

static void
die(const char *what, const struct fx_err *err)
{
	char buf[600];

	fx_err_format(err, buf, sizeof(buf));
	printf("Bail out! %s: %s\n", what, buf);
	exit(1);
}

static void
diag(const struct fx_err *err)
{
	char buf[600];

	fx_err_format(err, buf, sizeof(buf));
	printf("# %s\n", buf);
}

/* Refused with this code and exactly this message. */
static void
refused(int rc, const struct fx_err *err, enum fx_code code,
    const char *msg, const char *what)
{
	is_int(rc, -1, "%s: refused", what);
	is_int(err->code, code, "  code %d", (int)code);
	is_str(err->msg, msg, "  message: %s", msg);
}

static const char *
path(struct t *t, const char *rel, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/%s", t->spool, rel);
	return buf;
}

/* Regular files in a directory. */
static int
nfiles(const char *dir)
{
	DIR *d;
	struct dirent *e;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* The one file name in dir, or "". */
static void
only_file(const char *dir, char *buf, size_t sz)
{
	DIR *d;
	struct dirent *e;

	buf[0] = '\0';
	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			snprintf(buf, sz, "%s", e->d_name);
	closedir(d);
}

static char *
slurp(const char *p, size_t *lenp)
{
	FILE *f;
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if ((f = fopen(p, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = (len + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

static const char *
fixture(struct t *t, const char *name, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/%s", t->data, name);
	return buf;
}

/* Write a document into the temporary directory; returns its path. */
static const char *
doc(struct t *t, const char *text, char *buf, size_t sz)
{
	FILE *f;

	snprintf(buf, sz, "%s/doc%d.xml", t->dir, ++t->nfiles);
	if ((f = fopen(buf, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) == EOF) {
		printf("Bail out! %s: %s\n", buf, strerror(errno));
		exit(1);
	}
	return buf;
}

/* The whole store as text. */
static char *
dump(struct t *t)
{
	struct fx_err err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL || fx_db_dump(t->ctx, f, &err) == -1)
		die("dump", &err);
	fclose(f);
	return buf;
}

static void
as_staff(struct t *t)
{
	struct fx_err err;

	if (fx_auth(t->ctx, NULL, &err) == -1)
		die("fx_auth", &err);
}

static void
as_user(struct t *t, const char *login)
{
	struct fx_err err;

	if (fx_auth_user(t->ctx, login, &err) == -1)
		die(login, &err);
}

static int
import(struct t *t, const char *p, int flags, struct fx_import_stats *st,
    struct fx_err *err)
{
	const char *files[1] = { p };

	fx_err_clear(err);
	return fx_import(t->ctx, files, 1, flags, st, err);
}

static int
get_user(struct t *t, const char *login, struct fx_user *u)
{
	struct fx_txn txn;
	struct fx_err err;
	int r;

	if (fx_db_begin(t->ctx->db, 0, &txn, &err) == -1)
		die("begin", &err);
	r = fx_db_getrec(&txn, FX_K_USER, login, strlen(login), &fx_rt_user,
	    u, &err);
	fx_db_abort(&txn);
	if (r == -1)
		die("get user", &err);
	return r;
}

static int
get_request(struct t *t, const char *id, struct fx_request *r)
{
	struct fx_txn txn;
	struct fx_err err;
	int rc;

	if (fx_db_begin(t->ctx->db, 0, &txn, &err) == -1)
		die("begin", &err);
	rc = fx_db_getrec(&txn, FX_K_REQUEST, id, strlen(id), &fx_rt_request,
	    r, &err);
	fx_db_abort(&txn);
	if (rc == -1)
		die("get request", &err);
	return rc;
}

/* The login an index maps key to, or "". */
static void
idx(struct t *t, enum fx_kind k, const char *key, char *buf, size_t sz)
{
	struct fx_txn txn;
	struct fx_err err;
	const void *v;
	size_t len;

	buf[0] = '\0';
	if (fx_db_begin(t->ctx->db, 0, &txn, &err) == -1)
		die("begin", &err);
	if (fx_db_get(&txn, k, key, strlen(key), &v, &len, &err) == 0 &&
	    len < sz) {
		memcpy(buf, v, len);
		buf[len] = '\0';
	}
	fx_db_abort(&txn);
}

static uint64_t
count(struct t *t, enum fx_kind k)
{
	struct fx_txn txn;
	struct fx_err err;
	uint64_t n;

	if (fx_db_begin(t->ctx->db, 0, &txn, &err) == -1)
		die("begin", &err);
	n = fx_db_count(&txn, k);
	fx_db_abort(&txn);
	return n;
}

/* The groups and price types the conditions fixtures refer to. */
static void
seed(struct t *t)
{
	static const char *const groups[][3] = {
		{ "g-hand", "Ручной инструмент", "" },
		{ "g-keys", "Ключи", "g-hand" },
		{ "g-power", "Электроинструмент", "" },
	};
	static const char *const pts[] = { "pt-retail", "pt-base",
	    "pt-special" };
	struct fx_txn txn;
	struct fx_err err;
	struct fx_buf b = { NULL, 0, 0 };
	size_t i;

	if (fx_db_begin(t->ctx->db, 1, &txn, &err) == -1)
		die("begin", &err);
	for (i = 0; i < nitems(groups); i++) {
		struct fx_group g = { (char *)groups[i][0],
		    (char *)groups[i][1], (char *)groups[i][2], 0 };

		if (fx_db_putrec(&txn, FX_K_GROUP, g.id, strlen(g.id),
		    &fx_rt_group, &g, &b, &err) == -1)
			die("seed", &err);
	}
	for (i = 0; i < nitems(pts); i++) {
		struct fx_pricetype p = { (char *)pts[i], (char *)pts[i],
		    (char *)"RUB" };

		if (fx_db_putrec(&txn, FX_K_PRICETYPE, p.id, strlen(p.id),
		    &fx_rt_pricetype, &p, &b, &err) == -1)
			die("seed", &err);
	}
	if (fx_db_commit(&txn, &err) == -1)
		die("commit", &err);
	fx_buf_release(&b);
}

/*
 * The spool write.
 */

static void
test_spool(struct t *t)
{
	struct fx_err err;
	struct stat st;
	char p[1024], tmp[1024], name[256], *s, *big;
	size_t len, i;
	pid_t pid;
	int status;

	path(t, "tmp", tmp, sizeof(tmp));
	fx_err_clear(&err);
	is_int(fx_spool_write(t->ctx, "1c/in", "hello.txt", "hello\n", 6,
	    &err), 0, "spool write");
	s = slurp(path(t, "1c/in/hello.txt", p, sizeof(p)), &len);
	ok(s != NULL && len == 6 && memcmp(s, "hello\n", 6) == 0,
	    "  content in place");
	free(s);
	ok(stat(p, &st) == 0 && (st.st_mode & 0777) == 0640, "  mode 0640");
	is_int(nfiles(tmp), 0, "  no temporary file left behind");

	is_int(fx_spool_write(t->ctx, "1c/in", "hello.txt", "bye", 3, &err),
	    0, "same name again");
	s = slurp(p, &len);
	ok(s != NULL && len == 3 && memcmp(s, "bye", 3) == 0,
	    "  replaced whole");
	free(s);
	is_int(nfiles(path(t, "1c/in", p, sizeof(p))), 1, "  one file");

	/* More than one write(2) may take. */
	len = 3 * 1024 * 1024 + 17;
	big = malloc(len);
	for (i = 0; i < len; i++)
		big[i] = (char)('a' + i % 26);
	is_int(fx_spool_write(t->ctx, "1c/in", "big.txt", big, len, &err), 0,
	    "3 MiB written");
	s = slurp(path(t, "1c/in/big.txt", p, sizeof(p)), &i);
	ok(s != NULL && i == len && memcmp(s, big, len) == 0,
	    "  every byte");
	free(s);
	is_int(fx_spool_write(t->ctx, "1c/in", "empty.txt", "", 0, &err), 0,
	    "an empty file");

	/* The rename fails: nothing anywhere. */
	fx_err_clear(&err);
	is_int(fx_spool_write(t->ctx, "1c/nowhere", "x.txt", "x", 1, &err),
	    -1, "target directory missing: refused");
	is_int(err.code, FX_ECANTCREAT, "  FX_ECANTCREAT");
	is_int(err.sys_errno, ENOENT, "  ENOENT");
	ok(strncmp(err.msg, "rename ", 7) == 0 &&
	    strstr(err.msg, "/1c/nowhere/x.txt") != NULL, "  says what: %s",
	    err.msg);
	is_int(nfiles(tmp), 0, "  temporary file removed");

	/* Names a caller must never make. */
	{
		static const char *const bad[][2] = {
			{ "../1c/in", "x" }, { "1c/../..", "x" },
			{ "/etc", "x" }, { "", "x" }, { "1c/in", "" },
			{ "1c/in", "a/b" }, { "1c/in", ".hidden" },
			{ "1c/in", ".." },
		};

		for (i = 0; i < nitems(bad); i++) {
			fx_err_clear(&err);
			ok(fx_spool_write(t->ctx, bad[i][0], bad[i][1], "x", 1,
			    &err) == -1 && err.code == FX_EUSAGE,
			    "dir \"%s\" name \"%s\" refused: %s", bad[i][0],
			    bad[i][1], err.msg);
		}
		is_int(nfiles(tmp), 0, "  nothing created");
	}

	/* A crash just before the rename leaves only a temporary file. */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		struct fx_err e2;

		setenv("FX_CRASH_AT", "spool-rename", 1);
		fx_spool_write(t->ctx, "1c/in", "crash.txt", "x", 1, &e2);
		_exit(0);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid &&
	    WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	    "FX_CRASH_AT=spool-rename aborts");
	ok(stat(path(t, "1c/in/crash.txt", p, sizeof(p)), &st) == -1,
	    "  the file never appeared");
	is_int(nfiles(tmp), 1, "  its temporary file is in tmp/");
	only_file(tmp, name, sizeof(name));
	{
		/* time.pid_rand.host */
		char *dot = strchr(name, '.'), *us = strchr(name, '_');
		int good = dot != NULL && us != NULL && dot < us &&
		    strspn(name, "0123456789") == (size_t)(dot - name) &&
		    strspn(dot + 1, "0123456789") == (size_t)(us - dot - 1) &&
		    strspn(us + 1, "0123456789abcdef") == 16 &&
		    us[17] == '.' && us[18] != '\0';

		ok(good, "  named time.pid_rand.host: %s", name);
		if (fx_snprintf(p, sizeof(p), "%s/%s", tmp, name) == 0)
			unlink(p);
	}
	free(big);
}

/*
 * Employees in the conditions import.
 */

static void
bad_import(struct t *t, const char *file, long line, const char *msg)
{
	struct fx_import_stats st;
	struct fx_err err;
	char p[1024], *before, *after;

	fixture(t, file, p, sizeof(p));
	before = dump(t);
	is_int(import(t, p, FX_IMPORT_FORCE, &st, &err), -1, "%s refused",
	    file);
	is_int(err.code, FX_EDATA, "  FX_EDATA");
	is_str(err.file, p, "  file named");
	is_int(err.line, line, "  at line %ld", line);
	is_str(err.msg, msg, "  message: %s", msg);
	after = dump(t);
	ok(strcmp(before, after) == 0, "  nothing changed");
	free(before);
	free(after);
}

static void
test_employees(struct t *t)
{
	struct fx_import_stats st;
	struct fx_err err;
	struct fx_user u;
	char p[1024], buf[256], created[32];

	fixture(t, "conditions-employees.xml", p, sizeof(p));
	if (!is_int(import(t, p, 0, &st, &err), 0,
	    "conditions-employees.xml imported"))
		diag(&err);
	is_int(st.users, 5, "  5 employees");
	is_int(st.entities, 4, "  4 entities");
	is_int(count(t, FX_K_USER), 5, "  5 user records");
	is_int(count(t, FX_K_IDX_EMAIL), 5, "  5 e-mail index entries");
	is_int(count(t, FX_K_IDX_UNIX), 2, "  2 Unix-login index entries");

	if (ok(get_user(t, "ivanov", &u) == 0, "superuser stored")) {
		is_str(u.dealer, "D00001", "  dealer");
		is_str(u.name, "Иванов Иван Иванович", "  name");
		is_int(u.nemails, 2, "  2 e-mails");
		if (u.nemails == 2) {
			is_str(u.emails[0], "ivanov@promservis.ru",
			    "  folded as users keep them");
			is_str(u.emails[1], "ivanov.ii@mail.ru", "  second");
		}
		is_str(u.phone, "+7 383 200-00-01", "  phone");
		is_str(u.unix_login, "ivanov", "  Unix login");
		is_int(u.nentities, 0, "  no entities: sees all");
		is_int(u.perms, FX_PERM_ALL, "  every permission");
		is_int(u.superuser, 1, "  superuser");
		is_int(u.blocked, 0, "  not blocked");
		is_str(u.source, "1c", "  source 1c");
		ok(u.created[0] != '\0' && strcmp(u.created, u.updated) == 0,
		    "  created = updated");
		fx_strlcpy(created, u.created, sizeof(created));
		fx_user_release(&u);
	}
	if (ok(get_user(t, "petrova", &u) == 0, "employee stored")) {
		is_str(u.name, "Петрова Анна <закупки>", "  name unescaped");
		ok(u.nentities == 1 && strcmp(u.entities[0], "D00001-1") == 0,
		    "  attached to the head");
		is_int(u.perms, FX_PERM_ORDER | FX_PERM_CLAIM, "  order,claim");
		is_int(u.superuser, 0, "  not a superuser");
		fx_user_release(&u);
	}
	if (ok(get_user(t, "sidorov", &u) == 0, "employee before its entities"))
	{
		ok(u.nentities == 2 && strcmp(u.entities[1], "D00001-3") == 0,
		    "  attached to two, listed later in the file");
		fx_user_release(&u);
	}
	if (ok(get_user(t, "old.hand", &u) == 0, "blocked employee stored")) {
		is_int(u.blocked, 1, "  blocked");
		is_str(u.blocked_reason, "уволен 2026-02-28", "  reason");
		fx_user_release(&u);
	}
	idx(t, FX_K_IDX_EMAIL, "ivanov@promservis.ru", buf, sizeof(buf));
	is_str(buf, "ivanov", "e-mail indexed folded");
	idx(t, FX_K_IDX_UNIX, "kozlov", buf, sizeof(buf));
	is_str(buf, "kozlov", "Unix login indexed");

	/* Who 1C says it is, fx_auth_user agrees with. */
	fx_err_clear(&err);
	ok(fx_auth_user(t->ctx, "old.hand", &err) == -1 &&
	    err.code == FX_EPERM, "a blocked employee cannot act: %s",
	    err.msg);
	as_staff(t);

	/* The bad fixtures. */
	bad_import(t, "conditions-employee-unknown-entity.xml", 5,
	    "employee \"petrov\": unknown entity \"D1-9\"");
	bad_import(t, "conditions-employee-other-dealer.xml", 4,
	    "employee \"petrov\": entity \"D2-1\" belongs to dealer \"D2\"");
	bad_import(t, "conditions-employee-bad-login.xml", 5,
	    "employee: login \"Petrov\" is not valid: 1 to 64 of a-z, 0-9, "
	    "'.', '_', '-', starting with a letter or digit");
	bad_import(t, "conditions-employee-email-taken.xml", 6,
	    "employee \"kozlov\": e-mail \"ivanov.ii@mail.ru\" is already "
	    "used by user \"ivanov\" of dealer \"D00001\"");
	bad_import(t, "conditions-employee-login-taken.xml", 6,
	    "employee \"ivanov\": login is taken by a user of dealer "
	    "\"D00001\"");

#define EROOT(full) "<?xml version=\"1.0\"?>\n<formix-conditions " \
	"version=\"1\" generated=\"2026-03-05T10:00:00\" full=\"" full "\">\n"
#define D1 "<dealer id=\"D00001\" name=\"Промсервис (Новосибирск)\">\n"
	{
		static const struct {
			const char	*text;
			long		 line;
			const char	*msg;
		} bad[] = {
			{ EROOT("false") "<employee login=\"x\" name=\"X\"/>\n"
			    "</formix-conditions>\n", 3,
			    "<employee> outside <dealer>" },
			{ EROOT("false") D1 "<employee name=\"X\"/>\n"
			    "</dealer></formix-conditions>\n", 4,
			    "employee: missing attribute \"login\"" },
			{ EROOT("false") D1 "<employee login=\"x\"/>\n"
			    "</dealer></formix-conditions>\n", 4,
			    "employee \"x\": missing attribute \"name\"" },
			{ EROOT("false") D1 "<employee login=\"x\" name=\"X\"/>"
			    "\n<employee login=\"x\" name=\"Y\"/>\n"
			    "</dealer></formix-conditions>\n", 5,
			    "employee \"x\": listed twice (first at line 4)" },
			{ EROOT("false") D1 "<employee login=\".x\" name=\"X\""
			    "/>\n</dealer></formix-conditions>\n", 4,
			    "employee: login \".x\" is not valid: 1 to 64 of "
			    "a-z, 0-9, '.', '_', '-', starting with a letter "
			    "or digit" },
			{ EROOT("false") D1 "<employee login=\"x\" name=\"X\" "
			    "email=\"x@y.ru nobody\"/>\n"
			    "</dealer></formix-conditions>\n", 4,
			    "employee \"x\": e-mail \"nobody\" is not a valid "
			    "address" },
			{ EROOT("false") D1 "<employee login=\"x\" name=\"X\" "
			    "email=\"A@b.ru\"/>\n<employee login=\"y\" "
			    "name=\"Y\" email=\"a@B.ru\"/>\n"
			    "</dealer></formix-conditions>\n", 5,
			    "employee \"y\": e-mail \"a@B.ru\" is also given "
			    "to employee \"x\" (line 4)" },
			{ EROOT("false") D1 "<employee login=\"x\" name=\"X\" "
			    "unix-login=\"-x\"/>\n"
			    "</dealer></formix-conditions>\n", 4,
			    "employee \"x\": Unix login \"-x\" is not valid" },
			{ EROOT("false") D1 "<employee login=\"x\" name=\"X\" "
			    "unix-login=\"ivanov\"/>\n"
			    "</dealer></formix-conditions>\n", 4,
			    "employee \"x\": Unix login \"ivanov\" is already "
			    "used by user \"ivanov\"" },
			{ EROOT("false") D1 "<employee login=\"x\" name=\"X\" "
			    "perms=\"order,fly\"/>\n"
			    "</dealer></formix-conditions>\n", 4,
			    "employee \"x\": unknown permission \"fly\" "
			    "(order, claim, ar, users)" },
			{ EROOT("false") D1 "<employee login=\"x\" name=\"X\" "
			    "superuser=\"yes\"/>\n"
			    "</dealer></formix-conditions>\n", 4,
			    "employee \"x\": superuser \"yes\" must be true or "
			    "false" },
			{ EROOT("false") D1 "<employee login=\"x\" "
			    "name=\"X&#10;Y\"/>\n"
			    "</dealer></formix-conditions>\n", 4,
			    "employee \"x\": name contains a control "
			    "character" },
		};
		size_t i;
		char *before, *after;

		for (i = 0; i < nitems(bad); i++) {
			before = dump(t);
			doc(t, bad[i].text, p, sizeof(p));
			is_int(import(t, p, 0, &st, &err), -1,
			    "bad employee %zu refused", i + 1);
			is_int(err.line, bad[i].line, "  at line %ld",
			    bad[i].line);
			is_str(err.msg, bad[i].msg, "  %s", bad[i].msg);
			after = dump(t);
			ok(strcmp(before, after) == 0, "  nothing changed");
			free(before);
			free(after);
		}
	}

	/*
	 * Only changes: an address moves from petrova to sidorov, who comes
	 * first in the file; petrova's is dropped; ivanov is renamed.
	 */
	doc(t, EROOT("false") D1
	    "<employee login=\"sidorov\" name=\"Сидоров Пётр\" "
	    "email=\"Petrova@promservis.ru sidorov@promservis.ru\" "
	    "entities=\"D00001-2\" perms=\"order,claim\"/>\n"
	    "<employee login=\"petrova\" name=\"Петрова Анна\" "
	    "entities=\"D00001-1\"/>\n"
	    "<employee login=\"ivanov\" name=\"Иванов И. И.\" "
	    "email=\"ivanov@promservis.ru\" unix-login=\"ivan\" "
	    "superuser=\"true\"/>\n"
	    "</dealer></formix-conditions>\n", p, sizeof(p));
	if (!is_int(import(t, p, 0, &st, &err), 0,
	    "an address moves between employees in one file"))
		diag(&err);
	idx(t, FX_K_IDX_EMAIL, "petrova@promservis.ru", buf, sizeof(buf));
	is_str(buf, "sidorov", "  index follows the address");
	idx(t, FX_K_IDX_EMAIL, "ivanov.ii@mail.ru", buf, sizeof(buf));
	is_str(buf, "", "  an address given up is unindexed");
	idx(t, FX_K_IDX_UNIX, "ivanov", buf, sizeof(buf));
	is_str(buf, "", "  old Unix login unindexed");
	idx(t, FX_K_IDX_UNIX, "ivan", buf, sizeof(buf));
	is_str(buf, "ivanov", "  new one indexed");
	if (get_user(t, "ivanov", &u) == 0) {
		is_str(u.created, created, "  created kept");
		is_str(u.name, "Иванов И. И.", "  name updated");
		fx_user_release(&u);
	}
	if (get_user(t, "petrova", &u) == 0) {
		is_int(u.nemails, 0, "  petrova has no address now");
		is_int(u.perms, 0, "  and no permissions (perms not sent)");
		fx_user_release(&u);
	}
	{
		struct fx_audit_filter f = { NULL, NULL, "ivanov", 0 };
		struct fx_audit *v;
		size_t n, i;
		int name = 0, unixl = 0;

		if (fx_audit_list(t->ctx, &f, &v, &n, &err) == -1)
			die("audit", &err);
		for (i = 0; i < n; i++) {
			if (strcmp(v[i].action, "user.set") == 0 &&
			    strcmp(v[i].field, "name") == 0 &&
			    strcmp(v[i].new_value, "Иванов И. И.") == 0)
				name = 1;
			if (strcmp(v[i].field, "unix_login") == 0 &&
			    strcmp(v[i].old_value, "ivanov") == 0)
				unixl = 1;
		}
		ok(n > 0 && strcmp(v[0].action, "user.add") == 0,
		    "  audit: user.add first");
		ok(name && unixl, "  audit: each changed field");
		fx_audits_free(v, n);
	}

	/* A user made in formix is not 1C's to block. */
	{
		struct fx_user nu;
		char *mails[1] = { (char *)"manager@promservis.ru" };

		memset(&nu, 0, sizeof(nu));
		nu.login = (char *)"manager";
		nu.name = (char *)"Менеджер";
		nu.dealer = (char *)"D00001";
		nu.emails = mails;
		nu.nemails = 1;
		if (!is_int(fx_user_add(t->ctx, &nu, &err), 0,
		    "a user made in formix"))
			diag(&err);
	}

	/* A full file without sidorov: blocked, kept, not deleted. */
	{
		char *text = slurp(fixture(t, "conditions-employees.xml", p,
		    sizeof(p)), NULL), *s, *e;

		s = strstr(text, "\t\t<employee login=\"sidorov\"");
		e = s != NULL ? strchr(s, '\n') : NULL;
		if (e == NULL)
			abort();
		memmove(s, e + 1, strlen(e + 1) + 1);
		doc(t, text, p, sizeof(p));
		free(text);
	}
	if (!is_int(import(t, p, 0, &st, &err), 0,
	    "a full file without one employee"))
		diag(&err);
	is_int(count(t, FX_K_USER), 6, "  no user deleted");
	if (get_user(t, "sidorov", &u) == 0) {
		is_int(u.blocked, 1, "  the one left out is blocked");
		is_str(u.blocked_reason, "removed in 1C", "  reason");
		fx_user_release(&u);
	}
	if (get_user(t, "manager", &u) == 0) {
		is_int(u.blocked, 0, "  a formix user untouched");
		is_str(u.source, "formix", "  still formix's");
		fx_user_release(&u);
	}
	if (get_user(t, "petrova", &u) == 0) {
		is_int(u.nemails, 1, "  petrova has her address back");
		fx_user_release(&u);
	}
	idx(t, FX_K_IDX_EMAIL, "petrova@promservis.ru", buf, sizeof(buf));
	is_str(buf, "petrova", "  from sidorov, whom the full file removed");
	if (get_user(t, "sidorov", &u) == 0) {
		ok(u.nemails == 1 && strcmp(u.emails[0],
		    "sidorov@promservis.ru") == 0, "  who keeps the rest");
		fx_user_release(&u);
	}
	idx(t, FX_K_IDX_EMAIL, "sidorov@promservis.ru", buf, sizeof(buf));
	is_str(buf, "sidorov", "  still indexed");

	/* Only changes: sidorov's address is not the file's to give. */
	doc(t, EROOT("false") D1
	    "<employee login=\"petrova\" name=\"Петрова Анна\" "
	    "email=\"sidorov@promservis.ru\"/>\n"
	    "</dealer></formix-conditions>\n", p, sizeof(p));
	is_int(import(t, p, 0, &st, &err), -1,
	    "a removed user's address, in a changes file");
	is_str(err.msg, "employee \"petrova\": e-mail "
	    "\"sidorov@promservis.ru\" is already used by user \"sidorov\"",
	    "  %s", err.msg);
}

/*
 * Requests.
 */

/* A valid 10-digit INN from nine digits (the check digit computed). */
static void
make_inn(const char *nine, char *out)
{
	struct fx_err err;
	int d;

	for (d = 0; d < 10; d++) {
		snprintf(out, 11, "%s%d", nine, d);
		if (fx_inn_check(out, &err) == 0)
			return;
	}
	abort();
}

static void
req_init(struct fx_request *r, const char *dealer, const char *inn,
    const char *kpp)
{
	memset(r, 0, sizeof(*r));
	r->dealer = (char *)dealer;
	r->name = (char *)"ООО \"Ромашка & Сыновья\" <Юг>";
	r->inn = (char *)inn;
	r->kpp = (char *)kpp;
	r->address = (char *)"344000, Ростов-на-Дону, ул. Садовая, д. 1 > 2";
}

static int
add(struct t *t, struct fx_request *r, struct fx_err *err)
{
	fx_err_clear(err);
	r->id = NULL;
	return fx_request_add(t->ctx, r, err);
}

/* Attribute of an element, as a C string ("" if absent). */
static void
attr(xmlNodePtr n, const char *name, char *buf, size_t sz)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);

	snprintf(buf, sz, "%s", v != NULL ? (const char *)v : "");
	xmlFree(v);
}

static void
test_requests(struct t *t)
{
	struct fx_request r, *v;
	struct fx_err err;
	char *before, *after, p[1024], buf[512], inn[16], inn2[16];
	size_t n;
	int rc;

	as_staff(t);
	/* Every bad input; none changes anything. */
	before = dump(t);
	req_init(&r, "D00001", "7707083894", "773601001");
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "INN \"7707083894\" has a wrong check digit", "bad check digit");
	req_init(&r, "D00001", "77070838", "773601001");
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "INN \"77070838\" must be 10 or 12 digits", "INN of 8 digits");
	req_init(&r, "D00001", "7707083893", "77360100");
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "KPP \"77360100\" must be 9 characters (NNNNPPNNN)",
	    "KPP of 8 characters");
	req_init(&r, "D00001", "7707083893", "");
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "KPP is required with a 10-digit INN \"7707083893\"",
	    "no KPP with a 10-digit INN");
	req_init(&r, "D00001", "500100732259", "773601001");
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "KPP \"773601001\" must be empty with a 12-digit INN "
	    "\"500100732259\" (a sole trader has none)",
	    "a KPP with a 12-digit INN");
	req_init(&r, "D00001", "7701123451", "770101001");
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "INN \"7701123451\" KPP \"770101001\" is already registered as "
	    "legal entity \"D00001-1\"", "already registered");
	req_init(&r, "D00001", "770123456703", "");
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "INN \"770123456703\" is already registered as legal entity "
	    "\"D00001-3\"", "a sole trader already registered");
	req_init(&r, "D99", "7707083893", "773601001");
	refused(add(t, &r, &err), &err, FX_ENOTFOUND,
	    "unknown dealer \"D99\"", "unknown dealer");
	req_init(&r, "", "7707083893", "773601001");
	refused(add(t, &r, &err), &err, FX_EUSAGE, "a dealer is required",
	    "staff name no dealer");
	req_init(&r, "D00001", "7707083893", "773601001");
	r.name = (char *)"  ";
	refused(add(t, &r, &err), &err, FX_EUSAGE,
	    "the name of the legal entity is required", "no name");
	req_init(&r, "D00001", "7707083893", "773601001");
	r.address = NULL;
	refused(add(t, &r, &err), &err, FX_EUSAGE,
	    "the legal address is required", "no address");
	req_init(&r, "D00001", "7707083893", "773601001");
	r.name = (char *)"ООО\tРомашка";
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "name \"ООО\\tРомашка\" contains a control character",
	    "a control character");
	req_init(&r, "D00001", "7707083893", "773601001");
	r.address = (char *)"\xff\xfe";
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "address \"\xff\xfe\" is not valid UTF-8", "not UTF-8");
	req_init(&r, "D00001", "7707083893", "773601001");
	r.bik = (char *)"04452522";
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "BIK \"04452522\" must be 9 digits", "BIK of 8 digits");
	req_init(&r, "D00001", "7707083893", "773601001");
	r.account = (char *)"4070281090000000000X";
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "account \"4070281090000000000X\" must be 20 digits",
	    "account not digits");
	req_init(&r, "D00001", "7707083893", "773601001");
	r.corr_account = (char *)"3010181040000000022";
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "corr-account \"3010181040000000022\" must be 20 digits",
	    "corr-account of 19 digits");
	after = dump(t);
	ok(strcmp(before, after) == 0, "refusals changed nothing");
	free(before);
	free(after);

	/* A good one, with everything that needs escaping. */
	req_init(&r, "D00001", "7707083893", "773601001");
	r.bank = (char *)"ПАО \"Сбербанк\"";
	r.bik = (char *)"044525225";
	r.account = (char *)"40702810900000000001";
	r.corr_account = (char *)"30101810400000000225";
	if (!is_int(add(t, &r, &err), 0, "request filed by staff"))
		diag(&err);
	is_str(r.id != NULL ? r.id : "", "R000001", "  id R000001");
	free(r.id);
	if (get_request(t, "R000001", &r) == 0) {
		is_str(r.status, "pending", "  pending");
		is_str(r.requested_by, "staff:root", "  requested by staff");
		is_str(r.dealer, "D00001", "  dealer");
		is_str(r.name, "ООО \"Ромашка & Сыновья\" <Юг>", "  name");
		is_int(r.nhistory, 1, "  one history entry");
		ok(r.nhistory == 1 && strstr(r.history[0],
		    "|staff:root|pending|") != NULL, "  history: %s",
		    r.nhistory ? r.history[0] : "");
		fx_request_release(&r);
	}
	req_init(&r, "D00001", "7707083893", "773601001");
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "INN \"7707083893\" KPP \"773601001\" is already requested "
	    "(R000001, pending)", "already pending");

	/* Dealer users. */
	as_user(t, "petrova");
	req_init(&r, "D00001", "500100732259", "");
	refused(add(t, &r, &err), &err, FX_EPERM,
	    "permission denied: user \"petrova\" may not request legal "
	    "entities for dealer \"Промсервис (Новосибирск)\"",
	    "an employee without the users permission");
	as_user(t, "ivanov");
	req_init(&r, NULL, "500100732259", "");
	if (!is_int(add(t, &r, &err), 0, "a superuser files for its dealer"))
		diag(&err);
	is_str(r.id != NULL ? r.id : "", "R000002", "  R000002");
	free(r.id);
	if (get_request(t, "R000002", &r) == 0) {
		is_str(r.dealer, "D00001", "  its own dealer by default");
		is_str(r.requested_by, "ivanov", "  requested by ivanov");
		fx_request_release(&r);
	}
	req_init(&r, "D00002", "7736050003", "773601001");
	refused(add(t, &r, &err), &err, FX_EPERM,
	    "permission denied: user \"ivanov\" may not request legal "
	    "entities for dealer \"Мастерснаб (Воронеж)\"",
	    "not for another dealer");
	fx_err_clear(&err);
	refused(fx_request_decide(t->ctx, "R000002", 1, NULL, &err), &err,
	    FX_EPERM, "permission denied: user \"ivanov\" may not do this: "
	    "staff only", "a dealer user may not decide");
	as_user(t, "kozlov");
	req_init(&r, "D00002", "7707083893", "773601001");
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "INN \"7707083893\" KPP \"773601001\" is already requested",
	    "another dealer's request is not named");
	req_init(&r, "D00002", "7701123451", "770101001");
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "INN \"7701123451\" KPP \"770101001\" is already registered",
	    "another dealer's entity is not named");
	is_int(fx_request_list(t->ctx, NULL, &v, &n, &err), 0,
	    "kozlov lists requests");
	is_int(n, 0, "  none of another dealer's");
	fx_requests_free(v, n);
	as_user(t, "ivanov");
	is_int(fx_request_list(t->ctx, NULL, &v, &n, &err), 0,
	    "ivanov lists requests");
	is_int(n, 2, "  its dealer's two");
	fx_requests_free(v, n);

	/* Staff decide. */
	as_staff(t);
	is_int(fx_request_list(t->ctx, NULL, &v, &n, &err), 0,
	    "staff list requests");
	ok(n == 2 && strcmp(v[0].id, "R000001") == 0 &&
	    strcmp(v[1].id, "R000002") == 0, "  all, by id");
	fx_requests_free(v, n);
	is_int(fx_request_list(t->ctx, "approved", &v, &n, &err), 0,
	    "by status");
	is_int(n, 0, "  none approved yet");
	fx_requests_free(v, n);
	refused(fx_request_list(t->ctx, "done", &v, &n, &err), &err,
	    FX_EUSAGE, "unknown request status \"done\" (pending, approved, "
	    "rejected or registered)", "unknown status");

	fx_err_clear(&err);
	refused(fx_request_decide(t->ctx, "R000002", 0, "  ", &err), &err,
	    FX_EUSAGE, "rejecting request R000002 needs a reason",
	    "a rejection needs a reason");
	fx_err_clear(&err);
	refused(fx_request_decide(t->ctx, "R999999", 1, NULL, &err), &err,
	    FX_ENOTFOUND, "unknown request \"R999999\"", "unknown request");

	fx_err_clear(&err);
	if (!is_int(fx_request_decide(t->ctx, "R000001", 1, NULL, &err), 0,
	    "R000001 approved"))
		diag(&err);
	is_int(nfiles(path(t, "1c/out", p, sizeof(p))), 1,
	    "  exactly one file in 1c/out");
	only_file(p, buf, sizeof(buf));
	is_str(buf, "entity-request-R000001.xml", "  named for the request");
	is_int(nfiles(path(t, "tmp", p, sizeof(p))), 0, "  nothing in tmp/");
	{
		xmlDocPtr d;
		xmlNodePtr root, e;
		char *raw;
		int nreq = 0;

		path(t, "1c/out/entity-request-R000001.xml", p, sizeof(p));
		raw = slurp(p, NULL);
		ok(raw != NULL && strstr(raw, "&quot;Ромашка &amp; Сыновья"
		    "&quot; &lt;Юг&gt;") != NULL, "  escaped in the file");
		free(raw);
		/* No NOENT: no entity is ever substituted. */
		d = xmlReadFile(p, NULL, XML_PARSE_NONET);
		ok(d != NULL, "  well-formed XML");
		root = d != NULL ? xmlDocGetRootElement(d) : NULL;
		ok(root != NULL && xmlStrcmp(root->name,
		    (const xmlChar *)"formix-entity-requests") == 0,
		    "  root <formix-entity-requests>");
		if (root != NULL) {
			attr(root, "version", buf, sizeof(buf));
			is_str(buf, "1", "  version 1");
			attr(root, "generated", buf, sizeof(buf));
			ok(strlen(buf) == 20 && buf[19] == 'Z',
			    "  generated %s", buf);
			for (e = root->children; e != NULL; e = e->next) {
				if (e->type != XML_ELEMENT_NODE)
					continue;
				nreq++;
				ok(xmlStrcmp(e->name,
				    (const xmlChar *)"request") == 0,
				    "  a <request>");
				attr(e, "id", buf, sizeof(buf));
				is_str(buf, "R000001", "  id");
				attr(e, "dealer", buf, sizeof(buf));
				is_str(buf, "D00001", "  dealer");
				attr(e, "name", buf, sizeof(buf));
				is_str(buf, "ООО \"Ромашка & Сыновья\" <Юг>",
				    "  name read back");
				attr(e, "address", buf, sizeof(buf));
				is_str(buf, "344000, Ростов-на-Дону, ул. "
				    "Садовая, д. 1 > 2", "  address read back");
				attr(e, "inn", buf, sizeof(buf));
				is_str(buf, "7707083893", "  inn");
				attr(e, "kpp", buf, sizeof(buf));
				is_str(buf, "773601001", "  kpp");
				attr(e, "bank", buf, sizeof(buf));
				is_str(buf, "ПАО \"Сбербанк\"", "  bank");
				attr(e, "bik", buf, sizeof(buf));
				is_str(buf, "044525225", "  bik");
				attr(e, "account", buf, sizeof(buf));
				is_str(buf, "40702810900000000001",
				    "  account");
				attr(e, "corr-account", buf, sizeof(buf));
				is_str(buf, "30101810400000000225",
				    "  corr-account");
				attr(e, "requested-by", buf, sizeof(buf));
				is_str(buf, "staff:root", "  requested-by");
				attr(e, "approved-by", buf, sizeof(buf));
				is_str(buf, "staff:root", "  approved-by");
				attr(e, "approved-at", buf, sizeof(buf));
				ok(strlen(buf) == 20, "  approved-at %s", buf);
			}
		}
		is_int(nreq, 1, "  one <request>");
		xmlFreeDoc(d);
	}
	if (get_request(t, "R000001", &r) == 0) {
		is_str(r.status, "approved", "  status approved");
		is_int(r.nhistory, 2, "  two history entries");
		ok(r.nhistory == 2 && strstr(r.history[1], "|staff:root|"
		    "approved|1c/out/entity-request-R000001.xml") != NULL,
		    "  history: %s", r.nhistory > 1 ? r.history[1] : "");
		fx_request_release(&r);
	}
	fx_err_clear(&err);
	refused(fx_request_decide(t->ctx, "R000001", 1, NULL, &err), &err,
	    FX_EDATA, "request \"R000001\" is approved, not pending: only a "
	    "pending request can be approved or rejected", "approving twice");
	fx_err_clear(&err);
	refused(fx_request_decide(t->ctx, "R000001", 0, "no", &err), &err,
	    FX_EDATA, "request \"R000001\" is approved, not pending: only a "
	    "pending request can be approved or rejected",
	    "rejecting an approved one");
	is_int(nfiles(path(t, "1c/out", p, sizeof(p))), 1,
	    "  still one file");
	req_init(&r, "D00001", "7707083893", "773601001");
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "INN \"7707083893\" KPP \"773601001\" is already requested "
	    "(R000001, approved)", "an approved request blocks another");

	fx_err_clear(&err);
	if (!is_int(fx_request_decide(t->ctx, "R000002", 0,
	    " ИНН другого дилера ", &err), 0, "R000002 rejected"))
		diag(&err);
	if (get_request(t, "R000002", &r) == 0) {
		is_str(r.status, "rejected", "  status rejected");
		is_str(r.reason, "ИНН другого дилера", "  reason, trimmed");
		ok(r.nhistory == 2 && strstr(r.history[1],
		    "|staff:root|rejected|ИНН другого дилера") != NULL,
		    "  history: %s", r.nhistory > 1 ? r.history[1] : "");
		fx_request_release(&r);
	}
	fx_err_clear(&err);
	refused(fx_request_decide(t->ctx, "R000002", 0, "again", &err), &err,
	    FX_EDATA, "request \"R000002\" is rejected, not pending: only a "
	    "pending request can be approved or rejected", "rejecting twice");
	is_int(nfiles(path(t, "1c/out", p, sizeof(p))), 1,
	    "  a rejection writes nothing for 1C");
	{
		struct fx_audit_filter f = { NULL, NULL, "R000002", 0 };
		struct fx_audit *a;
		size_t na;

		if (fx_audit_list(t->ctx, &f, &a, &na, &err) == -1)
			die("audit", &err);
		ok(na == 3 && strcmp(a[0].action, "entity.request") == 0 &&
		    strcmp(a[0].actor, "ivanov") == 0 &&
		    strcmp(a[1].action, "entity.reject") == 0 &&
		    strcmp(a[1].new_value, "rejected") == 0 &&
		    strcmp(a[2].field, "reason") == 0, "audited: request, "
		    "reject, reason");
		fx_audits_free(a, na);
	}

	/* Rejected does not block asking again. */
	req_init(&r, "D00001", "500100732259", "");
	if (!is_int(add(t, &r, &err), 0, "asked again after a rejection"))
		diag(&err);
	is_str(r.id != NULL ? r.id : "", "R000003", "  R000003");
	free(r.id);

	/*
	 * The spool write fails: the request stays pending, nothing is
	 * left behind, and approving again once it works writes the file.
	 */
	make_inn("770708389", inn);	/* some other INN, same KPP */
	make_inn("123456789", inn2);
	req_init(&r, "D00001", inn2, "123401001");
	if (!is_int(add(t, &r, &err), 0, "R000004 filed"))
		diag(&err);
	free(r.id);
	{
		char out[1024], moved[1024];

		path(t, "1c/out", out, sizeof(out));
		path(t, "1c/out.away", moved, sizeof(moved));
		rename(out, moved);
		fx_err_clear(&err);
		rc = fx_request_decide(t->ctx, "R000004", 1, NULL, &err);
		is_int(rc, -1, "approval with 1c/out missing fails");
		is_int(err.code, FX_ECANTCREAT, "  FX_ECANTCREAT: %s",
		    err.msg);
		is_int(nfiles(path(t, "tmp", p, sizeof(p))), 0,
		    "  no temporary file left");
		if (get_request(t, "R000004", &r) == 0) {
			is_str(r.status, "pending", "  still pending");
			is_int(r.nhistory, 1, "  no history added");
			fx_request_release(&r);
		}
		rename(moved, out);
		fx_err_clear(&err);
		is_int(fx_request_decide(t->ctx, "R000004", 1, NULL, &err), 0,
		    "approved once the spool works");
		ok(access(path(t, "1c/out/entity-request-R000004.xml", p,
		    sizeof(p)), F_OK) == 0, "  its file written");
	}

	/* 1C sends the entities back: the requests are registered. */
	doc(t, EROOT("false") D1
	    "<entity id=\"D00001-4\" name=\"ООО Ромашка\" inn=\"7707083893\""
	    " kpp=\"773601001\" head=\"D00001-1\"/>\n"
	    "<entity id=\"D00001-5\" name=\"ИП Петров\" "
	    "inn=\"500100732259\"/>\n"
	    "</dealer></formix-conditions>\n", p, sizeof(p));
	{
		struct fx_import_stats st;

		if (!is_int(import(t, p, 0, &st, &err), 0,
		    "conditions with the requested entities"))
			diag(&err);
	}
	if (get_request(t, "R000001", &r) == 0) {
		is_str(r.status, "registered", "  approved R000001 registered");
		is_str(r.entity, "D00001-4", "  as D00001-4");
		ok(r.nhistory == 3 && strstr(r.history[2],
		    "|1c|registered|entity D00001-4") != NULL,
		    "  history: %s", r.nhistory > 2 ? r.history[2] : "");
		fx_request_release(&r);
	}
	if (get_request(t, "R000003", &r) == 0) {
		is_str(r.status, "registered",
		    "  a pending one too (its approval may be unrecorded)");
		is_str(r.entity, "D00001-5", "  as D00001-5");
		fx_request_release(&r);
	}
	if (get_request(t, "R000002", &r) == 0) {
		is_str(r.status, "rejected", "  a rejected one stays so");
		fx_request_release(&r);
	}
	if (get_request(t, "R000004", &r) == 0) {
		is_str(r.status, "approved", "  one 1C has not sent stays");
		fx_request_release(&r);
	}
	{
		struct fx_audit_filter f = { NULL, NULL, "R000001", 0 };
		struct fx_audit *a;
		size_t na, i;
		int seen = 0;

		if (fx_audit_list(t->ctx, &f, &a, &na, &err) == -1)
			die("audit", &err);
		for (i = 0; i < na; i++)
			if (strcmp(a[i].action, "entity.registered") == 0 &&
			    strcmp(a[i].field, "entity") == 0 &&
			    strcmp(a[i].new_value, "D00001-4") == 0)
				seen = 1;
		ok(seen, "  audited entity.registered");
		fx_audits_free(a, na);
	}
	req_init(&r, "D00001", "7707083893", "773601001");
	refused(add(t, &r, &err), &err, FX_EDATA,
	    "INN \"7707083893\" KPP \"773601001\" is already registered as "
	    "legal entity \"D00001-4\"", "registered now");

	/* Blocked after it was resolved: it sees nothing from then on. */
	{
		struct fx_ctx *staff;

		as_user(t, "ivanov");
		if (fx_ctx_open(&staff, t->root, NULL, 0, &err) == -1 ||
		    fx_auth(staff, NULL, &err) == -1 ||
		    fx_user_add(staff, &(struct fx_user){ .login =
		    (char *)"boss2", .name = (char *)"B", .dealer =
		    (char *)"D00001", .superuser = 1 }, &err) == -1 ||
		    fx_user_block(staff, "ivanov", 1, "ушёл", &err) == -1)
			die("block ivanov", &err);
		refused(fx_request_list(t->ctx, NULL, &v, &n, &err), &err,
		    FX_EPERM, "user \"ivanov\" is blocked: ушёл",
		    "a user blocked meanwhile lists nothing");
		req_init(&r, "D00001", inn, "773601001");
		refused(add(t, &r, &err), &err, FX_EPERM,
		    "user \"ivanov\" is blocked: ушёл", "  nor files");
		if (fx_user_block(staff, "ivanov", 0, NULL, &err) == -1)
			die("unblock", &err);
		fx_ctx_free(staff);
		as_staff(t);
	}
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int
main(void)
{
	struct t t;
	struct fx_err err;
	const char *tmpdir = getenv("TMPDIR"), *src = getenv("FX_SRCDIR");

	if (getuid() != 0) {
		printf("1..0 # SKIP acting as staff needs root\n");
		return 0;
	}
	umask(022);
	memset(&t, 0, sizeof(t));
	snprintf(t.dir, sizeof(t.dir), "%s/t_request.XXXXXX",
	    tmpdir != NULL && *tmpdir != '\0' ? tmpdir : "/tmp");
	if (mkdtemp(t.dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(t.root, sizeof(t.root), "%s/inst", t.dir);
	snprintf(t.spool, sizeof(t.spool), "%s/spool", t.root);
	snprintf(t.data, sizeof(t.data), "%s/tests/data/cond",
	    src != NULL ? src : ".");
	unsetenv("FORMIX_CONF");
	unsetenv("FX_CRASH_AT");
	fx_err_clear(&err);
	if (fx_instance_init(t.root, &err) == -1)
		die("init", &err);
	if (fx_ctx_open(&t.ctx, t.root, NULL, 0, &err) == -1)
		die("open", &err);
	as_staff(&t);

	test_spool(&t);
	seed(&t);
	test_employees(&t);
	test_requests(&t);

	fx_ctx_free(t.ctx);
	xmlCleanupParser();
	nftw(t.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
