/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who binds dax devices to their drivers: the kernel on its own, or tdxmemd.
 *
 * kmem matches every dax device of a region flagged IORESOURCE_DAX_KMEM (CXL
 * RAM, soft-reserved memory) by its type alone (drivers/dax/bus.c
 * dax_bus_match(), dax_match_type()), so the driver core binds kmem the
 * moment such a device is registered, if kmem is loaded, and kmem's probe
 * adds the memory (drivers/dax/kmem.c dev_dax_kmem_probe(),
 * add_memory_driver_managed()). On a TDX host that memory then counts for
 * TDX initialization, online or not (docs/presence.md). tdxmemd therefore
 * holds the bus: it clears drivers_autoprobe (drivers/base/bus.c,
 * drivers_autoprobe_store()) before it ever loads kmem, so new devices stay
 * unbound until their decision, and it binds each one itself.
 */
#pragma once

#include <stdbool.h>

#define DAX_BUS_DIR "/sys/bus/dax"

/*
 * Writes 0 to @bus_dir/drivers_autoprobe unless it reads 0 already.
 * *ret_was_held (optional) tells whether it was 0 before. -errno.
 */
int dax_bus_hold(const char *bus_dir, bool *ret_was_held);

/*
 * Binds @device ("dax0.0") to @driver ("kmem") through
 * @bus_dir/drivers/@driver/bind, and nothing else. libdaxctl 76.1's
 * daxctl_dev_enable_ram() writes kmem's new_id first, and new_id_store()
 * runs driver_attach() (drivers/dax/bus.c do_id_store()), which binds kmem
 * to EVERY unbound device it matches: every held CXL device would be added
 * at once. A plain bind attaches only the device named.
 */
int dax_bus_bind(const char *bus_dir, const char *driver, const char *device);

/*
 * kmem's whole-device interface (kernel 7.3+, drivers/dax/kmem.c
 * state_show()/state_store()): @bus_dir/devices/@device/state, present only
 * while kmem is bound. It reads "unplugged", "offline" (added at probe
 * under an offline default), "online", "online_kernel" or "online_movable",
 * and takes one write for the whole device:
 *  - "online"/"online_movable" add and online every range, but only from
 *    "unplugged" (-EBUSY otherwise), and a block the memory notifier
 *    refuses does not fail the write: the caller verifies every block;
 *  - "unplugged" offlines and removes every range, all or nothing
 *    (offline_and_remove_memory()), -EBUSY when a page cannot move.
 * The value read is what was last written, not the blocks' truth: someone
 * writing memoryN/state directly is not reflected in it.
 */
#define KMEM_STATE_MAX 32

/* Reads it into @buf (newline stripped); -ENOENT where it does not exist. */
int dax_kmem_state_read(const char *bus_dir, const char *device, char buf[KMEM_STATE_MAX]);
int dax_kmem_state_write(const char *bus_dir, const char *device, const char *state);
