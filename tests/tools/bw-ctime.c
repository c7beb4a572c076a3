// SPDX-License-Identifier: GPL-2.0
/*
 * bw-ctime: gives a file the ctime an attacker chose, as root with
 * CAP_SYS_TIME can: set the realtime clock to it and change the inode at
 * once (fchmod to the mode it has), so that the kernel stamps the inode
 * with the clock's time. The clock is put back afterwards, forward by the
 * time that passed. For the VM suites: with a freed inode number taken
 * again (ext4 gives the lowest free one), the new file has the number and
 * the ctime of the file that was there.
 *
 * Usage: bw-ctime FILE CTIME_SEC CTIME_NSEC
 *
 * A clock tick between the two calls gives another ctime: it retries, up to
 * 1000 times. Exits 0 once stat(2) reports the ctime, 1 if it never did or
 * on an error ("bw-ctime: WHAT: REASON"), 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ATTEMPTS 1000

static int fail(const char *what)
{
	fprintf(stderr, "bw-ctime: %s: %s\n", what, strerror(errno));
	return 1;
}

static int number(const char *s, long long min, long long max, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && end != s && !*end && *out >= min && *out <= max ? 0 : -1;
}

/* The realtime clock, moved on from @then by the monotonic time since @mono. */
static int restore_clock(const struct timespec *then, const struct timespec *mono)
{
	struct timespec now, t;
	long long ns;

	if (clock_gettime(CLOCK_MONOTONIC, &now))
		return -1;
	ns = (now.tv_sec - mono->tv_sec) * 1000000000LL + (now.tv_nsec - mono->tv_nsec);
	ns += then->tv_nsec;
	t.tv_sec = then->tv_sec + ns / 1000000000LL;
	t.tv_nsec = ns % 1000000000LL;
	return clock_settime(CLOCK_REALTIME, &t);
}

int main(int argc, char **argv)
{
	struct timespec want, then, mono;
	long long sec, nsec;
	struct stat st;
	int fd, i, ret = 1;

	if (argc != 4 || number(argv[2], 0, 1LL << 40, &sec) ||
	    number(argv[3], 0, 999999999, &nsec)) {
		fprintf(stderr, "usage: bw-ctime FILE CTIME_SEC CTIME_NSEC\n");
		return 2;
	}
	want.tv_sec = sec;
	want.tv_nsec = nsec;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return fail(argv[1]);
	if (fstat(fd, &st))
		return fail("fstat");
	if (clock_gettime(CLOCK_REALTIME, &then) || clock_gettime(CLOCK_MONOTONIC, &mono))
		return fail("clock_gettime");
	for (i = 0; i < ATTEMPTS; i++) {
		if (clock_settime(CLOCK_REALTIME, &want)) {
			fail("clock_settime");
			break;
		}
		if (fchmod(fd, st.st_mode & 07777) || fstat(fd, &st)) {
			fail("fchmod");
			break;
		}
		if (st.st_ctim.tv_sec == want.tv_sec && st.st_ctim.tv_nsec == want.tv_nsec) {
			ret = 0;
			break;
		}
	}
	if (restore_clock(&then, &mono) && !ret)
		ret = fail("clock_settime (putting the clock back)");
	if (ret && i == ATTEMPTS)
		fprintf(stderr, "bw-ctime: %s: ctime is %lld.%09ld after %d attempts\n", argv[1],
			(long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec, ATTEMPTS);
	close(fd);
	return ret;
}
