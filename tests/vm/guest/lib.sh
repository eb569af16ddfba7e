# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# lib.sh - helpers for scenario scripts running in the test guest.
# A scenario does:  . /usr/local/lib/tdxmemd-vm/lib.sh
# and leaves its evidence in $OUT (the share's out/ directory); the host
# side (check.py) asserts on it.  Helpers record, they do not judge, except
# where a step cannot go on (no region, no dax device).
set -euo pipefail

VMLIB=/usr/local/lib/tdxmemd-vm
OUT=${OUT:-/mnt/vm/out}
export FILES=/mnt/vm/files
MEMSYS=/sys/devices/system/memory

say() { printf '== [%s] %s\n' "$(cut -d' ' -f1 /proc/uptime)" "$*"; }

# Note KEY=VALUE into $OUT/facts (one per line) for the checker.
fact() { printf '%s=%s\n' "$1" "$2" >>"$OUT/facts"; }

settle() { udevadm settle -t 30 || say "udevadm settle timed out"; }

# tdxsim_load [state=bios|initialized|failed] [cmrs=A-B,...] [memlist=...]
#             [delay_ms=N]
tdxsim_load() {
	say "insmod tdxsim $*"
	insmod "$VMLIB/tdxsim.ko" "$@"
}
tdxsim_refusals() { cat /sys/module/tdxsim/parameters/refusals; }

# cxl_region INDEX [cxl-region options]: region on the INDEX-th QEMU CXL
# device (serial 0x1234 + INDEX, see run-guest.sh).  Sets REGION, DAX,
# REGION_START, REGION_SIZE and records them as facts region<INDEX>_*.
cxl_region() {
	local idx=$1 line kv
	shift
	line=$(cxl-region "$@" "serial:$((0x1234 + idx))")
	say "cxl-region: $line"
	for kv in $line; do
		fact "region${idx}_${kv%%=*}" "${kv#*=}"
	done
	REGION=$(sed -n 's/.*region=\([^ ]*\).*/\1/p' <<<"$line")
	DAX=$(sed -n 's/.*dax=\([^ ]*\).*/\1/p' <<<"$line")
	REGION_START=$(sed -n 's/.*start=\([^ ]*\).*/\1/p' <<<"$line")
	REGION_SIZE=$(sed -n 's/.*size=\([^ ]*\).*/\1/p' <<<"$line")
	export REGION DAX REGION_START REGION_SIZE
}

# tdxmemd_service_off: for scenarios about `tdxmemd --once`: keep the
# installed udev rule (70-tdxmemd.rules, SYSTEMD_WANTS=tdxmemd.service on
# every dax/region add) from starting the resident service, so that only the
# scenario's own runs act and record.
tdxmemd_service_off() {
	systemctl mask --runtime tdxmemd.service tdxmemd-once@.service >/dev/null
	say "tdxmemd.service and tdxmemd-once@.service masked for this boot"
}

# dax_driver DAX: the driver bound to the dax device (kmem, device_dax or
# none).
dax_driver() {
	local l=/sys/bus/dax/devices/$1/driver
	if [[ -e $l ]]; then basename "$(readlink -f "$l")"; else echo none; fi
}

# dax_blocks DAX: memoryN names of the blocks inside the device's range.
# kmem hot-adds only the block-aligned part of a dax range
# (drivers/dax/kmem.c dax_kmem_range()).
dax_blocks() {
	local res size bs first last n
	res=$(($(cat "/sys/bus/dax/devices/$1/resource")))
	size=$(($(cat "/sys/bus/dax/devices/$1/size")))
	bs=$((0x$(cat "$MEMSYS/block_size_bytes")))
	first=$(((res + bs - 1) / bs))
	last=$(((res + size) / bs - 1))
	for ((n = first; n <= last; n++)); do
		[[ -d $MEMSYS/memory$n ]] && echo "memory$n"
	done
	return 0
}

# blocks_online DAX: how many of its blocks are online.
blocks_online() {
	local b c=0
	for b in $(dax_blocks "$1"); do
		[[ $(cat "$MEMSYS/$b/state") == online ]] && c=$((c + 1))
	done
	echo "$c"
}

# snapshot NAME: the memory/dax state at this point, for before/after
# comparisons on the host.
snapshot() {
	daxctl list -M -u >"$OUT/$1.daxctl.json" 2>"$OUT/$1.daxctl.err" || true
	vm-memory-dump >"$OUT/$1.memory.txt"
}

# run_tdxmemd NAME ARGS...: run tdxmemd once, bounded; keep stdout, stderr
# and the exit code as $OUT/NAME.{stdout,stderr,rc}.  Never fails.
run_tdxmemd() {
	local name=$1 rc=0
	shift
	say "tdxmemd $*"
	timeout -k 5 90 tdxmemd "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr" || rc=$?
	echo "$rc" >"$OUT/$name.rc"
	say "tdxmemd exit $rc"
	return 0
}

# try_write FILE VALUE: write to a sysfs file, print "ok" or the errno name
# reported by the write (EPERM is what a refused MEM_GOING_ONLINE gives).
try_write() {
	local err
	if err=$( (echo "$2" >"$1") 2>&1); then
		echo ok
	else
		case $err in
		*"Operation not permitted"*) echo EPERM ;;
		*"Device or resource busy"*) echo EBUSY ;;
		*"Invalid argument"*) echo EINVAL ;;
		*) echo "error:$err" ;;
		esac
	fi
}

# dev_facts PREFIX DAX: record the device's driver, its blocks, how many are
# online and in which zones (valid_zones of an online block names the zone
# it is in), and the simulator's refusal count, as facts PREFIX_*.
dev_facts() {
	local p=$1 dax=$2 b zones=() bl
	fact "${p}_driver" "$(dax_driver "$dax")"
	mapfile -t bl < <(dax_blocks "$dax")
	fact "${p}_blocks" "${#bl[@]}"
	fact "${p}_online" "$(blocks_online "$dax")"
	for b in "${bl[@]}"; do
		[[ $(cat "$MEMSYS/$b/state") == online ]] &&
			zones+=("$(cat "$MEMSYS/$b/valid_zones")")
	done
	fact "${p}_zones" "$(printf '%s\n' "${zones[@]}" | sort -u | xargs)"
	if [[ -d /sys/module/tdxsim ]]; then
		fact "${p}_refusals" "$(tdxsim_refusals)"
	fi
	return 0
}

# Window addresses (run-guest.sh: one 4 GiB CXL window per device, in QEMU
# device order) and the boot RAM the guest's 2 GiB occupy.
export WIN0=0x390000000-0x490000000
export WIN1=0x490000000-0x590000000
export BOOTRAM=0x100000-0x80000000

# count_records [MATCH...]: how many tdxmemd decision records the journal
# holds (optionally only those of journalctl matches such as
# MESSAGE_ID=... or TDXMEMD_DEVICE=dax0.0).
count_records() {
	journalctl -t tdxmemd -o json --no-pager "$@" 2>/dev/null |
		grep -c '"TDXMEMD_DEVICE"' || true
}

# wait_records N SECONDS [FACT [MATCH...]]: wait until the journal holds N
# tdxmemd decision records (the resident service acts on its own time),
# counting only those of the journalctl MATCHes when given; records the
# count seen as fact FACT (default records_seen).
wait_records() {
	local n=$1 secs=$2 name=${3:-records_seen} c=0
	local deadline=$((SECONDS + secs))
	shift $(($# < 3 ? $# : 3))
	# A deadline, not a count of polls: each poll runs journalctl, which
	# takes far longer than the sleep under TCG.
	while :; do
		c=$(count_records "$@")
		((c >= n || SECONDS >= deadline)) && break
		sleep 0.2
	done
	fact "$name" "$c"
	say "tdxmemd records in the journal${*:+ ($*)}: $c"
}

# now_us: the realtime clock in microseconds, the unit of the journal's
# __REALTIME_TIMESTAMP.  bash's EPOCHREALTIME needs no fork, so the reading
# is taken when the line runs.
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }

# quiet SECONDS: let udev finish, then give the service SECONDS more: a
# record that should not be written (a duplicate) would come within them
# (one pass follows 150 ms after the last event).
quiet() {
	settle
	sleep "$1"
}

# service_facts PREFIX: tdxmemd.service's main PID, automatic restarts,
# state and result, as facts PREFIX_pid, PREFIX_nrestarts, PREFIX_active
# and PREFIX_result.
service_facts() {
	local p=$1 u=tdxmemd.service
	fact "${p}_pid" "$(systemctl show -p MainPID --value "$u")"
	fact "${p}_nrestarts" "$(systemctl show -p NRestarts --value "$u")"
	fact "${p}_active" "$(systemctl is-active "$u" || true)"
	fact "${p}_result" "$(systemctl show -p Result --value "$u")"
}

# wait_active SECONDS: wait until tdxmemd.service is active (for example
# after Restart= brought it back); never fails, the facts tell.
wait_active() {
	local i
	for ((i = 0; i < $1 * 5; i++)); do
		[[ $(systemctl is-active tdxmemd.service || true) == active ]] && return 0
		sleep 0.2
	done
	say "tdxmemd.service not active after $1 s"
}

# committed_regions: sets COMMITTED to how many CXL regions are committed.
# A variable, not output: the poll below must not fork for it.
committed_regions() {
	local f v
	COMMITTED=0
	for f in /sys/bus/cxl/devices/region*/commit; do
		[[ -r $f ]] || continue
		read -r v <"$f" || continue
		if [[ $v == 1 ]]; then COMMITTED=$((COMMITTED + 1)); fi
	done
}

# commit_watch FILE: in the background, wait for one more committed CXL
# region than there is now and write when it was first seen (now_us) to
# FILE.  A commit sends no uevent to wait for, so this polls, every 10 ms,
# for at most about 60 s (no FILE then).  The caller waits for the job
# (wait $!).
commit_watch() {
	local file=$1 base
	committed_regions
	base=$COMMITTED
	(
		for ((i = 0; i < 6000; i++)); do
			committed_regions
			if ((COMMITTED > base)); then
				now_us >"$file"
				exit 0
			fi
			sleep 0.01
		done
	) &
}
