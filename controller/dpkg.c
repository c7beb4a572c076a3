// SPDX-License-Identifier: GPL-2.0
/* What a Debian package installed, from dpkg's database. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dpkg.h"

/* dpkg names the list "pkg.list", or "pkg:arch.list" for multi-arch packages. */
static FILE *open_list(const char *info_dir, const char *package)
{
	static const char *const arches[] = {"", ":amd64", ":all", ":i386", ":arm64", NULL};
	char path[PATH_MAX];
	FILE *list;
	size_t i;

	for (i = 0; arches[i]; i++) {
		if (strchr(package, ':') && i > 0)
			break;
		snprintf(path, sizeof(path), "%s/%s%s.list", info_dir, package, arches[i]);
		list = fopen(path, "re");
		if (list || errno != ENOENT)
			return list;
	}
	errno = ENOENT;
	return NULL;
}

int dpkg_for_each_file(const char *info_dir, const char *package,
		       void (*fn)(const char *path, void *arg), void *arg)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	struct stat st;
	FILE *list;

	list = open_list(info_dir, package);
	if (!list)
		return -errno;
	while ((len = getline(&line, &size, list)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		/* Directories and symlinks are listed too: a rule names files. */
		if (line[0] == '/' && !lstat(line, &st) && S_ISREG(st.st_mode))
			fn(line, arg);
	}
	free(line);
	fclose(list);
	return 0;
}
