/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BULWARK_LSM_LIST_H
#define BULWARK_LSM_LIST_H

#include <stdbool.h>
#include <stddef.h>

#define LSM_LIST_PATH "/sys/kernel/security/lsm"

/* Whether the comma-separated LSM list (as in LSM_LIST_PATH) names @lsm. */
bool lsm_list_contains(const char *list, const char *lsm);

/*
 * Reads the active LSM list into @buf without its trailing newline.
 * Returns 0, or -errno (-ENOENT when securityfs is not mounted).
 */
int lsm_list_read(const char *path, char *buf, size_t size);

#endif /* BULWARK_LSM_LIST_H */
