/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bulwark learn saw, and the smallest policy that allows it: exec by
 * dpkg package where dpkg installed the file (else by exact path), file
 * rules by directory, network by address, port and protocol. Operations no
 * rule can allow (mounts, user namespaces, ...) become comments.
 */
#ifndef BULWARK_LEARNED_H
#define BULWARK_LEARNED_H

#include <stdint.h>
#include <stdio.h>

#include <linux/types.h>

#include "uapi/linux/bulwark_image.h"

#include "bulwark_maps.h"

struct learned;

struct learned_header {
	const char *name; /* metadata.name */
	uint8_t selector_kind; /* BULWARK_SELECTOR_SYSTEMD_UNIT or _CGROUP */
	const char *selector; /* the unit or cgroup glob */
	const char *what; /* "--unit nginx.service for 10m", for the opening comment */
	unsigned long long events_lost; /* reported dropped while learning */
};

struct learned *learned_new(void);
void learned_free(struct learned *l);
/* Takes one audit event of the learning policy; -ENOMEM when it cannot. */
int learned_add(struct learned *l, const struct bw_event *e);
/* Calls @fn for each file that ran or was mapped as code. */
void learned_for_each_exec(const struct learned *l, void (*fn)(const char *path, void *arg),
			   void *arg);
/* Allows @path by its path even where dpkg installed it (its package's rule would not). */
void learned_by_path(struct learned *l, const char *path);
/* How many events were taken. */
unsigned long learned_count(const struct learned *l);
/*
 * Writes the policy as YAML. @owner gives the dpkg package that installed a
 * path (NULL: none); NULL @owner means no package rules.
 */
int learned_write(struct learned *l, const struct learned_header *h,
		  const char *(*owner)(const char *path, void *arg), void *arg, FILE *out);

/* dpkg's file lists as an owner lookup for learned_write(). */
struct dpkg_owners;
int dpkg_owners_load(struct dpkg_owners **out);
const char *dpkg_owner(const char *path, void *owners);
void dpkg_owners_free(struct dpkg_owners *o);

#endif /* BULWARK_LEARNED_H */
