// SPDX-License-Identifier: GPL-2.0-or-later
#include "auto-online.h"

#include "macro.h"
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AUTO_ONLINE_FILE "auto_online_blocks"

/* drivers/base/memory.c auto_online_blocks_show(): one of these four */
static bool auto_online_valid(const char *value)
{
	return streq(value, "offline") || streq(value, "online") || streq(value, "online_kernel") ||
	       streq(value, "online_movable");
}

static int memo_write(const char *memo, const char *value)
{
	/* never block on a FIFO put there, never follow a link */
	_cleanup_close_ int fd =
	    open(memo, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -EMEDIUMTYPE;
	size_t len = strlen(value);
	if (write(fd, value, len) != (ssize_t)len)
		return -EIO;
	/* the value must outlive a kill inside the bind, not a crash of the host */
	return 0;
}

int auto_online_swap(const struct path_cxt *memory, const char *memo, const char *value,
		     char ret_previous[static AUTO_ONLINE_MAX])
{
	char previous[AUTO_ONLINE_MAX];

	int r = path_read_string(memory, previous, sizeof(previous), AUTO_ONLINE_FILE);
	if (r < 0)
		return r;
	if (!auto_online_valid(previous))
		return -EINVAL;
	if (!streq(previous, value)) {
		if (memo && (r = memo_write(memo, previous)) < 0)
			return r;
		r = path_write_string(memory, value, AUTO_ONLINE_FILE);
		if (r < 0) {
			if (memo)
				(void)unlink(memo);
			return r;
		}
	}
	snprintf(ret_previous, AUTO_ONLINE_MAX, "%s", previous);
	return 0;
}

int auto_online_put_back(const struct path_cxt *memory, const char *memo, const char *previous)
{
	char now[AUTO_ONLINE_MAX];

	int r = 0;

	/* as it was (the swap wrote nothing): no write */
	if (path_read_string(memory, now, sizeof(now), AUTO_ONLINE_FILE) < 0 ||
	    !streq(now, previous))
		r = path_write_string(memory, previous, AUTO_ONLINE_FILE);
	if (r >= 0 && memo)
		(void)unlink(memo);
	return r;
}

int auto_online_recover(const struct path_cxt *memory, const char *memo,
			char ret_value[static AUTO_ONLINE_MAX])
{
	_cleanup_free_ char *value = NULL;

	int r = read_full_file(memo, AUTO_ONLINE_MAX, &value, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	value[strcspn(value, "\n")] = '\0';
	/* not a value the kernel wrote: never write it back, drop it */
	if (!auto_online_valid(value)) {
		(void)unlink(memo);
		return -EINVAL;
	}
	r = auto_online_put_back(memory, memo, value);
	if (r < 0)
		return r;
	snprintf(ret_value, AUTO_ONLINE_MAX, "%s", value);
	return 1;
}
