#!/usr/bin/env bats
# formix-order report: goods a dealer has not ordered that dealers on the
# same price type did (not-purchased), and an entity's demand against the
# deliveries (demand); who may see them; the formats and the files; bad
# options.
#
# The world of not-purchased (today 2026-11-27, 6 months: from
# 2026-05-27), orders keyed in 1C with their 1C dates:
#   A00001 (asked about): A00001-1 the head, A00001-2 its subsidiary,
#     both on the base price type.  A00001-2 ordered p-1 in the window,
#     A00001-1 p-3 in the window and p-4 before it.
#   B00001, C00001, E00001: base price type -- the similar dealers (3).
#     B: p-1, p-2, p-4; again p-2.  C: p-2, p-3; p-4 before the window.
#     E: p-4 cancelled; p-6 (deleted in 1C).
#   D00001: pt-special, not similar: p-5.

load helpers

order() { "$FX_BIN/formix-order" "$@"; }

# The dealers and entities of the world above (INNs with real checksums).
world_conditions() {
	cat > "$BATS_TEST_TMPDIR/cond.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<formix-conditions version="1" generated="2026-11-01T09:00:00" full="true">
	<dealer id="A00001" name="Альфа">
		<entity id="A00001-1" name="ООО Альфа" inn="7702000011" kpp="770201001" head="" contract="1" contract-expires="2028-01-01" credit-limit="1000000" payment-days="30" price-type="" default-discount="10"/>
		<entity id="A00001-2" name="ООО Альфа-Юг" inn="7702000029" kpp="770201001" head="A00001-1" contract="2" contract-expires="2028-01-01" credit-limit="1000000" payment-days="30" price-type="" default-discount="0"/>
	</dealer>
	<dealer id="B00001" name="Бета">
		<entity id="B00001-1" name="ООО Бета" inn="7702000036" kpp="770201001" contract="3" contract-expires="2028-01-01" credit-limit="1000000" payment-days="30" price-type="" default-discount="0"/>
	</dealer>
	<dealer id="C00001" name="Гамма">
		<entity id="C00001-1" name="ООО Гамма" inn="7702000043" kpp="770201001" contract="4" contract-expires="2028-01-01" credit-limit="1000000" payment-days="30" price-type="" default-discount="0"/>
	</dealer>
	<dealer id="D00001" name="Дельта">
		<entity id="D00001-1" name="ООО Дельта" inn="7702000050" kpp="770201001" contract="5" contract-expires="2028-01-01" credit-limit="1000000" payment-days="30" price-type="pt-special" default-discount="0"/>
	</dealer>
	<dealer id="E00001" name="Эпсилон">
		<entity id="E00001-1" name="ООО Эпсилон" inn="7702000068" kpp="770201001" contract="6" contract-expires="2028-01-01" credit-limit="1000000" payment-days="30" price-type="" default-discount="0"/>
	</dealer>
</formix-conditions>
EOF
}

# doc ID INN DATE STATUS PRODUCT:QTY...: one order document keyed in 1C.
doc() {
	local id=$1 inn=$2 date=$3 status=$4 g
	shift 4
	printf '\t<Документ>\n\t\t<Ид>%s</Ид>\n\t\t<Номер>%s</Номер>\n' "$id" "$id"
	printf '\t\t<Дата1С>%s</Дата1С>\n' "$date"
	printf '\t\t<Контрагенты><Контрагент><ИНН>%s</ИНН><КПП>770201001</КПП></Контрагент></Контрагенты>\n' "$inn"
	printf '\t\t<Товары>\n'
	for g in "$@"; do
		printf '\t\t\t<Товар><Ид>%s</Ид><Количество>%s</Количество><Цена>1</Цена></Товар>\n' "${g%%:*}" "${g#*:}"
	done
	printf '\t\t</Товары>\n'
	printf '\t\t<ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>Статус заказа</Наименование><Значение>%s</Значение></ЗначениеРеквизита></ЗначенияРеквизитов>\n' "$status"
	printf '\t</Документ>\n'
}

world_orders() {
	{
		printf '<?xml version="1.0" encoding="UTF-8"?>\n'
		printf '<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.08" ДатаФормирования="2026-11-27T12:00:00">\n'
		printf '<Контейнер>\n'
		doc A-1 7702000029 2026-10-01 Принят p-1:2
		doc A-2 7702000011 2026-10-05 Принят p-3:1
		doc A-3 7702000011 2026-03-01 Закрыт p-4:1
		doc B-1 7702000036 2026-09-01 Принят p-1:5 p-2:3 p-4:1
		doc B-2 7702000036 2026-10-01T10:30:00 Отгружен p-2:2
		doc C-1 7702000043 2026-11-01 Принят p-2:4 p-3:1
		doc C-2 7702000043 2026-01-10 Закрыт p-4:10
		doc E-1 7702000068 2026-08-01 Отменен p-4:7
		doc E-2 7702000068 2026-08-02 Принят p-6:1
		doc D-1 7702000050 2026-09-05 Принят p-5:9
		printf '</Контейнер>\n</КоммерческаяИнформация>\n'
	} > "$BATS_TEST_TMPDIR/orders.xml"
}

world() {
	fx_instance
	world_conditions
	world_orders
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$BATS_TEST_TMPDIR/cond.xml" 2>/dev/null
	admin -q import "$BATS_TEST_TMPDIR/orders.xml"
}

# Article, share, dealers and quantity of each row.
np() {
	order report not-purchased "$@" --tsv -H | cut -f1,4,5,6
}

@test "not-purchased: the shares of similar dealers, ranked" {
	world
	[ "$(order list --tsv -H | wc -l)" -eq 10 ]
	run -0 order report not-purchased --entity A00001-1 --tsv
	[ "${lines[0]}" = "article	name	group	share	dealers	qty	retail	net	stock	id" ]
	# p-1 the subsidiary ordered, p-3 the head; p-4 B ordered (C's was
	# before the window, E's cancelled); p-6 is deleted; p-5 is D's.
	[ "${lines[1]}" = "MS-00123	Молоток слесарный 500 г	Ручной инструмент	66.67	2	9	990.00	720.00	0	p-2" ]
	[ "${lines[2]}" = "AMB-1	Набор бит ЗУБР	Ручной инструмент	33.33	1	1	300.00	225.00	3	p-4" ]
	[ "${#lines[@]}" -eq 3 ]
	# INN/KPP names the entity as well; the table has its footer.
	run -0 order report not-purchased --entity 7702000011/770201001
	[ "${lines[3]}" = "2 goods; 2026-05-27 to 2026-11-27; 3 similar dealers (price type base)" ]
	run -0 np --entity A00001-1 --min-share 50
	[ "$output" = "MS-00123	66.67	2	9" ]
	run -0 np --entity A00001-1 --min-share 0 --limit 1
	[ "$output" = "MS-00123	66.67	2	9" ]
	# A window of 12 months reaches C's p-4 and the head's own p-4.
	run -0 np --entity A00001-1 --months 12
	[ "$output" = "MS-00123	66.67	2	9" ]
	# One month: only C's order of 2026-11-01; the head's p-3 of
	# 2026-10-05 is before it.
	run -0 np --entity A00001-1 --months 1
	[ "$output" = "MS-00123	33.33	1	4
W26110	33.33	1	1" ]
	# Another day: the window moves with FORMIX_TODAY; orders dated
	# after it (the subsidiary's p-1 of 2026-10-01) do not count.
	FORMIX_TODAY=2026-09-30 run -0 np --entity A00001-1 --months 1
	[ "$output" = "27087-10	33.33	1	5
MS-00123	33.33	1	3
AMB-1	33.33	1	1" ]
}

@test "not-purchased: the other segment and a dealer with no peers" {
	world
	# D is alone on pt-special: no similar dealers, no rows.
	run -0 order report not-purchased --entity D00001-1 --tsv -H
	[ -z "$output" ]
	run -0 order report not-purchased --entity D00001-1
	[ "$output" = "0 goods; 2026-05-27 to 2026-11-27; 0 similar dealers (price type pt-special)" ]
	# Months back to a shorter month end on its last day.
	FORMIX_TODAY=2026-05-31 run -0 order report not-purchased --entity D00001-1 --months 3
	[ "$output" = "0 goods; 2026-02-28 to 2026-05-31; 0 similar dealers (price type pt-special)" ]
	FORMIX_TODAY=2028-08-31 run -0 order report not-purchased --entity D00001-1
	[ "$output" = "0 goods; 2028-02-29 to 2028-08-31; 0 similar dealers (price type pt-special)" ]
	FORMIX_TODAY=2027-01-15 run -0 order report not-purchased --entity D00001-1 --months 25
	[ "$output" = "0 goods; 2024-12-15 to 2027-01-15; 0 similar dealers (price type pt-special)" ]
	# B among A, C and E: p-3 (A and C), p-6 deleted, p-1 B's own.
	run -0 np --entity B00001-1
	[ "$output" = "W26110	66.67	2	2" ]
}

@test "not-purchased: JSON, and the files" {
	world
	run -0 order report not-purchased --entity A00001-1 --json
	[ "${lines[0]}" = '{"article":"MS-00123","name":"Молоток слесарный 500 г","group":"Ручной инструмент","share":66.67,"dealers":2,"qty":9,"retail":990.00,"net":720.00,"stock":0,"id":"p-2"}' ]
	run -0 order report not-purchased --entity A00001-1 -o "$BATS_TEST_TMPDIR/np.csv" --tsv -H
	[ "$(tr -d '\r' < "$BATS_TEST_TMPDIR/np.csv" | sed '1s/^\xef\xbb\xbf//')" = "Артикул;Наименование;Группа;Доля дилеров, %;Дилеров;Количество;Розничная цена;Цена;Остаток
MS-00123;Молоток слесарный 500 г;Ручной инструмент;66.67;2;9;990.00;720.00;0
AMB-1;Набор бит ЗУБР;Ручной инструмент;33.33;1;1;300.00;225.00;3" ]
	run -0 order report not-purchased --entity A00001-1 -o "$BATS_TEST_TMPDIR/np.xlsx"
	[ -s "$BATS_TEST_TMPDIR/np.xlsx" ]
	# The workbook reads back as the CSV says: a header row, two goods.
	xlsx_is_csv "$BATS_TEST_TMPDIR/np.xlsx" "$BATS_TEST_TMPDIR/np.csv" \
	    "Не покупает" 6,7
	# No temporary file is left beside it.
	[ "$(ls -A "$BATS_TEST_TMPDIR" | grep -c tmp)" -eq 0 ]
	run -73 --separate-stderr order report not-purchased --entity A00001-1 -o "$BATS_TEST_TMPDIR/nodir/np.csv"
	[[ "$stderr" == "formix-order: $BATS_TEST_TMPDIR/nodir/np.csv: "* ]]
}

@test "not-purchased: who sees what" {
	world
	admin user add boss --dealer A00001 --name "Суперпользователь" --superuser >/dev/null
	admin user add subemp --dealer A00001 --name "Дочерняя" --entity A00001-2 --perm order >/dev/null
	admin user add heademp --dealer A00001 --name "Головная" --entity A00001-1 --perm order >/dev/null
	admin user add other --dealer B00001 --name "Чужой" --superuser >/dev/null
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -0 np --entity A00001-1 --as boss
	[ "$output" = "MS-00123	66.67	2	9
AMB-1	33.33	1	1" ]
	# The head's employee sees the subsidiary as well: the same answer.
	run -0 np --entity A00001-1 --as heademp
	[ "$output" = "MS-00123	66.67	2	9
AMB-1	33.33	1	1" ]
	run -0 np --entity A00001-2 --as heademp
	[ "$output" = "MS-00123	66.67	2	9
AMB-1	33.33	1	1" ]
	# The subsidiary's employee does not see the head: its p-3 is not
	# the dealer's as far as this user may know.
	run -0 np --entity A00001-2 --as subemp
	[ "$output" = "MS-00123	66.67	2	9
AMB-1	33.33	1	1
W26110	33.33	1	1" ]
	for who in subemp other; do
		run -1 --separate-stderr order report not-purchased --entity A00001-1 --as "$who"
		[ "$stderr" = 'formix-order: unknown legal entity "A00001-1"' ]
	done
	run -1 --separate-stderr order report demand --entity 7702000011/770201001 --as other
	[ "$stderr" = 'formix-order: unknown legal entity "7702000011/770201001"' ]
	run -0 order report demand --entity A00001-2 --as heademp
	# Reports change nothing.
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "demand: demand, reservation, shipments and arrivals" {
	fx_instance
	fx_load_fixtures
	printf 'Артикул;Количество\n27087-10;20\nMS-00123;3\nW26110;5\n' > "$BATS_TEST_TMPDIR/o.csv"
	order new "$BATS_TEST_TMPDIR/o.csv" --entity D00001-1 >/dev/null 2>&1
	# A draft is not demand yet.
	run -0 order report demand --entity D00001-1 --tsv -H
	[ -z "$output" ]
	order submit 000001 >/dev/null 2>&1
	day=$(order show 000001 --tsv -H | head -1 | cut -f4 | cut -c1-10)
	run -0 order report demand --entity D00001-1 --tsv
	[ "${lines[0]}" = "order	date	line	article	name	qty	demand	delivery	delivery_date	arrival	reserved	shipped	cancelled	owed	stock	id" ]
	[ "${lines[1]}" = "000001	$day	1	27087-10	Ключ комбинированный 10 мм	20	5	IN-0001	2026-12-10	due	0	0	0	5	15	p-1" ]
	[ "${lines[2]}" = "000001	$day	2	MS-00123	Молоток слесарный 500 г	3	3	IN-0001	2026-12-10	due	0	0	0	3	0	p-2" ]
	[ "${#lines[@]}" -eq 3 ]
	# Reserved on the later delivery; 1C reserves and ships part.
	order reserve 000001 2 --delivery IN-0003 --qty 1 >/dev/null
	admin -q import "$DATA/orders/1c-status.xml"
	run -0 order report demand --entity D00001-1 --tsv -H
	[ "$(cut -f3,7-14 <<< "$output")" = "1	5	IN-0001	2026-12-10	due	0	8	0	5
2	3	IN-0003	2027-01-15	due	1	0	0	3" ]
	run -0 order report demand --entity D00001-1
	[ "${lines[3]}" = "2 lines: demand 8, reserved 1, shipped 8, owed 8" ]
	# Past its date and still listed: late.
	FORMIX_TODAY=2026-12-11 run -0 order report demand --entity D00001-1 --tsv -H
	[ "$(cut -f3,10 <<< "$output")" = "1	late
2	due" ]
	# A full deliveries file without IN-0001: gone (arrived).
	cat > "$BATS_TEST_TMPDIR/deliv.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<formix-deliveries version="1" generated="2026-11-27T09:30:00" full="true">
	<delivery id="IN-0003" date="2027-01-20">
		<line product="p-2" qty="1"/>
	</delivery>
</formix-deliveries>
EOF
	admin -q import "$BATS_TEST_TMPDIR/deliv.xml"
	admin -q import "$DATA/orders/1c-shipped.xml"
	run -0 order report demand --entity D00001-1 --tsv -H
	[ "$(cut -f3,7-14 <<< "$output")" = "1	5	IN-0001	2026-12-10	gone	0	20	0	0
2	3	IN-0003	2027-01-20	due	1	0	0	3" ]
	# Dates select orders by the day they were placed.
	run -0 order report demand --entity D00001-1 --tsv -H --from 2000-01-01 --to 2000-12-31
	[ -z "$output" ]
	run -0 order report demand --entity D00001-1 --tsv -H --from "$day" --to "$day"
	[ "${#lines[@]}" -eq 2 ]
	# The file has the totals row.
	run -0 order report demand --entity D00001-1 -o "$BATS_TEST_TMPDIR/d.csv"
	[ "$(tr -d '\r' < "$BATS_TEST_TMPDIR/d.csv" | tail -1)" = "Итого;;;;;;8;;;;1;20;;3;" ]
	run -0 order report demand --entity D00001-1 -o "$BATS_TEST_TMPDIR/d.xlsx"
	xlsx_is_csv "$BATS_TEST_TMPDIR/d.xlsx" "$BATS_TEST_TMPDIR/d.csv" \
	    "Под заказ" ""
	run -0 order report demand --entity D00001-1 --json
	[ "${lines[1]}" = '{"order":"000001","date":"'"$day"'","line":2,"article":"MS-00123","name":"Молоток слесарный 500 г","qty":3,"demand":3,"delivery":"IN-0003","delivery_date":"2027-01-20","arrival":"due","reserved":1,"shipped":0,"cancelled":0,"owed":3,"stock":0,"id":"p-2"}' ]
}

@test "bad options: each a usage error, before the store is opened" {
	fx_instance
	for args in \
	    "report" \
	    "report sideways --entity X" \
	    "report not-purchased" \
	    "report not-purchased --entity X --months 0" \
	    "report not-purchased --entity X --months 121" \
	    "report not-purchased --entity X --months six" \
	    "report not-purchased --entity X --min-share 101" \
	    "report not-purchased --entity X --min-share -1" \
	    "report not-purchased --entity X --limit 0" \
	    "report not-purchased --entity X --from 2026-01-01" \
	    "report not-purchased --entity X -o out.txt" \
	    "report demand --entity X --months 3" \
	    "report demand --entity X --from 2026-02-30" \
	    "report demand --entity X --to yesterday"; do
		run -64 --separate-stderr order $args
		[ -n "$stderr" ]
	done
	run -64 --separate-stderr order report not-purchased --entity X --months 0
	[ "${stderr%%$'\n'*}" = 'formix-order: --months wants 1 to 120 months, not "0"' ]
	run -64 --separate-stderr order report demand --entity X --from 2026-02-30
	[ "${stderr%%$'\n'*}" = 'formix-order: --from wants a date as YYYY-MM-DD, not "2026-02-30"' ]
	run -64 --separate-stderr order report demand --entity X --from 2026-03-01 --to 2026-02-01
	[ "${stderr%%$'\n'*}" = 'formix-order: the first day 2026-03-01 is after the last 2026-02-01' ]
	run -1 --separate-stderr order report demand --entity X
	[ "$stderr" = 'formix-order: unknown legal entity "X"' ]
}
