#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The command line against fixture trees: `tdxmemd --once --dry-run --json
# --sysroot F` must report the TDX state and CMRs of each kind of host, and
# every input error must exit 1 naming the file and line. --sysroot implies
# --dry-run, so nothing here can touch the machine's memory.
set -u

tdxmemd=$1
fixtures=$2
hosts=$fixtures/hosts
work=$(mktemp -d /tmp/tdxmemd-test-cli-XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "not ok - $1"; }

# run NAME ARGS...: runs tdxmemd with an empty config, keeps stdout, stderr, status
run() {
	local name=$1
	shift
	"$tdxmemd" "$@" >"$work/$name.out" 2>"$work/$name.err"
	echo $? >"$work/$name.rc"
}

: >"$work/empty.conf"
once() {
	local name=$1
	shift
	run "$name" --once --dry-run --json --config "$work/empty.conf" "$@"
}

# expect_json NAME PYTHON-EXPRESSION: the JSON document satisfies the expression (d)
expect_json() {
	if [ "$(cat "$work/$1.rc")" != 0 ]; then
		fail "$1: exit $(cat "$work/$1.rc"): $(head -c 300 "$work/$1.err")"
		return
	fi
	if python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$work/$1.out" "$2"; then
		pass "$1: $2"
	else
		fail "$1: $2, got $(head -c 400 "$work/$1.out")"
	fi
}

# expect_error NAME STATUS STDERR-SUBSTRING
expect_error() {
	local rc
	rc=$(cat "$work/$1.rc")
	if [ "$rc" = "$2" ] && grep -qF -- "$3" "$work/$1.err"; then
		pass "$1: exit $2, \"$3\""
	else
		fail "$1: want exit $2 and \"$3\", got exit $rc: $(head -c 300 "$work/$1.err")"
	fi
}

# --- TDX state from each kind of host
once no-tdx --sysroot "$hosts/no-tdx"
expect_json no-tdx 'd["tdx_state"] == "disabled" and d["cmr_source"] == "none" and d["cmrs"] == []'
once bios --sysroot "$hosts/bios-enabled"
expect_json bios 'd["tdx_state"] == "bios-enabled" and d["cmr_source"] == "kmsg" and d["cmrs"] == [["0x100000", "0x7f000000"], ["0x100000000", "0x480000000"]]'
once bios-no-cmrs --sysroot "$hosts/bios-enabled-no-cmrs"
expect_json bios-no-cmrs 'd["tdx_state"] == "bios-enabled" and d["cmr_source"] == "none"'
once initialized --sysroot "$hosts/initialized"
expect_json initialized 'd["tdx_state"] == "initialized" and d["cmrs"] == [["0x100000", "0x7f000000"]]'
once initialized-faux --sysroot "$hosts/initialized-faux"
expect_json initialized-faux 'd["tdx_state"] == "initialized"'
once init-failed --sysroot "$hosts/init-failed"
expect_json init-failed 'd["tdx_state"] == "init-failed"'
once unknown --sysroot "$hosts/unknown"
expect_json unknown 'd["tdx_state"] == "unknown" and d["cmr_source"] == "none"'
expect_error unknown 0 "Cannot read the kernel log"

# --- the configuration can pin the state
printf '[TDX]\nState=initialized\n' >"$work/pin.conf"
run pinned --once --dry-run --json --config "$work/pin.conf" --sysroot "$hosts/no-tdx"
expect_json pinned 'd["tdx_state"] == "initialized"'

# --- each CMR form, from a file; a file wins over the kernel log
printf '[0x100000, 0x80000000)\n' >"$work/kernel.cmr"
printf '[    4.123456] virt/tdx: CMR: [0x100000, 0x80000000)\n' >"$work/dmesg.cmr"
printf '6,339,5140900,-;virt/tdx: CMR: [0x100000, 0x80000000)\n' >"$work/kmsg.cmr"
printf '# from the BMC\n100000-7fffffff\n\n' >"$work/iomem.cmr"
for form in kernel dmesg kmsg iomem; do
	once "cmr-$form" --sysroot "$hosts/bios-enabled" --cmr-file "$work/$form.cmr"
	expect_json "cmr-$form" 'd["cmr_source"] == "file" and d["cmrs"] == [["0x100000", "0x80000000"]]'
done
printf '[TDX]\nCmrFile=%s\n' "$work/iomem.cmr" >"$work/cmrfile.conf"
run cmr-config --once --dry-run --json --config "$work/cmrfile.conf" --sysroot "$hosts/no-tdx"
expect_json cmr-config 'd["cmr_source"] == "file"'
printf '[TDX]\nCmrAttribute=%s\n' "$work/kernel.cmr" >"$work/attr.conf"
run cmr-attribute --once --dry-run --json --config "$work/attr.conf" --sysroot "$hosts/no-tdx"
expect_json cmr-attribute 'd["cmr_source"] == "attribute"'

# --- bad input: exit 1, file and line named, nothing decided
printf '[0x100000, 0x80000000)\n# fine so far\n[0x200000 0x300000)\n' >"$work/bad.cmr"
once bad-cmr --sysroot "$hosts/bios-enabled" --cmr-file "$work/bad.cmr"
expect_error bad-cmr 1 "$work/bad.cmr:3:"
printf '[0x80000000, 0x100000)\n' >"$work/reversed.cmr"
once reversed-cmr --sysroot "$hosts/bios-enabled" --cmr-file "$work/reversed.cmr"
expect_error reversed-cmr 1 "$work/reversed.cmr:1:"
once missing-cmr --sysroot "$hosts/bios-enabled" --cmr-file "$work/nonexistent.cmr"
expect_error missing-cmr 1 "$work/nonexistent.cmr"
for i in $(seq 0 32); do printf '[0x%x, 0x%x)\n' $((i * 0x10000000)) $((i * 0x10000000 + 0x1000)); done >"$work/33.cmr"
once too-many-cmrs --sysroot "$hosts/bios-enabled" --cmr-file "$work/33.cmr"
expect_error too-many-cmrs 1 "$work/33.cmr:33:"
printf '[TDX]\nState=bios-enabled\n\n[Policy]\nOnlineType=movabel\n' >"$work/typo.conf"
run bad-config --once --dry-run --config "$work/typo.conf" --sysroot "$hosts/no-tdx"
expect_error bad-config 1 "$work/typo.conf:5:"
printf '[Polcy]\n' >"$work/section.conf"
run bad-section --once --dry-run --config "$work/section.conf" --sysroot "$hosts/no-tdx"
expect_error bad-section 1 "$work/section.conf:1:"
run missing-config --once --dry-run --config "$work/nonexistent.conf" --sysroot "$hosts/no-tdx"
expect_error missing-config 1 "$work/nonexistent.conf"
# --- -v is tdxmemd's debug; only -vv adds libdaxctl's ("context ... released")
once verbose --sysroot "$hosts/bios-enabled" -v
once verbose2 --sysroot "$hosts/bios-enabled" -vv
if ! grep -q 'released' "$work/verbose.err" && grep -q '^tdxmemd: context .* released$' "$work/verbose2.err"; then
	pass "-v without, -vv with the libraries' debug lines, one line each"
else
	fail "-v/-vv: got $(head -c 300 "$work/verbose.err") / $(head -c 300 "$work/verbose2.err")"
fi

once odd-block-size --sysroot "$hosts/odd-block-size"
expect_error odd-block-size 1 "block_size_bytes:1:"

# --- usage
run daemon-dry-run --dry-run
expect_error daemon-dry-run 1 "--dry-run does not go with the service"
run daemon-sysroot --sysroot "$hosts/no-tdx"
expect_error daemon-sysroot 1 "--sysroot does not go with the service"
run status-device status --device dax0.0
expect_error status-device 1 "--device does not go with status"
run bad-option --once --frobnicate
expect_error bad-option 1 "frobnicate"
run stray-argument --once dax0.0
expect_error stray-argument 1 "dax0.0"
once no-such-device --sysroot "$hosts/no-tdx" --device dax99.0
expect_error no-such-device 1 "dax99.0"
run help --help
if [ "$(cat "$work/help.rc")" = 0 ] && grep -q -- '--once' "$work/help.out" &&
	grep -q 'Exit status' "$work/help.out"; then
	pass "help: lists --once and the exit status"
else
	fail "help: $(head -c 200 "$work/help.out")"
fi
run version --version
if [ "$(cat "$work/version.rc")" = 0 ] && grep -q '^tdxmemd [0-9]' "$work/version.out"; then
	pass "version"
else
	fail "version: $(cat "$work/version.out")"
fi

# --- a JOURNAL_STREAM inherited from a service does not make a file a journal stream
JOURNAL_STREAM=1:2 "$tdxmemd" --once --frobnicate >/dev/null 2>"$work/stream.err"
JOURNAL_STREAM=1:2 "$tdxmemd" --once --device x --sysroot "$hosts/no-tdx" --config "$work/empty.conf" \
	>/dev/null 2>>"$work/stream.err"
if grep -q '^tdxmemd: No dax device x' "$work/stream.err" && ! grep -q '^<' "$work/stream.err"; then
	pass "JOURNAL_STREAM of another stream: plain prefix"
else
	fail "JOURNAL_STREAM: $(head -c 200 "$work/stream.err")"
fi

# --- status: every device with its last decision (none on a host without dax)
run status-json status --json --sysroot "$hosts/no-tdx"
expect_json status-json 'd["devices"] == [] and d["tdx_init"] == {"outlook": "not-pending"}'

# --- status: would TDX initialization succeed with the memory present now?
run status-init-ok status --json --sysroot "$hosts/bios-enabled"
expect_json status-init-ok 'd["tdx_state"] == "bios-enabled" and d["tdx_init"] == {"outlook": "would-succeed", "would_succeed": True}'
run status-init-fail status --json --sysroot "$hosts/bios-enabled-hotplug"
expect_json status-init-fail 'd["tdx_init"] == {"outlook": "would-fail", "would_succeed": False, "blocking_range": ["0x480000000", "0x4c0000000"]}'
run status-init-text status --sysroot "$hosts/bios-enabled-hotplug"
if grep -q "Initialization would FAIL: 0x480000000-0x4c0000000 is present" "$work/status-init-text.out"; then
	pass "status text names the range that would fail TDX init"
else
	fail "status text: $(cat "$work/status-init-text.out")"
fi
run status-table status --sysroot "$hosts/no-tdx"
if [ "$(cat "$work/status-table.rc")" = 0 ] && head -1 "$work/status-table.out" | grep -q '^DEVICE .*LAST DECISION$'; then
	pass "status: table header"
else
	fail "status: $(head -c 200 "$work/status-table.out")"
fi

# --- status --prometheus: node_exporter's text format, as promtool reads it
run status-prometheus status --prometheus --sysroot "$hosts/bios-enabled-hotplug"
if [ "$(cat "$work/status-prometheus.rc")" = 0 ] &&
	grep -qx 'tdxmemd_tdx_state{state="bios-enabled"} 1' "$work/status-prometheus.out" &&
	grep -qx 'tdxmemd_tdx_init_would_succeed 0' "$work/status-prometheus.out"; then
	pass "status --prometheus: TDX state and init outlook"
else
	fail "status --prometheus: $(head -c 300 "$work/status-prometheus.out")"
fi
promtool=${PROMTOOL:-$(command -v promtool || true)}
if [ -x "$promtool" ]; then
	if "$promtool" check metrics <"$work/status-prometheus.out" >"$work/promtool.out" 2>&1; then
		pass "status --prometheus: promtool check metrics finds nothing"
	else
		fail "promtool check metrics: $(cat "$work/promtool.out")"
	fi
else
	echo "ok - no promtool (tests/setup-host.sh unpacks it): format check skipped # SKIP"
fi
run prometheus-once --once --prometheus --sysroot "$hosts/no-tdx"
expect_error prometheus-once 1 "--prometheus does not go with --once"
run prometheus-json status --prometheus --json --sysroot "$hosts/no-tdx"
expect_error prometheus-json 1 "--json does not go with --prometheus"

# --- explain: one device; a typo is an error, not an empty screen
run explain-none explain
expect_error explain-none 1 "explain needs a dax device"
run explain-missing explain dax9.9 --sysroot "$hosts/no-tdx"
expect_error explain-missing 1 "No dax device dax9.9"
run explain-dry explain dax0.0 --dry-run
expect_error explain-dry 1 "--dry-run does not go with explain"

# --- hostile input: a FIFO, a socket or a directory where a file should be
# exits 1 at once, naming the path (a blocking open of a FIFO would wait
# for a writer forever)
# make_node KIND PATH: a fifo, socket or dir at PATH
make_node() {
	rm -rf "$2"
	case $1 in
	fifo) mkfifo "$2" ;;
	socket) python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$2" ;;
	dir) mkdir "$2" ;;
	esac
}
# hostile NAME PATH ARGS...: tdxmemd ARGS must exit 1 within 1 s naming PATH
hostile() {
	local name=$1 path=$2 start end rc
	shift 2
	start=$(date +%s%N)
	timeout 10 "$tdxmemd" "$@" >"$work/$name.out" 2>"$work/$name.err"
	rc=$?
	end=$(date +%s%N)
	if [ "$rc" = 1 ] && grep -qF -- "$path" "$work/$name.err" &&
		[ $(((end - start) / 1000000)) -lt 1000 ]; then
		pass "$name: exit 1 in $(((end - start) / 1000000)) ms, \"$(head -1 "$work/$name.err")\""
	else
		fail "$name: want exit 1 within 1 s naming $path, got exit $rc after $(((end - start) / 1000000)) ms: $(head -c 300 "$work/$name.err")"
	fi
}
for kind in fifo socket dir; do
	make_node "$kind" "$work/node"
	hostile "cmr-file-$kind" "$work/node" --once --dry-run --config "$work/empty.conf" \
		--sysroot "$hosts/bios-enabled" --cmr-file "$work/node"
	hostile "config-$kind" "$work/node" --once --dry-run --config "$work/node" --sysroot "$hosts/no-tdx"
	for file in proc/cpuinfo dev/kmsg sys/devices/system/memory/block_size_bytes; do
		rm -rf "$work/root"
		cp -a "$hosts/no-tdx" "$work/root"
		make_node "$kind" "$work/root/$file"
		hostile "sysroot-${file##*/}-$kind" "$work/root/$file" --once --dry-run \
			--config "$work/empty.conf" --sysroot "$work/root"
	done
done
# A kernel without memory hotplug (or a snapshot of the TDX evidence only):
# no dax device to decide is no error.
rm -rf "$work/root"
cp -a "$hosts/no-tdx" "$work/root"
rm -r "$work/root/sys/devices/system/memory"
once no-hotplug --sysroot "$work/root"
expect_json no-hotplug 'd["tdx_state"] == "disabled" and d["decisions"] == []'

head -c $((2 << 20)) /dev/zero | tr '\0' '#' >"$work/huge.conf"
run config-too-large --once --dry-run --config "$work/huge.conf" --sysroot "$hosts/no-tdx"
expect_error config-too-large 1 "$work/huge.conf: cannot read: larger than the limit of"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
