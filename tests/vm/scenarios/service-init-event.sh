#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# service-init-event: tdxmemd.service running from boot, two devices (one
# covered: online; one not: devdax). TDX is then initialized with no other
# event (echo initialized > tdxsim's state: only a virt/tdx kernel line
# tells): the device whose decision changes (online -> unchanged,
# online-before-init) gets one record within 2 s; the devdax one none.
# vm-cxl: 512M 512M
# vm-pre-systemd: service-late-init.pre
# vm-install: package
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
settle
cxl_region 0
DAX0=$DAX
cxl_region 1
DAX1=$DAX
wait_records 2 60 records_before
quiet 2
fact records_before_init "$(count_records)"
fact init_t "$(now_us)"
echo initialized >/sys/module/tdxsim/parameters/state
sleep 2
fact records_2s "$(count_records)"
quiet 3
fact records_final "$(count_records)"
dev_facts after0 "$DAX0"
dev_facts after1 "$DAX1"
