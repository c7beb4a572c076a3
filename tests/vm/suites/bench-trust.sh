# The guest side of tests/bench/trust.sh (make bench): applying 100,000
# files trusted by `trust: snapshot`, each admitted by identity, on both
# backends; prints "BENCH-TRUST BACKEND SECONDS ADMITTED". Not a test: make
# check never runs it. The policy is scoped to a test cgroup.
# vm-kernels: none
# vm-timeout: 1800

BT=/tmp/bulwark-bench-trust

bench_setup() {
	[ -d "$BT/tree" ] && return 0
	mkdir -p "$BT/tree" /sys/fs/cgroup/bulwark-bench
	(cd "$BT/tree" && seq 0 999 | sed 's/^/d/' | xargs mkdir -p &&
		seq 0 99999 | awk '{ printf "d%d/f%d\n", int($1 / 100), $1 }' | xargs touch)
	cat > "$BT/p.yaml" <<-POLICY
		apiVersion: bulwark/v1
		kind: Policy
		metadata: {name: bench-trust}
		spec:
		  selector: {cgroup: /bulwark-bench}
		  exec:
		    default: deny
		    allow:
		      - {path: $BT/tree/, trust: snapshot}
	POLICY
}

apply_timed() { # BACKEND
	local start end admitted
	start=$(date +%s.%N)
	expect_rc 0 "$BULWARK" apply --backend "$1" "$BT/p.yaml" || return 1
	end=$(date +%s.%N)
	admitted=$(sed -n 's/.*, \([0-9]*\) files admitted by identity.*/\1/p' <<< "$OUT")
	echo "BENCH-TRUST $1 $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') $admitted"
	expect_rc 0 "$BULWARK" unload
}

test_bpf_apply_100k_trusted_files() {
	bench_setup
	apply_timed bpf
}

test_kmod_apply_100k_trusted_files() {
	bench_setup
	expect_rc 0 insmod "$KMOD" || return 1
	apply_timed kmod
	expect_rc 0 rmmod bulwark
}
