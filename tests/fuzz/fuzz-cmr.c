// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CMR file parser: whatever the text, a result is sorted, merged and
 * never empty ranges; an error names a line; nothing leaks.
 */
#include "cmr.h"
#include "fuzz-util.h"
#include "parse-error.h"
#include "range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct range_set cmrs = {0};
	struct parse_error error = {0};

	int r = cmr_parse((const char *)data, size, "fuzz", &cmrs, &error);
	if (r < 0) {
		fuzz_assert(error.message[0] != '\0');
		fuzz_assert(cmrs.count == 0);
		return 0;
	}
	for (size_t i = 0; i < cmrs.count; i++) {
		fuzz_assert(cmrs.items[i].start < cmrs.items[i].end);
		/* merged: each range starts after the previous one ends */
		if (i > 0)
			fuzz_assert(cmrs.items[i - 1].end < cmrs.items[i].start);
	}
	range_set_clear(&cmrs);
	return 0;
}
