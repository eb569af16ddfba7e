#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# unaligned-joins: device A of two mappings that touch at an address that
# is not block aligned: X (192 MiB) then A (320 MiB) from the region's
# start, X destroyed, A grown by 192 MiB into X's place:
#   mapping0 [+192M, +512M)  -> kmem adds [+256M, +512M): 2 blocks
#   mapping1 [+0,    +192M)  -> kmem adds [+0,   +128M):  1 block
# 3 blocks, not the 4 of the joined range.  CMRs cover the window: A online
# whole, TDXMEMD_BLOCKS = the blocks kmem added = 3, all online.
# vm-cxl: 1G
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM,$WIN0"
cxl_region 0
settle
r=${DAX#dax}
r=${r%%.*}
dax_destroy "$DAX"
X=$(dax_create "$r" 192M)
A=$(dax_create "$r" 320M)
dax_destroy "$X"
dax_unbind "$A"
echo $((512 << 20)) >"/sys/bus/dax/devices/$A/size"
daxctl enable-device "$A" >>"$OUT/daxctl.log" 2>&1
fact A "$A"
settle
map_facts before_A "$A"
daxctl list -M -u >"$OUT/layout.daxctl.json" 2>&1 || true
run_tdxmemd once --once
settle
map_facts after_A "$A"
# Every block of the window that exists: kmem's, A being the only device.
bs=$((0x$(cat "$MEMSYS/block_size_bytes")))
fact window_blocks "$(for ((n = REGION_START / bs; n < (REGION_START + REGION_SIZE) / bs; n++)); do
	[[ -d $MEMSYS/memory$n ]] && echo "memory$n"
done | xargs)"
