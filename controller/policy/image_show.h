/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BULWARK_IMAGE_SHOW_H
#define BULWARK_IMAGE_SHOW_H

#include <stdio.h>

#include "core/image.h"

/*
 * Prints a decoded image back as policy YAML (canonical: every default
 * written out, rules in image order, "# rule N" after each entry), which
 * `bulwark compile` accepts again with the same meaning.
 */
void image_show_yaml(FILE *out, const struct bulwark_image *image);
/* The same content as one JSON object. */
void image_show_json(FILE *out, const struct bulwark_image *image);

/* "/a/b", "/a/b/" (subtree) or "/a/lib*.so" (glob), as a policy would write it. */
void image_rule_path(const struct bulwark_image *image, const struct bulwark_image_path_rule *r,
		     char *buf, size_t size);
/* "10.0.0.0/8" or "fd00::/8". */
void image_rule_cidr(const struct bulwark_image_net_rule *r, char *buf, size_t size);

#endif /* BULWARK_IMAGE_SHOW_H */
