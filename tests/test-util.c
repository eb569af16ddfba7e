/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "macro.h"
#include "path.h"
#include "test-util.h"

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

char *test_mkdtemp(const char *tag)
{
	char *path;

	assert_true(asprintf(&path, "/tmp/tdxmemd-test-%s-XXXXXX", tag) > 0);
	assert_non_null(mkdtemp(path));
	return path;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

int test_rmtree(const char *path)
{
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *test_path(const char *dir, const char *relpath)
{
	char *path = path_join_root(dir, relpath);

	assert_non_null(path);
	return path;
}

void test_put_file(const char *dir, const char *relpath, const char *content)
{
	_cleanup_free_ char *path = NULL;
	size_t size = strlen(content);
	FILE *f;

	if (relpath) {
		while (*relpath == '/')
			relpath++;
		path = test_path(dir, relpath);
		/* Each directory on the way, below DIR. */
		for (char *slash = strchr(path + strlen(path) - strlen(relpath), '/'); slash;
		     slash = strchr(slash + 1, '/')) {
			*slash = '\0';
			if (mkdir(path, 0755) < 0)
				assert_int_equal(errno, EEXIST);
			*slash = '/';
		}
	} else {
		path = strdup(dir);
		assert_non_null(path);
	}

	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
}

void test_assert_ranges(const struct range_set *set, const struct range *expected, size_t max)
{
	size_t n = 0;

	while (n < max && expected[n].end != 0)
		n++;
	assert_int_equal(set->count, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(set->items[i].start, expected[i].start);
		assert_int_equal(set->items[i].end, expected[i].end);
	}
}
