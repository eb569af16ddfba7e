#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# whole-device: BIOS-enabled TDX, a CMR file covering the window: tdxmemd
# --once onlines a 4-block device under strace, in one kernel step: it sets
# auto_online_blocks to online_movable, binds kmem, whose probe adds and
# onlines every block, and sets it back; no daxX.Y/state or memoryN/state
# is written (on 7.3, no "unplugged" first).  Then the CMR file no longer
# covers the window and a second run returns the device to devdax
# ("unplugged" where kmem has daxX.Y/state, else block by block).
# vm-cxl: 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM"
printf '[TDX]\nCmrFile=/etc/tdxmemd/cmrs.txt\n' >/etc/tdxmemd.conf
cmr_file /etc/tdxmemd/cmrs.txt "$BOOTRAM" "$WIN0"
cxl_region 0
settle
dev_facts before "$DAX"
fact has_device_state_before "$([[ -e /sys/bus/dax/devices/$DAX/state ]] && echo yes || echo no)"
strace -f -y -e trace=write -o "$OUT/strace-online.txt" \
	tdxmemd --once >"$OUT/once.stdout" 2>"$OUT/once.stderr" && rc=0 || rc=$?
echo "$rc" >"$OUT/once.rc"
settle
dev_facts after "$DAX"
fact device_state_after "$(cat /sys/bus/dax/devices/$DAX/state 2>/dev/null || echo none)"
fact auto_online_after "$(cat /sys/devices/system/memory/auto_online_blocks)"
# Back to devdax: the window is no longer convertible.
cmr_file /etc/tdxmemd/cmrs.txt "$BOOTRAM"
strace -f -y -e trace=write -o "$OUT/strace-devdax.txt" \
	tdxmemd --once >"$OUT/devdax.stdout" 2>"$OUT/devdax.stderr" && rc=0 || rc=$?
echo "$rc" >"$OUT/devdax.rc"
settle
dev_facts devdax "$DAX"
rc=0
daxrw "/dev/$DAX" >"$OUT/daxrw.log" 2>&1 || rc=$?
fact daxrw_rc "$rc"
