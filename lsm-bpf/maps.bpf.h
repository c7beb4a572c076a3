/* SPDX-License-Identifier: GPL-2.0 */
/* bulwark's BPF maps, pinned by name under BW_PIN_DIR; layouts in bulwark_maps.h. */
#ifndef BULWARK_MAPS_BPF_H
#define BULWARK_MAPS_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bw_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BW_SLOTS);
	__type(key, __u32);
	__type(value, struct bw_generation);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_gens SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BW_POLICY_ENTRIES);
	__type(key, __u32);
	__type(value, struct bw_policy);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_policies SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BW_CGROUP_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bw_cgroup_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BW_SLOTS *BW_CGROUP_GLOBS_MAX);
	__type(key, __u32);
	__type(value, struct bw_cgroup_glob);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_cgroup_globs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BW_PATH_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bw_path_key);
	__type(value, struct bw_path_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_paths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BW_GLOB_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct bw_glob_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_globs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BW_IDENTITY_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bw_identity_key);
	__type(value, struct bw_identity);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_identities SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bw_admission);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_admission SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BW_SB_CHANGE_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32); /* dev */
	__type(value, struct bw_sb_change);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_sb_changes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bw_sb_clock);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_sb_clock SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BW_NET_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bw_net_key);
	__type(value, struct bw_net_run);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_nets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BW_NET_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct bw_net_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_net_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BW_POLICY_ENTRIES);
	__type(key, __u32);
	__type(value, struct bw_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, __BW_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BW_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_readers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, BW_EVENT_RING);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bw_events SEC(".maps");

/* Per-CPU working memory; claimed through bw_scratch_busy (see claim_scratch). */
/* A path's components, leaf first, gathered by walking up its dentries and mounts. */
struct name_walk {
	__u64 dentry, vfsmnt; /* where the walk is; dentry 0 once at the top */
	__u32 nnames;
	__u32 reserved;
	__u64 names[32];
};

struct bw_scratch {
	char path[BW_PATH_BUF];
	__u64 hash[BW_DEPTH_MAX];
	__u32 check[BW_DEPTH_MAX];
	__u16 len[BW_DEPTH_MAX];
	__u64 full_hash;
	__u32 full_check;
	__u32 full_len;
	__u32 depth; /* components of the full path */
	struct name_walk walk; /* build_path() */
	__u32 off;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BW_SCRATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct bw_scratch);
} bw_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BW_SCRATCH_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} bw_scratch_busy SEC(".maps");

/* Which policy governs a cgroup (1 + index, or 0), as of a generation. */
struct bw_policy_cache {
	__u64 generation;
	__u32 found;
	__u32 reserved;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1 << 14);
	__type(key, struct bw_cgroup_key);
	__type(value, struct bw_policy_cache);
} bw_policy_cache SEC(".maps");

/* The last exec verdict for a file, for mprotect (which cannot name it). */
struct bw_exec_cache {
	__u64 generation;
	__u64 at; /* bw_sb_clock's tick when it was kept */
	__s64 ctime_sec;
	__u32 ctime_nsec;
	__u16 policy;
	__u8 denied;
	__u8 class;
	__u32 rule;
	__u32 i_generation;
};

/* Keyed like bw_identities, by the file as the user opened it (see user_inode()). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1 << 16);
	__type(key, struct bw_identity_key);
	__type(value, struct bw_exec_cache);
} bw_exec_cache SEC(".maps");

/*
 * The allow verdict a file last got from a path decision, kept with its
 * inode so that the next open or exec of it needs no path. It holds while
 * the path it was decided on is still the file's name: the file has one
 * name (nlink 1) and is reached on the same mount of the same mount
 * namespace (whose sequence numbers are never reused) from the same root,
 * and nothing was renamed and no mount changed since (the kernel's
 * rename_lock and mount_lock counts); for exec, the file is unchanged
 * (ctime). A link, unlink or rename of the file drops its verdicts.
 * Denials are never kept: their events need the path.
 */
struct bw_kept_verdict {
	/*
	 * A tag of everything the verdict depends on (see verdict_tag()), or 0.
	 * One 64-bit word, so that racing writers cannot leave a torn mix.
	 */
	__u64 open_tag;
	__u64 exec_tag;
};

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bw_kept_verdict);
} bw_verdicts SEC(".maps");

#endif /* BULWARK_MAPS_BPF_H */
