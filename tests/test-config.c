/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "macro.h"
#include "test-util.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#define MAX_EXCLUDE 8

/* What a configuration should hold; exclude is NULL-terminated. */
struct expect {
	bool pinned;
	enum tdx_state state;
	const char *cmr_file;
	const char *cmr_attribute;
	enum after_init after_init;
	enum online_type online_type;
	enum when_tdx_disabled when_tdx_disabled;
	const char *exclude[MAX_EXCLUDE];
	bool keep_auto_online; /* TakeOverAutoOnline=no; the default is yes */
	const char *metrics_textfile;
};

/*
 * Every default is its enum's first value (not pinned, TDX_STATE_UNKNOWN,
 * AFTER_INIT_DEVDAX, ONLINE_TYPE_MOVABLE, WHEN_TDX_DISABLED_ONLINE), so a
 * zeroed struct expect stands for the defaults; test_defaults() checks that.
 */

static void assert_string_or_null(const char *actual, const char *expected)
{
	if (!expected)
		assert_null(actual);
	else {
		assert_non_null(actual);
		assert_string_equal(actual, expected);
	}
}

static void assert_config(const struct config *c, const struct expect *e)
{
	size_t n = 0;

	assert_int_equal(c->state_pinned, e->pinned);
	assert_int_equal(c->state, e->state);
	assert_string_or_null(c->cmr_file, e->cmr_file);
	assert_string_or_null(c->cmr_attribute, e->cmr_attribute);
	assert_int_equal(c->after_init, e->after_init);
	assert_int_equal(c->online_type, e->online_type);
	assert_int_equal(c->when_tdx_disabled, e->when_tdx_disabled);
	assert_int_equal(c->take_over_auto_online, !e->keep_auto_online);
	assert_string_or_null(c->metrics_textfile, e->metrics_textfile);

	while (n < MAX_EXCLUDE && e->exclude[n])
		n++;
	assert_int_equal(c->exclude_count, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(c->exclude[i], e->exclude[i]);
}

static int parse_text(struct config *config, const char *text, struct parse_error *error)
{
	const struct config_text texts[] = {{"test.conf", text, strlen(text)}};

	return config_parse(config, texts, ARRAY_SIZE(texts), error);
}

static void test_defaults(void **state)
{
	const struct expect defaults = {};
	struct config config;

	config_init(&config);
	assert_config(&config, &defaults);
	assert_false(config_excludes(&config, "dax0.0"));
	config_clear(&config);
	assert_config(&config, &defaults);
	/* Clearing twice is fine. */
	config_clear(&config);
}

static void test_to_string(void **state)
{
	assert_string_equal(online_type_to_string(ONLINE_TYPE_MOVABLE), "movable");
	assert_string_equal(online_type_to_string(ONLINE_TYPE_KERNEL), "kernel");
	assert_string_equal(online_type_to_string((enum online_type)9), "unknown");
	assert_string_equal(after_init_to_string(AFTER_INIT_DEVDAX), "devdax");
	assert_string_equal(after_init_to_string(AFTER_INIT_TRY), "try");
	assert_string_equal(after_init_to_string((enum after_init)9), "unknown");
	assert_string_equal(when_tdx_disabled_to_string(WHEN_TDX_DISABLED_ONLINE), "online");
	assert_string_equal(when_tdx_disabled_to_string(WHEN_TDX_DISABLED_DEVDAX), "devdax");
	assert_string_equal(when_tdx_disabled_to_string((enum when_tdx_disabled)9), "unknown");
}

/* ---- config_parse: accepted ---- */

struct good_case {
	const char *name;
	const char *text;
	struct expect expect;
};

static const struct good_case good_cases[] = {
    {"empty", "", {}},
    {"comments and blank lines",
     "# comment\n; also a comment\n\n   \n\t# indented\n[TDX]\n# State=disabled\n",
     {}},
    {"section only", "[TDX]\n[Policy]\n", {}},
    {"State=auto", "[TDX]\nState=auto\n", {}},
    {"State=disabled", "[TDX]\nState=disabled\n", {.pinned = true, .state = TDX_STATE_DISABLED}},
    {"State=bios-enabled",
     "[TDX]\nState=bios-enabled\n",
     {.pinned = true, .state = TDX_STATE_BIOS_ENABLED}},
    {"State=initialized",
     "[TDX]\nState=initialized\n",
     {.pinned = true, .state = TDX_STATE_INITIALIZED}},
    {"State=init-failed",
     "[TDX]\nState=init-failed\n",
     {.pinned = true, .state = TDX_STATE_INIT_FAILED}},
    {"State= later auto unpins", "[TDX]\nState=initialized\nState=auto\n", {}},
    {"State= empty unpins", "[TDX]\nState=initialized\nState=\n", {}},
    {"CmrFile=", "[TDX]\nCmrFile=/etc/tdxmemd/cmrs.txt\n", {.cmr_file = "/etc/tdxmemd/cmrs.txt"}},
    {"CmrFile= last wins", "[TDX]\nCmrFile=/a\nCmrFile=/b\n", {.cmr_file = "/b"}},
    {"CmrFile= empty resets", "[TDX]\nCmrFile=/a\nCmrFile=\n", {}},
    {"CmrAttribute=",
     "[TDX]\nCmrAttribute=/sys/kernel/debug/tdx/cmrs\n",
     {.cmr_attribute = "/sys/kernel/debug/tdx/cmrs"}},
    {"CmrAttribute= empty resets", "[TDX]\nCmrAttribute=/a\nCmrAttribute=\n", {}},
    {"AfterInit=devdax",
     "[TDX]\nAfterInit=try\nAfterInit=devdax\n",
     {.after_init = AFTER_INIT_DEVDAX}},
    {"AfterInit=try", "[TDX]\nAfterInit=try\n", {.after_init = AFTER_INIT_TRY}},
    {"AfterInit= empty resets", "[TDX]\nAfterInit=try\nAfterInit=\n", {}},
    {"OnlineType=movable",
     "[Policy]\nOnlineType=kernel\nOnlineType=movable\n",
     {.online_type = ONLINE_TYPE_MOVABLE}},
    {"OnlineType=kernel", "[Policy]\nOnlineType=kernel\n", {.online_type = ONLINE_TYPE_KERNEL}},
    {"OnlineType= empty resets", "[Policy]\nOnlineType=kernel\nOnlineType=\n", {}},
    {"WhenTdxDisabled=online",
     "[Policy]\nWhenTdxDisabled=devdax\nWhenTdxDisabled=online\n",
     {.when_tdx_disabled = WHEN_TDX_DISABLED_ONLINE}},
    {"WhenTdxDisabled=devdax",
     "[Policy]\nWhenTdxDisabled=devdax\n",
     {.when_tdx_disabled = WHEN_TDX_DISABLED_DEVDAX}},
    {"WhenTdxDisabled= empty resets", "[Policy]\nWhenTdxDisabled=devdax\nWhenTdxDisabled=\n", {}},
    {"TakeOverAutoOnline=no", "[Policy]\nTakeOverAutoOnline=no\n", {.keep_auto_online = true}},
    {"TextfilePath",
     "[Metrics]\nTextfilePath=/var/lib/prometheus/node-exporter/tdxmemd.prom\n",
     {.metrics_textfile = "/var/lib/prometheus/node-exporter/tdxmemd.prom"}},
    {"TextfilePath= empty resets", "[Metrics]\nTextfilePath=/a.prom\nTextfilePath=\n", {}},
    {"TakeOverAutoOnline=yes", "[Policy]\nTakeOverAutoOnline=no\nTakeOverAutoOnline=yes\n", {}},
    /* booleans as systemd.syntax(7) has them, in any case */
    {"TakeOverAutoOnline=off", "[Policy]\nTakeOverAutoOnline=off\n", {.keep_auto_online = true}},
    {"TakeOverAutoOnline=FALSE",
     "[Policy]\nTakeOverAutoOnline=FALSE\n",
     {.keep_auto_online = true}},
    {"TakeOverAutoOnline=0", "[Policy]\nTakeOverAutoOnline=0\n", {.keep_auto_online = true}},
    {"TakeOverAutoOnline=On", "[Policy]\nTakeOverAutoOnline=no\nTakeOverAutoOnline=On\n", {}},
    {"TakeOverAutoOnline=1", "[Policy]\nTakeOverAutoOnline=no\nTakeOverAutoOnline=1\n", {}},
    {"TakeOverAutoOnline= empty resets",
     "[Policy]\nTakeOverAutoOnline=no\nTakeOverAutoOnline=\n",
     {}},
    {"Exclude= one", "[Policy]\nExclude=dax0.0\n", {.exclude = {"dax0.0"}}},
    {"Exclude= list",
     "[Policy]\nExclude=dax0.0 region1\t0x1234\n",
     {.exclude = {"dax0.0", "region1", "0x1234"}}},
    {"Exclude= accumulates",
     "[Policy]\nExclude=dax0.0\nExclude=dax1.0  dax2.0\n",
     {.exclude = {"dax0.0", "dax1.0", "dax2.0"}}},
    {"Exclude= empty resets", "[Policy]\nExclude=dax0.0 dax1.0\nExclude=\n", {}},
    {"Exclude= reset then add",
     "[Policy]\nExclude=dax0.0\nExclude=\nExclude=dax3.0\n",
     {.exclude = {"dax3.0"}}},
    {"Exclude= only blanks resets", "[Policy]\nExclude=dax0.0\nExclude=   \n", {}},
    {"whitespace around key, '=' and value",
     "  [TDX]  \n  State   =   disabled  \n\tCmrFile=\t/x y \t\n",
     {.pinned = true, .state = TDX_STATE_DISABLED, .cmr_file = "/x y"}},
    {"CRLF line ends",
     "[Policy]\r\nOnlineType=kernel\r\nExclude=dax0.0\r\n",
     {.online_type = ONLINE_TYPE_KERNEL, .exclude = {"dax0.0"}}},
    {"no final newline", "[Policy]\nOnlineType=kernel", {.online_type = ONLINE_TYPE_KERNEL}},
    {"UTF-8 byte order mark",
     "\xef\xbb\xbf[Policy]\nOnlineType=kernel\n",
     {.online_type = ONLINE_TYPE_KERNEL}},
    {"'=' in a value", "[TDX]\nCmrFile=/a=b\n", {.cmr_file = "/a=b"}},
    {"sections repeat and interleave",
     "[TDX]\nState=disabled\n[Policy]\nOnlineType=kernel\n[TDX]\nAfterInit=try\n",
     {.pinned = true,
      .state = TDX_STATE_DISABLED,
      .after_init = AFTER_INIT_TRY,
      .online_type = ONLINE_TYPE_KERNEL}},
    {"everything",
     "# /etc/tdxmemd.conf\n"
     "[TDX]\n"
     "State=bios-enabled\n"
     "CmrFile=/etc/tdxmemd/cmrs.txt\n"
     "CmrAttribute=/sys/firmware/tdx/cmrs\n"
     "AfterInit=try\n"
     "\n"
     "[Policy]\n"
     "OnlineType=kernel\n"
     "WhenTdxDisabled=devdax\n"
     "Exclude=dax0.0 region2\n"
     "Exclude=mem0:0x1234\n",
     {.pinned = true,
      .state = TDX_STATE_BIOS_ENABLED,
      .cmr_file = "/etc/tdxmemd/cmrs.txt",
      .cmr_attribute = "/sys/firmware/tdx/cmrs",
      .after_init = AFTER_INIT_TRY,
      .online_type = ONLINE_TYPE_KERNEL,
      .when_tdx_disabled = WHEN_TDX_DISABLED_DEVDAX,
      .exclude = {"dax0.0", "region2", "mem0:0x1234"}}},
};

static void test_parse_good(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(good_cases); i++) {
		struct config config;
		struct parse_error error = {};
		int r;

		print_message("good: %s\n", good_cases[i].name);
		config_init(&config);
		r = parse_text(&config, good_cases[i].text, &error);
		if (r < 0)
			print_message("  %s:%u: %s\n", error.origin, error.line, error.message);
		assert_int_equal(r, 0);
		assert_config(&config, &good_cases[i].expect);
		config_clear(&config);
	}
}

static void test_parse_on_top(void **state)
{
	const struct expect expect = {.pinned = true,
				      .state = TDX_STATE_DISABLED,
				      .cmr_file = "/b",
				      .online_type = ONLINE_TYPE_KERNEL,
				      .exclude = {"dax0.0", "dax1.0"}};
	struct config config;
	struct parse_error error = {};

	/* A second text applies on top of the first; settings it does not name stay. */
	static const char first[] = "[TDX]\nState=disabled\nCmrFile=/a\n"
				    "[Policy]\nExclude=dax0.0\n";
	static const char second[] = "[TDX]\nCmrFile=/b\n[Policy]\nOnlineType=kernel\n"
				     "Exclude=dax1.0\n";
	static const char third[] = "OnlineType=movable\n";
	const struct config_text texts[] = {
	    {"first.conf", first, strlen(first)},
	    {"second.conf", second, strlen(second)},
	    {"third.conf", third, strlen(third)},
	};

	config_init(&config);
	assert_int_equal(config_parse(&config, texts, 2, &error), 0);
	assert_config(&config, &expect);

	/* A section does not carry over from one text to the next. */
	assert_int_equal(config_parse(&config, texts, 3, &error), -EINVAL);
	assert_string_equal(error.origin, "third.conf");
	assert_config(&config, &expect);
	config_clear(&config);
}

/* ---- config_parse: refused ---- */

struct bad_case {
	const char *name;
	const char *text;
	size_t size; /* 0: strlen(text) */
	unsigned line;
	const char *message; /* a substring of the message */
};

static const struct bad_case bad_cases[] = {
    {"bad TakeOverAutoOnline", "[Policy]\nTakeOverAutoOnline=maybe\n", 0, 2,
     "TakeOverAutoOnline=maybe: expected a boolean (yes, no, true, false, on, off, 1, 0)"},
    {"key outside any section", "# c\nState=disabled\n", 0, 2, "State= outside of any section"},
    {"unknown section", "[TDX]\n\n[Tdx]\n", 0, 3,
     "unknown section [Tdx]: expected [TDX], [Policy] or [Metrics]"},
    {"empty section", "[]\n", 0, 1, "unknown section []"},
    {"unterminated section header", "[TDX\n", 0, 1, "malformed section header \"[TDX\""},
    {"text after section header", "[TDX] x\n", 0, 1, "malformed section header \"[TDX] x\""},
    {"unknown key", "[TDX]\nFoo=bar\n", 0, 2,
     "unknown key Foo= in section [TDX]: expected one of State=, CmrFile=, CmrAttribute=, "
     "AfterInit="},
    {"key in the wrong section", "[TDX]\nOnlineType=kernel\n", 0, 2,
     "unknown key OnlineType= in section [TDX]"},
    {"key in the wrong section (Policy)", "[Policy]\nState=disabled\n", 0, 2,
     "unknown key State= in section [Policy]: expected one of OnlineType=, WhenTdxDisabled=, "
     "Exclude=, TakeOverAutoOnline="},
    {"key names are case-sensitive", "[Policy]\nonlinetype=kernel\n", 0, 2,
     "unknown key onlinetype="},
    {"no '='", "[Policy]\nOnlineType kernel\n", 0, 2,
     "\"OnlineType kernel\": expected \"Key=value\" or \"[Section]\""},
    {"no key", "[Policy]\n=kernel\n", 0, 2, "missing key name before \"=kernel\""},
    {"bad State", "[TDX]\nState=enabled\n", 0, 2,
     "State=enabled: expected \"auto\", \"disabled\", \"bios-enabled\", \"initialized\" or "
     "\"init-failed\""},
    {"State=unknown cannot be pinned", "[TDX]\nState=unknown\n", 0, 2, "State=unknown: expected"},
    {"State values are case-sensitive", "[TDX]\nState=Disabled\n", 0, 2,
     "State=Disabled: expected"},
    {"relative CmrFile", "[TDX]\nCmrFile=cmrs.txt\n", 0, 2,
     "CmrFile=cmrs.txt: expected an absolute path"},
    {"relative CmrAttribute", "[TDX]\nCmrAttribute=./cmrs\n", 0, 2,
     "CmrAttribute=./cmrs: expected an absolute path"},
    {"TextfilePath not *.prom", "[Metrics]\nTextfilePath=/var/lib/prometheus/tdxmemd.txt\n", 0, 2,
     "TextfilePath=/var/lib/prometheus/tdxmemd.txt: expected a file name ending in .prom"},
    {"relative TextfilePath", "[Metrics]\nTextfilePath=tdxmemd.prom\n", 0, 2,
     "TextfilePath=tdxmemd.prom: expected an absolute path"},
    {"bad AfterInit", "[TDX]\nAfterInit=online\n", 0, 2,
     "AfterInit=online: expected \"devdax\" or \"try\""},
    {"bad OnlineType", "[Policy]\nOnlineType=movabel\n", 0, 2,
     "OnlineType=movabel: expected \"movable\" or \"kernel\""},
    {"OnlineType with zone prefix", "[Policy]\nOnlineType=online_movable\n", 0, 2,
     "OnlineType=online_movable"},
    {"bad WhenTdxDisabled", "[Policy]\nWhenTdxDisabled=ignore\n", 0, 2,
     "WhenTdxDisabled=ignore: expected \"online\" or \"devdax\""},
    {"error after good lines",
     "[TDX]\nState=disabled\n\n# comment\n[Policy]\nExclude=dax0.0\nOnlineType=zone\n", 0, 7,
     "OnlineType=zone"},
    {"trailing comment is part of the value", "[Policy]\nOnlineType=kernel # zone\n", 0, 2,
     "OnlineType=kernel # zone: expected"},
    {"NUL byte", "[Policy]\nExclude=a\0b\n", sizeof("[Policy]\nExclude=a\0b\n") - 1, 2, "NUL byte"},
    {"long value is cut in the message",
     "[Policy]\nOnlineType="
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
     0, 2, "xxx...: expected \"movable\" or \"kernel\""},
};

/* A configuration with every field away from its default, to see it survive errors. */
static const char baseline_text[] = "[TDX]\nState=initialized\nCmrFile=/base/file\n"
				    "CmrAttribute=/base/attr\nAfterInit=try\n"
				    "[Policy]\nOnlineType=kernel\nWhenTdxDisabled=devdax\n"
				    "Exclude=dax9.0 region9\n";
static const struct expect baseline = {
    .pinned = true,
    .state = TDX_STATE_INITIALIZED,
    .cmr_file = "/base/file",
    .cmr_attribute = "/base/attr",
    .after_init = AFTER_INIT_TRY,
    .online_type = ONLINE_TYPE_KERNEL,
    .when_tdx_disabled = WHEN_TDX_DISABLED_DEVDAX,
    .exclude = {"dax9.0", "region9"},
};

static void test_parse_bad(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t size = c->size ? c->size : strlen(c->text);
		struct parse_error error = {};
		struct config config;
		char *const *exclude;

		print_message("bad: %s\n", c->name);
		config_init(&config);
		assert_int_equal(parse_text(&config, baseline_text, &error), 0);
		exclude = config.exclude;

		const struct config_text bad = {"bad.conf", c->text, size};
		assert_int_equal(config_parse(&config, &bad, 1, &error), -EINVAL);
		print_message("  %s:%u: %s\n", error.origin, error.line, error.message);
		assert_string_equal(error.origin, "bad.conf");
		assert_int_equal(error.line, c->line);
		assert_non_null(strstr(error.message, c->message));

		/* Unchanged, down to the very array. */
		assert_config(&config, &baseline);
		assert_ptr_equal(config.exclude, exclude);
		config_clear(&config);
	}
}

static void test_parse_bad_after_changes(void **state)
{
	struct config config;
	struct parse_error error = {};

	/* Every setting changed, Exclude reset, then an error: nothing of it sticks. */
	static const char changes[] = "[TDX]\nState=disabled\nCmrFile=\nCmrAttribute=/x\n"
				      "AfterInit=devdax\n[Policy]\nOnlineType=movable\n"
				      "WhenTdxDisabled=online\nExclude=\nExclude=a b c\n"
				      "Bogus=1\n";
	const struct config_text texts[] = {
	    {"base.conf", baseline_text, strlen(baseline_text)},
	    {"changes.conf", changes, strlen(changes)},
	};

	config_init(&config);
	assert_int_equal(parse_text(&config, baseline_text, &error), 0);
	assert_int_equal(config_parse(&config, texts, ARRAY_SIZE(texts), &error), -EINVAL);
	assert_int_equal(error.line, 11);
	assert_config(&config, &baseline);
	config_clear(&config);
}

static void test_excludes(void **state)
{
	struct config config;
	struct parse_error error = {};

	config_init(&config);
	assert_int_equal(
	    parse_text(&config, "[Policy]\nExclude=dax0.0 region1 mem0:0x1234\n", &error), 0);
	assert_true(config_excludes(&config, "dax0.0"));
	assert_true(config_excludes(&config, "region1"));
	assert_true(config_excludes(&config, "mem0:0x1234"));
	/* Exact match only: no prefixes, no case folding. */
	assert_false(config_excludes(&config, "dax0"));
	assert_false(config_excludes(&config, "dax0.00"));
	assert_false(config_excludes(&config, "Region1"));
	assert_false(config_excludes(&config, ""));
	assert_false(config_excludes(&config, NULL));
	config_clear(&config);
}

/* Serials are parsed once, at load: hex with 0x or decimal, whole words only. */
static void test_exclude_serials(void **state)
{
	struct config config, copy;
	struct parse_error error = {};

	config_init(&config);
	assert_int_equal(parse_text(&config,
				    "[Policy]\nExclude=dax0.0 0x1234 mem0:0x9999 0xZZ 0x -7 1x2\n"
				    "Exclude=22136 region1 0xAbCd\n",
				    &error),
			 0);
	assert_int_equal(config.exclude_serial_count, 3);
	assert_true(
	    config_excludes_serial(&config, 0xabcd)); /* a hex serial may start with a letter */
	assert_true(config_excludes_serial(&config, 0x1234));
	assert_true(config_excludes_serial(&config, 22136)); /* 0x5678 */
	assert_false(config_excludes_serial(&config, 0x9999));
	assert_false(config_excludes_serial(&config, 0));
	/* a later file's words add to them; an empty assignment drops them */
	config_init(&copy);
	assert_int_equal(
	    parse_text(&copy, "[Policy]\nExclude=0x1\nExclude=\nExclude=0x2\n", &error), 0);
	assert_int_equal(copy.exclude_serial_count, 1);
	assert_true(config_excludes_serial(&copy, 2));
	assert_false(config_excludes_serial(&copy, 1));
	config_clear(&copy);
	config_clear(&config);
}

/* ---- config_load ---- */

struct tmpdir {
	char *path;
	char *main;   /* path/tdxmemd.conf */
	char *dropin; /* path/tdxmemd.conf.d */
};

static int setup_tmpdir(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->path = test_mkdtemp("config");
	t->main = test_path(t->path, "tdxmemd.conf");
	t->dropin = test_path(t->path, "tdxmemd.conf.d");
	*state = t;
	return 0;
}

static int teardown_tmpdir(void **state)
{
	struct tmpdir *t = *state;
	int r;

	r = test_rmtree(t->path);
	free(t->path);
	free(t->main);
	free(t->dropin);
	free(t);
	return r;
}

static void test_load_nothing(void **state)
{
	struct tmpdir *t = *state;
	const struct expect defaults = {};
	struct config config;
	struct parse_error error = {};

	/* No default file, no drop-in directory: the defaults. */
	config_init(&config);
	assert_int_equal(config_load(&config, t->main, false, t->dropin, &error), 0);
	assert_config(&config, &defaults);

	assert_int_equal(config_load(&config, NULL, false, NULL, &error), 0);
	assert_config(&config, &defaults);
	config_clear(&config);
}

static void test_load_missing_explicit(void **state)
{
	struct tmpdir *t = *state;
	struct config config;
	struct parse_error error = {};

	config_init(&config);
	assert_int_equal(parse_text(&config, baseline_text, &error), 0);

	assert_int_equal(config_load(&config, t->main, true, t->dropin, &error), -ENOENT);
	assert_string_equal(error.origin, t->main);
	assert_int_equal(error.line, 0);
	assert_string_equal(error.message, "cannot read: No such file or directory");
	assert_config(&config, &baseline);

	/* A directory given as the file. */
	error = (struct parse_error){};
	assert_int_equal(config_load(&config, t->path, false, NULL, &error), -EISDIR);
	assert_string_equal(error.origin, t->path);
	assert_config(&config, &baseline);
	config_clear(&config);
}

static void test_load_main_and_dropins(void **state)
{
	struct tmpdir *t = *state;
	const struct expect expect = {
	    .pinned = true,
	    .state = TDX_STATE_BIOS_ENABLED, /* 50-state.conf overrides the main file */
	    .cmr_file = "/from/20",	     /* 20 after 10 */
	    .cmr_attribute = "/from/main",
	    .after_init = AFTER_INIT_TRY,
	    .online_type = ONLINE_TYPE_MOVABLE, /* 99 resets it to the default */
	    .when_tdx_disabled = WHEN_TDX_DISABLED_DEVDAX,
	    .exclude = {"dax2.0", "dax3.0"}, /* 30 resets, then adds; 40 adds */
	};
	struct config config;
	struct parse_error error = {};

	test_put_file(t->main, NULL,
		      "[TDX]\nState=initialized\nCmrFile=/from/main\nCmrAttribute=/from/main\n"
		      "[Policy]\nExclude=dax0.0\nOnlineType=kernel\n");
	assert_int_equal(mkdir(t->dropin, 0755), 0);
	/* Created out of order: the order read is the names' order. */
	test_put_file(t->dropin, "99-last.conf", "[Policy]\nOnlineType=\n");
	test_put_file(t->dropin, "20-cmr.conf", "[TDX]\nCmrFile=/from/20\n");
	test_put_file(t->dropin, "10-cmr.conf", "[TDX]\nCmrFile=/from/10\nAfterInit=try\n");
	test_put_file(t->dropin, "50-state.conf", "[TDX]\nState=bios-enabled\n");
	test_put_file(t->dropin, "30-exclude.conf",
		      "[Policy]\nExclude=dax1.0\nExclude=\nExclude=dax2.0\n");
	test_put_file(t->dropin, "40-exclude.conf",
		      "[Policy]\nExclude=dax3.0\nWhenTdxDisabled=devdax\n");
	/* Not drop-ins: wrong suffix, hidden, directory. */
	test_put_file(t->dropin, "60-ignored.conf.bak", "garbage\n");
	test_put_file(t->dropin, "60-ignored.txt", "garbage\n");
	test_put_file(t->dropin, ".60-hidden.conf", "garbage\n");
	test_put_file(t->dropin, "conf", "garbage\n");
	test_put_file(t->dropin, ".conf", "garbage\n");
	{
		_cleanup_free_ char *dir = test_path(t->dropin, "70-dir.conf");
		assert_int_equal(mkdir(dir, 0755), 0);
	}

	config_init(&config);
	assert_int_equal(config_load(&config, t->main, true, t->dropin, &error), 0);
	assert_config(&config, &expect);

	/* Loading again on top gives the same: 30 drops what the first load listed. */
	assert_int_equal(config_load(&config, t->main, true, t->dropin, &error), 0);
	assert_config(&config, &expect);
	config_clear(&config);
}

static void test_load_dropins_without_main(void **state)
{
	struct tmpdir *t = *state;
	const struct expect expect = {.online_type = ONLINE_TYPE_KERNEL};
	struct config config;
	struct parse_error error = {};

	assert_int_equal(mkdir(t->dropin, 0755), 0);
	test_put_file(t->dropin, "a.conf", "[Policy]\nOnlineType=kernel\n");

	config_init(&config);
	assert_int_equal(config_load(&config, t->main, false, t->dropin, &error), 0);
	assert_config(&config, &expect);
	config_clear(&config);
}

static void test_load_all_or_nothing(void **state)
{
	struct tmpdir *t = *state;
	_cleanup_free_ char *bad = NULL;
	struct config config;
	struct parse_error error = {};

	test_put_file(t->main, NULL, "[TDX]\nState=disabled\n");
	assert_int_equal(mkdir(t->dropin, 0755), 0);
	test_put_file(t->dropin, "10-good.conf", "[Policy]\nOnlineType=movable\nExclude=\n");
	test_put_file(t->dropin, "20-bad.conf", "[Policy]\n\nWhenTdxDisabled=maybe\n");
	test_put_file(t->dropin, "30-good.conf", "[Policy]\nExclude=x\n");
	bad = test_path(t->dropin, "20-bad.conf");

	config_init(&config);
	assert_int_equal(parse_text(&config, baseline_text, &error), 0);

	/* The main file and 10 were fine, but 20 is not: none of it applies. */
	assert_int_equal(config_load(&config, t->main, true, t->dropin, &error), -EINVAL);
	assert_string_equal(error.origin, bad);
	assert_int_equal(error.line, 3);
	assert_non_null(strstr(error.message, "WhenTdxDisabled=maybe"));
	assert_config(&config, &baseline);

	/* An error in the main file names it. */
	test_put_file(t->main, NULL, "[TDX]\nState=\nState=maybe\n");
	error = (struct parse_error){};
	assert_int_equal(config_load(&config, t->main, false, NULL, &error), -EINVAL);
	assert_string_equal(error.origin, t->main);
	assert_int_equal(error.line, 3);
	assert_config(&config, &baseline);
	config_clear(&config);
}

static void test_load_dropin_dir_not_a_directory(void **state)
{
	struct tmpdir *t = *state;
	struct config config;
	struct parse_error error = {};

	/* Something is there but cannot be listed: that is an error, not "no drop-ins". */
	test_put_file(t->dropin, NULL, "");
	config_init(&config);
	assert_int_equal(config_load(&config, NULL, false, t->dropin, &error), -ENOTDIR);
	assert_string_equal(error.origin, t->dropin);
	assert_int_equal(error.line, 0);
	config_clear(&config);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_to_string),
	    cmocka_unit_test(test_parse_good),
	    cmocka_unit_test(test_parse_on_top),
	    cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_parse_bad_after_changes),
	    cmocka_unit_test(test_excludes),
	    cmocka_unit_test(test_exclude_serials),
	    cmocka_unit_test_setup_teardown(test_load_nothing, setup_tmpdir, teardown_tmpdir),
	    cmocka_unit_test_setup_teardown(test_load_missing_explicit, setup_tmpdir,
					    teardown_tmpdir),
	    cmocka_unit_test_setup_teardown(test_load_main_and_dropins, setup_tmpdir,
					    teardown_tmpdir),
	    cmocka_unit_test_setup_teardown(test_load_dropins_without_main, setup_tmpdir,
					    teardown_tmpdir),
	    cmocka_unit_test_setup_teardown(test_load_all_or_nothing, setup_tmpdir,
					    teardown_tmpdir),
	    cmocka_unit_test_setup_teardown(test_load_dropin_dir_not_a_directory, setup_tmpdir,
					    teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
