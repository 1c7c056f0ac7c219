#!/usr/bin/env bats
# Dealer conditions and incoming deliveries (formix XML) through
# formix-admin import: counts, incremental files, and every bad file.

load helpers

setup() {
	fx_instance
	admin -q import "$DATA/cml/import.xml" "$DATA/cml/offers.xml" 2>/dev/null
	C="$DATA/cond"
}

@test "conditions import: dealers, entities, discounts, as-of" {
	run admin import "$C/conditions.xml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"dealers 2, entities 4, discounts 6,"* ]]
	[ "$(fx_count dealers)" -eq 2 ]
	[ "$(fx_count entities)" -eq 4 ]
	[ "$(fx_count discounts)" -eq 6 ]
	admin db stat | grep -q 'conditions 2026-03-01T09:00:00'
	admin db dump > "$BATS_TEST_TMPDIR/d"
	# Discount percents are hundredths, limits kopecks.
	grep -qx 'discounts D00001-1|g-keys 0=1225' "$BATS_TEST_TMPDIR/d"
	grep -q '^entities D00001-1 .* 10=50000000 ' "$BATS_TEST_TMPDIR/d"
	grep -qx 'idx_inn 770123456703 D00001-3' "$BATS_TEST_TMPDIR/d"
}

@test "an incremental conditions file updates only what it lists" {
	admin -q import "$C/conditions.xml"
	run admin import "$C/conditions-incr.xml"
	[ "$status" -eq 0 ]
	[ "$(fx_count dealers)" -eq 3 ]
	[ "$(fx_count entities)" -eq 5 ]
}

@test "windows-1251 conditions read the same as UTF-8" {
	run admin import "$C/conditions-cp1251.xml"
	[ "$status" -eq 0 ]
	[ "$(fx_count entities)" -gt 0 ]
}

@test "deliveries import, by Ид and by article, and incremental changes" {
	run admin import "$C/deliveries.xml"
	[ "$status" -eq 0 ]
	[ "$(fx_count deliveries)" -eq 3 ]
	admin db dump > "$BATS_TEST_TMPDIR/d"
	# p-1 twice in IN-0001 (by Ид, and by an article typed with an en dash).
	grep -q '^delivery_lines p-1|2026-12-10|IN-0001 0=15000 ' "$BATS_TEST_TMPDIR/d"
	run admin import "$C/deliveries-incr.xml"
	[ "$status" -eq 0 ]
	admin db dump > "$BATS_TEST_TMPDIR/d"
	grep -q '^delivery_lines p-1|2026-12-12|IN-0001 ' "$BATS_TEST_TMPDIR/d"
	! grep -q '^delivery_lines p-1|2026-12-10|IN-0001 ' "$BATS_TEST_TMPDIR/d"
	! grep -q '^deliveries IN-0002 ' "$BATS_TEST_TMPDIR/d"
	grep -q '^deliveries IN-0004 ' "$BATS_TEST_TMPDIR/d"
}

@test "every bad conditions or deliveries file: one line, exit 65, nothing changed" {
	admin -q import "$C/conditions.xml" "$C/deliveries.xml"
	fx_dump "$BATS_TEST_TMPDIR/before"
	while IFS='|' read -r file want; do
		[ -n "$file" ] || continue
		run -65 --separate-stderr admin import "$C/$file"
		if [[ "$want" == *'...' ]]; then
			[[ "$stderr" == "formix-admin: $C/$file${want%...}"* ]] || { echo "$file: $stderr"; return 1; }
		else
			[ "$stderr" = "formix-admin: $C/$file$want" ] || { echo "$file: got: $stderr"; echo "want: $want"; return 1; }
		fi
	done <<'LIST'
conditions-bad-inn.xml|:4: entity "D1-1": INN "7707083895" has a wrong check digit
conditions-bad-inn-length.xml|:4: entity "D1-1": INN "7707083894x" must be 10 or 12 digits
conditions-bad-kpp.xml|:4: entity "D1-1": KPP "12345" must be 9 characters (NNNNPPNNN)
conditions-no-kpp.xml|:4: entity "D1-1": KPP is required with a 10-digit INN "7707083893"
conditions-no-inn.xml|:4: entity "D1-1": missing attribute "inn"
conditions-unknown-group.xml|:6: entity "D1-1": unknown group "g-nope"
conditions-unknown-pricetype.xml|:4: entity "D1-1": unknown price type "pt-nope"
conditions-dup-entity.xml|:5: entity "D1-1": listed twice (first at line 4)
conditions-dup-dealer.xml|:6: dealer "D1": listed twice (first at line 3)
conditions-dup-inn-kpp.xml|:5: entity "D1-2": INN "7707083893" KPP "773601001" is already entity "D1-1"
conditions-head-nowhere.xml|:5: entity "D1-2": unknown head entity "D9-9"
conditions-head-other-dealer.xml|:7: entity "D2-1": head "D1-1" belongs to dealer "D1"
conditions-head-self.xml|:4: entity "D1-1": head is the entity itself
conditions-negative-limit.xml|:4: entity "D1-1": credit-limit "-1000.00" must not be negative
conditions-three-decimals.xml|:4: entity "D1-1": credit-limit "1000.005" has more than two decimals
conditions-pct-decimals.xml|:5: entity "D1-1": percent "4.125" has more than two decimals
conditions-pct-range.xml|:4: entity "D1-1": default-discount "100.01" must be between 0 and 100
conditions-bad-expiry.xml|:4: entity "D1-1": contract-expires "31.12.2027" is not a date (YYYY-MM-DD)
conditions-bad-days.xml|:4: entity "D1-1": payment-days "3651" must be a whole number from 0 to 3650
conditions-version2.xml|:2: formix-conditions: unsupported version "2" (this formix reads version 1)
conditions-wrong-root.xml|: not a 1C exchange file: root element "formix-dealers"
conditions-truncated.xml|:...
conditions-doctype.xml|:2: DOCTYPE refused: exchange files must not declare a DTD or entities
deliveries-bad-unknown-article.xml|:5: delivery "IN-1": unknown article "27087-11"
deliveries-bad-ambiguous-article.xml|:4: delivery "IN-1": ambiguous article "amb-1": 2 products
deliveries-bad-unknown-product.xml|:4: delivery "IN-1": unknown product "p-99"
deliveries-bad-qty-zero.xml|:4: delivery "IN-1": qty "0" must be greater than zero
deliveries-bad-date.xml|:3: delivery "IN-1": date "2026-02-30" is not a date (YYYY-MM-DD)
deliveries-bad-warehouse.xml|:3: delivery "IN-1": unknown warehouse "w-nope"
deliveries-bad-dup.xml|:6: delivery "IN-1": listed twice (first at line 3)
deliveries-bad-no-lines.xml|:3: delivery "IN-1": has no lines
deliveries-bad-version2.xml|:2: formix-deliveries: unsupported version "2" (this formix reads version 1)
deliveries-bad-truncated.xml|:...
LIST
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "conditions that name groups need the catalog first, in the same package or before" {
	fx_instance_empty() { rm -rf "$FORMIX_ROOT"; admin init "$FORMIX_ROOT" >/dev/null; }
	fx_instance_empty
	run -65 --separate-stderr admin import "$C/conditions.xml"
	[[ "$stderr" == *"unknown group"* || "$stderr" == *"unknown price type"* ]]
	# Given together, the catalog is applied first.
	run admin import "$C/conditions.xml" "$DATA/cml/offers.xml" "$DATA/cml/import.xml"
	[ "$status" -eq 0 ]
}

@test "employees come from 1C in the conditions file, and act at once" {
	run admin import "$C/conditions-employees.xml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"users 5,"* ]]
	run admin --tsv -H user list
	[ "$(cut -f1,6,7,12 <<< "$output" | tr '\t\n' ', ')" = "ivanov,yes,no,1c kozlov,yes,no,1c old.hand,no,yes,1c petrova,no,no,1c sidorov,no,no,1c " ]
	# petrova is attached to the head company: she sees its subsidiaries.
	run admin --as petrova --tsv -H entity list
	[ "$(cut -f1 <<< "$output" | tr '\n' ' ')" = "D00001-1 D00001-2 D00001-3 " ]
	run -77 --separate-stderr admin --as old.hand entity list
	[ "$stderr" = 'formix-admin: user "old.hand" is blocked: уволен 2026-02-28' ]
	# A bad employee refuses the whole file and changes nothing.
	fx_dump "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr admin import "$C/conditions-employee-email-taken.xml"
	[ "$stderr" = "formix-admin: $C/conditions-employee-email-taken.xml:6: employee \"kozlov\": e-mail \"ivanov.ii@mail.ru\" is already used by user \"ivanov\" of dealer \"D00001\"" ]
	fx_dump "$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}
