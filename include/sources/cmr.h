/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TDX Convertible Memory Regions in text: one parser for every source
 * (cmr-sources.h).
 */
#pragma once

#include "macro.h"

#include "parse-error.h"
#include "range.h"

#include <stddef.h>

/* The TDX module reports at most 32 CMRs (TDX module spec, MAX_CMRS). */
#define CMR_MAX 32

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

/* Line by line, for sources whose lines are apart (the kernel log): cmr_parse()'s state. */
struct cmr_parser {
	const char *origin;
	struct range_set set;
	unsigned count; /* ranges read, before merging */
};

/*
 * Adds the range on @line (@len bytes, no newline), numbered @line_number in
 * errors, to @parser's set; -EINVAL as cmr_parse() says, the set then
 * left for the caller to clear.
 */
int cmr_parser_add_line(struct cmr_parser *parser, const char *line, size_t len,
			unsigned line_number, struct parse_error *ret_error);
