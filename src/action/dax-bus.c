// SPDX-License-Identifier: GPL-2.0-or-later
#include "dax-bus.h"

#include "macro.h"
#include "path.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Whether drivers_autoprobe reads 0. */
static bool dax_bus_held(const char *bus_dir)
{
	char path[PATH_MAX];
	_cleanup_free_ char *value = NULL;

	snprintf(path, sizeof(path), "%s/drivers_autoprobe", bus_dir);
	if (read_full_file(path, 16, &value, NULL) < 0)
		return false;
	return value[0] == '0';
}

int dax_bus_hold(const char *bus_dir, bool *ret_was_held)
{
	char path[PATH_MAX];
	bool held = dax_bus_held(bus_dir);

	if (ret_was_held)
		*ret_was_held = held;
	if (held)
		return 0;
	snprintf(path, sizeof(path), "%s/drivers_autoprobe", bus_dir);
	return write_string_file(path, "0");
}

int dax_bus_bind(const char *bus_dir, const char *driver, const char *device)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/drivers/%s/bind", bus_dir, driver);
	return write_string_file(path, device);
}

int dax_kmem_state_read(const char *bus_dir, const char *device, char buf[KMEM_STATE_MAX])
{
	char path[PATH_MAX];
	_cleanup_free_ char *value = NULL;

	snprintf(path, sizeof(path), "%s/devices/%s/state", bus_dir, device);
	int r = read_full_file(path, KMEM_STATE_MAX, &value, NULL);
	if (r < 0)
		return r;
	value[strcspn(value, "\n")] = '\0';
	snprintf(buf, KMEM_STATE_MAX, "%s", value);
	return 0;
}

int dax_kmem_state_write(const char *bus_dir, const char *device, const char *state)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/devices/%s/state", bus_dir, device);
	return write_string_file(path, state);
}
