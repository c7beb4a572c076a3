# The conformance suite's guest side (tests/conformance/, see its README.md),
# shared by the suites tests/vm/suites/conformance-{1,2,3}.sh (the BPF LSM
# backend) and conformance-kmod-{1,2,3}.sh (bulwark.ko). Each runs one part
# of the scenarios, one test per scenario, named test_SCENARIO: part 1 the
# first, fourth, seventh... in name order, part 2 the second, fifth...,
# part 3 the rest, so the scenarios spread over three guests and each stays
# well inside its time limit (two halves took 262 s of 300 on a slow 2-core
# machine). A suite sets CONFORMANCE_BACKEND (bpf or kmod) and
# CONFORMANCE_PART (1, 2 or 3), then sources this file.
CONFORMANCE_PARTS=3

conformance() { # SCENARIO...
	"$BULWARK_REPO/tests/conformance/run" --backend "$CONFORMANCE_BACKEND" "$@"
}

conformance_scenarios() {
	conformance --list |
		awk -v part="$CONFORMANCE_PART" -v parts="$CONFORMANCE_PARTS" '(NR - 1) % parts == part - 1'
}

# run-suite takes the list of tests from suite_tests when a suite has it.
suite_tests() {
	local s
	echo test_the_backend_loads
	for s in $(conformance_scenarios); do
		echo "test_$s"
	done
	if [ "$CONFORMANCE_BACKEND" = kmod ]; then
		echo test_the_module_unloads_cleanly
	fi
}

for _scenario in $(conformance_scenarios); do
	eval "test_$_scenario() { conformance $_scenario; }"
done
unset _scenario

# The BPF backend: the first bulwark exec loads and verifies the programs,
# which under TCG takes longer than a scenario step may: once, up front.
# The module: loaded, and usable.
test_the_backend_loads() {
	if [ "$CONFORMANCE_BACKEND" = kmod ]; then
		expect_rc 0 insmod "$KMOD"
		module_loaded
		expect_rc 0 "$BULWARK" status
		expect_match '^kmod: usable: '
		return
	fi
	printf 'apiVersion: bulwark/v1\nkind: Policy\nmetadata: {name: load}\nspec: {selector: {host: true}}\n' \
		> /tmp/bulwark-load.yaml
	expect_rc 0 "$BULWARK" exec --policy /tmp/bulwark-load.yaml -- true
}

test_the_module_unloads_cleanly() {
	expect_rc 0 "$BULWARK" unload
	expect_rc 0 "$BULWARK" status
	expect_match '^enforcing: nothing$'
	expect_rc 0 rmmod bulwark
	refute module_loaded
}
