/* SPDX-License-Identifier: GPL-2.0 */
/* Policy generations in the kernel module; see kmod_generation.c. */
#ifndef BULWARK_KMOD_GENERATION_H
#define BULWARK_KMOD_GENERATION_H

#include "backend.h"
#include "generation.h"

/*
 * Installs the sources as the module's next generation. On failure the
 * running generation stays, untouched. Returns 0 or -errno with
 * result->why set.
 */
int kmod_generation_install(struct kmod *k, const struct gen_source *sources, size_t count,
			    struct gen_result *result);

#endif /* BULWARK_KMOD_GENERATION_H */
