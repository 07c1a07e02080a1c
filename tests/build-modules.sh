#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds hugetrack.ko for every test kernel, with W=1 and sparse on every
# file, into build/<ver>/module/ (a tree of links to the sources, so that
# kernels do not share objects).  The log is build/<ver>/build.log.  Also
# builds the test-only modules of tests/inject/ and tests/floor/ into
# build/<ver>/inject/ and build/<ver>/floor/.
# A kernel from a newer suite (kernels.txt: chroot) builds in its chroot.
# Arguments: the module's source files and folders.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || die "usage: $0 SOURCE..."

# build_tree VER DIR LOG SOURCE...: links the sources into DIR, builds there
build_tree() {
	local ver=$1 dir=$2 log=$3 src tree root= run=()
	shift 3
	tree=$(kernel_tree "$ver")
	if [ "$(kernel_how "$ver")" = chroot ]; then
		root=$(suite_chroot "$(kernel_suite "$ver")")
		run=(in_chroot "$ver")
	fi
	[ -f "$root$tree/Makefile" ] || { echo "no kernel build tree at $root$tree for $ver: run 'make setup'" >&2; return 1; }
	mkdir -p "$dir"
	# a failed build must not leave the last good module to be tested
	rm -f "$dir"/*.ko
	for src in "$@"; do
		ln -sfn "$src" "$dir/$(basename "$src")"
	done
	# MAKEFLAGS from a "make -s" caller would hide sparse's CHECK lines
	if MAKEFLAGS= "${run[@]}" make -C "$tree" M="$dir" W=1 C=2 modules >"$log" 2>&1; then
		echo "built $dir"
	else
		echo "build in $dir failed: see $log" >&2
		return 1
	fi
}

status=0
for ver in $(test_kernels); do
	build_tree "$ver" "$BUILD/$ver/module" "$BUILD/$ver/build.log" "${@/#/$TOP/}" || status=1
	build_tree "$ver" "$BUILD/$ver/inject" "$BUILD/$ver/inject.log" \
		"$TOP"/tests/inject/* || status=1
	build_tree "$ver" "$BUILD/$ver/floor" "$BUILD/$ver/floor.log" \
		"$TOP"/tests/floor/* || status=1
done
exit $status
