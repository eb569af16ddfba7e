#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# two-devices: two CXL devices on two windows, TDX enabled by the BIOS, the
# CMRs cover window 0 only: one device online (cmr-covered), the other
# devdax (not-convertible), one record each.
# vm-cxl: 512M 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM,$WIN0"
cxl_region 0
DAX0=$DAX
cxl_region 1
DAX1=$DAX
settle
dev_facts before0 "$DAX0"
dev_facts before1 "$DAX1"
run_tdxmemd once --once
settle
dev_facts after0 "$DAX0"
dev_facts after1 "$DAX1"
