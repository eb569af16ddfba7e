// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel-log.h"

#include "log.h"
#include "macro.h"
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

/* pr_fmt of arch/x86/virt/vmx/tdx/tdx.c */
#define TDX_LOG_PREFIX "virt/tdx: "

void kernel_log_clear(struct kernel_log *log)
{
	for (size_t i = 0; i < log->count; i++)
		free(log->lines[i]);
	free(log->lines);
	*log = (struct kernel_log){0};
}

static int kernel_log_add(struct kernel_log *log, const char *message, size_t len)
{
	const char *tdx = memmem(message, len, TDX_LOG_PREFIX, strlen(TDX_LOG_PREFIX));
	if (!tdx)
		return 0;

	char **lines = reallocarray(log->lines, log->count + 1, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	log->lines = lines;

	char *line = strndup(tdx, len - (size_t)(tdx - message));
	if (!line)
		return -ENOMEM;
	log->lines[log->count++] = line;
	return 0;
}

/*
 * One /dev/kmsg record: "PRIO,SEQ,TIMESTAMP,FLAGS[,...];MESSAGE"; lines that
 * start with a space carry the record's dictionary and are skipped
 * (Documentation/ABI/testing/dev-kmsg).
 */
static int kernel_log_add_record(struct kernel_log *log, const char *record, size_t len,
				 long long *first_seq)
{
	if (len == 0 || record[0] == ' ')
		return 0;

	const char *semicolon = memchr(record, ';', len);
	if (!semicolon)
		return 0;

	if (*first_seq < 0) {
		const char *comma = memchr(record, ',', (size_t)(semicolon - record));
		char *end;

		if (comma) {
			errno = 0;
			long long seq = strtoll(comma + 1, &end, 10);
			if (errno == 0 && end != comma + 1 && *end == ',')
				*first_seq = seq;
		}
	}

	const char *message = semicolon + 1;
	return kernel_log_add(log, message, len - (size_t)(message - record));
}

/*
 * Reads the records @fd holds from its position on. On the real device each
 * read() returns one record, -EPIPE when the ring buffer overwrote the next
 * one (*@ret_lost is set; reading goes on from the oldest kept) and -EAGAIN
 * at the end (O_NONBLOCK); a fixture file returns many lines per read() and
 * then 0. Both are handled by splitting on newlines.
 */
static int kmsg_drain(int fd, struct kernel_log *log, long long *first_seq, bool *ret_lost)
{
	char buffer[16384];
	size_t used = 0;

	for (;;) {
		ssize_t n = read(fd, buffer + used, sizeof(buffer) - used - 1);
		if (n < 0) {
			if (errno == EPIPE)
				*ret_lost = true;
			if (errno == EINTR || errno == EPIPE)
				continue;
			if (errno == EAGAIN)
				break;
			return -errno;
		}
		if (n == 0)
			break;
		used += (size_t)n;

		char *start = buffer;
		char *newline;
		while ((newline = memchr(start, '\n', used - (size_t)(start - buffer)))) {
			int r =
			    kernel_log_add_record(log, start, (size_t)(newline - start), first_seq);
			if (r < 0)
				return r;
			start = newline + 1;
		}
		used -= (size_t)(start - buffer);
		memmove(buffer, start, used);
		/* A line longer than the buffer is no kmsg record: drop it. */
		if (used == sizeof(buffer) - 1)
			used = 0;
	}
	if (used > 0)
		return kernel_log_add_record(log, buffer, used, first_seq);
	return 0;
}

static int kmsg_open(const char *sysroot)
{
	_cleanup_free_ char *path = path_join_root(sysroot, "/dev/kmsg");
	if (!path)
		return -ENOMEM;
	struct stat st = {0};
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int r = -errno;
		/* a socket cannot be opened at all (ENXIO): say what it is */
		return r == -ENXIO && stat(path, &st) == 0 && S_ISSOCK(st.st_mode) ? -EMEDIUMTYPE
										   : r;
	}
	/* the kernel's character device, or a fixture's regular file */
	if (fstat(fd, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISREG(st.st_mode))) {
		int r = S_ISDIR(st.st_mode) ? -EISDIR : -EMEDIUMTYPE;
		close(fd);
		return r;
	}
	return fd;
}

/* syslog(2) actions (include/linux/syslog.h): glibc names none of them. */
#define SYSLOG_ACTION_READ_ALL	  3
#define SYSLOG_ACTION_SIZE_BUFFER 10

/* The sequence number of the oldest record the ring still holds, or -1. */
static long long oldest_seq(int fd)
{
	char record[8192];
	ssize_t n;

	/* SEEK_SET on /dev/kmsg goes to the oldest record (Documentation/ABI/testing/dev-kmsg) */
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	do
		n = read(fd, record, sizeof(record) - 1);
	while (n < 0 && (errno == EINTR || errno == EPIPE));
	if (n <= 0)
		return -1;
	record[n] = '\0';
	const char *comma = strchr(record, ',');
	return comma ? strtoll(comma + 1, NULL, 10) : -1;
}

/*
 * The whole ring in one syslog(SYSLOG_ACTION_READ_ALL) call, where /dev/kmsg
 * takes one read() per record (hundreds at boot, each a syscall). READ_ALL
 * does not say whether records were overwritten: the oldest record's
 * sequence number does, and must be the same before and after, or a record
 * dropped meanwhile may have held a TDX line. -EAGAIN: read record by record.
 */
static int read_ring_at_once(int fd, struct kernel_log *log, long long *first_seq)
{
	long long before = oldest_seq(fd);
	int size = before < 0 ? -1 : klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	if (size <= 0)
		return -EAGAIN;
	_cleanup_free_ char *text = malloc((size_t)size + 1);
	if (!text)
		return -ENOMEM;
	int n = klogctl(SYSLOG_ACTION_READ_ALL, text, size);
	if (n < 0 || oldest_seq(fd) != before)
		return -EAGAIN;

	/* "<6>[    5.140900] virt/tdx: ..." lines */
	for (const char *line = text, *end = text + n; line < end;) {
		const char *newline = memchr(line, '\n', (size_t)(end - line));
		size_t len = newline ? (size_t)(newline - line) : (size_t)(end - line);
		int r = kernel_log_add(log, line, len);
		if (r < 0)
			return r;
		line += len + 1;
	}
	*first_seq = before;
	return 0;
}

/* Every record /dev/kmsg still holds. */
static int kernel_log_read_kmsg(const char *sysroot, struct kernel_log *log, long long *first_seq)
{
	bool lost = false;

	_cleanup_close_ int fd = kmsg_open(sysroot);
	if (fd < 0)
		return fd;
	/* the host's kernel only: a fixture's kmsg is a file */
	if (path_root_is_host(sysroot)) {
		int r = read_ring_at_once(fd, log, first_seq);
		if (r != -EAGAIN)
			return r;
		kernel_log_clear(log);
		if (lseek(fd, 0, SEEK_SET) < 0)
			return -errno;
	}
	return kmsg_drain(fd, log, first_seq, &lost);
}

/*
 * The journal cache: "boot ID", "cursor CURSOR", "kmsg SEQ" (the oldest
 * record the ring held then), then one "line TEXT" per TDX line found up
 * to that entry. Anything else, or another boot, and the cache is not used.
 */
struct journal_cache {
	char *cursor;	       /* NULL: no usable cache */
	long long kmsg_oldest; /* -1: not recorded */
	struct kernel_log lines;
};

static void journal_cache_clear(struct journal_cache *cache)
{
	free(cache->cursor);
	kernel_log_clear(&cache->lines);
	*cache = (struct journal_cache){.kmsg_oldest = -1};
}

static bool cache_line(struct journal_cache *cache, const char *line)
{
	if (strncmp(line, "cursor ", 7) == 0)
		return !cache->cursor && (cache->cursor = strdup(line + 7));
	if (strncmp(line, "kmsg ", 5) == 0) {
		uint64_t seq;
		if (cache->kmsg_oldest >= 0 || parse_u64(line + 5, 10, &seq) < 0 || seq > LLONG_MAX)
			return false;
		cache->kmsg_oldest = (long long)seq;
		return true;
	}
	return strncmp(line, "line " TDX_LOG_PREFIX, 5 + strlen(TDX_LOG_PREFIX)) == 0 &&
	       kernel_log_add(&cache->lines, line + 5, strlen(line + 5)) >= 0;
}

static void cache_load(const char *path, sd_id128_t boot, struct journal_cache *cache)
{
	_cleanup_free_ char *data = NULL;
	char want[64];
	bool first = true;

	*cache = (struct journal_cache){.kmsg_oldest = -1};
	if (!path || read_full_file(path, 4u << 20, &data, NULL) < 0)
		return;
	snprintf(want, sizeof(want), "boot " SD_ID128_FORMAT_STR, SD_ID128_FORMAT_VAL(boot));
	for (char *line = data, *next; *line; line = next, first = false) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (first ? !streq(line, want) : !cache_line(cache, line)) {
			journal_cache_clear(cache);
			return;
		}
	}
	if (!cache->cursor)
		journal_cache_clear(cache);
}

struct cache_content {
	sd_id128_t boot;
	const char *cursor;
	long long kmsg_oldest;
	const struct kernel_log *log;
};

static int write_cache(FILE *f, const void *userdata)
{
	const struct cache_content *c = userdata;

	fprintf(f, "boot " SD_ID128_FORMAT_STR "\ncursor %s\nkmsg %lld\n",
		SD_ID128_FORMAT_VAL(c->boot), c->cursor, c->kmsg_oldest);
	for (size_t i = 0; i < c->log->count; i++)
		if (!strchr(c->log->lines[i], '\n'))
			fprintf(f, "line %s\n", c->log->lines[i]);
	return ferror(f) ? -EIO : 0;
}

/* @from's lines after @to's, in order. -ENOMEM. */
static int kernel_log_append(struct kernel_log *to, const struct kernel_log *from)
{
	for (size_t i = 0; i < from->count; i++) {
		int r = kernel_log_add(to, from->lines[i], strlen(from->lines[i]));
		if (r < 0)
			return r;
	}
	return 0;
}

/* This boot's kernel messages in the journal. */
static int journal_open_kernel(sd_id128_t boot, sd_journal **ret_journal)
{
	sd_journal *journal = NULL;
	char match[64];

	int r = sd_journal_open(&journal, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
	if (r < 0)
		return r;
	snprintf(match, sizeof(match), "_BOOT_ID=" SD_ID128_FORMAT_STR, SD_ID128_FORMAT_VAL(boot));
	r = sd_journal_add_match(journal, match, 0);
	if (r >= 0)
		r = sd_journal_add_match(journal, "_TRANSPORT=kernel", 0);
	if (r < 0) {
		sd_journal_close(journal);
		return r;
	}
	*ret_journal = journal;
	return 0;
}

/*
 * Goes to where the cache's lines end, so that the next sd_journal_next()
 * reads the first entry after them. When that is gone, @log (the cached
 * lines) is dropped and the whole boot read after all.
 */
static int journal_seek_cursor(sd_journal *journal, const char *cursor, struct kernel_log *log)
{
	if (sd_journal_seek_cursor(journal, cursor) < 0 || sd_journal_next(journal) <= 0) {
		/* nothing there to go on from */
		kernel_log_clear(log);
		return sd_journal_seek_head(journal);
	}
	/* the cached entry is gone (vacuumed): the one found is unread */
	if (sd_journal_test_cursor(journal, cursor) <= 0)
		(void)sd_journal_previous(journal);
	/* else at the cached entry itself: reading goes on after it */
	return 0;
}

/*
 * This boot's kernel messages from the journal, the ring having wrapped
 * (its oldest record now @kmsg_oldest; @ring holds what it still has).
 * With @cache_path, the TDX lines, the cursor of the last entry read and
 * @kmsg_oldest are kept there, so that the next read of this boot (the
 * next --once) reads only the entries after it: after a wrap of 100,000
 * lines the whole read takes seconds. While the ring's oldest record is
 * still one it held then, nothing was dropped since: the cached lines and
 * the ring's hold every TDX line, and the journal is not read at all. The
 * ring's lines come last either way. A line in both changes nothing (the
 * CMR lines merge; the ring's, the newest, come last, and the last TDX
 * state line wins).
 */
static int kernel_log_read_journal(const char *cache_path, long long kmsg_oldest,
				   const struct kernel_log *ring, struct kernel_log *log)
{
	_cleanup_(journal_cache_clear) struct journal_cache cache = {.kmsg_oldest = -1};
	sd_journal *journal = NULL;
	sd_id128_t boot;

	int r = sd_id128_get_boot(&boot);
	if (r < 0)
		return r;
	cache_load(cache_path, boot, &cache);
	/* the ring read (a wrapped ring's oldest record is above 0) and unbroken since */
	if (cache.cursor && kmsg_oldest > 0 && cache.kmsg_oldest >= 0 &&
	    kmsg_oldest <= cache.kmsg_oldest) {
		log_debug("Kernel log wrapped, nothing dropped since %s was written: TDX lines "
			  "from it and the ring, not the journal.",
			  cache_path);
		*log = cache.lines;
		cache.lines = (struct kernel_log){0};
		return kernel_log_append(log, ring);
	}
	r = journal_open_kernel(boot, &journal);
	if (r < 0)
		return r;
	log_debug("Kernel log wrapped: TDX lines from the journal%s.",
		  cache.cursor ? ", after the cursor of the cache" : "");
	if (cache.cursor) {
		*log = cache.lines;
		cache.lines = (struct kernel_log){0};
		r = journal_seek_cursor(journal, cache.cursor, log);
	}

	bool read_any = false;
	while (r >= 0 && (r = sd_journal_next(journal)) > 0) {
		const void *data;
		size_t len;

		read_any = true;
		if (sd_journal_get_data(journal, "MESSAGE", &data, &len) < 0)
			continue;
		r = kernel_log_add(log, (const char *)data + strlen("MESSAGE="),
				   len - strlen("MESSAGE="));
	}
	_cleanup_free_ char *last = NULL;
	if (r >= 0 && cache_path && read_any && sd_journal_get_cursor(journal, &last) >= 0)
		/* 0600: dmesg_restrict keeps the kernel log from other users */
		(void)write_file_atomic(cache_path, 0600, write_cache,
					&(struct cache_content){boot, last, kmsg_oldest, log});
	sd_journal_close(journal);
	/*
	 * journald may not have read the ring's newest records yet: they come
	 * last, and are kept out of the cache, whose lines end at its cursor.
	 */
	return r < 0 ? r : kernel_log_append(log, ring);
}

int kernel_log_read(const char *sysroot, struct kernel_log *ret_log)
{
	return kernel_log_read_cached(sysroot, NULL, ret_log);
}

int kernel_log_read_cached(const char *sysroot, const char *journal_cache,
			   struct kernel_log *ret_log)
{
	struct kernel_log log = {0};
	long long first_seq = -1;
	int r;

	r = kernel_log_read_kmsg(sysroot, &log, &first_seq);
	if (r >= 0 && first_seq <= 0) {
		log.origin = KERNEL_LOG_KMSG;
		*ret_log = log;
		return 0;
	}

	/*
	 * The ring buffer has wrapped (or /dev/kmsg is unreadable). The
	 * journal keeps this boot's kernel messages from the start; a fixture
	 * sysroot has no journal of its own, so it keeps what kmsg gave.
	 */
	if (path_root_is_host(sysroot)) {
		struct kernel_log journal = {0};

		if (kernel_log_read_journal(journal_cache, first_seq, &log, &journal) >= 0) {
			kernel_log_clear(&log);
			journal.origin = KERNEL_LOG_JOURNAL;
			*ret_log = journal;
			return 0;
		}
		kernel_log_clear(&journal);
	}
	if (r < 0) {
		kernel_log_clear(&log);
		return r;
	}
	log.origin = KERNEL_LOG_KMSG;
	*ret_log = log;
	return 0;
}

int kernel_log_follow(const char *sysroot)
{
	int fd = kmsg_open(sysroot);
	if (fd < 0)
		return fd;
	if (lseek(fd, 0, SEEK_END) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int kernel_log_read_new(int fd, struct kernel_log *log, size_t *ret_added, bool *ret_lost)
{
	size_t before = log->count;
	long long first_seq = 0; /* not asked for */

	*ret_lost = false;
	int r = kmsg_drain(fd, log, &first_seq, ret_lost);
	*ret_added = log->count - before;
	return r;
}
