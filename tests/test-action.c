// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The action's failure paths, with libdaxctl replaced at link time
 * (-Wl,--wrap=daxctl_*): a simulated device whose kernel refuses or keeps
 * chosen blocks. Whatever fails, a device must end whole: every block
 * online, or devdax with none online and /dev/daxX.Y present.
 */
#include "action.h"
#include "macro.h"
#include "test-util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <daxctl/libdaxctl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_BLOCKS 8

enum zone {
	OFF,
	MOVABLE,
	NORMAL
};

static struct simulated {
	enum dax_mode mode;
	int blocks;
	enum zone block[MAX_BLOCKS];
	int refuse_online_at;  /* the kernel refuses this block (EPERM), -1: none */
	int refuse_offline_at; /* this block cannot be offlined (EBUSY), -1: none */
	bool force_normal;     /* another agent onlines blocks in ZONE_NORMAL */
	int fail_enable_ram;   /* errno for enable_ram, or 0 */
	int fail_enable_devdax;
	bool stranded; /* kmem unbound while blocks were online */
	int calls;     /* any call that changes state */
} sim;

/* Stands for /dev: where /dev/dax0.0 is, or is not. */
static char *dev_dir;

static int dummy;
#define HANDLE ((struct daxctl_dev *)&dummy)
#define MEMORY ((struct daxctl_memory *)&dummy)

static void chardev(bool present)
{
	if (present) {
		test_put_file(dev_dir, "dax0.0", "");
	} else {
		_cleanup_free_ char *path = test_path(dev_dir, "dax0.0");
		unlink(path);
	}
}

static int online_count(void)
{
	int n = 0;
	for (int i = 0; i < sim.blocks; i++)
		n += sim.block[i] != OFF;
	return n;
}

int __wrap_daxctl_dev_is_enabled(struct daxctl_dev *dev);
int __wrap_daxctl_dev_is_enabled(struct daxctl_dev *dev)
{
	return sim.mode != DAX_MODE_DISABLED;
}

struct daxctl_memory *__wrap_daxctl_dev_get_memory(struct daxctl_dev *dev);
struct daxctl_memory *__wrap_daxctl_dev_get_memory(struct daxctl_dev *dev)
{
	return sim.mode == DAX_MODE_SYSTEM_RAM ? MEMORY : NULL;
}

int __wrap_daxctl_dev_disable(struct daxctl_dev *dev);
int __wrap_daxctl_dev_disable(struct daxctl_dev *dev)
{
	sim.calls++;
	if (sim.mode == DAX_MODE_SYSTEM_RAM && online_count() > 0)
		sim.stranded = true;
	sim.mode = DAX_MODE_DISABLED;
	chardev(false);
	return 0;
}

int __wrap_daxctl_dev_enable_ram(struct daxctl_dev *dev);
int __wrap_daxctl_dev_enable_ram(struct daxctl_dev *dev)
{
	sim.calls++;
	if (sim.fail_enable_ram)
		return -sim.fail_enable_ram;
	if (sim.mode == DAX_MODE_DISABLED)
		sim.mode = DAX_MODE_SYSTEM_RAM;
	return 0;
}

int __wrap_daxctl_dev_enable_devdax(struct daxctl_dev *dev);
int __wrap_daxctl_dev_enable_devdax(struct daxctl_dev *dev)
{
	sim.calls++;
	if (sim.fail_enable_devdax)
		return -sim.fail_enable_devdax;
	if (sim.mode == DAX_MODE_DISABLED) {
		sim.mode = DAX_MODE_DEVDAX;
		chardev(true);
	}
	return 0;
}

/* Like libdaxctl 76.1: stop at the first refused block, undo nothing. */
static int online(enum zone zone)
{
	int count = 0;

	sim.calls++;
	for (int i = 0; i < sim.blocks; i++) {
		if (sim.block[i] != OFF)
			continue;
		if (i == sim.refuse_online_at)
			return -EPERM;
		sim.block[i] = sim.force_normal ? NORMAL : zone;
		count++;
	}
	return count;
}

int __wrap_daxctl_memory_online(struct daxctl_memory *mem);
int __wrap_daxctl_memory_online(struct daxctl_memory *mem)
{
	return online(MOVABLE);
}

int __wrap_daxctl_memory_online_no_movable(struct daxctl_memory *mem);
int __wrap_daxctl_memory_online_no_movable(struct daxctl_memory *mem)
{
	return online(NORMAL);
}

int __wrap_daxctl_memory_offline(struct daxctl_memory *mem);
int __wrap_daxctl_memory_offline(struct daxctl_memory *mem)
{
	int count = 0;

	sim.calls++;
	for (int i = 0; i < sim.blocks; i++) {
		if (sim.block[i] == OFF)
			continue;
		if (i == sim.refuse_offline_at)
			return -EBUSY;
		sim.block[i] = OFF;
		count++;
	}
	return count;
}

int __wrap_daxctl_memory_is_online(struct daxctl_memory *mem);
int __wrap_daxctl_memory_is_online(struct daxctl_memory *mem)
{
	return online_count();
}

int __wrap_daxctl_memory_num_sections(struct daxctl_memory *mem);
int __wrap_daxctl_memory_num_sections(struct daxctl_memory *mem)
{
	return sim.blocks;
}

int __wrap_daxctl_memory_is_movable(struct daxctl_memory *mem);
int __wrap_daxctl_memory_is_movable(struct daxctl_memory *mem)
{
	for (int i = 0; i < sim.blocks; i++)
		if (sim.block[i] == NORMAL)
			return 0;
	return 1;
}

static struct dax_device device;

static void reset(enum dax_mode mode, int blocks, enum zone zone)
{
	memset(&sim, 0, sizeof(sim));
	sim.mode = mode;
	sim.blocks = blocks;
	sim.refuse_online_at = -1;
	sim.refuse_offline_at = -1;
	for (int i = 0; i < blocks; i++)
		sim.block[i] = mode == DAX_MODE_SYSTEM_RAM ? zone : OFF;
	chardev(mode == DAX_MODE_DEVDAX);

	device = (struct dax_device){
	    .name = "dax0.0",
	    .mode = mode,
	    .blocks = (unsigned)blocks,
	    .blocks_online = mode == DAX_MODE_SYSTEM_RAM && zone != OFF ? (unsigned)blocks : 0,
	    .target_node = 1,
	    .handle = HANDLE,
	};
}

static struct action_result apply(enum decision decision, enum online_type type)
{
	struct action_options options = {.online_type = type, .dev_dir = dev_dir};
	struct action_result result;

	action_apply(&device, decision, &options, &result);
	return result;
}

static bool chardev_present(void)
{
	_cleanup_free_ char *path = test_path(dev_dir, "dax0.0");
	struct stat st;
	return stat(path, &st) == 0;
}

/* The invariant every failure must keep: devdax, nothing online, /dev/daxX.Y back. */
static void assert_returned_to_devdax(void)
{
	assert_int_equal(sim.mode, DAX_MODE_DEVDAX);
	assert_int_equal(online_count(), 0);
	assert_true(chardev_present());
	assert_false(sim.stranded);
}

static void test_online_whole(void **state)
{
	reset(DAX_MODE_DEVDAX, 4, OFF);
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_int_equal(r.error, 0);
	assert_int_equal(sim.mode, DAX_MODE_SYSTEM_RAM);
	assert_int_equal(online_count(), 4);
	assert_int_equal(__wrap_daxctl_memory_is_movable(MEMORY), 1);

	reset(DAX_MODE_DISABLED, 4, OFF);
	r = apply(DECISION_ONLINE, ONLINE_TYPE_KERNEL);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_int_equal(__wrap_daxctl_memory_is_movable(MEMORY), 0);
}

/* The kernel refuses block k (TDX: EPERM) for every k of n: rolled back whole. */
static void test_refusal_at_each_block(void **state)
{
	const int n = 4;

	for (int k = 0; k < n; k++) {
		print_message("refused at block %d of %d\n", k, n);
		reset(DAX_MODE_DEVDAX, n, OFF);
		sim.refuse_online_at = k;
		struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
		assert_int_equal(r.outcome, OUTCOME_ROLLED_BACK);
		assert_int_equal(r.error, EPERM);
		assert_int_equal(r.rollback_error, 0);
		assert_returned_to_devdax();
	}
}

/* A stranded device (kmem bound, some blocks offline) is finished or undone. */
static void test_stranded_partial(void **state)
{
	reset(DAX_MODE_SYSTEM_RAM, 4, MOVABLE);
	sim.block[2] = sim.block[3] = OFF;
	device.blocks_online = 2;
	sim.refuse_online_at = 2;
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_ROLLED_BACK);
	assert_returned_to_devdax();
}

static void test_enable_ram_fails(void **state)
{
	reset(DAX_MODE_DEVDAX, 4, OFF);
	sim.fail_enable_ram = ENXIO;
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_ROLLED_BACK);
	assert_int_equal(r.error, ENXIO);
	assert_returned_to_devdax();
}

/* Blocks came online in the wrong zone (another agent raced us): undone. */
static void test_wrong_zone(void **state)
{
	reset(DAX_MODE_DEVDAX, 4, OFF);
	sim.force_normal = true;
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_ROLLED_BACK);
	assert_int_equal(r.error, EBUSY);
	assert_returned_to_devdax();
}

/* Rollback cannot offline a block: failed, and kmem is never unbound under it. */
static void test_rollback_fails(void **state)
{
	reset(DAX_MODE_DEVDAX, 4, OFF);
	sim.refuse_online_at = 3;
	sim.refuse_offline_at = 1;
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_FAILED);
	assert_int_equal(r.error, EPERM);
	assert_int_equal(r.rollback_error, EBUSY);
	assert_false(sim.stranded);
	assert_int_equal(sim.mode, DAX_MODE_SYSTEM_RAM);
}

static void test_devdax_from_system_ram(void **state)
{
	reset(DAX_MODE_SYSTEM_RAM, 4, NORMAL);
	struct action_result r = apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_returned_to_devdax();

	reset(DAX_MODE_DISABLED, 4, OFF);
	r = apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_returned_to_devdax();
}

/* Memory in use is never taken: a block that will not offline leaves all online. */
static void test_devdax_in_use(void **state)
{
	for (int k = 0; k < 4; k++) {
		reset(DAX_MODE_SYSTEM_RAM, 4, MOVABLE);
		sim.refuse_offline_at = k;
		struct action_result r = apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE);
		assert_int_equal(r.outcome, OUTCOME_FAILED);
		assert_int_equal(r.error, EBUSY);
		assert_true(r.reason_overridden);
		assert_int_equal(r.reason, REASON_IN_USE);
		assert_int_equal(sim.mode, DAX_MODE_SYSTEM_RAM);
		assert_int_equal(online_count(), 4);
		assert_int_equal(__wrap_daxctl_memory_is_movable(MEMORY), 1);
		assert_false(sim.stranded);
	}
}

static void test_devdax_enable_fails(void **state)
{
	reset(DAX_MODE_DISABLED, 4, OFF);
	sim.fail_enable_devdax = ENODEV;
	struct action_result r = apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_FAILED);
	assert_int_equal(r.error, ENODEV);
}

static void test_already_and_dry_run(void **state)
{
	reset(DAX_MODE_DEVDAX, 4, OFF);
	assert_int_equal(apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE).outcome, OUTCOME_ALREADY);
	assert_int_equal(apply(DECISION_UNCHANGED, ONLINE_TYPE_MOVABLE).outcome, OUTCOME_ALREADY);
	reset(DAX_MODE_SYSTEM_RAM, 4, NORMAL);
	/* online in another zone is still whole: not taken away to move it */
	assert_int_equal(apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE).outcome, OUTCOME_ALREADY);
	assert_int_equal(sim.calls, 0);

	struct action_options options = {.dry_run = true, .dev_dir = dev_dir};
	struct action_result r;
	action_apply(&device, DECISION_DEVDAX, &options, &r);
	assert_int_equal(r.outcome, OUTCOME_PLANNED);
	reset(DAX_MODE_DEVDAX, 4, OFF);
	action_apply(&device, DECISION_ONLINE, &options, &r);
	assert_int_equal(r.outcome, OUTCOME_PLANNED);
	assert_int_equal(sim.calls, 0);
	assert_int_equal(sim.mode, DAX_MODE_DEVDAX);
}

static int setup(void **state)
{
	dev_dir = test_mkdtemp("action");
	return 0;
}

/* rmdir, as ever: anything else left in the directory fails the group. */
static int teardown(void **state)
{
	int r;

	chardev(false);
	r = rmdir(dev_dir);
	free(dev_dir);
	return r;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_online_whole),
	    cmocka_unit_test(test_refusal_at_each_block),
	    cmocka_unit_test(test_stranded_partial),
	    cmocka_unit_test(test_enable_ram_fails),
	    cmocka_unit_test(test_wrong_zone),
	    cmocka_unit_test(test_rollback_fails),
	    cmocka_unit_test(test_devdax_from_system_ram),
	    cmocka_unit_test(test_devdax_in_use),
	    cmocka_unit_test(test_devdax_enable_fails),
	    cmocka_unit_test(test_already_and_dry_run),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
