#!/usr/bin/env bats
# formixd: the dealer channel.  A file dropped into a dealer's folder acts
# as the user its channel file names; the check's workbook and a summary
# come back in its out/; the order is made per the channel's mode; a bad
# file, another dealer's entity, a blocked user and the same file twice
# are each answered in out/.

load ../cli/helpers
load daemon

HEAD=7701123451_770101001

setup() {
	fxd_instance
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$DATA/cond/conditions.xml" 2>/dev/null
	admin -q import "$DATA/cond/deliveries.xml"
	admin user add ivan --dealer D00001 --name "Иван" --entity D00001-1 \
	    --perm order >/dev/null
	DD="$SP/dealers/D00001"
	mkdir -p "$DD"
	printf '# formixd channel\nuser ivan\n' > "$DD/channel"
	DIN="$DD/in"
	DOUT="$DD/out"
	printf 'Артикул;Количество\n27087-10;10\nMS-00123;3\nW26110;5\n' \
	    > "$STAGE/ok.csv"
	printf 'Артикул;Количество\n27087-10;10\nNOPE;1\n' > "$STAGE/mixed.csv"
}
teardown() { fxd_teardown; }

# ddrop SRC NAME: into the dealer's in/ by rename.
ddrop() {
	cp "$1" "$STAGE/.$2"
	mv "$STAGE/.$2" "$DIN/$2"
}
# The summary of NAME in out/, once written.
summary_of() { cat "$DOUT/$1".*.txt; }
has_summary() { compgen -G "$DOUT/$1.*.txt" >/dev/null; }
field() { summary_of "$1" | sed -n "s/^$2: //p"; }

@test "formixd makes in/ and out/ for a dealer with a channel file, and only for it" {
	mkdir -p "$SP/dealers/D00002" "$SP/dealers/D00003"
	printf 'user ivan\nmode fast\n' > "$SP/dealers/D00003/channel"
	run -0 --separate-stderr fxd --once
	[ -d "$DIN" ] && [ -d "$DOUT" ]
	[ ! -e "$SP/dealers/D00002/in" ] && [ ! -e "$SP/dealers/D00003/in" ]
	[[ "$stderr" == *"$SP/dealers/D00003/channel: line 2: expected \"user LOGIN\", \"mode auto|check|draft\", \"mail ADDRESS\", \"pull URL\" or \"push URL\": dealer channel not served"* ]]
	[[ "$stderr" == *'dealer channel d-D00001: dealers/D00001/in, acting as user "ivan"'* ]]
}

@test "an order dropped by the dealer is checked, submitted, and answered in out/" {
	fxd_start
	ddrop "$STAGE/ok.csv" "$HEAD ok.csv"
	wait_for has_summary "$HEAD ok.csv"
	[ "$(field "$HEAD ok.csv" status)" = submitted ]
	[ "$(field "$HEAD ok.csv" user)" = ivan ]
	[ "$(field "$HEAD ok.csv" entity)" = 'ООО "Промсервис" (D00001-1)' ]
	[ "$(field "$HEAD ok.csv" rows)" = 3 ]
	[ "$(field "$HEAD ok.csv" refused)" = 0 ]
	[ "$(field "$HEAD ok.csv" order)" = 000001 ]
	r=$(field "$HEAD ok.csv" result)
	[[ "$r" == "$HEAD ok.csv."*".result.xlsx" ]]
	[ "$(head -c 2 "$DOUT/$r")" = PK ]
	in_state "$HEAD ok.csv" done
	run -0 "$FX_BIN/formix-order" show 000001 --tsv -H
	[ "$(head -1 <<< "$output" | cut -f1,2)" = "000001	submitted" ]
	[ -f "$SP/1c/out/order-000001.xml" ]
	admin log --object 000001 | grep -q 'ivan'
}

@test "without an INN in the name the user's only entity is used; a refused row makes a draft" {
	fxd_start
	ddrop "$STAGE/mixed.csv" "mixed.csv"
	wait_for has_summary mixed.csv
	[ "$(field mixed.csv status)" = draft ]
	[ "$(field mixed.csv refused)" = 1 ]
	[ "$(field mixed.csv note)" = "1 of 2 rows refused (see the result): saved as draft 000001, not submitted" ]
	run -0 "$FX_BIN/formix-order" show 000001 --tsv -H
	[ "$(head -1 <<< "$output" | cut -f1,2)" = "000001	draft" ]
}

@test "mode check only checks; mode draft only drafts" {
	printf 'user ivan\nmode check\n' > "$DD/channel"
	fxd_start
	ddrop "$STAGE/ok.csv" a.csv
	wait_for has_summary a.csv
	[ "$(field a.csv status)" = checked ]
	run -0 "$FX_BIN/formix-order" list --tsv -H
	[ -z "$output" ]
	fxd_stop
	printf 'user ivan\nmode draft\n' > "$DD/channel"
	fxd_start
	ddrop "$STAGE/ok.csv" b.csv
	wait_for has_summary b.csv
	[ "$(field b.csv status)" = draft ]
	[ "$(field b.csv order)" = 000001 ]
}

@test "the same file twice: already applied as order N" {
	fxd_start
	ddrop "$STAGE/ok.csv" one.csv
	wait_for has_summary one.csv
	ddrop "$STAGE/ok.csv" two.csv
	wait_for has_summary two.csv
	[ "$(field two.csv status)" = "already applied" ]
	[ "$(field two.csv note)" = "two.csv: already applied as order 000001 on $(date -u +%F)" ]
	in_state two.csv done
	run -0 "$FX_BIN/formix-order" list --tsv -H
	[ "$(wc -l <<< "$output")" -eq 1 ]
	wait_for logged "already applied"
}

@test "a crash between the draft and its submission: the draft is submitted on restart, once" {
	run -0 --separate-stderr fxd --once
	ddrop "$STAGE/ok.csv" ok.csv
	FX_CRASH_AT=draft run -134 fxd --once
	! has_summary ok.csv
	run -0 "$FX_BIN/formix-order" show 000001 --tsv -H
	[ "$(head -1 <<< "$output" | cut -f1,2)" = "000001	draft" ]
	[ ! -e "$SP/1c/out/order-000001.xml" ]
	run -0 --separate-stderr fxd --once
	[ "$(field ok.csv status)" = submitted ]
	[ "$(field ok.csv order)" = 000001 ]
	[ "$(field ok.csv note)" = "the draft made of this file was not submitted: submitting it now" ]
	run -0 "$FX_BIN/formix-order" list --tsv -H
	[ "$(wc -l <<< "$output")" -eq 1 ]
	[ "$(cut -f2 <<< "$output")" = submitted ]
	[ -f "$SP/1c/out/order-000001.xml" ]
	# Once submitted, the same file again is only "already applied".
	ddrop "$STAGE/ok.csv" again.csv
	run -0 --separate-stderr fxd --once
	[ "$(field again.csv status)" = "already applied" ]
}

@test "a crash before finished files move to done/: each stays one order, its answer as it was" {
	run -0 --separate-stderr fxd --once
	for i in 1 2 3; do
		printf 'Артикул;Количество\n27087-10;%d\nW26110;1\n' "$i" \
		    > "$STAGE/o$i.csv"
		ddrop "$STAGE/o$i.csv" "o$i.csv"
	done
	FX_CRASH_AT=fin run -134 fxd --once
	# Answered, submitted, and still in active/ (not yet done/).
	for i in 1 2 3; do
		[ "$(field "o$i.csv" status)" = submitted ]
		in_state "o$i.csv" active
	done
	cp "$DOUT"/o1.csv.*.txt "$BATS_TEST_TMPDIR/before.txt"
	run -0 --separate-stderr fxd --once
	for i in 1 2 3; do
		in_state "o$i.csv" done
		[ "$(ls "$DOUT" | grep -c "^o$i\.csv\..*\.txt\$")" -eq 1 ]
		[ "$(ls "$DOUT" | grep -c "^o$i\.csv\..*\.result\.xlsx\$")" -eq 1 ]
	done
	diff "$BATS_TEST_TMPDIR/before.txt" "$DOUT"/o1.csv.*.txt
	run -0 "$FX_BIN/formix-order" list --tsv -H
	[ "$(wc -l <<< "$output")" -eq 3 ]
	[ "$(cut -f2 <<< "$output" | sort -u)" = submitted ]
}

@test "the store and out/ are synced before any finished file moves to done/" {
	if ! command -v strace >/dev/null; then
		[ "${CI:-}" != true ] || { echo "CI: strace missing" >&2; return 1; }
		skip "strace missing"
	fi
	run -0 --separate-stderr fxd --once
	for i in 1 2 3; do
		printf 'Артикул;Количество\n27087-10;%d\n' "$i" > "$STAGE/s$i.csv"
		ddrop "$STAGE/s$i.csv" "s$i.csv"
	done
	# (LeakSanitizer cannot run under ptrace: off for this run only.)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -y -e trace=fsync,fdatasync,rename,renameat2 \
	    -o "$BATS_TEST_TMPDIR/trace" "$FXD" --once 2>/dev/null
	for i in 1 2 3; do in_state "s$i.csv" done; done
	# Between the last answer put in out/ and the first move to done/:
	# an fdatasync of the store and an fsync of out/.
	run -0 "${PYTHON3:-python3}" - "$BATS_TEST_TMPDIR/trace" "$DOUT" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
out = sys.argv[2]
def idx(pred):
    return [i for i, l in enumerate(lines) if pred(l)]
done = idx(lambda l: "rename" in l and "/queue/done/" in l and "= 0" in l)
answers = idx(lambda l: "rename" in l and '"%s/' % out in l and "= 0" in l)
assert done and answers, (len(done), len(answers))
first_done = done[0]
last_answer = max(i for i in answers if i < first_done)
between = lines[last_answer:first_done]
assert any("fdatasync(" in l and "data.mdb>" in l for l in between), between
assert any(l.split()[1].startswith("fsync(") and ("<%s>" % out) in l
    for l in between), between
print("ok")
PY
	[ "$output" = ok ]
}

@test "a draft of the same file that a person made is not submitted by the folder" {
	cp "$STAGE/ok.csv" "$BATS_TEST_TMPDIR/ok.csv"
	"$FX_BIN/formix-order" new "$BATS_TEST_TMPDIR/ok.csv" --entity D00001-1 >/dev/null 2>&1
	run -0 --separate-stderr fxd --once
	ddrop "$STAGE/ok.csv" ok.csv
	run -0 --separate-stderr fxd --once
	[ "$(field ok.csv status)" = "already applied" ]
	run -0 "$FX_BIN/formix-order" list --tsv -H
	[ "$(cut -f2 <<< "$output")" = draft ]
}

@test "a file that is not a spreadsheet goes to corrupt/, and the dealer is told why" {
	fx_dump "$BATS_TEST_TMPDIR/before"
	fxd_start
	printf 'this is not a spreadsheet' > "$STAGE/x"
	ddrop "$STAGE/x" bad.xlsx
	wait_for has_summary bad.xlsx
	in_state bad.xlsx corrupt
	[ "$(field bad.xlsx status)" = refused ]
	err=$(cat "$Q"/corrupt/*/bad.xlsx.err)
	[ "$err" = "bad.xlsx: one column only: expected the article and the quantity separated by ';', ',' or TAB" ]
	[ "$(field bad.xlsx error)" = "$err" ]
	[ "$(field bad.xlsx user)" = ivan ]
	[ "$(field bad.xlsx result)" = "" ]
	fxd_stop
	fx_dump "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "a file naming another dealer's entity is refused" {
	fxd_start
	ddrop "$STAGE/ok.csv" "5047123455 ok.csv"
	wait_for has_summary "5047123455 ok.csv"
	in_state "5047123455 ok.csv" corrupt
	[ "$(field "5047123455 ok.csv" status)" = refused ]
	[ "$(field "5047123455 ok.csv" error)" = 'unknown legal entity "5047123455"' ]
	[ "$(cat "$Q"/corrupt/*/"5047123455 ok.csv.err")" = 'unknown legal entity "5047123455"' ]
	run -0 "$FX_BIN/formix-order" list --tsv -H
	[ -z "$output" ]
}

@test "a blocked user's file is refused, and nothing is made" {
	admin user block ivan --reason "уволился" >/dev/null
	fxd_start
	ddrop "$STAGE/ok.csv" ok.csv
	wait_for has_summary ok.csv
	in_state ok.csv corrupt
	[ "$(field ok.csv error)" = 'user "ivan" is blocked: уволился' ]
	run -0 "$FX_BIN/formix-order" list --tsv -H
	[ -z "$output" ]
}

@test "an XLSX order is read as the CSV one is" {
	"${PYTHON3:-python3}" -c 'import openpyxl' 2>/dev/null ||
	    skip "python3-openpyxl missing"
	"${PYTHON3:-python3}" - "$STAGE/o.xlsx" <<'PY'
import sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
for r in (("Артикул", "Количество"), ("27087-10", 10), ("MS-00123", 3), ("W26110", 5)):
    ws.append(r)
wb.save(sys.argv[1])
PY
	fxd_start
	ddrop "$STAGE/o.xlsx" "$HEAD.xlsx"
	wait_for has_summary "$HEAD.xlsx"
	[ "$(field "$HEAD.xlsx" status)" = submitted ]
	[ "$(field "$HEAD.xlsx" accepted)" = 3 ]
	[ "$(field "$HEAD.xlsx" net)" = 31417.35 ]
	[ "$(field "$HEAD.xlsx" order)" = 000001 ]
	in_state "$HEAD.xlsx" done
}
