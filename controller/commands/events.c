// SPDX-License-Identifier: GPL-2.0
/*
 * bulwark events [--follow] [--json]: the denials and audit hits the kernel
 * reported, oldest first; with --follow, then each new one as it happens.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "enforce.h"
#include "events_log.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int events_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"follow", no_argument, NULL, 'f'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct backend *b = NULL;
	struct events_log *log = NULL;
	struct event_record r;
	bool follow = false, json = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "fj", options, NULL)) != -1) {
		if (opt == 'f')
			follow = true;
		else if (opt == 'j')
			json = true;
		else
			goto usage;
	}
	if (optind != argc)
		goto usage;
	if (enforce_open_backend(NULL, false, &b))
		return 1;
	ret = events_log_open(b, true, &log);
	if (ret) {
		fprintf(stderr, "%s: cannot read events: %s\n", prog_name, strerror(-ret));
		enforce_close_backend(b);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, on_signal);
	events_log_drain(log, 0);
	do {
		while (!stop && (ret = events_log_next(log, &r)) > 0) {
			if (json)
				event_print_json(stdout, &r);
			else
				event_print_text(stdout, &r);
		}
		fflush(stdout);
		if (follow && !stop)
			events_log_drain(log, 200);
	} while (follow && !stop);
	events_log_close(log);
	enforce_close_backend(b);
	return 0;
usage:
	fprintf(stderr, "Usage: %s %s [--follow] [--json]\n", prog_name, argv[0]);
	return 2;
}
