/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small set of owned strings (device names, file names), kept
 * NULL-terminated so it can be handed on as a char ** list.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct name_list {
	char **names; /* names[count] == NULL once anything was added */
	size_t count;
};

void name_list_clear(struct name_list *list);
bool name_list_contains(const struct name_list *list, const char *name);

/* Whether @name is among @names (NULL-terminated); @names NULL stands for every name. */
bool names_select(char *const *names, const char *name);

/* Adds a copy of @name unless it is there already. Returns 0 or -ENOMEM. */
int name_list_add(struct name_list *list, const char *name);
