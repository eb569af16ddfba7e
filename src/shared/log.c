// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"

#include "macro.h"

#include <cxl/libcxl.h>
#include <daxctl/libdaxctl.h>
#include <errno.h>
#include <libkmod.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The one piece of process-wide state: the verbosity main() chose. Library
 * callbacks carry no user pointer we control (libdaxctl, libcxl), so the
 * level cannot travel with them.
 */
static int log_max_priority = LOG_INFO;

void log_setup(int max_priority)
{
	log_max_priority = max_priority;
}

int log_get_max_priority(void)
{
	return log_max_priority;
}

/*
 * systemd sets JOURNAL_STREAM to the "device:inode" of the stream it
 * connected stderr to; a child whose stderr went elsewhere inherits the
 * variable, so it counts only while it still names our stderr
 * (systemd.exec(5), $JOURNAL_STREAM).
 */
static bool stderr_is_journal(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long device, inode;
	struct stat st;

	if (!stream || sscanf(stream, "%llu:%llu", &device, &inode) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return st.st_dev == device && st.st_ino == inode;
}

void log_msgv(int priority, const char *format, va_list args)
{
	if (priority > log_max_priority || !format)
		return;

	if (stderr_is_journal())
		fprintf(stderr, "<%d>", priority);
	else
		fputs("tdxmemd: ", stderr);
	vfprintf(stderr, format, args);
	/* Library messages arrive with their own newline; ours come without. */
	size_t len = strlen(format);
	if (len == 0 || format[len - 1] != '\n')
		fputc('\n', stderr);
}

void log_msg(int priority, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	log_msgv(priority, format, args);
	va_end(args);
}

int log_error_errno(int error, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	log_msgv(LOG_ERR, format, args);
	va_end(args);
	return error < 0 ? error : -error;
}

/* the libraries pass their own printf formats on */
static void _printf_(6, 0)
    log_from_daxctl(struct daxctl_ctx *ctx, int priority, const char *file, int line,
		    const char *fn, const char *format, va_list args)
{
	log_msgv(priority, format, args);
}

/* the libraries pass their own printf formats on */
static void _printf_(6, 0) log_from_cxl(struct cxl_ctx *ctx, int priority, const char *file,
					int line, const char *fn, const char *format, va_list args)
{
	log_msgv(priority, format, args);
}

/* the libraries pass their own printf formats on */
static void _printf_(6, 0) log_from_kmod(void *data, int priority, const char *file, int line,
					 const char *fn, const char *format, va_list args)
{
	log_msgv(priority, format, args);
}

/*
 * The libraries print only their errors by default; at debug level they also
 * say which sysfs files they touch, which is what one wants when a decision
 * looks wrong.
 */
void log_attach_daxctl(struct daxctl_ctx *ctx)
{
	daxctl_set_log_fn(ctx, log_from_daxctl);
	daxctl_set_log_priority(ctx, log_max_priority >= LOG_DEBUG ? LOG_DEBUG : LOG_ERR);
}

void log_attach_cxl(struct cxl_ctx *ctx)
{
	cxl_set_log_fn(ctx, log_from_cxl);
	cxl_set_log_priority(ctx, log_max_priority >= LOG_DEBUG ? LOG_DEBUG : LOG_ERR);
}

void log_attach_kmod(struct kmod_ctx *ctx)
{
	kmod_set_log_fn(ctx, log_from_kmod, NULL);
	kmod_set_log_priority(ctx, log_max_priority >= LOG_DEBUG ? LOG_DEBUG : LOG_ERR);
}
