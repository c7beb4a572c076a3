// SPDX-License-Identifier: GPL-2.0
/* Which files choose a program the kernel runs: see kernel_helpers.h. */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/magic.h>
#include <linux/string.h>

#include "kernel_helpers.h"

static bool named(const struct dentry *dentry, const char *name)
{
	return !strcmp((const char *)READ_ONCE(dentry->d_name.name), name);
}

bool sets_kernel_helper(const struct dentry *dentry)
{
	unsigned long magic = dentry->d_sb->s_magic;
	const struct dentry *parent = READ_ONCE(dentry->d_parent);
	const struct dentry *above = READ_ONCE(parent->d_parent);

	switch (magic) {
	case BINFMTFS_MAGIC:
		/* register, status, and each entry's file (enabling or removing it). */
		return true;
	case CGROUP_SUPER_MAGIC:
		return named(dentry, "release_agent");
	case PROC_SUPER_MAGIC:
		/* /proc/sys/fs/ocfs2/nm/hb_ctl_path */
		if (named(dentry, "hb_ctl_path"))
			return named(parent, "nm") && named(above, "ocfs2");
		/* /proc/sys/kernel/NAME */
		return named(parent, "kernel") && named(above, "sys") &&
		       IS_ROOT(READ_ONCE(above->d_parent)) &&
		       (named(dentry, "core_pattern") || named(dentry, "modprobe") ||
			named(dentry, "poweroff_cmd") || named(dentry, "hotplug"));
	case SYSFS_MAGIC:
		/* /sys/kernel/uevent_helper */
		if (named(parent, "kernel") && IS_ROOT(above))
			return named(dentry, "uevent_helper");
		/* /sys/module/M/parameters/P */
		return named(parent, "parameters") && named(READ_ONCE(above->d_parent), "module");
	}
	return false;
}

bool sets_kernel_helper_option(const struct fs_context *fc, const char *key)
{
	return key && fc->fs_type && !strcmp(fc->fs_type->name, "cgroup") &&
	       !strcmp(key, "release_agent");
}
