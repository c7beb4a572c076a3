// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "bulwark": the only way into the module from
 * userspace. Commands, attributes and errors are documented in
 * include/uapi/linux/bulwark.h. The family is not parallel: genetlink runs
 * its commands one at a time, which serializes staging.
 */

#include <linux/kernel.h>
#include <net/genetlink.h>
#include <uapi/linux/bulwark.h>

#include "decision.h"
#include "events.h"
#include "generation.h"
#include "hooks.h"
#include "netlink.h"
#include "version.h"

/*
 * Attributes of requests; reply-only ones are absent, so the parser refuses
 * them (EINVAL). Lengths and values with a limit are checked by the
 * commands: the parser would answer ERANGE, where bulwark.h says EINVAL.
 */
static const struct nla_policy bulwark_genl_policy[BULWARK_A_MAX + 1] = {
	[BULWARK_A_STAGE] = {.type = NLA_U32},
	[BULWARK_A_IMAGE_INDEX] = {.type = NLA_U32},
	[BULWARK_A_IMAGE_SIZE] = {.type = NLA_U64},
	[BULWARK_A_POLICY_BASE] = {.type = NLA_U32},
	[BULWARK_A_OFFSET] = {.type = NLA_U64},
	[BULWARK_A_CHUNK] = {.type = NLA_BINARY}, /* at most BULWARK_CHUNK_MAX */
	[BULWARK_A_CGROUP_ID] = {.type = NLA_U64},
	[BULWARK_A_POLICY] = {.type = NLA_U32},
	[BULWARK_A_PATH] = {.type = NLA_NUL_STRING}, /* at most BULWARK_PATH_MAX */
	[BULWARK_A_ACTION] = {.type = NLA_U8}, /* enum bulwark_action */
	[BULWARK_A_RULE] = {.type = NLA_U32},
	[BULWARK_A_CTIME_SEC] = {.type = NLA_U64},
	[BULWARK_A_CTIME_NSEC] = {.type = NLA_U32},
	[BULWARK_A_HOST_POLICY] = {.type = NLA_U32},
	[BULWARK_A_SELECTED] = {.type = NLA_FLAG},
	[BULWARK_A_EVENTS_ACK] = {.type = NLA_U64},
	[BULWARK_A_FD] = {.type = NLA_U32},
};

static struct genl_family bulwark_genl_family;

/* Attributes a command takes, as bits: anything else is refused (EINVAL). */
#define A(x) (1ull << BULWARK_A_##x)

static int check_attrs(struct genl_info *info, u64 allowed, u64 required)
{
	int i;

	for (i = 1; i <= BULWARK_A_MAX; i++) {
		if (info->attrs[i] && !(allowed & (1ull << i))) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[i],
					    "attribute not taken by this command");
			return -EINVAL;
		}
		if (!info->attrs[i] && (required & (1ull << i))) {
			GENL_REQ_ATTR_CHECK(info, i);
			return -EINVAL;
		}
	}
	return 0;
}

/* A reply of @cmd with room for @size bytes of attributes; NULL on failure. */
static struct sk_buff *new_reply(struct genl_info *info, u8 cmd, size_t size, void **hdr)
{
	struct sk_buff *reply = genlmsg_new(size, GFP_KERNEL);

	if (!reply)
		return NULL;
	*hdr = genlmsg_put_reply(reply, info, &bulwark_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(reply);
		return NULL;
	}
	return reply;
}

static int bulwark_genl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *reply;
	void *hdr;
	int ret;

	ret = check_attrs(info, 0, 0);
	if (ret)
		return ret;
	reply = new_reply(info, BULWARK_CMD_GET_VERSION,
			  nla_total_size(sizeof(u32)) + nla_total_size(sizeof(BULWARK_VERSION)),
			  &hdr);
	if (!reply)
		return -ENOMEM;
	if (nla_put_u32(reply, BULWARK_A_ABI_VERSION, BULWARK_GENL_VERSION) ||
	    nla_put_string(reply, BULWARK_A_MODULE_VERSION, BULWARK_VERSION)) {
		nlmsg_free(reply);
		return -EMSGSIZE;
	}
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);
}

/*
 * A reply carrying one u64, allocated before the command changes anything
 * (so that no allocation can fail once it has), then sent.
 */
static struct sk_buff *new_u64_reply(struct genl_info *info, u8 cmd, void **hdr)
{
	return new_reply(info, cmd, nla_total_size_64bit(sizeof(u64)), hdr);
}

static int send_u64_reply(struct sk_buff *reply, void *hdr, struct genl_info *info, int attr,
			  u64 value)
{
	/* Sized for it: cannot fail. */
	nla_put_u64_64bit(reply, attr, value, BULWARK_A_UNSPEC);
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);
}

static int bulwark_genl_load_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *reply;
	u32 token;
	void *hdr;
	int ret;

	ret = check_attrs(info, 0, 0);
	if (ret)
		return ret;
	reply = new_reply(info, BULWARK_CMD_LOAD_BEGIN, nla_total_size(sizeof(u32)), &hdr);
	if (!reply)
		return -ENOMEM;
	bulwark_stage_begin(&token);
	if (nla_put_u32(reply, BULWARK_A_STAGE, token)) {
		nlmsg_free(reply);
		bulwark_stage_discard();
		return -EMSGSIZE;
	}
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);
}

static int bulwark_genl_load_image(struct sk_buff *skb, struct genl_info *info)
{
	u64 allowed = A(STAGE) | A(IMAGE_INDEX) | A(OFFSET) | A(CHUNK) | A(IMAGE_SIZE) |
		      A(POLICY_BASE) | A(SELECTED);
	struct nlattr **a = info->attrs;
	u64 offset, size;
	u32 index, base;
	bool first;
	int ret;

	ret = check_attrs(info, allowed, A(STAGE) | A(IMAGE_INDEX) | A(OFFSET) | A(CHUNK));
	if (ret)
		return ret;
	ret = bulwark_stage_check(nla_get_u32(a[BULWARK_A_STAGE]), info->extack);
	if (ret)
		return ret;
	offset = nla_get_u64(a[BULWARK_A_OFFSET]);
	first = offset == 0;
	if (first != (a[BULWARK_A_IMAGE_SIZE] && a[BULWARK_A_POLICY_BASE]) ||
	    (!first &&
	     (a[BULWARK_A_IMAGE_SIZE] || a[BULWARK_A_POLICY_BASE] || a[BULWARK_A_SELECTED]))) {
		NL_SET_ERR_MSG(info->extack,
			       "IMAGE_SIZE and POLICY_BASE come with the first chunk only");
		bulwark_stage_discard();
		return -EINVAL;
	}
	if (!nla_len(a[BULWARK_A_CHUNK]) || nla_len(a[BULWARK_A_CHUNK]) > BULWARK_CHUNK_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[BULWARK_A_CHUNK],
				    "chunk empty or larger than BULWARK_CHUNK_MAX");
		bulwark_stage_discard();
		return -EINVAL;
	}
	index = nla_get_u32(a[BULWARK_A_IMAGE_INDEX]);
	size = first ? nla_get_u64(a[BULWARK_A_IMAGE_SIZE]) : 0;
	base = first ? nla_get_u32(a[BULWARK_A_POLICY_BASE]) : 0;
	return bulwark_stage_image(index, offset, nla_data(a[BULWARK_A_CHUNK]),
				   nla_len(a[BULWARK_A_CHUNK]), size, base, first,
				   first && nla_get_flag(a[BULWARK_A_SELECTED]), info->extack);
}

static int bulwark_genl_load_bind(struct sk_buff *skb, struct genl_info *info)
{
	u64 want = A(STAGE) | A(CGROUP_ID) | A(POLICY);
	int ret;

	ret = check_attrs(info, want, want);
	if (ret)
		return ret;
	ret = bulwark_stage_check(nla_get_u32(info->attrs[BULWARK_A_STAGE]), info->extack);
	if (ret)
		return ret;
	return bulwark_stage_bind(nla_get_u64(info->attrs[BULWARK_A_CGROUP_ID]),
				  nla_get_u32(info->attrs[BULWARK_A_POLICY]), info->extack);
}

static int bulwark_genl_load_identity(struct sk_buff *skb, struct genl_info *info)
{
	u64 want =
		A(STAGE) | A(POLICY) | A(PATH) | A(ACTION) | A(RULE) | A(CTIME_SEC) | A(CTIME_NSEC);
	struct nlattr **a = info->attrs;
	int ret;

	ret = check_attrs(info, want | A(FD), want);
	if (ret)
		return ret;
	ret = bulwark_stage_check(nla_get_u32(a[BULWARK_A_STAGE]), info->extack);
	if (ret)
		return ret;
	if (nla_len(a[BULWARK_A_PATH]) > BULWARK_PATH_MAX ||
	    *(const char *)nla_data(a[BULWARK_A_PATH]) != '/') {
		NL_SET_ERR_MSG_ATTR(info->extack, a[BULWARK_A_PATH],
				    "not an absolute path shorter than BULWARK_PATH_MAX");
		bulwark_stage_discard();
		return -EINVAL;
	}
	if (nla_get_u32(a[BULWARK_A_CTIME_NSEC]) >= NSEC_PER_SEC) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[BULWARK_A_CTIME_NSEC], "not below a second");
		bulwark_stage_discard();
		return -EINVAL;
	}
	if (a[BULWARK_A_FD] && nla_get_u32(a[BULWARK_A_FD]) > INT_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[BULWARK_A_FD], "not a descriptor number");
		bulwark_stage_discard();
		return -EBADF;
	}
	return bulwark_stage_identity(nla_get_u32(a[BULWARK_A_POLICY]), nla_data(a[BULWARK_A_PATH]),
				      a[BULWARK_A_FD] ? (int)nla_get_u32(a[BULWARK_A_FD]) : -1,
				      nla_get_u8(a[BULWARK_A_ACTION]),
				      nla_get_u32(a[BULWARK_A_RULE]),
				      (s64)nla_get_u64(a[BULWARK_A_CTIME_SEC]),
				      nla_get_u32(a[BULWARK_A_CTIME_NSEC]), info->extack);
}

static int bulwark_genl_activate(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *reply;
	u32 host = 0;
	u64 number;
	void *hdr;
	int ret;

	ret = check_attrs(info, A(STAGE) | A(HOST_POLICY), A(STAGE));
	if (ret)
		return ret;
	ret = bulwark_stage_check(nla_get_u32(info->attrs[BULWARK_A_STAGE]), info->extack);
	if (ret)
		return ret;
	if (info->attrs[BULWARK_A_HOST_POLICY])
		host = nla_get_u32(info->attrs[BULWARK_A_HOST_POLICY]);
	reply = new_u64_reply(info, BULWARK_CMD_ACTIVATE, &hdr);
	if (!reply)
		return -ENOMEM;
	ret = bulwark_stage_activate(host, &number, info->extack);
	if (ret) {
		nlmsg_free(reply);
		return ret;
	}
	pr_info("bulwark: generation %llu active\n", number);
	return send_u64_reply(reply, hdr, info, BULWARK_A_GENERATION, number);
}

static int bulwark_genl_clear(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *reply;
	u64 number;
	void *hdr;
	int ret;

	ret = check_attrs(info, 0, 0);
	if (ret)
		return ret;
	reply = new_u64_reply(info, BULWARK_CMD_CLEAR, &hdr);
	if (!reply)
		return -ENOMEM;
	bulwark_generation_clear(&number);
	return send_u64_reply(reply, hdr, info, BULWARK_A_GENERATION, number);
}

static int bulwark_genl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	u64 generation, queued, lost;
	struct sk_buff *reply;
	u32 policies;
	void *hdr;
	int ret;

	ret = check_attrs(info, 0, 0);
	if (ret)
		return ret;
	reply = new_reply(info, BULWARK_CMD_GET_STATUS, 256, &hdr);
	if (!reply)
		return -ENOMEM;
	bulwark_generation_summary(&generation, &policies);
	bulwark_events_counts(&queued, &lost);
	if (nla_put_u64_64bit(reply, BULWARK_A_GENERATION, generation, BULWARK_A_UNSPEC) ||
	    nla_put_u32(reply, BULWARK_A_POLICY_COUNT, policies) ||
	    nla_put_u32(reply, BULWARK_A_HOOKS, bulwark_hooks_attached()) ||
	    nla_put_u64_64bit(reply, BULWARK_A_DECISIONS, decision_stat(BULWARK_STAT_DECISIONS),
			      BULWARK_A_UNSPEC) ||
	    nla_put_u64_64bit(reply, BULWARK_A_DENIED, decision_stat(BULWARK_STAT_DENIED),
			      BULWARK_A_UNSPEC) ||
	    nla_put_u64_64bit(reply, BULWARK_A_AUDITED, decision_stat(BULWARK_STAT_AUDITED),
			      BULWARK_A_UNSPEC) ||
	    nla_put_u64_64bit(reply, BULWARK_A_UNDECIDABLE, decision_stat(BULWARK_STAT_UNDECIDABLE),
			      BULWARK_A_UNSPEC) ||
	    nla_put_u64_64bit(reply, BULWARK_A_EVENTS_LOST, lost, BULWARK_A_UNSPEC) ||
	    nla_put_u64_64bit(reply, BULWARK_A_EVENTS_QUEUED, queued, BULWARK_A_UNSPEC)) {
		nlmsg_free(reply);
		return -EMSGSIZE;
	}
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);
}

static int bulwark_genl_flush_events(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *reply;
	u64 left;
	void *hdr;
	int ret;

	ret = check_attrs(info, 1ull << BULWARK_A_EVENTS_ACK, 0);
	if (ret)
		return ret;
	reply = new_u64_reply(info, BULWARK_CMD_FLUSH_EVENTS, &hdr);
	if (!reply)
		return -ENOMEM;
	ret = bulwark_events_flush(info->attrs[BULWARK_A_EVENTS_ACK]
					   ? nla_get_u64(info->attrs[BULWARK_A_EVENTS_ACK])
					   : 0,
				   &left);
	if (ret) {
		nlmsg_free(reply);
		return ret;
	}
	return send_u64_reply(reply, hdr, info, BULWARK_A_EVENTS_QUEUED, left);
}

static const struct genl_small_ops bulwark_genl_ops[] = {
	{.cmd = BULWARK_CMD_GET_VERSION, .doit = bulwark_genl_get_version},
	{.cmd = BULWARK_CMD_LOAD_BEGIN, .doit = bulwark_genl_load_begin, .flags = GENL_ADMIN_PERM},
	{.cmd = BULWARK_CMD_LOAD_IMAGE, .doit = bulwark_genl_load_image, .flags = GENL_ADMIN_PERM},
	{.cmd = BULWARK_CMD_LOAD_BIND, .doit = bulwark_genl_load_bind, .flags = GENL_ADMIN_PERM},
	{.cmd = BULWARK_CMD_LOAD_IDENTITY,
	 .doit = bulwark_genl_load_identity,
	 .flags = GENL_ADMIN_PERM},
	{.cmd = BULWARK_CMD_ACTIVATE, .doit = bulwark_genl_activate, .flags = GENL_ADMIN_PERM},
	{.cmd = BULWARK_CMD_CLEAR, .doit = bulwark_genl_clear, .flags = GENL_ADMIN_PERM},
	{.cmd = BULWARK_CMD_GET_STATUS, .doit = bulwark_genl_get_status},
	{.cmd = BULWARK_CMD_FLUSH_EVENTS,
	 .doit = bulwark_genl_flush_events,
	 .flags = GENL_ADMIN_PERM},
};

static const struct genl_multicast_group bulwark_genl_groups[] = {
	{.name = BULWARK_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN},
};

static struct genl_family bulwark_genl_family __ro_after_init = {
	.name = BULWARK_GENL_NAME,
	.version = BULWARK_GENL_VERSION,
	.maxattr = BULWARK_A_MAX,
	.policy = bulwark_genl_policy,
	.small_ops = bulwark_genl_ops,
	.n_small_ops = ARRAY_SIZE(bulwark_genl_ops),
	.mcgrps = bulwark_genl_groups,
	.n_mcgrps = ARRAY_SIZE(bulwark_genl_groups),
	/* Strict validation (no trailing data, no unknown attributes) for all. */
	.resv_start_op = BULWARK_CMD_GET_VERSION,
	.module = THIS_MODULE,
};

int __init bulwark_genl_init(void)
{
	BUILD_BUG_ON(sizeof(BULWARK_VERSION) > BULWARK_MODULE_VERSION_MAX);
	BUILD_BUG_ON(BULWARK_A_MAX >= 64);
	bulwark_events_init(&bulwark_genl_family);
	return genl_register_family(&bulwark_genl_family);
}

void bulwark_genl_uninit(void)
{
	genl_unregister_family(&bulwark_genl_family);
}
