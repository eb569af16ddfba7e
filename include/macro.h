/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ownership helpers: __attribute__((cleanup)) frees on every exit path, and
 * TAKE_PTR() hands ownership to the caller, so error paths cannot leak.
 */
#pragma once

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
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
