/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd-style INI, the subset tdxmemd needs: sections, Key=value, '#' and
 * ';' comment lines, later assignments overriding earlier ones, an empty
 * assignment resetting a setting to its default, as systemd.syntax(7)
 * describes. No line continuation, no quoting: no value here needs either.
 */
#include "conf-parser.h"
#include "macro.h"
#include "name-list.h"
#include "path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* A configuration file is a handful of lines; refuse anything absurd. */
#define CONF_FILE_MAX (1024 * 1024)

const char *conf_cut(const char *s)
{
	return strlen(s) > CONF_QUOTE_MAX ? "..." : "";
}

void *conf_field(const struct conf_key *key, void *target)
{
	return (char *)target + key->offset;
}

/* The field back at its default, as the table's defaults hold it. */
static void reset_field(const struct conf_key *key, void *target, const struct conf_location *loc)
{
	memcpy(conf_field(key, target), conf_field(key, (void *)loc->table->defaults), key->size);
}

int conf_parse_path(const struct conf_key *key, void *target, const char *value,
		    const struct conf_location *loc)
{
	const struct conf_path_rule *rule = key->data;
	char **field = conf_field(key, target);
	size_t n = strlen(value);
	char *copy = NULL;

	if (n > 0 && rule &&
	    (n < strlen(rule->suffix) || !streq(value + n - strlen(rule->suffix), rule->suffix))) {
		parse_error_set(loc->error, loc->origin, loc->line,
				"%s=%.*s%s: expected a file name ending in %s (%s)", key->name,
				CONF_QUOTE_MAX, value, conf_cut(value), rule->suffix, rule->why);
		return -EINVAL;
	}

	/*
	 * Relative to what? tdxmemd's working directory is "/" under systemd
	 * but not from a shell: insist on an absolute path.
	 */
	if (n > 0 && value[0] != '/') {
		parse_error_set(loc->error, loc->origin, loc->line,
				"%s=%.*s%s: expected an absolute path", key->name, CONF_QUOTE_MAX,
				value, conf_cut(value));
		return -EINVAL;
	}

	if (n > 0 && !(copy = strdup(value))) {
		parse_error_set(loc->error, loc->origin, loc->line, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	free(*field);
	*field = copy;
	return 0;
}

/* "a", "b" or "c", each name between @open and @close. */
static void join_names(char *buf, size_t size, const char *open, const char *close,
		       const char *const *names, size_t count)
{
	size_t first = names[0] ? 0 : 1, last = count - 1;

	buf[0] = '\0';
	for (size_t i = first; i < count; i++) {
		const char *sep = i == first ? "" : i == last ? " or " : ", ";
		size_t used = strlen(buf);

		snprintf(buf + used, size - used, "%s%s%s%s", sep, open, names[i], close);
	}
}

int conf_parse_enum(const struct conf_key *key, void *target, const char *value,
		    const struct conf_location *loc)
{
	const struct conf_choice *choice = key->data;
	char expected[128];

	/* Enums without negative values are unsigned ints (C11 6.7.2.2, as GCC lays them out). */
	_Static_assert(sizeof(enum conf_probe{CONF_PROBE}) == sizeof(unsigned),
		       "an enum field is an unsigned");
	if (value[0] == '\0') {
		reset_field(key, target, loc);
		return 0;
	}
	for (size_t i = 0; i < choice->count; i++)
		if (choice->names[i] && streq(choice->names[i], value)) {
			*(unsigned *)conf_field(key, target) = (unsigned)i;
			return 0;
		}

	join_names(expected, sizeof(expected), "\"", "\"", choice->names, choice->count);
	parse_error_set(loc->error, loc->origin, loc->line, "%s=%.*s%s: expected %s", key->name,
			CONF_QUOTE_MAX, value, conf_cut(value), expected);
	return -EINVAL;
}

/* The words systemd.syntax(7) takes for a boolean, in any case. */
int conf_parse_boolean(const struct conf_key *key, void *target, const char *value,
		       const struct conf_location *loc)
{
	static const char *const truthy[] = {"1", "yes", "y", "true", "t", "on"};
	static const char *const falsy[] = {"0", "no", "n", "false", "f", "off"};
	bool *field = conf_field(key, target);

	if (value[0] == '\0') {
		reset_field(key, target, loc);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(truthy); i++) {
		if (strcasecmp(value, truthy[i]) == 0 || strcasecmp(value, falsy[i]) == 0) {
			*field = strcasecmp(value, truthy[i]) == 0;
			return 0;
		}
	}
	parse_error_set(loc->error, loc->origin, loc->line,
			"%s=%.*s%s: expected a boolean (yes, no, true, false, on, off, 1, 0)",
			key->name, CONF_QUOTE_MAX, value, conf_cut(value));
	return -EINVAL;
}

static char *trim(char *s)
{
	char *end;

	s += strspn(s, CONF_BLANKS);
	end = s + strlen(s);
	while (end > s && strchr(CONF_BLANKS, end[-1]))
		end--;
	*end = '\0';
	return s;
}

/* "[Policy]": the section the following keys belong to. */
static int parse_section_header(unsigned *section, char *line, const struct conf_location *loc)
{
	const struct conf_table *table = loc->table;
	size_t n = strlen(line);

	if (n < 2 || line[n - 1] != ']') {
		parse_error_set(loc->error, loc->origin, loc->line,
				"malformed section header \"%.*s%s\": expected %s", CONF_QUOTE_MAX,
				line, conf_cut(line), loc->quoted_sections);
		return -EINVAL;
	}
	line[n - 1] = '\0';
	for (unsigned i = 1; i < table->section_count; i++)
		if (streq(table->sections[i], line + 1)) {
			*section = i;
			return 0;
		}

	parse_error_set(loc->error, loc->origin, loc->line, "unknown section [%.*s%s]: expected %s",
			CONF_QUOTE_MAX, line + 1, conf_cut(line + 1), loc->sections);
	return -EINVAL;
}

/* Key=value in @section: the key's parser, or an error naming the section's keys. */
static int parse_assignment(void *target, unsigned section, const char *key, const char *value,
			    const struct conf_location *loc)
{
	const struct conf_table *table = loc->table;
	char expected[128] = "";

	if (section == 0) {
		parse_error_set(loc->error, loc->origin, loc->line,
				"%.*s%s= outside of any section: expected %s first", CONF_QUOTE_MAX,
				key, conf_cut(key), loc->sections);
		return -EINVAL;
	}

	for (size_t k = 0; k < table->key_count; k++)
		if (table->keys[k].section == section && streq(table->keys[k].name, key))
			return table->keys[k].parse(&table->keys[k], target, value, loc);

	/* Name the section's keys, from the same table that accepts them. */
	for (size_t k = 0; k < table->key_count; k++)
		if (table->keys[k].section == section)
			snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected),
				 "%s%s=", expected[0] ? ", " : "", table->keys[k].name);
	parse_error_set(loc->error, loc->origin, loc->line,
			"unknown key %.*s%s= in section [%s]: expected one of %s", CONF_QUOTE_MAX,
			key, conf_cut(key), table->sections[section], expected);
	return -EINVAL;
}

static int parse_line(void *target, unsigned *section, char *line, const struct conf_location *loc)
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
				"\"%.*s%s\": expected \"Key=value\" or \"[Section]\"",
				CONF_QUOTE_MAX, line, conf_cut(line));
		return -EINVAL;
	}
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);

	if (key[0] == '\0') {
		parse_error_set(loc->error, loc->origin, loc->line,
				"missing key name before \"=%.*s%s\"", CONF_QUOTE_MAX, value,
				conf_cut(value));
		return -EINVAL;
	}
	return parse_assignment(target, *section, key, value, loc);
}

int conf_parse_text(const struct conf_table *table, void *target, const char *text, size_t size,
		    const char *origin, struct parse_error *ret_error)
{
	_cleanup_free_ char *buf = NULL;
	unsigned section = 0;
	struct conf_location loc = {.table = table, .origin = origin, .error = ret_error};
	char *p, *end;
	int r;

	join_names(loc.sections, sizeof(loc.sections), "[", "]", table->sections,
		   table->section_count);
	join_names(loc.quoted_sections, sizeof(loc.quoted_sections), "\"[", "]\"", table->sections,
		   table->section_count);

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

		r = parse_line(target, &section, p, &loc);
		if (r < 0)
			return r;

		p = line_end + 1;
	}
	return 0;
}

int conf_parse_file(const struct conf_table *table, void *target, const char *path, bool missing_ok,
		    struct parse_error *ret_error)
{
	_cleanup_free_ char *data = NULL;
	size_t size;
	int r;

	r = read_full_file(path, CONF_FILE_MAX, &data, &size);
	if (r == -ENOENT && missing_ok)
		return 0;
	if (r < 0) {
		char why[READ_ERROR_MAX];
		parse_error_set(ret_error, path, 0, "cannot read: %s",
				read_error_string(r, CONF_FILE_MAX, why));
		return r;
	}

	return conf_parse_text(table, target, data, size, path, ret_error);
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

int conf_parse_dropins(const struct conf_table *table, void *target, const char *dir,
		       struct parse_error *ret_error)
{
	_cleanup_(name_list_clear) struct name_list dropins = {};
	int r;

	r = list_dropins(dir, &dropins);
	if (r < 0) {
		parse_error_set(ret_error, dir, 0, "cannot list directory: %s", strerror(-r));
		return r;
	}

	for (size_t i = 0; i < dropins.count; i++) {
		_cleanup_free_ char *file = NULL;
		struct stat st;
		char *joined;

		/* asprintf() leaves its pointer undefined on failure: do not free it. */
		if (asprintf(&joined, "%s/%s", dir, dropins.names[i]) < 0) {
			parse_error_set(ret_error, dir, 0, "%s", strerror(ENOMEM));
			return -ENOMEM;
		}
		file = joined;

		/* A directory that happens to be called *.conf is not a drop-in. */
		if (stat(file, &st) == 0 && S_ISDIR(st.st_mode))
			continue;

		r = conf_parse_file(table, target, file, false, ret_error);
		if (r < 0)
			return r;
	}
	return 0;
}
