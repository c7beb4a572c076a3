#!/bin/bash
# make install puts the controller and both man pages where PREFIX and
# DESTDIR say, the installed binary runs, and the man pages render cleanly.
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
n=0
check() { # NAME COMMAND...
	local name=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n - install: $name"
	else
		echo "not ok $n - install: $name"
		printf '%s\n' "$out" | sed 's/^/#   /' | head -20
	fi
}
check "make install DESTDIR=... PREFIX=/usr" make -s install DESTDIR="$dest" PREFIX=/usr
check "bulwark installed in sbin and runs" "$dest/usr/sbin/bulwark" version
for page in man8/bulwark.8 man5/bulwark-policy.5; do
	check "$page installed" test -s "$dest/usr/share/man/$page"
	# groff's warnings (bad macros, unknown escapes) go to stderr.
	check "$page renders without warnings" bash -c \
		"out=\$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l '$dest/usr/share/man/$page' 2>&1 >/dev/null); [ -z \"\$out\" ] || { echo \"\$out\"; exit 1; }"
done
echo "1..$n"
