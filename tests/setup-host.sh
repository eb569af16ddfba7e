#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Installs what building, unit-testing and packaging tdxmemd needs, from the
# release's own archive only (on Debian 12 the libraries must be the ones a
# Debian 12 host runs: libsystemd 252, ndctl 76.1; Debian 13 works the
# same). Idempotent; run as root.
set -euo pipefail

packages=(
	build-essential meson ninja-build pkg-config
	libudev-dev libsystemd-dev libdaxctl-dev libcxl-dev libkmod-dev libcmocka-dev
	systemd udev python3 valgrind groff-base man-db clang-format
	debhelper lintian
)
# From Debian 13 on, systemd.pc and udev.pc (unit and rules directories)
# are in systemd-dev; Debian 12 has them in systemd and udev.
if [ "$(. /etc/os-release && echo "$VERSION_CODENAME")" != bookworm ]; then
	packages+=(systemd-dev)
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# promtool checks the metrics format (tests/test-cli.sh). It comes only in
# Debian's prometheus package, whose postinst starts a Prometheus server:
# unpack it instead of installing it, and take promtool alone.
tools=${TDXMEMD_TOOLS:-/var/cache/tdxmemd-tools}
if [ ! -x "$tools/usr/bin/promtool" ]; then
	mkdir -p "$tools/debs"
	(cd "$tools/debs" && apt-get download -q -o APT::Sandbox::User=root prometheus) ||
		{ apt-get update -q && (cd "$tools/debs" && apt-get download -q -o APT::Sandbox::User=root prometheus); }
	dpkg -x "$tools"/debs/prometheus_*.deb "$tools/unpacked"
	install -D -m 0755 "$tools/unpacked/usr/bin/promtool" "$tools/usr/bin/promtool"
	rm -rf "$tools/debs" "$tools/unpacked"
fi
