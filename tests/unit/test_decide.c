// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the decision core (kmod/core/decide.c), the code the
 * kernel module runs: precedence between exact paths, globs and subtrees,
 * deny at equal precedence, access bits, exec and file rules together,
 * pinned digests, longest-prefix network matching and defaults.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "helpers.h"
#include "sha256.h"

#define UNIT "  selector:\n    systemdUnit: x.service\n"

struct expect {
	uint8_t action;
	bool by_default;
	uint32_t rule_id;
};

static void check_path(struct compiled *c, uint8_t class, const char *path, uint16_t access,
		       struct expect e)
{
	struct bulwark_verdict v;

	assert_int_equal(
		bulwark_decide_path(&c->image, 0, class, path, strlen(path), access, NULL, &v), 0);
	if (v.action != e.action || v.by_default != e.by_default || v.rule_id != e.rule_id)
		fail_msg("%s (access 0x%x): got %s%s rule %u, expected %s%s rule %u", path, access,
			 action_name(v.action), v.by_default ? " by default" : "", v.rule_id,
			 action_name(e.action), e.by_default ? " by default" : "", e.rule_id);
}

#define ALLOW(id) ((struct expect){BULWARK_ALLOW, false, id})
#define DENY(id) ((struct expect){BULWARK_DENY, false, id})
#define DEFAULT(action) ((struct expect){action, true, 0})

static void path_precedence(void **state)
{
	struct compiled c;

	compile_yaml(&c, POLICY_HEAD("a") UNIT
		     "  file:\n    default: allow\n    rules:\n"
		     "      - {path: /etc/, access: [read], action: deny}\n" /* 1 */
		     "      - {path: /etc/hosts, access: [read], action: allow}\n" /* 2 */
		     "      - {path: /etc/*.conf, access: [read], action: allow}\n" /* 3 */
		     "      - {path: /etc/app*.conf, access: [read], action: deny}\n" /* 4 */
		     "      - {path: /etc/a*.x, access: [read], action: allow}\n" /* 5 */
		     "      - {path: /etc/*b.x, access: [read], action: deny}\n" /* 6 */
		     "      - {path: /srv/, access: [write], action: deny}\n" /* 7 */
		     "      - {path: /srv/public/, access: [write], action: allow}\n" /* 8 */
		     "      - {path: /, access: [unlink], action: deny}\n"); /* 9 */
	if (c.diag.errors)
		fail_msg("%s", c.errors);
	check_path(&c, BULWARK_CLASS_FILE, "/etc/hosts", BULWARK_ACCESS_READ, ALLOW(2));
	check_path(&c, BULWARK_CLASS_FILE, "/etc/passwd", BULWARK_ACCESS_READ, DENY(1));
	check_path(&c, BULWARK_CLASS_FILE, "/etc", BULWARK_ACCESS_READ, DENY(1));
	check_path(&c, BULWARK_CLASS_FILE, "/etc/sub/x.conf", BULWARK_ACCESS_READ, DENY(1));
	check_path(&c, BULWARK_CLASS_FILE, "/etc/resolv.conf", BULWARK_ACCESS_READ, ALLOW(3));
	check_path(&c, BULWARK_CLASS_FILE, "/etc/app1.conf", BULWARK_ACCESS_READ, DENY(4));
	check_path(&c, BULWARK_CLASS_FILE, "/etc/ab.x", BULWARK_ACCESS_READ, DENY(6));
	check_path(&c, BULWARK_CLASS_FILE, "/etc/a.x", BULWARK_ACCESS_READ, ALLOW(5));
	check_path(&c, BULWARK_CLASS_FILE, "/etc/hosts", BULWARK_ACCESS_WRITE,
		   DEFAULT(BULWARK_ALLOW));
	check_path(&c, BULWARK_CLASS_FILE, "/srv/a/b", BULWARK_ACCESS_WRITE, DENY(7));
	check_path(&c, BULWARK_CLASS_FILE, "/srv/public/index.html", BULWARK_ACCESS_WRITE,
		   ALLOW(8));
	check_path(&c, BULWARK_CLASS_FILE, "/srv/publicity", BULWARK_ACCESS_WRITE, DENY(7));
	check_path(&c, BULWARK_CLASS_FILE, "/srv/public/x", BULWARK_ACCESS_UNLINK, DENY(9));
	check_path(&c, BULWARK_CLASS_FILE, "/", BULWARK_ACCESS_UNLINK, DENY(9));
	/* Several bits: each must be allowed; the denied one is reported. */
	check_path(&c, BULWARK_CLASS_FILE, "/srv/x", BULWARK_ACCESS_READ | BULWARK_ACCESS_WRITE,
		   DENY(7));
	compiled_free(&c);
}

static void exec_and_file_rules_together(void **state)
{
	struct bulwark_verdict v;
	struct compiled c;

	compile_yaml(&c, POLICY_HEAD("a") UNIT
		     "  exec:\n    default: deny\n    allow:\n      - path: /usr/bin/\n"
		     "  file:\n    default: allow\n    rules:\n"
		     "      - {path: /usr/bin/su, access: [exec], action: deny}\n");
	if (c.diag.errors)
		fail_msg("%s", c.errors);
	assert_int_equal(bulwark_decide_exec(&c.image, 0, "/usr/bin/id", 11, NULL, &v), 0);
	assert_int_equal(v.action, BULWARK_ALLOW);
	assert_int_equal(v.rule_id, 1);
	assert_int_equal(bulwark_decide_exec(&c.image, 0, "/usr/bin/su", 11, NULL, &v), 0);
	assert_int_equal(v.action, BULWARK_DENY);
	assert_int_equal(v.rule_id, 2);
	assert_int_equal(v.class, BULWARK_CLASS_FILE);
	assert_int_equal(bulwark_decide_exec(&c.image, 0, "/tmp/x", 6, NULL, &v), 0);
	assert_int_equal(v.action, BULWARK_DENY);
	assert_true(v.by_default);
	assert_int_equal(v.class, BULWARK_CLASS_EXEC);
	compiled_free(&c);
}

static void pinned_digest(void **state)
{
	uint8_t digest[32], other[32] = {0};
	char yaml[1024], hex[65];
	struct bulwark_verdict v;
	struct compiled c;
	int i;

	assert_int_equal(sha256_file("/usr/bin/env", digest), 0);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
	snprintf(yaml, sizeof(yaml),
		 POLICY_HEAD("a") UNIT
		 "  exec:\n    default: deny\n    allow:\n"
		 "      - path: /usr/bin/env\n        sha256: %s\n      - path: /usr/bin/\n",
		 hex);
	compile_yaml(&c, yaml);
	if (c.diag.errors)
		fail_msg("%s", c.errors);
	assert_int_equal(bulwark_decide_exec(&c.image, 0, "/usr/bin/env", 12, digest, &v), 0);
	assert_int_equal(v.action, BULWARK_ALLOW);
	assert_false(v.digest_mismatch);
	/* Changed content: denied by the pinned rule itself, whatever broader rule allows. */
	assert_int_equal(bulwark_decide_exec(&c.image, 0, "/usr/bin/env", 12, other, &v), 0);
	assert_int_equal(v.action, BULWARK_DENY);
	assert_false(v.by_default);
	assert_int_equal(v.rule_id, 1);
	assert_true(v.digest_mismatch);
	assert_int_equal(bulwark_decide_exec(&c.image, 0, "/usr/bin/env", 12, NULL, &v), 0);
	assert_int_equal(v.action, BULWARK_DENY);
	assert_int_equal(v.rule_id, 1);
	/* Another file under the broader rule is unaffected. */
	assert_int_equal(bulwark_decide_exec(&c.image, 0, "/usr/bin/id", 11, NULL, &v), 0);
	assert_int_equal(v.action, BULWARK_ALLOW);
	assert_int_equal(v.rule_id, 2);
	compiled_free(&c);
}

static void two_pins_on_one_path(void **state)
{
	uint8_t first[32], second[32] = {0}, third[32];
	char yaml[1024], hex[65];
	struct bulwark_verdict v;
	struct compiled c;

	assert_int_equal(sha256_file("/usr/bin/env", first), 0);
	memset(third, 0x11, sizeof(third));
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", first[i]);
	snprintf(yaml, sizeof(yaml),
		 POLICY_HEAD("a") UNIT
		 "  exec:\n    default: deny\n    allow:\n"
		 "      - {path: /usr/bin/env, sha256: %s}\n"
		 "      - {path: /usr/bin/env, sha256: "
		 "0000000000000000000000000000000000000000000000000000000000000000}\n",
		 hex);
	compile_yaml(&c, yaml);
	if (c.diag.errors)
		fail_msg("%s", c.errors);
	/* Either version runs (an upgrade in progress); any other content is denied. */
	assert_int_equal(bulwark_decide_exec(&c.image, 0, "/usr/bin/env", 12, first, &v), 0);
	assert_int_equal(v.action, BULWARK_ALLOW);
	assert_int_equal(bulwark_decide_exec(&c.image, 0, "/usr/bin/env", 12, second, &v), 0);
	assert_int_equal(v.action, BULWARK_ALLOW);
	assert_int_equal(bulwark_decide_exec(&c.image, 0, "/usr/bin/env", 12, third, &v), 0);
	assert_int_equal(v.action, BULWARK_DENY);
	assert_true(v.digest_mismatch);
	assert_false(v.by_default);
	compiled_free(&c);
}

static void check_net(struct compiled *c, uint8_t direction, const char *addr_text, uint16_t port,
		      uint8_t protocol, struct expect e)
{
	uint8_t addr[16] = {0}, family = strchr(addr_text, ':') ? 6 : 4;
	struct bulwark_verdict v;

	assert_int_equal(inet_pton(family == 4 ? AF_INET : AF_INET6, addr_text, addr), 1);
	assert_int_equal(
		bulwark_decide_net(&c->image, 0, direction, family, addr, port, protocol, &v), 0);
	if (v.action != e.action || v.by_default != e.by_default || v.rule_id != e.rule_id)
		fail_msg("%s port %u: got %s%s rule %u, expected %s%s rule %u", addr_text, port,
			 action_name(v.action), v.by_default ? " by default" : "", v.rule_id,
			 action_name(e.action), e.by_default ? " by default" : "", e.rule_id);
}

static void network_longest_prefix(void **state)
{
	struct compiled c;

	compile_yaml(&c, POLICY_HEAD("a") UNIT
		     "  network:\n    egress:\n      default: deny\n      allow:\n"
		     "        - {cidr: 10.0.0.0/8, ports: [5432], protocol: tcp}\n" /* 1 */
		     "        - {cidr: 10.1.2.3, protocol: udp}\n" /* 2 */
		     "        - {cidr: \"fd00::/8\", ports: [\"8000-8099\"]}\n" /* 3 */
		     "        - unix: /run/ok.sock\n" /* 4 */
		     "      deny:\n"
		     "        - {cidr: 10.1.0.0/16}\n" /* 5 */
		     "    ingress:\n      default: allow\n      deny:\n"
		     "        - {ports: [\"1-1023\"], protocol: tcp}\n"); /* 6 */
	if (c.diag.errors)
		fail_msg("%s", c.errors);
	check_net(&c, BULWARK_EGRESS, "10.9.9.9", 5432, BULWARK_PROTO_TCP, ALLOW(1));
	check_net(&c, BULWARK_EGRESS, "10.9.9.9", 5433, BULWARK_PROTO_TCP, DEFAULT(BULWARK_DENY));
	check_net(&c, BULWARK_EGRESS, "10.9.9.9", 5432, BULWARK_PROTO_UDP, DEFAULT(BULWARK_DENY));
	check_net(&c, BULWARK_EGRESS, "10.1.9.9", 5432, BULWARK_PROTO_TCP, DENY(5));
	check_net(&c, BULWARK_EGRESS, "10.1.2.3", 53, BULWARK_PROTO_UDP, ALLOW(2));
	check_net(&c, BULWARK_EGRESS, "10.1.2.3", 53, BULWARK_PROTO_TCP, DENY(5));
	check_net(&c, BULWARK_EGRESS, "11.0.0.1", 5432, BULWARK_PROTO_TCP, DEFAULT(BULWARK_DENY));
	check_net(&c, BULWARK_EGRESS, "fd12::1", 8050, BULWARK_PROTO_UDP, ALLOW(3));
	check_net(&c, BULWARK_EGRESS, "fd12::1", 8100, BULWARK_PROTO_UDP, DEFAULT(BULWARK_DENY));
	check_net(&c, BULWARK_EGRESS, "fe80::1", 8050, BULWARK_PROTO_UDP, DEFAULT(BULWARK_DENY));
	check_net(&c, BULWARK_INGRESS, "0.0.0.0", 80, BULWARK_PROTO_TCP, DENY(6));
	check_net(&c, BULWARK_INGRESS, "::", 22, BULWARK_PROTO_TCP, DENY(6));
	check_net(&c, BULWARK_INGRESS, "::", 8080, BULWARK_PROTO_TCP, DEFAULT(BULWARK_ALLOW));
	check_net(&c, BULWARK_INGRESS, "127.0.0.1", 80, BULWARK_PROTO_UDP, DEFAULT(BULWARK_ALLOW));
	/* Unix sockets: rules, then the default of their direction. */
	check_path(&c, BULWARK_CLASS_UNIX, "/run/ok.sock", BULWARK_ACCESS_CONNECT, ALLOW(4));
	check_path(&c, BULWARK_CLASS_UNIX, "/run/other.sock", BULWARK_ACCESS_CONNECT,
		   DEFAULT(BULWARK_DENY));
	check_path(&c, BULWARK_CLASS_UNIX, "/run/other.sock", BULWARK_ACCESS_BIND,
		   DEFAULT(BULWARK_ALLOW));
	compiled_free(&c);
}

static void invalid_requests(void **state)
{
	uint8_t addr[16] = {0};
	struct bulwark_verdict v;
	struct compiled c;

	compile_yaml(&c, POLICY_HEAD("a") UNIT);
	assert_int_equal(bulwark_decide_path(&c.image, 0, BULWARK_CLASS_FILE, "etc", 3,
					     BULWARK_ACCESS_READ, NULL, &v),
			 -EINVAL);
	assert_int_equal(bulwark_decide_path(&c.image, 0, BULWARK_CLASS_FILE, "/a//b", 5,
					     BULWARK_ACCESS_READ, NULL, &v),
			 -EINVAL);
	assert_int_equal(bulwark_decide_path(&c.image, 1, BULWARK_CLASS_FILE, "/a", 2,
					     BULWARK_ACCESS_READ, NULL, &v),
			 -EINVAL);
	assert_int_equal(bulwark_decide_path(&c.image, 0, BULWARK_CLASS_FILE, "/a", 2, 0, NULL, &v),
			 -EINVAL);
	assert_int_equal(
		bulwark_decide_net(&c.image, 0, BULWARK_EGRESS, 5, addr, 1, BULWARK_PROTO_TCP, &v),
		-EINVAL);
	assert_int_equal(
		bulwark_decide_net(&c.image, 0, BULWARK_EGRESS, 4, addr, 1, BULWARK_PROTO_ANY, &v),
		-EINVAL);
	compiled_free(&c);
}

/* Every denied bit is reported (what an event says), the verdict the first denial's. */
static void every_denied_bit_is_reported(void **state)
{
	struct bulwark_verdict v;
	struct compiled c;
	const uint16_t asked = BULWARK_ACCESS_READ | BULWARK_ACCESS_WRITE | BULWARK_ACCESS_TRUNCATE;

	(void)state;
	compile_yaml(&c, POLICY_HEAD("a") UNIT
		     "  file:\n    default: deny\n    rules:\n"
		     "      - {path: /dev/, access: [read], action: allow}\n" /* 1 */
		     "      - {path: /dev/null, access: [truncate], action: deny}\n"); /* 2 */
	if (c.diag.errors)
		fail_msg("%s", c.errors);
	assert_int_equal(bulwark_decide_path(&c.image, 0, BULWARK_CLASS_FILE, "/dev/null", 9, asked,
					     NULL, &v),
			 0);
	assert_int_equal(v.action, BULWARK_DENY);
	assert_int_equal(v.access, BULWARK_ACCESS_WRITE); /* the first denied bit */
	assert_true(v.by_default);
	assert_int_equal(v.denied, BULWARK_ACCESS_WRITE | BULWARK_ACCESS_TRUNCATE);
	assert_int_equal(bulwark_decide_path(&c.image, 0, BULWARK_CLASS_FILE, "/dev/null", 9,
					     BULWARK_ACCESS_READ, NULL, &v),
			 0);
	assert_int_equal(v.action, BULWARK_ALLOW);
	assert_int_equal(v.denied, 0);
	compiled_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_precedence),
		cmocka_unit_test(exec_and_file_rules_together),
		cmocka_unit_test(pinned_digest),
		cmocka_unit_test(two_pins_on_one_path),
		cmocka_unit_test(network_longest_prefix),
		cmocka_unit_test(invalid_requests),
		cmocka_unit_test(every_denied_bit_is_reported),
	};

	return cmocka_run_group_tests_name("decide", tests, NULL, NULL);
}
