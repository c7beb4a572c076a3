// SPDX-License-Identifier: GPL-2.0
/* The BPF LSM backend: the only file that talks to libbpf. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <bpf/libbpf.h>

#include "backend.h"
#include "bulwark.skel.h"

struct bpf_backend {
	struct bulwark_bpf *skel;
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
	}
	return "?";
}

int bpf_backend_attach(struct bpf_backend **out, enum bpf_stage *failed)
{
	struct bpf_backend *backend;
	int ret;

	libbpf_set_print(libbpf_print);
	backend = calloc(1, sizeof(*backend));
	if (!backend)
		return -ENOMEM;

	*failed = BPF_STAGE_OPEN;
	backend->skel = bulwark_bpf__open();
	if (!backend->skel) {
		ret = -errno;
		goto out;
	}
	*failed = BPF_STAGE_LOAD;
	ret = bulwark_bpf__load(backend->skel);
	if (ret)
		goto out;
	*failed = BPF_STAGE_ATTACH;
	ret = bulwark_bpf__attach(backend->skel);
	if (ret)
		goto out;
	*out = backend;
	return 0;
out:
	bpf_backend_detach(backend);
	return ret < 0 ? ret : -EINVAL;
}

uint64_t bpf_backend_exec_count(const struct bpf_backend *backend)
{
	return __atomic_load_n(&backend->skel->bss->exec_count, __ATOMIC_RELAXED);
}

void bpf_backend_detach(struct bpf_backend *backend)
{
	if (!backend)
		return;
	bulwark_bpf__destroy(backend->skel);
	free(backend);
}
