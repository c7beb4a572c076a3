// SPDX-License-Identifier: GPL-2.0
/*
 * Whether the files an image admits by identity are still the files that
 * were admitted: the identity (device, inode, ctime) of every path a
 * sha256-pinned exact exec rule names (`trust: dpkg` files, `sha256:`
 * entries), folded into one value. A reload whose image is unchanged
 * installs it again when this value moved (dpkg reinstalled a file, a
 * trusted file was replaced), so the new files are admitted or denied by
 * the rules, not left denied by an identity that is gone.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "core/image.h"
#include "daemon.h"

static uint64_t fold(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ull; /* FNV-1a, 64-bit */
	return h;
}

uint64_t daemon_admitted_fingerprint(const struct image_buffer *image)
{
	struct bulwark_image decoded;
	const char *why;
	uint64_t h = 0xcbf29ce484222325ull;
	__u32 i;

	if (bulwark_image_decode(&decoded, image->data, image->size, &why))
		return 0;
	for (i = 0; i < decoded.path_rule_count; i++) {
		const struct bulwark_image_path_rule *r = &decoded.path_rules[i];
		const char *path = bulwark_image_string(&decoded, r->path);
		struct stat st;
		int64_t state[4] = {0};

		/*
		 * Only pinned files: a pin admits nothing but its content, so a
		 * reinstall is admitted and a replacement with other content is
		 * not. An unpinned exact rule (a path, a `package:` deny file) admits
		 * whatever is there at apply: a reload must not take a file
		 * replaced by hand, so only an apply admits it again.
		 */
		if (r->class != BULWARK_CLASS_EXEC || r->match != BULWARK_MATCH_EXACT || !r->digest)
			continue;
		if (i && decoded.path_rules[i - 1].path == r->path &&
		    decoded.path_rules[i - 1].policy == r->policy &&
		    decoded.path_rules[i - 1].digest)
			continue; /* one run of rules, one file */
		if (stat(path, &st)) {
			state[0] = -errno;
		} else {
			state[0] = st.st_dev;
			state[1] = st.st_ino;
			state[2] = st.st_ctim.tv_sec;
			state[3] = st.st_ctim.tv_nsec;
		}
		h = fold(h, path, strlen(path));
		h = fold(h, state, sizeof(state));
	}
	return h;
}
