#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# big-region: a 4 GiB region, 32 memory blocks of 128 MiB, TDX initialized:
# exactly one record and no refused block.  For contrast, what onlining
# block by block does without tdxmemd (a per-block udev rule of the
# SUBSYSTEM=="memory", ACTION=="add" kind, or a loop over memoryN/state):
# one refusal per block, 32 in all.  (The kernel's own auto-online stops at
# the first refused block: add_memory_resource() walks the blocks with
# walk_memory_blocks(), which ends at the first error.)
# vm-cxl: 4G
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=initialized "cmrs=$BOOTRAM,$WIN0"
cxl_region 0 -s 4G
settle
dev_facts before "$DAX"
run_tdxmemd once --once
settle
dev_facts after "$DAX"

# The contrast: system-ram again, without onlining (daxctl -N), then every
# block written by hand.
rc=0
modprobe kmem # blacklisted for alias loads, and daxctl honours that
daxctl reconfigure-device --mode=system-ram --no-online "$DAX" >"$OUT/contrast.log" 2>&1 || rc=$?
settle
fact contrast_daxctl_rc "$rc"
mapfile -t blocks < <(dax_blocks "$DAX")
eperm=0
for b in "${blocks[@]}"; do
	[[ $(try_write "$MEMSYS/$b/state" online_movable) == EPERM ]] && eperm=$((eperm + 1))
done
fact contrast_eperm "$eperm"
dev_facts contrast "$DAX"
