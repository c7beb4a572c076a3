// SPDX-License-Identifier: GPL-2.0
/*
 * bulwark status: which enforcement backends this machine can use, one line
 * each, with the reason when it cannot. Exits 0 when at least one is usable.
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "commands.h"

int status_main(int argc, char *argv[])
{
	struct backend_probe bpf, kmod;

	if (argc > 1) {
		fprintf(stderr, "Usage: %s %s\n", prog_name, argv[0]);
		return 2;
	}
	probe_bpf_backend(&bpf);
	probe_kmod_backend(&kmod);
	printf("bpf: %s: %s\n", bpf.usable ? "usable" : "not usable", bpf.detail);
	printf("kmod: %s: %s\n", kmod.usable ? "usable" : "not usable", kmod.detail);
	return bpf.usable || kmod.usable ? 0 : 1;
}
