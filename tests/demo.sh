#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds hugetrack and boots a test kernel (the newest installed, or
# HT_KERNELS=<ver>) with it: MODE "demo" runs tests/guest/demo.sh, powers
# off and unpacks the plot it made into build/demo/; "shell" leaves you at
# the guest's shell with hugetrack loaded (poweroff -f to leave).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-demo}
# Ctrl-C ends QEMU, which exits 0: stop here rather than show a plot of a
# run cut short
trap 'exit 130' INT
# the stock 6.12, unless HT_KERNELS names one (the debug kernel:
# HT_KERNELS=6.12-debug)
if [ -n "${HT_KERNELS:-}" ]; then
	ver=$(test_kernels | tail -n 1)
else
	ver=$(stock_kernel)
fi
[ -n "$ver" ] || die "no test kernel installed: run 'make setup'"
[ "$ver" != "$DEBUG_KERNEL" ] || "$TOP/tests/debug-kernel/build.sh"
HT_KERNELS=$ver make -s -C "$TOP" modules-all
"$TOP/tests/initramfs.sh" "$ver"
echo "booting $ver under QEMU (TCG, about 5 s)..."
if [ "$mode" = demo ]; then
	"$TOP/tests/vm.sh" "$ver" demo
	"$TOP/tests/artifacts.sh" "$BUILD/$ver/artifacts.log" "$BUILD/demo"
	echo "the run's plot: $BUILD/demo/plot.svg (its series: $BUILD/demo/record.csv)"
else
	"$TOP/tests/vm.sh" "$ver" shell
fi
