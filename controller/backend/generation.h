/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policy generations in the BPF backend: a new generation is written into
 * the inactive slot, switched in with one map update, and the old one is
 * cleared only after every program that was using it has finished.
 */
#ifndef BULWARK_GENERATION_H
#define BULWARK_GENERATION_H

#include <stddef.h>

#include "bpf_maps.h"
#include "core/image.h"

/* A cgroup bound to a policy of a source. */
struct binding {
	__u64 cgroup;
	__u16 policy; /* index in the source's image */
};

/* One image in a generation: the applied one, or a `bulwark exec` session's. */
struct gen_source {
	const struct bulwark_image *image;
	__u16 policy_base; /* BPF index of its policy 0 */
	int host_policy; /* index of its host policy, or -1 */
	const struct binding *bindings;
	size_t binding_count;
	/*
	 * Its selectors name cgroups: the kernel binds a cgroup made after
	 * the install by them, the first time it decides a task there
	 * (kmod/core/selector.h). False for bulwark exec's sessions, bound to
	 * their own cgroup only.
	 */
	bool selected;
};

struct gen_result {
	__u64 generation;
	unsigned int policies, path_entries, net_entries, identities, not_admitted;
	char why[600];
};

/*
 * Installs the sources as the next generation and makes it the active
 * one. On failure the running generation stays, untouched. Returns 0 or
 * -errno with result->why set.
 */
int generation_install(struct bpf_backend *b, const struct gen_source *sources, size_t count,
		       struct gen_result *result);

/* The active slot and its generation (0: none). */
int generation_active(struct bpf_backend *b, __u32 *slot, struct bw_generation *gen);

#endif /* BULWARK_GENERATION_H */
