// SPDX-License-Identifier: GPL-2.0
/* bulwark unload: detach the BPF programs and remove their pinned maps; enforcement stops. */
#include <stdio.h>
#include <string.h>

#include "bpf_maps.h"
#include "commands.h"
#include "state.h"

int unload_main(int argc, char *argv[])
{
	int lock, ret;

	if (argc > 1) {
		fprintf(stderr, "Usage: %s %s\n", prog_name, argv[0]);
		return 2;
	}
	lock = state_lock();
	if (lock < 0) {
		fprintf(stderr, "%s: cannot lock %s: %s\n", prog_name, BULWARK_RUN_DIR,
			strerror(-lock));
		return 1;
	}
	if (!bpf_backend_is_pinned()) {
		state_clear();
		state_unlock(lock);
		printf("nothing was loaded\n");
		return 0;
	}
	ret = bpf_backend_remove_pins();
	if (ret) {
		fprintf(stderr, "%s: cannot remove %s: %s\n", prog_name, BW_PIN_DIR, strerror(-ret));
		state_unlock(lock);
		return 1;
	}
	state_clear();
	state_unlock(lock);
	printf("unloaded: nothing is enforced\n");
	return 0;
}
