/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Diagnostics (not decisions: those are records, see record.h). Written to
 * stderr; under systemd, stderr is a journal stream and a "<N>" prefix sets
 * each line's priority (sd-daemon(3)).
 */
#pragma once

#include <stdarg.h>
#include <syslog.h>

struct daxctl_ctx;
struct cxl_ctx;
struct kmod_ctx;

/* 0: info and above; 1 (-v): also debug; 2 (-vv): the libraries' debug too. */
void log_setup(int verbosity);

void log_msg(int priority, const char *format, ...) __attribute__((format(printf, 2, 3)));
void log_msgv(int priority, const char *format, va_list args) __attribute__((format(printf, 2, 0)));

/* "origin:line: message", so an administrator can go straight to the line. */
struct parse_error;
void log_parse_error(const struct parse_error *error);

/* Logs and returns -abs(error), for "return log_error_errno(r, ...)". */
int log_error_errno(int error, const char *format, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...)	 log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)	 log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...)	 log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...)	 log_msg(LOG_ERR, __VA_ARGS__)

/* Route the libraries' own messages into this log (docs/platform-notes.md, section 4). */
void log_attach_daxctl(struct daxctl_ctx *ctx);
void log_attach_cxl(struct cxl_ctx *ctx);
void log_attach_kmod(struct kmod_ctx *ctx);
