// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * When a scan may keep the previous scan's reading of a device's blocks:
 * only for a device no change named, found in the same mode with the same
 * blocks of the same size; never without a previous scan. And when it may
 * take over a dax region's devices whole: only when no change names a
 * device of it, or any name that is not a dax device's. And the service's
 * account of its uevents: which are echoes of its last pass, which decide.
 */
#include "changes.h"
#include "test-util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#define GIB   (1ULL << 30)
#define BLOCK (128ULL << 20)

static struct dax_device device_at(char *name, enum dax_mode mode, uint64_t start, uint64_t end)
{
	struct dax_device device = {.name = name, .mode = mode, .blocks_online = 4};

	assert_int_equal(range_set_add(&device.pluggable, start, end), 0);
	return device;
}

static void test_reusable(void **state)
{
	struct dax_device before[] = {
	    device_at("dax0.0", DAX_MODE_SYSTEM_RAM, 16 * GIB, 17 * GIB),
	    device_at("dax1.0", DAX_MODE_DEVDAX, 20 * GIB, 21 * GIB),
	};
	struct inventory previous = {.block_size = BLOCK, .devices = before, .count = 2};
	struct inventory now = {.block_size = BLOCK};
	char *changed[] = {"dax1.0", NULL};
	struct change_set reuse = {.previous = &previous, .changed = changed};

	struct dax_device same = device_at("dax0.0", DAX_MODE_SYSTEM_RAM, 16 * GIB, 17 * GIB);
	assert_ptr_equal(change_set_blocks_taken_over(&reuse, &now, &same), &before[0]);

	/* named by a change: read anew */
	struct dax_device named = device_at("dax1.0", DAX_MODE_DEVDAX, 20 * GIB, 21 * GIB);
	assert_null(change_set_blocks_taken_over(&reuse, &now, &named));
	/* every device changed */
	reuse.changed = NULL;
	assert_null(change_set_blocks_taken_over(&reuse, &now, &same));
	reuse.changed = changed;

	/* another mode, other blocks, a device the last scan did not see */
	struct dax_device rebound = device_at("dax0.0", DAX_MODE_DEVDAX, 16 * GIB, 17 * GIB);
	assert_null(change_set_blocks_taken_over(&reuse, &now, &rebound));
	struct dax_device resized = device_at("dax0.0", DAX_MODE_SYSTEM_RAM, 16 * GIB, 18 * GIB);
	assert_null(change_set_blocks_taken_over(&reuse, &now, &resized));
	struct dax_device added = device_at("dax2.0", DAX_MODE_SYSTEM_RAM, 24 * GIB, 25 * GIB);
	assert_null(change_set_blocks_taken_over(&reuse, &now, &added));

	/* another block size: every count is another */
	now.block_size = 2 * BLOCK;
	assert_null(change_set_blocks_taken_over(&reuse, &now, &same));
	now.block_size = BLOCK;

	/* no previous scan, or no reuse at all */
	reuse.previous = NULL;
	assert_null(change_set_blocks_taken_over(&reuse, &now, &same));
	assert_null(change_set_blocks_taken_over(NULL, &now, &same));

	struct dax_device *all[] = {&before[0], &before[1], &same, &named,
				    &rebound,	&resized,   &added};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		range_set_clear(&all[i]->pluggable);
}

static void test_region_reusable(void **state)
{
	struct dax_device before[] = {
	    device_at("dax0.0", DAX_MODE_SYSTEM_RAM, 16 * GIB, 17 * GIB),
	    device_at("dax0.1", DAX_MODE_DEVDAX, 17 * GIB, 18 * GIB),
	    device_at("dax12.0", DAX_MODE_DEVDAX, 20 * GIB, 21 * GIB),
	};
	struct inventory previous = {.block_size = BLOCK, .devices = before, .count = 3};
	char *changed[] = {"dax12.0", NULL};
	struct change_set reuse = {.previous = &previous, .changed = changed};

	/* none of region 0's devices changed: taken over; region 12 is read */
	assert_true(change_set_region_taken_over(&reuse, BLOCK, 0));
	assert_false(change_set_region_taken_over(&reuse, BLOCK, 12));
	/* 1 is not 12's prefix; region 3 had no device before (only a seed, or new) */
	assert_false(change_set_region_taken_over(&reuse, BLOCK, 1));
	assert_false(change_set_region_taken_over(&reuse, BLOCK, 3));

	/* another device of region 0, or one gone from it, changed: read */
	char *in_zero[] = {"dax12.0", "dax0.2", NULL};
	reuse.changed = in_zero;
	assert_false(change_set_region_taken_over(&reuse, BLOCK, 0));

	/* a name that is no dax device's may be in any region */
	char *odd[][2] = {{"dax0", NULL}, {"dax1.0x", NULL}, {"dax-1.0", NULL}, {"region0", NULL}};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		reuse.changed = odd[i];
		assert_false(change_set_region_taken_over(&reuse, BLOCK, 0));
	}

	/* every device changed, no previous scan, another block size */
	reuse.changed = NULL;
	assert_false(change_set_region_taken_over(&reuse, BLOCK, 0));
	reuse.changed = changed;
	assert_false(change_set_region_taken_over(&reuse, 2 * BLOCK, 0));
	reuse.previous = NULL;
	assert_false(change_set_region_taken_over(&reuse, BLOCK, 0));
	assert_false(change_set_region_taken_over(NULL, BLOCK, 0));

	for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++)
		range_set_clear(&before[i].pluggable);
}

/* A tracker after a pass over dax0.0 (region0, blocks 0-3) and dax1.0 that changed dax0.0. */
static void tracker_after_pass(struct change_tracker *t, struct inventory *inventory,
			       struct dax_device devices[2])
{
	struct name_list acted = {0};

	devices[0] = device_at("dax0.0", DAX_MODE_SYSTEM_RAM, 0, 4 * BLOCK);
	devices[0].cxl_region = "region0";
	devices[1] = device_at("dax1.0", DAX_MODE_DEVDAX, 8 * BLOCK, 12 * BLOCK);
	*inventory = (struct inventory){.block_size = BLOCK, .devices = devices, .count = 2};
	*t = (struct change_tracker){.all = true};
	assert_int_equal(name_list_add(&acted, "dax0.0"), 0);
	change_tracker_pass_done(t, inventory, &acted, false);
	assert_null(acted.names);
	assert_true(name_list_contains(&t->decided, "dax0.0"));
	assert_true(name_list_contains(&t->decided, "dax1.0"));
	assert_false(t->all);
}

static void test_echoes(void **state)
{
	struct change_tracker t;
	struct inventory inventory;
	struct dax_device devices[2];
	struct change_set next;

	tracker_after_pass(&t, &inventory, devices);
	assert_false(change_tracker_next(&t, &next));

	/* the pass's own bind and its blocks: echoes, no pass */
	assert_true(change_tracker_dax_event(&t, "bind", "dax0.0"));
	change_tracker_block_event(&t, "memory2");
	assert_true(change_tracker_cxl_event(&t, "bind", "dax_region0"));
	assert_int_equal(t.echoes.count, 1);
	assert_int_equal(t.pending.count, 0);
	assert_false(t.all || t.outside);
	/* a region add is the device's own add's business; no decided device in region9 */
	assert_false(change_tracker_cxl_event(&t, "add", "region0"));
	assert_false(change_tracker_cxl_event(&t, "unbind", "region9"));

	/* a change (udevadm trigger) decides; a dax region is no device */
	assert_true(change_tracker_dax_event(&t, "change", "dax1.0"));
	assert_false(change_tracker_dax_event(&t, "add", "dax_region1"));
	assert_true(change_tracker_next(&t, &next));
	assert_ptr_equal(next.previous, &inventory);
	assert_string_equal(next.changed[0], "dax1.0");
	assert_null(next.changed[1]);

	/* a block of no device the pass changed: someone else's, every device decides */
	change_tracker_block_event(&t, "memory9");
	assert_true(t.all && t.outside);
	assert_true(change_tracker_next(&t, &next));
	assert_null(next.changed);

	/* a device going away: no event is an echo until the next pass */
	assert_false(change_tracker_dax_event(&t, "remove", "dax1.0"));
	assert_int_equal(t.decided.count, 0);
	assert_true(change_tracker_dax_event(&t, "bind", "dax0.0"));
	assert_true(name_list_contains(&t.pending, "dax0.0"));
	assert_true(change_tracker_cxl_event(&t, "change", "region0"));

	change_tracker_done(&t);
	for (size_t i = 0; i < 2; i++)
		range_set_clear(&devices[i].pluggable);
}

static void test_pass_decides_pending(void **state)
{
	struct change_tracker t;
	struct inventory inventory;
	struct dax_device devices[2];
	struct name_list none = {0};

	tracker_after_pass(&t, &inventory, devices);
	/* a pass for dax1.0 alone decided dax1.0 alone */
	assert_true(change_tracker_dax_event(&t, "change", "dax1.0"));
	change_tracker_pass_done(&t, &inventory, &none, false);
	assert_int_equal(t.decided.count, 1);
	assert_true(name_list_contains(&t.decided, "dax1.0"));
	assert_int_equal(t.acted.count, 0);
	assert_int_equal(t.pending.count, 0);
	/* a failed pass decided nothing */
	t.all = true;
	change_tracker_pass_done(&t, &inventory, &none, true);
	assert_int_equal(t.decided.count, 0);
	change_tracker_done(&t);
	for (size_t i = 0; i < 2; i++)
		range_set_clear(&devices[i].pluggable);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reusable),
	    cmocka_unit_test(test_region_reusable),
	    cmocka_unit_test(test_echoes),
	    cmocka_unit_test(test_pass_decides_pending),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
