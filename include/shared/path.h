/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel files under a root prefix, so tests can hand a fixture tree to every
 * reader (the same idea as lsmem --sysroot).
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/* Whether @sysroot is the host's own root: NULL, "" or "/". */
bool path_root_is_host(const char *sysroot);

/* "SYSROOT" + "/proc/cpuinfo"; sysroot "/" or NULL gives the path itself. */
char *path_join_root(const char *sysroot, const char *path);

/*
 * Reads a whole regular file (at most @max bytes; more is -EFBIG) into a
 * NUL-terminated buffer, never blocking in open(): a directory is -EISDIR,
 * a FIFO, socket or device -EMEDIUMTYPE. Returns 0 and sets *ret_data and
 * *ret_size, or -errno.
 */
int read_full_file(const char *path, size_t max, char **ret_data, size_t *ret_size);

/*
 * Reads a sysfs attribute's value, first line, into @buffer: a sysfs read
 * returns the whole value at once (fs/sysfs/file.c, through seq_file), so
 * one read() is enough, with no fstat() and no read to EOF. For the memory
 * block attributes read by the hundred; never blocks (O_NONBLOCK).
 */
int read_attribute(const char *path, char *buffer, size_t size);

/*
 * A number that is the whole of @text: digits of @base (10 or 16) only, 16
 * with an optional "0x", no sign, no space, no suffix; strtoull() alone
 * takes " -1" as 2^64-1. -EINVAL when it is not one, -ERANGE past 2^64-1.
 */
int parse_u64(const char *text, int base, uint64_t *ret);

/*
 * A directory of kernel files under the root prefix, opened once (the idea
 * of util-linux's path_cxt, lib/path.c): every file in it is opened
 * relative to it, so the hundreds of memoryN reads of a pass resolve one
 * name each, and every value is read and parsed by the readers below.
 */
struct path_cxt {
	int dir_fd; /* O_PATH; -1 when the directory does not exist */
	char *dir;  /* SYSROOT + the directory, for messages; NULL: not opened */
};

/*
 * Opens SYSROOT/@dir. A missing directory is no error: dir_fd is -1 and
 * every read -ENOENT. -ENOMEM, or -errno when it exists and cannot be opened.
 */
int path_cxt_open(struct path_cxt *ret, const char *sysroot, const char *dir);
void path_cxt_close(struct path_cxt *cxt);

/* read_attribute() of the file @format names inside @cxt. */
int path_read_string(const struct path_cxt *cxt, char *buffer, size_t size, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

/* path_read_string(), then parse_u64(): -EINVAL when the value is no number. */
int path_read_u64(const struct path_cxt *cxt, int base, uint64_t *ret, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

/* read_root_file() of the file @format names inside @cxt: regular, at most @max. */
int path_read_file(const struct path_cxt *cxt, size_t max, char **ret_data, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

/* write_string_file() to the file @format names inside @cxt. */
int path_write_string(const struct path_cxt *cxt, const char *value, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* A read_full_file() error as words, naming the limit for -EFBIG. */
#define READ_ERROR_MAX 64
const char *read_error_string(int error, size_t max, char buf[static READ_ERROR_MAX]);

/* Reads SYSROOT/@path and strips one trailing newline. */
int read_root_file(const char *sysroot, const char *path, size_t max, char **ret_data);

/*
 * Writes @value to an existing file (a sysfs attribute) in one write(2), as
 * the kernel's store functions expect. Returns 0 or -errno; a short write is
 * -EIO.
 */
int write_string_file(const char *path, const char *value);

/*
 * Replaces @path whole or not at all: @write_content() fills PATH.new
 * (@mode, whatever the umask), which is flushed, synced and renamed over
 * @path, so a reader sees the old file or the new one, never half of one.
 * On any failure PATH.new is removed and @path left as it was. -errno.
 */
int write_file_atomic(const char *path, mode_t mode,
		      int (*write_content)(FILE *f, const void *userdata), const void *userdata);
