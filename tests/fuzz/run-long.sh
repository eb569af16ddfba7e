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
# leaves crash-* in the current directory. The last lines of each run give
# executions and coverage (cov: edges, ft: features).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
secs=${1:-3600}
build=${2:-$HERE/../../build-fuzz}
ninja -C "$build" >/dev/null
for exe in "$build"/tests/fuzz/fuzz-*; do
	[[ -x $exe ]] || continue
	name=${exe##*/fuzz-}
	echo "== fuzz-$name for ${secs}s"
	args=("$build/tests/fuzz/corpus-$name")
	case $name in
	cmr) args+=("$HERE/../fixtures/cmr") ;;
	kernel-log) args+=("$HERE/../fixtures/hosts/bios-enabled/dev") ;;
	*) args+=("$HERE/seeds/$name") ;;
	esac
	"$exe" "${args[@]}" -max_total_time="$secs" -print_final_stats=1 2>&1 |
		grep -E '^#[0-9]+ +(DONE|INITED)|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY' || true
done
