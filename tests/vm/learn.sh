# bulwark learn: a workload run under the learning session becomes a policy
# that bulwark check accepts and that, applied in enforce mode, lets the same
# run through with zero denials, and denies what the run did not do. Shared
# by suites/learn.sh (the BPF backend) and suites/learn-kmod.sh (bulwark.ko);
# each sets LEARN_BACKEND, then sources this. Everything lives under the test
# cgroup /sys/fs/cgroup/bulwark-learn. A unit learned under bulwarkd is in
# daemon-lifecycle.sh.

ROOT=/sys/fs/cgroup
CG=$ROOT/bulwark-learn
W=/tmp/bulwark-learn
BWOP=$BULWARK_REPO/build/tests/tools/bw-op
TCP_PEER=47010
TCP_SERVICE=47011

# The workload: programs of two packages (bash, coreutils) and one dpkg did
# not install (bw-op), files read in one directory and written in another, a
# TCP peer, a unix socket peer, a port it listens on.
write_workload() {
	cat > "$W/workload.sh" <<WORKLOAD
#!/bin/bash
set -e
cat "$W/data/input" > /dev/null
ls "$W/data" > /dev/null
echo done > "$W/out/result"
"$BWOP" connect tcp 127.0.0.1 $TCP_PEER
"$BWOP" listen tcp 127.0.0.1 $TCP_SERVICE
"$BWOP" unix-connect "$W/peer.sock"
WORKLOAD
	chmod +x "$W/workload.sh"
}

# run_in CGROUP CMD...: CMD as the first process of CGROUP (made if missing).
run_in() {
	local cg=$1
	shift
	mkdir -p "$cg"
	sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' _ "$cg" "$@"
}

learn_backend() {
	echo "--backend $LEARN_BACKEND"
}

# Starts bulwark learn in the background (its pid in LEARN_PID) and waits
# until the learning policy is installed.
start_learning() { # ARGS...
	# shellcheck disable=SC2046
	"$BULWARK" learn $(learn_backend) "$@" > /dev/null 2> "$W/learn.err" &
	LEARN_PID=$!
	for _ in $(seq 1 300); do
		grep -q '^bulwark: learning ' "$W/learn.err" && return 0
		kill -0 "$LEARN_PID" 2> /dev/null || break
		sleep 0.1
	done
	cat "$W/learn.err" >&2
	fail "bulwark learn did not start learning"
}

# Ends it as a user does (Ctrl-C) and requires exit status 0.
stop_learning() {
	local rc=0
	kill -INT "$LEARN_PID"
	wait "$LEARN_PID" || rc=$?
	cat "$W/learn.err" | sed 's/^/# /'
	[ "$rc" = 0 ] || fail "bulwark learn exited $rc"
}

policy_events() { # POLICY: events naming it so far
	"$BULWARK" events --json | grep -c "\"policy\":\"$1\"" || true
}

test_setup() {
	if [ "$LEARN_BACKEND" = kmod ]; then
		expect_rc 0 insmod "$KMOD"
	fi
	mkdir -p "$W/data" "$W/out" "$CG"
	echo input > "$W/data/input"
	write_workload
	# The peers, outside every policy.
	"$BWOP" listen-exec tcp 127.0.0.1 $TCP_PEER /usr/bin/sleep 600 > /dev/null 2>&1 &
	echo $! > "$W/tcp-peer.pid"
	expect_rc 0 "$BWOP" unix-serve "$W/peer.sock" stream 600
	# Something applied, that learn must leave alone (no selector of it names $CG).
	cat > "$W/other.yaml" <<POLICY
apiVersion: bulwark/v1
kind: Policy
metadata:
  name: other
spec:
  selector:
    cgroup: /bulwark-learn-other
  exec:
    default: allow
POLICY
	# shellcheck disable=SC2046
	expect_rc 0 "$BULWARK" apply $(learn_backend) "$W/other.yaml"
}

test_learn_writes_the_policy_of_what_the_workload_did() {
	start_learning --cgroup /bulwark-learn/run --duration 10m -o "$W/learned.yaml"
	# A cgroup made after learn started: its selector names it from its first exec.
	run_in "$CG/run" "$W/workload.sh" > /dev/null || fail "the workload failed while learning"
	stop_learning
	[ -s "$W/learned.yaml" ] || fail "no policy written"
	sed 's/^/# | /' "$W/learned.yaml"
	expect_rc 0 "$BULWARK" check "$W/learned.yaml"
	OUT=$(cat "$W/learned.yaml")
	expect_match '^    cgroup: "/bulwark-learn/run"$'
	expect_match '^  mode: enforce$'
	# Exec by package where dpkg installed the file, else by its path.
	expect_match '^      - package: bash$'
	expect_match '^      - package: coreutils$'
	expect_match "^      - path: \"$BWOP\"$"
	expect_match '^      - package: libc6'
	# File rules by directory, with what was done there.
	expect_match "^      - path: \"$W/data/\\*\"$"
	expect_match "^      - path: \"$W/out/\\*\"$"
	# ls opened the directory itself: that directory alone, not its parent's entries.
	expect_match "^      - path: \"$W/data\"$"
	expect_no_match '^      - path: "/\*?"$'
	grep -A1 -F "path: \"$W/out/*\"" "$W/learned.yaml" | grep -q 'write' ||
		fail "no write access learned for $W/out/"
	grep -A1 -F "path: \"$W/data/*\"" "$W/learned.yaml" | grep -q 'access: \[read\]' ||
		fail "$W/data/ should be read only"
	# Network by address and port.
	expect_match '^        - cidr: "127.0.0.1"$'
	expect_match "^          ports: \[$TCP_PEER\]$"
	expect_match "^          ports: \[$TCP_SERVICE\]$"
	expect_match "^        - unix: \"$W/peer.sock\"$"
}

test_the_learning_session_ends_with_learn() {
	[ -z "$(ls /run/bulwark/sessions)" ] || fail "sessions left: $(ls /run/bulwark/sessions)"
	# The cgroup is governed by nothing again: perl runs there.
	run_in "$CG/run" perl -e 1 || fail "perl denied after learn ended"
	# One policy left in the kernel: the applied one.
	expect_rc 0 "$BULWARK" status --json
	[ "$(jq '.enforcing.policy_count // (.enforcing.policies | length)' <<< "$OUT")" = 1 ] ||
		fail "not one policy enforced after learn: $OUT"
}

test_the_learned_policy_lets_the_same_run_through_with_zero_denials() {
	local before after
	# shellcheck disable=SC2046
	expect_rc 0 "$BULWARK" apply $(learn_backend) "$W/other.yaml" "$W/learned.yaml"
	before=$(policy_events run-learned)
	rmdir "$CG/run"
	rm -f "$W/out/result"
	run_in "$CG/run" "$W/workload.sh" > /dev/null ||
		fail "the workload failed under its learned policy"
	[ "$(cat "$W/out/result")" = done ] || fail "the workload's result is missing"
	after=$(policy_events run-learned)
	[ "$after" = "$before" ] || {
		"$BULWARK" events --json | grep '"policy":"run-learned"' | tail -5 >&2
		fail "$((after - before)) denials of the learned run"
	}
}

test_the_learned_policy_denies_what_the_run_did_not_do() {
	local before after
	before=$(policy_events run-learned)
	# Another program (perl-base), a write where the run only read, another port.
	expect_rc 126 run_in "$CG/run" perl -e 1
	expect_match 'Operation not permitted'
	expect_rc 1 run_in "$CG/run" "$BWOP" open "$W/data/input" w
	expect_match EPERM
	expect_rc 1 run_in "$CG/run" "$BWOP" connect tcp 127.0.0.1 47012
	expect_match EPERM
	after=$(policy_events run-learned)
	[ $((after - before)) -ge 3 ] || fail "$((after - before)) events for 3 denials"
}

test_learn_refuses_a_workload_an_applied_policy_selects() {
	expect_rc 1 "$BULWARK" learn --cgroup /bulwark-learn/run --duration 1s -o "$W/x.yaml"
	expect_match "applied policy 'run-learned' governs what cgroup '/bulwark-learn/run' names already"
	[ ! -e "$W/x.yaml" ] || fail "a policy was written"
	[ -z "$(ls /run/bulwark/sessions)" ] || fail "a session was left"
	# Another selector that names a cgroup there now: refused too.
	mkdir -p "$CG/overlap"
	cat > "$W/glob.yaml" <<POLICY
apiVersion: bulwark/v1
kind: Policy
metadata:
  name: glob
spec:
  selector:
    cgroup: /bulwark-learn/over*
  exec:
    default: allow
POLICY
	# shellcheck disable=SC2046
	expect_rc 0 "$BULWARK" apply $(learn_backend) "$W/other.yaml" "$W/learned.yaml" "$W/glob.yaml"
	expect_rc 1 "$BULWARK" learn --cgroup /bulwark-learn/overlap --duration 1s -o "$W/x.yaml"
	expect_match "applied policy 'glob' governs what cgroup '/bulwark-learn/overlap' names already"
	# shellcheck disable=SC2046
	expect_rc 0 "$BULWARK" apply $(learn_backend) "$W/other.yaml" "$W/learned.yaml"
	[ -z "$(ls /run/bulwark/sessions)" ] || fail "a session was left"
}

test_one_learn_at_a_time() {
	start_learning --cgroup /bulwark-learn/first --duration 10m -o "$W/first.yaml"
	expect_rc 1 "$BULWARK" learn --cgroup /bulwark-learn/second --duration 1s -o "$W/x.yaml"
	expect_match 'another bulwark learn runs'
	stop_learning
	[ -z "$(ls /run/bulwark/sessions)" ] || fail "a session was left"
}

test_learn_by_path_names_no_package() {
	start_learning --cgroup /bulwark-learn/bypath --duration 10m -o "$W/bypath.yaml" --by-path
	run_in "$CG/bypath" "$W/workload.sh" > /dev/null || fail "the workload failed while learning"
	stop_learning
	expect_rc 0 "$BULWARK" check "$W/bypath.yaml"
	OUT=$(cat "$W/bypath.yaml")
	expect_no_match '^ *- package:'
	expect_match '^      - path: "/usr/bin/bash"$'
}

test_a_timed_learn_of_an_idle_workload_writes_a_deny_all_policy() {
	# shellcheck disable=SC2046
	expect_rc 0 "$BULWARK" learn $(learn_backend) --cgroup /bulwark-learn/idle --duration 2s \
		-o "$W/idle.yaml" --name idle
	expect_match "learned policy 'idle' from 0 operations"
	expect_rc 0 "$BULWARK" check "$W/idle.yaml"
	grep -q '^    allow:' "$W/idle.yaml" && fail "an idle workload learned an allow rule"
	grep -q '^    rules:' "$W/idle.yaml" && fail "an idle workload learned a file rule"
	return 0
}

# A learn killed with SIGKILL cannot end its session: the next install does.
test_a_killed_learn_leaves_no_session_past_the_next_install() {
	start_learning --cgroup /bulwark-learn/killed --duration 10m -o "$W/killed.yaml"
	[ -n "$(ls /run/bulwark/sessions)" ] || fail "no session while learning"
	kill -KILL "$LEARN_PID"
	wait "$LEARN_PID" || :
	# shellcheck disable=SC2046
	expect_rc 0 "$BULWARK" apply $(learn_backend) "$W/other.yaml" "$W/learned.yaml"
	[ -z "$(ls /run/bulwark/sessions)" ] || fail "the dead learn's session is still there"
	[ ! -e "$W/killed.yaml" ] || fail "a killed learn wrote a policy"
}

test_bad_arguments_are_refused_before_anything_is_installed() {
	expect_rc 2 "$BULWARK" learn --cgroup /bulwark-learn/x
	expect_match Usage
	expect_rc 2 "$BULWARK" learn --cgroup /bulwark-learn/x --duration 5x
	expect_match 'invalid duration'
	expect_rc 2 "$BULWARK" learn --unit 'no such unit' --duration 1s
	expect_match 'invalid systemdUnit'
	expect_rc 2 "$BULWARK" learn --cgroup relative --duration 1s
	expect_match 'invalid cgroup'
	[ -z "$(ls /run/bulwark/sessions)" ] || fail "a session was left"
}

test_cleanup() {
	expect_rc 0 "$BULWARK" unload
	if [ "$LEARN_BACKEND" = kmod ]; then
		expect_rc 0 rmmod bulwark
	fi
	kill "$(cat "$W/tcp-peer.pid")" 2> /dev/null || :
	rm -f "$W/peer.sock" # the unix peer ends when its socket is removed
	for cg in "$CG"/*/; do rmdir "$cg"; done
	rmdir "$CG"
}

# run-suite: the tests above, in order (they are defined here, not in the suite file).
suite_tests() {
	sed -n 's/^\(test_[a-z0-9_]*\)() {$/\1/p' "$BULWARK_REPO/tests/vm/learn.sh"
}
