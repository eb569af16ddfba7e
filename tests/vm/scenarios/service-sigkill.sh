#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# service-sigkill: the running service (enabled at boot) onlines a covered
# device, each MEM_GOING_ONLINE slowed by tdxsim delay_ms;
# the service is SIGKILLed between two blocks (systemctl kill -s KILL, as
# a watchdog or stop timeout would).  The unit's Restart=on-failure brings
# it back.  kmem's probe onlines inside the one write to its bind, which
# the kill does not cut short: the new instance finds the device whole,
# puts back auto_online_blocks, and writes the one record (the killed one
# never recorded).
# vm-cxl: 512M
# vm-pre-systemd: service-late-init.pre
# vm-install: package
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
settle
service_facts start
DELAY=/sys/module/tdxsim/parameters/delay_ms
echo 1500 >"$DELAY"
cxl_region 0
# Wait until the first block is online, then kill during the second one's
# MEM_GOING_ONLINE sleep.
for _ in $(seq 300); do
	(($(blocks_online "$DAX") >= 1)) && break
	sleep 0.1
done
sleep 0.5
fact killed_pid "$(systemctl show -p MainPID --value tdxmemd.service)"
fact killed_online_before "$(blocks_online "$DAX")"
fact killed_records_before "$(count_records)"
systemctl kill -s KILL tdxmemd.service
# The block in its sleep still completes (msleep is not interruptible);
# the blocks after it are the new instance's work, at full speed.
echo 0 >"$DELAY"
fact killed_online_after "$(blocks_online "$DAX")"
wait_records 1 60
wait_active 30
quiet 3
fact records_final "$(count_records)"
service_facts after
dev_facts after "$DAX"
fact after_auto_online "$(cat "$MEMSYS/auto_online_blocks")"
systemctl status tdxmemd.service --no-pager >"$OUT/service-status.txt" 2>&1 || true
