#!/usr/bin/env bats
# Claims' notices, end to end: every line status change of a claim is told
# once to the dealer, as a file in its folder's out/ and by e-mail to the
# claim's author and the dealer's superusers, through a real MTA (tests/
# daemon/mta.bash); a crash between the file and its mark rewrites the
# same file, and a crash after a mail was sent sends the same message
# (same Message-ID) again, never a new one.

load ../cli/helpers
load daemon
load mta

HEAD=7701123451/770101001

claim() { "$FX_BIN/formix-claim" "$@"; }
order() { "$FX_BIN/formix-order" "$@"; }

setup() {
	mta_require
	fxd_instance
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$DATA/cond/conditions.xml" 2>/dev/null
	printf 'Артикул;Количество\n27087-10;10\nMS-00123;3\nW26110;5\n' \
	    > "$BATS_TEST_TMPDIR/o.csv"
	order new "$BATS_TEST_TMPDIR/o.csv" --entity "$HEAD" >/dev/null 2>&1
	order submit 000001 >/dev/null 2>&1
	admin -q import "$DATA/orders/1c-status.xml"
	admin user add boss --dealer D00001 --name "Начальник" \
	    --email boss@promservis.ru --superuser >/dev/null
	DD="$SP/dealers/D00001"
	mkdir -p "$DD"
	printf 'user boss\n' > "$DD/channel"
	mta_setup
	mta_up
	cat >> "$FORMIX_ROOT/formix.yaml" <<-EOC
	mail:
	  smtp_url: smtp://127.0.0.1:$MTA_PORT
	  from: claims@formix.test
	EOC
	run -0 --separate-stderr fxd --once	# the folder's in/ and out/
	claim new 000001 >/dev/null 2>&1
	claim add C000001 1 2 --reason defect >/dev/null
}
teardown() {
	fxd_teardown
	mta_down
}

notices_out() { ls "$DD/out" | grep -c '^notice-.*\.txt$' || true; }

@test "each status change: one file in out/ and one mail, however often formixd runs" {
	claim submit C000001 >/dev/null 2>&1
	claim set C000001/1 in_review >/dev/null 2>&1
	claim set C000001/1 accepted --resolution replacement >/dev/null 2>&1
	run -0 --separate-stderr fxd --once
	[ "$(notices_out)" -eq 3 ]
	wait_for mta_has 3
	run -0 --separate-stderr fxd --once
	run -0 --separate-stderr fxd --once
	[ "$(notices_out)" -eq 3 ]
	sleep 1
	[ "$(mta_count)" -eq 3 ]
	# What the dealer reads: the claim, the line's new status.
	last=$(ls "$DD/out"/notice-*.txt | tail -1)
	grep -qx 'kind: claim' "$last"
	grep -qx 'object: C000001' "$last"
	grep -q 'accepted' "$last"
	# The mails: to the superuser, one Message-ID each.
	for m in $(mta_msgs); do
		grep -qi '^To:.*boss@promservis.ru' "$m"
		grep -qi '^Message-ID: <formix-notice-' "$m"
	done
	[ "$(grep -hi '^Message-ID:' $(mta_msgs) | sort -u | wc -l)" -eq 3 ]
}

@test "a crash after the file, before its mark: the same file again, once" {
	claim submit C000001 >/dev/null 2>&1
	FX_CRASH_AT=notice-written run -134 fxd --once
	[ "$(notices_out)" -eq 1 ]
	f=$(ls "$DD/out"/notice-*.txt)
	cp "$f" "$BATS_TEST_TMPDIR/first"
	run -0 --separate-stderr fxd --once
	[ "$(notices_out)" -eq 1 ]
	cmp "$f" "$BATS_TEST_TMPDIR/first"
}

@test "a crash after a mail was sent: sent again with the same Message-ID" {
	claim submit C000001 >/dev/null 2>&1
	FX_CRASH_AT=mail-sent run -134 fxd --once
	wait_for mta_has 1
	run -0 --separate-stderr fxd --once
	wait_for mta_has 2
	run -0 --separate-stderr fxd --once
	sleep 1
	[ "$(mta_count)" -eq 2 ]
	[ "$(grep -hi '^Message-ID:' $(mta_msgs) | sort -u | wc -l)" -eq 1 ]
}
