#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# setup.sh - prepare the tdxmemd real-kernel test bed on a Debian host.
#
# The bed has legs: a guest distribution and the kernel it boots.
#   deb12-6.12  Debian 12 guest, 6.12 from bookworm-backports
#   deb13-7.3   Debian 13 guest (systemd 257, ndctl 81), 7.3 from
#               trixie-backports
# Idempotent and cached under ${TDXMEMD_VM_CACHE:-/var/cache/tdxmemd-vm}:
#   1. host packages (QEMU >= 8, from bookworm-backports on a Debian 12
#      host, for CXL volatile memory; debootstrap, e2fsprogs, pahole, gcc);
#   2. per leg, a build environment: the host when the leg's suite is the
#      host's, else a debootstrapped chroot of that suite;
#   3. the leg's kernel headers, fetched there with `apt-get download` and
#      unpacked with `dpkg -x`: nothing is installed on the host, whose own
#      kernel and systemd stay untouched;
#   4. a rootfs of the leg's suite (debootstrap minbase + systemd, udev,
#      ndctl) with the kernel installed INSIDE it by apt from backports,
#      which also yields its initramfs;
#   5. an ext4 image of the rootfs (booted with -snapshot, never modified);
#   6. tdxsim.ko built in the build environment against the leg's headers,
#      and the small guest helpers.
# Writes ${CACHE}/leg-LEG.env for run-guest.sh.  Every step is keyed by its
# inputs (kernel version, package list, source hashes), so a second run only
# checks and takes seconds.
#
# Usage: setup.sh [--quiet] [--host-only] [LEG...]   (default: every leg)
#   Steps that do work say so on stderr (a cached run prints nothing else);
#   --quiet leaves out the final summary of each leg's env file;
#   --host-only stops after step 1 (tests/fresh-machine.sh uses it).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${TDXMEMD_VM_CACHE:-/var/cache/tdxmemd-vm}
MIRROR=${TDXMEMD_VM_MIRROR:-http://deb.debian.org/debian}
# The host's own backports: QEMU on a Debian 12 host, the kernel of a leg
# whose suite is the host's.
HOST_SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
BACKPORTS=$HOST_SUITE-backports
QUIET=0
HOST_ONLY=0
ARGS=()
for arg in "$@"; do
	case $arg in
	--quiet) QUIET=1 ;;
	--host-only) HOST_ONLY=1 ;;
	-h | --help)
		sed -n '4,30s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
		exit 0
		;;
	-*) printf 'setup: error: unknown option %s\n' "$arg" >&2 && exit 1 ;;
	*) ARGS+=("$arg") ;;
	esac
done

# Bump when the recipe of a cached step changes in a way its key misses.
ROOTFS_REV=1
IMAGE_REV=1

# Guest packages.  minbase has no init, no udev, no kmod; ndctl ships the
# cxl tool, daxctl the dax one.  initramfs-tools is here because Debian's
# kernel has virtio_blk and ext4 as modules: the guest needs an initramfs,
# and installing the kernel package in the rootfs is how Debian makes one.
# strace: scenarios show which sysfs files tdxmemd writes.
GUEST_PKGS=(
	systemd systemd-sysv udev kmod daxctl ndctl libdaxctl1 libcxl1
	libkmod2 libsystemd0 libudev1 util-linux procps initramfs-tools strace
)

log() { printf 'setup: %s\n' "$*" >&2; }
die() {
	printf 'setup: error: %s\n' "$*" >&2
	exit 1
}

[[ $(id -u) == 0 ]] || die "must run as root (apt-get, debootstrap, chroot)"
command -v apt-get >/dev/null || die "needs a Debian host (apt-get)"

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# --------------------------------------------------------------------------
# 1. Host packages
# --------------------------------------------------------------------------

apt_updated=0
apt_update() {
	((apt_updated)) && return 0
	log "apt-get update"
	apt-get update -qq
	apt_updated=1
}

# apt-cache policy lists every configured suite by codename, "n=<codename>"; this works
# for one-line .list and deb822 .sources files alike.
ensure_backports() {
	if apt-cache policy 2>/dev/null | grep -q "n=${BACKPORTS},"; then
		return 0
	fi
	if ! grep -rqsE "^[^#]*${BACKPORTS}" /etc/apt/sources.list \
		/etc/apt/sources.list.d/; then
		log "adding ${BACKPORTS} to /etc/apt/sources.list.d/backports.list"
		echo "deb ${MIRROR} ${BACKPORTS} main" \
			>/etc/apt/sources.list.d/backports.list
		# A new source needs a new update, even if one ran before.
		apt_updated=0
	fi
	apt_update
	apt-cache policy | grep -q "n=${BACKPORTS}," ||
		die "${BACKPORTS} still not visible to apt"
}

missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null |
			grep -qx installed || echo "$p"
	done
}

# QEMU 8.0+ emulates CXL volatile (RAM) type-3 devices; bookworm has 7.2.
qemu_ok() {
	local v
	command -v qemu-system-x86_64 >/dev/null || return 1
	v=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p')
	[[ -n $v && $v -ge 8 ]]
}

install_qemu() {
	local pkgs=("qemu-system-x86/${BACKPORTS}" "qemu-system-common/${BACKPORTS}"
		"qemu-system-data/${BACKPORTS}" "seabios/${BACKPORTS}")
	local sim
	if [[ $HOST_SUITE != bookworm ]]; then
		# Debian 13 and later ship QEMU >= 8 in the release itself.
		apt_update
		log "installing QEMU"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends qemu-system-x86
		return 0
	fi
	ensure_backports
	apt_update
	# Pulling QEMU from backports with its full dependency set upgrades
	# libsystemd0/libudev1 252 -> 254, which would make host-built binaries
	# depend on symbols the guest (stock bookworm) lacks.  This package set
	# with --no-install-recommends does not; refuse if that ever changes.
	sim=$(apt-get install -s --no-install-recommends "${pkgs[@]}")
	if grep -E '^Inst (libsystemd0|libudev1|systemd|udev|libsystemd-shared) ' <<<"$sim"; then
		die "installing QEMU from ${BACKPORTS} would upgrade systemd libraries (above); install QEMU >= 8 by hand"
	fi
	log "installing QEMU from ${BACKPORTS}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${pkgs[@]}"
}

HOST_PKGS=(
	debootstrap e2fsprogs dwarves make gcc libc6-dev python3 ca-certificates
	cpio xz-utils
)
# The 6.12 leg's tdxsim is built on a Debian 12 host, with the gcc and the
# libelf its kbuild tools were built with; on another host that leg has a
# build chroot, and Debian 13 renamed libelf1 (libelf1t64).
[[ $HOST_SUITE != bookworm ]] || HOST_PKGS+=(gcc-12 libelf1)

ensure_host() {
	local miss
	mapfile -t miss < <(missing_pkgs "${HOST_PKGS[@]}")
	if ((${#miss[@]})); then
		apt_update
		log "installing host packages: ${miss[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "${miss[@]}"
	fi
	qemu_ok || install_qemu
	qemu_ok || die "QEMU >= 8 still missing"
	# The second half of the check: whatever put QEMU here, the host must
	# still have bookworm's systemd 252 libraries (see install_qemu).
	local sdv
	sdv=$(dpkg-query -W -f='${Version}' libsystemd0)
	[[ $HOST_SUITE != bookworm || $sdv == 252.* ]] ||
		log "warning: host libsystemd0 is $sdv, not bookworm's 252: host-built tdxmemd may not run in the guest"
}

# --------------------------------------------------------------------------
# 2. Legs, and the build environment of each
# --------------------------------------------------------------------------

# A leg is a guest distribution and the kernel it boots, both from
# Debian's archive.  Leg names say what they are; the kernel is the
# newest of the series in the suite's backports.
ALL_LEGS=(deb12-6.12 deb13-7.3)
leg_set() {
	LEG=$1
	case $LEG in
	deb12-6.12) SUITE=bookworm KSERIES=6.12 ;;
	deb13-7.3) SUITE=trixie KSERIES=7.3 ;;
	*) die "unknown leg '$LEG' (known: ${ALL_LEGS[*]})" ;;
	esac
	KSUITE=$SUITE-backports
}

# Packages a build of tdxmemd and of tdxsim needs, in a suite that is not
# the host's.  tests/setup-host.sh has the host's list.
BUILDROOT_REV=1
BUILDROOT_PKGS=(
	build-essential meson ninja-build pkg-config
	libudev-dev libsystemd-dev libdaxctl-dev libcxl-dev libkmod-dev
	libcmocka-dev systemd udev python3 groff-base debhelper
)

# shellcheck source=../chroot-lib.sh
. "$HERE/../chroot-lib.sh"
trap unmount_all EXIT

mount_pseudo() {
	mount_undone -t proc proc "$1/proc"
	mount_undone -t sysfs sysfs "$1/sys"
}

# debootstrap_suite DIR LOG PKG...: a minbase $SUITE in DIR with PKGs.
debootstrap_suite() {
	local dir=$1 log=$2 incl
	shift 2
	incl=$(
		IFS=,
		echo "$*"
	)
	debootstrap --variant=minbase --include="$incl" "$SUITE" "$dir" "$MIRROR" \
		>"$log" 2>&1 || die "debootstrap failed, see $log"
}

# The sources a chroot of $SUITE uses: the release and its backports.
write_sources() {
	cat >"$1/etc/apt/sources.list" <<-EOF
		deb $MIRROR $SUITE main
		deb $MIRROR $KSUITE main
	EOF
}

# A debootstrapped $SUITE with the build packages: where tdxsim is built
# for a leg whose suite is not the host's (its kbuild tools link against
# that suite's libc, its headers want that suite's gcc), and where the
# unit suite runs against that suite's libraries (tests/chroot-build.sh).
build_buildroot() {
	local key pkgs=("${BUILDROOT_PKGS[@]}")
	# From Debian 13 on, systemd.pc and udev.pc (unit and rules
	# directories) are in systemd-dev.
	[[ $SUITE == bookworm ]] || pkgs+=(systemd-dev)
	key=$(printf '%s\n' "$BUILDROOT_REV" "$SUITE" "${pkgs[@]}" |
		sha256sum | cut -c1-16)
	BUILDROOT=$CACHE/buildroot/$SUITE-$key
	[[ -e $BUILDROOT/.done ]] && return 0
	log "building $SUITE build chroot $BUILDROOT (debootstrap: a few minutes)"
	rm -rf "$BUILDROOT"
	mkdir -p "$BUILDROOT"
	debootstrap_suite "$BUILDROOT" "$CACHE/buildroot/$SUITE-debootstrap.log" "${pkgs[@]}"
	write_sources "$BUILDROOT"
	chroot "$BUILDROOT" apt-get update -qq ||
		die "apt-get update in $BUILDROOT failed"
	touch "$BUILDROOT/.done"
}

# Runs apt-cache / apt-get in the leg's build environment: the host when
# the leg's suite is the host's, else the build chroot.
benv() {
	if [[ -z $BUILDROOT ]]; then
		"$@"
	else
		chroot "$BUILDROOT" "$@"
	fi
}

prepare_build_env() {
	BUILDROOT=""
	if [[ $SUITE == "$HOST_SUITE" ]]; then
		ensure_backports
	else
		build_buildroot
	fi
}

# --------------------------------------------------------------------------
# 3. Guest kernel: the newest $KSERIES in $KSUITE; headers unpacked
# --------------------------------------------------------------------------

resolve_kernel() {
	if [[ -n ${TDXMEMD_VM_KVER:-} ]]; then
		KVER=$TDXMEMD_VM_KVER
		return 0
	fi
	local dep
	dep=$(benv apt-cache depends "linux-image-amd64/${KSUITE}" 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | head -n1)
	if [[ -z $dep ]]; then
		if [[ -z $BUILDROOT ]]; then
			apt_update
		else
			chroot "$BUILDROOT" apt-get update -qq
		fi
		dep=$(benv apt-cache depends "linux-image-amd64/${KSUITE}" |
			sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | head -n1)
	fi
	[[ -n $dep ]] || die "cannot resolve linux-image-amd64 in ${KSUITE}"
	[[ $dep == "$KSERIES".* ]] ||
		die "leg $LEG wants a $KSERIES kernel, ${KSUITE} has $dep"
	KVER=$dep
}

# The headers (for tdxsim) are unpacked, never installed: on the host they
# land in the cache; in a build chroot, at their own /usr/src paths, where
# the chroot's tools run them.
fetch_headers() {
	if [[ -z $BUILDROOT ]]; then
		KDIR_CACHE=$CACHE/kernel/$KVER
		KTREE_ENV=$KDIR_CACHE/tree # as the build environment sees it
	else
		KDIR_CACHE=$BUILDROOT/kernel/$KVER
		KTREE_ENV=""
	fi
	local debs=$KDIR_CACHE/debs tree=$BUILDROOT$KTREE_ENV
	[[ -e $KDIR_CACHE/.done ]] && return 0
	log "fetching kernel headers $KVER"
	rm -rf "$KDIR_CACHE"
	mkdir -p "$debs" "$tree"
	local common kbuild
	common=$(benv apt-cache depends "linux-headers-$KVER" |
		sed -n 's/^ *Depends: \(linux-headers-.*-common\)$/\1/p' | head -n1)
	kbuild=$(benv apt-cache depends "linux-headers-$KVER" |
		sed -n 's/^ *Depends: \(linux-kbuild-.*\)$/\1/p' | head -n1)
	[[ -n $common && -n $kbuild ]] ||
		die "cannot resolve -common/kbuild packages for linux-headers-$KVER"
	# apt's download sandbox user cannot write a root-owned cache dir.
	local in_env=$debs
	[[ -z $BUILDROOT ]] || in_env=/kernel/$KVER/debs
	benv sh -c "cd '$in_env' && apt-get -q -o APT::Sandbox::User=root download \
		linux-headers-$KVER $common $kbuild" >&2
	local d
	for d in "$debs"/*.deb; do
		dpkg -x "$d" "$tree"
	done
	if [[ -z $BUILDROOT ]]; then
		# The arch headers' top Makefile includes the -common tree by
		# an absolute /usr/src path; point it at the unpacked copy.
		sed -i "s|^include /usr/src/|include $KTREE_ENV/usr/src/|" \
			"$tree/usr/src/linux-headers-$KVER/Makefile"
	else
		# The kbuild tools' own libraries (libelf, libssl) and the
		# kernel's gcc, from the chroot's suite.
		chroot "$BUILDROOT" sh -c "apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends \
			\$(apt-cache depends $kbuild linux-headers-$KVER | \
			sed -n 's/^ *Depends: \([a-z0-9][^ <]*\)$/\1/p' | \
			grep -v '^linux-')" >/dev/null ||
			die "installing the kbuild dependencies in $BUILDROOT failed"
	fi
	touch "$KDIR_CACHE/.done"
}

# --------------------------------------------------------------------------
# 4. Rootfs with the kernel installed inside it
# --------------------------------------------------------------------------

build_rootfs() {
	local key
	key=$(printf '%s\n' "$ROOTFS_REV" "$SUITE" "$KVER" "${GUEST_PKGS[@]}" |
		sha256sum | cut -c1-16)
	ROOTFS_DIR=$CACHE/rootfs/$KVER-$key
	if [[ -e $ROOTFS_DIR/.done ]]; then
		return 0
	fi
	log "building $SUITE rootfs $ROOTFS_DIR (debootstrap: a few minutes)"
	rm -rf "$ROOTFS_DIR"
	mkdir -p "$ROOTFS_DIR"
	local root=$ROOTFS_DIR/root
	debootstrap_suite "$root" "$ROOTFS_DIR/debootstrap.log" "${GUEST_PKGS[@]}"

	# Small initramfs: only what mounting an ext4 root on virtio-blk
	# needs; the rootfs has every module for the rest.
	mkdir -p "$root/etc/initramfs-tools/conf.d"
	cat >"$root/etc/initramfs-tools/conf.d/tdxmemd-vm.conf" <<-'EOF'
		MODULES=list
		COMPRESS=gzip
		RESUME=none
	EOF
	printf '%s\n' virtio_pci virtio_blk ext4 >>"$root/etc/initramfs-tools/modules"

	mount_pseudo "$root"
	write_sources "$root"
	# apt resolves what the backports kernel needs (linux-base, a newer
	# initramfs-tools for 7.x); its postinst hooks build the initramfs
	# exactly as on a Debian system.
	{
		chroot "$root" apt-get update -qq &&
			chroot "$root" env DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -q --no-install-recommends \
				-t "$KSUITE" "linux-image-$KVER"
	} >"$ROOTFS_DIR/kernel-install.log" 2>&1 ||
		die "kernel install in rootfs failed, see $ROOTFS_DIR/kernel-install.log"
	unmount_all
	[[ -s $root/boot/initrd.img-$KVER ]] || die "no initramfs was built"
	mv "$root/boot/vmlinuz-$KVER" "$ROOTFS_DIR/vmlinuz"
	mv "$root/boot/initrd.img-$KVER" "$ROOTFS_DIR/initrd.img"
	rm -f "$root/boot/System.map-$KVER"
	# Nothing in the guest uses apt; drop its caches to keep the image small.
	rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
	touch "$ROOTFS_DIR/.done"
}

# --------------------------------------------------------------------------
# 5. Image: rootfs + the bed's boot-time configuration, as ext4
# --------------------------------------------------------------------------

# Units a one-shot test boot does not need; each costs boot time under TCG.
MASK_UNITS=(
	apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer
	e2scrub_all.timer e2scrub_reap.service fstrim.timer
	systemd-tmpfiles-clean.timer getty.target getty@.service
	serial-getty@.service console-getty.service
	systemd-timesyncd.service systemd-networkd.service networking.service
	systemd-update-utmp.service systemd-update-utmp-runlevel.service
	systemd-pstore.service systemd-random-seed.service
	systemd-firstboot.service systemd-machine-id-commit.service
	cron.service ifupdown-pre.service ndctl-monitor.service
	cxl-monitor.service ldconfig.service systemd-update-done.service
	systemd-journal-catalog-update.service
)

# Modules udev's coldplug would load for QEMU's q35 devices that no test
# uses; under TCG each costs seconds of the scenario's time. (kvm_intel
# stays: tdxmemd watches its load.)
BLACKLIST_MODULES=(kvm_amd kvm ahci libahci lpc_ich i2c_i801 i2c_smbus iTCO_wdt pcspkr)

build_image() {
	local inputs=("$HERE/guest/vm-init" "$HERE/setup.sh")
	local key
	key=$( (
		echo "$IMAGE_REV $ROOTFS_DIR"
		cat "${inputs[@]}"
	) | sha256sum | cut -c1-16)
	IMAGE=$CACHE/images/$KVER-$key.ext4
	if [[ -e $IMAGE ]]; then
		return 0
	fi
	log "building image $IMAGE"
	mkdir -p "$CACHE/images"
	local root=$ROOTFS_DIR/root
	install -m 0755 "$HERE/guest/vm-init" "$root/usr/local/sbin/vm-init"
	mkdir -p "$root/mnt/vm"
	echo tdxvm >"$root/etc/hostname"
	# The kernel and initramfs are booted from outside the image: a
	# package's update-initramfs trigger (tdxmemd's blacklist) needs not
	# rebuild the copy inside it.
	sed -i 's/^update_initramfs=.*/update_initramfs=no/' \
		"$root/etc/initramfs-tools/update-initramfs.conf"
	# A fixed machine-id: an empty one makes systemd treat every boot as
	# the first boot (ConditionFirstBoot, preset-all), which costs time.
	echo 5d1b7a3e2c0f4e8b9a6d1c3b2a1f0e9d >"$root/etc/machine-id"
	: >"$root/etc/fstab"
	mkdir -p "$root/etc/systemd/journald.conf.d"
	# The journal of one boot is all a test collects; keep it in /run.
	cat >"$root/etc/systemd/journald.conf.d/tdxmemd-vm.conf" <<-'EOF'
		[Journal]
		Storage=volatile
		RuntimeMaxUse=64M
	EOF
	local u m
	for u in "${MASK_UNITS[@]}"; do
		ln -sf /dev/null "$root/etc/systemd/system/$u"
	done
	for m in "${BLACKLIST_MODULES[@]}"; do
		echo "blacklist $m"
	done >"$root/etc/modprobe.d/tdxmemd-vm.conf"
	local tmp=$IMAGE.tmp
	rm -f "$tmp"
	local used
	used=$(du -sm "$root" | cut -f1)
	# Headroom for what a scenario writes; the image is sparse and booted
	# with -snapshot, so the size costs nothing on the host.
	truncate -s "$((used + 768))M" "$tmp"
	mkfs.ext4 -q -L tdxvm-root -d "$root" "$tmp"
	mv "$tmp" "$IMAGE"
	# Older images of this rootfs are never used again.
	find "$CACHE/images" -name "$KVER-*.ext4" ! -path "$IMAGE" -delete
}

# --------------------------------------------------------------------------
# 6. tdxsim.ko and guest helpers
# --------------------------------------------------------------------------

build_tdxsim() {
	local key
	key=$(hash_of "$HERE/tdxsim/tdxsim.c" "$HERE/tdxsim/Kbuild" \
		"$HERE/tdxsim/Makefile")
	local dir=$CACHE/tdxsim/$KVER-$key
	TDXSIM_KO=$dir/tdxsim.ko
	[[ -e $TDXSIM_KO ]] && return 0
	log "building tdxsim.ko for $KVER"
	rm -rf "$dir"
	mkdir -p "$dir"
	local work=$dir work_env=$dir pahole
	pahole=$(command -v pahole || true)
	if [[ -n $BUILDROOT ]]; then
		# Built where the leg's kbuild tools and gcc run; no pahole
		# there, so no BTF (the module does not need it).
		work_env=/tdxsim-build
		work=$BUILDROOT$work_env
		rm -rf "$work"
		mkdir -p "$work"
		pahole=""
		mount_pseudo "$BUILDROOT" # objtool reads /proc
	fi
	cp "$HERE"/tdxsim/{tdxsim.c,Kbuild,Makefile} "$work/"
	benv make -s -C "$work_env" \
		KDIR="$KTREE_ENV/usr/src/linux-headers-$KVER" \
		${pahole:+PAHOLE="$pahole"} >"$dir/build.log" 2>&1 ||
		die "tdxsim build failed: $(tail -n 20 "$dir/build.log")"
	unmount_all
	[[ $work == "$dir" ]] || cp "$work/tdxsim.ko" "$dir/"
	[[ -e $TDXSIM_KO ]] || die "tdxsim.ko not produced"
}

# The bed's own initramfs (guest/initrd-init): busybox-static, and the
# modules that mount the root disk, in load order, decompressed (busybox's
# insmod takes plain .ko files).  Keyed by the kernel and the script.
build_initrd() {
	local key dir busybox mods root=$ROOTFS_DIR/root
	key=$(hash_of "$HERE/guest/initrd-init")
	dir=$CACHE/initrd/$KVER-$key
	INITRD=$dir/initrd.img
	[[ -s $INITRD ]] && return 0
	log "building the bed's initramfs for $KVER"
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$dir/tree/lib/modules" "$dir/tree/bin" "$dir/tree/proc" \
		"$dir/tree/sys" "$dir/tree/dev" "$dir/tree/run" "$dir/tree/root"
	(cd "$dir/debs" && apt-get download -q -o APT::Sandbox::User=root busybox-static) \
		>"$dir/download.log" 2>&1 || die "apt-get download busybox-static failed"
	dpkg -x "$dir"/debs/busybox-static_*.deb "$dir/unpacked"
	busybox=$dir/unpacked/bin/busybox
	install -m 0755 "$busybox" "$dir/tree/bin/busybox"
	for cmd in sh mount insmod sleep cat switch_root echo; do
		ln -s busybox "$dir/tree/bin/$cmd"
	done
	install -m 0755 "$HERE/guest/initrd-init" "$dir/tree/init"
	# the crc32c driver ext4 asks the crypto API for, then the disk's
	mods=$(python3 - "$root/lib/modules/$KVER/modules.dep" <<-'PY'
		import os, sys
		dep = {}
		for line in open(sys.argv[1]):
		    path, _, deps = line.partition(":")
		    dep[os.path.basename(path).split(".ko")[0].replace("-", "_")] = (path, deps.split())
		order = []
		def add(path):
		    for d in dep[os.path.basename(path).split(".ko")[0].replace("-", "_")][1]:
		        add(d)
		    if path not in order:
		        order.append(path)
		crc = next(n for n in ("crc32c_cryptoapi", "crc32c_generic") if n in dep)
		for name in (crc, "ext4", "virtio_blk"):
		    add(dep[name][0])
		print(" ".join(order))
	PY
	) || die "cannot resolve the root disk's modules for $KVER"
	local m names=()
	for m in $mods; do
		names+=("$(basename "${m%%.ko*}")")
		case $m in
		*.xz) xz -dc "$root/lib/modules/$KVER/$m" ;;
		*.ko) cat "$root/lib/modules/$KVER/$m" ;;
		*) die "$m: a compression the bed does not unpack" ;;
		esac >"$dir/tree/lib/modules/${names[-1]}.ko"
	done
	echo "${names[*]}" >"$dir/tree/modules"
	(cd "$dir/tree" && find . | cpio -o -H newc --quiet | gzip -1) >"$INITRD.tmp"
	mv "$INITRD.tmp" "$INITRD"
	rm -rf "$dir/debs" "$dir/unpacked" "$dir/tree"
}

build_helpers() {
	local key
	key=$(hash_of "$HERE/guest/daxrw.c")
	local dir=$CACHE/helpers/$key
	DAXRW=$dir/daxrw
	[[ -x $DAXRW ]] && return 0
	mkdir -p "$dir"
	gcc -O2 -Wall -Wextra -Werror -o "$DAXRW.tmp" "$HERE/guest/daxrw.c"
	mv "$DAXRW.tmp" "$DAXRW"
}

setup_leg() {
	leg_set "$1"
	prepare_build_env
	resolve_kernel
	fetch_headers
	build_rootfs
	build_image
	build_initrd
	build_tdxsim
	local env=$CACHE/leg-$LEG.env
	cat >"$env.tmp" <<-EOF
		VM_LEG=$LEG
		VM_SUITE=$SUITE
		VM_KVER=$KVER
		VM_KERNEL=$ROOTFS_DIR/vmlinuz
		VM_INITRD=$INITRD
		VM_IMAGE=$IMAGE
		VM_ROOTFS=$ROOTFS_DIR/root
		VM_TDXSIM_KO=$TDXSIM_KO
		VM_DAXRW=$DAXRW
		VM_BUILDROOT=$BUILDROOT
	EOF
	mv "$env.tmp" "$env"
	((QUIET)) || {
		echo "setup: leg $LEG ready: $env" >&2
		cat "$env"
	}
}

main() {
	mkdir -p "$CACHE"
	ensure_host
	((!HOST_ONLY)) || return 0
	build_helpers
	local legs=("$@") leg
	((${#legs[@]})) || legs=("${ALL_LEGS[@]}")
	for leg in "${legs[@]}"; do
		setup_leg "$leg"
	done
}

main "${ARGS[@]}"
