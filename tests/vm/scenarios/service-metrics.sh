#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# service-metrics: the packaged service with [Metrics] TextfilePath=: the
# file exists from its start (no device yet), and after two regions (one
# covered, one not) it lists both devices with their decisions, the TDX
# state and two decisions; `tdxmemd status --prometheus` prints the same
# devices.  The host checks both with promtool.
# vm-cxl: 512M 512M
# vm-pre-systemd: service-metrics.pre
# vm-install: package
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
PROM=/var/lib/prometheus/node-exporter/tdxmemd.prom
settle
fact service_active_at_start "$(systemctl is-active tdxmemd.service || true)"
cp "$PROM" "$OUT/metrics-start.prom" 2>/dev/null || true
cxl_region 0
DAX0=$DAX
cxl_region 1
DAX1=$DAX
settle
wait_records 2 90
settle
quiet 2
cp "$PROM" "$OUT/metrics.prom"
fact prom_mode "$(stat -c %a "$PROM")"
fact prom_leftovers "$(find "$(dirname "$PROM")" -name '*.new' | wc -l)"
run_tdxmemd status status --prometheus
dev_facts after0 "$DAX0"
dev_facts after1 "$DAX1"
