/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BULWARK_SHA256_H
#define BULWARK_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t state[8];
	uint64_t length;
	uint8_t block[64];
	size_t used;
};

void sha256_init(struct sha256 *ctx);
void sha256_update(struct sha256 *ctx, const void *data, size_t len);
void sha256_final(struct sha256 *ctx, uint8_t digest[32]);
/* Digest of a whole file; 0 or -errno. */
/* The sha256 of what is left to read from @fd; 0 or -errno. */
int sha256_fd(int fd, uint8_t digest[32]);
int sha256_file(const char *path, uint8_t digest[32]);

#endif /* BULWARK_SHA256_H */
