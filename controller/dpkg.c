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

const char *dpkg_admin_dir(void)
{
	const char *dir = getenv("DPKG_ADMINDIR");

	return dir && *dir ? dir : DPKG_ADMIN_DIR;
}

/* A diversion (dpkg-divert): @from is at @to, except for @by's own file. */
struct diversion {
	char *from, *to, *by; /* by is ":" for a local diversion */
};

struct diversions {
	struct diversion *items;
	size_t count;
};

static char *read_line(FILE *f, char **line, size_t *size)
{
	ssize_t len = getline(line, size, f);

	if (len <= 0)
		return NULL;
	if ((*line)[len - 1] == '\n')
		(*line)[len - 1] = '\0';
	return strdup(*line);
}

static void free_diversions(struct diversions *d)
{
	for (size_t i = 0; i < d->count; i++) {
		free(d->items[i].from);
		free(d->items[i].to);
		free(d->items[i].by);
	}
	free(d->items);
}

/* The diversions file: three lines each, from, to and the diverting package. */
static int read_diversions(const char *admin_dir, struct diversions *d)
{
	char path[PATH_MAX], *line = NULL;
	size_t size = 0, alloc = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/diversions", admin_dir);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	for (;;) {
		struct diversion v = {0};

		v.from = read_line(f, &line, &size);
		v.to = v.from ? read_line(f, &line, &size) : NULL;
		v.by = v.to ? read_line(f, &line, &size) : NULL;
		if (!v.by) {
			free(v.from);
			free(v.to);
			break;
		}
		if (d->count == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			d->items = realloc(d->items, alloc * sizeof(*d->items));
			if (!d->items)
				abort();
		}
		d->items[d->count++] = v;
	}
	free(line);
	fclose(f);
	return 0;
}

static const char *diverted(const struct diversions *d, const char *path, const char *package)
{
	for (size_t i = 0; i < d->count; i++)
		if (!strcmp(d->items[i].from, path))
			return strcmp(d->items[i].by, package) ? d->items[i].to : path;
	return path;
}

struct md5_entry {
	char *path; /* as dpkg lists it: with the leading '/' */
	uint8_t md5[16];
};

static int md5_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct md5_entry *)a)->path, ((const struct md5_entry *)b)->path);
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* PKG.md5sums: "<32 hex digits>  <path without its leading '/'>" per line. */
static void read_md5sums(const char *list_path, struct md5_entry **out, size_t *count)
{
	size_t len = strlen(list_path), size = 0, alloc = 0;
	char path[PATH_MAX], *line = NULL;
	ssize_t n;
	FILE *f;

	*out = NULL;
	*count = 0;
	snprintf(path, sizeof(path), "%.*s.md5sums", (int)(len - 5), list_path);
	f = fopen(path, "re");
	if (!f)
		return;
	while ((n = getline(&line, &size, f)) > 0) {
		struct md5_entry e;
		int i, hi, lo;

		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n < 35 || line[32] != ' ' || line[33] != ' ')
			continue;
		for (i = 0; i < 16; i++) {
			hi = hex_nibble(line[2 * i]);
			lo = hex_nibble(line[2 * i + 1]);
			if (hi < 0 || lo < 0)
				break;
			e.md5[i] = hi << 4 | lo;
		}
		if (i < 16)
			continue;
		if (asprintf(&e.path, "/%s", line + 34) < 0)
			abort();
		if (*count == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			*out = realloc(*out, alloc * sizeof(**out));
			if (!*out)
				abort();
		}
		(*out)[(*count)++] = e;
	}
	free(line);
	fclose(f);
	if (*count)
		qsort(*out, *count, sizeof(**out), md5_entry_cmp);
}

static int for_each_file_of(const char *list_path, const char *package,
			    const struct diversions *diversions,
			    void (*fn)(const struct dpkg_file *file, void *arg), void *arg)
{
	struct md5_entry *sums, key, *found;
	size_t nsums, size = 0;
	char *line = NULL;
	struct stat st;
	ssize_t len;
	FILE *list;

	list = fopen(list_path, "re");
	if (!list)
		return errno == ENOENT ? 0 : -errno; /* removed while we read */
	read_md5sums(list_path, &sums, &nsums);
	while ((len = getline(&line, &size, list)) > 0) {
		struct dpkg_file file = {.package = package};

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] != '/')
			continue;
		file.path = diverted(diversions, line, package);
		if (lstat(file.path, &st) || !S_ISREG(st.st_mode))
			continue;
		key.path = line;
		found = nsums ? bsearch(&key, sums, nsums, sizeof(*sums), md5_entry_cmp) : NULL;
		if (found) {
			file.has_md5 = true;
			memcpy(file.md5, found->md5, sizeof(file.md5));
		}
		fn(&file, arg);
	}
	for (size_t i = 0; i < nsums; i++)
		free(sums[i].path);
	free(sums);
	free(line);
	fclose(list);
	return 0;
}

int dpkg_for_each_installed_file(const char *admin_dir,
				 void (*fn)(const struct dpkg_file *file, void *arg), void *arg)
{
	struct diversions diversions = {0};
	char pattern[PATH_MAX], package[PATH_MAX];
	glob_t lists;
	size_t i;
	int ret;

	ret = read_diversions(admin_dir, &diversions);
	if (ret)
		return ret;
	snprintf(pattern, sizeof(pattern), "%s/info/*.list", admin_dir);
	ret = glob(pattern, 0, NULL, &lists);
	if (ret == GLOB_NOMATCH) {
		char status[PATH_MAX];
		struct stat st;

		free_diversions(&diversions);
		snprintf(status, sizeof(status), "%s/status", admin_dir);
		return stat(status, &st) ? -errno : 0; /* a database with nothing installed */
	}
	if (ret) {
		free_diversions(&diversions);
		return -EIO;
	}
	for (i = 0; i < lists.gl_pathc && !ret; i++) {
		const char *base = strrchr(lists.gl_pathv[i], '/') + 1;
		size_t len = strlen(base) - 5;
		char *colon;

		snprintf(package, sizeof(package), "%.*s", (int)len, base);
		colon = strchr(package, ':'); /* diversions name packages without :ARCH */
		if (colon)
			*colon = '\0';
		ret = for_each_file_of(lists.gl_pathv[i], package, &diversions, fn, arg);
	}
	globfree(&lists);
	free_diversions(&diversions);
	return ret;
}
