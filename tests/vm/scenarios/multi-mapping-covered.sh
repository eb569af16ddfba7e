#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# multi-mapping-covered: a 1 GiB region carved by daxctl into device A of
# two non-adjacent mappings and device B between them (straddle_layout:
# A's resource + size span covers B).  TDX enabled by the BIOS, the CMRs
# cover the window.  B is put online first (--device B), then A
# (--device A): A online whole, 4 blocks, every block of both its mappings
# online; then A is made not-convertible (a CMR file without A's second
# mapping) and goes back to devdax.  B's blocks never change (sampled
# throughout) and B keeps its one online record.
# vm-cxl: 1G
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM,$WIN0"
cxl_region 0
settle
straddle_layout "$DAX"
settle
run_tdxmemd b --once --device "$B"
settle
map_facts b_A "$A"
map_facts b_B "$B"
mapfile -t BBLOCKS < <(dax_map_blocks "$B")
watch_blocks b "${BBLOCKS[@]}"
run_tdxmemd a --once --device "$A"
settle
map_facts a_A "$A"
map_facts a_B "$B"
# Everything but A's second mapping: A not-convertible, B still covered.
a2=$(dax_mappings "$A" | sed -n 2p)
cmr_file /run/cmrs-a1.txt "$BOOTRAM" "$REGION_START-${a2%% *}"
run_tdxmemd devdax --once --device "$A" --cmr-file /run/cmrs-a1.txt
settle
watch_stop b
map_facts devdax_A "$A"
map_facts devdax_B "$B"
run_tdxmemd status status --json
