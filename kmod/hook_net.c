// SPDX-License-Identifier: GPL-2.0
/*
 * Network: egress connect and sendmsg, ingress bind, listen and accept, by
 * address, port and protocol; unix sockets by the path they are bound at;
 * sockets of families no rule can name. The same security_*() entry points
 * and meaning as the BPF backend.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/un.h>
#include <net/af_unix.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <uapi/linux/bulwark.h>

#include "decision.h"
#include "hooks.h"

#define PROTO_OTHER 0xff /* as the BPF backend reports it */

static u8 socket_protocol(const struct socket *sock)
{
	u16 proto = sock->sk ? sock->sk->sk_protocol : 0;
	short type = sock->type;

	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6 || type == SOCK_RAW)
		return BULWARK_PROTO_ICMP;
	if (type == SOCK_STREAM && (proto == IPPROTO_TCP || proto == IPPROTO_MPTCP || !proto))
		return BULWARK_PROTO_TCP;
	if (type == SOCK_DGRAM && (proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE || !proto))
		return BULWARK_PROTO_UDP;
	return PROTO_OTHER;
}

static bool is_unspecified(const struct decision *d)
{
	return !memchr_inv(d->addr, 0, sizeof(d->addr));
}

static void decide_net(struct decision *d)
{
	u8 class = d->direction == BULWARK_EGRESS ? BULWARK_CLASS_EGRESS : BULWARK_CLASS_INGRESS;
	struct bulwark_verdict v;

	d->class = class;
	/* Rules name TCP, UDP or ICMP; another protocol gets the default. */
	if (d->protocol == PROTO_OTHER ||
	    bulwark_decide_net(d->ref.image, d->ref.local, d->direction, d->family, d->addr,
			       d->port, d->protocol, &v)) {
		d->denied =
			d->ref.policy->defaults[class] == BULWARK_DENY ? BULWARK_ACCESS_CONNECT : 0;
		d->rule = 0;
		return;
	}
	d->denied = v.action == BULWARK_DENY ? BULWARK_ACCESS_CONNECT : 0;
	d->rule = v.rule_id;
}

/* A dual-stack socket bound to "::" takes IPv4 too: it must pass as 0.0.0.0. */
static void decide_dual_stack(struct decision *d, const struct sock *sk)
{
	struct decision v4;

	if (d->denied || d->family != BULWARK_FAMILY_INET6 || !is_unspecified(d) || !sk ||
	    (d->protocol != BULWARK_PROTO_TCP && d->protocol != BULWARK_PROTO_UDP))
		return;
	if (sk->sk_ipv6only)
		return;
	v4 = *d;
	v4.family = BULWARK_FAMILY_INET;
	decide_net(&v4);
	if (v4.denied)
		*d = v4;
}

/* An IPv6 address, or the IPv4 one it maps. */
static void set_addr6(struct decision *d, const struct in6_addr *a)
{
	if (ipv6_addr_v4mapped(a)) {
		d->family = BULWARK_FAMILY_INET;
		memcpy(d->addr, &a->s6_addr32[3], 4);
	} else {
		d->family = BULWARK_FAMILY_INET6;
		memcpy(d->addr, a->s6_addr, 16);
	}
}

/* An abstract (or autobound) unix name: no path, the direction's default decides. */
static int abstract_unix(struct decision *d, const struct sockaddr_un *sun, int len, u16 access)
{
	u8 class = access == BULWARK_ACCESS_CONNECT ? BULWARK_CLASS_EGRESS : BULWARK_CLASS_INGRESS;
	char name[UNIX_PATH_MAX + 2];
	int n = len - (int)offsetof(struct sockaddr_un, sun_path) - 1;

	d->class = class;
	d->denied = d->ref.policy->defaults[class] == BULWARK_DENY ? access : 0;
	d->rule = 0;
	name[0] = '@';
	n = clamp(n, 0, UNIX_PATH_MAX - 1);
	memcpy(name + 1, sun->sun_path + 1, n);
	name[n + 1] = 0;
	return decision_conclude(d, name);
}

/* An operation on @address (@addrlen bytes, kernel memory) in @direction. */
static int address_hook(struct socket *sock, struct sockaddr *address, int addrlen, u8 op,
			u8 direction)
{
	struct decision d = {.direction = direction};
	sa_family_t family;

	if (!address || addrlen < (int)sizeof(sa_family_t))
		return 0;
	family = address->sa_family;
	/* UDP and raw sendmsg and inet bind take family 0 as the socket's own. */
	if (family == AF_UNSPEC && op != BULWARK_OP_CONNECT && sock->sk)
		family = sock->sk->sk_family;
	if (family == AF_INET && addrlen < (int)sizeof(struct sockaddr_in))
		return 0;
	if (family == AF_INET6 && addrlen < SIN6_LEN_RFC2133)
		return 0;
	if (family == AF_UNIX) {
		const struct sockaddr_un *sun = (void *)address;

		/* A path: decided on the socket file itself (mknod, unix_*). */
		if (addrlen > (int)sizeof(sa_family_t) && sun->sun_path[0])
			return 0;
		if (!decision_begin(&d, op))
			return 0;
		return abstract_unix(&d, sun, min_t(int, addrlen, sizeof(*sun)),
				     direction == BULWARK_EGRESS ? BULWARK_ACCESS_CONNECT
								 : BULWARK_ACCESS_BIND);
	}
	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (!decision_begin(&d, op))
		return 0;
	d.protocol = socket_protocol(sock);
	if (family == AF_INET) {
		const struct sockaddr_in *in = (void *)address;

		d.family = BULWARK_FAMILY_INET;
		d.port = ntohs(in->sin_port);
		memcpy(d.addr, &in->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *in6 = (void *)address;

		d.port = ntohs(in6->sin6_port);
		set_addr6(&d, &in6->sin6_addr);
	}
	/* An unspecified destination (0.0.0.0, ::) is the local host: loopback. */
	if (direction == BULWARK_EGRESS && is_unspecified(&d)) {
		if (d.family == BULWARK_FAMILY_INET) {
			d.addr[0] = 127;
			d.addr[3] = 1;
		} else {
			d.addr[15] = 1;
		}
	}
	decide_net(&d);
	if (direction == BULWARK_INGRESS)
		decide_dual_stack(&d, sock->sk);
	return decision_conclude(&d, NULL);
}

/* security_socket_connect(sock, address, addrlen) */
static int on_socket_connect(struct pt_regs *regs)
{
	return address_hook((void *)hook_arg(regs, 0), (void *)hook_arg(regs, 1), hook_arg(regs, 2),
			    BULWARK_OP_CONNECT, BULWARK_EGRESS);
}

/* security_socket_sendmsg(sock, msg, size): without an address, connect decided. */
static int on_socket_sendmsg(struct pt_regs *regs)
{
	struct msghdr *msg = (void *)hook_arg(regs, 1);

	return address_hook((void *)hook_arg(regs, 0), msg->msg_name, msg->msg_namelen,
			    BULWARK_OP_SENDMSG, BULWARK_EGRESS);
}

/* security_socket_bind(sock, address, addrlen) */
static int on_socket_bind(struct pt_regs *regs)
{
	return address_hook((void *)hook_arg(regs, 0), (void *)hook_arg(regs, 1), hook_arg(regs, 2),
			    BULWARK_OP_BIND, BULWARK_INGRESS);
}

/* listen and accept: ingress rules match the socket's local address and port. */
static int local_address_hook(struct socket *sock, u8 op)
{
	struct decision d = {.direction = BULWARK_INGRESS};
	struct sock *sk = sock->sk;

	if (!sk || (sk->sk_family != AF_INET && sk->sk_family != AF_INET6))
		return 0; /* unix: bind decided */
	if (!decision_begin(&d, op))
		return 0;
	d.protocol = socket_protocol(sock);
	d.port = sk->sk_num;
	if (sk->sk_family == AF_INET) {
		d.family = BULWARK_FAMILY_INET;
		memcpy(d.addr, &sk->sk_rcv_saddr, 4);
	} else {
		set_addr6(&d, &sk->sk_v6_rcv_saddr);
	}
	decide_net(&d);
	decide_dual_stack(&d, sk);
	return decision_conclude(&d, NULL);
}

static int on_socket_listen(struct pt_regs *regs)
{
	return local_address_hook((void *)hook_arg(regs, 0), BULWARK_OP_LISTEN);
}

static int on_socket_accept(struct pt_regs *regs)
{
	return local_address_hook((void *)hook_arg(regs, 0), BULWARK_OP_ACCEPT);
}

/*
 * A unix socket bound at a path: decided on the path it was bound at,
 * whatever name the caller used to reach it.
 */
static int unix_peer_hook(struct sock *other, u8 op)
{
	struct unix_sock *peer = unix_sk(other);

	if (!peer->path.dentry)
		return 0; /* abstract or unbound: decided by its name */
	return path_hook(op, BULWARK_ACCESS_CONNECT, BULWARK_CLASS_UNIX, &peer->path, NULL, false);
}

/* security_unix_stream_connect(sock, other, newsk) */
static int on_unix_stream_connect(struct pt_regs *regs)
{
	return unix_peer_hook((void *)hook_arg(regs, 1), BULWARK_OP_CONNECT);
}

/* security_unix_may_send(sock, other): datagrams, at connect and every send. */
static int on_unix_may_send(struct pt_regs *regs)
{
	struct socket *other = (void *)hook_arg(regs, 1);

	return unix_peer_hook(other->sk, BULWARK_OP_SENDMSG);
}

/*
 * security_socket_create(family, type, protocol, kern): sockets of families
 * rules cannot name (packet, vsock, ...) are denied where egress is denied
 * by default.
 */
static int on_socket_create(struct pt_regs *regs)
{
	int family = hook_arg(regs, 0), kern = hook_arg(regs, 3);
	struct decision d = {.class = BULWARK_CLASS_EGRESS};
	char what[16];

	if (kern || family == AF_UNIX || family == AF_INET || family == AF_INET6 ||
	    family == AF_NETLINK)
		return 0;
	if (!decision_begin(&d, BULWARK_OP_SOCKET))
		return 0;
	if (d.ref.policy->defaults[BULWARK_CLASS_EGRESS] != BULWARK_DENY)
		return 0;
	d.denied = BULWARK_ACCESS_OPERATION;
	snprintf(what, sizeof(what), "family %02d", family);
	return decision_conclude(&d, what);
}

const struct bulwark_hook_spec bulwark_net_hooks[] = {
	{"security_socket_connect", on_socket_connect},
	{"security_socket_sendmsg", on_socket_sendmsg},
	{"security_socket_bind", on_socket_bind},
	{"security_socket_listen", on_socket_listen},
	{"security_socket_accept", on_socket_accept},
	{"security_unix_stream_connect", on_unix_stream_connect},
	{"security_unix_may_send", on_unix_may_send},
	{"security_socket_create", on_socket_create},
	{NULL, NULL},
};
