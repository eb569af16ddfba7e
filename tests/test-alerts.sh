#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The alert rules the package ships (monitoring/tdxmemd.rules.yml): promtool
# checks their syntax and PromQL, then runs alerts.test.yml, which makes
# each alert fire, resolve, and stay quiet where it must. promtool comes
# from $PROMTOOL (tests/run-tests.sh exports where tests/setup-host.sh
# unpacks it) or the PATH; without it the test is skipped (exit 77).
set -eu

rules=$1
tests=$2
promtool=${PROMTOOL:-$(command -v promtool || true)}
if [ ! -x "$promtool" ]; then
	echo "no promtool (tests/setup-host.sh unpacks it): rules not checked"
	exit 77
fi
"$promtool" check rules "$rules"
"$promtool" test rules "$tests"
