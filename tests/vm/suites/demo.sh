# What `make demo` shows (tests/demo boots this suite with --verbose), kept
# in the test run so the demo cannot silently rot: a small web server
# (busybox httpd) confined by the policy tests/vm/demo-web.yaml, doing its
# job while what it should never do is denied and reported.
# vm-kernels: 6.1

CG=/sys/fs/cgroup/demo-web
WWW=/tmp/www

in_cg() { # CMD...: run CMD in the web server's cgroup
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG" "$@"
}

say() { echo "\$ $*"; }

test_the_guest_kernel() {
	echo "kernel: $(uname -r); active LSMs: $(cat /sys/kernel/security/lsm)"
	grep -qw bpf /sys/kernel/security/lsm
}

test_start_a_web_server_in_its_own_cgroup() {
	mkdir -p "$CG" "$WWW"
	echo '<h1>hello from bulwark demo</h1>' > "$WWW/index.html"
	# A link that should never be followed: a path traversal, in effect.
	ln -sf /etc/shadow "$WWW/shadow"
	# (its output must not hold the test's output open)
	in_cg busybox httpd -f -p 8080 -h "$WWW" > /dev/null 2>&1 &
	echo $! > /tmp/httpd.pid
	echo "busybox httpd listening on :8080 in $CG (pid $!)"
	sleep 1
	say busybox wget -q -O - http://127.0.0.1:8080/
	busybox wget -q -O - http://127.0.0.1:8080/
}

test_apply_the_web_policy() {
	say bulwark apply tests/vm/demo-web.yaml
	expect_rc 0 "$BULWARK" apply "$BULWARK_REPO/tests/vm/demo-web.yaml"
	echo "$OUT"
	say bulwark status
	expect_rc 0 "$BULWARK" status
	echo "$OUT"
	expect_match '^policy demo-web: enforce'
}

test_the_server_still_serves_its_pages() {
	say busybox wget -q -O - http://127.0.0.1:8080/
	expect_rc 0 busybox wget -q -O - http://127.0.0.1:8080/
	echo "$OUT"
	expect_match 'hello from bulwark demo'
}

test_the_server_cannot_read_etc_shadow() {
	say busybox wget -q -O - http://127.0.0.1:8080/shadow
	expect_rc 1 busybox wget -q -O - http://127.0.0.1:8080/shadow
	echo "$OUT"
	expect_no_match 'root:'
}

test_a_shell_in_the_workload_cannot_run() {
	say "(in the server's cgroup) sh -c id"
	expect_rc 126 in_cg sh -c id
	echo "$OUT"
	expect_match 'Permission denied|Operation not permitted'
}

test_the_workload_cannot_connect_out() {
	say "(in the server's cgroup) busybox nc 127.0.0.2 9"
	expect_rc 1 in_cg busybox nc 127.0.0.2 9 < /dev/null
	echo "$OUT"
	expect_match 'Operation not permitted'
}

test_the_workload_cannot_listen_elsewhere() {
	say "(in the server's cgroup) busybox nc -l -p 4444"
	expect_rc 1 in_cg busybox nc -l -p 4444
	echo "$OUT"
	expect_match 'Operation not permitted'
}

test_every_denial_was_reported() {
	say bulwark events
	expect_rc 0 "$BULWARK" events
	echo "$OUT"
	expect_match 'deny open /etc/shadow: policy demo-web, rule 2; pid [0-9]+ \(busybox\) exe /usr/bin/busybox'
	expect_match 'deny exec /usr/bin/dash: policy demo-web, default of exec'
	expect_match 'deny connect 127.0.0.2:9: policy demo-web, default of egress'
	expect_match 'deny bind \[::\]:4444: policy demo-web, default of ingress'
	say bulwark status
	expect_rc 0 "$BULWARK" status
	echo "$OUT"
	expect_match '^policy demo-web: enforce, [0-9]+ rules, [1-9][0-9]* allowed, 5 denied, 0 audited$'
}

test_unload() {
	say bulwark unload
	expect_rc 0 "$BULWARK" unload
	echo "$OUT"
	say "(in the server's cgroup) sh -c 'echo a shell runs again'"
	expect_rc 0 in_cg sh -c 'echo a shell runs again'
	echo "$OUT"
	kill "$(cat /tmp/httpd.pid)"
}

# Where BPF LSM is not active, bulwark.ko enforces the same policy image
# with the same meaning: the same policy, through the module this time.
test_the_kernel_module_enforces_the_same_policy() {
	say insmod bulwark.ko
	insmod "$KMOD"
	dmesg | grep 'bulwark:' | tail -n 1
	say bulwark apply --backend kmod tests/vm/demo-web.yaml
	expect_rc 0 "$BULWARK" apply --backend kmod "$BULWARK_REPO/tests/vm/demo-web.yaml"
	echo "$OUT"
	say "(in the server's cgroup) sh -c id"
	expect_rc 126 in_cg sh -c id
	echo "$OUT"
	say "(in the server's cgroup) busybox nc 127.0.0.2 9"
	expect_rc 1 in_cg busybox nc 127.0.0.2 9 < /dev/null
	echo "$OUT"
	say "bulwark events | tail -n 2"
	expect_rc 0 "$BULWARK" events
	OUT=$(tail -n 2 <<< "$OUT")
	echo "$OUT"
	expect_match 'deny exec /usr/bin/dash: policy demo-web, default of exec'
	expect_match 'deny connect 127.0.0.2:9: policy demo-web, default of egress'
	say bulwark status
	expect_rc 0 "$BULWARK" status
	echo "$OUT"
	expect_match '^enforcing: kmod, generation [0-9]+, 1 policies'
	say bulwark unload
	expect_rc 0 "$BULWARK" unload
	echo "$OUT"
	rmmod bulwark
	refute module_loaded
}
