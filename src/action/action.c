// SPDX-License-Identifier: GPL-2.0-or-later
#include "action.h"

#include "dax-bus.h"
#include "macro.h"
#include "memory-blocks.h"

#include <daxctl/libdaxctl.h>
#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *outcome_to_string(enum outcome outcome)
{
	static const char *const names[] = {
	    [OUTCOME_APPLIED] = "applied", [OUTCOME_ALREADY] = "already",
	    [OUTCOME_PLANNED] = "planned", [OUTCOME_ROLLED_BACK] = "rolled-back",
	    [OUTCOME_FAILED] = "failed",
	};
	return (size_t)outcome < ARRAY_SIZE(names) ? names[outcome] : "unknown";
}

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
	return memory_blocks_set(options->memory_dir, &device->pluggable, &device->mappings,
				 options->block_size, state);
}

static int read_blocks(const struct dax_device *device, const struct action_options *options,
		       struct memory_blocks_status *ret_status)
{
	return memory_blocks_read(options->memory_dir, &device->pluggable, options->block_size,
				  ret_status);
}

/* Every one of the device's blocks online, and in the intended zone when we chose it. */
static int verify_online(const struct dax_device *device, const struct action_options *options)
{
	struct memory_blocks_status status;

	int r = read_blocks(device, options, &status);
	if (r < 0)
		return r;
	if (device->blocks == 0 || status.online != device->blocks)
		return -EIO;
	if (options->kernel_auto_online)
		return 0;
	bool movable = options->online_type == ONLINE_TYPE_MOVABLE;
	if (status.zone != (movable ? MEMORY_ZONE_MOVABLE : MEMORY_ZONE_NORMAL))
		return -EBUSY; /* someone else onlined blocks meanwhile */
	return 0;
}

/*
 * Offline whatever of the device is online, unbind kmem and give the device
 * to device_dax. daxctl_dev_disable() would unbind kmem even with blocks
 * online, which strands them: the offline is verified first.
 */
static int return_to_devdax(struct dax_device *device, const struct action_options *options)
{
	struct daxctl_dev *dev = device->handle;
	struct memory_blocks_status after;

	int r = set_blocks(device, options, "offline");
	if (r >= 0)
		r = read_blocks(device, options, &after);
	if (r < 0)
		return r;
	if (after.online != 0)
		return -EBUSY;
	if ((r = daxctl_dev_disable(dev)) < 0)
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

static void apply_online(struct dax_device *device, const struct action_options *options,
			 struct action_result *result)
{
	struct daxctl_dev *dev = device->handle;
	int r = 0;

	if (device->mode != DAX_MODE_SYSTEM_RAM) {
		r = load_kmem(options->kmod);
		if (r >= 0)
			r = daxctl_dev_disable(dev);
		if (r >= 0)
			r = dax_bus_bind(options->dax_bus_dir, "kmem", device->name);
		if (r >= 0 && !daxctl_dev_is_enabled(dev))
			r = -ENXIO;
		if (r < 0)
			goto rollback;
	}

	/*
	 * Block by block, lowest first; a TDX host refuses each block outside
	 * its memory list with EPERM (arch/x86/virt/vmx/tdx/tdx.c
	 * tdx_memory_notifier()), and the first refusal stops the online.
	 */
	r = set_blocks(device, options,
		       options->online_type == ONLINE_TYPE_KERNEL ? "online" : "online_movable");
	if (r >= 0)
		r = verify_online(device, options);
	if (r >= 0) {
		result_set(result, OUTCOME_APPLIED, 0);
		return;
	}

rollback:
	result_set(result, OUTCOME_ROLLED_BACK, r);
	r = return_to_devdax(device, options);
	if (r < 0) {
		result->outcome = OUTCOME_FAILED;
		result->rollback_error = -r;
	}
}

static void apply_devdax(struct dax_device *device, const struct action_options *options,
			 struct action_result *result)
{
	int r;

	if (device->mode == DAX_MODE_SYSTEM_RAM) {
		struct memory_blocks_status before, after = {0};

		r = read_blocks(device, options, &before);
		if (r < 0) {
			result_set(result, OUTCOME_FAILED, r);
			return;
		}
		/*
		 * Never forced: the kernel offlines a block only when it can
		 * migrate every page away (mm/memory_hotplug.c
		 * offline_pages()). A block it cannot offline is in use.
		 */
		r = set_blocks(device, options, "offline");
		int counted = read_blocks(device, options, &after);
		if (r < 0 || counted < 0 || after.online != 0) {
			result_set(result, OUTCOME_FAILED,
				   r < 0	 ? r
				   : counted < 0 ? counted
						 : -EBUSY);
			/* the kernel's refusal to offline (EBUSY) means pages in use */
			if (r == -EBUSY || (r >= 0 && counted >= 0)) {
				result->reason_overridden = true;
				result->reason = REASON_IN_USE;
			}
			/* Whole or nothing: give back the blocks offlined so far. */
			if (before.online > 0 && before.online == device->blocks)
				(void)set_blocks(device, options,
						 before.zone == MEMORY_ZONE_MOVABLE
						     ? "online_movable"
						     : "online");
			return;
		}
		r = daxctl_dev_disable(device->handle);
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
