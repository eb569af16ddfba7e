/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One record per device decision. record_fields_build() is the only place
 * that turns a record's facts into fields: the journal entry, the --once line
 * (both here) and the --json object (report.c) are all written from them.
 */
#include "record.h"

#include "macro.h"
#include "message-ids.h"
#include "message.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#define SYSLOG_IDENTIFIER "tdxmemd"
/* Where libsystemd 252 sends to; it has no way to name another. */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* What an outcome says of a record: its priority, and its MESSAGE_ID where not the decision's. */
static const struct {
	int priority;
	const char *message_id;
} outcome_records[OUTCOME_MAX] = {
    [OUTCOME_APPLIED] = {LOG_INFO, NULL},
    [OUTCOME_ALREADY] = {LOG_INFO, NULL},
    [OUTCOME_PLANNED] = {LOG_INFO, NULL},
    /* Nothing is broken, but the decided state was not reached. */
    [OUTCOME_ROLLED_BACK] = {LOG_WARNING, MESSAGE_ID_ROLLED_BACK},
    [OUTCOME_FAILED] = {LOG_ERR, MESSAGE_ID_FAILED},
};

static const char *const decision_message_ids[DECISION_MAX] = {
    [DECISION_ONLINE] = MESSAGE_ID_ONLINE,
    [DECISION_DEVDAX] = MESSAGE_ID_DEVDAX,
    [DECISION_UNCHANGED] = MESSAGE_ID_UNCHANGED,
};

int record_priority(const struct record *record)
{
	enum outcome outcome = record->result.outcome;

	return outcome < OUTCOME_MAX ? outcome_records[outcome].priority : LOG_INFO;
}

const char *record_message_id(const struct record *record)
{
	enum outcome outcome = record->result.outcome;
	enum decision decision = record->verdict.decision;

	if (outcome < OUTCOME_MAX && outcome_records[outcome].message_id)
		return outcome_records[outcome].message_id;
	return decision < DECISION_MAX ? decision_message_ids[decision] : MESSAGE_ID_UNCHANGED;
}

enum reason record_reason(const struct record *record)
{
	return record->result.offline_refused ? REASON_IN_USE : record->verdict.reason;
}

static enum cmr_source record_cmr_source(const struct record *record)
{
	return record->cmrs ? record->cmrs->source : CMR_SOURCE_NONE;
}

static void fields_add(struct record_fields *fields, const char *journal_name,
		       const char *json_name, enum record_value_kind kind, const char *format, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * Appends one field. The first failure sticks in fields->error and makes
 * every later call a no-op, so a list is written as a flat sequence and
 * checked once at the end (as ferror() does for a stream).
 */
static void fields_add(struct record_fields *fields, const char *journal_name,
		       const char *json_name, enum record_value_kind kind, const char *format, ...)
{
	va_list args;
	char *value;

	if (fields->error < 0)
		return;
	/* A fixed array: a record has at most 25 fields, test_every_field counts them. */
	if (fields->count >= ARRAY_SIZE(fields->items)) {
		fields->error = -E2BIG;
		return;
	}

	va_start(args, format);
	int r = vasprintf(&value, format, args);
	va_end(args);
	if (r < 0) {
		fields->error = -ENOMEM;
		return;
	}

	fields->items[fields->count++] = (struct record_field){
	    .journal_name = journal_name,
	    .json_name = json_name,
	    .kind = kind,
	    .value = value,
	};
}

static void fields_add_string(struct record_fields *fields, const char *journal_name,
			      const char *json_name, const char *value)
{
	fields_add(fields, journal_name, json_name, RECORD_VALUE_STRING, "%s", value);
}

/* "0x1000000000-0x1080000000 0x1080000000-0x1100000000": every mapping. */
static char *format_ranges(const struct range_set *mappings)
{
	char *ranges = NULL, text[RECORD_RANGE_TEXT_MAX];
	size_t len;

	FILE *f = open_memstream(&ranges, &len);
	if (!f)
		return NULL;
	for (size_t i = 0; i < mappings->count; i++) {
		record_format_range(mappings->items[i], text);
		fprintf(f, "%s%s", i > 0 ? " " : "", text);
	}
	bool failed = ferror(f);
	if (fclose(f) != 0 || failed) {
		free(ranges);
		return NULL;
	}
	return ranges;
}

/* Which device: its name, where its memory is and how much, its mode. */
static void fields_add_identity(struct record_fields *fields, const struct dax_device *device)
{
	struct range span;

	fields_add_string(fields, "TDXMEMD_DEVICE", "chardev", device->name);
	if (range_set_span(&device->mappings, &span)) {
		fields_add(fields, "TDXMEMD_RANGE_START", "range_start", RECORD_VALUE_STRING,
			   "0x%llx", (unsigned long long)span.start);
		fields_add(fields, "TDXMEMD_RANGE_END", "range_end", RECORD_VALUE_STRING, "0x%llx",
			   (unsigned long long)span.end);
	}
	if (device->mappings.count > 1) {
		_cleanup_free_ char *ranges = format_ranges(&device->mappings);
		if (!ranges && fields->error == 0)
			fields->error = -ENOMEM;
		if (ranges)
			fields_add_string(fields, "TDXMEMD_RANGES", "ranges", ranges);
	}
	fields_add(fields, "TDXMEMD_SIZE", "size", RECORD_VALUE_NUMBER, "%llu",
		   (unsigned long long)device->size);
	/* daxctl list's word for it; the journal has ZONE and BLOCKS_ONLINE. */
	fields_add_string(fields, "TDXMEMD_MODE", "mode", dax_mode_to_string(device->mode));
}

/* Its memory as it is now: blocks, zone, node, and the CXL memory behind it. */
static void fields_add_memory(struct record_fields *fields, const struct dax_device *device)
{
	fields_add(fields, "TDXMEMD_BLOCKS", "blocks", RECORD_VALUE_NUMBER, "%u", device->blocks);
	fields_add(fields, "TDXMEMD_BLOCKS_ONLINE", "blocks_online", RECORD_VALUE_NUMBER, "%u",
		   device->blocks_online);
	fields_add_string(fields, "TDXMEMD_ZONE", "zone", memory_zone_to_string(device->zone));
	/* daxctl list prints "movable" only for system-ram devices; so do we. */
	if (device->mode == DAX_MODE_SYSTEM_RAM)
		fields_add(fields, NULL, "movable", RECORD_VALUE_BOOL, "%s",
			   device->zone == MEMORY_ZONE_MOVABLE ? "true" : "false");
	if (device->target_node >= 0)
		fields_add(fields, "TDXMEMD_NODE", "target_node", RECORD_VALUE_NUMBER, "%d",
			   device->target_node);
	if (device->cxl_region)
		fields_add_string(fields, "TDXMEMD_CXL_REGION", "cxl_region", device->cxl_region);
	if (device->cxl_memdevs)
		fields_add_string(fields, "TDXMEMD_CXL_MEMDEVS", "cxl_memdevs",
				  device->cxl_memdevs);
}

/* What was decided, why, on what evidence, and what came of it. */
static void fields_add_decision(struct record_fields *fields, const struct record *record)
{
	char text[RECORD_RANGE_TEXT_MAX];

	fields_add_string(fields, "TDXMEMD_DECISION", "decision",
			  decision_to_string(record->verdict.decision));
	fields_add_string(fields, "TDXMEMD_REASON", "reason",
			  reason_to_string(record_reason(record)));
	fields_add_string(fields, "TDXMEMD_OUTCOME", "outcome",
			  outcome_to_string(record->result.outcome));
	if (record->result.interface != KMEM_INTERFACE_NONE)
		fields_add_string(fields, "TDXMEMD_KMEM_INTERFACE", "kmem_interface",
				  kmem_interface_to_string(record->result.interface));
	fields_add_string(fields, "TDXMEMD_TDX_STATE", "tdx_state",
			  tdx_state_to_string(record->tdx_state));
	if (record->tdx_evidence)
		fields_add_string(fields, "TDXMEMD_TDX_EVIDENCE", "tdx_evidence",
				  record->tdx_evidence);
	fields_add_string(fields, "TDXMEMD_CMR_SOURCE", "cmr_source",
			  cmr_source_to_string(record_cmr_source(record)));
	if (record->verdict.has_uncovered) {
		record_format_range(record->verdict.uncovered, text);
		fields_add_string(fields, "TDXMEMD_UNCOVERED", "uncovered", text);
	}
	/* the mode another agent had left the device in */
	if (record->put_back)
		fields_add_string(fields, "TDXMEMD_PUT_BACK", "put_back",
				  dax_mode_to_string(record->found_mode));
}

/* The failures, then the journal's own fields. */
static void fields_add_outcome(struct record_fields *fields, const struct record *record)
{
	_cleanup_free_ char *message = NULL;

	/* The journal's own ERRNO= field: positive, decimal. */
	if (record->result.error != 0)
		fields_add(fields, "ERRNO", "errno", RECORD_VALUE_NUMBER, "%d",
			   abs(record->result.error));
	/* Undoing a failed online failed too: the device is in neither state. */
	if (record->result.rollback_error != 0)
		fields_add(fields, "TDXMEMD_ROLLBACK_ERRNO", "rollback_errno", RECORD_VALUE_NUMBER,
			   "%d", abs(record->result.rollback_error));
	/* kmem gone, memory kept (drivers/dax/kmem.c dev_dax_kmem_remove()) */
	if (record->result.stranded_blocks != 0)
		fields_add(fields, "TDXMEMD_STRANDED_BLOCKS", "stranded_blocks",
			   RECORD_VALUE_NUMBER, "%u", record->result.stranded_blocks);

	int r = record_format_message(record, &message);
	if (r < 0 && fields->error == 0)
		fields->error = r;
	if (message)
		fields_add_string(fields, "MESSAGE", "message", message);
	fields_add_string(fields, "MESSAGE_ID", "message_id", record_message_id(record));
	fields_add(fields, "PRIORITY", "priority", RECORD_VALUE_NUMBER, "%d",
		   record_priority(record));
	fields_add_string(fields, "SYSLOG_IDENTIFIER", NULL, SYSLOG_IDENTIFIER);
}

/* Moves @fields to *@ret_fields, or frees them and returns their error. */
static int fields_finish(struct record_fields *fields, struct record_fields *ret_fields)
{
	int r = fields->error;

	if (r < 0) {
		record_fields_clear(fields);
		return r;
	}
	*ret_fields = *fields;
	return 0;
}

/* In the order tdxmemd-journal-fields(7) lists them. */
int record_fields_build(const struct record *record, struct record_fields *ret_fields)
{
	struct record_fields fields = {};

	fields_add_identity(&fields, record->device);
	fields_add_decision(&fields, record);
	fields_add_memory(&fields, record->device);
	fields_add_outcome(&fields, record);
	return fields_finish(&fields, ret_fields);
}

int record_device_fields(const struct dax_device *device, struct record_fields *ret_fields)
{
	struct record_fields fields = {};

	fields_add_identity(&fields, device);
	fields_add_memory(&fields, device);
	return fields_finish(&fields, ret_fields);
}

void record_fields_clear(struct record_fields *fields)
{
	for (size_t i = 0; i < fields->count; i++)
		free(fields->items[i].value);
	*fields = (struct record_fields){};
}

int record_send_journal(const struct record *record)
{
	_cleanup_(record_fields_clear) struct record_fields fields = {};
	struct iovec iov[ARRAY_SIZE(fields.items)];
	_cleanup_free_ char *buffer = NULL;
	size_t size = 0, n = 0;
	char *p;
	int r;

	/*
	 * sd_journal_sendv() returns 0 when the socket does not exist ("fail
	 * silently if the journal is not available", journal-send.c in systemd
	 * 252): the decision would vanish without a word. Look first, so the
	 * caller learns it and can log it; a journald that is down but left its
	 * socket makes sd_journal_sendv() itself fail with -ECONNREFUSED.
	 */
	if (access(JOURNAL_SOCKET, F_OK) < 0)
		return -errno;

	r = record_fields_build(record, &fields);
	if (r < 0)
		return r;

	/* All "NAME=value" entries in one allocation, so there is one thing to free. */
	for (size_t i = 0; i < fields.count; i++)
		if (fields.items[i].journal_name)
			size += strlen(fields.items[i].journal_name) + 1 +
				strlen(fields.items[i].value);
	buffer = malloc(size + 1);
	if (!buffer)
		return -ENOMEM;

	p = buffer;
	for (size_t i = 0; i < fields.count; i++) {
		const struct record_field *field = &fields.items[i];
		size_t name_len, value_len;

		if (!field->journal_name)
			continue;
		name_len = strlen(field->journal_name);
		value_len = strlen(field->value);

		iov[n++] = (struct iovec){.iov_base = p, .iov_len = name_len + 1 + value_len};
		memcpy(p, field->journal_name, name_len);
		p[name_len] = '=';
		memcpy(p + name_len + 1, field->value, value_len);
		p += name_len + 1 + value_len;
	}

	return sd_journal_sendv(iov, (int)n);
}

const char *record_field_value(const struct record_fields *fields, const char *json_name)
{
	for (size_t i = 0; i < fields->count; i++)
		if (fields->items[i].json_name && streq(fields->items[i].json_name, json_name))
			return fields->items[i].value;
	return NULL;
}
