#!/usr/bin/env bats
# 1C's order documents through formix-admin import: statuses mapped by
# orders.status_map, 1C's number and date, line events (reserved, ready,
# shipped, cancelled) recorded once, orders keyed in 1C, and each refusal
# leaving the store as it was.

load helpers

order() { "$FX_BIN/formix-order" "$@"; }

HEAD=7701123451/770101001
O="$DATA/orders"

setup() {
	fx_instance
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$DATA/cond/conditions.xml" 2>/dev/null
	admin -q import "$DATA/cond/deliveries.xml"
	printf 'Артикул;Количество\n27087-10;10\nMS-00123;3\nW26110;5\n27087-10;10\n' \
	    > "$BATS_TEST_TMPDIR/o.csv"
	order new "$BATS_TEST_TMPDIR/o.csv" --entity "$HEAD" >/dev/null 2>&1
	order submit 000001 >/dev/null 2>&1
}

# The history table of show --tsv -H, without the time.
history() {
	order show "$1" --tsv -H | awk -F'\t' 'NF == 8 { print $2, $3, $4, $5, $6, $7, $8 }'
}

@test "a document for a Formix order: status, 1C number, line events" {
	run -0 admin import "$O/1c-status.xml"
	[ "${lines[1]}" = "orders 1 (keyed in 1C 0), order events 5" ]
	run -0 order show 000001 --tsv -H
	[ "$(head -1 <<< "$output" | cut -f1,2,13-16)" = "000001	in_progress	formix	ЦБ-000123	2026-11-27	В работе" ]
	[ "$(sed -n '2,4p' <<< "$output" | cut -f1,4,15,16)" = "1	20	8	0
2	3	0	0
3	5	0	5" ]
	run -0 history 000001
	[ "$output" = "0 status  in_progress В работе ЦБ-000123 1c
1 reserved 20   ЦБ-000123 1c
1 shipped 8   ЦБ-000123 1c
2 ready 3   ЦБ-000123 1c
3 cancelled 5   ЦБ-000123 1c" ]
	admin log --object 000001 | grep -q 'order.1c'
	admin log --object 000001/1 | grep -q 'shipped'
	run -0 order list --tsv -H --status in_progress
	[ "$(cut -f1 <<< "$output")" = "000001" ]
	run -0 order list --tsv -H --status submitted
	[ -z "$output" ]
}

@test "the same document again records nothing; a later one only what moved" {
	admin -q import "$O/1c-status.xml"
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -0 --separate-stderr admin import "$O/1c-status.xml"
	[[ "$stderr" == "formix-admin: already applied on "* ]]
	# Other bytes (a later ДатаФормирования), the same document.
	run -0 admin import "$O/1c-status-resent.xml"
	[ "${lines[1]}" = "orders 1 (keyed in 1C 0), order events 0" ]
	run -0 admin import -f "$O/1c-status.xml"
	[ "${lines[1]}" = "orders 1 (keyed in 1C 0), order events 0" ]
	run -0 history 000001
	[ "${#lines[@]}" -eq 5 ]
	run -0 admin import "$O/1c-shipped.xml"
	[ "${lines[1]}" = "orders 1 (keyed in 1C 0), order events 2" ]
	run -0 history 000001
	[ "${lines[5]}" = "0 status  shipped Отгружен ЦБ-000123 1c" ]
	[ "${lines[6]}" = "1 shipped 12   ЦБ-000123 1c" ]
	run -0 order show 000001 --tsv -H
	[ "$(sed -n 2p <<< "$output" | cut -f15)" = "20" ]
	run -0 order list --tsv -H --status shipped
	[ "$(cut -f1 <<< "$output")" = "000001" ]
}

@test "an order keyed in 1C is made for the entity its INN/KPP names" {
	run -0 admin import "$O/1c-keyed.xml"
	[ "${lines[1]}" = "orders 1 (keyed in 1C 1), order events 2" ]
	run -0 order show 000002 --tsv -H
	[ "$(head -1 <<< "$output" | cut -f1,2,5,6,7,13-16)" = "000002	accepted	D00002-1	2	622.00	1c	ЦБ-000777	2026-11-26	Принят" ]
	[ "$(sed -n '2,3p' <<< "$output" | cut -f1,2,4,7,8,12,15)" = "1	MS-00123	4	150.50	602.00	p-2	0
2	W26110	2	10.00	20.00	p-3	1" ]
	# Sent again: the same order, nothing new.
	run -0 admin import -f "$O/1c-keyed.xml"
	[ "${lines[1]}" = "orders 1 (keyed in 1C 0), order events 0" ]
	[ "$(order list --tsv -H | wc -l)" -eq 2 ]
	# The next Formix order takes the next number.
	printf 'Артикул;Количество\nW26110;1\n' > "$BATS_TEST_TMPDIR/p.csv"
	run -0 --separate-stderr order new "$BATS_TEST_TMPDIR/p.csv" --entity "$HEAD"
	[[ "$stderr" == "formix-order: draft order 000003:"* ]]
}

@test "a status not in the map is stored as given, with a warning" {
	run -0 --separate-stderr admin import "$O/1c-unmapped.xml"
	[ "$stderr" = "formix-admin: warning: $O/1c-unmapped.xml:3: order 000001: 1C status \"На согласовании\" is not in orders.status_map: stored as given" ]
	run -0 order show 000001 --tsv -H
	[ "$(head -1 <<< "$output" | cut -f2,14,16)" = "На согласовании	ЦБ-000124	На согласовании" ]
	# Mapped in the configuration, the next document maps it.
	fx_conf_add orders 'status_map: "На согласовании=accepted;Отгружен=shipped"'
	run -0 --separate-stderr admin import "$O/1c-shipped.xml"
	[ -z "$stderr" ]
	run -0 order list --tsv -H --status shipped
	[ "$(cut -f1 <<< "$output")" = "000001" ]
}

@test "refusals: each exact, the store unchanged" {
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr admin import "$O/1c-unknown-entity.xml"
	[ "$stderr" = "formix-admin: $O/1c-unknown-entity.xml:3: order document \"ЦБ-000777\": no legal entity has ИНН/КПП 5047000007" ]
	run -65 --separate-stderr admin import "$O/1c-unknown-product.xml"
	[ "$stderr" = "formix-admin: $O/1c-unknown-product.xml:21: order document \"ЦБ-000777\": line 1: unknown product \"p-999\"" ]
	run -65 --separate-stderr admin import "$O/1c-bad-qty.xml"
	[ "$stderr" = "formix-admin: $O/1c-bad-qty.xml:21: order document \"ЦБ-000777\": line 1: bad quantity \"-4\"" ]
	run -65 --separate-stderr admin import "$O/1c-bad-event.xml"
	[ "$stderr" = "formix-admin: $O/1c-bad-event.xml:19: order document \"000001\": line 1: \"Отгружено\" is not a quantity: \"много\"" ]
	run -65 --separate-stderr admin import "$O/1c-wrong-entity.xml"
	[ "$stderr" = "formix-admin: $O/1c-wrong-entity.xml:3: order document \"000001\": the Контрагент (ИНН/КПП 5047123455/5047AB001) is not the entity of order 000001 (7701123451/770101001)" ]
	# With a good document in the same package: nothing of it applied.
	run -65 --separate-stderr admin import "$O/1c-status.xml" "$O/1c-bad-event.xml"
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "a Контейнер of documents; the history as JSON" {
	run -0 admin import "$O/1c-container.xml"
	[ "${lines[1]}" = "orders 2 (keyed in 1C 1), order events 7" ]
	run -0 order show 000001 --json
	[[ "${lines[4]}" == '{"at":"'*'","line":0,"event":"status","qty":null,"status":"shipped","status_1c":"Отгружен","document":"ЦБ-000123","source":"1c"}' ]]
	[[ "${lines[6]}" == '{"at":"'*'","line":1,"event":"shipped","qty":20,"status":null,"status_1c":null,"document":"ЦБ-000123","source":"1c"}' ]]
	run -0 order list --tsv -H --status accepted
	[ "$(cut -f1,13 <<< "$output")" = "000002	1c" ]
}
