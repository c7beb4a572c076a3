// SPDX-License-Identifier: GPL-2.0
/*
 * bulwark's BPF LSM programs: exec, file and network allow-lists decided in
 * the kernel from the maps the controller fills (layout and meaning in
 * bulwark_maps.h; the decision rules in bulwark-policy(5)).
 *
 * Every hook starts the same way: pick the active generation slot, find the
 * policy of the calling task (the nearest cgroup ancestor bound to one, else
 * the host policy, else none: return at once), decide, count, report a
 * denial or audit hit through the ring buffer, and return -EPERM or 0.
 * Lookups are hash probes whose number depends on the path's depth and the
 * policy's rule shapes, never on the number of rules.
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

/* vmlinux.h already has the __u types linux/types.h would bring. */
#define _LINUX_TYPES_H
#include "uapi/linux/bulwark_image.h"
#include "bulwark_maps.h"
#include "maps.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define EPERM 1
#define ENOMEM 12
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_ICMPV6 58
#define IPPROTO_UDPLITE 136
#define IPPROTO_MPTCP 262
#define PROT_EXEC 0x4
#define MAP_SHARED 0x01
#define F_SETFL 4
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define VM_EXEC 0x4
#define O_APPEND 02000
#define O_TRUNC 01000
#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
#define FMODE_EXEC 0x20
#define FMODE_CREATED 0x100000
#define FMODE_NOACCOUNT 0x20000000 /* the kernel's own opens, e.g. overlayfs' real files */
#define FMODE_BACKING 0x1000000 /* 6.12: a backing file (with struct backing_file) */
#define BW_PROTO_OTHER 0xff
#define MAY_WRITE 0x2
#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))

/* struct inode since 6.11 keeps ctime as two fields. */
struct inode___v611 {
	time64_t i_ctime_sec;
	u32 i_ctime_nsec;
} __attribute__((preserve_access_index));

/* 6.6 on: overlayfs maps its real files as backing files, which remember the user's path. */
struct backing_file {
	struct file file;
	struct path user_path;
} __attribute__((preserve_access_index));

/* The struct mount around a vfsmount, and back (the kernel's real_mount()). */
static __always_inline struct mount *real_mount(struct vfsmount *vfsmnt)
{
	return (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);
}

static __always_inline struct vfsmount *vfs_mount(struct mount *mnt)
{
	return (void *)mnt + bpf_core_field_offset(struct mount, mnt);
}

struct decision {
	__u64 cgroup;
	__u64 generation;
	const struct bw_policy *policy;
	__u32 slot;
	__u32 rule;
	__u16 index; /* policy index */
	__u16 denied; /* access bits denied */
	__u8 op;
	__u8 class; /* the class that decided */
	__u8 why;
	__u8 by_d_path; /* name_path() named the file by d_path in the task's namespace */
	__u8 host; /* the host policy governs the task */
	/* IP operations */
	__u8 family;
	__u8 protocol;
	__u8 direction;
	__u16 port;
	__u8 addr[16];
};

static __always_inline void stat_add(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&bw_stats, &stat);

	if (v)
		*v += 1;
}

/* --- generations ---------------------------------------------------------- */

/*
 * Registers this program as a reader of the active slot (see
 * bulwark_maps.h). Returns the slot, or -1 when the maps are missing.
 */
static __always_inline int enter_slot(void)
{
	__u32 zero = 0, slot, tries;
	struct bw_config *cfg = bpf_map_lookup_elem(&bw_config, &zero);
	__u64 *readers;

	if (!cfg)
		return -1;
	for (tries = 0; tries < 4; tries++) {
		slot = READ_ONCE(cfg->active) & 1;
		readers = bpf_map_lookup_elem(&bw_readers, &slot);
		if (!readers)
			return -1;
		__sync_fetch_and_add(readers, 1);
		if ((READ_ONCE(cfg->active) & 1) == slot)
			return slot;
		/* A flip happened meanwhile: use the new slot instead. */
		__sync_fetch_and_add(readers, -1);
	}
	return -1;
}

static __always_inline void leave_slot(__u32 slot)
{
	__u64 *readers = bpf_map_lookup_elem(&bw_readers, &slot);

	if (readers)
		__sync_fetch_and_add(readers, -1);
}

/* --- scratch memory -------------------------------------------------------- */

static __always_inline struct bw_scratch *claim_scratch(__u32 *claimed)
{
	__u32 i;

#pragma unroll
	for (i = 0; i < BW_SCRATCH_SLOTS; i++) {
		__u32 key = i;
		__u32 *busy = bpf_map_lookup_elem(&bw_scratch_busy, &key);
		struct bw_scratch *s;

		if (!busy || __sync_val_compare_and_swap(busy, 0, 1) != 0)
			continue;
		s = bpf_map_lookup_elem(&bw_scratch, &key);
		if (!s) {
			*busy = 0;
			return NULL;
		}
		*claimed = key;
		return s;
	}
	return NULL;
}

static __always_inline void release_scratch(__u32 claimed)
{
	__u32 *busy = bpf_map_lookup_elem(&bw_scratch_busy, &claimed);

	if (busy)
		__sync_lock_test_and_set(busy, 0);
}

/* --- which policy governs ----------------------------------------------- */

#include "governing.bpf.h"

/*
 * The policy governing the current task in @slot (governing.bpf.h).
 * Returns false when the task is under none.
 */
static __always_inline bool find_policy(struct decision *d)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct bw_generation *gen;
	__u32 found, index;

	gen = bpf_map_lookup_elem(&bw_gens, &d->slot);
	if (!gen || !gen->generation)
		return false;
	d->generation = gen->generation;
	d->cgroup = bpf_get_current_cgroup_id();
	found = bw_governing(d->slot, (__u64)BPF_CORE_READ(task, cgroups, dfl_cgrp), d->cgroup);
	if (!found)
		return false;
	index = found - 1;
	if (index >= BW_POLICY_MAX)
		return false;
	d->index = index;
	d->host = found == gen->host_policy;
	index += d->slot * BW_POLICY_MAX;
	d->policy = bpf_map_lookup_elem(&bw_policies, &index);
	if (!d->policy || !d->policy->valid)
		return false;
	return true;
}

/*
 * Every decision starts here: registers as a reader of the active slot and
 * finds the current task's policy. False (and the slot left) when the task
 * is under none; else the caller ends with leave_slot(d->slot).
 */
static __always_inline bool begin_decision(struct decision *d)
{
	int slot = enter_slot();

	if (slot < 0)
		return false;
	d->slot = slot;
	if (find_policy(d)) {
		stat_add(BW_STAT_HOOK_RUNS);
		return true;
	}
	leave_slot(slot);
	return false;
}

/* --- paths ------------------------------------------------------------------ */

struct hash_ctx {
	struct bw_scratch *s;
	__u64 h;
	__u32 c;
	__u32 depth;
	__u32 len;
};

#define HASH_STEP 8 /* bytes hashed per bpf_loop step */

/* Bytes [i * 8, i * 8 + 8) of the path: extend both hashes; at each '/' record the prefix. */
static long hash_bytes(__u32 i, struct hash_ctx *ctx)
{
	struct bw_scratch *s = ctx->s;
	__u32 base = i * HASH_STEP, k;
	__u64 h = ctx->h;
	__u32 c = ctx->c;
	long stop = 0;

#pragma unroll
	for (k = 0; k < HASH_STEP; k++) {
		__u32 pos = base + k;
		__u8 ch;

		if (pos >= ctx->len || pos >= BW_PATH_BUF) {
			stop = 1;
			break;
		}
		ch = s->path[pos & (BW_PATH_BUF - 1)];
		if (!ch) {
			stop = 1;
			break;
		}
		if (ch == '/' && pos > 0) {
			__u32 d = ++ctx->depth;

			if (d < BW_DEPTH_MAX) {
				d &= BW_DEPTH_MAX - 1;
				s->hash[d] = h;
				s->check[d] = c;
				s->len[d] = pos;
			}
		}
		h = bw_hash_step(h, ch);
		c = bw_check_step(c, ch);
	}
	ctx->h = h;
	ctx->c = c;
	return stop;
}

/*
 * Hashes the absolute path in s->path (@len bytes): the full path and every
 * directory prefix, by depth (0 is "/"). Returns false for a path that is
 * not absolute.
 */
static __always_inline bool hash_path(struct bw_scratch *s, __u32 len, __u64 seed)
{
	struct hash_ctx ctx = {.s = s};
	__u64 h0 = bw_hash_init(seed);
	__u32 c0 = bw_check_init(seed);
	__u32 depth;

	if (len == 0 || len >= BW_PATH_BUF || s->path[0] != '/')
		return false;
	s->hash[0] = bw_hash_step(h0, '/');
	s->check[0] = bw_check_step(c0, '/');
	s->len[0] = 1;
	ctx.h = h0;
	ctx.c = c0;
	ctx.len = len;
	bpf_loop((len + HASH_STEP - 1) / HASH_STEP, hash_bytes, &ctx, 0);
	s->full_len = len;
	s->full_hash = ctx.h;
	s->full_check = ctx.c;
	depth = len == 1 ? 0 : ctx.depth + 1;
	s->depth = depth;
	if (depth < BW_DEPTH_MAX) {
		depth &= BW_DEPTH_MAX - 1;
		s->hash[depth] = ctx.h;
		s->check[depth] = ctx.c;
		s->len[depth] = len;
	}
	return true;
}

static __always_inline const struct bw_path_value *
lookup_path(struct decision *d, __u8 class, __u8 match, __u64 hash, __u32 check, __u32 len)
{
	struct bw_path_key key = {
		.hash = hash,
		.len = len,
		.policy = d->index,
		.slot = d->slot,
		.class = class,
		.match = match,
	};
	const struct bw_path_value *v = bpf_map_lookup_elem(&bw_paths, &key);

	if (v && v->check != check)
		return NULL;
	return v;
}

static __always_inline __u32 lowest_bit_index(__u16 bits)
{
	__u32 i;

	for (i = 0; i < BW_ACCESS_BITS; i++)
		if (bits & (1u << i))
			return i;
	return 0;
}

struct path_state {
	__u16 open; /* bits not decided yet */
	__u16 denied;
	__u32 rule; /* rule of the first denial */
};

static __always_inline void apply_entry(struct path_state *st, __u16 allow, __u16 deny,
					const __u32 *rules)
{
	__u16 bits = (allow | deny) & st->open;
	__u16 denied = bits & deny;

	st->open &= ~bits;
	if (denied && !st->denied) {
		__u32 i = lowest_bit_index(denied);

		if (i < BW_ACCESS_BITS)
			st->rule = rules[i];
	}
	st->denied |= denied;
}

struct glob_ctx {
	struct bw_scratch *s;
	struct path_state *st;
	__u32 slot;
	__u32 first;
	__u32 name; /* offset of the name in s->path */
	__u32 name_len;
};

static __always_inline bool glob_matches(const struct bw_scratch *s, __u32 name, __u32 name_len,
					 const struct bw_glob_rule *g)
{
	__u32 j, plen = g->prefix_len, slen = g->suffix_len;

	if (plen > BW_GLOB_PART_MAX || slen > BW_GLOB_PART_MAX || name_len < plen + slen)
		return false;
	for (j = 0; j < BW_GLOB_PART_MAX; j++) {
		if (j >= plen)
			break;
		if (s->path[(name + j) & (BW_PATH_BUF - 1)] != g->prefix[j])
			return false;
	}
	for (j = 0; j < BW_GLOB_PART_MAX; j++) {
		if (j >= slen)
			break;
		if (s->path[(name + name_len - slen + j) & (BW_PATH_BUF - 1)] != g->suffix[j])
			return false;
	}
	return true;
}

static long glob_step(__u32 i, struct glob_ctx *ctx)
{
	__u32 key = (ctx->slot << 31) | (ctx->first + i);
	const struct bw_glob_rule *g = bpf_map_lookup_elem(&bw_globs, &key);
	struct path_state *st = ctx->st;
	__u16 bits;

	if (!g || !st->open)
		return 1;
	bits = (g->allow | g->deny) & st->open;
	if (!bits || !glob_matches(ctx->s, ctx->name, ctx->name_len, g))
		return 0;
	st->open &= ~bits;
	if ((bits & g->deny) && !st->denied)
		st->rule = g->rule;
	st->denied |= bits & g->deny;
	return 0;
}

struct subtree_ctx {
	struct decision *d;
	struct bw_scratch *s;
	struct path_state *st;
	__u64 depths;
	__u32 start;
	__u8 class;
};

/* The @i-th enclosing directory from the deepest: the first subtree entry decides. */
static long subtree_step(__u32 i, struct subtree_ctx *ctx)
{
	struct bw_scratch *s = ctx->s;
	const struct bw_path_value *v;
	__u32 at;

	if (i > ctx->start)
		return 1;
	at = ctx->start - i;
	if (at >= BW_DEPTH_MAX || !(ctx->depths & (1ull << at)))
		return 0;
	at &= BW_DEPTH_MAX - 1;
	v = lookup_path(ctx->d, ctx->class, BULWARK_MATCH_SUBTREE, s->hash[at], s->check[at],
			s->len[at]);
	if (!v)
		return 0;
	apply_entry(ctx->st, v->allow, v->deny, v->rule);
	return 1;
}

/*
 * Decides @want access bits of @class on the hashed path in @s. Sets
 * d->denied, d->rule and d->class. Exact entries are complete; otherwise the
 * parent directory's globs, then the deepest subtree entry, then the default.
 */
static __always_inline void decide_path(struct decision *d, struct bw_scratch *s, __u8 class,
					__u16 want)
{
	const struct bw_policy *p = d->policy;
	struct path_state st = {.open = want};
	const struct bw_path_value *v;
	__u32 depth = s->depth;
	__u8 deflt_class = class;

	v = (p->flags & (BW_POLICY_HAS_EXACT << class))
		    ? lookup_path(d, class, BULWARK_MATCH_EXACT, s->full_hash, s->full_check,
				  s->full_len)
		    : NULL;
	if (v) {
		if ((v->flags & BW_PATH_IDENTITY) && class == BULWARK_CLASS_EXEC) {
			/* Named by an exec rule, but not the file that was admitted. */
			d->denied = want;
			d->rule = v->rule[12];
			d->why |= BW_WHY_CHANGED;
			d->class = class;
			return;
		}
		apply_entry(&st, v->allow, v->deny, v->rule);
	}
	if (st.open && (p->flags & (BW_POLICY_HAS_GLOB << class)) && depth >= 1 &&
	    depth - 1 < BW_DEPTH_MAX) {
		__u32 parent = (depth - 1) & (BW_DEPTH_MAX - 1);

		v = lookup_path(d, class, BULWARK_MATCH_GLOB, s->hash[parent], s->check[parent],
				s->len[parent]);
		if (v && v->count) {
			struct glob_ctx g = {
				.s = s,
				.st = &st,
				.slot = d->slot,
				.first = v->first,
				.name = parent ? s->len[parent] + 1 : 1,
			};

			g.name_len = s->full_len - g.name;
			bpf_loop(v->count < BW_GLOB_RUN_MAX ? v->count : BW_GLOB_RUN_MAX, glob_step,
				 &g, 0);
		}
	}
	if (st.open && class <= BULWARK_CLASS_UNIX) {
		struct subtree_ctx sub = {
			.d = d,
			.s = s,
			.st = &st,
			.class = class,
			.depths = p->subtree_depths[class],
			/* Deeper than BW_DEPTH_MAX - 1 there are no rules: start below. */
			.start = depth < BW_DEPTH_MAX ? depth : BW_DEPTH_MAX - 1,
		};

		if (sub.depths)
			bpf_loop(sub.start + 1, subtree_step, &sub, 0);
	}
	if (st.open) {
		if (class == BULWARK_CLASS_UNIX)
			deflt_class = want == BULWARK_ACCESS_CONNECT ? BULWARK_CLASS_EGRESS
								     : BULWARK_CLASS_INGRESS;
		if (deflt_class < 5 && p->defaults[deflt_class] == BULWARK_DENY) {
			if (!st.denied)
				st.rule = 0;
			st.denied |= st.open;
		}
	}
	d->denied = st.denied;
	d->rule = st.rule;
	d->class = class;
}

/* Whether any path entry of @class exists: without one, the default decides. */
static __always_inline bool has_path_entries(const struct bw_policy *p, __u8 class)
{
	if (class > BULWARK_CLASS_UNIX)
		return false;
	return (p->flags & ((BW_POLICY_HAS_EXACT | BW_POLICY_HAS_GLOB) << class)) ||
	       p->subtree_depths[class];
}

/* --- walking up from a dentry, as d_path does -------------------------------- */

#define PATH_NAMES 32 /* components a path built from dentries may have */
#define PATH_STEPS 64 /* components and mount crossings */

/*
 * One step of a name_walk toward the root of everything: across a mount
 * when at a mount's root, else to the parent, recording the name left
 * behind (leaf first). Returns 1 when the walk is over: at the top
 * (w->dentry is then 0), or unable to go on (w->nnames is then past
 * PATH_NAMES: too deep, or a root that is no mount's root, i.e. a
 * disconnected dentry from open_by_handle_at). A walk that runs out of
 * steps ends with w->dentry set: it never reached the top.
 */
struct walk_ctx {
	struct name_walk
		*w; /* in a scratch slot or an event: bpf_loop's context must be on the stack */
};

static long walk_step(__u32 i, struct walk_ctx *ctx)
{
	struct name_walk *w = ctx->w;
	struct dentry *dentry = (void *)w->dentry, *parent;
	struct vfsmount *vfsmnt = (void *)w->vfsmnt;
	struct mount *mnt = real_mount(vfsmnt);
	struct mount *mnt_parent;

	if (dentry == BPF_CORE_READ(vfsmnt, mnt_root)) {
		mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		if (mnt_parent == mnt) {
			w->dentry = 0;
			return 1;
		}
		w->dentry = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
		w->vfsmnt = (__u64)vfs_mount(mnt_parent);
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (parent == dentry || w->nnames >= PATH_NAMES) {
		w->nnames = PATH_NAMES + 1;
		return 1;
	}
	w->names[w->nnames & (PATH_NAMES - 1)] = (__u64)BPF_CORE_READ(dentry, d_name.name);
	w->nnames++;
	w->dentry = (__u64)parent;
	return 0;
}

/*
 * Walks @w from @dentry on @vfsmnt up to the top. A bpf_loop, so the
 * verifier walks one step, not every way through PATH_STEPS of them.
 * Returns whether it got there with every name.
 */
static __always_inline bool walk_up(struct name_walk *w, struct dentry *dentry,
				    struct vfsmount *vfsmnt)
{
	struct walk_ctx ctx = {.w = w};

	w->dentry = (__u64)dentry;
	w->vfsmnt = (__u64)vfsmnt;
	bpf_loop(PATH_STEPS, walk_step, &ctx, 0);
	return !w->dentry && w->nnames <= PATH_NAMES;
}

/* --- events and verdicts ----------------------------------------------------- */

_Static_assert(sizeof(struct name_walk) <= BW_OBJECT_MAX, "the exe walk fits in an event's object");

struct exe_copy {
	struct name_walk *walk;
	struct bw_event *e;
	__u32 off;
};

/* Appends "/" and the i-th name from the root to e->exe; 1 when done. */
static long exe_copy_step(__u32 i, struct exe_copy *c)
{
	struct name_walk *w = c->walk;
	struct bw_event *e = c->e;
	__u32 off = c->off;
	long len;

	if (i >= w->nnames || off >= BW_EXE_MAX - 2)
		return 1;
	e->exe[off & (BW_EXE_MAX - 1)] = '/';
	off++;
	len = bpf_probe_read_kernel_str(
		&e->exe[off & (BW_EXE_MAX - 1)], (BW_EXE_MAX - off) & (BW_EXE_MAX - 1),
		(const void *)w->names[(w->nnames - 1 - i) & (PATH_NAMES - 1)]);
	if (len <= 1)
		return 1;
	c->off = off + len - 1;
	return 0;
}

/*
 * The current task's executable as a path, built from its dentries and
 * mounts as d_path does (6.2 and later refuse bpf_d_path on current->mm's
 * file: the pointer is not trusted); empty when it cannot be built. Uses
 * the event's object buffer for the walk: the caller fills the object in
 * afterwards.
 */
__noinline int exe_from_dentries(struct bw_event *e)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct exe_copy c = {};
	struct file *exe;

	if (!e)
		return 0;
	e->exe[0] = 0;
	exe = BPF_CORE_READ(task, mm, exe_file);
	if (!exe)
		return 0;
	c.walk = (struct name_walk *)e->object;
	c.walk->nnames = 0;
	if (!walk_up(c.walk, BPF_CORE_READ(exe, f_path.dentry), BPF_CORE_READ(exe, f_path.mnt)))
		return 0;
	c.e = e;
	bpf_loop(PATH_NAMES, exe_copy_step, &c, 0);
	e->exe[c.off & (BW_EXE_MAX - 1)] = 0;
	return 0;
}

/*
 * Counts the decision and reports a denial or audit hit. Returns what the
 * hook returns: -EPERM for an enforced denial, else 0.
 */
static __always_inline int conclude_named(struct decision *d, const struct bw_scratch *s,
					  const unsigned char *name)
{
	__u32 index = d->slot * BW_POLICY_MAX + d->index;
	struct bw_counters *c = bpf_map_lookup_elem(&bw_counters, &index);
	bool audit = d->policy->mode == BULWARK_MODE_AUDIT;
	struct bw_event *e;
	__u64 id;

	if (!d->denied) {
		if (c)
			c->allowed++;
		return 0;
	}
	if (c) {
		if (audit)
			c->audited++;
		else
			c->denied++;
	}
	e = bpf_ringbuf_reserve(&bw_events, sizeof(*e), 0);
	if (!e) {
		stat_add(BW_STAT_EVENTS_DROPPED);
	} else {
		id = bpf_get_current_pid_tgid();
		e->time_ns = bpf_ktime_get_ns();
		e->cgroup = d->cgroup;
		e->generation = d->generation;
		e->pid = id >> 32;
		e->tid = (__u32)id;
		e->rule = d->rule;
		e->policy = d->index;
		e->op = d->op;
		e->verdict = audit ? BW_VERDICT_AUDIT : BW_VERDICT_DENY;
		e->access = d->denied;
		e->class = d->class;
		e->why = d->why;
		e->family = d->family;
		e->protocol = d->protocol;
		e->port = d->port;
		__builtin_memcpy(e->addr, d->addr, sizeof(e->addr));
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		exe_from_dentries(e);
		e->object[0] = 0;
		if (s)
			bpf_probe_read_kernel_str(e->object, sizeof(e->object), s->path);
		else if (name)
			bpf_probe_read_kernel_str(e->object, sizeof(e->object), name);
		bpf_ringbuf_submit(e, 0);
	}
	return audit ? 0 : -EPERM;
}

static __always_inline int conclude(struct decision *d, const struct bw_scratch *s)
{
	return conclude_named(d, s, NULL);
}

/* --- files and code ---------------------------------------------------------- */

/*
 * The inode of the file as the user opened it: for overlayfs' internal
 * files (which a mapping ends up holding), the overlay's inode, so exec,
 * mmap, mprotect and admission all see one identity.
 */
static __always_inline struct inode *user_inode(struct file *file)
{
	if (bpf_core_type_exists(struct backing_file) &&
	    (BPF_CORE_READ(file, f_mode) & FMODE_BACKING))
		return BPF_CORE_READ((struct backing_file *)file, user_path.dentry, d_inode);
	return BPF_CORE_READ(file, f_path.dentry, d_inode);
}

static __always_inline void inode_ctime(struct inode *inode, __s64 *sec, __u32 *nsec)
{
	if (bpf_core_field_exists(struct inode___v611, i_ctime_sec)) {
		struct inode___v611 *i = (void *)inode;

		*sec = BPF_CORE_READ(i, i_ctime_sec);
		*nsec = BPF_CORE_READ(i, i_ctime_nsec);
	} else {
		*sec = BPF_CORE_READ(inode, i_ctime.tv_sec);
		*nsec = BPF_CORE_READ(inode, i_ctime.tv_nsec);
	}
}

static __always_inline void file_key(struct decision *d, struct file *file,
				     struct bw_identity_key *key, struct inode **inode)
{
	*inode = user_inode(file);
	key->ino = BPF_CORE_READ(*inode, i_ino);
	key->dev = BPF_CORE_READ(*inode, i_sb, s_dev);
	key->policy = d->index;
	key->slot = d->slot;
	key->reserved = 0;
}

/* bw_sb_clock's last tick (0 without it: the earliest, which holds least). */
static __always_inline __u64 sb_clock_now(void)
{
	__u32 zero = 0;
	struct bw_sb_clock *clock = bpf_map_lookup_elem(&bw_sb_clock, &zero);

	return clock ? clock->now : 0;
}

/*
 * Whether what was recorded at tick @at of a file on device @dev is still
 * of that file's super block: no other one had the device since.
 */
static __always_inline bool sb_unchanged_since(__u32 dev, __u64 at)
{
	struct bw_sb_change *change = bpf_map_lookup_elem(&bw_sb_changes, &dev);

	return !change || change->at <= at;
}

/*
 * Stamps device @dev with the next tick: what was recorded of it before no
 * longer holds. -ENOMEM when that cannot be recorded (the caller refuses).
 */
static __always_inline int sb_stamp(__u32 dev)
{
	__u32 zero = 0;
	struct bw_sb_clock *clock = bpf_map_lookup_elem(&bw_sb_clock, &zero);
	struct bw_sb_change change;

	if (!clock)
		return -ENOMEM;
	change.at = __sync_add_and_fetch(&clock->now, 1);
	return bpf_map_update_elem(&bw_sb_changes, &dev, &change, BPF_ANY) ? -ENOMEM : 0;
}

struct build_ctx {
	struct bw_scratch *s;
};

/* Appends "/" and the i-th name from the root into s->path. */
static long copy_step(__u32 i, struct build_ctx *ctx)
{
	struct bw_scratch *s = ctx->s;
	__u32 k, off = s->off;
	long len;

	if (i >= s->walk.nnames || s->walk.nnames > PATH_NAMES)
		return 1;
	/* Room for "/" and a name of up to NAME_MAX bytes, or give up. */
	if (off >= BW_PATH_BUF - 258) {
		s->walk.nnames = PATH_NAMES + 1;
		return 1;
	}
	k = (s->walk.nnames - 1 - i) & (PATH_NAMES - 1);
	s->path[off & (BW_PATH_BUF - 1)] = '/';
	off++;
	len = bpf_probe_read_kernel_str(&s->path[off & (BW_PATH_BUF - 1)], 256,
					(const void *)s->walk.names[k]);
	if (len <= 1) {
		s->walk.nnames = PATH_NAMES + 1;
		return 1;
	}
	s->off = off + len - 1;
	return 0;
}

/*
 * Writes into s->path the path of @dentry under @vfsmnt, then "/" and
 * @child's name when @child is set: what d_path does, for the hooks that
 * may not call bpf_d_path. Returns the length, or 0 when it cannot.
 */
static __always_inline __u32 build_path(struct bw_scratch *s, struct dentry *dentry,
					struct vfsmount *vfsmnt, struct dentry *child)
{
	struct build_ctx ctx = {.s = s};

	s->walk.nnames = 0;
	s->off = 0;
	if (child) {
		s->walk.names[0] = (__u64)BPF_CORE_READ(child, d_name.name);
		s->walk.nnames = 1;
	}
	if (!walk_up(&s->walk, dentry, vfsmnt))
		return 0;
	if (!s->walk.nnames) {
		s->path[0] = '/';
		s->path[1] = 0;
		return 1;
	}
	bpf_loop(PATH_NAMES, copy_step, &ctx, 0);
	if (s->walk.nnames > PATH_NAMES || s->off >= BW_PATH_BUF)
		return 0;
	s->path[s->off & (BW_PATH_BUF - 1)] = 0;
	return s->off;
}

/*
 * How a path on @vfsmnt gets its name for the current task. By d_path,
 * usually. From dentries up to the namespace's root when the task is
 * chrooted: d_path would name it from the chroot, which the workload
 * chose. Not at all on a mount of another mount namespace or a detached
 * one (open_tree): names there are not the ones the policy speaks of.
 */
enum naming {
	NAME_NONE,
	NAME_BY_D_PATH,
	NAME_BY_DENTRIES,
	NAME_INTERNAL, /* by d_path too, on one of the kernel's own mounts */
};

#define MNT_NS_INTERNAL                                                                            \
	((struct mnt_namespace *)-22L) /* ERR_PTR(-EINVAL): the kernel's mounts (pipes, memfd) */

/*
 * Whether the task's root is the top of its mount namespace, where d_path
 * names from: the root of a mount stacked straight on the namespace's root
 * mount (switch_root and pivot_root leave the real root so), not a
 * directory inside a mount (chroot).
 */
static __always_inline bool root_is_top(struct task_struct *task, struct mnt_namespace *own)
{
	struct vfsmount *vfsmnt = BPF_CORE_READ(task, fs, root.mnt);
	struct dentry *dentry = BPF_CORE_READ(task, fs, root.dentry);
	struct mount *mnt = real_mount(vfsmnt);
	struct mount *top = BPF_CORE_READ(own, root);
	__u32 i;

	for (i = 0; i < 4; i++) {
		if (dentry != BPF_CORE_READ(mnt, mnt.mnt_root))
			return false;
		if (mnt == top)
			return true;
		dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		mnt = BPF_CORE_READ(mnt, mnt_parent);
	}
	return false;
}

static __always_inline enum naming naming(struct vfsmount *vfsmnt)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mnt_namespace *ns = BPF_CORE_READ(real_mount(vfsmnt), mnt_ns);
	struct mnt_namespace *own = BPF_CORE_READ(task, nsproxy, mnt_ns);

	if (ns == MNT_NS_INTERNAL)
		return NAME_INTERNAL;
	if (!ns || ns != own)
		return NAME_NONE;
	return root_is_top(task, own) ? NAME_BY_D_PATH : NAME_BY_DENTRIES;
}

/* --- verdicts kept with the inode (see bw_verdicts) -------------------------------- */

/*
 * The kernel's own sequence counters of renames (d_move) and of changes to
 * mounts (attach, detach, umount). They move after a change is made, so a
 * tag read before a path was named never matches once the name changed.
 * An odd count means a change is under way: nothing is kept then.
 */
extern const void rename_lock __ksym;
extern const void mount_lock __ksym;

static __always_inline __u32 seq_of(const void *seqlock)
{
	__u32 seq = 1; /* seqlock_t starts with its sequence count */

	bpf_probe_read_kernel(&seq, sizeof(seq), seqlock);
	return seq;
}

/* @inode got another name, or lost one: its kept verdicts are void. */
static __always_inline void forget_verdicts(struct inode *inode)
{
	if (inode)
		bpf_inode_storage_delete(&bw_verdicts, inode);
}

static __always_inline __u64 tag_mix(__u64 h, __u64 v)
{
	h ^= v;
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

#define EXT4_SUPER_MAGIC 0xEF53
#define XFS_SUPER_MAGIC 0x58465342
#define BTRFS_SUPER_MAGIC 0x9123683E
#define TMPFS_MAGIC 0x01021994
#define RAMFS_MAGIC 0x858458f6
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define F2FS_SUPER_MAGIC 0xF2F52010

/*
 * Local file systems, where every rename and link goes through this
 * kernel's hooks and d_move, and nlink is this kernel's: not NFS, FUSE or
 * other file systems that change under the kernel's feet.
 */
static __always_inline bool local_fs(unsigned long magic)
{
	return magic == EXT4_SUPER_MAGIC || magic == XFS_SUPER_MAGIC ||
	       magic == BTRFS_SUPER_MAGIC || magic == TMPFS_MAGIC || magic == RAMFS_MAGIC ||
	       magic == OVERLAYFS_SUPER_MAGIC || magic == F2FS_SUPER_MAGIC;
}

/*
 * The tag of @want by @d's policy on @file: everything its verdict depends
 * on, read before the path is named (0: no verdict may be kept for it, not
 * a regular file with one name on a local file system). The task's root
 * and the file's mount are in it as pointers: a verdict is kept only when
 * name_path() named the file by d_path in the task's own mount namespace
 * (see keep_allow()), and neither pointer can be reused for another mount
 * without the mount counter moving.
 */
static __always_inline __u64 verdict_tag(struct decision *d, struct file *file, __u16 want,
					 bool exec)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct inode *inode = file->f_inode;
	const struct bw_generation *gen;
	struct path where, root;
	__u32 renames, mounts;
	__u64 h;

	if (!inode || inode->__i_nlink != 1 || (inode->i_mode & S_IFMT) != S_IFREG ||
	    !local_fs(inode->i_sb->s_magic))
		return 0;
	renames = seq_of(&rename_lock);
	mounts = seq_of(&mount_lock);
	if ((renames | mounts) & 1)
		return 0;
	gen = bpf_map_lookup_elem(&bw_gens, &d->slot);
	if (!gen)
		return 0;
	/* (copied out: the verifier allows no arithmetic on the pointers themselves) */
	if (bpf_probe_read_kernel(&where, sizeof(where), &file->f_path) ||
	    bpf_probe_read_kernel(&root, sizeof(root), &task->fs->root))
		return 0;
	h = tag_mix(gen->seed, d->generation);
	h = tag_mix(h, (__u64)d->index << 32 | (__u64)want << 1 | exec);
	h = tag_mix(h, (__u64)renames << 32 | mounts);
	h = tag_mix(h, (__u64)where.mnt);
	h = tag_mix(h, (__u64)root.mnt);
	h = tag_mix(h, (__u64)root.dentry);
	h = tag_mix(h, task->nsproxy->mnt_ns->seq);
	if (exec) {
		__s64 sec;
		__u32 nsec;

		inode_ctime(inode, &sec, &nsec);
		h = tag_mix(h, sec);
		h = tag_mix(h, nsec);
	}
	return h | 1;
}

/* Whether @tag is the verdict kept for @file: an allow. */
static __always_inline bool kept_allow(struct file *file, __u64 tag, bool exec)
{
	struct bw_kept_verdict *v;

	if (!tag)
		return false;
	v = bpf_inode_storage_get(&bw_verdicts, file->f_inode, NULL, 0);
	if (!v || (exec ? READ_ONCE(v->exec_tag) : READ_ONCE(v->open_tag)) != tag)
		return false;
	stat_add(BW_STAT_KEPT_USED);
	return true;
}

static __always_inline void keep_allow(struct decision *d, struct file *file, __u64 tag, bool exec)
{
	struct bw_kept_verdict *v;

	if (!tag || d->denied || !d->by_d_path)
		return;
	v = bpf_inode_storage_get(&bw_verdicts, file->f_inode, NULL,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!v)
		return;
	if (exec)
		v->exec_tag = tag;
	else
		v->open_tag = tag;
}

/* Fills s->path with @path's name and hashes it; false when it has none. */
static __always_inline bool name_path(struct decision *d, struct bw_scratch *s, struct path *path)
{
	const struct bw_generation *gen = bpf_map_lookup_elem(&bw_gens, &d->slot);
	struct inode *inode = BPF_CORE_READ(path, dentry, d_inode);
	long n;

	if (!gen)
		return false;
	s->path[0] = 0; /* stays empty when naming fails */
	switch (naming(BPF_CORE_READ(path, mnt))) {
	case NAME_NONE:
		d->why |= BW_WHY_OTHER_NAMESPACE;
		return false;
	case NAME_BY_DENTRIES:
		n = build_path(s, BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt), NULL);
		if (!n) {
			s->path[0] = 0;
			return false;
		}
		return hash_path(s, n, gen->seed);
	case NAME_BY_D_PATH:
		d->by_d_path = 1;
		break;
	case NAME_INTERNAL:
		break;
	}
	n = bpf_d_path(path, s->path, sizeof(s->path));
	if (n <= 1) {
		s->path[0] = 0;
		return false;
	}
	/*
	 * An unlinked file (reopened through /proc/PID/fd, or a memfd) is
	 * named by d_path with " (deleted)" after it: decide on the name it had.
	 */
	if (inode && !BPF_CORE_READ(inode, __i_nlink) && n > 11) {
		__u32 end = (n - 11) & (BW_PATH_BUF - 1);

		if (s->path[end] == ' ' && s->path[(end + 1) & (BW_PATH_BUF - 1)] == '(' &&
		    s->path[(end + 2) & (BW_PATH_BUF - 1)] == 'd') {
			s->path[end] = 0;
			n = end + 1;
		}
	}
	return hash_path(s, n - 1, gen->seed);
}

/*
 * @access of @class (file, or unix socket) on @child in the directory
 * @dentry of @mnt, or on @dentry itself without @child. These hooks may
 * not sleep, so the path is built from the dentries; a path that cannot be
 * built fails closed. With @own_names the path must be in the task's own
 * mount namespace (a unix socket is named where it was bound instead).
 */
static __always_inline int path_hook(__u8 op, __u16 access, __u8 class, struct dentry *dentry,
				     struct vfsmount *mnt, struct dentry *child, bool own_names)
{
	struct decision d = {.op = op, .class = class};
	__u8 deflt = class;
	const struct bw_generation *gen;
	struct bw_scratch *s;
	__u32 claimed = 0, n = 0;
	int ret;

	if (!begin_decision(&d))
		return 0;
	if (class == BULWARK_CLASS_UNIX) {
		deflt = access == BULWARK_ACCESS_CONNECT ? BULWARK_CLASS_EGRESS
							 : BULWARK_CLASS_INGRESS;
		d.direction = access == BULWARK_ACCESS_CONNECT ? BULWARK_EGRESS : BULWARK_INGRESS;
	}
	if (!has_path_entries(d.policy, class) && d.policy->defaults[deflt & 7] == BULWARK_ALLOW) {
		ret = conclude(&d, NULL);
		leave_slot(d.slot);
		return ret;
	}
	gen = bpf_map_lookup_elem(&bw_gens, &d.slot);
	s = claim_scratch(&claimed);
	if (own_names && naming(mnt) == NAME_NONE)
		d.why |= BW_WHY_OTHER_NAMESPACE;
	else if (s)
		n = build_path(s, dentry, mnt, child);
	if (s && gen && n > 0 && hash_path(s, n, gen->seed)) {
		decide_path(&d, s, class, access);
		ret = conclude(&d, s);
	} else {
		stat_add(BW_STAT_UNDECIDABLE);
		d.denied = access;
		d.why |= BW_WHY_UNDECIDABLE;
		/* The event names at least the last component. */
		ret = conclude_named(&d, NULL, BPF_CORE_READ(child ? child : dentry, d_name.name));
	}
	if (s)
		release_scratch(claimed);
	leave_slot(d.slot);
	return ret;
}

/* A change to the file tree: @access on @child in @dir, or on @dir itself. */
static __always_inline int tree_hook(__u8 op, __u16 access, const struct path *dir,
				     struct dentry *child)
{
	return path_hook(op, access, BULWARK_CLASS_FILE, BPF_CORE_READ(dir, dentry),
			 BPF_CORE_READ(dir, mnt), child, true);
}

/*
 * Running code from @file: the file's identity if an exact exec rule named
 * it, else its path under the exec rules; then the file rules' exec bit.
 */
static __always_inline void decide_exec(struct decision *d, struct bw_scratch *s, struct file *file,
					bool named)
{
	const struct bw_identity *id;
	struct bw_identity_key key;
	bool exec_decided = false;
	struct inode *inode;

	file_key(d, file, &key, &inode);
	id = bpf_map_lookup_elem(&bw_identities, &key);
	/* Admitted on a super block that is gone: another file's identity. */
	if (id && !sb_unchanged_since(key.dev, id->admitted))
		id = NULL;

	d->class = BULWARK_CLASS_EXEC;
	if (id) {
		__s64 sec;
		__u32 nsec;

		inode_ctime(inode, &sec, &nsec);
		exec_decided = true;
		if (id->action == BULWARK_DENY) {
			d->denied = BULWARK_ACCESS_EXEC;
			d->rule = id->rule;
			return;
		}
		if (sec != id->ctime_sec || nsec != id->ctime_nsec ||
		    BPF_CORE_READ(inode, i_generation) != id->i_generation) {
			d->denied = BULWARK_ACCESS_EXEC;
			d->rule = id->rule;
			d->why |= BW_WHY_CHANGED;
			return;
		}
	}
	if (!named) {
		/* No name (too long, or no scratch): fail closed. */
		stat_add(BW_STAT_UNDECIDABLE);
		d->denied = BULWARK_ACCESS_EXEC;
		d->rule = 0;
		d->why |= BW_WHY_UNDECIDABLE;
		return;
	}
	if (!exec_decided) {
		decide_path(d, s, BULWARK_CLASS_EXEC, BULWARK_ACCESS_EXEC);
		if (d->denied)
			return;
	}
	decide_path(d, s, BULWARK_CLASS_FILE, BULWARK_ACCESS_EXEC);
	if (!d->denied)
		d->class = BULWARK_CLASS_EXEC;
}

/* Remembers an exec verdict for the file, for a later mprotect of its mapping. */
static __always_inline void cache_exec_verdict(struct decision *d, struct file *file)
{
	struct bw_exec_cache c = {
		.generation = d->generation,
		.policy = d->index,
		.denied = d->denied ? 1 : 0,
		.class = d->class,
		.rule = d->rule,
	};
	struct bw_identity_key key;
	struct bw_exec_cache *old;
	struct inode *inode;

	file_key(d, file, &key, &inode);
	inode_ctime(inode, &c.ctime_sec, &c.ctime_nsec);
	c.i_generation = BPF_CORE_READ(inode, i_generation);
	c.at = sb_clock_now();
	/* Libraries are mapped again and again: write only what changed. */
	old = bpf_map_lookup_elem(&bw_exec_cache, &key);
	if (old && old->generation == c.generation && old->ctime_sec == c.ctime_sec &&
	    old->ctime_nsec == c.ctime_nsec && old->i_generation == c.i_generation &&
	    old->denied == c.denied && old->rule == c.rule && sb_unchanged_since(key.dev, old->at))
		return;
	bpf_map_update_elem(&bw_exec_cache, &key, &c, BPF_ANY);
}

/*
 * This generation's verdict for @file from the exec cache, or NULL: none
 * kept, kept by another generation, for a file since changed (its ctime)
 * or another inode on its number (i_generation), or on a device a newer
 * super block took since (sb_unchanged_since()).
 */
static __always_inline struct bw_exec_cache *valid_exec_verdict(struct decision *d,
								struct file *file)
{
	struct bw_identity_key key;
	struct bw_exec_cache *c;
	struct inode *inode;
	__s64 sec;
	__u32 nsec;

	file_key(d, file, &key, &inode);
	c = bpf_map_lookup_elem(&bw_exec_cache, &key);
	if (!c || c->generation != d->generation || !sb_unchanged_since(key.dev, c->at))
		return NULL;
	inode_ctime(inode, &sec, &nsec);
	if (sec != c->ctime_sec || nsec != c->ctime_nsec ||
	    BPF_CORE_READ(inode, i_generation) != c->i_generation)
		return NULL;
	return c;
}

/*
 * Decides running code from @file. With @report unset (a mapping without
 * PROT_EXEC), only remembers the verdict for a later mprotect.
 */
static __always_inline int exec_hook(struct file *file, __u8 op, bool cache, bool report)
{
	struct decision d = {.op = op};
	struct bw_scratch *s;
	__u32 claimed = 0;
	__u64 tag = 0;
	int slot, ret;
	bool named, answered;

	if (!begin_decision(&d))
		return 0;
	slot = d.slot;
	if (!report && valid_exec_verdict(&d, file)) {
		leave_slot(slot);
		return 0;
	}
	/* Neither exec nor file rules, and defaults that allow: no path needed. */
	answered = !has_path_entries(d.policy, BULWARK_CLASS_EXEC) &&
		   !has_path_entries(d.policy, BULWARK_CLASS_FILE) &&
		   d.policy->defaults[BULWARK_CLASS_EXEC] == BULWARK_ALLOW &&
		   d.policy->defaults[BULWARK_CLASS_FILE] == BULWARK_ALLOW;
	/* Else an allow kept with the inode; overlayfs' backing files are not kept. */
	if (!answered && report && !(file->f_mode & FMODE_BACKING)) {
		tag = verdict_tag(&d, file, BULWARK_ACCESS_EXEC, true);
		answered = kept_allow(file, tag, true);
	}
	if (answered) {
		d.class = BULWARK_CLASS_EXEC;
		if (cache)
			cache_exec_verdict(&d, file);
		ret = report ? conclude(&d, NULL) : 0;
		leave_slot(slot);
		return ret;
	}
	s = claim_scratch(&claimed);
	named = s && name_path(&d, s, &file->f_path);
	decide_exec(&d, named ? s : NULL, file, named);
	if (named)
		keep_allow(&d, file, tag, true);
	if (cache)
		cache_exec_verdict(&d, file);
	ret = report ? conclude(&d, named ? s : NULL) : 0;
	if (s)
		release_scratch(claimed);
	leave_slot(slot);
	return ret;
}

SEC("lsm.s/bprm_check_security")
int BPF_PROG(bulwark_exec, struct linux_binprm *bprm, int ret)
{
	/* An earlier LSM already said no: never turn a denial into an allow. */
	if (ret)
		return ret;
	stat_add(BW_STAT_EXECS);
	return exec_hook(bprm->file, BW_OP_EXEC, false, true);
}

SEC("lsm.s/mmap_file")
int BPF_PROG(bulwark_mmap, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	if (ret)
		return ret;
	if (!file)
		return 0;
	/*
	 * A shared mapping of a file opened for appending writes anywhere in
	 * it (now, or after mprotect): the file must allow writing.
	 */
	if ((flags & MAP_SHARED) && (file->f_mode & FMODE_WRITE) && (file->f_flags & O_APPEND)) {
		ret = tree_hook(BW_OP_MMAP, BULWARK_ACCESS_WRITE, &file->f_path, NULL);
		if (ret)
			return ret;
	}
	/* Not code yet: remember its verdict in case mprotect makes it code. */
	if (!(prot & PROT_EXEC))
		return exec_hook(file, BW_OP_MMAP, true, false);
	/*
	 * The program's own binary, mapped by the kernel during exec (or by
	 * the program later): bprm_check_security decided when it was run.
	 */
	if (user_inode(file) == BPF_CORE_READ(bpf_get_current_task_btf(), mm, exe_file, f_inode))
		return 0;
	return exec_hook(file, BW_OP_MMAP, true, true);
}

/*
 * Making a file mapping executable. This hook may not sleep, so it cannot
 * name the file: it uses the file's identity, or the verdict the mmap or
 * exec of the same file got; with neither it fails closed.
 */
SEC("lsm/file_mprotect")
int BPF_PROG(bulwark_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	struct decision d = {.op = BW_OP_MPROTECT};
	const unsigned char *name;
	struct bw_exec_cache *c;
	struct file *file;
	int slot;

	if (ret)
		return ret;
	if (!(prot & PROT_EXEC) || (vma->vm_flags & VM_EXEC))
		return 0;
	file = vma->vm_file;
	if (!file)
		return 0;
	if (!begin_decision(&d))
		return 0;
	slot = d.slot;
	/* Only the name can be had here: the event names the file by it. */
	name = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	c = valid_exec_verdict(&d, file);
	if (c) {
		d.denied = c->denied ? BULWARK_ACCESS_EXEC : 0;
		d.rule = c->rule;
		d.class = c->class;
	} else {
		decide_exec(&d, NULL, file, false);
	}
	ret = conclude_named(&d, NULL, name);
	leave_slot(slot);
	return ret;
}

static __always_inline void record_admission(struct file *file)
{
	__u32 zero = 0;
	struct bw_admission *a = bpf_map_lookup_elem(&bw_admission, &zero);
	struct inode *inode = user_inode(file);

	if (!a || !inode)
		return;
	a->ino = BPF_CORE_READ(inode, i_ino);
	a->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	inode_ctime(inode, &a->ctime_sec, &a->ctime_nsec);
	a->i_generation = BPF_CORE_READ(inode, i_generation);
	/* The file is open: its super block keeps the device until after this. */
	a->at = sb_clock_now();
	__sync_fetch_and_add(&a->sequence, 1);
}

#define CGROUP2_SUPER_MAGIC 0x63677270
#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC 0x62656572
#define BINFMTFS_MAGIC 0x42494e4d
#define CGROUP_SUPER_MAGIC 0x27e0eb

/* A dentry's name, up to 15 bytes, zero-padded: compared with NAME_IS(). */
static __always_inline void short_name(struct dentry *dentry, __u64 name[2])
{
	name[0] = name[1] = 0;
	bpf_probe_read_kernel_str(name, 2 * sizeof(__u64), BPF_CORE_READ(dentry, d_name.name));
}

#define NAME_IS(name, literal)                                                                     \
	({                                                                                         \
		__u64 lit_[2] = {};                                                                \
		__builtin_memcpy(lit_, literal, sizeof(literal) - 1);                              \
		(name)[0] == lit_[0] && (name)[1] == lit_[1];                                      \
	})

static __always_inline bool is_root(struct dentry *dentry)
{
	return BPF_CORE_READ(dentry, d_parent) == dentry;
}

/*
 * Whether opening @file for writing could move a task out of its policy:
 * @file is cgroup.procs or cgroup.threads of a cgroup that another policy,
 * or none, governs (bw_governing(), as for the task itself).
 */
static __always_inline bool may_leave_policy(struct decision *d, struct file *file)
{
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	__u64 name[2];
	const struct bw_generation *gen;
	struct kernfs_node *kn;
	struct cgroup *cgroup;
	__u32 found;

	if (BPF_CORE_READ(dentry, d_sb, s_magic) != CGROUP2_SUPER_MAGIC)
		return false;
	short_name(dentry, name);
	if (!NAME_IS(name, "cgroup.procs") && !NAME_IS(name, "cgroup.threads"))
		return false;
	gen = bpf_map_lookup_elem(&bw_gens, &d->slot);
	if (!gen)
		return true;
	/* The destination cgroup: a cgroup2 directory's kernfs node points at it. */
	kn = BPF_CORE_READ(dentry, d_parent, d_inode, i_private);
	cgroup = kn ? BPF_CORE_READ(kn, priv) : NULL;
	if (!cgroup || BPF_CORE_READ(cgroup, level) >= BW_CGROUP_DEPTH_MAX)
		return true; /* deeper than bindings can be: not ours to judge, fail closed */
	found = bw_governing(d->slot, (__u64)cgroup, BPF_CORE_READ(kn, id));
	return found != (__u32)d->index + 1;
}

/*
 * Whether @dentry chooses a program the kernel itself runs, outside the
 * workload's cgroup: /proc/sys/kernel/{core_pattern,modprobe,poweroff_cmd,
 * hotplug}, /proc/sys/fs/ocfs2/nm/hb_ctl_path, /sys/kernel/uevent_helper,
 * a module parameter
 * (/sys/module/M/parameters/P), any file of binfmt_misc, release_agent of
 * a cgroup v1 hierarchy. The same list as kmod/kernel_helpers.c.
 */
static __always_inline bool sets_kernel_helper(struct dentry *dentry)
{
	unsigned long magic = BPF_CORE_READ(dentry, d_sb, s_magic);
	struct dentry *parent, *above;
	__u64 name[2], up[2], top[2];

	if (magic == BINFMTFS_MAGIC)
		return true;
	if (magic != CGROUP_SUPER_MAGIC && magic != PROC_SUPER_MAGIC && magic != SYSFS_MAGIC)
		return false;
	short_name(dentry, name);
	if (magic == CGROUP_SUPER_MAGIC)
		return NAME_IS(name, "release_agent");
	parent = BPF_CORE_READ(dentry, d_parent);
	above = BPF_CORE_READ(parent, d_parent);
	short_name(parent, up);
	short_name(above, top);
	if (magic == PROC_SUPER_MAGIC && NAME_IS(name, "hb_ctl_path"))
		return NAME_IS(up, "nm") && NAME_IS(top, "ocfs2");
	if (magic == PROC_SUPER_MAGIC)
		return NAME_IS(up, "kernel") && NAME_IS(top, "sys") &&
		       is_root(BPF_CORE_READ(above, d_parent)) &&
		       (NAME_IS(name, "core_pattern") || NAME_IS(name, "modprobe") ||
			NAME_IS(name, "poweroff_cmd") || NAME_IS(name, "hotplug"));
	if (NAME_IS(up, "kernel") && is_root(above))
		return NAME_IS(name, "uevent_helper");
	short_name(BPF_CORE_READ(above, d_parent), top);
	return NAME_IS(up, "parameters") && NAME_IS(top, "module");
}

/* Whether @p decides what runs: exec rules, or a default that is not allow. */
static __always_inline bool decides_exec(const struct bw_policy *p)
{
	return has_path_entries(p, BULWARK_CLASS_EXEC) ||
	       p->defaults[BULWARK_CLASS_EXEC] != BULWARK_ALLOW;
}

/*
 * Why writing @file is refused whatever the rules say (BW_WHY_*), or 0:
 * it moves tasks out of the policy, or it chooses what the kernel runs.
 */
static __always_inline __u8 refused_write(struct decision *d, struct file *file)
{
	if (may_leave_policy(d, file))
		return BW_WHY_ESCAPE;
	if (decides_exec(d->policy) && sets_kernel_helper(BPF_CORE_READ(file, f_path.dentry)))
		return BW_WHY_KERNEL_HELPER;
	return 0;
}

SEC("lsm.s/file_open")
int BPF_PROG(bulwark_open, struct file *file, int ret)
{
	struct decision d = {.op = BW_OP_OPEN};
	unsigned int flags = file->f_flags;
	fmode_t mode = file->f_mode;
	__u32 zero = 0, claimed = 0;
	struct bw_config *cfg;
	struct bw_scratch *s;
	__u16 want = 0;
	__u64 tag = 0;
	bool answered;
	int slot;

	if (ret)
		return ret;
	/* The kernel's own opens (overlayfs opening its real files) are not the user's. */
	if (mode & FMODE_NOACCOUNT)
		return 0;
	cfg = bpf_map_lookup_elem(&bw_config, &zero);
	if (cfg && cfg->admit_tid) {
		/* The controller's thread, by its id in its own pid namespace. */
		struct bpf_pidns_info ns = {};

		if (!bpf_get_ns_current_pid_tgid(cfg->admit_pidns_dev, cfg->admit_pidns_ino, &ns,
						 sizeof(ns)) &&
		    ns.pid == cfg->admit_tid)
			record_admission(file);
	}
	/* Opened to be run (open_exec): the exec and mmap hooks decide. */
	if ((mode & FMODE_EXEC) || (flags & FMODE_EXEC))
		return 0;
	if (mode & FMODE_READ)
		want |= BULWARK_ACCESS_READ;
	if (mode & FMODE_WRITE)
		want |= (flags & O_APPEND) ? BULWARK_ACCESS_APPEND : BULWARK_ACCESS_WRITE;
	/* The kernel truncates on O_TRUNC even for O_RDONLY; a new file has nothing to lose. */
	if ((flags & O_TRUNC) && !(mode & FMODE_CREATED))
		want |= BULWARK_ACCESS_TRUNCATE;
	if (mode & FMODE_CREATED)
		want |= BULWARK_ACCESS_CREATE;
	if (!want)
		return 0;

	if (!begin_decision(&d))
		return 0;
	slot = d.slot;
	/* Settings no policy rule can grant: leaving the cgroup, choosing what the kernel runs. */
	if (mode & FMODE_WRITE)
		d.why = refused_write(&d, file);
	if (d.why) {
		d.denied = want;
		d.class = BULWARK_CLASS_FILE;
		ret = conclude_named(&d, NULL, BPF_CORE_READ(file, f_path.dentry, d_name.name));
		leave_slot(slot);
		return ret;
	}
	/* No file rule at all and an allowing default: no path needed. Else a kept allow. */
	answered = !has_path_entries(d.policy, BULWARK_CLASS_FILE) &&
		   d.policy->defaults[BULWARK_CLASS_FILE] == BULWARK_ALLOW;
	if (!answered) {
		tag = verdict_tag(&d, file, want, false);
		answered = kept_allow(file, tag, false);
	}
	if (answered) {
		d.class = BULWARK_CLASS_FILE;
		ret = conclude(&d, NULL);
		leave_slot(slot);
		return ret;
	}
	s = claim_scratch(&claimed);
	if (!s) {
		stat_add(BW_STAT_UNDECIDABLE);
		d.denied = want;
		d.why |= BW_WHY_UNDECIDABLE;
		d.class = BULWARK_CLASS_FILE;
		ret = conclude(&d, NULL);
		leave_slot(slot);
		return ret;
	}
	if (name_path(&d, s, &file->f_path)) {
		decide_path(&d, s, BULWARK_CLASS_FILE, want);
		keep_allow(&d, file, tag, false);
		ret = conclude(&d, s);
	} else if (s->path[0] != '/' && s->path[0] != 0) {
		/* Pseudo files (pipe:[n], anon_inode:...) have no path: not ours. */
		ret = 0;
	} else {
		/* A path that cannot be named (too long): fail closed. */
		stat_add(BW_STAT_UNDECIDABLE);
		d.denied = want;
		d.why |= BW_WHY_UNDECIDABLE;
		d.class = BULWARK_CLASS_FILE;
		ret = conclude(&d, NULL);
	}
	release_scratch(claimed);
	leave_slot(slot);
	return ret;
}

/*
 * Ends @d, begun for writing through a descriptor it did not open (one
 * opened before the policy, or received): refused, with its event, when
 * opening @file for writing would be refused whatever the rules say.
 */
static __always_inline int decide_descriptor_write(struct decision *d, struct file *file)
{
	int ret = 0;

	d->why = refused_write(d, file);
	if (d->why) {
		d->denied =
			(file->f_flags & O_APPEND) ? BULWARK_ACCESS_APPEND : BULWARK_ACCESS_WRITE;
		ret = conclude_named(d, NULL, BPF_CORE_READ(file, f_path.dentry, d_name.name));
	}
	leave_slot(d->slot);
	return ret;
}

/*
 * A write to a descriptor the workload opened before it came under its
 * policy (or inherited from a process that opened it then): what file_open
 * refuses it to open for writing, it may not write either. Every read and
 * write passes here; anything but a write to a file of the pseudo file
 * systems those settings live on returns at once.
 */
SEC("lsm/file_permission")
int BPF_PROG(bulwark_file_permission, struct file *file, int mask, int ret)
{
	struct decision d = {.op = BW_OP_WRITE, .class = BULWARK_CLASS_FILE};
	unsigned long magic;

	if (ret || !(mask & MAY_WRITE))
		return ret;
	magic = file->f_inode->i_sb->s_magic;
	if (magic != PROC_SUPER_MAGIC && magic != SYSFS_MAGIC && magic != BINFMTFS_MAGIC &&
	    magic != CGROUP_SUPER_MAGIC && magic != CGROUP2_SUPER_MAGIC)
		return 0;
	if (!begin_decision(&d))
		return 0;
	return decide_descriptor_write(&d, file);
}

/* --- changes to the file tree -------------------------------------------------- */

/*
 * A descriptor received (SCM_RIGHTS, pidfd_getfd) is an open made by
 * another process: one of the settings file_open refuses a workload
 * (moving tasks out of its policy, choosing what the kernel runs), opened
 * for writing elsewhere, may not be received either.
 */
SEC("lsm.s/file_receive")
int BPF_PROG(bulwark_file_receive, struct file *file, int ret)
{
	struct decision d = {.op = BW_OP_RECEIVE, .class = BULWARK_CLASS_FILE};
	fmode_t mode = file->f_mode;

	if (ret)
		return ret;
	if (!(mode & FMODE_WRITE) || !begin_decision(&d))
		return 0;
	return decide_descriptor_write(&d, file);
}

SEC("lsm/path_unlink")
int BPF_PROG(bulwark_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	/* A file with two names left with one: kept while it had one, before a link. */
	forget_verdicts(dentry->d_inode);
	return tree_hook(BW_OP_UNLINK, BULWARK_ACCESS_UNLINK, dir, dentry);
}

SEC("lsm/path_mkdir")
int BPF_PROG(bulwark_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode, int ret)
{
	return ret ?: tree_hook(BW_OP_MKDIR, BULWARK_ACCESS_MKDIR, dir, dentry);
}

SEC("lsm/path_rmdir")
int BPF_PROG(bulwark_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
	return ret ?: tree_hook(BW_OP_RMDIR, BULWARK_ACCESS_RMDIR, dir, dentry);
}

/* mknod, mkfifo, and the socket file of a unix bind: creating a file. */
SEC("lsm/path_mknod")
int BPF_PROG(bulwark_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
	     unsigned int dev, int ret)
{
	if (ret)
		return ret;
	ret = tree_hook(BW_OP_MKNOD, BULWARK_ACCESS_CREATE, dir, dentry);
	/* A unix socket bound at a path: decided on the path it really gets. */
	if (!ret && (mode & S_IFMT) == S_IFSOCK)
		ret = path_hook(BW_OP_BIND, BULWARK_ACCESS_BIND, BULWARK_CLASS_UNIX,
				BPF_CORE_READ(dir, dentry), BPF_CORE_READ(dir, mnt), dentry, true);
	return ret;
}

SEC("lsm/path_symlink")
int BPF_PROG(bulwark_symlink, const struct path *dir, struct dentry *dentry, const char *old_name,
	     int ret)
{
	return ret ?: tree_hook(BW_OP_SYMLINK, BULWARK_ACCESS_SYMLINK, dir, dentry);
}

/* A new name for a file: decided on the new name. */
SEC("lsm/path_link")
int BPF_PROG(bulwark_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	forget_verdicts(old_dentry->d_inode);
	return tree_hook(BW_OP_LINK, BULWARK_ACCESS_LINK, new_dir, new_dentry);
}

/* Both the name a file leaves and the name it takes need rename access. */
SEC("lsm/path_rename")
int BPF_PROG(bulwark_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	struct inode *moved = old_dentry->d_inode, *target = new_dentry->d_inode;

	if (ret)
		return ret;
	/* (a rename moves rename_lock's count: kept verdicts below a directory go too) */
	forget_verdicts(moved);
	forget_verdicts(target);
	ret = tree_hook(BW_OP_RENAME, BULWARK_ACCESS_RENAME, old_dir, old_dentry);
	return ret ?: tree_hook(BW_OP_RENAME, BULWARK_ACCESS_RENAME, new_dir, new_dentry);
}

/* truncate(2), and ftruncate(2) before 6.2; O_TRUNC is decided at open. */
SEC("lsm/path_truncate")
int BPF_PROG(bulwark_truncate, const struct path *path, int ret)
{
	return ret ?: tree_hook(BW_OP_TRUNCATE, BULWARK_ACCESS_TRUNCATE, path, NULL);
}

/*
 * ftruncate(2) (also through io_uring) from 6.2 on, where it no longer
 * reaches path_truncate. Not loaded where the kernel has no such hook.
 */
SEC("lsm/file_truncate")
int BPF_PROG(bulwark_file_truncate, struct file *file, int ret)
{
	return ret ?: tree_hook(BW_OP_TRUNCATE, BULWARK_ACCESS_TRUNCATE, &file->f_path, NULL);
}

SEC("lsm/path_chmod")
int BPF_PROG(bulwark_chmod, const struct path *path, umode_t mode, int ret)
{
	return ret ?: tree_hook(BW_OP_SETATTR, BULWARK_ACCESS_SETATTR, path, NULL);
}

/* (kuid_t and kgid_t are structs, which BPF_PROG cannot take: the context by hand.) */
SEC("lsm/path_chown")
int bulwark_chown(unsigned long long *ctx)
{
	const struct path *path = (const struct path *)ctx[0];
	int ret = (int)ctx[3];

	return ret ?: tree_hook(BW_OP_SETATTR, BULWARK_ACCESS_SETATTR, path, NULL);
}

/* --- names and scope ---------------------------------------------------------- */

#define MS_REMOUNT 32
#define MS_BIND 4096
#define MS_UNBINDABLE (1 << 17)
#define MS_PRIVATE (1 << 18)
#define MS_SLAVE (1 << 19)
#define MS_SHARED (1 << 20)
#define CLONE_INTO_CGROUP 0x200000000ull

/* Whether @p decides on names: file, exec or unix socket path rules. */
static __always_inline bool names_matter(const struct bw_policy *p)
{
	return has_path_entries(p, BULWARK_CLASS_FILE) || has_path_entries(p, BULWARK_CLASS_EXEC) ||
	       has_path_entries(p, BULWARK_CLASS_UNIX);
}

/*
 * An operation that would let a workload give files other names (a mount,
 * chroot, a user namespace to do them in) or leave its cgroup: denied to a
 * task whose policy decides on names, or with @always to any task under a
 * policy. The event names @path when there is one.
 */
static __always_inline int operation_hook(__u8 op, __u8 why, bool always, const struct path *path)
{
	struct decision d = {.op = op, .class = BULWARK_CLASS_FILE, .why = why};
	struct bw_scratch *s = NULL;
	__u32 claimed = 0;
	int ret = 0;

	if (!begin_decision(&d))
		return 0;
	if (always || names_matter(d.policy)) {
		d.denied = BW_ACCESS_OPERATION;
		s = claim_scratch(&claimed);
		if (s && path) {
			if (!build_path(s, BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt),
					NULL))
				s->path[0] = 0;
		} else if (s && op == BW_OP_USERNS) {
			__builtin_memcpy(s->path, "user namespace", 15);
		} else if (s) {
			__builtin_memcpy(s->path, "CLONE_INTO_CGROUP", 18);
		}
		ret = conclude(&d, s);
		if (s)
			release_scratch(claimed);
	}
	leave_slot(d.slot);
	return ret;
}

/*
 * A super block set up by get_tree, before any mount shows it: a new one
 * (no mount yet) takes its device from whatever had it before (see
 * bw_sb_changes). One found again (a second mount of a device) keeps it.
 */
SEC("lsm/sb_set_mnt_opts")
int BPF_PROG(bulwark_sb_set_mnt_opts, struct super_block *sb, void *mnt_opts,
	     unsigned long kern_flags, unsigned long *set_kern_flags, int ret)
{
	if (ret)
		return ret;
	/* No room to record it: a file system that could pass for another is not mounted. */
	if (BPF_CORE_READ(sb, s_mounts.next) == &sb->s_mounts)
		return sb_stamp(BPF_CORE_READ(sb, s_dev));
	return 0;
}

/* A new mount, a bind mount or a move; changing flags or propagation names nothing anew. */
SEC("lsm/sb_mount")
int BPF_PROG(bulwark_mount, const char *dev_name, const struct path *path, const char *type,
	     unsigned long flags, void *data, int ret)
{
	if (ret)
		return ret;
	/* As path_mount() reads them: MS_BIND before the propagation flags. */
	if ((flags & MS_REMOUNT) ||
	    (!(flags & MS_BIND) && (flags & (MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED))))
		return 0;
	return operation_hook(BW_OP_MOUNT, BW_WHY_NAMES, false, path);
}

SEC("lsm/move_mount")
int BPF_PROG(bulwark_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	if (ret)
		return ret;
	return operation_hook(BW_OP_MOUNT, BW_WHY_NAMES, false, to_path);
}

SEC("lsm/sb_pivotroot")
int BPF_PROG(bulwark_pivotroot, const struct path *old_path, const struct path *new_path, int ret)
{
	if (ret)
		return ret;
	return operation_hook(BW_OP_MOUNT, BW_WHY_NAMES, false, new_path);
}

SEC("lsm/path_chroot")
int BPF_PROG(bulwark_chroot, const struct path *path, int ret)
{
	return ret ?: operation_hook(BW_OP_CHROOT, BW_WHY_NAMES, false, path);
}

/* In a user namespace of its own a task may mount and chroot. */
SEC("lsm/userns_create")
int BPF_PROG(bulwark_userns, const struct cred *cred, int ret)
{
	return ret ?: operation_hook(BW_OP_USERNS, BW_WHY_NAMES, false, NULL);
}

/*
 * A mount option that chooses a program the kernel runs (cgroup v1's
 * release_agent=), wherever it is given: mount(2), a remount, fsconfig(2).
 * Returning 0 lets the hook's default (-ENOPARAM: not an LSM's option) stand.
 */
SEC("lsm/fs_context_parse_param")
int BPF_PROG(bulwark_fs_param, struct fs_context *fc, struct fs_parameter *param, int ret)
{
	struct decision d = {
		.op = BW_OP_MOUNT, .class = BULWARK_CLASS_FILE, .why = BW_WHY_KERNEL_HELPER};
	__u64 type[2] = {}, key[2] = {};
	const char *name;

	if (ret)
		return ret;
	bpf_probe_read_kernel_str(type, sizeof(type), BPF_CORE_READ(fc, fs_type, name));
	if (!NAME_IS(type, "cgroup"))
		return 0;
	name = BPF_CORE_READ(param, key);
	bpf_probe_read_kernel_str(key, sizeof(key), name);
	if (!NAME_IS(key, "release_agent"))
		return 0;
	if (!begin_decision(&d))
		return 0;
	if (decides_exec(d.policy)) {
		d.denied = BW_ACCESS_OPERATION;
		ret = conclude_named(&d, NULL, (const unsigned char *)name);
	}
	leave_slot(d.slot);
	return ret;
}

/*
 * Loading code into the kernel: a module (finit_module, init_module) or a
 * kernel to kexec (kexec_file_load, kexec_load). The kernel would run it
 * outside every policy, with parameters of the loader's choosing (a module
 * parameter can name a helper program). Under a policy that decides what
 * runs, a workload may not; under the host policy, which also decides the
 * programs the kernel starts (modprobe), a file is decided as running it
 * (@file), and code from memory is denied. @name: the event's object
 * when there is no file.
 */
static __always_inline int kernel_code_hook(struct file *file, __u8 op, const char *name)
{
	struct decision d = {.op = op, .class = BULWARK_CLASS_EXEC, .why = BW_WHY_KERNEL_CODE};
	bool host;
	int ret = 0;

	if (!begin_decision(&d))
		return 0;
	host = d.host;
	if (decides_exec(d.policy) && !(file && host)) {
		d.denied = BW_ACCESS_OPERATION;
		ret = conclude_named(&d, NULL,
				     file ? BPF_CORE_READ(file, f_path.dentry, d_name.name)
					  : (const unsigned char *)name);
		leave_slot(d.slot);
		return ret;
	}
	leave_slot(d.slot);
	if (file && host)
		return exec_hook(file, op, false, true);
	return 0;
}

SEC("lsm.s/kernel_read_file")
int BPF_PROG(bulwark_kernel_read_file, struct file *file, enum kernel_read_file_id id,
	     bool contents, int ret)
{
	if (ret)
		return ret;
	if (id == READING_MODULE)
		return kernel_code_hook(file, BW_OP_MODULE, NULL);
	if (id == READING_KEXEC_IMAGE || id == READING_KEXEC_INITRAMFS)
		return kernel_code_hook(file, BW_OP_KEXEC, NULL);
	return 0;
}

SEC("lsm/kernel_load_data")
int BPF_PROG(bulwark_kernel_load_data, enum kernel_load_data_id id, bool contents, int ret)
{
	if (ret)
		return ret;
	if (id == LOADING_MODULE)
		return kernel_code_hook(NULL, BW_OP_MODULE, "init_module");
	if (id == LOADING_KEXEC_IMAGE)
		return kernel_code_hook(NULL, BW_OP_KEXEC, "kexec_load");
	return 0;
}

/* clone3 with CLONE_INTO_CGROUP starts the child in a cgroup of the caller's choosing. */
SEC("lsm/task_alloc")
int BPF_PROG(bulwark_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	if (ret || !(clone_flags & CLONE_INTO_CGROUP))
		return ret;
	return operation_hook(BW_OP_CLONE, BW_WHY_ESCAPE, true, NULL);
}

/*
 * Dropping O_APPEND from a file opened for appending: the file must allow
 * writing, as if it had been opened without O_APPEND.
 */
SEC("lsm/file_fcntl")
int BPF_PROG(bulwark_fcntl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	if (cmd != F_SETFL || !(file->f_mode & FMODE_WRITE) || !(file->f_flags & O_APPEND) ||
	    (arg & O_APPEND))
		return 0;
	return tree_hook(BW_OP_FCNTL, BULWARK_ACCESS_WRITE, &file->f_path, NULL);
}

/* --- network -------------------------------------------------------------------- */

/* The index of the highest set bit of @x (not 0). */
static __always_inline __u32 highest_bit(__u64 x)
{
	__u32 r = 0;

	if (x >> 32) {
		x >>= 32;
		r += 32;
	}
	if (x >> 16) {
		x >>= 16;
		r += 16;
	}
	if (x >> 8) {
		x >>= 8;
		r += 8;
	}
	if (x >> 4) {
		x >>= 4;
		r += 4;
	}
	if (x >> 2) {
		x >>= 2;
		r += 2;
	}
	if (x >> 1)
		r += 1;
	return r;
}

/* The top @plen bits of a 64-bit word (@plen <= 64). */
static __always_inline __u64 top_bits(__u32 plen)
{
	if (plen >= 64)
		return ~0ull;
	if (!plen)
		return 0;
	return ~0ull << (64 - plen);
}

/*
 * The rules of one prefix's run (@first, @count in bw_net_rules of @slot)
 * that apply to @protocol and @port; deny wins. Returns 0 when none
 * applies, else 1 << 40 | action << 32 | rule. Global functions like this
 * one are verified once, not once per state of each caller.
 */
__noinline __u64 net_run_decide(__u32 slot, __u32 first, __u32 count, __u32 protocol, __u32 port)
{
	__u64 found = 0;
	__u32 i;

	for (i = 0; i < BW_NET_RUN_MAX; i++) {
		__u32 key = (slot << 31) | (first + i);
		const struct bw_net_rule *r;

		if (i >= count)
			break;
		r = bpf_map_lookup_elem(&bw_net_rules, &key);
		if (!r)
			break;
		if (r->protocol != BULWARK_PROTO_ANY && r->protocol != protocol)
			continue;
		if (port < r->port_min || port > r->port_max)
			continue;
		if (!found || r->action == BULWARK_DENY)
			found = 1ull << 40 | (__u64)r->action << 32 | r->rule;
	}
	return found;
}

struct prefix_ctx {
	struct bw_net_key key;
	__u64 w0, w1, w2; /* prefix lengths with rules not probed yet */
	__u64 hi, lo;
	__u64 found;
	__u32 full, protocol, port;
};

/* Probes the longest prefix length not probed yet; 1 when done. */
static long prefix_step(__u32 i, struct prefix_ctx *c)
{
	const struct bw_net_run *v;
	__u64 masked[2];
	__u32 plen, bit;

	if (c->w2) {
		bit = highest_bit(c->w2);
		c->w2 &= ~(1ull << bit);
		plen = 128 + bit;
	} else if (c->w1) {
		bit = highest_bit(c->w1);
		c->w1 &= ~(1ull << bit);
		plen = 64 + bit;
	} else if (c->w0) {
		bit = highest_bit(c->w0);
		c->w0 &= ~(1ull << bit);
		plen = bit;
	} else {
		return 1;
	}
	if (plen > c->full)
		return 0;
	masked[0] = c->hi & bpf_cpu_to_be64(top_bits(plen < 64 ? plen : 64));
	masked[1] = c->lo & bpf_cpu_to_be64(top_bits(plen > 64 ? plen - 64 : 0));
	__builtin_memcpy(c->key.addr, masked, sizeof(masked));
	c->key.prefix_len = plen;
	v = bpf_map_lookup_elem(&bw_nets, &c->key);
	if (!v)
		return 0;
	c->found = net_run_decide(c->key.slot, v->first, v->count, c->protocol, c->port);
	return c->found ? 1 : 0;
}

/*
 * The longest prefix with a rule for the operation: @who packs slot << 40 |
 * policy index << 24 | direction << 16 | family << 8 | protocol; @hi and
 * @lo are the address as two big-endian words. Probes only the prefix
 * lengths the policy has rules of, longest first. Returns what
 * net_run_decide() returns, 0 when no rule applies (the default decides).
 */
__noinline __u64 net_decide(__u64 who, __u32 port, __u64 hi, __u64 lo)
{
	__u32 slot = (who >> 40) & 1, policy = (who >> 24) & 0xffff;
	__u8 direction = who >> 16, family = who >> 8;
	__u32 index = slot * BW_POLICY_MAX + (policy & (BW_POLICY_MAX - 1));
	bool egress = direction == BULWARK_EGRESS;
	const struct bw_policy *p = bpf_map_lookup_elem(&bw_policies, &index);
	struct prefix_ctx c = {
		.key =
			{
				.policy = policy,
				.slot = slot,
				.direction = direction,
				.family = family,
			},
		.hi = hi,
		.lo = lo,
		.full = family == BULWARK_FAMILY_INET ? 32 : 128,
		.protocol = (__u8)who,
		.port = port,
	};

	if (!p)
		return 0;
	if (c.full == 32) {
		c.w0 = egress ? p->egress_v4 : p->ingress_v4;
	} else {
		c.w0 = egress ? p->egress_v6[0] : p->ingress_v6[0];
		c.w1 = egress ? p->egress_v6[1] : p->ingress_v6[1];
		c.w2 = egress ? p->egress_v6[2] : p->ingress_v6[2];
	}
	if (c.w0 | c.w1 | c.w2)
		bpf_loop(129, prefix_step, &c, 0);
	return c.found;
}

/* Decides the IP operation described by d (family, addr, port, protocol, direction). */
static __always_inline void decide_net(struct decision *d)
{
	const struct bw_policy *p = d->policy;
	__u8 class = d->direction == BULWARK_EGRESS ? BULWARK_CLASS_EGRESS : BULWARK_CLASS_INGRESS;
	__u64 words[2], found;

	__builtin_memcpy(words, d->addr, sizeof(words));
	found = net_decide((__u64)d->slot << 40 | (__u64)d->index << 24 |
				   (__u64)d->direction << 16 | (__u64)d->family << 8 | d->protocol,
			   d->port, words[0], words[1]);
	d->class = class;
	if (found) {
		d->denied = ((found >> 32) & 0xff) == BULWARK_DENY ? BULWARK_ACCESS_CONNECT : 0;
		d->rule = (__u32)found;
	} else {
		d->denied = p->defaults[class] == BULWARK_DENY ? BULWARK_ACCESS_CONNECT : 0;
		d->rule = 0;
	}
}

static __always_inline __u8 socket_protocol(struct socket *sock)
{
	struct sock *sk = sock->sk;
	short type = sock->type;
	__u16 proto = sk ? sk->sk_protocol : 0;

	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6 || type == SOCK_RAW)
		return BULWARK_PROTO_ICMP;
	if (type == SOCK_STREAM && (proto == IPPROTO_TCP || proto == IPPROTO_MPTCP || !proto))
		return BULWARK_PROTO_TCP;
	if (type == SOCK_DGRAM && (proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE || !proto))
		return BULWARK_PROTO_UDP;
	return BW_PROTO_OTHER;
}

struct sockaddr_any {
	__u16 family;
	union {
		struct {
			__u16 port;
			__u8 addr[4];
		} in;
		struct {
			__u16 port;
			__u32 flowinfo;
			__u8 addr[16];
		} __attribute__((packed)) in6;
		char sun_path[109]; /* one more than the kernel's: always terminated */
	};
};

/*
 * A unix socket operation on an abstract name (or an automatic one, when
 * @len is 0): there is no path, the direction's default decides. Names that
 * are paths are decided on the socket file the kernel finds or creates
 * (unix_stream_connect, unix_may_send, path_mknod), not on the name given.
 */
static __always_inline int abstract_unix_hook(struct decision *d, const char *sun, __u32 len,
					      __u16 access)
{
	__u8 dir_class =
		access == BULWARK_ACCESS_CONNECT ? BULWARK_CLASS_EGRESS : BULWARK_CLASS_INGRESS;
	struct bw_scratch *s;
	__u32 claimed = 0;
	int ret;

	d->class = dir_class;
	d->denied = d->policy->defaults[dir_class & 7] == BULWARK_DENY ? access : 0;
	d->rule = 0;
	s = claim_scratch(&claimed);
	if (s) {
		s->path[0] = '@';
		s->path[1] = 0;
		if (len > 1)
			bpf_probe_read_kernel_str(&s->path[1], len < 108 ? len : 108, sun + 1);
	}
	ret = conclude(d, s);
	if (s)
		release_scratch(claimed);
	return ret;
}

static __always_inline bool is_unspecified(const struct decision *d)
{
	__u64 words[2];

	__builtin_memcpy(words, d->addr, sizeof(words));
	return !words[0] && !words[1];
}

/*
 * A dual-stack socket bound to "::" (IPV6_V6ONLY unset) takes IPv4 too: it
 * must also pass the IPv4 rules, as 0.0.0.0 on the same port.
 */
static __always_inline void decide_dual_stack(struct decision *d, struct sock *sk)
{
	struct decision v4;

	if (d->denied || d->family != BULWARK_FAMILY_INET6 || !is_unspecified(d) || !sk ||
	    (d->protocol != BULWARK_PROTO_TCP && d->protocol != BULWARK_PROTO_UDP))
		return; /* (raw and ping ICMPv6 sockets take no IPv4) */
	if (BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_ipv6only))
		return;
	v4 = *d;
	v4.family = BULWARK_FAMILY_INET;
	decide_net(&v4);
	if (v4.denied)
		*d = v4;
}

/*
 * An operation on @address (kernel memory, @addrlen bytes): IP in @direction,
 * or a unix socket path.
 */
static __always_inline int address_hook(struct socket *sock, void *address, int addrlen, __u8 op,
					__u8 direction)
{
	struct decision d = {.op = op, .direction = direction};
	struct sockaddr_any sa = {};
	__u32 len = addrlen;
	int ret = 0;

	if (!address || addrlen < 2)
		return 0;
	if (len > sizeof(sa))
		len = sizeof(sa);
	if (bpf_probe_read_kernel(&sa, len & 0x7f, address))
		return 0;
	/*
	 * UDP and raw sendmsg and inet bind take an address of family 0 as
	 * their socket's own family (connect: it means disconnect).
	 */
	if (sa.family == 0 && op != BW_OP_CONNECT)
		sa.family = BPF_CORE_READ(sock, sk, __sk_common.skc_family);
	if (sa.family != AF_INET && sa.family != AF_INET6 && sa.family != AF_UNIX)
		return 0;
	if (sa.family == AF_INET && len < 8)
		return 0;
	if (sa.family == AF_INET6 && len < 24)
		return 0;
	if (sa.family == AF_UNIX && len > 2 && sa.sun_path[0])
		return 0; /* a path: decided on the socket file itself */

	if (!begin_decision(&d))
		return 0;
	if (sa.family == AF_UNIX) {
		ret = abstract_unix_hook(&d, sa.sun_path, len - 2,
					 direction == BULWARK_EGRESS ? BULWARK_ACCESS_CONNECT
								     : BULWARK_ACCESS_BIND);
		goto out;
	}
	d.protocol = socket_protocol(sock);
	if (sa.family == AF_INET) {
		d.family = BULWARK_FAMILY_INET;
		d.port = bpf_ntohs(sa.in.port);
		__builtin_memcpy(d.addr, sa.in.addr, 4);
	} else {
		const __u8 *a = sa.in6.addr;

		d.port = bpf_ntohs(sa.in6.port);
		/* An IPv4-mapped address is IPv4: match it against IPv4 rules. */
		if (!a[0] && !a[1] && !a[2] && !a[3] && !a[4] && !a[5] && !a[6] && !a[7] && !a[8] &&
		    !a[9] && a[10] == 0xff && a[11] == 0xff) {
			d.family = BULWARK_FAMILY_INET;
			__builtin_memcpy(d.addr, a + 12, 4);
		} else {
			d.family = BULWARK_FAMILY_INET6;
			__builtin_memcpy(d.addr, a, 16);
		}
	}
	/* An unspecified destination (0.0.0.0, ::) is the local host: loopback. */
	if (direction == BULWARK_EGRESS && is_unspecified(&d)) {
		if (d.family == BULWARK_FAMILY_INET) {
			d.addr[0] = 127;
			d.addr[3] = 1;
		} else {
			d.addr[15] = 1;
		}
	}
	decide_net(&d);
	if (direction == BULWARK_INGRESS)
		decide_dual_stack(&d, BPF_CORE_READ(sock, sk));
	ret = conclude(&d, NULL);
out:
	leave_slot(d.slot);
	return ret;
}

SEC("lsm.s/socket_connect")
int BPF_PROG(bulwark_connect, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	if (ret)
		return ret;
	return address_hook(sock, address, addrlen, BW_OP_CONNECT, BULWARK_EGRESS);
}

SEC("lsm.s/socket_sendmsg")
int BPF_PROG(bulwark_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	if (ret)
		return ret;
	/* Without an address the socket is connected, and connect decided. */
	return address_hook(sock, BPF_CORE_READ(msg, msg_name), BPF_CORE_READ(msg, msg_namelen),
			    BW_OP_SENDMSG, BULWARK_EGRESS);
}

SEC("lsm.s/socket_bind")
int BPF_PROG(bulwark_bind, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	if (ret)
		return ret;
	return address_hook(sock, address, addrlen, BW_OP_BIND, BULWARK_INGRESS);
}

/*
 * Connecting or sending to a unix socket bound at a path: decided on the
 * path the socket was bound at, in its own mount namespace, whatever name
 * (symlink, relative, /proc/PID/root/...) the caller used to reach it.
 */
static __always_inline int unix_peer_hook(struct sock *other, __u8 op)
{
	struct unix_sock *peer = (void *)other;
	struct dentry *dentry = BPF_CORE_READ(peer, path.dentry);

	if (!dentry)
		return 0; /* abstract or unbound: decided by its name at connect */
	return path_hook(op, BULWARK_ACCESS_CONNECT, BULWARK_CLASS_UNIX, dentry,
			 BPF_CORE_READ(peer, path.mnt), NULL, false);
}

SEC("lsm/unix_stream_connect")
int BPF_PROG(bulwark_unix_connect, struct sock *sock, struct sock *other, struct sock *newsk,
	     int ret)
{
	return ret ?: unix_peer_hook(other, BW_OP_CONNECT);
}

/* Datagrams: at connect, and at every send (connected or not). */
SEC("lsm/unix_may_send")
int BPF_PROG(bulwark_unix_send, struct socket *sock, struct socket *other, int ret)
{
	return ret ?: unix_peer_hook(BPF_CORE_READ(other, sk), BW_OP_SENDMSG);
}

#define AF_NETLINK 16

/*
 * Sockets of families that rules cannot speak of (packet, vsock, ...) reach
 * the network or the host around them: where egress is denied by default,
 * they are denied at creation. Unix, IP and netlink sockets are decided by
 * address.
 */
SEC("lsm/socket_create")
int BPF_PROG(bulwark_socket_create, int family, int type, int protocol, int kern, int ret)
{
	struct decision d = {.op = BW_OP_SOCKET, .class = BULWARK_CLASS_EGRESS};
	struct bw_scratch *s;
	__u32 claimed = 0;

	if (ret || kern || family == AF_UNIX || family == AF_INET || family == AF_INET6 ||
	    family == AF_NETLINK)
		return ret;
	if (!begin_decision(&d))
		return 0;
	if (d.policy->defaults[BULWARK_CLASS_EGRESS] == BULWARK_DENY) {
		d.denied = BW_ACCESS_OPERATION;
		s = claim_scratch(&claimed);
		if (s) {
			__builtin_memcpy(s->path, "family ", 7);
			s->path[7] = '0' + ((__u32)family / 10) % 10;
			s->path[8] = '0' + (__u32)family % 10;
			s->path[9] = 0;
		}
		ret = conclude(&d, s);
		if (s)
			release_scratch(claimed);
	}
	leave_slot(d.slot);
	return ret;
}

/* listen and accept: ingress rules match the socket's local address and port. */
static __always_inline int local_address_hook(struct socket *sock, __u8 op)
{
	struct decision d = {.op = op, .direction = BULWARK_INGRESS};
	struct sock *sk = BPF_CORE_READ(sock, sk);
	__u16 family;
	int ret = 0;

	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0; /* unix: bind decided */
	if (!begin_decision(&d))
		return 0;
	d.protocol = socket_protocol(sock);
	d.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (family == AF_INET) {
		__u32 a = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		d.family = BULWARK_FAMILY_INET;
		__builtin_memcpy(d.addr, &a, 4);
	} else {
		struct in6_addr a6 = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);
		const __u8 *a = a6.in6_u.u6_addr8;

		if (!a[0] && !a[1] && !a[2] && !a[3] && !a[4] && !a[5] && !a[6] && !a[7] && !a[8] &&
		    !a[9] && a[10] == 0xff && a[11] == 0xff) {
			d.family = BULWARK_FAMILY_INET;
			__builtin_memcpy(d.addr, a + 12, 4);
		} else {
			d.family = BULWARK_FAMILY_INET6;
			__builtin_memcpy(d.addr, a, 16);
		}
	}
	decide_net(&d);
	decide_dual_stack(&d, sk);
	ret = conclude(&d, NULL);
	leave_slot(d.slot);
	return ret;
}

SEC("lsm.s/socket_listen")
int BPF_PROG(bulwark_listen, struct socket *sock, int backlog, int ret)
{
	if (ret)
		return ret;
	return local_address_hook(sock, BW_OP_LISTEN);
}

SEC("lsm.s/socket_accept")
int BPF_PROG(bulwark_accept, struct socket *sock, struct socket *newsock, int ret)
{
	if (ret)
		return ret;
	return local_address_hook(sock, BW_OP_ACCEPT);
}
