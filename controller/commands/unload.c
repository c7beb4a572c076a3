// SPDX-License-Identifier: GPL-2.0
/*
 * bulwark unload: detach the BPF programs and remove their pinned maps, and
 * drop bulwark.ko's generation (the module stays loaded); enforcement stops.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "bpf_maps.h"
#include "commands.h"
#include "state.h"

static int stop_enforcing(void)
{
	struct bw_generation none = {0};
	struct bpf_backend *b;
	enum bpf_stage stage;
	__u32 slot;
	int ret;

	ret = bpf_backend_open(&b, false, &stage);
	if (ret == -EPROTO)
		return 0; /* another layout: just remove it */
	if (ret)
		return ret;
	for (slot = 0; slot < BW_SLOTS && !ret; slot++)
		ret = bw_map_update(b, BW_MAP_GENS, &slot, &none);
	bpf_backend_close(b);
	return ret;
}

/* The module's generation, if it has one: dropped. 1 when there was one, 0, or -errno. */
static int clear_module(void)
{
	struct kmod_status st;
	struct kmod *k;
	uint64_t generation;
	int ret;

	ret = kmod_open(&k);
	if (ret == -ENOENT)
		return 0; /* not loaded: nothing to clear */
	if (ret)
		return ret; /* (-EPROTO: a module of another ABI may still enforce) */
	ret = kmod_get_status(k, &st);
	if (!ret && st.generation)
		ret = kmod_clear(k, &generation) ?: 1;
	kmod_close(k);
	return ret;
}

int unload_main(int argc, char *argv[])
{
	int lock, ret, cleared;

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
	cleared = clear_module();
	if (cleared < 0) {
		fprintf(stderr, "%s: cannot clear bulwark.ko's policies: %s\n", prog_name,
			strerror(-cleared));
		state_unlock(lock);
		return 1;
	}
	if (!bpf_backend_is_pinned()) {
		state_clear();
		state_unlock(lock);
		printf(cleared ? "unloaded: nothing is enforced\n" : "nothing was loaded\n");
		return 0;
	}
	/* Enforcement stops at once: no generation is active any more. */
	ret = stop_enforcing();
	if (!ret) {
		state_clear();
		ret = bpf_backend_remove_pins();
	}
	if (ret) {
		fprintf(stderr, "%s: cannot unload %s: %s\n", prog_name, BW_PIN_DIR,
			strerror(-ret));
		state_unlock(lock);
		return 1;
	}
	state_clear();
	state_unlock(lock);
	printf("unloaded: nothing is enforced\n");
	return 0;
}
