#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# no-tdx: no TDX at all (no tdxsim): tdxmemd onlines the whole device in
# ZONE_MOVABLE, reason tdx-disabled.
# vm-cxl: 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
cxl_region 0
settle
dev_facts before "$DAX"
run_tdxmemd once --once
settle
dev_facts after "$DAX"
