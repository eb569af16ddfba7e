// SPDX-License-Identifier: GPL-2.0-or-later
#include "fuzz-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char scratch[PATH_MAX];

const char *fuzz_path(const char *relpath)
{
	static char path[PATH_MAX];

	if (!scratch[0]) {
		snprintf(scratch, sizeof(scratch), "/tmp/tdxmemd-fuzz-%d", (int)getpid());
		if (mkdir(scratch, 0700) < 0 && errno != EEXIST)
			abort();
	}
	snprintf(path, sizeof(path), "%s/%s", scratch, relpath);
	return path;
}

static void make_parents(char *path)
{
	for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			abort();
		*slash = '/';
	}
}

void fuzz_put(const char *relpath, const uint8_t *data, size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", fuzz_path(relpath));
	make_parents(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size))
		abort();
	close(fd);
}
