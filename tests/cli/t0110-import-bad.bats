#!/usr/bin/env bats
# Bad 1C input: one clear line naming file and line, exit 65, store unchanged.

load helpers

setup() {
	fx_instance
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" 2>/dev/null
	fx_dump "$BATS_TEST_TMPDIR/before"
	B="$BATS_TEST_TMPDIR"
}

unchanged() {
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

# A catalog file with the given goods (one per line of $1).
catalog() {
	printf '<?xml version="1.0" encoding="UTF-8"?>\n'
	printf '<КоммерческаяИнформация ВерсияСхемы="2.05">\n<Каталог СодержитТолькоИзменения="true"><Товары>\n'
	printf '%s\n' "$1"
	printf '</Товары></Каталог></КоммерческаяИнформация>\n'
}

@test "malformed XML names file and line" {
	catalog '<Товар><Ид>x</Ид><Артикул>X</Артикул><Наименование>X</Товар>' > "$B/bad.xml"
	run -65 --separate-stderr admin import "$B/bad.xml"
	[[ "$stderr" == "formix-admin: $B/bad.xml:4: malformed XML: opening and ending tag mismatch: Наименование line 4 and Товар" ]]
	unchanged
}

@test "a truncated file commits nothing, though its first half was read" {
	head -c 2500 "$DATA/cml/import.xml" > "$B/trunc.xml"
	run -65 --separate-stderr admin import "$B/trunc.xml"
	[[ "$stderr" == "formix-admin: $B/trunc.xml:"*": truncated file: it ends inside an element (malformed XML: "* ]]
	unchanged
	# Truncated offers too: prices of p-1 were already parsed when it failed.
	head -c 3000 "$DATA/cml/offers.xml" > "$B/offers.xml"
	run -65 --separate-stderr admin import "$B/offers.xml"
	unchanged
}

@test "an empty file and a wrong root element are refused" {
	: > "$B/empty.xml"
	run -65 --separate-stderr admin import "$B/empty.xml"
	[ "$stderr" = "formix-admin: $B/empty.xml: empty file" ]
	printf '<?xml version="1.0"?>\n<html><body/></html>\n' > "$B/root.xml"
	run -65 --separate-stderr admin import "$B/root.xml"
	[ "$stderr" = "formix-admin: $B/root.xml: not a 1C exchange file: root element \"html\"" ]
	unchanged
}

@test "an unknown schema version is a warning, and the file is tried" {
	catalog '<Товар><Ид>n</Ид><Артикул>N-1</Артикул><Наименование>N</Наименование></Товар>' |
	    sed 's/ВерсияСхемы="2.05"/ВерсияСхемы="3.14"/' > "$B/v.xml"
	run --separate-stderr admin import "$B/v.xml"
	[ "$status" -eq 0 ]
	[ "$stderr" = "formix-admin: warning: $B/v.xml:2: unknown CommerceML schema version \"3.14\": trying anyway" ]
}

@test "a DOCTYPE with entities is refused without reading anything" {
	cat > "$B/xxe.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE x [ <!ENTITY e SYSTEM "file:///etc/passwd"> ]>
<КоммерческаяИнформация ВерсияСхемы="2.05"><Каталог><Товары>
<Товар><Ид>x</Ид><Артикул>X</Артикул><Наименование>&e;</Наименование></Товар>
</Товары></Каталог></КоммерческаяИнформация>
XML
	run -65 --separate-stderr admin import "$B/xxe.xml"
	[ "$stderr" = "formix-admin: $B/xxe.xml:2: DOCTYPE refused: exchange files must not declare a DTD or entities" ]
	unchanged
	if command -v strace >/dev/null; then
		strace -f -e trace=openat,connect -o "$B/trace" "$FX_BIN/formix-admin" import "$B/xxe.xml" 2>/dev/null || true
		! grep -q passwd "$B/trace"
		! grep -q connect "$B/trace"
	fi
}

@test "an external DTD and the billion laughs are refused" {
	cat > "$B/dtd.xml" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE КоммерческаяИнформация SYSTEM "http://127.0.0.1:9/cml.dtd">
<КоммерческаяИнформация ВерсияСхемы="2.05"/>
XML
	run -65 --separate-stderr admin import "$B/dtd.xml"
	[ "$stderr" = "formix-admin: $B/dtd.xml:2: DOCTYPE refused: exchange files must not declare a DTD or entities" ]
	{
		printf '<?xml version="1.0"?>\n<!DOCTYPE l [\n<!ENTITY a "aaaaaaaaaa">\n'
		printf '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n<l>&c;</l>\n'
	} > "$B/lol.xml"
	run -65 --separate-stderr admin import "$B/lol.xml"
	[[ "$stderr" == *"DOCTYPE refused"* ]]
	unchanged
}

@test "windows-1251 bytes under a UTF-8 declaration: error with the byte offset" {
	catalog '<Товар><Ид>x</Ид><Артикул>X</Артикул><Наименование>Ключ</Наименование></Товар>' |
	    iconv -f utf-8 -t cp1251 > "$B/mislabelled.xml"
	run -65 --separate-stderr admin import "$B/mislabelled.xml"
	[[ "$stderr" =~ ^formix-admin:\ $B/mislabelled.xml:2:\ invalid\ (character|encoding)\ at\ byte\ offset\ [0-9]+\ \(is\ the\ encoding\ declaration\ wrong\?\)$ ]]
	unchanged
}

@test "a duplicate Ид is refused" {
	catalog '<Товар><Ид>d</Ид><Артикул>D-1</Артикул><Наименование>D</Наименование></Товар>
<Товар><Ид>d</Ид><Артикул>D-2</Артикул><Наименование>D2</Наименование></Товар>' > "$B/dup.xml"
	run -65 --separate-stderr admin import "$B/dup.xml"
	[ "$stderr" = "formix-admin: $B/dup.xml:5: duplicate product Ид \"d\"" ]
	unchanged
}

@test "a product without Артикул is refused unless configured otherwise" {
	catalog '<Товар><Ид>na</Ид><Наименование>Без артикула</Наименование></Товар>' > "$B/noart.xml"
	run -65 --separate-stderr admin import "$B/noart.xml"
	[ "$stderr" = "formix-admin: $B/noart.xml:4: product \"na\" (Без артикула) has no Артикул" ]
	unchanged
	fx_conf_add catalog 'require_article: false'
	run admin import "$B/noart.xml"
	[ "$status" -eq 0 ]
}

@test "a product in an unknown group is refused" {
	catalog '<Товар><Ид>g</Ид><Артикул>G</Артикул><Наименование>G</Наименование><Группы><Ид>nope</Ид></Группы></Товар>' > "$B/grp.xml"
	run -65 --separate-stderr admin import "$B/grp.xml"
	[ "$stderr" = "formix-admin: $B/grp.xml:4: product \"g\" is in unknown group \"nope\"" ]
	unchanged
}

# An offers file with the given offers.
offers() {
	printf '<?xml version="1.0" encoding="UTF-8"?>\n'
	printf '<КоммерческаяИнформация ВерсияСхемы="2.05">\n<ПакетПредложений СодержитТолькоИзменения="true"><Предложения>\n'
	printf '%s\n' "$1"
	printf '</Предложения></ПакетПредложений></КоммерческаяИнформация>\n'
}

@test "a price for an unknown product is refused, or skipped if configured" {
	offers '<Предложение><Ид>p-1</Ид><Цены><Цена><ИдТипаЦены>pt-base</ИдТипаЦены><ЦенаЗаЕдиницу>1</ЦенаЗаЕдиницу></Цена></Цены></Предложение>
<Предложение><Ид>p-99</Ид><Цены><Цена><ИдТипаЦены>pt-base</ИдТипаЦены><ЦенаЗаЕдиницу>1</ЦенаЗаЕдиницу></Цена></Цены></Предложение>' > "$B/unk.xml"
	run -65 --separate-stderr admin import "$B/unk.xml"
	[ "$stderr" = "formix-admin: $B/unk.xml:5: price for unknown product \"p-99\"" ]
	unchanged
	fx_conf_add catalog 'unknown_offers: skip'
	run --separate-stderr admin import "$B/unk.xml"
	[ "$status" -eq 0 ]
	[ "$stderr" = "formix-admin: warning: $B/unk.xml:5: price for unknown product \"p-99\" skipped" ]
	admin db dump | grep -q '^offers p-1 0=\["pt-retail":125000,"pt-base":100,'
}

@test "prices of unknown price types and stock at unknown warehouses are refused" {
	offers '<Предложение><Ид>p-1</Ид><Цены><Цена><ИдТипаЦены>pt-x</ИдТипаЦены><ЦенаЗаЕдиницу>1</ЦенаЗаЕдиницу></Цена></Цены></Предложение>' > "$B/pt.xml"
	run -65 --separate-stderr admin import "$B/pt.xml"
	[ "$stderr" = "formix-admin: $B/pt.xml:4: price of product \"p-1\" has unknown price type \"pt-x\"" ]
	offers '<Предложение><Ид>p-1</Ид><Склад ИдСклада="w-x" КоличествоНаСкладе="1"/></Предложение>' > "$B/wh.xml"
	run -65 --separate-stderr admin import "$B/wh.xml"
	[ "$stderr" = "formix-admin: $B/wh.xml:4: stock of product \"p-1\" at unknown warehouse \"w-x\"" ]
	unchanged
}

@test "bad numbers are refused: prices with 3 decimals, text quantities" {
	offers '<Предложение><Ид>p-1</Ид><Цены><Цена><ИдТипаЦены>pt-base</ИдТипаЦены><ЦенаЗаЕдиницу>10.123</ЦенаЗаЕдиницу></Цена></Цены></Предложение>' > "$B/n1.xml"
	run -65 --separate-stderr admin import "$B/n1.xml"
	[ "$stderr" = "formix-admin: $B/n1.xml:4: bad price \"10.123\": expected a number with at most 2 decimals" ]
	offers '<Предложение><Ид>p-1</Ид><Количество>много</Количество></Предложение>' > "$B/n2.xml"
	run -65 --separate-stderr admin import "$B/n2.xml"
	[ "$stderr" = "formix-admin: $B/n2.xml:4: bad quantity \"много\"" ]
	unchanged
}

@test "negative stock: stored as 0 with a warning, or refused if configured" {
	offers '<Предложение><Ид>p-1</Ид><Склад ИдСклада="w-msk" КоличествоНаСкладе="-3"/></Предложение>' > "$B/neg.xml"
	fx_conf_add catalog 'negative_stock: reject'
	run -65 --separate-stderr admin import "$B/neg.xml"
	[ "$stderr" = "formix-admin: $B/neg.xml:4: negative stock -3 of product \"p-1\" at warehouse \"w-msk\"" ]
	unchanged
}

@test "unknown order documents, symlinks and directories are refused" {
	printf '<?xml version="1.0"?>\n<КоммерческаяИнформация ВерсияСхемы="2.05"><Документ><Ид>1</Ид></Документ></КоммерческаяИнформация>\n' > "$B/doc.xml"
	run -65 --separate-stderr admin import "$B/doc.xml"
	[ "$stderr" = "formix-admin: $B/doc.xml:2: order document \"1\": no Formix order has this number and the Контрагент has no ИНН to make one for" ]
	ln -s "$DATA/cml/import.xml" "$B/link.xml"
	run -65 --separate-stderr admin import "$B/link.xml"
	[ "$stderr" = "formix-admin: $B/link.xml: not a regular file" ]
	run -65 --separate-stderr admin import "$B"
	[ "$stderr" = "formix-admin: $B: not a regular file" ]
	run -66 --separate-stderr admin import "$B/missing.xml"
	[ "$stderr" = "formix-admin: $B/missing.xml: cannot open: No such file or directory" ]
	unchanged
}

@test "one bad file in a package refuses the whole package" {
	offers '<Предложение><Ид>p-99</Ид><Количество>1</Количество></Предложение>' > "$B/bad-offers.xml"
	catalog '<Товар><Ид>ok</Ид><Артикул>OK-1</Артикул><Наименование>OK</Наименование></Товар>' > "$B/good.xml"
	run -65 --separate-stderr admin import "$B/good.xml" "$B/bad-offers.xml"
	[ "$stderr" = "formix-admin: $B/bad-offers.xml:4: stock for unknown product \"p-99\"" ]
	unchanged
}

@test "a 200 MB file streams in flat memory" {
	command -v /usr/bin/time >/dev/null || skip "GNU time is not installed"
	# 200 MB of owner contacts the importer reads and skips.
	"${PYTHON3:-python3}" - "$B/huge.xml" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.05"><Классификатор><Ид>c</Ид><Владелец><Контакты>\n')
    row = '<Контакт><Тип>Почта</Тип><Значение>' + 'x' * 160 + '@example.org</Значение></Контакт>\n'
    for i in range(200 * 1024 * 1024 // len(row.encode())):
        f.write(row)
    f.write('</Контакты></Владелец></Классификатор></КоммерческаяИнформация>\n')
PY
	[ "$(stat -c %s "$B/huge.xml")" -gt 200000000 ]
	run /usr/bin/time -f '%M' "$FX_BIN/formix-admin" -q import "$B/huge.xml"
	[ "$status" -eq 0 ]
	rss_kb="${lines[${#lines[@]}-1]}"
	echo "peak RSS ${rss_kb} KiB"
	# AddressSanitizer's shadow memory and quarantine are not ours.
	if [ "${FX_ASAN:-no}" != yes ]; then
		[ "$rss_kb" -lt 65536 ]
	fi
	rm -f "$B/huge.xml"
}
