#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# initialized: the TDX module is initialized; the CMRs even cover the
# window, but the kernel's TDX memory list (boot RAM) does not: devdax,
# reason tdx-initialized, without a single refused block.
# vm-cxl: 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=initialized "cmrs=$BOOTRAM,$WIN0"
cxl_region 0
settle
dev_facts before "$DAX"
run_tdxmemd once --once
settle
dev_facts after "$DAX"
rc=0
daxrw "/dev/$DAX" >"$OUT/daxrw.log" 2>&1 || rc=$?
fact daxrw_rc "$rc"
