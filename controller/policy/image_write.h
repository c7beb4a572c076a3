/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BULWARK_IMAGE_WRITE_H
#define BULWARK_IMAGE_WRITE_H

#include <stddef.h>

#include "policy.h"

struct image_buffer {
	void *data; /* 8-byte aligned; free() it */
	size_t size;
};

/*
 * Compiles a checked policy set (policy_check() found no error) into a
 * policy image. The same set gives the same bytes. Returns 0 or -errno
 * (-E2BIG past a limit of the format).
 */
int image_build(const struct policy_set *set, struct image_buffer *out);

/* Writes @image to @path atomically: a temporary file renamed over it. */
int image_write_file(const char *path, const struct image_buffer *image);

/* Reads a whole image file into an 8-byte aligned buffer. */
int image_read_file(const char *path, struct image_buffer *out);

#endif /* BULWARK_IMAGE_WRITE_H */
