/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CMR parser and loader, and the helpers they stand on (path.c,
 * parse-error.c), which have no test of their own.
 */
#include "cmr-sources.h"
#include "macro.h"
#include "parse-error.h"
#include "path.h"
#include "test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#define R(s, e)                                                                                    \
	{                                                                                          \
		.start = (s), .end = (e)                                                           \
	}

#define MAX_RANGES 4

/* The set every fixture in tests/fixtures/cmr describes, whatever its form. */
static const struct range fixture_ranges[MAX_RANGES] = {
    R(0x100000, 0x6f800000),
    R(0x100000000, 0x880000000),
    R(0x1080000000, 0x1880000000),
};

/* ---- cmr_parse: inputs that are accepted ---- */

struct good_case {
	const char *name;
	const char *text;
	struct range expected[MAX_RANGES];
};

static const struct good_case good_cases[] = {
    {"kernel form", "[0x100000, 0x6f800000)\n", {R(0x100000, 0x6f800000)}},
    {"kernel form, no newline", "[0x100000, 0x6f800000)", {R(0x100000, 0x6f800000)}},
    {"kernel form, no spaces", "[0x100000,0x200000)\n", {R(0x100000, 0x200000)}},
    {"kernel form, extra spaces", "  [ 0x100000 ,\t0x200000 )  \n", {R(0x100000, 0x200000)}},
    {"kernel form, 64-bit zero padded",
     "[0x0000000000100000, 0x000000006f800000)\n",
     {R(0x100000, 0x6f800000)}},
    {"kernel form, upper case hex", "[0X1000ABCD, 0x2000EF00)\n", {R(0x1000abcd, 0x2000ef00)}},
    {"kernel form, whole 64-bit space", "[0x0, 0xffffffffffffffff)\n", {R(0, UINT64_MAX)}},
    {"CMR: prefix", "CMR: [0x100000, 0x200000)\n", {R(0x100000, 0x200000)}},
    {"CMR[n]: prefix", "CMR[3]: [0x100000, 0x200000)\n", {R(0x100000, 0x200000)}},
    {"virt/tdx: CMR: prefix", "virt/tdx: CMR: [0x100000, 0x200000)\n", {R(0x100000, 0x200000)}},
    {"virt/tdx: CMR[n]: prefix",
     "virt/tdx: CMR[12]: [0x100000, 0x200000)\n",
     {R(0x100000, 0x200000)}},
    {"virt/tdx: prefix without CMR:", "virt/tdx: [0x100000, 0x200000)\n", {R(0x100000, 0x200000)}},
    {"dmesg timestamp",
     "[    0.532101] virt/tdx: CMR: [0x100000, 0x200000)\n",
     {R(0x100000, 0x200000)}},
    {"dmesg timestamp, large", "[12345.000001] virt/tdx: CMR: [0x1, 0x2)\n", {R(1, 2)}},
    {"kmsg record",
     "6,339,5140900,-;virt/tdx: CMR: [0x100000, 0x200000)\n",
     {R(0x100000, 0x200000)}},
    {"kmsg record, continuation flag and caller id",
     "6,339,5140900,c,caller=T1;virt/tdx: CMR: [0x100000, 0x200000)\n",
     {R(0x100000, 0x200000)}},
    {"syslog",
     "Nov 27 10:00:01 host kernel: virt/tdx: CMR: [0x100000, 0x200000)\n",
     {R(0x100000, 0x200000)}},
    {"syslog with dmesg timestamp (Debian kern.log)",
     "Nov 27 10:00:01 host kernel: [    0.532101] virt/tdx: CMR: [0x100000, 0x200000)\n",
     {R(0x100000, 0x200000)}},
    {"journalctl -o short-iso",
     "2024-11-27T10:00:01+0000 host kernel: virt/tdx: CMR: [0x100000, 0x200000)\n",
     {R(0x100000, 0x200000)}},
    {"comments and blank lines",
     "# CMRs of host A\n\n   \n\t# indented comment\n[0x100000, 0x200000) # first\n"
     "0x300000-0x3fffff#second\n#\n",
     {R(0x100000, 0x200000), R(0x300000, 0x400000)}},
    {"CRLF line ends",
     "[0x1000, 0x2000)\r\n[0x3000, 0x4000)\r\n",
     {R(0x1000, 0x2000), R(0x3000, 0x4000)}},
    {"iomem form", "00100000-6f7fffff\n", {R(0x100000, 0x6f800000)}},
    {"iomem form, 0x", "0x100000-0x1fffff\n", {R(0x100000, 0x200000)}},
    {"iomem form, spaces around '-'", "100000 - 1fffff\n", {R(0x100000, 0x200000)}},
    {"iomem form, indented", "  100000000-87fffffff\n", {R(0x100000000, 0x880000000)}},
    {"iomem form, one byte", "1000-1000\n", {R(0x1000, 0x1001)}},
    {"iomem form, up to the last byte but one", "0-fffffffffffffffe\n", {R(0, UINT64_MAX)}},
    {"iomem form behind prefixes", "virt/tdx: CMR: 1000-1fff\n", {R(0x1000, 0x2000)}},
    {"touching ranges merge",
     "[0x100000, 0x200000)\n[0x200000, 0x300000)\n",
     {R(0x100000, 0x300000)}},
    {"touching across forms merge",
     "[0x100000, 0x200000)\n200000-2fffff\n",
     {R(0x100000, 0x300000)}},
    {"overlapping ranges merge",
     "[0x100000, 0x280000)\n[0x200000, 0x300000)\n",
     {R(0x100000, 0x300000)}},
    {"duplicates merge", "[0x1000, 0x2000)\n[0x1000, 0x2000)\n", {R(0x1000, 0x2000)}},
    {"unsorted input is sorted",
     "[0x5000, 0x6000)\n[0x1000, 0x2000)\n[0x3000, 0x4000)\n",
     {R(0x1000, 0x2000), R(0x3000, 0x4000), R(0x5000, 0x6000)}},
    {"empty", "", {}},
    {"only comments", "# nothing here\n\n   # still nothing\n", {}},
};

static void test_parse_good(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(good_cases); i++) {
		const struct good_case *c = &good_cases[i];
		struct range_set set = {};
		struct parse_error error = {};
		int r;

		print_message("good: %s\n", c->name);
		r = cmr_parse(c->text, strlen(c->text), "test", &set, &error);
		if (r < 0)
			print_message("  error %u: %s\n", error.line, error.message);
		assert_int_equal(r, 0);
		test_assert_ranges(&set, c->expected, MAX_RANGES);
		range_set_clear(&set);
	}
}

/* The text need not be NUL-terminated: only size bytes are read. */
static void test_parse_size_bounds(void **state)
{
	static const char text[] = "[0x1000, 0x2000)\n[0x3000, 0x4000)\n";
	const struct range first[MAX_RANGES] = {R(0x1000, 0x2000)};
	struct range_set set = {};
	struct parse_error error = {};

	assert_int_equal(cmr_parse(text, strlen("[0x1000, 0x2000)\n"), "test", &set, &error), 0);
	test_assert_ranges(&set, first, MAX_RANGES);
	range_set_clear(&set);
}

static void test_parse_exactly_max(void **state)
{
	char text[CMR_MAX * 64] = "";
	struct range_set set = {};
	struct parse_error error = {};

	/* 32 disjoint ranges, a comment in between so lines and ranges differ. */
	for (unsigned i = 0; i < CMR_MAX; i++) {
		char line[64];
		snprintf(line, sizeof(line), "# %u\n[0x%x, 0x%x)\n", i, (i + 1) * 0x10000,
			 (i + 1) * 0x10000 + 0x8000);
		strcat(text, line);
	}
	assert_int_equal(cmr_parse(text, strlen(text), "test", &set, &error), 0);
	assert_int_equal(set.count, CMR_MAX);
	assert_int_equal(set.items[CMR_MAX - 1].start, CMR_MAX * 0x10000);
	range_set_clear(&set);
}

static void test_parse_too_many(void **state)
{
	char text[(CMR_MAX + 1) * 64] = "";
	struct range_set set = {};
	struct parse_error error = {};

	/* Touching ranges: they would merge into one, but 33 CMRs are no TDX module's list. */
	for (unsigned i = 0; i <= CMR_MAX; i++) {
		char line[64];
		snprintf(line, sizeof(line), "[0x%x, 0x%x)\n", i * 0x1000, (i + 1) * 0x1000);
		strcat(text, line);
	}
	assert_int_equal(cmr_parse(text, strlen(text), "many.txt", &set, &error), -EINVAL);
	assert_string_equal(error.origin, "many.txt");
	assert_int_equal(error.line, CMR_MAX + 1);
	assert_non_null(strstr(error.message, "too many CMRs"));
	assert_non_null(strstr(error.message, "[0x20000, 0x21000)"));
	assert_null(set.items);
	assert_int_equal(set.count, 0);
}

/* ---- cmr_parse: inputs that are refused ---- */

struct bad_case {
	const char *name;
	const char *text;
	size_t size; /* 0: strlen(text) */
	unsigned line;
	const char *message; /* a substring of the message */
};

static const struct bad_case bad_cases[] = {
    {"no comma", "[0x100000 0x200000)\n", 0, 1,
     "malformed CMR \"[0x100000 0x200000)\": expected \"[0xSTART, 0xEND)\" or \"START-END\""},
    {"kernel form without 0x", "[100000, 200000)\n", 0, 1, "malformed CMR \"[100000, 200000)\""},
    {"second number without 0x", "[0x100000, 200000)\n", 0, 1, "malformed CMR"},
    {"closed bracket", "[0x1000, 0x2000]\n", 0, 1, "malformed CMR \"[0x1000, 0x2000]\""},
    {"no closing bracket", "[0x1000, 0x2000\n", 0, 1, "malformed CMR \"[0x1000, 0x2000\""},
    {"0x without digits", "[0x, 0x2000)\n", 0, 1, "malformed CMR"},
    {"decimal", "[4096, 8192)\n", 0, 1, "malformed CMR"},
    {"trailing text", "[0x1000, 0x2000) extra\n", 0, 1, "malformed CMR \"[0x1000, 0x2000) extra\""},
    {"two ranges on a line", "[0x1000, 0x2000) [0x3000, 0x4000)\n", 0, 1, "malformed CMR"},
    {"iomem with resource name", "00100000-6f7fffff : System RAM\n", 0, 1,
     "malformed CMR \"00100000-6f7fffff : System RAM\""},
    {"iomem without end", "1000-\n", 0, 1, "malformed CMR \"1000-\""},
    {"negative", "-1000-2000\n", 0, 1, "malformed CMR"},
    {"not hex", "1000-2g00\n", 0, 1, "malformed CMR \"1000-2g00\""},
    {"words", "hello world\n", 0, 1, "malformed CMR \"hello world\""},
    {"other virt/tdx line", "virt/tdx: BIOS enabled: private KeyID range [16, 64)\n", 0, 1,
     "malformed CMR \"BIOS enabled: private KeyID range [16, 64)\""},
    {"CMR: prefix and nothing else", "virt/tdx: CMR:\n", 0, 1, "malformed CMR \"virt/tdx: CMR:\""},
    {"bad CMR[n]", "CMR[x]: [0x1000, 0x2000)\n", 0, 1,
     "malformed CMR \"CMR[x]: [0x1000, 0x2000)\""},
    {"malformed behind prefixes", "[    0.5] virt/tdx: CMR: [0x1000 - 0x2000)\n", 0, 1,
     "malformed CMR \"[0x1000 - 0x2000)\""},
    {"bad line after good ones, line counted with blanks and comments",
     "# header\n[0x1000, 0x2000)\n\n# comment\n[0x3000, 0x4000)\nnonsense\n[0x5000, 0x6000)\n", 0,
     6, "\"nonsense\""},
    {"NUL byte in a line", "[0x1000,\0 0x2000)\n", sizeof("[0x1000,\0 0x2000)\n") - 1, 1,
     "malformed CMR"},
    {"start equals end", "[0x1000, 0x1000)\n", 0, 1,
     "CMR \"[0x1000, 0x1000)\": start must be below end"},
    {"start above end", "\n[0x200000, 0x100000)\n", 0, 2,
     "CMR \"[0x200000, 0x100000)\": start must be below end"},
    {"iomem start above end", "2000-1000\n", 0, 1, "CMR \"2000-1000\": start must be below end"},
    {"start overflows", "[0x10000000000000000, 0x1)\n", 0, 1,
     "\"0x10000000000000000\" does not fit in 64 bits"},
    {"end overflows", "[0x0, 0x1ffffffffffffffff)\n", 0, 1,
     "\"0x1ffffffffffffffff\" does not fit in 64 bits"},
    {"iomem overflows", "0-10000000000000000\n", 0, 1,
     "\"10000000000000000\" does not fit in 64 bits"},
    {"iomem end is the last address", "0-ffffffffffffffff\n", 0, 1,
     "CMR \"0-ffffffffffffffff\": end + 1 does not fit in 64 bits"},
    {"long line is quoted in part",
     "[0x1000, 0x2000) "
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
     0, 1, "aaa...\""},
};

static void test_parse_bad(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct range sentinel_items[1] = {R(0xaa, 0xbb)};
		struct range_set set = {.items = sentinel_items, .count = 1, .capacity = 7};
		struct parse_error error = {};
		size_t size = c->size ? c->size : strlen(c->text);

		print_message("bad: %s\n", c->name);
		assert_int_equal(cmr_parse(c->text, size, "bad.txt", &set, &error), -EINVAL);
		print_message("  bad.txt:%u: %s\n", error.line, error.message);
		assert_string_equal(error.origin, "bad.txt");
		assert_int_equal(error.line, c->line);
		assert_non_null(strstr(error.message, c->message));

		/* A source with an error yields nothing, not a partial list. */
		assert_ptr_equal(set.items, sentinel_items);
		assert_int_equal(set.count, 1);
		assert_int_equal(set.capacity, 7);
		assert_int_equal(sentinel_items[0].start, 0xaa);
	}
}

static void test_parse_null_error(void **state)
{
	struct range_set set = {};

	/* The caller may not want the details. */
	assert_int_equal(cmr_parse("x\n", 2, "test", &set, NULL), -EINVAL);
	assert_int_equal(set.count, 0);
}

static void test_source_to_string(void **state)
{
	assert_string_equal(cmr_source_to_string(CMR_SOURCE_NONE), "none");
	assert_string_equal(cmr_source_to_string(CMR_SOURCE_FILE), "file");
	assert_string_equal(cmr_source_to_string(CMR_SOURCE_ATTRIBUTE), "attribute");
	assert_string_equal(cmr_source_to_string(CMR_SOURCE_KMSG), "kmsg");
	assert_string_equal(cmr_source_to_string(CMR_SOURCE_JOURNAL), "journal");
	assert_string_equal(cmr_source_to_string((enum cmr_source)42), "unknown");
}

/* ---- cmr_load ---- */

/* *state: a scratch directory's path. */
static int setup_tmpdir(void **state)
{
	*state = test_mkdtemp("cmr");
	return 0;
}

static int teardown_tmpdir(void **state)
{
	char *dir = *state;
	int r;

	r = test_rmtree(dir);
	free(dir);
	return r;
}

/* Writes DIR/NAME and returns its path, malloc'ed. */
static char *write_file(const char *dir, const char *name, const char *text)
{
	test_put_file(dir, name, text);
	return test_path(dir, name);
}

static const char *log_lines[] = {
    "virt/tdx: BIOS enabled: private KeyID range [16, 64)",
    "virt/tdx: CMR: [0x100000, 0x6f800000)",
    "virt/tdx: 1034220 KB allocated for PAMT",
    "virt/tdx: CMR: [0x100000000, 0x880000000)",
    "virt/tdx: CMR: [0x1080000000, 0x1880000000)",
    "virt/tdx: module initialized",
};

static const struct range log_ranges[MAX_RANGES] = {
    R(0x100000, 0x6f800000),
    R(0x100000000, 0x880000000),
    R(0x1080000000, 0x1880000000),
};

static struct kernel_log make_log(enum kernel_log_origin origin, const char **lines, size_t count)
{
	return (struct kernel_log){.origin = origin, .lines = (char **)lines, .count = count};
}

static void assert_info_untouched(const struct cmr_info *info)
{
	assert_int_equal(info->source, CMR_SOURCE_ATTRIBUTE);
	assert_ptr_equal(info->origin, (char *)0x1);
	assert_ptr_equal(info->cmrs.items, (struct range *)0x2);
	assert_int_equal(info->cmrs.count, 3);
}

/* A poisoned ret_info: cmr_load must not touch it on error. */
#define POISONED_INFO                                                                              \
	{                                                                                          \
		.source = CMR_SOURCE_ATTRIBUTE, .origin = (char *)0x1,                             \
		.cmrs = {.items = (struct range *)0x2, .count = 3},                                \
	}

static void test_load_file(void **state)
{
	const char *dir = *state;
	_cleanup_free_ char *file = write_file(dir, "cmrs",
					       "# test\n00100000-6f7fffff\n"
					       "[0x100000000, 0x880000000)\n"
					       "virt/tdx: CMR: [0x1080000000, 0x1880000000)\n");
	_cleanup_free_ char *attr = write_file(dir, "attr", "[0x1000, 0x2000)\n");
	struct kernel_log log = make_log(KERNEL_LOG_KMSG, log_lines, ARRAY_SIZE(log_lines));
	struct cmr_info info = {};
	struct parse_error error = {};

	/* The file wins over the attribute and the log. */
	assert_int_equal(cmr_load(file, attr, &log, &info, &error), 0);
	assert_int_equal(info.source, CMR_SOURCE_FILE);
	assert_string_equal(info.origin, file);
	assert_ptr_not_equal(info.origin, file);
	test_assert_ranges(&info.cmrs, log_ranges, MAX_RANGES);
	cmr_info_clear(&info);
	assert_int_equal(info.source, CMR_SOURCE_NONE);
	assert_null(info.origin);
	assert_int_equal(info.cmrs.count, 0);
	cmr_info_clear(&info);
}

static void test_load_attribute(void **state)
{
	const char *dir = *state;
	_cleanup_free_ char *attr = write_file(dir, "attr", "[0x1000, 0x2000)\n[0x2000, 0x3000)\n");
	struct kernel_log log = make_log(KERNEL_LOG_KMSG, log_lines, ARRAY_SIZE(log_lines));
	const struct range expected[MAX_RANGES] = {R(0x1000, 0x3000)};
	struct cmr_info info = {};
	struct parse_error error = {};

	/* The attribute wins over the log. */
	assert_int_equal(cmr_load(NULL, attr, &log, &info, &error), 0);
	assert_int_equal(info.source, CMR_SOURCE_ATTRIBUTE);
	assert_string_equal(info.origin, attr);
	test_assert_ranges(&info.cmrs, expected, MAX_RANGES);
	cmr_info_clear(&info);
}

static void test_load_attribute_empty(void **state)
{
	const char *dir = *state;
	_cleanup_free_ char *attr = write_file(dir, "attr", "");
	struct kernel_log log = make_log(KERNEL_LOG_KMSG, log_lines, ARRAY_SIZE(log_lines));
	struct cmr_info info = {};
	struct parse_error error = {};

	/*
	 * A kernel that has not read the CMRs yet may leave its attribute
	 * empty: unknown, not an error, and the log is not consulted (the
	 * attribute was configured as the source).
	 */
	assert_int_equal(cmr_load(NULL, attr, &log, &info, &error), 0);
	assert_int_equal(info.source, CMR_SOURCE_NONE);
	assert_null(info.origin);
	assert_int_equal(info.cmrs.count, 0);
	cmr_info_clear(&info);
}

static void test_load_file_errors(void **state)
{
	const char *dir = *state;
	_cleanup_free_ char *empty = write_file(dir, "empty", "");
	_cleanup_free_ char *comments = write_file(dir, "comments", "# only a comment\n\n");
	_cleanup_free_ char *bad =
	    write_file(dir, "bad", "[0x1000, 0x2000)\n# x\n[0x3000 0x4000)\n");
	_cleanup_free_ char *missing = NULL;
	_cleanup_free_ char *big = NULL;
	struct kernel_log log = make_log(KERNEL_LOG_KMSG, log_lines, ARRAY_SIZE(log_lines));
	struct cmr_info info = POISONED_INFO;
	struct parse_error error = {};
	_cleanup_free_ char *huge = NULL;

	missing = test_path(dir, "missing");

	/* A configured file that is missing is an error, even with a log at hand. */
	assert_int_equal(cmr_load(missing, NULL, &log, &info, &error), -ENOENT);
	assert_string_equal(error.origin, missing);
	assert_int_equal(error.line, 0);
	assert_string_equal(error.message, "cannot read: No such file or directory");
	assert_info_untouched(&info);

	/* So is a missing attribute. */
	error = (struct parse_error){};
	assert_int_equal(cmr_load(NULL, missing, &log, &info, &error), -ENOENT);
	assert_string_equal(error.origin, missing);
	assert_info_untouched(&info);

	/* A directory cannot be read. */
	error = (struct parse_error){};
	assert_int_equal(cmr_load(dir, NULL, NULL, &info, &error), -EISDIR);
	assert_non_null(strstr(error.message, "cannot read: "));
	assert_info_untouched(&info);

	error = (struct parse_error){};
	assert_int_equal(cmr_load(empty, NULL, &log, &info, &error), -EINVAL);
	assert_string_equal(error.origin, empty);
	assert_int_equal(error.line, 0);
	assert_string_equal(error.message, "no CMR in file");
	assert_info_untouched(&info);

	error = (struct parse_error){};
	assert_int_equal(cmr_load(comments, NULL, NULL, &info, &error), -EINVAL);
	assert_string_equal(error.message, "no CMR in file");
	assert_info_untouched(&info);

	error = (struct parse_error){};
	assert_int_equal(cmr_load(bad, NULL, NULL, &info, &error), -EINVAL);
	assert_string_equal(error.origin, bad);
	assert_int_equal(error.line, 3);
	assert_non_null(strstr(error.message, "\"[0x3000 0x4000)\""));
	assert_info_untouched(&info);

	/* More than 1 MiB is no CMR file. */
	huge = malloc(1024 * 1024 + 2);
	assert_non_null(huge);
	memset(huge, '#', 1024 * 1024 + 1);
	huge[1024 * 1024 + 1] = '\0';
	big = write_file(dir, "big", huge);
	error = (struct parse_error){};
	assert_int_equal(cmr_load(big, NULL, NULL, &info, &error), -EFBIG);
	assert_string_equal(error.origin, big);
	assert_info_untouched(&info);
}

static void test_load_kernel_log(void **state)
{
	struct kernel_log kmsg = make_log(KERNEL_LOG_KMSG, log_lines, ARRAY_SIZE(log_lines));
	struct kernel_log journal = make_log(KERNEL_LOG_JOURNAL, log_lines, ARRAY_SIZE(log_lines));
	struct cmr_info info = {};
	struct parse_error error = {};

	assert_int_equal(cmr_load(NULL, NULL, &kmsg, &info, &error), 0);
	assert_int_equal(info.source, CMR_SOURCE_KMSG);
	assert_null(info.origin);
	test_assert_ranges(&info.cmrs, log_ranges, MAX_RANGES);
	cmr_info_clear(&info);

	assert_int_equal(cmr_load(NULL, NULL, &journal, &info, &error), 0);
	assert_int_equal(info.source, CMR_SOURCE_JOURNAL);
	assert_null(info.origin);
	test_assert_ranges(&info.cmrs, log_ranges, MAX_RANGES);
	cmr_info_clear(&info);
}

static void test_load_kernel_log_none(void **state)
{
	static const char *no_cmr[] = {
	    "virt/tdx: BIOS enabled: private KeyID range [16, 64)",
	    "virt/tdx: module initialized",
	};
	struct kernel_log log = make_log(KERNEL_LOG_KMSG, no_cmr, ARRAY_SIZE(no_cmr));
	struct kernel_log empty = make_log(KERNEL_LOG_NONE, NULL, 0);
	struct cmr_info info = POISONED_INFO;
	struct parse_error error = {};

	assert_int_equal(cmr_load(NULL, NULL, &log, &info, &error), 0);
	assert_int_equal(info.source, CMR_SOURCE_NONE);
	assert_null(info.origin);
	assert_int_equal(info.cmrs.count, 0);
	cmr_info_clear(&info);

	assert_int_equal(cmr_load(NULL, NULL, &empty, &info, &error), 0);
	assert_int_equal(info.source, CMR_SOURCE_NONE);
	cmr_info_clear(&info);

	assert_int_equal(cmr_load(NULL, NULL, NULL, &info, &error), 0);
	assert_int_equal(info.source, CMR_SOURCE_NONE);
	cmr_info_clear(&info);
}

static void test_load_kernel_log_errors(void **state)
{
	static const char *bad_kmsg[] = {
	    "virt/tdx: BIOS enabled: private KeyID range [16, 64)",
	    "virt/tdx: CMR: [0x100000, 0x6f800000)",
	    "virt/tdx: something else",
	    "virt/tdx: CMR: [0x200000000, 0x100000000)",
	};
	static const char *bad_journal[] = {
	    "virt/tdx: CMR: garbage",
	};
	struct kernel_log kmsg = make_log(KERNEL_LOG_KMSG, bad_kmsg, ARRAY_SIZE(bad_kmsg));
	struct kernel_log journal =
	    make_log(KERNEL_LOG_JOURNAL, bad_journal, ARRAY_SIZE(bad_journal));
	struct cmr_info info = POISONED_INFO;
	struct parse_error error = {};

	assert_int_equal(cmr_load(NULL, NULL, &kmsg, &info, &error), -EINVAL);
	assert_string_equal(error.origin, "/dev/kmsg");
	/* The second CMR line, whatever lies between. */
	assert_int_equal(error.line, 2);
	assert_non_null(strstr(error.message, "start must be below end"));
	assert_info_untouched(&info);

	error = (struct parse_error){};
	assert_int_equal(cmr_load(NULL, NULL, &journal, &info, &error), -EINVAL);
	assert_string_equal(error.origin, "journal");
	assert_int_equal(error.line, 1);
	assert_non_null(strstr(error.message, "malformed CMR \"garbage\""));
	assert_info_untouched(&info);
}

static void test_load_kernel_log_too_many(void **state)
{
	char *lines[CMR_MAX + 1];
	struct kernel_log log = {.origin = KERNEL_LOG_KMSG, .lines = lines, .count = CMR_MAX + 1};
	struct cmr_info info = POISONED_INFO;
	struct parse_error error = {};

	for (unsigned i = 0; i <= CMR_MAX; i++)
		assert_true(asprintf(&lines[i], "virt/tdx: CMR: [0x%x, 0x%x)", (i + 1) * 0x10000,
				     (i + 1) * 0x10000 + 0x1000) > 0);

	assert_int_equal(cmr_load(NULL, NULL, &log, &info, &error), -EINVAL);
	assert_int_equal(error.line, CMR_MAX + 1);
	assert_non_null(strstr(error.message, "too many CMRs"));
	assert_info_untouched(&info);

	/* Exactly CMR_MAX is fine. */
	log.count = CMR_MAX;
	info = (struct cmr_info){};
	assert_int_equal(cmr_load(NULL, NULL, &log, &info, &error), 0);
	assert_int_equal(info.cmrs.count, CMR_MAX);
	cmr_info_clear(&info);

	for (unsigned i = 0; i <= CMR_MAX; i++)
		free(lines[i]);
}

/* ---- the sample files in tests/fixtures/cmr, used by the CLI tests too ---- */

static void test_fixtures(void **state)
{
	static const char *good[] = {"kernel.txt", "dmesg.txt", "kmsg.txt", "journal.txt",
				     "iomem.txt"};
	const char *fixtures = getenv("FIXTURES");
	struct cmr_info info = {};
	struct parse_error error = {};
	_cleanup_free_ char *path = NULL;

	if (!fixtures)
		skip();

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		_cleanup_free_ char *p = NULL;

		assert_true(asprintf(&p, "%s/cmr/%s", fixtures, good[i]) > 0);
		print_message("fixture: %s\n", good[i]);
		assert_int_equal(cmr_load(p, NULL, NULL, &info, &error), 0);
		assert_int_equal(info.source, CMR_SOURCE_FILE);
		test_assert_ranges(&info.cmrs, fixture_ranges, MAX_RANGES);
		cmr_info_clear(&info);
	}

	assert_true(asprintf(&path, "%s/cmr/malformed.txt", fixtures) > 0);
	assert_int_equal(cmr_load(path, NULL, NULL, &info, &error), -EINVAL);
	assert_int_equal(error.line, 3);
	assert_non_null(strstr(error.message, "malformed CMR"));
	free(TAKE_PTR(path));

	assert_true(asprintf(&path, "%s/cmr/empty.txt", fixtures) > 0);
	assert_int_equal(cmr_load(path, NULL, NULL, &info, &error), -EINVAL);
	assert_string_equal(error.message, "no CMR in file");
}

/* ---- path.c ---- */

static void test_path_join_root(void **state)
{
	static const struct {
		const char *root, *path, *expected;
	} cases[] = {
	    {NULL, "/proc/cpuinfo", "/proc/cpuinfo"},
	    {"/", "/proc/cpuinfo", "/proc/cpuinfo"},
	    {"", "/proc/cpuinfo", "/proc/cpuinfo"},
	    {"/tmp/root", "/proc/cpuinfo", "/tmp/root/proc/cpuinfo"},
	    {"/tmp/root/", "/proc/cpuinfo", "/tmp/root/proc/cpuinfo"},
	    {"/tmp/root//", "/proc/cpuinfo", "/tmp/root/proc/cpuinfo"},
	    {"/tmp/root", "proc/cpuinfo", "/tmp/root/proc/cpuinfo"},
	    {"fixtures/host", "/sys", "fixtures/host/sys"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *p = path_join_root(cases[i].root, cases[i].path);
		assert_non_null(p);
		assert_string_equal(p, cases[i].expected);
	}
}

static void test_parse_u64(void **state)
{
	static const struct {
		const char *text;
		int base, result;
		uint64_t value;
	} cases[] = {
	    {"8000000", 16, 0, 0x8000000},
	    {"0x8000000", 16, 0, 0x8000000},
	    {"ffffffffffffffff", 16, 0, UINT64_MAX},
	    {"10000000000000000", 16, -ERANGE, 0},
	    {"42", 10, 0, 42},
	    {"0x42", 10, -EINVAL, 0},
	    {"", 16, -EINVAL, 0},
	    {"0x", 16, -EINVAL, 0},
	    {" 1", 10, -EINVAL, 0},
	    {"-1", 10, -EINVAL, 0},
	    {"+1", 10, -EINVAL, 0},
	    {"12x", 16, -EINVAL, 0},
	    {"0X0X0", 16, -EINVAL, 0}, /* found by fuzz-sysfs */
	    {"0x0x1", 16, -EINVAL, 0},
	    {"0X1f", 16, 0, 0x1f},
	    {"1 ", 10, -EINVAL, 0},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t value = 7;
		assert_int_equal(parse_u64(cases[i].text, cases[i].base, &value), cases[i].result);
		assert_true(value == (cases[i].result == 0 ? cases[i].value : 7));
	}
}

/* The typed readers, relative to an opened directory; missing is -ENOENT. */
static void test_path_cxt(void **state)
{
	const char *dir = *state;
	_cleanup_free_ char *a = write_file(dir, "block_size_bytes", "8000000\n");
	free(write_file(dir, "odd", " -1\n"));
	struct path_cxt cxt, missing, never = {0};
	char value[16], *text;
	uint64_t number;

	assert_int_equal(path_cxt_open(&cxt, NULL, dir), 0);
	assert_int_equal(path_read_u64(&cxt, 16, &number, "%s", "block_size_bytes"), 0);
	assert_true(number == 0x8000000);
	assert_int_equal(path_read_u64(&cxt, 10, &number, "odd"), -EINVAL);
	assert_int_equal(path_read_string(&cxt, value, sizeof(value), "odd"), 0);
	assert_string_equal(value, " -1");
	assert_int_equal(path_read_file(&cxt, 64, &text, "block_size_bytes"), 0);
	assert_string_equal(text, "8000000");
	free(text);
	assert_int_equal(path_read_file(&cxt, 4, &text, "block_size_bytes"), -EFBIG);
	assert_int_equal(path_read_string(&cxt, value, sizeof(value), "none"), -ENOENT);
	/* a name is relative to the directory, never absolute */
	assert_int_equal(path_read_string(&cxt, value, sizeof(value), "%s", a), -EINVAL);
	path_cxt_close(&cxt);

	assert_int_equal(path_cxt_open(&missing, dir, "/no/such/dir"), 0);
	assert_int_equal(missing.dir_fd, -1);
	assert_int_equal(path_read_u64(&missing, 16, &number, "block_size_bytes"), -ENOENT);
	assert_int_equal(path_write_string(&missing, "1", "x"), -ENOENT);
	path_cxt_close(&missing);
	/* a zeroed context reads nothing, and closing it leaves fd 0 alone */
	assert_int_equal(path_read_string(&never, value, sizeof(value), "x"), -ENOENT);
	path_cxt_close(&never);
	assert_int_not_equal(fcntl(0, F_GETFD), -1);
}

static void test_read_full_file(void **state)
{
	const char *dir = *state;
	_cleanup_free_ char *path = write_file(dir, "f", "0123456789\n");
	_cleanup_free_ char *empty = write_file(dir, "e", "");
	char *data = (char *)0x1;
	size_t size = 42;

	assert_int_equal(read_full_file(path, 1024, &data, &size), 0);
	assert_int_equal(size, 11);
	assert_string_equal(data, "0123456789\n");
	free(data);

	/* Exactly max is fine, one more byte is not; outputs untouched then. */
	assert_int_equal(read_full_file(path, 11, &data, &size), 0);
	free(data);
	data = (char *)0x1;
	size = 42;
	assert_int_equal(read_full_file(path, 10, &data, &size), -EFBIG);
	assert_int_equal(read_full_file(path, 0, &data, &size), -EFBIG);
	assert_ptr_equal(data, (char *)0x1);
	assert_int_equal(size, 42);

	assert_int_equal(read_full_file(empty, 0, &data, &size), 0);
	assert_int_equal(size, 0);
	assert_string_equal(data, "");
	free(data);

	/* ret_size is optional. */
	assert_int_equal(read_full_file(path, 1024, &data, NULL), 0);
	free(data);

	assert_int_equal(read_full_file("/nonexistent/file", 1024, &data, &size), -ENOENT);
}

static void test_read_full_file_procfs(void **state)
{
	char *data = NULL;
	size_t size = 0;
	struct stat st;

	/* procfs reports st_size 0: the reader must not trust it. */
	assert_int_equal(stat("/proc/self/status", &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(read_full_file("/proc/self/status", 1024 * 1024, &data, &size), 0);
	assert_true(size > 0);
	assert_int_equal(strlen(data), size);
	assert_non_null(strstr(data, "Name:"));
	free(data);

	/* A device, even one that never ends, is no file to read. */
	assert_int_equal(read_full_file("/dev/zero", 100000, &data, &size), -EMEDIUMTYPE);
}

/* A FIFO, a socket or a directory where a file should be: refused at once, never waited on. */
static void test_read_full_file_not_regular(void **state)
{
	_cleanup_free_ char *dir = test_mkdtemp("notreg");
	_cleanup_free_ char *fifo = test_path(dir, "fifo");
	_cleanup_free_ char *sock = test_path(dir, "sock");
	char *data = NULL, why[READ_ERROR_MAX];
	size_t size = 0;

	assert_int_equal(mkfifo(fifo, 0600), 0);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);

	assert_int_equal(read_full_file(fifo, 1024, &data, &size), -EMEDIUMTYPE);
	assert_int_equal(read_full_file(sock, 1024, &data, &size), -EMEDIUMTYPE);
	assert_int_equal(read_full_file(dir, 1024, &data, &size), -EISDIR);
	/* /dev/null, where systemd's masking links point, reads as empty */
	assert_int_equal(read_full_file("/dev/null", 1024, &data, &size), 0);
	assert_int_equal(size, 0);
	free(data);
	assert_string_equal(read_error_string(-EMEDIUMTYPE, 1024, why),
			    "not a regular file (a FIFO, socket or device)");
	assert_string_equal(read_error_string(-EFBIG, 1024, why),
			    "larger than the limit of 1024 bytes");
	close(fd);
	assert_int_equal(test_rmtree(dir), 0);
}

static void test_read_full_file_large(void **state)
{
	const char *dir = *state;
	_cleanup_free_ char *text = malloc(100001);
	_cleanup_free_ char *path = NULL;
	char *data;
	size_t size;

	assert_non_null(text);
	for (size_t i = 0; i < 100000; i++)
		text[i] = (char)('a' + i % 26);
	text[100000] = '\0';
	path = write_file(dir, "large", text);

	assert_int_equal(read_full_file(path, 100000, &data, &size), 0);
	assert_int_equal(size, 100000);
	assert_memory_equal(data, text, 100001);
	free(data);
	assert_int_equal(read_full_file(path, 99999, &data, &size), -EFBIG);
}

static void test_read_root_file(void **state)
{
	const char *dir = *state;
	_cleanup_free_ char *sys = path_join_root(dir, "/sys");
	_cleanup_free_ char *b = NULL;
	char *data;

	assert_non_null(sys);
	assert_int_equal(mkdir(sys, 0755), 0);
	free(write_file(dir, "sys/one", "Y\n"));
	free(write_file(dir, "sys/two", "two\n\n"));
	free(write_file(dir, "sys/none", "1.5.08"));

	assert_int_equal(read_root_file(dir, "/sys/one", 64, &data), 0);
	assert_string_equal(data, "Y");
	free(data);

	/* One newline only. */
	assert_int_equal(read_root_file(dir, "/sys/two", 64, &data), 0);
	assert_string_equal(data, "two\n");
	free(data);

	assert_int_equal(read_root_file(dir, "/sys/none", 64, &data), 0);
	assert_string_equal(data, "1.5.08");
	free(data);

	b = strdup("untouched");
	data = b;
	assert_int_equal(read_root_file(dir, "/sys/missing", 64, &data), -ENOENT);
	assert_ptr_equal(data, b);
}

/* ---- parse-error.c ---- */

static void test_parse_error_set(void **state)
{
	struct parse_error error;
	char long_origin[400];
	char long_arg[400];

	parse_error_set(&error, "/etc/tdxmemd.conf", 7, "%s=%s: bad", "Key", "value");
	assert_string_equal(error.origin, "/etc/tdxmemd.conf");
	assert_int_equal(error.line, 7);
	assert_string_equal(error.message, "Key=value: bad");

	/* Truncated, NUL-terminated, and marked as cut. */
	memset(long_origin, 'o', sizeof(long_origin) - 1);
	long_origin[sizeof(long_origin) - 1] = '\0';
	memset(long_arg, 'm', sizeof(long_arg) - 1);
	long_arg[sizeof(long_arg) - 1] = '\0';
	parse_error_set(&error, long_origin, 1, "%s", long_arg);
	assert_int_equal(strlen(error.origin), sizeof(error.origin) - 1);
	assert_int_equal(strlen(error.message), sizeof(error.message) - 1);
	assert_string_equal(error.message + sizeof(error.message) - 4, "...");

	/* Arguments may alias the error itself. */
	parse_error_set(&error, "a", 1, "first");
	parse_error_set(&error, error.origin, 2, "%s, then %s", error.message, "second");
	assert_string_equal(error.origin, "a");
	assert_string_equal(error.message, "first, then second");

	parse_error_set(&error, NULL, 0, "no origin");
	assert_string_equal(error.origin, "");

	/* NULL error: nothing to fill, no crash. */
	parse_error_set(NULL, "x", 1, "y");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_good),
	    cmocka_unit_test(test_parse_size_bounds),
	    cmocka_unit_test(test_parse_exactly_max),
	    cmocka_unit_test(test_parse_too_many),
	    cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_parse_null_error),
	    cmocka_unit_test(test_source_to_string),
	    cmocka_unit_test_setup_teardown(test_load_file, setup_tmpdir, teardown_tmpdir),
	    cmocka_unit_test_setup_teardown(test_load_attribute, setup_tmpdir, teardown_tmpdir),
	    cmocka_unit_test_setup_teardown(test_load_attribute_empty, setup_tmpdir,
					    teardown_tmpdir),
	    cmocka_unit_test_setup_teardown(test_load_file_errors, setup_tmpdir, teardown_tmpdir),
	    cmocka_unit_test(test_load_kernel_log),
	    cmocka_unit_test(test_load_kernel_log_none),
	    cmocka_unit_test(test_load_kernel_log_errors),
	    cmocka_unit_test(test_load_kernel_log_too_many),
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_path_join_root),
	    cmocka_unit_test(test_parse_u64),
	    cmocka_unit_test_setup_teardown(test_path_cxt, setup_tmpdir, teardown_tmpdir),
	    cmocka_unit_test_setup_teardown(test_read_full_file, setup_tmpdir, teardown_tmpdir),
	    cmocka_unit_test(test_read_full_file_procfs),
	    cmocka_unit_test(test_read_full_file_not_regular),
	    cmocka_unit_test_setup_teardown(test_read_full_file_large, setup_tmpdir,
					    teardown_tmpdir),
	    cmocka_unit_test_setup_teardown(test_read_root_file, setup_tmpdir, teardown_tmpdir),
	    cmocka_unit_test(test_parse_error_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
