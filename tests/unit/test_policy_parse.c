// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the YAML grammar (controller/policy/policy_parse.c): each element
 * parsed into the model, and each error reported at its file:line:col.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"

#define SELECTOR "  selector:\n    systemdUnit: web.service\n"

static void full_policy(void **state)
{
	struct compiled c;
	const struct policy *p;

	compile_yaml(
		&c, POLICY_HEAD("web") SELECTOR
		"  mode: audit\n"
		"  exec:\n"
		"    default: deny\n"
		"    allow:\n"
		"      - path: /srv/app/bin/server\n"
		"        sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
		"      - path: /srv/app/lib/\n"
		"    deny:\n"
		"      - path: /srv/app/lib/*.debug\n"
		"  file:\n"
		"    default: allow\n"
		"    rules:\n"
		"      - path: /srv/secrets/\n"
		"        access: [read, write]\n"
		"        action: deny\n"
		"  network:\n"
		"    egress:\n"
		"      default: deny\n"
		"      allow:\n"
		"        - cidr: 10.0.0.0/8\n"
		"          ports: [5432, \"8000-8099\"]\n"
		"          protocol: tcp\n"
		"        - unix: /run/app/app.sock\n"
		"    ingress:\n"
		"      default: deny\n"
		"      allow:\n"
		"        - ports: [443]\n"
		"          protocol: tcp\n");
	assert_int_equal(c.diag.errors, 0);
	assert_int_equal(c.set.count, 1);
	p = &c.set.policies[0];
	assert_string_equal(p->name, "web");
	assert_int_equal(p->selector_kind, BULWARK_SELECTOR_SYSTEMD_UNIT);
	assert_string_equal(p->selector, "web.service");
	assert_int_equal(p->mode, BULWARK_MODE_AUDIT);
	assert_int_equal(p->defaults[BULWARK_CLASS_EXEC], BULWARK_DENY);
	assert_int_equal(p->defaults[BULWARK_CLASS_FILE], BULWARK_ALLOW);
	assert_int_equal(p->defaults[BULWARK_CLASS_EGRESS], BULWARK_DENY);
	assert_int_equal(p->defaults[BULWARK_CLASS_INGRESS], BULWARK_DENY);
	assert_int_equal(p->default_loc[BULWARK_CLASS_EXEC].line, 10);
	assert_int_equal(p->default_loc[BULWARK_CLASS_EXEC].col, 14);

	assert_int_equal(p->path_rule_count, 5);
	assert_int_equal(p->path_rules[0].match, BULWARK_MATCH_EXACT);
	assert_true(p->path_rules[0].has_digest);
	assert_int_equal(p->path_rules[0].digest[0], 0xe3);
	assert_int_equal(p->path_rules[0].loc.line, 12);
	assert_int_equal(p->path_rules[0].loc.col, 9);
	assert_int_equal(p->path_rules[1].match, BULWARK_MATCH_SUBTREE);
	assert_string_equal(p->path_rules[1].path, "/srv/app/lib");
	assert_int_equal(p->path_rules[2].action, BULWARK_DENY);
	assert_int_equal(p->path_rules[2].match, BULWARK_MATCH_GLOB);
	assert_string_equal(p->path_rules[2].pattern, "*.debug");
	assert_int_equal(p->path_rules[3].class, BULWARK_CLASS_FILE);
	assert_int_equal(p->path_rules[3].access, BULWARK_ACCESS_READ | BULWARK_ACCESS_WRITE);
	assert_int_equal(p->path_rules[4].class, BULWARK_CLASS_UNIX);
	assert_int_equal(p->path_rules[4].access, BULWARK_ACCESS_CONNECT);

	/* Two port ranges for 10/8; 443 for 0/0 and ::/0. */
	assert_int_equal(p->net_rule_count, 4);
	assert_int_equal(p->net_rules[0].port_min, 5432);
	assert_int_equal(p->net_rules[1].port_min, 8000);
	assert_int_equal(p->net_rules[1].port_max, 8099);
	assert_int_equal(p->net_rules[0].id, p->net_rules[1].id);
	assert_int_equal(p->net_rules[2].family, BULWARK_FAMILY_INET);
	assert_int_equal(p->net_rules[3].family, BULWARK_FAMILY_INET6);
	assert_int_equal(p->net_rules[3].direction, BULWARK_INGRESS);
	compiled_free(&c);
}

static void defaults_when_sections_are_absent(void **state)
{
	struct compiled c;

	compile_yaml(&c, POLICY_HEAD("web") SELECTOR);
	assert_int_equal(c.diag.errors, 0);
	assert_int_equal(c.set.policies[0].mode, BULWARK_MODE_ENFORCE);
	for (int class = 0; class < __BULWARK_CLASS_MAX; class ++)
		assert_int_equal(c.set.policies[0].defaults[class], BULWARK_ALLOW);
	compiled_free(&c);
}

static void several_documents(void **state)
{
	struct compiled c;

	compile_yaml(&c, POLICY_HEAD("a") SELECTOR
		     "---\n" POLICY_HEAD("b") "  selector:\n    host: true\n---\n");
	assert_int_equal(c.diag.errors, 0);
	assert_int_equal(c.set.count, 2);
	assert_string_equal(c.set.policies[1].name, "b");
	assert_int_equal(c.set.policies[1].selector_kind, BULWARK_SELECTOR_HOST);
	assert_null(c.set.policies[1].selector);
	compiled_free(&c);
}

static void document_errors(void **state)
{
	assert_compile_error("", "t.yaml: error: no policy in this file");
	assert_compile_error("- a\n",
			     "t.yaml:1:1: error: the document: expected a mapping, got a list");
	assert_compile_error(
		"apiVersion: bulwark/v2\nkind: Policy\nmetadata:\n  name: a\nspec:\n" SELECTOR,
		"t.yaml:1:13: error: unsupported apiVersion 'bulwark/v2', expected bulwark/v1");
	assert_compile_error(
		"apiVersion: bulwark/v1\nkind: Rule\nmetadata:\n  name: a\nspec:\n" SELECTOR,
		"t.yaml:2:7: error: unknown kind 'Rule', expected Policy");
	assert_compile_error("apiVersion: bulwark/v1\nkind: Policy\nspec:\n" SELECTOR,
			     "t.yaml:1:1: error: missing key 'metadata' in the document");
	assert_compile_error(POLICY_HEAD("a") SELECTOR "  colour: blue\n",
			     "t.yaml:8:3: error: unknown key 'colour' in spec, expected one of: "
			     "selector, mode, exec, file, network");
	assert_compile_error(POLICY_HEAD("a") SELECTOR "  mode: audit\n  mode: enforce\n",
			     "t.yaml:9:3: error: duplicate key 'mode' in spec");
	assert_compile_error(POLICY_HEAD("a") SELECTOR "  mode: loose\n",
			     "t.yaml:8:9: error: invalid mode 'loose', expected enforce or audit");
	assert_compile_error(POLICY_HEAD("Bad Name") SELECTOR,
			     "t.yaml:4:9: error: invalid policy name");
	assert_compile_error("key: [unclosed\n", "t.yaml:2:1: error: YAML syntax:");
	assert_compile_error(
		"a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
		"t.yaml:1:68: error: nested deeper than 64 levels");
	assert_compile_error(
		POLICY_HEAD("a") SELECTOR
		"  file:\n    default: allow\n    rules:\n"
		"      - &r {path: /etc/x, access: [read], action: deny}\n"
		"      - *r\n",
		"t.yaml:11:9: error: YAML aliases of mappings are not supported in policies");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  network:\n    egress:\n      default: deny\n      allow:\n"
			     "        - {cidr: 10.0.0.0/8, ports: \"80\\0\"}\n",
			     "got a string with a NUL character");
	assert_compile_error(POLICY_HEAD("\"web\\0 x\"") SELECTOR,
			     "t.yaml:4:9: error: expected a policy name, got a string with a NUL");
}

static void selector_errors(void **state)
{
	assert_compile_error(POLICY_HEAD("a") "  selector: {}\n",
			     "t.yaml:6:13: error: empty selector: name one of");
	assert_compile_error(POLICY_HEAD("a") "  selector:\n    host: true\n    cgroup: /x\n",
			     "t.yaml:8:13: error: a selector names exactly one of");
	assert_compile_error(POLICY_HEAD("a") "  selector:\n    systemdUnit: nginx\n",
			     "t.yaml:7:18: error: invalid systemdUnit selector 'nginx'");
	assert_compile_error(POLICY_HEAD("a") "  selector:\n    host: false\n",
			     "invalid host selector 'false'");
	assert_compile_error(POLICY_HEAD("a") "  mode: audit\n", "missing key 'selector' in spec");
}

static void trust_errors(void **state)
{
	assert_compile_error(
		POLICY_HEAD("a") SELECTOR
		"  exec:\n    default: deny\n    allow:\n      - trust: rpm\n",
		"t.yaml:11:16: error: unknown trust source 'rpm', expected dpkg or snapshot");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  exec:\n    default: allow\n    deny:\n      - trust: dpkg\n",
			     "t.yaml:11:16: error: trust is only meaningful in exec.allow");
	assert_compile_error(POLICY_HEAD("a") SELECTOR "  exec:\n    default: deny\n    allow:\n"
						       "      - {trust: dpkg, path: /usr/}\n",
			     "trust: dpkg stands alone: it trusts every file dpkg installed");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  exec:\n    default: deny\n    allow:\n"
			     "      - {trust: snapshot, path: /opt/app}\n",
			     "trust: snapshot takes a directory: write '/opt/app/'");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  exec:\n    default: deny\n    allow:\n      - trust: snapshot\n",
			     "trust: snapshot needs the directory to take: 'path: DIR/'");
	assert_compile_error(POLICY_HEAD("a") SELECTOR "  exec:\n    default: deny\n    allow:\n"
						       "      - {trust: dpkg, package: bash}\n",
			     "'trust' takes no 'package' or 'sha256' beside it");
	assert_compile_error(
		POLICY_HEAD("a") SELECTOR
		"  exec:\n    default: deny\n    allow:\n"
		"      - {trust: snapshot, path: /nonexistent-bulwark/}\n",
		"trust: snapshot of '/nonexistent-bulwark/': No such file or directory");
}

static void exec_errors(void **state)
{
	assert_compile_error(POLICY_HEAD("a") SELECTOR "  exec:\n    allow: []\n",
			     "t.yaml:9:5: error: missing key 'default' in spec.exec");
	assert_compile_error(POLICY_HEAD("a") SELECTOR "  exec:\n    default: maybe\n",
			     "t.yaml:9:14: error: invalid action 'maybe', expected allow or deny");
	assert_compile_error(
		POLICY_HEAD("a") SELECTOR
		"  exec:\n    default: deny\n    allow:\n      - sha256: abc\n",
		"t.yaml:11:17: error: invalid sha256 'abc', expected 64 hexadecimal digits");
	assert_compile_error(
		POLICY_HEAD("a") SELECTOR "  exec:\n    default: deny\n    allow:\n      - {}\n",
		"t.yaml:11:9: error: an exec entry needs 'path', 'package' or 'trust'");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  exec:\n    default: deny\n    allow:\n      - path: bin/x\n",
			     "t.yaml:11:15: error: invalid path 'bin/x': not an absolute path");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  exec:\n    default: deny\n    allow:\n      - path: /usr/*/x\n",
			     "'*' is only allowed in the last component of a path");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  exec:\n    default: deny\n    allow:\n      - path: /opt/\n"
			     "        sha256: "
			     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
			     "t.yaml:12:17: error: sha256 pins one file");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  exec:\n    default: deny\n    allow:\n      - package: coreutils\n"
			     "        path: /usr/bin/ls\n",
			     "'package' stands alone");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  exec:\n    default: deny\n    allow:\n      - package: Bad_Name\n",
			     "t.yaml:11:18: error: invalid package name 'Bad_Name'");
}

static void file_errors(void **state)
{
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  file:\n    default: allow\n    rules:\n      - path: /etc/x\n"
			     "        action: deny\n",
			     "t.yaml:11:9: error: missing key 'access' in a file.rules entry");
	assert_compile_error(
		POLICY_HEAD("a") SELECTOR
		"  file:\n    default: allow\n    rules:\n      - path: /etc/x\n"
		"        access: [read, frobnicate]\n        action: deny\n",
		"t.yaml:12:24: error: unknown access 'frobnicate', expected read, write");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  file:\n    default: allow\n    rules:\n      - path: /etc/x\n"
			     "        access: []\n        action: deny\n",
			     "t.yaml:12:17: error: empty access list");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  file:\n    default: allow\n    rules:\n      - path: /etc/x\n"
			     "        access: [read, read]\n        action: deny\n",
			     "t.yaml:12:24: error: access 'read' is already listed");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  file:\n    default: allow\n    rules:\n      - path: /etc/x\n"
			     "        access: {read: 1}\n        action: deny\n",
			     "t.yaml:12:17: error: expected an access name, got a mapping");
}

static void network_errors(void **state)
{
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  network:\n    egress:\n      default: deny\n      allow:\n"
			     "        - cidr: 10.0.0.1/8\n",
			     "t.yaml:12:17: error: invalid cidr '10.0.0.1/8': host bits set");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  network:\n    egress:\n      default: deny\n      allow:\n"
			     "        - cidr: 10.0.0.0/8\n          ports: [\"90-80\"]\n",
			     "t.yaml:13:19: error: invalid port '90-80': inverted port range");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  network:\n    egress:\n      default: deny\n      allow:\n"
			     "        - cidr: 10.0.0.0/8\n          ports: [70000]\n",
			     "t.yaml:13:19: error: invalid port '70000'");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  network:\n    egress:\n      default: deny\n      allow:\n"
			     "        - protocol: icmp\n          ports: [1]\n",
			     "t.yaml:13:18: error: icmp has no ports");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  network:\n    egress:\n      default: deny\n      allow:\n"
			     "        - protocol: sctp\n",
			     "t.yaml:12:21: error: unknown protocol 'sctp'");
	assert_compile_error(
		POLICY_HEAD("a") SELECTOR
		"  network:\n    egress:\n      default: deny\n      allow:\n"
		"        - unix: /run/x.sock\n          ports: [1]\n",
		"t.yaml:12:11: error: a 'unix' entry takes no cidr, ports or protocol");
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  network:\n    egress:\n      default: deny\n      allow:\n"
			     "        - cidr: 10.0.0.0/8\n          ports: []\n",
			     "t.yaml:13:18: error: empty ports list");
	assert_compile_error(POLICY_HEAD("a") SELECTOR "  network:\n    sideways: {}\n",
			     "t.yaml:9:5: error: unknown key 'sideways' in spec.network");
}

static void lenient_forms(void **state)
{
	struct compiled c;

	/* A lone port like any one-item list; overlapping access names. */
	compile_yaml(&c, POLICY_HEAD("a") SELECTOR
		     "  file:\n    default: allow\n    rules:\n"
		     "      - {path: /etc/x, access: [all, read], action: deny}\n"
		     "  network:\n    ingress:\n      default: deny\n      allow:\n"
		     "        - {ports: 443, protocol: tcp}\n");
	if (c.diag.errors)
		fail_msg("%s", c.errors);
	assert_int_equal(c.set.policies[0].net_rule_count, 2);
	assert_int_equal(c.set.policies[0].net_rules[0].port_min, 443);
	compiled_free(&c);
	assert_compile_error(POLICY_HEAD("a") SELECTOR
			     "  network:\n    egress:\n      default: deny\n      allow:\n"
			     "        - {}\n",
			     "t.yaml:12:11: error: empty network entry");
}

static void several_errors_in_one_run(void **state)
{
	struct compiled c;

	compile_yaml(&c, POLICY_HEAD("a") SELECTOR "  mode: loose\n  exec:\n    default: nope\n"
						   "  colour: red\n");
	assert_int_equal(c.diag.errors, 3);
	assert_non_null(strstr(c.errors, "t.yaml:8:9: error: invalid mode"));
	assert_non_null(strstr(c.errors, "t.yaml:10:14: error: invalid action 'nope'"));
	assert_non_null(strstr(c.errors, "t.yaml:11:3: error: unknown key 'colour'"));
	/* Reported in input order. */
	assert_true(strstr(c.errors, "8:9") < strstr(c.errors, "10:14"));
	compiled_free(&c);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A directory's *.yaml and *.yml fragments are read in version order; nothing else is. */
static void directory_fragments_in_version_order(void **state)
{
	char dir[] = "/tmp/bulwark-fragments-XXXXXX", path[256];
	char *paths[2] = {dir, "/nonexistent/bulwark.yaml"};
	const char *names[] = {"10-late.yaml", "9-early.yml", "README.md", ".hidden.yaml"};
	struct policy_set set;
	struct diag diag;
	char *out = NULL;
	size_t out_size;
	FILE *errors = open_memstream(&out, &out_size);

	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 4; i++) {
		char text[512];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(text, sizeof(text), POLICY_HEAD("p%d") "  selector:\n    cgroup: /c%d\n",
			 i, i);
		write_file(path, text);
	}
	diag_init(&diag, errors);
	policy_set_init(&set, &diag);
	policy_load(&set, 2, paths);
	fflush(errors);
	assert_int_equal(set.count, 2);
	assert_string_equal(set.policies[0].name, "p1"); /* 9-early.yml */
	assert_string_equal(set.policies[1].name, "p0"); /* 10-late.yaml */
	assert_int_equal(diag.errors, 1);
	assert_string_equal(out, "/nonexistent/bulwark.yaml: error: cannot read: No such file or "
				 "directory\n");
	policy_set_free(&set);
	fclose(errors);
	free(out);
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_policy),
		cmocka_unit_test(defaults_when_sections_are_absent),
		cmocka_unit_test(several_documents),
		cmocka_unit_test(document_errors),
		cmocka_unit_test(selector_errors),
		cmocka_unit_test(exec_errors),
		cmocka_unit_test(trust_errors),
		cmocka_unit_test(file_errors),
		cmocka_unit_test(network_errors),
		cmocka_unit_test(several_errors_in_one_run),
		cmocka_unit_test(lenient_forms),
		cmocka_unit_test(directory_fragments_in_version_order),
	};

	return cmocka_run_group_tests_name("policy_parse", tests, NULL, NULL);
}
