// SPDX-License-Identifier: GPL-2.0
/* Which policy governs a cgroup, decided once per generation; see governing.h. */

#include <linux/atomic.h>
#include <linux/kernfs.h>
#include <linux/limits.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "core/selector.h"
#include "governing.h"

struct bulwark_governed {
	struct xarray answers; /* cgroup id -> xa_mk_value(1 + policy, or 0) */
	atomic_t count;
};

struct bulwark_governed *bulwark_governed_alloc(void)
{
	struct bulwark_governed *g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);

	if (g)
		xa_init(&g->answers);
	return g;
}

void bulwark_governed_free(struct bulwark_governed *g)
{
	if (!g)
		return;
	xa_destroy(&g->answers);
	kfree(g);
}

/* 1 + the first policy of a selected image whose selector names @path[0..len), or 0. */
static u32 selected_policy(const struct bulwark_generation *gen, const char *path, size_t len)
{
	u32 s, p;

	for (s = 0; s < gen->source_count; s++) {
		const struct bulwark_source *src = &gen->sources[s];
		const struct bulwark_image *image = &src->image;

		if (!src->selected)
			continue;
		for (p = 0; p < image->policy_count; p++) {
			const struct bulwark_image_policy *pol = &image->policies[p];

			if (pol->selector_kind == BULWARK_SELECTOR_HOST)
				continue;
			if (bulwark_selector_names(pol->selector_kind,
						   bulwark_image_string(image, pol->selector), path,
						   len))
				return src->base + p + 1;
		}
	}
	return 0;
}

/*
 * Nearest first: @cgroup, then each parent, while @len shrinks to the
 * parent's path (a component never holds '/'). @path is NULL when no image
 * is selected; then only bindings count.
 */
static u32 decide(const struct bulwark_generation *gen, struct cgroup *cgroup, const char *path,
		  size_t len)
{
	u32 found;

	for (; cgroup; cgroup = cgroup_parent(cgroup)) {
		found = bulwark_generation_bound(gen, cgroup_id(cgroup));
		if (found)
			return found;
		if (path && len > 1) {
			found = selected_policy(gen, path, len);
			if (found)
				return found;
			while (len > 0 && path[--len] != '/')
				;
			if (!len)
				len = 1; /* the root, "/" */
		}
	}
	return gen->host_policy;
}

/* Decides @cgroup by its path; false when the path cannot be had (no memory, too long). */
static bool decide_by_path(const struct bulwark_generation *gen, struct cgroup *cgroup, u32 *found)
{
	char *path = kmalloc(PATH_MAX, GFP_NOWAIT | __GFP_NOWARN);
	int len;

	if (!path)
		return false;
	len = cgroup_path(cgroup, path, PATH_MAX);
	if (len <= 0 || len >= PATH_MAX || path[0] != '/') {
		kfree(path);
		return false;
	}
	*found = decide(gen, cgroup, path, len);
	kfree(path);
	return true;
}

u32 bulwark_governing(const struct bulwark_generation *gen, struct cgroup *cgroup)
{
	struct bulwark_governed *g = gen->governed;
	unsigned long id = cgroup_id(cgroup);
	void *kept = xa_load(&g->answers, id);
	u32 found;

	if (kept)
		return xa_to_value(kept);
	if (!gen->selectors) {
		/* Bindings only: a few binary searches, not worth keeping. */
		return decide(gen, cgroup, NULL, 0);
	}
	if (!decide_by_path(gen, cgroup, &found)) {
		/*
		 * Undecidable by selector: the bindings and the host policy
		 * decide, and this is tried again next time.
		 */
		return decide(gen, cgroup, NULL, 0);
	}
	if (atomic_inc_return(&g->count) <= BULWARK_GOVERNED_MAX &&
	    xa_err(xa_store(&g->answers, id, xa_mk_value(found), GFP_NOWAIT | __GFP_NOWARN)))
		atomic_dec(&g->count);
	return found;
}
