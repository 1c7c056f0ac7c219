#!/usr/bin/env bats
# formix-admin init, db stat, config, and the common options.

load helpers

@test "init creates formix.yaml, the store and the spool tree" {
	run admin init "$BATS_TEST_TMPDIR/i"
	[ "$status" -eq 0 ]
	[ "$output" = "initialised $BATS_TEST_TMPDIR/i" ]
	[ -f "$BATS_TEST_TMPDIR/i/formix.yaml" ]
	[ -f "$BATS_TEST_TMPDIR/i/db/data.mdb" ]
	for d in 1c/in 1c/out dealers mail/new queue/incoming queue/active \
	    queue/deferred queue/done queue/corrupt attachments tmp; do
		[ -d "$BATS_TEST_TMPDIR/i/spool/$d" ]
	done
}

@test "init refuses an existing instance" {
	admin init "$BATS_TEST_TMPDIR/i" >/dev/null
	run -73 --separate-stderr admin init "$BATS_TEST_TMPDIR/i"
	[ "$stderr" = "formix-admin: $BATS_TEST_TMPDIR/i is already an instance (formix.yaml exists)" ]
}

@test "db stat on a new instance lists every kind at zero" {
	fx_instance
	run admin db stat --json
	[ "$status" -eq 0 ]
	echo "$output" | "${PYTHON3:-python3}" -c '
import json, sys
d = json.load(sys.stdin)
for k in ["groups","products","price_types","prices","warehouses","stock",
          "deliveries","dealers","entities","discounts"]:
    assert d[k] == 0, k
assert d["map_size"] > 0
'
	run admin db stat
	[ "${lines[0]}" = "groups       0" ]
	[ "${lines[9]}" = "discounts    0" ]
}

@test "the instance is found by -D, then FORMIX_ROOT" {
	admin init "$BATS_TEST_TMPDIR/a" >/dev/null
	unset FORMIX_ROOT
	run admin -D "$BATS_TEST_TMPDIR/a" db stat
	[ "$status" -eq 0 ]
	FORMIX_ROOT="$BATS_TEST_TMPDIR/a" run admin db stat
	[ "$status" -eq 0 ]
	run -66 --separate-stderr admin -D "$BATS_TEST_TMPDIR/nowhere" db stat
	[[ "$stderr" == "formix-admin: instance $BATS_TEST_TMPDIR/nowhere (use -D DIR or FORMIX_ROOT, or create one with formix-admin init): No such file or directory" ]]
}

@test "config prints the effective values and -c overrides the file" {
	fx_instance
	run admin config
	[ "$status" -eq 0 ]
	[[ "$output" == *"retail_price_type"* ]]
	printf 'catalog:\n  base_price_type: "Базовая"\n' > "$BATS_TEST_TMPDIR/c.yaml"
	run admin -c "$BATS_TEST_TMPDIR/c.yaml" config
	[[ "$output" == *"Базовая"* ]]
	FORMIX_CONF="$BATS_TEST_TMPDIR/c.yaml" run admin config
	[[ "$output" == *"Базовая"* ]]
}

@test "a configuration error names file, line and column" {
	fx_instance
	printf 'store:\n  map_sise: 1MiB\n' > "$BATS_TEST_TMPDIR/bad.yaml"
	run -78 --separate-stderr admin -c "$BATS_TEST_TMPDIR/bad.yaml" db stat
	[ "$stderr" = "formix-admin: $BATS_TEST_TMPDIR/bad.yaml:2:3: unknown key \"map_sise\" in section \"store\"" ]
}

@test "usage errors exit 64 with a hint, --help and --version exit 0" {
	run -64 --separate-stderr admin frobnicate
	[ "${stderr_lines[0]}" = "formix-admin: unknown command \"frobnicate\"" ]
	[ "${stderr_lines[1]}" = "try 'formix-admin --help'" ]
	run -64 admin
	run admin --help
	[ "$status" -eq 0 ]
	[[ "$output" == Usage:* ]]
	run admin --version
	[ "$output" = "formix-admin (formix) 0.1" ]
}
