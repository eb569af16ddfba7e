#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# race-udev: tdxmemd.service not running (not enabled); its udev rule
# starts it when the dax device appears. TDX enabled by the BIOS,
# CMRs = boot RAM. A CXL region outside the CMRs is created, and TDX is
# initialized as soon as the region is committed (as kvm_intel tdx=1 loading
# during coldplug would). Nothing may be present then: the initialization
# succeeds, and the device ends devdax and mappable with one record.
# vm-cxl: 512M
# vm-pre-systemd: race-udev.pre
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
settle
fact service_active_before "$(systemctl is-active tdxmemd.service || true)"
race_watch
cxl_region 0
wait_records 1 60
quiet 2
race_collect
race_end "$DAX"
