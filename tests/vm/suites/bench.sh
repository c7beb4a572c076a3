# The per-operation benchmark's guest side: not a test. tests/bench/vm.sh
# (make bench) boots it with qemu -icount shift=0 and reads the lines
# "BENCH ROW OP NS ROUND_NS" it prints (tests/bench/ops.c says what the two
# numbers are); see that script for the table and the goals.
# make check never runs it: it names no kernel line in vm-kernels.
# vm-kernels: none
#
# Rows, in this order, in one boot: load (verifying and loading bulwark's
# programs, tests/bench/bpf-load), none (no policy), floor (empty BPF LSM
# programs on bulwark's hooks, tests/bench/floor-load), landlock (ops
# restricting itself with an equivalent rule set), bulwark-10, -1k and -100k
# (ops run by `bulwark exec --policy` under tests/bench/gen-policy's
# policies; `bulwark unload` after each), then none again, to show whether
# anything the earlier rows did is still costing.
# Each row is one test_ function; the kernel command line can narrow them:
#   bulwark_bench_rows=none,floor,...   rows to run (default: all)
#   bulwark_bench_scale=F               iterations times F (default 1)
#   bulwark_bench_policies=DIR          the generated policy-N.yaml files
#   bulwark_bench_verbose=1             ops prints percentiles (BENCH-NOTE)
# bulwark rows that cannot run (`bulwark exec` fails) print "BENCH ROW n/a:
# WHY" and pass: there is nothing to measure.

BENCH_DIR=/run/bulwark-bench
BENCH_BIN=$BULWARK_REPO/build/tests/bench
LIBDIR=/usr/lib/x86_64-linux-gnu

wanted() { # ROW: is this row asked for?
	[ -z "${bulwark_bench_rows:-}" ] || [[ ",$bulwark_bench_rows," == *",$1,"* ]]
}

# run_ops ROW CMD...: run ops (CMD ends in its arguments), print its numbers
# as BENCH lines and anything it says on stderr as BENCH-NOTE lines.
run_ops() {
	local row=$1 out rc
	shift
	local args=(--dir "$BENCH_DIR" --scale "${bulwark_bench_scale:-1}")
	[ "${bulwark_bench_verbose:-0}" = 0 ] || args+=(--verbose)
	out=$("$@" "${args[@]}" 2> "$BENCH_DIR/stderr") && rc=0 || rc=$?
	sed "s/^/BENCH-NOTE $row /" "$BENCH_DIR/stderr"
	if [ $rc != 0 ]; then
		fail "$row: '$*' exited $rc"
		return 1
	fi
	grep -E '^[a-z_]+ [0-9]+ [0-9]+$' <<< "$out" | sed "s/^/BENCH $row /"
}

# no_lsm_programs: wait until no BPF LSM program is left in the kernel. A
# detached program can stay on its hook for seconds: the last reference to a
# pinned link goes with an RCU callback, which 6.12 (CONFIG_RCU_LAZY) may
# hold back for up to 10 s. A row that started before then would pay for it.
no_lsm_programs() {
	local _ progs
	for _ in $(seq 600); do
		progs=$(bpftool prog show)
		grep -q '^[0-9]*: lsm ' <<< "$progs" || return 0
		sleep 0.1
	done
	fail "BPF LSM programs are still loaded: $(grep '^[0-9]*: lsm ' <<< "$progs")"
}

# unload_bulwark: `bulwark exec` leaves bulwark's programs attached (pinned)
# when it ends; the next row must start without them.
unload_bulwark() {
	"$BULWARK" unload > /dev/null
	no_lsm_programs
}

# copy_up PATH: give PATH a copy in the overlay's upper layer (tmpfs), so
# reading it (or following it, for a symlink) never goes to the host over 9p.
copy_up() {
	if [ -L "$1" ]; then
		ln -sfn "$(readlink "$1")" "$1.bench-tmp"
		mv -Tf "$1.bench-tmp" "$1"
	else
		: >> "$1"
	fi
}

test_setup() {
	# With ASLR, TCG translates ld.so and libc again on every exec.
	sysctl -qw kernel.randomize_va_space=0
	mkdir -p "$BENCH_DIR"
	cp "$BENCH_BIN/ops" "$BENCH_DIR/ops"
	cp /usr/bin/true "$BENCH_DIR/true"
	cp "$LIBDIR/libc.so.6" "$BENCH_DIR/lib.so"
	echo data > "$BENCH_DIR/file"
	# What every exec of the dynamic `true` reads: the loader by its
	# symlinks, the loader, libc by /lib, and ld.so.cache.
	local f
	for f in /lib64 /usr/lib64/ld-linux-x86-64.so.2 /lib "$LIBDIR/ld-linux-x86-64.so.2" \
		"$LIBDIR/libc.so.6" /etc/ld.so.cache; do
		copy_up "$f"
	done
	# One uncounted run: page cache, dentries, TCG's translations.
	"$BENCH_DIR/ops" --dir "$BENCH_DIR" --scale 0.1 > /dev/null
}

# load: how long verifying and loading all of bulwark's BPF programs takes
# (the time a host boots unprotected), and how many instructions the
# verifier walked. Nothing is attached.
test_load() {
	wanted load || return 0
	local out
	out=$("$BENCH_BIN/bpf-load") || { fail "bpf-load failed"; return 1; }
	sed -n 's/^load \([0-9]*\) \([0-9]*\) \([0-9]*\)$/BENCH-LOAD \1 \2 \3/p' <<< "$out"
	sed -n 's/^prog /BENCH-NOTE load prog /p' <<< "$out"
}

test_none() {
	wanted none || return 0
	no_lsm_programs
	run_ops none "$BENCH_DIR/ops"
}

test_floor() {
	wanted floor || return 0
	no_lsm_programs
	"$BENCH_BIN/floor-load"
	run_ops floor "$BENCH_DIR/ops" || { "$BENCH_BIN/floor-load" --unload; return 1; }
	"$BENCH_BIN/floor-load" --unload
	[ ! -e /sys/fs/bpf/bulwark-floor ]
	no_lsm_programs
}

test_landlock() {
	wanted landlock || return 0
	no_lsm_programs
	# 3 rules ops needs + 7 on directories it never touches: 10, like bulwark-10
	# (plus the TCP port rule where Landlock has network rules).
	run_ops landlock "$BENCH_DIR/ops" --landlock --landlock-extra 7
}

# bulwark_row N NAME [BACKEND]
bulwark_row() {
	local policy=${bulwark_bench_policies:-}/policy-$1.yaml out backend=${3:-bpf}
	wanted "$2" || return 0
	if [ ! -r "$policy" ]; then
		echo "BENCH $2 n/a: no policy $policy"
		return 0
	fi
	# Does `bulwark exec` run things at all, and does it enforce? /usr/bin/true
	# is outside the policy's exec allow-list.
	no_lsm_programs
	if ! out=$("$BULWARK" exec --backend "$backend" --policy "$policy" -- "$BENCH_DIR/true" 2>&1); then
		echo "BENCH $2 n/a: bulwark exec: $(head -n 1 <<< "$out")"
		"$BULWARK" unload > /dev/null 2>&1
		return 0
	fi
	if "$BULWARK" exec --backend "$backend" --policy "$policy" -- /usr/bin/true > /dev/null 2>&1; then
		echo "BENCH-NOTE $2 bulwark exec allowed /usr/bin/true: the policy is not enforced"
	fi
	unload_bulwark
	run_ops "$2" "$BULWARK" exec --backend "$backend" --policy "$policy" -- "$BENCH_DIR/ops" ||
		{ unload_bulwark; return 1; }
	unload_bulwark
}

test_bulwark_10() {
	bulwark_row 10 bulwark-10
}

test_bulwark_1k() {
	bulwark_row 1000 bulwark-1k
}

test_bulwark_100k() {
	bulwark_row 100000 bulwark-100k
}

# The same policies through bulwark.ko (loaded for these rows only).
kmod_row() { # N NAME
	wanted "$2" || return 0
	insmod "$KMOD" || fail "insmod $KMOD"
	bulwark_row "$1" "$2" kmod
	rmmod bulwark
}

test_kmod_10() {
	kmod_row 10 kmod-10
}

test_kmod_100k() {
	kmod_row 100000 kmod-100k
}

test_none_again() {
	wanted none-again || return 0
	no_lsm_programs
	# What earlier rows left behind, if none-again differs from none.
	local left
	left=$(bpftool prog show | sed -n 's/^[0-9]*: \([a-z_]*\) .*name \([^ ]*\).*/\1:\2/p' | tr '\n' ' ')
	[ -z "$left" ] || echo "BENCH-NOTE none-again BPF programs still loaded: $left"
	echo "BENCH-NOTE none-again dentry-state $(cat /proc/sys/fs/dentry-state) cgroups $(find /sys/fs/cgroup -type d | wc -l)"
	run_ops none-again "$BENCH_DIR/ops"
}
