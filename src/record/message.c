// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A record in words: its journal MESSAGE and the --once line (message.h).
 */
#include "message.h"

#include "macro.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Below 1024 of a unit, but leave room for what the compiler cannot prove. */
#define SIZE_TEXT_MAX 48

void record_format_range(struct range range, char buf[static RECORD_RANGE_TEXT_MAX])
{
	snprintf(buf, RECORD_RANGE_TEXT_MAX, "0x%llx-0x%llx", (unsigned long long)range.start,
		 (unsigned long long)range.end);
}

/*
 * Binary units, the way lsmem and daxctl think of memory: "512 MiB", "4 GiB",
 * one truncated decimal when the size is not a whole number of the unit.
 */
static void format_size(uint64_t bytes, char buf[static SIZE_TEXT_MAX])
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	unsigned long long whole, tenths;
	uint64_t unit;
	size_t i = 0;

	while (i + 1 < ARRAY_SIZE(units) && bytes >= UINT64_C(1) << (10 * (i + 1)))
		i++;
	unit = UINT64_C(1) << (10 * i);
	whole = bytes / unit;
	/* The remainder is below 2^60, so ten times it cannot overflow. */
	tenths = (bytes % unit) * 10 / unit;

	if (bytes % unit == 0)
		snprintf(buf, SIZE_TEXT_MAX, "%llu %s", whole, units[i]);
	else
		snprintf(buf, SIZE_TEXT_MAX, "%llu.%llu %s", whole, tenths, units[i]);
}

/* glibc's English text for @error, never NULL. */
static const char *error_text(int error, char *buf, size_t size)
{
	/* _GNU_SOURCE: the GNU strerror_r(), which returns the text. */
	return strerror_r(error, buf, size);
}

/*
 * The device's state after the action, as a phrase: "32/32 blocks movable",
 * "0/32 blocks online" (kmem bound, nothing online yet), "devdax", "disabled".
 */
static int format_state(const struct dax_device *device, char **ret)
{
	int r;

	if (device->mode == DAX_MODE_SYSTEM_RAM)
		r = asprintf(ret, "%u/%u blocks %s", device->blocks_online, device->blocks,
			     device->zone == MEMORY_ZONE_NONE
				 ? "online"
				 : memory_zone_to_string(device->zone));
	else
		r = asprintf(ret, "%s", dax_mode_to_string(device->mode));
	return r < 0 ? -ENOMEM : 0;
}

/* A record is one line: a control character in a name must not break it. */
static void make_one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/*
 * MESSAGE, e.g.
 *   dax0.0 [0x390000000-0x3b0000000) 512 MiB: devdax (not-convertible,
 *     0x390000000-0x3b0000000 outside the CMRs), region0
 *   dax1.0 [0x...-0x...) 4 GiB: online (cmr-covered), 32/32 blocks movable, region1
 *   dax0.0 [0x...-0x...) 4 GiB: online (tdx-initialized) failed: Operation not
 *     permitted; rolled back to devdax, region0
 * The reason stays next to the decision it explains; the outcome follows.
 * Over 60 lines: one sentence assembled from its optional parts in order,
 * which reads best as one sequence.
 */
int record_format_message(const struct record *record, char **ret)
{
	const struct dax_device *device = record->device;
	enum decision decision = record->verdict.decision;
	enum outcome outcome = record->result.outcome;
	_cleanup_free_ char *state = NULL, *message = NULL;
	char span_text[RECORD_RANGE_TEXT_MAX] = "", size_text[SIZE_TEXT_MAX];
	char uncovered_text[RECORD_RANGE_TEXT_MAX] = "", error_buf[128], rollback_buf[128];
	const char *outcome_text = "", *state_prefix = "", *error = "";
	bool show_state;
	struct range span;
	size_t len;
	FILE *f;
	int r;

	r = format_state(device, &state);
	if (r < 0)
		return r;
	if (range_set_span(&device->mappings, &span))
		record_format_range(span, span_text);
	format_size(device->size, size_text);
	/* The gap explains the policy's reason, not one the action put in its place. */
	if (record->verdict.has_uncovered && !record->result.offline_refused)
		record_format_range(record->verdict.uncovered, uncovered_text);
	if (record->result.error != 0)
		error = error_text(abs(record->result.error), error_buf, sizeof(error_buf));

	/* Say the state only where the decision and outcome do not already say it. */
	show_state = !(device->mode == DAX_MODE_DEVDAX && decision == DECISION_DEVDAX);
	switch (outcome) {
	case OUTCOME_APPLIED:
		break;
	case OUTCOME_ALREADY:
		/* "unchanged" already says it. */
		if (decision != DECISION_UNCHANGED)
			outcome_text = " already";
		break;
	case OUTCOME_PLANNED:
		outcome_text = " planned";
		state_prefix = "currently ";
		show_state = true;
		break;
	case OUTCOME_ROLLED_BACK:
		outcome_text = " failed";
		state_prefix = "currently ";
		show_state = device->mode != DAX_MODE_DEVDAX;
		break;
	case OUTCOME_FAILED:
		outcome_text = " failed";
		state_prefix = "currently ";
		show_state = true;
		break;
	case OUTCOME_MAX:
		break;
	}

	f = open_memstream(&message, &len);
	if (!f)
		return -ENOMEM;

	fprintf(f, "%s", device->name);
	if (span_text[0])
		fprintf(f, " [%s)", span_text);
	fprintf(f, " %s: %s (%s", size_text, decision_to_string(decision),
		reason_to_string(record_reason(record)));
	if (uncovered_text[0])
		fprintf(f, ", %s outside the CMRs", uncovered_text);
	fprintf(f, ")%s", outcome_text);
	if (error[0])
		fprintf(f, ": %s", error);
	if (outcome == OUTCOME_ROLLED_BACK)
		fprintf(f, "; rolled back to devdax");
	if (record->result.rollback_error != 0)
		fprintf(f, "; returning to devdax failed: %s",
			error_text(abs(record->result.rollback_error), rollback_buf,
				   sizeof(rollback_buf)));
	if (record->result.stranded_blocks != 0)
		fprintf(f,
			"; kmem unbound with %u block(s) left, %u online: the kernel keeps them "
			"until reboot",
			record->result.stranded_blocks, record->result.stranded_online);
	if (show_state)
		fprintf(f, "%s%s%s", error[0] || record->result.rollback_error != 0 ? "; " : ", ",
			state_prefix, state);
	if (device->cxl_region)
		fprintf(f, ", %s", device->cxl_region);
	if (record->put_back)
		fprintf(f, "; put back: found %s, %u/%u blocks online, changed outside tdxmemd",
			dax_mode_to_string(record->found_mode), record->found_online,
			device->blocks);

	r = ferror(f) ? -ENOMEM : 0;
	if (fclose(f) != 0)
		r = -ENOMEM;
	if (r < 0)
		return r;

	make_one_line(message);
	*ret = TAKE_PTR(message);
	return 0;
}

/*
 * --once: "dax0.0: devdax (not-convertible) applied: 0x390000000-0x3b0000000
 * 512 MiB, region0", written from the same fields as the journal entry.
 */
int record_print_line(FILE *out, const struct record *record)
{
	_cleanup_(record_fields_clear) struct record_fields fields = {};
	_cleanup_free_ char *line = NULL, *state = NULL;
	const char *start, *end, *region;
	char size_text[SIZE_TEXT_MAX], error_buf[128];
	size_t len;
	FILE *f;
	int r;

	r = record_fields_build(record, &fields);
	if (r < 0)
		return r;
	r = format_state(record->device, &state);
	if (r < 0)
		return r;
	format_size(record->device->size, size_text);
	start = record_field_value(&fields, "range_start");
	end = record_field_value(&fields, "range_end");
	region = record_field_value(&fields, "cxl_region");

	f = open_memstream(&line, &len);
	if (!f)
		return -ENOMEM;

	fprintf(f, "%s: %s (%s) %s:", record_field_value(&fields, "chardev"),
		record_field_value(&fields, "decision"), record_field_value(&fields, "reason"),
		record_field_value(&fields, "outcome"));
	if (start && end)
		fprintf(f, " %s-%s", start, end);
	fprintf(f, " %s", size_text);
	if (record->device->mode == DAX_MODE_SYSTEM_RAM)
		fprintf(f, ", %s", state);
	if (region)
		fprintf(f, ", %s", region);
	if (record->result.error != 0)
		fprintf(f, "; %s",
			error_text(abs(record->result.error), error_buf, sizeof(error_buf)));
	if (record->result.rollback_error != 0)
		fprintf(
		    f, "; returning to devdax failed: %s",
		    error_text(abs(record->result.rollback_error), error_buf, sizeof(error_buf)));

	r = ferror(f) ? -ENOMEM : 0;
	if (fclose(f) != 0)
		r = -ENOMEM;
	if (r < 0)
		return r;

	make_one_line(line);
	if (fprintf(out, "%s\n", line) < 0)
		return -EIO;
	return 0;
}
