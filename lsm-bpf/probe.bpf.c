// SPDX-License-Identifier: GPL-2.0
/*
 * The probe `bulwark status` loads to learn whether this kernel runs BPF
 * LSM programs: one program on bprm_check_security that decides nothing
 * (it passes on the verdict it was given) and counts the execs it sees.
 * Small on purpose: loading bulwark's own programs takes the verifier
 * much longer, and status should answer quickly.
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* Execs seen since load; read by userspace through the skeleton's bss. */
__u64 exec_count;

SEC("lsm/bprm_check_security")
int BPF_PROG(probe_bprm_check_security, struct linux_binprm *bprm, int ret)
{
	/* An earlier LSM already said no: never turn a denial into an allow. */
	if (ret)
		return ret;
	__sync_fetch_and_add(&exec_count, 1);
	return 0;
}
