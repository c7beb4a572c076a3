// SPDX-License-Identifier: GPL-2.0
/* Expanding `trust: dpkg` and `trust: snapshot`; see trust.h. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dpkg.h"
#include "file_digest.h"
#include "trust.h"
#include "xalloc.h"

/* Reports a file the trust source does not take, and keeps why for explain. */
__attribute__((format(printf, 5, 6))) static void reject(struct policy_set *set,
							 struct policy *policy, size_t template,
							 const char *path, const char *fmt, ...)
{
	struct trust_reject *r;
	char *why;
	va_list args;
	int len;

	va_start(args, fmt);
	len = vasprintf(&why, fmt, args);
	va_end(args);
	if (len < 0)
		abort();
	diag_warning(set->diag, &policy->path_rules[template].loc, "%s", why);
	policy->trust_rejects =
		xrealloc(policy->trust_rejects,
			 (policy->trust_reject_count + 1) * sizeof(*policy->trust_rejects));
	r = &policy->trust_rejects[policy->trust_reject_count++];
	r->path = xstrdup(path);
	r->why = why;
}

/* --- trust: dpkg -------------------------------------------------------------- */

struct candidate {
	char *path; /* resolved: the name the kernel sees */
	char *package;
	bool has_md5, conffile;
	uint8_t md5[MD5_SIZE];
};

struct candidates {
	struct candidate *items;
	size_t count, alloc;
};

static void add_candidate(const struct dpkg_file *file, void *arg)
{
	struct candidates *c = arg;
	char resolved[PATH_MAX];
	struct stat st;

	if (lstat(file->path, &st) || !policy_runnable_file(file->path, st.st_mode))
		return;
	/* dpkg lists /bin/bash; on a merged-/usr system the kernel sees /usr/bin/bash. */
	if (!realpath(file->path, resolved))
		return;
	if (c->count == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 1024;
		c->items = xrealloc(c->items, c->alloc * sizeof(*c->items));
	}
	c->items[c->count].path = xstrdup(resolved);
	c->items[c->count].package = xstrdup(file->package);
	c->items[c->count].has_md5 = file->has_md5;
	c->items[c->count].conffile = file->conffile;
	memcpy(c->items[c->count].md5, file->md5, MD5_SIZE);
	c->count++;
}

static int candidate_cmp(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	int order = strcmp(x->path, y->path);

	/* For one path, the entries with an md5 first. */
	return order ? order : (int)y->has_md5 - (int)x->has_md5;
}

struct dpkg_counts {
	size_t trusted, unrecorded, mismatched, unreadable;
};

/* Candidates [@first, @end) share one path: trusted if its content matches one of them. */
static void verify_path(struct policy_set *set, struct policy *policy, size_t template,
			const struct candidate *first, const struct candidate *end,
			struct dpkg_counts *counts)
{
	const struct candidate *c, *match = NULL;
	struct file_digests digests;
	struct path_rule *rule;
	int fd, ret;

	fd = open(first->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	ret = fd < 0 ? -errno : file_digests_fd(fd, &digests);
	if (fd >= 0)
		close(fd);
	if (ret == -EREMOTE) {
		reject(set, policy, template, first->path,
		       "%s (package %s): not trusted: it is on FUSE, whose server can change its "
		       "content at any time",
		       first->path, first->package);
		counts->unreadable++;
		return;
	}
	if (ret) {
		reject(set, policy, template, first->path,
		       "%s (package %s): not trusted: cannot read it: %s", first->path,
		       first->package, strerror(-ret));
		counts->unreadable++;
		return;
	}
	/* Entries with an md5 sort first: when one exists, the content must match one. */
	for (c = first; c < end && !match; c++)
		if (c->has_md5 ? !memcmp(c->md5, digests.md5, MD5_SIZE) : !first->has_md5)
			match = c;
	if (!match) {
		reject(set, policy, template, first->path,
		       "%s (package %s): not trusted: its content differs from the md5sum dpkg "
		       "recorded%s",
		       first->path, first->package,
		       first->conffile ? " (a conffile, changed here since it was installed)" : "");
		counts->mismatched++;
		return;
	}
	if (!match->has_md5)
		counts->unrecorded++;
	rule = policy_add_expanded_rule(policy, template, first->path);
	rule->origin = xstrdup(match->package);
	rule->has_digest = true;
	memcpy(rule->digest, digests.sha256, sizeof(rule->digest));
	counts->trusted++;
}

static void free_candidates(struct candidates *c)
{
	for (size_t i = 0; i < c->count; i++) {
		free(c->items[i].path);
		free(c->items[i].package);
	}
	free(c->items);
}

/*
 * What dpkg installed, as exact rules: for `trust: dpkg` (@package NULL) or
 * a `package:` entry. Allow rules are checked and pinned (verify_path());
 * a deny entry takes every file as it is.
 */
static void expand_dpkg(struct policy_set *set, struct policy *policy, size_t template,
			const char *package)
{
	/* A copy: expanding grows the array the entry is in. */
	const struct source_loc loc_copy = policy->path_rules[template].loc, *loc = &loc_copy;
	bool deny = policy->path_rules[template].action == BULWARK_DENY;
	struct candidates c = {0};
	struct dpkg_counts counts = {0};
	size_t i, j;
	int ret;

	ret = package ? dpkg_for_each_file_of(package, add_candidate, &c)
		      : dpkg_for_each_installed_file(add_candidate, &c);
	if (ret == -ENOENT && package)
		diag_error(set->diag, loc,
			   "unknown package '%s': not installed here (no list in %s)", package,
			   dpkg_info_dir());
	else if (ret && package)
		diag_error(set->diag, loc, "cannot read the file list of package '%s': %s", package,
			   strerror(-ret));
	else if (ret)
		diag_error(set->diag, loc, "trust: dpkg: cannot read dpkg's database in %s: %s",
			   dpkg_admin_dir(), strerror(-ret));
	if (c.count)
		qsort(c.items, c.count, sizeof(*c.items), candidate_cmp);
	for (i = 0; !ret && i < c.count; i = j) {
		for (j = i + 1; j < c.count && !strcmp(c.items[j].path, c.items[i].path); j++)
			;
		if (strlen(c.items[i].path) >= BULWARK_PATH_MAX) {
			reject(set, policy, template, c.items[i].path,
			       "%s: not trusted: its name is longer than %u bytes", c.items[i].path,
			       BULWARK_PATH_MAX - 1);
			continue;
		}
		if (deny) {
			policy_add_expanded_rule(policy, template, c.items[i].path);
			counts.trusted++;
			continue;
		}
		verify_path(set, policy, template, &c.items[i], &c.items[j], &counts);
	}
	if (counts.unrecorded)
		diag_warning(set->diag, loc,
			     "%zu file%s without an md5sum in dpkg's records (packages that ship "
			     "none): trusted as found",
			     counts.unrecorded, counts.unrecorded == 1 ? "" : "s");
	if (!ret && !c.count && package)
		diag_error(set->diag, loc,
			   "package '%s' installed no executable file or shared library", package);
	else if (!ret && !counts.trusted && !package)
		diag_error(set->diag, loc,
			   "trust: dpkg: no package in %s installed a file that can run",
			   dpkg_admin_dir());
	free_candidates(&c);
	file_digests_save();
}

void trust_expand_package(struct policy_set *set, struct policy *policy, size_t index)
{
	char *package = xstrdup(policy->path_rules[index].package);

	expand_dpkg(set, policy, index, package);
	free(package);
}

/* --- trust: snapshot ---------------------------------------------------------- */

static struct {
	struct policy *policy;
	size_t template;
	size_t files;
	bool too_long;
} walk;

static int add_snapshot_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	if (strlen(path) >= BULWARK_PATH_MAX) {
		walk.too_long = true;
		return 0;
	}
	policy_add_expanded_rule(walk.policy, walk.template, path);
	walk.files++;
	return 0;
}

static void expand_snapshot(struct policy_set *set, struct policy *policy, size_t template)
{
	const struct path_rule *t = &policy->path_rules[template];
	char resolved[PATH_MAX];
	struct stat st;
	int ret;

	if (!realpath(t->trust_dir, resolved) || stat(resolved, &st)) {
		diag_error(set->diag, &t->loc, "trust: snapshot of '%s': %s", t->written,
			   strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		diag_error(set->diag, &t->loc, "trust: snapshot of '%s': not a directory",
			   t->written);
		return;
	}
	if (strcmp(resolved, t->trust_dir)) {
		policy_report_symlinked(set, &t->loc, t->trust_dir, resolved);
		return;
	}
	walk.policy = policy;
	walk.template = template;
	walk.files = 0;
	walk.too_long = false;
	/* Physical: a symlink under DIR is not followed, the file it names is not taken. */
	ret = nftw(resolved, add_snapshot_file, 64, FTW_PHYS);
	t = &policy->path_rules[template]; /* the walk grew the array */
	if (ret)
		diag_error(set->diag, &t->loc, "trust: snapshot of '%s': %s", t->written,
			   strerror(errno));
	else if (walk.too_long)
		diag_warning(set->diag, &t->loc,
			     "trust: snapshot of '%s': files with names longer than %u bytes "
			     "are not trusted",
			     t->written, BULWARK_PATH_MAX - 1);
}

void trust_expand(struct policy_set *set, struct policy *policy)
{
	size_t i, count = policy->path_rule_count;

	for (i = 0; i < count; i++) {
		/* Copied: expanding grows the array under it. */
		uint8_t trust = policy->path_rules[i].trust;

		if (trust == TRUST_DPKG)
			expand_dpkg(set, policy, i, NULL);
		else if (trust == TRUST_SNAPSHOT)
			expand_snapshot(set, policy, i);
	}
}
