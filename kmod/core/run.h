/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runs of path rules: the image keeps the rules of one policy, class, match
 * and path together (sorted), and a run is decided as one entry. For a run
 * of exact exec rules, which rule admits the file the path names is one
 * choice, made in one place for everyone who makes it: the BPF backend's
 * translation, the module's identities and bulwarkd's admission events.
 */
#ifndef BULWARK_CORE_RUN_H
#define BULWARK_CORE_RUN_H

#include "image.h"

/* Whether @a and @b are rules of one run. */
static inline bool bulwark_rule_same_run(const struct bulwark_image_path_rule *a,
					 const struct bulwark_image_path_rule *b)
{
	return a->policy == b->policy && a->class == b->class && a->match == b->match &&
	       a->path == b->path;
}

/* The first rule after the run that starts at @run (@end: the rules' end). */
static inline const struct bulwark_image_path_rule *
bulwark_run_end(const struct bulwark_image_path_rule *run,
		const struct bulwark_image_path_rule *end)
{
	const struct bulwark_image_path_rule *r = run;

	while (r < end && bulwark_rule_same_run(r, run))
		r++;
	return r;
}

/*
 * The rule of an exact exec run [@run, @end) that decides its file whatever
 * the content: its deny rule, else an allow rule with no sha256 pin. NULL
 * when only pinned rules remain: then the content decides (see
 * bulwark_run_pin()), and a file matching no pin is not admitted.
 */
static inline const struct bulwark_image_path_rule *
bulwark_run_admits(const struct bulwark_image_path_rule *run,
		   const struct bulwark_image_path_rule *end)
{
	const struct bulwark_image_path_rule *r, *plain = NULL;

	for (r = run; r < end; r++) {
		if (r->action == BULWARK_DENY)
			return r;
		if (!r->digest && !plain)
			plain = r;
	}
	return plain;
}

/* Whether the run [@run, @end) has a pinned rule. */
static inline bool bulwark_run_pinned(const struct bulwark_image_path_rule *run,
				      const struct bulwark_image_path_rule *end)
{
	const struct bulwark_image_path_rule *r;

	for (r = run; r < end; r++)
		if (r->digest)
			return true;
	return false;
}

/* The pinned rule of [@run, @end) whose sha256 is @digest, or NULL. */
static inline const struct bulwark_image_path_rule *
bulwark_run_pin(const struct bulwark_image *image, const struct bulwark_image_path_rule *run,
		const struct bulwark_image_path_rule *end, const __u8 digest[BULWARK_DIGEST_SIZE])
{
	const struct bulwark_image_path_rule *r;

	for (r = run; r < end; r++)
		if (r->digest && !memcmp(image->digests + (r->digest - 1) * BULWARK_DIGEST_SIZE,
					 digest, BULWARK_DIGEST_SIZE))
			return r;
	return NULL;
}

#endif /* BULWARK_CORE_RUN_H */
