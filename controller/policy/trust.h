/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trust sources of exec.allow: `trust: dpkg` and `{path: DIR/, trust:
 * snapshot}` become one exact rule per file they trust, which apply binds
 * to the file's identity like any exact exec rule.
 */
#ifndef BULWARK_TRUST_H
#define BULWARK_TRUST_H

#include "policy.h"

/*
 * Expands the trust entries of @policy. dpkg's files are checked against
 * the md5sums dpkg recorded and pinned by the sha256 of what was checked;
 * a file that does not match is reported (a warning naming it) and not
 * trusted. Errors and warnings go to set->diag.
 */
void trust_expand(struct policy_set *set, struct policy *policy);

/*
 * Expands the `package:` entry at @index of @policy the same way, for one
 * package: in exec.allow its files are checked and pinned as for
 * `trust: dpkg`; in exec.deny every file it installed is denied as it is.
 */
void trust_expand_package(struct policy_set *set, struct policy *policy, size_t index);

#endif /* BULWARK_TRUST_H */
