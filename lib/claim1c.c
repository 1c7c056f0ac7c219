/*
 * claim1c.c -- claim line statuses 1C sends back (formix-xml(5)):
 *
 *	<formix-claim-statuses version="1" generated="...">
 *	  <line claim="C000001" line="1" status="accepted"
 *	      resolution="refund" comment="..."/>
 *	</formix-claim-statuses>
 *
 * The file is read whole (it is small: a day's decisions), every <line>
 * checked for form first, then applied in the import transaction, one
 * by one and in the file's order, through the same move staff make
 * (fx_claim_set_txn): the same rules, the same event, audit entry and
 * notice.  A line already in the status 1C names is left alone, so the
 * same file sent twice records nothing and tells nobody twice.  The
 * claim's file for 1C is not written back: 1C knows what it decided.
 * Any refusal -- an unknown claim or line, a draft, a move the rules do
 * not allow -- refuses the whole package with the element's line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

#define QSZ		96
#define MAXLINES	100000
#define TEXT_MAX	1000

enum { T_ROOT, T_LINE };
static const char *const names[] = {
	[T_ROOT] = "formix-claim-statuses", [T_LINE] = "line",
};

enum { A_CLAIM, A_LINE, A_STATUS, A_RESOLUTION, A_COMMENT, A_N };
static const char *const attrs[] = {
	"claim", "line", "status", "resolution", "comment",
};

struct cl {
	long		 lineno;
	char		*a[A_N];
};

struct rd {
	struct cl	*v;
	size_t		 n, cap;
	int		 seen_root;
};

static void
rd_release(struct rd *r)
{
	size_t i, j;

	for (i = 0; i < r->n; i++)
		for (j = 0; j < A_N; j++)
			free(r->v[i].a[j]);
	free(r->v);
}

/* The attribute's value, new, or NULL. */
static char *
attr(const struct fx_xml_attr *a, size_t na, const char *name)
{
	size_t i;

	for (i = 0; i < na; i++)
		if (strcmp(a[i].name, name) == 0)
			return fx_strndup(a[i].value, a[i].len);
	return NULL;
}

static int
on_start(struct fx_xml *x, void *arg, int tok, const struct fx_xml_attr *a,
    size_t na)
{
	struct rd *r = arg;
	struct cl *c;
	char *ver, q[QSZ];
	size_t i;

	if (fx_xml_depth(x) == 1) {
		if (tok != T_ROOT)
			return fx_xml_err(x, FX_EDATA, "root element is not "
			    "<formix-claim-statuses>");
		ver = attr(a, na, "version");
		if (ver == NULL || strcmp(ver, "1") != 0) {
			fx_xml_err(x, FX_EDATA, "version \"%s\" is not 1",
			    fx_quote(q, sizeof(q), ver != NULL ? ver : ""));
			free(ver);
			return -1;
		}
		free(ver);
		r->seen_root = 1;
		return 0;
	}
	if (tok != T_LINE || fx_xml_depth(x) != 2)
		return 0;	/* other elements: for later versions */
	if (r->n >= MAXLINES)
		return fx_xml_err(x, FX_EDATA, "more than %d lines", MAXLINES);
	r->v = fx_grow(r->v, &r->cap, r->n + 1, sizeof(*r->v));
	c = &r->v[r->n++];
	memset(c, 0, sizeof(*c));
	c->lineno = fx_xml_line(x);
	for (i = 0; i < A_N; i++)
		c->a[i] = attr(a, na, attrs[i]);
	return 0;
}

/* A line's form: claim, line number, status and what it needs. */
static int
check(const char *path, const struct cl *c, int *line, struct fx_err *err)
{
	const char *s;
	char *end, q[QSZ], m[sizeof(err->msg)];
	long n;

	if (c->a[A_CLAIM] == NULL || c->a[A_CLAIM][0] == '\0')
		return fx_err_setloc(err, FX_EDATA, path, c->lineno, 0,
		    "<line> without claim=");
	s = c->a[A_LINE];
	if (s == NULL || s[0] == '\0')
		return fx_err_setloc(err, FX_EDATA, path, c->lineno, 0,
		    "claim %s: <line> without line=",
		    fx_quote(q, sizeof(q), c->a[A_CLAIM]));
	n = strtol(s, &end, 10);
	if (*end != '\0' || n < 1 || n > 999999 || s[0] < '0' || s[0] > '9')
		return fx_err_setloc(err, FX_EDATA, path, c->lineno, 0,
		    "claim %s: line \"%s\" is not a line number",
		    c->a[A_CLAIM], fx_quote(q, sizeof(q), s));
	*line = (int)n;
	if (c->a[A_COMMENT] != NULL && strlen(c->a[A_COMMENT]) > TEXT_MAX)
		return fx_err_setloc(err, FX_EDATA, path, c->lineno, 0,
		    "claim %s line %d: comment is longer than %d bytes",
		    c->a[A_CLAIM], *line, TEXT_MAX);
	if (fx_claim_status_check(c->a[A_STATUS], c->a[A_RESOLUTION],
	    c->a[A_COMMENT], err) == -1) {
		(void)fx_strlcpy(m, err->msg, sizeof(m));
		return fx_err_setloc(err, FX_EDATA, path, c->lineno, 0,
		    "claim %s line %d: %s", c->a[A_CLAIM], *line, m);
	}
	return 0;
}

int
fx_claim1c_import(struct fx_ctx *ctx, struct fx_txn *txn, const char *path,
    struct fx_import_stats *st, struct fx_err *err)
{
	static const struct fx_xml_ops ops = {
		.names = names, .nnames = nitems(names),
		.start = on_start, .skip_unknown = 1,
	};
	struct rd r;
	char msg[sizeof(err->msg)];
	size_t i;
	int line, rc = -1, m;

	memset(&r, 0, sizeof(r));
	if (fx_xml_parse(path, &ops, &r, err) == -1)
		goto out;
	for (i = 0; i < r.n; i++)
		if (check(path, &r.v[i], &line, err) == -1)
			goto out;
	for (i = 0; i < r.n; i++) {
		const struct cl *c = &r.v[i];

		(void)check(path, c, &line, err);
		m = fx_claim_set_txn(ctx, txn, c->a[A_CLAIM], line,
		    c->a[A_STATUS], c->a[A_RESOLUTION], c->a[A_COMMENT], "1c",
		    0, NULL, err);
		if (m == -1) {
			(void)fx_strlcpy(msg, err->msg, sizeof(msg));
			fx_err_setloc(err, err->code == FX_ENOTFOUND ||
			    err->code == FX_ENEGATIVE ? FX_EDATA : err->code,
			    path, c->lineno, 0, "%s", msg);
			goto out;
		}
		if (st != NULL) {
			st->claim_lines++;
			if (m == 0)
				st->claim_changes++;
		}
	}
	rc = 0;
out:
	rd_release(&r);
	return rc;
}
