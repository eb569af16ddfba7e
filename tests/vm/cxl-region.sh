#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# cxl-region.sh - create a CXL RAM region on one memdev and wait for its dax
# device (runs in the guest).
#
# Usage: cxl-region.sh [-s SIZE] [-d ROOT_DECODER] [-e ENDPOINT_DECODER]
#                      [-t TIMEOUT_S] MEMDEV
#   MEMDEV            memN, or serial:0x1234 (QEMU's cxl-type3 sn=)
#   -s SIZE           bytes, or with a K/M/G suffix (default: the memdev's
#                     whole RAM capacity); a multiple of 256 MiB
#   -d ROOT_DECODER   decoder0.N (default: the root decoder, i.e. the CXL
#                     fixed memory window, whose targets include the
#                     memdev's host bridge)
#   -e ENDPOINT_DECODER  (default: the memdev's first unused decoder)
#   -t TIMEOUT_S      wait for the dax device at most this long (default 20)
# Prints one line: region=regionN dax=daxN.M start=0x... size=0x... (and
# root, endpoint, memdev, committed_us: the realtime clock at the commit)
#
# Why sysfs: ndctl 76.1's `cxl create-region -t ram` prints "not supported
# yet" and exits 0.  This is the sequence its v77+ successor drives
# (Documentation/ABI/testing/sysfs-bus-cxl): ask the root decoder for a
# region name, write it back to create the region, set geometry and size,
# give the endpoint decoder a RAM DPA allocation, attach it as target0,
# commit (the kernel programs the host bridge and endpoint HDM decoders),
# then bind the region driver, which registers a cxl_dax_region whose
# probe (dax_cxl) creates daxN.M.  QEMU's firmware programs no HDM decoder,
# so no region exists at boot.
set -euo pipefail

D=/sys/bus/cxl/devices
SIZE=""
ROOT=""
EPD=""
TIMEOUT=20

die() {
	echo "cxl-region: $*" >&2
	exit 1
}

# Write a sysfs attribute and say which one failed: the kernel's only
# explanation is the errno (and sometimes a dev_dbg line).
put() {
	echo "$2" >"$1" 2>/dev/null || die "write '$2' to $1 failed"
}

to_bytes() {
	local v=$1 n
	case $v in
	*[kK]) n=${v%?} && echo $((n << 10)) ;;
	*[mM]) n=${v%?} && echo $((n << 20)) ;;
	*[gG]) n=${v%?} && echo $((n << 30)) ;;
	*) echo $((v)) ;;
	esac
}

while getopts s:d:e:t: opt; do
	case $opt in
	s) SIZE=$(to_bytes "$OPTARG") ;;
	d) ROOT=$OPTARG ;;
	e) EPD=$OPTARG ;;
	t) TIMEOUT=$OPTARG ;;
	*) die "usage: cxl-region.sh [-s SIZE] [-d ROOT_DECODER] [-e ENDPOINT_DECODER] MEMDEV" ;;
	esac
done
shift $((OPTIND - 1))
(($# == 1)) || die "one MEMDEV expected"
MEM=$1

# memN numbering follows PCI probe order, not the order of QEMU's -device
# options: look devices up by serial number when the caller knows it.
if [[ $MEM == serial:* ]]; then
	want=$(($(cut -d: -f2 <<<"$MEM")))
	MEM=""
	for m in "$D"/mem[0-9]*; do
		[[ -e $m/serial ]] || continue
		if (($(cat "$m/serial") == want)); then
			MEM=${m##*/}
			break
		fi
	done
	[[ -n $MEM ]] || die "no memdev with serial $(printf '%#x' "$want")"
fi
[[ -d $D/$MEM ]] || die "no memdev $MEM"

# The endpoint port is the cxl port whose uport is the memdev.
EP=""
for p in "$D"/endpoint[0-9]*; do
	[[ $(basename "$(readlink -f "$p/uport")") == "$MEM" ]] && EP=${p##*/}
done
[[ -n $EP ]] || die "$MEM has no endpoint port (cxl_mem not bound?)"

# HDM decoders are committed in instance order (CXL 2.0 8.2.5.12): take the
# first endpoint decoder that holds no DPA yet.
if [[ -z $EPD ]]; then
	for dec in "$D/$EP"/decoder[0-9]*.[0-9]*; do
		if (($(cat "$dec/dpa_size") == 0)); then
			EPD=${dec##*/}
			break
		fi
	done
	[[ -n $EPD ]] || die "$EP has no free decoder"
fi

# A root decoder routes to host bridges by dport id (the ACPI0016 _UID,
# which QEMU sets to the pxb-cxl bus_nr); root0/dport<ID> links to the
# host bridge.  Pick the window that targets the memdev's host bridge.
if [[ -z $ROOT ]]; then
	hb=$(readlink -f "$D/$MEM" | sed -n 's|^/sys/devices/\(pci[0-9a-f]*:[0-9a-f]*\)/.*|\1|p')
	[[ -n $hb ]] || die "cannot find the host bridge of $MEM"
	id=""
	for dp in "$D"/root0/dport[0-9]*; do
		[[ $(basename "$(readlink -f "$dp")") == "$hb" ]] && id=${dp##*/dport}
	done
	[[ -n $id ]] || die "host bridge $hb is not a dport of root0"
	for dec in "$D"/decoder0.[0-9]*; do
		[[ $(cat "$dec/cap_ram") == 1 ]] || continue
		if tr ',' '\n' <"$dec/target_list" | grep -qx "$id"; then
			ROOT=${dec##*/}
			break
		fi
	done
	[[ -n $ROOT ]] || die "no RAM-capable root decoder targets $hb (dport $id)"
fi

if [[ -z $SIZE ]]; then
	SIZE=$(($(cat "$D/$MEM/ram/size")))
fi
((SIZE > 0 && SIZE % (256 << 20) == 0)) ||
	die "size $SIZE is not a positive multiple of 256 MiB"

# Reading create_ram_region yields the next free name; writing it back
# creates the region device.
R=$(cat "$D/$ROOT/create_ram_region")
put "$D/$ROOT/create_ram_region" "$R"
put "$D/$R/interleave_granularity" 256
put "$D/$R/interleave_ways" 1
put "$D/$R/size" "$SIZE"
put "$D/$EPD/mode" ram
put "$D/$EPD/dpa_size" "$SIZE"
put "$D/$R/target0" "$EPD"
put "$D/$R/commit" 1
committed_us=${EPOCHREALTIME//[!0-9]/}
put /sys/bus/cxl/drivers/cxl_region/bind "$R"

# dax_cxl registers daxN.M under regionN/dax_regionN within tens of ms
# (seen in this bed); its module may still be loading via udev.
dax=""
deadline=$((SECONDS + TIMEOUT))
while ((SECONDS < deadline)); do
	for x in "$D/$R"/dax_region*/dax[0-9]*.[0-9]*; do
		[[ -e $x ]] && dax=${x##*/}
	done
	[[ -n $dax ]] && break
	sleep 0.1
done
[[ -n $dax ]] || die "$R committed but no dax device after ${TIMEOUT}s"

echo "region=$R dax=$dax start=$(cat "$D/$R/resource") size=$(cat "$D/$R/size") root=$ROOT endpoint=$EPD memdev=$MEM committed_us=$committed_us"
