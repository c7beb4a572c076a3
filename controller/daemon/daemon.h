/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bulwarkd: keeps the policies of one directory enforced. What its parts
 * share: the loop, the options, and what is enforced now.
 */
#ifndef BULWARK_DAEMON_H
#define BULWARK_DAEMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "image_write.h"

#define BULWARKD_POLICY_DIR "/etc/bulwark/policies.d"
/* journalctl MESSAGE_ID= of a kernel event, and of a count of suppressed ones. */
#define BULWARKD_EVENT_MESSAGE_ID "4b5e0f3c8d2a4e7b9c1f6a3d5e8b0c27"
#define BULWARKD_SUPPRESSED_MESSAGE_ID "9a2d7c4e1b6f4038a5e2c9d1f7b3e640"
/* ... of a replaced file re-admitted or refused (BULWARK_OP=admit). */
#define BULWARKD_ADMISSION_MESSAGE_ID "e31c5a7f2d8b4c6a9f0e1b3d5c7a9e24"

struct backend;
struct events_log;

/* A file a sha256-pinned exact exec rule names, as it was when looked at. */
struct admitted_file {
	char *path, *policy;
	int64_t state[4]; /* -errno, or device, inode, ctime (s, ns) */
	__u32 first, end; /* its run of rules in the image */
	bool refused; /* no rule takes it since it was refused: kept for a re-admission's event */
};

struct admitted_files {
	struct admitted_file *items; /* by policy name, then path */
	size_t count;
	bool known; /* false: not looked at (no install yet, or adopted) */
};

struct daemon {
	sd_event *loop;
	const char *policy_dir;
	const char *backend; /* --backend, or NULL to choose */
	uint64_t debounce_usec;

	/* What the kernel holds from us: the image and its generation. */
	struct image_buffer image;
	bool have_image;
	uint64_t generation;
	unsigned int policies;
	struct admitted_files admitted; /* the image's pinned files when it was installed */

	unsigned int reloads; /* generations installed */
	unsigned int unchanged; /* reloads that found nothing new */
	unsigned int rejected;
	unsigned int readmitted, refused; /* replaced files, by admission events */
	char last[640]; /* the last reload's outcome, one line */

	sd_event_source *debounce;

	/* Events to the journal (journal_events.c). */
	struct backend *events_backend;
	struct events_log *events;
	uint64_t second_start;
	unsigned int forwarded_this_second, suppressed_this_second;
	unsigned long long events_forwarded, events_suppressed;
	uint64_t started_ns; /* CLOCK_MONOTONIC, as events' time_ns */
	/* The time_ns of the last event taken from the log (BULWARKD_CURSOR_FILE). */
	uint64_t cursor;
	bool catching_up; /* reading the log from its start, up to the cursor */
};

/*
 * Compiles the directory and, when it differs from what runs, installs it
 * as a new generation; a rejected or failed reload leaves the running one.
 * Tells systemd (RELOADING=1, READY=1, STATUS=) and writes the status file.
 * @why says what asked ("start", "SIGHUP", "change in DIR").
 * Returns 0 when the kernel enforces the directory's policies (or there
 * are none), else -errno.
 */
int daemon_reload(struct daemon *d, const char *why);

/*
 * At start: when a backend already enforces exactly the directory's
 * policies (bulwarkd restarted), takes them over without a new generation.
 * Returns 1 when it did, 0 when a reload is needed, or -errno.
 */
int daemon_adopt(struct daemon *d);

/* The watchdog fed by a thread while a start or a reload works (keepalive.c). */
struct keepalive {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	uint64_t interval_usec;
	bool stop, running;
};

void keepalive_start(struct keepalive *k);
void keepalive_stop(struct keepalive *k);

/* Watches the directory; a burst of changes gives one reload after it. */
int daemon_watch(struct daemon *d);

/* Tells systemd (READY=1, STATUS=) and `bulwark status` (the status file) how things stand. */
void daemon_publish(const struct daemon *d);

/* True when a backend holds policies (BPF pinned, or bulwark.ko loaded). */
bool daemon_something_enforces(void);

/* Forwards the kernel's events to the journal, polled on the loop. */
int daemon_forward_events(struct daemon *d);
/* Fires @s once more, at @usec on its clock. */
int daemon_rearm(sd_event_source *s, uint64_t usec);
/* Removes, every few seconds, the learning sessions their bulwark learn left. */
int daemon_watch_learning(struct daemon *d);
void daemon_stop_events(struct daemon *d);

/* Drops every capability but those a reload needs (see privileges.c). */
int daemon_drop_privileges(void);

/* The files @image's sha256-pinned exact exec rules name, as they are now (admitted.c). */
int daemon_admitted_files(const struct image_buffer *image, struct admitted_files *out);
/* Whether both name the same files with the same identities. */
bool daemon_admitted_same(const struct admitted_files *a, const struct admitted_files *b);
void daemon_admitted_free(struct admitted_files *files);
/*
 * After d->image was installed: one journal event (BULWARK_OP=admit) for
 * each file of @before replaced since, re-admitted or refused, and for each
 * file refused before that a rule takes again. Adds to @now the refused
 * files no rule takes, so a later install can re-admit them.
 */
void daemon_report_admissions(struct daemon *d, const struct admitted_files *before,
			      struct admitted_files *now);
/* Keeps @files as installed as @generation (BULWARKD_ADMITTED_FILE); errors are logged. */
void daemon_admitted_save(const struct admitted_files *files, uint64_t generation);
/* What daemon_admitted_save() kept, if it was for @generation; else -errno. */
int daemon_admitted_load(struct admitted_files *out, uint64_t generation);

#endif /* BULWARK_DAEMON_H */
