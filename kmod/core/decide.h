/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decision core: given a decoded image, the policy that governs the
 * caller and one operation, what is the verdict and which rule made it.
 * The precedence it implements is specified in bulwark-policy(5):
 *
 *   paths: an exact rule, else the best matching glob in the parent
 *   directory (longest literal part), else the nearest enclosing directory
 *   subtree, else the policy's default for the class; among rules of equal
 *   precedence that apply to the access, deny wins.
 *   IP:    the longest matching prefix that has a rule for the protocol and
 *   port, else the default; deny wins within one prefix.
 *
 * Every lookup is a bounded number of index probes: its cost does not grow
 * with the number of rules.
 */
#ifndef BULWARK_CORE_DECIDE_H
#define BULWARK_CORE_DECIDE_H

#include "image.h"

struct bulwark_verdict {
	__u8 action; /* enum bulwark_action, before the policy's mode */
	__u8 class; /* the class whose rule or default decided */
	bool by_default; /* no rule applied: the class default decided */
	bool digest_mismatch; /* a pinned exec rule matched by path, not content */
	__u32 rule_id; /* 0 when by_default */
	__u32 rule_index; /* position in PATH_RULES or NET_RULES */
	__u16 access; /* the access bit the verdict is about */
	__u16 denied; /* bulwark_decide_path: every bit of the access it denies */
};

/*
 * A path operation of @class (EXEC, FILE or UNIX) with @access bits on
 * @path (@len bytes, absolute and normalized). For EXEC, @digest is the
 * file's verified sha256 or NULL when unknown. Every bit of @access must be
 * allowed; the first denied one is reported, and @verdict->denied holds
 * every denied bit (what an event reports, as the BPF backend does).
 */
int bulwark_decide_path(const struct bulwark_image *image, __u16 policy, __u8 class,
			const char *path, __u32 len, __u16 access, const __u8 *digest,
			struct bulwark_verdict *verdict);

/*
 * What decides @bit (one access bit) for paths at or below the directory
 * @path that no exact or glob rule decides: the nearest enclosing subtree
 * rule, else the default. The BPF backend stores this per directory.
 */
int bulwark_decide_subtree(const struct bulwark_image *image, __u16 policy, __u8 class,
			   const char *path, __u32 len, __u16 bit, struct bulwark_verdict *verdict);

/* Running code from @path: the exec rules, then the file rules' exec bit. */
int bulwark_decide_exec(const struct bulwark_image *image, __u16 policy, const char *path,
			__u32 len, const __u8 *digest, struct bulwark_verdict *verdict);

/* An IP operation: @addr holds 4 (INET) or 16 (INET6) bytes, @port host order. */
int bulwark_decide_net(const struct bulwark_image *image, __u16 policy, __u8 direction, __u8 family,
		       const __u8 *addr, __u16 port, __u8 protocol,
		       struct bulwark_verdict *verdict);

#endif /* BULWARK_CORE_DECIDE_H */
