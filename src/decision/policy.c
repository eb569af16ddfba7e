// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * THE POLICY. One table, read top to bottom; the first row that matches a
 * device decides it. Nothing else in tdxmemd decides anything.
 */
#include "policy.h"

#include "macro.h"

#include <stdio.h>

#define STATE(s)  (1u << (s))
#define ANY_STATE (~0u)
/*
 * TDX enabled but no memory configuration fixed: the kernel accepts any
 * block now, and whatever is online when TDX initializes must be
 * convertible. init-failed is treated alike, so that no non-convertible
 * memory is online should initialization be attempted again.
 */
#define BEFORE_INIT                                                                                \
	(STATE(TDX_STATE_BIOS_ENABLED) | STATE(TDX_STATE_INIT_FAILED) | STATE(TDX_STATE_UNKNOWN))

enum cmr_condition {
	CMRS_ANY,
	CMRS_KNOWN,
	CMRS_UNKNOWN,
};

enum device_condition {
	DEVICE_ANY,
	DEVICE_EXCLUDED,
	DEVICE_DEVDAX_IN_USE,
	DEVICE_UNPLUGGABLE,
	DEVICE_ONLINE,	/* at least one block online */
	DEVICE_COVERED, /* every block it would online lies inside the CMRs */
};

/* Decisions that configuration settles. */
enum table_decision {
	TABLE_UNCHANGED = DECISION_UNCHANGED,
	TABLE_ONLINE = DECISION_ONLINE,
	TABLE_DEVDAX = DECISION_DEVDAX,
	TABLE_WHEN_TDX_DISABLED, /* WhenTdxDisabled= */
	TABLE_AFTER_INIT,	 /* AfterInit= */
};

struct policy_row {
	unsigned tdx_states;
	enum cmr_condition cmrs;
	enum device_condition device;
	enum table_decision decision;
	enum reason reason;
};

/* clang-format off */
static const struct policy_row policy_table[] = {
	/* TDX state     CMRs          device                decision                 reason */
	{ ANY_STATE,     CMRS_ANY,     DEVICE_EXCLUDED,      TABLE_UNCHANGED,         REASON_EXCLUDED },
	{ ANY_STATE,     CMRS_ANY,     DEVICE_DEVDAX_IN_USE, TABLE_UNCHANGED,         REASON_IN_USE },
	{ ANY_STATE,     CMRS_ANY,     DEVICE_UNPLUGGABLE,   TABLE_UNCHANGED,         REASON_UNPLUGGABLE },
	{ STATE(TDX_STATE_DISABLED),
	                 CMRS_ANY,     DEVICE_ANY,           TABLE_WHEN_TDX_DISABLED, REASON_TDX_DISABLED },
	/*
	 * Memory online at TDX init is part of the TDX memory configuration
	 * whatever the CMRs say; offlining it gains nothing and takes memory
	 * the system is using. This row precedes the CMR rows on purpose.
	 */
	{ STATE(TDX_STATE_INITIALIZED),
	                 CMRS_ANY,     DEVICE_ONLINE,        TABLE_UNCHANGED,         REASON_ONLINE_BEFORE_INIT },
	{ BEFORE_INIT,   CMRS_KNOWN,   DEVICE_COVERED,       TABLE_ONLINE,            REASON_CMR_COVERED },
	{ BEFORE_INIT,   CMRS_KNOWN,   DEVICE_ANY,           TABLE_DEVDAX,            REASON_NOT_CONVERTIBLE },
	{ ANY_STATE,     CMRS_UNKNOWN, DEVICE_ANY,           TABLE_DEVDAX,            REASON_CMR_UNKNOWN },
	/*
	 * After init the kernel accepts only memory that was present at init
	 * (tdx_memory_notifier() checks tdx_memlist, not the CMRs).
	 */
	{ STATE(TDX_STATE_INITIALIZED),
	                 CMRS_KNOWN,   DEVICE_ANY,           TABLE_AFTER_INIT,        REASON_TDX_INITIALIZED },
};
/* clang-format on */

static bool cmrs_match(enum cmr_condition condition, const struct policy_input *in)
{
	switch (condition) {
	case CMRS_ANY:
		return true;
	case CMRS_KNOWN:
		return in->cmrs != NULL;
	case CMRS_UNKNOWN:
		return in->cmrs == NULL;
	}
	return false;
}

static bool device_matches(enum device_condition condition, const struct policy_input *in,
			   struct verdict *verdict)
{
	switch (condition) {
	case DEVICE_ANY:
		return true;
	case DEVICE_EXCLUDED:
		return in->excluded;
	case DEVICE_DEVDAX_IN_USE:
		return in->devdax_in_use;
	case DEVICE_UNPLUGGABLE:
		return !in->pluggable;
	case DEVICE_ONLINE:
		return in->any_online;
	case DEVICE_COVERED:
		return !verdict->has_uncovered;
	}
	return false;
}

static enum decision settle(enum table_decision decision, const struct policy_input *in)
{
	switch (decision) {
	case TABLE_WHEN_TDX_DISABLED:
		return in->when_tdx_disabled == WHEN_TDX_DISABLED_DEVDAX ? DECISION_DEVDAX
									 : DECISION_ONLINE;
	case TABLE_AFTER_INIT:
		return in->after_init == AFTER_INIT_TRY ? DECISION_ONLINE : DECISION_DEVDAX;
	default:
		return (enum decision)decision;
	}
}

struct verdict policy_decide(const struct policy_input *in)
{
	struct verdict verdict = {0};
	struct range_set none = {0};

	if (in->cmrs && in->tdx_state != TDX_STATE_DISABLED)
		verdict.has_uncovered = range_set_first_uncovered(
		    in->cmrs, in->ranges ? in->ranges : &none, &verdict.uncovered);

	for (size_t i = 0; i < ARRAY_SIZE(policy_table); i++) {
		const struct policy_row *row = &policy_table[i];

		if (!(row->tdx_states & STATE(in->tdx_state)) || !cmrs_match(row->cmrs, in) ||
		    !device_matches(row->device, in, &verdict))
			continue;

		verdict.row = (unsigned)i + 1;
		verdict.decision = settle(row->decision, in);
		verdict.reason = row->reason;
		/* The uncovered part is the reason only where the reason says so. */
		if (verdict.reason != REASON_NOT_CONVERTIBLE)
			verdict.has_uncovered = false;
		return verdict;
	}

	/* Unreachable: the CMRS_UNKNOWN and TDX_STATE_INITIALIZED rows close the table. */
	verdict.decision = DECISION_UNCHANGED;
	verdict.reason = REASON_CMR_UNKNOWN;
	return verdict;
}

static const char *tdx_states_text(unsigned states)
{
	if (states == ANY_STATE)
		return "any TDX state";
	if (states == BEFORE_INIT)
		return "TDX enabled, not initialized (bios-enabled, init-failed, unknown)";
	if (states == STATE(TDX_STATE_DISABLED))
		return "TDX disabled";
	if (states == STATE(TDX_STATE_INITIALIZED))
		return "TDX initialized";
	return "some TDX states";
}

bool policy_row_describe(unsigned row, char *buf, size_t size)
{
	static const char *const cmrs_text[] = {
	    [CMRS_ANY] = NULL,
	    [CMRS_KNOWN] = "CMRs known",
	    [CMRS_UNKNOWN] = "CMRs unknown",
	};
	static const char *const device_text[] = {
	    [DEVICE_ANY] = NULL,
	    [DEVICE_EXCLUDED] = "device in Exclude=",
	    [DEVICE_DEVDAX_IN_USE] = "device devdax, open or mapped, and otherwise going online",
	    [DEVICE_UNPLUGGABLE] = "device with no whole memory block or no target node",
	    [DEVICE_ONLINE] = "device with a block online",
	    [DEVICE_COVERED] = "every block of the device inside the CMRs",
	};
	static const char *const decision_text[] = {
	    [TABLE_UNCHANGED] = "unchanged",
	    [TABLE_ONLINE] = "online",
	    [TABLE_DEVDAX] = "devdax",
	    [TABLE_WHEN_TDX_DISABLED] = "as WhenTdxDisabled= says",
	    [TABLE_AFTER_INIT] = "as AfterInit= says",
	};

	if (row == 0 || row > ARRAY_SIZE(policy_table))
		return false;
	const struct policy_row *r = &policy_table[row - 1];
	const char *cmrs = cmrs_text[r->cmrs], *device = device_text[r->device];
	snprintf(buf, size, "%s%s%s%s%s: %s (%s)", tdx_states_text(r->tdx_states), cmrs ? ", " : "",
		 cmrs ? cmrs : "", device ? ", " : "", device ? device : "",
		 decision_text[r->decision], reason_to_string(r->reason));
	return true;
}

static const char *const decision_names[DECISION_MAX] = {
    [DECISION_UNCHANGED] = "unchanged",
    [DECISION_ONLINE] = "online",
    [DECISION_DEVDAX] = "devdax",
};
DEFINE_STRING_TABLE(decision, enum decision, DECISION_MAX)

static const char *const reason_names[REASON_MAX] = {
    [REASON_EXCLUDED] = "excluded",
    [REASON_IN_USE] = "in-use",
    [REASON_UNPLUGGABLE] = "unpluggable",
    [REASON_TDX_DISABLED] = "tdx-disabled",
    [REASON_CMR_COVERED] = "cmr-covered",
    [REASON_NOT_CONVERTIBLE] = "not-convertible",
    [REASON_CMR_UNKNOWN] = "cmr-unknown",
    [REASON_ONLINE_BEFORE_INIT] = "online-before-init",
    [REASON_TDX_INITIALIZED] = "tdx-initialized",
};
DEFINE_STRING_TABLE(reason, enum reason, REASON_MAX)
