/*
 * formix-stock -- look goods up: retail and dealer prices, stock per
 * warehouse and the next deliveries; list planned arrivals; write a
 * dealer's price list.
 *
 * Thin by design: the lookups are fx_catalog_find calls; the rest is
 * choosing columns and formatting numbers.  Results go to stdout in the
 * three shared formats; an unknown or ambiguous article is reported on
 * stderr, the other articles are still printed, and the exit status is 1
 * so that a script expecting one row per article notices.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Which options were given: subcommands refuse the ones they ignore. */
enum {
	O_ENTITY	= 1 << 0,
	O_GROUP		= 1 << 1,
	O_WAREHOUSE	= 1 << 2,
	O_INSTOCK	= 1 << 3,
	O_INCOMING	= 1 << 4,
	O_DELETED	= 1 << 5,
	O_LIMIT		= 1 << 6,
	O_FORMAT	= 1 << 7,	/* --tsv, --json */
	O_HEADER	= 1 << 8,	/* -H */
	O_OUTPUT	= 1 << 9,
	O_FROM		= 1 << 10,
	O_TO		= 1 << 11,
	O_LOOKUP	= 1 << 12,	/* articles, --id, --search */
};

static const char *const optname[] = {
	"--entity", "--group", "--warehouse", "--in-stock", "--incoming",
	"--deleted", "--limit", "--tsv/--json", "--no-header", "--output",
	"--from", "--to", "an article, --id or --search",
};

enum lkind { L_ARTICLE, L_ID, L_SEARCH };

struct lookup {
	enum lkind	 kind;
	const char	*v;
};

struct opts {
	const char	*root;
	const char	*conf;
	const char	*as;
	const char	*entity;
	const char	*group;
	const char	*warehouse;
	int		 flags;		/* FX_Q_* */
	size_t		 limit;		/* 0: all */
	enum cli_fmt	 fmt;
	int		 header;
	const char	*output;
	const char	*from, *to;
	struct lookup	*lk;
	size_t		 nlk;
	unsigned	 seen;		/* O_* */
};

static void
usage(void)
{
	printf(
"Usage: %s [options] [ARTICLE...]\n"
"       %s [options] --id ID | --search WORDS\n"
"       %s arrivals [--from DATE] [--to DATE] [options]\n"
"       %s pricelist --entity INN[/KPP] -o FILE.xlsx\n"
"\n"
"Look goods up by article, Ид or words, with retail and dealer prices,\n"
"stock per warehouse and the next deliveries.  With no article and no\n"
"search, list every product that passes the filters.\n"
"\n"
"Commands:\n"
"  arrivals               planned delivery lines, by date\n"
"  pricelist              write the dealer's price list as XLSX\n"
"\n"
"Options:\n"
"  -D, --root DIR         instance directory (default: $FORMIX_ROOT, else\n"
"                         %s)\n"
"  -c, --config FILE      configuration file (default: $FORMIX_CONF, else\n"
"                         DIR/formix.yaml)\n"
"      --as LOGIN         staff: see exactly what this dealer user sees\n"
"  -e, --entity INN[/KPP] show the net price of this legal entity (INN,\n"
"                         INN/KPP or its Ид); a dealer's user with one\n"
"                         legal entity gets its prices without it\n"
"  -g, --group GROUP      only goods in this group (Ид or name) or below\n"
"  -w, --warehouse WH     show and count stock of this warehouse only\n"
"      --in-stock         only goods with stock above zero\n"
"      --incoming         only goods with deliveries due\n"
"      --deleted          include goods deleted in 1C in listings\n"
"  -i, --id ID            look a product up by its Ид\n"
"  -s, --search WORDS     goods whose name holds every word, or whose\n"
"                         article starts with WORDS\n"
"  -n, --limit N          print at most N goods (0: all)\n"
"      --tsv              tab-separated values with a header line\n"
"      --json             one JSON object per line\n"
"  -H, --no-header        no header line (and no footer in tables)\n"
"  -o, --output FIELDS    print these fields only (comma-separated);\n"
"                         pricelist: the file to write\n"
"      --from DATE        arrivals: from this date (YYYY-MM-DD)\n"
"      --to DATE          arrivals: up to this date (YYYY-MM-DD)\n"
"  -h, --help             display this help and exit\n"
"  -V, --version          display version and exit\n"
"\n"
"Exit status: 0 ok, 1 an article unknown or ambiguous (or nothing found),\n"
"64 usage, 65 bad data, 66 no instance, 69 store unavailable, 70 internal\n"
"error, 73 cannot create the output, 74 I/O error, 75 try again later,\n"
"77 permission denied, 78 configuration error.\n",
	    cli_prog, cli_prog, cli_prog, cli_prog, FX_ROOTDIR);
	exit(0);
}

/* Only the options in allowed may be used with this command. */
static void
check_opts(const struct opts *o, unsigned allowed, const char *what)
{
	unsigned bad = o->seen & ~allowed;
	size_t i;

	for (i = 0; i < sizeof(optname) / sizeof(optname[0]); i++)
		if (bad & (1u << i))
			cli_usage("%s does not go with %s", optname[i], what);
}

static const char *
money(char *buf, size_t sz, int64_t v, int sep)
{
	if (v < 0)
		return NULL;
	return fx_money_fmt(buf, sz, v, sep);
}

/* Fields.  The names are stable (formix-stock(1), OUTPUT FIELDS). */

enum fld {
	F_ARTICLE, F_NAME, F_UNIT, F_GROUP, F_RETAIL, F_BASE, F_NET,
	F_DISCOUNT, F_OWN, F_STOCK, F_TOTAL, F_ARRIVALS, F_ID, F_DELETED,
	F_ASOF, F_NFIELDS
};

static const struct cli_col fields[F_NFIELDS] = {
	[F_ARTICLE] =	{ "article", 0 },
	[F_NAME] =	{ "name", 0 },
	[F_UNIT] =	{ "unit", 0 },
	[F_GROUP] =	{ "group", 0 },
	[F_RETAIL] =	{ "retail", CLI_RIGHT | CLI_NUM },
	[F_BASE] =	{ "base", CLI_RIGHT | CLI_NUM },
	[F_NET] =	{ "net", CLI_RIGHT | CLI_NUM },
	[F_DISCOUNT] =	{ "discount", CLI_RIGHT | CLI_NUM },
	[F_OWN] =	{ "own_price", CLI_RAW },
	[F_STOCK] =	{ "stock", CLI_RAW },
	[F_TOTAL] =	{ "total", CLI_RIGHT | CLI_NUM },
	[F_ARRIVALS] =	{ "arrivals", CLI_RAW },
	[F_ID] =	{ "id", 0 },
	[F_DELETED] =	{ "deleted", CLI_RAW },
	[F_ASOF] =	{ "asof", CLI_RAW },
};

static const char *const asof_names[4] = {
	"catalog_asof", "offers_asof", "conditions_asof", "deliveries_asof"
};

/* Parse -o: the selected fields in order; usage error on unknown names. */
static size_t
parse_fields(const char *spec, const struct cli_col *tab, size_t ntab,
    int *sel, size_t max)
{
	char *copy, *p, *tok;
	size_t n = 0, i;

	copy = cli_xstrdup(spec);
	for (p = copy; (tok = strsep(&p, ",")) != NULL;) {
		if (*tok == '\0')
			continue;
		for (i = 0; i < ntab; i++)
			if (strcmp(tok, tab[i].name) == 0)
				break;
		if (i == ntab)
			cli_usage("unknown field \"%s\" in --output", tok);
		if (n < max)
			sel[n++] = (int)i;
	}
	free(copy);
	if (n == 0)
		cli_usage("--output names no field");
	return n;
}

/* The warehouses that occur in the results, in name order. */
struct whs {
	const char	**id;
	const char	**name;
	size_t		 n;
};

static void
whs_add(struct whs *w, const struct fx_items *items)
{
	size_t i, j, k, m;

	for (i = 0; i < items->n; i++)
		for (j = 0; j < items->v[i].nstock; j++) {
			const struct fx_stock_line *s = &items->v[i].stock[j];

			for (k = 0; k < w->n; k++)
				if (strcmp(w->id[k], s->warehouse) == 0)
					break;
			if (k < w->n)
				continue;
			w->id = cli_xrealloc(w->id, (w->n + 1) *
			    sizeof(*w->id));
			w->name = cli_xrealloc(w->name, (w->n + 1) *
			    sizeof(*w->name));
			/* Insertion keeps them sorted by name, then Ид. */
			for (m = w->n; m > 0; m--) {
				int c = strcmp(w->name[m - 1],
				    s->warehouse_name);

				if (c < 0 || (c == 0 &&
				    strcmp(w->id[m - 1], s->warehouse) < 0))
					break;
				w->id[m] = w->id[m - 1];
				w->name[m] = w->name[m - 1];
			}
			w->id[m] = s->warehouse;
			w->name[m] = s->warehouse_name;
			w->n++;
		}
}

/* One output column: a field, or one warehouse, or one as-of time. */
struct ocol {
	enum fld	 f;
	size_t		 sub;
};

struct printer {
	struct opts	*o;
	int		 entity;
	struct whs	 wh;
	struct ocol	*oc;
	struct cli_col	*cols;
	size_t		 ncols;
	struct cli_out	*out;
	const struct fx_items *asof;	/* as-of times of the first result */
	struct cli_str	 stock, arr, asofs;
	char		**cell;		/* ncols value buffers */
};

static void
add_col(struct printer *pr, enum fld f, size_t sub, const char *name,
    int flags)
{
	pr->oc = cli_xrealloc(pr->oc, (pr->ncols + 1) * sizeof(*pr->oc));
	pr->cols = cli_xrealloc(pr->cols, (pr->ncols + 1) *
	    sizeof(*pr->cols));
	pr->oc[pr->ncols].f = f;
	pr->oc[pr->ncols].sub = sub;
	pr->cols[pr->ncols].name = name;
	pr->cols[pr->ncols].flags = flags;
	pr->ncols++;
}

/* Expand field f into its columns for the output format. */
static void
add_field(struct printer *pr, enum fld f)
{
	size_t i;

	switch (f) {
	case F_STOCK:
		if (pr->o->fmt == CLI_JSON)
			break;
		for (i = 0; i < pr->wh.n; i++)
			add_col(pr, F_STOCK, i, pr->wh.name[i], CLI_RIGHT);
		return;
	case F_ASOF:
		if (pr->o->fmt == CLI_JSON)
			break;
		for (i = 0; i < 4; i++)
			add_col(pr, F_ASOF, i, asof_names[i], 0);
		return;
	default:
		break;
	}
	add_col(pr, f, 0, fields[f].name, fields[f].flags);
}

static void
choose_columns(struct printer *pr, struct fx_items *res, size_t nres)
{
	static const enum fld machine[] = {
		F_ARTICLE, F_NAME, F_UNIT, F_GROUP, F_RETAIL, F_BASE, F_NET,
		F_DISCOUNT, F_OWN, F_STOCK, F_TOTAL, F_ARRIVALS, F_ID,
		F_DELETED, F_ASOF
	};
	int sel[64];
	size_t i, j, n;
	int any_arr = 0, any_del = 0;

	for (i = 0; i < nres; i++) {
		whs_add(&pr->wh, &res[i]);
		for (j = 0; j < res[i].n; j++) {
			any_arr |= res[i].v[j].narrivals > 0;
			any_del |= res[i].v[j].p.deleted;
		}
	}
	if (pr->o->output != NULL) {
		n = parse_fields(pr->o->output, fields, F_NFIELDS, sel,
		    sizeof(sel) / sizeof(sel[0]));
		for (i = 0; i < n; i++)
			add_field(pr, (enum fld)sel[i]);
		return;
	}
	if (pr->o->fmt != CLI_TABLE) {
		for (i = 0; i < sizeof(machine) / sizeof(machine[0]); i++)
			add_field(pr, machine[i]);
		return;
	}
	/* A table shows what a person needs and fits a terminal. */
	add_field(pr, F_ARTICLE);
	add_field(pr, F_NAME);
	add_field(pr, F_UNIT);
	add_field(pr, F_RETAIL);
	if (pr->entity) {
		add_field(pr, F_NET);
		add_field(pr, F_DISCOUNT);
	} else
		add_field(pr, F_BASE);
	add_field(pr, F_STOCK);
	add_field(pr, F_TOTAL);
	if (any_arr)
		add_field(pr, F_ARRIVALS);
	if (any_del)
		add_field(pr, F_DELETED);
}

static void
json_asof(struct cli_str *s, const struct fx_items *it)
{
	const char *v[4][2] = {
		{ "{\"catalog\":", it->catalog_asof },
		{ ",\"offers\":", it->offers_asof },
		{ ",\"conditions\":", it->conditions_asof },
		{ ",\"deliveries\":", it->deliveries_asof },
	};
	size_t i;

	cli_str_reset(s);
	for (i = 0; i < 4; i++) {
		cli_str_adds(s, v[i][0]);
		cli_str_json(s, v[i][1][0] != '\0' ? v[i][1] : NULL);
	}
	cli_str_adds(s, "}");
}

static void
print_item(struct printer *pr, const struct fx_items *res,
    const struct fx_item *it)
{
	enum cli_fmt fmt = pr->o->fmt;
	const char **v;
	char buf[64];
	size_t i, j;
	int sep = fmt == CLI_TABLE ? ' ' : 0;

	v = cli_xmalloc(pr->ncols * sizeof(*v));
	for (i = 0; i < pr->ncols; i++) {
		char *cell = pr->cell[i];

		v[i] = NULL;
		switch (pr->oc[i].f) {
		case F_ARTICLE:
			v[i] = it->p.article;
			break;
		case F_NAME:
			v[i] = it->p.name;
			break;
		case F_UNIT:
			v[i] = it->p.unit;
			break;
		case F_GROUP:
			v[i] = it->group_name;
			break;
		case F_RETAIL:
			v[i] = money(cell, 64, it->retail, sep);
			break;
		case F_BASE:
			v[i] = money(cell, 64, it->base, sep);
			break;
		case F_NET:
			v[i] = money(cell, 64, it->net, sep);
			break;
		case F_DISCOUNT:
			if (!pr->entity)
				break;
			if (it->own_price && fmt == CLI_TABLE)
				v[i] = "own";
			else
				v[i] = fx_pct_fmt(cell, 64, it->discount);
			break;
		case F_OWN:
			v[i] = fmt == CLI_JSON ? (it->own_price ? "true" :
			    "false") : (it->own_price ? "1" : "0");
			break;
		case F_STOCK:
			if (fmt != CLI_JSON) {
				const char *id = pr->wh.id[pr->oc[i].sub];

				for (j = 0; j < it->nstock; j++)
					if (strcmp(it->stock[j].warehouse,
					    id) == 0)
						v[i] = fx_qty_fmt(cell, 64,
						    it->stock[j].qty);
				break;
			}
			cli_str_reset(&pr->stock);
			cli_str_adds(&pr->stock, "{");
			for (j = 0; j < it->nstock; j++) {
				if (j > 0)
					cli_str_adds(&pr->stock, ",");
				cli_str_json(&pr->stock,
				    it->stock[j].warehouse_name);
				cli_str_adds(&pr->stock, ":");
				cli_str_adds(&pr->stock, fx_qty_fmt(buf,
				    sizeof(buf), it->stock[j].qty));
			}
			cli_str_adds(&pr->stock, "}");
			v[i] = cli_str_get(&pr->stock);
			break;
		case F_TOTAL:
			v[i] = fx_qty_fmt(cell, 64, it->total);
			break;
		case F_ARRIVALS:
			cli_str_reset(&pr->arr);
			if (fmt == CLI_JSON)
				cli_str_adds(&pr->arr, "[");
			for (j = 0; j < it->narrivals; j++) {
				const struct fx_arrival *a = &it->arrivals[j];

				if (j > 0)
					cli_str_adds(&pr->arr, fmt == CLI_JSON ?
					    "," : ", ");
				if (fmt == CLI_JSON) {
					cli_str_adds(&pr->arr, "{\"date\":");
					cli_str_json(&pr->arr, a->date);
					cli_str_adds(&pr->arr, ",\"qty\":");
					cli_str_adds(&pr->arr, fx_qty_fmt(buf,
					    sizeof(buf), a->qty));
					cli_str_adds(&pr->arr,
					    ",\"warehouse\":");
					cli_str_json(&pr->arr,
					    a->warehouse_name[0] != '\0' ?
					    a->warehouse_name : NULL);
					cli_str_adds(&pr->arr, "}");
				} else {
					cli_str_adds(&pr->arr, a->date);
					cli_str_adds(&pr->arr, ":");
					cli_str_adds(&pr->arr, fx_qty_fmt(buf,
					    sizeof(buf), a->qty));
				}
			}
			if (fmt == CLI_JSON)
				cli_str_adds(&pr->arr, "]");
			v[i] = cli_str_get(&pr->arr);
			break;
		case F_ID:
			v[i] = it->p.id;
			break;
		case F_DELETED:
			if (fmt == CLI_JSON)
				v[i] = it->p.deleted ? "true" : "false";
			else if (fmt == CLI_TSV)
				v[i] = it->p.deleted ? "1" : "0";
			else
				v[i] = it->p.deleted ? "yes" : "";
			break;
		case F_ASOF:
			if (fmt == CLI_JSON) {
				json_asof(&pr->asofs, res);
				v[i] = cli_str_get(&pr->asofs);
				break;
			}
			switch (pr->oc[i].sub) {
			case 0:
				v[i] = res->catalog_asof;
				break;
			case 1:
				v[i] = res->offers_asof;
				break;
			case 2:
				v[i] = res->conditions_asof;
				break;
			default:
				v[i] = res->deliveries_asof;
			}
			break;
		case F_NFIELDS:
			break;
		}
	}
	cli_out_row(pr->out, v);
	free(v);
}

static void
footer(const struct fx_items *r)
{
	const char *part[4][2] = {
		{ "catalog", r->catalog_asof },
		{ "prices and stock", r->offers_asof },
		{ "conditions", r->conditions_asof },
		{ "deliveries", r->deliveries_asof },
	};
	size_t i;

	for (i = 0; i < 4; i++)
		printf("%s%s %s%s", i > 0 ? ", " : "", part[i][0],
		    part[i][1][0] != '\0' ? "as of " : "not imported",
		    part[i][1]);
	putchar('\n');
}

static int
print_results(struct opts *o, struct fx_items *res, size_t nres)
{
	struct printer pr;
	size_t i, j, printed = 0;
	int rc;

	memset(&pr, 0, sizeof(pr));
	pr.o = o;
	pr.entity = o->entity != NULL;
	choose_columns(&pr, res, nres);
	pr.cell = cli_xmalloc((pr.ncols + 1) * sizeof(*pr.cell));
	for (i = 0; i < pr.ncols; i++)
		pr.cell[i] = cli_xmalloc(64);
	pr.out = cli_out_new(stdout, o->fmt, o->header, pr.cols, pr.ncols);
	for (i = 0; i < nres; i++)
		for (j = 0; j < res[i].n; j++) {
			if (o->limit > 0 && printed == o->limit)
				break;
			print_item(&pr, &res[i], &res[i].v[j]);
			printed++;
		}
	rc = cli_out_end(pr.out);
	if (o->fmt == CLI_TABLE && o->header && printed > 0 && nres > 0)
		footer(&res[0]);
	for (i = 0; i < pr.ncols; i++)
		free(pr.cell[i]);
	free(pr.cell);
	free(pr.oc);
	free(pr.cols);
	free(pr.wh.id);
	free(pr.wh.name);
	cli_str_release(&pr.stock);
	cli_str_release(&pr.arr);
	cli_str_release(&pr.asofs);
	return rc;
}

/* The lookups and listing. */
static int
cmd_query(struct opts *o)
{
	struct fx_ctx *ctx;
	struct fx_items *res, probe;
	struct fx_catalog *cat = NULL;
	struct fx_query q, bare;
	struct fx_err err;
	char quoted[256];
	size_t i, nres;
	int rc = 0, filtered;

	check_opts(o, ~(unsigned)(O_FROM | O_TO), "a lookup");
	/* Catch a bad --output before touching the store. */
	if (o->output != NULL) {
		int sel[64];

		parse_fields(o->output, fields, F_NFIELDS, sel, 64);
	}
	if ((rc = cli_open_as(&ctx, o->root, o->conf, FX_OPEN_RDONLY, o->as)) != 0)
		return rc;
	memset(&q, 0, sizeof(q));
	q.entity = o->entity;
	q.group = o->group;
	q.warehouse = o->warehouse;
	q.flags = o->flags;
	filtered = o->group != NULL || (o->flags & (FX_Q_INSTOCK |
	    FX_Q_INCOMING));
	nres = o->nlk > 0 ? o->nlk : 1;
	res = cli_xmalloc(nres * sizeof(*res));
	memset(res, 0, nres * sizeof(*res));
	fx_err_clear(&err);
	/* One open query for all the lookups: the filters resolved once. */
	if (fx_catalog_open(ctx, &q, &cat, &err) == -1) {
		rc = cli_fail(&err);
		nres = 0;
		goto out;
	}
	for (i = 0; i < nres; i++) {
		q.article = q.id = q.text = NULL;
		q.limit = o->limit;
		if (o->nlk > 0) {
			switch (o->lk[i].kind) {
			case L_ARTICLE:
				q.article = o->lk[i].v;
				q.limit = 0;	/* ambiguity must show */
				break;
			case L_ID:
				q.id = o->lk[i].v;
				break;
			case L_SEARCH:
				q.text = o->lk[i].v;
				break;
			}
		}
		if (fx_catalog_find(cat, &q, &res[i], &err) == -1) {
			rc = cli_fail(&err);
			nres = i;
			goto out;
		}
		if (o->nlk == 0)
			continue;
		fx_quote(quoted, sizeof(quoted), o->lk[i].v);
		if (res[i].n > 1 && o->lk[i].kind == L_ARTICLE) {
			cli_errx("article \"%s\" is ambiguous: %zu products",
			    quoted, res[i].n);
			rc = EX_NEGATIVE;
		}
		if (res[i].n > 0)
			continue;
		rc = EX_NEGATIVE;
		if (o->lk[i].kind == L_SEARCH)
			continue;	/* like grep: no match is status 1 */
		/* Say whether it exists at all or the filters hid it. */
		if (filtered) {
			bare = q;
			bare.group = NULL;
			bare.flags = 0;
			bare.warehouse = NULL;
			bare.entity = NULL;
			if (fx_catalog_query(ctx, &bare, &probe, &err) == -1) {
				rc = cli_fail(&err);
				nres = i + 1;
				goto out;
			}
			if (probe.n > 0) {
				cli_errx("%s \"%s\" does not pass the filters",
				    o->lk[i].kind == L_ID ? "product" :
				    "article", quoted);
				fx_items_release(&probe);
				continue;
			}
			fx_items_release(&probe);
		}
		cli_errx("unknown %s \"%s\"", o->lk[i].kind == L_ID ?
		    "product" : "article", quoted);
	}
	/* The read transaction ends before the (maybe slow) output. */
	fx_catalog_close(cat);
	cat = NULL;
	if (print_results(o, res, nres) == -1 && rc == 0)
		rc = EX_IOERR_;
out:
	fx_catalog_close(cat);
	for (i = 0; i < nres; i++)
		fx_items_release(&res[i]);
	free(res);
	fx_ctx_free(ctx);
	return rc;
}

static int
cmd_arrivals(struct opts *o)
{
	static const struct cli_col acols[] = {
		{ "date", 0 }, { "article", 0 }, { "name", 0 },
		{ "qty", CLI_RIGHT | CLI_NUM }, { "warehouse", 0 },
		{ "delivery", 0 }, { "id", 0 },
	};
	struct cli_col cols[sizeof(acols) / sizeof(acols[0])];
	int sel[sizeof(acols) / sizeof(acols[0])];
	struct fx_arrivals a;
	struct fx_ctx *ctx;
	struct fx_err err;
	struct cli_out *out;
	const char *v[sizeof(acols) / sizeof(acols[0])];
	char qty[64];
	size_t i, j, n, ncols;
	int rc;

	check_opts(o, O_FROM | O_TO | O_FORMAT | O_HEADER | O_OUTPUT | O_LIMIT,
	    "arrivals");
	ncols = sizeof(acols) / sizeof(acols[0]);
	if (o->output != NULL)
		ncols = parse_fields(o->output, acols, ncols, sel, ncols);
	else
		for (i = 0; i < ncols; i++)
			sel[i] = (int)i;
	for (i = 0; i < ncols; i++)
		cols[i] = acols[sel[i]];
	if ((rc = cli_open_as(&ctx, o->root, o->conf, FX_OPEN_RDONLY, o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_catalog_arrivals(ctx, o->from, o->to, &a, &err) == -1) {
		rc = cli_fail(&err);
		fx_ctx_free(ctx);
		return rc;
	}
	n = a.n;
	if (o->limit > 0 && n > o->limit)
		n = o->limit;
	out = cli_out_new(stdout, o->fmt, o->header, cols, ncols);
	for (i = 0; i < n; i++) {
		const struct fx_arrival_row *r = &a.v[i];

		for (j = 0; j < ncols; j++) {
			switch (sel[j]) {
			case 0:
				v[j] = r->a.date;
				break;
			case 1:
				v[j] = r->article;
				break;
			case 2:
				v[j] = r->name;
				break;
			case 3:
				v[j] = fx_qty_fmt(qty, sizeof(qty), r->a.qty);
				break;
			case 4:
				v[j] = r->a.warehouse_name;
				break;
			case 5:
				v[j] = r->a.delivery;
				break;
			default:
				v[j] = r->product;
			}
		}
		cli_out_row(out, v);
	}
	if (cli_out_end(out) == -1)
		rc = EX_IOERR_;
	if (o->fmt == CLI_TABLE && o->header && n > 0)
		printf("deliveries %s%s\n", a.deliveries_asof[0] != '\0' ?
		    "as of " : "not imported", a.deliveries_asof);
	fx_arrivals_release(&a);
	fx_ctx_free(ctx);
	return rc;
}

static int
cmd_pricelist(struct opts *o)
{
	struct fx_ctx *ctx;
	struct fx_err err;
	size_t rows = 0;
	int rc;

	check_opts(o, O_ENTITY | O_OUTPUT, "pricelist");
	if (o->entity == NULL)
		cli_usage("pricelist needs --entity INN[/KPP]");
	if (o->output == NULL)
		cli_usage("pricelist needs -o FILE.xlsx");
	if ((rc = cli_open_as(&ctx, o->root, o->conf, FX_OPEN_RDONLY, o->as)) != 0)
		return rc;
	fx_err_clear(&err);
	if (fx_pricelist_xlsx(ctx, o->entity, o->output, &rows, &err) == -1)
		rc = cli_fail(&err);
	fx_ctx_free(ctx);
	return rc;
}

static const struct {
	const char	*name;
	int		(*fn)(struct opts *);
} commands[] = {
	{ "arrivals", cmd_arrivals },
	{ "pricelist", cmd_pricelist },
};

static void
add_lookup(struct opts *o, enum lkind kind, const char *v)
{
	o->lk = cli_xrealloc(o->lk, (o->nlk + 1) * sizeof(*o->lk));
	o->lk[o->nlk].kind = kind;
	o->lk[o->nlk].v = v;
	o->nlk++;
	o->seen |= O_LOOKUP;
}

enum {
	OPT_INSTOCK = 256, OPT_INCOMING, OPT_DELETED, OPT_TSV, OPT_JSON,
	OPT_FROM, OPT_TO, OPT_AS
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'D' },
		{ "config", required_argument, NULL, 'c' },
		{ "as", required_argument, NULL, OPT_AS },
		{ "entity", required_argument, NULL, 'e' },
		{ "group", required_argument, NULL, 'g' },
		{ "warehouse", required_argument, NULL, 'w' },
		{ "in-stock", no_argument, NULL, OPT_INSTOCK },
		{ "incoming", no_argument, NULL, OPT_INCOMING },
		{ "deleted", no_argument, NULL, OPT_DELETED },
		{ "id", required_argument, NULL, 'i' },
		{ "search", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'n' },
		{ "tsv", no_argument, NULL, OPT_TSV },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "no-header", no_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	size_t i;
	int c, fmts = 0;

	cli_init("formix-stock");
	memset(&o, 0, sizeof(o));
	o.header = 1;
	o.fmt = CLI_TABLE;
	opterr = 0;
	/* "-": words come back in order, between the options (code 1). */
	while ((c = getopt_long(argc, argv, "-:D:c:e:g:w:i:s:n:Ho:hV",
	    longopts, NULL)) != -1) {
		switch (c) {
		case 1:
			add_lookup(&o, L_ARTICLE, optarg);
			break;
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
		case 'g':
			o.group = optarg;
			o.seen |= O_GROUP;
			break;
		case 'w':
			o.warehouse = optarg;
			o.seen |= O_WAREHOUSE;
			break;
		case OPT_INSTOCK:
			o.flags |= FX_Q_INSTOCK;
			o.seen |= O_INSTOCK;
			break;
		case OPT_INCOMING:
			o.flags |= FX_Q_INCOMING;
			o.seen |= O_INCOMING;
			break;
		case OPT_DELETED:
			o.flags |= FX_Q_DELETED;
			o.seen |= O_DELETED;
			break;
		case 'i':
			add_lookup(&o, L_ID, optarg);
			break;
		case 's':
			add_lookup(&o, L_SEARCH, optarg);
			break;
		case 'n':
			if (cli_parse_count(optarg, &o.limit) == -1)
				cli_usage("--limit wants a count, not \"%s\"",
				    optarg);
			o.seen |= O_LIMIT;
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
		case 'o':
			o.output = optarg;
			o.seen |= O_OUTPUT;
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
	/* After "--": articles that start with a dash. */
	for (; optind < argc; optind++)
		add_lookup(&o, L_ARTICLE, argv[optind]);
	if (fmts == 3)
		cli_usage("--tsv and --json exclude each other");
	/* Options may follow a command word: "arrivals --from D". */
	if (o.nlk > 0 && o.lk[0].kind == L_ARTICLE)
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(o.lk[0].v, commands[i].name) == 0) {
				o.nlk--;
				memmove(o.lk, o.lk + 1, o.nlk * sizeof(*o.lk));
				if (o.nlk == 0)
					o.seen &= ~(unsigned)O_LOOKUP;
				c = commands[i].fn(&o);
				free(o.lk);
				return c;
			}
	c = cmd_query(&o);
	free(o.lk);
	return c;
}
