// SPDX-License-Identifier: GPL-2.0
/*
 * How long the kernel takes to verify and load bulwark's BPF programs, and
 * how much of each the verifier walked. Loads the skeleton's programs the
 * way the controller does (file_truncate only where the hook exists), never
 * attaches them, and prints one line per program and one for the total:
 *
 *   prog NAME VERIFIED_INSNS        (bpf_prog_info.verified_insns)
 *   load TOTAL_MS TOTAL_VERIFIED_INSNS PROGRAMS
 *
 * Nothing is attached or pinned, so nothing is enforced; it still needs a
 * kernel that loads BPF LSM programs: run it in the test VM
 * (tests/vm/suites/bench.sh, tests/bench/vm.sh), not on a build machine.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bulwark.skel.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_WARN || getenv("BULWARK_DEBUG_LIBBPF"))
		return vfprintf(stderr, fmt, args);
	return 0;
}

static bool kernel_has_lsm_hook(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	char fn[64];
	bool found;

	if (!btf)
		return true;
	snprintf(fn, sizeof(fn), "bpf_lsm_%s", name);
	found = btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC) >= 0;
	btf__free(btf);
	return found;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(void)
{
	unsigned long long total = 0;
	struct bulwark_bpf *skel;
	struct bpf_program *prog;
	double start, elapsed;
	int ret, programs = 0;

	libbpf_set_print(quiet);
	skel = bulwark_bpf__open();
	if (!skel) {
		fprintf(stderr, "bpf-load: open: %s\n", strerror(errno));
		return 1;
	}
	if (!kernel_has_lsm_hook("file_truncate"))
		bpf_program__set_autoload(skel->progs.bulwark_file_truncate, false);
	start = now_ms();
	ret = bulwark_bpf__load(skel);
	elapsed = now_ms() - start;
	if (ret) {
		fprintf(stderr, "bpf-load: load: %s\n", strerror(-ret));
		bulwark_bpf__destroy(skel);
		return 1;
	}
	bpf_object__for_each_program(prog, skel->obj)
	{
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_program__autoload(prog))
			continue;
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			continue;
		printf("prog %s %u\n", bpf_program__name(prog), info.verified_insns);
		total += info.verified_insns;
		programs++;
	}
	printf("load %.0f %llu %d\n", elapsed, total, programs);
	bulwark_bpf__destroy(skel);
	return 0;
}
