#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# race-boot: a CXL region outside the CMRs exists before systemd starts
# (race-boot.pre). Through udev's coldplug and tdxmemd.service's start its
# memory is never added (kmem blacklisted for alias loads, the dax bus held
# before kmem is loaded); TDX initialized right when the scenario starts
# succeeds, and the device ends devdax and mappable with one record. Here
# the service runs before udev's coldplug (Before=systemd-udev-trigger).
# vm-cxl: 512M
# vm-pre-systemd: race-boot.pre
# vm-install: package
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
race_boot
