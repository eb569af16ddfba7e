// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"
#include "parse-error.h"

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
static struct {
	int max_priority;
	bool libraries_debug;
} log_level = {LOG_INFO, false};

void log_setup(int verbosity)
{
	log_level.max_priority = verbosity > 0 ? LOG_DEBUG : LOG_INFO;
	log_level.libraries_debug = verbosity > 1;
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

/*
 * One write() per line: stderr is unbuffered, and a line written in pieces
 * costs the journal a wakeup for each and can interleave with another
 * writer's.
 */
void log_msgv(int priority, const char *format, va_list args)
{
	char line[1024];

	if (priority > log_level.max_priority || !format)
		return;

	int prefix = stderr_is_journal() ? snprintf(line, sizeof(line), "<%d>", priority)
					 : snprintf(line, sizeof(line), "tdxmemd: ");
	int len = vsnprintf(line + prefix, sizeof(line) - (size_t)prefix, format, args);
	if (len < 0)
		return;
	/* a longer line is cut, as syslog(3) would */
	size_t end = (size_t)prefix + (size_t)len;
	if (end > sizeof(line) - 2)
		end = sizeof(line) - 2;
	/* Library messages arrive with their own newline; ours come without. */
	if (end == 0 || line[end - 1] != '\n')
		line[end++] = '\n';
	(void)!write(STDERR_FILENO, line, end);
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
 * The libraries print only their errors by default; at debug level (-vv)
 * they also say which sysfs files they touch, which is what one wants when a
 * decision looks wrong, and a few dozen lines a pass otherwise.
 */
void log_attach_daxctl(struct daxctl_ctx *ctx)
{
	daxctl_set_log_fn(ctx, log_from_daxctl);
	daxctl_set_log_priority(ctx, log_level.libraries_debug ? LOG_DEBUG : LOG_ERR);
}

void log_attach_cxl(struct cxl_ctx *ctx)
{
	cxl_set_log_fn(ctx, log_from_cxl);
	cxl_set_log_priority(ctx, log_level.libraries_debug ? LOG_DEBUG : LOG_ERR);
}

void log_attach_kmod(struct kmod_ctx *ctx)
{
	kmod_set_log_fn(ctx, log_from_kmod, NULL);
	kmod_set_log_priority(ctx, log_level.libraries_debug ? LOG_DEBUG : LOG_ERR);
}

void log_parse_error(const struct parse_error *error)
{
	if (error->line > 0)
		log_error("%s:%u: %s", error->origin, error->line, error->message);
	else
		log_error("%s: %s", error->origin, error->message);
}
