#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# status-init: TDX enabled by the BIOS, CMRs = boot RAM. Someone else adds a
# non-convertible CXL range (daxctl, kmem loaded by hand): `tdxmemd status`
# says TDX initialization would fail and names the range; once tdxmemd
# --once has returned the device to devdax it says it would succeed.
# vm-cxl: 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM"
cxl_region 0
settle
dev_facts new "$DAX"
run_tdxmemd status0 status --json
modprobe kmem
daxctl reconfigure-device --mode=system-ram --no-online "$DAX" >"$OUT/daxctl.log" 2>&1 || true
settle
dev_facts added "$DAX"
run_tdxmemd status1 status --json
run_tdxmemd status1text status
run_tdxmemd once --once
settle
dev_facts after "$DAX"
run_tdxmemd status2 status --json
