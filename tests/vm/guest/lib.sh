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
	# The package enables the service, which then runs from boot.
	systemctl stop tdxmemd.service
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

# ---- dax devices of several mappings -----------------------------------------
# A dax device of a CXL RAM region may be made of several ranges of it
# (daxctl create-device into a fragmented region): mappingN/{start,end,
# page_offset}, end inclusive.  kmem hot-adds each range aligned inward to
# the memory block size (drivers/dax/kmem.c dax_kmem_range()); the device's
# resource + size span says nothing about which blocks are its own.

# dax_mappings DAX: one line "START END" (hex, END exclusive) per mappingN,
# in N order.
dax_mappings() {
	local d=/sys/bus/dax/devices/$1 n
	for ((n = 0; ; n++)); do
		[[ -d $d/mapping$n ]] || break
		printf '%#x %#x\n' "$(($(cat "$d/mapping$n/start")))" \
			"$(($(cat "$d/mapping$n/end") + 1))"
	done
}

# dax_map_blocks DAX: memoryN names of the blocks kmem adds for the device:
# each mapping aligned inward on its own, whether the block exists now or
# not (it does while kmem is bound).
dax_map_blocks() {
	local bs s e n
	bs=$((0x$(cat "$MEMSYS/block_size_bytes")))
	while read -r s e; do
		for ((n = (s + bs - 1) / bs; n < e / bs; n++)); do
			echo "memory$n"
		done
	done < <(dax_mappings "$1")
}

# block_state memoryN: its state, or "absent" when the block does not exist.
block_state() {
	local s
	{ read -r s <"$MEMSYS/$1/state"; } 2>/dev/null || s=absent
	echo "$s"
}

# present_blocks DAX: the memory blocks that exist now and overlap any
# mapping of the device (kmem's, while it is bound; none in devdax mode
# unless another device added them).
present_blocks() {
	local bs s e n
	bs=$((0x$(cat "$MEMSYS/block_size_bytes")))
	while read -r s e; do
		for ((n = s / bs; n * bs < e; n++)); do
			[[ -d $MEMSYS/memory$n ]] && echo "memory$n"
		done
	done < <(dax_mappings "$1") | sort -u -V
}

# map_facts PREFIX DAX: the device as its mappings say, as facts PREFIX_*:
# dev, driver, mappings ("START-END ...", END exclusive), mapblocks (what
# dax_map_blocks gives), states (of those blocks, in that order), online,
# zones (of the online ones) and present (present_blocks).
map_facts() {
	local p=$1 dax=$2 b s on=0 bl states=() zones=()
	fact "${p}_dev" "$dax"
	fact "${p}_driver" "$(dax_driver "$dax")"
	fact "${p}_mappings" "$(dax_mappings "$dax" | tr ' ' - | xargs)"
	mapfile -t bl < <(dax_map_blocks "$dax")
	fact "${p}_mapblocks" "${bl[*]}"
	for b in "${bl[@]}"; do
		s=$(block_state "$b")
		states+=("$s")
		if [[ $s == online ]]; then
			on=$((on + 1))
			zones+=("$(cat "$MEMSYS/$b/valid_zones")")
		fi
	done
	fact "${p}_states" "${states[*]}"
	fact "${p}_online" "$on"
	fact "${p}_zones" "$(printf '%s\n' "${zones[@]}" | sort -u | xargs)"
	fact "${p}_present" "$(present_blocks "$dax" | xargs)"
}

# watch_blocks NAME BLOCK...: in the background, sample the state of each
# memory block every 20 ms and append a line "TIME_US memoryN=STATE ..." to
# $OUT/NAME.watch whenever it differs from the last one (the first sample
# is always written), until watch_stop NAME.  One line in the end: no
# sample ever saw a block change.
declare -gA WATCH_PIDS=()
watch_blocks() {
	local name=$1
	shift
	rm -f "/run/watch-$name.stop" "$OUT/$name.watch"
	(
		set +e
		prev=""
		while :; do
			cur=""
			for b in "$@"; do
				{ read -r s <"$MEMSYS/$b/state"; } 2>/dev/null || s=absent
				cur+=" $b=$s"
			done
			if [[ $cur != "$prev" ]]; then
				echo "$(now_us)$cur" >>"$OUT/$name.watch"
				prev=$cur
			fi
			[[ -e /run/watch-$name.stop ]] && exit 0
			sleep 0.02
		done
	) &
	WATCH_PIDS[$name]=$!
	say "watching $* ($name.watch)"
}
watch_stop() {
	touch "/run/watch-$1.stop"
	wait "${WATCH_PIDS[$1]}" || true
}

# dax_unbind DAX: detach whatever driver is bound (kmem needs the blocks
# offline), so that the device can be resized; a device the kernel left
# unbound stays so.
dax_unbind() {
	local drv
	drv=$(dax_driver "$1")
	[[ $drv == none ]] || echo "$1" >"/sys/bus/dax/drivers/$drv/unbind"
}

# dax_create REGION_ID SIZE: daxctl create-device of SIZE in dax region
# REGION_ID (it takes the region's free space first to last and binds
# device_dax); prints the new device's name.
dax_create() {
	local name
	name=$(daxctl create-device -r "$1" -s "$2" 2>>"$OUT/daxctl.log" |
		sed -n 's/.*"chardev":"\([^"]*\)".*/\1/p')
	[[ -n $name ]] || {
		say "daxctl create-device -r $1 -s $2 failed" >&2
		return 1
	}
	say "created $name: $(dax_mappings "$name" | xargs)" >&2
	echo "$name"
}

# dax_destroy DAX: give the device's ranges back to its region.  The
# region's first device (daxN.0) cannot be deleted: it is shrunk to 0.
dax_destroy() {
	dax_unbind "$1"
	if [[ $1 == *.0 ]]; then
		echo 0 >"/sys/bus/dax/devices/$1/size"
	else
		daxctl destroy-device "$1" >>"$OUT/daxctl.log" 2>&1
	fi
	say "destroyed $1"
}

# straddle_layout DAX: from the 1 GiB region of dax device DAX (its first),
# the layout of the multi-mapping scenarios, sets A and B:
#   A  512 MiB, two mappings: [+256M, +512M) and [+768M, +1G)
#   B  256 MiB at [+512M, +768M): between A's two, A's span straddles it
# Sequence: DAX shrunk to 0; three 256 MiB devices (X, H, B); H destroyed;
# A (512 MiB) takes the hole and the tail; X destroyed.  A and B are left
# as daxctl leaves them: devdax (device_dax bound).  Layout facts:
# layout_A_*, layout_B_* (map_facts).
straddle_layout() {
	local r=${1#dax} x h
	r=${r%%.*}
	dax_destroy "$1"
	x=$(dax_create "$r" 256M)
	h=$(dax_create "$r" 256M)
	B=$(dax_create "$r" 256M)
	dax_destroy "$h"
	A=$(dax_create "$r" 512M)
	dax_destroy "$x"
	export A B
	fact A "$A"
	fact B "$B"
	map_facts layout_A "$A"
	map_facts layout_B "$B"
	daxctl list -M -u >"$OUT/layout.daxctl.json" 2>&1 || true
}

# cmr_file FILE RANGE...: write a CMR file (tdxmemd --cmr-file, CmrFile=),
# one "[START, END)" line per START-END range.
cmr_file() {
	local f=$1 r
	shift
	mkdir -p "$(dirname "$f")"
	for r in "$@"; do
		printf '[%s, %s)\n' "${r%-*}" "${r#*-}"
	done >"$f.new"
	mv "$f.new" "$f"
	say "CMR file $f: $*"
}

# dax_pattern write|verify DEV [BYTES]: map the first BYTES (default 8 MiB,
# a multiple of the device's 2 MiB alignment) of a devdax device and write
# a known pattern to it, or check that it is still there.  Unlike daxrw,
# the two halves run apart, so data can be checked across other steps.
# Exit 0 ok, 2 open/mmap failed, 3 mismatch.  Perl (perl-base) mmaps by
# syscall: the guest has no Python.
dax_pattern() {
	perl -e '
		use strict; use warnings;
		my ($op, $dev, $len) = @ARGV;
		$len = defined $len ? int($len) : 8 << 20;
		open(my $fh, "+<", $dev) or do { print "open $dev: $!\n"; exit 2 };
		# mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
		my $addr = syscall(9, 0, $len, 3, 1, fileno($fh), 0);
		if ($addr == -1) { print "mmap $dev: $!\n"; exit 2 }
		my $pat = join("", map { sprintf("tdxmemd pattern %015x\n", $_ * 32) }
			0 .. $len / 32 - 1);
		if ($op eq "write") {
			# read(2) from a file of the pattern straight into the mapping
			my $tmp = "/run/dax-pattern.$$";
			open(my $pf, ">", $tmp) or die; print $pf $pat; close($pf);
			open($pf, "<", $tmp) or die; unlink($tmp);
			my $done = 0;
			while ($done < $len) {
				my $n = syscall(0, fileno($pf), $addr + $done, $len - $done);
				if ($n <= 0) { print "read: $!\n"; exit 2 }
				$done += $n;
			}
		}
		my $got = unpack("P$len", pack("J", $addr));
		if ($got ne $pat) {
			my $i = 0;
			$i++ while substr($got, $i, 1) eq substr($pat, $i, 1);
			printf "%s: mismatch at offset %#x\n", $dev, $i;
			exit 3;
		}
		printf "%s: %s %d bytes ok\n", $dev, $op, $len;
	' "$@"
}

# race_watch: in the background, initialize TDX (tdxsim) the moment a CXL
# region is committed, and note whether /proc/iomem shows "System RAM
# (kmem)" at the first moment a new dax device exists. Busy polls: a sleep
# between reads would widen the window being tested. race_collect waits for
# both and records facts race_init_delay_us, race_kmem_at_dax and
# race_kmem_ever (every kmem range seen from the device's appearance on).
# Call it once the decision is recorded.
race_watch() {
	(
		local f v t0
		for ((i = 0; i < 2000000; i++)); do
			for f in /sys/bus/cxl/devices/region*/commit; do
				[[ -r $f ]] || continue
				read -r v <"$f" 2>/dev/null || continue
				[[ $v == 1 ]] && break 2
			done
		done
		t0=$(now_us)
		echo initialized >/sys/module/tdxsim/parameters/state
		echo $(($(now_us) - t0)) >/tmp/race_init
	) &
	RACE_INIT=$!
	(
		local d n0 n
		n0=$( (compgen -G '/sys/bus/dax/devices/dax*.*' || true) | wc -l)
		for ((i = 0; i < 2000000; i++)); do
			n=0
			for d in /sys/bus/dax/devices/dax*.*; do
				[[ -e $d ]] && n=$((n + 1))
			done
			((n > n0)) && break
		done
		# the kmem ranges present then, as START-END (hex, inclusive end)
		kmem_ranges >/tmp/race_kmem
		# and every one seen from then until race_collect: a range added
		# after the device appeared and removed again would show here
		: >/tmp/race_kmem_ever
		for ((i = 0; i < 20000; i++)); do
			[[ -e /tmp/race_stop ]] && break
			kmem_ranges >>/tmp/race_kmem_ever
			sleep 0.005
		done
	) &
	RACE_DAX=$!
}
kmem_ranges() {
	sed -n 's/^ *\([0-9a-f]*-[0-9a-f]*\) : System RAM (kmem)$/\1/p' /proc/iomem | xargs
}
race_collect() {
	touch /tmp/race_stop
	wait "$RACE_INIT" "$RACE_DAX" || true
	fact race_kmem_ever "$(xargs -n1 </tmp/race_kmem_ever 2>/dev/null | sort -u | xargs)"
	fact race_init_delay_us "$(cat /tmp/race_init 2>/dev/null || echo none)"
	fact race_kmem_at_dax "$(cat /tmp/race_kmem 2>/dev/null || echo none)"
	fact tdxsim_state "$(cat /sys/module/tdxsim/parameters/state)"
}

# race_end DAX: what every race scenario notes once its records are in:
# the record count, the device's facts and whether /dev/DAX maps.
race_end() {
	fact records_final "$(count_records)"
	dev_facts after "$1"
	local rc=0
	daxrw "/dev/$1" >"$OUT/daxrw.log" 2>&1 || rc=$?
	fact daxrw_rc "$rc"
}

# race_boot: the guest part of race-boot and race-boot-udev, whose region
# race-boot.pre made before systemd started.
race_boot() {
	echo initialized >/sys/module/tdxsim/parameters/state
	fact tdxsim_state "$(cat /sys/module/tdxsim/parameters/state)"
	local kv
	for kv in $(cat /run/race-boot.region); do
		fact "region0_${kv%%=*}" "${kv#*=}"
	done
	DAX=$(sed -n 's/.*dax=\([^ ]*\).*/\1/p' /run/race-boot.region)
	settle
	wait_records 1 60
	quiet 2
	touch /run/race-boot.stop
	fact race_kmem_ever "$(xargs -n1 </run/race-boot.kmem 2>/dev/null | sort -u | xargs)"
	fact service_active "$(systemctl is-active tdxmemd.service || true)"
	race_end "$DAX"
}

# ---- other agents that online memory -----------------------------------------

# distro_rule STATE: install the memory hot-add rule of the RHEL family
# (40-redhat.rules: online_movable on bare metal, online in VMs), which
# onlines every memory block udevd sees added, whatever auto_online_blocks
# says, and make udevd read it.
distro_rule() {
	printf 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline", ATTR{state}="%s"\n' \
		"$1" >/etc/udev/rules.d/40-memory-online.rules
	udevadm control --reload
	fact distro_rule "$1"
	say "udev rule: every added memory block is written $1"
}

# service_a_online_b_devdax: the service running (started by its udev
# rule), CmrFile= covering window 0 only: device A (window 0) goes online
# and B (window 1) stays devdax.  Sets A and B; facts A, B, records_start,
# start_a_* and start_b_*.
service_a_online_b_devdax() {
	printf '[TDX]\nCmrFile=/etc/tdxmemd/cmrs.txt\n' >/etc/tdxmemd.conf
	cmr_file /etc/tdxmemd/cmrs.txt "$BOOTRAM" "$WIN0"
	tdxsim_load state=bios "cmrs=$BOOTRAM"
	cxl_region 0
	A=$DAX
	cxl_region 1
	B=$DAX
	fact A "$A"
	fact B "$B"
	wait_records 2 90 records_start
	quiet 2
	map_facts start_a "$A"
	map_facts start_b "$B"
}

# distro_rule_flips STATE: the guest part of the rule-* scenarios.  With
# the rule installed and the service running, device A (window 0, in the
# CMR file) goes online and B (window 1, outside) stays devdax; then A is
# flipped ten times by CMR file edits and reloads: devdax, online, ...
# Facts: start_a_*, start_b_* and flipN_* (map_facts of A after flip N).
distro_rule_flips() {
	settle
	distro_rule "$1"
	service_a_online_b_devdax
	local i
	for ((i = 1; i <= 10; i++)); do
		if ((i % 2)); then
			cmr_file /etc/tdxmemd/cmrs.txt "$BOOTRAM"
		else
			cmr_file /etc/tdxmemd/cmrs.txt "$BOOTRAM" "$WIN0"
		fi
		systemctl reload tdxmemd.service
		wait_records $((2 + i)) 60 "records_flip$i"
		settle
		map_facts "flip$i" "$A"
	done
	quiet 2
	fact records_final "$(count_records)"
	map_facts end_b "$B"
	service_facts end
}
