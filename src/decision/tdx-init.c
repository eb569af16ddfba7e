// SPDX-License-Identifier: GPL-2.0-or-later
#include "tdx-init.h"

#include "macro.h"
#include "path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

int boot_ram_read(const char *sysroot, struct range_set *present)
{
	_cleanup_(path_cxt_close) struct path_cxt map = {0};
	int r = path_cxt_open(&map, sysroot, "/sys/firmware/memmap");
	if (r < 0)
		return r;
	if (map.dir_fd < 0)
		return -ENOENT;
	/* O_PATH cannot be listed: open the directory itself to read it */
	int fd = openat(map.dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_(closedirp) DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return r;
	}

	struct dirent *de;
	while ((de = readdir(dir))) {
		char type[64];
		uint64_t start, end;

		if (de->d_name[0] == '.')
			continue;
		if (path_read_string(&map, type, sizeof(type), "%s/type", de->d_name) < 0 ||
		    !streq(type, "System RAM"))
			continue;
		/* drivers/firmware/memmap.c: start and end, inclusive, as %#llx */
		r = path_read_u64(&map, 16, &start, "%s/start", de->d_name);
		if (r >= 0)
			r = path_read_u64(&map, 16, &end, "%s/end", de->d_name);
		if (r < 0)
			return r;
		if (end < start || end == UINT64_MAX)
			return -EINVAL;
		if ((r = range_set_add(present, start, end + 1)) < 0)
			return r;
	}
	return 0;
}
