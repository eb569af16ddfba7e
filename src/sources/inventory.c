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

/*
 * Whether @text holds "/dev/NAME" as a whole path: followed by the end, a
 * newline or " (deleted)", so that dax0.1 never matches dax0.10.
 */
static bool names_dax_node(const char *text, size_t len, const char *node)
{
	size_t node_len = strlen(node);

	for (const char *p = text; (p = memmem(p, len - (size_t)(p - text), node, node_len));
	     p += node_len) {
		const char *after = p + node_len;
		if (after == text + len || *after == '\n' || *after == ' ')
			return true;
	}
	return false;
}

static bool fds_hold(int proc_fd, const char *pid, const char *node)
{
	char path[64], target[PATH_MAX];
	_Alignas(struct dirent64) char entries[16384];
	ssize_t size;

	snprintf(path, sizeof(path), "%s/fd", pid);
	_cleanup_close_ int fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	/* getdents64() itself: readdir()'s fdopendir() costs three more syscalls */
	while ((size = getdents64(fd, entries, sizeof(entries))) > 0) {
		for (ssize_t at = 0; at < size;) {
			const struct dirent64 *de = (const struct dirent64 *)(entries + at);
			at += de->d_reclen;
			/* descriptors are links: ".", ".." cost no readlink */
			if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
				continue;
			ssize_t n = readlinkat(fd, de->d_name, target, sizeof(target));
			if (n > 0 && names_dax_node(target, (size_t)n, node))
				return true;
		}
	}
	return false;
}

/*
 * A mapping outlives close(): /proc/PID/maps, read in large chunks. Sets
 * *@ret_empty when there is none at all: a kernel thread (or a zombie),
 * which holds no descriptor either.
 */
static bool maps_hold(int proc_fd, const char *pid, const char *node, bool *ret_empty)
{
	char path[64], buffer[65536];
	size_t keep = 0;

	*ret_empty = true;
	snprintf(path, sizeof(path), "%s/maps", pid);
	_cleanup_close_ int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	for (;;) {
		ssize_t n = read(fd, buffer + keep, sizeof(buffer) - keep);
		if (n <= 0)
			return false;
		*ret_empty = false;
		size_t len = keep + (size_t)n;
		/* only whole lines: the rest starts the next chunk */
		const char *last = memrchr(buffer, '\n', len);
		size_t whole = last ? (size_t)(last - buffer) + 1 : len;
		if (names_dax_node(buffer, whole, node))
			return true;
		keep = len - whole;
		if (keep == sizeof(buffer))
			keep = 0; /* no line is this long: drop it */
		memmove(buffer, buffer + whole, keep);
	}
}

/*
 * Every open file of a device_dax node pins the driver's module twice:
 * chrdev_open() (fs/char_dev.c) takes cdev->owner, which dev_dax_probe()
 * (drivers/dax/device.c) sets to the driver's module, and the owner of
 * dax_fops, the same module; __fput() (fs/file_table.c) gives both back
 * with the file's last reference, which every mapping keeps (vm_file).
 * Besides files only the modules linked against it count (one each, in
 * its holders/: kernel/module/main.c ref_module()). So a count no higher
 * than that means no file of any of the driver's devices is open or mapped,
 * under whatever name or namespace. True only then: a built-in driver has
 * no count, and an unreadable one proves nothing.
 */
static bool driver_module_unused(const char *sysroot, const char *name)
{
	_cleanup_(path_cxt_close) struct path_cxt module = {0};
	_Alignas(struct dirent64) char entries[4096];
	char dir[PATH_MAX];
	uint64_t refs, linked = 0;
	ssize_t size;

	snprintf(dir, sizeof(dir), "/sys/bus/dax/devices/%s/driver/module", name);
	if (path_cxt_open(&module, sysroot, dir) < 0 ||
	    path_read_u64(&module, 10, &refs, "refcnt") < 0)
		return false;
	/* refcnt was read, so the directory is open */
	_cleanup_close_ int fd =
	    openat(module.dir_fd, "holders", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while ((size = getdents64(fd, entries, sizeof(entries))) > 0)
		for (ssize_t at = 0; at < size;) {
			const struct dirent64 *de = (const struct dirent64 *)(entries + at);
			at += de->d_reclen;
			linked += de->d_name[0] != '.';
		}
	return size == 0 && refs <= linked;
}

int inventory_device_held(const char *sysroot, const char *name, bool *ret_held)
{
	char node[64];

	if (snprintf(node, sizeof(node), "/dev/%s", name) >= (int)sizeof(node))
		return -EINVAL;
	*ret_held = false;
	if (driver_module_unused(sysroot, name))
		return 0;
	_cleanup_free_ char *proc = path_join_root(sysroot, "/proc");
	if (!proc)
		return -ENOMEM;
	_cleanup_(closedirp) DIR *dir = opendir(proc);
	if (!dir)
		return -errno;

	/* A process that goes away meanwhile is simply skipped. */
	struct dirent *de;
	char self[32];
	snprintf(self, sizeof(self), "%d", (int)getpid());
	while ((de = readdir(dir))) {
		/* tdxmemd itself holds no dax device */
		if (!isdigit((unsigned char)de->d_name[0]) || streq(de->d_name, self))
			continue;
		bool no_maps;
		if (maps_hold(dirfd(dir), de->d_name, node, &no_maps) ||
		    (!no_maps && fds_hold(dirfd(dir), de->d_name, node))) {
			*ret_held = true;
			return 0;
		}
	}
	return 0;
}

#define CXL_DEVICES "/sys/bus/cxl/devices"

/* memN:SERIAL of the memdev behind endpoint decoder @decoder ("decoder5.0"). */
static int target_memdev(FILE *out, const char *decoder, struct dax_device *device)
{
	char path[PATH_MAX], link[PATH_MAX], serial[32];

	/* the decoder's parent is its endpoint port; the port's uport the memdev */
	snprintf(path, sizeof(path), CXL_DEVICES "/%s", decoder);
	_cleanup_free_ char *real = realpath(path, NULL);
	char *slash = real ? strrchr(real, '/') : NULL;
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	if ((size_t)snprintf(path, sizeof(path), "%s/uport", real) >= sizeof(path))
		return -ENAMETOOLONG;
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -ENOENT;
	link[n] = '\0';
	const char *memdev = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (strncmp(memdev, "mem", 3) != 0 ||
	    (size_t)snprintf(path, sizeof(path), CXL_DEVICES "/%s/serial", memdev) >=
		sizeof(path) ||
	    read_attribute(path, serial, sizeof(serial)) < 0)
		return -ENOENT;
	/* drivers/cxl/core/memdev.c serial_show(): "%#llx" */
	uint64_t value;
	if (parse_u64(serial, 16, &value) < 0)
		return -ENOENT;
	uint64_t *serials =
	    reallocarray(device->cxl_serials, device->cxl_serial_count + 1, sizeof(*serials));
	if (!serials)
		return -ENOMEM;
	device->cxl_serials = serials;
	serials[device->cxl_serial_count++] = value;
	fprintf(out, "%s%s:%#llx", ftell(out) > 0 ? " " : "", memdev, (unsigned long long)value);
	return 0;
}

/*
 * "mem0:0x1234 mem1:0x5678": the memdevs behind @region's interleave
 * positions, from the region's own attributes (Documentation/ABI/testing/
 * sysfs-bus-cxl: regionZ/targetN names the endpoint decoder at position N).
 * libcxl 76.1 answers the same (cxl_region_get_target_decoder(), then
 * cxl_decoder_get_memdev()) only after building the whole CXL topology,
 * every port and decoder, with a bus flush at each level: under QEMU more
 * than half of a pass with nothing to do, against four reads per target.
 * NULL when the region has none (or is gone).
 */
static char *region_memdevs(const char *region, struct dax_device *device)
{
	char path[PATH_MAX], value[64];
	char *list = NULL;
	size_t size = 0;

	snprintf(path, sizeof(path), CXL_DEVICES "/%s/interleave_ways", region);
	uint64_t ways;
	if (read_attribute(path, value, sizeof(value)) < 0 || parse_u64(value, 10, &ways) < 0)
		return NULL;
	FILE *out = open_memstream(&list, &size);
	if (!out)
		return NULL;
	for (uint64_t pos = 0; pos < ways && pos < 16; pos++) {
		snprintf(path, sizeof(path), CXL_DEVICES "/%s/target%" PRIu64, region, pos);
		if (read_attribute(path, value, sizeof(value)) == 0 && value[0])
			(void)target_memdev(out, value, device);
	}
	if (fclose(out) != 0 || size == 0) {
		free(list);
		return NULL;
	}
	return list;
}

/*
 * Soft-reserved memory claimed by dax_hmem has no region in its sysfs path:
 * the region whose range holds the device's whole span is found in libcxl's
 * view of the regions under each bus's root decoders.
 */
static int region_by_address(struct cxl_ctx *cxl, struct dax_device *device)
{
	struct range whole;
	struct cxl_bus *bus;

	range_set_span(&device->mappings, &whole);
	cxl_bus_foreach (cxl, bus) {
		struct cxl_decoder *decoder;

		cxl_decoder_foreach (cxl_bus_get_port(bus), decoder) {
			struct cxl_region *region;

			cxl_region_foreach (decoder, region) {
				unsigned long long start = cxl_region_get_resource(region);
				unsigned long long size = cxl_region_get_size(region);
				if (start == ULLONG_MAX || size == 0 || size == ULLONG_MAX ||
				    whole.start < start || whole.end > start + size)
					continue;
				device->cxl_region = strdup(cxl_region_get_devname(region));
				return device->cxl_region ? 0 : -ENOMEM;
			}
		}
	}
	return 0;
}

int inventory_read_cxl(struct inventory *inventory, struct cxl_ctx **cxl)
{
	int r;

	if (inventory->cxl_read)
		return 0;
	inventory->cxl_read = true;

	for (size_t i = 0; i < inventory->count; i++) {
		struct dax_device *device = &inventory->devices[i];

		if (!device->managed)
			continue;
		if (!device->cxl_region) {
			/* No CXL bus (or no cxl_core) only means no CXL attribution. */
			if (!*cxl && cxl_new(cxl) >= 0)
				log_attach_cxl(*cxl);
			else if (!*cxl)
				continue;
			if ((r = region_by_address(*cxl, device)) < 0)
				return r;
		}
		if (device->cxl_region && !device->cxl_memdevs)
			device->cxl_memdevs = region_memdevs(device->cxl_region, device);
	}
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
	 * unbound from kmem with memory online would stay: read them always.
	 */
	int r = memory_blocks_read(&inventory->memory, &device->pluggable, inventory->block_size,
				   &blocks);
	device->blocks_present = blocks.present;
	device->blocks_online = blocks.online;
	device->zone = blocks.zone;
	return r;
}

int inventory_refresh_device(const struct inventory *inventory, struct dax_device *device)
{
	/* taken over from the last scan: nothing to read it with */
	if (!device->handle)
		return -ESTALE;
	read_mode(device);
	return read_blocks(inventory, device);
}

static bool same_ranges(const struct range_set *a, const struct range_set *b)
{
	return a->count == b->count &&
	       (a->count == 0 || memcmp(a->items, b->items, a->count * sizeof(*a->items)) == 0);
}

const struct dax_device *inventory_reusable(const struct inventory_reuse *reuse,
					    const struct inventory *inventory,
					    const struct dax_device *device)
{
	if (!reuse || !reuse->previous || names_select(reuse->changed, device->name) ||
	    reuse->previous->block_size != inventory->block_size)
		return NULL;
	for (size_t i = 0; i < reuse->previous->count; i++) {
		const struct dax_device *before = &reuse->previous->devices[i];
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

bool inventory_region_reusable(const struct inventory_reuse *reuse, uint64_t block_size,
			       int region_id)
{
	if (!reuse || !reuse->previous || !reuse->changed ||
	    reuse->previous->block_size != block_size)
		return false;
	/* a change that names no dax device may be in any region */
	for (char *const *name = reuse->changed; *name; name++) {
		int changed_region = dax_region_of(*name);
		if (changed_region < 0 || changed_region == region_id)
			return false;
	}
	for (size_t i = 0; i < reuse->previous->count; i++)
		if (dax_region_of(reuse->previous->devices[i].name) == region_id)
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

static struct dax_device *add_device(struct inventory *inventory)
{
	struct dax_device *grown =
	    reallocarray(inventory->devices, inventory->count + 1, sizeof(*grown));
	if (!grown)
		return NULL;
	inventory->devices = grown;
	grown[inventory->count] = (struct dax_device){0};
	return &grown[inventory->count++];
}

/* The previous scan's devices of dax region @region_id, in its order. */
static int take_over_region(struct inventory *inventory, const struct inventory *previous,
			    int region_id)
{
	for (size_t i = 0; i < previous->count; i++) {
		if (dax_region_of(previous->devices[i].name) != region_id)
			continue;
		struct dax_device *device = add_device(inventory);
		if (!device)
			return -ENOMEM;
		int r = copy_device(device, &previous->devices[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

bool inventory_device_as_read(const struct inventory *inventory, const struct dax_device *device)
{
	/*
	 * libdaxctl keeps what it read of the kmem binding; the driver link
	 * it reads anew, and kmem adding or removing memory shows in the
	 * blocks, which are read anew too.
	 */
	struct dax_device now = *device;
	if (inventory_refresh_device(inventory, &now) < 0)
		return false;
	return now.mode == device->mode && now.blocks_present == device->blocks_present &&
	       now.blocks_online == device->blocks_online && now.zone == device->zone;
}

static int read_device(struct inventory *inventory, const struct inventory_reuse *reuse,
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
	const struct dax_device *before = inventory_reusable(reuse, inventory, device);
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
		   const struct inventory_reuse *reuse, struct parse_error *ret_error)
{
	_cleanup_(inventory_clear) struct inventory inventory = {.narrowed = devices != NULL};
	struct daxctl_region *region;
	struct daxctl_dev *dev;
	int r;

	/*
	 * Without memory hotplug (no /sys/devices/system/memory) there is no
	 * block to online: block size 0, and every device is unpluggable.
	 */
	r = path_cxt_open(&inventory.memory, sysroot, "/sys/devices/system/memory");
	if (r < 0) {
		parse_error_set(ret_error, "/sys/devices/system/memory", 0, "cannot open: %s",
				strerror(-r));
		return r;
	}
	r = read_block_size(&inventory.memory, &inventory.block_size, ret_error);
	if (r == -ENOENT)
		*ret_error = (struct parse_error){0};
	else if (r < 0)
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
		if (inventory_region_reusable(reuse, inventory.block_size, region_id)) {
			if ((r = take_over_region(&inventory, reuse->previous, region_id)) < 0)
				return r;
			continue;
		}
		daxctl_dev_foreach (region, dev) {
			/* a region's seed device has no capacity yet: nothing to decide */
			if (daxctl_dev_get_size(dev) == 0 ||
			    !names_select(devices, daxctl_dev_get_devname(dev)))
				continue;

			struct dax_device *device = add_device(&inventory);
			if (!device)
				return -ENOMEM;
			device->managed = is_volatile_memory(dev);
			inventory.devices_read++;
			if ((r = read_device(&inventory, reuse, dev, device)) < 0) {
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
