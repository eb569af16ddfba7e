#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/run.sh - tdxmemd's benchmark: one boot of the test bed's guest
# (tests/vm, QEMU TCG, emulated CXL memory) that measures the floor, daxctl
# and tdxmemd pair by pair, the cost of a pass, the service's latency and
# its cost at rest; then bench/report.py prints medians and ratios and
# draws the plot.  Not part of the test command: figures, not verdicts.
#
# Usage: sudo bench/run.sh [-l LEG] [-r REPS] [-o DIR] [-s SIZES] [BUILD_DIR]
#   -l LEG    bed leg (default deb12-6.12; tests/vm/setup.sh lists them)
#   -r REPS   repetitions per figure (default 5; idle and pass take twice)
#   -o DIR    where to keep the run (default /tmp/tdxmemd-bench-LEG, with
#             -s /tmp/tdxmemd-bench-sizes-LEG)
#   -s SIZES  the size benchmark instead: comma-separated CXL device sizes
#             (QEMU sizes, multiples of 256M: 16G,64G,256G are 128, 512
#             and 2,048 blocks of 128 MiB), one boot each
#   BUILD_DIR tdxmemd meson build dir (default: build)
# About 15 minutes on a 2-core host without KVM; -s 16G,64G,256G hours.
#
# The size benchmark (bench/sizes.sh) boots one guest per size with ONE
# CXL device of that size and guest RAM of 2G + SIZE/64 (the kernel's
# struct pages for it, 64 bytes per 4 KiB), rounded up to whole GiB; each
# boot makes one region of the whole device and times floor, daxctl and
# tdxmemd online and back to devdax, REPS pairs. The boots' samples go
# to DIR/out, and report.py gives per size and direction the time per
# block and tdxmemd/floor and tdxmemd/daxctl as geometric means of the
# pairs' ratios with a 95% interval, against the targets. Each boot's
# own run (console, share) is DIR/run-SIZE.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
LEG=deb12-6.12
REPS=5
OUT=""
SIZES=""
while getopts "l:r:o:s:h" opt; do
	case $opt in
	l) LEG=$OPTARG ;;
	r) REPS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	s) SIZES=$OPTARG ;;
	*) sed -n '9,19s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2 && exit 2 ;;
	esac
done
shift $((OPTIND - 1))
BUILD_DIR=$(realpath "${1:-$ROOT/build}")
[[ $REPS =~ ^[1-9][0-9]*$ ]] || {
	echo "bench: -r wants a positive number, not '$REPS'" >&2
	exit 2
}
# mib SIZE: a QEMU size (M or G suffix) in MiB.
mib() {
	case $1 in
	*M) echo "${1%M}" ;;
	*G) echo $((${1%G} * 1024)) ;;
	esac
}
IFS=, read -r -a sizes <<<"$SIZES"
seen=" "
for size in "${sizes[@]}"; do
	# A region takes multiples of 256 MiB (tests/vm/README.md).
	if [[ ! $size =~ ^[1-9][0-9]*[MG]$ ]] || (($(mib "$size") % 256)); then
		echo "bench: size '$size' is not a multiple of 256M (e.g. 16G)" >&2
		exit 2
	fi
	# report.py pairs a size's samples by their order: one boot each.
	if [[ $seen == *" $(mib "$size") "* ]]; then
		echo "bench: size '$size' given twice" >&2
		exit 2
	fi
	seen+="$(mib "$size") "
done
if [[ -n $SIZES ]]; then
	OUT=${OUT:-/tmp/tdxmemd-bench-sizes-$LEG}
else
	OUT=${OUT:-/tmp/tdxmemd-bench-$LEG}
fi
[[ $(id -u) == 0 ]] || {
	echo "bench: needs root (the bed's set-up and guest)" >&2
	exit 2
}

# gnuplot draws the plot; Debian's archive has it. The size benchmark
# draws none.
[[ -n $SIZES ]] || command -v gnuplot >/dev/null ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox >/dev/null
"$ROOT/tests/vm/setup.sh" --quiet "$LEG"
ninja -C "$BUILD_DIR" >/dev/null

rm -rf "$OUT"
mkdir -p "$OUT"
printf '%s\n' "$REPS" >"$OUT/reps"
export TDXMEMD_VM_LEG=$LEG

if [[ -z $SIZES ]]; then
	"$ROOT/tests/vm/run-guest.sh" --leg "$LEG" --build-dir "$BUILD_DIR" \
		--cxl 4G --cxl 1G --cxl 1G --cxl 1G --hb-decoders \
		--file "$OUT/reps" --file "$HERE/common.sh" \
		--timeout 3000 --scenario-timeout 2700 \
		--run-dir "$OUT/run" "$HERE/guest.sh" >/dev/null || {
		echo "bench: the guest did not finish; console: $OUT/run/console.log" >&2
		exit 1
	}
	python3 "$HERE/report.py" "$OUT/run/share/out" "$OUT/bench.png" | tee "$OUT/report.txt"
	exit
fi

# The size benchmark: one boot per size, every boot's samples and facts
# into one directory for report.py.
mkdir -p "$OUT/out"
: >"$OUT/out/samples.txt"
failed=0
for size in "${sizes[@]}"; do
	m=$(mib "$size")
	blocks=$((m / 128))
	# 2G for the guest itself, plus the device's struct pages (64 bytes
	# per 4 KiB page: SIZE/64), rounded up to whole GiB.
	memory=$((2 + (m / 64 + 1023) / 1024))G
	# Bounds, against a hang: the boot and its collection (10 minutes),
	# plus 9 s per block for each round of six timed turns and their
	# twelve untimed floor turns (warm-up and REPS).
	# Seen on 6.12 under TCG, on a busy 2-core host, at 8 blocks: about
	# 0.75 s per block and round, most of it daxctl's devdax.
	stimeout=$((600 + blocks * (REPS + 1) * 9))
	echo "bench: $size ($blocks blocks), guest RAM $memory, at most $((stimeout + 600)) s" >&2
	run=$OUT/run-$size
	"$ROOT/tests/vm/run-guest.sh" --leg "$LEG" --build-dir "$BUILD_DIR" \
		--cxl "$size" --memory "$memory" \
		--file "$OUT/reps" --file "$HERE/common.sh" \
		--timeout $((stimeout + 600)) --scenario-timeout "$stimeout" \
		--run-dir "$run" "$HERE/sizes.sh" >/dev/null || {
		echo "bench: the $size guest did not finish; console: $run/console.log" >&2
		failed=1
	}
	cat "$run/share/out/samples.txt" >>"$OUT/out/samples.txt" 2>/dev/null || true
	sed "s/^/$size./" "$run/share/out/facts" >>"$OUT/out/facts" 2>/dev/null || true
done
if [[ -s $OUT/out/samples.txt ]]; then
	python3 "$HERE/report.py" "$OUT/out" | tee "$OUT/report.txt" || failed=1
else
	echo "bench: no samples" >&2
	failed=1
fi
exit "$failed"
