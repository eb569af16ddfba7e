// SPDX-License-Identifier: GPL-2.0-or-later
/* Would TDX initialization succeed with the memory present now? */
#include "macro.h"
#include "tdx-init.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static void add(struct range_set *set, uint64_t start, uint64_t end)
{
	assert_int_equal(range_set_add(set, start, end), 0);
}

static void test_outlook(void **state)
{
	struct range_set cmrs = {0}, present = {0};
	struct tdx_init_check c;

	add(&cmrs, 0x100000, 0x80000000);
	add(&cmrs, 0x390000000, 0x490000000);
	/* boot RAM from 0: the first MiB never counts (build_tdx_memlist()) */
	add(&present, 0, 0x9fc00);
	add(&present, 0x100000, 0x80000000);

	c = tdx_init_check(TDX_STATE_BIOS_ENABLED, &cmrs, &present);
	assert_int_equal(c.outlook, TDX_INIT_WOULD_SUCCEED);

	/* a kmem range inside a CMR, then one outside */
	add(&present, 0x390000000, 0x3b0000000);
	c = tdx_init_check(TDX_STATE_BIOS_ENABLED, &cmrs, &present);
	assert_int_equal(c.outlook, TDX_INIT_WOULD_SUCCEED);
	add(&present, 0x490000000, 0x4b0000000);
	c = tdx_init_check(TDX_STATE_INIT_FAILED, &cmrs, &present);
	assert_int_equal(c.outlook, TDX_INIT_WOULD_FAIL);
	assert_int_equal(c.blocking.start, 0x490000000);
	assert_int_equal(c.blocking.end, 0x4b0000000);

	/* nothing pending, or nothing to tell */
	assert_int_equal(tdx_init_check(TDX_STATE_INITIALIZED, &cmrs, &present).outlook,
			 TDX_INIT_NOT_PENDING);
	assert_int_equal(tdx_init_check(TDX_STATE_DISABLED, &cmrs, &present).outlook,
			 TDX_INIT_NOT_PENDING);
	assert_int_equal(tdx_init_check(TDX_STATE_BIOS_ENABLED, NULL, &present).outlook,
			 TDX_INIT_UNKNOWN);
	assert_int_equal(tdx_init_check(TDX_STATE_BIOS_ENABLED, &cmrs, NULL).outlook,
			 TDX_INIT_UNKNOWN);
	range_set_clear(&cmrs);
	range_set_clear(&present);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_outlook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
