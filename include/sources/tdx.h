/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TDX host state as userspace can observe it (docs/platform-notes.md, section 1).
 */
#pragma once

#include "macro.h"

#include "kernel-log.h"

enum tdx_state {
	TDX_STATE_UNKNOWN,
	TDX_STATE_DISABLED,
	TDX_STATE_BIOS_ENABLED,
	TDX_STATE_INITIALIZED,
	TDX_STATE_INIT_FAILED,
	TDX_STATE_MAX, /* the number of values: sizes the name table */
};

DECLARE_STRING_TABLE(tdx_state, enum tdx_state);
/* Returns 0 and sets *ret_state, or -EINVAL for a name that is no state. */

/* Tri-state observations: -1 could not be read, 0 no, 1 yes. */
struct tdx_evidence {
	int cpuinfo_flag;    /* "tdx_host_platform" in /proc/cpuinfo */
	int host_version;    /* /sys/devices/faux/tdx_host/version: 1 readable, 0 ENXIO */
	int kvm_intel_tdx;   /* /sys/module/kvm_intel/parameters/tdx is Y */
	int log_bios;	     /* "virt/tdx: BIOS enabled: private KeyID range" */
	int log_initialized; /* last init line says initialized */
	int log_failed;	     /* last init line says initialization failed */
	/*
	 * The first evidence file that is no regular file (a FIFO, socket,
	 * directory) or too large: nobody's evidence, and an input error
	 * (read_error_string() gives the words). NULL when there is none.
	 */
	const char *bad_file; /* "/proc/cpuinfo", under the sysroot */
	int bad_file_error;
	size_t bad_file_limit;
};

/* Pure: the state the evidence shows. */
enum tdx_state tdx_state_from_evidence(const struct tdx_evidence *evidence);

/*
 * Pure: which observation decided tdx_state_from_evidence(), for records:
 * "tdx_host-version", "kernel-log", "kvm_intel-tdx", "cpuinfo" or "none".
 */
const char *tdx_state_evidence(const struct tdx_evidence *evidence);

/* Reads the evidence under @sysroot (plus @kernel_log) and derives the state. */
enum tdx_state tdx_state_read(const char *sysroot, const struct kernel_log *kernel_log,
			      struct tdx_evidence *ret_evidence);
