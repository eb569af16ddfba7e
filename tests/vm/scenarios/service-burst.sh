#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# service-burst: as many CXL regions as the emulated hardware allows,
# created back to back on both devices at once while the service (started
# by its udev rule at the first one) decides: exactly one record per dax
# device, none duplicated, none missing.  The CMRs cover some regions (the
# first two on window 0, the first on window 1) and not the others.
#
# The limit: each region takes one HDM decoder in the device (endpoint
# port) and one in its host bridge (pxb-cxl port), and at least 256 MiB of
# the device (the kernel's region size granularity for one way).  QEMU
# gives a type-3 device 4 decoders; a host bridge with one root port has
# none unless asked (hdm_for_passthrough), and the kernel then uses one
# passthrough decoder: one region per device.  With vm-hb-decoders it has
# 4 too: 2 devices x 4 regions of 256 MiB.  The counts seen are facts
# dev<i>_ep_decoders and dev<i>_hb_decoders.
# vm-cxl: 1G 1G
# vm-hb-decoders: on
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
D=/sys/bus/cxl/devices
REGION=256M
REGION_BYTES=$((256 << 20))
settle

# decoders PORT: how many HDM decoders a CXL port has.
decoders() {
	local n=0 d
	for d in "$D/$1"/decoder*.*; do
		[[ -e $d ]] && n=$((n + 1))
	done
	echo "$n"
}

# How many regions each device can take.
counts=()
for i in 0 1; do
	serial=$((0x1234 + i))
	mem=""
	for m in "$D"/mem[0-9]*; do
		[[ -e $m/serial ]] && (($(cat "$m/serial") == serial)) && mem=${m##*/}
	done
	ep=""
	for p in "$D"/endpoint[0-9]*; do
		[[ $(basename "$(readlink -f "$p/uport")") == "$mem" ]] && ep=${p##*/}
	done
	# The endpoint port sits under its host bridge's port in sysfs.
	hb=$(basename "$(dirname "$(readlink -f "$D/$ep")")")
	epd=$(decoders "$ep")
	hbd=$(decoders "$hb")
	ram=$(($(cat "$D/$mem/ram/size")))
	fact "dev${i}_memdev" "$mem"
	fact "dev${i}_ep_decoders" "$epd"
	fact "dev${i}_hb_port" "$hb"
	fact "dev${i}_hb_decoders" "$hbd"
	fact "dev${i}_ram_size" "$ram"
	n=$((ram / REGION_BYTES))
	((epd < n)) && n=$epd
	((hbd < n)) && n=$hbd
	counts+=("$n")
	fact "dev${i}_regions_planned" "$n"
done

# Covered: window 0's first 512 MiB (two regions), window 1's first 256 MiB
# (one region); regions are laid out from the start of their window.
tdxsim_load state=bios "cmrs=$BOOTRAM,0x390000000-0x3b0000000,0x490000000-0x4a0000000"

# Both devices at once, each region right after the previous one: the
# service sees one long burst of events from two sources.  cxl-region
# itself waits only for the dax device, not for any decision.
fact burst_t_start "$(now_us)"
pids=()
for i in 0 1; do
	(
		for ((k = 0; k < counts[i]; k++)); do
			cxl-region -s "$REGION" "serial:$((0x1234 + i))" >>"/tmp/burst$i.txt" ||
				exit 1
		done
	) &
	pids+=($!)
done
rcs=()
for p in "${pids[@]}"; do
	rc=0
	wait "$p" || rc=$?
	rcs+=("$rc")
done
fact burst_t_end "$(now_us)"
fact burst_rcs "${rcs[*]}"
cat /tmp/burst0.txt /tmp/burst1.txt >"$OUT/burst-regions.txt" 2>/dev/null || true
say "regions: $(wc -l <"$OUT/burst-regions.txt")"
fact regions_created "$(wc -l <"$OUT/burst-regions.txt")"

# Each line: region=regionN dax=daxN.0 start=0x... size=0x...
mapfile -t daxes < <(sed -n 's/.* dax=\([^ ]*\) .*/\1/p' "$OUT/burst-regions.txt")
fact daxes "${daxes[*]}"
wait_records "${#daxes[@]}" 120
quiet 3
fact records_final "$(count_records)"
for dax in "${daxes[@]}"; do
	dev_facts "dev_$dax" "$dax"
done
service_facts end
