// SPDX-License-Identifier: GPL-2.0
/* Unit tests for controller/backend/lsm_list.c: reading and searching the kernel's LSM list. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lsm_list.h"

static void finds_first_middle_and_last(void **state)
{
	const char *list = "lockdown,capability,bpf,landlock";

	assert_true(lsm_list_contains(list, "lockdown"));
	assert_true(lsm_list_contains(list, "bpf"));
	assert_true(lsm_list_contains(list, "landlock"));
	assert_true(lsm_list_contains("bpf", "bpf"));
}

static void matches_whole_names_only(void **state)
{
	assert_false(lsm_list_contains("bpfx,lockdown", "bpf"));
	assert_false(lsm_list_contains("lockdown,xbpf", "bpf"));
	assert_false(lsm_list_contains("lockdown,bp", "bpf"));
	assert_false(lsm_list_contains("lockdown,capability", "bpf"));
}

static void handles_empty_input(void **state)
{
	assert_false(lsm_list_contains("", "bpf"));
	assert_false(lsm_list_contains("bpf", ""));
	assert_false(lsm_list_contains(",,", "bpf"));
	assert_false(lsm_list_contains("bpf,", ""));
}

static void stops_at_newline(void **state)
{
	assert_true(lsm_list_contains("capability,bpf\n", "bpf"));
	assert_false(lsm_list_contains("capability\nbpf", "capabilitybpf"));
}

static char *write_temp(const char *content)
{
	static char path[] = "/tmp/bulwark-test-lsm-XXXXXX";
	int fd;

	strcpy(path, "/tmp/bulwark-test-lsm-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	return path;
}

static void read_strips_the_trailing_newline(void **state)
{
	char buf[64], *path = write_temp("lockdown,capability,bpf\n");

	assert_int_equal(lsm_list_read(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "lockdown,capability,bpf");
	unlink(path);
}

static void read_truncates_to_the_buffer(void **state)
{
	char buf[8], *path = write_temp("lockdown,capability,bpf");

	assert_int_equal(lsm_list_read(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "lockdow");
	unlink(path);
}

static void read_reports_missing_file_as_enoent(void **state)
{
	char buf[16];

	assert_int_equal(lsm_list_read("/nonexistent/bulwark/lsm", buf, sizeof(buf)), -ENOENT);
}

static void read_rejects_a_buffer_too_small_for_anything(void **state)
{
	char buf[1];

	assert_int_equal(lsm_list_read("/dev/null", buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_first_middle_and_last),
		cmocka_unit_test(matches_whole_names_only),
		cmocka_unit_test(handles_empty_input),
		cmocka_unit_test(stops_at_newline),
		cmocka_unit_test(read_strips_the_trailing_newline),
		cmocka_unit_test(read_truncates_to_the_buffer),
		cmocka_unit_test(read_reports_missing_file_as_enoent),
		cmocka_unit_test(read_rejects_a_buffer_too_small_for_anything),
	};

	return cmocka_run_group_tests_name("lsm_list", tests, NULL, NULL);
}
