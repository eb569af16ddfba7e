/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the fuzz harnesses share: a scratch directory per process for the
 * readers that take a path, and the invariant check that aborts (so that
 * libFuzzer keeps the input that broke it).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define fuzz_assert(expr)                                                                          \
	do {                                                                                       \
		if (!(expr)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
				#expr);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* DIR/RELPATH in this process's scratch directory, made on first use; static storage. */
const char *fuzz_path(const char *relpath);

/* Writes @size bytes to fuzz_path(@relpath), making its directories. */
void fuzz_put(const char *relpath, const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
