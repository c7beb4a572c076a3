// SPDX-License-Identifier: GPL-2.0
/* bulwark show [--json] IMAGE: a policy image, checked, then printed. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "image_show.h"
#include "image_write.h"

int show_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct image_buffer buffer = {0};
	struct bulwark_image image;
	const char *why = "";
	bool json = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt != 'j')
			goto usage;
		json = true;
	}
	if (optind != argc - 1)
		goto usage;
	ret = image_read_file(argv[optind], &buffer);
	if (ret < 0) {
		fprintf(stderr, "Unable to read policy image '%s': %s\n", argv[optind],
			strerror(-ret));
		return 1;
	}
	ret = bulwark_image_decode(&image, buffer.data, buffer.size, &why);
	if (ret < 0) {
		fprintf(stderr, "Invalid policy image '%s': %s (%s)\n", argv[optind], why,
			strerror(-ret));
		free(buffer.data);
		return 1;
	}
	if (json)
		image_show_json(stdout, &image);
	else
		image_show_yaml(stdout, &image);
	free(buffer.data);
	return 0;
usage:
	fprintf(stderr, "Usage: %s %s [--json] IMAGE\n", prog_name, argv[0]);
	return 2;
}
