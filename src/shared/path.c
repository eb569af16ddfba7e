/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "path.h"
#include "macro.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
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
static int open_regular(int dir_fd, const char *path, struct stat *ret_st)
{
	int fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int r = -errno;
		/* a socket cannot be opened at all (ENXIO): say what it is */
		return r == -ENXIO && fstatat(dir_fd, path, ret_st, 0) == 0 &&
			       S_ISSOCK(ret_st->st_mode)
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

static int read_full_file_at(int dir_fd, const char *path, size_t max, char **ret_data,
			     size_t *ret_size)
{
	_cleanup_free_ char *data = NULL;
	size_t size = 0, capacity;
	struct stat st;

	/* Keep max + 2 (one byte to detect "too big", one for the NUL) from overflowing. */
	if (max > SIZE_MAX / 4)
		max = SIZE_MAX / 4;

	_cleanup_close_ int fd = open_regular(dir_fd, path, &st);
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

/* One write(2), as the kernel's store functions expect; a short write is -EIO. */
int read_full_file(const char *path, size_t max, char **ret_data, size_t *ret_size)
{
	return read_full_file_at(AT_FDCWD, path, max, ret_data, ret_size);
}

/* Kernel attributes end in one newline that is not part of the value. */
static void strip_newline(char *data, size_t size)
{
	if (size > 0 && data[size - 1] == '\n')
		data[size - 1] = '\0';
}

static int write_all(int fd, const char *value)
{
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int write_string_file(const char *path, const char *value)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	return write_all(fd, value);
}

static int read_attribute_at(int dir_fd, const char *path, char *buffer, size_t size)
{
	if (size < 2)
		return -EINVAL;
	_cleanup_close_ int fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
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

int read_attribute(const char *path, char *buffer, size_t size)
{
	return read_attribute_at(AT_FDCWD, path, buffer, size);
}

int parse_u64(const char *text, int base, uint64_t *ret)
{
	const char *digits = text;
	char *end;

	if (base != 10 && base != 16)
		return -EINVAL;
	if (base == 16 && (strncmp(text, "0x", 2) == 0 || strncmp(text, "0X", 2) == 0))
		digits += 2;
	/* strtoull() itself takes a sign, spaces, and a second "0x" after ours */
	size_t len = strspn(digits, base == 16 ? "0123456789abcdefABCDEF" : "0123456789");
	if (len == 0 || digits[len] != '\0')
		return -EINVAL;
	errno = 0;
	unsigned long long value = strtoull(digits, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	*ret = value;
	return 0;
}

int path_cxt_open(struct path_cxt *ret, const char *sysroot, const char *dir)
{
	char *full = path_join_root(sysroot, dir);
	if (!full)
		return -ENOMEM;
	int fd = open(full, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT) {
		int r = -errno;
		free(full);
		return r;
	}
	*ret = (struct path_cxt){.dir_fd = fd, .dir = full};
	return 0;
}

void path_cxt_close(struct path_cxt *cxt)
{
	/* a zeroed context (no dir) was never opened: its fd 0 is not its own */
	if (cxt->dir && cxt->dir_fd >= 0)
		close(cxt->dir_fd);
	free(cxt->dir);
	*cxt = (struct path_cxt){.dir_fd = -1};
}

/*
 * The name @format gives, relative to the directory, never absolute; and
 * -ENOENT when the directory was missing or never opened.
 */
__attribute__((format(printf, 3, 0))) static int path_format(const struct path_cxt *cxt,
							     char name[static PATH_MAX],
							     const char *format, va_list args)
{
	int n = vsnprintf(name, PATH_MAX, format, args);
	if (n < 0 || n >= PATH_MAX)
		return -ENAMETOOLONG;
	if (name[0] == '/')
		return -EINVAL;
	return !cxt->dir || cxt->dir_fd < 0 ? -ENOENT : 0;
}

/* path_format() of the calling function's own variable arguments. */
#define PATH_NAME(cxt, name, format)                                                               \
	({                                                                                         \
		va_list _args;                                                                     \
		va_start(_args, format);                                                           \
		int _r = path_format(cxt, name, format, _args);                                    \
		va_end(_args);                                                                     \
		_r;                                                                                \
	})

int path_read_string(const struct path_cxt *cxt, char *buffer, size_t size, const char *format, ...)
{
	char name[PATH_MAX];
	int r = PATH_NAME(cxt, name, format);

	return r < 0 ? r : read_attribute_at(cxt->dir_fd, name, buffer, size);
}

int path_read_u64(const struct path_cxt *cxt, int base, uint64_t *ret, const char *format, ...)
{
	char name[PATH_MAX], value[64];
	int r = PATH_NAME(cxt, name, format);

	if (r >= 0)
		r = read_attribute_at(cxt->dir_fd, name, value, sizeof(value));
	return r < 0 ? r : parse_u64(value, base, ret);
}

int path_read_file(const struct path_cxt *cxt, size_t max, char **ret_data, const char *format, ...)
{
	char name[PATH_MAX];
	size_t size;
	int r = PATH_NAME(cxt, name, format);

	if (r >= 0)
		r = read_full_file_at(cxt->dir_fd, name, max, ret_data, &size);
	if (r >= 0)
		strip_newline(*ret_data, size);
	return r;
}

int path_write_string(const struct path_cxt *cxt, const char *value, const char *format, ...)
{
	char name[PATH_MAX];
	int r = PATH_NAME(cxt, name, format);
	if (r < 0)
		return r;

	_cleanup_close_ int fd = openat(cxt->dir_fd, name, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	return fd < 0 ? -errno : write_all(fd, value);
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
	_cleanup_free_ char *full = path_join_root(sysroot, path);
	size_t size;

	if (!full)
		return -ENOMEM;
	int r = read_full_file(full, max, ret_data, &size);
	if (r < 0)
		return r;
	strip_newline(*ret_data, size);
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
