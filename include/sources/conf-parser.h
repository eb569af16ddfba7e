/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd-style INI, the subset tdxmemd needs, read against a table of keys:
 * each key names the field it fills (offsetof) and one of the generic
 * parsers here, as systemd's conf-parser tables do. config.c declares the
 * table; this file knows the syntax and nothing of the keys.
 */
#pragma once

#include "parse-error.h"

#include <stdbool.h>
#include <stddef.h>

/* How much of a value an error message quotes (message is 192 bytes). */
#define CONF_QUOTE_MAX 64

struct conf_table;

/* Where an assignment comes from, for error messages, and the table it is read against. */
struct conf_location {
	const struct conf_table *table;
	const char *origin;
	unsigned line;
	struct parse_error *error;
	/* the table's sections as errors name them: "[A], [B] or [C]", and each quoted */
	char sections[128];
	char quoted_sections[128];
};

struct conf_key;
typedef int (*conf_parser)(const struct conf_key *key, void *target, const char *value,
			   const struct conf_location *loc);

struct conf_key {
	unsigned section; /* index into conf_table.sections; 0 is "before any section" */
	const char *name;
	conf_parser parse;
	size_t offset; /* of the field it fills in the target */
	size_t size;
	const void *data; /* the parser's table: struct conf_choice, struct conf_path_rule */
};

#define CONF_KEY(section, name, parse, type, field, data)                                          \
	{                                                                                          \
		section, name, parse, offsetof(type, field), sizeof(((type *)NULL)->field), data   \
	}

struct conf_table {
	const char *const *sections; /* sections[0] is NULL: no section yet */
	size_t section_count;
	const struct conf_key *keys;
	size_t key_count;
	const void *defaults; /* a target at its defaults: what an empty assignment restores */
};

/* An enum's values, from its string table. */
struct conf_choice {
	const char *const *names;
	size_t count;
};

/* What a path must end in, and why (the error says so). */
struct conf_path_rule {
	const char *suffix;
	const char *why;
};

/* "..." after a quote cut at CONF_QUOTE_MAX, so a cut value does not look whole. */
const char *conf_cut(const char *s);

/* The field a key fills in @target. */
void *conf_field(const struct conf_key *key, void *target);

/* An absolute path, or empty for none (the field is a char *; data: a struct conf_path_rule or
 * NULL). */
int conf_parse_path(const struct conf_key *key, void *target, const char *value,
		    const struct conf_location *loc);
/* One of the names of data's struct conf_choice; the field is an enum. */
int conf_parse_enum(const struct conf_key *key, void *target, const char *value,
		    const struct conf_location *loc);
/* A boolean as systemd.syntax(7) has it; the field is a bool. */
int conf_parse_boolean(const struct conf_key *key, void *target, const char *value,
		       const struct conf_location *loc);

/* The blanks between words and around keys and values: what isspace() takes, but the newline. */
#define CONF_BLANKS " \t\r\v\f"

/*
 * Applies the assignments of @text to @target, which is left half filled on
 * error: callers parse into a target of their own and hand it over only once
 * every text parsed.
 */
int conf_parse_text(const struct conf_table *table, void *target, const char *text, size_t size,
		    const char *origin, struct parse_error *ret_error);

/* Parses the file @path; a missing one is no error when @missing_ok. */
int conf_parse_file(const struct conf_table *table, void *target, const char *path, bool missing_ok,
		    struct parse_error *ret_error);

/*
 * Parses every *.conf file in @dir in strcmp() order (a missing directory
 * has none), as systemd reads its drop-ins.
 */
int conf_parse_dropins(const struct conf_table *table, void *target, const char *dir,
		       struct parse_error *ret_error);
