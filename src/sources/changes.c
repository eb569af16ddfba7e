// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What changed since the last pass, and so what a scan may take over from
 * the last one instead of reading it (changes.h).
 */
#include "changes.h"

#include "macro.h"
#include "name-list.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool same_ranges(const struct range_set *a, const struct range_set *b)
{
	return a->count == b->count &&
	       (a->count == 0 || memcmp(a->items, b->items, a->count * sizeof(*a->items)) == 0);
}

const struct dax_device *change_set_blocks_taken_over(const struct change_set *changes,
						      const struct inventory *inventory,
						      const struct dax_device *device)
{
	if (!changes || !changes->previous || names_select(changes->changed, device->name) ||
	    changes->previous->block_size != inventory->block_size)
		return NULL;
	for (size_t i = 0; i < changes->previous->count; i++) {
		const struct dax_device *before = &changes->previous->devices[i];
		if (!streq(before->name, device->name))
			continue;
		bool same = before->mode == device->mode &&
			    same_ranges(&before->pluggable, &device->pluggable);
		return same ? before : NULL;
	}
	return NULL;
}

/*
 * The dax region of device "daxX.Y" is X: drivers/dax/bus.c
 * devm_create_dev_dax() names each device after its region's id, and
 * libdaxctl takes the region's id from those names. -1 for another name.
 */
static int dax_region_of(const char *name)
{
	int region, id, end = 0;

	if (sscanf(name, "dax%d.%d%n", &region, &id, &end) != 2 || name[end] != '\0' ||
	    region < 0 || id < 0)
		return -1;
	return region;
}

bool change_set_region_taken_over(const struct change_set *changes, uint64_t block_size,
				  int region_id)
{
	if (!changes || !changes->previous || !changes->changed ||
	    changes->previous->block_size != block_size)
		return false;
	/* a change that names no dax device may be in any region */
	for (char *const *name = changes->changed; *name; name++) {
		int changed_region = dax_region_of(*name);
		if (changed_region < 0 || changed_region == region_id)
			return false;
	}
	for (size_t i = 0; i < changes->previous->count; i++)
		if (dax_region_of(changes->previous->devices[i].name) == region_id)
			return true;
	/* nothing to take over: only its seed, or new since */
	return false;
}

static int copy_device(struct dax_device *to, const struct dax_device *from)
{
	*to = *from;
	to->handle = NULL;
	to->name = NULL;
	to->mappings = to->pluggable = (struct range_set){0};
	to->cxl_region = to->cxl_memdevs = NULL;
	to->cxl_serials = NULL;
	to->cxl_serial_count = 0;

	if (!(to->name = strdup(from->name)) ||
	    range_set_copy(&to->mappings, &from->mappings) < 0 ||
	    range_set_copy(&to->pluggable, &from->pluggable) < 0 ||
	    (from->cxl_region && !(to->cxl_region = strdup(from->cxl_region))) ||
	    (from->cxl_memdevs && !(to->cxl_memdevs = strdup(from->cxl_memdevs))))
		return -ENOMEM;
	if (from->cxl_serial_count) {
		to->cxl_serials = calloc(from->cxl_serial_count, sizeof(*to->cxl_serials));
		if (!to->cxl_serials)
			return -ENOMEM;
		memcpy(to->cxl_serials, from->cxl_serials,
		       from->cxl_serial_count * sizeof(*to->cxl_serials));
		to->cxl_serial_count = from->cxl_serial_count;
	}
	return 0;
}

int change_set_take_over_region(const struct change_set *changes, struct inventory *inventory,
				int region_id)
{
	const struct inventory *previous = changes->previous;

	for (size_t i = 0; i < previous->count; i++) {
		if (dax_region_of(previous->devices[i].name) != region_id)
			continue;
		struct dax_device *device = inventory_add_device(inventory);
		if (!device)
			return -ENOMEM;
		int r = copy_device(device, &previous->devices[i]);
		if (r < 0)
			return r;
	}
	return 0;
}
