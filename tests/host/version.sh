#!/bin/bash
# The release version is written in kmod/version.h; everything that repeats
# it (the DKMS config, the man page) must agree, and the controller and the
# module must both report it. Prints TAP.
repo=$(cd "$(dirname "$0")/../.." && pwd)
n=0
check() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then echo "ok $n - host: $1 ($2)"; else echo "not ok $n - host: $1: '$2' != '$3'"; fi
}
echo "1..4"
version=$(sed -n 's/^#define BULWARK_VERSION "\(.*\)"$/\1/p' "$repo/kmod/version.h")
check "bulwark version reports kmod/version.h" \
	"$("$repo/build/bulwark" version | sed -n 's/^bulwark \([^ ]*\) .*/\1/p')" "$version"
check "dkms/dkms.conf PACKAGE_VERSION" \
	"$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$repo/dkms/dkms.conf")" "$version"
check "bulwark(8) names the version" \
	"$(sed -n 's/^\.TH BULWARK 8 "[^"]*" "bulwark \([^"]*\)".*/\1/p' "$repo/controller/man/bulwark.8")" "$version"
check "bulwark.ko modinfo version" \
	"$(modinfo -F version "$repo/build/kmod/$("$repo/tests/vm/kernels" --line 6.1)/bulwark.ko" 2>/dev/null)" "$version"
