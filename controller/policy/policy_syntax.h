/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lexical pieces of the policy language, as pure functions: each takes
 * what the user wrote and returns NULL (or true) when it is valid, else a
 * short reason to put after "invalid X 'value': ".
 */
#ifndef BULWARK_POLICY_SYNTAX_H
#define BULWARK_POLICY_SYNTAX_H

#include <stdbool.h>
#include <stdint.h>

const char *syntax_policy_name(const char *name);
const char *syntax_selector(uint8_t kind, const char *value);

struct syntax_path {
	uint8_t match; /* enum bulwark_match */
	char *path; /* normalized; GLOB: the parent directory (malloc'd) */
	char *pattern; /* GLOB: the last component (malloc'd), else NULL */
};
/*
 * "/a/b" is EXACT; "/a/b/" and "/a/b/" followed by "**" are the SUBTREE /a/b;
 * "/a/lib*.so" (one '*', last component only) is a GLOB in /a. Anything the kernel could
 * not match exactly ('?', '[', '*' in a directory, '**' inside a name) is an
 * error, never an approximation.
 */
const char *syntax_path(const char *written, struct syntax_path *out);

bool syntax_sha256(const char *hex, uint8_t digest[32]);
bool syntax_package_name(const char *name);
/* The BULWARK_ACCESS_* bit(s) named @name for rules of @class, or 0. */
uint16_t syntax_access(uint8_t class, const char *name);
const char *syntax_access_names(uint8_t class);
bool syntax_protocol(const char *name, uint8_t *protocol);
/* "10.0.0.0/8", "fd00::/8", or a bare address (a /32 or /128). */
const char *syntax_cidr(const char *text, uint8_t *family, uint8_t addr[16], uint8_t *prefix_len);
/* "443", 443 or "8000-8099". */
const char *syntax_port_range(const char *text, uint16_t *min, uint16_t *max);

#endif /* BULWARK_POLICY_SYNTAX_H */
