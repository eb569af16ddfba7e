// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where the CMRs come from: a file, an attribute or the kernel log, each
 * read with the one parser (cmr.c).
 */
#include "cmr-sources.h"

#include "macro.h"
#include "path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* CMR files are a few lines; anything near this size is not one. */
#define CMR_FILE_MAX (1024 * 1024)

static const char *const cmr_source_names[CMR_SOURCE_MAX] = {
    [CMR_SOURCE_NONE] = "none",		  [CMR_SOURCE_FILE] = "file",
    [CMR_SOURCE_ATTRIBUTE] = "attribute", [CMR_SOURCE_KMSG] = "kmsg",
    [CMR_SOURCE_JOURNAL] = "journal",
};
DEFINE_STRING_TABLE(cmr_source, enum cmr_source, CMR_SOURCE_MAX)

void cmr_info_clear(struct cmr_info *info)
{
	range_set_clear(&info->cmrs);
	free(info->origin);
	*info = (struct cmr_info){.source = CMR_SOURCE_NONE};
}

/* Reads and parses a file the administrator named. */
static int cmr_load_path(const char *path, enum cmr_source source, struct cmr_info *ret_info,
			 struct parse_error *ret_error)
{
	_cleanup_free_ char *data = NULL, *origin = NULL;
	struct range_set cmrs = {};
	size_t size;
	int r;

	r = read_full_file(path, CMR_FILE_MAX, &data, &size);
	if (r < 0) {
		char why[READ_ERROR_MAX];
		parse_error_set(ret_error, path, 0, "cannot read: %s",
				read_error_string(r, CMR_FILE_MAX, why));
		return r;
	}

	r = cmr_parse(data, size, path, &cmrs, ret_error);
	if (r < 0)
		return r;

	if (cmrs.count == 0) {
		/*
		 * A CMR file exists only to list CMRs: an empty one is a mistake.
		 * An attribute is the kernel's, and a kernel that has not read
		 * the CMRs yet (the TDX module is not initialized) may well
		 * leave it empty: that is "unknown", as with no log line.
		 */
		if (source == CMR_SOURCE_FILE) {
			parse_error_set(ret_error, path, 0, "no CMR in file");
			return -EINVAL;
		}
		*ret_info = (struct cmr_info){.source = CMR_SOURCE_NONE};
		return 0;
	}

	origin = strdup(path);
	if (!origin) {
		range_set_clear(&cmrs);
		parse_error_set(ret_error, path, 0, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}

	*ret_info = (struct cmr_info){
	    .source = source,
	    .origin = TAKE_PTR(origin),
	    .cmrs = cmrs,
	};
	return 0;
}

static int cmr_load_kernel_log(const struct kernel_log *log, struct cmr_info *ret_info,
			       struct parse_error *ret_error)
{
	static const char cmr_prefix[] = "virt/tdx: CMR";
	struct cmr_parser parser = {};
	enum cmr_source source;
	unsigned index = 0;
	int r;

	if (!log || log->count == 0) {
		*ret_info = (struct cmr_info){.source = CMR_SOURCE_NONE};
		return 0;
	}

	if (log->origin == KERNEL_LOG_JOURNAL) {
		source = CMR_SOURCE_JOURNAL;
		parser.origin = "journal";
	} else {
		source = CMR_SOURCE_KMSG;
		parser.origin = "/dev/kmsg";
	}

	for (size_t i = 0; i < log->count; i++) {
		const char *line = log->lines[i];

		if (!line || strncmp(line, cmr_prefix, sizeof(cmr_prefix) - 1) != 0)
			continue;

		/* Log lines have no numbers of their own: count the CMR lines. */
		index++;
		r = cmr_parser_add_line(&parser, line, strlen(line), index, ret_error);
		if (r < 0) {
			range_set_clear(&parser.set);
			return r;
		}
	}

	if (parser.set.count == 0) {
		*ret_info = (struct cmr_info){.source = CMR_SOURCE_NONE};
		return 0;
	}

	*ret_info = (struct cmr_info){.source = source, .cmrs = parser.set};
	return 0;
}

int cmr_load(const char *file, const char *attribute, const struct kernel_log *kernel_log,
	     struct cmr_info *ret_info, struct parse_error *ret_error)
{
	if (file)
		return cmr_load_path(file, CMR_SOURCE_FILE, ret_info, ret_error);
	if (attribute)
		return cmr_load_path(attribute, CMR_SOURCE_ATTRIBUTE, ret_info, ret_error);
	return cmr_load_kernel_log(kernel_log, ret_info, ret_error);
}
