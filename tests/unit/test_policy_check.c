// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for controller/policy/policy_check.c: what is only wrong in the
 * context of the whole set (names, selectors, contradictions, packages,
 * symlinked paths, limits).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"

#define UNIT(u) "  selector:\n    systemdUnit: " u "\n"

static void duplicate_names_and_selectors(void **state)
{
	assert_compile_error(POLICY_HEAD("a") UNIT("x.service") "---\n" POLICY_HEAD("a")
				     UNIT("y.service"),
			     "t.yaml:12:9: error: duplicate policy name 'a' (first defined at "
			     "t.yaml:4:9)");
	assert_compile_error(POLICY_HEAD("a") UNIT("x.service") "---\n" POLICY_HEAD("b")
				     UNIT("x.service"),
			     "t.yaml:15:18: error: policy 'b' selects the same workloads as policy "
			     "'a' (t.yaml:7:18)");
	assert_compile_error(POLICY_HEAD("a") "  selector:\n    host: true\n---\n" POLICY_HEAD(
				     "b") "  selector:\n    host: true\n",
			     "selects the same workloads as policy 'a'");
}

static void contradictions(void **state)
{
	assert_compile_error(
		POLICY_HEAD("a") UNIT("x.service") "  file:\n    default: allow\n    rules:\n"
						   "      - path: /etc/x\n        access: [read, "
						   "write]\n        action: allow\n"
						   "      - path: /etc/x\n        access: "
						   "[write]\n        action: deny\n",
		"t.yaml:14:9: error: rule for '/etc/x' contradicts the rule at t.yaml:11:9");
	assert_compile_error(POLICY_HEAD("a")
				     UNIT("x.service") "  exec:\n    default: deny\n    allow:\n   "
						       "   - path: /usr/bin/x\n"
						       "    deny:\n      - path: /usr/bin/x\n",
			     "t.yaml:13:9: error: rule for '/usr/bin/x' contradicts");
	assert_compile_error(
		POLICY_HEAD("a") UNIT(
			"x.service") "  network:\n    egress:\n      default: deny\n      allow:\n"
				     "        - cidr: 10.0.0.0/8\n          ports: [\"1-100\"]\n"
				     "      deny:\n        - cidr: 10.0.0.0/8\n          ports: "
				     "[100]\n"
				     "          protocol: tcp\n",
		"t.yaml:15:11: error: network rule contradicts the rule at t.yaml:12:11");
}

static void overlaps_that_are_not_contradictions(void **state)
{
	struct compiled c;

	/* Different access, different ports, different protocols, nested paths. */
	compile_yaml(
		&c,
		POLICY_HEAD("a") UNIT(
			"x.service") "  file:\n    default: allow\n    rules:\n"
				     "      - path: /etc/x\n        access: [read]\n        "
				     "action: allow\n"
				     "      - path: /etc/x\n        access: [write]\n        "
				     "action: deny\n"
				     "      - path: /etc/\n        access: [write]\n        "
				     "action: allow\n"
				     "  network:\n    egress:\n      default: deny\n      allow:\n"
				     "        - cidr: 10.0.0.0/8\n          ports: [\"1-99\"]\n"
				     "        - cidr: 10.0.0.0/8\n          protocol: udp\n        "
				     "  ports: [100]\n"
				     "      deny:\n        - cidr: 10.0.0.0/8\n          ports: "
				     "[100]\n"
				     "          protocol: tcp\n");
	if (c.diag.errors)
		fail_msg("%s", c.errors);
	compiled_free(&c);
}

static void packages(void **state)
{
	struct compiled c;
	const char *dir = "build/tests/unit/dpkg";
	FILE *list;

	mkdir("build/tests/unit/dpkg", 0755);
	list = fopen("build/tests/unit/dpkg/demo-tools:amd64.list", "w");
	assert_non_null(list);
	/*
	 * Directories, symlinks (/bin/sh) and missing files are skipped; /bin/true
	 * is kept under the name the kernel sees (/usr/bin/true on merged /usr).
	 */
	fprintf(list,
		"/.\n/usr\n/usr/bin\n/usr/bin/env\n/bin/sh\n/bin/true\n/usr/bin/no-such-file\n");
	fclose(list);
	setenv("BULWARK_DPKG_INFO_DIR", dir, 1);
	setenv("BULWARK_DIGEST_CACHE", "", 1);

	compile_yaml(&c,
		     POLICY_HEAD("a") UNIT("x.service") "  exec:\n    default: deny\n    allow:\n  "
							"    - package: demo-tools\n");
	if (c.diag.errors)
		fail_msg("%s", c.errors);
	assert_int_equal(c.image.path_rule_count, 2);
	for (uint32_t i = 0; i < c.image.path_rule_count; i++) {
		const char *path = bulwark_image_string(&c.image, c.image.path_rules[i].path);
		char resolved[4096];

		assert_non_null(realpath(path, resolved));
		assert_string_equal(path, resolved);
		assert_int_equal(c.image.path_rules[i].rule_id, 1);
		/* Pinned to the content found (the list ships no md5sums to check it by). */
		assert_int_not_equal(c.image.path_rules[i].digest, 0);
	}
	compiled_free(&c);

	assert_compile_error(
		POLICY_HEAD("a") UNIT("x.service") "  exec:\n    default: deny\n    allow:\n      "
						   "- package: not-installed\n",
		"t.yaml:11:9: error: unknown package 'not-installed': not installed here");
	unsetenv("BULWARK_DPKG_INFO_DIR");
}

static void symlinked_paths_are_refused(void **state)
{
	char dir[] = "/tmp/bulwark-test-XXXXXX", link[64], yaml[1024];

	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink("/usr/bin", link), 0);
	snprintf(yaml, sizeof(yaml),
		 POLICY_HEAD("a") UNIT("x.service") "  exec:\n    default: deny\n    allow:\n      "
						    "- path: %s/env\n      - path: %s/\n",
		 link, link);
	assert_compile_error(yaml, "goes through a symlink to '/usr/bin/env' on this host");
	assert_compile_error(yaml, "goes through a symlink to '/usr/bin' on this host");
	/* Paths that do not exist here are taken as written. */
	snprintf(yaml, sizeof(yaml),
		 POLICY_HEAD("a") UNIT("x.service") "  exec:\n    default: deny\n    allow:\n      "
						    "- path: %s/nonexistent/x\n",
		 dir);
	struct compiled c;

	compile_yaml(&c, yaml);
	assert_int_equal(c.diag.errors, 0);
	compiled_free(&c);
	/* Containers see their own image's files: this host's symlinks say nothing. */
	snprintf(yaml, sizeof(yaml),
		 POLICY_HEAD("a") "  selector:\n    cgroup: /kubepods.slice/*\n"
				  "  exec:\n    default: allow\n    deny:\n      - path: %s/env\n",
		 link);
	compile_yaml(&c, yaml);
	assert_int_equal(c.diag.errors, 0);
	compiled_free(&c);
	unlink(link);
	rmdir(dir);
}

static void too_many_rules_for_one_path(void **state)
{
	size_t size = 1 << 16, len;
	char *yaml = malloc(size);

	len = snprintf(
		yaml, size,
		POLICY_HEAD("a") UNIT(
			"x.service") "  network:\n    egress:\n      default: deny\n      allow:\n"
				     "        - cidr: 10.0.0.0/8\n          ports: [");
	for (int port = 1; port <= BULWARK_RUN_MAX + 1; port++)
		len += snprintf(yaml + len, size - len, "%s%d", port > 1 ? ", " : "", port);
	snprintf(yaml + len, size - len, "]\n");
	assert_compile_error(yaml, "more than 64 port ranges for one cidr");
	free(yaml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(duplicate_names_and_selectors),
		cmocka_unit_test(contradictions),
		cmocka_unit_test(overlaps_that_are_not_contradictions),
		cmocka_unit_test(packages),
		cmocka_unit_test(symlinked_paths_are_refused),
		cmocka_unit_test(too_many_rules_for_one_path),
	};

	return cmocka_run_group_tests_name("policy_check", tests, NULL, NULL);
}
