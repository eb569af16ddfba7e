// SPDX-License-Identifier: GPL-2.0-or-later
#include "action.h"

#include "macro.h"

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
		return true;
	case DECISION_ONLINE:
		/*
		 * Whole means every block. The zone is not part of it: memory
		 * the kernel already onlined elsewhere is in use, and moving
		 * it would mean taking it away first.
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
 * libdaxctl binds kmem with its own libkmod context; loading it here first
 * puts a missing or blacklisted module into our log with its real cause.
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
	r = kmod_module_probe_insert_module(module, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL, NULL,
					    NULL);
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

/* Every block of the device online, and in the intended zone when we chose it. */
static int verify_online(struct daxctl_memory *memory, const struct action_options *options)
{
	int blocks = daxctl_memory_num_sections(memory);
	int online = daxctl_memory_is_online(memory);

	if (blocks < 0)
		return blocks;
	if (online < 0)
		return online;
	if (blocks == 0 || online != blocks)
		return -EIO;
	if (options->kernel_auto_online)
		return 0;

	int movable = daxctl_memory_is_movable(memory);
	if (movable < 0)
		return movable;
	if (movable != (options->online_type == ONLINE_TYPE_MOVABLE))
		return -EBUSY; /* someone else onlined blocks meanwhile */
	return 0;
}

/*
 * Undo a failed online: offline whatever went online, unbind kmem and give
 * the device back to device_dax. daxctl_dev_disable() would unbind kmem even
 * with blocks online (platform.md §4), so the offline is checked first.
 */
static int return_to_devdax(struct dax_device *device, const struct action_options *options)
{
	struct daxctl_dev *dev = device->handle;
	struct daxctl_memory *memory = daxctl_dev_get_memory(dev);
	int r;

	if (memory) {
		r = daxctl_memory_offline(memory);
		if (r < 0)
			return r;
		r = daxctl_memory_is_online(memory);
		if (r != 0)
			return r < 0 ? r : -EBUSY;
	}
	r = daxctl_dev_disable(dev);
	if (r < 0)
		return r;
	r = daxctl_dev_enable_devdax(dev);
	if (r < 0)
		return r;
	return chardev_exists(options, device->name) ? 0 : -ENODEV;
}

static void apply_online(struct dax_device *device, const struct action_options *options,
			 struct action_result *result)
{
	struct daxctl_dev *dev = device->handle;
	struct daxctl_memory *memory;
	int r = 0;

	if (device->mode != DAX_MODE_SYSTEM_RAM) {
		r = load_kmem(options->kmod);
		if (r >= 0)
			r = daxctl_dev_disable(dev);
		if (r >= 0)
			r = daxctl_dev_enable_ram(dev);
		if (r < 0)
			goto rollback;
	}

	memory = daxctl_dev_get_memory(dev);
	if (!memory) {
		r = -ENXIO;
		goto rollback;
	}

	/*
	 * Both stop at the first block the kernel refuses (a TDX host answers
	 * EPERM per block) and undo nothing; a positive return counts blocks.
	 */
	r = options->online_type == ONLINE_TYPE_KERNEL ? daxctl_memory_online_no_movable(memory)
						       : daxctl_memory_online(memory);
	if (r >= 0)
		r = verify_online(memory, options);
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
	struct daxctl_dev *dev = device->handle;
	int r;

	if (device->mode == DAX_MODE_SYSTEM_RAM) {
		struct daxctl_memory *memory = daxctl_dev_get_memory(dev);
		if (!memory) {
			result_set(result, OUTCOME_FAILED, -ENXIO);
			return;
		}

		int blocks = daxctl_memory_num_sections(memory);
		int online_before = daxctl_memory_is_online(memory);
		int movable_before = online_before > 0 ? daxctl_memory_is_movable(memory) : 1;

		/*
		 * Never forced: the kernel offlines a block only when it can
		 * migrate every page away (mm/memory_hotplug.c
		 * offline_pages()). A block it cannot offline is in use.
		 */
		r = daxctl_memory_offline(memory);
		int still_online = daxctl_memory_is_online(memory);
		if (r < 0 || still_online != 0) {
			result_set(result, OUTCOME_FAILED, r < 0 ? r : -EBUSY);
			result->reason_overridden = true;
			result->reason = REASON_IN_USE;
			/* Whole or nothing: give back the blocks offlined so far. */
			if (online_before > 0 && online_before == blocks)
				(void)(movable_before == 1
					   ? daxctl_memory_online(memory)
					   : daxctl_memory_online_no_movable(memory));
			return;
		}
		r = daxctl_dev_disable(dev);
		if (r < 0) {
			result_set(result, OUTCOME_FAILED, r);
			return;
		}
	}

	r = daxctl_dev_enable_devdax(dev);
	if (r >= 0 && !chardev_exists(options, device->name))
		r = -ENODEV;
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
	else
		apply_devdax(device, options, &result);

	*ret_result = result;
}
