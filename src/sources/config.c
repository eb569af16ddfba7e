/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd-style INI, the subset tdxmemd needs: sections, Key=value, '#' and
 * ';' comment lines, later assignments overriding earlier ones, an empty
 * assignment resetting a setting to its default (for Exclude=, emptying the
 * list), as systemd.syntax(7) describes. No line continuation, no quoting:
 * no value here needs either.
 */
#include "config.h"
#include "macro.h"
#include "name-list.h"
#include "path.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* A configuration file is a handful of lines; refuse anything absurd. */
#define CONFIG_FILE_MAX (1024 * 1024)

/* How much of a value an error message quotes (message is 192 bytes). */
#define QUOTE_MAX 64

/* Appended to a quote cut at QUOTE_MAX, so a cut value does not look whole. */
static const char *cut(const char *s)
{
	return strlen(s) > QUOTE_MAX ? "..." : "";
}

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

static int table_lookup(const char *const *table, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (table[i] && streq(table[i], name))
			return (int)i;
	return -1;
}

DEFINE_STRING_TABLE(online_type, enum online_type, ONLINE_TYPE_MAX)

DEFINE_STRING_TABLE(after_init, enum after_init, AFTER_INIT_MAX)

DEFINE_STRING_TABLE(when_tdx_disabled, enum when_tdx_disabled, WHEN_TDX_DISABLED_MAX)

void config_init(struct config *config)
{
	*config = (struct config){
	    .state_pinned = false,
	    .state = TDX_STATE_UNKNOWN,
	    .after_init = AFTER_INIT_DEVDAX,
	    .online_type = ONLINE_TYPE_MOVABLE,
	    .when_tdx_disabled = WHEN_TDX_DISABLED_ONLINE,
	    .take_over_auto_online = true,
	};
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

/* Deep copy into *ret (which is overwritten, not freed). */
static int config_copy(struct config *ret, const struct config *src)
{
	_cleanup_(config_clear) struct config copy;

	/* Scalars by assignment; the owned strings are duplicated below. */
	copy = *src;
	copy.cmr_file = copy.cmr_attribute = copy.metrics_textfile = NULL;
	copy.exclude = NULL;
	copy.exclude_count = copy.exclude_allocated = 0;
	copy.exclude_serials = NULL;
	copy.exclude_serial_count = 0;

	if (src->cmr_file) {
		copy.cmr_file = strdup(src->cmr_file);
		if (!copy.cmr_file)
			return -ENOMEM;
	}
	if (src->cmr_attribute) {
		copy.cmr_attribute = strdup(src->cmr_attribute);
		if (!copy.cmr_attribute)
			return -ENOMEM;
	}
	if (src->metrics_textfile) {
		copy.metrics_textfile = strdup(src->metrics_textfile);
		if (!copy.metrics_textfile)
			return -ENOMEM;
	}
	if (src->exclude_count > 0) {
		copy.exclude = calloc(src->exclude_count, sizeof(char *));
		if (!copy.exclude)
			return -ENOMEM;
		copy.exclude_allocated = src->exclude_count;
		/* as many serials as words at most: one allocation */
		copy.exclude_serials = calloc(src->exclude_count, sizeof(uint64_t));
		if (!copy.exclude_serials)
			return -ENOMEM;
		memcpy(copy.exclude_serials, src->exclude_serials,
		       src->exclude_serial_count * sizeof(uint64_t));
		copy.exclude_serial_count = src->exclude_serial_count;
		for (size_t i = 0; i < src->exclude_count; i++) {
			copy.exclude[i] = strdup(src->exclude[i]);
			if (!copy.exclude[i])
				return -ENOMEM;
			copy.exclude_count++;
		}
	}

	*ret = copy;
	config_init(&copy); /* ownership moved to *ret */
	return 0;
}

enum section {
	SECTION_NONE,
	SECTION_TDX,
	SECTION_POLICY,
	SECTION_METRICS,
};

static const char *const section_table[] = {
    [SECTION_TDX] = "TDX",
    [SECTION_POLICY] = "Policy",
    [SECTION_METRICS] = "Metrics",
};

/* Where an assignment comes from, for error messages. */
struct location {
	const char *origin;
	unsigned line;
	struct parse_error *error;
};

static int parse_state(struct config *config, const char *key, const char *value,
		       const struct location *loc)
{
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
				key, QUOTE_MAX, value, cut(value));
		return -EINVAL;
	}

	config->state_pinned = true;
	config->state = state;
	return 0;
}

static int parse_path(char **field, const char *key, const char *value, const struct location *loc)
{
	char *copy = NULL;

	/*
	 * Relative to what? tdxmemd's working directory is "/" under systemd
	 * but not from a shell: insist on an absolute path.
	 */
	if (value[0] != '\0' && value[0] != '/') {
		parse_error_set(loc->error, loc->origin, loc->line,
				"%s=%.*s%s: expected an absolute path", key, QUOTE_MAX, value,
				cut(value));
		return -EINVAL;
	}

	if (value[0] != '\0') {
		copy = strdup(value);
		if (!copy) {
			parse_error_set(loc->error, loc->origin, loc->line, "%s", strerror(ENOMEM));
			return -ENOMEM;
		}
	}

	free(*field);
	*field = copy;
	return 0;
}

static int parse_cmr_file(struct config *config, const char *key, const char *value,
			  const struct location *loc)
{
	return parse_path(&config->cmr_file, key, value, loc);
}

static int parse_metrics_textfile(struct config *config, const char *key, const char *value,
				  const struct location *loc)
{
	size_t n = strlen(value);

	/* node_exporter's textfile collector reads *.prom only: any other name is lost. */
	if (n > 0 && (n < 5 || strcmp(value + n - 5, ".prom") != 0)) {
		parse_error_set(loc->error, loc->origin, loc->line,
				"%s=%.*s%s: expected a file name ending in .prom (node_exporter "
				"reads no other)",
				key, QUOTE_MAX, value, cut(value));
		return -EINVAL;
	}
	return parse_path(&config->metrics_textfile, key, value, loc);
}

static int parse_cmr_attribute(struct config *config, const char *key, const char *value,
			       const struct location *loc)
{
	return parse_path(&config->cmr_attribute, key, value, loc);
}

static int parse_choice(const char *const *table, size_t n, int default_value, const char *key,
			const char *value, const struct location *loc)
{
	int i;

	if (value[0] == '\0')
		return default_value;

	i = table_lookup(table, n, value);
	if (i < 0) {
		/* Every choice here has two values: name both. */
		parse_error_set(loc->error, loc->origin, loc->line,
				"%s=%.*s%s: expected \"%s\" or \"%s\"", key, QUOTE_MAX, value,
				cut(value), table[0], table[1]);
		return -EINVAL;
	}
	return i;
}

static int parse_after_init(struct config *config, const char *key, const char *value,
			    const struct location *loc)
{
	int i = parse_choice(after_init_names, ARRAY_SIZE(after_init_names), AFTER_INIT_DEVDAX, key,
			     value, loc);
	if (i < 0)
		return i;
	config->after_init = (enum after_init)i;
	return 0;
}

static int parse_online_type(struct config *config, const char *key, const char *value,
			     const struct location *loc)
{
	int i = parse_choice(online_type_names, ARRAY_SIZE(online_type_names), ONLINE_TYPE_MOVABLE,
			     key, value, loc);
	if (i < 0)
		return i;
	config->online_type = (enum online_type)i;
	return 0;
}

static int parse_when_tdx_disabled(struct config *config, const char *key, const char *value,
				   const struct location *loc)
{
	int i = parse_choice(when_tdx_disabled_names, ARRAY_SIZE(when_tdx_disabled_names),
			     WHEN_TDX_DISABLED_ONLINE, key, value, loc);
	if (i < 0)
		return i;
	config->when_tdx_disabled = (enum when_tdx_disabled)i;
	return 0;
}

/* The words systemd.syntax(7) takes for a boolean, in any case. */
static int parse_boolean(const char *value)
{
	static const char *const truthy[] = {"1", "yes", "y", "true", "t", "on"};
	static const char *const falsy[] = {"0", "no", "n", "false", "f", "off"};

	for (size_t i = 0; i < ARRAY_SIZE(truthy); i++) {
		if (strcasecmp(value, truthy[i]) == 0)
			return 1;
		if (strcasecmp(value, falsy[i]) == 0)
			return 0;
	}
	return -EINVAL;
}

static int parse_take_over_auto_online(struct config *config, const char *key, const char *value,
				       const struct location *loc)
{
	int b = value[0] == '\0' ? 1 : parse_boolean(value);
	if (b < 0) {
		parse_error_set(
		    loc->error, loc->origin, loc->line,
		    "%s=%.*s%s: expected a boolean (yes, no, true, false, on, off, 1, 0)", key,
		    QUOTE_MAX, value, cut(value));
		return -EINVAL;
	}
	config->take_over_auto_online = b == 1;
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* "0x1234" (hex) or "4660" (decimal), whole; device and region names never are. */
static bool parse_serial(const char *word, uint64_t *ret)
{
	bool hex = strncasecmp(word, "0x", 2) == 0;

	return parse_u64(word, hex ? 16 : 10, ret) == 0;
}

static int parse_exclude(struct config *config, const char *key, const char *value,
			 const struct location *loc)
{
	const char *p = value;

	/* As in systemd, an empty assignment drops what earlier ones listed. */
	if (value[0] == '\0') {
		exclude_free(config);
		return 0;
	}

	while (*p) {
		const char *word;
		char **list, *name;
		size_t n;

		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		word = p;
		while (*p && !is_blank(*p))
			p++;
		n = (size_t)(p - word);

		name = strndup(word, n);
		if (!name)
			goto oom;
		/* doubling: 100,000 words must not cost a realloc each */
		if (config->exclude_count == config->exclude_allocated) {
			size_t grown =
			    config->exclude_allocated ? 2 * config->exclude_allocated : 16;
			list = reallocarray(config->exclude, grown, sizeof(char *));
			if (!list) {
				free(name);
				goto oom;
			}
			config->exclude = list;
			uint64_t *serials =
			    reallocarray(config->exclude_serials, grown, sizeof(uint64_t));
			if (!serials) {
				free(name);
				goto oom;
			}
			config->exclude_serials = serials;
			config->exclude_allocated = grown;
		}
		config->exclude[config->exclude_count++] = name;
		/* a word that is a number is a memdev serial: parsed once, here */
		uint64_t serial;
		if (parse_serial(name, &serial))
			config->exclude_serials[config->exclude_serial_count++] = serial;
	}
	return 0;

oom:
	/* Only a throwaway copy is being filled (see config_parse()). */
	parse_error_set(loc->error, loc->origin, loc->line, "%s", strerror(ENOMEM));
	return -ENOMEM;
}

struct key_handler {
	enum section section;
	const char *key;
	int (*parse)(struct config *config, const char *key, const char *value,
		     const struct location *loc);
};

static const struct key_handler key_table[] = {
    {SECTION_TDX, "State", parse_state},
    {SECTION_TDX, "CmrFile", parse_cmr_file},
    {SECTION_TDX, "CmrAttribute", parse_cmr_attribute},
    {SECTION_TDX, "AfterInit", parse_after_init},
    {SECTION_POLICY, "OnlineType", parse_online_type},
    {SECTION_POLICY, "WhenTdxDisabled", parse_when_tdx_disabled},
    {SECTION_POLICY, "Exclude", parse_exclude},
    {SECTION_POLICY, "TakeOverAutoOnline", parse_take_over_auto_online},
    {SECTION_METRICS, "TextfilePath", parse_metrics_textfile},
};

static char *trim(char *s)
{
	char *end;

	while (is_blank(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_blank(end[-1]))
		end--;
	*end = '\0';
	return s;
}

/* "[Policy]": the section the following keys belong to. */
static int parse_section_header(enum section *section, char *line, const struct location *loc)
{
	size_t n = strlen(line);

	if (n < 2 || line[n - 1] != ']') {
		parse_error_set(loc->error, loc->origin, loc->line,
				"malformed section header \"%.*s%s\": expected \"[TDX]\", "
				"\"[Policy]\" or \"[Metrics]\"",
				QUOTE_MAX, line, cut(line));
		return -EINVAL;
	}
	line[n - 1] = '\0';
	int i = table_lookup(section_table, ARRAY_SIZE(section_table), line + 1);
	if (i < 0) {
		parse_error_set(loc->error, loc->origin, loc->line,
				"unknown section [%.*s%s]: expected [TDX], [Policy] or [Metrics]",
				QUOTE_MAX, line + 1, cut(line + 1));
		return -EINVAL;
	}
	*section = (enum section)i;
	return 0;
}

static int parse_line(struct config *config, enum section *section, char *line,
		      const struct location *loc)
{
	char *eq, *key, *value;

	line = trim(line);
	if (line[0] == '\0' || line[0] == '#' || line[0] == ';')
		return 0;
	if (line[0] == '[')
		return parse_section_header(section, line, loc);

	eq = strchr(line, '=');
	if (!eq) {
		parse_error_set(loc->error, loc->origin, loc->line,
				"\"%.*s%s\": expected \"Key=value\" or \"[Section]\"", QUOTE_MAX,
				line, cut(line));
		return -EINVAL;
	}
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);

	if (key[0] == '\0') {
		parse_error_set(loc->error, loc->origin, loc->line,
				"missing key name before \"=%.*s%s\"", QUOTE_MAX, value,
				cut(value));
		return -EINVAL;
	}

	if (*section == SECTION_NONE) {
		parse_error_set(
		    loc->error, loc->origin, loc->line,
		    "%.*s%s= outside of any section: expected [TDX], [Policy] or [Metrics] first",
		    QUOTE_MAX, key, cut(key));
		return -EINVAL;
	}

	for (size_t k = 0; k < ARRAY_SIZE(key_table); k++)
		if (key_table[k].section == *section && streq(key_table[k].key, key))
			return key_table[k].parse(config, key, value, loc);

	/* Name the section's keys, from the same table that accepts them. */
	char expected[128] = "";
	for (size_t k = 0; k < ARRAY_SIZE(key_table); k++)
		if (key_table[k].section == *section)
			snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected),
				 "%s%s=", expected[0] ? ", " : "", key_table[k].key);
	parse_error_set(loc->error, loc->origin, loc->line,
			"unknown key %.*s%s= in section [%s]: expected one of %s", QUOTE_MAX, key,
			cut(key), section_table[*section], expected);
	return -EINVAL;
}

/*
 * Parses @text into @config, which is left half filled on error: callers
 * parse into a copy (config_parse(), config_load()), and config_load()
 * takes one copy for the main file and all drop-ins, so that loading grows
 * linearly with them.
 */
static int parse_text(struct config *config, const char *text, size_t size, const char *origin,
		      struct parse_error *ret_error)
{
	_cleanup_free_ char *buf = NULL;
	enum section section = SECTION_NONE;
	struct location loc = {.origin = origin, .error = ret_error};
	char *p, *end;
	int r;

	/* Lines are edited in place (trimmed, split at '='): work on a copy. */
	buf = malloc(size + 1);
	if (!buf) {
		parse_error_set(ret_error, origin, 0, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	memcpy(buf, text, size);
	buf[size] = '\0';

	p = buf;
	end = buf + size;
	/* Editors on other systems may leave a UTF-8 byte order mark. */
	if (size >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line_end = nl ? nl : end;

		loc.line++;
		*line_end = '\0';
		if (strlen(p) != (size_t)(line_end - p)) {
			parse_error_set(ret_error, origin, loc.line, "NUL byte in line");
			return -EINVAL;
		}

		r = parse_line(config, &section, p, &loc);
		if (r < 0)
			return r;

		p = line_end + 1;
	}
	return 0;
}

int config_parse(struct config *config, const char *text, size_t size, const char *origin,
		 struct parse_error *ret_error)
{
	_cleanup_(config_clear) struct config copy;

	config_init(&copy);
	int r = config_copy(&copy, config);
	if (r < 0) {
		parse_error_set(ret_error, origin, 0, "%s", strerror(-r));
		return r;
	}
	r = parse_text(&copy, text, size, origin, ret_error);
	if (r < 0)
		return r;
	config_clear(config);
	*config = copy;
	config_init(&copy); /* ownership moved to *config */
	return 0;
}

static int config_parse_file(struct config *config, const char *path, bool missing_ok,
			     struct parse_error *ret_error)
{
	_cleanup_free_ char *data = NULL;
	size_t size;
	int r;

	r = read_full_file(path, CONFIG_FILE_MAX, &data, &size);
	if (r == -ENOENT && missing_ok)
		return 0;
	if (r < 0) {
		char why[READ_ERROR_MAX];
		parse_error_set(ret_error, path, 0, "cannot read: %s",
				read_error_string(r, CONFIG_FILE_MAX, why));
		return r;
	}

	return parse_text(config, data, size, path, ret_error);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.conf names in @dir, sorted; a missing directory has none. */
static int list_dropins(const char *dir, struct name_list *ret_list)
{
	_cleanup_(closedirp) DIR *d = NULL;
	_cleanup_(name_list_clear) struct name_list list = {};
	size_t allocated = 0;
	struct dirent *de;

	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT) {
			*ret_list = (struct name_list){};
			return 0;
		}
		return -errno;
	}

	for (;;) {
		size_t n;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno != 0)
				return -errno;
			break;
		}

		/* Hidden files are editor and package manager leftovers (systemd skips them). */
		if (de->d_name[0] == '.')
			continue;
		n = strlen(de->d_name);
		if (n <= 5 || !streq(de->d_name + n - 5, ".conf"))
			continue;

		/* names in a directory are unique: no name_list_add() scan */
		if (list.count + 1 >= allocated) {
			allocated = allocated ? 2 * allocated : 16;
			char **names = reallocarray(list.names, allocated, sizeof(char *));
			if (!names)
				return -ENOMEM;
			list.names = names;
		}
		if (!(list.names[list.count] = strdup(de->d_name)))
			return -ENOMEM;
		list.names[++list.count] = NULL;
	}

	/* strcmp() order, whatever the locale: the order must not depend on LANG. */
	if (list.count > 1)
		qsort(list.names, list.count, sizeof(char *), compare_names);

	*ret_list = list;
	list = (struct name_list){};
	return 0;
}

int config_load(struct config *config, const char *path, bool path_explicit, const char *dropin_dir,
		struct parse_error *ret_error)
{
	_cleanup_(config_clear) struct config copy;
	_cleanup_(name_list_clear) struct name_list dropins = {};
	int r;

	config_init(&copy);

	/* Everything goes into a copy: one bad drop-in must not leave half a configuration. */
	r = config_copy(&copy, config);
	if (r < 0) {
		parse_error_set(ret_error, path ? path : "", 0, "%s", strerror(-r));
		return r;
	}

	if (path) {
		r = config_parse_file(&copy, path, !path_explicit, ret_error);
		if (r < 0)
			return r;
	}

	if (dropin_dir) {
		r = list_dropins(dropin_dir, &dropins);
		if (r < 0) {
			parse_error_set(ret_error, dropin_dir, 0, "cannot list directory: %s",
					strerror(-r));
			return r;
		}
	}

	for (size_t i = 0; i < dropins.count; i++) {
		_cleanup_free_ char *file = NULL;
		struct stat st;
		char *joined;

		/* asprintf() leaves its pointer undefined on failure: do not free it. */
		if (asprintf(&joined, "%s/%s", dropin_dir, dropins.names[i]) < 0) {
			parse_error_set(ret_error, dropin_dir, 0, "%s", strerror(ENOMEM));
			return -ENOMEM;
		}
		file = joined;

		/* A directory that happens to be called *.conf is not a drop-in. */
		if (stat(file, &st) == 0 && S_ISDIR(st.st_mode))
			continue;

		r = config_parse_file(&copy, file, false, ret_error);
		if (r < 0)
			return r;
	}

	config_clear(config);
	*config = copy;
	config_init(&copy); /* ownership moved to *config */
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
