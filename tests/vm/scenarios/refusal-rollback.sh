#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# refusal-rollback: BIOS-enabled TDX, the window in the CMRs, and tdxsim
# refuses the 3rd of the device's 4 blocks as it goes online (refuse_nth).
# tdxmemd --once detects it (a whole-device write does not fail for it:
# every block is counted), takes the memory away again ("unplugged" where
# kmem has daxX.Y/state, else block by block), returns the device to
# devdax: 0 blocks present, /dev/daxX.Y maps, one record rolled-back.
# vm-cxl: 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM,$WIN0"
cxl_region 0
settle
dev_facts before "$DAX"
echo 3 >/sys/module/tdxsim/parameters/refuse_nth
strace -f -y -e trace=write -o "$OUT/strace-online.txt" \
	tdxmemd --once >"$OUT/once.stdout" 2>"$OUT/once.stderr" && rc=0 || rc=$?
echo "$rc" >"$OUT/once.rc"
settle
dev_facts after "$DAX"
fact refuse_nth_left "$(cat /sys/module/tdxsim/parameters/refuse_nth)"
fact kmem_after "$(kmem_ranges)"
rc=0
daxrw "/dev/$DAX" >"$OUT/daxrw.log" 2>&1 || rc=$?
fact daxrw_rc "$rc"
