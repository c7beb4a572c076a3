// SPDX-License-Identifier: GPL-2.0
/* cgroup v2 for the controller; see cgroups.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroups.h"
#include "selector.h"

struct bind_walk {
	const struct bulwark_image *image;
	struct binding *bindings;
	size_t count, alloc;
};

int cgroup_id(const char *dir, __u64 *id)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return -errno;
	*id = st.st_ino;
	return 0;
}

static int bind_one(struct bind_walk *w, const char *path, __u64 id)
{
	const struct bulwark_image *image = w->image;
	size_t len = strlen(path);
	__u32 i;

	for (i = 0; i < image->policy_count; i++) {
		const struct bulwark_image_policy *p = &image->policies[i];

		if (p->selector_kind == BULWARK_SELECTOR_HOST)
			continue;
		if (selector_match_depth(p->selector_kind, bulwark_image_string(image, p->selector),
					 path) != (int)len)
			continue;
		if (w->count == w->alloc) {
			struct binding *grown;

			w->alloc = w->alloc ? 2 * w->alloc : 16;
			grown = realloc(w->bindings, w->alloc * sizeof(*grown));
			if (!grown)
				return -ENOMEM;
			w->bindings = grown;
		}
		w->bindings[w->count].cgroup = id;
		w->bindings[w->count].policy = i;
		w->count++;
		return 0;
	}
	return 0;
}

/* @rel is the cgroup path ("" for the root), @depth its level. */
static int walk(struct bind_walk *w, const char *rel, int depth)
{
	char dir[PATH_MAX], child[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int ret = 0;

	snprintf(dir, sizeof(dir), "%s%s", CGROUP_ROOT, rel);
	if (depth > 0) {
		if (stat(dir, &st) < 0)
			return 0; /* gone meanwhile */
		ret = bind_one(w, rel, st.st_ino);
		if (ret)
			return ret;
	}
	/* The programs look at BW_CGROUP_DEPTH_MAX levels. */
	if (depth + 1 >= BW_CGROUP_DEPTH_MAX)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while (!ret && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", rel, de->d_name) >=
		    sizeof(child))
			continue;
		ret = walk(w, child, depth + 1);
	}
	closedir(d);
	return ret;
}

int cgroups_bind(const struct bulwark_image *image, struct binding **out, size_t *count)
{
	struct bind_walk w = {.image = image};
	bool any = false;
	__u32 i;
	int ret;

	for (i = 0; i < image->policy_count; i++)
		any |= image->policies[i].selector_kind != BULWARK_SELECTOR_HOST;
	*out = NULL;
	*count = 0;
	if (!any)
		return 0;
	ret = walk(&w, "", 0);
	if (ret) {
		free(w.bindings);
		return ret;
	}
	*out = w.bindings;
	*count = w.count;
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int ret = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int cgroup_exec_create(char *dir, size_t size)
{
	if (mkdir(CGROUP_EXEC_PARENT, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(dir, size, "%s/exec-%d", CGROUP_EXEC_PARENT, (int)getpid());
	if (mkdir(dir, 0755) < 0)
		return -errno;
	return 0;
}

int cgroup_enter(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	return write_file(path, "0");
}

/* Whether @dir (or a descendant) still has processes. */
static bool populated(const char *dir)
{
	char path[PATH_MAX], line[128];
	bool yes = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "populated 1\n"))
			yes = true;
	fclose(f);
	return yes;
}

/* Removes @dir's descendants, deepest first, then @dir. */
static int remove_tree(const char *dir)
{
	char child[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d) {
		while ((de = readdir(d))) {
			if (de->d_type != DT_DIR || de->d_name[0] == '.')
				continue;
			snprintf(child, sizeof(child), "%s/%s", dir, de->d_name);
			remove_tree(child);
		}
		closedir(d);
	}
	return rmdir(dir) < 0 && errno != ENOENT ? -errno : 0;
}

int cgroup_exec_empty(const char *dir)
{
	struct timespec pause = {0, 10000000};
	char path[PATH_MAX];
	int i;

	if (!populated(dir))
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
	write_file(path, "1");
	for (i = 0; i < 500 && populated(dir); i++)
		nanosleep(&pause, NULL);
	return populated(dir) ? -EBUSY : 0;
}

int cgroup_exec_remove(const char *dir)
{
	return remove_tree(dir);
}
