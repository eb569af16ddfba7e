#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo's guest part (demo.sh): a host whose BIOS enabled TDX, with two
# CXL memory devices: one inside the CMRs the firmware reports, one outside.
# Runs tdxmemd once and keeps what an administrator would look at.  The
# installed udev rule would start tdxmemd.service as soon as the regions
# appear (tests/vm/scenarios/service-udev.sh shows that); the demo keeps it
# off so that the one `tdxmemd --once` below makes every decision.
# shellcheck source=lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off >/dev/null
settle
tdxsim_load state=bios "cmrs=$BOOTRAM,$WIN0"
cxl_region 0
cxl_region 1
settle
{
	echo "\$ dmesg | grep virt/tdx"
	dmesg | grep 'virt/tdx' | sed 's/^\[[ 0-9.]*\] //'
	echo
	echo "\$ lsmem -o RANGE,SIZE,STATE,BLOCK,NODE,ZONES    # before: no CXL memory added yet"
	lsmem -o RANGE,SIZE,STATE,BLOCK,NODE,ZONES
	echo
	echo "\$ tdxmemd status    # before"
	tdxmemd status
} >"$OUT/demo-before.txt" 2>&1
rc=0
tdxmemd --once >"$OUT/demo-tdxmemd.txt" 2>&1 || rc=$?
echo "$rc" >"$OUT/demo-tdxmemd.rc"
settle
journalctl --sync || true
journalctl -t tdxmemd -o verbose --no-pager >"$OUT/demo-journal.txt" 2>&1 || true
journalctl -x -t tdxmemd --no-pager >"$OUT/demo-journal-x.txt" 2>&1 || true
{
	echo "\$ daxctl list -M -u"
	daxctl list -M -u
	echo
	echo "\$ lsmem -o RANGE,SIZE,STATE,BLOCK,NODE,ZONES"
	lsmem -o RANGE,SIZE,STATE,BLOCK,NODE,ZONES
	echo
	echo "\$ tdxmemd status"
	tdxmemd status
} >"$OUT/demo-after.txt" 2>&1
