#!/usr/bin/env bats
# formixd: the e-mail channel and the delivery of the notification
# outbox, against a real MTA (OpenSMTPD on 127.0.0.1, tests/daemon/
# mta.bash).  A message in the Maildir acts as the registered user of its
# From: only when our MTA's Authentication-Results (our authserv-id, a
# DMARC pass) or the dealer's secret drop address vouches for it; its
# order files are handled as in the dealer's folder, and the reply, with
# the result workbook, really arrives at the registered address.

load ../cli/helpers
load daemon
load mta

HEAD=7701123451_770101001
AUTH="mx.formix.test; dmarc=pass header.from=dealer.test"

setup() {
	mta_require
	fxd_instance
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$DATA/cond/conditions.xml" 2>/dev/null
	admin -q import "$DATA/cond/deliveries.xml"
	admin user add ivan --dealer D00001 --name "Иван" --entity D00001-1 \
	    --perm order --email Ivan@Dealer.test >/dev/null
	DD="$SP/dealers/D00001"
	mkdir -p "$DD"
	printf 'user ivan\nmail orders+k7Qz9@formix.test\n' > "$DD/channel"
	DOUT="$DD/out"
	MD="$SP/mail/Maildir"
	mkdir -p "$MD/tmp" "$MD/new" "$MD/cur"
	chown nobody "$MD" "$MD/tmp" "$MD/new" "$MD/cur"
	MTA_FORMIX_MAILDIR="$MD"
	mta_setup
	fx_conf_add spool "min_backoff: 1"
	fx_conf_add spool "max_backoff: 2"
	fx_conf_add spool "alert_after: 2"
	cat >> "$FORMIX_ROOT/formix.yaml" <<-EOC
	mail:
	  maildir: mail/Maildir
	  authserv_id: mx.formix.test
	  smtp_url: smtp://127.0.0.1:$MTA_PORT
	  from: orders@formix.test
	  staff_address: staff@staff.test
	  max_attachments: 2
	  max_attachment_size: 2KiB
	EOC
	printf 'Артикул;Количество\n27087-10;10\nMS-00123;3\nW26110;5\n' \
	    > "$STAGE/ok.csv"
}
teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		echo "# formixd:"; tail -30 "${FXD_LOG:-/dev/null}"
		echo "# MTA:"; tail -15 "${MTA_LOG:-/dev/null}"
	fi
	fxd_teardown
	mta_down
}

mkmail() { "${PYTHON3:-python3}" "$BATS_TEST_DIRNAME/mkmail.py" "$@"; }

# mdrop SRC NAME: into the Maildir's new/ by rename, as an MTA delivers.
mdrop() {
	cp "$1" "$MD/tmp/$2"
	mv "$MD/tmp/$2" "$MD/new/$2"
}

# The n-th message the MTA delivered (1: the first).
msg() { mta_msgs | sed -n "${1}p"; }
# A header of a delivered message.
hdr() {
	"${PYTHON3:-python3}" - "$1" "$2" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
print(m.get(sys.argv[2], ""))
PY
}
# The attachments of a message: "name<TAB>bytes<TAB>magic", one a line.
parts() {
	"${PYTHON3:-python3}" - "$1" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
for p in m.iter_attachments():
    d = p.get_content()
    print("%s\t%d\t%s" % (p.get_filename(), len(d), d[:2].decode("latin1")))
PY
}
body() {
	"${PYTHON3:-python3}" - "$1" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
print(m.get_body(("plain",)).get_content())
PY
}
norders() { "$FX_BIN/formix-order" list --tsv -H | grep -c . || true; }

@test "an authenticated order by mail: result in out/, reply with the workbook really arrives, to the registered address" {
	mta_up
	mkmail "$STAGE/m1" --from "Ivan <ivan@dealer.test>" --auth "$AUTH" \
	    --header "Reply-To: thief@evil.test" --subject "Заказ" \
	    --attach "$STAGE/ok.csv=$HEAD ok.csv"
	fxd_start
	mdrop "$STAGE/m1" 1001.M1.host
	wait_for mta_has 1
	m=$(msg 1)
	[ "$(hdr "$m" To)" = "ivan@dealer.test" ]
	[ "$(hdr "$m" Delivered-To)" = "ivan@dealer.test" ]
	[[ "$(hdr "$m" Message-ID)" == "<formix-notice-00000000000000000001@formix.test>" ]]
	[ "$(hdr "$m" Subject)" = "Re: Заказ" ]
	run -0 parts "$m"
	[[ "$output" == "$HEAD ok.csv."*".result.xlsx	"*"	PK" ]]
	run -0 body "$m"
	[[ "$output" == *"status: submitted"* ]]
	[[ "$output" == *"order: 000001"* ]]
	# The same in the dealer's out/: the result, the summary, the notice.
	compgen -G "$DOUT/$HEAD ok.csv.*.result.xlsx" >/dev/null
	compgen -G "$DOUT/$HEAD ok.csv.*.txt" >/dev/null
	wait_for test -f "$DOUT/notice-00000000000000000001.txt"
	grep -q '^kind: reply$' "$DOUT/notice-00000000000000000001.txt"
	[ "$(norders)" = 1 ]
	in_state 1001.M1.host done
	admin log --object 000001 | grep -q ivan
	# Nothing went to Reply-To.
	! grep -rq thief "$MTA_MAILDIR"
	logged 'notice 00000000000000000001 -> mail to ivan@dealer.test'
}

# refused_mail FILE: in corrupt/ with its report, nothing made, and the
# staff told: an alert in the log and a mail to the staff address.
refused_mail() {
	wait_for in_state "$1" corrupt
	[ "$(norders)" = 0 ]
	compgen -G "$Q/corrupt/*/$1.err" >/dev/null
	grep -q '^mail refused: ' "$Q"/corrupt/*/"$1.err"
	logged "mail from .* refused, not processed"
	! compgen -G "$DOUT/*.result.xlsx" >/dev/null
}

@test "forged senders are refused, reported to staff, never processed" {
	mta_up
	admin user add petr --dealer D00001 --name "Пётр" --entity D00001-1 \
	    --perm order --email petr@dealer.test >/dev/null
	admin user block petr --reason "уволился" >/dev/null
	a=(--attach "$STAGE/ok.csv=$HEAD ok.csv")
	# No Authentication-Results at all.
	mkmail "$STAGE/f1" --from ivan@dealer.test "${a[@]}"
	# Another authserv-id's pass.
	mkmail "$STAGE/f2" --from ivan@dealer.test \
	    --auth "mx.evil.test; dmarc=pass" "${a[@]}"
	# Ours says fail; a pass below it came with the message.
	mkmail "$STAGE/f3" --from ivan@dealer.test \
	    --auth "mx.formix.test; dmarc=fail" --auth "$AUTH" "${a[@]}"
	# SPF alone vouches for the envelope, not for From:.
	mkmail "$STAGE/f4" --from ivan@dealer.test \
	    --auth "mx.formix.test; spf=pass smtp.mailfrom=dealer.test" "${a[@]}"
	# Vouched for, but not a registered address.
	mkmail "$STAGE/f5" --from stranger@dealer.test --auth "$AUTH" "${a[@]}"
	# A registered address of a blocked user.
	mkmail "$STAGE/f6" --from petr@dealer.test --auth "$AUTH" "${a[@]}"
	fxd_start
	for i in 1 2 3 4 5 6; do
		mdrop "$STAGE/f$i" "200$i.M1.host"
	done
	for i in 1 2 3 4 5 6; do
		refused_mail "200$i.M1.host"
	done
	grep -q "not vouched for" "$Q"/corrupt/*/2001.M1.host.err
	grep -q "not vouched for" "$Q"/corrupt/*/2003.M1.host.err
	grep -q "not vouched for" "$Q"/corrupt/*/2004.M1.host.err
	grep -q "is not a registered address" "$Q"/corrupt/*/2005.M1.host.err
	grep -q 'user \\"petr\\", who is blocked\|user "petr", who is blocked' \
	    "$Q"/corrupt/*/2006.M1.host.err
	# Six staff mails, none to the senders.
	wait_for mta_has 6
	sleep 0.5
	[ "$(mta_count)" = 6 ]
	for m in $(mta_msgs); do
		[ "$(hdr "$m" To)" = "staff@staff.test" ]
	done
	[[ "$(hdr "$(msg 1)" Subject)" == "formix: mail refused from"* ]]
	# Run again (a restart finds them done): nothing more is sent.
	fxd_stop
	fxd_start
	sleep 1
	[ "$(mta_count)" = 6 ]
}

@test "the dealer's secret drop address vouches for a message that came through the MTA" {
	mta_up
	mkmail "$STAGE/s1" --from ivan@dealer.test \
	    --to "orders+k7Qz9@formix.test" --attach "$STAGE/ok.csv=$HEAD ok.csv"
	mkmail "$STAGE/s2" --from stranger@dealer.test \
	    --to "orders+k7Qz9@formix.test" --attach "$STAGE/ok.csv=$HEAD x.csv"
	fxd_start
	# Submitted to the MTA, which delivers into formixd's Maildir.
	mta_submit "$STAGE/s1" ivan@dealer.test orders+k7Qz9@formix.test
	wait_for mta_has 1
	m=$(msg 1)
	[ "$(hdr "$m" To)" = "ivan@dealer.test" ]
	run -0 body "$m"
	[[ "$output" == *"status: submitted"* ]]
	[ "$(norders)" = 1 ]
	# An unregistered sender at the secret address is still refused.
	mta_submit "$STAGE/s2" stranger@dealer.test orders+k7Qz9@formix.test
	wait_for mta_has 2
	[ "$(hdr "$(msg 2)" To)" = "staff@staff.test" ]
	[ "$(norders)" = 1 ]
	wait_for logged "mail from \"stranger@dealer.test\" refused"
}

@test "attachments: names are never paths, too many and too big are refused, none gets a helpful reply" {
	mta_up
	printf 'Артикул;Количество\n27087-10;1\n' > "$STAGE/small.csv"
	head -c 3000 /dev/zero | tr '\0' 'x' > "$STAGE/big.csv"
	mkmail "$STAGE/a1" --from ivan@dealer.test --auth "$AUTH" \
	    --attach "$STAGE/small.csv=../../../etc/evil.csv"
	mkmail "$STAGE/a2" --from ivan@dealer.test --auth "$AUTH" \
	    --attach "$STAGE/small.csv=a.csv" --attach "$STAGE/ok.csv=b.csv" \
	    --attach "$STAGE/ok.csv=c.csv"
	mkmail "$STAGE/a3" --from ivan@dealer.test --auth "$AUTH" \
	    --attach "$STAGE/big.csv=big.csv"
	mkmail "$STAGE/a4" --from ivan@dealer.test --auth "$AUTH" \
	    --subject "hello"
	fxd_start
	mdrop "$STAGE/a1" 3001.M1.host
	wait_for mta_has 1
	run -0 body "$(msg 1)"
	[[ "$output" == *"file: evil.csv"* ]]
	compgen -G "$DOUT/evil.csv.*.txt" >/dev/null
	[ ! -e /etc/evil.csv ] && ! compgen -G "$SP/../*evil*" >/dev/null
	[ "$(norders)" = 1 ]
	mdrop "$STAGE/a2" 3002.M1.host
	wait_for mta_has 2
	run -0 body "$(msg 2)"
	[[ "$output" == *"Refused: 3 order files attached, at most 2 a message"* ]]
	[ "$(norders)" = 1 ]
	mdrop "$STAGE/a3" 3003.M1.host
	wait_for mta_has 3
	run -0 body "$(msg 3)"
	[[ "$output" == *'"big.csv": 3000 bytes, over the limit of 2048: ignored'* ]]
	mdrop "$STAGE/a4" 3004.M1.host
	wait_for mta_has 4
	run -0 body "$(msg 4)"
	[[ "$output" == *"No order file (.xlsx, .xls or .csv) was attached"* ]]
	[ "$(norders)" = 1 ]
	for i in 1 2 3 4; do in_state "300$i.M1.host" done; done
}

@test "a file naming another dealer's entity is refused in the reply" {
	mta_up
	mkmail "$STAGE/e1" --from ivan@dealer.test --auth "$AUTH" \
	    --attach "$STAGE/ok.csv=5047123455 ok.csv"
	fxd_start
	mdrop "$STAGE/e1" 4001.M1.host
	wait_for mta_has 1
	run -0 body "$(msg 1)"
	[[ "$output" == *"status: refused"* ]]
	[[ "$output" == *'error: unknown legal entity "5047123455"'* ]]
	[ "$(norders)" = 0 ]
	grep -q '^status: refused' "$DOUT/5047123455 ok.csv".*.txt
}

@test "mail server down: the reply waits, is retried with backoff, one alert, then arrives exactly once" {
	mkmail "$STAGE/d1" --from ivan@dealer.test --auth "$AUTH" \
	    --attach "$STAGE/ok.csv=$HEAD ok.csv"
	fxd_start
	mdrop "$STAGE/d1" 5001.M1.host
	wait_for logged "mail to ivan@dealer.test failed: .*attempt 1, next in 1 s"
	wait_for logged "attempt 2, next in 2 s"
	wait_for logged "ALERT.*mail failed 2 times, still retrying\|mail failed 2 times, still retrying"
	[ "$(grep -c 'still retrying' "$FXD_LOG")" = 1 ]
	[ "$(norders)" = 1 ]
	mta_up
	wait_for mta_has 1
	wait_for logged "notice 00000000000000000001 -> mail to ivan@dealer.test"
	sleep 3
	[ "$(mta_count)" = 1 ]
	run -0 parts "$(msg 1)"
	[[ "$output" == *".result.xlsx	"*"	PK" ]]
	# A restart sends nothing again.
	fxd_stop
	fxd_start
	sleep 1
	[ "$(mta_count)" = 1 ]
}

@test "a crash after the mail was sent sends it again with the same Message-ID" {
	mta_up
	mkmail "$STAGE/c1" --from ivan@dealer.test --auth "$AUTH" \
	    --attach "$STAGE/ok.csv=$HEAD ok.csv"
	FX_CRASH_AT=mail-sent fxd_start
	mdrop "$STAGE/c1" 6001.M1.host
	wait_for mta_has 1
	rc=0
	wait "$FXD_PID" || rc=$?
	FXD_PID=
	[ "$rc" -ne 0 ]
	fxd_start
	wait_for mta_has 2
	wait_for logged "notice 00000000000000000001 -> mail to"
	[ "$(hdr "$(msg 1)" Message-ID)" = "$(hdr "$(msg 2)" Message-ID)" ]
	[ "$(norders)" = 1 ]
	fxd_stop
	fxd_start
	sleep 1
	[ "$(mta_count)" = 2 ]
}

@test "a message is answered once: the same message again is not processed twice" {
	mta_up
	mkmail "$STAGE/r1" --from ivan@dealer.test --auth "$AUTH" \
	    --attach "$STAGE/ok.csv=$HEAD ok.csv"
	fxd_start
	mdrop "$STAGE/r1" 7001.M1.host
	wait_for mta_has 1
	# The MTA delivering the very same message twice.
	mdrop "$STAGE/r1" 7002.M1.host
	wait_for in_state 7002.M1.host done
	sleep 1
	[ "$(mta_count)" = 1 ]
	[ "$(norders)" = 1 ]
}

@test "a crash after the reply committed: the message is run again, answered once" {
	mta_up
	mkmail "$STAGE/k1" --from ivan@dealer.test --auth "$AUTH" \
	    --attach "$STAGE/ok.csv=$HEAD ok.csv"
	FX_CRASH_AT=after-commit fxd_start
	mdrop "$STAGE/k1" 8001.M1.host
	rc=0
	wait "$FXD_PID" || rc=$?
	FXD_PID=
	[ "$rc" -ne 0 ]
	in_state 8001.M1.host active
	fxd_start
	wait_for in_state 8001.M1.host done
	wait_for mta_has 1
	sleep 1
	[ "$(mta_count)" = 1 ]
	[ "$(norders)" = 1 ]
	logged "recovered after a stop in flight"
}

@test "a sender whose dealer has no folder gets the check only, results in mail/out" {
	mta_up
	admin user add olga --dealer D00002 --name "Ольга" \
	    --perm order --email olga@other.test >/dev/null
	mkmail "$STAGE/n1" --from olga@other.test \
	    --auth "mx.formix.test; dmarc=pass" \
	    --attach "$STAGE/ok.csv=$HEAD ok.csv"
	fxd_start
	mdrop "$STAGE/n1" 9001.M1.host
	wait_for mta_has 1
	[ "$(hdr "$(msg 1)" To)" = "olga@other.test" ]
	run -0 body "$(msg 1)"
	[[ "$output" == *"file: $HEAD ok.csv"* ]]
	[ "$(norders)" = 0 ]
	compgen -G "$SP/mail/out/$HEAD ok.csv.*.txt" >/dev/null
	compgen -G "$SP/mail/out/9001.M1.host.*.txt" >/dev/null
	grep -q '^user: olga$' "$SP"/mail/out/9001.M1.host.*.txt
	! compgen -G "$DOUT/notice-*" >/dev/null
}

@test "two order files of the same name are both handled, under names of their own" {
	mta_up
	printf 'Артикул;Количество\n27087-10;1\n' > "$STAGE/small.csv"
	mkmail "$STAGE/u1" --from ivan@dealer.test --auth "$AUTH" \
	    --attach "$STAGE/small.csv=x.csv" --attach "$STAGE/ok.csv=x.csv"
	fxd_start
	mdrop "$STAGE/u1" 9101.M1.host
	wait_for mta_has 1
	run -0 body "$(msg 1)"
	[[ "$output" == *"file: x.csv"* ]]
	[[ "$output" == *"file: x-2.csv"* ]]
	compgen -G "$DOUT/x.csv.*.txt" >/dev/null
	compgen -G "$DOUT/x-2.csv.*.txt" >/dev/null
	run -0 parts "$(msg 1)"
	[ "$(wc -l <<< "$output")" = 2 ]
	[ "$(norders)" = 2 ]
}

@test "SIGUSR1 sends the mail that waits now, whatever its next attempt" {
	sed -i 's/min_backoff: 1$/min_backoff: 3600/; s/max_backoff: 2$/max_backoff: 7200/' \
	    "$FORMIX_ROOT/formix.yaml"
	mkmail "$STAGE/g1" --from ivan@dealer.test --auth "$AUTH" \
	    --attach "$STAGE/ok.csv=$HEAD ok.csv"
	fxd_start
	mdrop "$STAGE/g1" 9201.M1.host
	wait_for logged "attempt 1, next in 3600 s"
	mta_up
	sleep 1
	[ "$(mta_count)" = 0 ]
	kill -USR1 "$FXD_PID"
	wait_for mta_has 1
	wait_for logged "notice 00000000000000000001 -> mail to ivan@dealer.test"
}

@test "no mail loops: a bounce is refused without a staff mail, an autoreply is not answered; a huge message is refused" {
	mta_up
	mkmail "$STAGE/b1" --from MAILER-DAEMON@staff.test \
	    --header "Auto-Submitted: auto-replied" --subject "Undelivered"
	mkmail "$STAGE/b2" --from ivan@dealer.test --auth "$AUTH" \
	    --header "Auto-Submitted: auto-replied" --subject "Out of office"
	sed -i 's/^  max_attachments: 2$/  max_attachments: 2\n  max_message_size: 4KiB/' \
	    "$FORMIX_ROOT/formix.yaml"
	head -c 6000 /dev/zero | tr '\0' 'y' > "$STAGE/huge.csv"
	mkmail "$STAGE/b3" --from ivan@dealer.test --auth "$AUTH" \
	    --attach "$STAGE/huge.csv=h.csv"
	fxd_start
	mdrop "$STAGE/b1" 9301.M1.host
	mdrop "$STAGE/b2" 9302.M1.host
	wait_for in_state 9301.M1.host corrupt
	wait_for in_state 9302.M1.host done
	logged "staff not mailed"
	grep -q '^status: not answered' "$SP"/mail/out/9302.M1.host.*.txt
	mdrop "$STAGE/b3" 9303.M1.host
	wait_for in_state 9303.M1.host corrupt
	grep -q 'over mail.max_message_size (4096 bytes)' "$Q"/corrupt/*/9303.M1.host.err
	# The staff hear of the huge one only.
	wait_for mta_has 1
	sleep 1
	[ "$(mta_count)" = 1 ]
	[ "$(hdr "$(msg 1)" To)" = "staff@staff.test" ]
}

@test "a mail.smtp_url that is not SMTP stops formixd at start (78); the channel is logged" {
	sed -i 's|smtp_url: smtp://|smtp_url: file://|' "$FORMIX_ROOT/formix.yaml"
	run -78 --separate-stderr fxd --once
	[[ "$stderr" == *'mail.smtp_url "file://127.0.0.1:'*'": expected smtp://HOST[:PORT] or smtps://HOST[:PORT]'* ]]
	sed -i 's|smtp_url: file://|smtp_url: smtp://|' "$FORMIX_ROOT/formix.yaml"
	run -0 --separate-stderr fxd --once
	[[ "$stderr" == *'mail channel: mail/Maildir/new, senders vouched for by authserv-id "mx.formix.test" or the dealers'"'"' drop addresses'* ]]
}
