/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who holds a dax device's character device. A pass asks only for a device
 * about to leave devdax: device_dax's unbind would tear the holder's
 * mappings away (drivers/dax/device.c kill_dev_dax() unmaps them).
 */
#pragma once

#include <stdbool.h>

/*
 * Whether some process holds /dev/@name: an open descriptor (/proc/PID/fd)
 * or a mapping (/proc/PID/maps). Nothing to read when the count of the
 * device's driver module shows no file of it open at all; else one walk of
 * SYSROOT/proc that stops at the first holder.
 */
int holders_any(const char *sysroot, const char *name, bool *ret_held);
