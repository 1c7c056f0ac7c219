#!/usr/bin/env bats
# Dealer codes (formix-order codes), barcodes, pack multiples and prices
# read again at submission: how an order row finds its goods when the
# dealer does not write our article, who may change a dealer's codes, and
# the codes sheet's bad input refused as a whole.

load helpers

order() { "$FX_BIN/formix-order" "$@"; }

HEAD=7701123451/770101001
T="$BATS_TEST_TMPDIR"

setup() {
	fx_instance
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$DATA/cond/conditions.xml" 2>/dev/null
	admin -q import "$DATA/cond/deliveries.xml"
	admin user add boss --dealer D00001 --name "Суперпользователь" --superuser >/dev/null
	admin user add emp --dealer D00001 --name "Сотрудник" --entity D00001-1 --perm order >/dev/null
	admin user add adm --dealer D00001 --name "Администратор" --perm users >/dev/null
	admin user add other --dealer D00002 --name "Чужой дилер" --superuser >/dev/null
	printf 'Код;Артикул\nZ-10;27087-10\nмол 500;MS-00123\n' > "$T/codes.csv"
}

# A catalog of changes only: the goods given, with cat_goods' XML.
cat_changes() {
	cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.08" ДатаФормирования="2026-11-21T06:00:00">
	<Классификатор>
		<Ид>cls-1</Ид>
		<Наименование>Классификатор</Наименование>
		<Свойства>
			<Свойство>
				<Ид>prop-pack</Ид>
				<Наименование>Кратность</Наименование>
				<ТипЗначений>Число</ТипЗначений>
			</Свойство>
		</Свойства>
	</Классификатор>
	<Каталог СодержитТолькоИзменения="true">
		<Ид>cat-1</Ид>
		<ИдКлассификатора>cls-1</ИдКлассификатора>
		<Наименование>Основной каталог товаров</Наименование>
		<Товары>
$1
		</Товары>
	</Каталог>
</КоммерческаяИнформация>
EOF
}

# One good of the fixture catalog with a barcode, a pack and a status.
good() {	# id article name unit-code group barcode pack [status]
	printf '<Товар%s><Ид>%s</Ид>' "${8:+ Статус=\"$8\"}" "$1"
	[ -n "$6" ] && printf '<Штрихкод>%s</Штрихкод>' "$6"
	printf '<Артикул>%s</Артикул><Наименование>%s</Наименование>' "$2" "$3"
	printf '<БазоваяЕдиница Код="%s">шт</БазоваяЕдиница>' "$4"
	printf '<Группы><Ид>%s</Ид></Группы>' "$5"
	[ -n "$7" ] && printf '<ЗначенияСвойств><ЗначенияСвойства><Ид>prop-pack</Ид><Значение>%s</Значение></ЗначенияСвойства></ЗначенияСвойств>' "$7"
	printf '</Товар>\n'
}

@test "codes import, list, add and rm; the audit log has each" {
	run -0 --separate-stderr order codes import "$T/codes.csv" --dealer D00001
	[ "$stderr" = "formix-order: dealer D00001: 2 rows, 2 codes imported; the dealer now has 2 (was 0)" ]
	run -0 order codes list --dealer D00001 --tsv -H
	[ "$output" = "z-10	27087-10	Ключ комбинированный 10 мм	p-1	no
мол 500	MS-00123	Молоток слесарный 500 г	p-2	no" ]

	# add: by article, or by Ид for an article several goods carry.
	run -0 order codes add 'OLD 77' W26110 --dealer D00001
	run -1 --separate-stderr order codes add BITS AMB-1 --dealer D00001
	[ "$stderr" = "formix-order: 2 products have article \"AMB-1\": give the product's Ид instead" ]
	run -0 order codes add BITS p-5 --dealer D00001
	run -1 --separate-stderr order codes add X NOPE --dealer D00001
	[ "$stderr" = "formix-order: unknown article \"NOPE\"" ]
	run -1 --separate-stderr order codes add X OLD-1 --dealer D00001
	[ "$stderr" = "formix-order: article \"OLD-1\" is of goods deleted in 1C" ]
	run -0 --separate-stderr order codes add bits p-4 --dealer D00001
	[ "$stderr" = "formix-order: warning: code \"bits\" now maps to 2 products: order rows with it are ambiguous until one is removed" ]
	run -0 order codes list --dealer D00001 --tsv -H
	[ "$(cut -f1,4 <<< "$output")" = "bits	p-4
bits	p-5
old 77	p-3
z-10	p-1
мол 500	p-2" ]

	run -0 order codes rm BITS --dealer D00001
	run -1 --separate-stderr order codes rm BITS --dealer D00001
	[ "$stderr" = "formix-order: no code \"BITS\"" ]

	# A second import replaces the file's codes; --replace all of them.
	printf 'Z-10;W26110\n' > "$T/c2.csv"
	run -0 order codes import "$T/c2.csv" --dealer D00001
	run -0 order codes list --dealer D00001 --tsv -H
	[ "$(cut -f1,4 <<< "$output")" = "old 77	p-3
z-10	p-3
мол 500	p-2" ]
	run -0 --separate-stderr order codes import "$T/c2.csv" --dealer D00001 --replace
	[ "$stderr" = "formix-order: dealer D00001: 1 rows, 1 codes imported; the dealer now has 1 (was 3)" ]
	run -0 order codes list --dealer D00001 --tsv -H
	[ "$(cut -f1,4 <<< "$output")" = "z-10	p-3" ]

	run -0 admin log --object D00001
	grep -q 'codes.import' <<< "$output"
	run -0 admin log --object D00001/bits
	grep -q 'codes.add' <<< "$output"
	grep -q 'codes.rm' <<< "$output"
}

@test "who may manage codes: the dealer's superuser and users admins, staff; others list or nothing" {
	run -0 order --as boss codes import "$T/codes.csv"
	run -0 order --as adm codes add 'OLD 77' W26110
	# An employee with the order permission lists, but does not edit.
	run -0 order --as emp codes list --tsv -H
	[ "${#lines[@]}" -eq 3 ]
	run -77 --separate-stderr order --as emp codes add X W26110
	[ "$stderr" = "formix-order: permission denied: user \"emp\" may not manage the codes of dealer \"Промсервис (Новосибирск)\"" ]
	run -77 order --as emp codes rm Z-10
	run -77 order --as emp codes import "$T/codes.csv"
	# Another dealer's superuser: neither sees nor touches them.
	run -77 --separate-stderr order --as other codes list --dealer D00001
	[[ "$stderr" == *"permission denied"* ]]
	run -77 order --as other codes rm Z-10 --dealer D00001
	run -77 order --as other codes import "$T/codes.csv" --dealer D00001
	# Staff name the dealer.
	run -64 --separate-stderr order codes list
	[ "$stderr" = "formix-order: staff: name the dealer whose codes are meant (--dealer)" ]
	run -1 --separate-stderr order codes list --dealer D99999
	[ "$stderr" = "formix-order: unknown dealer \"D99999\"" ]
	run -0 order codes list --dealer D00001 --tsv -H
	[ "${#lines[@]}" -eq 3 ]
	run -64 order codes rm
	run -64 order codes frobnicate
	run -64 order codes list --replace --dealer D00001
}

@test "order rows match the dealer's code, then a barcode; ambiguous never guessed" {
	order codes import "$T/codes.csv" --dealer D00001 2>/dev/null
	order codes add BITS p-4 --dealer D00001 2>/dev/null
	order codes add BITS p-5 --dealer D00001 2>/dev/null
	# A code that is also a catalog article: the article wins.
	order codes add W26110 p-1 --dealer D00001 2>/dev/null
	printf 'Артикул;Количество\nz-10;2\nМОЛ  500;1\n4600000000011;3\nBITS;1\nnope;1\nW26110;1\n' > "$T/o.csv"
	run -1 order check "$T/o.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f1,2,4,5 <<< "$output")" = "2	z-10	ok	dealer code \"z-10\" = article \"27087-10\"
3	МОЛ  500	demand	dealer code \"МОЛ  500\" = article \"MS-00123\"; 0 in stock, 1 on demand; delivery IN-0001 of 2.5 due 2026-12-10
4	4600000000011	duplicate_merged	barcode \"4600000000011\" = article \"27087-10\"; merged into row 2 (now 5)
5	BITS	ambiguous	dealer code maps to 2 products: AMB-1 (p-4), AMB-1 (p-5)
6	nope	unknown_article	no product has this article
7	W26110	ok	" ]
	[ "$(cut -f6,14 <<< "$output" | head -1)" = "5	p-1" ]

	# Another dealer's codes are not this one's.
	run -1 order check "$T/o.csv" --entity 5047123455 --tsv -H
	[ "$(sed -n 1p <<< "$output" | cut -f4)" = "unknown_article" ]

	# A draft keeps the goods the codes found.
	run -1 --separate-stderr order new "$T/o.csv" --entity "$HEAD" --tsv -H
	run -0 order show 000001 --tsv -H
	[ "$(sed -n 2,4p <<< "$output" | cut -f2,4,11)" = "27087-10	5	2,4
MS-00123	1	3
W26110	1	7" ]
}

@test "barcodes follow the catalog: changed, shared, deleted" {
	printf 'Артикул;Количество\n4600000000011;1\n4600000000099;1\n4 600000-000 099;1\n' > "$T/b.csv"
	run -1 order check "$T/b.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f4 <<< "$output" | tr '\n' ' ')" = "ok unknown_article unknown_article " ]

	# p-1's barcode changes; p-2 and p-3 share one.
	cat_changes "$(good p-1 27087-10 'Ключ комбинированный 10 мм' 796 g-keys 4600000000099
	    good p-2 MS-00123 'Молоток слесарный 500 г' 796 g-hand 4600000000055
	    good p-3 W26110 'Дрель ударная 650 Вт' 796 g-power 4600000000055)" > "$T/c1.xml"
	admin -q import "$T/c1.xml"
	run -1 order check "$T/b.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f4 <<< "$output" | tr '\n' ' ')" = "unknown_article ok duplicate_merged " ]
	printf '4600000000055;1\n' > "$T/s.csv"
	run -1 order check "$T/s.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f4,5 <<< "$output")" = "ambiguous	barcode maps to 2 products: MS-00123 (p-2), W26110 (p-3)" ]

	# Deleted goods leave the index: 1C hands their barcodes on.
	cat_changes "$(good p-1 27087-10 'Ключ комбинированный 10 мм' 796 g-keys 4600000000099 '' Удален)" > "$T/c2.xml"
	admin -q import "$T/c2.xml"
	run -1 order check "$T/b.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f4 <<< "$output" | tr '\n' ' ')" = "unknown_article unknown_article unknown_article " ]
	# ... and so do goods a full catalog no longer lists (p-3 here),
	# while p-1, listed again, has its barcode back.
	"${PYTHON3:-python3}" - "$DATA/cml/import.xml" "$T/full.xml" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8-sig").read()
s = s.replace("<Ид>p-2</Ид>", "<Ид>p-2</Ид><Штрихкод>4600000000055</Штрихкод>")
s = re.sub(r"<Товар>\s*<Ид>p-3</Ид>.*?</Товар>", "", s, flags=re.S)
open(sys.argv[2], "w", encoding="utf-8").write(s)
PY
	admin -q import "$T/full.xml" 2>/dev/null
	run -0 order check "$T/s.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f4,5 <<< "$output")" = "demand	barcode \"4600000000055\" = article \"MS-00123\"; 0 in stock, 1 on demand; delivery IN-0001 of 2.5 due 2026-12-10" ]
	run -1 order check "$T/b.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f4 <<< "$output" | tr '\n' ' ')" = "ok unknown_article unknown_article " ]
}

@test "pack multiples: refused, or rounded up with orders.round_to_pack" {
	cat_changes "$(good p-2 MS-00123 'Молоток слесарный 500 г' 796 g-hand '' 5
	    good p-3 W26110 'Дрель ударная 650 Вт' 796 g-power '' '0.5 шт')" > "$T/p.xml"
	admin -q import "$T/p.xml"
	printf 'Артикул;Количество\nMS-00123;3\nMS-00123;4\nW26110;3\n' > "$T/o.csv"
	run -1 order check "$T/o.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f1,4,5,6 <<< "$output")" = "2	bad_quantity	7 is not a multiple of the pack of 5	
3	bad_quantity	merged into row 2: 7 is not a multiple of the pack of 5	
4	ok		3" ]
	printf 'Артикул;Количество\nMS-00123;5\nMS-00123;5\n' > "$T/ok.csv"
	run -0 order check "$T/ok.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f4,6 <<< "$output" | head -1)" = "demand	10" ]

	fx_conf_add orders 'round_to_pack: true'
	run -0 order check "$T/o.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f1,4,5,6,9 <<< "$output")" = "2	rounded	rounded up from 7 to 10 (pack of 5); 0 in stock, 10 on demand; delivery IN-0001 of 2.5 due 2026-12-10	10	7640.00
3	duplicate_merged	merged into row 2 (now 7)		
4	ok		3	12209.97" ]
	# A draft takes the rounded quantity.
	run -0 --separate-stderr order new "$T/o.csv" --entity "$HEAD"
	run -0 order show 000001 --tsv -H
	[ "$(sed -n 2p <<< "$output" | cut -f2,4)" = "MS-00123	10" ]

	# Another property name: no packs, once the catalog is read again
	# (the import resolves the pack into the product record).
	fx_conf_add orders 'pack_property: "Упаковка"'
	admin -q -f import "$T/p.xml" 2>/dev/null
	run -0 order check "$T/o.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f4,6 <<< "$output" | head -1)" = "demand	7" ]
}

# A good with a requisite and a base unit's conversion, as UT 11 sends.
good_rq() {	# id article name unit-code group requisite-value [recalc-unit coef] [property-value]
	printf '<Товар><Ид>%s</Ид><Артикул>%s</Артикул><Наименование>%s</Наименование>' "$1" "$2" "$3"
	printf '<БазоваяЕдиница Код="%s " НаименованиеПолное="Штука">' "$4"
	[ -n "$8" ] && printf '<Пересчет><Единица>%s</Единица><Коэффициент>%s</Коэффициент></Пересчет>' "$7" "$8"
	printf '</БазоваяЕдиница><Группы><Ид>%s</Ид></Группы>' "$5"
	[ -n "$9" ] && printf '<ЗначенияСвойств><ЗначенияСвойства><Ид>prop-pack</Ид><Значение>%s</Значение></ЗначенияСвойства></ЗначенияСвойств>' "$9"
	printf '<ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>ВидНоменклатуры</Наименование><Значение>Товар</Значение></ЗначениеРеквизита>'
	[ -n "$6" ] && printf '<ЗначениеРеквизита><Наименование>кратность</Наименование><Значение>%s</Значение></ЗначениеРеквизита>' "$6"
	printf '</ЗначенияРеквизитов></Товар>\n'
}

@test "pack multiples from a requisite and from the base unit's Пересчет" {
	# p-1: requisite 4 (name matched case-insensitively); p-2: a
	# package of 6 (778) besides the identity 796/1; p-3: requisite 2
	# wins over a package of 10; p-4: property 3 wins over both.
	cat_changes "$(good_rq p-1 27087-10 'Ключ комбинированный 10 мм' 796 g-keys 4
	    good_rq p-2 MS-00123 'Молоток слесарный 500 г' 796 g-hand '' 796 1
	    good_rq p-3 W26110 'Дрель ударная 650 Вт' 796 g-power 2 778 10)" > "$T/r.xml"
	sed -i 's|<Единица>796</Единица><Коэффициент>1</Коэффициент></Пересчет>|&<Пересчет><Единица>778</Единица><Коэффициент>6.000</Коэффициент></Пересчет><Пересчет><Единица>704</Единица><Коэффициент>24</Коэффициент></Пересчет>|' "$T/r.xml"
	run -0 --separate-stderr admin import "$T/r.xml"
	[ -z "$stderr" ]
	printf 'Артикул;Количество\n27087-10;6\nMS-00123;13\nW26110;3\n' > "$T/o.csv"
	run -1 order check "$T/o.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f1,4,5 <<< "$output")" = "2	bad_quantity	6 is not a multiple of the pack of 4
3	bad_quantity	13 is not a multiple of the pack of 6
4	bad_quantity	3 is not a multiple of the pack of 2" ]
	fx_conf_add orders 'round_to_pack: true'
	run -0 order check "$T/o.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f1,4,6 <<< "$output")" = "2	rounded	8
3	rounded	18
4	rounded	4" ]

	# Without the requisite, p-3's package of 10 counts; the property
	# outranks requisite and unit.
	cat_changes "$(good_rq p-3 W26110 'Дрель ударная 650 Вт' 796 g-power '' 778 10
	    good_rq p-1 27087-10 'Ключ комбинированный 10 мм' 796 g-keys 4 778 12 5)" > "$T/r2.xml"
	admin -q import "$T/r2.xml"
	run -0 order check "$T/o.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f1,4,6 <<< "$output" | sed -n '1p;3p')" = "2	rounded	10
4	rounded	10" ]

	# A full catalog without packs: the check no longer looks for them.
	run -0 --separate-stderr admin -q -f import "$DATA/cml/import.xml"
	run -0 order check "$T/o.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f4 <<< "$output" | grep -c rounded)" = 0 ]
}

@test "pack multiples: bad values are warnings and no pack, the import goes on" {
	cat_changes "$(good_rq p-1 27087-10 'Ключ комбинированный 10 мм' 796 g-keys 'по 5'
	    good_rq p-2 MS-00123 'Молоток слесарный 500 г' 796 g-hand '' 778 0
	    good_rq p-3 W26110 'Дрель ударная 650 Вт' 796 g-power -2 778 abc
	    good_rq p-4 AMB-1 'Бита' 796 g-hand 0,5 778 2.5 '0'
	    good_rq p-5 AMB-1 'Бита 2' 796 g-hand '' 778 0.5)" > "$T/bad.xml"
	run -0 --separate-stderr admin import "$T/bad.xml"
	[ "$(grep -c warning <<< "$stderr")" = 7 ]
	[[ "$stderr" == *'bad.xml:'*': product "p-1": pack multiple "по 5" (requisite "Кратность") is not a positive number: ignored'* ]]
	[[ "$stderr" == *': product "p-2": Коэффициент "0" of unit "778" is not a positive number: no pack taken from it'* ]]
	[[ "$stderr" == *': product "p-3": pack multiple "-2" (requisite "Кратность") is not a positive number: ignored'* ]]
	[[ "$stderr" == *': product "p-3": Коэффициент "abc" of unit "778" is not a positive number: no pack taken from it'* ]]
	[[ "$stderr" == *': product "p-4": pack multiple "0" (property "Кратность") is not a positive number: ignored'* ]]
	[[ "$stderr" == *': product "p-4": pack multiple 0.5 (requisite "Кратность") of piece goods is not whole: ignored'* ]]
	[[ "$stderr" == *': product "p-4": pack multiple 2.5 (unit conversion) of piece goods is not whole: ignored'* ]]
	printf 'Артикул;Количество\n27087-10;7\nMS-00123;7\nW26110;7\n' > "$T/o.csv"
	run -0 order check "$T/o.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f4 <<< "$output" | grep -c bad_quantity)" = 0 ]
}

@test "submit prices the draft again: changed lines named, audited, sent at today's price" {
	printf 'Артикул;Количество\nMS-00123;2\nW26110;1\n' > "$T/o.csv"
	run -0 --separate-stderr order new "$T/o.csv" --entity "$HEAD"
	cat > "$T/offers2.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.08" ДатаФормирования="2026-11-21T06:05:00">
	<ПакетПредложений СодержитТолькоИзменения="true">
		<Ид>cat-1#</Ид>
		<Наименование>Пакет предложений</Наименование>
		<ИдКаталога>cat-1</ИдКаталога>
		<Предложения>
			<Предложение>
				<Ид>p-2</Ид>
				<Цены>
					<Цена><ИдТипаЦены>pt-retail</ИдТипаЦены><ЦенаЗаЕдиницу>1200</ЦенаЗаЕдиницу></Цена>
					<Цена><ИдТипаЦены>pt-base</ИдТипаЦены><ЦенаЗаЕдиницу>1000</ЦенаЗаЕдиницу></Цена>
				</Цены>
			</Предложение>
		</Предложения>
	</ПакетПредложений>
</КоммерческаяИнформация>
EOF
	admin -q import "$T/offers2.xml"
	run -0 --separate-stderr order submit 000001 --tsv -H
	[ "$(head -1 <<< "$stderr")" = "formix-order: line 1, article MS-00123: price changed since the draft: 764.00 -> 955.00" ]
	[[ "$(sed -n 2p <<< "$stderr")" == "formix-order: order 000001 submitted: 2 lines, net 5 979.99 "* ]]
	[ "$(cut -f1,7,8 <<< "$output")" = "1	955.00	1910.00
2	4069.99	4069.99" ]
	grep -q '<ЦенаЗаЕдиницу>955.00</ЦенаЗаЕдиницу>' "$FORMIX_ROOT/spool/1c/out/order-000001.xml"
	grep -q '<Сумма>5979.99</Сумма>' "$FORMIX_ROOT/spool/1c/out/order-000001.xml"
	run -0 admin log --object 000001/1
	grep -q 'order.reprice' <<< "$output"
	grep -q '764.00' <<< "$output"
}

@test "submit refuses a draft whose goods were deleted since" {
	printf 'Артикул;Количество\nMS-00123;2\n' > "$T/o.csv"
	run -0 order new "$T/o.csv" --entity "$HEAD" 2>/dev/null
	cat_changes "$(good p-2 MS-00123 'Молоток слесарный 500 г' 796 g-hand '' '' Удален)" > "$T/d.xml"
	admin -q import "$T/d.xml"
	fx_dump "$T/before"
	run -1 --separate-stderr order submit 000001
	[ "$stderr" = "formix-order: ordering refused: line 1 of order 000001, article \"MS-00123\", is deleted in 1C now: make a new order" ]
	fx_dump "$T/after"
	cmp "$T/before" "$T/after"
}

@test "codes sheet: bad rows refused as a whole, with their rows" {
	printf 'Код;Артикул\nA;27087-10\n;MS-00123\nB;NOPE\nC;AMB-1\nD;OLD-1\nE;\n' > "$T/bad.csv"
	fx_dump "$T/before"
	run -65 --separate-stderr order codes import "$T/bad.csv" --dealer D00001
	[ "$(tail -1 <<< "$stderr")" = "formix-order: $T/bad.csv:3: empty code for article \"MS-00123\" (and 4 more bad rows): nothing imported" ]
	[ "$(head -4 <<< "$stderr")" = "formix-order: warning: $T/bad.csv:4: unknown article \"NOPE\"
formix-order: warning: $T/bad.csv:5: 2 products have article \"AMB-1\": give the product's Ид instead
formix-order: warning: $T/bad.csv:6: article \"OLD-1\" is of goods deleted in 1C
formix-order: warning: $T/bad.csv:7: no article for code \"E\"" ]
	fx_dump "$T/after"
	cmp "$T/before" "$T/after"

	# A code that is another product's catalog article: a warning.
	printf 'W26110;27087-10\n' > "$T/w.csv"
	run -0 --separate-stderr order codes import "$T/w.csv" --dealer D00001
	[ "$(head -1 <<< "$stderr")" = "formix-order: warning: $T/w.csv:1: code \"W26110\" is a catalog article of other goods: order rows with it match those, not this code" ]
}

@test "codes sheet: damaged, foreign and oversized files" {
	fx_dump "$T/before"
	# A truncated workbook.
	head -c 2000 "$FX_SRCDIR/conf/order-template.xlsx" > "$T/t.xlsx"
	run -65 --separate-stderr order codes import "$T/t.xlsx" --dealer D00001
	[ "$stderr" = "formix-order: $T/t.xlsx: truncated or damaged XLSX file (no ZIP central directory)" ]
	# Not a spreadsheet at all.
	head -c 300 /dev/urandom | tr -d '\n;,\t' > "$T/r.bin"
	printf '\x00\x01' >> "$T/r.bin"
	run -65 order codes import "$T/r.bin" --dealer D00001
	# Only a header; one column only.
	printf 'Код;Артикул\n' > "$T/h.csv"
	run -65 --separate-stderr order codes import "$T/h.csv" --dealer D00001
	[ "$stderr" = "formix-order: $T/h.csv: only a header row, no articles" ]
	printf 'A\nB\n' > "$T/one.csv"
	run -65 --separate-stderr order codes import "$T/one.csv" --dealer D00001
	[ "$stderr" = "formix-order: $T/one.csv: one column only: expected the code and the article separated by ';', ',' or TAB" ]
	printf 'Код дилера;Цена\nA;1\n' > "$T/hdr.csv"
	run -65 --separate-stderr order codes import "$T/hdr.csv" --dealer D00001
	[ "$stderr" = "formix-order: $T/hdr.csv:1: the header names the code (\"Код дилера\" in A) but no article column (Артикул, Article, SKU)" ]
	# Invalid UTF-8 that is not windows-1251 either: read as 1251 it is
	# text; here a UTF-8 BOM promises UTF-8 and breaks it.
	printf '\xef\xbb\xbfA;27087-10\n\xff\xfe;MS-00123\n' > "$T/enc.csv"
	run -65 --separate-stderr order codes import "$T/enc.csv" --dealer D00001
	[ "$stderr" = "formix-order: $T/enc.csv:2: invalid UTF-8" ]
	fx_dump "$T/after"
	cmp "$T/before" "$T/after"

	# windows-1251 is read as such: the code is Cyrillic.
	printf '\xec\xee\xeb;MS-00123\n\xea\xeb;W26110\n' > "$T/cp.csv"
	run -0 order codes import "$T/cp.csv" --dealer D00001
	run -0 order codes list --dealer D00001 --tsv -H
	[ "$(cut -f1,2 <<< "$output")" = "кл	W26110
мол	MS-00123" ]

	# Limits: those of order files.
	fx_conf_add limits 'max_order_rows: 2'
	printf 'A;27087-10\nB;MS-00123\nC;W26110\n' > "$T/big.csv"
	run -65 --separate-stderr order codes import "$T/big.csv" --dealer D00001
	[[ "$stderr" == "formix-order: $T/big.csv:3: too many rows"* ]]
	fx_conf_add limits 'max_order_size: 16'
	run -65 --separate-stderr order codes import "$T/big.csv" --dealer D00001
	[ "$stderr" = "formix-order: $T/big.csv: file too large: 31 bytes (limit 16 bytes, limits.max_order_size)" ]
}

@test "codes sheet: XLSX and XLS, number cells read as the dealer sees them" {
	/usr/bin/python3 -c 'import xlwt, openpyxl' 2>/dev/null ||
	    skip "python3-xlwt or python3-openpyxl missing: no .xls/.xlsx sheets"
	/usr/bin/python3 - "$T" <<'PY'
import sys, openpyxl, xlwt
t = sys.argv[1]
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["Коды дилера ООО Промсервис"])
ws.append(["Код клиента", "Наименование", "Артикул"])
ws.append([100500, "ключ", "27087-10"])
ws.append(["ОЛД-7", "молоток", "MS-00123"])
wb.save(t + "/codes.xlsx")
wb = xlwt.Workbook()
ws = wb.add_sheet("Коды")
for i, (a, b) in enumerate([("Code", "SKU"), (2608577253, "W26110")]):
    ws.write(i, 0, a)
    ws.write(i, 1, b)
wb.save(t + "/codes.xls")
PY
	run -0 order codes import "$T/codes.xlsx" --dealer D00001
	run -0 order codes import "$T/codes.xls" --dealer D00001
	run -0 order codes list --dealer D00001 --tsv -H
	[ "$(cut -f1,2 <<< "$output")" = "100500	27087-10
2608577253	W26110
олд-7	MS-00123" ]
	printf '100500;1\n2608577253;1\n' > "$T/o.csv"
	run -0 order check "$T/o.csv" --entity "$HEAD" --tsv -H
	[ "$(cut -f4 <<< "$output" | tr '\n' ' ')" = "ok ok " ]
}
