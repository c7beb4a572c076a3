# bulwark learn on bulwark.ko (tests/vm/learn.sh), on the 6.12 line: on the
# 6.1 line, daemon-lifecycle-kmod learns a systemd unit on the module.
# vm-kernels: 6.12
LEARN_BACKEND=kmod
# shellcheck source=../learn.sh
. "$BULWARK_REPO/tests/vm/learn.sh"
