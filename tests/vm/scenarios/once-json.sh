#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# once-json: --json prints one JSON document, exit codes follow the man
# page, --dry-run changes nothing and writes no record.
# vm-cxl: 512M
# shellcheck source=../guest/lib.sh
. /usr/local/lib/tdxmemd-vm/lib.sh
tdxmemd_service_off
settle
tdxsim_load state=bios "cmrs=$BOOTRAM"
cxl_region 0
settle
snapshot before
run_tdxmemd dry --once --dry-run --json
settle
snapshot after-dry
run_tdxmemd json --once --json
settle
snapshot after-json
dev_facts after "$DAX"
run_tdxmemd again --once --json
# Exit status 1: usage and source errors touch nothing (without --once,
# tdxmemd is the resident service, which has no --json).
run_tdxmemd json-without-once --json
run_tdxmemd bad-option --once --no-such-option
run_tdxmemd bad-device --once --device dax9.9
printf '[TDX]\nCmrFile=/nonexistent/cmrs.txt\n' >/tmp/bad.conf
run_tdxmemd bad-cmr-file --once --config /tmp/bad.conf
snapshot after-errors
