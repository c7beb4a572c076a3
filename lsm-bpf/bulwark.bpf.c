// SPDX-License-Identifier: GPL-2.0
/*
 * bulwark's BPF LSM programs.
 *
 * Walking skeleton: one program on bprm_check_security that decides nothing
 * yet (it passes on the verdict it was given) and counts the execs it saw, so
 * a test can prove the hook is attached and running. Enforcement arrives with
 * the policy maps.
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* Execs seen since load; read by userspace through the skeleton's bss. */
__u64 exec_count;

SEC("lsm/bprm_check_security")
int BPF_PROG(hook_bprm_check_security, struct linux_binprm *bprm, int ret)
{
	/* An earlier LSM already said no: never turn a denial into an allow. */
	if (ret)
		return ret;
	__sync_fetch_and_add(&exec_count, 1);
	return 0;
}
