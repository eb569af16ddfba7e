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
