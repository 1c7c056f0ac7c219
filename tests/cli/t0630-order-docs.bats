#!/usr/bin/env bats
# formix-order docs: the invoice, waybill and cancelled lines as XLSX,
# read back with openpyxl; 1C's own files for an order through
# formix-admin import and formixd's 1C channel (exactly once, crash-safe),
# and through docs --add; who may get them; each refusal changing nothing.

load helpers
load ../daemon/daemon

order() { "$FX_BIN/formix-order" "$@"; }
PY=/usr/bin/python3

HEAD=7701123451/770101001
O="$DATA/orders"

setup() {
	fxd_instance
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$DATA/cond/conditions.xml" 2>/dev/null
	admin -q import "$DATA/cond/deliveries.xml"
	printf 'Артикул;Количество\n27087-10;10\nMS-00123;3\nW26110;5\n27087-10;10\n' \
	    > "$BATS_TEST_TMPDIR/o.csv"
	order new "$BATS_TEST_TMPDIR/o.csv" --entity "$HEAD" >/dev/null 2>&1
	order submit 000001 >/dev/null 2>&1
	D="$BATS_TEST_TMPDIR/docs"
	mkdir -p "$D"
	printf '%%PDF-1.4\n1 0 obj\n%%%%EOF\n' > "$BATS_TEST_TMPDIR/invoice.pdf"
}
teardown() { fxd_teardown; }

# The sheet's rows with something in them: "ROW: a | b | 12.5 [fmt]".
cells() {
	"$PY" - "$1" <<'EOF'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
print(ws.title)
for r in ws.iter_rows():
    out = []
    for c in r:
        v = c.value
        if v is None:
            out.append("")
        elif isinstance(v, (int, float)):
            t = ("%.3f" % v).rstrip("0").rstrip(".")
            out.append("%s [%s]" % (t, c.number_format))
        else:
            out.append(v)
    while out and out[-1] == "":
        out.pop()
    if out:
        print("%d: %s" % (r[0].row, " | ".join(out)))
EOF
}

# The order's total as show gives it, and a workbook's "Итого" figure.
total_of() { order show "$1" --tsv -H | head -1 | cut -f7; }
itogo() { cells "$1" | awk -F' \\| ' '$0 ~ /Итого/ { sub(/ .*/, "", $NF); print $NF }'; }

need_openpyxl() {
	"$PY" -c 'import openpyxl' 2>/dev/null || skip "no python3-openpyxl"
}

@test "docs --help and a usage error" {
	run -0 order --help
	[[ "$output" == *"docs ORDER [invoice|waybill|cancelled|files]..."* ]]
	[[ "$output" == *"--add FILE"* ]]
	run -64 --separate-stderr order docs 000001 bill
	[ "${stderr_lines[0]}" = 'formix-order: unknown document "bill": invoice, waybill, cancelled or files' ]
	run -64 --separate-stderr order docs
	run -64 --separate-stderr order docs 000001 --name x
	[ "${stderr_lines[0]}" = "formix-order: --name goes with --add" ]
}

@test "before 1C reports anything, only the invoice applies; its total is the order's" {
	need_openpyxl
	run -0 --separate-stderr order docs 000001 --list --tsv -H
	[ "$output" = "invoice	invoice-000001.xlsx		xlsx				" ]
	run -0 --separate-stderr order docs 000001 -o "$D"
	[ "$output" = "$D/invoice-000001.xlsx" ]
	[ "$(ls "$D")" = "invoice-000001.xlsx" ]
	[ "$(total_of 000001)" = "40192.75" ]
	run -0 cells "$D/invoice-000001.xlsx"
	[ "${lines[0]}" = "Счёт" ]
	[ "${lines[1]}" = "1: Счёт на оплату № 000001 от 27.11.2026" ]
	[[ "$output" == *'Покупатель: Общество с ограниченной ответственностью "Промсервис", ИНН 7701123451, КПП 770101001, 630099, Новосибирск, ул. Ленина, д. 1'* ]]
	[[ "$output" == *"Основание: договор Д-12/2025, заказ № 000001"* ]]
	[[ "$output" == *"8: № | Артикул | Товар | Ед. | Количество | Цена | Сумма"* ]]
	[[ "$output" == *'9: 1 [0] | 27087-10 | Ключ комбинированный 10 мм | шт | 20 [0] | 877.54 [#,##0.00\ "₽"] | 17550.8 [#,##0.00\ "₽"]'* ]]
	[[ "$output" == *'11: 3 [0] | W26110 | Дрель ударная 650 Вт | шт | 5 [0] | 4069.99 [#,##0.00\ "₽"] | 20349.95 [#,##0.00\ "₽"]'* ]]
	[[ "$output" == *'12:  |  |  |  |  | Итого: | 40192.75 [#,##0.00\ "₽"]'* ]]
	# 20% within 40 192.75: 6 698.79 (half up).
	[[ "$output" == *'13:  |  |  |  |  | В том числе НДС 20%: | 6698.79 [#,##0.00\ "₽"]'* ]]
	[[ "$output" == *"Всего наименований 3, на сумму 40 192.75 руб."* ]]
	# The exact figure: the invoice's total equals the order's.
	"$PY" - "$D/invoice-000001.xlsx" <<'EOF'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
lines = [r for r in ws.iter_rows(values_only=True) if isinstance(r[0], int)]
assert round(sum(r[6] for r in lines) * 100) == 4019275, lines
tot = [r for r in ws.iter_rows(values_only=True) if r[5] == "Итого:"][0]
assert round(tot[6] * 100) == 4019275, tot
EOF
	# Asked for by name, a waybill is refused: nothing shipped yet.
	run -1 --separate-stderr order docs 000001 waybill -o "$D"
	[ "$stderr" = "formix-order: order 000001: nothing shipped yet: no waybill" ]
	run -1 --separate-stderr order docs 000001 cancelled -o "$D"
	[ "$stderr" = "formix-order: order 000001: no line cancelled: no list of cancelled lines" ]
	[ "$(ls "$D")" = "invoice-000001.xlsx" ]
	# Written again in place: ours, replaced atomically; no temporary left.
	run -0 order docs 000001 invoice -o "$D"
	[ "$(ls -A "$D")" = "invoice-000001.xlsx" ]
}

@test "after 1C's document: the waybill has the shipped quantities, the cancelled list the rest" {
	need_openpyxl
	admin -q import "$O/1c-status.xml"
	cd "$D"
	run -0 --separate-stderr order docs 000001
	[ "$output" = "./invoice-000001.xlsx
./waybill-000001.xlsx
./cancelled-000001.xlsx" ]
	# Invoice: ordered and not cancelled (W26110's 5 cancelled).
	run -0 cells invoice-000001.xlsx
	[[ "$output" != *"W26110"* ]]
	[[ "$output" == *"Номер заказа в 1С: ЦБ-000123 от 27.11.2026"* ]]
	[ "$(itogo invoice-000001.xlsx)" = "19842.8" ]
	# Waybill: only line 1, 8 of 20 shipped.
	run -0 cells waybill-000001.xlsx
	[ "${lines[0]}" = "Накладная" ]
	[[ "$output" == *"8: № | Артикул | Товар | Ед. | Заказано | Отгружено | Цена | Сумма"* ]]
	[[ "$output" == *'9: 1 [0] | 27087-10 | Ключ комбинированный 10 мм | шт | 20 [0] | 8 [0] | 877.54 [#,##0.00\ "₽"] | 7020.32 [#,##0.00\ "₽"]'* ]]
	[[ "$output" != *"MS-00123"* ]]
	[[ "$output" == *"В том числе НДС 20%: | 1170.05"* ]]
	[ "$(itogo waybill-000001.xlsx)" = "7020.32" ]
	# Cancelled: W26110, 5 of 5.
	run -0 cells cancelled-000001.xlsx
	[[ "$output" == *'9: 1 [0] | W26110 | Дрель ударная 650 Вт | шт | 5 [0] | 5 [0] | 4069.99 [#,##0.00\ "₽"] | 20349.95 [#,##0.00\ "₽"]'* ]]
	[[ "$output" == *"Итого отменено: | 20349.95"* ]]
	[ "$(grep -c . <<< "$output")" -eq 10 ]
	# Invoice plus cancelled is the order.
	"$PY" - <<'EOF'
import openpyxl
def tot(f, label):
    ws = openpyxl.load_workbook(f).active
    return [r for r in ws.iter_rows(values_only=True) if label in r][0][-1]
assert round((tot("invoice-000001.xlsx", "Итого:") +
    tot("cancelled-000001.xlsx", "Итого отменено:")) * 100) == 4019275
EOF
}

@test "fractional quantities keep their decimals; the configuration's supplier and VAT" {
	need_openpyxl
	fx_conf_add documents 'supplier: "ООО «Инструмент», ИНН 7700000001"'
	fx_conf_add documents 'supplier_bank: "р. с. 40702810000000000001 в ПАО Банк, БИК 044525000"'
	fx_conf_add documents 'vat_rate: 0'
	run -0 order docs 000001 -o "$D"
	run -0 cells "$D/invoice-000001.xlsx"
	[[ "$output" == *"3: Поставщик: ООО «Инструмент», ИНН 7700000001"* ]]
	[[ "$output" == *"4: Банковские реквизиты: р. с. 40702810000000000001 в ПАО Банк, БИК 044525000"* ]]
	[[ "$output" == *"Без НДС"* ]]
	[[ "$output" != *"В том числе НДС"* ]]
	# 1C shipped 8.25 and cancelled 1.5 (its data, not the catalog's).
	sed -e '/Отгружено/{n;s/>8</>8.25</}' -e '/Отменено/{n;s/>5</>1.5</}' \
	    "$O/1c-status.xml" > "$BATS_TEST_TMPDIR/part.xml"
	admin -q import "$BATS_TEST_TMPDIR/part.xml"
	run -0 order docs 000001 -o "$D"
	run -0 cells "$D/invoice-000001.xlsx"
	# 4 069.99 x 3.5 = 14 244.965: half up, 14 244.97.
	[[ "$output" == *'| W26110 | Дрель ударная 650 Вт | шт | 3.5 [0.0] | 4069.99 [#,##0.00\ "₽"] | 14244.97 ['* ]]
	run -0 cells "$D/waybill-000001.xlsx"
	[[ "$output" == *'| 20 [0] | 8.25 [0.00] | 877.54 [#,##0.00\ "₽"] | 7239.71 ['* ]]
	run -0 cells "$D/cancelled-000001.xlsx"
	[[ "$output" == *'| 5 [0] | 1.5 [0.0] | 4069.99 [#,##0.00\ "₽"] | 6104.99 ['* ]]
	fx_conf_add documents 'vat_rate: 101'
	run -78 --separate-stderr order docs 000001 -o "$D"
	[[ "$stderr" == *"documents.vat_rate: expected an integer from 0 to 100, got \"101\""* ]]
}

@test "a dealer sees its own orders' documents only; only staff add files" {
	admin user add other --dealer D00002 --name O --superuser >/dev/null
	admin user add own --dealer D00001 --name S --superuser >/dev/null
	admin -q import "$O/1c-status.xml"
	order docs 000001 --add "$BATS_TEST_TMPDIR/invoice.pdf" >/dev/null
	run -1 --separate-stderr order --as other docs 000001 -o "$D"
	[ "$stderr" = 'formix-order: unknown order "000001"' ]
	run -1 --separate-stderr order --as other docs 000001 --list
	[ "$stderr" = 'formix-order: unknown order "000001"' ]
	[ "$(ls -A "$D")" = "" ]
	run -0 order --as own docs 000001 -o "$D"
	[ "${#lines[@]}" -eq 4 ]
	cmp "$BATS_TEST_TMPDIR/invoice.pdf" "$D/doc-000001-invoice.pdf"
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -77 --separate-stderr order --as own docs 000001 --add "$BATS_TEST_TMPDIR/o.csv"
	[[ "$stderr" == "formix-order: permission denied: "* ]]
	fx_dump "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "1C's file for an order through formix-admin import: stored, listed, copied" {
	cp "$BATS_TEST_TMPDIR/invoice.pdf" "$BATS_TEST_TMPDIR/orderdoc-000001-Счёт 15.pdf"
	run -0 admin import "$BATS_TEST_TMPDIR/orderdoc-000001-Счёт 15.pdf"
	[ "${lines[1]}" = "order documents 1" ]
	sha=$(sha256sum < "$BATS_TEST_TMPDIR/invoice.pdf" | cut -d' ' -f1)
	[ -f "$SP/documents/${sha:0:2}/$sha" ]
	cmp "$BATS_TEST_TMPDIR/invoice.pdf" "$SP/documents/${sha:0:2}/$sha"
	run -0 order show 000001 --tsv -H
	[ "$(awk -F'\t' 'NF == 8 && $1 == "stored"' <<< "$output" | cut -f1-5,7,8)" = "stored	doc-000001-Счёт_15.pdf	Счёт 15.pdf	pdf	23	1c	$sha" ]
	run -0 order docs 000001 files -o "$D"
	[ "$output" = "$D/doc-000001-Счёт_15.pdf" ]
	cmp "$BATS_TEST_TMPDIR/invoice.pdf" "$D/doc-000001-Счёт_15.pdf"
	admin log --object 000001 | grep -q "order.doc"
	# The same bytes again: already applied, nothing changes.
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -0 --separate-stderr admin import "$BATS_TEST_TMPDIR/orderdoc-000001-Счёт 15.pdf"
	[[ "$stderr" == "formix-admin: already applied on "* ]]
	fx_dump "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# New bytes under the same name: 1C's newer version replaces it.
	printf '%%PDF-1.4\nv2\n' > "$BATS_TEST_TMPDIR/orderdoc-000001-Счёт 15.pdf"
	run -0 admin import "$BATS_TEST_TMPDIR/orderdoc-000001-Счёт 15.pdf"
	run -0 order docs 000001 --list --tsv -H
	[ "${#lines[@]}" -eq 2 ]
	[ "$(sed -n 2p <<< "$output" | cut -f5)" = "12" ]
	# Stored files are asked for by name, and there may be none.
	run -1 --separate-stderr order docs 000002 files -o "$D"
}

@test "1C's files refused: unknown order, empty, a bad name, too big; nothing changes" {
	fx_dump "$BATS_TEST_TMPDIR/before"
	T="$BATS_TEST_TMPDIR"
	cp "$T/invoice.pdf" "$T/orderdoc-000009-x.pdf"
	run -65 --separate-stderr admin import "$T/orderdoc-000009-x.pdf"
	[ "$stderr" = "formix-admin: $T/orderdoc-000009-x.pdf: unknown order \"000009\"" ]
	: > "$T/orderdoc-000001-empty.pdf"
	run -65 --separate-stderr admin import "$T/orderdoc-000001-empty.pdf"
	[ "$stderr" = "formix-admin: $T/orderdoc-000001-empty.pdf: empty file" ]
	cp "$T/invoice.pdf" "$T/orderdoc-000001-.."
	run -65 --separate-stderr admin import "$T/orderdoc-000001-.."
	[ "$stderr" = "formix-admin: $T/orderdoc-000001-..: a document name starting with '.' (orderdoc-NUMBER-NAME)" ]
	cp "$T/invoice.pdf" "$T/orderdoc-000001-"
	run -65 --separate-stderr admin import "$T/orderdoc-000001-"
	[ "$stderr" = "formix-admin: $T/orderdoc-000001-: an empty document name (orderdoc-NUMBER-NAME)" ]
	cp "$T/invoice.pdf" "$T/orderdoc-ЦБ1-x.pdf"
	run -65 --separate-stderr admin import "$T/orderdoc-ЦБ1-x.pdf"
	[ "$stderr" = "formix-admin: $T/orderdoc-ЦБ1-x.pdf: not an order number: \"ЦБ1\" (orderdoc-NUMBER-NAME)" ]
	cp "$T/invoice.pdf" "$T/orderdoc-000001-"$'a\x01b'
	run -65 --separate-stderr admin import "$T/orderdoc-000001-"$'a\x01b'
	[[ "$stderr" == *": a document name with a control character (orderdoc-NUMBER-NAME)" ]]
	# A dry run checks and stores nothing.
	cp "$T/invoice.pdf" "$T/orderdoc-000001-dry.pdf"
	run -0 admin import -n "$T/orderdoc-000001-dry.pdf"
	[ "${lines[1]}" = "order documents 1" ]
	fx_conf_add documents "max_size: 20"
	cp "$T/invoice.pdf" "$T/orderdoc-000001-big.pdf"
	run -65 --separate-stderr admin import "$T/orderdoc-000001-big.pdf"
	[ "$stderr" = "formix-admin: $T/orderdoc-000001-big.pdf: document of 23 bytes is over documents.max_size (20)" ]
	fx_dump "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	[ ! -e "$SP/documents" ]
}

@test "staff add a file with docs --add; refusals change nothing" {
	T="$BATS_TEST_TMPDIR"
	run -0 order docs 000001 --add "$T/invoice.pdf" --name "Счёт 15 от 27.11.pdf" --tsv -H
	[ "$(cut -f1-5,7 <<< "$output")" = "stored	doc-000001-Счёт_15_от_27.11.pdf	Счёт 15 от 27.11.pdf	pdf	23	staff:$(id -un)" ]
	fx_dump "$T/before"
	run -1 --separate-stderr order docs 000001 --add "$T/invoice.pdf" --name "Счёт 15 от 27.11.pdf"
	[[ "$stderr" == "formix-order: $T/invoice.pdf: already applied as document \"Счёт 15 от 27.11.pdf\" of order 000001 on "* ]]
	run -64 --separate-stderr order docs 000001 --add "$T/invoice.pdf" --name ../x.pdf
	[ "$stderr" = "formix-order: a document name with a slash" ]
	run -64 --separate-stderr order docs 000001 --add "$T/invoice.pdf" --name .hidden
	[ "$stderr" = "formix-order: a document name starting with '.'" ]
	run -64 --separate-stderr order docs 000001 --add "$T/invoice.pdf" --name $'a\tb'
	[ "$stderr" = "formix-order: a document name with a control character" ]
	run -64 --separate-stderr order docs 000001 --add "$T/invoice.pdf" --name ""
	[ "$stderr" = "formix-order: an empty document name" ]
	run -1 --separate-stderr order docs 000042 --add "$T/invoice.pdf"
	[ "$stderr" = 'formix-order: unknown order "000042"' ]
	: > "$T/empty.pdf"
	run -65 --separate-stderr order docs 000001 --add "$T/empty.pdf"
	[ "$stderr" = "formix-order: $T/empty.pdf: empty file" ]
	run -66 --separate-stderr order docs 000001 --add "$T/missing.pdf"
	ln -s "$T/invoice.pdf" "$T/link.pdf"
	run -65 --separate-stderr order docs 000001 --add "$T/link.pdf"
	[ "$stderr" = "formix-order: $T/link.pdf: a symbolic link, not a file" ]
	fx_conf_add documents "max_size: 26"
	run -65 --separate-stderr order docs 000001 --add "$T/o.csv"
	[ "$stderr" = "formix-order: $T/o.csv: document of 80 bytes is over documents.max_size (26)" ]
	run -64 --separate-stderr order docs 000001 invoice --add "$T/invoice.pdf"
	fx_dump "$T/after"
	diff "$T/before" "$T/after"
}

@test "a damaged stored file is not handed out" {
	order docs 000001 --add "$BATS_TEST_TMPDIR/invoice.pdf" >/dev/null
	f=$(find "$SP/documents" -type f)
	printf 'X' | dd of="$f" bs=1 seek=3 conv=notrunc 2>/dev/null
	run -74 --separate-stderr order docs 000001 files -o "$D"
	[[ "$stderr" == *"is damaged (SHA-256 differs)" ]]
	[ "$(ls -A "$D")" = "" ]
}

@test "formixd: 1C's file for an order arrives once; an unknown order goes to corrupt/" {
	cp "$BATS_TEST_TMPDIR/invoice.pdf" "$BATS_TEST_TMPDIR/src.pdf"
	drop "$BATS_TEST_TMPDIR/src.pdf" orderdoc-000001-invoice.pdf
	drop "$BATS_TEST_TMPDIR/src.pdf" orderdoc-000077-invoice.pdf
	run -0 --separate-stderr fxd -d --once
	[ "$(where orderdoc-000001-invoice.pdf)" = done ]
	ack=$(ls "$OUT"/orderdoc-000001-invoice.pdf.*.ack)
	grep -qx "status: applied" "$ack"
	grep -q "order_docs=1" "$ack"
	[ "$(where orderdoc-000077-invoice.pdf)" = corrupt ]
	[ "$(cat "$(find "$Q/corrupt" -name orderdoc-000077-invoice.pdf.err)")" = 'orderdoc-000077-invoice.pdf: unknown order "000077"' ]
	run -0 order docs 000001 files --list --tsv -H
	[ "$(cut -f1,3,7 <<< "$output")" = "stored	invoice.pdf	1c" ]
	# The same bytes again, under the same name: already applied.
	drop "$BATS_TEST_TMPDIR/src.pdf" orderdoc-000001-invoice.pdf
	run -0 --separate-stderr fxd -d --once
	[ "$(ls "$OUT"/orderdoc-000001-invoice.pdf.*.ack | wc -l)" -eq 2 ]
	grep -lx "status: already applied" "$OUT"/orderdoc-000001-invoice.pdf.*.ack
	run -0 order docs 000001 files --list --tsv -H
	[ "${#lines[@]}" -eq 1 ]
	# The same bytes under another name are a document of their own.
	drop "$BATS_TEST_TMPDIR/src.pdf" orderdoc-000001-copy.pdf
	run -0 --separate-stderr fxd -d --once
	[ "$(where orderdoc-000001-copy.pdf)" = done ]
	run -0 order docs 000001 files --list --tsv -H
	[ "${#lines[@]}" -eq 2 ]
}

@test "formixd: a crash before or after the commit stores the file exactly once" {
	for point in spool-rename after-commit; do
		drop "$BATS_TEST_TMPDIR/invoice.pdf" "orderdoc-000001-$point.pdf"
		FX_CRASH_AT=$point run -134 fxd --once
		run -0 fxd --once
		[ "$(where "orderdoc-000001-$point.pdf")" = done ]
		[ "$(nentries active)" -eq 0 ] && [ "$(nentries incoming)" -eq 0 ]
	done
	run -0 order docs 000001 files --list --tsv -H
	[ "${#lines[@]}" -eq 2 ]
	# One content file: both names hold the same bytes.
	[ "$(find "$SP/documents" -type f | wc -l)" -eq 1 ]
	[ "$(admin log --object 000001 | grep -c order.doc)" -eq 2 ]
	run -0 order docs 000001 files -o "$D"
	cmp "$BATS_TEST_TMPDIR/invoice.pdf" "$D/doc-000001-after-commit.pdf"
}
