/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF backend's pinned maps as the controller uses them (bpf.c is the
 * only file behind this interface that talks to libbpf). Layouts are in
 * lsm-bpf/bulwark_maps.h, the contract with the BPF programs.
 */
#ifndef BULWARK_BPF_MAPS_H
#define BULWARK_BPF_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "backend.h"
#include "bulwark_maps.h"

enum bw_map {
	BW_MAP_CONFIG,
	BW_MAP_GENS,
	BW_MAP_POLICIES,
	BW_MAP_CGROUPS,
	BW_MAP_PATHS,
	BW_MAP_GLOBS,
	BW_MAP_IDENTITIES,
	BW_MAP_ADMISSION,
	BW_MAP_NETS,
	BW_MAP_NET_RULES,
	BW_MAP_COUNTERS,
	BW_MAP_STATS,
	BW_MAP_READERS,
	BW_MAP_EVENTS,
	BW_MAP_CGROUP_GLOBS,
	BW_MAP_SB_CHANGES,
	BW_MAP_SB_CLOCK,
	__BW_MAP_COUNT
};

struct bpf_backend;
enum bpf_stage;

/* Whether the programs and maps are pinned (a previous run loaded them). */
bool bpf_backend_is_pinned(void);
/*
 * Adopts the pinned programs and maps, or, when nothing is pinned and @load
 * is set, loads, attaches and pins them. -EPROTO: the pinned maps have
 * another layout (bulwark unload, then load again).
 */
int bpf_backend_open(struct bpf_backend **out, bool load, enum bpf_stage *failed);
void bpf_backend_close(struct bpf_backend *b);
/* Detaches everything: removes the pinned links and maps. */
int bpf_backend_remove_pins(void);

/* Map operations; each returns 0 or -errno (-ENOENT: no such key). */
int bw_map_update(struct bpf_backend *b, enum bw_map m, const void *key, const void *value);
int bw_map_lookup(struct bpf_backend *b, enum bw_map m, const void *key, void *value);
int bw_map_delete(struct bpf_backend *b, enum bw_map m, const void *key);
int bw_map_next_key(struct bpf_backend *b, enum bw_map m, const void *key, void *next);
/* Per-CPU arrays of u64 words: the sum over CPUs, and zeroing an entry. */
int bw_map_lookup_range(struct bpf_backend *b, enum bw_map m, __u32 first, __u32 count,
			void *values, size_t value_size);
int bw_map_sum_u64(struct bpf_backend *b, enum bw_map m, __u32 key, __u64 *sum, size_t words);
int bw_map_zero_percpu(struct bpf_backend *b, enum bw_map m, __u32 key, size_t words);

/* Events from the ring buffer; @fn (backend.h) returns 0 to go on. */
struct bw_event_reader;
int bw_events_open(struct bpf_backend *b, bw_event_fn fn, void *ctx, struct bw_event_reader **out);
/* Waits up to @timeout_ms for events, without consuming them. */
int bw_events_wait(struct bw_event_reader *r, int timeout_ms);
/* Hands every event there is to the callback; returns how many, or -errno. */
int bw_events_consume(struct bw_event_reader *r);
void bw_events_close(struct bw_event_reader *r);

#endif /* BULWARK_BPF_MAPS_H */
