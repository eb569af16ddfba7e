#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Installs what building and unit-testing tdxmemd needs on Debian 12, from
# the bookworm archive only (the libraries must match the ones a Debian 12
# host runs: libsystemd 252, ndctl 76.1). Idempotent; run as root.
set -euo pipefail

packages=(
	build-essential meson ninja-build pkg-config
	libudev-dev libsystemd-dev libdaxctl-dev libcxl-dev libkmod-dev libcmocka-dev
	systemd udev python3 valgrind groff-base man-db clang-format
)

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
