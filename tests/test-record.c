/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The record of a decision: which fields each kind of record carries, its
 * priority and MESSAGE_ID, the --once line, and a --json document that a real
 * JSON parser accepts whatever the device names hold.
 */
#include "record.h"
#include "message.h"

#include "macro.h"
#include "message-ids.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* Fixtures: the device as the inventory leaves it after the action. */

static struct range dax0_mappings[] = {{0x390000000, 0x3b0000000}};
static struct range dax1_mappings[] = {{0x880000000, 0x980000000}};
/* Two mappings with a hole, sorted as every range_set is (range.h). */
static struct range dax2_mappings[] = {{0x1000000000, 0x1040000000}, {0x1080000000, 0x1100000000}};

static char dax0_name[] = "dax0.0";
static char dax1_name[] = "dax1.0";
static char dax2_name[] = "dax2.0";
static char region0[] = "region0";
static char region1[] = "region1";
static char memdevs0[] = "mem0:0x1234";
static char memdevs1[] = "mem1:0x5678 mem2:0x9abc";

#define MAPPINGS(a)                                                                                \
	((struct range_set){.items = (a), .count = ARRAY_SIZE(a), .capacity = ARRAY_SIZE(a)})

/* 512 MiB CXL memory outside the CMRs, kept in devdax. */
static struct dax_device dax0(void)
{
	return (struct dax_device){
	    .name = dax0_name,
	    .mappings = MAPPINGS(dax0_mappings),
	    .size = 512ULL << 20,
	    .target_node = 2,
	    .mode = DAX_MODE_DEVDAX,
	    .blocks = 4,
	    .cxl_region = region0,
	    .cxl_memdevs = memdevs0,
	};
}

/* 4 GiB CXL memory inside the CMRs, online movable. */
static struct dax_device dax1(void)
{
	return (struct dax_device){
	    .name = dax1_name,
	    .mappings = MAPPINGS(dax1_mappings),
	    .size = 4ULL << 30,
	    .target_node = 1,
	    .mode = DAX_MODE_SYSTEM_RAM,
	    .blocks = 32,
	    .blocks_online = 32,
	    .zone = MEMORY_ZONE_MOVABLE,
	    .cxl_region = region1,
	    .cxl_memdevs = memdevs1,
	};
}

/* Two mappings, no CXL, no target node (soft-reserved memory, efi_fake_mem). */
static struct dax_device dax2(void)
{
	return (struct dax_device){
	    .name = dax2_name,
	    .mappings = MAPPINGS(dax2_mappings),
	    .size = 3ULL << 30,
	    .target_node = -1,
	    .mode = DAX_MODE_DEVDAX,
	    .blocks = 24,
	};
}

static struct cmr_info cmr_file = {.source = CMR_SOURCE_FILE};

static struct record make_record(const struct dax_device *device, enum decision decision,
				 enum reason reason, enum outcome outcome)
{
	return (struct record){
	    .device = device,
	    .verdict = {.decision = decision, .reason = reason},
	    .result = {.outcome = outcome},
	    .tdx_state = TDX_STATE_INITIALIZED,
	    .cmrs = &cmr_file,
	};
}

/* Helpers. */

static const struct record_field *find_journal(const struct record_fields *fields, const char *name)
{
	for (size_t i = 0; i < fields->count; i++)
		if (fields->items[i].journal_name && streq(fields->items[i].journal_name, name))
			return &fields->items[i];
	return NULL;
}

static const struct record_field *find_json(const struct record_fields *fields, const char *name)
{
	for (size_t i = 0; i < fields->count; i++)
		if (fields->items[i].json_name && streq(fields->items[i].json_name, name))
			return &fields->items[i];
	return NULL;
}

static const char *journal_value(const struct record_fields *fields, const char *name)
{
	const struct record_field *field = find_journal(fields, name);

	return field ? field->value : NULL;
}

#define assert_journal(fields, name, expected)                                                     \
	do {                                                                                       \
		const char *_v = journal_value((fields), (name));                                  \
		if (!_v)                                                                           \
			fail_msg("field %s missing", (name));                                      \
		assert_string_equal(_v, (expected));                                               \
	} while (0)

/* The journal names of @fields in order, one space between them. */
static void assert_journal_names(const struct record_fields *fields, const char *expected)
{
	char names[1024] = "";

	for (size_t i = 0; i < fields->count; i++) {
		if (!fields->items[i].journal_name)
			continue;
		if (names[0])
			strcat(names, " ");
		assert_true(strlen(names) + strlen(fields->items[i].journal_name) < sizeof(names));
		strcat(names, fields->items[i].journal_name);
	}
	assert_string_equal(names, expected);
}

static void build(const struct record *record, struct record_fields *fields)
{
	assert_int_equal(record_fields_build(record, fields), 0);
	assert_true(fields->count <= ARRAY_SIZE(fields->items));
	/* Every record is the journal's: one line of MESSAGE, an identifier. */
	assert_null(strchr(journal_value(fields, "MESSAGE"), '\n'));
	assert_journal(fields, "SYSLOG_IDENTIFIER", "tdxmemd");
}

static char *print_line(const struct record *record)
{
	char *buf = NULL;
	size_t size;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	assert_int_equal(record_print_line(f, record), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static char *print_json(enum tdx_state state, const struct cmr_info *cmrs,
			const struct record *records, size_t count)
{
	char *buf = NULL;
	size_t size;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	assert_int_equal(record_print_json(f, state, cmrs, records, count), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Tests that parse with Python skip without it, before they allocate. */
static void require_python(void)
{
	if (system("python3 -c 'import json' >/dev/null 2>&1") != 0)
		skip();
}

/*
 * Feeds @json to Python's json module running @script (sys.stdin holds the
 * document, "d" the parsed object) and returns what the script prints.
 */
static char *python_json(const char *json, const char *script)
{
	char path[] = "/tmp/test-record-XXXXXX";
	_cleanup_free_ char *command = NULL;
	char *out = NULL;
	size_t out_size = 0;
	char buf[4096];
	FILE *p, *o;
	size_t n;
	int fd, status;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	assert_int_equal(close(fd), 0);

	assert_true(asprintf(&command,
			     "python3 -c 'import json, sys\n"
			     "d = json.load(open(sys.argv[1], encoding=\"utf-8\"))\n"
			     "%s' %s",
			     script, path) > 0);
	p = popen(command, "r");
	assert_non_null(p);
	o = open_memstream(&out, &out_size);
	assert_non_null(o);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, n, o);
	status = pclose(p);
	assert_int_equal(fclose(o), 0);
	unlink(path);
	if (status != 0)
		fail_msg("python3 rejected the document (%d):\n%s", status, json);
	return out;
}

/* Field lists. */

static void test_online_applied(void **state)
{
	struct dax_device device = dax1();
	struct record record =
	    make_record(&device, DECISION_ONLINE, REASON_CMR_COVERED, OUTCOME_APPLIED);
	_cleanup_(record_fields_clear) struct record_fields fields = {};
	static const char names[] =
	    "TDXMEMD_DEVICE TDXMEMD_RANGE_START TDXMEMD_RANGE_END TDXMEMD_SIZE TDXMEMD_MODE "
	    "TDXMEMD_DECISION TDXMEMD_REASON TDXMEMD_OUTCOME TDXMEMD_TDX_STATE "
	    "TDXMEMD_CMR_SOURCE TDXMEMD_BLOCKS TDXMEMD_BLOCKS_ONLINE TDXMEMD_ZONE "
	    "TDXMEMD_NODE TDXMEMD_CXL_REGION TDXMEMD_CXL_MEMDEVS MESSAGE MESSAGE_ID "
	    "PRIORITY SYSLOG_IDENTIFIER";

	build(&record, &fields);
	assert_journal_names(&fields, names);
	assert_journal(&fields, "TDXMEMD_DEVICE", "dax1.0");
	assert_journal(&fields, "TDXMEMD_RANGE_START", "0x880000000");
	assert_journal(&fields, "TDXMEMD_RANGE_END", "0x980000000");
	assert_journal(&fields, "TDXMEMD_SIZE", "4294967296");
	assert_journal(&fields, "TDXMEMD_DECISION", "online");
	assert_journal(&fields, "TDXMEMD_REASON", "cmr-covered");
	assert_journal(&fields, "TDXMEMD_OUTCOME", outcome_to_string(OUTCOME_APPLIED));
	assert_journal(&fields, "TDXMEMD_TDX_STATE", tdx_state_to_string(TDX_STATE_INITIALIZED));
	assert_journal(&fields, "TDXMEMD_CMR_SOURCE", cmr_source_to_string(CMR_SOURCE_FILE));
	assert_journal(&fields, "TDXMEMD_BLOCKS", "32");
	assert_journal(&fields, "TDXMEMD_BLOCKS_ONLINE", "32");
	assert_journal(&fields, "TDXMEMD_ZONE", "movable");
	assert_journal(&fields, "TDXMEMD_NODE", "1");
	assert_journal(&fields, "TDXMEMD_CXL_REGION", "region1");
	assert_journal(&fields, "TDXMEMD_CXL_MEMDEVS", "mem1:0x5678 mem2:0x9abc");
	assert_journal(&fields, "MESSAGE",
		       "dax1.0 [0x880000000-0x980000000) 4 GiB: online (cmr-covered), "
		       "32/32 blocks movable, region1");
	assert_journal(&fields, "MESSAGE_ID", MESSAGE_ID_ONLINE);
	assert_journal(&fields, "PRIORITY", "6");

	/* daxctl's names where it has one; the mode also in the journal, so a
	 * record shows where a rollback left the device; movable JSON-only. */
	assert_string_equal(find_json(&fields, "chardev")->value, "dax1.0");
	assert_int_equal(find_json(&fields, "size")->kind, RECORD_VALUE_NUMBER);
	assert_int_equal(find_json(&fields, "target_node")->kind, RECORD_VALUE_NUMBER);
	assert_string_equal(find_json(&fields, "mode")->journal_name, "TDXMEMD_MODE");
	assert_string_equal(find_json(&fields, "mode")->value, "system-ram");
	assert_int_equal(find_json(&fields, "movable")->kind, RECORD_VALUE_BOOL);
	assert_string_equal(find_json(&fields, "movable")->value, "true");
	assert_null(find_json(&fields, "movable")->journal_name);
	assert_null(find_journal(&fields, "SYSLOG_IDENTIFIER")->json_name);
	assert_string_equal(find_json(&fields, "range_start")->journal_name, "TDXMEMD_RANGE_START");
	assert_string_equal(find_json(&fields, "blocks_online")->journal_name,
			    "TDXMEMD_BLOCKS_ONLINE");
}

static void test_devdax_not_convertible(void **state)
{
	struct dax_device device = dax0();
	struct record record =
	    make_record(&device, DECISION_DEVDAX, REASON_NOT_CONVERTIBLE, OUTCOME_APPLIED);
	_cleanup_(record_fields_clear) struct record_fields fields = {};
	static const char names[] =
	    "TDXMEMD_DEVICE TDXMEMD_RANGE_START TDXMEMD_RANGE_END TDXMEMD_SIZE TDXMEMD_MODE "
	    "TDXMEMD_DECISION TDXMEMD_REASON TDXMEMD_OUTCOME TDXMEMD_TDX_STATE "
	    "TDXMEMD_CMR_SOURCE TDXMEMD_UNCOVERED TDXMEMD_BLOCKS "
	    "TDXMEMD_BLOCKS_ONLINE TDXMEMD_ZONE TDXMEMD_NODE TDXMEMD_CXL_REGION "
	    "TDXMEMD_CXL_MEMDEVS MESSAGE MESSAGE_ID PRIORITY SYSLOG_IDENTIFIER";

	record.verdict.has_uncovered = true;
	record.verdict.uncovered = (struct range){0x390000000, 0x3b0000000};

	build(&record, &fields);
	assert_journal_names(&fields, names);
	assert_journal(&fields, "TDXMEMD_UNCOVERED", "0x390000000-0x3b0000000");
	assert_journal(&fields, "TDXMEMD_SIZE", "536870912");
	assert_journal(&fields, "TDXMEMD_BLOCKS", "4");
	assert_journal(&fields, "TDXMEMD_BLOCKS_ONLINE", "0");
	assert_journal(&fields, "TDXMEMD_ZONE", "none");
	assert_journal(&fields, "TDXMEMD_DECISION", "devdax");
	assert_journal(&fields, "TDXMEMD_REASON", "not-convertible");
	assert_journal(&fields, "MESSAGE",
		       "dax0.0 [0x390000000-0x3b0000000) 512 MiB: devdax (not-convertible, "
		       "0x390000000-0x3b0000000 outside the CMRs), region0");
	assert_journal(&fields, "MESSAGE_ID", MESSAGE_ID_DEVDAX);
	assert_journal(&fields, "PRIORITY", "6");
	assert_string_equal(find_json(&fields, "mode")->value, "devdax");
	/* daxctl says "movable" only of system-ram devices. */
	assert_null(find_json(&fields, "movable"));
}

static void test_rolled_back(void **state)
{
	struct dax_device device = dax1();
	struct record record =
	    make_record(&device, DECISION_ONLINE, REASON_TDX_INITIALIZED, OUTCOME_ROLLED_BACK);
	_cleanup_(record_fields_clear) struct record_fields fields = {};

	/* The action put it back: devdax, nothing online. */
	device.mode = DAX_MODE_DEVDAX;
	device.blocks_online = 0;
	device.zone = MEMORY_ZONE_NONE;
	record.result.error = EPERM;

	build(&record, &fields);
	assert_journal(&fields, "TDXMEMD_OUTCOME", outcome_to_string(OUTCOME_ROLLED_BACK));
	assert_journal(&fields, "TDXMEMD_DECISION", "online");
	assert_journal(&fields, "TDXMEMD_REASON", "tdx-initialized");
	assert_journal(&fields, "ERRNO", "1");
	assert_int_equal(find_json(&fields, "errno")->kind, RECORD_VALUE_NUMBER);
	assert_journal(&fields, "MESSAGE_ID", MESSAGE_ID_ROLLED_BACK);
	assert_journal(&fields, "PRIORITY", "4");
	assert_journal(&fields, "MESSAGE",
		       "dax1.0 [0x880000000-0x980000000) 4 GiB: online (tdx-initialized) failed: "
		       "Operation not permitted; rolled back to devdax, region1");
	assert_null(find_json(&fields, "movable"));
}

static void test_failed_in_use_override(void **state)
{
	struct dax_device device = dax1();
	struct record record =
	    make_record(&device, DECISION_DEVDAX, REASON_NOT_CONVERTIBLE, OUTCOME_FAILED);
	_cleanup_(record_fields_clear) struct record_fields fields = {};

	/* Offlining was refused: something uses the memory, so it stays online. */
	record.result.error = EBUSY;
	record.result.offline_refused = true;
	record.verdict.has_uncovered = true;
	record.verdict.uncovered = (struct range){0x900000000, 0x980000000};
	device.zone = MEMORY_ZONE_NORMAL;

	build(&record, &fields);
	assert_journal(&fields, "TDXMEMD_REASON", "in-use");
	assert_journal(&fields, "TDXMEMD_DECISION", "devdax");
	assert_journal(&fields, "TDXMEMD_OUTCOME", outcome_to_string(OUTCOME_FAILED));
	assert_journal(&fields, "ERRNO", "16");
	assert_journal(&fields, "MESSAGE_ID", MESSAGE_ID_FAILED);
	assert_journal(&fields, "PRIORITY", "3");
	assert_journal(&fields, "TDXMEMD_ZONE", "normal");
	/* The gap stays a field; the message gives only the reason that holds. */
	assert_journal(&fields, "TDXMEMD_UNCOVERED", "0x900000000-0x980000000");
	assert_journal(&fields, "MESSAGE",
		       "dax1.0 [0x880000000-0x980000000) 4 GiB: devdax (in-use) failed: "
		       "Device or resource busy; currently 32/32 blocks normal, region1");
	assert_string_equal(find_json(&fields, "movable")->value, "false");
}

static void test_multi_mapping(void **state)
{
	struct dax_device device = dax2();
	struct record record =
	    make_record(&device, DECISION_DEVDAX, REASON_CMR_UNKNOWN, OUTCOME_ALREADY);
	_cleanup_(record_fields_clear) struct record_fields fields = {};

	build(&record, &fields);
	assert_journal(&fields, "TDXMEMD_RANGE_START", "0x1000000000");
	assert_journal(&fields, "TDXMEMD_RANGE_END", "0x1100000000");
	assert_journal(&fields, "TDXMEMD_RANGES",
		       "0x1000000000-0x1040000000 0x1080000000-0x1100000000");
	assert_string_equal(find_json(&fields, "ranges")->journal_name, "TDXMEMD_RANGES");
	assert_journal(&fields, "TDXMEMD_SIZE", "3221225472");
	assert_journal(&fields, "MESSAGE",
		       "dax2.0 [0x1000000000-0x1100000000) 3 GiB: devdax (cmr-unknown) already");
}

/* Every optional field at once still fits struct record_fields. */
static void test_every_field(void **state)
{
	struct dax_device device = dax1();
	struct record record =
	    make_record(&device, DECISION_DEVDAX, REASON_NOT_CONVERTIBLE, OUTCOME_FAILED);
	_cleanup_(record_fields_clear) struct record_fields fields = {};

	device.mappings = MAPPINGS(dax2_mappings);
	record.verdict.has_uncovered = true;
	record.verdict.uncovered = (struct range){0x1080000000, 0x1100000000};
	record.result.error = EBUSY;
	record.result.rollback_error = EIO;

	build(&record, &fields);
	assert_journal_names(
	    &fields, "TDXMEMD_DEVICE TDXMEMD_RANGE_START TDXMEMD_RANGE_END "
		     "TDXMEMD_RANGES TDXMEMD_SIZE TDXMEMD_MODE TDXMEMD_DECISION TDXMEMD_REASON "
		     "TDXMEMD_OUTCOME TDXMEMD_TDX_STATE TDXMEMD_CMR_SOURCE "
		     "TDXMEMD_UNCOVERED TDXMEMD_BLOCKS TDXMEMD_BLOCKS_ONLINE "
		     "TDXMEMD_ZONE TDXMEMD_NODE TDXMEMD_CXL_REGION "
		     "TDXMEMD_CXL_MEMDEVS ERRNO TDXMEMD_ROLLBACK_ERRNO MESSAGE "
		     "MESSAGE_ID PRIORITY "
		     "SYSLOG_IDENTIFIER");
	/* Plus the JSON-only "mode" and "movable". */
	assert_int_equal(fields.count, 25);
	assert_journal(&fields, "MESSAGE",
		       "dax1.0 [0x1000000000-0x1100000000) 4 GiB: devdax (not-convertible, "
		       "0x1080000000-0x1100000000 outside the CMRs) failed: Device or resource "
		       "busy; returning to devdax failed: Input/output error; currently 32/32 "
		       "blocks movable, region1");
}

/* Another agent changed the device, and kmem's unbind kept memory: both said. */
static void test_put_back_and_stranded(void **state)
{
	struct dax_device device = dax1();
	struct record record =
	    make_record(&device, DECISION_DEVDAX, REASON_NOT_CONVERTIBLE, OUTCOME_FAILED);
	_cleanup_(record_fields_clear) struct record_fields fields = {};

	device.mode = DAX_MODE_DISABLED;
	record.put_back = true;
	record.found_mode = DAX_MODE_SYSTEM_RAM;
	record.found_online = 32;
	record.result.error = EBUSY;
	record.result.stranded_blocks = 32;
	record.result.stranded_online = 1;

	build(&record, &fields);
	assert_journal(&fields, "TDXMEMD_PUT_BACK", "system-ram");
	assert_journal(&fields, "TDXMEMD_STRANDED_BLOCKS", "32");
	assert_int_equal(find_json(&fields, "stranded_blocks")->kind, RECORD_VALUE_NUMBER);
	assert_journal(&fields, "MESSAGE",
		       "dax1.0 [0x880000000-0x980000000) 4 GiB: devdax (not-convertible) failed: "
		       "Device or resource busy; kmem unbound with 32 block(s) left, 1 online: the "
		       "kernel keeps them until reboot; currently disabled, region1; put back: "
		       "found system-ram, 32/32 blocks online, changed outside tdxmemd");
}

/* Onlining failed and so did undoing it: neither state holds. */
static void test_rollback_failed(void **state)
{
	struct dax_device device = dax1();
	struct record record =
	    make_record(&device, DECISION_ONLINE, REASON_TDX_INITIALIZED, OUTCOME_FAILED);
	_cleanup_(record_fields_clear) struct record_fields fields = {};
	_cleanup_free_ char *line = NULL;

	device.blocks_online = 0;
	device.zone = MEMORY_ZONE_NONE;
	record.result.error = EPERM;
	record.result.rollback_error = EBUSY;

	build(&record, &fields);
	assert_journal(&fields, "ERRNO", "1");
	assert_journal(&fields, "TDXMEMD_ROLLBACK_ERRNO", "16");
	assert_int_equal(find_json(&fields, "rollback_errno")->kind, RECORD_VALUE_NUMBER);
	assert_journal(&fields, "MESSAGE_ID", MESSAGE_ID_FAILED);
	assert_journal(&fields, "PRIORITY", "3");
	assert_journal(&fields, "MESSAGE",
		       "dax1.0 [0x880000000-0x980000000) 4 GiB: online (tdx-initialized) failed: "
		       "Operation not permitted; returning to devdax failed: Device or resource "
		       "busy; currently 0/32 blocks online, region1");

	line = print_line(&record);
	assert_string_equal(line, "dax1.0: online (tdx-initialized) failed: "
				  "0x880000000-0x980000000 4 GiB, 0/32 blocks online, region1; "
				  "Operation not permitted; returning to devdax failed: Device or "
				  "resource busy\n");
}

static void test_single_mapping_has_no_ranges(void **state)
{
	struct dax_device device = dax0();
	struct record record =
	    make_record(&device, DECISION_DEVDAX, REASON_CMR_UNKNOWN, OUTCOME_ALREADY);
	_cleanup_(record_fields_clear) struct record_fields fields = {};

	build(&record, &fields);
	assert_null(find_journal(&fields, "TDXMEMD_RANGES"));
	assert_null(find_json(&fields, "ranges"));
	assert_null(find_journal(&fields, "TDXMEMD_UNCOVERED"));
	assert_null(find_journal(&fields, "ERRNO"));
}

static void test_non_cxl_no_node(void **state)
{
	struct dax_device device = dax2();
	struct record record =
	    make_record(&device, DECISION_UNCHANGED, REASON_UNPLUGGABLE, OUTCOME_ALREADY);
	_cleanup_(record_fields_clear) struct record_fields fields = {};
	static const char names[] =
	    "TDXMEMD_DEVICE TDXMEMD_RANGE_START TDXMEMD_RANGE_END TDXMEMD_RANGES "
	    "TDXMEMD_SIZE TDXMEMD_MODE TDXMEMD_DECISION TDXMEMD_REASON TDXMEMD_OUTCOME "
	    "TDXMEMD_TDX_STATE TDXMEMD_CMR_SOURCE TDXMEMD_BLOCKS "
	    "TDXMEMD_BLOCKS_ONLINE TDXMEMD_ZONE MESSAGE MESSAGE_ID PRIORITY "
	    "SYSLOG_IDENTIFIER";

	build(&record, &fields);
	assert_journal_names(&fields, names);
	assert_null(find_json(&fields, "target_node"));
	assert_null(find_json(&fields, "cxl_region"));
	assert_null(find_json(&fields, "cxl_memdevs"));
	assert_journal(&fields, "MESSAGE_ID", MESSAGE_ID_UNCHANGED);
	assert_journal(&fields, "MESSAGE",
		       "dax2.0 [0x1000000000-0x1100000000) 3 GiB: unchanged (unpluggable), devdax");
}

static void test_node_minus_one_cxl(void **state)
{
	struct dax_device device = dax0();
	struct record record =
	    make_record(&device, DECISION_UNCHANGED, REASON_UNPLUGGABLE, OUTCOME_ALREADY);
	_cleanup_(record_fields_clear) struct record_fields fields = {};

	device.target_node = -1;
	build(&record, &fields);
	assert_null(find_journal(&fields, "TDXMEMD_NODE"));
	assert_null(find_json(&fields, "target_node"));
	assert_journal(&fields, "TDXMEMD_CXL_REGION", "region0");

	record_fields_clear(&fields);
	device.target_node = 0;
	build(&record, &fields);
	assert_journal(&fields, "TDXMEMD_NODE", "0");
}

static void test_no_cmrs_no_mapping(void **state)
{
	struct dax_device device = dax2();
	struct record record =
	    make_record(&device, DECISION_UNCHANGED, REASON_UNPLUGGABLE, OUTCOME_ALREADY);
	_cleanup_(record_fields_clear) struct record_fields fields = {};

	/* A device libdaxctl reports without a mapping: no range to name. */
	device.mappings = (struct range_set){};
	device.size = 0;
	record.cmrs = NULL;
	build(&record, &fields);
	assert_null(find_journal(&fields, "TDXMEMD_RANGE_START"));
	assert_null(find_journal(&fields, "TDXMEMD_RANGE_END"));
	assert_journal(&fields, "TDXMEMD_CMR_SOURCE", cmr_source_to_string(CMR_SOURCE_NONE));
	assert_journal(&fields, "MESSAGE", "dax2.0 0 B: unchanged (unpluggable), devdax");
}

/* Priorities, MESSAGE_IDs and the wording of each outcome. */

static void test_priority_and_message_id(void **state)
{
	static const struct {
		enum decision decision;
		enum outcome outcome;
		int priority;
		const char *message_id;
	} table[] = {
	    {DECISION_ONLINE, OUTCOME_APPLIED, LOG_INFO, MESSAGE_ID_ONLINE},
	    {DECISION_ONLINE, OUTCOME_ALREADY, LOG_INFO, MESSAGE_ID_ONLINE},
	    {DECISION_ONLINE, OUTCOME_PLANNED, LOG_INFO, MESSAGE_ID_ONLINE},
	    {DECISION_ONLINE, OUTCOME_ROLLED_BACK, LOG_WARNING, MESSAGE_ID_ROLLED_BACK},
	    {DECISION_ONLINE, OUTCOME_FAILED, LOG_ERR, MESSAGE_ID_FAILED},
	    {DECISION_DEVDAX, OUTCOME_APPLIED, LOG_INFO, MESSAGE_ID_DEVDAX},
	    {DECISION_DEVDAX, OUTCOME_ALREADY, LOG_INFO, MESSAGE_ID_DEVDAX},
	    {DECISION_DEVDAX, OUTCOME_PLANNED, LOG_INFO, MESSAGE_ID_DEVDAX},
	    {DECISION_DEVDAX, OUTCOME_FAILED, LOG_ERR, MESSAGE_ID_FAILED},
	    {DECISION_UNCHANGED, OUTCOME_ALREADY, LOG_INFO, MESSAGE_ID_UNCHANGED},
	    {DECISION_UNCHANGED, OUTCOME_FAILED, LOG_ERR, MESSAGE_ID_FAILED},
	};
	struct dax_device device = dax0();

	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		struct record record =
		    make_record(&device, table[i].decision, REASON_CMR_COVERED, table[i].outcome);
		_cleanup_(record_fields_clear) struct record_fields fields = {};
		char priority[4];

		assert_int_equal(record_priority(&record), table[i].priority);
		assert_string_equal(record_message_id(&record), table[i].message_id);

		build(&record, &fields);
		snprintf(priority, sizeof(priority), "%d", table[i].priority);
		assert_journal(&fields, "PRIORITY", priority);
		assert_journal(&fields, "MESSAGE_ID", table[i].message_id);
		assert_journal(&fields, "TDXMEMD_OUTCOME", outcome_to_string(table[i].outcome));
	}
}

static void test_messages(void **state)
{
	struct dax_device online = dax1(), devdax = dax0();
	struct record record;

	/* Already online: nothing was touched. */
	record = make_record(&online, DECISION_ONLINE, REASON_CMR_COVERED, OUTCOME_ALREADY);
	{
		_cleanup_(record_fields_clear) struct record_fields fields = {};

		build(&record, &fields);
		assert_journal(&fields, "MESSAGE",
			       "dax1.0 [0x880000000-0x980000000) 4 GiB: online (cmr-covered) "
			       "already, 32/32 blocks movable, region1");
	}

	/* --dry-run: still devdax, and the message says so. */
	record = make_record(&devdax, DECISION_ONLINE, REASON_CMR_COVERED, OUTCOME_PLANNED);
	{
		_cleanup_(record_fields_clear) struct record_fields fields = {};

		build(&record, &fields);
		assert_journal(&fields, "MESSAGE",
			       "dax0.0 [0x390000000-0x3b0000000) 512 MiB: online (cmr-covered) "
			       "planned, currently devdax, region0");
	}

	/* kmem bound, no block online yet; a size that is no whole unit. */
	online.blocks_online = 0;
	online.zone = MEMORY_ZONE_NONE;
	online.size = 3ULL << 29;
	record = make_record(&online, DECISION_UNCHANGED, REASON_EXCLUDED, OUTCOME_ALREADY);
	{
		_cleanup_(record_fields_clear) struct record_fields fields = {};

		build(&record, &fields);
		assert_journal(&fields, "MESSAGE",
			       "dax1.0 [0x880000000-0x980000000) 1.5 GiB: unchanged (excluded), "
			       "0/32 blocks online, region1");
	}

	/* Failed without an errno; the device was left without a driver. */
	devdax.mode = DAX_MODE_DISABLED;
	devdax.size = 1536;
	record = make_record(&devdax, DECISION_DEVDAX, REASON_NOT_CONVERTIBLE, OUTCOME_FAILED);
	{
		_cleanup_(record_fields_clear) struct record_fields fields = {};

		build(&record, &fields);
		assert_null(find_journal(&fields, "ERRNO"));
		assert_journal(&fields, "MESSAGE",
			       "dax0.0 [0x390000000-0x3b0000000) 1.5 KiB: devdax (not-convertible) "
			       "failed, currently disabled, region0");
	}
}

static void test_message_one_line(void **state)
{
	char name[] = "dax\n0.0\t\x01";
	struct dax_device device = dax0();
	struct record record =
	    make_record(&device, DECISION_DEVDAX, REASON_CMR_COVERED, OUTCOME_APPLIED);
	_cleanup_(record_fields_clear) struct record_fields fields = {};
	_cleanup_free_ char *line = NULL;

	device.name = name;
	build(&record, &fields);
	/* The name field keeps the bytes; only the human text is flattened. */
	assert_journal(&fields, "TDXMEMD_DEVICE", name);
	assert_journal(
	    &fields, "MESSAGE",
	    "dax?0.0?? [0x390000000-0x3b0000000) 512 MiB: devdax (cmr-covered), region0");

	line = print_line(&record);
	assert_string_equal(line, "dax?0.0??: devdax (cmr-covered) applied: "
				  "0x390000000-0x3b0000000 512 MiB, region0\n");
}

/* status: the device's own fields, the same values a record gives, in order. */
static void test_device_fields(void **state)
{
	struct dax_device device = dax1();
	struct record record =
	    make_record(&device, DECISION_ONLINE, REASON_CMR_COVERED, OUTCOME_APPLIED);
	_cleanup_(record_fields_clear) struct record_fields fields = {}, own = {};
	size_t next = 0;

	device.mappings = MAPPINGS(dax2_mappings);
	build(&record, &fields);
	assert_int_equal(record_device_fields(&device, &own), 0);
	assert_journal_names(&own, "TDXMEMD_DEVICE TDXMEMD_RANGE_START TDXMEMD_RANGE_END "
				   "TDXMEMD_RANGES TDXMEMD_SIZE TDXMEMD_MODE TDXMEMD_BLOCKS "
				   "TDXMEMD_BLOCKS_ONLINE TDXMEMD_ZONE TDXMEMD_NODE "
				   "TDXMEMD_CXL_REGION TDXMEMD_CXL_MEMDEVS");
	for (size_t i = 0; i < own.count; i++) {
		while (next < fields.count &&
		       !streq(fields.items[next].json_name ? fields.items[next].json_name : "",
			      own.items[i].json_name))
			next++;
		if (next == fields.count)
			fail_msg("%s: not in the record, or out of order", own.items[i].json_name);
		assert_string_equal(fields.items[next].value, own.items[i].value);
		assert_int_equal(fields.items[next].kind, own.items[i].kind);
	}
	assert_null(find_json(&own, "decision"));
	assert_null(find_journal(&own, "MESSAGE"));
}

static void test_fields_clear(void **state)
{
	struct dax_device device = dax1();
	struct record record =
	    make_record(&device, DECISION_ONLINE, REASON_CMR_COVERED, OUTCOME_APPLIED);
	struct record_fields fields;

	build(&record, &fields);
	record_fields_clear(&fields);
	assert_int_equal(fields.count, 0);
	/* Idempotent, so a cleanup handler may run it again. */
	record_fields_clear(&fields);
	assert_int_equal(fields.count, 0);
}

/* --once */

static void test_print_line(void **state)
{
	struct dax_device devdax = dax0(), online = dax1(), plain = dax2();
	struct record record;
	char *line;

	record = make_record(&devdax, DECISION_DEVDAX, REASON_NOT_CONVERTIBLE, OUTCOME_APPLIED);
	record.verdict.has_uncovered = true;
	record.verdict.uncovered = (struct range){0x390000000, 0x3b0000000};
	line = print_line(&record);
	assert_string_equal(line, "dax0.0: devdax (not-convertible) applied: "
				  "0x390000000-0x3b0000000 512 MiB, region0\n");
	free(line);

	record = make_record(&online, DECISION_ONLINE, REASON_CMR_COVERED, OUTCOME_ALREADY);
	line = print_line(&record);
	assert_string_equal(line, "dax1.0: online (cmr-covered) already: 0x880000000-0x980000000 "
				  "4 GiB, 32/32 blocks movable, region1\n");
	free(line);

	online.mode = DAX_MODE_DEVDAX;
	online.blocks_online = 0;
	online.zone = MEMORY_ZONE_NONE;
	record = make_record(&online, DECISION_ONLINE, REASON_TDX_INITIALIZED, OUTCOME_ROLLED_BACK);
	record.result.error = EPERM;
	line = print_line(&record);
	assert_string_equal(line, "dax1.0: online (tdx-initialized) rolled-back: "
				  "0x880000000-0x980000000 4 GiB, region1; "
				  "Operation not permitted\n");
	free(line);

	record = make_record(&plain, DECISION_ONLINE, REASON_CMR_COVERED, OUTCOME_PLANNED);
	line = print_line(&record);
	assert_string_equal(line, "dax2.0: online (cmr-covered) planned: "
				  "0x1000000000-0x1100000000 3 GiB\n");
	free(line);
}

/* --json */

static void test_json_document(void **state)
{
	char quoted[] = "dax\"0.0\\\n\x01\xff\xc3\xa9";
	struct range cmr_ranges[] = {{0x100000, 0x80000000}, {0x100000000, 0xfffff00000000000}};
	struct cmr_info cmrs = {
	    .source = CMR_SOURCE_FILE,
	    .cmrs = MAPPINGS(cmr_ranges),
	};
	struct dax_device devices[] = {dax0(), dax1(), dax2()};
	struct record records[4];
	_cleanup_free_ char *json = NULL, *out = NULL;

	require_python();
	devices[0].name = quoted;
	records[0] =
	    make_record(&devices[0], DECISION_DEVDAX, REASON_NOT_CONVERTIBLE, OUTCOME_APPLIED);
	records[0].verdict.has_uncovered = true;
	records[0].verdict.uncovered = (struct range){0x390000000, 0x3b0000000};
	records[1] = make_record(&devices[1], DECISION_ONLINE, REASON_CMR_COVERED, OUTCOME_APPLIED);
	records[2] =
	    make_record(&devices[2], DECISION_ONLINE, REASON_TDX_INITIALIZED, OUTCOME_ROLLED_BACK);
	records[2].result.error = EPERM;
	records[3] =
	    make_record(&devices[1], DECISION_DEVDAX, REASON_NOT_CONVERTIBLE, OUTCOME_FAILED);
	records[3].result.error = EBUSY;
	records[3].result.offline_refused = true;

	json = print_json(TDX_STATE_INITIALIZED, &cmrs, records, ARRAY_SIZE(records));
	out = python_json(
	    json,
	    "print(d[\"tdx_state\"], d[\"cmr_source\"])\n"
	    "print(d[\"cmrs\"])\n"
	    "r = d[\"decisions\"]\n"
	    "print(len(r), ascii(r[0][\"chardev\"]))\n"
	    "print(r[0][\"size\"], r[0][\"mode\"], \"movable\" in r[0], r[0][\"uncovered\"])\n"
	    "print(r[1][\"target_node\"], r[1][\"movable\"], r[1][\"blocks\"], "
	    "r[1][\"mode\"], r[1][\"message_id\"], r[1][\"priority\"])\n"
	    "print(r[2][\"errno\"], r[2][\"outcome\"], \"target_node\" in r[2], "
	    "\"cxl_region\" in r[2], r[2][\"ranges\"])\n"
	    "print(r[3][\"reason\"], r[3][\"movable\"], r[3][\"priority\"])\n"
	    "print(sorted(r[1]))");

	{
		_cleanup_free_ char *expected = NULL;

		assert_true(
		    asprintf(&expected,
			     "%s %s\n"
			     "[['0x100000', '0x80000000'], ['0x100000000', "
			     "'0xfffff00000000000']]\n"
			     "4 'dax\"0.0\\\\\\n\\x01\\ufffd\\xe9'\n"
			     "536870912 devdax False 0x390000000-0x3b0000000\n"
			     "1 True 32 system-ram %s 6\n"
			     "1 %s False False 0x1000000000-0x1040000000 "
			     "0x1080000000-0x1100000000\n"
			     "in-use True 3\n"
			     "['blocks', 'blocks_online', 'chardev', 'cmr_source', 'cxl_memdevs', "
			     "'cxl_region', 'decision', 'message', 'message_id', 'mode', "
			     "'movable', 'outcome', 'priority', 'range_end', 'range_start', "
			     "'reason', 'size', 'target_node', 'tdx_state', 'zone']\n",
			     tdx_state_to_string(TDX_STATE_INITIALIZED),
			     cmr_source_to_string(CMR_SOURCE_FILE), MESSAGE_ID_ONLINE,
			     outcome_to_string(OUTCOME_ROLLED_BACK)) > 0);
		assert_string_equal(out, expected);
	}
}

static void test_json_empty(void **state)
{
	_cleanup_free_ char *json = NULL, *out = NULL;

	require_python();
	json = print_json(TDX_STATE_UNKNOWN, NULL, NULL, 0);
	out = python_json(json, "print(d)");
	{
		_cleanup_free_ char *expected = NULL;

		assert_true(asprintf(&expected,
				     "{'tdx_state': '%s', 'cmr_source': '%s', 'cmrs': [], "
				     "'decisions': []}\n",
				     tdx_state_to_string(TDX_STATE_UNKNOWN),
				     cmr_source_to_string(CMR_SOURCE_NONE)) > 0);
		assert_string_equal(out, expected);
	}
}

/* Readable: one member per line, every decision indented below "decisions". */
static void test_json_layout(void **state)
{
	struct dax_device device = dax2();
	struct record record =
	    make_record(&device, DECISION_ONLINE, REASON_CMR_COVERED, OUTCOME_PLANNED);
	_cleanup_free_ char *json = NULL;

	json = print_json(TDX_STATE_INITIALIZED, &cmr_file, &record, 1);
	assert_non_null(
	    strstr(json, "\n  \"decisions\": [\n    {\n      \"chardev\": \"dax2.0\",\n"));
	assert_non_null(strstr(json, "\n      \"range_start\": \"0x1000000000\",\n"));
	assert_non_null(strstr(json, "\n      \"size\": 3221225472,\n"));
	assert_non_null(strstr(json, "\n    }\n  ]\n}\n"));
	assert_null(strstr(json, "SYSLOG_IDENTIFIER"));
	assert_null(strstr(json, "tdxmemd\""));
}

/* The journal */

static void test_journal_send(void **state)
{
	struct dax_device device = dax1();
	struct record record =
	    make_record(&device, DECISION_ONLINE, REASON_CMR_COVERED, OUTCOME_APPLIED);

	if (access(JOURNAL_SOCKET, F_OK) < 0)
		skip();
	assert_int_equal(record_send_journal(&record), 0);
}

static void test_journal_unavailable(void **state)
{
	struct dax_device device = dax0();
	struct record record =
	    make_record(&device, DECISION_DEVDAX, REASON_NOT_CONVERTIBLE, OUTCOME_APPLIED);
	int r;

	if (access(JOURNAL_SOCKET, F_OK) == 0)
		skip();
	/*
	 * No journal: the error comes back to the caller, which logs it
	 * (libsystemd alone would return 0 and drop the record).
	 */
	r = record_send_journal(&record);
	assert_int_equal(r, -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_online_applied),
	    cmocka_unit_test(test_devdax_not_convertible),
	    cmocka_unit_test(test_rolled_back),
	    cmocka_unit_test(test_failed_in_use_override),
	    cmocka_unit_test(test_multi_mapping),
	    cmocka_unit_test(test_every_field),
	    cmocka_unit_test(test_rollback_failed),
	    cmocka_unit_test(test_put_back_and_stranded),
	    cmocka_unit_test(test_single_mapping_has_no_ranges),
	    cmocka_unit_test(test_non_cxl_no_node),
	    cmocka_unit_test(test_node_minus_one_cxl),
	    cmocka_unit_test(test_no_cmrs_no_mapping),
	    cmocka_unit_test(test_priority_and_message_id),
	    cmocka_unit_test(test_messages),
	    cmocka_unit_test(test_message_one_line),
	    cmocka_unit_test(test_device_fields),
	    cmocka_unit_test(test_fields_clear),
	    cmocka_unit_test(test_print_line),
	    cmocka_unit_test(test_json_document),
	    cmocka_unit_test(test_json_empty),
	    cmocka_unit_test(test_json_layout),
	    cmocka_unit_test(test_journal_send),
	    cmocka_unit_test(test_journal_unavailable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
