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
static atomic64_t sb_lost = ATOMIC64_INIT(0);

u64 bulwark_sb_clock_now(void)
{
	return atomic64_read(&sb_clock);
}

bool bulwark_sb_unchanged_since(dev_t dev, u64 at)
{
	void *entry;

	if (atomic64_read(&sb_lost) > at)
		return false;
	entry = xa_load(&sb_changes, dev);
	return !entry || xa_to_value(entry) <= at;
}

static void sb_stamp(dev_t dev)
{
	s64 at = atomic64_inc_return(&sb_clock);
	s64 old;

	if (!xa_is_err(xa_store(&sb_changes, dev, xa_mk_value(at), GFP_ATOMIC)))
		return;
	/* No room: every identity admitted up to this tick stops holding (lost only grows). */
	old = atomic64_read(&sb_lost);
	while (old < at && !atomic64_try_cmpxchg(&sb_lost, &old, at))
		;
}

int bulwark_sb_on_set_mnt_opts(struct pt_regs *regs)
{
	struct super_block *sb = (void *)hook_arg(regs, 0);

	/* A new one has no mount yet; one found again (a second mount of a device) keeps it. */
	if (list_empty(&sb->s_mounts))
		sb_stamp(sb->s_dev);
	return 0;
}

void bulwark_sb_changes_exit(void)
{
	xa_destroy(&sb_changes);
}
