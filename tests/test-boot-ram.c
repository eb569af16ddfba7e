// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Boot RAM from a fake /sys/firmware/memmap: only "System RAM" entries
 * count, their end inclusive; a missing map or a bad entry is an error.
 */
#include "boot-ram.h"
#include "macro.h"
#include "test-util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

static void put_entry(const char *root, int n, const char *type, const char *start, const char *end)
{
	char path[64];

	snprintf(path, sizeof(path), "sys/firmware/memmap/%d/type", n);
	test_put_file(root, path, type);
	snprintf(path, sizeof(path), "sys/firmware/memmap/%d/start", n);
	test_put_file(root, path, start);
	snprintf(path, sizeof(path), "sys/firmware/memmap/%d/end", n);
	test_put_file(root, path, end);
}

static void test_system_ram(void **state)
{
	_cleanup_free_ char *root = test_mkdtemp("boot-ram");
	struct range_set present = {0};
	const struct range expected[] = {{0x1000, 0x9f000}, {0x100000, 0x80000000}, {0, 0}};

	put_entry(root, 0, "System RAM\n", "0x1000\n", "0x9efff\n");
	put_entry(root, 1, "Reserved\n", "0x9f000\n", "0xfffff\n");
	put_entry(root, 2, "System RAM\n", "0x100000\n", "0x7fffffff\n");
	put_entry(root, 3, "ACPI Tables\n", "0x80000000\n", "0x8000ffff\n");
	assert_int_equal(boot_ram_read(root, &present), 0);
	test_assert_ranges(&present, expected, ARRAY_SIZE(expected));
	range_set_clear(&present);
	assert_int_equal(test_rmtree(root), 0);
}

static void test_unreadable(void **state)
{
	_cleanup_free_ char *root = test_mkdtemp("boot-ram");
	struct range_set present = {0};

	/* no map at all */
	assert_true(boot_ram_read(root, &present) < 0);
	/* an end before its start */
	put_entry(root, 0, "System RAM\n", "0x2000\n", "0x1000\n");
	assert_int_equal(boot_ram_read(root, &present), -EINVAL);
	range_set_clear(&present);
	assert_int_equal(test_rmtree(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_system_ram),
	    cmocka_unit_test(test_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
