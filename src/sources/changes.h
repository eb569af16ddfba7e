/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What changed since the last pass, and so what the next scan may take over
 * from the last one instead of reading it: the daemon's every change comes
 * as a uevent that names the device or makes it decide for all, so that a
 * pass for one device reads one device, not the host.
 */
#pragma once

#include "inventory.h"

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
