// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "bulwark": the only way into the module from
 * userspace. Commands and attributes are documented in
 * include/uapi/linux/bulwark.h.
 */

#include <linux/kernel.h>
#include <net/genetlink.h>
#include <uapi/linux/bulwark.h>

#include "netlink.h"
#include "version.h"

static const struct nla_policy bulwark_genl_policy[BULWARK_A_MAX + 1] = {
	[BULWARK_A_ABI_VERSION] = {.type = NLA_U32},
	[BULWARK_A_MODULE_VERSION] = {.type = NLA_NUL_STRING,
				      .len = BULWARK_MODULE_VERSION_MAX - 1},
};

static struct genl_family bulwark_genl_family;

static int bulwark_genl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *reply;
	void *hdr;

	reply = genlmsg_new(nla_total_size(sizeof(u32)) + nla_total_size(sizeof(BULWARK_VERSION)),
			    GFP_KERNEL);
	if (!reply)
		return -ENOMEM;

	hdr = genlmsg_put_reply(reply, info, &bulwark_genl_family, 0, BULWARK_CMD_GET_VERSION);
	if (!hdr)
		goto err_free;
	if (nla_put_u32(reply, BULWARK_A_ABI_VERSION, BULWARK_GENL_VERSION) ||
	    nla_put_string(reply, BULWARK_A_MODULE_VERSION, BULWARK_VERSION))
		goto err_free;
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);

err_free:
	nlmsg_free(reply);
	return -EMSGSIZE;
}

static const struct genl_small_ops bulwark_genl_ops[] = {
	{
		.cmd = BULWARK_CMD_GET_VERSION,
		.doit = bulwark_genl_get_version,
	},
};

static struct genl_family bulwark_genl_family __ro_after_init = {
	.name = BULWARK_GENL_NAME,
	.version = BULWARK_GENL_VERSION,
	.maxattr = BULWARK_A_MAX,
	.policy = bulwark_genl_policy,
	.small_ops = bulwark_genl_ops,
	.n_small_ops = ARRAY_SIZE(bulwark_genl_ops),
	/* Strict validation (no trailing data, no unknown attributes) for all. */
	.resv_start_op = BULWARK_CMD_GET_VERSION,
	.module = THIS_MODULE,
};

int __init bulwark_genl_init(void)
{
	BUILD_BUG_ON(sizeof(BULWARK_VERSION) > BULWARK_MODULE_VERSION_MAX);
	return genl_register_family(&bulwark_genl_family);
}

void bulwark_genl_uninit(void)
{
	genl_unregister_family(&bulwark_genl_family);
}
