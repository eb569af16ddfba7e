// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel log as /dev/kmsg gives it (a fixture root's file), and what
 * reads it: every line kept starts with "virt/tdx: ", the TDX state derived
 * from it is one of the states, and the CMRs from it are sorted and merged
 * or an error.
 */
#include "cmr-sources.h"
#include "fuzz-util.h"
#include "kernel-log.h"
#include "parse-error.h"
#include "tdx.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kernel_log log = {0};
	struct cmr_info cmrs = {0};
	struct parse_error error = {0};

	fuzz_put("root/dev/kmsg", data, size);
	if (kernel_log_read(fuzz_path("root"), &log) < 0)
		return 0;
	for (size_t i = 0; i < log.count; i++)
		fuzz_assert(strncmp(log.lines[i], "virt/tdx: ", 10) == 0);
	fuzz_assert(tdx_state_to_string(tdx_state_read(fuzz_path("root"), &log, NULL)) != NULL);
	if (cmr_load(NULL, NULL, &log, &cmrs, &error) == 0) {
		for (size_t i = 1; i < cmrs.cmrs.count; i++)
			fuzz_assert(cmrs.cmrs.items[i - 1].end < cmrs.cmrs.items[i].start);
		cmr_info_clear(&cmrs);
	}
	kernel_log_clear(&log);
	return 0;
}
