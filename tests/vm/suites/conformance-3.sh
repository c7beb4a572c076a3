# The conformance suite against the BPF LSM backend,
# part 3 of 3 of the scenarios (tests/vm/conformance.sh).
CONFORMANCE_BACKEND=bpf
CONFORMANCE_PART=3
# shellcheck source=../conformance.sh
. "$BULWARK_REPO/tests/vm/conformance.sh"
