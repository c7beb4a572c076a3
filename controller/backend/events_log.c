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

#include "event_source.h"
#include "events_log.h"
#include "state.h"

/*
 * What one unacknowledged flush of bulwark.ko can have left logged: twice
 * its BULWARK_FLUSH_MAX events.
 */
#define TAIL_RECORDS 64

/* About 17000 records; events.log and events.log.1 together hold twice that. */
#define EVENTS_LOG_MAX_DEFAULT (16 << 20)

struct events_log {
	struct backend *be;
	struct event_reader *ring;
	char path[PATH_MAX]; /* DIR/events.log */
	char rotated_path[PATH_MAX]; /* DIR/events.log.1 */
	char lock_path[PATH_MAX]; /* DIR/events.lock */
	off_t max_size;
	int lock_fd; /* flock()ed to drain, append and rotate */
	/* Appending, with the lock held: */
	int write_fd;
	off_t write_size;
	int write_error; /* the first failure of this drain */
	/* Reading: */
	int read_fd;
	dev_t read_dev;
	ino_t read_ino;
	off_t offset;
	bool read_final; /* read_fd's file was rotated: nothing is appended to it any more */
	/*
	 * bulwark.ko sends events again that a reader killed before it
	 * acknowledged them may have logged: the first drain takes the last
	 * records logged, and an event already among them is not logged twice.
	 */
	bool tail_loaded;
	struct tail_key {
		__u64 time_ns, cgroup;
		__u32 tid;
		__u8 op;
	} tail[TAIL_RECORDS];
	size_t tail_count;
	/* The last failure reported: the commands poll, it is not repeated each time. */
	const char *reported_what;
	int reported_error;
};

static int report(struct events_log *log, int error, const char *what, const char *path)
{
	if (log->reported_what != what || log->reported_error != error)
		fprintf(stderr, "bulwark: %s %s: %s\n", what, path, strerror(-error));
	log->reported_what = what;
	log->reported_error = error;
	return error;
}

static off_t max_size_from_env(void)
{
	const char *value = getenv("BULWARK_EVENTS_LOG_MAX");
	long long size;
	char *end;

	if (!value)
		return EVENTS_LOG_MAX_DEFAULT;
	errno = 0;
	size = strtoll(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || *end || errno || size <= 0) {
		fprintf(stderr,
			"bulwark: warning: BULWARK_EVENTS_LOG_MAX=%s is not a size in bytes; "
			"using %d\n",
			value, EVENTS_LOG_MAX_DEFAULT);
		return EVENTS_LOG_MAX_DEFAULT;
	}
	return size;
}

static int open_file(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);

	return fd < 0 ? -errno : fd;
}

static int lock(struct events_log *log)
{
	return flock(log->lock_fd, LOCK_EX) < 0 ? -errno : 0;
}

static void unlock(struct events_log *log)
{
	flock(log->lock_fd, LOCK_UN);
}

/* The name of policy @index in generation @generation, if a slot still holds it. */
static void resolve_policy(struct backend *be, const struct bw_event *e, char *name, size_t size)
{
	__u32 slot;

	if (!be || be->kind != BACKEND_BPF) {
		snprintf(name, size, "#%u", e->policy);
		return;
	}

	for (slot = 0; slot < BW_SLOTS; slot++) {
		struct bw_generation gen;
		struct bw_policy policy;
		__u32 index = slot * BW_POLICY_MAX + e->policy;

		if (bw_map_lookup(be->bpf, BW_MAP_GENS, &slot, &gen) ||
		    gen.generation != e->generation)
			continue;
		if (!bw_map_lookup(be->bpf, BW_MAP_POLICIES, &index, &policy) && policy.valid) {
			snprintf(name, size, "%s", policy.name);
			return;
		}
	}
	snprintf(name, size, "#%u", e->policy);
}

/*
 * events.log becomes events.log.1 and a new events.log follows it. Readers
 * find a file's successor by that order (see read_successor), which holds
 * because both steps happen under the lock.
 */
static int rotate(struct events_log *log)
{
	int fd;

	if (rename(log->path, log->rotated_path) < 0)
		return -errno;
	fd = open_file(log->path, O_WRONLY | O_APPEND | O_CREAT);
	if (fd < 0)
		return fd; /* the old file takes the records, as events.log.1 */
	close(log->write_fd);
	log->write_fd = fd;
	log->write_size = 0;
	return 0;
}

static int append_record(struct events_log *log, const struct event_record *r)
{
	ssize_t n;
	int ret = 0;

	if (log->write_size > 0 && log->write_size + (off_t)sizeof(*r) > log->max_size) {
		/* Failing, the file grows past the cap rather than lose the record. */
		ret = rotate(log);
		if (ret)
			report(log, ret, "cannot rotate", log->path);
	}
	n = write(log->write_fd, r, sizeof(*r));
	if (n != sizeof(*r))
		return report(log, n < 0 ? -errno : -EIO, "cannot write", log->path);
	log->write_size += n;
	return ret;
}

static struct tail_key key_of(const struct bw_event *e)
{
	struct tail_key k = {
		.time_ns = e->time_ns, .cgroup = e->cgroup, .tid = e->tid, .op = e->op};

	return k;
}

static bool same_key(const struct tail_key *a, const struct tail_key *b)
{
	return a->time_ns == b->time_ns && a->cgroup == b->cgroup && a->tid == b->tid &&
	       a->op == b->op;
}

/* The keys of the last TAIL_RECORDS records of events.log. */
static void load_tail(struct events_log *log)
{
	struct event_record r;
	struct stat st;
	off_t at;
	int fd;

	log->tail_loaded = true;
	log->tail_count = 0;
	fd = open_file(log->path, O_RDONLY);
	if (fd < 0)
		return;
	if (!fstat(fd, &st)) {
		at = st.st_size - st.st_size % (off_t)sizeof(r);
		at = at > (off_t)(TAIL_RECORDS * sizeof(r)) ? at - (off_t)(TAIL_RECORDS * sizeof(r))
							    : 0;
		while (log->tail_count < TAIL_RECORDS &&
		       pread(fd, &r, sizeof(r), at) == (ssize_t)sizeof(r)) {
			log->tail[log->tail_count++] = key_of(&r.event);
			at += sizeof(r);
		}
	}
	close(fd);
}

static bool logged_already(const struct events_log *log, const struct bw_event *e)
{
	struct tail_key k = key_of(e);
	size_t i;

	for (i = 0; i < log->tail_count; i++)
		if (same_key(&log->tail[i], &k))
			return true;
	return false;
}

static int append_event(void *ctx, const struct bw_event *e, const char *policy_name)
{
	struct events_log *log = ctx;
	struct event_record r;
	int ret;

	if (log->be && log->be->kind == BACKEND_KMOD) {
		if (!log->tail_loaded)
			load_tail(log);
		if (logged_already(log, e))
			return 0;
	}
	memset(&r, 0, sizeof(r));
	r.event = *e;
	if (policy_name)
		snprintf(r.policy, sizeof(r.policy), "%s", policy_name);
	else
		resolve_policy(log->be, e, r.policy, sizeof(r.policy));
	if (!r.event.exe[0]) {
		/* The kernel could not name it (see exe_by_d_path): ask /proc while it lives. */
		char link[64];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/%u/exe", e->pid);
		n = readlink(link, r.event.exe, sizeof(r.event.exe) - 1);
		r.event.exe[n > 0 ? n : 0] = 0;
	}
	ret = append_record(log, &r);
	if (ret && !log->write_error)
		log->write_error = ret;
	return 0;
}

/* Moves what the ring buffer holds into events.log; call with the lock held. */
static int drain_locked(struct events_log *log)
{
	struct stat st;
	int ret;

	log->write_fd = open_file(log->path, O_WRONLY | O_APPEND | O_CREAT);
	if (log->write_fd < 0)
		return report(log, log->write_fd, "cannot open", log->path);
	if (fstat(log->write_fd, &st) < 0) {
		ret = report(log, -errno, "cannot open", log->path);
		goto out;
	}
	log->write_size = st.st_size;
	log->write_error = 0;
	ret = event_reader_consume(log->ring);
	if (ret < 0)
		report(log, ret, "cannot drain the ring buffer into", log->path);
	else if (log->write_error)
		ret = log->write_error;
out:
	close(log->write_fd);
	log->write_fd = -1;
	return ret;
}

/* Makes @fd, one of the log's files, the one this reader reads. */
static int read_from(struct events_log *log, int fd, bool at_end)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	if (log->read_fd >= 0)
		close(log->read_fd);
	log->read_fd = fd;
	log->read_dev = st.st_dev;
	log->read_ino = st.st_ino;
	log->offset = at_end ? st.st_size - st.st_size % sizeof(struct event_record) : 0;
	log->read_final = false;
	return 0;
}

static bool is_read_file(const struct events_log *log, const struct stat *st)
{
	return st->st_dev == log->read_dev && st->st_ino == log->read_ino;
}

/* Whether @fd is the file this reader reads. */
static bool fd_is_read_file(const struct events_log *log, int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && is_read_file(log, &st);
}

/* The first file a new reader reads; see events_log_open. */
static int open_first(struct events_log *log, bool from_start)
{
	int fd, ret;

	ret = lock(log);
	if (ret)
		return ret;
	if (from_start) {
		fd = open_file(log->rotated_path, O_RDONLY);
		if (fd == -ENOENT)
			fd = open_file(log->path, O_RDONLY | O_CREAT);
	} else {
		/* Whatever is in the ring now happened before us, too. */
		drain_locked(log);
		fd = open_file(log->path, O_RDONLY | O_CREAT);
	}
	ret = fd < 0 ? fd : read_from(log, fd, !from_start);
	unlock(log);
	return ret;
}

int events_log_open_at(struct backend *be, const char *dir, bool from_start,
		       struct events_log **out)
{
	struct events_log *log = calloc(1, sizeof(*log));
	int ret;

	if (!log)
		return -ENOMEM;
	log->be = be;
	log->lock_fd = log->write_fd = log->read_fd = -1;
	log->max_size = max_size_from_env();
	snprintf(log->path, sizeof(log->path), "%s/events.log", dir);
	snprintf(log->rotated_path, sizeof(log->rotated_path), "%s/events.log.1", dir);
	snprintf(log->lock_path, sizeof(log->lock_path), "%s/events.lock", dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		ret = -errno;
		goto fail;
	}
	log->lock_fd = open_file(log->lock_path, O_RDWR | O_CREAT);
	if (log->lock_fd < 0) {
		ret = log->lock_fd;
		goto fail;
	}
	ret = event_reader_open(be, append_event, log, &log->ring);
	if (ret)
		goto fail;
	ret = open_first(log, from_start);
	if (ret)
		goto fail;
	*out = log;
	return 0;
fail:
	events_log_close(log);
	return ret;
}

int events_log_open(struct backend *be, bool from_start, struct events_log **out)
{
	return events_log_open_at(be, BULWARK_RUN_DIR, from_start, out);
}

void events_log_close(struct events_log *log)
{
	if (!log)
		return;
	if (log->ring)
		event_reader_close(log->ring);
	if (log->read_fd >= 0)
		close(log->read_fd);
	if (log->lock_fd >= 0)
		close(log->lock_fd);
	free(log);
}

int events_log_drain(struct events_log *log, int timeout_ms)
{
	int ret;

	/* Wait without the lock (a wakeup another drainer serves shows in the log). */
	if (timeout_ms > 0) {
		ret = event_reader_wait(log->ring, timeout_ms);
		if (ret < 0)
			return report(log, ret, "cannot wait for events to drain into", log->path);
	}
	ret = lock(log);
	if (ret)
		return report(log, ret, "cannot lock", log->lock_path);
	ret = drain_locked(log);
	unlock(log);
	return ret;
}

static int read_record(struct events_log *log, struct event_record *record)
{
	ssize_t n = pread(log->read_fd, record, sizeof(*record), log->offset);

	if (n < 0)
		return report(log, -errno, "cannot read", log->path);
	if ((size_t)n < sizeof(*record))
		return 0;
	log->offset += sizeof(*record);
	return 1;
}

/* Whether events.log is another file than the one this reader reads: 1, 0 or -errno. */
static int was_rotated(struct events_log *log)
{
	struct stat st;

	if (stat(log->path, &st) < 0) {
		/* Between the two steps of a rotation: the new file is not there yet. */
		if (errno == ENOENT)
			return 0;
		return report(log, -errno, "cannot read", log->path);
	}
	return !is_read_file(log, &st);
}

/*
 * Goes on to the file that followed the one this reader finished: that is
 * events.log when the finished one is events.log.1; else the finished one
 * was rotated out of events.log.1 as well, and the file there now is the
 * one that followed it, unless the reader fell yet another file behind.
 * Under the lock, so that no rotation moves the files in between.
 * Returns 1 when it moved on, 0 when there is nothing to move on to, or -errno.
 */
static int read_successor(struct events_log *log)
{
	int fd, ret;

	ret = lock(log);
	if (ret)
		return report(log, ret, "cannot lock", log->lock_path);
	fd = open_file(log->rotated_path, O_RDONLY);
	if (fd >= 0 && fd_is_read_file(log, fd)) {
		close(fd);
		fd = -ENOENT;
	}
	if (fd == -ENOENT)
		fd = open_file(log->path, O_RDONLY | O_CREAT);
	if (fd >= 0 && fd_is_read_file(log, fd)) {
		/* Moved back by hand: keep reading where we were. */
		close(fd);
		log->read_final = false;
		unlock(log);
		return 0;
	}
	ret = fd < 0 ? fd : read_from(log, fd, false);
	unlock(log);
	if (ret)
		return report(log, ret, "cannot read", log->path);
	return 1;
}

int events_log_next(struct events_log *log, struct event_record *record)
{
	int ret;

	for (;;) {
		ret = read_record(log, record);
		if (ret)
			return ret;
		if (!log->read_final) {
			ret = was_rotated(log);
			if (ret <= 0)
				return ret;
			/* Records may have been appended before the rotation: read to the end. */
			log->read_final = true;
			continue;
		}
		ret = read_successor(log);
		if (ret <= 0)
			return ret;
	}
}
