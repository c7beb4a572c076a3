/* SPDX-License-Identifier: GPL-2.0 */
/* The one place the release version is written; module and controller both include it. */
#ifndef BULWARK_VERSION_H
#define BULWARK_VERSION_H

#define BULWARK_VERSION "0.1.0"

#endif /* BULWARK_VERSION_H */
