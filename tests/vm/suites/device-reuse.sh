# A file admitted by identity (an exact exec rule) is known to the kernel
# by its device, inode number and ctime. A device number, above all an
# anonymous one (tmpfs, overlayfs, FUSE), goes to the next super block
# once its file system is unmounted, and a FUSE server chooses its inodes'
# numbers and ctimes: as root an attacker unmounts the tmpfs holding the
# admitted file, mounts a FUSE file system (which takes the same device)
# presenting a file with the admitted inode number and ctime, and runs it
# from the workload's cgroup, by execve and by mprotect(PROT_EXEC) of a
# mapping (whose verdict the BPF backend keeps per file). Each is refused
# with its event: the identity, and the verdict kept, belonged to the
# unmounted file system's file. A FUSE server in a user namespace is out
# of the workload's reach (below).
# Both backends; policies on /sys/fs/cgroup/bulwark-devreuse.

W=/tmp/bulwark-devreuse
CG=/sys/fs/cgroup/bulwark-devreuse
BWOP=$BULWARK_REPO/build/tests/tools/bw-op
BWFUSE=$BULWARK_REPO/build/tests/tools/bw-fuse

in_cg() {
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG" "$@"
}

# last_event_is OBJECT OP: the newest event is a denial of OP on OBJECT (a regex).
last_event_is() {
	OUT=$("$BULWARK" events --json | tail -n 1)
	expect_match "\"policy\":\"devreuse\",\"operation\":\"$2\",\"object\":\"$1\""
	expect_match '"verdict":"deny"'
}

# A fresh tmpfs on $W/anon holding prog, and the policy; whatever a test
# before left mounted is gone first. (Each apply replaces the policy: the
# BPF programs stay loaded from one test to the next.)
devreuse_setup() {
	umount "$W/fuse" 2> /dev/null || :
	umount "$W/anon" 2> /dev/null || :
	mkdir -p "$W/anon" "$W/fuse" "$CG"
	modprobe fuse 2> /dev/null || :
	expect_rc 0 mount -t tmpfs bw-anon "$W/anon" || return 1
	cp "$BWOP" "$W/anon/prog"
	cat > "$W/policy.yaml" <<-POLICY
		apiVersion: bulwark/v1
		kind: Policy
		metadata: {name: devreuse}
		spec:
		  selector: {cgroup: /bulwark-devreuse}
		  exec:
		    default: deny
		    allow:
		      - path: $BWOP
		      - path: $W/anon/prog
	POLICY
}

# devreuse_admit BACKEND: a policy admitting $W/anon/prog, a file on a
# fresh tmpfs, applied; DEV INO CTIME are the file's. It runs.
devreuse_admit() {
	devreuse_setup || return 1
	read -r DEV INO CTIME <<< "$(stat -c '%d %i %.9Z' "$W/anon/prog")"
	expect_rc 0 "$BULWARK" apply --backend "$1" "$W/policy.yaml" || return 1
	expect_rc 0 in_cg "$BWOP" exec "$W/anon/prog"
}

# same_identity PATH: PATH has the admitted file's device, inode and ctime.
same_identity() {
	OUT=$(stat -c '%d %i %.9Z' "$1")
	[ "$OUT" = "$DEV $INO $CTIME" ] ||
		{ fail "$1 is '$OUT', not the admitted '$DEV $INO $CTIME': no reuse to test"; return 1; }
}

# the_admitted_file_on_a_reused_device_is_not_admitted BACKEND
the_admitted_file_on_a_reused_device_is_not_admitted() {
	devreuse_admit "$1" || return 1
	# Its mapping may be made executable: the BPF backend keeps that
	# verdict for the file.
	expect_rc 0 in_cg "$BWOP" mprotect-exec "$W/anon/prog" || return 1
	expect_rc 0 umount "$W/anon" || return 1
	expect_rc 0 "$BWFUSE" "$W/fuse" prog "$INO" "${CTIME%.*}" "$((10#${CTIME#*.}))" "$BWOP" ||
		return 1
	same_identity "$W/fuse/prog" || return 1
	expect_rc 1 in_cg "$BWOP" exec "$W/fuse/prog"
	expect_match '^EPERM$'
	last_event_is "$W/fuse/prog" exec
	expect_rc 1 in_cg "$BWOP" mprotect-exec "$W/fuse/prog"
	expect_match '^EPERM$'
	# (The BPF backend names a file only by its name here: mprotect cannot sleep.)
	last_event_is "($W/fuse/)?prog" mprotect
	expect_rc 0 umount "$W/fuse"
}

# ..._through_a_user_namespace BACKEND: the FUSE server mounts in a user
# namespace of its own. FUSE lets only that namespace's processes reach
# such a mount (the workload, through /proc/PID/root, gets EACCES), and
# the workload may not create a user namespace of its own to join one.
the_admitted_file_on_a_reused_device_through_a_user_namespace() {
	local pid= file ok=1
	devreuse_admit "$1" || return 1
	expect_rc 0 umount "$W/anon" || return 1
	rm -f "$W/userns.pid"
	unshare -Urm sh -c 'echo $$ > "$6" && "$0" "$1" prog "$2" "$3" "$4" "$5" && exec sleep 60' \
		"$BWFUSE" "$W/fuse" "$INO" "${CTIME%.*}" "$((10#${CTIME#*.}))" "$BWOP" "$W/userns.pid" \
		> "$W/userns.log" 2>&1 &
	wait_for_file "$W/userns.pid" && pid=$(cat "$W/userns.pid")
	file=/proc/$pid/root$W/fuse/prog
	# (In a condition: a failure still kills the server below.)
	if ! wait_until_mounted "$pid"; then
		fail "the user namespace's FUSE server did not mount: $(cat "$W/userns.log")"
	elif expect_rc 1 in_cg "$BWOP" exec "$file" &&
		expect_match '^EACCES$' &&
		expect_rc 1 in_cg "$BWOP" userns &&
		expect_match '^EPERM$'; then
		ok=0
	fi
	# The server goes with its mount, in the namespace; then the namespace.
	[ -z "$pid" ] || nsenter -t "$pid" -m umount "$W/fuse" || :
	[ -z "$pid" ] || kill "$pid"
	wait 2> /dev/null || :
	expect_rc 0 "$BULWARK" unload
	return $ok
}

wait_until_mounted() { # PID: its mount namespace has the FUSE mount, up to 10 s
	local i
	for i in $(seq 50); do
		grep -q " $W/fuse .* - fuse " "/proc/$1/mountinfo" 2> /dev/null && return 0
		sleep 0.2
	done
	return 1
}

test_bpf_the_admitted_file_on_a_reused_device_is_not_admitted() {
	the_admitted_file_on_a_reused_device_is_not_admitted bpf
}

test_bpf_the_admitted_file_on_a_reused_device_through_a_user_namespace() {
	the_admitted_file_on_a_reused_device_through_a_user_namespace bpf
}

test_kmod_the_admitted_file_on_a_reused_device_is_not_admitted() {
	# (The BPF tests unload at their end; not if one failed before it.)
	"$BULWARK" unload > /dev/null 2>&1 || :
	expect_rc 0 insmod "$KMOD"
	the_admitted_file_on_a_reused_device_is_not_admitted kmod
}

test_kmod_the_admitted_file_on_a_reused_device_through_a_user_namespace() {
	the_admitted_file_on_a_reused_device_through_a_user_namespace kmod
	expect_rc 0 rmmod bulwark
}
