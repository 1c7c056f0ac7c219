/*
 * formix-claim -- claims (рекламации) on shipped goods: a draft on an
 * order, its lines found in the order, attachments, submission to 1C,
 * line statuses, lists.
 *
 * Thin by design: the fx_claim_* calls do the work and every check;
 * this file parses the command line, chooses the columns and writes them
 * in the three shared formats.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define nitems_(a)	(sizeof(a) / sizeof((a)[0]))

struct opts {
	const char	*root;
	const char	*conf;
	const char	*as;
	const char	*entity;
	const char	*comment;
	const char	*reason;
	const char	*resolution;
	const char	*name;
	const char	*status;
	const char	*article;
	const char	*order;
	const char	*from, *to;
	enum cli_fmt	 fmt;
	int		 header;
};

static void
usage(void)
{
	printf(
"Usage: %s new ORDER [--comment T]\n"
"       %s lines ORDER [QUERY...]\n"
"       %s add CLAIM LINE QTY --reason R [--comment T]\n"
"       %s attach CLAIM[/LINE] FILE... [--name N]\n"
"       %s remove CLAIM/LINE\n"
"       %s submit CLAIM\n"
"       %s set CLAIM/LINE STATUS [--resolution R] [--comment T]\n"
"       %s list [--entity E] [--status S] [--from DATE] [--to DATE]\n"
"                         [--article A] [--order ORDER]\n"
"       %s show CLAIM\n"
"\n"
"File a claim on the goods of an order that were shipped: make a draft,\n"
"add the lines claimed (found by searching the order), attach photos,\n"
"videos and documents, and submit it to 1C.  Staff move each line from\n"
"new to in_review to accepted or rejected; the dealer is told of each.\n"
"\n"
"Commands:\n"
"  new ORDER              a draft claim on an order\n"
"  lines ORDER [QUERY]    the order's lines whose article starts with\n"
"                         QUERY or whose name has words starting with\n"
"                         its words, with what is left to claim\n"
"  add CLAIM LINE QTY     claim QTY of the order's LINE (its number or\n"
"                         article) in a draft\n"
"  attach CLAIM[/LINE] FILE...\n"
"                         attach files to the claim or to one line\n"
"  remove CLAIM/LINE      take a line out of a draft\n"
"  submit CLAIM           send the draft to 1C\n"
"  set CLAIM/LINE STATUS  staff: in_review, accepted or rejected\n"
"  list                   claims, newest first\n"
"  show CLAIM             a claim: lines, attachments, history\n"
"\n"
"Options:\n"
"  -D, --root DIR         instance directory (default: $FORMIX_ROOT, else\n"
"                         %s)\n"
"  -c, --config FILE      configuration file (default: $FORMIX_CONF, else\n"
"                         DIR/formix.yaml)\n"
"      --as LOGIN         staff: act exactly as this dealer user\n"
"      --reason REASON    add: one of claims.reasons (defect, shortage,\n"
"                         wrong_item, damaged_in_transit, other)\n"
"      --comment TEXT     new, add, set: a comment\n"
"      --resolution R     set accepted: replacement, refund or repair\n"
"      --name NAME        attach: the name shown for the one file\n"
"  -e, --entity INN[/KPP] list: claims of this legal entity\n"
"      --status STATUS    list: claims in this status (draft, submitted)\n"
"                         or with a line in it (new, in_review, accepted,\n"
"                         rejected)\n"
"      --from DATE        list: made on or after this day (YYYY-MM-DD)\n"
"      --to DATE          list: made on or before this day (YYYY-MM-DD)\n"
"      --article ARTICLE  list: claims with a line of this article\n"
"      --order ORDER      list: claims on this order\n"
"      --tsv              tab-separated values with a header line\n"
"      --json             one JSON object per line\n"
"  -H, --no-header        no header line\n"
"  -h, --help             display this help and exit\n"
"  -V, --version          display version and exit\n"
"\n"
"Exit status: 0 done, 1 refused (unknown, not shipped, over what is left\n"
"to claim, not a draft), 64 usage, 65 a file refused, 66 no instance or no\n"
"file, 69 store unavailable, 70 internal error, 73 cannot create, 74 I/O\n"
"error, 75 try again later, 77 not permitted, 78 configuration error.\n",
	    cli_prog, cli_prog, cli_prog, cli_prog, cli_prog, cli_prog,
	    cli_prog, cli_prog, cli_prog, FX_ROOTDIR);
	exit(0);
}

/* A line number 1..999999, else a usage error. */
static int
line_arg(const char *s)
{
	size_t n;

	if (cli_parse_count(s, &n) == -1 || n == 0 || n > 999999)
		cli_usage("LINE wants a line number, not \"%s\"", s);
	return (int)n;
}

/*
 * "C000001/2" into the claim (in buf) and the line; no '/': line 0.
 */
static const char *
claim_arg(const char *s, char *buf, size_t sz, int *line)
{
	const char *sl = strchr(s, '/');

	*line = 0;
	if (sl == NULL)
		return s;
	if ((size_t)(sl - s) >= sz || sl == s)
		cli_usage("\"%s\" is not CLAIM/LINE", s);
	memcpy(buf, s, (size_t)(sl - s));
	buf[sl - s] = '\0';
	*line = line_arg(sl + 1);
	return buf;
}

/* Fields of a claim (list, new, submit, the header of show). */
static const struct cli_col claim_cols[] = {
	{ "number", 0 }, { "status", 0 }, { "order", 0 }, { "entity", 0 },
	{ "created", 0 }, { "author", 0 }, { "submitted", 0 },
	{ "lines", CLI_RIGHT | CLI_NUM }, { "files", CLI_RIGHT | CLI_NUM },
	{ "size", CLI_RIGHT | CLI_NUM }, { "document", 0 }, { "comment", 0 },
};

static void
claim_row(struct cli_out *out, const struct fx_claim *c)
{
	const char *v[nitems_(claim_cols)];
	char nl[16], nf[16], sz[32];

	(void)snprintf(nl, sizeof(nl), "%d", (int)c->nlines);
	(void)snprintf(nf, sizeof(nf), "%d", (int)c->nfiles);
	(void)snprintf(sz, sizeof(sz), "%lld", (long long)c->size);
	v[0] = c->number;
	v[1] = c->status;
	v[2] = c->order;
	v[3] = c->entity;
	v[4] = c->created;
	v[5] = c->created_by;
	v[6] = c->submitted;
	v[7] = nl;
	v[8] = nf;
	v[9] = sz;
	v[10] = c->doc;
	v[11] = c->comment;
	cli_out_row(out, v);
}

static int
print_claims(const struct opts *o, const struct fx_claim *c, size_t n)
{
	struct cli_out *out;
	size_t i;

	out = cli_out_new(stdout, o->fmt, o->header, claim_cols,
	    nitems_(claim_cols));
	for (i = 0; i < n; i++)
		claim_row(out, &c[i]);
	return cli_out_end(out) == -1 ? EX_IOERR_ : 0;
}

/* Fields of a claim's lines (add, set, show). */
static const struct cli_col cline_cols[] = {
	{ "line", CLI_RIGHT | CLI_NUM }, { "order_line", CLI_RIGHT | CLI_NUM },
	{ "article", 0 }, { "name", 0 }, { "qty", CLI_RIGHT | CLI_NUM },
	{ "reason", 0 }, { "status", 0 }, { "resolution", 0 },
	{ "comment", 0 }, { "status_comment", 0 }, { "updated", 0 },
	{ "id", 0 },
};

static int
print_clines(const struct opts *o, const struct fx_cline *l, size_t n)
{
	struct cli_out *out;
	const char *v[nitems_(cline_cols)];
	char ln[16], ol[16], q[32];
	size_t i;

	out = cli_out_new(stdout, o->fmt, o->header, cline_cols,
	    nitems_(cline_cols));
	for (i = 0; i < n; i++) {
		(void)snprintf(ln, sizeof(ln), "%d", (int)l[i].line);
		(void)snprintf(ol, sizeof(ol), "%d", (int)l[i].order_line);
		v[0] = ln;
		v[1] = ol;
		v[2] = l[i].article;
		v[3] = l[i].name;
		v[4] = fx_qty_fmt(q, sizeof(q), l[i].qty);
		v[5] = l[i].reason;
		v[6] = l[i].status;
		v[7] = l[i].resolution;
		v[8] = l[i].comment;
		v[9] = l[i].status_comment;
		v[10] = l[i].updated;
		v[11] = l[i].product;
		cli_out_row(out, v);
	}
	return cli_out_end(out) == -1 ? EX_IOERR_ : 0;
}

/* Fields of attachments (attach, show). */
static const struct cli_col file_cols[] = {
	{ "file", CLI_RIGHT | CLI_NUM }, { "line", CLI_RIGHT | CLI_NUM },
	{ "name", 0 }, { "type", 0 }, { "size", CLI_RIGHT | CLI_NUM },
	{ "sha256", 0 }, { "at", 0 }, { "by", 0 },
};

static int
print_files(const struct opts *o, const struct fx_cfile *f, size_t n)
{
	struct cli_out *out;
	const char *v[nitems_(file_cols)];
	char sq[16], ln[16], sz[32];
	size_t i;

	out = cli_out_new(stdout, o->fmt, o->header, file_cols,
	    nitems_(file_cols));
	for (i = 0; i < n; i++) {
		(void)snprintf(sq, sizeof(sq), "%d", (int)f[i].seq);
		(void)snprintf(ln, sizeof(ln), "%d", (int)f[i].line);
		(void)snprintf(sz, sizeof(sz), "%lld", (long long)f[i].size);
		v[0] = sq;
		v[1] = ln;
		v[2] = f[i].name;
		v[3] = f[i].type;
		v[4] = sz;
		v[5] = f[i].sha256;
		v[6] = f[i].at;
		v[7] = f[i].by;
		cli_out_row(out, v);
	}
	return cli_out_end(out) == -1 ? EX_IOERR_ : 0;
}

static int
cmd_new(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_claim c;
	struct fx_err err;
	int rc;

	if (argc != 2)
		cli_usage("new wants one ORDER");
	if ((rc = cli_open_as(&ctx, o->root, o->conf, 0, o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_claim_new(ctx, argv[1], o->comment, &c, &err) == -1) {
		rc = cli_fail(&err);
		fx_ctx_free(ctx);
		return rc;
	}
	rc = print_claims(o, &c, 1);
	fprintf(stderr, "%s: draft claim %s on order %s; add lines with: %s "
	    "add %s LINE QTY --reason R\n", cli_prog, c.number, c.order,
	    cli_prog, c.number);
	fx_claim_release(&c);
	fx_ctx_free(ctx);
	return rc;
}

static int
cmd_lines(struct opts *o, int argc, char **argv)
{
	static const struct cli_col cols[] = {
		{ "line", CLI_RIGHT | CLI_NUM }, { "article", 0 },
		{ "name", 0 }, { "qty", CLI_RIGHT | CLI_NUM },
		{ "shipped", CLI_RIGHT | CLI_NUM },
		{ "claimed", CLI_RIGHT | CLI_NUM },
		{ "claimable", CLI_RIGHT | CLI_NUM }, { "id", 0 },
	};
	struct fx_ctx *ctx;
	struct fx_claimable *v;
	struct fx_err err;
	struct cli_out *out;
	struct cli_str q;
	const char *row[nitems_(cols)];
	char ln[16], a[32], b[32], c[32], d[32];
	size_t n, i;
	int k, rc;

	if (argc < 2)
		cli_usage("lines wants an ORDER");
	memset(&q, 0, sizeof(q));
	for (k = 2; k < argc; k++) {
		if (k > 2)
			cli_str_adds(&q, " ");
		cli_str_adds(&q, argv[k]);
	}
	if ((rc = cli_open_as(&ctx, o->root, o->conf, FX_OPEN_RDONLY,
	    o->as)) != 0) {
		cli_str_release(&q);
		return rc;
	}
	fx_err_clear(&err);
	if (fx_claim_lines(ctx, argv[1], cli_str_get(&q), &v, &n,
	    &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	out = cli_out_new(stdout, o->fmt, o->header, cols, nitems_(cols));
	for (i = 0; i < n; i++) {
		(void)snprintf(ln, sizeof(ln), "%d", (int)v[i].line);
		row[0] = ln;
		row[1] = v[i].article;
		row[2] = v[i].name;
		row[3] = fx_qty_fmt(a, sizeof(a), v[i].qty);
		row[4] = fx_qty_fmt(b, sizeof(b), v[i].shipped);
		row[5] = fx_qty_fmt(c, sizeof(c), v[i].claimed);
		row[6] = fx_qty_fmt(d, sizeof(d), v[i].claimable);
		row[7] = v[i].product;
		cli_out_row(out, row);
	}
	if (cli_out_end(out) == -1)
		rc = EX_IOERR_;
	/* Nothing found is a clean "no" for a script. */
	if (rc == 0 && n == 0)
		rc = EX_NEGATIVE;
	fx_claimables_free(v, n);
out:
	cli_str_release(&q);
	fx_ctx_free(ctx);
	return rc;
}

static int
cmd_add(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_cline l;
	struct fx_err err;
	int64_t qty;
	int rc;

	if (argc != 4)
		cli_usage("add wants CLAIM, LINE and QTY");
	if (fx_qty_parse(argv[3], &qty) == -1 || qty <= 0)
		cli_usage("QTY wants a quantity above zero, not \"%s\"",
		    argv[3]);
	if (o->reason == NULL)
		cli_usage("add needs --reason");
	if ((rc = cli_open_as(&ctx, o->root, o->conf, 0, o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_claim_add(ctx, argv[1], argv[2], qty, o->reason, o->comment,
	    &l, &err) == -1) {
		rc = cli_fail(&err);
		fx_ctx_free(ctx);
		return rc;
	}
	rc = print_clines(o, &l, 1);
	fx_cline_release(&l);
	fx_ctx_free(ctx);
	return rc;
}

static int
cmd_attach(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_cfile *v;
	struct fx_err err;
	const char *claim;
	char buf[64];
	size_t n;
	int line, rc;

	if (argc < 3)
		cli_usage("attach wants CLAIM[/LINE] and a FILE");
	claim = claim_arg(argv[1], buf, sizeof(buf), &line);
	if ((rc = cli_open_as(&ctx, o->root, o->conf, 0, o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_claim_attach(ctx, claim, line, (const char *const *)argv + 2,
	    (size_t)argc - 2, o->name, &v, &n, &err) == -1) {
		rc = cli_fail(&err);
		fx_ctx_free(ctx);
		return rc;
	}
	rc = print_files(o, v, n);
	fx_cfiles_free(v, n);
	fx_ctx_free(ctx);
	return rc;
}

static int
cmd_remove(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_err err;
	const char *claim;
	char buf[64];
	int line, rc;

	if (argc == 2)
		claim = claim_arg(argv[1], buf, sizeof(buf), &line);
	else if (argc == 3) {
		claim = argv[1];
		line = line_arg(argv[2]);
	} else
		cli_usage("remove wants CLAIM/LINE");
	if (line == 0)
		cli_usage("remove wants CLAIM/LINE, such as C000001/2");
	if ((rc = cli_open_as(&ctx, o->root, o->conf, 0, o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_claim_remove(ctx, claim, line, &err) == -1)
		rc = cli_fail(&err);
	else
		fprintf(stderr, "%s: claim %s line %d removed\n", cli_prog,
		    claim, line);
	fx_ctx_free(ctx);
	return rc;
}

static int
cmd_submit(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_claim c;
	struct fx_err err;
	int rc;

	if (argc != 2)
		cli_usage("submit wants one CLAIM");
	if ((rc = cli_open_as(&ctx, o->root, o->conf, 0, o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_claim_submit(ctx, argv[1], &c, &err) == -1) {
		rc = cli_fail(&err);
		fx_ctx_free(ctx);
		return rc;
	}
	rc = print_claims(o, &c, 1);
	fprintf(stderr, "%s: claim %s submitted: %d line%s; sent to 1C as "
	    "%s\n", cli_prog, c.number, (int)c.nlines, c.nlines == 1 ? "" :
	    "s", c.doc);
	fx_claim_release(&c);
	fx_ctx_free(ctx);
	return rc;
}

static int
cmd_set(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_cline l;
	struct fx_err err;
	const char *claim, *status;
	char buf[64];
	int line, rc, r;

	/* CLAIM/LINE STATUS, or CLAIM LINE STATUS. */
	if (argc == 3) {
		claim = claim_arg(argv[1], buf, sizeof(buf), &line);
		if (line == 0)
			cli_usage("set wants CLAIM/LINE, such as C000001/2");
		status = argv[2];
	} else if (argc == 4) {
		claim = argv[1];
		line = line_arg(argv[2]);
		status = argv[3];
	} else
		cli_usage("set wants CLAIM/LINE and STATUS");
	if ((rc = cli_open_as(&ctx, o->root, o->conf, 0, o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if ((r = fx_claim_set(ctx, claim, line, status, o->resolution,
	    o->comment, &l, &err)) == -1) {
		rc = cli_fail(&err);
		fx_ctx_free(ctx);
		return rc;
	}
	rc = print_clines(o, &l, 1);
	if (r == 1)
		fprintf(stderr, "%s: claim %s line %d is %s already: nothing "
		    "changed\n", cli_prog, claim, line, l.status);
	fx_cline_release(&l);
	fx_ctx_free(ctx);
	return rc;
}

static int
cmd_list(struct opts *o, int argc, char **argv)
{
	struct fx_claim_filter f;
	struct fx_ctx *ctx;
	struct fx_claim *v;
	struct fx_err err;
	size_t n;
	int rc;

	(void)argv;
	if (argc != 1)
		cli_usage("list takes no arguments");
	if ((rc = cli_open_as(&ctx, o->root, o->conf, FX_OPEN_RDONLY,
	    o->as)) != 0)
		return rc;
	memset(&f, 0, sizeof(f));
	f.entity = o->entity;
	f.status = o->status;
	f.from = o->from;
	f.to = o->to;
	f.article = o->article;
	f.order = o->order;
	fx_err_clear(&err);
	if (fx_claim_list(ctx, &f, &v, &n, &err) == -1) {
		rc = cli_fail(&err);
		fx_ctx_free(ctx);
		return rc;
	}
	rc = print_claims(o, v, n);
	fx_claims_free(v, n);
	fx_ctx_free(ctx);
	return rc;
}

static int
print_events(const struct opts *o, const struct fx_cevent *e, size_t n)
{
	static const struct cli_col cols[] = {
		{ "at", 0 }, { "line", CLI_RIGHT | CLI_NUM }, { "from", 0 },
		{ "to", 0 }, { "resolution", 0 }, { "comment", 0 },
		{ "by", 0 }, { "notice", 0 },
	};
	struct cli_out *out;
	const char *v[nitems_(cols)];
	char ln[16];
	size_t i;

	out = cli_out_new(stdout, o->fmt, o->header, cols, nitems_(cols));
	for (i = 0; i < n; i++) {
		(void)snprintf(ln, sizeof(ln), "%d", (int)e[i].line);
		v[0] = e[i].at;
		v[1] = ln;
		v[2] = e[i].from;
		v[3] = e[i].to;
		v[4] = e[i].resolution;
		v[5] = e[i].comment;
		v[6] = e[i].by;
		v[7] = e[i].notice;
		cli_out_row(out, v);
	}
	return cli_out_end(out) == -1 ? EX_IOERR_ : 0;
}

static int
cmd_show(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_claim_full f;
	struct fx_err err;
	int rc;

	if (argc != 2)
		cli_usage("show wants one CLAIM");
	if ((rc = cli_open_as(&ctx, o->root, o->conf, FX_OPEN_RDONLY,
	    o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_claim_get(ctx, argv[1], &f, &err) == -1) {
		rc = cli_fail(&err);
		fx_ctx_free(ctx);
		return rc;
	}
	/* The header, the lines, the files, the history: four tables. */
	rc = print_claims(o, &f.c, 1);
	if (rc == 0 && f.nlines > 0) {
		if (o->fmt == CLI_TABLE)
			putchar('\n');
		rc = print_clines(o, f.lines, f.nlines);
	}
	if (rc == 0 && f.nfiles > 0) {
		if (o->fmt == CLI_TABLE)
			putchar('\n');
		rc = print_files(o, f.files, f.nfiles);
	}
	if (rc == 0 && f.nevents > 0) {
		if (o->fmt == CLI_TABLE)
			putchar('\n');
		rc = print_events(o, f.events, f.nevents);
	}
	fx_claim_full_release(&f);
	fx_ctx_free(ctx);
	return rc;
}

static const struct {
	const char	*name;
	int		(*fn)(struct opts *, int, char **);
} commands[] = {
	{ "new", cmd_new },
	{ "lines", cmd_lines },
	{ "add", cmd_add },
	{ "attach", cmd_attach },
	{ "remove", cmd_remove },
	{ "submit", cmd_submit },
	{ "set", cmd_set },
	{ "list", cmd_list },
	{ "show", cmd_show },
};

enum {
	OPT_AS = 256, OPT_TSV, OPT_JSON, OPT_COMMENT, OPT_REASON,
	OPT_RESOLUTION, OPT_NAME, OPT_STATUS, OPT_FROM, OPT_TO, OPT_ARTICLE,
	OPT_ORDER
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'D' },
		{ "config", required_argument, NULL, 'c' },
		{ "as", required_argument, NULL, OPT_AS },
		{ "entity", required_argument, NULL, 'e' },
		{ "comment", required_argument, NULL, OPT_COMMENT },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "resolution", required_argument, NULL, OPT_RESOLUTION },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "status", required_argument, NULL, OPT_STATUS },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "article", required_argument, NULL, OPT_ARTICLE },
		{ "order", required_argument, NULL, OPT_ORDER },
		{ "tsv", no_argument, NULL, OPT_TSV },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "no-header", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	size_t i;
	int c, fmts = 0;

	cli_init("formix-claim");
	memset(&o, 0, sizeof(o));
	o.header = 1;
	o.fmt = CLI_TABLE;
	opterr = 0;
	/* Options may follow the command word: "add C1 2 1 --reason R". */
	while ((c = getopt_long(argc, argv, ":D:c:e:HhV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'D':
			o.root = optarg;
			break;
		case 'c':
			o.conf = optarg;
			break;
		case OPT_AS:
			o.as = optarg;
			break;
		case 'e':
			o.entity = optarg;
			break;
		case OPT_COMMENT:
			o.comment = optarg;
			break;
		case OPT_REASON:
			o.reason = optarg;
			break;
		case OPT_RESOLUTION:
			o.resolution = optarg;
			break;
		case OPT_NAME:
			o.name = optarg;
			break;
		case OPT_STATUS:
			o.status = optarg;
			break;
		case OPT_ARTICLE:
			o.article = optarg;
			break;
		case OPT_ORDER:
			o.order = optarg;
			break;
		case OPT_FROM:
			cli_check_date("--from", optarg);
			o.from = optarg;
			break;
		case OPT_TO:
			cli_check_date("--to", optarg);
			o.to = optarg;
			break;
		case OPT_TSV:
			o.fmt = CLI_TSV;
			fmts |= 1;
			break;
		case OPT_JSON:
			o.fmt = CLI_JSON;
			fmts |= 2;
			break;
		case 'H':
			o.header = 0;
			break;
		case 'h':
			usage();
			break;
		case 'V':
			cli_version();
			break;
		default:
			cli_bad_option(c, argv);
		}
	}
	if (fmts == 3)
		cli_usage("--tsv and --json exclude each other");
	argc -= optind;
	argv += optind;
	if (argc < 1)
		cli_usage("no command given: new, lines, add, attach, remove, "
		    "submit, set, list or show");
	for (i = 0; i < nitems_(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].fn(&o, argc, argv);
	cli_usage("unknown command \"%s\"", argv[0]);
}
