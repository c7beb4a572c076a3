/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BULWARK_SELECTOR_H
#define BULWARK_SELECTOR_H

#include <stddef.h>
#include <stdint.h>

/*
 * core/selector.h says which cgroup a selector names (the kernel decides
 * cgroups created after apply by the same code). How deep in @cgroup (a cgroup2 path such as
 * "/system.slice/nginx.service/worker") a selector matches: the length of
 * the matching ancestor path, or -1. The policy matching the nearest
 * ancestor governs a cgroup; the host policy (depth 0) everything else.
 *   systemdUnit U   an ancestor whose last component is U, with only slices
 *                   above it: the system manager's unit, never a user's own
 *                   unit of the same name (below user@UID.service)
 *   cgroup GLOB     an ancestor matching GLOB (fnmatch, '*' within a component)
 *   container ID    an ancestor named for a container whose id starts with ID
 *                   (docker-ID.scope, cri-containerd-ID.scope, crio-ID.scope,
 *                   libpod-ID.scope or ID), outside any user's manager
 * At equal depth the policy defined first wins.
 */
int selector_match_depth(uint8_t kind, const char *value, const char *cgroup);

/* The cgroup a systemd unit runs in, for `--unit U`: "/system.slice/U" or U's slice. */
void selector_unit_cgroup(const char *unit, char *buf, size_t size);

#endif /* BULWARK_SELECTOR_H */
