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

@test "kill -9 at random moments while 200 orders and 20 catalog packages flow: each once" {
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$DATA/cond/conditions.xml" 2>/dev/null
	admin user add ivan --dealer D00001 --name "Иван" --entity D00001-1 \
	    --perm order >/dev/null
	DD="$SP/dealers/D00001"
	mkdir -p "$DD"
	printf 'user ivan\nmode auto\n' > "$DD/channel"
	run -0 --separate-stderr fxd --once		# makes its in/ and out/
	p0=$(fx_count products)
	mkcml "$STAGE/gen" 20
	# 200 orders, each its own content: every one is a new order.
	mkdir "$STAGE/orders"
	for i in $(seq -w 1 200); do
		printf 'Артикул;Количество\n27087-10;%d\nMS-00123;1\n' \
		    "$((10#$i))" > "$STAGE/orders/o$i.csv"
	done
	log="$BATS_TEST_TMPDIR/kills.log"
	seed=${FX_KILL_SEED:-$RANDOM}
	echo "# RANDOM seed $seed (FX_KILL_SEED repeats it)" >&3
	RANDOM=$seed
	k=0 m=0
	for i in $(seq 1 50); do
		"$FXD" -d -D "$FORMIX_ROOT" 2>>"$log" 3>&- &
		FXD_PID=$!
		while [ $k -lt $((i * 20 / 45)) ] && [ $k -lt 20 ]; do
			k=$((k + 1))
			mv "$STAGE/gen/$(printf 'import-%02d.xml' $k)" "$IN/"
		done
		while [ $m -lt $((i * 200 / 45)) ] && [ $m -lt 200 ]; do
			m=$((m + 1))
			f=$(printf 'o%03d.csv' $m)
			mv "$STAGE/orders/$f" "$DD/in/"
		done
		sleep "$(printf '0.%03d' $((RANDOM % 150)))"
		kill -9 "$FXD_PID" 2>/dev/null || true
		wait "$FXD_PID" 2>/dev/null || true
		FXD_PID=
	done
	[ $k -eq 20 ] && [ $m -eq 200 ]
	run -0 fxd --once

	# Every file in done/ once; nothing anywhere else.
	[ "$(nfiles done)" -eq 220 ]
	[ "$(nentries corrupt)" -eq 0 ]
	[ "$(nentries incoming)" -eq 0 ] && [ "$(nentries active)" -eq 0 ]
	[ "$(nentries deferred)" -eq 0 ]
	[ "$(ls -A "$IN")" = "" ] && [ "$(ls -A "$DD/in")" = "" ]
	# 200 orders, numbered densely, each submitted, each sent to 1C once.
	run -0 "$FX_BIN/formix-order" list --tsv -H
	[ "$(wc -l <<< "$output")" -eq 200 ]
	[ "$(cut -f2 <<< "$output" | sort -u)" = submitted ]
	[ "$(cut -f1 <<< "$output" | sort | head -1)" = 000001 ]
	[ "$(cut -f1 <<< "$output" | sort | tail -1)" = 000200 ]
	[ "$(ls "$SP/1c/out" | grep -c '^order-.*\.xml$')" -eq 200 ]
	# One summary per order file, whatever the crashes rewrote.
	[ "$(ls "$DD/out" | grep -c '\.txt$')" -eq 200 ]
	# Each order is the file it came from: quantities 1..200, once each.
	for n in 1 57 200; do
		f=$(printf 'o%03d.csv' $n)
		num=$(sed -n 's/^order: //p' "$DD/out/$f".*.txt)
		[ -n "$num" ]
		"$FX_BIN/formix-order" show "$num" --tsv -H | grep -q "^1	27087-10	[^	]*	$n	"
	done
	# And the 20 catalog packages applied once each.
	[ "$(admin db dump | grep -c '^applied ')" -ge 20 ]
	[ "$(fx_count products)" -eq $((p0 + 20)) ]
	echo "# $(grep -c 'active -> incoming: recovered' "$log") recoveries, $(grep -c 'already applied' "$log") already applied" >&3
}
