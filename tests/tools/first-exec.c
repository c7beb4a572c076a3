// SPDX-License-Identifier: GPL-2.0
/*
 * first-exec: makes a new cgroup, runs a file as the first process in it,
 * and removes the cgroup, ROUNDS times in one loop: what systemd does on a
 * unit's restart and a container runtime on a start, as fast as one
 * process can, for the suites that count escapes (tests/vm/new-cgroups.sh).
 *
 * Usage: first-exec [--userns] ROUNDS CGROUP FILE
 *
 * CGROUP is a cgroup v2 directory to create; a "%d" in it is the round's
 * number. Each round forks a child that moves itself into CGROUP, with
 * --userns makes a user namespace, and execs FILE. Prints one line:
 *   rounds=N denied=D ran=R userns_refused=U other=O
 * denied: the exec failed with EPERM; ran: FILE ran; userns_refused:
 * unshare(CLONE_NEWUSER) failed with EPERM (so no exec was tried); other:
 * anything else, each also described on stderr. Exits 0 when nothing ran
 * and nothing else happened, 1 otherwise, 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum stage { STAGE_MOVE = 1, STAGE_USERNS, STAGE_EXEC };

struct failure {
	int stage, error;
};

static void __attribute__((noreturn))
child(const char *cgroup, const char *file, bool userns, int report)
{
	char procs[PATH_MAX + 16];
	struct failure f = {0};
	int fd;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup);
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0\n", 2) != 2) {
		f = (struct failure){STAGE_MOVE, fd < 0 ? errno : errno ?: EIO};
		goto out;
	}
	close(fd);
	if (userns && unshare(CLONE_NEWUSER)) {
		f = (struct failure){STAGE_USERNS, errno};
		goto out;
	}
	execl(file, file, (char *)NULL);
	f = (struct failure){STAGE_EXEC, errno};
out:
	if (write(report, &f, sizeof(f)) != sizeof(f))
		_exit(3);
	_exit(126);
}

/* @pattern with its "%d", if any, replaced by @round. */
static void cgroup_name(char *out, size_t size, const char *pattern, unsigned long round)
{
	const char *mark = strstr(pattern, "%d");

	if (!mark)
		snprintf(out, size, "%s", pattern);
	else
		snprintf(out, size, "%.*s%lu%s", (int)(mark - pattern), pattern, round, mark + 2);
}

/* rmdir, waiting out the moment the cgroup still counts its reaped task. */
static int remove_cgroup(const char *cgroup)
{
	const struct timespec pause = {0, 1000000};

	for (int i = 0; i < 1000; i++) {
		if (!rmdir(cgroup))
			return 0;
		if (errno != EBUSY)
			return -errno;
		nanosleep(&pause, NULL);
	}
	return -EBUSY;
}

int main(int argc, char **argv)
{
	unsigned long rounds, denied = 0, ran = 0, refused = 0, other = 0;
	bool userns = argc > 1 && !strcmp(argv[1], "--userns");
	char cgroup[PATH_MAX], *end;

	if (argc != 4 + userns) {
		fprintf(stderr, "usage: first-exec [--userns] ROUNDS CGROUP FILE\n");
		return 2;
	}
	argv += userns;
	rounds = strtoul(argv[1], &end, 10);
	if (*end || !rounds) {
		fprintf(stderr, "first-exec: bad ROUNDS '%s'\n", argv[1]);
		return 2;
	}
	for (unsigned long i = 0; i < rounds; i++) {
		struct failure f;
		int pipefd[2], status, ret;
		ssize_t n;
		pid_t pid;

		cgroup_name(cgroup, sizeof(cgroup), argv[2], i);
		if (mkdir(cgroup, 0755)) {
			fprintf(stderr, "round %lu: mkdir %s: %s\n", i, cgroup, strerror(errno));
			other++;
			continue;
		}
		if (pipe2(pipefd, O_CLOEXEC)) {
			perror("first-exec: pipe2");
			return 2;
		}
		pid = fork();
		if (pid < 0) {
			perror("first-exec: fork");
			return 2;
		}
		if (pid == 0)
			child(cgroup, argv[3], userns, pipefd[1]);
		close(pipefd[1]);
		n = read(pipefd[0], &f, sizeof(f));
		close(pipefd[0]);
		waitpid(pid, &status, 0);
		if (n == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) != 3)) {
			other++; /* died before it could say: a signal, or no report */
			fprintf(stderr,
				"round %lu: the child ended (status 0x%x) without a report\n", i,
				status);
		} else if (n == 0) { /* the exec succeeded: the pipe closed with it */
			ran++;
			fprintf(stderr, "round %lu: %s ran in %s\n", i, argv[3], cgroup);
		} else if (n != sizeof(f)) {
			other++;
			fprintf(stderr, "round %lu: the child reported nothing readable\n", i);
		} else if (f.stage == STAGE_EXEC && f.error == EPERM) {
			denied++;
		} else if (f.stage == STAGE_USERNS && f.error == EPERM) {
			refused++;
		} else {
			other++;
			fprintf(stderr, "round %lu: %s failed: %s\n", i,
				f.stage == STAGE_MOVE	  ? "moving into the cgroup"
				: f.stage == STAGE_USERNS ? "unshare(CLONE_NEWUSER)"
							  : "the exec",
				strerror(f.error));
		}
		ret = remove_cgroup(cgroup);
		if (ret) {
			fprintf(stderr, "round %lu: rmdir %s: %s\n", i, cgroup, strerror(-ret));
			other++;
		}
	}
	printf("rounds=%lu denied=%lu ran=%lu userns_refused=%lu other=%lu\n", rounds, denied, ran,
	       refused, other);
	return ran || other ? 1 : 0;
}
