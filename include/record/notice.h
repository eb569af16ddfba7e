/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The service's journal records that are no device's decision, with their
 * MESSAGE_IDs (message-ids.h) beside the decisions' (record.h).
 */
#pragma once

#include "tdx-init.h"
#include "tdx.h"

/*
 * TDX initialization would start to fail (or fail for another range): what
 * an administrator must know before initializing TDX. @check is WOULD_FAIL.
 */
int notice_tdx_init_at_risk(const struct tdx_init_check *check, enum tdx_state tdx_state);

/* The service set @path (auto_online_blocks) from @previous to "offline". */
int notice_auto_online_taken(const char *path, const char *previous);
