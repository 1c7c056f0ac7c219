#!/usr/bin/env bats
# Who sees which receivables, as tables: staff, the head company's
# superuser, head employees with the ar, order or claim permission only, a
# subsidiary's employee with ar, a blocked employee, another dealer's
# superuser; against report, report --entity, check and statement.  Every
# cell is asserted, and nothing anyone tried changed the store.
#
# Dealer D00001: D00001-1 the head, D00001-2 and D00001-3 its
# subsidiaries.  Dealer D00002: D00002-1.  The ledger is
# tests/data/ar/ledger.xml: D00001-1 and D00001-3 are blocked.

load helpers

setup_file() {
	export FORMIX_ROOT="$BATS_FILE_TMPDIR/inst"
	unset FORMIX_CONF
	admin init "$FORMIX_ROOT" >/dev/null
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" "$DATA/cond/conditions.xml" "$DATA/ar/ledger.xml" 2>/dev/null
	admin user add boss --dealer D00001 --name "Суперпользователь" --superuser >/dev/null
	admin user add arhead --dealer D00001 --name "Бухгалтер головной" --entity D00001-1 --perm ar >/dev/null
	admin user add ordhead --dealer D00001 --name "Снабженец головной" --entity D00001-1 --perm order >/dev/null
	admin user add claimhead --dealer D00001 --name "Рекламации" --entity D00001-1 --perm claim >/dev/null
	admin user add arsub --dealer D00001 --name "Бухгалтер дочерней" --entity D00001-2 --perm ar >/dev/null
	admin user add gone --dealer D00001 --name "Уволенный" --entity D00001-1 --perm all >/dev/null
	admin user block gone --reason "уволился" >/dev/null
	admin user add other --dealer D00002 --name "Чужой дилер" --superuser >/dev/null
	admin db dump > "$BATS_FILE_TMPDIR/before"
}

setup() {
	export FORMIX_ROOT="$BATS_FILE_TMPDIR/inst"
}

teardown_file() {
	admin db dump > "$BATS_FILE_TMPDIR/after"
	cmp "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after"
}

# as ACTOR ARGS...: formix-ar as staff (ACTOR "-") or --as ACTOR.
as() {
	local who=$1
	shift
	if [ "$who" = - ]; then
		"$FX_BIN/formix-ar" "$@"
	else
		"$FX_BIN/formix-ar" --as "$who" "$@"
	fi
}

# The refusal each kind of cell expects.
refused() {
	local who=$1 e=$2 want=$3
	case "$want" in
	no)	[ "$status" -eq 1 ]
		[ "$stderr" = "formix-ar: unknown legal entity \"$e\"" ] ;;
	perm)	[ "$status" -eq 77 ]
		[[ "$stderr" == "formix-ar: permission denied: user \"$who\" may not see receivables of "* ]] ;;
	blk)	[ "$status" -eq 77 ]
		[ "$stderr" = 'formix-ar: user "gone" is blocked: уволился' ] ;;
	*)	return 1 ;;
	esac
}

@test "report: each actor gets exactly its entities, heads with their totals" {
	while read -r who want; do
		run --separate-stderr as "$who" --tsv -H -o entity,row report
		got=$(tr '\t\n' ': ' <<< "$output" | sed 's/ $//')
		echo "$who: status $status, got [$got], want [$want] $stderr"
		case "$want" in
		PERM)	[ "$status" -eq 77 ]
			[ "$stderr" = "formix-ar: permission denied: user \"$who\" may not see receivables" ] ;;
		BLOCKED) [ "$status" -eq 77 ]
			[ "$stderr" = 'formix-ar: user "gone" is blocked: уволился' ] ;;
		*)	[ "$status" -eq 0 ]
			[ "$got" = "$want" ] ;;
		esac
	done <<'TABLE'
- D00001-1:entity D00001-2:entity D00001-3:entity D00001-1:total D00002-1:entity
boss D00001-1:entity D00001-2:entity D00001-3:entity D00001-1:total
arhead D00001-1:entity D00001-2:entity D00001-3:entity D00001-1:total
ordhead PERM
claimhead PERM
arsub D00001-2:entity
gone BLOCKED
other D00002-1:entity
TABLE
}

@test "report --entity: every actor against every entity" {
	# ok: the rows of that entity (with subsidiaries and total for the
	# head, as far as the actor sees them).
	while read -r who c1 c2 c3 c4; do
		col=0
		for e in D00001-1 D00001-2 D00001-3 D00002-1; do
			col=$((col + 1))
			eval "want=\$c$col"
			run --separate-stderr as "$who" --tsv -H -o entity report --entity "$e"
			echo "$who $e: want $want, status $status, [$output] $stderr"
			case "$want" in
			ok)	[ "$status" -eq 0 ]
				[ "${lines[0]}" = "$e" ] ;;
			*)	refused "$who" "$e" "$want" ;;
			esac
		done
	done <<'TABLE'
- ok ok ok ok
boss ok ok ok no
arhead ok ok ok no
ordhead perm perm perm no
claimhead perm perm perm no
arsub no ok no no
gone blk blk blk blk
other no no no ok
TABLE
	# The head's report shows the actor's view of its subsidiaries.
	run as arhead --tsv -H -o entity report -e 7701123451/770101001
	[ "$(tr '\n' ' ' <<< "$output")" = "D00001-1 D00001-2 D00001-3 D00001-1 " ]
}

@test "check: the ar or the order permission; the verdict is the same for all" {
	# B: blocked (exit 1), O: may order (exit 0).
	while read -r who c1 c2 c3 c4; do
		col=0
		for e in D00001-1 D00001-2 D00001-3 D00002-1; do
			col=$((col + 1))
			eval "want=\$c$col"
			run --separate-stderr as "$who" check "$e"
			echo "$who $e: want $want, status $status, [$output] $stderr"
			case "$want" in
			B)	[ "$status" -eq 1 ]
				[[ "$stderr" == "formix-ar: ordering blocked: overdue "* ]] ;;
			O)	[ "$status" -eq 0 ]
				[[ "$output" == "may order: "* ]] ;;
			*)	refused "$who" "$e" "$want" ;;
			esac
		done
	done <<'TABLE'
- B O B O
boss B O B no
arhead B O B no
ordhead B O B no
claimhead perm perm perm no
arsub no O no no
gone blk blk blk blk
other no no no O
TABLE
}

@test "statement and the documents: the ar permission, visible entities only" {
	while read -r who c1 c2 c3 c4; do
		col=0
		for e in D00001-1 D00001-2 D00001-3 D00002-1; do
			col=$((col + 1))
			eval "want=\$c$col"
			run --separate-stderr as "$who" --tsv -H -o kind statement -e "$e" --from 2026-01-01 --to 2026-11-27
			echo "$who $e: want $want, status $status, $stderr"
			case "$want" in
			ok)	[ "$status" -eq 0 ]
				[ "${lines[0]}" = opening ] ;;
			*)	refused "$who" "$e" "$want" ;;
			esac
		done
	done <<'TABLE'
- ok ok ok ok
boss ok ok ok no
arhead ok ok ok no
ordhead perm perm perm no
arsub no ok no no
other no no no ok
TABLE
	run as arsub --tsv -H -d -o entity,id report
	[ "$output" = "$(printf 'D00001-2\tR-201')" ]
}

@test "another dealer's entity is unknown by INN too, and its workbook is never written" {
	mkdir "$BATS_TEST_TMPDIR/out"
	run -1 --separate-stderr as other report -e 7701123451/770101001 -o "$BATS_TEST_TMPDIR/out/x.xlsx"
	[ "$stderr" = 'formix-ar: unknown legal entity "7701123451/770101001"' ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/out")" ]
}
