// SPDX-License-Identifier: GPL-2.0
/*
 * bulwarkd's reload: compile the policy directory, install it as a new
 * generation when it differs from what runs, and say what happened to the
 * journal (stderr, with sd-daemon priority prefixes), to systemd
 * (sd_notify) and to `bulwark status` (the status file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "commands.h"
#include "daemon.h"
#include "enforce.h"
#include "generation.h"
#include "policy.h"
#include "state.h"

static void write_status_file(const struct daemon *d)
{
	char path[4096], next[4096];
	FILE *f;

	state_path(path, sizeof(path), BULWARKD_STATUS_FILE);
	state_path(next, sizeof(next), BULWARKD_STATUS_FILE ".next");
	f = fopen(next, "we");
	if (!f) {
		fprintf(stderr, SD_WARNING "cannot write %s: %s\n", next, strerror(errno));
		return;
	}
	fprintf(f,
		"pid=%ld\ngeneration=%llu\npolicies=%u\nreloads=%u\nunchanged=%u\n"
		"rejected=%u\nreadmitted=%u\nrefused=%u\nevents_forwarded=%llu\n"
		"events_suppressed=%llu\nlast=%s\n",
		(long)getpid(), (unsigned long long)d->generation, d->policies, d->reloads,
		d->unchanged, d->rejected, d->readmitted, d->refused, d->events_forwarded,
		d->events_suppressed, d->last);
	if (fclose(f) || rename(next, path)) {
		fprintf(stderr, SD_WARNING "cannot write %s: %s\n", path, strerror(errno));
		unlink(next);
	}
}

void daemon_publish(const struct daemon *d)
{
	write_status_file(d);
	sd_notifyf(0, "READY=1\nSTATUS=generation %llu, %u policies, %u reloads, %u rejected: %s",
		   (unsigned long long)d->generation, d->policies, d->reloads, d->rejected,
		   d->last);
}

/*
 * Compiles the directory. Its report goes to the journal, one entry per
 * problem with its file:line:col (warnings too: a file a trust source does
 * not take); a rejection's first line goes to d->last.
 */
static int compile(struct daemon *d, struct image_buffer *out)
{
	char *paths[] = {(char *)d->policy_dir};
	char *report = NULL;
	size_t size = 0;
	FILE *f;
	int ret;

	f = open_memstream(&report, &size);
	if (!f)
		return -errno;
	ret = enforce_compile_paths(1, paths, f, out);
	fclose(f);
	if (ret)
		snprintf(d->last, sizeof(d->last), "rejected: %.*s",
			 (int)strcspn(report ?: "", "\n"), report ?: "");
	for (char *line = report, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		fprintf(stderr, "%s%s\n", ret ? SD_ERR : SD_WARNING, line);
	}
	free(report);
	return ret;
}

static bool same_image(const struct image_buffer *a, const struct image_buffer *b)
{
	return a->size == b->size && !memcmp(a->data, b->data, a->size);
}

static int install(struct daemon *d, struct image_buffer *image, const char *why)
{
	struct backend *b = NULL;
	struct gen_result result;
	int lock, ret;

	lock = state_lock();
	if (lock < 0) {
		snprintf(d->last, sizeof(d->last), "not applied: cannot lock %s: %s",
			 BULWARK_RUN_DIR, strerror(-lock));
		fprintf(stderr, SD_ERR "%s\n", d->last);
		return lock;
	}
	ret = enforce_open_backend(d->backend, true, &b);
	if (ret) {
		snprintf(d->last, sizeof(d->last), "not applied: no backend enforces: %s",
			 strerror(-ret));
		fprintf(stderr, SD_ERR "%s\n", d->last);
		goto out;
	}
	ret = state_install(b, image, &result);
	if (ret) {
		snprintf(d->last, sizeof(d->last), "not applied: %s", result.why);
		fprintf(stderr, SD_ERR "%s\n", d->last);
		goto out;
	}
	d->generation = result.generation;
	d->policies = result.policies;
	d->reloads++;
	snprintf(d->last, sizeof(d->last),
		 "generation %llu applied (%s) with %s: %u policies, %u path entries, "
		 "%u network entries, %u files admitted by identity",
		 (unsigned long long)result.generation, why, backend_name(b), result.policies,
		 result.path_entries, result.net_entries, result.identities);
	fprintf(stderr, SD_NOTICE "%s\n", d->last);
	if (result.not_admitted)
		fprintf(stderr,
			SD_WARNING "%u exact exec allow rule(s) name a file that is missing or "
				   "whose sha256 differs: denied until admitted\n",
			result.not_admitted);
out:
	enforce_close_backend(b);
	state_unlock(lock);
	return ret;
}

int daemon_reload(struct daemon *d, const char *why)
{
	struct image_buffer image = {0};
	struct admitted_files admitted = {0};
	struct keepalive keepalive;
	char again[512];
	int count, ret;

	sd_notifyf(0, "RELOADING=1\nSTATUS=reloading (%s)", why);
	keepalive_start(&keepalive);
	count = policy_dir_count(d->policy_dir);
	if (count == 0) {
		/* Nothing to enforce is not a reason to drop what runs. */
		snprintf(d->last, sizeof(d->last), "no policy files in %s%s", d->policy_dir,
			 d->generation ? ": the running generation stays" : "");
		fprintf(stderr, SD_WARNING "%s\n", d->last);
		keepalive_stop(&keepalive);
		daemon_publish(d);
		return 0;
	}
	ret = compile(d, &image);
	if (ret) {
		d->rejected++;
		fprintf(stderr, SD_ERR "policies in %s rejected (%s): %s\n", d->policy_dir, why,
			d->generation ? "the running generation stays" : "nothing is enforced");
		goto out;
	}
	ret = daemon_admitted_files(&image, &admitted);
	if (ret) {
		snprintf(d->last, sizeof(d->last),
			 "not applied: the compiled image does not decode: %s", strerror(-ret));
		fprintf(stderr, SD_ERR "%s\n", d->last);
		goto out;
	}
	if (d->have_image && same_image(&image, &d->image) &&
	    !daemon_admitted_same(&admitted, &d->admitted)) {
		/* Same rules, other files: admit (or deny) the files there now. */
		snprintf(again, sizeof(again), "%s; files named by exact exec rules changed", why);
		why = again;
	} else if (d->have_image && same_image(&image, &d->image)) {
		d->unchanged++;
		snprintf(d->last, sizeof(d->last), "unchanged (%s): generation %llu stays", why,
			 (unsigned long long)d->generation);
		fprintf(stderr, SD_INFO "%s\n", d->last);
		goto out;
	}
	ret = install(d, &image, why);
	if (!ret) {
		free(d->image.data);
		d->image = image;
		d->have_image = true;
		image.data = NULL;
		daemon_report_admissions(d, &d->admitted, &admitted);
		daemon_admitted_save(&admitted, d->generation);
		daemon_admitted_free(&d->admitted);
		d->admitted = admitted;
		admitted = (struct admitted_files){0};
	}
out:
	keepalive_stop(&keepalive);
	daemon_admitted_free(&admitted);
	free(image.data);
	daemon_publish(d);
	return ret;
}

bool daemon_something_enforces(void)
{
	return bpf_backend_is_pinned() || !access("/sys/module/bulwark", F_OK);
}

/* The generation a backend enforces now, or 0. */
static uint64_t running_generation(struct backend *b, unsigned int *policies)
{
	struct kmod_status ks;
	struct bw_generation gen;
	__u32 slot;

	if (b->kind == BACKEND_KMOD) {
		if (kmod_get_status(b->kmod, &ks))
			return 0;
		*policies = ks.policies;
		return ks.generation;
	}
	if (generation_active(b->bpf, &slot, &gen))
		return 0;
	*policies = gen.policy_count;
	return gen.generation;
}

int daemon_adopt(struct daemon *d)
{
	struct image_buffer compiled = {0}, applied = {0};
	struct backend *b = NULL;
	char path[4096];
	FILE *quiet;
	int ret = 0;

	/* What runs now stays until a reload replaces it, whatever that reload finds. */
	if (!daemon_something_enforces())
		return 0;
	if (enforce_open_backend(d->backend, false, &b))
		return 0;
	d->generation = running_generation(b, &d->policies);
	state_path(path, sizeof(path), "applied.img");
	if (!d->generation || policy_dir_count(d->policy_dir) <= 0 ||
	    image_read_file(path, &applied))
		goto out;
	/* A rejection here is reported by the reload that follows. */
	quiet = fopen("/dev/null", "we");
	if (!quiet) {
		ret = -errno;
		goto out;
	}
	ret = enforce_compile_paths(1, (char *[]){(char *)d->policy_dir}, quiet, &compiled);
	fclose(quiet);
	if (ret || !same_image(&compiled, &applied)) {
		ret = 0;
		goto out;
	}
	d->image = compiled;
	compiled.data = NULL;
	d->have_image = true;
	/*
	 * The files as the install of this generation found them: the next
	 * reload admits (and reports) those replaced while no bulwarkd ran.
	 * Without that record, it installs again and reports nothing.
	 */
	daemon_admitted_free(&d->admitted);
	daemon_admitted_load(&d->admitted, d->generation);
	snprintf(d->last, sizeof(d->last),
		 "adopted generation %llu (%s): it enforces exactly the policies in %s",
		 (unsigned long long)d->generation, backend_name(b), d->policy_dir);
	fprintf(stderr, SD_NOTICE "%s\n", d->last);
	daemon_publish(d);
	ret = 1;
out:
	enforce_close_backend(b);
	free(compiled.data);
	free(applied.data);
	return ret;
}
