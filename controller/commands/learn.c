// SPDX-License-Identifier: GPL-2.0
/*
 * bulwark learn (--unit UNIT | --cgroup GLOB) --duration D [-o FILE]: runs
 * the workload the selector names under an audit policy that reports
 * everything it does (a learning session, ahead of the applied policies),
 * then writes the smallest policy that allows what it did (see learned.h),
 * checked by the same compiler as bulwark check. The session ends with the
 * command, whatever ends it: the applied policies govern the workload again.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "dpkg.h"
#include "learn_output.h"
#include "learn_session.h"
#include "learned.h"
#include "policy.h"
#include "policy_syntax.h"

#define DURATION_MAX (7 * 24 * 3600)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* "90", "90s", "10m", "2h", "1d": seconds, at most a week. */
static long parse_duration(const char *text)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (errno || end == text || n <= 0 || n > DURATION_MAX || text[0] < '0' || text[0] > '9')
		return -1;
	if (!strcmp(end, "m"))
		n *= 60;
	else if (!strcmp(end, "h"))
		n *= 3600;
	else if (!strcmp(end, "d"))
		n *= 86400;
	else if (*end && strcmp(end, "s"))
		return -1;
	return n > DURATION_MAX ? -1 : n;
}

/* A policy name from the unit or cgroup: "nginx.service" -> "nginx". */
static void default_name(uint8_t kind, const char *value, char *name, size_t size)
{
	const char *start = value, *slash = strrchr(value, '/');
	size_t i, n = 0;

	if (slash)
		start = slash + 1;
	for (i = 0; start[i] && n + 1 < size && n < 40; i++) {
		char c = start[i];

		if (kind == BULWARK_SELECTOR_SYSTEMD_UNIT && !strcmp(start + i, ".service"))
			break;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '-';
		if (c == '-' && (!n || name[n - 1] == '-'))
			continue;
		name[n++] = c;
	}
	while (n && name[n - 1] == '-')
		n--;
	name[n] = 0;
	snprintf(name + n, size - n, "%slearned", n ? "-" : "");
}

/* Cgroups of containers: their programs are the image's, not the host's packages. */
static bool names_containers(uint8_t kind, const char *selector)
{
	static const char *const runtimes[] = {"libpod-", "docker-", "crio-", "cri-containerd-",
					       "kubepods"};
	size_t i;

	if (kind != BULWARK_SELECTOR_CGROUP)
		return false;
	for (i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
		if (strstr(selector, runtimes[i]))
			return true;
	return false;
}

static uint64_t monotonic_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec;
}

int learn_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"backend", required_argument, NULL, 'b'},
		{"unit", required_argument, NULL, 'u'},
		{"cgroup", required_argument, NULL, 'c'},
		{"duration", required_argument, NULL, 'd'},
		{"output", required_argument, NULL, 'o'},
		{"name", required_argument, NULL, 'n'},
		{"by-path", no_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	struct learn_session s = {.index = -1};
	struct dpkg_owners *owners = NULL;
	struct learned *l = NULL;
	struct learned_header h = {0};
	const char *backend = NULL, *selector = NULL, *out_path = NULL, *name = NULL, *why;
	char default_policy_name[BULWARK_NAME_MAX], what[4400];
	unsigned long long lost_before;
	bool by_path = false, failed = false;
	uint64_t started, deadline;
	uint8_t kind = 0;
	long duration = -1;
	int opt, ret, status = 1;

	while ((opt = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		switch (opt) {
		case 'b':
			backend = optarg;
			break;
		case 'u':
		case 'c':
			if (selector)
				goto usage;
			kind = opt == 'u' ? BULWARK_SELECTOR_SYSTEMD_UNIT : BULWARK_SELECTOR_CGROUP;
			selector = optarg;
			break;
		case 'd':
			duration = parse_duration(optarg);
			if (duration < 0) {
				fprintf(stderr,
					"%s: invalid duration '%s': a number of seconds, or with "
					"s, m, h or d after it, at most 7d\n",
					prog_name, optarg);
				return 2;
			}
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'p':
			by_path = true;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || !selector || duration < 0)
		goto usage;
	why = syntax_selector(kind, selector);
	if (why) {
		fprintf(stderr, "%s: invalid %s '%s': %s\n", prog_name, selector_key(kind),
			selector, why);
		return 2;
	}
	if (!name) {
		default_name(kind, selector, default_policy_name, sizeof(default_policy_name));
		name = default_policy_name;
	}
	why = syntax_policy_name(name);
	if (why) {
		fprintf(stderr, "%s: invalid policy name '%s': %s\n", prog_name, name, why);
		return 2;
	}
	l = learned_new();
	if (!l)
		goto out;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if (learn_session_start(&s, kind, selector, backend, (unsigned int)duration))
		goto out;
	lost_before = learn_session_events_lost(&s);
	fprintf(stderr, "%s: learning %s '%s' for %lds (interrupt to end it sooner)\n", prog_name,
		selector_key(kind), selector, duration);
	started = monotonic_seconds();
	deadline = started + duration;
	while (!stop && monotonic_seconds() < deadline) {
		if (events_log_drain(s.log, 200) < 0)
			usleep(200 * 1000); /* reported; tried again, not spun on */
		if (learn_session_take(&s, l) < 0) {
			failed = true;
			break;
		}
	}
	/* Ended or not, the session's events so far are learned from. */
	learn_session_end(&s);
	events_log_drain(s.log, 0);
	if (learn_session_take(&s, l) < 0 || failed)
		goto out;
	if (by_path || names_containers(kind, selector)) {
		owners = NULL;
	} else {
		/* Read after the run: what the run upgraded is named as it is now. */
		ret = dpkg_owners_load(&owners);
		if (ret)
			fprintf(stderr,
				"%s: warning: cannot read dpkg's database in %s: %s; programs are "
				"allowed by their paths, not by package\n",
				prog_name, dpkg_admin_dir(), strerror(-ret));
	}
	snprintf(what, sizeof(what), "%s '%s' over %llus%s", selector_key(kind), selector,
		 (unsigned long long)(monotonic_seconds() - started),
		 owners ? "" : "; programs by path, not by dpkg package");
	h.name = name;
	h.selector_kind = kind;
	h.selector = selector;
	h.what = what;
	h.events_lost = learn_session_events_lost(&s) - lost_before;
	if (learn_output_write(l, &h, owners, out_path))
		goto out;
	fprintf(stderr, "%s: learned policy '%s' from %lu operations%s%s\n", prog_name, name,
		learned_count(l), out_path ? ": " : "", out_path ? out_path : "");
	if (h.events_lost)
		fprintf(stderr,
			"%s: warning: the kernel dropped %llu events while learning: the policy "
			"may miss what they reported\n",
			prog_name, h.events_lost);
	status = 0;
out:
	learn_session_close(&s);
	learned_free(l);
	dpkg_owners_free(owners);
	return status;
usage:
	fprintf(stderr,
		"Usage: %s %s [--backend bpf|kmod] (--unit UNIT | --cgroup GLOB) --duration D "
		"[-o FILE] [--name NAME] [--by-path]\n",
		prog_name, argv[0]);
	return 2;
}
