// SPDX-License-Identifier: GPL-2.0
/*
 * Loads the benchmark's floor (lsm-bpf/floor.bpf.c: BPF LSM programs that
 * decide nothing, on bulwark's hooks), attaches every program, pins each
 * link under /sys/fs/bpf/bulwark-floor/ and exits: the pins keep the
 * programs attached. --unload removes the pins, which detaches them.
 * For the benchmark VM only (tests/vm/suites/bench.sh).
 *
 * Usage: floor-load [--unload]
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "floor.skel.h"

#define PIN_DIR "/sys/fs/bpf/bulwark-floor"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_WARN || getenv("BULWARK_DEBUG_LIBBPF"))
		return vfprintf(stderr, fmt, args);
	return 0;
}

static int unload(void)
{
	struct dirent *e;
	char path[512];
	int rc = 0;
	DIR *dir = opendir(PIN_DIR);

	if (!dir) {
		if (errno == ENOENT)
			return 0;
		perror("floor-load: " PIN_DIR);
		return 1;
	}
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", PIN_DIR, e->d_name);
		if (unlink(path)) {
			fprintf(stderr, "floor-load: unlink %s: %s\n", path, strerror(errno));
			rc = 1;
		}
	}
	closedir(dir);
	if (rmdir(PIN_DIR)) {
		perror("floor-load: rmdir " PIN_DIR);
		rc = 1;
	}
	return rc;
}

static int load(void)
{
	struct bpf_program *prog;
	struct floor_bpf *skel;
	char path[512];
	int n = 0, err;

	skel = floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "floor-load: cannot load the floor programs: %s\n",
			strerror(errno));
		return 1;
	}
	if (mkdir(PIN_DIR, 0700) && errno != EEXIST) {
		perror("floor-load: mkdir " PIN_DIR);
		goto fail;
	}
	bpf_object__for_each_program(prog, skel->obj)
	{
		struct bpf_link *link = bpf_program__attach(prog);

		if (!link) {
			fprintf(stderr, "floor-load: cannot attach %s: %s\n",
				bpf_program__name(prog), strerror(errno));
			goto fail;
		}
		snprintf(path, sizeof(path), "%s/%s", PIN_DIR, bpf_program__name(prog));
		err = bpf_link__pin(link, path);
		/* The pin holds the link now; dropping ours does not detach it. */
		bpf_link__destroy(link);
		if (err) {
			fprintf(stderr, "floor-load: cannot pin %s: %s\n", path, strerror(-err));
			goto fail;
		}
		n++;
	}
	floor_bpf__destroy(skel);
	printf("floor: %d programs attached, pinned under %s\n", n, PIN_DIR);
	return 0;
fail:
	floor_bpf__destroy(skel);
	unload();
	return 1;
}

int main(int argc, char **argv)
{
	libbpf_set_print(quiet);
	if (argc == 2 && !strcmp(argv[1], "--unload"))
		return unload();
	if (argc != 1) {
		fprintf(stderr, "usage: floor-load [--unload]\n");
		return 2;
	}
	return load();
}
