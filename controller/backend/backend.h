/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two enforcement backends as the controller sees them. bpf.c and genl.c
 * are the only files that talk to libbpf and libnl; probe.c decides, from
 * what they report, whether a backend is usable and says why not.
 */
#ifndef BULWARK_BACKEND_H
#define BULWARK_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/linux/bulwark.h"

/* bpf.c: the BPF LSM programs in lsm-bpf/. */
enum bpf_stage {
	BPF_STAGE_OPEN,
	BPF_STAGE_LOAD,
	BPF_STAGE_ATTACH,
	BPF_STAGE_PIN,
	BPF_STAGE_ADOPT,
};

struct bpf_probe;

/*
 * Opens, loads and attaches the probe program (lsm-bpf/probe.bpf.c). On
 * failure returns -errno and sets *failed to the stage that failed.
 */
int bpf_backend_attach(struct bpf_probe **out, enum bpf_stage *failed);
/* Execs the probe has seen since it was loaded. */
uint64_t bpf_backend_exec_count(struct bpf_probe *probe);
void bpf_backend_detach(struct bpf_probe *probe);
const char *bpf_stage_name(enum bpf_stage stage);

/* genl.c: bulwark.ko over generic netlink. */
struct kmod_version {
	uint32_t abi;
	char module[BULWARK_MODULE_VERSION_MAX];
};

/* Returns 0, -ENOENT when the family is not registered, or -errno. */
int genl_get_version(struct kmod_version *version);

/*
 * A connection to the module. kmod_open returns -ENOENT when it is not
 * loaded and -EPROTO when it speaks another netlink ABI.
 */
struct kmod;
int kmod_open(struct kmod **out);
void kmod_close(struct kmod *k);

struct kmod_status {
	uint64_t generation; /* 0: nothing loaded */
	uint32_t policies, hooks;
	uint64_t decisions, denied, audited, undecidable, events_lost, events_queued;
};
int kmod_get_status(struct kmod *k, struct kmod_status *status);

/* A generation as the module takes it (see BULWARK_CMD_LOAD_*). */
struct kmod_load_image {
	const void *data;
	size_t size;
	uint32_t base; /* policy index of the image's first policy */
	bool selected; /* its selectors bind cgroups made later too (LOAD_IMAGE SELECTED) */
};
struct kmod_load_binding {
	uint64_t cgroup;
	uint32_t policy;
};
struct kmod_load_identity {
	const char *path;
	int fd; /* the file as read (and hashed): the module admits this one */
	uint32_t policy, rule;
	uint8_t action;
	bool deny; /* a missing file is no failure for a deny rule */
	int64_t ctime_sec;
	uint32_t ctime_nsec;
};
struct kmod_load {
	const struct kmod_load_image *images;
	size_t image_count;
	const struct kmod_load_binding *bindings;
	size_t binding_count;
	const struct kmod_load_identity *identities;
	size_t identity_count;
	uint32_t host_policy; /* 1 + index, 0: none */
};
struct kmod_load_result {
	uint64_t generation;
	unsigned int identities, not_admitted;
};
/*
 * Stages @load and activates it. On failure nothing changed in the module
 * and @why holds the module's explanation when it gave one.
 */
int kmod_load(struct kmod *k, const struct kmod_load *load, struct kmod_load_result *result,
	      char *why, size_t why_size);
/* Drops the running generation: nothing is enforced. */
int kmod_clear(struct kmod *k, uint64_t *generation);

/* Events from the module's multicast group, with the policy's name. */
struct bw_event;
typedef int (*bw_event_fn)(void *ctx, const struct bw_event *event, const char *policy_name);
struct kmod_event_reader;
int kmod_events_open(bw_event_fn fn, void *ctx, struct kmod_event_reader **out);
/* Waits up to @timeout_ms for an announcement that events wait. */
int kmod_events_wait(struct kmod_event_reader *r, int timeout_ms);
/* Flushes the module's queue to the callback; how many, or -errno. */
int kmod_events_consume(struct kmod_event_reader *r);
void kmod_events_close(struct kmod_event_reader *r);

/* probe.c */
struct backend_probe {
	bool usable;
	char detail[1024];
};

void probe_bpf_backend(struct backend_probe *probe);
void probe_kmod_backend(struct backend_probe *probe);
/* Why opening the BPF backend failed at @stage with @err, in @probe->detail. */
void explain_bpf_failure(struct backend_probe *probe, enum bpf_stage stage, int err);

#endif /* BULWARK_BACKEND_H */
