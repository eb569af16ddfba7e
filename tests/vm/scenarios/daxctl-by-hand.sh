#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# daxctl-by-hand: the service running, A (window 0, in the CMR file) online
# and B (window 1, outside) devdax.  An administrator runs daxctl on each:
# `daxctl reconfigure-device -m system-ram B` and later `daxctl
# reconfigure-device -m devdax -f A`.  Each is put back within 2 s by the
# service (once daxctl is done: half a second of quiet), with one record that says
# what it found (TDXMEMD_PUT_BACK); each ends whole: B devdax with nothing
# present, A online with every block.
# vm-cxl: 512M 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
settle
service_a_online_b_devdax
# by_hand NAME DEV RECORDS OPTION...: daxctl reconfigure-device DEV
# OPTION..., its exit status and when it ended (NAME_done_us), then, once
# the journal holds RECORDS records, the device as the service left it.
by_hand() {
	local name=$1 dev=$2 records=$3 rc=0
	shift 3
	daxctl reconfigure-device "$dev" "$@" >"$OUT/$name.json" 2>"$OUT/$name.log" || rc=$?
	fact "${name}_done_us" "$(now_us)"
	fact "${name}_rc" "$rc"
	map_facts "${name}_by_hand" "$dev"
	wait_records "$records" 30 "records_$name"
	quiet 2
	map_facts "$name" "$dev"
}
by_hand b "$B" 3 -m system-ram
by_hand a "$A" 4 -m devdax -f
fact records_final "$(count_records)"
service_facts end
