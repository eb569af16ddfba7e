#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sets up a Debian 12 machine and runs every test of tdxmemd:
#   1. unit tests (cmocka, CLI fixtures) built with -Werror,
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. the cmocka tests under valgrind (leaks on every error path), and
#      each fuzz harness (tests/fuzz/, libFuzzer) for a bounded run under
#      ASan + UBSan,
#   4. the test bed's legs (tests/vm/setup.sh), then the -Werror build and
#      unit tests again in the Debian 13 chroot (systemd 257, ndctl 81),
#   5. the Debian package: built for Debian 12 and 13, lintian (no
#      errors), installed on a fresh Debian 12 and 13 and purged
#      (tests/fresh-machine.sh --package);
#      the README commands' set-up on fresh Debian 12 and 13 debootstraps
#      with only their default sources (tests/fresh-machine.sh),
#   6. the real-kernel scenarios in QEMU guests with emulated CXL memory,
#      on every leg: Debian 12 + 6.12 and Debian 13 + 7.3 (suite vm),
#      TDXMEMD_VM_JOBS (1) at a time; they start right after the legs'
#      set-up and run beside steps 1-5, their output printed after step 5.
# Steps 4-6 are skipped with TDXMEMD_SKIP_VM=1.
# --setup-only installs what the tests need and builds, then stops: what
# tests/fresh-machine.sh runs on a freshly debootstrapped Debian.
# Run as root from the source tree: sudo tests/run-tests.sh
set -euo pipefail

cd "$(dirname "$0")/.."
top=$PWD

tests/setup-host.sh
export PROMTOOL=${TDXMEMD_TOOLS:-/var/cache/tdxmemd-tools}/usr/bin/promtool
setup_fuzz() {
	[ -d build-fuzz ] || CC=clang meson setup build-fuzz -Dwerror=true -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false
}
if [ "${1:-}" = --setup-only ]; then
	[ -d build ] || meson setup build -Dwerror=true
	ninja -C build
	# the fuzz harnesses too: clang and its libFuzzer runtime must be there
	setup_fuzz
	ninja -C build-fuzz
	[ "${TDXMEMD_SKIP_VM:-0}" = 1 ] || tests/vm/setup.sh --host-only
	exit 0
fi

step() { printf '\n=== [%s] %s\n' "$(date +%T)" "$*"; }

# Every meson test run writes its own log (--logbase); the closing line
# counts them all, so a run that executed nothing cannot look green.
logs=()
summary() {
	python3 - "${logs[@]}" <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    for line in open(path):
        result = json.loads(line)["result"]
        if result == "OK":
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
}

[ -d build ] || meson setup build -Dwerror=true

# The real-kernel scenarios take the most time, and a guest under TCG keeps
# about one of the two cores busy: they start first, in the background, and
# every other step runs beside them on the other (tests/vm/README.md,
# "Where the time goes").
vm_pid=""
if [ "${TDXMEMD_SKIP_VM:-0}" != 1 ]; then
	step "test bed legs"
	tests/vm/setup.sh --quiet
	meson configure build -Dvm_tests=true
	ninja -C build
	rm -f build/vm-runs/*/times.txt
	step "real-kernel scenarios (QEMU, emulated CXL memory), every leg: started," \
		"${TDXMEMD_VM_JOBS:-1} at a time; their output follows the other steps"
	setsid meson test -C build --suite vm --no-rebuild --print-errorlogs --logbase vm \
		--num-processes "${TDXMEMD_VM_JOBS:-1}" >build/vm-suite.log 2>&1 &
	vm_pid=$!
	# a failed step ends the run: its guests with it (setsid: their group)
	trap 'kill -- -"$vm_pid" 2>/dev/null || true' EXIT
fi

step "build (-Werror) and unit tests"
meson test -C build --suite unit --print-errorlogs --logbase unit
logs+=(build/meson-logs/unit.json)

step "unit tests under ASan + UBSan"
[ -d build-sanitize ] || meson setup build-sanitize -Dwerror=true -Db_sanitize=address,undefined \
	-Db_lundef=false
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
	meson test -C build-sanitize --suite unit --print-errorlogs --logbase sanitize
logs+=(build-sanitize/meson-logs/sanitize.json)

step "unit tests under valgrind"
meson test -C build --suite cmocka --print-errorlogs --logbase valgrind \
	--wrapper 'valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect'
# meson appends the wrapper's name to the log name
logs+=(build/meson-logs/valgrind-valgrind.json)

step "fuzz harnesses, 100,000 runs or 30 s each, under ASan + UBSan (clang)"
setup_fuzz
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C build-fuzz --suite fuzz --print-errorlogs --logbase fuzz
logs+=(build-fuzz/meson-logs/fuzz.json)

if [ "${TDXMEMD_SKIP_VM:-0}" = 1 ]; then
	step "real-kernel scenarios skipped (TDXMEMD_SKIP_VM=1)"
else
	# The legs of another distribution than the host's (Debian 13 on a
	# Debian 12 host, and the other way round) have a build chroot.
	for leg in deb12-6.12 deb13-7.3; do
		buildroot=$(. tests/chroot-lib.sh && leg_buildroot "$leg")
		[ -n "$buildroot" ] || continue
		step "$leg chroot: build (-Werror) and unit tests"
		tests/build-in-chroot.sh --test "$leg"
		logs+=("$buildroot/src/build/meson-logs/unit.json")
	done

	# The package of each leg's distribution, installed on a fresh one.
	for leg in deb12-6.12 deb13-7.3; do
		suite=bookworm
		[ "$leg" = deb12-6.12 ] || suite=trixie
		step "Debian package for $suite: build, lintian, install and purge on a fresh $suite"
		deb=$(tests/build-deb.sh "$leg")
		lintian --fail-on error "$deb"
		tests/fresh-machine.sh --suite "$suite" --package "$deb"
	done

	for suite in bookworm trixie; do
		step "fresh $suite: the README commands set up and build"
		tests/fresh-machine.sh --suite "$suite" >"build/fresh-$suite.log" 2>&1 || {
			tail -n 40 "build/fresh-$suite.log"
			exit 1
		}
		tail -n 1 "build/fresh-$suite.log"
	done

	step "real-kernel scenarios (QEMU, emulated CXL memory), every leg"
	vm_rc=0
	wait "$vm_pid" || vm_rc=$?
	cat build/vm-suite.log
	logs+=(build/meson-logs/vm.json)
	for times in build/vm-runs/*/times.txt; do
		[ -e "$times" ] || continue
		# per phase (tests/vm/README.md): where each leg's time went
		awk -v leg="$(basename "$(dirname "$times")")" \
			'{ s += $3; if ($2 == "boot-retry") r++; else n++
			   for (i = 4; i <= NF; i++) { split($i, kv, "="); p[kv[1]] += kv[2] } }
			END { printf "leg %s: %d scenarios, %.0f s of guest wall time%s\n", leg, n, s,
				r ? sprintf(", %d boot(s) that stalled before vm-init retried", r) : ""
			      printf "  per phase:"
			      split("qemu kernel init systemd scenario collect host", order, " ")
			      for (i = 1; i <= 7; i++) printf " %s %.0f s", order[i], p[order[i]]
			      printf "\n" }' "$times"
	done
	[ "$vm_rc" = 0 ] || { summary; exit "$vm_rc"; }
fi

step "summary"
summary
