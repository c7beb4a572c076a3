// SPDX-License-Identifier: GPL-2.0
/* bulwark version: the controller's release and the kernel ABI it speaks. */
#include <stdio.h>

#include "commands.h"
#include "uapi/linux/bulwark.h"
#include "version.h"

int version_main(int argc, char *argv[])
{
	if (argc > 1) {
		fprintf(stderr, "Usage: %s %s\n", prog_name, argv[0]);
		return 2;
	}
	printf("bulwark %s (netlink ABI %u)\n", BULWARK_VERSION, BULWARK_GENL_VERSION);
	return 0;
}
