#!/usr/bin/env bats
# Claim statuses from 1C (formix XML <formix-claim-statuses>) through
# formix-admin import: the same moves and rules as staff, one notice per
# move, nothing recorded twice when a file comes again, and each refusal
# refusing the whole package.

load helpers

claim() { "$FX_BIN/formix-claim" "$@"; }
order() { "$FX_BIN/formix-order" "$@"; }

HEAD=7701123451/770101001
C="$DATA/claims"

setup() {
	fx_instance
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$DATA/cond/conditions.xml" 2>/dev/null
	printf 'Артикул;Количество\n27087-10;10\nMS-00123;3\nW26110;5\n27087-10;10\n' \
	    > "$BATS_TEST_TMPDIR/o.csv"
	order new "$BATS_TEST_TMPDIR/o.csv" --entity "$HEAD" >/dev/null 2>&1
	order submit 000001 >/dev/null 2>&1
	admin -q import "$DATA/orders/1c-status.xml"
	admin user add boss --dealer D00001 --name "Начальник" \
	    --email boss@promservis.ru --superuser >/dev/null
	claim new 000001 >/dev/null 2>&1
	claim add C000001 1 2 --reason defect >/dev/null
	claim add C000001 1 1 --reason shortage >/dev/null
	claim submit C000001 >/dev/null 2>&1
	T="$BATS_TEST_TMPDIR"
}

notices() {
	admin db dump | grep -a '^notifications ' || true
}

# The history of show --tsv -H, without the time and the notice.
history() {
	claim show C000001 --tsv -H | awk -F'\t' 'NF == 8 { print $2, $3, $4, $5, $6, $7 }'
}

@test "1C moves lines; the same file again records nothing" {
	cp "$FORMIX_ROOT/spool/1c/out/claim-C000001.xml" "$T/sent.xml"
	run -0 admin import "$C/1c-statuses.xml"
	[ "${lines[1]}" = "claim lines 2, status changes 2" ]
	run -0 history
	[ "$output" = "1 new in_review  на экспертизе 1c
2 new accepted refund вернём деньги 1c" ]
	[ "$(notices | wc -l)" -eq 3 ]
	notices | sed -n 3p | grep -aq 'Claim C000001 line 2: accepted (refund)'
	notices | sed -n 3p | grep -aq 'boss@promservis.ru'
	admin log --object C000001/2 | grep -q 'claim.status'
	# 1C is not sent back what it decided.
	cmp "$T/sent.xml" "$FORMIX_ROOT/spool/1c/out/claim-C000001.xml"

	run -0 --separate-stderr admin import "$C/1c-statuses.xml"
	[[ "$stderr" == "formix-admin: already applied on "* ]]
	run -0 admin import -f "$C/1c-statuses.xml"
	[ "${lines[1]}" = "claim lines 2, status changes 0" ]
	[ "$(notices | wc -l)" -eq 3 ]
	# A later file moves only what changed.
	run -0 admin import "$C/1c-decided.xml"
	[ "${lines[1]}" = "claim lines 2, status changes 1" ]
	[ "$(notices | wc -l)" -eq 4 ]
	run -0 claim show C000001 --tsv -H
	[ "$(sed -n '2,3p' <<< "$output" | cut -f1,7,8,10)" = "1	rejected		повреждение при монтаже
2	accepted	refund	вернём деньги" ]
	# A rejected line gives its quantity back.
	run -0 claim lines 000001 27087 --tsv -H
	[ "$(cut -f5-7 <<< "$output")" = "8	1	7" ]
}

@test "refusals: each with the file and line, the whole package unapplied" {
	x='<?xml version="1.0" encoding="UTF-8"?>
<formix-claim-statuses version="1" generated="2026-11-28T10:00:00">'
	bad() {
		printf '%s\n  %s\n</formix-claim-statuses>\n' "$x" "$1" > "$T/$2"
	}
	bad '<line claim="C000404" line="1" status="in_review"/>' unknown.xml
	bad '<line claim="C000001" line="9" status="in_review"/>' noline.xml
	bad '<line claim="C000001" line="x" status="in_review"/>' badline.xml
	bad '<line claim="C000001" status="in_review"/>' noattr.xml
	bad '<line claim="C000001" line="1" status="done"/>' badstatus.xml
	bad '<line claim="C000001" line="1" status="accepted"/>' nores.xml
	bad '<line claim="C000001" line="1" status="rejected"/>' nocomment.xml
	bad '<line claim="C000001" line="1" status="new"/>' backwards.xml
	sed 's/version="1"/version="2"/' "$C/1c-statuses.xml" > "$T/v2.xml"
	claim new 000001 >/dev/null 2>&1
	bad '<line claim="C000002" line="1" status="in_review"/>' draft.xml
	fx_dump "$T/before"
	run -65 --separate-stderr admin import "$T/unknown.xml"
	[ "$stderr" = "formix-admin: $T/unknown.xml:3: unknown claim \"C000404\"" ]
	run -65 --separate-stderr admin import "$T/noline.xml"
	[ "$stderr" = "formix-admin: $T/noline.xml:3: claim C000001 has no line 9 (it has 2)" ]
	run -65 --separate-stderr admin import "$T/badline.xml"
	[ "$stderr" = "formix-admin: $T/badline.xml:3: claim C000001: line \"x\" is not a line number" ]
	run -65 --separate-stderr admin import "$T/noattr.xml"
	[ "$stderr" = "formix-admin: $T/noattr.xml:3: claim C000001: <line> without line=" ]
	run -65 --separate-stderr admin import "$T/badstatus.xml"
	[ "$stderr" = "formix-admin: $T/badstatus.xml:3: claim C000001 line 1: unknown status \"done\" (new, in_review, accepted or rejected)" ]
	run -65 --separate-stderr admin import "$T/nores.xml"
	[ "$stderr" = "formix-admin: $T/nores.xml:3: claim C000001 line 1: accepted needs a resolution: replacement, refund or repair" ]
	run -65 --separate-stderr admin import "$T/nocomment.xml"
	[ "$stderr" = "formix-admin: $T/nocomment.xml:3: claim C000001 line 1: rejected needs a comment saying why" ]
	run -65 --separate-stderr admin import "$T/draft.xml"
	[ "$stderr" = "formix-admin: $T/draft.xml:3: claim C000002 is a draft: its lines get statuses once it is submitted" ]
	run -65 --separate-stderr admin import "$T/v2.xml"
	[ "$stderr" = "formix-admin: $T/v2.xml:2: version \"2\" is not 1" ]
	# A good file with a bad one: nothing of either applied.
	run -65 admin import "$C/1c-statuses.xml" "$T/unknown.xml"
	fx_dump "$T/after"
	cmp "$T/before" "$T/after"
	# A decided line is final for 1C too.
	admin -q import "$C/1c-decided.xml"
	bad '<line claim="C000001" line="1" status="in_review"/>' again.xml
	run -65 --separate-stderr admin import "$T/again.xml"
	[ "$stderr" = "formix-admin: $T/again.xml:3: claim C000001 line 1 is rejected: it cannot become in_review (a decided line is final)" ]
}

@test "through formixd: 1C drops its file into 1c/in" {
	fx_conf_add spool "settle: 0"
	fx_conf_add spool "package_window: 0"
	fx_conf_add spool "min_free: 0"
	cp "$C/1c-statuses.xml" "$T/claims.xml"
	mv "$T/claims.xml" "$FORMIX_ROOT/spool/1c/in/claims.xml"
	run -0 "$FX_BUILDDIR/daemon/formixd" --once
	run -0 history
	[ "$output" = "1 new in_review  на экспертизе 1c
2 new accepted refund вернём деньги 1c" ]
	[ "$(notices | wc -l)" -eq 3 ]
	grep -qx "status: applied" "$FORMIX_ROOT"/spool/1c/out/claims.xml.*.ack
	grep -q "^applied: files=1 .* claim_lines=2 claim_changes=2$" \
	    "$FORMIX_ROOT"/spool/1c/out/claims.xml.*.ack
}
