# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# chroot-lib.sh - what the scripts that work in a leg's build chroot or a
# fresh debootstrap share (sourced by build-deb.sh, build-in-chroot.sh,
# fresh-machine.sh): the leg's build chroot, and mounts undone at exit.

# leg_buildroot LEG: prints the leg's build chroot (tests/vm/setup.sh), or
# nothing when the leg's suite is the host's. Exits 1 when the leg was
# never set up.
leg_buildroot() {
	local env=${TDXMEMD_VM_CACHE:-/var/cache/tdxmemd-vm}/leg-$1.env
	if [[ ! -r $env ]]; then
		echo "$(basename "$0"): run tests/vm/setup.sh $1 first ($env missing)" >&2
		exit 1
	fi
	sed -n 's/^VM_BUILDROOT=//p' "$env"
}

# lock_buildroot ROOT: hold ROOT's lock until the calling script exits.
# The vm suite runs scenarios side by side, and every scenario of a leg
# with a build chroot builds in that one chroot (build-in-chroot.sh) or
# builds the package there (build-deb.sh): the tree copied into /src and
# the /proc mounted there are the chroot's only one.
lock_buildroot() {
	exec {buildroot_lock}>"$1.lock"
	flock "$buildroot_lock"
}

# mount_undone ARGS... DIR: mount(8) ARGS onto DIR, unmounted (lazily, last
# first) by unmount_all, which the caller's EXIT trap runs.
chroot_mounts=()
mount_undone() {
	mount "$@" && chroot_mounts+=("${!#}")
}
unmount_all() {
	local i
	for ((i = ${#chroot_mounts[@]} - 1; i >= 0; i--)); do
		umount -l "${chroot_mounts[i]}" 2>/dev/null || true
	done
	chroot_mounts=()
}
