// SPDX-License-Identifier: GPL-2.0-or-later
/* The state of this boot: round trip, atomic save, damaged files. */
#include "macro.h"
#include "state.h"
#include "test-util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The state file, empty at first, alone in its directory. */
static char *dir, *path;

static int setup(void **state)
{
	dir = test_mkdtemp("state");
	path = test_path(dir, "state");
	test_put_file(path, NULL, "");
	return 0;
}

static int teardown(void **state)
{
	int r = test_rmtree(dir);

	free(path);
	free(dir);
	return r;
}

static void test_round_trip(void **unused)
{
	struct state state = {0}, loaded = {0};
	unsigned bad = 99;

	assert_int_equal(state_put(&state, "dax0.0", DECISION_DEVDAX, REASON_NOT_CONVERTIBLE,
				   OUTCOME_APPLIED, 1700000000000000u),
			 0);
	assert_int_equal(state_put(&state, "dax1.0", DECISION_ONLINE, REASON_TDX_INITIALIZED,
				   OUTCOME_ROLLED_BACK, 1),
			 0);
	/* a second put replaces */
	assert_int_equal(
	    state_put(&state, "dax0.0", DECISION_ONLINE, REASON_CMR_COVERED, OUTCOME_ALREADY, 2),
	    0);
	assert_int_equal(state.count, 2);
	state.counters = (struct state_counters){.records = 7, .rollbacks = 2, .failures = 1};
	assert_int_equal(state_save(path, &state), 0);

	assert_int_equal(state_load(path, &loaded, &bad), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(loaded.count, 2);
	/* this boot's totals survive a restart with the decisions */
	assert_int_equal(loaded.counters.records, 7);
	assert_int_equal(loaded.counters.rollbacks, 2);
	assert_int_equal(loaded.counters.failures, 1);
	struct state_entry *e = state_find(&loaded, "dax0.0");
	assert_non_null(e);
	assert_int_equal(e->decision, DECISION_ONLINE);
	assert_int_equal(e->reason, REASON_CMR_COVERED);
	assert_int_equal(e->outcome, OUTCOME_ALREADY);
	assert_int_equal(e->realtime_usec, 2);
	e = state_find(&loaded, "dax1.0");
	assert_non_null(e);
	assert_int_equal(e->outcome, OUTCOME_ROLLED_BACK);

	state_forget(&loaded, "dax0.0");
	assert_null(state_find(&loaded, "dax0.0"));
	assert_non_null(state_find(&loaded, "dax1.0"));
	state_forget(&loaded, "dax9.9");
	assert_int_equal(loaded.count, 1);

	state_clear(&state);
	state_clear(&loaded);
}

/* Whatever does not parse is skipped and counted; the rest is kept. */
static void test_damaged(void **unused)
{
	struct state state = {0};
	unsigned bad = 0;

	test_put_file(path, NULL,
		      "dax0.0 devdax not-convertible applied 17\n"
		      "garbage\n"
		      "dax1.0 online cmr-covered applied\n"	    /* no time */
		      "dax2.0 online made-up applied 5\n"	    /* unknown reason */
		      "dax3.0 online cmr-covered applied 5 extra\n" /* trailing word */
		      "region0 online cmr-covered applied 5\n"	    /* not a dax device */
		      "\n"
		      "dax4.0 unchanged in-use already 18"); /* no final newline */
	assert_int_equal(state_load(path, &state, &bad), 0);
	assert_int_equal(bad, 6);
	assert_int_equal(state.count, 2);
	assert_non_null(state_find(&state, "dax0.0"));
	assert_non_null(state_find(&state, "dax4.0"));
	state_clear(&state);
}

static void test_missing(void **unused)
{
	struct state state = {0};
	unsigned bad = 7;

	assert_int_equal(state_load("/nonexistent/tdxmemd/state", &state, &bad), 0);
	assert_int_equal(state.count, 0);
	assert_int_equal(bad, 0);
	assert_int_equal(state_save("/nonexistent/tdxmemd/state", &state), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_damaged),
	    cmocka_unit_test(test_missing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
