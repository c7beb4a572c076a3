// SPDX-License-Identifier: GPL-2.0
/* The policy set: memory, growth and the names of things. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "xalloc.h"

void policy_set_init(struct policy_set *set, struct diag *diag)
{
	memset(set, 0, sizeof(*set));
	set->diag = diag;
}

static void free_path_rule(struct path_rule *rule)
{
	free(rule->path);
	free(rule->pattern);
	free(rule->written);
	free(rule->package);
	free(rule->trust_dir);
	free(rule->origin);
}

void policy_set_free(struct policy_set *set)
{
	size_t i, j;

	for (i = 0; i < set->count; i++) {
		struct policy *policy = &set->policies[i];

		for (j = 0; j < policy->path_rule_count; j++)
			free_path_rule(&policy->path_rules[j]);
		free(policy->path_rules);
		free(policy->net_rules);
		for (j = 0; j < policy->trust_reject_count; j++) {
			free(policy->trust_rejects[j].path);
			free(policy->trust_rejects[j].why);
		}
		free(policy->trust_rejects);
		free(policy->name);
		free(policy->selector);
	}
	free(set->policies);
	for (i = 0; i < set->file_count; i++)
		free(set->files[i]);
	free(set->files);
	memset(set, 0, sizeof(*set));
}

static void *grow(void *array, size_t *alloc, size_t count, size_t size)
{
	if (count < *alloc)
		return array;
	*alloc = *alloc ? *alloc * 2 : 16;
	return xrealloc(array, *alloc * size);
}

struct path_rule *policy_add_path_rule(struct policy *policy)
{
	struct path_rule *rule;

	policy->path_rules = grow(policy->path_rules, &policy->path_rule_alloc,
				  policy->path_rule_count, sizeof(*policy->path_rules));
	rule = &policy->path_rules[policy->path_rule_count++];
	memset(rule, 0, sizeof(*rule));
	return rule;
}

struct net_rule *policy_add_net_rule(struct policy *policy)
{
	struct net_rule *rule;

	policy->net_rules = grow(policy->net_rules, &policy->net_rule_alloc, policy->net_rule_count,
				 sizeof(*policy->net_rules));
	rule = &policy->net_rules[policy->net_rule_count++];
	memset(rule, 0, sizeof(*rule));
	return rule;
}

const char *action_name(uint8_t action)
{
	return action == BULWARK_DENY ? "deny" : "allow";
}

const char *class_name(uint8_t class)
{
	static const char *const names[] = {"exec", "file", "unix", "egress", "ingress"};

	return class < __BULWARK_CLASS_MAX ? names[class] : "?";
}

const char *match_name(uint8_t match)
{
	static const char *const names[] = {"exact", "glob", "subtree"};

	return match < __BULWARK_MATCH_MAX ? names[match] : "?";
}

const char *mode_name(uint8_t mode)
{
	return mode == BULWARK_MODE_AUDIT ? "audit" : "enforce";
}

const char *protocol_name(uint8_t protocol)
{
	static const char *const names[] = {"any", "tcp", "udp", "icmp"};

	return protocol < __BULWARK_PROTO_MAX ? names[protocol] : "?";
}

const char *selector_key(uint8_t kind)
{
	static const char *const names[] = {"host", "systemdUnit", "cgroup", "container"};

	return kind < __BULWARK_SELECTOR_MAX ? names[kind] : "?";
}

const char *access_bit_name(uint8_t class, uint16_t bit)
{
	static const char *const file[] = {"read",    "write",	  "append", "create", "unlink",
					   "rename",  "mkdir",	  "rmdir",  "link",   "symlink",
					   "setattr", "truncate", "exec"};
	unsigned int i = __builtin_ctz(bit);

	if (class == BULWARK_CLASS_UNIX)
		return bit == BULWARK_ACCESS_CONNECT ? "connect" : "bind";
	if (class == BULWARK_CLASS_EXEC)
		return "exec";
	return i < sizeof(file) / sizeof(file[0]) ? file[i] : "?";
}

bool policy_runnable_file(const char *path, mode_t mode)
{
	size_t len = strlen(path);

	/* Executables, and shared objects, which get mapped to run without an x bit. */
	return (mode & 0111) || (len > 3 && !strcmp(path + len - 3, ".so")) || strstr(path, ".so.");
}

struct path_rule *policy_add_expanded_rule(struct policy *policy, size_t template, const char *path)
{
	struct path_rule *rule = policy_add_path_rule(policy);
	const struct path_rule *t = &policy->path_rules[template];

	rule->loc = t->loc;
	rule->id = t->id;
	rule->class = t->class;
	rule->action = t->action;
	rule->access = t->access;
	rule->match = BULWARK_MATCH_EXACT;
	rule->path = xstrdup(path);
	rule->written = xstrdup(path);
	return rule;
}
