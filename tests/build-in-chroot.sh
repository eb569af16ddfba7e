#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-in-chroot.sh - build tdxmemd in the build chroot of a bed leg whose
# distribution is not the host's (tests/vm/setup.sh makes it), against that
# distribution's libraries: Debian 13's systemd 257 and ndctl 81 on a
# Debian 12 host.
#
# Usage: build-in-chroot.sh [--test] [--destdir DIR] LEG
#   --test         run the unit suite there too (plain build, -Werror)
#   --destdir DIR  `meson install --destdir` the build into DIR (on the
#                  host), as tests/vm/run-guest.sh does with a host build
# The source tree is copied to the chroot's /src (tracked and untracked,
# not ignored, files), and /src/build is reused between runs, so a second
# run only rebuilds what changed.  Prints nothing but the tools' output;
# exit 0 when every step passed.  A leg whose suite is the host's has no
# chroot: then this says so and exits 2.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$HERE")
# shellcheck source=chroot-lib.sh
. "$HERE/chroot-lib.sh"

TEST=0
DESTDIR=""
while (($#)); do
	case $1 in
	--test) TEST=1 && shift ;;
	--destdir) DESTDIR=$2 && shift 2 ;;
	-h | --help) sed -n '4,18s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" && exit 0 ;;
	-*) echo "build-in-chroot: unknown option $1" >&2 && exit 1 ;;
	*) break ;;
	esac
done
(($# == 1)) || {
	echo "usage: build-in-chroot.sh [--test] [--destdir DIR] LEG" >&2
	exit 1
}
LEG=$1
ROOT=$(leg_buildroot "$LEG")
if [[ -z $ROOT ]]; then
	echo "build-in-chroot: leg $LEG is the host's distribution; build on the host" >&2
	exit 2
fi

lock_buildroot "$ROOT"
trap unmount_all EXIT
# meson and the tests read /proc; the CLI tests make FIFOs in /tmp.
mount_undone -t proc proc "$ROOT/proc"

# Copy the tree (tests/list-tree.sh); a deleted file must not linger in /src.
mkdir -p "$ROOT/src"
"$HERE/list-tree.sh" >"$ROOT/src.list"
find "$ROOT/src" -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
tar -C "$TOP" --null -T "$ROOT/src.list" -cf - | tar -C "$ROOT/src" -xf -
rm -f "$ROOT/src.list"

in_root() { chroot "$ROOT" env -C /src LC_ALL=C.UTF-8 "$@"; }

if [[ ! -f $ROOT/src/build/build.ninja ]]; then
	rm -rf "$ROOT/src/build"
	in_root meson setup build -Dwerror=true >/dev/null
fi
in_root ninja -C build >/dev/null
if ((TEST)); then
	in_root meson test -C build --suite unit --print-errorlogs --logbase unit
fi
if [[ -n $DESTDIR ]]; then
	rm -rf "$ROOT/destdir"
	in_root meson install -C build --no-rebuild --quiet --destdir /destdir >/dev/null
	mkdir -p "$DESTDIR"
	tar -C "$ROOT/destdir" -cf - . | tar -C "$DESTDIR" -xf -
	rm -rf "$ROOT/destdir"
fi
