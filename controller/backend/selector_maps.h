/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF backend's form of an applied image's selectors (bulwark_maps.h:
 * Cgroups), so that the programs bind a cgroup made after apply by itself.
 */
#ifndef BULWARK_SELECTOR_MAPS_H
#define BULWARK_SELECTOR_MAPS_H

#include <stddef.h>

#include "bpf_maps.h"
#include "core/image.h"

struct selector_maps {
	__u32 slot;
	__u64 seed;
	__u16 policy_base;
	/* Out: what the slot's bw_generation records. */
	__u32 globs;
	__u64 container_lengths;
	int (*put)(void *ctx, enum bw_map map, const void *key, const void *value);
	void *ctx;
	char why[600];
};

/*
 * Writes @image's systemdUnit and container selectors as bw_cgroups keys
 * and its cgroup globs into bw_cgroup_globs (after m->globs of them).
 * Returns 0 or -errno with m->why set: -E2BIG for a glob past what the
 * programs match (BW_CGROUP_GLOBS_MAX globs of BW_CGROUP_GLOB_LEN - 1 bytes
 * and BW_CGROUP_DEPTH_MAX - 1 components).
 */
int selector_maps_write(struct selector_maps *m, const struct bulwark_image *image);

#endif /* BULWARK_SELECTOR_MAPS_H */
