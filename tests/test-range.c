/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "macro.h"
#include "range.h"
#include "test-util.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define R(s, e)                                                                                    \
	{                                                                                          \
		.start = (s), .end = (e)                                                           \
	}

/* At most this many ranges in a test case; a zero .end ends a list. */
#define MAX_RANGES 8

static void set_from(struct range_set *set, const struct range *ranges)
{
	for (size_t i = 0; i < MAX_RANGES && ranges[i].end != 0; i++)
		assert_int_equal(range_set_add(set, ranges[i].start, ranges[i].end), 0);
}

static void assert_set(const struct range_set *set, const struct range *expected)
{
	test_assert_ranges(set, expected, MAX_RANGES);
	/* The invariant every lookup relies on. */
	for (size_t i = 0; i + 1 < set->count; i++)
		assert_true(set->items[i].end < set->items[i + 1].start);
}

struct add_case {
	const char *name;
	struct range add[MAX_RANGES];
	struct range expected[MAX_RANGES];
};

static const struct add_case add_cases[] = {
    {"single", {R(0x100, 0x200)}, {R(0x100, 0x200)}},
    {"sorted on insert", {R(0x300, 0x400), R(0x100, 0x200)}, {R(0x100, 0x200), R(0x300, 0x400)}},
    {"insert in the middle",
     {R(0x100, 0x200), R(0x500, 0x600), R(0x300, 0x400)},
     {R(0x100, 0x200), R(0x300, 0x400), R(0x500, 0x600)}},
    {"touching after", {R(0x100, 0x200), R(0x200, 0x300)}, {R(0x100, 0x300)}},
    {"touching before", {R(0x200, 0x300), R(0x100, 0x200)}, {R(0x100, 0x300)}},
    {"gap of one byte stays",
     {R(0x100, 0x200), R(0x201, 0x300)},
     {R(0x100, 0x200), R(0x201, 0x300)}},
    {"overlapping", {R(0x100, 0x250), R(0x200, 0x300)}, {R(0x100, 0x300)}},
    {"contained", {R(0x100, 0x400), R(0x200, 0x300)}, {R(0x100, 0x400)}},
    {"containing", {R(0x200, 0x300), R(0x100, 0x400)}, {R(0x100, 0x400)}},
    {"duplicate", {R(0x100, 0x200), R(0x100, 0x200)}, {R(0x100, 0x200)}},
    {"bridges two", {R(0x100, 0x200), R(0x300, 0x400), R(0x200, 0x300)}, {R(0x100, 0x400)}},
    {"swallows several",
     {R(0x100, 0x200), R(0x300, 0x400), R(0x500, 0x600), R(0x700, 0x800), R(0x150, 0x650)},
     {R(0x100, 0x650), R(0x700, 0x800)}},
    {"extends the last",
     {R(0x100, 0x200), R(0x300, 0x400), R(0x350, 0x500)},
     {R(0x100, 0x200), R(0x300, 0x500)}},
    {"from zero", {R(0, 1), R(1, 2)}, {R(0, 2)}},
    {"up to UINT64_MAX", {R(UINT64_MAX - 1, UINT64_MAX), R(0, UINT64_MAX - 1)}, {R(0, UINT64_MAX)}},
    {"whole space", {R(0x1000, 0x2000), R(0, UINT64_MAX)}, {R(0, UINT64_MAX)}},
    {"many, reverse order",
     {R(0x70, 0x80), R(0x50, 0x60), R(0x30, 0x40), R(0x10, 0x20)},
     {R(0x10, 0x20), R(0x30, 0x40), R(0x50, 0x60), R(0x70, 0x80)}},
};

static void test_add_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(add_cases); i++) {
		struct range_set set = {};

		print_message("add: %s\n", add_cases[i].name);
		set_from(&set, add_cases[i].add);
		assert_set(&set, add_cases[i].expected);
		range_set_clear(&set);
		assert_null(set.items);
		assert_int_equal(set.count, 0);
	}
}

static void test_add_invalid(void **state)
{
	struct range_set set = {};
	const struct range expected[MAX_RANGES] = {R(0x100, 0x200)};

	assert_int_equal(range_set_add(&set, 5, 5), -EINVAL);
	assert_int_equal(range_set_add(&set, 6, 5), -EINVAL);
	assert_int_equal(range_set_add(&set, 0, 0), -EINVAL);
	assert_int_equal(range_set_add(&set, UINT64_MAX, UINT64_MAX), -EINVAL);
	assert_int_equal(set.count, 0);
	assert_null(set.items);

	assert_int_equal(range_set_add(&set, 0x100, 0x200), 0);
	assert_int_equal(range_set_add(&set, 0x200, 0x200), -EINVAL);
	assert_int_equal(range_set_add(&set, 0x300, 0x100), -EINVAL);
	assert_set(&set, expected);
	range_set_clear(&set);
}

static void test_add_grows(void **state)
{
	struct range_set set = {};

	/* Disjoint ranges, added in descending order to exercise memmove and growth. */
	for (uint64_t i = 0; i < 1000; i++) {
		uint64_t start = (999 - i) * 0x10;
		assert_int_equal(range_set_add(&set, start, start + 8), 0);
	}
	assert_int_equal(set.count, 1000);
	for (size_t i = 0; i < set.count; i++) {
		assert_int_equal(set.items[i].start, i * 0x10);
		assert_int_equal(set.items[i].end, i * 0x10 + 8);
	}
	assert_int_equal(range_set_total(&set), 8000);

	/* Filling every hole merges everything into one. */
	for (uint64_t i = 0; i < 999; i++)
		assert_int_equal(range_set_add(&set, i * 0x10 + 8, i * 0x10 + 0x10), 0);
	assert_int_equal(set.count, 1);
	assert_int_equal(set.items[0].start, 0);
	assert_int_equal(set.items[0].end, 999 * 0x10 + 8);
	range_set_clear(&set);
}

static void test_clear_empty(void **state)
{
	struct range_set set = {};

	range_set_clear(&set);
	range_set_clear(&set);
	assert_int_equal(set.count, 0);
	assert_int_equal(range_set_total(&set), 0);
}

static void test_copy(void **state)
{
	struct range_set src = {}, dst = {}, empty = {};
	const struct range src_ranges[MAX_RANGES] = {R(0x100, 0x200), R(0x300, 0x400)};
	const struct range dst_ranges[MAX_RANGES] = {R(0x1000, 0x2000)};

	set_from(&src, src_ranges);
	set_from(&dst, dst_ranges);

	/* Replaces, does not append; the old array is freed (ASan/valgrind check). */
	assert_int_equal(range_set_copy(&dst, &src), 0);
	assert_set(&dst, src_ranges);
	assert_ptr_not_equal(dst.items, src.items);

	/* The copy is independent. */
	assert_int_equal(range_set_add(&dst, 0x200, 0x300), 0);
	assert_set(&src, src_ranges);
	assert_int_equal(dst.count, 1);

	/* Copy onto itself is a no-op. */
	assert_int_equal(range_set_copy(&src, &src), 0);
	assert_set(&src, src_ranges);

	/* Copying an empty set empties. */
	assert_int_equal(range_set_copy(&dst, &empty), 0);
	assert_int_equal(dst.count, 0);
	assert_int_equal(range_set_add(&dst, 1, 2), 0);
	assert_int_equal(dst.count, 1);

	range_set_clear(&src);
	range_set_clear(&dst);
}

static void test_total(void **state)
{
	struct range_set set = {};
	const struct range ranges[MAX_RANGES] = {R(0x100, 0x200), R(0x150, 0x250),
						 R(0x1000, 0x1001)};
	const struct range whole[MAX_RANGES] = {R(0, UINT64_MAX)};

	set_from(&set, ranges);
	/* Overlaps count once. */
	assert_int_equal(range_set_total(&set), 0x151);
	range_set_clear(&set);

	set_from(&set, whole);
	assert_int_equal(range_set_total(&set), UINT64_MAX);
	range_set_clear(&set);
}

struct uncovered_case {
	const char *name;
	struct range cover[MAX_RANGES];
	struct range wanted[MAX_RANGES];
	bool has_gap;
	struct range gap;
};

static const struct uncovered_case uncovered_cases[] = {
    {"empty wanted, empty cover", {}, {}, false, {}},
    {"empty wanted", {R(0, 10)}, {}, false, {}},
    {"empty cover", {}, {R(5, 20)}, true, R(5, 20)},
    {"covered exactly", {R(0, 10)}, {R(0, 10)}, false, {}},
    {"covered inside", {R(0, 10)}, {R(2, 8)}, false, {}},
    {"tail uncovered", {R(0, 10)}, {R(5, 20)}, true, R(10, 20)},
    {"head uncovered", {R(10, 20)}, {R(5, 15)}, true, R(5, 10)},
    {"both ends uncovered: the lower first", {R(10, 20)}, {R(5, 25)}, true, R(5, 10)},
    {"hole between covers", {R(0, 10), R(15, 30)}, {R(0, 40)}, true, R(10, 15)},
    {"covered by touching covers (merged)", {R(0, 10), R(10, 20)}, {R(5, 15)}, false, {}},
    {"wanted entirely below cover", {R(100, 200)}, {R(0, 50)}, true, R(0, 50)},
    {"wanted entirely above cover", {R(100, 200)}, {R(300, 400)}, true, R(300, 400)},
    {"wanted between covers", {R(0, 10), R(100, 200)}, {R(20, 30)}, true, R(20, 30)},
    {"gap ends at next cover", {R(0, 10), R(100, 200)}, {R(5, 150)}, true, R(10, 100)},
    {"first wanted covered, second not",
     {R(0, 100)},
     {R(10, 20), R(30, 40), R(150, 160)},
     true,
     R(150, 160)},
    {"one cover for many wanted", {R(0, 100)}, {R(10, 20), R(30, 40), R(50, 60)}, false, {}},
    {"second wanted partly covered", {R(0, 10), R(20, 30)}, {R(0, 5), R(25, 40)}, true, R(30, 40)},
    {"one byte gap", {R(0, 10), R(11, 20)}, {R(0, 20)}, true, R(10, 11)},
    {"cover up to UINT64_MAX", {R(0, UINT64_MAX)}, {R(UINT64_MAX - 1, UINT64_MAX)}, false, {}},
    {"gap up to UINT64_MAX", {R(0, 0x1000)}, {R(0, UINT64_MAX)}, true, R(0x1000, UINT64_MAX)},
    {"gap at zero", {R(1, UINT64_MAX)}, {R(0, UINT64_MAX)}, true, R(0, 1)},
    {"single byte wanted at the top",
     {R(0, UINT64_MAX - 1)},
     {R(UINT64_MAX - 1, UINT64_MAX)},
     true,
     R(UINT64_MAX - 1, UINT64_MAX)},
};

static void test_first_uncovered_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(uncovered_cases); i++) {
		const struct uncovered_case *c = &uncovered_cases[i];
		struct range_set cover = {}, wanted = {};
		struct range gap = {.start = 0xdead, .end = 0xbeef};

		print_message("first_uncovered: %s\n", c->name);
		set_from(&cover, c->cover);
		set_from(&wanted, c->wanted);

		assert_int_equal(range_set_first_uncovered(&cover, &wanted, &gap), c->has_gap);
		if (c->has_gap) {
			assert_int_equal(gap.start, c->gap.start);
			assert_int_equal(gap.end, c->gap.end);
		} else {
			/* Untouched when everything is covered. */
			assert_int_equal(gap.start, 0xdead);
			assert_int_equal(gap.end, 0xbeef);
		}

		range_set_clear(&cover);
		range_set_clear(&wanted);
	}
}

static void test_first_uncovered_zero_length_item(void **state)
{
	/* A hand-built set with an empty item: the item wants nothing. */
	struct range items[] = {{5, 5}, {20, 30}};
	struct range_set wanted = {.items = items, .count = 2, .capacity = 2};
	struct range_set cover = {};
	struct range gap;

	assert_true(range_set_first_uncovered(&cover, &wanted, &gap));
	assert_int_equal(gap.start, 20);
	assert_int_equal(gap.end, 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_table),
	    cmocka_unit_test(test_add_invalid),
	    cmocka_unit_test(test_add_grows),
	    cmocka_unit_test(test_clear_empty),
	    cmocka_unit_test(test_copy),
	    cmocka_unit_test(test_total),
	    cmocka_unit_test(test_first_uncovered_table),
	    cmocka_unit_test(test_first_uncovered_zero_length_item),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
