#!/usr/bin/env bats
# formixd on a full disk (RELIABILITY.md, test 5): the whole instance on a
# small tmpfs that dealers' orders fill.  Files wait in deferred/ and are
# retried with backoff, one alert after spool.alert_after failures; once
# room is made every file completes, each exactly once, and no answer in
# out/ is a short one.

load ../cli/helpers
load daemon

setup() {
	if [ "$(id -u)" -ne 0 ]; then
		[ "${CI:-}" != true ] || { echo "CI: needs root to mount a tmpfs" >&2; return 1; }
		skip "needs root to mount a tmpfs"
	fi
	TINY="$BATS_TEST_TMPDIR/tiny"
	mkdir "$TINY"
	mount -t tmpfs -o size=16m tmpfs "$TINY"
	export FORMIX_ROOT="$TINY/inst"
	admin init "$FORMIX_ROOT" >/dev/null
	fx_conf_add spool "settle: 0"
	fx_conf_add spool "package_window: 0"
	fx_conf_add spool "min_free: 0"
	fx_conf_add spool "min_backoff: 1"
	fx_conf_add spool "max_backoff: 2"
	fx_conf_add spool "alert_after: 2"
	sed -i 's/map_size: 256MiB/map_size: 4MiB/' "$FORMIX_ROOT/formix.yaml"
	SP="$FORMIX_ROOT/spool" Q="$FORMIX_ROOT/spool/queue"
	STAGE="$TINY/stage"
	mkdir "$STAGE"
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$DATA/cond/conditions.xml" 2>/dev/null
	admin user add ivan --dealer D00001 --name "Иван" --entity D00001-1 \
	    --perm order >/dev/null
	DD="$SP/dealers/D00001"
	mkdir -p "$DD"
	printf 'user ivan\nmode auto\n' > "$DD/channel"
	run -0 --separate-stderr fxd --once
	for i in $(seq -w 1 20); do
		printf 'Артикул;Количество\n27087-10;%d\nMS-00123;1\n' \
		    "$((10#$i))" > "$STAGE/o$i.csv"
	done
}
teardown() {
	fxd_teardown
	[ -n "${TINY:-}" ] && umount "$TINY" 2>/dev/null || true
}

logged() { grep -q "$1" "$FXD_LOG"; }

@test "a full disk: orders wait, are retried, alerted once, and complete once room is made" {
	fxd_start
	# Fill the disk.
	dd if=/dev/zero of="$TINY/ballast" bs=64k 2>/dev/null || true
	for i in $(seq -w 1 20); do mv "$STAGE/o$i.csv" "$DD/in/"; done
	# Waiting, retried with backoff (1 s, then 2 s), one alert each after
	# two failures: counted in memory, since no note can be written.
	WAIT_S=30 wait_for logged 'alert: .*failed 2 times, still retrying'
	wait_for logged 'attempt 3 failed, next in 2 s'
	[ "$(nentries corrupt)" -eq 0 ]
	[ "$(nentries deferred)" -ge 1 ]
	[ "$(grep 'alert: ' "$FXD_LOG" | grep -c 'file="o01.csv"')" -le 1 ]
	# Room made, and a nudge: everything completes.
	rm -f "$TINY/ballast"
	kill -USR1 "$FXD_PID"
	WAIT_S=30 wait_for eval '[ "$(nentries done)" -eq 20 ]'
	fxd_stop
	[ "$(nentries deferred)" -eq 0 ] && [ "$(nentries corrupt)" -eq 0 ]
	[ "$(nentries incoming)" -eq 0 ] && [ "$(nentries active)" -eq 0 ]
	# Each order once: 20 orders, 20 summaries, no short workbook, and
	# never a second alert for one file.
	run -0 "$FX_BIN/formix-order" list --tsv -H
	[ "$(wc -l <<< "$output")" -eq 20 ]
	[ "$(cut -f2 <<< "$output" | sort -u)" = submitted ]
	[ "$(ls "$DD/out" | grep -c '\.txt$')" -eq 20 ]
	[ "$(ls "$DD/out" | grep -c '\.result\.xlsx$')" -eq 20 ]
	for x in "$DD"/out/*.xlsx; do
		unzip -tq "$x" >/dev/null
	done
	for i in $(seq -w 1 20); do
		[ "$(grep 'alert: ' "$FXD_LOG" | grep -c "file=\"o$i.csv\"")" -le 1 ]
	done
}
