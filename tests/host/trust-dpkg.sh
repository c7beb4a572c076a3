#!/bin/bash
# `trust: dpkg` verifies what it trusts against dpkg's own records: on a
# package installed here by dpkg into a database of the test's own, a file
# changed after install is reported and not trusted, and dpkg --verify names
# the same file; on this machine's whole database, the files bulwark reports
# are exactly the executables and shared objects `dpkg --verify` finds
# changed, conffiles included (their md5s are in dpkg's status file).
# Nothing here enforces. Prints TAP.
repo=$(cd "$(dirname "$0")/../.." && pwd)
bulwark=$repo/build/bulwark
w=$(mktemp -d /tmp/bulwark-trust-host.XXXXXX)
trap 'rm -rf "$w"' EXIT
export BULWARK_DIGEST_CACHE=$w/digests
n=0
result() { # NAME OK [DETAIL]
	n=$((n + 1))
	if [ "$2" = 0 ]; then echo "ok $n - host: $1"; else echo "not ok $n - host: $1"; printf '# %s\n' "$3"; fi
}
echo "1..5"
cat > "$w/p.yaml" <<'POLICY'
apiVersion: bulwark/v1
kind: Policy
metadata: {name: image}
spec:
  selector: {host: true}
  exec: {default: deny, allow: [{trust: dpkg}]}
POLICY

# reported PATHS...: the files a check of the policy says differ from dpkg's md5sums.
reported() {
	sed -n 's/.*: warning: \(.*\) (package [^)]*): not trusted: its content differs.*/\1/p' "$1" | sort -u
}

"$repo/tests/conformance/fixtures/dpkg-install" "$w/db" bulwark-trust-host 1 \
	"$w/app/prog=/usr/bin/true" "$w/app/lib.so=/usr/bin/true" "$w/app/kept=/usr/bin/true" \
	"conffile:$w/app/hook=/usr/bin/true" "conffile:$w/app/edited=/usr/bin/true"
printf '\0' >> "$w/app/lib.so"
printf '\0' >> "$w/app/edited"
DPKG_ADMINDIR=$w/db "$bulwark" check "$w/p.yaml" > "$w/out" 2>&1
rc=$?
got=$(reported "$w/out")
result "a file (and a conffile) changed after dpkg installed it is reported and not trusted" \
	$([ $rc = 0 ] && [ "$got" = "$(printf '%s\n' "$w/app/edited" "$w/app/lib.so")" ] &&
		grep -q '^ok: 1 policy, 3 rules, 2 warnings$' "$w/out"; echo $?) \
	"$(cat "$w/out")"
verified=$(dpkg --admindir="$w/db" --verify 2> /dev/null | awk '$1 ~ /^..5/ {print $NF}' | sort)
result "dpkg --verify names the same files" $([ "$verified" = "$got" ]; echo $?) "$verified"
DPKG_ADMINDIR=$w/db "$bulwark" compile -o "$w/image" "$w/p.yaml" > /dev/null 2>&1
shown=$("$bulwark" show "$w/image" | grep -c 'sha256: ')
result "trusted files are pinned to the content that was verified" $([ "$shown" = 3 ]; echo $?) \
	"$("$bulwark" show "$w/image")"

start=$(date +%s)
"$bulwark" check "$w/p.yaml" > "$w/whole" 2>&1
rc=$?
seconds=$(($(date +%s) - start))
reported "$w/whole" > "$w/bulwark.txt"
dpkg --verify 2> /dev/null | awk '$1 ~ /^..5/ {print $NF}' |
	while read -r f; do
		[ -f "$f" ] && [ ! -L "$f" ] || continue
		case "$f" in *.so | *.so.*) ;; *) [ -x "$f" ] || continue ;; esac
		readlink -f "$f"
	done | sort -u > "$w/dpkg.txt"
result "on the whole database the changed files are those dpkg --verify finds ($(grep -o '[0-9]* rules' "$w/whole") trusted, $(wc -l < "$w/bulwark.txt") changed, ${seconds} s cold)" \
	$([ $rc = 0 ] && cmp -s "$w/bulwark.txt" "$w/dpkg.txt"; echo $?) \
	"$(tail -2 "$w/whole"; diff "$w/bulwark.txt" "$w/dpkg.txt")"

# A database written by hand, as dpkg keeps it: p's conffile has a space in
# its name and flags after its md5; q once shipped the same path and keeps
# an obsolete record of it with another md5. p's own record decides.
mkdir -p "$w/db2/info" "$w/app2"
cp /usr/bin/true "$w/app2/sp ace"
sum=$(md5sum < "$w/app2/sp ace" | cut -d' ' -f1)
printf '%s\n' "$w/app2/sp ace" > "$w/db2/info/p.list"
: > "$w/db2/info/q.list"
cat > "$w/db2/status" <<STATUS
Package: q
Status: install ok installed
Architecture: all
Version: 1
Conffiles:
 $w/app2/sp ace 00000000000000000000000000000000 obsolete

Package: p
Status: install ok installed
Architecture: all
Version: 1
Conffiles:
 $w/app2/sp ace $sum remove-on-upgrade

STATUS
DPKG_ADMINDIR=$w/db2 "$bulwark" check "$w/p.yaml" > "$w/out2" 2>&1
result "a conffile is checked against its own package's record, whatever its name holds" \
	$(grep -q '^ok: 1 policy, 1 rules$' "$w/out2"; echo $?) "$(cat "$w/out2")"
