#!/usr/bin/env bats
# The receivables ledger (formix-xml(5), <formix-ledger>) through
# formix-admin import: full and incremental files, documents sent twice,
# a file applied twice, and every bad file of issue 6 with its exact
# message, exit 65 and the store unchanged.  tests/data/ar/README.md has
# the figures of the fixtures.

load helpers

ar() { "$FX_BIN/formix-ar" "$@"; }

setup() {
	fx_instance
	fx_load_fixtures
	L="$DATA/ar"
}

@test "a full ledger: documents counted, as-of recorded, figures computed" {
	run admin import "$L/ledger.xml"
	[ "$status" -eq 0 ]
	[[ "$output" == *", ledger 13, warnings 0" ]]
	[ "$(fx_count ledger)" -eq 13 ]
	admin db stat | grep -q 'ledger 2026-11-26T06:00:00$'
	run admin db stat --json
	[[ "$output" == *'"ledger_asof":"2026-11-26T06:00:00"'* ]]
	# Amounts are kopecks; a debit without due gets the payment days.
	admin db dump > "$BATS_TEST_TMPDIR/d"
	grep -q '^ledger D00001-1|R-103 0=0 1="2026-10-20" 2="2026-11-19" 3=15000000 ' "$BATS_TEST_TMPDIR/d"
	grep -q '^ledger D00001-2|R-201 0=0 1="2026-11-20" 2="2027-01-04" 3=8000000 ' "$BATS_TEST_TMPDIR/d"
	grep -q '^ledger D00001-1|P-202 0=2 .* 6=\["R-102":5000000\] ' "$BATS_TEST_TMPDIR/d"
	run ar --tsv -H -o entity,balance,overdue report
	[ "$output" = "$(printf 'D00001-1\t450000.00\t330000.00\nD00001-2\t50000.00\t0.00\nD00001-3\t6000.00\t6000.00\nD00001-1\t506000.00\t336000.00\nD00002-1\t-4000.00\t0.00')" ]
}

@test "an incremental ledger adds, replaces by id, deletes; never double-counts" {
	admin -q import "$L/ledger.xml"
	run admin import "$L/ledger-incr.xml"
	[ "$status" -eq 0 ]
	[[ "$output" == *", ledger 4, warnings 0" ]]
	# 13 - R-301 + R-202 + P-203; R-102 replaced, not added.
	[ "$(fx_count ledger)" -eq 14 ]
	run ar --tsv -H -o entity,balance,not_due,overdue,advance report
	[ "$output" = "$(printf 'D00001-1\t390000.00\t120000.00\t270000.00\t0.00\nD00001-2\t250000.00\t250000.00\t0.00\t0.00\nD00001-3\t-4000.00\t0.00\t0.00\t4000.00\nD00001-1\t636000.00\t370000.00\t270000.00\t4000.00\nD00002-1\t-4000.00\t0.00\t0.00\t4000.00')" ]
	admin db stat | grep -q 'ledger 2026-11-27T06:00:00$'
}

@test "an incremental file applied twice is recognised, and forced, counts nothing twice" {
	admin -q import "$L/ledger.xml" "$L/ledger-incr.xml"
	fx_dump "$BATS_TEST_TMPDIR/before"
	ar --tsv report > "$BATS_TEST_TMPDIR/r1"
	run --separate-stderr admin import "$L/ledger-incr.xml"
	[ "$status" -eq 0 ]
	[[ "$stderr" == "formix-admin: already applied on "*": nothing to do (use -f to apply again)" ]]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# Forced: the same documents again, the same figures.
	run admin -f import "$L/ledger-incr.xml"
	[ "$status" -eq 0 ]
	ar --tsv report > "$BATS_TEST_TMPDIR/r2"
	cmp "$BATS_TEST_TMPDIR/r1" "$BATS_TEST_TMPDIR/r2"
	grep -v '^applied ' "$BATS_TEST_TMPDIR/before" > "$BATS_TEST_TMPDIR/b"
	admin db dump | grep -v '^applied ' > "$BATS_TEST_TMPDIR/a"
	cmp "$BATS_TEST_TMPDIR/b" "$BATS_TEST_TMPDIR/a"
}

@test "a document sent twice in one file: the later counts, with a warning" {
	admin -q import "$L/ledger.xml"
	run --separate-stderr admin import "$L/ledger-dup-doc.xml"
	[ "$status" -eq 0 ]
	[ "$stderr" = "formix-admin: warning: $L/ledger-dup-doc.xml:5: debit \"R-501\" of entity \"D00002-1\" listed twice in this import: the later one counts" ]
	[[ "$output" == *", ledger 2, warnings 1" ]]
	run ar --tsv -H -o entity,balance report -e D00002-1
	[ "$output" = "$(printf 'D00002-1\t-3100.00')" ]
	run ar --tsv -H -o id,amount,doc report -d -e D00002-1
	[ "$output" = "" ]
	admin db dump | grep -q '^ledger D00002-1|R-501 0=0 1="2026-11-01" 2="2026-11-01" 3=90000 .*"вторая версия"'
}

@test "a full ledger replaces every entity's documents; replace=true one entity's" {
	admin -q import "$L/ledger.xml"
	run admin import "$L/ledger-overpaid.xml"
	[ "$status" -eq 0 ]
	! admin db dump | grep -q '^ledger D00001-3|R-301 '
	admin db dump | grep -q '^ledger D00001-1|R-101 '
	# A full file that lists only D00002-1 leaves the others with nothing.
	printf '%s\n' '<?xml version="1.0"?>' \
	    '<formix-ledger version="1" generated="2026-11-27T08:00:00" full="true">' \
	    '<entity id="D00002-1"><debit id="X-1" date="2026-11-01" amount="1.00"/></entity>' \
	    '</formix-ledger>' > "$BATS_TEST_TMPDIR/only.xml"
	admin -q import "$BATS_TEST_TMPDIR/only.xml"
	[ "$(fx_count ledger)" -eq 1 ]
	run ar --tsv -H -o entity,balance,source report -e D00001-1
	[ "$output" = "$(printf 'D00001-1\t0.00\tledger\nD00001-2\t0.00\tledger\nD00001-3\t0.00\tledger\nD00001-1\t0.00\tledger')" ]
}

@test "a ledger older than the store's is applied with a warning" {
	admin -q import "$L/ledger-incr.xml"
	run --separate-stderr admin import "$L/ledger.xml"
	[ "$status" -eq 0 ]
	[ "$stderr" = "formix-admin: warning: $L/ledger.xml:5: ledger generated 2026-11-26T06:00:00 is older than the one in the store (2026-11-27T06:00:00): applied all the same" ]
}

@test "a ledger needs its entities: in the same package as the conditions, it comes after them" {
	export FORMIX_ROOT="$BATS_TEST_TMPDIR/bare"
	admin init "$FORMIX_ROOT" >/dev/null
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" 2>/dev/null
	run -65 --separate-stderr admin import "$L/ledger.xml"
	[ "$stderr" = "formix-admin: $L/ledger.xml:6: entity \"D00001-1\": unknown legal entity" ]
	run admin import "$L/ledger.xml" "$DATA/cond/conditions.xml"
	[ "$status" -eq 0 ]
	[ "$(fx_count ledger)" -eq 13 ]
}

@test "every bad ledger file: one line, exit 65, nothing changed" {
	admin -q import "$L/ledger.xml"
	fx_dump "$BATS_TEST_TMPDIR/before"
	while IFS='|' read -r file want; do
		[ -n "$file" ] || continue
		run -65 --separate-stderr admin import "$L/$file"
		if [[ "$want" == *'...' ]]; then
			[[ "$stderr" == "formix-admin: $L/$file${want%...}"* ]] || { echo "$file: $stderr"; return 1; }
		else
			[ "$stderr" = "formix-admin: $L/$file$want" ] || { echo "$file: got: $stderr"; echo "want: $want"; return 1; }
		fi
	done <<'LIST'
ledger-bad-unknown-entity.xml|:6: entity "D9-99": unknown legal entity
ledger-bad-future.xml|:4: debit "R-1": date "2026-12-01" is in the future (today is 2026-11-27)
ledger-bad-decimals.xml|:5: credit "P-1": amount "100.005" has more than two decimals
ledger-bad-zero.xml|:4: debit "R-1": amount "0.00" must be greater than zero
ledger-bad-negative.xml|:4: credit "P-1": amount "-500.00" must be greater than zero
ledger-bad-amount.xml|:4: debit "R-1": amount "10 000.00" is not an amount
ledger-bad-date.xml|:4: debit "R-1": date "01.11.2026" is not a date (YYYY-MM-DD)
ledger-bad-due.xml|:4: debit "R-1": due "2026-10-31" is before its date "2026-11-01"
ledger-bad-kind.xml|:4: credit "P-1": kind "gift" must be payment, return or adjustment
ledger-bad-apply-unknown.xml|:5: credit "P-1": applies to unknown debit "R-9"
ledger-bad-apply-credit.xml|:5: credit "P-2": applies to "P-1", which is not a debit
ledger-bad-overallocated.xml|:6: credit "P-1": allocations 110.00 exceed its amount 100.00
ledger-bad-dup-entity.xml|:6: entity "D00001-1": listed twice (first at line 3)
ledger-bad-outside.xml|:3: <debit> outside <entity>
ledger-bad-no-id.xml|:4: debit: missing attribute "id"
ledger-bad-version2.xml|:2: formix-ledger: unsupported version "2" (this formix reads version 1)
ledger-bad-truncated.xml|:...
ledger-bad-last.xml|:504: debit "B-9999": amount "1.001" has more than two decimals
LIST
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "a bad ledger refuses the whole package it came in" {
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr admin import "$DATA/cond/deliveries-incr.xml" "$L/ledger-bad-future.xml"
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "a document dated today is not from the future" {
	printf '%s\n' '<?xml version="1.0"?>' \
	    '<formix-ledger version="1" generated="2026-11-27T08:00:00" full="false">' \
	    '<entity id="D00002-1"><debit id="T-1" date="2026-11-27" amount="1.00"/></entity>' \
	    '</formix-ledger>' > "$BATS_TEST_TMPDIR/today.xml"
	run admin import "$BATS_TEST_TMPDIR/today.xml"
	[ "$status" -eq 0 ]
	FORMIX_TODAY=2026-11-26 run -65 --separate-stderr admin -f import "$BATS_TEST_TMPDIR/today.xml"
	[ "$stderr" = "formix-admin: $BATS_TEST_TMPDIR/today.xml:3: debit \"T-1\": date \"2026-11-27\" is in the future (today is 2026-11-26)" ]
}

@test "dry run checks a ledger and changes nothing" {
	fx_dump "$BATS_TEST_TMPDIR/before"
	run admin -n import "$L/ledger.xml"
	[ "$status" -eq 0 ]
	[[ "$output" == "checked 1 file: "*", ledger 13, warnings 0" ]]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}
