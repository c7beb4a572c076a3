# What the bulwarkd suites (daemon.sh, daemon-lifecycle.sh) share: the
# package to install, bulwarkd's status file, and waiting for it.
# Policies are on the test cgroup $CG (lifecycle.sh), files in $W.
CG=/sys/fs/cgroup/bulwark-test
W=/tmp/bulwark-daemon
D=/etc/bulwark/policies.d
STATUS=/run/bulwark/bulwarkd.status
# The installed command, from the package.
BULWARK=/usr/sbin/bulwark
DEB=$BULWARK_REPO/build/deb/bulwark_$("$BULWARK_REPO/dkms/stage" --version)_$(dpkg --print-architecture).deb
# shellcheck source=../lifecycle.sh
. "$BULWARK_REPO/tests/vm/lifecycle.sh"

# field KEY: a value from bulwarkd's status file.
field() {
	sed -n "s/^$1=//p" "$STATUS"
}

# wait_until SECONDS CMD...: CMD succeeds within SECONDS.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@" > /dev/null 2>&1; do
		[ $SECONDS -lt $end ] || { fail "'$*' still false after the wait"; return 1; }
		sleep 0.2
	done
}

field_is() { [ "$(field "$1")" = "$2" ]; }

# settled KEY VALUE: KEY reaches VALUE, and stays there past the debounce
# (a second reload of the same burst would show up here).
settled() {
	wait_until 30 field_is "$1" "$2"
	sleep 2
	[ "$(field "$1")" = "$2" ] || fail "$1 is $(field "$1"), expected it to stay $2"
}

# apt-get offline: the package's dependencies are the libraries already
# installed, so apt needs no package lists (reading the host's 19 MB of
# them under TCG takes a minute), and man-db need not rebuild its index.
apt_get() {
	rm -f /var/lib/man-db/auto-update
	mkdir -p /tmp/apt-lists/partial
	DEBIAN_FRONTEND=noninteractive apt-get -o Dir::State::Lists=/tmp/apt-lists "$@"
}

main_pid() {
	systemctl show -p MainPID --value bulwarkd
}

# install_and_start: the package installed with apt, a policy in place,
# and bulwarkd started (systemctl returns once it sent READY=1).
install_and_start() {
	setup
	expect_rc 0 apt_get install -y "$DEB"
	expect_rc 3 systemctl is-active bulwarkd
	expect_match '^inactive$'
	policy web enforce > "$D/web.yaml"
	expect_rc 0 systemctl enable --now bulwarkd
}
