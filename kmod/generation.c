// SPDX-License-Identifier: GPL-2.0
/* Generations: staging, the RCU swap and lookups; see generation.h. */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bsearch.h>
#include <linux/cgroup.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <uapi/linux/bulwark.h>

#include "generation.h"
#include "governing.h"
#include "sb_changes.h"

static struct bulwark_generation __rcu *running;
static u64 last_number;

/* What is staged; all of it is the caller's (netlink.c holds its mutex). */
static struct {
	u32 token;
	bool open;
	struct bulwark_source *sources; /* by IMAGE_INDEX */
	u32 source_slots;
	struct bulwark_binding *bindings;
	u32 binding_count, binding_slots;
	struct bulwark_identity *identities;
	u32 identity_count, identity_slots;
	u64 bytes; /* of all images */
} stage;

const struct bulwark_generation *bulwark_generation_current(void)
{
	return rcu_dereference(running);
}

static int cmp_source(const void *a, const void *b)
{
	const struct bulwark_source *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

bool bulwark_generation_policy(const struct bulwark_generation *gen, u32 index,
			       struct bulwark_policy_ref *ref)
{
	u32 lo = 0, hi = gen->source_count;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct bulwark_source *s = &gen->sources[mid];

		if (index < s->base) {
			hi = mid;
		} else if (index >= s->base + s->image.policy_count) {
			lo = mid + 1;
		} else {
			ref->image = &s->image;
			ref->local = index - s->base;
			ref->policy = &s->image.policies[ref->local];
			ref->index = index;
			return true;
		}
	}
	return false;
}

static int cmp_binding(const void *a, const void *b)
{
	const struct bulwark_binding *x = a, *y = b;

	return x->cgroup < y->cgroup ? -1 : x->cgroup > y->cgroup;
}

u32 bulwark_generation_bound(const struct bulwark_generation *gen, u64 id)
{
	struct bulwark_binding key = {.cgroup = id}, *found;

	if (!gen->binding_count)
		return 0;
	found = bsearch(&key, gen->bindings, gen->binding_count, sizeof(key), cmp_binding);
	return found ? found->policy + 1 : 0;
}

bool bulwark_generation_find(const struct bulwark_generation *gen, struct cgroup *cgroup,
			     struct bulwark_policy_ref *ref)
{
	u32 found = bulwark_governing(gen, cgroup);

	return found && bulwark_generation_policy(gen, found - 1, ref);
}

static int cmp_identity(const void *a, const void *b)
{
	const struct bulwark_identity *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->policy < y->policy ? -1 : x->policy > y->policy;
}

const struct bulwark_identity *bulwark_generation_identity(const struct bulwark_generation *gen,
							   u32 dev, u64 ino, u32 policy)
{
	struct bulwark_identity key = {.dev = dev, .ino = ino, .policy = policy};

	if (!gen->identity_count)
		return NULL;
	return bsearch(&key, gen->identities, gen->identity_count, sizeof(key), cmp_identity);
}

static void free_sources(struct bulwark_source *sources, u32 count)
{
	u32 i;

	for (i = 0; sources && i < count; i++)
		kvfree(sources[i].data);
	kvfree(sources);
}

static void free_generation(struct bulwark_generation *gen)
{
	if (!gen)
		return;
	bulwark_governed_free(gen->governed);
	free_sources(gen->sources, gen->source_count);
	kvfree(gen->path_classes);
	kvfree(gen->bindings);
	kvfree(gen->identities);
	kfree(gen);
}

void bulwark_stage_discard(void)
{
	free_sources(stage.sources, stage.source_slots);
	kvfree(stage.bindings);
	kvfree(stage.identities);
	memset(&stage, 0, sizeof(stage));
}

int bulwark_stage_begin(u32 *token)
{
	u32 next = get_random_u32();

	bulwark_stage_discard();
	stage.token = next ?: 1;
	stage.open = true;
	*token = stage.token;
	return 0;
}

int bulwark_stage_check(u32 token, struct netlink_ext_ack *extack)
{
	if (!stage.open || token != stage.token) {
		NL_SET_ERR_MSG(extack, "not the current staging: another load began, or it failed");
		return -ESTALE;
	}
	return 0;
}

/* Grows @array of @slots elements of @size to hold @want; 0 or -errno. */
static int grow(void **array, u32 *slots, u32 want, size_t size, u32 max)
{
	u32 n = *slots ? *slots : 16;
	void *bigger;

	if (want <= *slots)
		return 0;
	if (want > max)
		return -E2BIG;
	while (n < want)
		n = n > max / 2 ? max : n * 2;
	bigger = kvcalloc(n, size, GFP_KERNEL_ACCOUNT);
	if (!bigger)
		return -ENOMEM;
	if (*array)
		memcpy(bigger, *array, (size_t)*slots * size);
	kvfree(*array);
	*array = bigger;
	*slots = n;
	return 0;
}

/* Whether any complete or started image other than @self has policies in [base, end). */
static bool overlaps(const struct bulwark_source *self, u32 base, u32 end)
{
	u32 i;

	for (i = 0; i < stage.source_slots; i++) {
		const struct bulwark_source *s = &stage.sources[i];

		if (s == self || !s->complete)
			continue;
		if (base < s->base + s->image.policy_count && s->base < end)
			return true;
	}
	return false;
}

int bulwark_stage_image(u32 index, u64 offset, const void *chunk, u32 len, u64 size, u32 base,
			bool first, bool selected, struct netlink_ext_ack *extack)
{
	struct bulwark_source *s;
	const char *why = NULL;
	int ret;

	if (index >= BULWARK_IMAGES_MAX) {
		NL_SET_ERR_MSG(extack, "IMAGE_INDEX is not below BULWARK_IMAGES_MAX");
		ret = -EINVAL;
		goto fail;
	}
	ret = grow((void **)&stage.sources, &stage.source_slots, index + 1, sizeof(*s),
		   BULWARK_IMAGES_MAX);
	if (ret)
		goto fail;
	s = &stage.sources[index];
	if (first) {
		if (s->used) {
			NL_SET_ERR_MSG(extack, "this image index was staged already");
			ret = -EINVAL;
			goto fail;
		}
		if (size > BULWARK_IMAGE_SIZE_MAX) {
			NL_SET_ERR_MSG(extack, "image larger than BULWARK_IMAGE_SIZE_MAX");
			ret = -E2BIG;
			goto fail;
		}
		if (size < sizeof(struct bulwark_image_header)) {
			NL_SET_ERR_MSG(extack, "image smaller than its header");
			ret = -EINVAL;
			goto fail;
		}
		if (stage.bytes + size > BULWARK_STAGE_BYTES_MAX) {
			NL_SET_ERR_MSG(extack, "the staged images together are past the limit");
			ret = -E2BIG;
			goto fail;
		}
		s->data = kvmalloc(size, GFP_KERNEL_ACCOUNT);
		if (!s->data) {
			ret = -ENOMEM;
			goto fail;
		}
		s->size = size;
		s->base = base;
		s->selected = selected;
		s->used = true;
		stage.bytes += size;
	} else if (!s->used || s->complete || offset != s->received) {
		NL_SET_ERR_MSG(extack,
			       "chunk out of order: OFFSET is not the bytes received so far");
		ret = -EINVAL;
		goto fail;
	}
	if (len > s->size - s->received) {
		NL_SET_ERR_MSG(extack, "chunk past IMAGE_SIZE");
		ret = -EINVAL;
		goto fail;
	}
	memcpy((u8 *)s->data + s->received, chunk, len);
	s->received += len;
	if (s->received < s->size)
		return 0;
	ret = bulwark_image_decode(&s->image, s->data, s->size, &why);
	if (ret) {
		/* The decoder's reasons are static strings, as extack wants. */
		if (extack)
			extack->_msg = why;
		goto fail;
	}
	if ((u64)s->base + s->image.policy_count > BULWARK_POLICY_INDEX_MAX) {
		NL_SET_ERR_MSG(extack, "POLICY_BASE plus the image's policies is past the limit");
		ret = -E2BIG;
		goto fail;
	}
	if (overlaps(s, s->base, s->base + s->image.policy_count)) {
		NL_SET_ERR_MSG(extack, "the image's policy indexes overlap another image's");
		ret = -EINVAL;
		goto fail;
	}
	s->complete = true;
	return 0;
fail:
	bulwark_stage_discard();
	return ret;
}

/* The complete staged image holding policy @index, or NULL. */
static struct bulwark_source *staged_policy(u32 index)
{
	u32 i;

	for (i = 0; i < stage.source_slots; i++) {
		struct bulwark_source *s = &stage.sources[i];

		if (s->complete && index >= s->base && index < s->base + s->image.policy_count)
			return s;
	}
	return NULL;
}

int bulwark_stage_bind(u64 cgroup, u32 policy, struct netlink_ext_ack *extack)
{
	int ret;

	if (!staged_policy(policy)) {
		NL_SET_ERR_MSG(extack, "POLICY is not a policy of a complete staged image");
		ret = -EINVAL;
		goto fail;
	}
	ret = grow((void **)&stage.bindings, &stage.binding_slots, stage.binding_count + 1,
		   sizeof(*stage.bindings), BULWARK_BINDINGS_MAX);
	if (ret) {
		NL_SET_ERR_MSG(extack, "too many bindings");
		goto fail;
	}
	stage.bindings[stage.binding_count].cgroup = cgroup;
	stage.bindings[stage.binding_count].policy = policy;
	stage.binding_count++;
	return 0;
fail:
	bulwark_stage_discard();
	return ret;
}

/*
 * The file staged: the one open on the sender's descriptor @fd (the
 * netlink command runs in the sender's context), else @path as the module
 * finds it. 0 or -errno, with @found held.
 */
static int staged_file(const char *path, int fd, struct path *found, struct netlink_ext_ack *extack)
{
	struct file *file;
	int ret;

	if (fd < 0) {
		ret = kern_path(path, LOOKUP_FOLLOW, found);
		if (ret) {
			NL_SET_ERR_MSG(extack, "cannot resolve PATH");
			/* Whatever stopped the lookup (ENOTDIR, ELOOP, ...), there is no such file.
			 */
			return ret == -ENOMEM ? ret : -ENOENT;
		}
		return 0;
	}
	file = fget(fd);
	if (!file) {
		NL_SET_ERR_MSG(extack, "FD is not an open descriptor");
		return -EBADF;
	}
	*found = file->f_path;
	path_get(found);
	fput(file);
	return 0;
}

int bulwark_stage_identity(u32 policy, const char *path, int fd, u8 action, u32 rule, s64 ctime_sec,
			   u32 ctime_nsec, struct netlink_ext_ack *extack)
{
	struct bulwark_identity *id;
	struct path found;
	struct inode *inode;
	struct timespec64 ctime;
	int ret;

	if (!staged_policy(policy) || action >= __BULWARK_ACTION_MAX) {
		NL_SET_ERR_MSG(extack, "POLICY is not a staged policy, or ACTION is unknown");
		bulwark_stage_discard();
		return -EINVAL;
	}
	ret = staged_file(path, fd, &found, extack);
	if (ret) {
		if (ret == -EBADF)
			bulwark_stage_discard();
		return ret;
	}
	inode = d_backing_inode(found.dentry);
	/*
	 * The ctime of the inode holding the data, as stat() reports it: an
	 * overlay's own inode may lag behind its real one.
	 */
	ctime = inode_get_ctime(d_real_inode(found.dentry));
	if (!S_ISREG(inode->i_mode) || ctime.tv_sec != ctime_sec || ctime.tv_nsec != ctime_nsec) {
		path_put(&found);
		NL_SET_ERR_MSG(extack, "the file changed since the controller read it");
		return -ESTALE;
	}
	ret = grow((void **)&stage.identities, &stage.identity_slots, stage.identity_count + 1,
		   sizeof(*stage.identities), BULWARK_IDENTITIES_MAX);
	if (ret) {
		path_put(&found);
		NL_SET_ERR_MSG(extack, "too many identities");
		bulwark_stage_discard();
		return ret;
	}
	id = &stage.identities[stage.identity_count++];
	id->dev = inode->i_sb->s_dev;
	id->ino = inode->i_ino;
	id->policy = policy;
	id->ctime_sec = ctime_sec;
	id->ctime_nsec = ctime_nsec;
	id->i_generation = d_real_inode(found.dentry)->i_generation;
	/* The path is held: its super block keeps the device until after this. */
	id->admitted = bulwark_sb_clock_now();
	id->rule = rule;
	id->action = action;
	path_put(&found);
	return 0;
}

/* Equal identities keep one: a deny over an allow, as the BPF backend does. */
static u32 dedup_identities(struct bulwark_identity *ids, u32 count)
{
	u32 i, out = 0;

	for (i = 0; i < count; i++) {
		if (out && !cmp_identity(&ids[out - 1], &ids[i])) {
			if (ids[i].action == BULWARK_DENY && ids[out - 1].action != BULWARK_DENY)
				ids[out - 1] = ids[i];
			continue;
		}
		ids[out++] = ids[i];
	}
	return out;
}

int bulwark_stage_activate(u32 host_policy, u64 *number, struct netlink_ext_ack *extack)
{
	struct bulwark_generation *gen, *old;
	u32 i, n = 0, end;
	int ret = -EINVAL;

	for (i = 0; i < stage.source_slots; i++) {
		if (stage.sources[i].used && !stage.sources[i].complete) {
			NL_SET_ERR_MSG(extack, "a staged image is incomplete");
			goto fail;
		}
	}
	if (host_policy && !staged_policy(host_policy - 1)) {
		NL_SET_ERR_MSG(extack, "HOST_POLICY is not a staged policy");
		goto fail;
	}
	gen = kzalloc(sizeof(*gen), GFP_KERNEL_ACCOUNT);
	if (!gen) {
		ret = -ENOMEM;
		goto fail;
	}
	/*
	 * Compact the images, moving their buffers into the generation. One
	 * without policies decides nothing (and would break the search by base).
	 */
	for (i = 0; i < stage.source_slots; i++) {
		if (stage.sources[i].used && stage.sources[i].image.policy_count)
			stage.sources[n++] = stage.sources[i];
		else
			kvfree(stage.sources[i].data);
	}
	memset(stage.sources + n, 0, (stage.source_slots - n) * sizeof(*stage.sources));
	sort(stage.sources, n, sizeof(*stage.sources), cmp_source, NULL);
	gen->sources = stage.sources;
	gen->source_count = n;
	for (i = 0; i < n; i++) {
		end = gen->sources[i].base + gen->sources[i].image.policy_count;
		gen->policy_count = max(gen->policy_count, end);
	}
	gen->path_classes = kvzalloc(gen->policy_count ?: 1, GFP_KERNEL_ACCOUNT);
	gen->governed = bulwark_governed_alloc();
	if (!gen->path_classes || !gen->governed) {
		ret = -ENOMEM;
		stage.source_slots = n;
		goto free_gen;
	}
	for (i = 0; i < n; i++) {
		const struct bulwark_source *s = &gen->sources[i];
		u32 r;

		gen->selectors |= s->selected;
		for (r = 0; r < s->image.path_rule_count; r++)
			gen->path_classes[s->base + s->image.path_rules[r].policy] |=
				1u << s->image.path_rules[r].class;
	}
	sort(stage.bindings, stage.binding_count, sizeof(*stage.bindings), cmp_binding, NULL);
	for (i = 1; i < stage.binding_count; i++) {
		if (stage.bindings[i].cgroup == stage.bindings[i - 1].cgroup) {
			NL_SET_ERR_MSG(extack, "a cgroup is bound to two policies");
			stage.source_slots = n;
			goto free_gen;
		}
	}
	gen->bindings = stage.bindings;
	gen->binding_count = stage.binding_count;
	sort(stage.identities, stage.identity_count, sizeof(*stage.identities), cmp_identity, NULL);
	gen->identities = stage.identities;
	gen->identity_count = dedup_identities(stage.identities, stage.identity_count);
	gen->host_policy = host_policy;
	gen->number = ++last_number;
	memset(&stage, 0, sizeof(stage));

	old = rcu_replace_pointer(running, gen, true);
	*number = gen->number;
	/* Hooks read generations under RCU (with preemption off). */
	synchronize_rcu();
	free_generation(old);
	return 0;

free_gen:
	bulwark_governed_free(gen->governed);
	kvfree(gen->path_classes);
	kfree(gen);
fail:
	bulwark_stage_discard();
	return ret;
}

void bulwark_generation_clear(u64 *number)
{
	struct bulwark_generation *old;

	bulwark_stage_discard();
	old = rcu_replace_pointer(running, NULL, true);
	*number = ++last_number;
	synchronize_rcu();
	free_generation(old);
}

void bulwark_generation_summary(u64 *number, u32 *policies)
{
	const struct bulwark_generation *gen;

	rcu_read_lock();
	gen = rcu_dereference(running);
	*number = gen ? gen->number : 0;
	*policies = gen ? gen->policy_count : 0;
	rcu_read_unlock();
}

void bulwark_generation_exit(void)
{
	u64 ignored;

	bulwark_generation_clear(&ignored);
}
