// SPDX-License-Identifier: GPL-2.0-or-later
#include "manager.h"

#include "action.h"
#include "auto-online.h"
#include "boot-ram.h"
#include "changes.h"
#include "cxl.h"
#include "dax-bus.h"
#include "explain.h"
#include "holders.h"
#include "log.h"
#include "macro.h"
#include "metrics.h"
#include "name-list.h"
#include "path.h"
#include "policy.h"
#include "status.h"
#include "udev-settle.h"

#include <cxl/libcxl.h>
#include <errno.h>
#include <libkmod.h>
#include <libudev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

static void log_parse_error(const struct parse_error *error)
{
	if (error->line > 0)
		log_error("%s:%u: %s", error->origin, error->line, error->message);
	else
		log_error("%s: %s", error->origin, error->message);
}

void manager_forget_device(struct manager *m, const char *name)
{
	ledger_forget(&m->ledger, name);
}

int manager_new(const struct manager_options *options, struct manager **ret_manager)
{
	struct parse_error error = {0};
	int r;

	struct manager *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->options = *options;
	ledger_init(&m->ledger, options->dry_run, options->daemon);
	config_init(&m->config);

	r = config_load(&m->config, options->config_path, options->config_explicit,
			options->config_explicit ? NULL : CONFIG_DEFAULT_DROPIN_DIR, &error);
	if (r < 0) {
		log_parse_error(&error);
		manager_free(m);
		return r;
	}

	*ret_manager = m;
	return 0;
}

static void manager_forget_pass(struct manager *m)
{
	free(m->records);
	m->records = NULL;
	m->record_count = 0;
	if (!m->kernel_log_followed)
		kernel_log_clear(&m->kernel_log);
}

struct manager *manager_free(struct manager *m)
{
	if (!m)
		return NULL;
	manager_forget_pass(m);
	inventory_clear(&m->inventory);
	cmr_info_clear(&m->cmrs);
	ledger_done(&m->ledger);
	if (m->cxl)
		cxl_unref(m->cxl);
	if (m->kmod)
		kmod_unref(m->kmod);
	config_clear(&m->config);
	free(m);
	return NULL;
}

static int load_cmrs(const struct manager *m, const struct config *config,
		     const struct kernel_log *kernel_log, struct cmr_info *ret_cmrs)
{
	struct parse_error error = {0};
	const char *file = m->options.cmr_file ? m->options.cmr_file : config->cmr_file;

	int r = cmr_load(file, config->cmr_attribute, kernel_log, ret_cmrs, &error);
	if (r < 0 && !file && !config->cmr_attribute) {
		/*
		 * The kernel log is nobody's input file: a line there that does
		 * not parse makes the CMRs unknown (never a partial list), which
		 * keeps memory devdax, rather than stopping tdxmemd.
		 */
		log_parse_error(&error);
		log_warning("Ignoring the CMR lines of the kernel log: CMRs unknown.");
		*ret_cmrs = (struct cmr_info){.source = CMR_SOURCE_NONE};
		return 0;
	}
	if (r < 0)
		log_parse_error(&error);
	return r;
}

int manager_read_kernel_log(struct manager *m)
{
	kernel_log_clear(&m->kernel_log);
	/* a dry run writes nothing, not even the journal cache */
	int r = kernel_log_read_cached(m->options.sysroot,
				       m->options.dry_run ? NULL : TDXMEMD_KERNEL_LOG_CACHE,
				       &m->kernel_log);
	if (r == -EMEDIUMTYPE || r == -EISDIR) {
		/* not the kernel's: a FIFO or directory put where the device should be */
		_cleanup_free_ char *path = path_join_root(m->options.sysroot, "/dev/kmsg");
		char why[READ_ERROR_MAX];
		return log_error_errno(r, "%s: cannot read: %s", path ? path : "/dev/kmsg",
				       read_error_string(r, 0, why));
	}
	if (r < 0)
		log_warning("Cannot read the kernel log (%s); TDX log lines and CMRs from it "
			    "are ignored.",
			    strerror(-r));
	return 0;
}

/* The CMRs under the current configuration, with @kernel_log as the last source. */
static int adopt_cmrs(struct manager *m, const struct kernel_log *kernel_log)
{
	struct cmr_info cmrs = {0};

	int r = load_cmrs(m, &m->config, kernel_log, &cmrs);
	if (r < 0)
		return r;
	cmr_info_clear(&m->cmrs);
	m->cmrs = cmrs;
	return 0;
}

int manager_load_cmrs(struct manager *m)
{
	int r = manager_read_kernel_log(m);
	if (r < 0)
		return r;
	return adopt_cmrs(m, &m->kernel_log);
}

int manager_reload(struct manager *m)
{
	struct parse_error error = {0};
	struct config config;
	struct cmr_info cmrs = {0};
	int r;

	config_init(&config);
	r = config_load(&config, m->options.config_path, m->options.config_explicit,
			m->options.config_explicit ? NULL : CONFIG_DEFAULT_DROPIN_DIR, &error);
	if (r < 0) {
		log_parse_error(&error);
		config_clear(&config);
		return r;
	}
	r = manager_read_kernel_log(m);
	if (r >= 0)
		r = load_cmrs(m, &config, &m->kernel_log, &cmrs);
	if (r < 0) {
		config_clear(&config);
		return r;
	}

	config_clear(&m->config);
	m->config = config;
	cmr_info_clear(&m->cmrs);
	m->cmrs = cmrs;
	/* a reload is the administrator's "try again" for actions that failed */
	ledger_retry_failed(&m->ledger);
	return 0;
}

/*
 * What a pass reads anew: the TDX state and the dax devices, with the blocks
 * of those in @changed (NULL: all); the others' may be the last read's.
 */
static int manager_read_devices(struct manager *m, char *const *changed)
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
	struct change_set changes = {.previous = &m->inventory, .changed = changed};
	struct inventory fresh = {0};
	r = inventory_scan(&fresh, m->options.sysroot, m->options.devices, &changes, &error);
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

void manager_cxl_changed(struct manager *m)
{
	if (m->cxl)
		cxl_unref(m->cxl);
	m->cxl = NULL;
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

static struct verdict manager_decide(struct manager *m, const struct dax_device *device)
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
static struct verdict decide_with_holders(struct manager *m, struct dax_device *device)
{
	struct verdict verdict = manager_decide(m, device);

	if (verdict.decision != DECISION_ONLINE || device->mode != DAX_MODE_DEVDAX ||
	    device->in_use)
		return verdict;
	int r = holders_any(m->options.sysroot, device->name, &device->in_use);
	if (r < 0) {
		log_warning("%s: cannot scan processes for holders (%s): counting it as in use.",
			    device->name, strerror(-r));
		device->in_use = true;
	}
	return device->in_use ? manager_decide(m, device) : verdict;
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
	(void)inventory_refresh_device(&m->inventory, device);
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

/* After a pass that may act: the metrics textfile, when one is configured. */
static void pass_done(struct manager *m)
{
	/* --device read only some devices: the file keeps telling of all */
	if (!m->config.metrics_textfile || m->inventory.narrowed)
		return;
	manager_read_cxl(m);
	struct tdx_init_check check = manager_tdx_init_check(m);
	int r = metrics_write_textfile(m->config.metrics_textfile, &m->inventory, &m->ledger.state,
				       m->tdx_state, &check, now_usec(CLOCK_REALTIME));
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
		(void)inventory_refresh_device(&m->inventory, device);
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

/* Decides, acts and records for the devices the last read found. */
static int manager_act(struct manager *m, char *const *devices, bool *ret_any_failed)
{
	bool any_failed = false, journal_warned = false;

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

		struct verdict verdict = decide_with_holders(m, device);
		if (!ledger_should_record(&m->ledger, device, &verdict))
			continue;
		/* a record names the device's region and memdevs */
		manager_read_cxl(m);
		/* one device may take minutes to offline: tell a watchdog, if any, we live */
		sd_notify(0, "WATCHDOG=1");

		struct record *record = &m->records[m->record_count++];
		any_failed |= !act_on_device(m, device, &verdict, &options, record);
		record_device(m, record, &journal_warned);
	}
	if (!options.dry_run)
		pass_done(m);
	/* kmem stays loaded: the daemon need not keep libkmod's indexes mapped */
	if (m->kmod)
		m->kmod = kmod_unref(m->kmod);
	if (ret_any_failed)
		*ret_any_failed = any_failed;
	return 0;
}

/*
 * Everything but the CMRs is read anew, then every wanted device decided;
 * only the blocks of devices not in @changed may be the last read's.
 */
static int manager_read(struct manager *m, char *const *changed)
{
	uint64_t start = now_usec(CLOCK_MONOTONIC);

	manager_forget_pass(m);
	int r = ledger_read(&m->ledger);
	if (r >= 0 && !m->kernel_log_followed)
		r = manager_read_kernel_log(m);
	if (r >= 0)
		r = manager_read_devices(m, changed);
	/* a failed read leaves nothing to decide on, nor to reuse */
	if (r < 0)
		inventory_clear(&m->inventory);
	m->read_usec = now_usec(CLOCK_MONOTONIC) - start;
	return r;
}

int manager_pass(struct manager *m, char *const *devices, bool *ret_any_failed)
{
	int r = ledger_lock(&m->ledger);
	if (r >= 0)
		r = manager_read(m, devices);
	if (r >= 0)
		r = manager_act(m, devices, ret_any_failed);
	ledger_unlock(&m->ledger);
	return r;
}

int manager_run_once(struct manager *m)
{
	bool any_failed = false;

	/* One read of the kernel log serves the TDX state and the CMRs. */
	if (ledger_lock(&m->ledger) < 0 || manager_read(m, NULL) < 0)
		return EXIT_INPUT_ERROR;
	if (adopt_cmrs(m, &m->kernel_log) < 0) {
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

	int r = manager_act(m, m->options.devices, &any_failed);
	ledger_unlock(&m->ledger);
	if (r < 0)
		return EXIT_INPUT_ERROR;

	if (m->options.json)
		record_print_json(stdout, m->tdx_state, &m->cmrs, m->records, m->record_count);
	fflush(stdout);

	return any_failed ? EXIT_ACTION_FAILED : EXIT_ALL_DECIDED;
}

struct tdx_init_check manager_tdx_init_check(const struct manager *m)
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

int manager_status(struct manager *m)
{
	int r = manager_read(m, NULL);
	if (r < 0)
		return EXIT_INPUT_ERROR;
	/* for the TDX init outlook only: unreadable CMRs make it "unknown" */
	if (adopt_cmrs(m, &m->kernel_log) < 0)
		m->cmrs = (struct cmr_info){.source = CMR_SOURCE_NONE};
	struct tdx_init_check check = manager_tdx_init_check(m);
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
	if (manager_read(m, NULL) < 0 || adopt_cmrs(m, &m->kernel_log) < 0)
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
	    .verdict = decide_with_holders(m, device),
	    .last = state_find(&m->ledger.state, name),
	};
	int r = explain_print(stdout, &facts, m->options.json);
	if (fflush(stdout) != 0)
		r = -EIO;
	return r < 0 ? EXIT_INPUT_ERROR : EXIT_ALL_DECIDED;
}
