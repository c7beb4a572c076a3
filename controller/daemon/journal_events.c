// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's events, forwarded to the journal with structured fields
 * (BULWARK_OP=, BULWARK_VERDICT=, BULWARK_RULE=, BULWARK_POLICY=,
 * BULWARK_CGROUP=, BULWARK_EXE=, BULWARK_OBJECT=, MESSAGE_ID=), so that
 * `journalctl -u bulwarkd BULWARK_OP=exec` finds them. bulwarkd is one more
 * reader of the events log (events_log.h): `bulwark events` keeps seeing
 * every event beside it. At most EVENTS_PER_SECOND a second reach the
 * journal; the rest are counted, and each second that suppressed some
 * says how many (BULWARK_SUPPRESSED=). Polled every POLL_USEC.
 *
 * The time of the last event taken is kept in BULWARKD_CURSOR_FILE: a
 * bulwarkd started again (after a stop, a crash, kill -9) reads the log
 * from its oldest record and forwards every event after that time, so what
 * the kernel denied while no bulwarkd ran reaches the journal too. Without
 * a cursor (the first start) it forwards what happened after it started.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "events_log.h"
#include "state.h"

#define POLL_USEC 250000
#define EVENTS_PER_SECOND 100
#define SECOND_USEC 1000000

static void forward(const struct event_record *r)
{
	const struct bw_event *e = &r->event;
	char object[BW_OBJECT_MAX + 64], message[BW_OBJECT_MAX + BW_EXE_MAX + 256];
	FILE *f = fmemopen(message, sizeof(message), "w");

	message[0] = '\0';
	if (f) {
		event_print_text(f, r);
		fclose(f);
	}
	message[sizeof(message) - 1] = '\0';
	message[strcspn(message, "\n")] = '\0';
	event_object_text(e, object, sizeof(object));
	sd_journal_send("MESSAGE=%s", message, "MESSAGE_ID=" BULWARKD_EVENT_MESSAGE_ID,
			"PRIORITY=%d", e->verdict == BW_VERDICT_AUDIT ? LOG_NOTICE : LOG_WARNING,
			"BULWARK_OP=%s", event_op_name(e->op), "BULWARK_VERDICT=%s",
			e->verdict == BW_VERDICT_AUDIT ? "audit" : "deny", "BULWARK_RULE=%u",
			e->rule, "BULWARK_POLICY=%.*s", (int)sizeof(r->policy), r->policy,
			"BULWARK_CGROUP=%llu", (unsigned long long)e->cgroup, "BULWARK_EXE=%.*s",
			(int)sizeof(e->exe), e->exe, "BULWARK_OBJECT=%s", object, "BULWARK_PID=%u",
			e->pid, "BULWARK_COMM=%.*s", (int)sizeof(e->comm), e->comm,
			"BULWARK_GENERATION=%llu", (unsigned long long)e->generation, NULL);
}

#define CURSOR_PATH BULWARK_RUN_DIR "/" BULWARKD_CURSOR_FILE
#define CURSOR_TMP_PATH CURSOR_PATH ".tmp"

/* Whether a cursor was kept (by this bulwarkd's predecessor). */
static bool read_cursor(struct daemon *d)
{
	FILE *f = fopen(CURSOR_PATH, "re");
	bool found;

	if (!f)
		return false;
	found = fscanf(f, "%" SCNu64, &d->cursor) == 1;
	fclose(f);
	return found;
}

/* Replaced whole (rename), so a crash leaves the old cursor or the new one. */
static void write_cursor(struct daemon *d)
{
	FILE *f = fopen(CURSOR_TMP_PATH, "we");
	bool ok;

	if (!f) {
		fprintf(stderr, SD_WARNING "cannot write %s: %s\n", CURSOR_TMP_PATH,
			strerror(errno));
		return;
	}
	ok = fprintf(f, "%" PRIu64 "\n", d->cursor) > 0;
	ok = !fclose(f) && ok;
	if (!ok || rename(CURSOR_TMP_PATH, CURSOR_PATH))
		fprintf(stderr, SD_WARNING "cannot write %s: %s\n", CURSOR_PATH, strerror(errno));
}

static void close_log(struct daemon *d)
{
	events_log_close(d->events);
	enforce_close_backend(d->events_backend);
	d->events = NULL;
	d->events_backend = NULL;
}

static void open_log(struct daemon *d)
{
	if (!daemon_something_enforces())
		return;
	if (enforce_open_backend(d->backend, false, &d->events_backend))
		return;
	/* From the oldest record kept: on_tick() skips what was taken before. */
	d->catching_up = true;
	if (events_log_open(d->events_backend, true, &d->events)) {
		enforce_close_backend(d->events_backend);
		d->events_backend = NULL;
	}
}

static void end_second(struct daemon *d, uint64_t now)
{
	if (d->suppressed_this_second)
		sd_journal_send("MESSAGE=%u events not written to the journal in the last second "
				"(at most %u a second); bulwark events has every one",
				d->suppressed_this_second, EVENTS_PER_SECOND,
				"MESSAGE_ID=" BULWARKD_SUPPRESSED_MESSAGE_ID, "PRIORITY=%d",
				LOG_WARNING, "BULWARK_SUPPRESSED=%u", d->suppressed_this_second,
				NULL);
	d->second_start = now;
	d->forwarded_this_second = 0;
	d->suppressed_this_second = 0;
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;
	unsigned long long seen = d->events_forwarded + d->events_suppressed;
	struct event_record r;
	int ret;

	if (usec >= d->second_start + SECOND_USEC)
		end_second(d, usec);
	if (!d->events)
		open_log(d);
	if (d->events) {
		if (events_log_drain(d->events, 0) < 0) {
			/* Unloaded, or the other backend now: open again at the next tick. */
			close_log(d);
		} else {
			while ((ret = events_log_next(d->events, &r)) == 1) {
				/* Up to the first record after the cursor: taken before. */
				if (d->catching_up && r.event.time_ns <= d->cursor)
					continue;
				d->catching_up = false;
				d->cursor = r.event.time_ns;
				if (d->forwarded_this_second < EVENTS_PER_SECOND) {
					forward(&r);
					d->forwarded_this_second++;
					d->events_forwarded++;
				} else {
					d->suppressed_this_second++;
					d->events_suppressed++;
				}
			}
		}
	}
	if (d->events_forwarded + d->events_suppressed != seen) {
		write_cursor(d);
		daemon_publish(d);
	}
	return daemon_rearm(s, usec + POLL_USEC);
}

int daemon_forward_events(struct daemon *d)
{
	uint64_t now;
	int ret;

	if (!read_cursor(d)) {
		/* The first start: what happened before it is history. */
		d->cursor = d->started_ns;
		write_cursor(d);
	}
	ret = sd_event_now(d->loop, CLOCK_MONOTONIC, &now);
	if (ret >= 0)
		ret = sd_event_add_time(d->loop, NULL, CLOCK_MONOTONIC, now + POLL_USEC, 0, on_tick,
					d);
	if (ret < 0)
		fprintf(stderr, SD_ERR "cannot poll for events: %s\n", strerror(-ret));
	return ret;
}

void daemon_stop_events(struct daemon *d)
{
	close_log(d);
}
