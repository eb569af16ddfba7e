/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tdxmemd status: every dax device as it is now, with the last decision the
 * daemon (or --once) recorded for it this boot.
 */
#pragma once

#include "inventory.h"
#include "state.h"
#include "tdx-init.h"

#include <stdbool.h>
#include <stdio.h>

/*
 * Prints the devices, then (text) or first (JSON) the TDX state and whether
 * TDX initialization would succeed with the memory present now.
 */
int status_print(FILE *out, const struct inventory *inventory, struct state *state,
		 enum tdx_state tdx_state, const struct tdx_init_check *init, bool json);
