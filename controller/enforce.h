/* SPDX-License-Identifier: GPL-2.0 */
/* What the enforcing commands (apply, unload, exec, events, status) share. */
#ifndef BULWARK_ENFORCE_H
#define BULWARK_ENFORCE_H

#include <stdbool.h>

#include "bpf_maps.h"
#include "image_write.h"

/*
 * The policy image from the command line: one compiled image file, or
 * policy files and directories compiled now. Errors are reported here;
 * returns 0 or -errno.
 */
int enforce_input_image(int count, char *const paths[], struct image_buffer *out);

/*
 * The BPF backend, adopted from its pins or (with @load) loaded. @backend
 * is what --backend said (NULL: choose). Errors are reported here.
 */
int enforce_open_backend(const char *backend, bool load, struct bpf_backend **out);

#endif /* BULWARK_ENFORCE_H */
