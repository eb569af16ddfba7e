#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rule-online: a distribution's udev rule (RHEL's 40-redhat.rules) writes
# "online" to every memory block udevd sees added.  With it installed and
# the service running: a covered region goes online whole, one record,
# every block in the zone tdxmemd chose (kmem's probe onlined them before
# the rule saw them); an uncovered one stays devdax with nothing present;
# then ten online/devdax flips of the covered device (CMR file edit and
# reload each) end each time whole: never a device without a driver,
# never half online.
# vm-cxl: 512M 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
distro_rule_flips online
