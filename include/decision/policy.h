/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decision: a pure function from what was read to what should be done,
 * with the reason. The table in src/decision/policy.c is the whole policy.
 */
#pragma once

#include "macro.h"

#include "config.h"
#include "range.h"
#include "tdx.h"

#include <stdbool.h>

enum decision {
	DECISION_UNCHANGED,
	DECISION_ONLINE,
	DECISION_DEVDAX,
	DECISION_MAX, /* the number of values: sizes the name table */
};

enum reason {
	REASON_EXCLUDED,
	REASON_IN_USE,
	REASON_UNPLUGGABLE,
	REASON_TDX_DISABLED,
	REASON_CMR_COVERED,
	REASON_NOT_CONVERTIBLE,
	REASON_CMR_UNKNOWN,
	REASON_ONLINE_BEFORE_INIT,
	REASON_TDX_INITIALIZED,
	REASON_MAX, /* the number of values: sizes the name table */
};

struct policy_input {
	enum tdx_state tdx_state;
	const struct range_set *cmrs; /* NULL: CMRs unknown */
	enum after_init after_init;
	enum when_tdx_disabled when_tdx_disabled;

	bool excluded;
	bool devdax_in_use;		/* in devdax mode and /dev/daxX.Y open or mapped */
	bool pluggable;			/* kmem would add at least one block */
	bool any_online;		/* at least one of its memory blocks is online */
	const struct range_set *ranges; /* what would go online: the pluggable part */
};

struct verdict {
	unsigned row; /* the policy table's row that matched, from 1 */
	enum decision decision;
	enum reason reason;
	bool has_uncovered;
	struct range uncovered; /* first part of ranges outside the CMRs */
};

struct verdict policy_decide(const struct policy_input *input);

/*
 * Writes row @row (from 1) of the policy table as one line of text into
 * @buf, as `tdxmemd explain` shows it. Returns false for no such row.
 */
bool policy_row_describe(unsigned row, char *buf, size_t size);

DECLARE_STRING_TABLE(decision, enum decision);
DECLARE_STRING_TABLE(reason, enum reason);
