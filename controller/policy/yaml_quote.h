/* SPDX-License-Identifier: GPL-2.0 */
/* Strings written for YAML and JSON readers alike. */
#ifndef BULWARK_YAML_QUOTE_H
#define BULWARK_YAML_QUOTE_H

#include <stdio.h>

/*
 * @s double-quoted, with the escapes YAML and JSON share: \" and \\, and
 * \uXXXX for control characters. Any other byte is written as it is.
 */
void yaml_quoted(FILE *out, const char *s);

#endif /* BULWARK_YAML_QUOTE_H */
