// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tdxmemd explain: every policy row has a description, the matching row is
 * named, and each reason says what would change the decision, with the
 * range or setting to change.
 */
#include "explain.h"
#include "macro.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct dax_device device = {.name = "dax0.0", .managed = true};
static struct cmr_info cmrs = {.source = CMR_SOURCE_FILE};
static struct config config;

static struct explain_facts facts_for(enum reason reason)
{
	return (struct explain_facts){
	    .device = &device,
	    .tdx_state = TDX_STATE_BIOS_ENABLED,
	    .cmrs = &cmrs,
	    .config = &config,
	    .verdict = {.row = 1, .decision = DECISION_DEVDAX, .reason = reason},
	};
}

static bool any_change_says(enum reason reason, const char *text)
{
	char changes[EXPLAIN_CHANGES_MAX][EXPLAIN_LINE_MAX];
	struct explain_facts facts = facts_for(reason);
	if (reason == REASON_NOT_CONVERTIBLE)
		facts.verdict = (struct verdict){.row = 7,
						 .reason = reason,
						 .has_uncovered = true,
						 .uncovered = {0x390000000, 0x3b0000000}};
	size_t n = explain_changes(&facts, changes);
	assert_true(n >= 1 && n <= EXPLAIN_CHANGES_MAX);
	for (size_t i = 0; i < n; i++)
		if (strstr(changes[i], text))
			return true;
	for (size_t i = 0; i < n; i++)
		print_message("  %s\n", changes[i]);
	return false;
}

static void test_rows_described(void **unused)
{
	char row[256];
	unsigned n = 0;

	while (policy_row_describe(n + 1, row, sizeof(row))) {
		assert_true(strlen(row) > 10);
		assert_non_null(strstr(row, ": "));
		n++;
	}
	assert_true(n >= 9);
	assert_false(policy_row_describe(0, row, sizeof(row)));
	assert_true(policy_row_describe(1, row, sizeof(row)));
	assert_string_equal(row, "any TDX state, device in Exclude=: unchanged (excluded)");
}

/* The row policy_decide() reports is the row whose text names its reason. */
static void test_verdict_row(void **unused)
{
	struct range_set window = {0}, boot = {0};
	char row[256];

	assert_int_equal(range_set_add(&window, 0x390000000, 0x3b0000000), 0);
	assert_int_equal(range_set_add(&boot, 0x100000, 0x80000000), 0);
	struct policy_input in = {
	    .tdx_state = TDX_STATE_BIOS_ENABLED,
	    .cmrs = &boot,
	    .pluggable = true,
	    .ranges = &window,
	};
	struct verdict v = policy_decide(&in);
	assert_int_equal(v.reason, REASON_NOT_CONVERTIBLE);
	assert_true(policy_row_describe(v.row, row, sizeof(row)));
	assert_non_null(strstr(row, "(not-convertible)"));

	in.excluded = true;
	v = policy_decide(&in);
	assert_int_equal(v.row, 1);
	range_set_clear(&window);
	range_set_clear(&boot);
}

static void test_what_would_change_it(void **unused)
{
	assert_true(
	    any_change_says(REASON_NOT_CONVERTIBLE, "a CMR covering 0x390000000-0x3b0000000"));
	assert_true(any_change_says(REASON_NOT_CONVERTIBLE, "Exclude=dax0.0"));
	assert_true(any_change_says(REASON_EXCLUDED, "out of Exclude="));
	assert_false(any_change_says(REASON_EXCLUDED, "Exclude=dax0.0 (leaves"));
	assert_true(any_change_says(REASON_TDX_INITIALIZED, "AfterInit=try"));
	config.after_init = AFTER_INIT_TRY;
	assert_true(any_change_says(REASON_TDX_INITIALIZED, "AfterInit=devdax"));
	config.after_init = AFTER_INIT_DEVDAX;
	assert_true(any_change_says(REASON_TDX_DISABLED, "WhenTdxDisabled=devdax"));
	assert_true(any_change_says(REASON_CMR_UNKNOWN, "CmrFile="));
	assert_true(any_change_says(REASON_IN_USE, "closing /dev/dax0.0"));
	/* every reason has at least one sentence */
	for (enum reason r = REASON_EXCLUDED; r <= REASON_TDX_INITIALIZED; r++)
		assert_true(any_change_says(r, " "));
}

int main(void)
{
	config_init(&config);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows_described),
	    cmocka_unit_test(test_verdict_row),
	    cmocka_unit_test(test_what_would_change_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
