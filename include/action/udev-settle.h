/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Waiting for udevd to have run its rules on memory blocks, before tdxmemd
 * offlines blocks that it then removes by unbinding kmem.
 *
 * Other agents online memory from udev rules on a block's "add" (RHEL's
 * 40-redhat.rules writes online_movable or online to every new block,
 * docs/platform-notes.md). udevd runs them whenever it gets to the event,
 * which may be after tdxmemd has offlined that block again. On kernels
 * without kmem's whole-device "unplugged" (drivers/dax/kmem.c before 7.3),
 * kmem's unbind then cannot remove the block a rule onlined in between:
 * dev_dax_kmem_remove() leaves it present, and the device without a
 * driver, until reboot. So tdxmemd lets udevd finish first.
 */
#pragma once

#include "macro.h"
#include "range.h"

#include <libudev.h>
#include <stdint.h>

struct path_cxt;

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev, udev_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_monitor, udev_monitor_unref)

/* How long to wait for udevd: long enough for thousands of blocks under load. */
#define UDEV_SETTLE_TIMEOUT_USEC (60ull * 1000000ull)

/*
 * Starts listening to the memory events udevd has finished with (source
 * "udev": broadcast after the rules ran). Opened before a kmem bind, it
 * misses none of the bind's block adds. NULL where udevd does not run (no
 * rule can act) or the monitor cannot be opened.
 */
struct udev_monitor *udev_settle_watch(struct udev *udev);

/*
 * Waits until @monitor has seen udevd finish the "add" of every block of
 * @blocks present in @memory now, at most @timeout_usec. 0, -ETIMEDOUT,
 * -ENOBUFS when events were lost (wait with udev_settle_queue() then), or
 * -errno.
 */
int udev_settle_blocks(struct udev_monitor *monitor, const struct path_cxt *memory,
		       const struct range_set *blocks, uint64_t block_size, uint64_t timeout_usec);

/*
 * Waits until udevd's queue is empty: every event it has received has had
 * its rules run. 0 at once where udevd does not run; -ETIMEDOUT; -errno.
 * An event the kernel sent a moment ago and udevd has not read yet is not
 * in the queue: udev_settle_watch() covers tdxmemd's own binds.
 */
int udev_settle_queue(struct udev *udev, uint64_t timeout_usec);
