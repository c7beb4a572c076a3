# The conformance suite against the kernel-module backend (bulwark.ko),
# part 3 of 3 of the scenarios (tests/vm/conformance.sh).
CONFORMANCE_BACKEND=kmod
CONFORMANCE_PART=3
# shellcheck source=../conformance.sh
. "$BULWARK_REPO/tests/vm/conformance.sh"
