// SPDX-License-Identifier: GPL-2.0
/*
 * A bulwark learn that dies (kill -9, a crash) or runs past its duration
 * cannot remove its learning session, an audit policy ahead of the applied
 * ones: bulwarkd looks every few seconds and reinstalls without it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "enforce.h"
#include "state.h"

#define LEARNING_CHECK_USEC (5 * 1000000ull)

static void end_stale_learning(struct daemon *d)
{
	unsigned int live, ended;
	struct gen_result result;
	struct backend *b = NULL;
	int lock, ret;

	state_learning_count(&live, &ended);
	if (!ended)
		return;
	lock = state_lock();
	if (lock < 0) {
		fprintf(stderr, SD_ERR "cannot lock %s to remove an ended learning session: %s\n",
			BULWARK_RUN_DIR, strerror(-lock));
		return;
	}
	ret = enforce_open_backend(d->backend, false, &b);
	if (!ret) {
		ret = state_install(b, NULL, &result);
		if (ret)
			fprintf(stderr, SD_ERR "cannot remove an ended learning session: %s\n",
				result.why);
		else
			fprintf(stderr,
				SD_NOTICE "removed %u learning session%s its bulwark learn left "
					  "(it died, or ran past its duration): generation %llu\n",
				ended, ended == 1 ? "" : "s",
				(unsigned long long)result.generation);
	}
	enforce_close_backend(b);
	state_unlock(lock);
}

static int on_check(sd_event_source *s, uint64_t usec, void *userdata)
{
	end_stale_learning(userdata);
	return daemon_rearm(s, usec + LEARNING_CHECK_USEC);
}

int daemon_watch_learning(struct daemon *d)
{
	uint64_t now;
	int ret = sd_event_now(d->loop, CLOCK_MONOTONIC, &now);

	if (ret >= 0)
		ret = sd_event_add_time(d->loop, NULL, CLOCK_MONOTONIC, now + LEARNING_CHECK_USEC,
					0, on_check, d);
	if (ret < 0)
		fprintf(stderr, SD_ERR "cannot watch learning sessions: %s\n", strerror(-ret));
	return ret;
}
