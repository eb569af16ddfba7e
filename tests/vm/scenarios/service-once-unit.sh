#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# service-once-unit: the per-device template (tdxmemd-once@.service, for
# hosts without the resident daemon) acts under its hardening: one device
# to online (kmem, memoryN/state writes), one to devdax (driver rebinds).
# vm-cxl: 512M 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
systemctl mask --runtime tdxmemd.service >/dev/null
settle
tdxsim_load state=bios "cmrs=$BOOTRAM,$WIN0"
cxl_region 0
DAX0=$DAX
cxl_region 1
DAX1=$DAX
settle
for i in 0 1; do
	d=DAX$i
	rc=0
	systemctl start "tdxmemd-once@${!d}.service" || rc=$?
	fact "unit${i}_start_rc" "$rc"
	systemctl show "tdxmemd-once@${!d}.service" -p Result,ExecMainStatus >"$OUT/unit$i-show.txt"
done
settle
dev_facts after0 "$DAX0"
dev_facts after1 "$DAX1"
