// SPDX-License-Identifier: GPL-2.0
/* Unit tests for controller/sha256.c, controller/policy/selector.c and kmod/core/selector.c. */
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/selector.h"
#include "helpers.h"
#include "selector.h"
#include "uapi/linux/bulwark_image.h"
#include "md5.h"
#include "sha256.h"

static void hex_of(const void *data, size_t len, char out[65])
{
	uint8_t digest[32];
	struct sha256 ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, data, len);
	sha256_final(&ctx, digest);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", digest[i]);
}

static void sha256_vectors(void **state)
{
	char hex[65], *million = malloc(1000000);

	hex_of("", 0, hex);
	assert_string_equal(hex,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hex_of("abc", 3, hex);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex,
			    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', 1000000);
	hex_of(million, 1000000, hex);
	assert_string_equal(hex,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

static void md5_hex_of(const void *data, size_t len, char out[33])
{
	uint8_t digest[MD5_SIZE];
	struct md5 ctx;

	md5_init(&ctx);
	md5_update(&ctx, data, len);
	md5_final(&ctx, digest);
	for (int i = 0; i < MD5_SIZE; i++)
		sprintf(out + 2 * i, "%02x", digest[i]);
}

/* RFC 1321's test suite, and a million bytes fed in uneven pieces. */
static void md5_vectors(void **state)
{
	char hex[33], *million = malloc(1000000);
	struct md5 ctx;
	uint8_t digest[MD5_SIZE];
	size_t done = 0, step = 1;

	md5_hex_of("", 0, hex);
	assert_string_equal(hex, "d41d8cd98f00b204e9800998ecf8427e");
	md5_hex_of("abc", 3, hex);
	assert_string_equal(hex, "900150983cd24fb0d6963f7d28e17f72");
	md5_hex_of("message digest", 14, hex);
	assert_string_equal(hex, "f96b697d7cb7938d525a2f31aaf161d0");
	md5_hex_of("abcdefghijklmnopqrstuvwxyz", 26, hex);
	assert_string_equal(hex, "c3fcd3d76192e4007dfb496cca67e13b");
	md5_hex_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 62, hex);
	assert_string_equal(hex, "d174ab98d277d9f5a5611c2c9f419d9f");
	md5_hex_of("1234567890123456789012345678901234567890123456789012345678901234567890"
		   "1234567890",
		   80, hex);
	assert_string_equal(hex, "57edf4a22be3c955ac49da2e2107b67a");
	memset(million, 'a', 1000000);
	md5_init(&ctx);
	while (done < 1000000) {
		size_t n = step < 1000000 - done ? step : 1000000 - done;

		md5_update(&ctx, million + done, n);
		done += n;
		step = step * 3 % 257 + 1;
	}
	md5_final(&ctx, digest);
	for (int i = 0; i < MD5_SIZE; i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
	assert_string_equal(hex, "7707d6ae4e027c70eea2a935c2296f21");
	free(million);
}

static void selectors(void **state)
{
	const char *cg = "/system.slice/nginx.service/worker";

	assert_int_equal(selector_match_depth(BULWARK_SELECTOR_HOST, NULL, cg), 0);
	assert_int_equal(selector_match_depth(BULWARK_SELECTOR_SYSTEMD_UNIT, "nginx.service", cg),
			 strlen("/system.slice/nginx.service"));
	assert_int_equal(selector_match_depth(BULWARK_SELECTOR_SYSTEMD_UNIT, "system.slice", cg),
			 strlen("/system.slice"));
	assert_int_equal(selector_match_depth(BULWARK_SELECTOR_SYSTEMD_UNIT, "nginx", cg), -1);
	assert_int_equal(selector_match_depth(BULWARK_SELECTOR_CGROUP, "/system.slice/*", cg),
			 strlen("/system.slice/nginx.service"));
	assert_int_equal(selector_match_depth(BULWARK_SELECTOR_CGROUP, "/kubepods/*", cg), -1);
	assert_int_equal(selector_match_depth(BULWARK_SELECTOR_CONTAINER, "0123456789ab",
					      "/system.slice/docker-0123456789abcdef.scope"),
			 strlen("/system.slice/docker-0123456789abcdef.scope"));
	assert_int_equal(selector_match_depth(BULWARK_SELECTOR_CONTAINER, "0123456789ab",
					      "/system.slice/docker-ffff.scope"),
			 -1);
	assert_int_equal(selector_match_depth(BULWARK_SELECTOR_SYSTEMD_UNIT, "a.service", "rel"),
			 -1);
	/* A user's own unit of the same name is not the system's unit. */
	assert_int_equal(selector_match_depth(BULWARK_SELECTOR_SYSTEMD_UNIT, "backup.service",
					      "/user.slice/user-1000.slice/user@1000.service/"
					      "app.slice/backup.service"),
			 -1);
	assert_int_equal(selector_match_depth(BULWARK_SELECTOR_SYSTEMD_UNIT, "session-3.scope",
					      "/user.slice/user-1000.slice/session-3.scope"),
			 strlen("/user.slice/user-1000.slice/session-3.scope"));
	/* Container ids: a prefix of the id, not any substring of the name. */
	assert_int_equal(selector_match_depth(BULWARK_SELECTOR_CONTAINER, "456789abcdef",
					      "/system.slice/docker-0123456789abcdef.scope"),
			 -1);
	assert_int_equal(
		selector_match_depth(BULWARK_SELECTOR_CONTAINER, "0123456789ab",
				     "/kubepods.slice/pod1/cri-containerd-0123456789abcdef.scope"),
		strlen("/kubepods.slice/pod1/cri-containerd-0123456789abcdef.scope"));
	assert_int_equal(selector_match_depth(BULWARK_SELECTOR_CONTAINER, "0123456789ab",
					      "/docker/0123456789abcdef"),
			 strlen("/docker/0123456789abcdef"));
	assert_int_equal(selector_match_depth(BULWARK_SELECTOR_CONTAINER, "0123456789ab",
					      "/user.slice/user-1000.slice/user@1000.service/"
					      "docker-0123456789abcdef.scope"),
			 -1);
}

/* A random normalized cgroup path, or (@glob) a pattern of '*' and '?' too. */
static void random_path(char *buf, size_t size, bool glob)
{
	static const char plain[] = "ab.-", wild[] = "ab.-*?**";
	const char *set = glob ? wild : plain;
	size_t n = 0, comps = 1 + (size_t)rand() % 3, c, k, len;

	for (c = 0; c < comps && n + 8 < size; c++) {
		buf[n++] = '/';
		len = 1 + (size_t)rand() % 5;
		for (k = 0; k < len; k++)
			buf[n++] =
				set[(size_t)rand() % (glob ? sizeof(wild) - 1 : sizeof(plain) - 1)];
	}
	buf[n] = '\0';
}

/* The kernel's glob (core/selector.c) is fnmatch(3) with FNM_PATHNAME on '*' and '?'. */
static void globs_agree_with_fnmatch(void **state)
{
	char pat[64], path[64];
	int i, hits = 0;

	(void)state;
	srand(1);
	for (i = 0; i < 200000; i++) {
		bool ours, libc;

		random_path(pat, sizeof(pat), true);
		random_path(path, sizeof(path), false);
		ours = bulwark_selector_names(BULWARK_SELECTOR_CGROUP, pat, path, strlen(path));
		libc = !fnmatch(pat, path, FNM_PATHNAME);
		if (ours != libc)
			fail_msg("'%s' on '%s': core says %d, fnmatch %d", pat, path, ours, libc);
		hits += ours;
	}
	/* Both outcomes were tried, many times. */
	assert_true(hits > 1000 && hits < 199000);
	assert_true(bulwark_glob_component("a*b*c", 5, "aXbYbc", 6));
	assert_false(bulwark_glob_component("a*b*c", 5, "aXbYb", 5));
	assert_true(bulwark_glob_component("*", 1, "", 0));
	assert_false(bulwark_selector_names(BULWARK_SELECTOR_CGROUP, "/", "/", 1));
	assert_false(bulwark_selector_names(BULWARK_SELECTOR_CGROUP, "/*", "/a/b", 4));
}

static void unit_cgroups(void **state)
{
	char buf[256];

	selector_unit_cgroup("nginx.service", buf, sizeof(buf));
	assert_string_equal(buf, "/system.slice/nginx.service");
	selector_unit_cgroup("machine.slice", buf, sizeof(buf));
	assert_string_equal(buf, "/machine.slice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_vectors), cmocka_unit_test(md5_vectors),
		cmocka_unit_test(selectors),	  cmocka_unit_test(globs_agree_with_fnmatch),
		cmocka_unit_test(unit_cgroups),
	};

	return cmocka_run_group_tests_name("sha256_selector", tests, NULL, NULL);
}
