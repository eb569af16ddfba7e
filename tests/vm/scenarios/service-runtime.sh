#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# service-runtime: tdxmemd.service enabled at boot and running before any
# CXL region exists.  Regions created at run time, one per device (window 0
# covered by the CMRs, window 1 not), are each decided within one event
# round-trip: uevents, the 50 ms quiet period, one pass, one record; the
# uevents that come after that pass (its own binds and blocks, the region's
# binds) cost no second pass (check.py counts the --verbose pass lines).  The
# time from the region's commit to its record's __REALTIME_TIMESTAMP is
# measured (check.py: < 5 s).  The second region's events, and a quiet
# period after, write no second record for the first device.  Then the
# second device's region is destroyed and one made in its place: the new
# device's pass reads that device only (the first is taken over from the
# last pass) and the service's status counts no device that is gone.
# vm-cxl: 512M 512M
# vm-pre-systemd: service-runtime.pre
# vm-install: package
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
settle
# Running before the region: the decision below cannot come from a start.
fact service_active_before "$(systemctl is-active tdxmemd.service || true)"
service_facts start
daxes=()
for i in 0 1; do
	# The commit is the moment the memory exists for the kernel; the dax
	# device follows when the region driver binds.
	commit_watch "/tmp/commit$i"
	watch=$!
	fact "region${i}_t_start" "$(now_us)"
	cxl_region "$i"
	fact "region${i}_t_dax" "$(now_us)"
	daxes+=("$DAX")
	wait "$watch" || true
	fact "region${i}_t_commit" "$(cat "/tmp/commit$i" 2>/dev/null || echo none)"
	# Not the next region before this one's record: each is timed alone.
	wait_records $((i + 1)) 60 "records_after_region$i"
done
quiet 3
fact records_two "$(count_records)"
dev_facts after0 "${daxes[0]}"
dev_facts after1 "${daxes[1]}"
fact status_two "$(systemctl show -p StatusText --value tdxmemd.service)"

# A region gone and one in its place (window 1 again, so devdax again).
fact destroyed_at "$(now_us)"
cxl destroy-region -f "$REGION" >>"$OUT/cxl.log" 2>&1
fact destroyed_rc $?
settle
quiet 1
line=$(cxl-region "serial:$((0x1234 + 1))")
say "cxl-region: $line"
replaced=$(sed -n 's/.*dax=\([^ ]*\).*/\1/p' <<<"$line")
fact replaced_dax "$replaced"
wait_records 3 60 records_after_replaced
quiet 3
fact records_final "$(count_records)"
dev_facts replaced "$replaced"
fact status_end "$(systemctl show -p StatusText --value tdxmemd.service)"
service_facts end
