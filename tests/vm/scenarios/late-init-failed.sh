#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# late-init-failed: memory outside the CMRs was online when the TDX module
# was initialized: the init fails (-EIO, as TDH.SYS.CONFIG would) and TDX
# is unusable until reboot.  tdxmemd treats init-failed like bios-enabled:
# the CMRs decide, devdax (not-convertible); the memory was in
# ZONE_MOVABLE, so offlining it succeeds.
# vm-cxl: 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM"
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
