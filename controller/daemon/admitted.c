// SPDX-License-Identifier: GPL-2.0
/*
 * The files an image admits by identity, and what happened to them: the
 * identity (device, inode, ctime) of every path a sha256-pinned exact exec
 * rule names (`trust: dpkg` and `package:` files, `sha256:` entries). A
 * reload whose image is unchanged installs it again when an identity moved
 * (dpkg reinstalled a file, a trusted file was replaced), so the new files
 * are admitted or denied by the rules, not left denied by an identity that
 * is gone. After an install, each file that was replaced since the last one
 * gives one journal event: re-admitted (its content matches its rule) or
 * refused (it does not, or no rule takes it any more). The list is kept in
 * BULWARKD_ADMITTED_FILE with the generation it was installed as, so a
 * bulwarkd started again (after a stop, a crash) that adopts that
 * generation reports what was replaced while none ran.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "core/image.h"
#include "core/run.h"
#include "daemon.h"
#include "file_digest.h"
#include "state.h"
#include "xalloc.h"

static int file_cmp(const void *a, const void *b)
{
	const struct admitted_file *x = a, *y = b;
	int order = strcmp(x->policy, y->policy);

	return order ? order : strcmp(x->path, y->path);
}

static void identity_of(const char *path, int64_t state[4])
{
	struct stat st;

	memset(state, 0, 4 * sizeof(*state));
	if (stat(path, &st)) {
		state[0] = -errno;
		return;
	}
	state[0] = st.st_dev;
	state[1] = st.st_ino;
	state[2] = st.st_ctim.tv_sec;
	state[3] = st.st_ctim.tv_nsec;
}

int daemon_admitted_files(const struct image_buffer *image, struct admitted_files *out)
{
	struct bulwark_image decoded;
	const char *why;
	size_t alloc = 0;
	__u32 i, end;

	memset(out, 0, sizeof(*out));
	if (bulwark_image_decode(&decoded, image->data, image->size, &why))
		return -EINVAL;
	for (i = 0; i < decoded.path_rule_count; i = end) {
		const struct bulwark_image_path_rule *run = &decoded.path_rules[i];
		const struct bulwark_image_path_rule *rend =
			bulwark_run_end(run, decoded.path_rules + decoded.path_rule_count);
		bool pinned = bulwark_run_pinned(run, rend);
		struct admitted_file *f;

		end = rend - decoded.path_rules;
		/*
		 * Only pinned files: a pin admits nothing but its content, so a
		 * reinstall is admitted and a replacement with other content is
		 * not. An unpinned exact rule (a path, a `package:` deny file)
		 * admits whatever is there at apply: a reload must not take a
		 * file replaced by hand, so only an apply admits it again.
		 */
		if (run->class != BULWARK_CLASS_EXEC || run->match != BULWARK_MATCH_EXACT ||
		    !pinned || run->policy >= decoded.policy_count)
			continue;
		if (out->count == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			out->items = xrealloc(out->items, alloc * sizeof(*out->items));
		}
		f = &out->items[out->count++];
		memset(f, 0, sizeof(*f)); /* taken by a rule: not refused */
		f->path = xstrdup(bulwark_image_string(&decoded, run->path));
		f->policy =
			xstrdup(bulwark_image_string(&decoded, decoded.policies[run->policy].name));
		f->first = i;
		f->end = end;
		identity_of(f->path, f->state);
	}
	if (out->count)
		qsort(out->items, out->count, sizeof(*out->items), file_cmp);
	out->known = true;
	return 0;
}

/* The next entry at or after *@i that a rule takes (not a refused one kept for its event). */
static const struct admitted_file *next_taken(const struct admitted_files *f, size_t *i)
{
	while (*i < f->count && f->items[*i].refused)
		(*i)++;
	return *i < f->count ? &f->items[(*i)++] : NULL;
}

bool daemon_admitted_same(const struct admitted_files *a, const struct admitted_files *b)
{
	const struct admitted_file *x, *y;
	size_t i = 0, j = 0;

	if (!a->known || !b->known)
		return false;
	for (;;) {
		x = next_taken(a, &i);
		y = next_taken(b, &j);
		if (!x || !y)
			return !x && !y;
		if (file_cmp(x, y) || memcmp(x->state, y->state, sizeof(x->state)))
			return false;
	}
}

void daemon_admitted_free(struct admitted_files *files)
{
	for (size_t i = 0; i < files->count; i++) {
		free(files->items[i].path);
		free(files->items[i].policy);
	}
	free(files->items);
	memset(files, 0, sizeof(*files));
}

/* Whether @image still has the policy @name (a policy removed refuses nothing). */
static bool has_policy(const struct bulwark_image *image, const char *name)
{
	for (__u32 i = 0; i < image->policy_count; i++)
		if (!strcmp(bulwark_image_string(image, image->policies[i].name), name))
			return true;
	return false;
}

enum admission { ADMISSION_NONE, ADMISSION_ADMITTED, ADMISSION_REFUSED };

/* What the backends' admission made of @f's file now: the same choice (core/run.h). */
static enum admission decide(const struct bulwark_image *image, const struct admitted_file *f)
{
	const struct bulwark_image_path_rule *run = image->path_rules + f->first;
	const struct bulwark_image_path_rule *rend = image->path_rules + f->end;
	const struct bulwark_image_path_rule *chosen = bulwark_run_admits(run, rend);
	__u8 digest[32];
	int fd;

	if (chosen)
		/* Denied by its rule (nothing to admit), or admitted whatever it holds. */
		return chosen->action == BULWARK_DENY ? ADMISSION_NONE : ADMISSION_ADMITTED;
	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return ADMISSION_NONE; /* removed: nothing is there to run */
	if (!file_digest_sha256(fd, digest))
		chosen = bulwark_run_pin(image, run, rend, digest);
	close(fd);
	return chosen ? ADMISSION_ADMITTED : ADMISSION_REFUSED;
}

static void send_event(struct daemon *d, const struct admitted_file *f, bool admitted,
		       const char *why)
{
	char message[8192];

	snprintf(message, sizeof(message), "%s %s (policy %s): %s (generation %llu)",
		 admitted ? "re-admitted" : "refused", f->path, f->policy, why,
		 (unsigned long long)d->generation);
	if (admitted)
		d->readmitted++;
	else
		d->refused++;
	sd_journal_send("MESSAGE=%s", message, "MESSAGE_ID=" BULWARKD_ADMISSION_MESSAGE_ID,
			"PRIORITY=%d", admitted ? LOG_NOTICE : LOG_WARNING, "BULWARK_OP=admit",
			"BULWARK_VERDICT=%s", admitted ? "admitted" : "refused",
			"BULWARK_POLICY=%s", f->policy, "BULWARK_OBJECT=%s", f->path,
			"BULWARK_GENERATION=%llu", (unsigned long long)d->generation, NULL);
}

/* Keeps @b in @now as refused: a rule that takes the file later re-admits it, with its event. */
static void keep_refused(struct admitted_files *now, size_t *alloc, const struct admitted_file *b)
{
	struct admitted_file *f;

	if (now->count == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 64;
		now->items = xrealloc(now->items, *alloc * sizeof(*now->items));
	}
	f = &now->items[now->count++];
	*f = *b;
	f->path = xstrdup(b->path);
	f->policy = xstrdup(b->policy);
	f->first = f->end = 0;
	f->refused = true;
}

void daemon_report_admissions(struct daemon *d, const struct admitted_files *before,
			      struct admitted_files *now)
{
	size_t i = 0, j = 0, taken = now->count, alloc = now->count;
	struct bulwark_image image;
	const char *why;

	if (!before->known || bulwark_image_decode(&image, d->image.data, d->image.size, &why))
		return; /* the first install: nothing was admitted before it */
	while (i < before->count || j < taken) {
		const struct admitted_file *b = i < before->count ? &before->items[i] : NULL;
		const struct admitted_file *n = j < taken ? &now->items[j] : NULL;
		int order = !b ? 1 : !n ? -1 : file_cmp(b, n);

		if (order > 0) { /* a rule the policies did not have */
			j++;
			continue;
		}
		i++;
		if (order < 0) { /* no rule takes this file now */
			int64_t state[4];

			if (!has_policy(&image, b->policy))
				continue; /* a policy removed refuses nothing */
			if (b->refused) {
				keep_refused(now, &alloc, b);
				continue;
			}
			identity_of(b->path, state);
			if (state[0] >= 0 && memcmp(state, b->state, sizeof(state))) {
				send_event(d, b, false,
					   "it was replaced, and no rule admits it now (a trust "
					   "source no longer takes it: see the warnings above)");
				keep_refused(now, &alloc, b);
			}
			continue;
		}
		j++;
		if (n->state[0] < 0 ||
		    (!b->refused && !memcmp(n->state, b->state, sizeof(n->state))))
			continue;
		switch (decide(&image, n)) {
		case ADMISSION_ADMITTED:
			send_event(d, n, true,
				   b->refused
					   ? "a rule takes it again, and it matches the rule"
					   : "it was replaced, and the new file matches its rule");
			break;
		case ADMISSION_REFUSED:
			if (!b->refused)
				send_event(d, n, false,
					   "it was replaced, and its sha256 matches no pin of its "
					   "rule: denied");
			break;
		case ADMISSION_NONE:
			break;
		}
	}
	if (now->count > taken)
		qsort(now->items, now->count, sizeof(*now->items), file_cmp);
}

/*
 * One line per file: "generation G" first, then "P L R S0 S1 S2 S3 POLICYPATH"
 * with P and L the lengths of the policy name and of the path that follow
 * the identity, so any byte of a path survives, and R 1 for a file kept as
 * refused. Replaced whole by rename.
 */
void daemon_admitted_save(const struct admitted_files *files, uint64_t generation)
{
	char path[4096], next[4096];
	FILE *f;

	state_path(path, sizeof(path), BULWARKD_ADMITTED_FILE);
	state_path(next, sizeof(next), BULWARKD_ADMITTED_FILE ".next");
	f = fopen(next, "we");
	if (!f)
		goto fail;
	fprintf(f, "generation %llu\n", (unsigned long long)generation);
	for (size_t i = 0; i < files->count; i++) {
		const struct admitted_file *a = &files->items[i];

		fprintf(f, "%zu %zu %d %lld %lld %lld %lld %s%s\n", strlen(a->policy),
			strlen(a->path), a->refused, (long long)a->state[0], (long long)a->state[1],
			(long long)a->state[2], (long long)a->state[3], a->policy, a->path);
	}
	if (fclose(f) || rename(next, path))
		goto fail;
	return;
fail:
	fprintf(stderr,
		SD_WARNING "cannot write %s: %s (a restart reports no file replaced "
			   "before it)\n",
		path, strerror(errno));
	unlink(next);
}

int daemon_admitted_load(struct admitted_files *out, uint64_t generation)
{
	unsigned long long saved;
	char path[4096];
	size_t alloc = 0;
	int ret = -EINVAL;
	FILE *f;

	memset(out, 0, sizeof(*out));
	state_path(path, sizeof(path), BULWARKD_ADMITTED_FILE);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (fscanf(f, "generation %llu\n", &saved) != 1 || saved != generation)
		goto out; /* another generation's files: not what runs */
	for (;;) {
		struct admitted_file a = {0};
		long long st[4];
		size_t plen, len;
		int c, refused;

		c = fscanf(f, "%zu %zu %d %lld %lld %lld %lld ", &plen, &len, &refused, &st[0],
			   &st[1], &st[2], &st[3]);
		if (c == EOF)
			break;
		if (c != 7 || plen > 4096 || len > 4096)
			goto out;
		a.refused = refused == 1;
		a.policy = xcalloc(1, plen + 1);
		a.path = xcalloc(1, len + 1);
		if (fread(a.policy, 1, plen, f) != plen || fread(a.path, 1, len, f) != len ||
		    fgetc(f) != '\n') {
			free(a.policy);
			free(a.path);
			goto out;
		}
		for (int i = 0; i < 4; i++)
			a.state[i] = st[i];
		if (out->count == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			out->items = xrealloc(out->items, alloc * sizeof(*out->items));
		}
		out->items[out->count++] = a;
	}
	/* Written in order; sorted again so a hand-edited file cannot break the merge. */
	if (out->count)
		qsort(out->items, out->count, sizeof(*out->items), file_cmp);
	out->known = true;
	ret = 0;
out:
	fclose(f);
	if (ret)
		daemon_admitted_free(out);
	return ret;
}
