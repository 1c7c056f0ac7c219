#!/usr/bin/env bats
# formixd's SFTP client against a real OpenSSH server on 127.0.0.1 that
# the test starts from a temporary folder (host key, user key, config):
# pull exactly once, push under a temporary name, known_hosts enforced,
# the server killed mid-transfer, and what a remote folder must not give.

load ../cli/helpers
load daemon

SSHD=${SSHD:-/usr/sbin/sshd}

setup_file() {
	# Root (CI runs as root) and an sshd; else a visible skip, and a
	# failure under CI, where both must be there.
	if [ "$(id -u)" -ne 0 ] || [ ! -x "$SSHD" ]; then
		if [ "${CI:-}" = true ]; then
			echo "t0750 needs root and $SSHD under CI" >&3
			return 1
		fi
	fi
}

setup() {
	if [ "$(id -u)" -ne 0 ] || [ ! -x "$SSHD" ]; then
		[ "${CI:-}" != true ] || false
		skip "needs root and $SSHD (openssh-server)"
	fi
	fxd_instance
	fx_conf_add spool "min_backoff: 1"
	fx_conf_add spool "max_backoff: 2"
	S="$BATS_TEST_TMPDIR/sshd"
	R="$BATS_TEST_TMPDIR/remote"
	mkdir -p "$S" "$R/in" "$R/out" /run/sshd
	ssh-keygen -q -t ed25519 -N '' -C host -f "$S/host_key"
	ssh-keygen -q -t ed25519 -N '' -C user -f "$FORMIX_ROOT/id_test"
	cp "$FORMIX_ROOT/id_test.pub" "$S/authorized_keys"
	SSHD_PORT=$(free_port)
	cat > "$S/sshd_config" <<-EOF
	Port $SSHD_PORT
	ListenAddress 127.0.0.1
	HostKey $S/host_key
	PidFile none
	AuthorizedKeysFile $S/authorized_keys
	StrictModes no
	UsePAM no
	PermitRootLogin yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	Subsystem sftp internal-sftp
	EOF
	echo "[127.0.0.1]:$SSHD_PORT $(cut -d' ' -f1,2 "$S/host_key.pub")" \
	    > "$FORMIX_ROOT/known_hosts"
	sshd_start
	U="sftp://root@127.0.0.1:$SSHD_PORT"
	# (URLs have slashes, which fx_conf_add's sed cannot take.)
	printf 'sftp:\n  pull: %s\n  push: %s\n  key: id_test\n  known_hosts: known_hosts\n  interval: 1\n  timeout: 10\n' \
	    "$U$R/in" "$U$R/out/" >> "$FORMIX_ROOT/formix.yaml"
}

teardown() {
	fxd_teardown
	sshd_stop
}

free_port() {
	"${PYTHON3:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

sshd_start() {
	"$SSHD" -f "$S/sshd_config" -D -e 2>>"$S/log" 3>&- &
	SSHD_PID=$!
	wait_for grep -q "Server listening" "$S/log"
}

# The pids under $1, deepest last.
descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1"); do
		echo "$c"
		descendants "$c"
	done
}

# sshd and its per-connection processes (each its own session: sshd
# calls setsid), by pid: the server dies as a crash would take it.
sshd_stop() {
	if [ -n "${SSHD_PID:-}" ]; then
		kill -9 "$SSHD_PID" $(descendants "$SSHD_PID") 2>/dev/null ||
		    true
		wait "$SSHD_PID" 2>/dev/null || true
		SSHD_PID=
	fi
}

# put SRC NAME: into the remote pull folder, by rename (as 1C should).
put() {
	cp "$1" "$R/.$2.tmp"
	mv "$R/.$2.tmp" "$R/in/$2"
}

@test "a CommerceML file pulled from the remote is applied once, then removed there" {
	put "$DATA/cml/import.xml" import.xml
	run -0 --separate-stderr fxd -d --once
	[[ "$stderr" == *'file="import.xml": pulled into 1c/in as "import.xml"'* ]]
	[ "$(where import.xml)" = done ]
	[ ! -e "$R/in/import.xml" ]
	# The acknowledgement went out to the push folder, and locally to sent/.
	ack=$(cd "$OUT/sent" && ls import.xml.*.ack)
	cmp "$OUT/sent/$ack" "$R/out/$ack"
	[ "$(ls -A "$R/out")" = "$ack" ]
	[ "$(ls -A "$OUT/.sending")" = "" ]
	[ "$(ls "$SP/tmp")" = "" ]
	# Nothing more comes next time.
	run -0 fxd --once
	[ "$(nentries done)" -eq 1 ]
}

@test "a crash after the local copy, before the remote removal: taken again, already applied" {
	put "$DATA/cml/import.xml" import.xml
	FX_CRASH_AT=sftp-taken run fxd -d --once
	[ "$status" -ne 0 ] && [ "$status" -ne 75 ]
	[ -f "$IN/import.xml" ] && [ -f "$R/in/import.xml" ]
	run -0 --separate-stderr fxd -d --once
	# The second copy got a name of its own, and was found applied.
	[[ "$stderr" == *'pulled into 1c/in as "import~1.xml"'* ]]
	[ "$(where import.xml)" = done ]
	[ "$(where 'import~1.xml')" = done ]
	grep -qx "status: already applied" "$OUT"/sent/import~1.xml.*.ack
	[ ! -e "$R/in/import.xml" ]
	[ "$(admin db dump | grep -c '^applied ')" -eq 1 ]
}

@test "1c/out is pushed under a temporary name, renamed there, then kept in sent/" {
	printf '<a/>\n' > "$BATS_TEST_TMPDIR/o.xml"
	cp "$BATS_TEST_TMPDIR/o.xml" "$OUT/order-7.xml"
	# A crash between the remote rename and the move to sent/.
	FX_CRASH_AT=sftp-pushed run fxd --once
	[ "$status" -ne 0 ] && [ "$status" -ne 75 ]
	cmp "$R/out/order-7.xml" "$BATS_TEST_TMPDIR/o.xml"
	[ -f "$OUT/.sending/order-7.xml" ]
	# Pushed again: same name, same content, replaced; then sent/.
	run -0 --separate-stderr fxd -d --once
	[[ "$stderr" == *'file="order-7.xml": was there already: replaced'* ]]
	cmp "$R/out/order-7.xml" "$BATS_TEST_TMPDIR/o.xml"
	[ -f "$OUT/sent/order-7.xml" ] && [ ! -e "$OUT/order-7.xml" ]
	[ "$(ls -A "$R/out")" = "order-7.xml" ]
}

@test "the running daemon pushes a big file: its final name is never partial" {
	fx_conf_add sftp "max_rate: 4MiB"
	head -c 12000000 /dev/urandom > "$BATS_TEST_TMPDIR/big"
	cp "$BATS_TEST_TMPDIR/big" "$STAGE/big.bin"
	mv "$STAGE/big.bin" "$OUT/big.bin"
	fxd_start
	# While it is on its way, only the dot-name grows.
	wait_for test -s "$R/out/.big.bin.part"
	[ ! -e "$R/out/big.bin" ]
	WAIT_S=30 wait_for test -f "$OUT/sent/big.bin"
	cmp "$R/out/big.bin" "$BATS_TEST_TMPDIR/big"
	[ ! -e "$R/out/.big.bin.part" ]
	fxd_stop
}

@test "a host key not in known_hosts: refused, nothing transferred, logged" {
	ssh-keygen -q -t ed25519 -N '' -f "$BATS_TEST_TMPDIR/other"
	echo "[127.0.0.1]:$SSHD_PORT $(cut -d' ' -f1,2 "$BATS_TEST_TMPDIR/other.pub")" \
	    > "$FORMIX_ROOT/known_hosts"
	put "$DATA/cml/import.xml" import.xml
	echo x > "$OUT/order-1.xml"
	run -75 --separate-stderr fxd -d --once
	[[ "$stderr" == *"host key differs from the one in $FORMIX_ROOT/known_hosts: refused"* ]]
	# A known_hosts without the host at all.
	: > "$FORMIX_ROOT/known_hosts"
	run -75 --separate-stderr fxd -d --once
	[[ "$stderr" == *"host key is not in $FORMIX_ROOT/known_hosts: refused"* ]]
	[ -f "$R/in/import.xml" ] && [ "$(ls -A "$IN")" = "" ]
	[ "$(ls -A "$R/out")" = "" ] && [ -f "$OUT/.sending/order-1.xml" ]
	[ "$(nentries done)" -eq 0 ]
}

@test "a bad sftp URL is a configuration error" {
	sed -i "s|  pull: .*|  pull: sftp://u:secret@127.0.0.1/x|" \
	    "$FORMIX_ROOT/formix.yaml"
	run -78 --separate-stderr fxd -d --once
	[[ "$stderr" == *"sftp.pull: a password in the URL"* ]]
	# -n (systemd's ExecStartPre) says so before a start.
	run -78 --separate-stderr fxd -n
	[[ "$stderr" == *"sftp.pull: a password in the URL"* ]]
	sed -i "s|  pull: sftp://u:secret@127.0.0.1/x|  pull: http://127.0.0.1/x|" \
	    "$FORMIX_ROOT/formix.yaml"
	run -78 --separate-stderr fxd -d --once
	[[ "$stderr" == *'sftp.pull: expected an sftp:// URL or "none", got "http://127.0.0.1/x"'* ]]
}

@test "sshd killed mid-transfer: nothing partial taken, retried with backoff, then exactly once" {
	fx_conf_add sftp "max_rate: 2MiB"
	fx_conf_add spool "alert_after: 2"
	# A 15 MB CommerceML file: an import padded with comments.
	{ sed '$d' "$DATA/cml/import.xml"
	  yes '<!-- padding padding padding padding padding padding padding -->' |
	      head -n 220000
	  tail -n 1 "$DATA/cml/import.xml"; } > "$BATS_TEST_TMPDIR/import.xml"
	put "$BATS_TEST_TMPDIR/import.xml" import.xml
	fxd_start -v
	# Part of it has come when the server dies.
	wait_for sh -c "ls $SP/tmp/sftp-*.part >/dev/null 2>&1 && [ \$(stat -c %s $SP/tmp/sftp-*.part) -gt 2000000 ]"
	sshd_stop
	wait_for logged "pull failed (1 in a row)"
	# Retried while the server is away, with an alert once.
	WAIT_S=20 wait_for logged "pull failed (2 in a row)"
	wait_for logged "pull failed 2 times in a row: files wait"
	[ "$(grep -c 'times in a row: files wait' "$FXD_LOG")" -eq 1 ]
	[ "$(ls -A "$IN")" = "" ]
	[ "$(nentries done)" -eq 0 ] && [ "$(nentries incoming)" -eq 0 ]
	[ "$(ls "$SP/tmp")" = "" ]
	[ -f "$R/in/import.xml" ]
	sshd_start
	WAIT_S=60 wait_for in_state import.xml done
	wait_for logged "pull works again after"
	fxd_stop
	cmp "$(find "$Q/done" -name import.xml)" "$BATS_TEST_TMPDIR/import.xml"
	[ "$(nentries done)" -eq 1 ]
	[ ! -e "$R/in/import.xml" ]
}

@test "directories, symbolic links, dot-files and uploads in progress are not taken" {
	mkdir "$R/in/import.xml.d" "$R/in/sub"
	cp "$DATA/cml/offers.xml" "$R/in/sub/offers.xml"
	ln -s /etc/passwd "$R/in/passwd.xml"
	ln -s "$R/in/sub" "$R/in/link"
	cp "$DATA/cml/import.xml" "$R/in/.hidden.xml"
	cp "$DATA/cml/import.xml" "$R/in/import.xml.part"
	cp "$DATA/cml/import.xml" "$R/in/x.tmp"
	cp "$DATA/cml/import.xml" "$R/in/import.xml"
	run -0 --separate-stderr fxd -d --once
	# Only the regular file.
	[ "$(where import.xml)" = done ]
	[ "$(nentries done)" -eq 1 ]
	[ -L "$R/in/passwd.xml" ] && [ -L "$R/in/link" ]
	[ -d "$R/in/sub" ] && [ -f "$R/in/sub/offers.xml" ]
	[ -f "$R/in/.hidden.xml" ] && [ -f "$R/in/import.xml.part" ]
	[ -f "$R/in/x.tmp" ] && [ ! -e "$R/in/import.xml" ]
	[ "$(ls -A "$IN")" = "" ]
	# A folder URL that leaves with ../ is the server's business: it
	# names a folder, and files are still only those of that folder.
	sed -i "s|  pull: .*|  pull: $U$R/in/sub/../sub|" "$FORMIX_ROOT/formix.yaml"
	run -0 fxd --once
	[ ! -e "$R/in/sub/offers.xml" ]
	[ "$(where offers.xml)" = done ]
	[ "$(nentries done)" -eq 2 ]
}

@test "taken: move keeps pulled files in the remote done/ folder" {
	fx_conf_add sftp "taken: move"
	put "$DATA/cml/import.xml" import.xml
	run -0 fxd --once
	[ "$(where import.xml)" = done ]
	[ ! -e "$R/in/import.xml" ] && [ -f "$R/in/done/import.xml" ]
}

@test "a dealer folder's channel file names its remote folders: its order comes in, the answers go out" {
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$DATA/cond/conditions.xml" 2>/dev/null
	admin user add ivan --dealer D00001 --name "Иван" --entity D00001-1 \
	    --perm order >/dev/null
	DD="$SP/dealers/D00001"
	mkdir -p "$DD" "$R/d1/orders" "$R/d1/answers"
	printf 'user ivan\npull %s\npush %s\n' "$U$R/d1/orders" \
	    "$U$R/d1/answers/" > "$DD/channel"
	# A bad URL in another folder's file: said, not served.
	mkdir -p "$SP/dealers/D00002"
	printf 'user ivan\npull ftp://127.0.0.1/x\n' > "$SP/dealers/D00002/channel"
	printf 'Артикул;Количество\n27087-10;10\nMS-00123;3\n' \
	    > "$R/d1/orders/.o.csv"
	mv "$R/d1/orders/.o.csv" "$R/d1/orders/7701123451_770101001 ok.csv"
	run -0 --separate-stderr fxd -d --once
	[[ "$stderr" == *'pulled into dealers/D00001/in as "7701123451_770101001 ok.csv"'* ]]
	[[ "$stderr" == *"$SP/dealers/D00002/channel: pull: expected an sftp:// URL, got \"ftp://127.0.0.1/x\": not served"* ]]
	[ "$(ls -A "$R/d1/orders")" = "" ]
	# The summary and the result workbook went to the dealer's folder,
	# the order document to 1C's.
	sum=$(cd "$R/d1/answers" && ls *.txt)
	grep -qx "status: submitted" "$R/d1/answers/$sum"
	ls "$R/d1/answers"/*.result.xlsx
	[ -f "$R/out/order-000001.xml" ]
	[ -f "$DD/out/sent/$sum" ] && [ ! -e "$DD/out/$sum" ]
}

@test "a key the server does not take: refused, retried, nothing lost" {
	ssh-keygen -q -t ed25519 -N '' -f "$BATS_TEST_TMPDIR/stranger"
	cp "$BATS_TEST_TMPDIR/stranger.pub" "$S/authorized_keys"
	put "$DATA/cml/import.xml" import.xml
	run -75 --separate-stderr fxd -d --once
	[[ "$stderr" == *"pull failed (1 in a row): list: "* ]]
	[ -f "$R/in/import.xml" ] && [ "$(ls -A "$IN")" = "" ]
	cp "$FORMIX_ROOT/id_test.pub" "$S/authorized_keys"
	run -0 fxd --once
	[ "$(where import.xml)" = done ] && [ ! -e "$R/in/import.xml" ]
}

@test "a file over limits.max_import_size stays on the server, with a log line" {
	fx_conf_add limits "max_import_size: 1KiB"
	put "$DATA/cml/import.xml" import.xml
	run -0 --separate-stderr fxd -d --once
	[[ "$stderr" == *'file="import.xml": '*' bytes, over limits.max_import_size: left there'* ]]
	[ -f "$R/in/import.xml" ] && [ "$(ls -A "$IN")" = "" ]
	[ "$(ls "$SP/tmp")" = "" ]
}

@test "SIGHUP takes new remotes; a bad one keeps those in force" {
	fxd_start
	echo one > "$OUT/one.txt"
	wait_for test -f "$R/out/one.txt"
	mkdir "$R/out2"
	sed -i "s|  push: .*|  push: $U$R/out2|" "$FORMIX_ROOT/formix.yaml"
	kill -HUP "$FXD_PID"
	wait_for logged '^reload: configuration read again'
	echo two > "$OUT/two.txt"
	wait_for test -f "$R/out2/two.txt"
	[ ! -e "$R/out/two.txt" ]
	# A password: the configuration is taken, the remotes are not.
	sed -i "s|  push: .*|  push: sftp://u:pw@127.0.0.1$R/out|" \
	    "$FORMIX_ROOT/formix.yaml"
	kill -HUP "$FXD_PID"
	wait_for logged 'sftp.push: a password in the URL: use a key (sftp.key): keeping the SFTP remotes in force'
	echo three > "$OUT/three.txt"
	wait_for test -f "$R/out2/three.txt"
	fxd_stop
}

@test "with spool.settle, a file is taken once two listings saw it unchanged" {
	sed -i 's/  settle: 0/  settle: 1/' "$FORMIX_ROOT/formix.yaml"
	grep -q '  settle: 1' "$FORMIX_ROOT/formix.yaml"
	put "$DATA/cml/import.xml" import.xml
	run -0 fxd --once
	[ "$(where import.xml)" = done ] && [ ! -e "$R/in/import.xml" ]
	# One that grows between the two is left for the next visit.
	fxd_start
	: > "$R/in/offers.xml"
	split -n 30 -d "$DATA/cml/offers.xml" "$BATS_TEST_TMPDIR/piece."
	for p in "$BATS_TEST_TMPDIR"/piece.*; do
		cat "$p" >> "$R/in/offers.xml"
		sleep 0.1
	done
	wait_for in_state offers.xml done
	fxd_stop
	cmp "$(find "$Q/done" -name offers.xml)" "$DATA/cml/offers.xml"
	[ "$(nentries corrupt)" -eq 0 ]
}

@test "a folder we may read but not write: pulled once, its removal retried" {
	sed -i 's|  push: .*|  push: none|' "$FORMIX_ROOT/formix.yaml"
	sshd_stop
	sed -i 's|^Subsystem sftp internal-sftp$|Subsystem sftp internal-sftp -R|' \
	    "$S/sshd_config"
	sshd_start
	put "$DATA/cml/import.xml" import.xml
	fxd_start
	wait_for in_state import.xml done
	wait_for logged "pull failed (2 in a row): rm "
	# Not downloaded again while it stays there.
	[ "$(nentries done)" -eq 1 ] && [ -f "$R/in/import.xml" ]
	sshd_stop
	sed -i 's|^Subsystem sftp internal-sftp -R$|Subsystem sftp internal-sftp|' \
	    "$S/sshd_config"
	sshd_start
	WAIT_S=20 wait_for logged "pull works again after"
	[ ! -e "$R/in/import.xml" ] && [ "$(nentries done)" -eq 1 ]
	fxd_stop
}
