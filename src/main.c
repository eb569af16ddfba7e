// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tdxmemd: keeps CXL memory that TDX cannot convert from going online as
 * system RAM. main() finds the command in a table, which says which options
 * it takes, parses them, and hands over to the manager. --help is written
 * from the same tables, so that it cannot drift from what is accepted.
 */
#include "build-config.h"
#include "config.h"
#include "daemon.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "path.h"

#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum option_id {
	OPT_ONCE,
	OPT_DRY_RUN,
	OPT_JSON,
	OPT_PROMETHEUS,
	OPT_CONFIG,
	OPT_CMR_FILE,
	OPT_DEVICE,
	OPT_SYSROOT,
	OPT_VERBOSE,
	OPT_HELP,
	OPT_VERSION,
	OPT_MAX,
};

#define OPT(id) (1u << (id))
/* What every command takes: asking for help, the version, or more words. */
#define OPTS_ALWAYS (OPT(OPT_VERBOSE) | OPT(OPT_HELP) | OPT(OPT_VERSION))

/* What an option sets in struct manager_options, if that is all it does. */
enum option_kind {
	OPTION_OTHER, /* apply_option() knows */
	OPTION_FLAG,  /* a bool, set */
	OPTION_VALUE, /* a const char *, the argument */
};

#define SETS(kind, field) OPTION_##kind, offsetof(struct manager_options, field)

/* The options, in --help's order. */
static const struct option_doc {
	const char *name;
	int has_arg;
	char short_name;
	const char *shown; /* as --help lists it */
	const char *help;  /* a '\n' continues at the description's column */
	/* options it rules out (their error names this one, as a command) */
	unsigned excludes;
	enum option_kind kind;
	size_t field;
} option_docs[OPT_MAX] = {
    [OPT_ONCE] = {"once", no_argument, 0, "--once",
		  "Decide and act for every dax device, then exit"},
    [OPT_DRY_RUN] = {"dry-run", no_argument, 0, "--dry-run",
		     "Decide and print, change nothing, write no journal record", 0,
		     SETS(FLAG, dry_run)},
    [OPT_JSON] = {"json", no_argument, 0, "--json", "Print the decisions as one JSON document", 0,
		  SETS(FLAG, json)},
    [OPT_PROMETHEUS] = {"prometheus", no_argument, 0, "--prometheus",
			"(status) Print node_exporter textfile metrics", OPT(OPT_JSON),
			SETS(FLAG, prometheus)},
    [OPT_CONFIG] = {"config", required_argument, 0, "--config FILE",
		    "Read FILE instead of " CONFIG_DEFAULT_PATH " and its .d/ drop-ins"},
    [OPT_CMR_FILE] = {"cmr-file", required_argument, 0, "--cmr-file FILE",
		      "Read the CMRs from FILE (overrides CmrFile=)", 0, SETS(VALUE, cmr_file)},
    [OPT_DEVICE] = {"device", required_argument, 0, "--device NAME",
		    "Only this dax device (repeatable)"},
    [OPT_SYSROOT] = {"sysroot", required_argument, 0, "--sysroot DIR",
		     "Read kernel files (/proc, /sys, /dev/kmsg) under DIR;\nimplies --dry-run"},
    [OPT_VERBOSE] = {"verbose", no_argument, 'v', "-v, --verbose",
		     "Also log debug messages; twice, the libraries' too"},
    [OPT_HELP] = {"help", no_argument, 'h', "-h, --help", "Show this help"},
    [OPT_VERSION] = {"version", no_argument, 0, "    --version", "Show the version"},
};

struct arguments {
	struct manager_options options;
	const struct command *command;
	unsigned given; /* OPT() of each option given */
	const char *explain_device;
	char **devices;
	size_t device_count;
	int verbosity; /* -v given this often */
};

static int run_service(struct manager *manager, const struct arguments *args)
{
	return daemon_run(manager);
}

static int run_once(struct manager *manager, const struct arguments *args)
{
	return manager_run_once(manager);
}

static int run_status(struct manager *manager, const struct arguments *args)
{
	return manager_status(manager);
}

static int run_explain(struct manager *manager, const struct arguments *args)
{
	return manager_explain(manager, args->explain_device);
}

/* The commands: the service, the --once pass, and the verbs. */
static const struct command {
	const char *name;     /* as errors name it */
	const char *verb;     /* its word on the command line; NULL: none */
	const char *argument; /* "DEVICE": the one word it needs, or NULL */
	const char *missing;  /* the error when that word is missing */
	const char *usage;    /* its synopsis in --help, after "tdxmemd " */
	const char *help;     /* its line under "Commands:", or NULL */
	unsigned options;     /* the options it takes, OPT() */
	bool reads_only;      /* never binds a device, not even when it cannot start */
	int (*run)(struct manager *manager, const struct arguments *args);
} commands[] = {
    {"the service", NULL, NULL, NULL, "[--config FILE] [--cmr-file FILE] [-v]", NULL,
     OPT(OPT_CONFIG) | OPT(OPT_CMR_FILE), false, run_service},
    {"--once", NULL, NULL, NULL, "--once [OPTIONS]", NULL,
     OPT(OPT_ONCE) | OPT(OPT_DRY_RUN) | OPT(OPT_JSON) | OPT(OPT_CONFIG) | OPT(OPT_CMR_FILE) |
	 OPT(OPT_DEVICE) | OPT(OPT_SYSROOT),
     false, run_once},
    {"status", "status", NULL, NULL,
     "status [--json|--prometheus] [--sysroot DIR] [--config FILE] [-v]",
     "Show every dax device and its last decision",
     OPT(OPT_JSON) | OPT(OPT_PROMETHEUS) | OPT(OPT_CONFIG) | OPT(OPT_SYSROOT), true, run_status},
    {"explain", "explain", "DEVICE", "explain needs a dax device, e.g. \"tdxmemd explain dax0.0\".",
     "explain DEVICE [--json] [--sysroot DIR] [--config FILE]\n        [--cmr-file FILE] [-v]",
     "Show why DEVICE is decided as it is, and what would\nchange it (reads only)",
     OPT(OPT_JSON) | OPT(OPT_CONFIG) | OPT(OPT_CMR_FILE) | OPT(OPT_SYSROOT), true, run_explain},
};

/* @text, its continuation lines ('\n') indented by @indent. */
static void print_indented(const char *text, int indent)
{
	for (const char *nl; (nl = strchr(text, '\n')); text = nl + 1)
		printf("%.*s\n%*s", (int)(nl - text), text, indent, "");
	printf("%s\n", text);
}

static void help(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		printf("%s tdxmemd ", i == 0 ? "Usage:" : "      ");
		print_indented(commands[i].usage, 7);
	}
	printf("\n"
	       "Decide for each dax device, as a whole, whether its memory may go online as\n"
	       "system RAM on this TDX host, act on it atomically and record one decision.\n"
	       "Without --once, run as a service: decide whenever a dax device or CXL region\n"
	       "appears or changes; SIGHUP reloads the configuration and CMRs.\n"
	       "\n"
	       "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].help) {
			char shown[64];
			snprintf(shown, sizeof(shown), "%s%s%s", commands[i].verb,
				 commands[i].argument ? " " : "",
				 commands[i].argument ? commands[i].argument : "");
			printf("  %-20s", shown);
			print_indented(commands[i].help, 22);
		}
	printf("\nOptions:\n");
	for (size_t i = 0; i < OPT_MAX; i++) {
		printf("  %-20s", option_docs[i].shown);
		print_indented(option_docs[i].help, 22);
	}
	printf("\n"
	       "Exit status (--once): 0 every device is in its decided state; 1 usage,\n"
	       "configuration or source error (nothing touched); 2 a device was rolled back\n"
	       "or failed.\n"
	       "See tdxmemd(8), tdxmemd.conf(5) and tdxmemd-journal-fields(7).\n");
}

static void arguments_clear(struct arguments *args)
{
	free(args->devices);
}

/* Applies one option. Returns 1 to go on, 0 to exit successfully, -errno on error. */
static int apply_option(enum option_id id, const char *value, struct arguments *args)
{
	struct manager_options *o = &args->options;
	const struct option_doc *doc = &option_docs[id];

	args->given |= OPT(id);
	if (doc->kind == OPTION_FLAG)
		*(bool *)((char *)o + doc->field) = true;
	else if (doc->kind == OPTION_VALUE)
		*(const char **)((char *)o + doc->field) = value;
	switch (id) {
	case OPT_HELP:
		help();
		return 0;
	case OPT_VERSION:
		printf("tdxmemd %s\n", PACKAGE_VERSION);
		return 0;
	case OPT_VERBOSE:
		log_setup(++args->verbosity);
		break;
	case OPT_CONFIG:
		o->config_path = value;
		o->config_explicit = true;
		break;
	case OPT_DEVICE: {
		char **devices =
		    reallocarray(args->devices, args->device_count + 2, sizeof(*devices));
		if (!devices)
			return -ENOMEM;
		devices[args->device_count++] = (char *)value;
		devices[args->device_count] = NULL;
		args->devices = devices;
		break;
	}
	case OPT_SYSROOT:
		o->sysroot = value;
		/* the host's own root is no fixture: nothing to say about it */
		if (path_root_is_host(value))
			args->given &= ~OPT(id);
		break;
	default: /* set from the table above, or only marked given */
		break;
	}
	return 1;
}

/*
 * The options given that @args->command does not take: mistakes, not
 * no-ops. An option that rules others out (--prometheus) is checked first,
 * and is named as what the others do not go with.
 */
static int check_options(const struct arguments *args)
{
	const struct command *c = args->command;
	const char *context = c->name;

	for (int rules_out = 1; rules_out >= 0; rules_out--)
		for (size_t i = 0; i < OPT_MAX; i++) {
			if (!(args->given & OPT(i)) || !option_docs[i].excludes != !rules_out)
				continue;
			if (!(OPT(i) & (c->options | OPTS_ALWAYS))) {
				log_error("--%s does not go with %s. See --help.",
					  option_docs[i].name, context);
				return -EINVAL;
			}
			unsigned excluded = option_docs[i].excludes & args->given;
			if (excluded) {
				log_error("--%s does not go with --%s. See --help.",
					  option_docs[__builtin_ctz(excluded)].name,
					  option_docs[i].name);
				return -EINVAL;
			}
			if (rules_out)
				context = option_docs[i].shown;
		}
	return 0;
}

/* The command: --once, a verb, or the service; then its argument, if it takes one. */
static int find_command(int argc, char *argv[], struct arguments *args)
{
	args->command = &commands[(args->given & OPT(OPT_ONCE)) ? 1 : 0];
	for (size_t i = 0; optind < argc && i < ARRAY_SIZE(commands); i++)
		if (commands[i].verb && streq(argv[optind], commands[i].verb) &&
		    args->command == &commands[0]) {
			args->command = &commands[i];
			optind++;
			break;
		}
	if (args->command->argument) {
		if (optind == argc) {
			log_error("%s", args->command->missing);
			return -EINVAL;
		}
		args->explain_device = argv[optind++];
	}
	if (optind < argc) {
		log_error("Unexpected argument \"%s\". See --help.", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* Returns 1 to go on, 0 to exit successfully (--help), -EINVAL on bad usage. */
static int parse_argv(int argc, char *argv[], struct arguments *args)
{
	struct option long_options[OPT_MAX + 1] = {};
	int c, r;

	for (size_t i = 0; i < OPT_MAX; i++)
		long_options[i] = (struct option){option_docs[i].name, option_docs[i].has_arg, NULL,
						  0x100 + (int)i};
	args->options.sysroot = "/";
	args->options.config_path = CONFIG_DEFAULT_PATH;

	while ((c = getopt_long(argc, argv, "hv", long_options, NULL)) >= 0) {
		enum option_id id = c == 'h'   ? OPT_HELP
				    : c == 'v' ? OPT_VERBOSE
					       : (enum option_id)(c - 0x100);
		if (c == '?' || id >= OPT_MAX)
			return -EINVAL;
		if ((r = apply_option(id, optarg, args)) <= 0)
			return r;
	}
	if ((r = find_command(argc, argv, args)) < 0 || (r = check_options(args)) < 0)
		return r;

	/*
	 * Devices come from libdaxctl, which always reads the real /sys:
	 * acting on them from a fixture's facts would be wrong.
	 */
	if (args->given & OPT(OPT_SYSROOT))
		args->options.dry_run = true;
	args->options.devices = args->devices;
	args->options.print = args->command == &commands[1] && !args->options.json;
	args->options.daemon = args->command == &commands[0];
	return 1;
}

int main(int argc, char *argv[])
{
	_cleanup_(arguments_clear) struct arguments args = {0};
	struct manager *manager = NULL;
	int r;

	r = parse_argv(argc, argv, &args);
	if (r <= 0)
		return r == 0 ? EXIT_SUCCESS : EXIT_INPUT_ERROR;

	r = manager_new(&args.options, &manager);
	if (r < 0) {
		if (!args.command->reads_only)
			manager_keep_safe(&args.options);
		return EXIT_INPUT_ERROR;
	}
	r = args.command->run(manager, &args);
	manager_free(manager);
	return r;
}
