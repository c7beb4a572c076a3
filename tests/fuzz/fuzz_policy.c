// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the policy compiler: the input is one YAML policy
 * file, run through the parser and the whole-set checks exactly as
 * `bulwark check` runs them. A file without errors is compiled, and then
 * the compiler's own promises are held to: the image builds, the same set
 * gives the same bytes, the kernel's decoder accepts it, and the decision
 * core answers every request on it consistently.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "diag.h"
#include "exercise.h"
#include "image_write.h"
#include "policy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/*
	 * `package:` entries are expanded from dpkg's database: point it at
	 * nothing so a finding does not depend on what this host has installed
	 * (every package is then "unknown", an error like any other).
	 */
	setenv("BULWARK_DPKG_INFO_DIR", "/nonexistent/bulwark-fuzz/dpkg-info", 1);
	return 0;
}

static void compile_and_decode(const struct policy_set *set)
{
	struct image_buffer img = {0}, again = {0};
	struct bulwark_image image;
	const char *why = NULL;
	int ret;

	ret = image_build(set, &img);
	if (ret == -E2BIG)
		return;
	if (ret)
		fuzz_fail("image_build failed on a set policy_check accepted");
	if (image_build(set, &again) || again.size != img.size ||
	    memcmp(again.data, img.data, img.size))
		fuzz_fail("image_build: the same set gave different bytes");
	free(again.data);

	if (bulwark_image_decode(&image, img.data, img.size, &why)) {
		fprintf(stderr, "fuzz: decoder refuses a freshly built image: %s\n", why);
		abort();
	}
	if (image.policy_count != set->count)
		fuzz_fail("image holds another number of policies than the set");
	fuzz_exercise_image(&image);
	free(img.data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_set set;
	struct diag diag;

	diag_init(&diag, NULL); /* NULL: count errors, print nothing */
	policy_set_init(&set, &diag);
	policy_parse_buffer(&set, "fuzz.yaml", data, size);
	policy_check(&set);
	if (!diag.errors)
		compile_and_decode(&set);
	policy_set_free(&set);
	return 0;
}
