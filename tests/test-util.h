/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Plumbing the unit tests share: scratch directories, files written into
 * them, range sets compared with a case's list. Failures are cmocka
 * assertions, so callers need not check what these return.
 */
#pragma once

#include "range.h"

#include <stddef.h>

/* Makes /tmp/tdxmemd-test-TAG-XXXXXX and returns its path, malloc'ed. */
char *test_mkdtemp(const char *tag);

/* Removes @path and all below it, links not followed. 0, or -1 at the first failure. */
int test_rmtree(const char *path);

/* DIR/RELPATH, one slash between (RELPATH may start with one), malloc'ed. */
char *test_path(const char *dir, const char *relpath);

/*
 * Writes @content to DIR/RELPATH, making the directories RELPATH names below
 * DIR; with RELPATH NULL, DIR is the file.
 */
void test_put_file(const char *dir, const char *relpath, const char *content);

/*
 * Asserts that @set holds @expected, in order: at most @max ranges, the list
 * ending early at a range whose .end is 0.
 */
void test_assert_ranges(const struct range_set *set, const struct range *expected, size_t max);
