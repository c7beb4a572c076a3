/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The bulwark policy image: what `bulwark compile` writes and both kernel
 * backends load. One format, versioned, checksummed, and laid out so the
 * kernel decides from it directly: every lookup is a probe of a hash index
 * built by the compiler, so the cost of a decision does not grow with the
 * number of rules.
 *
 * Layout. All integers are little-endian; every section starts 8-byte
 * aligned; nothing may lie between or after the sections but zero padding.
 *
 *   offset 0    struct bulwark_image_header            64 bytes
 *   offset 64   struct bulwark_image_section[BULWARK_SECTION_COUNT]
 *               section data, in the order of enum bulwark_section
 *
 *   STRINGS     char[]: NUL-terminated strings, referred to by byte offset.
 *               Offset 0 is the empty string. Strings are at most
 *               BULWARK_PATH_MAX bytes long.
 *   POLICIES    struct bulwark_image_policy[]
 *   DIGESTS     __u8[BULWARK_DIGEST_SIZE][]: sha256 digests of pinned files
 *   PATH_RULES  struct bulwark_image_path_rule[], sorted by key (below)
 *   PATH_INDEX  __u32[]: hash index of PATH_RULES' runs
 *   NET_RULES   struct bulwark_image_net_rule[], sorted by key
 *   NET_INDEX   __u32[]: hash index of NET_RULES' runs
 *
 * Keys and runs. A path rule's key is (policy, class, match, path); a net
 * rule's is (policy, direction, family, prefix_len, addr). Rules with equal
 * keys are adjacent and form a run of at most BULWARK_RUN_MAX rules.
 *
 * Indexes. An index is an open-addressing hash table of 2^n slots, with
 * 2^n >= 2 * runs (so it always has empty slots). A slot holds 0 (empty) or
 * 1 + the position of the first rule of a run. A run with key K sits in
 * the first slot at or after hash(K) & (2^n - 1), wrapping, that holds it,
 * and at most BULWARK_PROBE_MAX - 1 slots past that home slot, so no lookup
 * ever probes more than BULWARK_PROBE_MAX slots; lookups also stop at the
 * first empty slot. The hash is 32-bit FNV-1a, its offset basis xor'ed with
 * header.hash_seed, over the key's bytes as the decision core lays them out
 * (kmod/core/image.c); the compiler picks the seed that keeps every run
 * within the probe limit. Every run is reachable and the index holds
 * nothing else.
 *
 * Checksum. header.checksum is the CRC-32C (Castagnoli, reflected,
 * initial value and final xor 0xffffffff) of the whole image with the
 * checksum field read as zero.
 *
 * Meaning. How a decision is made from these tables is specified in
 * bulwark-policy(5) and implemented once, in kmod/core/decide.c, which the
 * module and the controller both compile.
 */
#ifndef _UAPI_LINUX_BULWARK_IMAGE_H
#define _UAPI_LINUX_BULWARK_IMAGE_H

#include <linux/types.h>

#define BULWARK_IMAGE_MAGIC "BLWKPOL"	/* 8 bytes with the NUL */
#define BULWARK_IMAGE_ABI 1

/* Limits: the compiler refuses, and the decoder rejects, anything larger. */
#define BULWARK_IMAGE_SIZE_MAX (256u << 20)
#define BULWARK_POLICIES_MAX 4096
#define BULWARK_RULES_MAX (1u << 22)	/* per table */
#define BULWARK_PATH_MAX 4096		/* including the NUL */
#define BULWARK_NAME_MAX 64		/* policy names, including the NUL */
#define BULWARK_RUN_MAX 64		/* rules sharing one key */
#define BULWARK_DIGEST_SIZE 32		/* sha256 */
#define BULWARK_PROBE_MAX 64		/* index slots one lookup may probe */

enum bulwark_section {
	BULWARK_SECTION_STRINGS,
	BULWARK_SECTION_POLICIES,
	BULWARK_SECTION_DIGESTS,
	BULWARK_SECTION_PATH_RULES,
	BULWARK_SECTION_PATH_INDEX,
	BULWARK_SECTION_NET_RULES,
	BULWARK_SECTION_NET_INDEX,
	BULWARK_SECTION_COUNT
};

struct bulwark_image_header {
	__u8 magic[8];		/* BULWARK_IMAGE_MAGIC */
	__u32 abi_version;	/* BULWARK_IMAGE_ABI */
	__u32 header_size;	/* sizeof(struct bulwark_image_header) */
	__u64 image_size;	/* the whole image, this header included */
	__u32 checksum;		/* see above */
	__u32 section_count;	/* BULWARK_SECTION_COUNT */
	__u32 flags;		/* none defined yet: 0 */
	__u32 hash_seed;	/* mixed into the index hash; see above */
	__u8 reserved[24];	/* 0 */
};

struct bulwark_image_section {
	__u32 offset;		/* from the start of the image */
	__u32 size;		/* in bytes: count * the entry size */
	__u32 count;		/* entries (STRINGS: bytes) */
	__u32 reserved;		/* 0 */
};

enum bulwark_selector {
	BULWARK_SELECTOR_HOST,		/* every process not under another policy */
	BULWARK_SELECTOR_SYSTEMD_UNIT,	/* the unit's cgroup and below */
	BULWARK_SELECTOR_CGROUP,	/* cgroups matching a glob, and below */
	BULWARK_SELECTOR_CONTAINER,	/* a container's cgroup, by container id */
	__BULWARK_SELECTOR_MAX
};

enum bulwark_mode {
	BULWARK_MODE_ENFORCE,	/* deny with EPERM and report */
	BULWARK_MODE_AUDIT,	/* report what would be denied, allow it */
	__BULWARK_MODE_MAX
};

enum bulwark_action {
	BULWARK_ALLOW,
	BULWARK_DENY,
	__BULWARK_ACTION_MAX
};

/*
 * What a rule governs; also indexes bulwark_image_policy.defaults. Unix
 * socket rules fall back on the default of their direction (CONNECT:
 * EGRESS, BIND: INGRESS), so defaults[BULWARK_CLASS_UNIX] is unused: 0.
 */
enum bulwark_class {
	BULWARK_CLASS_EXEC,	/* running or mapping code from a file */
	BULWARK_CLASS_FILE,	/* file access, by access bits */
	BULWARK_CLASS_UNIX,	/* unix sockets by path */
	BULWARK_CLASS_EGRESS,	/* IP: connect, sendmsg (defaults only) */
	BULWARK_CLASS_INGRESS,	/* IP: bind, listen, accept (defaults only) */
	__BULWARK_CLASS_MAX
};

enum bulwark_match {
	BULWARK_MATCH_EXACT,	/* path is the object's path */
	BULWARK_MATCH_GLOB,	/* path is the parent directory; pattern the name */
	BULWARK_MATCH_SUBTREE,	/* path is a directory: it and all below it */
	__BULWARK_MATCH_MAX
};

/* Access bits of BULWARK_CLASS_FILE rules. */
#define BULWARK_ACCESS_READ (1u << 0)
#define BULWARK_ACCESS_WRITE (1u << 1)
#define BULWARK_ACCESS_APPEND (1u << 2)
#define BULWARK_ACCESS_CREATE (1u << 3)
#define BULWARK_ACCESS_UNLINK (1u << 4)
#define BULWARK_ACCESS_RENAME (1u << 5)
#define BULWARK_ACCESS_MKDIR (1u << 6)
#define BULWARK_ACCESS_RMDIR (1u << 7)
#define BULWARK_ACCESS_LINK (1u << 8)
#define BULWARK_ACCESS_SYMLINK (1u << 9)
#define BULWARK_ACCESS_SETATTR (1u << 10)
#define BULWARK_ACCESS_TRUNCATE (1u << 11)
#define BULWARK_ACCESS_EXEC (1u << 12)
#define BULWARK_ACCESS_FILE_ALL ((1u << 13) - 1)
/* Access bits of BULWARK_CLASS_UNIX rules. */
#define BULWARK_ACCESS_CONNECT (1u << 0)	/* connect, sendmsg */
#define BULWARK_ACCESS_BIND (1u << 1)		/* bind, listen */
#define BULWARK_ACCESS_UNIX_ALL ((1u << 2) - 1)
/* BULWARK_CLASS_EXEC rules carry BULWARK_ACCESS_EXEC. */

struct bulwark_image_policy {
	__u32 name;		/* STRINGS: [a-z0-9][a-z0-9.-]*, < BULWARK_NAME_MAX */
	__u32 selector;		/* STRINGS: unit, cgroup glob or container id; 0 for host */
	__u8 selector_kind;	/* enum bulwark_selector */
	__u8 mode;		/* enum bulwark_mode */
	__u8 defaults[__BULWARK_CLASS_MAX];	/* enum bulwark_action, by class */
	__u8 reserved[1];	/* 0 */
	/* Prefix lengths that have NET_RULES, so lookups probe only those. */
	__u64 egress_v4_prefixes;	/* bit n: a /n rule exists, n <= 32 */
	__u64 egress_v6_prefixes[3];	/* bit n of the 192: n <= 128 */
	__u64 ingress_v4_prefixes;
	__u64 ingress_v6_prefixes[3];
};

struct bulwark_image_path_rule {
	__u32 path;		/* STRINGS: absolute, normalized, no trailing '/' but "/" */
	__u32 pattern;		/* STRINGS: GLOB's name pattern (one '*'); else 0 */
	__u16 policy;		/* index into POLICIES */
	__u8 class;		/* enum bulwark_class: EXEC, FILE or UNIX */
	__u8 match;		/* enum bulwark_match */
	__u16 access;		/* BULWARK_ACCESS_* bits the rule applies to */
	__u8 action;		/* enum bulwark_action */
	__u8 reserved;		/* 0 */
	__u32 digest;		/* EXEC: 1 + index into DIGESTS, or 0 */
	__u32 rule_id;		/* reported in events; numbered by the compiler */
};

enum bulwark_direction {
	BULWARK_EGRESS,
	BULWARK_INGRESS,
	__BULWARK_DIRECTION_MAX
};

enum bulwark_family {
	BULWARK_FAMILY_INET = 4,
	BULWARK_FAMILY_INET6 = 6,
};

enum bulwark_protocol {
	BULWARK_PROTO_ANY,
	BULWARK_PROTO_TCP,
	BULWARK_PROTO_UDP,
	BULWARK_PROTO_ICMP,	/* ICMP and raw sockets */
	__BULWARK_PROTO_MAX
};

struct bulwark_image_net_rule {
	__u8 addr[16];		/* network, host bits zero; IPv4 in addr[0..3] */
	__u16 policy;		/* index into POLICIES */
	__u8 direction;		/* enum bulwark_direction */
	__u8 family;		/* enum bulwark_family */
	__u8 prefix_len;	/* <= 32 (INET) or 128 (INET6) */
	__u8 protocol;		/* enum bulwark_protocol */
	__u8 action;		/* enum bulwark_action */
	__u8 reserved;		/* 0 */
	__u16 port_min;		/* inclusive; 0..65535 means any port */
	__u16 port_max;
	__u32 rule_id;
};

#endif /* _UAPI_LINUX_BULWARK_IMAGE_H */
