// SPDX-License-Identifier: GPL-2.0
/* bulwark check FILE...: validate policies, reporting every problem at file:line:col. */
#include <stdio.h>

#include "commands.h"
#include "policy.h"

int check_main(int argc, char *argv[])
{
	struct policy_set set;
	struct diag diag;
	size_t i, rules = 0;
	int ret;

	if (argc < 2) {
		fprintf(stderr, "Usage: %s %s FILE|DIR...\n", prog_name, argv[0]);
		return 2;
	}
	diag_init(&diag, stderr);
	policy_set_init(&set, &diag);
	if (policy_load(&set, argc - 1, argv + 1)) {
		fprintf(stderr, "%u error%s\n", diag.errors, diag.errors == 1 ? "" : "s");
		ret = 1;
	} else {
		/* Rules as compiled: a `package:` or `trust:` entry counts as the files it expanded
		 * to. */
		for (i = 0; i < set.count; i++) {
			const struct policy *p = &set.policies[i];

			rules += p->net_rule_count;
			for (size_t j = 0; j < p->path_rule_count; j++)
				rules += !path_rule_is_source(&p->path_rules[j]);
		}
		printf("ok: %zu polic%s, %zu rules", set.count, set.count == 1 ? "y" : "ies",
		       rules);
		if (diag.warnings)
			printf(", %u warning%s", diag.warnings, diag.warnings == 1 ? "" : "s");
		putchar('\n');
		ret = 0;
	}
	policy_set_free(&set);
	return ret;
}
