// SPDX-License-Identifier: GPL-2.0
/*
 * After set-up (the BPF programs loaded, the first generation installed)
 * bulwarkd keeps only the capabilities a reload uses, with libcap-ng:
 *   CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN  update the pinned BPF maps
 *   CAP_NET_ADMIN                        bulwark.ko's admin-only netlink commands
 *   CAP_DAC_READ_SEARCH                  stat and hash any file a rule names
 *   CAP_SYS_RESOURCE                     map memory beyond RLIMIT_MEMLOCK on old kernels
 * The unit's CapabilityBoundingSet= holds the same set, so nothing it runs
 * can get the others back.
 */
#include <cap-ng.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "daemon.h"

int daemon_drop_privileges(void)
{
	capng_clear(CAPNG_SELECT_CAPS);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_BPF, CAP_PERFMON,
			  CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_DAC_READ_SEARCH, CAP_SYS_RESOURCE,
			  -1) ||
	    capng_apply(CAPNG_SELECT_CAPS)) {
		fprintf(stderr, SD_ERR "cannot drop capabilities (libcap-ng)\n");
		return -EPERM;
	}
	return 0;
}
