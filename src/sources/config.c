/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /etc/tdxmemd.conf as data: each key with the field it fills and the
 * generic parser that reads it (conf-parser.c knows the syntax).
 */
#include "conf-parser.h"
#include "config.h"
#include "macro.h"
#include "path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const online_type_names[ONLINE_TYPE_MAX] = {
    [ONLINE_TYPE_MOVABLE] = "movable",
    [ONLINE_TYPE_KERNEL] = "kernel",
};

static const char *const after_init_names[AFTER_INIT_MAX] = {
    [AFTER_INIT_DEVDAX] = "devdax",
    [AFTER_INIT_TRY] = "try",
};

static const char *const when_tdx_disabled_names[WHEN_TDX_DISABLED_MAX] = {
    [WHEN_TDX_DISABLED_ONLINE] = "online",
    [WHEN_TDX_DISABLED_DEVDAX] = "devdax",
};

DEFINE_STRING_TABLE(online_type, enum online_type, ONLINE_TYPE_MAX)

DEFINE_STRING_TABLE(after_init, enum after_init, AFTER_INIT_MAX)

DEFINE_STRING_TABLE(when_tdx_disabled, enum when_tdx_disabled, WHEN_TDX_DISABLED_MAX)

static const struct config config_defaults = {
    .state_pinned = false,
    .state = TDX_STATE_UNKNOWN,
    .after_init = AFTER_INIT_DEVDAX,
    .online_type = ONLINE_TYPE_MOVABLE,
    .when_tdx_disabled = WHEN_TDX_DISABLED_ONLINE,
    .take_over_auto_online = true,
};

void config_init(struct config *config)
{
	*config = config_defaults;
}

static void exclude_free(struct config *config)
{
	for (size_t i = 0; i < config->exclude_count; i++)
		free(config->exclude[i]);
	free(config->exclude);
	free(config->exclude_serials);
	config->exclude = NULL;
	config->exclude_count = 0;
	config->exclude_allocated = 0;
	config->exclude_serials = NULL;
	config->exclude_serial_count = 0;
}

void config_clear(struct config *config)
{
	free(config->cmr_file);
	free(config->metrics_textfile);
	free(config->cmr_attribute);
	exclude_free(config);
	config_init(config);
}

/* State= is an enum with an alias: "auto" (or empty) unpins it. */
static int parse_state(const struct conf_key *key, void *target, const char *value,
		       const struct conf_location *loc)
{
	struct config *config = target;
	enum tdx_state state;

	if (value[0] == '\0' || streq(value, "auto")) {
		config->state_pinned = false;
		config->state = TDX_STATE_UNKNOWN;
		return 0;
	}

	/* "unknown" is what tdxmemd concludes when it cannot tell; it cannot be pinned. */
	if (tdx_state_from_string(value, &state) < 0 || state == TDX_STATE_UNKNOWN) {
		parse_error_set(loc->error, loc->origin, loc->line,
				"%s=%.*s%s: expected \"auto\", \"disabled\", \"bios-enabled\", "
				"\"initialized\" or \"init-failed\"",
				key->name, CONF_QUOTE_MAX, value, conf_cut(value));
		return -EINVAL;
	}

	config->state_pinned = true;
	config->state = state;
	return 0;
}

/* "0x1234" (hex) or "4660" (decimal), whole; device and region names never are. */
static bool parse_serial(const char *word, uint64_t *ret)
{
	bool hex = strncasecmp(word, "0x", 2) == 0;

	return parse_u64(word, hex ? 16 : 10, ret) == 0;
}

/* Room for one more word and its serial: doubling, as 100,000 words must not cost a realloc each.
 */
static int exclude_grow(struct config *config)
{
	size_t grown = config->exclude_allocated ? 2 * config->exclude_allocated : 16;
	char **list;
	uint64_t *serials;

	if (config->exclude_count < config->exclude_allocated)
		return 0;
	list = reallocarray(config->exclude, grown, sizeof(char *));
	if (!list)
		return -ENOMEM;
	config->exclude = list;
	serials = reallocarray(config->exclude_serials, grown, sizeof(uint64_t));
	if (!serials)
		return -ENOMEM;
	config->exclude_serials = serials;
	config->exclude_allocated = grown;
	return 0;
}

/* Exclude=, the one list: blank-separated words adding to the earlier assignments'. */
static int parse_list(const struct conf_key *key, void *target, const char *value,
		      const struct conf_location *loc)
{
	struct config *config = target;

	/* As in systemd, an empty assignment drops what earlier ones listed. */
	if (value[0] == '\0') {
		exclude_free(config);
		return 0;
	}

	for (const char *p = value + strspn(value, CONF_BLANKS); *p; p += strspn(p, CONF_BLANKS)) {
		size_t n = strcspn(p, CONF_BLANKS);
		char *name;
		uint64_t serial;

		if (exclude_grow(config) < 0 || !(name = strndup(p, n))) {
			/* Only a throwaway configuration is being filled (see config_parse()). */
			parse_error_set(loc->error, loc->origin, loc->line, "%s", strerror(ENOMEM));
			return -ENOMEM;
		}
		config->exclude[config->exclude_count++] = name;
		/* a word that is a number is a memdev serial: parsed once, here */
		if (parse_serial(name, &serial))
			config->exclude_serials[config->exclude_serial_count++] = serial;
		p += n;
	}
	return 0;
}

enum section {
	SECTION_NONE,
	SECTION_TDX,
	SECTION_POLICY,
	SECTION_METRICS,
	SECTION_MAX,
};

static const char *const section_names[SECTION_MAX] = {
    [SECTION_TDX] = "TDX",
    [SECTION_POLICY] = "Policy",
    [SECTION_METRICS] = "Metrics",
};

static const struct conf_choice after_init_choice = {after_init_names, AFTER_INIT_MAX};
static const struct conf_choice online_type_choice = {online_type_names, ONLINE_TYPE_MAX};
static const struct conf_choice when_tdx_disabled_choice = {when_tdx_disabled_names,
							    WHEN_TDX_DISABLED_MAX};
/* node_exporter's textfile collector reads *.prom only: any other name is lost. */
static const struct conf_path_rule prom_rule = {".prom", "node_exporter reads no other"};

#define KEY(section, name, parse, field, data)                                                     \
	CONF_KEY(section, name, parse, struct config, field, data)

static const struct conf_key config_keys[] = {
    KEY(SECTION_TDX, "State", parse_state, state, NULL),
    KEY(SECTION_TDX, "CmrFile", conf_parse_path, cmr_file, NULL),
    KEY(SECTION_TDX, "CmrAttribute", conf_parse_path, cmr_attribute, NULL),
    KEY(SECTION_TDX, "AfterInit", conf_parse_enum, after_init, &after_init_choice),
    KEY(SECTION_POLICY, "OnlineType", conf_parse_enum, online_type, &online_type_choice),
    KEY(SECTION_POLICY, "WhenTdxDisabled", conf_parse_enum, when_tdx_disabled,
	&when_tdx_disabled_choice),
    KEY(SECTION_POLICY, "Exclude", parse_list, exclude, NULL),
    KEY(SECTION_POLICY, "TakeOverAutoOnline", conf_parse_boolean, take_over_auto_online, NULL),
    KEY(SECTION_METRICS, "TextfilePath", conf_parse_path, metrics_textfile, &prom_rule),
};

static const struct conf_table config_table = {
    .sections = section_names,
    .section_count = SECTION_MAX,
    .keys = config_keys,
    .key_count = ARRAY_SIZE(config_keys),
    .defaults = &config_defaults,
};

/* Hands @work over to *config, which lets go of what it held. */
static void config_replace(struct config *config, struct config *work)
{
	config_clear(config);
	*config = *work;
	config_init(work);
}

int config_parse(struct config *config, const struct config_text *texts, size_t n,
		 struct parse_error *ret_error)
{
	_cleanup_(config_clear) struct config work;

	config_init(&work);
	for (size_t i = 0; i < n; i++) {
		int r = conf_parse_text(&config_table, &work, texts[i].text, texts[i].size,
					texts[i].origin, ret_error);
		if (r < 0)
			return r;
	}
	config_replace(config, &work);
	return 0;
}

int config_load(struct config *config, const char *path, bool path_explicit, const char *dropin_dir,
		struct parse_error *ret_error)
{
	_cleanup_(config_clear) struct config work;
	int r;

	/* Everything goes into a configuration of its own: one bad drop-in must not leave half. */
	config_init(&work);
	if (path) {
		r = conf_parse_file(&config_table, &work, path, !path_explicit, ret_error);
		if (r < 0)
			return r;
	}
	if (dropin_dir) {
		r = conf_parse_dropins(&config_table, &work, dropin_dir, ret_error);
		if (r < 0)
			return r;
	}
	config_replace(config, &work);
	return 0;
}

bool config_excludes_serial(const struct config *config, uint64_t serial)
{
	for (size_t i = 0; i < config->exclude_serial_count; i++)
		if (config->exclude_serials[i] == serial)
			return true;
	return false;
}

bool config_excludes(const struct config *config, const char *name)
{
	if (!name)
		return false;

	for (size_t i = 0; i < config->exclude_count; i++)
		if (streq(config->exclude[i], name))
			return true;
	return false;
}
