/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where events come from: the BPF backend's ring buffer or the module's
 * multicast group, behind one reader (the events log drains either).
 */
#ifndef BULWARK_EVENT_SOURCE_H
#define BULWARK_EVENT_SOURCE_H

#include "enforce.h"

struct event_reader;

/* @fn gets each event and, when the backend names it, its policy's name. */
int event_reader_open(struct backend *be, bw_event_fn fn, void *ctx, struct event_reader **out);
/* Waits up to @timeout_ms for events, without consuming them. */
int event_reader_wait(struct event_reader *r, int timeout_ms);
/* Hands every event there is to the callback; returns how many, or -errno. */
int event_reader_consume(struct event_reader *r);
void event_reader_close(struct event_reader *r);

#endif /* BULWARK_EVENT_SOURCE_H */
