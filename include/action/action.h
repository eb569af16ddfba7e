/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Carrying out a decision on one dax device, whole or not at all.
 */
#pragma once

#include "macro.h"

#include "config.h"
#include "inventory.h"
#include "policy.h"

#include <stdbool.h>
#include <stdint.h>

struct kmod_ctx;

enum outcome {
	OUTCOME_APPLIED,     /* the device was changed and now is in the decided state */
	OUTCOME_ALREADY,     /* it was in the decided state; nothing was touched */
	OUTCOME_PLANNED,     /* --dry-run: it would have been changed */
	OUTCOME_ROLLED_BACK, /* onlining failed and was undone: the device is devdax */
	OUTCOME_FAILED,	     /* the decided state could not be reached, see error */
	OUTCOME_MAX,	     /* the number of values: sizes the name table */
};

DECLARE_STRING_TABLE(outcome, enum outcome);

/* How the action drove kmem's memory, when it drove it at all. */
enum kmem_interface {
	KMEM_INTERFACE_NONE,	      /* no memory was onlined, offlined or removed */
	KMEM_INTERFACE_DEVICE_STATE,  /* one write to daxX.Y/state (kernel 7.3+) */
	KMEM_INTERFACE_MEMORY_BLOCKS, /* memoryN/state, block by block */
	KMEM_INTERFACE_PROBE,	      /* kmem's probe onlined it, auto_online_blocks set */
	KMEM_INTERFACE_MAX,	      /* the number of values: sizes the name table */
};

DECLARE_STRING_TABLE(kmem_interface, enum kmem_interface);

struct action_options {
	enum online_type online_type;
	bool dry_run;
	struct kmod_ctx *kmod;	       /* loads kmem before binding; NULL: loaded (or tests) */
	struct udev *udev;	       /* waits for udevd's rules (udev-settle.h); NULL: none */
	const char *auto_online_memo;  /* auto_online_blocks' value while swapped; NULL: none */
	const char *dev_dir;	       /* where /dev/daxX.Y must reappear: "/dev" */
	const struct path_cxt *memory; /* /sys/devices/system/memory */
	const char *dax_bus_dir;       /* "/sys/bus/dax" */
	uint64_t block_size;	       /* of memory's blocks */
};

struct action_result {
	enum outcome outcome;
	int error; /* positive errno of the first failure, or 0 */
	/*
	 * The kernel would not offline a block (mm/memory_hotplug.c
	 * offline_pages() cannot migrate pages in use): what happened, from
	 * which the record derives its reason (record_reason()).
	 */
	bool offline_refused;
	int rollback_error; /* positive errno when undoing a failed online failed too */
	enum kmem_interface interface;
	/*
	 * Blocks still present after kmem was unbound, and how many of them
	 * online: another agent onlined them between tdxmemd's offline and
	 * the unbind, and the kernel keeps them until reboot.
	 */
	unsigned stranded_blocks, stranded_online;
	/*
	 * The device's blocks as the action's last read found them, after its
	 * last write: the caller keeps them instead of reading every block
	 * again (blocks_read false: the action read none after it wrote).
	 */
	bool blocks_read;
	struct memory_blocks_status blocks;
};

/*
 * Brings @device into the state @decision asks for, touching only its own
 * memory blocks (device->pluggable). Online: bind kmem with auto_online_blocks
 * set to the configured zone, so that its probe onlines every block
 * (auto-online.h); online what is left (one write to kmem's daxX.Y/state
 * where the kernel has it, else block by block), verify every block, in
 * whatever zone another agent may have put one; on any failure take the
 * memory away again (state "unplugged", else offline block by block), return
 * the device to devdax and verify /dev/daxX.Y. Devdax: offline (never forced)
 * and bind device_dax. Unchanged: a device no driver holds (the dax bus is
 * held) gets device_dax, so that /dev/daxX.Y is usable; any other is left as
 * it is. Returns the outcome in *ret_result; the caller refreshes the
 * device's facts afterwards.
 */
void action_apply(struct dax_device *device, enum decision decision,
		  const struct action_options *options, struct action_result *ret_result);

/* Whether kmem is loaded: no libkmod context is needed then. */
bool action_kmem_loaded(void);

/*
 * Gives an unbound device device_dax: for devices tdxmemd does not decide
 * for, which the held bus would otherwise leave without a driver.
 */
int action_bind_devdax(struct dax_device *device, const struct action_options *options);

/* Whether @device is already in the state @decision asks for. Pure. */
bool action_state_holds(const struct dax_device *device, enum decision decision);
