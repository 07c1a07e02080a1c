#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make soak (not in check): for each test kernel, one guest boot running
# tests/guest/soak.sh for SOAK_MINUTES (default 10): every workload at
# once, resizes, control commands, load/unload every 30 s.  Prints the
# guest's TAP line and its one "# soak:" summary line per kernel; exits
# non-zero on any failure, including a guest that did not live to the end.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

minutes=${SOAK_MINUTES:-10}
cd "$TOP"
kernels=$(test_kernels)
[ -n "$kernels" ] || die "no test kernel: run 'make setup'"
make -s modules-all || die "the module does not build"
for ver in $kernels; do
	start=$(date +%s)
	if ! tests/initramfs.sh "$ver"; then
		report "$ver" fail "guest root file system" "initramfs.sh failed"
		continue
	fi
	# the debug kernel runs everything several times slower: its boot too
	HT_APPEND="${HT_APPEND:-} ht_soak_minutes=$minutes" \
		HT_BOOT_TIMEOUT=${HT_BOOT_TIMEOUT:-$((minutes * 60 + 900))} tests/vm.sh "$ver" soak
	echo "# $ver: guest ran $(($(date +%s) - start)) s"
	fold_tap "$ver" "$BUILD/$ver/soak.log"
	check_console "$ver"
	grep -h '^# soak:' "$BUILD/$ver/soak.log" | tr -d '\r' | sed "s/^/[$ver] /"
done
summary
