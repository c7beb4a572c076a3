// SPDX-License-Identifier: GPL-2.0
/*
 * bulwark.ko: exec, file and network allow-lists enforced in the kernel, for
 * kernels where the BPF LSM backend is not usable. The controller talks to
 * it over generic netlink (netlink.c); the hooks are in hooks.c.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/bulwark.h>

#include "decision.h"
#include "events.h"
#include "generation.h"
#include "hooks.h"
#include "netlink.h"
#include "sb_changes.h"
#include "version.h"

static int __init bulwark_init(void)
{
	int ret;

	ret = decision_init();
	if (ret < 0)
		return ret;
	ret = bulwark_genl_init();
	if (ret < 0) {
		pr_err("cannot register the generic netlink family: %d\n", ret);
		decision_exit();
		return ret;
	}
	/* With no generation loaded the hooks decide nothing. */
	ret = bulwark_hooks_attach();
	if (ret < 0) {
		pr_err("cannot hook the kernel: %d\n", ret);
		bulwark_events_stop();
		bulwark_genl_uninit();
		bulwark_events_exit();
		bulwark_generation_exit();
		bulwark_sb_changes_exit();
		decision_exit();
		return ret;
	}
	bulwark_sb_watching();
	pr_info("version %s loaded, %u hooks\n", BULWARK_VERSION, bulwark_hooks_attached());
	return 0;
}

static void __exit bulwark_exit(void)
{
	/* Hooks first: once they are gone and drained, nothing reads a generation. */
	bulwark_hooks_detach();
	/* Only hooks queue events: the announcement work goes before its family. */
	bulwark_events_stop();
	/* Waits for running commands (a flush) to end. */
	bulwark_genl_uninit();
	bulwark_events_exit();
	bulwark_generation_exit();
	bulwark_sb_changes_exit();
	decision_exit();
	pr_info("unloaded\n");
}

module_init(bulwark_init);
module_exit(bulwark_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bulwark: kernel-level workload protection");
MODULE_AUTHOR("The bulwark authors");
MODULE_VERSION(BULWARK_VERSION);
MODULE_ALIAS_GENL_FAMILY(BULWARK_GENL_NAME);
