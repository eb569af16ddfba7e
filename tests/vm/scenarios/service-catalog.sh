#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# service-catalog: one boot in which the service produces every kind of
# record it has, and `journalctl -x` explains each from the installed
# catalog (tdxmemd.catalog, MESSAGE_IDs of src/record/message-ids.h):
#   auto-online takeover  booted with memhp_default_state=online; the
#                         service, enabled at boot, sets auto_online_blocks
#                         to offline at start, once (a restart finds
#                         offline and records nothing);
#   online, devdax        two regions, window 0 covered by the CMRs;
#   unchanged             Exclude= the devdax device, reload;
#   rolled-back           TDX initialized late, AfterInit=try and a CMR file
#                         that claims window 1, reload: the kernel refuses.
# Also keeps `systemd-analyze security tdxmemd.service`.
# vm-cxl: 512M 512M
# vm-memhp: online
# vm-pre-systemd: service-late-init.pre
# vm-install: package
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
# src/record/message-ids.h
declare -A ID=(
	[online]=fa4be03c167e4cedaa2a74d70ecd7e1d
	[devdax]=68089ec486584a21a9b697b8ffb92695
	[unchanged]=d4ef7ef65c1b4bf8b5c926144fb0edf5
	[rolled-back]=a4c35a9154ea4fb4935ad12808c16b8c
	[auto-online]=8e2d41a7c35b4f6e9d0a1c2b3e4f5a66
)
settle

# Takeover: the kernel's setting was online (memhp_default_state=online).
fact cmdline_memhp "$(grep -o 'memhp_default_state=[a-z]*' /proc/cmdline)"
fact service_active_start "$(systemctl is-active tdxmemd.service || true)"
fact auto_online_after_start "$(cat "$MEMSYS/auto_online_blocks")"
systemctl restart tdxmemd.service
fact auto_online_after_restart "$(cat "$MEMSYS/auto_online_blocks")"

# online and devdax: the CMRs (kernel log, service-late-init.pre) cover
# window 0.
cxl_region 0
DAX0=$DAX
cxl_region 1
DAX1=$DAX
wait_records 2 90 records_online_devdax
quiet 1

# unchanged: the devdax device excluded.
printf '[Policy]\nExclude=%s\n' "$DAX1" >/etc/tdxmemd.conf
systemctl reload tdxmemd.service
wait_records 1 60 records_unchanged "MESSAGE_ID=${ID[unchanged]}"
quiet 1

# rolled-back: TDX initialized now (device 0's memory, online and inside
# the CMRs, joins the TDX memory list; window 1 is devdax, not RAM, so the
# simulated init succeeds), then told to try window 1.
echo initialized >/sys/module/tdxsim/parameters/state
fact tdxsim_state "$(cat /sys/module/tdxsim/parameters/state)"
mkdir -p /etc/tdxmemd
cat >/etc/tdxmemd/cmrs.txt <<CMRS
# claims window 1 convertible, which the TDX memory list does not hold
[0x100000, 0x80000000)
[0x390000000, 0x490000000)
[0x490000000, 0x590000000)
CMRS
printf '[TDX]\nAfterInit=try\nCmrFile=/etc/tdxmemd/cmrs.txt\n' >/etc/tdxmemd.conf
systemctl reload tdxmemd.service
wait_records 1 60 records_rolled_back "MESSAGE_ID=${ID[rolled-back]}"
quiet 2
fact records_final "$(count_records)"
dev_facts after0 "$DAX0"
dev_facts after1 "$DAX1"
service_facts end

# What an administrator reads: every record explained, and each kind alone.
journalctl -b -x -t tdxmemd --no-pager >"$OUT/catalog-all.txt" 2>&1 || true
for kind in "${!ID[@]}"; do
	journalctl -b -x "MESSAGE_ID=${ID[$kind]}" --no-pager >"$OUT/catalog-$kind.txt" 2>&1 || true
done
systemd-analyze security tdxmemd.service --no-pager >"$OUT/security.txt" 2>&1 || true
