#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# multi-mapping-half-covered: straddle_layout's device A (two non-adjacent
# mappings) bound to kmem with its blocks offline, as the kernel leaves a
# new CXL device; the CMR file covers boot RAM and A's first mapping only.
# A: devdax, not-convertible, TDXMEMD_UNCOVERED = its second mapping; no
# block of A online at any sample; device_dax bound, /dev/daxA maps.
# B (between A's mappings, outside the CMRs): devdax on its own.
# vm-cxl: 1G
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM"
cxl_region 0
settle
straddle_layout "$DAX"
# kmem by name: tdxmemd's modprobe.d blacklists its load by alias.
modprobe kmem
daxctl reconfigure-device -m system-ram --no-online "$A" >>"$OUT/daxctl.log" 2>&1
settle
map_facts before_A "$A"
map_facts before_B "$B"
a1=$(dax_mappings "$A" | sed -n 1p)
cmr_file /run/cmrs-a1.txt "$BOOTRAM" "${a1% *}-${a1#* }"
mapfile -t ABLOCKS < <(dax_map_blocks "$A")
watch_blocks a "${ABLOCKS[@]}"
run_tdxmemd once --once --cmr-file /run/cmrs-a1.txt
settle
watch_stop a
map_facts after_A "$A"
map_facts after_B "$B"
rc=0
daxrw "/dev/$A" >"$OUT/daxrw.log" 2>&1 || rc=$?
fact daxrw_rc "$rc"
