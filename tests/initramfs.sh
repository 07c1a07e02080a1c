#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Packs the guest's root file system for kernel VER: busybox, the guest
# scripts and programs, the reader, the BPF backend, and that kernel's
# hugetrack.ko; kmod (modprobe) with its libraries and the module DKMS
# installed for VER, with its depmod files, in /lib/modules/VER/
# (tests/packaging.sh); with MM, the mm selftests in build/VER/mm/
# (tests/selftests-build.sh) in /tests/mm/.
# Usage: initramfs.sh VER [MM]  ->  build/VER/initramfs.cpio
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ver=${1:?usage: initramfs.sh VER}
ko=$BUILD/$ver/module/hugetrack.ko
[ -f "$ko" ] || die "no $ko: run 'make modules-all' first"

# Programs are the same for every kernel: build them once.
mkdir -p "$BUILD/guest/bin"
for src in "$TOP"/tests/prog/*.c; do
	bin=$BUILD/guest/bin/$(basename "$src" .c)
	[ "$bin" -nt "$src" ] && [ "$bin" -nt "$TOP/tests/prog/uffd.h" ] && continue
	gcc -static -std=c11 -O2 -Wall -Wextra -Werror -pthread -o "$bin" "$src" ||
		die "cannot build $src (is libc6-dev installed? run 'make setup')"
done

make -s -C "$TOP" user bpf ||
	die "cannot build the reader or the BPF backend (libjansson-dev, libbpf-dev, clang? run 'make setup')"

root=$BUILD/$ver/root
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,tests/bin}
cp /bin/busybox "$root/bin/"
ln -s busybox "$root/bin/sh"
cp "$TOP/tests/guest/init" "$root/init"
cp "$TOP"/tests/guest/*.sh "$TOP"/tests/expected-{probes,kernels}.txt "$TOP/tests/mm-selftests.txt" "$root/tests/"
cp "$BUILD"/guest/bin/* "$TOP/build/user/hugetrack" "$root/tests/bin/"
cp "$BUILD/bpf/hugetrack-bpf" "$root/tests/bin/"
cp "$ko" "$root/"
cp "$BUILD/$ver"/inject/*.ko "$BUILD/$ver"/floor/*.ko "$root/tests/"
cp "$TOP/VERSION" "$root/tests/"
# Debian has no static kmod: the binary, its libraries and loader as ldd says
mkdir -p "$root/sbin"
cp /usr/bin/kmod "$root/sbin/"
for tool in modprobe modinfo rmmod insmod lsmod depmod; do
	ln -s kmod "$root/sbin/$tool"
done
for lib in $(ldd /usr/bin/kmod | grep -o '/[^ ]*'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
[ ! -d "$BUILD/$ver/dkms-root" ] || cp -a "$BUILD/$ver/dkms-root/lib" "$root/"
[ -z "${2:-}" ] || cp -a "$BUILD/$ver/mm" "$root/tests/mm"
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) >"$BUILD/$ver/initramfs.cpio"
