#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# big-blocks: a guest with 64 GiB of boot RAM, as large servers have, where
# x86 picks its memory block size itself (arch/x86/mm/init_64.c
# probe_memory_block_size()): 2 GiB on bare metal from 64 GiB of RAM on;
# kernels that take the CXL windows' alignment as advice (drivers/acpi/
# numa/srat.c acpi_parse_cfmws()) pick what the window allows, here
# 256 MiB.  A 10 GiB CXL device at an address that is no multiple of
# 2 GiB: kmem adds only its whole blocks.  tdxmemd --once onlines them
# whole (one record), then returns the device to devdax when the CMR file
# no longer covers it.
# vm-cxl: 10G
# vm-memory: 64G
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
fact block_size_bytes "$(cat "$MEMSYS/block_size_bytes")"
RAM="$BOOTRAM 0x100000000-0x1080000000"
tdxsim_load state=bios "cmrs=$BOOTRAM"
cxl_region 0
WIN=$REGION_START-$(printf '%#x' $((REGION_START + REGION_SIZE)))
settle
# shellcheck disable=SC2086 # RAM is two ranges
cmr_file /etc/tdxmemd/cmrs.txt $RAM "$WIN"
run_tdxmemd online --once --cmr-file /etc/tdxmemd/cmrs.txt
settle
map_facts online "$DAX"
# shellcheck disable=SC2086
cmr_file /etc/tdxmemd/cmrs.txt $RAM
run_tdxmemd devdax --once --cmr-file /etc/tdxmemd/cmrs.txt
settle
map_facts devdax "$DAX"
