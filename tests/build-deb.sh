#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-deb.sh - the Debian package of this source tree, for one bed leg:
# `dpkg-buildpackage -us -uc -b` in a copy of the tree, on the host when the
# leg's distribution is the host's, else in the leg's build chroot
# (tests/vm/setup.sh makes it).  Cached by the tree's content, so a second
# call with nothing changed only hashes.
#
# Usage: build-deb.sh LEG
#   Prints the path of tdxmemd_*.deb on stdout; the build log is next to it.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$HERE")
CACHE=${TDXMEMD_VM_CACHE:-/var/cache/tdxmemd-vm}
# shellcheck source=chroot-lib.sh
. "$HERE/chroot-lib.sh"

(($# == 1)) || {
	echo "usage: build-deb.sh LEG" >&2
	exit 1
}
LEG=$1
buildroot=$(leg_buildroot "$LEG")

list=$(mktemp)
trap 'rm -f "$list"; unmount_all' EXIT
"$HERE/list-tree.sh" >"$list"
key=$( (
	cd "$TOP"
	xargs -0 sha256sum <"$list"
) | sha256sum | cut -c1-16)
out=$CACHE/debs/$LEG-$key
# Scenarios running side by side may ask for the same package at once.
mkdir -p "$CACHE/debs"
exec {debs_lock}>"$CACHE/debs/$LEG.lock"
flock "$debs_lock"
[[ -z $buildroot ]] || lock_buildroot "$buildroot"
if ! compgen -G "$out/tdxmemd_*.deb" >/dev/null; then
	rm -rf "$out"
	mkdir -p "$out"
	# dpkg-buildpackage writes its results beside the source directory:
	# a directory of their own, as the build environment sees it.
	# One directory per build: two builds may run at once.
	work=$(mktemp -d "${buildroot:-$CACHE}/debsrc.XXXXXX")
	work_env=${work#"$buildroot"}
	mkdir -p "$work/tdxmemd"
	tar -C "$TOP" --null -T "$list" -cf - | tar -C "$work/tdxmemd" -xf -
	in_env() {
		if [[ -n $buildroot ]]; then
			chroot "$buildroot" env LC_ALL=C.UTF-8 "$@"
		else
			env LC_ALL=C.UTF-8 "$@"
		fi
	}
	# the unit tests dh_auto_test runs read /proc
	[[ -z $buildroot ]] || mount_undone -t proc proc "$buildroot/proc"
	rc=0
	in_env sh -c "cd '$work_env/tdxmemd' && dpkg-buildpackage -us -uc -b" \
		>"$out/build.log" 2>&1 || rc=$?
	unmount_all
	if ((rc != 0)); then
		echo "build-deb: dpkg-buildpackage failed for $LEG:" >&2
		tail -n 30 "$out/build.log" >&2
		rm -f "$out"/*.deb
		exit 1
	fi
	cp "$work"/tdxmemd_*.deb "$out/"
	rm -rf "$work"
fi
ls "$out"/tdxmemd_*.deb
