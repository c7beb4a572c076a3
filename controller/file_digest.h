/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sha256 and md5 of files, hashed once per identity: a file whose
 * device, inode, size, ctime and mtime are what they were when it was
 * hashed is not read again. The digests are remembered in
 * BULWARK_DIGEST_CACHE, a file only root writes, on a tmpfs so every boot
 * starts from the files' contents (a disk changed while the host was off
 * can carry any ctime).
 */
#ifndef BULWARK_FILE_DIGEST_H
#define BULWARK_FILE_DIGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "md5.h"

#define BULWARK_DIGEST_CACHE "/run/bulwark/digests"

struct file_digests {
	uint8_t sha256[32];
	uint8_t md5[MD5_SIZE];
};

/*
 * The digests of the open regular file @fd, from its current offset 0.
 * Returns 0 or -errno; -EREMOTE for a file on FUSE, whose server chooses
 * what each read returns, and its inode's number and times: no digest
 * holds for it past the read that made it, so none is given.
 */
int file_digests_fd(int fd, struct file_digests *out);

/* The sha256 of @fd, by file_digests_fd(). */
int file_digest_sha256(int fd, uint8_t sha256[32]);

/* Writes what was hashed since the cache was read, if anything; errors are ignored. */
void file_digests_save(void);

#endif /* BULWARK_FILE_DIGEST_H */
