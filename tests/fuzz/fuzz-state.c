// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state file: any content loads (lines that do not parse are counted,
 * not fatal), and what loaded saves and loads back the same.
 */
#include "fuzz-util.h"
#include "state.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state state = {0}, again = {0};
	unsigned bad = 0;

	fuzz_put("state", data, size);
	if (state_load(fuzz_path("state"), &state, &bad) < 0)
		return 0; /* larger than STATE_FILE_MAX */
	fuzz_assert(state_save(fuzz_path("saved"), &state) == 0);
	fuzz_assert(state_load(fuzz_path("saved"), &again, &bad) == 0);
	fuzz_assert(bad == 0);
	fuzz_assert(again.count == state.count);
	fuzz_assert(memcmp(&again.counters, &state.counters, sizeof(state.counters)) == 0);
	for (size_t i = 0; i < state.count; i++) {
		const struct state_entry *a = &state.entries[i], *b = &again.entries[i];
		fuzz_assert(strcmp(a->device, b->device) == 0);
		fuzz_assert(a->decision == b->decision && a->reason == b->reason &&
			    a->outcome == b->outcome && a->realtime_usec == b->realtime_usec);
	}
	state_clear(&state);
	state_clear(&again);
	return 0;
}
