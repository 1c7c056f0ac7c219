#!/usr/bin/env bats
# Hostile drops: links, FIFOs, directories, names with newlines and "..",
# empty and broken files, 10,000 files at once, the same file again.  None
# may crash or stall the daemon, none is opened through a link, and each
# ends in exactly one place with a report.

load ../cli/helpers
load daemon

setup() { fxd_instance; }
teardown() {
	fxd_teardown
	if [ -n "${SHM:-}" ]; then rm -rf "$SHM"; fi
}

# The daemon still works: a good file dropped now is applied.
still_alive() {
	drop "$DATA/cml/import.xml" "alive-$1.xml"
	wait_for acked "alive-$1.xml" done
	kill -0 "$FXD_PID"
}

reason() { cat "$(find "$Q/corrupt" -name "$1.err")"; }
nacks() { [ "$(ls "$OUT" | wc -l)" -eq "$1" ]; }

@test "links are moved to corrupt/, never followed" {
	secret="$BATS_TEST_TMPDIR/secret.xml"
	cp "$DATA/cml/import.xml" "$secret"
	fxd_start
	ln -s "$secret" "$STAGE/link.xml" && mv "$STAGE/link.xml" "$IN/"
	ln -s "$BATS_TEST_TMPDIR" "$STAGE/dirlink.xml" && mv "$STAGE/dirlink.xml" "$IN/"
	ln -s /nonexistent "$STAGE/dangling.xml" && mv "$STAGE/dangling.xml" "$IN/"
	ln "$secret" "$STAGE/hard.xml" && mv "$STAGE/hard.xml" "$IN/"
	for f in link.xml dirlink.xml dangling.xml hard.xml; do
		wait_for acked $f corrupt
	done
	[ "$(reason link.xml)" = '"link.xml": a symbolic link, not a file: never followed' ]
	[ "$(reason hard.xml)" = '"hard.xml": a file with 2 hard links: only a file of its own is taken' ]
	# Moved as links; the targets untouched, nothing applied.
	[ -L "$(find "$Q/corrupt" -name link.xml)" ]
	[ -f "$secret" ] && cmp "$secret" "$DATA/cml/import.xml"
	[ "$(admin db stat --json | grep -o '"products":[0-9]*')" = '"products":0' ]
	grep -qx "status: refused" "$OUT"/link.xml.*.ack
	still_alive 1
}

@test "FIFOs, directories and empty files are refused, without blocking" {
	fxd_start
	mkfifo "$STAGE/fifo.xml" && mv "$STAGE/fifo.xml" "$IN/"
	mkdir "$STAGE/dir.xml" && touch "$STAGE/dir.xml/inside" &&
	    mv "$STAGE/dir.xml" "$IN/"
	: > "$STAGE/empty.xml" && mv "$STAGE/empty.xml" "$IN/"
	wait_for acked fifo.xml corrupt
	wait_for acked dir.xml corrupt
	wait_for acked empty.xml corrupt
	[ "$(reason fifo.xml)" = '"fifo.xml": a FIFO, not a file' ]
	[ "$(reason dir.xml)" = '"dir.xml": a directory, not a file' ]
	[ "$(reason empty.xml)" = 'empty.xml: empty file' ]
	[ -f "$(find "$Q/corrupt" -name dir.xml)/inside" ]
	still_alive 1
}

@test "names with a newline or dots" {
	fxd_start
	drop "$DATA/cml/import.xml" "$(printf 'new\nline.xml')"
	drop "$DATA/cml/import.xml" "..hidden.xml"
	drop "$DATA/cml/import.xml" "x..y.xml"
	drop "$DATA/cml/import.xml" "x.xml.part"
	wait_for acked new_line.xml corrupt
	[ "$(reason new_line.xml)" = '"new\nline.xml": file name with control characters' ]
	logged 'file="new\\nline.xml": 1c/in -> corrupt: file name with control characters'
	# A name that merely contains ".." is a name; dot-files and
	# uploads in progress are never taken.
	wait_for acked x..y.xml done
	still_alive 1
	[ -f "$IN/..hidden.xml" ] && [ -f "$IN/x.xml.part" ]
	[ "$(grep -c 'hidden\|x.xml.part' "$FXD_LOG")" -eq 0 ]
}

@test "a file that fails to parse, and one over limits.max_import_size" {
	fx_conf_add limits "max_import_size: 4KiB"
	fxd_start
	printf '<?xml version="1.0"?>\n<formix-deliveries version="1">\n<x y=>\n</formix-deliveries>\n' > "$STAGE/broken.xml"
	mv "$STAGE/broken.xml" "$IN/"
	drop "$DATA/cml/import.xml" big.xml
	wait_for acked broken.xml corrupt
	wait_for acked big.xml corrupt
	[[ "$(reason broken.xml)" == "broken.xml:3: malformed XML: "* ]]
	[ "$(reason big.xml)" = "big.xml: file of 4873 bytes is over limits.max_import_size (4096)" ]
	grep -qxF "error: $(reason broken.xml)" "$OUT"/broken.xml.*.ack
}

@test "2 GB files: refused by their size or their first bytes, quickly" {
	fxd_start
	# Sparse: no disk, and any read of them would take long.
	truncate -s 3G "$STAGE/huge.xml"
	truncate -s 2G "$STAGE/zeros.xml"
	mv "$STAGE/huge.xml" "$IN/huge.xml"
	mv "$STAGE/zeros.xml" "$IN/zeros.xml"
	WAIT_S=20 wait_for acked huge.xml corrupt
	WAIT_S=20 wait_for acked zeros.xml corrupt
	[ "$(reason huge.xml)" = "huge.xml: file of 3221225472 bytes is over limits.max_import_size (2147483648)" ]
	[ "$(reason zeros.xml)" = "zeros.xml:1: malformed XML: document is empty" ]
	# Kept whole, as they came: nothing is deleted.
	[ "$(stat -c %s "$Q"/corrupt/*/huge.xml)" -eq 3221225472 ]
	[ "$(stat -c %s "$Q"/corrupt/*/zeros.xml)" -eq 2147483648 ]
	# And the daemon goes on.
	drop "$DATA/cml/import.xml" import.xml
	wait_for acked import.xml done
}

@test "10,000 files at once, and the same file ten times" {
	# On a tmpfs when there is one: this is about the daemon, not the
	# disk, and the suite must stay quick.
	n=10000
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		SHM=$(mktemp -d /dev/shm/formixd-test.XXXXXX)
		export FORMIX_ROOT="$SHM/inst"
		admin init "$FORMIX_ROOT" >/dev/null
		fx_conf_add spool "settle: 0"
		fx_conf_add spool "package_window: 0"
		fx_conf_add spool "min_free: 0"
		SP="$FORMIX_ROOT/spool" IN="$SP/1c/in" OUT="$SP/1c/out"
		Q="$SP/queue" STAGE="$SHM/stage"
		mkdir "$STAGE"
	else
		n=1000
		echo "# no writable /dev/shm: $n files on disk" >&3
	fi
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" 2>/dev/null
	fxd_start
	(cd "$STAGE" && seq 1 $((n - 10)) | sed 's/$/.txt/' | xargs touch)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		cp "$DATA/cond/deliveries.xml" "$STAGE/deliveries-$i.xml"
	done
	# Dropped together, by rename (not mv -t: it looks at each target
	# after the rename, and the daemon may have taken it already).
	"${PYTHON3:-python3}" -c 'import os, sys
for f in os.listdir(sys.argv[1]):
    os.rename(os.path.join(sys.argv[1], f), os.path.join(sys.argv[2], f))' \
	    "$STAGE" "$IN"
	WAIT_S=120 wait_for nacks $n
	[ "$(ls -A "$IN")" = "" ]
	[ "$(nfiles corrupt)" -eq $((n - 10)) ]
	[ "$(nfiles done)" -eq 10 ]
	# Applied once; nine times "already applied".
	[ "$(grep -l 'status: applied' "$OUT"/deliveries-*.ack | wc -l)" -eq 1 ]
	[ "$(grep -l 'status: already applied' "$OUT"/deliveries-*.ack | wc -l)" -eq 9 ]
	[ "$(admin db dump | grep -c '^applied ')" -eq 3 ]
	still_alive 1
	fxd_stop
}
