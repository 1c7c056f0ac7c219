#!/usr/bin/env bats
# formix-stock: lookups, dealer prices, filters, output formats, arrivals.

load helpers

ASOF='catalog as of 2026-11-20T06:00:00, prices and stock as of 2026-11-20T06:05:00, conditions as of 2026-03-01T09:00:00, deliveries as of 2026-03-01T09:30:00'

setup() {
	fx_instance
	fx_load_fixtures
	# Deliveries are counted from "today"; the fixtures' dates are fixed.
	export FORMIX_TODAY=2026-11-01
}

# Two entities of one INN (a company and its branch), and one whose only
# rule is on the parent group of the product it buys (g-hand over g-keys).
more_conditions() {
	cat > "$BATS_TEST_TMPDIR/more.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<formix-conditions version="1" generated="2026-03-05T09:00:00" full="false">
	<dealer id="D9" name="Дилер 9">
		<entity id="D9-1" name="ООО Девять" inn="7707083893" kpp="773601001" default-discount="2">
			<discount group="g-hand" percent="10"/>
		</entity>
		<entity id="D9-2" name="ООО Девять, филиал" inn="7707083893" kpp="773602002" head="D9-1"/>
	</dealer>
</formix-conditions>
EOF
	admin -q import "$BATS_TEST_TMPDIR/more.xml"
}

@test "an article prints one aligned row with prices, stock and deliveries" {
	run -0 --separate-stderr stock 27087-10 MS-00123
	[ "$stderr" = "" ]
	[ "${lines[0]}" = "article   name                        unit    retail      base  Москва  Санкт-Петербург  total  arrivals" ]
	[ "${lines[1]}" = "27087-10  Ключ комбинированный 10 мм  шт    1 250.00  1 000.05      10                5     15  2026-12-10:15" ]
	[ "${lines[2]}" = "MS-00123  Молоток слесарный 500 г     шт      990.00    800.00       0                0      0  2026-12-10:2.5, 2027-01-15:1" ]
	[ "${lines[3]}" = "$ASOF" ]
	[ "${#lines[@]}" -eq 4 ]
}

@test "articles are matched after normalisation: case, spaces and dashes" {
	run -0 stock -H -o id ' ms–00123 ' 'w26110'
	[ "$output" = "$(printf 'p-2\np-3')" ]
}

@test "an ambiguous article prints every product and exits 1" {
	run -1 --separate-stderr stock --tsv -H -o id,name AMB-1 27087-10
	[ "$stderr" = 'formix-stock: article "AMB-1" is ambiguous: 2 products' ]
	[ "${lines[0]}" = "p-5	Набор бит Matrix" ]
	[ "${lines[1]}" = "p-4	Набор бит ЗУБР" ]
	[ "${lines[2]}" = "p-1	Ключ комбинированный 10 мм" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "an unknown article exits 1; the others are still printed" {
	run -1 --separate-stderr stock --tsv -H -o article NOPE-1 W26110 'x"y'
	[ "$output" = "W26110" ]
	[ "${stderr_lines[0]}" = 'formix-stock: unknown article "NOPE-1"' ]
	[ "${stderr_lines[1]}" = 'formix-stock: unknown article "x\"y"' ]
}

@test "an article hidden by a filter is said so, not called unknown" {
	run -1 --separate-stderr stock --in-stock MS-00123
	[ "$output" = "" ]
	[ "$stderr" = 'formix-stock: article "MS-00123" does not pass the filters' ]
}

@test "lookup by Ид; an unknown Ид exits 1" {
	run -0 stock --tsv -H -o article,id --id p-3
	[ "$output" = "W26110	p-3" ]
	run -1 --separate-stderr stock --id p-99
	[ "$stderr" = 'formix-stock: unknown product "p-99"' ]
}

@test "a product deleted in 1C: found by article, marked, left out of listings" {
	run -0 stock -o article,deleted OLD-1
	[ "${lines[0]}" = "article  deleted" ]
	[ "${lines[1]}" = "OLD-1    yes" ]
	run -0 stock --json -o id,deleted --id p-6
	[ "$output" = '{"id":"p-6","deleted":true}' ]
	run -0 stock --tsv -H -o id
	[ "$output" = "$(printf 'p-1\np-5\np-4\np-2\np-3')" ]
	run -0 stock --tsv -H -o id --deleted
	[ "$output" = "$(printf 'p-1\np-5\np-4\np-2\np-6\np-3')" ]
}

@test "search: Cyrillic words in any case, and article prefixes" {
	run -0 stock --tsv -H -o id -s 'КЛЮЧ'
	[ "$output" = "p-1" ]
	run -0 stock --tsv -H -o id -s 'набор БИТ'
	[ "$output" = "$(printf 'p-5\np-4')" ]
	run -1 stock --tsv -H -o id -s 'бит молоток'
	[ "$output" = "" ]
	run -0 stock --tsv -H -o id -s 'ms-001'
	[ "$output" = "p-2" ]
	run -0 stock --tsv -H -o id -s 'ключ' --deleted
	[ "$output" = "$(printf 'p-1\np-6')" ]
	run -1 --separate-stderr stock -s 'перфоратор'
	[ "$output" = "" ]
	[ "$stderr" = "" ]
}

@test "group filter takes the whole subtree, by name in any case or by Ид" {
	run -0 stock --tsv -H -o id --group 'ручной ИНСТРУМЕНТ'
	[ "$output" = "$(printf 'p-1\np-5\np-4\np-2')" ]
	run -0 stock --tsv -H -o id --group g-keys
	[ "$output" = "p-1" ]
	run -0 stock --tsv -H -o id -g Электроинструмент
	[ "$output" = "p-3" ]
	run -1 --separate-stderr stock -g 'Сантехника'
	[ "$stderr" = 'formix-stock: unknown group "Сантехника"' ]
}

@test "in-stock, per warehouse, and incoming filters" {
	run -0 stock --tsv -H -o id --in-stock
	[ "$output" = "$(printf 'p-1\np-5\np-4\np-3')" ]
	run -0 stock -o article,stock,total --in-stock -w 'Санкт-Петербург'
	[ "${lines[0]}" = "article   Санкт-Петербург  total" ]
	[ "${lines[1]}" = "27087-10                5     15" ]
	[ "${lines[2]}" = "AMB-1                   1      1" ]
	[ "${#lines[@]}" -eq 4 ]
	run -0 stock --tsv -H -o id --in-stock -w w-msk -g 'ручной инструмент'
	[ "$output" = "$(printf 'p-1\np-4')" ]
	run -0 stock --tsv -H -o id --incoming
	[ "$output" = "$(printf 'p-1\np-2\np-3')" ]
	FORMIX_TODAY=2027-01-01 run -0 stock --tsv -H -o id,arrivals --incoming
	[ "$output" = "$(printf 'p-2\t2027-01-15:1\np-3\t2027-01-15:100')" ]
	run -1 --separate-stderr stock -w Казань
	[ "$stderr" = 'formix-stock: unknown warehouse "Казань"' ]
}

@test "dealer price: base less the discount of the nearest group with a rule" {
	run -0 stock -e 7701123451 27087-10 MS-00123 W26110
	[ "${lines[0]}" = "article   name                        unit    retail       net  discount  Москва  Санкт-Петербург  total  arrivals" ]
	# g-keys has its own rule (12.25), g-hand 4.5, g-power none: default 7.5.
	[ "${lines[1]}" = "27087-10  Ключ комбинированный 10 мм  шт    1 250.00    877.54     12.25      10                5     15  2026-12-10:15" ]
	[ "${lines[2]}" = "MS-00123  Молоток слесарный 500 г     шт      990.00    764.00       4.5       0                0      0  2026-12-10:2.5, 2027-01-15:1" ]
	[ "${lines[3]}" = "W26110    Дрель ударная 650 Вт        шт    5 490.00  4 069.99       7.5       7                0      7  2026-12-20:4, 2027-01-15:100" ]
	# By INN/KPP and by Ид: the same entity.
	run -0 stock --tsv -H -o net,discount -e 7701123451/770101001 27087-10
	[ "$output" = "877.54	12.25" ]
	run -0 stock --tsv -H -o net,discount -e D00001-1 27087-10
	[ "$output" = "877.54	12.25" ]
}

@test "dealer price: a rule on an ancestor group applies below it" {
	more_conditions
	# p-1 is in g-keys (no rule) under g-hand (10%): 1000.05 * 0.9 =
	# 900.045, half up to 900.05; p-3 has no rule anywhere: default 2%.
	run -0 stock --tsv -H -o id,base,net,discount -e 7707083893/773601001 27087-10 W26110
	[ "${lines[0]}" = "p-1	1000.05	900.05	10" ]
	[ "${lines[1]}" = "p-3	4399.99	4311.99	2" ]
}

@test "dealer price: the entity's own price type wins where the product has it" {
	run -0 stock --json -o id,net,discount,own_price -e 7810123451 27087-10 MS-00123
	[ "${lines[0]}" = '{"id":"p-1","net":900.00,"discount":0,"own_price":true}' ]
	[ "${lines[1]}" = '{"id":"p-2","net":800.00,"discount":0,"own_price":false}' ]
	run -0 stock -o article,net,discount -e 7810123451 27087-10
	[ "${lines[1]}" = "27087-10  900.00       own" ]
}

@test "entity errors: unknown exits 1, a shared INN without KPP exits 65" {
	run -1 --separate-stderr stock -e 7701000000 27087-10
	[ "$output" = "" ]
	[ "$stderr" = 'formix-stock: unknown legal entity "7701000000"' ]
	more_conditions
	run -65 --separate-stderr stock -e 7707083893 27087-10
	[ "$stderr" = 'formix-stock: INN "7707083893" matches 2 legal entities: give INN/KPP' ]
	run -0 stock --tsv -H -o net -e 7707083893/773602002 27087-10
	[ "$output" = "1000.05" ]
}

@test "TSV: a header of stable names, one column per warehouse, as-of columns" {
	run -0 stock --tsv -e 7701123451 27087-10
	[ "${lines[0]}" = "article	name	unit	group	retail	base	net	discount	own_price	Москва	Санкт-Петербург	total	arrivals	id	deleted	catalog_asof	offers_asof	conditions_asof	deliveries_asof" ]
	[ "${lines[1]}" = "27087-10	Ключ комбинированный 10 мм	шт	Ключи	1250.00	1000.05	877.54	12.25	0	10	5	15	2026-12-10:15	p-1	0	2026-11-20T06:00:00	2026-11-20T06:05:00	2026-03-01T09:00:00	2026-03-01T09:30:00" ]
	[ "${#lines[@]}" -eq 2 ]
	run -0 stock --tsv --no-header -o article,net 27087-10
	[ "$output" = "27087-10	" ]
}

@test "JSON Lines: every line parses; numbers are numbers, stock an object" {
	run -0 stock --json -e 7701123451
	[ "${#lines[@]}" -eq 5 ]
	printf '%s\n' "$output" | "${PYTHON3:-python3}" -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
p1 = [r for r in rows if r["id"] == "p-1"][0]
assert p1["net"] == 877.54 and p1["retail"] == 1250 and p1["discount"] == 12.25
assert p1["stock"] == {"Москва": 10, "Санкт-Петербург": 5}, p1["stock"]
assert p1["total"] == 15 and p1["own_price"] is False and p1["deleted"] is False
assert p1["arrivals"] == [{"date": "2026-12-10", "qty": 15, "warehouse": "Москва"}]
assert p1["asof"]["catalog"] == "2026-11-20T06:00:00"
p2 = [r for r in rows if r["id"] == "p-2"][0]
assert p2["arrivals"][1] == {"date": "2027-01-15", "qty": 1, "warehouse": None}
assert p2["stock"] == {"Москва": 0, "Санкт-Петербург": 0}
'
	# Without an entity there is no net price.
	run -0 stock --json -o net,discount 27087-10
	[ "$output" = '{"net":null,"discount":null}' ]
}

@test "TSV and JSON escape backslashes and quotes in names" {
	sed -e 's|<Наименование>Набор бит ЗУБР</Наименование>|<Наименование>back\\slash "q"</Наименование>|' \
	    "$DATA/cml/import.xml" > "$BATS_TEST_TMPDIR/import.xml"
	admin -q import "$BATS_TEST_TMPDIR/import.xml" "$DATA/cml/offers.xml" 2>/dev/null
	run -0 stock --tsv -H -o name --id p-4
	[ "$output" = 'back\\slash "q"' ]
	run -0 stock --json -o name,total --id p-4
	[ "$output" = '{"name":"back\\slash \"q\"","total":3}' ]
	printf '%s\n' "$output" | "${PYTHON3:-python3}" -c '
import json, sys
assert json.loads(sys.stdin.readline())["name"] == "back\\slash \"q\""'
}

@test "limit and field selection" {
	run -0 stock --tsv -H -o id -n 2
	[ "$output" = "$(printf 'p-1\np-5')" ]
	# The limit is over all lookups together.
	run -1 --separate-stderr stock --tsv -H -o id -n 2 AMB-1 W26110 27087-10
	[ "$output" = "$(printf 'p-5\np-4')" ]
	run -64 --separate-stderr stock -o article,price
	[ "${stderr_lines[0]}" = 'formix-stock: unknown field "price" in --output' ]
}

@test "arrivals: every delivery line by date, with --from and --to" {
	run -0 stock arrivals
	[ "${lines[0]}" = "date        article   name                        qty  warehouse        delivery  id" ]
	[ "${lines[1]}" = "2026-12-10  27087-10  Ключ комбинированный 10 мм   15  Москва           IN-0001   p-1" ]
	[ "${lines[5]}" = "2027-01-15  W26110    Дрель ударная 650 Вт        100                   IN-0003   p-3" ]
	[ "${lines[6]}" = "deliveries as of 2026-03-01T09:30:00" ]
	run -0 stock arrivals --from 2026-12-11 --to 2026-12-31 --tsv -H
	[ "$output" = "2026-12-20	W26110	Дрель ударная 650 Вт	4	Санкт-Петербург	IN-0002	p-3" ]
	run -0 stock --json arrivals --from 2027-01-01 -o date,qty,id
	[ "${lines[0]}" = '{"date":"2027-01-15","qty":1,"id":"p-2"}' ]
	[ "${lines[1]}" = '{"date":"2027-01-15","qty":100,"id":"p-3"}' ]
	run -64 --separate-stderr stock arrivals --from 2026-13-01x
	[ "${stderr_lines[0]}" = 'formix-stock: --from wants a date as YYYY-MM-DD, not "2026-13-01x"' ]
}

@test "usage errors exit 64 with a hint" {
	run -64 --separate-stderr stock --bogus
	[ "${stderr_lines[0]}" = 'formix-stock: unknown option "--bogus"' ]
	[ "${stderr_lines[1]}" = "try 'formix-stock --help'" ]
	run -64 --separate-stderr stock --tsv --json
	[ "${stderr_lines[0]}" = 'formix-stock: --tsv and --json exclude each other' ]
	run -64 --separate-stderr stock -n ten
	[ "${stderr_lines[0]}" = 'formix-stock: --limit wants a count, not "ten"' ]
	run -64 --separate-stderr stock --from 2026-01-01 27087-10
	[ "${stderr_lines[0]}" = 'formix-stock: --from does not go with a lookup' ]
	run -64 --separate-stderr stock arrivals 27087-10
	[ "${stderr_lines[0]}" = 'formix-stock: an article, --id or --search does not go with arrivals' ]
	run -64 --separate-stderr stock -e
	[ "${stderr_lines[0]}" = 'formix-stock: option -e needs a value' ]
}

@test "no instance exits 66" {
	run -66 --separate-stderr stock -D "$BATS_TEST_TMPDIR/nowhere" 27087-10
	[[ "$stderr" == "formix-stock: instance $BATS_TEST_TMPDIR/nowhere"* ]]
}

@test "--help lists every long option on stdout; --version" {
	run -0 --separate-stderr stock --help
	[ "$stderr" = "" ]
	for o in root config entity group warehouse in-stock incoming deleted \
	    id search limit tsv json no-header output from to help version; do
		[[ "$output" == *"--$o"* ]] || { echo "missing --$o"; false; }
	done
	run -0 stock --version
	[ "$output" = "formix-stock (formix) 0.1" ]
}

@test "a write error on stdout exits 74" {
	[ -w /dev/full ] || skip "no /dev/full"
	run -74 --separate-stderr sh -c '"$0" 27087-10 > /dev/full' "$FX_BIN/formix-stock"
	[ "$stderr" = "formix-stock: write error: No space left on device" ]
}

# One catalog serves the lookups; in the products' Ид order (as a batch
# looks them up) it skips delivery line seeks that would find nothing.
@test "articles looked up together show the deliveries of each alone" {
	local day arts a one all order
	for day in 2026-11-01 2026-12-11 2027-01-01 2027-02-01; do
	for order in -k2 -rk2; do
		export FORMIX_TODAY=$day
		run -0 stock --tsv -H -o article,id --deleted
		arts=$(printf '%s\n' "${lines[@]}" | sort $order | cut -f1)
		one=
		for a in $arts; do
			one+=$(stock --tsv -H -o id,arrivals,total "$a" \
			    2>/dev/null || true)$'\n'
		done
		# shellcheck disable=SC2086
		all=$(stock --tsv -H -o id,arrivals,total $arts 2>/dev/null ||
		    true)$'\n'
		[ "$all" = "$one" ]
		[[ "$all" == *"2027-01-15:"* ]] || [ "$day" = 2027-02-01 ]
	done
	done
}
