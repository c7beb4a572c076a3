// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for what bulwark learn writes (controller/policy/learned.c):
 * the audit events of a run become the smallest policy allowing them, and
 * that policy passes the compiler's checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "learned.h"

static struct bw_event event(uint8_t op, uint8_t class, uint16_t access, const char *object)
{
	struct bw_event e = {
		.op = op, .class = class, .access = access, .verdict = BW_VERDICT_AUDIT};

	snprintf(e.object, sizeof(e.object), "%s", object);
	return e;
}

static struct bw_event net_event(uint8_t op, uint8_t class, const char *addr4, uint16_t port,
				 uint8_t protocol)
{
	struct bw_event e = {.op = op,
			     .class = class,
			     .port = port,
			     .protocol = protocol,
			     .family = BULWARK_FAMILY_INET,
			     .verdict = BW_VERDICT_AUDIT};
	unsigned int a, b, c, d;

	sscanf(addr4, "%u.%u.%u.%u", &a, &b, &c, &d);
	e.addr[0] = a;
	e.addr[1] = b;
	e.addr[2] = c;
	e.addr[3] = d;
	return e;
}

/* Files in /usr/bin and the C library are "installed by dpkg" here. */
static const char *fake_owner(const char *path, void *arg)
{
	(void)arg;
	if (!strncmp(path, "/usr/bin/", 9))
		return "coreutils";
	if (!strcmp(path, "/usr/lib/x86_64-linux-gnu/libc.so.6"))
		return "libc6";
	return NULL;
}

static char *write_policy(struct learned *l, const char *selector, uint8_t kind)
{
	struct learned_header h = {.name = "web-learned",
				   .selector_kind = kind,
				   .selector = selector,
				   .what = "a test"};
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	assert_int_equal(learned_write(l, &h, fake_owner, NULL, out), 0);
	fclose(out);
	return text;
}

static void add(struct learned *l, struct bw_event e)
{
	assert_int_equal(learned_add(l, &e), 0);
}

static const struct bulwark_image_path_rule *find_rule(const struct bulwark_image *image,
						       uint8_t class, const char *path)
{
	__u32 i;

	for (i = 0; i < image->path_rule_count; i++) {
		const struct bulwark_image_path_rule *r = &image->path_rules[i];

		if (r->class == class && !strcmp(bulwark_image_string(image, r->path), path))
			return r;
	}
	return NULL;
}

static void a_run_becomes_a_policy_that_compiles(void **state)
{
	struct learned *l = learned_new();
	const struct bulwark_image_path_rule *r;
	char cut[BW_OBJECT_MAX];
	struct compiled c;
	char *text;

	(void)state;
	add(l, event(BW_OP_EXEC, BULWARK_CLASS_EXEC, BULWARK_ACCESS_EXEC, "/usr/bin/cat"));
	add(l, event(BW_OP_EXEC, BULWARK_CLASS_EXEC, BULWARK_ACCESS_EXEC, "/usr/bin/ls"));
	add(l, event(BW_OP_MMAP, BULWARK_CLASS_EXEC, BULWARK_ACCESS_EXEC,
		     "/usr/lib/x86_64-linux-gnu/libc.so.6"));
	add(l, event(BW_OP_EXEC, BULWARK_CLASS_EXEC, BULWARK_ACCESS_EXEC, "/srv/app/bin/server"));
	add(l, event(BW_OP_OPEN, BULWARK_CLASS_FILE, BULWARK_ACCESS_READ, "/srv/data/a"));
	add(l, event(BW_OP_OPEN, BULWARK_CLASS_FILE, BULWARK_ACCESS_WRITE | BULWARK_ACCESS_CREATE,
		     "/srv/data/b"));
	add(l, event(BW_OP_OPEN, BULWARK_CLASS_FILE, BULWARK_ACCESS_READ, "/proc/4242/status"));
	add(l, event(BW_OP_OPEN, BULWARK_CLASS_FILE, BULWARK_ACCESS_READ, "/proc/self/maps"));
	add(l, event(BW_OP_OPEN, BULWARK_CLASS_FILE, BULWARK_ACCESS_READ,
		     "/srv/with \"quote\" and: colon/f"));
	add(l, event(BW_OP_CONNECT, BULWARK_CLASS_UNIX, BULWARK_ACCESS_CONNECT, "/run/app.sock"));
	add(l, net_event(BW_OP_CONNECT, BULWARK_CLASS_EGRESS, "10.1.2.3", 443, BULWARK_PROTO_TCP));
	add(l, net_event(BW_OP_CONNECT, BULWARK_CLASS_EGRESS, "10.1.2.3", 80, BULWARK_PROTO_TCP));
	add(l, net_event(BW_OP_SENDMSG, BULWARK_CLASS_EGRESS, "10.1.2.4", 53, BULWARK_PROTO_UDP));
	add(l, net_event(BW_OP_BIND, BULWARK_CLASS_INGRESS, "0.0.0.0", 8080, BULWARK_PROTO_TCP));
	add(l, event(BW_OP_OPEN, BULWARK_CLASS_FILE, BULWARK_ACCESS_READ, "/usr/share"));
	add(l, event(BW_OP_MOUNT, BULWARK_CLASS_FILE, BW_ACCESS_OPERATION, "/mnt"));
	/* A name a rule cannot hold, in a directory a glob can: the glob covers it. */
	add(l, event(BW_OP_OPEN, BULWARK_CLASS_FILE, BULWARK_ACCESS_READ, "/srv/a*b"));
	/* What no rule can name: a directory not in UTF-8, a path the kernel cut, "/" itself. */
	add(l, event(BW_OP_OPEN, BULWARK_CLASS_FILE, BULWARK_ACCESS_READ, "/srv/\xff/x"));
	memset(cut, 'a', sizeof(cut));
	cut[0] = '/';
	cut[sizeof(cut) - 1] = 0;
	add(l, event(BW_OP_OPEN, BULWARK_CLASS_FILE, BULWARK_ACCESS_READ, cut));
	add(l, event(BW_OP_OPEN, BULWARK_CLASS_FILE, BULWARK_ACCESS_READ, "/"));
	/* A protocol no rule names. */
	add(l, net_event(BW_OP_CONNECT, BULWARK_CLASS_EGRESS, "10.1.2.5", 9, 0xff));
	assert_int_equal(learned_count(l), 21);

	text = write_policy(l, "web.service", BULWARK_SELECTOR_SYSTEMD_UNIT);
	compile_yaml(&c, text);
	if (c.diag.errors)
		fail_msg("the learned policy does not compile:\n%s\n%s", c.errors, text);
	assert_int_equal(c.image.policy_count, 1);
	assert_int_equal(c.image.policies[0].mode, BULWARK_MODE_ENFORCE);
	/* Exec by package where dpkg owns the file, else by path; packages expand. */
	assert_non_null(strstr(text, "- package: coreutils\n"));
	assert_non_null(strstr(text, "- package: libc6\n"));
	assert_null(strstr(text, "\"/usr/bin/cat\""));
	assert_non_null(find_rule(&c.image, BULWARK_CLASS_EXEC, "/srv/app/bin/server"));
	/* File rules by directory (its entries, not below), with the union of what was done there.
	 */
	r = find_rule(&c.image, BULWARK_CLASS_FILE, "/srv/data");
	assert_non_null(r);
	assert_int_equal(r->match, BULWARK_MATCH_GLOB);
	assert_string_equal(bulwark_image_string(&c.image, r->pattern), "*");
	assert_int_equal(r->access,
			 BULWARK_ACCESS_READ | BULWARK_ACCESS_WRITE | BULWARK_ACCESS_CREATE);
	assert_int_equal(r->action, BULWARK_ALLOW);
	r = find_rule(&c.image, BULWARK_CLASS_FILE, "/srv/app/bin");
	assert_non_null(r);
	assert_int_equal(r->access, BULWARK_ACCESS_READ | BULWARK_ACCESS_EXEC);
	/* A process's own /proc/PID changes each run. */
	r = find_rule(&c.image, BULWARK_CLASS_FILE, "/proc");
	assert_non_null(r);
	assert_int_equal(r->match, BULWARK_MATCH_SUBTREE);
	assert_null(strstr(text, "/proc/4242/\""));
	assert_non_null(find_rule(&c.image, BULWARK_CLASS_FILE, "/srv/with \"quote\" and: colon"));
	assert_non_null(find_rule(&c.image, BULWARK_CLASS_UNIX, "/run/app.sock"));
	/* A directory it opened (to list it) is that directory alone. */
	r = find_rule(&c.image, BULWARK_CLASS_FILE, "/usr/share");
	assert_non_null(r);
	assert_int_equal(r->match, BULWARK_MATCH_EXACT);
	/* Network by address, ports and protocol. */
	/* 10.1.2.3 on two ports, 10.1.2.4 on one, 8080 on IPv4 and IPv6. */
	assert_int_equal(c.image.net_rule_count, 5);
	assert_non_null(strstr(text, "- cidr: \"10.1.2.3\"\n          protocol: tcp\n"
				     "          ports: [80, 443]\n"));
	assert_non_null(strstr(text, "- protocol: tcp\n          ports: [8080]\n"));
	/* What no rule allows, and what no rule can name, are said, not dropped. */
	assert_non_null(strstr(text, "mount 1"));
	assert_non_null(strstr(text, "connect 1"));
	assert_non_null(strstr(text, "3 operations on paths no rule can name"));
	assert_non_null(find_rule(&c.image, BULWARK_CLASS_FILE, "/srv"));
	assert_null(strstr(text, "\"/*\""));
	compiled_free(&c);
	free(text);
	learned_free(l);
}

static void nothing_seen_is_deny_all(void **state)
{
	struct learned *l = learned_new();
	struct compiled c;
	char *text;

	(void)state;
	text = write_policy(l, "/learn/test", BULWARK_SELECTOR_CGROUP);
	compile_yaml(&c, text);
	if (c.diag.errors)
		fail_msg("does not compile:\n%s\n%s", c.errors, text);
	assert_int_equal(c.image.path_rule_count, 0);
	assert_int_equal(c.image.net_rule_count, 0);
	assert_non_null(strstr(text, "    cgroup: \"/learn/test\"\n"));
	compiled_free(&c);
	free(text);
	learned_free(l);
}

static void the_same_run_gives_the_same_file(void **state)
{
	struct learned *a = learned_new(), *b = learned_new();
	char *ta, *tb;

	(void)state;
	add(a, event(BW_OP_OPEN, BULWARK_CLASS_FILE, BULWARK_ACCESS_READ, "/srv/z/1"));
	add(a, event(BW_OP_OPEN, BULWARK_CLASS_FILE, BULWARK_ACCESS_READ, "/srv/a/1"));
	add(b, event(BW_OP_OPEN, BULWARK_CLASS_FILE, BULWARK_ACCESS_READ, "/srv/a/1"));
	add(b, event(BW_OP_OPEN, BULWARK_CLASS_FILE, BULWARK_ACCESS_READ, "/srv/z/1"));
	ta = write_policy(a, "web.service", BULWARK_SELECTOR_SYSTEMD_UNIT);
	tb = write_policy(b, "web.service", BULWARK_SELECTOR_SYSTEMD_UNIT);
	assert_true(strstr(ta, "/srv/a/*") < strstr(ta, "/srv/z/*"));
	assert_true(strstr(tb, "/srv/a/*") < strstr(tb, "/srv/z/*"));
	free(ta);
	free(tb);
	learned_free(a);
	learned_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_run_becomes_a_policy_that_compiles),
		cmocka_unit_test(nothing_seen_is_deny_all),
		cmocka_unit_test(the_same_run_gives_the_same_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
