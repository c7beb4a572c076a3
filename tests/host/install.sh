#!/bin/bash
# make install puts the controller, bulwarkd, its unit and the man pages
# where PREFIX and DESTDIR say, the installed binaries run, the unit names
# the installed daemon, and the man pages render cleanly.
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
check "bulwarkd installed in sbin and refuses a bad option" bash -c \
	"'$dest/usr/sbin/bulwarkd' --no-such-option 2>&1; [ \$? -eq 2 ]"
check "the unit runs the installed bulwarkd" \
	grep -qx 'ExecStart=/usr/sbin/bulwarkd' "$dest/usr/lib/systemd/system/bulwarkd.service"
check "the unit passes systemd-analyze verify" bash -c \
	"out=\$(systemd-analyze verify --man=no '$dest/usr/lib/systemd/system/bulwarkd.service' 2>&1 | grep -v 'bulwarkd: No such\|Command /usr/sbin/bulwarkd'); [ -z \"\$out\" ] || { echo \"\$out\"; exit 1; }"
check "the policy directory is installed" test -d "$dest/etc/bulwark/policies.d"
check "dpkg runs tell bulwarkd to reload" \
	grep -q '^post-invoke=.*systemctl --no-block reload bulwarkd.service' "$dest/etc/dpkg/dpkg.cfg.d/bulwark"
for page in man8/bulwark.8 man8/bulwarkd.8 man5/bulwark-policy.5; do
	check "$page installed" test -s "$dest/usr/share/man/$page"
	# groff's warnings (bad macros, unknown escapes) go to stderr.
	check "$page renders without warnings" bash -c \
		"out=\$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l '$dest/usr/share/man/$page' 2>&1 >/dev/null); [ -z \"\$out\" ] || { echo \"\$out\"; exit 1; }"
done
echo "1..$n"
