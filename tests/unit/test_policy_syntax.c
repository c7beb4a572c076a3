// SPDX-License-Identifier: GPL-2.0
/* Unit tests for controller/policy/policy_syntax.c: the lexical pieces of the policy language. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "helpers.h"
#include "policy_syntax.h"

static void path_forms(void **state)
{
	struct syntax_path p;

	assert_null(syntax_path("/usr/bin/bash", &p));
	assert_int_equal(p.match, BULWARK_MATCH_EXACT);
	assert_string_equal(p.path, "/usr/bin/bash");
	assert_null(p.pattern);
	free(p.path);

	assert_null(syntax_path("/var/www/", &p));
	assert_int_equal(p.match, BULWARK_MATCH_SUBTREE);
	assert_string_equal(p.path, "/var/www");
	free(p.path);

	assert_null(syntax_path("/var/www/**", &p));
	assert_int_equal(p.match, BULWARK_MATCH_SUBTREE);
	assert_string_equal(p.path, "/var/www");
	free(p.path);

	assert_null(syntax_path("/", &p));
	assert_int_equal(p.match, BULWARK_MATCH_SUBTREE);
	assert_string_equal(p.path, "/");
	free(p.path);

	assert_null(syntax_path("/**", &p));
	assert_int_equal(p.match, BULWARK_MATCH_SUBTREE);
	assert_string_equal(p.path, "/");
	free(p.path);

	assert_null(syntax_path("/etc/*.conf", &p));
	assert_int_equal(p.match, BULWARK_MATCH_GLOB);
	assert_string_equal(p.path, "/etc");
	assert_string_equal(p.pattern, "*.conf");
	free(p.path);
	free(p.pattern);

	assert_null(syntax_path("/lib*", &p));
	assert_int_equal(p.match, BULWARK_MATCH_GLOB);
	assert_string_equal(p.path, "/");
	assert_string_equal(p.pattern, "lib*");
	free(p.path);
	free(p.pattern);
}

static void path_errors(void **state)
{
	struct syntax_path p;

	assert_string_equal(syntax_path("usr/bin", &p), "not an absolute path");
	assert_non_null(strstr(syntax_path("/usr/b?n", &p), "only '*' and '**'"));
	assert_non_null(strstr(syntax_path("/usr/[ab]in", &p), "only '*' and '**'"));
	assert_non_null(strstr(syntax_path("/usr/*/bin", &p), "last component"));
	assert_non_null(strstr(syntax_path("/usr/*/", &p), "last component"));
	assert_non_null(strstr(syntax_path("/usr/a*b*", &p), "only one '*'"));
	assert_non_null(strstr(syntax_path("/usr/**.so", &p), "only one '*'"));
	assert_non_null(strstr(syntax_path("/usr//bin", &p), "not normalized"));
	assert_non_null(strstr(syntax_path("/usr/./bin", &p), "not normalized"));
	assert_non_null(strstr(syntax_path("/usr/../bin", &p), "not normalized"));
	assert_non_null(strstr(syntax_path("/usr/bin/..", &p), "not normalized"));
	assert_non_null(strstr(syntax_path("/usr/../*.so", &p), "not normalized"));
}

static void path_too_long(void **state)
{
	char *long_path = malloc(BULWARK_PATH_MAX + 1);
	struct syntax_path p;

	memset(long_path, 'a', BULWARK_PATH_MAX);
	long_path[0] = '/';
	long_path[BULWARK_PATH_MAX] = '\0';
	assert_non_null(strstr(syntax_path(long_path, &p), "longer than"));
	long_path[BULWARK_PATH_MAX - 1] = '\0';
	assert_null(syntax_path(long_path, &p));
	free(p.path);
	free(long_path);
}

static void cidrs(void **state)
{
	uint8_t family, addr[16], len;

	assert_null(syntax_cidr("10.0.0.0/8", &family, addr, &len));
	assert_int_equal(family, 4);
	assert_int_equal(len, 8);
	assert_int_equal(addr[0], 10);
	assert_null(syntax_cidr("192.168.1.7", &family, addr, &len));
	assert_int_equal(len, 32);
	assert_null(syntax_cidr("0.0.0.0/0", &family, addr, &len));
	assert_int_equal(len, 0);
	assert_null(syntax_cidr("fd00::/8", &family, addr, &len));
	assert_int_equal(family, 6);
	assert_int_equal(len, 8);
	assert_int_equal(addr[0], 0xfd);
	assert_null(syntax_cidr("::1", &family, addr, &len));
	assert_int_equal(len, 128);
	assert_null(syntax_cidr("::/0", &family, addr, &len));

	assert_non_null(strstr(syntax_cidr("10.0.0.1/8", &family, addr, &len), "host bits"));
	assert_non_null(strstr(syntax_cidr("fd00::1/64", &family, addr, &len), "host bits"));
	assert_non_null(strstr(syntax_cidr("10.0.0.0/33", &family, addr, &len), "0 to 32"));
	assert_non_null(strstr(syntax_cidr("::/129", &family, addr, &len), "0 to 128"));
	assert_non_null(strstr(syntax_cidr("10.0.0.0/", &family, addr, &len), "0 to 32"));
	assert_non_null(strstr(syntax_cidr("10.0.0.0/-1", &family, addr, &len), "0 to 32"));
	assert_non_null(strstr(syntax_cidr("10.0.0.0/8x", &family, addr, &len), "0 to 32"));
	assert_non_null(strstr(syntax_cidr("10.0.0/8", &family, addr, &len), "not an IPv4"));
	assert_non_null(strstr(syntax_cidr("example.com", &family, addr, &len), "not an IPv4"));
}

static void ports(void **state)
{
	uint16_t lo, hi;

	assert_null(syntax_port_range("443", &lo, &hi));
	assert_int_equal(lo, 443);
	assert_int_equal(hi, 443);
	assert_null(syntax_port_range("8000-8099", &lo, &hi));
	assert_int_equal(lo, 8000);
	assert_int_equal(hi, 8099);
	assert_null(syntax_port_range("0-65535", &lo, &hi));
	assert_null(syntax_port_range("7-7", &lo, &hi));

	assert_non_null(strstr(syntax_port_range("8099-8000", &lo, &hi), "inverted"));
	assert_non_null(strstr(syntax_port_range("65536", &lo, &hi), "0 to 65535"));
	assert_non_null(strstr(syntax_port_range("-1", &lo, &hi), "range"));
	assert_non_null(strstr(syntax_port_range("http", &lo, &hi), "0 to 65535"));
	assert_non_null(strstr(syntax_port_range("", &lo, &hi), "0 to 65535"));
	assert_non_null(strstr(syntax_port_range("1-", &lo, &hi), "range"));
	assert_non_null(strstr(syntax_port_range("1-2-3", &lo, &hi), "range"));
	assert_non_null(strstr(syntax_port_range("100000", &lo, &hi), "0 to 65535"));
}

static void names_selectors_digests_packages(void **state)
{
	uint8_t digest[32];

	assert_null(syntax_policy_name("web"));
	assert_null(syntax_policy_name("web-1.prod"));
	assert_non_null(syntax_policy_name(""));
	assert_non_null(syntax_policy_name("Web"));
	assert_non_null(syntax_policy_name("-web"));
	assert_non_null(syntax_policy_name("web server"));
	assert_non_null(
		strstr(syntax_policy_name(
			       "a123456789012345678901234567890123456789012345678901234567890123"),
		       "63"));

	assert_null(syntax_selector(BULWARK_SELECTOR_SYSTEMD_UNIT, "nginx.service"));
	assert_null(syntax_selector(BULWARK_SELECTOR_SYSTEMD_UNIT, "postgresql@15-main.service"));
	assert_non_null(syntax_selector(BULWARK_SELECTOR_SYSTEMD_UNIT, "nginx"));
	assert_non_null(syntax_selector(BULWARK_SELECTOR_SYSTEMD_UNIT, "a/b.service"));
	assert_null(syntax_selector(BULWARK_SELECTOR_CGROUP, "/kubepods.slice/*"));
	assert_non_null(syntax_selector(BULWARK_SELECTOR_CGROUP, "kubepods"));
	assert_non_null(syntax_selector(BULWARK_SELECTOR_CGROUP, "/a//b"));
	assert_null(syntax_selector(BULWARK_SELECTOR_CONTAINER, "0123456789abcdef"));
	assert_non_null(syntax_selector(BULWARK_SELECTOR_CONTAINER, "0123"));
	assert_non_null(syntax_selector(BULWARK_SELECTOR_CONTAINER, "0123456789ABCDEF"));
	assert_null(syntax_selector(BULWARK_SELECTOR_HOST, "true"));
	assert_non_null(syntax_selector(BULWARK_SELECTOR_HOST, "false"));

	assert_true(syntax_sha256(
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", digest));
	assert_int_equal(digest[0], 0xe3);
	assert_int_equal(digest[31], 0x55);
	assert_false(syntax_sha256("e3b0", digest));
	assert_false(syntax_sha256(
		"g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", digest));

	assert_true(syntax_package_name("nginx-core"));
	assert_true(syntax_package_name("libc6:amd64"));
	assert_true(syntax_package_name("g++"));
	assert_false(syntax_package_name("Nginx"));
	assert_false(syntax_package_name("a"));
	assert_false(syntax_package_name("../etc"));
}

static void access_and_protocols(void **state)
{
	uint8_t proto;

	assert_int_equal(syntax_access(BULWARK_CLASS_FILE, "read"), BULWARK_ACCESS_READ);
	assert_int_equal(syntax_access(BULWARK_CLASS_FILE, "exec"), BULWARK_ACCESS_EXEC);
	assert_int_equal(syntax_access(BULWARK_CLASS_FILE, "all"), BULWARK_ACCESS_FILE_ALL);
	assert_int_equal(syntax_access(BULWARK_CLASS_FILE, "execute"), 0);
	assert_true(syntax_protocol("tcp", &proto));
	assert_int_equal(proto, BULWARK_PROTO_TCP);
	assert_true(syntax_protocol("icmp", &proto));
	assert_int_equal(proto, BULWARK_PROTO_ICMP);
	assert_false(syntax_protocol("sctp", &proto));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_forms),
		cmocka_unit_test(path_errors),
		cmocka_unit_test(path_too_long),
		cmocka_unit_test(cidrs),
		cmocka_unit_test(ports),
		cmocka_unit_test(names_selectors_digests_packages),
		cmocka_unit_test(access_and_protocols),
	};

	return cmocka_run_group_tests_name("policy_syntax", tests, NULL, NULL);
}
