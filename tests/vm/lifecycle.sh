# What the lifecycle suites of both backends (enforce.sh, kmod-enforce.sh)
# share: a policy on the test cgroup $CG, files in $W (both set by the
# suite before it sources this), and the generation switch under load.

policy() { # NAME MODE EXTRA_FILE_RULE: a policy on the test cgroup
	cat <<EOF
apiVersion: bulwark/v1
kind: Policy
metadata:
  name: $1
spec:
  selector:
    cgroup: /bulwark-test
  mode: $2
  file:
    default: allow
    rules:
      - {path: $W/secret, access: [read], action: deny}
$3
  network:
    egress:
      default: allow
      deny:
        - {cidr: 127.0.0.2/32, protocol: tcp}
EOF
}

setup() {
	mkdir -p "$W" "$CG"
	echo secret > "$W/secret"
	echo public > "$W/public"
	policy web enforce > "$W/v1.yaml"
	policy web enforce "      - {path: $W/other, access: [write], action: deny}" > "$W/v2.yaml"
	policy web audit > "$W/audit.yaml"
}

# in_cg CMD...: run CMD inside the test cgroup.
in_cg() {
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG" "$@"
}

generation() {
	"$BULWARK" status --json | jq -r '.enforcing.generation'
}

# Workers hammer an allowed and a denied open while generations switch
# under them (v1 and v2 in turn); every answer must be right, every time.
no_wrong_answer_while_generations_switch() {
	local i wrong=0 worker
	expect_rc 0 "$BULWARK" apply "$W/v1.yaml"
	rm -f "$W/stop"
	in_cg bash -c '
		w=0; n=0
		while [ ! -e "$1/stop" ]; do
			{ : < "$1/public"; } 2> /dev/null || w=$((w + 1))
			{ : < "$1/secret"; } 2> /dev/null && w=$((w + 1))
			n=$((n + 1))
		done
		echo "$w $n" > "$1/result"' _ "$W" &
	worker=$!
	for i in 1 2 3 4 5 6 7 8; do
		"$BULWARK" apply "$W/v$((i % 2 + 1)).yaml" > /dev/null || fail "apply $i failed"
	done
	touch "$W/stop"
	wait "$worker"
	rm -f "$W/stop"
	read -r wrong n < "$W/result"
	echo "# $n rounds across 8 switches, $wrong wrong answers"
	[ "$n" -gt 8 ] || fail "the worker ran only $n rounds"
	[ "$wrong" = 0 ] || fail "$wrong wrong answers while switching generations"
}
