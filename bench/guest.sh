#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/guest.sh - the guest part of tdxmemd's benchmark; bench/run.sh boots
# the bed's guest once with it (vm-cxl: 4G 1G 1G 1G, host bridge decoders).
# It only measures: every figure goes to $OUT/samples.txt, one line each,
#   GROUP CASE TOOL N MICROSECONDS [ok|bad]
# and bench/report.py on the host turns them into medians and ratios.
# Each measurement verifies the state it promised (driver, blocks online);
# a "bad" line is one that did not get there. What it shares with
# bench/sizes.sh (the turn, the tools' commands) is in bench/common.sh.
#
#   blocks   online/devdax  floor|daxctl|tdxmemd  4|16|32   one device's turn
#   idle     base|procs500|procs2000|wrapped  daxctl-list|tdxmemd-once  0
#   scan     procs0|procs2000  tdxmemd  32   online from devdax: holders checked
#   scan-held procs0|procs2000  tdxmemd  32   the same with BIG held: /proc walked
#   pass     base|procs2000|wrapped  service  0   the service's own pass time (ms)
#   pass-ref base|procs2000|wrapped  daxctl-list  0   right after each pass
#   latency  single|burst8  service  0   region commit to its journal record
#            (and $OUT/latency.txt: CASE DAX COMMIT_US RECORD_US, which
#            report.py splits with the service's uevent and pass lines)
#   rest     wakeups60s|rss_kib  service  0
# shellcheck source=tests/vm/guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
# shellcheck source=bench/common.sh
. "$FILES/common.sh"

# The floor: what any tool must do, by hand. Bind kmem (it adds the
# memory), then one write per block; back: one write per block, unbind.
floor_online() {
	local b
	echo "$1" >"$BUS/drivers/device_dax/unbind"
	echo "$1" >"$BUS/drivers/kmem/bind"
	for b in $(dax_blocks "$1"); do echo online_movable >"$MEMSYS/$b/state"; done
}
floor_devdax() {
	local b
	for b in $(dax_blocks "$1"); do echo offline >"$MEMSYS/$b/state"; done
	echo "$1" >"$BUS/drivers/kmem/unbind"
	# by id, as in sizes.sh
	echo "$1" >"$BUS/drivers/device_dax/new_id"
}

# A device of SIZE from region 0's 4 GiB; daxctl create-device gives it
# device_dax.
cxl_region 0
settle
dev=$DAX
for size in 512M 2G 4G; do
	dax_destroy "$dev"
	dev=$(dax_create 0 "$size")
	settle
	n=$(whole_blocks "$dev")
	say "blocks: $dev, $size, $n blocks"
	pairs blocks "$n" "$dev"
done
BIG=$dev

# Nothing to do: every device as decided (the 32-block one online).
turn - - tdxmemd 32 "$BIG" online
idle() {
	local r t0 t1
	for ((r = 0; r < REPS * 2; r++)); do
		t0=$(now)
		daxctl list >/dev/null
		t1=$(now)
		sample idle "$1" daxctl-list 0 $((t1 - t0)) ok
		t0=$(now)
		tdxmemd --once --config "$CONF_ONLINE" >/dev/null 2>>"$OUT/bench.err"
		t1=$(now)
		sample idle "$1" tdxmemd-once 0 $((t1 - t0)) ok
	done
}

# The service's pass, as it times it itself (tdxmemd --verbose: "Pass for
# ...: ... ms."), for a change uevent of a device it has nothing to do for.
mkdir -p /run/systemd/system/tdxmemd.service.d
printf '[Service]\nExecStart=\nExecStart=%s --verbose\n' "$(command -v tdxmemd)" \
	>/run/systemd/system/tdxmemd.service.d/bench.conf
systemctl unmask --runtime tdxmemd.service >/dev/null
systemctl daemon-reload
SERVICE_START=$(now)
service_on() {
	systemctl start tdxmemd.service
	sleep 1
}
service_off() { systemctl stop tdxmemd.service; }
passes() {
	journalctl -u tdxmemd.service -o cat --since "@$((SERVICE_START / 1000000 - 1))" |
		grep -c '^Pass for ' || true
}
pass_times() {
	local r w before t0 t1
	for ((r = 0; r < REPS * 2; r++)); do
		before=$(passes)
		udevadm trigger -c change "$BUS/devices/$BIG"
		for ((w = 0; w < 100; w++)); do
			(($(passes) > before)) && break
			sleep 0.1
		done
		journalctl -u tdxmemd.service -o cat | grep '^Pass for ' | tail -1 |
			sed -n "s/.* \([0-9.]*\) ms\.$/pass $1 service 0 \1 ok/p" >>"$S"
		# the same moment's machine: daxctl list as the reference
		t0=$(now)
		daxctl list >/dev/null
		t1=$(now)
		sample pass-ref "$1" daxctl-list 0 $((t1 - t0)) ok
	done
}

processes() { find /proc -maxdepth 1 -name '[0-9]*' | wc -l; }
spawn() {
	local i
	for ((i = 0; i < $1; i++)); do sleep 100000 & done
	say "processes: $(processes)"
}

# Leaving devdax is where holders are read: a 32-block online (by --once:
# the service must not be running, or it would decide too).
scan() {
	local r
	for ((r = 0; r < REPS; r++)); do
		turn - - tdxmemd 32 "$BIG" devdax
		turn scan "$1" tdxmemd 32 "$BIG" online
	done
}

# The walk itself, needed while some dax file is open: a holder of BIG,
# spawned last (the highest PID: /proc is read to its end). --once finds
# it and leaves BIG devdax; the sample is good when it did.
scan_held() {
	local r t0 t1 holder ok
	turn - - tdxmemd 32 "$BIG" devdax
	sleep 100000 3<"/dev/$BIG" &
	holder=$!
	for ((r = 0; r < REPS; r++)); do
		t0=$(now)
		tdxmemd_online "$BIG" || true
		t1=$(now)
		ok=ok
		is_state "$BIG" devdax || ok=bad
		sample scan-held "$1" tdxmemd 32 $((t1 - t0)) "$ok"
	done
	kill "$holder"
	wait "$holder" 2>/dev/null || true
	turn - - tdxmemd 32 "$BIG" online
}

idle base
scan procs0
scan_held procs0
spawn 500
idle procs500
spawn 1500
fact procs_total "$(processes)"
idle procs2000
scan procs2000
scan_held procs2000
service_on
pass_times procs2000
mapfile -t spawned < <(jobs -p)
kill "${spawned[@]}" 2>/dev/null || true
wait 2>/dev/null || true
pass_times base

# A wrapped kernel log: 100,000 lines through /dev/kmsg (unthrottled for
# this), far more than the ring holds; the journal keeps them all.
echo on >/proc/sys/kernel/printk_devkmsg
perl -e 'open(my $k, ">", "/dev/kmsg") or die; syswrite($k, "bench: filler line $_\n") for 1..100000'
fact kmsg_first_record "$(timeout 2 dd if=/dev/kmsg bs=8192 count=1 iflag=nonblock 2>/dev/null | head -c 40 | tr -d '\n' || true)"
for ((w = 0; w < 600; w++)); do
	journalctl -k -o cat -n 1 | grep -q 'filler line 100000$' && break
	sleep 1
done
fact journal_kernel_lines "$(journalctl -k -o cat | wc -l)"
idle wrapped
pass_times wrapped

# Latency: commit of a region (cxl-region's committed_us) to its record.
latency() {
	local line dax c t
	while read -r line; do
		dax=$(sed -n 's/.* dax=\([^ ]*\) .*/\1/p' <<<"$line")
		c=$(sed -n 's/.*committed_us=\([0-9]*\).*/\1/p' <<<"$line")
		t=""
		for ((w = 0; w < 300; w++)); do
			t=$(journalctl -t tdxmemd -o json TDXMEMD_DEVICE="$dax" |
				sed -n 's/.*"__REALTIME_TIMESTAMP":"\([0-9]*\)".*/\1/p' | head -1)
			[[ -z $t ]] || break
			sleep 0.2
		done
		if [[ -n $t ]]; then
			sample latency "$1" service 0 $((t - c)) ok
			echo "$1 $dax $c $t" >>"$OUT/latency.txt"
		else
			sample latency "$1" service 0 0 bad
		fi
	done <"$2"
}
p0=$(passes)
r0=$(count_records)
for ((k = 0; k < 4; k++)); do
	cxl-region -s 256M serial:$((0x1234 + 1)) >>/tmp/single.txt
	wait_records $((r0 + k + 1)) 60 records_single
	quiet 1
done
latency single /tmp/single.txt
fact passes_single $(($(passes) - p0))
fact records_single_new $(($(count_records) - r0))
p0=$(passes)
r0=$(count_records)
for i in 2 3; do
	(for ((k = 0; k < 4; k++)); do cxl-region -s 256M serial:$((0x1234 + i)); done >"/tmp/burst$i.txt") &
done
wait
wait_records $((r0 + 8)) 120 records_burst
quiet 2
cat /tmp/burst2.txt /tmp/burst3.txt >/tmp/burst.txt
latency burst8 /tmp/burst.txt
fact passes_burst $(($(passes) - p0))
fact records_burst_new $(($(count_records) - r0))

# At rest: context switches in 60 s (the watchdog wakes it every 5 min).
pid=$(systemctl show -p MainPID --value tdxmemd.service)
ctx() { awk '/ctxt_switches/ {n += $2} END {print n}' "/proc/$pid/status"; }
c0=$(ctx)
sleep 60
sample rest wakeups60s service 0 $(($(ctx) - c0)) ok
sample rest rss_kib service 0 "$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")" ok
# Where it is: resident KiB per mapped file (heap, stack, anonymous apart),
# and of that the private dirty part: what only this process holds (heap,
# relocated data), where the rest is clean page cache any process shares.
awk '/^[0-9a-f]+-[0-9a-f]+ / { name = NF >= 6 ? $6 : "[anonymous]" }
	/^Rss:/ { rss[name] += $2 }
	/^Private_Dirty:/ { dirty[name] += $2 }
	END { for (n in rss) print rss[n], dirty[n] + 0, n }' "/proc/$pid/smaps" |
	sort -rn >"$OUT/rss.txt"
# The service's own lines (uevents seen, passes, records) for report.py's
# split of the latency; the whole boot's journal is too big to collect.
journalctl -u tdxmemd.service -o json --no-pager >"$OUT/service.json"
fact kernel_release "$(uname -r)"
say "bench done: $(wc -l <"$S") samples"
