/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Translating a decoded policy image into the BPF backend's map entries for
 * one generation slot (layouts and meaning in lsm-bpf/bulwark_maps.h). Pure:
 * entries go to a sink, and files named by exact exec rules are identified
 * through a callback, so the kernel's view of them is the caller's business.
 */
#ifndef BULWARK_TRANSLATE_H
#define BULWARK_TRANSLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf_maps.h"
#include "core/image.h"

struct translation {
	const struct bulwark_image *image;
	__u8 slot;
	__u16 policy_base; /* the BPF index of the image's policy 0 */
	__u64 seed; /* the slot's path hash seed */
	__u32 *glob_next; /* next free bw_globs index in the slot */
	__u32 *net_next; /* next free bw_net_rules index in the slot */
	/* Writes one entry; returns 0 or -errno. */
	int (*put)(void *ctx, enum bw_map map, const void *key, const void *value);
	/*
	 * Identifies the file at @path as the kernel will (dev, ino, ctime)
	 * and, when @pins is not NULL, checks its sha256 against the @npins
	 * digests there: sets *@pin to the index of the matching one or -1.
	 * Returns 0, or -errno when the file cannot be opened.
	 */
	int (*identify)(void *ctx, const char *path, const __u8 *pins, size_t npins,
			struct bw_admission *id, int *pin);
	void *ctx;
	/* Counters and what went wrong. */
	unsigned int path_entries, glob_entries, net_entries, identities;
	unsigned int not_admitted; /* exact exec allow rules whose file was not admitted */
	char why[512];
};

/* Translates every policy of the image. Returns 0 or -errno with t->why set. */
int translate_image(struct translation *t);

/* The seeded hashes of a path, as the BPF programs compute them. */
void translate_path_hash(__u64 seed, const char *path, size_t len, __u64 *hash, __u32 *check);

#endif /* BULWARK_TRANSLATE_H */
