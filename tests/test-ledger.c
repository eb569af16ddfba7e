// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * When the ledger asks for a record: always for --once; in the daemon only
 * when the decision changed, or the device is not in the decided state and
 * acting on it did not fail before.
 */
#include "ledger.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static const struct verdict online = {.decision = DECISION_ONLINE, .reason = REASON_CMR_COVERED};
static const struct verdict devdax = {.decision = DECISION_DEVDAX,
				      .reason = REASON_NOT_CONVERTIBLE};

static void test_once_records_always(void **state)
{
	struct ledger ledger;
	struct dax_device device = {.name = "dax0.0", .mode = DAX_MODE_DEVDAX};

	ledger_init(&ledger, true, false);
	assert_int_equal(state_put(&ledger.state, "dax0.0", DECISION_DEVDAX, REASON_NOT_CONVERTIBLE,
				   OUTCOME_APPLIED, 1),
			 0);
	assert_true(ledger_should_record(&ledger, &device, &devdax));
	ledger_done(&ledger);
}

static void test_daemon_records_changes(void **state)
{
	struct ledger ledger;
	struct dax_device whole = {
	    .name = "dax0.0", .mode = DAX_MODE_SYSTEM_RAM, .blocks = 4, .blocks_online = 4};
	struct dax_device half = whole;
	struct dax_device fresh = {.name = "dax9.0", .mode = DAX_MODE_DISABLED};

	half.blocks_online = 2;
	ledger_init(&ledger, true, true);
	assert_int_equal(state_put(&ledger.state, "dax0.0", DECISION_ONLINE, REASON_CMR_COVERED,
				   OUTCOME_APPLIED, 1),
			 0);
	assert_true(ledger_should_record(&ledger, &fresh, &online));  /* never recorded */
	assert_false(ledger_should_record(&ledger, &whole, &online)); /* as recorded */
	assert_true(ledger_should_record(&ledger, &half, &online));   /* someone offlined half */
	assert_true(ledger_should_record(&ledger, &whole, &devdax));  /* the decision changed */

	/* a failed action is not retried (nor recorded again) until a reload */
	assert_int_equal(state_put(&ledger.state, "dax0.0", DECISION_ONLINE, REASON_CMR_COVERED,
				   OUTCOME_ROLLED_BACK, 2),
			 0);
	struct dax_device back = {.name = "dax0.0", .mode = DAX_MODE_DEVDAX};
	assert_false(ledger_should_record(&ledger, &back, &online));
	/* the reason alone is no news: devdax for not-convertible, then tdx-initialized */
	assert_int_equal(state_put(&ledger.state, "dax0.0", DECISION_DEVDAX, REASON_NOT_CONVERTIBLE,
				   OUTCOME_APPLIED, 3),
			 0);
	struct verdict initialized = {.decision = DECISION_DEVDAX,
				      .reason = REASON_TDX_INITIALIZED};
	assert_false(ledger_should_record(&ledger, &back, &initialized));
	ledger_done(&ledger);
}

/* Out of the state its last record reached, same decision: someone else changed it. */
static void test_changed_outside(void **state)
{
	struct ledger ledger;
	struct dax_device whole = {
	    .name = "dax0.0", .mode = DAX_MODE_SYSTEM_RAM, .blocks = 4, .blocks_online = 4};
	struct dax_device devdax_now = {.name = "dax0.0", .mode = DAX_MODE_DEVDAX};

	ledger_init(&ledger, true, true);
	assert_false(ledger_changed_outside(&ledger, &devdax_now, &online)); /* no record yet */
	assert_int_equal(state_put(&ledger.state, "dax0.0", DECISION_ONLINE, REASON_CMR_COVERED,
				   OUTCOME_APPLIED, 1),
			 0);
	assert_false(ledger_changed_outside(&ledger, &whole, &online));
	assert_true(ledger_changed_outside(&ledger, &devdax_now, &online));  /* daxctl -m devdax */
	assert_false(ledger_changed_outside(&ledger, &devdax_now, &devdax)); /* a new decision */
	/* rolled back: the state was never reached, nothing to put back */
	assert_int_equal(state_put(&ledger.state, "dax0.0", DECISION_ONLINE, REASON_CMR_COVERED,
				   OUTCOME_ROLLED_BACK, 2),
			 0);
	assert_false(ledger_changed_outside(&ledger, &devdax_now, &online));
	ledger_done(&ledger);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_once_records_always),
	    cmocka_unit_test(test_daemon_records_changes),
	    cmocka_unit_test(test_changed_outside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
