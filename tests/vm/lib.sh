# Helpers for guest test suites (sourced by run-suite). Each fails the test
# by printing what was expected and what happened, then returning non-zero.

BULWARK=$BULWARK_REPO/build/bulwark
KMOD=$BULWARK_REPO/build/kmod/$(uname -r)/bulwark.ko
GENL_SEND=$BULWARK_REPO/build/tests/tools/genl-send

fail() {
	echo "FAIL: $*" >&2
	return 1
}

# expect_rc RC CMD...: run CMD, require exit status RC; its output goes to
# $OUT for further checks.
expect_rc() {
	local want=$1 got
	shift
	OUT=$("$@" 2>&1) && got=0 || got=$?
	if [ "$got" != "$want" ]; then
		printf '%s\n' "$OUT" >&2
		fail "'$*' exited $got, expected $want"
		return 1
	fi
}

# expect_match REGEX: $OUT must contain a line matching REGEX (grep -E).
expect_match() {
	grep -Eq -- "$1" <<< "$OUT" || {
		printf '%s\n' "$OUT" >&2
		fail "no line matches /$1/"
	}
}

# expect_no_match REGEX: no line of $OUT may match REGEX.
expect_no_match() {
	if grep -Eq -- "$1" <<< "$OUT"; then
		printf '%s\n' "$OUT" >&2
		fail "a line matches /$1/"
		return 1
	fi
}

wait_for_file() { # FILE: it exists within 10 s
	local i
	for i in $(seq 50); do
		[ -e "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

module_loaded() {
	grep -q "^bulwark " /proc/modules
}

# refute CMD...: CMD must fail. (A bare `! CMD` never stops a test under
# errexit, so suites use this instead.)
refute() {
	if "$@" > /dev/null 2>&1; then
		fail "'$*' succeeded, expected it to fail"
		return 1
	fi
	return 0
}
