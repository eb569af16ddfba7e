/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's memory of this boot: the last decision recorded per device,
 * kept in /run so a restarted daemon writes no second record for a decision
 * that still holds, and `tdxmemd status` can say what was decided and when.
 * It is never trusted for the device's state: that is always read from sysfs.
 */
#pragma once

#include "action.h"
#include "policy.h"

#include <stdint.h>
#include <stdio.h>

struct state_entry {
	char *device;
	enum decision decision;
	enum reason reason;
	enum outcome outcome;
	uint64_t realtime_usec;
};

/*
 * This boot's totals, kept across restarts of the daemon (for metrics).
 * They change only with a record, so a pass that records nothing leaves
 * the file as it was.
 */
struct state_counters {
	uint64_t records;   /* decisions recorded */
	uint64_t rollbacks; /* of them, outcome rolled-back */
	uint64_t failures;  /* of them, outcome failed */
};

struct state {
	struct state_entry *entries;
	size_t count;
	struct state_counters counters;
};

void state_clear(struct state *state);

/*
 * Reads @path: one "DEVICE DECISION REASON OUTCOME USEC" line per device,
 * and one "@counters RECORDS ROLLBACKS FAILURES" line.
 * A missing file is an empty state; one that is no regular file, or larger
 * than STATE_FILE_MAX, is an error (read_full_file()). Lines that do not parse are skipped and
 * counted in *ret_bad_lines (the state is rebuilt as devices are decided).
 */
#define STATE_FILE_MAX (4u << 20)
int state_load(const char *path, struct state *ret_state, unsigned *ret_bad_lines);

/* Writes @path atomically (temporary file, then rename). */
int state_save(const char *path, const struct state *state);

struct state_entry *state_find(struct state *state, const char *device);
int state_put(struct state *state, const char *device, enum decision decision, enum reason reason,
	      enum outcome outcome, uint64_t realtime_usec);
void state_forget(struct state *state, const char *device);
