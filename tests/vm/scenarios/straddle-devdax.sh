#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# straddle-devdax: straddle_layout's B is put online by hand (daxctl,
# ZONE_MOVABLE, every block); the resident service, CmrFile= covering the
# window, puts A (whose span straddles B) online.  The CMR file is then
# rewritten without A's second mapping and the service reloaded: A goes
# back to devdax; B's blocks never change (sampled throughout), B keeps
# kmem, every block online, and gets no record after the reload.
# vm-cxl: 1G
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM"
printf '[TDX]\nCmrFile=/etc/tdxmemd/cmrs.txt\n' >/etc/tdxmemd.conf
cmr_file /etc/tdxmemd/cmrs.txt "$BOOTRAM" "$WIN0"
cxl_region 0
settle
straddle_layout "$DAX"
# kmem by name: tdxmemd's modprobe.d blacklists its load by alias.
modprobe kmem
daxctl reconfigure-device -m system-ram "$B" >>"$OUT/daxctl.log" 2>&1
settle
map_facts manual_B "$B"
mapfile -t BBLOCKS < <(dax_map_blocks "$B")
watch_blocks b "${BBLOCKS[@]}"
systemctl unmask --runtime tdxmemd.service tdxmemd-once@.service >/dev/null
systemctl start tdxmemd.service
wait_records 1 90 records_a_online "TDXMEMD_DEVICE=$A"
quiet 2
map_facts online_A "$A"
map_facts online_B "$B"
service_facts before
a2=$(dax_mappings "$A" | sed -n 2p)
cmr_file /etc/tdxmemd/cmrs.txt "$BOOTRAM" "$REGION_START-${a2%% *}"
fact reload_us "$(now_us)"
rc=0
systemctl reload tdxmemd.service || rc=$?
fact reload_rc "$rc"
wait_records 2 60 records_a_devdax "TDXMEMD_DEVICE=$A"
quiet 3
watch_stop b
map_facts devdax_A "$A"
map_facts devdax_B "$B"
service_facts after
run_tdxmemd status status --json
rc=0
daxrw "/dev/$A" >"$OUT/daxrw.log" 2>&1 || rc=$?
fact daxrw_rc "$rc"
