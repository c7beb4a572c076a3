// SPDX-License-Identifier: GPL-2.0
/*
 * Generations in the kernel module: the images as they are, the cgroups
 * bound to their policies, and the files exact exec rules name, admitted
 * by identity as in the BPF backend (deny rules always; allow rules when
 * the file opens and, if pinned, its content matches a pin). The module
 * stages all of it and swaps it in at once (kmod_load in genl.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/run.h"
#include "kmod_generation.h"
#include "file_digest.h"

struct identities {
	struct kmod_load_identity *items;
	size_t count, slots;
	size_t held, may_hold; /* descriptors kept open, and how many may be */
	size_t by_path; /* admitted by path: past may_hold */
};

static int push(struct identities *ids, const struct kmod_load_identity *id)
{
	if (ids->count == ids->slots) {
		size_t n = ids->slots ? ids->slots * 2 : 64;
		void *bigger = realloc(ids->items, n * sizeof(*ids->items));

		if (!bigger)
			return -ENOMEM;
		ids->items = bigger;
		ids->slots = n;
	}
	ids->items[ids->count++] = *id;
	return 0;
}

/* The run of exact exec rules [@run, @rend): which rule admits the file, if any. */
static int admit_run(const struct bulwark_image *image, const struct bulwark_image_path_rule *run,
		     const struct bulwark_image_path_rule *rend, __u32 base, struct identities *ids,
		     unsigned int *not_admitted)
{
	const struct bulwark_image_path_rule *chosen = bulwark_run_admits(run, rend);
	const char *path = bulwark_image_string(image, run->path);
	struct kmod_load_identity id = {.path = path, .policy = base + run->policy};
	__u8 digest[32];
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE))
		return -errno; /* not a missing file: too many at once */
	if (fd < 0 || fstat(fd, &st) < 0) {
		/* Nothing to admit; the exact rule denies whatever appears there. */
		if (!chosen || chosen->action != BULWARK_DENY)
			(*not_admitted)++;
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (!chosen && bulwark_run_pinned(run, rend) && !file_digest_sha256(fd, digest))
		chosen = bulwark_run_pin(image, run, rend, digest);
	if (!chosen) {
		close(fd);
		(*not_admitted)++;
		return 0;
	}
	/*
	 * Kept open until the module has it: the file admitted is the one
	 * read, not one renamed over the path since (or given its inode's
	 * number). Past what may be open at once, the module finds the path.
	 */
	if (ids->held < ids->may_hold) {
		id.fd = fd;
		ids->held++;
	} else {
		close(fd);
		id.fd = -1;
		ids->by_path++;
	}
	id.action = chosen->action;
	id.deny = chosen->action == BULWARK_DENY;
	id.rule = chosen->rule_id;
	id.ctime_sec = st.st_ctim.tv_sec;
	id.ctime_nsec = st.st_ctim.tv_nsec;
	if (push(ids, &id)) {
		if (id.fd >= 0)
			close(id.fd);
		return -ENOMEM;
	}
	return 0;
}

/*
 * How many admitted files may stay open until the load: the soft limit
 * raised to the hard one, less room for everything else.
 */
static size_t open_files_budget(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r))
		return 0;
	if (r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &r))
			getrlimit(RLIMIT_NOFILE, &r);
	}
	return r.rlim_cur > 256 ? r.rlim_cur - 256 : 0;
}

static int collect_identities(const struct gen_source *s, struct identities *ids,
			      unsigned int *not_admitted)
{
	const struct bulwark_image *image = s->image;
	const struct bulwark_image_path_rule *r = image->path_rules;
	const struct bulwark_image_path_rule *end = r + image->path_rule_count;
	int ret;

	while (r < end) {
		const struct bulwark_image_path_rule *run = r;

		r = bulwark_run_end(run, end);
		if (run->class != BULWARK_CLASS_EXEC || run->match != BULWARK_MATCH_EXACT)
			continue;
		ret = admit_run(image, run, r, s->policy_base, ids, not_admitted);
		if (ret)
			return ret;
	}
	return 0;
}

int kmod_generation_install(struct kmod *k, const struct gen_source *sources, size_t count,
			    struct gen_result *result)
{
	struct kmod_load_image *images = calloc(count ?: 1, sizeof(*images));
	struct kmod_load_binding *bindings = NULL;
	struct identities ids = {0};
	struct kmod_load load = {0};
	struct kmod_load_result done;
	size_t s, i, nbind = 0, b = 0;
	int ret = 0;

	memset(result, 0, sizeof(*result));
	ids.may_hold = open_files_budget();
	for (s = 0; s < count; s++)
		nbind += sources[s].binding_count;
	bindings = calloc(nbind ?: 1, sizeof(*bindings));
	if (!images || !bindings) {
		ret = -ENOMEM;
		goto out;
	}
	for (s = 0; s < count; s++) {
		const struct gen_source *src = &sources[s];

		images[s].data = src->image->base;
		images[s].size = src->image->size;
		images[s].base = src->policy_base;
		images[s].selected = src->selected;
		for (i = 0; i < src->binding_count; i++) {
			bindings[b].cgroup = src->bindings[i].cgroup;
			bindings[b].policy = src->policy_base + src->bindings[i].policy;
			b++;
		}
		if (src->host_policy >= 0 && !load.host_policy)
			load.host_policy = src->policy_base + src->host_policy + 1;
		ret = collect_identities(src, &ids, &result->not_admitted);
		if (ret)
			goto out;
		result->policies += src->image->policy_count;
		result->path_entries += src->image->path_rule_count;
		result->net_entries += src->image->net_rule_count;
	}
	load.images = images;
	load.image_count = count;
	load.bindings = bindings;
	load.binding_count = b;
	if (ids.by_path)
		fprintf(stderr,
			"bulwark: warning: %zu files named by exact exec rules are admitted by "
			"path, "
			"not as read: more than may be open at once (RLIMIT_NOFILE)\n",
			ids.by_path);
	load.identities = ids.items;
	load.identity_count = ids.count;
	ret = kmod_load(k, &load, &done, result->why, sizeof(result->why));
	if (!ret) {
		result->generation = done.generation;
		result->identities = done.identities;
		result->not_admitted += done.not_admitted;
	}
out:
	if (ret && !result->why[0])
		snprintf(result->why, sizeof(result->why), "%s%s", strerror(-ret),
			 ret == -EMFILE || ret == -ENFILE
				 ? ": more files named by exact exec rules than may be open at once"
				 : "");
	for (i = 0; i < ids.count; i++)
		if (ids.items[i].fd >= 0)
			close(ids.items[i].fd);
	free(images);
	free(bindings);
	free(ids.items);
	return ret;
}
