// SPDX-License-Identifier: GPL-2.0
/* Shared by the enforcing commands; see enforce.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "commands.h"
#include "enforce.h"
#include "policy.h"

static bool is_image_file(const char *path)
{
	char magic[sizeof(BULWARK_IMAGE_MAGIC)];
	bool yes = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, magic, sizeof(magic)) == sizeof(magic))
		yes = !memcmp(magic, BULWARK_IMAGE_MAGIC, sizeof(magic));
	close(fd);
	return yes;
}

int enforce_compile_paths(int count, char *const paths[], FILE *report, struct image_buffer *out)
{
	struct policy_set set;
	struct diag diag;
	int ret;

	diag_init(&diag, report);
	policy_set_init(&set, &diag);
	if (policy_load(&set, count, paths)) {
		fprintf(report, "%u error%s: nothing applied\n", diag.errors,
			diag.errors == 1 ? "" : "s");
		policy_set_free(&set);
		return -EINVAL;
	}
	ret = image_build(&set, out);
	policy_set_free(&set);
	if (ret)
		fprintf(report, "%s: cannot compile the policies: %s\n", prog_name, strerror(-ret));
	return ret;
}

int enforce_input_image(int count, char *const paths[], struct image_buffer *out)
{
	int ret;

	if (count == 1 && is_image_file(paths[0])) {
		ret = image_read_file(paths[0], out);
		if (ret)
			fprintf(stderr, "%s: cannot read the policy image '%s': %s\n", prog_name,
				paths[0], strerror(-ret));
		return ret;
	}
	return enforce_compile_paths(count, paths, stderr, out);
}

static int open_bpf(bool load, struct backend *be, struct kmod *k, bool quiet)
{
	struct backend_probe probe;
	enum bpf_stage stage = BPF_STAGE_OPEN;
	int ret;

	ret = bpf_backend_open(&be->bpf, load, &stage);
	if (!ret) {
		be->kind = BACKEND_BPF;
		return 0;
	}
	if (quiet && ret != -EPROTO && ret != -ENOLINK)
		return ret;
	if (ret == -ENOENT && !load)
		fprintf(stderr, "%s: nothing is loaded (bulwark apply loads policies)\n",
			prog_name);
	else if (ret == -ENOLINK)
		fprintf(stderr,
			"%s: nothing is loaded: an interrupted load left maps in %s "
			"(bulwark apply or unload clears them)\n",
			prog_name, BW_PIN_DIR);
	else if (ret == -EPROTO)
		fprintf(stderr,
			"%s: the pinned BPF maps in %s come from another version of bulwark; "
			"run bulwark unload first\n",
			prog_name, BW_PIN_DIR);
	else {
		explain_bpf_failure(&probe, stage, ret);
		fprintf(stderr, "%s: %s%s\n", prog_name, probe.detail,
			k ? "" : "; bulwark.ko is not loaded either (modprobe bulwark)");
	}
	return ret;
}

static void report_kmod_failure(int ret)
{
	if (ret == -ENOENT)
		fprintf(stderr, "%s: bulwark.ko is not loaded (modprobe bulwark)\n", prog_name);
	else if (ret == -EPROTO)
		fprintf(stderr,
			"%s: bulwark.ko speaks another netlink ABI than this controller (%d)\n",
			prog_name, BULWARK_GENL_VERSION);
	else
		fprintf(stderr, "%s: cannot talk to bulwark.ko: %s\n", prog_name, strerror(-ret));
}

int enforce_open_backend(const char *name, bool load, struct backend **out)
{
	struct backend *be = calloc(1, sizeof(*be));
	struct kmod_status st = {0};
	struct kmod *k = NULL;
	bool kmod_live, bpf_pinned = bpf_backend_is_pinned();
	int kret, ret;

	if (!be)
		return -ENOMEM;
	if (name && strcmp(name, "bpf") && strcmp(name, "kmod")) {
		fprintf(stderr, "%s: unknown backend '%s' (bpf or kmod)\n", prog_name, name);
		free(be);
		return -EINVAL;
	}
	/*
	 * Asked for the BPF backend while it enforces (pinned): the module
	 * changes nothing, and asking for its family when it is not loaded
	 * makes the kernel run modprobe, the slowest step of a bulwark exec.
	 */
	if (name && !strcmp(name, "bpf") && bpf_pinned)
		kret = -ENOENT;
	else
		kret = kmod_open(&k);
	kmod_live = !kret && !kmod_get_status(k, &st) && st.generation;
	if (name && !strcmp(name, "kmod")) {
		if (kret) {
			report_kmod_failure(kret);
			ret = kret;
		} else if (bpf_pinned) {
			fprintf(stderr,
				"%s: the BPF backend is enforcing; bulwark unload it before "
				"using bulwark.ko\n",
				prog_name);
			ret = -EBUSY;
		} else {
			be->kind = BACKEND_KMOD;
			be->kmod = k;
			*out = be;
			return 0;
		}
		goto fail;
	}
	if (kmod_live && !bpf_pinned) {
		if (name) {
			fprintf(stderr,
				"%s: bulwark.ko is enforcing generation %llu; bulwark unload it "
				"before using the BPF backend\n",
				prog_name, (unsigned long long)st.generation);
			ret = -EBUSY;
			goto fail;
		}
		be->kind = BACKEND_KMOD;
		be->kmod = k;
		*out = be;
		return 0;
	}
	/* Choosing, with the module loaded: it enforces where BPF LSM programs do not load. */
	ret = open_bpf(load, be, k, !name && load && !kret);
	if (ret && !name && load && !kret && ret != -EPROTO && ret != -ENOLINK) {
		/* BPF LSM programs do not load here: the module enforces. Say why. */
		struct backend_probe probe;

		explain_bpf_failure(&probe, BPF_STAGE_LOAD, ret);
		fprintf(stderr, "%s: using bulwark.ko: the BPF backend is not usable (%s)\n",
			prog_name, probe.detail);
		be->kind = BACKEND_KMOD;
		be->kmod = k;
		*out = be;
		return 0;
	}
	if (ret)
		goto fail;
	kmod_close(k);
	*out = be;
	return 0;
fail:
	kmod_close(k);
	free(be);
	return ret;
}

void enforce_close_backend(struct backend *be)
{
	if (!be)
		return;
	bpf_backend_close(be->bpf);
	kmod_close(be->kmod);
	free(be);
}

const char *backend_name(const struct backend *be)
{
	return be->kind == BACKEND_KMOD ? "kmod" : "bpf";
}
