/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TDX Convertible Memory Regions. Mainline exports none (docs/platform-notes.md, section 1), so
 * they come from a file the administrator provides, a sysfs/debugfs attribute
 * on kernels that export them, or the "virt/tdx: CMR: [..)" lines some
 * kernels print. One parser reads all of them.
 */
#pragma once

#include "macro.h"

#include "kernel-log.h"
#include "parse-error.h"
#include "range.h"

#include <stddef.h>

/* The TDX module reports at most 32 CMRs (TDX module spec, MAX_CMRS). */
#define CMR_MAX 32

enum cmr_source {
	CMR_SOURCE_NONE, /* nothing configured or present: CMRs unknown */
	CMR_SOURCE_FILE,
	CMR_SOURCE_ATTRIBUTE,
	CMR_SOURCE_KMSG,
	CMR_SOURCE_JOURNAL,
	CMR_SOURCE_MAX, /* the number of values: sizes the name table */
};

DECLARE_STRING_TABLE(cmr_source, enum cmr_source);

/*
 * Parses CMR text. Each non-blank line that is not a '#' comment holds one
 * range, either the kernel's half-open "[0xSTART, 0xEND)" (optionally behind a
 * dmesg "[  1.23]" or /dev/kmsg "6,339,5140900,-;" prefix and "virt/tdx: CMR:")
 * or /proc/iomem's inclusive "start-end" (hex). On any malformed line,
 * start >= end, overflow or more than CMR_MAX ranges it returns -EINVAL and
 * fills *ret_error (origin, line); *ret_cmrs is then untouched, so a source
 * with an error never yields a partial list.
 */
int cmr_parse(const char *text, size_t size, const char *origin, struct range_set *ret_cmrs,
	      struct parse_error *ret_error);

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
