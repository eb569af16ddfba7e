#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sets up a Debian 12 machine and runs every test of tdxmemd:
#   1. unit tests (cmocka, CLI fixtures) built with -Werror,
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. the same under valgrind (leaks on every error path),
#   4. the real-kernel scenarios in a QEMU guest with emulated CXL memory
#      (suite vm; skip with TDXMEMD_SKIP_VM=1).
# Run as root from the source tree: sudo tests/run-tests.sh
set -euo pipefail

cd "$(dirname "$0")/.."
top=$PWD

tests/setup-host.sh

step() { printf '\n=== %s\n' "$*"; }

step "build (-Werror) and unit tests"
[ -d build ] || meson setup build -Dwerror=true
meson test -C build --suite unit --print-errorlogs

step "unit tests under ASan + UBSan"
[ -d build-sanitize ] || meson setup build-sanitize -Dwerror=true -Db_sanitize=address,undefined \
	-Db_lundef=false
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
	meson test -C build-sanitize --suite unit --print-errorlogs

step "unit tests under valgrind"
meson test -C build --suite unit --no-suite cli --print-errorlogs \
	--wrapper 'valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect'

if [ "${TDXMEMD_SKIP_VM:-0}" = 1 ]; then
	step "real-kernel scenarios skipped (TDXMEMD_SKIP_VM=1)"
	exit 0
fi
step "real-kernel scenarios (QEMU, emulated CXL memory)"
tests/vm/setup.sh
meson configure build -Dvm_tests=true
meson test -C build --suite vm --print-errorlogs
