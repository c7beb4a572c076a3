// SPDX-License-Identifier: GPL-2.0
/* The event queue and its multicast group; see events.h. */

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "events.h"

struct queued_event {
	struct list_head node;
	u64 seq;
	struct bulwark_event e;
};

/* One event of a flush: copied out of the queue, sent outside the lock. */
struct sent_event {
	u64 seq;
	struct bulwark_event e;
};

static DEFINE_SPINLOCK(queue_lock);
static LIST_HEAD(queue); /* oldest first: ascending seq */
static u64 queued, lost, last_seq;
static bool announced; /* EVENTS_PENDING sent since the last flush */
static struct genl_family *family;

static void announce(struct work_struct *work);
static DECLARE_WORK(announce_work, announce);

struct bulwark_event *bulwark_event_alloc(void)
{
	struct queued_event *q = kzalloc(sizeof(*q), GFP_NOWAIT | __GFP_NOWARN);
	unsigned long flags;

	if (!q) {
		spin_lock_irqsave(&queue_lock, flags);
		lost++;
		spin_unlock_irqrestore(&queue_lock, flags);
		return NULL;
	}
	return &q->e;
}

void bulwark_event_queue(struct bulwark_event *e)
{
	struct queued_event *q = container_of(e, struct queued_event, e), *oldest = NULL;
	unsigned long flags;
	bool tell;

	spin_lock_irqsave(&queue_lock, flags);
	q->seq = ++last_seq;
	list_add_tail(&q->node, &queue);
	if (++queued > BULWARK_EVENTS_QUEUED) {
		oldest = list_first_entry(&queue, struct queued_event, node);
		list_del(&oldest->node);
		queued--;
		lost++;
	}
	tell = !announced;
	announced = true;
	spin_unlock_irqrestore(&queue_lock, flags);
	kfree(oldest);
	if (tell)
		schedule_work(&announce_work);
}

static void announce(struct work_struct *work)
{
	struct sk_buff *skb;
	unsigned long flags;
	u64 count;
	void *hdr;

	if (!genl_has_listeners(family, &init_net, 0))
		goto again_later;
	spin_lock_irqsave(&queue_lock, flags);
	count = queued;
	spin_unlock_irqrestore(&queue_lock, flags);
	skb = genlmsg_new(nla_total_size_64bit(sizeof(u64)), GFP_KERNEL);
	if (!skb)
		goto again_later;
	hdr = genlmsg_put(skb, 0, 0, family, 0, BULWARK_CMD_EVENTS_PENDING);
	if (!hdr || nla_put_u64_64bit(skb, BULWARK_A_EVENTS_QUEUED, count, BULWARK_A_UNSPEC)) {
		nlmsg_free(skb);
		goto again_later;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(family, skb, 0, 0, GFP_KERNEL);
	return;
again_later:
	/* Nobody heard: the next event announces again. */
	spin_lock_irqsave(&queue_lock, flags);
	announced = false;
	spin_unlock_irqrestore(&queue_lock, flags);
}

static int put_event(struct sk_buff *skb, u64 seq, const struct bulwark_event *e)
{
	void *hdr = genlmsg_put(skb, 0, 0, family, 0, BULWARK_CMD_EVENT);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, BULWARK_A_EV_SEQ, seq, BULWARK_A_UNSPEC) ||
	    nla_put_u64_64bit(skb, BULWARK_A_EV_TIME_NS, e->time_ns, BULWARK_A_UNSPEC) ||
	    nla_put_u64_64bit(skb, BULWARK_A_EV_CGROUP, e->cgroup, BULWARK_A_UNSPEC) ||
	    nla_put_u64_64bit(skb, BULWARK_A_GENERATION, e->generation, BULWARK_A_UNSPEC) ||
	    nla_put_u32(skb, BULWARK_A_EV_PID, e->pid) ||
	    nla_put_u32(skb, BULWARK_A_EV_TID, e->tid) ||
	    nla_put_u32(skb, BULWARK_A_EV_RULE, e->rule) ||
	    nla_put_u32(skb, BULWARK_A_EV_POLICY, e->policy) ||
	    nla_put_string(skb, BULWARK_A_EV_POLICY_NAME, e->policy_name) ||
	    nla_put_u8(skb, BULWARK_A_EV_OP, e->op) ||
	    nla_put_u8(skb, BULWARK_A_EV_VERDICT, e->verdict) ||
	    nla_put_u16(skb, BULWARK_A_EV_ACCESS, e->access) ||
	    nla_put_u8(skb, BULWARK_A_EV_CLASS, e->class) ||
	    nla_put_u8(skb, BULWARK_A_EV_WHY, e->why) ||
	    nla_put_u8(skb, BULWARK_A_EV_FAMILY, e->family) ||
	    nla_put_u8(skb, BULWARK_A_EV_PROTOCOL, e->protocol) ||
	    nla_put_u16(skb, BULWARK_A_EV_PORT, e->port) ||
	    nla_put(skb, BULWARK_A_EV_ADDR, sizeof(e->addr), e->addr) ||
	    nla_put_string(skb, BULWARK_A_EV_COMM, e->comm) ||
	    nla_put_string(skb, BULWARK_A_EV_EXE, e->exe) ||
	    nla_put_string(skb, BULWARK_A_EV_OBJECT, e->object)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * At most BULWARK_FLUSH_MAX events a flush: what the requester's receive
 * buffer (64 KiB by default) surely holds while it waits for its answer.
 * They stay queued until a later flush acknowledges them, so a reader
 * killed before it logged them loses nothing: the next flush sends them
 * again.
 */
int bulwark_events_flush(u64 ack, u64 *left)
{
	struct sent_event *batch = kvmalloc_array(BULWARK_FLUSH_MAX, sizeof(*batch), GFP_KERNEL);
	struct queued_event *q, *next;
	unsigned long flags;
	struct sk_buff *skb;
	LIST_HEAD(acked);
	u32 n = 0, i;
	int ret = 0;

	if (!batch)
		return -ENOMEM;
	spin_lock_irqsave(&queue_lock, flags);
	list_for_each_entry_safe(q, next, &queue, node) {
		if (q->seq > ack)
			break;
		list_move_tail(&q->node, &acked);
		queued--;
	}
	/* With no listener, kept for one. */
	if (genl_has_listeners(family, &init_net, 0)) {
		list_for_each_entry(q, &queue, node) {
			if (n == BULWARK_FLUSH_MAX)
				break;
			batch[n].seq = q->seq;
			batch[n++].e = q->e;
		}
	}
	*left = queued - n;
	if (!*left)
		announced = false;
	spin_unlock_irqrestore(&queue_lock, flags);
	list_for_each_entry_safe(q, next, &acked, node) {
		list_del(&q->node);
		kfree(q);
	}
	for (i = 0; i < n; i++) {
		skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		if (!skb || put_event(skb, batch[i].seq, &batch[i].e)) {
			/* Still queued: the next flush sends it. */
			nlmsg_free(skb);
			ret = -ENOMEM;
			break;
		}
		/*
		 * A listener whose receive buffer is full misses it (its socket
		 * reports ENOBUFS); the requester's buffer holds BULWARK_FLUSH_MAX.
		 */
		genlmsg_multicast(family, skb, 0, 0, GFP_KERNEL);
	}
	kvfree(batch);
	return ret;
}

void bulwark_events_counts(u64 *q, u64 *l)
{
	unsigned long flags;

	spin_lock_irqsave(&queue_lock, flags);
	*q = queued;
	*l = lost;
	spin_unlock_irqrestore(&queue_lock, flags);
}

void bulwark_events_init(struct genl_family *f)
{
	family = f;
}

void bulwark_events_stop(void)
{
	cancel_work_sync(&announce_work);
}

void bulwark_events_exit(void)
{
	struct queued_event *q, *next;
	unsigned long flags;
	LIST_HEAD(taken);

	spin_lock_irqsave(&queue_lock, flags);
	list_splice_init(&queue, &taken);
	queued = 0;
	spin_unlock_irqrestore(&queue_lock, flags);
	list_for_each_entry_safe(q, next, &taken, node) {
		list_del(&q->node);
		kfree(q);
	}
}
