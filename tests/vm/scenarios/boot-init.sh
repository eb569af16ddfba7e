#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# boot-init: the TDX module was initialized at boot (newer kernels), before
# any CXL module; two regions appear while the service runs, one inside
# the CMRs and one outside.  Both end devdax, reason tdx-initialized, with
# no refused block; the state comes from tdx_host's version on kernels
# with the faux bus (6.14+), from the kernel log before.
# vm-cxl: 512M 512M
# vm-pre-systemd: boot-init.pre
# vm-install: package
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
settle
fact tdx_host_version "$(cat /sys/devices/faux/tdx_host/version 2>/dev/null || echo none)"
dmesg | grep 'virt/tdx:' >"$OUT/tdx-lines.txt" || true
cxl_region 0
DAX0=$DAX
cxl_region 1
DAX1=$DAX
settle
wait_records 2 90
settle
dev_facts after0 "$DAX0"
dev_facts after1 "$DAX1"
for d in "$DAX0" "$DAX1"; do
	rc=0
	daxrw "/dev/$d" >>"$OUT/daxrw.log" 2>&1 || rc=$?
	fact "daxrw_${d}_rc" "$rc"
done
