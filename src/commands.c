// SPDX-License-Identifier: GPL-2.0-or-later
/* tdxmemd --once, status and explain: a read, and a pass or a report (manager.h). */
#include "manager.h"

#include "explain.h"
#include "log.h"
#include "macro.h"
#include "metrics.h"
#include "status.h"

#include <stdio.h>

int manager_run_once(struct manager *m)
{
	struct pass_report report = {0};

	/* One read of the kernel log serves the TDX state and the CMRs. */
	if (ledger_lock(&m->ledger) < 0 || manager_read(m, NULL) < 0)
		return EXIT_INPUT_ERROR;
	if (manager_adopt_cmrs(m, &m->kernel_log) < 0) {
		manager_keep_safe(&m->options);
		return EXIT_INPUT_ERROR;
	}

	/*
	 * Named devices must exist and be tdxmemd's to decide: a typo, or a
	 * persistent-memory namespace, must not pass as "nothing to do".
	 */
	for (char **d = m->options.devices; d && *d; d++) {
		const struct dax_device *device = inventory_find(&m->inventory, *d);
		if (!device) {
			log_error("No dax device %s.", *d);
			return EXIT_INPUT_ERROR;
		}
		if (!device->managed) {
			log_error(
			    "%s is not volatile memory (not a CXL RAM region or soft-reserved "
			    "memory): tdxmemd does not decide for it.",
			    *d);
			return EXIT_INPUT_ERROR;
		}
	}

	int r = manager_act(m, m->options.devices, &report);
	ledger_unlock(&m->ledger);
	bool any_failed = report.any_failed;
	pass_report_clear(&report);
	if (r < 0)
		return EXIT_INPUT_ERROR;

	if (m->options.json)
		record_print_json(stdout, m->tdx_state, &m->cmrs, m->records, m->record_count);
	fflush(stdout);

	return any_failed ? EXIT_ACTION_FAILED : EXIT_ALL_DECIDED;
}

int manager_status(struct manager *m)
{
	int r = manager_read(m, NULL);
	if (r < 0)
		return EXIT_INPUT_ERROR;
	/* for the TDX init outlook only: unreadable CMRs make it "unknown" */
	if (manager_adopt_cmrs(m, &m->kernel_log) < 0)
		m->cmrs = (struct cmr_info){.source = CMR_SOURCE_NONE};
	struct tdx_init_check check = manager_tdx_init_outlook(m);
	manager_read_cxl(m);
	if (m->options.prometheus)
		r = metrics_print(stdout, &m->inventory, &m->ledger.state, m->tdx_state, &check, 0);
	else
		r = status_print(stdout, &m->inventory, &m->ledger.state, m->tdx_state, &check,
				 m->options.json);
	if (fflush(stdout) != 0)
		r = -EIO;
	return r < 0 ? EXIT_INPUT_ERROR : EXIT_ALL_DECIDED;
}

int manager_explain(struct manager *m, const char *name)
{
	if (manager_read(m, NULL) < 0 || manager_adopt_cmrs(m, &m->kernel_log) < 0)
		return EXIT_INPUT_ERROR;
	struct dax_device *device = inventory_find(&m->inventory, name);
	if (!device) {
		log_error("No dax device %s.", name);
		return EXIT_INPUT_ERROR;
	}
	manager_read_cxl(m);
	if (!device->managed) {
		log_error("%s is not memory tdxmemd decides for (persistent memory, or not "
			  "volatile): it only gets the driver it would get without tdxmemd.",
			  name);
		return EXIT_INPUT_ERROR;
	}
	struct explain_facts facts = {
	    .device = device,
	    .tdx_state = m->tdx_state,
	    .tdx_evidence = m->tdx_evidence,
	    .cmrs = &m->cmrs,
	    .config = &m->config,
	    .verdict = manager_decide(m, device),
	    .last = state_find(&m->ledger.state, name),
	};
	int r = explain_print(stdout, &facts, m->options.json);
	if (fflush(stdout) != 0)
		r = -EIO;
	return r < 0 ? EXIT_INPUT_ERROR : EXIT_ALL_DECIDED;
}
