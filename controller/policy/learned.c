// SPDX-License-Identifier: GPL-2.0
/* What bulwark learn saw, as a policy; see learned.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dpkg.h"
#include "learned.h"
#include "policy.h"
#include "policy_syntax.h"
#include "yaml_quote.h"

/* One path (an exec'd file, a directory of file accesses, a unix socket). */
struct seen_path {
	char *path;
	uint16_t access;
	unsigned long count;
	char *example; /* the first object seen there */
	uint8_t example_op;
	bool by_path; /* exec: by its path even where dpkg installed it */
};

struct seen_paths {
	struct seen_path *items;
	size_t count, cap;
};

/* One network peer (egress) or local service (ingress), with its ports. */
struct seen_net {
	bool ingress;
	uint8_t family; /* egress only; 0 for ingress: both families */
	uint8_t addr[16];
	uint8_t protocol;
	bool any_port;
	uint16_t *ports;
	size_t port_count, port_cap;
	unsigned long count;
};

struct learned {
	struct seen_paths exec, files, unix_egress, unix_ingress;
	struct seen_net *net;
	size_t net_count, net_cap;
	unsigned long not_allowable[__BW_OP_MAX]; /* operations no rule can allow, by op */
	unsigned long unnamed; /* paths a rule cannot name */
	unsigned long total;
};

struct learned *learned_new(void)
{
	return calloc(1, sizeof(struct learned));
}

static void free_paths(struct seen_paths *p)
{
	size_t i;

	for (i = 0; i < p->count; i++) {
		free(p->items[i].path);
		free(p->items[i].example);
	}
	free(p->items);
}

void learned_free(struct learned *l)
{
	size_t i;

	if (!l)
		return;
	free_paths(&l->exec);
	free_paths(&l->files);
	free_paths(&l->unix_egress);
	free_paths(&l->unix_ingress);
	for (i = 0; i < l->net_count; i++)
		free(l->net[i].ports);
	free(l->net);
	free(l);
}

unsigned long learned_count(const struct learned *l)
{
	return l->total;
}

static int grow(void **items, size_t *cap, size_t need, size_t size)
{
	size_t next = *cap ? *cap * 2 : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (next < need)
		next *= 2;
	p = realloc(*items, next * size);
	if (!p)
		return -ENOMEM;
	*items = p;
	*cap = next;
	return 0;
}

static int add_path(struct seen_paths *p, const char *path, uint16_t access, const char *object,
		    uint8_t op)
{
	struct seen_path *s;
	size_t i;

	for (i = 0; i < p->count; i++) {
		if (!strcmp(p->items[i].path, path)) {
			p->items[i].access |= access;
			p->items[i].count++;
			return 0;
		}
	}
	if (grow((void **)&p->items, &p->cap, p->count + 1, sizeof(*s)))
		return -ENOMEM;
	s = &p->items[p->count];
	s->path = strdup(path);
	s->example = strdup(object);
	if (!s->path || !s->example) {
		free(s->path);
		free(s->example);
		return -ENOMEM;
	}
	s->access = access;
	s->count = 1;
	s->example_op = op;
	s->by_path = false;
	p->count++;
	return 0;
}

/* Whether @s is valid UTF-8: YAML cannot hold other bytes. */
static bool is_utf8(const unsigned char *s)
{
	size_t n, i;

	while (*s) {
		if (*s < 0x80) {
			s++;
			continue;
		}
		n = (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2 : (*s & 0xf8) == 0xf0 ? 3 : 0;
		if (!n || (n == 1 && *s < 0xc2))
			return false;
		for (i = 1; i <= n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return false;
		s += n + 1;
	}
	return true;
}

/*
 * Whether a rule can name @path (exact, or a directory with its trailing
 * '/'): absolute, normalized, UTF-8, none of the characters patterns use.
 */
static bool nameable(const char *path)
{
	struct syntax_path parsed;
	const char *why;

	if (path[0] != '/' || strpbrk(path, "*?[]{}") || !is_utf8((const unsigned char *)path))
		return false;
	why = syntax_path(path, &parsed);
	free(parsed.path);
	free(parsed.pattern);
	return !why;
}

/*
 * The file rule for an access to @object: a glob of its directory's
 * entries (a '*' after DIR/: never below it); a directory it opened, that
 * directory alone. A
 * process's own /proc/PID entries change with every run, so they all become
 * /proc/ and what is below it.
 */
static bool file_rule_of(const char *object, uint8_t op, char *rule, size_t size)
{
	const char *slash, *rest;
	struct stat st;
	size_t n;

	if (!strncmp(object, "/proc/", 6)) {
		rest = object + 6;
		n = strspn(rest, "0123456789");
		if ((n && (rest[n] == '/' || !rest[n])) || !strncmp(rest, "self/", 5) ||
		    !strncmp(rest, "thread-self/", 12)) {
			snprintf(rule, size, "/proc/");
			return true;
		}
	}
	if (op == BW_OP_OPEN && !stat(object, &st) && S_ISDIR(st.st_mode)) {
		/* "/" alone: no rule names it without the whole file system. */
		snprintf(rule, size, "%s", object);
		return strcmp(object, "/") && nameable(rule);
	}
	slash = strrchr(object, '/');
	n = slash ? (size_t)(slash - object) + 1 : 1;
	snprintf(rule, size, "%.*s", (int)n, object);
	if (!nameable(rule))
		return false;
	snprintf(rule, size, "%.*s*", (int)n, object);
	return true;
}

static int add_net(struct learned *l, const struct bw_event *e, bool ingress)
{
	struct seen_net *n = NULL;
	size_t i;

	if (e->protocol >= __BULWARK_PROTO_MAX ||
	    (e->family != BULWARK_FAMILY_INET && e->family != BULWARK_FAMILY_INET6)) {
		/* A protocol no rule names (SCTP, ...): only a default can decide it. */
		l->not_allowable[e->op]++;
		return 0;
	}

	for (i = 0; i < l->net_count; i++) {
		struct seen_net *c = &l->net[i];

		if (c->ingress == ingress && c->protocol == e->protocol &&
		    (ingress || (c->family == e->family && !memcmp(c->addr, e->addr, 16)))) {
			n = c;
			break;
		}
	}
	if (!n) {
		if (grow((void **)&l->net, &l->net_cap, l->net_count + 1, sizeof(*n)))
			return -ENOMEM;
		n = &l->net[l->net_count++];
		memset(n, 0, sizeof(*n));
		n->ingress = ingress;
		n->protocol = e->protocol;
		if (!ingress) {
			n->family = e->family;
			memcpy(n->addr, e->addr, 16);
		}
	}
	n->count++;
	if (!e->port || (e->protocol != BULWARK_PROTO_TCP && e->protocol != BULWARK_PROTO_UDP)) {
		n->any_port = true;
		return 0;
	}
	for (i = 0; i < n->port_count; i++)
		if (n->ports[i] == e->port)
			return 0;
	if (grow((void **)&n->ports, &n->port_cap, n->port_count + 1, sizeof(*n->ports)))
		return -ENOMEM;
	n->ports[n->port_count++] = e->port;
	return 0;
}

#define WHY_NOT_ALLOWABLE                                                                          \
	(BW_WHY_UNDECIDABLE | BW_WHY_UNIX_RELATIVE | BW_WHY_NAMES | BW_WHY_ESCAPE |                \
	 BW_WHY_OTHER_NAMESPACE | BW_WHY_KERNEL_HELPER | BW_WHY_KERNEL_CODE)

int learned_add(struct learned *l, const struct bw_event *e)
{
	char object[BW_OBJECT_MAX + 1], rule[BW_OBJECT_MAX + 2];
	bool ingress = e->op == BW_OP_BIND || e->op == BW_OP_LISTEN || e->op == BW_OP_ACCEPT;
	uint8_t class = e->class;
	int ret;

	l->total++;
	if (e->op >= __BW_OP_MAX)
		return 0;
	if ((e->why & WHY_NOT_ALLOWABLE) || (e->access & BW_ACCESS_OPERATION) ||
	    e->op == BW_OP_MOUNT || e->op == BW_OP_CHROOT || e->op == BW_OP_USERNS ||
	    e->op == BW_OP_CLONE || e->op == BW_OP_SOCKET) {
		l->not_allowable[e->op]++;
		return 0;
	}
	if (e->family)
		return add_net(l, e, ingress);
	/*
	 * A unix socket by its path: the class is UNIX, or the direction's
	 * when its default decided (bulwark.ko reports it so).
	 */
	if (e->op == BW_OP_CONNECT || e->op == BW_OP_SENDMSG || e->op == BW_OP_BIND ||
	    e->op == BW_OP_LISTEN || e->op == BW_OP_ACCEPT)
		class = BULWARK_CLASS_UNIX;
	else if (e->class == BULWARK_CLASS_EGRESS || e->class == BULWARK_CLASS_INGRESS)
		return 0;
	/* A path the kernel cut at BW_OBJECT_MAX is not the file's: no rule for it. */
	if (strnlen(e->object, BW_OBJECT_MAX) >= BW_OBJECT_MAX - 1) {
		l->unnamed++;
		return 0;
	}
	memcpy(object, e->object, BW_OBJECT_MAX);
	object[BW_OBJECT_MAX] = 0;
	switch (class) {
	case BULWARK_CLASS_EXEC:
		/* The file rules decide the exec access too (bulwark-policy(5), EXEC). */
		if (!nameable(object) || !file_rule_of(object, e->op, rule, sizeof(rule)))
			break;
		ret = add_path(&l->exec, object, BULWARK_ACCESS_EXEC, object, e->op);
		if (ret)
			return ret;
		return add_path(&l->files, rule, BULWARK_ACCESS_EXEC | BULWARK_ACCESS_READ, object,
				e->op);
	case BULWARK_CLASS_FILE:
		if (!file_rule_of(object, e->op, rule, sizeof(rule)))
			break;
		return add_path(&l->files, rule, e->access & BULWARK_ACCESS_FILE_ALL, object,
				e->op);
	case BULWARK_CLASS_UNIX:
		if (!nameable(object))
			break;
		return add_path(ingress ? &l->unix_ingress : &l->unix_egress, object,
				ingress ? BULWARK_ACCESS_BIND : BULWARK_ACCESS_CONNECT, object,
				e->op);
	default:
		l->not_allowable[e->op]++;
		return 0;
	}
	l->unnamed++;
	return 0;
}

void learned_for_each_exec(const struct learned *l, void (*fn)(const char *path, void *arg),
			   void *arg)
{
	size_t i;

	for (i = 0; i < l->exec.count; i++)
		fn(l->exec.items[i].path, arg);
}

void learned_by_path(struct learned *l, const char *path)
{
	size_t i;

	for (i = 0; i < l->exec.count; i++)
		if (!strcmp(l->exec.items[i].path, path))
			l->exec.items[i].by_path = true;
}

/* Text for a comment: printable, one line. */
static void put_comment_text(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(isprint((unsigned char)*s) ? *s : '?', out);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct seen_path *)a)->path, ((const struct seen_path *)b)->path);
}

static void sort_paths(struct seen_paths *p)
{
	if (p->count)
		qsort(p->items, p->count, sizeof(*p->items), by_path);
}

static void put_access(FILE *out, uint8_t class, uint16_t access)
{
	const char *sep = "";
	uint16_t bit;

	fputc('[', out);
	for (bit = 1; bit && bit <= BULWARK_ACCESS_FILE_ALL; bit <<= 1) {
		if (!(access & bit))
			continue;
		fprintf(out, "%s%s", sep, access_bit_name(class, bit));
		sep = ", ";
	}
	fputc(']', out);
}

static const char *op_text(uint8_t op)
{
	static const char *const names[__BW_OP_MAX] = {
		[BW_OP_EXEC] = "exec",
		[BW_OP_MMAP] = "mmap",
		[BW_OP_MPROTECT] = "mprotect",
		[BW_OP_OPEN] = "open",
		[BW_OP_CONNECT] = "connect",
		[BW_OP_SENDMSG] = "sendmsg",
		[BW_OP_BIND] = "bind",
		[BW_OP_LISTEN] = "listen",
		[BW_OP_ACCEPT] = "accept",
		[BW_OP_UNLINK] = "unlink",
		[BW_OP_MKDIR] = "mkdir",
		[BW_OP_RMDIR] = "rmdir",
		[BW_OP_MKNOD] = "mknod",
		[BW_OP_SYMLINK] = "symlink",
		[BW_OP_LINK] = "link",
		[BW_OP_RENAME] = "rename",
		[BW_OP_TRUNCATE] = "truncate",
		[BW_OP_SETATTR] = "setattr",
		[BW_OP_FCNTL] = "fcntl",
		[BW_OP_MOUNT] = "mount",
		[BW_OP_CHROOT] = "chroot",
		[BW_OP_USERNS] = "user namespace",
		[BW_OP_CLONE] = "clone into a cgroup",
		[BW_OP_SOCKET] = "socket",
		[BW_OP_MODULE] = "kernel module load",
		[BW_OP_KEXEC] = "kexec load",
		[BW_OP_RECEIVE] = "descriptor received",
		[BW_OP_WRITE] = "write",
	};

	return op < __BW_OP_MAX && names[op] ? names[op] : "operation";
}

static void put_seen_comment(FILE *out, const char *indent, const struct seen_path *s)
{
	fprintf(out, "%s# %lu operation%s, e.g. %s ", indent, s->count, s->count == 1 ? "" : "s",
		op_text(s->example_op));
	put_comment_text(out, s->example);
	fputc('\n', out);
}

/* One package rule, with the files of it that ran. */
struct package_seen {
	const char *package;
	unsigned long files;
	const char *example;
};

static int by_package(const void *a, const void *b)
{
	return strcmp(((const struct package_seen *)a)->package,
		      ((const struct package_seen *)b)->package);
}

static int write_exec(const struct learned *l, FILE *out,
		      const char *(*owner)(const char *path, void *arg), void *arg)
{
	struct package_seen *packages = calloc(l->exec.count ?: 1, sizeof(*packages));
	const char **owned = calloc(l->exec.count ?: 1, sizeof(*owned));
	size_t i, j, npackages = 0;

	if (!packages || !owned) {
		free(packages);
		free(owned);
		return -ENOMEM;
	}
	for (i = 0; i < l->exec.count; i++) {
		owned[i] = owner && !l->exec.items[i].by_path ? owner(l->exec.items[i].path, arg)
							      : NULL;
		if (!owned[i])
			continue;
		for (j = 0; j < npackages && strcmp(packages[j].package, owned[i]); j++)
			;
		if (j == npackages) {
			packages[npackages].package = owned[i];
			packages[npackages++].example = l->exec.items[i].path;
		}
		packages[j].files++;
	}
	if (npackages)
		qsort(packages, npackages, sizeof(*packages), by_package);
	fprintf(out, "  exec:\n    default: deny\n");
	if (l->exec.count)
		fprintf(out, "    allow:\n");
	for (i = 0; i < npackages; i++) {
		fprintf(out, "      # %lu file%s of it ran or was mapped as code, e.g. ",
			packages[i].files, packages[i].files == 1 ? "" : "s");
		put_comment_text(out, packages[i].example);
		fprintf(out, "\n      - package: %s\n", packages[i].package);
	}
	for (i = 0; i < l->exec.count; i++) {
		if (owned[i])
			continue;
		fprintf(out, "      # %s: allowed by its path\n",
			!owner				    ? "dpkg's packages not used"
			: owner(l->exec.items[i].path, arg) ? "not as dpkg installed it"
							    : "not installed by dpkg");
		put_seen_comment(out, "      ", &l->exec.items[i]);
		fprintf(out, "      - path: ");
		yaml_quoted(out, l->exec.items[i].path);
		fputc('\n', out);
	}
	free(packages);
	free(owned);
	return 0;
}

static void write_files(const struct learned *l, FILE *out)
{
	size_t i;

	fprintf(out, "  file:\n    default: deny\n");
	if (l->files.count)
		fprintf(out, "    rules:\n");
	for (i = 0; i < l->files.count; i++) {
		const struct seen_path *s = &l->files.items[i];

		if (!strcmp(s->path, "/proc/"))
			fprintf(out, "      # the process's own /proc/PID entries (the pid "
				     "changes every run) and the rest of /proc\n");
		put_seen_comment(out, "      ", s);
		fprintf(out, "      - path: ");
		yaml_quoted(out, s->path);
		fprintf(out, "\n        access: ");
		put_access(out, BULWARK_CLASS_FILE, s->access);
		fprintf(out, "\n        action: allow\n");
	}
}

static int by_port(const void *a, const void *b)
{
	return *(const uint16_t *)a - *(const uint16_t *)b;
}

static void write_net_entry(FILE *out, struct seen_net *n)
{
	char addr[INET6_ADDRSTRLEN];
	size_t i;

	fprintf(out, "        # %lu operation%s\n", n->count, n->count == 1 ? "" : "s");
	if (n->ingress) {
		fprintf(out, "        - protocol: %s\n", protocol_name(n->protocol));
	} else {
		inet_ntop(n->family == BULWARK_FAMILY_INET ? AF_INET : AF_INET6, n->addr, addr,
			  sizeof(addr));
		fprintf(out, "        - cidr: \"%s\"\n", addr);
		if (n->protocol != BULWARK_PROTO_ANY)
			fprintf(out, "          protocol: %s\n", protocol_name(n->protocol));
	}
	if (n->any_port || !n->port_count)
		return;
	qsort(n->ports, n->port_count, sizeof(*n->ports), by_port);
	fprintf(out, "          ports: [");
	for (i = 0; i < n->port_count; i++)
		fprintf(out, "%s%u", i ? ", " : "", n->ports[i]);
	fprintf(out, "]\n");
}

static void write_unix(FILE *out, const struct seen_paths *p)
{
	size_t i;

	for (i = 0; i < p->count; i++) {
		fprintf(out, "        # %lu operation%s\n", p->items[i].count,
			p->items[i].count == 1 ? "" : "s");
		fprintf(out, "        - unix: ");
		yaml_quoted(out, p->items[i].path);
		fputc('\n', out);
	}
}

static void write_direction(const struct learned *l, FILE *out, bool ingress)
{
	const struct seen_paths *unix_paths = ingress ? &l->unix_ingress : &l->unix_egress;
	size_t i, count = unix_paths->count;

	for (i = 0; i < l->net_count; i++)
		count += l->net[i].ingress == ingress;
	fprintf(out, "    %s:\n      default: deny\n", ingress ? "ingress" : "egress");
	if (!count)
		return;
	fprintf(out, "      allow:\n");
	for (i = 0; i < l->net_count; i++)
		if (l->net[i].ingress == ingress)
			write_net_entry(out, &l->net[i]);
	write_unix(out, unix_paths);
}

int learned_write(struct learned *l, const struct learned_header *h,
		  const char *(*owner)(const char *path, void *arg), void *arg, FILE *out)
{
	unsigned long not_allowed = 0;
	size_t i;
	int ret;

	for (i = 0; i < __BW_OP_MAX; i++)
		not_allowed += l->not_allowable[i];
	/* Sorted output: the same run gives the same file. */
	sort_paths(&l->exec);
	sort_paths(&l->files);
	sort_paths(&l->unix_egress);
	sort_paths(&l->unix_ingress);

	fprintf(out, "# Learned by bulwark learn from %s: %lu operation%s reported.\n", h->what,
		l->total, l->total == 1 ? "" : "s");
	fprintf(out,
		"# It allows what the workload did then and nothing else; read it, and run\n"
		"# it a while with `mode: audit` if the workload does more than that run did.\n");
	if (h->events_lost)
		fprintf(out,
			"# WARNING: the kernel dropped %llu event%s while learning (the host's, "
			"not\n"
			"# only this workload's): this policy may miss what they reported.\n",
			h->events_lost, h->events_lost == 1 ? "" : "s");
	if (l->unnamed)
		fprintf(out, "# Not learned: %lu operation%s on paths no rule can name.\n",
			l->unnamed, l->unnamed == 1 ? "" : "s");
	if (not_allowed) {
		fprintf(out, "# Not learned, as no rule allows them under an exec section:");
		for (i = 0; i < __BW_OP_MAX; i++)
			if (l->not_allowable[i])
				fprintf(out, " %s %lu", op_text(i), l->not_allowable[i]);
		fprintf(out, ".\n");
	}
	fprintf(out, "apiVersion: bulwark/v1\nkind: Policy\nmetadata:\n  name: %s\nspec:\n",
		h->name);
	fprintf(out, "  selector:\n    %s: ", selector_key(h->selector_kind));
	yaml_quoted(out, h->selector);
	fprintf(out, "\n  mode: enforce\n");
	ret = write_exec(l, out, owner, arg);
	if (ret)
		return ret;
	write_files(l, out);
	fprintf(out, "  network:\n");
	write_direction(l, out, true);
	write_direction(l, out, false);
	return ferror(out) ? -EIO : 0;
}

/* dpkg's file lists, by path: an open-addressed table. */
struct dpkg_owner_entry {
	char *path;
	char *package;
};

struct dpkg_owners {
	struct dpkg_owner_entry *slots;
	size_t size, used; /* size: a power of two */
	int error;
};

static size_t path_hash(const char *s)
{
	size_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int owners_grow(struct dpkg_owners *o)
{
	struct dpkg_owner_entry *old = o->slots;
	size_t old_size = o->size, i, j;

	o->size = old_size ? old_size * 2 : 1 << 16;
	o->slots = calloc(o->size, sizeof(*o->slots));
	if (!o->slots) {
		o->slots = old;
		o->size = old_size;
		return -ENOMEM;
	}
	for (i = 0; i < old_size; i++) {
		if (!old[i].path)
			continue;
		for (j = path_hash(old[i].path) & (o->size - 1); o->slots[j].path;
		     j = (j + 1) & (o->size - 1))
			;
		o->slots[j] = old[i];
	}
	free(old);
	return 0;
}

static void owners_add(const struct dpkg_file *file, void *arg)
{
	struct dpkg_owners *o = arg;
	size_t j;

	if (o->error)
		return;
	if ((o->used + 1) * 2 > o->size && (o->error = owners_grow(o)))
		return;
	for (j = path_hash(file->path) & (o->size - 1); o->slots[j].path;
	     j = (j + 1) & (o->size - 1))
		if (!strcmp(o->slots[j].path, file->path))
			return; /* the first package that lists it */
	o->slots[j].path = strdup(file->path);
	o->slots[j].package = strdup(file->package);
	if (!o->slots[j].path || !o->slots[j].package) {
		free(o->slots[j].path);
		free(o->slots[j].package);
		o->slots[j].path = NULL;
		o->error = -ENOMEM;
		return;
	}
	o->used++;
}

void dpkg_owners_free(struct dpkg_owners *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < o->size; i++) {
		free(o->slots[i].path);
		free(o->slots[i].package);
	}
	free(o->slots);
	free(o);
}

int dpkg_owners_load(struct dpkg_owners **out)
{
	struct dpkg_owners *o = calloc(1, sizeof(*o));
	int ret;

	if (!o)
		return -ENOMEM;
	ret = owners_grow(o);
	if (!ret)
		ret = dpkg_for_each_listed_file(owners_add, o);
	if (!ret)
		ret = o->error;
	if (ret) {
		dpkg_owners_free(o);
		return ret;
	}
	*out = o;
	return 0;
}

static const char *lookup(const struct dpkg_owners *o, const char *path)
{
	size_t j;

	for (j = path_hash(path) & (o->size - 1); o->slots[j].path; j = (j + 1) & (o->size - 1))
		if (!strcmp(o->slots[j].path, path))
			return o->slots[j].package;
	return NULL;
}

/*
 * The kernel reports resolved paths; on a merged /usr, dpkg lists
 * /lib/x/libc.so.6 where the kernel sees /usr/lib/x/libc.so.6.
 */
const char *dpkg_owner(const char *path, void *owners)
{
	const struct dpkg_owners *o = owners;
	const char *found = lookup(o, path);

	if (!found && !strncmp(path, "/usr/", 5) &&
	    (!strncmp(path + 4, "/lib", 4) || !strncmp(path + 4, "/bin/", 5) ||
	     !strncmp(path + 4, "/sbin/", 6)))
		found = lookup(o, path + 4);
	return found;
}
