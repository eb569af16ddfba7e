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
	systemd udev python3 valgrind groff-base man-db clang-format clang
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

# libFuzzer (tests/fuzz/) comes with clang's runtime libraries, a package
# of its own named by clang's major version (Debian 12: 14, Debian 13: 19).
clang_major=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
if ! dpkg-query -W -f='${Status}' "libclang-rt-$clang_major-dev" 2>/dev/null |
	grep -q 'install ok installed'; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "libclang-rt-$clang_major-dev"
fi

# promtool checks the metrics format (tests/test-cli.sh). Debian 13 ships it
# as its own package; Debian 12 only inside the prometheus package, whose
# postinst starts a Prometheus server. Either way: unpack, do not install,
# and take promtool alone.
tools=${TDXMEMD_TOOLS:-/var/cache/tdxmemd-tools}
fetch_promtool() {
	local pkg
	rm -rf "$tools/debs" "$tools/unpacked"
	mkdir -p "$tools/debs"
	for pkg in promtool prometheus; do
		(cd "$tools/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg") 2>/dev/null ||
			continue
		dpkg -x "$tools"/debs/"$pkg"_*.deb "$tools/unpacked"
		[ -x "$tools/unpacked/usr/bin/promtool" ] && return 0
	done
	return 1
}
if [ ! -x "$tools/usr/bin/promtool" ]; then
	fetch_promtool || { apt-get update -q && fetch_promtool; } ||
		{ echo "setup-host: no promtool in the archive" >&2 && exit 1; }
	install -D -m 0755 "$tools/unpacked/usr/bin/promtool" "$tools/usr/bin/promtool"
	rm -rf "$tools/debs" "$tools/unpacked"
fi
