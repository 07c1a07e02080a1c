#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the kernel's own mm selftests that hugetrack runs under
# (tests/mm-selftests.txt) from test kernel VER's own source package
# (linux-source-<series>), static: the guest is busybox without a libc.
# A host kernel's is installed (/usr/src/linux-source-<series>.tar.xz); a
# chroot kernel's (kernels.txt) is the .deb tests/setup-chroot.sh
# downloads at its pinned version, and its selftests build in its chroot
# (its compiler, its glibc: the programs use what the source's uapi headers
# and vm_util.c need from them).
# Only what they need is unpacked (the top Makefile, scripts/, include/,
# arch/x86/, usr/, tools/, mm/gup_test.h), into
# $HT_CACHE/selftests-<series>-<package version>/, with the uapi headers
# of that source ("make headers") and the binaries in bin/; a second run
# does nothing until this script, the list of programs or the compiler
# changes.  The binaries are then copied to build/VER/mm/.
# Usage: selftests-build.sh VER   (its log: build/VER/mm-build.log)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ver=${1:?usage: selftests-build.sh VER}
series=$(mm_series "$ver")
package=linux-source-$series
if [ "$(kernel_how "$ver")" = chroot ]; then
	deb=$(source_deb "$ver")
	[ -r "$deb" ] || die "no $deb: run 'make setup' (downloads it)"
	srcver=$(pinned_version "$ver")
	# the tarball as it is in the package
	tarball() {
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$package.tar.xz"
	}
	tarball_name=$deb
else
	tarball_name=/usr/src/$package.tar.xz
	[ -r "$tarball_name" ] || die "no $tarball_name: run 'make setup' (installs $package)"
	srcver=$(dpkg-query -W -f '${Version}' "$package")
	tarball() {
		cat "$tarball_name"
	}
fi
cache=$HT_CACHE/selftests-$series-$srcver
src=$cache/src
bin=$cache/bin
out=$BUILD/$ver/mm
log=$BUILD/$ver/mm-build.log
mkdir -p "$BUILD/$ver" "$cache"
# make runs in the chroot (the cache at the same path there) or here
if [ "$(kernel_how "$ver")" = chroot ]; then
	run=(in_chroot_with "$cache" "$ver" make CC="$CHROOT_CC" HOSTCC="$CHROOT_CC")
	where="in $(suite_chroot "$(kernel_suite "$ver")") with its $CHROOT_CC"
else
	run=(make)
	where="with this machine's gcc $(gcc -dumpfullversion)"
fi
key=$({ cat "$0"; mm_programs "$series"; echo "$where"; } | sha256sum | cut -c1-16)

# Two runs at once must not build into one tree.
exec 9>"$cache.lock"
flock 9

build() {
	local dir programs prog status=0
	if [ ! -f "$src/.unpacked" ]; then
		rm -rf "$src"
		mkdir -p "$src"
		echo "unpacking the selftests' part of $tarball_name into $src"
		tarball | tar -C "$src" --strip-components=1 -xJf - \
			"$package/Makefile" "$package/scripts" "$package/include" \
			"$package/arch/x86" "$package/usr" "$package/tools" \
			"$package/mm/gup_test.h"
		touch "$src/.unpacked"
	fi
	[ -d "$src/usr/include/linux" ] || "${run[@]}" -C "$src" -s headers
	# tools/testing/selftests/vm until 6.2, mm since
	dir=$src/tools/testing/selftests/mm
	[ -d "$dir" ] || dir=$src/tools/testing/selftests/vm
	programs=$(mm_programs "$series")
	echo "building ${programs//$'\n'/ } static $where"
	rm -rf "$bin"
	mkdir -p "$bin"
	for prog in $programs; do
		if ! "${run[@]}" -C "$dir" OUTPUT="$bin" EXTRA_CFLAGS=-static "$bin/$prog"; then
			# Debian's 6.12.117 khugepaged.c returns KSFT_SKIP without
			# including kselftest.h (a stable backport): include it
			"${run[@]}" -C "$dir" OUTPUT="$bin" EXTRA_CFLAGS="-static -include ../kselftest.h" \
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
