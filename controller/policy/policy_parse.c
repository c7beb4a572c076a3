// SPDX-License-Identifier: GPL-2.0
/*
 * The YAML policy grammar (bulwark-policy(5)), as tables of
 * {key, handler, required}: one table per mapping, unknown keys rejected,
 * every problem reported at file:line:col and parsing carried on so one run
 * reports them all. The only file that sees libyaml.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "policy.h"
#include "policy_syntax.h"
#include "xalloc.h"

struct parser {
	struct policy_set *set;
	yaml_document_t *doc;
	unsigned char *visited; /* per node of doc: seen already (an alias) */
	const char *file;
	struct policy *policy; /* being filled */
	uint8_t class; /* section being parsed: EXEC, FILE, EGRESS, INGRESS */
	uint8_t action; /* list being parsed: allow or deny */
};

struct field {
	const char *key;
	void (*parse)(struct parser *p, yaml_node_t *node);
	bool required;
};

static struct source_loc loc_of(struct parser *p, yaml_node_t *node)
{
	struct source_loc loc = {p->file, node->start_mark.line + 1, node->start_mark.column + 1};

	return loc;
}

#define error_at(p, node, ...)                                                                     \
	do {                                                                                       \
		struct source_loc _loc = loc_of(p, node);                                          \
		diag_error((p)->set->diag, &_loc, __VA_ARGS__);                                    \
	} while (0)

static const char *node_kind(yaml_node_t *node)
{
	switch (node->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

/*
 * YAML aliases can repeat one entry many times over: stop at the image's
 * limit instead of building millions of rules the compiler would refuse.
 */
static bool room_for_rule(struct parser *p, yaml_node_t *node)
{
	if (p->set->rule_total < BULWARK_RULES_MAX) {
		p->set->rule_total++;
		return true;
	}
	if (p->set->rule_total++ == BULWARK_RULES_MAX)
		error_at(p, node, "more than %u network rules in all: stopped reading them here",
			 BULWARK_RULES_MAX);
	return false;
}

/* The scalar's text, or NULL after reporting that @node is not a scalar. */
static const char *scalar(struct parser *p, yaml_node_t *node, const char *expected)
{
	if (node->type != YAML_SCALAR_NODE) {
		error_at(p, node, "expected %s, got %s", expected, node_kind(node));
		return NULL;
	}
	/* A "\0" escape would silently cut the string short: "/etc/shadow\0..." */
	if (strlen((const char *)node->data.scalar.value) != node->data.scalar.length) {
		error_at(p, node, "expected %s, got a string with a NUL character", expected);
		return NULL;
	}
	return (const char *)node->data.scalar.value;
}

/*
 * A YAML alias (*name) of a mapping makes one entry appear many times: a
 * small file could expand to millions of rules. Aliases of lists of words
 * (access names, ports) stay allowed; entries are written out.
 */
static bool first_visit(struct parser *p, yaml_node_t *node)
{
	size_t index = node - p->doc->nodes.start;

	if (p->visited[index]) {
		error_at(p, node,
			 "YAML aliases of mappings are not supported in policies: "
			 "write the entry out");
		return false;
	}
	p->visited[index] = 1;
	return true;
}

static void parse_mapping(struct parser *p, yaml_node_t *node, const char *where,
			  const struct field *fields)
{
	yaml_node_pair_t *pair;
	unsigned long seen = 0;
	size_t i;

	if (node->type != YAML_MAPPING_NODE) {
		error_at(p, node, "%s: expected a mapping, got %s", where, node_kind(node));
		return;
	}
	if (!first_visit(p, node))
		return;
	for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = yaml_document_get_node(p->doc, pair->key);
		yaml_node_t *value = yaml_document_get_node(p->doc, pair->value);
		const char *name = scalar(p, key, "a key");

		if (!name)
			continue;
		for (i = 0; fields[i].key; i++)
			if (!strcmp(fields[i].key, name))
				break;
		if (!fields[i].key) {
			char expected[256] = "";

			for (i = 0; fields[i].key; i++)
				snprintf(expected + strlen(expected),
					 sizeof(expected) - strlen(expected), "%s%s", i ? ", " : "",
					 fields[i].key);
			error_at(p, key, "unknown key '%s' in %s, expected one of: %s", name, where,
				 expected);
			continue;
		}
		if (seen & (1ul << i)) {
			error_at(p, key, "duplicate key '%s' in %s", name, where);
			continue;
		}
		seen |= 1ul << i;
		fields[i].parse(p, value);
	}
	for (i = 0; fields[i].key; i++)
		if (fields[i].required && !(seen & (1ul << i)))
			error_at(p, node, "missing key '%s' in %s", fields[i].key, where);
}

/* Calls @parse for each item of a list; a lone item is taken as a list of one. */
static void for_each_item(struct parser *p, yaml_node_t *node,
			  void (*parse)(struct parser *p, yaml_node_t *item))
{
	yaml_node_item_t *item;

	if (node->type != YAML_SEQUENCE_NODE) {
		parse(p, node);
		return;
	}
	for (item = node->data.sequence.items.start; item < node->data.sequence.items.top; item++)
		parse(p, yaml_document_get_node(p->doc, *item));
}

/* --- header: apiVersion, kind, metadata ----------------------------------- */

static void parse_api_version(struct parser *p, yaml_node_t *node)
{
	const char *v = scalar(p, node, "an API version");

	if (v && strcmp(v, "bulwark/v1"))
		error_at(p, node, "unsupported apiVersion '%s', expected bulwark/v1", v);
}

static void parse_kind(struct parser *p, yaml_node_t *node)
{
	const char *v = scalar(p, node, "a kind");

	if (v && strcmp(v, "Policy"))
		error_at(p, node, "unknown kind '%s', expected Policy", v);
}

static void parse_name(struct parser *p, yaml_node_t *node)
{
	const char *v = scalar(p, node, "a policy name");
	const char *why;

	if (!v)
		return;
	why = syntax_policy_name(v);
	if (why) {
		error_at(p, node, "invalid policy name '%s': %s", v, why);
		return;
	}
	p->policy->name = xstrdup(v);
	p->policy->name_loc = loc_of(p, node);
}

static const struct field metadata_fields[] = {
	{"name", parse_name, true},
	{NULL},
};

static void parse_metadata(struct parser *p, yaml_node_t *node)
{
	parse_mapping(p, node, "metadata", metadata_fields);
}

/* --- spec.selector --------------------------------------------------------- */

static void set_selector(struct parser *p, yaml_node_t *node, uint8_t kind)
{
	const char *v = scalar(p, node, "a selector value");
	const char *why;

	if (!v)
		return;
	if (p->policy->selector_loc.line) {
		error_at(p, node,
			 "a selector names exactly one of systemdUnit, cgroup, container, "
			 "host (another is at line %u)",
			 p->policy->selector_loc.line);
		return;
	}
	why = syntax_selector(kind, v);
	if (why) {
		error_at(p, node, "invalid %s selector '%s': %s", selector_key(kind), v, why);
		return;
	}
	p->policy->selector_kind = kind;
	p->policy->selector = kind == BULWARK_SELECTOR_HOST ? NULL : xstrdup(v);
	p->policy->selector_loc = loc_of(p, node);
}

static void parse_unit(struct parser *p, yaml_node_t *node)
{
	set_selector(p, node, BULWARK_SELECTOR_SYSTEMD_UNIT);
}

static void parse_cgroup(struct parser *p, yaml_node_t *node)
{
	set_selector(p, node, BULWARK_SELECTOR_CGROUP);
}

static void parse_container(struct parser *p, yaml_node_t *node)
{
	set_selector(p, node, BULWARK_SELECTOR_CONTAINER);
}

static void parse_host(struct parser *p, yaml_node_t *node)
{
	set_selector(p, node, BULWARK_SELECTOR_HOST);
}

static const struct field selector_fields[] = {
	{"systemdUnit", parse_unit, false},
	{"cgroup", parse_cgroup, false},
	{"container", parse_container, false},
	{"host", parse_host, false},
	{NULL},
};

static void parse_selector(struct parser *p, yaml_node_t *node)
{
	parse_mapping(p, node, "spec.selector", selector_fields);
	if (node->type == YAML_MAPPING_NODE &&
	    node->data.mapping.pairs.start == node->data.mapping.pairs.top)
		error_at(p, node,
			 "empty selector: name one of systemdUnit, cgroup, container, "
			 "host");
}

static void parse_mode(struct parser *p, yaml_node_t *node)
{
	const char *v = scalar(p, node, "enforce or audit");

	if (!v)
		return;
	if (!strcmp(v, "enforce"))
		p->policy->mode = BULWARK_MODE_ENFORCE;
	else if (!strcmp(v, "audit"))
		p->policy->mode = BULWARK_MODE_AUDIT;
	else
		error_at(p, node, "invalid mode '%s', expected enforce or audit", v);
}

/* --- defaults and actions ---------------------------------------------------- */

static bool parse_action_word(struct parser *p, yaml_node_t *node, uint8_t *action)
{
	const char *v = scalar(p, node, "allow or deny");

	if (!v)
		return false;
	if (!strcmp(v, "allow"))
		*action = BULWARK_ALLOW;
	else if (!strcmp(v, "deny"))
		*action = BULWARK_DENY;
	else {
		error_at(p, node, "invalid action '%s', expected allow or deny", v);
		return false;
	}
	return true;
}

static void parse_default(struct parser *p, yaml_node_t *node)
{
	uint8_t action;

	if (!parse_action_word(p, node, &action))
		return;
	p->policy->defaults[p->class] = action;
	p->policy->default_loc[p->class] = loc_of(p, node);
}

/* --- paths ------------------------------------------------------------------- */

/* Fills @rule's match, path and pattern from what the user wrote. */
static bool set_rule_path(struct parser *p, yaml_node_t *node, struct path_rule *rule)
{
	const char *v = scalar(p, node, "an absolute path");
	struct syntax_path parsed;
	const char *why;

	if (!v)
		return false;
	why = syntax_path(v, &parsed);
	if (why) {
		error_at(p, node, "invalid path '%s': %s", v, why);
		return false;
	}
	rule->match = parsed.match;
	rule->path = parsed.path;
	rule->pattern = parsed.pattern;
	rule->written = xstrdup(v);
	return true;
}

static struct path_rule *new_path_rule(struct parser *p, yaml_node_t *node, uint8_t class)
{
	struct path_rule *rule = policy_add_path_rule(p->policy);

	rule->loc = loc_of(p, node);
	rule->id = ++p->set->next_rule_id;
	rule->class = class;
	rule->action = p->action;
	return rule;
}

/* --- spec.exec ------------------------------------------------------------- */

/* The exec entry being parsed: its keys may come in any order. */
static struct path_rule *exec_rule;
static yaml_node_t *exec_path_node, *exec_digest_node;

static void parse_exec_path(struct parser *p, yaml_node_t *node)
{
	exec_path_node = node;
	set_rule_path(p, node, exec_rule);
}

static void parse_exec_sha256(struct parser *p, yaml_node_t *node)
{
	const char *v = scalar(p, node, "a sha256 digest");

	if (!v)
		return;
	if (!syntax_sha256(v, exec_rule->digest)) {
		error_at(p, node, "invalid sha256 '%s', expected 64 hexadecimal digits", v);
		return;
	}
	exec_rule->has_digest = true;
	exec_digest_node = node;
}

static void parse_exec_package(struct parser *p, yaml_node_t *node)
{
	const char *v = scalar(p, node, "a Debian package name");

	if (!v)
		return;
	if (!syntax_package_name(v)) {
		error_at(p, node, "invalid package name '%s'", v);
		return;
	}
	exec_rule->package = xstrdup(v);
}

static yaml_node_t *exec_trust_node;

static void parse_exec_trust(struct parser *p, yaml_node_t *node)
{
	const char *v = scalar(p, node, "a trust source (dpkg or snapshot)");

	if (!v)
		return;
	exec_trust_node = node;
	if (!strcmp(v, "dpkg"))
		exec_rule->trust = TRUST_DPKG;
	else if (!strcmp(v, "snapshot"))
		exec_rule->trust = TRUST_SNAPSHOT;
	else
		error_at(p, node, "unknown trust source '%s', expected dpkg or snapshot", v);
}

static const struct field exec_entry_fields[] = {
	{"path", parse_exec_path, false},
	{"sha256", parse_exec_sha256, false},
	{"package", parse_exec_package, false},
	{"trust", parse_exec_trust, false},
	{NULL},
};

/* A trust entry stands for the files it finds: it keeps no path of its own. */
static bool check_exec_trust(struct parser *p, yaml_node_t *node, struct path_rule *rule)
{
	if (p->action == BULWARK_DENY) {
		error_at(p, exec_trust_node, "trust is only meaningful in exec.allow");
		return false;
	}
	if (rule->package || exec_digest_node) {
		error_at(p, node, "'trust' takes no 'package' or 'sha256' beside it");
		return false;
	}
	if (rule->trust == TRUST_DPKG && exec_path_node) {
		error_at(p, exec_path_node,
			 "trust: dpkg stands alone: it trusts every file dpkg installed");
		return false;
	}
	if (rule->trust == TRUST_SNAPSHOT) {
		if (!exec_path_node) {
			error_at(p, node,
				 "trust: snapshot needs the directory to take: 'path: DIR/'");
			return false;
		}
		if (!rule->path)
			return false; /* its path was reported */
		if (rule->match != BULWARK_MATCH_SUBTREE) {
			error_at(p, exec_path_node,
				 "trust: snapshot takes a directory: write '%s/'", rule->written);
			return false;
		}
		rule->trust_dir = rule->path;
	} else {
		free(rule->path);
	}
	rule->path = NULL;
	free(rule->pattern);
	rule->pattern = NULL;
	return true;
}

static void parse_exec_entry(struct parser *p, yaml_node_t *node)
{
	struct path_rule *rule = new_path_rule(p, node, BULWARK_CLASS_EXEC);

	rule->access = BULWARK_ACCESS_EXEC;
	exec_rule = rule;
	exec_path_node = exec_digest_node = exec_trust_node = NULL;
	parse_mapping(p, node,
		      p->action == BULWARK_ALLOW ? "an exec.allow entry" : "an exec.deny entry",
		      exec_entry_fields);
	if (node->type != YAML_MAPPING_NODE)
		return;
	if (rule->trust) {
		/* A trust entry in error expands to nothing: the error is enough. */
		if (!check_exec_trust(p, node, rule))
			rule->trust = TRUST_NONE;
		return;
	}
	if (!rule->package && !exec_path_node && !exec_trust_node)
		error_at(p, node, "an exec entry needs 'path', 'package' or 'trust'");
	if (rule->package && (exec_path_node || exec_digest_node))
		error_at(p, node, "'package' stands alone: no 'path' or 'sha256' beside it");
	if (rule->has_digest && exec_path_node && rule->match != BULWARK_MATCH_EXACT)
		error_at(p, exec_digest_node,
			 "sha256 pins one file: the path must not be a "
			 "directory or a glob");
	if (rule->has_digest && p->action == BULWARK_DENY)
		error_at(p, exec_digest_node, "sha256 is only meaningful in exec.allow");
}

static void parse_exec_allow(struct parser *p, yaml_node_t *node)
{
	p->action = BULWARK_ALLOW;
	for_each_item(p, node, parse_exec_entry);
}

static void parse_exec_deny(struct parser *p, yaml_node_t *node)
{
	p->action = BULWARK_DENY;
	for_each_item(p, node, parse_exec_entry);
}

static const struct field exec_fields[] = {
	{"default", parse_default, true},
	{"allow", parse_exec_allow, false},
	{"deny", parse_exec_deny, false},
	{NULL},
};

static void parse_exec(struct parser *p, yaml_node_t *node)
{
	p->class = BULWARK_CLASS_EXEC;
	parse_mapping(p, node, "spec.exec", exec_fields);
}

/* --- spec.file --------------------------------------------------------------- */

static struct path_rule *file_rule; /* the file rule being parsed */
static const char *file_rule_names[32]; /* access names it listed so far */
static size_t file_rule_names_seen;

static void parse_file_path(struct parser *p, yaml_node_t *node)
{
	set_rule_path(p, node, file_rule);
}

static void parse_access_item(struct parser *p, yaml_node_t *node)
{
	const char *v = scalar(p, node, "an access name");
	uint16_t bit;

	if (!v)
		return;
	bit = syntax_access(file_rule->class, v);
	if (!bit) {
		error_at(p, node, "unknown access '%s', expected %s", v,
			 syntax_access_names(file_rule->class));
		return;
	}
	/* Overlaps ("all" beside "read") are fine; the same name twice is a slip. */
	for (size_t i = 0; i < file_rule_names_seen; i++)
		if (!strcmp(file_rule_names[i], v))
			error_at(p, node, "access '%s' is already listed", v);
	if (file_rule_names_seen < sizeof(file_rule_names) / sizeof(file_rule_names[0]))
		file_rule_names[file_rule_names_seen++] = v;
	file_rule->access |= bit;
}

static void parse_file_access(struct parser *p, yaml_node_t *node)
{
	for_each_item(p, node, parse_access_item);
	if (!file_rule->access && node->type == YAML_SEQUENCE_NODE &&
	    node->data.sequence.items.start == node->data.sequence.items.top)
		error_at(p, node, "empty access list: name at least one access");
}

static void parse_file_action(struct parser *p, yaml_node_t *node)
{
	parse_action_word(p, node, &file_rule->action);
}

static const struct field file_rule_fields[] = {
	{"path", parse_file_path, true},
	{"access", parse_file_access, true},
	{"action", parse_file_action, true},
	{NULL},
};

static void parse_file_rule(struct parser *p, yaml_node_t *node)
{
	file_rule = new_path_rule(p, node, BULWARK_CLASS_FILE);
	file_rule_names_seen = 0;
	parse_mapping(p, node, "a file.rules entry", file_rule_fields);
}

static void parse_file_rules(struct parser *p, yaml_node_t *node)
{
	for_each_item(p, node, parse_file_rule);
}

static const struct field file_fields[] = {
	{"default", parse_default, true},
	{"rules", parse_file_rules, false},
	{NULL},
};

static void parse_file(struct parser *p, yaml_node_t *node)
{
	p->class = BULWARK_CLASS_FILE;
	parse_mapping(p, node, "spec.file", file_fields);
}

/* --- spec.network ------------------------------------------------------------ */

struct net_entry {
	yaml_node_t *cidr, *ports, *protocol, *unix_path;
};

static struct net_entry net_entry;

static void parse_net_cidr(struct parser *p, yaml_node_t *node)
{
	net_entry.cidr = node;
}

static void parse_net_ports(struct parser *p, yaml_node_t *node)
{
	net_entry.ports = node;
}

static void parse_net_protocol(struct parser *p, yaml_node_t *node)
{
	net_entry.protocol = node;
}

static void parse_net_unix(struct parser *p, yaml_node_t *node)
{
	net_entry.unix_path = node;
}

static const struct field net_entry_fields[] = {
	{"cidr", parse_net_cidr, false},
	{"ports", parse_net_ports, false},
	{"protocol", parse_net_protocol, false},
	{"unix", parse_net_unix, false},
	{NULL},
};

static void add_unix_rule(struct parser *p, yaml_node_t *entry)
{
	struct path_rule *rule = new_path_rule(p, entry, BULWARK_CLASS_UNIX);

	rule->access =
		p->class == BULWARK_CLASS_EGRESS ? BULWARK_ACCESS_CONNECT : BULWARK_ACCESS_BIND;
	if (net_entry.cidr || net_entry.ports || net_entry.protocol)
		error_at(p, entry, "a 'unix' entry takes no cidr, ports or protocol");
	set_rule_path(p, net_entry.unix_path, rule);
}

/* One net_rule per port range; with no ports, one for all ports. */
static void add_ip_rules(struct parser *p, yaml_node_t *entry)
{
	struct net_rule proto = {.loc = loc_of(p, entry), .id = ++p->set->next_rule_id};
	const char *v, *why;
	yaml_node_item_t *item;
	bool any_family = true;

	proto.direction = p->class == BULWARK_CLASS_EGRESS ? BULWARK_EGRESS : BULWARK_INGRESS;
	proto.action = p->action;
	proto.protocol = BULWARK_PROTO_ANY;
	if (net_entry.protocol && (v = scalar(p, net_entry.protocol, "tcp, udp, icmp or any"))) {
		if (!syntax_protocol(v, &proto.protocol))
			error_at(p, net_entry.protocol,
				 "unknown protocol '%s', expected tcp, udp, icmp or any", v);
	}
	if (net_entry.cidr && (v = scalar(p, net_entry.cidr, "a CIDR"))) {
		why = syntax_cidr(v, &proto.family, proto.addr, &proto.prefix_len);
		if (why)
			error_at(p, net_entry.cidr, "invalid cidr '%s': %s", v, why);
		else
			any_family = false;
	}
	if (proto.protocol == BULWARK_PROTO_ICMP && net_entry.ports)
		error_at(p, net_entry.ports, "icmp has no ports: remove 'ports' or the protocol");

	/* No cidr: every address of both families. */
	for (int family = 0; family < (any_family ? 2 : 1); family++) {
		struct net_rule base = proto;

		if (any_family) {
			base.family = family ? BULWARK_FAMILY_INET6 : BULWARK_FAMILY_INET;
			base.prefix_len = 0;
			memset(base.addr, 0, sizeof(base.addr));
		}
		if (!net_entry.ports || proto.protocol == BULWARK_PROTO_ICMP) {
			base.port_min = 0;
			base.port_max = 65535;
			if (room_for_rule(p, entry))
				*policy_add_net_rule(p->policy) = base;
			continue;
		}
		if (net_entry.ports->type == YAML_SEQUENCE_NODE &&
		    net_entry.ports->data.sequence.items.start ==
			    net_entry.ports->data.sequence.items.top) {
			if (!family)
				error_at(p, net_entry.ports,
					 "empty ports list: omit 'ports' to mean "
					 "every port");
			continue;
		}
		if (net_entry.ports->type == YAML_SCALAR_NODE) {
			/* A lone port, like every other list that takes one item. */
			v = scalar(p, net_entry.ports, "a port");
			if (!v)
				continue;
			why = syntax_port_range(v, &base.port_min, &base.port_max);
			if (why && !family)
				error_at(p, net_entry.ports, "invalid port '%s': %s", v, why);
			if (!why && room_for_rule(p, entry))
				*policy_add_net_rule(p->policy) = base;
			continue;
		}
		if (net_entry.ports->type != YAML_SEQUENCE_NODE) {
			if (!family)
				error_at(p, net_entry.ports, "ports: expected a list, got %s",
					 node_kind(net_entry.ports));
			continue;
		}
		for (item = net_entry.ports->data.sequence.items.start;
		     item < net_entry.ports->data.sequence.items.top; item++) {
			yaml_node_t *port = yaml_document_get_node(p->doc, *item);

			v = scalar(p, port, "a port or a \"low-high\" range");
			if (!v)
				continue;
			why = syntax_port_range(v, &base.port_min, &base.port_max);
			if (why) {
				if (!family)
					error_at(p, port, "invalid port '%s': %s", v, why);
				continue;
			}
			if (room_for_rule(p, entry))
				*policy_add_net_rule(p->policy) = base;
		}
	}
}

static void parse_net_entry(struct parser *p, yaml_node_t *node)
{
	memset(&net_entry, 0, sizeof(net_entry));
	parse_mapping(p, node, "a network entry", net_entry_fields);
	if (node->type != YAML_MAPPING_NODE)
		return;
	if (net_entry.unix_path)
		add_unix_rule(p, node);
	else if (!net_entry.cidr && !net_entry.ports && !net_entry.protocol)
		error_at(p, node,
			 "empty network entry: name a cidr, ports, protocol or unix "
			 "(for every address, write cidr: 0.0.0.0/0 and cidr: \"::/0\")");
	else
		add_ip_rules(p, node);
}

static void parse_net_allow(struct parser *p, yaml_node_t *node)
{
	p->action = BULWARK_ALLOW;
	for_each_item(p, node, parse_net_entry);
}

static void parse_net_deny(struct parser *p, yaml_node_t *node)
{
	p->action = BULWARK_DENY;
	for_each_item(p, node, parse_net_entry);
}

static const struct field direction_fields[] = {
	{"default", parse_default, true},
	{"allow", parse_net_allow, false},
	{"deny", parse_net_deny, false},
	{NULL},
};

static void parse_egress(struct parser *p, yaml_node_t *node)
{
	p->class = BULWARK_CLASS_EGRESS;
	parse_mapping(p, node, "spec.network.egress", direction_fields);
}

static void parse_ingress(struct parser *p, yaml_node_t *node)
{
	p->class = BULWARK_CLASS_INGRESS;
	parse_mapping(p, node, "spec.network.ingress", direction_fields);
}

static const struct field network_fields[] = {
	{"egress", parse_egress, false},
	{"ingress", parse_ingress, false},
	{NULL},
};

static void parse_network(struct parser *p, yaml_node_t *node)
{
	parse_mapping(p, node, "spec.network", network_fields);
}

/* --- the document -------------------------------------------------------------- */

static const struct field spec_fields[] = {
	{"selector", parse_selector, true}, {"mode", parse_mode, false},
	{"exec", parse_exec, false},	    {"file", parse_file, false},
	{"network", parse_network, false},  {NULL},
};

static void parse_spec(struct parser *p, yaml_node_t *node)
{
	parse_mapping(p, node, "spec", spec_fields);
}

static const struct field document_fields[] = {
	{"apiVersion", parse_api_version, true},
	{"kind", parse_kind, true},
	{"metadata", parse_metadata, true},
	{"spec", parse_spec, true},
	{NULL},
};

static void parse_document(struct parser *p, yaml_node_t *root)
{
	struct policy_set *set = p->set;
	struct policy *policy;

	if (set->count == set->alloc) {
		set->alloc = set->alloc ? set->alloc * 2 : 8;
		set->policies = xrealloc(set->policies, set->alloc * sizeof(*set->policies));
	}
	policy = &set->policies[set->count++];
	memset(policy, 0, sizeof(*policy));
	policy->loc = loc_of(p, root);
	policy->mode = BULWARK_MODE_ENFORCE;
	p->policy = policy;
	parse_mapping(p, root, "the document", document_fields);
}

static const char *remember_file(struct policy_set *set, const char *name)
{
	set->files = xrealloc(set->files, (set->file_count + 1) * sizeof(*set->files));
	set->files[set->file_count] = xstrdup(name);
	return set->files[set->file_count++];
}

#define FLOW_DEPTH_MAX 64

/*
 * libyaml takes time quadratic in the nesting of flow collections ([ and {),
 * so a few megabytes of brackets would hang the parser. Policies nest a few
 * levels; refuse more than FLOW_DEPTH_MAX before libyaml sees the input.
 * Brackets inside quoted strings count too: that only errs on the safe side.
 */
static bool flow_depth_ok(struct policy_set *set, const char *file, const unsigned char *data,
			  size_t size)
{
	unsigned int depth = 0, line = 1, col = 0;
	size_t i;

	for (i = 0; i < size; i++) {
		col++;
		if (data[i] == '\n') {
			line++;
			col = 0;
		} else if (data[i] == '[' || data[i] == '{') {
			if (++depth > FLOW_DEPTH_MAX) {
				struct source_loc loc = {file, line, col};

				diag_error(set->diag, &loc, "nested deeper than %u levels",
					   FLOW_DEPTH_MAX);
				return false;
			}
		} else if ((data[i] == ']' || data[i] == '}') && depth) {
			depth--;
		}
	}
	return true;
}

void policy_parse_buffer(struct policy_set *set, const char *name, const unsigned char *data,
			 size_t size)
{
	struct parser p = {.set = set, .file = remember_file(set, name)};
	unsigned int documents = 0, errors_before = set->diag->errors;
	yaml_parser_t parser;
	yaml_document_t doc;

	if (!flow_depth_ok(set, p.file, data, size))
		return;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, data, size);
	for (;;) {
		yaml_node_t *root;

		if (!yaml_parser_load(&parser, &doc)) {
			struct source_loc loc = {p.file, parser.problem_mark.line + 1,
						 parser.problem_mark.column + 1};

			diag_error(set->diag, &loc, "YAML syntax: %s%s%s",
				   parser.problem ? parser.problem : "malformed input",
				   parser.context ? " " : "", parser.context ? parser.context : "");
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		p.doc = &doc;
		p.visited = xcalloc(doc.nodes.top - doc.nodes.start, 1);
		/* A lone "---" (or one at the end of a file) is an empty document. */
		if (root->type != YAML_SCALAR_NODE || root->data.scalar.length) {
			parse_document(&p, root);
			documents++;
		}
		free(p.visited);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	if (!documents && set->diag->errors == errors_before) {
		struct source_loc loc = {p.file, 0, 0};

		diag_error(set->diag, &loc, "no policy in this file");
	}
}
