#!/usr/bin/env bats
# formix-claim attach: files on a claim or a line, the type told from the
# content, stored once by content in spool/attachments by the durable
# protocol, the display name never a path, the size limits; and every
# refusal attaching nothing at all.

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
	admin user add emp --dealer D00001 --name "Сотрудник" \
	    --entity D00001-1 --perm claim >/dev/null
	admin user add noclaim --dealer D00001 --name "Без рекламаций" \
	    --entity D00001-1 --perm order >/dev/null
	claim --as emp new 000001 >/dev/null 2>&1
	claim --as emp add C000001 1 2 --reason defect >/dev/null
	T="$BATS_TEST_TMPDIR"
}

# Every file under spool/attachments, relative to it.
stored() {
	(cd "$FORMIX_ROOT/spool/attachments" && find . -type f | sort)
}

@test "photos and documents on a claim and a line, stored once by content" {
	sha=$(sha256sum "$C/photo.jpg" | cut -d' ' -f1)
	run -0 claim --as emp attach C000001/1 "$C/photo.jpg" --tsv -H
	[ "$(cut -f1-5 <<< "$output")" = "1	1	photo.jpg	image/jpeg	22" ]
	[ "$(cut -f6,8 <<< "$output")" = "$sha	emp" ]
	run -0 claim --as emp attach C000001 "$C/act.docx" "$T/../$(basename "$T")/o.csv" --tsv -H
	[ "$(cut -f1-4 <<< "$output")" = "2	0	act.docx	application/vnd.openxmlformats-officedocument.wordprocessingml.document
3	0	o.csv	text/plain" ]
	# The same photo again, under another name: two records, one file.
	run -0 claim --as emp attach C000001 "$C/photo.jpg" --name "Фото упаковки.jpg" --tsv -H
	[ "$(cut -f1-3 <<< "$output")" = "4	0	Фото упаковки.jpg" ]
	[ "$(stored | wc -l)" -eq 3 ]
	cmp "$C/photo.jpg" "$FORMIX_ROOT/spool/attachments/${sha:0:2}/$sha"
	[ -z "$(ls -A "$FORMIX_ROOT/spool/tmp")" ]
	run -0 claim --as emp show C000001 --tsv -H
	[ "$(head -1 <<< "$output" | cut -f9,10)" = "4	$((22 + 22 + $(stat -c %s "$C/act.docx") + $(stat -c %s "$T/o.csv")))" ]
	[ "$(grep -c "	$sha	" <<< "$output")" -eq 2 ]
	# Attachments are also taken after the submission; 1C gets them.
	claim --as emp submit C000001 >/dev/null 2>&1
	grep -q "<file line=\"1\" name=\"photo.jpg\" type=\"image/jpeg\" size=\"22\" sha256=\"$sha\" path=\"attachments/${sha:0:2}/$sha\"/>" \
	    "$FORMIX_ROOT/spool/1c/out/claim-C000001.xml"
	run -0 claim --as emp attach C000001/1 "$C/act.docx"
	grep -q '<file line="1" name="act.docx" type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"' \
	    "$FORMIX_ROOT/spool/1c/out/claim-C000001.xml"
	admin log --object C000001/1 | grep -q 'claim.attach'
}

@test "refused files: each exact, nothing attached, nothing stored" {
	cp /bin/true "$T/evil.jpg"
	printf '#!/bin/sh\necho hi\n' > "$T/run.jpg"
	: > "$T/empty.jpg"
	printf 'MZ\x90\x00' > "$T/setup.pdf"
	head -c 300 /dev/urandom > "$T/noise.png"
	nl=$'a\nb.jpg'
	cp "$C/photo.jpg" "$T/$nl"
	fx_dump "$T/before"
	run -65 --separate-stderr claim --as emp attach C000001 "$T/evil.jpg"
	[ "$stderr" = "formix-claim: $T/evil.jpg: an executable (ELF), not a photo, video or document" ]
	run -65 --separate-stderr claim --as emp attach C000001 "$T/setup.pdf"
	[ "$stderr" = "formix-claim: $T/setup.pdf: a Windows executable (MZ), not a photo, video or document" ]
	run -65 --separate-stderr claim --as emp attach C000001 "$T/run.jpg"
	[ "$stderr" = "formix-claim: $T/run.jpg: a script (#!), not a photo, video or document" ]
	run -65 --separate-stderr claim --as emp attach C000001 "$C/plain.zip"
	[ "$stderr" = "formix-claim: $C/plain.zip: a ZIP archive, not an Office document (DOCX, XLSX)" ]
	run -65 claim --as emp attach C000001 "$T/noise.png"
	run -65 --separate-stderr claim --as emp attach C000001 "$T/empty.jpg"
	[ "$stderr" = "formix-claim: $T/empty.jpg: empty file" ]
	run -65 --separate-stderr claim --as emp attach C000001 "$C/photo.jpg" --name ../../etc/passwd
	[ "$stderr" = "formix-claim: $C/photo.jpg: file name \"../../etc/passwd\" would be a path: a name is only shown, never used as a path" ]
	run -65 --separate-stderr claim --as emp attach C000001 "$C/photo.jpg" --name ..
	run -65 --separate-stderr claim --as emp attach C000001 "$T/$nl"
	[ "$stderr" = "formix-claim: $T/a"$'\n'"b.jpg: file name \"a\\nb.jpg\" holds a control character" ]
	run -65 --separate-stderr claim --as emp attach C000001 "$T"
	[ "$stderr" = "formix-claim: $T: not a regular file" ]
	run -66 --separate-stderr claim --as emp attach C000001 "$T/missing.jpg"
	[ "$stderr" = "formix-claim: $T/missing.jpg: cannot open: No such file or directory" ]
	# One bad file among good ones: none is attached.
	run -65 claim --as emp attach C000001 "$C/photo.jpg" "$C/act.docx" "$T/evil.jpg"
	run -1 --separate-stderr claim --as emp attach C000001/7 "$C/photo.jpg"
	[ "$stderr" = "formix-claim: claim C000001 has no line 7 (it has 1)" ]
	run -1 --separate-stderr claim --as emp attach C000404 "$C/photo.jpg"
	[ "$stderr" = "formix-claim: unknown claim \"C000404\"" ]
	run -77 claim --as noclaim attach C000001 "$C/photo.jpg"
	run -64 --separate-stderr claim --as emp attach C000001 "$C/photo.jpg" "$C/act.docx" --name x.jpg
	[ "$stderr" = "formix-claim: a display name goes with one file only" ]
	run -64 claim --as emp attach C000001/x "$C/photo.jpg"
	fx_dump "$T/after"
	cmp "$T/before" "$T/after"
	[ -z "$(stored)" ]
}

@test "size limits per file and per claim, from the configuration" {
	fx_conf_add claims "max_file_size: 1KiB"
	head -c 1024 /dev/zero | tr '\0' 'a' > "$T/fits.txt"
	head -c 1025 /dev/zero | tr '\0' 'b' > "$T/big.txt"
	run -0 claim --as emp attach C000001 "$T/fits.txt"
	run -65 --separate-stderr claim --as emp attach C000001 "$T/big.txt"
	[ "$stderr" = "formix-claim: $T/big.txt: file of 1025 bytes is over claims.max_file_size (1024)" ]
	fx_conf_add claims "max_claim_size: 2000"
	head -c 900 /dev/zero | tr '\0' 'c' > "$T/c.txt"
	head -c 100 /dev/zero | tr '\0' 'd' > "$T/d.txt"
	fx_dump "$T/before"
	run -65 --separate-stderr claim --as emp attach C000001 "$T/c.txt" "$T/d.txt"
	[ "$stderr" = "formix-claim: claim C000001: attachments would take 2024 bytes, over claims.max_claim_size (2000)" ]
	fx_dump "$T/after"
	cmp "$T/before" "$T/after"
	[ "$(stored | wc -l)" -eq 1 ]
	run -0 claim --as emp attach C000001 "$T/c.txt"
}
