/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The controller's state between runs, in BULWARK_RUN_DIR (/run/bulwark):
 *   lock          flock()ed while a generation is built and installed
 *   applied.img   the image `bulwark apply` installed
 *   sessions/N.img, N.cgroup
 *                 each running `bulwark exec`: its policy image and cgroup;
 *                 its policy is BPF policy index BW_SESSION_BASE + N. For a
 *                 `bulwark learn`, N.cgroup holds "learn PID START UNTIL"
 *                 instead (the learner, its start time, and CLOCK_BOOTTIME
 *                 seconds: the session lives while it does, until then) and the policy's selector
 * governs, ahead of the applied image's events.log, events.log.1, events.lock the events read from
 * the ring buffer, rotated, and the lock their readers drain under (see events_log.h)
 *   bulwarkd.status
 *                 bulwarkd's pid, generation, counters and last outcome,
 *                 key=value lines, read by `bulwark status`
 *   bulwarkd.cursor
 *                 the time of the last event bulwarkd took from the log, so
 *                 a restarted bulwarkd forwards what happened while it was down
 * A generation is always built from all of them, so `apply` keeps running
 * sessions and a session's end keeps the applied policies.
 */
#ifndef BULWARK_STATE_H
#define BULWARK_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf_maps.h"
#include "enforce.h"
#include "generation.h"
#include "image_write.h"

#define BULWARK_RUN_DIR "/run/bulwark"
#define BULWARKD_STATUS_FILE "bulwarkd.status"
#define BULWARKD_CURSOR_FILE "bulwarkd.cursor"
/* The files bulwarkd's last install admitted by identity (daemon/admitted.c). */
#define BULWARKD_ADMITTED_FILE "bulwarkd.admitted"

/* Takes the state lock (creating the directory); returns an fd or -errno. */
int state_lock(void);
void state_unlock(int fd);

/*
 * Builds a generation from the applied image (or @applied, when not NULL,
 * in its place) and the live sessions, and installs it. With @applied set
 * and the install successful, @applied becomes the applied image.
 */
int state_install(struct backend *b, const struct image_buffer *applied, struct gen_result *result);

/* Registers a session; *@index gets its number. Call with the lock held. */
int state_session_add(const struct image_buffer *image, const char *cgroup, int *index);
void state_session_remove(int index);
/*
 * Registers a learning session (bulwark learn): its one policy governs what
 * its selector names, ahead of the applied image's, while the calling
 * process lives and for at most @seconds (and a grace of a minute). The
 * next install after that forgets it. *@index gets its number. Call with
 * the lock held.
 */
int state_learn_add(const struct image_buffer *image, unsigned int seconds, int *index);
/*
 * The learning sessions registered: *@live, and *@ended (their learner is
 * gone or past its time: the next install forgets them).
 */
void state_learning_count(unsigned int *live, unsigned int *ended);

/* Forgets the applied image and every session (after bulwark unload). */
void state_clear(void);

/* "state/path" in buffer @buf. */
void state_path(char *buf, size_t size, const char *name);

#endif /* BULWARK_STATE_H */
