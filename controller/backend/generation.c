// SPDX-License-Identifier: GPL-2.0
/* Writing, switching and clearing generation slots; see generation.h and bulwark_maps.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "generation.h"
#include "selector_maps.h"
#include "file_digest.h"
#include "translate.h"

#define DRAIN_TIMEOUT_MS 10000

struct install_ctx {
	struct bpf_backend *b;
	__u32 *entries; /* by enum bw_slot_map */
	bool admitting; /* this thread's opens are recorded (until fill_slot ends) */
};

/* The hash maps a slot's entries go to, as bw_generation.entries counts them. */
static const enum bw_map slot_maps[__BW_SLOT_MAPS] = {
	[BW_SLOT_CGROUPS] = BW_MAP_CGROUPS, [BW_SLOT_PATHS] = BW_MAP_PATHS,
	[BW_SLOT_GLOBS] = BW_MAP_GLOBS,	    [BW_SLOT_IDENTITIES] = BW_MAP_IDENTITIES,
	[BW_SLOT_NETS] = BW_MAP_NETS,	    [BW_SLOT_NET_RULES] = BW_MAP_NET_RULES,
};

/* An entry of the slot being filled, counted where it goes. */
static int slot_put(struct install_ctx *c, enum bw_map map, const void *key, const void *value)
{
	int ret = bw_map_update(c->b, map, key, value);
	size_t i;

	for (i = 0; !ret && i < __BW_SLOT_MAPS; i++)
		if (slot_maps[i] == map)
			c->entries[i]++;
	return ret;
}

static int sink_put(void *ctx, enum bw_map map, const void *key, const void *value)
{
	return slot_put(ctx, map, key, value);
}

/*
 * A selector's entry, unless an earlier source's selector named the same
 * cgroup: the first source wins, as in the module.
 */
static int sink_put_selector(void *ctx, enum bw_map map, const void *key, const void *value)
{
	struct install_ctx *c = ctx;
	__u32 taken;

	if (map == BW_MAP_CGROUPS && !bw_map_lookup(c->b, map, key, &taken))
		return 0;
	return slot_put(c, map, key, value);
}

/*
 * Tells the file_open program which thread's opens are admissions: @tid as
 * this process's pid namespace numbers it (0: none), so that a controller
 * in a container admits too.
 */
static int set_admit_tid(struct bpf_backend *b, __u32 tid)
{
	struct bw_config config;
	struct stat ns;
	__u32 zero = 0;
	int ret = bw_map_lookup(b, BW_MAP_CONFIG, &zero, &config);

	if (ret)
		return ret;
	if (tid) {
		if (stat("/proc/self/ns/pid", &ns))
			return -errno;
		config.admit_pidns_dev = ns.st_dev;
		config.admit_pidns_ino = ns.st_ino;
	}
	config.admit_tid = tid;
	return bw_map_update(b, BW_MAP_CONFIG, &zero, &config);
}

/*
 * Opens @path with admission on, so the file_open program records the
 * inode as the hooks will see it; then checks pins on the same open file.
 */
static int sink_identify(void *ctx, const char *path, const __u8 *pins, size_t npins,
			 struct bw_admission *id, int *pin)
{
	struct install_ctx *c = ctx;
	struct bw_admission before, after;
	__u8 digest[32];
	__u32 zero = 0;
	size_t i;
	int fd, ret;

	*pin = -1;
	ret = bw_map_lookup(c->b, BW_MAP_ADMISSION, &zero, &before);
	if (ret)
		return ret;
	/* On from the first file to the end of the slot: one update, not two per file. */
	if (!c->admitting) {
		ret = set_admit_tid(c->b, gettid());
		if (ret)
			return ret;
		c->admitting = true;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	ret = bw_map_lookup(c->b, BW_MAP_ADMISSION, &zero, &after);
	if (!ret && after.sequence == before.sequence)
		ret = -EIO; /* the file_open program did not run: not attached? */
	if (!ret && pins) {
		ret = file_digest_sha256(fd, digest);
		for (i = 0; !ret && i < npins; i++)
			if (!memcmp(digest, pins + i * 32, 32)) {
				*pin = i;
				break;
			}
	}
	close(fd);
	if (!ret)
		*id = after;
	return ret;
}

int generation_active(struct bpf_backend *b, __u32 *slot, struct bw_generation *gen)
{
	struct bw_config config;
	__u32 zero = 0;
	int ret = bw_map_lookup(b, BW_MAP_CONFIG, &zero, &config);

	if (ret)
		return ret;
	*slot = config.active & 1;
	return bw_map_lookup(b, BW_MAP_GENS, slot, gen);
}

static int wait_readers(struct bpf_backend *b, __u32 slot)
{
	struct timespec pause = {0, 1000000};
	__u64 readers;
	int waited, ret;

	for (waited = 0; waited < DRAIN_TIMEOUT_MS; waited++) {
		ret = bw_map_sum_u64(b, BW_MAP_READERS, slot, &readers, 1);
		if (ret)
			return ret;
		if (!readers)
			return 0;
		nanosleep(&pause, NULL);
	}
	return -ETIMEDOUT;
}

/* Where each hash map keeps the slot in its key. */
static bool key_in_slot(enum bw_map m, const void *key, __u32 slot)
{
	switch (m) {
	case BW_MAP_CGROUPS:
		return ((const struct bw_cgroup_key *)key)->slot == slot;
	case BW_MAP_PATHS:
		return ((const struct bw_path_key *)key)->slot == slot;
	case BW_MAP_IDENTITIES:
		return ((const struct bw_identity_key *)key)->slot == slot;
	case BW_MAP_NETS:
		return ((const struct bw_net_key *)key)->slot == slot;
	case BW_MAP_GLOBS:
	case BW_MAP_NET_RULES:
		return *(const __u32 *)key >> 31 == slot;
	default:
		return false;
	}
}

/* Deletes the slot's entries: first collects their keys, then deletes them. */
static int clear_hash_map(struct bpf_backend *b, enum bw_map m, __u32 slot)
{
	__u8 key[32], next[32];
	__u8(*keys)[32] = NULL, (*grown)[32];
	size_t count = 0, alloc = 0, i;
	void *prev = NULL;
	int ret;

	while (!(ret = bw_map_next_key(b, m, prev, next))) {
		if (key_in_slot(m, next, slot)) {
			if (count == alloc) {
				alloc = alloc ? 2 * alloc : 256;
				grown = realloc(keys, alloc * sizeof(*keys));
				if (!grown) {
					free(keys);
					return -ENOMEM;
				}
				keys = grown;
			}
			memcpy(keys[count++], next, sizeof(next));
		}
		memcpy(key, next, sizeof(key));
		prev = key;
	}
	if (ret == -ENOENT)
		ret = 0;
	for (i = 0; !ret && i < count; i++) {
		ret = bw_map_delete(b, m, keys[i]);
		if (ret == -ENOENT)
			ret = 0;
	}
	free(keys);
	return ret;
}

static int clear_slot(struct bpf_backend *b, __u32 slot)
{
	struct bw_generation gen = {0}, was;
	struct bw_policy empty = {0}, *policies;
	__u32 i, index;
	size_t m;
	int ret;

	ret = wait_readers(b, slot);
	if (ret)
		return ret;
	ret = bw_map_lookup(b, BW_MAP_GENS, &slot, &was);
	if (ret)
		return ret;
	/* The slot's generation record goes first: nothing may look it up half cleared. */
	ret = bw_map_update(b, BW_MAP_GENS, &slot, &gen);
	if (ret)
		return ret;
	if (was.contents == BW_SLOT_EMPTY)
		return 0;
	for (m = 0; m < __BW_SLOT_MAPS; m++) {
		if (was.contents == BW_SLOT_COUNTED && !was.entries[m])
			continue;
		ret = clear_hash_map(b, slot_maps[m], slot);
		if (ret)
			return ret;
	}
	/* One read of the slot's policies: a lookup each is 8,192 system calls. */
	policies = calloc(BW_POLICY_MAX, sizeof(*policies));
	if (!policies)
		return -ENOMEM;
	ret = bw_map_lookup_range(b, BW_MAP_POLICIES, slot * BW_POLICY_MAX, BW_POLICY_MAX, policies,
				  sizeof(*policies));
	for (i = 0; !ret && i < BW_POLICY_MAX; i++) {
		if (!policies[i].valid)
			continue;
		index = slot * BW_POLICY_MAX + i;
		ret = bw_map_update(b, BW_MAP_POLICIES, &index, &empty);
		if (!ret)
			ret = bw_map_zero_percpu(b, BW_MAP_COUNTERS, index, 3);
	}
	free(policies);
	if (ret)
		return ret;
	gen.contents = BW_SLOT_EMPTY;
	return bw_map_update(b, BW_MAP_GENS, &slot, &gen);
}

/*
 * Fills @slot with the sources; @next (its seed given) gets the entry
 * counts and the selectors' summary.
 */
static int fill_slot_admitting(struct install_ctx *ctx, __u32 slot, struct bw_generation *next,
			       const struct gen_source *sources, size_t count,
			       struct gen_result *result);

static int fill_slot(struct bpf_backend *b, __u32 slot, struct bw_generation *next,
		     const struct gen_source *sources, size_t count, struct gen_result *result)
{
	struct install_ctx ctx = {.b = b, .entries = next->entries};
	int ret = fill_slot_admitting(&ctx, slot, next, sources, count, result);

	if (ctx.admitting)
		set_admit_tid(b, 0);
	return ret;
}

static int fill_slot_admitting(struct install_ctx *ctx, __u32 slot, struct bw_generation *next,
			       const struct gen_source *sources, size_t count,
			       struct gen_result *result)
{
	struct bpf_backend *b = ctx->b;
	__u64 seed = next->seed;
	struct bw_generation filling = {.contents = BW_SLOT_UNKNOWN};
	__u32 glob_next = 0, net_next = 0;
	size_t s, i;
	int ret;

	/* Until the slot is complete, whoever clears it next walks every map. */
	ret = bw_map_update(b, BW_MAP_GENS, &slot, &filling);
	if (ret) {
		snprintf(result->why, sizeof(result->why), "cannot mark the slot: %s",
			 strerror(-ret));
		return ret;
	}

	for (s = 0; s < count; s++) {
		const struct gen_source *src = &sources[s];
		struct translation t = {
			.image = src->image,
			.slot = slot,
			.policy_base = src->policy_base,
			.seed = seed,
			.glob_next = &glob_next,
			.net_next = &net_next,
			.put = sink_put,
			.identify = sink_identify,
			.ctx = ctx,
		};

		ret = translate_image(&t);
		if (ret) {
			snprintf(result->why, sizeof(result->why), "%s",
				 t.why[0] ? t.why : strerror(-ret));
			return ret;
		}
		result->policies += src->image->policy_count;
		result->path_entries += t.path_entries;
		result->net_entries += t.net_entries;
		result->identities += t.identities;
		result->not_admitted += t.not_admitted;
		for (i = 0; i < src->binding_count; i++) {
			struct bw_cgroup_key key = {.cgroup = src->bindings[i].cgroup,
						    .slot = slot};
			__u32 policy = src->policy_base + src->bindings[i].policy;

			ret = slot_put(ctx, BW_MAP_CGROUPS, &key, &policy);
			if (ret) {
				snprintf(result->why, sizeof(result->why),
					 "cannot bind cgroup %llu: %s",
					 (unsigned long long)key.cgroup, strerror(-ret));
				return ret;
			}
		}
		if (src->selected) {
			struct selector_maps m = {
				.slot = slot,
				.seed = seed,
				.policy_base = src->policy_base,
				.globs = next->cgroup_globs,
				.container_lengths = next->container_lengths,
				.put = sink_put_selector,
				.ctx = ctx,
			};

			ret = selector_maps_write(&m, src->image);
			if (ret) {
				snprintf(result->why, sizeof(result->why), "%s", m.why);
				return ret;
			}
			next->selected = 1;
			next->cgroup_globs = m.globs;
			next->container_lengths = m.container_lengths;
		}
	}
	return 0;
}

int generation_install(struct bpf_backend *b, const struct gen_source *sources, size_t count,
		       struct gen_result *result)
{
	struct bw_generation active_gen, next = {0};
	struct bw_config config;
	__u32 zero = 0, active, slot;
	size_t s;
	int ret;

	memset(result, 0, sizeof(*result));
	ret = bw_map_lookup(b, BW_MAP_CONFIG, &zero, &config);
	if (ret)
		goto fail;
	active = config.active & 1;
	slot = !active;
	ret = bw_map_lookup(b, BW_MAP_GENS, &active, &active_gen);
	if (ret)
		goto fail;
	/* Whatever an interrupted run left in the inactive slot goes first. */
	ret = clear_slot(b, slot);
	if (ret)
		goto fail;
	if (getrandom(&next.seed, sizeof(next.seed), 0) != sizeof(next.seed)) {
		ret = -errno;
		goto fail;
	}
	ret = fill_slot(b, slot, &next, sources, count, result);
	if (ret)
		goto undo;
	next.generation = active_gen.generation + 1;
	next.contents = BW_SLOT_COUNTED;
	for (s = 0; s < count; s++) {
		__u32 end = sources[s].policy_base + sources[s].image->policy_count;

		if (sources[s].host_policy >= 0 && !next.host_policy)
			next.host_policy = sources[s].policy_base + sources[s].host_policy + 1;
		if (end > next.policy_count)
			next.policy_count = end;
	}
	ret = bw_map_update(b, BW_MAP_GENS, &slot, &next);
	if (ret)
		goto undo;
	/* The switch: one update. */
	config.active = slot;
	config.admit_tid = 0;
	ret = bw_map_update(b, BW_MAP_CONFIG, &zero, &config);
	if (ret)
		goto undo;
	result->generation = next.generation;
	/* The old generation, once no program uses it. Failing here loses nothing. */
	ret = clear_slot(b, active);
	if (ret)
		fprintf(stderr, "bulwark: warning: the previous generation stays in memory: %s\n",
			strerror(-ret));
	return 0;
undo:
	clear_slot(b, slot);
fail:
	if (!result->why[0])
		snprintf(result->why, sizeof(result->why), "%s", strerror(-ret));
	return ret;
}
