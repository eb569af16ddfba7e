#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# broken-config: /etc/tdxmemd.conf has a typo on line 3. A CXL region
# appears; the udev rule starts tdxmemd.service, which refuses to start
# (exit 1, the file and line in its log) but first gives the unbound dax
# device device_dax: nothing is added, /dev/daxX.Y maps. tdxmemd --once
# does the same and says the same. No decision is recorded.
# vm-cxl: 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
settle
tdxsim_load state=bios "cmrs=$BOOTRAM"
printf '[Policy]\nOnlineType=movable\nOnlineTyp=kernel\n' >/etc/tdxmemd.conf
fact service_active_before "$(systemctl is-active tdxmemd.service || true)"
cxl_region 0
settle
# the service's start, run by udev, ends on its own
for ((i = 0; i < 100; i++)); do
	[[ $(dax_driver "$DAX") != none ]] && [[ $(systemctl is-active tdxmemd.service || true) != activating ]] && break
	sleep 0.2
done
quiet 1
service_facts service
journalctl -b -u tdxmemd.service -o cat --no-pager >"$OUT/service.log" 2>&1 || true
dev_facts after "$DAX"
rc=0
daxrw "/dev/$DAX" >"$OUT/daxrw.log" 2>&1 || rc=$?
fact daxrw_rc "$rc"
# --once: the same refusal, the device stays as it is
run_tdxmemd once --once
dev_facts once "$DAX"
fact records_final "$(count_records)"
