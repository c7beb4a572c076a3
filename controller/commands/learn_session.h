/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bulwark learn's session: an audit policy with every default deny for what
 * one selector names, installed ahead of the applied policies while learn
 * runs (state.h), and the events it reports.
 */
#ifndef BULWARK_LEARN_SESSION_H
#define BULWARK_LEARN_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "enforce.h"
#include "events_log.h"
#include "learned.h"

struct learn_session {
	struct backend *b;
	struct events_log *log;
	int index;
	bool registered, installed;
	uint64_t first_generation; /* the install that started it */
	uint64_t end_generation; /* the install that ended it, 0 while it runs */
};

/*
 * Opens the backend and the events log, refuses what an applied policy or
 * another learn governs already, and installs the session for at most
 * @seconds. Errors are reported here; returns 0 or -errno.
 */
int learn_session_start(struct learn_session *s, uint8_t kind, const char *selector,
			const char *backend, unsigned int seconds);
/* Removes the session (reinstalls without it). Errors are reported here. */
int learn_session_end(struct learn_session *s);
void learn_session_close(struct learn_session *s);

/* Takes the session's events logged so far into @l; 0 or -errno (reported). */
int learn_session_take(struct learn_session *s, struct learned *l);
/* Events the kernel dropped, host-wide, so far (0 when it cannot say). */
unsigned long long learn_session_events_lost(const struct learn_session *s);

#endif /* BULWARK_LEARN_SESSION_H */
