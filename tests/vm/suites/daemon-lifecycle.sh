# bulwarkd's life as a service (the guest and the package as in daemon.sh):
# kill -9 loses no enforcement and the daemon systemd restarts adopts what
# runs without a new generation; stop keeps enforcement; a unit systemd
# starts anew is governed from its first exec; apt purge of the
# running service ends enforcement and leaves nothing behind; what the
# kernel denied while no bulwarkd ran reaches the journal when one runs
# again. BPF backend (daemon-lifecycle-kmod.sh: the same on bulwark.ko);
# policies on /sys/fs/cgroup/bulwark-test.
# vm-append: bulwark_init=systemd
# vm-timeout: 600

# shellcheck source=../lifecycle.sh
. "$BULWARK_REPO/tests/vm/lifecycle.sh"
# shellcheck source=../daemon-lib.sh
. "$BULWARK_REPO/tests/vm/daemon-lib.sh"
KILL_ROUNDS=20
BACKEND=${LIFECYCLE_BACKEND:-bpf}
UNIT_ROUNDS=${UNIT_ROUNDS:-100}

# secret_denials_journaled: how many denied opens of $W/secret the journal has.
secret_denials_journaled() {
	journalctl -u bulwarkd BULWARK_OP=open BULWARK_OBJECT="$W/secret" -o cat --no-pager |
		grep -c . || true
}

generation_above() { [ "$(field generation)" -gt "$1" ]; }

journaled_at_least() { [ "$(secret_denials_journaled)" -ge "$1" ]; }

# denied_count: the denials the kernel counted (the policy's, or the module's).
denied_count() {
	"$BULWARK" status --json |
		jq 'if .enforcing.backend == "kmod" then .enforcing.denied else .enforcing.policies[0].denied end'
}

test_installed_and_started() {
	if [ "$BACKEND" = kmod ]; then
		expect_rc 0 insmod "$KMOD"
		mkdir -p /run/systemd/system/bulwarkd.service.d
		printf '[Service]\nExecStart=\nExecStart=/usr/sbin/bulwarkd --backend kmod\n' \
			> /run/systemd/system/bulwarkd.service.d/backend.conf
		systemctl daemon-reload
	fi
	install_and_start
	expect_rc 0 systemctl show -p StatusText bulwarkd
	expect_match '^StatusText=generation 1, 1 policies, 1 reloads, 0 rejected'
	expect_rc 1 in_cg cat "$W/secret"
}

# kill -9 while a workload runs: enforcement never stops, and the daemon
# systemd restarts adopts the running generation instead of installing one.
# Each round's denial happens while no bulwarkd runs; the next one forwards
# it to the journal (its cursor), so none is lost.
test_kill_9_loses_no_enforcement_and_is_adopted() {
	local i pid denied_before denied_after journaled_before journaled
	wait_until 20 journaled_at_least 1
	journaled_before=$(secret_denials_journaled)
	mkdir -p /run/systemd/system/bulwarkd.service.d
	printf '[Service]\nRestartSec=100ms\n' > /run/systemd/system/bulwarkd.service.d/fast.conf
	systemctl daemon-reload
	denied_before=$(denied_count)
	for i in $(seq "$KILL_ROUNDS"); do
		pid=$(main_pid)
		kill -9 "$pid"
		refute in_cg cat "$W/secret"
		wait_until 60 sh -c "[ \"\$(systemctl show -p MainPID --value bulwarkd)\" != $pid ] &&
			[ \"\$(systemctl show -p MainPID --value bulwarkd)\" != 0 ] &&
			systemctl is-active -q bulwarkd"
		wait_until 30 grep -q '^last=adopted generation 1 ' "$STATUS"
	done
	denied_after=$(denied_count)
	echo "# $KILL_ROUNDS kill -9 rounds; denials counted $denied_before -> $denied_after"
	[ "$denied_after" -ge $((denied_before + KILL_ROUNDS)) ] ||
		fail "denials $denied_before -> $denied_after over $KILL_ROUNDS denied opens"
	# None lost: on bulwark.ko too, whose events stay queued until the
	# bulwarkd that logged them acknowledges them (a killed one cannot).
	wait_until 20 journaled_at_least $((journaled_before + KILL_ROUNDS))
	sleep 2
	journaled=$(secret_denials_journaled)
	echo "# journaled denials $journaled_before -> $journaled ($KILL_ROUNDS made across kill -9)"
	expect_rc 0 "$BULWARK" status
	expect_match "^enforcing: $BACKEND, generation 1(,|$)"
	rm -f /run/systemd/system/bulwarkd.service.d/fast.conf
	systemctl daemon-reload
}

test_stop_keeps_enforcement() {
	expect_rc 0 systemctl stop bulwarkd
	secret_denials_journaled > "$W/journaled-at-stop"
	expect_rc 1 in_cg cat "$W/secret"
	expect_rc 0 "$BULWARK" status
	expect_match "^enforcing: $BACKEND, generation 1(,|$)"
	expect_match '^daemon: bulwarkd not running'
	expect_rc 0 journalctl -u bulwarkd -o cat --no-pager
	expect_match '^stopped: generation 1 stays enforced$'
}

# Started again, it adopts what runs and forwards the denial made while it
# was stopped, exactly once: nothing taken before the stop comes again.
test_a_restart_journals_what_was_denied_while_it_was_stopped() {
	local before
	before=$(cat "$W/journaled-at-stop")
	expect_rc 0 systemctl start bulwarkd
	wait_until 30 grep -q '^last=adopted generation 1 ' "$STATUS"
	wait_until 20 journaled_at_least $((before + 1))
	sleep 1
	[ "$(secret_denials_journaled)" = $((before + 1)) ] ||
		fail "journaled denials $before -> $(secret_denials_journaled), expected one more"
}

# A confined unit started again and again (systemctl start: a fresh cgroup
# each time, made by systemd, the unit's first exec the file its policy
# denies), UNIT_ROUNDS times: the kernel decides the new cgroup by its unit
# name before that exec, with no daemon in the path. The file is touch(1):
# a start it ran in leaves its mark.
test_a_unit_systemd_starts_anew_is_governed_from_its_first_exec() {
	local i g before after
	cp /usr/bin/touch "$W/denied"
	cat > /run/systemd/system/bulwark-loop.service <<-UNIT
		[Unit]
		# (the guest's boot reaches no basic.target for a job to wait on)
		DefaultDependencies=no
		StartLimitIntervalSec=0
		[Service]
		Type=oneshot
		ExecStart=$W/denied $W/ran
	UNIT
	expect_rc 0 systemctl daemon-reload
	g=$(field generation)
	cat > "$D/unit.yaml" <<-POLICY
		apiVersion: bulwark/v1
		kind: Policy
		metadata: {name: unit}
		spec:
		  selector: {systemdUnit: bulwark-loop.service}
		  exec:
		    default: allow
		    deny: [{path: $W/denied}]
	POLICY
	wait_until 30 field_is generation $((g + 1)) || return 1
	before=$("$BULWARK" events --json | grep -c "\"object\":\"$W/denied\"" || true)
	for i in $(seq "$UNIT_ROUNDS"); do
		systemctl start bulwark-loop.service > "$W/start.out" 2>&1 || :
	done
	after=$("$BULWARK" events --json | grep -c "\"object\":\"$W/denied\"" || true)
	echo "# $UNIT_ROUNDS starts of bulwark-loop.service: $([ -e "$W/ran" ] && echo "it ran" ||
		echo "none ran"), $((after - before)) exec denials"
	expect_rc 0 systemctl show -p ExecMainStatus -p Result bulwark-loop.service
	expect_match '^ExecMainStatus=203$' # systemd's EXIT_EXEC: the exec failed
	[ ! -e "$W/ran" ] || fail "a start of bulwark-loop.service ran the denied file"
	[ $((after - before)) = "$UNIT_ROUNDS" ] ||
		fail "$((after - before)) denial events for $UNIT_ROUNDS starts"
	# Outside the unit the same file runs: the loop could have failed.
	expect_rc 0 "$W/denied" "$W/ran-outside"
	rm -f "$D/unit.yaml" "$W/ran-outside" /run/systemd/system/bulwark-loop.service
	systemctl reset-failed bulwark-loop.service 2> /dev/null || :
	systemctl daemon-reload
	wait_until 30 field_is generation $((g + 2))
}

# start_learning UNIT OUT ERR: bulwark learn --unit UNIT -o OUT in the
# background (stderr to ERR, its pid in LEARN_PID), once it is learning.
start_learning() {
	"$BULWARK" learn --unit "$1" --duration 10m -o "$2" > /dev/null 2> "$3" &
	LEARN_PID=$!
	wait_until 60 grep -q '^bulwark: learning ' "$3" || {
		cat "$3" >&2
		fail "learn did not start"
	}
}

# bulwark learn --unit under the running bulwarkd: a unit systemd starts
# while learning is learned from its first exec; the policy written, dropped
# into the policy directory, lets the next start through with no denial.
test_learn_a_unit_then_enforce_what_it_learned() {
	local g before after rc=0
	mkdir -p "$W/unit-out"
	cat > /run/systemd/system/bulwark-learn.service <<-UNIT
		[Unit]
		DefaultDependencies=no
		StartLimitIntervalSec=0
		[Service]
		Type=oneshot
		ExecStart=/usr/bin/cp /etc/os-release $W/unit-out/copy
	UNIT
	expect_rc 0 systemctl daemon-reload
	start_learning bulwark-learn.service "$W/unit-learned.yaml" "$W/learn.err" || return 1
	systemctl start bulwark-learn.service ||
		journalctl -u bulwark-learn.service -o cat --no-pager | sed 's/^/# unit: /' >&2
	expect_rc 0 systemctl show -p ExecMainStatus -p Result bulwark-learn.service
	expect_match '^Result=success$'
	kill -INT "$LEARN_PID"
	wait "$LEARN_PID" || rc=$?
	sed 's/^/# /' "$W/learn.err"
	[ "$rc" = 0 ] || fail "bulwark learn exited $rc"
	expect_rc 0 "$BULWARK" check "$W/unit-learned.yaml"
	OUT=$(cat "$W/unit-learned.yaml")
	expect_match '^    systemdUnit: "bulwark-learn.service"$'
	expect_match '^      - package: coreutils$'
	expect_match "^      - path: \"$W/unit-out/\\*\"$"
	# Enforced by bulwarkd from the policy directory. (learn's own installs
	# moved the kernel's generation on: bulwarkd's next one is above both.)
	g=$(field generation)
	rm -f "$W/unit-out/copy"
	cp "$W/unit-learned.yaml" "$D/unit-learned.yaml"
	wait_until 30 generation_above "$g" || return 1
	g=$(field generation)
	before=$("$BULWARK" events --json | grep -c '"policy":"bulwark-learn-learned"' || true)
	expect_rc 0 systemctl start bulwark-learn.service
	[ -s "$W/unit-out/copy" ] || fail "the unit did not do its work under its learned policy"
	after=$("$BULWARK" events --json | grep -c '"policy":"bulwark-learn-learned"' || true)
	[ "$after" = "$before" ] || fail "$((after - before)) denials of the learned unit"
	# And what it did not do is denied: the same unit copying a file it never read.
	sed -i "s|/etc/os-release|/var/lib/dpkg/status|" /run/systemd/system/bulwark-learn.service
	systemctl daemon-reload
	expect_rc 1 systemctl start bulwark-learn.service
	after=$("$BULWARK" events --json | grep -c '"policy":"bulwark-learn-learned"' || true)
	[ "$after" -gt "$before" ] || fail "no denial event for what the unit never did"
	rm -f "$D/unit-learned.yaml" /run/systemd/system/bulwark-learn.service
	systemctl reset-failed bulwark-learn.service 2> /dev/null || :
	systemctl daemon-reload
	wait_until 30 field_is generation $((g + 1))
}

# A learn killed with SIGKILL cannot end its session; bulwarkd notices
# within seconds and reinstalls without it.
test_bulwarkd_removes_the_session_of_a_killed_learn() {
	start_learning bulwark-learn-killed.service "$W/killed.yaml" "$W/learn-killed.err" ||
		return 1
	[ -n "$(ls /run/bulwark/sessions)" ] || fail "no session while learning"
	kill -KILL "$LEARN_PID"
	wait "$LEARN_PID" || :
	wait_until 30 sh -c '[ -z "$(ls /run/bulwark/sessions)" ]' || return 1
	wait_until 10 sh -c "journalctl -u bulwarkd -o cat --no-pager |
		grep -q 'removed 1 learning session its bulwark learn left'"
	[ ! -e "$W/killed.yaml" ] || fail "a killed learn wrote a policy"
}

test_purge_removes_everything() {
	# The package goes while the service runs.
	systemctl is-active -q bulwarkd || fail "bulwarkd is not running"
	expect_rc 1 in_cg cat "$W/secret"
	# dpkg, as apt purge runs it (apt's own dependency pass adds half a minute under TCG).
	expect_rc 0 dpkg --purge bulwark
	refute systemctl is-active bulwarkd
	# Removing the package ended enforcement: nothing could unload it later.
	expect_rc 0 in_cg cat "$W/secret"
	[ ! -e /sys/fs/bpf/bulwark ] || fail "/sys/fs/bpf/bulwark is still there"
	local left
	left=$(ls -d /usr/sbin/bulwark /usr/sbin/bulwarkd /lib/systemd/system/bulwarkd.service \
		/etc/systemd/system/sysinit.target.wants/bulwarkd.service /etc/bulwark /run/bulwark \
		/usr/share/man/man8/bulwarkd.8.gz /usr/share/doc/bulwark 2>/dev/null || true)
	[ -z "$left" ] || fail "left after purge: $left"
	expect_rc 1 dpkg -s bulwark
}
