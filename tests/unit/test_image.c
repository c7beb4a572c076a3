// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the image decoder (kmod/core/image.c), which the kernel
 * runs on whatever arrives over netlink: every corruption is refused with
 * its errno, and none makes it read out of bounds (ASan watches).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "helpers.h"

#define POLICY                                                                                     \
	POLICY_HEAD("a")                                                                           \
	"  selector:\n    systemdUnit: x.service\n"                                                \
	"  exec:\n    default: deny\n    allow:\n      - path: /usr/bin/\n"                        \
	"      - path: /usr/sbin/nginx\n"                                                          \
	"        sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"       \
	"  file:\n    default: allow\n    rules:\n"                                                \
	"      - {path: /etc/shadow, access: [read], action: deny}\n"                              \
	"      - {path: /etc/*.conf, access: [write], action: deny}\n"                             \
	"  network:\n    egress:\n      default: deny\n      allow:\n"                             \
	"        - {cidr: 10.0.0.0/8, ports: [5432], protocol: tcp}\n"

struct fixture {
	struct compiled c;
	uint8_t *copy;
	size_t size;
	struct bulwark_image_header *header;
	struct bulwark_image_section *sections;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	compile_yaml(&f->c, POLICY);
	if (f->c.diag.errors)
		fail_msg("%s", f->c.errors);
	f->size = f->c.buffer.size;
	f->copy = aligned_alloc(8, (f->size + 8) & ~7ul);
	memcpy(f->copy, f->c.buffer.data, f->size);
	f->header = (void *)f->copy;
	f->sections = (void *)(f->copy + sizeof(*f->header));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	compiled_free(&f->c);
	free(f->copy);
	free(f);
	return 0;
}

/* Recomputes the checksum so the decoder looks past it at the corruption. */
static void reseal(struct fixture *f)
{
	f->header->checksum = 0;
	f->header->checksum = bulwark_crc32c(0, f->copy, f->size);
}

static void expect_rejected(struct fixture *f, int err, const char *why_part)
{
	struct bulwark_image image;
	const char *why = "";

	assert_int_equal(bulwark_image_decode(&image, f->copy, f->size, &why), -err);
	if (!strstr(why, why_part))
		fail_msg("expected a reason containing '%s', got '%s'", why_part, why);
	/* Nothing of a rejected image stays visible. */
	assert_null(image.base);
	memcpy(f->copy, f->c.buffer.data, f->size);
}

static void *section(struct fixture *f, int which)
{
	return f->copy + f->sections[which].offset;
}

static void valid_image_decodes(void **state)
{
	struct fixture *f = *state;
	struct bulwark_image image;
	const char *why = "";

	assert_int_equal(bulwark_image_decode(&image, f->copy, f->size, &why), 0);
	assert_int_equal(image.policy_count, 1);
	assert_int_equal(image.path_rule_count, 4);
	assert_int_equal(image.net_rule_count, 1);
	assert_int_equal(image.digest_count, 1);
}

static void header_corruptions(void **state)
{
	struct fixture *f = *state;

	f->copy[0] ^= 1;
	expect_rejected(f, EINVAL, "bad magic");
	f->header->abi_version = 2;
	expect_rejected(f, EPROTO, "another ABI");
	f->copy[f->size - 1] ^= 0x40;
	expect_rejected(f, EBADMSG, "checksum");
	f->header->flags = 1;
	reseal(f);
	expect_rejected(f, EINVAL, "flags");
	f->header->reserved[23] = 1;
	reseal(f);
	expect_rejected(f, EINVAL, "reserved");
	f->header->image_size += 8;
	reseal(f);
	expect_rejected(f, EINVAL, "image size");
	f->header->section_count = 6;
	reseal(f);
	expect_rejected(f, EINVAL, "section count");
}

static void every_truncation_is_refused(void **state)
{
	struct fixture *f = *state;
	struct bulwark_image image;
	const char *why;
	size_t len;

	for (len = 0; len < f->size; len++) {
		uint8_t *part = aligned_alloc(8, (len + 8) & ~7ul);

		memcpy(part, f->copy, len);
		assert_int_not_equal(bulwark_image_decode(&image, part, len, &why), 0);
		free(part);
	}
}

static void section_corruptions(void **state)
{
	struct fixture *f = *state;

	f->sections[BULWARK_SECTION_POLICIES].offset += 8;
	reseal(f);
	expect_rejected(f, EINVAL, "section not where the previous one ends");
	f->sections[BULWARK_SECTION_PATH_RULES].count++;
	reseal(f);
	expect_rejected(f, EINVAL, "section size does not match");
	f->sections[BULWARK_SECTION_NET_INDEX].size += 4;
	f->sections[BULWARK_SECTION_NET_INDEX].count += 1;
	reseal(f);
	expect_rejected(f, EINVAL, "runs past the end");
	f->sections[BULWARK_SECTION_DIGESTS].reserved = 1;
	reseal(f);
	expect_rejected(f, EINVAL, "reserved");
	((char *)section(f, BULWARK_SECTION_STRINGS))[0] = 'x';
	reseal(f);
	expect_rejected(f, EINVAL, "string table");
}

static void policy_corruptions(void **state)
{
	struct fixture *f = *state;
	struct bulwark_image_policy *p = section(f, BULWARK_SECTION_POLICIES);

	p->name = f->sections[BULWARK_SECTION_STRINGS].count;
	reseal(f);
	expect_rejected(f, EINVAL, "policy name");
	p->mode = 9;
	reseal(f);
	expect_rejected(f, EINVAL, "selector kind or mode");
	p->selector = 0;
	reseal(f);
	expect_rejected(f, EINVAL, "policy selector");
	p->defaults[BULWARK_CLASS_FILE] = 2;
	reseal(f);
	expect_rejected(f, EINVAL, "default action");
	p->defaults[BULWARK_CLASS_UNIX] = 1;
	reseal(f);
	expect_rejected(f, EINVAL, "unused unix class");
	p->egress_v4_prefixes |= 1ull << 40;
	reseal(f);
	expect_rejected(f, EINVAL, "reserved bits");
}

static void rule_corruptions(void **state)
{
	struct fixture *f = *state;
	struct bulwark_image_path_rule *r = section(f, BULWARK_SECTION_PATH_RULES);
	struct bulwark_image_net_rule *n = section(f, BULWARK_SECTION_NET_RULES);
	char *strings = section(f, BULWARK_SECTION_STRINGS);

	r[0].policy = 1;
	reseal(f);
	expect_rejected(f, EINVAL, "policy that does not exist");
	r[0].class = BULWARK_CLASS_EGRESS;
	reseal(f);
	expect_rejected(f, EINVAL, "class, match or action");
	r[0].access = 0;
	reseal(f);
	expect_rejected(f, EINVAL, "access bits");
	r[0].digest = 7;
	reseal(f);
	expect_rejected(f, EINVAL, "digest");
	r[0].path = f->sections[BULWARK_SECTION_STRINGS].count + 100;
	reseal(f);
	expect_rejected(f, EINVAL, "not an absolute, normalized path");
	/* "/usr/bin" -> "/usr//in": a path the compiler would never write. */
	strings[r[0].path + 5] = '/';
	reseal(f);
	expect_rejected(f, EINVAL, "normalized");
	/* Swap two rules: the table is no longer sorted by key. */
	struct bulwark_image_path_rule tmp = r[0];

	r[0] = r[3];
	r[3] = tmp;
	reseal(f);
	expect_rejected(f, EINVAL, "not sorted");

	n[0].addr[3] = 1;
	reseal(f);
	expect_rejected(f, EINVAL, "host bits");
	n[0].prefix_len = 33;
	reseal(f);
	expect_rejected(f, EINVAL, "prefix length too long");
	n[0].port_min = 6000;
	reseal(f);
	expect_rejected(f, EINVAL, "port range");
	n[0].prefix_len = 9;
	n[0].addr[1] = 0;
	reseal(f);
	expect_rejected(f, EINVAL, "missing from its policy's prefix set");
	n[0].family = 5;
	reseal(f);
	expect_rejected(f, EINVAL, "family");
}

static void index_corruptions(void **state)
{
	struct fixture *f = *state;
	uint32_t *index = section(f, BULWARK_SECTION_PATH_INDEX);
	uint32_t slots = f->sections[BULWARK_SECTION_PATH_INDEX].count, i, used = 0;

	for (i = 0; i < slots; i++)
		used += !!index[i];
	assert_int_equal(used, 4);
	/* Drop one run from the index: the rule would silently never apply. */
	for (i = 0; !index[i]; i++)
		;
	index[i] = 0;
	reseal(f);
	expect_rejected(f, EINVAL, "exactly one slot per run");
	/* Point a run's slot somewhere a lookup for it never reaches. */
	for (i = 0; !index[i]; i++)
		;
	uint32_t value = index[i], j = (i + slots / 2) % slots;

	while (index[j])
		j = (j + 1) % slots;
	index[i] = 0;
	index[j] = value;
	reseal(f);
	assert_int_not_equal(bulwark_image_decode(&(struct bulwark_image){0}, f->copy, f->size,
						  &(const char *){NULL}),
			     0);
	memcpy(f->copy, f->c.buffer.data, f->size);
}

static void unaligned_buffer_is_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t *shifted = malloc(f->size + 1);
	struct bulwark_image image;
	const char *why = "";

	memcpy(shifted + 1, f->copy, f->size);
	assert_int_equal(bulwark_image_decode(&image, shifted + 1, f->size, &why), -EINVAL);
	assert_non_null(strstr(why, "aligned"));
	free(shifted);
}

/* Random damage with a valid checksum: refused or decoded, never a crash. */
static void random_corruptions(void **state)
{
	struct fixture *f = *state;
	struct bulwark_image image;
	struct bulwark_verdict v;
	const char *why;
	unsigned int seed = 1, i, rejected = 0;

	for (i = 0; i < 20000; i++) {
		size_t at = sizeof(*f->header) + rand_r(&seed) % (f->size - sizeof(*f->header));

		f->copy[at] ^= 1 << (rand_r(&seed) % 8);
		reseal(f);
		if (bulwark_image_decode(&image, f->copy, f->size, &why)) {
			rejected++;
		} else {
			bulwark_decide_exec(&image, 0, "/usr/bin/id", 11, NULL, &v);
			bulwark_decide_path(&image, 0, BULWARK_CLASS_FILE, "/etc/a.conf", 11,
					    BULWARK_ACCESS_FILE_ALL, NULL, &v);
		}
		memcpy(f->copy, f->c.buffer.data, f->size);
	}
	/* Most single-bit flips change meaning or shape and must be caught. */
	assert_true(rejected > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(valid_image_decodes, setup, teardown),
		cmocka_unit_test_setup_teardown(header_corruptions, setup, teardown),
		cmocka_unit_test_setup_teardown(every_truncation_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(section_corruptions, setup, teardown),
		cmocka_unit_test_setup_teardown(policy_corruptions, setup, teardown),
		cmocka_unit_test_setup_teardown(rule_corruptions, setup, teardown),
		cmocka_unit_test_setup_teardown(index_corruptions, setup, teardown),
		cmocka_unit_test_setup_teardown(unaligned_buffer_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(random_corruptions, setup, teardown),
	};

	return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
