/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * bulwark: the contract between bulwark.ko and its controller.
 *
 * The module registers the generic netlink family BULWARK_GENL_NAME in the
 * initial network namespace. BULWARK_GENL_VERSION is the ABI version: it
 * changes whenever a command or attribute changes meaning, and the
 * controller refuses to talk to a module whose ABI it does not know.
 *
 * Loading policy
 * --------------
 *
 * A generation is staged, then activated in one step:
 *
 *   LOAD_BEGIN            -> STAGE token; discards anything staged before
 *   LOAD_IMAGE ...        one or more images (chunked), each with the
 *                         policy index its first policy gets
 *   LOAD_BIND ...         which cgroups each policy governs
 *   LOAD_IDENTITY ...     the files exact exec rules name, by identity
 *   ACTIVATE              validates what is staged and swaps it in (RCU)
 *
 * Every staging command carries the STAGE token LOAD_BEGIN returned; a
 * token that is not the current one gets ESTALE (another controller began
 * since). Any error in LOAD_IMAGE, LOAD_BIND or LOAD_IDENTITY (but for
 * LOAD_IDENTITY's ENOENT and ESTALE) after the token was accepted discards
 * the whole staging; the running generation is never touched until
 * ACTIVATE succeeds.
 *
 * Commands (all but GET_VERSION and GET_STATUS need CAP_NET_ADMIN in the
 * initial user namespace: EPERM otherwise)
 * --------
 *
 * BULWARK_CMD_GET_VERSION      no attributes; any user.
 *   Reply: ABI_VERSION (u32, == BULWARK_GENL_VERSION), MODULE_VERSION
 *   (string, at most BULWARK_MODULE_VERSION_MAX bytes with the NUL).
 *
 * BULWARK_CMD_LOAD_BEGIN       no attributes.
 *   Reply: STAGE (u32).
 *
 * BULWARK_CMD_LOAD_IMAGE       STAGE, IMAGE_INDEX (u32, < BULWARK_IMAGES_MAX),
 *                              OFFSET (u64), CHUNK (binary, 1 to
 *                              BULWARK_CHUNK_MAX bytes); with OFFSET 0 also
 *                              IMAGE_SIZE (u64) and POLICY_BASE (u32), and
 *                              optionally SELECTED (flag).
 *   Chunks of one image arrive in order: OFFSET must be the number of bytes
 *   received so far. With the last byte the image is decoded and validated
 *   whole (kmod/core/image.c); its policies become indexes POLICY_BASE ..
 *   POLICY_BASE + count - 1, which must not overlap another image's and
 *   stay below BULWARK_POLICY_INDEX_MAX. With SELECTED, the image's
 *   policies' selectors name cgroups: a cgroup no LOAD_BIND names, and none
 *   of whose ancestors it names, is decided by them (kmod/core/selector.h)
 *   the first time the module decides a task in it, and that answer is kept
 *   for the generation. So a cgroup created after ACTIVATE (a restarted
 *   unit, a new container) is governed before its first operation.
 *
 * BULWARK_CMD_LOAD_BIND        STAGE, CGROUP_ID (u64, the cgroup v2 id:
 *                              the inode number of its directory), POLICY (u32).
 *   The policy must be one of a complete staged image. A cgroup is bound
 *   to one policy; its descendants follow it unless bound themselves.
 *
 * BULWARK_CMD_LOAD_IDENTITY    STAGE, POLICY, PATH (string), ACTION (u8,
 *                              enum bulwark_action), RULE (u32),
 *                              CTIME_SEC (u64), CTIME_NSEC (u32),
 *                              optionally FD (u32).
 *   The file an exact exec rule of POLICY names. With FD, the file is the
 *   one open on that descriptor of the sending process (the controller's,
 *   which it read and hashed), whatever PATH names by now; without it the
 *   module resolves PATH itself. The file is admitted (ACTION) only if its
 *   ctime is the one the controller saw when it read it: else ESTALE, and
 *   nothing is admitted (the staging stays). ENOENT: no such file; EBADF:
 *   FD is not an open descriptor.
 *
 * BULWARK_CMD_ACTIVATE         STAGE, optionally HOST_POLICY (u32: 1 + the
 *                              index of the policy for tasks under no bound
 *                              cgroup; 0 or absent: none).
 *   Every staged image must be complete (EINVAL). Reply: GENERATION (u64).
 *   The previous generation is freed once no hook uses it.
 *
 * BULWARK_CMD_CLEAR            no attributes. Drops the running generation
 *   and anything staged: nothing is enforced. Reply: GENERATION (u64).
 *
 * BULWARK_CMD_GET_STATUS       no attributes; any user.
 *   Reply: GENERATION (u64, 0: none), POLICY_COUNT (u32), HOOKS (u32, how
 *   many kernel functions are hooked), and the counters DECISIONS,
 *   DENIED, AUDITED, EVENTS_LOST, EVENTS_QUEUED, UNDECIDABLE (u64 each).
 *
 * BULWARK_CMD_FLUSH_EVENTS     optional EVENTS_ACK (u64).
 *   With EVENTS_ACK, the events up to that EV_SEQ were logged by the
 *   requester: they are dropped. Then sends the oldest events still
 *   queued, at most BULWARK_FLUSH_MAX, to the "events" multicast group,
 *   keeping them queued until a flush acknowledges them, and replies
 *   EVENTS_QUEUED (u64): how many are queued past those sent. A reader
 *   flushes again, acknowledging what it logged, until a flush sends
 *   nothing; a reader that dies before it acknowledges leaves its events
 *   to the next flush (sent again: at least once, never lost). Subscribe
 *   before flushing to receive them; with no subscriber nothing is sent and
 *   the events stay queued. A subscriber whose receive buffer is full
 *   misses what is sent meanwhile (its socket reports ENOBUFS): the
 *   requester's buffer holds one flush.
 *
 * Multicast group BULWARK_MCGRP_EVENTS
 * ------------------------------------
 *
 * BULWARK_CMD_EVENT            one denial or audit hit: EV_* attributes,
 *   and EV_SEQ (u64): its number, from 1 in queueing order since the module
 *   was loaded.
 *   Events are queued in the module (at most BULWARK_EVENTS_QUEUED; past
 *   that the oldest is dropped and counted in EVENTS_LOST) until a
 *   FLUSH_EVENTS sends them.
 * BULWARK_CMD_EVENTS_PENDING   EVENTS_QUEUED (u64): events are waiting;
 *   sent at most once per queueing burst so listeners know to flush.
 *
 * Errors
 * ------
 *
 *   EINVAL      an attribute the command does not take, a missing one, or
 *               one of the wrong type or size (attribute policies are
 *               strict); an IMAGE_INDEX not below BULWARK_IMAGES_MAX; a
 *               CHUNK empty or longer than BULWARK_CHUNK_MAX; a PATH that is
 *               not absolute or not shorter than BULWARK_PATH_MAX; a chunk
 *               out of order or past IMAGE_SIZE; an IMAGE_INDEX staged
 *               twice; a CTIME_NSEC not below 10^9; an ACTION that is not
 *               an enum bulwark_action; a cgroup bound twice; a
 *               HOST_POLICY no complete staged image has; an image
 *               the decoder rejects as malformed; a binding or identity of
 *               a policy no staged image has; ACTIVATE with an incomplete
 *               image. The extack message says which.
 *   EBADMSG     an image whose checksum is wrong
 *   EPROTO      an image of another ABI version
 *   E2BIG       an IMAGE_SIZE past BULWARK_IMAGE_SIZE_MAX; an image with
 *               more policies, rules or strings than bulwark_image.h allows
 *               (the decoder); policy indexes
 *               reaching BULWARK_POLICY_INDEX_MAX; more bindings or
 *               identities than BULWARK_BINDINGS_MAX or
 *               BULWARK_IDENTITIES_MAX; all staged images together past
 *               BULWARK_STAGE_BYTES_MAX
 *   ESTALE      a STAGE token that is not current; an identity whose file
 *               changed or is not a regular file
 *   ENOENT      LOAD_IDENTITY: no such file (the lookup failed)
 *   EBADF       LOAD_IDENTITY: FD is not an open descriptor
 *   EPERM       a state-changing command without CAP_NET_ADMIN (refused by
 *               generic netlink itself, without an extack message)
 *   EOPNOTSUPP  a command number this module does not know, or a dump
 *               request (NLM_F_DUMP): no command dumps
 *   ENOMEM      memory could not be allocated
 *   ERANGE      a flag attribute (SELECTED) that carries a payload
 *               (refused by generic netlink's attribute validation)
 *
 * Attribute numbers and command numbers are never reused; new ones are only
 * ever added before the __BULWARK_*_LAST / __BULWARK_CMD_MAX markers.
 */
#ifndef _UAPI_LINUX_BULWARK_H
#define _UAPI_LINUX_BULWARK_H

#define BULWARK_GENL_NAME "bulwark"
#define BULWARK_GENL_VERSION 3
#define BULWARK_MCGRP_EVENTS "events"

#define BULWARK_MODULE_VERSION_MAX 32
#define BULWARK_IMAGES_MAX 8192		/* images in one generation */
#define BULWARK_CHUNK_MAX 49152		/* bytes of image in one LOAD_IMAGE */
#define BULWARK_POLICY_INDEX_MAX 65535	/* policy indexes are below this */
#define BULWARK_BINDINGS_MAX 65536	/* LOAD_BIND commands per generation */
#define BULWARK_IDENTITIES_MAX 1048576	/* LOAD_IDENTITY commands per generation */
#define BULWARK_STAGE_BYTES_MAX (1ull << 30)	/* all staged images together */
#define BULWARK_EVENTS_QUEUED 4096
#define BULWARK_FLUSH_MAX 32		/* events one FLUSH_EVENTS sends */
#define BULWARK_EV_EXE_MAX 256		/* EV_EXE and EV_OBJECT string sizes */
#define BULWARK_EV_OBJECT_MAX 512

enum bulwark_cmd {
	BULWARK_CMD_UNSPEC,
	BULWARK_CMD_GET_VERSION,
	BULWARK_CMD_LOAD_BEGIN,
	BULWARK_CMD_LOAD_IMAGE,
	BULWARK_CMD_LOAD_BIND,
	BULWARK_CMD_LOAD_IDENTITY,
	BULWARK_CMD_ACTIVATE,
	BULWARK_CMD_CLEAR,
	BULWARK_CMD_GET_STATUS,
	BULWARK_CMD_FLUSH_EVENTS,
	BULWARK_CMD_EVENT,
	BULWARK_CMD_EVENTS_PENDING,
	__BULWARK_CMD_MAX
};

#define BULWARK_CMD_MAX (__BULWARK_CMD_MAX - 1)

enum bulwark_attr {
	BULWARK_A_UNSPEC,
	BULWARK_A_ABI_VERSION,		/* u32 */
	BULWARK_A_MODULE_VERSION,	/* string */
	BULWARK_A_STAGE,		/* u32 */
	BULWARK_A_IMAGE_INDEX,		/* u32 */
	BULWARK_A_IMAGE_SIZE,		/* u64 */
	BULWARK_A_POLICY_BASE,		/* u32 */
	BULWARK_A_OFFSET,		/* u64 */
	BULWARK_A_CHUNK,		/* binary */
	BULWARK_A_CGROUP_ID,		/* u64 */
	BULWARK_A_POLICY,		/* u32 */
	BULWARK_A_PATH,			/* string, < 4096 bytes */
	BULWARK_A_ACTION,		/* u8 */
	BULWARK_A_RULE,			/* u32 */
	BULWARK_A_CTIME_SEC,		/* u64 (s64) */
	BULWARK_A_CTIME_NSEC,		/* u32 */
	BULWARK_A_HOST_POLICY,		/* u32 */
	BULWARK_A_GENERATION,		/* u64 */
	BULWARK_A_POLICY_COUNT,		/* u32 */
	BULWARK_A_HOOKS,		/* u32 */
	BULWARK_A_DECISIONS,		/* u64 */
	BULWARK_A_DENIED,		/* u64 */
	BULWARK_A_AUDITED,		/* u64 */
	BULWARK_A_EVENTS_LOST,		/* u64 */
	BULWARK_A_EVENTS_QUEUED,	/* u64 */
	BULWARK_A_UNDECIDABLE,		/* u64 */
	/* Events: what the BPF backend's struct bw_event holds, field by field. */
	BULWARK_A_EV_TIME_NS,		/* u64, CLOCK_MONOTONIC */
	BULWARK_A_EV_CGROUP,		/* u64 */
	BULWARK_A_EV_PID,		/* u32 */
	BULWARK_A_EV_TID,		/* u32 */
	BULWARK_A_EV_RULE,		/* u32, 0: a default decided */
	BULWARK_A_EV_POLICY,		/* u32, the policy index */
	BULWARK_A_EV_POLICY_NAME,	/* string */
	BULWARK_A_EV_OP,		/* u8, enum bulwark_op */
	BULWARK_A_EV_VERDICT,		/* u8, enum bulwark_event_verdict */
	BULWARK_A_EV_ACCESS,		/* u16, denied access bits */
	BULWARK_A_EV_CLASS,		/* u8, enum bulwark_class that decided */
	BULWARK_A_EV_WHY,		/* u8, BULWARK_WHY_* */
	BULWARK_A_EV_FAMILY,		/* u8, 0: the object is a path */
	BULWARK_A_EV_PROTOCOL,		/* u8 */
	BULWARK_A_EV_PORT,		/* u16 */
	BULWARK_A_EV_ADDR,		/* binary, 16 bytes */
	BULWARK_A_EV_COMM,		/* string, < 16 bytes */
	BULWARK_A_EV_EXE,		/* string */
	BULWARK_A_EV_OBJECT,		/* string */
	BULWARK_A_SELECTED, /* flag */
	BULWARK_A_EVENTS_ACK,		/* u64: the last EV_SEQ a reader logged */
	BULWARK_A_EV_SEQ,		/* u64 */
	BULWARK_A_FD,			/* u32, a descriptor of the sending process */
	__BULWARK_A_LAST
};

#define BULWARK_A_MAX (__BULWARK_A_LAST - 1)

/* What an event is about; the same numbers as the BPF backend's enum bw_op. */
enum bulwark_op {
	BULWARK_OP_EXEC,
	BULWARK_OP_MMAP,
	BULWARK_OP_MPROTECT,
	BULWARK_OP_OPEN,
	BULWARK_OP_CONNECT,
	BULWARK_OP_SENDMSG,
	BULWARK_OP_BIND,
	BULWARK_OP_LISTEN,
	BULWARK_OP_ACCEPT,
	BULWARK_OP_UNLINK,
	BULWARK_OP_MKDIR,
	BULWARK_OP_RMDIR,
	BULWARK_OP_MKNOD,
	BULWARK_OP_SYMLINK,
	BULWARK_OP_LINK,
	BULWARK_OP_RENAME,
	BULWARK_OP_TRUNCATE,
	BULWARK_OP_SETATTR,
	BULWARK_OP_FCNTL,
	BULWARK_OP_MOUNT,
	BULWARK_OP_CHROOT,
	BULWARK_OP_USERNS,
	BULWARK_OP_CLONE,
	BULWARK_OP_SOCKET,
	BULWARK_OP_MODULE,	/* loading a kernel module (finit_module, init_module) */
	BULWARK_OP_KEXEC,	/* loading a kernel to kexec (kexec_file_load, kexec_load) */
	BULWARK_OP_RECEIVE,	/* receiving a descriptor (SCM_RIGHTS, pidfd_getfd) */
	BULWARK_OP_WRITE,	/* writing a descriptor opened before the policy applied */
	__BULWARK_OP_MAX
};

enum bulwark_event_verdict {
	BULWARK_VERDICT_DENY,
	BULWARK_VERDICT_AUDIT,
};

#define BULWARK_WHY_CHANGED (1u << 0)	/* the admitted file changed or was replaced */
#define BULWARK_WHY_UNDECIDABLE (1u << 1)	/* no path to decide on: failed closed */
#define BULWARK_WHY_UNIX_RELATIVE (1u << 2)
#define BULWARK_WHY_NAMES (1u << 3)	/* would change the names the policy decides on */
#define BULWARK_WHY_ESCAPE (1u << 4)	/* would move the task out of its policy's cgroup */
#define BULWARK_WHY_OTHER_NAMESPACE (1u << 5)
#define BULWARK_WHY_KERNEL_HELPER (1u << 6)	/* would choose a program the kernel runs */
#define BULWARK_WHY_KERNEL_CODE (1u << 7)	/* would load code into the kernel */

/* Access bit of operations that are not file accesses (mount, chroot, ...). */
#define BULWARK_ACCESS_OPERATION 0x8000

#endif /* _UAPI_LINUX_BULWARK_H */
