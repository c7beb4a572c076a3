// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the policy image decoder, which the kernel runs on
 * whatever arrives over netlink, and for the decision core and the
 * translation into the BPF backend's map entries on every image the
 * decoder accepts.
 *
 * A mutated image almost never keeps a valid CRC-32C or header size, so the
 * decoder would stop at the checksum and the fuzzer would never reach the
 * section, rule and index checks. Each input is therefore decoded twice:
 * as it is (so rejecting bad checksums and sizes stays covered), then with
 * image_size and checksum fixed up, as a buggy or hostile compiler would
 * produce it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/decide.h"
#include "core/image.h"
#include "exercise.h"
#include "translate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_entry(void *ctx, enum bw_map map, const void *key, const void *value)
{
	(*(unsigned long *)ctx)++;
	return 0;
}

static int no_file(void *ctx, const char *path, const __u8 *pins, size_t npins,
		   struct bw_admission *id, int *pin)
{
	*pin = -1;
	return -ENOENT;
}

/* The BPF backend's translation must accept or refuse, never misbehave. */
static void translate(const struct bulwark_image *image)
{
	unsigned long entries = 0;
	__u32 glob_next = 0, net_next = 0;
	struct translation t = {
		.image = image,
		.slot = 1,
		.seed = 0x5eed,
		.glob_next = &glob_next,
		.net_next = &net_next,
		.put = count_entry,
		.identify = no_file,
		.ctx = &entries,
	};
	int ret = translate_image(&t);

	if (ret && ret != -E2BIG && ret != -EINVAL)
		fuzz_fail("translate: error outside the documented set");
	if (ret && !t.why[0] && ret != -EINVAL)
		fuzz_fail("translate: failed without saying why");
}

static void decode(const void *buf, size_t size)
{
	struct bulwark_image image;
	const char *why = NULL;
	int ret;

	ret = bulwark_image_decode(&image, buf, size, &why);
	if (ret) {
		if (ret != -EINVAL && ret != -EPROTO && ret != -EBADMSG && ret != -E2BIG)
			fuzz_fail("decode: error outside the documented set");
		if (!why)
			fuzz_fail("decode: failed without saying why");
		return;
	}
	if (image.base != buf || image.size != size)
		fuzz_fail("decode: image does not view the caller's buffer");
	fuzz_exercise_image(&image);
	translate(&image);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bulwark_image_header *header;
	uint64_t *buf;

	/*
	 * The decoder refuses buffers that are not 8-byte aligned, and libFuzzer's
	 * are not. malloc() aligns to 16; an exact size keeps ASan's redzone
	 * right after the last byte.
	 */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	decode(buf, size);

	if (size >= sizeof(*header)) {
		header = (void *)buf;
		header->image_size = size;
		header->checksum = 0;
		header->checksum = bulwark_crc32c(0, buf, size);
		if (memcmp(buf, data, size))
			decode(buf, size);
	}
	free(buf);
	return 0;
}
