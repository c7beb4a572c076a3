// SPDX-License-Identifier: GPL-2.0
/*
 * bulwark explain: what the policies decide for one operation and which
 * rule decides it. The verdict comes from the decision core the kernel
 * module runs (kmod/core/decide.c), on the image `bulwark compile` would
 * write, so what this prints is what the kernel would do.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "core/decide.h"
#include "image_write.h"
#include "policy.h"
#include "policy_syntax.h"
#include "selector.h"
#include "sha256.h"
#include "state.h"

enum operation { OP_NONE, OP_EXEC, OP_OPEN, OP_CONNECT, OP_BIND, OP_UNIX_CONNECT, OP_UNIX_BIND };

struct request {
	enum operation op;
	const char *object;
	const char *access;
	uint8_t protocol;
	const char *cgroup;
	char cgroup_buf[PATH_MAX];
	const char *scope; /* as the user named it */
	char **policy_files;
	int policy_file_count;
};

static int usage(const char *name)
{
	fprintf(stderr,
		"Usage: %s %s --policy FILE|DIR... OPERATION [SCOPE]\n"
		"  OPERATION: --exec PATH | --open PATH --access LIST | --connect ADDR:PORT |\n"
		"             --bind ADDR:PORT | --unix-connect PATH | --unix-bind PATH\n"
		"             [--protocol tcp|udp|icmp] (IP operations; default tcp)\n"
		"  SCOPE:     --unit UNIT | --cgroup PATH | --container ID | --host (default)\n",
		prog_name, name);
	return 2;
}

static int parse_args(int argc, char *argv[], struct request *req)
{
	static const struct option options[] = {
		{"policy", required_argument, NULL, 'p'},
		{"exec", required_argument, NULL, OP_EXEC},
		{"open", required_argument, NULL, OP_OPEN},
		{"connect", required_argument, NULL, OP_CONNECT},
		{"bind", required_argument, NULL, OP_BIND},
		{"unix-connect", required_argument, NULL, OP_UNIX_CONNECT},
		{"unix-bind", required_argument, NULL, OP_UNIX_BIND},
		{"access", required_argument, NULL, 'a'},
		{"protocol", required_argument, NULL, 'P'},
		{"unit", required_argument, NULL, 'u'},
		{"cgroup", required_argument, NULL, 'c'},
		{"container", required_argument, NULL, 'C'},
		{"host", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	req->protocol = BULWARK_PROTO_TCP;
	req->scope = "the host";
	req->policy_files = calloc(argc, sizeof(char *));
	if (!req->policy_files)
		return -1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			req->policy_files[req->policy_file_count++] = optarg;
			break;
		case 'a':
			req->access = optarg;
			break;
		case 'P':
			if (!syntax_protocol(optarg, &req->protocol) ||
			    req->protocol == BULWARK_PROTO_ANY) {
				fprintf(stderr,
					"%s: unknown protocol '%s', expected tcp, udp or icmp\n",
					prog_name, optarg);
				return -1;
			}
			break;
		case 'u':
			selector_unit_cgroup(optarg, req->cgroup_buf, sizeof(req->cgroup_buf));
			req->cgroup = req->cgroup_buf;
			req->scope = optarg;
			break;
		case 'c':
			req->cgroup = req->scope = optarg;
			break;
		case 'C':
			snprintf(req->cgroup_buf, sizeof(req->cgroup_buf), "/%s", optarg);
			req->cgroup = req->cgroup_buf;
			req->scope = optarg;
			break;
		case 'h':
			req->cgroup = NULL;
			req->scope = "the host";
			break;
		case OP_EXEC ... OP_UNIX_BIND:
			if (req->op != OP_NONE) {
				fprintf(stderr, "%s: one operation at a time\n", prog_name);
				return -1;
			}
			req->op = opt;
			req->object = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc || !req->policy_file_count || req->op == OP_NONE ||
	    (req->op == OP_OPEN) != !!req->access)
		return -1;
	return 0;
}

static int policy_depth(const struct policy *p, const char *cgroup)
{
	if (p->selector_kind == BULWARK_SELECTOR_HOST)
		return 0;
	return cgroup ? selector_match_depth(p->selector_kind, p->selector, cgroup) : -1;
}

/* The policy whose selector matches the nearest ancestor; at equal depth, the first. */
static int governing_policy(const struct policy_set *set, const char *cgroup, int *tie)
{
	int best = -1, best_depth = -1, depth;
	size_t i;

	for (i = 0; i < set->count; i++) {
		depth = policy_depth(&set->policies[i], cgroup);
		if (depth > best_depth) {
			best = i;
			best_depth = depth;
		}
	}
	*tie = -1;
	for (i = best + 1; best >= 0 && i < set->count && *tie < 0; i++)
		if (policy_depth(&set->policies[i], cgroup) == best_depth)
			*tie = i;
	return best;
}

static uint16_t parse_access(const char *list)
{
	char buf[256], *word, *save;
	uint16_t access = 0, bit;

	snprintf(buf, sizeof(buf), "%s", list);
	for (word = strtok_r(buf, ",", &save); word; word = strtok_r(NULL, ",", &save)) {
		bit = syntax_access(BULWARK_CLASS_FILE, word);
		if (!bit) {
			fprintf(stderr, "%s: unknown access '%s', expected %s\n", prog_name, word,
				syntax_access_names(BULWARK_CLASS_FILE));
			return 0;
		}
		access |= bit;
	}
	return access;
}

static int parse_endpoint(const char *text, uint8_t *family, uint8_t addr[16], uint16_t *port)
{
	char host[INET6_ADDRSTRLEN + 2], *colon;
	const char *port_text;
	uint16_t max;

	snprintf(host, sizeof(host), "%s", text);
	if (host[0] == '[') {
		colon = strstr(host, "]:");
		if (!colon)
			return -1;
		*colon = '\0';
		port_text = colon + 2;
		memmove(host, host + 1, strlen(host));
	} else {
		colon = strrchr(host, ':');
		if (!colon)
			return -1;
		*colon = '\0';
		port_text = colon + 1;
	}
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, host, addr) == 1)
		*family = BULWARK_FAMILY_INET;
	else if (inet_pton(AF_INET6, host, addr) == 1)
		*family = BULWARK_FAMILY_INET6;
	else
		return -1;
	return syntax_port_range(port_text, port, &max) || *port != max ? -1 : 0;
}

static const struct path_rule *find_path_rule(const struct policy *p, uint32_t id)
{
	for (size_t i = 0; i < p->path_rule_count; i++)
		if (p->path_rules[i].id == id)
			return &p->path_rules[i];
	return NULL;
}

static const struct net_rule *find_net_rule(const struct policy *p, uint32_t id)
{
	for (size_t i = 0; i < p->net_rule_count; i++)
		if (p->net_rules[i].id == id)
			return &p->net_rules[i];
	return NULL;
}

static void print_reason(const struct policy *p, const struct bulwark_verdict *v, bool net)
{
	const struct source_loc *loc;

	if (v->by_default) {
		loc = &p->default_loc[v->class];
		if (loc->line)
			printf("  by default: %s default %s (%s:%u:%u)\n", class_name(v->class),
			       action_name(v->action), loc->file, loc->line, loc->col);
		else
			printf("  by default: no %s section, so %s\n", class_name(v->class),
			       action_name(v->action));
		return;
	}
	if (net) {
		const struct net_rule *r = find_net_rule(p, v->rule_id);

		if (r)
			printf("  by rule %u: %s %s entry at %s:%u:%u\n", v->rule_id,
			       class_name(v->class), action_name(v->action), r->loc.file,
			       r->loc.line, r->loc.col);
		return;
	}
	const struct path_rule *r = find_path_rule(p, v->rule_id);

	if (r)
		printf("  by rule %u: %s %s '%s'%s%s at %s:%u:%u\n", v->rule_id,
		       class_name(r->class), action_name(v->action),
		       r->package		? r->package
		       : r->trust == TRUST_DPKG ? "dpkg"
						: r->written,
		       r->package ? " (package)"
		       : r->trust ? " (trust)"
				  : "",
		       r->has_digest ? " (sha256-pinned)" : "", r->loc.file, r->loc.line,
		       r->loc.col);
}

static int decide(const struct request *req, const struct bulwark_image *image, uint16_t index,
		  struct bulwark_verdict *v, bool *net)
{
	char path[PATH_MAX];
	uint8_t digest[32], family, addr[16];
	const char *object = req->object;
	uint16_t access, port;
	bool have_digest = false;

	*net = req->op == OP_CONNECT || req->op == OP_BIND;
	if (*net) {
		if (parse_endpoint(object, &family, addr, &port)) {
			fprintf(stderr, "%s: '%s' is not ADDR:PORT (IPv6: [ADDR]:PORT)\n",
				prog_name, object);
			return -1;
		}
		return bulwark_decide_net(image, index,
					  req->op == OP_CONNECT ? BULWARK_EGRESS : BULWARK_INGRESS,
					  family, addr, port, req->protocol, v);
	}
	/* The kernel sees the file a path resolves to. */
	if (realpath(object, path)) {
		if (strcmp(path, object))
			printf("  (%s resolves to %s)\n", object, path);
		object = path;
	}
	switch (req->op) {
	case OP_EXEC:
		have_digest = !sha256_file(object, digest);
		return bulwark_decide_exec(image, index, object, strlen(object),
					   have_digest ? digest : NULL, v);
	case OP_OPEN:
		access = parse_access(req->access);
		return access ? bulwark_decide_path(image, index, BULWARK_CLASS_FILE, object,
						    strlen(object), access, NULL, v)
			      : -1;
	default:
		access = req->op == OP_UNIX_CONNECT ? BULWARK_ACCESS_CONNECT : BULWARK_ACCESS_BIND;
		return bulwark_decide_path(image, index, BULWARK_CLASS_UNIX, object, strlen(object),
					   access, NULL, v);
	}
}

/* Whether the running generation's image has an exact exec rule for @path in policy @name. */
static int applied_trusts(const char *name, const char *path)
{
	struct image_buffer buffer = {0};
	struct bulwark_image image;
	const char *why;
	int found = -1;
	__u32 i, index;

	if (image_read_file(BULWARK_RUN_DIR "/applied.img", &buffer) ||
	    bulwark_image_decode(&image, buffer.data, buffer.size, &why))
		goto out;
	for (index = 0; index < image.policy_count; index++)
		if (!strcmp(bulwark_image_string(&image, image.policies[index].name), name))
			break;
	if (index == image.policy_count)
		goto out;
	found = 0;
	for (i = 0; i < image.path_rule_count && !found; i++) {
		const struct bulwark_image_path_rule *r = &image.path_rules[i];

		found = r->policy == index && r->class == BULWARK_CLASS_EXEC &&
			r->match == BULWARK_MATCH_EXACT && r->action == BULWARK_ALLOW &&
			!strcmp(bulwark_image_string(&image, r->path), path);
	}
out:
	free(buffer.data);
	return found;
}

static const struct path_rule *expanded_rule(const struct policy *p, const struct path_rule *t,
					     const char *path)
{
	for (size_t i = 0; i < p->path_rule_count; i++) {
		const struct path_rule *r = &p->path_rules[i];

		if (r != t && r->id == t->id && r->path && !strcmp(r->path, path))
			return r;
	}
	return NULL;
}

static const char *rejected_because(const struct policy *p, const char *path)
{
	for (size_t i = 0; i < p->trust_reject_count; i++)
		if (!strcmp(p->trust_rejects[i].path, path))
			return p->trust_rejects[i].why;
	return NULL;
}

/* What each trust source of @p says about running @path, and what the running generation does. */
static void print_trust(const struct policy *p, const char *path)
{
	bool any = false, trusted = false;
	int applied;

	for (size_t i = 0; i < p->path_rule_count; i++) {
		const struct path_rule *t = &p->path_rules[i];
		const struct path_rule *r;
		const char *why;
		size_t len;

		if (!t->trust)
			continue;
		r = expanded_rule(p, t, path);
		if (t->trust == TRUST_DPKG) {
			any = true;
			if (r)
				printf("  trust: dpkg (%s:%u:%u): trusted: installed by package %s "
				       "and "
				       "matching the md5sum dpkg recorded\n",
				       t->loc.file, t->loc.line, t->loc.col, r->origin);
			else if ((why = rejected_because(p, path)))
				printf("  trust: dpkg (%s:%u:%u): %s\n", t->loc.file, t->loc.line,
				       t->loc.col, why);
			else
				printf("  trust: dpkg (%s:%u:%u): not trusted: no installed "
				       "package "
				       "lists it as an executable or a shared object\n",
				       t->loc.file, t->loc.line, t->loc.col);
		} else {
			len = strlen(t->trust_dir);
			if (strncmp(path, t->trust_dir, len) || (path[len] != '/' && len > 1))
				continue;
			any = true;
			printf("  trust: snapshot of %s (%s:%u:%u): %s\n", t->written, t->loc.file,
			       t->loc.line, t->loc.col,
			       r ? "trusted: a file under it now"
				 : "not trusted: no regular file of that name is under it now");
		}
		trusted |= r != NULL;
	}
	if (!any)
		return;
	if (trusted)
		printf("  note: trust binds each file as it is at apply: a file changed in place, "
		       "replaced, or linked or renamed in after that runs only after the next "
		       "apply takes it\n");
	applied = applied_trusts(p->name, path);
	if (applied == 0)
		printf("  note: the running generation (" BULWARK_RUN_DIR
		       "/applied.img) does not trust it: it was not there, or not trusted, "
		       "when that generation was applied\n");
	else if (applied == 1 && !trusted)
		printf("  note: the running generation (" BULWARK_RUN_DIR
		       "/applied.img) still trusts the file that was there when it was applied\n");
}

static int explain(const struct request *req, const struct policy_set *set,
		   const struct bulwark_image *image)
{
	static const char *const verbs[] = {"",	    "exec",	    "open",	"connect",
					    "bind", "unix connect", "unix bind"};
	struct bulwark_verdict v;
	const struct policy *p;
	bool net;
	int index, tie;

	index = governing_policy(set, req->cgroup, &tie);
	if (index < 0) {
		printf("%s %s: allow\n  no policy selects %s: bulwark leaves it alone\n",
		       verbs[req->op], req->object, req->scope);
		return 0;
	}
	p = &set->policies[index];
	printf("policy '%s' (%s%s%s, mode %s) governs %s\n", p->name,
	       selector_key(p->selector_kind), p->selector ? " " : "",
	       p->selector ? p->selector : "", mode_name(p->mode), req->scope);
	if (tie >= 0)
		printf("  note: policy '%s' selects it too, at the same depth; '%s' governs "
		       "because it is defined first\n",
		       set->policies[tie].name, p->name);
	if (decide(req, image, index, &v, &net) < 0) {
		fprintf(stderr,
			"%s: cannot decide for '%s': not an absolute, normalized path or "
			"valid request\n",
			prog_name, req->object);
		return 2;
	}
	printf("%s %s", verbs[req->op], req->object);
	if (req->op == OP_OPEN)
		printf(" (%s)", req->access);
	if (v.action == BULWARK_DENY && p->mode == BULWARK_MODE_AUDIT)
		printf(": deny, but audit mode reports it and allows it\n");
	else
		printf(": %s%s%s\n", action_name(v.action),
		       v.action == BULWARK_DENY && req->op == OP_OPEN ? " for " : "",
		       v.action == BULWARK_DENY && req->op == OP_OPEN
			       ? access_bit_name(BULWARK_CLASS_FILE, v.access)
			       : "");
	print_reason(p, &v, net);
	if (v.digest_mismatch)
		printf("  note: a sha256-pinned rule names this path, but the file's content "
		       "differs (or could not be read)\n");
	if (req->op == OP_EXEC)
		print_trust(p, req->object);
	return v.action == BULWARK_DENY && p->mode == BULWARK_MODE_ENFORCE ? 1 : 0;
}

int explain_main(int argc, char *argv[])
{
	struct image_buffer buffer = {0};
	struct request req = {0};
	struct bulwark_image image;
	struct policy_set set;
	struct diag diag;
	const char *why;
	int ret = 2;

	if (parse_args(argc, argv, &req) < 0) {
		free(req.policy_files);
		return usage(argv[0]);
	}
	diag_init(&diag, stderr);
	policy_set_init(&set, &diag);
	if (policy_load(&set, req.policy_file_count, req.policy_files)) {
		fprintf(stderr, "%u error%s in the policies\n", diag.errors,
			diag.errors == 1 ? "" : "s");
		goto out;
	}
	ret = image_build(&set, &buffer);
	if (!ret)
		ret = bulwark_image_decode(&image, buffer.data, buffer.size, &why);
	if (ret) {
		fprintf(stderr, "Unable to compile the policies: %s\n", strerror(-ret));
		ret = 2;
		goto out;
	}
	ret = explain(&req, &set, &image);
out:
	free(buffer.data);
	free(req.policy_files);
	policy_set_free(&set);
	return ret;
}
