/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CXL attribution: which CXL region a dax device is in and which memdevs
 * (with serials) back it. Read only when a record or Exclude= needs it.
 */
#pragma once

#include "inventory.h"

struct cxl_ctx;

/* Finds "regionN" in a sysfs path ".../regionN/dax_regionN/daxN.M". */
int cxl_region_from_sysfs_path(const char *path, char **ret_region);

/*
 * Each device's region (also for soft-reserved memory inside one) and
 * memdevs with serials, from libcxl's topology. *@cxl is the caller's
 * context, kept between passes and replaced when it proves stale; NULL to
 * start (and when there is no CXL bus). Once per inventory.
 */
int cxl_attribute(struct inventory *inventory, struct cxl_ctx **cxl);
