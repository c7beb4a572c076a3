// SPDX-License-Identifier: GPL-2.0
/* Which policy governs a cgroup; see selector.h. */
#include <stdio.h>
#include <string.h>

#include "core/selector.h"
#include "selector.h"
#include "uapi/linux/bulwark_image.h"

int selector_match_depth(uint8_t kind, const char *value, const char *cgroup)
{
	size_t len = strlen(cgroup);

	if (kind == BULWARK_SELECTOR_HOST)
		return 0;
	if (cgroup[0] != '/')
		return -1;
	/* The cgroup itself, then each ancestor: the deepest match counts. */
	while (len > 1) {
		if (bulwark_selector_names(kind, value, cgroup, len))
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
