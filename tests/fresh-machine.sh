#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fresh-machine.sh - what the README promises a fresh Debian machine, checked
# on one: a minimal debootstrap of the suite with only its default sources
# (main, -updates, -security; no backports), untouched by anything before.
#
# Usage: fresh-machine.sh [--suite bookworm|trixie] [--full | --package DEB]
#   (default)      copy the source tree in and run the set-up steps of the
#                  README's two commands up to their first build:
#                  tests/run-tests.sh --setup-only and
#                  tests/vm/demo.sh --setup-only (build dependencies, the
#                  build, QEMU and the bed's host packages); a missing
#                  install step fails here instead of hiding on a machine
#                  that has it from an earlier run
#   --full         run both commands to the end instead: the whole demo
#                  (its guest boots under QEMU inside the chroot), and the
#                  test command with TDXMEMD_SKIP_VM=1 (the guests' suite
#                  takes an hour; the set-up it needs is what the default
#                  mode proves)
#   --package DEB  install DEB with apt instead, check that tdxmemd.service
#                  is enabled, the udev rule, the catalog and the alert
#                  rules are in place,
#                  then `dpkg --purge` and check that no file of the
#                  package is left
# The debootstrapped base is cached, pristine, as a tarball in
# ${TDXMEMD_VM_CACHE:-/var/cache/tdxmemd-vm}/fresh/; every run unpacks a new
# copy, so each starts from the same untouched machine.  Needs root and
# Debian's archive.  Exit 0 when every step passed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$HERE")
CACHE=${TDXMEMD_VM_CACHE:-/var/cache/tdxmemd-vm}
MIRROR=${TDXMEMD_VM_MIRROR:-http://deb.debian.org/debian}
# shellcheck source=chroot-lib.sh
. "$HERE/chroot-lib.sh"
SUITE=bookworm
PACKAGE=""
FULL=0
while (($#)); do
	case $1 in
	--suite) SUITE=$2 && shift 2 ;;
	--package) PACKAGE=$(realpath "$2") && shift 2 ;;
	--full) FULL=1 && shift ;;
	-h | --help) sed -n '4,29s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" && exit 0 ;;
	*) echo "fresh-machine: unknown argument $1" >&2 && exit 1 ;;
	esac
done

log() { printf 'fresh-machine: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}
[[ $(id -u) == 0 ]] || die "must run as root (debootstrap, chroot)"
[[ -z $PACKAGE || -r $PACKAGE ]] || die "no package $PACKAGE"

base=$CACHE/fresh/$SUITE-base.tar
if [[ ! -s $base ]]; then
	log "debootstrap --variant=minbase $SUITE (once; cached as $base)"
	mkdir -p "$CACHE/fresh"
	tmp=$(mktemp -d "$CACHE/fresh/.$SUITE.XXXXXX")
	debootstrap --variant=minbase "$SUITE" "$tmp" "$MIRROR" \
		>"$CACHE/fresh/$SUITE-debootstrap.log" 2>&1 ||
		die "debootstrap failed, see $CACHE/fresh/$SUITE-debootstrap.log"
	# What the installer writes: the release, its updates and security.
	cat >"$tmp/etc/apt/sources.list" <<-EOF
		deb $MIRROR $SUITE main
		deb $MIRROR $SUITE-updates main
		deb http://security.debian.org/debian-security $SUITE-security main
	EOF
	rm -rf "$tmp"/var/cache/apt/archives/*.deb
	tar -C "$tmp" -cf "$base.new" .
	mv "$base.new" "$base"
	rm -rf "$tmp"
fi

root=$(mktemp -d /var/tmp/tdxmemd-fresh.XXXXXX)
cleanup() {
	unmount_all
	rm -rf "$root"
}
trap cleanup EXIT
tar -C "$root" -xf "$base"
# tar gave / the mode of the directory it was made from; apt's _apt and
# man-db's man users must reach what is under it.
chmod 0755 "$root"
for fs in proc sys dev dev/pts; do
	mount_undone --bind "/$fs" "$root/$fs"
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
in_root() { chroot "$root" env LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

if [[ -z $PACKAGE ]]; then
	mkdir -p "$root/src"
	"$HERE/list-tree.sh" | tar -C "$TOP" --null -T - -cf - | tar -C "$root/src" -xf -
	if ((FULL)); then
		log "$SUITE: tests/vm/demo.sh"
		in_root sh -c 'cd /src && tests/vm/demo.sh' ||
			die "the demo failed on a fresh $SUITE"
		log "$SUITE: TDXMEMD_SKIP_VM=1 tests/run-tests.sh"
		in_root sh -c 'cd /src && TDXMEMD_SKIP_VM=1 tests/run-tests.sh' ||
			die "the test command failed on a fresh $SUITE"
		log "$SUITE: both README commands ran to the end"
		exit 0
	fi
	log "$SUITE: tests/run-tests.sh --setup-only"
	in_root sh -c 'cd /src && tests/run-tests.sh --setup-only' ||
		die "the test command's set-up failed on a fresh $SUITE"
	log "$SUITE: tests/vm/demo.sh --setup-only"
	in_root sh -c 'cd /src && tests/vm/demo.sh --setup-only' ||
		die "the demo's set-up failed on a fresh $SUITE"
	log "$SUITE: both README commands set up and built"
	exit 0
fi

# ---- the package ------------------------------------------------------------

fail=0
check() {
	if eval "$2"; then
		printf '  ok   %s\n' "$1"
	else
		printf '  FAIL %s\n' "$1"
		fail=1
	fi
}
cp "$PACKAGE" "$root/tmp/"
deb=/tmp/$(basename "$PACKAGE")
log "$SUITE: apt-get install $deb"
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends "$deb" >"$root/install.log" 2>&1 ||
	die "install failed: $(tail -n 20 "$root/install.log")"
mapfile -t files < <(in_root dpkg-query -L tdxmemd | while read -r f; do
	[[ -d $root$f ]] || echo "$f"
done)
catalog_id=$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' "$TOP/systemd/tdxmemd.catalog" | head -n1)
check "tdxmemd.service enabled" \
	'[[ $(in_root systemctl is-enabled tdxmemd.service 2>/dev/null) == enabled ]]'
check "tdxmemd-once@.service not enabled (started per device by the udev rule)" \
	'! compgen -G "$root/etc/systemd/system/*.wants/tdxmemd-once@*" >/dev/null'
check "binary in /usr/sbin" '[[ -x $root/usr/sbin/tdxmemd ]]'
check "conffile /etc/tdxmemd.conf" \
	'in_root dpkg-query -W -f="\${Conffiles}" tdxmemd | grep -q " /etc/tdxmemd.conf "'
check "the shipped /etc/tdxmemd.conf parses (tdxmemd --once --dry-run)" \
	'in_root tdxmemd --once --dry-run >/dev/null'
check "catalog in journalctl's database ($catalog_id)" \
	'in_root journalctl --list-catalog 2>/dev/null | grep -q "^$catalog_id "'
check "man pages" '[[ -s $root/usr/share/man/man8/tdxmemd.8.gz && -s $root/usr/share/man/man5/tdxmemd.conf.5.gz && -s $root/usr/share/man/man7/tdxmemd-journal-fields.7.gz ]]'
check "alert rules in /usr/share/tdxmemd" '[[ -s $root/usr/share/tdxmemd/tdxmemd.rules.yml ]]'
log "$SUITE: dpkg --purge tdxmemd"
in_root dpkg --purge tdxmemd >"$root/purge.log" 2>&1 || die "purge failed: $(cat "$root/purge.log")"
left=()
for f in "${files[@]}"; do
	[[ -e $root$f || -L $root$f ]] && left+=("$f")
done
check "purge left no file of the package (${left[*]})" '((${#left[@]} == 0))'
check "purge removed the enablement symlinks" \
	'! compgen -G "$root/etc/systemd/system/*.wants/tdxmemd*" >/dev/null'
check "purge removed /usr/share/tdxmemd" '[[ ! -e $root/usr/share/tdxmemd ]]'
check "purge removed the conffile" '[[ ! -e $root/etc/tdxmemd.conf ]]'
check "catalog entries gone from the database" \
	'! in_root journalctl --list-catalog 2>/dev/null | grep -q "^$catalog_id "'
((fail == 0)) || die "package checks failed"
log "$SUITE: package installs, enables, purges cleanly"
