/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Problems found in policy input, each tied to file:line:col, collected so
 * one run of `bulwark check` reports all of them, in input order.
 */
#ifndef BULWARK_DIAG_H
#define BULWARK_DIAG_H

#include <stdio.h>

struct source_loc {
	const char *file; /* owned by the policy set */
	unsigned int line, col; /* 1-based; 0 when the problem is the whole file */
};

struct diag {
	unsigned int errors;
	unsigned int warnings;
	unsigned int shown;
	unsigned int limit; /* stop printing after this many (0: no limit) */
	FILE *out;
};

void diag_init(struct diag *diag, FILE *out);
__attribute__((format(printf, 3, 4))) void
diag_error(struct diag *diag, const struct source_loc *loc, const char *fmt, ...);

/* Something that does not stop the policies from compiling, but the user must know. */
__attribute__((format(printf, 3, 4))) void
diag_warning(struct diag *diag, const struct source_loc *loc, const char *fmt, ...);

#endif /* BULWARK_DIAG_H */
