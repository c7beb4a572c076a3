/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which policy governs a cgroup in a generation: the nearest of the cgroup
 * and its ancestors that a LOAD_BIND names, or that a selected image's
 * selector names (core/selector.h), else the host policy. The answer is
 * kept per cgroup for the generation (cgroup ids are never reused), so a
 * cgroup made after the generation was activated is decided the first
 * time a task in it is, in the kernel, before the operation; each later
 * decision costs one lookup.
 */
#ifndef BULWARK_GOVERNING_H
#define BULWARK_GOVERNING_H

#include <linux/cgroup.h>

#include "generation.h"

/* Cgroups whose answers a generation keeps; past it each is decided every time. */
#define BULWARK_GOVERNED_MAX 65536

struct bulwark_governed;

struct bulwark_governed *bulwark_governed_alloc(void);
void bulwark_governed_free(struct bulwark_governed *governed);

/* 1 + the index of the policy governing a task in @cgroup, or 0 for none. Under RCU. */
u32 bulwark_governing(const struct bulwark_generation *gen, struct cgroup *cgroup);

#endif /* BULWARK_GOVERNING_H */
