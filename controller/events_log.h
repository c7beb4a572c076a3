/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events. A BPF ring buffer has one consumer position, so every reader
 * (bulwark exec, bulwark events) drains it under a lock into one log,
 * BULWARK_RUN_DIR/events.log, and then reads the log: no reader takes
 * events away from another, and none are lost between readers.
 */
#ifndef BULWARK_EVENTS_LOG_H
#define BULWARK_EVENTS_LOG_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "bpf_maps.h"

struct event_record {
	struct bw_event event;
	char policy[64]; /* the policy's name, resolved when drained */
};

struct events_log;

/* Opens the log for reading from its end (or start, @from_start). */
int events_log_open(struct bpf_backend *b, bool from_start, struct events_log **out);
void events_log_close(struct events_log *log);
/* Drains the ring buffer into the log, waiting up to @timeout_ms for events. */
int events_log_drain(struct events_log *log, int timeout_ms);
/* The next record after what this reader has seen: 1, 0 at the end, or -errno. */
int events_log_next(struct events_log *log, struct event_record *record);

/* One record as a line of text or JSON. */
void event_print_text(FILE *out, const struct event_record *r);
void event_print_json(FILE *out, const struct event_record *r);

#endif /* BULWARK_EVENTS_LOG_H */
