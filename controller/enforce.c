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

int enforce_input_image(int count, char *const paths[], struct image_buffer *out)
{
	struct policy_set set;
	struct diag diag;
	int ret;

	if (count == 1 && is_image_file(paths[0])) {
		ret = image_read_file(paths[0], out);
		if (ret)
			fprintf(stderr, "%s: cannot read the policy image '%s': %s\n", prog_name,
				paths[0], strerror(-ret));
		return ret;
	}
	diag_init(&diag, stderr);
	policy_set_init(&set, &diag);
	if (policy_load(&set, count, paths)) {
		fprintf(stderr, "%u error%s: nothing applied\n", diag.errors,
			diag.errors == 1 ? "" : "s");
		policy_set_free(&set);
		return -EINVAL;
	}
	ret = image_build(&set, out);
	policy_set_free(&set);
	if (ret)
		fprintf(stderr, "%s: cannot compile the policies: %s\n", prog_name, strerror(-ret));
	return ret;
}

int enforce_open_backend(const char *backend, bool load, struct bpf_backend **out)
{
	struct backend_probe probe;
	enum bpf_stage stage = BPF_STAGE_OPEN;
	int ret;

	if (backend && strcmp(backend, "bpf")) {
		if (!strcmp(backend, "kmod"))
			fprintf(stderr, "%s: the kmod backend cannot enforce policies yet\n",
				prog_name);
		else
			fprintf(stderr, "%s: unknown backend '%s' (bpf or kmod)\n", prog_name,
				backend);
		return -EINVAL;
	}
	ret = bpf_backend_open(out, load, &stage);
	if (!ret)
		return 0;
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
		fprintf(stderr, "%s: %s\n", prog_name, probe.detail);
	}
	return ret;
}
