// SPDX-License-Identifier: GPL-2.0
/* ftrace redirection of the security_*() entry points; see hooks.h. */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/rcupdate.h>
#include <linux/rcupdate_wait.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/trace_recursion.h>

#include "hooks.h"

struct bulwark_hook {
	struct ftrace_ops ops;
	const struct bulwark_hook_spec *spec;
	bool filtered;
	bool registered;
};

static struct bulwark_hook *hooks;
static u32 hook_count, attached;

/* Where a denied call goes instead of the function: its caller gets EPERM. */
static noinline notrace int bulwark_refuse(void)
{
	return -EPERM;
}

static void notrace bulwark_callback(unsigned long ip, unsigned long parent_ip,
				     struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct bulwark_hook *hook = container_of(ops, struct bulwark_hook, ops);
	struct pt_regs *regs = ftrace_get_regs(fregs);
	int bit, ret;

	/* Only tasks act for workloads; no hooked function is called from interrupts. */
	if (!regs || !in_task())
		return;
	/* Also disables preemption: the decision does not sleep. */
	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	rcu_read_lock();
	ret = hook->spec->decide(regs);
	rcu_read_unlock();
	if (ret)
		instruction_pointer_set(regs, (unsigned long)bulwark_refuse);
	ftrace_test_recursion_unlock(bit);
}

static u32 count_specs(const struct bulwark_hook_spec *specs)
{
	u32 n = 0;

	while (specs[n].symbol)
		n++;
	return n;
}

static int attach_one(struct bulwark_hook *hook)
{
	const char *symbol = hook->spec->symbol;
	int ret;

	hook->ops.func = bulwark_callback;
	hook->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY;
	ret = ftrace_set_filter(&hook->ops, (unsigned char *)symbol, strlen(symbol), 0);
	if (ret == -EINVAL && hook->spec->optional) {
		pr_debug("%s is not in this kernel: not hooked\n", symbol);
		return 0;
	}
	if (ret) {
		pr_err("cannot hook %s: it is not a traceable function here (%d)\n", symbol, ret);
		return ret;
	}
	hook->filtered = true;
	ret = register_ftrace_function(&hook->ops);
	if (ret) {
		pr_err("cannot hook %s: %d%s\n", symbol, ret,
		       ret == -EBUSY ? " (another ftrace user modifies it, e.g. a livepatch)" : "");
		return ret;
	}
	hook->registered = true;
	attached++;
	return 0;
}

int bulwark_hooks_attach(void)
{
	u32 files = count_specs(bulwark_file_hooks), i;
	int ret = 0;

	hook_count = files + count_specs(bulwark_net_hooks);
	hooks = kcalloc(hook_count, sizeof(*hooks), GFP_KERNEL);
	if (!hooks)
		return -ENOMEM;
	for (i = 0; i < hook_count; i++) {
		hooks[i].spec = i < files ? &bulwark_file_hooks[i] : &bulwark_net_hooks[i - files];
		ret = attach_one(&hooks[i]);
		if (ret)
			break;
	}
	if (ret)
		bulwark_hooks_detach();
	return ret;
}

void bulwark_hooks_detach(void)
{
	u32 i;

	for (i = 0; hooks && i < hook_count; i++) {
		if (hooks[i].registered)
			unregister_ftrace_function(&hooks[i].ops);
		if (hooks[i].filtered)
			ftrace_free_filter(&hooks[i].ops);
	}
	attached = 0;
	/*
	 * A task preempted between a callback and the stub it was sent to
	 * still has to run the stub's code: RCU tasks waits for every task to
	 * pass a voluntary switch, which none does inside the stub.
	 */
	synchronize_rcu_tasks();
	synchronize_rcu();
	kfree(hooks);
	hooks = NULL;
	hook_count = 0;
}

u32 bulwark_hooks_attached(void)
{
	return attached;
}
