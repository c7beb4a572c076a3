// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for controller/backend/events_log.c: appending to the log, rotating it
 * and following it across rotations, in a temporary directory, with a fake
 * event source in place of event_source.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "event_source.h"
#include "events_log.h"

#define RECORD ((off_t)sizeof(struct event_record))

/*
 * The fake ring buffer: what is queued goes to whichever log drains first,
 * as with the kernel's ring. Each process (see the fork test) has its own.
 */
static struct bw_event queue[512];
static unsigned int queued, consumed;

struct event_reader {
	bw_event_fn fn;
	void *ctx;
};

int event_reader_open(struct backend *be, bw_event_fn fn, void *ctx, struct event_reader **out)
{
	struct event_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->fn = fn;
	r->ctx = ctx;
	*out = r;
	return 0;
}

int event_reader_wait(struct event_reader *r, int timeout_ms)
{
	return 0;
}

int event_reader_consume(struct event_reader *r)
{
	int n = 0;

	while (consumed < queued && !r->fn(r->ctx, &queue[consumed++], NULL))
		n++;
	return n;
}

void event_reader_close(struct event_reader *r)
{
	free(r);
}

/* No generation holds the policy: records name it "#N". */
int bw_map_lookup(struct bpf_backend *b, enum bw_map m, const void *key, void *value)
{
	return -ENOENT;
}

/* Events @first, @first + 1, ... (the pid is the number), for the next drain. */
static void queue_events(unsigned int first, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		struct bw_event *e = &queue[queued++];

		memset(e, 0, sizeof(*e));
		e->pid = first + i;
		e->time_ns = first + i;
		e->policy = 3;
		snprintf(e->exe, sizeof(e->exe), "/usr/bin/test");
		snprintf(e->object, sizeof(e->object), "/etc/shadow");
	}
}

struct fixture {
	char dir[64];
	char path[96];
	char rotated_path[96];
};

static int make_dir(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/bulwark-test-events-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/events.log", f->dir);
	snprintf(f->rotated_path, sizeof(f->rotated_path), "%s/events.log.1", f->dir);
	queued = consumed = 0;
	*state = f;
	return 0;
}

static int remove_dir(void **state)
{
	struct fixture *f = *state;
	char lock[96];

	snprintf(lock, sizeof(lock), "%s/events.lock", f->dir);
	unlink(f->path);
	unlink(f->rotated_path);
	unlink(lock);
	rmdir(f->dir);
	unsetenv("BULWARK_EVENTS_LOG_MAX");
	free(f);
	return 0;
}

static void set_cap(off_t bytes)
{
	char value[32];

	snprintf(value, sizeof(value), "%lld", (long long)bytes);
	setenv("BULWARK_EVENTS_LOG_MAX", value, 1);
}

static struct events_log *open_log(const struct fixture *f, bool from_start)
{
	struct events_log *log = NULL;

	assert_int_equal(events_log_open_at(NULL, f->dir, from_start, &log), 0);
	return log;
}

/* Queues @count events from @first and drains them through @log. */
static void drain_events(struct events_log *log, unsigned int first, unsigned int count)
{
	queue_events(first, count);
	assert_int_equal(events_log_drain(log, 0), count);
}

/* Reads what @log has left into @ids; returns how many. */
static size_t read_ids(struct events_log *log, unsigned int *ids, size_t max)
{
	struct event_record r;
	size_t n = 0;
	int ret;

	while ((ret = events_log_next(log, &r)) > 0) {
		assert_true(n < max);
		assert_string_equal(r.policy, "#3");
		assert_string_equal(r.event.object, "/etc/shadow");
		ids[n++] = r.event.pid;
	}
	assert_int_equal(ret, 0);
	return n;
}

/* Asserts that @log reads @first .. @first + @count - 1, each once, in order, and no more. */
static void assert_reads(struct events_log *log, unsigned int first, unsigned int count)
{
	unsigned int ids[512];
	size_t i, n = read_ids(log, ids, 512);

	assert_int_equal(n, count);
	for (i = 0; i < n; i++)
		assert_int_equal(ids[i], first + i);
}

/* The size of @path, or -1 when there is no such file. */
static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? -1 : st.st_size;
}

static void follower_sees_every_record_across_rotations(void **state)
{
	struct fixture *f = *state;
	struct events_log *log;
	unsigned int next = 1, i;

	set_cap(4 * RECORD);
	log = open_log(f, false);
	/* One at a time, then batches that rotate up to twice in one drain. */
	for (i = 0; i < 9; i++) {
		drain_events(log, next, 1);
		assert_reads(log, next, 1);
		next++;
	}
	for (i = 1; i <= 8; i++) {
		drain_events(log, next, i);
		assert_reads(log, next, i);
		next += i;
	}
	assert_true(file_size(f->rotated_path) == 4 * RECORD);
	assert_true(file_size(f->path) > 0 && file_size(f->path) <= 4 * RECORD);
	events_log_close(log);
}

static void lagging_follower_catches_up_through_events_log_1(void **state)
{
	struct fixture *f = *state;
	struct events_log *follower, *drainer;

	set_cap(4 * RECORD);
	follower = open_log(f, false);
	drainer = open_log(f, false);
	drain_events(drainer, 1, 2);
	assert_reads(follower, 1, 2);
	/*
	 * The follower's file gets 3 and 4, goes to events.log.1, and is pushed
	 * out of it by the file with 5..8; events.log holds 9 and 10.
	 */
	drain_events(drainer, 3, 8);
	assert_reads(follower, 3, 8);
	assert_true(file_size(f->rotated_path) == 4 * RECORD);
	assert_true(file_size(f->path) == 2 * RECORD);
	events_log_close(drainer);
	events_log_close(follower);
}

static void follower_too_far_behind_skips_a_file_but_repeats_nothing(void **state)
{
	struct fixture *f = *state;
	struct events_log *follower, *drainer;
	unsigned int ids[32], i;

	set_cap(4 * RECORD);
	follower = open_log(f, false);
	drainer = open_log(f, false);
	drain_events(drainer, 1, 2);
	assert_reads(follower, 1, 2);
	/*
	 * 3..4 fill the follower's file, 5..8 are rotated out of events.log.1
	 * before it is read, 9..12 are in events.log.1, 13 in events.log.
	 */
	drain_events(drainer, 3, 11);
	assert_int_equal(read_ids(follower, ids, 32), 7);
	assert_int_equal(ids[0], 3);
	assert_int_equal(ids[1], 4);
	for (i = 2; i < 7; i++)
		assert_int_equal(ids[i], 7 + i);
	events_log_close(drainer);
	events_log_close(follower);
}

static void reader_from_start_reads_events_log_1_first(void **state)
{
	struct fixture *f = *state;
	struct events_log *drainer, *reader;

	set_cap(4 * RECORD);
	drainer = open_log(f, false);
	drain_events(drainer, 1, 10);
	reader = open_log(f, true);
	assert_reads(reader, 5, 6);
	/* It follows on from there. */
	drain_events(drainer, 11, 5);
	assert_reads(reader, 11, 5);
	events_log_close(reader);
	events_log_close(drainer);
}

static void files_stay_within_the_cap(void **state)
{
	struct fixture *f = *state;
	struct events_log *log;
	unsigned int next = 1, i;

	/* Room for 4 records and a half: a record is never split. */
	set_cap(4 * RECORD + RECORD / 2);
	log = open_log(f, false);
	for (i = 0; i < 20; i++) {
		drain_events(log, next, i % 7 + 1);
		next += i % 7 + 1;
		assert_true(file_size(f->path) > 0 && file_size(f->path) <= 4 * RECORD);
		assert_int_equal(file_size(f->path) % RECORD, 0);
		if (next > 5)
			assert_true(file_size(f->rotated_path) == 4 * RECORD);
	}
	events_log_close(log);
}

static void cap_below_one_record_keeps_one_record_a_file(void **state)
{
	struct fixture *f = *state;
	struct events_log *follower, *reader;

	set_cap(1);
	follower = open_log(f, false);
	drain_events(follower, 1, 3);
	assert_reads(follower, 1, 3);
	assert_true(file_size(f->path) == RECORD);
	assert_true(file_size(f->rotated_path) == RECORD);
	reader = open_log(f, true);
	assert_reads(reader, 2, 2);
	events_log_close(reader);
	events_log_close(follower);
}

static void follower_waits_while_events_log_is_missing(void **state)
{
	struct fixture *f = *state;
	struct events_log *log;

	log = open_log(f, false);
	drain_events(log, 1, 2);
	assert_reads(log, 1, 2);
	/* The first step of a rotation, and a reader looking in before the second. */
	assert_int_equal(rename(f->path, f->rotated_path), 0);
	assert_reads(log, 1, 0);
	drain_events(log, 3, 2);
	assert_reads(log, 3, 2);
	events_log_close(log);
}

static void bad_cap_falls_back_to_the_default(void **state)
{
	static const char *const bad[] = {"", "0", "-4096", "12k", "x"};
	struct fixture *f = *state;
	struct events_log *log;
	unsigned int i, next = 1;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("BULWARK_EVENTS_LOG_MAX", bad[i], 1);
		log = open_log(f, false);
		drain_events(log, next, 3);
		assert_reads(log, next, 3);
		next += 3;
		events_log_close(log);
	}
	assert_true(file_size(f->rotated_path) == -1);
	assert_true(file_size(f->path) == 15 * RECORD);
}

/* A child of the fork test: drains @count events numbered from @first, a few at a time. */
static int drain_in_child(const struct fixture *f, unsigned int first, unsigned int count)
{
	struct events_log *log = NULL;
	unsigned int done, batch;

	queued = consumed = 0;
	if (events_log_open_at(NULL, f->dir, false, &log))
		return 1;
	for (done = 0; done < count; done += batch) {
		batch = done % 3 + 1 < count - done ? done % 3 + 1 : count - done;
		queue_events(first + done, batch);
		if (events_log_drain(log, 0) != (int)batch)
			return 1;
	}
	events_log_close(log);
	return 0;
}

static void concurrent_drainers_lose_and_split_nothing(void **state)
{
	enum { CHILDREN = 4, EACH = 40, CAP = 100 };
	struct fixture *f = *state;
	struct events_log *follower, *reader;
	unsigned int ids[CHILDREN * EACH], last[CHILDREN] = {0};
	pid_t pids[CHILDREN];
	size_t n = 0, i;
	int c, status;

	set_cap(CAP * RECORD);
	follower = open_log(f, false);
	for (c = 0; c < CHILDREN; c++) {
		pids[c] = fork();
		assert_true(pids[c] >= 0);
		if (pids[c] == 0)
			_exit(drain_in_child(f, (c + 1) * 1000, EACH));
	}
	/* Read while they append: the log rotates once, under the follower. */
	for (i = 0; i < 2000 && n < CHILDREN * EACH; i++) {
		n += read_ids(follower, ids + n, CHILDREN * EACH - n);
		usleep(1000);
	}
	for (c = 0; c < CHILDREN; c++) {
		assert_int_equal(waitpid(pids[c], &status, 0), pids[c]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	n += read_ids(follower, ids + n, CHILDREN * EACH - n);
	/* Each child's events exactly once, in the order it drained them. */
	assert_int_equal(n, CHILDREN * EACH);
	for (i = 0; i < n; i++) {
		c = ids[i] / 1000 - 1;
		assert_true(c >= 0 && c < CHILDREN);
		assert_int_equal(ids[i], (c + 1) * 1000 + last[c]);
		last[c]++;
	}
	assert_true(file_size(f->rotated_path) == CAP * RECORD);
	assert_true(file_size(f->path) == (CHILDREN * EACH - CAP) * RECORD);
	/* Both files hold whole records only: a reader from the start gets all of them. */
	reader = open_log(f, true);
	assert_int_equal(read_ids(reader, ids, CHILDREN * EACH), CHILDREN * EACH);
	events_log_close(reader);
	events_log_close(follower);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(follower_sees_every_record_across_rotations,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(lagging_follower_catches_up_through_events_log_1,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(
			follower_too_far_behind_skips_a_file_but_repeats_nothing, make_dir,
			remove_dir),
		cmocka_unit_test_setup_teardown(reader_from_start_reads_events_log_1_first,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(files_stay_within_the_cap, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(cap_below_one_record_keeps_one_record_a_file,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(follower_waits_while_events_log_is_missing,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(bad_cap_falls_back_to_the_default, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(concurrent_drainers_lose_and_split_nothing,
						make_dir, remove_dir),
	};

	return cmocka_run_group_tests_name("events_log", tests, NULL, NULL);
}
