# The conformance suite (tests/conformance/, see its README.md): every
# scenario against the BPF LSM backend, one test per scenario, named
# test_SCENARIO. A failing test prints the runner's diagnostics.

conformance() { # SCENARIO...
	"$BULWARK_REPO/tests/conformance/run" --backend bpf "$@"
}

# run-suite takes the list of tests from suite_tests when a suite has it.
suite_tests() {
	local s
	echo test_the_backend_loads
	for s in $(conformance --list); do
		echo "test_$s"
	done
}

for _scenario in $(conformance --list); do
	eval "test_$_scenario() { conformance $_scenario; }"
done
unset _scenario

# The first bulwark exec loads and verifies the programs, which under TCG
# takes longer than a scenario step may: do it once, up front.
test_the_backend_loads() {
	printf 'apiVersion: bulwark/v1\nkind: Policy\nmetadata: {name: load}\nspec: {selector: {host: true}}\n' \
		> /tmp/bulwark-load.yaml
	expect_rc 0 "$BULWARK" exec --policy /tmp/bulwark-load.yaml -- true
}
