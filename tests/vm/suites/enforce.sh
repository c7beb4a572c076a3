# The BPF backend's lifecycle, through `bulwark apply`: enforcement outlives
# the command, the next command adopts what is pinned, generations switch
# atomically (also under load), a rejected apply changes nothing, events and
# counters add up, a full ring buffer is counted, and unload removes it all.
# What each policy means, scenario by scenario, is the conformance suite's.
# Policies here are scoped to a test cgroup, /sys/fs/cgroup/bulwark-test.

CG=/sys/fs/cgroup/bulwark-test
W=/tmp/bulwark-enforce
# shellcheck source=../lifecycle.sh
. "$BULWARK_REPO/tests/vm/lifecycle.sh"

test_nothing_is_enforced_before_apply() {
	setup
	expect_rc 0 "$BULWARK" status
	expect_match '^enforcing: nothing$'
	expect_rc 1 "$BULWARK" events
	expect_match 'nothing is loaded'
	[ ! -e /sys/fs/bpf/bulwark ]
}

# A load killed after libbpf pinned the maps, before the programs: the
# next command must not be wedged by what it left.
test_an_interrupted_load_is_cleared_by_the_next() {
	mkdir -p /sys/fs/bpf/bulwark
	bpftool map create /sys/fs/bpf/bulwark/bw_config type array key 4 value 16 entries 1 \
		name bw_config
	expect_rc 0 "$BULWARK" status
	expect_match '^enforcing: nothing$'
	expect_rc 1 "$BULWARK" events
	expect_match 'an interrupted load left maps'
}

test_apply_enforces_on_the_selected_cgroup_only() {
	setup
	expect_rc 0 "$BULWARK" apply "$W/v1.yaml"
	expect_match '^generation 1 applied: 1 policies'
	expect_rc 1 in_cg cat "$W/secret"
	expect_match 'Operation not permitted'
	expect_rc 0 in_cg cat "$W/public"
	# Outside the cgroup nothing changes.
	expect_rc 0 cat "$W/secret"
}

test_enforcement_outlives_the_command_and_is_adopted() {
	# The apply above exited; its programs and maps stay pinned.
	ls /sys/fs/bpf/bulwark/link_bulwark_open /sys/fs/bpf/bulwark/bw_paths > /dev/null
	expect_rc 1 in_cg cat "$W/secret"
	expect_rc 0 "$BULWARK" status
	expect_match '^enforcing: bpf, generation 1$'
	expect_match '^policy web: enforce, 2 rules, [0-9]+ allowed, [1-9][0-9]* denied, 0 audited$'
}

test_events_report_each_denial_once() {
	local before after
	before=$("$BULWARK" events --json | wc -l)
	expect_rc 1 in_cg cat "$W/secret"
	expect_rc 1 in_cg bash -c "exec 3<>/dev/tcp/127.0.0.2/9"
	after=$("$BULWARK" events --json | wc -l)
	[ $((after - before)) = 2 ] || fail "expected 2 new events, got $((after - before))"
	"$BULWARK" events --json | tail -2 > "$W/ev"
	OUT=$(cat "$W/ev")
	expect_match '"policy":"web","operation":"open","object":"/tmp/bulwark-enforce/secret","access":\["read"\],"class":"file","rule":1,"verdict":"deny"'
	expect_match '"operation":"connect","object":"127.0.0.2:9","access":\["connect"\],"class":"egress","rule":2,"verdict":"deny"'
	expect_match '"comm":"cat","exe":"/usr/bin/cat"'
	expect_rc 0 "$BULWARK" events
	expect_match 'bulwark: deny open /tmp/bulwark-enforce/secret: policy web, rule 1; pid [0-9]+ \(cat\) exe /usr/bin/cat'
}

test_status_json_has_counters_and_rules() {
	expect_rc 0 "$BULWARK" status --json
	jq -e '.enforcing.backend == "bpf" and .enforcing.events_dropped == 0' <<< "$OUT" > /dev/null
	jq -e '.enforcing.policies[0] | .name == "web" and .mode == "enforce" and .rules == 2 and .denied >= 3 and .allowed >= 1' <<< "$OUT" > /dev/null
}

# A file opened again by the same name is answered by the verdict kept with
# its inode; changing its name voids it (kept-verdicts-follow-names.scn).
test_repeated_opens_use_kept_verdicts() {
	local before after
	before=$("$BULWARK" status --json | jq -r '.enforcing.kept_verdicts_used')
	expect_rc 0 in_cg sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do cat "$0" > /dev/null || exit 1; done' "$W/public"
	after=$("$BULWARK" status --json | jq -r '.enforcing.kept_verdicts_used')
	echo "# kept verdicts used: $before, then $after"
	[ "$after" -ge $((before + 9)) ] || fail "ten opens of one file used $((after - before)) kept verdicts"
	expect_rc 1 in_cg cat "$W/secret"
	expect_rc 1 in_cg cat "$W/secret"
	expect_rc 0 "$BULWARK" status
	expect_match '^decisions: [0-9]+, answered by kept verdicts: [0-9]+$'
}

test_a_rejected_apply_changes_nothing() {
	local gen
	gen=$(generation)
	printf 'apiVersion: bulwark/v1\nkind: Policy\nmetadata: {name: bad}\nspec: {selector: {host: true}, bogus: 1}\n' > "$W/bad.yaml"
	expect_rc 1 "$BULWARK" apply "$W/bad.yaml"
	expect_match 'nothing applied'
	[ "$(generation)" = "$gen" ] || fail "generation moved from $gen"
	expect_rc 1 in_cg cat "$W/secret"
	expect_rc 0 "$BULWARK" status
	expect_match '^policy web: enforce'
	expect_no_match 'policy bad'
}

test_reapply_switches_generation_and_compiled_images_apply() {
	local gen
	gen=$(generation)
	expect_rc 0 "$BULWARK" compile -o "$W/v2.img" "$W/v2.yaml"
	expect_rc 0 "$BULWARK" apply "$W/v2.img"
	[ "$(generation)" = $((gen + 1)) ] || fail "generation did not move on from $gen"
	expect_rc 0 "$BULWARK" status
	expect_match '^policy web: enforce, 3 rules, 0 allowed, 0 denied, 0 audited$'
	expect_rc 1 in_cg cat "$W/secret"
}

test_audit_mode_allows_and_reports() {
	local before after
	expect_rc 0 "$BULWARK" apply "$W/audit.yaml"
	before=$("$BULWARK" events --json | wc -l)
	expect_rc 0 in_cg cat "$W/secret"
	after=$("$BULWARK" events --json | wc -l)
	[ $((after - before)) = 1 ] || fail "expected 1 new event, got $((after - before))"
	OUT=$("$BULWARK" events --json | tail -1)
	expect_match '"operation":"open","object":"/tmp/bulwark-enforce/secret".*"verdict":"audit"'
	expect_rc 0 "$BULWARK" status
	expect_match '^policy web: audit, 2 rules, [0-9]+ allowed, 0 denied, 1 audited$'
}

# Workers hammer an allowed and a denied open while generations switch
# under them; every answer must be right, every time.
test_no_wrong_answer_while_generations_switch() {
	no_wrong_answer_while_generations_switch
}

test_a_full_ring_buffer_is_counted_not_silent() {
	local dropped
	# Nobody drains the ring meanwhile; 6,000 denials overflow its 4 MiB.
	in_cg bash -c 'for i in $(seq 6000); do { : < "$1/secret"; } 2> /dev/null; done; true' _ "$W"
	dropped=$("$BULWARK" status --json | jq -r '.enforcing.events_dropped')
	echo "# events dropped: $dropped"
	[ "$dropped" -gt 0 ] || fail "6,000 undrained denials, no drop counted"
	expect_rc 0 "$BULWARK" status
	expect_match "^events dropped: $dropped,"
}

# apply admits a pinned file by opening it and having the file_open program
# recognise its thread: also when the controller runs in a pid namespace of
# its own (in a container), where its thread ids are not the kernel's.
test_a_controller_in_a_pid_namespace_admits_files() {
	local sum
	printf '#!/bin/sh\nexit 0\n' > "$W/pinned"
	chmod +x "$W/pinned"
	sum=$(sha256sum "$W/pinned" | cut -d' ' -f1)
	cat > "$W/pinned.yaml" <<EOF
apiVersion: bulwark/v1
kind: Policy
metadata:
  name: pinned
spec:
  selector:
    cgroup: /bulwark-test
  exec:
    default: deny
    allow:
      - {path: $W/pinned, sha256: $sum}
      - path: /usr/
EOF
	expect_rc 0 unshare --pid --fork "$BULWARK" apply "$W/pinned.yaml"
	expect_match '1 files admitted by identity'
	expect_rc 0 in_cg "$W/pinned"
}

test_unload_removes_everything() {
	expect_rc 0 "$BULWARK" unload
	expect_match 'unloaded'
	[ ! -e /sys/fs/bpf/bulwark ] || fail "/sys/fs/bpf/bulwark is still there"
	expect_rc 0 in_cg cat "$W/secret"
	expect_rc 0 "$BULWARK" status
	expect_match '^enforcing: nothing$'
	expect_rc 0 "$BULWARK" unload
	expect_match 'nothing was loaded'
}
