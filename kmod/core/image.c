// SPDX-License-Identifier: GPL-2.0
/*
 * The policy image decoder. The format is specified in
 * include/uapi/linux/bulwark_image.h; this file trusts nothing in it.
 */
#include "image.h"

/* Says what was wrong, for the caller to pass on (an extack, a message). */
static int fail(const char **why, int err, const char *msg)
{
	*why = msg;
	return err;
}

/* CRC-32C, four bits at a time: small enough for the kernel and fast enough. */
static const __u32 crc32c_nibble[16] = {
	0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1, 0x417b1dbc, 0x5125dad3,
	0x61c69362, 0x7198540d, 0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9,
	0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75,
};

__u32 bulwark_crc32c(__u32 crc, const void *data, __u64 len)
{
	const __u8 *p = data;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ crc32c_nibble[crc & 15];
		crc = (crc >> 4) ^ crc32c_nibble[crc & 15];
	}
	return ~crc;
}

#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

static __u32 fnv1a(__u32 hash, const void *data, __u32 len)
{
	const __u8 *p = data;

	while (len--)
		hash = (hash ^ *p++) * FNV_PRIME;
	return hash;
}

__u32 bulwark_path_key_hash(__u32 seed, __u16 policy, __u8 class, __u8 match, const char *path,
			    __u32 len)
{
	__u8 head[4] = {policy & 0xff, policy >> 8, class, match};

	return fnv1a(fnv1a(FNV_OFFSET ^ seed, head, sizeof(head)), path, len);
}

__u32 bulwark_net_key_hash(__u32 seed, __u16 policy, __u8 direction, __u8 family, __u8 prefix_len,
			   const __u8 addr[16])
{
	__u8 head[5] = {policy & 0xff, policy >> 8, direction, family, prefix_len};

	return fnv1a(fnv1a(FNV_OFFSET ^ seed, head, sizeof(head)), addr, 16);
}

int bulwark_path_rule_cmp(const char *strings, const struct bulwark_image_path_rule *a,
			  const struct bulwark_image_path_rule *b)
{
	if (a->policy != b->policy)
		return a->policy < b->policy ? -1 : 1;
	if (a->class != b->class)
		return a->class < b->class ? -1 : 1;
	if (a->match != b->match)
		return a->match < b->match ? -1 : 1;
	return strcmp(strings + a->path, strings + b->path);
}

int bulwark_net_rule_cmp(const struct bulwark_image_net_rule *a,
			 const struct bulwark_image_net_rule *b)
{
	if (a->policy != b->policy)
		return a->policy < b->policy ? -1 : 1;
	if (a->direction != b->direction)
		return a->direction < b->direction ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->prefix_len != b->prefix_len)
		return a->prefix_len < b->prefix_len ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

bool bulwark_path_is_normal(const char *path, __u32 len)
{
	__u32 i, start;

	if (len == 0 || path[0] != '/')
		return false;
	if (len == 1)
		return true;
	if (path[len - 1] == '/')
		return false;
	/* Every component is non-empty, not "." or "..", and has no NUL. */
	for (start = 1, i = 1; i <= len; i++) {
		if (i < len && path[i] == '\0')
			return false;
		if (i < len && path[i] != '/')
			continue;
		if (i == start)
			return false;
		if (path[start] == '.' &&
		    (i - start == 1 || (i - start == 2 && path[start + 1] == '.')))
			return false;
		start = i + 1;
	}
	return true;
}

/* A string offset is valid when a NUL ends it inside STRINGS and within the path limit. */
static bool string_ok(const struct bulwark_image *image, __u32 offset, __u32 *len)
{
	__u32 room, n;

	if (offset >= image->strings_size)
		return false;
	room = image->strings_size - offset;
	if (room > BULWARK_PATH_MAX)
		room = BULWARK_PATH_MAX;
	n = strnlen(image->strings + offset, room);
	if (n == room)
		return false;
	*len = n;
	return true;
}

static bool is_zero(const __u8 *p, __u32 len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

static int decode_header(const struct bulwark_image_header *header, __u64 size, const char **why)
{
	if (size < sizeof(*header) + BULWARK_SECTION_COUNT * sizeof(struct bulwark_image_section))
		return fail(why, -EINVAL, "image shorter than its header");
	if (memcmp(header->magic, BULWARK_IMAGE_MAGIC, sizeof(header->magic)))
		return fail(why, -EINVAL, "not a bulwark policy image (bad magic)");
	if (header->abi_version != BULWARK_IMAGE_ABI)
		return fail(why, -EPROTO, "policy image of another ABI version");
	if (header->header_size != sizeof(*header))
		return fail(why, -EINVAL, "bad header size");
	if (size > BULWARK_IMAGE_SIZE_MAX)
		return fail(why, -E2BIG, "image larger than BULWARK_IMAGE_SIZE_MAX");
	if (header->image_size != size)
		return fail(why, -EINVAL, "image size in header does not match the data");
	if (header->section_count != BULWARK_SECTION_COUNT)
		return fail(why, -EINVAL, "bad section count");
	if (header->flags || !is_zero(header->reserved, sizeof(header->reserved)))
		return fail(why, -EINVAL, "unknown header flags or non-zero reserved bytes");
	return 0;
}

static __u32 image_checksum(const __u8 *base, __u64 size)
{
	const __u32 zero = 0;
	__u64 at = offsetof(struct bulwark_image_header, checksum);
	__u32 crc;

	crc = bulwark_crc32c(0, base, at);
	crc = bulwark_crc32c(crc, &zero, sizeof(zero));
	return bulwark_crc32c(crc, base + at + sizeof(zero), size - at - sizeof(zero));
}

static const __u32 entry_size[BULWARK_SECTION_COUNT] = {
	[BULWARK_SECTION_STRINGS] = 1,
	[BULWARK_SECTION_POLICIES] = sizeof(struct bulwark_image_policy),
	[BULWARK_SECTION_DIGESTS] = BULWARK_DIGEST_SIZE,
	[BULWARK_SECTION_PATH_RULES] = sizeof(struct bulwark_image_path_rule),
	[BULWARK_SECTION_PATH_INDEX] = sizeof(__u32),
	[BULWARK_SECTION_NET_RULES] = sizeof(struct bulwark_image_net_rule),
	[BULWARK_SECTION_NET_INDEX] = sizeof(__u32),
};

/* Sections follow each other in order, 8-aligned, padding zero, to the end. */
static int decode_sections(struct bulwark_image *image, const char **why)
{
	const struct bulwark_image_section *sections =
		(const void *)(image->base + sizeof(struct bulwark_image_header));
	const void *view[BULWARK_SECTION_COUNT];
	__u64 at = sizeof(struct bulwark_image_header) + sizeof(*sections) * BULWARK_SECTION_COUNT;
	int i;

	for (i = 0; i < BULWARK_SECTION_COUNT; i++) {
		const struct bulwark_image_section *s = &sections[i];
		__u64 aligned = (at + 7) & ~7ull;

		if (s->reserved)
			return fail(why, -EINVAL, "non-zero reserved field in a section");
		if (s->offset != aligned || aligned > image->size ||
		    !is_zero(image->base + at, aligned - at))
			return fail(why, -EINVAL, "section not where the previous one ends");
		if ((__u64)s->count * entry_size[i] != s->size)
			return fail(why, -EINVAL, "section size does not match its entry count");
		if ((__u64)s->offset + s->size > image->size)
			return fail(why, -EINVAL, "section runs past the end of the image");
		if (i != BULWARK_SECTION_STRINGS && i != BULWARK_SECTION_DIGESTS &&
		    s->count > BULWARK_RULES_MAX * 2)
			return fail(why, -E2BIG, "section has too many entries");
		view[i] = image->base + s->offset;
		at = (__u64)s->offset + s->size;
	}
	if (at != image->size)
		return fail(why, -EINVAL, "data after the last section");

	image->strings = view[BULWARK_SECTION_STRINGS];
	image->strings_size = sections[BULWARK_SECTION_STRINGS].count;
	image->policies = view[BULWARK_SECTION_POLICIES];
	image->policy_count = sections[BULWARK_SECTION_POLICIES].count;
	image->digests = view[BULWARK_SECTION_DIGESTS];
	image->digest_count = sections[BULWARK_SECTION_DIGESTS].count;
	image->path_rules = view[BULWARK_SECTION_PATH_RULES];
	image->path_rule_count = sections[BULWARK_SECTION_PATH_RULES].count;
	image->path_index = view[BULWARK_SECTION_PATH_INDEX];
	image->path_index_mask = sections[BULWARK_SECTION_PATH_INDEX].count - 1;
	image->net_rules = view[BULWARK_SECTION_NET_RULES];
	image->net_rule_count = sections[BULWARK_SECTION_NET_RULES].count;
	image->net_index = view[BULWARK_SECTION_NET_INDEX];
	image->net_index_mask = sections[BULWARK_SECTION_NET_INDEX].count - 1;

	if (image->path_rule_count > BULWARK_RULES_MAX || image->net_rule_count > BULWARK_RULES_MAX)
		return fail(why, -E2BIG, "more rules than BULWARK_RULES_MAX");
	if (image->policy_count > BULWARK_POLICIES_MAX)
		return fail(why, -E2BIG, "more policies than BULWARK_POLICIES_MAX");
	if (image->strings_size == 0 || image->strings[0] != '\0' ||
	    image->strings[image->strings_size - 1] != '\0')
		return fail(why, -EINVAL, "string table does not start and end with NUL");
	return 0;
}

static bool name_ok(const char *name, __u32 len)
{
	__u32 i;

	if (len == 0 || len >= BULWARK_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      (i > 0 && (c == '-' || c == '.'))))
			return false;
	}
	return true;
}

static int decode_policies(const struct bulwark_image *image, const char **why)
{
	bool host;
	__u32 i, len;
	int c;

	for (i = 0; i < image->policy_count; i++) {
		const struct bulwark_image_policy *p = &image->policies[i];

		if (!string_ok(image, p->name, &len) ||
		    !name_ok(bulwark_image_string(image, p->name), len))
			return fail(why, -EINVAL, "policy name invalid");
		if (p->selector_kind >= __BULWARK_SELECTOR_MAX || p->mode >= __BULWARK_MODE_MAX)
			return fail(why, -EINVAL, "policy selector kind or mode out of range");
		/* The host selector alone names nothing. */
		host = p->selector_kind == BULWARK_SELECTOR_HOST;
		if (!string_ok(image, p->selector, &len) || host == !!len)
			return fail(why, -EINVAL, "policy selector invalid");
		for (c = 0; c < __BULWARK_CLASS_MAX; c++)
			if (p->defaults[c] >= __BULWARK_ACTION_MAX)
				return fail(why, -EINVAL, "policy default action out of range");
		if (p->defaults[BULWARK_CLASS_UNIX])
			return fail(why, -EINVAL,
				    "policy default for the unused unix class is not 0");
		if (!is_zero(p->reserved, sizeof(p->reserved)) || (p->egress_v4_prefixes >> 33) ||
		    (p->ingress_v4_prefixes >> 33) || (p->egress_v6_prefixes[2] >> 1) ||
		    (p->ingress_v6_prefixes[2] >> 1))
			return fail(why, -EINVAL, "policy reserved bits set");
	}
	return 0;
}

static int decode_path_rule(const struct bulwark_image *image,
			    const struct bulwark_image_path_rule *r, const char **why)
{
	static const __u16 class_access[] = {
		[BULWARK_CLASS_EXEC] = BULWARK_ACCESS_EXEC,
		[BULWARK_CLASS_FILE] = BULWARK_ACCESS_FILE_ALL,
		[BULWARK_CLASS_UNIX] = BULWARK_ACCESS_UNIX_ALL,
	};
	const char *pattern, *star;
	__u32 len;

	if (r->policy >= image->policy_count)
		return fail(why, -EINVAL, "path rule names a policy that does not exist");
	if (r->class > BULWARK_CLASS_UNIX || r->match >= __BULWARK_MATCH_MAX ||
	    r->action >= __BULWARK_ACTION_MAX || r->reserved)
		return fail(why, -EINVAL, "path rule class, match or action out of range");
	if (!r->access || (r->access & ~class_access[r->class]))
		return fail(why, -EINVAL, "path rule access bits invalid for its class");
	if (r->class == BULWARK_CLASS_EXEC && r->access != BULWARK_ACCESS_EXEC)
		return fail(why, -EINVAL, "exec rule without exactly the exec access bit");
	if (!r->rule_id)
		return fail(why, -EINVAL, "path rule without a rule id");
	if (r->digest > image->digest_count ||
	    (r->digest && (r->class != BULWARK_CLASS_EXEC || r->match != BULWARK_MATCH_EXACT)))
		return fail(why, -EINVAL, "path rule digest invalid");
	if (!string_ok(image, r->path, &len) ||
	    !bulwark_path_is_normal(bulwark_image_string(image, r->path), len))
		return fail(why, -EINVAL, "path rule path is not an absolute, normalized path");
	if (r->match != BULWARK_MATCH_GLOB) {
		if (r->pattern)
			return fail(why, -EINVAL, "pattern on a rule that is not a glob");
		return 0;
	}
	if (!string_ok(image, r->pattern, &len) || len == 0)
		return fail(why, -EINVAL, "glob rule without a pattern");
	pattern = bulwark_image_string(image, r->pattern);
	star = memchr(pattern, '*', len);
	if (!star || memchr(star + 1, '*', len - (star - pattern) - 1) || memchr(pattern, '/', len))
		return fail(why, -EINVAL, "glob pattern must be one name with exactly one '*'");
	return 0;
}

static int decode_net_rule(const struct bulwark_image *image,
			   const struct bulwark_image_net_rule *r, const char **why)
{
	__u32 full, byte;
	__u64 bit;

	if (r->policy >= image->policy_count)
		return fail(why, -EINVAL, "net rule names a policy that does not exist");
	if (!r->rule_id)
		return fail(why, -EINVAL, "net rule without a rule id");
	if (r->direction >= __BULWARK_DIRECTION_MAX || r->protocol >= __BULWARK_PROTO_MAX ||
	    r->action >= __BULWARK_ACTION_MAX || r->reserved)
		return fail(why, -EINVAL, "net rule direction, protocol or action out of range");
	if (r->family == BULWARK_FAMILY_INET)
		full = 32;
	else if (r->family == BULWARK_FAMILY_INET6)
		full = 128;
	else
		return fail(why, -EINVAL, "net rule family invalid");
	if (r->prefix_len > full)
		return fail(why, -EINVAL, "net rule prefix length too long");
	/* Host bits, and for IPv4 the unused bytes, are zero. */
	for (byte = 0; byte < 16; byte++)
		if (r->addr[byte] & ~bulwark_prefix_byte_mask(r->prefix_len, byte))
			return fail(why, -EINVAL, "net rule address has host bits set");
	if (r->port_min > r->port_max ||
	    (r->protocol == BULWARK_PROTO_ICMP && (r->port_min != 0 || r->port_max != 0xffff)))
		return fail(why, -EINVAL, "net rule port range invalid");
	if (!(*bulwark_prefix_word(&image->policies[r->policy], r->direction, r->family,
				   r->prefix_len, &bit) &
	      bit))
		return fail(why, -EINVAL,
			    "net rule prefix length missing from its policy's prefix set");
	return 0;
}

/* The index is a power of two, at least twice the runs, and finds every run. */
static int check_index_shape(__u32 slots, __u32 runs, const char **why)
{
	if (slots < 2 || (slots & (slots - 1)) || slots / 2 < runs)
		return fail(why, -EINVAL,
			    "index size is not a power of two of at least twice the runs");
	return 0;
}

/* Whether a lookup for the run at @target (1 + its position) finds it within the probe limit. */
static bool run_reachable(const __u32 *index, __u32 mask, __u32 hash, __u32 target)
{
	__u32 slot = hash & mask, probes;

	for (probes = 0; probes < BULWARK_PROBE_MAX && index[slot]; probes++) {
		if (index[slot] == target)
			return true;
		slot = (slot + 1) & mask;
	}
	return false;
}

/* Whether rule @i starts a run; if so, *@hash is its key's hash. */
typedef bool (*run_start_fn)(const struct bulwark_image *image, __u32 i, __u32 *hash);

static bool path_run_start(const struct bulwark_image *image, __u32 i, __u32 *hash)
{
	const struct bulwark_image_path_rule *r = &image->path_rules[i];
	const char *path = bulwark_image_string(image, r->path);

	if (i && !bulwark_path_rule_cmp(image->strings, r - 1, r))
		return false;
	*hash = bulwark_path_key_hash(image->hash_seed, r->policy, r->class, r->match, path,
				      strlen(path));
	return true;
}

static bool net_run_start(const struct bulwark_image *image, __u32 i, __u32 *hash)
{
	const struct bulwark_image_net_rule *r = &image->net_rules[i];

	if (i && !bulwark_net_rule_cmp(r - 1, r))
		return false;
	*hash = bulwark_net_key_hash(image->hash_seed, r->policy, r->direction, r->family,
				     r->prefix_len, r->addr);
	return true;
}

/*
 * The index holds exactly one slot per run and a lookup finds every run
 * there; with its shape (at least twice the runs) every probe meets an
 * empty slot and stops.
 */
static int check_index(const struct bulwark_image *image, const __u32 *index, __u32 mask,
		       __u32 count, __u32 runs, run_start_fn run_start, const char **why)
{
	__u32 i, used = 0, hash;
	int ret;

	ret = check_index_shape(mask + 1, runs, why);
	if (ret)
		return ret;
	for (i = 0; i <= mask; i++)
		used += !!index[i];
	if (used != runs)
		return fail(why, -EINVAL, "index does not hold exactly one slot per run");
	for (i = 0; i < count; i++)
		if (run_start(image, i, &hash) && !run_reachable(index, mask, hash, i + 1))
			return fail(why, -EINVAL,
				    "index cannot find a run within BULWARK_PROBE_MAX probes");
	return 0;
}

static int decode_path_rules(const struct bulwark_image *image, const char **why)
{
	const struct bulwark_image_path_rule *rules = image->path_rules;
	__u32 i, runs = 0, run_len = 0;
	int ret;

	for (i = 0; i < image->path_rule_count; i++) {
		int order;

		/* Checked before comparing: the comparison follows its string offsets. */
		ret = decode_path_rule(image, &rules[i], why);
		if (ret)
			return ret;
		order = i ? bulwark_path_rule_cmp(image->strings, &rules[i - 1], &rules[i]) : -1;
		if (order > 0)
			return fail(why, -EINVAL, "path rules are not sorted by key");
		if (!order && rules[i - 1].path != rules[i].path)
			return fail(why, -EINVAL,
				    "path rules with one key must share one path string");
		run_len = order ? 1 : run_len + 1;
		if (run_len > BULWARK_RUN_MAX)
			return fail(why, -E2BIG,
				    "more than BULWARK_RUN_MAX path rules share one key");
		runs += !!order;
	}
	return check_index(image, image->path_index, image->path_index_mask, image->path_rule_count,
			   runs, path_run_start, why);
}

static int decode_net_rules(const struct bulwark_image *image, const char **why)
{
	const struct bulwark_image_net_rule *rules = image->net_rules;
	__u32 i, runs = 0, run_len = 0;
	int ret;

	for (i = 0; i < image->net_rule_count; i++) {
		int order;

		ret = decode_net_rule(image, &rules[i], why);
		if (ret)
			return ret;
		order = i ? bulwark_net_rule_cmp(&rules[i - 1], &rules[i]) : -1;
		if (order > 0)
			return fail(why, -EINVAL, "net rules are not sorted by key");
		run_len = order ? 1 : run_len + 1;
		if (run_len > BULWARK_RUN_MAX)
			return fail(why, -E2BIG,
				    "more than BULWARK_RUN_MAX net rules share one key");
		runs += !!order;
	}
	return check_index(image, image->net_index, image->net_index_mask, image->net_rule_count,
			   runs, net_run_start, why);
}

int bulwark_image_decode(struct bulwark_image *image, const void *data, __u64 size,
			 const char **why)
{
	const struct bulwark_image_header *header = data;
	int ret;

	memset(image, 0, sizeof(*image));
	if ((unsigned long)data & 7)
		return fail(why, -EINVAL, "image buffer not 8-byte aligned");
	ret = decode_header(header, size, why);
	if (ret)
		return ret;
	if (header->checksum != image_checksum(data, size))
		return fail(why, -EBADMSG, "image checksum mismatch");
	image->base = data;
	image->size = size;
	image->hash_seed = header->hash_seed;
	ret = decode_sections(image, why);
	if (!ret)
		ret = decode_policies(image, why);
	if (!ret)
		ret = decode_path_rules(image, why);
	if (!ret)
		ret = decode_net_rules(image, why);
	if (ret)
		memset(image, 0, sizeof(*image));
	return ret;
}
