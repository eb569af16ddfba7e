/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's auto_online_blocks (/sys/devices/system/memory/
 * auto_online_blocks, drivers/base/memory.c auto_online_blocks_store()):
 * the online type every memory block gets as it is added.
 *
 * kmem's probe adds a device's memory with add_memory_driver_managed(),
 * which onlines every block with that type inside the add, under
 * lock_device_hotplug() (mm/memory_hotplug.c add_memory_resource(),
 * online_memory_block()); 7.3's kmem reads the same default at probe
 * (drivers/dax/kmem.c, mhp_get_default_online_type()). A write to
 * memoryN/state waits for that lock (drivers/base/memory.c state_store(),
 * lock_device_hotplug_sysfs()). So a kmem bind made while it holds the
 * decided type onlines the whole device in one kernel step: no other agent
 * (a distribution udev rule, daxctl) ever sees an offline block of it, and
 * on 7.3 kmem's daxX.Y/state reads that type without an "unplugged" first.
 *
 * The setting is global: any memory hot-added in that moment (the bind of
 * one device) gets the same type. The value it had is noted in a file
 * first, so that a tdxmemd killed inside the bind puts it back next time.
 */
#pragma once

#include <stdbool.h>

struct path_cxt;

#define AUTO_ONLINE_MAX 32

/*
 * Notes the current value in @memo (when not NULL), then writes @value to
 * @memory/auto_online_blocks. The value it had goes to @ret_previous.
 * -errno, and nothing changed, when it cannot be read or written.
 */
int auto_online_swap(const struct path_cxt *memory, const char *memo, const char *value,
		     char ret_previous[static AUTO_ONLINE_MAX]);

/* Writes @previous back and removes @memo. -errno from the write. */
int auto_online_put_back(const struct path_cxt *memory, const char *memo, const char *previous);

/*
 * A memo left by a tdxmemd that died inside a bind: writes the value it
 * holds back and removes it. Returns 1 and the value in @ret_value when it
 * put one back, 0 when there was none, -errno.
 */
int auto_online_recover(const struct path_cxt *memory, const char *memo,
			char ret_value[static AUTO_ONLINE_MAX]);
