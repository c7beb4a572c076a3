# The conformance suite (tests/conformance/, see its README.md) against the
# kernel-module backend: bulwark.ko is loaded first, then every scenario
# runs with --backend kmod, one test per scenario, named test_SCENARIO, the
# same scenarios the BPF backend passes (conformance.sh).

conformance() { # SCENARIO...
	"$BULWARK_REPO/tests/conformance/run" --backend kmod "$@"
}

suite_tests() {
	local s
	echo test_the_module_loads
	for s in $(conformance --list); do
		echo "test_$s"
	done
	echo test_the_module_unloads_cleanly
}

for _scenario in $(conformance --list); do
	eval "test_$_scenario() { conformance $_scenario; }"
done
unset _scenario

test_the_module_loads() {
	expect_rc 0 insmod "$KMOD"
	module_loaded
	expect_rc 0 "$BULWARK" status
	expect_match '^kmod: usable: '
}

test_the_module_unloads_cleanly() {
	expect_rc 0 "$BULWARK" unload
	expect_rc 0 "$BULWARK" status
	expect_match '^enforcing: nothing$'
	expect_rc 0 rmmod bulwark
	refute module_loaded
}
