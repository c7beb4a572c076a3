/* SPDX-License-Identifier: GPL-2.0 */
/* What differs between the kernel lines bulwark.ko builds for (6.1 and 6.12). */
#ifndef BULWARK_KCOMPAT_H
#define BULWARK_KCOMPAT_H

#include <linux/fs.h>
#include <linux/mm_types.h>
#include <linux/rcupdate.h>

#ifndef FMODE_BACKING
/*
 * Before backing files (6.8) a file is what the user opened, except that
 * an overlayfs mapping holds the real file: not the user's path (README,
 * "The kernel module backend").
 */
static inline const struct path *file_user_path(struct file *file)
{
	return &file->f_path;
}
#endif

/* The mm's executable with a reference taken, or NULL; under RCU. */
static inline struct file *exe_file_get(struct mm_struct *mm)
{
#ifdef FMODE_BACKING
	/* 6.7 on: files are SLAB_TYPESAFE_BY_RCU; get_file_rcu() rechecks. */
	return get_file_rcu(&mm->exe_file);
#else
	struct file *exe = rcu_dereference(mm->exe_file);

	return exe && get_file_rcu(exe) ? exe : NULL;
#endif
}

#endif /* BULWARK_KCOMPAT_H */
