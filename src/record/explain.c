// SPDX-License-Identifier: GPL-2.0-or-later
#include "explain.h"

#include "macro.h"
#include "record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

static void _printf_(3, 4) add(char changes[][EXPLAIN_LINE_MAX], size_t *n, const char *format, ...)
{
	va_list ap;

	if (*n == EXPLAIN_CHANGES_MAX)
		return;
	va_start(ap, format);
	vsnprintf(changes[(*n)++], EXPLAIN_LINE_MAX, format, ap);
	va_end(ap);
}

/*
 * Over 60 lines: one case per reason of the policy table, so that the
 * sentences for all of them stand together and a new reason shows where
 * its own goes.
 */
size_t explain_changes(const struct explain_facts *f,
		       char changes[EXPLAIN_CHANGES_MAX][EXPLAIN_LINE_MAX])
{
	const struct verdict *v = &f->verdict;
	const char *name = f->device->name;
	size_t n = 0;

	switch (v->reason) {
	case REASON_EXCLUDED:
		add(changes, &n, "taking %s out of Exclude= (by name, region or memdev serial)",
		    name);
		break;
	case REASON_IN_USE:
		add(changes, &n, "closing /dev/%s: every process that has it open or mapped", name);
		break;
	case REASON_UNPLUGGABLE:
		add(changes, &n,
		    "nothing tdxmemd can do: the device has no whole memory block or no "
		    "target node, so kmem cannot add it");
		break;
	case REASON_TDX_DISABLED:
		add(changes, &n, "WhenTdxDisabled=%s",
		    f->config->when_tdx_disabled == WHEN_TDX_DISABLED_ONLINE ? "devdax" : "online");
		add(changes, &n, "TDX enabled by the BIOS (the decision then follows the CMRs)");
		break;
	case REASON_CMR_COVERED:
		add(changes, &n, "CMRs that leave part of the device out (it would stay devdax)");
		add(changes, &n, "TDX initialized before it goes online (reason tdx-initialized)");
		break;
	case REASON_NOT_CONVERTIBLE:
		add(changes, &n,
		    "a CMR covering %#" PRIx64 "-%#" PRIx64
		    " (the first part outside the CMRs): CmrFile=, CmrAttribute= or the "
		    "firmware's list",
		    v->uncovered.start, v->uncovered.end);
		break;
	case REASON_CMR_UNKNOWN:
		add(changes, &n,
		    "a CMR source: CmrFile= (or --cmr-file), CmrAttribute=, or a kernel "
		    "that prints the CMRs");
		break;
	case REASON_ONLINE_BEFORE_INIT:
		add(changes, &n,
		    "nothing while TDX stays initialized: its online memory is part of the "
		    "TDX memory configuration");
		break;
	case REASON_TDX_INITIALIZED:
		if (f->config->after_init == AFTER_INIT_DEVDAX)
			add(changes, &n,
			    "AfterInit=try (tdxmemd then tries to online it; the kernel accepts "
			    "only memory present at TDX init, so it is normally rolled back)");
		else
			add(changes, &n, "AfterInit=devdax (keeps it devdax without trying)");
		break;
	case REASON_MAX:
		break;
	}
	if (v->reason != REASON_EXCLUDED)
		add(changes, &n, "Exclude=%s (leaves the device as it is, whatever the policy)",
		    name);
	return n;
}

static void print_text(FILE *out, const struct explain_facts *f, char changes[][EXPLAIN_LINE_MAX],
		       size_t n_changes, const char *row)
{
	const struct dax_device *d = f->device;
	struct range span = {0, 0};

	range_set_span(&d->mappings, &span);
	fprintf(out, "%s  [%#" PRIx64 "-%#" PRIx64 ")  %" PRIu64 " MiB  %s\n", d->name, span.start,
		span.end, d->size >> 20, d->cxl_region ? d->cxl_region : "not CXL");
	fputs("\nFacts\n", out);
	fputs("  mappings:  ", out);
	for (size_t i = 0; i < d->mappings.count; i++)
		fprintf(out, "%s%#" PRIx64 "-%#" PRIx64, i ? ", " : "", d->mappings.items[i].start,
			d->mappings.items[i].end);
	fprintf(out, "\n  blocks:    %u own, %u added by kmem, %u online (zone %s)\n", d->blocks,
		d->blocks_present, d->blocks_online, memory_zone_to_string(d->zone));
	fprintf(out, "  mode:      %s%s\n", dax_mode_to_string(d->mode),
		d->in_use ? ", /dev/daxX.Y open or mapped" : "");
	fprintf(out, "  node:      %d\n", d->target_node);
	if (d->cxl_memdevs)
		fprintf(out, "  memdevs:   %s\n", d->cxl_memdevs);
	fprintf(out, "  TDX:       %s (from %s)\n", tdx_state_to_string(f->tdx_state),
		f->tdx_evidence ? f->tdx_evidence : "none");
	fprintf(out, "  CMRs:      %s%s%s%s\n", cmr_source_to_string(f->cmrs->source),
		f->cmrs->origin ? " (" : "", f->cmrs->origin ? f->cmrs->origin : "",
		f->cmrs->origin ? ")" : "");
	for (size_t i = 0; i < f->cmrs->cmrs.count; i++) {
		struct range c = f->cmrs->cmrs.items[i];
		bool matters = c.start < span.end && span.start < c.end;
		fprintf(out, "             %#" PRIx64 "-%#" PRIx64 "%s\n", c.start, c.end,
			matters ? "  (overlaps the device)" : "");
	}
	fprintf(out, "\nPolicy row %u: %s\n", f->verdict.row, row);
	fprintf(out, "Decision:     %s (%s)", decision_to_string(f->verdict.decision),
		reason_to_string(f->verdict.reason));
	if (f->verdict.has_uncovered)
		fprintf(out, ", %#" PRIx64 "-%#" PRIx64 " outside the CMRs",
			f->verdict.uncovered.start, f->verdict.uncovered.end);
	fputc('\n', out);
	if (f->last)
		fprintf(out, "Last record:  %s (%s) %s\n", decision_to_string(f->last->decision),
			reason_to_string(f->last->reason), outcome_to_string(f->last->outcome));
	else
		fputs("Last record:  none this boot\n", out);
	fputs("\nWhat would change it\n", out);
	for (size_t i = 0; i < n_changes; i++)
		fprintf(out, "  - %s\n", changes[i]);
}

static void print_json(FILE *out, const struct explain_facts *f, char changes[][EXPLAIN_LINE_MAX],
		       size_t n_changes, const char *row)
{
	const struct dax_device *d = f->device;

	fputs("{\"device\": ", out);
	json_write_string(out, d->name);
	fputs(", \"mappings\": [", out);
	for (size_t i = 0; i < d->mappings.count; i++)
		fprintf(out, "%s[\"%#" PRIx64 "\", \"%#" PRIx64 "\"]", i ? ", " : "",
			d->mappings.items[i].start, d->mappings.items[i].end);
	fprintf(out,
		"], \"size\": %" PRIu64 ", \"mode\": \"%s\", \"in_use\": %s, \"blocks\": %u, "
		"\"blocks_present\": %u, \"blocks_online\": %u, \"tdx_state\": \"%s\", "
		"\"tdx_evidence\": ",
		d->size, dax_mode_to_string(d->mode), d->in_use ? "true" : "false", d->blocks,
		d->blocks_present, d->blocks_online, tdx_state_to_string(f->tdx_state));
	json_write_string(out, f->tdx_evidence ? f->tdx_evidence : "none");
	fprintf(out, ", \"cmr_source\": \"%s\", \"cmrs\": [",
		cmr_source_to_string(f->cmrs->source));
	for (size_t i = 0; i < f->cmrs->cmrs.count; i++)
		fprintf(out, "%s[\"%#" PRIx64 "\", \"%#" PRIx64 "\"]", i ? ", " : "",
			f->cmrs->cmrs.items[i].start, f->cmrs->cmrs.items[i].end);
	fprintf(out, "], \"policy_row\": %u, \"policy_row_text\": ", f->verdict.row);
	json_write_string(out, row);
	fprintf(out, ", \"decision\": \"%s\", \"reason\": \"%s\"",
		decision_to_string(f->verdict.decision), reason_to_string(f->verdict.reason));
	if (f->verdict.has_uncovered)
		fprintf(out, ", \"uncovered\": [\"%#" PRIx64 "\", \"%#" PRIx64 "\"]",
			f->verdict.uncovered.start, f->verdict.uncovered.end);
	fputs(", \"would_change_it\": [", out);
	for (size_t i = 0; i < n_changes; i++) {
		fputs(i ? ", " : "", out);
		json_write_string(out, changes[i]);
	}
	fputs("]}\n", out);
}

int explain_print(FILE *out, const struct explain_facts *facts, bool json)
{
	char changes[EXPLAIN_CHANGES_MAX][EXPLAIN_LINE_MAX];
	char row[256] = "";
	size_t n = explain_changes(facts, changes);

	(void)policy_row_describe(facts->verdict.row, row, sizeof(row));
	if (json)
		print_json(out, facts, changes, n, row);
	else
		print_text(out, facts, changes, n, row);
	return ferror(out) ? -EIO : 0;
}
