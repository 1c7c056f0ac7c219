#!/usr/bin/env bats
# formix-ar report: balance, not yet due, overdue by age, limits, the
# documents behind the overdue debt and how payments were set against
# them, a head company's total, the conditions fallback, the XLSX
# workbook with its chart, and the usage errors.  Figures:
# tests/data/ar/README.md.

load helpers

ar() { "$FX_BIN/formix-ar" "$@"; }

setup() {
	fx_instance
	fx_load_fixtures
	L="$DATA/ar"
}

@test "before any ledger: the conditions' debt and overdue, no aging" {
	run ar --tsv -H -o entity,source,asof,balance,not_due,overdue,aging_1_7,blocked report -e D00001-1
	[ "${lines[0]}" = "$(printf 'D00001-1\tconditions\t2026-03-01T09:00:00\t125000.50\t125000.50\t0.00\t\t0')" ]
	run ar --json -o aging_8_30 report -e D00002-1
	[ "$output" = '{"aging_8_30":null}' ]
	run ar report -e D00001-2
	[ "$status" -eq 0 ]
	[[ "$output" == *"from the conditions file: no ledger yet, so no documents and no aging"* ]]
}

@test "every field of a report row, in order" {
	admin -q import "$L/ledger.xml"
	run ar --tsv report -e D00001-1
	[ "${lines[0]}" = "$(printf 'entity\tdealer\tname\tinn\tkpp\thead\trow\tsource\tasof\tdate\tbalance\tadvance\tnot_due\toverdue\taging_1_7\taging_8_30\taging_31_60\taging_over_60\tcredit_limit\tcredit_used\tcredit_available\toverdue_limit\toverdue_headroom\tblocked\tlifted_until\tallocation')" ]
	[ "${lines[1]}" = "$(printf 'D00001-1\tD00001\tООО "Промсервис"\t7701123451\t770101001\t\tentity\tledger\t2026-11-26T06:00:00\t2026-11-27\t450000.00\t0.00\t120000.00\t330000.00\t0.00\t140000.00\t150000.00\t40000.00\t500000.00\t450000.00\t50000.00\t100000.00\t-230000.00\t1\t\t1c+fifo')" ]
	# The head company: each subsidiary and the total.
	[ "${#lines[@]}" -eq 5 ]
	[ "$(cut -f1,6,7 <<< "${lines[4]}")" = "$(printf 'D00001-1\t\ttotal')" ]
	[ "$(cut -f3,11,13,14 <<< "${lines[4]}")" = "$(printf 'total: ООО "Промсервис"\t506000.00\t170000.00\t336000.00')" ]
	# Limits are an entity's: a total has none.
	[ "$(cut -f19-24 <<< "${lines[4]}")" = "$(printf '\t\t\t\t\t')" ]
}

@test "JSON: numbers as numbers, blocked as a boolean" {
	admin -q import "$L/ledger.xml"
	run ar --json report -e D00001-3
	[ "$output" = '{"entity":"D00001-3","dealer":"D00001","name":"ИП Иванов И.И.","inn":"770123456703","kpp":"","head":"D00001-1","row":"entity","source":"ledger","asof":"2026-11-26T06:00:00","date":"2026-11-27","balance":6000.00,"advance":0.00,"not_due":0.00,"overdue":6000.00,"aging_1_7":0.00,"aging_8_30":6000.00,"aging_31_60":0.00,"aging_over_60":0.00,"credit_limit":50000.00,"credit_used":6000.00,"credit_available":44000.00,"overdue_limit":0.00,"overdue_headroom":-6000.00,"blocked":true,"lifted_until":"","allocation":"fifo"}' ]
}

@test "the documents behind the debt: paid first in, first out unless 1C allocated" {
	admin -q import "$L/ledger.xml"
	run ar --tsv -H -d -o id,order,date,due,amount,paid,unpaid,days_overdue,age,status,allocation report -e 7701123451/770101001
	[ "$output" = "$(printf '%s\n' \
	    "R-101	ORD-1	2026-06-01	2026-07-01	100000.00	60000.00	40000.00	149	>60	overdue	fifo" \
	    "R-102	ORD-2	2026-09-01	2026-10-01	200000.00	50000.00	150000.00	57	31-60	overdue	1c" \
	    "R-103	ORD-3	2026-10-20	2026-11-19	150000.00	10000.00	140000.00	8	8-30	overdue	1c" \
	    "R-104	ORD-4	2026-11-01	2026-12-01	120000.00	0.00	120000.00	0	not_due	not_due	" \
	    "R-201	ORD-21	2026-11-20	2027-01-04	80000.00	30000.00	50000.00	0	not_due	not_due	fifo" \
	    "R-301	ORD-31	2026-11-01	2026-11-15	10000.00	4000.00	6000.00	12	8-30	overdue	fifo")" ]
	# 1C's allocation and FIFO together on one debit.
	printf '%s\n' '<?xml version="1.0"?>' \
	    '<formix-ledger version="1" generated="2026-11-27T08:00:00" full="false">' \
	    '<entity id="D00001-1"><credit id="P-9" date="2026-11-27" amount="200000.00"><apply debit="R-104" amount="20000"/></credit></entity>' \
	    '</formix-ledger>' > "$BATS_TEST_TMPDIR/more.xml"
	admin -q import "$BATS_TEST_TMPDIR/more.xml"
	run ar --tsv -H -d -o id,paid,unpaid,allocation report -e D00001-1
	# P-9: 20,000 to R-104 as 1C says, 180,000 into the pool with P-201's
	# 60,000: R-101 (100,000 left) then 140,000 of R-102 (150,000 left).
	[ "$output" = "$(printf 'R-102\t190000.00\t10000.00\t1c+fifo\nR-103\t10000.00\t140000.00\t1c\nR-104\t20000.00\t100000.00\t1c\nR-201\t30000.00\t50000.00\tfifo\nR-301\t4000.00\t6000.00\tfifo')" ]
}

@test "a table for people: aging columns, overdue documents, the as-of time" {
	admin -q import "$L/ledger.xml"
	run ar report -e D00001-1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "name                         balance     not_due   1-7        8-30       31-60        >60     overdue  credit_limit  overdue_limit  orders" ]
	[ "${lines[1]}" = 'ООО "Промсервис"          450 000.00  120 000.00  0.00  140 000.00  150 000.00  40 000.00  330 000.00    500 000.00     100 000.00  BLOCKED' ]
	[[ "$output" == *"receivables as of 2026-11-26 06:00 (1C ledger), on 2026-11-27"* ]]
	[[ "$output" == *'ООО "Промсервис"  Реализация 101 от 01.06.2026  ORD-1   2026-06-01  2026-07-01  100 000.00   40 000.00   149  >60    fifo'* ]]
	[[ "$output" == *'payments set against the oldest debts first, "1c" where 1C named the document'* ]]
}

@test "a payment larger than every debt: a credit balance, shown as such" {
	admin -q import "$L/ledger.xml" "$L/ledger-overpaid.xml"
	run ar --tsv -H -o balance,advance,not_due,overdue,credit_used,blocked report -e D00001-3
	[ "$output" = "$(printf -- '-2500.00\t2500.00\t0.00\t0.00\t0.00\t0')" ]
	run ar report -e D00001-3
	[[ "$output" == *'ИП Иванов И.И.: credit balance 2 500.00 (paid in advance)'* ]]
	run ar --tsv -H -d report -e D00001-3
	[ "$output" = "" ]
}

@test "--date: the figures of a past day, from the documents up to it" {
	admin -q import "$L/ledger.xml"
	run ar --tsv -H -o date,balance,not_due,overdue,aging_over_60 --date 2026-10-01 report -e D00001-1
	# R-102 is due that very day: not yet overdue.
	[ "${lines[0]}" = "$(printf '2026-10-01\t240000.00\t200000.00\t40000.00\t40000.00')" ]
	run ar --tsv -H -d -o id,days_overdue --date 2026-10-02 report -e D00001-1
	[ "$output" = "$(printf 'R-101\t93\nR-102\t1')" ]
}

@test "aging buckets follow ar.buckets" {
	admin -q import "$L/ledger.xml"
	fx_conf_add ar 'buckets: "10,90"'
	run ar --tsv -e D00001-1 report
	[ "$(head -1 <<< "$output" | cut -f15-17)" = "$(printf 'aging_1_10\taging_11_90\taging_over_90')" ]
	[ "$(sed -n 2p <<< "$output" | cut -f15-17)" = "$(printf '140000.00\t150000.00\t40000.00')" ]
	run ar --tsv -H -d -o id,age -e D00001-1 report
	[ "$output" = "$(printf 'R-101\t>90\nR-102\t11-90\nR-103\t1-10\nR-104\tnot_due\nR-201\tnot_due\nR-301\t11-90')" ]
}

@test "the report as a workbook: two sheets, the chart, written whole" {
	admin -q import "$L/ledger.xml"
	cd "$BATS_TEST_TMPDIR"
	run ar report -o all.xlsx
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(stat -c %a all.xlsx)" = 640 ]
	ls -a | grep -q '\.tmp\.' && return 1
	"${PYTHON3:-python3}" - all.xlsx <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
names = z.namelist()
for n in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
          "xl/charts/chart1.xml", "xl/drawings/drawing1.xml"):
    assert n in names, n
chart = z.read("xl/charts/chart1.xml").decode()
# Categories: the header's age columns; values: the "Всего" row.
assert "'Дебиторская задолженность'!$E$4:$I$4" in chart, chart
assert "'Дебиторская задолженность'!$E$10:$I$10" in chart, chart
s = z.read("xl/sharedStrings.xml").decode()
for t in ("Итого: ООО ", "Промсервис-Север", "Всего", "Реализация 101 от 01.06.2026",
          "Данные 1С на 26.11.2026 06:00", "указано в 1С", "заблокированы"):
    assert t in s, t
sheet2 = z.read("xl/worksheets/sheet2.xml").decode()
# Title, as-of, header and the 6 unpaid documents.
assert sheet2.count("<row ") == 9, sheet2.count("<row ")
PY
	# One entity: the chart is of its own row.
	run ar report -e D00001-2 -o one.xlsx
	[ "$status" -eq 0 ]
	"${PYTHON3:-python3}" -c '
import sys, zipfile
c = zipfile.ZipFile(sys.argv[1]).read("xl/charts/chart1.xml").decode()
assert "$E$5:$I$5" in c, c' one.xlsx
}

# The report's workbook is libxlsxwriter's (the chart): its working files
# go to spool.scratch.
@test "a full scratch directory (spool.scratch): exit 74 and nothing left (root, tmpfs)" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	admin -q import "$L/ledger.xml"
	mkdir "$BATS_TEST_TMPDIR/tiny" "$BATS_TEST_TMPDIR/dst"
	mount -t tmpfs -o size=4k tmpfs "$BATS_TEST_TMPDIR/tiny" || skip "cannot mount a tmpfs"
	dd if=/dev/zero of="$BATS_TEST_TMPDIR/tiny/ballast" bs=4k count=1 2>/dev/null
	fx_conf_add spool "scratch: $BATS_TEST_TMPDIR/tiny"
	run --separate-stderr ar report -o "$BATS_TEST_TMPDIR/dst/r.xlsx"
	ls -A "$BATS_TEST_TMPDIR/tiny" > "$BATS_TEST_TMPDIR/left"
	umount "$BATS_TEST_TMPDIR/tiny"
	[ "$status" -eq 74 ] || [ "$status" -eq 73 ]
	[[ "${stderr_lines[-1]}" == "formix-ar: $BATS_TEST_TMPDIR/dst/r.xlsx: "* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/left")" = ballast ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/dst")" ]
	# With room there, the same command writes it.
	run -0 ar report -o "$BATS_TEST_TMPDIR/dst/r.xlsx"
	unzip -tq "$BATS_TEST_TMPDIR/dst/r.xlsx"
}

@test "spool.scratch that is not a usable directory: the working files go beside the workbook" {
	admin -q import "$L/ledger.xml"
	mkdir "$BATS_TEST_TMPDIR/dst"
	fx_conf_add spool "scratch: $BATS_TEST_TMPDIR/missing"
	run -0 --separate-stderr ar report -o "$BATS_TEST_TMPDIR/dst/r.xlsx"
	[ "$stderr" = "" ]
	unzip -tq "$BATS_TEST_TMPDIR/dst/r.xlsx"
	[ "$(ls -A "$BATS_TEST_TMPDIR/dst")" = r.xlsx ]
}

@test "a workbook that cannot be written: exit 73, nothing left behind" {
	admin -q import "$L/ledger.xml"
	run -73 --separate-stderr ar report -o "$BATS_TEST_TMPDIR/nowhere/r.xlsx"
	[ "$stderr" = "formix-ar: $BATS_TEST_TMPDIR/nowhere/r.xlsx: cannot create: No such file or directory" ]
	mkdir "$BATS_TEST_TMPDIR/ro"
	echo old > "$BATS_TEST_TMPDIR/ro/r.xlsx"
	chmod 555 "$BATS_TEST_TMPDIR/ro"
	if [ "$(id -u)" -ne 0 ]; then
		run -73 --separate-stderr ar report -o "$BATS_TEST_TMPDIR/ro/r.xlsx"
		[ "$(cat "$BATS_TEST_TMPDIR/ro/r.xlsx")" = old ]
	fi
	chmod 755 "$BATS_TEST_TMPDIR/ro"
	[ "$(ls -A "$BATS_TEST_TMPDIR/ro")" = r.xlsx ]
}

@test "figures from the conditions file: a workbook without a chart" {
	run ar report -o "$BATS_TEST_TMPDIR/c.xlsx"
	[ "$status" -eq 0 ]
	"${PYTHON3:-python3}" -c '
import sys, zipfile
n = zipfile.ZipFile(sys.argv[1]).namelist()
assert "xl/worksheets/sheet1.xml" in n and not any("chart" in x for x in n), n' "$BATS_TEST_TMPDIR/c.xlsx"
}

@test "usage errors: exit 64, a line and the hint" {
	while IFS='|' read -r args want; do
		[ -n "$args" ] || continue
		eval "set -- $args"
		run -64 --separate-stderr ar "$@"
		[ "${stderr_lines[0]}" = "formix-ar: $want" ] || { echo "$args: $stderr"; return 1; }
		[ "${stderr_lines[1]}" = "try 'formix-ar --help'" ]
	done <<'LIST'
|no command given: report, check, statement, override or overrides
report --date 2026-13|--date wants a date as YYYY-MM-DD, not "2026-13"
report --date 27.11.2026|--date wants a date as YYYY-MM-DD, not "27.11.2026"
report --from 2026-01-01|--from does not go with report
report --until 2026-12-01|--until does not go with report
report -o nosuch|unknown field "nosuch" in --output (a workbook name ends in .xlsx)
report --json -o r.xlsx|a workbook (-o FILE.xlsx) does not go with --tsv/--json
report -d -o r.xlsx|a workbook (-o FILE.xlsx) does not go with --documents
report --tsv --json|--tsv and --json exclude each other
report extra|report takes options only
report --entity|option --entity needs a value
report --bogus|unknown option "--bogus"
frobnicate|unknown command "frobnicate"
LIST
}

@test "an unknown legal entity: exit 1; a bad date inside the library: 64" {
	run -1 --separate-stderr ar report -e 7701000000
	[ "$stderr" = 'formix-ar: unknown legal entity "7701000000"' ]
	run -0 ar --help
	[[ "$output" == "Usage: formix-ar "* ]]
	run -0 ar --version
	[ "$output" = "formix-ar (formix) 0.1" ]
}
