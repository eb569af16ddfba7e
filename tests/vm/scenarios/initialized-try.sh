#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# initialized-try: AfterInit=try and a CMR file that covers the window: the
# kernel (TDX initialized) refuses the first block with EPERM; tdxmemd
# rolls back to devdax: 0 blocks online, one record, outcome rolled-back,
# ERRNO=1, exit 2, and the device still maps.
# vm-cxl: 512M
# vm-file: cmrs-window0.txt after-init-try.conf
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
# The installed configuration path, not --config: what an administrator does.
install -D -m 0644 "$FILES/after-init-try.conf" /etc/tdxmemd.conf
install -D -m 0644 "$FILES/cmrs-window0.txt" /etc/tdxmemd/cmrs.txt
tdxsim_load state=initialized
cxl_region 0
settle
dev_facts before "$DAX"
run_tdxmemd once --once
settle
dev_facts after "$DAX"
rc=0
daxrw "/dev/$DAX" >"$OUT/daxrw.log" 2>&1 || rc=$?
fact daxrw_rc "$rc"
