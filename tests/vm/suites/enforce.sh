# The BPF backend end to end: apply, enforce, events, status, persistence,
# generations and unload. Scenario-by-scenario semantics live in the
# conformance suite; this suite is about the commands and the lifecycle.

setup_smoke() {
	mkdir -p /tmp/bw-smoke
	cp /bin/true /tmp/bw-smoke/denied
	cp /bin/true /tmp/bw-smoke/allowed
	echo secret > /tmp/bw-smoke/secret
}

test_exec_denies_and_reports() {
	setup_smoke
	expect_rc 0 "$BULWARK" exec --policy /tmp/bw/deny-true.yaml -- /tmp/bw-smoke/allowed
	expect_rc 126 "$BULWARK" exec --policy /tmp/bw/deny-true.yaml -- /tmp/bw-smoke/denied
	expect_match 'Operation not permitted'
	expect_match 'deny exec /tmp/bw-smoke/denied'
	expect_rc 1 "$BULWARK" exec --policy /tmp/bw/deny-true.yaml -- cat /tmp/bw-smoke/secret
	expect_match 'deny open /tmp/bw-smoke/secret'
}
