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

files() {
	find "$FORMIX_ROOT/spool/attachments" "$FORMIX_ROOT/spool/documents" -type f 2>/dev/null
}

nfiles1() {
	claim show C000001 --tsv -H | head -1 | cut -f9
}

@test "an attachment's file is stored before its write transaction opens" {
	# A crash between the file and the transaction: no record, the file
	# in place; the retry records it and stores nothing twice.
	FX_CRASH_AT=claim-attach-stored run -134 claim attach C000001 "$DATA/claims/photo.jpg"
	[ "$(files | wc -l)" -eq 1 ]
	[ "$(nfiles1)" = 0 ]
	run -0 claim attach C000001 "$DATA/claims/photo.jpg"
	[ "$(files | wc -l)" -eq 1 ]
	[ "$(nfiles1)" = 1 ]
	[ -z "$(ls -A "$FORMIX_ROOT/spool/tmp")" ]
	# What the store refuses before storing leaves no file at all.
	run -1 claim attach C000009 "$DATA/claims/act.docx"
	[ "$(files | wc -l)" -eq 1 ]
}

@test "no write lock is held while an attachment's file is written" {
	T=$BATS_TEST_TMPDIR
	FX_PAUSE_AT=claim-attach-store:$T/p claim attach C000001 "$DATA/claims/photo.jpg" \
	    > "$T/attach.out" 2>&1 &
	pid=$!
	for i in $(seq 500); do [ -e "$T/p.paused" ] && break; sleep 0.02; done
	[ -e "$T/p.paused" ]
	# Another writer commits while the attach stands before its file.
	run -0 timeout 20 "$FX_BIN/formix-claim" new 000001
	kill -0 "$pid"
	touch "$T/p.go"
	wait "$pid"
	[ "$(nfiles1)" = 1 ]
	[ "$(claim list --tsv -H | wc -l)" -eq 2 ]
}

@test "gc attachments: unnamed files older than an hour go, others stay" {
	T=$BATS_TEST_TMPDIR
	claim attach C000001 "$DATA/claims/photo.jpg" >/dev/null
	FX_CRASH_AT=claim-attach-stored run -134 claim attach C000001 "$DATA/claims/act.docx"
	mkdir -p "$FORMIX_ROOT/spool/documents/ab"
	doc=$FORMIX_ROOT/spool/documents/ab/ab$(printf '%062d' 0)
	echo old > "$doc"
	[ "$(files | wc -l)" -eq 3 ]
	# Fresh: the unnamed file may be one a transaction is about to name.
	run -0 admin gc attachments
	[ "$output" = "removed 0 files (0 bytes); kept 1 named by a record, 2 younger than an hour" ]
	files | xargs touch -d '2 hours ago'
	run -0 admin gc attachments -n
	[ "$output" = "would remove 2 files ($(( $(stat -c %s "$DATA/claims/act.docx") + 4 )) bytes); kept 1 named by a record, 0 younger than an hour" ]
	[ "$(files | wc -l)" -eq 3 ]
	run -0 admin gc attachments --json
	[[ "$output" == '{"removed":2,'* ]]
	[ "$(files | wc -l)" -eq 1 ]
	[ ! -e "$doc" ]
	admin log | grep -q 'spool.gc'
	# The named one stays, however old; and can be fetched.
	run -0 admin gc attachments
	[ "$output" = "removed 0 files (0 bytes); kept 1 named by a record, 0 younger than an hour" ]
	run -64 admin gc
	run -64 admin gc everything
}

@test "gc between an attach's file and its transaction: the file is written again" {
	T=$BATS_TEST_TMPDIR
	FX_PAUSE_AT=claim-attach-stored:$T/p claim attach C000001 "$DATA/claims/photo.jpg" \
	    > "$T/attach.out" 2>&1 &
	pid=$!
	for i in $(seq 500); do [ -e "$T/p.paused" ] && break; sleep 0.02; done
	[ -e "$T/p.paused" ]
	files | xargs touch -d '2 hours ago'
	run -0 admin gc attachments
	[ "$output" = "removed 1 files ($(stat -c %s "$DATA/claims/photo.jpg") bytes); kept 0 named by a record, 0 younger than an hour" ]
	[ "$(files | wc -l)" -eq 0 ]
	touch "$T/p.go"
	wait "$pid"
	[ "$(nfiles1)" = 1 ]
	[ "$(files | wc -l)" -eq 1 ]
	cmp "$(files)" "$DATA/claims/photo.jpg"
}
