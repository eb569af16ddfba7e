#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# service-alerts: the textfile the shipped alert rules read, from the
# packaged service: device 0 covered (online), device 1 not (devdax),
# device 2 covered but its 3rd block refused (rolled back), and boot RAM
# partly outside the CMRs (TDX initialization would fail).  The host turns
# the file into promtool input and checks which alerts fire.
# vm-cxl: 512M 512M 512M
# vm-pre-systemd: service-alerts.pre
# vm-install: package
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
PROM=/var/lib/prometheus/node-exporter/tdxmemd.prom
settle
cxl_region 0
DAX0=$DAX
wait_records 1 60 records_online
# the 3rd block to go online from now on is refused: device 2's 3rd
# (device 1, not covered, stays devdax)
echo 3 >/sys/module/tdxsim/parameters/refuse_nth
cxl_region 1
DAX1=$DAX
cxl_region 2
DAX2=$DAX
settle
wait_records 3 90
quiet 2
cp "$PROM" "$OUT/metrics.prom"
# what node_exporter's stat collector exports as node_boot_time_seconds
fact boot_time "$(awk '$1 == "btime" { print $2 }' /proc/stat)"
fact refuse_nth_left "$(cat /sys/module/tdxsim/parameters/refuse_nth)"
dev_facts after0 "$DAX0"
dev_facts after1 "$DAX1"
dev_facts after2 "$DAX2"
