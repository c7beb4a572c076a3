/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One decision about one operation of the current task: which policy
 * governs it, what the decision core says, and the event and counters a
 * denial or audit hit produces. Hooks call these with preemption off and
 * under rcu_read_lock() (see hooks.c): nothing here sleeps.
 */
#ifndef BULWARK_DECISION_H
#define BULWARK_DECISION_H

#include <linux/path.h>
#include <linux/types.h>

#include "generation.h"

struct decision {
	const struct bulwark_generation *gen;
	struct bulwark_policy_ref ref;
	u64 cgroup;
	u32 rule;
	u16 denied; /* access bits denied; 0: allowed */
	u16 port;
	u8 op;
	u8 class;
	u8 why;
	u8 family;
	u8 protocol;
	u8 direction;
	u8 addr[16];
};

enum bulwark_stat {
	BULWARK_STAT_DECISIONS,
	BULWARK_STAT_DENIED,
	BULWARK_STAT_AUDITED,
	BULWARK_STAT_UNDECIDABLE,
	__BULWARK_STAT_MAX
};

/* Whether a policy governs the current task; fills @d's policy when so. */
bool decision_begin(struct decision *d, u8 op);
/* Whether the governing policy has path rules of @class. */
bool decision_has_path_rules(const struct decision *d, u8 class);
/* Counts @d and, for a denial, queues its event naming @object; 0 or -EPERM. */
int decision_conclude(struct decision *d, const char *object);
/* Fails @d closed: nothing to decide on. */
int decision_undecidable(struct decision *d, u16 access, const char *object);
u64 decision_stat(enum bulwark_stat stat);
/* The per-CPU scratch buffers: before the hooks attach, after they are gone. */
int decision_init(void);
void decision_exit(void);

/*
 * A scratch buffer for naming paths, one per CPU (hooks run with
 * preemption off). PATH_MAX plus room to append a name.
 */
char *decision_scratch(void);
#define DECISION_SCRATCH_SIZE (PATH_MAX + NAME_MAX + 2)

#endif /* BULWARK_DECISION_H */
