// SPDX-License-Identifier: GPL-2.0-or-later
#include "metrics.h"

#include "ledger.h"
#include "macro.h"
#include "path.h"
#include "record.h"

#include <errno.h>
#include <inttypes.h>

/* A label value, escaped as the text format wants (backslash, quote, newline). */
static void label(FILE *out, const char *name, const char *value, bool first)
{
	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	for (const char *p = value ? value : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', out);
		if (*p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* What the ledger says of each device: its last decision, and whether it still holds. */
static void print_decisions(FILE *out, const struct inventory *inventory, struct state *state)
{
	family(out, "tdxmemd_device_info", "gauge",
	       "A dax device tdxmemd decides for, with its last decision this boot.");
	for (size_t i = 0; i < inventory->count; i++) {
		const struct dax_device *d = &inventory->devices[i];
		const struct state_entry *last = state_find(state, d->name);
		if (!d->managed)
			continue;
		fputs("tdxmemd_device_info{", out);
		label(out, "device", d->name, true);
		label(out, "region", d->cxl_region, false);
		label(out, "decision", last ? decision_to_string(last->decision) : "", false);
		label(out, "reason", last ? reason_to_string(last->reason) : "", false);
		label(out, "outcome", last ? outcome_to_string(last->outcome) : "", false);
		label(out, "mode", dax_mode_to_string(d->mode), false);
		fputs("} 1\n", out);
	}

	/*
	 * The put-back's own test (ledger_changed_outside()): a device at 1
	 * is one the service's next pass puts back, so a 1 that stays means
	 * no service runs to do it.
	 */
	family(out, "tdxmemd_device_left_decided_state", "gauge",
	       "1 when the device reached its last decision's state this boot and left it since.");
	for (size_t i = 0; i < inventory->count; i++) {
		const struct dax_device *d = &inventory->devices[i];
		const struct state_entry *last = state_find(state, d->name);
		if (!d->managed || !last)
			continue;
		fputs("tdxmemd_device_left_decided_state{", out);
		label(out, "device", d->name, true);
		fprintf(out, "} %d\n", ledger_left_state(last, d));
	}
}

/* What the device is now: its size and its own memory blocks by state. */
static void print_devices(FILE *out, const struct inventory *inventory)
{
	family(out, "tdxmemd_device_bytes", "gauge", "Size of the dax device in bytes.");
	for (size_t i = 0; i < inventory->count; i++) {
		const struct dax_device *d = &inventory->devices[i];
		if (!d->managed)
			continue;
		fputs("tdxmemd_device_bytes{", out);
		label(out, "device", d->name, true);
		fprintf(out, "} %" PRIu64 "\n", d->size);
	}

	family(out, "tdxmemd_device_blocks", "gauge",
	       "The device's own memory blocks by state; absent: not added by kmem.");
	for (size_t i = 0; i < inventory->count; i++) {
		const struct dax_device *d = &inventory->devices[i];
		const struct {
			const char *state;
			unsigned count;
		} counts[] = {
		    {"online", d->blocks_online},
		    {"offline", d->blocks_present - d->blocks_online},
		    {"absent", d->blocks - d->blocks_present},
		};
		if (!d->managed)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(counts); k++) {
			fputs("tdxmemd_device_blocks{", out);
			label(out, "device", d->name, true);
			label(out, "state", counts[k].state, false);
			fprintf(out, "} %u\n", counts[k].count);
		}
	}
}

static void print_tdx(FILE *out, enum tdx_state tdx_state, const struct tdx_init_check *init)
{
	static const enum tdx_state states[] = {
	    TDX_STATE_UNKNOWN,	   TDX_STATE_DISABLED,	  TDX_STATE_BIOS_ENABLED,
	    TDX_STATE_INITIALIZED, TDX_STATE_INIT_FAILED,
	};

	family(out, "tdxmemd_tdx_state", "gauge", "The host's TDX state: 1 for the current one.");
	for (size_t k = 0; k < ARRAY_SIZE(states); k++) {
		fputs("tdxmemd_tdx_state{", out);
		label(out, "state", tdx_state_to_string(states[k]), true);
		fprintf(out, "} %d\n", states[k] == tdx_state);
	}

	/* Only a yes or a no is a value; "not pending" and "cannot tell" are none. */
	if (init->outlook == TDX_INIT_WOULD_SUCCEED || init->outlook == TDX_INIT_WOULD_FAIL) {
		family(out, "tdxmemd_tdx_init_would_succeed", "gauge",
		       "Whether TDX initialization would succeed with the memory present now.");
		fprintf(out, "tdxmemd_tdx_init_would_succeed %d\n",
			init->outlook == TDX_INIT_WOULD_SUCCEED);
	}
}

static void print_counters(FILE *out, const struct state_counters *c, uint64_t last_pass_usec)
{
	if (last_pass_usec) {
		family(out, "tdxmemd_last_pass_timestamp_seconds", "gauge",
		       "When tdxmemd last decided and acted, in seconds since the epoch.");
		fprintf(out, "tdxmemd_last_pass_timestamp_seconds %" PRIu64 ".%06" PRIu64 "\n",
			last_pass_usec / 1000000u, last_pass_usec % 1000000u);
	}
	family(out, "tdxmemd_decisions_total", "counter", "Decisions recorded this boot.");
	fprintf(out, "tdxmemd_decisions_total %" PRIu64 "\n", c->records);
	family(out, "tdxmemd_rollbacks_total", "counter",
	       "Onlinings rolled back to devdax this boot.");
	fprintf(out, "tdxmemd_rollbacks_total %" PRIu64 "\n", c->rollbacks);
	family(out, "tdxmemd_failures_total", "counter",
	       "Actions that failed to reach their decided state this boot.");
	fprintf(out, "tdxmemd_failures_total %" PRIu64 "\n", c->failures);
}

int metrics_print(FILE *out, const struct inventory *inventory, struct state *state,
		  enum tdx_state tdx_state, const struct tdx_init_check *init,
		  uint64_t last_pass_usec)
{
	print_decisions(out, inventory, state);
	print_devices(out, inventory);
	print_tdx(out, tdx_state, init);
	print_counters(out, &state->counters, last_pass_usec);
	return ferror(out) ? -EIO : 0;
}

struct metrics_input {
	const struct inventory *inventory;
	struct state *state;
	enum tdx_state tdx_state;
	const struct tdx_init_check *init;
	uint64_t last_pass_usec;
};

static int write_metrics(FILE *f, const void *userdata)
{
	const struct metrics_input *in = userdata;

	return metrics_print(f, in->inventory, in->state, in->tdx_state, in->init,
			     in->last_pass_usec);
}

int metrics_write_textfile(const char *path, const struct inventory *inventory, struct state *state,
			   enum tdx_state tdx_state, const struct tdx_init_check *init,
			   uint64_t last_pass_usec)
{
	struct metrics_input in = {inventory, state, tdx_state, init, last_pass_usec};

	/*
	 * node_exporter reads only *.prom, so it never picks up the .new
	 * file; 0644: it runs as its own user.
	 */
	return write_file_atomic(path, 0644, write_metrics, &in);
}
