#!/bin/bash
# The example policies in policies/ are what users copy first: each must pass
# bulwark check alone, the directory must pass as one set and compile, and a
# few decisions they exist to make must come out as their comments promise.
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 2
bulwark=build/bulwark
n=0
check() { # NAME EXPECTED-EXIT COMMAND...
	local name=$1 want=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	n=$((n + 1))
	if [ "$rc" = "$want" ]; then
		echo "ok $n - policies: $name"
	else
		echo "not ok $n - policies: $name (exit $rc, expected $want)"
		printf '%s\n' "$out" | sed 's/^/#   /' | head -20
	fi
}
for f in policies/*.yaml; do
	check "$(basename "$f") passes check" 0 "$bulwark" check "$f"
done
check "the directory passes check as one set" 0 "$bulwark" check policies/
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check "the directory compiles" 0 "$bulwark" compile -o "$tmp/p.img" policies/
check "the image reads back" 0 "$bulwark" show "$tmp/p.img"
check "nginx may not run curl" 1 "$bulwark" explain --policy policies/ --unit nginx.service --exec /usr/bin/curl
check "nginx may not read /etc/shadow" 1 "$bulwark" explain --policy policies/ --unit nginx.service --open /etc/shadow --access read
check "nginx may listen on 443" 0 "$bulwark" explain --policy policies/ --unit nginx.service --bind 0.0.0.0:443
check "pods may not reach cloud metadata" 1 "$bulwark" explain --policy policies/ --cgroup /kubepods.slice/kubepods-besteffort.slice/pod1 --connect 169.254.169.254:80
check "pods may not run a shell" 1 "$bulwark" explain --policy policies/ --cgroup /kubepods.slice/kubepods-besteffort.slice/pod1 --exec /usr/bin/bash
echo "1..$n"
