# Hostile netlink (issue #5): with a policy applied through the controller
# (kmod backend, scoped to a test cgroup), genl-hostile
# (tests/tools/genl-hostile.c) sends bulwark.ko truncated, oversized,
# out-of-order and corrupted messages and policy images, stale staging
# tokens, and commands from processes without CAP_NET_ADMIN. Each gets the
# errno kmod/include/uapi/linux/bulwark.h documents (and where bulwark.h
# says so, the staging it aimed at is discarded or kept); after each, the
# running generation is still the applied one, with as many policies, and
# it still denies what it denies. The harness checks that dmesg stays free
# of BUG/WARNING/Oops; the last tests check that the module said nothing
# about any of it and unloads cleanly.

CG=/sys/fs/cgroup/bulwark-hostile
W=/tmp/bulwark-hostile
HOSTILE=$BULWARK_REPO/build/tests/tools/genl-hostile

# in_cg CMD...: run CMD inside the test cgroup.
in_cg() {
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG" "$@"
}

# The policy denies the test cgroup reading $W/secret and running
# /usr/bin/id; everything else is allowed.
write_policy() {
	cat <<EOF
apiVersion: bulwark/v1
kind: Policy
metadata:
  name: hostile
spec:
  selector:
    cgroup: /bulwark-hostile
  mode: enforce
  exec:
    default: allow
    deny:
      - {path: /usr/bin/id}
  file:
    default: allow
    rules:
      - {path: $W/secret, access: [read], action: deny}
EOF
}

# has LINE: $OUT has the line LINE. (Bash alone: the suite checks after
# every scenario, and under TCG every grep costs a process.)
has() {
	[[ $'\n'$OUT$'\n' == *$'\n'"$1"$'\n'* ]] || {
		printf '%s\n' "$OUT" >&2
		fail "no line '$1'"
	}
}

# enforces: the applied policy still denies, with EPERM, what it denies,
# and allows the rest (one shell in the test cgroup does all three).
enforces() {
	# shellcheck disable=SC2016 # for the shell in the cgroup to expand
	OUT=$(in_cg sh -c 'cat "$0/secret"; echo "secret $?"; /usr/bin/id; echo "id $?"
		cat "$0/public"; echo "public $?"' "$W" 2>&1)
	has "cat: $W/secret: Operation not permitted"
	has "secret 1"
	[[ $OUT == *"/usr/bin/id: Operation not permitted"* ]] || fail "id was not denied: $OUT"
	has "id 126"
	has "public 0"
}

# untouched WHAT: the running generation and its policy count are the ones
# recorded after apply (genl-hostile status), and the policy enforces.
untouched() {
	local now was
	now=$("$HOSTILE" status)
	was=$(< "$W/status")
	[ "$now" = "$was" ] || fail "after $1: the module went from '${was//$'\n'/, }' to '${now//$'\n'/, }'"
	enforces
}

# hostile ANSWER STAGING SCENARIO [ARG]: genl-hostile SCENARIO must print
# ANSWER first ("ok", "error: ENAME", "no answer"); unless STAGING is "-"
# it must report the staging it aimed at as STAGING ("kept", "discarded");
# then the running policy must be untouched.
hostile() {
	local answer=$1 staging=$2 rc=1
	shift 2
	[ "$answer" = ok ] && rc=0
	echo "$*" >> "$W/ran"
	expect_rc $rc "$HOSTILE" -i "$W/policy.img" "$@"
	HOSTILE_OUT=$OUT
	if [ "${OUT%%$'\n'*}" != "$answer" ]; then
		printf '%s\n' "$OUT" >&2
		fail "$*: answered '${OUT%%$'\n'*}', expected '$answer'"
	fi
	[ "$staging" = - ] || has "staging: $staging"
	untouched "$*"
}

test_the_module_loads() {
	expect_rc 0 insmod "$KMOD"
	module_loaded
	expect_rc 0 "$BULWARK" status
	expect_match '^kmod: usable: '
	dmesg | wc -l > /tmp/bulwark-hostile-dmesg-lines
}

test_a_policy_applied_through_the_controller_enforces() {
	mkdir -p "$W" "$CG"
	: > "$W/ran"
	echo secret > "$W/secret"
	echo public > "$W/public"
	write_policy > "$W/policy.yaml"
	expect_rc 0 "$BULWARK" compile -o "$W/policy.img" "$W/policy.yaml"
	expect_rc 0 "$BULWARK" apply --backend kmod "$W/policy.yaml"
	expect_match '^generation [0-9]+ applied: 1 policies'
	"$HOSTILE" status > "$W/status"
	OUT=$(cat "$W/status")
	expect_match '^generation [1-9][0-9]*$'
	expect_match '^policies 1$'
	enforces
	# Outside the cgroup nothing is denied.
	expect_rc 0 cat "$W/secret"
	# The tool stages the same image the way the controller does (a control
	# for every scenario below: their requests differ from this one only
	# where they are hostile).
	hostile ok kept stage
	hostile ok kept identity
}

# Lengths that lie: nlmsg_len ending inside an attribute or the genetlink
# header, claiming more than the datagram holds, a datagram shorter than a
# netlink header.
test_truncated_messages_are_refused() {
	hostile "error: EINVAL" kept truncated-attr
	hostile "error: EINVAL" kept truncated-chunk
	hostile "error: EINVAL" - truncated-genl-header
	hostile "error: EINVAL" - no-genl-header
	hostile "no answer" - overlong-nlmsg-len
	hostile "no answer" - short-datagram
}

# Past every limit bulwark.h names (BULWARK_CHUNK_MAX, BULWARK_IMAGE_SIZE_MAX,
# BULWARK_IMAGES_MAX, BULWARK_POLICY_INDEX_MAX, BULWARK_POLICIES_MAX, the
# path size), and right at each, which is accepted.
test_oversized_requests_are_refused() {
	hostile "error: EINVAL" discarded oversized-chunk
	hostile ok kept chunk-at-limit
	hostile "error: E2BIG" discarded oversized-image-size
	hostile "error: E2BIG" discarded huge-image-size
	hostile ok kept image-size-at-limit
	hostile "error: EINVAL" discarded oversized-image-index
	hostile "error: EINVAL" discarded wrapping-image-index
	hostile ok kept image-index-at-limit
	hostile "error: E2BIG" discarded oversized-policy-base
	hostile "error: E2BIG" discarded wrapping-policy-base
	hostile ok kept policy-base-at-limit
	hostile "error: E2BIG" discarded too-many-policies
	hostile "error: EINVAL" discarded oversized-path
	hostile "error: EINVAL" discarded padded-path
}

# Chunks of one image arrive in order, OFFSET the bytes received so far;
# IMAGE_SIZE and POLICY_BASE come with the first chunk only.
test_out_of_order_chunks_are_refused() {
	local s
	for s in skip repeat repeat-first backwards past-size after-complete size-later \
		base-later no-size no-base unstarted overlap; do
		hostile "error: EINVAL" discarded "order-$s"
	done
}

# Images corrupted one way each; all but the checksum cases carry a valid
# checksum, so the check that refuses them is the one named.
test_corrupted_images_are_refused() {
	local s
	hostile "error: EBADMSG" discarded corrupt-body
	hostile "error: EBADMSG" discarded corrupt-checksum
	hostile "error: EPROTO" discarded corrupt-abi
	for s in magic truncated headerless trailing reserved section-offset section-size strings \
		policy-name selector default rule-policy rule-class rule-string rule-order index; do
		hostile "error: EINVAL" discarded "corrupt-$s"
	done
}

test_stale_tokens_are_refused() {
	hostile "error: ESTALE" kept stale-image
	hostile "error: ESTALE" kept stale-activate
	hostile "error: ESTALE" kept stale-zero
	hostile "error: ESTALE" discarded stale-after-failure
}

test_bindings_and_activations_of_what_is_not_staged_are_refused() {
	hostile "error: EINVAL" discarded bind-unknown-policy
	hostile "error: EINVAL" discarded bind-incomplete
	hostile "error: EINVAL" discarded bind-twice
	hostile "error: EINVAL" discarded activate-incomplete
	hostile "error: EINVAL" discarded activate-unknown-host-policy
}

test_bad_identities_are_refused() {
	hostile "error: EINVAL" discarded identity-unknown-policy
	hostile "error: ENOENT" kept identity-missing-file
	# Lookups that fail otherwise (ENOTDIR, ENAMETOOLONG, ELOOP): no such file either.
	hostile "error: ENOENT" kept identity-through-a-file
	hostile "error: ENOENT" kept identity-long-name
	hostile "error: ENOENT" kept identity-symlink-loop
	hostile "error: EINVAL" discarded identity-relative-path
	hostile "error: EINVAL" discarded identity-empty-path
	hostile "error: ESTALE" kept identity-changed-file
	hostile "error: EINVAL" discarded identity-bad-nsec
	hostile "error: EINVAL" discarded identity-bad-action
	hostile "error: EBADF" discarded identity-bad-descriptor
	# By the controller's descriptor: the file it read, whatever PATH names now.
	hostile ok kept identity-by-descriptor
}

# Unknown, unexpected, malformed and missing attributes, each on a command
# that would change something if it ran (CLEAR, ACTIVATE of a complete
# staging, staging commands).
test_bad_attributes_are_refused() {
	local s
	for s in clear-unknown-attr clear-type-zero-attr clear-reply-only-attr \
		clear-not-taken-attr version-long-attr activate-long-stage activate-short-stage \
		activate-nested-stage activate-missing-stage missing-chunk missing-policy \
		no-nul-path bind-not-taken-attr; do
		hostile "error: EINVAL" - "$s"
	done
	hostile "error: EINVAL" discarded empty-chunk
}

test_bad_headers_and_commands_are_refused() {
	hostile "error: EINVAL" - header-reserved
	hostile "error: EINVAL" - header-replace-flag
	hostile "error: EOPNOTSUPP" - header-dump-flag
	# Not a request: the kernel acknowledges it and runs nothing.
	hostile ok - not-a-request
	hostile "error: EOPNOTSUPP" - cmd-unknown
	hostile "error: EOPNOTSUPP" - cmd-unspec
	hostile "error: EOPNOTSUPP" - cmd-event
	hostile "error: EOPNOTSUPP" - cmd-events-pending
}

# Every state-changing command needs CAP_NET_ADMIN of the sender and of the
# socket's opener; the two queries do not.
test_commands_without_cap_net_admin_are_refused() {
	local how cmd
	for how in noperm noperm-inherited noperm-passed; do
		for cmd in load-begin load-image load-bind load-identity activate clear flush-events; do
			hostile "error: EPERM" kept "$how" "$cmd"
		done
		hostile ok kept "$how" get-status
		hostile ok kept "$how" get-version
	done
}

test_subscribing_to_events_without_cap_net_admin_is_refused() {
	hostile "error: EPERM" - subscribe
	hostile ok - subscribe-privileged
}

# The tool's own complete load (image, binding, activation) is accepted and
# enforces: its requests are right wherever they are not hostile.
test_a_well_formed_load_by_the_tool_activates() {
	local gen
	gen=$(sed -n 's/^generation //p' "$W/status")
	echo "load $(stat -c %i "$CG")" >> "$W/ran"
	expect_rc 0 "$HOSTILE" -i "$W/policy.img" load "$(stat -c %i "$CG")"
	expect_match "^generation $((gen + 1))\$"
	"$HOSTILE" status > "$W/status"
	OUT=$(cat "$W/status")
	expect_match "^generation $((gen + 1))\$"
	expect_match '^policies 1$'
	expect_rc 1 in_cg cat "$W/secret"
	expect_match 'Operation not permitted'
}

# Random requests (genl-hostile fuzz): commands, attributes, lengths and
# values at random, chunks of the image mutated; fixed seeds, so a failure
# can be replayed with the seed the tool prints.
test_random_requests_are_answered_as_documented() {
	local seed
	for seed in 1 2 3 4; do
		hostile ok - fuzz "5000:$seed"
		echo "# ${HOSTILE_OUT##*$'\n'}"
	done
}

test_every_scenario_of_the_tool_ran() {
	local missing
	missing=$("$HOSTILE" list |
		awk 'NR == FNR { ran[$1] = 1; next } $1 != "status" && !ran[$1] { print $1 }' \
			"$W/ran" -)
	[ -z "$missing" ] || fail "scenarios never run: ${missing//$'\n'/ }"
}

# The module logs activations only: none of the refused requests made it
# say anything (the netlink core's own ratelimited notes about malformed
# attributes are not the module's).
test_the_module_logged_nothing_about_them() {
	local start
	start=$(cat /tmp/bulwark-hostile-dmesg-lines)
	OUT=$(dmesg | tail -n +"$((start + 1))" | grep -i bulwark |
		grep -v '^\[[ 0-9.]*\] bulwark: generation [0-9]* active$' || true)
	expect_no_match .
}

test_the_module_unloads_cleanly() {
	expect_rc 0 "$BULWARK" unload
	expect_rc 0 "$BULWARK" status
	expect_match '^enforcing: nothing$'
	expect_rc 0 rmmod bulwark
	refute module_loaded
	expect_rc 0 in_cg cat "$W/secret"
}
