#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# service-udev: tdxmemd as installed, no manual run: its udev rule starts
# tdxmemd.service when the regions appear, and the resident service
# decides both devices (one covered by the CMRs, one not), one record each.
# Also keeps `tdxmemd status --json` and `systemd-analyze security`.
# vm-cxl: 512M 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
settle
fact service_active_before "$(systemctl is-active tdxmemd.service || true)"
tdxsim_load state=bios "cmrs=$BOOTRAM,$WIN0"
cxl_region 0
DAX0=$DAX
cxl_region 1
DAX1=$DAX
settle
wait_records 2 90
settle
dev_facts after0 "$DAX0"
dev_facts after1 "$DAX1"
fact service_active "$(systemctl is-active tdxmemd.service || true)"
systemctl show tdxmemd.service -p ActiveState,SubState,NRestarts,Result >"$OUT/service-show.txt"
run_tdxmemd status status --json
systemd-analyze security tdxmemd.service --no-pager >"$OUT/security.txt" 2>&1 || true
