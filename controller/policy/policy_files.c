// SPDX-License-Identifier: GPL-2.0
/* Reading policy sources: files, standard input, and directories of fragments. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"

#define POLICY_FILE_MAX (64u << 20)

static int read_all(int fd, unsigned char **data, size_t *size)
{
	size_t alloc = 65536, len = 0;
	unsigned char *buf = malloc(alloc);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == alloc) {
			unsigned char *bigger;

			if (alloc > POLICY_FILE_MAX) {
				free(buf);
				return -EFBIG;
			}
			bigger = realloc(buf, alloc * 2);
			if (!bigger) {
				free(buf);
				return -ENOMEM;
			}
			buf = bigger;
			alloc *= 2;
		}
		n = read(fd, buf + len, alloc - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return -errno;
		}
		if (n == 0)
			break;
		len += n;
	}
	/* The buffer holds one byte past the limit: "exactly 64 MiB" is not "more". */
	if (len > POLICY_FILE_MAX) {
		free(buf);
		return -EFBIG;
	}
	*data = buf;
	*size = len;
	return 0;
}

void policy_parse_file(struct policy_set *set, const char *file)
{
	unsigned char *data = NULL;
	size_t size = 0;
	int fd, ret;

	fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : dup(STDIN_FILENO);
	ret = fd < 0 ? -errno : read_all(fd, &data, &size);
	if (fd >= 0)
		close(fd);
	if (ret < 0) {
		struct source_loc loc = {file, 0, 0};

		diag_error(set->diag, &loc, "cannot read: %s",
			   ret == -EFBIG ? "larger than 64 MiB" : strerror(-ret));
		return;
	}
	policy_parse_buffer(set, strcmp(file, "-") ? file : "<stdin>", data, size);
	free(data);
}

static int is_policy_file(const struct dirent *entry)
{
	size_t len = strlen(entry->d_name);

	if (entry->d_name[0] == '.')
		return 0;
	return (len > 5 && !strcmp(entry->d_name + len - 5, ".yaml")) ||
	       (len > 4 && !strcmp(entry->d_name + len - 4, ".yml"));
}

int policy_dir_count(const char *dir)
{
	struct dirent **entries;
	int count, i;

	count = scandir(dir, &entries, is_policy_file, versionsort);
	if (count < 0)
		return -errno;
	for (i = 0; i < count; i++)
		free(entries[i]);
	free(entries);
	return count;
}

/* Fragments merge in version order: 9-base.yaml before 10-site.yaml. */
static void parse_directory(struct policy_set *set, const char *dir)
{
	struct dirent **entries;
	char path[PATH_MAX];
	int count, i;

	count = scandir(dir, &entries, is_policy_file, versionsort);
	if (count < 0) {
		struct source_loc loc = {dir, 0, 0};

		diag_error(set->diag, &loc, "cannot read directory: %s", strerror(errno));
		return;
	}
	if (count == 0) {
		struct source_loc loc = {dir, 0, 0};

		diag_error(set->diag, &loc, "no *.yaml or *.yml files in this directory");
	}
	for (i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
			 entries[i]->d_name);
		policy_parse_file(set, path);
		free(entries[i]);
	}
	free(entries);
}

void policy_parse_paths(struct policy_set *set, int count, char *const paths[])
{
	struct stat st;
	int i;

	for (i = 0; i < count; i++) {
		if (strcmp(paths[i], "-") && !stat(paths[i], &st) && S_ISDIR(st.st_mode))
			parse_directory(set, paths[i]);
		else
			policy_parse_file(set, paths[i]);
	}
}

unsigned int policy_load(struct policy_set *set, int count, char *const paths[])
{
	policy_parse_paths(set, count, paths);
	policy_check(set);
	return set->diag->errors;
}
