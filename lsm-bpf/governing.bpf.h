/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which policy governs a cgroup (bulwark_maps.h: Cgroups): the cgroup and
 * its ancestors, root first, each by its id binding and, when the slot has
 * selectors, by its name; the deepest that binds decides, else the host
 * policy. Decided once per cgroup and generation (bw_policy_cache), so a
 * cgroup made after apply (a restarted unit, a new container) is governed
 * from the first operation of its first task, with no userspace in the way.
 * The same rules as kmod/core/selector.c; tests/vm/new-cgroups.sh holds the
 * two backends to them.
 *
 * bw_governing() is a global function: the verifier checks it once per
 * program, not at every call site. The walk's state lives in per-CPU map
 * memory, not on the stack, so the verifier knows nothing of its values and
 * each bpf_loop callback converges in a pass or two.
 *
 * Included by bulwark.bpf.c after its scratch helpers.
 */
#ifndef BULWARK_GOVERNING_BPF_H
#define BULWARK_GOVERNING_BPF_H

#define BW_NO_STAR 0xffffffffu
#define BW_NAME_PAD 8 /* zero bytes before a name: a word read ending at its end stays inside */

struct cgroup_walk {
	__u64 cgroup; /* struct cgroup * */
	__u64 seed;
	__u64 container_lengths;
	__u64 globs_alive; /* bit i: bw_cgroup_globs i matched every level so far */
	__u64 h;
	__u32 slot, level, globs, selected;
	__u32 found; /* 1 + the policy bound so far, or 0 */
	__u32 depth; /* the level being looked at */
	__u32 name_len;
	__u32 candidate; /* 1 + the lowest policy a selector names at this level, or 0 */
	__u32 slices_only; /* every level above this one is a slice */
	__u32 under_user; /* a level above this one is a user's manager */
	__u32 undecided;
	__u32 id_start, id_len, id_hex; /* the container id in this level's name */
	/* one glob component against the name (cgroup_glob_step) */
	__u32 g_key, g_pstart, g_plen, p, n, star_p, star_n, matched;
	char buf[BW_NAME_PAD + BW_CGROUP_NAME_MAX + 1 + 8]; /* the level's name at BW_NAME_PAD */
};

/* bpf_loop's context must be on the stack: it holds where the walk is. */
struct walk_ref {
	struct cgroup_walk *w;
};

/* Indexed by the claimed scratch slot (claim_scratch). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BW_SCRATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct cgroup_walk);
} bw_cgroup_walks SEC(".maps");

static __always_inline __u8 name_at(const struct cgroup_walk *w, __u32 i)
{
	return w->buf[BW_NAME_PAD + (i & BW_CGROUP_NAME_MAX)];
}

/* Little-endian words of literal bytes, for comparing names a word at a time. */
#define W8(a, b, c, d, e, f, g, h)                                                                 \
	((__u64)(a) | (__u64)(b) << 8 | (__u64)(c) << 16 | (__u64)(d) << 24 | (__u64)(e) << 32 |   \
	 (__u64)(f) << 40 | (__u64)(g) << 48 | (__u64)(h) << 56)
#define LOW(n) ((n) >= 8 ? ~0ull : (1ull << ((n)*8)) - 1)

/* Word k (bytes 8k to 8k + 7) of the name. */
static __always_inline __u64 name_word(const struct cgroup_walk *w, __u32 k)
{
	return *(const __u64 *)&w->buf[BW_NAME_PAD + 8 * k];
}

/* The 8 bytes that end where the name ends (those before it are padding or name). */
static __always_inline __u64 name_tail(const struct cgroup_walk *w)
{
	return *(const __u64 *)&w->buf[w->name_len & BW_CGROUP_NAME_MAX];
}

static __always_inline bool name_starts(const struct cgroup_walk *w, __u64 w0, __u64 w1, __u32 n)
{
	if (w->name_len < n)
		return false;
	if (n <= 8)
		return (name_word(w, 0) & LOW(n)) == w0;
	return name_word(w, 0) == w0 && (name_word(w, 1) & LOW(n - 8)) == w1;
}

/* Whether the name ends in the last @n (at most 8) bytes of @tail, and is longer. */
static __always_inline bool name_ends(const struct cgroup_walk *w, __u64 tail, __u32 n)
{
	return w->name_len > n && (name_tail(w) >> (64 - 8 * n)) == (tail >> (64 - 8 * n));
}

#define ENDS_SCOPE W8(0, 0, '.', 's', 'c', 'o', 'p', 'e')
#define ENDS_SLICE W8(0, 0, '.', 's', 'l', 'i', 'c', 'e')
#define ENDS_SERVICE W8('.', 's', 'e', 'r', 'v', 'i', 'c', 'e')

/*
 * Which selector wins at one level: a learning session's (bulwark learn,
 * index BW_SESSION_BASE and up) before the applied image's, then the policy
 * defined first; bulwark.ko takes its sources in that same order.
 */
static __always_inline __u32 candidate_rank(__u32 policy)
{
	return policy >= BW_SESSION_BASE ? policy - BW_SESSION_BASE : policy + BW_POLICY_MAX;
}

static __always_inline void take_candidate(struct cgroup_walk *w, __u32 policy)
{
	if (!w->candidate || candidate_rank(policy) < candidate_rank(w->candidate - 1))
		w->candidate = policy + 1;
}

static __always_inline __u32 *selector_lookup(const struct cgroup_walk *w, __u32 kind, __u32 len)
{
	struct bw_cgroup_key key = {
		.cgroup = w->h, .slot = w->slot, .selector = BW_SELECTOR_KEY(kind, len)};

	return bpf_map_lookup_elem(&bw_cgroups, &key);
}

/* One step of a glob component against the name (kmod/core/selector.c). */
static long cgroup_glob_step(__u32 i, struct walk_ref *r)
{
	struct cgroup_walk *w = r->w;
	const struct bw_cgroup_glob *g;
	__u32 p = w->p;
	char pc = 0, c;

	g = bpf_map_lookup_elem(&bw_cgroup_globs, &w->g_key);
	if (!g)
		return 1;
	if (p < w->g_plen)
		pc = g->pattern[(w->g_pstart + p) & (BW_CGROUP_GLOB_LEN - 1)];
	if (w->n >= w->name_len) {
		/* The name is used up: only '*'s may be left of the pattern. */
		if (p < w->g_plen && pc == '*') {
			w->p = p + 1;
			return 0;
		}
		w->matched = p == w->g_plen;
		return 1;
	}
	c = name_at(w, w->n);
	if (p < w->g_plen && (pc == '?' || (pc != '*' && pc == c))) {
		w->p = p + 1;
		w->n++;
	} else if (p < w->g_plen && pc == '*') {
		w->star_p = p;
		w->p = p + 1;
		w->star_n = w->n;
	} else if (w->star_p != BW_NO_STAR) {
		w->p = w->star_p + 1;
		w->star_n++;
		w->n = w->star_n;
	} else {
		return 1; /* no match */
	}
	return 0;
}

/* Glob i at this level: kept alive while its components match, naming the cgroup at its depth. */
static long glob_level(__u32 i, struct walk_ref *r)
{
	struct cgroup_walk *w = r->w;
	const struct bw_cgroup_glob *g;
	__u32 d = w->depth - 1;

	if (i >= w->globs || i >= BW_CGROUP_GLOBS_MAX)
		return 1;
	if (!((w->globs_alive >> i) & 1))
		return 0;
	w->g_key = w->slot * BW_CGROUP_GLOBS_MAX + i;
	g = bpf_map_lookup_elem(&bw_cgroup_globs, &w->g_key);
	if (!g || d >= g->depth || d >= BW_CGROUP_DEPTH_MAX) {
		w->globs_alive &= ~(1ull << i);
		return 0;
	}
	w->g_pstart = g->start[d & (BW_CGROUP_DEPTH_MAX - 1)];
	w->g_plen = g->len[d & (BW_CGROUP_DEPTH_MAX - 1)];
	w->p = 0;
	w->n = 0;
	w->star_p = BW_NO_STAR;
	w->star_n = 0;
	w->matched = 0;
	/* Each step moves on in the pattern or the name, or backs a star up: bounded by their
	 * product. */
	bpf_loop((w->g_plen + 2) * (w->name_len + 2), cgroup_glob_step, r, 0);
	if (!w->matched)
		w->globs_alive &= ~(1ull << i);
	else if (d + 1 == g->depth)
		take_candidate(w, g->policy);
	return 0;
}

/* Byte i of the name: the whole name's hash, for systemdUnit. */
static long name_hash_step(__u32 i, struct walk_ref *r)
{
	struct cgroup_walk *w = r->w;
	if (i >= w->name_len)
		return 1;
	w->h = bw_hash_step(w->h, name_at(w, i));
	return 0;
}

/* Digit i of the container id: all must be hex; each prefix of a selected length is looked up. */
static long container_step(__u32 i, struct walk_ref *r)
{
	struct cgroup_walk *w = r->w;
	__u32 *policy;
	__u8 c;

	if (i >= w->id_len)
		return 1;
	c = name_at(w, w->id_start + i);
	if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
		w->id_hex = 0;
		return 1;
	}
	w->h = bw_hash_step(w->h, c);
	if (i < 64 && (w->container_lengths >> i) & 1) {
		policy = selector_lookup(w, BULWARK_SELECTOR_CONTAINER, i + 1);
		if (policy)
			take_candidate(w, *policy);
	}
	return 0;
}

/* The id in a runtime's cgroup name: docker-ID.scope, cri-containerd-ID.scope, ..., ID. */
static __always_inline void container_id(struct cgroup_walk *w)
{
	__u32 start = 0, len = w->name_len;

	if (name_starts(w, W8('d', 'o', 'c', 'k', 'e', 'r', '-', 0), 0, 7))
		start = 7;
	else if (name_starts(w, W8('c', 'r', 'i', '-', 'c', 'o', 'n', 't'),
			     W8('a', 'i', 'n', 'e', 'r', 'd', '-', 0), 15))
		start = 15;
	else if (name_starts(w, W8('c', 'r', 'i', 'o', '-', 0, 0, 0), 0, 5))
		start = 5;
	else if (name_starts(w, W8('l', 'i', 'b', 'p', 'o', 'd', '-', 0), 0, 7))
		start = 7;
	len -= start;
	if (len > 6 && name_ends(w, ENDS_SCOPE, 6))
		len -= 6;
	w->id_start = start;
	w->id_len = len;
}

static __always_inline struct cgroup *ancestor(__u64 cgroup, __u32 level)
{
	struct cgroup *anc = NULL;

	bpf_probe_read_kernel(&anc, sizeof(anc),
			      (void *)cgroup + bpf_core_field_offset(struct cgroup, ancestors) +
				      level * sizeof(anc));
	return anc;
}

/* Level l, root first: its id binding, else what its name's selectors name. */
static long cgroup_level(__u32 l, struct walk_ref *r)
{
	struct cgroup_walk *w = r->w;
	struct bw_cgroup_key key = {};
	struct cgroup *anc;
	__u32 *bound, *named;
	long n;

	if (l > w->level)
		return 1;
	anc = ancestor(w->cgroup, l);
	if (!anc) {
		w->undecided = 1;
		return 1;
	}
	key.cgroup = BPF_CORE_READ(anc, kn, id);
	key.slot = w->slot;
	bound = bpf_map_lookup_elem(&bw_cgroups, &key);
	if (bound)
		w->found = *bound + 1;
	if (!w->selected || l == 0)
		return 0;
	n = bpf_probe_read_kernel_str(&w->buf[BW_NAME_PAD], BW_CGROUP_NAME_MAX + 1,
				      BPF_CORE_READ(anc, kn, name));
	if (n <= 1) {
		w->undecided = 1;
		return 1;
	}
	w->name_len = (n - 1) & BW_CGROUP_NAME_MAX;
	w->depth = l;
	w->candidate = 0;
	if (w->slices_only) {
		w->h = bw_hash_init(w->seed);
		bpf_loop(w->name_len, name_hash_step, r, 0);
		named = selector_lookup(w, BULWARK_SELECTOR_SYSTEMD_UNIT, w->name_len);
		if (named)
			take_candidate(w, *named);
	}
	if (!w->under_user && w->container_lengths) {
		__u32 before = w->candidate;

		container_id(w);
		w->id_hex = 1;
		w->h = bw_hash_init(w->seed);
		bpf_loop(w->id_len, container_step, r, 0);
		if (!w->id_hex)
			w->candidate = before; /* not a container's name after all */
	}
	if (w->globs_alive && w->globs)
		bpf_loop(w->globs, glob_level, r, 0);
	if (w->candidate && !bound)
		w->found = w->candidate;
	/* What the levels below this one are under. */
	if (!name_ends(w, ENDS_SLICE, 6))
		w->slices_only = 0;
	if (name_starts(w, W8('u', 's', 'e', 'r', '@', 0, 0, 0), 0, 5) &&
	    name_ends(w, ENDS_SERVICE, 8))
		w->under_user = 1;
	return 0;
}

/* With no working memory: the id bindings alone decide, as of the last apply. */
struct id_walk {
	__u64 cgroup;
	__u32 slot, level, found, undecided;
};

static long id_level(__u32 l, struct id_walk *w)
{
	struct bw_cgroup_key key = {};
	struct cgroup *anc;
	__u32 *bound;

	if (l > w->level)
		return 1;
	anc = ancestor(w->cgroup, l);
	if (!anc)
		return 1;
	key.cgroup = BPF_CORE_READ(anc, kn, id);
	key.slot = w->slot;
	bound = bpf_map_lookup_elem(&bw_cgroups, &key);
	if (bound)
		w->found = *bound + 1;
	return 0;
}

/*
 * 1 + the index of the policy governing a task in @cgroup (a struct
 * cgroup *, whose id is @id) in @slot, or 0 for none. Levels below
 * BW_CGROUP_DEPTH_MAX are looked at.
 */
__noinline __u32 bw_governing(__u32 slot, __u64 cgroup, __u64 id)
{
	struct bw_cgroup_key cache_key = {.cgroup = id, .slot = slot};
	struct bw_policy_cache *cached, fresh = {};
	const struct bw_generation *gen;
	struct cgroup_walk *w = NULL;
	struct bw_scratch *s = NULL;
	struct id_walk ids = {};
	struct walk_ref ref;
	__u32 claimed = 0, level, found;

	if (slot >= BW_SLOTS || !cgroup)
		return 0;
	gen = bpf_map_lookup_elem(&bw_gens, &slot);
	if (!gen)
		return 0;
	cached = bpf_map_lookup_elem(&bw_policy_cache, &cache_key);
	if (cached && cached->generation == gen->generation)
		return cached->found;
	level = BPF_CORE_READ((struct cgroup *)cgroup, level);
	if (level >= BW_CGROUP_DEPTH_MAX)
		level = BW_CGROUP_DEPTH_MAX - 1;
	s = claim_scratch(&claimed);
	if (s)
		w = bpf_map_lookup_elem(&bw_cgroup_walks, &claimed);
	if (!w) {
		ids.cgroup = cgroup;
		ids.slot = slot;
		ids.level = level;
		bpf_loop(BW_CGROUP_DEPTH_MAX, id_level, &ids, 0);
		if (s)
			release_scratch(claimed);
		stat_add(BW_STAT_UNDECIDABLE);
		return ids.found ? ids.found : gen->host_policy;
	}
	w->cgroup = cgroup;
	w->slot = slot;
	w->level = level;
	w->seed = gen->seed;
	w->selected = gen->selected;
	w->globs = gen->cgroup_globs;
	w->container_lengths = gen->container_lengths;
	w->globs_alive = ~0ull;
	w->slices_only = 1;
	w->under_user = 0;
	w->found = 0;
	w->undecided = 0;
	*(__u64 *)&w->buf[0] = 0;
	ref.w = w;
	bpf_loop(BW_CGROUP_DEPTH_MAX, cgroup_level, &ref, 0);
	found = w->found ? w->found : gen->host_policy;
	if (w->undecided) {
		release_scratch(claimed);
		stat_add(BW_STAT_UNDECIDABLE);
		return found;
	}
	release_scratch(claimed);
	fresh.generation = gen->generation;
	fresh.found = found;
	bpf_map_update_elem(&bw_policy_cache, &cache_key, &fresh, BPF_ANY);
	return found;
}

#endif /* BULWARK_GOVERNING_BPF_H */
