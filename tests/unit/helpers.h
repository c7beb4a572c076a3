/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the unit tests: compile YAML held in a string, capture the
 * errors it produces, and decode the image it gives. Include after cmocka.
 */
#ifndef BULWARK_TEST_HELPERS_H
#define BULWARK_TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decide.h"
#include "core/image.h"
#include "image_write.h"
#include "policy.h"

struct compiled {
	struct policy_set set;
	struct diag diag;
	char *errors; /* everything reported, one "file:line:col: error: ..." a line */
	size_t errors_size;
	FILE *errors_stream;
	struct image_buffer buffer;
	struct bulwark_image image;
};

/* Parses and checks @yaml as file "t.yaml"; builds and decodes the image when clean. */
static inline void compile_yaml(struct compiled *c, const char *yaml)
{
	const char *why = NULL;

	memset(c, 0, sizeof(*c));
	c->errors_stream = open_memstream(&c->errors, &c->errors_size);
	diag_init(&c->diag, c->errors_stream);
	c->diag.limit = 0;
	policy_set_init(&c->set, &c->diag);
	policy_parse_buffer(&c->set, "t.yaml", (const unsigned char *)yaml, strlen(yaml));
	policy_check(&c->set);
	fflush(c->errors_stream);
	if (c->diag.errors)
		return;
	assert_int_equal(image_build(&c->set, &c->buffer), 0);
	if (bulwark_image_decode(&c->image, c->buffer.data, c->buffer.size, &why))
		fail_msg("a freshly built image does not decode: %s", why);
}

static inline void compiled_free(struct compiled *c)
{
	fclose(c->errors_stream);
	free(c->errors);
	free(c->buffer.data);
	policy_set_free(&c->set);
}

/* Asserts that compiling @yaml reports an error containing @expected. */
#define assert_compile_error(yaml, expected)                                                       \
	do {                                                                                       \
		struct compiled _c;                                                                \
		compile_yaml(&_c, yaml);                                                           \
		if (!strstr(_c.errors ? _c.errors : "", expected))                                 \
			fail_msg("expected an error containing\n  %s\ngot:\n%s", expected,         \
				 _c.errors &&*_c.errors ? _c.errors : "  (no error)\n");           \
		compiled_free(&_c);                                                                \
	} while (0)

/* The head of a policy document, to which a test appends its spec. */
#define POLICY_HEAD(name)                                                                          \
	"apiVersion: bulwark/v1\nkind: Policy\nmetadata:\n  name: " name "\nspec:\n"

#endif /* BULWARK_TEST_HELPERS_H */
