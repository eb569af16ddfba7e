#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# held-devdax: two devdax devices whose windows the CMR file then covers.
# dax1 is held, first by a mapping whose descriptor was closed, then by a
# descriptor alone; device_dax's unbind would tear either away.  Each
# --once leaves dax1 devdax (in-use, its data intact) and onlines dax0:
# with a dax file open, the device_dax module's count cannot rule holders
# out, so /proc is walked and must find none for dax0.  With the holder
# gone the count rules every holder out, and the last run onlines dax1.
# vm-cxl: 512M 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM,$WIN0,$WIN1"
printf '[TDX]\nCmrFile=/etc/tdxmemd/cmrs.txt\n' >/etc/tdxmemd.conf
cmr_file /etc/tdxmemd/cmrs.txt "$BOOTRAM"
cxl_region 0
DAX0=$DAX
cxl_region 1
DAX1=$DAX
settle
run_tdxmemd devdax --once
settle
dev_facts devdax0 "$DAX0"
dev_facts devdax1 "$DAX1"

# module_facts PREFIX: device_dax's count and the modules linked against it.
module_facts() {
	local m=/sys/module/device_dax
	fact "$1_refcnt" "$(cat $m/refcnt 2>/dev/null || echo none)"
	fact "$1_linked" "$(find $m/holders -mindepth 1 -printf '%f ' 2>/dev/null | xargs)"
}
module_facts free
rc=0
dax_pattern write "/dev/$DAX1" >"$OUT/pattern-write.log" 2>&1 || rc=$?
fact pattern_write_rc "$rc"

# The holder maps 2 MiB, closes its descriptor and keeps the mapping.
ready=/run/held-devdax.ready
perl -e '
	my ($dev, $ready) = @ARGV;
	open(my $fh, "+<", $dev) or die "open $dev: $!";
	my $addr = syscall(9, 0, 2 << 20, 3, 1, fileno($fh), 0);
	die "mmap $dev: $!" if $addr == -1;
	close($fh);
	open(my $r, ">", $ready) or die; close($r);
	sleep 1000;
' "/dev/$DAX1" "$ready" &
holder=$!
for ((i = 0; i < 100; i++)); do [[ -e $ready ]] && break; sleep 0.1; done
fact mapper_fds "$(find /proc/$holder/fd -mindepth 1 -lname "/dev/$DAX1" | wc -l)"
fact mapper_maps "$(grep -c "/dev/$DAX1\$" /proc/$holder/maps || true)"
module_facts mapped
cmr_file /etc/tdxmemd/cmrs.txt "$BOOTRAM" "$WIN0" "$WIN1"
run_tdxmemd mapped --once
settle
dev_facts mapped0 "$DAX0"
dev_facts mapped1 "$DAX1"
fact mapper_alive "$(kill -0 $holder 2>/dev/null && echo yes || echo no)"
kill $holder
wait $holder 2>/dev/null || true

# A descriptor alone, no mapping.
sleep 1000 3<"/dev/$DAX1" &
holder=$!
sleep 0.5
module_facts opened
run_tdxmemd opened --once
settle
dev_facts opened1 "$DAX1"
kill $holder
wait $holder 2>/dev/null || true

rc=0
dax_pattern verify "/dev/$DAX1" >"$OUT/pattern-verify.log" 2>&1 || rc=$?
fact pattern_verify_rc "$rc"
module_facts released
run_tdxmemd released --once
settle
dev_facts released0 "$DAX0"
dev_facts released1 "$DAX1"
