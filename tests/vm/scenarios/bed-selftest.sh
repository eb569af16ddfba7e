#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bed-selftest: the bed itself, with kernel and ndctl tools only (no
# tdxmemd): a CXL RAM region and its dax device appear; the simulated TDX
# host prints its log lines, refuses MEM_GOING_ONLINE with EPERM, counts
# each refusal and honours delay_ms; daxctl can take the stranded device
# back to devdax, and the devdax device maps and reads back.
# vm-cxl: 512M
# vm-needs-tdxmemd: no
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh

settle
fact auto_online_blocks "$(cat "$MEMSYS/auto_online_blocks")"
fact block_size_bytes "$(cat "$MEMSYS/block_size_bytes")"

# Window 0 is [0x390000000, 0x490000000).  The TDX memory list is the boot
# RAM, so even a CMR covering the window does not let it online.
tdxsim_load state=initialized cmrs=0x100000-0x80000000,0x390000000-0x490000000
fact tdxsim_state "$(cat /sys/module/tdxsim/parameters/state)"

cxl_region 0 -s 512M
settle
fact dax_driver_after_create "$(dax_driver "$DAX")"
mapfile -t blocks < <(dax_blocks "$DAX")
fact blocks "${#blocks[@]}"
fact blocks_online_after_create "$(blocks_online "$DAX")"
snapshot after-create

# One block by hand: the notifier's NOTIFY_BAD is EPERM for the writer.
fact write_online_movable "$(try_write "$MEMSYS/${blocks[0]}/state" online_movable)"
fact refusals_after_write "$(tdxsim_refusals)"

# delay_ms: each MEM_GOING_ONLINE sleeps first.
echo 300 >/sys/module/tdxsim/parameters/delay_ms
t0=$(date +%s%N)
try_write "$MEMSYS/${blocks[1]}/state" online_movable >/dev/null
t1=$(date +%s%N)
echo 0 >/sys/module/tdxsim/parameters/delay_ms
fact delayed_write_ms "$(((t1 - t0) / 1000000))"
fact refusals_after_delay "$(tdxsim_refusals)"

# What daxctl does: stops at the first refused block (docs/platform-notes.md, section 4).
rc=0
daxctl online-memory "$DAX" >"$OUT/daxctl-online.log" 2>&1 || rc=$?
fact daxctl_online_rc "$rc"
fact refusals_after_daxctl "$(tdxsim_refusals)"
fact blocks_online_after_daxctl "$(blocks_online "$DAX")"

# Stranded (kmem bound, 0 blocks online); daxctl takes it back to devdax.
rc=0
daxctl reconfigure-device --mode=devdax -f "$DAX" >"$OUT/daxctl-devdax.json" 2>"$OUT/daxctl-devdax.log" || rc=$?
fact daxctl_devdax_rc "$rc"
settle
fact dax_driver_after_devdax "$(dax_driver "$DAX")"
rc=0
daxrw "/dev/$DAX" >"$OUT/daxrw.log" 2>&1 || rc=$?
fact daxrw_rc "$rc"
snapshot after-devdax
fact refusals_final "$(tdxsim_refusals)"

dmesg | grep 'virt/tdx: ' >"$OUT/virt-tdx.txt" || true
say finished
