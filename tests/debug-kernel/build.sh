#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the debug test kernel (KASAN, lockdep, kmemleak, DEBUG_VM,
# DEBUG_PAGE_REF) from Debian's linux-source-6.12: tinyconfig plus
# debug.config, merged by the kernel's merge_config.sh; fails when any line
# of the fragment is not in the final .config.  The tree is built outside
# the repository (lib.sh: $DEBUG_KERNEL_TREE, the source beside it) through
# ccache, and rebuilt from scratch only when the fragment, this script or
# the source package version changed: otherwise it does nothing.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

package=linux-source-6.12
tarball=/usr/src/$package.tar.xz
fragment=$TOP/tests/debug-kernel/debug.config
out=$DEBUG_KERNEL_TREE
cache=$(dirname "$out")

[ -r "$tarball" ] || die "no $tarball: run 'make setup' (installs $package)"
command -v ccache >/dev/null || die "no ccache: run 'make setup'"
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] ||
	die "cannot write $cache: run as root, or set HT_CACHE to a writable folder"

srcver=$(dpkg-query -W -f '${Version}' "$package")
src=$cache/$package-$srcver
key=$(cat "$fragment" "$0" | sha256sum | cut -c1-16)-$srcver

# Two runs at once (a developer and CI) must not build into one tree.
exec 9>"$cache/debug-kernel.lock"
flock 9

if [ -f "$out/arch/x86/boot/bzImage" ] && [ "$(cat "$out/.hugetrack-key" 2>/dev/null)" = "$key" ]; then
	echo "debug kernel up to date: $out ($(cat "$out/.hugetrack-build-time"))"
	exit 0
fi

if [ ! -d "$src" ]; then
	# the sources of versions gone by are not needed any more
	find "$cache" -maxdepth 1 -name "$package-*" -exec rm -rf {} +
	echo "unpacking $tarball into $src"
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" -xf "$tarball"
	mv "$src.tmp/$package" "$src"
	rm -rf "$src.tmp"
fi

# unmet_lines CONFIG: the fragment's lines that CONFIG does not honour; a
# "not set" line is honoured by a CONFIG that sets no value for the symbol
unmet_lines() {
	local line sym
	while IFS= read -r line; do
		case $line in
		CONFIG_*)
			grep -qxF -- "$line" "$1" || echo "$line" ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			! grep -q "^$sym=" "$1" || echo "$line" ;;
		esac
	done <"$fragment"
}

# build_tree: configure, check the config, build
build_tree() {
	local unmet

	"${kmake[@]}" -s tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$fragment" >/dev/null
	# twice: the first pass can turn on symbols whose own defaults come second
	"${kmake[@]}" -s olddefconfig
	"${kmake[@]}" -s olddefconfig
	unmet=$(unmet_lines "$out/.config")
	[ -z "$unmet" ] ||
		die "the kernel's config dropped these lines of $fragment (unmet dependency or choice?): $(echo $unmet)"
	# all: vmlinux, bzImage, and Module.symvers for external modules
	"${kmake[@]}" -j"$(nproc)" all
}

rm -rf "$out"
mkdir -p "$out"
export CCACHE_DIR=$cache/ccache CCACHE_BASEDIR=$cache CCACHE_MAXSIZE=3G
# the same bytes from the same inputs: also what lets ccache hit
KBUILD_BUILD_TIMESTAMP=$(date -u -R -d "@$(stat -c %Y "$tarball")")
export KBUILD_BUILD_TIMESTAMP KBUILD_BUILD_USER=hugetrack KBUILD_BUILD_HOST=debug-kernel
kmake=(make -C "$src" O="$out" CC="ccache gcc" HOSTCC="ccache gcc")

TIMEFORMAT="%0R s wall, %0U s user + %0S s sys"
{ time build_tree 2>&1; } 2>"$out/.hugetrack-build-time"
echo "$key" >"$out/.hugetrack-key"
echo "debug kernel built: $out/arch/x86/boot/bzImage in $(cat "$out/.hugetrack-build-time")"
