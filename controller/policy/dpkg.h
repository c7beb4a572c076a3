/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BULWARK_DPKG_H
#define BULWARK_DPKG_H

#include <stdbool.h>
#include <stdint.h>

#define DPKG_ADMIN_DIR "/var/lib/dpkg"
#define DPKG_INFO_DIR DPKG_ADMIN_DIR "/info"

/* dpkg's database: $DPKG_ADMINDIR, as for dpkg itself, else /var/lib/dpkg. */
const char *dpkg_admin_dir(void);
/* Its file lists: dpkg_admin_dir()/info, or $BULWARK_DPKG_INFO_DIR (for tests). */
const char *dpkg_info_dir(void);

/* One file an installed package holds, as dpkg recorded it. */
struct dpkg_file {
	const char *path; /* where it is: the listed name, or where a diversion put it */
	const char *package;
	bool has_md5; /* the package's md5sums, or its conffiles in dpkg's status, name it */
	bool conffile; /* a conffile: its md5 is from the status file */
	uint8_t md5[16];
};

/*
 * Calls @fn for every regular file (not a symlink) that an installed
 * package's file list names, with the md5 dpkg recorded for it. Returns 0,
 * or -errno when the database cannot be read.
 */
int dpkg_for_each_installed_file(void (*fn)(const struct dpkg_file *file, void *arg), void *arg);

/*
 * Calls @fn for every name an installed package's file list holds (where a
 * diversion put it), unchecked: directories and symlinks too, no md5, no
 * look at the disk. Cheap: for telling which package installed a path.
 */
int dpkg_for_each_listed_file(void (*fn)(const struct dpkg_file *file, void *arg), void *arg);

/* The same for one package (NAME or NAME:ARCH); -ENOENT when it is not installed. */
int dpkg_for_each_file_of(const char *package, void (*fn)(const struct dpkg_file *file, void *arg),
			  void *arg);

#endif /* BULWARK_DPKG_H */
