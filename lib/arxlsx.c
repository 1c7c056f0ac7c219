/*
 * arxlsx.c -- receivables as XLSX: the report with an aging chart, and
 * the reconciliation statement (акт сверки).  The figures come computed
 * (fx_ar_report, fx_ar_statement); this module only lays them out, in
 * Russian, for the dealer's accountant.
 *
 * As pricelist.c: values are written as strings and numbers only, never
 * formulas; money as numbers in roubles with a "# ##0.00" format, dates
 * as dates.  The workbook is written to a temporary name, read back with
 * every row of every sheet counted, and renamed into place (fx-xlsx.h).
 * A row is counted when a cell is written in it, and rows are written
 * nowhere else, so the count the check expects is exact.
 *
 * The chart is a column chart of the debt by age -- not yet due, then
 * each overdue bucket -- of the report's one subject: the entity, the
 * head company's total, or, when there are several, a "Всего" row the
 * sheet adds.  Figures from the conditions file have no documents and so
 * no ages: that sheet has no chart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx-xlsx.h"

struct book {
	struct fx_xlsx	 x;
	lxw_worksheet	*ws;
	lxw_format	*title, *head, *bold, *money, *moneyb, *date, *num;
	lxw_row_t	 row;		/* next row of ws */
	uint64_t	 rows[2];	/* rows written, per sheet */
	int		 sheet;		/* index into rows */
};

static void
fmt_init(struct book *b)
{
	lxw_workbook *wb = b->x.wb;

	b->title = workbook_add_format(wb);
	format_set_bold(b->title);
	format_set_font_size(b->title, 14);
	b->head = workbook_add_format(wb);
	format_set_bold(b->head);
	format_set_text_wrap(b->head);
	format_set_align(b->head, LXW_ALIGN_VERTICAL_CENTER);
	format_set_bottom(b->head, LXW_BORDER_THIN);
	format_set_bg_color(b->head, 0xDDEBF7);
	b->bold = workbook_add_format(wb);
	format_set_bold(b->bold);
	b->money = workbook_add_format(wb);
	format_set_num_format(b->money, "# ##0.00");
	b->moneyb = workbook_add_format(wb);
	format_set_num_format(b->moneyb, "# ##0.00");
	format_set_bold(b->moneyb);
	b->date = workbook_add_format(wb);
	format_set_num_format(b->date, "dd.mm.yyyy");
	b->num = workbook_add_format(wb);
	format_set_num_format(b->num, "0");
}

static void
sheet(struct book *b, const char *name, int i)
{
	b->ws = workbook_add_worksheet(b->x.wb, name);
	if (b->ws == NULL && b->x.e == LXW_NO_ERROR)
		b->x.e = LXW_ERROR_MEMORY_MALLOC_FAILED;
	b->row = 0;
	b->sheet = i;
}

static void
str(struct book *b, lxw_col_t c, const char *s, lxw_format *f)
{
	if (b->ws != NULL && s != NULL && *s != '\0')
		FX_XW(&b->x, worksheet_write_string(b->ws, b->row, c, s, f));
}

static void
money(struct book *b, lxw_col_t c, int64_t v, lxw_format *f)
{
	if (b->ws != NULL)
		FX_XW(&b->x, worksheet_write_number(b->ws, b->row, c,
		    (double)v / 100.0, f != NULL ? f : b->money));
}

static void
num(struct book *b, lxw_col_t c, double v)
{
	if (b->ws != NULL)
		FX_XW(&b->x, worksheet_write_number(b->ws, b->row, c, v,
		    b->num));
}

static void
date(struct book *b, lxw_col_t c, const char *d)
{
	lxw_datetime dt;

	if (b->ws == NULL || fx_date_check(d) == -1)
		return;
	memset(&dt, 0, sizeof(dt));
	dt.year = (d[0] - '0') * 1000 + (d[1] - '0') * 100 +
	    (d[2] - '0') * 10 + (d[3] - '0');
	dt.month = (d[5] - '0') * 10 + (d[6] - '0');
	dt.day = (d[8] - '0') * 10 + (d[9] - '0');
	FX_XW(&b->x, worksheet_write_datetime(b->ws, b->row, c, &dt, b->date));
}

static void
endrow(struct book *b)
{
	b->row++;
	b->rows[b->sheet]++;
}

static void
width(struct book *b, lxw_col_t first, lxw_col_t last, double w)
{
	if (b->ws != NULL)
		FX_XW(&b->x, worksheet_set_column(b->ws, first, last, w, NULL));
}

/* "2026-03-03T06:00:00" as "03.03.2026 06:00". */
static const char *
ru_time(char *buf, size_t sz, const char *iso)
{
	if (strlen(iso) >= 16 && iso[10] == 'T')
		snprintf(buf, sz, "%.2s.%.2s.%.4s %.5s", iso + 8, iso + 5, iso,
		    iso + 11);
	else if (strlen(iso) >= 10)
		snprintf(buf, sz, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
	else
		snprintf(buf, sz, "—");
	return buf;
}

static const char *
ru_money(char *buf, size_t sz, int64_t v)
{
	char n[32];

	fx_money_fmt(n, sizeof(n), v, ' ');
	snprintf(buf, sz, "%s ₽", n);
	return buf;
}

/* "1–7", "8–30", "31–60", "> 60" for the buckets of b. */
static void
bucket_label(char *buf, size_t sz, const struct fx_days *b, int i)
{
	int from = i == 0 ? 1 : b->v[i - 1] + 1;

	if (i == b->n)
		snprintf(buf, sz, "> %d дн.", b->n > 0 ? b->v[b->n - 1] : 0);
	else if (from == b->v[i])
		snprintf(buf, sz, "%d дн.", from);
	else
		snprintf(buf, sz, "%d–%d дн.", from, (int)b->v[i]);
}

static const char *
alloc_text(int a)
{
	switch (a) {
	case FX_AR_BY_FIFO:
		return "по FIFO";
	case FX_AR_BY_1C:
		return "указано в 1С";
	case FX_AR_BY_FIFO | FX_AR_BY_1C:
		return "1С, остаток по FIFO";
	default:
		return "";
	}
}

/* Is the row summed into a total row of its head company? */
static int
in_total(const struct fx_ar_report *r, const struct fx_ar_row *row)
{
	const char *g = row->head[0] != '\0' ? row->head : row->entity;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->v[i].total && strcmp(r->v[i].entity, g) == 0 &&
		    strcmp(r->v[i].dealer, row->dealer) == 0)
			return 1;
	return 0;
}

/* Report columns: fixed ones, then the buckets, then the rest. */
enum { C_NAME, C_INN, C_KPP, C_BALANCE, C_NOTDUE, C_AGING };

static void
report_row(struct book *b, const struct fx_ar_report *r,
    const struct fx_ar_row *row, const char *label, int bold)
{
	lxw_col_t c, nb = (lxw_col_t)(r->buckets.n + 1);
	lxw_format *m = bold ? b->moneyb : b->money;
	char buf[64];
	int i;

	str(b, C_NAME, label, bold ? b->bold : NULL);
	if (!bold) {
		str(b, C_INN, row->inn, NULL);
		str(b, C_KPP, row->kpp, NULL);
	}
	money(b, C_BALANCE, row->balance, m);
	money(b, C_NOTDUE, row->not_due, m);
	if (row->aging_known)
		for (i = 0; i < (int)nb; i++)
			money(b, (lxw_col_t)(C_AGING + i), row->aging[i], m);
	c = (lxw_col_t)(C_AGING + nb);
	money(b, c++, row->overdue, m);
	money(b, c++, row->advance, m);
	if (!bold) {	/* limits are an entity's: totals have none */
		money(b, c, row->credit_limit, NULL);
		money(b, c + 1, row->credit_limit - (row->balance > 0 ?
		    row->balance : 0), NULL);
		money(b, c + 2, row->overdue_limit, NULL);
		money(b, c + 3, row->overdue_limit - row->overdue, NULL);
		if (row->lifted) {
			snprintf(buf, sizeof(buf), "разблокированы до "
			    "%.2s.%.2s.%.4s", row->override_until + 8,
			    row->override_until + 5, row->override_until);
			str(b, c + 4, buf, NULL);
		} else
			str(b, c + 4, row->blocked ? "заблокированы" :
			    "разрешены", NULL);
	}
	endrow(b);
}

static void
report_sheet(struct book *b, const struct fx_ar_report *r, size_t *chart_row,
    int *chart)
{
	static const char *const after[] = {
		"Просрочено", "Аванс", "Кредитный лимит", "Доступно",
		"Лимит просрочки", "До блокировки", "Заказы",
	};
	struct fx_ar_row all;
	lxw_col_t c, nb = (lxw_col_t)(r->buckets.n + 1);
	char buf[512], t1[32], t2[32];
	size_t i, ntop = 0, top = 0;
	int j;

	width(b, C_NAME, C_NAME, 40);
	width(b, C_INN, C_KPP, 13);
	width(b, C_BALANCE, (lxw_col_t)(C_AGING + nb + nitems(after) - 2),
	    14);
	width(b, (lxw_col_t)(C_AGING + nb + nitems(after) - 1),
	    (lxw_col_t)(C_AGING + nb + nitems(after) - 1), 24);

	for (i = 0; i < r->n; i++)
		if (r->v[i].total || !in_total(r, &r->v[i])) {
			ntop++;
			top = i;
		}
	if (ntop == 1 && r->n >= 1)
		snprintf(buf, sizeof(buf), "Дебиторская задолженность: %s",
		    r->v[top].name);
	else
		snprintf(buf, sizeof(buf), "Дебиторская задолженность");
	str(b, 0, buf, b->title);
	endrow(b);
	ru_time(t1, sizeof(t1), r->asof);
	ru_time(t2, sizeof(t2), r->date);
	if (r->source == FX_AR_LEDGER)
		snprintf(buf, sizeof(buf), "Данные 1С на %s; расчёт на %s; "
		    "оплаты зачтены по FIFO, если 1С не указала документ", t1,
		    t2);
	else
		snprintf(buf, sizeof(buf), "Долг и просрочка из условий 1С на "
		    "%s, без документов", t1);
	str(b, 0, buf, NULL);
	endrow(b);
	b->row++;		/* a blank row, not written */

	str(b, C_NAME, "Организация", b->head);
	str(b, C_INN, "ИНН", b->head);
	str(b, C_KPP, "КПП", b->head);
	str(b, C_BALANCE, "Сальдо", b->head);
	str(b, C_NOTDUE, "Не наступил срок", b->head);
	for (j = 0; j < (int)nb; j++) {
		bucket_label(buf, sizeof(buf), &r->buckets, j);
		str(b, (lxw_col_t)(C_AGING + j), buf, b->head);
	}
	for (c = 0; c < nitems(after); c++)
		str(b, (lxw_col_t)(C_AGING + nb + c), after[c], b->head);
	if (b->ws != NULL) {
		FX_XW(&b->x, worksheet_set_row(b->ws, b->row, 30, NULL));
		worksheet_freeze_panes(b->ws, b->row + 1, 1);
	}
	endrow(b);

	*chart_row = b->row;
	for (i = 0; i < r->n; i++) {
		const struct fx_ar_row *row = &r->v[i];

		if (row->total) {
			snprintf(buf, sizeof(buf), "Итого: %s", row->name);
			report_row(b, r, row, buf, 1);
		} else {
			if (in_total(r, row) && row->head[0] != '\0')
				snprintf(buf, sizeof(buf), "  %s", row->name);
			else
				snprintf(buf, sizeof(buf), "%s", row->name);
			report_row(b, r, row, buf, 0);
		}
		if (i == top)
			*chart_row = b->row - 1;
	}
	if (ntop > 1) {
		memset(&all, 0, sizeof(all));
		all.aging_known = r->v[0].aging_known;
		for (i = 0; i < r->n; i++)
			if (r->v[i].total || !in_total(r, &r->v[i])) {
				const struct fx_ar_row *x = &r->v[i];

				all.balance += x->balance;
				all.not_due += x->not_due;
				all.overdue += x->overdue;
				all.advance += x->advance;
				for (j = 0; j < FX_AR_NBUCKETS; j++)
					all.aging[j] += x->aging[j];
			}
		report_row(b, r, &all, "Всего", 1);
		*chart_row = b->row - 1;
	}
	*chart = r->n > 0 && r->source == FX_AR_LEDGER;
}

static void
report_chart(struct book *b, const struct fx_ar_report *r, size_t row,
    const char *sheetname)
{
	lxw_chart *ch;
	lxw_chart_series *s;
	lxw_col_t nb = (lxw_col_t)(r->buckets.n + 1);

	if (b->ws == NULL)
		return;
	if ((ch = workbook_add_chart(b->x.wb, LXW_CHART_COLUMN)) == NULL) {
		if (b->x.e == LXW_NO_ERROR)
			b->x.e = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	/* Categories: the header cells; values: the subject's row. */
	s = chart_add_series(ch, NULL, NULL);
	if (s == NULL) {
		if (b->x.e == LXW_NO_ERROR)
			b->x.e = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	chart_series_set_categories(s, sheetname, 3, C_NOTDUE, 3,
	    (lxw_col_t)(C_AGING + nb - 1));
	chart_series_set_values(s, sheetname, (lxw_row_t)row, C_NOTDUE,
	    (lxw_row_t)row, (lxw_col_t)(C_AGING + nb - 1));
	chart_series_set_name(s, "Задолженность, ₽");
	chart_title_set_name(ch, "Задолженность по срокам");
	chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
	chart_axis_set_num_format(ch->y_axis, "# ##0");
	FX_XW(&b->x, worksheet_insert_chart(b->ws, (lxw_row_t)(b->row + 1),
	    C_NAME, ch));
}

static void
docs_sheet(struct book *b, const struct fx_ar_report *r)
{
	static const char *const head[] = {
		"Организация", "Документ", "Заказ", "Дата", "Срок оплаты",
		"Сумма", "Оплачено", "Остаток", "Дней просрочки", "Период",
		"Зачёт оплат",
	};
	static const double widths[] = {
		34, 30, 16, 11, 11, 13, 13, 13, 10, 12, 20,
	};
	char buf[256], t1[32], t2[32];
	size_t i, j;
	lxw_col_t c;

	for (c = 0; c < nitems(widths); c++)
		width(b, c, c, widths[c]);
	str(b, 0, "Неоплаченные документы", b->title);
	endrow(b);
	snprintf(buf, sizeof(buf), "Данные 1С на %s; расчёт на %s",
	    ru_time(t1, sizeof(t1), r->asof), ru_time(t2, sizeof(t2),
	    r->date));
	str(b, 0, buf, NULL);
	endrow(b);
	b->row++;
	for (c = 0; c < nitems(head); c++)
		str(b, c, head[c], b->head);
	if (b->ws != NULL) {
		FX_XW(&b->x, worksheet_set_row(b->ws, b->row, 30, NULL));
		worksheet_freeze_panes(b->ws, b->row + 1, 0);
	}
	endrow(b);
	for (i = 0; i < r->n; i++) {
		const struct fx_ar_row *row = &r->v[i];

		if (row->total)
			continue;
		for (j = 0; j < row->ndocs; j++) {
			const struct fx_ar_doc *d = &row->docs[j];

			str(b, 0, row->name, NULL);
			str(b, 1, d->doc[0] != '\0' ? d->doc : d->id, NULL);
			str(b, 2, d->order, NULL);
			date(b, 3, d->date);
			date(b, 4, d->due);
			money(b, 5, d->amount, NULL);
			money(b, 6, d->paid, NULL);
			money(b, 7, d->unpaid, NULL);
			if (d->days_overdue > 0) {
				num(b, 8, d->days_overdue);
				bucket_label(buf, sizeof(buf), &r->buckets,
				    d->bucket);
				str(b, 9, buf, NULL);
			} else
				str(b, 9, "не наступил", NULL);
			str(b, 10, alloc_text(d->alloc), NULL);
			endrow(b);
		}
	}
}

int
fx_ar_report_xlsx(struct fx_ctx *ctx, const struct fx_ar_report *r,
    const char *path, struct fx_err *err)
{
	static const char s1[] = "Дебиторская задолженность";
	struct book b;
	size_t chart_row = 0;
	int chart = 0;

	memset(&b, 0, sizeof(b));
	if (fx_xlsx_open(&b.x, ctx, path, 0, err) == -1)
		return -1;
	fmt_init(&b);
	sheet(&b, s1, 0);
	report_sheet(&b, r, &chart_row, &chart);
	if (chart)
		report_chart(&b, r, chart_row, s1);
	sheet(&b, "Документы", 1);
	docs_sheet(&b, r);
	return fx_xlsx_finish(&b.x, b.rows, 2, err);
}

int
fx_ar_statement_xlsx(struct fx_ctx *ctx, const struct fx_ar_statement *s,
    const char *path, struct fx_err *err)
{
	static const char *const head[] = {
		"Дата", "Документ", "Заказ", "Дебет", "Кредит", "Сальдо",
	};
	static const double widths[] = { 12, 40, 16, 15, 15, 15 };
	struct book b;
	char buf[512], t1[32], t2[32], m[64];
	size_t i;
	lxw_col_t c;

	memset(&b, 0, sizeof(b));
	if (fx_xlsx_open(&b.x, ctx, path, 0, err) == -1)
		return -1;
	fmt_init(&b);
	sheet(&b, "Акт сверки", 0);
	for (c = 0; c < nitems(widths); c++)
		width(&b, c, c, widths[c]);
	str(&b, 0, "Акт сверки взаимных расчётов", b.title);
	endrow(&b);
	snprintf(buf, sizeof(buf), "за период с %s по %s",
	    ru_time(t1, sizeof(t1), s->from), ru_time(t2, sizeof(t2), s->to));
	str(&b, 0, buf, NULL);
	endrow(&b);
	if (s->kpp[0] != '\0')
		snprintf(buf, sizeof(buf), "Контрагент: %s, ИНН %s, КПП %s",
		    s->name, s->inn, s->kpp);
	else
		snprintf(buf, sizeof(buf), "Контрагент: %s, ИНН %s", s->name,
		    s->inn);
	str(&b, 0, buf, NULL);
	endrow(&b);
	snprintf(buf, sizeof(buf), "Данные 1С на %s",
	    ru_time(t1, sizeof(t1), s->asof));
	str(&b, 0, buf, NULL);
	endrow(&b);
	b.row++;
	for (c = 0; c < nitems(head); c++)
		str(&b, c, head[c], b.head);
	if (b.ws != NULL)
		worksheet_freeze_panes(b.ws, b.row + 1, 0);
	endrow(&b);

	snprintf(buf, sizeof(buf), "Сальдо на %s",
	    ru_time(t1, sizeof(t1), s->from));
	str(&b, 1, buf, b.bold);
	if (s->opening > 0)
		money(&b, 3, s->opening, b.moneyb);
	else if (s->opening < 0)
		money(&b, 4, -s->opening, b.moneyb);
	money(&b, 5, s->opening, b.moneyb);
	endrow(&b);
	for (i = 0; i < s->n; i++) {
		const struct fx_ar_line *l = &s->v[i];

		date(&b, 0, l->date);
		str(&b, 1, l->doc[0] != '\0' ? l->doc : l->id, NULL);
		str(&b, 2, l->order, NULL);
		if (l->debit > 0)
			money(&b, 3, l->debit, NULL);
		if (l->credit > 0)
			money(&b, 4, l->credit, NULL);
		money(&b, 5, l->balance, NULL);
		endrow(&b);
	}
	str(&b, 1, "Обороты за период", b.bold);
	money(&b, 3, s->debits, b.moneyb);
	money(&b, 4, s->credits, b.moneyb);
	endrow(&b);
	snprintf(buf, sizeof(buf), "Сальдо на %s",
	    ru_time(t1, sizeof(t1), s->to));
	str(&b, 1, buf, b.bold);
	if (s->closing > 0)
		money(&b, 3, s->closing, b.moneyb);
	else if (s->closing < 0)
		money(&b, 4, -s->closing, b.moneyb);
	money(&b, 5, s->closing, b.moneyb);
	endrow(&b);
	b.row++;
	ru_time(t1, sizeof(t1), s->to);
	if (s->closing > 0)
		snprintf(buf, sizeof(buf), "На %s задолженность %s составляет "
		    "%s.", t1, s->name, ru_money(m, sizeof(m), s->closing));
	else if (s->closing < 0)
		snprintf(buf, sizeof(buf), "На %s переплата %s (аванс) "
		    "составляет %s.", t1, s->name, ru_money(m, sizeof(m),
		    -s->closing));
	else
		snprintf(buf, sizeof(buf), "На %s задолженности нет.", t1);
	str(&b, 0, buf, NULL);
	endrow(&b);
	return fx_xlsx_finish(&b.x, b.rows, 1, err);
}
