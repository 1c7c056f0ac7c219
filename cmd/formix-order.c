/*
 * formix-order -- dealers' orders: check an order file, make a draft
 * of it, submit the draft to 1C, list and show orders.
 *
 * Thin by design: fx_order_check, fx_order_new, fx_order_submit,
 * fx_order_list and fx_order_get do the work; this file chooses the
 * columns and writes them in the three shared formats, and the result
 * file (-o) through the library.  The exit status tells a script what
 * happened to the rows: 0 every row accepted, 1 some refused (or a clean
 * refusal), 65 the file itself refused, 77 not permitted.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

#define nitems_(a)	(sizeof(a) / sizeof((a)[0]))

struct opts {
	const char	*root;
	const char	*conf;
	const char	*as;
	const char	*entity;
	const char	*output;
	const char	*delivery;
	const char	*comment;
	const char	*status;
	const char	*article;
	const char	*qty;
	const char	*from, *to;
	const char	*months, *min_share, *limit;	/* report */
	enum cli_fmt	 fmt;
	int		 header;
	/* docs: */
	int		 list;
	const char	*add;
	const char	*name;
	/* Dealer codes: */
	const char	*dealer;
	int		 replace;
};

static void
usage(void)
{
	printf(
"Usage: %s check FILE --entity INN[/KPP] [-o RESULT.xlsx|.csv]\n"
"       %s new FILE --entity INN[/KPP] [--delivery M] [--comment T]\n"
"       %s submit ORDER\n"
"       %s list [--entity E] [--status S] [--from DATE] [--to DATE]\n"
"       %s show ORDER\n"
"       %s demand [--entity E] [--article A] [--delivery ID]\n"
"       %s reserve ORDER LINE --delivery ID [--qty Q]\n"
"       %s report not-purchased --entity E [--months N] [--min-share P]\n"
"                 [--limit K] [-o FILE.xlsx|.csv]\n"
"       %s report demand --entity E [--from DATE] [--to DATE]\n"
"                 [-o FILE.xlsx|.csv]\n"
"       %s docs ORDER [invoice|waybill|cancelled|files]... [-o DIR] [--list]\n"
"       %s docs ORDER --add FILE [--name NAME]\n"
"       %s codes import FILE [--dealer D] [--replace]\n"
"       %s codes list | add CODE ARTICLE | rm CODE [--dealer D]\n"
"\n"
"Check a dealer's order file (XLS, XLSX or CSV: article and quantity) for\n"
"a legal entity: one line per row with its status, the accepted quantity,\n"
"retail and net price, line sum, stock and, for a shortfall, the nearest\n"
"incoming delivery.  Make a draft order of it, and submit the draft to 1C.\n"
"\n"
"Commands:\n"
"  check FILE             check an order file; nothing is changed\n"
"  new FILE               check it and make a draft of its accepted rows\n"
"  submit ORDER           check again now and send the draft to 1C\n"
"  list                   orders, newest first\n"
"  show ORDER             an order with its lines\n"
"  demand                 open demand of submitted orders, by delivery\n"
"  reserve ORDER LINE     staff: reserve a line's demand on a delivery\n"
"  report not-purchased   goods the dealer has not ordered for months that\n"
"                         dealers on the same price type did\n"
"  report demand          the entity's demand against the deliveries\n"
"  docs ORDER [KIND]...   write the order's documents (invoice, waybill,\n"
"                         cancelled lines as XLSX; 1C's files) into DIR\n"
"  codes import FILE      the dealer's own codes from a sheet (code,\n"
"                         article); codes list, add CODE ARTICLE, rm CODE\n"
"\n"
"Options:\n"
"  -D, --root DIR         instance directory (default: $FORMIX_ROOT, else\n"
"                         %s)\n"
"  -c, --config FILE      configuration file (default: $FORMIX_CONF, else\n"
"                         DIR/formix.yaml)\n"
"      --as LOGIN         staff: act exactly as this dealer user\n"
"  -e, --entity INN[/KPP] the legal entity ordering (INN, INN/KPP or Ид)\n"
"  -o, --output FILE      check, new: also write the result as FILE.xlsx\n"
"                         or FILE.csv; docs: the directory (default: .)\n"
"      --list             docs: list the documents, write nothing\n"
"      --add FILE         docs: staff: store FILE as a document of ORDER\n"
"      --name NAME        docs --add: the document's name (default: FILE's)\n"
"      --delivery METHOD  new: the delivery method; demand: only lines\n"
"                         expected from this delivery (its Ид); reserve:\n"
"                         the delivery to reserve on\n"
"      --qty Q            reserve: how much (default: all the line owes)\n"
"      --article ARTICLE  demand: only this article\n"
"      --comment TEXT     new: a comment for the order\n"
"      --dealer DEALER    codes: the dealer's Ид (staff; default: yours)\n"
"      --replace          codes import: drop the codes the file lacks\n"
"      --status STATUS    list: only orders in this status (draft,\n"
"                         submitted, or one orders.status_map gives)\n"
"      --from DATE        list: made on or after this day (YYYY-MM-DD)\n"
"      --to DATE          list: made on or before this day (YYYY-MM-DD)\n"
"                         (report demand: ordered from/to this day)\n"
"      --months N         report not-purchased: the window (default 6)\n"
"      --min-share P      report not-purchased: the least percentage of\n"
"                         similar dealers that ordered it (default 20)\n"
"      --limit K          report not-purchased: at most K rows\n"
"      --tsv              tab-separated values with a header line\n"
"      --json             one JSON object per line\n"
"  -H, --no-header        no header line (and no footer in tables)\n"
"  -h, --help             display this help and exit\n"
"  -V, --version          display version and exit\n"
"\n"
"Exit status: 0 every row accepted (or done), 1 some rows refused, or\n"
"ordering refused, or already applied, 64 usage,\n"
"65 the file refused, 66 no instance or no file, 69 store unavailable,\n"
"70 internal error, 73 cannot create the output, 74 I/O error, 75 try\n"
"again later, 77 not permitted, 78 configuration error.\n",
	    cli_prog, cli_prog, cli_prog, cli_prog, cli_prog, cli_prog,
	    cli_prog, cli_prog, cli_prog, cli_prog, cli_prog, cli_prog,
	    cli_prog, FX_ROOTDIR);
	exit(0);
}

/* Fields of check.  The names are stable (formix-order(1)). */
static const struct cli_col check_cols[] = {
	{ "row", CLI_RIGHT | CLI_NUM },
	{ "article", 0 },
	{ "qty", 0 },
	{ "status", 0 },
	{ "message", 0 },
	{ "accepted", CLI_RIGHT | CLI_NUM },
	{ "retail", CLI_RIGHT | CLI_NUM },
	{ "net", CLI_RIGHT | CLI_NUM },
	{ "sum", CLI_RIGHT | CLI_NUM },
	{ "stock", CLI_RIGHT | CLI_NUM },
	{ "delivery", 0 },
	{ "delivery_date", 0 },
	{ "delivery_qty", CLI_RIGHT | CLI_NUM },
	{ "id", 0 },
	{ "name", 0 },
	{ "warehouses", CLI_RAW },	/* JSON only */
};

static int
write_result(struct fx_ctx *ctx, const struct fx_ocheck *c, const char *path)
{
	struct fx_err err;
	size_t len = strlen(path);

	fx_err_clear(&err);
	if (len > 5 && strcasecmp(path + len - 5, ".xlsx") == 0) {
		if (fx_ocheck_xlsx(ctx, c, path, &err) == -1)
			return cli_fail(&err);
	} else if (fx_ocheck_csv(ctx, c, path, &err) == -1)
		return cli_fail(&err);
	return 0;
}

/* A row number in decimal: snprintf per row was 3% of a check. */
static const char *
row_str(char *buf, size_t sz, long n)
{
	char *p = buf + sz;
	unsigned long u = n < 0 ? 0UL - (unsigned long)n : (unsigned long)n;

	*--p = '\0';
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0 && p > buf + 1);
	if (n < 0)
		*--p = '-';
	return p;
}

static int
print_check(const struct opts *o, const struct fx_ocheck *c)
{
	struct cli_out *out;
	struct cli_str wh;
	const char *v[nitems_(check_cols)];
	char row[32], acc[32], ret[32], net[32], sum[32], stk[32], dq[32];
	char buf[64];
	size_t i, j, ncols = nitems_(check_cols);
	int rc = 0;

	if (o->fmt != CLI_JSON)
		ncols--;
	memset(&wh, 0, sizeof(wh));
	out = cli_out_new(stdout, o->fmt, o->header, check_cols, ncols);
	for (i = 0; i < c->n; i++) {
		const struct fx_ocheck_row *r = &c->rows[i];
		const struct fx_item *it = r->item;
		int acc_ok = FX_OL_ACCEPTED(r->status) &&
		    r->status != FX_OL_MERGED;

		memset(v, 0, sizeof(v));
		v[0] = row_str(row, sizeof(row), r->row);
		v[1] = r->article;
		v[2] = r->qty;
		v[3] = fx_ol_status_name(r->status);
		v[4] = r->msg;
		if (acc_ok)
			v[5] = fx_qty_fmt(acc, sizeof(acc), r->accepted);
		if (it != NULL) {
			if (it->retail >= 0)
				v[6] = fx_money_fmt(ret, sizeof(ret),
				    it->retail, 0);
			if (it->net >= 0)
				v[7] = fx_money_fmt(net, sizeof(net),
				    it->net, 0);
			v[9] = fx_qty_fmt(stk, sizeof(stk),
			    it->total > 0 ? it->total : 0);
			v[13] = it->p.id;
			v[14] = it->p.name;
		}
		if (acc_ok && r->sum >= 0)
			v[8] = fx_money_fmt(sum, sizeof(sum), r->sum, 0);
		if (r->arrival != NULL) {
			v[10] = r->arrival->delivery;
			v[11] = r->arrival->date;
			v[12] = fx_qty_fmt(dq, sizeof(dq), r->arrival->qty);
		}
		if (o->fmt == CLI_JSON && it != NULL) {
			cli_str_reset(&wh);
			cli_str_adds(&wh, "[");
			for (j = 0; j < it->nstock; j++) {
				const struct fx_stock_line *s = &it->stock[j];

				cli_str_adds(&wh, j ? ",{\"id\":" : "{\"id\":");
				cli_str_json(&wh, s->warehouse);
				cli_str_adds(&wh, ",\"name\":");
				cli_str_json(&wh, s->warehouse_name);
				cli_str_adds(&wh, ",\"qty\":");
				cli_str_adds(&wh, fx_qty_fmt(buf, sizeof(buf),
				    s->qty));
				cli_str_adds(&wh, "}");
			}
			cli_str_adds(&wh, "]");
			v[15] = cli_str_get(&wh);
		}
		cli_out_row(out, v);
	}
	if (cli_out_end(out) == -1)
		rc = EX_IOERR_;
	cli_str_release(&wh);
	if (o->fmt == CLI_TABLE && o->header)
		printf("%zu rows: %zu accepted, %zu refused; %zu lines, "
		    "net %s, retail %s\n", c->n, c->naccepted, c->nrefused,
		    c->nlines, fx_money_fmt(net, sizeof(net), c->total_net,
		    ' '), fx_money_fmt(ret, sizeof(ret), c->total_retail, ' '));
	return rc;
}

/* check and new: the same check, new makes a draft of it. */
static int
check_or_new(struct opts *o, int argc, char **argv, int make)
{
	struct fx_ctx *ctx;
	struct fx_ocheck c;
	struct fx_order ord;
	struct fx_err err;
	const char *cmd = make ? "new" : "check";
	char net[64];
	size_t len;
	int rc;

	if (argc != 2)
		cli_usage("%s wants one FILE", cmd);
	if (o->entity == NULL)
		cli_usage("%s needs --entity INN[/KPP]", cmd);
	if (!make && (o->delivery != NULL || o->comment != NULL))
		cli_usage("--delivery and --comment go with new");
	if (o->output != NULL) {
		len = strlen(o->output);
		if (!(len > 5 && strcasecmp(o->output + len - 5,
		    ".xlsx") == 0) && !(len > 4 &&
		    strcasecmp(o->output + len - 4, ".csv") == 0))
			cli_usage("--output wants a name ending in .xlsx or "
			    ".csv");
	}
	if ((rc = cli_open_as(&ctx, o->root, o->conf, make ? 0 :
	    FX_OPEN_RDONLY, o->as)) != 0)
		return rc;
	memset(&ord, 0, sizeof(ord));
	fx_err_clear(&err);
	if (fx_order_check(ctx, argv[1], NULL, o->entity, &c, &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	if (make && fx_order_new(ctx, &c, argv[1], o->delivery, o->comment,
	    &ord, &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	if (o->output != NULL && (rc = write_result(ctx, &c, o->output)) != 0)
		goto out;
	if ((rc = print_check(o, &c)) == 0 && c.nrefused > 0)
		rc = EX_NEGATIVE;
	/* The number on stderr: stdout stays the rows, for scripts too. */
	if (make)
		fprintf(stderr, "%s: draft order %s: %d lines, net %s; "
		    "submit it with: %s submit %s\n", cli_prog, ord.number,
		    (int)ord.nlines, fx_money_fmt(net, sizeof(net), ord.total,
		    ' '), cli_prog, ord.number);
out:
	fx_order_release(&ord);
	cli_keep(&c, sizeof(c));	/* main returns next */
	fx_ctx_free(ctx);
	return rc;
}

static int
cmd_check(struct opts *o, int argc, char **argv)
{
	return check_or_new(o, argc, argv, 0);
}

static int
cmd_new(struct opts *o, int argc, char **argv)
{
	return check_or_new(o, argc, argv, 1);
}

/* Fields of an order (list, and the header of show). */
static const struct cli_col order_cols[] = {
	{ "number", 0 }, { "status", 0 }, { "created", 0 },
	{ "submitted", 0 }, { "entity", 0 }, { "lines", CLI_RIGHT | CLI_NUM },
	{ "total", CLI_RIGHT | CLI_NUM }, { "demand", CLI_RIGHT | CLI_NUM },
	{ "delivery", 0 }, { "file", 0 }, { "document", 0 },
	{ "comment", 0 },
	/* From 1C's order documents: */
	{ "source", 0 }, { "number_1c", 0 }, { "date_1c", 0 },
	{ "status_1c", 0 },
};

static void
order_row(struct cli_out *out, const struct fx_order *ord)
{
	const char *v[nitems_(order_cols)];
	char n[32], t[64], d[64];

	(void)snprintf(n, sizeof(n), "%d", (int)ord->nlines);
	v[0] = ord->number;
	v[1] = ord->status;
	v[2] = ord->created;
	v[3] = ord->submitted;
	v[4] = ord->entity;
	v[5] = n;
	v[6] = fx_money_fmt(t, sizeof(t), ord->total, 0);
	v[7] = fx_money_fmt(d, sizeof(d), ord->demand, 0);
	v[8] = ord->delivery;
	v[9] = ord->file;
	v[10] = ord->doc;
	v[11] = ord->comment;
	v[12] = ord->source[0] != '\0' ? ord->source : "formix";
	v[13] = ord->number_1c;
	v[14] = ord->date_1c;
	v[15] = ord->status_1c;
	cli_out_row(out, v);
}

/* Fields of an order's lines (show, submit). */
static const struct cli_col line_cols[] = {
	{ "line", CLI_RIGHT | CLI_NUM }, { "article", 0 }, { "name", 0 },
	{ "qty", CLI_RIGHT | CLI_NUM }, { "in_stock", CLI_RIGHT | CLI_NUM },
	{ "demand", CLI_RIGHT | CLI_NUM }, { "price", CLI_RIGHT | CLI_NUM },
	{ "sum", CLI_RIGHT | CLI_NUM }, { "delivery", 0 },
	{ "delivery_date", 0 }, { "rows", 0 }, { "id", 0 },
	{ "reserved", 0 }, { "reserved_qty", CLI_RIGHT | CLI_NUM },
	/* 1C's running totals (order documents): */
	{ "shipped", CLI_RIGHT | CLI_NUM },
	{ "cancelled", CLI_RIGHT | CLI_NUM },
};

static int
print_lines(const struct opts *o, const struct fx_oline *l, size_t n)
{
	struct cli_out *out;
	const char *v[nitems_(line_cols)];
	char ln[16], q[32], s[32], d[32], p[64], sum[64], r[32];
	char sh[32], ca[32];
	size_t i;
	int dem;

	out = cli_out_new(stdout, o->fmt, o->header, line_cols,
	    nitems_(line_cols));
	for (i = 0; i < n; i++) {
		dem = l[i].qty > l[i].in_stock;
		(void)snprintf(ln, sizeof(ln), "%d", (int)l[i].line);
		v[0] = ln;
		v[1] = l[i].article;
		v[2] = l[i].name;
		v[3] = fx_qty_fmt(q, sizeof(q), l[i].qty);
		v[4] = fx_qty_fmt(s, sizeof(s), l[i].in_stock);
		v[5] = fx_qty_fmt(d, sizeof(d), l[i].qty - l[i].in_stock);
		v[6] = fx_money_fmt(p, sizeof(p), l[i].price, 0);
		v[7] = fx_money_fmt(sum, sizeof(sum), l[i].sum, 0);
		v[8] = dem ? l[i].delivery : NULL;
		v[9] = dem ? l[i].delivery_date : NULL;
		v[10] = l[i].rows;
		v[11] = l[i].product;
		v[12] = l[i].reserved;
		v[13] = l[i].reserved[0] != '\0' ? fx_qty_fmt(r, sizeof(r),
		    l[i].reserved_qty) : NULL;
		v[14] = fx_qty_fmt(sh, sizeof(sh), l[i].shipped);
		v[15] = fx_qty_fmt(ca, sizeof(ca), l[i].cancelled);
		cli_out_row(out, v);
	}
	return cli_out_end(out) == -1 ? EX_IOERR_ : 0;
}

static int
cmd_submit(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_order ord;
	struct fx_oline *l = NULL;
	struct fx_err err;
	char t[64], d[64];
	size_t n = 0, i;
	int rc;

	if (argc != 2)
		cli_usage("submit wants one ORDER");
	if ((rc = cli_open_as(&ctx, o->root, o->conf, 0, o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_order_submit(ctx, argv[1], &ord, &l, &n, &err) == -1) {
		rc = cli_fail(&err);
		fx_ctx_free(ctx);
		return rc;
	}
	rc = print_lines(o, l, n);
	for (i = 0; i < n; i++)
		if (l[i].repriced)
			fprintf(stderr, "%s: line %d, article %s: price "
			    "changed since the draft: %s -> %s\n", cli_prog,
			    (int)l[i].line, l[i].article,
			    fx_money_fmt(t, sizeof(t), l[i].price_draft, 0),
			    fx_money_fmt(d, sizeof(d), l[i].price, 0));
	fprintf(stderr, "%s: order %s submitted: %d lines, net %s (demand "
	    "%s); sent to 1C as %s\n", cli_prog, ord.number, (int)ord.nlines,
	    fx_money_fmt(t, sizeof(t), ord.total, ' '),
	    fx_money_fmt(d, sizeof(d), ord.demand, ' '), ord.doc);
	fx_olines_free(l, n);
	fx_order_release(&ord);
	fx_ctx_free(ctx);
	return rc;
}

static int
cmd_list(struct opts *o, int argc, char **argv)
{
	struct fx_order_filter f;
	struct fx_ctx *ctx;
	struct fx_order *v;
	struct fx_err err;
	struct cli_out *out;
	size_t n, i;
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
	fx_err_clear(&err);
	if (fx_order_list(ctx, &f, &v, &n, &err) == -1) {
		rc = cli_fail(&err);
		fx_ctx_free(ctx);
		return rc;
	}
	out = cli_out_new(stdout, o->fmt, o->header, order_cols,
	    nitems_(order_cols));
	for (i = 0; i < n; i++)
		order_row(out, &v[i]);
	if (cli_out_end(out) == -1)
		rc = EX_IOERR_;
	fx_orders_free(v, n);
	fx_ctx_free(ctx);
	return rc;
}

/*
 * The history from 1C's order documents, a third table when there is
 * any: status changes (line 0) and each line's events.
 */
static int
print_history(const struct opts *o, struct fx_ctx *ctx, const char *number)
{
	static const struct cli_col cols[] = {
		{ "at", 0 }, { "line", CLI_RIGHT | CLI_NUM }, { "event", 0 },
		{ "qty", CLI_RIGHT | CLI_NUM }, { "status", 0 },
		{ "status_1c", 0 }, { "document", 0 }, { "source", 0 },
	};
	struct fx_oevent *v;
	struct fx_err err;
	struct cli_out *out;
	const char *row[nitems_(cols)];
	char ln[16], q[32];
	size_t n, i;
	int rc = 0;

	fx_err_clear(&err);
	if (fx_order_events(ctx, number, &v, &n, &err) == -1)
		return cli_fail(&err);
	if (n == 0)
		return 0;
	if (o->fmt == CLI_TABLE)
		putchar('\n');
	out = cli_out_new(stdout, o->fmt, o->header, cols, nitems_(cols));
	for (i = 0; i < n; i++) {
		(void)snprintf(ln, sizeof(ln), "%d", (int)v[i].line);
		row[0] = v[i].at;
		row[1] = ln;
		row[2] = v[i].kind;
		row[3] = v[i].line > 0 ? fx_qty_fmt(q, sizeof(q), v[i].qty) :
		    NULL;
		row[4] = v[i].value[0] != '\0' ? v[i].value : NULL;
		row[5] = v[i].note[0] != '\0' ? v[i].note : NULL;
		row[6] = v[i].doc;
		row[7] = v[i].source;
		cli_out_row(out, row);
	}
	if (cli_out_end(out) == -1)
		rc = EX_IOERR_;
	fx_oevents_free(v, n);
	return rc;
}

/* Fields of an order's stored documents (show, docs --list, --add). */
static const struct cli_col odoc_cols[] = {
	{ "document", 0 }, { "file", 0 }, { "name", 0 }, { "kind", 0 },
	{ "size", CLI_RIGHT | CLI_NUM }, { "received", 0 }, { "source", 0 },
	{ "sha256", 0 },
};

static void
odoc_row(struct cli_out *out, const struct fx_odoc *d)
{
	const char *v[nitems_(odoc_cols)];
	char file[512], size[32];

	if (fx_odoc_out_name(d, file, sizeof(file)) == -1)
		file[0] = '\0';
	(void)snprintf(size, sizeof(size), "%lld", (long long)d->size);
	v[0] = "stored";
	v[1] = file;
	v[2] = d->name;
	v[3] = d->kind;
	v[4] = size;
	v[5] = d->received;
	v[6] = d->source;
	v[7] = d->sha256;
	cli_out_row(out, v);
}

/* The documents 1C sent for the order (or staff added), if any. */
static int
print_docs(const struct opts *o, struct fx_ctx *ctx, const char *number)
{
	struct fx_odoc *v;
	struct fx_err err;
	struct cli_out *out;
	size_t n, i;
	int rc = 0;

	fx_err_clear(&err);
	if (fx_odoc_list(ctx, number, &v, &n, &err) == -1)
		return cli_fail(&err);
	if (n == 0)
		return 0;
	if (o->fmt == CLI_TABLE)
		putchar('\n');
	out = cli_out_new(stdout, o->fmt, o->header, odoc_cols,
	    nitems_(odoc_cols));
	for (i = 0; i < n; i++)
		odoc_row(out, &v[i]);
	if (cli_out_end(out) == -1)
		rc = EX_IOERR_;
	fx_odocs_free(v, n);
	return rc;
}

static int
cmd_show(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_order ord;
	struct fx_oline *l;
	struct fx_err err;
	struct cli_out *out;
	size_t n;
	int rc;

	if (argc != 2)
		cli_usage("show wants one ORDER");
	if ((rc = cli_open_as(&ctx, o->root, o->conf, FX_OPEN_RDONLY,
	    o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_order_get(ctx, argv[1], &ord, &l, &n, &err) == -1) {
		rc = cli_fail(&err);
		fx_ctx_free(ctx);
		return rc;
	}
	/* JSON and TSV: the header row, then the lines, as two tables. */
	out = cli_out_new(stdout, o->fmt, o->header, order_cols,
	    nitems_(order_cols));
	order_row(out, &ord);
	if (cli_out_end(out) == -1)
		rc = EX_IOERR_;
	if (o->fmt == CLI_TABLE)
		putchar('\n');
	if (rc == 0)
		rc = print_lines(o, l, n);
	if (rc == 0)
		rc = print_history(o, ctx, argv[1]);
	if (rc == 0)
		rc = print_docs(o, ctx, argv[1]);
	fx_olines_free(l, n);
	fx_order_release(&ord);
	fx_ctx_free(ctx);
	return rc;
}

static int
cmd_demand(struct opts *o, int argc, char **argv)
{
	static const struct cli_col cols[] = {
		{ "delivery_date", 0 }, { "delivery", 0 }, { "order", 0 },
		{ "line", CLI_RIGHT | CLI_NUM }, { "entity", 0 },
		{ "article", 0 }, { "name", 0 },
		{ "demand", CLI_RIGHT | CLI_NUM }, { "qty", CLI_RIGHT | CLI_NUM },
		{ "submitted", 0 }, { "id", 0 },
	};
	struct fx_demand_filter f;
	struct fx_demand *v;
	struct fx_ctx *ctx;
	struct fx_err err;
	struct cli_out *out;
	const char *row[nitems_(cols)];
	char ln[16], d[32], q[32];
	size_t n, i;
	int rc;

	(void)argv;
	if (argc != 1)
		cli_usage("demand takes no arguments");
	if ((rc = cli_open_as(&ctx, o->root, o->conf, FX_OPEN_RDONLY,
	    o->as)) != 0)
		return rc;
	memset(&f, 0, sizeof(f));
	f.entity = o->entity;
	f.article = o->article;
	f.delivery = o->delivery;
	fx_err_clear(&err);
	if (fx_order_demand(ctx, &f, &v, &n, &err) == -1) {
		rc = cli_fail(&err);
		fx_ctx_free(ctx);
		return rc;
	}
	out = cli_out_new(stdout, o->fmt, o->header, cols, nitems_(cols));
	for (i = 0; i < n; i++) {
		const struct fx_oline *l = &v[i].l;

		(void)snprintf(ln, sizeof(ln), "%d", (int)l->line);
		row[0] = l->delivery_date;
		row[1] = l->delivery;
		row[2] = v[i].order;
		row[3] = ln;
		row[4] = v[i].entity;
		row[5] = l->article;
		row[6] = l->name;
		row[7] = fx_qty_fmt(d, sizeof(d), l->qty - l->in_stock);
		row[8] = fx_qty_fmt(q, sizeof(q), l->qty);
		row[9] = v[i].submitted;
		row[10] = l->product;
		cli_out_row(out, row);
	}
	if (cli_out_end(out) == -1)
		rc = EX_IOERR_;
	fx_demands_free(v, n);
	fx_ctx_free(ctx);
	return rc;
}

static int
cmd_reserve(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_oline l;
	struct fx_err err;
	int64_t qty = 0;
	size_t line;
	int rc;

	if (argc != 3)
		cli_usage("reserve wants ORDER and LINE");
	if (cli_parse_count(argv[2], &line) == -1 || line == 0 ||
	    line > 999999)
		cli_usage("LINE wants a line number, not \"%s\"", argv[2]);
	if (o->delivery == NULL)
		cli_usage("reserve needs --delivery ID");
	if (o->qty != NULL && (fx_qty_parse(o->qty, &qty) == -1 || qty <= 0))
		cli_usage("--qty wants a quantity above zero, not \"%s\"",
		    o->qty);
	if ((rc = cli_open_as(&ctx, o->root, o->conf, 0, o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_order_reserve(ctx, argv[1], (int)line, o->delivery, qty, &l,
	    &err) == -1) {
		rc = cli_fail(&err);
		fx_ctx_free(ctx);
		return rc;
	}
	rc = print_lines(o, &l, 1);
	fx_olines_free_one(&l);
	fx_ctx_free(ctx);
	return rc;
}

/* -o of the reports: FILE.xlsx or FILE.csv. */
static void
check_output(const char *path)
{
	size_t len;

	if (path == NULL)
		return;
	len = strlen(path);
	if (!(len > 5 && strcasecmp(path + len - 5, ".xlsx") == 0) &&
	    !(len > 4 && strcasecmp(path + len - 4, ".csv") == 0))
		cli_usage("--output wants a name ending in .xlsx or .csv");
}

/* Fields of report not-purchased.  The names are stable. */
static const struct cli_col np_cols[] = {
	{ "article", 0 }, { "name", 0 }, { "group", 0 },
	{ "share", CLI_RIGHT | CLI_NUM }, { "dealers", CLI_RIGHT | CLI_NUM },
	{ "qty", CLI_RIGHT | CLI_NUM }, { "retail", CLI_RIGHT | CLI_NUM },
	{ "net", CLI_RIGHT | CLI_NUM }, { "stock", CLI_RIGHT | CLI_NUM },
	{ "id", 0 },
};

static int
report_np(struct opts *o, struct fx_ctx *ctx)
{
	struct fx_np_query q;
	struct fx_np_report rep;
	struct fx_err err;
	struct cli_out *out;
	const char *v[nitems_(np_cols)];
	char sh[32], dl[32], qty[32], ret[32], net[32], stk[32];
	size_t i, n;
	int rc = 0;

	memset(&q, 0, sizeof(q));
	q.entity = o->entity;
	q.min_share = -1;
	if (o->months != NULL) {
		if (cli_parse_count(o->months, &n) == -1 || n < 1 || n > 120)
			cli_usage("--months wants 1 to 120 months, not \"%s\"",
			    o->months);
		q.months = (int)n;
	}
	if (o->min_share != NULL && fx_pct_parse(o->min_share,
	    &q.min_share) == -1)
		cli_usage("--min-share wants a percentage 0 to 100, not "
		    "\"%s\"", o->min_share);
	if (o->limit != NULL && (cli_parse_count(o->limit, &q.limit) == -1 ||
	    q.limit == 0))
		cli_usage("--limit wants a count above zero, not \"%s\"",
		    o->limit);
	fx_err_clear(&err);
	if (fx_report_not_purchased(ctx, &q, &rep, &err) == -1)
		return cli_fail(&err);
	if (o->output != NULL && fx_np_report_write(ctx, &rep, o->output,
	    &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	out = cli_out_new(stdout, o->fmt, o->header, np_cols,
	    nitems_(np_cols));
	for (i = 0; i < rep.n; i++) {
		const struct fx_np_row *r = &rep.v[i];

		(void)snprintf(dl, sizeof(dl), "%d", (int)r->dealers);
		v[0] = r->article;
		v[1] = r->name;
		v[2] = r->group_name;
		v[3] = fx_pct_fmt(sh, sizeof(sh), r->share);
		v[4] = dl;
		v[5] = fx_qty_fmt(qty, sizeof(qty), r->qty);
		v[6] = fx_money_fmt(ret, sizeof(ret), r->retail, 0);
		v[7] = fx_money_fmt(net, sizeof(net), r->net, 0);
		v[8] = fx_qty_fmt(stk, sizeof(stk), r->stock);
		v[9] = r->product;
		cli_out_row(out, v);
	}
	if (cli_out_end(out) == -1)
		rc = EX_IOERR_;
	/* A footer in tables only: what was compared with what. */
	if (o->header && o->fmt == CLI_TABLE)
		printf("%zu goods; %s to %s; %d similar dealers (price type "
		    "%s)\n", rep.n, rep.from, rep.to, (int)rep.peers,
		    rep.price_type[0] != '\0' ? rep.price_type : "base");
out:
	fx_np_report_release(&rep);
	return rc;
}

/* Fields of report demand.  The names are stable. */
static const struct cli_col dr_cols[] = {
	{ "order", 0 }, { "date", 0 }, { "line", CLI_RIGHT | CLI_NUM },
	{ "article", 0 }, { "name", 0 }, { "qty", CLI_RIGHT | CLI_NUM },
	{ "demand", CLI_RIGHT | CLI_NUM }, { "delivery", 0 },
	{ "delivery_date", 0 }, { "arrival", 0 },
	{ "reserved", CLI_RIGHT | CLI_NUM }, { "shipped", CLI_RIGHT | CLI_NUM },
	{ "cancelled", CLI_RIGHT | CLI_NUM }, { "owed", CLI_RIGHT | CLI_NUM },
	{ "stock", CLI_RIGHT | CLI_NUM }, { "id", 0 },
};

static int
report_demand(struct opts *o, struct fx_ctx *ctx)
{
	struct fx_dr_query q;
	struct fx_dr_report rep;
	struct fx_err err;
	struct cli_out *out;
	const char *v[nitems_(dr_cols)];
	char ln[16], qty[32], dem[32], res[32], sh[32], ca[32], ow[32];
	char stk[32], t1[32], t2[32], t3[32], t4[32];
	size_t i;
	int rc = 0;

	memset(&q, 0, sizeof(q));
	q.entity = o->entity;
	q.from = o->from;
	q.to = o->to;
	fx_err_clear(&err);
	if (fx_report_demand(ctx, &q, &rep, &err) == -1)
		return cli_fail(&err);
	if (o->output != NULL && fx_dr_report_write(ctx, &rep, o->output,
	    &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	out = cli_out_new(stdout, o->fmt, o->header, dr_cols,
	    nitems_(dr_cols));
	for (i = 0; i < rep.n; i++) {
		const struct fx_dr_row *r = &rep.v[i];

		(void)snprintf(ln, sizeof(ln), "%d", (int)r->line);
		v[0] = r->order;
		v[1] = r->date;
		v[2] = ln;
		v[3] = r->article;
		v[4] = r->name;
		v[5] = fx_qty_fmt(qty, sizeof(qty), r->qty);
		v[6] = fx_qty_fmt(dem, sizeof(dem), r->demand);
		v[7] = r->delivery;
		v[8] = r->delivery_date;
		v[9] = r->arrival;
		v[10] = fx_qty_fmt(res, sizeof(res), r->reserved);
		v[11] = fx_qty_fmt(sh, sizeof(sh), r->shipped);
		v[12] = fx_qty_fmt(ca, sizeof(ca), r->cancelled);
		v[13] = fx_qty_fmt(ow, sizeof(ow), r->owed);
		v[14] = fx_qty_fmt(stk, sizeof(stk), r->stock);
		v[15] = r->product;
		cli_out_row(out, v);
	}
	if (cli_out_end(out) == -1)
		rc = EX_IOERR_;
	if (o->header && o->fmt == CLI_TABLE)
		printf("%zu lines: demand %s, reserved %s, shipped %s, "
		    "owed %s\n", rep.n, fx_qty_fmt(t1, sizeof(t1), rep.demand),
		    fx_qty_fmt(t2, sizeof(t2), rep.reserved),
		    fx_qty_fmt(t3, sizeof(t3), rep.shipped),
		    fx_qty_fmt(t4, sizeof(t4), rep.owed));
out:
	fx_dr_report_release(&rep);
	return rc;
}

static int
cmd_report(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	int np, rc;

	if (argc != 2)
		cli_usage("report wants one of not-purchased or demand");
	if (strcmp(argv[1], "not-purchased") == 0)
		np = 1;
	else if (strcmp(argv[1], "demand") == 0)
		np = 0;
	else
		cli_usage("unknown report \"%s\": not-purchased or demand",
		    argv[1]);
	if (o->entity == NULL)
		cli_usage("report %s needs --entity INN[/KPP]", argv[1]);
	if (np && (o->from != NULL || o->to != NULL))
		cli_usage("--from and --to go with report demand; "
		    "not-purchased takes --months");
	if (!np && (o->months != NULL || o->min_share != NULL ||
	    o->limit != NULL))
		cli_usage("--months, --min-share and --limit go with report "
		    "not-purchased");
	check_output(o->output);
	if ((rc = cli_open_as(&ctx, o->root, o->conf, FX_OPEN_RDONLY,
	    o->as)) != 0)
		return rc;
	rc = np ? report_np(o, ctx) : report_demand(o, ctx);
	fx_ctx_free(ctx);
	return rc;
}

static int
docs_add(struct opts *o, const char *number)
{
	struct fx_ctx *ctx;
	struct fx_odoc d;
	struct fx_err err;
	struct cli_out *out;
	int rc;

	if ((rc = cli_open_as(&ctx, o->root, o->conf, 0, o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_odoc_add(ctx, number, o->add, o->name, &d, &err) == -1) {
		rc = cli_fail(&err);
		fx_ctx_free(ctx);
		return rc;
	}
	out = cli_out_new(stdout, o->fmt, o->header, odoc_cols,
	    nitems_(odoc_cols));
	odoc_row(out, &d);
	if (cli_out_end(out) == -1)
		rc = EX_IOERR_;
	fx_odoc_release(&d);
	fx_ctx_free(ctx);
	return rc;
}

/*
 * docs: the generated documents asked for (all that apply when none
 * is named), then 1C's stored files; one line per file written.
 */
static int
cmd_docs(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_order ord;
	struct fx_oline *l = NULL;
	struct fx_odoc *v = NULL;
	struct fx_err err;
	struct cli_out *out = NULL;
	enum fx_odoc_gen g;
	const char *dir = o->output != NULL ? o->output : ".";
	char path[4096], file[512];
	int want[FX_ODOC_CANCELLED + 1], files, named = 0, k, rc;
	size_t n = 0, nv = 0, i;

	if (argc < 2)
		cli_usage("docs wants an ORDER");
	memset(want, 0, sizeof(want));
	files = 0;
	for (k = 2; k < argc; k++) {
		if (strcmp(argv[k], "files") == 0)
			files = 1;
		else if (fx_odoc_gen_parse(argv[k], &g) == 0)
			want[g] = 1;
		else
			cli_usage("unknown document \"%s\": invoice, waybill, "
			    "cancelled or files", argv[k]);
		named = 1;
	}
	if (o->add != NULL) {
		if (named || o->list || o->output != NULL)
			cli_usage("--add takes no KIND, --list or -o");
		return docs_add(o, argv[1]);
	}
	if (o->name != NULL)
		cli_usage("--name goes with --add");
	if ((rc = cli_open_as(&ctx, o->root, o->conf, FX_OPEN_RDONLY,
	    o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_order_get(ctx, argv[1], &ord, &l, &n, &err) == -1 ||
	    fx_odoc_list(ctx, argv[1], &v, &nv, &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	if (!named) {
		for (k = FX_ODOC_INVOICE; k <= FX_ODOC_CANCELLED; k++)
			want[k] = fx_order_doc_applies(l, n,
			    (enum fx_odoc_gen)k);
		files = 1;
	}
	if (o->list)
		out = cli_out_new(stdout, o->fmt, o->header, odoc_cols,
		    nitems_(odoc_cols));
	for (k = FX_ODOC_INVOICE; k <= FX_ODOC_CANCELLED; k++) {
		if (!want[k])
			continue;
		g = (enum fx_odoc_gen)k;
		if (o->list) {
			const char *r[nitems_(odoc_cols)];

			if (!fx_order_doc_applies(l, n, g))
				continue;
			memset(r, 0, sizeof(r));
			(void)snprintf(file, sizeof(file), "%s-%s.xlsx",
			    fx_odoc_gen_name(g), ord.number);
			r[0] = fx_odoc_gen_name(g);
			r[1] = file;
			r[3] = "xlsx";
			cli_out_row(out, r);
			continue;
		}
		if (fx_order_doc_xlsx(ctx, argv[1], g, dir, path, sizeof(path),
		    &err) == -1) {
			rc = cli_fail(&err);
			goto out;
		}
		printf("%s\n", path);
	}
	for (i = 0; files && i < nv; i++) {
		if (o->list) {
			odoc_row(out, &v[i]);
			continue;
		}
		if (fx_odoc_copy(ctx, &v[i], dir, path, sizeof(path),
		    &err) == -1) {
			rc = cli_fail(&err);
			goto out;
		}
		printf("%s\n", path);
	}
	if (named && files && nv == 0 && !want[FX_ODOC_INVOICE] &&
	    !want[FX_ODOC_WAYBILL] && !want[FX_ODOC_CANCELLED]) {
		cli_errx("order %s: no document from 1C", ord.number);
		rc = EX_NEGATIVE;
	}
out:
	if (out != NULL && cli_out_end(out) == -1 && rc == 0)
		rc = EX_IOERR_;
	if (rc == 0 && fflush(stdout) == EOF)
		rc = EX_IOERR_;
	fx_odocs_free(v, nv);
	fx_olines_free(l, n);
	fx_order_release(&ord);
	fx_ctx_free(ctx);
	return rc;
}

/* -- Dealer codes ------------------------------------------------------ */

static const struct cli_col code_cols[] = {
	{ "code", 0 }, { "article", 0 }, { "name", 0 }, { "id", 0 },
	{ "deleted", 0 },
};

static int
cmd_codes(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_alias_stats st;
	struct fx_alias *v = NULL;
	struct cli_out *out;
	struct fx_err err;
	const char *sub, *row[nitems_(code_cols)];
	size_t n = 0, i;
	int rc, ro;

	if (argc < 2)
		cli_usage("codes wants import, list, add or rm");
	sub = argv[1];
	if (strcmp(sub, "import") == 0 && argc != 3)
		cli_usage("codes import wants one FILE");
	else if (strcmp(sub, "list") == 0 && argc != 2)
		cli_usage("codes list takes no arguments");
	else if (strcmp(sub, "add") == 0 && argc != 4)
		cli_usage("codes add wants CODE ARTICLE");
	else if (strcmp(sub, "rm") == 0 && argc != 3)
		cli_usage("codes rm wants one CODE");
	else if (strcmp(sub, "import") != 0 && strcmp(sub, "list") != 0 &&
	    strcmp(sub, "add") != 0 && strcmp(sub, "rm") != 0)
		cli_usage("unknown codes command \"%s\": import, list, add or "
		    "rm", sub);
	if (o->replace && strcmp(sub, "import") != 0)
		cli_usage("--replace goes with codes import");
	ro = strcmp(sub, "list") == 0;
	if ((rc = cli_open_as(&ctx, o->root, o->conf, ro ? FX_OPEN_RDONLY : 0,
	    o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if (strcmp(sub, "import") == 0) {
		if (fx_alias_import(ctx, o->dealer, argv[2], NULL,
		    o->replace ? FX_ALIAS_REPLACE : 0, &st, &err) == -1)
			rc = cli_fail(&err);
		else
			fprintf(stderr, "%s: dealer %s: %zu rows, %zu codes "
			    "imported; the dealer now has %zu (was %zu)\n",
			    cli_prog, st.dealer, st.rows, st.codes, st.after,
			    st.before);
	} else if (strcmp(sub, "add") == 0) {
		if (fx_alias_add(ctx, o->dealer, argv[2], argv[3], &err) == -1)
			rc = cli_fail(&err);
	} else if (strcmp(sub, "rm") == 0) {
		if (fx_alias_rm(ctx, o->dealer, argv[2], &err) == -1)
			rc = cli_fail(&err);
	} else if (fx_alias_list(ctx, o->dealer, &v, &n, &err) == -1)
		rc = cli_fail(&err);
	else {
		out = cli_out_new(stdout, o->fmt, o->header, code_cols,
		    nitems_(code_cols));
		for (i = 0; i < n; i++) {
			row[0] = v[i].code;
			row[1] = v[i].article;
			row[2] = v[i].name;
			row[3] = v[i].product;
			row[4] = v[i].deleted ? "yes" : "no";
			cli_out_row(out, row);
		}
		if (cli_out_end(out) == -1)
			rc = EX_IOERR_;
	}
	fx_aliases_free(v, n);
	fx_ctx_free(ctx);
	return rc;
}

static const struct {
	const char	*name;
	int		(*fn)(struct opts *, int, char **);
} commands[] = {
	{ "codes", cmd_codes },
	{ "check", cmd_check },
	{ "new", cmd_new },
	{ "submit", cmd_submit },
	{ "list", cmd_list },
	{ "show", cmd_show },
	{ "demand", cmd_demand },
	{ "reserve", cmd_reserve },
	{ "report", cmd_report },
	{ "docs", cmd_docs },
};

enum {
	OPT_AS = 256, OPT_TSV, OPT_JSON, OPT_DELIVERY, OPT_COMMENT,
	OPT_STATUS, OPT_FROM, OPT_TO, OPT_ARTICLE, OPT_QTY,
	OPT_MONTHS, OPT_MIN_SHARE, OPT_LIMIT,
	OPT_LIST, OPT_ADD, OPT_NAME,
	OPT_DEALER, OPT_REPLACE
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'D' },
		{ "config", required_argument, NULL, 'c' },
		{ "as", required_argument, NULL, OPT_AS },
		{ "entity", required_argument, NULL, 'e' },
		{ "output", required_argument, NULL, 'o' },
		{ "delivery", required_argument, NULL, OPT_DELIVERY },
		{ "comment", required_argument, NULL, OPT_COMMENT },
		{ "status", required_argument, NULL, OPT_STATUS },
		{ "article", required_argument, NULL, OPT_ARTICLE },
		{ "qty", required_argument, NULL, OPT_QTY },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "months", required_argument, NULL, OPT_MONTHS },
		{ "min-share", required_argument, NULL, OPT_MIN_SHARE },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "add", required_argument, NULL, OPT_ADD },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "dealer", required_argument, NULL, OPT_DEALER },
		{ "replace", no_argument, NULL, OPT_REPLACE },
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

	cli_init("formix-order");
	memset(&o, 0, sizeof(o));
	o.header = 1;
	o.fmt = CLI_TABLE;
	opterr = 0;
	/* Options may follow the command word: "check FILE --entity E". */
	while ((c = getopt_long(argc, argv, ":D:c:e:o:HhV", longopts,
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
		case 'o':
			o.output = optarg;
			break;
		case OPT_DELIVERY:
			o.delivery = optarg;
			break;
		case OPT_COMMENT:
			o.comment = optarg;
			break;
		case OPT_STATUS:
			o.status = optarg;
			break;
		case OPT_ARTICLE:
			o.article = optarg;
			break;
		case OPT_QTY:
			o.qty = optarg;
			break;
		case OPT_FROM:
			cli_check_date("--from", optarg);
			o.from = optarg;
			break;
		case OPT_TO:
			cli_check_date("--to", optarg);
			o.to = optarg;
			break;
		case OPT_MONTHS:
			o.months = optarg;
			break;
		case OPT_MIN_SHARE:
			o.min_share = optarg;
			break;
		case OPT_LIMIT:
			o.limit = optarg;
			break;
		case OPT_LIST:
			o.list = 1;
			break;
		case OPT_ADD:
			o.add = optarg;
			break;
		case OPT_NAME:
			o.name = optarg;
			break;
		case OPT_DEALER:
			o.dealer = optarg;
			break;
		case OPT_REPLACE:
			o.replace = 1;
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
		cli_usage("no command given: check, new, submit, list, show, "
		    "demand, reserve, report, docs or codes");
	for (i = 0; i < nitems_(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].fn(&o, argc, argv);
	cli_usage("unknown command \"%s\"", argv[0]);
}
