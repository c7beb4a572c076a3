# A workload that starts after apply (a restarted unit, a new container) is
# governed from its first instruction, by the kernel alone: a cgroup that a
# selector names is decided the first time a task in it is (no daemon, no
# race). Shared by new-cgroups.sh (the BPF backend) and
# new-cgroups-kmod.sh (bulwark.ko); each sets NEWCG_BACKEND, then sources
# this. Everything lives under the test cgroups /sys/fs/cgroup/bulwark-nc*.
#
# Each round of the loop makes, by hand, one cgroup per kind of selector
# (what systemd does on a unit's restart, what a container runtime does on
# start), execs a file the policy denies as the cgroup's first process, and
# removes the cgroup: every round must be denied, with one event each. The
# loop is one process (tests/tools/first-exec), so 200 rounds stay cheap
# under TCG; once more for the glob through a user namespace made after the
# move. A real unit restarted by systemd is in daemon-lifecycle.sh.

ROOT=/sys/fs/cgroup
SLICE=$ROOT/bulwark-nc.slice
GLOBS=$ROOT/bulwark-nc-globs
CTRS=$ROOT/bulwark-nc-ctrs
USERS=$ROOT/bulwark-nc-users.slice/user-1000.slice/user@1000.service
W=/tmp/bulwark-new-cgroups
ROUNDS=200
FIRST_EXEC=$BULWARK_REPO/build/tests/tools/first-exec
CTR_ID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

newcg_policy() { # NAME SELECTOR_LINE
	cat <<POLICY
apiVersion: bulwark/v1
kind: Policy
metadata:
  name: $1
spec:
  selector:
    $2
  exec:
    default: allow
    deny:
      - path: $W/denied
POLICY
}

newcg_apply() {
	if [ "$NEWCG_BACKEND" = kmod ]; then
		expect_rc 0 "$BULWARK" apply --backend kmod "$@"
	else
		expect_rc 0 "$BULWARK" apply --backend bpf "$@"
	fi
}

# first_exec CGROUP: makes CGROUP, runs $W/denied as its first process, removes it.
# Prints "denied" or "ran" (or what else happened).
first_exec() {
	local cg=$1 rc
	mkdir "$cg" || { echo "mkdir failed"; return; }
	sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2"' _ "$cg" "$W/denied" 2> "$W/err"
	rc=$?
	rmdir "$cg"
	if [ $rc = 0 ]; then
		echo ran
	elif grep -q 'Operation not permitted' "$W/err"; then
		echo denied
	else
		echo "exit $rc: $(cat "$W/err")"
	fi
}

denial_events() { # events for $W/denied so far
	"$BULWARK" events --json | grep -c "\"object\":\"$W/denied\"" || true
}

userns_events() { # user namespaces refused so far
	"$BULWARK" events --json | grep -c '"operation":"userns"' || true
}

test_setup_and_apply_selectors_of_each_kind() {
	if [ "$NEWCG_BACKEND" = kmod ]; then
		expect_rc 0 insmod "$KMOD"
	fi
	mkdir -p "$W" "$SLICE" "$GLOBS" "$CTRS" "$USERS"
	cp /usr/bin/true "$W/denied"
	{
		newcg_policy unit 'systemdUnit: bulwark-nc-loop.service'
		echo ---
		newcg_policy glob 'cgroup: /bulwark-nc-globs/round-*'
		echo ---
		newcg_policy container "container: ${CTR_ID:0:12}"
	} > "$W/policies.yaml"
	newcg_apply "$W/policies.yaml"
	expect_match '^generation [0-9]+ applied: 3 policies'
	# Before the loop: nothing of it exists, and outside them the file runs.
	expect_rc 0 "$W/denied"
}

# The loop: a cgroup made after apply, of each kind, ROUNDS times.
newcg_rounds() { # KIND [--userns]
	local kind=$1 cg before after out denied ran refused ns_before ns_after
	before=$(denial_events)
	ns_before=$(userns_events)
	case "$kind" in
	unit) cg=$SLICE/bulwark-nc-loop.service ;;
	glob) cg=$GLOBS/round-%d ;;
	container) cg=$CTRS/libpod-$CTR_ID.scope ;;
	esac
	out=$("$FIRST_EXEC" $2 "$ROUNDS" "$cg" "$W/denied" 2> "$W/first-exec.err") || :
	after=$(denial_events)
	ns_after=$(userns_events)
	echo "# $kind${2:+ $2}: $out, $((after - before)) exec events, $((ns_after - ns_before)) userns events"
	echo "$out" > "$W/first-exec.out"
	head -5 "$W/first-exec.err" | sed 's/^/# /'
	denied=$(sed -n 's/.* denied=\([0-9]*\).*/\1/p' <<< "$out")
	ran=$(sed -n 's/.* ran=\([0-9]*\).*/\1/p' <<< "$out")
	refused=$(sed -n 's/.* userns_refused=\([0-9]*\).*/\1/p' <<< "$out")
	[ "$ran" = 0 ] || fail "$ran of $ROUNDS first execs in a new $kind cgroup ran"
	[ $((denied + refused)) = "$ROUNDS" ] ||
		fail "$((denied + refused)) of $ROUNDS rounds denied or refused: $out"
	[ $((after - before)) = "$denied" ] || fail "$((after - before)) events for $denied denials"
	[ $((ns_after - ns_before)) = "$refused" ] ||
		fail "$((ns_after - ns_before)) userns events for $refused refusals"
}

test_a_restarted_unit_is_governed_from_its_first_exec() {
	newcg_rounds unit
}

test_a_new_cgroup_a_glob_names_is_governed_from_its_first_exec() {
	newcg_rounds glob
}

test_a_new_container_is_governed_from_its_first_exec() {
	newcg_rounds container
}

# The same through a user namespace made after the move: the policy has
# exec rules, so the namespace (which would rename what it decides on) is
# refused before any exec, each time with its event.
test_a_new_cgroup_entered_through_a_user_namespace_is_governed() {
	newcg_rounds glob --userns
	[ "$(sed -n 's/.* userns_refused=\([0-9]*\).*/\1/p' "$W/first-exec.out")" = "$ROUNDS" ] ||
		fail "not every user namespace was refused: $(cat "$W/first-exec.out")"
}

test_the_events_name_the_policy_of_each_kind() {
	"$BULWARK" events --json | grep "\"object\":\"$W/denied\"" > "$W/events"
	for p in unit glob container; do
		grep -q "\"policy\":\"$p\"" "$W/events" || fail "no event of policy $p"
	done
}

# What no selector names stays outside them: a glob's sibling, the glob's
# parent itself, a glob's last component one level deeper, a user's own unit
# and container of the same names, a unit below a non-slice.
test_cgroups_no_selector_names_are_not_governed() {
	local cg got
	mkdir -p "$USERS"
	for cg in "$GLOBS/other-1" "$GLOBS/other-2/round-1" "$USERS/bulwark-nc-loop.service" \
		"$USERS/libpod-$CTR_ID.scope" "$ROOT/bulwark-nc-plain/bulwark-nc-loop.service" \
		"$CTRS/libpod-${CTR_ID:0:11}x.scope"; do
		mkdir -p "$(dirname "$cg")"
		got=$(first_exec "$cg")
		[ "$got" = ran ] || fail "$cg: $got, expected it to run (no selector names it)"
	done
	rmdir "$GLOBS/other-2" "$ROOT/bulwark-nc-plain"
}

# The policy that governs a cgroup also decides who may move into it: a task
# of the glob's policy may not move itself into a new cgroup the unit's
# policy governs, even one made after apply (escape); within its own
# policy's cgroups it may.
test_moving_into_a_new_cgroup_of_another_policy_is_refused() {
	mkdir "$GLOBS/round-home" "$SLICE/bulwark-nc-loop.service" "$GLOBS/round-next"
	# (sh exits 2 when a redirection fails)
	expect_rc 2 sh -c 'echo $$ > "$1/cgroup.procs" && echo $$ > "$2/cgroup.procs"' _ \
		"$GLOBS/round-home" "$SLICE/bulwark-nc-loop.service"
	expect_match 'Operation not permitted'
	expect_rc 0 sh -c 'echo $$ > "$1/cgroup.procs" && echo $$ > "$2/cgroup.procs"' _ \
		"$GLOBS/round-home" "$GLOBS/round-next"
	rmdir "$GLOBS/round-home" "$SLICE/bulwark-nc-loop.service" "$GLOBS/round-next"
}

test_a_cgroup_made_before_the_next_apply_is_governed_by_it() {
	mkdir "$GLOBS/later-1"
	{
		newcg_policy glob 'cgroup: /bulwark-nc-globs/later-*'
	} > "$W/later.yaml"
	newcg_apply "$W/later.yaml"
	expect_rc 126 sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2"' _ "$GLOBS/later-1" "$W/denied"
	expect_match 'Operation not permitted'
	# The old generation's selectors went with it.
	got=$(first_exec "$GLOBS/round-gone")
	[ "$got" = ran ] || fail "a cgroup of the replaced generation's glob: $got"
	rmdir "$GLOBS/later-1"
}

test_unload_leaves_nothing() {
	expect_rc 0 "$BULWARK" unload
	expect_rc 0 "$W/denied"
	if [ "$NEWCG_BACKEND" = kmod ]; then
		expect_rc 0 rmmod bulwark
	fi
	rmdir "$SLICE" "$GLOBS" "$CTRS" "$USERS" "$(dirname "$USERS")" \
		"$(dirname "$(dirname "$USERS")")" 2> /dev/null || true
}

# run-suite: the tests above, in order (they are defined here, not in the suite file).
suite_tests() {
	sed -n 's/^\(test_[a-z0-9_]*\)() {$/\1/p' "$BULWARK_REPO/tests/vm/new-cgroups.sh"
}
