#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# list-tree.sh - the source tree's files, NUL-separated, relative to its top:
# what git tracks plus what it does not ignore, or, where the tree is not a
# git checkout (an unpacked tarball, a machine without git), every file but
# build directories. What tests/build-deb.sh, tests/build-in-chroot.sh and
# tests/fresh-machine.sh copy.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
if command -v git >/dev/null && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	exec git ls-files -co --exclude-standard -z
fi
find . -path ./.git -prune -o -path './build*' -prune -o -path ./.cache -prune -o \
	-type f -printf '%P\0'
