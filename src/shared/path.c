/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "path.h"
#include "macro.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

bool path_root_is_host(const char *sysroot)
{
	return !sysroot || sysroot[0] == '\0' || streq(sysroot, "/");
}

char *path_join_root(const char *sysroot, const char *path)
{
	size_t root_len;
	char *joined;

	if (path_root_is_host(sysroot))
		return strdup(path);

	/* "/tmp/root/" + "/proc" must not become "/tmp/root//proc". */
	root_len = strlen(sysroot);
	while (root_len > 0 && sysroot[root_len - 1] == '/')
		root_len--;

	if (asprintf(&joined, "%.*s%s%s", (int)root_len, sysroot, path[0] == '/' ? "" : "/", path) <
	    0)
		return NULL;

	return joined;
}

/*
 * Opens @path for reading, non-blocking: opening a FIFO for reading would
 * otherwise wait for a writer forever. Every file tdxmemd reads this way is a
 * regular one (sysfs and procfs attributes are too), so anything else is
 * refused: -EISDIR, -EMEDIUMTYPE. Sets *@ret_st.
 */
static int open_regular(const char *path, struct stat *ret_st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int r = -errno;
		/* a socket cannot be opened at all (ENXIO): say what it is */
		return r == -ENXIO && stat(path, ret_st) == 0 && S_ISSOCK(ret_st->st_mode)
			   ? -EMEDIUMTYPE
			   : r;
	}
	if (fstat(fd, ret_st) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	/* /dev/null reads as empty, as systemd's masking links to it expect */
	bool null = S_ISCHR(ret_st->st_mode) && ret_st->st_rdev == makedev(1, 3);
	int r = S_ISDIR(ret_st->st_mode)	     ? -EISDIR
		: !S_ISREG(ret_st->st_mode) && !null ? -EMEDIUMTYPE
						     : 0;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int read_full_file(const char *path, size_t max, char **ret_data, size_t *ret_size)
{
	_cleanup_free_ char *data = NULL;
	size_t size = 0, capacity;
	struct stat st;

	/* Keep max + 2 (one byte to detect "too big", one for the NUL) from overflowing. */
	if (max > SIZE_MAX / 4)
		max = SIZE_MAX / 4;

	_cleanup_close_ int fd = open_regular(path, &st);
	if (fd < 0)
		return fd;

	/*
	 * st_size is only a hint: sysfs reports 4096 for every attribute and
	 * procfs 0, whatever they hold, so read until EOF in any case. Ask for
	 * one byte more than max to tell "exactly max" from "more than max".
	 */
	capacity = st.st_size > 0 && (uint64_t)st.st_size <= max ? (size_t)st.st_size + 2 : 4096;
	if (capacity > max + 2)
		capacity = max + 2;
	data = malloc(capacity);
	if (!data)
		return -ENOMEM;

	for (;;) {
		if (size + 1 >= capacity) {
			size_t grown = capacity * 2 > max + 2 ? max + 2 : capacity * 2;
			if (grown <= capacity)
				return -EFBIG;
			char *p = realloc(data, grown);
			if (!p)
				return -ENOMEM;
			data = p;
			capacity = grown;
		}

		ssize_t n = read(fd, data + size, capacity - 1 - size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		size += (size_t)n;
		if (size > max)
			return -EFBIG;
	}

	data[size] = '\0';
	*ret_data = TAKE_PTR(data);
	if (ret_size)
		*ret_size = size;
	return 0;
}

int read_attribute(const char *path, char *buffer, size_t size)
{
	if (size < 2)
		return -EINVAL;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	ssize_t n;
	do
		n = read(fd, buffer, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buffer[n] = '\0';
	buffer[strcspn(buffer, "\n")] = '\0';
	return 0;
}

const char *read_error_string(int error, size_t max, char buf[static READ_ERROR_MAX])
{
	if (error == -EMEDIUMTYPE)
		return "not a regular file (a FIFO, socket or device)";
	if (error == -EFBIG) {
		snprintf(buf, READ_ERROR_MAX, "larger than the limit of %zu bytes", max);
		return buf;
	}
	return strerror(-error);
}

int read_root_file(const char *sysroot, const char *path, size_t max, char **ret_data)
{
	_cleanup_free_ char *full = NULL;
	char *data;
	size_t size;
	int r;

	full = path_join_root(sysroot, path);
	if (!full)
		return -ENOMEM;

	r = read_full_file(full, max, &data, &size);
	if (r < 0)
		return r;

	/* Kernel attributes end in one newline that is not part of the value. */
	if (size > 0 && data[size - 1] == '\n')
		data[size - 1] = '\0';

	*ret_data = data;
	return 0;
}

int write_file_atomic(const char *path, mode_t mode,
		      int (*write_content)(FILE *f, const void *userdata), const void *userdata)
{
	char temporary[PATH_MAX];

	if ((size_t)snprintf(temporary, sizeof(temporary), "%s.new", path) >= sizeof(temporary))
		return -ENAMETOOLONG;
	/* O_NOFOLLOW, O_NONBLOCK and the check: a link or FIFO left there is refused */
	int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
		      mode);
	if (fd < 0)
		return -errno;
	struct stat st;
	int r = fstat(fd, &st) < 0 ? -errno : S_ISREG(st.st_mode) ? 0 : -EMEDIUMTYPE;
	if (r < 0) {
		close(fd);
		return r;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		return r;
	}
	r = fchmod(fileno(f), mode) < 0 ? -errno : 0;
	if (r == 0)
		r = write_content(f, userdata);
	if (r == 0 && (fflush(f) != 0 || fsync(fileno(f)) < 0))
		r = -errno;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(temporary, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(temporary);
	return r;
}

int write_string_file(const char *path, const char *value)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}
