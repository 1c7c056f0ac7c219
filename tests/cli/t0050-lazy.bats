#!/usr/bin/env bats
# The heavy libraries are loaded when first needed (lib/lazy.c): the tools
# do not link them, a run that needs none never loads them, and one that
# cannot load what it needs says which library, exits 69 and changes
# nothing.  A library is made unloadable by putting a broken file of its
# SONAME first on LD_LIBRARY_PATH.

load helpers

order() { "$FX_BIN/formix-order" "$@"; }

HEAD=7701123451/770101001

setup() {
	fx_instance
	fx_load_fixtures
	broken="$BATS_TEST_TMPDIR/broken"
	mkdir -p "$broken"
}

# Make the library of SONAME unloadable: an empty file (dlopen: "file
# too short"), or with "wrong", a real library that lacks its functions.
breaklib() {
	if [ "${2:-}" = wrong ]; then
		# zlib: loadable, and without any function of theirs.
		cp "$(ldd "$FX_BIN/formix-order" |
		    awk '$1 == "libz.so.1" { print $3 }')" "$broken/$1"
	else
		: > "$broken/$1"
	fi
}

soname() {
	sed -n "s/^#define FX_SONAME_$1 \"\(.*\)\"$/\1/p" "$FX_BUILDDIR/config.h"
}

@test "the tools do not link libxml2, libcrypto, libxlsxwriter or freexl" {
	for t in formix-order formix-stock formix-ar formix-claim formix-admin; do
		run -0 readelf -d "$FX_BIN/$t"
		for l in XML CRYPTO XLSXW FREEXL; do
			so=$(soname $l)
			[ -n "$so" ]
			if grep -F "[$so]" <<< "$output"; then
				echo "$t needs $so"
				false
			fi
		done
	done
}

@test "a CSV check loads none of them" {
	run -1 --separate-stderr order check "$DATA/orders/mixed.csv" \
	    --entity "$HEAD" --tsv
	want=$output
	for l in XML CRYPTO XLSXW FREEXL; do
		breaklib "$(soname $l)"
	done
	LD_LIBRARY_PATH=$broken run -1 --separate-stderr order check \
	    "$DATA/orders/mixed.csv" --entity "$HEAD" --tsv
	[ "$output" = "$want" ]
	[ -z "$stderr" ]
}

@test "an XLSX check without libxml2: exit 69, naming the library" {
	so=$(soname XML)
	breaklib "$so"
	LD_LIBRARY_PATH=$broken run -69 --separate-stderr order check \
	    "$FX_SRCDIR/conf/order-template.xlsx" --entity "$HEAD" --tsv
	echo "$stderr"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$stderr" = "formix-order: $FX_SRCDIR/conf/order-template.xlsx: cannot load $so (needed to read XLSX and XML files): $broken/$so: file too short" ]
	[ -z "$output" ]
	# The same file with the library there.
	run -65 --separate-stderr order check \
	    "$FX_SRCDIR/conf/order-template.xlsx" --entity "$HEAD" --tsv
	[[ "$stderr" == *"only a header row, no articles" ]]
}

@test "a library without the functions we call: named, with the function" {
	so=$(soname XML)
	breaklib "$so" wrong
	LD_LIBRARY_PATH=$broken run -69 --separate-stderr order check \
	    "$FX_SRCDIR/conf/order-template.xlsx" --entity "$HEAD" --tsv
	[ "$stderr" = "formix-order: $FX_SRCDIR/conf/order-template.xlsx: cannot load $so (needed to read XLSX and XML files): it has no xmlByteConsumed" ]
}

@test "an XLS check without freexl: exit 69, no child started" {
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/o.xls" <<'PY'
import sys, xlwt
wb = xlwt.Workbook()
ws = wb.add_sheet("Заказ")
ws.write(0, 0, "Артикул")
ws.write(0, 1, "Количество")
ws.write(1, 0, "27087-10")
ws.write(1, 1, 2)
wb.save(sys.argv[1])
PY
	run -0 --separate-stderr order check "$BATS_TEST_TMPDIR/o.xls" \
	    --entity "$HEAD" --tsv -H
	[ "$(cut -f2,4 <<< "$output")" = "27087-10	ok" ]
	so=$(soname FREEXL)
	breaklib "$so"
	# (LeakSanitizer cannot run under ptrace.)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    LD_LIBRARY_PATH=$broken run -69 --separate-stderr strace -f -qq \
	    -e trace=clone,clone3,fork,vfork -e signal=none \
	    "$FX_BIN/formix-order" check "$BATS_TEST_TMPDIR/o.xls" \
	    --entity "$HEAD" --tsv
	echo "$stderr"
	[[ "$stderr" != *clone* && "$stderr" != *fork* ]]
	[[ "$stderr" == *"formix-order: $BATS_TEST_TMPDIR/o.xls: cannot load $so (needed to read XLS files): $broken/$so: file too short"* ]]
}

@test "a draft from a CSV without libcrypto: exit 69, no draft made" {
	fx_dump "$BATS_TEST_TMPDIR/before"
	breaklib "$(soname CRYPTO)"
	LD_LIBRARY_PATH=$broken run -69 --separate-stderr order new \
	    "$DATA/orders/mixed.csv" --entity "$HEAD"
	[[ "$stderr" == "formix-order: cannot load $(soname CRYPTO) (needed to fingerprint files): "* ]]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "an import without libxml2: exit 69, the store unchanged" {
	fx_dump "$BATS_TEST_TMPDIR/before"
	breaklib "$(soname XML)"
	LD_LIBRARY_PATH=$broken run -69 --separate-stderr admin import \
	    "$DATA/cml/offers.xml"
	[[ "$stderr" == *"cannot load $(soname XML) (needed to read XLSX and XML files): "* ]]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "formixd missing a library fails at its start, not at a file" {
	breaklib "$(soname XLSXW)"
	LD_LIBRARY_PATH=$broken run -69 --separate-stderr \
	    "$FX_BUILDDIR/daemon/formixd" --once -d
	[[ "$stderr" == *"cannot load $(soname XLSXW) (needed to write documents and reports): "* ]]
}
