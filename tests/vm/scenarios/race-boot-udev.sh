#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# race-boot-udev: as race-boot, but tdxmemd.service is not enabled: udev's
# coldplug starts it, and only the kmem blacklist keeps coldplug from
# loading kmem and adding the region first. (race-boot:) a CXL region
# outside the CMRs exists before systemd starts (race-boot.pre). Through udev's coldplug and tdxmemd.service's start its
# memory is never added (kmem blacklisted for alias loads, the dax bus held
# before kmem is loaded); TDX initialized right when the scenario starts
# succeeds, and the device ends devdax and mappable with one record.
# vm-cxl: 512M
# vm-pre-systemd: race-boot.pre
# vm-append: race_boot_udev
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
echo initialized >/sys/module/tdxsim/parameters/state
fact tdxsim_state "$(cat /sys/module/tdxsim/parameters/state)"
for kv in $(cat /run/race-boot.region); do
	fact "region0_${kv%%=*}" "${kv#*=}"
done
DAX=$(sed -n 's/.*dax=\([^ ]*\).*/\1/p' /run/race-boot.region)
settle
wait_records 1 60
quiet 2
touch /run/race-boot.stop
fact race_kmem_ever "$(xargs -n1 </run/race-boot.kmem 2>/dev/null | sort -u | xargs)"
fact records_final "$(count_records)"
fact service_active "$(systemctl is-active tdxmemd.service || true)"
dev_facts after "$DAX"
rc=0
daxrw "/dev/$DAX" >"$OUT/daxrw.log" 2>&1 || rc=$?
fact daxrw_rc "$rc"
