/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The manager owns everything a pass needs: configuration, the kernel's
 * view (TDX state, CMRs, dax devices) and the libkmod context. A pass reads
 * the sources, decides for every device, acts and records.
 */
#pragma once

#include "changes.h"
#include "cmr-sources.h"
#include "config.h"
#include "inventory.h"
#include "kernel-log.h"
#include "ledger.h"
#include "record.h"
#include "state.h"
#include "tdx-init.h"
#include "tdx.h"

#include <stdbool.h>
#include <stdint.h>

struct cxl_ctx;
struct kmod_ctx;

/* After a wrap: this boot's TDX log lines and the journal cursor reached. */
#define TDXMEMD_KERNEL_LOG_CACHE TDXMEMD_RUNTIME_DIR "/kernel-log"

/* Exit codes of tdxmemd(8). */
enum {
	EXIT_ALL_DECIDED = 0,
	EXIT_INPUT_ERROR = 1, /* usage, config or source error: nothing touched */
	EXIT_ACTION_FAILED = 2,
};

struct manager_options {
	const char *sysroot; /* "/" unless --sysroot */
	const char *config_path;
	bool config_explicit;
	const char *cmr_file; /* --cmr-file: overrides CmrFile= */
	char **devices;	      /* --device NAME..., NULL-terminated, or NULL for all */
	bool dry_run;
	bool json;
	bool prometheus; /* status --prometheus */
	bool print;	 /* one line per decision on stdout (--once) */
	bool daemon;	 /* the ledger records a device only when its decision changes */
};

struct manager {
	struct manager_options options;
	struct config config;
	struct kmod_ctx *kmod;
	struct cxl_ctx *cxl; /* kept between passes; NULL until needed */

	/* Loaded at start and on reload. */
	struct cmr_info cmrs;

	/*
	 * Read anew by every pass: the TDX state changes when KVM initializes
	 * it. The daemon instead reads the log once and appends what comes
	 * (kernel_log_follow()), so that no pass reads it again.
	 */
	struct kernel_log kernel_log;
	bool kernel_log_followed;
	enum tdx_state tdx_state;
	const char *tdx_evidence; /* what showed tdx_state (tdx_state_evidence()) */
	struct inventory inventory;
	struct record *records;
	size_t record_count;

	/* The lock and the state of this boot (ledger.h), read by every pass. */
	struct ledger ledger;
};

/* Loads the configuration. */
int manager_new(const struct manager_options *options, struct manager **ret_manager);
struct manager *manager_free(struct manager *manager);

/* CXL regions and memdevs for this pass's devices, once per pass, on demand. */
void manager_read_cxl(struct manager *manager);

/* A CXL region came or went: the next manager_read_cxl() takes a new context. */
void manager_cxl_changed(struct manager *manager);

/*
 * Reads the whole kernel log of this boot anew (kmsg, or the journal after a
 * wrap). An unreadable log only warns; -errno when /dev/kmsg is a FIFO or a
 * directory (under --sysroot).
 */
int manager_read_kernel_log(struct manager *manager);

/* Loads the CMRs under the current configuration. */
int manager_load_cmrs(struct manager *manager);

/* The CMRs under the current configuration, with @kernel_log as the last source. */
int manager_adopt_cmrs(struct manager *manager, const struct kernel_log *kernel_log);

/*
 * Loads configuration and CMRs anew; on any error keeps the old ones and
 * returns it. Devices whose last action failed become eligible again.
 */
int manager_reload(struct manager *manager);

/* What one pass did, for the service's bookkeeping and its debug line. */
struct pass_report {
	const struct inventory *inventory; /* what it read: the manager's, until the next pass */
	size_t devices_read;		   /* by libdaxctl; the others were taken over */
	size_t blocks_read;		   /* devices whose blocks were read */
	size_t decided;
	size_t recorded;
	struct name_list acted; /* the devices it changed (their records say so) */
	bool any_failed;	/* a device was rolled back or failed */
	size_t online, devdax;	/* managed devices in each mode after it */
	enum tdx_state tdx_state;
	/* the TDX-init outlook after it, read once (service and metrics only) */
	struct tdx_init_check init;
	uint64_t read_usec, total_usec;
};

void pass_report_clear(struct pass_report *report);

/*
 * A pass's read: everything but the CMRs anew, but for what @changes lets
 * stand (NULL: nothing). Under the ledger's lock.
 */
int manager_read(struct manager *manager, const struct change_set *changes);

/*
 * A pass's decisions, actions and records, for the devices the read found,
 * or only those in @devices (NULL-terminated); fills @report's counts.
 */
int manager_act(struct manager *manager, char *const *devices, struct pass_report *report);

/*
 * The policy's verdict for @device; who holds it is read only when the
 * verdict would take it out of devdax.
 */
struct verdict manager_decide(struct manager *manager, struct dax_device *device);

/* Whether TDX initialization would succeed with what the last read found present. */
struct tdx_init_check manager_tdx_init_outlook(const struct manager *manager);

/*
 * Reads the TDX state and the devices, decides, acts and records, for every
 * device, or only for those @changes names (what it may take over from the
 * last read). Fills *ret_report, also on failure.
 */
int manager_pass(struct manager *manager, const struct change_set *changes,
		 struct pass_report *ret_report);

/*
 * With auto_online_blocks other than "offline", the kernel onlines new
 * memory before tdxmemd decides: the service sets it to "offline"
 * (TakeOverAutoOnline=), and records so. What a killed tdxmemd left
 * there is put back first (manager_recover_auto_online()).
 */
void manager_take_over_auto_online(struct manager *manager);

/*
 * Follows /dev/kmsg from now on: returns its descriptor, or -errno when it
 * cannot (then every pass reads the log itself).
 */
int manager_follow_kernel_log(struct manager *manager);

/* New kernel messages on @fd: whether the TDX state may have changed. */
bool manager_kernel_log_new(struct manager *manager, int fd);

/*
 * A tdxmemd killed inside a kmem bind left auto_online_blocks at the type
 * it had set for that bind (auto-online.h): puts back what it was, and
 * says so. Every acting pass does it first, under the lock; the service
 * also before it looks at the setting at start
 * (manager_take_over_auto_online()).
 */
void manager_recover_auto_online(const char *sysroot);

/* tdxmemd --once: load the CMRs, one pass, print. Returns an EXIT_* code. */
int manager_run_once(struct manager *manager);

/*
 * When tdxmemd cannot decide (its configuration or CMR file is broken): holds
 * the dax bus and gives every unbound dax device device_dax, so that nothing
 * is added before a decision and every /dev/daxX.Y is usable. Touches no
 * memory block and no bound device.
 */
void manager_keep_safe(const struct manager_options *options);

/* A device went away: when it comes back, it is a new device. */
void manager_forget_device(struct manager *manager, const char *name);

/* tdxmemd status: the devices as they are, with their last decisions. */
int manager_status(struct manager *manager);

/* tdxmemd explain DEVICE: why the policy decides what it does for @name. */
int manager_explain(struct manager *manager, const char *name);
