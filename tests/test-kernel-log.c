// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading the TDX lines out of a /dev/kmsg fixture. */
#include "kernel-log.h"
#include "macro.h"
#include "test-util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *root;

static int setup(void **state)
{
	_cleanup_free_ char *dev = NULL;

	root = test_mkdtemp("klog");
	dev = test_path(root, "dev");
	return mkdir(dev, 0755);
}

static int teardown(void **state)
{
	int r = test_rmtree(root);

	free(root);
	return r;
}

static void test_lines(void **state)
{
	struct kernel_log log = {0};

	test_put_file(root, "dev/kmsg",
		      "6,0,0,-;Linux version 6.12.95\n"
		      "6,339,5140900,-;virt/tdx: CMR: [0x100000, 0x6f800000)\n"
		      " SUBSYSTEM=platform\n"
		      " DEVICE=+platform:tdx\n"
		      "6,340,5140901,-,caller=T1;virt/tdx: CMR: [0x100000000, 0x180000000)\n"
		      "4,341,5140902,-;kvm: something else\n"
		      "6,342,5140903,c;virt/tdx: module initialized"); /* no final newline */

	assert_int_equal(kernel_log_read(root, &log), 0);
	assert_int_equal(log.origin, KERNEL_LOG_KMSG);
	assert_int_equal(log.count, 3);
	assert_string_equal(log.lines[0], "virt/tdx: CMR: [0x100000, 0x6f800000)");
	assert_string_equal(log.lines[1], "virt/tdx: CMR: [0x100000000, 0x180000000)");
	assert_string_equal(log.lines[2], "virt/tdx: module initialized");
	kernel_log_clear(&log);
	assert_null(log.lines);
}

/*
 * A wrapped ring buffer (first record not number 0) in a fixture root keeps
 * what kmsg had: the journal fallback is for the host only.
 */
static void test_wrapped_fixture(void **state)
{
	struct kernel_log log = {0};

	test_put_file(root, "dev/kmsg", "6,5000,0,-;virt/tdx: module initialized\n");
	assert_int_equal(kernel_log_read(root, &log), 0);
	assert_int_equal(log.origin, KERNEL_LOG_KMSG);
	assert_int_equal(log.count, 1);
	kernel_log_clear(&log);
}

/*
 * The daemon's follower: what was there at the start is left to the full
 * read; only records that come after it are appended, and only TDX lines.
 */
static void test_follow(void **state)
{
	struct kernel_log log = {0};
	size_t added = 99;
	bool lost = true;

	test_put_file(root, "dev/kmsg", "6,0,0,-;virt/tdx: BIOS enabled: private KeyID range\n");
	int fd = kernel_log_follow(root);
	assert_true(fd >= 0);
	assert_int_equal(kernel_log_read(root, &log), 0);
	assert_int_equal(log.count, 1);

	assert_int_equal(kernel_log_read_new(fd, &log, &added, &lost), 0);
	assert_int_equal(added, 0);
	assert_false(lost);

	_cleanup_free_ char *path = test_path(root, "dev/kmsg");
	FILE *f = fopen(path, "a");
	assert_non_null(f);
	fputs("4,1,10,-;kvm: unrelated\n6,2,11,-;virt/tdx: module initialized\n", f);
	fclose(f);
	assert_int_equal(kernel_log_read_new(fd, &log, &added, &lost), 0);
	assert_int_equal(added, 1);
	assert_int_equal(log.count, 2);
	assert_string_equal(log.lines[1], "virt/tdx: module initialized");
	assert_int_equal(kernel_log_read_new(fd, &log, &added, &lost), 0);
	assert_int_equal(added, 0);
	close(fd);
	kernel_log_clear(&log);
}

static void test_missing(void **state)
{
	struct kernel_log log = {0};
	_cleanup_free_ char *path = test_path(root, "dev/kmsg");

	unlink(path);
	assert_int_equal(kernel_log_read(root, &log), -ENOENT);
	assert_null(log.lines);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines),
	    cmocka_unit_test(test_wrapped_fixture),
	    cmocka_unit_test(test_follow),
	    cmocka_unit_test(test_missing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
