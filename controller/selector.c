// SPDX-License-Identifier: GPL-2.0
/* Which policy governs a cgroup; see selector.h. */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "selector.h"
#include "uapi/linux/bulwark_image.h"

static int match_prefix(uint8_t kind, const char *value, const char *prefix, size_t len)
{
	char path[BULWARK_PATH_MAX];
	const char *last;

	if (len >= sizeof(path))
		return 0;
	memcpy(path, prefix, len);
	path[len] = '\0';
	last = strrchr(path, '/') + 1;
	switch (kind) {
	case BULWARK_SELECTOR_SYSTEMD_UNIT:
		return !strcmp(last, value);
	case BULWARK_SELECTOR_CGROUP:
		return !fnmatch(value, path, FNM_PATHNAME);
	case BULWARK_SELECTOR_CONTAINER:
		return strstr(last, value) != NULL;
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
