// SPDX-License-Identifier: GPL-2.0
/*
 * Checks that need the whole policy set: unique names and selectors,
 * `package:` expansion, contradictions, and the size limits of the image.
 * Rule precedence itself (what wins when rules overlap) is the decision
 * core's; here only rules that can never both hold are refused.
 */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "trust.h"
#include "xalloc.h"

static bool same_loc_text(const struct source_loc *a, const struct source_loc *b)
{
	return a->file == b->file && a->line == b->line && a->col == b->col;
}

static void check_names_and_selectors(struct policy_set *set)
{
	size_t i, j;

	/* Past the limit the set is refused anyway; comparing all pairs would take hours. */
	if (set->count > BULWARK_POLICIES_MAX) {
		struct source_loc loc = set->policies[BULWARK_POLICIES_MAX].loc;

		diag_error(set->diag, &loc, "more than %u policies", BULWARK_POLICIES_MAX);
		return;
	}
	for (i = 0; i < set->count; i++) {
		struct policy *p = &set->policies[i];

		for (j = 0; j < i; j++) {
			struct policy *q = &set->policies[j];

			if (p->name && q->name && !strcmp(p->name, q->name))
				diag_error(set->diag, &p->name_loc,
					   "duplicate policy name '%s' (first defined at %s:%u:%u)",
					   p->name, q->name_loc.file, q->name_loc.line,
					   q->name_loc.col);
			if (p->selector_loc.line && q->selector_loc.line &&
			    p->selector_kind == q->selector_kind &&
			    (p->selector_kind == BULWARK_SELECTOR_HOST ||
			     !strcmp(p->selector, q->selector)))
				diag_error(set->diag, &p->selector_loc,
					   "policy '%s' selects the same workloads as policy '%s' "
					   "(%s:%u:%u): one policy per selector",
					   p->name ? p->name : "?", q->name ? q->name : "?",
					   q->selector_loc.file, q->selector_loc.line,
					   q->selector_loc.col);
		}
	}
}

/*
 * The kernel matches the path a file resolves to, so a rule naming a path
 * through a symlink (/bin/bash on a merged-/usr system, /etc/resolv.conf)
 * would silently never match: refuse it, naming the path to write instead.
 * Checked against this host's file system, where the path exists.
 */
struct resolve_cache {
	char dir[PATH_MAX]; /* a directory known to resolve to itself */
};

static bool resolves_to_itself(const char *path, char *resolved, struct resolve_cache *cache)
{
	char prefix[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash == path ? 1 : (size_t)(slash - path);
	struct stat st;

	if (strlen(path) >= sizeof(prefix))
		return true;
	/* Fast path: the parent was already checked; only the last component can be a link. */
	if (!strncmp(cache->dir, path, dir_len) && cache->dir[dir_len] == '\0') {
		if (lstat(path, &st) || !S_ISLNK(st.st_mode))
			return true;
		return !realpath(path, resolved) || !strcmp(path, resolved);
	}
	strcpy(prefix, path);
	for (;;) {
		if (realpath(prefix, resolved)) {
			if (strcmp(prefix, resolved)) {
				/* Name the whole path to write, not just the resolved prefix. */
				strncat(resolved, path + strlen(prefix),
					PATH_MAX - strlen(resolved) - 1);
				return false;
			}
			break;
		}
		if (errno != ENOENT && errno != ENOTDIR)
			return true;
		slash = strrchr(prefix, '/');
		if (slash == prefix)
			return true;
		prefix[slash - prefix] = '\0';
	}
	if (strlen(prefix) <= dir_len && !strncmp(prefix, path, strlen(prefix))) {
		memcpy(cache->dir, path, dir_len);
		cache->dir[dir_len] = '\0';
		if (strcmp(prefix, cache->dir))
			cache->dir[0] =
				'\0'; /* the parent does not exist: check it again next time */
	}
	return true;
}

void policy_report_symlinked(struct policy_set *set, const struct source_loc *loc, const char *path,
			     const char *resolved)
{
	diag_error(set->diag, loc,
		   "'%s' goes through a symlink to '%s' on this host, and the kernel "
		   "matches resolved paths: write the resolved path",
		   path, resolved);
}

static void check_resolved_paths(struct policy_set *set, const struct policy *policy)
{
	struct resolve_cache cache = {""};
	char resolved[PATH_MAX];
	size_t i;

	/* Containers see their own image's files, not this host's. */
	if (policy->selector_kind == BULWARK_SELECTOR_CGROUP ||
	    policy->selector_kind == BULWARK_SELECTOR_CONTAINER)
		return;
	for (i = 0; i < policy->path_rule_count; i++) {
		const struct path_rule *rule = &policy->path_rules[i];

		if (!rule->path || rule->package ||
		    resolves_to_itself(rule->path, resolved, &cache))
			continue;
		policy_report_symlinked(set, &rule->loc, rule->path, resolved);
	}
}

/* `package:` entries, each into the files it installed (trust.c). */
static void expand_packages(struct policy_set *set, struct policy *policy)
{
	size_t i, count = policy->path_rule_count;

	for (i = 0; i < count; i++)
		if (policy->path_rules[i].package)
			trust_expand_package(set, policy, i);
}

static void expand_trust(struct policy_set *set, struct policy *policy)
{
	size_t i;

	for (i = 0; i < policy->path_rule_count; i++) {
		const struct path_rule *rule = &policy->path_rules[i];

		if (rule->trust && policy->selector_kind == BULWARK_SELECTOR_CONTAINER) {
			diag_error(
				set->diag, &rule->loc,
				"trust names this host's files, and a container runs its "
				"image's: trust sources are for host, unit and cgroup selectors");
			return;
		}
	}
	trust_expand(set, policy);
}

/* Sorting rule positions by key puts every possible conflict side by side. */
static const struct policy *sort_policy;

static int path_key_cmp(const void *a, const void *b)
{
	const struct path_rule *x = &sort_policy->path_rules[*(const size_t *)a];
	const struct path_rule *y = &sort_policy->path_rules[*(const size_t *)b];
	int order;

	if (x->class != y->class)
		return x->class - y->class;
	if (x->match != y->match)
		return x->match - y->match;
	order = strcmp(x->path, y->path);
	if (order)
		return order;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static bool same_path_key(const struct path_rule *x, const struct path_rule *y)
{
	return x->class == y->class && x->match == y->match && !strcmp(x->path, y->path);
}

static void report_conflict(struct policy_set *set, const struct path_rule *later,
			    const struct path_rule *earlier)
{
	diag_error(set->diag, &later->loc,
		   "rule for '%s' contradicts the rule at %s:%u:%u (same path and access, "
		   "opposite action)",
		   later->written, earlier->loc.file, earlier->loc.line, earlier->loc.col);
}

static void check_path_rules(struct policy_set *set, struct policy *policy)
{
	size_t n = 0, i, j, start, *order;

	order = xmalloc((policy->path_rule_count + 1) * sizeof(*order));
	for (i = 0; i < policy->path_rule_count; i++)
		if (policy->path_rules[i].path && policy->path_rules[i].access)
			order[n++] = i;
	sort_policy = policy;
	qsort(order, n, sizeof(*order), path_key_cmp);

	for (start = 0; start < n; start = i) {
		const struct path_rule *first = &policy->path_rules[order[start]];

		for (i = start + 1; i < n && same_path_key(first, &policy->path_rules[order[i]]);
		     i++)
			;
		if (i - start > BULWARK_RUN_MAX && first->match == BULWARK_MATCH_GLOB)
			diag_error(set->diag,
				   &policy->path_rules[order[start + BULWARK_RUN_MAX]].loc,
				   "more than %u globs in directory '%s' in policy '%s'",
				   BULWARK_RUN_MAX, first->path, policy->name ? policy->name : "?");
		else if (i - start > BULWARK_RUN_MAX)
			diag_error(set->diag,
				   &policy->path_rules[order[start + BULWARK_RUN_MAX]].loc,
				   "more than %u rules for '%s' in policy '%s'", BULWARK_RUN_MAX,
				   first->written, policy->name ? policy->name : "?");
		for (j = start + 1; j < i && i - start <= BULWARK_RUN_MAX; j++) {
			const struct path_rule *later = &policy->path_rules[order[j]];
			size_t k;

			for (k = start; k < j; k++) {
				const struct path_rule *earlier = &policy->path_rules[order[k]];

				if (earlier->action == later->action ||
				    !(earlier->access & later->access) ||
				    (later->match == BULWARK_MATCH_GLOB &&
				     strcmp(earlier->pattern, later->pattern)))
					continue;
				/* One package rule expands to many: report it once. */
				if (same_loc_text(&earlier->loc, &later->loc))
					continue;
				report_conflict(set, later, earlier);
				break;
			}
		}
	}
	free(order);
}

static bool ranges_overlap(const struct net_rule *a, const struct net_rule *b)
{
	return a->port_min <= b->port_max && b->port_min <= a->port_max &&
	       (a->protocol == b->protocol || a->protocol == BULWARK_PROTO_ANY ||
		b->protocol == BULWARK_PROTO_ANY);
}

static bool same_net_key(const struct net_rule *a, const struct net_rule *b)
{
	return a->direction == b->direction && a->family == b->family &&
	       a->prefix_len == b->prefix_len && !memcmp(a->addr, b->addr, 16);
}

static int net_key_cmp(const void *a, const void *b)
{
	const struct net_rule *x = a, *y = b;
	int order;

	if (x->direction != y->direction)
		return x->direction - y->direction;
	if (x->family != y->family)
		return x->family - y->family;
	if (x->prefix_len != y->prefix_len)
		return x->prefix_len - y->prefix_len;
	order = memcmp(x->addr, y->addr, 16);
	if (order)
		return order;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void check_net_rules(struct policy_set *set, struct policy *policy)
{
	size_t i, j, run;

	/* Sorted by key, conflicts can only lie within one run (at most RUN_MAX long). */
	struct net_rule *sorted = xmalloc((policy->net_rule_count + 1) * sizeof(*sorted));

	if (policy->net_rule_count)
		memcpy(sorted, policy->net_rules, policy->net_rule_count * sizeof(*sorted));
	qsort(sorted, policy->net_rule_count, sizeof(*sorted), net_key_cmp);
	for (i = 0; i < policy->net_rule_count; i = j) {
		for (j = i + 1; j < policy->net_rule_count && same_net_key(&sorted[i], &sorted[j]);
		     j++)
			;
		run = j - i;
		if (run > BULWARK_RUN_MAX) {
			/* Already an error: comparing its pairs would only cost quadratic time. */
			diag_error(set->diag, &sorted[i].loc,
				   "more than %u port ranges for one cidr in policy '%s'",
				   BULWARK_RUN_MAX, policy->name ? policy->name : "?");
			continue;
		}
		for (size_t a = i; a < j; a++)
			for (size_t b = i; b < a; b++)
				if (sorted[a].action != sorted[b].action &&
				    ranges_overlap(&sorted[a], &sorted[b])) {
					const struct net_rule *later = sorted[a].id > sorted[b].id
									       ? &sorted[a]
									       : &sorted[b];
					const struct net_rule *earlier =
						later == &sorted[a] ? &sorted[b] : &sorted[a];

					diag_error(set->diag, &later->loc,
						   "network rule contradicts the rule at %s:%u:%u "
						   "(same cidr, overlapping ports and protocol, "
						   "opposite action)",
						   earlier->loc.file, earlier->loc.line,
						   earlier->loc.col);
				}
	}
	free(sorted);
}

void policy_check(struct policy_set *set)
{
	size_t i, path_rules = 0, net_rules = 0;

	check_names_and_selectors(set);
	for (i = 0; i < set->count; i++) {
		struct policy *policy = &set->policies[i];

		check_resolved_paths(set, policy);
		expand_packages(set, policy);
		expand_trust(set, policy);
		check_path_rules(set, policy);
		check_net_rules(set, policy);
		path_rules += policy->path_rule_count;
		net_rules += policy->net_rule_count;
	}
	if (path_rules > BULWARK_RULES_MAX || net_rules > BULWARK_RULES_MAX) {
		struct source_loc loc = {set->file_count ? set->files[0] : "-", 0, 0};

		diag_error(set->diag, &loc, "more than %u rules of one kind (path or network)",
			   BULWARK_RULES_MAX);
	}
}
