# daemon-lifecycle.sh on bulwark.ko: bulwarkd --backend kmod (a drop-in),
# the module loaded from the build before the package is installed. The
# module keeps its events while no bulwarkd listens (a stop and a start
# forward them exactly once) and until the bulwarkd that logged them
# acknowledges them, so a kill -9 loop loses none either.
# vm-append: bulwark_init=systemd
# vm-kernels: 6.1
# vm-timeout: 600
LIFECYCLE_BACKEND=kmod
# shellcheck source=daemon-lifecycle.sh
. "$BULWARK_REPO/tests/vm/suites/daemon-lifecycle.sh"

# run-suite: the tests of daemon-lifecycle.sh, in order.
suite_tests() {
	sed -n 's/^\(test_[a-z0-9_]*\)() {$/\1/p' "$BULWARK_REPO/tests/vm/suites/daemon-lifecycle.sh"
}
