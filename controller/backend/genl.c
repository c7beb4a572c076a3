// SPDX-License-Identifier: GPL-2.0
/*
 * bulwark.ko's generic netlink family: the only file that talks to libnl.
 * The protocol is documented in kmod/include/uapi/linux/bulwark.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "backend.h"
#include "bulwark_maps.h"
#include "uapi/linux/bulwark_image.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct kmod {
	struct nl_sock *sock;
	int family;
};

struct kmod_event_reader {
	struct nl_sock *sock;
	int family;
	bw_event_fn fn;
	void *ctx;
	int consumed;
	int stop;
	uint64_t left; /* what the module holds past what a flush sent */
	uint64_t logged; /* the last EV_SEQ the callback took: the next flush acknowledges it */
	unsigned int sent; /* events the last flush sent */
};

/* How long a reader waits for the module's answer to a flush. */
#define FLUSH_TIMEOUT_S 10
/* The receive buffer asked for (the kernel caps it at net.core.rmem_max). */
#define EVENTS_RCVBUF (256 << 10)

/* Mirrors the module's policy: a reply that does not fit it is not trusted. */
static struct nla_policy reply_policy[BULWARK_A_MAX + 1] = {
	[BULWARK_A_ABI_VERSION] = {.type = NLA_U32},
	[BULWARK_A_MODULE_VERSION] = {.type = NLA_STRING, .maxlen = BULWARK_MODULE_VERSION_MAX},
	[BULWARK_A_STAGE] = {.type = NLA_U32},
	[BULWARK_A_GENERATION] = {.type = NLA_U64},
	[BULWARK_A_POLICY_COUNT] = {.type = NLA_U32},
	[BULWARK_A_HOOKS] = {.type = NLA_U32},
	[BULWARK_A_DECISIONS] = {.type = NLA_U64},
	[BULWARK_A_DENIED] = {.type = NLA_U64},
	[BULWARK_A_AUDITED] = {.type = NLA_U64},
	[BULWARK_A_EVENTS_LOST] = {.type = NLA_U64},
	[BULWARK_A_EVENTS_QUEUED] = {.type = NLA_U64},
	[BULWARK_A_UNDECIDABLE] = {.type = NLA_U64},
	[BULWARK_A_EV_TIME_NS] = {.type = NLA_U64},
	[BULWARK_A_EV_CGROUP] = {.type = NLA_U64},
	[BULWARK_A_EV_PID] = {.type = NLA_U32},
	[BULWARK_A_EV_TID] = {.type = NLA_U32},
	[BULWARK_A_EV_RULE] = {.type = NLA_U32},
	[BULWARK_A_EV_POLICY] = {.type = NLA_U32},
	[BULWARK_A_EV_POLICY_NAME] = {.type = NLA_STRING, .maxlen = 64},
	[BULWARK_A_EV_OP] = {.type = NLA_U8},
	[BULWARK_A_EV_VERDICT] = {.type = NLA_U8},
	[BULWARK_A_EV_ACCESS] = {.type = NLA_U16},
	[BULWARK_A_EV_CLASS] = {.type = NLA_U8},
	[BULWARK_A_EV_WHY] = {.type = NLA_U8},
	[BULWARK_A_EV_FAMILY] = {.type = NLA_U8},
	[BULWARK_A_EV_PROTOCOL] = {.type = NLA_U8},
	[BULWARK_A_EV_PORT] = {.type = NLA_U16},
	[BULWARK_A_EV_ADDR] = {.minlen = 16, .maxlen = 16},
	[BULWARK_A_EV_COMM] = {.type = NLA_STRING, .maxlen = 16},
	[BULWARK_A_EV_EXE] = {.type = NLA_STRING, .maxlen = BULWARK_EV_EXE_MAX},
	[BULWARK_A_EV_OBJECT] = {.type = NLA_STRING, .maxlen = BULWARK_EV_OBJECT_MAX},
	[BULWARK_A_EV_SEQ] = {.type = NLA_U64},
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
	case NLE_AGAIN:
		return -EAGAIN;
	default:
		return -EPROTO;
	}
}

/* A connected socket and the family's id; -ENOENT when the module is not loaded. */
static int connect_family(struct nl_sock **out, int *family)
{
	struct nl_sock *sock = nl_socket_alloc();
	int one = 1, ret;

	if (!sock)
		return -ENOMEM;
	ret = genl_connect(sock);
	if (ret < 0)
		goto fail;
	/* The module explains its errors (extack); ask for the explanations. */
	setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	ret = genl_ctrl_resolve(sock, BULWARK_GENL_NAME);
	if (ret < 0)
		goto fail;
	*family = ret;
	*out = sock;
	return 0;
fail:
	nl_socket_free(sock);
	return nl_error_to_errno(ret);
}

/* One request and its answer. */
struct exchange {
	struct nlattr *attrs[BULWARK_A_MAX + 1];
	struct nl_msg *reply; /* held while attrs point into it */
	int error; /* the kernel's -errno, or 0 */
	bool done;
	char *why; /* the extack message, when the caller wants it */
	size_t why_size;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, x->attrs, BULWARK_A_MAX, reply_policy) < 0) {
		x->error = -EPROTO;
		return NL_STOP;
	}
	nlmsg_get(msg);
	if (x->reply)
		nlmsg_free(x->reply);
	x->reply = msg;
	return NL_OK;
}

/* The extack message after an error, when the kernel sent one. */
static void copy_extack(const struct nlmsgerr *err, char *why, size_t size)
{
	const struct nlmsghdr *hdr = (const void *)((const char *)err - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t offset = sizeof(*err);
	int len;

	if (!why || !(hdr->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(hdr->nlmsg_flags & NLM_F_CAPPED))
		offset += NLMSG_ALIGN(err->msg.nlmsg_len) - NLMSG_HDRLEN;
	len = (int)hdr->nlmsg_len - NLMSG_HDRLEN - (int)offset;
	if (len <= 0)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)err + offset), len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(why, size, "%.*s", nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct exchange *x = arg;

	x->error = err->error;
	x->done = true;
	if (err->error)
		copy_extack(err, x->why, x->why_size);
	return NL_STOP;
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;

	x->done = true;
	return NL_STOP;
}

static void exchange_free(struct exchange *x)
{
	if (x->reply)
		nlmsg_free(x->reply);
	x->reply = NULL;
}

/* Sends @msg (freed here) and waits for its reply and acknowledgement. */
static int transact(struct nl_sock *sock, struct nl_msg *msg, struct exchange *x)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, x);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, x);
	ret = nl_send_auto(sock, msg);
	nlmsg_free(msg);
	while (ret >= 0 && !x->done) {
		ret = nl_recvmsgs(sock, cb);
		if (ret < 0 && x->done)
			ret = 0;
	}
	nl_cb_put(cb);
	if (ret < 0 && !x->error)
		return nl_error_to_errno(ret);
	return x->error;
}

/* A request with room for @size bytes of attributes (libnl's default is a page). */
static struct nl_msg *request_sized(int family, uint8_t cmd, size_t size)
{
	struct nl_msg *msg = nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN + size);

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_ACK, cmd,
				BULWARK_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *request(int family, uint8_t cmd)
{
	return request_sized(family, cmd, 4096);
}

static int get_version(struct nl_sock *sock, int family, struct kmod_version *version)
{
	struct exchange x = {0};
	struct nl_msg *msg = request(family, BULWARK_CMD_GET_VERSION);
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = transact(sock, msg, &x);
	if (!ret && (!x.attrs[BULWARK_A_ABI_VERSION] || !x.attrs[BULWARK_A_MODULE_VERSION]))
		ret = -EPROTO;
	if (!ret) {
		version->abi = nla_get_u32(x.attrs[BULWARK_A_ABI_VERSION]);
		nla_strlcpy(version->module, x.attrs[BULWARK_A_MODULE_VERSION],
			    sizeof(version->module));
	}
	exchange_free(&x);
	return ret;
}

int genl_get_version(struct kmod_version *version)
{
	struct nl_sock *sock;
	int family, ret;

	ret = connect_family(&sock, &family);
	if (ret)
		return ret;
	ret = get_version(sock, family, version);
	nl_socket_free(sock);
	return ret;
}

int kmod_open(struct kmod **out)
{
	struct kmod_version version;
	struct kmod *k = calloc(1, sizeof(*k));
	int ret;

	if (!k)
		return -ENOMEM;
	ret = connect_family(&k->sock, &k->family);
	if (ret) {
		free(k);
		return ret;
	}
	ret = get_version(k->sock, k->family, &version);
	if (!ret && version.abi != BULWARK_GENL_VERSION)
		ret = -EPROTO;
	if (ret) {
		kmod_close(k);
		return ret;
	}
	*out = k;
	return 0;
}

void kmod_close(struct kmod *k)
{
	if (!k)
		return;
	nl_socket_free(k->sock);
	free(k);
}

int kmod_get_status(struct kmod *k, struct kmod_status *st)
{
	static const struct {
		int attr;
		size_t offset;
	} u64s[] = {
		{BULWARK_A_GENERATION, offsetof(struct kmod_status, generation)},
		{BULWARK_A_DECISIONS, offsetof(struct kmod_status, decisions)},
		{BULWARK_A_DENIED, offsetof(struct kmod_status, denied)},
		{BULWARK_A_AUDITED, offsetof(struct kmod_status, audited)},
		{BULWARK_A_UNDECIDABLE, offsetof(struct kmod_status, undecidable)},
		{BULWARK_A_EVENTS_LOST, offsetof(struct kmod_status, events_lost)},
		{BULWARK_A_EVENTS_QUEUED, offsetof(struct kmod_status, events_queued)},
	};
	struct exchange x = {0};
	struct nl_msg *msg = request(k->family, BULWARK_CMD_GET_STATUS);
	size_t i;
	int ret;

	if (!msg)
		return -ENOMEM;
	memset(st, 0, sizeof(*st));
	ret = transact(k->sock, msg, &x);
	if (!ret && (!x.attrs[BULWARK_A_POLICY_COUNT] || !x.attrs[BULWARK_A_HOOKS]))
		ret = -EPROTO;
	for (i = 0; !ret && i < sizeof(u64s) / sizeof(u64s[0]); i++) {
		if (!x.attrs[u64s[i].attr])
			ret = -EPROTO;
		else
			*(uint64_t *)((char *)st + u64s[i].offset) =
				nla_get_u64(x.attrs[u64s[i].attr]);
	}
	if (!ret) {
		st->policies = nla_get_u32(x.attrs[BULWARK_A_POLICY_COUNT]);
		st->hooks = nla_get_u32(x.attrs[BULWARK_A_HOOKS]);
	}
	exchange_free(&x);
	return ret;
}

/* A command whose reply carries GENERATION. */
static int command_generation(struct kmod *k, struct nl_msg *msg, uint64_t *generation, char *why,
			      size_t why_size)
{
	struct exchange x = {.why = why, .why_size = why_size};
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = transact(k->sock, msg, &x);
	if (!ret && !x.attrs[BULWARK_A_GENERATION])
		ret = -EPROTO;
	if (!ret)
		*generation = nla_get_u64(x.attrs[BULWARK_A_GENERATION]);
	exchange_free(&x);
	return ret;
}

int kmod_clear(struct kmod *k, uint64_t *generation)
{
	return command_generation(k, request(k->family, BULWARK_CMD_CLEAR), generation, NULL, 0);
}

/*
 * Sends a staging request, unless building it failed (@msg NULL or
 * @unbuilt: an attribute did not fit); the answer's error.
 */
static int send_staged(struct kmod *k, struct nl_msg *msg, bool unbuilt, char *why, size_t size)
{
	struct exchange x = {.why = why, .why_size = size};
	int ret;

	if (!msg || unbuilt) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = transact(k->sock, msg, &x);
	exchange_free(&x);
	return ret;
}

static int load_images(struct kmod *k, uint32_t stage, const struct kmod_load *load, char *why,
		       size_t size)
{
	size_t i, offset, n;
	int ret = 0;

	for (i = 0; i < load->image_count; i++) {
		const struct kmod_load_image *img = &load->images[i];

		for (offset = 0; offset < img->size; offset += n) {
			struct nl_msg *msg = request_sized(k->family, BULWARK_CMD_LOAD_IMAGE,
							   BULWARK_CHUNK_MAX + 256);

			n = img->size - offset;
			if (n > BULWARK_CHUNK_MAX)
				n = BULWARK_CHUNK_MAX;
			ret = send_staged(
				k, msg,
				!msg || nla_put_u32(msg, BULWARK_A_STAGE, stage) ||
					nla_put_u32(msg, BULWARK_A_IMAGE_INDEX, i) ||
					nla_put_u64(msg, BULWARK_A_OFFSET, offset) ||
					nla_put(msg, BULWARK_A_CHUNK, n,
						(const char *)img->data + offset) ||
					(!offset &&
					 (nla_put_u64(msg, BULWARK_A_IMAGE_SIZE, img->size) ||
					  nla_put_u32(msg, BULWARK_A_POLICY_BASE, img->base) ||
					  (img->selected &&
					   nla_put_flag(msg, BULWARK_A_SELECTED)))),
				why, size);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int load_bindings(struct kmod *k, uint32_t stage, const struct kmod_load *load, char *why,
			 size_t size)
{
	size_t i;
	int ret;

	for (i = 0; i < load->binding_count; i++) {
		struct nl_msg *msg = request(k->family, BULWARK_CMD_LOAD_BIND);

		ret = send_staged(
			k, msg,
			!msg || nla_put_u32(msg, BULWARK_A_STAGE, stage) ||
				nla_put_u64(msg, BULWARK_A_CGROUP_ID, load->bindings[i].cgroup) ||
				nla_put_u32(msg, BULWARK_A_POLICY, load->bindings[i].policy),
			why, size);
		if (ret)
			return ret;
	}
	return 0;
}

/* Files that are missing or changed are not admitted: counted, not an error. */
static int load_identities(struct kmod *k, uint32_t stage, const struct kmod_load *load,
			   unsigned int *admitted, unsigned int *not_admitted, char *why,
			   size_t size)
{
	size_t i;
	int ret;

	for (i = 0; i < load->identity_count; i++) {
		const struct kmod_load_identity *id = &load->identities[i];
		struct nl_msg *msg =
			request_sized(k->family, BULWARK_CMD_LOAD_IDENTITY, BULWARK_PATH_MAX + 256);

		ret = send_staged(
			k, msg,
			!msg || nla_put_u32(msg, BULWARK_A_STAGE, stage) ||
				nla_put_u32(msg, BULWARK_A_POLICY, id->policy) ||
				nla_put_string(msg, BULWARK_A_PATH, id->path) ||
				nla_put_u8(msg, BULWARK_A_ACTION, id->action) ||
				nla_put_u32(msg, BULWARK_A_RULE, id->rule) ||
				nla_put_u64(msg, BULWARK_A_CTIME_SEC, (uint64_t)id->ctime_sec) ||
				nla_put_u32(msg, BULWARK_A_CTIME_NSEC, id->ctime_nsec) ||
				(id->fd >= 0 && nla_put_u32(msg, BULWARK_A_FD, id->fd)),
			why, size);
		if (ret == -ENOENT || ret == -ESTALE) {
			if (why)
				why[0] = 0;
			if (!id->deny)
				(*not_admitted)++;
			continue;
		}
		if (ret)
			return ret;
		(*admitted)++;
	}
	return 0;
}

int kmod_load(struct kmod *k, const struct kmod_load *load, struct kmod_load_result *result,
	      char *why, size_t size)
{
	struct exchange x = {.why = why, .why_size = size};
	struct nl_msg *msg = request(k->family, BULWARK_CMD_LOAD_BEGIN);
	uint32_t stage;
	int ret;

	memset(result, 0, sizeof(*result));
	if (!msg)
		return -ENOMEM;
	ret = transact(k->sock, msg, &x);
	if (!ret && !x.attrs[BULWARK_A_STAGE])
		ret = -EPROTO;
	if (!ret)
		stage = nla_get_u32(x.attrs[BULWARK_A_STAGE]);
	exchange_free(&x);
	if (ret)
		return ret;
	ret = load_images(k, stage, load, why, size);
	if (!ret)
		ret = load_bindings(k, stage, load, why, size);
	if (!ret)
		ret = load_identities(k, stage, load, &result->identities, &result->not_admitted,
				      why, size);
	if (ret)
		return ret;
	msg = request(k->family, BULWARK_CMD_ACTIVATE);
	if (msg &&
	    (nla_put_u32(msg, BULWARK_A_STAGE, stage) ||
	     (load->host_policy && nla_put_u32(msg, BULWARK_A_HOST_POLICY, load->host_policy)))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return command_generation(k, msg, &result->generation, why, size);
}

/* --- events ------------------------------------------------------------------- */

static int on_event(struct nl_msg *msg, void *arg)
{
	struct kmod_event_reader *r = arg;
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *a[BULWARK_A_MAX + 1];
	struct bw_event e = {0};
	char name[64] = "";
	uint64_t seq;

	if (gh->cmd == BULWARK_CMD_FLUSH_EVENTS) {
		if (genlmsg_parse(nlmsg_hdr(msg), 0, a, BULWARK_A_MAX, reply_policy) >= 0 &&
		    a[BULWARK_A_EVENTS_QUEUED])
			r->left = nla_get_u64(a[BULWARK_A_EVENTS_QUEUED]);
		return NL_OK;
	}
	if (r->stop || gh->cmd != BULWARK_CMD_EVENT)
		return NL_OK;
	r->sent++;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, a, BULWARK_A_MAX, reply_policy) < 0 ||
	    !a[BULWARK_A_EV_OP] || !a[BULWARK_A_EV_POLICY] || !a[BULWARK_A_EV_SEQ])
		return NL_OK; /* not one we can read: skipped */
	seq = nla_get_u64(a[BULWARK_A_EV_SEQ]);
	/* The module's events carry the BPF backend's numbers (one event format). */
	_Static_assert((int)__BULWARK_OP_MAX == (int)__BW_OP_MAX &&
			       (int)BULWARK_OP_WRITE == (int)BW_OP_WRITE &&
			       BULWARK_WHY_KERNEL_CODE == BW_WHY_KERNEL_CODE,
		       "bulwark.ko's event numbers differ from the BPF backend's");
#define GET(attr, field, type)                                                                     \
	do {                                                                                       \
		if (a[attr])                                                                       \
			e.field = nla_get_##type(a[attr]);                                         \
	} while (0)
	GET(BULWARK_A_EV_TIME_NS, time_ns, u64);
	GET(BULWARK_A_EV_CGROUP, cgroup, u64);
	GET(BULWARK_A_GENERATION, generation, u64);
	GET(BULWARK_A_EV_PID, pid, u32);
	GET(BULWARK_A_EV_TID, tid, u32);
	GET(BULWARK_A_EV_RULE, rule, u32);
	GET(BULWARK_A_EV_POLICY, policy, u32);
	GET(BULWARK_A_EV_OP, op, u8);
	GET(BULWARK_A_EV_VERDICT, verdict, u8);
	GET(BULWARK_A_EV_ACCESS, access, u16);
	GET(BULWARK_A_EV_CLASS, class, u8);
	GET(BULWARK_A_EV_WHY, why, u8);
	GET(BULWARK_A_EV_FAMILY, family, u8);
	GET(BULWARK_A_EV_PROTOCOL, protocol, u8);
	GET(BULWARK_A_EV_PORT, port, u16);
#undef GET
	if (a[BULWARK_A_EV_ADDR])
		memcpy(e.addr, nla_data(a[BULWARK_A_EV_ADDR]), sizeof(e.addr));
	if (a[BULWARK_A_EV_COMM])
		nla_strlcpy(e.comm, a[BULWARK_A_EV_COMM], sizeof(e.comm));
	if (a[BULWARK_A_EV_EXE])
		nla_strlcpy(e.exe, a[BULWARK_A_EV_EXE], sizeof(e.exe));
	if (a[BULWARK_A_EV_OBJECT])
		nla_strlcpy(e.object, a[BULWARK_A_EV_OBJECT], sizeof(e.object));
	if (a[BULWARK_A_EV_POLICY_NAME])
		nla_strlcpy(name, a[BULWARK_A_EV_POLICY_NAME], sizeof(name));
	if (r->fn(r->ctx, &e, name[0] ? name : NULL)) {
		r->stop = 1; /* not logged: not acknowledged, sent again */
	} else {
		r->consumed++;
		if (seq > r->logged)
			r->logged = seq;
	}
	return NL_OK;
}

/* Connects @r's socket, subscribed to the events group. */
static int subscribe(struct kmod_event_reader *r)
{
	struct timeval timeout = {.tv_sec = FLUSH_TIMEOUT_S};
	int group, ret;

	/* A module loaded anew numbers its events from 1 again. */
	r->logged = 0;
	ret = connect_family(&r->sock, &r->family);
	if (ret)
		return ret;
	group = genl_ctrl_resolve_grp(r->sock, BULWARK_GENL_NAME, BULWARK_MCGRP_EVENTS);
	if (group < 0)
		return nl_error_to_errno(group);
	nl_socket_set_buffer_size(r->sock, EVENTS_RCVBUF, 0);
	/* A lost answer must not hang the reader (and the events lock it holds). */
	setsockopt(nl_socket_get_fd(r->sock), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	ret = nl_socket_add_membership(r->sock, group);
	return ret < 0 ? nl_error_to_errno(ret) : 0;
}

int kmod_events_open(bw_event_fn fn, void *ctx, struct kmod_event_reader **out)
{
	struct kmod_event_reader *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return -ENOMEM;
	r->fn = fn;
	r->ctx = ctx;
	ret = subscribe(r);
	if (ret) {
		kmod_events_close(r);
		return ret;
	}
	*out = r;
	return 0;
}

int kmod_events_wait(struct kmod_event_reader *r, int timeout_ms)
{
	struct pollfd p = {.events = POLLIN};
	int ret;

	if (!r->sock) {
		/* Not subscribed (the module went away): the next drain tries again. */
		usleep(timeout_ms * 1000);
		return 0;
	}
	p.fd = nl_socket_get_fd(r->sock);
	ret = poll(&p, 1, timeout_ms);

	return ret < 0 ? (errno == EINTR ? 0 : -errno) : ret;
}

/*
 * Throws away what waits on the socket: announcements, and events another
 * reader's flush sent here, which it logged. A full buffer reports ENOBUFS
 * once: reading goes on past it.
 */
static void discard_pending(struct kmod_event_reader *r)
{
	char buf[8192];

	while (recv(nl_socket_get_fd(r->sock), buf, sizeof(buf), MSG_DONTWAIT) > 0 ||
	       errno == ENOBUFS || errno == EINTR)
		;
}

/* One FLUSH_EVENTS: its events to the callback; 0 or -errno. */
static int flush_once(struct kmod_event_reader *r)
{
	struct exchange x = {0};
	struct nl_msg *msg = request(r->family, BULWARK_CMD_FLUSH_EVENTS);
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!msg || !cb || (r->logged && nla_put_u64(msg, BULWARK_A_EVENTS_ACK, r->logged))) {
		nlmsg_free(msg);
		if (cb)
			nl_cb_put(cb);
		return -ENOMEM;
	}
	r->left = 0;
	r->sent = 0;
	/* Events carry sequence number 0, the answer our request's. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &x);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &x);
	/* The events come before the answer, on this same socket. */
	ret = nl_send_auto(r->sock, msg);
	nlmsg_free(msg);
	while (ret >= 0 && !x.done) {
		ret = nl_recvmsgs(r->sock, cb);
		if (ret < 0 && x.done)
			ret = 0;
	}
	nl_cb_put(cb);
	if (x.error)
		return x.error;
	if (ret == -NLE_NOMEM)
		return -ENOBUFS; /* (how libnl reports an overrun) this socket missed events */
	if (ret == -NLE_AGAIN)
		return -ETIMEDOUT;
	return ret < 0 ? nl_error_to_errno(ret) : 0;
}

int kmod_events_consume(struct kmod_event_reader *r)
{
	int ret;

	if (!r->sock) {
		ret = subscribe(r);
		if (ret) {
			nl_socket_free(r->sock);
			r->sock = NULL;
			return ret;
		}
	}
	discard_pending(r);
	r->consumed = 0;
	r->stop = 0;
	do {
		ret = flush_once(r);
		if (ret == -ENOENT) {
			/* The module was reloaded: its family and group are new. */
			nl_socket_free(r->sock);
			r->sock = NULL;
			ret = subscribe(r);
			if (!ret)
				ret = flush_once(r);
			if (ret) {
				nl_socket_free(r->sock);
				r->sock = NULL;
			}
		}
		/* Again while events wait, and once more to acknowledge the last ones sent. */
	} while (!ret && (r->left || r->sent) && !r->stop);
	return ret ? ret : r->consumed;
}

void kmod_events_close(struct kmod_event_reader *r)
{
	if (!r)
		return;
	if (r->sock)
		nl_socket_free(r->sock);
	free(r);
}
