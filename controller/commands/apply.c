// SPDX-License-Identifier: GPL-2.0
/*
 * bulwark apply [--backend bpf|kmod] FILE|DIR...|IMAGE: compile (unless given an
 * image), choose the backend (see enforce.h), load the BPF one if it is not loaded, and install the
 * policies as a new generation. A rejected or failed apply leaves the
 * running generation as it was.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "enforce.h"
#include "state.h"

int apply_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"backend", required_argument, NULL, 'b'},
		{NULL, 0, NULL, 0},
	};
	struct image_buffer image = {0};
	struct backend *b = NULL;
	const char *backend = NULL;
	struct gen_result result;
	int opt, lock = -1, ret = 1;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt != 'b')
			goto usage;
		backend = optarg;
	}
	if (optind >= argc)
		goto usage;
	if (enforce_input_image(argc - optind, argv + optind, &image))
		goto out;
	lock = state_lock();
	if (lock < 0) {
		fprintf(stderr, "%s: cannot lock %s: %s\n", prog_name, BULWARK_RUN_DIR,
			strerror(-lock));
		goto out;
	}
	if (enforce_open_backend(backend, true, &b))
		goto out;
	if (state_install(b, &image, &result)) {
		fprintf(stderr, "%s: not applied: %s\n", prog_name, result.why);
		goto out;
	}
	printf("generation %llu applied: %u policies, %u path entries, %u network entries, "
	       "%u files admitted by identity\n",
	       (unsigned long long)result.generation, result.policies, result.path_entries,
	       result.net_entries, result.identities);
	if (result.not_admitted)
		fprintf(stderr,
			"%s: warning: %u exact exec allow rule%s name%s a file that is missing "
			"or whose sha256 differs: denied until admitted\n",
			prog_name, result.not_admitted, result.not_admitted == 1 ? "" : "s",
			result.not_admitted == 1 ? "s" : "");
	ret = 0;
out:
	state_unlock(lock);
	enforce_close_backend(b);
	free(image.data);
	return ret;
usage:
	fprintf(stderr, "Usage: %s %s [--backend bpf|kmod] FILE|DIR...|IMAGE\n", prog_name,
		argv[0]);
	return 2;
}
