// SPDX-License-Identifier: GPL-2.0
/*
 * bulwark status [--json]: which enforcement backends this machine can use
 * (with the reason when it cannot), and what is enforced: the generation,
 * each policy with its mode, rule count and counters, and the event drops.
 * Exits 0 when at least one backend is usable.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "bpf_maps.h"
#include "commands.h"
#include "generation.h"
#include "policy.h"
#include "state.h"

struct enforced {
	bool loaded;
	__u32 slot;
	struct bw_generation gen;
	__u64 stats[__BW_STAT_MAX];
};

static void json_text(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* bulwarkd's status file (state.h; written by controller/daemon/reload.c). */
struct daemon_report {
	bool present, running;
	long pid;
	unsigned long long generation;
	unsigned int reloads, rejected, readmitted, refused;
	char last[800];
};

static void read_daemon_report(struct daemon_report *r)
{
	char path[4096], line[800];
	FILE *f;

	memset(r, 0, sizeof(*r));
	state_path(path, sizeof(path), BULWARKD_STATUS_FILE);
	f = fopen(path, "re");
	if (!f)
		return;
	r->present = true;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "pid=", 4))
			r->pid = strtol(line + 4, NULL, 10);
		else if (!strncmp(line, "generation=", 11))
			r->generation = strtoull(line + 11, NULL, 10);
		else if (!strncmp(line, "reloads=", 8))
			r->reloads = strtoul(line + 8, NULL, 10);
		else if (!strncmp(line, "rejected=", 9))
			r->rejected = strtoul(line + 9, NULL, 10);
		else if (!strncmp(line, "readmitted=", 11))
			r->readmitted = strtoul(line + 11, NULL, 10);
		else if (!strncmp(line, "refused=", 8))
			r->refused = strtoul(line + 8, NULL, 10);
		else if (!strncmp(line, "last=", 5))
			snprintf(r->last, sizeof(r->last), "%s", line + 5);
	}
	fclose(f);
	r->running = r->pid > 0 && (!kill(r->pid, 0) || errno == EPERM);
}

static void print_daemon(bool json)
{
	struct daemon_report r;

	read_daemon_report(&r);
	if (json) {
		if (!r.present) {
			printf(",\"daemon\":null");
			return;
		}
		printf(",\"daemon\":{\"running\":%s,\"pid\":%ld,\"generation\":%llu,"
		       "\"reloads\":%u,\"rejected\":%u,\"readmitted\":%u,\"refused\":%u,"
		       "\"last\":",
		       r.running ? "true" : "false", r.pid, r.generation, r.reloads, r.rejected,
		       r.readmitted, r.refused);
		json_text(r.last);
		putchar('}');
		return;
	}
	if (!r.present)
		printf("daemon: bulwarkd not running\n");
	else
		printf("daemon: bulwarkd %s (pid %ld), %u reloads, %u rejected, %u re-admitted, "
		       "%u refused; last: %s\n",
		       r.running ? "running" : "not running", r.pid, r.reloads, r.rejected,
		       r.readmitted, r.refused, r.last);
}

static void print_policies(struct bpf_backend *b, const struct enforced *e, bool json)
{
	bool first = true;
	__u32 i;

	for (i = 0; i < BW_POLICY_MAX; i++) {
		__u32 index = e->slot * BW_POLICY_MAX + i;
		struct bw_policy p;
		__u64 c[3] = {0};

		if (bw_map_lookup(b, BW_MAP_POLICIES, &index, &p) || !p.valid)
			continue;
		bw_map_sum_u64(b, BW_MAP_COUNTERS, index, c, 3);
		if (json) {
			printf("%s{\"name\":", first ? "" : ",");
			json_text(p.name);
			printf(",\"index\":%u,\"session\":%s,\"mode\":\"%s\",\"rules\":%u,"
			       "\"allowed\":%llu,\"denied\":%llu,\"audited\":%llu}",
			       i, i >= BW_SESSION_BASE ? "true" : "false", mode_name(p.mode),
			       p.rule_count, (unsigned long long)c[0], (unsigned long long)c[1],
			       (unsigned long long)c[2]);
		} else {
			printf("policy %s%s: %s, %u rules, %llu allowed, %llu denied, %llu "
			       "audited\n",
			       p.name,
			       i >= BW_SESSION_BASE ? " (a bulwark exec or learn session)" : "",
			       mode_name(p.mode), p.rule_count, (unsigned long long)c[0],
			       (unsigned long long)c[1], (unsigned long long)c[2]);
		}
		first = false;
	}
}

static void read_enforced(struct bpf_backend *b, struct enforced *e)
{
	__u32 i;

	e->loaded = !generation_active(b, &e->slot, &e->gen);
	for (i = 0; i < __BW_STAT_MAX; i++)
		bw_map_sum_u64(b, BW_MAP_STATS, i, &e->stats[i], 1);
}

int status_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct backend_probe bpf, kmod;
	struct bpf_backend *b = NULL;
	struct kmod_status ks = {0};
	struct enforced e = {0};
	struct kmod *k = NULL;
	enum bpf_stage stage;
	bool json = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt != 'j')
			goto usage;
		json = true;
	}
	if (optind != argc)
		goto usage;
	probe_bpf_backend(&bpf);
	probe_kmod_backend(&kmod);
	if (bpf_backend_is_pinned() && !bpf_backend_open(&b, false, &stage))
		read_enforced(b, &e);
	/* The module enforces when it holds a generation (and BPF does not). */
	if (!e.loaded && !kmod_open(&k) && (kmod_get_status(k, &ks) || !ks.generation))
		ks.generation = 0;

	if (json) {
		printf("{\"backends\":{\"bpf\":{\"usable\":%s,\"detail\":",
		       bpf.usable ? "true" : "false");
		json_text(bpf.detail);
		printf("},\"kmod\":{\"usable\":%s,\"detail\":", kmod.usable ? "true" : "false");
		json_text(kmod.detail);
		printf("}},\"enforcing\":");
		if (e.loaded) {
			printf("{\"backend\":\"bpf\",\"generation\":%llu,\"policies\":[",
			       (unsigned long long)e.gen.generation);
			print_policies(b, &e, true);
			printf("],\"events_dropped\":%llu,\"undecidable\":%llu,"
			       "\"decisions\":%llu,\"kept_verdicts_used\":%llu}",
			       (unsigned long long)e.stats[BW_STAT_EVENTS_DROPPED],
			       (unsigned long long)e.stats[BW_STAT_UNDECIDABLE],
			       (unsigned long long)e.stats[BW_STAT_HOOK_RUNS],
			       (unsigned long long)e.stats[BW_STAT_KEPT_USED]);
		} else if (ks.generation) {
			printf("{\"backend\":\"kmod\",\"generation\":%llu,\"policy_count\":%u,"
			       "\"hooks\":%u,\"decisions\":%llu,\"denied\":%llu,\"audited\":%llu,"
			       "\"undecidable\":%llu,\"events_dropped\":%llu,\"events_queued\":%"
			       "llu}",
			       (unsigned long long)ks.generation, ks.policies, ks.hooks,
			       (unsigned long long)ks.decisions, (unsigned long long)ks.denied,
			       (unsigned long long)ks.audited, (unsigned long long)ks.undecidable,
			       (unsigned long long)ks.events_lost,
			       (unsigned long long)ks.events_queued);
		} else {
			printf("null");
		}
		print_daemon(true);
		printf("}\n");
	} else {
		printf("bpf: %s: %s\n", bpf.usable ? "usable" : "not usable", bpf.detail);
		printf("kmod: %s: %s\n", kmod.usable ? "usable" : "not usable", kmod.detail);
		if (e.loaded) {
			printf("enforcing: bpf, generation %llu%s\n",
			       (unsigned long long)e.gen.generation,
			       e.gen.generation ? "" : " (no policies)");
			print_policies(b, &e, false);
			printf("events dropped: %llu, undecidable operations failed closed: %llu\n",
			       (unsigned long long)e.stats[BW_STAT_EVENTS_DROPPED],
			       (unsigned long long)e.stats[BW_STAT_UNDECIDABLE]);
			printf("decisions: %llu, answered by kept verdicts: %llu\n",
			       (unsigned long long)e.stats[BW_STAT_HOOK_RUNS],
			       (unsigned long long)e.stats[BW_STAT_KEPT_USED]);
		} else if (ks.generation) {
			printf("enforcing: kmod, generation %llu, %u policies, %u kernel functions "
			       "hooked\n",
			       (unsigned long long)ks.generation, ks.policies, ks.hooks);
			printf("decisions: %llu, denied: %llu, audited: %llu\n",
			       (unsigned long long)ks.decisions, (unsigned long long)ks.denied,
			       (unsigned long long)ks.audited);
			printf("events dropped: %llu, undecidable operations failed closed: %llu\n",
			       (unsigned long long)ks.events_lost,
			       (unsigned long long)ks.undecidable);
		} else {
			printf("enforcing: nothing\n");
		}
		print_daemon(false);
	}
	bpf_backend_close(b);
	kmod_close(k);
	return bpf.usable || kmod.usable ? 0 : 1;
usage:
	fprintf(stderr, "Usage: %s %s [--json]\n", prog_name, argv[0]);
	return 2;
}
