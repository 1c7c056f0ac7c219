#!/usr/bin/env bats
# Requests for new legal entities: filed by a dealer, checked, decided by
# staff, written for 1C, registered when 1C sends the entity back.

load helpers

setup() {
	fx_instance
	fx_load_fixtures
	admin user add boss --dealer D00001 --name "Босс" --superuser >/dev/null
	admin user add emp --dealer D00001 --name "Сотрудник" --entity D00001-1 --perm order >/dev/null
	OUT="$FORMIX_ROOT/spool/1c/out"
}

# A valid 10-digit INN not in the fixtures, and a KPP.
INN=7707083893
KPP=773601001

@test "a superuser requests an entity; staff approve; the file is for 1C" {
	run admin --as boss entity request --dealer D00001 --name 'ООО "Новый & Ко"' \
	    --inn $INN --kpp $KPP --address "630000, Новосибирск, ул. Новая, 1" \
	    --bank "АО Банк" --bik 045004641 --account 40702810900000000001 \
	    --corr-account 30101810500000000641
	[ "$status" -eq 0 ]
	[ "$output" = "requested R000001: ООО \"Новый & Ко\", INN $INN KPP $KPP, pending approval" ]
	run admin --as boss --tsv -H entity requests
	[ "$(cut -f1,7 <<< "$output")" = $'R000001\tpending' ]
	[ -z "$(ls "$OUT")" ]
	run admin entity approve R000001
	[ "$output" = "approved R000001" ]
	[ -f "$OUT/entity-request-R000001.xml" ]
	xmllint --noout "$OUT/entity-request-R000001.xml"
	"${PYTHON3:-python3}" - "$OUT/entity-request-R000001.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
assert r.tag == "formix-entity-requests", r.tag
q = r.find("request")
assert q.get("id") == "R000001" and q.get("inn") == "7707083893"
assert q.get("name") == 'ООО "Новый & Ко"', q.get("name")
assert q.get("dealer") == "D00001" and q.get("bik") == "045004641"
PY
	# No temporary file is left behind in the spool.
	[ -z "$(ls -A "$FORMIX_ROOT/spool/tmp")" ]
	run admin --tsv -H entity requests --status approved
	[ "$(cut -f1 <<< "$output")" = R000001 ]
}

@test "1C sends the entity back: the request is registered, the entity usable" {
	admin --as boss entity request --dealer D00001 --name "ООО Новый" \
	    --inn $INN --kpp $KPP --address "Новосибирск" >/dev/null
	admin entity approve R000001 >/dev/null
	cat > "$BATS_TEST_TMPDIR/cond.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<formix-conditions version="1" generated="2026-11-27T10:00:00" full="false">
	<dealer id="D00001" name="Промсервис (Новосибирск)">
		<entity id="D00001-9" name="ООО Новый" inn="$INN" kpp="$KPP" head="D00001-1" contract="Д-99" contract-expires="2028-01-01" credit-limit="100000" payment-days="30" default-discount="3"/>
	</dealer>
</formix-conditions>
XML
	run admin import "$BATS_TEST_TMPDIR/cond.xml"
	[ "$status" -eq 0 ]
	run admin --tsv -H entity requests
	[ "$(cut -f1,7,12 <<< "$output")" = $'R000001\tregistered\tD00001-9' ]
	run admin --as boss --tsv -H entity show $INN/$KPP
	[ "$(cut -f1 <<< "$output")" = D00001-9 ]
}

@test "staff reject with a reason; a decision is final" {
	admin --as boss entity request --dealer D00001 --name "ООО Новый" \
	    --inn $INN --kpp $KPP --address "Новосибирск" >/dev/null
	run -64 --separate-stderr admin entity reject R000001
	[ "${stderr_lines[0]}" = "formix-admin: entity reject needs --reason" ]
	run admin entity reject R000001 --reason "нет договора"
	[ "$output" = "rejected R000001" ]
	run admin --tsv -H entity requests
	[ "$(cut -f1,7,8 <<< "$output")" = $'R000001\trejected\tнет договора' ]
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr admin entity approve R000001
	[[ "$stderr" == 'formix-admin: request "R000001" is rejected'* ]]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	[ -z "$(ls "$OUT")" ]
}

@test "bad requests: check digits, KPP, registered, pending, who may ask" {
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr admin --as boss entity request --dealer D00001 \
	    --name X --inn 7707083894 --kpp $KPP --address A
	[ "$stderr" = 'formix-admin: INN "7707083894" has a wrong check digit' ]
	run -65 --separate-stderr admin --as boss entity request --dealer D00001 \
	    --name X --inn $INN --kpp 12345 --address A
	[ "$stderr" = 'formix-admin: KPP "12345" must be 9 characters (NNNNPPNNN)' ]
	run -65 --separate-stderr admin --as boss entity request --dealer D00001 \
	    --name X --inn 7701123451 --kpp 770101001 --address A
	[ "$stderr" = 'formix-admin: INN "7701123451" KPP "770101001" is already registered as legal entity "D00001-1"' ]
	run -77 --separate-stderr admin --as emp entity request --dealer D00001 \
	    --name X --inn $INN --kpp $KPP --address A
	[[ "$stderr" == 'formix-admin: permission denied: user "emp" may not request legal entities for dealer "Промсервис (Новосибирск)"' ]]
	run -77 --separate-stderr admin --as boss entity request --dealer D00002 \
	    --name X --inn $INN --kpp $KPP --address A
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	admin --as boss entity request --dealer D00001 --name X --inn $INN --kpp $KPP --address A >/dev/null
	run -65 --separate-stderr admin --as boss entity request --dealer D00001 \
	    --name Y --inn $INN --kpp $KPP --address B
	[ "$stderr" = "formix-admin: INN \"$INN\" KPP \"$KPP\" is already requested (R000001, pending)" ]
	# Only staff decide.
	run -77 --separate-stderr admin --as boss entity approve R000001
}

@test "every change to requests is in the audit log" {
	admin --as boss entity request --dealer D00001 --name X --inn $INN --kpp $KPP --address A >/dev/null
	admin entity approve R000001 >/dev/null
	run admin --tsv -H log --object R000001
	[ "$status" -eq 0 ]
	[ "$(cut -f3,4 <<< "$output" | tr '\n' ' ')" = $'boss\tentity.request staff:root\tentity.approve ' ]
}
