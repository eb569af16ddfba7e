/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fleet metrics: the devices, the TDX state and this boot's totals in the
 * Prometheus text exposition format, for node_exporter's textfile collector
 * ([Metrics] TextfilePath=) and `tdxmemd status --prometheus`.
 */
#pragma once

#include "inventory.h"
#include "state.h"
#include "tdx-init.h"

#include <stdio.h>

/*
 * Prints every metric family, with HELP and TYPE lines; the time of the
 * last pass only when @last_pass_usec is not 0 (a pass knows it, status
 * does not).
 */
int metrics_print(FILE *out, const struct inventory *inventory, struct state *state,
		  enum tdx_state tdx_state, const struct tdx_init_check *init,
		  uint64_t last_pass_usec);

/*
 * Writes the same to @path atomically: a temporary file in @path's
 * directory, then rename(), so that node_exporter never reads half a file.
 */
int metrics_write_textfile(const char *path, const struct inventory *inventory, struct state *state,
			   enum tdx_state tdx_state, const struct tdx_init_check *init,
			   uint64_t last_pass_usec);
