#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# service-late-init: tdxmemd.service enabled and running from boot while TDX
# is only BIOS-enabled; the TDX module is initialized later (as kvm_intel
# tdx=1 does on 6.12-6.18), then a region appears.  The service must decide
# with the TDX state of now (tdx-initialized: devdax without a refusal),
# not the one it read at start (it would then try to online and be
# refused).
# vm-cxl: 512M
# vm-pre-systemd: service-late-init.pre
# vm-install: package
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
settle
fact service_active_at_start "$(systemctl is-active tdxmemd.service || true)"
fact tdxsim_state_at_start "$(cat /sys/module/tdxsim/parameters/state)"
echo initialized >/sys/module/tdxsim/parameters/state
fact tdxsim_state "$(cat /sys/module/tdxsim/parameters/state)"
cxl_region 0
settle
wait_records 1 90
settle
dev_facts after "$DAX"
systemctl show tdxmemd.service -p ActiveState,SubState,NRestarts,Result >"$OUT/service-show.txt"
