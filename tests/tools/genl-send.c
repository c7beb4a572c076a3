// SPDX-License-Identifier: GPL-2.0
/*
 * genl-send: sends one hand-made request to bulwark.ko's generic netlink
 * family and prints how the kernel answered, so tests can check the errno
 * of requests the controller would never send.
 *
 * Usage: genl-send [--family NAME] [--version N] CMD [TYPE:KIND:VALUE]...
 *   KIND is u8, u16, u32, u64 or str (a NUL-terminated string), or
 *   raw (VALUE as bytes, no NUL).
 * Prints "ok" (exit 0) for an acknowledged request, or "error: ENAME"
 * (exit 1) for an error reply; exit 2 when the request could not be sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "uapi/linux/bulwark.h"

static int put_attr(struct nl_msg *msg, const char *spec)
{
	char kind[8];
	unsigned int type;
	int value_at = 0;
	const char *value;

	if (sscanf(spec, "%u:%7[a-z0-9]:%n", &type, kind, &value_at) != 2 || !value_at)
		return -EINVAL;
	value = spec + value_at;
	if (!strcmp(kind, "u8"))
		return nla_put_u8(msg, type, strtoul(value, NULL, 0));
	if (!strcmp(kind, "u16"))
		return nla_put_u16(msg, type, strtoul(value, NULL, 0));
	if (!strcmp(kind, "u32"))
		return nla_put_u32(msg, type, strtoul(value, NULL, 0));
	if (!strcmp(kind, "u64"))
		return nla_put_u64(msg, type, strtoull(value, NULL, 0));
	if (!strcmp(kind, "str"))
		return nla_put_string(msg, type, value);
	if (!strcmp(kind, "raw"))
		return nla_put(msg, type, strlen(value), value);
	return -EINVAL;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	*(int *)arg = err->error;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	*(int *)arg = 0;
	return NL_STOP;
}

int main(int argc, char *argv[])
{
	const char *family_name = BULWARK_GENL_NAME;
	unsigned int version = BULWARK_GENL_VERSION;
	int result = 1, family, i = 1;
	struct nl_sock *sock;
	struct nl_msg *msg;

	for (; i < argc - 1 && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--family"))
			family_name = argv[i + 1];
		else if (!strcmp(argv[i], "--version"))
			version = strtoul(argv[i + 1], NULL, 0);
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: genl-send [--family NAME] [--version N] CMD "
				"[TYPE:KIND:VALUE]...\n");
		return 2;
	}
	sock = nl_socket_alloc();
	msg = nlmsg_alloc();
	if (!sock || !msg || genl_connect(sock) < 0)
		return 2;
	family = genl_ctrl_resolve(sock, family_name);
	if (family < 0) {
		fprintf(stderr, "genl-send: family %s: %s\n", family_name, nl_geterror(family));
		return 2;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_ACK,
			 strtoul(argv[i], NULL, 0), version))
		return 2;
	for (i++; i < argc; i++) {
		if (put_attr(msg, argv[i]) < 0) {
			fprintf(stderr, "genl-send: bad attribute '%s'\n", argv[i]);
			return 2;
		}
	}
	nl_socket_modify_err_cb(sock, NL_CB_CUSTOM, on_error, &result);
	nl_socket_modify_cb(sock, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &result);
	if (nl_send_auto(sock, msg) < 0)
		return 2;
	/* Replies to a valid request are read and skipped until the ack. */
	while (result == 1)
		if (nl_recvmsgs_default(sock) < 0 && result == 1)
			return 2;
	if (result == 0)
		printf("ok\n");
	else
		printf("error: %s\n", strerrorname_np(-result) ?: "E?");
	nlmsg_free(msg);
	nl_socket_free(sock);
	return result == 0 ? 0 : 1;
}
