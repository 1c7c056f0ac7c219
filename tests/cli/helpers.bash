# Shared by the bats tests: each test gets its own instance under
# $BATS_TEST_TMPDIR; the built tools come from $FX_BIN (tests/local.am).

bats_require_minimum_version 1.5.0

: "${FX_BIN:?run the tests with make check}"
: "${FX_SRCDIR:?run the tests with make check}"
DATA="$FX_SRCDIR/tests/data"

# Deliveries are "to come" relative to this day, whenever the tests run.
export FORMIX_TODAY=2026-11-27

admin() { "$FX_BIN/formix-admin" "$@"; }
stock() { "$FX_BIN/formix-stock" "$@"; }

# A fresh instance; FORMIX_ROOT points at it.
fx_instance() {
	unset FORMIX_CONF
	export FORMIX_ROOT="$BATS_TEST_TMPDIR/inst"
	admin init "$FORMIX_ROOT" >/dev/null
}

# The small catalog, then conditions and deliveries if present.
fx_load_fixtures() {
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" 2>/dev/null
	if [ -f "$DATA/cond/conditions.xml" ]; then
		admin -q import "$DATA/cond/conditions.xml"
	fi
	if [ -f "$DATA/cond/deliveries.xml" ]; then
		admin -q import "$DATA/cond/deliveries.xml"
	fi
}

# Dump the whole store to a file (to prove that a refusal changed nothing).
fx_dump() {
	admin db dump > "$1"
}

# The count of one kind from db stat --json.
fx_count() {
	admin db stat --json | "${PYTHON3:-python3}" -c \
	    'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# ../shared, when the tests run beside it (CI has it, a fresh clone not).
fx_need_shared() {
	if [ ! -d "$FX_SHARED/samples/commerceml" ]; then
		skip "../shared is not here (a fresh clone): conformance needs it"
	fi
}

# Add "key: value" to a section of the instance's formix.yaml.
fx_conf_add() {
	if grep -q "^$1:\$" "$FORMIX_ROOT/formix.yaml"; then
		sed -i "s|^$1:\$|$1:\n  $2|" "$FORMIX_ROOT/formix.yaml"
	else
		printf '%s:\n  %s\n' "$1" "$2" >> "$FORMIX_ROOT/formix.yaml"
	fi
}

# xlsx_is_csv XLSX CSV SHEET MONEYCOLS [FILTER]: the workbook, read by
# openpyxl, holds the CSV's cells (MONEYCOLS: 0-based columns of kopecks,
# printed with two decimals in the CSV, "# ##0.00" in the workbook),
# numbers as numbers, text as text; the header bold and frozen, and the
# filter over FILTER when given.
xlsx_is_csv() {
	if ! "${PYTHON3:-python3}" -c 'import openpyxl' 2>/dev/null; then
		[ "${CI:-}" != true ] || { echo "CI: python3-openpyxl missing" >&2; return 1; }
		skip "python3-openpyxl missing"
	fi
	"${PYTHON3:-python3}" - "$@" <<'PY'
import csv, sys, openpyxl
path, cpath, title, money = sys.argv[1:5]
money = {int(c) for c in money.split(",") if c}
ws = openpyxl.load_workbook(path).worksheets[0]
assert ws.title == title, ws.title
assert ws.freeze_panes == "A2", ws.freeze_panes
if len(sys.argv) > 5:
    assert ws.auto_filter.ref == sys.argv[5], ws.auto_filter.ref
want = list(csv.reader(open(cpath, encoding="utf-8-sig"), delimiter=";"))
got = list(ws.iter_rows(values_only=True))
assert len(got) == len(want), (len(got), len(want))
for r, (g, w) in enumerate(zip(got, want)):
    g = list(g) + [None] * (len(w) - len(g))
    for c, (x, y) in enumerate(zip(g, w)):
        if isinstance(x, (int, float)) and r > 0:
            if c in money:
                assert ws.cell(r + 1, c + 1).number_format == "# ##0.00"
                x = "%.2f" % x
            else:
                x = "%g" % x
        x = "" if x is None else x
        assert x == y, (r, c, x, y)
assert ws["A1"].font.b
PY
}
