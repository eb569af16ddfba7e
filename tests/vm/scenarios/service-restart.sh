#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# service-restart: the service (started by its udev rule) decides two
# devices, one online and one devdax; then `systemctl restart tdxmemd`.
# The new instance reconciles every device at start and again on the
# events triggered after it, and writes no second record for a decision
# that still holds: the state of this boot (/run/tdxmemd/state) survives
# the restart.  `tdxmemd status --json` then lists every dax device with
# its last decision (decision, reason, outcome, time).
# vm-cxl: 512M 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
settle
tdxsim_load state=bios "cmrs=$BOOTRAM,$WIN0"
cxl_region 0
DAX0=$DAX
cxl_region 1
DAX1=$DAX
wait_records 2 90 records_before_restart
quiet 2
service_facts before
cp /run/tdxmemd/state "$OUT/state-before-restart.txt" 2>/dev/null || true
fact restart_us "$(now_us)"
rc=0
systemctl restart tdxmemd.service || rc=$?
fact restart_rc "$rc"
# Type=notify: restart returns once the new instance's first pass is done.
service_facts restarted
# Events for the new instance: every device and region says "change", so
# its event passes decide both devices again (and must find them holding).
udevadm trigger --action=change --subsystem-match=dax --subsystem-match=cxl
quiet 3
fact records_final "$(count_records)"
cp /run/tdxmemd/state "$OUT/state-after-restart.txt" 2>/dev/null || true
run_tdxmemd status status --json
run_tdxmemd status-table status
dev_facts after0 "$DAX0"
dev_facts after1 "$DAX1"
service_facts end
