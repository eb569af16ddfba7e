#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# late-init: memory onlined while TDX is BIOS-enabled only becomes part of
# the TDX memory list when the module is initialized later (kvm_intel
# tdx=1 on 6.12-6.18); tdxmemd then leaves it alone: unchanged,
# online-before-init.  (The CMRs cover the window, so the init succeeds.)
# vm-cxl: 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM,$WIN0"
cxl_region 0
settle
# Onlined by hand before tdxmemd ever ran: kmem by name (tdxmemd's
# modprobe.d blacklists its alias load), then daxctl binds and onlines it.
modprobe kmem
daxctl reconfigure-device --mode=system-ram "$DAX" >"$OUT/daxctl-online.log" 2>&1
echo initialized >/sys/module/tdxsim/parameters/state
fact tdxsim_state "$(cat /sys/module/tdxsim/parameters/state)"
dev_facts before "$DAX"
run_tdxmemd once --once
settle
dev_facts after "$DAX"
