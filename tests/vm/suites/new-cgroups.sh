# New workloads are governed from their first exec, on the BPF backend
# (tests/vm/new-cgroups.sh).
NEWCG_BACKEND=bpf
# shellcheck source=../new-cgroups.sh
. "$BULWARK_REPO/tests/vm/new-cgroups.sh"
