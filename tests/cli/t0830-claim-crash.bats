#!/usr/bin/env bats
# formix-claim across crashes (FX_CRASH_AT aborts the process at a named
# point): a change and its notice commit together or not at all, so that
# a notice is never lost and never made twice, whatever the moment of the
# crash; the file for 1C written before a commit that never came is
# rewritten by the next attempt; an attachment stored before its record
# is found in place.

load helpers

claim() { "$FX_BIN/formix-claim" "$@"; }
order() { "$FX_BIN/formix-order" "$@"; }

HEAD=7701123451/770101001

setup() {
	fx_instance
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$DATA/cond/conditions.xml" 2>/dev/null
	printf 'Артикул;Количество\n27087-10;10\nMS-00123;3\nW26110;5\n27087-10;10\n' \
	    > "$BATS_TEST_TMPDIR/o.csv"
	order new "$BATS_TEST_TMPDIR/o.csv" --entity "$HEAD" >/dev/null 2>&1
	order submit 000001 >/dev/null 2>&1
	admin -q import "$DATA/orders/1c-status.xml"
	admin user add boss --dealer D00001 --name "Начальник" \
	    --email boss@promservis.ru --superuser >/dev/null
	claim new 000001 >/dev/null 2>&1
	claim add C000001 1 2 --reason defect >/dev/null
}

notices() {
	admin db dump | grep -a '^notifications ' | wc -l
}

status1() {
	claim show C000001 --tsv -H | sed -n 2p | cut -f7
}

@test "submission: a crash before the commit leaves a draft; the retry tells once" {
	FX_CRASH_AT=claim-before-commit run -134 claim submit C000001
	[ -e "$FORMIX_ROOT/spool/1c/out/claim-C000001.xml" ]
	[ "$(claim show C000001 --tsv -H | head -1 | cut -f2)" = draft ]
	[ "$(notices)" -eq 0 ]
	run -0 claim submit C000001
	[ "$(notices)" -eq 1 ]
	# A crash after the commit: done once; asking again is refused.
	claim new 000001 >/dev/null 2>&1
	claim add C000002 1 1 --reason defect >/dev/null
	FX_CRASH_AT=claim-after-commit run -134 claim submit C000002
	[ "$(notices)" -eq 2 ]
	run -1 --separate-stderr claim submit C000002
	[ "$stderr" = "formix-claim: claim C000002 is submitted already" ]
	[ "$(notices)" -eq 2 ]
}

@test "a status change: never lost, never told twice" {
	claim submit C000001 >/dev/null 2>&1
	FX_CRASH_AT=claim-before-commit run -134 claim set C000001/1 in_review
	[ "$(status1)" = new ]
	[ "$(notices)" -eq 1 ]
	run -0 claim set C000001/1 in_review
	[ "$(status1)" = in_review ]
	[ "$(notices)" -eq 2 ]
	FX_CRASH_AT=claim-after-commit run -134 claim set C000001/1 accepted --resolution refund
	[ "$(status1)" = accepted ]
	[ "$(notices)" -eq 3 ]
	# The one who retries is told it is done; nobody is told again.
	run -0 --separate-stderr claim set C000001/1 accepted --resolution refund
	[ "$stderr" = "formix-claim: claim C000001 line 1 is accepted already: nothing changed" ]
	[ "$(notices)" -eq 3 ]
	grep -q 'status="accepted" resolution="refund"' \
	    "$FORMIX_ROOT/spool/1c/out/claim-C000001.xml"
}

@test "an attachment: stored before its record, found in place by the retry" {
	FX_CRASH_AT=claim-before-commit run -134 claim attach C000001 "$DATA/claims/photo.jpg"
	[ "$(find "$FORMIX_ROOT/spool/attachments" -type f | wc -l)" -eq 1 ]
	[ "$(claim show C000001 --tsv -H | head -1 | cut -f9)" = 0 ]
	run -0 claim attach C000001 "$DATA/claims/photo.jpg"
	[ "$(find "$FORMIX_ROOT/spool/attachments" -type f | wc -l)" -eq 1 ]
	[ "$(claim show C000001 --tsv -H | head -1 | cut -f9)" = 1 ]
	[ -z "$(ls -A "$FORMIX_ROOT/spool/tmp")" ]
}
