# The harness itself: the guest boots the kernel asked for, sees this
# repository through the host's root, and can write without touching the host.

test_guest_runs_the_requested_kernel() {
	[ -r /proc/version ]
	grep -q " $(uname -r) " /proc/version
}

test_guest_sees_the_repository() {
	[ -f "$BULWARK_REPO/tests/vm/run" ]
}

test_guest_root_is_writable_overlay() {
	[ "$(stat -f -c %T /)" = overlayfs ]
	echo hello > /bulwark-write-test
	[ "$(cat /bulwark-write-test)" = hello ]
}
