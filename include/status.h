/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tdxmemd status: every dax device as it is now, with the last decision the
 * daemon (or --once) recorded for it this boot.
 */
#pragma once

#include "inventory.h"
#include "state.h"

#include <stdbool.h>
#include <stdio.h>

int status_print(FILE *out, const struct inventory *inventory, struct state *state, bool json);
