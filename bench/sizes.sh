#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/sizes.sh - the guest part of the size benchmark: `bench/run.sh -s`
# boots the bed's guest once per size, with ONE CXL device of that size
# and guest RAM for its struct pages, and runs this. It makes one region
# of the whole device and measures, pair by pair, the three tools' online
# and back to devdax of it, in bench/guest.sh's style ($OUT/samples.txt):
#   size  online|devdax  floor|daxctl|tdxmemd  N  MICROSECONDS  ok|bad
# with N the device's memory blocks (128 MiB). Each repetition runs the
# tools in turn, each online then devdax, in an order rotated per
# repetition, every timed turn from a state the floor reached (common.sh,
# pairs ... neutral); one untimed round of each tool comes first (binaries
# read in, kmem's first probe). The floor is the kernel's own cheapest path
# on this kernel:
#   online  unbind device_dax; auto_online_blocks=online_movable; bind kmem
#           (its probe adds and onlines every block); auto_online_blocks
#           back to what it was (offline)
#   devdax  "unplugged" to daxX.Y/state where it exists (7.3), else
#           "offline" to each memoryN/state (6.12), in tdxmemd's order,
#           the second block last; unbind kmem; device_dax
#           by new_id
# Then REPS rounds of the floor's and tdxmemd's turns under strace, each
# split into wall and kernel time (the "split" lines, below).
# Facts: size_dev, size_blocks, size_interface (whole-device|per-block),
# size_auto_online_blocks.
# shellcheck source=tests/vm/guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
# shellcheck source=bench/common.sh
. "$FILES/common.sh"

# Thousands of blocks are thousands of uevents per turn (add, online,
# offline, remove): udev needs longer than lib.sh's 30 s to drain them
# under TCG, and the next turn must not run while it does.
settle() { udevadm settle -t 900 || say "udevadm settle timed out"; }
# is_state's count of online blocks without a fork per block.
blocks_online() {
	local b s c=0
	for b in $(dax_blocks "$1"); do
		read -r s <"$MEMSYS/$b/state"
		[[ $s == online ]] && c=$((c + 1))
	done
	echo "$c"
}

read -r AUTO_ONLINE <"$MEMSYS/auto_online_blocks"

floor_online() {
	local rc=0
	echo "$1" >"$BUS/drivers/device_dax/unbind" || rc=1
	echo online_movable >"$MEMSYS/auto_online_blocks" || rc=1
	echo "$1" >"$BUS/drivers/kmem/bind" || rc=1
	echo "$AUTO_ONLINE" >"$MEMSYS/auto_online_blocks" || rc=1
	return "$rc"
}
floor_devdax() {
	local b rc=0
	if [[ -e $BUS/devices/$1/state ]]; then
		echo unplugged >"$BUS/devices/$1/state" || rc=1
	else
		for b in "${ORDER[@]}"; do echo offline >"$MEMSYS/$b/state" || rc=1; done
	fi
	echo "$1" >"$BUS/drivers/kmem/unbind" || rc=1
	# new_id, not bind: device_dax matches a CXL RAM device only by id,
	# and the id list may have lost it (drivers/dax/bus.c do_id_store()
	# adds the id, then attaches)
	echo "$1" >"$BUS/drivers/device_dax/new_id" || rc=1
	return "$rc"
}

# The whole device: one region of all its capacity, then devdax (the
# kmem loaded above may have taken the new device, its blocks offline).
cxl_region 0
settle
dev=$DAX
say "region's device $dev: driver $(dax_driver "$dev")"
daxctl_devdax "$dev" || true
settle
is_state "$dev" devdax || {
	say "$dev did not reach devdax (driver $(dax_driver "$dev")); see bench.err"
	exit 1
}
n=$(whole_blocks "$dev")
# The blocks kmem adds for it (dax_blocks's range; they exist only while
# kmem is bound): the per-block floor's list, made before any turn.
bs=$((0x$(cat "$MEMSYS/block_size_bytes")))
first=$((($(cat "$BUS/devices/$dev/resource") + bs - 1) / bs))
BLOCKS=()
for ((b = first; b < first + n; b++)); do BLOCKS+=("memory$b"); done
# The cheapest order the kernel allows, tdxmemd's: the first block, the
# third to the last, then the second, so each offline's zone walk ends at
# the hole the first one left (src/model/memory-blocks.c write_position()).
ORDER=("${BLOCKS[@]:0:1}" "${BLOCKS[@]:2}" "${BLOCKS[@]:1:1}")
fact size_dev "$dev"
fact size_blocks "$n"
fact size_auto_online_blocks "$AUTO_ONLINE"
say "size: $dev, $n blocks, auto_online_blocks $AUTO_ONLINE"

tools=(floor daxctl tdxmemd)
for tool in "${tools[@]}"; do
	turn - - "$tool" "$n" "$dev" online
	say "warm-up $tool: $(dax_driver "$dev"), $(blocks_online "$dev") of $n blocks online"
	if [[ $tool == floor ]]; then
		if [[ -e $BUS/devices/$dev/state ]]; then
			fact size_interface whole-device
		else
			fact size_interface per-block
		fi
	fi
	turn - - "$tool" "$n" "$dev" devdax
done
say "size: warm-up done"
pairs size "$n" "$dev" neutral

# The kernel's noise divided out. Timed against each other, tdxmemd and the
# floor differ by a few percent while the same kernel step varies by 20%
# from one turn to the next, so no number of pairs this bed can afford
# decides 1.05. Here each turn runs under strace, stopping only at write(2)
# (seccomp), and is split into its wall time and the time its writes to
# /sys spent in the kernel: "split CASE TOOL N WALL_US KERNEL_US ok|bad",
# the wall being the program's life from exec to exit (for the floor, a
# shell script). The floor's kernel steps are tdxmemd's own and the
# floor's wall is never below them, so tdxmemd's wall over its kernel time
# bounds tdxmemd/floor from above; the floor's own ratio shows what strace
# and a shell add.
FLOOR_SCRIPT=/run/bench/floor.sh
{
	declare -p BUS MEMSYS AUTO_ONLINE ORDER
	declare -f floor_online floor_devdax
	# shellcheck disable=SC2016 # the script's own arguments
	echo 'floor_"$1" "$2"'
} >"$FLOOR_SCRIPT"
# split_times TRACE: "WALL_US KERNEL_US": the traced program's life, from
# its execve to its exit (strace's own start and end left out), and the
# time its writes to /sys took.
split_times() {
	awk '!start && / execve\(/ { start = $2 }
	/ write\([0-9]+<\/sys\// && match($0, /<[0-9.]+>$/) {
		kernel += substr($0, RSTART + 1, RLENGTH - 2)
	}
	/ \+\+\+ exited with / { end = $2 }
	END { printf "%d %d\n", (end - start) * 1000000, kernel * 1000000 }' "$1"
}
# split_turn TOOL N DEV online|devdax: one traced turn, as turn does.
split_turn() {
	local ok=ok conf=$CONF_DEVDAX trace=/run/bench/trace
	local strace=(strace -f --seccomp-bpf -ttt -T -y -e "trace=execve,write" -o "$trace")
	[[ $4 == devdax ]] || conf=$CONF_ONLINE
	if [[ $1 == floor ]]; then
		"${strace[@]}" bash "$FLOOR_SCRIPT" "$4" "$3" || ok=bad
	else
		"${strace[@]}" tdxmemd --once --config "$conf" --device "$3" \
			>/dev/null 2>>"$OUT/bench.err" || ok=bad
	fi
	is_state "$3" "$4" || ok=bad
	# each tool's last trace, to hold their writes side by side
	cp "$trace" "$OUT/split-$1-$4.trace"
	# shellcheck disable=SC2046 # two numbers
	sample split "$4" "$1" "$2" $(split_times "$trace") "$ok"
	settle
}
for ((r = 0; r < REPS; r++)); do
	order=(floor tdxmemd)
	((r % 2 == 0)) || order=(tdxmemd floor)
	for tool in "${order[@]}"; do
		split_turn "$tool" "$n" "$dev" online
		turn - - floor "$n" "$dev" devdax
		turn - - floor "$n" "$dev" online
		split_turn "$tool" "$n" "$dev" devdax
		turn - - floor "$n" "$dev" online
		turn - - floor "$n" "$dev" devdax
	done
	say "split: repetition $((r + 1)) of $REPS done"
done
say "sizes done: $(wc -l <"$S") samples"
