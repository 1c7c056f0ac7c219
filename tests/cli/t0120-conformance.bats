#!/usr/bin/env bats
# Every real 1C file in ../shared/samples/commerceml either imports with
# counts that match the file (counted independently by cml_counts.py) or
# is refused with a precise reason.  Skipped, visibly, without ../shared.

load helpers

setup() {
	fx_need_shared
	S="$FX_SHARED/samples/commerceml"
	fx_instance
}

# Import the files, then compare db stat with the independent counts.
imports_matching() {
	run --separate-stderr admin import "$@"
	echo "$stderr"
	[ "$status" -eq 0 ]
	expected=$("${PYTHON3:-python3}" "$FX_SRCDIR/tests/cli/cml_counts.py" "$@")
	actual=$(admin db stat --json | "${PYTHON3:-python3}" -c '
import json, sys
d = json.load(sys.stdin)
print(json.dumps({k: d[k] for k in ["groups","products","price_types","prices","warehouses","stock"]}, sort_keys=True))')
	echo "expected $expected"
	echo "actual   $actual"
	[ "$expected" = "$actual" ]
}

@test "Dialdev 2.04 windows-1251 single-line catalog and offers import whole" {
	imports_matching "$S/Dialdev_Santechtula/import.xml" "$S/Dialdev_Santechtula/offers.xml"
	[ "$(fx_count groups)" -eq 163 ]
	[ "$(fx_count products)" -eq 1660 ]
	# 104 offers say "Уточните у менеджера" with an empty price.
	[ "$(fx_count prices)" -eq 1556 ]
	# Four articles shared by two goods each: all indexed, none guessed.
	[ "$(admin db dump | grep -c '^idx_article ')" -ge 1660 ]
}

@test "bogutski 2.08 УНФ catalog with categories imports, deleted goods marked" {
	imports_matching "$S/bogutski_1C-CommerceML-to-JSON/import.xml"
	[ "$(fx_count groups)" -eq 26 ]
	[ "$(fx_count products)" -eq 540 ]
	[ "$(admin db dump | grep -c '^products .* 7=1 ')" -eq 6 ]
}

@test "gillbeits 2.09 classifier imports: groups, price type, warehouse" {
	imports_matching "$S/gillbeits_commerceml/import___b815e2db-7a65-4265-9241-5f0c4f0565a7.xml"
	[ "$(fx_count groups)" -eq 97 ]
	[ "$(admin db dump | grep -c '^properties ')" -eq 1908 ]
}

@test "gillbeits split package without its goods file is refused precisely" {
	G="$S/gillbeits_commerceml"
	run -65 --separate-stderr admin import "$G"/import___*.xml "$G"/offers___*.xml "$G"/prices___*.xml "$G"/rests___*.xml
	[ "$stderr" = "formix-admin: $G/offers___7f304edc-2527-4d3d-b058-6e4ee53de2e0.xml:9: offer for unknown product \"26b0dc1e-4d66-11e4-99fe-003048c64779\"" ]
	[ "$(fx_count products)" -eq 0 ]
}

@test "ArtemiusUA 2.05: goods without Артикул refused, imported when allowed" {
	run -65 --separate-stderr admin import "$S/ArtemiusUA_django-cml/import.xml"
	[ "$stderr" = "formix-admin: $S/ArtemiusUA_django-cml/import.xml:273: product \"c04853c5-720b-11d9-ac6c-0080482454f7\" (BN22 Ламинат Орех 22 мм) has no Артикул" ]
	fx_conf_add catalog 'require_article: false'
	imports_matching "$S/ArtemiusUA_django-cml/import.xml"
	[ "$(fx_count products)" -eq 282 ]
	[ "$(fx_count groups)" -eq 36 ]
}

@test "dobromyslov 2.07 portion: offers for goods of another portion" {
	D="$S/dobromyslov_commerceml-parser"
	run -65 --separate-stderr admin import "$D/import0_1.xml" "$D/offers0_1.xml"
	[[ "$stderr" == "formix-admin: $D/offers0_1.xml:"*": price for unknown product \"1ebb7d25-a752-11e8-80c8-0cc47ab29cd1\"" ]]
	[ "$(fx_count products)" -eq 0 ]
	fx_conf_add catalog 'unknown_offers: skip'
	run --separate-stderr admin import "$D/import0_1.xml" "$D/offers0_1.xml"
	[ "$status" -eq 0 ]
	[ "$(echo "$stderr" | grep -c 'for unknown product .* skipped$')" -eq 8 ]
	[ "$(fx_count products)" -eq 36 ]
	[ "$(fx_count warehouses)" -eq 3 ]
	# 36 known offers x 3 warehouses; one good deleted in 1C.
	[ "$(fx_count stock)" -eq 108 ]
	[ "$(fx_count prices)" -eq 36 ]
	[ "$(admin db dump | grep -c '^products .* 7=1 ')" -eq 1 ]
}

@test "TurumburumStudio 2.10: a classifier with duplicate group Ид is refused" {
	run -65 --separate-stderr admin import "$S/TurumburumStudio_ExchangeCommerceML/import.xml"
	[ "$stderr" = "formix-admin: $S/TurumburumStudio_ExchangeCommerceML/import.xml:136: duplicate group Ид \"ae8db571-fd87-4baf-8745-f582bf38dc61\"" ]
	[ "$(fx_count groups)" -eq 0 ]
}

@test "offers without their catalog are refused (Denis-777 2.03, bigperson 2.08)" {
	run -65 --separate-stderr admin import "$S/Denis-777_test/offers.xml"
	[[ "$stderr" == "formix-admin: $S/Denis-777_test/offers.xml:"*": price for unknown product \"1a52febf-79d0-11ea-80d1-408d5c7d3c4b\"" ]]
	run -65 --separate-stderr admin import "$S/bigperson_exchange1c/offers.xml"
	[[ "$stderr" == *": price for unknown product \"ffce323d-c133-11e8-8111-0050569b2b72#8a4e5ea9-d129-11e8-8112-0050569b2b72\"" ]]
	# With skipping on, the price types still arrive.
	fx_conf_add catalog 'unknown_offers: skip'
	run admin import "$S/Denis-777_test/offers.xml"
	[ "$status" -eq 0 ]
	[ "$(fx_count price_types)" -eq 3 ]
	[ "$(fx_count prices)" -eq 0 ]
}

@test "order documents are read as 1C's orders: no INN, no order made" {
	# Each names an order no Formix order has, for a Контрагент without
	# an ИНН: refused at its first document, nothing applied.
	for f in carono_php-commerceml/orders.xml:3:20 \
	    dobromyslov_commerceml-parser/bitrix-query-response-full.xml:5:132 \
	    ArgentCrusade_commerceml/documents-example.xml:4:142; do
		IFS=: read -r p line num <<< "$f"
		run -65 --separate-stderr admin import "$S/$p"
		[ "$stderr" = "formix-admin: $S/$p:$line: order document \"$num\": no Formix order has this number and the Контрагент has no ИНН to make one for" ]
	done
	[ "$(fx_count products)" -eq 0 ]
	[ "$(admin db dump | grep -c '^orders ')" -eq 0 ]
}

@test "every sample file is covered by a test above" {
	n=$(find "$S" -name '*.xml' | wc -l)
	[ "$n" -eq 16 ]
}
