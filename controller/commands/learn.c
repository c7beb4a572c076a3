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
#include "diag.h"
#include "dpkg.h"
#include "enforce.h"
#include "events_log.h"
#include "learned.h"
#include "policy.h"
#include "policy_syntax.h"
#include "state.h"

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
	if (errno || end == text || n <= 0 || text[0] < '0' || text[0] > '9')
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

/* Compiles one policy's YAML text into @out; problems go to stderr. */
static int compile_text(const char *name, const char *text, struct image_buffer *out)
{
	struct policy_set set;
	struct diag diag;
	int ret;

	diag_init(&diag, stderr);
	policy_set_init(&set, &diag);
	policy_parse_buffer(&set, name, (const unsigned char *)text, strlen(text));
	if (!diag.errors)
		policy_check(&set);
	ret = diag.errors ? -EINVAL : image_build(&set, out);
	policy_set_free(&set);
	return ret;
}

static int learning_image(uint8_t kind, const char *selector, struct image_buffer *out)
{
	char text[4608];

	snprintf(
		text, sizeof(text),
		"apiVersion: bulwark/v1\nkind: Policy\nmetadata:\n  name: bulwark-learn\n"
		"spec:\n  selector:\n    %s: '%s'\n  mode: audit\n"
		"  exec:\n    default: deny\n  file:\n    default: deny\n"
		"  network:\n    ingress:\n      default: deny\n    egress:\n      default: deny\n",
		selector_key(kind), selector);
	return compile_text("the learning policy", text, out);
}

/* The applied policy that already selects what learn would, or NULL. */
static const char *applied_conflict(uint8_t kind, const char *selector, char *name, size_t size)
{
	struct image_buffer buf = {0};
	struct bulwark_image image;
	char path[PATH_MAX];
	const char *why, *found = NULL;
	__u32 i;

	state_path(path, sizeof(path), "applied.img");
	if (image_read_file(path, &buf))
		return NULL;
	if (!bulwark_image_decode(&image, buf.data, buf.size, &why)) {
		for (i = 0; i < image.policy_count; i++) {
			const struct bulwark_image_policy *p = &image.policies[i];

			if (p->selector_kind == kind &&
			    !strcmp(bulwark_image_string(&image, p->selector), selector)) {
				snprintf(name, size, "%s", bulwark_image_string(&image, p->name));
				found = name;
				break;
			}
		}
	}
	free(buf.data);
	return found;
}

static unsigned long long events_lost(struct backend *b)
{
	struct kmod_status ks = {0};
	__u64 sum = 0;

	if (b->kind == BACKEND_BPF) {
		bw_map_sum_u64(b->bpf, BW_MAP_STATS, BW_STAT_EVENTS_DROPPED, &sum, 1);
		return sum;
	}
	kmod_get_status(b->kmod, &ks);
	return ks.events_lost;
}

struct learning {
	struct backend *b;
	int index;
	bool registered;
};

static int learning_start(struct learning *s, const struct image_buffer *image, uint8_t kind,
			  const char *selector, const char *backend)
{
	struct gen_result result;
	char conflict[BULWARK_NAME_MAX];
	int lock, ret;

	lock = state_lock();
	if (lock < 0) {
		fprintf(stderr, "%s: cannot lock %s: %s\n", prog_name, BULWARK_RUN_DIR,
			strerror(-lock));
		return lock;
	}
	ret = enforce_open_backend(backend, true, &s->b);
	if (ret)
		goto out;
	if (applied_conflict(kind, selector, conflict, sizeof(conflict))) {
		fprintf(stderr,
			"%s: the applied policy '%s' selects %s '%s' already; learn replaces no "
			"policy: remove it from the applied set first, or learn on a copy of "
			"the workload\n",
			prog_name, conflict, selector_key(kind), selector);
		ret = -EEXIST;
		goto out;
	}
	ret = state_learn_add(image, &s->index);
	if (ret) {
		fprintf(stderr, "%s: cannot register the learning session: %s\n", prog_name,
			strerror(-ret));
		goto out;
	}
	s->registered = true;
	ret = state_install(s->b, NULL, &result);
	if (ret)
		fprintf(stderr, "%s: cannot install the learning policy: %s\n", prog_name,
			result.why);
out:
	state_unlock(lock);
	return ret;
}

static int learning_end(struct learning *s)
{
	struct gen_result result;
	int lock, ret = 0;

	if (!s->registered)
		return 0;
	lock = state_lock();
	state_session_remove(s->index);
	s->registered = false;
	if (lock < 0 || (ret = state_install(s->b, NULL, &result)))
		fprintf(stderr,
			"%s: cannot remove the learning policy: %s (the next apply, exec or "
			"bulwarkd reload removes it)\n",
			prog_name, lock < 0 ? strerror(-lock) : result.why);
	state_unlock(lock);
	return ret ? ret : lock < 0 ? lock : 0;
}

static int take_events(struct events_log *log, const struct learning *s, struct learned *l)
{
	struct event_record r;
	int ret;

	while ((ret = events_log_next(log, &r)) > 0) {
		if (r.event.policy != BW_SESSION_BASE + s->index ||
		    r.event.verdict != BW_VERDICT_AUDIT)
			continue;
		ret = learned_add(l, &r.event);
		if (ret)
			return ret;
	}
	return ret;
}

/* Writes @out_path.new, checks it as bulwark check would, and renames it into place. */
static int write_policy(struct learned *l, const struct learned_header *h,
			struct dpkg_owners *owners, const char *out_path)
{
	char tmp[PATH_MAX], *paths[1];
	struct policy_set set;
	struct diag diag;
	unsigned int errors;
	FILE *out;
	int ret;

	const char *(*owner)(const char *path, void *arg) = owners ? dpkg_owner : NULL;

	if (!out_path)
		return learned_write(l, h, owner, owners, stdout);
	snprintf(tmp, sizeof(tmp), "%s.new", out_path);
	out = fopen(tmp, "we");
	if (!out) {
		ret = -errno;
		fprintf(stderr, "%s: cannot write %s: %s\n", prog_name, tmp, strerror(errno));
		return ret;
	}
	ret = learned_write(l, h, owner, owners, out);
	if (fflush(out) || fsync(fileno(out)))
		ret = ret ? ret : -errno;
	if (fclose(out))
		ret = ret ? ret : -errno;
	if (ret) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog_name, tmp, strerror(-ret));
		unlink(tmp);
		return ret;
	}
	paths[0] = tmp;
	diag_init(&diag, stderr);
	policy_set_init(&set, &diag);
	errors = policy_load(&set, 1, paths);
	policy_set_free(&set);
	if (errors) {
		fprintf(stderr,
			"%s: the learned policy does not pass bulwark check (a bug in learn: "
			"please report it); it is kept in %s\n",
			prog_name, tmp);
		return -EINVAL;
	}
	if (rename(tmp, out_path) < 0) {
		ret = -errno;
		fprintf(stderr, "%s: cannot rename %s to %s: %s\n", prog_name, tmp, out_path,
			strerror(errno));
		return ret;
	}
	return 0;
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
		{NULL, 0, NULL, 0},
	};
	struct learning s = {.index = -1};
	struct image_buffer image = {0};
	struct events_log *log = NULL;
	struct dpkg_owners *owners = NULL;
	struct learned *l = NULL;
	struct learned_header h = {0};
	const char *backend = NULL, *selector = NULL, *out_path = NULL, *name = NULL, *why;
	char default_policy_name[BULWARK_NAME_MAX], what[4400];
	unsigned long long lost_before;
	uint8_t kind = 0;
	long duration = -1;
	time_t started, deadline;
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
	if (!l || learning_image(kind, selector, &image))
		goto out;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if (learning_start(&s, &image, kind, selector, backend))
		goto out;
	ret = events_log_open(s.b, false, &log);
	if (ret) {
		fprintf(stderr, "%s: cannot read events: %s\n", prog_name, strerror(-ret));
		goto out;
	}
	lost_before = events_lost(s.b);
	fprintf(stderr, "%s: learning %s '%s' for %lds (interrupt to end it sooner)\n", prog_name,
		selector_key(kind), selector, duration);
	started = time(NULL);
	deadline = started + duration;
	while (!stop && time(NULL) < deadline) {
		events_log_drain(log, 200);
		if (take_events(log, &s, l) < 0)
			break;
	}
	if (learning_end(&s))
		goto out;
	/* Every event of the session is in the ring by now. */
	events_log_drain(log, 0);
	ret = take_events(log, &s, l);
	if (ret < 0) {
		fprintf(stderr, "%s: cannot take the events: %s\n", prog_name, strerror(-ret));
		goto out;
	}
	/* Read after the run: what the run upgraded is named as it is now. */
	ret = dpkg_owners_load(&owners);
	if (ret)
		fprintf(stderr,
			"%s: warning: cannot read dpkg's database in %s: %s; programs are "
			"allowed by their paths, not by package\n",
			prog_name, dpkg_admin_dir(), strerror(-ret));
	snprintf(what, sizeof(what), "%s '%s' over %llds", selector_key(kind), selector,
		 (long long)(time(NULL) - started));
	h.name = name;
	h.selector_kind = kind;
	h.selector = selector;
	h.what = what;
	h.events_lost = events_lost(s.b) - lost_before;
	if (write_policy(l, &h, owners, out_path))
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
	learning_end(&s);
	events_log_close(log);
	enforce_close_backend(s.b);
	learned_free(l);
	dpkg_owners_free(owners);
	free(image.data);
	return status;
usage:
	fprintf(stderr,
		"Usage: %s %s [--backend bpf|kmod] (--unit UNIT | --cgroup GLOB) --duration D "
		"[-o FILE] [--name NAME]\n",
		prog_name, argv[0]);
	return 2;
}
