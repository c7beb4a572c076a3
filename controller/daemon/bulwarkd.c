// SPDX-License-Identifier: GPL-2.0
/*
 * bulwarkd [--policies DIR] [--backend bpf|kmod] [--debounce-ms N]: keeps
 * the policies in DIR (/etc/bulwark/policies.d) enforced. A systemd
 * Type=notify service on libsystemd's sd-event loop: READY=1 once the
 * kernel holds the policies, RELOADING=1 and READY=1 around each reload
 * (a change in DIR, SIGHUP, `systemctl reload`), STATUS= with the
 * generation and counters, WATCHDOG=1 while the loop runs (and from a
 * thread while a start or a reload works: keepalive.c). Stopping it
 * leaves the kernel enforcing: the policies are pinned (BPF) or held by
 * bulwark.ko, and a restarted bulwarkd adopts them. See bulwarkd(8).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <systemd/sd-daemon.h>

#include "commands.h"
#include "daemon.h"
#include "policy.h"
#include "state.h"

const char *prog_name = "bulwarkd";

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	daemon_reload(userdata, "SIGHUP");
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "Usage: %s [--policies DIR] [--backend bpf|kmod] [--debounce-ms N]\n",
		prog_name);
	return 2;
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"policies", required_argument, NULL, 'p'},
		{"backend", required_argument, NULL, 'b'},
		{"debounce-ms", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct daemon d = {.policy_dir = BULWARKD_POLICY_DIR, .debounce_usec = 300000};
	struct keepalive keepalive;
	sigset_t mask;
	struct timespec now;
	char *end;
	int opt, ret;

	/* Events from here on are ours to forward (journal_events.c). */
	clock_gettime(CLOCK_MONOTONIC, &now);
	d.started_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			d.policy_dir = optarg;
			break;
		case 'b':
			if (strcmp(optarg, "bpf") && strcmp(optarg, "kmod"))
				return usage();
			d.backend = optarg;
			break;
		case 'd':
			errno = 0;
			d.debounce_usec = strtoull(optarg, &end, 10) * 1000;
			if (errno || *end || end == optarg || d.debounce_usec > 60000000)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (optind != argc)
		return usage();
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (mkdir(BULWARK_RUN_DIR, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, SD_ERR "cannot create %s: %s\n", BULWARK_RUN_DIR, strerror(errno));
		return 1;
	}
	ret = policy_dir_count(d.policy_dir);
	if (ret < 0) {
		fprintf(stderr, SD_ERR "cannot read the policy directory %s: %s\n", d.policy_dir,
			strerror(-ret));
		return 1;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	ret = sd_event_default(&d.loop);
	if (ret >= 0)
		ret = sd_event_add_signal(d.loop, NULL, SIGHUP, on_sighup, &d);
	/* A NULL handler ends the loop: the kernel keeps enforcing. */
	if (ret >= 0)
		ret = sd_event_add_signal(d.loop, NULL, SIGTERM, NULL, NULL);
	if (ret >= 0)
		ret = sd_event_add_signal(d.loop, NULL, SIGINT, NULL, NULL);
	if (ret >= 0)
		ret = sd_event_set_watchdog(d.loop, true);
	if (ret < 0) {
		fprintf(stderr, SD_ERR "cannot set up the event loop: %s\n", strerror(-ret));
		return 1;
	}
	/* Watch first: a change during the first reload is not missed. */
	if (daemon_watch(&d) < 0)
		return 1;
	keepalive_start(&keepalive);
	ret = daemon_adopt(&d);
	keepalive_stop(&keepalive);
	if (ret == 0)
		ret = daemon_reload(&d, "start");
	if (ret < 0 && !d.generation) {
		fprintf(stderr,
			SD_ERR "nothing enforced: exiting so systemd reports the failure\n");
		sd_notifyf(0, "STATUS=failed: %s", d.last);
		return 1;
	}
	if (daemon_drop_privileges() || daemon_forward_events(&d) < 0 ||
	    daemon_watch_learning(&d) < 0)
		return 1;
	ret = sd_event_loop(d.loop);
	if (ret < 0) {
		fprintf(stderr, SD_ERR "event loop: %s\n", strerror(-ret));
		return 1;
	}
	sd_notify(0, "STOPPING=1\nSTATUS=stopped: the kernel keeps enforcing");
	fprintf(stderr, SD_NOTICE "stopped: generation %llu stays enforced\n",
		(unsigned long long)d.generation);
	daemon_stop_events(&d);
	sd_event_unref(d.loop);
	free(d.image.data);
	return 0;
}
