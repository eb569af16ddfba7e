#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# service-sighup: CmrFile= in /etc/tdxmemd.conf lists CMRs covering window 0
# only (the kernel log lists boot RAM only: the file rules): the service
# (started by its udev rule) puts device A online and keeps device B
# devdax.  The CMR file is then rewritten to cover window 1 too and the
# service reloaded (systemctl reload: SIGHUP): B flips to online with one
# new record; A, whose decision holds, gets none.
# vm-cxl: 512M 512M
# vm-file: cmrs-window0.txt
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
settle
# The installed configuration path, as an administrator sets it.
printf '[TDX]\nCmrFile=/etc/tdxmemd/cmrs.txt\n' >/etc/tdxmemd.conf
install -D -m 0644 "$FILES/cmrs-window0.txt" /etc/tdxmemd/cmrs.txt
tdxsim_load state=bios "cmrs=$BOOTRAM"
cxl_region 0
DAXA=$DAX
cxl_region 1
DAXB=$DAX
wait_records 2 90 records_before_reload
quiet 2
dev_facts before_a "$DAXA"
dev_facts before_b "$DAXB"
service_facts before
# Rewritten whole and renamed into place, as an editor or a config
# management tool would.
{
	cat "$FILES/cmrs-window0.txt"
	echo "# window 1, now known to be convertible"
	echo "[0x490000000, 0x590000000)"
} >/etc/tdxmemd/cmrs.txt.new
mv /etc/tdxmemd/cmrs.txt.new /etc/tdxmemd/cmrs.txt
fact reload_us "$(now_us)"
rc=0
systemctl reload tdxmemd.service || rc=$?
fact reload_rc "$rc"
# ExecReload= is a kill -HUP that exits at once: unless systemd already
# saw the service's RELOADING=1, reload may return before the pass is over.
wait_records 3 60 records_after_reload
quiet 3
fact records_final "$(count_records)"
dev_facts after_a "$DAXA"
dev_facts after_b "$DAXB"
service_facts after
