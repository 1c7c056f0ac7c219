#!/usr/bin/env bats
# Who sees what, as a table: staff, the head company's superuser, a head
# employee attached to the head only, a subsidiary's employee, a blocked
# employee, another dealer's user; against entity list, entity show and
# the dealer price lookup in formix-stock.  Every cell is asserted.
#
# Dealer D00001: D00001-1 the head (7701123451/770101001), D00001-2 and
# D00001-3 its subsidiaries.  Dealer D00002: D00002-1.

load helpers

setup_file() {
	export FORMIX_ROOT="$BATS_FILE_TMPDIR/inst"
	unset FORMIX_CONF
	admin init "$FORMIX_ROOT" >/dev/null
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" "$DATA/cond/conditions.xml" 2>/dev/null
	admin user add boss --dealer D00001 --name "Суперпользователь" --superuser >/dev/null
	admin user add heademp --dealer D00001 --name "Сотрудник головной" --entity D00001-1 --perm order >/dev/null
	admin user add subemp --dealer D00001 --name "Сотрудник дочерней" --entity D00001-2 --perm order,claim >/dev/null
	admin user add gone --dealer D00001 --name "Уволенный" --entity D00001-1 --perm all >/dev/null
	admin user block gone --reason "уволился" >/dev/null
	admin user add other --dealer D00002 --name "Чужой дилер" --superuser >/dev/null
	admin db dump > "$BATS_FILE_TMPDIR/before"
}

setup() {
	export FORMIX_ROOT="$BATS_FILE_TMPDIR/inst"
}

teardown_file() {
	# Nothing anyone tried changed the store.
	admin db dump > "$BATS_FILE_TMPDIR/after"
	cmp "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after"
}

# as ACTOR CMD...: run a tool as staff (ACTOR "-") or --as ACTOR.
as() {
	local who=$1 tool=$2
	shift 2
	if [ "$who" = - ]; then
		"$FX_BIN/$tool" "$@"
	else
		"$FX_BIN/$tool" --as "$who" "$@"
	fi
}

@test "entity list: each actor sees exactly its entities" {
	while read -r who want; do
		run --separate-stderr as "$who" formix-admin --tsv -H entity list
		got=$(cut -f1 <<< "$output" | tr '\n' ' ' | sed 's/ $//')
		echo "$who: status $status, got [$got], want [$want] $stderr"
		if [ "$want" = BLOCKED ]; then
			[ "$status" -eq 77 ]
			[ "$stderr" = 'formix-admin: user "gone" is blocked: уволился' ]
		else
			[ "$status" -eq 0 ]
			[ "$got" = "$want" ]
		fi
	done <<'TABLE'
- D00001-1 D00001-2 D00001-3 D00002-1
boss D00001-1 D00001-2 D00001-3
heademp D00001-1 D00001-2 D00001-3
subemp D00001-2
gone BLOCKED
other D00002-1
TABLE
}

@test "entity show: every actor against every entity" {
	# columns: the entities D00001-1 D00001-2 D00001-3 D00002-1
	while read -r who c1 c2 c3 c4; do
		# (not "i": bats' run uses that name)
		col=0
		for e in D00001-1 D00001-2 D00001-3 D00002-1; do
			col=$((col + 1))
			eval "want=\$c$col"
			run --separate-stderr as "$who" formix-admin --tsv -H entity show "$e"
			echo "$who $e: want $want, status $status, $stderr"
			case "$want" in
			ok)	[ "$status" -eq 0 ]
				[ "$(cut -f1 <<< "$output")" = "$e" ] ;;
			no)	[ "$status" -eq 1 ]
				[ "$stderr" = "formix-admin: unknown legal entity \"$e\"" ] ;;
			blk)	[ "$status" -eq 77 ]
				[ "$stderr" = 'formix-admin: user "gone" is blocked: уволился' ] ;;
			esac
		done
	done <<'TABLE'
- ok ok ok ok
boss ok ok ok no
heademp ok ok ok no
subemp no ok no no
gone blk blk blk blk
other no no no ok
TABLE
}

@test "entity show by INN/KPP hides another dealer's entity the same way" {
	run -1 --separate-stderr as other formix-admin entity show 7701123451/770101001
	[ "$stderr" = 'formix-admin: unknown legal entity "7701123451/770101001"' ]
	run -0 as boss formix-admin entity show 7701123451/770101001
}

@test "dealer price lookup: formix-stock --entity, every actor against every entity" {
	# The net price of 27087-10 (base 1000.05) for each entity:
	# D00001-1: g-keys discount 12.25% -> 877.54; D00001-2: own price
	# type pt-special -> 900.00; D00001-3: default 5% -> 950.05;
	# D00002-1: g-keys 20% -> 800.04.
	while read -r who c1 c2 c3 c4; do
		# (not "i": bats' run uses that name)
		col=0
		for e in D00001-1 D00001-2 D00001-3 D00002-1; do
			col=$((col + 1))
			eval "want=\$c$col"
			run --separate-stderr as "$who" formix-stock --tsv -H -o net 27087-10 --entity "$e"
			echo "$who $e: want $want, status $status, out $output, $stderr"
			case "$want" in
			no)	[ "$status" -eq 1 ]
				[ "$stderr" = "formix-stock: unknown legal entity \"$e\"" ] ;;
			blk)	[ "$status" -eq 77 ]
				[ "$stderr" = 'formix-stock: user "gone" is blocked: уволился' ] ;;
			*)	[ "$status" -eq 0 ]
				[ "$output" = "$want" ] ;;
			esac
		done
	done <<'TABLE'
- 877.54 900.00 950.05 800.04
boss 877.54 900.00 950.05 no
heademp 877.54 900.00 950.05 no
subemp no 900.00 no no
gone blk blk blk blk
other no no no 800.04
TABLE
}

@test "a user who sees one legal entity gets its prices without --entity" {
	run as subemp formix-stock --tsv -H -o net 27087-10
	[ "$status" -eq 0 ]
	[ "$output" = "900.00" ]
	# Several visible: no default, no net price.
	run as boss formix-stock --tsv -H -o net 27087-10
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "dealer list and show: a dealer's user sees its own dealer only" {
	run as - formix-admin --tsv -H dealer list
	[ "$(cut -f1 <<< "$output" | tr '\n' ' ')" = "D00001 D00002 " ]
	run as boss formix-admin --tsv -H dealer list
	[ "$(cut -f1 <<< "$output" | tr '\n' ' ')" = "D00001 " ]
	run -1 --separate-stderr as boss formix-admin dealer show D00002
	[ "$stderr" = 'formix-admin: unknown dealer "D00002"' ]
}

@test "users: each actor sees the users it may manage, or only itself" {
	while read -r who want; do
		run --separate-stderr as "$who" formix-admin --tsv -H user list
		got=$(cut -f1 <<< "$output" | tr '\n' ' ' | sed 's/ $//')
		echo "$who: [$got] want [$want] $stderr"
		[ "$got" = "$want" ]
	done <<'TABLE'
- boss gone heademp other subemp
boss boss gone heademp subemp
heademp heademp
subemp subemp
other other
TABLE
}

@test "staff-only commands refuse every dealer user" {
	for who in boss heademp subemp other; do
		run -77 --separate-stderr as "$who" formix-admin import "$DATA/cml/import.xml"
		[[ "$stderr" == "formix-admin: permission denied: user \"$who\" may not "* ]]
		run -77 --separate-stderr as "$who" formix-admin db stat
		run -77 --separate-stderr as "$who" formix-admin log
	done
}
