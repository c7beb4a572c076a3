#!/bin/bash
# The bulwark package `make deb` left in build/deb (beside bulwark-dkms,
# which tests/host/dkms.sh checks): its dependencies are the runtime
# libraries, it ships the CLI, bulwarkd, the unit (not enabled on install),
# every man page and the example policies, its maintainer scripts stop the
# service and unload on remove and clear /etc/bulwark on purge, and lintian
# has nothing to say about either package. Prints TAP.
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 2
version=$(dkms/stage --version)
deb=build/deb/bulwark_${version}_$(dpkg --print-architecture).deb
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - deb: $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - deb: $1"; [ -z "${2:-}" ] || sed 's/^/#   /' <<< "$2"; }
check() { # NAME CMD...
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}

if [ ! -s "$deb" ]; then
	not_ok "make deb built $deb (run make deb)"
	echo "1..$n"
	exit 0
fi
ok "make deb built $deb"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libbpf1 libnl-genl-3-200 libyaml-0-2 libsystemd0 libcap-ng0; do
	check "depends on $lib (shlibs)" grep -q "$lib" <<< "$depends"
done
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$tmp/files"
for f in /usr/sbin/bulwark /usr/sbin/bulwarkd /lib/systemd/system/bulwarkd.service \
	/usr/share/man/man8/bulwark.8.gz /usr/share/man/man8/bulwarkd.8.gz \
	/usr/share/man/man5/bulwark-policy.5.gz /etc/bulwark/policies.d/ /etc/dpkg/dpkg.cfg.d/bulwark \
	/usr/share/doc/bulwark/examples/10-nginx.yaml; do
	check "ships $f" grep -qx "$f" "$tmp/files"
done
dpkg-deb -e "$deb" "$tmp/control"
# dh_installsystemd --no-enable --no-start: enabled again only if it was before.
check "postinst does not start bulwarkd" \
	bash -c "! grep -q 'deb-systemd-invoke' '$tmp/control/postinst'"
check "postinst enables bulwarkd only where it was enabled" \
	grep -q "was-enabled 'bulwarkd.service'" "$tmp/control/postinst"
check "prerm stops bulwarkd and unloads on remove" \
	grep -q 'deb-systemd-invoke stop bulwarkd.service' "$tmp/control/prerm"
check "prerm unloads on remove" grep -q 'bulwark unload' "$tmp/control/prerm"
check "postrm purges /etc/bulwark and /run/bulwark" \
	grep -q 'rm -rf /etc/bulwark /run/bulwark' "$tmp/control/postrm"
if command -v lintian > /dev/null; then
	out=$(lintian "$deb" "build/deb/bulwark-dkms_${version}_all.deb" 2>&1 | grep -v 'running with root privileges')
	if [ -z "$out" ]; then ok "lintian is clean on both packages"; else not_ok "lintian is clean on both packages" "$out"; fi
else
	not_ok "lintian is installed (make deps)"
fi
echo "1..$n"
