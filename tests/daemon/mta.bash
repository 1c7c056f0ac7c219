# A real MTA for the mail tests: OpenSMTPD on 127.0.0.1, configured into
# the test's own folder.  Its queue (/var/spool/smtpd) and control socket
# (/var/run) are fixed at build time, so it runs in a mount namespace of
# its own with test folders bound over them; it delivers every message
# into one Maildir, $MTA_MAILDIR, as the user nobody.  Needs root (CI
# runs the tests as root); without smtpd or root the tests skip, except
# in CI, where that is a failure.

SMTPD=${SMTPD:-/usr/sbin/smtpd}

mta_require() {
	if [ ! -x "$SMTPD" ] || ! command -v unshare >/dev/null ||
	    [ "$(id -u)" -ne 0 ]; then
		if [ "${CI:-}" = true ]; then
			echo "CI: the mail tests need root and $SMTPD" \
			    "(package opensmtpd, installed by tools/deps)" >&2
			return 1
		fi
		skip "needs root and $SMTPD (package opensmtpd)"
	fi
}

# A free port on 127.0.0.1.
free_port() {
	"${PYTHON3:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

mta_setup() {
	MTA_DIR="$BATS_TEST_TMPDIR/mta"
	MTA_MAILDIR="$MTA_DIR/Maildir"
	MTA_PORT=$(free_port)
	mkdir -p "$MTA_DIR/spool/smtpd" "$MTA_DIR/run" "$MTA_MAILDIR"
	chmod 711 "$MTA_DIR/spool/smtpd"
	chown nobody "$MTA_MAILDIR"
	# nobody must reach the Maildirs: the folders above them searchable.
	local d
	for d in "$MTA_MAILDIR" ${MTA_FORMIX_MAILDIR:+"$MTA_FORMIX_MAILDIR"}; do
		while d=$(dirname "$d"); [ "$d" != / ]; do
			chmod o+x "$d"
		done
	done
	printf '@ nobody\n' > "$MTA_DIR/vusers"
	{
		echo "table vusers file:$MTA_DIR/vusers"
		echo "listen on 127.0.0.1 port $MTA_PORT"
		echo "action \"local\" maildir \"$MTA_MAILDIR\" virtual <vusers>"
		# Mail for formix.test goes to formixd's Maildir, if given.
		if [ -n "${MTA_FORMIX_MAILDIR:-}" ]; then
			echo "action \"formix\" maildir \"$MTA_FORMIX_MAILDIR\" virtual <vusers>"
			echo "match from any for domain \"formix.test\" action \"formix\""
		fi
		echo "match from any for any action \"local\""
	} > "$MTA_DIR/smtpd.conf"
	cat > "$MTA_DIR/run.sh" <<-EOC
	mount --make-rprivate / 2>/dev/null
	mount --bind "$MTA_DIR/spool" /var/spool || exit 1
	mount --bind "$MTA_DIR/run" /var/run || exit 1
	exec "$SMTPD" -d -f "$MTA_DIR/smtpd.conf"
	EOC
}

mta_up() {
	MTA_LOG="$MTA_DIR/log"
	unshare -m sh "$MTA_DIR/run.sh" >>"$MTA_LOG" 2>&1 3>&- &
	MTA_PID=$!
	wait_for mta_listening
}

mta_listening() {
	(exec 9<>"/dev/tcp/127.0.0.1/$MTA_PORT") 2>/dev/null
}

mta_down() {
	if [ -n "${MTA_PID:-}" ]; then
		kill -TERM "$MTA_PID" 2>/dev/null || true
		wait "$MTA_PID" 2>/dev/null || true
		MTA_PID=
	fi
}

# Messages delivered so far.
mta_count() { find "$MTA_MAILDIR/new" "$MTA_MAILDIR/cur" -type f 2>/dev/null | wc -l; }
mta_has() { [ "$(mta_count)" -ge "$1" ]; }
# The delivered messages, one path a line, oldest first.
mta_msgs() { ls -1tr "$MTA_MAILDIR"/new/* 2>/dev/null; }

# Submit SRC to the MTA for RCPT (as sendmail would): the MTA delivers.
mta_submit() {
	curl -s --url "smtp://127.0.0.1:$MTA_PORT" --mail-from "$2" \
	    --mail-rcpt "$3" -T "$1"
}
