// SPDX-License-Identifier: GPL-2.0-or-later
#include "action.h"

#include "auto-online.h"
#include "dax-bus.h"
#include "macro.h"
#include "memory-blocks.h"
#include "path.h"
#include "udev-settle.h"

#include <daxctl/libdaxctl.h>
#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char *const outcome_names[OUTCOME_MAX] = {
    [OUTCOME_APPLIED] = "applied", [OUTCOME_ALREADY] = "already",
    [OUTCOME_PLANNED] = "planned", [OUTCOME_ROLLED_BACK] = "rolled-back",
    [OUTCOME_FAILED] = "failed",
};
DEFINE_STRING_TABLE(outcome, enum outcome, OUTCOME_MAX)

static const char *const kmem_interface_names[KMEM_INTERFACE_MAX] = {
    [KMEM_INTERFACE_NONE] = "none",
    [KMEM_INTERFACE_DEVICE_STATE] = "device-state",
    [KMEM_INTERFACE_MEMORY_BLOCKS] = "memory-blocks",
    [KMEM_INTERFACE_PROBE] = "probe",
};
DEFINE_STRING_TABLE(kmem_interface, enum kmem_interface, KMEM_INTERFACE_MAX)

bool action_state_holds(const struct dax_device *device, enum decision decision)
{
	switch (decision) {
	case DECISION_UNCHANGED:
		/* unbound is never a state to keep: neither RAM nor /dev/daxX.Y */
		return device->mode != DAX_MODE_DISABLED;
	case DECISION_ONLINE:
		/*
		 * Whole means every one of its own blocks. The zone is not part
		 * of it: memory the kernel already onlined elsewhere is in use,
		 * and moving it would mean taking it away first.
		 */
		return device->mode == DAX_MODE_SYSTEM_RAM && device->blocks > 0 &&
		       device->blocks_online == device->blocks;
	case DECISION_DEVDAX:
		return device->mode == DAX_MODE_DEVDAX;
	case DECISION_MAX:
		break;
	}
	return false;
}

static void result_set(struct action_result *result, enum outcome outcome, int error)
{
	result->outcome = outcome;
	if (error < 0 && result->error == 0)
		result->error = -error;
}

/*
 * kmem is blacklisted for alias loads (modprobe.d/tdxmemd.conf), so that
 * nothing loads it before the dax bus is held; an explicit load ignores
 * the blacklist, as modprobe does for a module named on its command line.
 */
bool action_kmem_loaded(void)
{
	char state[16];

	/* kernel/module/sysfs.c: initstate reads "live" once loaded */
	return read_attribute("/sys/module/kmem/initstate", state, sizeof(state)) == 0 &&
	       streq(state, "live");
}

static int load_kmem(struct kmod_ctx *kmod)
{
	struct kmod_module *module = NULL;
	int r;

	if (!kmod)
		return 0;
	r = kmod_module_new_from_name(kmod, "kmem", &module);
	if (r < 0)
		return r;
	r = kmod_module_probe_insert_module(module, 0, NULL, NULL, NULL, NULL);
	kmod_module_unref(module);
	return r;
}

static bool chardev_exists(const struct action_options *options, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", options->dev_dir ? options->dev_dir : "/dev", name);
	return stat(path, &st) == 0;
}

static int set_blocks(const struct dax_device *device, const struct action_options *options,
		      const char *state)
{
	return memory_blocks_set(options->memory, &device->pluggable, &device->mappings,
				 options->block_size, state);
}

static int read_blocks(const struct dax_device *device, const struct action_options *options,
		       struct memory_blocks_status *ret_status)
{
	return memory_blocks_read(options->memory, &device->pluggable, options->block_size,
				  ret_status);
}

static const char *online_value(enum online_type type)
{
	return type == ONLINE_TYPE_KERNEL ? "online" : "online_movable";
}

/*
 * Every one of the device's blocks online. In any zone: a block another
 * agent onlined first (a distribution's udev rule writes "online") is in
 * use where it is, and the record states the zone the blocks are in.
 */
static int verify_online(const struct dax_device *device, const struct action_options *options,
			 struct action_result *result)
{
	struct memory_blocks_status status;

	int r = read_blocks(device, options, &status);
	if (r < 0)
		return r;
	if (device->blocks == 0 || status.online != device->blocks)
		return -EIO;
	result->blocks_read = true;
	result->blocks = status;
	return 0;
}

static bool has_device_state(const struct dax_device *device, const struct action_options *options)
{
	char state[KMEM_STATE_MAX];

	return dax_kmem_state_read(options->dax_bus_dir, device->name, state) == 0;
}

#define OFFLINE_ROUNDS 3

/*
 * Block by block, offline: udevd first finishes what it has queued, so that
 * no rule onlines one of these blocks again once it is offline
 * (udev-settle.h). The blocks as they are then go to @ret_after.
 */
static int offline_blocks(struct dax_device *device, const struct action_options *options,
			  struct memory_blocks_status *ret_after)
{
	int r = 0;

	/*
	 * Another agent still onlining (daxctl's online-memory, a rule whose
	 * event udevd had not read yet) may online a block behind the loop:
	 * the loop goes again while a round offlines everything it finds yet
	 * one is online after it, a few times at most; the caller counts them.
	 */
	for (unsigned round = 0; round < OFFLINE_ROUNDS; round++) {
		/* Timed out, udevd is stuck: unbind_kmem() finds what a late rule onlined. */
		(void)udev_settle_queue(options->udev, UDEV_SETTLE_TIMEOUT_USEC);
		r = set_blocks(device, options, "offline");
		if (r >= 0)
			r = read_blocks(device, options, ret_after);
		if (r < 0 || ret_after->online == 0)
			break;
	}
	return r;
}

/*
 * Takes every one of the device's blocks offline, never forced: the kernel
 * offlines a block only when it can migrate every page away
 * (mm/memory_hotplug.c offline_pages()), so a block it cannot offline is in
 * use. With kmem's daxX.Y/state one "unplugged" write, which also removes
 * the memory, all or nothing (offline_and_remove_memory() puts back what it
 * offlined when one block cannot go); else, or when "unplugged" is refused
 * (-EBUSY is a page in use or a kernel without CONFIG_MEMORY_HOTREMOVE,
 * which state_store() cannot tell apart), block by block. Then the blocks
 * are counted: -EBUSY when one stays online.
 */
static int take_offline(struct dax_device *device, const struct action_options *options,
			struct action_result *result)
{
	struct memory_blocks_status after = {0};
	int r = -ENOENT;

	if (has_device_state(device, options)) {
		result->interface = KMEM_INTERFACE_DEVICE_STATE;
		r = dax_kmem_state_write(options->dax_bus_dir, device->name, "unplugged");
		if (r >= 0) {
			r = read_blocks(device, options, &after);
			return r < 0 ? r : after.online == 0 ? 0 : -EBUSY;
		}
	}
	result->interface = KMEM_INTERFACE_MEMORY_BLOCKS;
	r = offline_blocks(device, options, &after);
	return r < 0 ? r : after.online == 0 ? 0 : -EBUSY;
}

/*
 * Unbinds kmem from a device whose blocks were all offline a moment ago:
 * kmem's remove removes offline memory. A block some other agent onlined in
 * between cannot be removed, and stays, the device without a driver, until
 * reboot (drivers/dax/kmem.c dev_dax_kmem_remove(): "cannot be hotremoved
 * until the next reboot"). Counted, so that the record says so.
 */
static int unbind_kmem(struct dax_device *device, const struct action_options *options,
		       struct action_result *result)
{
	struct memory_blocks_status left;

	int r = daxctl_dev_disable(device->handle);
	if (r < 0)
		return r;
	/* binding device_dax after this adds no memory: the read stays true */
	result->blocks_read = read_blocks(device, options, &left) >= 0;
	result->blocks = left;
	if (result->blocks_read && left.present > 0) {
		result->stranded_blocks = left.present;
		result->stranded_online = left.online;
		return -EBUSY;
	}
	return 0;
}

/*
 * Offline whatever of the device is online, unbind kmem and give the device
 * to device_dax. daxctl_dev_disable() would unbind kmem even with blocks
 * online, which strands them (kmem's remove leaves online ranges in place
 * until reboot): the offline is verified first.
 */
static int return_to_devdax(struct dax_device *device, const struct action_options *options,
			    struct action_result *result)
{
	int r = take_offline(device, options, result);
	if (r < 0)
		return r;
	if ((r = unbind_kmem(device, options, result)) < 0)
		return r;
	return action_bind_devdax(device, options);
}

int action_bind_devdax(struct dax_device *device, const struct action_options *options)
{
	/*
	 * device_dax matches a CXL RAM device only by id: libdaxctl writes its
	 * new_id, whose driver_attach() can bind only devices device_dax
	 * matches, so no memory is added anywhere.
	 */
	int r = daxctl_dev_enable_devdax(device->handle);
	if (r >= 0 && !chardev_exists(options, device->name))
		r = -ENODEV;
	return r;
}

/*
 * Binds kmem to @device with auto_online_blocks set to the decided type:
 * kmem's probe then adds and onlines every block in one kernel step, and no
 * other agent sees a block of it offline (auto-online.h). Where the setting
 * cannot be changed, the probe adds the blocks as the kernel's setting has
 * them, and complete_online() does the rest.
 */
static int bind_kmem_online(struct dax_device *device, const struct action_options *options,
			    struct action_result *result)
{
	char previous[AUTO_ONLINE_MAX];

	int r = load_kmem(options->kmod);
	if (r >= 0)
		r = daxctl_dev_disable(device->handle);
	if (r < 0)
		return r;
	bool swapped = auto_online_swap(options->memory, options->auto_online_memo,
					online_value(options->online_type), previous) >= 0;
	r = dax_bus_bind(options->dax_bus_dir, "kmem", device->name);
	/* Cannot be put back: the memo stays, and the next pass puts it back. */
	if (swapped)
		(void)auto_online_put_back(options->memory, options->auto_online_memo, previous);
	if (r >= 0 && !daxctl_dev_is_enabled(device->handle))
		r = -ENXIO;
	if (r >= 0 && swapped)
		result->interface = KMEM_INTERFACE_PROBE;
	return r;
}

/*
 * Onlines what of a kmem-bound device is not online yet: one bound without
 * the probe's online (auto_online_blocks could not be set), or bound to kmem
 * before, by the kernel or another agent. With kmem's daxX.Y/state and nothing
 * online, one write; onlining is taken only from "unplugged", so the
 * blocks kmem added offline are removed first. Else block by block, which
 * never takes away a block already online (in use).
 */
static int complete_online(struct dax_device *device, const struct action_options *options,
			   struct action_result *result)
{
	char state[KMEM_STATE_MAX];
	struct memory_blocks_status now;

	int r = read_blocks(device, options, &now);
	if (r < 0)
		return r;
	if (device->blocks > 0 && now.online == device->blocks)
		return 0;
	/*
	 * "unplugged" refused (no CONFIG_MEMORY_HOTREMOVE: -EBUSY): the blocks
	 * kmem added are still there to online one by one.
	 */
	if (now.online == 0 &&
	    dax_kmem_state_read(options->dax_bus_dir, device->name, state) == 0 &&
	    (streq(state, "unplugged") ||
	     dax_kmem_state_write(options->dax_bus_dir, device->name, "unplugged") >= 0)) {
		result->interface = KMEM_INTERFACE_DEVICE_STATE;
		return dax_kmem_state_write(options->dax_bus_dir, device->name,
					    online_value(options->online_type));
	}
	/*
	 * In memory_blocks_set()'s order; a TDX host refuses each block outside
	 * its memory list with EPERM (arch/x86/virt/vmx/tdx/tdx.c
	 * tdx_memory_notifier()), and the first refusal stops the online.
	 */
	result->interface = KMEM_INTERFACE_MEMORY_BLOCKS;
	return set_blocks(device, options, online_value(options->online_type));
}

static void apply_online(struct dax_device *device, const struct action_options *options,
			 struct action_result *result)
{
	_cleanup_(udev_monitor_unrefp) struct udev_monitor *watch = NULL;
	int r = 0;

	if (device->mode != DAX_MODE_SYSTEM_RAM) {
		/* before the bind: none of its block adds can slip past */
		watch = udev_settle_watch(options->udev);
		r = bind_kmem_online(device, options, result);
		if (r < 0)
			goto rollback;
	}
	/*
	 * The probe's online was the one step: a block it left offline was
	 * refused (the TDX notifier), and is rolled back with the rest, not
	 * tried again.
	 */
	if (result->interface != KMEM_INTERFACE_PROBE)
		r = complete_online(device, options, result);
	/* A refused block fails neither the probe nor the whole-device write: count them all. */
	if (r >= 0)
		r = verify_online(device, options, result);
	if (r >= 0) {
		result_set(result, OUTCOME_APPLIED, 0);
		return;
	}

rollback:
	result_set(result, OUTCOME_ROLLED_BACK, r);
	/*
	 * A rule acting on the adds of our bind must be done before a block is
	 * offlined: it would online it again behind us (udev-settle.h).
	 */
	if (!has_device_state(device, options)) /* "unplugged" takes all in one step */
		(void)udev_settle_blocks(watch, options->memory, &device->pluggable,
					 options->block_size, UDEV_SETTLE_TIMEOUT_USEC);
	r = return_to_devdax(device, options, result);
	if (r < 0) {
		result->outcome = OUTCOME_FAILED;
		result->rollback_error = -r;
	}
}

/*
 * take_offline() for a device decided devdax, which stays as it was when
 * it cannot go whole: a refusal means pages in use, and the blocks
 * offlined one by one so far go back online ("unplugged" put back what it
 * took itself), into the zone the device's blocks were in when the pass
 * read them (under the action lock, just before).
 */
static int offline_for_devdax(struct dax_device *device, const struct action_options *options,
			      struct action_result *result)
{
	int r = take_offline(device, options, result);

	result->offline_refused = r == -EBUSY;
	if (r < 0 && result->interface == KMEM_INTERFACE_MEMORY_BLOCKS &&
	    device->blocks_online > 0 && device->blocks_online == device->blocks)
		(void)set_blocks(device, options,
				 device->zone == MEMORY_ZONE_MOVABLE ? "online_movable" : "online");
	return r;
}

static void apply_devdax(struct dax_device *device, const struct action_options *options,
			 struct action_result *result)
{
	int r;

	if (device->mode == DAX_MODE_SYSTEM_RAM) {
		r = offline_for_devdax(device, options, result);
		if (r >= 0)
			r = unbind_kmem(device, options, result);
		if (r < 0) {
			result_set(result, OUTCOME_FAILED, r);
			return;
		}
	}

	r = action_bind_devdax(device, options);
	result_set(result, r < 0 ? OUTCOME_FAILED : OUTCOME_APPLIED, r);
}

void action_apply(struct dax_device *device, enum decision decision,
		  const struct action_options *options, struct action_result *ret_result)
{
	struct action_result result = {0};

	if (action_state_holds(device, decision))
		result.outcome = OUTCOME_ALREADY;
	else if (options->dry_run)
		result.outcome = OUTCOME_PLANNED;
	else if (decision == DECISION_ONLINE)
		apply_online(device, options, &result);
	else /* devdax, or unchanged while no driver holds it */
		apply_devdax(device, options, &result);

	*ret_result = result;
}
