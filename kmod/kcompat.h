/* SPDX-License-Identifier: GPL-2.0 */
/* What differs between the kernel lines bulwark.ko builds for (6.1 and 6.12). */
#ifndef BULWARK_KCOMPAT_H
#define BULWARK_KCOMPAT_H

#include <linux/fs.h>

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

#endif /* BULWARK_KCOMPAT_H */
