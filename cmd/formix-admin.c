/*
 * formix-admin -- create and look after a Formix instance: init, import
 * 1C files, store statistics; dealers, legal entities and their requests,
 * users and permissions, dealers' exchange folders, the audit log.
 *
 * Thin by design: every action is one libformix call, which also decides
 * who may do it (fx_acl_check); this file never checks a permission.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAXLIST	64	/* repeated --email / --entity */
#define nitems_(a)	(sizeof(a) / sizeof((a)[0]))

struct opts {
	const char	*root;
	const char	*conf;
	const char	*as;
	enum cli_fmt	 fmt;
	int		 header;
	int		 json;
	int		 force;
	int		 dry_run;
	int		 quiet;
	/* accounts */
	const char	*dealer;
	const char	*name;
	const char	*phone;
	const char	*unix_login;
	const char	*perm;
	const char	*superuser;	/* "yes"/"no", or NULL */
	const char	*reason;
	const char	*status;
	const char	*inn, *kpp, *address, *bank, *bik, *account, *corr;
	const char	*since, *actor, *object;
	size_t		 limit;
	const char	*emails[MAXLIST];
	size_t		 nemails;
	const char	*entities[MAXLIST];
	size_t		 nentities;
	/* folders */
	const char	*user, *mode, *mail;
	int		 no_mail, no_pull, no_push;
	const char	*pulls[MAXLIST];
	size_t		 npulls;
	const char	*pushes[MAXLIST];
	size_t		 npushes;
};

enum {
	O_JSON = 256, O_TSV, O_AS, O_DEALER, O_NAME, O_EMAIL, O_PHONE, O_UNIX,
	O_ENTITY, O_PERM, O_SUPERUSER, O_REASON, O_STATUS, O_INN, O_KPP,
	O_ADDRESS, O_BANK, O_BIK, O_ACCOUNT, O_CORR, O_SINCE, O_ACTOR,
	O_OBJECT,
	O_USER, O_MODE, O_MAIL, O_PULL, O_PUSH, O_NO_MAIL, O_NO_PULL,
	O_NO_PUSH,
};

static void
usage(void)
{
	printf(
"Usage: %s [options] COMMAND [ARGS]\n"
"\n"
"Create and look after a Formix instance.\n"
"\n"
"Commands:\n"
"  init [DIR]                  create an instance: formix.yaml, store, spool\n"
"  import [-n] [-f] FILE...    apply 1C files as one package\n"
"  db stat|dump                record counts / every record as text\n"
"  gc attachments [-n]         remove content files no record names\n"
"  config                      the effective configuration\n"
"  dealer list|show DEALER     dealers\n"
"  entity list [--dealer D]    legal entities you may see\n"
"  entity show ENTITY          one, by Ид, INN or INN/KPP\n"
"  entity request --dealer D --name N --inn I [--kpp K] --address A\n"
"                 [--bank B --bik K --account A --corr-account C]\n"
"                              ask for a new legal entity\n"
"  entity requests [--status S]   requests and their status\n"
"  entity approve REQ | reject REQ --reason T   staff decision\n"
"  user list [--dealer D] | show LOGIN\n"
"  user add LOGIN --dealer D --name N [--email E]... [--phone P]\n"
"           [--unix U] [--entity E]... [--perm LIST] [--superuser]\n"
"  user set LOGIN [--name N] [--email E]... [--phone P] [--unix U]\n"
"           [--perm LIST] [--superuser=yes|no]\n"
"  user attach|detach LOGIN ENTITY...\n"
"  user block LOGIN --reason T | unblock LOGIN\n"
"  folder list | show DIR      dealers' exchange folders (spool/dealers)\n"
"  folder add DIR --user LOGIN [--mode M] [--mail A] [--pull URL]...\n"
"             [--push URL]...  make a folder and its channel file\n"
"  folder set DIR [--user LOGIN] [--mode M] [--mail A | --no-mail]\n"
"             [--pull URL... | --no-pull] [--push URL... | --no-push]\n"
"  log [--since D] [--actor L] [--object O] [--limit N]   the audit log\n"
"\n"
"Options:\n"
"  -D, --root DIR         instance directory (default: $FORMIX_ROOT, else\n"
"                         %s)\n"
"  -c, --config FILE      configuration file (default: $FORMIX_CONF, else\n"
"                         DIR/formix.yaml)\n"
"      --as LOGIN         staff: act exactly as this dealer user\n"
"  -n, --dry-run          import: check everything, change nothing;\n"
"                         gc: count, remove nothing\n"
"  -f, --force            import: apply files even if applied before\n"
"  -q, --quiet            import, gc: no summary line\n"
"      --json             JSON output (one object per line)\n"
"      --tsv              tab-separated output\n"
"  -H, --no-header        no header line\n"
"      --dealer D         dealer Ид\n"
"      --name N           full name (user) or name (entity)\n"
"      --email E          e-mail address (repeat for several)\n"
"      --phone P          phone number\n"
"      --unix U           the Unix login the user runs the tools as\n"
"      --entity E         legal entity Ид, INN or INN/KPP (repeat)\n"
"      --perm LIST        permissions: order,claim,ar,users, all or none\n"
"      --superuser[=yes|no]  the dealer's superuser\n"
"      --reason T         why (block, reject)\n"
"      --status S         requests: pending, approved, rejected, registered\n"
"      --inn I            INN, 10 or 12 digits\n"
"      --kpp K            KPP, 9 characters (none for a sole trader)\n"
"      --address A        legal address\n"
"      --bank B           bank name\n"
"      --bik K            bank BIK, 9 digits\n"
"      --account A        settlement account, 20 digits\n"
"      --corr-account C   correspondent account, 20 digits\n"
"      --since D          log: from this date or time\n"
"      --actor L          log: by this login (or staff:UNIX)\n"
"      --object O         log: about this login, entity or request\n"
"      --limit N          log: the newest N entries\n"
"      --user LOGIN       folder: the dealer user its files act as\n"
"      --mode M           folder: auto, check or draft\n"
"      --mail A           folder: the dealer's secret drop address\n"
"      --pull URL         folder: an sftp:// folder to take files from\n"
"      --push URL         folder: an sftp:// folder to send out/ to\n"
"      --no-mail, --no-pull, --no-push   folder set: remove them\n"
"  -h, --help             display this help and exit\n"
"  -V, --version          display version and exit\n",
	    cli_prog, FX_ROOTDIR);
	exit(0);
}

/* Open the instance and resolve who is acting. */
static int
open_as(struct opts *o, struct fx_ctx **ctx, int flags)
{
	return cli_open_as(ctx, o->root, o->conf, flags, o->as);
}

static int
fail(struct fx_ctx *ctx, const struct fx_err *err)
{
	int rc = cli_fail(err);

	fx_ctx_free(ctx);
	return rc;
}

static int
cmd_init(struct opts *o, int argc, char **argv)
{
	struct fx_err err;
	const char *root;

	if (argc > 2)
		cli_usage("init takes one directory");
	root = argc == 2 ? argv[1] : fx_root_default(o->root);
	fx_err_clear(&err);
	if (fx_instance_init(root, &err) == -1)
		return cli_fail(&err);
	printf("initialised %s\n", root);
	return 0;
}

static int
cmd_import(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_import_stats st;
	struct fx_err err;
	int flags = 0, rc;

	if (argc < 2)
		cli_usage("import needs at least one file");
	if (o->force)
		flags |= FX_IMPORT_FORCE;
	if (o->dry_run)
		flags |= FX_IMPORT_DRYRUN;
	if ((rc = open_as(o, &ctx, 0)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_acl_check(ctx, FX_ACT_STAFF, NULL, NULL, &err) == -1 ||
	    fx_import(ctx, (const char *const *)argv + 1, (size_t)argc - 1,
	    flags, &st, &err) == -1)
		return fail(ctx, &err);
	fx_ctx_free(ctx);
	if (st.already_applied) {
		cli_errx("already applied on %s: nothing to do (use -f to "
		    "apply again)", st.applied_at);
		return 0;
	}
	if (!o->quiet)
		printf("%s %d file%s: groups %llu, products %llu (deleted "
		    "%llu), price types %llu, prices %llu, warehouses %llu, "
		    "stock %llu, dealers %llu, entities %llu, discounts %llu, "
		    "users %llu, deliveries %llu, ledger %llu, warnings %llu\n",
		    o->dry_run ? "checked" : "imported", st.files,
		    st.files == 1 ? "" : "s",
		    (unsigned long long)st.groups,
		    (unsigned long long)st.products,
		    (unsigned long long)st.deleted,
		    (unsigned long long)st.pricetypes,
		    (unsigned long long)st.prices,
		    (unsigned long long)st.warehouses,
		    (unsigned long long)st.stock,
		    (unsigned long long)st.dealers,
		    (unsigned long long)st.entities,
		    (unsigned long long)st.discounts,
		    (unsigned long long)st.users,
		    (unsigned long long)st.deliveries,
		    (unsigned long long)st.ledger,
		    (unsigned long long)st.warnings);
	if (!o->quiet && st.orders > 0)
		printf("orders %llu (keyed in 1C %llu), order events %llu\n",
		    (unsigned long long)st.orders,
		    (unsigned long long)st.orders_new,
		    (unsigned long long)st.order_events);
	/* 1C's files for orders (orderdoc.c). */
	if (!o->quiet && st.order_docs > 0)
		printf("order documents %llu\n",
		    (unsigned long long)st.order_docs);
	if (!o->quiet && st.claim_lines > 0)
		printf("claim lines %llu, status changes %llu\n",
		    (unsigned long long)st.claim_lines,
		    (unsigned long long)st.claim_changes);
	return 0;
}

static int
cmd_db(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_stat s;
	struct fx_err err;
	size_t i;
	int rc;

	if (argc != 2 || (strcmp(argv[1], "stat") != 0 &&
	    strcmp(argv[1], "dump") != 0))
		cli_usage("db needs a command: stat or dump");
	if ((rc = open_as(o, &ctx, FX_OPEN_RDONLY)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_acl_check(ctx, FX_ACT_STAFF, NULL, NULL, &err) == -1)
		return fail(ctx, &err);
	if (strcmp(argv[1], "dump") == 0) {
		rc = fx_db_dump(ctx, stdout, &err) == -1 ? cli_fail(&err) : 0;
		fx_ctx_free(ctx);
		return rc;
	}
	if (fx_db_stat(ctx, &s, &err) == -1)
		return fail(ctx, &err);
	fx_ctx_free(ctx);
	if (o->json) {
		printf("{");
		for (i = 0; i < fx_stat_nkinds; i++)
			printf("\"%s\":%llu,", fx_kind_name(fx_stat_kinds[i]),
			    (unsigned long long)s.count[fx_stat_kinds[i]]);
		printf("\"users\":%llu,\"requests\":%llu,",
		    (unsigned long long)s.count[FX_K_USER],
		    (unsigned long long)s.count[FX_K_REQUEST]);
		printf("\"map_size\":%llu,\"map_used\":%llu,",
		    (unsigned long long)s.map_size,
		    (unsigned long long)s.map_used);
		printf("\"catalog_asof\":");
		cli_json_str(stdout, s.catalog_asof);
		printf(",\"offers_asof\":");
		cli_json_str(stdout, s.offers_asof);
		printf(",\"conditions_asof\":");
		cli_json_str(stdout, s.conditions_asof);
		printf(",\"deliveries_asof\":");
		cli_json_str(stdout, s.deliveries_asof);
		printf(",\"ledger_asof\":");
		cli_json_str(stdout, s.ledger_asof);
		printf("}\n");
		return 0;
	}
	for (i = 0; i < fx_stat_nkinds; i++)
		printf("%-12s %llu\n", fx_kind_name(fx_stat_kinds[i]),
		    (unsigned long long)s.count[fx_stat_kinds[i]]);
	printf("%-12s %llu\n", "users", (unsigned long long)
	    s.count[FX_K_USER]);
	printf("%-12s %llu\n", "requests", (unsigned long long)
	    s.count[FX_K_REQUEST]);
	printf("%-12s %llu of %llu MiB\n", "map", (unsigned long long)
	    (s.map_used >> 20), (unsigned long long)(s.map_size >> 20));
	printf("%-12s catalog %s, offers %s, conditions %s, deliveries %s, "
	    "ledger %s\n", "as of", s.catalog_asof[0] ? s.catalog_asof : "-",
	    s.offers_asof[0] ? s.offers_asof : "-",
	    s.conditions_asof[0] ? s.conditions_asof : "-",
	    s.deliveries_asof[0] ? s.deliveries_asof : "-",
	    s.ledger_asof[0] ? s.ledger_asof : "-");
	return 0;
}

static int
cmd_config(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_err err;
	int rc;

	if (argc != 1)
		cli_usage("config takes no arguments");
	if ((rc = open_as(o, &ctx, FX_OPEN_RDONLY)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_acl_check(ctx, FX_ACT_STAFF, NULL, NULL, &err) == -1)
		return fail(ctx, &err);
	rc = fx_conf_dump(fx_ctx_conf(ctx), stdout, &err) == -1 ?
	    cli_fail(&err) : 0;
	fx_ctx_free(ctx);
	return rc;
}

/* Output helpers. */

static struct cli_out *
out_new(struct opts *o, const struct cli_col *cols, size_t n)
{
	return cli_out_new(stdout, o->fmt, o->header, cols, n);
}

static int
out_end(struct cli_out *out)
{
	return cli_out_end(out) == -1 ? EX_IOERR_ : 0;
}

/* Join a string vector with sep into buf. */
static const char *
join(char *buf, size_t sz, char *const *v, size_t n, const char *sep)
{
	size_t i, o = 0, l;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		l = strlen(v[i]) + (i > 0 ? strlen(sep) : 0);
		if (o + l + 1 > sz)
			break;
		o += (size_t)snprintf(buf + o, sz - o, "%s%s",
		    i > 0 ? sep : "", v[i]);
	}
	return buf;
}

static char *
money(char *buf, size_t sz, int64_t v)
{
	return fx_money_fmt(buf, sz, v, 0);
}

/* Dealers. */

static int
cmd_dealer(struct opts *o, int argc, char **argv)
{
	static const struct cli_col cols[] = {
		{ "id", 0 }, { "name", 0 }, { "blocked", 0 },
	};
	struct fx_ctx *ctx;
	struct fx_dealer *v = NULL, one;
	struct fx_err err;
	struct cli_out *out;
	size_t n = 0, i;
	int rc, show;

	if (argc < 2 || (strcmp(argv[1], "list") != 0 &&
	    strcmp(argv[1], "show") != 0))
		cli_usage("dealer needs a command: list or show");
	show = strcmp(argv[1], "show") == 0;
	if ((show && argc != 3) || (!show && argc != 2))
		cli_usage(show ? "dealer show takes one dealer" :
		    "dealer list takes no arguments");
	if ((rc = open_as(o, &ctx, FX_OPEN_RDONLY)) != 0)
		return rc;
	fx_err_clear(&err);
	if (show) {
		if (fx_dealer_get(ctx, argv[2], &one, &err) == -1)
			return fail(ctx, &err);
		v = &one;
		n = 1;
	} else if (fx_dealer_list(ctx, &v, &n, &err) == -1)
		return fail(ctx, &err);
	out = out_new(o, cols, nitems_(cols));
	for (i = 0; i < n; i++) {
		const char *row[3];

		row[0] = v[i].id;
		row[1] = v[i].name;
		row[2] = v[i].blocked ? "yes" : "no";
		cli_out_row(out, row);
	}
	rc = out_end(out);
	if (show)
		fx_dealer_release(&one);
	else
		fx_dealers_free(v, n);
	fx_ctx_free(ctx);
	return rc;
}

/* Legal entities and requests. */

static void
entity_rows(struct cli_out *out, const struct fx_entity *v, size_t n)
{
	char b1[32], b2[32], b3[32], b4[16];
	size_t i;

	for (i = 0; i < n; i++) {
		const char *row[13];

		row[0] = v[i].id;
		row[1] = v[i].dealer;
		row[2] = v[i].name;
		row[3] = v[i].inn;
		row[4] = v[i].kpp;
		row[5] = v[i].head;
		row[6] = v[i].contract;
		row[7] = v[i].contract_expires;
		row[8] = money(b1, sizeof(b1), v[i].credit_limit);
		row[9] = money(b2, sizeof(b2), v[i].overdue_limit);
		row[10] = fx_pct_fmt(b3, sizeof(b3), v[i].default_discount);
		snprintf(b4, sizeof(b4), "%d", (int)v[i].payment_days);
		row[11] = b4;
		row[12] = v[i].blocked ? "yes" : "no";
		cli_out_row(out, row);
	}
}

static const struct cli_col entity_cols[] = {
	{ "id", 0 }, { "dealer", 0 }, { "name", 0 }, { "inn", 0 },
	{ "kpp", 0 }, { "head", 0 }, { "contract", 0 },
	{ "contract_expires", 0 }, { "credit_limit", CLI_RIGHT | CLI_NUM },
	{ "overdue_limit", CLI_RIGHT | CLI_NUM },
	{ "default_discount", CLI_RIGHT | CLI_NUM },
	{ "payment_days", CLI_RIGHT | CLI_NUM }, { "blocked", 0 },
};

static const struct cli_col request_cols[] = {
	{ "id", 0 }, { "dealer", 0 }, { "name", 0 }, { "inn", 0 },
	{ "kpp", 0 }, { "address", 0 }, { "status", 0 }, { "reason", 0 },
	{ "requested_by", 0 }, { "created", 0 }, { "updated", 0 },
	{ "entity", 0 },
};

static void
request_rows(struct cli_out *out, const struct fx_request *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *row[12];

		row[0] = v[i].id;
		row[1] = v[i].dealer;
		row[2] = v[i].name;
		row[3] = v[i].inn;
		row[4] = v[i].kpp;
		row[5] = v[i].address;
		row[6] = v[i].status;
		row[7] = v[i].reason;
		row[8] = v[i].requested_by;
		row[9] = v[i].created;
		row[10] = v[i].updated;
		row[11] = v[i].entity;
		cli_out_row(out, row);
	}
}

static int
entity_request(struct opts *o, struct fx_ctx *ctx, int argc)
{
	struct fx_request r;
	struct fx_err err;

	if (argc != 2)
		cli_usage("entity request takes options only");
	if (o->dealer == NULL || o->name == NULL || o->inn == NULL ||
	    o->address == NULL)
		cli_usage("entity request needs --dealer, --name, --inn and "
		    "--address");
	memset(&r, 0, sizeof(r));
	r.dealer = (char *)o->dealer;
	r.name = (char *)o->name;
	r.inn = (char *)o->inn;
	r.kpp = (char *)(o->kpp ? o->kpp : "");
	r.address = (char *)o->address;
	r.bank = (char *)(o->bank ? o->bank : "");
	r.bik = (char *)(o->bik ? o->bik : "");
	r.account = (char *)(o->account ? o->account : "");
	r.corr_account = (char *)(o->corr ? o->corr : "");
	fx_err_clear(&err);
	if (fx_request_add(ctx, &r, &err) == -1)
		return cli_fail(&err);
	printf("requested %s: %s, INN %s%s%s, pending approval\n", r.id,
	    o->name, o->inn, o->kpp ? " KPP " : "", o->kpp ? o->kpp : "");
	free(r.id);
	return 0;
}

static int
cmd_entity(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_err err;
	struct cli_out *out;
	const char *verb;
	int rc;

	if (argc < 2)
		cli_usage("entity needs a command: list, show, request, "
		    "requests, approve or reject");
	verb = argv[1];
	if (strcmp(verb, "list") != 0 && strcmp(verb, "show") != 0 &&
	    strcmp(verb, "request") != 0 && strcmp(verb, "requests") != 0 &&
	    strcmp(verb, "approve") != 0 && strcmp(verb, "reject") != 0)
		cli_usage("unknown entity command \"%s\"", verb);
	if ((strcmp(verb, "show") == 0 || strcmp(verb, "approve") == 0 ||
	    strcmp(verb, "reject") == 0) && argc != 3)
		cli_usage("entity %s takes one argument", verb);
	if ((strcmp(verb, "list") == 0 || strcmp(verb, "requests") == 0) &&
	    argc != 2)
		cli_usage("entity %s takes no arguments", verb);
	if ((rc = open_as(o, &ctx, 0)) != 0)
		return rc;
	fx_err_clear(&err);

	if (strcmp(verb, "request") == 0) {
		rc = entity_request(o, ctx, argc);
	} else if (strcmp(verb, "list") == 0 || strcmp(verb, "show") == 0) {
		struct fx_entity *v = NULL, one;
		size_t n = 0;

		if (strcmp(verb, "show") == 0) {
			if (fx_entity_get(ctx, argv[2], &one, &err) == -1)
				return fail(ctx, &err);
			v = &one;
			n = 1;
		} else if (fx_entity_list(ctx, o->dealer, &v, &n, &err) == -1)
			return fail(ctx, &err);
		out = out_new(o, entity_cols, nitems_(entity_cols));
		entity_rows(out, v, n);
		rc = out_end(out);
		if (strcmp(verb, "show") == 0) {
			if (rc == 0 && one.address[0] != '\0' &&
			    o->fmt == CLI_TABLE)
				printf("address: %s\n", one.address);
			fx_entity_release(&one);
		} else
			fx_entities_free(v, n);
	} else if (strcmp(verb, "requests") == 0) {
		struct fx_request *v = NULL;
		size_t n = 0;

		if (fx_request_list(ctx, o->status, &v, &n, &err) == -1)
			return fail(ctx, &err);
		out = out_new(o, request_cols, nitems_(request_cols));
		request_rows(out, v, n);
		rc = out_end(out);
		fx_requests_free(v, n);
	} else {
		int approve = strcmp(verb, "approve") == 0;

		if (!approve && (o->reason == NULL || o->reason[0] == '\0'))
			cli_usage("entity reject needs --reason");
		if (fx_request_decide(ctx, argv[2], approve, o->reason,
		    &err) == -1)
			return fail(ctx, &err);
		printf("%s %s\n", approve ? "approved" : "rejected", argv[2]);
	}
	fx_ctx_free(ctx);
	return rc;
}

/* Users. */

static const struct cli_col user_cols[] = {
	{ "login", 0 }, { "name", 0 }, { "dealer", 0 }, { "entities", 0 },
	{ "perms", 0 }, { "superuser", 0 }, { "blocked", 0 },
	{ "blocked_reason", 0 }, { "emails", 0 }, { "phone", 0 },
	{ "unix_login", 0 }, { "source", 0 }, { "created", 0 },
	{ "updated", 0 },
};

static void
user_rows(struct cli_out *out, const struct fx_user *v, size_t n)
{
	char ents[1024], mails[1024], perms[64];
	size_t i;

	for (i = 0; i < n; i++) {
		const char *row[14];

		row[0] = v[i].login;
		row[1] = v[i].name;
		row[2] = v[i].dealer;
		row[3] = join(ents, sizeof(ents), v[i].entities,
		    v[i].nentities, " ");
		row[4] = v[i].superuser ? "all" :
		    fx_perm_fmt(perms, sizeof(perms), v[i].perms);
		row[5] = v[i].superuser ? "yes" : "no";
		row[6] = v[i].blocked ? "yes" : "no";
		row[7] = v[i].blocked_reason;
		row[8] = join(mails, sizeof(mails), v[i].emails,
		    v[i].nemails, " ");
		row[9] = v[i].phone;
		row[10] = v[i].unix_login;
		row[11] = v[i].source;
		row[12] = v[i].created;
		row[13] = v[i].updated;
		cli_out_row(out, row);
	}
}

static int
yesno(const char *s)
{
	if (s == NULL || strcmp(s, "yes") == 0 || strcmp(s, "true") == 0)
		return 1;
	if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0)
		return 0;
	cli_usage("--superuser takes yes or no, not \"%s\"", s);
}

static int
user_perms(struct opts *o, uint32_t *perms)
{
	struct fx_err err;

	fx_err_clear(&err);
	if (strcmp(o->perm, "none") == 0) {
		*perms = 0;
		return 0;
	}
	if (fx_perm_parse(o->perm, perms, &err) == -1) {
		cli_errx("%s", err.msg);
		cli_usage("--perm takes a list of order, claim, ar, users");
	}
	return 0;
}

static int
user_add(struct opts *o, struct fx_ctx *ctx, const char *login)
{
	struct fx_user u;
	struct fx_err err;
	uint32_t perms = 0;

	if (o->dealer == NULL || o->name == NULL)
		cli_usage("user add needs --dealer and --name");
	if (o->perm != NULL)
		user_perms(o, &perms);
	memset(&u, 0, sizeof(u));
	u.login = (char *)login;
	u.name = (char *)o->name;
	u.emails = (char **)o->emails;
	u.nemails = o->nemails;
	u.phone = (char *)(o->phone ? o->phone : "");
	u.dealer = (char *)o->dealer;
	u.entities = (char **)o->entities;
	u.nentities = o->nentities;
	u.perms = perms;
	u.superuser = o->superuser != NULL ? yesno(o->superuser) : 0;
	u.unix_login = (char *)(o->unix_login ? o->unix_login : "");
	fx_err_clear(&err);
	if (fx_user_add(ctx, &u, &err) == -1)
		return cli_fail(&err);
	printf("added user %s\n", login);
	return 0;
}

static int
user_set(struct opts *o, struct fx_ctx *ctx, const char *login)
{
	struct fx_user_change ch;
	struct fx_err err;
	uint32_t perms;

	memset(&ch, 0, sizeof(ch));
	ch.name = o->name;
	if (o->nemails > 0) {
		ch.emails = o->emails;
		ch.nemails = o->nemails;
		ch.set_emails = 1;
	}
	ch.phone = o->phone;
	ch.perms = -1;
	if (o->perm != NULL) {
		user_perms(o, &perms);
		ch.perms = perms;
	}
	ch.superuser = o->superuser != NULL ? yesno(o->superuser) : -1;
	ch.unix_login = o->unix_login;
	if (ch.name == NULL && !ch.set_emails && ch.phone == NULL &&
	    ch.perms == -1 && ch.superuser == -1 && ch.unix_login == NULL)
		cli_usage("user set needs something to change");
	fx_err_clear(&err);
	if (fx_user_set(ctx, login, &ch, &err) == -1)
		return cli_fail(&err);
	printf("changed user %s\n", login);
	return 0;
}

static int
cmd_user(struct opts *o, int argc, char **argv)
{
	static const char *const verbs[] = {
		"list", "show", "add", "set", "attach", "detach", "block",
		"unblock",
	};
	struct fx_ctx *ctx;
	struct fx_err err;
	struct cli_out *out;
	const char *verb;
	size_t i;
	int rc;

	if (argc < 2)
		cli_usage("user needs a command: list, show, add, set, attach, "
		    "detach, block or unblock");
	verb = argv[1];
	for (i = 0; i < nitems_(verbs); i++)
		if (strcmp(verb, verbs[i]) == 0)
			break;
	if (i == nitems_(verbs))
		cli_usage("unknown user command \"%s\"", verb);
	if (strcmp(verb, "list") == 0) {
		if (argc != 2)
			cli_usage("user list takes no arguments");
	} else if (strcmp(verb, "attach") == 0 ||
	    strcmp(verb, "detach") == 0) {
		if (argc < 4)
			cli_usage("user %s needs a login and legal entities",
			    verb);
	} else if (argc != 3)
		cli_usage("user %s takes one login", verb);
	if (strcmp(verb, "block") == 0 && (o->reason == NULL ||
	    o->reason[0] == '\0'))
		cli_usage("user block needs --reason");

	if ((rc = open_as(o, &ctx, 0)) != 0)
		return rc;
	fx_err_clear(&err);
	if (strcmp(verb, "list") == 0 || strcmp(verb, "show") == 0) {
		struct fx_user *v = NULL, one;
		size_t n = 0;

		if (strcmp(verb, "show") == 0) {
			if (fx_user_get(ctx, argv[2], &one, &err) == -1)
				return fail(ctx, &err);
			v = &one;
			n = 1;
		} else if (fx_user_list(ctx, o->dealer, &v, &n, &err) == -1)
			return fail(ctx, &err);
		out = out_new(o, user_cols, nitems_(user_cols));
		user_rows(out, v, n);
		rc = out_end(out);
		if (strcmp(verb, "show") == 0)
			fx_user_release(&one);
		else
			fx_users_free(v, n);
	} else if (strcmp(verb, "add") == 0)
		rc = user_add(o, ctx, argv[2]);
	else if (strcmp(verb, "set") == 0)
		rc = user_set(o, ctx, argv[2]);
	else if (strcmp(verb, "attach") == 0 || strcmp(verb, "detach") == 0) {
		int detach = strcmp(verb, "detach") == 0;

		if (fx_user_attach(ctx, argv[2], (const char *const *)argv + 3,
		    (size_t)argc - 3, detach, &err) == -1)
			return fail(ctx, &err);
		printf("%s %s: %d legal entit%s\n", detach ? "detached" :
		    "attached", argv[2], argc - 3, argc - 3 == 1 ? "y" : "ies");
	} else {
		int block = strcmp(verb, "block") == 0;

		if (fx_user_block(ctx, argv[2], block, o->reason, &err) == -1)
			return fail(ctx, &err);
		printf("%s %s\n", block ? "blocked" : "unblocked", argv[2]);
	}
	fx_ctx_free(ctx);
	return rc;
}

/* Dealers' exchange folders. */

static const struct cli_col folder_cols[] = {
	{ "dir", 0 }, { "user", 0 }, { "dealer", 0 }, { "mode", 0 },
	{ "mail", 0 }, { "pull", 0 }, { "push", 0 },
	{ "in", CLI_RIGHT | CLI_NUM }, { "out", CLI_RIGHT | CLI_NUM },
	{ "problem", 0 },
};

static void
folder_rows(struct cli_out *out, const struct fx_folder *v, size_t n)
{
	char pulls[2048], pushes[2048], nin[32], nout[32];
	size_t i;

	for (i = 0; i < n; i++) {
		const char *row[10];
		int ok = v[i].ch.login[0] != '\0';

		row[0] = v[i].dir;
		row[1] = v[i].ch.login;
		row[2] = v[i].dealer;
		row[3] = ok ? fx_channel_mode_name(v[i].ch.mode) : "";
		row[4] = v[i].ch.mail;
		row[5] = join(pulls, sizeof(pulls), v[i].ch.pull,
		    v[i].ch.npull, " ");
		row[6] = join(pushes, sizeof(pushes), v[i].ch.push,
		    v[i].ch.npush, " ");
		snprintf(nin, sizeof(nin), "%zu", v[i].nin);
		snprintf(nout, sizeof(nout), "%zu", v[i].nout);
		row[7] = nin;
		row[8] = nout;
		row[9] = v[i].problem;
		cli_out_row(out, row);
	}
}

static int
folder_mode(const char *s)
{
	enum fx_chmode m;

	if (fx_channel_mode_parse(s, &m) == -1)
		cli_usage("--mode takes auto, check or draft, not \"%s\"", s);
	return (int)m;
}

static int
folder_add(struct opts *o, struct fx_ctx *ctx, const char *dir)
{
	struct fx_channel ch;
	struct fx_err err;

	if (o->user == NULL)
		cli_usage("folder add needs --user");
	if (o->no_mail || o->no_pull || o->no_push)
		cli_usage("--no-mail, --no-pull and --no-push are for folder "
		    "set");
	memset(&ch, 0, sizeof(ch));
	if (strlen(o->user) >= sizeof(ch.login))
		cli_usage("--user \"%s\": a login has at most %zu "
		    "characters", o->user, sizeof(ch.login) - 1);
	if (o->mail != NULL && strlen(o->mail) >= sizeof(ch.mail))
		cli_usage("--mail: an address has at most %zu characters",
		    sizeof(ch.mail) - 1);
	snprintf(ch.login, sizeof(ch.login), "%s", o->user);
	ch.mode = o->mode != NULL ? (enum fx_chmode)folder_mode(o->mode) :
	    FX_CHMODE_AUTO;
	snprintf(ch.mail, sizeof(ch.mail), "%s", o->mail ? o->mail : "");
	ch.pull = (char **)o->pulls;
	ch.npull = o->npulls;
	ch.push = (char **)o->pushes;
	ch.npush = o->npushes;
	fx_err_clear(&err);
	if (fx_folder_add(ctx, dir, &ch, &err) == -1)
		return cli_fail(&err);
	printf("added folder %s: user %s, mode %s\n", dir, o->user,
	    fx_channel_mode_name(ch.mode));
	return 0;
}

static int
folder_set(struct opts *o, struct fx_ctx *ctx, const char *dir)
{
	struct fx_folder_change c;
	struct fx_err err;

	if (o->mail != NULL && o->no_mail)
		cli_usage("--mail and --no-mail together");
	if (o->npulls > 0 && o->no_pull)
		cli_usage("--pull and --no-pull together");
	if (o->npushes > 0 && o->no_push)
		cli_usage("--push and --no-push together");
	memset(&c, 0, sizeof(c));
	c.login = o->user;
	c.mode = o->mode != NULL ? folder_mode(o->mode) : -1;
	c.mail = o->no_mail ? "" : o->mail;
	c.pull = o->pulls;
	c.npull = o->npulls;
	c.set_pull = o->npulls > 0 || o->no_pull;
	c.push = o->pushes;
	c.npush = o->npushes;
	c.set_push = o->npushes > 0 || o->no_push;
	if (c.login == NULL && c.mode == -1 && c.mail == NULL &&
	    !c.set_pull && !c.set_push)
		cli_usage("folder set needs something to change");
	if (c.mail != NULL && strlen(c.mail) >= 256)
		cli_usage("--mail: an address has at most 255 characters");
	fx_err_clear(&err);
	if (fx_folder_set(ctx, dir, &c, &err) == -1)
		return cli_fail(&err);
	printf("changed folder %s\n", dir);
	return 0;
}

static int
cmd_folder(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_err err;
	struct cli_out *out;
	const char *verb;
	int rc;

	if (argc < 2)
		cli_usage("folder needs a command: list, show, add or set");
	verb = argv[1];
	if (strcmp(verb, "list") != 0 && strcmp(verb, "show") != 0 &&
	    strcmp(verb, "add") != 0 && strcmp(verb, "set") != 0)
		cli_usage("unknown folder command \"%s\"", verb);
	if (strcmp(verb, "list") == 0) {
		if (argc != 2)
			cli_usage("folder list takes no arguments");
	} else if (argc != 3)
		cli_usage("folder %s takes one folder name", verb);

	if ((rc = open_as(o, &ctx, 0)) != 0)
		return rc;
	fx_err_clear(&err);
	if (strcmp(verb, "list") == 0 || strcmp(verb, "show") == 0) {
		struct fx_folder *v = NULL, one;
		size_t n = 0;

		if (strcmp(verb, "show") == 0) {
			if (fx_folder_get(ctx, argv[2], &one, &err) == -1)
				return fail(ctx, &err);
			v = &one;
			n = 1;
		} else if (fx_folder_list(ctx, &v, &n, &err) == -1)
			return fail(ctx, &err);
		out = out_new(o, folder_cols, nitems_(folder_cols));
		folder_rows(out, v, n);
		rc = out_end(out);
		if (strcmp(verb, "show") == 0)
			fx_folder_release(&one);
		else
			fx_folders_free(v, n);
	} else if (strcmp(verb, "add") == 0)
		rc = folder_add(o, ctx, argv[2]);
	else
		rc = folder_set(o, ctx, argv[2]);
	fx_ctx_free(ctx);
	return rc;
}

/* The audit log. */

static int
cmd_log(struct opts *o, int argc, char **argv)
{
	static const struct cli_col cols[] = {
		{ "seq", CLI_RIGHT }, { "at", 0 }, { "actor", 0 },
		{ "action", 0 }, { "object", 0 }, { "field", 0 },
		{ "old", 0 }, { "new", 0 },
	};
	struct fx_audit_filter f;
	struct fx_audit *v = NULL;
	struct fx_ctx *ctx;
	struct fx_err err;
	struct cli_out *out;
	size_t n = 0, i;
	int rc;

	if (argc != 1)
		cli_usage("log takes options only");
	if ((rc = open_as(o, &ctx, FX_OPEN_RDONLY)) != 0)
		return rc;
	memset(&f, 0, sizeof(f));
	f.since = o->since;
	f.actor = o->actor;
	f.object = o->object;
	f.limit = o->limit;
	fx_err_clear(&err);
	if (fx_audit_list(ctx, &f, &v, &n, &err) == -1)
		return fail(ctx, &err);
	out = out_new(o, cols, nitems_(cols));
	for (i = 0; i < n; i++) {
		const char *row[8];
		const char *seq = v[i].seq;

		while (*seq == '0' && seq[1] != '\0')
			seq++;
		row[0] = seq;
		row[1] = v[i].at;
		row[2] = v[i].actor;
		row[3] = v[i].action;
		row[4] = v[i].object;
		row[5] = v[i].field;
		row[6] = v[i].old_value;
		row[7] = v[i].new_value;
		cli_out_row(out, row);
	}
	rc = out_end(out);
	fx_audits_free(v, n);
	fx_ctx_free(ctx);
	return rc;
}

/*
 * gc attachments: the sweep of content files that no record names
 * (fx_spool_gc), for cron; they come from attaches refused after their
 * files were stored, or crashed, and from replaced order documents.
 */
static int
cmd_gc(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_gc_stats st;
	struct fx_err err;
	int rc;

	if (argc != 2 || strcmp(argv[1], "attachments") != 0)
		cli_usage("gc needs what to sweep: attachments");
	if ((rc = open_as(o, &ctx, 0)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_spool_gc(ctx, FX_GC_MIN_AGE, o->dry_run, &st, &err) == -1)
		return fail(ctx, &err);
	fx_ctx_free(ctx);
	if (o->json)
		printf("{\"removed\":%llu,\"bytes\":%llu,\"referenced\":%llu,"
		    "\"young\":%llu,\"dry_run\":%s}\n",
		    (unsigned long long)st.removed,
		    (unsigned long long)st.bytes,
		    (unsigned long long)st.referenced,
		    (unsigned long long)st.young, o->dry_run ? "true" : "false");
	else if (!o->quiet)
		printf("%s %llu files (%llu bytes); kept %llu named by a "
		    "record, %llu younger than an hour\n",
		    o->dry_run ? "would remove" : "removed",
		    (unsigned long long)st.removed,
		    (unsigned long long)st.bytes,
		    (unsigned long long)st.referenced,
		    (unsigned long long)st.young);
	return 0;
}

static const struct {
	const char	*name;
	int		(*fn)(struct opts *, int, char **);
} commands[] = {
	{ "init", cmd_init },
	{ "import", cmd_import },
	{ "db", cmd_db },
	{ "gc", cmd_gc },
	{ "config", cmd_config },
	{ "dealer", cmd_dealer },
	{ "entity", cmd_entity },
	{ "user", cmd_user },
	{ "folder", cmd_folder },
	{ "log", cmd_log },
};

static void
add_list(const char **v, size_t *n, const char *s, const char *what)
{
	if (*n >= MAXLIST)
		cli_usage("too many %s (at most %d)", what, MAXLIST);
	v[(*n)++] = s;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'D' },
		{ "config", required_argument, NULL, 'c' },
		{ "as", required_argument, NULL, O_AS },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, O_JSON },
		{ "tsv", no_argument, NULL, O_TSV },
		{ "no-header", no_argument, NULL, 'H' },
		{ "dealer", required_argument, NULL, O_DEALER },
		{ "name", required_argument, NULL, O_NAME },
		{ "email", required_argument, NULL, O_EMAIL },
		{ "phone", required_argument, NULL, O_PHONE },
		{ "unix", required_argument, NULL, O_UNIX },
		{ "entity", required_argument, NULL, O_ENTITY },
		{ "perm", required_argument, NULL, O_PERM },
		{ "superuser", optional_argument, NULL, O_SUPERUSER },
		{ "reason", required_argument, NULL, O_REASON },
		{ "status", required_argument, NULL, O_STATUS },
		{ "inn", required_argument, NULL, O_INN },
		{ "kpp", required_argument, NULL, O_KPP },
		{ "address", required_argument, NULL, O_ADDRESS },
		{ "bank", required_argument, NULL, O_BANK },
		{ "bik", required_argument, NULL, O_BIK },
		{ "account", required_argument, NULL, O_ACCOUNT },
		{ "corr-account", required_argument, NULL, O_CORR },
		{ "since", required_argument, NULL, O_SINCE },
		{ "actor", required_argument, NULL, O_ACTOR },
		{ "object", required_argument, NULL, O_OBJECT },
		{ "limit", required_argument, NULL, 'l' },
		{ "user", required_argument, NULL, O_USER },
		{ "mode", required_argument, NULL, O_MODE },
		{ "mail", required_argument, NULL, O_MAIL },
		{ "pull", required_argument, NULL, O_PULL },
		{ "push", required_argument, NULL, O_PUSH },
		{ "no-mail", no_argument, NULL, O_NO_MAIL },
		{ "no-pull", no_argument, NULL, O_NO_PULL },
		{ "no-push", no_argument, NULL, O_NO_PUSH },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	size_t i;
	int c;

	cli_init("formix-admin");
	memset(&o, 0, sizeof(o));
	o.header = 1;
	/* Options may follow the command word: "import -n FILE". */
	while ((c = getopt_long(argc, argv, "D:c:nfqHhV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'D': o.root = optarg; break;
		case 'c': o.conf = optarg; break;
		case O_AS: o.as = optarg; break;
		case 'n': o.dry_run = 1; break;
		case 'f': o.force = 1; break;
		case 'q': o.quiet = 1; break;
		case O_JSON: o.json = 1; o.fmt = CLI_JSON; break;
		case O_TSV: o.fmt = CLI_TSV; break;
		case 'H': o.header = 0; break;
		case O_DEALER: o.dealer = optarg; break;
		case O_NAME: o.name = optarg; break;
		case O_EMAIL:
			add_list(o.emails, &o.nemails, optarg, "--email");
			break;
		case O_PHONE: o.phone = optarg; break;
		case O_UNIX: o.unix_login = optarg; break;
		case O_ENTITY:
			add_list(o.entities, &o.nentities, optarg, "--entity");
			break;
		case O_PERM: o.perm = optarg; break;
		case O_SUPERUSER: o.superuser = optarg ? optarg : "yes"; break;
		case O_REASON: o.reason = optarg; break;
		case O_STATUS: o.status = optarg; break;
		case O_INN: o.inn = optarg; break;
		case O_KPP: o.kpp = optarg; break;
		case O_ADDRESS: o.address = optarg; break;
		case O_BANK: o.bank = optarg; break;
		case O_BIK: o.bik = optarg; break;
		case O_ACCOUNT: o.account = optarg; break;
		case O_CORR: o.corr = optarg; break;
		case O_SINCE: o.since = optarg; break;
		case O_ACTOR: o.actor = optarg; break;
		case O_OBJECT: o.object = optarg; break;
		case O_USER: o.user = optarg; break;
		case O_MODE: o.mode = optarg; break;
		case O_MAIL: o.mail = optarg; break;
		case O_PULL:
			add_list(o.pulls, &o.npulls, optarg, "--pull");
			break;
		case O_PUSH:
			add_list(o.pushes, &o.npushes, optarg, "--push");
			break;
		case O_NO_MAIL: o.no_mail = 1; break;
		case O_NO_PULL: o.no_pull = 1; break;
		case O_NO_PUSH: o.no_push = 1; break;
		case 'l':
			if (cli_parse_count(optarg, &o.limit) == -1)
				cli_usage("--limit takes a count, not \"%s\"",
				    optarg);
			break;
		case 'h': usage(); break;
		case 'V': cli_version(); break;
		default: cli_usage("unknown option");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		cli_usage("no command given");
	for (i = 0; i < nitems_(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].fn(&o, argc, argv);
	cli_usage("unknown command \"%s\"", argv[0]);
}
