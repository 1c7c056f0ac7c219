#!/usr/bin/env bats
# Users, permissions and blocking (formix-admin user ...), with the audit
# log; every refusal is one line, a documented status, and changes nothing.

load helpers

setup() {
	fx_instance
	fx_load_fixtures
	# A superuser for dealer D00001 (ООО "Промсервис" and subsidiaries).
	admin user add boss --dealer D00001 --name "Иван Петров" \
	    --email boss@promservis.ru --superuser >/dev/null
}

unchanged() {
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "staff add a user; show and list it in every format" {
	run admin user add ivanov --dealer D00001 --name "Сергей Иванов" \
	    --email Ivanov@Promservis.ru --phone "+7 383 000-00-00" \
	    --entity D00001-1 --perm order,claim
	[ "$status" -eq 0 ]
	[ "$output" = "added user ivanov" ]
	run admin --tsv -H user show ivanov
	[ "$status" -eq 0 ]
	# (cut, not read: read merges the empty fields a tab separates)
	f() { cut -f"$1" <<< "$output"; }
	[ "$(f 1)" = ivanov ]
	[ "$(f 2)" = "Сергей Иванов" ]
	[ "$(f 3)" = D00001 ]
	[ "$(f 4)" = D00001-1 ]
	[ "$(f 5)" = order,claim ]
	[ "$(f 6)" = no ]
	[ "$(f 7)" = no ]
	[ "$(f 8)" = "" ]
	[ "$(f 9)" = ivanov@promservis.ru ]
	[ "$(f 10)" = "+7 383 000-00-00" ]
	[ "$(f 12)" = formix ]
	run admin --json user list --dealer D00001
	[ "${#lines[@]}" -eq 2 ]
	echo "$output" | "${PYTHON3:-python3}" -c '
import json, sys
us = [json.loads(l) for l in sys.stdin]
assert [u["login"] for u in us] == ["boss", "ivanov"], us
assert us[0]["superuser"] == "yes"'
}

@test "a superuser manages the users of its own dealer only" {
	run admin --as boss user add petrova --dealer D00001 --name "Анна Петрова" \
	    --entity D00001-2 --perm order
	[ "$status" -eq 0 ]
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -77 --separate-stderr admin --as boss user add x --dealer D00002 --name X
	[ "$stderr" = 'formix-admin: permission denied: user "boss" may not manage users of dealer "Мастерснаб (Воронеж)"' ]
	unchanged
}

@test "an employee without the users permission may not manage users" {
	admin user add emp --dealer D00001 --name "Сотрудник" --entity D00001-1 --perm order >/dev/null
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -77 --separate-stderr admin --as emp user add x --dealer D00001 --name X
	[ "$stderr" = 'formix-admin: permission denied: user "emp" may not manage users of dealer "Промсервис (Новосибирск)"' ]
	run -77 --separate-stderr admin --as emp user block boss --reason x
	unchanged
	# ...but sees itself.
	run admin --as emp -H --tsv user list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == emp$'\t'* ]]
}

@test "set, attach, detach, block and unblock; each is in the audit log" {
	admin user add ivanov --dealer D00001 --name "Сергей Иванов" --entity D00001-1 --perm order >/dev/null
	run admin user set ivanov --perm order,claim,ar --phone 123
	[ "$status" -eq 0 ]
	run admin user attach ivanov D00001-2 D00001-3
	[ "$output" = "attached ivanov: 2 legal entities" ]
	run admin user detach ivanov D00001-3
	[ "$output" = "detached ivanov: 1 legal entity" ]
	run admin user block ivanov --reason "уволился"
	[ "$output" = "blocked ivanov" ]
	run admin --tsv -H user show ivanov
	[ "$(cut -f4 <<< "$output")" = "D00001-1 D00001-2" ]
	[ "$(cut -f5 <<< "$output")" = order,claim,ar ]
	[ "$(cut -f7 <<< "$output")" = yes ]
	[ "$(cut -f8 <<< "$output")" = "уволился" ]
	run admin user unblock ivanov
	[ "$output" = "unblocked ivanov" ]
	run admin --tsv -H log --object ivanov
	[ "$status" -eq 0 ]
	actions=$(cut -f4 <<< "$output" | tr '\n' ' ')
	[ "$actions" = "user.add user.set user.set user.attach user.detach user.block user.unblock " ]
	# who, old and new value
	grep -q $'\tstaff:root\tuser.set\tivanov\tperms\torder\torder,claim,ar$' <<< "$output"
}

@test "the log is staff-only" {
	run -77 --separate-stderr admin --as boss log
	[[ "$stderr" == 'formix-admin: permission denied: user "boss" may not '* ]]
}

@test "bad input: duplicate login, e-mail of another dealer's user, another dealer's entity" {
	admin user add other --dealer D00002 --name "Чужой" --email x@master.ru >/dev/null
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr admin user add boss --dealer D00001 --name Y
	[ "$stderr" = 'formix-admin: login "boss" is taken' ]
	run -65 --separate-stderr admin user add y --dealer D00001 --name Y --email X@Master.ru
	[ "$stderr" = 'formix-admin: e-mail "x@master.ru" is already used by a user of another dealer' ]
	run -65 --separate-stderr admin user add y --dealer D00001 --name Y --entity D00002-1
	[ "$stderr" = 'formix-admin: legal entity "D00002-1" belongs to another dealer' ]
	run -65 --separate-stderr admin user attach boss D00002-1
	[ "$stderr" = 'formix-admin: legal entity "D00002-1" belongs to another dealer' ]
	run -65 --separate-stderr admin user add "Bad Login" --dealer D00001 --name Y
	[[ "$stderr" == 'formix-admin: login "Bad Login" '* ]]
	run -65 --separate-stderr admin user add y --dealer D00001 --name Y --email not-an-address
	[[ "$stderr" == 'formix-admin: e-mail "not-an-address" '* ]]
	run -1 --separate-stderr admin user add y --dealer D09999 --name Y
	[ "$stderr" = 'formix-admin: unknown dealer "D09999"' ]
	run -64 --separate-stderr admin user add y --dealer D00001 --name Y --perm order,fly
	unchanged
}

@test "the last superuser cannot block itself or drop the flag" {
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr admin --as boss user block boss --reason "ухожу"
	[ "$stderr" = 'formix-admin: "boss" is the last superuser of dealer "Промсервис (Новосибирск)": make another superuser first' ]
	run -65 --separate-stderr admin user set boss --superuser=no
	[ "$stderr" = 'formix-admin: "boss" is the last superuser of dealer "Промсервис (Новосибирск)": make another superuser first' ]
	unchanged
	# With a second superuser it may.
	admin user add boss2 --dealer D00001 --name "Второй" --superuser >/dev/null
	run admin --as boss user block boss --reason "ухожу"
	[ "$status" -eq 0 ]
}

@test "a blocked user can do nothing from that moment" {
	admin user add ivanov --dealer D00001 --name I --entity D00001-1 --perm order >/dev/null
	admin user block ivanov --reason "уволился" >/dev/null
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -77 --separate-stderr admin --as ivanov entity list
	[ "$stderr" = 'formix-admin: user "ivanov" is blocked: уволился' ]
	run -77 --separate-stderr stock --as ivanov 27087-10
	[ "$stderr" = 'formix-stock: user "ivanov" is blocked: уволился' ]
	unchanged
	# Everyone else keeps working with the same entity.
	run admin --as boss entity show D00001-1
	[ "$status" -eq 0 ]
}

@test "an unknown --as login, and --as by a dealer user, are refused" {
	run -1 --separate-stderr admin --as nobody-here entity list
	[ "$stderr" = 'formix-admin: unknown user "nobody-here"' ]
}
