/*
 * ctx.c -- the handle: finding the instance, reading its configuration,
 * opening its store; creating a new instance.
 *
 * An instance is one directory, as PostgreSQL's data directory: the
 * configuration (formix.yaml), the store (db/) and the spool tree.  Tools
 * find it by -D, else $FORMIX_ROOT, else the default set at configure time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fx-int.h"

const char *
fx_root_default(const char *root)
{
	const char *env;

	if (root != NULL && root[0] != '\0')
		return root;
	if ((env = getenv("FORMIX_ROOT")) != NULL && env[0] != '\0')
		return env;
	return FX_ROOTDIR;
}

/*
 * "Today" decides which deliveries are still to come.  FORMIX_TODAY pins
 * it (tests, reruns of a past day's reports); otherwise the local date.
 */
static void
set_today(struct fx_ctx *ctx)
{
	const char *env = getenv("FORMIX_TODAY");
	time_t t;
	struct tm tm;

	if (env != NULL && fx_date_check(env) == 0) {
		fx_strlcpy(ctx->today, env, sizeof(ctx->today));
		return;
	}
	t = time(NULL);
	localtime_r(&t, &tm);
	strftime(ctx->today, sizeof(ctx->today), "%Y-%m-%d", &tm);
}

int
fx_ctx_open(struct fx_ctx **ctxp, const char *root, const char *conf,
    int flags, struct fx_err *err)
{
	struct fx_ctx *ctx;
	char *path = NULL;
	const char *env;
	struct stat st;
	int dbflags = 0;

	*ctxp = NULL;
	root = fx_root_default(root);
	ctx = fx_calloc(1, sizeof(*ctx));
	if (conf == NULL && (env = getenv("FORMIX_CONF")) != NULL &&
	    env[0] != '\0')
		conf = env;
	if (conf == NULL) {
		path = fx_path_join(root, "formix.yaml");
		if (stat(path, &st) == -1 && errno == ENOENT) {
			if (stat(root, &st) == -1) {
				free(path);
				free(ctx);
				return fx_err_sys(err, FX_ENOINPUT, "instance "
				    "%s (use -D DIR or FORMIX_ROOT, or create "
				    "one with formix-admin init)", root);
			}
			free(path);
			path = NULL;
		}
		conf = path;
	}
	if (fx_conf_load(&ctx->conf, conf, root, err) == -1) {
		free(path);
		free(ctx);
		return -1;
	}
	free(path);
	if (flags & FX_OPEN_RDONLY)
		dbflags |= FX_DB_RDONLY;
	if (flags & FX_OPEN_CREATE)
		dbflags |= FX_DB_CREATE;
	if (fx_db_open(&ctx->db, ctx->conf.db_path, ctx->conf.map_size,
	    ctx->conf.map_max, dbflags, err) == -1) {
		fx_conf_release(&ctx->conf);
		free(ctx);
		return -1;
	}
	set_today(ctx);
	*ctxp = ctx;
	return 0;
}

void
fx_ctx_free(struct fx_ctx *ctx)
{
	if (ctx == NULL)
		return;
	fx_db_close(ctx->db);
	fx_conf_release(&ctx->conf);
	free(ctx);
}

const struct fx_conf *
fx_ctx_conf(const struct fx_ctx *ctx)
{
	return &ctx->conf;
}

void
fx_ctx_set_warn(struct fx_ctx *ctx, fx_warn_fn *fn, void *arg)
{
	ctx->warn = fn;
	ctx->warn_arg = arg;
}

void
fx_warn(struct fx_ctx *ctx, const struct fx_err *e)
{
	if (ctx->warn != NULL)
		ctx->warn(ctx->warn_arg, e);
}

static int
mkdir_p(const char *root, const char *rel, struct fx_err *err)
{
	char *path = fx_path_join(root, rel), *p;

	for (p = path + strlen(root) + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char save = *p;

			*p = '\0';
			if (mkdir(path, 0750) == -1 && errno != EEXIST) {
				fx_err_sys(err, FX_ECANTCREAT, "mkdir %s", path);
				free(path);
				return -1;
			}
			*p = save;
			if (save == '\0')
				break;
		}
	}
	free(path);
	return 0;
}

/* mkdir -p of an absolute or relative path. */
static int
mkdir_parents(const char *dir, struct fx_err *err)
{
	char *path = fx_strdup(dir), *p;

	for (p = path + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char save = *p;

			*p = '\0';
			if (mkdir(path, 0750) == -1 && errno != EEXIST) {
				fx_err_sys(err, FX_ECANTCREAT, "mkdir %s", path);
				free(path);
				return -1;
			}
			*p = save;
			if (save == '\0')
				break;
		}
	}
	free(path);
	return 0;
}

/* The configuration a new instance starts with. */
static const char initial_conf[] =
"# Formix instance configuration: every key and its default is in\n"
"# formix.yaml(5) and in formix.yaml.sample.  Paths are relative to this\n"
"# instance directory.\n"
"store:\n"
"  path: db\n"
"  map_size: 256MiB\n"
"spool:\n"
"  path: spool\n"
"catalog:\n"
"  # Price types by name or Ид, as 1C calls them.\n"
"  retail_price_type: \"Розничная\"\n"
"  base_price_type: \"Оптовая\"\n";

/* Write a small file durably: temporary name, fsync, rename, fsync dir. */
static int
write_file(const char *dir, const char *name, const char *data,
    struct fx_err *err)
{
	char *path = fx_path_join(dir, name), tmp[4096];
	size_t len = strlen(data);
	int fd, dfd;

	if (fx_snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
	    (long)getpid()) == -1) {
		free(path);
		return fx_err_set(err, FX_ECANTCREAT, "path too long");
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0640);
	if (fd == -1) {
		fx_err_sys(err, FX_ECANTCREAT, "create %s", tmp);
		free(path);
		return -1;
	}
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) == -1) {
		fx_err_sys(err, FX_EIO, "write %s", tmp);
		close(fd);
		unlink(tmp);
		free(path);
		return -1;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		fx_err_sys(err, FX_EIO, "write %s", path);
		unlink(tmp);
		free(path);
		return -1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	free(path);
	return 0;
}

int
fx_instance_init(const char *root, struct fx_err *err)
{
	static const char *const dirs[] = {
		"spool/1c/in", "spool/1c/out", "spool/dealers",
		"spool/mail/tmp", "spool/mail/new", "spool/mail/cur",
		"spool/queue/incoming", "spool/queue/active",
		"spool/queue/deferred", "spool/queue/done",
		"spool/queue/corrupt", "spool/attachments", "spool/tmp",
	};
	struct fx_ctx *ctx;
	struct stat st;
	char *conf;
	size_t i;

	root = fx_root_default(root);
	if (mkdir_parents(root, err) == -1)
		return -1;
	conf = fx_path_join(root, "formix.yaml");
	if (stat(conf, &st) == 0) {
		free(conf);
		return fx_err_set(err, FX_ECANTCREAT, "%s is already an "
		    "instance (formix.yaml exists)", root);
	}
	free(conf);
	for (i = 0; i < nitems(dirs); i++)
		if (mkdir_p(root, dirs[i], err) == -1)
			return -1;
	if (write_file(root, "formix.yaml", initial_conf, err) == -1)
		return -1;
	if (fx_ctx_open(&ctx, root, NULL, FX_OPEN_CREATE, err) == -1)
		return -1;
	fx_ctx_free(ctx);
	return 0;
}

/* Configuration reload (SIGHUP). */

int
fx_ctx_reload(struct fx_ctx *ctx, struct fx_err *err)
{
	struct fx_conf nc;
	struct stat st;
	char *def = NULL;
	const char *path = ctx->conf.path, *what = NULL;

	if (path == NULL) {
		def = fx_path_join(ctx->conf.root, "formix.yaml");
		if (stat(def, &st) == 0)
			path = def;
	}
	if (fx_conf_load(&nc, path, ctx->conf.root, err) == -1) {
		free(def);
		return -1;
	}
	free(def);
	/* The store and the spool are open and watched: not swapped under
	 * a running daemon. */
	if (strcmp(nc.db_path, ctx->conf.db_path) != 0)
		what = "store.path";
	else if (nc.map_size != ctx->conf.map_size)
		what = "store.map_size";
	else if (nc.map_max != ctx->conf.map_max)
		what = "store.map_max";
	else if (strcmp(nc.spool_path, ctx->conf.spool_path) != 0)
		what = "spool.path";
	if (what != NULL) {
		fx_err_setloc(err, FX_ECONFIG, nc.path ? nc.path : "", 0, 0,
		    "%s changed: it takes a restart", what);
		fx_conf_release(&nc);
		return -1;
	}
	fx_conf_release(&ctx->conf);
	ctx->conf = nc;
	return 0;
}
