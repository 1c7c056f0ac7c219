#!/usr/bin/env bats
# formix-order check: one verdict per row, nothing changed, the result
# file, exit statuses; and the whole check against bench-data's answer key.

load helpers

order() { "$FX_BIN/formix-order" "$@"; }

HEAD=7701123451/770101001

setup() {
	fx_instance
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$DATA/cond/conditions.xml" 2>/dev/null
	admin -q import "$DATA/cond/deliveries.xml"
}

@test "check: a status per row, duplicates merged, demand with the delivery" {
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -1 --separate-stderr order check "$DATA/orders/mixed.csv" \
	    --entity "$HEAD" --tsv
	got=$(cut -f1,4,6,9,11,12 <<< "$output")
	want=$(printf '%s\n' \
	    "row	status	accepted	sum	delivery	delivery_date" \
	    "2	partial	20	17550.80	IN-0001	2026-12-10" \
	    "3	demand	3	2292.00	IN-0001	2026-12-10" \
	    "4	ok	5	20349.95		" \
	    "5	duplicate_merged				" \
	    "6	ambiguous				" \
	    "7	not_orderable				" \
	    "8	unknown_article				" \
	    "9	bad_quantity				" \
	    "10	bad_quantity				" \
	    "11	bad_quantity				")
	echo "$got"
	[ "$got" = "$want" ]
	[ "$(sed -n 2p <<< "$output" | cut -f2,3,5)" = "27087-10	10	15 in stock, 5 on demand; delivery IN-0001 of 15 due 2026-12-10" ]
	[ "$(sed -n 5p <<< "$output" | cut -f5)" = "merged into row 2 (now 20)" ]
	[ "$(sed -n 9p <<< "$output" | cut -f5)" = "piece goods are ordered in whole pieces" ]
	[ -z "$stderr" ]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "check: JSON carries stock per warehouse" {
	run -1 order check "$DATA/orders/mixed.csv" --entity "$HEAD" --json
	line=$(head -1 <<< "$output")
	[[ "$line" == *'"status":"partial"'* ]]
	[[ "$line" == *'"warehouses":[{"id":"w-msk","name":"Москва","qty":10},{"id":"w-spb","name":"Санкт-Петербург","qty":5}]'* ]]
}

@test "check: every row accepted exits 0" {
	printf 'Артикул;Количество\n27087-10;2\nW26110;1\n' > "$BATS_TEST_TMPDIR/ok.csv"
	run -0 order check "$BATS_TEST_TMPDIR/ok.csv" --entity "$HEAD" --tsv -H
	[ "${#lines[@]}" -eq 2 ]
}

@test "check -o: the result as XLSX and CSV" {
	run -1 order check "$DATA/orders/mixed.csv" --entity "$HEAD" \
	    -o "$BATS_TEST_TMPDIR/r.xlsx"
	[ -s "$BATS_TEST_TMPDIR/r.xlsx" ]
	run -0 unzip -p "$BATS_TEST_TMPDIR/r.xlsx" xl/worksheets/sheet1.xml
	[[ "$output" == *"duplicate_merged"* ]]
	run -1 order check "$DATA/orders/mixed.csv" --entity "$HEAD" \
	    -o "$BATS_TEST_TMPDIR/r.csv"
	[ "$(sed -n 1p "$BATS_TEST_TMPDIR/r.csv" | tr -d '\r')" = $'\xef\xbb\xbfСтрока;Артикул;Количество;Статус;Сообщение;Принято;Наименование;Розничная цена;Цена;Сумма;Остаток;Поставка;Дата поставки' ]
	[ "$(grep -c . "$BATS_TEST_TMPDIR/r.csv")" -eq 11 ]
	! ls -a "$BATS_TEST_TMPDIR" | grep -q '\.tmp\.'
	run -64 --separate-stderr order check "$DATA/orders/mixed.csv" \
	    --entity "$HEAD" -o "$BATS_TEST_TMPDIR/r.txt"
	[ "${stderr_lines[0]}" = "formix-order: --output wants a name ending in .xlsx or .csv" ]
}

@test "check: a refused file exits 65, a blocked user 77, usage 64" {
	printf 'Артикул;Количество\n' > "$BATS_TEST_TMPDIR/head.csv"
	run -65 --separate-stderr order check "$BATS_TEST_TMPDIR/head.csv" \
	    --entity "$HEAD"
	[[ "$stderr" == "formix-order: "*"only a header row"* ]]
	: > "$BATS_TEST_TMPDIR/empty.csv"
	run -65 order check "$BATS_TEST_TMPDIR/empty.csv" --entity "$HEAD"
	admin user add gone --dealer D00001 --name "Уволенный" \
	    --entity D00001-1 --perm all >/dev/null
	admin user block gone --reason "уволился" >/dev/null
	run -77 --separate-stderr order --as gone check \
	    "$DATA/orders/mixed.csv" --entity "$HEAD"
	[ "$stderr" = 'formix-order: user "gone" is blocked: уволился' ]
	run -64 --separate-stderr order check "$DATA/orders/mixed.csv"
	[ "${stderr_lines[0]}" = "formix-order: check needs --entity INN[/KPP]" ]
}

# The reference order: every row's status, the merged quantities and
# product ids, and the net total agree with the answer key, in all five
# file formats.
@test "check -o: the XLSX result reads in openpyxl as the CSV one says, cell for cell" {
	run -1 order check "$DATA/orders/mixed.csv" --entity "$HEAD" \
	    -o "$BATS_TEST_TMPDIR/r.xlsx"
	run -1 order check "$DATA/orders/mixed.csv" --entity "$HEAD" \
	    -o "$BATS_TEST_TMPDIR/r.csv"
	# Articles and quantities stay text as read ("ms-00123", "2,5").
	xlsx_is_csv "$BATS_TEST_TMPDIR/r.xlsx" "$BATS_TEST_TMPDIR/r.csv" \
	    Результат 7,8,9 A1:M11
}

@test "check agrees with bench-data's answer key (xls xlsx sst.xlsx csv cp1251.csv)" {
	[ -f "$FX_SHARED/bench-data/gen.py" ] || skip "../shared is not here: the answer key needs bench-data"
	/usr/bin/python3 -c 'import xlwt, openpyxl' 2>/dev/null ||
	    skip "python3-xlwt or python3-openpyxl missing: no .xls/.xlsx orders"
	ref="$BATS_TEST_TMPDIR/ref"
	/usr/bin/python3 "$FX_SHARED/bench-data/gen.py" --out "$ref" \
	    --skus 2000 --dealers 5 --order-rows 600 >/dev/null
	/usr/bin/python3 "$FX_SRCDIR/bench/dealers2xml.py" "$ref/dealers.yaml" \
	    > "$ref/conditions.xml"
	admin init "$BATS_TEST_TMPDIR/big" >/dev/null
	export FORMIX_ROOT="$BATS_TEST_TMPDIR/big"
	admin -q import "$ref/import.xml" "$ref/offers.xml" 2>/dev/null
	admin -q import "$ref/conditions.xml"
	inn=$(/usr/bin/python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["reference_pricing"][0]["inn"])' \
	    "$ref/order-600.expected.json")
	for f in order-600.xls order-600.xlsx order-600.sst.xlsx \
	    order-600.csv order-600.cp1251.csv; do
		run -1 --separate-stderr order check "$ref/$f" --entity "$inn" --json
		printf '%s\n' "$output" > "$ref/$f.json"
		run /usr/bin/python3 - "$ref/order-600.expected.json" "$ref/$f.json" <<'PY'
import json, sys
key = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2])]
by = {r["row"]: r for r in rows}
bad = []
def want(kind, status):
    for e in key[kind]:
        r = by.get(e["row"])
        if r is None or r["status"] != status:
            bad.append("%s row %s: %s" % (kind, e["row"], r and r["status"]))
want("unknown", "unknown_article")
want("deleted", "not_orderable")
want("ambiguous", "ambiguous")
want("zero_qty", "bad_quantity")
lines = 0
for m in key["lines"]:
    first = by[m["rows"][0]]
    if first["status"] not in ("ok", "partial", "demand") or \
        first["id"] != m["id"] or first["accepted"] != m["qty"]:
        bad.append("line row %s: %s" % (m["rows"][0], first))
    for r in m["rows"][1:]:
        if by[r]["status"] != "duplicate_merged":
            bad.append("row %s not merged: %s" % (r, by[r]["status"]))
    lines += 1
accepted = [r for r in rows if r["status"] in ("ok", "partial", "demand")]
if len(accepted) != key["priced_lines"]:
    bad.append("lines %d, want %d" % (len(accepted), key["priced_lines"]))
if len(rows) != key["data_rows"]:
    bad.append("rows %d, want %d" % (len(rows), key["data_rows"]))
net = sum(round(r["sum"] * 100) for r in accepted)
want_net = round(float(key["reference_pricing"][0]["total_net"]) * 100)
if net != want_net:
    bad.append("net %d, want %d" % (net, want_net))
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
PY
		echo "$f: $output"
		[ "$status" -eq 0 ]
	done
}

@test "the installed templates are an order file with only its header" {
	for t in order-template.xlsx order-template.csv; do
		run -65 --separate-stderr order check "$FX_SRCDIR/conf/$t" \
		    --entity "$HEAD"
		[ "$stderr" = "formix-order: $FX_SRCDIR/conf/$t: only a header row, no articles" ]
	done
}
