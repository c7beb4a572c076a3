// SPDX-License-Identifier: GPL-2.0
/* Selectors as the BPF programs look them up; see selector_maps.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "selector_maps.h"
#include "uapi/linux/bulwark_image.h"

static __u64 name_hash(__u64 seed, const char *s, size_t len)
{
	__u64 h = bw_hash_init(seed);
	size_t i;

	for (i = 0; i < len; i++)
		h = bw_hash_step(h, (__u8)s[i]);
	return h;
}

/* Whether an earlier policy of @image has the same selector (the first one wins). */
static int seen_before(const struct bulwark_image *image, __u32 p)
{
	const struct bulwark_image_policy *pol = &image->policies[p];
	__u32 q;

	for (q = 0; q < p; q++) {
		const struct bulwark_image_policy *o = &image->policies[q];

		if (o->selector_kind == pol->selector_kind &&
		    !strcmp(bulwark_image_string(image, o->selector),
			    bulwark_image_string(image, pol->selector)))
			return 1;
	}
	return 0;
}

static int write_glob(struct selector_maps *m, const char *value, __u32 policy)
{
	struct bw_cgroup_glob g = {.policy = policy};
	size_t len = strlen(value), i, d = 0;
	__u32 key;
	int ret;

	if (m->globs >= BW_CGROUP_GLOBS_MAX) {
		snprintf(
			m->why, sizeof(m->why),
			"more than %d cgroup: selectors: the BPF backend matches at most that many",
			BW_CGROUP_GLOBS_MAX);
		return -E2BIG;
	}
	if (len >= BW_CGROUP_GLOB_LEN || value[0] != '/') {
		snprintf(m->why, sizeof(m->why),
			 "cgroup: %s: the BPF backend matches globs of at most %d bytes", value,
			 BW_CGROUP_GLOB_LEN - 1);
		return -E2BIG;
	}
	memcpy(g.pattern, value, len);
	for (i = 0; i < len; i++) {
		if (value[i] != '/')
			continue;
		if (d >= BW_CGROUP_DEPTH_MAX - 1) {
			snprintf(m->why, sizeof(m->why),
				 "cgroup: %s: the BPF backend looks at %d levels of cgroups", value,
				 BW_CGROUP_DEPTH_MAX - 1);
			return -E2BIG;
		}
		g.start[d] = i + 1;
		if (d)
			g.len[d - 1] = i - g.start[d - 1];
		d++;
	}
	g.len[d - 1] = len - g.start[d - 1];
	g.depth = d;
	key = m->slot * BW_CGROUP_GLOBS_MAX + m->globs;
	ret = m->put(m->ctx, BW_MAP_CGROUP_GLOBS, &key, &g);
	if (ret) {
		snprintf(m->why, sizeof(m->why), "cannot write cgroup: %s: %s", value,
			 strerror(-ret));
		return ret;
	}
	m->globs++;
	return 0;
}

int selector_maps_write(struct selector_maps *m, const struct bulwark_image *image)
{
	__u32 p;
	int ret;

	for (p = 0; p < image->policy_count; p++) {
		const struct bulwark_image_policy *pol = &image->policies[p];
		const char *value = bulwark_image_string(image, pol->selector);
		__u32 policy = m->policy_base + p;
		size_t len = strlen(value);
		struct bw_cgroup_key key = {.slot = m->slot};

		if (pol->selector_kind == BULWARK_SELECTOR_HOST || seen_before(image, p))
			continue;
		switch (pol->selector_kind) {
		case BULWARK_SELECTOR_CGROUP:
			ret = write_glob(m, value, policy);
			if (ret)
				return ret;
			continue;
		case BULWARK_SELECTOR_SYSTEMD_UNIT:
			if (!len || len > BW_CGROUP_NAME_MAX)
				goto bad;
			break;
		case BULWARK_SELECTOR_CONTAINER:
			if (!len || len > 64)
				goto bad;
			m->container_lengths |= 1ull << (len - 1);
			break;
		default:
			goto bad;
		}
		key.cgroup = name_hash(m->seed, value, len);
		key.selector = BW_SELECTOR_KEY(pol->selector_kind, len);
		ret = m->put(m->ctx, BW_MAP_CGROUPS, &key, &policy);
		if (ret) {
			snprintf(m->why, sizeof(m->why), "cannot write the selector '%s': %s",
				 value, strerror(-ret));
			return ret;
		}
	}
	return 0;
bad:
	snprintf(m->why, sizeof(m->why), "policy %u: a selector the BPF backend cannot match", p);
	return -EINVAL;
}
