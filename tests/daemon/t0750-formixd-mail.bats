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
