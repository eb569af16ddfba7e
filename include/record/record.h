/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One record per device decision: the journal entry, the --once line and the
 * --json object are all written from the same list of fields.
 */
#pragma once

#include "action.h"
#include "cmr-sources.h"
#include "inventory.h"
#include "policy.h"
#include "tdx.h"

#include <stdio.h>

struct record {
	const struct dax_device *device; /* facts as they are after the action */
	struct verdict verdict;
	struct action_result result;
	enum tdx_state tdx_state;
	const char *tdx_evidence; /* tdx_state_evidence(), or "config" when pinned */
	const struct cmr_info *cmrs;
	/*
	 * The last record had reached this decision's state, and the device
	 * was found out of it: another agent changed it, and this record puts
	 * it back. What it was found in: its mode and blocks online.
	 */
	bool put_back;
	enum dax_mode found_mode;
	unsigned found_online;
};

enum record_value_kind {
	RECORD_VALUE_STRING,
	RECORD_VALUE_NUMBER, /* decimal, unquoted in JSON */
	RECORD_VALUE_BOOL,   /* "true"/"false", JSON only */
};

struct record_field {
	const char *journal_name; /* "TDXMEMD_DEVICE"; NULL: JSON only */
	const char *json_name;	  /* "chardev"; NULL: journal only */
	enum record_value_kind kind;
	char *value;
};

struct record_fields {
	struct record_field items[40];
	size_t count;
	int error; /* while building: the first failure, -ENOMEM or -E2BIG */
};

/* Builds the fields of @record (MESSAGE and PRIORITY included). -ENOMEM. */
int record_fields_build(const struct record *record, struct record_fields *ret_fields);
void record_fields_clear(struct record_fields *fields);

/* The device's own fields, as a record has them, without a decision: status. */
int record_device_fields(const struct dax_device *device, struct record_fields *ret_fields);

/* @fields' JSON members, "name": value, each after @separator but the first. */
void json_write_members(FILE *f, const struct record_fields *fields, const char *separator);

int record_priority(const struct record *record);

/*
 * The reason the record gives, in the journal and the state of this boot
 * alike: the policy's, or in-use when the kernel refused to offline a block
 * (the action found pages in use).
 */
enum reason record_reason(const struct record *record);
const char *record_message_id(const struct record *record);

/*
 * Writes the journal entry. Returns 0, -ENOENT without a journal socket
 * (where sd_journal_sendv() would drop the entry and return 0), -ENOMEM, or
 * -errno from sd_journal_sendv().
 */
int record_send_journal(const struct record *record);

/* The value of the field named @json_name, or NULL when the record has none. */
const char *record_field_value(const struct record_fields *fields, const char *json_name);

/*
 * The --json document. Returns 0, -ENOMEM (then nothing was written) or
 * -EIO (writing to @out failed).
 */
int record_print_json(FILE *out, enum tdx_state tdx_state, const struct cmr_info *cmrs,
		      const struct record *records, size_t count);

/* Writes @s as a JSON string, always valid (non-UTF-8 bytes become U+FFFD). */
void json_write_string(FILE *f, const char *s);
