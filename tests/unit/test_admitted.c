// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for bulwarkd's record of the files sha256-pinned exact exec
 * rules admit (controller/daemon/admitted.c): which replacements give a
 * re-admission or a refusal event, and that the record survives a save and
 * a load. The files are real files in a temporary directory; the events go
 * to the journal when there is one, and are counted in the daemon.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon.h"
#include "helpers.h"
#include "sha256.h"
#include "state.h"

static char dir[] = "/tmp/bulwark-test-admitted-XXXXXX";

/* The record is kept in the test's directory, not in /run/bulwark. */
void state_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static void put_file(const char *name, const char *content)
{
	char path[256], next[256];
	FILE *f;

	/* Replaced by rename, as an installer does: a new inode. */
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(next, sizeof(next), "%s/%s.new", dir, name);
	f = fopen(next, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(next, path), 0);
}

static void hex_sha256(const char *content, char out[65])
{
	struct sha256 ctx;
	uint8_t digest[32];

	sha256_init(&ctx);
	sha256_update(&ctx, content, strlen(content));
	sha256_final(&ctx, digest);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", digest[i]);
}

/* A daemon that installed @yaml's image; its admitted files in @files. */
static void install(struct daemon *d, struct compiled *c, const char *yaml,
		    struct admitted_files *files)
{
	compile_yaml(c, yaml);
	assert_int_equal(c->diag.errors, 0);
	free(d->image.data);
	d->image.data = malloc(c->buffer.size);
	assert_non_null(d->image.data);
	memcpy(d->image.data, c->buffer.data, c->buffer.size);
	d->image.size = c->buffer.size;
	d->generation++;
	assert_int_equal(daemon_admitted_files(&d->image, files), 0);
}

/* Policy trust: @dir/pinned pinned to @pin (none: no rule takes it), @dir/plain by path. */
static char *pinned_policy(const char *pin)
{
	char *yaml, *pinned = NULL;

	if (pin)
		assert_true(asprintf(&pinned, "      - {path: %s/pinned, sha256: %s}\n", dir, pin) >
			    0);
	assert_true(asprintf(&yaml,
			     "apiVersion: bulwark/v1\nkind: Policy\nmetadata: {name: trust}\n"
			     "spec:\n  selector: {cgroup: /t}\n  exec:\n    default: deny\n"
			     "    allow:\n%s      - path: %s/plain\n",
			     pinned ? pinned : "", dir) > 0);
	free(pinned);
	return yaml;
}

/* Installs @yaml as the next generation, reporting against the last one. */
static void reload(struct daemon *d, const char *yaml)
{
	struct admitted_files now;
	struct compiled c;

	install(d, &c, yaml, &now);
	daemon_report_admissions(d, &d->admitted, &now);
	daemon_admitted_free(&d->admitted);
	d->admitted = now;
	compiled_free(&c);
}

static void setup_daemon(struct daemon *d, char **yaml, char pin[65])
{
	memset(d, 0, sizeof(*d));
	put_file("pinned", "one");
	put_file("plain", "plain");
	hex_sha256("one", pin);
	*yaml = pinned_policy(pin);
	reload(d, *yaml); /* the first install: nothing to report */
	assert_int_equal(d->readmitted + d->refused, 0);
}

static void teardown_daemon(struct daemon *d, char *yaml)
{
	daemon_admitted_free(&d->admitted);
	free(d->image.data);
	free(yaml);
}

/* Only the pinned file is in the record, and it is taken by its rule (not refused). */
static void only_pinned_files_are_recorded_as_taken(void **state)
{
	struct daemon d;
	char pin[65], *yaml;

	(void)state;
	setup_daemon(&d, &yaml, pin);
	assert_int_equal(d.admitted.count, 1);
	assert_non_null(strstr(d.admitted.items[0].path, "/pinned"));
	assert_string_equal(d.admitted.items[0].policy, "trust");
	assert_false(d.admitted.items[0].refused);
	assert_true(d.admitted.items[0].state[1] > 0);
	teardown_daemon(&d, yaml);
}

/*
 * An unchanged file gives no event; a replacement with other content one
 * refusal, and no second one while it stays; the pinned content put back
 * one re-admission.
 */
static void a_replacement_is_refused_once_and_put_back_is_readmitted(void **state)
{
	struct daemon d;
	char pin[65], *yaml;

	(void)state;
	setup_daemon(&d, &yaml, pin);
	reload(&d, yaml);
	assert_int_equal(d.readmitted + d.refused, 0);
	put_file("pinned", "two");
	reload(&d, yaml);
	assert_int_equal(d.refused, 1);
	assert_int_equal(d.readmitted, 0);
	reload(&d, yaml);
	assert_int_equal(d.refused, 1);
	put_file("pinned", "one");
	reload(&d, yaml);
	assert_int_equal(d.readmitted, 1);
	assert_int_equal(d.refused, 1);
	/* The same content installed again (a new inode): re-admitted again. */
	put_file("pinned", "one");
	reload(&d, yaml);
	assert_int_equal(d.readmitted, 2);
	teardown_daemon(&d, yaml);
}

/*
 * A file no rule takes any more is refused once and kept as refused; the
 * rule back (its content matching) re-admits it, with its event.
 */
static void a_file_a_rule_takes_again_is_readmitted(void **state)
{
	struct daemon d;
	char pin[65], *yaml, *other;

	(void)state;
	setup_daemon(&d, &yaml, pin);
	other = pinned_policy(NULL);
	put_file("pinned", "one");
	reload(&d, other);
	assert_int_equal(d.refused, 1);
	reload(&d, yaml);
	assert_int_equal(d.readmitted, 1);
	assert_int_equal(d.refused, 1);
	free(other);
	teardown_daemon(&d, yaml);
}

/* The record saved for a generation loads for it, and for no other. */
static void the_record_loads_for_its_generation_only(void **state)
{
	struct admitted_files loaded;
	struct daemon d;
	char pin[65], *yaml;

	(void)state;
	setup_daemon(&d, &yaml, pin);
	daemon_admitted_save(&d.admitted, d.generation);
	assert_int_equal(daemon_admitted_load(&loaded, d.generation), 0);
	assert_true(daemon_admitted_same(&loaded, &d.admitted));
	assert_false(loaded.items[0].refused);
	daemon_admitted_free(&loaded);
	assert_true(daemon_admitted_load(&loaded, d.generation + 1) < 0);
	teardown_daemon(&d, yaml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_pinned_files_are_recorded_as_taken),
		cmocka_unit_test(a_replacement_is_refused_once_and_put_back_is_readmitted),
		cmocka_unit_test(a_file_a_rule_takes_again_is_readmitted),
		cmocka_unit_test(the_record_loads_for_its_generation_only),
	};
	char cmd[128];
	int failed;

	setenv("BULWARK_DIGEST_CACHE", "", 1);
	if (!mkdtemp(dir))
		return 1;
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		failed++;
	return failed;
}
