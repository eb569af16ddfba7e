/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sorted, merged sets of half-open physical address ranges.
 *
 * Invariant of every set built with range_set_add(): items are sorted by
 * start, non-empty, and neither overlap nor touch (items[i].end <
 * items[i + 1].start). The lookups below rely on it.
 */
#include "range.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void range_set_clear(struct range_set *set)
{
	free(set->items);
	*set = (struct range_set){};
}

static int range_set_reserve(struct range_set *set, size_t count)
{
	struct range *items;
	size_t capacity;

	if (count <= set->capacity)
		return 0;

	capacity = set->capacity ? set->capacity : 4;
	while (capacity < count) {
		if (capacity > SIZE_MAX / 2 / sizeof(struct range))
			return -ENOMEM;
		capacity *= 2;
	}

	/* realloc() leaves the old array intact on failure: the set stays valid. */
	items = realloc(set->items, capacity * sizeof(struct range));
	if (!items)
		return -ENOMEM;

	set->items = items;
	set->capacity = capacity;
	return 0;
}

int range_set_add(struct range_set *set, uint64_t start, uint64_t end)
{
	size_t first, last;
	int r;

	if (start >= end)
		return -EINVAL;

	/*
	 * Items [first, last) are those that overlap or touch [start, end):
	 * item.end >= start and item.start <= end. Because the set is sorted and
	 * merged they are contiguous.
	 */
	for (first = 0; first < set->count; first++)
		if (set->items[first].end >= start)
			break;
	for (last = first; last < set->count; last++)
		if (set->items[last].start > end)
			break;

	if (first == last) {
		/* Nothing to merge with: insert at first. Grow before touching anything. */
		r = range_set_reserve(set, set->count + 1);
		if (r < 0)
			return r;

		memmove(set->items + first + 1, set->items + first,
			(set->count - first) * sizeof(struct range));
		set->items[first] = (struct range){.start = start, .end = end};
		set->count++;
		return 0;
	}

	if (set->items[first].start < start)
		start = set->items[first].start;
	if (set->items[last - 1].end > end)
		end = set->items[last - 1].end;

	set->items[first] = (struct range){.start = start, .end = end};
	memmove(set->items + first + 1, set->items + last,
		(set->count - last) * sizeof(struct range));
	set->count -= last - first - 1;
	return 0;
}

int range_set_copy(struct range_set *dst, const struct range_set *src)
{
	struct range *items = NULL;

	if (dst == src)
		return 0;

	if (src->count > 0) {
		items = malloc(src->count * sizeof(struct range));
		if (!items)
			return -ENOMEM;
		memcpy(items, src->items, src->count * sizeof(struct range));
	}

	free(dst->items);
	*dst = (struct range_set){.items = items, .count = src->count, .capacity = src->count};
	return 0;
}

uint64_t range_set_total(const struct range_set *set)
{
	uint64_t total = 0;

	/* Disjoint ranges inside [0, UINT64_MAX) cannot sum past UINT64_MAX. */
	for (size_t i = 0; i < set->count; i++)
		total += set->items[i].end - set->items[i].start;

	return total;
}

bool range_set_first_uncovered(const struct range_set *cover, const struct range_set *wanted,
			       struct range *ret_gap)
{
	size_t k = 0;

	/*
	 * Both sets are sorted, so one pass suffices: k only moves forward, and
	 * the first gap found is the lowest.
	 */
	for (size_t i = 0; i < wanted->count; i++) {
		uint64_t pos = wanted->items[i].start, end = wanted->items[i].end, gap_end;

		if (pos >= end)
			continue;

		/* Skip cover items entirely below pos. */
		while (k < cover->count && cover->items[k].end <= pos)
			k++;

		/*
		 * An item containing pos covers up to its end; the next item
		 * starts strictly above that end (merged set), so at most one
		 * item can extend the covered prefix.
		 */
		if (k < cover->count && cover->items[k].start <= pos) {
			pos = cover->items[k].end;
			/* Covered: item k may cover the next wanted range too. */
			if (pos >= end)
				continue;
			k++;
		}

		gap_end = end;
		if (k < cover->count && cover->items[k].start < gap_end)
			gap_end = cover->items[k].start;

		*ret_gap = (struct range){.start = pos, .end = gap_end};
		return true;
	}

	return false;
}

bool range_set_span(const struct range_set *set, struct range *ret_span)
{
	if (set->count == 0)
		return false;
	/* sorted and merged: the first and the last range bound the set */
	*ret_span = (struct range){set->items[0].start, set->items[set->count - 1].end};
	return true;
}
