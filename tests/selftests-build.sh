#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the kernel's own mm selftests that hugetrack runs under
# (tests/mm-selftests.txt) from test kernel VER's own source package
# (linux-source-<series>), static: the guest is busybox without a libc.
# Only what they need is unpacked (the top Makefile, scripts/, include/,
# arch/x86/, usr/, tools/, mm/gup_test.h), into
# $HT_CACHE/selftests-<series>-<package version>/, with the uapi headers
# of that source ("make headers") and the binaries in bin/; a second run
# does nothing until this script or the list of programs changes.  The
# binaries are then copied to build/VER/mm/.
# Usage: selftests-build.sh VER   (its log: build/VER/mm-build.log)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ver=${1:?usage: selftests-build.sh VER}
series=$(mm_series "$ver")
package=linux-source-$series
tarball=/usr/src/$package.tar.xz
[ -r "$tarball" ] || die "no $tarball: run 'make setup' (installs $package)"
srcver=$(dpkg-query -W -f '${Version}' "$package")
cache=${HT_CACHE:-/var/cache/hugetrack}/selftests-$series-$srcver
src=$cache/src
bin=$cache/bin
out=$BUILD/$ver/mm
log=$BUILD/$ver/mm-build.log
key=$({ cat "$0"; mm_programs "$series"; } | sha256sum | cut -c1-16)
mkdir -p "$BUILD/$ver" "$(dirname "$cache")"

# Two runs at once must not build into one tree.
exec 9>"$cache.lock"
flock 9

build() {
	local dir programs prog status=0
	if [ ! -f "$src/.unpacked" ]; then
		rm -rf "$src"
		mkdir -p "$src"
		echo "unpacking the selftests' part of $tarball into $src"
		tar -C "$src" --strip-components=1 -xf "$tarball" \
			"$package/Makefile" "$package/scripts" "$package/include" \
			"$package/arch/x86" "$package/usr" "$package/tools" \
			"$package/mm/gup_test.h"
		touch "$src/.unpacked"
	fi
	[ -d "$src/usr/include/linux" ] || make -C "$src" -s headers
	# tools/testing/selftests/vm until 6.2, mm since
	dir=$src/tools/testing/selftests/mm
	[ -d "$dir" ] || dir=$src/tools/testing/selftests/vm
	programs=$(mm_programs "$series")
	rm -rf "$bin"
	mkdir -p "$bin"
	for prog in $programs; do
		if ! make -C "$dir" OUTPUT="$bin" EXTRA_CFLAGS=-static "$bin/$prog"; then
			# Debian's 6.12.117 khugepaged.c returns KSFT_SKIP without
			# including kselftest.h (a stable backport): include it
			make -C "$dir" OUTPUT="$bin" EXTRA_CFLAGS="-static -include ../kselftest.h" \
				"$bin/$prog" || status=1
			echo "$prog: built with -include ../kselftest.h (its source misses it)"
		fi
	done
	[ $status -eq 0 ] || return 1
	for prog in $programs; do
		file "$bin/$prog" | grep -q 'statically linked' || { echo "$prog is not static"; return 1; }
	done
	echo "$key" >"$bin/.key"
}

if [ "$(cat "$bin/.key" 2>/dev/null)" = "$key" ]; then
	echo "mm selftests of $package $srcver up to date: $bin" >"$log"
else
	SECONDS=0
	build >"$log" 2>&1 || { tail -n 20 "$log"; die "building the mm selftests failed: see $log"; }
	echo "mm selftests of $package $srcver built in $SECONDS s: $bin" >>"$log"
fi
rm -rf "$out"
cp -a "$bin" "$out"
tail -n 1 "$log"
