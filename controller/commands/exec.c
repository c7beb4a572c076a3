// SPDX-License-Identifier: GPL-2.0
/*
 * bulwark exec --policy FILE... [--events-to FILE] [--json] -- CMD ARGS...:
 * runs CMD in a new cgroup under the one policy the files define (its
 * selector is ignored), prints each denial and audit hit as it happens,
 * and exits with CMD's status. The session's cgroup and policy are removed
 * afterwards; whatever CMD left running in the cgroup is killed.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups.h"
#include "commands.h"
#include "enforce.h"
#include "events_log.h"
#include "state.h"

static volatile pid_t child;

static void forward_signal(int sig)
{
	if (child > 0)
		kill(child, sig);
}

struct session {
	struct backend *b;
	char cgroup[PATH_MAX];
	int index;
	bool registered;
};

static int session_start(struct session *s, const struct image_buffer *image, const char *backend)
{
	struct gen_result result;
	int lock, ret;

	ret = cgroup_exec_create(s->cgroup, sizeof(s->cgroup));
	if (ret) {
		fprintf(stderr, "%s: cannot create a cgroup under %s: %s\n", prog_name,
			CGROUP_EXEC_PARENT, strerror(-ret));
		s->cgroup[0] = 0;
		return ret;
	}
	lock = state_lock();
	if (lock < 0) {
		fprintf(stderr, "%s: cannot lock %s: %s\n", prog_name, BULWARK_RUN_DIR,
			strerror(-lock));
		return lock;
	}
	/* Loading under the lock: two first runs must not both load and pin. */
	ret = enforce_open_backend(backend, true, &s->b);
	if (ret) {
		state_unlock(lock);
		return ret;
	}
	ret = state_session_add(image, s->cgroup, &s->index);
	if (ret) {
		fprintf(stderr, "%s: cannot register the session: %s\n", prog_name, strerror(-ret));
	} else {
		s->registered = true;
		ret = state_install(s->b, NULL, &result);
		if (ret)
			fprintf(stderr, "%s: cannot install the policy: %s\n", prog_name,
				result.why);
	}
	state_unlock(lock);
	return ret;
}

static void session_end(struct session *s)
{
	struct gen_result result;
	int lock;

	/* What CMD left behind dies while its policy still holds. */
	if (s->cgroup[0] && cgroup_exec_empty(s->cgroup))
		fprintf(stderr, "%s: warning: processes are left in %s\n", prog_name, s->cgroup);
	if (s->registered) {
		lock = state_lock();
		state_session_remove(s->index);
		if (lock >= 0 && state_install(s->b, NULL, &result))
			fprintf(stderr, "%s: warning: cannot remove the session's policy: %s\n",
				prog_name, result.why);
		state_unlock(lock);
	}
	if (s->cgroup[0])
		cgroup_exec_remove(s->cgroup);
}

static void print_session_events(struct events_log *log, const struct session *s, FILE *out,
				 bool json)
{
	struct event_record r;

	while (events_log_next(log, &r) > 0) {
		if (r.event.policy != BW_SESSION_BASE + s->index)
			continue;
		if (json)
			event_print_json(out, &r);
		else
			event_print_text(out, &r);
	}
	fflush(out);
}

/* How many policies the image holds, or -1 when it is not a valid image. */
static int image_policy_count(const struct image_buffer *image)
{
	struct bulwark_image decoded;
	const char *why;

	if (bulwark_image_decode(&decoded, image->data, image->size, &why)) {
		fprintf(stderr, "%s: invalid policy image: %s\n", prog_name, why);
		return -1;
	}
	return decoded.policy_count;
}

int exec_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"backend", required_argument, NULL, 'b'},
		{"policy", required_argument, NULL, 'p'},
		{"events-to", required_argument, NULL, 'e'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct session s = {.index = -1};
	struct image_buffer image = {0};
	struct events_log *log = NULL;
	const char *backend = NULL, *events_to = NULL;
	char **policies = calloc(argc, sizeof(char *));
	int opt, npolicies = 0, status = 0, ret = 125;
	FILE *out = stderr;
	bool json = false;
	pid_t pid;

	if (!policies)
		return 125;
	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (opt) {
		case 'b':
			backend = optarg;
			break;
		case 'p':
			policies[npolicies++] = optarg;
			break;
		case 'e':
			events_to = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			goto usage;
		}
	}
	if (!npolicies || optind >= argc)
		goto usage;
	if (events_to) {
		out = fopen(events_to, "we");
		if (!out) {
			fprintf(stderr, "%s: cannot write %s: %s\n", prog_name, events_to,
				strerror(errno));
			goto out;
		}
		json = true;
	}
	if (enforce_input_image(npolicies, policies, &image))
		goto out;
	npolicies = image_policy_count(&image);
	if (npolicies < 0)
		goto out;
	if (npolicies != 1) {
		fprintf(stderr, "%s: the policy files define %d policies; exec needs exactly one\n",
			prog_name, npolicies);
		goto out;
	}
	if (session_start(&s, &image, backend))
		goto out;
	ret = events_log_open(s.b, false, &log);
	if (ret) {
		fprintf(stderr, "%s: cannot read events: %s\n", prog_name, strerror(-ret));
		ret = 125;
		goto out;
	}
	ret = 125;

	signal(SIGINT, forward_signal);
	signal(SIGTERM, forward_signal);
	signal(SIGHUP, forward_signal);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", prog_name, strerror(errno));
		goto out;
	}
	if (pid == 0) {
		int err = cgroup_enter(s.cgroup);

		if (err) {
			fprintf(stderr, "%s: cannot enter %s: %s\n", prog_name, s.cgroup,
				strerror(-err));
			_exit(125);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(argv[optind], argv + optind);
		err = errno;
		fprintf(stderr, "%s: cannot run %s: %s\n", prog_name, argv[optind], strerror(err));
		_exit(err == ENOENT ? 127 : 126);
	}
	child = pid;
	for (;;) {
		pid_t done = waitpid(pid, &status, WNOHANG);

		if (done == pid)
			break;
		if (done < 0 && errno != EINTR) {
			fprintf(stderr, "%s: waitpid: %s\n", prog_name, strerror(errno));
			break;
		}
		events_log_drain(log, 100);
		print_session_events(log, &s, out, json);
	}
	child = 0;
	/* Every event of the session is in the ring by now. */
	events_log_drain(log, 0);
	print_session_events(log, &s, out, json);
	if (WIFEXITED(status))
		ret = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		ret = 128 + WTERMSIG(status);
out:
	session_end(&s);
	events_log_close(log);
	enforce_close_backend(s.b);
	if (out && out != stderr)
		fclose(out);
	free(image.data);
	free(policies);
	return ret;
usage:
	fprintf(stderr,
		"Usage: %s %s [--backend bpf|kmod] --policy FILE... [--events-to FILE] [--json] "
		"-- CMD [ARGS...]\n",
		prog_name, argv[0]);
	free(policies);
	return 125;
}
