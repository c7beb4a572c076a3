/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Allocation that cannot fail: the controller is a short-lived command, and
 * running out of memory while compiling policies leaves nothing sensible to
 * do but stop (nothing is written before the end, so nothing is half-made).
 */
#ifndef BULWARK_XALLOC_H
#define BULWARK_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);

#endif /* BULWARK_XALLOC_H */
