// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sysfs values tdxmemd reads, odd ones included: a memory block's state
 * and valid_zones, its phys_index as a number, and /proc/cpuinfo's flags.
 * The input's first byte picks which file the rest becomes. Counts stay
 * within the blocks asked about; a number read is all hex digits.
 */
#include "fuzz-util.h"
#include "memory-blocks.h"
#include "path.h"
#include "tdx.h"

#include <string.h>

#define BLOCK (128ull << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = {
	    "root/sys/devices/system/memory/memory1/state",
	    "root/sys/devices/system/memory/memory1/valid_zones",
	    "root/proc/cpuinfo",
	    "root/sys/devices/system/memory/memory1/phys_index",
	};
	struct range_set blocks = {0};
	struct memory_blocks_status status;

	if (size == 0)
		return 0;
	fuzz_put(files[data[0] % 4], data + 1, size - 1);
	if (data[0] % 4 == 2) {
		fuzz_assert(tdx_state_to_string(tdx_state_read(fuzz_path("root"), NULL, NULL)));
		return 0;
	}
	struct path_cxt memory;
	fuzz_assert(path_cxt_open(&memory, NULL, fuzz_path("root/sys/devices/system/memory")) == 0);
	if (data[0] % 4 == 3) {
		char text[64];
		uint64_t value;
		if (path_read_u64(&memory, 16, &value, "memory1/phys_index") == 0) {
			fuzz_assert(path_read_string(&memory, text, sizeof(text),
						     "memory1/phys_index") == 0);
			const char *p =
			    strncmp(text, "0x", 2) && strncmp(text, "0X", 2) ? text : text + 2;
			fuzz_assert(*p && strspn(p, "0123456789abcdefABCDEF") == strlen(p));
		}
		path_cxt_close(&memory);
		return 0;
	}
	fuzz_put("root/sys/devices/system/memory/memory0/state", (const uint8_t *)"online\n", 7);
	fuzz_put("root/sys/devices/system/memory/memory0/valid_zones", (const uint8_t *)"Movable\n",
		 8);
	fuzz_assert(range_set_add(&blocks, 0, 3 * BLOCK) == 0);
	if (memory_blocks_read(&memory, &blocks, BLOCK, &status) == 0) {
		fuzz_assert(status.online <= status.present && status.present <= 3);
		fuzz_assert(memory_zone_to_string(status.zone) != NULL);
	}
	path_cxt_close(&memory);
	range_set_clear(&blocks);
	return 0;
}
