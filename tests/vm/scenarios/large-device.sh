#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# large-device: a 64 GiB CXL device, 512 blocks of 128 MiB (the guest's
# 6 GiB of boot RAM is below x86's 64 GiB threshold for larger blocks).
# tdxmemd --once, each run timed: online whole (one record, every block
# movable, no refusal); back to devdax whole when the CMR file no longer
# covers it;
# online again with the 300th block refused (tdxsim refuse_nth): rolled
# back whole, nothing present; then TDX initialized: devdax with no new
# refusal.
# vm-cxl: 64G
# vm-memory: 6G
# vm-timeout: 400
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
RAM="$BOOTRAM 0x100000000-0x200000000"
# the CMRs cover all boot RAM, below 4 GiB and above: TDX initializes
tdxsim_load state=bios "cmrs=$BOOTRAM,0x100000000-0x200000000"
cxl_region 0
WIN=$REGION_START-$(printf '%#x' $((REGION_START + REGION_SIZE)))
fact block_size_bytes "$(cat "$MEMSYS/block_size_bytes")"
settle
# timed NAME ARGS...: tdxmemd ARGS as run_tdxmemd NAME, its wall time in ms
timed() {
	local name=$1 t0
	shift
	t0=$(now_us)
	run_tdxmemd "$name" "$@"
	fact "${name}_ms" $((($(now_us) - t0) / 1000))
	settle
	map_facts "$name" "$DAX"
	fact "${name}_refusals" "$(tdxsim_refusals)"
}
# shellcheck disable=SC2086 # RAM is two ranges
cmr_file /etc/tdxmemd/cmrs.txt $RAM "$WIN"
timed online --once --cmr-file /etc/tdxmemd/cmrs.txt
# shellcheck disable=SC2086
cmr_file /etc/tdxmemd/cmrs.txt $RAM
timed devdax --once --cmr-file /etc/tdxmemd/cmrs.txt
echo 300 >/sys/module/tdxsim/parameters/refuse_nth
# shellcheck disable=SC2086
cmr_file /etc/tdxmemd/cmrs.txt $RAM "$WIN"
timed refused --once --cmr-file /etc/tdxmemd/cmrs.txt
fact refuse_nth_left "$(cat /sys/module/tdxsim/parameters/refuse_nth)"
echo initialized >/sys/module/tdxsim/parameters/state
timed initialized --once --cmr-file /etc/tdxmemd/cmrs.txt
