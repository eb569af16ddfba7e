/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ownership helpers: __attribute__((cleanup)) frees on every exit path, and
 * TAKE_PTR() hands ownership to the caller, so error paths cannot leak. And
 * the enum name tables.
 */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define _cleanup_(f) __attribute__((cleanup(f)))
/* printf-like: format is argument @fmt, its arguments from @args (0: a va_list) */
#define _printf_(fmt, args) __attribute__((format(printf, fmt, args)))

#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _taken = (p);                                                        \
		(p) = NULL;                                                                        \
		_taken;                                                                            \
	})

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

/* Declares name##p(type **) calling func(*p) when *p is set. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                    \
	static inline void func##p(type **p)                                                       \
	{                                                                                          \
		if (*p)                                                                            \
			func(*p);                                                                  \
	}

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR, closedir)

#define streq(a, b) (strcmp((a), (b)) == 0)

/*
 * An enum's names, both ways, from one table: NAME##_names[], indexed by
 * the enum and sized by its NAME_MAX sentinel, so that a value added before
 * the sentinel without a name is caught by the unit tests
 * (tests/test-names.c) rather than by a state file that no longer loads.
 * NAME_to_string() gives "unknown" out of range; NAME_from_string() the
 * value, or -EINVAL.
 */
#define DECLARE_STRING_TABLE(name, type)                                                           \
	const char *name##_to_string(type value);                                                  \
	int name##_from_string(const char *text, type *ret_value)

#define DEFINE_STRING_TABLE(name, type, max)                                                       \
	const char *name##_to_string(type value)                                                   \
	{                                                                                          \
		if ((size_t)value >= (size_t)(max) || !name##_names[value])                        \
			return "unknown";                                                          \
		return name##_names[value];                                                        \
	}                                                                                          \
	int name##_from_string(const char *text, type *ret_value)                                  \
	{                                                                                          \
		for (size_t i = 0; i < (size_t)(max); i++)                                         \
			if (name##_names[i] && strcmp(name##_names[i], text) == 0) {               \
				*ret_value = (type)i;                                              \
				return 0;                                                          \
			}                                                                          \
		return -EINVAL;                                                                    \
	}
