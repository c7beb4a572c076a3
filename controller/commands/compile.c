// SPDX-License-Identifier: GPL-2.0
/*
 * bulwark compile -o IMAGE FILE...: policies in, one policy image out,
 * written atomically; on any error nothing is written.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "image_write.h"
#include "policy.h"

int compile_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct image_buffer image = {0};
	const char *output = NULL;
	struct policy_set set;
	struct diag diag;
	int opt, ret = 1;

	while ((opt = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		if (opt != 'o')
			goto usage;
		output = optarg;
	}
	if (!output || optind >= argc)
		goto usage;

	diag_init(&diag, stderr);
	policy_set_init(&set, &diag);
	if (policy_load(&set, argc - optind, argv + optind)) {
		fprintf(stderr, "%u error%s: %s not written\n", diag.errors,
			diag.errors == 1 ? "" : "s", output);
		goto out;
	}
	ret = image_build(&set, &image);
	if (ret < 0) {
		fprintf(stderr, "Unable to compile the policy image: %s\n", strerror(-ret));
		ret = 1;
		goto out;
	}
	ret = image_write_file(output, &image);
	if (ret < 0) {
		fprintf(stderr, "Unable to write the policy image '%s': %s\n", output,
			strerror(-ret));
		ret = 1;
		goto out;
	}
	ret = 0;
out:
	free(image.data);
	policy_set_free(&set);
	return ret;
usage:
	fprintf(stderr, "Usage: %s %s -o IMAGE FILE|DIR...\n", prog_name, argv[0]);
	return 2;
}
