// SPDX-License-Identifier: GPL-2.0
/*
 * The floor for the per-operation benchmark (tests/bench/vm.sh): BPF LSM
 * programs that decide nothing, on the same hooks and of the same kinds
 * (sleepable or not) as bulwark's own. What they cost is the cost of having
 * a BPF LSM program on a hook at all; bulwark's added cost is measured
 * against it. Loaded only inside the benchmark VM, by tests/bench/floor-load.
 *
 * Each program passes on the verdict it was given, so it never turns an
 * earlier denial into an allow.
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("lsm.s/bprm_check_security")
int BPF_PROG(floor_bprm_check_security, struct linux_binprm *bprm, int ret)
{
	return ret;
}

SEC("lsm.s/file_open")
int BPF_PROG(floor_file_open, struct file *file, int ret)
{
	return ret;
}

SEC("lsm.s/mmap_file")
int BPF_PROG(floor_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	return ret;
}

SEC("lsm/file_mprotect")
int BPF_PROG(floor_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	return ret;
}

SEC("lsm.s/socket_connect")
int BPF_PROG(floor_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	return ret;
}

SEC("lsm.s/socket_sendmsg")
int BPF_PROG(floor_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	return ret;
}

SEC("lsm.s/socket_bind")
int BPF_PROG(floor_socket_bind, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	return ret;
}

SEC("lsm.s/socket_listen")
int BPF_PROG(floor_socket_listen, struct socket *sock, int backlog, int ret)
{
	return ret;
}

SEC("lsm.s/socket_accept")
int BPF_PROG(floor_socket_accept, struct socket *sock, struct socket *newsock, int ret)
{
	return ret;
}

SEC("lsm/task_alloc")
int BPF_PROG(floor_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	return ret;
}

SEC("lsm/file_permission")
int BPF_PROG(floor_file_permission, struct file *file, int mask, int ret)
{
	return ret;
}
