// SPDX-License-Identifier: GPL-2.0
/*
 * genl-hostile: sends bulwark.ko what a broken or malicious controller
 * could: truncated, oversized, out-of-order and corrupted messages and
 * policy images, stale staging tokens, and commands from processes without
 * CAP_NET_ADMIN. Each scenario is one subcommand: it prepares what it needs
 * with well-formed requests (a staging, a complete image...), sends the one
 * hostile request and prints how the module answered it. The requests are
 * built byte by byte on a raw NETLINK_GENERIC socket, so a scenario controls
 * every length and flag; libnl only resolves the family and its group.
 *
 * Usage: genl-hostile [-i IMAGE] SCENARIO [ARG]
 *        genl-hostile list            the scenarios, one a line
 *        genl-hostile status          the running generation (see below)
 *   IMAGE is a policy image (`bulwark compile -o IMAGE POLICY`) with at
 *   least one policy and two path rules; scenarios that stage an image need
 *   it.
 *
 * Output, as genl-send's: "ok" (exit 0) for an acknowledged request, or
 * "error: ENAME" (exit 1) for an error reply, or "no answer" (exit 1) when
 * the kernel dropped the request without a word; then "why: MESSAGE" when
 * the kernel explained an error (extack); then, for scenarios that leave a
 * staging behind, "staging: kept" or "staging: discarded" (whether the
 * staging the hostile request was aimed at still takes commands). Exit 2:
 * a preparatory step failed or the request could not be sent (a broken
 * test, not an answer of the module).
 *
 * `status` prints "generation N", "policies N" and "hooks N", so a suite
 * can check that no hostile request touched the running generation.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "uapi/linux/bulwark.h"
/*
 * The decoder the module runs, for its CRC-32C (corrupted images get a
 * valid checksum, so the check under test is the one that refuses them) and
 * to check here first that each corrupted image is refused for the reason
 * the scenario means.
 */
#include "core/image.c"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define BUF_SIZE (128 * 1024)
#define NO_ANSWER 1 /* an answer's error when the kernel sent none */
#define SMALL_CHUNK 64 /* bytes per chunk where a scenario wants several */
#define NOT_A_CGROUP 0xdeadbeefcafeull /* a cgroup id no cgroup has */

static int family_id;
static int events_group;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("genl-hostile: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static const char *errname(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "E?";
}

/* --- requests, byte by byte -------------------------------------------------- */

struct msg {
	union {
		struct nlmsghdr nh;
		char buf[BUF_SIZE];
	};
	size_t len;
};

/* The kernel's answer to one request. */
struct answer {
	int error; /* 0 (acknowledged), -errno, or NO_ANSWER */
	char why[256]; /* the extack message, if any */
	bool has[BULWARK_A_MAX + 1]; /* the reply's scalar attributes */
	uint64_t value[BULWARK_A_MAX + 1];
};

struct conn {
	int fd;
	uint32_t seq;
};

static struct msg *msg_new(uint8_t cmd)
{
	struct msg *m = calloc(1, sizeof(*m));
	struct genlmsghdr *g;

	if (!m)
		die("out of memory");
	m->nh.nlmsg_type = family_id;
	m->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = BULWARK_GENL_VERSION;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->nh.nlmsg_len = m->len;
	return m;
}

static struct genlmsghdr *msg_genl(struct msg *m)
{
	return (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
}

/* Appends an attribute; @type may carry NLA_F_* flags. */
static void put(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);

	if (NLA_HDRLEN + len > 0xffff || m->len + NLA_ALIGN(NLA_HDRLEN + len) > sizeof(m->buf))
		die("attribute %u of %zu bytes does not fit a message", type, len);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(a->nla_len) - a->nla_len);
	m->len += NLA_ALIGN(a->nla_len);
	m->nh.nlmsg_len = m->len;
}

static void put_u8(struct msg *m, uint16_t type, uint8_t v)
{
	put(m, type, &v, sizeof(v));
}

static void put_u16(struct msg *m, uint16_t type, uint16_t v)
{
	put(m, type, &v, sizeof(v));
}

static void put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	put(m, type, &v, sizeof(v));
}

static void put_u64(struct msg *m, uint16_t type, uint64_t v)
{
	put(m, type, &v, sizeof(v));
}

static void put_str(struct msg *m, uint16_t type, const char *s)
{
	put(m, type, s, strlen(s) + 1);
}

static void conn_open(struct conn *c)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int one = 1;

	c->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("netlink socket: %s", strerror(errno));
	/* Errors explained, and without the whole request echoed back. */
	setsockopt(c->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(c->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	c->seq = 1;
}

static void read_error(const struct nlmsghdr *nh, struct answer *a)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);
	size_t payload = nh->nlmsg_len - NLMSG_HDRLEN, at = sizeof(*e);
	const struct nlattr *attr;

	if (payload < sizeof(*e))
		die("short error message from the kernel");
	a->error = e->error;
	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nh->nlmsg_flags & NLM_F_CAPPED))
		at += e->msg.nlmsg_len - NLMSG_HDRLEN;
	while (at + NLA_HDRLEN <= payload) {
		attr = (const struct nlattr *)((const char *)e + at);
		if (attr->nla_len < NLA_HDRLEN || at + attr->nla_len > payload)
			break;
		if ((attr->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			snprintf(a->why, sizeof(a->why), "%.*s", (int)(attr->nla_len - NLA_HDRLEN),
				 (const char *)attr + NLA_HDRLEN);
		at += NLA_ALIGN(attr->nla_len);
	}
}

static void read_reply(const struct nlmsghdr *nh, struct answer *a)
{
	size_t at = NLMSG_HDRLEN + GENL_HDRLEN;
	const struct nlattr *attr;
	uint16_t type, len;

	while (at + NLA_HDRLEN <= nh->nlmsg_len) {
		attr = (const struct nlattr *)((const char *)nh + at);
		if (attr->nla_len < NLA_HDRLEN || at + attr->nla_len > nh->nlmsg_len)
			die("malformed reply from the kernel");
		type = attr->nla_type & NLA_TYPE_MASK;
		len = attr->nla_len - NLA_HDRLEN;
		if (type <= BULWARK_A_MAX && (len == 4 || len == 8)) {
			a->has[type] = true;
			a->value[type] = 0;
			memcpy(&a->value[type], (const char *)attr + NLA_HDRLEN, len);
		}
		at += NLA_ALIGN(attr->nla_len);
	}
}

/*
 * Sends the first @len bytes of @m (however its header reads) and waits up
 * to @timeout_ms for the answer to it. Frees @m. Returns the answer's error.
 */
static int send_bytes(struct conn *c, struct msg *m, size_t len, struct answer *a, int timeout_ms)
{
	static char rbuf[BUF_SIZE];
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	uint32_t seq = ++c->seq;
	struct nlmsghdr *nh;
	ssize_t n;
	bool done = false;

	memset(a, 0, sizeof(*a));
	m->nh.nlmsg_seq = seq;
	if (send(c->fd, m->buf, len, 0) != (ssize_t)len)
		die("send: %s", strerror(errno));
	free(m);
	while (!done) {
		n = poll(&p, 1, timeout_ms);
		if (n < 0)
			die("poll: %s", strerror(errno));
		if (n == 0) {
			a->error = NO_ANSWER;
			return a->error;
		}
		n = recv(c->fd, rbuf, sizeof(rbuf), 0);
		if (n < 0)
			die("recv: %s", strerror(errno));
		for (nh = (struct nlmsghdr *)rbuf; NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				read_error(nh, a);
				done = true;
			} else if (nh->nlmsg_type == family_id) {
				read_reply(nh, a);
			}
		}
	}
	return a->error;
}

/* Sends @m as built; returns the answer's error (0 or -errno). */
static int request(struct conn *c, struct msg *m, struct answer *a)
{
	return send_bytes(c, m, m->len, a, 10000);
}

/* A preparatory request: it has to get @want, or the test is broken. */
static void must(struct conn *c, struct msg *m, int want, struct answer *a, const char *what)
{
	struct answer scratch;

	if (!a)
		a = &scratch;
	if (request(c, m, a) != want)
		die("%s: expected %s, got %s%s%s", what, want ? errname(-want) : "ok",
		    a->error == NO_ANSWER ? "no answer"
		    : a->error		  ? errname(-a->error)
					  : "ok",
		    a->why[0] ? ": " : "", a->why);
}

static uint32_t begin(struct conn *c)
{
	struct answer a;

	must(c, msg_new(BULWARK_CMD_LOAD_BEGIN), 0, &a, "LOAD_BEGIN");
	if (!a.has[BULWARK_A_STAGE])
		die("LOAD_BEGIN: no STAGE in the reply");
	return a.value[BULWARK_A_STAGE];
}

#define WITH_SIZE 1u
#define WITH_BASE 2u

/* A LOAD_IMAGE request with the attributes in the usual order, CHUNK last. */
static struct msg *chunk_msg(uint32_t stage, uint32_t index, uint64_t offset, const void *data,
			     size_t len, unsigned int with, uint64_t size, uint32_t base)
{
	struct msg *m = msg_new(BULWARK_CMD_LOAD_IMAGE);

	put_u32(m, BULWARK_A_STAGE, stage);
	put_u32(m, BULWARK_A_IMAGE_INDEX, index);
	put_u64(m, BULWARK_A_OFFSET, offset);
	if (with & WITH_SIZE)
		put_u64(m, BULWARK_A_IMAGE_SIZE, size);
	if (with & WITH_BASE)
		put_u32(m, BULWARK_A_POLICY_BASE, base);
	put(m, BULWARK_A_CHUNK, data, len);
	return m;
}

/*
 * Sends @data[@from, @to) of an image of @size bytes as chunks of at most
 * @chunk bytes, in order; the chunk at offset 0 carries IMAGE_SIZE and
 * POLICY_BASE. Stops at the first error, which it returns.
 */
static int send_chunks(struct conn *c, uint32_t stage, uint32_t index, uint32_t base,
		       const uint8_t *data, size_t from, size_t to, uint64_t size, size_t chunk,
		       struct answer *a)
{
	size_t at, n;
	int ret = 0;

	for (at = from; at < to && !ret; at += n) {
		n = to - at < chunk ? to - at : chunk;
		ret = request(c,
			      chunk_msg(stage, index, at, data + at, n,
					at ? 0 : WITH_SIZE | WITH_BASE, size, base),
			      a);
	}
	return ret;
}

/*
 * Stages the first @to bytes of an image of @size bytes (all of it when @to
 * is @size), which have to be accepted.
 */
static void stage_part(struct conn *c, uint32_t stage, uint32_t index, uint32_t base,
		       const uint8_t *data, size_t to, size_t size, size_t chunk)
{
	struct answer a;

	if (send_chunks(c, stage, index, base, data, 0, to, size, chunk, &a))
		die("staging a valid image: %s%s%s", errname(-a.error), a.why[0] ? ": " : "",
		    a.why);
}

static void stage_image(struct conn *c, uint32_t stage, uint32_t index, uint32_t base,
			const uint8_t *data, size_t size, size_t chunk)
{
	stage_part(c, stage, index, base, data, size, size, chunk);
}

/*
 * Whether the staging of @stage still takes commands: a LOAD_BIND of a
 * policy no image has is refused with EINVAL by an open staging (which it
 * then discards), with ESTALE when the staging is gone.
 */
static const char *probe_staging(struct conn *c, uint32_t stage)
{
	struct msg *m = msg_new(BULWARK_CMD_LOAD_BIND);
	struct answer a;

	put_u32(m, BULWARK_A_STAGE, stage);
	put_u64(m, BULWARK_A_CGROUP_ID, NOT_A_CGROUP);
	put_u32(m, BULWARK_A_POLICY, UINT32_MAX);
	request(c, m, &a);
	if (a.error == -EINVAL)
		return "kept";
	if (a.error == -ESTALE)
		return "discarded";
	die("staging probe: expected EINVAL or ESTALE, got %d", a.error);
}

/* --- capabilities ------------------------------------------------------------ */

/* Drops CAP_NET_ADMIN for good: effective, permitted, inheritable, ambient, bounding. */
static void drop_net_admin(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	uint32_t bit = 1u << (CAP_NET_ADMIN % 32);
	int w = CAP_NET_ADMIN / 32;

	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_NET_ADMIN, 0, 0);
	prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0);
	if (syscall(SYS_capget, &h, d))
		die("capget: %s", strerror(errno));
	d[w].effective &= ~bit;
	d[w].permitted &= ~bit;
	d[w].inheritable &= ~bit;
	if (syscall(SYS_capset, &h, d))
		die("capset: %s", strerror(errno));
	if (syscall(SYS_capget, &h, d) || (d[w].effective & bit) || (d[w].permitted & bit))
		die("CAP_NET_ADMIN is still there");
}

/* --- scenarios ------------------------------------------------------------------ */

struct ctx {
	struct conn c;
	uint8_t *image; /* the policy image, 8-byte aligned */
	size_t image_size;
	const char *image_path;
	const char *arg;
	int variant;
	struct answer a; /* the answer to the hostile request */
	bool probe; /* print whether the staging of @stage was kept */
	uint32_t stage;
	char extra[128]; /* printed after the answer */
};

static void need_image(struct ctx *x)
{
	struct bulwark_image img;
	const char *why = "";

	if (!x->image)
		die("this scenario needs -i IMAGE");
	if (bulwark_image_decode(&img, x->image, x->image_size, &why))
		die("%s: not a valid policy image: %s", x->image_path, why);
	if (img.policy_count < 1 || img.path_rule_count < 2)
		die("%s: the image needs a policy and two path rules", x->image_path);
}

/* An 8-aligned copy of the image, @extra bytes larger (zeroed). */
static uint8_t *image_copy(const struct ctx *x, size_t extra)
{
	void *p;

	if (posix_memalign(&p, 8, x->image_size + extra + 1))
		die("out of memory");
	memset(p, 0, x->image_size + extra + 1);
	memcpy(p, x->image, x->image_size);
	return p;
}

/* Positive control: the image staged in small chunks is accepted. */
static void sc_stage(struct ctx *x)
{
	need_image(x);
	x->stage = begin(&x->c);
	x->probe = true;
	send_chunks(&x->c, x->stage, 0, 0, x->image, 0, x->image_size, x->image_size, SMALL_CHUNK,
		    &x->a);
}

/* Positive control: a whole load (image, binding to cgroup ARG) activates. */
static void sc_load(struct ctx *x)
{
	struct msg *m;

	need_image(x);
	if (!x->arg)
		die("load needs a cgroup id");
	x->stage = begin(&x->c);
	stage_image(&x->c, x->stage, 0, 0, x->image, x->image_size, BULWARK_CHUNK_MAX);
	m = msg_new(BULWARK_CMD_LOAD_BIND);
	put_u32(m, BULWARK_A_STAGE, x->stage);
	put_u64(m, BULWARK_A_CGROUP_ID, strtoull(x->arg, NULL, 0));
	put_u32(m, BULWARK_A_POLICY, 0);
	must(&x->c, m, 0, NULL, "LOAD_BIND");
	m = msg_new(BULWARK_CMD_ACTIVATE);
	put_u32(m, BULWARK_A_STAGE, x->stage);
	if (!request(&x->c, m, &x->a))
		snprintf(x->extra, sizeof(x->extra), "generation %" PRIu64,
			 x->a.value[BULWARK_A_GENERATION]);
}

/* A staging with one complete image: a valid ACTIVATE would swap it in. */
static void staged_complete(struct ctx *x)
{
	need_image(x);
	x->stage = begin(&x->c);
	stage_image(&x->c, x->stage, 0, 0, x->image, x->image_size, BULWARK_CHUNK_MAX);
}

static struct msg *activate_msg(uint32_t stage)
{
	struct msg *m = msg_new(BULWARK_CMD_ACTIVATE);

	put_u32(m, BULWARK_A_STAGE, stage);
	return m;
}

/*
 * truncated-attr: an ACTIVATE whose nlmsg_len ends 2 bytes into the STAGE
 * value; the datagram is exactly that long. The attribute claims 8 bytes
 * where 6 remain: the parser refuses the leftover (EINVAL) before the
 * command runs, so the complete staging is not activated.
 */
static void sc_truncated_attr(struct ctx *x)
{
	struct msg *m;

	staged_complete(x);
	x->probe = true;
	m = activate_msg(x->stage);
	m->nh.nlmsg_len = m->len - 2;
	send_bytes(&x->c, m, m->len - 2, &x->a, 10000);
}

/* truncated-chunk: a first LOAD_IMAGE whose nlmsg_len ends halfway through CHUNK. */
static void sc_truncated_chunk(struct ctx *x)
{
	struct msg *m;
	size_t cut;

	need_image(x);
	x->stage = begin(&x->c);
	x->probe = true;
	m = chunk_msg(x->stage, 0, 0, x->image, x->image_size, WITH_SIZE | WITH_BASE, x->image_size,
		      0);
	cut = m->len - NLA_ALIGN(x->image_size) / 2;
	m->nh.nlmsg_len = cut;
	send_bytes(&x->c, m, cut, &x->a, 10000);
}

/*
 * truncated-genl-header / no-genl-header: a CLEAR whose nlmsg_len ends
 * inside the generic netlink header (cmd and version, no reserved field),
 * or right after the netlink header. Refused (EINVAL), so nothing is
 * cleared.
 */
static void sc_truncated_genl(struct ctx *x)
{
	struct msg *m = msg_new(BULWARK_CMD_CLEAR);
	size_t len = NLMSG_HDRLEN + (x->variant ? 0 : 2);

	m->nh.nlmsg_len = len;
	send_bytes(&x->c, m, len, &x->a, 10000);
}

/*
 * overlong-nlmsg-len / short-datagram: a CLEAR whose nlmsg_len claims more
 * bytes than the datagram holds, or a datagram shorter than a netlink
 * header. The kernel drops either without an answer; the socket keeps
 * working (checked with a GET_VERSION after).
 */
static void sc_silent(struct ctx *x)
{
	struct msg *m = msg_new(BULWARK_CMD_CLEAR);
	struct answer a;
	size_t len = m->len;

	if (x->variant)
		len = NLMSG_HDRLEN / 2;
	else
		m->nh.nlmsg_len = m->len + 64;
	send_bytes(&x->c, m, len, &x->a, 1000);
	must(&x->c, msg_new(BULWARK_CMD_GET_VERSION), 0, &a, "GET_VERSION after it");
}

/*
 * oversized-chunk: a first chunk of BULWARK_CHUNK_MAX + 1 bytes (the image
 * padded with zeros, IMAGE_SIZE to match): EINVAL. chunk-at-limit: a chunk
 * of exactly BULWARK_CHUNK_MAX bytes of a larger image, accepted (a
 * control).
 */
static void sc_chunk_size(struct ctx *x)
{
	size_t len = BULWARK_CHUNK_MAX + (x->variant ? 0 : 1);
	uint64_t size = x->variant ? 2 * BULWARK_CHUNK_MAX : len;
	uint8_t *data;

	need_image(x);
	data = image_copy(x, len);
	x->stage = begin(&x->c);
	x->probe = true;
	request(&x->c, chunk_msg(x->stage, 0, 0, data, len, WITH_SIZE | WITH_BASE, size, 0), &x->a);
	free(data);
}

/*
 * oversized-image-size, huge-image-size, image-size-at-limit: a first chunk
 * (the image's first 64 bytes) announcing an IMAGE_SIZE of
 * BULWARK_IMAGE_SIZE_MAX + 1, of 2^64 - 1 (E2BIG, nothing allocated), or of
 * exactly BULWARK_IMAGE_SIZE_MAX (accepted: a control; the 256 MiB are
 * freed by the staging probe that follows).
 */
static void sc_image_size(struct ctx *x)
{
	static const uint64_t sizes[] = {(uint64_t)BULWARK_IMAGE_SIZE_MAX + 1, UINT64_MAX,
					 BULWARK_IMAGE_SIZE_MAX};

	need_image(x);
	x->stage = begin(&x->c);
	x->probe = true;
	request(&x->c,
		chunk_msg(x->stage, 0, 0, x->image, SMALL_CHUNK, WITH_SIZE | WITH_BASE,
			  sizes[x->variant], 0),
		&x->a);
}

/*
 * oversized-image-index / wrapping-image-index: a whole image with
 * IMAGE_INDEX BULWARK_IMAGES_MAX, or 2^32 - 1 (where index + 1 wraps to 0
 * in 32 bits): an IMAGE_INDEX out of range, EINVAL. image-index-at-limit:
 * BULWARK_IMAGES_MAX - 1, accepted (a control).
 */
static void sc_image_index(struct ctx *x)
{
	static const uint32_t indexes[] = {BULWARK_IMAGES_MAX, UINT32_MAX, BULWARK_IMAGES_MAX - 1};

	need_image(x);
	x->stage = begin(&x->c);
	x->probe = true;
	send_chunks(&x->c, x->stage, indexes[x->variant], 0, x->image, 0, x->image_size,
		    x->image_size, BULWARK_CHUNK_MAX, &x->a);
}

/*
 * oversized-policy-base / wrapping-policy-base: a whole image whose
 * POLICY_BASE puts its policies at or past BULWARK_POLICY_INDEX_MAX
 * (65535, and 2^32 - 1 where base + count wraps in 32 bits): E2BIG.
 * policy-base-at-limit: the last base that fits, accepted (a control).
 */
static void sc_policy_base(struct ctx *x)
{
	struct bulwark_image img;
	const char *why;
	uint32_t bases[3];

	need_image(x);
	bulwark_image_decode(&img, x->image, x->image_size, &why);
	bases[0] = BULWARK_POLICY_INDEX_MAX - img.policy_count + 1;
	bases[1] = UINT32_MAX;
	bases[2] = BULWARK_POLICY_INDEX_MAX - img.policy_count;
	x->stage = begin(&x->c);
	x->probe = true;
	send_chunks(&x->c, x->stage, 0, bases[x->variant], x->image, 0, x->image_size,
		    x->image_size, BULWARK_CHUNK_MAX, &x->a);
}

/*
 * too-many-policies: a well-formed image (right magic, ABI, sections and
 * checksum) of BULWARK_POLICIES_MAX + 1 zeroed policies: E2BIG.
 */
static void sc_too_many_policies(struct ctx *x)
{
	const size_t head = sizeof(struct bulwark_image_header) +
			    BULWARK_SECTION_COUNT * sizeof(struct bulwark_image_section);
	const uint32_t count = BULWARK_POLICIES_MAX + 1;
	struct bulwark_image_header *h;
	struct bulwark_image_section *s;
	struct bulwark_image img;
	const char *why = "";
	size_t size, at;
	uint8_t *data;
	void *p;
	int i;

	at = head + 8; /* STRINGS: one NUL, padded */
	size = at + count * sizeof(struct bulwark_image_policy);
	if (posix_memalign(&p, 8, size))
		die("out of memory");
	data = memset(p, 0, size);
	h = p;
	s = (struct bulwark_image_section *)(data + sizeof(*h));
	memcpy(h->magic, BULWARK_IMAGE_MAGIC, sizeof(h->magic));
	h->abi_version = BULWARK_IMAGE_ABI;
	h->header_size = sizeof(*h);
	h->image_size = size;
	h->section_count = BULWARK_SECTION_COUNT;
	s[BULWARK_SECTION_STRINGS] =
		(struct bulwark_image_section){.offset = head, .size = 1, .count = 1};
	s[BULWARK_SECTION_POLICIES] = (struct bulwark_image_section){
		.offset = at,
		.size = count * sizeof(struct bulwark_image_policy),
		.count = count,
	};
	for (i = BULWARK_SECTION_DIGESTS; i < BULWARK_SECTION_COUNT; i++)
		s[i].offset = size;
	h->checksum = image_checksum(data, size);
	if (bulwark_image_decode(&img, data, size, &why) != -E2BIG)
		die("the decoder does not refuse the image with E2BIG: %s", why);
	x->stage = begin(&x->c);
	x->probe = true;
	send_chunks(&x->c, x->stage, 0, 0, data, 0, size, size, BULWARK_CHUNK_MAX, &x->a);
	free(p);
}

/*
 * A LOAD_IDENTITY for @policy naming @path (NULL: none), with the ctime of
 * the image file moved by @sec_delta seconds and, unless @nsec is negative,
 * @nsec for its nanoseconds.
 */
static struct msg *identity_msg(struct ctx *x, uint32_t policy, const char *path, uint8_t action,
				int64_t sec_delta, int64_t nsec)
{
	struct msg *m = msg_new(BULWARK_CMD_LOAD_IDENTITY);
	struct stat st;

	if (stat(x->image_path, &st))
		die("%s: %s", x->image_path, strerror(errno));
	put_u32(m, BULWARK_A_STAGE, x->stage);
	put_u32(m, BULWARK_A_POLICY, policy);
	if (path)
		put_str(m, BULWARK_A_PATH, path);
	put_u8(m, BULWARK_A_ACTION, action);
	put_u32(m, BULWARK_A_RULE, 1);
	put_u64(m, BULWARK_A_CTIME_SEC, st.st_ctim.tv_sec + sec_delta);
	put_u32(m, BULWARK_A_CTIME_NSEC, nsec < 0 ? st.st_ctim.tv_nsec : nsec);
	return m;
}

/*
 * oversized-path: a LOAD_IDENTITY whose PATH is 4097 bytes ("/" and 4095
 * more, then the NUL): past BULWARK_PATH_MAX, EINVAL. padded-path: PATH
 * "/bin/sh", its NUL, then 4200 bytes of junk: an attribute past the limit
 * that hides a short string, EINVAL as well.
 */
static void sc_path_size(struct ctx *x)
{
	size_t len = x->variant ? 4208 : BULWARK_PATH_MAX + 1;
	char *path = calloc(1, len);
	struct msg *m;

	if (!path)
		die("out of memory");
	staged_complete(x);
	x->probe = true;
	if (x->variant) {
		memset(path, 'x', len);
		memcpy(path, "/bin/sh", 8);
	} else {
		memset(path, 'a', len - 1);
		path[0] = '/';
	}
	m = identity_msg(x, 0, NULL, BULWARK_ALLOW, 0, -1);
	put(m, BULWARK_A_PATH, path, len);
	request(&x->c, m, &x->a);
	free(path);
}

/* Chunks out of order; the image goes in SMALL_CHUNK pieces. See the table below. */
enum order_case {
	ORDER_SKIP,
	ORDER_REPEAT,
	ORDER_REPEAT_FIRST,
	ORDER_BACKWARDS,
	ORDER_PAST_SIZE,
	ORDER_AFTER_COMPLETE,
	ORDER_SIZE_LATER,
	ORDER_BASE_LATER,
	ORDER_NO_SIZE,
	ORDER_NO_BASE,
	ORDER_UNSTARTED,
	ORDER_OVERLAP,
};

static void sc_order(struct ctx *x)
{
	const uint8_t *d = x->image;
	uint64_t size = x->image_size;
	struct conn *c = &x->c;
	uint32_t s;
	uint8_t *longer;

	need_image(x);
	if (size < 4 * SMALL_CHUNK)
		die("the image is too small to cut in four chunks");
	s = x->stage = begin(c);
	x->probe = true;
	switch (x->variant) {
	case ORDER_SKIP: /* 0, then 128: the bytes at 64 never come */
		stage_part(c, s, 0, 0, d, SMALL_CHUNK, size, SMALL_CHUNK);
		request(c,
			chunk_msg(s, 0, 2 * SMALL_CHUNK, d + 2 * SMALL_CHUNK, SMALL_CHUNK, 0, 0, 0),
			&x->a);
		break;
	case ORDER_REPEAT: /* 0, 64, 64 */
		stage_part(c, s, 0, 0, d, 2 * SMALL_CHUNK, size, SMALL_CHUNK);
		request(c, chunk_msg(s, 0, SMALL_CHUNK, d + SMALL_CHUNK, SMALL_CHUNK, 0, 0, 0),
			&x->a);
		break;
	case ORDER_REPEAT_FIRST: /* 0, 0: the image index again */
		stage_part(c, s, 0, 0, d, SMALL_CHUNK, size, SMALL_CHUNK);
		send_chunks(c, s, 0, 0, d, 0, SMALL_CHUNK, size, SMALL_CHUNK, &x->a);
		break;
	case ORDER_BACKWARDS: /* 0 (128 bytes), then 64 */
		stage_part(c, s, 0, 0, d, 2 * SMALL_CHUNK, size, 2 * SMALL_CHUNK);
		request(c, chunk_msg(s, 0, SMALL_CHUNK, d + SMALL_CHUNK, SMALL_CHUNK, 0, 0, 0),
			&x->a);
		break;
	case ORDER_PAST_SIZE: /* 0, then the rest and 8 bytes more */
		longer = image_copy(x, 8);
		stage_part(c, s, 0, 0, d, SMALL_CHUNK, size, SMALL_CHUNK);
		request(c,
			chunk_msg(s, 0, SMALL_CHUNK, longer + SMALL_CHUNK, size - SMALL_CHUNK + 8,
				  0, 0, 0),
			&x->a);
		free(longer);
		break;
	case ORDER_AFTER_COMPLETE: /* the whole image, then 8 bytes at its end */
		stage_image(c, s, 0, 0, d, size, SMALL_CHUNK);
		request(c, chunk_msg(s, 0, size, d, 8, 0, 0, 0), &x->a);
		break;
	case ORDER_SIZE_LATER: /* 0, then 64 with IMAGE_SIZE */
	case ORDER_BASE_LATER: /* 0, then 64 with POLICY_BASE */
		stage_part(c, s, 0, 0, d, SMALL_CHUNK, size, SMALL_CHUNK);
		request(c,
			chunk_msg(s, 0, SMALL_CHUNK, d + SMALL_CHUNK, SMALL_CHUNK,
				  x->variant == ORDER_SIZE_LATER ? WITH_SIZE : WITH_BASE, size, 0),
			&x->a);
		break;
	case ORDER_NO_SIZE: /* offset 0 without IMAGE_SIZE and POLICY_BASE */
	case ORDER_NO_BASE: /* offset 0 with IMAGE_SIZE only */
		request(c,
			chunk_msg(s, 0, 0, d, SMALL_CHUNK,
				  x->variant == ORDER_NO_SIZE ? 0 : WITH_SIZE, size, 0),
			&x->a);
		break;
	case ORDER_UNSTARTED: /* offset 64 of an image index never begun */
		request(c, chunk_msg(s, 3, SMALL_CHUNK, d + SMALL_CHUNK, SMALL_CHUNK, 0, 0, 0),
			&x->a);
		break;
	case ORDER_OVERLAP: /* two images whose policies would share indexes */
		stage_image(c, s, 0, 0, d, size, BULWARK_CHUNK_MAX);
		send_chunks(c, s, 1, 0, d, 0, size, size, BULWARK_CHUNK_MAX, &x->a);
		break;
	}
}

/* Ways to corrupt a copy of the image; see the scenario table for each one's errno. */
enum corrupt_case {
	CORRUPT_BODY,
	CORRUPT_CHECKSUM,
	CORRUPT_ABI,
	CORRUPT_MAGIC,
	CORRUPT_TRUNCATED,
	CORRUPT_HEADERLESS,
	CORRUPT_TRAILING,
	CORRUPT_RESERVED,
	CORRUPT_SECTION_OFFSET,
	CORRUPT_SECTION_SIZE,
	CORRUPT_STRINGS,
	CORRUPT_POLICY_NAME,
	CORRUPT_SELECTOR,
	CORRUPT_DEFAULT,
	CORRUPT_RULE_POLICY,
	CORRUPT_RULE_CLASS,
	CORRUPT_RULE_STRING,
	CORRUPT_RULE_ORDER,
	CORRUPT_INDEX,
};

static const int corrupt_errno[] = {
	[CORRUPT_BODY] = -EBADMSG,
	[CORRUPT_CHECKSUM] = -EBADMSG,
	[CORRUPT_ABI] = -EPROTO,
	[CORRUPT_MAGIC] = -EINVAL,
	[CORRUPT_TRUNCATED] = -EINVAL,
	[CORRUPT_HEADERLESS] = -EINVAL,
	[CORRUPT_TRAILING] = -EINVAL,
	[CORRUPT_RESERVED] = -EINVAL,
	[CORRUPT_SECTION_OFFSET] = -EINVAL,
	[CORRUPT_SECTION_SIZE] = -EINVAL,
	[CORRUPT_STRINGS] = -EINVAL,
	[CORRUPT_POLICY_NAME] = -EINVAL,
	[CORRUPT_SELECTOR] = -EINVAL,
	[CORRUPT_DEFAULT] = -EINVAL,
	[CORRUPT_RULE_POLICY] = -EINVAL,
	[CORRUPT_RULE_CLASS] = -EINVAL,
	[CORRUPT_RULE_STRING] = -EINVAL,
	[CORRUPT_RULE_ORDER] = -EINVAL,
	[CORRUPT_INDEX] = -EINVAL,
};

/*
 * Corrupts a copy of the image one way, gives it a valid checksum unless
 * the checksum is what is corrupted (or the header check that refuses it
 * comes first), checks that the decoder here refuses it with the errno the
 * scenario expects, and stages it whole.
 */
static void sc_corrupt(struct ctx *x)
{
	struct bulwark_image_path_rule *rules, tmp;
	struct bulwark_image_policy *policies;
	struct bulwark_image_header *h;
	struct bulwark_image_section *s;
	struct bulwark_image img;
	const char *why = "";
	uint64_t size = x->image_size;
	bool fix_checksum = true;
	uint32_t *index, i;
	uint8_t *d;
	int got;

	need_image(x);
	d = image_copy(x, 8);
	h = (struct bulwark_image_header *)d;
	s = (struct bulwark_image_section *)(d + sizeof(*h));
	policies = (struct bulwark_image_policy *)(d + s[BULWARK_SECTION_POLICIES].offset);
	rules = (struct bulwark_image_path_rule *)(d + s[BULWARK_SECTION_PATH_RULES].offset);
	switch (x->variant) {
	case CORRUPT_BODY: /* one bit of one byte in the middle */
		d[size / 2] ^= 0x01;
		fix_checksum = false;
		break;
	case CORRUPT_CHECKSUM:
		h->checksum ^= 0x01;
		fix_checksum = false;
		break;
	case CORRUPT_ABI:
		h->abi_version = BULWARK_IMAGE_ABI + 1;
		break;
	case CORRUPT_MAGIC:
		h->magic[0] ^= 0x20;
		break;
	case CORRUPT_TRUNCATED: /* the last 8 bytes cut; IMAGE_SIZE says so */
		size -= 8;
		fix_checksum = false;
		break;
	case CORRUPT_HEADERLESS: /* only half a header */
		size = sizeof(*h) / 2;
		fix_checksum = false;
		break;
	case CORRUPT_TRAILING: /* 8 bytes more than the sections hold, in the header too */
		size += 8;
		h->image_size = size;
		break;
	case CORRUPT_RESERVED:
		h->reserved[0] = 1;
		break;
	case CORRUPT_SECTION_OFFSET: /* the last section moved 8 bytes on */
		s[BULWARK_SECTION_COUNT - 1].offset += 8;
		break;
	case CORRUPT_SECTION_SIZE:
		s[BULWARK_SECTION_POLICIES].size += 1;
		break;
	case CORRUPT_STRINGS: /* the string table's last NUL */
		d[s[BULWARK_SECTION_STRINGS].offset + s[BULWARK_SECTION_STRINGS].count - 1] = 'x';
		break;
	case CORRUPT_POLICY_NAME: /* the empty string */
		policies[0].name = 0;
		break;
	case CORRUPT_SELECTOR:
		policies[0].selector_kind = __BULWARK_SELECTOR_MAX;
		break;
	case CORRUPT_DEFAULT:
		policies[0].defaults[BULWARK_CLASS_FILE] = __BULWARK_ACTION_MAX;
		break;
	case CORRUPT_RULE_POLICY: /* a policy past the image's */
		rules[1].policy = s[BULWARK_SECTION_POLICIES].count;
		break;
	case CORRUPT_RULE_CLASS:
		rules[1].class = __BULWARK_CLASS_MAX;
		break;
	case CORRUPT_RULE_STRING: /* a path past the string table */
		rules[1].path = s[BULWARK_SECTION_STRINGS].count + 16;
		break;
	case CORRUPT_RULE_ORDER: /* the first two rules swapped */
		tmp = rules[0];
		rules[0] = rules[1];
		rules[1] = tmp;
		break;
	case CORRUPT_INDEX: /* an empty slot of the path index made to point at a rule */
		index = (uint32_t *)(d + s[BULWARK_SECTION_PATH_INDEX].offset);
		for (i = 0; i < s[BULWARK_SECTION_PATH_INDEX].count && index[i]; i++)
			;
		if (i == s[BULWARK_SECTION_PATH_INDEX].count)
			die("the path index has no empty slot");
		index[i] = 1;
		break;
	}
	if (fix_checksum)
		h->checksum = image_checksum(d, size);
	got = bulwark_image_decode(&img, d, size, &why);
	if (got != corrupt_errno[x->variant])
		die("the decoder here answers %s (%s), the scenario expects %s",
		    got ? errname(-got) : "ok", why, errname(-corrupt_errno[x->variant]));
	x->stage = begin(&x->c);
	x->probe = true;
	send_chunks(&x->c, x->stage, 0, 0, d, 0, size, size, BULWARK_CHUNK_MAX, &x->a);
	free(d);
}

/*
 * stale-image: staging A begun, then B (which supersedes A): a LOAD_IMAGE
 * with A's token is ESTALE, and B is not disturbed. stale-activate: A holds
 * a complete image when B begins; ACTIVATE with A's token is ESTALE and
 * activates nothing. stale-zero: ACTIVATE with token 0, never a token.
 * stale-after-failure: a staging with a complete image loses it to a
 * corrupted second image (EBADMSG discards it all); ACTIVATE with its token
 * afterwards is ESTALE, so a controller that ignores errors cannot
 * activate half a load.
 */
static void sc_stale(struct ctx *x)
{
	struct conn *c = &x->c;
	struct answer a;
	uint32_t old;
	uint8_t *bad;

	need_image(x);
	old = begin(c);
	switch (x->variant) {
	case 0:
		x->stage = begin(c);
		request(c,
			chunk_msg(old, 0, 0, x->image, x->image_size, WITH_SIZE | WITH_BASE,
				  x->image_size, 0),
			&x->a);
		break;
	case 1:
		stage_image(c, old, 0, 0, x->image, x->image_size, BULWARK_CHUNK_MAX);
		x->stage = begin(c);
		request(c, activate_msg(old), &x->a);
		break;
	case 2:
		x->stage = old;
		request(c, activate_msg(0), &x->a);
		break;
	case 3:
		x->stage = old;
		stage_image(c, old, 0, 0, x->image, x->image_size, BULWARK_CHUNK_MAX);
		bad = image_copy(x, 0);
		bad[x->image_size / 2] ^= 0x01;
		if (send_chunks(c, old, 1, 100, bad, 0, x->image_size, x->image_size,
				BULWARK_CHUNK_MAX, &a) != -EBADMSG)
			die("a corrupted image was not refused with EBADMSG");
		free(bad);
		request(c, activate_msg(old), &x->a);
		break;
	}
	x->probe = true;
}

/*
 * bind-unknown-policy: LOAD_BIND of policy 1 when the staged image has one
 * (EINVAL). bind-incomplete: LOAD_BIND of policy 0 of an image half sent
 * (EINVAL). bind-twice: one cgroup bound to policy 0 twice; each LOAD_BIND
 * is taken, ACTIVATE refuses the pair (EINVAL).
 */
static void sc_bind(struct ctx *x)
{
	struct conn *c = &x->c;
	struct msg *m;
	int i;

	need_image(x);
	x->stage = begin(c);
	x->probe = true;
	if (x->variant == 1)
		stage_part(c, x->stage, 0, 0, x->image, SMALL_CHUNK, x->image_size, SMALL_CHUNK);
	else
		stage_image(c, x->stage, 0, 0, x->image, x->image_size, BULWARK_CHUNK_MAX);
	for (i = 0; i < (x->variant == 2 ? 2 : 1); i++) {
		m = msg_new(BULWARK_CMD_LOAD_BIND);
		put_u32(m, BULWARK_A_STAGE, x->stage);
		put_u64(m, BULWARK_A_CGROUP_ID, NOT_A_CGROUP);
		put_u32(m, BULWARK_A_POLICY, x->variant == 0 ? 1 : 0);
		if (x->variant == 2)
			must(c, m, 0, NULL, "LOAD_BIND");
		else
			request(c, m, &x->a);
	}
	if (x->variant == 2)
		request(c, activate_msg(x->stage), &x->a);
}

/*
 * activate-incomplete: ACTIVATE while an image has only its first chunk
 * (EINVAL). activate-unknown-host-policy: ACTIVATE with HOST_POLICY naming
 * policy 1 (1 + index 1) where the image has one policy (EINVAL).
 */
static void sc_activate(struct ctx *x)
{
	struct msg *m;

	need_image(x);
	x->stage = begin(&x->c);
	x->probe = true;
	if (x->variant == 0)
		stage_part(&x->c, x->stage, 0, 0, x->image, SMALL_CHUNK, x->image_size,
			   SMALL_CHUNK);
	else
		stage_image(&x->c, x->stage, 0, 0, x->image, x->image_size, BULWARK_CHUNK_MAX);
	m = activate_msg(x->stage);
	if (x->variant == 1)
		put_u32(m, BULWARK_A_HOST_POLICY, 2);
	request(&x->c, m, &x->a);
}

/*
 * identity: a LOAD_IDENTITY of the image file, as the controller sends it,
 * accepted (a control). identity-*: for a policy no staged image has
 * (EINVAL), of a file that does not exist (ENOENT, staging kept), with a
 * ctime one second off the file's (ESTALE, staging kept), with CTIME_NSEC
 * of a whole second (EINVAL), with ACTION past enum bulwark_action (EINVAL).
 * identity-by-descriptor: the image file by an FD of this process while
 * PATH names no file: the descriptor decides (accepted, kept).
 * identity-bad-descriptor: an FD that is not open (EBADF, discarded).
 */
static void sc_identity(struct ctx *x)
{
	const char *path =
		x->variant == 2 || x->variant == 6 ? "/nonexistent/bulwark-hostile" : x->image_path;
	struct msg *m;
	int fd = -1;

	staged_complete(x);
	x->probe = true;
	m = identity_msg(x, x->variant == 1 ? 1 : 0, path,
			 x->variant == 5 ? __BULWARK_ACTION_MAX : BULWARK_ALLOW,
			 x->variant == 3 ? 1 : 0, x->variant == 4 ? 1000000000 : -1);
	if (x->variant == 6) {
		fd = open(x->image_path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("%s: %s", x->image_path, strerror(errno));
		put_u32(m, BULWARK_A_FD, fd);
	} else if (x->variant == 7) {
		put_u32(m, BULWARK_A_FD, 1000); /* not open */
	}
	request(&x->c, m, &x->a);
	if (fd >= 0)
		close(fd);
}

/*
 * PATHs whose lookup fails other than with ENOENT, where bulwark.h promises
 * ENOENT ("no such file") and the controller counts a file as not admitted
 * only on ENOENT or ESTALE: identity-through-a-file (the image file as a
 * directory: ENOTDIR from the lookup), identity-long-name (a 300-byte name:
 * ENAMETOOLONG), identity-symlink-loop (two symlinks naming each other, in a
 * directory made for them: ELOOP).
 */
/*
 * PATHs that are not absolute: identity-relative-path (a file that exists
 * relative to the tool's working directory), identity-empty-path. The
 * module resolves no path against the caller's working directory.
 */
static void sc_identity_relative(struct ctx *x)
{
	staged_complete(x);
	x->probe = true;
	if (chdir("/usr/bin"))
		die("chdir: %s", strerror(errno));
	request(&x->c, identity_msg(x, 0, x->variant == 0 ? "id" : "", BULWARK_ALLOW, 0, -1),
		&x->a);
}

/* --- random requests ------------------------------------------------------------ */

/* Answers a request may get: every errno bulwark.h documents, and ok. */
static bool documented(int error)
{
	switch (-error) {
	case 0:
	case EINVAL:
	case EBADMSG:
	case EPROTO:
	case E2BIG:
	case ESTALE:
	case ENOENT:
	case EOPNOTSUPP:
	case ENOMEM:
	case ERANGE:
		return true;
	default:
		return false;
	}
}

static uint64_t rnd(uint64_t n)
{
	uint64_t r = (uint64_t)random() << 31 ^ (uint64_t)random();

	return n ? r % n : r;
}

/* A value for attribute @type: mostly a plausible one, sometimes anything. */
static void put_random_attr(struct ctx *x, struct msg *m, uint16_t type, uint32_t stage)
{
	static const size_t lens[] = {0, 1, 2, 3, 4, 7, 8, 9, 16, 64, 300};
	uint8_t bytes[512];
	size_t len, i;

	if (rnd(4) == 0) {
		len = lens[rnd(sizeof(lens) / sizeof(lens[0]))];
		for (i = 0; i < len; i++)
			bytes[i] = rnd(256);
		put(m, type | (rnd(16) == 0 ? NLA_F_NESTED : 0), bytes, len);
		return;
	}
	switch (type) {
	case BULWARK_A_STAGE:
		put_u32(m, type, rnd(8) ? stage : rnd(0));
		break;
	case BULWARK_A_IMAGE_INDEX:
		put_u32(m, type, rnd(4) ? rnd(4) : rnd(0));
		break;
	case BULWARK_A_IMAGE_SIZE:
		put_u64(m, type, rnd(2) ? x->image_size : rnd(3) ? rnd(x->image_size * 2) : rnd(0));
		break;
	case BULWARK_A_OFFSET:
		put_u64(m, type, rnd(2) ? 0 : rnd(x->image_size + 64));
		break;
	case BULWARK_A_POLICY_BASE:
	case BULWARK_A_POLICY:
	case BULWARK_A_HOST_POLICY:
		put_u32(m, type, rnd(2) ? rnd(4) : rnd(0));
		break;
	case BULWARK_A_CHUNK:
		len = 1 + rnd(x->image_size);
		i = rnd(x->image_size - len + 1);
		put(m, type, x->image + i, len);
		/* A few bytes flipped in place, so the image itself is mutated. */
		if (rnd(2)) {
			struct nlattr *a =
				(struct nlattr *)(m->buf + m->len - NLA_ALIGN(NLA_HDRLEN + len));

			((uint8_t *)a + NLA_HDRLEN)[rnd(len)] ^= 1 + rnd(255);
		}
		break;
	case BULWARK_A_PATH:
		put_str(m, type, rnd(2) ? "/usr/bin/id" : rnd(2) ? "/nonexistent/x" : "rel");
		break;
	case BULWARK_A_ACTION:
		put_u8(m, type, rnd(3));
		break;
	case BULWARK_A_CGROUP_ID:
	case BULWARK_A_CTIME_SEC:
		put_u64(m, type, rnd(0));
		break;
	case BULWARK_A_SELECTED:
		if (rnd(4))
			put(m, type, NULL, 0);
		else
			put_u32(m, type, rnd(0));
		break;
	default:
		put_u32(m, type, rnd(0));
		break;
	}
}

/*
 * fuzz N[:SEED]: N requests built at random from the commands that do not
 * change what runs (all but ACTIVATE and CLEAR), with attributes of every
 * type in random order, lengths and values, chunks cut from the image and
 * mutated, and now and then the whole image staged with one byte changed.
 * Every answer must be ok or an errno bulwark.h documents; the suite checks
 * that the module lives on and the running generation is untouched.
 */
static void sc_fuzz(struct ctx *x)
{
	static const uint8_t cmds[] = {
		BULWARK_CMD_GET_VERSION,   BULWARK_CMD_LOAD_BEGIN, BULWARK_CMD_LOAD_IMAGE,
		BULWARK_CMD_LOAD_IMAGE,	   BULWARK_CMD_LOAD_IMAGE, BULWARK_CMD_LOAD_BIND,
		BULWARK_CMD_LOAD_IDENTITY, BULWARK_CMD_GET_STATUS, BULWARK_CMD_FLUSH_EVENTS,
		BULWARK_CMD_UNSPEC,	   BULWARK_CMD_EVENT,	   BULWARK_CMD_EVENTS_PENDING,
		__BULWARK_CMD_MAX + 3,
	};
	unsigned long n = 1000, seed = 1, i, accepted = 0;
	uint32_t stage;
	size_t k, nattrs;

	need_image(x);
	if (x->arg && sscanf(x->arg, "%lu:%lu", &n, &seed) < 1)
		die("fuzz takes N[:SEED]");
	srandom(seed);
	stage = begin(&x->c);
	for (i = 0; i < n; i++) {
		struct answer a;
		struct msg *m;

		if (rnd(50) == 0) {
			/* The image staged whole, in random chunks, one byte changed. */
			size_t at = 0, len, flip = rnd(x->image_size);
			uint8_t saved = x->image[flip];

			stage = begin(&x->c);
			x->image[flip] ^= 1 + rnd(255);
			for (; at < x->image_size; at += len) {
				len = 1 + rnd(x->image_size - at);
				if (request(&x->c,
					    chunk_msg(stage, 0, at, x->image + at, len,
						      at ? 0 : WITH_SIZE | WITH_BASE, x->image_size,
						      0),
					    &a))
					break;
			}
			x->image[flip] = saved;
		} else {
			m = msg_new(cmds[rnd(sizeof(cmds))]);
			nattrs = rnd(8);
			for (k = 0; k < nattrs; k++)
				put_random_attr(x, m, rnd(BULWARK_A_MAX + 3), stage);
			request(&x->c, m, &a);
			if (!a.error && a.has[BULWARK_A_STAGE])
				stage = a.value[BULWARK_A_STAGE];
		}
		if (a.error == NO_ANSWER || !documented(a.error)) {
			x->a = a;
			snprintf(x->extra, sizeof(x->extra),
				 "fuzz: request %lu (seed %lu) got an undocumented answer", i,
				 seed);
			if (a.error == NO_ANSWER || !a.error)
				x->a.error = -EPROTO;
			return;
		}
		accepted += !a.error;
	}
	memset(&x->a, 0, sizeof(x->a));
	snprintf(x->extra, sizeof(x->extra), "fuzz: %lu requests, %lu accepted, seed %lu", n,
		 accepted, seed);
}

static void sc_identity_lookup(struct ctx *x)
{
	char path[BULWARK_PATH_MAX], dir[] = "/tmp/genl-hostile.XXXXXX", a[64], b[64];

	staged_complete(x);
	x->probe = true;
	if (x->variant == 0) {
		snprintf(path, sizeof(path), "%s/x", x->image_path);
	} else if (x->variant == 1) {
		memset(path, 'a', 301);
		memcpy(path, "/tmp/", 5);
		path[301] = 0;
	} else {
		if (!mkdtemp(dir))
			die("mkdtemp: %s", strerror(errno));
		snprintf(a, sizeof(a), "%s/a", dir);
		snprintf(b, sizeof(b), "%s/b", dir);
		if (symlink(b, a) || symlink(a, b))
			die("symlink: %s", strerror(errno));
		snprintf(path, sizeof(path), "%s", a);
	}
	request(&x->c, identity_msg(x, 0, path, BULWARK_ALLOW, 0, -1), &x->a);
	if (x->variant == 2) {
		unlink(a);
		unlink(b);
		rmdir(dir);
	}
}

/*
 * Attributes a command must not take, on CLEAR (which would drop the running
 * policy if it ran): an unknown type past BULWARK_A_MAX, type 0, a reply-only
 * attribute (GENERATION, which the request policy does not describe), and
 * a known one CLEAR does not take (STAGE). All EINVAL.
 */
static void sc_attr_on_clear(struct ctx *x)
{
	struct msg *m = msg_new(BULWARK_CMD_CLEAR);

	switch (x->variant) {
	case 0:
		put_u32(m, BULWARK_A_MAX + 10, 1);
		break;
	case 1:
		put_u32(m, 0, 1);
		break;
	case 2:
		put_u64(m, BULWARK_A_GENERATION, 1);
		break;
	case 3:
		put_u32(m, BULWARK_A_STAGE, 1);
		break;
	}
	request(&x->c, m, &x->a);
}

/*
 * version-long-attr: a GET_VERSION carrying MODULE_VERSION (a reply-only
 * attribute) of 100 bytes, past BULWARK_MODULE_VERSION_MAX: EINVAL.
 */
static void sc_version_long_attr(struct ctx *x)
{
	struct msg *m = msg_new(BULWARK_CMD_GET_VERSION);
	char version[100];

	memset(version, '9', sizeof(version) - 1);
	version[sizeof(version) - 1] = 0;
	put_str(m, BULWARK_A_MODULE_VERSION, version);
	request(&x->c, m, &x->a);
}

/*
 * Malformed STAGE on an ACTIVATE of a complete staging (a lenient parser
 * would activate it): STAGE as 8 bytes (the token in the low half), as 2
 * bytes, with NLA_F_NESTED; and STAGE missing. All EINVAL.
 */
static void sc_attr_on_activate(struct ctx *x)
{
	struct msg *m = msg_new(BULWARK_CMD_ACTIVATE);

	staged_complete(x);
	x->probe = true;
	switch (x->variant) {
	case 0:
		put_u64(m, BULWARK_A_STAGE, x->stage);
		break;
	case 1:
		put_u16(m, BULWARK_A_STAGE, x->stage);
		break;
	case 2:
		put_u32(m, BULWARK_A_STAGE | NLA_F_NESTED, x->stage);
		break;
	case 3:
		break;
	}
	request(&x->c, m, &x->a);
}

/*
 * missing-chunk: a first LOAD_IMAGE without CHUNK. missing-policy: a
 * LOAD_BIND without POLICY. empty-chunk: a CHUNK of 0 bytes. no-nul-path:
 * a LOAD_IDENTITY PATH without its NUL. not-taken: a LOAD_BIND carrying a
 * PATH. All EINVAL.
 */
static void sc_attr_staging(struct ctx *x)
{
	struct msg *m;

	staged_complete(x);
	x->probe = true;
	switch (x->variant) {
	case 0:
		m = msg_new(BULWARK_CMD_LOAD_IMAGE);
		put_u32(m, BULWARK_A_STAGE, x->stage);
		put_u32(m, BULWARK_A_IMAGE_INDEX, 1);
		put_u64(m, BULWARK_A_OFFSET, 0);
		put_u64(m, BULWARK_A_IMAGE_SIZE, x->image_size);
		put_u32(m, BULWARK_A_POLICY_BASE, 100);
		break;
	case 1:
	case 4:
		m = msg_new(BULWARK_CMD_LOAD_BIND);
		put_u32(m, BULWARK_A_STAGE, x->stage);
		put_u64(m, BULWARK_A_CGROUP_ID, NOT_A_CGROUP);
		if (x->variant == 4) {
			put_u32(m, BULWARK_A_POLICY, 0);
			put_str(m, BULWARK_A_PATH, "/");
		}
		break;
	case 2:
		m = chunk_msg(x->stage, 1, 0, NULL, 0, WITH_SIZE | WITH_BASE, x->image_size, 100);
		break;
	default:
		m = identity_msg(x, 0, NULL, BULWARK_ALLOW, 0, -1);
		put(m, BULWARK_A_PATH, "/bin/sh", 7);
		break;
	}
	request(&x->c, m, &x->a);
}

/*
 * Headers a command must not have, on CLEAR: a non-zero reserved byte in
 * the genetlink header, NLM_F_REPLACE (EINVAL each), NLM_F_DUMP (no dump
 * operation: EOPNOTSUPP); and no NLM_F_REQUEST, which the kernel
 * acknowledges without running anything ("ok", and nothing cleared).
 */
static void sc_header(struct ctx *x)
{
	struct msg *m = msg_new(BULWARK_CMD_CLEAR);

	if (x->variant == 0)
		msg_genl(m)->reserved = 1;
	else if (x->variant == 1)
		m->nh.nlmsg_flags |= NLM_F_REPLACE;
	else if (x->variant == 2)
		m->nh.nlmsg_flags |= NLM_F_DUMP;
	else
		m->nh.nlmsg_flags &= ~NLM_F_REQUEST;
	request(&x->c, m, &x->a);
}

/*
 * Command numbers the module has no operation for: 99, UNSPEC (0), and
 * EVENT and EVENTS_PENDING, which only the module sends. EOPNOTSUPP.
 */
static void sc_cmd(struct ctx *x)
{
	static const uint8_t cmds[] = {99, BULWARK_CMD_UNSPEC, BULWARK_CMD_EVENT,
				       BULWARK_CMD_EVENTS_PENDING};

	request(&x->c, msg_new(cmds[x->variant]), &x->a);
}

/* The request of command @name, well-formed, for the staging @stage. */
static struct msg *named_request(struct ctx *x, const char *name, uint32_t stage)
{
	struct msg *m;

	if (!strcmp(name, "load-begin"))
		return msg_new(BULWARK_CMD_LOAD_BEGIN);
	if (!strcmp(name, "load-image"))
		return chunk_msg(stage, 1, 0, x->image, x->image_size, WITH_SIZE | WITH_BASE,
				 x->image_size, 100);
	if (!strcmp(name, "load-bind")) {
		m = msg_new(BULWARK_CMD_LOAD_BIND);
		put_u32(m, BULWARK_A_STAGE, stage);
		put_u64(m, BULWARK_A_CGROUP_ID, NOT_A_CGROUP);
		put_u32(m, BULWARK_A_POLICY, 0);
		return m;
	}
	if (!strcmp(name, "load-identity"))
		return identity_msg(x, 0, x->image_path, BULWARK_ALLOW, 0, -1);
	if (!strcmp(name, "activate"))
		return activate_msg(stage);
	if (!strcmp(name, "clear"))
		return msg_new(BULWARK_CMD_CLEAR);
	if (!strcmp(name, "flush-events"))
		return msg_new(BULWARK_CMD_FLUSH_EVENTS);
	if (!strcmp(name, "get-status"))
		return msg_new(BULWARK_CMD_GET_STATUS);
	if (!strcmp(name, "get-version"))
		return msg_new(BULWARK_CMD_GET_VERSION);
	die("unknown command '%s'", name);
}

static void send_fd(int via, int fd)
{
	char control[CMSG_SPACE(sizeof(int))] = {0};
	char byte = 0;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(via, &mh, 0) != 1)
		die("sendmsg: %s", strerror(errno));
}

static int recv_fd(int via)
{
	char control[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(via, &mh, 0) != 1 || !(cm = CMSG_FIRSTHDR(&mh)) || cm->cmsg_type != SCM_RIGHTS)
		die("no socket came from the unprivileged child");
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * noperm CMD: a process without CAP_NET_ADMIN sends CMD (load-begin,
 * load-image, load-bind, load-identity, activate, clear, flush-events:
 * EPERM; get-status, get-version: ok) on a socket of its own, with the
 * token of a staging that holds a complete image. noperm-inherited CMD:
 * the same on a socket opened while it still had the capability.
 * noperm-passed CMD: the socket is opened by a process without the
 * capability and handed (SCM_RIGHTS) to one with it, which sends CMD on it:
 * the opener's credentials count too, EPERM all the same. The staging is
 * kept: nothing ran.
 */
static void sc_noperm(struct ctx *x)
{
	struct conn child_conn;
	int pair[2], status;
	pid_t pid;

	if (!x->arg)
		die("noperm needs a command name");
	staged_complete(x);
	x->probe = true;
	free(named_request(x, x->arg, x->stage)); /* an unknown name fails here, not in the child */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair))
		die("socketpair: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		struct answer a;

		if (x->variant == 1)
			child_conn = x->c; /* opened with the capability */
		drop_net_admin();
		if (x->variant != 1)
			conn_open(&child_conn);
		if (x->variant == 2) {
			send_fd(pair[1], child_conn.fd);
			_exit(0);
		}
		request(&child_conn, named_request(x, x->arg, x->stage), &a);
		if (write(pair[1], &a, sizeof(a)) != sizeof(a))
			_exit(2);
		_exit(0);
	}
	close(pair[1]);
	if (x->variant == 2) {
		struct conn passed = {.fd = recv_fd(pair[0]), .seq = 1000};

		request(&passed, named_request(x, x->arg, x->stage), &x->a);
		close(passed.fd);
	} else if (read(pair[0], &x->a, sizeof(x->a)) != sizeof(x->a)) {
		die("the unprivileged child sent no answer");
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("the unprivileged child failed");
	close(pair[0]);
}

/*
 * subscribe: a process without CAP_NET_ADMIN joins the events multicast
 * group (NETLINK_ADD_MEMBERSHIP): EPERM. subscribe-privileged: the same
 * with the capability, accepted (a control).
 */
static void sc_subscribe(struct ctx *x)
{
	struct conn c;

	if (x->variant == 0)
		drop_net_admin();
	conn_open(&c);
	memset(&x->a, 0, sizeof(x->a));
	if (setsockopt(c.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &events_group,
		       sizeof(events_group)))
		x->a.error = -errno;
	close(c.fd);
}

/* status: the running generation, for checking that nothing changed it. */
static void sc_status(struct ctx *x)
{
	must(&x->c, msg_new(BULWARK_CMD_GET_STATUS), 0, &x->a, "GET_STATUS");
	if (!x->a.has[BULWARK_A_GENERATION] || !x->a.has[BULWARK_A_POLICY_COUNT] ||
	    !x->a.has[BULWARK_A_HOOKS])
		die("GET_STATUS: the reply lacks GENERATION, POLICY_COUNT or HOOKS");
	printf("generation %" PRIu64 "\npolicies %" PRIu64 "\nhooks %" PRIu64 "\n",
	       x->a.value[BULWARK_A_GENERATION], x->a.value[BULWARK_A_POLICY_COUNT],
	       x->a.value[BULWARK_A_HOOKS]);
	exit(0);
}

struct scenario {
	const char *name;
	void (*run)(struct ctx *x);
	int variant;
	const char *expect; /* what bulwark.h says the answer is */
};

static const struct scenario scenarios[] = {
	{"status", sc_status, 0, "the running generation"},
	{"stage", sc_stage, 0, "ok, kept"},
	{"load", sc_load, 0, "ok (ARG: the cgroup id to bind)"},
	{"truncated-attr", sc_truncated_attr, 0, "EINVAL, kept"},
	{"truncated-chunk", sc_truncated_chunk, 0, "EINVAL, kept"},
	{"truncated-genl-header", sc_truncated_genl, 0, "EINVAL"},
	{"no-genl-header", sc_truncated_genl, 1, "EINVAL"},
	{"overlong-nlmsg-len", sc_silent, 0, "no answer"},
	{"short-datagram", sc_silent, 1, "no answer"},
	{"oversized-chunk", sc_chunk_size, 0, "EINVAL, discarded"},
	{"chunk-at-limit", sc_chunk_size, 1, "ok, kept"},
	{"oversized-image-size", sc_image_size, 0, "E2BIG, discarded"},
	{"huge-image-size", sc_image_size, 1, "E2BIG, discarded"},
	{"image-size-at-limit", sc_image_size, 2, "ok, kept"},
	{"oversized-image-index", sc_image_index, 0, "EINVAL, discarded"},
	{"wrapping-image-index", sc_image_index, 1, "EINVAL, discarded"},
	{"image-index-at-limit", sc_image_index, 2, "ok, kept"},
	{"oversized-policy-base", sc_policy_base, 0, "E2BIG, discarded"},
	{"wrapping-policy-base", sc_policy_base, 1, "E2BIG, discarded"},
	{"policy-base-at-limit", sc_policy_base, 2, "ok, kept"},
	{"too-many-policies", sc_too_many_policies, 0, "E2BIG, discarded"},
	{"oversized-path", sc_path_size, 0, "EINVAL, discarded"},
	{"padded-path", sc_path_size, 1, "EINVAL, discarded"},
	{"order-skip", sc_order, ORDER_SKIP, "EINVAL, discarded"},
	{"order-repeat", sc_order, ORDER_REPEAT, "EINVAL, discarded"},
	{"order-repeat-first", sc_order, ORDER_REPEAT_FIRST, "EINVAL, discarded"},
	{"order-backwards", sc_order, ORDER_BACKWARDS, "EINVAL, discarded"},
	{"order-past-size", sc_order, ORDER_PAST_SIZE, "EINVAL, discarded"},
	{"order-after-complete", sc_order, ORDER_AFTER_COMPLETE, "EINVAL, discarded"},
	{"order-size-later", sc_order, ORDER_SIZE_LATER, "EINVAL, discarded"},
	{"order-base-later", sc_order, ORDER_BASE_LATER, "EINVAL, discarded"},
	{"order-no-size", sc_order, ORDER_NO_SIZE, "EINVAL, discarded"},
	{"order-no-base", sc_order, ORDER_NO_BASE, "EINVAL, discarded"},
	{"order-unstarted", sc_order, ORDER_UNSTARTED, "EINVAL, discarded"},
	{"order-overlap", sc_order, ORDER_OVERLAP, "EINVAL, discarded"},
	{"corrupt-body", sc_corrupt, CORRUPT_BODY, "EBADMSG, discarded"},
	{"corrupt-checksum", sc_corrupt, CORRUPT_CHECKSUM, "EBADMSG, discarded"},
	{"corrupt-abi", sc_corrupt, CORRUPT_ABI, "EPROTO, discarded"},
	{"corrupt-magic", sc_corrupt, CORRUPT_MAGIC, "EINVAL, discarded"},
	{"corrupt-truncated", sc_corrupt, CORRUPT_TRUNCATED, "EINVAL, discarded"},
	{"corrupt-headerless", sc_corrupt, CORRUPT_HEADERLESS, "EINVAL, discarded"},
	{"corrupt-trailing", sc_corrupt, CORRUPT_TRAILING, "EINVAL, discarded"},
	{"corrupt-reserved", sc_corrupt, CORRUPT_RESERVED, "EINVAL, discarded"},
	{"corrupt-section-offset", sc_corrupt, CORRUPT_SECTION_OFFSET, "EINVAL, discarded"},
	{"corrupt-section-size", sc_corrupt, CORRUPT_SECTION_SIZE, "EINVAL, discarded"},
	{"corrupt-strings", sc_corrupt, CORRUPT_STRINGS, "EINVAL, discarded"},
	{"corrupt-policy-name", sc_corrupt, CORRUPT_POLICY_NAME, "EINVAL, discarded"},
	{"corrupt-selector", sc_corrupt, CORRUPT_SELECTOR, "EINVAL, discarded"},
	{"corrupt-default", sc_corrupt, CORRUPT_DEFAULT, "EINVAL, discarded"},
	{"corrupt-rule-policy", sc_corrupt, CORRUPT_RULE_POLICY, "EINVAL, discarded"},
	{"corrupt-rule-class", sc_corrupt, CORRUPT_RULE_CLASS, "EINVAL, discarded"},
	{"corrupt-rule-string", sc_corrupt, CORRUPT_RULE_STRING, "EINVAL, discarded"},
	{"corrupt-rule-order", sc_corrupt, CORRUPT_RULE_ORDER, "EINVAL, discarded"},
	{"corrupt-index", sc_corrupt, CORRUPT_INDEX, "EINVAL, discarded"},
	{"stale-image", sc_stale, 0, "ESTALE, kept (the newer staging)"},
	{"stale-activate", sc_stale, 1, "ESTALE, kept (the newer staging)"},
	{"stale-zero", sc_stale, 2, "ESTALE, kept"},
	{"stale-after-failure", sc_stale, 3, "ESTALE, discarded"},
	{"bind-unknown-policy", sc_bind, 0, "EINVAL, discarded"},
	{"bind-incomplete", sc_bind, 1, "EINVAL, discarded"},
	{"bind-twice", sc_bind, 2, "EINVAL, discarded"},
	{"activate-incomplete", sc_activate, 0, "EINVAL, discarded"},
	{"activate-unknown-host-policy", sc_activate, 1, "EINVAL, discarded"},
	{"identity", sc_identity, 0, "ok, kept"},
	{"identity-unknown-policy", sc_identity, 1, "EINVAL, discarded"},
	{"identity-missing-file", sc_identity, 2, "ENOENT, kept"},
	{"identity-changed-file", sc_identity, 3, "ESTALE, kept"},
	{"identity-bad-nsec", sc_identity, 4, "EINVAL, discarded"},
	{"identity-bad-action", sc_identity, 5, "EINVAL, discarded"},
	{"identity-by-descriptor", sc_identity, 6, "ok, kept"},
	{"identity-bad-descriptor", sc_identity, 7, "EBADF, discarded"},
	{"identity-through-a-file", sc_identity_lookup, 0, "ENOENT, kept"},
	{"identity-long-name", sc_identity_lookup, 1, "ENOENT, kept"},
	{"identity-symlink-loop", sc_identity_lookup, 2, "ENOENT, kept"},
	{"identity-relative-path", sc_identity_relative, 0, "EINVAL, discarded"},
	{"fuzz", sc_fuzz, 0, "ok: N[:SEED] random requests, each answered as documented"},
	{"identity-empty-path", sc_identity_relative, 1, "EINVAL, discarded"},
	{"clear-unknown-attr", sc_attr_on_clear, 0, "EINVAL"},
	{"clear-type-zero-attr", sc_attr_on_clear, 1, "EINVAL"},
	{"clear-reply-only-attr", sc_attr_on_clear, 2, "EINVAL"},
	{"clear-not-taken-attr", sc_attr_on_clear, 3, "EINVAL"},
	{"version-long-attr", sc_version_long_attr, 0, "EINVAL"},
	{"activate-long-stage", sc_attr_on_activate, 0, "EINVAL"},
	{"activate-short-stage", sc_attr_on_activate, 1, "EINVAL"},
	{"activate-nested-stage", sc_attr_on_activate, 2, "EINVAL"},
	{"activate-missing-stage", sc_attr_on_activate, 3, "EINVAL"},
	{"missing-chunk", sc_attr_staging, 0, "EINVAL"},
	{"missing-policy", sc_attr_staging, 1, "EINVAL"},
	{"empty-chunk", sc_attr_staging, 2, "EINVAL, discarded"},
	{"no-nul-path", sc_attr_staging, 3, "EINVAL"},
	{"bind-not-taken-attr", sc_attr_staging, 4, "EINVAL"},
	{"header-reserved", sc_header, 0, "EINVAL"},
	{"header-replace-flag", sc_header, 1, "EINVAL"},
	{"header-dump-flag", sc_header, 2, "EOPNOTSUPP"},
	{"not-a-request", sc_header, 3, "ok (acknowledged, not run)"},
	{"cmd-unknown", sc_cmd, 0, "EOPNOTSUPP"},
	{"cmd-unspec", sc_cmd, 1, "EOPNOTSUPP"},
	{"cmd-event", sc_cmd, 2, "EOPNOTSUPP"},
	{"cmd-events-pending", sc_cmd, 3, "EOPNOTSUPP"},
	{"noperm", sc_noperm, 0, "EPERM, kept (ARG: the command)"},
	{"noperm-inherited", sc_noperm, 1, "EPERM, kept (ARG: the command)"},
	{"noperm-passed", sc_noperm, 2, "EPERM, kept (ARG: the command)"},
	{"subscribe", sc_subscribe, 0, "EPERM"},
	{"subscribe-privileged", sc_subscribe, 1, "ok"},
};

static void read_image(struct ctx *x, const char *path)
{
	FILE *f = fopen(path, "rb");
	long size;
	void *p;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die("%s: %s", path, strerror(errno));
	if (posix_memalign(&p, 8, size + 1) || fread(p, 1, size, f) != (size_t)size)
		die("%s: cannot read it", path);
	fclose(f);
	x->image = p;
	x->image_size = size;
	x->image_path = path;
}

static void resolve(void)
{
	struct nl_sock *s = nl_socket_alloc();

	if (!s || genl_connect(s) < 0)
		die("cannot open a generic netlink socket");
	family_id = genl_ctrl_resolve(s, BULWARK_GENL_NAME);
	if (family_id < 0)
		die("family %s: %s", BULWARK_GENL_NAME, nl_geterror(family_id));
	events_group = genl_ctrl_resolve_grp(s, BULWARK_GENL_NAME, BULWARK_MCGRP_EVENTS);
	if (events_group < 0)
		die("group %s: %s", BULWARK_MCGRP_EVENTS, nl_geterror(events_group));
	nl_socket_free(s);
}

int main(int argc, char *argv[])
{
	static struct ctx x;
	const struct scenario *sc = NULL;
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "+i:")) != -1) {
		if (opt != 'i')
			goto usage;
		read_image(&x, optarg);
	}
	if (optind >= argc)
		goto usage;
	if (!strcmp(argv[optind], "list")) {
		for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
			printf("%-30s %s\n", scenarios[i].name, scenarios[i].expect);
		return 0;
	}
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (!strcmp(argv[optind], scenarios[i].name))
			sc = &scenarios[i];
	if (!sc)
		goto usage;
	x.arg = optind + 1 < argc ? argv[optind + 1] : NULL;
	x.variant = sc->variant;
	resolve();
	conn_open(&x.c);
	sc->run(&x);
	fflush(stdout);
	if (x.a.error == NO_ANSWER)
		printf("no answer\n");
	else if (x.a.error)
		printf("error: %s\n", errname(-x.a.error));
	else
		printf("ok\n");
	if (x.a.error && x.a.error != NO_ANSWER && x.a.why[0])
		printf("why: %s\n", x.a.why);
	if (x.extra[0])
		printf("%s\n", x.extra);
	if (x.probe)
		printf("staging: %s\n", probe_staging(&x.c, x.stage));
	return x.a.error ? 1 : 0;
usage:
	fprintf(stderr, "usage: genl-hostile [-i IMAGE] SCENARIO [ARG]   (genl-hostile list)\n");
	return 2;
}
