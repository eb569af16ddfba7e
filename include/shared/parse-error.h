/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where and why an input was rejected. Parsers fill it; the manager prints
 * it as "origin:line: message" so an administrator can go straight to the line.
 */
#pragma once

struct parse_error {
	char origin[256]; /* file path, or a source name such as "/dev/kmsg" */
	unsigned line;	  /* 1-based; 0 when the error is about the whole input */
	char message[192];
};

void parse_error_set(struct parse_error *error, const char *origin, unsigned line, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));
