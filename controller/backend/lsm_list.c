// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "lsm_list.h"

bool lsm_list_contains(const char *list, const char *lsm)
{
	size_t len = strlen(lsm);
	const char *p = list;

	if (!len)
		return false;
	while (*p) {
		size_t item = strcspn(p, ",\n");

		if (item == len && !strncmp(p, lsm, len))
			return true;
		p += item;
		if (*p)
			p++;
	}
	return false;
}

int lsm_list_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, ret = 0;

	if (size < 2)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
out:
	close(fd);
	return ret;
}
