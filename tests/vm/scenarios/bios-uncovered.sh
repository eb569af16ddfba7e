#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bios-uncovered: TDX enabled by the BIOS, the CMRs do not cover the
# window: devdax, reason not-convertible; /dev/daxN.M maps and reads back.
# Then `tdxmemd explain` says why and what would change it.
# vm-cxl: 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM"
cxl_region 0
settle
dev_facts before "$DAX"
run_tdxmemd once --once
settle
dev_facts after "$DAX"
rc=0
daxrw "/dev/$DAX" >"$OUT/daxrw.log" 2>&1 || rc=$?
fact daxrw_rc "$rc"
# Why, on one screen, and the same as JSON; read-only.
run_tdxmemd explain explain "$DAX"
run_tdxmemd explain-json explain "$DAX" --json
