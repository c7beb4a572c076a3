// SPDX-License-Identifier: GPL-2.0
/* bulwark.ko's generic netlink family: the only file that talks to libnl. */
#include <errno.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "backend.h"

/* Mirrors the module's policy: a reply that does not fit it is not trusted. */
static struct nla_policy version_policy[BULWARK_A_MAX + 1] = {
	[BULWARK_A_ABI_VERSION] = {.type = NLA_U32},
	[BULWARK_A_MODULE_VERSION] = {.type = NLA_STRING, .maxlen = BULWARK_MODULE_VERSION_MAX},
};

/* libnl reports its own error numbers; callers get -errno like everywhere else. */
static int nl_error_to_errno(int nl_err)
{
	switch (nl_err < 0 ? -nl_err : nl_err) {
	case NLE_SUCCESS:
		return 0;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_NOACCESS:
		return -EACCES;
	default:
		return -EPROTO;
	}
}

struct version_reply {
	struct kmod_version *version;
	int ret;
};

static int parse_version(struct nl_msg *msg, void *arg)
{
	struct version_reply *reply = arg;
	struct nlattr *attrs[BULWARK_A_MAX + 1];
	int ret;

	ret = genlmsg_parse(nlmsg_hdr(msg), 0, attrs, BULWARK_A_MAX, version_policy);
	if (ret < 0 || !attrs[BULWARK_A_ABI_VERSION] || !attrs[BULWARK_A_MODULE_VERSION]) {
		reply->ret = -EPROTO;
		return NL_STOP;
	}
	reply->version->abi = nla_get_u32(attrs[BULWARK_A_ABI_VERSION]);
	nla_strlcpy(reply->version->module, attrs[BULWARK_A_MODULE_VERSION],
		    sizeof(reply->version->module));
	reply->ret = 0;
	return NL_OK;
}

int genl_get_version(struct kmod_version *version)
{
	struct version_reply reply = {.version = version, .ret = -ENODATA};
	struct nl_sock *sock;
	struct nl_msg *msg = NULL;
	int family, ret;

	sock = nl_socket_alloc();
	if (!sock)
		return -ENOMEM;
	ret = genl_connect(sock);
	if (ret < 0)
		goto out;
	family = genl_ctrl_resolve(sock, BULWARK_GENL_NAME);
	if (family < 0) {
		ret = family;
		goto out;
	}
	msg = nlmsg_alloc();
	if (!msg) {
		ret = -NLE_NOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, BULWARK_CMD_GET_VERSION,
			 BULWARK_GENL_VERSION)) {
		ret = -NLE_NOMEM;
		goto out;
	}
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, parse_version, &reply);
	ret = nl_send_auto(sock, msg);
	if (ret < 0)
		goto out;
	ret = nl_recvmsgs_default(sock);
	if (ret < 0)
		goto out;
	nlmsg_free(msg);
	nl_socket_free(sock);
	return reply.ret;
out:
	nlmsg_free(msg);
	nl_socket_free(sock);
	return nl_error_to_errno(ret);
}
