# The kernel module's lifecycle through the controller, on a kernel booted
# without bpf in its LSM list (where fleets need the module): the controller
# falls back to bulwark.ko by itself, enforcement outlives the command,
# generations switch atomically (also under load), a rejected apply changes
# nothing, events and counters add up, a flood of events is counted, and
# the module loads and unloads under load with a policy in force.
# What each policy means, scenario by scenario, is the conformance suite's
# (conformance-kmod-1.sh, -2.sh). Policies are scoped to /sys/fs/cgroup/bulwark-test.
# vm-append: lsm=lockdown,capability,yama

CG=/sys/fs/cgroup/bulwark-test
W=/tmp/bulwark-kmod
# shellcheck source=../lifecycle.sh
. "$BULWARK_REPO/tests/vm/lifecycle.sh"

test_without_the_module_apply_says_why_nothing_can_enforce() {
	setup
	expect_rc 1 "$BULWARK" apply "$W/v1.yaml"
	expect_match 'BPF LSM is not active'
	expect_match 'bulwark.ko is not loaded either \(modprobe bulwark\)'
	expect_rc 1 "$BULWARK" apply --backend kmod "$W/v1.yaml"
	expect_match 'bulwark.ko is not loaded \(modprobe bulwark\)'
}

test_apply_falls_back_to_the_module_and_enforces_on_the_cgroup_only() {
	expect_rc 0 insmod "$KMOD"
	expect_rc 0 "$BULWARK" apply "$W/v1.yaml"
	expect_match '^generation [0-9]+ applied: 1 policies'
	expect_rc 1 in_cg cat "$W/secret"
	expect_match 'Operation not permitted'
	expect_rc 0 in_cg cat "$W/public"
	expect_rc 1 in_cg bash -c "exec 3<>/dev/tcp/127.0.0.2/9"
	expect_match 'Operation not permitted'
	expect_rc 0 cat "$W/secret"
}

test_status_reports_the_module_enforcing() {
	expect_rc 0 "$BULWARK" status
	expect_match '^kmod: usable: bulwark.ko '
	expect_match '^enforcing: kmod, generation [0-9]+, 1 policies, [0-9]+ kernel functions hooked$'
	expect_match '^decisions: [0-9]+, denied: [2-9][0-9]*, audited: 0$'
	expect_rc 0 "$BULWARK" status --json
	jq -e '.enforcing.backend == "kmod" and .enforcing.policy_count == 1 and .enforcing.hooks > 20 and .enforcing.events_dropped == 0' \
		<<< "$OUT" > /dev/null || fail "status --json: $OUT"
}

test_events_report_each_denial_once_with_who_and_what() {
	local before after
	before=$("$BULWARK" events --json | wc -l)
	expect_rc 1 in_cg cat "$W/secret"
	expect_rc 1 in_cg bash -c "exec 3<>/dev/tcp/127.0.0.2/9"
	after=$("$BULWARK" events --json | wc -l)
	[ $((after - before)) = 2 ] || fail "expected 2 new events, got $((after - before))"
	OUT=$("$BULWARK" events --json | tail -2)
	expect_match '"policy":"web","operation":"open","object":"/tmp/bulwark-kmod/secret","access":\["read"\],"class":"file","rule":1,"verdict":"deny"'
	expect_match '"operation":"connect","object":"127.0.0.2:9","access":\["connect"\],"class":"egress","rule":2,"verdict":"deny"'
	expect_match '"comm":"cat","exe":"/usr/bin/cat"'
	expect_rc 0 "$BULWARK" events
	expect_match 'bulwark: deny open /tmp/bulwark-kmod/secret: policy web, rule 1; pid [0-9]+ \(cat\) exe /usr/bin/cat'
}

test_a_rejected_apply_changes_nothing() {
	local gen
	gen=$(generation)
	printf 'apiVersion: bulwark/v1\nkind: Policy\nmetadata: {name: bad}\nspec: {selector: {host: true}, bogus: 1}\n' > "$W/bad.yaml"
	expect_rc 1 "$BULWARK" apply "$W/bad.yaml"
	expect_match 'nothing applied'
	[ "$(generation)" = "$gen" ] || fail "generation moved from $gen"
	expect_rc 1 in_cg cat "$W/secret"
}

test_reapply_switches_generation_and_compiled_images_apply() {
	local gen
	gen=$(generation)
	expect_rc 0 "$BULWARK" compile -o "$W/v2.img" "$W/v2.yaml"
	expect_rc 0 "$BULWARK" apply "$W/v2.img"
	[ "$(generation)" = $((gen + 1)) ] || fail "generation did not move on from $gen"
	expect_rc 2 in_cg sh -c "echo x > $W/other"
	expect_match 'Operation not permitted'
	expect_rc 1 in_cg cat "$W/secret"
}

# An image larger than one netlink message arrives in chunks and is
# validated whole; its last rules enforce like its first.
test_a_large_image_loads_in_chunks() {
	local i size rules=
	for i in $(seq 3000); do
		rules+="      - {path: $W/many/file-$i, access: [read], action: deny}"$'\n'
	done
	policy big enforce "$rules" > "$W/big.yaml"
	mkdir -p "$W/many"
	echo x > "$W/many/file-2999"
	expect_rc 0 "$BULWARK" compile -o "$W/big.img" "$W/big.yaml"
	size=$(stat -c %s "$W/big.img")
	echo "# image of $size bytes"
	[ "$size" -gt 200000 ] || fail "the image is only $size bytes: not several chunks"
	expect_rc 0 "$BULWARK" apply "$W/big.img"
	expect_match ' 3001 path entries'
	expect_rc 1 in_cg cat "$W/many/file-2999"
	expect_rc 1 in_cg cat "$W/secret"
	expect_rc 0 in_cg cat "$W/public"
}

test_audit_mode_allows_and_reports() {
	local before after
	expect_rc 0 "$BULWARK" apply "$W/audit.yaml"
	before=$("$BULWARK" events --json | wc -l)
	expect_rc 0 in_cg cat "$W/secret"
	after=$("$BULWARK" events --json | wc -l)
	[ $((after - before)) = 1 ] || fail "expected 1 new event, got $((after - before))"
	OUT=$("$BULWARK" events --json | tail -1)
	expect_match '"operation":"open","object":"/tmp/bulwark-kmod/secret".*"verdict":"audit"'
}

# Workers hammer an allowed and a denied open while generations switch.
test_no_wrong_answer_while_generations_switch() {
	no_wrong_answer_while_generations_switch
}

# Nobody flushes meanwhile: the module keeps 4,096 events and counts the
# rest as dropped; a reader then gets every one it kept, flush by flush.
test_an_event_flood_is_counted_not_silent() {
	local dropped before after
	before=$("$BULWARK" events --json | wc -l)
	dropped=$("$BULWARK" status --json | jq -r '.enforcing.events_dropped')
	in_cg bash -c 'for i in $(seq 5000); do { : < "$1/secret"; } 2> /dev/null; done; true' _ "$W"
	dropped=$(($("$BULWARK" status --json | jq -r '.enforcing.events_dropped') - dropped))
	expect_rc 0 "$BULWARK" events --json
	after=$(wc -l <<< "$OUT")
	echo "# 5000 denials: $((after - before)) events read, $dropped dropped"
	[ "$dropped" -gt 0 ] || fail "5,000 unflushed denials, no drop counted"
	[ $((after - before + dropped)) = 5000 ] ||
		fail "$((after - before)) read + $dropped dropped is not the 5,000 denials"
}

# Load and unload with a policy in force while workers exec and open in the
# test cgroup: the hooks come and go under them; dmesg must stay clean.
test_module_loads_and_unloads_under_load() {
	local i worker
	rm -f "$W/stop"
	in_cg bash -c '
		while [ ! -e "$1/stop" ]; do
			/bin/true; : < "$1/public"; { : < "$1/secret"; } 2> /dev/null
		done' _ "$W" &
	worker=$!
	for i in 1 2 3; do
		expect_rc 0 "$BULWARK" unload
		expect_rc 0 rmmod bulwark
		refute module_loaded
		expect_rc 0 insmod "$KMOD"
		expect_rc 0 "$BULWARK" apply "$W/v1.yaml"
		expect_rc 1 in_cg cat "$W/secret"
	done
	# Unloading with a policy in force ends it too.
	expect_rc 0 rmmod bulwark
	expect_rc 0 in_cg cat "$W/secret"
	expect_rc 0 insmod "$KMOD"
	touch "$W/stop"
	wait "$worker"
}

test_unload_stops_enforcement_and_rmmod_is_clean() {
	expect_rc 0 "$BULWARK" apply "$W/v1.yaml"
	expect_rc 1 in_cg cat "$W/secret"
	expect_rc 0 "$BULWARK" unload
	expect_match '^unloaded: nothing is enforced$'
	expect_rc 0 in_cg cat "$W/secret"
	expect_rc 0 "$BULWARK" status
	expect_match '^enforcing: nothing$'
	expect_rc 0 rmmod bulwark
	refute module_loaded
	dmesg | grep -q 'bulwark: unloaded'
}
