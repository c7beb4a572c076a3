// SPDX-License-Identifier: GPL-2.0
/* bulwark learn's output; see learn_output.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "core/decide.h"
#include "diag.h"
#include "file_digest.h"
#include "image_write.h"
#include "learn_output.h"
#include "policy.h"

struct rendered {
	char *text;
	size_t size;
	struct image_buffer image;
	struct bulwark_image decoded;
	char *errors; /* what the compiler reported */
	size_t errors_size;
};

static void rendered_free(struct rendered *r)
{
	free(r->text);
	free(r->image.data);
	free(r->errors);
	memset(r, 0, sizeof(*r));
}

/* The policy as text, and compiled as bulwark check would. 0, -EINVAL (errors) or -errno. */
static int render(struct learned *l, const struct learned_header *h, struct dpkg_owners *owners,
		  struct rendered *r)
{
	FILE *out = open_memstream(&r->text, &r->size);
	FILE *report = open_memstream(&r->errors, &r->errors_size);
	struct policy_set set;
	struct diag diag;
	const char *why;
	int ret;

	if (!out || !report) {
		if (out)
			fclose(out);
		if (report)
			fclose(report);
		return -ENOMEM;
	}
	ret = learned_write(l, h, owners ? dpkg_owner : NULL, owners, out);
	if (fclose(out) && !ret)
		ret = -ENOMEM;
	if (!ret) {
		diag_init(&diag, report);
		policy_set_init(&set, &diag);
		policy_parse_buffer(&set, "the learned policy", (const unsigned char *)r->text,
				    r->size);
		if (!diag.errors)
			policy_check(&set);
		ret = diag.errors ? -EINVAL : image_build(&set, &r->image);
		policy_set_free(&set);
	}
	fclose(report);
	if (!ret && bulwark_image_decode(&r->decoded, r->image.data, r->image.size, &why))
		ret = -EINVAL;
	return ret;
}

struct coverage {
	const struct bulwark_image *image;
	struct learned *l;
	unsigned int uncovered;
	bool mark; /* allow the uncovered by path */
};

/* Whether the compiled policy lets @path run, content included. */
static void check_exec(const char *path, void *arg)
{
	struct coverage *c = arg;
	struct bulwark_verdict v;
	__u8 digest[32], *have = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd >= 0) {
		if (!file_digest_sha256(fd, digest))
			have = digest;
		close(fd);
	}
	if (bulwark_decide_exec(c->image, 0, path, strlen(path), have, &v) ||
	    v.action == BULWARK_DENY) {
		c->uncovered++;
		if (c->mark)
			learned_by_path(c->l, path);
	}
}

static int write_file(const char *out_path, const struct rendered *r)
{
	char tmp[PATH_MAX];
	FILE *out;
	int ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.new", out_path);
	out = fopen(tmp, "we");
	if (!out) {
		ret = -errno;
		fprintf(stderr, "%s: cannot write %s: %s\n", prog_name, tmp, strerror(errno));
		return ret;
	}
	if (fwrite(r->text, 1, r->size, out) != r->size || fflush(out) || fsync(fileno(out)))
		ret = -errno ?: -EIO;
	if (fclose(out) && !ret)
		ret = -errno ?: -EIO;
	if (!ret && rename(tmp, out_path) < 0)
		ret = -errno;
	if (ret) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog_name, out_path, strerror(-ret));
		unlink(tmp);
	}
	return ret;
}

int learn_output_write(struct learned *l, const struct learned_header *h,
		       struct dpkg_owners *owners, const char *out_path)
{
	struct rendered r = {0};
	struct coverage c = {.l = l, .mark = true};
	int ret = render(l, h, owners, &r);

	if (!ret) {
		/* A package's rule covers what dpkg installed as it installed it, if runnable. */
		c.image = &r.decoded;
		learned_for_each_exec(l, check_exec, &c);
		if (c.uncovered) {
			rendered_free(&r);
			ret = render(l, h, owners, &r);
		}
	}
	if (!ret && c.uncovered) {
		c = (struct coverage){.image = &r.decoded, .l = l};
		learned_for_each_exec(l, check_exec, &c);
	}
	if (ret || c.uncovered) {
		fprintf(stderr,
			"%s: the learned policy %s (a bug in bulwark learn: please report it)\n%s",
			prog_name,
			ret ? "does not pass bulwark check"
			    : "does not allow every program that ran",
			r.errors ? r.errors : "");
		if (r.text)
			fprintf(stderr, "%s: the policy was:\n%.*s", prog_name, (int)r.size,
				r.text);
		rendered_free(&r);
		return ret ? ret : -EINVAL;
	}
	if (out_path) {
		ret = write_file(out_path, &r);
	} else if (fwrite(r.text, 1, r.size, stdout) != r.size || fflush(stdout)) {
		ret = -EIO;
		fprintf(stderr, "%s: cannot write the policy to standard output\n", prog_name);
	}
	rendered_free(&r);
	return ret;
}
