#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# eight-devices: eight dax devices decided in one pass.  Four 256 MiB
# regions on each of two devices (host bridge decoders on), all made before
# `tdxmemd --once`, with a distribution rule onlining every added block
# (written "online", as in VMs).  The CMR file covers window 0: its four
# devices go online whole, window 1's four stay devdax with nothing
# present; eight records, exit 0.
# vm-cxl: 1G 1G
# vm-hb-decoders: on
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
distro_rule online
cmr_file /etc/tdxmemd/cmrs.txt "$BOOTRAM" "$WIN0"
tdxsim_load state=bios "cmrs=$BOOTRAM"
devices=()
for i in 0 0 0 0 1 1 1 1; do
	cxl_region "$i" -s 256M
	devices+=("$DAX")
done
fact devices "${devices[*]}"
settle
run_tdxmemd once --once --cmr-file /etc/tdxmemd/cmrs.txt
settle
for d in "${devices[@]}"; do
	map_facts "$d" "$d"
done
