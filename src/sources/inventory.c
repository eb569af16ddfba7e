// SPDX-License-Identifier: GPL-2.0-or-later
#include "inventory.h"

#include "log.h"
#include "macro.h"
#include "name-list.h"
#include "path.h"

#include <ctype.h>
#include <cxl/libcxl.h>
#include <daxctl/libdaxctl.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *dax_mode_to_string(enum dax_mode mode)
{
	/* daxctl list's words */
	static const char *const names[] = {
	    [DAX_MODE_DISABLED] = "disabled",
	    [DAX_MODE_DEVDAX] = "devdax",
	    [DAX_MODE_SYSTEM_RAM] = "system-ram",
	};
	return (size_t)mode < ARRAY_SIZE(names) ? names[mode] : "unknown";
}

int cxl_region_from_sysfs_path(const char *path, char **ret_region)
{
	/* .../regionN/dax_regionN/daxN.M: the dax region's parent is the CXL region */
	const char *dax_region = strstr(path, "/dax_region");
	if (!dax_region)
		return -ENOENT;

	const char *start = dax_region;
	while (start > path && start[-1] != '/')
		start--;
	size_t len = (size_t)(dax_region - start);
	if (len <= strlen("region") || strncmp(start, "region", 6) != 0)
		return -ENOENT;
	for (size_t i = 6; i < len; i++)
		if (!isdigit((unsigned char)start[i]))
			return -ENOENT;

	char *region = strndup(start, len);
	if (!region)
		return -ENOMEM;
	*ret_region = region;
	return 0;
}

/*
 * block_size_bytes is hex without "0x" (drivers/base/memory.c). x86 picks
 * 128 MiB to 2 GiB at boot, so it is read, never assumed.
 */
static int read_block_size(const char *sysroot, uint64_t *ret_size, struct parse_error *ret_error)
{
	_cleanup_free_ char *path =
	    path_join_root(sysroot, "/sys/devices/system/memory/block_size_bytes");
	_cleanup_free_ char *text = NULL;
	char *end;
	int r;

	if (!path)
		return -ENOMEM;
	r = read_full_file(path, 64, &text, NULL);
	if (r < 0) {
		parse_error_set(ret_error, path, 0, "cannot read: %s", strerror(-r));
		return r;
	}
	text[strcspn(text, "\n")] = '\0';

	errno = 0;
	unsigned long long size = strtoull(text, &end, 16);
	if (errno != 0 || end == text || *end != '\0' || size == 0 || (size & (size - 1)) != 0) {
		parse_error_set(ret_error, path, 1,
				"\"%s\" is no memory block size (hex power of two expected)", text);
		return -EINVAL;
	}
	*ret_size = size;
	return 0;
}

/* "/dev/dax0.0" or "/dev/dax0.0 (deleted)" -> "dax0.0" when it is a dax node */
static const char *dax_name_of(const char *path)
{
	if (strncmp(path, "/dev/dax", 8) != 0)
		return NULL;
	return path + 5;
}

static int note_dax_user(struct name_list *users, const char *path)
{
	const char *name = dax_name_of(path);
	if (!name)
		return 0;
	char buffer[64];
	size_t len = strcspn(name, " \n");
	if (len >= sizeof(buffer))
		return 0;
	memcpy(buffer, name, len);
	buffer[len] = '\0';
	return name_list_add(users, buffer);
}

/*
 * Which dax character devices some process holds: an open descriptor
 * (/proc/PID/fd) or a mapping (/proc/PID/maps; a mapping outlives close()).
 * A process that goes away meanwhile is simply skipped.
 */
static int scan_dax_users(const char *sysroot, struct name_list *users)
{
	_cleanup_free_ char *proc = path_join_root(sysroot, "/proc");
	if (!proc)
		return -ENOMEM;
	_cleanup_(closedirp) DIR *dir = opendir(proc);
	if (!dir)
		return -errno;

	struct dirent *de;
	while ((de = readdir(dir))) {
		char path[PATH_MAX], link[PATH_MAX + 256], target[PATH_MAX];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;

		snprintf(path, sizeof(path), "%s/%s/fd", proc, de->d_name);
		_cleanup_(closedirp) DIR *fds = opendir(path);
		struct dirent *fd;
		while (fds && (fd = readdir(fds))) {
			snprintf(link, sizeof(link), "%s/%s", path, fd->d_name);
			ssize_t n = readlink(link, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (note_dax_user(users, target) < 0)
				return -ENOMEM;
		}

		snprintf(path, sizeof(path), "%s/%s/maps", proc, de->d_name);
		_cleanup_fclose_ FILE *maps = fopen(path, "re");
		_cleanup_free_ char *line = NULL;
		size_t size = 0;
		while (maps && getline(&line, &size, maps) > 0) {
			char *file = strstr(line, " /dev/dax");
			if (file && note_dax_user(users, file + 1) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

struct cxl_region_info {
	struct range range;
	const char *name;
	char *memdevs;
};

struct cxl_regions {
	struct cxl_region_info *items;
	size_t count;
};

static void cxl_regions_clear(struct cxl_regions *regions)
{
	for (size_t i = 0; i < regions->count; i++)
		free(regions->items[i].memdevs);
	free(regions->items);
	*regions = (struct cxl_regions){0};
}

static char *region_memdevs(struct cxl_region *region)
{
	char *list = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&list, &size);
	if (!out)
		return NULL;

	unsigned ways = cxl_region_get_interleave_ways(region);
	for (unsigned pos = 0; pos < ways && pos < 16; pos++) {
		struct cxl_decoder *target = cxl_region_get_target_decoder(region, (int)pos);
		struct cxl_memdev *memdev = target ? cxl_decoder_get_memdev(target) : NULL;
		if (!memdev)
			continue;
		fprintf(out, "%s%s:%#llx", ftell(out) > 0 ? " " : "",
			cxl_memdev_get_devname(memdev), cxl_memdev_get_serial(memdev));
	}
	if (fclose(out) != 0) {
		free(list);
		return NULL;
	}
	if (size == 0) {
		free(list);
		return NULL;
	}
	return list;
}

/*
 * CXL regions hang off the root decoders of each CXL bus. libcxl 76.1 has no
 * region-to-dax link (cxl_region_get_daxctl_region is v77+), so devices are
 * matched to regions by physical address.
 */
static int scan_cxl_regions(struct cxl_ctx *cxl, struct cxl_regions *ret)
{
	struct cxl_regions regions = {0};
	struct cxl_bus *bus;

	cxl_bus_foreach (cxl, bus) {
		struct cxl_port *root = cxl_bus_get_port(bus);
		struct cxl_decoder *decoder;

		cxl_decoder_foreach (root, decoder) {
			struct cxl_region *region;

			cxl_region_foreach (decoder, region) {
				unsigned long long start = cxl_region_get_resource(region);
				unsigned long long size = cxl_region_get_size(region);
				if (start == ULLONG_MAX || size == 0 || size == ULLONG_MAX)
					continue;

				struct cxl_region_info *items =
				    reallocarray(regions.items, regions.count + 1, sizeof(*items));
				if (!items) {
					cxl_regions_clear(&regions);
					return -ENOMEM;
				}
				regions.items = items;
				items[regions.count++] = (struct cxl_region_info){
				    .range = {start, start + size},
				    .name = cxl_region_get_devname(region),
				    .memdevs = region_memdevs(region),
				};
			}
		}
	}
	*ret = regions;
	return 0;
}

static void dax_device_clear(struct dax_device *device)
{
	free(device->name);
	range_set_clear(&device->mappings);
	range_set_clear(&device->pluggable);
	free(device->cxl_region);
	free(device->cxl_memdevs);
}

void inventory_clear(struct inventory *inventory)
{
	for (size_t i = 0; i < inventory->count; i++)
		dax_device_clear(&inventory->devices[i]);
	free(inventory->devices);
	if (inventory->cxl)
		cxl_unref(inventory->cxl);
	if (inventory->daxctl)
		daxctl_unref(inventory->daxctl);
	free(inventory->memory_dir);
	*inventory = (struct inventory){0};
}

int inventory_refresh_device(const struct inventory *inventory, struct dax_device *device)
{
	struct daxctl_dev *dev = device->handle;
	struct memory_blocks_status blocks = {.zone = MEMORY_ZONE_NONE};

	if (!daxctl_dev_is_enabled(dev))
		device->mode = DAX_MODE_DISABLED;
	else /* libdaxctl 76.1 has no get_mode: kmem-bound devices have memory */
		device->mode = daxctl_dev_get_memory(dev) ? DAX_MODE_SYSTEM_RAM : DAX_MODE_DEVDAX;

	/*
	 * Only kmem adds blocks for a device, but blocks of a device that was
	 * unbound from kmem with memory online would stay: read them always.
	 */
	int r = memory_blocks_read(inventory->memory_dir, &device->pluggable, inventory->block_size,
				   &blocks);
	device->blocks_present = blocks.present;
	device->blocks_online = blocks.online;
	device->zone = blocks.zone;
	return r;
}

static int read_device(struct inventory *inventory, struct daxctl_dev *dev,
		       const struct cxl_regions *regions, struct dax_device *device)
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
	 * never adds.
	 */
	daxctl_mapping_foreach (dev, mapping) {
		struct range part = {daxctl_mapping_get_start(mapping),
				     daxctl_mapping_get_end(mapping) + 1};
		if ((r = range_set_add(&device->mappings, part.start, part.end)) < 0 ||
		    (r = memory_blocks_add_mapping(&device->pluggable, part,
						   inventory->block_size)) < 0)
			return r;
	}
	/* Kernels before v5.10 have no mappingN attributes: one range. */
	if (device->mappings.count == 0) {
		struct range whole = {daxctl_dev_get_resource(dev),
				      daxctl_dev_get_resource(dev) + device->size};
		if ((r = range_set_add(&device->mappings, whole.start, whole.end)) < 0 ||
		    (r = memory_blocks_add_mapping(&device->pluggable, whole,
						   inventory->block_size)) < 0)
			return r;
	}
	device->blocks = memory_blocks_count(&device->pluggable, inventory->block_size);

	if ((r = inventory_refresh_device(inventory, device)) < 0)
		return r;

	struct range whole;
	range_set_span(&device->mappings, &whole);
	for (size_t i = 0; i < regions->count; i++) {
		const struct cxl_region_info *region = &regions->items[i];
		if (whole.start < region->range.start || whole.end > region->range.end)
			continue;
		if (!(device->cxl_region = strdup(region->name)))
			return -ENOMEM;
		if (region->memdevs && !(device->cxl_memdevs = strdup(region->memdevs)))
			return -ENOMEM;
		return 0;
	}

	r = cxl_region_from_sysfs_path(daxctl_region_get_path(daxctl_dev_get_region(dev)),
				       &device->cxl_region);
	return r == -ENOENT ? 0 : r;
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

int inventory_scan(struct inventory *ret_inventory, const char *sysroot,
		   struct parse_error *ret_error)
{
	_cleanup_(inventory_clear) struct inventory inventory = {0};
	struct cxl_regions regions = {0};
	struct name_list users = {0};
	struct daxctl_region *region;
	struct daxctl_dev *dev;
	int r;

	r = read_block_size(sysroot, &inventory.block_size, ret_error);
	if (r < 0)
		return r;
	inventory.memory_dir = path_join_root(sysroot, "/sys/devices/system/memory");
	if (!inventory.memory_dir)
		return -ENOMEM;

	r = daxctl_new(&inventory.daxctl);
	if (r < 0) {
		parse_error_set(ret_error, "libdaxctl", 0, "cannot create context: %s",
				strerror(-r));
		return r;
	}
	log_attach_daxctl(inventory.daxctl);

	/* No CXL bus (or no cxl_core) only means no CXL attribution. */
	if (cxl_new(&inventory.cxl) >= 0) {
		log_attach_cxl(inventory.cxl);
		if ((r = scan_cxl_regions(inventory.cxl, &regions)) < 0)
			goto out;
	}

	daxctl_region_foreach (inventory.daxctl, region) {
		daxctl_dev_foreach (region, dev) {
			/* a region's seed device has no capacity yet: nothing to decide */
			if (daxctl_dev_get_size(dev) == 0)
				continue;

			struct dax_device *devices =
			    reallocarray(inventory.devices, inventory.count + 1, sizeof(*devices));
			if (!devices) {
				r = -ENOMEM;
				goto out;
			}
			inventory.devices = devices;
			struct dax_device *device = &devices[inventory.count++];
			*device = (struct dax_device){.managed = is_volatile_memory(dev)};
			if ((r = read_device(&inventory, dev, &regions, device)) < 0) {
				parse_error_set(ret_error, daxctl_dev_get_devname(dev), 0,
						"cannot read the device: %s", strerror(-r));
				goto out;
			}
		}
	}

	/* Who holds /dev/daxX.Y matters only for devdax devices: scan /proc for those. */
	bool any_devdax = false;
	for (size_t i = 0; i < inventory.count; i++)
		any_devdax |=
		    inventory.devices[i].managed && inventory.devices[i].mode == DAX_MODE_DEVDAX;
	if (any_devdax) {
		r = scan_dax_users(sysroot, &users);
		if (r < 0) {
			parse_error_set(ret_error, "/proc", 0, "cannot scan processes: %s",
					strerror(-r));
			goto out;
		}
		for (size_t i = 0; i < inventory.count; i++)
			inventory.devices[i].in_use =
			    name_list_contains(&users, inventory.devices[i].name);
	}

	*ret_inventory = inventory;
	inventory = (struct inventory){0};
	r = 0;
out:
	if (r < 0 && ret_error->message[0] == '\0')
		parse_error_set(ret_error, "libdaxctl", 0, "cannot read dax devices: %s",
				strerror(-r));
	name_list_clear(&users);
	cxl_regions_clear(&regions);
	return r;
}

struct dax_device *inventory_find(struct inventory *inventory, const char *name)
{
	for (size_t i = 0; i < inventory->count; i++)
		if (streq(inventory->devices[i].name, name))
			return &inventory->devices[i];
	return NULL;
}
