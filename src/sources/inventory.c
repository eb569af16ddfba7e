// SPDX-License-Identifier: GPL-2.0-or-later
#include "inventory.h"

#include "changes.h"
#include "cxl.h"

#include "log.h"
#include "macro.h"
#include "name-list.h"
#include "path.h"

#include <ctype.h>
#include <cxl/libcxl.h>
#include <daxctl/libdaxctl.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* daxctl list's words */
static const char *const dax_mode_names[DAX_MODE_MAX] = {
    [DAX_MODE_DISABLED] = "disabled",
    [DAX_MODE_DEVDAX] = "devdax",
    [DAX_MODE_SYSTEM_RAM] = "system-ram",
};
DEFINE_STRING_TABLE(dax_mode, enum dax_mode, DAX_MODE_MAX)

/*
 * block_size_bytes is hex without "0x" (drivers/base/memory.c). x86 picks
 * 128 MiB to 2 GiB at boot, so it is read, never assumed.
 */
static int read_block_size(const struct path_cxt *memory, uint64_t *ret_size,
			   struct parse_error *ret_error)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX], why[READ_ERROR_MAX];
	uint64_t size;

	snprintf(path, sizeof(path), "%s/block_size_bytes", memory->dir);
	int r = path_read_file(memory, 64, &text, "block_size_bytes");
	if (r < 0) {
		parse_error_set(ret_error, path, 0, "cannot read: %s",
				read_error_string(r, 64, why));
		return r;
	}
	if (parse_u64(text, 16, &size) < 0 || size == 0 || (size & (size - 1)) != 0) {
		parse_error_set(ret_error, path, 1,
				"\"%s\" is no memory block size (hex power of two expected)", text);
		return -EINVAL;
	}
	*ret_size = size;
	return 0;
}

static void dax_device_clear(struct dax_device *device)
{
	free(device->name);
	range_set_clear(&device->mappings);
	range_set_clear(&device->pluggable);
	free(device->cxl_region);
	free(device->cxl_memdevs);
	free(device->cxl_serials);
}

void inventory_drop_handles(struct inventory *inventory)
{
	for (size_t i = 0; i < inventory->count; i++)
		inventory->devices[i].handle = NULL;
	if (inventory->daxctl)
		daxctl_unref(inventory->daxctl);
	inventory->daxctl = NULL;
}

void inventory_clear(struct inventory *inventory)
{
	for (size_t i = 0; i < inventory->count; i++)
		dax_device_clear(&inventory->devices[i]);
	free(inventory->devices);
	if (inventory->daxctl)
		daxctl_unref(inventory->daxctl);
	path_cxt_close(&inventory->memory);
	*inventory = (struct inventory){0};
}

static void read_mode(struct dax_device *device)
{
	struct daxctl_dev *dev = device->handle;

	if (!daxctl_dev_is_enabled(dev))
		device->mode = DAX_MODE_DISABLED;
	else /* libdaxctl 76.1 has no get_mode: kmem-bound devices have memory */
		device->mode = daxctl_dev_get_memory(dev) ? DAX_MODE_SYSTEM_RAM : DAX_MODE_DEVDAX;
}

static int read_blocks(const struct inventory *inventory, struct dax_device *device)
{
	struct memory_blocks_status blocks = {.zone = MEMORY_ZONE_NONE};

	/*
	 * Only kmem adds blocks for a device, but blocks of a device that was
	 * unbound from kmem with memory online stay: read them, but for a
	 * device device_dax holds. Its probe reserves every range
	 * (drivers/dax/device.c dev_dax_probe(), devm_request_mem_region()),
	 * which fails while kmem keeps one (drivers/dax/kmem.c
	 * dev_dax_kmem_remove() keeps the resource of memory it could not
	 * remove): bound, none of its blocks can exist, and a 2,048-block
	 * device would cost 2,048 failed opens a pass.
	 */
	int r = 0;
	if (device->mode != DAX_MODE_DEVDAX)
		r = memory_blocks_read(&inventory->memory, &device->pluggable,
				       inventory->block_size, &blocks);
	device->blocks_present = blocks.present;
	device->blocks_online = blocks.online;
	device->zone = blocks.zone;
	return r;
}

int inventory_refresh_device(const struct inventory *inventory, struct dax_device *device,
			     const struct memory_blocks_status *blocks)
{
	/* taken over from the last scan: nothing to read it with */
	if (!device->handle)
		return -ESTALE;
	read_mode(device);
	if (!blocks)
		return read_blocks(inventory, device);
	device->blocks_present = blocks->present;
	device->blocks_online = blocks->online;
	device->zone = blocks->zone;
	return 0;
}

struct dax_device *inventory_add_device(struct inventory *inventory)
{
	struct dax_device *grown =
	    reallocarray(inventory->devices, inventory->count + 1, sizeof(*grown));
	if (!grown)
		return NULL;
	inventory->devices = grown;
	grown[inventory->count] = (struct dax_device){0};
	return &grown[inventory->count++];
}

bool inventory_device_as_read(const struct inventory *inventory, const struct dax_device *device)
{
	/*
	 * libdaxctl keeps what it read of the kmem binding; the driver link
	 * it reads anew, and kmem adding or removing memory shows in the
	 * blocks, which are read anew too.
	 */
	struct dax_device now = *device;
	if (inventory_refresh_device(inventory, &now, NULL) < 0)
		return false;
	return now.mode == device->mode && now.blocks_present == device->blocks_present &&
	       now.blocks_online == device->blocks_online && now.zone == device->zone;
}

static int read_device(struct inventory *inventory, const struct change_set *changes,
		       struct daxctl_dev *dev, struct dax_device *device)
{
	struct daxctl_mapping *mapping;
	int r;

	device->handle = dev;
	device->size = daxctl_dev_get_size(dev);
	device->target_node = daxctl_dev_get_target_node(dev);
	if (!(device->name = strdup(daxctl_dev_get_devname(dev))))
		return -ENOMEM;

	/*
	 * kmem adds each mapping's whole blocks on its own (drivers/dax/kmem.c
	 * dax_kmem_range()): align every mapping before any merging, or two
	 * mappings that touch off a block boundary would gain a block kmem
	 * never adds. Without memory hotplug nothing is pluggable.
	 */
	bool hotplug = inventory->block_size > 0;
	daxctl_mapping_foreach (dev, mapping) {
		struct range part = {daxctl_mapping_get_start(mapping),
				     daxctl_mapping_get_end(mapping) + 1};
		if ((r = range_set_add(&device->mappings, part.start, part.end)) < 0 ||
		    (hotplug && (r = memory_blocks_add_mapping(&device->pluggable, part,
							       inventory->block_size)) < 0))
			return r;
	}
	/* Kernels before v5.10 have no mappingN attributes: one range. */
	if (device->mappings.count == 0) {
		struct range whole = {daxctl_dev_get_resource(dev),
				      daxctl_dev_get_resource(dev) + device->size};
		if ((r = range_set_add(&device->mappings, whole.start, whole.end)) < 0 ||
		    (hotplug && (r = memory_blocks_add_mapping(&device->pluggable, whole,
							       inventory->block_size)) < 0))
			return r;
	}
	device->blocks = memory_blocks_count(&device->pluggable, inventory->block_size);

	read_mode(device);
	const struct dax_device *before = change_set_blocks_taken_over(changes, inventory, device);
	if (before) {
		device->blocks_present = before->blocks_present;
		device->blocks_online = before->blocks_online;
		device->zone = before->zone;
	} else {
		if ((r = read_blocks(inventory, device)) < 0)
			return r;
		inventory->blocks_read++;
	}

	/* The region's name from the path; its memdevs only on request. */
	r = cxl_region_from_sysfs_path(daxctl_region_get_path(daxctl_dev_get_region(dev)),
				       &device->cxl_region);
	return r == -ENOENT ? 0 : r;
}

/*
 * The memory blocks' directory and their size. Without memory hotplug (no
 * /sys/devices/system/memory) there is no block to online: block size 0,
 * and every device is unpluggable.
 */
static int open_memory(struct inventory *inventory, const char *sysroot,
		       struct parse_error *ret_error)
{
	int r = path_cxt_open(&inventory->memory, sysroot, "/sys/devices/system/memory");
	if (r < 0) {
		parse_error_set(ret_error, "/sys/devices/system/memory", 0, "cannot open: %s",
				strerror(-r));
		return r;
	}
	r = read_block_size(&inventory->memory, &inventory->block_size, ret_error);
	if (r == -ENOENT) {
		*ret_error = (struct parse_error){0};
		return 0;
	}
	return r;
}

/*
 * tdxmemd decides for volatile memory only: CXL RAM regions (.../regionN/
 * dax_regionN) and soft-reserved memory claimed by dax_hmem (platform
 * device hmem.N). A devdax namespace of persistent memory holds data that
 * onlining it as RAM would destroy: it is listed unmanaged, and only ever
 * given device_dax while tdxmemd holds the dax bus (dax-bus.h).
 */
static bool is_volatile_memory(struct daxctl_dev *dev)
{
	const char *path = daxctl_region_get_path(daxctl_dev_get_region(dev));
	_cleanup_free_ char *region = NULL;

	if (!path)
		return false;
	return cxl_region_from_sysfs_path(path, &region) == 0 || strstr(path, "/hmem.") != NULL;
}

int inventory_scan(struct inventory *ret_inventory, const char *sysroot, char *const *devices,
		   const struct change_set *changes, struct parse_error *ret_error)
{
	_cleanup_(inventory_clear) struct inventory inventory = {.narrowed = devices != NULL};
	struct daxctl_region *region;
	struct daxctl_dev *dev;
	int r;

	r = open_memory(&inventory, sysroot, ret_error);
	if (r < 0)
		return r;

	r = daxctl_new(&inventory.daxctl);
	if (r < 0) {
		parse_error_set(ret_error, "libdaxctl", 0, "cannot create context: %s",
				strerror(-r));
		return r;
	}
	log_attach_daxctl(inventory.daxctl);

	/*
	 * libdaxctl finds every region from the device names, but reads a
	 * region's devices only when asked to iterate them: a region taken
	 * over costs none of its devices' reads.
	 */
	daxctl_region_foreach (inventory.daxctl, region) {
		int region_id = daxctl_region_get_id(region);
		if (change_set_region_taken_over(changes, inventory.block_size, region_id)) {
			if ((r = change_set_take_over_region(changes, &inventory, region_id)) < 0)
				return r;
			continue;
		}
		daxctl_dev_foreach (region, dev) {
			/* a region's seed device has no capacity yet: nothing to decide */
			if (daxctl_dev_get_size(dev) == 0 ||
			    !names_select(devices, daxctl_dev_get_devname(dev)))
				continue;

			struct dax_device *device = inventory_add_device(&inventory);
			if (!device)
				return -ENOMEM;
			device->managed = is_volatile_memory(dev);
			inventory.devices_read++;
			if ((r = read_device(&inventory, changes, dev, device)) < 0) {
				parse_error_set(ret_error, daxctl_dev_get_devname(dev), 0,
						"cannot read the device: %s", strerror(-r));
				return r;
			}
		}
	}

	*ret_inventory = inventory;
	inventory = (struct inventory){0};
	return 0;
}

struct dax_device *inventory_find(struct inventory *inventory, const char *name)
{
	for (size_t i = 0; i < inventory->count; i++)
		if (streq(inventory->devices[i].name, name))
			return &inventory->devices[i];
	return NULL;
}
