// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A device's own memory blocks: each mapping aligned inward on its own, as
 * kmem adds them (drivers/dax/kmem.c dax_kmem_range()), and their state
 * read from a fake memoryN tree.
 */
#include "macro.h"
#include "memory-blocks.h"
#include "path.h"
#include "test-util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define MiB (1ull << 20)
#define GiB (1ull << 30)

struct blocks_case {
	const char *name;
	uint64_t block_size;
	struct range mappings[4]; /* ends at .end == 0 */
	struct range blocks[4];	  /* the expected set */
	unsigned count;
};

static const struct blocks_case cases[] = {
    {"one aligned mapping",
     128 * MiB,
     {{0x390000000, 0x3b0000000}},
     {{0x390000000, 0x3b0000000}},
     4},
    {"two apart, given high first",
     128 * MiB,
     {{0x3d0000000, 0x3e0000000}, {0x390000000, 0x3a0000000}},
     {{0x390000000, 0x3a0000000}, {0x3d0000000, 0x3e0000000}},
     4},
    {"two adjacent at a block boundary",
     128 * MiB,
     {{0x390000000, 0x398000000}, {0x398000000, 0x3a0000000}},
     {{0x390000000, 0x3a0000000}},
     2},
    /* the join block straddles both mappings: kmem adds it for neither */
    {"adjacent, join off a block boundary",
     128 * MiB,
     {{0x390000000, 0x39c000000}, {0x39c000000, 0x3a8000000}},
     {{0x390000000, 0x398000000}, {0x3a0000000, 0x3a8000000}},
     2},
    {"mapping smaller than a block",
     128 * MiB,
     {{0x390000000, 0x394000000}, {0x3a0000000, 0x3a8000000}},
     {{0x3a0000000, 0x3a8000000}},
     1},
    {"unaligned ends trimmed",
     128 * MiB,
     {{0x390200000, 0x3b0100000}},
     {{0x398000000, 0x3b0000000}},
     3},
    {"2 GiB blocks",
     2 * GiB,
     {{0x380000000, 0x400000000}, {0x480000000, 0x500000000}},
     {{0x380000000, 0x400000000}, {0x480000000, 0x500000000}},
     2},
    {"2 GiB blocks, 1 GiB mapping", 2 * GiB, {{0x380000000, 0x3c0000000}}, {{0}}, 0},
};

static void test_blocks_per_mapping(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct blocks_case *c = &cases[i];
		struct range_set blocks = {0}, mappings = {0};

		print_message("%s\n", c->name);
		for (size_t m = 0; m < ARRAY_SIZE(c->mappings) && c->mappings[m].end; m++) {
			assert_int_equal(
			    memory_blocks_add_mapping(&blocks, c->mappings[m], c->block_size), 0);
			assert_int_equal(
			    range_set_add(&mappings, c->mappings[m].start, c->mappings[m].end), 0);
		}
		test_assert_ranges(&blocks, c->blocks, ARRAY_SIZE(c->blocks));
		assert_int_equal(memory_blocks_count(&blocks, c->block_size), c->count);
		/* every block of the set is the device's own */
		for (size_t r = 0; r < blocks.count; r++)
			for (uint64_t n = blocks.items[r].start / c->block_size;
			     n < blocks.items[r].end / c->block_size; n++)
				assert_true(memory_blocks_owns(&mappings, c->block_size, n));
		range_set_clear(&blocks);
		range_set_clear(&mappings);
	}
}

static void test_owns(void **state)
{
	struct range_set mappings = {0};

	/* two mappings with another device's block 4 between them */
	assert_int_equal(range_set_add(&mappings, 2 * 128 * MiB, 4 * 128 * MiB), 0);
	assert_int_equal(range_set_add(&mappings, 5 * 128 * MiB, 6 * 128 * MiB), 0);
	assert_false(memory_blocks_owns(&mappings, 128 * MiB, 1));
	assert_true(memory_blocks_owns(&mappings, 128 * MiB, 2));
	assert_true(memory_blocks_owns(&mappings, 128 * MiB, 3));
	assert_false(memory_blocks_owns(&mappings, 128 * MiB, 4));
	assert_true(memory_blocks_owns(&mappings, 128 * MiB, 5));
	assert_false(memory_blocks_owns(&mappings, 128 * MiB, 6));
	assert_false(memory_blocks_owns(&mappings, 128 * MiB, UINT64_MAX));
	assert_false(memory_blocks_owns(&mappings, 0, 2));
	range_set_clear(&mappings);
}

static void put_block(const char *root, unsigned n, const char *state, const char *zones)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "memory%u/state", n);
	test_put_file(root, rel, state);
	snprintf(rel, sizeof(rel), "memory%u/valid_zones", n);
	test_put_file(root, rel, zones);
}

static void test_read_status(void **state)
{
	_cleanup_free_ char *root = test_mkdtemp("blocks");
	struct range_set blocks = {0};
	struct memory_blocks_status status;
	struct path_cxt memory;

	assert_int_equal(path_cxt_open(&memory, NULL, root), 0);
	assert_int_equal(range_set_add(&blocks, 2 * 128 * MiB, 4 * 128 * MiB), 0);
	assert_int_equal(range_set_add(&blocks, 6 * 128 * MiB, 8 * 128 * MiB), 0);

	/* devdax: no block exists */
	assert_int_equal(memory_blocks_read(&memory, &blocks, 128 * MiB, &status), 0);
	assert_int_equal(status.present, 0);
	assert_int_equal(status.online, 0);
	assert_int_equal(status.zone, MEMORY_ZONE_NONE);

	/* another device's online block between the mappings is not counted */
	put_block(root, 4, "online\n", "Normal\n");
	put_block(root, 2, "online\n", "Movable\n");
	put_block(root, 3, "offline\n", "Normal Movable\n");
	put_block(root, 6, "online\n", "Movable\n");
	put_block(root, 7, "offline\n", "Normal Movable\n");
	assert_int_equal(memory_blocks_read(&memory, &blocks, 128 * MiB, &status), 0);
	assert_int_equal(status.present, 4);
	assert_int_equal(status.online, 2);
	assert_int_equal(status.zone, MEMORY_ZONE_MOVABLE);

	put_block(root, 7, "online\n", "Normal\n");
	assert_int_equal(memory_blocks_read(&memory, &blocks, 128 * MiB, &status), 0);
	assert_int_equal(status.online, 3);
	assert_int_equal(status.zone, MEMORY_ZONE_NORMAL);

	assert_int_equal(memory_blocks_read(&memory, &blocks, 0, &status), -EINVAL);
	range_set_clear(&blocks);
	path_cxt_close(&memory);
	assert_int_equal(test_rmtree(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blocks_per_mapping),
	    cmocka_unit_test(test_owns),
	    cmocka_unit_test(test_read_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
