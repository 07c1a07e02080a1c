#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds hugetrack.ko for every test kernel, with W=1 and sparse on every
# file, into build/<ver>/module/ (a tree of links to the sources, so that
# kernels do not share objects).  The log is build/<ver>/build.log.
# Arguments: the module's source files and folders.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || die "usage: $0 SOURCE..."
status=0
for ver in $(test_kernels); do
	dir=$BUILD/$ver/module
	mkdir -p "$dir"
	for src in "$@"; do
		ln -sfn "$TOP/$src" "$dir/$(basename "$src")"
	done
	# MAKEFLAGS from a "make -s" caller would hide sparse's CHECK lines
	if MAKEFLAGS= make -C "/lib/modules/$ver/build" M="$dir" W=1 C=2 modules \
		>"$BUILD/$ver/build.log" 2>&1; then
		echo "built $dir/hugetrack.ko"
	else
		echo "build for $ver failed: see $BUILD/$ver/build.log" >&2
		status=1
	fi
done
exit $status
