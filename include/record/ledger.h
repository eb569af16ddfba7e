/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ledger: what this boot's runs of tdxmemd decided and recorded (the
 * state of this boot, TDXMEMD_STATE_PATH), and the lock that makes a pass's
 * reading and acting one step for every tdxmemd on the host
 * (TDXMEMD_LOCK_PATH). A pass locks it, reads it, asks whether each device
 * needs a record, notes each record, and unlocks it. Only a hint for
 * records and status: device state is always read from sysfs.
 */
#pragma once

#include "record.h"
#include "state.h"

#include <stdbool.h>
#include <stdint.h>

/* Shared by --once, the daemon and `tdxmemd status`. */
#define TDXMEMD_RUNTIME_DIR "/run/tdxmemd"
#define TDXMEMD_LOCK_PATH   TDXMEMD_RUNTIME_DIR "/action.lock"
#define TDXMEMD_STATE_PATH  TDXMEMD_RUNTIME_DIR "/state"
/* auto_online_blocks' own value while a kmem bind has it swapped (auto-online.h) */
#define TDXMEMD_AUTO_ONLINE_MEMO TDXMEMD_RUNTIME_DIR "/auto_online_blocks"

struct ledger {
	struct state state;
	int lock_fd;
	bool dry_run;	   /* no lock taken, nothing written */
	bool changes_only; /* the daemon: record a device only when its decision changed */
};

void ledger_init(struct ledger *ledger, bool dry_run, bool changes_only);
void ledger_done(struct ledger *ledger);

/*
 * Takes the lock (not in a dry run), waiting for another tdxmemd: facts read
 * before it finished acting would be stale. -errno, logged.
 */
int ledger_lock(struct ledger *ledger);
void ledger_unlock(struct ledger *ledger);

/*
 * Reads the state of this boot. Missing or unreadable is an empty state;
 * something there that is no regular file (a directory, a FIFO), or too
 * large, is nobody's state file: -errno, logged, and the pass stops rather
 * than record every device anew.
 */
int ledger_read(struct ledger *ledger);

/*
 * Whether @device needs a record for @verdict. Always, except in the
 * daemon when the decision is the one recorded last and the device is in
 * that state, or acting on it failed before (not retried until a reload).
 */
bool ledger_should_record(const struct ledger *ledger, const struct dax_device *device,
			  const struct verdict *verdict);

/*
 * Whether @device is out of the state of @last (its last record), which
 * this boot had reached: something other than tdxmemd changed it since.
 * False without a record, and after a rollback or failure (never reached).
 */
bool ledger_left_state(const struct state_entry *last, const struct dax_device *device);

/*
 * Whether @device left the state of its last record, which this boot had
 * reached, while @verdict decides the same: another agent changed it (an
 * administrator's daxctl), and acting on it puts it back.
 */
bool ledger_changed_outside(const struct ledger *ledger, const struct dax_device *device,
			    const struct verdict *verdict);

/* Notes @record, made at @realtime_usec, and saves the state (a warning if it cannot). */
void ledger_note(struct ledger *ledger, const struct record *record, uint64_t realtime_usec);

/* A device gone: one that comes back is new, and recorded anew. Locks itself. */
void ledger_forget(struct ledger *ledger, const char *device);

/* A reload: devices whose action failed are decided as if new. Locks itself. */
void ledger_retry_failed(struct ledger *ledger);
