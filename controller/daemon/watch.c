// SPDX-License-Identifier: GPL-2.0
/*
 * Watching the policy directory with inotify. Every way a policy lands
 * (an editor's write to a temporary file and rename over the old one, cp,
 * a Kubernetes ConfigMap volume swapping its ..data symlink) is a burst of
 * events; each event pushes one timer back, and the reload runs when the
 * directory has been quiet for the debounce interval: one reload a burst.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "daemon.h"

#define WATCH_MASK                                                                                 \
	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB |        \
	 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

static int on_quiet(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;
	char why[600];

	snprintf(why, sizeof(why), "change in %s", d->policy_dir);
	daemon_reload(d, why);
	return 0;
}

static int on_change(sd_event_source *s, const struct inotify_event *event, void *userdata)
{
	struct daemon *d = userdata;
	uint64_t now;
	int ret;

	if (event->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
		/* The running generation stays; a restart watches the new directory. */
		fprintf(stderr, SD_CRIT "%s was removed or moved: no longer watched\n",
			d->policy_dir);
		return 0;
	}
	ret = sd_event_now(d->loop, CLOCK_MONOTONIC, &now);
	if (ret < 0)
		return ret;
	if (!d->debounce)
		return sd_event_add_time(d->loop, &d->debounce, CLOCK_MONOTONIC,
					 now + d->debounce_usec, 0, on_quiet, d);
	return daemon_rearm(d->debounce, now + d->debounce_usec);
}

int daemon_rearm(sd_event_source *s, uint64_t usec)
{
	int ret = sd_event_source_set_time(s, usec);

	return ret < 0 ? ret : sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

int daemon_watch(struct daemon *d)
{
	int ret = sd_event_add_inotify(d->loop, NULL, d->policy_dir, WATCH_MASK, on_change, d);

	if (ret < 0)
		fprintf(stderr, SD_ERR "cannot watch %s: %s\n", d->policy_dir, strerror(-ret));
	return ret;
}
