# What `make demo` shows (tests/demo boots this suite with --verbose), kept
# in the test run so the demo cannot silently rot. Walking skeleton only:
# every layer is connected, nothing is enforced yet.
# vm-kernels: 6.1

test_the_guest_kernel() {
	echo "kernel: $(uname -r); active LSMs: $(cat /sys/kernel/security/lsm)"
	grep -qw bpf /sys/kernel/security/lsm
}

test_status_before_loading_the_module() {
	echo "\$ bulwark status"
	expect_rc 0 "$BULWARK" status
	echo "$OUT"
	expect_match '^bpf: usable: '
}

test_load_bulwark_ko() {
	echo "\$ insmod bulwark.ko"
	insmod "$KMOD"
	dmesg | grep 'bulwark:' | tail -n 1
	echo "\$ genl ctrl get name bulwark"
	expect_rc 0 genl ctrl get name bulwark
	echo "$OUT"
	expect_match 'Name: bulwark'
}

test_status_with_both_backends() {
	echo "\$ bulwark status"
	expect_rc 0 "$BULWARK" status
	echo "$OUT"
	expect_match '^bpf: usable: '
	expect_match '^kmod: usable: '
}

test_unload_bulwark_ko() {
	echo "\$ rmmod bulwark"
	rmmod bulwark
	refute module_loaded
	dmesg | grep 'bulwark:' | tail -n 1
}
