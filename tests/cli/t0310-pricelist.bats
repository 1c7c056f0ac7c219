#!/usr/bin/env bats
# formix-stock pricelist: the dealer's XLSX price list, written safely.

load helpers

setup() {
	fx_instance
	fx_load_fixtures
	export FORMIX_TODAY=2026-11-01
	OUT="$BATS_TEST_TMPDIR/out"
	mkdir -p "$OUT"
}

sheet() {
	unzip -p "$1" xl/worksheets/sheet1.xml
}

@test "pricelist writes a complete XLSX for the entity" {
	run -0 --separate-stderr stock pricelist --entity 7701123451 -o "$OUT/p.xlsx"
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	[ -s "$OUT/p.xlsx" ]
	unzip -tq "$OUT/p.xlsx"
	unzip -l "$OUT/p.xlsx" | grep -q ' xl/worksheets/sheet1.xml$'
	# 3 title rows, the header, 3 group rows and the 5 goods not deleted.
	[ "$(sheet "$OUT/p.xlsx" | grep -o '<row ' | wc -l)" -eq 12 ]
	# Dealer data as values only, never formulas.
	[ "$(sheet "$OUT/p.xlsx" | grep -c '<f>')" -eq 0 ]
	# Nothing left beside it.
	[ "$(ls -A "$OUT")" = "p.xlsx" ]
}

@test "pricelist content: groups, order, prices, stock, next delivery" {
	stock pricelist -e 7701123451/770101001 -o "$OUT/p.xlsx"
	sheet "$OUT/p.xlsx" > "$BATS_TEST_TMPDIR/s.xml"
	s="$BATS_TEST_TMPDIR/s.xml"
	grep -q '<t>Прайс-лист: ООО "Промсервис"</t>' "$s"
	grep -q '<t>ИНН 7701123451, КПП 770101001</t>' "$s"
	grep -q '<t>Ручной инструмент / Ключи</t>' "$s"
	grep -q '<t>10.12.2026: 15 шт</t>' "$s"
	grep -q '<autoFilter ref="A5:J13"/>' "$s"
	grep -q 'state="frozen"' "$s"
	# Group rows in path order, goods by article inside: the first cell
	# of every row from the header on.
	"${PYTHON3:-python3}" - "$s" <<'EOF'
import re, sys
x = open(sys.argv[1], encoding="utf-8").read()
rows = re.findall(r'<row r="(\d+)"[^>]*>(.*?)</row>', x)
first = []
for r, body in rows:
    m = re.search(r'<c r="A%s"[^>]*>(?:<is><t>(.*?)</t></is>|<v>(.*?)</v>)' % r, body)
    first.append(m.group(1) or m.group(2))
assert first[3:] == ["Артикул", "Ручной инструмент", "AMB-1", "AMB-1",
    "MS-00123", "Ручной инструмент / Ключи", "27087-10",
    "Электроинструмент", "W26110"], first
# The row of 27087-10: retail, net, discount, Москва, СПб, total.
body = [b for r, b in rows if '<t>27087-10</t>' in b][0]
vals = re.findall(r'<c r="([D-I])\d+"[^>]*><v>(.*?)</v>', body)
assert vals == [("D", "1250"), ("E", "877.54"), ("F", "12.25"),
    ("G", "10"), ("H", "5"), ("I", "15")], vals
EOF
}

@test "pricelist opens in openpyxl with the frozen header and filter" {
	/usr/bin/python3 -c 'import openpyxl' 2>/dev/null || skip "no python3-openpyxl"
	stock pricelist -e D00001-2 -o "$OUT/p.xlsx"
	/usr/bin/python3 - "$OUT/p.xlsx" <<'EOF'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
assert ws.freeze_panes == "A6", ws.freeze_panes
assert ws.auto_filter.ref == "A5:J13", ws.auto_filter.ref
hdr = [c.value for c in ws[5]]
assert hdr == ["Артикул", "Наименование", "Ед.", "Розничная цена",
    "Цена дилера", "Скидка %", "Москва", "Санкт-Петербург", "Всего",
    "Ближайшая поставка"], hdr
row = [r for r in ws.iter_rows(values_only=True) if r[0] == "27087-10"][0]
# D00001-2 has its own price type (Спец): 900, no discount shown.
assert row[3] == 1250 and row[4] == 900 and row[5] is None, row
assert ws["D7"].number_format == "# ##0.00"
EOF
}

@test "pricelist needs an entity and a file (usage, 64)" {
	run -64 --separate-stderr stock pricelist -o "$OUT/p.xlsx"
	[ "${stderr_lines[0]}" = "formix-stock: pricelist needs --entity INN[/KPP]" ]
	run -64 --separate-stderr stock pricelist -e 7701123451
	[ "${stderr_lines[0]}" = "formix-stock: pricelist needs -o FILE.xlsx" ]
	run -64 --separate-stderr stock pricelist -e 7701123451 -o "$OUT/p.xlsx" --in-stock
	[ "${stderr_lines[0]}" = "formix-stock: --in-stock does not go with pricelist" ]
	[ "$(ls -A "$OUT")" = "" ]
}

@test "an unknown entity exits 1 and creates nothing" {
	run -1 --separate-stderr stock pricelist -e 7701000000 -o "$OUT/p.xlsx"
	[ "$stderr" = 'formix-stock: unknown legal entity "7701000000"' ]
	[ "$(ls -A "$OUT")" = "" ]
}

@test "a directory that cannot be written: exit 73, no partial file" {
	run -73 --separate-stderr stock pricelist -e 7701123451 -o "$OUT/missing/p.xlsx"
	[ "$stderr" = "formix-stock: $OUT/missing/p.xlsx: cannot create: No such file or directory" ]
	[ "$(ls -A "$OUT")" = "" ]
	if [ "$(id -u)" -ne 0 ]; then
		mkdir "$OUT/ro"
		chmod 555 "$OUT/ro"
		run -73 --separate-stderr stock pricelist -e 7701123451 -o "$OUT/ro/p.xlsx"
		[ "$stderr" = "formix-stock: $OUT/ro/p.xlsx: cannot create: Permission denied" ]
		[ "$(ls -A "$OUT/ro")" = "" ]
	fi
}

@test "a failed rename leaves no temporary file behind" {
	mkdir "$OUT/p.xlsx"
	run -73 --separate-stderr stock pricelist -e 7701123451 -o "$OUT/p.xlsx"
	[ "$stderr" = "formix-stock: $OUT/p.xlsx: cannot create: Is a directory" ]
	[ "$(ls -A "$OUT")" = "p.xlsx" ]
	[ "$(ls -A "$OUT/p.xlsx")" = "" ]
}

@test "a failed run leaves an existing price list as it was" {
	stock pricelist -e 7701123451 -o "$OUT/p.xlsx"
	sum=$(cksum < "$OUT/p.xlsx")
	run -1 stock pricelist -e 7701000000 -o "$OUT/p.xlsx"
	[ "$(cksum < "$OUT/p.xlsx")" = "$sum" ]
	# A new run replaces it whole, by rename.
	stock pricelist -e D00001-3 -o "$OUT/p.xlsx"
	sheet "$OUT/p.xlsx" | grep -q '<t>ИНН 770123456703</t>'
	[ "$(ls -A "$OUT")" = "p.xlsx" ]
}

@test "a full disk: exit 74 and nothing left (root, tmpfs)" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	mkdir "$OUT/tiny"
	mount -t tmpfs -o size=64k tmpfs "$OUT/tiny" || skip "cannot mount a tmpfs"
	# One page free: less than the workbook needs.
	dd if=/dev/zero of="$OUT/tiny/ballast" bs=4k count=15 2>/dev/null
	run --separate-stderr stock pricelist -e 7701123451 -o "$OUT/tiny/p.xlsx"
	ls -A "$OUT/tiny" > "$BATS_TEST_TMPDIR/left"
	umount "$OUT/tiny"
	[ "$status" -eq 74 ] || [ "$status" -eq 73 ]
	# libxlsxwriter may report the full disk, or report success for a
	# truncated workbook (RELIABILITY.md): the read-back catches that.
	[[ "${stderr_lines[-1]}" == "formix-stock: $OUT/tiny/p.xlsx: "* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/left")" = ballast ]
}

@test "a name that looks like a formula stays text" {
	sed -e 's|<Наименование>Молоток слесарный 500 г</Наименование>|<Наименование>=HYPERLINK("http://x","y")</Наименование>|' \
	    "$DATA/cml/import.xml" > "$BATS_TEST_TMPDIR/import.xml"
	admin -q import "$BATS_TEST_TMPDIR/import.xml" "$DATA/cml/offers.xml" 2>/dev/null
	stock pricelist -e 7701123451 -o "$OUT/p.xlsx"
	[ "$(sheet "$OUT/p.xlsx" | grep -c '<f>')" -eq 0 ]
	sheet "$OUT/p.xlsx" | grep -q 't="inlineStr"><is><t>=HYPERLINK("http://x","y")</t>'
}
