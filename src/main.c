// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tdxmemd: keeps CXL memory that TDX cannot convert from going online as
 * system RAM. main() parses the command line and hands over to the manager.
 */
#include "build-config.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "manager.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
	printf("Usage: tdxmemd --once [OPTIONS]\n"
	       "\n"
	       "Decide for each dax device, as a whole, whether its memory may go online as\n"
	       "system RAM on this TDX host, act on it atomically and record one decision.\n"
	       "\n"
	       "  --once              Decide and act for every dax device, then exit\n"
	       "  --dry-run           Decide and print, change nothing, write no journal record\n"
	       "  --json              Print the decisions as one JSON document\n"
	       "  --config FILE       Read FILE instead of %s and its .d/ drop-ins\n"
	       "  --cmr-file FILE     Read the CMRs from FILE (overrides CmrFile=)\n"
	       "  --device NAME       Only this dax device (repeatable)\n"
	       "  --sysroot DIR       Read kernel files (/proc, /sys, /dev/kmsg) under DIR;\n"
	       "                      implies --dry-run\n"
	       "  -v, --verbose       Also log debug messages, the libraries' included\n"
	       "  -h, --help          Show this help\n"
	       "      --version       Show the version\n"
	       "\n"
	       "Exit status: 0 every device is in its decided state; 1 usage, configuration\n"
	       "or source error (nothing touched); 2 a device was rolled back or failed.\n"
	       "See tdxmemd(8) and tdxmemd.conf(5).\n",
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
};

struct arguments {
	struct manager_options options;
	bool once;
	char **devices;
	size_t device_count;
};

static void arguments_clear(struct arguments *args)
{
	free(args->devices);
}

/* Returns 1 to go on, 0 to exit successfully (--help), -EINVAL on bad usage. */
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
			log_setup(LOG_DEBUG);
			break;
		case ARG_ONCE:
			args->once = true;
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
			char **devices = reallocarray(args->devices, args->device_count + 2,
						      sizeof(*devices));
			if (!devices)
				return -ENOMEM;
			devices[args->device_count++] = optarg;
			devices[args->device_count] = NULL;
			args->devices = devices;
			break;
		}
		case ARG_SYSROOT:
			/* Devices come from libdaxctl, which reads the real /sys:
			 * acting on them from a fixture's facts would be wrong. */
			args->options.sysroot = optarg;
			args->options.dry_run = true;
			break;
		default:
			return -EINVAL;
		}
	}

	if (optind < argc) {
		log_error("Unexpected argument \"%s\". See --help.", argv[optind]);
		return -EINVAL;
	}
	if (!args->once) {
		log_error("--once is required: this version has no resident daemon yet. "
			  "See --help.");
		return -EINVAL;
	}
	args->options.devices = args->devices;
	args->options.print = !args->options.json;
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
	if (r < 0)
		return EXIT_INPUT_ERROR;

	r = manager_run_once(manager);
	manager_free(manager);
	return r;
}
