#!/usr/bin/env bats
# formix-order new, submit, list, show: the draft, the rules at
# submission (each a one-line refusal that changes nothing), demand, the
# CommerceML document for 1C, the same file twice.

load helpers

order() { "$FX_BIN/formix-order" "$@"; }

HEAD=7701123451/770101001

setup() {
	fx_instance
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$DATA/cond/conditions.xml" 2>/dev/null
	admin -q import "$DATA/cond/deliveries.xml"
	printf 'Артикул;Количество\n27087-10;10\nMS-00123;3\nW26110;5\n27087-10;10\nNOPE;1\n' \
	    > "$BATS_TEST_TMPDIR/o.csv"
}

@test "new makes a draft, submit sends the document to 1C" {
	run -1 --separate-stderr order new "$BATS_TEST_TMPDIR/o.csv" \
	    --entity "$HEAD" --delivery "Самовывоз" --comment 'к пятнице & <срочно>' --tsv -H
	[ "${#lines[@]}" -eq 5 ]
	[ "$stderr" = "formix-order: draft order 000001: 3 lines, net 40 192.75; submit it with: formix-order submit 000001" ]
	run -0 order list --tsv -H
	[ "$(cut -f1,2,5,6,7,9 <<< "$output")" = "000001	draft	D00001-1	3	40192.75	Самовывоз" ]
	[ ! -e "$FORMIX_ROOT/spool/1c/out/order-000001.xml" ]

	run -0 --separate-stderr order submit 000001 --tsv -H
	[ "$stderr" = "formix-order: order 000001 submitted: 3 lines, net 40 192.75 (demand 6 679.70); sent to 1C as order-000001.xml" ]
	[ "$(cut -f1,2,4,5,6,9,10,11 <<< "$output")" = "1	27087-10	20	15	5	IN-0001	2026-12-10	2,5
2	MS-00123	3	0	3	IN-0001	2026-12-10	3
3	W26110	5	5	0			4" ]
	xml="$FORMIX_ROOT/spool/1c/out/order-000001.xml"
	[ -f "$xml" ]
	run -0 "${PYTHON3:-python3}" - "$xml" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"c": "urn:1C.ru:commerceml_2"}
root = ET.parse(sys.argv[1]).getroot()
assert root.get("ВерсияСхемы") == "2.08"
d = root.find("c:Документ", ns)
g = lambda e, p: e.find(p, ns).text
assert g(d, "c:ХозОперация") == "Заказ товара"
assert g(d, "c:Роль") == "Продавец"
assert g(d, "c:Номер") == "000001"
assert g(d, "c:Сумма") == "40192.75"
assert g(d, "c:Комментарий") == "к пятнице & <срочно>"
k = d.find("c:Контрагенты/c:Контрагент", ns)
assert g(k, "c:ИНН") == "7701123451" and g(k, "c:КПП") == "770101001"
assert g(k, "c:Роль") == "Покупатель"
lines = d.findall("c:Товары/c:Товар", ns)
got = [(g(t, "c:Ид"), g(t, "c:Количество"), g(t, "c:ЦенаЗаЕдиницу"),
    g(t, "c:Сумма"), {r.find("c:Наименование", ns).text:
    r.find("c:Значение", ns).text for r in
    t.findall("c:ЗначенияРеквизитов/c:ЗначениеРеквизита", ns)}.get("Под заказ"))
    for t in lines]
assert got == [("p-1", "20", "877.54", "17550.80", "5"),
    ("p-2", "3", "764.00", "2292.00", "3"),
    ("p-3", "5", "4069.99", "20349.95", None)], got
req = {r.find("c:Наименование", ns).text: r.find("c:Значение", ns).text
    for r in d.findall("c:ЗначенияРеквизитов/c:ЗначениеРеквизита", ns)}
assert req["Способ доставки"] == "Самовывоз", req
print("ok")
PY
	echo "$output"
	admin log --object 000001 | grep -q 'order.submit'
	run -0 order show 000001 --tsv -H
	[ "$(head -1 <<< "$output" | cut -f1,2,11)" = "000001	submitted	order-000001.xml" ]

	run -1 --separate-stderr order submit 000001
	[[ "$stderr" == "formix-order: order 000001 is already submitted on "* ]]
}

@test "the same file twice: already applied" {
	run -1 order new "$BATS_TEST_TMPDIR/o.csv" --entity "$HEAD"
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -1 --separate-stderr order new "$BATS_TEST_TMPDIR/o.csv" --entity "$HEAD"
	[ "$stderr" = "formix-order: $BATS_TEST_TMPDIR/o.csv: already applied as order 000001 on $(date -u +%F)" ]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "submit refuses: minimum sum, receivables, contract, permission; nothing changes" {
	run -1 order new "$BATS_TEST_TMPDIR/o.csv" --entity "$HEAD"

	fx_conf_add orders "min_sum: 50000"
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -1 --separate-stderr order submit 000001
	[ "$stderr" = "formix-order: ordering refused: order 000001 sum 40 192.75 is below the minimum 50 000.00 (orders.min_sum)" ]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	[ ! -e "$FORMIX_ROOT/spool/1c/out/order-000001.xml" ]
	sed -i 's/min_sum: 50000/min_sum: 0/' "$FORMIX_ROOT/formix.yaml"

	# Debt above the credit limit: the receivables block rule.
	sed 's/debt="125000.50"/debt="600000"/' "$DATA/cond/conditions.xml" \
	    > "$BATS_TEST_TMPDIR/cond.xml"
	admin -q import "$BATS_TEST_TMPDIR/cond.xml"
	run -1 --separate-stderr order submit 000001
	[[ "$stderr" == "formix-order: ordering blocked: "*"600 000.00"*"500 000.00"* ]]
	[ ! -e "$FORMIX_ROOT/spool/1c/out/order-000001.xml" ]
	admin -q import --force "$DATA/cond/conditions.xml" 2>/dev/null ||
	    admin -q import "$DATA/cond/conditions.xml"

	# A user without the order permission, a blocked user.
	admin user add nop --dealer D00001 --name N --entity D00001-1 \
	    --perm claim >/dev/null
	run -77 --separate-stderr order --as nop submit 000001
	[ "$stderr" = 'formix-order: permission denied: user "nop" may not order for "ООО \"Промсервис\""' ]
	run -77 --separate-stderr order --as nop new "$BATS_TEST_TMPDIR/o.csv" --entity D00001-1
	admin user add emp --dealer D00001 --name E --entity D00001-1 \
	    --perm order >/dev/null
	admin user block emp --reason "уволился" >/dev/null
	run -77 --separate-stderr order --as emp submit 000001
	[ "$stderr" = 'formix-order: user "emp" is blocked: уволился' ]
	# Another dealer does not even learn that the order exists.
	admin user add other --dealer D00002 --name O --superuser >/dev/null
	run -1 --separate-stderr order --as other show 000001
	[ "$stderr" = 'formix-order: unknown order "000001"' ]
	run -0 order --as other list --tsv -H
	[ -z "$output" ]

	run -0 order submit 000001 --tsv -H
	[ -f "$FORMIX_ROOT/spool/1c/out/order-000001.xml" ]
}

@test "submit refuses a damaged record: no document, still a draft" {
	run -1 order new "$BATS_TEST_TMPDIR/o.csv" --entity "$HEAD" \
	    --comment "zzdamagezz"
	# No command writes a control character into a record: damage
	# data.mdb itself (LMDB keeps no checksum), in every copy.
	run -0 "${PYTHON3:-python3}" - "$FORMIX_ROOT/db/data.mdb" <<'PY'
import sys
p = sys.argv[1]
b = open(p, "rb").read()
n = b.count(b"zzdamagezz")
open(p, "r+b").write(b.replace(b"zzdamagezz", b"zz\x01amagezz"))
print(n)
PY
	[ "$output" -ge 1 ]
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -70 --separate-stderr order submit 000001
	[ "$stderr" = "formix-order: order 000001: cannot write it for 1C: the text of <Комментарий> holds a control character or bytes that are not UTF-8 (a damaged store record?)" ]
	[ ! -e "$FORMIX_ROOT/spool/1c/out/order-000001.xml" ]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	run -0 order list --tsv -H
	[ "$(cut -f1,2 <<< "$output")" = "000001	draft" ]
}

@test "new for an expired contract is refused" {
	printf 'Артикул;Количество\nW26110;1\n' > "$BATS_TEST_TMPDIR/s.csv"
	run -1 --separate-stderr order new "$BATS_TEST_TMPDIR/s.csv" --entity 770123456703
	[ "$stderr" = 'formix-order: ordering blocked: contract "Д-14/2025" of "ИП Иванов И.И." expired on 2026-06-30' ]
	run -0 order list --tsv -H
	[ -z "$output" ]
}

@test "list filters by entity, status and date; show needs a known order" {
	run -1 order new "$BATS_TEST_TMPDIR/o.csv" --entity "$HEAD"
	printf 'Артикул;Количество\nW26110;1\n' > "$BATS_TEST_TMPDIR/s.csv"
	run -0 order new "$BATS_TEST_TMPDIR/s.csv" --entity D00001-2
	run -0 order submit 000002
	run -0 order list --tsv -H
	[ "$(cut -f1,2,5 <<< "$output")" = "000002	submitted	D00001-2
000001	draft	D00001-1" ]
	run -0 order list --tsv -H --entity 7701123451
	[ "$(cut -f1 <<< "$output")" = "000001" ]
	run -0 order list --tsv -H --status submitted
	[ "$(cut -f1 <<< "$output")" = "000002" ]
	run -0 order list --tsv -H --from 2099-01-01
	[ -z "$output" ]
	run -64 --separate-stderr order list --from 1.1.2026
	[ "${stderr_lines[0]}" = 'formix-order: --from wants a date as YYYY-MM-DD, not "1.1.2026"' ]
	run -1 --separate-stderr order show 000099
	[ "$stderr" = 'formix-order: unknown order "000099"' ]
	run -0 order show 000002 --json
	[[ "${lines[0]}" == '{"number":"000002","status":"submitted",'* ]]
	[[ "${lines[1]}" == '{"line":1,"article":"W26110",'* ]]
}

@test "demand lists what stock did not cover, by delivery" {
	run -1 order new "$BATS_TEST_TMPDIR/o.csv" --entity "$HEAD"
	run -0 order demand --tsv -H
	[ -z "$output" ]	# drafts owe nothing yet
	run -0 order submit 000001
	run -0 order demand --tsv -H
	[ "$(cut -f1-6,8,9 <<< "$output")" = "2026-12-10	IN-0001	000001	1	D00001-1	27087-10	5	20
2026-12-10	IN-0001	000001	2	D00001-1	MS-00123	3	3" ]
	run -0 order demand --tsv -H --article ' ms‑00123 '
	[ "$(cut -f3,4 <<< "$output")" = "000001	2" ]
	run -0 order demand --tsv -H --delivery IN-0002
	[ -z "$output" ]
	admin user add other --dealer D00002 --name O --superuser >/dev/null
	run -0 order --as other demand --tsv -H
	[ -z "$output" ]
}

@test "reserve: demand on a delivery, never beyond what it brings" {
	run -1 order new "$BATS_TEST_TMPDIR/o.csv" --entity "$HEAD"
	run -0 order submit 000001
	# Line 1: 27087-10, 20 ordered, 15 in stock, 5 owed; IN-0001 brings 15.
	run -0 order reserve 000001 1 --delivery IN-0001 --tsv -H
	[ "$(cut -f1,6,13,14 <<< "$output")" = "1	5	IN-0001	5" ]
	# Line 2: MS-00123, 3 owed; IN-0001 brings 2.5.
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -1 --separate-stderr order reserve 000001 2 --delivery IN-0001
	[ "$stderr" = 'formix-order: delivery IN-0001 of 2026-12-10 brings 2.5 of "MS-00123", 0 reserved for other lines: 3 more would exceed it' ]
	run -1 --separate-stderr order reserve 000001 3 --delivery IN-0001
	[ "$stderr" = 'formix-order: line 3 of order 000001 owes nothing: 5 ordered, 5 from stock' ]
	run -1 --separate-stderr order reserve 000001 1 --delivery IN-0002
	[ "$stderr" = 'formix-order: delivery IN-0002 of 2026-12-20 brings no "27087-10"' ]
	run -1 --separate-stderr order reserve 000001 1 --delivery IN-0001 --qty 6
	[ "$stderr" = 'formix-order: line 1 of order 000001 owes 5: 6 cannot be reserved' ]
	admin user add boss --dealer D00001 --name B --superuser >/dev/null
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -77 order --as boss reserve 000001 2 --delivery IN-0001 --qty 2
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	run -0 order reserve 000001 2 --delivery IN-0001 --qty 2.5 --tsv -H
	[ "$(cut -f13,14 <<< "$output")" = "IN-0001	2.5" ]
	# Another order cannot take what is reserved.
	printf 'Артикул;Количество\nMS-00123;1\n' > "$BATS_TEST_TMPDIR/m.csv"
	run -0 order new "$BATS_TEST_TMPDIR/m.csv" --entity "$HEAD"
	run -0 order submit 000002
	run -1 --separate-stderr order reserve 000002 1 --delivery IN-0001
	[ "$stderr" = 'formix-order: delivery IN-0001 of 2026-12-10 brings 2.5 of "MS-00123", 2.5 reserved for other lines: 1 more would exceed it' ]
	run -0 order reserve 000002 1 --delivery IN-0003
	# The dealer sees which delivery covers which line.
	run -0 order --as boss show 000001 --tsv -H
	[ "$(sed -n '2,3p' <<< "$output" | cut -f1,13,14)" = "1	IN-0001	5
2	IN-0001	2.5" ]
	admin log --object 000001/2 | grep -q 'order.reserve'
}
