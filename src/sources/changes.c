// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What changed since the last pass, and so what a scan may take over from
 * the last one instead of reading it (changes.h).
 */
#include "changes.h"

#include "log.h"
#include "macro.h"
#include "name-list.h"
#include "path.h"

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

void change_tracker_done(struct change_tracker *t)
{
	name_list_clear(&t->pending);
	name_list_clear(&t->acted);
	name_list_clear(&t->echoes);
	name_list_clear(&t->decided);
	*t = (struct change_tracker){0};
}

static void pending_add(struct change_tracker *t, const char *name)
{
	if (name_list_add(&t->pending, name) < 0)
		t->all = true; /* deciding for all is always right */
}

static void echo_add(struct change_tracker *t, const char *name)
{
	if (name_list_add(&t->echoes, name) < 0)
		t->all = true;
}

/* The last pass decided for @name, and no device went away since. */
static bool decided_by_last_pass(const struct change_tracker *t, const char *name)
{
	return name_list_contains(&t->decided, name);
}

bool change_names_dax_device(const char *name)
{
	return strncmp(name, "dax", 3) == 0 && strchr(name, '.');
}

bool change_tracker_dax_event(struct change_tracker *t, const char *action, const char *name)
{
	if (!change_names_dax_device(name))
		return false;
	if (streq(action, "remove")) {
		name_list_clear(&t->acted);
		name_list_clear(&t->decided);
		/* no pass of its own, but the next one reads its dax region anew */
		pending_add(t, name);
		return false;
	}
	/*
	 * Binds and unbinds may be tdxmemd's own, and a pass may have found a
	 * device in sysfs before its add was read: for a device the last pass
	 * decided for, each is an echo. A change is never tdxmemd's (udevadm
	 * trigger sends one): it decides.
	 */
	if (!streq(action, "change") && decided_by_last_pass(t, name))
		echo_add(t, name);
	else
		pending_add(t, name);
	return true;
}

/*
 * A CXL region's bind, unbind or remove: an echo for each dax device of
 * the region the last pass decided for. False when there is none.
 */
static bool echo_region(struct change_tracker *t, const char *name)
{
	/* cxl_dax_region "dax_regionN" is the dax side of region "regionN" */
	const char *region = strncmp(name, "dax_", 4) == 0 ? name + 4 : name;
	bool any = false;

	for (size_t i = 0; t->last && i < t->last->count; i++) {
		const struct dax_device *device = &t->last->devices[i];
		if (device->cxl_region && streq(device->cxl_region, region) &&
		    decided_by_last_pass(t, device->name)) {
			echo_add(t, device->name);
			any = true;
		}
	}
	return any;
}

/*
 * A region's dax device has uevents of its own: its add decides it, and
 * comes before or after the region's binds (dax_cxl may still be loading
 * when the region binds). So a region's event is only an echo for its dax
 * devices the last pass decided; a change (udevadm trigger) decides anew.
 */
bool change_tracker_cxl_event(struct change_tracker *t, const char *action, const char *name)
{
	if (streq(action, "change")) {
		t->all = true;
		return true;
	}
	return !streq(action, "add") && echo_region(t, name);
}

/* The device the last pass changed that memory block memoryN belongs to, if any. */
static const char *acted_device_of_block(const struct change_tracker *t, const char *block)
{
	uint64_t index;

	if (!t->last || t->acted.count == 0 || strncmp(block, "memory", 6) != 0 ||
	    parse_u64(block + 6, 10, &index) < 0)
		return NULL;
	struct range the_block = {index * t->last->block_size, (index + 1) * t->last->block_size};
	for (size_t i = 0; i < t->last->count; i++) {
		const struct dax_device *device = &t->last->devices[i];
		if (!name_list_contains(&t->acted, device->name))
			continue;
		for (size_t j = 0; j < device->pluggable.count; j++)
			if (device->pluggable.items[j].start <= the_block.start &&
			    the_block.end <= device->pluggable.items[j].end)
				return device->name;
	}
	return NULL;
}

void change_tracker_block_event(struct change_tracker *t, const char *name)
{
	const char *acted = acted_device_of_block(t, name);

	if (acted)
		echo_add(t, acted);
	else /* a block onlined or offlined by hand: its device is checked */
		t->all = t->outside = true;
}

/* @name in the last pass's reading, if that pass decided for it. */
static const struct dax_device *decided_device(const struct change_tracker *t, const char *name)
{
	for (size_t i = 0; t->last && decided_by_last_pass(t, name) && i < t->last->count; i++)
		if (streq(t->last->devices[i].name, name))
			return &t->last->devices[i];
	return NULL;
}

void change_tracker_resolve_echoes(struct change_tracker *t)
{
	for (size_t i = 0; i < t->echoes.count; i++) {
		const char *name = t->echoes.names[i];
		const struct dax_device *device = decided_device(t, name);

		if (!device || !inventory_device_as_read(t->last, device)) {
			t->outside |= device != NULL;
			pending_add(t, name);
		} else
			log_debug("%s: uevents after the pass that decided it, device as left: "
				  "no pass.",
				  name);
	}
	name_list_clear(&t->echoes);
}

bool change_tracker_next(const struct change_tracker *t, struct change_set *ret_changes)
{
	if (!t->all && t->pending.count == 0)
		return false;
	*ret_changes = (struct change_set){
	    .previous = t->last,
	    .changed = t->all ? NULL : t->pending.names,
	};
	return true;
}

void change_tracker_pass_done(struct change_tracker *t, const struct inventory *inventory,
			      struct name_list *acted, bool failed)
{
	name_list_clear(&t->decided);
	/* a pass that failed decided nothing: no event after it is an echo */
	for (size_t i = 0; !failed && i < inventory->count; i++) {
		const char *name = inventory->devices[i].name;
		if ((t->all || name_list_contains(&t->pending, name)) &&
		    name_list_add(&t->decided, name) < 0) {
			/* without the list, no event is an echo: every one decides */
			name_list_clear(&t->decided);
			break;
		}
	}
	name_list_clear(&t->pending);
	t->all = false;
	name_list_clear(&t->acted);
	name_list_clear(&t->echoes);
	t->acted = *acted;
	*acted = (struct name_list){0};
	t->last = inventory;
}
