#!/usr/bin/env bats
# formix-claim: a draft on a shipped order, lines found by searching the
# order, the claimable quantity (shipped less what claims hold), the
# submission to 1C, line statuses with their history and one notice per
# change, who sees and works which claims, and every refusal leaving the
# store as it was.
#
# Order 000001 (D00001-1, the head): line 1 27087-10 ordered 20, shipped
# 8 by 1C's document; line 2 MS-00123 and line 3 W26110 not shipped.

load helpers

claim() { "$FX_BIN/formix-claim" "$@"; }
order() { "$FX_BIN/formix-order" "$@"; }

HEAD=7701123451/770101001
O="$DATA/orders"

setup() {
	fx_instance
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
	    "$DATA/cond/conditions.xml" 2>/dev/null
	admin -q import "$DATA/cond/deliveries.xml"
	printf 'Артикул;Количество\n27087-10;10\nMS-00123;3\nW26110;5\n27087-10;10\n' \
	    > "$BATS_TEST_TMPDIR/o.csv"
	order new "$BATS_TEST_TMPDIR/o.csv" --entity "$HEAD" >/dev/null 2>&1
	order submit 000001 >/dev/null 2>&1
	admin -q import "$O/1c-status.xml"
	admin user add boss --dealer D00001 --name "Начальник" \
	    --email boss@promservis.ru --superuser >/dev/null
	admin user add emp --dealer D00001 --name "Сотрудник" \
	    --email emp@promservis.ru --entity D00001-1 --perm order,claim >/dev/null
	admin user add emp2 --dealer D00001 --name "Сотрудник 2" \
	    --email emp2@promservis.ru --entity D00001-1 --perm claim >/dev/null
	admin user add subemp --dealer D00001 --name "Дочерняя" \
	    --entity D00001-2 --perm claim >/dev/null
	admin user add noclaim --dealer D00001 --name "Без рекламаций" \
	    --entity D00001-1 --perm order >/dev/null
	admin user add other --dealer D00002 --name "Чужой" \
	    --email x@master.ru --superuser >/dev/null
}

# The notices in the outbox, one line each.
notices() {
	admin db dump | grep -a '^notifications ' || true
}

@test "the whole way: draft, search, lines, submit to 1C, statuses, show" {
	run -0 --separate-stderr claim --as emp new 000001 --comment "партия 11" --tsv -H
	[ "$(cut -f1-5 <<< "$output")" = "C000001	draft	000001	D00001-1	$(cut -f5 <<< "$output")" ]
	[ "$(cut -f6,12 <<< "$output")" = "emp	партия 11" ]
	[[ "$stderr" == "formix-claim: draft claim C000001 on order 000001;"* ]]

	# Search: article prefix, or every word a prefix of a name's word,
	# case-insensitive in Cyrillic and Latin.
	run -0 claim --as emp lines 000001 --tsv -H
	[ "$output" = "1	27087-10	Ключ комбинированный 10 мм	20	8	0	8	p-1
2	MS-00123	Молоток слесарный 500 г	3	0	0	0	p-2
3	W26110	Дрель ударная 650 Вт	5	0	0	0	p-3" ]
	run -0 claim --as emp lines 000001 КЛЮЧ КОМБ --tsv -H
	[ "$(cut -f1 <<< "$output")" = "1" ]
	run -0 claim --as emp lines 000001 "дрель 650" --tsv -H
	[ "$(cut -f1 <<< "$output")" = "3" ]
	run -0 claim --as emp lines 000001 ms-00 --tsv -H
	[ "$(cut -f1 <<< "$output")" = "2" ]
	run -0 claim --as emp lines 000001 2708 --tsv -H
	[ "$(cut -f1 <<< "$output")" = "1" ]
	# A word inside a word does not match; nothing found is exit 1.
	run -1 claim --as emp lines 000001 бинированный --tsv -H
	[ -z "$output" ]

	run -0 claim --as emp add C000001 1 3 --reason defect --comment "трещина" --tsv -H
	[ "$(cut -f1-8 <<< "$output")" = "1	1	27087-10	Ключ комбинированный 10 мм	3	defect	new	" ]
	# By article, when one line has it.
	run -0 claim --as emp add C000001 27087-10 2 --reason shortage --tsv -H
	[ "$(cut -f1,2,5,6 <<< "$output")" = "2	1	2	shortage" ]
	run -0 claim --as emp lines 000001 27087 --tsv -H
	[ "$(cut -f5-7 <<< "$output")" = "8	5	3" ]

	# Nothing goes to 1C, and nobody is told, before the submission.
	[ ! -e "$FORMIX_ROOT/spool/1c/out/claim-C000001.xml" ]
	[ -z "$(notices)" ]
	run -0 --separate-stderr claim --as emp submit C000001 --tsv -H
	[ "$(cut -f1,2,8,11 <<< "$output")" = "C000001	submitted	2	1c/out/claim-C000001.xml" ]
	[ "$stderr" = "formix-claim: claim C000001 submitted: 2 lines; sent to 1C as 1c/out/claim-C000001.xml" ]
	x="$FORMIX_ROOT/spool/1c/out/claim-C000001.xml"
	xmllint --noout "$x"
	grep -q '<claim id="C000001" order="000001" order-1c="ЦБ-000123" dealer="D00001" entity="D00001-1" inn="7701123451" kpp="770101001" author="emp"' "$x"
	grep -q '<line n="1" order-line="1" product="p-1" article="27087-10" name="Ключ комбинированный 10 мм" qty="3" reason="defect" comment="трещина" status="new" resolution="" status-comment=""/>' "$x"
	[ "$(notices | wc -l)" -eq 1 ]
	notices | grep -aq 'Claim C000001 on order 000001 filed: 2 lines'

	# After the submission: no more lines.
	run -1 --separate-stderr claim --as emp add C000001 1 1 --reason defect
	[ "$stderr" = "formix-claim: claim C000001 is submitted: lines are added to a draft only (file a new claim)" ]

	# Staff move the lines; the file for 1C follows.
	run -0 claim set C000001/1 in_review --tsv -H
	[ "$(cut -f1,7 <<< "$output")" = "1	in_review" ]
	run -0 claim set C000001/1 accepted --resolution replacement --comment "заменим" --tsv -H
	[ "$(cut -f7,8,10 <<< "$output")" = "accepted	replacement	заменим" ]
	grep -q 'qty="3" reason="defect" comment="трещина" status="accepted" resolution="replacement" status-comment="заменим"/>' "$x"
	run -0 claim set C000001 2 rejected --comment "недостачи нет" --tsv -H
	[ "$(cut -f7,10 <<< "$output")" = "rejected	недостачи нет" ]

	run -0 claim --as emp show C000001 --tsv -H
	[ "$(sed -n 1p <<< "$output" | cut -f1,2)" = "C000001	submitted" ]
	[ "$(sed -n '2,3p' <<< "$output" | cut -f1,7,8)" = "1	accepted	replacement
2	rejected	" ]
	[ "$(sed -n '4,6p' <<< "$output" | cut -f2-7)" = "1	new	in_review			staff:root
1	in_review	accepted	replacement	заменим	staff:root
2	new	rejected		недостачи нет	staff:root" ]
	# A rejected line gives its quantity back.
	run -0 claim --as emp lines 000001 27087 --tsv -H
	[ "$(cut -f5-7 <<< "$output")" = "8	3	5" ]
	admin log --object C000001/1 | grep -q 'claim.status'
	admin log --object C000001 | grep -q 'claim.submit'
}

@test "one notice per status change, to the author and the superusers" {
	claim --as emp new 000001 >/dev/null 2>&1
	claim --as emp add C000001 1 1 --reason defect >/dev/null
	claim --as emp submit C000001 >/dev/null 2>&1
	[ "$(notices | wc -l)" -eq 1 ]
	claim set C000001/1 in_review >/dev/null
	[ "$(notices | wc -l)" -eq 2 ]
	notices | sed -n 2p | grep -aq 'Claim C000001 line 1: in_review'
	notices | sed -n 2p | grep -aq 'emp@promservis.ru'
	notices | sed -n 2p | grep -aq 'boss@promservis.ru'
	! notices | grep -aq 'emp2@promservis.ru'
	! notices | grep -aq 'x@master.ru'
	# The same status again: nothing recorded, nobody told.
	run -0 --separate-stderr claim set C000001/1 in_review
	[ "$stderr" = "formix-claim: claim C000001 line 1 is in_review already: nothing changed" ]
	[ "$(notices | wc -l)" -eq 2 ]
	# A refused change tells nobody either.
	run -1 claim set C000001/1 new
	[ "$(notices | wc -l)" -eq 2 ]
	# A blocked author is not written to; the superusers still are.
	admin user block emp --reason "уволился" >/dev/null
	claim set C000001/1 accepted --resolution refund >/dev/null
	[ "$(notices | wc -l)" -eq 3 ]
	notices | sed -n 3p | grep -aq 'boss@promservis.ru'
	! notices | sed -n 3p | grep -aq 'emp@promservis.ru'
	# The history names the notice of each change.
	run -0 claim show C000001 --tsv -H
	[ "$(tail -2 <<< "$output" | cut -f8)" = "00000000000000000002
00000000000000000003" ]
}

@test "statuses: the allowed moves, and what each needs" {
	claim --as emp new 000001 >/dev/null 2>&1
	claim --as emp add C000001 1 1 --reason defect >/dev/null
	claim --as emp add C000001 1 1 --reason other >/dev/null
	run -1 --separate-stderr claim set C000001/1 in_review
	[ "$stderr" = "formix-claim: claim C000001 is a draft: its lines get statuses once it is submitted" ]
	claim --as emp submit C000001 >/dev/null 2>&1
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -64 --separate-stderr claim set C000001/1 accepted
	[ "$stderr" = "formix-claim: accepted needs a resolution: replacement, refund or repair" ]
	run -64 --separate-stderr claim set C000001/1 accepted --resolution gift
	[ "$stderr" = "formix-claim: unknown resolution \"gift\" (replacement, refund or repair)" ]
	run -64 --separate-stderr claim set C000001/1 rejected
	[ "$stderr" = "formix-claim: rejected needs a comment saying why" ]
	run -64 --separate-stderr claim set C000001/1 closed
	[ "$stderr" = "formix-claim: unknown status \"closed\" (new, in_review, accepted or rejected)" ]
	run -64 --separate-stderr claim set C000001/1 in_review --resolution refund
	[ "$stderr" = "formix-claim: a resolution goes with accepted only" ]
	run -1 --separate-stderr claim set C000001/9 in_review
	[ "$stderr" = "formix-claim: claim C000001 has no line 9 (it has 2)" ]
	run -1 --separate-stderr claim set C000009/1 in_review
	[ "$stderr" = "formix-claim: unknown claim \"C000009\"" ]
	run -64 claim set C000001 in_review
	run -64 claim set C000001/x in_review
	# Staff only.
	run -77 --separate-stderr claim --as boss set C000001/1 in_review
	[ "$stderr" = "formix-claim: permission denied: user \"boss\" may not do this: staff only" ]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# A new line may be decided at once; a decided line is final.
	claim set C000001/1 accepted --resolution repair >/dev/null
	run -1 --separate-stderr claim set C000001/1 in_review
	[ "$stderr" = "formix-claim: claim C000001 line 1 is accepted (repair): it cannot become in_review (a decided line is final)" ]
	claim set C000001/2 in_review >/dev/null
	run -1 --separate-stderr claim set C000001/2 new
	[ "$stderr" = "formix-claim: claim C000001 line 2 is in_review: it cannot become new" ]
}

@test "only what was shipped: each refusal with its reason and numbers" {
	claim --as emp new 000001 >/dev/null 2>&1
	claim --as emp add C000001 1 6 --reason defect >/dev/null
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -1 --separate-stderr claim --as emp add C000001 1 3 --reason defect
	[ "$stderr" = "formix-claim: order 000001 line 1 (27087-10): only 2 of 3 left to claim (shipped 8, claimed 6)" ]
	run -1 --separate-stderr claim --as emp add C000001 2 1 --reason defect
	[ "$stderr" = "formix-claim: order 000001 line 2 (MS-00123) was not shipped: only shipped goods can be claimed" ]
	run -1 --separate-stderr claim --as emp add C000001 9 1 --reason defect
	[ "$stderr" = "formix-claim: order 000001 has no line 9 (it has 3)" ]
	run -1 --separate-stderr claim --as emp add C000001 NO-SUCH 1 --reason defect
	[ "$stderr" = "formix-claim: order 000001 has no line with article \"NO-SUCH\"" ]
	run -1 --separate-stderr claim --as emp add C000009 1 1 --reason defect
	[ "$stderr" = "formix-claim: unknown claim \"C000009\"" ]
	run -64 --separate-stderr claim --as emp add C000001 1 1 --reason broken
	[ "$stderr" = "formix-claim: unknown reason \"broken\" (claims.reasons: defect;shortage;wrong_item;damaged_in_transit;other)" ]
	run -64 claim --as emp add C000001 1 0 --reason defect
	run -64 claim --as emp add C000001 1 -1 --reason defect
	run -64 claim --as emp add C000001 1 x --reason defect
	run -64 claim --as emp add C000001 1 1
	run -64 --separate-stderr claim --as emp add C000001 1 1 --reason defect --comment $'a\nb'
	[ "$stderr" = "formix-claim: comment holds a control character" ]
	run -1 --separate-stderr claim --as emp submit C000009
	[ "$stderr" = "formix-claim: unknown claim \"C000009\"" ]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"

	# An empty draft is not submitted.
	claim --as emp new 000001 >/dev/null 2>&1
	run -1 --separate-stderr claim --as emp submit C000002
	[ "$stderr" = "formix-claim: claim C000002 has no lines: add what is claimed first" ]

	# An order nothing of which was shipped.
	printf 'Артикул;Количество\nW26110;1\n' > "$BATS_TEST_TMPDIR/p.csv"
	order new "$BATS_TEST_TMPDIR/p.csv" --entity "$HEAD" >/dev/null 2>&1
	order submit 000002 >/dev/null 2>&1
	run -1 --separate-stderr claim --as emp new 000002
	[ "$stderr" = "formix-claim: order 000002 has nothing shipped (status submitted): only shipped goods can be claimed" ]
	# A cancelled order.
	sed -e 's/В работе/Отменен/' -e 's/2026-11-27T10:00:00/2026-11-27T11:00:00/' \
	    "$O/1c-status.xml" > "$BATS_TEST_TMPDIR/cancel.xml"
	admin -q import "$BATS_TEST_TMPDIR/cancel.xml"
	run -1 --separate-stderr claim --as emp new 000001
	[ "$stderr" = "formix-claim: order 000001 is cancelled: nothing was shipped to claim" ]
	run -1 --separate-stderr claim --as emp new 000404
	[ "$stderr" = "formix-claim: unknown order \"000404\"" ]
}

@test "another dealer's order or claim is unknown, not refused" {
	admin -q import "$O/1c-keyed.xml"	# order 000002, D00002-1, shipped
	claim --as other new 000002 >/dev/null 2>&1
	claim --as other add C000001 2 1 --reason defect >/dev/null
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -1 --separate-stderr claim --as emp new 000002
	[ "$stderr" = "formix-claim: unknown order \"000002\"" ]
	run -1 --separate-stderr claim --as emp lines 000002
	[ "$stderr" = "formix-claim: unknown order \"000002\"" ]
	run -1 --separate-stderr claim --as emp show C000001
	[ "$stderr" = "formix-claim: unknown claim \"C000001\"" ]
	run -1 --separate-stderr claim --as emp add C000001 2 1 --reason defect
	[ "$stderr" = "formix-claim: unknown claim \"C000001\"" ]
	run -1 --separate-stderr claim --as emp attach C000001 "$DATA/claims/photo.jpg"
	[ "$stderr" = "formix-claim: unknown claim \"C000001\"" ]
	run -0 claim --as emp list --tsv -H
	[ -z "$output" ]
	# Without the claim permission: refused, and said so.
	run -77 --separate-stderr claim --as noclaim new 000001
	[[ "$stderr" == "formix-claim: permission denied: user \"noclaim\""* ]]
	# A subsidiary's employee does not see the head's order.
	run -1 claim --as subemp new 000001
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "list and its filters; the head sees its subsidiaries' claims" {
	# A subsidiary's order keyed in 1C, shipped.
	sed -e 's/5047123455/7810123451/' -e 's/5047AB001/781043001/' \
	    -e 's/000000000777/000000000778/' -e 's/ЦБ-000777/ЦБ-000778/g' \
	    "$O/1c-keyed.xml" > "$BATS_TEST_TMPDIR/sub.xml"
	admin -q import "$BATS_TEST_TMPDIR/sub.xml"	# order 000002
	claim --as emp new 000001 >/dev/null 2>&1
	claim --as emp add C000001 1 1 --reason defect >/dev/null
	claim --as emp submit C000001 >/dev/null 2>&1
	claim --as subemp new 000002 >/dev/null 2>&1
	claim --as subemp add C000002 W26110 1 --reason wrong_item >/dev/null
	claim set C000001/1 in_review >/dev/null

	run -0 claim --as emp list --tsv -H
	[ "$(cut -f1,4 <<< "$output")" = "C000002	D00001-2
C000001	D00001-1" ]
	run -0 claim --as boss list --tsv -H
	[ "$(cut -f1 <<< "$output" | tr '\n' ' ')" = "C000002 C000001 " ]
	run -0 claim --as subemp list --tsv -H
	[ "$(cut -f1 <<< "$output")" = "C000002" ]
	run -0 claim --as emp list --entity 7810123451/781043001 --tsv -H
	[ "$(cut -f1 <<< "$output")" = "C000002" ]
	run -0 claim list --status draft --tsv -H
	[ "$(cut -f1 <<< "$output")" = "C000002" ]
	run -0 claim list --status in_review --tsv -H
	[ "$(cut -f1 <<< "$output")" = "C000001" ]
	run -0 claim list --status new --tsv -H
	[ "$(cut -f1 <<< "$output")" = "C000002" ]
	run -0 claim list --status accepted --tsv -H
	[ -z "$output" ]
	run -0 claim list --article w26110 --tsv -H
	[ "$(cut -f1 <<< "$output")" = "C000002" ]
	run -0 claim list --order 000001 --tsv -H
	[ "$(cut -f1 <<< "$output")" = "C000001" ]
	run -0 claim list --from 2026-01-01 --to 2999-12-31 --tsv -H
	[ "$(wc -l <<< "$output")" -eq 2 ]
	run -0 claim list --to 2000-01-01 --tsv -H
	[ -z "$output" ]
	run -64 claim list --status closed
	run -64 claim list --from 2026-02-30
	run -1 claim --as subemp list --entity "$HEAD"
	run -0 claim --as emp list --json
	[[ "${lines[0]}" == '{"number":"C000002","status":"draft","order":"000002","entity":"D00001-2",'* ]]
}

@test "a line taken out of a draft gives its quantity back" {
	claim --as emp new 000001 >/dev/null 2>&1
	claim --as emp add C000001 1 6 --reason defect >/dev/null
	claim --as emp add C000001 1 1 --reason other >/dev/null
	claim --as emp attach C000001/1 "$DATA/claims/photo.jpg" >/dev/null
	claim --as emp attach C000001 "$DATA/claims/act.docx" >/dev/null
	run -0 --separate-stderr claim --as emp remove C000001/1
	[ "$stderr" = "formix-claim: claim C000001 line 1 removed" ]
	run -0 claim --as emp lines 000001 27087 --tsv -H
	[ "$(cut -f5-7 <<< "$output")" = "8	1	7" ]
	run -0 claim --as emp show C000001 --tsv -H
	[ "$(head -1 <<< "$output" | cut -f8,9)" = "1	1" ]
	[ "$(sed -n 2p <<< "$output" | cut -f1,6)" = "2	other" ]
	[ "$(sed -n 3p <<< "$output" | cut -f2,3)" = "0	act.docx" ]
	# Numbers are not reused.
	run -0 claim --as emp add C000001 1 2 --reason defect --tsv -H
	[ "$(cut -f1 <<< "$output")" = "3" ]
	run -1 --separate-stderr claim --as emp remove C000001/1
	[ "$stderr" = "formix-claim: claim C000001 has no line 1" ]
	run -77 claim --as noclaim remove C000001/2
	run -64 claim --as emp remove C000001
	admin log --object C000001/1 | grep -q 'claim.remove'
	claim --as emp submit C000001 >/dev/null 2>&1
	run -1 --separate-stderr claim --as emp remove C000001/2
	[ "$stderr" = "formix-claim: claim C000001 is submitted: lines are removed from a draft only" ]
}

@test "a blocked author's claims stay visible and workable by others" {
	claim --as emp new 000001 >/dev/null 2>&1
	claim --as emp add C000001 1 1 --reason defect >/dev/null
	admin user block emp --reason "уволился" >/dev/null
	run -77 claim --as emp show C000001
	run -0 claim --as emp2 show C000001 --tsv -H
	[ "$(head -1 <<< "$output" | cut -f1,6)" = "C000001	emp" ]
	run -0 claim --as emp2 add C000001 1 2 --reason other --tsv -H
	[ "$(cut -f1 <<< "$output")" = "2" ]
	run -0 --separate-stderr claim --as emp2 submit C000001 --tsv -H
	[ "$(cut -f2,8 <<< "$output")" = "submitted	2" ]
	run -0 claim --as boss list --tsv -H
	[ "$(cut -f1,6 <<< "$output")" = "C000001	emp" ]
}

@test "two people claiming the last unit at once: one wins, the other is told" {
	for round in 1 2 3 4 5; do
		rm -rf "$BATS_TEST_TMPDIR/inst"
		fx_instance
		admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" \
		    "$DATA/cond/conditions.xml" 2>/dev/null
		order new "$BATS_TEST_TMPDIR/o.csv" --entity "$HEAD" >/dev/null 2>&1
		order submit 000001 >/dev/null 2>&1
		admin -q import "$O/1c-status.xml"
		claim new 000001 >/dev/null 2>&1
		claim new 000001 >/dev/null 2>&1
		claim add C000001 1 7 --reason defect >/dev/null
		# One unit left; both ask for it at the same moment.
		claim add C000001 1 1 --reason defect \
		    > "$BATS_TEST_TMPDIR/a.out" 2> "$BATS_TEST_TMPDIR/a.err" &
		pa=$!
		claim add C000002 1 1 --reason defect \
		    > "$BATS_TEST_TMPDIR/b.out" 2> "$BATS_TEST_TMPDIR/b.err" &
		pb=$!
		ra=0; rb=0
		wait $pa || ra=$?
		wait $pb || rb=$?
		[ $((ra + rb)) -eq 1 ]
		cat "$BATS_TEST_TMPDIR/a.err" "$BATS_TEST_TMPDIR/b.err" > "$BATS_TEST_TMPDIR/err"
		[ "$(cat "$BATS_TEST_TMPDIR/err")" = "formix-claim: order 000001 line 1 (27087-10): only 0 of 1 left to claim (shipped 8, claimed 8)" ]
		run -0 claim lines 000001 27087 --tsv -H
		[ "$(cut -f5-7 <<< "$output")" = "8	8	0" ]
	done
}

@test "usage: commands, arguments and options" {
	run -64 --separate-stderr claim
	[[ "$stderr" == "formix-claim: no command given: new, lines, add, attach, remove, submit, set, list or show"* ]]
	run -64 claim frobnicate
	run -64 claim new
	run -64 claim new 000001 000002
	run -64 claim lines
	run -64 claim add C000001 1
	run -64 claim submit
	run -64 claim show
	run -64 claim attach C000001
	run -64 claim list x
	run -64 claim --tsv --json list
	run -64 claim --bogus list
	run -0 claim --help
	[[ "$output" == "Usage: formix-claim new ORDER"* ]]
	run -0 claim --version
	[[ "$output" == "formix-claim (formix) "* ]]
}
