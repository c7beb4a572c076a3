/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The settings that choose a program the kernel itself runs (a usermode
 * helper, a binfmt_misc interpreter): a workload that writes one has the
 * kernel start its program outside the workload's cgroup, so outside its
 * policy. The same list as lsm-bpf/bulwark.bpf.c's sets_kernel_helper().
 */
#ifndef BULWARK_KERNEL_HELPERS_H
#define BULWARK_KERNEL_HELPERS_H

#include <linux/dcache.h>
#include <linux/types.h>

/*
 * Whether @dentry is such a setting: /proc/sys/kernel/{core_pattern,
 * modprobe,poweroff_cmd,hotplug}, /proc/sys/fs/ocfs2/nm/hb_ctl_path,
 * /sys/kernel/uevent_helper, a module
 * parameter (/sys/module/M/parameters/P: nfs cache_getent, nfsd
 * cltrack_prog, drbd usermode_helper, ...), any file of binfmt_misc, or
 * release_agent of a cgroup v1 hierarchy; by file system and name, so
 * wherever the file system is mounted. Under RCU.
 */
bool sets_kernel_helper(const struct dentry *dentry);

struct fs_context;

/*
 * Whether mount option @key of @fc sets such a program: release_agent= of
 * cgroup v1, at a new mount, a remount or fsconfig(2).
 */
bool sets_kernel_helper_option(const struct fs_context *fc, const char *key);

#endif /* BULWARK_KERNEL_HELPERS_H */
