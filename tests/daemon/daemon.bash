# Shared by the formixd tests (tests/daemon): an instance with its spool,
# the daemon in the background, and counting what is where.  Loaded after
# ../cli/helpers.

FXD="$FX_BUILDDIR/daemon/formixd"
fxd() { "$FXD" "$@"; }

# A fresh instance for the daemon: files are taken as soon as they are
# complete (no settle time), every file is a package of its own, and no
# free-space floor (CI disks can be small).  SP, IN, OUT, Q and STAGE
# name its places; STAGE is on the same filesystem, for drops by rename.
fxd_instance() {
	fx_instance
	fx_conf_add spool "settle: 0"
	fx_conf_add spool "package_window: 0"
	fx_conf_add spool "min_free: 0"
	SP="$FORMIX_ROOT/spool"
	IN="$SP/1c/in"
	OUT="$SP/1c/out"
	Q="$SP/queue"
	STAGE="$BATS_TEST_TMPDIR/stage"
	mkdir -p "$STAGE"
}

# drop SRC [NAME]: put a copy of SRC into 1c/in by rename, as the spool
# protocol asks of senders.
drop() {
	local name=${2:-$(basename "$1")}
	cp "$1" "$STAGE/$name"
	mv "$STAGE/$name" "$IN/$name"
}

# wait_for CMD...: until CMD succeeds, at most $WAIT_S (15) seconds.
wait_for() {
	local i
	for i in $(seq 1 $(( ${WAIT_S:-15} * 50 ))); do
		"$@" && return 0
		sleep 0.02
	done
	echo "timed out waiting for: $*"
	return 1
}

# The daemon in the background, logging to $FXD_LOG; fd 3 closed so that
# bats does not wait for it.
fxd_start() {
	FXD_LOG="$BATS_TEST_TMPDIR/fxd.log"
	: > "$FXD_LOG"
	"$FXD" -d -D "$FORMIX_ROOT" "$@" 2>>"$FXD_LOG" 3>&- &
	FXD_PID=$!
	wait_for grep -q "^started on" "$FXD_LOG"
}

fxd_stop() {
	kill -TERM "$FXD_PID"
	local rc=0
	wait "$FXD_PID" || rc=$?
	FXD_PID=
	return $rc
}

# Whatever a test left running dies with it.
fxd_teardown() {
	if [ -n "${FXD_PID:-}" ]; then
		kill -9 "$FXD_PID" 2>/dev/null || true
		wait "$FXD_PID" 2>/dev/null || true
		FXD_PID=
	fi
}

logged() { grep -q -- "$1" "$FXD_LOG"; }

# Files (not reports, not notes) under a queue state.
nfiles() {
	find "$Q/$1" -mindepth 2 -maxdepth 2 ! -name '*.err' ! -name '.*' |
	    wc -l
}
nentries() { find "$Q/$1" -mindepth 1 -maxdepth 1 | wc -l; }

# Where a dropped name ended up: its queue states, one a line.
where() {
	find "$Q" -mindepth 3 -maxdepth 3 -name "$1" | awk -F/ '{ print $(NF-2) }'
}
# in_state NAME STATE: NAME is in STATE and nowhere else (for wait_for).
in_state() { [ "$(where "$1")" = "$2" ]; }
# acked NAME STATE: and its entry's acknowledgement, the last thing
# written about it, is there (so are its report and its log lines,
# except the one of a move to done/, which follows the acknowledgement).
acked() {
	local p e
	in_state "$1" "$2" || return 1
	p=$(find "$Q/$2" -mindepth 2 -maxdepth 2 -name "$1" | head -1)
	e=$(basename "$(dirname "$p")")
	compgen -G "$OUT/*.${e%%.*}.ack" >/dev/null
}

# The store as text, with what differs between two runs of the same
# imports masked: when a file was applied.
fxd_dump() {
	admin db dump | sed -E '/^applied /s/ 2="[^"]*"//'
}

mkcml() { "${PYTHON3:-python3}" "$BATS_TEST_DIRNAME/mkcml.py" "$@"; }
