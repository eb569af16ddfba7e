# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# bench/common.sh - what the benchmark's guest scripts (bench/guest.sh,
# bench/sizes.sh) share; bench/run.sh copies it into the guest's files/
# and each sources it right after the bed's lib.sh:
#   . /usr/local/lib/tdxmemd-vm/lib.sh
#   . "$FILES/common.sh"
# It masks the service, empties $OUT/samples.txt, loads kmem and writes the
# two --once configurations; then it only defines.
#   REPS          repetitions ($FILES/reps, default 5)
#   sample ...    one line "GROUP CASE TOOL N MICROSECONDS ok|bad"
#   is_state DEV online|devdax   the state a turn promised, whole
#   turn GROUP CASE TOOL N DEV online|devdax   one timed, verified change
#                 by TOOL_online or TOOL_devdax (daxctl and tdxmemd are
#                 here; each script defines its own floor)
#   whole_blocks DEV   how many blocks the device holds
#   pairs GROUP N DEV [neutral]  REPS rotated rounds of every tool's turns
# shellcheck disable=SC2034 # for the scripts that source this
REPS=$(cat "$FILES/reps" 2>/dev/null || echo 5)
S=$OUT/samples.txt
BUS=/sys/bus/dax
CONF_ONLINE=/run/bench/online.conf
CONF_DEVDAX=/run/bench/devdax.conf
tdxmemd_service_off
settle
: >"$S"

now() { echo "${EPOCHREALTIME//[!0-9]/}"; }
sample() { echo "$*" >>"$S"; }

# Nobody pays for loading kmem: it is loaded before the first turn.
modprobe kmem
mkdir -p /run/bench
printf '[Policy]\nWhenTdxDisabled=online\n' >"$CONF_ONLINE"
printf '[Policy]\nWhenTdxDisabled=devdax\n' >"$CONF_DEVDAX"

# is_state DEV online|devdax: the state a turn promised, whole.
is_state() {
	local n
	n=$(dax_blocks "$1" | wc -l)
	if [[ $2 == online ]]; then
		[[ $(dax_driver "$1") == kmem ]] && ((n > 0)) && (($(blocks_online "$1") == n))
	else
		[[ $(dax_driver "$1") == device_dax ]] && ((n == 0))
	fi
}

daxctl_online() { daxctl reconfigure-device -m system-ram "$1" >/dev/null 2>>"$OUT/bench.err"; }
daxctl_devdax() { daxctl reconfigure-device -f -m devdax "$1" >/dev/null 2>>"$OUT/bench.err"; }
tdxmemd_online() { tdxmemd --once --config "$CONF_ONLINE" --device "$1" >/dev/null 2>>"$OUT/bench.err"; }
tdxmemd_devdax() { tdxmemd --once --config "$CONF_DEVDAX" --device "$1" >/dev/null 2>>"$OUT/bench.err"; }

# turn GROUP CASE TOOL N DEV online|devdax: one timed change, then its
# check; GROUP "-" only makes the change (setting up the next sample).
turn() {
	local t0 t1 ok=ok
	t0=$(now)
	"${3}_${6}" "$5" || ok=bad
	t1=$(now)
	is_state "$5" "$6" || ok=bad
	[[ $1 == - ]] || sample "$1" "$2" "$3" "$4" $((t1 - t0)) "$ok"
	settle
}

# whole_blocks DEV: how many blocks the (block-aligned) device holds.
whole_blocks() {
	echo $(($(cat "$BUS/devices/$1/size") / 0x$(cat "$MEMSYS/block_size_bytes")))
}

# pairs GROUP N DEV [neutral]: REPS repetitions of each tool's online, then
# devdax, of DEV (N blocks), in turn order rotated per repetition: no tool
# always first. With "neutral", every timed turn starts from a state the
# floor reached (untimed floor turns between them). Rotation alone does
# not give each tool the same predecessors (daxctl's online mostly follows
# the floor's devdax), and a turn's cost may carry what the turn before it
# left: taking the same 128 blocks offline took from 1.2 to 14 s in one
# guest.
pairs() {
	local r k tool tools=(floor daxctl tdxmemd)
	if [[ ${4:-} == neutral ]]; then
		turn - - floor "$2" "$3" online
		turn - - floor "$2" "$3" devdax
	fi
	for ((r = 0; r < REPS; r++)); do
		for ((k = 0; k < 3; k++)); do
			tool=${tools[(k + r) % 3]}
			turn "$1" online "$tool" "$2" "$3" online
			if [[ ${4:-} == neutral ]]; then
				turn - - floor "$2" "$3" devdax
				turn - - floor "$2" "$3" online
			fi
			turn "$1" devdax "$tool" "$2" "$3" devdax
			if [[ ${4:-} == neutral ]]; then
				turn - - floor "$2" "$3" online
				turn - - floor "$2" "$3" devdax
			fi
		done
		say "$1: repetition $((r + 1)) of $REPS done"
	done
}
