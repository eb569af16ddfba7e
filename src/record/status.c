// SPDX-License-Identifier: GPL-2.0-or-later
#include "status.h"

#include "record.h"

#include <errno.h>
#include <inttypes.h>
#include <time.h>

static void format_time(uint64_t realtime_usec, char *buf, size_t size)
{
	time_t seconds = (time_t)(realtime_usec / 1000000u);
	struct tm tm;

	if (!gmtime_r(&seconds, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "-");
}

static void print_table(FILE *out, const struct inventory *inventory, struct state *state)
{
	fprintf(out, "%-8s %-27s %-10s %-6s %-7s %-4s %-8s %s\n", "DEVICE", "RANGE", "MODE",
		"BLOCKS", "ZONE", "NODE", "REGION", "LAST DECISION");
	for (size_t i = 0; i < inventory->count; i++) {
		const struct dax_device *d = &inventory->devices[i];
		const struct state_entry *last = state_find(state, d->name);
		struct range r = {0, 0};
		char range[40], blocks[24], time[32];

		if (!d->managed)
			continue;
		range_set_span(&d->mappings, &r);
		snprintf(range, sizeof(range), "%#" PRIx64 "-%#" PRIx64, r.start, r.end);
		snprintf(blocks, sizeof(blocks), "%u/%u", d->blocks_online, d->blocks);
		fprintf(out, "%-8s %-27s %-10s %-6s %-7s %-4d %-8s ", d->name, range,
			dax_mode_to_string(d->mode), blocks, memory_zone_to_string(d->zone),
			d->target_node, d->cxl_region ? d->cxl_region : "-");
		if (last) {
			format_time(last->realtime_usec, time, sizeof(time));
			fprintf(out, "%s (%s) %s %s\n", decision_to_string(last->decision),
				reason_to_string(last->reason), outcome_to_string(last->outcome),
				time);
		} else {
			fprintf(out, "-\n");
		}
	}
}

static void print_init_text(FILE *out, enum tdx_state tdx_state, const struct tdx_init_check *init)
{
	fprintf(out, "\nTDX: %s. ", tdx_state_to_string(tdx_state));
	switch (init->outlook) {
	case TDX_INIT_NOT_PENDING:
		fputs("No initialization pending.\n", out);
		break;
	case TDX_INIT_UNKNOWN:
		fputs("Initialization: cannot tell (CMRs or boot RAM unknown).\n", out);
		break;
	case TDX_INIT_WOULD_SUCCEED:
		fputs("Initialization would succeed: all present memory is convertible.\n", out);
		break;
	case TDX_INIT_WOULD_FAIL:
		fprintf(out,
			"Initialization would FAIL: %#" PRIx64 "-%#" PRIx64
			" is present and outside the CMRs.\n",
			init->blocking.start, init->blocking.end);
		break;
	case TDX_INIT_MAX:
		break;
	}
}

static void print_init_json(FILE *out, enum tdx_state tdx_state, const struct tdx_init_check *init)
{
	fprintf(out, "  \"tdx_state\": \"%s\",\n  \"tdx_init\": {\"outlook\": \"%s\"",
		tdx_state_to_string(tdx_state), tdx_init_outlook_to_string(init->outlook));
	if (init->outlook == TDX_INIT_WOULD_SUCCEED || init->outlook == TDX_INIT_WOULD_FAIL)
		fprintf(out, ", \"would_succeed\": %s",
			init->outlook == TDX_INIT_WOULD_SUCCEED ? "true" : "false");
	if (init->outlook == TDX_INIT_WOULD_FAIL)
		fprintf(out, ", \"blocking_range\": [\"%#" PRIx64 "\", \"%#" PRIx64 "\"]",
			init->blocking.start, init->blocking.end);
	fputs("},\n", out);
}

static int print_device_json(FILE *out, const struct dax_device *device,
			     const struct state_entry *last)
{
	_cleanup_(record_fields_clear) struct record_fields fields = {};
	char time[32];

	int r = record_device_fields(device, &fields);
	if (r < 0)
		return r;
	fputs("{", out);
	json_write_members(out, &fields, ", ");
	if (last) {
		format_time(last->realtime_usec, time, sizeof(time));
		fprintf(out,
			", \"last\": {\"decision\": \"%s\", \"reason\": \"%s\", "
			"\"outcome\": \"%s\", \"time\": \"%s\"}",
			decision_to_string(last->decision), reason_to_string(last->reason),
			outcome_to_string(last->outcome), time);
	}
	fputc('}', out);
	return 0;
}

/* Each device's fields as --once --json has them, with its last decision. */
static int print_json(FILE *out, const struct inventory *inventory, struct state *state,
		      enum tdx_state tdx_state, const struct tdx_init_check *init)
{
	size_t listed = 0;

	fputs("{\n", out);
	print_init_json(out, tdx_state, init);
	fputs("  \"devices\": [", out);
	for (size_t i = 0; i < inventory->count; i++) {
		const struct dax_device *d = &inventory->devices[i];

		if (!d->managed)
			continue;
		fputs(listed++ ? ",\n    " : "\n    ", out);
		int r = print_device_json(out, d, state_find(state, d->name));
		if (r < 0)
			return r;
	}
	fputs(listed ? "\n  ]\n}\n" : "]\n}\n", out);
	return 0;
}

int status_print(FILE *out, const struct inventory *inventory, struct state *state,
		 enum tdx_state tdx_state, const struct tdx_init_check *init, bool json)
{
	if (json) {
		int r = print_json(out, inventory, state, tdx_state, init);
		if (r < 0)
			return r;
	} else {
		print_table(out, inventory, state);
		print_init_text(out, tdx_state, init);
	}
	return fflush(out) == 0 ? 0 : -EIO;
}
