#!/usr/bin/env bats
# Identity from Unix: root and the staff group act as staff; any other
# Unix user acts as the formix user registered with its Unix login, and
# is refused if there is none or it is blocked.  Needs root (to run the
# tools as the unprivileged user "nobody"), which CI has.

load helpers

setup() {
	if [ "$(id -u)" -ne 0 ] || ! command -v runuser >/dev/null; then
		skip "needs root and runuser to act as another Unix user"
	fi
	# nobody must reach the store, and bats' own temporary folders are
	# private: the instance lives in a folder of its own, opened to all.
	unset FORMIX_CONF
	FXI=$(mktemp -d /tmp/formix-ident.XXXXXX)
	chmod 755 "$FXI"
	export FORMIX_ROOT="$FXI/inst"
	admin init "$FORMIX_ROOT" >/dev/null
	fx_load_fixtures
	chmod -R a+rwX "$FORMIX_ROOT"
	# ...and so are the built tools' folders, maybe: copy them.
	mkdir "$FXI/bin"
	cp "$FX_BIN/formix-stock" "$FX_BIN/formix-admin" "$FXI/bin/"
	chmod -R a+rX "$FXI/bin"
}

teardown() {
	[ -n "${FXI:-}" ] && rm -rf "$FXI"
}

as_nobody() {
	runuser -u nobody -- env FORMIX_ROOT="$FORMIX_ROOT" FORMIX_TODAY="$FORMIX_TODAY" "$@"
}

@test "an unregistered Unix user is refused" {
	run -77 --separate-stderr as_nobody "$FXI/bin/formix-stock" 27087-10
	[ "$stderr" = 'formix-stock: permission denied: Unix user "nobody" is not registered with formix' ]
}

@test "a registered Unix user acts as its formix user, and sees its prices" {
	admin user add nob --dealer D00001 --name "Nobody" --unix nobody --entity D00001-2 --perm order >/dev/null
	run as_nobody "$FXI/bin/formix-stock" --tsv -H -o net 27087-10
	[ "$status" -eq 0 ]
	[ "$output" = "900.00" ]
	run -1 --separate-stderr as_nobody "$FXI/bin/formix-stock" 27087-10 --entity D00001-1
	[ "$stderr" = 'formix-stock: unknown legal entity "D00001-1"' ]
	# Not staff: --as is refused, so are staff commands.
	run -77 --separate-stderr as_nobody "$FXI/bin/formix-admin" --as boss entity list
	[ "$stderr" = 'formix-admin: permission denied: only staff may act --as another user' ]
	run -77 --separate-stderr as_nobody "$FXI/bin/formix-admin" db stat
	[[ "$stderr" == 'formix-admin: permission denied: user "nob" may not '* ]]
}

@test "a blocked Unix user is refused from that moment" {
	admin user add nob --dealer D00001 --name "Nobody" --unix nobody --entity D00001-2 >/dev/null
	admin user add boss --dealer D00001 --name Boss --superuser >/dev/null
	admin user block nob --reason "уволился" >/dev/null
	run -77 --separate-stderr as_nobody "$FXI/bin/formix-stock" 27087-10
	[ "$stderr" = 'formix-stock: user "nob" is blocked: уволился' ]
}

@test "members of the staff group act as staff" {
	getent group formix >/dev/null || groupadd -r formix
	usermod -a -G formix nobody
	run as_nobody "$FXI/bin/formix-admin" --tsv -H entity list
	gpasswd -d nobody formix >/dev/null
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
}
