/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between bulwark's BPF LSM programs (lsm-bpf/bulwark.bpf.c)
 * and the controller (controller/bpf_*.c): the layout of every pinned map
 * and of the event records. Both sides include this file; a change to any
 * structure here bumps BW_LAYOUT_VERSION, and the controller refuses to
 * adopt pinned maps of another layout.
 *
 * Generations. Everything a policy generation consists of is keyed by a
 * slot (0 or 1). The controller fills the inactive slot, then flips
 * config.active with one map update; a program reads config.active once
 * and uses that slot for its whole run. Before the controller clears or
 * reuses a slot it waits until no program is still running on it: each
 * program counts itself in readers[slot] (per CPU; BPF programs do not
 * migrate), then re-reads config.active and backs off if the flip happened
 * meanwhile.
 *
 * Paths. The controller translates the policy image's path rules into
 * entries keyed by (slot, policy, class, match, seeded 64-bit hash of the
 * path, length), each verified by a second, independent 32-bit hash
 * (check). Entries are flattened at apply time so the program never walks
 * runs of rules:
 *   EXACT    the complete verdict for that path, every access bit (computed
 *            with the decision core, kmod/core/decide.c);
 *   SUBTREE  for each access bit, the nearest enclosing subtree rule,
 *            looking from this directory up; bits no subtree rule covers
 *            are left to the class default;
 *   GLOB     a list (first, count) of glob entries in glob_rules, ordered
 *            so that the first pattern that matches a name and covers an
 *            access bit decides that bit (longest literal first, deny
 *            before allow).
 * A lookup is then: the exact entry; else globs of the parent directory,
 * then the deepest subtree entry (only depths the policy has, see
 * bw_policy.subtree_depths) for the bits still open, then the default.
 */
#ifndef BULWARK_LSM_MAPS_H
#define BULWARK_LSM_MAPS_H

#define BW_LAYOUT_VERSION 8

#define BW_PIN_DIR "/sys/fs/bpf/bulwark"

#define BW_SLOTS 2
/* Policy indexes per slot: the applied image's, then bulwark exec sessions'. */
#define BW_POLICY_MAX 8192
#define BW_SESSION_BASE 4096
#define BW_POLICY_ENTRIES (BW_SLOTS * BW_POLICY_MAX) /* policies and counters maps */
#define BW_CGROUP_DEPTH_MAX 32 /* cgroup ancestors looked at */
#define BW_DEPTH_MAX 64 /* path components with rules: depths 0..63 */
#define BW_PATH_BUF 4096 /* bpf_d_path buffer */
#define BW_GLOB_PART_MAX 64 /* literal bytes before and after a glob's '*' */
#define BW_GLOB_RUN_MAX 128 /* glob entries in one directory */
#define BW_NET_RUN_MAX 64 /* rules on one prefix */
#define BW_ACCESS_BITS 13 /* BULWARK_ACCESS_FILE_ALL */
#define BW_SCRATCH_SLOTS 4 /* concurrent decisions per CPU */
#define BW_CGROUP_GLOBS_MAX 64 /* cgroup: selectors per slot */
#define BW_CGROUP_GLOB_LEN 256 /* bytes of one, with its NUL */
#define BW_CGROUP_NAME_MAX 255 /* bytes of a cgroup's name (kernfs) */

/* Map sizes. Hash maps are not preallocated: memory follows the rules. */
#define BW_PATH_ENTRIES (2u << 22)
#define BW_GLOB_ENTRIES (1u << 20)
#define BW_NET_ENTRIES (2u << 22)
#define BW_IDENTITY_ENTRIES (1u << 18)
#define BW_CGROUP_ENTRIES (1u << 16)
#define BW_EVENT_RING (4u << 20)

struct bw_config {
	__u32 layout; /* BW_LAYOUT_VERSION */
	__u32 active; /* the slot programs use */
	__u32 admit_tid; /* see bw_admission: in the pid namespace below */
	__u32 reserved;
	__u64 admit_pidns_dev; /* the controller's pid namespace (stat of /proc/self/ns/pid) */
	__u64 admit_pidns_ino;
};

/* The hash maps whose keys hold a slot, as bw_generation.entries counts them. */
enum bw_slot_map {
	BW_SLOT_CGROUPS,
	BW_SLOT_PATHS,
	BW_SLOT_GLOBS,
	BW_SLOT_IDENTITIES,
	BW_SLOT_NETS,
	BW_SLOT_NET_RULES,
	__BW_SLOT_MAPS
};

/*
 * What a slot holds, for the controller that clears it (the programs never
 * read it). Walking a large hash map costs the same empty or full, so a
 * clear walks only the maps the slot has entries in, when it knows.
 */
enum bw_slot_contents {
	BW_SLOT_UNKNOWN = 0, /* being filled, or left by an interrupted run: walk every map */
	BW_SLOT_EMPTY, /* cleared: nothing to walk */
	BW_SLOT_COUNTED, /* filled completely: entries[] says where */
};

/* Per slot: the generation in it. */
struct bw_generation {
	__u64 generation; /* 0: the slot holds nothing */
	__u64 seed; /* path hash seed of this generation (secret) */
	__u32 host_policy; /* 1 + policy index for everything outside others, or 0 */
	__u32 policy_count; /* of the applied image */
	__u32 contents; /* enum bw_slot_contents */
	__u32 entries[__BW_SLOT_MAPS]; /* with BW_SLOT_COUNTED: entries in each map */
	/* Selectors bind cgroups too (see bw_cgroup_key): 0 or 1. */
	__u32 selected;
	__u32 cgroup_globs; /* bw_cgroup_globs[slot * BW_CGROUP_GLOBS_MAX + i], i below this */
	__u64 container_lengths; /* bit n - 1: a container: selector of n digits */
};

#define BW_POLICY_HAS_UNIX_RULES (1u << 0)
/* Entries of a class exist (shifted by enum bulwark_class: EXEC, FILE, UNIX). */
#define BW_POLICY_HAS_EXACT (1u << 1)
#define BW_POLICY_HAS_GLOB (1u << 4)

/* policies[slot * BW_POLICY_MAX + index] */
struct bw_policy {
	char name[64];
	__u8 valid;
	__u8 mode; /* enum bulwark_mode */
	__u8 defaults[5]; /* enum bulwark_action by enum bulwark_class */
	__u8 flags; /* BW_POLICY_* */
	__u64 subtree_depths[3]; /* by class EXEC, FILE, UNIX: bit d = entries at depth d */
	__u64 egress_v4; /* bit n: a /n rule exists */
	__u64 egress_v6[3];
	__u64 ingress_v4;
	__u64 ingress_v6[3];
	__u32 rule_count;
	__u32 reserved;
};

/*
 * Cgroups. An entry of bw_cgroups binds a cgroup by its id (selector 0):
 * the controller's bindings (bulwark exec's sessions, and the cgroups a
 * selector named at apply). With bw_generation.selected, a selector binds
 * too: the first time a program decides a task in a cgroup that none of
 * its ancestors' ids binds, it looks each ancestor's name up (seeded hash
 * as for paths, in cgroup, with selector BW_SELECTOR_KEY(kind, length)) and
 * matches the slot's cgroup globs, by the rules of kmod/core/selector.h:
 *   systemdUnit   the name, where every ancestor above is a slice;
 *   container     the first n digits of the container id in the name (one
 *                 key per n in container_lengths), outside a user manager;
 *   cgroup        bw_cgroup_globs, component by component.
 * The policy with the lowest index wins among a name's selectors; an id
 * binding beats a selector on the same cgroup; the deepest cgroup decides.
 * The answer is kept in bw_policy_cache for the generation.
 */
struct bw_cgroup_key {
	__u64 cgroup; /* cgroup v2 id (the directory's inode number), or a name's hash */
	__u32 slot;
	__u32 selector; /* 0, or BW_SELECTOR_KEY() */
};

#define BW_SELECTOR_KEY(kind, len) (0x80000000u | ((__u32)(kind) << 16) | (__u32)(len))

struct bw_cgroup_glob {
	__u32 policy; /* index */
	__u8 depth; /* components, 1 to BW_CGROUP_DEPTH_MAX - 1 */
	__u8 reserved[3];
	__u8 start[BW_CGROUP_DEPTH_MAX]; /* component d + 1 at pattern[start[d]] ... */
	__u8 len[BW_CGROUP_DEPTH_MAX]; /* ... of len[d] bytes */
	char pattern[BW_CGROUP_GLOB_LEN];
};

struct bw_path_key {
	__u64 hash;
	__u16 len;
	__u16 policy;
	__u8 slot;
	__u8 class; /* enum bulwark_class: EXEC, FILE, UNIX */
	__u8 match; /* enum bulwark_match */
	__u8 reserved;
};

/* An EXACT exec entry whose file is admitted by identity (bw_identity). */
#define BW_PATH_IDENTITY (1u << 0)

struct bw_path_value {
	__u32 check; /* second hash of the path */
	__u16 allow; /* access bits this entry allows */
	__u16 deny; /* access bits this entry denies */
	__u32 first; /* GLOB: first glob_rules index */
	__u16 count; /* GLOB: entries */
	__u8 flags; /* BW_PATH_* */
	__u8 reserved;
	__u32 rule[BW_ACCESS_BITS]; /* deciding rule id by access bit, 0: default */
};

/* glob_rules key: slot << 31 | index */
struct bw_glob_rule {
	__u16 allow;
	__u16 deny;
	__u8 prefix_len;
	__u8 suffix_len;
	__u16 reserved;
	__u32 rule;
	char prefix[BW_GLOB_PART_MAX];
	char suffix[BW_GLOB_PART_MAX];
};

/*
 * A file named by an EXACT exec rule, as the kernel identifies it: the
 * device and inode number of its inode, and its ctime and generation when
 * the controller admitted it. Any change to the inode (write, truncate,
 * chmod, link) changes ctime, and a changed file is not the file that was
 * admitted; a new inode given a freed number has another i_generation on
 * the file systems that draw one (ext4, xfs, tmpfs), whatever ctime root
 * gives it by setting the clock.
 */
struct bw_identity_key {
	__u64 ino;
	__u32 dev;
	__u16 policy;
	__u8 slot;
	__u8 reserved;
};

struct bw_identity {
	__s64 ctime_sec;
	__u64 admitted; /* bw_sb_clock tick of the admission (bw_admission.at) */
	__u32 ctime_nsec;
	__u8 action; /* enum bulwark_action */
	__u8 reserved[3];
	__u32 rule;
	__u32 i_generation; /* the inode's, at admission: a new inode on a freed number differs */
};

/*
 * Admission: while config.admit_tid is set, file_open records here how the
 * kernel identifies each file that thread opens, so the controller learns
 * identities exactly as the hooks will see them (overlayfs and bind mounts
 * included) rather than as stat(2) reports them.
 */
struct bw_admission {
	__u64 ino;
	__u32 dev;
	__u32 ctime_nsec;
	__s64 ctime_sec;
	__u64 at; /* bw_sb_clock's tick when it was recorded */
	__u64 sequence; /* bumped by each record */
	__u32 i_generation;
	__u32 reserved;
};

/*
 * When each device number last changed hands. A device number, above all
 * an anonymous one (tmpfs, overlayfs, FUSE, btrfs subvolumes), is given to
 * a new super block once the old one is gone, and a FUSE server chooses
 * what its inodes' numbers and ctimes are: an identity, or a kept exec
 * verdict, recorded for a file of the old super block would be taken by a
 * file of the new one. So each new super block, when get_tree has set it
 * up and before any mount shows it (sb_set_mnt_opts), stamps its device
 * with the next tick of bw_sb_clock, and what was recorded of a file at
 * tick T holds only while its device's stamp is at most T. A super block
 * whose stamp cannot be recorded is refused (its mount fails with ENOMEM):
 * anonymous device numbers are given lowest first, so the numbers ever
 * stamped are about as many as were ever in use at once, and there is
 * room for 131072 of them.
 * (The old super block's free comes too late to mark anything: 6.12 frees
 * it after an RCU grace period, when the device may long be the new one's.)
 */
struct bw_sb_change {
	__u64 at; /* tick */
};

struct bw_sb_clock {
	__u64 now; /* the last tick given */
};

#define BW_SB_CHANGE_ENTRIES (1u << 17)

struct bw_net_key {
	__u8 addr[16];
	__u16 policy;
	__u8 slot;
	__u8 direction; /* enum bulwark_direction */
	__u8 family; /* enum bulwark_family */
	__u8 prefix_len;
	__u8 reserved[2];
};

struct bw_net_run {
	__u32 first; /* net_rules index */
	__u32 count;
};

/* net_rules key: slot << 31 | index */
struct bw_net_rule {
	__u16 port_min;
	__u16 port_max;
	__u8 protocol; /* enum bulwark_protocol */
	__u8 action;
	__u16 reserved;
	__u32 rule;
};

/* counters[slot * BW_POLICY_MAX + index], per CPU */
struct bw_counters {
	__u64 allowed;
	__u64 denied;
	__u64 audited;
};

enum bw_stat {
	BW_STAT_HOOK_RUNS, /* decisions started */
	BW_STAT_EVENTS_DROPPED, /* the ring buffer was full */
	BW_STAT_UNDECIDABLE, /* no path (too long, no scratch): failed closed */
	BW_STAT_EXECS, /* bprm_check_security runs (probe) */
	BW_STAT_KEPT_USED, /* decisions answered by a verdict kept with the inode */
	__BW_STAT_MAX
};

enum bw_op {
	BW_OP_EXEC,
	BW_OP_MMAP,
	BW_OP_MPROTECT,
	BW_OP_OPEN,
	BW_OP_CONNECT,
	BW_OP_SENDMSG,
	BW_OP_BIND,
	BW_OP_LISTEN,
	BW_OP_ACCEPT,
	BW_OP_UNLINK,
	BW_OP_MKDIR,
	BW_OP_RMDIR,
	BW_OP_MKNOD,
	BW_OP_SYMLINK,
	BW_OP_LINK,
	BW_OP_RENAME,
	BW_OP_TRUNCATE,
	BW_OP_SETATTR,
	BW_OP_FCNTL, /* F_SETFL dropping O_APPEND from a writable file */
	BW_OP_MOUNT, /* mount, move_mount, pivot_root */
	BW_OP_CHROOT,
	BW_OP_USERNS, /* creating a user namespace */
	BW_OP_CLONE, /* clone3 with CLONE_INTO_CGROUP */
	BW_OP_SOCKET, /* a socket of a family no rule can name */
	BW_OP_MODULE, /* loading a kernel module (finit_module, init_module) */
	BW_OP_KEXEC, /* loading a kernel to kexec (kexec_file_load, kexec_load) */
	BW_OP_RECEIVE, /* receiving a descriptor (SCM_RIGHTS, pidfd_getfd) */
	BW_OP_WRITE, /* writing a descriptor opened before the policy (file_permission) */
	__BW_OP_MAX
};

enum bw_verdict {
	BW_VERDICT_DENY,
	BW_VERDICT_AUDIT,
};

/* Why a denial happened beyond "a rule or default said so". */
#define BW_WHY_CHANGED (1u << 0) /* the admitted file changed or was replaced */
#define BW_WHY_UNDECIDABLE (1u << 1) /* no path to decide on: failed closed */
#define BW_WHY_UNIX_RELATIVE (1u << 2) /* relative or abstract unix socket name */
#define BW_WHY_NAMES (1u << 3) /* would change the names the policy decides on */
#define BW_WHY_ESCAPE (1u << 4) /* would move the task out of its policy's cgroup */
#define BW_WHY_OTHER_NAMESPACE (1u << 5) /* a file on a mount of another namespace */
#define BW_WHY_KERNEL_HELPER (1u << 6) /* would choose a program the kernel runs */
#define BW_WHY_KERNEL_CODE (1u << 7) /* would load code into the kernel */

/* In bw_event.access: the operation itself was denied (mount, chroot, ...). */
#define BW_ACCESS_OPERATION 0x8000

#define BW_OBJECT_MAX 512
#define BW_EXE_MAX 256

struct bw_event {
	__u64 time_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u64 cgroup;
	__u64 generation;
	__u32 pid;
	__u32 tid;
	__u32 rule; /* 0: the class default decided */
	__u16 policy;
	__u8 op; /* enum bw_op */
	__u8 verdict; /* enum bw_verdict */
	__u16 access; /* the denied access bit(s) */
	__u8 class; /* enum bulwark_class that decided */
	__u8 why; /* BW_WHY_* */
	__u8 family; /* 0: object is a path; else enum bulwark_family */
	__u8 protocol; /* enum bulwark_protocol, or 0xff: other */
	__u16 port;
	__u8 addr[16];
	char comm[16];
	char exe[BW_EXE_MAX];
	char object[BW_OBJECT_MAX];
};

/* The path hashes; the controller computes the same over rule paths. */
#define BW_HASH_BASIS 0xcbf29ce484222325ull
#define BW_HASH_PRIME 0x100000001b3ull
#define BW_CHECK_BASIS 0x811c9dc5u
#define BW_CHECK_PRIME 0x01000193u

static inline __u64 bw_hash_init(__u64 seed)
{
	return BW_HASH_BASIS ^ seed;
}

static inline __u32 bw_check_init(__u64 seed)
{
	return BW_CHECK_BASIS ^ (__u32)(seed >> 32) ^ (__u32)seed * 0x9e3779b9u;
}

static inline __u64 bw_hash_step(__u64 h, __u8 c)
{
	return (h ^ c) * BW_HASH_PRIME;
}

static inline __u32 bw_check_step(__u32 h, __u8 c)
{
	return ((h ^ c) * BW_CHECK_PRIME) ^ (h >> 15);
}

#endif /* BULWARK_LSM_MAPS_H */
