/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dax devices of this host as libdaxctl and libcxl see them, plus the
 * facts the policy needs that neither library reports (who holds the
 * character device, which part kmem can hot-plug). A pass reads only what
 * its decisions need: the holders of a device only when it is about to
 * leave devdax, CXL memdevs only when a record or Exclude= needs them.
 */
#pragma once

#include "macro.h"

#include "memory-blocks.h"
#include "parse-error.h"
#include "path.h"
#include "range.h"

#include <stdbool.h>
#include <stdint.h>

struct daxctl_ctx;
struct daxctl_dev;
struct cxl_ctx;

enum dax_mode {
	DAX_MODE_DISABLED,   /* no driver bound: neither RAM nor /dev/daxX.Y */
	DAX_MODE_DEVDAX,     /* device_dax bound: /dev/daxX.Y */
	DAX_MODE_SYSTEM_RAM, /* kmem bound: memory blocks */
	DAX_MODE_MAX,	     /* the number of values: sizes the name table */
};

struct dax_device {
	char *name;		   /* "dax0.0", also the character device name */
	struct range_set mappings; /* physical ranges of the device, merged */
	/*
	 * The device's own memory blocks: each mapping's whole-block part
	 * (memory-blocks.h). What goes online, what the CMRs must cover.
	 */
	struct range_set pluggable;
	uint64_t size;
	int target_node; /* -1: none, kmem refuses the device */
	/*
	 * Volatile memory tdxmemd decides for (CXL RAM, soft-reserved). Other
	 * dax devices (persistent memory namespaces) are only given the
	 * driver they would get without tdxmemd (see dax-bus.h).
	 */
	bool managed;
	enum dax_mode mode;
	unsigned blocks;	 /* of pluggable: added by kmem or to be */
	unsigned blocks_present; /* added (memoryN exists), online or not */
	unsigned blocks_online;
	enum memory_zone zone;
	bool in_use;	       /* devdax, and /dev/daxX.Y open or mapped */
	char *cxl_region;      /* "region0", or NULL when not CXL memory */
	char *cxl_memdevs;     /* "mem0:0x1234 mem1:0x5678", or NULL (not read) */
	uint64_t *cxl_serials; /* the same memdevs' serials, for Exclude= */
	size_t cxl_serial_count;
	struct daxctl_dev *handle; /* owned by the inventory's daxctl context */
};

struct inventory {
	struct path_cxt memory; /* SYSROOT/sys/devices/system/memory */
	struct daxctl_ctx *daxctl;
	bool narrowed; /* only the devices asked for were read */
	bool cxl_read; /* inventory_read_cxl() has run */
	uint64_t block_size;
	struct dax_device *devices;
	size_t count;
	size_t devices_read; /* by libdaxctl; the others are the last scan's */
	size_t blocks_read;  /* devices whose blocks were read, not reused */
};

/*
 * What a scan may take over from the scan before it, for the daemon, whose
 * every change comes as a uevent that names the device or makes it decide
 * for all, so that a pass for one device reads one device, not the host:
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
struct inventory_reuse {
	const struct inventory *previous;
	char *const *changed;
};

/*
 * The previous scan's reading of @device (its mode and pluggable blocks
 * just read into @inventory), when @reuse lets its blocks stand; else NULL.
 */
const struct dax_device *inventory_reusable(const struct inventory_reuse *reuse,
					    const struct inventory *inventory,
					    const struct dax_device *device);

/*
 * Whether the devices @reuse's previous scan found in dax region @region_id
 * may be taken over whole (see struct inventory_reuse), at @block_size.
 */
bool inventory_region_reusable(const struct inventory_reuse *reuse, uint64_t block_size,
			       int region_id);

/*
 * Takes a fresh look: a new libdaxctl context (it never rescans), then every
 * dax device, or only those named in @devices (NULL-terminated; NULL for
 * all). @sysroot prefixes the files read directly (block_size_bytes, /proc);
 * libdaxctl and libcxl always read /sys and /dev. @reuse may be NULL.
 */
int inventory_scan(struct inventory *inventory, const char *sysroot, char *const *devices,
		   const struct inventory_reuse *reuse, struct parse_error *ret_error);

/*
 * CXL attribution: each device's region (also for soft-reserved memory
 * inside one) and memdevs with serials, from libcxl's topology. *@cxl is the
 * caller's context, kept between passes and replaced when it proves stale;
 * NULL to start (and when there is no CXL bus). Once per inventory.
 */
int inventory_read_cxl(struct inventory *inventory, struct cxl_ctx **cxl);

/*
 * Whether some process holds /dev/@name: an open descriptor (/proc/PID/fd)
 * or a mapping (/proc/PID/maps), which device_dax's unbind would tear away
 * (drivers/dax/device.c kill_dev_dax() unmaps them). Nothing to read when
 * the count of the device's driver module shows no file of it open at all;
 * else one walk of SYSROOT/proc that stops at the first holder.
 */
int inventory_device_held(const char *sysroot, const char *name, bool *ret_held);

/* Re-reads mode, blocks online and zone of one device; -ESTALE if taken over. */
int inventory_refresh_device(const struct inventory *inventory, struct dax_device *device);

/* Whether @device's driver and blocks are still as the last read found them. */
bool inventory_device_as_read(const struct inventory *inventory, const struct dax_device *device);

struct dax_device *inventory_find(struct inventory *inventory, const char *name);

void inventory_clear(struct inventory *inventory);
/* Gives up the libdaxctl context, keeping what was read: no device can be acted on. */
void inventory_drop_handles(struct inventory *inventory);

DECLARE_STRING_TABLE(dax_mode, enum dax_mode);

/* Finds "regionN" in a sysfs path ".../regionN/dax_regionN/daxN.M". */
int cxl_region_from_sysfs_path(const char *path, char **ret_region);
