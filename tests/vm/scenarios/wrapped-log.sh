#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# wrapped-log: the kernel's ring buffer wraps after TDX's BIOS line, which
# only the journal then keeps. tdxmemd --once still finds it: the first
# run from the journal (and /run/tdxmemd/kernel-log, 0600, keeps its TDX
# lines, cursor and the ring's oldest record); the next from that cache and
# the ring, without the journal, since the ring has dropped nothing more;
# and after TDX initializes and the ring moves on, from the journal after
# the cached cursor, with the new line. The device is outside the CMRs:
# devdax, not-convertible, then tdx-initialized; never what a lost log
# (TDX disabled) would decide.
# vm-cxl: 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM"
cxl_region 0
settle
# Far more than the ring holds (Debian: 128 KiB); unthrottled for this.
echo on >/proc/sys/kernel/printk_devkmsg
perl -e 'open(my $k, ">", "/dev/kmsg") or die; syswrite($k, "wrapped-log: filler line $_\n") for 1..20000'
for ((w = 0; w < 120; w++)); do
	journalctl -k -o cat -n 1 | grep -q 'filler line 20000$' && break
	sleep 1
done
# "PRIO,SEQ,...": the oldest record the ring still holds
fact kmsg_oldest "$(timeout 2 dd if=/dev/kmsg bs=8192 count=1 iflag=nonblock 2>/dev/null |
	head -1 | cut -d, -f2 || true)"
fact ring_has_bios_line "$(dmesg | grep -c 'virt/tdx: BIOS enabled' || true)"
rm -f /run/tdxmemd/kernel-log
run_tdxmemd first --once --json --verbose
fact cache_mode "$(stat -c %a /run/tdxmemd/kernel-log 2>/dev/null || echo none)"
fact cache_kmsg "$(sed -n 's/^kmsg //p' /run/tdxmemd/kernel-log 2>/dev/null)"
run_tdxmemd second --once --json --verbose
echo initialized >/sys/module/tdxsim/parameters/state
settle
# Enough new records to move the ring's oldest on past the cached one.
perl -e 'open(my $k, ">", "/dev/kmsg") or die; syswrite($k, "wrapped-log: after init $_\n") for 1..200'
for ((w = 0; w < 60; w++)); do
	journalctl -k -o cat -n 1 | grep -q 'after init 200$' && break
	sleep 1
done
run_tdxmemd third --once --json --verbose
