#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Refreshes tests/fixtures/<series>/ (the reader's parser tests) with the
# files the module writes on each test kernel: boots each with the reader's
# guest test (t-50), which hands its files over on the third serial port.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$TOP"
make -s modules-all
for ver in $(test_kernels); do
	series=$(echo "$ver" | cut -d. -f1-2)
	tests/initramfs.sh "$ver"
	HT_TESTS=t-50 tests/vm.sh "$ver" check
	tests/artifacts.sh "$BUILD/$ver/artifacts.log" "$BUILD/$ver/artifacts"
	[ -f "$BUILD/$ver/artifacts/fixture/hstates" ] ||
		die "$ver handed over no fixture: see $BUILD/$ver/tap.log and console.log"
	rm -rf "tests/fixtures/$series"
	cp -r "$BUILD/$ver/artifacts/fixture" "tests/fixtures/$series"
	echo "tests/fixtures/$series: $(ls "tests/fixtures/$series" | tr '\n' ' ')"
done
