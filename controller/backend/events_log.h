/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events. A BPF ring buffer has one consumer position, so every reader
 * (bulwark exec, bulwark events) drains it under a lock (events.lock) into
 * one log, BULWARK_RUN_DIR/events.log, and then reads the log: no reader
 * takes events away from another, and none are lost between readers.
 *
 * The log is rotated: when a record would take events.log past its cap
 * (16 MiB; BULWARK_EVENTS_LOG_MAX bytes when set, for tests), events.log
 * first becomes events.log.1, replacing the one before, and a new
 * events.log is started, under the same lock. A record is never split
 * between the two. A reader whose file was rotated reads it to its end and
 * goes on with the file that followed it, so it sees every record once,
 * unless it falls so far behind that a file it has not read yet is rotated
 * out of events.log.1 as well.
 */
#ifndef BULWARK_EVENTS_LOG_H
#define BULWARK_EVENTS_LOG_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "bpf_maps.h"
#include "enforce.h"

struct event_record {
	struct bw_event event;
	char policy[64]; /* the policy's name, resolved when drained */
};

struct events_log;

/*
 * Opens the log for reading from its end, or with @from_start from the
 * oldest record kept (events.log.1, then events.log).
 */
int events_log_open(struct backend *be, bool from_start, struct events_log **out);
/* The same, with the log in @dir instead of BULWARK_RUN_DIR (for tests). */
int events_log_open_at(struct backend *be, const char *dir, bool from_start,
		       struct events_log **out);
void events_log_close(struct events_log *log);

/*
 * Drains the ring buffer into the log, waiting up to @timeout_ms for events.
 * This and events_log_next() are polled, and the commands go on after a
 * failure: both report their failures themselves (once, not at every poll)
 * as well as returning them.
 */
int events_log_drain(struct events_log *log, int timeout_ms);
/* The next record after what this reader has seen: 1, 0 at the end, or -errno. */
int events_log_next(struct events_log *log, struct event_record *record);

/* An operation's name ("open", "exec", ...) and an event's object as text. */
const char *event_op_name(__u8 op);
void event_object_text(const struct bw_event *e, char *buf, size_t size);

/* One record as a line of text or JSON. */
void event_print_text(FILE *out, const struct event_record *r);
void event_print_json(FILE *out, const struct event_record *r);

#endif /* BULWARK_EVENTS_LOG_H */
