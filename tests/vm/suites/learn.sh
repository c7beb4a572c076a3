# bulwark learn on the BPF backend (tests/vm/learn.sh).
LEARN_BACKEND=bpf
# shellcheck source=../learn.sh
. "$BULWARK_REPO/tests/vm/learn.sh"
