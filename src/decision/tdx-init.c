// SPDX-License-Identifier: GPL-2.0-or-later
#include "tdx-init.h"

#include "macro.h"
#include "path.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ONE_MIB (1ull << 20)

static const char *const tdx_init_outlook_names[TDX_INIT_MAX] = {
    [TDX_INIT_NOT_PENDING] = "not-pending",
    [TDX_INIT_UNKNOWN] = "unknown",
    [TDX_INIT_WOULD_SUCCEED] = "would-succeed",
    [TDX_INIT_WOULD_FAIL] = "would-fail",
};
DEFINE_STRING_TABLE(tdx_init_outlook, enum tdx_init_outlook, TDX_INIT_MAX)

struct tdx_init_check tdx_init_check(enum tdx_state state, const struct range_set *cmrs,
				     const struct range_set *present)
{
	struct tdx_init_check check = {.outlook = TDX_INIT_NOT_PENDING};
	struct range_set counted = {0};

	/* init-failed may be tried again (kvm_intel reloaded): it is pending too */
	if (state != TDX_STATE_BIOS_ENABLED && state != TDX_STATE_INIT_FAILED &&
	    state != TDX_STATE_UNKNOWN)
		return check;
	check.outlook = TDX_INIT_UNKNOWN;
	if (!cmrs || !present)
		return check;

	for (size_t i = 0; i < present->count; i++) {
		struct range r = present->items[i];
		if (r.end <= ONE_MIB)
			continue;
		if (r.start < ONE_MIB)
			r.start = ONE_MIB;
		if (range_set_add(&counted, r.start, r.end) < 0) {
			range_set_clear(&counted);
			return check;
		}
	}
	check.outlook = range_set_first_uncovered(cmrs, &counted, &check.blocking)
			    ? TDX_INIT_WOULD_FAIL
			    : TDX_INIT_WOULD_SUCCEED;
	range_set_clear(&counted);
	return check;
}

static int read_hex(const char *dir, const char *name, unsigned long long *ret)
{
	char path[PATH_MAX], *end;
	_cleanup_free_ char *text = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int r = read_full_file(path, 64, &text, NULL);
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	errno = 0;
	*ret = strtoull(text, &end, 16);
	return errno != 0 || end == text || *end != '\0' ? -EINVAL : 0;
}

int boot_ram_read(const char *sysroot, struct range_set *present)
{
	_cleanup_free_ char *map = path_join_root(sysroot, "/sys/firmware/memmap");
	if (!map)
		return -ENOMEM;
	_cleanup_(closedirp) DIR *dir = opendir(map);
	if (!dir)
		return -errno;

	struct dirent *de;
	while ((de = readdir(dir))) {
		char entry[PATH_MAX], path[PATH_MAX + 16];
		_cleanup_free_ char *type = NULL;
		unsigned long long start, end;

		if (de->d_name[0] == '.')
			continue;
		snprintf(entry, sizeof(entry), "%s/%s", map, de->d_name);
		snprintf(path, sizeof(path), "%s/type", entry);
		if (read_full_file(path, 64, &type, NULL) < 0)
			continue;
		type[strcspn(type, "\n")] = '\0';
		if (!streq(type, "System RAM"))
			continue;
		/* drivers/firmware/memmap.c: start and end, inclusive, as %#llx */
		int r = read_hex(entry, "start", &start);
		if (r >= 0)
			r = read_hex(entry, "end", &end);
		if (r < 0)
			return r;
		if (end < start || end == ULLONG_MAX)
			return -EINVAL;
		if ((r = range_set_add(present, start, end + 1)) < 0)
			return r;
	}
	return 0;
}
