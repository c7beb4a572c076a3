// SPDX-License-Identifier: GPL-2.0
/* The decision core; see decide.h for the rules it implements. */
#include "decide.h"

/* First rule of the run with this key, or NULL. */
static const struct bulwark_image_path_rule *find_path_run(const struct bulwark_image *image,
							   __u16 policy, __u8 class, __u8 match,
							   const char *path, __u32 len)
{
	__u32 mask = image->path_index_mask;
	__u32 slot =
		bulwark_path_key_hash(image->hash_seed, policy, class, match, path, len) & mask;
	__u32 value, probes;

	/* The decoder checked that every run lies within BULWARK_PROBE_MAX probes. */
	for (probes = 0; probes < BULWARK_PROBE_MAX && (value = image->path_index[slot]);
	     probes++) {
		const struct bulwark_image_path_rule *r = &image->path_rules[value - 1];
		const char *rule_path = bulwark_image_string(image, r->path);

		if (r->policy == policy && r->class == class && r->match == match &&
		    !strncmp(rule_path, path, len) && rule_path[len] == '\0')
			return r;
		slot = (slot + 1) & mask;
	}
	return NULL;
}

static bool same_path_key(const struct bulwark_image_path_rule *a,
			  const struct bulwark_image_path_rule *b)
{
	return a->policy == b->policy && a->class == b->class && a->match == b->match &&
	       a->path == b->path;
}

static bool digest_matches(const struct bulwark_image *image,
			   const struct bulwark_image_path_rule *r, const __u8 *digest)
{
	return digest && !memcmp(image->digests + (r->digest - 1) * BULWARK_DIGEST_SIZE, digest,
				 BULWARK_DIGEST_SIZE);
}

static bool glob_matches(const char *pattern, const char *name, __u32 len, __u32 *literal)
{
	const char *star = strchr(pattern, '*');
	__u32 prefix = star - pattern, suffix = strlen(star + 1);

	*literal = prefix + suffix;
	return len >= prefix + suffix && !memcmp(name, pattern, prefix) &&
	       !memcmp(name + len - suffix, star + 1, suffix);
}

/*
 * Applies the run starting at @run to one access bit. Returns true when a
 * rule of the run decided (deny wins). For globs, only rules whose pattern
 * matches @name count, and the one with the longest literal part wins.
 */
static bool apply_run(const struct bulwark_image *image, const struct bulwark_image_path_rule *run,
		      __u16 bit, const __u8 *digest, const char *name, __u32 name_len,
		      struct bulwark_verdict *v)
{
	const struct bulwark_image_path_rule *end = image->path_rules + image->path_rule_count;
	const struct bulwark_image_path_rule *r, *chosen = NULL, *changed = NULL;
	__u32 best = 0, literal = 0;
	__u8 chosen_action = BULWARK_ALLOW;

	for (r = run; r < end && same_path_key(r, run); r++) {
		if (!(r->access & bit))
			continue;
		if (r->match == BULWARK_MATCH_GLOB &&
		    !glob_matches(bulwark_image_string(image, r->pattern), name, name_len,
				  &literal))
			continue;
		/* Pins on one path are alternatives: any one matching allows. */
		if (r->digest && !digest_matches(image, r, digest)) {
			changed = r;
			continue;
		}
		if (!chosen || literal > best || (literal == best && r->action == BULWARK_DENY)) {
			chosen = r;
			chosen_action = r->action;
			best = literal;
		}
	}
	/* A pinned file whose content changed is not the file that was allowed. */
	if (!chosen && changed) {
		v->digest_mismatch = true;
		chosen = changed;
		chosen_action = BULWARK_DENY;
	}
	if (!chosen)
		return false;
	v->action = chosen_action;
	v->by_default = false;
	v->rule_id = chosen->rule_id;
	v->rule_index = chosen - image->path_rules;
	return true;
}

static void decide_by_subtree(const struct bulwark_image *image, __u16 policy, __u8 class,
			      const char *path, __u32 len, __u16 bit, const __u8 *digest,
			      struct bulwark_verdict *v);

static void decide_one_bit(const struct bulwark_image *image, __u16 policy, __u8 class,
			   const char *path, __u32 len, __u16 bit, const __u8 *digest,
			   struct bulwark_verdict *v)
{
	const struct bulwark_image_path_rule *run;
	__u32 parent = len - 1;

	v->class = class;
	v->access = bit;
	while (parent > 0 && path[parent] != '/')
		parent--;

	run = find_path_run(image, policy, class, BULWARK_MATCH_EXACT, path, len);
	if (run && apply_run(image, run, bit, digest, NULL, 0, v))
		return;
	if (len > 1) {
		run = find_path_run(image, policy, class, BULWARK_MATCH_GLOB, path,
				    parent ? parent : 1);
		if (run &&
		    apply_run(image, run, bit, digest, path + parent + 1, len - parent - 1, v))
			return;
	}
	decide_by_subtree(image, policy, class, path, len, bit, digest, v);
}

/* The nearest enclosing subtree rule about @bit, else the default. */
static void decide_by_subtree(const struct bulwark_image *image, __u16 policy, __u8 class,
			      const char *path, __u32 len, __u16 bit, const __u8 *digest,
			      struct bulwark_verdict *v)
{
	const struct bulwark_image_path_rule *run;

	v->class = class;
	v->access = bit;
	/* The path itself (a directory is inside its own subtree), then each parent. */
	for (;;) {
		run = find_path_run(image, policy, class, BULWARK_MATCH_SUBTREE, path, len);
		if (run && apply_run(image, run, bit, digest, NULL, 0, v))
			return;
		if (len == 1)
			break;
		/* Back to the previous '/': "/a/b" -> "/a" -> "/". */
		while (len > 1 && path[--len] != '/')
			;
	}
	if (class == BULWARK_CLASS_UNIX)
		v->class = bit == BULWARK_ACCESS_CONNECT ? BULWARK_CLASS_EGRESS
							 : BULWARK_CLASS_INGRESS;
	v->action = image->policies[policy].defaults[v->class];
	v->by_default = true;
	v->rule_id = 0;
	v->rule_index = 0;
}

int bulwark_decide_path(const struct bulwark_image *image, __u16 policy, __u8 class,
			const char *path, __u32 len, __u16 access, const __u8 *digest,
			struct bulwark_verdict *verdict)
{
	struct bulwark_verdict v;
	__u16 bit, denied = 0;

	if (policy >= image->policy_count || class > BULWARK_CLASS_UNIX || !access ||
	    len >= BULWARK_PATH_MAX || !bulwark_path_is_normal(path, len))
		return -EINVAL;
	memset(verdict, 0, sizeof(*verdict));
	for (bit = 1; bit && bit <= access; bit <<= 1) {
		if (!(access & bit))
			continue;
		memset(&v, 0, sizeof(v));
		decide_one_bit(image, policy, class, path, len, bit, digest, &v);
		if (v.action == BULWARK_DENY)
			denied |= bit;
		/* The verdict is the first denial's; the bits after it are only counted. */
		if (denied && denied != bit)
			continue;
		v.digest_mismatch |= verdict->digest_mismatch;
		*verdict = v;
	}
	verdict->denied = denied;
	return 0;
}

int bulwark_decide_subtree(const struct bulwark_image *image, __u16 policy, __u8 class,
			   const char *path, __u32 len, __u16 bit, struct bulwark_verdict *verdict)
{
	if (policy >= image->policy_count || class > BULWARK_CLASS_UNIX || !bit ||
	    (bit & (bit - 1)) || len >= BULWARK_PATH_MAX || !bulwark_path_is_normal(path, len))
		return -EINVAL;
	memset(verdict, 0, sizeof(*verdict));
	decide_by_subtree(image, policy, class, path, len, bit, NULL, verdict);
	return 0;
}

int bulwark_decide_exec(const struct bulwark_image *image, __u16 policy, const char *path,
			__u32 len, const __u8 *digest, struct bulwark_verdict *verdict)
{
	struct bulwark_verdict file;
	int ret;

	ret = bulwark_decide_path(image, policy, BULWARK_CLASS_EXEC, path, len, BULWARK_ACCESS_EXEC,
				  digest, verdict);
	if (ret || verdict->action == BULWARK_DENY)
		return ret;
	ret = bulwark_decide_path(image, policy, BULWARK_CLASS_FILE, path, len, BULWARK_ACCESS_EXEC,
				  NULL, &file);
	/*
	 * Exec must pass both: a file rule about exec, or a denying file default,
	 * decides; an allowing file default does not hide the exec rule that allowed.
	 */
	if (!ret && (file.action == BULWARK_DENY || !file.by_default || verdict->by_default)) {
		file.digest_mismatch |= verdict->digest_mismatch;
		*verdict = file;
	}
	return ret;
}

static const struct bulwark_image_net_rule *find_net_run(const struct bulwark_image *image,
							 __u16 policy, __u8 direction, __u8 family,
							 __u8 prefix_len, const __u8 addr[16])
{
	__u32 mask = image->net_index_mask;
	__u32 slot = bulwark_net_key_hash(image->hash_seed, policy, direction, family, prefix_len,
					  addr) &
		     mask;
	__u32 value, probes;

	for (probes = 0; probes < BULWARK_PROBE_MAX && (value = image->net_index[slot]); probes++) {
		const struct bulwark_image_net_rule *r = &image->net_rules[value - 1];

		if (r->policy == policy && r->direction == direction && r->family == family &&
		    r->prefix_len == prefix_len && !memcmp(r->addr, addr, 16))
			return r;
		slot = (slot + 1) & mask;
	}
	return NULL;
}

int bulwark_decide_net(const struct bulwark_image *image, __u16 policy, __u8 direction, __u8 family,
		       const __u8 *addr, __u16 port, __u8 protocol, struct bulwark_verdict *verdict)
{
	const struct bulwark_image_net_rule *end = image->net_rules + image->net_rule_count;
	const struct bulwark_image_net_rule *run, *r, *chosen;
	__u8 masked[16];
	__u32 full, plen, i;
	__u64 bit;

	if (policy >= image->policy_count || direction >= __BULWARK_DIRECTION_MAX ||
	    protocol == BULWARK_PROTO_ANY || protocol >= __BULWARK_PROTO_MAX)
		return -EINVAL;
	if (family == BULWARK_FAMILY_INET)
		full = 32;
	else if (family == BULWARK_FAMILY_INET6)
		full = 128;
	else
		return -EINVAL;
	memset(verdict, 0, sizeof(*verdict));
	verdict->class = direction == BULWARK_EGRESS ? BULWARK_CLASS_EGRESS : BULWARK_CLASS_INGRESS;

	for (plen = full + 1; plen-- > 0;) {
		if (!(*bulwark_prefix_word(&image->policies[policy], direction, family, plen,
					   &bit) &
		      bit))
			continue;
		memset(masked, 0, sizeof(masked));
		for (i = 0; i < full / 8; i++)
			masked[i] = addr[i] & bulwark_prefix_byte_mask(plen, i);
		run = find_net_run(image, policy, direction, family, plen, masked);
		chosen = NULL;
		for (r = run; r && r < end && !bulwark_net_rule_cmp(r, run); r++) {
			if ((r->protocol != BULWARK_PROTO_ANY && r->protocol != protocol) ||
			    port < r->port_min || port > r->port_max)
				continue;
			if (!chosen || r->action == BULWARK_DENY)
				chosen = r;
		}
		if (chosen) {
			verdict->action = chosen->action;
			verdict->rule_id = chosen->rule_id;
			verdict->rule_index = chosen - image->net_rules;
			return 0;
		}
	}
	verdict->action = image->policies[policy].defaults[verdict->class];
	verdict->by_default = true;
	return 0;
}
