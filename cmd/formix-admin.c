/*
 * formix-admin -- create and look after a Formix instance: init, import
 * 1C files, store statistics and dumps, the effective configuration.
 *
 * Thin by design: every action is one libformix call.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct opts {
	const char	*root;
	const char	*conf;
	int		 json;
	int		 force;
	int		 dry_run;
	int		 quiet;
};

static void
usage(void)
{
	printf(
"Usage: %s [-D DIR] [-c FILE] COMMAND [ARGS]\n"
"\n"
"Create and look after a Formix instance.\n"
"\n"
"Commands:\n"
"  init [DIR]             create an instance: formix.yaml, store, spool\n"
"  import [-n] [-f] FILE...  apply 1C files (CommerceML catalog and offers,\n"
"                         formix conditions and deliveries) as one package\n"
"  db stat [--json]       record counts per kind and store size\n"
"  db dump                every record as text, sorted\n"
"  config                 print the effective configuration\n"
"\n"
"Options:\n"
"  -D, --root DIR         instance directory (default: $FORMIX_ROOT, else\n"
"                         %s)\n"
"  -c, --config FILE      configuration file (default: $FORMIX_CONF, else\n"
"                         DIR/formix.yaml)\n"
"  -n, --dry-run          import: check everything, change nothing\n"
"  -f, --force            import: apply files even if applied before\n"
"  -q, --quiet            import: no summary line\n"
"      --json             db stat: one JSON object\n"
"  -h, --help             display this help and exit\n"
"  -V, --version          display version and exit\n",
	    cli_prog, FX_ROOTDIR);
	exit(0);
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
	if ((rc = cli_open(&ctx, o->root, o->conf, 0)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_import(ctx, (const char *const *)argv + 1, (size_t)argc - 1,
	    flags, &st, &err) == -1) {
		fx_ctx_free(ctx);
		return cli_fail(&err);
	}
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
		    "deliveries %llu, warnings %llu\n",
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
		    (unsigned long long)st.deliveries,
		    (unsigned long long)st.warnings);
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
	if ((rc = cli_open(&ctx, o->root, o->conf, FX_OPEN_RDONLY)) != 0)
		return rc;
	fx_err_clear(&err);
	if (strcmp(argv[1], "dump") == 0) {
		rc = fx_db_dump(ctx, stdout, &err) == -1 ? cli_fail(&err) : 0;
		fx_ctx_free(ctx);
		return rc;
	}
	if (fx_db_stat(ctx, &s, &err) == -1) {
		fx_ctx_free(ctx);
		return cli_fail(&err);
	}
	fx_ctx_free(ctx);
	if (o->json) {
		printf("{");
		for (i = 0; i < fx_stat_nkinds; i++)
			printf("\"%s\":%llu,", fx_kind_name(fx_stat_kinds[i]),
			    (unsigned long long)s.count[fx_stat_kinds[i]]);
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
		printf("}\n");
		return 0;
	}
	for (i = 0; i < fx_stat_nkinds; i++)
		printf("%-12s %llu\n", fx_kind_name(fx_stat_kinds[i]),
		    (unsigned long long)s.count[fx_stat_kinds[i]]);
	printf("%-12s %llu of %llu MiB\n", "map", (unsigned long long)
	    (s.map_used >> 20), (unsigned long long)(s.map_size >> 20));
	printf("%-12s catalog %s, offers %s, conditions %s, deliveries %s\n",
	    "as of", s.catalog_asof[0] ? s.catalog_asof : "-",
	    s.offers_asof[0] ? s.offers_asof : "-",
	    s.conditions_asof[0] ? s.conditions_asof : "-",
	    s.deliveries_asof[0] ? s.deliveries_asof : "-");
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
	if ((rc = cli_open(&ctx, o->root, o->conf, FX_OPEN_RDONLY)) != 0)
		return rc;
	fx_err_clear(&err);
	rc = fx_conf_dump(fx_ctx_conf(ctx), stdout, &err) == -1 ?
	    cli_fail(&err) : 0;
	fx_ctx_free(ctx);
	return rc;
}

static const struct {
	const char	*name;
	int		(*fn)(struct opts *, int, char **);
} commands[] = {
	{ "init", cmd_init },
	{ "import", cmd_import },
	{ "db", cmd_db },
	{ "config", cmd_config },
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'D' },
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	size_t i;
	int c;

	cli_init("formix-admin");
	memset(&o, 0, sizeof(o));
	/* Options may follow the command word: "import -n FILE". */
	while ((c = getopt_long(argc, argv, "D:c:nfqhV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'D':
			o.root = optarg;
			break;
		case 'c':
			o.conf = optarg;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'f':
			o.force = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'h':
			usage();
			break;
		case 'V':
			cli_version();
			break;
		default:
			cli_usage("unknown option");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		cli_usage("no command given");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].fn(&o, argc, argv);
	cli_usage("unknown command \"%s\"", argv[0]);
}
