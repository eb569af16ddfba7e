#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/run.sh - tdxmemd's benchmark: one boot of the test bed's guest
# (tests/vm, QEMU TCG, emulated CXL memory) that measures the floor, daxctl
# and tdxmemd pair by pair, the cost of a pass, the service's latency and
# its cost at rest; then bench/report.py prints medians and ratios and
# draws the plot.  Not part of the test command: figures, not verdicts.
#
# Usage: sudo bench/run.sh [-l LEG] [-r REPS] [-o DIR] [BUILD_DIR]
#   -l LEG    bed leg (default deb12-6.12; tests/vm/setup.sh lists them)
#   -r REPS   repetitions per figure (default 5; idle and pass take twice)
#   -o DIR    where to keep the run (default /tmp/tdxmemd-bench-LEG)
#   BUILD_DIR tdxmemd meson build dir (default: build)
# About 15 minutes on a 2-core host without KVM.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
LEG=deb12-6.12
REPS=5
OUT=""
while getopts "l:r:o:h" opt; do
	case $opt in
	l) LEG=$OPTARG ;;
	r) REPS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	*) sed -n '9,15s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2 && exit 2 ;;
	esac
done
shift $((OPTIND - 1))
BUILD_DIR=$(realpath "${1:-$ROOT/build}")
OUT=${OUT:-/tmp/tdxmemd-bench-$LEG}
[[ $(id -u) == 0 ]] || {
	echo "bench: needs root (the bed's set-up and guest)" >&2
	exit 2
}

# gnuplot draws the plot; Debian's archive has it.
command -v gnuplot >/dev/null ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox >/dev/null
"$ROOT/tests/vm/setup.sh" --quiet "$LEG"
ninja -C "$BUILD_DIR" >/dev/null

rm -rf "$OUT"
mkdir -p "$OUT"
printf '%s\n' "$REPS" >"$OUT/reps"
export TDXMEMD_VM_LEG=$LEG
"$ROOT/tests/vm/run-guest.sh" --leg "$LEG" --build-dir "$BUILD_DIR" \
	--cxl 4G --cxl 1G --cxl 1G --cxl 1G --hb-decoders \
	--file "$OUT/reps" --timeout 3000 --scenario-timeout 2700 \
	--run-dir "$OUT/run" "$HERE/guest.sh" >/dev/null || {
	echo "bench: the guest did not finish; console: $OUT/run/console.log" >&2
	exit 1
}
python3 "$HERE/report.py" "$OUT/run/share/out" "$OUT/bench.png" | tee "$OUT/report.txt"
