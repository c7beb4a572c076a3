// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF LSM backend: the only file that talks to libbpf. It loads and
 * attaches the programs, pins their links and maps under BW_PIN_DIR so
 * enforcement outlives the controller, adopts what an earlier run pinned,
 * and gives the rest of the controller plain map operations.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "backend.h"
#include "bpf_maps.h"
#include "bulwark.skel.h"
#include "probe.skel.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static const char *const map_names[__BW_MAP_COUNT] = {
	[BW_MAP_CONFIG] = "bw_config",
	[BW_MAP_GENS] = "bw_gens",
	[BW_MAP_POLICIES] = "bw_policies",
	[BW_MAP_CGROUPS] = "bw_cgroups",
	[BW_MAP_PATHS] = "bw_paths",
	[BW_MAP_GLOBS] = "bw_globs",
	[BW_MAP_IDENTITIES] = "bw_identities",
	[BW_MAP_ADMISSION] = "bw_admission",
	[BW_MAP_NETS] = "bw_nets",
	[BW_MAP_NET_RULES] = "bw_net_rules",
	[BW_MAP_COUNTERS] = "bw_counters",
	[BW_MAP_STATS] = "bw_stats",
	[BW_MAP_READERS] = "bw_readers",
	[BW_MAP_EVENTS] = "bw_events",
	[BW_MAP_CGROUP_GLOBS] = "bw_cgroup_globs",
	[BW_MAP_SB_CHANGES] = "bw_sb_changes",
	[BW_MAP_SB_CLOCK] = "bw_sb_clock",
};

struct bpf_backend {
	int fds[__BW_MAP_COUNT];
	int cpus;
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	/* libbpf's own chatter is for developers; errors reach users once, from the caller. */
	if (!getenv("BULWARK_DEBUG_LIBBPF"))
		return 0;
	return vfprintf(stderr, fmt, args);
}

const char *bpf_stage_name(enum bpf_stage stage)
{
	switch (stage) {
	case BPF_STAGE_OPEN:
		return "opening";
	case BPF_STAGE_LOAD:
		return "loading";
	case BPF_STAGE_ATTACH:
		return "attaching";
	case BPF_STAGE_PIN:
		return "pinning";
	case BPF_STAGE_ADOPT:
		return "adopting the pinned";
	}
	return "?";
}

static struct bpf_backend *backend_new(void)
{
	struct bpf_backend *b = calloc(1, sizeof(*b));
	int i;

	if (!b)
		return NULL;
	for (i = 0; i < __BW_MAP_COUNT; i++)
		b->fds[i] = -1;
	b->cpus = libbpf_num_possible_cpus();
	if (b->cpus < 1)
		b->cpus = 1;
	return b;
}

void bpf_backend_close(struct bpf_backend *b)
{
	int i;

	if (!b)
		return;
	for (i = 0; i < __BW_MAP_COUNT; i++)
		if (b->fds[i] >= 0)
			close(b->fds[i]);
	free(b);
}

static void pin_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", BW_PIN_DIR, name);
}

bool bpf_backend_is_pinned(void)
{
	char path[256];

	pin_path(path, sizeof(path), map_names[BW_MAP_CONFIG]);
	return access(path, F_OK) == 0;
}

/* bpffs at /sys/fs/bpf, mounting it when nothing is there. */
static int ensure_bpffs(void)
{
	struct statfs fs;

	if (statfs("/sys/fs/bpf", &fs) == 0 && (unsigned long)fs.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") < 0)
		return -errno;
	return 0;
}

static int adopt(struct bpf_backend *b)
{
	struct bw_config config;
	char path[256];
	__u32 zero = 0;
	int i;

	for (i = 0; i < __BW_MAP_COUNT; i++) {
		pin_path(path, sizeof(path), map_names[i]);
		b->fds[i] = bpf_obj_get(path);
		if (b->fds[i] < 0)
			return errno == ENOENT ? -ENOLINK : -errno;
	}
	if (bpf_map_lookup_elem(b->fds[BW_MAP_CONFIG], &zero, &config) < 0)
		return -errno;
	if (!config.layout)
		return -ENOLINK; /* never finished loading */
	if (config.layout != BW_LAYOUT_VERSION)
		return -EPROTO;
	/* The programs, too: socket_accept's link is pinned last of all. */
	snprintf(path, sizeof(path), "%s/link_bulwark_accept", BW_PIN_DIR);
	if (access(path, F_OK) < 0)
		return -ENOLINK;
	return 0;
}

/* The programs' links, pinned so they stay attached after we exit. */
static int pin_links(struct bulwark_bpf *skel)
{
	struct bpf_program *prog;
	char path[256];

	bpf_object__for_each_program(prog, skel->obj)
	{
		struct bpf_link *link;
		int ret;

		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);
		if (!link)
			return -errno;
		snprintf(path, sizeof(path), "%s/link_%s", BW_PIN_DIR, bpf_program__name(prog));
		ret = bpf_link__pin(link, path);
		bpf_link__destroy(link); /* the pin keeps it */
		if (ret)
			return ret;
	}
	return 0;
}

/* Whether this kernel has the LSM hook @name (bpf_lsm_NAME in its BTF). */
static bool kernel_has_lsm_hook(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	char func[128];
	bool found;

	if (!btf)
		return true; /* let loading say what is wrong */
	snprintf(func, sizeof(func), "bpf_lsm_%s", name);
	found = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) >= 0;
	btf__free(btf);
	return found;
}

static int load_and_pin(struct bpf_backend *b, enum bpf_stage *failed)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = BW_PIN_DIR);
	struct bw_config config = {.layout = BW_LAYOUT_VERSION};
	struct bulwark_bpf *skel;
	__u32 zero = 0;
	int ret, i;

	*failed = BPF_STAGE_PIN;
	ret = ensure_bpffs();
	if (ret)
		return ret;
	if (mkdir(BW_PIN_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	*failed = BPF_STAGE_OPEN;
	skel = bulwark_bpf__open_opts(&opts);
	if (!skel)
		return -errno;
	/* Hooks newer than the oldest kernel line: loaded where they exist. */
	if (!kernel_has_lsm_hook("file_truncate"))
		bpf_program__set_autoload(skel->progs.bulwark_file_truncate, false);
	*failed = BPF_STAGE_LOAD;
	ret = bulwark_bpf__load(skel);
	if (ret)
		goto out;
	/* The layout stamp before any program runs against the maps. */
	ret = bpf_map_update_elem(bpf_map__fd(skel->maps.bw_config), &zero, &config, 0);
	if (ret)
		goto out;
	*failed = BPF_STAGE_ATTACH;
	ret = pin_links(skel);
	if (ret)
		goto out;
	for (i = 0; i < __BW_MAP_COUNT; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(skel->obj, map_names[i]);

		b->fds[i] = map ? dup(bpf_map__fd(map)) : -1;
		if (b->fds[i] < 0) {
			ret = -ENOENT;
			goto out;
		}
	}
out:
	bulwark_bpf__destroy(skel);
	return ret < 0 ? ret : ret ? -EINVAL : 0;
}

int bpf_backend_open(struct bpf_backend **out, bool load, enum bpf_stage *failed)
{
	struct bpf_backend *b;
	int ret;

	libbpf_set_print(libbpf_print);
	b = backend_new();
	if (!b)
		return -ENOMEM;
	if (bpf_backend_is_pinned()) {
		*failed = BPF_STAGE_ADOPT;
		ret = adopt(b);
		/*
		 * Maps pinned by a load that never finished (killed before
		 * stamping the layout and pinning the links): with the state
		 * lock held, nobody else is loading, so start over.
		 */
		if (ret == -ENOLINK && load) {
			bpf_backend_close(b);
			bpf_backend_remove_pins();
			b = backend_new();
			if (!b)
				return -ENOMEM;
			ret = load_and_pin(b, failed);
			if (ret)
				bpf_backend_remove_pins();
		}
	} else if (load) {
		ret = load_and_pin(b, failed);
		if (ret)
			bpf_backend_remove_pins();
	} else {
		*failed = BPF_STAGE_ADOPT;
		ret = -ENOENT;
	}
	if (ret) {
		bpf_backend_close(b);
		return ret;
	}
	*out = b;
	return 0;
}

#define PROG_COUNT 64 /* at most, for the links found pinned */

/* Whether any of the programs (by id) still exists. */
static bool programs_alive(const __u32 *ids, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		int fd = ids[i] ? bpf_prog_get_fd_by_id(ids[i]) : -1;

		if (fd >= 0) {
			close(fd);
			return true;
		}
	}
	return false;
}

int bpf_backend_remove_pins(void)
{
	__u32 ids[PROG_COUNT] = {0};
	size_t i, count = 0;
	struct dirent *de;
	char path[512];
	int ret = 0, waited;
	DIR *dir;

	/* Each pinned link, with its program's id, to see the program go. */
	dir = opendir(BW_PIN_DIR);
	while (dir && (de = readdir(dir))) {
		struct bpf_link_info info;
		__u32 len = sizeof(info);
		int fd;

		if (strncmp(de->d_name, "link_", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", BW_PIN_DIR, de->d_name);
		fd = bpf_obj_get(path);
		memset(&info, 0, sizeof(info));
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) && count < PROG_COUNT)
			ids[count++] = info.prog_id;
		if (fd >= 0)
			close(fd);
		/* Links first: the programs stop running before their maps go. */
		if (unlink(path) < 0 && errno != ENOENT)
			ret = -errno;
	}
	if (dir)
		closedir(dir);
	for (i = 0; i < __BW_MAP_COUNT; i++) {
		pin_path(path, sizeof(path), map_names[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			ret = -errno;
	}
	if (rmdir(BW_PIN_DIR) < 0 && errno != ENOENT && !ret)
		ret = -errno;
	/*
	 * bpffs lets go of a pinned link only after an RCU grace period, which
	 * lazy RCU (6.12) stretches to seconds: wait until the programs are gone.
	 */
	for (waited = 0; !ret && programs_alive(ids, count); waited++) {
		if (waited == 600)
			return -ETIMEDOUT;
		usleep(50000);
	}
	return ret;
}

/* --- map operations ---------------------------------------------------------- */

int bw_map_update(struct bpf_backend *b, enum bw_map m, const void *key, const void *value)
{
	return bpf_map_update_elem(b->fds[m], key, value, BPF_ANY) ? -errno : 0;
}

int bw_map_lookup(struct bpf_backend *b, enum bw_map m, const void *key, void *value)
{
	return bpf_map_lookup_elem(b->fds[m], key, value) ? -errno : 0;
}

int bw_map_delete(struct bpf_backend *b, enum bw_map m, const void *key)
{
	return bpf_map_delete_elem(b->fds[m], key) ? -errno : 0;
}

int bw_map_next_key(struct bpf_backend *b, enum bw_map m, const void *key, void *next)
{
	return bpf_map_get_next_key(b->fds[m], key, next) ? -errno : 0;
}

/*
 * The values of an array map's keys first .. first + count - 1, each
 * value_size bytes, in a few batch calls instead of count lookups. A batch
 * goes on after the key it is given: from first - 1, or from the start.
 */
int bw_map_lookup_range(struct bpf_backend *b, enum bw_map m, __u32 first, __u32 count,
			void *values, size_t value_size)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 *keys = calloc(count ? count : 1, sizeof(*keys));
	__u32 prev, next, done = 0, n;
	int ret = 0;

	if (!keys)
		return -ENOMEM;
	while (done < count) {
		n = count - done;
		prev = first + done - 1;
		if (bpf_map_lookup_batch(b->fds[m], first + done ? &prev : NULL, &next, keys,
					 (char *)values + (size_t)done * value_size, &n, &opts) &&
		    errno != ENOENT) {
			ret = -errno;
			break;
		}
		if (!n || keys[0] != first + done) {
			ret = -ENOENT; /* past the end of the map */
			break;
		}
		done += n;
	}
	free(keys);
	return ret;
}

int bw_map_sum_u64(struct bpf_backend *b, enum bw_map m, __u32 key, __u64 *sum, size_t words)
{
	size_t vsize = (words * sizeof(__u64) + 7) & ~7ul;
	__u64 *values = calloc(b->cpus, vsize);
	int cpu, ret = 0;
	size_t w;

	if (!values)
		return -ENOMEM;
	memset(sum, 0, words * sizeof(*sum));
	if (bpf_map_lookup_elem(b->fds[m], &key, values)) {
		ret = -errno;
		goto out;
	}
	for (cpu = 0; cpu < b->cpus; cpu++)
		for (w = 0; w < words; w++)
			sum[w] += values[cpu * (vsize / 8) + w];
out:
	free(values);
	return ret;
}

int bw_map_zero_percpu(struct bpf_backend *b, enum bw_map m, __u32 key, size_t words)
{
	size_t vsize = (words * sizeof(__u64) + 7) & ~7ul;
	void *values = calloc(b->cpus, vsize);
	int ret;

	if (!values)
		return -ENOMEM;
	ret = bpf_map_update_elem(b->fds[m], &key, values, BPF_ANY) ? -errno : 0;
	free(values);
	return ret;
}

/* --- events ------------------------------------------------------------------- */

struct bw_event_reader {
	struct ring_buffer *ring;
	bw_event_fn fn;
	void *ctx;
};

static int ring_sample(void *ctx, void *data, size_t size)
{
	struct bw_event_reader *r = ctx;

	if (size < sizeof(struct bw_event))
		return 0;
	return r->fn(r->ctx, data, NULL);
}

int bw_events_open(struct bpf_backend *b, bw_event_fn fn, void *ctx, struct bw_event_reader **out)
{
	struct bw_event_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->fn = fn;
	r->ctx = ctx;
	r->ring = ring_buffer__new(b->fds[BW_MAP_EVENTS], ring_sample, r, NULL);
	if (!r->ring) {
		int ret = -errno;

		free(r);
		return ret;
	}
	*out = r;
	return 0;
}

int bw_events_wait(struct bw_event_reader *r, int timeout_ms)
{
	struct epoll_event ev;
	int n = epoll_wait(ring_buffer__epoll_fd(r->ring), &ev, 1, timeout_ms);

	return n < 0 && errno != EINTR ? -errno : 0;
}

int bw_events_consume(struct bw_event_reader *r)
{
	return ring_buffer__consume(r->ring);
}

void bw_events_close(struct bw_event_reader *r)
{
	if (!r)
		return;
	ring_buffer__free(r->ring);
	free(r);
}

/* --- the probe ------------------------------------------------------------------------ */

struct bpf_probe {
	struct probe_bpf *skel;
};

int bpf_backend_attach(struct bpf_probe **out, enum bpf_stage *failed)
{
	struct bpf_probe *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	libbpf_set_print(libbpf_print);
	*failed = BPF_STAGE_OPEN;
	p->skel = probe_bpf__open();
	if (!p->skel) {
		ret = -errno;
		goto out;
	}
	*failed = BPF_STAGE_LOAD;
	ret = probe_bpf__load(p->skel);
	if (ret)
		goto out;
	*failed = BPF_STAGE_ATTACH;
	ret = probe_bpf__attach(p->skel);
	if (ret)
		goto out;
	*out = p;
	return 0;
out:
	bpf_backend_detach(p);
	return ret < 0 ? ret : -EINVAL;
}

uint64_t bpf_backend_exec_count(struct bpf_probe *p)
{
	return __atomic_load_n(&p->skel->bss->exec_count, __ATOMIC_RELAXED);
}

void bpf_backend_detach(struct bpf_probe *p)
{
	if (!p)
		return;
	probe_bpf__destroy(p->skel);
	free(p);
}
