#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# unpluggable: a 64 MiB dax device (smaller than one 128 MiB block: kmem
# would add nothing) with no driver bound. tdxmemd --once decides unchanged
# (unpluggable) and gives it device_dax, so /dev/daxX.Y maps; never kmem.
# vm-cxl: 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM,$WIN0"
cxl_region 0
settle
r=${DAX#dax}
r=${r%%.*}
dax_destroy "$DAX"
SMALL=$(dax_create "$r" 64M)
fact small "$SMALL"
dax_unbind "$SMALL"
fact before_driver "$(dax_driver "$SMALL")"
run_tdxmemd once --once
settle
fact after_driver "$(dax_driver "$SMALL")"
rc=0
daxrw "/dev/$SMALL" >"$OUT/daxrw.log" 2>&1 || rc=$?
fact daxrw_rc "$rc"
