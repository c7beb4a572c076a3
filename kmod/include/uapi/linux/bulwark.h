/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * bulwark: the contract between bulwark.ko and its controller.
 *
 * The module registers the generic netlink family BULWARK_GENL_NAME in the
 * initial network namespace. BULWARK_GENL_VERSION is the ABI version: it
 * changes whenever a command or attribute changes meaning, and the
 * controller refuses to talk to a module whose ABI it does not know.
 *
 * Commands
 * --------
 *
 * BULWARK_CMD_GET_VERSION
 *   Request: no attributes. Any user may ask.
 *   Reply (same command):
 *     BULWARK_A_ABI_VERSION      NLA_U32     == BULWARK_GENL_VERSION
 *     BULWARK_A_MODULE_VERSION   NLA_STRING  e.g. "0.1.0", at most
 *                                            BULWARK_MODULE_VERSION_MAX bytes
 *                                            including the terminating NUL
 *
 * Errors
 * ------
 *
 *   EINVAL      an attribute the command does not take, or of the wrong type
 *               (attribute policies are strict)
 *   EOPNOTSUPP  a command number this module does not know
 *   ENOMEM      the reply could not be allocated
 *
 * Attribute numbers and command numbers are never reused; new ones are only
 * ever added before the __BULWARK_*_LAST / __BULWARK_CMD_MAX markers.
 */
#ifndef _UAPI_LINUX_BULWARK_H
#define _UAPI_LINUX_BULWARK_H

#define BULWARK_GENL_NAME "bulwark"
#define BULWARK_GENL_VERSION 1

#define BULWARK_MODULE_VERSION_MAX 32

enum bulwark_cmd { BULWARK_CMD_UNSPEC, BULWARK_CMD_GET_VERSION, __BULWARK_CMD_MAX };

#define BULWARK_CMD_MAX (__BULWARK_CMD_MAX - 1)

enum bulwark_attr {
	BULWARK_A_UNSPEC,
	BULWARK_A_ABI_VERSION,
	BULWARK_A_MODULE_VERSION,
	__BULWARK_A_LAST
};

#define BULWARK_A_MAX (__BULWARK_A_LAST - 1)

#endif /* _UAPI_LINUX_BULWARK_H */
