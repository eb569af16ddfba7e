#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmem-devdax: a legacy persistent-memory range (memmap=512M!1G: e820
# "Persistent Memory (legacy)" [0x40000000, 0x60000000), out of boot RAM),
# its namespace put in devdax mode (ndctl create-namespace -m devdax) and
# filled with a pattern.  The CMRs cover it (boot RAM): were tdxmemd to
# take it for its own, it would online it.  tdxmemd --once, then the
# resident service, then a reprobe of the namespace from its info block
# (ndctl disable-region + enable-region: what a boot does; a namespace
# cannot outlive the bed's -snapshot boots) with the service running:
# device_dax stays bound, the pattern reads back after each, tdxmemd writes
# no record for it, no block of it ever exists as system RAM; `--once
# --device` naming it is a usage error (exit 1) that touches nothing.  A CXL device
# beside it, covered, goes online: tdxmemd did act.
# vm-cxl: 512M
# vm-append: memmap=512M!1G
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM,$WIN0"
bs=$((0x$(cat "$MEMSYS/block_size_bytes")))
mapfile -t PBLOCKS < <(for ((n = 0x40000000 / bs; n < 0x60000000 / bs; n++)); do echo "memory$n"; done)
watch_blocks pmem "${PBLOCKS[@]}"
NS=$(ndctl list -N | sed -n 's/.*"dev":"\(namespace[^"]*\)".*/\1/p' | head -n1)
NREG=region${NS#namespace}
NREG=${NREG%%.*}
ndctl create-namespace -f -e "$NS" -m devdax >"$OUT/ndctl-create.json" 2>"$OUT/ndctl-create.log"
settle
P=$(sed -n 's/.*"chardev":"\([^"]*\)".*/\1/p' "$OUT/ndctl-create.json" | head -n1)
fact pmem_namespace "$NS"
fact pmem_region "$NREG"
fact pmem_dax "$P"
fact pmem_path "$(readlink -f "/sys/bus/dax/devices/$P")"
pmem_step() {
	local rc=0
	map_facts "$1" "$P"
	dax_pattern "${2:-verify}" "/dev/$P" >>"$OUT/pattern.log" 2>&1 || rc=$?
	fact "$1_pattern_rc" "$rc"
}
pmem_step created write
cxl_region 0
settle
run_tdxmemd once_pmem --once --device "$P"
pmem_step once_pmem
run_tdxmemd once --once
settle
pmem_step once
dev_facts once_cxl "$DAX"
systemctl unmask --runtime tdxmemd.service tdxmemd-once@.service >/dev/null
systemctl start tdxmemd.service
quiet 3
pmem_step service
service_facts service
ndctl disable-region "$NREG" >>"$OUT/ndctl.log" 2>&1
ndctl enable-region "$NREG" >>"$OUT/ndctl.log" 2>&1
quiet 3
pmem_step reprobe
service_facts reprobe
watch_stop pmem
grep -i 'persistent\|namespace\|kmem' /proc/iomem >"$OUT/pmem-iomem.txt" || true
