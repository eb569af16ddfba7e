// SPDX-License-Identifier: GPL-2.0-or-later
/* The TDX state: from evidence (a table), and from fixture trees. */
#include "kernel-log.h"
#include "macro.h"
#include "tdx.h"
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

/* -1 unreadable, 0 no, 1 yes */
static const struct {
	struct tdx_evidence evidence;
	enum tdx_state state;
} evidence_rows[] = {
    {{-1, -1, -1, -1, -1, -1}, TDX_STATE_UNKNOWN},
    {{0, -1, -1, 0, 0, 0}, TDX_STATE_DISABLED},
    {{0, -1, 0, -1, -1, -1}, TDX_STATE_DISABLED},
    {{1, -1, -1, 0, 0, 0}, TDX_STATE_BIOS_ENABLED},
    {{-1, -1, -1, 1, 0, 0}, TDX_STATE_BIOS_ENABLED},
    {{0, 0, -1, -1, -1, -1}, TDX_STATE_BIOS_ENABLED}, /* version ENXIO */
    {{1, 1, -1, 0, 0, 0}, TDX_STATE_INITIALIZED},     /* version readable */
    {{1, -1, -1, 1, 1, 0}, TDX_STATE_INITIALIZED},
    {{1, -1, 1, 1, 0, 0}, TDX_STATE_INITIALIZED}, /* kvm_intel.tdx=Y */
    {{1, -1, 0, 1, 0, 1}, TDX_STATE_INIT_FAILED},
    {{1, -1, 1, 1, 0, 1}, TDX_STATE_INIT_FAILED}, /* the log's failure wins over Y */
    {{1, 1, -1, 1, 0, 1}, TDX_STATE_INITIALIZED}, /* a readable version wins over all */
};

static void test_evidence(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(evidence_rows); i++) {
		print_message("row %zu\n", i);
		assert_string_equal(
		    tdx_state_to_string(tdx_state_from_evidence(&evidence_rows[i].evidence)),
		    tdx_state_to_string(evidence_rows[i].state));
	}
}

static void test_names(void **state)
{
	enum tdx_state s;

	for (int i = TDX_STATE_UNKNOWN; i <= TDX_STATE_INIT_FAILED; i++) {
		assert_int_equal(tdx_state_from_string(tdx_state_to_string(i), &s), 0);
		assert_int_equal(s, i);
	}
	s = TDX_STATE_DISABLED;
	assert_int_equal(tdx_state_from_string("enabled", &s), -EINVAL);
	assert_int_equal(s, TDX_STATE_DISABLED);
}

static enum tdx_state read_state(const char *root)
{
	struct kernel_log log = {0};
	enum tdx_state s;

	/* an unreadable log is no error for the state: it is evidence missing */
	(void)kernel_log_read(root, &log);
	s = tdx_state_read(root, &log, NULL);
	kernel_log_clear(&log);
	return s;
}

static void test_fixture_trees(void **state)
{
	char *root;

	/* No TDX: cpuinfo without the flag, a log without TDX lines. */
	root = test_mkdtemp("tdx");
	test_put_file(root, "/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme tdx_guest\n");
	test_put_file(root, "/dev/kmsg", "6,0,0,-;Linux version 6.12\n");
	assert_int_equal(read_state(root), TDX_STATE_DISABLED);

	/* BIOS-enabled by the flag alone; "tdx_host_platformX" is another flag. */
	test_put_file(root, "/proc/cpuinfo", "flags\t\t: fpu tdx_host_platform vme\n");
	assert_int_equal(read_state(root), TDX_STATE_BIOS_ENABLED);
	test_put_file(root, "/proc/cpuinfo", "flags\t\t: fpu tdx_host_platformX\n");
	assert_int_equal(read_state(root), TDX_STATE_DISABLED);

	/* Initialized, v6.12 wording, with a kmsg dictionary line in between. */
	test_put_file(root, "/dev/kmsg",
		      "6,0,0,-;Linux version 6.12\n"
		      "6,12,100,-;virt/tdx: BIOS enabled: private KeyID range [16, 64)\n"
		      " SUBSYSTEM=cpu\n"
		      "6,40,900,-;virt/tdx: module initialized\n");
	test_put_file(root, "/proc/cpuinfo", "flags\t\t: fpu tdx_host_platform\n");
	assert_int_equal(read_state(root), TDX_STATE_INITIALIZED);

	/* Newer kernels' wording, failed. */
	test_put_file(root, "/dev/kmsg",
		      "6,0,0,-;Linux version 6.19\n"
		      "3,50,900,-;virt/tdx: TDX-Module initialization failed (-5)\n");
	assert_int_equal(read_state(root), TDX_STATE_INIT_FAILED);

	/* kvm_intel.tdx=Y alone. */
	test_put_file(root, "/dev/kmsg", "6,0,0,-;Linux version 6.12\n");
	test_put_file(root, "/sys/module/kvm_intel/parameters/tdx", "Y\n");
	assert_int_equal(read_state(root), TDX_STATE_INITIALIZED);
	assert_int_equal(test_rmtree(root), 0);
	free(root);

	/* Nothing readable at all. */
	root = test_mkdtemp("tdx");
	assert_int_equal(read_state(root), TDX_STATE_UNKNOWN);
	assert_int_equal(test_rmtree(root), 0);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_evidence),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_fixture_trees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
