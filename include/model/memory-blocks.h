/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory blocks of one dax device, and the sysfs files that drive them.
 *
 * A device owns exactly the blocks kmem adds for it: each mapping aligned
 * inward to the block size on its own (drivers/dax/kmem.c dax_kmem_range()),
 * never the span of all mappings. libdaxctl 76.1's daxctl_memory picks the
 * blocks of [resource, resource + size), which for a device with several
 * mappings misses some of its blocks and takes in another device's; tdxmemd
 * therefore reads and writes memoryN/state itself for the blocks of this set
 * (Documentation/ABI/testing/sysfs-devices-memory).
 */
#pragma once

#include "macro.h"

#include "range.h"

#include <stdbool.h>
#include <stdint.h>

struct path_cxt;

struct daxctl_dev;

enum memory_zone {
	MEMORY_ZONE_NONE, /* no block online */
	MEMORY_ZONE_MOVABLE,
	MEMORY_ZONE_NORMAL,  /* at least one online block outside ZONE_MOVABLE */
	MEMORY_ZONE_UNKNOWN, /* an online block's zone could not be read */
	MEMORY_ZONE_MAX,     /* the number of values: sizes the name table */
};

DECLARE_STRING_TABLE(memory_zone, enum memory_zone);

/*
 * The whole-block part of one mapping [start, end): start rounded up and end
 * rounded down to @block_size. Returns false when nothing whole is left.
 */
bool kmem_pluggable_range(struct range mapping, uint64_t block_size, struct range *ret);

/*
 * Adds the whole-block part of @mapping to @blocks (kmem's rule, per
 * mapping). A mapping smaller than a block adds nothing. -ENOMEM.
 */
int memory_blocks_add_mapping(struct range_set *blocks, struct range mapping, uint64_t block_size);

/* How many blocks the set holds. */
unsigned memory_blocks_count(const struct range_set *blocks, uint64_t block_size);

/* Whether block @index lies wholly inside one of @mappings: the device's own. */
bool memory_blocks_owns(const struct range_set *mappings, uint64_t block_size, uint64_t index);

struct memory_blocks_status {
	unsigned present; /* memoryN exists: kmem added it */
	unsigned online;
	enum memory_zone zone;
};

/*
 * Reads memoryN/state (and valid_zones of the online ones) for every block
 * of @blocks in @memory (SYSROOT/sys/devices/system/memory). A missing
 * memoryN is a block kmem has not added. -errno only on unreadable state.
 */
int memory_blocks_read(const struct path_cxt *memory, const struct range_set *blocks,
		       uint64_t block_size, struct memory_blocks_status *ret_status);

/*
 * Writes @state ("online_movable", "online" or "offline") to every block of
 * @blocks not already in it, the second block last (memory-blocks.c says
 * why), and stops at the first refusal.
 * Before each write the block is checked to be the device's own: inside one
 * of @mappings, and its phys_index must be N (-EXDEV otherwise, nothing
 * written to it). Returns 0 or the first failure's -errno.
 */
int memory_blocks_set(const struct path_cxt *memory, const struct range_set *blocks,
		      const struct range_set *mappings, uint64_t block_size, const char *state);
