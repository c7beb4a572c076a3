/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two enforcement backends as the controller sees them. bpf.c and genl.c
 * are the only files that talk to libbpf and libnl; probe.c decides, from
 * what they report, whether a backend is usable and says why not.
 */
#ifndef BULWARK_BACKEND_H
#define BULWARK_BACKEND_H

#include <stdbool.h>
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
