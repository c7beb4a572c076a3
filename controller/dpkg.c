// SPDX-License-Identifier: GPL-2.0
/* What a Debian package installed, from dpkg's database. */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dpkg.h"

/* dpkg names the list "pkg.list", or "pkg:ARCH.list" for multi-arch packages. */
static FILE *open_list(const char *info_dir, const char *package)
{
	char path[PATH_MAX];
	glob_t found;
	FILE *list;

	snprintf(path, sizeof(path), "%s/%s.list", info_dir, package);
	list = fopen(path, "re");
	if (list || errno != ENOENT || strchr(package, ':'))
		return list;
	snprintf(path, sizeof(path), "%s/%s:*.list", info_dir, package);
	if (glob(path, 0, NULL, &found)) {
		errno = ENOENT;
		return NULL;
	}
	list = fopen(found.gl_pathv[0], "re");
	globfree(&found);
	return list;
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
