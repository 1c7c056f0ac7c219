#!/usr/bin/env bats
# formix-admin import: CommerceML catalogs and offers into the store.

load helpers

setup() {
	fx_instance
}

@test "a catalog and its offers import with the right counts" {
	run --separate-stderr admin import "$DATA/cml/import.xml" "$DATA/cml/offers.xml"
	[ "$status" -eq 0 ]
	[ "$output" = "imported 2 files: groups 3, products 6 (deleted 1), price types 3, prices 11, warehouses 2, stock 8, dealers 0, entities 0, discounts 0, users 0, deliveries 0, ledger 0, warnings 1" ]
	# p-3 has -2 at w-spb: stored as 0, and said so.
	[ "$stderr" = "formix-admin: warning: $DATA/cml/offers.xml:65: negative stock -2 of product \"p-3\" at warehouse \"w-spb\" stored as 0" ]
	[ "$(fx_count products)" -eq 6 ]
	[ "$(fx_count groups)" -eq 3 ]
	[ "$(fx_count prices)" -eq 11 ]
	[ "$(fx_count stock)" -eq 8 ]
	[ "$(fx_count price_types)" -eq 3 ]
	[ "$(fx_count warehouses)" -eq 2 ]
}

@test "files are applied catalog first whatever the order given" {
	run admin import "$DATA/cml/offers.xml" "$DATA/cml/import.xml"
	[ "$status" -eq 0 ]
	[ "$(fx_count prices)" -eq 11 ]
}

@test "records keep 1C's values: kopecks, thousandths, trimmed names and codes" {
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" 2>/dev/null
	admin db dump > "$BATS_TEST_TMPDIR/d"
	# One offers record a product: prices per type, stock per warehouse, total.
	grep -q '^offers p-1 0=\["pt-retail":125000,"pt-base":100005,"pt-special":90000\] 1=\["w-msk":10000,"w-spb":5000\] 2=15000 3=1 ' "$BATS_TEST_TMPDIR/d"
	grep -q '^offers p-3 0=\["pt-retail":549000,"pt-base":439999\] 1=\["w-msk":7000,"w-spb":0\] 2=7000 ' "$BATS_TEST_TMPDIR/d"
	grep -q '^products p-3 0="p-3" 1="W26110" 2="Дрель ударная 650 Вт" 3="шт" 4="796" 5="g-power"' "$BATS_TEST_TMPDIR/d"
	grep -q '^products p-1 .* 4="796" .*9=\["Бренд":"ЗУБР"\] 10=0$' "$BATS_TEST_TMPDIR/d"
	grep -q '^products p-6 .* 7=1 ' "$BATS_TEST_TMPDIR/d"
	grep -qx 'groups g-keys 0="g-keys" 1="Ключи" 2="g-hand" 3=0' "$BATS_TEST_TMPDIR/d"
	grep -qx 'idx_article amb-1 p-4' "$BATS_TEST_TMPDIR/d"
	grep -qx 'idx_article amb-1 p-5' "$BATS_TEST_TMPDIR/d"
}

@test "the same files again are recognised as already applied" {
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" 2>/dev/null
	fx_dump "$BATS_TEST_TMPDIR/before"
	run --separate-stderr admin import "$DATA/cml/import.xml" "$DATA/cml/offers.xml"
	[ "$status" -eq 0 ]
	[[ "$stderr" == "formix-admin: already applied on "*": nothing to do (use -f to apply again)" ]]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# Copied under another name: the content decides.
	cp "$DATA/cml/import.xml" "$BATS_TEST_TMPDIR/renamed.xml"
	run --separate-stderr admin import "$BATS_TEST_TMPDIR/renamed.xml"
	[[ "$stderr" == *"already applied"* ]]
	run -0 --separate-stderr admin -f import "$DATA/cml/import.xml"
	[[ "$output" == "imported 1 file: groups 3, products 6"* ]]
}

@test "a dry run checks everything and changes nothing" {
	fx_dump "$BATS_TEST_TMPDIR/before"
	run --separate-stderr admin import -n "$DATA/cml/import.xml" "$DATA/cml/offers.xml"
	[ "$status" -eq 0 ]
	[[ "$output" == "checked 2 files: groups 3, products 6"* ]]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "an only-changes package upserts and keeps the goods it does not list" {
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" 2>/dev/null
	cat > "$BATS_TEST_TMPDIR/ch.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="2.07" ДатаФормирования="2026-11-21T06:00:00">
<Каталог СодержитТолькоИзменения="true"><Товары>
<Товар><Ид>p-2</Ид><Артикул>MS-00124</Артикул><Наименование>Молоток 600 г</Наименование><Группы><Ид>g-hand</Ид></Группы></Товар>
<Товар><Ид>p-7</Ид><Артикул>NEW-7</Артикул><Наименование>Новинка</Наименование><Группы><Ид>g-power</Ид></Группы></Товар>
</Товары></Каталог></КоммерческаяИнформация>
XML
	run admin import "$BATS_TEST_TMPDIR/ch.xml"
	[ "$status" -eq 0 ]
	[ "$(fx_count products)" -eq 7 ]
	admin db dump > "$BATS_TEST_TMPDIR/d"
	# The article index follows the change.
	grep -qx 'idx_article ms-00124 p-2' "$BATS_TEST_TMPDIR/d"
	! grep -q '^idx_article ms-00123 ' "$BATS_TEST_TMPDIR/d"
	grep -q '^products p-1 .* 7=0 ' "$BATS_TEST_TMPDIR/d"
	grep -q 'catalog_asof 2026-11-21T06:00:00' "$BATS_TEST_TMPDIR/d"
}

@test "a full catalog marks goods it no longer lists as deleted" {
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" 2>/dev/null
	cat > "$BATS_TEST_TMPDIR/full.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="2.05" ДатаФормирования="2026-11-22">
<Каталог><Товары>
<Товар><Ид>p-1</Ид><Артикул>27087-10</Артикул><Наименование>Ключ 10</Наименование><Группы><Ид>g-keys</Ид></Группы></Товар>
</Товары></Каталог></КоммерческаяИнформация>
XML
	run admin import "$BATS_TEST_TMPDIR/full.xml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"products 1 (deleted 4)"* ]]
	admin db dump > "$BATS_TEST_TMPDIR/d"
	grep -q '^products p-1 .* 7=0 ' "$BATS_TEST_TMPDIR/d"
	for p in p-2 p-3 p-4 p-5 p-6; do grep -q "^products $p .* 7=1 " "$BATS_TEST_TMPDIR/d"; done
}

@test "a full offers package replaces all prices and stock" {
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" 2>/dev/null
	cat > "$BATS_TEST_TMPDIR/offers2.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="2.05" ДатаФормирования="2026-11-22T10:00:00">
<ПакетПредложений><Предложения>
<Предложение><Ид>p-1</Ид><Цены><Цена><ИдТипаЦены>pt-base</ИдТипаЦены><ЦенаЗаЕдиницу>1100</ЦенаЗаЕдиницу></Цена></Цены>
<Количество>4</Количество><Склад ИдСклада="w-msk" КоличествоНаСкладе="4"/></Предложение>
</Предложения></ПакетПредложений></КоммерческаяИнформация>
XML
	run admin import "$BATS_TEST_TMPDIR/offers2.xml"
	[ "$status" -eq 0 ]
	[ "$(fx_count prices)" -eq 1 ]
	[ "$(fx_count stock)" -eq 1 ]
	admin db dump > "$BATS_TEST_TMPDIR/d"
	grep -q '^offers p-1 0=\["pt-base":110000\] 1=\["w-msk":4000\] 2=4000 ' "$BATS_TEST_TMPDIR/d"
	grep -q '^offers p-2 0=\[\] 1=\[\] ' "$BATS_TEST_TMPDIR/d"
}

@test "an only-changes offers file updates one price and keeps the others" {
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" 2>/dev/null
	cat > "$BATS_TEST_TMPDIR/ch.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="2.08" ДатаФормирования="2026-11-22T11:00:00">
<ПакетПредложений СодержитТолькоИзменения="true"><Предложения>
<Предложение><Ид>p-1</Ид><Цены><Цена><ИдТипаЦены>pt-base</ИдТипаЦены><ЦенаЗаЕдиницу>999</ЦенаЗаЕдиницу></Цена></Цены>
<Склад ИдСклада="w-spb" КоличествоНаСкладе="6"/></Предложение>
</Предложения></ПакетПредложений></КоммерческаяИнформация>
XML
	run admin import "$BATS_TEST_TMPDIR/ch.xml"
	[ "$status" -eq 0 ]
	[ "$(fx_count prices)" -eq 11 ]
	admin db dump > "$BATS_TEST_TMPDIR/d"
	grep -q '^offers p-1 0=\["pt-retail":125000,"pt-base":99900,"pt-special":90000\] 1=\["w-msk":10000,"w-spb":6000\] ' "$BATS_TEST_TMPDIR/d"
	grep -q '^offers p-2 0=\["pt-retail":99000,"pt-base":80000\] ' "$BATS_TEST_TMPDIR/d"
}

@test "a split 1C package (import___, offers___, prices___, rests___) links by Ид" {
	cat > "$BATS_TEST_TMPDIR/import___1.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.09" ДатаФормирования="2026-11-23T01:00:00">
<Классификатор СодержитТолькоИзменения="true"><Ид>c</Ид><Группы><Группа><Ид>g1</Ид><Наименование>Г1</Наименование></Группа></Группы>
<ТипыЦен><ТипЦены><Ид>t1</Ид><Наименование>Оптовая</Наименование></ТипЦены></ТипыЦен>
<Склады><Склад><Ид>s1</Ид><Наименование>Склад 1</Наименование></Склад></Склады></Классификатор>
<Каталог СодержитТолькоИзменения="true"><Товары><Товар><Ид>a</Ид><Артикул>A-1</Артикул><Наименование>А</Наименование><Группы><Ид>g1</Ид></Группы></Товар></Товары></Каталог>
</КоммерческаяИнформация>
XML
	cat > "$BATS_TEST_TMPDIR/prices___2.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.09" ДатаФормирования="2026-11-23T01:00:00">
<ПакетПредложений СодержитТолькоИзменения="true"><Предложения><Предложение><Ид>a</Ид><Цены><Цена><ИдТипаЦены>t1</ИдТипаЦены><ЦенаЗаЕдиницу>10.5</ЦенаЗаЕдиницу></Цена></Цены></Предложение></Предложения></ПакетПредложений>
</КоммерческаяИнформация>
XML
	cat > "$BATS_TEST_TMPDIR/rests___3.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.09" ДатаФормирования="2026-11-23T01:00:00">
<ПакетПредложений СодержитТолькоИзменения="true"><Предложения><Предложение><Ид>a</Ид><Остатки><Остаток><Склад><Ид>s1</Ид><Количество>12.5</Количество></Склад></Остаток></Остатки></Предложение></Предложения></ПакетПредложений>
</КоммерческаяИнформация>
XML
	# Given in the "wrong" order: the catalog is still applied first.
	run admin import "$BATS_TEST_TMPDIR/rests___3.xml" "$BATS_TEST_TMPDIR/prices___2.xml" "$BATS_TEST_TMPDIR/import___1.xml"
	[ "$status" -eq 0 ]
	admin db dump > "$BATS_TEST_TMPDIR/d"
	# Prices from prices___, stock from rests___: one record.
	grep -q '^offers a 0=\["t1":1050\] 1=\["s1":12500\] ' "$BATS_TEST_TMPDIR/d"
}

@test "windows-1251 files are read by their declaration" {
	sed '1s/^\xef\xbb\xbf//' "$DATA/cml/import.xml" | iconv -f utf-8 -t cp1251 |
	    sed 's/encoding="UTF-8"/encoding="windows-1251"/' > "$BATS_TEST_TMPDIR/import.xml"
	run admin import "$BATS_TEST_TMPDIR/import.xml"
	[ "$status" -eq 0 ]
	admin db dump > "$BATS_TEST_TMPDIR/d"
	grep -q '^products p-2 0="p-2" 1="MS-00123" 2="Молоток слесарный 500 г"' "$BATS_TEST_TMPDIR/d"
}

@test "a map too small for the catalog grows and the import completes whole" {
	# 1 MiB map: far too small for 10,000 goods; the store grows and retries.
	sed -i 's/map_size: 256MiB/map_size: 1MiB/' "$FORMIX_ROOT/formix.yaml"
	{
		printf '<?xml version="1.0" encoding="UTF-8"?>\n'
		printf '<КоммерческаяИнформация ВерсияСхемы="2.05"><Каталог><Товары>\n'
		for i in $(seq 1 10000); do
			printf '<Товар><Ид>id-%05d-0123456789abcdef</Ид><Артикул>ART-%05d</Артикул><Наименование>Товар номер %d с длинным названием для объёма</Наименование></Товар>\n' "$i" "$i" "$i"
		done
		printf '</Товары></Каталог></КоммерческаяИнформация>\n'
	} > "$BATS_TEST_TMPDIR/big.xml"
	run admin import "$BATS_TEST_TMPDIR/big.xml"
	[ "$status" -eq 0 ]
	[ "$(fx_count products)" -eq 10000 ]
	run admin db stat --json
	echo "$output" | "${PYTHON3:-python3}" -c 'import json,sys; assert json.load(sys.stdin)["map_size"] > 1048576'
}

@test "a crash before commit leaves the store as it was" {
	fx_dump "$BATS_TEST_TMPDIR/before"
	FX_CRASH_AT=commit run admin import "$DATA/cml/import.xml"
	[ "$status" -ne 0 ]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# ...and the same file imports cleanly afterwards.
	run admin import "$DATA/cml/import.xml"
	[ "$status" -eq 0 ]
	[ "$(fx_count products)" -eq 6 ]
}
