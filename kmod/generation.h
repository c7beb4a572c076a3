/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generations: the policy the hooks enforce. A generation is staged over
 * netlink (images, cgroup bindings, admitted files), checked whole, and
 * swapped in with one RCU pointer update; hooks read it under RCU and the
 * one it replaced is freed only after every reader is gone.
 */
#ifndef BULWARK_GENERATION_H
#define BULWARK_GENERATION_H

#include <linux/netlink.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#include "core/decide.h"

struct bulwark_source {
	struct bulwark_image image; /* views into data once complete */
	void *data;
	u64 size;
	u64 received;
	u32 base; /* the policy index of the image's first policy */
	bool selected; /* its policies' selectors name cgroups (governing.c) */
	bool used;
	bool complete;
};

struct bulwark_binding {
	u64 cgroup;
	u32 policy;
};

struct bulwark_identity {
	u64 ino;
	u32 dev;
	u32 policy;
	s64 ctime_sec;
	u64 admitted; /* sb_changes.h's tick when it was staged */
	u32 ctime_nsec;
	u32 i_generation; /* a new inode on a freed number has another */
	u32 rule;
	u8 action;
};

struct bulwark_generation {
	u64 number;
	u32 host_policy; /* 1 + its index, 0: none */
	u32 policy_count;
	u8 *path_classes; /* by policy index: bit (1 << class) when it has path rules */
	struct bulwark_source *sources; /* sorted by base */
	u32 source_count;
	struct bulwark_binding *bindings; /* sorted by cgroup */
	u32 binding_count;
	struct bulwark_identity *identities; /* sorted by (dev, ino, policy) */
	u32 identity_count;
	bool selectors; /* a source is selected */
	struct bulwark_governed *governed; /* which policy governs each cgroup, as decided */
};

/* A policy of a generation, resolved from its index. */
struct bulwark_policy_ref {
	const struct bulwark_image *image;
	const struct bulwark_image_policy *policy;
	u32 index; /* in the generation */
	u16 local; /* in its image */
};

/* The running generation, or NULL. Call under rcu_read_lock(). */
const struct bulwark_generation *bulwark_generation_current(void);
bool bulwark_generation_policy(const struct bulwark_generation *gen, u32 index,
			       struct bulwark_policy_ref *ref);
/*
 * The policy governing a task in cgroup @cgroup (v2): the one bound to the
 * nearest of it and its ancestors, where a selected image's selectors bind
 * too; else the host policy. Decided once per cgroup and generation
 * (governing.c). Call under rcu_read_lock().
 */
bool bulwark_generation_find(const struct bulwark_generation *gen, struct cgroup *cgroup,
			     struct bulwark_policy_ref *ref);
/* 1 + the policy cgroup @id is bound to, or 0. */
u32 bulwark_generation_bound(const struct bulwark_generation *gen, u64 id);
const struct bulwark_identity *bulwark_generation_identity(const struct bulwark_generation *gen,
							   u32 dev, u64 ino, u32 policy);

/* Staging, serialized by the caller (netlink.c's mutex). Each returns 0 or -errno. */
int bulwark_stage_begin(u32 *token);
int bulwark_stage_check(u32 token, struct netlink_ext_ack *extack);
int bulwark_stage_image(u32 index, u64 offset, const void *chunk, u32 len, u64 size, u32 base,
			bool first, bool selected, struct netlink_ext_ack *extack);
int bulwark_stage_bind(u64 cgroup, u32 policy, struct netlink_ext_ack *extack);
/* The file open on the sender's descriptor @fd, or with @fd < 0 the one at @path. */
int bulwark_stage_identity(u32 policy, const char *path, int fd, u8 action, u32 rule, s64 ctime_sec,
			   u32 ctime_nsec, struct netlink_ext_ack *extack);
int bulwark_stage_activate(u32 host_policy, u64 *number, struct netlink_ext_ack *extack);
void bulwark_stage_discard(void);
/* Drops the running generation; *@number gets the next generation number. */
void bulwark_generation_clear(u64 *number);
/* For status: the running generation's number and policy count. */
void bulwark_generation_summary(u64 *number, u32 *policies);
/* At unload, after the hooks are gone. */
void bulwark_generation_exit(void);

#endif /* BULWARK_GENERATION_H */
