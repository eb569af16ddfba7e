#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-long.sh - run every fuzz harness for a long time, one after another.
#
# Usage: tests/fuzz/run-long.sh [SECONDS_EACH] [BUILD_DIR]
#   SECONDS_EACH  per harness (default 3600)
#   BUILD_DIR     a build with -Dfuzz=true (default build-fuzz, made by
#                 tests/run-tests.sh, or here: CC=clang meson setup build-fuzz
#                 -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false)
# Each harness's corpus grows in BUILD_DIR/tests/fuzz/corpus-NAME; a crash
# leaves crash-* in the current directory; each run's output is kept in
# BUILD_DIR/fuzz-NAME.log. Printed per harness: its last status line
# (executions, cov: edges, ft: features) and the executions in all.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
secs=${1:-3600}
build=${2:-$HERE/../../build-fuzz}
ninja -C "$build" >/dev/null
for exe in "$build"/tests/fuzz/fuzz-*; do
	[[ -f $exe && -x $exe ]] || continue
	name=${exe##*/fuzz-}
	echo "== fuzz-$name for ${secs}s"
	args=("$build/tests/fuzz/corpus-$name")
	case $name in
	cmr) args+=("$HERE/../fixtures/cmr") ;;
	kernel-log) args+=("$HERE/../fixtures/hosts/bios-enabled/dev") ;;
	*) args+=("$HERE/seeds/$name") ;;
	esac
	"$exe" "${args[@]}" -max_total_time="$secs" -print_final_stats=1 >"$build/fuzz-$name.log" 2>&1 ||
		echo "fuzz-$name FAILED: see $build/fuzz-$name.log and crash-* here"
	# the last status line (executions, cov: edges, ft: features) and the totals
	{ grep -E '^#[0-9]+[[:space:]].*cov:' "$build/fuzz-$name.log" || true; } | tail -1
	grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' "$build/fuzz-$name.log" || true
done
