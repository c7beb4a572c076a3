# New workloads are governed from their first exec, on bulwark.ko
# (tests/vm/new-cgroups.sh).
NEWCG_BACKEND=kmod
# shellcheck source=../new-cgroups.sh
. "$BULWARK_REPO/tests/vm/new-cgroups.sh"
