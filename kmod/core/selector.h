/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which cgroup a policy's selector names: one matcher, compiled into
 * bulwark.ko (which decides a cgroup created after apply the first time a
 * task in it is decided) and into the controller (which binds the cgroups
 * that exist at apply, and explains). lsm-bpf/selector.bpf.h is the same
 * rule set written for the verifier; tests/unit/test_selector checks them.
 *
 * A cgroup is named by its cgroup2 path from the root ("/system.slice/
 * nginx.service"); a selector names the cgroup itself (its descendants
 * follow through the ancestor walk):
 *   systemdUnit U   the last component is U and every one above it is a
 *                   slice: the system manager's unit, never a user's own
 *                   unit of the same name (below user@UID.service)
 *   cgroup GLOB     every component matches GLOB's component at the same
 *                   depth, and there are as many: '*' matches any run of
 *                   characters within a component, '?' one character,
 *                   anything else itself (fnmatch(3) with FNM_PATHNAME, less
 *                   bracket expressions and backslash escapes, which the
 *                   policy check refuses)
 *   container ID    the last component is a container's cgroup whose id
 *                   starts with ID (docker-ID.scope, cri-containerd-ID.scope,
 *                   crio-ID.scope, libpod-ID.scope or ID), outside any user's
 *                   manager
 */
#ifndef BULWARK_CORE_SELECTOR_H
#define BULWARK_CORE_SELECTOR_H

#include "compat.h"

/* Whether @path (@len bytes, from '/', no trailing '/') is named by (@kind, @value). */
bool bulwark_selector_names(__u8 kind, const char *value, const char *path, size_t len);

/* Whether component @name (@len bytes) matches glob component @pat (@plen bytes). */
bool bulwark_glob_component(const char *pat, size_t plen, const char *name, size_t len);

#endif /* BULWARK_CORE_SELECTOR_H */
