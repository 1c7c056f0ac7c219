#!/usr/bin/env bats
# formix-ar statement: the reconciliation statement (акт сверки) of a
# period -- opening balance, every document, closing balance -- as rows
# and as a workbook.

load helpers

ar() { "$FX_BIN/formix-ar" "$@"; }

setup() {
	fx_instance
	fx_load_fixtures
	L="$DATA/ar"
}

@test "opening balance, every document of the period, turnover, closing balance" {
	admin -q import "$L/ledger.xml"
	run ar --tsv statement -e D00001-1 --from 2026-07-01 --to 2026-10-31
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(printf 'date\tkind\tid\tdoc\torder\tdebit\tcredit\tbalance')" ]
	[ "${lines[1]}" = "$(printf '2026-07-01\topening\t\t\t\t\t\t100000.00')" ]
	[ "${lines[2]}" = "$(printf '2026-07-15\tpayment\tP-201\tПлатёжное поручение 201\t\t\t60000.00\t40000.00')" ]
	[ "${lines[3]}" = "$(printf '2026-09-01\tshipment\tR-102\tРеализация 102 от 01.09.2026\tORD-2\t200000.00\t\t240000.00')" ]
	[ "${lines[4]}" = "$(printf '2026-10-05\tpayment\tP-202\tПлатёжное поручение 202\t\t\t50000.00\t190000.00')" ]
	[ "${lines[5]}" = "$(printf '2026-10-20\tshipment\tR-103\tРеализация 103 от 20.10.2026\tORD-3\t150000.00\t\t340000.00')" ]
	[ "${lines[6]}" = "$(printf '2026-10-31\tclosing\t\t\t\t350000.00\t110000.00\t340000.00')" ]
	[ "${#lines[@]}" -eq 7 ]
}

@test "JSON rows, and a document dated on either end of the period is in it" {
	admin -q import "$L/ledger.xml"
	run ar --json statement -e D00001-1 --from 2026-07-15 --to 2026-09-01
	[ "${lines[0]}" = '{"date":"2026-07-15","kind":"opening","id":"","doc":"","order":"","debit":null,"credit":null,"balance":100000.00}' ]
	[ "${lines[1]}" = '{"date":"2026-07-15","kind":"payment","id":"P-201","doc":"Платёжное поручение 201","order":"","debit":null,"credit":60000.00,"balance":40000.00}' ]
	[ "${lines[2]}" = '{"date":"2026-09-01","kind":"shipment","id":"R-102","doc":"Реализация 102 от 01.09.2026","order":"ORD-2","debit":200000.00,"credit":null,"balance":240000.00}' ]
	[ "${lines[3]}" = '{"date":"2026-09-01","kind":"closing","id":"","doc":"","order":"","debit":200000.00,"credit":60000.00,"balance":240000.00}' ]
	[ "${#lines[@]}" -eq 4 ]
}

@test "a credit balance at the end is shown as such" {
	admin -q import "$L/ledger.xml"
	run ar statement -e D00002-1 --from 2026-01-01 --to 2026-11-27
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 'statement of АО "Мастерснаб" (D00002-1) from 2026-01-01 to 2026-11-27, receivables as of 2026-11-26 06:00' ]
	[ "${lines[-1]}" = 'credit balance of АО "Мастерснаб" on 2026-11-27: 4 000.00 (paid in advance)' ]
	run ar --tsv -H -o kind,balance statement -e D00002-1 --from 2026-01-01 --to 2026-11-27
	[ "$output" = "$(printf 'opening\t0.00\nshipment\t1000.00\npayment\t-4000.00\nclosing\t-4000.00')" ]
}

@test "the statement as a workbook" {
	admin -q import "$L/ledger.xml"
	run ar statement -e 7701123451 --from 2026-01-01 --to 2026-11-27 -o "$BATS_TEST_TMPDIR/akt.xlsx"
	[ "$status" -eq 0 ]
	"${PYTHON3:-python3}" - "$BATS_TEST_TMPDIR/akt.xlsx" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
s = z.read("xl/sharedStrings.xml").decode()
for t in ("Акт сверки взаимных расчётов", "за период с 01.01.2026 по 27.11.2026",
          "ИНН 7701123451, КПП 770101001", "Обороты за период", "Сальдо на 27.11.2026",
          "составляет 450 000.00 ₽."):
    assert t in s, t
# Title 4 rows, header, opening, 7 documents, turnover, closing, the sentence.
rows = z.read("xl/worksheets/sheet1.xml").decode().count("<row ")
assert rows == 16, rows
PY
}

@test "statement refusals" {
	run -1 --separate-stderr ar statement -e D00001-1 --from 2026-01-01 --to 2026-11-27
	[ "$stderr" = "formix-ar: no receivables ledger from 1C yet: a statement needs its documents" ]
	admin -q import "$L/ledger.xml"
	run -64 --separate-stderr ar statement -e D00001-1 --from 2026-11-27 --to 2026-01-01
	[ "$stderr" = "formix-ar: the period starts on 2026-11-27, after its end on 2026-01-01" ]
	run -64 --separate-stderr ar statement -e D00001-1 --from 2026-01-01
	[ "${stderr_lines[0]}" = "formix-ar: statement needs --entity, --from and --to" ]
	run -64 --separate-stderr ar statement -e D00001-1 --from 2026-01-01 --to 2026-02-30x
	[ "${stderr_lines[0]}" = 'formix-ar: --to wants a date as YYYY-MM-DD, not "2026-02-30x"' ]
	run -64 --separate-stderr ar statement -e D00001-1 --from 2026-02-30 --to 2026-03-01
	[ "${stderr_lines[0]}" = 'formix-ar: --from wants a date as YYYY-MM-DD, not "2026-02-30"' ]
	run -64 --separate-stderr ar statement -e D00001-1 --from 2026-01-01 --to 2026-03-01 -d
	[ "${stderr_lines[0]}" = "formix-ar: --documents does not go with statement" ]
	run -1 --separate-stderr ar statement -e D9 --from 2026-01-01 --to 2026-03-01
	[ "$stderr" = 'formix-ar: unknown legal entity "D9"' ]
}
