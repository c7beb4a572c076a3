# bulwarkd as a systemd service: the guest boots with systemd as PID 1 (the
# host's), the bulwark package `make deb` built is installed with apt and
# bulwarkd started with systemctl. It is ready only when the kernel holds
# the policies and keeps only the capabilities it needs; denials reach the
# journal with their fields, rate-limited and counted; every way a policy
# lands in /etc/bulwark/policies.d gives exactly one reload; a bad policy is
# refused with file:line:col and the old generation enforcing; a start with
# a bad policy and nothing enforced fails visibly. (Restarts, stop and
# purge: daemon-lifecycle.sh.) BPF backend; policies scoped to
# /sys/fs/cgroup/bulwark-test.
# vm-append: bulwark_init=systemd
# vm-timeout: 600

# shellcheck source=../lifecycle.sh
. "$BULWARK_REPO/tests/vm/lifecycle.sh"
# shellcheck source=../daemon-lib.sh
. "$BULWARK_REPO/tests/vm/daemon-lib.sh"

test_systemd_is_pid_1_with_journald() {
	case $(readlink /proc/1/exe) in
	*/systemd/systemd) ;;
	*) fail "PID 1 is $(readlink /proc/1/exe)" ;;
	esac
	expect_rc 0 systemctl is-active systemd-journald
}

test_apt_install_and_start_is_ready_only_with_the_policy_enforced() {
	install_and_start
	expect_rc 0 systemctl show -p ActiveState -p SubState -p StatusText bulwarkd
	expect_match '^ActiveState=active$'
	expect_match '^SubState=running$'
	expect_match '^StatusText=generation 1, 1 policies, 1 reloads, 0 rejected: generation 1 applied \(start\)'
	expect_rc 1 in_cg cat "$W/secret"
	expect_match 'Operation not permitted'
	expect_rc 0 in_cg cat "$W/public"
	expect_rc 0 "$BULWARK" status
	expect_match '^enforcing: bpf, generation 1$'
	expect_match '^daemon: bulwarkd running \(pid [0-9]+\), 1 reloads, 0 rejected, 0 re-admitted, 0 refused; last: generation 1 applied'
}

# WatchdogSec=30s: sd-event sends WATCHDOG=1 at most every 15 s, and
# systemd stamps each one it receives.
watchdog_stamp() { systemctl show -P WatchdogTimestampMonotonic bulwarkd; }
watchdog_fed_since() { [ "$(watchdog_stamp)" -gt "$1" ]; }
test_the_watchdog_is_fed() {
	local first
	expect_rc 0 systemctl show -P WatchdogUSec bulwarkd
	expect_match '^30s$'
	first=$(watchdog_stamp)
	wait_until 25 watchdog_fed_since "${first:-0}"
}

test_it_keeps_only_the_capabilities_a_reload_needs() {
	# CAP_DAC_READ_SEARCH 2, NET_ADMIN 12, SYS_ADMIN 21, SYS_RESOURCE 24, PERFMON 38, BPF 39
	expect_rc 0 grep '^Cap' "/proc/$(main_pid)/status"
	expect_match '^CapEff:	000000c001201004$'
	expect_match '^CapPrm:	000000c001201004$'
	expect_match '^CapBnd:	000000c001201004$'
}

# journal_entry MATCH...: the newest bulwarkd journal entry matching, as JSON.
journal_entry() {
	journalctl -u bulwarkd "$@" -o json --no-pager | tail -n 1 | grep .
}

test_denials_reach_the_journal_with_their_fields() {
	expect_rc 1 in_cg cat "$W/secret"
	expect_rc 1 in_cg bash -c "exec 3<>/dev/tcp/127.0.0.2/9"
	wait_until 20 journal_entry BULWARK_OP=connect
	OUT=$(journal_entry BULWARK_OP=open BULWARK_OBJECT="$W/secret")
	jq -e --arg cg "$(stat -c %i "$CG")" '.BULWARK_POLICY == "web" and .BULWARK_RULE == "1" and
		.BULWARK_VERDICT == "deny" and .BULWARK_EXE == "/usr/bin/cat" and .BULWARK_COMM == "cat" and
		.BULWARK_CGROUP == $cg and .MESSAGE_ID == "4b5e0f3c8d2a4e7b9c1f6a3d5e8b0c27" and
		(.MESSAGE | startswith("bulwark: deny open /tmp/bulwark-daemon/secret: policy web, rule 1"))' \
		<<< "$OUT" > /dev/null || fail "open entry: $OUT"
	OUT=$(journal_entry BULWARK_OP=connect)
	jq -e '.BULWARK_OBJECT == "127.0.0.2:9" and .BULWARK_RULE == "2" and .BULWARK_POLICY == "web"' \
		<<< "$OUT" > /dev/null || fail "connect entry: $OUT"
	# bulwark events keeps seeing them beside the daemon.
	expect_rc 0 "$BULWARK" events --json
	expect_match '"operation":"connect","object":"127.0.0.2:9"'
}

events_counted() {
	[ $(($(field events_forwarded) + $(field events_suppressed))) -ge "$1" ]
}

test_a_burst_of_denials_is_rate_limited_and_counted() {
	local forwarded suppressed events_before events_after total
	forwarded=$(field events_forwarded)
	suppressed=$(field events_suppressed)
	events_before=$("$BULWARK" events --json | wc -l)
	in_cg bash -c 'for i in $(seq 300); do { : < "$1"; } 2> /dev/null; done; true' _ "$W/secret"
	events_after=$("$BULWARK" events --json | wc -l)
	[ $((events_after - events_before)) -ge 300 ] ||
		fail "300 denied opens gave $((events_after - events_before)) events"
	wait_until 30 events_counted $((forwarded + suppressed + events_after - events_before))
	sleep 2
	total=$(($(field events_forwarded) + $(field events_suppressed) - forwarded - suppressed))
	echo "# $((events_after - events_before)) events: $(($(field events_forwarded) - forwarded)) to the journal, $(($(field events_suppressed) - suppressed)) suppressed"
	[ "$total" = $((events_after - events_before)) ] ||
		fail "the journal and the count hold $total of $((events_after - events_before)) events"
	[ "$(field events_suppressed)" -gt "$suppressed" ] || fail "nothing was suppressed"
	OUT=$(journal_entry MESSAGE_ID=9a2d7c4e1b6f4038a5e2c9d1f7b3e640)
	jq -e '(.BULWARK_SUPPRESSED | tonumber) > 0' <<< "$OUT" > /dev/null || fail "no suppressed count: $OUT"
}

test_an_editors_write_and_rename_gives_one_reload() {
	policy web enforce "      - {path: $W/other, access: [write], action: deny}" > "$D/.web.yaml.tmp"
	mv "$D/.web.yaml.tmp" "$D/web.yaml"
	settled reloads 2
	[ "$(field generation)" = 2 ] || fail "generation $(field generation), expected 2"
	refute in_cg sh -c "echo x > $W/other"
	expect_rc 1 in_cg cat "$W/secret"
}

test_cp_gives_one_reload() {
	policy web enforce > "$W/v1.yaml"
	cp "$W/v1.yaml" "$D/web.yaml"
	settled reloads 3
	[ "$(field generation)" = 3 ] || fail "generation $(field generation), expected 3"
	expect_rc 0 in_cg sh -c "echo x > $W/other"
}

# configmap_write TIMESTAMP NAME: what the kubelet's atomic writer does
# with a ConfigMap update, from one process as the kubelet does it, so it
# is one burst however busy the machine: the new content (stdin) in a new
# timestamped directory, a ..data_tmp symlink to it renamed over ..data,
# NAME made a symlink through ..data (renamed over a file there before),
# and the directory ..data named before removed.
configmap_write() {
	perl -e '
		use strict;
		my ($dir, $ts, $name) = @ARGV;
		local $/;
		my $content = <STDIN>;
		my $old = readlink("$dir/..data");
		mkdir("$dir/$ts") or die "mkdir $ts: $!";
		open(my $f, ">", "$dir/$ts/$name") or die "$name: $!";
		print $f $content;
		close($f) or die "$name: $!";
		symlink($ts, "$dir/..data_tmp") or die "..data_tmp: $!";
		rename("$dir/..data_tmp", "$dir/..data") or die "..data: $!";
		if (readlink("$dir/$name") ne "..data/$name") {
			symlink("..data/$name", "$dir/$name.new") or die "$name.new: $!";
			rename("$dir/$name.new", "$dir/$name") or die "$name: $!";
		}
		if (defined $old) {
			unlink("$dir/$old/$name") or die "$old/$name: $!";
			rmdir("$dir/$old") or die "$old: $!";
		}' "$D" "$1" "$2"
}

# A ConfigMap volume: files are symlinks through ..data to a timestamped
# directory, and an update writes a new directory and swaps ..data.
test_a_configmap_symlink_swap_gives_one_reload() {
	local reloads generation unchanged
	reloads=$(field reloads)
	generation=$(field generation)
	unchanged=$(field unchanged)
	# Same policy as before, now through ..data: one reload that finds
	# nothing new.
	policy web enforce | configmap_write ..2026_12_06_a web.yaml
	settled unchanged $((unchanged + 1))
	[ "$(field reloads)" = "$reloads" ] || fail "reloads $(field reloads), expected $reloads"
	policy web enforce "      - {path: $W/other, access: [write], action: deny}" |
		configmap_write ..2026_12_06_b web.yaml
	settled reloads $((reloads + 1))
	[ "$(field generation)" = $((generation + 1)) ] ||
		fail "generation $(field generation), expected $((generation + 1))"
	[ ! -e "$D/..2026_12_06_a" ] || fail "the old ConfigMap directory is still there"
	refute in_cg sh -c "echo x > $W/other"
}

test_sighup_and_systemctl_reload_reload() {
	local before generation
	before=$(field unchanged)
	generation=$(field generation)
	expect_rc 0 systemctl reload bulwarkd
	settled unchanged $((before + 1))
	kill -HUP "$(main_pid)"
	settled unchanged $((before + 2))
	[ "$(field generation)" = "$generation" ] ||
		fail "generation $(field generation), expected $generation"
	expect_rc 0 journalctl -u bulwarkd -o cat --no-pager
	expect_match "^unchanged \\(SIGHUP\\): generation $generation stays\$"
}

test_a_bad_policy_is_refused_with_its_place_and_the_old_one_enforces() {
	local generation unchanged
	generation=$(field generation)
	unchanged=$(field unchanged)
	cat > "$D/bad.yaml" <<'EOY'
apiVersion: bulwark/v1
kind: Policy
metadata:
  name: bad
spec:
  selector:
    cgroup: /bulwark-test-bad
  mode: nonsense
EOY
	settled rejected 1
	[ "$(field generation)" = "$generation" ] ||
		fail "generation $(field generation), expected $generation"
	expect_rc 0 "$BULWARK" status
	expect_match "^enforcing: bpf, generation $generation\$"
	expect_match "^daemon: bulwarkd running .*1 rejected, 0 re-admitted, 0 refused; last: rejected: $D/bad.yaml:8:[0-9]+: error"
	expect_rc 0 systemctl show -p StatusText bulwarkd
	expect_match "rejected: $D/bad.yaml:8:[0-9]+: error"
	expect_rc 0 journalctl -u bulwarkd -o cat --no-pager
	expect_match "^$D/bad.yaml:8:[0-9]+: error"
	expect_match "rejected \(change in $D\): the running generation stays$"
	expect_rc 1 in_cg cat "$W/secret"
	refute in_cg sh -c "echo x > $W/other"
	rm "$D/bad.yaml"
	settled unchanged $((unchanged + 1))
}

# `trust: dpkg` under bulwarkd: a file replaced behind dpkg's back stays
# denied, and every dpkg run (the package's /etc/dpkg/dpkg.cfg.d/bulwark
# hook) has bulwarkd reload: an upgrade trusts the new file, checked
# against its new md5sum; a reinstall of the same content (same image, new
# inode) is admitted again. dpkg here keeps its own database ($W/dpkg,
# DPKG_ADMINDIR for bulwarkd), so the guest's packages need no hashing.
in_trust_cg() {
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' /sys/fs/cgroup/bulwark-trust "$@"
}

# admissions VERDICT PATH: the journal's re-admission or refusal events for PATH.
admissions() {
	journalctl -u bulwarkd BULWARK_OP=admit BULWARK_VERDICT="$1" BULWARK_OBJECT="$2" \
		-o cat --no-pager | grep -c .
}
admissions_are() { [ "$(admissions "$1" "$2")" = "$3" ]; }

test_dpkg_runs_have_bulwarkd_admit_what_dpkg_installed() {
	local db=$W/dpkg g libdir pin dropin=/run/systemd/system/bulwarkd.service.d
	libdir=$(dirname "$(readlink -f /lib64/ld-linux-x86-64.so.2)")
	mkdir -p /sys/fs/cgroup/bulwark-trust
	cp /usr/bin/true "$W/v1" && cp /usr/bin/true "$W/v2" && printf '\0' >> "$W/v2"
	cp /usr/bin/true "$W/v3" && printf '\0\0' >> "$W/v3" && cp "$W/v1" "$W/pinned"
	pin=$(sha256sum < "$W/v1" | cut -d' ' -f1)
	expect_rc 0 "$BULWARK_REPO/tests/conformance/fixtures/dpkg-install" "$db" bulwark-readmit 1 \
		"$W/app/prog=$W/v1" "$W/app/other=/usr/bin/true" || return 1
	mkdir -p "$dropin"
	printf '[Service]\nEnvironment=DPKG_ADMINDIR=%s\n' "$db" > "$dropin/dpkg.conf"
	expect_rc 0 systemctl daemon-reload
	expect_rc 0 systemctl restart bulwarkd
	g=$(field generation)
	cat > "$D/trust.yaml" <<-POLICY
		apiVersion: bulwark/v1
		kind: Policy
		metadata: {name: trust}
		spec:
		  selector: {cgroup: /bulwark-trust}
		  exec:
		    default: deny
		    allow:
		      - path: $libdir/
		      - trust: dpkg
		      - {path: $W/pinned, sha256: $pin}
	POLICY
	wait_until 30 field_is generation $((g + 1)) || return 1
	expect_rc 0 in_trust_cg "$W/app/prog" || return 1
	expect_rc 0 in_trust_cg "$W/pinned" || return 1
	# Replaced behind dpkg's back: denied, and nothing re-admits it.
	cp "$W/v1" "$W/app/prog.new" && mv "$W/app/prog.new" "$W/app/prog"
	sleep 2
	expect_rc 126 in_trust_cg "$W/app/prog" || return 1
	expect_match 'Operation not permitted'
	# An upgrade through dpkg: the hook reloads, the new file is trusted,
	# and the journal has one re-admission event for it.
	expect_rc 0 "$BULWARK_REPO/tests/conformance/fixtures/dpkg-install" "$db" bulwark-readmit 2 \
		"$W/app/prog=$W/v2" "$W/app/other=/usr/bin/true" || return 1
	wait_until 30 field_is generation $((g + 2)) || return 1
	expect_rc 0 in_trust_cg "$W/app/prog" || return 1
	wait_until 10 admissions_are admitted $W/app/prog 1 || return 1
	# The same content reinstalled: the image is the same, the file is not.
	expect_rc 0 "$BULWARK_REPO/tests/conformance/fixtures/dpkg-install" "$db" bulwark-readmit 2 \
		"$W/app/prog=$W/v2" "$W/app/other=/usr/bin/true" || return 1
	wait_until 30 field_is generation $((g + 3)) || return 1
	expect_rc 0 in_trust_cg "$W/app/prog" || return 1
	wait_until 10 admissions_are admitted $W/app/prog 2 || return 1
	expect_rc 0 journalctl -u bulwarkd -o cat --no-pager
	expect_match 'files named by exact exec rules changed'
	# Both replaced by hand with other content, then a reload: each is
	# refused, with one event: the dpkg file because its md5 no longer
	# matches (the compile's warning is in the journal), the sha256: entry
	# because its pin does not.
	cp "$W/v3" "$W/app/prog.new" && mv "$W/app/prog.new" "$W/app/prog"
	cp "$W/v3" "$W/pinned.new" && mv "$W/pinned.new" "$W/pinned"
	expect_rc 0 systemctl reload bulwarkd
	wait_until 30 field_is generation $((g + 4)) || return 1
	expect_rc 126 in_trust_cg "$W/app/prog" || return 1
	expect_rc 126 in_trust_cg "$W/pinned" || return 1
	wait_until 10 admissions_are refused $W/app/prog 1 || return 1
	wait_until 10 admissions_are refused $W/pinned 1 || return 1
	expect_rc 0 journalctl -u bulwarkd BULWARK_OP=admit BULWARK_OBJECT="$W/pinned" -o verbose \
		--no-pager
	expect_match "MESSAGE=refused $W/pinned \\(policy trust\\): it was replaced, and its sha256 matches no pin"
	expect_match 'BULWARK_POLICY=trust'
	expect_match 'MESSAGE_ID=e31c5a7f2d8b4c6a9f0e1b3d5c7a9e24'
	expect_rc 0 journalctl -u bulwarkd -o cat --no-pager
	expect_match "warning: $W/app/prog \\(package bulwark-readmit\\): not trusted: its content differs"
	# The dpkg file's content put back by hand: trust: dpkg takes it again,
	# and that re-admission is an event too.
	cp "$W/v2" "$W/app/prog.new" && mv "$W/app/prog.new" "$W/app/prog"
	expect_rc 0 systemctl reload bulwarkd
	wait_until 30 field_is generation $((g + 5)) || return 1
	expect_rc 0 in_trust_cg "$W/app/prog" || return 1
	wait_until 10 admissions_are admitted $W/app/prog 3 || return 1
	# The pinned content put back: re-admitted, as an unchanged image installed again.
	cp "$W/v1" "$W/pinned.new" && mv "$W/pinned.new" "$W/pinned"
	expect_rc 0 systemctl reload bulwarkd
	wait_until 30 field_is generation $((g + 6)) || return 1
	expect_rc 0 in_trust_cg "$W/pinned" || return 1
	wait_until 10 admissions_are admitted $W/pinned 1 || return 1
	expect_rc 0 "$BULWARK" status
	expect_match '[0-9]+ rejected, [0-9]+ re-admitted, 2 refused; last:'
	# Replaced while bulwarkd was stopped: the bulwarkd started again adopts
	# the generation with the record of what it admitted, and its next
	# reload refuses the file, with the event.
	expect_rc 0 systemctl stop bulwarkd
	cp "$W/v3" "$W/pinned.new" && mv "$W/pinned.new" "$W/pinned"
	expect_rc 0 systemctl start bulwarkd
	wait_until 30 grep -q "^last=adopted generation $((g + 6)) " "$STATUS" || return 1
	expect_rc 0 systemctl reload bulwarkd
	wait_until 30 field_is generation $((g + 7)) || return 1
	expect_rc 126 in_trust_cg "$W/pinned" || return 1
	wait_until 10 admissions_are refused $W/pinned 2 || return 1
	rm -f "$D/trust.yaml" "$dropin/dpkg.conf"
	expect_rc 0 systemctl daemon-reload
}

test_a_start_with_a_bad_policy_and_nothing_enforced_fails() {
	expect_rc 0 systemctl stop bulwarkd
	expect_rc 0 "$BULWARK" unload
	# The directory holds the one bad policy, whatever the tests before left.
	find "$D" -mindepth 1 -delete
	echo 'kind: [' > "$D/web.yaml"
	# The job itself may report success: Restart=on-failure retries the start.
	systemctl start bulwarkd || :
	wait_until 30 sh -c '[ "$(systemctl show -p Result --value bulwarkd)" = exit-code ]'
	expect_rc 0 systemctl show -p ActiveState -p StatusText bulwarkd
	expect_no_match '^ActiveState=active$'
	expect_match "^StatusText=failed: rejected: $D/web.yaml:2:1: error: YAML syntax"
	expect_rc 0 journalctl -u bulwarkd -o cat --no-pager
	expect_match "^$D/web.yaml:[0-9]+:[0-9]+: error"
	expect_match 'nothing enforced: exiting so systemd reports the failure'
	expect_rc 0 in_cg cat "$W/secret"
	expect_rc 0 systemctl stop bulwarkd
	expect_rc 0 systemctl disable bulwarkd
}
