/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The manager owns everything a pass needs: configuration, the kernel's
 * view (TDX state, CMRs, dax devices) and the libkmod context. A pass reads
 * the sources, decides for every device, acts and records.
 */
#pragma once

#include "cmr.h"
#include "config.h"
#include "inventory.h"
#include "kernel-log.h"
#include "record.h"
#include "tdx.h"

#include <stdbool.h>

struct kmod_ctx;

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
};

struct manager {
	struct manager_options options;
	struct config config;
	struct kmod_ctx *kmod;
	int lock_fd;

	struct kernel_log kernel_log;
	enum tdx_state tdx_state;
	struct cmr_info cmrs;
	struct inventory inventory;
	struct record *records;
	size_t record_count;
};

int manager_new(const struct manager_options *options, struct manager **ret_manager);
struct manager *manager_free(struct manager *manager);

/* One pass over every device (or options.devices). Returns an EXIT_* code. */
int manager_run_once(struct manager *manager);
