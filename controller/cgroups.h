/* SPDX-License-Identifier: GPL-2.0 */
/* cgroup v2: which cgroups a policy image's selectors name, and bulwark exec's own cgroups. */
#ifndef BULWARK_CGROUPS_H
#define BULWARK_CGROUPS_H

#include <stddef.h>

#include "core/image.h"
#include "generation.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_EXEC_PARENT CGROUP_ROOT "/bulwark"

/*
 * Every existing cgroup that a non-host policy's selector names itself
 * (descendants follow through the programs' ancestor walk). At equal depth
 * the policy defined first wins. Returns 0 or -errno; *@out is malloc'ed.
 */
int cgroups_bind(const struct bulwark_image *image, struct binding **out, size_t *count);

/* The cgroup id (inode number) of the cgroup directory @dir. */
int cgroup_id(const char *dir, __u64 *id);

/* Creates CGROUP_EXEC_PARENT/exec-PID for bulwark exec; @dir gets its path. */
int cgroup_exec_create(char *dir, size_t size);
/* Kills what is left in @dir and waits until it is empty (-EBUSY: it is not). */
int cgroup_exec_empty(const char *dir);
/* Removes @dir and the cgroups below it. */
int cgroup_exec_remove(const char *dir);
/* Moves the calling process into @dir. */
int cgroup_enter(const char *dir);

#endif /* BULWARK_CGROUPS_H */
