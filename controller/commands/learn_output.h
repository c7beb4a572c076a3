/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bulwark learn's output: the learned policy, compiled as bulwark check
 * would before anyone sees it, with every program that ran checked against
 * what its rule allows, written atomically to a file or to stdout.
 */
#ifndef BULWARK_LEARN_OUTPUT_H
#define BULWARK_LEARN_OUTPUT_H

#include "learned.h"

/*
 * Writes the policy @l learned to @out_path (NULL: standard output). With
 * @owners, programs dpkg installed are allowed by package, unless their
 * package's rule would not cover them (a changed file, one that does not
 * look runnable): those by path. Errors are reported here; 0 or -errno.
 */
int learn_output_write(struct learned *l, const struct learned_header *h,
		       struct dpkg_owners *owners, const char *out_path);

#endif /* BULWARK_LEARN_OUTPUT_H */
