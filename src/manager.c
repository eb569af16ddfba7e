// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One pass: read the sources, decide for each device, act, record, and
 * report what was done (manager.h).
 */
#include "manager.h"

#include "action.h"
#include "auto-online.h"
#include "boot-ram.h"
#include "changes.h"
#include "cxl.h"
#include "dax-bus.h"
#include "holders.h"
#include "log.h"
#include "macro.h"
#include "message.h"
#include "metrics.h"
#include "name-list.h"
#include "path.h"
#include "policy.h"
#include "udev-settle.h"

#include <errno.h>
#include <libkmod.h>
#include <libudev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

static void manager_forget_pass(struct manager *m)
{
	free(m->records);
	m->records = NULL;
	m->record_count = 0;
	if (!m->kernel_log_followed)
		kernel_log_clear(&m->kernel_log);
}

/*
 * What a pass reads anew: the TDX state and the dax devices; what @changes
 * (NULL: everything) lets stand may be the last read's.
 */
static int manager_read_devices(struct manager *m, const struct change_set *changes)
{
	struct parse_error error = {0};
	int r;

	if (m->config.state_pinned) {
		m->tdx_state = m->config.state;
		m->tdx_evidence = "config";
	} else {
		struct tdx_evidence evidence;

		m->tdx_state = tdx_state_read(m->options.sysroot, &m->kernel_log, &evidence);
		m->tdx_evidence = tdx_state_evidence(&evidence);
		if (evidence.bad_file) {
			_cleanup_free_ char *path =
			    path_join_root(m->options.sysroot, evidence.bad_file);
			char why[READ_ERROR_MAX];
			return log_error_errno(evidence.bad_file_error, "%s: cannot read: %s",
					       path ? path : evidence.bad_file,
					       read_error_string(evidence.bad_file_error,
								 evidence.bad_file_limit, why));
		}
	}

	/* only the last read's readings are reused: its context goes first */
	inventory_drop_handles(&m->inventory);
	struct inventory fresh = {0};
	r = inventory_scan(&fresh, m->options.sysroot, m->options.devices, changes, &error);
	if (r < 0) {
		log_parse_error(&error);
		return r;
	}
	inventory_clear(&m->inventory);
	m->inventory = fresh;
	return 0;
}

void manager_read_cxl(struct manager *m)
{
	int r = cxl_attribute(&m->inventory, &m->cxl);
	if (r < 0)
		log_warning("Cannot read the CXL topology (%s): regions and memdevs unknown.",
			    strerror(-r));
}

static bool serial_listed(const struct config *config, const struct dax_device *device)
{
	for (size_t i = 0; i < device->cxl_serial_count; i++)
		if (config_excludes_serial(config, device->cxl_serials[i]))
			return true;
	return false;
}

static bool manager_excludes(struct manager *m, const struct dax_device *device)
{
	if (m->config.exclude_count == 0)
		return false;
	if (config_excludes(&m->config, device->name))
		return true;
	/* regions of soft-reserved memory and serials come from libcxl */
	manager_read_cxl(m);
	return (device->cxl_region && config_excludes(&m->config, device->cxl_region)) ||
	       serial_listed(&m->config, device);
}

static struct verdict decide_policy(struct manager *m, const struct dax_device *device)
{
	struct policy_input input = {
	    .tdx_state = m->tdx_state,
	    .cmrs = m->cmrs.source == CMR_SOURCE_NONE ? NULL : &m->cmrs.cmrs,
	    .after_init = m->config.after_init,
	    .when_tdx_disabled = m->config.when_tdx_disabled,
	    .excluded = manager_excludes(m, device),
	    .devdax_in_use = device->mode == DAX_MODE_DEVDAX && device->in_use,
	    .pluggable = device->target_node >= 0 && device->pluggable.count > 0,
	    .any_online = device->blocks_online > 0,
	    .ranges = &device->pluggable,
	};
	return policy_decide(&input);
}

/*
 * Who holds /dev/daxX.Y matters only to a device about to leave devdax
 * (device_dax's unbind would tear the mappings away): the processes are
 * scanned for that device only, after a first decision says online.
 */
struct verdict manager_decide(struct manager *m, struct dax_device *device)
{
	struct verdict verdict = decide_policy(m, device);

	if (verdict.decision != DECISION_ONLINE || device->mode != DAX_MODE_DEVDAX ||
	    device->in_use)
		return verdict;
	int r = holders_any(m->options.sysroot, device->name, &device->in_use);
	if (r < 0) {
		log_warning("%s: cannot scan processes for holders (%s): counting it as in use.",
			    device->name, strerror(-r));
		device->in_use = true;
	}
	return device->in_use ? decide_policy(m, device) : verdict;
}

static uint64_t now_usec(clockid_t clock)
{
	struct timespec now;

	clock_gettime(clock, &now);
	return (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
}

/* manager_recover_auto_online() in @memory, the memory blocks' directory. */
static void recover_auto_online(const struct path_cxt *memory)
{
	char value[AUTO_ONLINE_MAX];

	int r = auto_online_recover(memory, TDXMEMD_AUTO_ONLINE_MEMO, value);
	if (r > 0)
		log_notice("Put auto_online_blocks back to \"%s\", which an interrupted kmem bind "
			   "had left changed.",
			   value);
	else if (r < 0)
		log_warning("Cannot put auto_online_blocks back from %s: %s",
			    TDXMEMD_AUTO_ONLINE_MEMO, strerror(-r));
}

void manager_recover_auto_online(const char *sysroot)
{
	_cleanup_(path_cxt_close) struct path_cxt memory = {.dir_fd = -1};

	if (path_cxt_open(&memory, sysroot, "/sys/devices/system/memory") >= 0)
		recover_auto_online(&memory);
}

/*
 * Before anything loads kmem: from now on no dax device is bound, and no
 * memory added, before tdxmemd's decision (dax-bus.h).
 */
static bool hold_dax_bus(void)
{
	bool was_held = false;

	int r = dax_bus_hold(DAX_BUS_DIR, &was_held);
	if (r == -ENOENT)
		return false; /* no dax core: no dax device can appear */
	if (r < 0) {
		log_error("Cannot hold the dax bus (%s/drivers_autoprobe): %s. New CXL memory may "
			  "be added before tdxmemd decides.",
			  DAX_BUS_DIR, strerror(-r));
		return false;
	}
	if (!was_held)
		log_info("Holding the dax bus (%s/drivers_autoprobe=0): new dax devices wait "
			 "unbound for tdxmemd's decision.",
			 DAX_BUS_DIR);
	return true;
}

/* libkmod's context, made the first time kmem may have to be loaded. */
static struct kmod_ctx *manager_kmod(struct manager *m)
{
	if (!m->kmod && (m->kmod = kmod_new(NULL, NULL)))
		log_attach_kmod(m->kmod);
	return m->kmod;
}

/* Binds device_dax to @device, which has no driver, and says why. */
static void give_devdax(struct dax_device *device, const struct action_options *options,
			const char *why)
{
	int r = action_bind_devdax(device, options);
	if (r < 0)
		log_error("%s: cannot bind device_dax: %s", device->name, strerror(-r));
	else
		log_info("%s: bound to device_dax (%s).", device->name, why);
}

/*
 * A dax device tdxmemd does not decide for gets what the kernel would have
 * bound without the hold: device_dax (drivers/dax/bus.c dax_match_type()).
 */
static void give_default_driver(struct manager *m, struct dax_device *device,
				const struct action_options *options)
{
	if (device->mode != DAX_MODE_DISABLED)
		return;
	give_devdax(device, options, "not volatile memory: tdxmemd does not decide for it");
	(void)inventory_refresh_device(&m->inventory, device, NULL);
}

void manager_keep_safe(const struct manager_options *options)
{
	_cleanup_(inventory_clear) struct inventory inventory = {0};
	struct parse_error error = {0};

	if (options->dry_run)
		return;
	(void)hold_dax_bus();
	if (inventory_scan(&inventory, options->sysroot, NULL, NULL, &error) < 0)
		return;

	struct action_options action = {.dev_dir = "/dev"};
	for (size_t i = 0; i < inventory.count; i++)
		if (inventory.devices[i].mode == DAX_MODE_DISABLED)
			give_devdax(&inventory.devices[i], &action,
				    "undecided: tdxmemd cannot decide until its input is fixed");
}

/* Whether TDX initialization would succeed with what the last read found present. */
struct tdx_init_check manager_tdx_init_outlook(const struct manager *m)
{
	const struct range_set *cmrs = m->cmrs.source == CMR_SOURCE_NONE ? NULL : &m->cmrs.cmrs;
	struct range_set present = {0};

	/* Most passes need no look at memory: TDX initialized, or disabled. */
	struct tdx_init_check check = tdx_init_check(m->tdx_state, cmrs, NULL);
	if (check.outlook == TDX_INIT_NOT_PENDING || !cmrs)
		return check;

	bool readable = boot_ram_read(m->options.sysroot, &present) >= 0;

	for (size_t i = 0; readable && i < m->inventory.count; i++) {
		const struct dax_device *device = &m->inventory.devices[i];
		if (device->blocks_present == 0)
			continue;
		for (size_t j = 0; readable && j < device->pluggable.count; j++)
			readable = range_set_add(&present, device->pluggable.items[j].start,
						 device->pluggable.items[j].end) >= 0;
	}
	check = tdx_init_check(m->tdx_state, cmrs, readable ? &present : NULL);
	range_set_clear(&present);
	return check;
}

/* After a pass that may act: the metrics textfile, when one is configured. */
static void write_metrics(struct manager *m, const struct tdx_init_check *check)
{
	/* --device read only some devices: the file keeps telling of all */
	if (!m->config.metrics_textfile || m->inventory.narrowed)
		return;
	manager_read_cxl(m);
	int r = metrics_write_textfile(m->config.metrics_textfile, &m->inventory, &m->ledger.state,
				       m->tdx_state, check, now_usec(CLOCK_REALTIME));
	if (r < 0)
		log_warning("Cannot write the metrics file %s: %s", m->config.metrics_textfile,
			    strerror(-r));
}

/* Acts on @device as @verdict says and fills @record; false when acting failed. */
static bool act_on_device(struct manager *m, struct dax_device *device,
			  const struct verdict *verdict, struct action_options *options,
			  struct record *record)
{
	*record = (struct record){
	    .device = device,
	    .verdict = *verdict,
	    .tdx_state = m->tdx_state,
	    .tdx_evidence = m->tdx_evidence,
	    .cmrs = &m->cmrs,
	    .put_back = ledger_changed_outside(&m->ledger, device, verdict),
	    .found_mode = device->mode,
	    .found_online = device->blocks_online,
	};
	/* libkmod only where kmem may still have to be loaded */
	bool load_kmem = verdict->decision == DECISION_ONLINE &&
			 device->mode != DAX_MODE_SYSTEM_RAM && !action_kmem_loaded();
	options->kmod = load_kmem ? manager_kmod(m) : NULL;
	action_apply(device, verdict->decision, options, &record->result);

	enum outcome outcome = record->result.outcome;
	if (outcome == OUTCOME_APPLIED || outcome == OUTCOME_ROLLED_BACK ||
	    outcome == OUTCOME_FAILED)
		(void)inventory_refresh_device(&m->inventory, device,
					       record->result.blocks_read ? &record->result.blocks
									  : NULL);
	if (record->result.rollback_error)
		log_error("%s: returning the device to devdax failed: %s", device->name,
			  strerror(record->result.rollback_error));
	return outcome != OUTCOME_ROLLED_BACK && outcome != OUTCOME_FAILED;
}

/* The journal and the ledger keep what was done; a dry run plans. */
static void record_device(struct manager *m, const struct record *record, bool *journal_warned)
{
	if (!m->options.dry_run) {
		int r = record_send_journal(record);
		if (r < 0 && !*journal_warned) {
			log_warning("Cannot write to the journal (%s); decisions are printed only.",
				    strerror(-r));
			*journal_warned = true;
		}
		ledger_note(&m->ledger, record, now_usec(CLOCK_REALTIME));
	}
	if (m->options.print)
		record_print_line(stdout, record);
}

/* What the pass did, and the TDX-init outlook after it, read once for all who need it. */
static void pass_report_fill(struct manager *m, struct pass_report *report)
{
	report->devices_read = m->inventory.devices_read;
	report->blocks_read = m->inventory.blocks_read;
	report->recorded = m->record_count;
	report->tdx_state = m->tdx_state;
	for (size_t i = 0; i < m->record_count; i++) {
		enum outcome outcome = m->records[i].result.outcome;
		/* without a name its uevents are not echoes: they cost a pass, no more */
		if (outcome == OUTCOME_APPLIED || outcome == OUTCOME_ROLLED_BACK ||
		    outcome == OUTCOME_FAILED)
			(void)name_list_add(&report->acted, m->records[i].device->name);
	}
	for (size_t i = 0; i < m->inventory.count; i++) {
		const struct dax_device *device = &m->inventory.devices[i];
		report->online += device->managed && device->mode == DAX_MODE_SYSTEM_RAM;
		report->devdax += device->managed && device->mode == DAX_MODE_DEVDAX;
	}
	bool metrics = m->config.metrics_textfile && !m->options.dry_run;
	if (m->options.daemon || metrics)
		report->init = manager_tdx_init_outlook(m);
	if (metrics)
		write_metrics(m, &report->init);
}

/* Decides, acts and records for the devices the last read found. */
int manager_act(struct manager *m, char *const *devices, struct pass_report *report)
{
	bool journal_warned = false;

	m->records = calloc(m->inventory.count ? m->inventory.count : 1, sizeof(*m->records));
	if (!m->records)
		return -ENOMEM;

	struct action_options options = {
	    .online_type = m->config.online_type,
	    .dry_run = m->options.dry_run,
	    .auto_online_memo = TDXMEMD_AUTO_ONLINE_MEMO,
	    .dev_dir = "/dev",
	    .memory = &m->inventory.memory,
	    .dax_bus_dir = DAX_BUS_DIR,
	    .block_size = m->inventory.block_size,
	};

	/* read once per pass: whether unbound devices are ours to bind */
	bool held = !options.dry_run && hold_dax_bus();
	_cleanup_(udev_unrefp) struct udev *udev = NULL;
	if (!options.dry_run) {
		/* the pass's own directory, opened by its read */
		recover_auto_online(options.memory);
		/* other agents' udev rules are waited for (udev-settle.h) */
		options.udev = udev = udev_new();
	}

	for (size_t i = 0; i < m->inventory.count; i++) {
		struct dax_device *device = &m->inventory.devices[i];
		if (!names_select(devices, device->name))
			continue;
		if (!device->managed) {
			if (held)
				give_default_driver(m, device, &options);
			continue;
		}

		report->decided++;
		struct verdict verdict = manager_decide(m, device);
		if (!ledger_should_record(&m->ledger, device, &verdict))
			continue;
		/* a record names the device's region and memdevs */
		manager_read_cxl(m);
		/* one device may take minutes to offline: tell a watchdog, if any, we live */
		sd_notify(0, "WATCHDOG=1");

		struct record *record = &m->records[m->record_count++];
		report->any_failed |= !act_on_device(m, device, &verdict, &options, record);
		record_device(m, record, &journal_warned);
	}
	/* kmem stays loaded: the daemon need not keep libkmod's indexes mapped */
	if (m->kmod)
		m->kmod = kmod_unref(m->kmod);
	pass_report_fill(m, report);
	return 0;
}

/*
 * Everything but the CMRs is read anew, but for what @changes lets stand
 * (NULL: nothing).
 */
int manager_read(struct manager *m, const struct change_set *changes)
{
	manager_forget_pass(m);
	int r = ledger_read(&m->ledger);
	if (r >= 0 && !m->kernel_log_followed)
		r = manager_read_kernel_log(m);
	if (r >= 0)
		r = manager_read_devices(m, changes);
	/* a failed read leaves nothing to decide on, nor to reuse */
	if (r < 0)
		inventory_clear(&m->inventory);
	return r;
}

void pass_report_clear(struct pass_report *report)
{
	name_list_clear(&report->acted);
	*report = (struct pass_report){0};
}

int manager_pass(struct manager *m, const struct change_set *changes,
		 struct pass_report *ret_report)
{
	uint64_t start = now_usec(CLOCK_MONOTONIC);
	struct pass_report report = {.inventory = &m->inventory};
	char *const *devices = changes ? changes->changed : NULL;

	int r = ledger_lock(&m->ledger);
	if (r >= 0)
		r = manager_read(m, changes);
	report.read_usec = now_usec(CLOCK_MONOTONIC) - start;
	if (r >= 0)
		r = manager_act(m, devices, &report);
	if (r < 0 && m->options.daemon) {
		/* the service tells its state and watches the outlook after every pass */
		report.tdx_state = m->tdx_state;
		report.init = manager_tdx_init_outlook(m);
	}
	ledger_unlock(&m->ledger);
	report.total_usec = now_usec(CLOCK_MONOTONIC) - start;
	*ret_report = report;
	return r;
}
