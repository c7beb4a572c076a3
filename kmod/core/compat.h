/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decision core (image.c, decide.c) is plain C compiled twice: into
 * bulwark.ko and into the controller, so `bulwark explain` runs exactly the
 * code the kernel runs. This header is the only place the two worlds differ.
 */
#ifndef BULWARK_CORE_COMPAT_H
#define BULWARK_CORE_COMPAT_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>
#endif

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the policy image is little-endian and read in place: big-endian hosts are not supported"
#endif

#endif /* BULWARK_CORE_COMPAT_H */
