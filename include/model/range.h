/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sets of physical address ranges. Every range is half-open, [start, end),
 * the form the kernel prints CMRs in. A set is kept sorted and merged:
 * overlapping or touching ranges become one, so "covered" means covered by
 * the union, which is what convertibility means for TDX.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct range {
	uint64_t start;
	uint64_t end; /* exclusive */
};

struct range_set {
	struct range *items;
	size_t count;
	size_t capacity;
};

/* A zero-initialised struct range_set is an empty set. */
void range_set_clear(struct range_set *set);

/* Adds [start, end). -EINVAL when start >= end, -ENOMEM; the set is unchanged on error. */
int range_set_add(struct range_set *set, uint64_t start, uint64_t end);

/* Replaces *dst with a copy of *src. -ENOMEM leaves *dst unchanged. */
int range_set_copy(struct range_set *dst, const struct range_set *src);

uint64_t range_set_total(const struct range_set *set);

/* [lowest start, highest end) of a non-empty set; false for an empty one. */
bool range_set_span(const struct range_set *set, struct range *ret_span);

/*
 * Looks for the lowest part of @wanted that @cover does not contain. Returns
 * true and sets *ret_gap to that maximal uncovered sub-range, or false (and
 * leaves *ret_gap untouched) when every range of @wanted is covered. An empty
 * @wanted is covered.
 */
bool range_set_first_uncovered(const struct range_set *cover, const struct range_set *wanted,
			       struct range *ret_gap);
