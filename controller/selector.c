// SPDX-License-Identifier: GPL-2.0
/* Which policy governs a cgroup; see selector.h. */
#include <ctype.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "selector.h"
#include "uapi/linux/bulwark_image.h"

/* Whether every component of @path before its last one is a slice. */
static bool only_slices_above(const char *path, const char *last)
{
	const char *c = path + 1;

	while (c < last - 1) {
		const char *end = strchr(c, '/');

		if (end - c < 7 || strncmp(end - 6, ".slice", 6))
			return false;
		c = end + 1;
	}
	return true;
}

/* Whether @path lies inside a user's systemd manager (user@UID.service). */
static bool under_user_manager(const char *path)
{
	const char *at = strstr(path, "/user@");

	return at && strstr(at, ".service/") != NULL;
}

/* The container id in a runtime's cgroup name: docker-ID.scope, cri-containerd-ID.scope, ID. */
static size_t container_id(const char *name, const char **id)
{
	static const char *const prefixes[] = {"docker-", "cri-containerd-", "crio-", "libpod-",
					       ""};
	size_t i, len;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			break;
	*id = name + strlen(prefixes[i]);
	len = strlen(*id);
	if (len > 6 && !strcmp(*id + len - 6, ".scope"))
		len -= 6;
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)(*id)[i]))
			return 0;
	return len;
}

static int match_prefix(uint8_t kind, const char *value, const char *prefix, size_t len)
{
	char path[BULWARK_PATH_MAX];
	const char *last, *id;
	size_t id_len;

	if (len >= sizeof(path))
		return 0;
	memcpy(path, prefix, len);
	path[len] = '\0';
	last = strrchr(path, '/') + 1;
	switch (kind) {
	case BULWARK_SELECTOR_SYSTEMD_UNIT:
		/* Only the system manager's units: a user's own units live below user@UID.service.
		 */
		return !strcmp(last, value) && only_slices_above(path, last);
	case BULWARK_SELECTOR_CGROUP:
		return !fnmatch(value, path, FNM_PATHNAME);
	case BULWARK_SELECTOR_CONTAINER:
		id_len = container_id(last, &id);
		return id_len >= strlen(value) && !strncmp(id, value, strlen(value)) &&
		       !under_user_manager(path);
	}
	return 0;
}

int selector_match_depth(uint8_t kind, const char *value, const char *cgroup)
{
	size_t len = strlen(cgroup);

	if (kind == BULWARK_SELECTOR_HOST)
		return 0;
	if (cgroup[0] != '/')
		return -1;
	/* The cgroup itself, then each ancestor: the deepest match counts. */
	while (len > 1) {
		if (match_prefix(kind, value, cgroup, len))
			return len;
		while (len > 0 && cgroup[--len] != '/')
			;
	}
	return -1;
}

void selector_unit_cgroup(const char *unit, char *buf, size_t size)
{
	size_t len = strlen(unit);

	if (len > 6 && !strcmp(unit + len - 6, ".slice"))
		snprintf(buf, size, "/%s", unit);
	else
		snprintf(buf, size, "/system.slice/%s", unit);
}
