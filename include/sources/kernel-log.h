/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "virt/tdx: " lines of this boot's kernel log, read once per pass and
 * shared by the TDX state reader and the CMR reader.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum kernel_log_origin {
	KERNEL_LOG_NONE,
	KERNEL_LOG_KMSG,
	KERNEL_LOG_JOURNAL,
};

struct kernel_log {
	enum kernel_log_origin origin;
	char **lines; /* message text from "virt/tdx: " on, in log order */
	size_t count;
};

void kernel_log_clear(struct kernel_log *log);

/*
 * Reads SYSROOT/dev/kmsg. The kernel numbers its records from 0 at boot; when
 * the first record read is not number 0, the ring buffer has already dropped
 * early messages (the TDX lines come early), so with sysroot "/" the journal's
 * kernel messages of this boot are read instead. Returns 0, or -errno when
 * neither could be read (an unreadable log is not fatal for the caller).
 */
int kernel_log_read(const char *sysroot, struct kernel_log *ret_log);

/*
 * The same; when the journal is read, @journal_cache (NULL: none) keeps the
 * TDX lines and the journal cursor reached, so that a later read of this
 * boot reads only the journal entries after it.
 */
int kernel_log_read_cached(const char *sysroot, const char *journal_cache,
			   struct kernel_log *ret_log);

/*
 * The daemon reads the log once, then only what comes: kernel_log_follow()
 * opens SYSROOT/dev/kmsg at its end (before the full read, so nothing falls
 * between the two; a line read twice changes nothing, as the CMR lines
 * merge and the last TDX line wins) and returns the descriptor or -errno.
 * kernel_log_read_new() appends the "virt/tdx: " lines of the records that
 * came since, counting them in *@ret_added; *@ret_lost says the ring
 * buffer overwrote records before they were read, which only a full read
 * (the journal) can make up for.
 */
int kernel_log_follow(const char *sysroot);
int kernel_log_read_new(int fd, struct kernel_log *log, size_t *ret_added, bool *ret_lost);
