#!/usr/bin/env bats
# formixd: options, -n, the lock, --once and the running daemon, packages,
# acknowledgements, refusals, deferral and retries, signals, recovery of
# spool/tmp.

load ../cli/helpers
load daemon

setup() { fxd_instance; }
teardown() { fxd_teardown; }

@test "--help, --version and a usage error" {
	run -0 fxd --help
	[[ "$output" == *"--once"* ]]
	run -0 fxd -V
	[ "$output" = "formixd (formix) 0.1" ]
	run -64 --separate-stderr fxd --bogus
	[ "${stderr_lines[-1]}" = "try 'formixd --help'" ]
	run -64 --separate-stderr fxd extra
	[ "${stderr_lines[0]}" = 'formixd: unexpected argument "extra"' ]
}

@test "-n checks the configuration and the store" {
	run -0 --separate-stderr fxd -n
	[ "$stderr" = "configuration OK" ]
	fx_conf_add spool "settle: soon"
	run -78 --separate-stderr fxd -n
	[[ "$stderr" == *"formix.yaml:"*": spool.settle: expected an integer from 0 to 3600, got \"soon\"" ]]
	run -66 --separate-stderr fxd -n -D "$BATS_TEST_TMPDIR/nowhere"
}

@test "--once applies 1C's files and acknowledges each, as formix-admin import would" {
	drop "$DATA/cml/import.xml"
	drop "$DATA/cml/offers.xml"
	run -0 fxd --once
	[ "$(where import.xml)" = done ]
	[ "$(where offers.xml)" = done ]
	[ "$(ls "$IN")" = "" ]
	[ "$(nentries incoming)" -eq 0 ] && [ "$(nentries active)" -eq 0 ]
	# One acknowledgement per package, named after the file and its id.
	[ "$(ls "$OUT" | wc -l)" -eq 2 ]
	ack=$(ls "$OUT"/import.xml.*.ack)
	id=$(ls "$Q/done" | grep -m1 . | cut -d. -f1)
	grep -qx "status: applied" "$ack"
	grep -qx "file: import.xml" "$ack"
	grep -q "^applied: files=1 groups=3 products=6 " "$ack"
	grep -qx "channel: 1c" "$ack"
	fxd_dump > "$BATS_TEST_TMPDIR/got"
	# The reference: the same packages by hand, in the same order.
	export FORMIX_ROOT="$BATS_TEST_TMPDIR/ref"
	admin init "$FORMIX_ROOT" >/dev/null
	admin -q import "$DATA/cml/import.xml"
	admin -q import "$DATA/cml/offers.xml" 2>/dev/null
	fxd_dump > "$BATS_TEST_TMPDIR/want"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "the parts of one 1C exchange dropped together are one package" {
	fx_conf_add spool "package_window: 1"
	sed -i '/package_window: 0/d' "$FORMIX_ROOT/formix.yaml"
	drop "$DATA/cml/import.xml"
	drop "$DATA/cml/offers.xml"
	drop "$DATA/cond/conditions.xml"
	run -0 --separate-stderr fxd -d --once
	# import + offers in one entry, one transaction; conditions alone.
	[ "$(nentries done)" -eq 2 ]
	entry=$(dirname "$(find "$Q/done" -name import.xml)")
	[ -f "$entry/offers.xml" ]
	[[ "$stderr" == *'file="offers.xml": 1c/in -> incoming: 4708 bytes, joins the package'* ]]
	[[ "$stderr" == *'file="import.xml" file="offers.xml": active -> done: applied: files=2 '* ]]
	ack=$(ls "$OUT"/import.xml.*.ack)
	grep -qx "file: offers.xml" "$ack"
}

@test "a running formixd takes a file renamed in at once, and stops on SIGTERM" {
	fxd_start
	drop "$DATA/cml/import.xml"
	wait_for in_state import.xml done
	id=$(ls "$Q/done" | cut -d. -f1)
	# Every line about the file carries its id, its name and the change.
	logged "id=$id chan=1c file=\"import.xml\": 1c/in -> incoming: 4873 bytes"
	logged "id=$id chan=1c file=\"import.xml\": incoming -> active"
	wait_for logged "id=$id chan=1c file=\"import.xml\": active -> done: applied: "
	fxd_stop
	logged "signal TERM: finishing the package in hand, then stopping"
	logged "^stopped: taken 1, applied 1, "
}

@test "a file closed after writing is taken after its settle time, if it is whole" {
	sed -i 's/settle: 0/settle: 1/' "$FORMIX_ROOT/formix.yaml"
	fx_conf_add spool "incomplete_after: 3"
	fxd_start
	# Written in place (IN_CLOSE_WRITE), not renamed in.
	cp "$DATA/cml/import.xml" "$IN/import.xml"
	head -c 3000 "$DATA/cml/offers.xml" > "$IN/offers.xml"
	wait_for in_state import.xml done
	# Cut short: no closing root element.  It waits, said once...
	wait_for logged 'file="offers.xml": 1c/in: looks cut short: waits for the rest'
	[ -f "$IN/offers.xml" ]
	# ... and is taken as it is once it has not changed for a while.
	wait_for in_state offers.xml corrupt
	logged 'file="offers.xml": 1c/in: still looks incomplete after 3 s without change: taken as it is'
	[ "$(grep -c 'looks cut short' "$FXD_LOG")" -eq 1 ]
}

@test "one formixd per instance" {
	fxd_start
	run -75 --separate-stderr fxd --once
	[[ "$stderr" == "another formixd is running on $FORMIX_ROOT, pid $FXD_PID: try again later" ]]
}

@test "SIGHUP keeps the old configuration if the new one is invalid" {
	fxd_start
	echo "bogus: 1" >> "$FORMIX_ROOT/formix.yaml"
	kill -HUP "$FXD_PID"
	wait_for logged 'reload: .*formix.yaml:[0-9]*:1: unknown section "bogus": keeping the configuration in force'
	drop "$DATA/cml/import.xml"
	wait_for in_state import.xml done
	sed -i '/bogus/d' "$FORMIX_ROOT/formix.yaml"
	kill -HUP "$FXD_PID"
	wait_for logged '^reload: configuration read again'
	# A change of the store takes a restart.
	fx_conf_add store "map_max: 1GiB"
	kill -HUP "$FXD_PID"
	wait_for logged 'store.map_max changed: it takes a restart: keeping'
	fxd_stop
}

@test "the same file twice: the second is already applied" {
	drop "$DATA/cml/import.xml"
	run -0 fxd --once
	fxd_dump > "$BATS_TEST_TMPDIR/before"
	drop "$DATA/cml/import.xml"
	run -0 --separate-stderr fxd -d --once
	[[ "$stderr" == *'file="import.xml": active -> done: already applied on '*': nothing to do'* ]]
	[ "$(nfiles done)" -eq 2 ]
	second=$(ls "$Q/done" | sort | tail -1 | cut -d. -f1)
	grep -qx "status: already applied" "$OUT/import.xml.$second.ack"
	grep -q "^applied_at: " "$OUT/import.xml.$second.ack"
	fxd_dump > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "a file that fails to parse goes to corrupt/ with its report, and changes nothing" {
	fxd_dump > "$BATS_TEST_TMPDIR/before"
	drop "$DATA/cond/conditions-bad-inn.xml" bad.xml
	run -0 --separate-stderr fxd -d --once
	[ "$(where bad.xml)" = corrupt ]
	err=$(find "$Q/corrupt" -name bad.xml.err)
	[ "$(wc -l < "$err")" -eq 1 ]
	msg=$(cat "$err")
	[[ "$msg" == "bad.xml:"* ]]
	[[ "$stderr" == *"file=\"bad.xml\": active -> corrupt: $msg"* ]]
	ack=$(ls "$OUT"/bad.xml.*.ack)
	grep -qx "status: refused" "$ack"
	grep -qxF "error: $msg" "$ack"
	fxd_dump > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "intake stops below spool.min_free, and the files wait" {
	sed -i 's/min_free: 0/min_free: 1000TiB/' "$FORMIX_ROOT/formix.yaml"
	drop "$DATA/cml/import.xml"
	run -75 --separate-stderr fxd -d --once
	[[ "$stderr" == *"alert: intake stopped: "*" MiB free on the spool, below spool.min_free (1048576000 MiB); files wait in the channels' in/"* ]]
	[ -f "$IN/import.xml" ]
	[ "$(nentries incoming)" -eq 0 ] && [ "$(nentries done)" -eq 0 ]
	sed -i 's/min_free: 1000TiB/min_free: 0/' "$FORMIX_ROOT/formix.yaml"
	run -0 fxd --once
	[ "$(where import.xml)" = done ]
}

@test "a temporary failure (map full) is deferred, retried with backoff, alerted once" {
	mkcml "$STAGE/big" 0 --big 3000
	sed -i 's/map_size: 256MiB/map_size: 1MiB\n  map_max: 1MiB/' "$FORMIX_ROOT/formix.yaml"
	fx_conf_add spool "alert_after: 2"
	fx_conf_add spool "min_backoff: 10"
	fxd_dump > "$BATS_TEST_TMPDIR/before"
	drop "$STAGE/big/import.xml"
	run -75 --separate-stderr fxd -d --once
	[ "$(where import.xml)" = deferred ]
	entry=$(ls "$Q/deferred")
	grep -qx "attempts 1" "$Q/deferred/$entry/.retry"
	[[ "$stderr" == *"active -> deferred: "*"map full at its maximum of 1 MiB: raise store.map_max; attempt 1 failed, next in 10 s"* ]]
	# The next attempt is the entry's mtime: 10 s from now.
	due=$(stat -c %Y "$Q/deferred/$entry")
	[ "$due" -ge $(( $(date +%s) + 8 )) ]
	[ "$(ls "$OUT")" = "" ]
	# Not due: --once does not wait for it.
	run -75 --separate-stderr fxd -d --once
	[[ "$stderr" != *"deferred -> active"* ]]
	# Made due (as the manual says: touch it): attempt 2, twice the wait,
	# and the one alert.
	touch "$Q/deferred/$entry"
	run -75 --separate-stderr fxd -d --once
	[[ "$stderr" == *"deferred -> active: attempt 2"* ]]
	[[ "$stderr" == *"attempt 2 failed, next in 20 s"* ]]
	[[ "$stderr" == *"alert: id=${entry%.1c} chan=1c file=\"import.xml\": failed 2 times, still retrying"* ]]
	fxd_dump > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# Room made: applied, with the first 1C file behind it.
	sed -i 's/map_max: 1MiB/map_max: 64MiB/' "$FORMIX_ROOT/formix.yaml"
	drop "$DATA/cml/offers.xml"
	touch "$Q/deferred/$entry"
	run -0 fxd --once
	[ "$(where import.xml)" = done ]
	[ "$(admin db stat --json | grep -o '"products":[0-9]*')" = '"products":3000' ]
}

@test "a deferred package holds back the 1C files after it; SIGUSR1 retries it now" {
	mkcml "$STAGE/big" 0 --big 3000
	sed -i 's/map_size: 256MiB/map_size: 1MiB\n  map_max: 1MiB/' "$FORMIX_ROOT/formix.yaml"
	fxd_start
	drop "$STAGE/big/import.xml"
	wait_for in_state import.xml deferred
	drop "$DATA/cml/offers.xml"
	sleep 0.3
	# First in, first out: an older catalog must not land after a newer.
	[ "$(where offers.xml)" = incoming ]
	kill -USR1 "$FXD_PID"
	wait_for logged "signal USR1: retrying deferred packages now"
	wait_for logged "deferred -> active: attempt 2"
	fxd_stop
}

@test "stale files in spool/tmp are quarantined at startup, fresh ones left" {
	echo half > "$SP/tmp/1700000000.1_aa.host"
	touch -d "40 hours ago" "$SP/tmp/1700000000.1_aa.host"
	echo writing > "$SP/tmp/1800000000.2_bb.host"
	run -0 --separate-stderr fxd -d --once
	[[ "$stderr" == *'chan=tmp file="1700000000.1_aa.host": spool/tmp -> corrupt: stale temporary file (over 36 hours old)'* ]]
	[ "$(ls "$SP/tmp")" = "1800000000.2_bb.host" ]
	f=$(find "$Q/corrupt" -name 1700000000.1_aa.host)
	[ "$(cat "$f")" = half ]
	[ -f "$f.err" ]
}

@test "1C's files are applied in the order they arrived" {
	drop "$DATA/cml/import.xml"
	drop "$DATA/cml/offers.xml"
	drop "$DATA/cond/conditions.xml"
	drop "$DATA/cond/deliveries.xml"
	run -0 fxd --once
	[ "$(nfiles done)" -eq 4 ]
	[ "$(nentries corrupt)" -eq 0 ]
	order=$(for e in $(ls "$Q/done" | sort); do ls "$Q/done/$e"; done | tr '\n' ' ')
	[ "$order" = "import.xml offers.xml conditions.xml deliveries.xml " ]
}

@test "inotify is only a hint: what raised no event is found by the timer's scan" {
	fx_conf_add spool "scan_interval: 1"
	fxd_start
	# mkdir raises IN_CREATE only, which is not watched.
	mkdir "$IN/made-here.xml"
	wait_for in_state made-here.xml corrupt
	wait_for logged 'file="made-here.xml": 1c/in -> corrupt: a directory, not a file'
	fxd_stop
}
