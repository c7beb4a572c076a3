// SPDX-License-Identifier: GPL-2.0
/* Device numbers changing hands; see sb_changes.h. */

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/xarray.h>

#include "hooks.h"
#include "sb_changes.h"

/* Device number -> xa_mk_value(tick of its last new super block). */
static DEFINE_XARRAY(sb_changes);
static atomic64_t sb_clock = ATOMIC64_INIT(0);
/* The tick the hook began stamping at: nothing recorded before it holds. */
static u64 sb_watched_from = U64_MAX;

u64 bulwark_sb_clock_now(void)
{
	return atomic64_read(&sb_clock);
}

bool bulwark_sb_unchanged_since(dev_t dev, u64 at)
{
	void *entry;

	if (at < READ_ONCE(sb_watched_from))
		return false;
	entry = xa_load(&sb_changes, dev);
	return !entry || xa_to_value(entry) <= at;
}

void bulwark_sb_watching(void)
{
	WRITE_ONCE(sb_watched_from, atomic64_inc_return(&sb_clock));
}

int bulwark_sb_on_set_mnt_opts(struct pt_regs *regs)
{
	struct super_block *sb = (void *)hook_arg(regs, 0);
	u64 at;

	/* A new one has no mount yet; one found again (a second mount of a device) keeps it. */
	if (!list_empty(&sb->s_mounts))
		return 0;
	at = atomic64_inc_return(&sb_clock);
	/* No room to record it: a file system that could pass for another is not mounted. */
	if (xa_is_err(xa_store(&sb_changes, sb->s_dev, xa_mk_value(at), GFP_ATOMIC)))
		return -ENOMEM;
	return 0;
}

void bulwark_sb_changes_exit(void)
{
	xa_destroy(&sb_changes);
}
