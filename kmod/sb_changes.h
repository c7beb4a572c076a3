/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When each device number last changed hands. A device number, above all
 * an anonymous one (tmpfs, overlayfs, FUSE, btrfs), goes to a new super
 * block once the old one is gone, and a FUSE server chooses its inodes'
 * numbers and ctimes: an identity admitted for a file of the old super
 * block would be taken by a file of the new one. Each new super block,
 * when get_tree has set it up and before any mount shows it
 * (security_sb_set_mnt_opts), stamps its device with the next tick of a
 * clock; an identity admitted at tick T holds only while its device's
 * stamp is at most T, and T is not before the hook was attached. A super
 * block whose stamp cannot be recorded is refused (its mount fails). The
 * BPF backend keeps the same record (bw_sb_changes, lsm-bpf/bulwark_maps.h).
 */
#ifndef BULWARK_SB_CHANGES_H
#define BULWARK_SB_CHANGES_H

#include <linux/ptrace.h>
#include <linux/types.h>

/* The clock's last tick: what is recorded now of a file on a live super block. */
u64 bulwark_sb_clock_now(void);

/* Whether what was recorded at tick @at of a file on @dev is still of its super block. */
bool bulwark_sb_unchanged_since(dev_t dev, u64 at);

/*
 * The hook on security_sb_set_mnt_opts(sb, ...): refuses only a new super
 * block whose stamp there is no memory to record.
 */
int bulwark_sb_on_set_mnt_opts(struct pt_regs *regs);

/* Called once the hook is attached: identities admitted before hold nothing. */
void bulwark_sb_watching(void);

void bulwark_sb_changes_exit(void);

#endif /* BULWARK_SB_CHANGES_H */
