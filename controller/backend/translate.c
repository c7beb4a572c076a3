// SPDX-License-Identifier: GPL-2.0
/*
 * Policy image -> BPF map entries for one slot. The flattening described in
 * lsm-bpf/bulwark_maps.h is done here, with the decision core itself
 * (kmod/core/decide.c), so the BPF programs and `bulwark explain` agree by
 * construction rather than by two implementations of the precedence rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decide.h"
#include "core/run.h"
#include "translate.h"

void translate_path_hash(__u64 seed, const char *path, size_t len, __u64 *hash, __u32 *check)
{
	__u64 h = bw_hash_init(seed);
	__u32 c = bw_check_init(seed);
	size_t i;

	for (i = 0; i < len; i++) {
		h = bw_hash_step(h, (__u8)path[i]);
		c = bw_check_step(c, (__u8)path[i]);
	}
	*hash = h;
	*check = c;
}

static __u32 path_depth(const char *path, size_t len)
{
	__u32 depth = 0;
	size_t i;

	if (len == 1)
		return 0;
	for (i = 0; i < len; i++)
		depth += path[i] == '/';
	return depth;
}

static __u16 class_bits(__u8 class)
{
	switch (class) {
	case BULWARK_CLASS_EXEC:
		return BULWARK_ACCESS_EXEC;
	case BULWARK_CLASS_UNIX:
		return BULWARK_ACCESS_UNIX_ALL;
	default:
		return BULWARK_ACCESS_FILE_ALL;
	}
}

static int bit_index(__u16 bit)
{
	return __builtin_ctz(bit);
}

static int put(struct translation *t, enum bw_map map, const void *key, const void *value)
{
	int ret = t->put(t->ctx, map, key, value);

	if (ret)
		snprintf(t->why, sizeof(t->why), "cannot write a map entry: %s", strerror(-ret));
	return ret;
}

static void path_key(struct translation *t, const struct bulwark_image_path_rule *r,
		     struct bw_path_key *key, __u32 *check)
{
	const char *path = bulwark_image_string(t->image, r->path);

	memset(key, 0, sizeof(*key));
	translate_path_hash(t->seed, path, strlen(path), &key->hash, check);
	key->len = strlen(path);
	key->policy = t->policy_base + r->policy;
	key->slot = t->slot;
	key->class = r->class;
	key->match = r->match;
}

/* Records one bit's verdict in an entry. */
static void set_bit_verdict(struct bw_path_value *v, __u16 bit, const struct bulwark_verdict *d)
{
	if (d->action == BULWARK_DENY)
		v->deny |= bit;
	else
		v->allow |= bit;
	v->rule[bit_index(bit)] = d->rule_id;
}

/*
 * The file an exact exec rule names, admitted by identity: deny rules
 * always; allow rules when the file opens and, if pinned, its content
 * matches a pin.
 */
static int admit_exact_exec(struct translation *t, const struct bulwark_image_path_rule *run,
			    const struct bulwark_image_path_rule *end)
{
	const struct bulwark_image *image = t->image;
	const char *path = bulwark_image_string(image, run->path);
	const struct bulwark_image_path_rule *rend = bulwark_run_end(run, end);
	const struct bulwark_image_path_rule *chosen = bulwark_run_admits(run, rend);
	const struct bulwark_image_path_rule *r, *pinned[BULWARK_RUN_MAX];
	__u8 pins[BULWARK_RUN_MAX][BULWARK_DIGEST_SIZE];
	struct bw_identity_key key = {0};
	struct bw_identity value = {0};
	struct bw_admission id;
	size_t npins = 0;
	int pin = -1, ret;

	/* Only pins left: identify() hashes the file once and says which one it matches. */
	for (r = run; !chosen && r < rend && npins < BULWARK_RUN_MAX; r++) {
		if (!r->digest)
			continue;
		memcpy(pins[npins], image->digests + (r->digest - 1) * BULWARK_DIGEST_SIZE,
		       BULWARK_DIGEST_SIZE);
		pinned[npins++] = r;
	}
	ret = t->identify(t->ctx, path, npins ? &pins[0][0] : NULL, npins, &id, &pin);
	if (ret) {
		/* Nothing to admit; the path entry denies whatever appears there. */
		if (!chosen || chosen->action != BULWARK_DENY)
			t->not_admitted++;
		return 0;
	}
	if (!chosen && pin >= 0 && (size_t)pin < npins)
		chosen = pinned[pin];
	if (!chosen) {
		t->not_admitted++;
		return 0;
	}
	value.action = chosen->action;
	value.rule = chosen->rule_id;
	value.ctime_sec = id.ctime_sec;
	value.ctime_nsec = id.ctime_nsec;
	value.i_generation = id.i_generation;
	value.admitted = id.at;
	key.ino = id.ino;
	key.dev = id.dev;
	key.policy = t->policy_base + run->policy;
	key.slot = t->slot;
	t->identities++;
	return put(t, BW_MAP_IDENTITIES, &key, &value);
}

/*
 * The complete verdict, bit by bit, for an EXACT entry (the path itself) or
 * a SUBTREE entry (what its directory's subtree rules decide below it).
 */
static int flatten_entry(struct translation *t, const struct bulwark_image_path_rule *run,
			 struct bw_path_key *key, struct bw_path_value *value)
{
	const char *path = bulwark_image_string(t->image, run->path);
	size_t len = strlen(path);
	struct bulwark_verdict d;
	__u16 bits = class_bits(run->class), bit;
	int ret;

	path_key(t, run, key, &value->check);
	for (bit = 1; bit && bit <= bits; bit <<= 1) {
		if (!(bits & bit))
			continue;
		if (run->match == BULWARK_MATCH_EXACT)
			ret = bulwark_decide_path(t->image, run->policy, run->class, path, len, bit,
						  NULL, &d);
		else
			ret = bulwark_decide_subtree(t->image, run->policy, run->class, path, len,
						     bit, &d);
		if (ret)
			return ret;
		set_bit_verdict(value, bit, &d);
	}
	return 0;
}

static int translate_exact(struct translation *t, const struct bulwark_image_path_rule *run,
			   const struct bulwark_image_path_rule *end)
{
	struct bw_path_value value = {0};
	struct bw_path_key key;
	int ret;

	ret = flatten_entry(t, run, &key, &value);
	if (ret)
		return ret;
	if (run->class == BULWARK_CLASS_EXEC) {
		value.flags |= BW_PATH_IDENTITY;
		ret = admit_exact_exec(t, run, end);
		if (ret)
			return ret;
	}
	t->path_entries++;
	return put(t, BW_MAP_PATHS, &key, &value);
}

static int translate_subtree(struct translation *t, const struct bulwark_image_path_rule *run,
			     struct bw_policy *policy)
{
	const char *path = bulwark_image_string(t->image, run->path);
	struct bw_path_value value = {0};
	struct bw_path_key key;
	int ret;

	ret = flatten_entry(t, run, &key, &value);
	if (ret)
		return ret;
	policy->subtree_depths[run->class] |= 1ull << path_depth(path, strlen(path));
	t->path_entries++;
	return put(t, BW_MAP_PATHS, &key, &value);
}

struct glob_entry {
	struct bw_glob_rule rule;
	unsigned int literal;
};

static int glob_order(const void *a, const void *b)
{
	const struct glob_entry *x = a, *y = b;

	if (x->literal != y->literal)
		return x->literal > y->literal ? -1 : 1;
	/* Deny first: at equal precedence, deny wins. */
	return (y->rule.deny != 0) - (x->rule.deny != 0);
}

static int translate_glob(struct translation *t, const struct bulwark_image_path_rule *run,
			  const struct bulwark_image_path_rule *end)
{
	const struct bulwark_image *image = t->image;
	struct glob_entry entries[BW_GLOB_RUN_MAX];
	struct bw_path_value value = {0};
	const struct bulwark_image_path_rule *r, *q;
	struct bw_path_key key;
	size_t n = 0, i;
	int ret;

	for (r = run; r < end && bulwark_rule_same_run(r, run); r++) {
		const char *pattern = bulwark_image_string(image, r->pattern);
		const char *star = strchr(pattern, '*');
		struct glob_entry *e = &entries[n];
		size_t prefix, suffix;
		__u16 denied = 0;

		if (n == BW_GLOB_RUN_MAX) {
			snprintf(t->why, sizeof(t->why),
				 "more than %d glob rules in the directory %s: the BPF backend's "
				 "limit",
				 BW_GLOB_RUN_MAX, bulwark_image_string(image, run->path));
			return -E2BIG;
		}
		if (!star)
			return -EINVAL;
		prefix = star - pattern;
		suffix = strlen(star + 1);
		if (prefix > BW_GLOB_PART_MAX || suffix > BW_GLOB_PART_MAX) {
			snprintf(t->why, sizeof(t->why),
				 "the glob %s/%s has more than %d characters before or after '*': "
				 "the BPF backend's limit",
				 bulwark_image_string(image, run->path), pattern, BW_GLOB_PART_MAX);
			return -E2BIG;
		}
		memset(e, 0, sizeof(*e));
		memcpy(e->rule.prefix, pattern, prefix);
		memcpy(e->rule.suffix, star + 1, suffix);
		e->rule.prefix_len = prefix;
		e->rule.suffix_len = suffix;
		e->rule.rule = r->rule_id;
		e->literal = prefix + suffix;
		if (r->action == BULWARK_DENY) {
			e->rule.deny = r->access;
		} else {
			/* Bits a deny rule with the same pattern covers are its. */
			for (q = run; q < end && bulwark_rule_same_run(q, run); q++)
				if (q->action == BULWARK_DENY &&
				    !strcmp(bulwark_image_string(image, q->pattern), pattern))
					denied |= q->access;
			e->rule.allow = r->access & ~denied;
		}
		n++;
	}
	qsort(entries, n, sizeof(entries[0]), glob_order);
	path_key(t, run, &key, &value.check);
	value.first = *t->glob_next;
	value.count = n;
	for (i = 0; i < n; i++) {
		__u32 gkey = ((__u32)t->slot << 31) | (*t->glob_next)++;

		ret = put(t, BW_MAP_GLOBS, &gkey, &entries[i].rule);
		if (ret)
			return ret;
		t->glob_entries++;
	}
	t->path_entries++;
	return put(t, BW_MAP_PATHS, &key, &value);
}

static int translate_paths(struct translation *t, struct bw_policy *policies)
{
	const struct bulwark_image *image = t->image;
	const struct bulwark_image_path_rule *end = image->path_rules + image->path_rule_count;
	const struct bulwark_image_path_rule *run, *r;
	int ret = 0;

	for (run = image->path_rules; run < end; run = r) {
		const char *path = bulwark_image_string(image, run->path);
		struct bw_policy *policy = &policies[run->policy];

		if (path_depth(path, strlen(path)) >= BW_DEPTH_MAX - 1) {
			snprintf(t->why, sizeof(t->why),
				 "the path %s is more than %d directories deep: the BPF backend's "
				 "limit",
				 path, BW_DEPTH_MAX - 2);
			return -E2BIG;
		}
		if (run->class == BULWARK_CLASS_UNIX)
			policy->flags |= BW_POLICY_HAS_UNIX_RULES;
		/* r ends past the run: the next run starts there. */
		for (r = run; r < end && bulwark_rule_same_run(r, run); r++)
			;
		switch (run->match) {
		case BULWARK_MATCH_EXACT:
			policy->flags |= BW_POLICY_HAS_EXACT << run->class;
			ret = translate_exact(t, run, end);
			break;
		case BULWARK_MATCH_GLOB:
			policy->flags |= BW_POLICY_HAS_GLOB << run->class;
			ret = translate_glob(t, run, end);
			break;
		default:
			ret = translate_subtree(t, run, policy);
			break;
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int translate_nets(struct translation *t)
{
	const struct bulwark_image *image = t->image;
	const struct bulwark_image_net_rule *end = image->net_rules + image->net_rule_count;
	const struct bulwark_image_net_rule *run, *r;
	int ret;

	for (run = image->net_rules; run < end; run = r) {
		struct bw_net_key key = {0};
		struct bw_net_run value = {.first = *t->net_next};

		for (r = run; r < end && !bulwark_net_rule_cmp(r, run); r++) {
			struct bw_net_rule rule = {
				.port_min = r->port_min,
				.port_max = r->port_max,
				.protocol = r->protocol,
				.action = r->action,
				.rule = r->rule_id,
			};
			__u32 nkey = ((__u32)t->slot << 31) | (*t->net_next)++;

			ret = put(t, BW_MAP_NET_RULES, &nkey, &rule);
			if (ret)
				return ret;
			value.count++;
		}
		memcpy(key.addr, run->addr, sizeof(key.addr));
		key.policy = t->policy_base + run->policy;
		key.slot = t->slot;
		key.direction = run->direction;
		key.family = run->family;
		key.prefix_len = run->prefix_len;
		ret = put(t, BW_MAP_NETS, &key, &value);
		if (ret)
			return ret;
		t->net_entries++;
	}
	return 0;
}

int translate_image(struct translation *t)
{
	const struct bulwark_image *image = t->image;
	struct bw_policy *policies;
	__u32 i;
	int ret;

	t->why[0] = 0;
	if (t->policy_base + image->policy_count > BW_POLICY_MAX) {
		snprintf(t->why, sizeof(t->why), "too many policies");
		return -E2BIG;
	}
	policies = calloc(image->policy_count ? image->policy_count : 1, sizeof(*policies));
	if (!policies)
		return -ENOMEM;
	ret = translate_paths(t, policies);
	if (!ret)
		ret = translate_nets(t);
	for (i = 0; i < image->path_rule_count; i++)
		policies[image->path_rules[i].policy].rule_count++;
	for (i = 0; i < image->net_rule_count; i++)
		policies[image->net_rules[i].policy].rule_count++;
	for (i = 0; !ret && i < image->policy_count; i++) {
		const struct bulwark_image_policy *ip = &image->policies[i];
		struct bw_policy *p = &policies[i];
		__u32 index = t->slot * BW_POLICY_MAX + t->policy_base + i;

		snprintf(p->name, sizeof(p->name), "%s", bulwark_image_string(image, ip->name));
		p->valid = 1;
		p->mode = ip->mode;
		memcpy(p->defaults, ip->defaults, sizeof(p->defaults));
		p->egress_v4 = ip->egress_v4_prefixes;
		p->ingress_v4 = ip->ingress_v4_prefixes;
		memcpy(p->egress_v6, ip->egress_v6_prefixes, sizeof(p->egress_v6));
		memcpy(p->ingress_v6, ip->ingress_v6_prefixes, sizeof(p->ingress_v6));
		ret = put(t, BW_MAP_POLICIES, &index, p);
	}
	free(policies);
	return ret;
}
