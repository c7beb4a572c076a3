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
# unmounted file system's file; and so while mounts and unmounts race the
# workload's attempts. A FUSE server in a user namespace is out of the
# workload's reach (below). And on one device, a new file given the
# admitted file's freed inode number and (by setting the clock) its ctime
# is told apart by the inode's generation.
# Both backends; policies on /sys/fs/cgroup/bulwark-devreuse.

W=/tmp/bulwark-devreuse
CG=/sys/fs/cgroup/bulwark-devreuse
BWOP=$BULWARK_REPO/build/tests/tools/bw-op
BWFUSE=$BULWARK_REPO/build/tests/tools/bw-fuse
BWCTIME=$BULWARK_REPO/build/tests/tools/bw-ctime

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

# A file taking the admitted file's place on the same device: root
# deletes the admitted file on an ext4 file system and writes another,
# which gets the freed inode number (ext4 gives the lowest free one), and
# gives it the admitted ctime by setting the clock (bw-ctime). Only the
# inode's generation (i_generation: ext4 draws one at random for each new
# inode) tells the two apart: its run and its mapping are refused.
the_file_taking_the_admitted_inode_is_not_admitted() { # BACKEND
	devreuse_setup || return 1
	expect_rc 0 umount "$W/anon" || return 1
	modprobe loop 2> /dev/null || :
	modprobe ext4 2> /dev/null || :
	rm -f "$W/ext4.img" && truncate -s 32M "$W/ext4.img"
	# (256-byte inodes: nanosecond timestamps, as on any ext4 root file system.)
	expect_rc 0 mkfs.ext4 -q -F -I 256 "$W/ext4.img" || return 1
	expect_rc 0 mount -o loop "$W/ext4.img" "$W/anon" || return 1
	cp "$BWOP" "$W/anon/prog"
	read -r DEV INO CTIME <<< "$(stat -c '%d %i %.9Z' "$W/anon/prog")"
	expect_rc 0 "$BULWARK" apply --backend "$1" "$W/policy.yaml" || return 1
	expect_rc 0 in_cg "$BWOP" exec "$W/anon/prog" || return 1
	expect_rc 0 in_cg "$BWOP" mprotect-exec "$W/anon/prog" || return 1
	rm "$W/anon/prog"
	{ cat "$BWOP" && echo another; } > "$W/anon/prog" && chmod 755 "$W/anon/prog"
	expect_rc 0 "$BWCTIME" "$W/anon/prog" "${CTIME%.*}" "$((10#${CTIME#*.}))" || return 1
	same_identity "$W/anon/prog" || return 1
	expect_rc 1 in_cg "$BWOP" exec "$W/anon/prog"
	expect_match '^EPERM$'
	last_event_is "$W/anon/prog" exec
	expect_rc 1 in_cg "$BWOP" mprotect-exec "$W/anon/prog"
	expect_match '^EPERM$'
	last_event_is "($W/anon/)?prog" mprotect
	expect_rc 0 umount "$W/anon"
}

# denials OP: how many denials of OP by the devreuse policy the events
# hold. (A file reached through a mount lazily unmounted is named
# relative to that mount: its event does not have the path.)
denials() {
	"$BULWARK" events --json |
		grep -cE "\"policy\":\"devreuse\",\"operation\":\"$1\".*\"verdict\":\"deny\"" || true
}

# A race, RACE_ROUNDS times: root mounts the FUSE file system presenting
# the admitted identity (each mount takes the device the tmpfs had, or the
# last mount had) and unmounts it, while the workload runs the file and
# makes a mapping of it executable as fast as it can. Every attempt is
# EPERM (with its event) or ENOENT (between mounts), never a run.
RACE_ROUNDS=15
reused_devices_race_exec() { # BACKEND
	local pid execs mprotects e m
	devreuse_admit "$1" || return 1
	expect_rc 0 umount "$W/anon" || return 1
	rm -f "$W/race.done"
	execs=$(denials exec)
	mprotects=$(denials mprotect)
	(
		for _ in $(seq "$RACE_ROUNDS"); do
			"$BWFUSE" "$W/fuse" prog "$INO" "${CTIME%.*}" "$((10#${CTIME#*.}))" "$BWOP" || break
			sleep 0.05
			# (Lazily: the workload may be running or mapping the file.)
			umount -l "$W/fuse" || break
		done
		touch "$W/race.done"
	) > "$W/race.log" 2>&1 &
	pid=$!
	# (Only bw-op may run in the cgroup: the shell moves itself there.)
	expect_rc 0 sh -c '
		echo $$ > "$2/cgroup.procs" || exit 1
		e=0 m=0 gone=0
		while [ ! -e "$0/race.done" ]; do
			for op in exec mprotect-exec; do
				r=$("$1" "$op" "$0/fuse/prog" 2>&1)
				case "$op $r" in
				"exec EPERM") e=$((e + 1)) ;;
				"mprotect-exec EPERM") m=$((m + 1)) ;;
				*" ENOENT") gone=$((gone + 1)) ;;
				*) echo "ran: $op: $r" ;;
				esac
			done
		done
		echo "exec EPERM $e mprotect EPERM $m ENOENT $gone"' "$W" "$BWOP" "$CG"
	wait "$pid"
	umount "$W/fuse" 2> /dev/null || :
	echo "# $RACE_ROUNDS mounts: $(tail -n 1 <<< "$OUT")"
	[ -z "$(cat "$W/race.log")" ] || fail "the mount loop failed: $(cat "$W/race.log")" || return 1
	! grep -q '^ran: ' <<< "$OUT" || fail "the presented file ran: $(grep '^ran: ' <<< "$OUT")" ||
		return 1
	read -r e m <<< "$(sed -n 's/^exec EPERM \([0-9]*\) mprotect EPERM \([0-9]*\) .*/\1 \2/p' <<< "$OUT")"
	[ "${e:-0}" -gt 0 ] && [ "${m:-0}" -gt 0 ] ||
		fail "no attempt met a mounted file system: nothing raced" || return 1
	execs=$(($(denials exec) - execs))
	mprotects=$(($(denials mprotect) - mprotects))
	[ "$execs" = "$e" ] && [ "$mprotects" = "$m" ] ||
		fail "$execs exec and $mprotects mprotect denial events for $e and $m EPERMs"
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

test_bpf_the_file_taking_the_admitted_inode_is_not_admitted() {
	the_file_taking_the_admitted_inode_is_not_admitted bpf
}

test_bpf_mounts_racing_exec_never_run_the_presented_file() {
	reused_devices_race_exec bpf
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

test_kmod_the_file_taking_the_admitted_inode_is_not_admitted() {
	the_file_taking_the_admitted_inode_is_not_admitted kmod
}

test_kmod_mounts_racing_exec_never_run_the_presented_file() {
	reused_devices_race_exec kmod
}

test_kmod_the_admitted_file_on_a_reused_device_through_a_user_namespace() {
	the_admitted_file_on_a_reused_device_through_a_user_namespace kmod
	expect_rc 0 rmmod bulwark
}
