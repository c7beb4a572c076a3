// SPDX-License-Identifier: GPL-2.0
/*
 * The watchdog fed while a start or a reload works. systemd arms
 * WatchdogSec= from the moment the service starts, and loading BPF
 * programs or hashing the files trust rules name can outlast it on a busy
 * or slow host while the event loop, which feeds it otherwise, waits for
 * the work. A thread sends WATCHDOG=1 at half the interval while the work
 * runs, for at most KEEPALIVE_MAX_USEC: work that takes longer is stuck,
 * and the watchdog then restarts the daemon as it should.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "daemon.h"

#define KEEPALIVE_MAX_USEC (300ULL * 1000000)

static void deadline_after(struct timespec *at, uint64_t usec)
{
	clock_gettime(CLOCK_MONOTONIC, at);
	at->tv_sec += usec / 1000000;
	at->tv_nsec += (usec % 1000000) * 1000;
	if (at->tv_nsec >= 1000000000) {
		at->tv_sec++;
		at->tv_nsec -= 1000000000;
	}
}

static void *feed(void *arg)
{
	struct keepalive *k = arg;
	uint64_t fed = 0;
	struct timespec next;

	pthread_mutex_lock(&k->lock);
	while (!k->stop && fed < KEEPALIVE_MAX_USEC) {
		deadline_after(&next, k->interval_usec / 2);
		if (pthread_cond_timedwait(&k->wake, &k->lock, &next) == ETIMEDOUT && !k->stop) {
			sd_notify(0, "WATCHDOG=1");
			fed += k->interval_usec / 2;
		}
	}
	pthread_mutex_unlock(&k->lock);
	return NULL;
}

void keepalive_start(struct keepalive *k)
{
	pthread_condattr_t attr;
	uint64_t usec;
	int ret;

	*k = (struct keepalive){0};
	if (sd_watchdog_enabled(0, &usec) <= 0 || !usec)
		return;
	k->interval_usec = usec;
	pthread_mutex_init(&k->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&k->wake, &attr);
	pthread_condattr_destroy(&attr);
	ret = pthread_create(&k->thread, NULL, feed, k);
	if (ret) {
		/* The work still runs; only a slow one may now miss a ping. */
		fprintf(stderr, SD_WARNING "cannot start the watchdog keepalive: %s\n",
			strerror(ret));
		return;
	}
	k->running = true;
}

void keepalive_stop(struct keepalive *k)
{
	if (!k->running)
		return;
	pthread_mutex_lock(&k->lock);
	k->stop = true;
	pthread_cond_signal(&k->wake);
	pthread_mutex_unlock(&k->lock);
	pthread_join(k->thread, NULL);
	pthread_cond_destroy(&k->wake);
	pthread_mutex_destroy(&k->lock);
	k->running = false;
	/* The loop's own feeding may be a whole interval away. */
	sd_notify(0, "WATCHDOG=1");
}
