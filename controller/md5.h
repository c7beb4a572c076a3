/* SPDX-License-Identifier: GPL-2.0 */
/* MD5 (RFC 1321): only to compare files with dpkg's md5sums, never as a pin. */
#ifndef BULWARK_MD5_H
#define BULWARK_MD5_H

#include <stddef.h>
#include <stdint.h>

#define MD5_SIZE 16

struct md5 {
	uint32_t state[4];
	uint64_t length;
	uint8_t block[64];
	size_t used;
};

void md5_init(struct md5 *ctx);
void md5_update(struct md5 *ctx, const void *data, size_t len);
void md5_final(struct md5 *ctx, uint8_t digest[MD5_SIZE]);

#endif /* BULWARK_MD5_H */
