// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CXL attribution from a dax region's sysfs path: the CXL region is the
 * dax region's parent "regionN", whole; soft-reserved memory (hmem.N) and
 * anything else has none. And an inventory without managed devices asks
 * libcxl nothing, once.
 */
#include "cxl.h"
#include "macro.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

static void test_region_from_path(void **state)
{
	static const struct {
		const char *path;
		const char *region; /* NULL: -ENOENT */
	} cases[] = {
	    {"/sys/devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0", "region0"},
	    {"/sys/devices/platform/ACPI0017:00/root0/decoder0.0/region12/dax_region12/dax12.0",
	     "region12"},
	    {"/sys/devices/platform/hmem.0/dax_region0", NULL},
	    {"/sys/devices/platform/x/regionA/dax_region0", NULL},
	    {"/sys/devices/platform/x/region/dax_region0", NULL},
	    {"/sys/devices/platform/x/myregion0/dax_region0", NULL},
	    {"dax_region0", NULL},
	    {"/sys/devices/region0", NULL},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *region = NULL;
		int r = cxl_region_from_sysfs_path(cases[i].path, &region);

		print_message("%s\n", cases[i].path);
		if (!cases[i].region) {
			assert_int_equal(r, -ENOENT);
			assert_null(region);
			continue;
		}
		assert_int_equal(r, 0);
		assert_string_equal(region, cases[i].region);
		free(region);
	}
}

static void test_unmanaged_only(void **state)
{
	struct dax_device device = {.name = "dax0.0", .managed = false};
	struct inventory inventory = {.devices = &device, .count = 1};
	struct cxl_ctx *cxl = NULL;

	/* a persistent-memory namespace is no CXL RAM: no context is made for it */
	assert_int_equal(cxl_attribute(&inventory, &cxl), 0);
	assert_null(cxl);
	assert_null(device.cxl_region);
	assert_true(inventory.cxl_read);
	/* once per inventory */
	device.managed = true;
	assert_int_equal(cxl_attribute(&inventory, &cxl), 0);
	assert_null(cxl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_region_from_path),
	    cmocka_unit_test(test_unmanaged_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
