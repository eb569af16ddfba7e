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

/* The words a MESSAGE and a --once line both use. */
struct words {
	char state[64]; /* "32/32 blocks movable", "0/32 blocks online", "devdax", "disabled" */
	char size[SIZE_TEXT_MAX];
	const char *error;    /* glibc's English text for the error, or NULL */
	const char *rollback; /* the same for the rollback's */
	char error_buf[128], rollback_buf[128];
};

/* The device's state after the action, its size and the errors, in words. */
static void words_of(const struct record *record, struct words *ret)
{
	const struct dax_device *device = record->device;

	if (device->mode == DAX_MODE_SYSTEM_RAM)
		snprintf(ret->state, sizeof(ret->state), "%u/%u blocks %s", device->blocks_online,
			 device->blocks,
			 device->zone == MEMORY_ZONE_NONE ? "online"
							  : memory_zone_to_string(device->zone));
	else
		snprintf(ret->state, sizeof(ret->state), "%s", dax_mode_to_string(device->mode));
	format_size(device->size, ret->size);
	/* _GNU_SOURCE: the GNU strerror_r(), which returns the text. */
	ret->error = record->result.error == 0 ? NULL
					       : strerror_r(abs(record->result.error),
							    ret->error_buf, sizeof(ret->error_buf));
	ret->rollback = record->result.rollback_error == 0
			    ? NULL
			    : strerror_r(abs(record->result.rollback_error), ret->rollback_buf,
					 sizeof(ret->rollback_buf));
}

/*
 * Closes @f, a memstream writing *@line, and makes the line one line: a
 * control character in a name must not break it. -ENOMEM.
 */
static int finish_line(FILE *f, char *const *line)
{
	int r = ferror(f) ? -ENOMEM : 0;

	if (fclose(f) != 0)
		r = -ENOMEM;
	for (char *c = r < 0 ? NULL : *line; c && *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return r;
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
	_cleanup_free_ char *message = NULL;
	char span_text[RECORD_RANGE_TEXT_MAX] = "", uncovered_text[RECORD_RANGE_TEXT_MAX] = "";
	const char *outcome_text = "", *state_prefix = "";
	struct words words;
	bool show_state;
	struct range span;
	size_t len;

	words_of(record, &words);
	if (range_set_span(&device->mappings, &span))
		record_format_range(span, span_text);
	/* The gap explains the policy's reason, not one the action put in its place. */
	if (record->verdict.has_uncovered && !record->result.offline_refused)
		record_format_range(record->verdict.uncovered, uncovered_text);

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

	FILE *f = open_memstream(&message, &len);
	if (!f)
		return -ENOMEM;

	fprintf(f, "%s", device->name);
	if (span_text[0])
		fprintf(f, " [%s)", span_text);
	fprintf(f, " %s: %s (%s", words.size, decision_to_string(decision),
		reason_to_string(record_reason(record)));
	if (uncovered_text[0])
		fprintf(f, ", %s outside the CMRs", uncovered_text);
	fprintf(f, ")%s", outcome_text);
	if (words.error)
		fprintf(f, ": %s", words.error);
	if (outcome == OUTCOME_ROLLED_BACK)
		fprintf(f, "; rolled back to devdax");
	if (words.rollback)
		fprintf(f, "; returning to devdax failed: %s", words.rollback);
	if (record->result.stranded_blocks != 0)
		fprintf(f,
			"; kmem unbound with %u block(s) left, %u online: the kernel keeps them "
			"until reboot",
			record->result.stranded_blocks, record->result.stranded_online);
	if (show_state)
		fprintf(f, "%s%s%s", words.error || words.rollback ? "; " : ", ", state_prefix,
			words.state);
	if (device->cxl_region)
		fprintf(f, ", %s", device->cxl_region);
	if (record->put_back)
		fprintf(f, "; put back: found %s, %u/%u blocks online, changed outside tdxmemd",
			dax_mode_to_string(record->found_mode), record->found_online,
			device->blocks);

	int r = finish_line(f, &message);
	if (r < 0)
		return r;
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
	_cleanup_free_ char *line = NULL;
	struct words words;
	size_t len;

	int r = record_fields_build(record, &fields);
	if (r < 0)
		return r;
	words_of(record, &words);
	const char *start = record_field_value(&fields, "range_start");
	const char *end = record_field_value(&fields, "range_end");
	const char *region = record_field_value(&fields, "cxl_region");

	FILE *f = open_memstream(&line, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "%s: %s (%s) %s:", record_field_value(&fields, "chardev"),
		record_field_value(&fields, "decision"), record_field_value(&fields, "reason"),
		record_field_value(&fields, "outcome"));
	if (start && end)
		fprintf(f, " %s-%s", start, end);
	fprintf(f, " %s", words.size);
	if (record->device->mode == DAX_MODE_SYSTEM_RAM)
		fprintf(f, ", %s", words.state);
	if (region)
		fprintf(f, ", %s", region);
	if (words.error)
		fprintf(f, "; %s", words.error);
	if (words.rollback)
		fprintf(f, "; returning to devdax failed: %s", words.rollback);
	if ((r = finish_line(f, &line)) < 0)
		return r;
	if (fprintf(out, "%s\n", line) < 0)
		return -EIO;
	return 0;
}
