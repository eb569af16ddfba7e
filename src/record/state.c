// SPDX-License-Identifier: GPL-2.0-or-later
#include "state.h"

#include "macro.h"
#include "path.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void state_clear(struct state *state)
{
	for (size_t i = 0; i < state->count; i++)
		free(state->entries[i].device);
	free(state->entries);
	*state = (struct state){0};
}

struct state_entry *state_find(struct state *state, const char *device)
{
	for (size_t i = 0; i < state->count; i++)
		if (streq(state->entries[i].device, device))
			return &state->entries[i];
	return NULL;
}

int state_put(struct state *state, const char *device, enum decision decision, enum reason reason,
	      enum outcome outcome, uint64_t realtime_usec)
{
	struct state_entry *entry = state_find(state, device);

	if (!entry) {
		struct state_entry *entries =
		    reallocarray(state->entries, state->count + 1, sizeof(*entries));
		if (!entries)
			return -ENOMEM;
		state->entries = entries;
		char *name = strdup(device);
		if (!name)
			return -ENOMEM;
		entry = &entries[state->count++];
		entry->device = name;
	}
	entry->decision = decision;
	entry->reason = reason;
	entry->outcome = outcome;
	entry->realtime_usec = realtime_usec;
	return 0;
}

void state_forget(struct state *state, const char *device)
{
	struct state_entry *entry = state_find(state, device);

	if (!entry)
		return;
	free(entry->device);
	*entry = state->entries[--state->count];
}

static int parse_line(char *line, struct state *state)
{
	char device[64], decision[32], reason[32], outcome[32];
	uint64_t usec;
	enum decision d;
	enum reason r;
	enum outcome o;
	int end = 0;
	struct state_counters c;

	if (sscanf(line, "@counters %" SCNu64 " %" SCNu64 " %" SCNu64 " %n", &c.records,
		   &c.rollbacks, &c.failures, &end) == 3 &&
	    line[end] == '\0') {
		state->counters = c;
		return 0;
	}

	if (sscanf(line, "%63s %31s %31s %31s %" SCNu64 " %n", device, decision, reason, outcome,
		   &usec, &end) != 5 ||
	    line[end] != '\0' || strncmp(device, "dax", 3) != 0)
		return -EINVAL;

	/* every name the tables have, whatever values come to be added */
	if (decision_from_string(decision, &d) < 0 || reason_from_string(reason, &r) < 0 ||
	    outcome_from_string(outcome, &o) < 0)
		return -EINVAL;
	return state_put(state, device, d, r, o, usec);
}

int state_load(const char *path, struct state *ret_state, unsigned *ret_bad_lines)
{
	struct state state = {0};
	_cleanup_free_ char *data = NULL;
	unsigned bad = 0;

	/* a directory or FIFO there is an error, not an empty state */
	int r = read_full_file(path, STATE_FILE_MAX, &data, NULL);
	if (r < 0 && r != -ENOENT)
		return r;
	for (char *line = data, *next; line && *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		r = parse_line(line, &state);
		if (r == -ENOMEM) {
			state_clear(&state);
			return r;
		}
		if (r < 0)
			bad++;
	}

	*ret_state = state;
	if (ret_bad_lines)
		*ret_bad_lines = bad;
	return 0;
}

static int write_state(FILE *f, const void *userdata)
{
	const struct state *state = userdata;

	fprintf(f, "@counters %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", state->counters.records,
		state->counters.rollbacks, state->counters.failures);
	for (size_t i = 0; i < state->count; i++) {
		const struct state_entry *e = &state->entries[i];
		fprintf(f, "%s %s %s %s %" PRIu64 "\n", e->device, decision_to_string(e->decision),
			reason_to_string(e->reason), outcome_to_string(e->outcome),
			e->realtime_usec);
	}
	return ferror(f) ? -EIO : 0;
}

int state_save(const char *path, const struct state *state)
{
	/* 0644: not secret, and `tdxmemd status` need not run as root (UMask=0077) */
	return write_file_atomic(path, 0644, write_state, state);
}
