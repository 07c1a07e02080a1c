#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Packs the guest's root file system for kernel VER: busybox, the guest
# scripts and programs, and that kernel's hugetrack.ko.
# Usage: initramfs.sh VER  ->  build/VER/initramfs.cpio
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ver=${1:?usage: initramfs.sh VER}
ko=$BUILD/$ver/module/hugetrack.ko
[ -f "$ko" ] || die "no $ko: run 'make modules-all' first"

# Programs are the same for every kernel: build them once.
mkdir -p "$BUILD/guest/bin"
for src in "$TOP"/tests/prog/*.c; do
	bin=$BUILD/guest/bin/$(basename "$src" .c)
	[ "$bin" -nt "$src" ] && continue
	gcc -static -std=c11 -O2 -Wall -Wextra -Werror -o "$bin" "$src" ||
		die "cannot build $src (is libc6-dev installed? run 'make setup')"
done

root=$BUILD/$ver/root
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,tests/bin}
cp /bin/busybox "$root/bin/"
ln -s busybox "$root/bin/sh"
cp "$TOP/tests/guest/init" "$root/init"
cp "$TOP"/tests/guest/*.sh "$TOP/tests/expected-probes.txt" "$root/tests/"
cp "$BUILD"/guest/bin/* "$root/tests/bin/"
cp "$ko" "$root/"
cp "$BUILD/$ver"/inject/*.ko "$BUILD/$ver"/floor/*.ko "$root/tests/"
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) >"$BUILD/$ver/initramfs.cpio"
