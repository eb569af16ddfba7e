// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who holds /dev/daxX.Y, against a fake /proc: descriptors and mappings,
 * whole names only (dax0.1 is not dax0.10), processes without either,
 * kernel threads (no mappings) not looked into; and no walk at all when
 * the count of the device's driver module shows no file of it open.
 */
#include "holders.h"
#include "macro.h"
#include "test-util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

static void put_fd(const char *root, const char *pid, const char *fd, const char *target)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "proc/%s/fd/.keep", pid);
	test_put_file(root, rel, "");
	snprintf(rel, sizeof(rel), "proc/%s/fd/%s", pid, fd);
	_cleanup_free_ char *link = test_path(root, rel);
	assert_int_equal(symlink(target, link), 0);
}

static void put_maps(const char *root, const char *pid, const char *maps)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "proc/%s/maps", pid);
	test_put_file(root, rel, maps);
}

static bool held(const char *root, const char *name)
{
	bool is_held = true;

	assert_int_equal(holders_any(root, name, &is_held), 0);
	return is_held;
}

static void test_holders(void **state)
{
	_cleanup_free_ char *root = test_mkdtemp("holders");

	put_fd(root, "1", "0", "/dev/null");
	put_maps(root, "1", "55d0-55e0 r-xp 00000000 08:01 12 /usr/bin/init\n");
	put_fd(root, "200", "3", "/dev/dax0.1");
	put_maps(root, "200", "55d0-55e0 r-xp 00000000 08:01 13 /usr/bin/holder\n");
	/* a kernel thread: no mappings, so its (here odd) descriptors are not read */
	put_fd(root, "2", "0", "/dev/dax7.0");
	put_maps(root, "2", "");
	put_maps(root, "300",
		 "7f00-7f20 rw-s 00000000 00:06 99 /dev/dax1.10\n"
		 "7f20-7f40 rw-s 00000000 00:06 98 /dev/dax2.0 (deleted)\n");
	test_put_file(root, "proc/self/maps", "7f00-7f20 rw-s 0 00:06 97 /dev/dax9.9\n");

	assert_true(held(root, "dax0.1"));   /* an open descriptor */
	assert_true(held(root, "dax1.10"));  /* a mapping after close() */
	assert_true(held(root, "dax2.0"));   /* the node removed meanwhile */
	assert_false(held(root, "dax1.1"));  /* a prefix of a held name */
	assert_false(held(root, "dax0.10")); /* a longer name than the held one */
	assert_false(held(root, "dax9.9"));  /* not a process directory */
	assert_int_equal(test_rmtree(root), 0);
}

static void test_long_maps(void **state)
{
	_cleanup_free_ char *root = test_mkdtemp("holders-long");
	size_t lines = 5000;
	char *maps = malloc(lines * 64 + 128), *p = maps;

	/* the holder's line past the first read() chunk */
	for (size_t i = 0; i < lines; i++)
		p += sprintf(p, "%012zx-%012zx r--p 0 08:01 %zu /usr/lib/libx.so\n", i, i + 1, i);
	sprintf(p, "7f00-7f20 rw-s 0 00:06 99 /dev/dax3.0\n");
	put_maps(root, "42", maps);
	free(maps);

	assert_true(held(root, "dax3.0"));
	assert_false(held(root, "dax3.1"));
	assert_int_equal(test_rmtree(root), 0);
}

/* The device's driver module, its count of references and those who link against it. */
static void put_driver_module(const char *root, const char *name, const char *refcnt,
			      const char *linked)
{
	char rel[160];

	snprintf(rel, sizeof(rel), "sys/bus/dax/devices/%s/driver/module/refcnt", name);
	test_put_file(root, rel, refcnt);
	snprintf(rel, sizeof(rel), "sys/bus/dax/devices/%s/driver/module/holders/%s", name,
		 linked ? linked : ".keep");
	test_put_file(root, rel, "");
}

static void test_driver_count(void **state)
{
	_cleanup_free_ char *root = test_mkdtemp("holders-count");

	/*
	 * Every device below is held by a descriptor in /proc: the walk
	 * finds it whenever the count does not rule it out.
	 */
	put_fd(root, "200", "3", "/dev/dax0.0");
	put_fd(root, "200", "4", "/dev/dax1.0");
	put_fd(root, "200", "5", "/dev/dax2.0");
	put_fd(root, "200", "6", "/dev/dax3.0");
	put_fd(root, "200", "7", "/dev/dax4.0");
	put_fd(root, "200", "8", "/dev/dax5.0");
	put_maps(root, "200", "55d0-55e0 r-xp 00000000 08:01 13 /usr/bin/holder\n");

	put_driver_module(root, "dax0.0", "0\n", NULL);
	assert_false(held(root, "dax0.0")); /* no file open: /proc not read */
	put_driver_module(root, "dax1.0", "1\n", "dax_pmem");
	assert_false(held(root, "dax1.0")); /* the one reference is a linked module */
	put_driver_module(root, "dax2.0", "2\n", NULL);
	assert_true(held(root, "dax2.0")); /* a file of some device: walked */
	put_driver_module(root, "dax3.0", "2\n", "dax_pmem");
	assert_true(held(root, "dax3.0"));
	put_driver_module(root, "dax4.0", "many\n", NULL);
	assert_true(held(root, "dax4.0")); /* an odd count proves nothing */
	/* a built-in driver: no module directory */
	assert_true(held(root, "dax5.0"));
	assert_int_equal(test_rmtree(root), 0);
}

static void test_no_proc(void **state)
{
	_cleanup_free_ char *root = test_mkdtemp("holders-none");
	bool is_held = false;

	assert_true(holders_any(root, "dax0.0", &is_held) < 0);
	assert_int_equal(test_rmtree(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_holders),
	    cmocka_unit_test(test_long_maps),
	    cmocka_unit_test(test_driver_count),
	    cmocka_unit_test(test_no_proc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
