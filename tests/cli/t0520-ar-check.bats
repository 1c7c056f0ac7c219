#!/usr/bin/env bats
# formix-ar check: the ordering block rule (overdue over its limit, debt
# over the credit limit), its one-line reason and exit status, the
# conditions fallback, and staff overrides: set, shown, expired, removed,
# audited, refused to dealer users.

load helpers

ar() { "$FX_BIN/formix-ar" "$@"; }

setup() {
	fx_instance
	fx_load_fixtures
	L="$DATA/ar"
}

@test "may order: exit 0 and the figures on stdout" {
	admin -q import "$L/ledger.xml"
	run -0 --separate-stderr ar check D00001-2
	[ "$output" = "may order: overdue 0.00 ₽ of limit 0.00 ₽, debt 50 000.00 ₽ of credit limit 200 000.00 ₽ (receivables as of 2026-11-26 06:00)" ]
	[ "$stderr" = "" ]
	# A credit balance is no debt.
	run -0 ar check D00002-1
	[ "$output" = "may order: overdue 0.00 ₽ of limit 250 000.00 ₽, debt 0.00 ₽ of credit limit 1 000 000.00 ₽ (receivables as of 2026-11-26 06:00)" ]
}

@test "overdue over its limit: exit 1 and the reason on stderr, by Ид, INN or INN/KPP" {
	admin -q import "$L/ledger.xml"
	for e in D00001-1 7701123451 7701123451/770101001; do
		run -1 --separate-stderr ar check "$e"
		[ "$output" = "" ]
		[ "$stderr" = "formix-ar: ordering blocked: overdue 330 000.00 ₽ > limit 100 000.00 ₽ (receivables as of 2026-11-26 06:00)" ]
	done
	# An overdue limit of 0 allows no overdue at all.
	run -1 --separate-stderr ar check D00001-3
	[ "$stderr" = "formix-ar: ordering blocked: overdue 6 000.00 ₽ > limit 0.00 ₽ (receivables as of 2026-11-26 06:00)" ]
}

@test "debt over the credit limit blocks too" {
	admin -q import "$L/ledger.xml" "$L/ledger-incr.xml"
	run -1 --separate-stderr ar check D00001-2
	[ "$stderr" = "formix-ar: ordering blocked: debt 250 000.00 ₽ > credit limit 200 000.00 ₽ (receivables as of 2026-11-27 06:00)" ]
	run ar --json check D00001-2
	[ "$status" -eq 1 ]
	[ "$output" = '{"entity":"D00001-2","may_order":false,"blocked":true,"lifted":false,"balance":250000.00,"overdue":0.00,"credit_limit":200000.00,"overdue_limit":0.00,"source":"ledger","asof":"2026-11-27T06:00:00","override_by":"","override_until":"","override_reason":"","reason":"ordering blocked: debt 250 000.00 ₽ > credit limit 200 000.00 ₽ (receivables as of 2026-11-27 06:00)"}' ]
}

@test "a debt exactly at the limit does not block" {
	printf '%s\n' '<?xml version="1.0"?>' \
	    '<formix-ledger version="1" generated="2026-11-27T08:00:00" full="true">' \
	    '<entity id="D00001-3"><debit id="E-1" date="2026-11-27" amount="50000.00"/></entity>' \
	    '</formix-ledger>' > "$BATS_TEST_TMPDIR/edge.xml"
	admin -q import "$BATS_TEST_TMPDIR/edge.xml"
	run -0 ar check D00001-3
	[[ "$output" == "may order: overdue 0.00 ₽ of limit 0.00 ₽, debt 50 000.00 ₽ of credit limit 50 000.00 ₽ "* ]]
}

@test "before any ledger: the conditions' figures decide" {
	run -0 ar check D00001-1
	[ "$output" = "may order: overdue 0.00 ₽ of limit 100 000.00 ₽, debt 125 000.50 ₽ of credit limit 500 000.00 ₽ (receivables as of 2026-03-01 09:00, conditions file)" ]
	# 1C says the sole trader is 1,000 overdue, with no overdue allowed.
	printf '%s\n' '<?xml version="1.0"?>' \
	    '<formix-conditions version="1" generated="2026-11-20T09:00:00" full="false">' \
	    '<dealer id="D00001" name="Промсервис (Новосибирск)">' \
	    '<entity id="D00001-3" name="ИП Иванов И.И." inn="770123456703" head="D00001-1" credit-limit="50000" debt="60000" overdue="1000" payment-days="14"/>' \
	    '</dealer></formix-conditions>' > "$BATS_TEST_TMPDIR/c.xml"
	admin -q import "$BATS_TEST_TMPDIR/c.xml"
	run -1 --separate-stderr ar check D00001-3
	[ "$stderr" = "formix-ar: ordering blocked: overdue 1 000.00 ₽ > limit 0.00 ₽ (receivables as of 2026-11-20 09:00, conditions file)" ]
}

@test "a staff override lifts the block until its day, and says so" {
	admin -q import "$L/ledger.xml"
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -0 ar override D00001-1 --until 2026-12-04 --reason "гарантийное письмо"
	[ "$output" = "ordering block of D00001-1 lifted until 2026-12-04" ]
	run -0 --separate-stderr ar check D00001-1
	[[ "$output" == "may order: lifted by staff:"*" until 2026-12-04 (\"гарантийное письмо\"): overdue 330 000.00 ₽ > limit 100 000.00 ₽ (receivables as of 2026-11-26 06:00)" ]]
	run ar --tsv -H -o entity,blocked,lifted_until report -e D00001-1
	[ "${lines[0]}" = "$(printf 'D00001-1\t1\t2026-12-04')" ]
	run ar report -e D00001-1
	[[ "${lines[1]}" == *"lifted until 2026-12-04" ]]
	run ar --tsv -H -o entity,until,active,reason overrides
	[ "$output" = "$(printf 'D00001-1\t2026-12-04\t1\tгарантийное письмо')" ]
	# Audited: who, what, from what to what.
	run admin --tsv -H log --object D00001-1
	[ "$(cut -f4-8 <<< "$output")" = "$(printf 'ar.override\tD00001-1\tuntil\t\t2026-12-04\nar.override\tD00001-1\treason\t\tгарантийное письмо')" ]
	# The last day counts; the day after, the block is back.
	FORMIX_TODAY=2026-12-04 run -0 ar check D00001-1
	FORMIX_TODAY=2026-12-05 run -1 ar check D00001-1
	FORMIX_TODAY=2026-12-05 run ar --tsv -H overrides
	[ "$output" = "" ]
	FORMIX_TODAY=2026-12-05 run ar --tsv -H -o entity,active overrides --all
	[ "$output" = "$(printf 'D00001-1\t0')" ]
	# Removed: audited, and gone.
	run -0 ar override D00001-1 --remove
	[ "$output" = "removed the override of D00001-1" ]
	run -1 --separate-stderr ar override D00001-1 --remove
	[ "$stderr" = 'formix-ar: legal entity "D00001-1" has no override' ]
	run -1 ar check D00001-1
	run admin --tsv -H log --object D00001-1 --limit 1
	[ "$(cut -f4-8 <<< "$output")" = "$(printf 'ar.override.remove\tD00001-1\tuntil\t2026-12-04\t')" ]
}

@test "an override replaces the one before; it does not lift 1C's own blocks" {
	admin -q import "$L/ledger.xml"
	ar override 7701123451/770101001 --until 2026-12-01 --reason "первое" >/dev/null
	ar override D00001-1 --until 2026-12-31 --reason "второе" >/dev/null
	run ar --tsv -H -o entity,until,reason overrides
	[ "$output" = "$(printf 'D00001-1\t2026-12-31\tвторое')" ]
	run admin --tsv -H log --object D00001-1 --limit 2
	[ "$(cut -f6-8 <<< "$output")" = "$(printf 'until\t2026-12-01\t2026-12-31\nreason\tпервое\tвторое')" ]
}

@test "bad overrides: exit 64, or 77 for a dealer user, and nothing changes" {
	admin -q import "$L/ledger.xml"
	admin user add boss --dealer D00001 --name "Суперпользователь" --superuser >/dev/null
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -64 --separate-stderr ar override D00001-1 --until 2026-11-26 --reason x
	[ "$stderr" = "formix-ar: override until 2026-11-26: that day is past (today is 2026-11-27)" ]
	run -64 --separate-stderr ar override D00001-1 --until 2026-12-01
	[ "${stderr_lines[0]}" = "formix-ar: override needs --until DATE and --reason TEXT (or --remove)" ]
	run -64 --separate-stderr ar override D00001-1 --until 2026-12-01 --reason ""
	[ "$stderr" = "formix-ar: an override needs a reason" ]
	run -64 --separate-stderr ar override D00001-1 --until 2026-12-01 --reason "$(printf 'a\tb')"
	[ "$stderr" = "formix-ar: reason contains a control character" ]
	run -64 --separate-stderr ar override D00001-1 --remove --reason x
	[ "${stderr_lines[0]}" = "formix-ar: --remove does not go with --until or --reason" ]
	run -64 --separate-stderr ar override --until 2026-12-01 --reason x
	[ "${stderr_lines[0]}" = "formix-ar: override takes one legal entity" ]
	run -1 --separate-stderr ar override D9-99 --until 2026-12-01 --reason x
	[ "$stderr" = 'formix-ar: unknown legal entity "D9-99"' ]
	run -77 --separate-stderr ar --as boss override D00001-1 --until 2026-12-01 --reason x
	[ "$stderr" = 'formix-ar: permission denied: user "boss" may not do this: staff only' ]
	run -77 --separate-stderr ar --as boss overrides
	[ "$stderr" = 'formix-ar: permission denied: user "boss" may not do this: staff only' ]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "check takes one entity and no workbook" {
	run -64 --separate-stderr ar check
	[ "${stderr_lines[0]}" = "formix-ar: check takes one legal entity" ]
	run -64 --separate-stderr ar check D00001-1 -o x.xlsx
	[ "${stderr_lines[0]}" = "formix-ar: check writes no workbook" ]
	run -64 --separate-stderr ar check D00001-1 --date 2026-11-01
	[ "${stderr_lines[0]}" = "formix-ar: --date does not go with check" ]
	run -1 --separate-stderr ar check 7701000000
	[ "$stderr" = 'formix-ar: unknown legal entity "7701000000"' ]
}
