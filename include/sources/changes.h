/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What changed since the last pass, and so what the next scan may take over
 * from the last one instead of reading it: the daemon's every change comes
 * as a uevent that names the device or makes it decide for all, so that a
 * pass for one device reads one device, not the host.
 */
#pragma once

#include "inventory.h"
#include "name-list.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * What a scan may take over from the scan before it:
 * - the whole devices of each dax region that none of @changed
 *   (NULL-terminated; NULL: every device changed) is in, where @previous
 *   found some: a device is added, bound, unbound and removed with a
 *   uevent of its own, and resized only while unbound (drivers/dax/bus.c
 *   dev_dax_resize() refuses a bound device), so before its next bind;
 * - the memory blocks of each other device not in @changed that @previous
 *   lists in the same mode with the same blocks: a block is added,
 *   removed, onlined and offlined with a uevent (drivers/base/memory.c).
 * A device taken over whole has no handle: a pass acts only on devices in
 * @changed.
 */
struct change_set {
	const struct inventory *previous;
	char *const *changed;
};

/*
 * The previous scan's reading of @device (its mode and pluggable blocks
 * just read into @inventory), when @changes lets its blocks stand; else NULL.
 */
const struct dax_device *change_set_blocks_taken_over(const struct change_set *changes,
						      const struct inventory *inventory,
						      const struct dax_device *device);

/*
 * Whether the devices @changes's previous scan found in dax region
 * @region_id may be taken over whole, at @block_size.
 */
bool change_set_region_taken_over(const struct change_set *changes, uint64_t block_size,
				  int region_id);

/* Appends the previous scan's devices of dax region @region_id to @inventory, in its order. */
int change_set_take_over_region(const struct change_set *changes, struct inventory *inventory,
				int region_id);

/*
 * The service's account of what changed since its last pass: the devices
 * the next pass decides for, and which uevents are echoes of the last pass.
 * tdxmemd's own binds and block changes send uevents: they cost a pass only
 * when the device is no longer as the pass left it.
 */
struct change_tracker {
	const struct inventory *last; /* the last pass's reading; NULL before the first */
	/* What the next pass decides: every device, or only those named. */
	bool all;
	struct name_list pending;
	/* Someone else changed a device: the pass waits longer for quiet. */
	bool outside;
	/* The devices the last pass changed, and those of them uevents came for since. */
	struct name_list acted;
	struct name_list echoes;
	/*
	 * The devices the last pass decided for (its inventory has every
	 * device, but a pass for some decides only those): an event of one of
	 * them is an echo. Cleared when any device goes away.
	 */
	struct name_list decided;
};

void change_tracker_done(struct change_tracker *tracker);

/* Whether a dax bus uevent's @name is a device's ("daxX.Y"), not a dax region's. */
bool change_names_dax_device(const char *name);

/* A dax device's uevent; false for the dax bus's other devices (dax regions) and a remove. */
bool change_tracker_dax_event(struct change_tracker *tracker, const char *action, const char *name);

/* A CXL region's uevent (cxl_region or cxl_dax_region "dax_regionN"); false when it needs no pass.
 */
bool change_tracker_cxl_event(struct change_tracker *tracker, const char *action, const char *name);

/* A memory block's uevent ("memoryN"). */
void change_tracker_block_event(struct change_tracker *tracker, const char *name);

/*
 * Before a pass: an echo needs none, unless its device is not as the last
 * pass left it (someone else changed it meanwhile: sets outside).
 */
void change_tracker_resolve_echoes(struct change_tracker *tracker);

/* What the next pass reads and decides; false when there is nothing to decide. */
bool change_tracker_next(const struct change_tracker *tracker, struct change_set *ret_changes);

/*
 * After a pass: what it read (@inventory, the manager's, valid until the
 * next pass), decided for (the devices of @inventory that were pending, none
 * when it @failed) and changed (@acted, taken over).
 */
void change_tracker_pass_done(struct change_tracker *tracker, const struct inventory *inventory,
			      struct name_list *acted, bool failed);
