// SPDX-License-Identifier: GPL-2.0
/*
 * The compiler's back end: a checked policy set in, a policy image out
 * (format: include/uapi/linux/bulwark_image.h). Rules are sorted by the
 * same key order and hashed with the same functions as the decoder and the
 * decision core use (kmod/core/image.c), so what the kernel reads is exactly
 * what was written here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/image.h"
#include "image_write.h"
#include "xalloc.h"

/* --- open-addressing indexes, as the decoder checks them -------------------------- */

static size_t index_slots(size_t runs)
{
	size_t slots = 2;

	while (slots < runs * 2)
		slots *= 2;
	return slots;
}

/* Inserts @value; returns how many slots past its home slot it landed. */
static size_t index_insert(uint32_t *index, size_t slots, uint32_t hash, uint32_t value)
{
	uint32_t slot = hash & (slots - 1);
	size_t distance = 0;

	while (index[slot]) {
		slot = (slot + 1) & (slots - 1);
		distance++;
	}
	index[slot] = value;
	return distance;
}

/* --- the string table, deduplicated ------------------------------------------- */

struct strings {
	char *data;
	size_t size, alloc, count;
	uint32_t *slots; /* 1 + offset, open addressing */
	size_t slot_count;
};

static uint32_t string_hash(const char *s)
{
	return bulwark_path_key_hash(0, 0, 0, 0, s, strlen(s));
}

static void strings_init(struct strings *t, size_t expected)
{
	memset(t, 0, sizeof(*t));
	for (t->slot_count = 64; t->slot_count < expected * 2; t->slot_count *= 2)
		;
	t->slots = xcalloc(t->slot_count, sizeof(*t->slots));
	t->alloc = 4096;
	t->data = xcalloc(t->alloc, 1);
	t->size = 1; /* offset 0 is "" */
}

static void strings_rehash(struct strings *t)
{
	size_t offset;

	free(t->slots);
	t->slot_count *= 2;
	t->slots = xcalloc(t->slot_count, sizeof(*t->slots));
	for (offset = 1; offset < t->size; offset += strlen(t->data + offset) + 1)
		index_insert(t->slots, t->slot_count, string_hash(t->data + offset), offset + 1);
}

static uint32_t strings_add(struct strings *t, const char *s)
{
	size_t len = strlen(s);
	uint32_t slot;

	if (!len)
		return 0;
	if (t->count * 2 >= t->slot_count)
		strings_rehash(t);
	slot = string_hash(s) & (t->slot_count - 1);
	while (t->slots[slot]) {
		if (!strcmp(t->data + t->slots[slot] - 1, s))
			return t->slots[slot] - 1;
		slot = (slot + 1) & (t->slot_count - 1);
	}
	while (t->size + len + 1 > t->alloc) {
		t->alloc *= 2;
		t->data = xrealloc(t->data, t->alloc);
	}
	memcpy(t->data + t->size, s, len + 1);
	t->slots[slot] = t->size + 1;
	t->size += len + 1;
	t->count++;
	return t->slots[slot] - 1;
}

/* --- rules ----------------------------------------------------------------------- */

static const char *sort_strings; /* for the qsort comparators */

static int path_rule_full_cmp(const void *a, const void *b)
{
	const struct bulwark_image_path_rule *x = a, *y = b;
	int order = bulwark_path_rule_cmp(sort_strings, x, y);

	if (order)
		return order;
	/* Within a key: a fixed order so the same input gives the same bytes. */
	order = strcmp(sort_strings + x->pattern, sort_strings + y->pattern);
	if (order)
		return order;
	if (x->rule_id != y->rule_id)
		return x->rule_id < y->rule_id ? -1 : 1;
	if (x->access != y->access)
		return x->access < y->access ? -1 : 1;
	return x->digest < y->digest ? -1 : x->digest > y->digest;
}

static int net_rule_full_cmp(const void *a, const void *b)
{
	const struct bulwark_image_net_rule *x = a, *y = b;
	int order = bulwark_net_rule_cmp(x, y);

	if (order)
		return order;
	if (x->rule_id != y->rule_id)
		return x->rule_id < y->rule_id ? -1 : 1;
	if (x->protocol != y->protocol)
		return x->protocol - y->protocol;
	if (x->port_min != y->port_min)
		return x->port_min - y->port_min;
	if (x->port_max != y->port_max)
		return x->port_max - y->port_max;
	return x->action - y->action;
}

struct tables {
	struct strings strings;
	struct bulwark_image_policy *policies;
	uint8_t *digests;
	size_t digest_count;
	struct bulwark_image_path_rule *path_rules;
	size_t path_rule_count;
	uint32_t *path_index;
	size_t path_index_slots;
	struct bulwark_image_net_rule *net_rules;
	size_t net_rule_count;
	uint32_t *net_index;
	size_t net_index_slots;
	uint32_t hash_seed;
};

static void set_prefix_bit(struct bulwark_image_policy *p, const struct net_rule *r)
{
	__u64 bit;
	/* The image's policies are ours to fill; the helper's view is read-only. */
	__u64 *word = (__u64 *)bulwark_prefix_word(p, r->direction, r->family, r->prefix_len, &bit);

	*word |= bit;
}

static void add_policy_rules(struct tables *t, const struct policy *policy, uint16_t index)
{
	size_t i;

	for (i = 0; i < policy->path_rule_count; i++) {
		const struct path_rule *r = &policy->path_rules[i];
		struct bulwark_image_path_rule *out;

		if (!r->path) /* a `package:` entry: its files follow as rules of their own */
			continue;
		out = &t->path_rules[t->path_rule_count++];
		out->path = strings_add(&t->strings, r->path);
		out->pattern = r->pattern ? strings_add(&t->strings, r->pattern) : 0;
		out->policy = index;
		out->class = r->class;
		out->match = r->match;
		out->access = r->access;
		out->action = r->action;
		out->rule_id = r->id;
		if (r->has_digest) {
			memcpy(t->digests + t->digest_count * BULWARK_DIGEST_SIZE, r->digest,
			       BULWARK_DIGEST_SIZE);
			out->digest = ++t->digest_count;
		}
	}
	for (i = 0; i < policy->net_rule_count; i++) {
		const struct net_rule *r = &policy->net_rules[i];
		struct bulwark_image_net_rule *out = &t->net_rules[t->net_rule_count++];

		memcpy(out->addr, r->addr, sizeof(out->addr));
		out->policy = index;
		out->direction = r->direction;
		out->family = r->family;
		out->prefix_len = r->prefix_len;
		out->protocol = r->protocol;
		out->action = r->action;
		out->port_min = r->port_min;
		out->port_max = r->port_max;
		out->rule_id = r->id;
		set_prefix_bit(&t->policies[index], r);
	}
}

static void fill_policy(struct tables *t, const struct policy *policy, uint16_t index)
{
	struct bulwark_image_policy *out = &t->policies[index];
	int class;

	out->name = strings_add(&t->strings, policy->name);
	out->selector = policy->selector ? strings_add(&t->strings, policy->selector) : 0;
	out->selector_kind = policy->selector_kind;
	out->mode = policy->mode;
	for (class = 0; class < __BULWARK_CLASS_MAX; class ++)
		out->defaults[class] = class == BULWARK_CLASS_UNIX ? 0 : policy->defaults[class];
}

/* Drops rules identical to the one before them (a package file also named by path). */
static size_t dedupe_path_rules(struct bulwark_image_path_rule *rules, size_t count)
{
	size_t in, out = 0;

	for (in = 0; in < count; in++) {
		const struct bulwark_image_path_rule *prev = out ? &rules[out - 1] : NULL;

		if (prev && !bulwark_path_rule_cmp(sort_strings, prev, &rules[in]) &&
		    prev->pattern == rules[in].pattern && prev->access == rules[in].access &&
		    prev->action == rules[in].action && !prev->digest && !rules[in].digest)
			continue;
		rules[out++] = rules[in];
	}
	return out;
}

/* Builds both indexes with @seed; returns the longest distance from a home slot. */
static size_t build_indexes_with(struct tables *t, uint32_t seed)
{
	size_t i, longest = 0, distance;

	memset(t->path_index, 0, t->path_index_slots * sizeof(uint32_t));
	for (i = 0; i < t->path_rule_count; i++) {
		const struct bulwark_image_path_rule *r = &t->path_rules[i];
		const char *path = t->strings.data + r->path;

		if (i && !bulwark_path_rule_cmp(sort_strings, &t->path_rules[i - 1], r))
			continue;
		distance = index_insert(t->path_index, t->path_index_slots,
					bulwark_path_key_hash(seed, r->policy, r->class, r->match,
							      path, strlen(path)),
					i + 1);
		longest = distance > longest ? distance : longest;
	}
	memset(t->net_index, 0, t->net_index_slots * sizeof(uint32_t));
	for (i = 0; i < t->net_rule_count; i++) {
		const struct bulwark_image_net_rule *r = &t->net_rules[i];

		if (i && !bulwark_net_rule_cmp(&t->net_rules[i - 1], r))
			continue;
		distance = index_insert(t->net_index, t->net_index_slots,
					bulwark_net_key_hash(seed, r->policy, r->direction,
							     r->family, r->prefix_len, r->addr),
					i + 1);
		longest = distance > longest ? distance : longest;
	}
	return longest;
}

/*
 * Lookups give up after BULWARK_PROBE_MAX probes, so every run must sit
 * that close to its home slot: try seeds in order (the same input always
 * ends on the same seed) until one spreads the keys well enough.
 */
static int build_indexes(struct tables *t)
{
	size_t i, runs = 0;

	for (i = 0; i < t->path_rule_count; i++)
		runs += !i || bulwark_path_rule_cmp(sort_strings, &t->path_rules[i - 1],
						    &t->path_rules[i]);
	t->path_index_slots = index_slots(runs);
	t->path_index = xcalloc(t->path_index_slots, sizeof(uint32_t));
	for (runs = 0, i = 0; i < t->net_rule_count; i++)
		runs += !i || bulwark_net_rule_cmp(&t->net_rules[i - 1], &t->net_rules[i]);
	t->net_index_slots = index_slots(runs);
	t->net_index = xcalloc(t->net_index_slots, sizeof(uint32_t));
	for (t->hash_seed = 0; t->hash_seed < 1024; t->hash_seed++)
		if (build_indexes_with(t, t->hash_seed) < BULWARK_PROBE_MAX)
			return 0;
	return -E2BIG;
}

static int lay_out(const struct tables *t, size_t policy_count, struct image_buffer *out)
{
	const struct {
		const void *data;
		size_t size, count;
	} sections[BULWARK_SECTION_COUNT] = {
		{t->strings.data, t->strings.size, t->strings.size},
		{t->policies, policy_count * sizeof(*t->policies), policy_count},
		{t->digests, t->digest_count * BULWARK_DIGEST_SIZE, t->digest_count},
		{t->path_rules, t->path_rule_count * sizeof(*t->path_rules), t->path_rule_count},
		{t->path_index, t->path_index_slots * 4, t->path_index_slots},
		{t->net_rules, t->net_rule_count * sizeof(*t->net_rules), t->net_rule_count},
		{t->net_index, t->net_index_slots * 4, t->net_index_slots},
	};
	struct bulwark_image_header *header;
	struct bulwark_image_section *table;
	size_t at = sizeof(*header) + sizeof(*table) * BULWARK_SECTION_COUNT, size = at;
	uint8_t *image;
	int i;

	for (i = 0; i < BULWARK_SECTION_COUNT; i++)
		size = ((size + 7) & ~(size_t)7) + sections[i].size;
	if (size > BULWARK_IMAGE_SIZE_MAX)
		return -E2BIG;
	image = aligned_alloc(8, (size + 7) & ~(size_t)7);
	if (!image)
		return -ENOMEM;
	memset(image, 0, (size + 7) & ~(size_t)7);
	header = (void *)image;
	table = (void *)(image + sizeof(*header));
	for (i = 0; i < BULWARK_SECTION_COUNT; i++) {
		at = (at + 7) & ~(size_t)7;
		table[i].offset = at;
		table[i].size = sections[i].size;
		table[i].count = sections[i].count;
		if (sections[i].size)
			memcpy(image + at, sections[i].data, sections[i].size);
		at += sections[i].size;
	}
	memcpy(header->magic, BULWARK_IMAGE_MAGIC, sizeof(header->magic));
	header->abi_version = BULWARK_IMAGE_ABI;
	header->header_size = sizeof(*header);
	header->image_size = size;
	header->section_count = BULWARK_SECTION_COUNT;
	header->hash_seed = t->hash_seed;
	header->checksum = bulwark_crc32c(0, image, size);
	out->data = image;
	out->size = size;
	return 0;
}

int image_build(const struct policy_set *set, struct image_buffer *out)
{
	struct tables t = {0};
	size_t i, path_rules = 0, net_rules = 0, digests = 0;
	int ret;

	if (set->count > BULWARK_POLICIES_MAX)
		return -E2BIG;
	for (i = 0; i < set->count; i++) {
		path_rules += set->policies[i].path_rule_count;
		net_rules += set->policies[i].net_rule_count;
		for (size_t j = 0; j < set->policies[i].path_rule_count; j++)
			digests += set->policies[i].path_rules[j].has_digest;
	}
	if (path_rules > BULWARK_RULES_MAX || net_rules > BULWARK_RULES_MAX)
		return -E2BIG;
	strings_init(&t.strings, path_rules + set->count * 2);
	t.policies = xcalloc(set->count, sizeof(*t.policies));
	t.digests = xcalloc(digests, BULWARK_DIGEST_SIZE);
	t.path_rules = xcalloc(path_rules, sizeof(*t.path_rules));
	t.net_rules = xcalloc(net_rules, sizeof(*t.net_rules));

	for (i = 0; i < set->count; i++) {
		fill_policy(&t, &set->policies[i], i);
		add_policy_rules(&t, &set->policies[i], i);
	}
	sort_strings = t.strings.data;
	qsort(t.path_rules, t.path_rule_count, sizeof(*t.path_rules), path_rule_full_cmp);
	t.path_rule_count = dedupe_path_rules(t.path_rules, t.path_rule_count);
	qsort(t.net_rules, t.net_rule_count, sizeof(*t.net_rules), net_rule_full_cmp);
	ret = build_indexes(&t);
	if (!ret)
		ret = lay_out(&t, set->count, out);

	free(t.strings.data);
	free(t.strings.slots);
	free(t.policies);
	free(t.digests);
	free(t.path_rules);
	free(t.path_index);
	free(t.net_rules);
	free(t.net_index);
	return ret;
}

int image_write_file(const char *path, const struct image_buffer *image)
{
	char tmp[PATH_MAX];
	size_t done = 0;
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	while (done < image->size) {
		ssize_t n = write(fd, (const char *)image->data + done, image->size - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		done += n;
	}
	if (!ret && (fchmod(fd, 0644) || fsync(fd)))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

int image_read_file(const char *path, struct image_buffer *out)
{
	struct stat st;
	size_t done = 0;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > BULWARK_IMAGE_SIZE_MAX) {
		ret = -E2BIG;
		goto out;
	}
	out->data = aligned_alloc(8, ((size_t)st.st_size + 8) & ~(size_t)7);
	if (!out->data) {
		ret = -ENOMEM;
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, (char *)out->data + done, st.st_size - done);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			ret = n < 0 ? -errno : -EIO;
			free(out->data);
			out->data = NULL;
			goto out;
		}
		done += n;
	}
	out->size = done;
out:
	close(fd);
	return ret;
}
