#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-scenario.sh - one VM scenario end to end: boot the guest with what the
# scenario's header asks for, run its guest part, then assert on the results
# on the host with check.py.  This is what `meson test --suite vm` runs.
#
# Usage: run-scenario.sh NAME [BUILD_DIR]
#   NAME       a script in scenarios/ (without .sh)
#   BUILD_DIR  tdxmemd meson build dir (default: $TDXMEMD_BUILD_DIR)
# The bed leg is $TDXMEMD_VM_LEG (default deb12-6.12; setup.sh lists them).
#
# The scenario header lines (comments) say how to boot:
#   # vm-cxl: SIZE [SIZE]      CXL type-3 RAM devices, one per window
#   # vm-hb-decoders: on       HDM decoders in the CXL host bridges (more
#                              than one region per device)
#   # vm-memhp: STATE          memhp_default_state= (default offline)
#   # vm-memory: SIZE          the guest's RAM (default 2G)
#   # vm-timeout: SECS         bound of the scenario script (default 150);
#                              the boot's is 90 s more
#   # vm-append: ARGS          more kernel command line
#   # vm-file: NAME            scenarios/files/NAME into the share's files/
#   # vm-pre-systemd: NAME     scenarios/files/NAME runs in the guest just
#                              before systemd starts (vm-init)
#   # vm-needs-tdxmemd: no     the scenario runs without a tdxmemd build
#   # vm-legs: LEG... -- WHY   runs only on these legs (skipped elsewhere)
#   # vm-install: package      tdxmemd installed as its Debian package
#                              (dpkg -i) instead of the build's meson install
# Exit: 0 pass, 1 fail, 77 skipped (meson's skip code: no build dir for a
# scenario that needs tdxmemd), 99 the bed itself failed (guest did not
# finish; one that stalled before vm-init is booted once more first); the
# console tail is printed then.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${TDXMEMD_VM_CACHE:-/var/cache/tdxmemd-vm}

(($# >= 1 && $# <= 2)) || {
	echo "usage: run-scenario.sh NAME [BUILD_DIR]" >&2
	exit 99
}
NAME=$1
BUILD_DIR=${2:-${TDXMEMD_BUILD_DIR:-}}
SCEN=$HERE/scenarios/$NAME.sh
[[ -r $SCEN ]] || {
	echo "run-scenario: no scenario $SCEN" >&2
	exit 99
}

header() { sed -n "s/^# $1: *//p" "$SCEN"; }

LEG=${TDXMEMD_VM_LEG:-deb12-6.12}
export TDXMEMD_VM_LEG=$LEG
legs=$(header vm-legs)
if [[ -n $legs && " ${legs%%--*} " != *" $LEG "* ]]; then
	echo "run-scenario: $NAME runs on ${legs%%--*}only (${legs#*-- }); skipped on $LEG"
	exit 77
fi

needs=$(header vm-needs-tdxmemd)
if [[ $needs != no ]]; then
	if [[ -z $BUILD_DIR ]]; then
		echo "run-scenario: $NAME needs a tdxmemd build dir (TDXMEMD_BUILD_DIR); skipped"
		exit 77
	fi
	if [[ ! -x $BUILD_DIR/tdxmemd ]]; then
		echo "run-scenario: $BUILD_DIR/tdxmemd not built yet; skipped"
		exit 77
	fi
fi

# setup.sh is cheap once cached, but needs root; without root, use what a
# previous root run left.
if [[ $(id -u) == 0 ]]; then
	# Scenarios run side by side (meson test -j): one set-up at a time.
	mkdir -p "$CACHE"
	flock "$CACHE/setup.lock" "$HERE/setup.sh" --quiet "$LEG"
elif [[ ! -r $CACHE/leg-$LEG.env ]]; then
	echo "run-scenario: run 'sudo $HERE/setup.sh' first" >&2
	exit 99
fi

args=()
for size in $(header vm-cxl); do
	args+=(--cxl "$size")
done
[[ $(header vm-hb-decoders) != on ]] || args+=(--hb-decoders)
memhp=$(header vm-memhp)
[[ -z $memhp ]] || args+=(--memhp "$memhp")
memory=$(header vm-memory)
[[ -z $memory ]] || args+=(--memory "$memory")
timeout=$(header vm-timeout)
[[ -z $timeout ]] || args+=(--scenario-timeout "$timeout" --timeout $((timeout + 90)))
append=$(header vm-append)
[[ -z $append ]] || args+=(--append "$append")
for f in $(header vm-file); do
	args+=(--file "$HERE/scenarios/files/$f")
done
if [[ $needs != no ]]; then
	args+=(--build-dir "$BUILD_DIR")
else
	# run-guest.sh would otherwise install tdxmemd from the environment's
	# build dir (meson sets TDXMEMD_BUILD_DIR for every vm test).
	args+=(--build-dir "")
fi
[[ $(header vm-install) != package ]] || args+=(--package)
pre=$(header vm-pre-systemd)
[[ -z $pre ]] || args+=(--pre-systemd "$HERE/scenarios/files/$pre")

# Keep the last run of each scenario for inspection.
if [[ -n $BUILD_DIR ]]; then
	runs=${TDXMEMD_VM_RUNS:-$BUILD_DIR/vm-runs}
else
	runs=${TDXMEMD_VM_RUNS:-/tmp/tdxmemd-vm-runs}
fi
run_dir=$runs/$LEG/$NAME
rm -rf "$run_dir"
mkdir -p "$run_dir"

echo "run-scenario: $NAME on $LEG (run dir $run_dir)"
host_start=$(date +%s%N)
# A guest that did not get through before vm-init ran (it writes
# out/installed first) ran nothing of tdxmemd's or of the scenario: under
# TCG the kernel or initramfs now and then stalls on a lost timer
# interrupt ("rcu_preempt detected stalls", "clocksource: Watchdog remote
# CPU 1 read timed out"). That guest is booted once more; any later
# failure counts.
for attempt in 1 2; do
	grc=0
	"$HERE/run-guest.sh" "${args[@]}" --run-dir "$run_dir" "$SCEN" >/dev/null || grc=$?
	((grc == 2 && attempt == 1)) && [[ ! -e $run_dir/share/out/installed ]] || break
	echo "run-scenario: $NAME: the guest did not get through before vm-init, booting it once more"
	echo "$NAME boot-retry $(cat "$run_dir/walltime" 2>/dev/null || echo "?")" >>"$runs/$LEG/times.txt"
	rm -rf "$run_dir"
	mkdir -p "$run_dir"
done
wall=$(cat "$run_dir/walltime" 2>/dev/null || echo "?")
if ((grc == 2 || grc == 3)); then
	echo "run-scenario: $NAME: BED FAILURE (guest did not finish), wall ${wall}s"
	echo "$NAME bed-failure ${wall}" >>"$runs/$LEG/times.txt"
	exit 99
fi

crc=0
python3 "$HERE/check.py" "$NAME" "$run_dir/share/out" || crc=$?
if ((crc == 0)); then
	result=pass
else
	result=fail
fi
# the host's own share of the scenario: the share, the install, check.py
host=$(awk -v t="$((($(date +%s%N) - host_start) / 1000000))" -v w="$wall" \
	'BEGIN { printf "%.1f", t / 1000 - w }')
echo "run-scenario: $NAME: ${result^^}, wall ${wall}s, $(cat "$run_dir/phases" 2>/dev/null) host=$host"
echo "$NAME $result ${wall} $(cat "$run_dir/phases" 2>/dev/null) host=$host" >>"$runs/$LEG/times.txt"
((crc == 0))
