/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BULWARK_DPKG_H
#define BULWARK_DPKG_H

#define DPKG_INFO_DIR "/var/lib/dpkg/info"

/*
 * Calls @fn for every regular file Debian package @package installed, as
 * listed in dpkg's database under @info_dir. Returns 0, -ENOENT when the
 * package is not installed, or -errno.
 */
int dpkg_for_each_file(const char *info_dir, const char *package,
		       void (*fn)(const char *path, void *arg), void *arg);

#endif /* BULWARK_DPKG_H */
