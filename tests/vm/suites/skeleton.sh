# The walking skeleton through every layer, on each kernel line:
# bulwark.ko loads, registers its generic netlink family and answers a
# version query through the controller (libnl); the BPF LSM program loads,
# attaches and runs (libbpf); rmmod is clean.

test_bpf_lsm_is_in_the_kernels_lsm_list() {
	grep -qw bpf /sys/kernel/security/lsm
}

test_status_without_module_reports_bpf_usable_kmod_not_loaded() {
	refute module_loaded
	expect_rc 0 "$BULWARK" status
	expect_match '^bpf: usable: BPF LSM programs load, attach and run$'
	expect_match '^kmod: not usable: bulwark.ko is not loaded'
}

test_module_loads() {
	expect_rc 0 insmod "$KMOD"
	module_loaded
	dmesg | grep -q 'bulwark: version [0-9.]* loaded'
}

test_genl_family_is_registered() {
	expect_rc 0 genl ctrl get name bulwark
	expect_match 'Name: bulwark'
	expect_match 'Version: 0x3'
}

test_status_reports_module_version_over_netlink() {
	expect_rc 0 "$BULWARK" version
	local version
	version=$(sed -n 's/^bulwark \([^ ]*\) .*/\1/p' <<< "$OUT")
	expect_rc 0 "$BULWARK" status
	expect_match "^kmod: usable: bulwark.ko $version loaded, netlink ABI 3\$"
	expect_match '^bpf: usable: '
}

test_version_request_is_acknowledged() {
	expect_rc 0 "$GENL_SEND" 1
	expect_match '^ok$'
}

test_unknown_command_is_refused_with_eopnotsupp() {
	expect_rc 1 "$GENL_SEND" 99
	expect_match '^error: EOPNOTSUPP$'
	expect_rc 1 "$GENL_SEND" 0
	expect_match '^error: EOPNOTSUPP$'
}

test_attribute_policy_is_strict() {
	# Unknown attribute type, wrong length for a u32, and a string with no NUL.
	expect_rc 1 "$GENL_SEND" 1 50:u32:1
	expect_match '^error: EINVAL$'
	expect_rc 1 "$GENL_SEND" 1 1:u8:1
	expect_match '^error: EINVAL$'
	expect_rc 1 "$GENL_SEND" 1 2:raw:abc
	expect_match '^error: EINVAL$'
	module_loaded
}

test_status_after_probe_leaves_no_bpf_program_attached() {
	expect_rc 0 "$BULWARK" status
	expect_rc 0 bpftool prog show
	expect_no_match 'hook_bprm_check'
}

test_module_unloads_cleanly() {
	expect_rc 0 rmmod bulwark
	refute module_loaded
	refute genl ctrl get name bulwark 2>/dev/null
	expect_rc 0 "$BULWARK" status
	expect_match '^kmod: not usable: bulwark.ko is not loaded'
	dmesg | grep -q 'bulwark: unloaded'
}

test_load_unload_loop_is_clean() {
	local i
	for i in 1 2 3 4 5; do
		insmod "$KMOD"
		"$BULWARK" status > /dev/null
		rmmod bulwark
	done
	refute module_loaded
}
