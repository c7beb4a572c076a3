/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policies as the user wrote them, after parsing (policy_parse.c) and before
 * compiling (image_write.c). Every element keeps where it came from so
 * errors and `bulwark explain` can point at file:line:col.
 */
#ifndef BULWARK_POLICY_H
#define BULWARK_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"
#include "uapi/linux/bulwark_image.h"

/* Where exec.allow entries that name no path find their files. */
enum trust_source {
	TRUST_NONE,
	TRUST_DPKG, /* `trust: dpkg`: what dpkg installed, as it recorded it */
	TRUST_SNAPSHOT, /* `{path: DIR/, trust: snapshot}`: the files under DIR at apply */
};

/* One entry of exec.allow/deny, file.rules, or a unix entry of network.*. */
struct path_rule {
	struct source_loc loc;
	uint32_t id; /* rule id, 1-based, in source order across the set */
	uint8_t class; /* enum bulwark_class: EXEC, FILE or UNIX */
	uint8_t match; /* enum bulwark_match */
	uint8_t action; /* enum bulwark_action */
	uint16_t access; /* BULWARK_ACCESS_* */
	char *path; /* normalized; for GLOB the parent directory */
	char *pattern; /* GLOB: the last component, with one '*' */
	char *written; /* the path as written, for messages */
	char *package; /* exec rules from `package:`; path is NULL until expanded */
	uint8_t trust; /* enum trust_source; path is NULL, its files follow as rules */
	char *trust_dir; /* TRUST_SNAPSHOT: the directory, normalized */
	char *origin; /* a rule expanded from `trust: dpkg`: the package */
	bool has_digest;
	uint8_t digest[BULWARK_DIGEST_SIZE];
};

/* One (cidr, port range, protocol) of network.egress/ingress. */
struct net_rule {
	struct source_loc loc;
	uint32_t id;
	uint8_t direction; /* enum bulwark_direction */
	uint8_t family; /* enum bulwark_family */
	uint8_t prefix_len;
	uint8_t protocol; /* enum bulwark_protocol */
	uint8_t action;
	uint16_t port_min, port_max;
	uint8_t addr[16];
};

/* A file a trust source did not take, and why; for `bulwark explain`. */
struct trust_reject {
	char *path;
	char *why;
};

struct policy {
	struct source_loc loc; /* of the document */
	char *name;
	struct source_loc name_loc;
	uint8_t selector_kind; /* enum bulwark_selector */
	char *selector; /* NULL for host */
	struct source_loc selector_loc;
	uint8_t mode; /* enum bulwark_mode */
	uint8_t defaults[__BULWARK_CLASS_MAX];
	struct source_loc default_loc[__BULWARK_CLASS_MAX]; /* line 0: not written */
	struct path_rule *path_rules;
	size_t path_rule_count, path_rule_alloc;
	struct net_rule *net_rules;
	size_t net_rule_count, net_rule_alloc;
	struct trust_reject *trust_rejects;
	size_t trust_reject_count;
};

struct policy_set {
	struct policy *policies;
	size_t count, alloc;
	char **files; /* every file name a source_loc points to */
	size_t file_count;
	uint32_t next_rule_id;
	unsigned long long rule_total; /* rules parsed, to stop alias amplification */
	struct diag *diag;
};

void policy_set_init(struct policy_set *set, struct diag *diag);
void policy_set_free(struct policy_set *set);

/* Parses one YAML file (or "-" for stdin) into @set. Errors go to set->diag. */
void policy_parse_file(struct policy_set *set, const char *file);
/* Same, from memory; @name is used in messages. */
void policy_parse_buffer(struct policy_set *set, const char *name, const unsigned char *data,
			 size_t size);
/*
 * Parses each argument: a file, or a directory whose *.yaml and *.yml files
 * are read in version order (10-x.yaml after 9-y.yaml).
 */
void policy_parse_paths(struct policy_set *set, int count, char *const paths[]);

/* How many policy files (*.yaml, *.yml, not hidden) @dir holds, or -errno. */
int policy_dir_count(const char *dir);

/* Parses @paths, then checks the set; returns the number of errors reported. */
unsigned int policy_load(struct policy_set *set, int count, char *const paths[]);

/* Checks the set as a whole (names, selectors, contradictions, limits) and
 * expands `package:` entries. Errors go to set->diag. */
void policy_check(struct policy_set *set);
/* The error for a rule's @path that reaches @resolved through a symlink. */
void policy_report_symlinked(struct policy_set *set, const struct source_loc *loc, const char *path,
			     const char *resolved);

/* Growth helpers shared by the parser and the package expansion. */
struct path_rule *policy_add_path_rule(struct policy *policy);
struct net_rule *policy_add_net_rule(struct policy *policy);
/*
 * Appends an exact rule for @path with the class, action, access, place
 * and number of the entry at @template: one file a package or trust entry
 * stands for.
 */
struct path_rule *policy_add_expanded_rule(struct policy *policy, size_t template,
					   const char *path);
/* Whether an expansion takes @path (with @mode): what can run code. */
bool policy_runnable_file(const char *path, mode_t mode);

/* Whether @rule is an entry that stands for files expanded from it. */
static inline bool path_rule_is_source(const struct path_rule *rule)
{
	return rule->package || rule->trust;
}

/* Names for enums, as written in policies. */
const char *action_name(uint8_t action);
const char *class_name(uint8_t class);
const char *match_name(uint8_t match);
const char *mode_name(uint8_t mode);
const char *protocol_name(uint8_t protocol);
const char *selector_key(uint8_t kind);
const char *access_bit_name(uint8_t class, uint16_t bit);

#endif /* BULWARK_POLICY_H */
