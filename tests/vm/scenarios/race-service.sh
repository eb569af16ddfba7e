#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# race-service: tdxmemd.service running from boot, TDX enabled by the BIOS,
# CMRs = boot RAM and window 0. A region in window 0 goes online first, so
# kmem is loaded and only the held dax bus keeps it from binding the next
# device. Then a region outside the CMRs is created, and TDX is
# initialized as soon as the region is committed (as kvm_intel tdx=1 loading
# during coldplug would). Nothing may be present then: the initialization
# succeeds, and the device ends devdax and mappable with one record.
# vm-cxl: 512M 512M
# vm-pre-systemd: race.pre
# vm-install: package
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
settle
fact service_active_before "$(systemctl is-active tdxmemd.service || true)"
cxl_region 0
DAX0=$DAX
wait_records 1 60 records_first
dev_facts first "$DAX0"
race_watch
cxl_region 1
wait_records 2 60
quiet 2
race_collect
race_end "$DAX"
