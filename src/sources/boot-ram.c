// SPDX-License-Identifier: GPL-2.0-or-later
#include "boot-ram.h"

#include "macro.h"
#include "path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

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
