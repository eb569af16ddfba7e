/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MESSAGE_IDs of tdxmemd's journal records: one per decision, and one per
 * outcome that did not reach the decided state. systemd/tdxmemd.catalog
 * explains each; keep the two in step.
 */
#pragma once

#define MESSAGE_ID_ONLINE      "fa4be03c167e4cedaa2a74d70ecd7e1d"
#define MESSAGE_ID_DEVDAX      "68089ec486584a21a9b697b8ffb92695"
#define MESSAGE_ID_UNCHANGED   "d4ef7ef65c1b4bf8b5c926144fb0edf5"
#define MESSAGE_ID_ROLLED_BACK "a4c35a9154ea4fb4935ad12808c16b8c"
#define MESSAGE_ID_FAILED      "3457e434fc884ef086d8872e1d426913"

/* The daemon set auto_online_blocks to offline at start. */
#define MESSAGE_ID_AUTO_ONLINE "8e2d41a7c35b4f6e9d0a1c2b3e4f5a66"

/* The daemon found memory present that would make TDX initialization fail. */
#define MESSAGE_ID_TDX_INIT_AT_RISK "5c0e9b7d2a4f4d1e8b6a3f9c7d2e1b40"
