// SPDX-License-Identifier: GPL-2.0
/* Which cgroup a selector names; see selector.h. */
#include "selector.h"

#include "uapi/linux/bulwark_image.h"

/*
 * '*' and '?' within one component. The last '*' seen is the only point to
 * go back to (a later '*' makes going back further pointless), so this is
 * linear in practice and at worst plen * len steps.
 */
bool bulwark_glob_component(const char *pat, size_t plen, const char *name, size_t len)
{
	size_t p = 0, n = 0, star_p = (size_t)-1, star_n = 0;

	while (n < len) {
		if (p < plen && (pat[p] == '?' || (pat[p] != '*' && pat[p] == name[n]))) {
			p++;
			n++;
		} else if (p < plen && pat[p] == '*') {
			star_p = p++;
			star_n = n;
		} else if (star_p != (size_t)-1) {
			p = star_p + 1;
			n = ++star_n;
		} else {
			return false;
		}
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

/* One component of a path, and whether it is the last. */
struct component {
	const char *name;
	size_t len;
	bool last;
};

static bool next_component(const char *path, size_t len, size_t *at, struct component *c)
{
	size_t start;

	if (*at >= len)
		return false;
	start = *at + 1; /* past the '/' */
	*at = start;
	while (*at < len && path[*at] != '/')
		(*at)++;
	c->name = path + start;
	c->len = *at - start;
	c->last = *at >= len;
	return true;
}

static bool names_unit(const char *value, const char *path, size_t len)
{
	struct component c;
	size_t at = 0;

	while (next_component(path, len, &at, &c)) {
		if (c.last)
			return c.len == strlen(value) && !memcmp(c.name, value, c.len);
		/* A slice name has something before ".slice". */
		if (c.len <= 6 || !has_suffix(c.name, c.len, ".slice"))
			return false;
	}
	return false;
}

static bool names_glob(const char *value, const char *path, size_t len)
{
	size_t vlen = strlen(value), vat = 0, at = 0;
	struct component g, c;

	for (;;) {
		bool more_g = next_component(value, vlen, &vat, &g);
		bool more_c = next_component(path, len, &at, &c);

		if (!more_g || !more_c)
			return more_g == more_c;
		if (!bulwark_glob_component(g.name, g.len, c.name, c.len))
			return false;
	}
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool names_container(const char *value, const char *path, size_t len)
{
	static const char *const prefixes[] = {"docker-", "cri-containerd-", "crio-", "libpod-",
					       NULL};
	size_t i, vlen = strlen(value), at = 0, id_len;
	struct component c;
	const char *id;

	while (next_component(path, len, &at, &c)) {
		if (!c.last) {
			/* Inside a user's manager (user@UID.service): not a container's. */
			if (has_prefix(c.name, c.len, "user@") &&
			    has_suffix(c.name, c.len, ".service"))
				return false;
			continue;
		}
		id = c.name;
		id_len = c.len;
		for (i = 0; prefixes[i]; i++) {
			size_t n = strlen(prefixes[i]);

			if (has_prefix(c.name, c.len, prefixes[i])) {
				id = c.name + n;
				id_len = c.len - n;
				break;
			}
		}
		if (id_len > 6 && has_suffix(id, id_len, ".scope"))
			id_len -= 6;
		for (i = 0; i < id_len; i++)
			if (!is_hex(id[i]))
				return false;
		return id_len >= vlen && !memcmp(id, value, vlen);
	}
	return false;
}

bool bulwark_selector_names(__u8 kind, const char *value, const char *path, size_t len)
{
	/* The root is the host policy's. */
	if (len < 2 || path[0] != '/')
		return false;
	switch (kind) {
	case BULWARK_SELECTOR_SYSTEMD_UNIT:
		return names_unit(value, path, len);
	case BULWARK_SELECTOR_CGROUP:
		return names_glob(value, path, len);
	case BULWARK_SELECTOR_CONTAINER:
		return names_container(value, path, len);
	}
	return false;
}
