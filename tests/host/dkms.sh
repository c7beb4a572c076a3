#!/bin/bash
# DKMS on the build machine, against the headers of both kernel lines the VM
# tests boot: `make dkms-install` stages the module's source and runs dkms
# add, build and install for each kernel, all in throwaway trees
# (--dkmstree/--sourcetree/--installtree in a temporary directory, signing
# key included), never the system's /var/lib/dkms, /usr/src or /lib/modules.
# Each kernel must get a bulwark.ko built for it (vermagic), signed with the
# tree's DKMS key; dkms remove must take it all away again. Then the package
# `make deb` left in build/deb is checked: its control fields, the source it
# ships and the maintainer scripts dh-dkms wrote. (Installing the package
# and loading the module it builds: tests/vm/suites/dkms.sh.) Prints TAP.
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - dkms: $1"; }
not_ok() { # NAME [FILE whose tail explains]
	n=$((n + 1))
	echo "not ok $n - dkms: $1"
	[ -z "${2:-}" ] || tail -n 30 "$2" | sed 's/^/#   /'
}
check() { # NAME COMMAND...: COMMAND's output explains a failure
	local name=$1
	shift
	if "$@" > "$tmp/out" 2>&1; then ok "$name"; else not_ok "$name" "$tmp/out"; fi
}
# same NAME GOT WANT
same() {
	if [ "$2" = "$3" ]; then ok "$1 ($2)"; else not_ok "$1: got '$2', expected '$3'"; fi
}

version=$(dkms/stage --version)
mapfile -t kernels < <(tests/vm/kernels)
[ ${#kernels[@]} = 2 ] || not_ok "tests/vm/kernels names both kernel lines (got: ${kernels[*]})"

# --- the staged source ---------------------------------------------------------
if dkms/stage "$tmp/stage" > "$tmp/out" 2>&1; then ok "dkms/stage copies the source tree"
else not_ok "dkms/stage copies the source tree" "$tmp/out"; fi
same "the staged dkms.conf has the version of kmod/version.h" \
	"$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$tmp/stage/dkms.conf")" "$version"
# Every source file of kmod/ (as git sees them, new ones too), the Kbuild.
missing=$(git ls-files --cached --others --exclude-standard Kbuild kmod | while read -r f; do
	[ -f "$tmp/stage/$f" ] || echo "$f"
done)
same "the staged tree has Kbuild and every file of kmod/ (missing: none)" "${missing:-none}" none
junk=$(cd "$tmp/stage" && find . \( -name '*.o' -o -name '*.ko' -o -name '*.cmd' -o -name '*.mod' \
	-o -name '*.mod.c' -o -name 'Module.symvers' -o -name 'modules.order' \) -print)
same "the staged tree has no kbuild output (found: none)" "${junk:-none}" none

# --- make dkms-install into throwaway trees, both kernels ------------------------
trees="--dkmstree $tmp/dkms --sourcetree $tmp/src --installtree $tmp/modules"
read -ra tree_flags <<< "$trees"
# dkms signs with mok_signing_key, /var/lib/dkms/mok.key unless set: keep it here.
export mok_signing_key=$tmp/dkms/mok.key mok_certificate=$tmp/dkms/mok.pub
touch "$tmp/stamp"
sleep 1
started=$SECONDS
if make -s dkms-install KVER="${kernels[*]}" DKMS_FLAGS="$trees" > "$tmp/install.log" 2>&1; then
	ok "make dkms-install KVER=\"${kernels[*]}\" into a throwaway tree"
else
	not_ok "make dkms-install KVER=\"${kernels[*]}\" into a throwaway tree" "$tmp/install.log"
fi
echo "# dkms add, build and install for ${#kernels[@]} kernels took $((SECONDS - started)) s"
same "the source is in SOURCETREE/bulwark-VERSION" \
	"$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$tmp/src/bulwark-$version/dkms.conf" 2>/dev/null)" "$version"
cert_serial=$(openssl x509 -inform DER -in "$mok_certificate" -noout -serial 2>/dev/null |
	sed 's/^serial=//' | tr -d ':' | tr 'a-f' 'A-F' | sed 's/^0*//')
if [ -n "$cert_serial" ]; then ok "dkms made its signing key in the throwaway tree"
else not_ok "dkms made its signing key in the throwaway tree ($mok_certificate)"; fi

for k in "${kernels[@]}"; do
	# (dkms's stderr: readelf's complaints about the 6.12 headers' vmlinux)
	status=$(dkms status "${tree_flags[@]}" -m bulwark -v "$version" -k "$k" 2>/dev/null)
	same "dkms status for $k" "$status" "bulwark/$version, $k, x86_64: installed"
	ko=$(find "$tmp/modules/$k/updates/dkms" -name 'bulwark.ko*' 2>/dev/null)
	if [ -z "$ko" ]; then
		not_ok "a bulwark.ko is installed for $k in INSTALLTREE/$k/updates/dkms"
		continue
	fi
	ok "a bulwark.ko is installed for $k (${ko##*/})"
	same "$k: modinfo vermagic names the kernel" "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" "$k"
	same "$k: modinfo version" "$(modinfo -F version "$ko")" "$version"
	same "$k: signed by DKMS's key" "$(modinfo -F signer "$ko")" "DKMS module signing key"
	same "$k: signed with the key in the throwaway tree (serial)" \
		"$(modinfo -F sig_key "$ko" | tr -d ':' | sed 's/^0*//')" "$cert_serial"
done

# Again, for one kernel: the same version is removed and built anew.
if make -s dkms-install KVER="${kernels[0]}" DKMS_FLAGS="$trees" > "$tmp/again.log" 2>&1; then
	ok "make dkms-install again replaces the installed version"
else
	not_ok "make dkms-install again replaces the installed version" "$tmp/again.log"
fi
same "after it, dkms status lists ${kernels[0]} only" \
	"$(dkms status "${tree_flags[@]}" -m bulwark 2>/dev/null | tr '\n' ' ')" \
	"bulwark/$version, ${kernels[0]}, x86_64: installed "

check "dkms remove --all" dkms remove "${tree_flags[@]}" --no-depmod -m bulwark -v "$version" --all
same "dkms status is empty after remove" "$(dkms status "${tree_flags[@]}" 2>/dev/null)" ""
left=$(find "$tmp/modules" -name 'bulwark.ko*')
same "no module is left in the install tree (left: none)" "${left:-none}" none

# Nothing of this reached the system's trees.
touched=$(find /var/lib/dkms /usr/src /usr/src/bulwark-* "${kernels[@]/#//lib/modules/}" \
	-maxdepth 3 -newer "$tmp/stamp" 2>/dev/null | grep -v '/build$' || true)
same "nothing written to /var/lib/dkms, /usr/src or /lib/modules (written: none)" "${touched:-none}" none

# --- the package make deb built ----------------------------------------------------
deb=build/deb/bulwark-dkms_${version}_all.deb
if [ ! -s "$deb" ]; then
	not_ok "make deb built $deb (run make deb)"
else
	ok "make deb built $deb"
	field() { dpkg-deb -f "$deb" "$1"; }
	same "package name" "$(field Package)" bulwark-dkms
	same "package version" "$(field Version)" "$version"
	same "package architecture" "$(field Architecture)" all
	if grep -qE '(^|, )dkms( |,|$)' <<< "$(field Depends)"; then ok "package depends on dkms"
	else not_ok "package depends on dkms: Depends: $(field Depends)"; fi
	dpkg-deb -x "$deb" "$tmp/deb"
	src=$tmp/deb/usr/src/bulwark-$version
	same "package ships dkms.conf in /usr/src/bulwark-VERSION" \
		"$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$src/dkms.conf" 2>/dev/null)" "$version"
	missing=$(git ls-files --cached --others --exclude-standard Kbuild kmod | while read -r f; do
		[ -f "$src/$f" ] || echo "$f"
	done)
	same "package ships Kbuild and every file of kmod/ (missing: none)" "${missing:-none}" none
	junk=$(cd "$src" && find . \( -name '*.o' -o -name '*.ko' -o -name '*.cmd' \) -print)
	same "package ships no kbuild output (found: none)" "${junk:-none}" none
	dpkg-deb -e "$deb" "$tmp/control"
	check "postinst has DKMS add, build and install bulwark $version" \
		grep -qx "DKMS_NAME=bulwark" "$tmp/control/postinst"
	check "postinst names version $version" grep -qx "DKMS_VERSION=$version" "$tmp/control/postinst"
	check "prerm has DKMS remove bulwark $version" grep -q 'dkms remove -m $DKMS_NAME -v $DKMS_VERSION --all' \
		"$tmp/control/prerm"
fi
echo "1..$n"
