#!/usr/bin/env bats
# formix-admin folder: staff make and change dealers' exchange folders
# (spool/dealers/DIR and its channel file) instead of writing the file by
# hand.  The file is written whole and canonical, every refusal is one
# line naming the value and changes nothing, each change is audited, and
# formixd serves the folder the command made.

load helpers
load ../daemon/daemon

setup() {
	fxd_instance
	fx_load_fixtures
	admin user add ivan --dealer D00001 --name "Иван" --entity D00001-1 \
	    --perm order --email ivan@dealer.test >/dev/null
	admin user add petr --dealer D00001 --name "Пётр" --entity D00001-1 \
	    --perm order >/dev/null
	admin user add gone --dealer D00001 --name "Блок" --entity D00001-1 \
	    --perm order >/dev/null
	admin user block gone --reason "left" >/dev/null
	D="$SP/dealers"
}
teardown() { fxd_teardown; }

# The whole state a refusal must leave alone: the store and the folders.
snapshot() {
	fx_dump "$1.db"
	(cd "$SP" && find dealers -print0 2>/dev/null | sort -z |
	    xargs -0r sh -c 'for f; do printf "%s\n" "$f";
	    if [ -f "$f" ]; then cat "$f"; fi; done' sh) > "$1.files"
}
unchanged() {
	snapshot "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before.db" "$BATS_TEST_TMPDIR/after.db"
	cmp "$BATS_TEST_TMPDIR/before.files" "$BATS_TEST_TMPDIR/after.files"
}

@test "folder add writes the channel file exactly, with in/ and out/" {
	run -0 admin folder add D00001 --user ivan --mode check \
	    --mail 'Orders+K7@Formix.Test' --pull 'sftp://ivan@sftp.dealer.test:2222/orders' \
	    --push sftp://sftp.dealer.test/answers
	[ "$output" = "added folder D00001: user ivan, mode check" ]
	[ -d "$D/D00001/in" ] && [ -d "$D/D00001/out" ]
	cat > "$BATS_TEST_TMPDIR/want" <<'EOF'
# spool/dealers/D00001/channel (formix-spool(7)), written by formix-admin.
# Change it with "formix-admin folder set D00001": formixd reads it again
# at its next full scan.
user ivan
mode check
mail orders+k7@formix.test
pull sftp://ivan@sftp.dealer.test:2222/orders
push sftp://sftp.dealer.test/answers
EOF
	cmp "$BATS_TEST_TMPDIR/want" "$D/D00001/channel"
	# Written by the durable protocol: nothing left in spool/tmp.
	[ -z "$(ls -A "$SP/tmp")" ]
	run -0 admin log --object D00001 --tsv -H
	[ "$(cut -f3-8 <<< "$output")" = "staff:$(id -un)	folder.add	D00001			user=ivan mode=check mail=orders+k7@formix.test pull=sftp://ivan@sftp.dealer.test:2222/orders push=sftp://sftp.dealer.test/answers" ]
}

@test "the defaults: mode auto, no mail, no remotes; an existing folder without a channel file is taken" {
	mkdir -p "$D/D00001/in"
	echo x > "$D/D00001/in/waiting.csv"
	run -0 admin folder add D00001 --user ivan
	[ "$(grep -v '^#' "$D/D00001/channel")" = "$(printf 'user ivan\nmode auto')" ]
	[ -f "$D/D00001/in/waiting.csv" ]
}

@test "folder set changes only what it names, audits each field, and clears with --no-*" {
	admin folder add D00001 --user ivan --mail drop@formix.test \
	    --pull sftp://h/a --pull sftp://h/b --push sftp://h/out >/dev/null
	run -0 admin folder set D00001 --mode draft --pull sftp://h/c
	[ "$output" = "changed folder D00001" ]
	[ "$(grep -v '^#' "$D/D00001/channel")" = "$(printf 'user ivan\nmode draft\nmail drop@formix.test\npull sftp://h/c\npush sftp://h/out')" ]
	run -0 admin folder set D00001 --user petr --no-mail --no-pull --no-push
	[ "$(grep -v '^#' "$D/D00001/channel")" = "$(printf 'user petr\nmode draft')" ]
	run -0 admin log --object D00001 --tsv -H
	[ "$(cut -f4-8 <<< "$output" | tail -n +2)" = "$(printf '%s\n' \
	    'folder.set	D00001	mode	auto	draft' \
	    'folder.set	D00001	pull	sftp://h/a sftp://h/b	sftp://h/c' \
	    'folder.set	D00001	user	ivan	petr' \
	    'folder.set	D00001	mail	drop@formix.test	' \
	    'folder.set	D00001	pull	sftp://h/c	' \
	    'folder.set	D00001	push	sftp://h/out	')" ]
	# The same user again is no change to the user: no entry for it.
	run -0 admin folder set D00001 --user petr --mode draft
	[ "$(admin log --object D00001 --tsv -H | wc -l)" -eq 7 ]
}

@test "folder list and show: table, --tsv and --json, with files waiting" {
	admin folder add D00001 --user ivan --mail drop@formix.test \
	    --pull sftp://h/a >/dev/null
	admin folder add B2 --user petr --mode check >/dev/null
	touch "$D/D00001/in/a.csv" "$D/D00001/in/b.csv" "$D/D00001/in/.part" \
	    "$D/D00001/out/a.csv.1.txt"
	mkdir "$D/D00001/out/sent"
	mkdir -p "$D/nochannel"
	run -0 admin folder list
	echo "$output" > "$BATS_TEST_TMPDIR/got"
	cat > "$BATS_TEST_TMPDIR/want" <<'EOF'
dir     user  dealer  mode   mail              pull        push  in  out  problem
B2      petr  D00001  check                                       0    0
D00001  ivan  D00001  auto   drop@formix.test  sftp://h/a         2    1
EOF
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	run -0 admin folder list --tsv -H
	[ "${lines[1]}" = "$(printf 'D00001\tivan\tD00001\tauto\tdrop@formix.test\tsftp://h/a\t\t2\t1\t')" ]
	run -0 admin folder show B2 --json
	[ "$output" = '{"dir":"B2","user":"petr","dealer":"D00001","mode":"check","mail":"","pull":"","push":"","in":0,"out":0,"problem":""}' ]
}

@test "list says why formixd will not serve a folder: bad file, symbolic link, unknown or blocked user" {
	admin folder add A1 --user ivan >/dev/null
	admin folder add A2 --user petr >/dev/null
	mkdir -p "$D/A3" "$D/A4"
	printf 'user ivan\nmode fast\n' > "$D/A3/channel"
	ln -s ../A1/channel "$D/A4/channel"
	admin user block petr --reason x >/dev/null
	run -0 admin folder list --tsv -H
	[ "$(cut -f1,2,10 <<< "$output")" = "$(printf '%s\n' \
	    $'A1\tivan\t' \
	    $'A2\tpetr\tuser blocked' \
	    $'A3\t\tline 2: expected "user LOGIN", "mode auto|check|draft", "mail ADDRESS", "pull URL" or "push URL"' \
	    $'A4\t\tToo many levels of symbolic links')" ]
	# A bad file is not rewritten from what cannot be read.
	run -65 --separate-stderr admin folder set A3 --mode auto
	[ "$stderr" = "formix-admin: $D/A3/channel: line 2: expected \"user LOGIN\", \"mode auto|check|draft\", \"mail ADDRESS\", \"pull URL\" or \"push URL\": fix it by hand first" ]
}

@test "every refusal is one line naming the value, with its exit status, and changes nothing" {
	admin folder add D00001 --user ivan --mail drop@formix.test >/dev/null
	snapshot "$BATS_TEST_TMPDIR/before"
	refuse() {
		local rc=$1 want=$2
		shift 2
		run "-$rc" --separate-stderr admin folder "$@"
		[ "$(head -1 <<< "$stderr")" = "formix-admin: $want" ] ||
		    { echo "got: $stderr"; return 1; }
		[ -z "$output" ]
		unchanged
	}
	refuse 64 'folder name "a b": expected 1-64 of A-Z a-z 0-9 _ -' add 'a b' --user petr
	refuse 64 'folder name "../x": expected 1-64 of A-Z a-z 0-9 _ -' add ../x --user petr
	refuse 64 'folder name ".hidden": expected 1-64 of A-Z a-z 0-9 _ -' add .hidden --user petr
	refuse 64 "folder name \"$(printf 'x%.0s' {1..65})\": expected 1-64 of A-Z a-z 0-9 _ -" add "$(printf 'x%.0s' {1..65})" --user petr
	refuse 64 'folder add needs --user' add B2
	refuse 1 'unknown user "nobody"' add B2 --user nobody
	refuse 65 'user "gone" is blocked: unblock it first, or name another user' add B2 --user gone
	refuse 65 'user "ivan" already has folder D00001: one folder per user (mail finds a user'"'"'s folder by its login)' add B2 --user ivan
	refuse 64 '--mode takes auto, check or draft, not "fast"' add B2 --user petr --mode fast
	refuse 64 'mail "not-an-address" is not a valid address' add B2 --user petr --mail not-an-address
	refuse 65 'mail "ivan@dealer.test" is a registered user'"'"'s address: a drop address must be a secret one of its own' add B2 --user petr --mail IVAN@dealer.test
	refuse 65 'mail "drop@formix.test" is already folder D00001'"'"'s drop address' add B2 --user petr --mail Drop@Formix.test
	refuse 64 '--pull: expected an sftp:// URL, got "ftp://h/x"' add B2 --user petr --pull ftp://h/x
	refuse 64 '--push: expected an sftp:// URL, got "sftp://"' add B2 --user petr --push sftp://
	refuse 64 '--push: "sftp://h/x?y": a query or fragment in the URL' add B2 --user petr --push 'sftp://h/x?y'
	refuse 64 '--pull: a password in the URL: use a key (sftp.key)' add B2 --user petr --pull sftp://u:pw@h/x
	refuse 64 '--pull "sftp://h/a b": a blank in the URL (write it %20)' add B2 --user petr --pull 'sftp://h/a b'
	refuse 64 '--no-mail, --no-pull and --no-push are for folder set' add B2 --user petr --no-pull
	refuse 65 'folder D00001 exists already: change it with "folder set"' add D00001 --user petr
	refuse 1 'no folder "B2": spool/dealers/B2/channel does not exist' set B2 --mode auto
	refuse 1 'no folder "B2": spool/dealers/B2/channel does not exist' show B2
	refuse 64 'folder set needs something to change' set D00001
	refuse 64 '--mail and --no-mail together' set D00001 --mail a@b.test --no-mail
	refuse 64 '--pull and --no-pull together' set D00001 --pull sftp://h/x --no-pull
	refuse 1 'unknown user "nobody"' set D00001 --user nobody
	refuse 65 'user "gone" is blocked: unblock it first, or name another user' set D00001 --user gone
	refuse 64 'unknown folder command "rm"' rm D00001
	refuse 64 'folder show takes one folder name' show
	refuse 64 'folder list takes no arguments' list D00001
}

@test "a dealer user may not list, show, add or change folders" {
	admin folder add D00001 --user ivan >/dev/null
	admin user set ivan --superuser >/dev/null
	snapshot "$BATS_TEST_TMPDIR/before"
	run -77 --separate-stderr admin --as ivan folder list
	[[ "$stderr" == "formix-admin: permission denied: "* ]]
	run -77 admin --as ivan folder show D00001
	run -77 admin --as ivan folder add B2 --user ivan
	run -77 admin --as ivan folder set D00001 --mode check
	unchanged
}

@test "formixd --once serves the folder the command made, with its mode" {
	admin folder add D00001 --user ivan --mode draft >/dev/null
	printf 'Артикул;Количество\n27087-10;10\n' > "$STAGE/ok.csv"
	mv "$STAGE/ok.csv" "$D/D00001/in/ok.csv"
	run -0 --separate-stderr fxd --once
	[[ "$stderr" == *'dealer channel d-D00001: dealers/D00001/in, acting as user "ivan"'* ]]
	run -0 cat "$D"/D00001/out/ok.csv.*.txt
	grep -qx 'status: draft' <<< "$output"
	grep -qx 'user: ivan' <<< "$output"
	run -0 "$FX_BIN/formix-order" show 000001 --tsv -H
	[ "$(head -1 <<< "$output" | cut -f1,2)" = "000001	draft" ]
	# folder set takes effect at the next full scan: mode check makes
	# no order.
	admin folder set D00001 --mode check >/dev/null
	printf 'Артикул;Количество\n27087-10;5\n' > "$STAGE/two.csv"
	mv "$STAGE/two.csv" "$D/D00001/in/two.csv"
	run -0 --separate-stderr fxd --once
	run -0 cat "$D"/D00001/out/two.csv.*.txt
	grep -qx 'status: checked' <<< "$output"
	run -0 admin folder show D00001 --tsv -H
	[ "$(cut -f8,9 <<< "$output")" = "$(printf '0\t4')" ]
}

@test "a crash after the file is written, before the audit commits: the folder is changed, never a log entry without it" {
	admin folder add D00001 --user ivan >/dev/null
	FX_CRASH_AT=folder-written run -134 admin folder set D00001 --mode check
	grep -qx 'mode check' "$D/D00001/channel"
	[ -z "$(ls -A "$SP/tmp")" ]
	run -0 admin log --object D00001 --tsv -H
	[ "${#lines[@]}" -eq 1 ]
	[ "$(cut -f4 <<< "$output")" = folder.add ]
	run -0 admin folder show D00001 --tsv -H
	[ "$(cut -f4 <<< "$output")" = check ]
}
