/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BULWARK_DPKG_H
#define BULWARK_DPKG_H

#include <stdbool.h>
#include <stdint.h>

#define DPKG_ADMIN_DIR "/var/lib/dpkg"
#define DPKG_INFO_DIR DPKG_ADMIN_DIR "/info"

/* dpkg's database: $DPKG_ADMINDIR, as for dpkg itself, else /var/lib/dpkg. */
const char *dpkg_admin_dir(void);

/* One file an installed package holds, as dpkg recorded it. */
struct dpkg_file {
	const char *path; /* where it is: the listed name, or where a diversion put it */
	const char *package;
	bool has_md5; /* the package's md5sums names it */
	uint8_t md5[16];
};

/*
 * Calls @fn for every regular file (not a symlink) that an installed
 * package's file list names under @admin_dir, with the md5 dpkg recorded
 * for it. Returns 0, or -errno when the database cannot be read.
 */
int dpkg_for_each_installed_file(const char *admin_dir,
				 void (*fn)(const struct dpkg_file *file, void *arg), void *arg);

/*
 * Calls @fn for every regular file Debian package @package installed, as
 * listed in dpkg's database under @info_dir. Returns 0, -ENOENT when the
 * package is not installed, or -errno.
 */
int dpkg_for_each_file(const char *info_dir, const char *package,
		       void (*fn)(const char *path, void *arg), void *arg);

#endif /* BULWARK_DPKG_H */
