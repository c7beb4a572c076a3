# A kernel booted with lockdown=integrity (as Secure Boot does) refuses
# unsigned modules: bulwark.ko, unsigned until DKMS signs it with an enrolled
# key, must be refused, and status must keep saying the module is not loaded
# while the BPF backend stays usable.
# vm-append: lockdown=integrity

test_kernel_is_locked_down_for_integrity() {
	grep -q '\[integrity\]' /sys/kernel/security/lockdown
}

test_unsigned_module_is_refused_with_eperm() {
	expect_rc 1 insmod "$KMOD"
	expect_match 'Operation not permitted|Key was rejected'
	refute module_loaded
	dmesg | grep -q 'Lockdown: insmod: unsigned module loading is restricted'
}

test_status_reports_module_absent_and_bpf_usable() {
	expect_rc 0 "$BULWARK" status
	expect_match '^bpf: usable: '
	expect_match '^kmod: not usable: bulwark.ko is not loaded'
}
