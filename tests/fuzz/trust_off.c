// SPDX-License-Identifier: GPL-2.0
/*
 * trust_expand() for the policy fuzzer: trust sources read this host's
 * files (dpkg's database, a directory tree), not the fuzzer's input, and a
 * snapshot of "/" would walk the whole machine. Here each one is an error,
 * so findings do not depend on the host; tests/host/trust-dpkg.sh and the
 * conformance scenarios test the real expansion. The same goes for
 * `package:` entries.
 */
#include "trust.h"

void trust_expand(struct policy_set *set, struct policy *policy)
{
	for (size_t i = 0; i < policy->path_rule_count; i++)
		if (policy->path_rules[i].trust)
			diag_error(set->diag, &policy->path_rules[i].loc,
				   "trust sources are not expanded under the fuzzer");
}

/* As on a host where nothing is installed: every package is unknown. */
void trust_expand_package(struct policy_set *set, struct policy *policy, size_t index)
{
	diag_error(set->diag, &policy->path_rules[index].loc,
		   "unknown package '%s': not installed here", policy->path_rules[index].package);
}
