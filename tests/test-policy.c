// SPDX-License-Identifier: GPL-2.0-or-later
/* Every row of the policy table, and the rows' order where two could match. */
#include "macro.h"
#include "policy.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define GIB (1ull << 30)

enum cmrs_case {
	NO_CMRS,      /* CMRs unknown */
	CMRS_COVER,   /* [0, 16 GiB) */
	CMRS_PARTIAL, /* [0, 15 GiB): the device's last GiB is outside */
};

enum device_case {
	PLAIN, /* devdax, pluggable, nothing online */
	EXCLUDED,
	IN_USE, /* devdax and held open */
	UNPLUGGABLE,
	ONLINE, /* system-ram, blocks online */
	EXCLUDED_IN_USE,
};

struct row {
	const char *name;
	enum tdx_state state;
	enum cmrs_case cmrs;
	enum device_case device;
	enum after_init after_init;
	enum when_tdx_disabled when_disabled;
	enum decision decision;
	enum reason reason;
	bool uncovered;
};

static const struct row rows[] = {
    /* any state, any CMRs: the device's own conditions come first */
    {"excluded", TDX_STATE_BIOS_ENABLED, CMRS_COVER, EXCLUDED, 0, 0, DECISION_UNCHANGED,
     REASON_EXCLUDED},
    {"excluded beats in-use", TDX_STATE_INITIALIZED, NO_CMRS, EXCLUDED_IN_USE, 0, 0,
     DECISION_UNCHANGED, REASON_EXCLUDED},
    {"excluded when disabled", TDX_STATE_DISABLED, NO_CMRS, EXCLUDED, 0, 0, DECISION_UNCHANGED,
     REASON_EXCLUDED},
    {"in-use", TDX_STATE_BIOS_ENABLED, CMRS_PARTIAL, IN_USE, 0, 0, DECISION_UNCHANGED,
     REASON_IN_USE},
    {"in-use when disabled", TDX_STATE_DISABLED, NO_CMRS, IN_USE, 0, 0, DECISION_UNCHANGED,
     REASON_IN_USE},
    {"unpluggable", TDX_STATE_UNKNOWN, CMRS_COVER, UNPLUGGABLE, 0, 0, DECISION_UNCHANGED,
     REASON_UNPLUGGABLE},
    {"unpluggable when disabled", TDX_STATE_DISABLED, NO_CMRS, UNPLUGGABLE, 0, 0,
     DECISION_UNCHANGED, REASON_UNPLUGGABLE},

    /* TDX disabled: WhenTdxDisabled= decides, CMRs do not matter */
    {"disabled online", TDX_STATE_DISABLED, NO_CMRS, PLAIN, 0, WHEN_TDX_DISABLED_ONLINE,
     DECISION_ONLINE, REASON_TDX_DISABLED},
    {"disabled online, CMRs partial", TDX_STATE_DISABLED, CMRS_PARTIAL, PLAIN, 0,
     WHEN_TDX_DISABLED_ONLINE, DECISION_ONLINE, REASON_TDX_DISABLED},
    {"disabled devdax", TDX_STATE_DISABLED, CMRS_COVER, PLAIN, 0, WHEN_TDX_DISABLED_DEVDAX,
     DECISION_DEVDAX, REASON_TDX_DISABLED},

    /* before init, CMRs known */
    {"bios covered", TDX_STATE_BIOS_ENABLED, CMRS_COVER, PLAIN, 0, 0, DECISION_ONLINE,
     REASON_CMR_COVERED},
    {"bios covered, online", TDX_STATE_BIOS_ENABLED, CMRS_COVER, ONLINE, 0, 0, DECISION_ONLINE,
     REASON_CMR_COVERED},
    {"init-failed covered", TDX_STATE_INIT_FAILED, CMRS_COVER, PLAIN, 0, 0, DECISION_ONLINE,
     REASON_CMR_COVERED},
    {"unknown covered", TDX_STATE_UNKNOWN, CMRS_COVER, PLAIN, 0, 0, DECISION_ONLINE,
     REASON_CMR_COVERED},
    {"bios uncovered", TDX_STATE_BIOS_ENABLED, CMRS_PARTIAL, PLAIN, 0, 0, DECISION_DEVDAX,
     REASON_NOT_CONVERTIBLE, true},
    {"bios uncovered, online (auto-online)", TDX_STATE_BIOS_ENABLED, CMRS_PARTIAL, ONLINE, 0, 0,
     DECISION_DEVDAX, REASON_NOT_CONVERTIBLE, true},
    {"init-failed uncovered", TDX_STATE_INIT_FAILED, CMRS_PARTIAL, PLAIN, 0, 0, DECISION_DEVDAX,
     REASON_NOT_CONVERTIBLE, true},
    {"unknown uncovered", TDX_STATE_UNKNOWN, CMRS_PARTIAL, PLAIN, 0, 0, DECISION_DEVDAX,
     REASON_NOT_CONVERTIBLE, true},

    /* CMRs unknown */
    {"bios no CMRs", TDX_STATE_BIOS_ENABLED, NO_CMRS, PLAIN, 0, 0, DECISION_DEVDAX,
     REASON_CMR_UNKNOWN},
    {"init-failed no CMRs", TDX_STATE_INIT_FAILED, NO_CMRS, PLAIN, 0, 0, DECISION_DEVDAX,
     REASON_CMR_UNKNOWN},
    {"unknown no CMRs", TDX_STATE_UNKNOWN, NO_CMRS, ONLINE, 0, 0, DECISION_DEVDAX,
     REASON_CMR_UNKNOWN},
    {"initialized no CMRs", TDX_STATE_INITIALIZED, NO_CMRS, PLAIN, AFTER_INIT_TRY, 0,
     DECISION_DEVDAX, REASON_CMR_UNKNOWN},

    /* initialized */
    {"initialized, online before init", TDX_STATE_INITIALIZED, CMRS_PARTIAL, ONLINE, 0, 0,
     DECISION_UNCHANGED, REASON_ONLINE_BEFORE_INIT},
    {"initialized, online before init, no CMRs", TDX_STATE_INITIALIZED, NO_CMRS, ONLINE, 0, 0,
     DECISION_UNCHANGED, REASON_ONLINE_BEFORE_INIT},
    {"initialized devdax", TDX_STATE_INITIALIZED, CMRS_COVER, PLAIN, AFTER_INIT_DEVDAX, 0,
     DECISION_DEVDAX, REASON_TDX_INITIALIZED},
    {"initialized uncovered devdax", TDX_STATE_INITIALIZED, CMRS_PARTIAL, PLAIN, AFTER_INIT_DEVDAX,
     0, DECISION_DEVDAX, REASON_TDX_INITIALIZED},
    {"initialized try", TDX_STATE_INITIALIZED, CMRS_COVER, PLAIN, AFTER_INIT_TRY, 0,
     DECISION_ONLINE, REASON_TDX_INITIALIZED},
};

static void test_rows(void **state)
{
	struct range_set cover = {0}, partial = {0}, device_ranges = {0};

	assert_int_equal(range_set_add(&cover, 0, 16 * GIB), 0);
	assert_int_equal(range_set_add(&partial, 0, 15 * GIB), 0);
	assert_int_equal(range_set_add(&device_ranges, 14 * GIB, 16 * GIB), 0);

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *row = &rows[i];
		struct policy_input input = {
		    .tdx_state = row->state,
		    .cmrs = row->cmrs == NO_CMRS      ? NULL
			    : row->cmrs == CMRS_COVER ? &cover
						      : &partial,
		    .after_init = row->after_init,
		    .when_tdx_disabled = row->when_disabled,
		    .excluded = row->device == EXCLUDED || row->device == EXCLUDED_IN_USE,
		    .devdax_in_use = row->device == IN_USE || row->device == EXCLUDED_IN_USE,
		    .pluggable = row->device != UNPLUGGABLE,
		    .any_online = row->device == ONLINE,
		    .ranges = &device_ranges,
		};

		struct verdict v = policy_decide(&input);
		print_message("row: %s\n", row->name);
		assert_string_equal(decision_to_string(v.decision),
				    decision_to_string(row->decision));
		assert_string_equal(reason_to_string(v.reason), reason_to_string(row->reason));
		assert_int_equal(v.has_uncovered, row->uncovered);
		if (row->uncovered) {
			assert_int_equal(v.uncovered.start, 15 * GIB);
			assert_int_equal(v.uncovered.end, 16 * GIB);
		}
	}

	range_set_clear(&cover);
	range_set_clear(&partial);
	range_set_clear(&device_ranges);
}

/* Every (state, CMRs) pair gets a decision: the table has no hole. */
static void test_total(void **state)
{
	struct range_set cmrs = {0}, ranges = {0};

	assert_int_equal(range_set_add(&cmrs, 0, GIB), 0);
	assert_int_equal(range_set_add(&ranges, 0, GIB), 0);
	for (int s = TDX_STATE_UNKNOWN; s <= TDX_STATE_INIT_FAILED; s++)
		for (int known = 0; known < 2; known++)
			for (int online = 0; online < 2; online++) {
				struct policy_input input = {
				    .tdx_state = s,
				    .cmrs = known ? &cmrs : NULL,
				    .pluggable = true,
				    .any_online = online,
				    .ranges = &ranges,
				};
				struct verdict v = policy_decide(&input);
				assert_string_not_equal(reason_to_string(v.reason), "unknown");
				/* Unknown CMRs never lead to onlining. */
				if (!known && s != TDX_STATE_DISABLED)
					assert_int_not_equal(v.decision, DECISION_ONLINE);
			}
	range_set_clear(&cmrs);
	range_set_clear(&ranges);
}

/* Coverage is judged on the union of CMRs, across every mapping. */
static void test_coverage_over_mappings(void **state)
{
	struct range_set cmrs = {0}, ranges = {0};

	assert_int_equal(range_set_add(&cmrs, 0, 2 * GIB), 0);
	assert_int_equal(range_set_add(&cmrs, 2 * GIB, 4 * GIB), 0); /* touching CMRs */
	assert_int_equal(range_set_add(&cmrs, 8 * GIB, 9 * GIB), 0);
	assert_int_equal(range_set_add(&ranges, GIB, 3 * GIB), 0);
	assert_int_equal(range_set_add(&ranges, 8 * GIB, 10 * GIB), 0);

	struct policy_input input = {
	    .tdx_state = TDX_STATE_BIOS_ENABLED,
	    .cmrs = &cmrs,
	    .pluggable = true,
	    .ranges = &ranges,
	};
	struct verdict v = policy_decide(&input);
	assert_int_equal(v.decision, DECISION_DEVDAX);
	assert_int_equal(v.reason, REASON_NOT_CONVERTIBLE);
	assert_true(v.has_uncovered);
	assert_int_equal(v.uncovered.start, 9 * GIB);
	assert_int_equal(v.uncovered.end, 10 * GIB);

	range_set_clear(&ranges);
	assert_int_equal(range_set_add(&ranges, GIB, 3 * GIB), 0);
	v = policy_decide(&input);
	assert_int_equal(v.decision, DECISION_ONLINE);
	assert_false(v.has_uncovered);

	range_set_clear(&cmrs);
	range_set_clear(&ranges);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_total),
	    cmocka_unit_test(test_coverage_over_mappings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
