#!/usr/bin/env bats
# kill -9 at random moments: 20 catalog files flow in while formixd is
# started and killed 50 times; a last run must leave every file applied
# exactly once (RELIABILITY.md, test 1, at the scale of a unit test).

load ../cli/helpers
load daemon

setup() { fxd_instance; }
teardown() { fxd_teardown; }

@test "kill -9 at random moments while 20 catalog files flow: each applied once" {
	mkcml "$STAGE/gen" 20
	log="$BATS_TEST_TMPDIR/kills.log"
	seed=${FX_KILL_SEED:-$RANDOM}
	echo "# RANDOM seed $seed (FX_KILL_SEED repeats it)" >&3
	RANDOM=$seed
	k=0
	for i in $(seq 1 50); do
		"$FXD" -d -D "$FORMIX_ROOT" 2>>"$log" 3>&- &
		FXD_PID=$!
		# The files arrive while it starts, recovers and works.
		while [ $k -lt $((i * 20 / 45)) ] && [ $k -lt 20 ]; do
			k=$((k + 1))
			mv "$STAGE/gen/$(printf 'import-%02d.xml' $k)" "$IN/"
		done
		sleep "$(printf '0.%03d' $((RANDOM % 150)))"
		kill -9 "$FXD_PID" 2>/dev/null || true
		wait "$FXD_PID" 2>/dev/null || true
		FXD_PID=
	done
	[ $k -eq 20 ]
	run -0 fxd --once

	# Every file in done/, once; nothing anywhere else.
	for k in $(seq -w 1 20); do
		[ "$(where "import-$k.xml")" = done ] ||
		    { echo "import-$k.xml: $(where "import-$k.xml")"; false; }
	done
	[ "$(nfiles done)" -eq 20 ]
	[ "$(nentries corrupt)" -eq 0 ]
	[ "$(nentries incoming)" -eq 0 ] && [ "$(nentries active)" -eq 0 ]
	[ "$(ls -A "$IN")" = "" ]
	[ "$(ls "$OUT" | wc -l)" -eq 20 ]
	# Applied once each: 20 applied marks, 20 products.
	[ "$(admin db dump | grep -c '^applied ')" -eq 20 ]
	[ "$(fx_count products)" -eq 20 ]
	# And the store is what importing them by hand makes of it.
	fxd_dump > "$BATS_TEST_TMPDIR/got"
	export FORMIX_ROOT="$BATS_TEST_TMPDIR/ref"
	admin init "$FORMIX_ROOT" >/dev/null
	mkcml "$BATS_TEST_TMPDIR/again" 20
	for f in "$BATS_TEST_TMPDIR"/again/import-*.xml; do
		admin -q import "$f"
	done
	fxd_dump > "$BATS_TEST_TMPDIR/want"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	echo "# $(grep -c 'active -> incoming: recovered' "$log") recoveries, $(grep -c 'already applied' "$log") already applied" >&3
}
