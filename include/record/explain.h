/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tdxmemd explain DEVICE: one screen on one device: the facts read, the
 * policy row that matched, the decision, and what would change it.
 * Read-only: nothing is decided for real, acted on or recorded.
 */
#pragma once

#include "cmr-sources.h"
#include "config.h"
#include "inventory.h"
#include "policy.h"
#include "state.h"
#include "tdx.h"

#include <stdbool.h>
#include <stdio.h>

struct explain_facts {
	const struct dax_device *device;
	enum tdx_state tdx_state;
	const char *tdx_evidence; /* tdx_state_evidence(), or "config" */
	const struct cmr_info *cmrs;
	const struct config *config;
	struct verdict verdict;
	const struct state_entry *last; /* this boot's last record, or NULL */
};

#define EXPLAIN_CHANGES_MAX 4
#define EXPLAIN_LINE_MAX    200

/*
 * Pure: what would make the policy decide otherwise for this device, one
 * sentence each. Returns how many were written (at least one).
 */
size_t explain_changes(const struct explain_facts *facts,
		       char changes[EXPLAIN_CHANGES_MAX][EXPLAIN_LINE_MAX]);

int explain_print(FILE *out, const struct explain_facts *facts, bool json);
