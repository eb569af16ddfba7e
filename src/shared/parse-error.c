/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "parse-error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void parse_error_set(struct parse_error *error, const char *origin, unsigned line, const char *fmt,
		     ...)
{
	char origin_buf[sizeof(error->origin)];
	char message_buf[sizeof(error->message)];
	va_list args;
	int n;

	if (!error)
		return;

	/*
	 * Format into local buffers first: a caller may pass error->origin or
	 * error->message itself as an argument, and vsnprintf() into an
	 * overlapping buffer is undefined.
	 */
	snprintf(origin_buf, sizeof(origin_buf), "%s", origin ? origin : "");

	va_start(args, fmt);
	n = vsnprintf(message_buf, sizeof(message_buf), fmt, args);
	va_end(args);

	if (n < 0)
		message_buf[0] = '\0';
	else if ((size_t)n >= sizeof(message_buf))
		/* Show that the message was cut rather than let it end mid-word silently. */
		memcpy(message_buf + sizeof(message_buf) - 4, "...", 4);

	memcpy(error->origin, origin_buf, sizeof(error->origin));
	error->line = line;
	memcpy(error->message, message_buf, sizeof(error->message));
}
