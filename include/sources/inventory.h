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
struct change_set;

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
	bool cxl_read; /* cxl_attribute() has run */
	uint64_t block_size;
	struct dax_device *devices;
	size_t count;
	size_t devices_read; /* by libdaxctl; the others are the last scan's */
	size_t blocks_read;  /* devices whose blocks were read, not reused */
};

/*
 * Takes a fresh look: a new libdaxctl context (it never rescans), then every
 * dax device, or only those named in @devices (NULL-terminated; NULL for
 * all). @sysroot prefixes the files read directly (block_size_bytes, /proc);
 * libdaxctl and libcxl always read /sys and /dev. @changes (may be NULL)
 * says what may be taken over from the last scan (changes.h).
 */
int inventory_scan(struct inventory *inventory, const char *sysroot, char *const *devices,
		   const struct change_set *changes, struct parse_error *ret_error);

/*
 * Re-reads the mode of one device, and its blocks present, online and zone
 * unless @blocks (may be NULL) gives them as just read; -ESTALE if taken over.
 */
int inventory_refresh_device(const struct inventory *inventory, struct dax_device *device,
			     const struct memory_blocks_status *blocks);

/* Whether @device's driver and blocks are still as the last read found them. */
bool inventory_device_as_read(const struct inventory *inventory, const struct dax_device *device);

struct dax_device *inventory_find(struct inventory *inventory, const char *name);

/* A new device at the end, zeroed; NULL without memory. */
struct dax_device *inventory_add_device(struct inventory *inventory);

void inventory_clear(struct inventory *inventory);
/* Gives up the libdaxctl context, keeping what was read: no device can be acted on. */
void inventory_drop_handles(struct inventory *inventory);

DECLARE_STRING_TABLE(dax_mode, enum dax_mode);
