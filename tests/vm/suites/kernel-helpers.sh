# The programs the kernel starts on its own (here the core-dump pipe
# helper) run in the root cgroup, and the host policy decides them, on
# both backends: a host policy that denies the helper's path keeps it from
# running and reports the exec once; without the policy the same crash runs
# it (so the test can fail). A host policy with exec rules also keeps root
# from changing core_pattern. Under the host policy a kernel module loaded
# from a file is decided as running the file (modprobe, which the kernel
# starts, loads modules so), and one from memory is refused. What a
# governed workload may not write or load is the conformance scenario
# kernel-helpers.scn; a setting opened before the policy applied and
# written after is refused at the write (last tests, on a test cgroup).
# This suite is otherwise host-wide by
# design: the helper runs outside every test cgroup; its policy denies one
# path and allows everything else.

W=/tmp/bulwark-helpers
SAVED=/tmp/bulwark-core_pattern.saved
BWOP=$BULWARK_REPO/build/tests/tools/bw-op

helpers_setup() {
	rm -rf "$W" && mkdir -p "$W"
	printf '#!/bin/sh\ncat > /dev/null\necho ran > %s/ran\n' "$W" > "$W/helper"
	chmod 755 "$W/helper"
	cat > "$W/host.yaml" <<-POLICY
		apiVersion: bulwark/v1
		kind: Policy
		metadata: {name: host-helpers}
		spec:
		  selector: {host: true}
		  exec:
		    default: allow
		    deny:
		      - path: $W/helper
		      - path: $W/denied.ko
	POLICY
	echo 'not a module' > "$W/denied.ko"
	echo 'not a module' > "$W/other.ko"
	[ -e "$SAVED" ] || cat /proc/sys/kernel/core_pattern > "$SAVED"
	echo "|$W/helper %p" > /proc/sys/kernel/core_pattern
}

helpers_restore() {
	cat "$SAVED" > /proc/sys/kernel/core_pattern
}

# A process that dumps core: the kernel runs the helper (UMH_WAIT_EXEC, so
# by the time the shell is reaped the helper was started or refused).
crash() {
	(sh -c 'ulimit -c unlimited; kill -SEGV $$') 2> /dev/null || true
}

# A workload that opened settings for writing before its policy applied
# (here the module loader's path, and the root cgroup's cgroup.procs to
# leave the cgroup) writes them after: each write is refused, with its
# event, and the settings stay as they were. Scoped to a test cgroup.
PRE_CG=/sys/fs/cgroup/bulwark-preopened

preopened_settings_may_not_be_written() { # BACKEND
	local modprobe worker
	rm -rf "$W" && mkdir -p "$W" "$PRE_CG"
	mkfifo "$W/go"
	modprobe=$(cat /proc/sys/kernel/modprobe)
	cat > "$W/preopened.yaml" <<-POLICY
		apiVersion: bulwark/v1
		kind: Policy
		metadata: {name: preopened}
		spec:
		  selector: {cgroup: /bulwark-preopened}
		  exec:
		    default: allow
		    deny:
		      - path: $W/helper
	POLICY
	# Only bash builtins once the policy applies: nothing else to decide.
	bash -c 'echo $$ > "$0/cgroup.procs" &&
		exec 3> /proc/sys/kernel/modprobe 4> /sys/fs/cgroup/cgroup.procs &&
		: > "$2/ready" &&
		read -r _ < "$1"
		if echo "$2/helper" >&3; then echo "modprobe written"; else echo "modprobe refused"; fi
		if echo $$ >&4; then echo "left the cgroup"; else echo "stayed"; fi' \
		"$PRE_CG" "$W/go" "$W" > "$W/preopened.out" 2>&1 &
	worker=$!
	wait_for_file "$W/ready" || fail "the worker did not open the settings: $(cat "$W/preopened.out")"
	expect_rc 0 "$BULWARK" apply --backend "$1" "$W/preopened.yaml"
	timeout 10 sh -c 'echo go > "$0"' "$W/go" || fail "the worker was not waiting"
	wait "$worker" || :
	OUT=$(cat "$W/preopened.out")
	expect_match '^modprobe refused$'
	expect_match '^stayed$'
	[ "$(cat /proc/sys/kernel/modprobe)" = "$modprobe" ] ||
		fail "modprobe is $(cat /proc/sys/kernel/modprobe), was $modprobe"
	OUT=$("$BULWARK" events --json | tail -n 2)
	expect_match '"policy":"preopened","operation":"write","object":"modprobe","access":\["write"\]'
	expect_match '"policy":"preopened","operation":"write","object":"cgroup.procs","access":\["write"\]'
	echo "$modprobe" > /proc/sys/kernel/modprobe
}

# First of all: the programs it loads stay for the next test, whose
# apply replaces its policy (one program load under TCG, not two).
test_bpf_settings_opened_before_the_policy_may_not_be_written() {
	preopened_settings_may_not_be_written bpf
}

helper_is_decided_by_the_host_policy() { # BACKEND
	local backend=$1 n before
	helpers_setup
	crash
	wait_for_file "$W/ran" || fail "without a policy the core-dump helper did not run"
	rm -f "$W/ran"
	expect_rc 0 "$BULWARK" apply --backend "$backend" "$W/host.yaml"
	before=$("$BULWARK" events --json | wc -l)
	crash
	sleep 1
	[ ! -e "$W/ran" ] || fail "the helper ran under a host policy that denies it"
	OUT=$("$BULWARK" events --json | tail -n +$((before + 1)) | grep -F "\"object\":\"$W/helper\"") || true
	n=$(grep -c . <<< "$OUT") || true
	[ "$n" = 1 ] || fail "expected 1 exec event for the helper, got $n: $OUT"
	expect_match '"policy":"host-helpers","operation":"exec".*"verdict":"deny"'
	# Root under a host policy with exec rules may not point the kernel elsewhere.
	expect_rc 1 "$BWOP" open /proc/sys/kernel/core_pattern w
	expect_match '^EPERM$'
	OUT=$("$BULWARK" events --json | tail -1)
	expect_match '"policy":"host-helpers","operation":"open","object":"core_pattern","access":\["write"\]'
	# A module file is decided by the exec rules: a denied one is refused
	# with its event; another reaches the loader, which finds no module.
	expect_rc 1 "$BWOP" finit-module "$W/denied.ko"
	expect_match '^EPERM$'
	OUT=$("$BULWARK" events --json | tail -1)
	expect_match "\"policy\":\"host-helpers\",\"operation\":\"module\",\"object\":\"$W/denied.ko\",\"access\":\\[\"exec\"\\],\"class\":\"exec\",\"rule\":2,"
	expect_rc 1 "$BWOP" finit-module "$W/other.ko"
	expect_match '^ENOEXEC$'
	# From memory there is no file to decide: refused.
	expect_rc 1 "$BWOP" init-module "$W/other.ko"
	expect_match '^EPERM$'
	OUT=$("$BULWARK" events --json | tail -1)
	expect_match '"policy":"host-helpers","operation":"module","object":"init_module"'
	expect_rc 0 "$BULWARK" unload
	crash
	wait_for_file "$W/ran" || fail "after unload the core-dump helper did not run"
	helpers_restore
}

test_bpf_the_core_dump_helper_is_decided_by_the_host_policy() {
	helper_is_decided_by_the_host_policy bpf
}

test_kmod_settings_opened_before_the_policy_may_not_be_written() {
	expect_rc 0 insmod "$KMOD"
	preopened_settings_may_not_be_written kmod
	expect_rc 0 "$BULWARK" unload
	expect_rc 0 rmmod bulwark
}

test_kmod_the_core_dump_helper_is_decided_by_the_host_policy() {
	expect_rc 0 insmod "$KMOD"
	helper_is_decided_by_the_host_policy kmod
	expect_rc 0 rmmod bulwark
}
