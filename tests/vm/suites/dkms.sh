# The Debian package `make deb` builds, as a user installs it: `dpkg -i`
# has DKMS build bulwark.ko against the installed headers of the kernel the
# guest runs, sign it with DKMS's own key (/var/lib/dkms/mok.key, made on the
# first build) and install it; modprobe loads it and the controller talks to
# it; `dpkg --purge` removes module, source and DKMS state. Last, with the
# kernel locked down as Secure Boot locks it, the module DKMS signed is
# refused: its key is not enrolled (README: Secure Boot). Everything the
# guest writes goes to its tmpfs overlay, so each boot starts with nothing
# installed. Compiling the module and depmod take minutes under TCG:
# vm-timeout: 900

DEB_DIR=$BULWARK_REPO/build/deb
VERSION=$(sed -n 's/^#define BULWARK_VERSION "\([^"]*\)"$/\1/p' "$BULWARK_REPO/kmod/version.h")
DEB=$DEB_DIR/bulwark-dkms_${VERSION}_all.deb
KVER=$(uname -r)
# A copy of the module DKMS built, for the lockdown test after the purge.
SIGNED_COPY=/root/bulwark-dkms-signed.ko
export DEBIAN_FRONTEND=noninteractive

# A kernel release as a literal in an extended regex (6.12.117+deb12-amd64).
KVER_RE=$(sed 's/[][\.|$(){}?+*^]/\\&/g' <<< "$KVER")

# installed_module: the bulwark module file DKMS installed for this kernel.
installed_module() {
	find "/lib/modules/$KVER/updates/dkms" -name 'bulwark.ko*' 2> /dev/null
}

test_package_is_built_and_nothing_is_installed_yet() {
	[ -s "$DEB" ] || fail "no $DEB: make deb"
	refute dpkg -s bulwark-dkms
	[ -z "$(installed_module)" ] || fail "a bulwark module is already installed: $(installed_module)"
	refute module_loaded
	# dkms is the host's (shared root); its tree starts empty in the guest.
	[ -z "$(dkms status -m bulwark 2> /dev/null)" ] || fail "dkms status not empty: $(dkms status -m bulwark)"
}

test_dpkg_install_builds_and_installs_the_module_for_the_running_kernel() {
	local started=$SECONDS c
	# DKMS's postinst builds for the running kernel and the newest one in
	# /boot: make the guest a machine with just the kernel it runs (in its
	# overlay only), so each boot builds once under TCG; the other kernel
	# line has a boot of its own.
	for c in /boot/config-*; do
		[ "$c" = "/boot/config-$KVER" ] || rm -f "$c"
	done
	# DKMS runs depmod, which reads every module of the kernel: 4,000 of
	# them (xz-compressed on 6.12) take it 80 s under TCG, twice. The guest
	# booted with what it needs built in or already loaded, so it is a
	# minimal image whose tree holds no other module: an empty directory
	# over the distribution's modules, for this boot only.
	mount -t tmpfs -o mode=0755 tmpfs "/lib/modules/$KVER/kernel"
	expect_rc 0 dpkg -i "$DEB"
	printf '%s\n' "$OUT"
	echo "dpkg -i (DKMS build and install) took $((SECONDS - started)) s"
	expect_match "^Building for $KVER_RE\$"
	expect_rc 0 dpkg -s bulwark-dkms
	expect_match '^Status: install ok installed$'
	expect_rc 0 dkms status -m bulwark -v "$VERSION" -k "$KVER"
	expect_match "^bulwark/$VERSION, $KVER_RE, x86_64: installed\$"
}

test_installed_module_is_built_for_this_kernel() {
	local ko
	ko=$(installed_module)
	[ -n "$ko" ] || fail "no bulwark.ko* in /lib/modules/$KVER/updates/dkms"
	expect_rc 0 modinfo -F vermagic "$ko"
	[ "$(cut -d' ' -f1 <<< "$OUT")" = "$KVER" ] || fail "vermagic '$OUT' is not for $KVER"
	expect_rc 0 modinfo -F version "$ko"
	[ "$OUT" = "$VERSION" ] || fail "module version '$OUT', expected $VERSION"
	# depmod ran: modprobe finds it by name.
	expect_rc 0 modinfo -n bulwark
	[ "$OUT" = "$ko" ] || fail "modinfo -n bulwark names '$OUT', not $ko"
}

test_module_is_signed_with_the_dkms_key() {
	local ko serial
	ko=$(installed_module)
	expect_rc 0 modinfo -F signer "$ko"
	[ "$OUT" = "DKMS module signing key" ] || fail "signer '$OUT'"
	[ -s /var/lib/dkms/mok.key ] && [ -s /var/lib/dkms/mok.pub ] ||
		fail "no DKMS signing key in /var/lib/dkms/mok.{key,pub}"
	serial=$(openssl x509 -inform DER -in /var/lib/dkms/mok.pub -noout -serial | sed 's/^serial=//')
	expect_rc 0 modinfo -F sig_key "$ko"
	[ "$(tr -d ':' <<< "$OUT" | sed 's/^0*//')" = "$(tr -d ':' <<< "$serial" | sed 's/^0*//')" ] ||
		fail "module signed by key $OUT, /var/lib/dkms/mok.pub has serial $serial"
	cp "$ko" "$SIGNED_COPY"
}

test_modprobe_loads_the_module_and_the_controller_reaches_it() {
	expect_rc 0 modprobe bulwark
	module_loaded
	grep -q "bulwark: version $VERSION loaded" <<< "$(dmesg)"
	expect_rc 0 "$BULWARK" status
	expect_match "^kmod: usable: bulwark.ko $VERSION loaded, netlink ABI [0-9]+\$"
}

test_modprobe_r_unloads_it() {
	expect_rc 0 modprobe -r bulwark
	refute module_loaded
	grep -q 'bulwark: unloaded' <<< "$(dmesg)"
}

test_dpkg_purge_removes_everything() {
	expect_rc 0 dpkg --purge bulwark-dkms
	printf '%s\n' "$OUT"
	refute dpkg -s bulwark-dkms
	[ -z "$(installed_module)" ] || fail "module left behind: $(installed_module)"
	[ -z "$(find /lib/modules -name 'bulwark.ko*')" ] || fail "modules left: $(find /lib/modules -name 'bulwark.ko*')"
	[ ! -e "/usr/src/bulwark-$VERSION" ] || fail "/usr/src/bulwark-$VERSION left behind"
	[ ! -e /var/lib/dkms/bulwark ] || fail "/var/lib/dkms/bulwark left behind"
	[ -z "$(dkms status -m bulwark 2> /dev/null)" ] || fail "dkms status not empty: $(dkms status -m bulwark)"
	# depmod ran again: modprobe no longer finds it.
	refute modprobe -n bulwark
	refute module_loaded
	# The signing key is DKMS's, for all its modules: it stays.
	[ -s /var/lib/dkms/mok.key ] && [ -s /var/lib/dkms/mok.pub ] ||
		fail "the purge took DKMS's signing key with it"
}

test_locked_down_kernel_refuses_the_module_signed_with_an_unenrolled_key() {
	[ -s "$SIGNED_COPY" ] || fail "no copy of the DKMS-built module (an earlier test failed)"
	# Raise the lockdown as Secure Boot would have set it at boot (one way:
	# it stays until the guest powers off, which the harness does next).
	echo integrity > /sys/kernel/security/lockdown
	grep -q '\[integrity\]' /sys/kernel/security/lockdown
	expect_rc 1 insmod "$SIGNED_COPY"
	expect_match 'Operation not permitted|Key was rejected'
	refute module_loaded
	grep -q 'Lockdown: insmod: unsigned module loading is restricted' <<< "$(dmesg)"
}
