#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# auto-online: the kernel onlines new memory itself (memhp_default_state=
# online, Debian's default, ZONE_NORMAL); TDX enabled by the BIOS, window
# not covered.  The memory is online before tdxmemd runs; it ends devdax.
# vm-cxl: 512M
# vm-memhp: online
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
fact auto_online_blocks "$(cat "$MEMSYS/auto_online_blocks")"
tdxsim_load state=bios "cmrs=$BOOTRAM"
# kmem loaded before tdxmemd held the dax bus (by hand, or built in): the
# one way memory is still added, and onlined, before tdxmemd decides.
modprobe kmem
cxl_region 0
settle
dev_facts before "$DAX"
run_tdxmemd once --once
settle
dev_facts after "$DAX"
run_tdxmemd status status
