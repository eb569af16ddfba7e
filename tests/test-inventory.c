// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scan against a fake sysroot: the memory block size is read (hex, a
 * power of two), a tree without memory hotplug (no block size, or no memory
 * directory) has block size 0, and a bad
 * size is an error naming the file and its line. libdaxctl reads the real
 * /sys, so the devices it finds are not asserted here (the vm suite does).
 */
#include "inventory.h"
#include "macro.h"
#include "test-util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int scan(const char *root, struct inventory *ret, struct parse_error *error)
{
	/* a device no host has: libdaxctl's answer does not matter */
	char name[] = "dax4095.4095";
	char *only[] = {name, NULL};

	return inventory_scan(ret, root, only, NULL, error);
}

static void test_block_size(void **state)
{
	_cleanup_free_ char *root = test_mkdtemp("inventory");
	struct inventory inventory = {0};
	struct parse_error error = {0};

	test_put_file(root, "sys/devices/system/memory/block_size_bytes", "8000000\n");
	assert_int_equal(scan(root, &inventory, &error), 0);
	assert_int_equal(inventory.block_size, 128ULL << 20);
	assert_true(inventory.narrowed);
	assert_int_equal(inventory.count, 0);
	assert_null(inventory_find(&inventory, "dax4095.4095"));
	inventory_clear(&inventory);
	assert_int_equal(test_rmtree(root), 0);
}

static void test_no_hotplug(void **state)
{
	_cleanup_free_ char *root = test_mkdtemp("inventory");
	struct inventory inventory = {0};
	struct parse_error error = {0};

	/* the directory without block_size_bytes: nothing is pluggable */
	test_put_file(root, "sys/devices/system/memory/auto_online_blocks", "offline\n");
	assert_int_equal(scan(root, &inventory, &error), 0);
	assert_int_equal(inventory.block_size, 0);
	assert_string_equal(error.message, "");
	inventory_clear(&inventory);
	assert_int_equal(test_rmtree(root), 0);
}

static void test_bad_block_size(void **state)
{
	static const char *const bad[] = {"3000000\n", "0\n", "zz\n", "\n"};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		_cleanup_free_ char *root = test_mkdtemp("inventory");
		struct inventory inventory = {0};
		struct parse_error error = {0};

		test_put_file(root, "sys/devices/system/memory/block_size_bytes", bad[i]);
		assert_int_equal(scan(root, &inventory, &error), -EINVAL);
		assert_int_equal(error.line, 1);
		assert_non_null(
		    strstr(error.origin, "/sys/devices/system/memory/block_size_bytes"));
		assert_non_null(strstr(error.message, "is no memory block size"));
		assert_int_equal(inventory.count, 0);
		assert_int_equal(test_rmtree(root), 0);
	}
}

static void test_no_memory_directory(void **state)
{
	_cleanup_free_ char *root = test_mkdtemp("inventory");
	struct inventory inventory = {0};
	struct parse_error error = {0};

	/* no /sys/devices/system/memory at all: no memory hotplug either */
	assert_int_equal(scan(root, &inventory, &error), 0);
	assert_int_equal(inventory.block_size, 0);
	inventory_clear(&inventory);
	assert_int_equal(test_rmtree(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_block_size),
	    cmocka_unit_test(test_no_hotplug),
	    cmocka_unit_test(test_bad_block_size),
	    cmocka_unit_test(test_no_memory_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
