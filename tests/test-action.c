// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The action against a fake sysfs tree: memoryN/{state,phys_index,
 * valid_zones} and the dax bus's kmem/bind, with a simulated kernel behind
 * every sysfs write (write_string_file() and three libdaxctl calls replaced
 * at link time, -Wl,--wrap=). Device A has two mappings with device B's
 * blocks between them; B is online. Whatever A's action does or fails at,
 * A ends whole (every block online, or devdax with none online and
 * /dev/daxX.Y present) and no file of B is ever written.
 *
 * Every test runs on four kernels: with only memoryN/state, or with kmem's
 * whole-device daxX.Y/state (7.3+), simulated as drivers/dax/kmem.c
 * state_store() behaves (onlining only from "unplugged", a refused block
 * leaving the rest of its mapping offline while the write succeeds,
 * "unplugged" all or nothing); each with auto_online_blocks writable, so
 * that kmem's probe onlines every block it adds with the type set there (a
 * refused block stays offline), or not there at all.
 */
#include "action.h"
#include "auto-online.h"
#include "macro.h"
#include "path.h"
#include "test-util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <daxctl/libdaxctl.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK	   (128ull << 20)
#define MAX_BLOCKS 16

/* A's mappings: blocks 2-3 and 6-7; B's (another device, online): 4-5. */
static const unsigned a_blocks[] = {2, 3, 6, 7};
static const unsigned b_blocks[] = {4, 5};

enum zone {
	ABSENT, /* no memoryN: not added */
	OFF,
	MOVABLE,
	NORMAL
};

static struct simulated {
	enum dax_mode mode;
	enum zone block[MAX_BLOCKS];
	int refuse_online_at;  /* this block index refuses online (TDX: EPERM), -1: none */
	int refuse_offline_at; /* this block index cannot be offlined (EBUSY), -1: none */
	bool force_normal;     /* another agent onlines blocks in ZONE_NORMAL */
	int fail_bind_kmem;    /* errno for kmem's bind, or 0 */
	int fail_enable_devdax;
	bool stranded;		      /* kmem unbound while blocks were online */
	bool b_written;		      /* any write to a block of device B */
	int writes;		      /* any write that changes state */
	int block_writes;	      /* writes to memoryN/state */
	unsigned written[MAX_BLOCKS]; /* the blocks written, in the order written */
	int device_writes;	      /* writes to daxX.Y/state */
	char device_state[32];	      /* kmem's daxX.Y/state; "" while kmem is not bound */
	bool no_hotremove;	      /* "unplugged" is -EBUSY (no CONFIG_MEMORY_HOTREMOVE) */
	bool rule_first;	  /* a udev rule onlines each block (ZONE_NORMAL) just before us */
	int online_before_unbind; /* another agent onlines this block just before kmem's unbind */
	int reonline_once;	  /* ... onlines this block again once A's last is offlined */
	char auto_online[32];	  /* auto_online_blocks */
} sim;

/* The kernel of the current group has kmem's daxX.Y/state. */
static bool kernel_device_state;
/* ... and auto_online_blocks, which tdxmemd may set around its kmem bind. */
static bool kernel_auto_online;

static char *root;	       /* the fake tree: memory/, bus/dax/, dev/ */
static char *mem_dir;	       /* root/memory */
static struct path_cxt memory; /* mem_dir, opened anew by every reset() */
static char *dev_dir;	       /* root/dev */
static char *bus_dir;	       /* root/bus/dax */
static char *memo;	       /* root/auto_online_blocks: the value while swapped */

static int dummy;
#define HANDLE ((struct daxctl_dev *)&dummy)

static void put_device_state(const char *value)
{
	_cleanup_free_ char *path = test_path(bus_dir, "devices/dax0.0/state");

	snprintf(sim.device_state, sizeof(sim.device_state), "%s", value);
	if (!kernel_device_state || !*value) {
		unlink(path);
		return;
	}
	char text[40];
	snprintf(text, sizeof(text), "%s\n", value);
	test_put_file(bus_dir, "devices/dax0.0/state", text);
}

static bool is_b_block(unsigned n)
{
	for (size_t i = 0; i < ARRAY_SIZE(b_blocks); i++)
		if (b_blocks[i] == n)
			return true;
	return false;
}

static void put_block(unsigned n, enum zone zone)
{
	char rel[64], phys[32];

	sim.block[n] = zone;
	if (zone == ABSENT) {
		snprintf(rel, sizeof(rel), "memory/memory%u", n);
		_cleanup_free_ char *dir = test_path(root, rel);
		test_rmtree(dir);
		return;
	}
	snprintf(phys, sizeof(phys), "%08x\n", n);
	snprintf(rel, sizeof(rel), "memory/memory%u/phys_index", n);
	test_put_file(root, rel, phys);
	snprintf(rel, sizeof(rel), "memory/memory%u/state", n);
	test_put_file(root, rel, zone == OFF ? "offline\n" : "online\n");
	snprintf(rel, sizeof(rel), "memory/memory%u/valid_zones", n);
	test_put_file(root, rel,
		      zone == MOVABLE  ? "Movable\n"
		      : zone == NORMAL ? "Normal\n"
				       : "Normal Movable\n");
}

static void chardev(bool present)
{
	_cleanup_free_ char *path = test_path(dev_dir, "dax0.0");
	if (present)
		test_put_file(dev_dir, "dax0.0", "");
	else
		unlink(path);
}

static void put_auto_online(const char *value)
{
	char text[40];

	snprintf(sim.auto_online, sizeof(sim.auto_online), "%s", value);
	snprintf(text, sizeof(text), "%s\n", value);
	test_put_file(root, "memory/auto_online_blocks", text);
}

static int a_online(void)
{
	int n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(a_blocks); i++)
		n += sim.block[a_blocks[i]] >= MOVABLE;
	return n;
}

/* kmem's state_store(), for device A. */
static int simulate_device_state(const char *value)
{
	if (streq(value, "unplugged")) {
		if (sim.no_hotremove)
			return -EBUSY;
		/* offline_and_remove_memory(): all or nothing */
		for (size_t i = 0; i < ARRAY_SIZE(a_blocks); i++)
			if ((int)a_blocks[i] == sim.refuse_offline_at &&
			    sim.block[a_blocks[i]] >= MOVABLE)
				return -EBUSY;
		for (size_t i = 0; i < ARRAY_SIZE(a_blocks); i++)
			put_block(a_blocks[i], ABSENT);
		put_device_state("unplugged");
		return 0;
	}
	if (!streq(value, "online") && !streq(value, "online_movable"))
		return -EINVAL;
	if (streq(sim.device_state, value))
		return 0;
	if (!streq(sim.device_state, "unplugged"))
		return -EBUSY;
	/* Added and onlined mapping by mapping; a refusal ends its mapping only. */
	bool refused = false;
	for (size_t i = 0; i < ARRAY_SIZE(a_blocks); i++) {
		unsigned n = a_blocks[i];
		if (i == 2) /* the second mapping starts */
			refused = false;
		bool movable = streq(value, "online_movable") && !sim.force_normal;
		if ((int)n == sim.refuse_online_at)
			refused = true;
		put_block(n, refused ? OFF : movable ? MOVABLE : NORMAL);
	}
	put_device_state(value);
	return 0;
}

/* The error a refused online reports: the block's EPERM, or, by the
 * whole-device write or the probe, which succeed, the verification's EIO. */
static int refused_online_error(void)
{
	return kernel_device_state || kernel_auto_online ? EIO : EPERM;
}

/* The kernel behind sysfs: memoryN/state, daxX.Y/state and drivers/kmem/bind. */
int __real_write_string_file(const char *path, const char *value);
int __wrap_write_string_file(const char *path, const char *value);
int __wrap_write_string_file(const char *path, const char *value)
{
	unsigned n;

	_cleanup_free_ char *auto_online = test_path(mem_dir, "auto_online_blocks");
	if (streq(path, auto_online)) {
		assert_true(kernel_auto_online);
		put_auto_online(value);
		return 0;
	}
	if (strncmp(path, mem_dir, strlen(mem_dir)) == 0 &&
	    sscanf(path + strlen(mem_dir), "/memory%u/state", &n) == 1) {
		assert_true(n < MAX_BLOCKS);
		if (is_b_block(n))
			sim.b_written = true;
		if (sim.block[n] == ABSENT)
			return -ENOENT;
		sim.writes++;
		if (sim.block_writes < MAX_BLOCKS)
			sim.written[sim.block_writes] = n;
		sim.block_writes++;
		/* drivers/base/memory.c state_store(): already online is EINVAL */
		if (sim.rule_first && sim.block[n] == OFF && !streq(value, "offline")) {
			put_block(n, NORMAL);
			return -EINVAL;
		}
		if (streq(value, "offline")) {
			if ((int)n == sim.refuse_offline_at)
				return -EBUSY;
			put_block(n, OFF);
			if (n == a_blocks[ARRAY_SIZE(a_blocks) - 1] && sim.reonline_once >= 0) {
				put_block((unsigned)sim.reonline_once, MOVABLE);
				sim.reonline_once = -1;
			}
		} else {
			if ((int)n == sim.refuse_online_at)
				return -EPERM;
			bool movable = streq(value, "online_movable") && !sim.force_normal;
			put_block(n, movable ? MOVABLE : NORMAL);
		}
		return 0;
	}
	_cleanup_free_ char *device_state = test_path(bus_dir, "devices/dax0.0/state");
	if (streq(path, device_state)) {
		assert_true(kernel_device_state);
		assert_int_equal(sim.mode, DAX_MODE_SYSTEM_RAM);
		sim.writes++;
		sim.device_writes++;
		return simulate_device_state(value);
	}
	_cleanup_free_ char *kmem_bind = test_path(bus_dir, "drivers/kmem/bind");
	if (streq(path, kmem_bind)) {
		assert_string_equal(value, "dax0.0");
		sim.writes++;
		if (sim.fail_bind_kmem)
			return -sim.fail_bind_kmem;
		assert_int_equal(sim.mode, DAX_MODE_DISABLED);
		sim.mode = DAX_MODE_SYSTEM_RAM;
		/*
		 * kmem's probe adds every mapping's whole blocks and onlines each
		 * as auto_online_blocks says; a refused one stays offline.
		 */
		bool online = kernel_auto_online && !streq(sim.auto_online, "offline");
		for (size_t i = 0; i < ARRAY_SIZE(a_blocks); i++)
			put_block(a_blocks[i], !online || (int)a_blocks[i] == sim.refuse_online_at
						   ? OFF
					       : streq(sim.auto_online, "online_movable") ? MOVABLE
											  : NORMAL);
		put_device_state(online ? sim.auto_online : "offline");
		return 0;
	}
	fail_msg("unexpected sysfs write: %s <- %s", path, value);
	return -EINVAL;
}

int __wrap_daxctl_dev_is_enabled(struct daxctl_dev *dev);
int __wrap_daxctl_dev_is_enabled(struct daxctl_dev *dev)
{
	return sim.mode != DAX_MODE_DISABLED;
}

int __wrap_daxctl_dev_disable(struct daxctl_dev *dev);
int __wrap_daxctl_dev_disable(struct daxctl_dev *dev)
{
	if (sim.mode == DAX_MODE_SYSTEM_RAM) {
		sim.writes++;
		if (sim.online_before_unbind >= 0 && sim.block[sim.online_before_unbind] != ABSENT)
			put_block((unsigned)sim.online_before_unbind, MOVABLE);
		/*
		 * 6.12's dev_dax_kmem_remove(): memory with a block online cannot
		 * be removed and stays until reboot; the device loses its driver.
		 */
		if (a_online() > 0)
			sim.stranded = true;
		else
			for (size_t i = 0; i < ARRAY_SIZE(a_blocks); i++)
				put_block(a_blocks[i], ABSENT);
		put_device_state("");
	}
	if (sim.mode == DAX_MODE_DEVDAX)
		sim.writes++;
	sim.mode = DAX_MODE_DISABLED;
	chardev(false);
	return 0;
}

int __wrap_daxctl_dev_enable_devdax(struct daxctl_dev *dev);
int __wrap_daxctl_dev_enable_devdax(struct daxctl_dev *dev)
{
	sim.writes++;
	if (sim.fail_enable_devdax)
		return -sim.fail_enable_devdax;
	if (sim.mode == DAX_MODE_DISABLED) {
		sim.mode = DAX_MODE_DEVDAX;
		chardev(true);
	}
	return 0;
}

/* Block writes by path_cxt: the same kernel, named from the directory. */
int __wrap_path_write_string(const struct path_cxt *cxt, const char *value, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
int __wrap_path_write_string(const struct path_cxt *cxt, const char *value, const char *format, ...)
{
	char name[256], path[PATH_MAX];
	va_list args;

	va_start(args, format);
	vsnprintf(name, sizeof(name), format, args);
	va_end(args);
	snprintf(path, sizeof(path), "%s/%s", cxt->dir, name);
	return __wrap_write_string_file(path, value);
}

static struct dax_device device;

/* A in @mode with its blocks in @zone (system-ram) or absent; B online. */
static void reset(enum dax_mode mode, enum zone zone)
{
	memset(&sim, 0, sizeof(sim));
	sim.refuse_online_at = -1;
	sim.refuse_offline_at = -1;
	sim.online_before_unbind = -1;
	sim.reonline_once = -1;
	test_rmtree(mem_dir);
	if (kernel_auto_online)
		put_auto_online("offline");
	for (size_t i = 0; i < ARRAY_SIZE(a_blocks); i++)
		put_block(a_blocks[i], mode == DAX_MODE_SYSTEM_RAM ? zone : ABSENT);
	for (size_t i = 0; i < ARRAY_SIZE(b_blocks); i++)
		put_block(b_blocks[i], MOVABLE);
	path_cxt_close(&memory);
	assert_int_equal(path_cxt_open(&memory, NULL, mem_dir), 0);
	sim.mode = mode;
	chardev(mode == DAX_MODE_DEVDAX);
	/* the cached value: what kmem's probe or the last write left */
	put_device_state(mode != DAX_MODE_SYSTEM_RAM ? ""
			 : zone == OFF		     ? "offline"
			 : zone == MOVABLE	     ? "online_movable"
						     : "online");

	range_set_clear(&device.mappings);
	range_set_clear(&device.pluggable);
	device = (struct dax_device){
	    .name = "dax0.0",
	    .mode = mode,
	    .blocks = ARRAY_SIZE(a_blocks),
	    /* as the pass's reading found them: the action takes it as is */
	    .blocks_online = mode == DAX_MODE_SYSTEM_RAM && zone >= MOVABLE ? 4 : 0,
	    .zone = mode != DAX_MODE_SYSTEM_RAM || zone < MOVABLE ? MEMORY_ZONE_NONE
		    : zone == MOVABLE				  ? MEMORY_ZONE_MOVABLE
								  : MEMORY_ZONE_NORMAL,
	    .target_node = 1,
	    .managed = true,
	    .handle = HANDLE,
	};
	/* mappings a little wider than their blocks: kmem aligns each inward */
	assert_int_equal(range_set_add(&device.mappings, 2 * BLOCK - 4096, 4 * BLOCK), 0);
	assert_int_equal(range_set_add(&device.mappings, 6 * BLOCK, 8 * BLOCK + 8192), 0);
	assert_int_equal(range_set_add(&device.pluggable, 2 * BLOCK, 4 * BLOCK), 0);
	assert_int_equal(range_set_add(&device.pluggable, 6 * BLOCK, 8 * BLOCK), 0);
}

static struct action_options options_for(enum online_type type)
{
	return (struct action_options){
	    .online_type = type,
	    .auto_online_memo = memo,
	    .dev_dir = dev_dir,
	    .memory = &memory,
	    .dax_bus_dir = bus_dir,
	    .block_size = BLOCK,
	};
}

static struct action_result apply(enum decision decision, enum online_type type)
{
	struct action_options options = options_for(type);
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

/* B is never touched, whatever happens to A. */
static void assert_b_untouched(void)
{
	assert_false(sim.b_written);
	for (size_t i = 0; i < ARRAY_SIZE(b_blocks); i++)
		assert_int_equal(sim.block[b_blocks[i]], MOVABLE);
}

/* The invariant every failure must keep: devdax, nothing online, /dev/daxX.Y back. */
static void assert_returned_to_devdax(void)
{
	assert_int_equal(sim.mode, DAX_MODE_DEVDAX);
	assert_int_equal(a_online(), 0);
	assert_true(chardev_present());
	assert_false(sim.stranded);
	assert_b_untouched();
}

/* What the action hands on instead of a read of every block (action_result.blocks). */
static void assert_blocks_as_read(const struct action_result *r, unsigned present, unsigned online,
				  enum memory_zone zone)
{
	assert_true(r->blocks_read);
	assert_int_equal(r->blocks.present, present);
	assert_int_equal(r->blocks.online, online);
	assert_int_equal(r->blocks.zone, zone);
}

static void test_online_whole(void **state)
{
	reset(DAX_MODE_DEVDAX, ABSENT);
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_int_equal(r.error, 0);
	assert_int_equal(sim.mode, DAX_MODE_SYSTEM_RAM);
	assert_int_equal(a_online(), 4);
	for (size_t i = 0; i < ARRAY_SIZE(a_blocks); i++)
		assert_int_equal(sim.block[a_blocks[i]], MOVABLE);
	assert_blocks_as_read(&r, 4, 4, MEMORY_ZONE_MOVABLE);
	assert_b_untouched();
	if (kernel_auto_online) {
		/* kmem's probe onlined it: no write to any state, the setting as it was */
		assert_int_equal(r.interface, KMEM_INTERFACE_PROBE);
		assert_int_equal(sim.device_writes, 0);
		assert_int_equal(sim.block_writes, 0);
		assert_string_equal(sim.auto_online, "offline");
		assert_int_equal(access(memo, F_OK), -1);
		if (kernel_device_state)
			assert_string_equal(sim.device_state, "online_movable");
	} else if (kernel_device_state) {
		/* "unplugged" (probe added it offline), then one online write */
		assert_int_equal(r.interface, KMEM_INTERFACE_DEVICE_STATE);
		assert_int_equal(sim.device_writes, 2);
		assert_int_equal(sim.block_writes, 0);
	} else {
		assert_int_equal(r.interface, KMEM_INTERFACE_MEMORY_BLOCKS);
		assert_int_equal(sim.device_writes, 0);
	}

	/* from unbound (the held dax bus), in ZONE_NORMAL */
	reset(DAX_MODE_DISABLED, ABSENT);
	r = apply(DECISION_ONLINE, ONLINE_TYPE_KERNEL);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	for (size_t i = 0; i < ARRAY_SIZE(a_blocks); i++)
		assert_int_equal(sim.block[a_blocks[i]], NORMAL);
	assert_blocks_as_read(&r, 4, 4, MEMORY_ZONE_NORMAL);
	assert_b_untouched();
}

/*
 * Block by block, the second block goes last: the kernel's zone walk then
 * ends at a hole (memory_blocks_set()); online and offline alike.
 */
static void test_block_order(void **state)
{
	const unsigned expected[] = {2, 6, 7, 3};

	if (kernel_device_state || kernel_auto_online)
		skip(); /* one write to daxX.Y/state, or the probe: no block written */
	reset(DAX_MODE_DEVDAX, ABSENT);
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_int_equal(sim.block_writes, 4);
	for (size_t i = 0; i < ARRAY_SIZE(expected); i++)
		assert_int_equal(sim.written[i], expected[i]);

	reset(DAX_MODE_SYSTEM_RAM, MOVABLE);
	r = apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_int_equal(sim.block_writes, 4);
	for (size_t i = 0; i < ARRAY_SIZE(expected); i++)
		assert_int_equal(sim.written[i], expected[i]);
}

/* The kernel refuses block k (TDX: EPERM) for every k of A's: rolled back whole. */
static void test_refusal_at_each_block(void **state)
{
	for (size_t k = 0; k < ARRAY_SIZE(a_blocks); k++) {
		print_message("refused at memory%u\n", a_blocks[k]);
		reset(DAX_MODE_DEVDAX, ABSENT);
		sim.refuse_online_at = (int)a_blocks[k];
		struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
		assert_int_equal(r.outcome, OUTCOME_ROLLED_BACK);
		assert_int_equal(r.error, refused_online_error());
		assert_int_equal(r.rollback_error, 0);
		assert_returned_to_devdax();
		/* read after kmem's unbind: nothing present */
		assert_blocks_as_read(&r, 0, 0, MEMORY_ZONE_NONE);
		/* the probe's refusal is not tried again */
		if (kernel_device_state || kernel_auto_online)
			assert_int_equal(sim.block_writes, kernel_device_state ? 0 : 3);
	}
}

/* A stranded device (kmem bound, some blocks offline) is finished or undone. */
static void test_stranded_partial(void **state)
{
	reset(DAX_MODE_SYSTEM_RAM, MOVABLE);
	put_block(6, OFF);
	put_block(7, OFF);
	device.blocks_online = 2;
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_int_equal(a_online(), 4);
	assert_b_untouched();

	reset(DAX_MODE_SYSTEM_RAM, MOVABLE);
	put_block(6, OFF);
	put_block(7, OFF);
	device.blocks_online = 2;
	sim.refuse_online_at = 7;
	r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_ROLLED_BACK);
	assert_returned_to_devdax();
}

/*
 * kmem added one mapping only (its probe skips a range it cannot reserve).
 * Block by block that is an error; the whole-device write has the kernel
 * add every range again.
 */
static void test_block_missing(void **state)
{
	reset(DAX_MODE_SYSTEM_RAM, OFF);
	put_block(7, ABSENT);
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	if (kernel_device_state) {
		assert_int_equal(r.outcome, OUTCOME_APPLIED);
		assert_int_equal(a_online(), 4);
		assert_b_untouched();
		return;
	}
	assert_int_equal(r.outcome, OUTCOME_ROLLED_BACK);
	assert_int_equal(r.error, ENOENT);
	assert_returned_to_devdax();
}

static void test_bind_kmem_fails(void **state)
{
	reset(DAX_MODE_DEVDAX, ABSENT);
	sim.fail_bind_kmem = ENXIO;
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_ROLLED_BACK);
	assert_int_equal(r.error, ENXIO);
	assert_returned_to_devdax();
}

/*
 * Blocks came online in another zone (another agent raced us): whole, and
 * left where they are, in use; the record states the zone.
 */
static void test_wrong_zone(void **state)
{
	reset(DAX_MODE_DEVDAX, ABSENT);
	sim.force_normal = true;
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_int_equal(a_online(), 4);
	/* kmem's probe onlines as auto_online_blocks says: no agent was there first */
	assert_blocks_as_read(
	    &r, 4, 4, sim.block[a_blocks[0]] == MOVABLE ? MEMORY_ZONE_MOVABLE : MEMORY_ZONE_NORMAL);
	assert_b_untouched();
}

/*
 * A distribution's udev rule onlines every block it sees added, and gets to
 * each one just before tdxmemd (40-redhat.rules): tdxmemd's write is then
 * EINVAL. The device still ends whole, with nothing rolled back.
 */
static void test_rule_first(void **state)
{
	reset(DAX_MODE_DEVDAX, ABSENT);
	sim.rule_first = true;
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_int_equal(r.error, 0);
	assert_int_equal(a_online(), 4);
	assert_b_untouched();

	/* kmem bound before, its blocks offline: the same race, block by block */
	reset(DAX_MODE_SYSTEM_RAM, OFF);
	sim.rule_first = true;
	r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_int_equal(a_online(), 4);
	assert_b_untouched();
}

/*
 * Another agent onlines a block between the offline and kmem's unbind: the
 * kernel keeps the memory, the device has no driver. Said, never hidden.
 */
static void test_online_before_unbind(void **state)
{
	reset(DAX_MODE_SYSTEM_RAM, MOVABLE);
	sim.online_before_unbind = 6;
	struct action_result r = apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE);
	if (kernel_device_state) {
		/* "unplugged" removed the memory in the same step: nothing to online */
		assert_int_equal(r.outcome, OUTCOME_APPLIED);
		assert_returned_to_devdax();
		return;
	}
	assert_int_equal(r.outcome, OUTCOME_FAILED);
	assert_int_equal(r.error, EBUSY);
	assert_true(sim.stranded);
	assert_int_equal(r.stranded_blocks, 4);
	assert_int_equal(r.stranded_online, 1);
	assert_b_untouched();
}

/* Another agent onlines a block again behind the offline: offlined once more, whole. */
static void test_concurrent_online(void **state)
{
	reset(DAX_MODE_SYSTEM_RAM, MOVABLE);
	sim.reonline_once = 2;
	struct action_result r = apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_false(r.offline_refused);
	assert_returned_to_devdax();
}

/*
 * No memo can be written (a FIFO where it goes): auto_online_blocks is not
 * touched, and the device still goes online whole the other way.
 */
static void test_memo_unwritable(void **state)
{
	if (!kernel_auto_online)
		skip();
	reset(DAX_MODE_DEVDAX, ABSENT);
	assert_int_equal(mkfifo(memo, 0600), 0);
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(unlink(memo), 0);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_int_not_equal(r.interface, KMEM_INTERFACE_PROBE);
	assert_string_equal(sim.auto_online, "offline");
	assert_int_equal(a_online(), 4);
	assert_b_untouched();
}

/* A kill inside the bind leaves the memo: the next pass puts the value back. */
static void test_auto_online_recover(void **state)
{
	char value[AUTO_ONLINE_MAX];

	if (!kernel_auto_online)
		skip();
	reset(DAX_MODE_DEVDAX, ABSENT);
	put_auto_online("online_movable");
	test_put_file(root, "auto_online_blocks", "online\n");
	assert_int_equal(auto_online_recover(&memory, memo, value), 1);
	assert_string_equal(value, "online");
	assert_string_equal(sim.auto_online, "online");
	assert_int_equal(access(memo, F_OK), -1);
	/* nothing to recover */
	assert_int_equal(auto_online_recover(&memory, memo, value), 0);
	/* a memo that holds no value of the kernel's is dropped, never written */
	test_put_file(root, "auto_online_blocks", "movable\n");
	assert_int_equal(auto_online_recover(&memory, memo, value), -EINVAL);
	assert_string_equal(sim.auto_online, "online");
	assert_int_equal(access(memo, F_OK), -1);
}

/* Rollback cannot offline a block: failed, and kmem is never unbound under it. */
static void test_rollback_fails(void **state)
{
	reset(DAX_MODE_DEVDAX, ABSENT);
	sim.refuse_online_at = 7;
	sim.refuse_offline_at = 6; /* onlined before 7 in every variant */
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_FAILED);
	assert_int_equal(r.error, refused_online_error());
	assert_int_equal(r.rollback_error, EBUSY);
	assert_false(sim.stranded);
	assert_int_equal(sim.mode, DAX_MODE_SYSTEM_RAM);
	/* the blocks were written after the last read: the caller reads them */
	assert_false(r.blocks_read);
	assert_b_untouched();
}

static void test_devdax_from_system_ram(void **state)
{
	reset(DAX_MODE_SYSTEM_RAM, NORMAL);
	struct action_result r = apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_returned_to_devdax();
	assert_blocks_as_read(&r, 0, 0, MEMORY_ZONE_NONE);

	reset(DAX_MODE_DISABLED, ABSENT);
	r = apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_returned_to_devdax();
	assert_false(r.blocks_read);
}

/* Memory in use is never taken: a block that will not offline leaves all online. */
static void test_devdax_in_use(void **state)
{
	for (size_t k = 0; k < ARRAY_SIZE(a_blocks); k++) {
		reset(DAX_MODE_SYSTEM_RAM, MOVABLE);
		sim.refuse_offline_at = (int)a_blocks[k];
		struct action_result r = apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE);
		assert_int_equal(r.outcome, OUTCOME_FAILED);
		assert_int_equal(r.error, EBUSY);
		assert_true(r.offline_refused);
		assert_int_equal(sim.mode, DAX_MODE_SYSTEM_RAM);
		assert_int_equal(a_online(), 4);
		for (size_t i = 0; i < ARRAY_SIZE(a_blocks); i++)
			assert_int_equal(sim.block[a_blocks[i]], MOVABLE);
		assert_false(sim.stranded);
		assert_b_untouched();
	}
}

static void test_devdax_enable_fails(void **state)
{
	reset(DAX_MODE_DISABLED, ABSENT);
	sim.fail_enable_devdax = ENODEV;
	struct action_result r = apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_FAILED);
	assert_int_equal(r.error, ENODEV);
}

/* Unchanged never leaves a device unbound: device_dax, so /dev/daxX.Y works. */
static void test_unchanged_unbound(void **state)
{
	reset(DAX_MODE_DISABLED, ABSENT);
	struct action_result r = apply(DECISION_UNCHANGED, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_returned_to_devdax();

	reset(DAX_MODE_SYSTEM_RAM, MOVABLE);
	r = apply(DECISION_UNCHANGED, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_ALREADY);
	assert_int_equal(sim.writes, 0);
}

/* A block whose phys_index is not its name is refused, never written. */
static void test_odd_phys_index(void **state)
{
	if (kernel_device_state)
		skip(); /* no block is written: kmem takes its own ranges */
	reset(DAX_MODE_SYSTEM_RAM, MOVABLE);
	test_put_file(root, "memory/memory6/phys_index", "00000004\n");
	struct action_result r = apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_FAILED);
	assert_int_equal(r.error, EXDEV);
	assert_false(r.offline_refused);
	assert_int_equal(sim.block[6], MOVABLE);
	assert_int_equal(sim.mode, DAX_MODE_SYSTEM_RAM);
	assert_false(sim.stranded);
	assert_b_untouched();
}

static void test_already_and_dry_run(void **state)
{
	reset(DAX_MODE_DEVDAX, ABSENT);
	assert_int_equal(apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE).outcome, OUTCOME_ALREADY);
	assert_int_equal(apply(DECISION_UNCHANGED, ONLINE_TYPE_MOVABLE).outcome, OUTCOME_ALREADY);
	reset(DAX_MODE_SYSTEM_RAM, NORMAL);
	/* online in another zone is still whole: not taken away to move it */
	assert_int_equal(apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE).outcome, OUTCOME_ALREADY);
	assert_int_equal(sim.writes, 0);

	struct action_options options = options_for(ONLINE_TYPE_MOVABLE);
	options.dry_run = true;
	struct action_result r;
	action_apply(&device, DECISION_DEVDAX, &options, &r);
	assert_int_equal(r.outcome, OUTCOME_PLANNED);
	reset(DAX_MODE_DEVDAX, ABSENT);
	action_apply(&device, DECISION_ONLINE, &options, &r);
	assert_int_equal(r.outcome, OUTCOME_PLANNED);
	assert_int_equal(sim.writes, 0);
	assert_int_equal(sim.mode, DAX_MODE_DEVDAX);
}

/* A kernel that cannot remove memory refuses "unplugged": block by block, still whole. */
static void test_no_hotremove(void **state)
{
	if (!kernel_device_state)
		skip();
	reset(DAX_MODE_DEVDAX, ABSENT);
	sim.no_hotremove = true;
	struct action_result r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_int_equal(r.interface,
			 kernel_auto_online ? KMEM_INTERFACE_PROBE : KMEM_INTERFACE_MEMORY_BLOCKS);
	assert_int_equal(a_online(), 4);
	assert_b_untouched();

	reset(DAX_MODE_DEVDAX, ABSENT);
	sim.no_hotremove = true;
	sim.refuse_online_at = 6;
	r = apply(DECISION_ONLINE, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_ROLLED_BACK);
	assert_int_equal(r.error, kernel_auto_online ? EIO : EPERM);
	assert_returned_to_devdax();

	reset(DAX_MODE_SYSTEM_RAM, MOVABLE);
	sim.no_hotremove = true;
	r = apply(DECISION_DEVDAX, ONLINE_TYPE_MOVABLE);
	assert_int_equal(r.outcome, OUTCOME_APPLIED);
	assert_int_equal(r.interface, KMEM_INTERFACE_MEMORY_BLOCKS);
	assert_returned_to_devdax();
}

static int setup(void **state)
{
	root = test_mkdtemp("action");
	mem_dir = test_path(root, "memory");
	dev_dir = test_path(root, "dev");
	bus_dir = test_path(root, "bus/dax");
	memo = test_path(root, "auto_online_blocks");
	test_put_file(root, "bus/dax/drivers/kmem/bind", "");
	test_put_file(root, "dev/keep", "");
	return 0;
}

static int teardown(void **state)
{
	range_set_clear(&device.mappings);
	range_set_clear(&device.pluggable);
	int r = test_rmtree(root);
	path_cxt_close(&memory);
	free(mem_dir);
	free(dev_dir);
	free(bus_dir);
	free(memo);
	free(root);
	return r;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_online_whole),
	    cmocka_unit_test(test_block_order),
	    cmocka_unit_test(test_refusal_at_each_block),
	    cmocka_unit_test(test_stranded_partial),
	    cmocka_unit_test(test_block_missing),
	    cmocka_unit_test(test_bind_kmem_fails),
	    cmocka_unit_test(test_wrong_zone),
	    cmocka_unit_test(test_rule_first),
	    cmocka_unit_test(test_online_before_unbind),
	    cmocka_unit_test(test_concurrent_online),
	    cmocka_unit_test(test_auto_online_recover),
	    cmocka_unit_test(test_memo_unwritable),
	    cmocka_unit_test(test_rollback_fails),
	    cmocka_unit_test(test_devdax_from_system_ram),
	    cmocka_unit_test(test_devdax_in_use),
	    cmocka_unit_test(test_devdax_enable_fails),
	    cmocka_unit_test(test_unchanged_unbound),
	    cmocka_unit_test(test_odd_phys_index),
	    cmocka_unit_test(test_already_and_dry_run),
	    cmocka_unit_test(test_no_hotremove),
	};
	int failed = cmocka_run_group_tests_name("memory-blocks", tests, setup, teardown);
	kernel_device_state = true;
	failed += cmocka_run_group_tests_name("device-state", tests, setup, teardown);
	kernel_auto_online = true;
	failed +=
	    cmocka_run_group_tests_name("device-state, probe onlines", tests, setup, teardown);
	kernel_device_state = false;
	failed +=
	    cmocka_run_group_tests_name("memory-blocks, probe onlines", tests, setup, teardown);
	return failed;
}
