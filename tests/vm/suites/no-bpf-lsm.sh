# A kernel booted without bpf in its LSM list (as on many fleets): bulwark
# status must say plainly that the BPF backend is not usable and why, and
# fall back to the module when it is loaded.
# vm-append: lsm=lockdown,capability,yama

test_bpf_is_not_in_the_lsm_list() {
	refute grep -qw bpf /sys/kernel/security/lsm
}

test_status_names_the_missing_lsm_and_exits_nonzero() {
	expect_rc 1 "$BULWARK" status
	expect_match '^bpf: not usable: BPF LSM is not active: the kernel.s LSM list "[a-z,]*" has no "bpf"'
	expect_match '^kmod: not usable: bulwark.ko is not loaded'
}

test_without_securityfs_status_notices_programs_never_run() {
	# Attaching works even here; only watching the hook run tells the truth.
	umount /sys/kernel/security
	expect_rc 1 "$BULWARK" status
	mount -t securityfs securityfs /sys/kernel/security
	expect_match '^bpf: not usable: BPF LSM programs attach but the kernel never runs them'
}

test_status_is_usable_through_the_module() {
	insmod "$KMOD"
	expect_rc 0 "$BULWARK" status
	expect_match '^bpf: not usable: '
	expect_match '^kmod: usable: bulwark.ko '
	rmmod bulwark
}
