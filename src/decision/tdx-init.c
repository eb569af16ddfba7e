// SPDX-License-Identifier: GPL-2.0-or-later
#include "tdx-init.h"

#include "macro.h"

#include <stdlib.h>
#include <string.h>

#define ONE_MIB (1ull << 20)

static const char *const tdx_init_outlook_names[TDX_INIT_MAX] = {
    [TDX_INIT_NOT_PENDING] = "not-pending",
    [TDX_INIT_UNKNOWN] = "unknown",
    [TDX_INIT_WOULD_SUCCEED] = "would-succeed",
    [TDX_INIT_WOULD_FAIL] = "would-fail",
};
DEFINE_STRING_TABLE(tdx_init_outlook, enum tdx_init_outlook, TDX_INIT_MAX)

struct tdx_init_check tdx_init_check(enum tdx_state state, const struct range_set *cmrs,
				     const struct range_set *present)
{
	struct tdx_init_check check = {.outlook = TDX_INIT_NOT_PENDING};
	struct range_set counted = {0};

	/* init-failed may be tried again (kvm_intel reloaded): it is pending too */
	if (state != TDX_STATE_BIOS_ENABLED && state != TDX_STATE_INIT_FAILED &&
	    state != TDX_STATE_UNKNOWN)
		return check;
	check.outlook = TDX_INIT_UNKNOWN;
	if (!cmrs || !present)
		return check;

	for (size_t i = 0; i < present->count; i++) {
		struct range r = present->items[i];
		if (r.end <= ONE_MIB)
			continue;
		if (r.start < ONE_MIB)
			r.start = ONE_MIB;
		if (range_set_add(&counted, r.start, r.end) < 0) {
			range_set_clear(&counted);
			return check;
		}
	}
	check.outlook = range_set_first_uncovered(cmrs, &counted, &check.blocking)
			    ? TDX_INIT_WOULD_FAIL
			    : TDX_INIT_WOULD_SUCCEED;
	range_set_clear(&counted);
	return check;
}
