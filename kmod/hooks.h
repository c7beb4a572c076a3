/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How bulwark.ko hooks the kernel: each security_*() entry point it decides
 * is redirected with ftrace the way livepatch redirects functions (an
 * ftrace_ops with IPMODIFY filtered on the function by name). The callback
 * runs at the function's entry with its arguments in pt_regs; when the
 * decision is a denial it points the saved instruction pointer at a stub
 * that returns -EPERM, so the function (and every LSM behind it) is
 * skipped and its caller sees EPERM. Nothing is patched by hand, no
 * read-only memory is written, and removing an ftrace_ops restores the
 * function.
 */
#ifndef BULWARK_HOOKS_H
#define BULWARK_HOOKS_H

#include <linux/ptrace.h>
#include <linux/types.h>

struct dentry;
struct path;

/* A decision at the entry of a security_*() function: 0 lets it run, else -EPERM. */
typedef int (*bulwark_decide_fn)(struct pt_regs *regs);

struct bulwark_hook_spec {
	const char *symbol;
	bulwark_decide_fn decide;
	bool optional; /* not in every kernel line: skipped where it is missing */
};

/* hook_files.c and hook_net.c: their hooks, NULL-terminated. */
extern const struct bulwark_hook_spec bulwark_file_hooks[];
extern const struct bulwark_hook_spec bulwark_net_hooks[];

/*
 * hook_files.c, also for hook_net.c's unix sockets: a path operation of
 * @class on @dir (and @child in it, when not NULL); unix socket rules fall
 * back on the default of their direction. See name_path() for @own_names.
 * 0 or -EPERM.
 */
int path_hook(u8 op, u16 access, u8 class, const struct path *dir, const struct dentry *child,
	      bool own_names);

static inline unsigned long hook_arg(struct pt_regs *regs, unsigned int n)
{
	return regs_get_kernel_argument(regs, n);
}

/* Attaches every hook, or none: 0 or -errno. */
int bulwark_hooks_attach(void);
/* Detaches every hook and waits until no task is in a callback or the stub. */
void bulwark_hooks_detach(void);
u32 bulwark_hooks_attached(void);

#endif /* BULWARK_HOOKS_H */
