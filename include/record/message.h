/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A record in words: the journal entry's MESSAGE, one sentence, and the
 * --once line, written from the record's fields (record.h).
 */
#pragma once

#include "record.h"

#include <stdio.h>

/* "0x" + 16 hex digits, twice, a dash and the NUL. */
#define RECORD_RANGE_TEXT_MAX 40

/* "0x390000000-0x3b0000000": [start, end) as the records write it, end exclusive. */
void record_format_range(struct range range, char buf[static RECORD_RANGE_TEXT_MAX]);

/* The MESSAGE of @record's journal entry, malloc'ed into *@ret. -ENOMEM. */
int record_format_message(const struct record *record, char **ret);

/*
 * One human line per record on stdout, for --once. Returns 0, -ENOMEM
 * (then nothing was written) or -EIO (writing to @out failed).
 */
int record_print_line(FILE *out, const struct record *record);
