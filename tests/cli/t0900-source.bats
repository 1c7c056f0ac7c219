#!/usr/bin/env bats
# House rules checked on the source and the build: the fx_ prefix, banned
# functions, man pages that lint clean and document every option.

load helpers

@test "every external symbol of libformix has the fx_ prefix" {
	lib="$FX_BUILDDIR/lib/libformix.a"
	[ -f "$lib" ]
	# (Sanitizer builds add their own __odr_asan.* and __asan_* symbols.)
	# lazy.o's trampolines bear the names of the libraries' own
	# functions: they are checked below.
	bad=$(nm -g --defined-only "$lib" |
	    awk '/^$/ { m = "" } /:$/ { m = $1 }
	        NF == 3 && $2 ~ /[TDBRC]/ && m != "libformix_a-lazy.o:" { print $3 }' |
	    grep -v -e '^fx_' -e '^__odr_asan' -e '^__asan' -e '^__ubsan' || true)
	echo "without fx_: $bad"
	[ -z "$bad" ]
}

@test "lazy.c defines nothing but fx_ functions and the libraries' own" {
	lib="$FX_BUILDDIR/lib/libformix.a"
	# The libraries lazy.c loads, by the SONAMEs configure found.
	libs=$(sed -n 's/^#define FX_SONAME_[A-Z]* "\(.*\)"$/\1/p' \
	    "$FX_BUILDDIR/config.h" | while read -r so; do
		/sbin/ldconfig -p | awk -v so="$so" '$1 == so { print $NF; exit }'
	done)
	echo "$libs"
	[ "$(wc -l <<< "$libs")" -eq "$(grep -c '^#define FX_SONAME_' \
	    "$FX_BUILDDIR/config.h")" ]
	theirs=$(for l in $libs; do nm -D --defined-only "$l"; done |
	    awk '{ sub(/@.*/, "", $3); print $3 }' | sort -u)
	ours=$(nm -g --defined-only "$lib" |
	    awk '/^$/ { m = "" } /:$/ { m = $1 }
	        NF == 3 && $2 ~ /[TDBRC]/ && m == "libformix_a-lazy.o:" { print $3 }' |
	    grep -v -e '^fx_' -e '^__odr_asan' -e '^__asan' -e '^__ubsan' | sort)
	[ "$(wc -l <<< "$ours")" -ge 40 ]
	bad=$(comm -23 <(echo "$ours") <(echo "$theirs"))
	echo "not theirs: $bad"
	[ -z "$bad" ]
}

@test "banned functions are not used" {
	bad=$(grep -nE '\<(strcpy|strcat|sprintf|vsprintf|gets|atoi)\s*\(' \
	    "$FX_SRCDIR"/lib/*.c "$FX_SRCDIR"/lib/*.h "$FX_SRCDIR"/cmd/*.c \
	    "$FX_SRCDIR"/daemon/*.[ch] || true)
	echo "$bad"
	[ -z "$bad" ]
}

@test "man pages lint clean" {
	[ -n "$MANDOC" ] || skip "mandoc is not installed"
	for m in "$FX_SRCDIR"/man/*.in; do
		run "$MANDOC" -Tlint -W warning "$m"
		echo "$m: $output"
		[ "$status" -eq 0 ]
	done
}

@test "every long option in --help is in the tool's man page" {
	for tool in formix-admin formix-stock formix-ar formix-order formix-claim formixd; do
		page="$FX_SRCDIR/man/$tool.1.in"
		bin="$FX_BIN/$tool"
		if [ "$tool" = formixd ]; then
			page="$FX_SRCDIR/man/formixd.8.in"
			bin="$FX_BUILDDIR/daemon/formixd"
		fi
		[ -f "$page" ]
		for opt in $("$bin" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
			name=${opt#--}
			grep -qE "Fl Fl $name( |$)" "$page" || {
				echo "$tool: $opt is not in $page"
				return 1
			}
		done
	done
}
