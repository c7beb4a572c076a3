#!/bin/bash
# Golden tests of the compiler, run on the build machine (no kernel needed):
#   tests/golden/NAME.yaml      -> NAME.show (bulwark show) and NAME.json
#   tests/golden/bad-NAME.yaml  -> bad-NAME.err (what bulwark check prints)
# and, for every good input: the same input compiles to the same bytes;
# show's YAML compiles again to an image with the same meaning (same show
# output but for rule numbers); compile writes nothing when input is bad.
# BULWARK_GOLDEN_UPDATE=1 rewrites the expected files instead of comparing.
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 2
bulwark=build/bulwark
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - golden: $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - golden: $1"; [ -z "${2:-}" ] || sed 's/^/#   /' "$2" | head -40; }

# compare NAME EXPECTED ACTUAL
compare() {
	if [ "${BULWARK_GOLDEN_UPDATE:-}" = 1 ]; then
		cp "$3" "$2"
		ok "$1 (updated $2)"
	elif diff -u "$2" "$3" > "$tmp/diff"; then
		ok "$1"
	else
		not_ok "$1" "$tmp/diff"
	fi
}

# Rule numbers and the image's size and checksum depend on input order.
strip_ids() { sed -e 's/  # rule [0-9]*$//' -e '/^# /d' "$1"; }

# No package lookups against this host's dpkg in golden output.
export BULWARK_DPKG_INFO_DIR=tests/golden/no-dpkg

for yaml in tests/golden/*.yaml; do
	name=$(basename "$yaml" .yaml)
	case "$name" in
	bad-*)
		"$bulwark" check "$yaml" > /dev/null 2> "$tmp/err"
		rc=$?
		if [ $rc = 1 ]; then ok "$name: check exits 1"; else not_ok "$name: check exits 1 (got $rc)"; fi
		compare "$name: errors" "tests/golden/$name.err" "$tmp/err"
		echo "previous image" > "$tmp/out.img"
		"$bulwark" compile -o "$tmp/out.img" "$yaml" 2> /dev/null
		rc=$?
		if [ $rc = 1 ] && [ "$(cat "$tmp/out.img")" = "previous image" ] &&
			[ "$(ls "$tmp" | grep -c '^out.img')" = 1 ]; then
			ok "$name: compile fails and leaves the old image untouched"
		else
			not_ok "$name: compile fails and leaves the old image untouched (exit $rc)"
		fi
		;;
	*)
		"$bulwark" compile -o "$tmp/a.img" "$yaml" 2> "$tmp/err" &&
			"$bulwark" compile -o "$tmp/b.img" "$yaml" 2>> "$tmp/err"
		if cmp -s "$tmp/a.img" "$tmp/b.img"; then ok "$name: compiles, to the same bytes twice"
		else not_ok "$name: compiles, to the same bytes twice" "$tmp/err"; fi
		"$bulwark" show "$tmp/a.img" > "$tmp/show" 2>&1
		compare "$name: show" "tests/golden/$name.show" "$tmp/show"
		"$bulwark" show --json "$tmp/a.img" > "$tmp/json" 2>&1
		compare "$name: show --json" "tests/golden/$name.json" "$tmp/json"
		"$bulwark" compile -o "$tmp/c.img" "$tmp/show" 2> "$tmp/err" &&
			"$bulwark" show "$tmp/c.img" > "$tmp/show2"
		strip_ids "$tmp/show" > "$tmp/show.meaning"
		strip_ids "$tmp/show2" > "$tmp/show2.meaning" 2> /dev/null
		if [ -s "$tmp/show.meaning" ] && cmp -s "$tmp/show.meaning" "$tmp/show2.meaning"; then
			ok "$name: round trip yaml -> image -> show -> image keeps the meaning"
		else
			diff -u "$tmp/show.meaning" "$tmp/show2.meaning" >> "$tmp/err"
			not_ok "$name: round trip yaml -> image -> show -> image keeps the meaning" "$tmp/err"
		fi
		;;
	esac
done
echo "1..$n"
