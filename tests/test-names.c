// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every enum's name table, both ways: each value up to its _MAX sentinel
 * has a name that leads back to it, so that a value added without a name
 * fails here, not later in a state file that no longer loads.
 */
#include "action.h"
#include "cmr-sources.h"
#include "config.h"
#include "inventory.h"
#include "memory-blocks.h"
#include "policy.h"
#include "tdx-init.h"
#include "tdx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define CHECK_NAMES(name, type, max)                                                               \
	do {                                                                                       \
		for (int i = 0; i < (int)(max); i++) {                                             \
			type back;                                                                 \
			const char *text = name##_to_string((type)i);                              \
			assert_int_equal(name##_from_string(text, &back), 0);                      \
			assert_int_equal((int)back, i);                                            \
		}                                                                                  \
		assert_string_equal(name##_to_string((type)(max)), "unknown");                     \
		type unused;                                                                       \
		assert_int_equal(name##_from_string("no-such-name", &unused), -EINVAL);            \
	} while (0)

static void test_round_trip(void **state)
{
	CHECK_NAMES(decision, enum decision, DECISION_MAX);
	CHECK_NAMES(reason, enum reason, REASON_MAX);
	CHECK_NAMES(outcome, enum outcome, OUTCOME_MAX);
	CHECK_NAMES(kmem_interface, enum kmem_interface, KMEM_INTERFACE_MAX);
	CHECK_NAMES(cmr_source, enum cmr_source, CMR_SOURCE_MAX);
	CHECK_NAMES(online_type, enum online_type, ONLINE_TYPE_MAX);
	CHECK_NAMES(after_init, enum after_init, AFTER_INIT_MAX);
	CHECK_NAMES(when_tdx_disabled, enum when_tdx_disabled, WHEN_TDX_DISABLED_MAX);
	CHECK_NAMES(dax_mode, enum dax_mode, DAX_MODE_MAX);
	CHECK_NAMES(memory_zone, enum memory_zone, MEMORY_ZONE_MAX);
	CHECK_NAMES(tdx_init_outlook, enum tdx_init_outlook, TDX_INIT_MAX);
	CHECK_NAMES(tdx_state, enum tdx_state, TDX_STATE_MAX);
}

/* The words the journal and the state file use: changing one breaks their readers. */
static void test_words(void **state)
{
	assert_string_equal(reason_to_string(REASON_NOT_CONVERTIBLE), "not-convertible");
	assert_string_equal(outcome_to_string(OUTCOME_ROLLED_BACK), "rolled-back");
	assert_string_equal(dax_mode_to_string(DAX_MODE_SYSTEM_RAM), "system-ram");
	assert_string_equal(cmr_source_to_string(CMR_SOURCE_JOURNAL), "journal");
	assert_string_equal(tdx_state_to_string(TDX_STATE_BIOS_ENABLED), "bios-enabled");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
