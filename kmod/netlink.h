/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BULWARK_NETLINK_H
#define BULWARK_NETLINK_H

int bulwark_genl_init(void);
void bulwark_genl_uninit(void);

#endif /* BULWARK_NETLINK_H */
