// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tdxmemd: keeps CXL memory that TDX cannot convert from going online as
 * system RAM. main() parses the command line and hands over to the manager.
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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
	printf("Usage: tdxmemd [--config FILE] [--cmr-file FILE] [-v]\n"
	       "       tdxmemd --once [OPTIONS]\n"
	       "       tdxmemd status [--json|--prometheus] [--sysroot DIR] [--config FILE] [-v]\n"
	       "       tdxmemd explain DEVICE [--json] [--sysroot DIR] [--config FILE]\n"
	       "               [--cmr-file FILE] [-v]\n"
	       "\n"
	       "Decide for each dax device, as a whole, whether its memory may go online as\n"
	       "system RAM on this TDX host, act on it atomically and record one decision.\n"
	       "Without --once, run as a service: decide whenever a dax device or CXL region\n"
	       "appears or changes; SIGHUP reloads the configuration and CMRs.\n"
	       "\n"
	       "Commands:\n"
	       "  status              Show every dax device and its last decision\n"
	       "  explain DEVICE      Show why DEVICE is decided as it is, and what would\n"
	       "                      change it (reads only)\n"
	       "\n"
	       "Options:\n"
	       "  --once              Decide and act for every dax device, then exit\n"
	       "  --dry-run           Decide and print, change nothing, write no journal record\n"
	       "  --json              Print the decisions as one JSON document\n"
	       "  --prometheus        (status) Print node_exporter textfile metrics\n"
	       "  --config FILE       Read FILE instead of %s and its .d/ drop-ins\n"
	       "  --cmr-file FILE     Read the CMRs from FILE (overrides CmrFile=)\n"
	       "  --device NAME       Only this dax device (repeatable)\n"
	       "  --sysroot DIR       Read kernel files (/proc, /sys, /dev/kmsg) under DIR;\n"
	       "                      implies --dry-run\n"
	       "  -v, --verbose       Also log debug messages; twice, the libraries' too\n"
	       "  -h, --help          Show this help\n"
	       "      --version       Show the version\n"
	       "\n"
	       "Exit status (--once): 0 every device is in its decided state; 1 usage,\n"
	       "configuration or source error (nothing touched); 2 a device was rolled back\n"
	       "or failed.\n"
	       "See tdxmemd(8), tdxmemd.conf(5) and tdxmemd-journal-fields(7).\n",
	       CONFIG_DEFAULT_PATH);
}

enum {
	ARG_VERSION = 0x100,
	ARG_ONCE,
	ARG_DRY_RUN,
	ARG_JSON,
	ARG_CONFIG,
	ARG_CMR_FILE,
	ARG_DEVICE,
	ARG_SYSROOT,
	ARG_PROMETHEUS,
};

enum command {
	COMMAND_DAEMON,
	COMMAND_ONCE,
	COMMAND_STATUS,
	COMMAND_EXPLAIN,
};

struct arguments {
	struct manager_options options;
	enum command command;
	const char *explain_device;
	char **devices;
	size_t device_count;
	int verbosity; /* -v given this often */
};

static void arguments_clear(struct arguments *args)
{
	free(args->devices);
}

/*
 * Returns 1 to go on, 0 to exit successfully (--help), -EINVAL on bad usage.
 * Over 60 lines: one getopt switch with a case per option, then the table of
 * which option goes with which command (tdxmemd(8), OPTIONS), kept together
 * so that the two cannot drift apart.
 */
static int parse_argv(int argc, char *argv[], struct arguments *args)
{
	static const struct option options[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, ARG_VERSION},
	    {"verbose", no_argument, NULL, 'v'},
	    {"once", no_argument, NULL, ARG_ONCE},
	    {"dry-run", no_argument, NULL, ARG_DRY_RUN},
	    {"json", no_argument, NULL, ARG_JSON},
	    {"config", required_argument, NULL, ARG_CONFIG},
	    {"cmr-file", required_argument, NULL, ARG_CMR_FILE},
	    {"device", required_argument, NULL, ARG_DEVICE},
	    {"sysroot", required_argument, NULL, ARG_SYSROOT},
	    {"prometheus", no_argument, NULL, ARG_PROMETHEUS},
	    {},
	};
	int c;

	args->options.sysroot = "/";
	args->options.config_path = CONFIG_DEFAULT_PATH;

	while ((c = getopt_long(argc, argv, "hv", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help();
			return 0;
		case ARG_VERSION:
			printf("tdxmemd %s\n", PACKAGE_VERSION);
			return 0;
		case 'v':
			log_setup(++args->verbosity);
			break;
		case ARG_ONCE:
			args->command = COMMAND_ONCE;
			break;
		case ARG_DRY_RUN:
			args->options.dry_run = true;
			break;
		case ARG_JSON:
			args->options.json = true;
			break;
		case ARG_CONFIG:
			args->options.config_path = optarg;
			args->options.config_explicit = true;
			break;
		case ARG_CMR_FILE:
			args->options.cmr_file = optarg;
			break;
		case ARG_DEVICE: {
			char **devices =
			    reallocarray(args->devices, args->device_count + 2, sizeof(*devices));
			if (!devices)
				return -ENOMEM;
			devices[args->device_count++] = optarg;
			devices[args->device_count] = NULL;
			args->devices = devices;
			break;
		}
		case ARG_SYSROOT:
			args->options.sysroot = optarg;
			break;
		case ARG_PROMETHEUS:
			args->options.prometheus = true;
			break;
		default:
			return -EINVAL;
		}
	}

	if (optind < argc && streq(argv[optind], "status") && args->command == COMMAND_DAEMON) {
		args->command = COMMAND_STATUS;
		optind++;
	} else if (optind < argc && streq(argv[optind], "explain") &&
		   args->command == COMMAND_DAEMON) {
		args->command = COMMAND_EXPLAIN;
		if (++optind == argc) {
			log_error("explain needs a dax device, e.g. \"tdxmemd explain dax0.0\".");
			return -EINVAL;
		}
		args->explain_device = argv[optind++];
	}
	if (optind < argc) {
		log_error("Unexpected argument \"%s\". See --help.", argv[optind]);
		return -EINVAL;
	}

	/* Options that mean nothing to the command are mistakes, not no-ops. */
	const struct manager_options *o = &args->options;
	bool sysroot = !path_root_is_host(o->sysroot);
	const char *misplaced = NULL;
	if (o->prometheus && args->command != COMMAND_STATUS)
		misplaced = "--prometheus";
	else if (o->prometheus && o->json)
		misplaced = "--json";
	else if (args->command == COMMAND_DAEMON)
		misplaced = o->dry_run	    ? "--dry-run"
			    : sysroot	    ? "--sysroot"
			    : o->json	    ? "--json"
			    : args->devices ? "--device"
					    : NULL;
	else if (args->command == COMMAND_EXPLAIN)
		misplaced = o->dry_run ? "--dry-run" : args->devices ? "--device" : NULL;
	else if (args->command == COMMAND_STATUS)
		misplaced = o->dry_run	    ? "--dry-run"
			    : args->devices ? "--device"
			    : o->cmr_file   ? "--cmr-file"
					    : NULL;
	if (misplaced) {
		static const char *const command_names[] = {
		    [COMMAND_DAEMON] = "the service",
		    [COMMAND_ONCE] = "--once",
		    [COMMAND_STATUS] = "status",
		    [COMMAND_EXPLAIN] = "explain",
		};
		bool with_prometheus = o->prometheus && args->command == COMMAND_STATUS;
		log_error("%s does not go with %s. See --help.", misplaced,
			  with_prometheus ? "--prometheus" : command_names[args->command]);
		return -EINVAL;
	}

	/*
	 * Devices come from libdaxctl, which always reads the real /sys:
	 * acting on them from a fixture's facts would be wrong.
	 */
	if (sysroot)
		args->options.dry_run = true;

	args->options.devices = args->devices;
	args->options.print = args->command == COMMAND_ONCE && !args->options.json;
	args->options.daemon = args->command == COMMAND_DAEMON;
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
		/* status and explain only read: they never bind anything */
		if (args.command != COMMAND_STATUS && args.command != COMMAND_EXPLAIN)
			manager_keep_safe(&args.options);
		return EXIT_INPUT_ERROR;
	}

	switch (args.command) {
	case COMMAND_ONCE:
		r = manager_run_once(manager);
		break;
	case COMMAND_STATUS:
		r = manager_status(manager);
		break;
	case COMMAND_EXPLAIN:
		r = manager_explain(manager, args.explain_device);
		break;
	case COMMAND_DAEMON:
	default:
		r = daemon_run(manager);
		break;
	}
	manager_free(manager);
	return r;
}
