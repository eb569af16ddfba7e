// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading the TDX lines out of a /dev/kmsg fixture. */
#include "kernel-log.h"

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

static char root[64];

static int setup(void **state)
{
	strcpy(root, "/tmp/tdxmemd-test-klog-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	char dev[96];
	snprintf(dev, sizeof(dev), "%s/dev", root);
	return mkdir(dev, 0755);
}

static int teardown(void **state)
{
	char command[128];
	snprintf(command, sizeof(command), "rm -rf '%s'", root);
	return system(command);
}

static void write_kmsg(const char *content)
{
	char path[96];
	snprintf(path, sizeof(path), "%s/dev/kmsg", root);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void test_lines(void **state)
{
	struct kernel_log log = {0};

	write_kmsg("6,0,0,-;Linux version 6.12.95\n"
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

	write_kmsg("6,5000,0,-;virt/tdx: module initialized\n");
	assert_int_equal(kernel_log_read(root, &log), 0);
	assert_int_equal(log.origin, KERNEL_LOG_KMSG);
	assert_int_equal(log.count, 1);
	kernel_log_clear(&log);
}

static void test_missing(void **state)
{
	struct kernel_log log = {0};
	char path[96];

	snprintf(path, sizeof(path), "%s/dev/kmsg", root);
	unlink(path);
	assert_int_equal(kernel_log_read(root, &log), -ENOENT);
	assert_null(log.lines);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines),
	    cmocka_unit_test(test_wrapped_fixture),
	    cmocka_unit_test(test_missing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
