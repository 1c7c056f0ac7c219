#!/usr/bin/env bats
# Crash points: formixd --once aborts at each named step (FX_CRASH_AT,
# POINT:N for the Nth time it is reached), then runs again without; every
# file must end in exactly one of done/ and corrupt/, each with one
# acknowledgement, and the store must equal the same imports done by
# hand: nothing lost, nothing applied twice.

load ../cli/helpers
load daemon

setup_file() {
	# The reference: what the three drops below must make of a store.
	export FX_REF="$BATS_FILE_TMPDIR/ref.dump"
	export FORMIX_ROOT="$BATS_FILE_TMPDIR/ref"
	"$FX_BIN/formix-admin" init "$FORMIX_ROOT" >/dev/null
	"$FX_BIN/formix-admin" -q import "$FX_SRCDIR/tests/data/cml/import.xml"
	"$FX_BIN/formix-admin" -q import "$FX_SRCDIR/tests/data/cml/offers.xml" \
	    2>/dev/null
	"$FX_BIN/formix-admin" db dump |
	    sed -E '/^applied /s/ 2="[^"]*"//' > "$FX_REF"
}

setup() { fxd_instance; }
teardown() { fxd_teardown; }

# A second sweep in the same test starts from nothing again.
fresh() {
	rm -rf "$BATS_TEST_TMPDIR/inst" "$BATS_TEST_TMPDIR/stage"
	fxd_instance
}

drops() {
	drop "$DATA/cml/import.xml"
	drop "$DATA/cml/offers.xml"
	# Refused (an INN with bad check digits): the corrupt/ path.
	drop "$DATA/cond/conditions-bad-inn.xml" bad.xml
}

# Every file once, in its one final state; one acknowledgement an entry.
check_exactly_once() {
	[ "$(where import.xml)" = done ]
	[ "$(where offers.xml)" = done ]
	[ "$(where bad.xml)" = corrupt ]
	[ -f "$(dirname "$(find "$Q/corrupt" -name bad.xml)")/bad.xml.err" ]
	[ "$(ls -A "$IN")" = "" ]
	[ "$(nentries incoming)" -eq 0 ]
	[ "$(nentries active)" -eq 0 ]
	[ "$(nentries deferred)" -eq 0 ]
	[ "$(ls "$OUT" | wc -l)" -eq 3 ]
	for e in $(ls "$Q/done" "$Q/corrupt" | grep '\.1c$'); do
		[ "$(ls "$OUT" | grep -c "\.${e%.1c}\.ack\$")" -eq 1 ]
	done
	fxd_dump > "$BATS_TEST_TMPDIR/got"
	diff "$FX_REF" "$BATS_TEST_TMPDIR/got"
}

# sweep POINT: crash there, run again, check.
sweep() {
	drops
	FX_CRASH_AT=$1 run -134 fxd --once
	run -0 fxd --once
	check_exactly_once
}

@test "crash: after the entry directory is made, before the file is in it" {
	sweep intake-mkdir
}
@test "crash: after the intake rename (1st, 3rd file)" {
	sweep intake
	fresh
	sweep intake:3
}
@test "crash: after the move to active (1st, 2nd package)" {
	sweep active
	fresh
	sweep active:2
}
@test "crash: before the commit" {
	sweep commit
}
@test "crash: after the commit, before the acknowledgement and done/ (1st, 2nd)" {
	sweep after-commit
	fresh
	sweep after-commit:2
}
@test "crash: inside the acknowledgement's write, before its rename" {
	sweep spool-rename
	fresh
	sweep spool-rename:2
}
@test "crash: after the acknowledgement, before the rename to done/ (1st, 2nd)" {
	sweep ack
	fresh
	sweep ack:2
}
@test "crash: answers synced, before the finished entries move to done/ together" {
	sweep fin
}
@test "crash: after the .err report, before the rename to corrupt/" {
	sweep corrupt
}
@test "crash: in recovery, after moving an entry back from active/" {
	drops
	FX_CRASH_AT=active run -134 fxd --once
	[ "$(nentries active)" -eq 1 ]
	FX_CRASH_AT=recover run -134 fxd --once
	[ "$(nentries active)" -eq 0 ]
	run -0 fxd --once
	check_exactly_once
}
@test "crash: twice in a row at different points" {
	drops
	FX_CRASH_AT=after-commit run -134 fxd --once
	FX_CRASH_AT=ack:2 run -134 fxd --once
	run -0 fxd --once
	check_exactly_once
}

@test "crash: a package killed before its commit is applied whole on restart" {
	sed -i 's/package_window: 0/package_window: 1/' "$FORMIX_ROOT/formix.yaml"
	drop "$DATA/cml/import.xml"
	drop "$DATA/cml/offers.xml"
	FX_CRASH_AT=commit run -134 fxd --once
	[ "$(admin db stat --json | grep -o '"products":[0-9]*')" = '"products":0' ]
	run -0 fxd --once
	[ "$(nentries done)" -eq 1 ]
	[ "$(nfiles done)" -eq 2 ]
	fxd_dump > "$BATS_TEST_TMPDIR/got"
	export FORMIX_ROOT="$BATS_TEST_TMPDIR/ref"
	admin init "$FORMIX_ROOT" >/dev/null
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" 2>/dev/null
	fxd_dump > "$BATS_TEST_TMPDIR/want"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "crash: after the retry note, before the rename to deferred/" {
	mkcml "$STAGE/big" 0 --big 3000
	sed -i 's/map_size: 256MiB/map_size: 1MiB\n  map_max: 1MiB/' "$FORMIX_ROOT/formix.yaml"
	fxd_dump > "$BATS_TEST_TMPDIR/before"
	drop "$STAGE/big/import.xml"
	FX_CRASH_AT=deferred run -134 fxd --once
	run -75 fxd --once
	[ "$(where import.xml)" = deferred ]
	# The failure before the crash counts.
	grep -qx "attempts 2" "$Q/deferred/"*/.retry
	fxd_dump > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	sed -i 's/map_max: 1MiB/map_max: 64MiB/' "$FORMIX_ROOT/formix.yaml"
	touch "$Q/deferred/"*
	run -0 fxd --once
	[ "$(where import.xml)" = done ]
	[ "$(ls "$OUT" | wc -l)" -eq 1 ]
}
