/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Boot RAM as the firmware memory map lists it: part of what TDX
 * initialization must find inside the CMRs (tdx-init.h).
 */
#pragma once

#include "range.h"

/*
 * Adds the "System RAM" entries of SYSROOT/sys/firmware/memmap (boot RAM and
 * memory hot-added as System RAM; kmem's is not listed there) to @present.
 * -errno when the map cannot be read.
 */
int boot_ram_read(const char *sysroot, struct range_set *present);
