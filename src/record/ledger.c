// SPDX-License-Identifier: GPL-2.0-or-later
#include "ledger.h"

#include "action.h"
#include "log.h"
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void ledger_init(struct ledger *ledger, bool dry_run, bool changes_only)
{
	*ledger = (struct ledger){.lock_fd = -1, .dry_run = dry_run, .changes_only = changes_only};
}

void ledger_done(struct ledger *ledger)
{
	ledger_unlock(ledger);
	state_clear(&ledger->state);
}

int ledger_lock(struct ledger *ledger)
{
	if (ledger->dry_run || ledger->lock_fd >= 0)
		return 0;
	if (mkdir(TDXMEMD_RUNTIME_DIR, 0755) < 0 && errno != EEXIST)
		return log_error_errno(-errno, "Cannot create %s: %m", TDXMEMD_RUNTIME_DIR);
	int fd = open(TDXMEMD_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return log_error_errno(-errno, "Cannot open %s: %m", TDXMEMD_LOCK_PATH);
	if (flock(fd, LOCK_EX) < 0) {
		int r = -errno;
		close(fd);
		return log_error_errno(r, "Cannot lock %s: %s", TDXMEMD_LOCK_PATH, strerror(-r));
	}
	ledger->lock_fd = fd;
	return 0;
}

void ledger_unlock(struct ledger *ledger)
{
	if (ledger->lock_fd >= 0)
		close(ledger->lock_fd);
	ledger->lock_fd = -1;
}

int ledger_read(struct ledger *ledger)
{
	unsigned bad_lines = 0;
	char why[READ_ERROR_MAX];

	state_clear(&ledger->state);
	int r = state_load(TDXMEMD_STATE_PATH, &ledger->state, &bad_lines);
	if (r == -EISDIR || r == -EMEDIUMTYPE || r == -EFBIG)
		return log_error_errno(r, "%s: cannot read: %s", TDXMEMD_STATE_PATH,
				       read_error_string(r, STATE_FILE_MAX, why));
	if (r < 0)
		log_warning("Cannot read %s (%s): every device counts as new.", TDXMEMD_STATE_PATH,
			    strerror(-r));
	if (bad_lines > 0)
		log_warning("%s: ignored %u line(s) that do not parse.", TDXMEMD_STATE_PATH,
			    bad_lines);
	return 0;
}

bool ledger_should_record(const struct ledger *ledger, const struct dax_device *device,
			  const struct verdict *verdict)
{
	if (!ledger->changes_only)
		return true;

	/*
	 * The decision, not its reason: when TDX initializes, a devdax device
	 * kept for "not-convertible" stays devdax for "tdx-initialized", and
	 * another record would tell nothing new.
	 */
	const struct state_entry *last = state_find((struct state *)&ledger->state, device->name);
	if (!last || last->decision != verdict->decision)
		return true;
	return !(action_state_holds(device, verdict->decision) ||
		 last->outcome == OUTCOME_ROLLED_BACK || last->outcome == OUTCOME_FAILED);
}

bool ledger_left_state(const struct state_entry *last, const struct dax_device *device)
{
	return last && (last->outcome == OUTCOME_APPLIED || last->outcome == OUTCOME_ALREADY) &&
	       !action_state_holds(device, last->decision);
}

bool ledger_changed_outside(const struct ledger *ledger, const struct dax_device *device,
			    const struct verdict *verdict)
{
	const struct state_entry *last = state_find((struct state *)&ledger->state, device->name);

	return last && last->decision == verdict->decision && ledger_left_state(last, device);
}

void ledger_note(struct ledger *ledger, const struct record *record, uint64_t realtime_usec)
{
	struct state *state = &ledger->state;

	state->counters.records++;
	state->counters.rollbacks += record->result.outcome == OUTCOME_ROLLED_BACK;
	state->counters.failures += record->result.outcome == OUTCOME_FAILED;
	/* the record's reason, so that the journal and the state file agree */
	int r = state_put(state, record->device->name, record->verdict.decision,
			  record_reason(record), record->result.outcome, realtime_usec);
	if (r >= 0)
		r = state_save(TDXMEMD_STATE_PATH, state);
	if (r < 0)
		log_warning("Cannot save %s (%s): a restart may record %s again.",
			    TDXMEMD_STATE_PATH, strerror(-r), record->device->name);
}

void ledger_forget(struct ledger *ledger, const char *device)
{
	if (ledger_lock(ledger) < 0)
		return;
	if (ledger_read(ledger) >= 0) {
		state_forget(&ledger->state, device);
		int r = state_save(TDXMEMD_STATE_PATH, &ledger->state);
		if (r < 0)
			log_warning("Cannot save %s: %s", TDXMEMD_STATE_PATH, strerror(-r));
	}
	ledger_unlock(ledger);
}

void ledger_retry_failed(struct ledger *ledger)
{
	struct state *state = &ledger->state;

	if (ledger_lock(ledger) < 0)
		return;
	if (ledger_read(ledger) >= 0) {
		for (size_t i = state->count; i-- > 0;)
			if (state->entries[i].outcome == OUTCOME_ROLLED_BACK ||
			    state->entries[i].outcome == OUTCOME_FAILED)
				state_forget(state, state->entries[i].device);
		(void)state_save(TDXMEMD_STATE_PATH, state);
	}
	ledger_unlock(ledger);
}
