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
say "sizes done: $(wc -l <"$S") samples"
