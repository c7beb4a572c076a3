#!/bin/bash
# bulwark status on the machine running the tests (not in a VM): whatever
# this machine can do, status must answer with one line per backend, one
# on what is enforced and one on bulwarkd, say why a backend is not usable, and exit 0 exactly
# when one is usable. On kernels without module support (our build
# machines) it must say so.
# Prints TAP.
repo=$(cd "$(dirname "$0")/../.." && pwd)
bulwark=$repo/build/bulwark
n=0
ok() { n=$((n + 1)); echo "ok $n - host: $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - host: $1"; printf '%s\n' "$out" | sed 's/^/#   /'; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

echo "1..5"
out=$("$bulwark" status 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
line_re='^(bpf|kmod): (usable|not usable): .+$'

check "status exits 0 or 1, not by a crash (exit $rc)" '[ $rc -le 1 ]'
check "status prints one line per backend, then what is enforced, then bulwarkd" \
	'[ "$(grep -c . <<< "$out")" = 4 ] && [ "$(grep -cE "$line_re" <<< "$out")" = 2 ] &&
	 grep -q "^bpf: " <<< "$out" && grep -q "^kmod: " <<< "$out" &&
	 [ "$(sed -n 3p <<< "$out")" = "enforcing: nothing" ] &&
	 [ "$(sed -n 4p <<< "$out")" = "daemon: bulwarkd not running" ]'
usable=$(grep -c ': usable: ' <<< "$out")
check "exit status is 0 exactly when a backend is usable ($usable usable)" \
	'{ [ "$usable" -gt 0 ] && [ $rc = 0 ]; } || { [ "$usable" = 0 ] && [ $rc = 1 ]; }'
if [ -e /proc/modules ]; then
	check "kernel has module support: kmod line gives a reason" 'grep -qE "^kmod: (usable|not usable): " <<< "$out"'
else
	check "kernel without module support: status says so" \
		'grep -q "^kmod: not usable: this kernel was built without loadable module support" <<< "$out"'
fi
out=$("$bulwark" status extra-argument 2>&1)
rc=$?
check "status refuses arguments it does not take (exit $rc)" '[ $rc = 2 ] && grep -q "^Usage:" <<< "$out"'
