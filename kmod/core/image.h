/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding a policy image: every length, offset, count, string, enum and
 * index in it is checked before anything reads it, because the kernel runs
 * this on whatever arrives over netlink. A decoded image is only a set of
 * typed views into the caller's buffer; it allocates nothing.
 */
#ifndef BULWARK_CORE_IMAGE_H
#define BULWARK_CORE_IMAGE_H

#include "compat.h"
#include "uapi/linux/bulwark_image.h"

struct bulwark_image {
	const __u8 *base;
	__u64 size;
	const char *strings;
	__u32 strings_size;
	const struct bulwark_image_policy *policies;
	__u32 policy_count;
	const __u8 *digests; /* digest_count * BULWARK_DIGEST_SIZE bytes */
	__u32 digest_count;
	const struct bulwark_image_path_rule *path_rules;
	__u32 path_rule_count;
	const __u32 *path_index;
	__u32 path_index_mask;
	__u32 hash_seed;
	const struct bulwark_image_net_rule *net_rules;
	__u32 net_rule_count;
	const __u32 *net_index;
	__u32 net_index_mask;
};

/*
 * Checks @data (@size bytes) and fills @image with views into it. Returns 0,
 * or -EINVAL (malformed), -EPROTO (another ABI version), -EBADMSG (checksum)
 * or -E2BIG (past a limit), with *@why saying what was wrong (a static
 * string, fit for an extack).
 */
int bulwark_image_decode(struct bulwark_image *image, const void *data, __u64 size,
			 const char **why);

/* String at @offset of a decoded image (offsets were checked at decode). */
static inline const char *bulwark_image_string(const struct bulwark_image *image, __u32 offset)
{
	return image->strings + offset;
}

/*
 * The word of @p's prefix-length bitmap for @direction and @family that
 * holds prefix length @prefix_len, and in *@bit that length's bit in it.
 */
static inline const __u64 *bulwark_prefix_word(const struct bulwark_image_policy *p, __u8 direction,
					       __u8 family, __u32 prefix_len, __u64 *bit)
{
	bool egress = direction == BULWARK_EGRESS;

	if (family == BULWARK_FAMILY_INET) {
		*bit = 1ull << prefix_len;
		return egress ? &p->egress_v4_prefixes : &p->ingress_v4_prefixes;
	}
	*bit = 1ull << (prefix_len % 64);
	return &(egress ? p->egress_v6_prefixes : p->ingress_v6_prefixes)[prefix_len / 64];
}

/* The network part of address byte @byte under a /@prefix_len prefix. */
static inline __u8 bulwark_prefix_byte_mask(__u32 prefix_len, __u32 byte)
{
	if (prefix_len >= byte * 8 + 8)
		return 0xff;
	if (prefix_len <= byte * 8)
		return 0;
	return 0xff << (8 - (prefix_len - byte * 8));
}

/* Shared with the compiler so both sides agree on keys, order and hashing. */
__u32 bulwark_crc32c(__u32 crc, const void *data, __u64 len);
__u32 bulwark_path_key_hash(__u32 seed, __u16 policy, __u8 class, __u8 match, const char *path,
			    __u32 len);
__u32 bulwark_net_key_hash(__u32 seed, __u16 policy, __u8 direction, __u8 family, __u8 prefix_len,
			   const __u8 addr[16]);
/* <0, 0, >0 as @a's key sorts before, equal to, after @b's. */
int bulwark_path_rule_cmp(const char *strings, const struct bulwark_image_path_rule *a,
			  const struct bulwark_image_path_rule *b);
int bulwark_net_rule_cmp(const struct bulwark_image_net_rule *a,
			 const struct bulwark_image_net_rule *b);
/* Whether @path (@len bytes, no NUL needed) is absolute and normalized. */
bool bulwark_path_is_normal(const char *path, __u32 len);

#endif /* BULWARK_CORE_IMAGE_H */
