// SPDX-License-Identifier: GPL-2.0
/* The events log; see events_log.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events_log.h"
#include "state.h"

struct events_log {
	struct bpf_backend *b;
	struct bw_event_reader *ring;
	int fd; /* events.log, O_APPEND for writing, pread for reading */
	off_t offset;
	int error;
};

/* The name of policy @index in generation @generation, if a slot still holds it. */
static void resolve_policy(struct bpf_backend *b, const struct bw_event *e, char *name, size_t size)
{
	__u32 slot;

	for (slot = 0; slot < BW_SLOTS; slot++) {
		struct bw_generation gen;
		struct bw_policy policy;
		__u32 index = slot * BW_POLICY_MAX + e->policy;

		if (bw_map_lookup(b, BW_MAP_GENS, &slot, &gen) || gen.generation != e->generation)
			continue;
		if (!bw_map_lookup(b, BW_MAP_POLICIES, &index, &policy) && policy.valid) {
			snprintf(name, size, "%s", policy.name);
			return;
		}
	}
	snprintf(name, size, "#%u", e->policy);
}

static int append_event(void *ctx, const struct bw_event *e)
{
	struct events_log *log = ctx;
	struct event_record r;

	memset(&r, 0, sizeof(r));
	r.event = *e;
	resolve_policy(log->b, e, r.policy, sizeof(r.policy));
	if (!r.event.exe[0]) {
		/* The kernel could not name it (see exe_by_d_path): ask /proc while it lives. */
		char link[64];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/%u/exe", e->pid);
		n = readlink(link, r.event.exe, sizeof(r.event.exe) - 1);
		r.event.exe[n > 0 ? n : 0] = 0;
	}
	if (write(log->fd, &r, sizeof(r)) != sizeof(r))
		log->error = errno ? -errno : -EIO;
	return 0;
}

int events_log_open(struct bpf_backend *b, bool from_start, struct events_log **out)
{
	struct events_log *log = calloc(1, sizeof(*log));
	char path[PATH_MAX];
	struct stat st;
	int ret;

	if (!log)
		return -ENOMEM;
	log->b = b;
	if (mkdir(BULWARK_RUN_DIR, 0700) < 0 && errno != EEXIST) {
		ret = -errno;
		goto fail;
	}
	state_path(path, sizeof(path), "events.log");
	log->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (log->fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = bw_events_open(b, append_event, log, &log->ring);
	if (ret)
		goto fail_fd;
	if (!from_start) {
		/* Whatever is in the ring now happened before us, too. */
		events_log_drain(log, 0);
		if (fstat(log->fd, &st) == 0)
			log->offset = st.st_size - st.st_size % sizeof(struct event_record);
	}
	*out = log;
	return 0;
fail_fd:
	close(log->fd);
fail:
	free(log);
	return ret;
}

void events_log_close(struct events_log *log)
{
	if (!log)
		return;
	bw_events_close(log->ring);
	close(log->fd);
	free(log);
}

int events_log_drain(struct events_log *log, int timeout_ms)
{
	int ret;

	/* Wait without the lock (a wakeup another drainer serves shows in the log). */
	if (timeout_ms > 0) {
		ret = bw_events_wait(log->ring, timeout_ms);
		if (ret < 0)
			return ret;
	}
	if (flock(log->fd, LOCK_EX) < 0)
		return -errno;
	ret = bw_events_consume(log->ring);
	flock(log->fd, LOCK_UN);
	if (log->error)
		return log->error;
	return ret;
}

int events_log_next(struct events_log *log, struct event_record *record)
{
	ssize_t n = pread(log->fd, record, sizeof(*record), log->offset);

	if (n < 0)
		return -errno;
	if ((size_t)n < sizeof(*record))
		return 0;
	log->offset += sizeof(*record);
	return 1;
}
