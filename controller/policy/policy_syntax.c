// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "policy_syntax.h"
#include "xalloc.h"

const char *syntax_policy_name(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0)
		return "empty";
	if (len >= BULWARK_NAME_MAX)
		return "longer than 63 characters";
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      (i > 0 && (c == '-' || c == '.'))))
			return "use lowercase letters, digits, '-' and '.', starting with a letter "
			       "or digit";
	}
	return NULL;
}

static bool all_chars_in(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

const char *syntax_selector(uint8_t kind, const char *value)
{
	static const char *const unit_suffixes[] = {".service", ".scope", ".slice", ".socket",
						    NULL};
	size_t len = strlen(value), i;

	switch (kind) {
	case BULWARK_SELECTOR_HOST:
		return strcmp(value, "true") ? "host: takes only true (to select the whole host)"
					     : NULL;
	case BULWARK_SELECTOR_SYSTEMD_UNIT:
		if (!len || len > 255 || !all_chars_in(value, ":-_.\\@"))
			return "not a systemd unit name";
		for (i = 0; unit_suffixes[i]; i++) {
			size_t n = strlen(unit_suffixes[i]);

			if (len > n && !strcmp(value + len - n, unit_suffixes[i]))
				return NULL;
		}
		return "a unit with its own cgroup ends in .service, .scope, .slice or .socket";
	case BULWARK_SELECTOR_CGROUP:
		if (value[0] != '/')
			return "a cgroup path starts with '/' (relative to the cgroup2 root)";
		if (len >= BULWARK_PATH_MAX)
			return "too long";
		if (strstr(value, "//") || strstr(value, "/./") || strstr(value, "/../") ||
		    (len > 1 && value[len - 1] == '/'))
			return "not normalized (no empty, '.' or '..' components, no trailing '/')";
		/* The kernel matches '*' and '?' only (core/selector.h). */
		if (strpbrk(value, "[]\\"))
			return "a cgroup glob has '*' and '?' only: no bracket expressions or "
			       "escapes";
		return NULL;
	case BULWARK_SELECTOR_CONTAINER:
		if (len < 12 || len > 64 || !all_chars_in(value, ""))
			return "a container id is 12 to 64 hexadecimal digits";
		for (i = 0; i < len; i++)
			if (!isxdigit((unsigned char)value[i]) || isupper((unsigned char)value[i]))
				return "a container id is 12 to 64 lowercase hexadecimal digits";
		return NULL;
	}
	return "unknown selector";
}

static char *dup_range(const char *s, size_t len)
{
	return xstrndup(s, len);
}

const char *syntax_path(const char *written, struct syntax_path *out)
{
	size_t len = strlen(written);
	const char *last, *star;

	memset(out, 0, sizeof(*out));
	if (written[0] != '/')
		return "not an absolute path";
	if (len >= BULWARK_PATH_MAX)
		return "longer than 4095 bytes";
	if (strpbrk(written, "?[]{}"))
		return "only '*' and '**' globs are supported (the kernel cannot enforce '?', "
		       "'[...]' or '{...}' exactly)";
	/* "/", "/a/b/" and "/a/b/" + "**": the directory and everything below it. */
	if (len > 1 && written[len - 1] == '/')
		len--;
	else if (len >= 3 && !strcmp(written + len - 3, "/**"))
		len -= len == 3 ? 2 : 3;
	else if (len != 1)
		goto not_subtree;
	if (memchr(written, '*', len))
		return "'*' is only allowed in the last component of a path";
	if (!bulwark_path_is_normal(written, len ? len : 1))
		return "not normalized (no empty, '.' or '..' components)";
	out->match = BULWARK_MATCH_SUBTREE;
	out->path = dup_range(written, len ? len : 1);
	return NULL;

not_subtree:
	last = strrchr(written, '/');
	star = strchr(written, '*');
	if (!star) {
		if (!bulwark_path_is_normal(written, len))
			return "not normalized (no empty, '.' or '..' components, no trailing "
			       "'/' but for directories)";
		out->match = BULWARK_MATCH_EXACT;
		out->path = dup_range(written, len);
		return NULL;
	}
	if (star < last)
		return "'*' is only allowed in the last component of a path";
	if (strchr(star + 1, '*'))
		return "a name may hold only one '*' ('**' only as a whole last component)";
	if (!bulwark_path_is_normal(written, last == written ? 1 : last - written) ||
	    !strcmp(last + 1, "."))
		return "not normalized (no empty, '.' or '..' components)";
	out->match = BULWARK_MATCH_GLOB;
	out->path = dup_range(written, last == written ? 1 : last - written);
	out->pattern = dup_range(last + 1, strlen(last + 1));
	return NULL;
}

bool syntax_sha256(const char *hex, uint8_t digest[32])
{
	size_t i;

	if (strlen(hex) != 64)
		return false;
	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)hex[i]))
			return false;
	for (i = 0; i < 32; i++) {
		unsigned int byte;

		sscanf(hex + 2 * i, "%2x", &byte);
		digest[i] = byte;
	}
	return true;
}

bool syntax_package_name(const char *name)
{
	/* Debian policy 5.6.1: [a-z0-9][a-z0-9+.-]+, optionally :arch. */
	size_t len = strcspn(name, ":"), i;

	if (len < 2 || (!islower((unsigned char)name[0]) && !isdigit((unsigned char)name[0])))
		return false;
	for (i = 0; i < len; i++)
		if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i]) &&
		    !strchr("+.-", name[i]))
			return false;
	return name[len] == '\0' || all_chars_in(name + len + 1, "-");
}

static const struct {
	const char *name;
	uint16_t bits;
} file_access[] = {
	{"read", BULWARK_ACCESS_READ},
	{"write", BULWARK_ACCESS_WRITE},
	{"append", BULWARK_ACCESS_APPEND},
	{"create", BULWARK_ACCESS_CREATE},
	{"unlink", BULWARK_ACCESS_UNLINK},
	{"rename", BULWARK_ACCESS_RENAME},
	{"mkdir", BULWARK_ACCESS_MKDIR},
	{"rmdir", BULWARK_ACCESS_RMDIR},
	{"link", BULWARK_ACCESS_LINK},
	{"symlink", BULWARK_ACCESS_SYMLINK},
	{"setattr", BULWARK_ACCESS_SETATTR},
	{"truncate", BULWARK_ACCESS_TRUNCATE},
	{"exec", BULWARK_ACCESS_EXEC},
	{"all", BULWARK_ACCESS_FILE_ALL},
	{NULL, 0},
};

uint16_t syntax_access(uint8_t class, const char *name)
{
	size_t i;

	if (class != BULWARK_CLASS_FILE)
		return 0;
	for (i = 0; file_access[i].name; i++)
		if (!strcmp(file_access[i].name, name))
			return file_access[i].bits;
	return 0;
}

const char *syntax_access_names(uint8_t class)
{
	return "read, write, append, create, unlink, rename, mkdir, rmdir, link, symlink, "
	       "setattr, truncate, exec or all";
}

bool syntax_protocol(const char *name, uint8_t *protocol)
{
	static const char *const names[] = {"any", "tcp", "udp", "icmp"};
	uint8_t i;

	for (i = 0; i < 4; i++) {
		if (!strcmp(names[i], name)) {
			*protocol = i;
			return true;
		}
	}
	return false;
}

const char *syntax_cidr(const char *text, uint8_t *family, uint8_t addr[16], uint8_t *prefix_len)
{
	char buf[64], *slash, *end;
	unsigned int max, byte;
	long len;

	if (strlen(text) >= sizeof(buf))
		return "too long";
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		*family = 6;
		max = 128;
	} else {
		return "not an IPv4 or IPv6 address";
	}
	len = max;
	if (slash) {
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || errno || len < 0 || len > (long)max ||
		    !isdigit((unsigned char)slash[1]))
			return max == 32 ? "prefix length must be 0 to 32"
					 : "prefix length must be 0 to 128";
	}
	*prefix_len = len;
	for (byte = 0; byte < max / 8; byte++)
		if (addr[byte] & ~bulwark_prefix_byte_mask(len, byte))
			return "host bits set after the prefix length (name the network address)";
	return NULL;
}

static bool parse_port(const char *s, size_t len, uint16_t *port)
{
	unsigned long value = 0;
	size_t i;

	if (len == 0 || len > 5)
		return false;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		value = value * 10 + (s[i] - '0');
	}
	if (value > 65535)
		return false;
	*port = value;
	return true;
}

const char *syntax_port_range(const char *text, uint16_t *min, uint16_t *max)
{
	const char *dash = strchr(text, '-');

	if (!dash) {
		if (!parse_port(text, strlen(text), min))
			return "a port is a number from 0 to 65535";
		*max = *min;
		return NULL;
	}
	if (!parse_port(text, dash - text, min) || !parse_port(dash + 1, strlen(dash + 1), max))
		return "a port range is \"low-high\" with numbers from 0 to 65535";
	if (*min > *max)
		return "inverted port range (low is above high)";
	return NULL;
}
