/*
 * formix-ar -- receivables: what a legal entity owes and what of it is
 * overdue, aging, the reconciliation statement, whether it may order,
 * and staff overrides of the ordering block.
 *
 * Thin by design: each command is one libformix call (fx_ar_report,
 * fx_ar_check, fx_ar_statement, fx_ar_override_*), which also decides who
 * may see what; this file only chooses columns and formats numbers.
 * Results go to stdout in the three shared formats; field names are
 * stable and documented in formix-ar(1).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

#define nitems_(a)	(sizeof(a) / sizeof((a)[0]))
#define MAXCOLS		64

/* Which options were given: commands refuse the ones they ignore. */
enum {
	O_ENTITY	= 1 << 0,
	O_DATE		= 1 << 1,
	O_FROM		= 1 << 2,
	O_TO		= 1 << 3,
	O_DOCS		= 1 << 4,
	O_OUTPUT	= 1 << 5,
	O_UNTIL		= 1 << 6,
	O_REASON	= 1 << 7,
	O_REMOVE	= 1 << 8,
	O_ALL		= 1 << 9,
	O_FORMAT	= 1 << 10,
	O_HEADER	= 1 << 11,
};

static const char *const optname[] = {
	"--entity", "--date", "--from", "--to", "--documents", "--output",
	"--until", "--reason", "--remove", "--all", "--tsv/--json",
	"--no-header",
};

struct opts {
	const char	*root;
	const char	*conf;
	const char	*as;
	const char	*entity;
	const char	*date;
	const char	*from, *to;
	int		 docs;
	const char	*output;	/* FILE.xlsx or FIELDS */
	const char	*until;
	const char	*reason;
	int		 remove;
	int		 all;
	enum cli_fmt	 fmt;
	int		 header;
	unsigned	 seen;
};

static void
usage(void)
{
	printf(
"Usage: %s [options] report [--entity E] [--date D] [--documents]\n"
"                               [-o FILE.xlsx]\n"
"       %s [options] check ENTITY\n"
"       %s [options] statement --entity E --from D --to D [-o FILE.xlsx]\n"
"       %s [options] override ENTITY --until D --reason TEXT\n"
"       %s [options] override ENTITY --remove\n"
"       %s [options] overrides [--entity E] [--all]\n"
"\n"
"Receivables from the 1C ledger: balance, overdue debt and its age, the\n"
"documents behind it, the reconciliation statement, and whether a legal\n"
"entity may order.\n"
"\n"
"Commands:\n"
"  report                 balance, not yet due, overdue by age, limits;\n"
"                         a head company with each subsidiary and the total\n"
"  check ENTITY           exit 0 if the entity may order, 1 if blocked\n"
"  statement              every document of a period, with the balances\n"
"                         (акт сверки)\n"
"  override ENTITY        staff: lift the ordering block until a date\n"
"  overrides              staff: the overrides in force\n"
"\n"
"Options:\n"
"  -D, --root DIR         instance directory (default: $FORMIX_ROOT, else\n"
"                         %s)\n"
"  -c, --config FILE      configuration file (default: $FORMIX_CONF, else\n"
"                         DIR/formix.yaml)\n"
"      --as LOGIN         staff: see exactly what this dealer user sees\n"
"  -e, --entity E         legal entity: Ид, INN or INN/KPP\n"
"      --date D           report: the figures on this day (YYYY-MM-DD,\n"
"                         default today)\n"
"      --from D           statement: the first day of the period\n"
"      --to D             statement: the last day of the period\n"
"  -d, --documents        report: one row per unpaid document\n"
"  -o, --output FILE.xlsx|FIELDS\n"
"                         write the workbook FILE.xlsx, or print only\n"
"                         these fields (comma-separated)\n"
"      --until D          override: the last day it holds\n"
"      --reason TEXT      override: why\n"
"      --remove           override: remove the entity's override\n"
"  -a, --all              overrides: expired ones too\n"
"      --tsv              tab-separated values with a header line\n"
"      --json             one JSON object per line\n"
"  -H, --no-header        no header line (and no footer in tables)\n"
"  -h, --help             display this help and exit\n"
"  -V, --version          display version and exit\n"
"\n"
"Exit status: 0 ok (check: may order), 1 ordering blocked, or an unknown\n"
"legal entity, 64 usage, 65 bad data, 66 no instance, 69 store\n"
"unavailable, 70 internal error, 73 cannot create the output, 74 I/O\n"
"error, 75 try again later, 77 permission denied, 78 configuration error.\n",
	    cli_prog, cli_prog, cli_prog, cli_prog, cli_prog, cli_prog,
	    FX_ROOTDIR);
	exit(0);
}

static void
check_opts(const struct opts *o, unsigned allowed, const char *what)
{
	unsigned bad = o->seen & ~allowed;
	size_t i;

	for (i = 0; i < nitems_(optname); i++)
		if (bad & (1u << i))
			cli_usage("%s does not go with %s", optname[i], what);
}

/* -o names a workbook when it ends in ".xlsx". */
static int
is_xlsx(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 5 && strcasecmp(s + n - 5, ".xlsx") == 0;
}

/*
 * The columns to print: all of tab, or those -o names, in its order.
 * sel gets the indexes into tab; returns their count.
 */
static size_t
select_cols(const char *spec, const struct cli_col *tab, size_t ntab,
    int *sel)
{
	char *copy, *p, *tok;
	size_t n = 0, i;

	if (spec == NULL || is_xlsx(spec)) {
		for (i = 0; i < ntab && i < MAXCOLS; i++)
			sel[i] = (int)i;
		return i;
	}
	copy = cli_xstrdup(spec);
	for (p = copy; (tok = strsep(&p, ",")) != NULL;) {
		if (*tok == '\0')
			continue;
		for (i = 0; i < ntab; i++)
			if (strcmp(tok, tab[i].name) == 0)
				break;
		if (i == ntab)
			cli_usage("unknown field \"%s\" in --output (a "
			    "workbook name ends in .xlsx)", tok);
		if (n < MAXCOLS)
			sel[n++] = (int)i;
	}
	free(copy);
	if (n == 0)
		cli_usage("--output names no field");
	return n;
}

/* Print rows through the chosen columns; vals(row, col) gives a cell. */
struct table {
	struct cli_col	 cols[MAXCOLS];
	int		 sel[MAXCOLS];
	size_t		 ncols;
	struct cli_out	*out;
};

static void
table_start(struct table *t, const struct opts *o, const struct cli_col *tab,
    size_t ntab, const char *spec)
{
	size_t i;

	t->ncols = select_cols(spec, tab, ntab, t->sel);
	for (i = 0; i < t->ncols; i++)
		t->cols[i] = tab[t->sel[i]];
	t->out = cli_out_new(stdout, o->fmt, o->header, t->cols, t->ncols);
}

/* A row given in full-table order, printed in the chosen order. */
static void
table_row(struct table *t, const char *const *full)
{
	const char *v[MAXCOLS];
	size_t i;

	for (i = 0; i < t->ncols; i++)
		v[i] = full[t->sel[i]];
	cli_out_row(t->out, v);
}

static int
table_end(struct table *t)
{
	return cli_out_end(t->out) == -1 ? EX_IOERR_ : 0;
}

/* Formatting. */

struct cells {
	char		 b[MAXCOLS][96];
};

static const char *
money(char *buf, const struct opts *o, int64_t v)
{
	return fx_money_fmt(buf, 96, v, o->fmt == CLI_TABLE ? ' ' : 0);
}

static const char *
boolean(const struct opts *o, int v)
{
	if (o->fmt == CLI_JSON)
		return v ? "true" : "false";
	if (o->fmt == CLI_TSV)
		return v ? "1" : "0";
	return v ? "yes" : "";
}

static const char *
source_name(enum fx_ar_source s)
{
	return s == FX_AR_LEDGER ? "ledger" : "conditions";
}

static const char *
alloc_name(int a)
{
	switch (a) {
	case FX_AR_BY_FIFO:
		return "fifo";
	case FX_AR_BY_1C:
		return "1c";
	case FX_AR_BY_FIFO | FX_AR_BY_1C:
		return "1c+fifo";
	default:
		return "";
	}
}

/* Bucket i as a field name, "aging_1_7" or "aging_over_60". */
static void
bucket_field(char *buf, size_t sz, const struct fx_days *b, int i)
{
	int from = i == 0 ? 1 : b->v[i - 1] + 1;

	if (i == b->n)
		snprintf(buf, sz, "aging_over_%d", b->n > 0 ?
		    (int)b->v[b->n - 1] : 0);
	else
		snprintf(buf, sz, "aging_%d_%d", from, (int)b->v[i]);
}

/* Bucket i for people, "1-7" or ">60". */
static void
bucket_label(char *buf, size_t sz, const struct fx_days *b, int i)
{
	int from = i == 0 ? 1 : b->v[i - 1] + 1;

	if (i < 0)
		snprintf(buf, sz, "not_due");
	else if (i == b->n)
		snprintf(buf, sz, ">%d", b->n > 0 ? (int)b->v[b->n - 1] : 0);
	else
		snprintf(buf, sz, "%d-%d", from, (int)b->v[i]);
}

static const char *
asof_human(char *buf, size_t sz, const char *iso)
{
	if (iso[0] == '\0')
		snprintf(buf, sz, "(not imported)");
	else if (strlen(iso) >= 16 && iso[10] == 'T')
		snprintf(buf, sz, "%.10s %.5s", iso, iso + 11);
	else
		snprintf(buf, sz, "%s", iso);
	return buf;
}

static int
open_ctx(const struct opts *o, struct fx_ctx **ctx, int flags)
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

/*
 * report
 */

enum {
	R_ENTITY, R_DEALER, R_NAME, R_INN, R_KPP, R_HEAD, R_ROW, R_SOURCE,
	R_ASOF, R_DATE, R_BALANCE, R_ADVANCE, R_NOTDUE, R_OVERDUE, R_AGING,
	R_CREDIT_LIMIT = R_AGING + FX_AR_NBUCKETS, R_CREDIT_USED,
	R_CREDIT_AVAIL, R_OVERDUE_LIMIT, R_OVERDUE_HEADROOM, R_BLOCKED,
	R_LIFTED_UNTIL, R_ALLOCATION, R_MAX
};

/* The report's fields in full-table order; aging expands per bucket. */
static size_t
report_cols(const struct fx_ar_report *r, struct cli_col *c, char names[][32],
    int *kind)
{
	static const struct {
		int		 k;
		const char	*name;
		int		 flags;
	} f[] = {
		{ R_ENTITY, "entity", 0 }, { R_DEALER, "dealer", 0 },
		{ R_NAME, "name", 0 }, { R_INN, "inn", 0 },
		{ R_KPP, "kpp", 0 }, { R_HEAD, "head", 0 },
		{ R_ROW, "row", 0 }, { R_SOURCE, "source", 0 },
		{ R_ASOF, "asof", 0 }, { R_DATE, "date", 0 },
		{ R_BALANCE, "balance", CLI_RIGHT | CLI_NUM },
		{ R_ADVANCE, "advance", CLI_RIGHT | CLI_NUM },
		{ R_NOTDUE, "not_due", CLI_RIGHT | CLI_NUM },
		{ R_OVERDUE, "overdue", CLI_RIGHT | CLI_NUM },
		{ R_AGING, NULL, CLI_RIGHT | CLI_NUM },
		{ R_CREDIT_LIMIT, "credit_limit", CLI_RIGHT | CLI_NUM },
		{ R_CREDIT_USED, "credit_used", CLI_RIGHT | CLI_NUM },
		{ R_CREDIT_AVAIL, "credit_available", CLI_RIGHT | CLI_NUM },
		{ R_OVERDUE_LIMIT, "overdue_limit", CLI_RIGHT | CLI_NUM },
		{ R_OVERDUE_HEADROOM, "overdue_headroom", CLI_RIGHT | CLI_NUM },
		{ R_BLOCKED, "blocked", CLI_RAW },
		{ R_LIFTED_UNTIL, "lifted_until", 0 },
		{ R_ALLOCATION, "allocation", 0 },
	};
	size_t i, n = 0;
	int j;

	for (i = 0; i < nitems_(f); i++) {
		if (f[i].k != R_AGING) {
			c[n].name = f[i].name;
			c[n].flags = f[i].flags;
			kind[n++] = f[i].k;
			continue;
		}
		for (j = 0; j <= r->buckets.n; j++) {
			bucket_field(names[j], 32, &r->buckets, j);
			c[n].name = names[j];
			c[n].flags = f[i].flags;
			kind[n++] = R_AGING + j;
		}
	}
	return n;
}

static void
report_values(const struct opts *o, const struct fx_ar_report *r,
    const struct fx_ar_row *row, const int *kind, size_t n, struct cells *cb,
    const char **v)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		char *b = cb->b[i];

		k = kind[i];
		v[i] = NULL;
		if (k >= R_AGING && k < R_AGING + FX_AR_NBUCKETS) {
			if (row->aging_known)
				v[i] = money(b, o, row->aging[k - R_AGING]);
			continue;
		}
		switch (k) {
		case R_ENTITY: v[i] = row->entity; break;
		case R_DEALER: v[i] = row->dealer; break;
		case R_NAME:
			if (row->total) {
				snprintf(b, 96, "total: %s", row->name);
				v[i] = b;
			} else
				v[i] = row->name;
			break;
		case R_INN: v[i] = row->total ? "" : row->inn; break;
		case R_KPP: v[i] = row->total ? "" : row->kpp; break;
		case R_HEAD: v[i] = row->head; break;
		case R_ROW: v[i] = row->total ? "total" : "entity"; break;
		case R_SOURCE: v[i] = source_name(row->source); break;
		case R_ASOF: v[i] = r->asof; break;
		case R_DATE: v[i] = r->date; break;
		case R_BALANCE: v[i] = money(b, o, row->balance); break;
		case R_ADVANCE: v[i] = money(b, o, row->advance); break;
		case R_NOTDUE: v[i] = money(b, o, row->not_due); break;
		case R_OVERDUE: v[i] = money(b, o, row->overdue); break;
		case R_CREDIT_LIMIT:
			if (!row->total)
				v[i] = money(b, o, row->credit_limit);
			break;
		case R_CREDIT_USED:
			if (!row->total)
				v[i] = money(b, o, row->balance > 0 ?
				    row->balance : 0);
			break;
		case R_CREDIT_AVAIL:
			if (!row->total)
				v[i] = money(b, o, row->credit_limit -
				    (row->balance > 0 ? row->balance : 0));
			break;
		case R_OVERDUE_LIMIT:
			if (!row->total)
				v[i] = money(b, o, row->overdue_limit);
			break;
		case R_OVERDUE_HEADROOM:
			if (!row->total)
				v[i] = money(b, o, row->overdue_limit -
				    row->overdue);
			break;
		case R_BLOCKED:
			if (!row->total)
				v[i] = boolean(o, row->blocked);
			break;
		case R_LIFTED_UNTIL:
			v[i] = row->lifted ? row->override_until : "";
			break;
		case R_ALLOCATION:
			if (row->source == FX_AR_LEDGER)
				v[i] = row->by_1c ? "1c+fifo" : "fifo";
			break;
		}
	}
}

/* For people: a narrower table, the overdue documents, the as-of line. */
static int
report_table(const struct opts *o, const struct fx_ar_report *r)
{
	struct cli_col cols[MAXCOLS], dcols[] = {
		{ "name", 0 }, { "document", 0 }, { "order", 0 },
		{ "date", 0 }, { "due", 0 }, { "amount", CLI_RIGHT },
		{ "unpaid", CLI_RIGHT }, { "days", CLI_RIGHT },
		{ "age", 0 }, { "paid_by", 0 },
	};
	char names[FX_AR_NBUCKETS][32], t[32], cb[MAXCOLS][96];
	const char *v[MAXCOLS];
	struct cli_out *out;
	size_t i, j, n = 0, nover = 0;
	int k, rc = 0;

	cols[n++] = (struct cli_col){ "name", 0 };
	cols[n++] = (struct cli_col){ "balance", CLI_RIGHT };
	cols[n++] = (struct cli_col){ "not_due", CLI_RIGHT };
	for (k = 0; k <= r->buckets.n; k++) {
		bucket_label(names[k], 32, &r->buckets, k);
		cols[n++] = (struct cli_col){ names[k], CLI_RIGHT };
	}
	cols[n++] = (struct cli_col){ "overdue", CLI_RIGHT };
	cols[n++] = (struct cli_col){ "credit_limit", CLI_RIGHT };
	cols[n++] = (struct cli_col){ "overdue_limit", CLI_RIGHT };
	cols[n++] = (struct cli_col){ "orders", 0 };
	out = cli_out_new(stdout, CLI_TABLE, o->header, cols, n);
	for (i = 0; i < r->n; i++) {
		const struct fx_ar_row *row = &r->v[i];
		size_t c = 0;

		if (row->total)
			snprintf(cb[c], 96, "total: %s", row->name);
		else
			snprintf(cb[c], 96, "%s%s", row->head[0] != '\0' &&
			    i > 0 ? "  " : "", row->name);
		v[c] = cb[c];
		c++;
		v[c] = money(cb[c], o, row->balance), c++;
		v[c] = money(cb[c], o, row->not_due), c++;
		for (k = 0; k <= r->buckets.n; k++, c++)
			v[c] = row->aging_known ? money(cb[c], o,
			    row->aging[k]) : "";
		v[c] = money(cb[c], o, row->overdue), c++;
		v[c] = row->total ? "" : money(cb[c], o, row->credit_limit);
		c++;
		v[c] = row->total ? "" : money(cb[c], o, row->overdue_limit);
		c++;
		if (row->total)
			v[c] = "";
		else if (row->lifted) {
			snprintf(cb[c], 96, "lifted until %s",
			    row->override_until);
			v[c] = cb[c];
		} else
			v[c] = row->blocked ? "BLOCKED" : "ok";
		cli_out_row(out, v);
		for (j = 0; j < row->ndocs; j++)
			nover += row->docs[j].days_overdue > 0;
	}
	if (cli_out_end(out) == -1)
		return EX_IOERR_;
	if (!o->header)
		return 0;
	for (i = 0; i < r->n; i++)
		if (r->v[i].advance > 0 && !r->v[i].total)
			printf("%s: credit balance %s (paid in advance)\n",
			    r->v[i].name, money(cb[0], o, r->v[i].advance));
	if (r->source == FX_AR_LEDGER)
		printf("receivables as of %s (1C ledger), on %s\n",
		    asof_human(t, sizeof(t), r->asof), r->date);
	else
		printf("receivables as of %s from the conditions file: no "
		    "ledger yet, so no documents and no aging\n",
		    asof_human(t, sizeof(t), r->asof));
	if (nover == 0)
		return rc;
	printf("\noverdue documents (payments set against the oldest debts "
	    "first, \"1c\" where 1C named the document):\n");
	out = cli_out_new(stdout, CLI_TABLE, 1, dcols, nitems_(dcols));
	for (i = 0; i < r->n; i++) {
		const struct fx_ar_row *row = &r->v[i];

		if (row->total)
			continue;
		for (j = 0; j < row->ndocs; j++) {
			const struct fx_ar_doc *d = &row->docs[j];

			if (d->days_overdue <= 0)
				continue;
			v[0] = row->name;
			v[1] = d->doc[0] != '\0' ? d->doc : d->id;
			v[2] = d->order;
			v[3] = d->date;
			v[4] = d->due;
			v[5] = money(cb[5], o, d->amount);
			v[6] = money(cb[6], o, d->unpaid);
			snprintf(cb[7], 96, "%d", (int)d->days_overdue);
			v[7] = cb[7];
			bucket_label(cb[8], 96, &r->buckets, d->bucket);
			v[8] = cb[8];
			v[9] = alloc_name(d->alloc);
			cli_out_row(out, v);
		}
	}
	return cli_out_end(out) == -1 ? EX_IOERR_ : rc;
}

enum {
	D_ENTITY, D_NAME, D_ID, D_DOC, D_ORDER, D_KIND, D_DATE, D_DUE,
	D_AMOUNT, D_PAID, D_UNPAID, D_DAYS, D_AGE, D_STATUS, D_ALLOC, D_ASOF,
	D_N
};

static const struct cli_col doc_cols[D_N] = {
	[D_ENTITY] = { "entity", 0 }, [D_NAME] = { "name", 0 },
	[D_ID] = { "id", 0 }, [D_DOC] = { "doc", 0 },
	[D_ORDER] = { "order", 0 }, [D_KIND] = { "kind", 0 },
	[D_DATE] = { "date", 0 }, [D_DUE] = { "due", 0 },
	[D_AMOUNT] = { "amount", CLI_RIGHT | CLI_NUM },
	[D_PAID] = { "paid", CLI_RIGHT | CLI_NUM },
	[D_UNPAID] = { "unpaid", CLI_RIGHT | CLI_NUM },
	[D_DAYS] = { "days_overdue", CLI_RIGHT | CLI_NUM },
	[D_AGE] = { "age", 0 }, [D_STATUS] = { "status", 0 },
	[D_ALLOC] = { "allocation", 0 }, [D_ASOF] = { "asof", 0 },
};

static int
report_docs(const struct opts *o, const struct fx_ar_report *r)
{
	struct table t;
	struct cells cb;
	const char *v[D_N];
	size_t i, j;

	table_start(&t, o, doc_cols, D_N, o->output);
	for (i = 0; i < r->n; i++) {
		const struct fx_ar_row *row = &r->v[i];

		if (row->total)
			continue;
		for (j = 0; j < row->ndocs; j++) {
			const struct fx_ar_doc *d = &row->docs[j];

			v[D_ENTITY] = row->entity;
			v[D_NAME] = row->name;
			v[D_ID] = d->id;
			v[D_DOC] = d->doc;
			v[D_ORDER] = d->order;
			v[D_KIND] = d->kind;
			v[D_DATE] = d->date;
			v[D_DUE] = d->due;
			v[D_AMOUNT] = money(cb.b[D_AMOUNT], o, d->amount);
			v[D_PAID] = money(cb.b[D_PAID], o, d->paid);
			v[D_UNPAID] = money(cb.b[D_UNPAID], o, d->unpaid);
			snprintf(cb.b[D_DAYS], 96, "%d", (int)d->days_overdue);
			v[D_DAYS] = cb.b[D_DAYS];
			bucket_label(cb.b[D_AGE], 96, &r->buckets, d->bucket);
			v[D_AGE] = cb.b[D_AGE];
			v[D_STATUS] = d->days_overdue > 0 ? "overdue" :
			    "not_due";
			v[D_ALLOC] = alloc_name(d->alloc);
			v[D_ASOF] = r->asof;
			table_row(&t, v);
		}
	}
	return table_end(&t);
}

static int
cmd_report(struct opts *o, int argc, char **argv)
{
	struct fx_ar_report r;
	struct fx_ctx *ctx;
	struct fx_err err;
	struct cli_col cols[MAXCOLS];
	char names[FX_AR_NBUCKETS][32];
	int kind[MAXCOLS], rc;
	size_t i, n;

	(void)argv;
	check_opts(o, O_ENTITY | O_DATE | O_DOCS | O_OUTPUT | O_FORMAT |
	    O_HEADER, "report");
	if (argc != 1)
		cli_usage("report takes options only");
	if (is_xlsx(o->output) && (o->docs || (o->seen & O_FORMAT)))
		cli_usage("a workbook (-o FILE.xlsx) does not go with %s",
		    o->docs ? "--documents" : "--tsv/--json");
	if ((rc = open_ctx(o, &ctx, FX_OPEN_RDONLY)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_ar_report(ctx, o->entity, o->date, &r, &err) == -1)
		return fail(ctx, &err);
	if (is_xlsx(o->output)) {
		if (fx_ar_report_xlsx(ctx, &r, o->output, &err) == -1)
			rc = cli_fail(&err);
	} else if (o->docs)
		rc = report_docs(o, &r);
	else if (o->fmt == CLI_TABLE && o->output == NULL)
		rc = report_table(o, &r);
	else {
		struct table t;
		struct cells cb;
		const char *v[MAXCOLS];

		n = report_cols(&r, cols, names, kind);
		table_start(&t, o, cols, n, o->output);
		for (i = 0; i < r.n; i++) {
			report_values(o, &r, &r.v[i], kind, n, &cb, v);
			table_row(&t, v);
		}
		rc = table_end(&t);
	}
	fx_ar_report_release(&r);
	fx_ctx_free(ctx);
	return rc;
}

/*
 * check
 */

static int
cmd_check(struct opts *o, int argc, char **argv)
{
	static const struct cli_col cols[] = {
		{ "entity", 0 }, { "may_order", CLI_RAW },
		{ "blocked", CLI_RAW }, { "lifted", CLI_RAW },
		{ "balance", CLI_NUM }, { "overdue", CLI_NUM },
		{ "credit_limit", CLI_NUM }, { "overdue_limit", CLI_NUM },
		{ "source", 0 }, { "asof", 0 }, { "override_by", 0 },
		{ "override_until", 0 }, { "override_reason", 0 },
		{ "reason", 0 },
	};
	struct fx_ar_verdict vd;
	struct fx_ctx *ctx;
	struct fx_err err;
	struct cells cb;
	const char *v[nitems_(cols)];
	int rc;

	check_opts(o, O_OUTPUT | O_FORMAT | O_HEADER, "check");
	if (argc != 2)
		cli_usage("check takes one legal entity");
	if (is_xlsx(o->output))
		cli_usage("check writes no workbook");
	if ((rc = open_ctx(o, &ctx, FX_OPEN_RDONLY)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_ar_check(ctx, argv[1], &vd, &err) == -1)
		return fail(ctx, &err);
	fx_ctx_free(ctx);
	if (o->fmt == CLI_TABLE && o->output == NULL) {
		if (vd.may_order)
			printf("%s\n", vd.line);
		else
			cli_errx("%s", vd.line);
	} else {
		struct table t;

		v[0] = vd.entity;
		v[1] = boolean(o, vd.may_order);
		v[2] = boolean(o, vd.blocked);
		v[3] = boolean(o, vd.lifted);
		v[4] = money(cb.b[4], o, vd.balance);
		v[5] = money(cb.b[5], o, vd.overdue);
		v[6] = money(cb.b[6], o, vd.credit_limit);
		v[7] = money(cb.b[7], o, vd.overdue_limit);
		v[8] = source_name(vd.source);
		v[9] = vd.asof;
		v[10] = vd.override_by;
		v[11] = vd.override_until;
		v[12] = vd.override_reason;
		v[13] = vd.line;
		table_start(&t, o, cols, nitems_(cols), o->output);
		table_row(&t, v);
		if ((rc = table_end(&t)) != 0)
			return rc;
	}
	return vd.may_order ? 0 : EX_NEGATIVE;
}

/*
 * statement
 */

static int
cmd_statement(struct opts *o, int argc, char **argv)
{
	static const struct cli_col cols[] = {
		{ "date", 0 }, { "kind", 0 }, { "id", 0 }, { "doc", 0 },
		{ "order", 0 }, { "debit", CLI_RIGHT | CLI_NUM },
		{ "credit", CLI_RIGHT | CLI_NUM },
		{ "balance", CLI_RIGHT | CLI_NUM },
	};
	struct fx_ar_statement s;
	struct fx_ctx *ctx;
	struct fx_err err;
	struct table t;
	struct cells cb;
	const char *v[nitems_(cols)];
	char ts[32];
	size_t i;
	int rc, people;

	(void)argv;
	check_opts(o, O_ENTITY | O_FROM | O_TO | O_OUTPUT | O_FORMAT |
	    O_HEADER, "statement");
	if (argc != 1)
		cli_usage("statement takes options only");
	if (o->entity == NULL || o->from == NULL || o->to == NULL)
		cli_usage("statement needs --entity, --from and --to");
	if (is_xlsx(o->output) && (o->seen & O_FORMAT))
		cli_usage("a workbook (-o FILE.xlsx) does not go with "
		    "--tsv/--json");
	if ((rc = open_ctx(o, &ctx, FX_OPEN_RDONLY)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_ar_statement(ctx, o->entity, o->from, o->to, &s, &err) == -1)
		return fail(ctx, &err);
	if (is_xlsx(o->output)) {
		if (fx_ar_statement_xlsx(ctx, &s, o->output, &err) == -1)
			rc = cli_fail(&err);
		goto out;
	}
	people = o->fmt == CLI_TABLE && o->output == NULL;
	if (people && o->header)
		printf("statement of %s (%s) from %s to %s, receivables as of "
		    "%s\n", s.name, s.entity, s.from, s.to,
		    asof_human(ts, sizeof(ts), s.asof));
	table_start(&t, o, cols, nitems_(cols), o->output);
	v[0] = s.from;
	v[1] = "opening";
	v[2] = v[4] = v[5] = v[6] = "";
	v[3] = people ? "opening balance" : "";
	v[7] = money(cb.b[7], o, s.opening);
	table_row(&t, v);
	for (i = 0; i < s.n; i++) {
		const struct fx_ar_line *l = &s.v[i];

		v[0] = l->date;
		v[1] = l->kind;
		v[2] = l->id;
		v[3] = l->doc;
		v[4] = l->order;
		v[5] = l->debit > 0 ? money(cb.b[5], o, l->debit) : "";
		v[6] = l->credit > 0 ? money(cb.b[6], o, l->credit) : "";
		v[7] = money(cb.b[7], o, l->balance);
		table_row(&t, v);
	}
	v[0] = s.to;
	v[1] = "closing";
	v[2] = v[4] = "";
	v[3] = people ? "closing balance" : "";
	v[5] = money(cb.b[5], o, s.debits);
	v[6] = money(cb.b[6], o, s.credits);
	v[7] = money(cb.b[7], o, s.closing);
	table_row(&t, v);
	rc = table_end(&t);
	if (rc == 0 && people && o->header) {
		if (s.closing > 0)
			printf("owed by %s on %s: %s\n", s.name, s.to,
			    money(cb.b[0], o, s.closing));
		else if (s.closing < 0)
			printf("credit balance of %s on %s: %s (paid in "
			    "advance)\n", s.name, s.to,
			    money(cb.b[0], o, -s.closing));
		else
			printf("nothing owed on %s\n", s.to);
	}
out:
	fx_ar_statement_release(&s);
	fx_ctx_free(ctx);
	return rc;
}

/*
 * override, overrides
 */

static int
cmd_override(struct opts *o, int argc, char **argv)
{
	struct fx_ctx *ctx;
	struct fx_err err;
	int rc;

	check_opts(o, O_UNTIL | O_REASON | O_REMOVE, "override");
	if (argc != 2)
		cli_usage("override takes one legal entity");
	if (o->remove && (o->until != NULL || o->reason != NULL))
		cli_usage("--remove does not go with --until or --reason");
	if (!o->remove && (o->until == NULL || o->reason == NULL))
		cli_usage("override needs --until DATE and --reason TEXT (or "
		    "--remove)");
	if ((rc = open_ctx(o, &ctx, 0)) != 0)
		return rc;
	fx_err_clear(&err);
	if (o->remove) {
		if (fx_ar_override_remove(ctx, argv[1], &err) == -1)
			return fail(ctx, &err);
		printf("removed the override of %s\n", argv[1]);
	} else {
		if (fx_ar_override_set(ctx, argv[1], o->until, o->reason,
		    &err) == -1)
			return fail(ctx, &err);
		printf("ordering block of %s lifted until %s\n", argv[1],
		    o->until);
	}
	fx_ctx_free(ctx);
	return 0;
}

static int
cmd_overrides(struct opts *o, int argc, char **argv)
{
	static const struct cli_col cols[] = {
		{ "entity", 0 }, { "until", 0 }, { "active", CLI_RAW },
		{ "by", 0 }, { "at", 0 }, { "reason", 0 },
	};
	struct fx_ar_override *v = NULL;
	struct fx_ctx *ctx;
	struct fx_err err;
	struct table t;
	const char *row[nitems_(cols)];
	size_t n = 0, i;
	int rc;

	(void)argv;
	check_opts(o, O_ENTITY | O_ALL | O_OUTPUT | O_FORMAT | O_HEADER,
	    "overrides");
	if (argc != 1)
		cli_usage("overrides takes options only");
	if (is_xlsx(o->output))
		cli_usage("overrides writes no workbook");
	if ((rc = open_ctx(o, &ctx, FX_OPEN_RDONLY)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_ar_override_list(ctx, o->entity, o->all, &v, &n, &err) == -1)
		return fail(ctx, &err);
	fx_ctx_free(ctx);
	table_start(&t, o, cols, nitems_(cols), o->output);
	for (i = 0; i < n; i++) {
		row[0] = v[i].entity;
		row[1] = v[i].until;
		row[2] = boolean(o, v[i].active);
		row[3] = v[i].by;
		row[4] = v[i].at;
		row[5] = v[i].reason;
		table_row(&t, row);
	}
	rc = table_end(&t);
	fx_ar_overrides_free(v, n);
	return rc;
}

static const struct {
	const char	*name;
	int		(*fn)(struct opts *, int, char **);
} commands[] = {
	{ "report", cmd_report },
	{ "check", cmd_check },
	{ "statement", cmd_statement },
	{ "override", cmd_override },
	{ "overrides", cmd_overrides },
};

enum {
	OPT_AS = 256, OPT_DATE, OPT_FROM, OPT_TO, OPT_UNTIL, OPT_REASON,
	OPT_REMOVE, OPT_TSV, OPT_JSON
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'D' },
		{ "config", required_argument, NULL, 'c' },
		{ "as", required_argument, NULL, OPT_AS },
		{ "entity", required_argument, NULL, 'e' },
		{ "date", required_argument, NULL, OPT_DATE },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "documents", no_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "remove", no_argument, NULL, OPT_REMOVE },
		{ "all", no_argument, NULL, 'a' },
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

	cli_init("formix-ar");
	memset(&o, 0, sizeof(o));
	o.header = 1;
	o.fmt = CLI_TABLE;
	opterr = 0;
	/* Options may follow the command word: "report --entity E". */
	while ((c = getopt_long(argc, argv, ":D:c:e:do:aHhV", longopts,
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
			o.seen |= O_ENTITY;
			break;
		case OPT_DATE:
			cli_check_date("--date", optarg);
			o.date = optarg;
			o.seen |= O_DATE;
			break;
		case OPT_FROM:
			cli_check_date("--from", optarg);
			o.from = optarg;
			o.seen |= O_FROM;
			break;
		case OPT_TO:
			cli_check_date("--to", optarg);
			o.to = optarg;
			o.seen |= O_TO;
			break;
		case 'd':
			o.docs = 1;
			o.seen |= O_DOCS;
			break;
		case 'o':
			o.output = optarg;
			o.seen |= O_OUTPUT;
			break;
		case OPT_UNTIL:
			cli_check_date("--until", optarg);
			o.until = optarg;
			o.seen |= O_UNTIL;
			break;
		case OPT_REASON:
			o.reason = optarg;
			o.seen |= O_REASON;
			break;
		case OPT_REMOVE:
			o.remove = 1;
			o.seen |= O_REMOVE;
			break;
		case 'a':
			o.all = 1;
			o.seen |= O_ALL;
			break;
		case OPT_TSV:
			o.fmt = CLI_TSV;
			o.seen |= O_FORMAT;
			fmts |= 1;
			break;
		case OPT_JSON:
			o.fmt = CLI_JSON;
			o.seen |= O_FORMAT;
			fmts |= 2;
			break;
		case 'H':
			o.header = 0;
			o.seen |= O_HEADER;
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
		cli_usage("no command given: report, check, statement, "
		    "override or overrides");
	for (i = 0; i < nitems_(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].fn(&o, argc, argv);
	cli_usage("unknown command \"%s\"", argv[0]);
}
