/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TDX Convertible Memory Regions. Mainline exports none (docs/platform-notes.md, section 1), so
 * they come from a file the administrator provides, a sysfs/debugfs attribute
 * on kernels that export them, or the "virt/tdx: CMR: [..)" lines some
 * kernels print. One parser reads all of them (cmr.h).
 */
#pragma once

#include "macro.h"

#include "cmr.h"
#include "kernel-log.h"
#include "parse-error.h"
#include "range.h"

enum cmr_source {
	CMR_SOURCE_NONE, /* nothing configured or present: CMRs unknown */
	CMR_SOURCE_FILE,
	CMR_SOURCE_ATTRIBUTE,
	CMR_SOURCE_KMSG,
	CMR_SOURCE_JOURNAL,
	CMR_SOURCE_MAX, /* the number of values: sizes the name table */
};

DECLARE_STRING_TABLE(cmr_source, enum cmr_source);

struct cmr_info {
	enum cmr_source source;
	char *origin;	       /* path read, or NULL */
	struct range_set cmrs; /* empty when source is CMR_SOURCE_NONE */
};

void cmr_info_clear(struct cmr_info *info);

/*
 * Finds the CMRs: @file (CmrFile= or --cmr-file) if set, else @attribute
 * (CmrAttribute=) if set, else the CMR lines of @kernel_log. Neither path is
 * placed under a sysroot: files named by the administrator are taken as
 * given. A configured source that is missing or malformed is an error
 * (-errno, *ret_error filled); no CMR line anywhere is not: the source is
 * then CMR_SOURCE_NONE and the CMRs unknown.
 */
int cmr_load(const char *file, const char *attribute, const struct kernel_log *kernel_log,
	     struct cmr_info *ret_info, struct parse_error *ret_error);
