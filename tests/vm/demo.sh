#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# demo.sh - tdxmemd on a real kernel, from a fresh Debian 12 machine.
#
#   sudo tests/vm/demo.sh
#   sudo TDXMEMD_VM_LEG=deb13-7.3 tests/vm/demo.sh    # Debian 13, kernel 7.3
#   sudo tests/vm/demo.sh --setup-only   # install and build, boot nothing
#
# Installs the build dependencies, builds tdxmemd, prepares one leg of the
# test guest (tests/vm/setup.sh: QEMU from bookworm-backports, by default
# Debian 12 with its 6.12 backports kernel, a small rootfs; cached, about 2
# minutes the first time), then boots a
# guest whose BIOS "enabled TDX" (tdxsim) with two CXL memory devices:
# one inside the CMRs the firmware reports, one outside.  tdxmemd --once
# onlines the first and keeps the second a devdax device; the demo prints
# the journal records and the final memory state.  No KVM needed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LEG=${TDXMEMD_VM_LEG:-deb12-6.12}
SRC=$(cd "$HERE/../.." && pwd)
CACHE=${TDXMEMD_VM_CACHE:-/var/cache/tdxmemd-vm}
BUILD=${TDXMEMD_DEMO_BUILD:-$CACHE/demo-build}

[[ $(id -u) == 0 ]] || {
	echo "demo.sh: run as root (sudo $0): it installs packages and boots a VM" >&2
	exit 1
}

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
t0=$SECONDS

step "Build dependencies"
if [[ -x $SRC/tests/setup-host.sh ]]; then
	"$SRC/tests/setup-host.sh"
else
	pkgs=(build-essential meson ninja-build pkg-config libudev-dev
		libsystemd-dev libdaxctl-dev libcxl-dev libkmod-dev libcmocka-dev)
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${pkgs[@]}"
fi

step "Build tdxmemd ($BUILD)"
if [[ ! -f $BUILD/build.ninja ]]; then
	meson setup "$BUILD" "$SRC" -Dtests=false >/dev/null
fi
ninja -C "$BUILD" >/dev/null
echo "built $BUILD/tdxmemd"

if [[ ${1:-} == --setup-only ]]; then
	step "Host packages for the guest (tests/vm/setup.sh --host-only)"
	"$HERE/setup.sh" --host-only
	echo "set up in $((SECONDS - t0))s; --setup-only: no guest booted"
	exit 0
fi

step "Test guest, leg $LEG (tests/vm/setup.sh; cached after the first run)"
"$HERE/setup.sh" --quiet "$LEG"
echo "ready"

step "The Debian package (tests/build-deb.sh), installed in the guest with dpkg -i"
"$SRC/tests/build-deb.sh" "$LEG"

step "Boot the guest: TDX enabled by the BIOS, two CXL devices (under a minute, TCG)"
run_dir=$(mktemp -d /tmp/tdxmemd-demo.XXXXXX)
rc=0
"$HERE/run-guest.sh" --leg "$LEG" --package --cxl 512M --cxl 512M \
	--run-dir "$run_dir" "$HERE/guest/demo-scenario.sh" >/dev/null || rc=$?
out=$run_dir/share/out
if ((rc == 2 || rc == 3)); then
	echo "demo.sh: the guest did not finish; see $run_dir" >&2
	exit 1
fi

step "What the kernel says about TDX, and the memory before tdxmemd"
cat "$out/demo-before.txt"

step "tdxmemd --once   (exit status $(cat "$out/demo-tdxmemd.rc"))"
cat "$out/demo-tdxmemd.txt"

step "journalctl -t tdxmemd, as a table"
python3 - "$out/journal.json" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("SYSLOG_IDENTIFIER") == "tdxmemd" and "TDXMEMD_DEVICE" in e:
        rows.append(e)
cols = [("DEVICE", "TDXMEMD_DEVICE"), ("RANGE", None), ("DECISION", "TDXMEMD_DECISION"),
        ("REASON", "TDXMEMD_REASON"), ("OUTCOME", "TDXMEMD_OUTCOME"),
        ("TDX", "TDXMEMD_TDX_STATE"), ("CMRS", "TDXMEMD_CMR_SOURCE"),
        ("ONLINE", None), ("ZONE", "TDXMEMD_ZONE"), ("KMEM", "TDXMEMD_KMEM_INTERFACE"),
        ("REGION", "TDXMEMD_CXL_REGION"),
        ("UNCOVERED", "TDXMEMD_UNCOVERED")]
def cell(e, name, key):
    if name == "RANGE":
        return f"{e.get('TDXMEMD_RANGE_START', '?')}-{e.get('TDXMEMD_RANGE_END', '?')}"
    if name == "ONLINE":
        return f"{e.get('TDXMEMD_BLOCKS_ONLINE', '?')}/{e.get('TDXMEMD_BLOCKS', '?')}"
    return str(e.get(key, "-"))
table = [[n for n, _ in cols]] + [[cell(e, n, k) for n, k in cols] for e in rows]
w = [max(len(r[i]) for r in table) for i in range(len(cols))]
for r in table:
    print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip())
if not rows:
    print("(no tdxmemd record in the journal)")
PY

step "journalctl -t tdxmemd -o verbose"
cat "$out/demo-journal.txt"

step "journalctl -x -t tdxmemd   (explanations from the installed catalog)"
cat "$out/demo-journal-x.txt"

step "The memory after tdxmemd"
cat "$out/demo-after.txt"

printf '\ndemo finished in %ss; the whole run (console log, journal) is in %s\n' \
	"$((SECONDS - t0))" "$run_dir"
