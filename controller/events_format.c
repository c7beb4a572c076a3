// SPDX-License-Identifier: GPL-2.0
/* Events as text and as JSON lines. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "events_log.h"
#include "policy.h"

static const char *const op_names[__BW_OP_MAX] = {
	[BW_OP_EXEC] = "exec",	   [BW_OP_MMAP] = "mmap",	  [BW_OP_MPROTECT] = "mprotect",
	[BW_OP_OPEN] = "open",	   [BW_OP_CONNECT] = "connect",	  [BW_OP_SENDMSG] = "sendmsg",
	[BW_OP_BIND] = "bind",	   [BW_OP_LISTEN] = "listen",	  [BW_OP_ACCEPT] = "accept",
	[BW_OP_UNLINK] = "unlink", [BW_OP_MKDIR] = "mkdir",	  [BW_OP_RMDIR] = "rmdir",
	[BW_OP_MKNOD] = "create",  [BW_OP_SYMLINK] = "symlink",	  [BW_OP_LINK] = "link",
	[BW_OP_RENAME] = "rename", [BW_OP_TRUNCATE] = "truncate", [BW_OP_SETATTR] = "setattr",
	[BW_OP_FCNTL] = "fcntl",   [BW_OP_MOUNT] = "mount",	  [BW_OP_CHROOT] = "chroot",
	[BW_OP_USERNS] = "userns", [BW_OP_CLONE] = "clone",	  [BW_OP_SOCKET] = "socket",
	[BW_OP_MODULE] = "module", [BW_OP_KEXEC] = "kexec",	  [BW_OP_RECEIVE] = "receive",
	[BW_OP_WRITE] = "write",
};

const char *event_op_name(__u8 op)
{
	return op < __BW_OP_MAX && op_names[op] ? op_names[op] : "?";
}

void event_object_text(const struct bw_event *e, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	if (!e->family) {
		snprintf(buf, size, "%.*s", (int)sizeof(e->object), e->object);
		return;
	}
	if (e->family == BULWARK_FAMILY_INET) {
		inet_ntop(AF_INET, e->addr, addr, sizeof(addr));
		snprintf(buf, size, "%s:%u", addr, e->port);
	} else {
		inet_ntop(AF_INET6, e->addr, addr, sizeof(addr));
		snprintf(buf, size, "[%s]:%u", addr, e->port);
	}
}

/* Wall-clock nanoseconds for a CLOCK_MONOTONIC timestamp. */
static unsigned long long wall_ns(__u64 mono)
{
	struct timespec rt, mt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	return mono + (rt.tv_sec - mt.tv_sec) * 1000000000ull + rt.tv_nsec - mt.tv_nsec;
}

static const char *why_text(__u8 why)
{
	if (why & BW_WHY_CHANGED)
		return "the file changed or was replaced after it was admitted";
	if (why & BW_WHY_OTHER_NAMESPACE)
		return "a file of another mount namespace: failed closed";
	if (why & BW_WHY_UNDECIDABLE)
		return "no path to decide on: failed closed";
	if (why & BW_WHY_UNIX_RELATIVE)
		return "relative unix socket path: failed closed";
	if (why & BW_WHY_NAMES)
		return "would change the names the policy decides on";
	if (why & BW_WHY_ESCAPE)
		return "would leave the policy's cgroup";
	if (why & BW_WHY_KERNEL_HELPER)
		return "would choose a program the kernel runs";
	if (why & BW_WHY_KERNEL_CODE)
		return "would load code into the kernel";
	return NULL;
}

static __u8 access_class(const struct bw_event *e)
{
	if (e->op == BW_OP_MODULE || e->op == BW_OP_KEXEC)
		return BULWARK_CLASS_EXEC;
	if (e->op == BW_OP_OPEN || e->op >= BW_OP_UNLINK || e->class == BULWARK_CLASS_FILE)
		return BULWARK_CLASS_FILE;
	if (e->class == BULWARK_CLASS_UNIX)
		return BULWARK_CLASS_UNIX;
	return BULWARK_CLASS_EXEC;
}

void event_print_text(FILE *out, const struct event_record *r)
{
	const struct bw_event *e = &r->event;
	const char *why = why_text(e->why);
	char object[BW_OBJECT_MAX + 64];

	event_object_text(e, object, sizeof(object));
	fprintf(out, "bulwark: %s %s %s: policy %s",
		e->verdict == BW_VERDICT_AUDIT ? "audit" : "deny", event_op_name(e->op), object,
		r->policy);
	/*
	 * Operations denied as such (mount, chroot, ...) are no rule's or
	 * default's; a module or kexec file under the host policy is its exec rules'.
	 */
	if ((e->op < BW_OP_MOUNT || e->op == BW_OP_MODULE || e->op == BW_OP_KEXEC) &&
	    !(e->why & BW_WHY_KERNEL_CODE) &&
	    !((e->op == BW_OP_OPEN || e->op == BW_OP_RECEIVE || e->op == BW_OP_WRITE) &&
	      (e->why & (BW_WHY_ESCAPE | BW_WHY_KERNEL_HELPER)))) {
		if (e->rule)
			fprintf(out, ", rule %u", e->rule);
		else
			fprintf(out, ", default of %s", class_name(e->class));
	}
	fprintf(out, "%s%s; pid %u (%.16s) exe %s\n", why ? "; " : "", why ? why : "", e->pid,
		e->comm, e->exe[0] ? e->exe : "?");
}

static void json_string(FILE *out, const char *s, size_t max)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void event_print_json(FILE *out, const struct event_record *r)
{
	const struct bw_event *e = &r->event;
	char object[BW_OBJECT_MAX + 64];
	bool first = true;
	__u16 bit;

	event_object_text(e, object, sizeof(object));
	fprintf(out, "{\"time\":%llu,\"pid\":%u,\"tid\":%u,\"comm\":", wall_ns(e->time_ns), e->pid,
		e->tid);
	json_string(out, e->comm, sizeof(e->comm));
	fprintf(out, ",\"exe\":");
	json_string(out, e->exe, sizeof(e->exe));
	fprintf(out,
		",\"cgroup\":%llu,\"generation\":%llu,\"policy\":", (unsigned long long)e->cgroup,
		(unsigned long long)e->generation);
	json_string(out, r->policy, sizeof(r->policy));
	fprintf(out, ",\"operation\":\"%s\",\"object\":", event_op_name(e->op));
	json_string(out, object, sizeof(object));
	fprintf(out, ",\"access\":[");
	if ((e->access & BW_ACCESS_OPERATION) ||
	    (e->op >= BW_OP_MOUNT && e->op != BW_OP_MODULE && e->op != BW_OP_KEXEC &&
	     e->op != BW_OP_RECEIVE && e->op != BW_OP_WRITE)) {
		/* The operation itself was denied, no access to an object. */
	} else if (e->op == BW_OP_MODULE || e->op == BW_OP_KEXEC) {
		fprintf(out, "\"exec\""); /* a file the kernel would run, decided as exec */
	} else if (e->op == BW_OP_OPEN || e->op >= BW_OP_UNLINK || e->class == BULWARK_CLASS_FILE ||
		   e->class == BULWARK_CLASS_UNIX) {
		for (bit = 1; bit && bit <= e->access; bit <<= 1) {
			if (!(e->access & bit))
				continue;
			fprintf(out, "%s\"%s\"", first ? "" : ",",
				access_bit_name(access_class(e), bit));
			first = false;
		}
	} else if (e->family) {
		fprintf(out, "\"%s\"",
			e->op == BW_OP_CONNECT || e->op == BW_OP_SENDMSG ? "connect" : "bind");
	} else {
		fprintf(out, "\"exec\"");
	}
	fprintf(out, "],\"class\":\"%s\",\"rule\":%u,\"verdict\":\"%s\"", class_name(e->class),
		e->rule, e->verdict == BW_VERDICT_AUDIT ? "audit" : "deny");
	if (why_text(e->why)) {
		fprintf(out, ",\"reason\":");
		json_string(out, why_text(e->why), 200);
	}
	fprintf(out, "}\n");
}
