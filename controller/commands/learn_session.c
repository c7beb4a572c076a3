// SPDX-License-Identifier: GPL-2.0
/* bulwark learn's session; see learn_session.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups.h"
#include "commands.h"
#include "diag.h"
#include "image_write.h"
#include "learn_session.h"
#include "policy.h"
#include "state.h"
#include "yaml_quote.h"

static int learning_image(uint8_t kind, const char *selector, struct image_buffer *out)
{
	struct policy_set set;
	struct diag diag;
	size_t size = 0;
	char *text = NULL;
	FILE *f;
	int ret;

	f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	fprintf(f,
		"apiVersion: bulwark/v1\nkind: Policy\nmetadata:\n  name: bulwark-learn\n"
		"spec:\n  selector:\n    %s: ",
		selector_key(kind));
	yaml_quoted(f, selector);
	fputs("\n  mode: audit\n"
	      "  exec:\n    default: deny\n  file:\n    default: deny\n"
	      "  network:\n    ingress:\n      default: deny\n    egress:\n      default: deny\n",
	      f);
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	diag_init(&diag, stderr);
	policy_set_init(&set, &diag);
	policy_parse_buffer(&set, "the learning policy", (const unsigned char *)text, size);
	if (!diag.errors)
		policy_check(&set);
	ret = diag.errors ? -EINVAL : image_build(&set, out);
	policy_set_free(&set);
	free(text);
	return ret;
}

/*
 * The applied policy that governs what the learning policy would: the same
 * selector, or a cgroup both bind now. Its name into @name, or false.
 */
static bool applied_conflict(const struct bulwark_image *learning, char *name, size_t size)
{
	const struct bulwark_image_policy *l = &learning->policies[0];
	struct binding *ours = NULL, *theirs = NULL;
	size_t nours = 0, ntheirs = 0, i, j;
	struct image_buffer buf = {0};
	struct bulwark_image image;
	char path[PATH_MAX];
	const char *why;
	bool found = false;

	state_path(path, sizeof(path), "applied.img");
	if (image_read_file(path, &buf) || bulwark_image_decode(&image, buf.data, buf.size, &why))
		goto out;
	for (i = 0; i < image.policy_count && !found; i++) {
		const struct bulwark_image_policy *p = &image.policies[i];

		if (p->selector_kind == l->selector_kind &&
		    !strcmp(bulwark_image_string(&image, p->selector),
			    bulwark_image_string(learning, l->selector))) {
			snprintf(name, size, "%s", bulwark_image_string(&image, p->name));
			found = true;
		}
	}
	if (found || cgroups_bind(learning, &ours, &nours) ||
	    cgroups_bind(&image, &theirs, &ntheirs))
		goto out;
	for (i = 0; i < nours && !found; i++)
		for (j = 0; j < ntheirs && !found; j++)
			if (ours[i].cgroup == theirs[j].cgroup) {
				snprintf(name, size, "%s",
					 bulwark_image_string(
						 &image, image.policies[theirs[j].policy].name));
				found = true;
			}
out:
	free(ours);
	free(theirs);
	free(buf.data);
	return found;
}

int learn_session_start(struct learn_session *s, uint8_t kind, const char *selector,
			const char *backend, unsigned int seconds)
{
	struct image_buffer image = {0};
	struct bulwark_image decoded;
	char conflict[BULWARK_NAME_MAX];
	unsigned int live, ended;
	struct gen_result result;
	const char *why;
	int lock, ret;

	memset(s, 0, sizeof(*s));
	s->index = -1;
	ret = learning_image(kind, selector, &image);
	if (ret)
		return ret;
	lock = state_lock();
	if (lock < 0) {
		fprintf(stderr, "%s: cannot lock %s: %s\n", prog_name, BULWARK_RUN_DIR,
			strerror(-lock));
		free(image.data);
		return lock;
	}
	ret = enforce_open_backend(backend, true, &s->b);
	if (ret)
		goto out;
	ret = bulwark_image_decode(&decoded, image.data, image.size, &why);
	if (ret) {
		fprintf(stderr, "%s: the learning policy: %s\n", prog_name, why);
		goto out;
	}
	if (applied_conflict(&decoded, conflict, sizeof(conflict))) {
		fprintf(stderr,
			"%s: the applied policy '%s' governs what %s '%s' names already; learn "
			"replaces no policy: remove it from the applied set first, or learn on "
			"a copy of the workload\n",
			prog_name, conflict, selector_key(kind), selector);
		ret = -EEXIST;
		goto out;
	}
	state_learning_count(&live, &ended);
	if (live) {
		fprintf(stderr, "%s: another bulwark learn runs: one at a time\n", prog_name);
		ret = -EBUSY;
		goto out;
	}
	/* Before the install: the session's first events are in the log for us. */
	ret = events_log_open(s->b, false, &s->log);
	if (ret) {
		fprintf(stderr, "%s: cannot read events: %s\n", prog_name, strerror(-ret));
		goto out;
	}
	ret = state_learn_add(&image, seconds, &s->index);
	if (ret) {
		fprintf(stderr, "%s: cannot register the learning session: %s\n", prog_name,
			strerror(-ret));
		goto out;
	}
	s->registered = true;
	ret = state_install(s->b, NULL, &result);
	if (ret) {
		fprintf(stderr, "%s: cannot install the learning policy: %s\n", prog_name,
			result.why);
		state_session_remove(s->index);
		s->registered = false;
		goto out;
	}
	s->installed = true;
	s->first_generation = result.generation;
out:
	state_unlock(lock);
	free(image.data);
	return ret;
}

int learn_session_end(struct learn_session *s)
{
	struct gen_result result;
	int lock, ret = 0;

	if (!s->registered)
		return 0;
	lock = state_lock();
	state_session_remove(s->index);
	s->registered = false;
	if (lock < 0) {
		ret = lock;
		fprintf(stderr,
			"%s: cannot lock %s to remove the learning policy: %s (bulwarkd, or the "
			"next apply or exec, removes it)\n",
			prog_name, BULWARK_RUN_DIR, strerror(-lock));
	} else if ((ret = state_install(s->b, NULL, &result))) {
		fprintf(stderr,
			"%s: cannot remove the learning policy: %s (bulwarkd, or the next apply "
			"or exec, removes it)\n",
			prog_name, result.why);
	} else {
		s->end_generation = result.generation;
	}
	state_unlock(lock);
	return ret;
}

void learn_session_close(struct learn_session *s)
{
	learn_session_end(s);
	events_log_close(s->log);
	enforce_close_backend(s->b);
	s->log = NULL;
	s->b = NULL;
}

int learn_session_take(struct learn_session *s, struct learned *l)
{
	struct event_record r;
	int ret;

	while ((ret = events_log_next(s->log, &r)) > 0) {
		/* Its policy index, in its generations: not an earlier session's. */
		if (r.event.policy != BW_SESSION_BASE + s->index ||
		    r.event.verdict != BW_VERDICT_AUDIT ||
		    r.event.generation < s->first_generation ||
		    (s->end_generation && r.event.generation >= s->end_generation))
			continue;
		ret = learned_add(l, &r.event);
		if (ret)
			break;
	}
	if (ret < 0)
		fprintf(stderr, "%s: cannot take the events: %s\n", prog_name, strerror(-ret));
	return ret;
}

unsigned long long learn_session_events_lost(const struct learn_session *s)
{
	struct kmod_status ks = {0};
	__u64 sum = 0;

	if (s->b->kind == BACKEND_BPF)
		return bw_map_sum_u64(s->b->bpf, BW_MAP_STATS, BW_STAT_EVENTS_DROPPED, &sum, 1)
			       ? 0
			       : sum;
	return kmod_get_status(s->b->kmod, &ks) ? 0 : ks.events_lost;
}
