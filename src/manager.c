// SPDX-License-Identifier: GPL-2.0-or-later
#include "manager.h"

#include "action.h"
#include "log.h"
#include "macro.h"
#include "path.h"
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

/* Shared with a running daemon: never two actors on one device. */
#define RUNTIME_DIR "/run/tdxmemd"
#define LOCK_PATH   RUNTIME_DIR "/action.lock"

static void log_parse_error(const struct parse_error *error)
{
	if (error->line > 0)
		log_error("%s:%u: %s", error->origin, error->line, error->message);
	else
		log_error("%s: %s", error->origin, error->message);
}

int manager_new(const struct manager_options *options, struct manager **ret_manager)
{
	struct parse_error error = {0};
	int r;

	struct manager *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->options = *options;
	m->lock_fd = -1;
	config_init(&m->config);

	r = config_load(&m->config, options->config_path, options->config_explicit,
			options->config_explicit ? NULL : CONFIG_DEFAULT_DROPIN_DIR, &error);
	if (r < 0) {
		log_parse_error(&error);
		manager_free(m);
		return r;
	}

	m->kmod = kmod_new(NULL, NULL);
	if (!m->kmod) {
		manager_free(m);
		return -ENOMEM;
	}
	log_attach_kmod(m->kmod);

	*ret_manager = m;
	return 0;
}

static void manager_forget_pass(struct manager *m)
{
	free(m->records);
	m->records = NULL;
	m->record_count = 0;
	inventory_clear(&m->inventory);
	cmr_info_clear(&m->cmrs);
	kernel_log_clear(&m->kernel_log);
}

struct manager *manager_free(struct manager *m)
{
	if (!m)
		return NULL;
	manager_forget_pass(m);
	if (m->lock_fd >= 0)
		close(m->lock_fd);
	if (m->kmod)
		kmod_unref(m->kmod);
	config_clear(&m->config);
	free(m);
	return NULL;
}

/* The sources: kernel log, TDX state, CMRs, dax devices. */
static int manager_read_sources(struct manager *m)
{
	struct parse_error error = {0};
	int r;

	r = kernel_log_read(m->options.sysroot, &m->kernel_log);
	if (r < 0)
		log_warning("Cannot read the kernel log (%s); TDX log lines and CMRs from it "
			    "are ignored.",
			    strerror(-r));

	if (m->config.state_pinned)
		m->tdx_state = m->config.state;
	else
		m->tdx_state = tdx_state_read(m->options.sysroot, &m->kernel_log, NULL);

	const char *cmr_file = m->options.cmr_file ? m->options.cmr_file : m->config.cmr_file;
	r = cmr_load(cmr_file, m->config.cmr_attribute, &m->kernel_log, &m->cmrs, &error);
	if (r < 0) {
		log_parse_error(&error);
		return r;
	}

	error = (struct parse_error){0};
	r = inventory_scan(&m->inventory, m->options.sysroot, &error);
	if (r < 0) {
		log_parse_error(&error);
		return r;
	}
	return 0;
}

static bool serial_listed(const struct config *config, const char *memdevs)
{
	/* memdevs: "mem0:0x1234 mem1:0x5678"; Exclude= may give 0x1234 or 4660 */
	for (const char *p = memdevs; p && (p = strchr(p, ':')); p++) {
		unsigned long long serial = strtoull(p + 1, NULL, 0);
		for (size_t i = 0; i < config->exclude_count; i++) {
			char *end;
			errno = 0;
			unsigned long long listed = strtoull(config->exclude[i], &end, 0);
			if (errno == 0 && *end == '\0' && end != config->exclude[i] &&
			    listed == serial)
				return true;
		}
	}
	return false;
}

static bool manager_excludes(const struct manager *m, const struct dax_device *device)
{
	return config_excludes(&m->config, device->name) ||
	       (device->cxl_region && config_excludes(&m->config, device->cxl_region)) ||
	       serial_listed(&m->config, device->cxl_memdevs);
}

static struct verdict manager_decide(const struct manager *m, const struct dax_device *device)
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

static bool wanted(const struct manager *m, const char *name)
{
	if (!m->options.devices)
		return true;
	for (char **d = m->options.devices; *d; d++)
		if (streq(*d, name))
			return true;
	return false;
}

static int manager_lock(struct manager *m)
{
	if (m->lock_fd >= 0)
		return 0;
	if (mkdir(RUNTIME_DIR, 0755) < 0 && errno != EEXIST)
		return log_error_errno(-errno, "Cannot create %s: %m", RUNTIME_DIR);
	int fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return log_error_errno(-errno, "Cannot open %s: %m", LOCK_PATH);
	if (flock(fd, LOCK_EX) < 0) {
		int r = -errno;
		close(fd);
		return log_error_errno(r, "Cannot lock %s: %s", LOCK_PATH, strerror(-r));
	}
	m->lock_fd = fd;
	return 0;
}

static void manager_unlock(struct manager *m)
{
	if (m->lock_fd >= 0)
		close(m->lock_fd);
	m->lock_fd = -1;
}

/*
 * With auto_online_blocks other than "offline" the kernel onlines kmem's
 * blocks itself when kmem binds (mm/memory_hotplug.c, memhp_default_state).
 */
static bool kernel_auto_onlines(const char *sysroot)
{
	_cleanup_free_ char *value = NULL;

	if (read_root_file(sysroot, "/sys/devices/system/memory/auto_online_blocks", 64, &value) <
	    0)
		return false;
	return !streq(value, "offline");
}

int manager_run_once(struct manager *m)
{
	bool any_failed = false, journal_warned = false;
	int r;

	manager_forget_pass(m);
	r = manager_read_sources(m);
	if (r < 0)
		return EXIT_INPUT_ERROR;

	for (char **d = m->options.devices; d && *d; d++)
		if (!inventory_find(&m->inventory, *d)) {
			log_error("No dax device %s.", *d);
			return EXIT_INPUT_ERROR;
		}

	m->records = calloc(m->inventory.count ? m->inventory.count : 1, sizeof(*m->records));
	if (!m->records) {
		log_error("Out of memory.");
		return EXIT_INPUT_ERROR;
	}

	struct action_options options = {
		.online_type = m->config.online_type,
		.dry_run = m->options.dry_run,
		.kernel_auto_online = kernel_auto_onlines(m->options.sysroot),
		.kmod = m->kmod,
		.dev_dir = "/dev",
	};

	if (!options.dry_run && (r = manager_lock(m)) < 0)
		return EXIT_INPUT_ERROR;

	for (size_t i = 0; i < m->inventory.count; i++) {
		struct dax_device *device = &m->inventory.devices[i];
		if (!wanted(m, device->name))
			continue;

		struct record *record = &m->records[m->record_count++];
		*record = (struct record){
			.device = device,
			.verdict = manager_decide(m, device),
			.tdx_state = m->tdx_state,
			.cmrs = &m->cmrs,
		};
		action_apply(device, record->verdict.decision, &options, &record->result);
		if (record->result.outcome == OUTCOME_APPLIED ||
		    record->result.outcome == OUTCOME_ROLLED_BACK ||
		    record->result.outcome == OUTCOME_FAILED)
			inventory_refresh_device(&m->inventory, device);

		if (record->result.rollback_error)
			log_error("%s: returning the device to devdax failed: %s", device->name,
				  strerror(record->result.rollback_error));
		if (record->result.outcome == OUTCOME_ROLLED_BACK ||
		    record->result.outcome == OUTCOME_FAILED)
			any_failed = true;

		/* A dry run plans; the journal keeps what was done. */
		if (!options.dry_run) {
			r = record_send_journal(record);
			if (r < 0 && !journal_warned) {
				log_warning("Cannot write to the journal (%s); decisions are "
					    "printed only.",
					    strerror(-r));
				journal_warned = true;
			}
		}
		if (!m->options.json)
			record_print_line(stdout, record);
	}
	manager_unlock(m);

	if (m->options.json)
		record_print_json(stdout, m->tdx_state, &m->cmrs, m->records, m->record_count);
	fflush(stdout);

	return any_failed ? EXIT_ACTION_FAILED : EXIT_ALL_DECIDED;
}
