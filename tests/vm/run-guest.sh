#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-guest.sh - boot the test guest once and run one scenario script in it.
#
# Usage: run-guest.sh [options] SCENARIO.sh
#   -b, --build-dir DIR    tdxmemd meson build dir to `meson install
#                          --destdir` into the guest (default:
#                          $TDXMEMD_BUILD_DIR; unset: no tdxmemd)
#   -c, --cxl SIZE         add a CXL type-3 RAM device of SIZE (QEMU size,
#                          e.g. 512M, 4G) on its own host bridge and its own
#                          fixed memory window; up to four devices
#   -H, --hb-decoders      give each CXL host bridge HDM decoders (pxb-cxl
#                          hdm_for_passthrough=on): without them the kernel
#                          uses one passthrough decoder per host bridge,
#                          and a device holds at most one region
#   -P, --package          install tdxmemd in the guest as its Debian package
#                          (tests/build-deb.sh, dpkg -i) instead of the
#                          build dir's `meson install`
#   -M, --memory SIZE      the guest's RAM (default: 2G); 64G or more makes
#                          x86 pick 2 GiB memory blocks, as on large servers
#   -m, --memhp STATE      memhp_default_state= (default: offline)
#   -a, --append ARGS      more kernel command line
#   -f, --file PATH        copy PATH into the share's files/ directory
#   -p, --pre-systemd SH   script vm-init runs before it execs systemd
#   -t, --timeout SECS     bound of the whole boot (default: 240)
#   -s, --scenario-timeout SECS  bound of the scenario script (default: 150)
#   -l, --leg LEG          bed leg to boot (default: $TDXMEMD_VM_LEG, else
#                          deb12-6.12; setup.sh lists the legs)
#   -r, --run-dir DIR      where to keep share, console log and results
#                          (default: a new directory under
#                          ${TDXMEMD_VM_RUNS:-/tmp})
#
# The guest sees the share at /mnt/vm: scenario.sh, files/, out/ (results),
# and vm-init has already copied overlay/ (this bed's guest tools, tdxsim.ko)
# and destdir/ (tdxmemd) onto /.
#
# Exit: 0 the scenario ran and exited 0; 1 it ran and failed; 2 the guest
# did not get through (hang, panic, timeout; the console tail is printed);
# 3 usage or setup error.  The run directory is printed on the last line.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${TDXMEMD_VM_CACHE:-/var/cache/tdxmemd-vm}

usage() {
	sed -n '4,38s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 3
}
die() {
	printf 'run-guest: error: %s\n' "$*" >&2
	exit 3
}

BUILD_DIR=${TDXMEMD_BUILD_DIR:-}
CXL=()
HB_HDM="" # more pxb-cxl options (--hb-decoders)
MEMHP=offline
MEMORY=2G
APPEND=""
FILES=()
PRE_SYSTEMD=""
TIMEOUT=240
SCENARIO_TIMEOUT=150
RUN_DIR=""
LEG=${TDXMEMD_VM_LEG:-deb12-6.12}
PACKAGE=0
while (($#)); do
	case $1 in
	-b | --build-dir) BUILD_DIR=$2 && shift 2 ;;
	-c | --cxl) CXL+=("$2") && shift 2 ;;
	-H | --hb-decoders) HB_HDM=",hdm_for_passthrough=on" && shift ;;
	-m | --memhp) MEMHP=$2 && shift 2 ;;
	-M | --memory) MEMORY=$2 && shift 2 ;;
	-a | --append) APPEND="$APPEND $2" && shift 2 ;;
	-f | --file) FILES+=("$2") && shift 2 ;;
	-p | --pre-systemd) PRE_SYSTEMD=$2 && shift 2 ;;
	-t | --timeout) TIMEOUT=$2 && shift 2 ;;
	-s | --scenario-timeout) SCENARIO_TIMEOUT=$2 && shift 2 ;;
	-l | --leg) LEG=$2 && shift 2 ;;
	-P | --package) PACKAGE=1 && shift ;;
	-r | --run-dir) RUN_DIR=$2 && shift 2 ;;
	-h | --help) usage ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
(($# == 1)) || usage
SCENARIO=$1
[[ -r $SCENARIO ]] || die "no scenario script $SCENARIO"
((${#CXL[@]} <= 4)) || die "at most four CXL devices"

LEG_ENV=$CACHE/leg-$LEG.env
[[ -r $LEG_ENV ]] || die "run setup.sh $LEG first ($LEG_ENV missing)"
# shellcheck source=/dev/null
. "$LEG_ENV"

if [[ -z $RUN_DIR ]]; then
	mkdir -p "${TDXMEMD_VM_RUNS:-/tmp}"
	RUN_DIR=$(mktemp -d "${TDXMEMD_VM_RUNS:-/tmp}/tdxmemd-vm.XXXXXX")
fi
SHARE=$RUN_DIR/share
rm -rf "$SHARE"
mkdir -p "$SHARE/out" "$SHARE/files" "$SHARE/overlay"

# ---- the share -------------------------------------------------------------

# Bed tools, laid out as they land on the guest's /.
OV=$SHARE/overlay
install -D -m 0644 "$HERE/guest/vm-scenario.service" \
	"$OV/etc/systemd/system/vm-scenario.service"
mkdir -p "$OV/etc/systemd/system/multi-user.target.wants"
ln -s ../vm-scenario.service \
	"$OV/etc/systemd/system/multi-user.target.wants/vm-scenario.service"
install -D -m 0755 "$HERE/guest/vm-run-scenario" "$OV/usr/local/libexec/vm-run-scenario"
install -D -m 0755 "$HERE/guest/vm-memory-dump" "$OV/usr/local/sbin/vm-memory-dump"
install -D -m 0755 "$HERE/cxl-region.sh" "$OV/usr/local/sbin/cxl-region"
install -D -m 0644 "$HERE/guest/lib.sh" "$OV/usr/local/lib/tdxmemd-vm/lib.sh"
install -D -m 0644 "$VM_TDXSIM_KO" "$OV/usr/local/lib/tdxmemd-vm/tdxsim.ko"
install -D -m 0755 "$VM_DAXRW" "$OV/usr/local/sbin/daxrw"

install -m 0644 "$SCENARIO" "$SHARE/scenario.sh"
echo "$SCENARIO_TIMEOUT" >"$SHARE/scenario-timeout"
for f in "${FILES[@]}"; do
	cp -a "$f" "$SHARE/files/"
done
if [[ -n $PRE_SYSTEMD ]]; then
	install -m 0755 "$PRE_SYSTEMD" "$SHARE/pre-systemd.sh"
fi

# tdxmemd as `meson install` lays it out: binary, units, udev rules,
# catalog, man pages.  A leg of the host's distribution runs the host build
# (-b); any other leg a build of the same tree in its chroot.
if ((PACKAGE)); then
	deb=$("$HERE/../build-deb.sh" "$LEG") || die "building the package failed"
	cp "$deb" "$SHARE/tdxmemd.deb"
elif [[ -n $BUILD_DIR && -n ${VM_BUILDROOT:-} ]]; then
	# A leg of another distribution runs tdxmemd built there, against
	# its own libraries, from the same source tree.
	"$HERE/../build-in-chroot.sh" --destdir "$SHARE/destdir" "$LEG" \
		>"$RUN_DIR/meson-install.log" 2>&1 ||
		die "build in the $LEG chroot failed: $(tail -n 20 "$RUN_DIR/meson-install.log")"
elif [[ -n $BUILD_DIR ]]; then
	[[ -f $BUILD_DIR/build.ninja ]] || die "$BUILD_DIR is not a meson build dir"
	meson install -C "$BUILD_DIR" --no-rebuild --quiet \
		--destdir "$SHARE/destdir" >"$RUN_DIR/meson-install.log" 2>&1 ||
		die "meson install failed: $(tail -n 20 "$RUN_DIR/meson-install.log")"
fi
if [[ -n $BUILD_DIR ]] && ((!PACKAGE)); then
	# Every library the binary needs must exist in the guest image.
	bin=$(find "$SHARE/destdir" -type f -name tdxmemd -perm -u+x | head -n1)
	if [[ -n $bin && -n ${VM_ROOTFS:-} ]]; then
		for lib in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			if ! compgen -G "$VM_ROOTFS/usr/lib/x86_64-linux-gnu/$lib" >/dev/null &&
				! compgen -G "$VM_ROOTFS/usr/lib/$lib" >/dev/null; then
				echo "run-guest: warning: $lib (needed by tdxmemd) is not in the guest image" >&2
			fi
		done
	fi
fi

# ---- the machine -----------------------------------------------------------

# q35 with CXL, TCG.  hypervisor=off: with the
# hypervisor CPUID bit set, the kernel's CXL region commit fails ("Failed
# to synchronize CPU cache state", cpu_cache_invalidate_memregion()).  The
# disk must sit on pcie.0.
# QEMU size (512M, 4G, 64G) in GiB, rounded up.
gib() {
	local n=${1%[MG]}
	[[ $1 == *G ]] && echo "$n" || echo $(((n + 1023) / 1024))
}
# Every RAM backend reserve=off (MAP_NORESERVE): only what the guest
# touches takes host memory, so 64 GiB guests and devices fit on a 24 GiB
# host; the guest's own workload stays on its boot RAM.
QEMU=(
	qemu-system-x86_64
	-nodefaults -display none -no-reboot
	-machine "q35,cxl=on,memory-backend=ram" -accel tcg -cpu "max,hypervisor=off" -smp 2
	-object "memory-backend-ram,id=ram,size=$MEMORY,reserve=off"
	-m "$MEMORY,maxmem=${MAXMEM:-$(($(gib "$MEMORY") + 6))G},slots=4"
	-kernel "$VM_KERNEL" -initrd "$VM_INITRD"
	-drive "if=none,id=root,file=$VM_IMAGE,format=raw,snapshot=on"
	-device "virtio-blk-pci,drive=root,bus=pcie.0"
	-fsdev "local,id=share,path=$SHARE,security_model=none"
	-device "virtio-9p-pci,fsdev=share,mount_tag=vmshare,bus=pcie.0"
	-serial "file:$RUN_DIR/console.log"
	-monitor none
)
# One pxb-cxl host bridge, root port and type-3 device per CXL device, and
# one CXL fixed memory window (CFMWS) per host bridge, so that each device
# gets its own root decoder (decoder0.N) and its own address range.
# QEMU wants every cxl-fmw.N property in ONE -M option.
i=0
fmw=""
for size in "${CXL[@]}"; do
	# The window must hold the whole device: 4 GiB, or the device's size.
	win=$(($(gib "$size") > 4 ? $(gib "$size") : 4))G
	QEMU+=(
		-object "memory-backend-ram,id=cxlmem$i,share=on,size=$size,reserve=off"
		-device "pxb-cxl,bus_nr=$((12 + 20 * i)),bus=pcie.0,id=cxl.$i$HB_HDM"
		-device "cxl-rp,port=0,bus=cxl.$i,id=cxl_rp$i,chassis=$i,slot=$((2 + i))"
		-device "cxl-type3,bus=cxl_rp$i,volatile-memdev=cxlmem$i,id=cxl-vmem$i,sn=$((0x1234 + i))"
	)
	fmw+="${fmw:+,}cxl-fmw.$i.targets.0=cxl.$i,cxl-fmw.$i.size=$win"
	i=$((i + 1))
done
[[ -z $fmw ]] || QEMU+=(-M "$fmw")

# memhp_default_state=offline: a policy agent must see new memory before
# the kernel onlines it (Debian's default is online, docs/platform-notes.md, section 2).
# panic=-1 + -no-reboot: a panic ends QEMU at once instead of at the timeout.
CMDLINE="console=ttyS0 root=/dev/vda rootfstype=ext4 rw init=/usr/local/sbin/vm-init"
CMDLINE+=" panic=-1 mitigations=off memhp_default_state=$MEMHP"
CMDLINE+=" systemd.show_status=error$APPEND"
QEMU+=(-append "$CMDLINE")

printf '%q ' "${QEMU[@]}" >"$RUN_DIR/qemu.cmd"
echo >>"$RUN_DIR/qemu.cmd"

start=$(date +%s%N)
set +e
timeout -k 10 "$TIMEOUT" "${QEMU[@]}" >"$RUN_DIR/qemu.log" 2>&1
qrc=$?
set -e
end=$(date +%s%N)
tenths=$(((end - start) / 100000000))
wall=$((tenths / 10)).$((tenths % 10))
echo "$wall" >"$RUN_DIR/walltime"

# Where the wall time went, from the console's kernel timestamps and the
# guest's uptime at the scenario's start and end: kernel (to the
# initramfs), init (initramfs and vm-init, to systemd), systemd (to the
# scenario), scenario, collect (results and power-off) and qemu (the rest:
# QEMU's start and exit).  One line "phase=seconds ..." in RUN_DIR/phases.
write_phases() {
	local console=$RUN_DIR/console.log out=$SHARE/out
	awk -v wall="$wall" \
		-v start="$(cat "$out/uptime-start" 2>/dev/null)" \
		-v end="$(cat "$out/uptime-end" 2>/dev/null)" '
		# systemd 257 may put terminal escapes before the "[ seconds]"
		function ts(line) {
			if (!match(line, /\[ *[0-9]+\.[0-9]+\]/)) return 0
			return substr(line, RSTART + 1, RLENGTH - 2) + 0
		}
		/Run \/init as init process/ && !init { init = ts($0) }
		/systemd\[1\]: systemd .* running in system mode/ && !sd { sd = ts($0) }
		/reboot: Power down/ { down = ts($0) }
		END {
			if (!init || !sd || start == "" || end == "" || !down) exit
			printf "kernel=%.1f init=%.1f systemd=%.1f scenario=%.1f collect=%.1f qemu=%.1f\n",
				init, sd - init, start - sd, end - start, down - end, wall - down
		}' "$console" >"$RUN_DIR/phases" 2>/dev/null || true
}
write_phases

tail_console() {
	echo "---- last 40 lines of $RUN_DIR/console.log ----" >&2
	tail -n 40 "$RUN_DIR/console.log" >&2 || true
	# The scenario's own log reaches the host as it is written (9p,
	# cache=none): it shows which step was running.
	if [[ -s $SHARE/out/scenario.log ]]; then
		echo "---- last 15 lines of the scenario log ----" >&2
		tail -n 15 "$SHARE/out/scenario.log" >&2
	fi
	if [[ -s $RUN_DIR/qemu.log ]]; then
		echo "---- qemu.log ----" >&2
		tail -n 20 "$RUN_DIR/qemu.log" >&2
	fi
	echo "----" >&2
}

if [[ ! -s $SHARE/out/status ]]; then
	if ((qrc == 124 || qrc == 137)); then
		echo "run-guest: guest timed out after ${TIMEOUT}s" >&2
	else
		echo "run-guest: guest ended (qemu exit $qrc) without a result" >&2
	fi
	tail_console
	echo "run-guest: wall ${wall}s, run dir: $RUN_DIR" >&2
	echo "$RUN_DIR"
	exit 2
fi
src=$(cat "$SHARE/out/status")
echo "run-guest: scenario exit $src, wall ${wall}s (boot to scenario start: $(cat "$SHARE/out/uptime-start" 2>/dev/null)s guest uptime)" >&2
echo "$RUN_DIR"
if [[ $src != 0 ]]; then
	echo "---- scenario.log (tail) ----" >&2
	tail -n 30 "$SHARE/out/scenario.log" >&2 || true
	exit 1
fi
exit 0
