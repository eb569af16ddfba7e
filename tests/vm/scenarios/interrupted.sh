#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# interrupted: tdxmemd is killed (SIGKILL) between two blocks while it
# onlines a covered device (tdxsim delay_ms makes each MEM_GOING_ONLINE
# slow).  kmem's probe onlines every block inside the one write to its
# bind, which the kill does not cut short: the device is whole, and the
# next run records it "already" and puts back auto_online_blocks, which the
# killed run had set for its bind.
# vm-cxl: 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM,$WIN0" delay_ms=1500
cxl_region 0
settle
tdxmemd --once >"$OUT/killed.stdout" 2>"$OUT/killed.stderr" &
pid=$!
# Wait until the first block is online, then kill during the second one's
# MEM_GOING_ONLINE sleep.
for _ in $(seq 200); do
	(($(blocks_online "$DAX") >= 1)) && break
	sleep 0.1
done
sleep 0.5
kill -KILL "$pid"
wait "$pid" || true
dev_facts killed "$DAX"
fact killed_auto_online "$(cat "$MEMSYS/auto_online_blocks")"
echo 0 >/sys/module/tdxsim/parameters/delay_ms
run_tdxmemd once --once
settle
dev_facts after "$DAX"
fact after_auto_online "$(cat "$MEMSYS/auto_online_blocks")"
