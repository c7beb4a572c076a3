/* SPDX-License-Identifier: GPL-2.0 */
/* What the enforcing commands (apply, unload, exec, events, status) share. */
#ifndef BULWARK_ENFORCE_H
#define BULWARK_ENFORCE_H

#include <stdbool.h>
#include <stdio.h>

#include "backend.h"
#include "bpf_maps.h"
#include "image_write.h"

/*
 * The policy image from the command line: one compiled image file, or
 * policy files and directories compiled now. Errors are reported here;
 * returns 0 or -errno.
 */
int enforce_input_image(int count, char *const paths[], struct image_buffer *out);

/*
 * Compiles policy files and directories into @out, reporting each problem
 * (file:line:col) and the verdict to @report; returns 0 or -errno.
 */
int enforce_compile_paths(int count, char *const paths[], FILE *report, struct image_buffer *out);

enum backend_kind {
	BACKEND_BPF,
	BACKEND_KMOD,
};

/* The backend the enforcing commands work with: one of the two. */
struct backend {
	enum backend_kind kind;
	struct bpf_backend *bpf;
	struct kmod *kmod;
};

/*
 * The backend to enforce with. @name is what --backend said: "bpf",
 * "kmod", or NULL to choose: the one enforcing now, else (with @load) the
 * BPF backend when its programs load, else bulwark.ko when it is loaded.
 * BPF is adopted from its pins or (with @load) loaded. Only one backend
 * enforces at a time: asking for the other one while it does is refused
 * (-EBUSY). Errors are reported here.
 */
int enforce_open_backend(const char *name, bool load, struct backend **out);
void enforce_close_backend(struct backend *be);
const char *backend_name(const struct backend *be);

#endif /* BULWARK_ENFORCE_H */
