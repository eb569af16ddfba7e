// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The metrics text: one line per device and family, label values escaped,
 * the TDX state as a one-hot gauge, and no would-succeed value when there
 * is nothing to tell. (tests/test-cli.sh checks the format with promtool.)
 */
#include "metrics.h"
#include "macro.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *print(const struct inventory *inventory, struct state *state, enum tdx_state tdx_state,
		   enum tdx_init_outlook outlook, uint64_t last_pass)
{
	struct tdx_init_check init = {.outlook = outlook};
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	assert_int_equal(metrics_print(f, inventory, state, tdx_state, &init, last_pass), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void assert_line(const char *text, const char *line)
{
	char *want = NULL;
	assert_true(asprintf(&want, "\n%s\n", line) > 0);
	if (!strstr(text, want))
		fail_msg("no line \"%s\" in:\n%s", line, text);
	free(want);
}

static void test_devices(void **unused)
{
	struct dax_device devices[] = {
	    {.name = "dax0.0",
	     .cxl_region = "region0",
	     .managed = true,
	     .mode = DAX_MODE_SYSTEM_RAM,
	     .size = 536870912,
	     .blocks = 4,
	     .blocks_present = 4,
	     .blocks_online = 3},
	    {.name = "dax1.0",
	     .managed = true,
	     .mode = DAX_MODE_DEVDAX,
	     .size = 268435456,
	     .blocks = 2},
	    {.name = "dax9.0", .managed = false, .mode = DAX_MODE_DEVDAX},
	};
	struct inventory inventory = {.devices = devices, .count = ARRAY_SIZE(devices)};
	struct state state = {0};

	assert_int_equal(
	    state_put(&state, "dax0.0", DECISION_ONLINE, REASON_CMR_COVERED, OUTCOME_APPLIED, 1),
	    0);
	state.counters = (struct state_counters){.records = 3, .rollbacks = 1, .failures = 0};

	_cleanup_free_ char *text = print(&inventory, &state, TDX_STATE_BIOS_ENABLED,
					  TDX_INIT_WOULD_SUCCEED, 1764590400123456);
	assert_line(text, "tdxmemd_device_info{device=\"dax0.0\",region=\"region0\","
			  "decision=\"online\",reason=\"cmr-covered\",outcome=\"applied\","
			  "mode=\"system-ram\"} 1");
	/* never decided this boot: empty labels, not a made-up decision */
	assert_line(text, "tdxmemd_device_info{device=\"dax1.0\",region=\"\",decision=\"\","
			  "reason=\"\",outcome=\"\",mode=\"devdax\"} 1");
	assert_line(text, "tdxmemd_device_bytes{device=\"dax0.0\"} 536870912");
	assert_line(text, "tdxmemd_device_blocks{device=\"dax0.0\",state=\"online\"} 3");
	assert_line(text, "tdxmemd_device_blocks{device=\"dax0.0\",state=\"offline\"} 1");
	assert_line(text, "tdxmemd_device_blocks{device=\"dax1.0\",state=\"absent\"} 2");
	/* persistent memory and other devices tdxmemd does not decide for */
	assert_null(strstr(text, "dax9.0"));
	assert_line(text, "tdxmemd_tdx_state{state=\"bios-enabled\"} 1");
	assert_line(text, "tdxmemd_tdx_state{state=\"initialized\"} 0");
	assert_line(text, "tdxmemd_tdx_init_would_succeed 1");
	assert_line(text, "tdxmemd_last_pass_timestamp_seconds 1764590400.123456");
	assert_line(text, "tdxmemd_decisions_total 3");
	assert_line(text, "tdxmemd_rollbacks_total 1");
	assert_line(text, "# TYPE tdxmemd_failures_total counter");
	state_clear(&state);
}

/* Out of the state its last record reached: changed by something else since. */
static void test_left_decided_state(void **unused)
{
	struct dax_device devices[] = {
	    /* online, then one block offlined by hand */
	    {.name = "dax0.0",
	     .managed = true,
	     .mode = DAX_MODE_SYSTEM_RAM,
	     .blocks = 4,
	     .blocks_present = 4,
	     .blocks_online = 3},
	    /* online and whole */
	    {.name = "dax1.0",
	     .managed = true,
	     .mode = DAX_MODE_SYSTEM_RAM,
	     .blocks = 4,
	     .blocks_present = 4,
	     .blocks_online = 4},
	    /* rolled back: never reached online, which an alert of its own tells */
	    {.name = "dax2.0", .managed = true, .mode = DAX_MODE_DEVDAX, .blocks = 4},
	    /* devdax, then onlined by daxctl */
	    {.name = "dax3.0",
	     .managed = true,
	     .mode = DAX_MODE_SYSTEM_RAM,
	     .blocks = 4,
	     .blocks_present = 4,
	     .blocks_online = 4},
	    /* no record this boot */
	    {.name = "dax4.0", .managed = true, .mode = DAX_MODE_DEVDAX, .blocks = 4},
	};
	struct inventory inventory = {.devices = devices, .count = ARRAY_SIZE(devices)};
	struct state state = {0};

	assert_int_equal(
	    state_put(&state, "dax0.0", DECISION_ONLINE, REASON_CMR_COVERED, OUTCOME_APPLIED, 1),
	    0);
	assert_int_equal(
	    state_put(&state, "dax1.0", DECISION_ONLINE, REASON_CMR_COVERED, OUTCOME_ALREADY, 1),
	    0);
	assert_int_equal(state_put(&state, "dax2.0", DECISION_ONLINE, REASON_CMR_COVERED,
				   OUTCOME_ROLLED_BACK, 1),
			 0);
	assert_int_equal(state_put(&state, "dax3.0", DECISION_DEVDAX, REASON_NOT_CONVERTIBLE,
				   OUTCOME_APPLIED, 1),
			 0);

	_cleanup_free_ char *text =
	    print(&inventory, &state, TDX_STATE_BIOS_ENABLED, TDX_INIT_WOULD_FAIL, 1);
	assert_line(text, "tdxmemd_device_left_decided_state{device=\"dax0.0\"} 1");
	assert_line(text, "tdxmemd_device_left_decided_state{device=\"dax1.0\"} 0");
	assert_line(text, "tdxmemd_device_left_decided_state{device=\"dax2.0\"} 0");
	assert_line(text, "tdxmemd_device_left_decided_state{device=\"dax3.0\"} 1");
	assert_null(strstr(text, "tdxmemd_device_left_decided_state{device=\"dax4.0\"}"));
	assert_line(text, "# TYPE tdxmemd_device_left_decided_state gauge");
	state_clear(&state);
}

static void test_nothing_to_tell(void **unused)
{
	struct inventory inventory = {0};
	struct state state = {0};

	_cleanup_free_ char *text =
	    print(&inventory, &state, TDX_STATE_INITIALIZED, TDX_INIT_NOT_PENDING, 0);
	assert_null(strstr(text, "tdxmemd_tdx_init_would_succeed"));
	/* no pass (status): no timestamp of one */
	assert_null(strstr(text, "tdxmemd_last_pass_timestamp_seconds"));
	assert_line(text, "tdxmemd_decisions_total 0");
	free(text);
	text = print(&inventory, &state, TDX_STATE_BIOS_ENABLED, TDX_INIT_UNKNOWN, 0);
	assert_null(strstr(text, "tdxmemd_tdx_init_would_succeed"));
}

static void test_label_escaping(void **unused)
{
	struct dax_device devices[] = {
	    {.name = "dax0.0", .cxl_region = "re\"g\\ion\n0", .managed = true},
	};
	struct inventory inventory = {.devices = devices, .count = 1};
	struct state state = {0};

	_cleanup_free_ char *text =
	    print(&inventory, &state, TDX_STATE_DISABLED, TDX_INIT_NOT_PENDING, 0);
	assert_non_null(strstr(text, "region=\"re\\\"g\\\\ion\\n0\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_devices),
	    cmocka_unit_test(test_left_decided_state),
	    cmocka_unit_test(test_nothing_to_tell),
	    cmocka_unit_test(test_label_escaping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
