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

const char *dpkg_admin_dir(void)
{
	const char *dir = getenv("DPKG_ADMINDIR");

	return dir && *dir ? dir : DPKG_ADMIN_DIR;
}

const char *dpkg_info_dir(void)
{
	static char dir[PATH_MAX];
	const char *info = getenv("BULWARK_DPKG_INFO_DIR"); /* for tests */

	if (info && *info)
		return info;
	snprintf(dir, sizeof(dir), "%s/info", dpkg_admin_dir());
	return dir;
}

/* dpkg names the list "pkg.list", or "pkg:ARCH.list" for multi-arch packages. */
static int find_list(const char *package, char *path, size_t size)
{
	const char *info = dpkg_info_dir();
	glob_t found;
	struct stat st;

	snprintf(path, size, "%s/%s.list", info, package);
	if (!stat(path, &st))
		return 0;
	if (errno != ENOENT)
		return -errno;
	if (strchr(package, ':'))
		return -ENOENT;
	snprintf(path, size, "%s/%s:*.list", info, package);
	if (glob(path, 0, NULL, &found))
		return -ENOENT;
	snprintf(path, size, "%s", found.gl_pathv[0]);
	globfree(&found);
	return 0;
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
	char *package; /* a conffile's: its package (several may name one path) */
	uint8_t md5[16];
};

static void add_md5_entry(struct md5_entry **items, size_t *count, size_t *alloc,
			  struct md5_entry e)
{
	if (*count == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 64;
		*items = realloc(*items, *alloc * sizeof(**items));
		if (!*items)
			abort();
	}
	(*items)[(*count)++] = e;
}

static void free_md5_entries(struct md5_entry *items, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(items[i].path);
		free(items[i].package);
	}
	free(items);
}

static int md5_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct md5_entry *)a)->path, ((const struct md5_entry *)b)->path);
}

/* Conffiles: by path, then package. */
static int conffile_cmp(const void *a, const void *b)
{
	const struct md5_entry *x = a, *y = b;
	int order = strcmp(x->path, y->path);

	return order ? order : strcmp(x->package, y->package);
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 32 hex digits at @hex into @md5; false for anything else ("newconffile"). */
static bool parse_md5(const char *hex, uint8_t md5[16])
{
	for (int i = 0; i < 16; i++) {
		int hi = hex_nibble(hex[2 * i]), lo = hi < 0 ? -1 : hex_nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		md5[i] = hi << 4 | lo;
	}
	return true;
}

/* PKG.md5sums: "<32 hex digits>  <path without its leading '/'>" per line. */
static int read_md5sums(const char *list_path, struct md5_entry **out, size_t *count)
{
	size_t len = strlen(list_path), size = 0, alloc = 0;
	char path[PATH_MAX], *line = NULL;
	struct md5_entry e = {0};
	ssize_t n;
	FILE *f;

	*out = NULL;
	*count = 0;
	snprintf(path, sizeof(path), "%.*s.md5sums", (int)(len - 5), list_path);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno; /* a package that ships none */
	while ((n = getline(&line, &size, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n < 35 || line[32] != ' ' || line[33] != ' ' || !parse_md5(line, e.md5))
			continue;
		if (asprintf(&e.path, "/%s", line + 34) < 0)
			abort();
		add_md5_entry(out, count, &alloc, e);
	}
	free(line);
	fclose(f);
	if (*count)
		qsort(*out, *count, sizeof(**out), md5_entry_cmp);
	return 0;
}

/*
 * The packages whose files are on disk, from dpkg's status file: every
 * package but those removed and not purged (config-files), whose file list
 * dpkg keeps for their conffiles. Names as the lists are named: NAME and
 * NAME:ARCH both. Tests that name an info directory
 * (BULWARK_DPKG_INFO_DIR) have no status file: then every list counts.
 */
struct installed {
	char **names;
	size_t count;
	bool all;
	/* Their conffiles' md5s, which the status file keeps (not PKG.md5sums). */
	struct md5_entry *conffiles;
	size_t conffile_count;
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_name(struct installed *in, size_t *alloc, const char *name)
{
	if (in->count == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 256;
		in->names = realloc(in->names, *alloc * sizeof(*in->names));
		if (!in->names)
			abort();
	}
	in->names[in->count] = strdup(name);
	if (!in->names[in->count++])
		abort();
}

static void free_installed(struct installed *in)
{
	for (size_t i = 0; i < in->count; i++)
		free(in->names[i]);
	free(in->names);
	free_md5_entries(in->conffiles, in->conffile_count);
}

/*
 * A "Conffiles:" line of a stanza: " PATH MD5[ obsolete][ remove-on-upgrade]",
 * read from its end as dpkg does (a path may hold spaces).
 */
static void add_conffile(struct md5_entry **items, size_t *count, size_t *alloc, const char *line)
{
	static const char *const flags[] = {" obsolete", " remove-on-upgrade"};
	size_t len = strlen(line), flen;
	struct md5_entry e = {0};
	bool stripped = true;

	while (stripped) {
		stripped = false;
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
			flen = strlen(flags[i]);
			if (len > flen && !memcmp(line + len - flen, flags[i], flen)) {
				len -= flen;
				stripped = true;
			}
		}
	}
	/* " /P MD5": the md5 is the last 32 bytes, after a space, after a path. */
	if (len < 1 + 1 + 1 + 32 || line[1] != '/' || line[len - 33] != ' ' ||
	    !parse_md5(line + len - 32, e.md5))
		return; /* "newconffile": not yet installed, nothing recorded */
	e.path = strndup(line + 1, len - 33 - 1);
	if (!e.path)
		abort();
	add_md5_entry(items, count, alloc, e);
}

static int read_installed(struct installed *in)
{
	char path[PATH_MAX], name[256] = "", arch[64] = "", *line = NULL;
	struct md5_entry *stanza_conffiles = NULL;
	size_t size = 0, alloc = 0, conffile_alloc = 0, stanza_count = 0, stanza_alloc = 0;
	bool on_disk = false, in_conffiles = false;
	ssize_t n;
	FILE *f;

	memset(in, 0, sizeof(*in));
	if (getenv("BULWARK_DPKG_INFO_DIR") && *getenv("BULWARK_DPKG_INFO_DIR")) {
		in->all = true;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/status", dpkg_admin_dir());
	f = fopen(path, "re");
	if (!f)
		return -errno;
	for (;;) {
		n = getline(&line, &size, f);
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n <= 0 || !line[0]) { /* the end of a stanza */
			if (name[0] && on_disk) {
				char both[512];

				add_name(in, &alloc, name);
				snprintf(both, sizeof(both), "%s:%s", name, arch);
				if (arch[0])
					add_name(in, &alloc, both);
			}
			for (size_t i = 0; i < stanza_count; i++) {
				if (name[0] && on_disk) {
					stanza_conffiles[i].package = strdup(name);
					if (!stanza_conffiles[i].package)
						abort();
					add_md5_entry(&in->conffiles, &in->conffile_count,
						      &conffile_alloc, stanza_conffiles[i]);
				} else {
					free(stanza_conffiles[i].path);
				}
			}
			stanza_count = 0;
			name[0] = arch[0] = '\0';
			on_disk = in_conffiles = false;
			if (n < 0)
				break;
			continue;
		}
		if (line[0] == ' ') {
			if (in_conffiles)
				add_conffile(&stanza_conffiles, &stanza_count, &stanza_alloc, line);
			continue;
		}
		in_conffiles = !strcmp(line, "Conffiles:");
		if (!strncmp(line, "Package: ", 9))
			snprintf(name, sizeof(name), "%s", line + 9);
		else if (!strncmp(line, "Architecture: ", 14))
			snprintf(arch, sizeof(arch), "%s", line + 14);
		else if (!strncmp(line, "Status: ", 8))
			on_disk = !strstr(line, " config-files") && !strstr(line, " not-installed");
	}
	free(stanza_conffiles);
	free(line);
	fclose(f);
	if (in->count)
		qsort(in->names, in->count, sizeof(*in->names), name_cmp);
	if (in->conffile_count)
		qsort(in->conffiles, in->conffile_count, sizeof(*in->conffiles), conffile_cmp);
	return 0;
}

/* With @listed, every name the list holds, unchecked: no md5sums, no lstat. */
static int for_each_file_of(const char *list_path, const char *package,
			    const struct diversions *diversions, const struct installed *installed,
			    bool listed, void (*fn)(const struct dpkg_file *file, void *arg),
			    void *arg)
{
	struct md5_entry *sums, key, *found;
	size_t nsums, size = 0;
	char *line = NULL;
	struct stat st;
	ssize_t len;
	FILE *list;
	int ret;

	list = fopen(list_path, "re");
	if (!list)
		return errno == ENOENT ? 0 : -errno; /* removed while we read */
	sums = NULL;
	nsums = 0;
	ret = listed ? 0 : read_md5sums(list_path, &sums, &nsums);
	if (ret) {
		fclose(list);
		return ret;
	}
	while ((len = getline(&line, &size, list)) > 0) {
		struct dpkg_file file = {.package = package};

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] != '/')
			continue;
		file.path = diverted(diversions, line, package);
		if (listed) {
			fn(&file, arg);
			continue;
		}
		if (lstat(file.path, &st) || !S_ISREG(st.st_mode))
			continue;
		key.path = line;
		found = nsums ? bsearch(&key, sums, nsums, sizeof(*sums), md5_entry_cmp) : NULL;
		if (!found && installed->conffile_count) {
			key.package = (char *)package;
			found = bsearch(&key, installed->conffiles, installed->conffile_count,
					sizeof(*installed->conffiles), conffile_cmp);
			file.conffile = found != NULL;
		}
		if (found) {
			file.has_md5 = true;
			memcpy(file.md5, found->md5, sizeof(file.md5));
		}
		fn(&file, arg);
	}
	free_md5_entries(sums, nsums);
	free(line);
	fclose(list);
	return 0;
}

/* Whether the list file at @list_path is of a package whose files are on disk. */
static bool is_installed(const struct installed *in, const char *list_path)
{
	const char *base = strrchr(list_path, '/') + 1;
	char name[PATH_MAX], *key = name;

	if (in->all)
		return true;
	snprintf(name, sizeof(name), "%.*s", (int)(strlen(base) - 5), base);
	return in->count && bsearch(&key, in->names, in->count, sizeof(*in->names), name_cmp);
}

/* The package a list file is of, as diversions name it (without :ARCH). */
static void package_of(const char *list_path, char *package, size_t size)
{
	const char *base = strrchr(list_path, '/') + 1;
	char *colon;

	snprintf(package, size, "%.*s", (int)(strlen(base) - 5), base);
	colon = strchr(package, ':');
	if (colon)
		*colon = '\0';
}

int dpkg_for_each_file_of(const char *package, void (*fn)(const struct dpkg_file *file, void *arg),
			  void *arg)
{
	struct diversions diversions = {0};
	char list[PATH_MAX], name[PATH_MAX];
	struct installed installed;
	int ret = find_list(package, list, sizeof(list));

	if (ret)
		return ret;
	ret = read_installed(&installed);
	if (ret)
		return ret;
	if (!is_installed(&installed, list)) {
		free_installed(&installed);
		return -ENOENT; /* removed: only its conffiles are left */
	}
	ret = read_diversions(dpkg_admin_dir(), &diversions);
	if (!ret) {
		package_of(list, name, sizeof(name));
		ret = for_each_file_of(list, name, &diversions, &installed, false, fn, arg);
	}
	free_diversions(&diversions);
	free_installed(&installed);
	return ret;
}

static int for_each_installed(bool listed, void (*fn)(const struct dpkg_file *file, void *arg),
			      void *arg)
{
	struct diversions diversions = {0};
	char pattern[PATH_MAX], package[PATH_MAX];
	struct installed installed;
	glob_t lists;
	size_t i;
	int ret;

	ret = read_installed(&installed);
	if (ret)
		return ret;
	ret = read_diversions(dpkg_admin_dir(), &diversions);
	if (ret) {
		free_installed(&installed);
		return ret;
	}
	snprintf(pattern, sizeof(pattern), "%s/*.list", dpkg_info_dir());
	ret = glob(pattern, 0, NULL, &lists);
	if (ret == GLOB_NOMATCH) {
		char status[PATH_MAX];
		struct stat st;

		free_diversions(&diversions);
		free_installed(&installed);
		snprintf(status, sizeof(status), "%s/status", dpkg_admin_dir());
		return stat(status, &st) ? -errno : 0; /* a database with nothing installed */
	}
	if (ret) {
		free_diversions(&diversions);
		free_installed(&installed);
		return -EIO;
	}
	for (i = 0; i < lists.gl_pathc && !ret; i++) {
		if (!is_installed(&installed, lists.gl_pathv[i]))
			continue;
		package_of(lists.gl_pathv[i], package, sizeof(package));
		ret = for_each_file_of(lists.gl_pathv[i], package, &diversions, &installed, listed,
				       fn, arg);
	}
	globfree(&lists);
	free_diversions(&diversions);
	free_installed(&installed);
	return ret;
}

int dpkg_for_each_installed_file(void (*fn)(const struct dpkg_file *file, void *arg), void *arg)
{
	return for_each_installed(false, fn, arg);
}

int dpkg_for_each_listed_file(void (*fn)(const struct dpkg_file *file, void *arg), void *arg)
{
	return for_each_installed(true, fn, arg);
}
