#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bios-covered: TDX enabled by the BIOS, module not initialized; the CMRs
# printed in the kernel log cover the window: online, reason cmr-covered.
# vm-cxl: 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM,$WIN0"
cxl_region 0
settle
dev_facts before "$DAX"
run_tdxmemd once --once
settle
dev_facts after "$DAX"
