/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /etc/tdxmemd.conf and /etc/tdxmemd.conf.d/\*.conf, systemd-style INI.
 */
#pragma once

#include "macro.h"

#include "parse-error.h"
#include "tdx.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_DEFAULT_PATH	  "/etc/tdxmemd.conf"
#define CONFIG_DEFAULT_DROPIN_DIR "/etc/tdxmemd.conf.d"

enum online_type {
	ONLINE_TYPE_MOVABLE, /* ZONE_MOVABLE: the memory can be offlined again */
	ONLINE_TYPE_KERNEL,  /* ZONE_NORMAL */
	ONLINE_TYPE_MAX,     /* the number of values: sizes the name table */
};

enum after_init {
	AFTER_INIT_DEVDAX,
	AFTER_INIT_TRY,
	AFTER_INIT_MAX, /* the number of values: sizes the name table */
};

enum when_tdx_disabled {
	WHEN_TDX_DISABLED_ONLINE,
	WHEN_TDX_DISABLED_DEVDAX,
	WHEN_TDX_DISABLED_MAX, /* the number of values: sizes the name table */
};

struct config {
	bool state_pinned; /* [TDX] State= other than "auto" */
	enum tdx_state state;
	char *cmr_file;
	char *cmr_attribute;
	enum after_init after_init;
	enum online_type online_type;
	enum when_tdx_disabled when_tdx_disabled;
	char **exclude; /* device names, CXL region names or memdev serials */
	size_t exclude_count;
	size_t exclude_allocated;
	/* the words of exclude that are numbers, parsed once at load */
	uint64_t *exclude_serials;
	size_t exclude_serial_count;
	bool take_over_auto_online; /* daemon: set auto_online_blocks to offline */
	char *metrics_textfile;	    /* [Metrics] TextfilePath=: node_exporter file, or NULL */
};

void config_init(struct config *config);
void config_clear(struct config *config);

/* One configuration text and the name its errors give. */
struct config_text {
	const char *origin;
	const char *text;
	size_t size;
};

/*
 * Parses @texts in order, each on top of the ones before it, starting from
 * the defaults, and replaces *config with the result. Unknown sections or
 * keys and bad values are errors naming the text's origin and the line:
 * -EINVAL, and *config is left as it was.
 */
int config_parse(struct config *config, const struct config_text *texts, size_t n,
		 struct parse_error *ret_error);

/*
 * Loads @path (a missing default file is no error; a missing explicit one is)
 * then, when @dropin_dir is set, every *.conf in it in lexical order, later
 * files overriding earlier ones, starting from the defaults, and replaces
 * *config with the result. On error *config is left as it was.
 */
int config_load(struct config *config, const char *path, bool path_explicit, const char *dropin_dir,
		struct parse_error *ret_error);

bool config_excludes(const struct config *config, const char *name);

/* Whether memdev serial @serial is listed in Exclude= (0x1234 or 4660). */
bool config_excludes_serial(const struct config *config, uint64_t serial);

DECLARE_STRING_TABLE(online_type, enum online_type);
DECLARE_STRING_TABLE(after_init, enum after_init);
DECLARE_STRING_TABLE(when_tdx_disabled, enum when_tdx_disabled);
