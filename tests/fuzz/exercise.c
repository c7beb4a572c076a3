// SPDX-License-Identifier: GPL-2.0
/*
 * The decision core on a decoded image: fixed requests for every policy,
 * plus requests aimed at the image's own rules (their paths, a name their
 * glob matches, their network and ports), since fixed paths alone would
 * almost never reach apply_run() or a rule run in an image the fuzzer
 * invented. Every verdict is checked against decide.h's contract and
 * against a model of its precedence rules that scans every rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decide.h"
#include "exercise.h"

/* Enough rules to reach every kind of run in the seeds, few enough to stay fast. */
#define RULE_SAMPLES 32

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz: %s\n", what);
	abort();
}

/* Whether @addr lies in @r's network. */
static bool in_network(const struct bulwark_image_net_rule *r, const __u8 *addr)
{
	__u32 i;

	for (i = 0; i < r->prefix_len; i++)
		if ((addr[i / 8] ^ r->addr[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

/*
 * decide.h's precedence once more, as plain scans over every rule: no hash
 * index, no runs, no prefix sets. Slow, but a rule the index cannot reach,
 * a run cut short or a prefix length missing from a policy's set then shows
 * up as a verdict that differs from the model's.
 */
static bool model_digest_ok(const struct bulwark_image *image,
			    const struct bulwark_image_path_rule *r, const __u8 *digest)
{
	return !r->digest ||
	       (digest && !memcmp(image->digests + (r->digest - 1) * BULWARK_DIGEST_SIZE, digest,
				  BULWARK_DIGEST_SIZE));
}

/* Whether @r is a rule for @bit with this key; @path need not end at @len. */
static bool model_applies(const struct bulwark_image *image,
			  const struct bulwark_image_path_rule *r, __u16 policy, __u8 class,
			  __u8 match, const char *path, __u32 len, __u16 bit)
{
	const char *rule_path = bulwark_image_string(image, r->path);

	return r->policy == policy && r->class == class && r->match == match && (r->access & bit) &&
	       strlen(rule_path) == len && !memcmp(rule_path, path, len);
}

/* A pinned rule for a file whose content differs denies, whatever it says. */
static int model_action(const struct bulwark_image *image, const struct bulwark_image_path_rule *r,
			const __u8 *digest)
{
	return model_digest_ok(image, r, digest) ? r->action : BULWARK_DENY;
}

static bool model_glob(const char *pattern, const char *name, __u32 len, __u32 *literal)
{
	const char *star = strchr(pattern, '*');
	__u32 prefix = star - pattern, suffix = strlen(star + 1);

	*literal = prefix + suffix;
	return len >= prefix + suffix && !memcmp(name, pattern, prefix) &&
	       !memcmp(name + len - suffix, star + 1, suffix);
}

/* The action of the rules deciding one access bit, or -1 when the default decides. */
static int model_path_bit(const struct bulwark_image *image, __u16 policy, __u8 class,
			  const char *path, __u32 len, __u16 bit, const __u8 *digest)
{
	const struct bulwark_image_path_rule *r, *end = image->path_rules + image->path_rule_count;
	__u32 parent = len - 1, literal, best = 0;
	int action = -1, a;

	for (r = image->path_rules; r < end; r++)
		if (model_applies(image, r, policy, class, BULWARK_MATCH_EXACT, path, len, bit) &&
		    (a = model_action(image, r, digest)) > action)
			action = a;
	if (action >= 0 || len == 1)
		goto subtree;
	while (parent > 0 && path[parent] != '/')
		parent--;
	for (r = image->path_rules; r < end; r++) {
		if (!model_applies(image, r, policy, class, BULWARK_MATCH_GLOB, path,
				   parent ? parent : 1, bit) ||
		    !model_glob(bulwark_image_string(image, r->pattern), path + parent + 1,
				len - parent - 1, &literal))
			continue;
		a = model_action(image, r, digest);
		if (action < 0 || literal > best) {
			action = a;
			best = literal;
		} else if (literal == best && a > action) {
			action = a;
		}
	}
subtree:
	while (action < 0) {
		for (r = image->path_rules; r < end; r++)
			if (model_applies(image, r, policy, class, BULWARK_MATCH_SUBTREE, path, len,
					  bit) &&
			    (a = model_action(image, r, digest)) > action)
				action = a;
		if (len == 1)
			break;
		do
			len--;
		while (len > 1 && path[len] != '/');
	}
	return action;
}

struct model_verdict {
	__u8 action;
	bool by_default;
};

static struct model_verdict model_path(const struct bulwark_image *image, __u16 policy, __u8 class,
				       const char *path, __u32 len, __u16 access,
				       const __u8 *digest)
{
	const __u8 *defaults = image->policies[policy].defaults;
	struct model_verdict m = {0};
	__u16 bit;
	int action;

	for (bit = 1; bit && bit <= access; bit <<= 1) {
		if (!(access & bit))
			continue;
		action = model_path_bit(image, policy, class, path, len, bit, digest);
		m.by_default = action < 0;
		if (action >= 0)
			m.action = action;
		else if (class != BULWARK_CLASS_UNIX)
			m.action = defaults[class];
		else
			m.action = defaults[bit == BULWARK_ACCESS_CONNECT ? BULWARK_CLASS_EGRESS
									  : BULWARK_CLASS_INGRESS];
		if (m.action == BULWARK_DENY)
			break;
	}
	return m;
}

static struct model_verdict model_exec(const struct bulwark_image *image, __u16 policy,
				       const char *path, __u32 len, const __u8 *digest)
{
	struct model_verdict exec, file;

	exec = model_path(image, policy, BULWARK_CLASS_EXEC, path, len, BULWARK_ACCESS_EXEC,
			  digest);
	if (exec.action == BULWARK_DENY)
		return exec;
	file = model_path(image, policy, BULWARK_CLASS_FILE, path, len, BULWARK_ACCESS_EXEC, NULL);
	return file.action == BULWARK_DENY || !file.by_default || exec.by_default ? file : exec;
}

static struct model_verdict model_net(const struct bulwark_image *image, __u16 policy,
				      __u8 direction, __u8 family, const __u8 *addr, __u16 port,
				      __u8 protocol)
{
	const struct bulwark_image_net_rule *r, *end = image->net_rules + image->net_rule_count;
	__u8 class = direction == BULWARK_EGRESS ? BULWARK_CLASS_EGRESS : BULWARK_CLASS_INGRESS;
	struct model_verdict m = {image->policies[policy].defaults[class], true};
	int best = -1;

	for (r = image->net_rules; r < end; r++) {
		if (r->policy != policy || r->direction != direction || r->family != family ||
		    (r->protocol != BULWARK_PROTO_ANY && r->protocol != protocol) ||
		    port < r->port_min || port > r->port_max || !in_network(r, addr) ||
		    r->prefix_len < best)
			continue;
		if (r->prefix_len > best) {
			best = r->prefix_len;
			m.action = r->action;
			m.by_default = false;
		} else if (r->action > m.action) {
			m.action = r->action;
		}
	}
	return m;
}

static void check_model(const struct bulwark_verdict *v, struct model_verdict m, const char *what)
{
	if (v->action != m.action || v->by_default != m.by_default)
		fuzz_fail(what);
}

static void check_path_verdict(const struct bulwark_image *image, __u16 policy, __u8 class,
			       __u16 access, const struct bulwark_verdict *v)
{
	const struct bulwark_image_path_rule *r;

	if (v->action >= __BULWARK_ACTION_MAX)
		fuzz_fail("path verdict: action out of range");
	if (!v->access || (v->access & (v->access - 1)) || !(v->access & access))
		fuzz_fail("path verdict: not about exactly one of the requested access bits");
	if (v->by_default) {
		if (v->rule_id || v->class >= __BULWARK_CLASS_MAX)
			fuzz_fail("path verdict: default with a rule id or a bad class");
		if (v->action != image->policies[policy].defaults[v->class])
			fuzz_fail("path verdict: default is not the policy's default");
		return;
	}
	if (v->rule_index >= image->path_rule_count)
		fuzz_fail("path verdict: rule index past PATH_RULES");
	r = &image->path_rules[v->rule_index];
	if (r->rule_id != v->rule_id || r->policy != policy || r->class != v->class ||
	    !(r->access & v->access))
		fuzz_fail("path verdict: disagrees with the rule it names");
	if (r->action != v->action &&
	    !(r->digest && v->digest_mismatch && v->action == BULWARK_DENY))
		fuzz_fail("path verdict: not the action of the rule it names");
	/* decide_exec may answer with the file rules' exec bit instead. */
	if (r->class != class && !(class == BULWARK_CLASS_EXEC && r->class == BULWARK_CLASS_FILE))
		fuzz_fail("path verdict: rule of another class");
}

static void decide_path(const struct bulwark_image *image, __u16 policy, __u8 class,
			const char *path, __u32 len, __u16 access, const __u8 *digest)
{
	bool valid = len < BULWARK_PATH_MAX && bulwark_path_is_normal(path, len);
	struct bulwark_verdict v;
	int ret;

	ret = bulwark_decide_path(image, policy, class, path, len, access, digest, &v);
	if (ret != (valid ? 0 : -EINVAL))
		fuzz_fail("decide_path: wrong return for the request's validity");
	if (!ret) {
		check_path_verdict(image, policy, class, access, &v);
		check_model(&v, model_path(image, policy, class, path, len, access, digest),
			    "decide_path: verdict differs from the model's");
	}
	if (class != BULWARK_CLASS_EXEC)
		return;
	ret = bulwark_decide_exec(image, policy, path, len, digest, &v);
	if (ret != (valid ? 0 : -EINVAL))
		fuzz_fail("decide_exec: wrong return for the request's validity");
	if (!ret) {
		check_path_verdict(image, policy, class, BULWARK_ACCESS_EXEC, &v);
		check_model(&v, model_exec(image, policy, path, len, digest),
			    "decide_exec: verdict differs from the model's");
	}
}

static void decide_net(const struct bulwark_image *image, __u16 policy, __u8 direction, __u8 family,
		       const __u8 *addr, __u16 port, __u8 protocol)
{
	const struct bulwark_image_net_rule *r;
	struct bulwark_verdict v;
	__u8 class = direction == BULWARK_EGRESS ? BULWARK_CLASS_EGRESS : BULWARK_CLASS_INGRESS;

	if (bulwark_decide_net(image, policy, direction, family, addr, port, protocol, &v))
		fuzz_fail("decide_net: valid request refused");
	if (v.action >= __BULWARK_ACTION_MAX || v.class != class)
		fuzz_fail("net verdict: action or class out of range");
	check_model(&v, model_net(image, policy, direction, family, addr, port, protocol),
		    "decide_net: verdict differs from the model's");
	if (v.by_default) {
		if (v.rule_id || v.action != image->policies[policy].defaults[class])
			fuzz_fail("net verdict: default is not the policy's default");
		return;
	}
	if (v.rule_index >= image->net_rule_count)
		fuzz_fail("net verdict: rule index past NET_RULES");
	r = &image->net_rules[v.rule_index];
	if (r->rule_id != v.rule_id || r->action != v.action || r->policy != policy ||
	    r->direction != direction || r->family != family || port < r->port_min ||
	    port > r->port_max || (r->protocol != BULWARK_PROTO_ANY && r->protocol != protocol) ||
	    !in_network(r, addr))
		fuzz_fail("net verdict: the rule it names does not apply to the request");
}

static const char *const fixed_paths[] = {
	"/", "/usr/bin/x", "/etc/shadow", "/a/b/c.conf", "/usr/bin", "/etc", "/a/", "//", "x",
};

/* Access sets per class, including bits the class does not define. */
static const struct {
	__u8 class;
	__u16 access;
} fixed_access[] = {
	{BULWARK_CLASS_EXEC, BULWARK_ACCESS_EXEC},
	{BULWARK_CLASS_FILE, BULWARK_ACCESS_READ},
	{BULWARK_CLASS_FILE, BULWARK_ACCESS_WRITE | BULWARK_ACCESS_APPEND},
	{BULWARK_CLASS_FILE, BULWARK_ACCESS_EXEC},
	{BULWARK_CLASS_FILE, BULWARK_ACCESS_FILE_ALL},
	{BULWARK_CLASS_FILE, 0x8000},
	{BULWARK_CLASS_UNIX, BULWARK_ACCESS_CONNECT},
	{BULWARK_CLASS_UNIX, BULWARK_ACCESS_BIND},
	{BULWARK_CLASS_UNIX, BULWARK_ACCESS_UNIX_ALL},
};

static const __u8 fixed_v4[][16] = {
	{0, 0, 0, 0},
	{10, 1, 2, 3},
	{255, 255, 255, 255},
};

static const __u8 fixed_v6[][16] = {
	{0},
	{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	 0xff},
};

_Static_assert(ARRAY_SIZE(fixed_v4) == ARRAY_SIZE(fixed_v6), "one loop walks both");

static const __u16 fixed_ports[] = {0, 80, 65535};
static const __u8 fixed_protocols[] = {BULWARK_PROTO_TCP, BULWARK_PROTO_UDP, BULWARK_PROTO_ICMP};

static void fixed_requests(const struct bulwark_image *image, __u16 policy)
{
	static const __u8 zero_digest[BULWARK_DIGEST_SIZE];
	const __u8 *digests[] = {NULL, zero_digest, image->digest_count ? image->digests : NULL};
	size_t p, a, d, i, port, proto;
	__u8 dir;

	for (p = 0; p < ARRAY_SIZE(fixed_paths); p++) {
		const char *path = fixed_paths[p];

		for (a = 0; a < ARRAY_SIZE(fixed_access); a++) {
			for (d = 0; d < (fixed_access[a].class == BULWARK_CLASS_EXEC ? 3 : 1); d++)
				decide_path(image, policy, fixed_access[a].class, path,
					    strlen(path), fixed_access[a].access, digests[d]);
		}
	}
	for (dir = 0; dir < __BULWARK_DIRECTION_MAX; dir++)
		for (i = 0; i < ARRAY_SIZE(fixed_v4); i++)
			for (port = 0; port < ARRAY_SIZE(fixed_ports); port++)
				for (proto = 0; proto < ARRAY_SIZE(fixed_protocols); proto++) {
					decide_net(image, policy, dir, BULWARK_FAMILY_INET,
						   fixed_v4[i], fixed_ports[port],
						   fixed_protocols[proto]);
					decide_net(image, policy, dir, BULWARK_FAMILY_INET6,
						   fixed_v6[i], fixed_ports[port],
						   fixed_protocols[proto]);
				}
}

/* Requests that must be refused, whatever the image. */
static void invalid_requests(const struct bulwark_image *image)
{
	static const __u8 addr[16];
	struct bulwark_verdict v;

	if (bulwark_decide_path(image, image->policy_count, BULWARK_CLASS_FILE, "/", 1,
				BULWARK_ACCESS_READ, NULL, &v) != -EINVAL ||
	    (image->policy_count &&
	     (bulwark_decide_path(image, 0, BULWARK_CLASS_EGRESS, "/", 1, BULWARK_ACCESS_READ, NULL,
				  &v) != -EINVAL ||
	      bulwark_decide_path(image, 0, BULWARK_CLASS_FILE, "/", 1, 0, NULL, &v) != -EINVAL)))
		fuzz_fail("decide_path: invalid request accepted");
	if (bulwark_decide_net(image, image->policy_count, BULWARK_EGRESS, BULWARK_FAMILY_INET,
			       addr, 80, BULWARK_PROTO_TCP, &v) != -EINVAL ||
	    (image->policy_count &&
	     (bulwark_decide_net(image, 0, BULWARK_EGRESS, BULWARK_FAMILY_INET, addr, 80,
				 BULWARK_PROTO_ANY, &v) != -EINVAL ||
	      bulwark_decide_net(image, 0, BULWARK_EGRESS, 5, addr, 80, BULWARK_PROTO_TCP, &v) !=
		      -EINVAL ||
	      bulwark_decide_net(image, 0, __BULWARK_DIRECTION_MAX, BULWARK_FAMILY_INET, addr, 80,
				 BULWARK_PROTO_TCP, &v) != -EINVAL)))
		fuzz_fail("decide_net: invalid request accepted");
}

/* @dir + "/" + @name, or @dir + @name when @dir is "/"; returns the length. */
static __u32 join(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);

	return n < 0 || (size_t)n >= size ? 0 : n;
}

/* @pattern with its '*' replaced by @fill. */
static void expand_glob(char *buf, size_t size, const char *pattern, const char *fill)
{
	const char *star = strchr(pattern, '*');

	if (!star) {
		snprintf(buf, size, "%s", pattern);
		return;
	}
	snprintf(buf, size, "%.*s%s%s", (int)(star - pattern), pattern, fill, star + 1);
}

static void path_rule_requests(const struct bulwark_image *image,
			       const struct bulwark_image_path_rule *r)
{
	static char path[2 * BULWARK_PATH_MAX], name[BULWARK_PATH_MAX + 8];
	const char *base = bulwark_image_string(image, r->path);
	const __u8 *digest =
		r->digest ? image->digests + (r->digest - 1) * BULWARK_DIGEST_SIZE : NULL;
	static const char *const fills[] = {"", "ab"};
	__u32 len;
	size_t f;

	decide_path(image, r->policy, r->class, base, strlen(base), r->access, digest);
	if (digest) /* the pinned file, changed */
		decide_path(image, r->policy, r->class, base, strlen(base), r->access, NULL);
	len = join(path, sizeof(path), base, "x");
	if (len)
		decide_path(image, r->policy, r->class, path, len, r->access, digest);
	if (r->match != BULWARK_MATCH_GLOB)
		return;
	for (f = 0; f < ARRAY_SIZE(fills); f++) {
		expand_glob(name, sizeof(name), bulwark_image_string(image, r->pattern), fills[f]);
		len = join(path, sizeof(path), base, name);
		if (len)
			decide_path(image, r->policy, r->class, path, len, r->access, digest);
	}
}

static void net_rule_requests(const struct bulwark_image *image,
			      const struct bulwark_image_net_rule *r)
{
	__u8 protocol = r->protocol == BULWARK_PROTO_ANY ? BULWARK_PROTO_TCP : r->protocol;

	decide_net(image, r->policy, r->direction, r->family, r->addr, r->port_min, protocol);
	decide_net(image, r->policy, r->direction, r->family, r->addr, r->port_max, protocol);
}

void fuzz_exercise_image(const struct bulwark_image *image)
{
	__u32 i, step;

	invalid_requests(image);
	for (i = 0; i < image->policy_count; i++)
		fixed_requests(image, i);
	step = image->path_rule_count / RULE_SAMPLES + 1;
	for (i = 0; i < image->path_rule_count; i += step)
		path_rule_requests(image, &image->path_rules[i]);
	step = image->net_rule_count / RULE_SAMPLES + 1;
	for (i = 0; i < image->net_rule_count; i += step)
		net_rule_requests(image, &image->net_rules[i]);
}
