// SPDX-License-Identifier: GPL-2.0-or-later
#include "udev-settle.h"

#include "macro.h"
#include "memory-blocks.h"

#include <errno.h>
#include <inttypes.h>
#include <libudev.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t monotonic_usec(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
}

/* Waits for @fd to be readable until @deadline: 1, 0 at the deadline, -errno. */
static int wait_readable(int fd, uint64_t deadline)
{
	uint64_t now = monotonic_usec();
	if (now >= deadline)
		return 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r = poll(&p, 1, (int)((deadline - now + 999) / 1000));
	if (r < 0)
		return errno == EINTR ? 1 : -errno;
	return r;
}

/* Whether udevd runs: its control socket exists (libudev udev_queue). */
static bool udevd_active(struct udev *udev)
{
	struct udev_queue *queue = udev_queue_new(udev);
	bool active = queue && udev_queue_get_udev_is_active(queue);

	udev_queue_unref(queue);
	return active;
}

struct udev_monitor *udev_settle_watch(struct udev *udev)
{
	if (!udev || !udevd_active(udev))
		return NULL;
	struct udev_monitor *monitor = udev_monitor_new_from_netlink(udev, "udev");
	if (!monitor)
		return NULL;
	/* a 2 GiB-block server adds 256 blocks for 512 GiB; 128 MiB blocks, 4,096 */
	(void)udev_monitor_set_receive_buffer_size(monitor, 16 * 1024 * 1024);
	if (udev_monitor_filter_add_match_subsystem_devtype(monitor, "memory", NULL) < 0 ||
	    udev_monitor_enable_receiving(monitor) < 0)
		return udev_monitor_unref(monitor);
	return monitor;
}

/* The position of block @index in @blocks, or -1 when it is not one of them. */
static long block_position(const struct range_set *blocks, uint64_t block_size, uint64_t index)
{
	long position = 0;

	for (size_t i = 0; i < blocks->count; i++) {
		uint64_t first = blocks->items[i].start / block_size;
		uint64_t end = blocks->items[i].end / block_size;
		if (index >= first && index < end)
			return position + (long)(index - first);
		position += (long)(end - first);
	}
	return -1;
}

int udev_settle_blocks(struct udev_monitor *monitor, const struct path_cxt *memory,
		       const struct range_set *blocks, uint64_t block_size, uint64_t timeout_usec)
{
	struct memory_blocks_status status;
	unsigned count = memory_blocks_count(blocks, block_size), seen = 0;
	uint64_t deadline = monotonic_usec() + timeout_usec;

	if (!monitor || count == 0)
		return 0;
	int r = memory_blocks_read(memory, blocks, block_size, &status);
	if (r < 0)
		return r;
	_cleanup_free_ bool *done = calloc(count, sizeof(*done));
	if (!done)
		return -ENOMEM;

	while (seen < status.present) {
		r = wait_readable(udev_monitor_get_fd(monitor), deadline);
		if (r <= 0)
			return r < 0 ? r : -ETIMEDOUT;
		errno = 0;
		struct udev_device *event = udev_monitor_receive_device(monitor);
		/*
		 * Events lost (the socket's buffer is rmem_max without
		 * CAP_NET_ADMIN): no count can finish; udevd has them queued by
		 * now, which udev_settle_queue() waits for.
		 */
		if (!event && errno == ENOBUFS)
			return -ENOBUFS;
		if (!event)
			continue;
		const char *action = udev_device_get_action(event);
		uint64_t index;
		/* drivers/base/memory.c names a block memoryN, N its block id */
		if (action && streq(action, "add") &&
		    sscanf(udev_device_get_sysname(event), "memory%" SCNu64, &index) == 1) {
			long position = block_position(blocks, block_size, index);
			if (position >= 0 && !done[position]) {
				done[position] = true;
				seen++;
			}
		}
		udev_device_unref(event);
	}
	return 0;
}

int udev_settle_queue(struct udev *udev, uint64_t timeout_usec)
{
	uint64_t deadline = monotonic_usec() + timeout_usec;
	struct udev_queue *queue = udev ? udev_queue_new(udev) : NULL;
	int r = 0;

	if (!queue || !udev_queue_get_udev_is_active(queue))
		goto out;
	/* an inotify descriptor on /run/udev: it fires when the queue file goes */
	int fd = udev_queue_get_fd(queue);
	while (!udev_queue_get_queue_is_empty(queue)) {
		if (fd < 0) {
			r = fd;
			break;
		}
		r = wait_readable(fd, deadline);
		if (r <= 0) {
			r = r < 0 ? r : -ETIMEDOUT;
			break;
		}
		(void)udev_queue_flush(queue);
		r = 0;
	}
out:
	udev_queue_unref(queue);
	return r;
}
