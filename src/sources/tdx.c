// SPDX-License-Identifier: GPL-2.0-or-later
#include "tdx.h"

#include "macro.h"
#include "path.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static const char *const tdx_state_names[TDX_STATE_MAX] = {
    [TDX_STATE_UNKNOWN] = "unknown",	       [TDX_STATE_DISABLED] = "disabled",
    [TDX_STATE_BIOS_ENABLED] = "bios-enabled", [TDX_STATE_INITIALIZED] = "initialized",
    [TDX_STATE_INIT_FAILED] = "init-failed",
};

DEFINE_STRING_TABLE(tdx_state, enum tdx_state, TDX_STATE_MAX)

/*
 * Strongest evidence first. The tdx_host version attribute reads only once
 * the module is initialized (newer kernels). The last init line in the log
 * is the state: the kernel attempts initialization once per boot. kvm_intel
 * clears its tdx parameter when bring-up fails (v6.12 to v6.18), so "Y"
 * means initialized. The cpuinfo flag and the BIOS line say only that the
 * BIOS enabled TDX.
 */
enum tdx_state tdx_state_from_evidence(const struct tdx_evidence *e)
{
	if (e->host_version == 1)
		return TDX_STATE_INITIALIZED;
	if (e->log_failed == 1)
		return TDX_STATE_INIT_FAILED;
	if (e->log_initialized == 1 || e->kvm_intel_tdx == 1)
		return TDX_STATE_INITIALIZED;
	if (e->host_version == 0 || e->log_bios == 1 || e->cpuinfo_flag == 1)
		return TDX_STATE_BIOS_ENABLED;
	if (e->cpuinfo_flag == 0)
		return TDX_STATE_DISABLED;
	return TDX_STATE_UNKNOWN;
}

/* The same order as tdx_state_from_evidence(), naming the deciding source. */
const char *tdx_state_evidence(const struct tdx_evidence *e)
{
	if (e->host_version == 1)
		return "tdx_host-version";
	if (e->log_failed == 1 || e->log_initialized == 1)
		return "kernel-log";
	if (e->kvm_intel_tdx == 1)
		return "kvm_intel-tdx";
	if (e->host_version == 0)
		return "tdx_host-version";
	if (e->log_bios == 1)
		return "kernel-log";
	if (e->cpuinfo_flag >= 0)
		return "cpuinfo";
	return "none";
}

/* Whether @word is one of the space-separated words of @list. */
static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += len) {
		bool starts = p == list || p[-1] == ' ' || p[-1] == '\t';
		bool ends = p[len] == '\0' || p[len] == ' ' || p[len] == '\n';
		if (starts && ends)
			return true;
	}
	return false;
}

/*
 * Reads one evidence file. A missing or unreadable one is no evidence; one
 * that is no regular file, or larger than any such file is, is an error
 * the caller must stop at (tdx.h): noted in @e.
 */
static int read_evidence(const char *sysroot, const char *path, size_t max, char **ret_value,
			 struct tdx_evidence *e)
{
	int r = read_root_file(sysroot, path, max, ret_value);
	if ((r == -EISDIR || r == -EMEDIUMTYPE || r == -EFBIG) && !e->bad_file) {
		e->bad_file = path;
		e->bad_file_error = r;
		e->bad_file_limit = max;
	}
	return r;
}

#define CPUINFO_MAX (16u << 20)

static int read_cpuinfo_flag(const char *sysroot, struct tdx_evidence *e)
{
	_cleanup_free_ char *cpuinfo = NULL;

	if (read_evidence(sysroot, "/proc/cpuinfo", CPUINFO_MAX, &cpuinfo, e) < 0)
		return -1;

	/* Every CPU repeats its "flags" line; the first one is enough. */
	for (char *line = cpuinfo; line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, "flags", 5) == 0) {
			char *colon = strchr(line, ':');
			return colon && has_word(colon + 1, "tdx_host_platform");
		}
		line = next;
	}
	return 0;
}

static int read_host_version(const char *sysroot, struct tdx_evidence *e)
{
	_cleanup_free_ char *version = NULL;
	int r = read_evidence(sysroot, "/sys/devices/faux/tdx_host/version", 64, &version, e);

	if (r >= 0)
		return 1;
	/* drivers/virt/coco/tdx-host: show() fails with ENXIO before init. */
	return r == -ENXIO ? 0 : -1;
}

static int read_kvm_intel_tdx(const char *sysroot, struct tdx_evidence *e)
{
	_cleanup_free_ char *value = NULL;

	if (read_evidence(sysroot, "/sys/module/kvm_intel/parameters/tdx", 16, &value, e) < 0)
		return -1;
	return value[0] == 'Y' || value[0] == 'y' || value[0] == '1';
}

enum tdx_state tdx_state_read(const char *sysroot, const struct kernel_log *kernel_log,
			      struct tdx_evidence *ret_evidence)
{
	struct tdx_evidence e = {
	    .log_bios = -1,
	    .log_initialized = -1,
	    .log_failed = -1,
	};
	e.cpuinfo_flag = read_cpuinfo_flag(sysroot, &e);
	e.host_version = read_host_version(sysroot, &e);
	e.kvm_intel_tdx = read_kvm_intel_tdx(sysroot, &e);

	if (kernel_log && kernel_log->origin != KERNEL_LOG_NONE) {
		e.log_bios = e.log_initialized = e.log_failed = 0;
		for (size_t i = 0; i < kernel_log->count; i++) {
			const char *line = kernel_log->lines[i];

			if (strstr(line, "BIOS enabled: private KeyID range"))
				e.log_bios = 1;
			/*
			 * v6.12..v6.18 print "module initialized" and "module
			 * initialization failed (%d)"; newer kernels
			 * "TDX-Module initialized" / "... initialization
			 * failed (%d)". The last such line wins.
			 */
			if (strstr(line, "initialization failed")) {
				e.log_failed = 1;
				e.log_initialized = 0;
			} else if (strstr(line, "module initialized") ||
				   strstr(line, "TDX-Module initialized")) {
				e.log_initialized = 1;
				e.log_failed = 0;
			}
		}
	}

	if (ret_evidence)
		*ret_evidence = e;
	return tdx_state_from_evidence(&e);
}
