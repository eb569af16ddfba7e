// SPDX-License-Identifier: GPL-2.0-or-later
/* Who holds /dev/daxX.Y: the driver module's count, else a walk of /proc (holders.h). */
#include "holders.h"

#include "macro.h"
#include "path.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Whether @text holds "/dev/NAME" as a whole path: followed by the end, a
 * newline or " (deleted)", so that dax0.1 never matches dax0.10.
 */
static bool names_dax_node(const char *text, size_t len, const char *node)
{
	size_t node_len = strlen(node);

	for (const char *p = text; (p = memmem(p, len - (size_t)(p - text), node, node_len));
	     p += node_len) {
		const char *after = p + node_len;
		if (after == text + len || *after == '\n' || *after == ' ')
			return true;
	}
	return false;
}

static bool fds_hold(int proc_fd, const char *pid, const char *node)
{
	char path[64], target[PATH_MAX];
	_Alignas(struct dirent64) char entries[16384];
	ssize_t size;

	snprintf(path, sizeof(path), "%s/fd", pid);
	_cleanup_close_ int fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	/* getdents64() itself: readdir()'s fdopendir() costs three more syscalls */
	while ((size = getdents64(fd, entries, sizeof(entries))) > 0) {
		for (ssize_t at = 0; at < size;) {
			const struct dirent64 *de = (const struct dirent64 *)(entries + at);
			at += de->d_reclen;
			/* descriptors are links: ".", ".." cost no readlink */
			if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
				continue;
			ssize_t n = readlinkat(fd, de->d_name, target, sizeof(target));
			if (n > 0 && names_dax_node(target, (size_t)n, node))
				return true;
		}
	}
	return false;
}

/*
 * A mapping outlives close(): /proc/PID/maps, read in large chunks. Sets
 * *@ret_empty when there is none at all: a kernel thread (or a zombie),
 * which holds no descriptor either.
 */
static bool maps_hold(int proc_fd, const char *pid, const char *node, bool *ret_empty)
{
	char path[64], buffer[65536];
	size_t keep = 0;

	*ret_empty = true;
	snprintf(path, sizeof(path), "%s/maps", pid);
	_cleanup_close_ int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	for (;;) {
		ssize_t n = read(fd, buffer + keep, sizeof(buffer) - keep);
		if (n <= 0)
			return false;
		*ret_empty = false;
		size_t len = keep + (size_t)n;
		/* only whole lines: the rest starts the next chunk */
		const char *last = memrchr(buffer, '\n', len);
		size_t whole = last ? (size_t)(last - buffer) + 1 : len;
		if (names_dax_node(buffer, whole, node))
			return true;
		keep = len - whole;
		if (keep == sizeof(buffer))
			keep = 0; /* no line is this long: drop it */
		memmove(buffer, buffer + whole, keep);
	}
}

/*
 * Every open file of a device_dax node pins the driver's module twice:
 * chrdev_open() (fs/char_dev.c) takes cdev->owner, which dev_dax_probe()
 * (drivers/dax/device.c) sets to the driver's module, and the owner of
 * dax_fops, the same module; __fput() (fs/file_table.c) gives both back
 * with the file's last reference, which every mapping keeps (vm_file).
 * Besides files only the modules linked against it count (one each, in
 * its holders/: kernel/module/main.c ref_module()). So a count no higher
 * than that means no file of any of the driver's devices is open or mapped,
 * under whatever name or namespace. True only then: a built-in driver has
 * no count, and an unreadable one proves nothing.
 */
static bool driver_module_unused(const char *sysroot, const char *name)
{
	_cleanup_(path_cxt_close) struct path_cxt module = {0};
	_Alignas(struct dirent64) char entries[4096];
	char dir[PATH_MAX];
	uint64_t refs, linked = 0;
	ssize_t size;

	snprintf(dir, sizeof(dir), "/sys/bus/dax/devices/%s/driver/module", name);
	if (path_cxt_open(&module, sysroot, dir) < 0 ||
	    path_read_u64(&module, 10, &refs, "refcnt") < 0)
		return false;
	/* refcnt was read, so the directory is open */
	_cleanup_close_ int fd =
	    openat(module.dir_fd, "holders", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while ((size = getdents64(fd, entries, sizeof(entries))) > 0)
		for (ssize_t at = 0; at < size;) {
			const struct dirent64 *de = (const struct dirent64 *)(entries + at);
			at += de->d_reclen;
			linked += de->d_name[0] != '.';
		}
	return size == 0 && refs <= linked;
}

int holders_any(const char *sysroot, const char *name, bool *ret_held)
{
	char node[64];

	if (snprintf(node, sizeof(node), "/dev/%s", name) >= (int)sizeof(node))
		return -EINVAL;
	*ret_held = false;
	if (driver_module_unused(sysroot, name))
		return 0;
	_cleanup_free_ char *proc = path_join_root(sysroot, "/proc");
	if (!proc)
		return -ENOMEM;
	_cleanup_(closedirp) DIR *dir = opendir(proc);
	if (!dir)
		return -errno;

	/* A process that goes away meanwhile is simply skipped. */
	struct dirent *de;
	char self[32];
	snprintf(self, sizeof(self), "%d", (int)getpid());
	while ((de = readdir(dir))) {
		/* tdxmemd itself holds no dax device */
		if (!isdigit((unsigned char)de->d_name[0]) || streq(de->d_name, self))
			continue;
		bool no_maps;
		if (maps_hold(dirfd(dir), de->d_name, node, &no_maps) ||
		    (!no_maps && fds_hold(dirfd(dir), de->d_name, node))) {
			*ret_held = true;
			return 0;
		}
	}
	return 0;
}
