/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events: each denial or audit hit is queued here from the hook (which may
 * not sleep) and sent to the "events" multicast group when the controller
 * asks (BULWARK_CMD_FLUSH_EVENTS); listeners are told when events wait.
 */
#ifndef BULWARK_EVENTS_H
#define BULWARK_EVENTS_H

#include <linux/types.h>
#include <net/genetlink.h>
#include <uapi/linux/bulwark.h>

#define BULWARK_COMM_LEN 16

struct bulwark_event {
	u64 time_ns;
	u64 cgroup;
	u64 generation;
	u32 pid;
	u32 tid;
	u32 rule;
	u32 policy;
	u8 op;
	u8 verdict;
	u16 access;
	u8 class;
	u8 why;
	u8 family;
	u8 protocol;
	u16 port;
	u8 addr[16];
	char comm[BULWARK_COMM_LEN];
	char policy_name[64];
	char exe[BULWARK_EV_EXE_MAX];
	char object[BULWARK_EV_OBJECT_MAX];
};

/* A zeroed event to fill in, or NULL (counted as lost). Any context. */
struct bulwark_event *bulwark_event_alloc(void);
/* Queues @e (from bulwark_event_alloc) for the next flush. */
void bulwark_event_queue(struct bulwark_event *e);
/*
 * Drops the events up to sequence number @ack (0: none), the requester
 * logged them; then sends the oldest still queued, at most
 * BULWARK_FLUSH_MAX, to the group, keeping them until acknowledged. *@left
 * gets how many are queued past those sent. 0 or -errno. Process context.
 */
int bulwark_events_flush(u64 ack, u64 *left);
void bulwark_events_counts(u64 *queued, u64 *lost);
void bulwark_events_init(struct genl_family *family);
/* Stops announcing; after the hooks are gone (only they queue events). */
void bulwark_events_stop(void);
/* Frees what is queued; after the family is unregistered. */
void bulwark_events_exit(void);

#endif /* BULWARK_EVENTS_H */
