// SPDX-License-Identifier: GPL-2.0-or-later
#include "name-list.h"

#include "macro.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void name_list_clear(struct name_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->names[i]);
	free(list->names);
	*list = (struct name_list){0};
}

bool name_list_contains(const struct name_list *list, const char *name)
{
	for (size_t i = 0; i < list->count; i++)
		if (streq(list->names[i], name))
			return true;
	return false;
}

bool names_select(char *const *names, const char *name)
{
	if (!names)
		return true;
	for (char *const *n = names; *n; n++)
		if (streq(*n, name))
			return true;
	return false;
}

int name_list_add(struct name_list *list, const char *name)
{
	if (name_list_contains(list, name))
		return 0;

	char **names = reallocarray(list->names, list->count + 2, sizeof(*names));
	if (!names)
		return -ENOMEM;
	list->names = names;
	if (!(names[list->count] = strdup(name)))
		return -ENOMEM;
	names[++list->count] = NULL;
	return 0;
}
