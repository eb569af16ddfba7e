// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The manager's life outside a pass: its configuration, CMRs and kernel
 * log loaded and reloaded, the kernel log followed, auto_online_blocks
 * taken over (manager.h).
 */
#include "manager.h"

#include "log.h"
#include "macro.h"
#include "notice.h"
#include "path.h"

#include <cxl/libcxl.h>
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

struct manager *manager_free(struct manager *m)
{
	if (!m)
		return NULL;
	free(m->records);
	kernel_log_clear(&m->kernel_log);
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
int manager_adopt_cmrs(struct manager *m, const struct kernel_log *kernel_log)
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
	return manager_adopt_cmrs(m, &m->kernel_log);
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

int manager_follow_kernel_log(struct manager *m)
{
	int fd = kernel_log_follow(m->options.sysroot);

	if (fd < 0)
		log_warning("Cannot follow /dev/kmsg (%s): every pass reads the kernel log, and a "
			    "change of the TDX state that only the log shows waits for the next "
			    "device event.",
			    strerror(-fd));
	m->kernel_log_followed = fd >= 0;
	return fd;
}

bool manager_kernel_log_new(struct manager *m, int fd)
{
	size_t added = 0;
	bool lost = false;

	/* the lines are added to the manager's log, which passes then read instead */
	int r = kernel_log_read_new(fd, &m->kernel_log, &added, &lost);
	if (r < 0 || lost) {
		/* records overwritten before they were read: the journal kept them */
		log_debug("Kernel log records lost (%s): reading the log anew.",
			  r < 0 ? strerror(-r) : "ring buffer overwrote them");
		(void)manager_read_kernel_log(m);
	}
	return added > 0 || lost || r < 0;
}

void manager_cxl_changed(struct manager *m)
{
	if (m->cxl)
		cxl_unref(m->cxl);
	m->cxl = NULL;
}

#define AUTO_ONLINE_PATH "/sys/devices/system/memory/auto_online_blocks"

/*
 * With auto_online_blocks other than "offline", the kernel onlines CXL
 * memory (ZONE_NORMAL on Debian's kernels) the moment kmem binds, before
 * tdxmemd sees the dax device (docs/platform-notes.md, section 2). The
 * service owns that race.
 */
void manager_take_over_auto_online(struct manager *m)
{
	const char *sysroot = m->options.sysroot;
	_cleanup_free_ char *path = path_join_root(sysroot, AUTO_ONLINE_PATH);
	_cleanup_free_ char *previous = NULL;

	/* what an interrupted kmem bind left is put back before it is looked at */
	manager_recover_auto_online(sysroot);
	if (!path || read_root_file(sysroot, AUTO_ONLINE_PATH, 64, &previous) < 0)
		return; /* no memory hotplug: nothing can race */
	if (streq(previous, "offline"))
		return;

	if (!m->config.take_over_auto_online) {
		log_warning(
		    "%s is \"%s\": the kernel onlines new memory itself before tdxmemd "
		    "decides (TakeOverAutoOnline=no). Boot with memhp_default_state=offline.",
		    AUTO_ONLINE_PATH, previous);
		return;
	}

	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "offline", 7) != 7) {
		log_error("Cannot set %s to offline: %m. The kernel keeps onlining new memory "
			  "itself; tdxmemd returns what must not be online to devdax.",
			  AUTO_ONLINE_PATH);
		return;
	}
	(void)notice_auto_online_taken(AUTO_ONLINE_PATH, previous);
}
